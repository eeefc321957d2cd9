/*
 * db_pg.c -- the seam (db.h) over PostgreSQL, with libpq.
 *
 * Statements are prepared on the server at their first step, once per connection and set of parameter
 * types, and executed with binary results (integers, doubles and bytea arrive as bytes, not as text to
 * parse and unescape).  Parameters: integers as int8, doubles as float8 and blobs as bytea, in binary; text
 * untyped, so that the server reads it as what its place in the statement needs (a column of any type, as
 * SQLite would).  A result is fetched whole, so that the store may run other statements on the connection
 * while it reads one's rows, as it does on SQLite.
 *
 * Losing the server: the failing call answers CB_EUNAVAIL; the next one, outside a transaction, reconnects
 * (PQreset) and prepares its statement again.  A transaction open when the connection went is gone with it:
 * what it wrote was never committed.  A failover: PQreset tries every host of a multi-host URI in turn, as
 * the first connection did; one that lands on a read-only standby is not kept (unless the database was
 * opened read-only), so that writes wait, answered with CB_EUNAVAIL, until a primary is reached.  A new
 * connection gets the session settings of the first one again.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "store/db_pg_impl.h"

#define CONNECT_TIMEOUT "10" /* seconds, unless the URI says otherwise (connect_timeout=) */


/* ---- errors */

static bool lost(struct pg_db *d) { return PQstatus(d->conn) != CONNECTION_OK; }

/* After each call to the server: whether a transaction is open, or was lost with the connection. */
void cb_pg_track(struct pg_db *d)
{
	if (lost(d)) {
		d->tx_lost |= d->tx;
		d->tx = false;
		return;
	}
	PGTransactionStatusType t = PQtransactionStatus(d->conn);
	d->tx = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* Records res's failure (or the connection's) and returns its code.  A failure with no SQLSTATE is libpq's
 * own: the connection broke (the server's last words, "terminating connection...", may arrive before libpq
 * marks it bad). */
