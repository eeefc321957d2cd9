/*
 * demo_assist.c -- the help given, in the demo database (docs/demo.md, "Assistance"): a directory of
 * fictional partner organisations, shelters with beds among them, and for the cases of a few offices the
 * workflow stages, assistance records, referrals and follow-ups a real office would have, so that the
 * dashboard, the case view and the assistance statistics show something.
 *
 * Everything goes through care/assist.h, so the records obey the same rules as real ones (a case moves to
 * assistance only with the screening decision and consent; details go to partners only with consent), and
 * all of it is one bulk transaction: quick, and all or nothing.  Reproducible from the seed; dates are placed
 * relative to `today`, since a dashboard shows the last twelve months.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "io/io.h"
#include "care/assist.h"

static const struct {
	const char *name, *type, *country, *city, *services, *serves;
	int beds; /* -1: no shelter */
} partners[] = {
	{"Casa Sperantei Shelter", "NGO", "MD", "Chisinau", "accommodation,psychosocial,medical,information_counselling",
	 "MD", 24},
	{"Centrul Nadejda", "NGO", "MD", "Balti", "accommodation,psychosocial,vocational_training", "MD", 10},
	{"Chisinau Municipal Clinic 4", "HealthServiceOrganisation", "MD", "Chisinau", "medical,psychosocial", "MD", -1},
	{"Legal Aid Bureau Chisinau", "LegalService", "MD", "Chisinau", "legal,documents,interpretation", "MD", -1},
	{"National Employment Agency", "CentralGovernmentOrganisation", "MD", "Chisinau",
	 "employment,vocational_training,financial", "MD", -1},
	{"Family Tracing Network", "NGO", "MD", "Chisinau", "family_tracing,return_travel,information_counselling",
	 "MD,UA,RO,RU", -1},
	{"Return and Reintegration Office", "ImmigrationService", "MD", "Chisinau", "return_travel,documents,financial",
	 "MD,UA,RO,RU,TR,DE,IT", -1},
	{"Kyiv Crisis Shelter", "NGO", "UA", "Kyiv", "accommodation,psychosocial,medical", "UA", 16},
	{"Bucharest Reintegration Centre", "NGO", "RO", "Bucharest", "accommodation,education,vocational_training",
	 "RO,MD", 12},
	{"Houston Safe House", "NGO", "US", "Houston", "accommodation,legal,interpretation", "US", 20},
};

/* The offices that get records, and the share of their cases (per mille). */
static const struct {
	const char *site, *country;
	unsigned share;
} offices[] = {{"MD-CHISINAU", "MD", 1000}, {"UA-KYIV", "UA", 300}, {"RO-BUCHAREST", "RO", 300}, {"US-HOUSTON", "US", 300}};

/* Assistance types by how often they are given. */
static const struct {
	int32_t type;
	unsigned weight;
} kinds[] = {
	{CB_assistance_type_accommodation, 22},	 {CB_assistance_type_medical, 15},
	{CB_assistance_type_psychosocial, 20},		 {CB_assistance_type_legal, 10},
	{CB_assistance_type_information_counselling, 10}, {CB_assistance_type_vocational_training, 5},
	{CB_assistance_type_employment, 3},		 {CB_assistance_type_financial, 5},
	{CB_assistance_type_return_travel, 3},		 {CB_assistance_type_documents, 4},
	{CB_assistance_type_family_tracing, 2},	 {CB_assistance_type_interpretation, 1},
};

struct demo {
	struct cb_store *s;
	struct cb_demo_rng r;
	int32_t today;
	struct cb_partner *p;
	int np;
	struct cb_demo_assist_counts *n;
	struct cb_err *err;
};

static int32_t pick_type(struct demo *d)
{
	unsigned total = 0, x;
	for (size_t i = 0; i < CB_COUNTOF(kinds); i++)
		total += kinds[i].weight;
	x = cb_demo_below(&d->r, total);
	for (size_t i = 0; i < CB_COUNTOF(kinds); i++) {
		if (x < kinds[i].weight)
			return kinds[i].type;
		x -= kinds[i].weight;
	}
	return CB_assistance_type_other;
}

static bool serves(const struct cb_partner *p, int32_t country)
{
	if (p->country == country)
		return true;
	for (int i = 0; i < p->nserved; i++)
		if (p->served[i] == country)
			return true;
	return false;
}

/* A partner offering `type` in `country` (0 when none: the own office). */
static int64_t pick_provider(struct demo *d, int32_t type, int32_t country)
{
	int64_t ids[64];
	int n = 0;
	for (int i = 0; i < d->np && n < 64; i++)
		if ((d->p[i].services & (UINT64_C(1) << type)) && serves(&d->p[i], country))
			ids[n++] = d->p[i].id;
	return n ? ids[cb_demo_below(&d->r, (uint32_t)n)] : 0;
}

static int collect_partner(const struct cb_partner *p, void *ctx)
{
	struct demo *d = ctx;
	struct cb_partner *more = realloc(d->p, (size_t)(d->np + 1) * sizeof *more);
	if (!more)
		return CB_ENOMEM;
	d->p = more;
	d->p[d->np++] = *p;
	return CB_OK;
}

