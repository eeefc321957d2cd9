/*
 * copy.c -- `casebank copy SRC DST` (copy.h): a whole database moved between SQLite and PostgreSQL.
 *
 * The copy goes below the store's rules, table by table through the database seam (db.h), so that it holds
 * for tables added later without being taught them: what is copied is every table of SRC, column by column
 * by name, and SRC and DST must have the same tables and columns (both at the current schema).  Nothing is
 * unsealed: identifying details, wrapped case keys and the audit trail's hashes are bytes, written as read,
 * which is also why both sides must use the same master key.  The audit chain moves with its head (meta), so
 * it verifies on DST as it did on SRC; the copy itself is not audited (DST's trail is SRC's, unchanged).
 *
 * Order matters for foreign keys: parents first (KNOWN below), then the rest by name.  Case keys are committed
 * before the cases, as everywhere in the store (store.c).  On PostgreSQL, identity columns are written as
 * given (OVERRIDING SYSTEM VALUE) and their sequences moved past the highest id afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "store/copy.h"
#include "store/store_impl.h"

#define MAX_TABLES 96
#define MAX_COLS 256
#define NAME_MAX_LEN 64

/* Parents before children (REFERENCES in schema.c / schema_pg.c); tables not listed follow, by name. */
static const char *const KNOWN[] = {"users", "partners", "cases", "audit", "sessions", "glass", "user_prefs"};

struct names {
	int n;
	char v[MAX_TABLES > MAX_COLS ? MAX_TABLES : MAX_COLS][NAME_MAX_LEN];
};

/* Names from a one-column query (a table name bound as ?1 when `arg`). */
static int read_names(struct cb_db *db, const char *sql, const char *arg, int max, struct names *out,
		      struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc, r;
	out->n = 0;
	if ((rc = cb_db_prepare(db, sql, &st, err)) != CB_OK)
		return rc;
	if (arg)
		cb_db_bind_text(st, 1, arg, -1, false);
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		const char *name = cb_db_column_text(st, 0);
		if (!name || strlen(name) >= NAME_MAX_LEN || strchr(name, '"') || out->n == max) {
			rc = cb_err_set(err, CB_EDB, "copy: unexpected table or column name %s", name ? name : "(null)");
			goto out;
		}
		snprintf(out->v[out->n++], NAME_MAX_LEN, "%s", name);
	}
	if (r != CB_DB_DONE)
		rc = cb_db_err(db, err, "copy: schema");
out:
	cb_db_finalize(&st);
	return rc;
}

static int tables_of(struct cb_db *db, struct names *out, struct cb_err *err)
{
	return read_names(db,
			  cb_db_kind(db) == CB_DB_PG
				  ? "SELECT table_name::text FROM information_schema.tables WHERE table_schema ="
				    " current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
				  : "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
				    " ORDER BY 1",
			  NULL, MAX_TABLES, out, err);
}

static int columns_of(struct cb_db *db, const char *table, struct names *out, struct cb_err *err)
{
	return read_names(db,
			  cb_db_kind(db) == CB_DB_PG
				  ? "SELECT column_name::text FROM information_schema.columns WHERE table_schema ="
				    " current_schema() AND table_name = ?1 ORDER BY ordinal_position"
				  : "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
			  table, MAX_COLS, out, err);
}

static bool has(const struct names *n, const char *name)
{
	for (int i = 0; i < n->n; i++)
		if (strcmp(n->v[i], name) == 0)
			return true;
	return false;
}

/* The connection that holds `table`: the case keys are a file of their own on SQLite. */
static struct cb_db *conn(struct cb_store *s, const char *table)
{
	return strcmp(table, "casekeys") == 0 ? s->kdb : s->db;
}

