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

void cb_partner_init(struct cb_partner *p)
{
	memset(p, 0, sizeof *p);
	p->type = p->country = p->beds = CB_NA;
}

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
	if (!by || by->role == CB_ROLE_MANAGER || by->role == CB_ROLE_ADMIN)
		return CB_OK;
	return cb_err_set(err, CB_EPERM, "partner organisations are managed by managers");
}

int cb_services_parse(const char *text, uint64_t *set, struct cb_err *err)
{
	struct cb_case c;
	char buf[1024];
	int rc;
	snprintf(buf, sizeof buf, "%s", text ? text : "");
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = ';';
	cb_case_init(&c);
	rc = cb_case_set_text(&c, &cb_fields[CB_FLD_assistance_type], buf, err);
	*set = rc == CB_OK ? c.assistance_type : 0;
	if (rc != CB_OK && err) /* the codebook names the field; here it is a partner's services */
		snprintf(err->field, sizeof err->field, "services");
	return rc;
}

int cb_served_parse(const char *text, struct cb_partner *p, struct cb_err *err)
{
	char buf[512], vb[64];
	p->nserved = 0;
	snprintf(buf, sizeof buf, "%s", text ? text : "");
	for (char *save = NULL, *tok = strtok_r(buf, ",; ", &save); tok; tok = strtok_r(NULL, ",; ", &save)) {
		int32_t c = cb_country_find(tok);
		if (c == CB_NA)
			return cb_err_field(err, CB_EINVAL, "served", "served: '%s' is not an ISO 3166 country code",
					    cb_err_value(tok, vb));
		if (p->nserved == CB_PARTNER_MAX_SERVED)
			return cb_err_field(err, CB_EINVAL, "served", "served: at most %d countries", CB_PARTNER_MAX_SERVED);
		p->served[p->nserved++] = c;
	}
	return CB_OK;
}

/* The partner's coded columns as text: services "a;b", served "MD;RO". */
static void partner_texts(const struct cb_partner *p, char *services, size_t sn, char *served, size_t vn)
{
	struct cb_case c;
	size_t o = 0;
	cb_case_init(&c);
	c.assistance_type = p->services;
	cb_case_format(&c, &cb_fields[CB_FLD_assistance_type], services, sn);
	served[0] = 0;
	for (int i = 0; i < p->nserved && o + 4 < vn; i++)
		o += (size_t)snprintf(served + o, vn - o, "%s%s", i ? ";" : "", cb_countries[p->served[i]].alpha2);
}

static int write_partner(struct cb_store *s, const struct cb_partner *p, bool add, int64_t *id, struct cb_err *err)
{
	char services[1024], served[CB_PARTNER_MAX_SERVED * 3 + 1];
	sqlite3_stmt *st = NULL;
	int rc;
	partner_texts(p, services, sizeof services, served, sizeof served);
	rc = cb_store_prep(s->db, "prepare", 0,
			   add ? "INSERT INTO partners(name, type, country, city, phone, services, served, beds, site,"
				 " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"
			       : "UPDATE partners SET name = ?1, type = ?2, country = ?3, city = ?4, phone = ?5, services = ?6,"
				 " served = ?7, beds = ?8, site = ?9, updated_at = ?10 WHERE id = ?11",
			   &st, err);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cb_vsets[CB_VS_org_type].values[p->type].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cb_countries[p->country].alpha2, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->city, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, services, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, served, -1, SQLITE_STATIC);
	if (p->beds == CB_NA)
		sqlite3_bind_null(st, 8);
	else
		sqlite3_bind_int(st, 8, p->beds);
	sqlite3_bind_text(st, 9, p->site, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)time(NULL));
	if (!add)
		sqlite3_bind_int64(st, 11, p->id);
	if (cb_store_step_done(st) != SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "partner");
	else if (!add && sqlite3_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no partner organisation %lld", (long long)p->id);
	else if (add)
		*id = sqlite3_last_insert_rowid(s->db);
	sqlite3_finalize(st);
	return rc;
}

int cb_partner_add(struct cb_store *s, struct cb_partner *p, const struct cb_user *by, struct cb_err *err)
{
	int64_t id = 0;
	int rc;
	if ((rc = may_manage(by, err)) != CB_OK || (rc = check_partner(p, err)) != CB_OK ||
	    (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	rc = write_partner(s, p, true, &id, err);
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK)
		p->id = id;
	return rc;
}

int cb_partner_referred(struct cb_store *s, int64_t org, cb_case_id_fn fn, void *ctx, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, r;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"SELECT DISTINCT case_id FROM referrals WHERE org_id = ?1", &st, err)) != CB_OK)
		goto out;
	sqlite3_bind_int64(st, 1, org);
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_bytes(st, 0) == 16)
			rc = fn(sqlite3_column_blob(st, 0), ctx);
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "partner");
out:
	sqlite3_finalize(st);
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
	if ((rc = write_partner(s, p, false, NULL, err)) == CB_OK)
		rc = cb_partner_referred(s, p->id, refresh_one, &c, err);
	return cb_store_tx_end(s, rc, err);
}