int cb_pg_fail(struct pg_db *d, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	int code = CB_EDB;
	if (!msg || !*msg)
		msg = PQerrorMessage(d->conn);
	if (lost(d) || !state || strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		code = CB_EUNAVAIL; /* connection exceptions, the server shutting down or starting up */
	else if (state && strcmp(state, "23505") == 0)
		code = CB_EEXIST;
	else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		code = CB_ECONFLICT;
	else if (state && (strcmp(state, "53100") == 0 || strcmp(state, "54000") == 0))
		code = CB_EFULL;
	else if (state && strcmp(state, "53200") == 0)
		code = CB_ENOMEM;
	char line[sizeof d->base.errmsg];
	if (state && strncmp(state, "22", 2) == 0) /* data exceptions quote the value: it may identify somebody */
		snprintf(line, sizeof line, "a value does not fit its column (SQLSTATE %s)", state);
	else
		snprintf(line, sizeof line, "%s", msg && *msg ? msg : "the server did not answer");
	line[strcspn(line, "\n")] = 0;
	return cb_db_fail(&d->base, code, "%s", line);
}

/* A new connection's session: UTF-8 like SQLite; UTC so that nothing depends on the server's zone.  A
 * standby takes no writes: unless the database is opened read-only, a connection to one is not kept. */
static int session_setup(struct pg_db *d)
{
	const char *standby = PQparameterStatus(d->conn, "in_hot_standby"); /* reported by PostgreSQL 14 and later */
	if (!d->readonly && standby && strcmp(standby, "on") == 0) {
		d->standby = true;
		return cb_db_fail(&d->base, CB_EUNAVAIL,
				  "the server reached is a read-only standby (a failover under way?); a primary is needed");
	}
	d->standby = false;
	PGresult *r = PQexec(d->conn, d->readonly ? "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
						    "SET default_transaction_read_only = on"
						  : "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? CB_OK : cb_pg_fail(d, r);
	PQclear(r);
	return rc;
}

/* Before a call: a lost connection (or one to a standby) is made again, unless a transaction was open on it
 * (then the caller must see the failure and roll back). */
static int pg_ready(struct pg_db *d)
{
	int rc;
	if (d->tx_lost)
		return cb_db_fail(&d->base, CB_EUNAVAIL, "the connection to the server was lost during a transaction");
	if (!lost(d) && !d->standby)
		return CB_OK;
	PQreset(d->conn);
	if (lost(d))
		return cb_pg_fail(d, NULL);
	d->gen++;
	if ((rc = session_setup(d)) != CB_OK)
		return rc;
	cb_pg_track(d);
	return CB_OK;
}

static void notice_drop(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* "relation exists, skipping" and the like: nothing the operator must act on */
}

/* ---- placeholders: `?` and `?N` become `$N`, outside quotes and comments */

static int translate(const char *sql, char **out, int *nparams, bool used[1000])
{
	size_t n = strlen(sql);
	char *o = malloc(n * 4 + 1); /* "?" becomes at most "$NNN" */
	int max = 0;
	size_t j = 0;
	if (!o)
		return CB_ENOMEM;
	for (size_t i = 0; i < n;) {
		char c = sql[i];
		if (c == '\'' || c == '"') { /* a literal or quoted name, doubled quotes inside */
			o[j++] = sql[i++];
			while (i < n) {
				o[j++] = sql[i];
				if (sql[i++] == c) {
					if (i < n && sql[i] == c) {
						o[j++] = sql[i++];
						continue;
					}
					break;
				}
			}
		} else if (c == '-' && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				o[j++] = sql[i++];
		} else if (c == '/' && sql[i + 1] == '*') {
			const char *e = strstr(sql + i + 2, "*/");
			size_t end = e ? (size_t)(e - sql) + 2 : n;
			while (i < end)
				o[j++] = sql[i++];
		} else if (c == '?') {
			int k = 0;
			i++;
			if (isdigit((unsigned char)sql[i])) {
				while (isdigit((unsigned char)sql[i]) && k < 10000)
					k = k * 10 + (sql[i++] - '0');
			} else {
				k = max + 1;
			}
			if (k < 1 || k > 999) {
				free(o);
				return CB_EINVAL;
			}
			if (k > max)
				max = k;
			used[k] = true;
			j += (size_t)sprintf(o + j, "$%d", k);
		} else {
			o[j++] = sql[i++];
		}
	}
	o[j] = 0;
	*out = o;
	*nparams = max;
	return CB_OK;
}

/* ---- statements */

static int pg_prepare(struct cb_db *db, const char *sql, struct cb_stmt **out)
{
	struct pg_db *d = DB(db);
	struct pg_stmt *s = calloc(1, sizeof *s);
	int rc;
	if (!s)
		return cb_db_fail(db, CB_ENOMEM, "out of memory");
	s->base.db = db;
	bool *used = calloc(1000, sizeof *used);
	if (!used || (rc = translate(sql, &s->sql, &s->nparams, used)) != CB_OK) {
		rc = used ? rc : CB_ENOMEM;
		free(used);
		free(s);
		return cb_db_fail(db, rc, rc == CB_ENOMEM ? "out of memory" : "placeholder numbers run from ?1 to ?999");
	}
	size_t np = (size_t)s->nparams;
	if (np && (!(s->p = calloc(np, sizeof *s->p)) || !(s->prepared_types = calloc(np, sizeof(Oid))) ||
		   !(s->vals = calloc(np, sizeof *s->vals)) || !(s->lens = calloc(np, sizeof(int))) ||
		   !(s->fmts = calloc(np, sizeof(int))))) {
		free(s->p);
		free(s->prepared_types);
		free(s->vals);
		free(s->lens);
		free(s->fmts);
		free(s->sql);
		free(s);
		free(used);
		return cb_db_fail(db, CB_ENOMEM, "out of memory");
	}
	s->used = used;
	snprintf(s->name, sizeof s->name, "s%u", ++d->next_id);
	*out = &s->base;
	return CB_OK;
}

static void pg_reset(struct cb_stmt *st)
{
	struct pg_stmt *s = ST(st);
	PQclear(s->res);
	s->res = NULL;
	s->executed = false;
	s->row = s->nrows = 0;
}

static void param_clear(struct pg_param *p)
{
	free(p->owned);
	*p = (struct pg_param){0};
}

static void pg_finalize(struct cb_stmt *st)
{
	struct pg_stmt *s = ST(st);
	struct pg_db *d = DB(st->db);
	pg_reset(st);
	cb_pg_forget(s);
	if (s->prepared && s->gen == d->gen && !lost(d)) {
		char sql[48];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		/* inside a failed transaction this fails too; the name is then left until the connection ends */
		PQclear(PQexec(d->conn, sql));
	}
	for (int i = 0; i < s->nparams; i++)
		param_clear(&s->p[i]);
	free(s->p);
	free(s->prepared_types);
	free(s->used);
	free(s->vals);
	free(s->lens);
	free(s->fmts);
	free(s->scratch);
	free(s->sql);
	free(s);
}

/* Parameter i (from 1), emptied, or NULL when there is none. */
static struct pg_param *param(struct cb_stmt *st, int i)
{
	struct pg_stmt *s = ST(st);
	if (i < 1 || i > s->nparams) {
		cb_db_fail(st->db, CB_EINVAL, "no parameter %d in the statement", i);
		return NULL;
	}
	pg_reset(st); /* binding after a step starts the statement over, as on SQLite after reset */
	param_clear(&s->p[i - 1]);
	return &s->p[i - 1];
}

static void put_be64(char out[8], uint64_t v)
{
	for (int k = 7; k >= 0; k--, v >>= 8)
		out[k] = (char)(v & 0xff);
}

static int pg_bind_int64(struct cb_stmt *st, int i, int64_t v)
{
	struct pg_param *p = param(st, i);
	if (!p)
		return CB_EINVAL;
	*p = (struct pg_param){.type = OID_INT8, .format = 1, .len = 8, .value = p->num};
	put_be64(p->num, (uint64_t)v);
	return CB_OK;
}

static int pg_bind_double(struct cb_stmt *st, int i, double v)
{
	struct pg_param *p = param(st, i);
	uint64_t u;
	if (!p)
		return CB_EINVAL;
	memcpy(&u, &v, 8);
	*p = (struct pg_param){.type = OID_FLOAT8, .format = 1, .len = 8};
	put_be64(p->num, u);
	p->value = p->num;
	return CB_OK;
}

static int bind_bytes(struct cb_stmt *st, int i, const void *v, size_t n, bool copy, Oid type)
{
	struct pg_param *p = param(st, i);
	if (!p)
		return CB_EINVAL;
	if (n > 0x7fffffff)
		return cb_db_fail(st->db, CB_EINVAL, "a value of %zu bytes is too long", n);
	*p = (struct pg_param){.type = type, .format = type == OID_BYTEA, .len = (int)n, .value = v};
	if ((copy || type != OID_BYTEA) && n < sizeof p->small) { /* text goes NUL-terminated: copied to end it */
		memcpy(p->small, v, n);
		p->small[n] = 0;
		p->value = p->small;
	} else if (copy || type != OID_BYTEA) {
		if (!(p->owned = malloc(n + 1)))
			return cb_db_fail(st->db, CB_ENOMEM, "out of memory");
		memcpy(p->owned, v, n);
		p->owned[n] = 0;
		p->value = p->owned;
	}
	return CB_OK;
}

static int pg_bind_text(struct cb_stmt *st, int i, const char *s, size_t n, bool copy)
{
	return bind_bytes(st, i, s, n, copy, 0);
}

static int pg_bind_blob(struct cb_stmt *st, int i, const void *v, size_t n, bool copy)
{
	static const char empty[1];
	return bind_bytes(st, i, n ? v : empty, n, copy, OID_BYTEA);
}

static int pg_bind_null(struct cb_stmt *st, int i)
{
	return param(st, i) ? CB_OK : CB_EINVAL;
}

static int pg_clear_bindings(struct cb_stmt *st)
{
	struct pg_stmt *s = ST(st);
	pg_reset(st);
	for (int i = 0; i < s->nparams; i++)
		param_clear(&s->p[i]);
	return CB_OK;
}

/* Prepares s on the server with the types of its current bindings (text ones `fallback`). */
static PGresult *server_prepare(struct pg_stmt *s, Oid fallback)
{
	struct pg_db *d = DB(s->base.db);
	for (int i = 0; i < s->nparams; i++)
		s->prepared_types[i] = s->p[i].type ? s->p[i].type : s->used[i + 1] ? fallback : OID_TEXT;
	if (s->prepared && s->gen == d->gen) {
		char sql[48];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		PQclear(PQexec(d->conn, sql));
	}
	s->prepared = false;
	return PQprepare(d->conn, s->name, s->sql, s->nparams, s->prepared_types);
}

/* Whether a parameter the statement names is bound to NULL (no type of its own). */
static bool untyped(const struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++)
		if (!s->p[i].type && s->used[i + 1])
			return true;
	return false;
}

static bool types_changed(const struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++)
		if (s->p[i].type && s->p[i].type != s->prepared_types[i])
			return true;
	return false;
}

