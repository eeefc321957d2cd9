/*
 * partners.c -- the directory of partner organisations, referrals to and from them, and shelter occupancy
 * (care/assist.h).
 *
 * Partners carry the HTCDS org_ fields casebank uses (name, type, country, city, phone) plus the services
 * they offer (a set of assistance types), the countries they serve, beds when they are a shelter, and the
 * office that manages the entry.  The directory is small, so filters run in C over one ordered SELECT.
 * An entry an office manages is private to it: the one scope rule (cb_partner_in_scope) is here, and every
 * path that lists or names a partner goes through it, so that another office's entry is exactly as unknown.
 *
 * A referral out that passes on a person's details needs consent_share_partners = yes.  The check, the
 * referral row, a manager's override and its audit entry are one transaction: an override never exists
 * without its entry, and a refused referral leaves nothing behind.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "care/assist_impl.h"
#include "care/states.h"

/* ---- partners */

/* Organisation texts: printable, no control characters; `need` refuses an empty one. */
static int check_org_text(const char *t, size_t max, bool need, const char *what, struct cb_err *err)
{
	size_t n = strnlen(t, max + 1);
	if (need && n == 0)
		return cb_err_field(err, CB_EINVAL, what, "%s: is required", what);
	if (n > max)
		return cb_err_field(err, CB_EINVAL, what, "%s: longer than %zu bytes", what, max);
	for (const unsigned char *c = (const unsigned char *)t; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return cb_err_field(err, CB_EINVAL, what, "%s: contains a control character", what);
	return CB_OK;
}

static int check_partner(const struct cb_partner *p, struct cb_err *err)
{
	int rc;
	if ((rc = check_org_text(p->name, sizeof p->name - 1, true, "name", err)) != CB_OK ||
	    (rc = check_org_text(p->city, sizeof p->city - 1, false, "city", err)) != CB_OK ||
	    (rc = check_org_text(p->phone, sizeof p->phone - 1, false, "phone", err)) != CB_OK ||
	    (rc = cb_ax_check_value(CB_VS_org_type, p->type, "type", err)) != CB_OK)
		return rc;
	for (const char *c = p->phone; *c; c++)
		if (!isdigit((unsigned char)*c) && !strchr("+ -()", *c))
			return cb_err_field(err, CB_EINVAL, "phone", "phone: expected digits, spaces and + - ( ) (E.164: +373...)");
	if (p->country < 0 || p->country >= cb_ncountries)
		return cb_err_field(err, CB_EINVAL, "country", "country: expected an ISO 3166 country code (MD, ROU, ...)");
	if (p->nserved < 0 || p->nserved > CB_PARTNER_MAX_SERVED)
		return cb_err_field(err, CB_EINVAL, "served", "served: at most %d countries", CB_PARTNER_MAX_SERVED);
	for (int i = 0; i < p->nserved; i++)
		if (p->served[i] < 0 || p->served[i] >= cb_ncountries)
			return cb_err_field(err, CB_EINVAL, "served", "served: country index out of range");
	if (p->services >> CB_assistance_type__COUNT)
		return cb_err_field(err, CB_EINVAL, "services", "services: holds values beyond the assistance types");
	if (p->beds != CB_NA && (p->beds < 0 || p->beds > 100000))
		return cb_err_field(err, CB_EINVAL, "beds", "beds: expected 0 to 100000");
	if (p->site[0]) { /* an office code, checked as the codebook checks a case's */
		struct cb_case c;
		cb_case_init(&c);
		if (cb_case_set_text(&c, &cb_fields[CB_FLD_site], p->site, NULL) != CB_OK)
			return cb_err_field(err, CB_EINVAL, "site", "site: expected an office code [A-Z0-9-]{2,16}");
	}
	return CB_OK;
}

static int may_manage(const struct cb_user *by, struct cb_err *err)
{
	if (!by || by->may.manage_partners)
		return CB_OK;
	return cb_err_set(err, CB_EPERM, "partner organisations are managed by managers");
}

int cb_partner_add(struct cb_store *s, struct cb_partner *p, const struct cb_user *by, struct cb_err *err)
{
	int64_t id = 0;
	int rc;
	if ((rc = may_manage(by, err)) != CB_OK || (rc = check_partner(p, err)) != CB_OK ||
	    (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	rc = cb_partner_row_write(s, p, true, &id, err);
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK)
		p->id = id;
	return rc;
}

struct refresh_ctx {
	struct cb_store *s;
	struct cb_err *err;
};

static int refresh_one(const uint8_t id[16], void *ctx)
{
	struct refresh_ctx *c = ctx;
	return cb_ax_refresh(c->s, id, c->err);
}

int cb_partner_update(struct cb_store *s, const struct cb_partner *p, const struct cb_user *by, struct cb_err *err)
{
	struct refresh_ctx c = {s, err};
	int rc;
	if ((rc = may_manage(by, err)) != CB_OK || (rc = check_partner(p, err)) != CB_OK ||
	    (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	/* its type may have changed: so may the referral_partner_type of every case referred to it */
	if ((rc = cb_partner_row_write(s, p, false, NULL, err)) == CB_OK)
		rc = cb_partner_referred(s, p->id, refresh_one, &c, err);
	return cb_store_tx_end(s, rc, err);
}

/* The office scope of partner entries, the one rule every path applies (assist.h): an entry managed by an office
 * is that office's; one with no office is everybody's.  `site` NULL: every office. */
static bool site_sees(const char *site, const struct cb_partner *p)
{
	return !site || !p->site[0] || strcmp(site, p->site) == 0;
}

/* The office a user is confined to: a caseworker's own ("" when she has none: shared entries only); NULL for
 * everyone else and the local operator, who see every entry. */
static const char *scope_of(const struct cb_user *by)
{
	return by && !by->may.every_office ? by->site : NULL;
}

bool cb_partner_in_scope(const struct cb_partner *p, const struct cb_user *by)
{
	return site_sees(scope_of(by), p);
}

int cb_partner_get_for(struct cb_store *s, int64_t id, const struct cb_user *by, struct cb_partner *out,
		       struct cb_err *err)
{
	int rc = cb_partner_get(s, id, out, err);
	if (rc != CB_OK || cb_partner_in_scope(out, by))
		return rc;
	/* word for word what an unknown id gets: a hidden entry's existence is not confirmed */
	cb_partner_init(out);
	return cb_err_set(err, CB_ENOTFOUND, "no partner organisation %lld", (long long)id);
}

static bool partner_matches(const struct cb_partner *p, const struct cb_partner_filter *f)
{
	if (!f)
		return true;
	if (!cb_partner_in_scope(p, f->by))
		return false;
	if (f->service != CB_NA && !(p->services & (UINT64_C(1) << f->service)))
		return false;
	if (!site_sees(f->site, p))
		return false;
	if (f->country == CB_NA || p->country == f->country)
		return true;
	for (int i = 0; i < p->nserved; i++)
		if (p->served[i] == f->country)
			return true;
	return false;
}

struct list_ctx {
	const struct cb_partner_filter *f;
	int (*fn)(const struct cb_partner *p, void *ctx);
	void *ctx;
};

static int list_one(const struct cb_partner *p, void *ctx)
{
	struct list_ctx *c = ctx;
	return partner_matches(p, c->f) ? c->fn(p, c->ctx) : 0;
}

int cb_partner_list(struct cb_store *s, const struct cb_partner_filter *f,
		    int (*fn)(const struct cb_partner *p, void *ctx), void *ctx, struct cb_err *err)
{
	struct list_ctx c = {f, fn, ctx};
	int rc;
	if (f && f->service != CB_NA && (rc = cb_ax_check_value(CB_VS_assistance_type, f->service, "service", err)))
		return rc;
	return cb_partner_rows(s, list_one, &c, err);
}

/* ---- referrals */

/* Consent to share details, or a manager's override with its reason.  *overridden says which. */
static int check_consent(const struct cb_case *c, const char *override, const struct cb_user *by, bool *overridden,
			 struct cb_err *err)
{
	*overridden = false;
	if (c->consent_share_partners == CB_yes_no_yes)
		return CB_OK;
	if (!override)
		return cb_err_field(err, CB_ECONSENT, "consent_share_partners",
				    "consent_share_partners: the person has not consented to sharing their details with "
				    "partners (consent_share_partners is %s); refer without details, or a manager may "
				    "override with a stated reason",
				    c->consent_share_partners == CB_NA ? "missing" : "no");
	if (by && !by->may.override_consent)
		return cb_err_field(err, CB_EPERM, "consent_share_partners",
				    "consent_share_partners: only a manager may override a missing consent");
	size_t n = strlen(override);
	if (n < CB_REASON_MIN || n > 500)
		return cb_err_field(err, CB_EINVAL, "override_reason",
				    "override_reason: overriding consent_share_partners needs a reason of %d to 500 characters",
				    CB_REASON_MIN);
	if (check_org_text(override, 500, true, "override_reason", err) != CB_OK)
		return CB_EINVAL;
	*overridden = true;
	return CB_OK;
}

static int check_referral(struct cb_referral *r, struct cb_err *err)
{
	int rc;
	if (r->direction != CB_REFER_OUT && r->direction != CB_REFER_IN)
		return cb_err_field(err, CB_EINVAL, "direction", "direction: expected in or out");
	if (r->direction == CB_REFER_IN)
		r->shares_details = false; /* the partner shared with us: their consent, not ours */
	if (r->status == CB_NA)
		r->status = cb_machines[CB_MACHINE_referral].initial;
	if (r->referred_on == CB_NA)
		r->referred_on = cb_date_today();
	if ((rc = cb_ax_check_value(CB_VS_referral_reason, r->reason, "reason", err)) != CB_OK ||
	    (rc = cb_ax_check_value(CB_VS_referral_status, r->status, "status", err)) != CB_OK ||
	    (rc = cb_ax_check_text(r->details, "details", err)) != CB_OK)
		return rc;
	return CB_OK;
}

int cb_referral_add(struct cb_store *s, struct cb_referral *r, const char *override_reason, const struct cb_user *by,
		    struct cb_err *err)
{
	struct cb_case c;
	struct cb_partner p;
	bool overridden = false;
	char detail[640];
	int rc;
	cb_case_init(&c);
	if ((rc = check_referral(r, err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_get(s, r->case_id, 0, &c, err)) != CB_OK ||
	    (rc = cb_partner_get_for(s, r->org_id, by, &p, err)) != CB_OK)
		goto out;
	if (r->direction == CB_REFER_OUT && r->shares_details &&
	    (rc = check_consent(&c, override_reason, by, &overridden, err)) != CB_OK)
		goto out;
	if ((rc = cb_referral_row_add(s, r, overridden ? override_reason : NULL, err)) != CB_OK)
		goto out;
	r->status_on = r->referred_on;
	r->consent_overridden = overridden;
	snprintf(r->override_reason, sizeof r->override_reason, "%s", overridden ? override_reason : "");
	/* the override reason is a manager's statement, not a detail of the person (assist.h) */
	snprintf(detail, sizeof detail, "referral=%lld org=%lld reason=%s", (long long)r->id, (long long)r->org_id,
		 overridden ? override_reason : "");
	if ((overridden && (rc = cb_store_audit_by(s, by, CB_AUD_REFERRAL_OVERRIDE, r->case_id, detail, err)) != CB_OK) ||
	    (rc = cb_ax_refresh(s, r->case_id, err)) != CB_OK)
		goto out;
out:
	cb_case_clear(&c);
	rc = cb_store_tx_end(s, rc, err);
	if (rc != CB_OK)
		r->id = 0;
	return rc;
}

int cb_referral_set_status(struct cb_store *s, int64_t id, int32_t status, struct cb_err *err)
{
	struct cb_referral r;
	int rc;
	cb_referral_init(&r);
	if ((rc = cb_ax_check_value(CB_VS_referral_status, status, "status", err)) != CB_OK ||
	    (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_referral_get(s, id, 0, &r, err)) != CB_OK)
		goto out;
	if (!cb_move_allowed(CB_MACHINE_referral, r.status, status, NULL)) {
		char moves[256];
		const char *from = cb_vsets[CB_VS_referral_status].values[r.status].name;
		rc = cb_err_field(err, CB_EINVAL, "status", "status: a %s referral cannot become %s (%s)", from,
				  cb_vsets[CB_VS_referral_status].values[status].name,
				  cb_move_summary(CB_MACHINE_referral, moves, sizeof moves));
		goto out;
	}
	if ((rc = cb_referral_row_status(s, id, status, err)) == CB_OK)
		rc = cb_ax_refresh(s, r.case_id, err);
out:
	cb_referral_clear(&r);
	return cb_store_tx_end(s, rc, err);
}
