/*
 * db_pg_copy.c -- cb_db_defer on PostgreSQL (db.h): the rows of a bulk insert kept back and sent as one COPY
 * FROM STDIN, instead of one round trip to the server per row.
 *
 * An import writes a handful of rows per case (the case, its blind-index tokens, its linkage row); one
 * statement each made the import wait on the network some ten times per case.  COPY streams them: the
 * statement's bound parameters become one line of COPY's text format (written here: libpq has no encoder
 * for it), and the lines go in one PQputCopyData when anything else is about to run on the connection.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_pg_impl.h"

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

static uint64_t be64(const char *p)
{
	uint64_t v = 0;
	for (int k = 0; k < 8; k++)
		v = v << 8 | (unsigned char)p[k];
	return v;
}

/* One value in COPY's text format. */
static int put_value(struct cb_buf *b, const struct pg_param *p)
{
	static const char hex[] = "0123456789abcdef";
	if (!p->value)
		return cb_buf_append(b, "\\N", 2);
	if (p->type == OID_INT8)
		return cb_buf_printf(b, "%" PRId64, (int64_t)be64(p->value));
	if (p->type == OID_FLOAT8) {
		uint64_t u = be64(p->value);
		double d;
		memcpy(&d, &u, 8);
		return cb_buf_printf(b, "%.17g", d);
	}
	if (p->type == OID_BYTEA) { /* bytea's hex input, its backslash escaped for COPY */
		if (cb_buf_append(b, "\\\\x", 3))
			return CB_ENOMEM;
		for (int i = 0; i < p->len; i++) {
			unsigned char c = (unsigned char)p->value[i];
			char two[2] = {hex[c >> 4], hex[c & 15]};
			if (cb_buf_append(b, two, 2))
				return CB_ENOMEM;
		}
		return CB_OK;
	}
	for (int i = 0; i < p->len; i++) { /* text: COPY's four special characters escaped */
		char c = p->value[i];
		const char *esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : NULL;
		if (esc ? cb_buf_append(b, esc, 2) : cb_buf_append(b, &c, 1))
			return CB_ENOMEM;
	}
	return CB_OK;
}

int cb_pg_defer_row(struct pg_stmt *s)
{
	struct pg_db *d = DB(s->base.db);
	size_t mark = s->rows.len;
	if (!s->queued) {
		if (d->nqueue == (int)CB_COUNTOF(d->queue)) {
			int rc = cb_pg_flush(d); /* room in the queue */
			if (rc != CB_OK)
				return rc;
		}
		d->queue[d->nqueue++] = s;
		s->queued = true;
	}
	for (int i = 0; i < s->nparams; i++)
		if ((i && cb_buf_append(&s->rows, "\t", 1)) || put_value(&s->rows, &s->p[i])) {
			s->rows.len = mark;
			return cb_db_fail(&d->base, CB_ENOMEM, "out of memory");
		}
	if (cb_buf_append(&s->rows, "\n", 1)) {
		s->rows.len = mark;
		return cb_db_fail(&d->base, CB_ENOMEM, "out of memory");
	}
	d->changes = 1;
	return CB_DB_DONE;
}

/* Sends one statement's rows: COPY, the data, its end, the server's answer. */
static int send_rows(struct pg_db *d, struct pg_stmt *s)
{
	PGresult *r = PQexec(d->conn, s->copy_sql);
	int rc = CB_OK;
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		rc = cb_pg_fail(d, r);
		PQclear(r);
		cb_pg_track(d);
		return rc;
	}
	PQclear(r);
	if (PQputCopyData(d->conn, (const char *)s->rows.data, (int)s->rows.len) != 1 ||
	    PQputCopyEnd(d->conn, NULL) != 1)
		rc = cb_pg_fail(d, NULL);
	while ((r = PQgetResult(d->conn))) {
		if (rc == CB_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = cb_pg_fail(d, r);
		PQclear(r);
	}
	cb_pg_track(d);
	return rc;
}

int cb_pg_flush(struct pg_db *d)
{
	int rc = CB_OK;
	for (int i = 0; i < d->nqueue; i++) {
		struct pg_stmt *s = d->queue[i];
		if (rc == CB_OK && s->rows.len > 0 && s->rows.len <= 0x7fffffff)
			rc = send_rows(d, s);
		else if (rc == CB_OK && s->rows.len > 0x7fffffff)
			rc = cb_db_fail(&d->base, CB_EINVAL, "a bulk insert of %zu bytes is too large", s->rows.len);
		cb_buf_reset(&s->rows);
		s->queued = false;
	}
	d->nqueue = 0;
	return rc;
}

void cb_pg_discard(struct pg_db *d)
{
	for (int i = 0; i < d->nqueue; i++) {
		cb_buf_reset(&d->queue[i]->rows);
		d->queue[i]->queued = false;
	}
	d->nqueue = 0;
}

void cb_pg_forget(struct pg_stmt *s)
{
	struct pg_db *d = DB(s->base.db);
	if (s->queued) /* its rows were meant for the transaction: they go now, or its commit fails */
		cb_pg_flush(d);
	cb_buf_free(&s->rows);
	free(s->copy_sql);
	s->copy_sql = NULL;
}
