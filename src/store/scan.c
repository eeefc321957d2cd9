/*
 * scan.c -- the bulk scan of the cases table for readers such as the statistics index (scan.h).
 *
 * SQLite: one SELECT over a range of seq (the cases table's INTEGER PRIMARY KEY) hands each row's columns to
 * an SQL function of ours (row_fn), which passes them on as cells: no result rows are stepped out and no
 * column is asked for one API call at a time, which is what makes the index build quicker than SQLite merely
 * selecting the same columns.  The extra readers of a snapshot are read-only connections of their own (a
 * connection serves one thread); each reads min/max(seq) right after its BEGIN, the first also count(*),
 * and they must agree, else the readers are made again once and then the snapshot has one reader.  Whether
 * every row was read (a case erased between two BEGINs would be missing) the caller checks against count.
 *
 * PostgreSQL: one reader, the store's connection, stepping a plain SELECT through the seam (db.h); outside a
 * transaction of the caller's it reads in one of its own (REPEATABLE READ), so that it too sees one commit
 * from its bounds to its last scan.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/scan.h"
#include "store/schema.h"
#include "store/store_impl.h"

#define SCAN_MAX_READERS 8
#define SCAN_BUSY_MS 5000

/* The scan's SQL function, and the type of the pointer it takes. */
#define ROW_FN "cb_store_scan_row"

struct cb_store_snapshot {
	struct cb_store *s;
	bool lite;                     /* SQLite: db[] below; otherwise the store's connection through the seam */
	int n;
	sqlite3 *db[SCAN_MAX_READERS]; /* db[0] is the store's own connection */
	bool began;                    /* db[0] (PostgreSQL: the store's connection) is in a transaction of ours */
};

/* One scan's state, which row_fn reaches through its pointer argument. */
struct scan_call {
	cb_scan_fn fn;
	void *ctx;
	int ncells;
	int rc;
	int64_t rows;
};

/* The bounds of seq (and the number of cases): each aggregate in a subquery of its own, which SQLite answers
 * from the edge of the b-tree (min and max side by side in one SELECT scan the whole table). */
#define SQL_SEQ_BOUNDS "SELECT coalesce((SELECT min(seq) FROM cases), 1), coalesce((SELECT max(seq) FROM cases), 0)"
#define SQL_SEQ_BOUNDS_COUNT SQL_SEQ_BOUNDS ", (SELECT count(*) FROM cases WHERE seq NOT IN (SELECT seq FROM link_secondary))"

/* Runs one query returning integers into v[0..nv-1]. */
static int query_ints(sqlite3 *db, const char *sql, int64_t *v, int nv)
{
	sqlite3_stmt *st = NULL;
	int rc = CB_EDB;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	for (int i = 0; i < nv; i++)
		v[i] = sqlite3_column_int64(st, i);
	rc = CB_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

static int lite_err(sqlite3 *h, struct cb_err *err, const char *what)
{
	int full = (sqlite3_extended_errcode(h) & 0xff) == SQLITE_FULL;
	return cb_err_set(err, full ? CB_EFULL : CB_EDB, "database: %s: %s", what, sqlite3_errmsg(h));
}

/* The seam's bounds of seq (PostgreSQL). */
static int seam_bounds(struct cb_db *db, int64_t b[2], struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_db_prepare(db, "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0) FROM cases", &st, err);
	if (rc == CB_OK) {
		if (cb_db_step(st) == CB_DB_ROW) {
			b[0] = cb_db_column_int64(st, 0);
			b[1] = cb_db_column_int64(st, 1);
		} else {
			rc = cb_db_err(db, err, "cases");
		}
	}
	cb_db_finalize(&st);
	return rc;
}

/* A scan stepped through the seam, each row's columns made into cells. */
static int seam_scan(struct cb_db *db, const char *sql, int64_t lo, int64_t hi, struct scan_call *sc,
		     struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	struct cb_scan_cell cells[CB_NFIELDS + 2];
	int rc = cb_db_prepare(db, sql, &st, err), r = CB_DB_DONE;
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, lo);
	cb_db_bind_int64(st, 2, hi);
	while (!sc->rc && (r = cb_db_step(st)) == CB_DB_ROW) {
		for (int k = 0; k < sc->ncells; k++) {
			struct cb_scan_cell *c = &cells[k];
			switch (cb_db_column_type(st, k)) {
			case CB_DB_NULL: c->type = CB_SCAN_NULL; break;
			case CB_DB_INT: c->type = CB_SCAN_INT; c->i = cb_db_column_int64(st, k); break;
			case CB_DB_BLOB:
				c->type = CB_SCAN_BLOB;
				c->p = cb_db_column_blob(st, k);
				c->n = cb_db_column_bytes(st, k);
				break;
			default:
				c->type = CB_SCAN_TEXT;
				c->p = cb_db_column_text(st, k);
				c->n = c->p ? strlen(c->p) : 0;
			}
		}
		sc->rows++;
		sc->rc = sc->fn(sc->ctx, cells);
	}
	if (sc->rc)
		rc = sc->rc;
	else if (r != CB_DB_DONE)
		rc = cb_db_err(db, err, "scan");
	cb_db_finalize(&st);
	return rc;
}

