/*
 * partner_rows.c -- the rows of tables partners and referrals (care_rows.h): the directory's entries with their
 * coded columns (services "a;b", served "MD;RO"), and referrals with their sealed details.  Who may write or see
 * them, and the consent rule, are care/partners.c's.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/care_rows.h"
#include "store/store_impl.h"

/* ---- partners */

void cb_partner_init(struct cb_partner *p)
{
	memset(p, 0, sizeof *p);
	p->type = p->country = p->beds = CB_NA;
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

int cb_partner_row_write(struct cb_store *s, const struct cb_partner *p, bool add, int64_t *id, struct cb_err *err)
{
	char services[1024], served[CB_PARTNER_MAX_SERVED * 3 + 1];
	struct cb_stmt *st = NULL;
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
	cb_db_bind_text(st, 1, p->name, -1, false);
	cb_db_bind_text(st, 2, cb_vsets[CB_VS_org_type].values[p->type].name, -1, false);
	cb_db_bind_text(st, 3, cb_countries[p->country].alpha2, -1, false);
	cb_db_bind_text(st, 4, p->city, -1, false);
	cb_db_bind_text(st, 5, p->phone, -1, false);
	cb_db_bind_text(st, 6, services, -1, false);
	cb_db_bind_text(st, 7, served, -1, false);
	if (p->beds == CB_NA)
		cb_db_bind_null(st, 8);
	else
		cb_db_bind_int64(st, 8, p->beds);
	cb_db_bind_text(st, 9, p->site, -1, false);
	cb_db_bind_int64(st, 10, (int64_t)time(NULL));
	if (!add)
		cb_db_bind_int64(st, 11, p->id);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "partner");
	else if (!add && cb_db_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no partner organisation %lld", (long long)p->id);
	else if (add)
		*id = cb_db_last_insert_id(s->db);
	cb_db_finalize(&st);
	return rc;
}

int cb_partner_referred(struct cb_store *s, int64_t org, cb_case_id_fn fn, void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc, r;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"SELECT DISTINCT case_id FROM referrals WHERE org_id = ?1", &st, err)) != CB_OK)
		goto out;
	cb_db_bind_int64(st, 1, org);
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW)
		if (cb_db_column_bytes(st, 0) == 16)
			rc = fn(cb_db_column_blob(st, 0), ctx);
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "partner");
out:
	cb_db_finalize(&st);
	return rc;
}

#define PARTNER_COLS "id, name, type, country, city, phone, services, served, beds, site"

static int partner_row(struct cb_stmt *st, struct cb_partner *p, struct cb_err *err)
{
	const char *t;
	cb_partner_init(p);
	p->id = cb_db_column_int64(st, 0);
	snprintf(p->name, sizeof p->name, "%s", (t = (const char *)cb_db_column_text(st, 1)) ? t : "");
	p->type = cb_store_col_value(st, 2, CB_VS_org_type);
	p->country = cb_country_find((t = (const char *)cb_db_column_text(st, 3)) ? t : "");
	snprintf(p->city, sizeof p->city, "%s", (t = (const char *)cb_db_column_text(st, 4)) ? t : "");
	snprintf(p->phone, sizeof p->phone, "%s", (t = (const char *)cb_db_column_text(st, 5)) ? t : "");
	p->beds = cb_db_column_type(st, 8) == CB_DB_NULL ? CB_NA : (int)cb_db_column_int64(st, 8);
	snprintf(p->site, sizeof p->site, "%s", (t = (const char *)cb_db_column_text(st, 9)) ? t : "");
	if (p->type < 0 || p->country == CB_NA ||
	    cb_services_parse((const char *)cb_db_column_text(st, 6), &p->services, NULL) != CB_OK ||
	    cb_served_parse((const char *)cb_db_column_text(st, 7), p, NULL) != CB_OK)
		return cb_err_set(err, CB_ECORRUPT, "partner %lld: a stored value is not valid", (long long)p->id);
	return CB_OK;
}

int cb_partner_get(struct cb_store *s, int64_t id, struct cb_partner *out, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT " PARTNER_COLS " FROM partners WHERE id = ?1", &st, err);
	cb_partner_init(out);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, id);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		rc = partner_row(st, out, err);
	else if (r == CB_DB_DONE)
		rc = cb_err_set(err, CB_ENOTFOUND, "no partner organisation %lld", (long long)id);
	else
		rc = cb_store_db_err(s->db, err, "partner");
	cb_db_finalize(&st);
	return rc;
}

int cb_partner_rows(struct cb_store *s, int (*fn)(const struct cb_partner *p, void *ctx), void *ctx,
		    struct cb_err *err)
{
	struct cb_partner p;
	struct cb_stmt *st = NULL;
	int rc, r = CB_DB_DONE;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"SELECT " PARTNER_COLS " FROM partners ORDER BY name, id", &st, err)) != CB_OK)
		return rc;
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW)
		if ((rc = partner_row(st, &p, err)) == CB_OK)
			rc = fn(&p, ctx);
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "partners");
	cb_db_finalize(&st);
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