static int execute(struct pg_stmt *s)
{
	struct pg_db *d = DB(s->base.db);
	PGresult *r;
	int rc;
	if ((rc = pg_ready(d)) != CB_OK || (rc = cb_pg_flush(d)) != CB_OK) /* rows kept back go first */
		return rc;
	if (!s->prepared || s->gen != d->gen || types_changed(s)) {
		if (s->gen != d->gen)
			s->prepared = false; /* the server forgot it with the old connection */
		/* a NULL (or text) bound to a parameter whose type nothing in the statement says fails the prepare
		 * (and, in a transaction, the transaction): then it is prepared again as text, after a savepoint.
		 * PostgreSQL says so with 42P18, or with 42P08 when the parameter's first use is `?1 IS NULL` */
		bool guard = d->tx && untyped(s);
		if (guard)
			PQclear(PQexec(d->conn, "SAVEPOINT cb_prepare"));
		r = server_prepare(s, 0);
		cb_pg_track(d);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			if (state && (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0) && (!d->tx || guard)) {
				PQclear(r);
				if (guard)
					PQclear(PQexec(d->conn, "ROLLBACK TO SAVEPOINT cb_prepare"));
				r = server_prepare(s, OID_TEXT);
				cb_pg_track(d);
			}
		}
		if (guard)
			PQclear(PQexec(d->conn, "RELEASE SAVEPOINT cb_prepare"));
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = cb_pg_fail(d, r);
			PQclear(r);
			return rc;
		}
		PQclear(r);
		s->prepared = true;
		s->gen = d->gen;
	}
	for (int i = 0; i < s->nparams; i++) {
		s->vals[i] = s->p[i].value;
		s->lens[i] = s->p[i].len;
		s->fmts[i] = s->p[i].format;
	}
	r = PQexecPrepared(d->conn, s->name, s->nparams, s->vals, s->lens, s->fmts, 1);
	cb_pg_track(d);
	switch (PQresultStatus(r)) {
	case PGRES_TUPLES_OK:
		s->res = r;
		s->nrows = PQntuples(r);
		s->row = -1;
		return CB_OK;
	case PGRES_COMMAND_OK:
		d->changes = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		s->nrows = 0;
		s->row = -1;
		return CB_OK;
	default:
		rc = cb_pg_fail(d, r);
		PQclear(r);
		return rc;
	}
}

