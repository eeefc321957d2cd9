/*
 * filter_rows.c -- rows of saved_filters (filter_rows.h).
 */
#include "store/filter_rows.h"
#include "store/store_impl.h"

int cb_filters_list(struct cb_store *s, const char *user, int (*fn)(const char *name, const char *query, void *ctx),
		    void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "saved filters", 0,
			       "SELECT name, query FROM saved_filters WHERE \"user\" = ?1 ORDER BY name", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, user, -1, false);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW)
		if ((rc = fn((const char *)cb_db_column_text(st, 0), (const char *)cb_db_column_text(st, 1), ctx)))
			break;
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "saved filters");
	cb_db_finalize(&st);
	return rc;
}

int cb_filter_save(struct cb_store *s, const char *user, const char *name, const char *query, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "saved filters", 0,
				"SELECT count(*) FROM saved_filters WHERE \"user\" = ?1 AND name <> ?2", &st, err)) != CB_OK)
		goto out;
	cb_db_bind_text(st, 1, user, -1, false);
	cb_db_bind_text(st, 2, name, -1, false);
	if (cb_db_step(st) == CB_DB_ROW && (int)cb_db_column_int64(st, 0) >= CB_FILTERS_MAX) {
		rc = cb_err_field(err, CB_EINVAL, "name", "name: at most %d saved filters; delete one first", CB_FILTERS_MAX);
		goto out;
	}
	cb_db_finalize(&st);
	st = NULL;
	if ((rc = cb_store_prep(s->db, "saved filters", 0,
				"INSERT INTO saved_filters(\"user\", name, query) VALUES (?1, ?2, ?3)"
				" ON CONFLICT(\"user\", name) DO UPDATE SET query = excluded.query", &st, err)))
		goto out;
	cb_db_bind_text(st, 1, user, -1, false);
	cb_db_bind_text(st, 2, name, -1, false);
	cb_db_bind_text(st, 3, query, -1, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "saved filters");
out:
	cb_db_finalize(&st);
	return cb_store_tx_end(s, rc, err);
}

int cb_filter_delete(struct cb_store *s, const char *user, const char *name, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "saved filters", 0, "DELETE FROM saved_filters WHERE \"user\" = ?1 AND name = ?2", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, user, -1, false);
	cb_db_bind_text(st, 2, name, -1, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "saved filters");
	else if (cb_db_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such saved filter");
	cb_db_finalize(&st);
	return rc;
}