int cb_referral_row_add(struct cb_store *s, struct cb_referral *r, const char *override_reason, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "INSERT INTO referrals(case_id, direction, org_id, reason, status, shares_details,"
			       " override_reason, referred_on, status_on, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
			       " ?8, ?8, ?9)",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, r->case_id, 16, false);
	cb_db_bind_text(st, 2, r->direction == CB_REFER_OUT ? "out" : "in", -1, false);
	cb_db_bind_int64(st, 3, r->org_id);
	cb_db_bind_text(st, 4, cb_vsets[CB_VS_referral_reason].values[r->reason].name, -1, false);
	cb_db_bind_text(st, 5, cb_vsets[CB_VS_referral_status].values[r->status].name, -1, false);
	cb_db_bind_int64(st, 6, r->shares_details);
	if (override_reason)
		cb_db_bind_text(st, 7, override_reason, -1, false);
	else
		cb_db_bind_null(st, 7);
	cb_store_bind_date(st, 8, r->referred_on);
	cb_db_bind_int64(st, 9, (int64_t)time(NULL));
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "referral");
	else
		r->id = cb_db_last_insert_id(s->db);
	cb_db_finalize(&st);
	if (rc == CB_OK && r->details)
		rc = cb_store_seal_column(s, r->case_id, "referrals", "details", r->id, r->details, err);
	return rc;
}

int cb_referral_row_status(struct cb_store *s, int64_t id, int32_t status, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "UPDATE referrals SET status = ?1, status_on = ?2 WHERE id = ?3", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, cb_vsets[CB_VS_referral_status].values[status].name, -1, false);
	cb_store_bind_date(st, 2, cb_date_today());
	cb_db_bind_int64(st, 3, id);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "referral");
	cb_db_finalize(&st);
	return rc;
}

#define REFERRAL_COLS \
	"id, case_id, direction, org_id, reason, details, status, shares_details, override_reason, referred_on, status_on"

static int referral_row(struct cb_store *s, struct cb_stmt *st, unsigned flags, void *rec, struct cb_err *err)
{
	struct cb_referral *r = rec;
	const char *dir = (const char *)cb_db_column_text(st, 2), *ov = (const char *)cb_db_column_text(st, 8);
	cb_referral_clear(r);
	r->id = cb_db_column_int64(st, 0);
	if (cb_db_column_bytes(st, 1) != 16)
		return cb_err_set(err, CB_ECORRUPT, "referral %lld: malformed case id", (long long)r->id);
	memcpy(r->case_id, cb_db_column_blob(st, 1), 16);
	r->direction = dir && strcmp(dir, "in") == 0 ? CB_REFER_IN : CB_REFER_OUT;
	r->org_id = cb_db_column_int64(st, 3);
	r->reason = cb_store_col_value(st, 4, CB_VS_referral_reason);
	r->status = cb_store_col_value(st, 6, CB_VS_referral_status);
	r->shares_details = (int)cb_db_column_int64(st, 7) != 0;
	r->consent_overridden = ov != NULL;
	snprintf(r->override_reason, sizeof r->override_reason, "%s", ov ? ov : "");
	r->referred_on = cb_store_col_date(st, 9);
	r->status_on = cb_store_col_date(st, 10);
	if (r->reason < 0 || r->status < 0 || r->referred_on < 0 || r->status_on < 0)
		return cb_err_set(err, CB_ECORRUPT, "referral %lld: a stored value is not valid", (long long)r->id);
	if (flags & CB_WITH_PII)
		return cb_store_unseal_column(s, r->case_id, "referrals", r->id, st, 5, &r->details, err);
	return CB_OK;
}

static void referral_init_any(void *rec) { cb_referral_init(rec); }
static void referral_clear_any(void *rec) { cb_referral_clear(rec); }

static const struct cb_rows referrals = {
	"referral", "referrals", "SELECT " REFERRAL_COLS " FROM referrals WHERE id = ?1",
	"SELECT " REFERRAL_COLS " FROM referrals WHERE case_id = ?1 ORDER BY id", referral_row,
	referral_init_any, referral_clear_any,
};

int cb_referral_get(struct cb_store *s, int64_t id, unsigned flags, struct cb_referral *out, struct cb_err *err)
{
	return cb_rows_get(s, &referrals, id, flags, out, err);
}

struct referral_fn {
	int (*fn)(const struct cb_referral *r, void *ctx);
	void *ctx;
};

static int referral_call(const void *rec, void *ctx)
{
	const struct referral_fn *f = ctx;
	return f->fn(rec, f->ctx);
}

int cb_referral_list(struct cb_store *s, const uint8_t case_id[16], unsigned flags,
		int (*fn)(const struct cb_referral *r, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_referral rec;
	struct referral_fn f = {fn, ctx};
	return cb_rows_list(s, &referrals, case_id, flags, &rec, referral_call, &f, err);
}