/* A read outside a transaction may be tried again on a new connection: nothing of it was kept, and the
 * server that ended the old one (a restart, a failover) is likely up again.  A write is not: it may have
 * been committed before the connection went. */
static bool retryable(const struct pg_stmt *s, const struct pg_db *d)
{
	return !d->tx && !d->tx_lost && strncasecmp(s->sql, "SELECT", 6) == 0;
}

static int pg_step(struct cb_stmt *st)
{
	struct pg_stmt *s = ST(st);
	int rc;
	if (s->copy_sql && DB(st->db)->tx && !DB(st->db)->tx_lost) /* cb_db_defer: kept for one COPY */
		return cb_pg_defer_row(s);
	if (!s->executed) {
		bool again = retryable(s, DB(st->db));
		if ((rc = execute(s)) == CB_EUNAVAIL && again)
			rc = execute(s);
		if (rc != CB_OK)
			return rc;
		s->executed = true;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return CB_DB_ROW;
	}
	s->row = s->nrows;
	return CB_DB_DONE;
}

/* ---- columns (binary format) */

static bool has_value(struct pg_stmt *s, int i)
{
	return s->res && s->row >= 0 && s->row < s->nrows && i >= 0 && i < PQnfields(s->res) &&
	       !PQgetisnull(s->res, s->row, i);
}

static int pg_column_count(struct cb_stmt *st)
{
	return ST(st)->res ? PQnfields(ST(st)->res) : 0;
}

static uint64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int k = 0; k < n; k++)
		v = v << 8 | p[k];
	return v;
}

static enum cb_db_type pg_column_type(struct cb_stmt *st, int i)
{
	struct pg_stmt *s = ST(st);
	if (!has_value(s, i))
		return CB_DB_NULL;
	switch (PQftype(s->res, i)) {
	case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8: case OID_OID: return CB_DB_INT;
	case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC: return CB_DB_FLOAT;
	case OID_BYTEA: return CB_DB_BLOB;
	default: return CB_DB_TEXT;
	}
}

