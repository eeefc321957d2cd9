/*
 * test_partners.c -- tests of src/care/partners.c: the partner directory (add, refusals, who may manage it,
 * search by service and country), referrals with consent enforcement (CB_ECONSENT naming
 * consent_share_partners, nothing stored), a manager's override (stored and audited in one transaction;
 * refused for others and without a reason), referral status steps, the case's referral_partner_type,
 * shelter occupancy and the cases a partner's type reaches (cb_partner_referred).
 */
#include "store/store_helpers.h"

#include "access/access.h"
#include "access/policy.h"
#include "care/assist.h"
#include "store/store.h"

#define DETAILS "Meet Ilvorna at the Kestrowic bus station"
/* A callback's own refusal, distinct from every CB_E* code */
#define STOPPED 7
#define OVERRIDE "risk to life: she must leave the city tonight"

static struct cb_store *new_store(void)
{
	unsetenv("CASEBANK_KEY_FILE");
	return open_new(new_db());
}

static void add_case(struct cb_store *s, int32_t consent, uint8_t id[16])
{
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "MD-CHISINAU", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_year], "2024", &err), CB_OK);
	c.consent_share_partners = consent;
	if (cb_store_add(s, &c, NULL, &err) != CB_OK)
		fail_msg("%s", err.msg);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
}

static int64_t add_partner(struct cb_store *s, const char *name, int32_t type, const char *country,
			   const char *services, const char *serves)
{
	struct cb_partner p;
	struct cb_err err = {0};
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "%s", name);
	p.type = type;
	p.country = cb_country_find(country);
	assert_int_equal(cb_services_parse(services, &p.services, &err), CB_OK);
	assert_int_equal(cb_served_parse(serves, &p, &err), CB_OK);
	if (cb_partner_add(s, &p, NULL, &err) != CB_OK)
		fail_msg("%s", err.msg);
	return p.id;
}

static struct cb_user user(enum cb_role role)
{
	struct cb_user u = {.id = 1, .role = role};
	snprintf(u.name, sizeof u.name, "%s", cb_role_name(role));
	cb_policy_grant(&u); /* what access/ does to every account it hands out */
	return u;
}

struct names {
	int n;
	char list[256];
};

static int collect(const struct cb_partner *p, void *ctx)
{
	struct names *l = ctx;
	size_t o = strlen(l->list);
	snprintf(l->list + o, sizeof l->list - o, "%s%s", l->n++ ? "," : "", p->name);
	return 0;
}

static const char *search(struct cb_store *s, const char *service, const char *country)
{
	static struct names l;
	struct cb_partner_filter f = {.service = CB_NA, .country = CB_NA};
	memset(&l, 0, sizeof l);
	if (service)
		f.service = cb_value_find(&cb_vsets[CB_VS_assistance_type], service);
	if (country)
		f.country = cb_country_find(country);
	assert_int_equal(cb_partner_list(s, &f, collect, &l, NULL), CB_OK);
	return l.list;
}