/* Ends the read transactions and closes the extra readers; keeps db[0]. */
static void readers_close(struct cb_store_snapshot *sn)
{
	for (int t = 1; t < sn->n; t++)
		sqlite3_close(sn->db[t]);
	if (sn->began && !sqlite3_get_autocommit(sn->db[0]))
		sqlite3_exec(sn->db[0], "ROLLBACK", NULL, NULL, NULL);
	sn->began = false;
	sn->n = 1;
}

/* Opens readers 1..want-1 beside the store's connection, each in a transaction; false if they disagree or
 * one cannot be had. */
static bool readers_open(struct cb_store_snapshot *sn, int want, const char *path, struct cb_store_span *span)
{
	int64_t b[3];
	if (sqlite3_exec(sn->db[0], "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return false;
	sn->began = true;
	if (query_ints(sn->db[0], SQL_SEQ_BOUNDS_COUNT, b, 3))
		return false;
	*span = (struct cb_store_span){b[0], b[1], b[2], want};
	for (int t = 1; t < want; t++) {
		if (sqlite3_open_v2(path, &sn->db[t], SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			sqlite3_close(sn->db[t]);
			return false;
		}
		sn->n = t + 1;
		sqlite3_busy_timeout(sn->db[t], SCAN_BUSY_MS);
		/* pages read in place rather than copied into a cold cache (SQLite caps the size) */
		sqlite3_exec(sn->db[t], "PRAGMA mmap_size=2147418112", NULL, NULL, NULL);
		if (sqlite3_exec(sn->db[t], "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
		    query_ints(sn->db[t], SQL_SEQ_BOUNDS, b, 2) || b[0] != span->lo || b[1] != span->hi)
			return false;
	}
	return true;
}

int cb_store_snapshot_open(struct cb_store *s, int want, struct cb_store_snapshot **out, struct cb_store_span *span,
			   struct cb_err *err)
{
	struct cb_store_snapshot *sn = calloc(1, sizeof *sn);
	struct sqlite3 *h = cb_db_sqlite(s->db);
	int64_t b[2] = {1, 0};
	*out = NULL;
	if (!sn)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	sn->s = s;
	sn->n = 1;
	if (!h) {
		int rc = CB_OK;
		if (!cb_db_in_tx(s->db)) {
			if ((rc = cb_db_exec(s->db, "BEGIN ISOLATION LEVEL REPEATABLE READ")) != CB_OK)
				rc = cb_db_err(s->db, err, "cases");
			sn->began = rc == CB_OK;
		}
		if (rc == CB_OK)
			rc = seam_bounds(s->db, b, err);
		if (rc != CB_OK) {
			if (sn->began)
				cb_db_rollback(s->db);
			free(sn);
			return rc;
		}
		*span = (struct cb_store_span){b[0], b[1], -1, 1};
		*out = sn;
		return CB_OK;
	}
	const char *path = sqlite3_db_filename(h, "main");
	sn->lite = true;
	sn->db[0] = h;
	if (want > SCAN_MAX_READERS)
		want = SCAN_MAX_READERS;
	if (want > 1 && sqlite3_get_autocommit(h) && path && *path)
		for (int attempt = 0; attempt < 2; attempt++) {
			if (readers_open(sn, want, path, span))
				goto done;
			readers_close(sn);
		}
	/* one reader: the store's connection as it is (inside the caller's transaction, if any) */
	if (query_ints(h, SQL_SEQ_BOUNDS, b, 2)) {
		int rc = lite_err(h, err, "cases");
		free(sn);
		return rc;
	}
	*span = (struct cb_store_span){b[0], b[1], -1, 1};
done:
	*out = sn;
	return CB_OK;
}

void cb_store_snapshot_free(struct cb_store_snapshot **sn)
{
	if (!sn || !*sn)
		return;
	if ((*sn)->lite)
		readers_close(*sn);
	else if ((*sn)->began && cb_db_in_tx((*sn)->s->db))
		cb_db_rollback((*sn)->s->db); /* it only read */
	free(*sn);
	*sn = NULL;
}

/* Called by the SELECT once per row with the row's columns: SQLite hands them over in one array, where
 * stepping out a result row and asking for its columns one call each costs more than reading them here.
 * Its first argument is the scan's state, bound as a pointer; it answers 0, so the SELECT returns no rows. */
static void row_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct scan_call *sc = argc > 0 ? sqlite3_value_pointer(argv[0], ROW_FN) : NULL;
	struct cb_scan_cell cells[CB_NFIELDS + 2];
	if (!sc || argc != 1 + sc->ncells || sc->ncells > (int)CB_COUNTOF(cells)) {
		sqlite3_result_error(ctx, ROW_FN ": not called by a scan", -1);
		return;
	}
	for (int k = 0; k < sc->ncells; k++) {
		sqlite3_value *v = argv[1 + k];
		struct cb_scan_cell *c = &cells[k];
		switch (sqlite3_value_type(v)) {
		case SQLITE_INTEGER: c->type = CB_SCAN_INT; c->i = sqlite3_value_int64(v); break;
		case SQLITE_NULL: c->type = CB_SCAN_NULL; break;
		case SQLITE_BLOB:
			c->type = CB_SCAN_BLOB;
			c->p = sqlite3_value_blob(v);
			c->n = (size_t)sqlite3_value_bytes(v);
			break;
		default: /* text, and a real read as its text */
			c->type = CB_SCAN_TEXT;
			c->p = (const char *)sqlite3_value_text(v);
			c->n = (size_t)sqlite3_value_bytes(v);
			if (!c->p)
				c->type = CB_SCAN_NULL;
		}
	}
	sc->rows++;
	if ((sc->rc = sc->fn(sc->ctx, cells)) != 0) {
		sqlite3_result_error(ctx, ROW_FN ": stopped", -1);
		return;
	}
	sqlite3_result_int(ctx, 0);
}

/* The scan's statement on db, registering row_fn there first if it is not yet (registering a function anew
 * would expire the connection's statements, so it is done once per connection). */
static int scan_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
		return CB_OK;
	if (sqlite3_create_function_v2(db, ROW_FN, -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, row_fn, NULL, NULL,
				       NULL) != SQLITE_OK)
		return CB_EDB;
	return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK ? CB_OK : CB_EDB;
}

int cb_store_snapshot_scan(struct cb_store_snapshot *sn, int r, const struct cb_field *const *fields, int nfields,
			   int64_t lo, int64_t hi, cb_scan_fn fn, void *ctx, int64_t *rows, struct cb_err *err)
{
	struct scan_call sc = {.fn = fn, .ctx = ctx, .ncells = 2 + nfields};
	struct cb_buf sql = {0};
	sqlite3_stmt *st = NULL;
	int rc = CB_OK;
	if (rows)
		*rows = 0;
	if (r < 0 || r >= sn->n || nfields < 0 || nfields > CB_NFIELDS)
		return cb_err_set(err, CB_EINVAL, "scan: no reader %d, or %d fields", r, nfields);
	/* column names come from the codebook, never from outside input */
	/* a linked person's second record is left out: the privacy unit of statistics, the only reader, is the
	 * person (store/tokens.h).  CASE keeps ROW_FN from seeing it, so rows read and count(*) agree. */
	if (!sn->lite)
		cb_buf_printf(&sql, "SELECT case_id, record_key");
	else
		cb_buf_printf(&sql, "SELECT 1 FROM cases WHERE seq BETWEEN ?1 AND ?2 AND CASE WHEN seq IN"
				    " (SELECT seq FROM link_secondary) THEN 0 ELSE " ROW_FN "(?3, case_id, record_key");
	for (int k = 0; k < nfields; k++) {
		if (!cb_schema_is_column(fields[k])) {
			rc = cb_err_set(err, CB_EINVAL, "scan: %s has no column", fields[k]->name);
			goto out;
		}
		cb_buf_printf(&sql, ", \"%s\"", fields[k]->name);
	}
	if (cb_buf_printf(&sql, sn->lite ? ") END"
					 : " FROM cases WHERE seq BETWEEN ?1 AND ?2"
					   " AND seq NOT IN (SELECT seq FROM link_secondary) ORDER BY seq") != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	if (!sn->lite) {
		rc = seam_scan(sn->s->db, sql.data, lo, hi, &sc, err);
		goto out;
	}
	if (scan_prepare(sn->db[r], sql.data, &st) != CB_OK) {
		rc = lite_err(sn->db[r], err, "scan");
		goto out;
	}
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_pointer(st, 3, &sc, ROW_FN, NULL);
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) /* none: the function answers 0 */
		;
	if (sc.rc)
		rc = sc.rc; /* the reader's own stop, with its own message */
	else if (src != SQLITE_DONE)
		rc = lite_err(sn->db[r], err, "scan");
out:
	if (rows)
		*rows = sc.rows;
	sqlite3_finalize(st);
	cb_buf_free(&sql);
	return rc;
}