#define PARTNER_COLS "id, name, type, country, city, phone, services, served, beds, site"

static int partner_row(sqlite3_stmt *st, struct cb_partner *p, struct cb_err *err)
{
	const char *t;
	cb_partner_init(p);
	p->id = sqlite3_column_int64(st, 0);
	snprintf(p->name, sizeof p->name, "%s", (t = (const char *)sqlite3_column_text(st, 1)) ? t : "");
	p->type = cb_ax_col_value(st, 2, CB_VS_org_type);
	p->country = cb_country_find((t = (const char *)sqlite3_column_text(st, 3)) ? t : "");
	snprintf(p->city, sizeof p->city, "%s", (t = (const char *)sqlite3_column_text(st, 4)) ? t : "");
	snprintf(p->phone, sizeof p->phone, "%s", (t = (const char *)sqlite3_column_text(st, 5)) ? t : "");
	p->beds = sqlite3_column_type(st, 8) == SQLITE_NULL ? CB_NA : sqlite3_column_int(st, 8);
	snprintf(p->site, sizeof p->site, "%s", (t = (const char *)sqlite3_column_text(st, 9)) ? t : "");
	if (p->type < 0 || p->country == CB_NA ||
	    cb_services_parse((const char *)sqlite3_column_text(st, 6), &p->services, NULL) != CB_OK ||
	    cb_served_parse((const char *)sqlite3_column_text(st, 7), p, NULL) != CB_OK)
		return cb_err_set(err, CB_ECORRUPT, "partner %lld: a stored value is not valid", (long long)p->id);
	return CB_OK;
}

int cb_partner_get(struct cb_store *s, int64_t id, struct cb_partner *out, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT " PARTNER_COLS " FROM partners WHERE id = ?1", &st, err);
	cb_partner_init(out);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = partner_row(st, out, err);
	else if (r == SQLITE_DONE)
		rc = cb_err_set(err, CB_ENOTFOUND, "no partner organisation %lld", (long long)id);
	else
		rc = cb_store_db_err(s->db, err, "partner");
	sqlite3_finalize(st);
	return rc;
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
	return by && by->role == CB_ROLE_CASEWORKER ? by->site : NULL;
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

int cb_partner_list(struct cb_store *s, const struct cb_partner_filter *f,
		    int (*fn)(const struct cb_partner *p, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_partner p;
	sqlite3_stmt *st = NULL;
	int rc, r = SQLITE_DONE;
	if (f && f->service != CB_NA && (rc = cb_ax_check_value(CB_VS_assistance_type, f->service, "service", err)))
		return rc;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"SELECT " PARTNER_COLS " FROM partners ORDER BY name, id", &st, err)) != CB_OK)
		return rc;
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = partner_row(st, &p, err)) == CB_OK && partner_matches(&p, f))
			rc = fn(&p, ctx);
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "partners");
	sqlite3_finalize(st);
	return rc;
}

/* ---- shelters */

int cb_shelter_occupancy(struct cb_store *s, int64_t partner_id, int32_t day, int *occupied, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT count(*) FROM assistance WHERE provider_id = ?1 AND type = 'accommodation'"
			       " AND status IN ('planned', 'ongoing') AND coalesce(start_on, planned_on, '0000-00-00') <= ?2"
			       " AND coalesce(end_on, '9999-12-31') >= ?2",
			       &st, err);
	*occupied = 0;
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, partner_id);
	cb_ax_bind_date(st, 2, day == CB_NA ? cb_date_today() : day);
	if (sqlite3_step(st) == SQLITE_ROW)
		*occupied = sqlite3_column_int(st, 0);
	else
		rc = cb_store_db_err(s->db, err, "occupancy");
	sqlite3_finalize(st);
	return rc;
}

/* ---- referrals */

void cb_referral_init(struct cb_referral *r)
{
	memset(r, 0, sizeof *r);
	r->reason = r->status = r->referred_on = r->status_on = CB_NA;
}

void cb_referral_clear(struct cb_referral *r)
{
	cb_text_free(&r->details);
	cb_referral_init(r);
}

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
	if (by && by->role != CB_ROLE_MANAGER)
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
	sqlite3_stmt *st = NULL;
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
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"INSERT INTO referrals(case_id, direction, org_id, reason, status, shares_details,"
				" override_reason, referred_on, status_on, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
				" ?8, ?8, ?9)",
				&st, err)) != CB_OK)
		goto out;
	sqlite3_bind_blob(st, 1, r->case_id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->direction == CB_REFER_OUT ? "out" : "in", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->org_id);
	sqlite3_bind_text(st, 4, cb_vsets[CB_VS_referral_reason].values[r->reason].name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cb_vsets[CB_VS_referral_status].values[r->status].name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, r->shares_details);
	if (overridden)
		sqlite3_bind_text(st, 7, override_reason, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	cb_ax_bind_date(st, 8, r->referred_on);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)time(NULL));
	if (cb_store_step_done(st) != SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "referral");
		goto out;
	}
	r->id = sqlite3_last_insert_rowid(s->db);
	r->status_on = r->referred_on;
	r->consent_overridden = overridden;
	snprintf(r->override_reason, sizeof r->override_reason, "%s", overridden ? override_reason : "");
	/* the override reason is a manager's statement, not a detail of the person (assist.h) */
	snprintf(detail, sizeof detail, "referral=%lld org=%lld reason=%s", (long long)r->id, (long long)r->org_id,
		 overridden ? override_reason : "");
	if ((r->details && (rc = cb_ax_seal_into(s, r->case_id, "referrals", "details", r->id, r->details, err))) ||
	    (overridden && (rc = cb_ax_event(s, by, CB_AUD_REFERRAL_OVERRIDE, r->case_id, detail, err)) != CB_OK) ||
	    (rc = cb_ax_refresh(s, r->case_id, err)) != CB_OK)
		goto out;