/* SRC's tables in copying order, checked against DST's: the same set, and per table the same columns. */
static int plan(struct cb_store *src, struct cb_store *dst, struct names *order, struct cb_err *err)
{
	struct names *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b), *ca = calloc(1, sizeof *ca),
		     *cbs = calloc(1, sizeof *cbs);
	int rc = CB_ENOMEM;
	if (!a || !b || !ca || !cbs)
		goto out;
	if ((rc = tables_of(src->db, a, err)) != CB_OK || (rc = tables_of(dst->db, b, err)) != CB_OK)
		goto out;
	/* SQLite: casekeys is in the key file (its meta there holds only the key check, which DST has) */
	if (!has(a, "casekeys"))
		snprintf(a->v[a->n++], NAME_MAX_LEN, "casekeys");
	if (!has(b, "casekeys"))
		snprintf(b->v[b->n++], NAME_MAX_LEN, "casekeys");
	for (int i = 0; i < a->n; i++)
		if (!has(b, a->v[i])) {
			rc = cb_err_set(err, CB_EDB, "copy: the source has a table %s the destination has not "
						     "(is one casebank older than the other?)", a->v[i]);
			goto out;
		}
	for (int i = 0; i < b->n; i++)
		if (!has(a, b->v[i])) {
			rc = cb_err_set(err, CB_EDB, "copy: the destination has a table %s the source has not "
						     "(open the source read-write once with this casebank to upgrade it)",
					b->v[i]);
			goto out;
		}
	for (int i = 0; i < a->n; i++) {
		if ((rc = columns_of(conn(src, a->v[i]), a->v[i], ca, err)) != CB_OK ||
		    (rc = columns_of(conn(dst, a->v[i]), a->v[i], cbs, err)) != CB_OK)
			goto out;
		for (int j = 0; j < ca->n; j++)
			if (!has(cbs, ca->v[j])) {
				rc = cb_err_set(err, CB_EDB, "copy: column %s.%s of the source is not in the destination",
						a->v[i], ca->v[j]);
				goto out;
			}
		for (int j = 0; j < cbs->n; j++)
			if (!has(ca, cbs->v[j])) {
				rc = cb_err_set(err, CB_EDB, "copy: column %s.%s of the destination is not in the source",
						a->v[i], cbs->v[j]);
				goto out;
			}
	}
	order->n = 0;
	for (size_t k = 0; k < CB_COUNTOF(KNOWN); k++)
		if (has(a, KNOWN[k]))
			snprintf(order->v[order->n++], NAME_MAX_LEN, "%s", KNOWN[k]);
	for (int i = 0; i < a->n; i++) {
		bool known = false;
		for (size_t k = 0; k < CB_COUNTOF(KNOWN); k++)
			known |= strcmp(a->v[i], KNOWN[k]) == 0;
		if (!known)
			snprintf(order->v[order->n++], NAME_MAX_LEN, "%s", a->v[i]);
	}
	rc = CB_OK;
out:
	if (rc == CB_ENOMEM)
		cb_err_set(err, rc, "out of memory");
	free(a);
	free(b);
	free(ca);
	free(cbs);
	return rc;
}

/* Binds column i of the source row to parameter i + 1 of the insert, by the value's own type. */
static int bind_from(struct cb_stmt *ins, struct cb_stmt *sel, int i)
{
	switch (cb_db_column_type(sel, i)) {
	case CB_DB_NULL: return cb_db_bind_null(ins, i + 1);
	case CB_DB_INT: return cb_db_bind_int64(ins, i + 1, cb_db_column_int64(sel, i));
	case CB_DB_FLOAT: return cb_db_bind_double(ins, i + 1, cb_db_column_double(sel, i));
	case CB_DB_TEXT: return cb_db_bind_text(ins, i + 1, cb_db_column_text(sel, i), (long)cb_db_column_bytes(sel, i), false);
	case CB_DB_BLOB: return cb_db_bind_blob(ins, i + 1, cb_db_column_blob(sel, i), cb_db_column_bytes(sel, i), false);
	}
	return CB_EINVAL;
}

/* Copies one table's rows (meta: all but schema_version, each SQLite's and PostgreSQL's own; DST's rows of
 * the same keys are replaced).  *rows: how many. */
