/*
 * home.c -- the queries of a person's home page (store/home.h).  Apart from care/workflow.c's dashboard, which
 * counts; this lists the items to act on.
 */
#include <stdio.h>
#include <string.h>

#include "store/home.h"
#include "store/store_impl.h"

static int run(struct cb_store *s, const char *sql, const char *site, int32_t until, int limit,
	       int (*fn)(const struct cb_home_item *it, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, sql, &st, err);
	if (rc != CB_OK)
		return rc;
	if (site)
		cb_db_bind_text(st, 1, site, -1, false);
	cb_store_bind_date(st, 2, until);
	cb_db_bind_int64(st, 3, limit);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct cb_home_item it = {.id = cb_db_column_int64(st, 0)};
		if (cb_db_column_bytes(st, 1) != 16)
			continue;
		memcpy(it.case_id, cb_db_column_blob(st, 1), 16);
		snprintf(it.site, sizeof it.site, "%s", cb_db_column_text(st, 2));
		it.day = cb_store_col_date(st, 3);
		it.stage = cb_store_col_value(st, 4, CB_VS_case_stage);
		if (cb_db_column_type(st, 5) == CB_DB_TEXT)
			snprintf(it.org, sizeof it.org, "%s", cb_db_column_text(st, 5));
		if ((rc = fn(&it, ctx)) != CB_OK)
			goto out;
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "home");
out:
	cb_db_finalize(&st);
	return rc;
}

int cb_home_followups(struct cb_store *s, const char *site, int32_t until, int limit,
		      int (*fn)(const struct cb_home_item *it, void *ctx), void *ctx, struct cb_err *err)
{
	return run(s,
		   "SELECT f.id, f.case_id, c.site, f.due_on, c.case_stage, NULL FROM followups f"
		   " JOIN cases c ON c.case_id = f.case_id"
		   " WHERE f.done_on IS NULL AND f.due_on <= ?2 AND coalesce(c.case_stage, '') <> 'closed'"
		   " AND (?1 IS NULL OR c.site = ?1) ORDER BY f.due_on, f.id LIMIT ?3",
		   site, until, limit, fn, ctx, err);
}

int cb_home_referrals(struct cb_store *s, const char *site, int limit,
		      int (*fn)(const struct cb_home_item *it, void *ctx), void *ctx, struct cb_err *err)
{
	return run(s,
		   "SELECT r.id, r.case_id, c.site, r.referred_on, c.case_stage, p.name FROM referrals r"
		   " JOIN cases c ON c.case_id = r.case_id JOIN partners p ON p.id = r.org_id"
		   " WHERE r.direction = 'out' AND r.status = 'pending' AND (?1 IS NULL OR c.site = ?1)"
		   " AND ?2 IS NULL ORDER BY r.referred_on, r.id LIMIT ?3",
		   site, CB_NA, limit, fn, ctx, err);
}
