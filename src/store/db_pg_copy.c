/*
 * db_pg_copy.c -- cb_db_defer on PostgreSQL (db.h): the rows of a bulk insert kept back and sent with COPY
 * FROM STDIN, instead of one round trip to the server per row.
 *
 * An import writes a handful of rows per case (the case, its blind-index tokens, its linkage row); one
 * statement each made the import wait on the network some ten times per case.  COPY streams them: the
 * statement's bound parameters become one row of COPY's binary format (written here: libpq has no encoder
 * for it), which the server reads for about half the work of the text format (no scanning for delimiters
 * and escapes, no decimal or hex to convert).  Binary values must be of the column's own type: the columns'
 * types are looked up once per connection, and a value that would need a conversion the server makes from
 * text (an integer into a numeric column, text into an integer one...) switches the statement to the text
 * format (a COPY cannot mix them).
 *
 * Once a statement has CHUNK bytes waiting its COPY is opened and they go to the server while the import
 * prepares the next rows, so the client and the server work at once instead of in turn; the COPY is ended
 * when anything else is about to run on the connection (cb_pg_flush, before every other call).
 * One COPY can be open on a connection: another statement's rows wait meanwhile (none of these tables refer
 * to another, so their order does not matter), up to HOLD bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "store/db_pg_impl.h"

#define CHUNK (128u << 10) /* rows sent to an open COPY in pieces of about this size */
#define HOLD (16u << 20)   /* rows of a statement waiting while another's COPY is open, at most */

int cb_pg_defer(struct cb_stmt *st, const char *copy_sql)
{
	struct pg_stmt *s = ST(st);
	char *c = strdup(copy_sql);
	if (!c)
		return cb_db_fail(st->db, CB_ENOMEM, "out of memory");
	free(s->copy_sql);
	s->copy_sql = c;
	return CB_OK;
}

/* Network order, byte by byte (the compiler makes one load or store of each) */
static uint64_t be64(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	return (uint64_t)u[0] << 56 | (uint64_t)u[1] << 48 | (uint64_t)u[2] << 40 | (uint64_t)u[3] << 32 |
	       (uint64_t)u[4] << 24 | (uint64_t)u[5] << 16 | (uint64_t)u[6] << 8 | u[7];
}

/* The most bytes put_value writes for p. */
static size_t worst(const struct pg_param *p)
{
	if (!p->value)
		return 2;
	if (p->type == OID_INT8 || p->type == OID_FLOAT8)
		return 32;
	if (p->type == OID_BYTEA)
		return 3 + 2 * (size_t)p->len;
	return 2 * (size_t)p->len;
}

/* One value in COPY's text format at o (worst(p) bytes there); returns the end. */
static char *put_value(char *o, const struct pg_param *p)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *v = (const unsigned char *)p->value;
	if (!v) {
		memcpy(o, "\\N", 2);
		return o + 2;
	}
	if (p->type == OID_INT8) {
		int64_t x = (int64_t)be64(p->value);
		uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
		char tmp[20];
		int n = 0;
		do
			tmp[n++] = (char)('0' + u % 10);
		while ((u /= 10));
		if (x < 0)
			*o++ = '-';
		while (n)
			*o++ = tmp[--n];
		return o;
	}
	if (p->type == OID_FLOAT8) {
		uint64_t u = be64(p->value);
		double d;
		memcpy(&d, &u, 8);
		return o + snprintf(o, 32, "%.17g", d);
	}
	if (p->type == OID_BYTEA) { /* bytea's hex input, its backslash escaped for COPY */
		memcpy(o, "\\\\x", 3);
		o += 3;
		for (int i = 0; i < p->len; i++) {
			*o++ = hex[v[i] >> 4];
			*o++ = hex[v[i] & 15];
		}
		return o;
	}
	for (int i = 0; i < p->len; i++) { /* text: COPY's four special characters escaped */
		unsigned char c = v[i];
		if (c > '\\' || (c != '\\' && c >= ' ')) {
			*o++ = (char)c;
			continue;
		}
		if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
		} else {
			*o++ = (char)c;
		}
	}
	return o;
}

/* ---- binary format */

static const char bin_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0"; /* signature, flags, no extension */

static char *put_be32(char *o, uint32_t v)
{
	o[0] = (char)(v >> 24);
	o[1] = (char)(v >> 16);
	o[2] = (char)(v >> 8);
	o[3] = (char)v;
	return o + 4;
}

static char *put_be16(char *o, uint16_t v)
{
	o[0] = (char)(v >> 8);
	o[1] = (char)v;
	return o + 2;
}