out:
	sqlite3_finalize(st);
	cb_case_clear(&c);
	rc = cb_store_tx_end(s, rc, err);
	if (rc != CB_OK)
		r->id = 0;
	return rc;
}

#define REFERRAL_COLS \
	"id, case_id, direction, org_id, reason, details, status, shares_details, override_reason, referred_on, status_on"

static int referral_row(struct cb_store *s, sqlite3_stmt *st, unsigned flags, struct cb_referral *r,
			struct cb_err *err)
{
	const char *dir = (const char *)sqlite3_column_text(st, 2), *ov = (const char *)sqlite3_column_text(st, 8);
	cb_referral_clear(r);
	r->id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_bytes(st, 1) != 16)
		return cb_err_set(err, CB_ECORRUPT, "referral %lld: malformed case id", (long long)r->id);
	memcpy(r->case_id, sqlite3_column_blob(st, 1), 16);
	r->direction = dir && strcmp(dir, "in") == 0 ? CB_REFER_IN : CB_REFER_OUT;
	r->org_id = sqlite3_column_int64(st, 3);
	r->reason = cb_ax_col_value(st, 4, CB_VS_referral_reason);
	r->status = cb_ax_col_value(st, 6, CB_VS_referral_status);
	r->shares_details = sqlite3_column_int(st, 7) != 0;
	r->consent_overridden = ov != NULL;
	snprintf(r->override_reason, sizeof r->override_reason, "%s", ov ? ov : "");
	r->referred_on = cb_ax_col_date(st, 9);
	r->status_on = cb_ax_col_date(st, 10);
	if (r->reason < 0 || r->status < 0 || r->referred_on < 0 || r->status_on < 0)
		return cb_err_set(err, CB_ECORRUPT, "referral %lld: a stored value is not valid", (long long)r->id);
	if (flags & CB_WITH_PII)
		return cb_ax_unseal(s, r->case_id, "referrals", r->id, st, 5, &r->details, err);
	return CB_OK;
}

int cb_referral_get(struct cb_store *s, int64_t id, unsigned flags, struct cb_referral *out, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT " REFERRAL_COLS " FROM referrals WHERE id = ?1", &st, err);
	cb_referral_init(out);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = referral_row(s, st, flags, out, err);
	else if (r == SQLITE_DONE)
		rc = cb_err_set(err, CB_ENOTFOUND, "no referral %lld", (long long)id);
	else
		rc = cb_store_db_err(s->db, err, "referral");
	sqlite3_finalize(st);
	if (rc != CB_OK)
		cb_referral_clear(out);
	return rc;
}

int cb_referral_list(struct cb_store *s, const uint8_t case_id[16], unsigned flags,
		     int (*fn)(const struct cb_referral *r, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_referral r;
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;
	cb_referral_init(&r);
	if ((rc = cb_ax_case_exists(s, case_id, err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, "prepare", 0,
				"SELECT " REFERRAL_COLS " FROM referrals WHERE case_id = ?1 ORDER BY id", &st, err)))
		return rc;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	while (rc == CB_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = referral_row(s, st, flags, &r, err)) == CB_OK)
			rc = fn(&r, ctx);
	if (rc == CB_OK && step != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "referrals");
	cb_referral_clear(&r);
	sqlite3_finalize(st);
	return rc;
}

int cb_referral_set_status(struct cb_store *s, int64_t id, int32_t status, struct cb_err *err)
{
	struct cb_referral r;
	sqlite3_stmt *st = NULL;
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
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"UPDATE referrals SET status = ?1, status_on = ?2 WHERE id = ?3", &st, err)) != CB_OK)
		goto out;
	sqlite3_bind_text(st, 1, cb_vsets[CB_VS_referral_status].values[status].name, -1, SQLITE_STATIC);
	cb_ax_bind_date(st, 2, cb_date_today());
	sqlite3_bind_int64(st, 3, id);
	if (cb_store_step_done(st) != SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "referral");
	else
		rc = cb_ax_refresh(s, r.case_id, err);
out:
	sqlite3_finalize(st);
	cb_referral_clear(&r);
	return cb_store_tx_end(s, rc, err);
}
