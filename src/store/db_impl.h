/*
 * db_impl.h -- what db.c, db_sqlite.c and db_pg.c share: the connection and statement records and the table
 * of one backend's operations.  Internal to the seam: the rest of src/store/ includes db.h only.
 */
#ifndef CB_STORE_DB_IMPL_H
#define CB_STORE_DB_IMPL_H

#include "store/db.h"

struct cb_db_ops {
	int (*prepare)(struct cb_db *db, const char *sql, struct cb_stmt **out);
	void (*finalize)(struct cb_stmt *st);
	int (*bind_int64)(struct cb_stmt *st, int i, int64_t v);
	int (*bind_double)(struct cb_stmt *st, int i, double v);
	int (*bind_text)(struct cb_stmt *st, int i, const char *s, size_t n, bool copy);
	int (*bind_blob)(struct cb_stmt *st, int i, const void *p, size_t n, bool copy);
	int (*bind_null)(struct cb_stmt *st, int i);
	int (*clear_bindings)(struct cb_stmt *st);
	int (*step)(struct cb_stmt *st);
	void (*reset)(struct cb_stmt *st);
	int (*column_count)(struct cb_stmt *st);
	enum cb_db_type (*column_type)(struct cb_stmt *st, int i);
	int64_t (*column_int64)(struct cb_stmt *st, int i);
	double (*column_double)(struct cb_stmt *st, int i);
	const char *(*column_text)(struct cb_stmt *st, int i);
	const void *(*column_blob)(struct cb_stmt *st, int i);
	size_t (*column_bytes)(struct cb_stmt *st, int i);
	int (*exec)(struct cb_db *db, const char *sql);
	int (*begin)(struct cb_db *db);
	bool (*in_tx)(struct cb_db *db);
	int64_t (*changes)(struct cb_db *db);
	int64_t (*last_insert_id)(struct cb_db *db);
	void (*close)(struct cb_db *db);
	int (*defer)(struct cb_stmt *st, const char *copy_sql); /* NULL: rows go one by one (SQLite) */
};

/* Each backend's record starts with this (db_sqlite.c, db_pg.c). */
struct cb_db {
	const struct cb_db_ops *ops;
	enum cb_db_kind kind;
	int errcode;    /* the last failure's CB_E* code, CB_OK if none */
	bool write_lock; /* cb_db_set_write_lock: begin takes lock_key */
	int64_t lock_key;
	char errmsg[512];
};

struct cb_stmt {
	struct cb_db *db;
};

/* Opens one backend (flags as cb_db_open); on failure *out is NULL and err says why. */
int cb_db_sqlite_open(const char *path, unsigned flags, struct cb_db **out, struct cb_err *err);
int cb_db_pg_open(const char *uri, unsigned flags, struct cb_db **out, struct cb_err *err);
/* Records a failure on db and returns code. */
int cb_db_fail(struct cb_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
