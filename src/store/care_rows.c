/*
 * care_rows.c -- what the storage of casework records shares (care_rows.h, store_impl.h): dates and value
 * names in columns, whether a case exists, and the sets its child rows make for the case fields the store
 * keeps; reading the child records of a case, one reader for every kind (cb_rows_get, cb_rows_list).
 */
#include <string.h>

#include "store/care_rows.h"
#include "store/store_impl.h"

void cb_store_bind_date(struct cb_stmt *st, int p, int32_t day)
{
	char d[11];
	if (day == CB_NA) {
		cb_db_bind_null(st, p);
		return;
	}
	cb_date_format(day, d);
	cb_db_bind_text(st, p, d, 10, true);
}

int32_t cb_store_col_date(struct cb_stmt *st, int col)
{
	int32_t d;
	const char *t = (const char *)cb_db_column_text(st, col);
	if (!t)
		return CB_NA;
	return cb_date_parse(t, &d) == CB_OK ? d : -2;
}

int32_t cb_store_col_value(struct cb_stmt *st, int col, enum cb_vset_id vs)
{
	const char *t = (const char *)cb_db_column_text(st, col);
	if (!t)
		return CB_NA;
	int32_t v = cb_value_find(&cb_vsets[vs], t);
	return v == CB_NA ? -2 : v;
}

int cb_store_case_exists(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char idt[CB_ID_TEXT];
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT 1 FROM cases WHERE case_id = ?1", &st, err);
	if (rc == CB_OK) {
		cb_db_bind_blob(st, 1, case_id, 16, false);
		int r = cb_db_step(st);
		if (r == CB_DB_DONE) {
			cb_case_id_format(case_id, idt);
			rc = cb_err_set(err, CB_ENOTFOUND, "no case %s", idt);
		} else if (r != CB_DB_ROW) {
			rc = cb_store_db_err(s->db, err, "case");
		}
	}
	cb_db_finalize(&st);
	return rc;
}

/* The set of value names in column 0 of a query about one case. */
static int collect_set(struct cb_store *s, const char *sql, const uint8_t case_id[16], enum cb_vset_id vs,
		       uint64_t *set, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, sql, &st, err), r;
	*set = 0;
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		int32_t v = cb_store_col_value(st, 0, vs);
		if (v >= 0)
			*set |= UINT64_C(1) << v;
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "sets");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_care_sets(struct cb_store *s, const uint8_t case_id[16], uint64_t *assistance_types,
		       uint64_t *partner_types, struct cb_err *err)
{
	int rc = collect_set(s, "SELECT DISTINCT type FROM assistance WHERE case_id = ?1 AND status != 'cancelled'",
			     case_id, CB_VS_assistance_type, assistance_types, err);
	if (rc == CB_OK)
		rc = collect_set(s,
				 "SELECT DISTINCT p.type FROM referrals r JOIN partners p ON p.id = r.org_id"
				 " WHERE r.case_id = ?1 AND r.direction = 'out' AND r.status != 'rejected'",
				 case_id, CB_VS_org_type, partner_types, err);
	return rc;
}

int cb_rows_get(struct cb_store *s, const struct cb_rows *k, int64_t id, unsigned flags, void *out, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, k->by_id, &st, err);
	k->init(out);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, id);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		rc = k->row(s, st, flags, out, err);
	else if (r == CB_DB_DONE)
		rc = cb_err_set(err, CB_ENOTFOUND, "no %s %lld", k->what, (long long)id);
	else
		rc = cb_store_db_err(s->db, err, k->table);
	cb_db_finalize(&st);
	if (rc != CB_OK)
		k->clear(out);
	return rc;
}

int cb_rows_list(struct cb_store *s, const struct cb_rows *k, const uint8_t case_id[16], unsigned flags, void *rec,
		 int (*fn)(const void *rec, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc, r = CB_DB_DONE;
	k->init(rec);
	if ((rc = cb_store_case_exists(s, case_id, err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, "prepare", 0, k->by_case, &st, err)) != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW)
		if ((rc = k->row(s, st, flags, rec, err)) == CB_OK)
			rc = fn(rec, ctx);
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, k->table);
	k->clear(rec);
	cb_db_finalize(&st);
	return rc;
}