/* The directory: added once (a second demo run into the database reuses it), then read back. */
static int directory(struct demo *d)
{
	struct cb_partner_filter all = {.service = CB_NA, .country = CB_NA};
	int rc = cb_partner_list(d->s, &all, collect_partner, d, d->err);
	if (rc != CB_OK || d->np)
		return rc;
	for (size_t i = 0; i < CB_COUNTOF(partners); i++) {
		struct cb_partner p;
		cb_partner_init(&p);
		snprintf(p.name, sizeof p.name, "%s", partners[i].name);
		snprintf(p.city, sizeof p.city, "%s", partners[i].city);
		p.type = cb_value_find(&cb_vsets[CB_VS_org_type], partners[i].type);
		p.country = cb_country_find(partners[i].country);
		p.beds = partners[i].beds < 0 ? CB_NA : partners[i].beds;
		if ((rc = cb_services_parse(partners[i].services, &p.services, d->err)) != CB_OK ||
		    (rc = cb_served_parse(partners[i].serves, &p, d->err)) != CB_OK ||
		    (rc = cb_partner_add(d->s, &p, NULL, d->err)) != CB_OK)
			return rc;
		d->n->partners++;
	}
	return cb_partner_list(d->s, &all, collect_partner, d, d->err);
}

/* A workflow step; a step the rules refuse (no screening decision, no consent) is simply not taken. */
static int step(struct demo *d, const uint8_t id[16], int32_t to, const char *reason, bool *moved)
{
	struct cb_err e = {0};
	int rc = cb_stage_move(d->s, id, to, reason, NULL, &e);
	*moved = rc == CB_OK;
	if (rc == CB_EINVAL || rc == CB_ECONSENT)
		return CB_OK;
	if (rc != CB_OK)
		*d->err = e;
	else
		d->n->stages++;
	return rc;
}

/* One assistance record of an open case (recent dates) or of a closed one (dates after registration). */
static int assist(struct demo *d, const struct cb_case *c, int32_t country, bool open)
{
	struct cb_assist a;
	int rc;
	cb_assist_init(&a);
	memcpy(a.case_id, c->case_id, 16);
	a.type = pick_type(d);
	a.provider = cb_demo_chance(&d->r, 700) ? pick_provider(d, a.type, country) : 0;
	if (open && cb_demo_chance(&d->r, 100)) {
		a.status = CB_assistance_status_planned;
		a.planned_on = d->today + cb_demo_between(&d->r, 1, 30);
	} else if (open) {
		/* a stay in a shelter lasts weeks; the recent ones are still going on */
		a.start_on = d->today - cb_demo_between(&d->r, 0, a.type == CB_assistance_type_accommodation ? 120 : 330);
		int32_t lasts = a.type == CB_assistance_type_accommodation ? cb_demo_between(&d->r, 20, 90)
									   : cb_demo_between(&d->r, 1, 120);
		if (a.start_on + lasts < d->today) {
			a.status = CB_assistance_status_completed;
			a.end_on = a.start_on + lasts;
		} else {
			a.status = CB_assistance_status_ongoing;
		}
	} else {
		a.start_on = (c->registered_on != CB_NA ? c->registered_on : d->today - 3650) + cb_demo_between(&d->r, 1, 60);
		a.end_on = a.start_on + cb_demo_between(&d->r, 7, 90);
		a.status = CB_assistance_status_completed;
	}
	rc = cb_assist_add(d->s, &a, NULL, NULL, d->err);
	d->n->assistance += rc == CB_OK;
	cb_assist_clear(&a);
	return rc;
}

static int refer(struct demo *d, const struct cb_case *c)
{
	static const int32_t next[] = {CB_NA, CB_referral_status_accepted, CB_referral_status_rejected,
				       CB_referral_status_completed};
	struct cb_referral r;
	int rc;
	cb_referral_init(&r);
	memcpy(r.case_id, c->case_id, 16);
	r.direction = cb_demo_chance(&d->r, 100) ? CB_REFER_IN : CB_REFER_OUT;
	r.org_id = d->p[cb_demo_below(&d->r, (uint32_t)d->np)].id;
	r.reason = cb_demo_chance(&d->r, 800) ? CB_referral_reason_AdditionalServices
		   : cb_demo_chance(&d->r, 500) ? CB_referral_reason_Migration : CB_referral_reason_Other;
	r.shares_details = c->consent_share_partners == CB_yes_no_yes; /* never without consent */
	r.referred_on = d->today - cb_demo_between(&d->r, 0, 300);
	if ((rc = cb_referral_add(d->s, &r, NULL, NULL, d->err)) != CB_OK)
		goto out;
	d->n->referrals++;
	int32_t to = next[cb_demo_below(&d->r, CB_COUNTOF(next))];
	if (to == CB_referral_status_completed)
		rc = cb_referral_set_status(d->s, r.id, CB_referral_status_accepted, d->err);
	if (rc == CB_OK && to != CB_NA)
		rc = cb_referral_set_status(d->s, r.id, to, d->err);
out:
	cb_referral_clear(&r);
	return rc;
}