/* Whether p goes in binary into a column of type t: the same type, or an integer that fits a narrower one. */
static bool binary_fits(const struct pg_param *p, Oid t)
{
	if (!p->value)
		return true;
	switch (p->type) {
	case OID_INT8: {
		int64_t v = (int64_t)be64(p->value);
		return t == OID_INT8 || (t == OID_INT4 && v >= INT32_MIN && v <= INT32_MAX) ||
		       (t == OID_INT2 && v >= INT16_MIN && v <= INT16_MAX);
	}
	case OID_FLOAT8: return t == OID_FLOAT8;
	case OID_BYTEA: return t == OID_BYTEA;
	case 0: return t == OID_TEXT || t == OID_VARCHAR; /* text: their binary input is the text itself */
	default: return false;
	}
}

/* One value as a binary field (a length, then the bytes) at o; returns the end. */
static char *put_binary(char *o, const struct pg_param *p, Oid t)
{
	if (!p->value)
		return put_be32(o, 0xffffffffu);
	if (p->type == OID_INT8 && t == OID_INT4)
		return put_be32(put_be32(o, 4), (uint32_t)be64(p->value));
	if (p->type == OID_INT8 && t == OID_INT2)
		return put_be16(put_be32(o, 2), (uint16_t)be64(p->value));
	o = put_be32(o, (uint32_t)p->len);
	memcpy(o, p->value, (size_t)p->len);
	return o + p->len;
}

/* The types of s's columns, from `SELECT the columns FROM the table LIMIT 0` made of its COPY statement
 * ("COPY table(columns) FROM STDIN"); anything unexpected leaves it to the text format. */
static int look_up_types(struct pg_db *d, struct pg_stmt *s)
{
	const char *open = strchr(s->copy_sql, '('), *close = strrchr(s->copy_sql, ')');
	struct cb_buf q = {0};
	int rc = CB_OK;
	if (strncmp(s->copy_sql, "COPY ", 5) != 0 || !open || !close || close < open || s->nparams < 1) {
		s->copy_text = true;
		s->copy_gen = d->gen + 1;
		return CB_OK;
	}
	if (cb_buf_printf(&q, "SELECT %.*s FROM %.*s LIMIT 0", (int)(close - open - 1), open + 1,
			  (int)(open - s->copy_sql - 5), s->copy_sql + 5))
		return cb_db_fail(&d->base, CB_ENOMEM, "out of memory");
	PGresult *r = PQexec(d->conn, q.data);
	cb_pg_track(d);
	cb_buf_free(&q);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = cb_pg_fail(d, r);
	} else if (PQnfields(r) != s->nparams) {
		s->copy_text = true;
	} else {
		Oid *t = realloc(s->copy_types, (size_t)s->nparams * sizeof *t);
		if (!t)
			rc = cb_db_fail(&d->base, CB_ENOMEM, "out of memory");
		else
			for (int i = 0; i < s->nparams; i++)
				t[i] = PQftype(r, i);
		s->copy_types = t;
	}
	if (rc == CB_OK)
		s->copy_gen = d->gen + 1;
	PQclear(r);
	return rc;
}

/* ---- the open COPY */

/* A send that failed.  If the connection went, the COPY went with it, and so did the transaction: noted
 * (cb_pg_track), so that nothing runs on a new connection as if the rows sent so far were still there. */
static int copy_fail(struct pg_db *d)
{
	int rc = cb_pg_fail(d, NULL);
	if (PQstatus(d->conn) != CONNECTION_OK) {
		d->copying = NULL;
		cb_pg_track(d);
	}
	return rc;
}

static int copy_begin(struct pg_db *d, struct pg_stmt *s)
{
	struct cb_buf sql = {0};
	if (cb_buf_printf(&sql, "%s%s", s->copy_sql, s->copy_text ? "" : " WITH (FORMAT binary)"))
		return cb_db_fail(&d->base, CB_ENOMEM, "out of memory");
	PGresult *r = PQexec(d->conn, sql.data);
	cb_buf_free(&sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		int rc = cb_pg_fail(d, r);
		PQclear(r);
		cb_pg_track(d);
		return rc;
	}
	PQclear(r); /* no cb_pg_track while it is open: the connection reads "active", not "in a transaction" */
	d->copying = s;
	if (!s->copy_text && PQputCopyData(d->conn, bin_header, sizeof bin_header) != 1)
		return copy_fail(d);
	return CB_OK;
}

static int copy_send(struct pg_db *d, struct pg_stmt *s)
{
	int rc = CB_OK;
	if (s->rows.len > 0x7fffffff)
		rc = cb_db_fail(&d->base, CB_EINVAL, "a bulk insert of %zu bytes is too large", s->rows.len);
	else if (s->rows.len && PQputCopyData(d->conn, s->rows.data, (int)s->rows.len) != 1)
		rc = copy_fail(d);
	cb_buf_reset(&s->rows);
	return rc;
}

