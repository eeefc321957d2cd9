/*
 * db_pg_impl.h -- what db_pg.c (the seam over libpq) and db_pg_copy.c (rows kept back and sent as one COPY)
 * share: the connection and statement records.  Internal to the seam.
 */
#ifndef CB_STORE_DB_PG_IMPL_H
#define CB_STORE_DB_PG_IMPL_H

#include <libpq-fe.h>

#include "store/db_impl.h"

/* Type OIDs (PostgreSQL's catalog, pg_type.dat): the ones a casebank schema's columns and expressions have. */
enum {
	OID_BOOL = 16, OID_BYTEA = 17, OID_NAME = 19, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
	OID_OID = 26, OID_JSON = 114, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_UNKNOWN = 705, OID_BPCHAR = 1042,
	OID_VARCHAR = 1043, OID_NUMERIC = 1700,
};

struct pg_db {
	struct cb_db base;
	PGconn *conn;
	unsigned gen;      /* connections made: a statement prepared under an older one is prepared again */
	unsigned next_id;  /* statement names s1, s2, ... */
	int64_t changes;
	bool tx;           /* a transaction was open after the last call */
	bool tx_lost;      /* ...and the connection went with it: nothing runs until the caller rolls back */
	bool readonly;     /* opened read-only (CB_DB_READONLY): a standby will do */
	bool standby;      /* the connection reached a standby: made again before the next call */
	struct pg_stmt *queue[8]; /* statements with rows kept back (db_pg_copy.c) */
	int nqueue;
	struct pg_stmt *copying;  /* the one whose COPY is open on the connection, or NULL */
};

struct pg_param {
	Oid type;
	int format;       /* 0 text, 1 binary */
	int len;
	const char *value; /* NULL: SQL NULL */
	char *owned;       /* a copy (bind with copy), or NULL */
	char num[8];       /* int8 / float8 in network order */
	char small[40];    /* a short copy: a bulk insert binds a few dozen short codes per row */
};

struct pg_stmt {
	struct cb_stmt base;
	char *sql;        /* with $N placeholders */
	char name[24];
	int nparams;
	struct pg_param *p;
	const char **vals; /* PQexecPrepared's arrays, nparams each */
	int *lens, *fmts;
	Oid *prepared_types; /* the types it was prepared with (nparams) */
	bool *used;          /* which parameters the statement names (an unnamed one needs a type all the same) */
	bool prepared;
	unsigned gen;
	PGresult *res;
	int row, nrows;
	bool executed;
	char (*scratch)[32]; /* a number read as text, per column */
	int nscratch;
	char *copy_sql;    /* cb_db_defer's COPY ... FROM STDIN, or NULL */
	struct cb_buf rows; /* rows kept back for it, in COPY's binary format (or text: copy_text) */
	bool queued;        /* in its connection's queue */
	Oid *copy_types;    /* its columns' types, looked up under connection copy_gen - 1 (0: not yet) */
	unsigned copy_gen;
	bool copy_text;     /* a value binary COPY would not take came: text format from then on */
};

#define DB(d) ((struct pg_db *)(d))
#define ST(s) ((struct pg_stmt *)(s))

/* db_pg.c: after each call to the server, whether a transaction is open (or was lost); a failure recorded. */
void cb_pg_track(struct pg_db *d);
int cb_pg_fail(struct pg_db *d, const PGresult *res);

/* db_pg_copy.c.  defer: the ops entry of cb_db_defer.  defer_row: the step of a deferred statement inside a
 * transaction: its bindings become one row kept back or streamed (CB_DB_DONE).  flush: sends every row kept
 * back and ends the open COPY (before any other call on the connection).  discard: forgets them (a
 * rollback).  forget: s is finalized. */
int cb_pg_defer(struct cb_stmt *st, const char *copy_sql);
int cb_pg_defer_row(struct pg_stmt *s);
int cb_pg_flush(struct pg_db *d);
void cb_pg_discard(struct pg_db *d);
void cb_pg_forget(struct pg_stmt *s);

#endif
