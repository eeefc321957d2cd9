/*
 * db.h -- the database seam under the store: one small statement API over SQLite (db_sqlite.c) and
 * PostgreSQL (db_pg.c, through libpq).  Internal to src/store/: nothing above the store sees a connection.
 *
 * It is shaped like the part of SQLite's C API the store uses (prepare, bind, step, column, reset,
 * finalize), so that store code moves onto it by renaming calls.  What differs between the two servers is
 * kept here, not in the callers:
 *   - placeholders are written `?` or `?N` (SQLite's); on PostgreSQL they become `$N`;
 *   - blobs are bytea on PostgreSQL, passed and read in binary (never as escaped text);
 *   - step answers CB_DB_ROW, CB_DB_DONE or a negative CB_E* code: CB_EFULL for a full disk, CB_EUNAVAIL
 *     when the server cannot be reached (the HTTP layer answers 503 and the next call reconnects),
 *     CB_ECONFLICT for a serialisation failure or deadlock, CB_EEXIST for a unique violation, else CB_EDB;
 *   - cb_db_begin is BEGIN IMMEDIATE on SQLite (the write lock up front) and BEGIN on PostgreSQL.
 * Error text (cb_db_errmsg) is the server's message, which names tables and constraints but never a bound
 * value: the store binds every value.
 */
#ifndef CB_STORE_DB_H
#define CB_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/cb.h"

struct cb_db;
struct cb_stmt;
struct sqlite3;

enum cb_db_kind { CB_DB_SQLITE, CB_DB_PG };

/* What step answers besides an error. */
enum { CB_DB_ROW = 100, CB_DB_DONE = 101 };

/* A column's type in the current row. */
enum cb_db_type { CB_DB_NULL, CB_DB_INT, CB_DB_FLOAT, CB_DB_TEXT, CB_DB_BLOB };

/* cb_db_open flags */
#define CB_DB_READONLY 1u /* SQLite: opened read-only; PostgreSQL: default_transaction_read_only */
#define CB_DB_CREATE 2u   /* SQLite: create the file if missing (PostgreSQL: the database must exist) */

/* True for a PostgreSQL connection URI (postgresql:// or postgres://) rather than a file name. */
bool cb_db_is_uri(const char *target);

/* Opens a SQLite file or connects to a PostgreSQL URI. */
int cb_db_open(const char *target, unsigned flags, struct cb_db **out, struct cb_err *err);
void cb_db_close(struct cb_db **db);
enum cb_db_kind cb_db_kind(const struct cb_db *db);
/* The SQLite handle, for the SQLite-only pieces (pragmas, WAL checkpoints, the key writer's bulk path);
 * NULL on PostgreSQL. */
struct sqlite3 *cb_db_sqlite(struct cb_db *db);

/* Prepares one statement.  On PostgreSQL the server sees it at its first step (its parameter types are
 * then those bound); errors in the SQL show there. */
int cb_db_prepare(struct cb_db *db, const char *sql, struct cb_stmt **out, struct cb_err *err);
void cb_db_finalize(struct cb_stmt **st);

/* Parameters count from 1.  Text and blobs: `copy` false means the memory stays valid and unchanged until
 * the statement is stepped (SQLITE_STATIC), true that it is copied now (SQLITE_TRANSIENT).  Text n < 0:
 * up to the NUL.  Bindings survive cb_db_reset.  Only CB_ENOMEM or CB_EINVAL (no such parameter). */
int cb_db_bind_int64(struct cb_stmt *st, int i, int64_t v);
int cb_db_bind_double(struct cb_stmt *st, int i, double v);
int cb_db_bind_text(struct cb_stmt *st, int i, const char *s, long n, bool copy);
int cb_db_bind_blob(struct cb_stmt *st, int i, const void *p, size_t n, bool copy);
int cb_db_bind_null(struct cb_stmt *st, int i);
int cb_db_clear_bindings(struct cb_stmt *st);

/* CB_DB_ROW (a row is readable), CB_DB_DONE, or a negative CB_E* code (message in cb_db_errmsg). */
int cb_db_step(struct cb_stmt *st);
/* Back to before the first step, results dropped, bindings kept. */
void cb_db_reset(struct cb_stmt *st);

/* Columns of the current row count from 0.  Text and blobs live until the next step, reset or finalize.
 * A NULL reads as 0, NULL text and NULL blob (0 bytes); an integer read as text is its decimal. */
int cb_db_column_count(struct cb_stmt *st);
enum cb_db_type cb_db_column_type(struct cb_stmt *st, int i);
int64_t cb_db_column_int64(struct cb_stmt *st, int i);
double cb_db_column_double(struct cb_stmt *st, int i);
const char *cb_db_column_text(struct cb_stmt *st, int i);
const void *cb_db_column_blob(struct cb_stmt *st, int i);
size_t cb_db_column_bytes(struct cb_stmt *st, int i);

/* Bulk inserts: on PostgreSQL, each step of st inside a transaction keeps its bound row back, and the rows go
 * to the server as one `copy_sql` (COPY table(columns) FROM STDIN, the columns in parameter order) before the
 * next other call on the connection, COMMIT included: one round trip for a batch instead of one per row.  So
 * the step answers CB_DB_DONE at once, and a failure (a constraint) shows at that later call and fails the
 * transaction: only for inserts that cannot conflict (rows of a new case).  A rollback forgets them.  Outside
 * a transaction, and on SQLite (whose steps are calls, not round trips), nothing changes. */
int cb_db_defer(struct cb_stmt *st, const char *copy_sql);

/* Runs SQL without results (several statements separated by ';'); a negative CB_E* code on failure. */
int cb_db_exec(struct cb_db *db, const char *sql);
/* A write lock for this connection's writing transactions (cb_db_begin, BEGIN IMMEDIATE): on PostgreSQL
 * they take the advisory lock `key` first, so that writers on every connection that set the same key (every
 * server of one database) go one at a time, as SQLite's writers do; SQLite needs nothing (its BEGIN
 * IMMEDIATE is that lock).  Readers never wait for it. */
void cb_db_set_write_lock(struct cb_db *db, int64_t key);
/* Transactions.  rollback never fails in a way the caller could act on. */
int cb_db_begin(struct cb_db *db);
int cb_db_commit(struct cb_db *db);
void cb_db_rollback(struct cb_db *db);
bool cb_db_in_tx(struct cb_db *db);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t cb_db_changes(struct cb_db *db);
/* The id the last INSERT gave (SQLite: the rowid; PostgreSQL: lastval(), the last value a sequence such as
 * an identity column handed out in this session).  0 if none. */
int64_t cb_db_last_insert_id(struct cb_db *db);
/* The last error's text and code (CB_OK if none). */
const char *cb_db_errmsg(struct cb_db *db);
int cb_db_errcode(struct cb_db *db);
/* Fills err with what the last failure was, prefixed with `what`; returns its code. */
int cb_db_err(struct cb_db *db, struct cb_err *err, const char *what);

#endif
