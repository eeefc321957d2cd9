/*
 * filter_rows.c -- rows of saved_filters (filter_rows.h).
 */
#include "store/filter_rows.h"
#include "store/store_impl.h"

int cb_filters_list(struct cb_store *s, const char *user, int (*fn)(const char *name, const char *query, void *ctx),
		    void *ctx, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "saved filters", 0,
			       "SELECT name, query FROM saved_filters WHERE user = ?1 ORDER BY name", &st, err);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1), ctx)))
			break;
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "saved filters");
	sqlite3_finalize(st);
	return rc;
}

int cb_filter_save(struct cb_store *s, const char *user, const char *name, const char *query, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "saved filters", 0,
				"SELECT count(*) FROM saved_filters WHERE user = ?1 AND name <> ?2", &st, err)) != CB_OK)
		goto out;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) >= CB_FILTERS_MAX) {
		rc = cb_err_field(err, CB_EINVAL, "name", "name: at most %d saved filters; delete one first", CB_FILTERS_MAX);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = cb_store_prep(s->db, "saved filters", 0,
				"INSERT OR REPLACE INTO saved_filters(user, name, query) VALUES (?1, ?2, ?3)", &st, err)))
		goto out;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, query, -1, SQLITE_STATIC);
	if (cb_store_step_done(st) != SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "saved filters");
out:
	sqlite3_finalize(st);
	return cb_store_tx_end(s, rc, err);
}

int cb_filter_delete(struct cb_store *s, const char *user, const char *name, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "saved filters", 0, "DELETE FROM saved_filters WHERE user = ?1 AND name = ?2", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (cb_store_step_done(st) != SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "saved filters");
	else if (sqlite3_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such saved filter");
	sqlite3_finalize(st);
	return rc;
}