static int copy_table(struct cb_store *src, struct cb_store *dst, const char *table, long long *rows,
		      struct cb_err *err)
{
	struct names *cols = calloc(1, sizeof *cols);
	struct cb_buf sel = {0}, ins = {0};
	struct cb_stmt *s = NULL, *d = NULL;
	struct cb_db *sdb = conn(src, table), *ddb = conn(dst, table);
	const bool meta = strcmp(table, "meta") == 0;
	int rc, r;
	*rows = 0;
	if (!cols)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	if ((rc = columns_of(sdb, table, cols, err)) != CB_OK)
		goto out;
	/* DST's own meta goes (its audit head, and a fingerprint hash SRC may not use): SRC's replaces it */
	if (meta && (rc = cb_db_exec(ddb, "DELETE FROM meta WHERE key <> 'schema_version'")) != CB_OK) {
		rc = cb_db_err(ddb, err, "copy: meta");
		goto out;
	}
	rc = CB_ENOMEM;
	if (cb_buf_printf(&sel, "SELECT ") || cb_buf_printf(&ins, "INSERT INTO \"%s\"(", table))
		goto out;
	for (int i = 0; i < cols->n; i++)
		if (cb_buf_printf(&sel, "%s\"%s\"", i ? ", " : "", cols->v[i]) ||
		    cb_buf_printf(&ins, "%s\"%s\"", i ? ", " : "", cols->v[i]))
			goto out;
	if (cb_buf_printf(&sel, " FROM \"%s\"%s", table, meta ? " WHERE key <> 'schema_version'" : "") ||
	    cb_buf_printf(&ins, ") %sVALUES (", cb_db_kind(ddb) == CB_DB_PG ? "OVERRIDING SYSTEM VALUE " : ""))
		goto out;
	for (int i = 0; i < cols->n; i++)
		if (cb_buf_printf(&ins, "%s?%d", i ? ", " : "", i + 1))
			goto out;
	if (cb_buf_printf(&ins, ")%s", meta ? " ON CONFLICT(key) DO UPDATE SET value = excluded.value" : "") ||
	    cb_buf_append(&sel, "", 1) || cb_buf_append(&ins, "", 1))
		goto out;
	if ((rc = cb_db_prepare(sdb, (const char *)sel.data, &s, err)) != CB_OK ||
	    (rc = cb_db_prepare(ddb, (const char *)ins.data, &d, err)) != CB_OK)
		goto out;
	while ((r = cb_db_step(s)) == CB_DB_ROW) {
		for (int i = 0; i < cols->n; i++)
			if ((rc = bind_from(d, s, i)) != CB_OK) {
				rc = cb_err_set(err, rc, "copy: %s: cannot bind column %s", table, cols->v[i]);
				goto out;
			}
		if ((r = cb_db_step(d)) != CB_DB_DONE) {
			rc = cb_db_err(ddb, err, table);
			goto out;
		}
		cb_db_reset(d);
		++*rows;
	}
	rc = r == CB_DB_DONE ? CB_OK : cb_db_err(sdb, err, table);
out:
	cb_db_finalize(&s);
	cb_db_finalize(&d);
	cb_buf_free(&sel);
	cb_buf_free(&ins);
	free(cols);
	return rc;
}

/* PostgreSQL: every identity column's sequence past the highest id copied, so the next insert gets a new one. */
static int move_sequences(struct cb_db *db, struct cb_err *err)
{
	struct cb_stmt *st = NULL, *set = NULL;
	struct cb_buf sql = {0};
	int rc, r;
	if ((rc = cb_db_prepare(db, "SELECT table_name::text, column_name::text FROM information_schema.columns"
				    " WHERE table_schema = current_schema() AND is_identity = 'YES'", &st, err)) != CB_OK)
		return rc;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		const char *t = cb_db_column_text(st, 0), *c = cb_db_column_text(st, 1);
		cb_buf_reset(&sql);
		if (!t || !c || strchr(t, '"') || strchr(c, '"') ||
		    cb_buf_printf(&sql, "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), m) FROM"
					" (SELECT max(\"%s\") AS m FROM \"%s\") x WHERE m IS NOT NULL%c", t, c, c, t, 0)) {
			rc = cb_err_set(err, CB_EDB, "copy: sequence of %s.%s", t ? t : "?", c ? c : "?");
			goto out;
		}
		if ((rc = cb_db_prepare(db, (const char *)sql.data, &set, err)) != CB_OK)
			goto out;
		while ((r = cb_db_step(set)) == CB_DB_ROW)
			;
		cb_db_finalize(&set);
		if (r != CB_DB_DONE) {
			rc = cb_db_err(db, err, "copy: sequences");
			goto out;
		}
	}
	rc = r == CB_DB_DONE ? CB_OK : cb_db_err(db, err, "copy: sequences");