/* A binary numeric (sum() of bigints is one) as a double: base-10000 digits from `weight`. */
static double numeric_value(const unsigned char *p, int len)
{
	if (len < 8)
		return 0;
	int nd = (int)be(p, 2), weight = (int16_t)be(p + 2, 2), sign = (int)be(p + 4, 2);
	double v = 0;
	for (int k = 0; k < nd && 8 + 2 * k + 1 < len; k++) {
		double dig = (double)be(p + 8 + 2 * k, 2), w = 1;
		int e = weight - k;
		for (int q = 0; q < (e < 0 ? -e : e); q++)
			w *= 10000;
		v += e < 0 ? dig / w : dig * w;
	}
	return sign == 0x4000 ? -v : v;
}

static double number(struct pg_stmt *s, int i, bool *is_int, int64_t *iv)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(s->res, s->row, i);
	int len = PQgetlength(s->res, s->row, i);
	uint64_t u;
	float f;
	double d;
	*is_int = true;
	switch (PQftype(s->res, i)) {
	case OID_BOOL: return (double)(*iv = len >= 1 && p[0]);
	case OID_INT2: return (double)(*iv = (int16_t)be(p, 2));
	case OID_INT4: case OID_OID: return (double)(*iv = (int32_t)be(p, 4));
	case OID_INT8: return (double)(*iv = (int64_t)be(p, 8));
	case OID_FLOAT4:
		u = be(p, 4);
		memcpy(&f, &(uint32_t){(uint32_t)u}, 4);
		*is_int = false;
		return f;
	case OID_FLOAT8:
		u = be(p, 8);
		memcpy(&d, &u, 8);
		*is_int = false;
		return d;
	case OID_NUMERIC:
		*is_int = false;
		return numeric_value(p, len);
	case OID_BYTEA: *iv = 0; return 0;
	default: /* text: as SQLite reads a number from text */
		*is_int = !strpbrk((const char *)p, ".eE");
		*iv = strtoll((const char *)p, NULL, 10);
		return strtod((const char *)p, NULL);
	}
}

static int64_t pg_column_int64(struct cb_stmt *st, int i)
{
	struct pg_stmt *s = ST(st);
	bool is_int;
	int64_t iv = 0;
	if (!has_value(s, i))
		return 0;
	double d = number(s, i, &is_int, &iv);
	return is_int ? iv : (int64_t)d;
}

static double pg_column_double(struct cb_stmt *st, int i)
{
	struct pg_stmt *s = ST(st);
	bool is_int;
	int64_t iv = 0;
	return has_value(s, i) ? number(s, i, &is_int, &iv) : 0;
}

static const char *pg_column_text(struct cb_stmt *st, int i)
{
	struct pg_stmt *s = ST(st);
	if (!has_value(s, i))
		return NULL;
	switch (pg_column_type(st, i)) {
	case CB_DB_INT:
	case CB_DB_FLOAT: {
		if (s->nscratch < PQnfields(s->res)) {
			void *p = realloc(s->scratch, (size_t)PQnfields(s->res) * sizeof *s->scratch);
			if (!p)
				return NULL;
			s->scratch = p;
			s->nscratch = PQnfields(s->res);
		}
		bool is_int;
		int64_t iv = 0;
		double d = number(s, i, &is_int, &iv);
		if (is_int)
			snprintf(s->scratch[i], sizeof s->scratch[i], "%lld", (long long)iv);
		else
			snprintf(s->scratch[i], sizeof s->scratch[i], "%.17g", d);
		return s->scratch[i];
	}
	default: return PQgetvalue(s->res, s->row, i); /* libpq ends every value with a NUL */
	}
}

static const void *pg_column_blob(struct cb_stmt *st, int i)
{
	struct pg_stmt *s = ST(st);
	return has_value(s, i) ? PQgetvalue(s->res, s->row, i) : NULL;
}

static size_t pg_column_bytes(struct cb_stmt *st, int i)
{
	struct pg_stmt *s = ST(st);
	if (!has_value(s, i))
		return 0;
	enum cb_db_type t = pg_column_type(st, i);
	if (t == CB_DB_INT || t == CB_DB_FLOAT) {
		const char *p = pg_column_text(st, i);
		return p ? strlen(p) : 0;
	}
	return (size_t)PQgetlength(s->res, s->row, i);
}

/* ---- connection */