static void test_directory(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_partner p, q;
	struct cb_err err = {0};
	add_partner(s, "Alpha Shelter", CB_org_type_NGO, "MD", "accommodation,psychosocial", "MD,UA");
	add_partner(s, "Bravo Clinic", CB_org_type_Health, "RO", "medical", "");
	int64_t law = add_partner(s, "Charlie Lawyers", CB_org_type_Legal, "UA", "legal;documents", "MD");
	assert_string_equal(search(s, NULL, NULL), "Alpha Shelter,Bravo Clinic,Charlie Lawyers");
	assert_string_equal(search(s, "medical", NULL), "Bravo Clinic");
	assert_string_equal(search(s, NULL, "MD"), "Alpha Shelter,Charlie Lawyers"); /* based in, or serving */
	assert_string_equal(search(s, "legal", "MD"), "Charlie Lawyers");
	assert_string_equal(search(s, "legal", "RO"), "");
	assert_int_equal(cb_partner_get(s, law, &p, &err), CB_OK);
	assert_string_equal(p.name, "Charlie Lawyers");
	assert_int_equal(p.type, CB_org_type_Legal);
	assert_int_equal(p.nserved, 1);
	assert_int_equal(p.beds, CB_NA);
	assert_true(p.services == ((UINT64_C(1) << CB_assistance_type_legal) | (UINT64_C(1) << CB_assistance_type_documents)));
	/* managers manage the directory (and the local operator); admins, caseworkers and analysts do not: the
	 * policy's partner.manage row, the same over HTTP and here */
	struct cb_user cw = user(CB_ROLE_CASEWORKER), mg = user(CB_ROLE_MANAGER), an = user(CB_ROLE_ANALYST);
	struct cb_user ad = user(CB_ROLE_ADMIN), raw = {.id = 9, .role = CB_ROLE_MANAGER};
	q = p;
	snprintf(q.phone, sizeof q.phone, "+373 22 000 000");
	assert_int_equal(cb_partner_update(s, &q, &cw, &err), CB_EPERM);
	assert_int_equal(cb_partner_add(s, &q, &an, &err), CB_EPERM);
	assert_int_equal(cb_partner_add(s, &q, &ad, &err), CB_EPERM);
	assert_int_equal(cb_partner_update(s, &q, &ad, &err), CB_EPERM);
	/* an account the policy granted nothing (read by the store alone) manages nothing, whatever its role */
	assert_int_equal(cb_partner_update(s, &q, &raw, &err), CB_EPERM);
	assert_int_equal(cb_partner_update(s, &q, &mg, &err), CB_OK);
	assert_int_equal(cb_partner_get(s, law, &p, &err), CB_OK);
	assert_string_equal(p.phone, "+373 22 000 000");
	/* refusals name the field */
	q.name[0] = 0;
	assert_int_equal(cb_partner_add(s, &q, NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "name");
	q = p;
	snprintf(q.phone, sizeof q.phone, "call me");
	assert_int_equal(cb_partner_add(s, &q, NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "phone");
	q = p;
	q.type = 99;
	assert_int_equal(cb_partner_add(s, &q, NULL, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "HealthServiceOrganisation"));
	q = p;
	q.id = 999;
	assert_int_equal(cb_partner_update(s, &q, NULL, &err), CB_ENOTFOUND);
	uint64_t set;
	assert_int_equal(cb_services_parse("medical,massage", &set, &err), CB_EINVAL);
	assert_string_equal(err.field, "services");
	assert_int_equal(cb_served_parse("MD,XX", &q, &err), CB_EINVAL);
	assert_int_equal(cb_partner_get(s, 999, &p, &err), CB_ENOTFOUND);
	cb_store_free(&s);
}

struct audit {
	int overrides;
	char user[80], detail[2048];
};

static int find_override(const struct cb_audit_entry *e, void *ctx)
{
	struct audit *a = ctx;
	if (strcmp(e->action, "referral.consent_override") == 0 && a->overrides++ == 0) { /* newest first */
		snprintf(a->user, sizeof a->user, "%s", e->user);
		snprintf(a->detail, sizeof a->detail, "%s", e->detail);
	}
	return 0;
}

static int count_refs(const struct cb_referral *r, void *ctx)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static void test_consent(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_referral r;
	struct cb_err err = {0};
	uint8_t no[16], yes[16], unknown[16];
	add_case(s, CB_yes_no_no, no);
	add_case(s, CB_yes_no_yes, yes);
	add_case(s, CB_NA, unknown);
	int64_t org = add_partner(s, "Delta", CB_org_type_NGO, "MD", "", "");
	struct cb_user mg = user(CB_ROLE_MANAGER), cw = user(CB_ROLE_CASEWORKER), ad = user(CB_ROLE_ADMIN);

	cb_referral_init(&r);
	memcpy(r.case_id, no, 16);
	r.org_id = org;
	r.reason = CB_referral_reason_AdditionalServices;
	r.shares_details = true;
	/* no consent: refused, naming the field, nothing stored */
	assert_int_equal(cb_referral_add(s, &r, NULL, NULL, &err), CB_ECONSENT);
	assert_string_equal(err.field, "consent_share_partners");
	assert_non_null(strstr(err.msg, "consent_share_partners"));
	memcpy(r.case_id, unknown, 16);
	assert_int_equal(cb_referral_add(s, &r, NULL, &mg, &err), CB_ECONSENT);
	assert_non_null(strstr(err.msg, "missing"));
	/* an override: only a manager, only with a reason */
	memcpy(r.case_id, no, 16);
	assert_int_equal(cb_referral_add(s, &r, OVERRIDE, &cw, &err), CB_EPERM);
	assert_int_equal(cb_referral_add(s, &r, OVERRIDE, &ad, &err), CB_EPERM);
	assert_int_equal(cb_referral_add(s, &r, "urgent", &mg, &err), CB_EINVAL);
	assert_string_equal(err.field, "override_reason");
	int n = 0;
	assert_int_equal(cb_referral_list(s, no, 0, count_refs, &n, &err), CB_OK);
	assert_int_equal(n, 0);
	struct audit au = {0};
	assert_int_equal(cb_audit_list(s, NULL, 0, find_override, &au, &err), CB_OK);
	assert_int_equal(au.overrides, 0);
	r.details = strdup(DETAILS);
	assert_int_equal(cb_referral_add(s, &r, OVERRIDE, &mg, &err), CB_OK);
	assert_true(r.consent_overridden);
	assert_int_equal(cb_audit_list(s, no, 0, find_override, &au, &err), CB_OK);
	assert_int_equal(au.overrides, 1);
	assert_string_equal(au.user, "manager");
	assert_non_null(strstr(au.detail, OVERRIDE));
	assert_null(strstr(au.detail, DETAILS)); /* the person's details never reach the trail */
	int64_t checked, bad;
	assert_int_equal(cb_audit_verify(s, &checked, &bad, &err), CB_OK);
	struct cb_referral got;
	assert_int_equal(cb_referral_get(s, r.id, CB_WITH_PII, &got, &err), CB_OK);
	assert_true(got.consent_overridden);
	assert_string_equal(got.override_reason, OVERRIDE);
	assert_string_equal(got.details, DETAILS);
	assert_int_equal(got.status, CB_referral_status_pending);
	assert_int_equal(got.referred_on, cb_date_today());
	cb_referral_clear(&got);
	cb_referral_clear(&r);
	/* with consent, or without details, or incoming: no override needed, none recorded */
	cb_referral_init(&r);
	memcpy(r.case_id, yes, 16);
	r.org_id = org;
	r.reason = CB_referral_reason_Migration;
	r.shares_details = true;
	assert_int_equal(cb_referral_add(s, &r, NULL, &cw, &err), CB_OK);
	assert_false(r.consent_overridden);
	memcpy(r.case_id, no, 16);
	r.shares_details = false;
	assert_int_equal(cb_referral_add(s, &r, NULL, &cw, &err), CB_OK);
	r.direction = CB_REFER_IN;
	r.shares_details = true;
	assert_int_equal(cb_referral_add(s, &r, NULL, &cw, &err), CB_OK);
	assert_false(r.shares_details);
	memset(&au, 0, sizeof au);
	assert_int_equal(cb_audit_list(s, NULL, 0, find_override, &au, &err), CB_OK);
	assert_int_equal(au.overrides, 1);
	/* the local operator (by NULL) may override; recorded as such */
	r.direction = CB_REFER_OUT;
	assert_int_equal(cb_referral_add(s, &r, OVERRIDE, NULL, &err), CB_OK);
	memset(&au, 0, sizeof au);
	assert_int_equal(cb_audit_list(s, NULL, 0, find_override, &au, &err), CB_OK);
	assert_int_equal(au.overrides, 1); /* shares_details false: nothing to override */
	r.shares_details = true;
	assert_int_equal(cb_referral_add(s, &r, OVERRIDE, NULL, &err), CB_OK);
	memset(&au, 0, sizeof au);
	assert_int_equal(cb_audit_list(s, NULL, 0, find_override, &au, &err), CB_OK);
	assert_int_equal(au.overrides, 2);
	assert_non_null(strstr(au.user, "cli"));
	cb_store_free(&s);
}

static uint64_t partner_types(struct cb_store *s, const uint8_t id[16])
{
	struct cb_case c;
	assert_int_equal(cb_store_get(s, id, 0, &c, NULL), CB_OK);
	uint64_t t = c.referral_partner_type;
	cb_case_clear(&c);
	return t;
}

static void test_status_and_partner_types(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_referral r;
	struct cb_err err = {0};
	uint8_t id[16];
	add_case(s, CB_yes_no_yes, id);
	int64_t ngo = add_partner(s, "Echo", CB_org_type_NGO, "MD", "", "");
	int64_t police = add_partner(s, "Foxtrot", CB_org_type_LawEnforcement, "MD", "", "");
	int64_t ids[3];
	for (int i = 0; i < 3; i++) {
		cb_referral_init(&r);
		memcpy(r.case_id, id, 16);
		r.org_id = i == 1 ? police : ngo;
		r.reason = CB_referral_reason_Other;
		r.direction = i == 2 ? CB_REFER_IN : CB_REFER_OUT;
		assert_int_equal(cb_referral_add(s, &r, NULL, NULL, &err), CB_OK);
		ids[i] = r.id;
	}
	/* referred out to an NGO and the police; the incoming referral does not count */
	assert_true(partner_types(s, id) == ((UINT64_C(1) << CB_org_type_NGO) | (UINT64_C(1) << CB_org_type_LawEnforcement)));
	/* status steps */
	assert_int_equal(cb_referral_set_status(s, ids[0], CB_referral_status_completed, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "pending -> accepted or rejected"));
	assert_int_equal(cb_referral_set_status(s, ids[0], CB_referral_status_accepted, &err), CB_OK);
	assert_int_equal(cb_referral_set_status(s, ids[0], CB_referral_status_rejected, &err), CB_EINVAL);
	assert_int_equal(cb_referral_set_status(s, ids[0], CB_referral_status_completed, &err), CB_OK);
	assert_int_equal(cb_referral_set_status(s, ids[0], CB_referral_status_pending, &err), CB_EINVAL);
	/* a rejected referral takes its partner's type out */
	assert_int_equal(cb_referral_set_status(s, ids[1], CB_referral_status_rejected, &err), CB_OK);
	assert_true(partner_types(s, id) == (UINT64_C(1) << CB_org_type_NGO));
	/* a partner's new type reaches the cases referred to it */
	struct cb_partner p;
	assert_int_equal(cb_partner_get(s, ngo, &p, &err), CB_OK);
	p.type = CB_org_type_LocalGov;
	assert_int_equal(cb_partner_update(s, &p, NULL, &err), CB_OK);
	assert_true(partner_types(s, id) == (UINT64_C(1) << CB_org_type_LocalGov));
	assert_int_equal(cb_referral_set_status(s, 999, CB_referral_status_accepted, &err), CB_ENOTFOUND);
	/* unknown partner or case */
	cb_referral_init(&r);
	memcpy(r.case_id, id, 16);
	r.org_id = 999;
	r.reason = CB_referral_reason_Other;
	assert_int_equal(cb_referral_add(s, &r, NULL, NULL, &err), CB_ENOTFOUND);
	r.org_id = ngo;
	r.reason = CB_NA;
	assert_int_equal(cb_referral_add(s, &r, NULL, NULL, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "AdditionalServicesRequired"));
	cb_store_free(&s);
}

struct seen {
	int n;
	uint8_t ids[4][16];
	int stop_after; /* 0: never */
};

static int seen_case(const uint8_t id[16], void *ctx)
{
	struct seen *c = ctx;
	if (c->n < 4)
		memcpy(c->ids[c->n], id, 16);
	c->n++;
	return c->stop_after && c->n == c->stop_after ? STOPPED : 0;
}

static bool seen_has(const struct seen *c, const uint8_t id[16])
{
	for (int i = 0; i < c->n && i < 4; i++)
		if (!memcmp(c->ids[i], id, 16))
			return true;
	return false;
}

/* The cases whose referral_partner_type follows a partner: each case with a referral to or from it, once. */
static void test_referred(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_referral r;
	struct cb_err err = {0};
	uint8_t a[16], b[16], c[16];
	add_case(s, CB_yes_no_yes, a);
	add_case(s, CB_yes_no_yes, b);
	add_case(s, CB_yes_no_yes, c);
	int64_t ngo = add_partner(s, "Golf", CB_org_type_NGO, "MD", "", "");
	int64_t other = add_partner(s, "Hotel", CB_org_type_NGO, "MD", "", "");
	int64_t idle = add_partner(s, "India", CB_org_type_NGO, "MD", "", "");
	const struct {
		const uint8_t *id;
		int64_t org;
		int direction;
	} refs[] = {{a, ngo, CB_REFER_OUT}, {a, ngo, CB_REFER_OUT}, {b, ngo, CB_REFER_IN}, {c, other, CB_REFER_OUT}};
	for (size_t i = 0; i < CB_COUNTOF(refs); i++) {
		cb_referral_init(&r);
		memcpy(r.case_id, refs[i].id, 16);
		r.org_id = refs[i].org;
		r.reason = CB_referral_reason_Other;
		r.direction = refs[i].direction;
		assert_int_equal(cb_referral_add(s, &r, NULL, NULL, &err), CB_OK);
	}
	struct seen got = {0};
	assert_int_equal(cb_partner_referred(s, ngo, seen_case, &got, &err), CB_OK);
	assert_int_equal(got.n, 2); /* a twice referred, b referred in; not c */
	assert_true(seen_has(&got, a));
	assert_true(seen_has(&got, b));
	assert_false(seen_has(&got, c));
	memset(&got, 0, sizeof got);
	assert_int_equal(cb_partner_referred(s, idle, seen_case, &got, &err), CB_OK);
	assert_int_equal(got.n, 0);
	/* the callback's refusal stops the walk and is the result */
	memset(&got, 0, sizeof got);
	got.stop_after = 1;
	assert_int_equal(cb_partner_referred(s, ngo, seen_case, &got, &err), STOPPED);
	assert_int_equal(got.n, 1);
	cb_store_free(&s);
}

/* An entry private to another office is, for a caseworker, exactly an unknown id: not listed, not found,
 * not usable in a referral, with the message an unknown id gets; other offices' staff and the local operator
 * keep using it. */
static void test_office_scope(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_err err = {0}, unknown = {0};
	struct cb_partner p;
	struct cb_referral r;
	uint8_t id[16];
	add_case(s, CB_yes_no_yes, id);
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "Hidden House");
	snprintf(p.site, sizeof p.site, "MD-BALTI");
	p.type = CB_org_type_NGO;
	p.country = cb_country_find("MD");
	p.beds = 4;
	assert_int_equal(cb_partner_add(s, &p, NULL, &err), CB_OK);
	const int64_t hidden = p.id, shared = add_partner(s, "Open Door", CB_org_type_NGO, "MD", "legal", "");
	struct cb_user cw = user(CB_ROLE_CASEWORKER), there = user(CB_ROLE_CASEWORKER), mg = user(CB_ROLE_MANAGER);
	snprintf(cw.site, sizeof cw.site, "MD-CHISINAU");
	snprintf(there.site, sizeof there.site, "MD-BALTI");

	assert_false(cb_partner_in_scope(&p, &cw));
	assert_true(cb_partner_in_scope(&p, &there));
	assert_true(cb_partner_in_scope(&p, &mg));
	assert_true(cb_partner_in_scope(&p, NULL));
	assert_int_equal(cb_partner_get_for(s, hidden + 100, &cw, &p, &unknown), CB_ENOTFOUND);
	assert_int_equal(cb_partner_get_for(s, hidden, &cw, &p, &err), CB_ENOTFOUND);
	assert_string_equal(p.name, ""); /* nothing of the entry is handed out */
	char want[128];
	snprintf(want, sizeof want, "no partner organisation %lld", (long long)hidden);
	assert_string_equal(err.msg, want);
	snprintf(want, sizeof want, "no partner organisation %lld", (long long)(hidden + 100));
	assert_string_equal(unknown.msg, want);
	assert_int_equal(cb_partner_get_for(s, hidden, &there, &p, &err), CB_OK);
	assert_int_equal(cb_partner_get_for(s, hidden, &mg, &p, &err), CB_OK);
	assert_int_equal(cb_partner_get_for(s, shared, &cw, &p, &err), CB_OK);

	struct names l = {0};
	struct cb_partner_filter f = {.service = CB_NA, .country = CB_NA, .by = &cw};
	assert_int_equal(cb_partner_list(s, &f, collect, &l, &err), CB_OK);
	assert_string_equal(l.list, "Open Door");
	memset(&l, 0, sizeof l);
	f.by = &there;
	assert_int_equal(cb_partner_list(s, &f, collect, &l, &err), CB_OK);
	assert_string_equal(l.list, "Hidden House,Open Door");

	cb_referral_init(&r);
	memcpy(r.case_id, id, 16);
	r.org_id = hidden;
	r.reason = CB_referral_reason_Other;
	assert_int_equal(cb_referral_add(s, &r, NULL, &cw, &err), CB_ENOTFOUND);
	snprintf(want, sizeof want, "no partner organisation %lld", (long long)hidden);
	assert_string_equal(err.msg, want);
	assert_int_equal(r.id, 0);
	assert_int_equal(cb_referral_add(s, &r, NULL, &mg, &err), CB_OK);
	cb_referral_clear(&r);
	cb_store_free(&s);
}

static void test_occupancy(void **state)
{
	(void)state;
	struct cb_store *s = new_store();
	struct cb_err err = {0};
	struct cb_partner p;
	uint8_t id[16];
	int occ;
	int32_t d;
	add_case(s, CB_yes_no_yes, id);
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "Golf Shelter");
	p.type = CB_org_type_NGO;
	p.country = cb_country_find("MD");
	p.beds = 1;
	assert_int_equal(cb_partner_add(s, &p, NULL, &err), CB_OK);
	struct cb_assist a;
	cb_assist_init(&a);
	memcpy(a.case_id, id, 16);
	a.type = CB_assistance_type_accommodation;
	a.provider = p.id;
	assert_int_equal(cb_date_parse("2025-03-01", &a.planned_on), CB_OK);
	assert_int_equal(cb_date_parse("2025-03-31", &a.end_on), CB_OK);
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_date_parse("2025-02-28", &d), CB_OK);
	assert_int_equal(cb_shelter_occupancy(s, p.id, d, &occ, &err), CB_OK);
	assert_int_equal(occ, 0);
	assert_int_equal(cb_date_parse("2025-03-01", &d), CB_OK);
	assert_int_equal(cb_shelter_occupancy(s, p.id, d, &occ, &err), CB_OK);
	assert_int_equal(occ, 1);
	assert_int_equal(cb_date_parse("2025-04-01", &d), CB_OK);
	assert_int_equal(cb_shelter_occupancy(s, p.id, d, &occ, &err), CB_OK);
	assert_int_equal(occ, 0);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_consent),
		cmocka_unit_test(test_status_and_partner_types),
		cmocka_unit_test(test_occupancy),
		cmocka_unit_test(test_office_scope),
		cmocka_unit_test(test_referred),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
