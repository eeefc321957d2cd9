/*
 * db_sqlite.c -- the seam (db.h) over SQLite: thin, since the seam is shaped like SQLite's own API.
 * Numbered placeholders (?N) and SQLite's SQL pass through unchanged.
 */
#include <stdlib.h>

#include <sqlite3.h>

#include "store/db_impl.h"

struct lite_db {
	struct cb_db base;
	sqlite3 *h;
};

struct lite_stmt {
	struct cb_stmt base;
	sqlite3_stmt *st;
};

#define H(db) (((struct lite_db *)(db))->h)
#define ST(s) (((struct lite_stmt *)(s))->st)

/* The connection's last error as the seam's code and message. */
static int lite_fail(struct cb_db *db, int src)
{
	int code;
	switch (src & 0xff) {
	case SQLITE_FULL: code = CB_EFULL; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: code = CB_ECONFLICT; break;
	case SQLITE_NOMEM: code = CB_ENOMEM; break;
	case SQLITE_CONSTRAINT:
		code = src == SQLITE_CONSTRAINT_UNIQUE || src == SQLITE_CONSTRAINT_PRIMARYKEY ? CB_EEXIST : CB_EDB;
		break;
	default: code = CB_EDB;
	}
	return cb_db_fail(db, code, "%s", sqlite3_errmsg(H(db)));
}

static int lite_prepare(struct cb_db *db, const char *sql, struct cb_stmt **out)
{
	struct lite_stmt *s = calloc(1, sizeof *s);
	if (!s)
		return cb_db_fail(db, CB_ENOMEM, "out of memory");
	s->base.db = db;
	int r = sqlite3_prepare_v3(H(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
	if (r != SQLITE_OK) {
		free(s);
		return lite_fail(db, sqlite3_extended_errcode(H(db)));
	}
	*out = &s->base;
	return CB_OK;
}

static void lite_finalize(struct cb_stmt *st)
{
	sqlite3_finalize(ST(st));
	free(st);
}

static int bound(struct cb_stmt *st, int r)
{
	if (r == SQLITE_OK)
		return CB_OK;
	return cb_db_fail(st->db, r == SQLITE_NOMEM ? CB_ENOMEM : CB_EINVAL, "%s", sqlite3_errstr(r));
}

static int lite_bind_int64(struct cb_stmt *st, int i, int64_t v) { return bound(st, sqlite3_bind_int64(ST(st), i, v)); }
static int lite_bind_double(struct cb_stmt *st, int i, double v) { return bound(st, sqlite3_bind_double(ST(st), i, v)); }
static int lite_bind_null(struct cb_stmt *st, int i) { return bound(st, sqlite3_bind_null(ST(st), i)); }
static int lite_clear_bindings(struct cb_stmt *st) { return bound(st, sqlite3_clear_bindings(ST(st))); }

static int lite_bind_text(struct cb_stmt *st, int i, const char *s, size_t n, bool copy)
{
	return bound(st, sqlite3_bind_text64(ST(st), i, s, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC, SQLITE_UTF8));
}

static int lite_bind_blob(struct cb_stmt *st, int i, const void *p, size_t n, bool copy)
{
	return bound(st, sqlite3_bind_blob64(ST(st), i, p, n, copy ? SQLITE_TRANSIENT : SQLITE_STATIC));
}

static int lite_step(struct cb_stmt *st)
{
	int r = sqlite3_step(ST(st));
	if (r == SQLITE_ROW)
		return CB_DB_ROW;
	if (r == SQLITE_DONE)
		return CB_DB_DONE;
	return lite_fail(st->db, sqlite3_extended_errcode(H(st->db)));
}

static void lite_reset(struct cb_stmt *st) { sqlite3_reset(ST(st)); }
static int lite_column_count(struct cb_stmt *st) { return sqlite3_column_count(ST(st)); }

static enum cb_db_type lite_column_type(struct cb_stmt *st, int i)
{
	switch (sqlite3_column_type(ST(st), i)) {
	case SQLITE_INTEGER: return CB_DB_INT;
	case SQLITE_FLOAT: return CB_DB_FLOAT;
	case SQLITE_TEXT: return CB_DB_TEXT;
	case SQLITE_BLOB: return CB_DB_BLOB;
	default: return CB_DB_NULL;
	}
}

static int64_t lite_column_int64(struct cb_stmt *st, int i) { return sqlite3_column_int64(ST(st), i); }
static double lite_column_double(struct cb_stmt *st, int i) { return sqlite3_column_double(ST(st), i); }
static const char *lite_column_text(struct cb_stmt *st, int i) { return (const char *)sqlite3_column_text(ST(st), i); }
static const void *lite_column_blob(struct cb_stmt *st, int i) { return sqlite3_column_blob(ST(st), i); }
static size_t lite_column_bytes(struct cb_stmt *st, int i) { return (size_t)sqlite3_column_bytes(ST(st), i); }

static int lite_exec(struct cb_db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(H(db), sql, NULL, NULL, &msg) == SQLITE_OK)
		return CB_OK;
	int rc = lite_fail(db, sqlite3_extended_errcode(H(db)));
	if (msg)
		cb_db_fail(db, rc, "%s", msg);
	sqlite3_free(msg);
	return rc;
}

static int lite_begin(struct cb_db *db) { return lite_exec(db, "BEGIN IMMEDIATE"); }
static bool lite_in_tx(struct cb_db *db) { return !sqlite3_get_autocommit(H(db)); }
static int64_t lite_changes(struct cb_db *db) { return sqlite3_changes64(H(db)); }
static int64_t lite_last_insert_id(struct cb_db *db) { return sqlite3_last_insert_rowid(H(db)); }

static void lite_close(struct cb_db *db)
{
	sqlite3_close_v2(H(db));
	free(db);
}

static const struct cb_db_ops lite_ops = {
	lite_prepare, lite_finalize, lite_bind_int64, lite_bind_double, lite_bind_text, lite_bind_blob,
	lite_bind_null, lite_clear_bindings, lite_step, lite_reset, lite_column_count, lite_column_type,
	lite_column_int64, lite_column_double, lite_column_text, lite_column_blob, lite_column_bytes, lite_exec,
	lite_begin, lite_in_tx, lite_changes, lite_last_insert_id, lite_close, NULL,
};

int cb_db_sqlite_open(const char *path, unsigned flags, struct cb_db **out, struct cb_err *err)
{
	struct lite_db *d = calloc(1, sizeof *d);
	if (!d)
		return cb_err_set(err, CB_ENOMEM, "database: out of memory");
	d->base.ops = &lite_ops;
	d->base.kind = CB_DB_SQLITE;
	int of = (flags & CB_DB_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
		 (flags & CB_DB_CREATE ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &d->h, of, NULL) != SQLITE_OK) {
		int rc = cb_err_set(err, CB_EDB, "database: cannot open it: %s",
				    d->h ? sqlite3_errmsg(d->h) : "out of memory");
		sqlite3_close_v2(d->h);
		free(d);
		return rc;
	}
	sqlite3_extended_result_codes(d->h, 1);
	*out = &d->base;
	return CB_OK;
}

struct sqlite3 *cb_db_sqlite(struct cb_db *db)
{
	return db && db->kind == CB_DB_SQLITE ? H(db) : NULL;
}