/* Ends the open COPY (or, with why, abandons it: the server fails it) and reads the server's answer. */
static int copy_end(struct pg_db *d, const char *why)
{
	PGresult *r;
	int rc = CB_OK;
	if (!d->copying)
		return CB_OK;
	if (!why && !d->copying->copy_text && PQputCopyData(d->conn, "\377\377", 2) != 1) /* the trailer */
		rc = cb_pg_fail(d, NULL);
	d->copying = NULL;
	if (PQputCopyEnd(d->conn, why) != 1)
		rc = cb_pg_fail(d, NULL);
	while ((r = PQgetResult(d->conn))) {
		if (rc == CB_OK && !why && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = cb_pg_fail(d, r);
		PQclear(r);
	}
	cb_pg_track(d);
	return rc;
}

/* s's rows waiting so far, sent if they are enough (with force, whatever their size). */
static int stream(struct pg_db *d, struct pg_stmt *s, bool force)
{
	int rc;
	if (s->rows.len == 0 || (!force && s->rows.len < CHUNK))
		return CB_OK;
	if (d->copying != s) {
		if (d->copying && !force && s->rows.len < HOLD)
			return CB_OK; /* another statement's COPY is open: wait for it */
		if ((rc = copy_end(d, NULL)) != CB_OK || (rc = copy_begin(d, s)) != CB_OK) {
			cb_buf_reset(&s->rows);
			return rc;
		}
	}
	return copy_send(d, s);
}

int cb_pg_defer_row(struct pg_stmt *s)
{
	struct pg_db *d = DB(s->base.db);
	size_t need = 1;
	int rc;
	if (!s->queued) {
		if (d->nqueue == (int)CB_COUNTOF(d->queue) && (rc = cb_pg_flush(d)) != CB_OK) /* room in the queue */
			return rc;
		d->queue[d->nqueue++] = s;
		s->queued = true;
	}
	if (!s->copy_text && s->copy_gen != d->gen + 1) { /* its columns' types, before its first row */
		if ((d->copying && (rc = cb_pg_flush(d)) != CB_OK) || (rc = look_up_types(d, s)) != CB_OK)
			return rc;
	}
	bool binary = !s->copy_text;
	for (int i = 0; binary && i < s->nparams; i++) {
		binary = binary_fits(&s->p[i], s->copy_types[i]);
		need += 4 + (size_t)(s->p[i].value ? s->p[i].len : 0);
	}
	if (!s->copy_text && !binary) { /* rows before this one go in binary, this one and the next in text */
		if ((rc = stream(d, s, true)) != CB_OK || (d->copying == s && (rc = copy_end(d, NULL)) != CB_OK))
			return rc;
		s->copy_text = true;
	}
	if (!binary)
		for (int i = 0; i < s->nparams; i++)
			need += 1 + worst(&s->p[i]);
	if (cb_buf_reserve(&s->rows, need + 2, 4096))
		return cb_db_fail(&d->base, CB_ENOMEM, "out of memory");
	char *o = s->rows.data + s->rows.len;
	if (binary) {
		o = put_be16(o, (uint16_t)s->nparams);
		for (int i = 0; i < s->nparams; i++)
			o = put_binary(o, &s->p[i], s->copy_types[i]);
	} else {
		for (int i = 0; i < s->nparams; i++) {
			if (i)
				*o++ = '\t';
			o = put_value(o, &s->p[i]);
		}
		*o++ = '\n';
	}
	*o = 0;
	s->rows.len = (size_t)(o - s->rows.data);
	d->changes = 1;
	if ((rc = stream(d, s, false)) != CB_OK)
		return rc;
	return CB_DB_DONE;
}

int cb_pg_flush(struct pg_db *d)
{
	int rc = CB_OK;
	if (d->copying) /* the open COPY first: its statement is in the queue */
		rc = stream(d, d->copying, true);
	for (int i = 0; i < d->nqueue; i++) {
		struct pg_stmt *s = d->queue[i];
		if (rc == CB_OK)
			rc = stream(d, s, true);
		cb_buf_reset(&s->rows);
		s->queued = false;
	}
	d->nqueue = 0;
	int end = copy_end(d, NULL);
	return rc != CB_OK ? rc : end;
}

void cb_pg_discard(struct pg_db *d)
{
	copy_end(d, "rolled back"); /* what was sent goes with the transaction */
	for (int i = 0; i < d->nqueue; i++) {
		cb_buf_reset(&d->queue[i]->rows);
		d->queue[i]->queued = false;
	}
	d->nqueue = 0;
}

void cb_pg_forget(struct pg_stmt *s)
{
	struct pg_db *d = DB(s->base.db);
	if (s->queued || d->copying) /* its rows were meant for the transaction: they go now, or its commit fails */
		cb_pg_flush(d);
	cb_buf_free(&s->rows);
	free(s->copy_sql);
	s->copy_sql = NULL;
	free(s->copy_types);
	s->copy_types = NULL;
}
