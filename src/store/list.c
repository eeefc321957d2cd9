/*
 * list.c -- one page of the case table's coded summary columns (id, office, registration, status, version,
 * gender, age, stage, assigned caseworker), newest first or sorted by one of them, with the total that
 * matched: what a case list shows without opening any case.
 *
 * It lives in the store so that no layer above it (the HTTP case list first) needs SQL of its own: the
 * storage backend can change without them.  Nothing here is sealed, so no key is touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store_impl.h"

/* Both statements share the filter: ?1 site, ?2 status, ?3..?4 case id range, ?7 the assigned account; an
 * unbound one matches all. */
#define LIST_WHERE                                                                                           \
	" FROM cases LEFT JOIN assignments a ON a.case_id = cases.case_id"                                   \
	" WHERE (site = ?1 OR ?1 IS NULL) AND (status = ?2 OR ?2 IS NULL)"                                   \
	" AND (cases.case_id BETWEEN ?3 AND ?4 OR ?3 IS NULL) AND (a.\"user\" = ?7 OR ?7 IS NULL)"

/* The orders a list may be sorted in (cb_store_list_filter.sort): column names from this table only. */
static const struct {
	const char *name, *sql;
} orders[] = {
	{"registered", "seq"}, {"site", "site"}, {"status", "status"}, {"stage", "case_stage"},
	{"age", "age_at_registration"}, {"gender", "gender"}, {"assigned", "a.\"user\""},
};

int cb_store_list_order(const char *name)
{
	for (int i = 0; name && i < (int)CB_COUNTOF(orders); i++)
		if (!strcmp(name, orders[i].name))
			return i;
	return -1;
}

static void bind_filter(struct cb_stmt *st, const struct cb_store_list_filter *f)
{
	if (!f)
		return;
	if (f->site)
		cb_db_bind_text(st, 1, f->site, -1, false);
	if (f->status)
		cb_db_bind_text(st, 2, f->status, -1, false);
	if (f->id_lo && f->id_hi) {
		cb_db_bind_blob(st, 3, f->id_lo, 16, false);
		cb_db_bind_blob(st, 4, f->id_hi, 16, false);
	}
	if (f->assigned_to)
		cb_db_bind_text(st, 7, f->assigned_to, -1, false);
}

int cb_store_list(struct cb_store *s, const struct cb_store_list_filter *f, long offset, long limit,
		  cb_list_fn fn, void *ctx, long *total, struct cb_err *err)
{
	struct cb_stmt *cnt = NULL, *sel = NULL;
	int rc = CB_OK, step;
	if (offset < 0 || limit < 0) {
		rc = cb_err_set(err, CB_EINVAL, "case list: offset and limit must not be negative");
		goto out;
	}
	int order = f && f->sort > 0 && f->sort < (int)CB_COUNTOF(orders) ? f->sort : 0;
	char sql[768];
	/* newest first by default; a sorted column, then newest first among equals (NULLs last either way) */
	snprintf(sql, sizeof sql,
		 "SELECT cases.case_id, site, registered_on, \"year\", status, version, gender, age_at_registration,"
		 " case_stage, a.\"user\"" LIST_WHERE " ORDER BY %s%s%s %s, seq DESC LIMIT ?5 OFFSET ?6",
		 order ? orders[order].sql : "", order ? " IS NULL, " : "", orders[order].sql,
		 (f && f->descending) || !order ? "DESC" : "ASC");
	if (cb_db_prepare(s->db, "SELECT count(*)" LIST_WHERE, &cnt, NULL) != CB_OK ||
	    cb_db_prepare(s->db, sql, &sel, NULL) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "case list");
		goto out;
	}
	bind_filter(cnt, f);
	bind_filter(sel, f);
	cb_db_bind_int64(sel, 5, limit);
	cb_db_bind_int64(sel, 6, offset);
	if (cb_db_step(cnt) != CB_DB_ROW) {
		rc = cb_store_db_err(s->db, err, "case list");
		goto out;
	}
	if (total)
		*total = (long)cb_db_column_int64(cnt, 0);
	while ((step = cb_db_step(sel)) == CB_DB_ROW) {
		struct cb_store_list_row row = {0};
		if (cb_db_column_bytes(sel, 0) != 16)
			continue; /* not a case id: check reports it; a list skips it */
		row.id = cb_db_column_blob(sel, 0);
		row.site = (const char *)cb_db_column_text(sel, 1);
		row.registered_on = (const char *)cb_db_column_text(sel, 2);
		row.year = cb_db_column_type(sel, 3) == CB_DB_NULL ? CB_NA : (int)cb_db_column_int64(sel, 3);
		row.status = (const char *)cb_db_column_text(sel, 4);
		row.version = cb_db_column_int64(sel, 5);
		row.gender = (const char *)cb_db_column_text(sel, 6);
		row.age = cb_db_column_type(sel, 7) == CB_DB_NULL ? CB_NA : (int)cb_db_column_int64(sel, 7);
		row.stage = (const char *)cb_db_column_text(sel, 8);
		row.assigned_to = (const char *)cb_db_column_text(sel, 9);
		if ((rc = fn(&row, ctx)) != 0)
			goto out;
	}
	if (step != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "case list");
out:
	cb_db_finalize(&cnt);
	cb_db_finalize(&sel);
	return rc;
}