static int followup(struct demo *d, const uint8_t id[16])
{
	struct cb_followup f;
	cb_followup_init(&f);
	memcpy(f.case_id, id, 16);
	f.due_on = d->today + cb_demo_between(&d->r, -40, 90);
	if (f.due_on < d->today && cb_demo_chance(&d->r, 500))
		f.done_on = f.due_on + cb_demo_between(&d->r, 0, 5);
	int rc = cb_followup_add(d->s, &f, d->err);
	d->n->followups += rc == CB_OK;
	cb_followup_clear(&f);
	return rc;
}

/* One case: how far it went, and the records on the way. */
static int one_case(struct demo *d, const uint8_t id[16], int32_t country)
{
	struct cb_case c;
	bool moved = false;
	int rc;
	cb_case_init(&c);
	if ((rc = cb_store_get(d->s, id, 0, &c, d->err)) != CB_OK)
		return rc;
	/* A case registered closed or in follow-up (its status stood for the stage: store/records.c) has no walk
	 * to show, only the help and referrals it had on the way, and follow-ups if it is still followed. */
	if (c.case_stage != CB_case_stage_screening) {
		const bool open = c.case_stage == CB_case_stage_follow_up;
		for (int k = 1 + (int)cb_demo_below(&d->r, 3); k > 0 && rc == CB_OK; k--)
			rc = assist(d, &c, country, open);
		if (rc == CB_OK && cb_demo_chance(&d->r, 300))
			rc = refer(d, &c);
		if (rc == CB_OK && open)
			rc = followup(d, id);
		goto out;
	}
	/* open cases: a quarter still in screening, the rest spread over the later stages */
	int depth = (int)cb_demo_below(&d->r, 4); /* 0 screening .. 3 follow-up */
	d->n->cases++;
	if (depth > 0 && (rc = step(d, id, CB_case_stage_assistance, NULL, &moved)) != CB_OK)
		goto out;
	if (!moved) /* no screening decision or no consent: stays in screening */
		goto out;
	for (int k = 2 + (int)cb_demo_below(&d->r, 3); k > 0 && rc == CB_OK; k--)
		rc = assist(d, &c, country, true);
	if (rc == CB_OK && cb_demo_chance(&d->r, 300))
		rc = refer(d, &c);
	if (rc == CB_OK && depth >= 2)
		rc = step(d, id, CB_case_stage_reintegration, NULL, &moved);
	if (rc == CB_OK && depth >= 3)
		rc = step(d, id, CB_case_stage_follow_up, NULL, &moved);
	if (rc == CB_OK && depth >= 2)
		rc = followup(d, id);
out:
	cb_case_clear(&c);
	return rc;
}

struct id_list {
	uint8_t (*ids)[16];
	size_t n;
	struct cb_err *err;
};

static int add_id(const uint8_t id[16], void *ctx)
{
	struct id_list *l = ctx;
	uint8_t (*more)[16] = realloc(l->ids, (l->n + 1) * sizeof *l->ids);
	if (!more)
		return cb_err_set(l->err, CB_ENOMEM, "out of memory");
	l->ids = more;
	memcpy(l->ids[l->n++], id, 16);
	return CB_OK;
}

/* The cases of an office that have no workflow steps yet, in id order (the same on every run). */
static int office_cases(struct demo *d, const char *site, uint8_t (**ids)[16], size_t *n)
{
	struct id_list l = {NULL, 0, d->err};
	int rc = cb_stage_unstarted(d->s, site, add_id, &l, d->err);
	if (rc != CB_OK) {
		free(l.ids);
		l.ids = NULL;
		l.n = 0;
	}
	*ids = l.ids;
	*n = l.n;
	return rc;
}

int cb_demo_assist(struct cb_store *s, uint64_t seed, int32_t today, struct cb_demo_assist_counts *n,
		   struct cb_err *err)
{
	struct demo d = {.s = s, .today = today == CB_NA ? cb_date_today() : today, .n = n, .err = err};
	uint8_t (*ids)[16] = NULL;
	size_t nids = 0;
	int rc;
	memset(n, 0, sizeof *n);
	cb_demo_rng_seed(&d.r, seed ^ UINT64_C(0x61737369737421)); /* a stream of its own */
	if ((rc = cb_store_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = directory(&d)) != CB_OK)
		goto out;
	for (size_t o = 0; o < CB_COUNTOF(offices) && rc == CB_OK; o++) {
		int32_t country = cb_country_find(offices[o].country);
		free(ids);
		if ((rc = office_cases(&d, offices[o].site, &ids, &nids)) != CB_OK)
			break;
		for (size_t i = 0; i < nids && rc == CB_OK; i++)
			if (cb_demo_chance(&d.r, offices[o].share))
				rc = one_case(&d, ids[i], country);
	}
out:
	free(ids);
	free(d.p);
	if (rc == CB_OK)
		return cb_store_commit(s, err);
	cb_store_rollback(s);
	return rc;
}