out:
	cb_db_finalize(&st);
	cb_db_finalize(&set);
	cb_buf_free(&sql);
	return rc;
}

static int count_rows(struct cb_db *db, const char *table, long long *n, struct cb_err *err)
{
	char sql[160];
	struct cb_stmt *st = NULL;
	int rc;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"%s", table,
		 strcmp(table, "meta") == 0 ? " WHERE key <> 'schema_version'" : "");
	if ((rc = cb_db_prepare(db, sql, &st, err)) != CB_OK)
		return rc;
	if (cb_db_step(st) == CB_DB_ROW)
		*n = cb_db_column_int64(st, 0);
	else
		rc = cb_db_err(db, err, table);
	cb_db_finalize(&st);
	return rc;
}

/* A SQLite DST without $CASEBANK_KEY_FILE gets its own DST.key: a copy of SRC's key file (new, mode 0600);
 * then $CASEBANK_KEY_FILE names it while this process creates DST, so that init does not draw a new key. */
static int share_key(const char *src, const char *dst, struct cb_err *err)
{
	char skey[4096], dkey[4096];
	uint8_t buf[4096];
	const char *env = getenv("CASEBANK_KEY_FILE");
	if ((env && *env) || cb_db_is_uri(dst))
		return CB_OK; /* one file for both (a PostgreSQL DST needs it named: store.c says so) */
	cb_store_keyfile(src, skey, sizeof skey);
	cb_store_keyfile(dst, dkey, sizeof dkey);
	int in = open(skey, O_RDONLY | O_CLOEXEC), out = -1, rc = CB_OK;
	ssize_t n = in < 0 ? -1 : read(in, buf, sizeof buf);
	if (n <= 0) {
		rc = cb_err_set(err, CB_EKEY, "%s: cannot read the source's key file", skey);
		goto out;
	}
	if ((out = open(dkey, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		rc = cb_err_set(err, errno == EEXIST ? CB_EEXIST : CB_EIO, "%s: %s", dkey,
				errno == EEXIST ? "a key file is there already; move it away or set CASEBANK_KEY_FILE"
						: strerror(errno));
		goto out;
	}
	if (write(out, buf, (size_t)n) != n || fsync(out) != 0) {
		rc = cb_err_set(err, CB_EIO, "%s: cannot write: %s", dkey, strerror(errno));
		unlink(dkey);
		goto out;
	}
	if (setenv("CASEBANK_KEY_FILE", dkey, 1) != 0)
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
out:
	sodium_memzero(buf, sizeof buf);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* Copies every table, case keys first and committed first. */
static int copy_all(struct cb_store *src, struct cb_store *dst, const struct names *order, long long *rows,
		    FILE *log, struct cb_err *err)
{
	int rc;
	const bool pg = cb_db_kind(dst->db) == CB_DB_PG;
	/* one snapshot of the source: a server still running on it cannot make the tables disagree */
	if ((rc = cb_db_exec(src->db, cb_db_kind(src->db) == CB_DB_PG ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
									 : "BEGIN")) != CB_OK)
		return cb_db_err(src->db, err, "copy: source");
	for (int pass = 0; pass < 2; pass++) { /* 0: the key store, 1: the rest */
		struct cb_db *ddb = pass ? dst->db : dst->kdb;
		if ((rc = cb_db_begin(ddb)) != CB_OK) {
			rc = cb_db_err(ddb, err, "copy: destination");
			goto out;
		}
		if (!pg && pass && (rc = cb_db_exec(ddb, "PRAGMA defer_foreign_keys = ON")) != CB_OK) {
			rc = cb_db_err(ddb, err, "copy");
			goto fail;
		}
		for (int i = 0; i < order->n; i++) {
			if ((strcmp(order->v[i], "casekeys") == 0) == (pass == 1))
				continue;
			if ((rc = copy_table(src, dst, order->v[i], &rows[i], err)) != CB_OK)
				goto fail;
			if (log)
				fprintf(log, "%-22s %lld rows\n", order->v[i], rows[i]);
		}
		if (pg && pass && (rc = move_sequences(ddb, err)) != CB_OK)
			goto fail;
		if ((rc = cb_db_commit(ddb)) != CB_OK) {
			rc = cb_db_err(ddb, err, "copy: commit");
			goto fail;
		}
		continue;
	fail:
		cb_db_rollback(ddb);
		goto out;
	}
out:
	cb_db_exec(src->db, "ROLLBACK");
	return rc;
}

/* The counts of every table on DST against SRC's, and DST's audit chain against SRC's length. */
static int verify(const char *dst_path, struct cb_store *src, const struct names *order, const long long *rows,
		  int64_t src_audit, FILE *log, struct cb_err *err)
{
	struct cb_store *dst = NULL;
	int64_t checked = 0, bad = 0;
	int rc;
	if ((rc = cb_store_open(dst_path, CB_OPEN_READONLY, &dst, err)) != CB_OK)
		return rc;
	for (int i = 0; i < order->n; i++) {
		long long ns = -1, nd = -2;
		if ((rc = count_rows(conn(src, order->v[i]), order->v[i], &ns, err)) != CB_OK ||
		    (rc = count_rows(conn(dst, order->v[i]), order->v[i], &nd, err)) != CB_OK)
			goto out;
		if (nd != rows[i] || ns != nd) {
			rc = cb_err_set(err, CB_ECORRUPT, "copy: table %s: %lld rows in the source, %lld copied, %lld in the "
							  "destination", order->v[i], ns, rows[i], nd);
			goto out;
		}
	}
	if ((rc = cb_audit_verify(dst, &checked, &bad, err)) != CB_OK)
		goto out;
	if (checked != src_audit) {
		rc = cb_err_set(err, CB_ECORRUPT, "copy: the audit trail has %lld entries in the source, %lld in the "
						  "destination", (long long)src_audit, (long long)checked);
		goto out;
	}
	if (log)
		fprintf(log, "verified: row counts of %d tables, audit trail of %lld entries\n", order->n,
			(long long)checked);
out:
	cb_store_free(&dst);
	return rc;
}

int cb_store_copy(const char *src_path, const char *dst_path, FILE *log, struct cb_err *err)
{
	struct cb_store *src = NULL, *dst = NULL;
	struct names *order = calloc(1, sizeof *order);
	long long *rows = calloc(MAX_TABLES, sizeof *rows);
	int64_t src_audit = 0, bad = 0;
	int rc;
	if (!order || !rows) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = cb_store_open(src_path, CB_OPEN_READONLY, &src, err)) != CB_OK)
		goto out;
	/* a trail that does not verify here would not verify there either: say so before writing anything */
	if ((rc = cb_audit_verify(src, &src_audit, &bad, err)) != CB_OK) {
		char why[sizeof err->msg];
		snprintf(why, sizeof why, "%s", err ? err->msg : "");
		rc = cb_err_set(err, rc, "copy: the source's audit trail does not verify (%s); nothing copied", why);
		goto out;
	}
	if (!cb_db_is_uri(dst_path) && access(dst_path, F_OK) == 0) { /* before a key file is made for it */
		rc = cb_err_set(err, CB_EEXIST, "%s: the database already exists", dst_path);
		goto out;
	}
	if ((rc = share_key(src_path, dst_path, err)) != CB_OK || (rc = cb_store_create(dst_path, err)) != CB_OK ||
	    (rc = cb_store_open(dst_path, 0, &dst, err)) != CB_OK || (rc = plan(src, dst, order, err)) != CB_OK ||
	    (rc = copy_all(src, dst, order, rows, log, err)) != CB_OK)
		goto out;
	cb_store_free(&dst);
	rc = verify(dst_path, src, order, rows, src_audit, log, err);
out:
	cb_store_free(&dst);
	cb_store_free(&src);
	free(order);
	free(rows);
	return rc;
}
