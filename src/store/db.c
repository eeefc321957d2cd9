/*
 * db.c -- the seam's public calls (db.h): open picks the backend from the target's form, every other call
 * goes to that backend's table of operations (db_sqlite.c, db_pg.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "store/db_impl.h"

bool cb_db_is_uri(const char *target)
{
	return target && (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0);
}

int cb_db_open(const char *target, unsigned flags, struct cb_db **out, struct cb_err *err)
{
	*out = NULL;
	if (!target || !*target)
		return cb_err_set(err, CB_EINVAL, "database: no database named");
	return cb_db_is_uri(target) ? cb_db_pg_open(target, flags, out, err) : cb_db_sqlite_open(target, flags, out, err);
}

void cb_db_close(struct cb_db **db)
{
	if (!db || !*db)
		return;
	(*db)->ops->close(*db);
	*db = NULL;
}

enum cb_db_kind cb_db_kind(const struct cb_db *db) { return db->kind; }

int cb_db_fail(struct cb_db *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
	va_end(ap);
	db->errcode = code;
	return code;
}

int cb_db_prepare(struct cb_db *db, const char *sql, struct cb_stmt **out, struct cb_err *err)
{
	*out = NULL;
	int rc = db->ops->prepare(db, sql, out);
	return rc == CB_OK ? CB_OK : cb_db_err(db, err, "prepare");
}

void cb_db_finalize(struct cb_stmt **st)
{
	if (!st || !*st)
		return;
	(*st)->db->ops->finalize(*st);
	*st = NULL;
}

int cb_db_bind_int64(struct cb_stmt *st, int i, int64_t v) { return st->db->ops->bind_int64(st, i, v); }
int cb_db_bind_double(struct cb_stmt *st, int i, double v) { return st->db->ops->bind_double(st, i, v); }
int cb_db_bind_null(struct cb_stmt *st, int i) { return st->db->ops->bind_null(st, i); }
int cb_db_clear_bindings(struct cb_stmt *st) { return st->db->ops->clear_bindings(st); }

int cb_db_bind_text(struct cb_stmt *st, int i, const char *s, long n, bool copy)
{
	if (!s)
		return st->db->ops->bind_null(st, i);
	return st->db->ops->bind_text(st, i, s, n < 0 ? strlen(s) : (size_t)n, copy);
}

int cb_db_bind_blob(struct cb_stmt *st, int i, const void *p, size_t n, bool copy)
{
	if (!p)
		return st->db->ops->bind_null(st, i);
	return st->db->ops->bind_blob(st, i, p, n, copy);
}

int cb_db_step(struct cb_stmt *st) { return st->db->ops->step(st); }
void cb_db_reset(struct cb_stmt *st) { st->db->ops->reset(st); }
int cb_db_column_count(struct cb_stmt *st) { return st->db->ops->column_count(st); }
enum cb_db_type cb_db_column_type(struct cb_stmt *st, int i) { return st->db->ops->column_type(st, i); }
int64_t cb_db_column_int64(struct cb_stmt *st, int i) { return st->db->ops->column_int64(st, i); }
double cb_db_column_double(struct cb_stmt *st, int i) { return st->db->ops->column_double(st, i); }
const char *cb_db_column_text(struct cb_stmt *st, int i) { return st->db->ops->column_text(st, i); }
const void *cb_db_column_blob(struct cb_stmt *st, int i) { return st->db->ops->column_blob(st, i); }
size_t cb_db_column_bytes(struct cb_stmt *st, int i) { return st->db->ops->column_bytes(st, i); }

int cb_db_exec(struct cb_db *db, const char *sql) { return db->ops->exec(db, sql); }

void cb_db_set_write_lock(struct cb_db *db, int64_t key)
{
	db->write_lock = true;
	db->lock_key = key;
}
int cb_db_defer(struct cb_stmt *st, const char *copy_sql)
{
	return st->db->ops->defer ? st->db->ops->defer(st, copy_sql) : CB_OK;
}

int cb_db_begin(struct cb_db *db) { return db->ops->begin(db); }
int cb_db_commit(struct cb_db *db) { return db->ops->exec(db, "COMMIT"); }
bool cb_db_in_tx(struct cb_db *db) { return db->ops->in_tx(db); }
int64_t cb_db_changes(struct cb_db *db) { return db->ops->changes(db); }
int64_t cb_db_last_insert_id(struct cb_db *db) { return db->ops->last_insert_id(db); }
const char *cb_db_errmsg(struct cb_db *db) { return db->errcode ? db->errmsg : "no error"; }
int cb_db_errcode(struct cb_db *db) { return db->errcode; }

void cb_db_rollback(struct cb_db *db)
{
	if (db->ops->in_tx(db)) {
		int code = db->errcode; /* the failure that led here stays the one reported */
		char msg[sizeof db->errmsg];
		memcpy(msg, db->errmsg, sizeof msg);
		db->ops->exec(db, "ROLLBACK");
		db->errcode = code;
		memcpy(db->errmsg, msg, sizeof msg);
	}
}

int cb_db_err(struct cb_db *db, struct cb_err *err, const char *what)
{
	int code = db->errcode ? db->errcode : CB_EDB;
	const char *kind = code == CB_EFULL ? "disk full: " : code == CB_EUNAVAIL ? "server unavailable: " : "";
	return cb_err_set(err, code, "database: %s: %s%s", what, kind, cb_db_errmsg(db));
}