static int pg_exec(struct cb_db *db, const char *sql)
{
	struct pg_db *d = DB(db);
	int rc;
	char begin[96];
	if (strncmp(sql, "BEGIN IMMEDIATE", 15) == 0) { /* SQLite's write lock up front: ours, if one is set */
		if (db->write_lock)
			snprintf(begin, sizeof begin, "BEGIN; SELECT pg_advisory_xact_lock(%lld)", (long long)db->lock_key);
		sql = db->write_lock ? begin : "BEGIN";
	}
	if (strcmp(sql, "ROLLBACK") == 0)
		cb_pg_discard(d); /* rows kept back go with the transaction */
	else if ((rc = cb_pg_flush(d)) != CB_OK) /* ...and are sent before anything else, COMMIT included */
		return rc;
	if (d->tx_lost && strcmp(sql, "ROLLBACK") == 0) { /* the server rolled it back when the connection went */
		d->tx_lost = false;
		return CB_OK;
	}
	if ((rc = pg_ready(d)) != CB_OK)
		return rc;
	PGresult *r = PQexec(d->conn, sql);
	cb_pg_track(d);
	if (d->tx_lost && strcmp(sql, "ROLLBACK") == 0)
		d->tx_lost = false; /* the connection went as it rolled back: the server rolls back all the same */
	ExecStatusType t = PQresultStatus(r);
	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK || t == PGRES_EMPTY_QUERY) {
		if (t == PGRES_COMMAND_OK)
			d->changes = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		return CB_OK;
	}
	rc = cb_pg_fail(d, r);
	PQclear(r);
	return rc;
}

static int pg_begin(struct cb_db *db) { return pg_exec(db, "BEGIN IMMEDIATE"); }

static bool pg_in_tx(struct cb_db *db)
{
	return DB(db)->tx || DB(db)->tx_lost;
}

static int64_t pg_changes(struct cb_db *db) { return DB(db)->changes; }

static int64_t pg_last_insert_id(struct cb_db *db)
{
	PGresult *r = PQexecParams(DB(db)->conn, "SELECT lastval()", 0, NULL, NULL, NULL, NULL, 0);
	int64_t v = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static void pg_close(struct cb_db *db)
{
	PQfinish(DB(db)->conn);
	free(db);
}

static const struct cb_db_ops pg_ops = {
	pg_prepare, pg_finalize, pg_bind_int64, pg_bind_double, pg_bind_text, pg_bind_blob,
	pg_bind_null, pg_clear_bindings, pg_step, pg_reset, pg_column_count, pg_column_type,
	pg_column_int64, pg_column_double, pg_column_text, pg_column_blob, pg_column_bytes, pg_exec,
	pg_begin, pg_in_tx, pg_changes, pg_last_insert_id, pg_close, cb_pg_defer,
};

int cb_db_pg_open(const char *uri, unsigned flags, struct cb_db **out, struct cb_err *err)
{
	struct pg_db *d = calloc(1, sizeof *d);
	int rc;
	if (!d)
		return cb_err_set(err, CB_ENOMEM, "database: out of memory");
	d->base.ops = &pg_ops;
	d->base.kind = CB_DB_PG;
	/* a host that does not answer is given up after CONNECT_TIMEOUT seconds (each host of a multi-host URI
	 * in turn), not the system's TCP timeout of minutes, while a request waits; the URI's own wins */
	const char *const keys[] = {"connect_timeout", "dbname", NULL}, *const vals[] = {CONNECT_TIMEOUT, uri, NULL};
	d->conn = PQconnectdbParams(keys, vals, 1);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		/* libpq's message names host and database, never the password (it is not echoed) */
		char msg[300];
		snprintf(msg, sizeof msg, "%s", d->conn ? PQerrorMessage(d->conn) : "out of memory");
		msg[strcspn(msg, "\n")] = 0;
		rc = cb_err_set(err, CB_EUNAVAIL, "database: cannot connect to PostgreSQL: %s", msg);
		goto fail;
	}
	PQsetNoticeProcessor(d->conn, notice_drop, NULL);
	d->readonly = flags & CB_DB_READONLY;
	if ((rc = session_setup(d)) != CB_OK) {
		rc = cb_err_set(err, rc, "database: %s", d->base.errmsg);
		goto fail;
	}
	*out = &d->base;
	return CB_OK;
fail:
	PQfinish(d->conn);
	free(d);
	return rc;
}
