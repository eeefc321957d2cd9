/*
 * cb_test.h -- helpers shared by the cmocka tests: a scratch directory per test binary, running the
 * casebank binary, reading files.  Header-only so that each tests/<concern>/test_<file>.c stays one file.
 *
 * The binary under test is $CASEBANK_BIN (scripts/run-tests.sh sets ./casebank or the sanitized build).
 * Databases come from cbt_db: SQLite files, or PostgreSQL databases when CASEBANK_TEST_DB=pg.
 */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

/* A fresh directory under /tmp, removed at exit.  Returns a static path. */
static char cbt_dir_path[256];
static void cbt_dir_cleanup(void)
{
	char cmd[300];
	if (cbt_dir_path[0] && !getenv("CBT_KEEP")) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", cbt_dir_path);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", cbt_dir_path);
	}
}
static inline const char *cbt_dir(void)
{
	if (!cbt_dir_path[0]) {
		snprintf(cbt_dir_path, sizeof cbt_dir_path, "/tmp/cbtest.XXXXXX");
		if (!mkdtemp(cbt_dir_path))
			abort();
		atexit(cbt_dir_cleanup);
	}
	return cbt_dir_path;
}

/* A path inside the scratch directory; returns a static buffer (one of 8 in rotation). */
static inline const char *cbt_path(const char *fmt, ...)
{
	static char bufs[8][512];
	static int next;
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	char *b = bufs[next++ % 8];
	snprintf(b, 512, "%s/%s", cbt_dir(), name);
	return b;
}

static inline const char *cbt_bin(void)
{
	const char *b = getenv("CASEBANK_BIN");
	return b && *b ? b : "./casebank";
}

/* Runs a shell command line (printf-style; name the binary with cbt_bin()), in braces so that its own
 * redirections win; captures stdout and stderr into malloc'd strings (either may be NULL to discard).
 * Returns the exit status as system() gives it, or -1. */
static inline int cbt_run(char **out, char **err, const char *fmt, ...)
{
	char cmd[8192], o[600], e[600];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof cmd - 1300, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof cmd - 1300)
		return -1;
	snprintf(o, sizeof o, "%s/.stdout", cbt_dir());
	snprintf(e, sizeof e, "%s/.stderr", cbt_dir());
	/* braces, so that the command's own redirections win over the capture */
	memmove(cmd + 2, cmd, (size_t)n + 1);
	memcpy(cmd, "{ ", 2);
	snprintf(cmd + n + 2, sizeof cmd - (size_t)n - 2, "; } >'%s' 2>'%s'", o, e);
	int st = system(cmd);
	char **dst[2] = {out, err};
	const char *src[2] = {o, e};
	for (int i = 0; i < 2; i++) {
		if (!dst[i])
			continue;
		FILE *f = fopen(src[i], "rb");
		size_t cap = 1 << 16, len = 0;
		char *buf = malloc(cap);
		size_t r;
		while (f && buf && (r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
			len += r;
			if (cap - len < 2) {
				char *nb = realloc(buf, cap *= 2);
				if (!nb) {
					free(buf);
					buf = NULL;
					break;
				}
				buf = nb;
			}
		}
		if (buf)
			buf[len] = 0;
		if (f)
			fclose(f);
		*dst[i] = buf;
	}
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The backend the store tests run on: SQLite files, or with CASEBANK_TEST_DB=pg (scripts/run-tests.sh's
 * second pass) fresh databases of a PostgreSQL cluster (tests/cb_pg.h). */
static inline int cbt_on_pg(void)
{
	const char *b = getenv("CASEBANK_TEST_DB");
	return b && strcmp(b, "pg") == 0;
}

/* A test that holds only on SQLite (files, WAL, checkpoints, file modes, schema steps) begins with this: on
 * pg it is skipped (cmocka counts it so), saying why. */
#define cbt_sqlite_only(why)                                                                                   \
	do {                                                                                                   \
		if (cbt_on_pg()) {                                                                             \
			print_message("[     SKIP ] SQLite only: %s\n", why);                                     \
			skip();                                                                                \
		}                                                                                              \
	} while (0)

/* Whether to run the part of a test that holds only on SQLite; on pg it is left out, and the log says why. */
static inline int cbt_sqlite_part(const char *why)
{
	if (!cbt_on_pg())
		return 1;
	print_message("[     PART ] SQLite only, left out: %s\n", why);
	return 0;
}

#include "cb_pg.h"

/* A new database's DB argument, stable for the life of the test binary: a path in the scratch directory (no
 * file yet), or on pg a fresh empty PostgreSQL database's URI.  On pg the databases of the binary share one
 * master key file, which CASEBANK_KEY_FILE names (set here unless the test set it, so that casebank child
 * processes see it too), and PGUSER names the cluster's user: the URI has no '&' that a shell command line
 * would take for its own. */
static inline const char *cbt_db(const char *fmt, ...)
{
	static char dbs[64][512];
	static int next;
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	char *b = dbs[next++ % 64];
	if (!cbt_on_pg()) {
		snprintf(b, 512, "%s", cbt_path("%s", name));
		return b;
	}
	char pgname[48]; /* a PostgreSQL name has at most 63 bytes; cbt_pg_uri adds t<pid>_ */
	snprintf(pgname, sizeof pgname, "%.40s", name);
	for (char *c = pgname; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
			*c = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : '_';
	const char *dbname = NULL;
	cbt_pg_uri_from(pgname, cbt_pg_template(), &dbname);
	setenv("PGUSER", "casebank", 1);
	setenv("CASEBANK_KEY_FILE", cbt_path("pg-master.key"), 0);
	snprintf(b, 512, "postgresql:///%s?host=%s", dbname, cbt_pg_dir());
	return b;
}

static inline int cbt_is_uri(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0;
}

/* Runs SQL on a database directly, not through the store: a file's SQLite or a URI's PostgreSQL.  Into *v
 * (may be NULL) the first column of the first row (-1 when no row).  Waits for a writer that holds a SQLite
 * file for a moment (a server or scheduler under test). */
static inline void cbt_sql(const char *db, const char *sql, long long *v)
{
	if (v)
		*v = -1;
	if (cbt_is_uri(db)) {
		PGconn *c = PQconnectdb(db);
		if (PQstatus(c) != CONNECTION_OK)
			fail_msg("%s: %s", db, PQerrorMessage(c));
		PQsetNoticeProcessor(c, cbt_pg_notice, NULL);
		PGresult *r = PQexec(c, sql);
		ExecStatusType t = PQresultStatus(r);
		if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQerrorMessage(c));
		if (v && t == PGRES_TUPLES_OK && PQntuples(r) > 0) {
			const char *x = PQgetvalue(r, 0, 0); /* as SQLite reads them: a boolean 1 or 0, a NULL 0 */
			*v = strcmp(x, "t") == 0 ? 1 : strcmp(x, "f") == 0 ? 0 : strtoll(x, NULL, 10);
		}
		PQclear(r);
		PQfinish(c);
		return;
	}
	sqlite3 *s = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(s, 2000);
	const char *tail = sql;
	while (tail && *tail) {
		if (sqlite3_prepare_v2(s, tail, -1, &st, &tail) != SQLITE_OK)
			fail_msg("%s: %s", sql, sqlite3_errmsg(s));
		if (!st)
			break;
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && v)
			*v = sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			fail_msg("%s: %s", sql, sqlite3_errmsg(s));
		sqlite3_finalize(st);
		st = NULL;
	}
	sqlite3_close(s);
}

/* A single integer from SQL run on a database directly (cbt_sql); -1 when no row. */
static inline long long cbt_sql_int(const char *db, const char *sql)
{
	long long v = -1;
	cbt_sql(db, sql, &v);
	return v;
}

/* Reads a whole file (binary-safe); *len gets its size.  NULL if missing. */
static inline char *cbt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = 0;
	if (len)
		*len = (size_t)n;
	fclose(f);
	return b;
}

static inline void cbt_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* True if needle (n bytes) occurs anywhere in the file; for "no plain text on disk" checks. */
static inline int cbt_file_contains(const char *path, const void *needle, size_t n)
{
	size_t len = 0;
	char *b = cbt_read(path, &len);
	int found = 0;
	if (b && len >= n)
		for (size_t i = 0; i + n <= len && !found; i++)
			found = memcmp(b + i, needle, n) == 0;
	free(b);
	return found;
}

/* Whether SQL runs on a database directly without an error (for what a trigger or a permission refuses). */
static inline int cbt_sql_ok(const char *db, const char *sql)
{
	int ok;
	if (cbt_is_uri(db)) {
		PGconn *c = PQconnectdb(db);
		if (PQstatus(c) != CONNECTION_OK)
			fail_msg("%s: %s", db, PQerrorMessage(c));
		PQsetNoticeProcessor(c, cbt_pg_notice, NULL);
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		PQfinish(c);
		return ok;
	}
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(h, 2000);
	ok = sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(h);
	return ok;
}

/* The declared type of a column (upper case: INTEGER, TEXT, BIGINT...), or "" when the table has no such
 * column.  A static buffer. */
static inline const char *cbt_db_column(const char *db, const char *table, const char *column)
{
	static char type[64];
	char sql[400];
	type[0] = 0;
	if (cbt_is_uri(db)) {
		snprintf(sql, sizeof sql, "SELECT upper(data_type) FROM information_schema.columns WHERE table_schema = "
					  "current_schema() AND table_name = '%s' AND column_name = '%s'", table, column);
		PGconn *c = PQconnectdb(db);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", sql, PQerrorMessage(c));
		if (PQntuples(r) > 0)
			snprintf(type, sizeof type, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
		return type;
	}
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	snprintf(sql, sizeof sql, "SELECT upper(type) FROM pragma_table_info('%s') WHERE name = '%s'", table, column);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(type, sizeof type, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(h);
	return type;
}

/* The master key file of db as casebank finds it: $CASEBANK_KEY_FILE, else DB.key beside a SQLite file.
 * A static buffer, one of 8 in rotation. */
static inline const char *cbt_db_key(const char *db)
{
	static char bufs[8][600];
	static int next;
	char *b = bufs[next++ % 8];
	const char *env = getenv("CASEBANK_KEY_FILE");
	if (env && *env)
		snprintf(b, 600, "%s", env);
	else
		snprintf(b, 600, "%s.key", db);
	return b;
}

/* Where db keeps its case keys, for cbt_sql: DB.casekeys beside a SQLite file, the database itself on
 * PostgreSQL.  A static buffer, one of 8 in rotation. */
static inline const char *cbt_db_keys(const char *db)
{
	static char bufs[8][600];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, 600, cbt_is_uri(db) ? "%s" : "%s.casekeys", db);
	return b;
}

/* The schema version of db: PRAGMA user_version on SQLite, meta's schema_version on PostgreSQL. */
static inline long long cbt_db_version(const char *db)
{
	return cbt_sql_int(db, cbt_is_uri(db) ? "SELECT value::bigint FROM meta WHERE key = 'schema_version'"
					      : "PRAGMA user_version");
}

/* Runs a statement with one blob parameter (?1; $1 on PostgreSQL, made from it here) on a database directly
 * and copies the first column of the first row, if it is a blob of at most max bytes, into out; returns its
 * size (0 when no row or no blob). */
static inline size_t cbt_sql_blob(const char *db, const char *sql, const void *param, size_t plen, void *out,
				  size_t max)
{
	size_t n = 0;
	if (cbt_is_uri(db)) {
		char q[2048];
		snprintf(q, sizeof q, "%s", sql);
		for (char *p = q; (p = strstr(p, "?1")) != NULL;)
			*p = '$';
		PGconn *c = PQconnectdb(db);
		if (PQstatus(c) != CONNECTION_OK)
			fail_msg("%s: %s", db, PQerrorMessage(c));
		const char *vals[1] = {param};
		int lens[1] = {(int)plen}, fmts[1] = {1};
		PGresult *r = PQexecParams(c, q, 1, NULL, vals, lens, fmts, 1);
		if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
			fail_msg("%s: %s", sql, PQerrorMessage(c));
		if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) && PQftype(r, 0) == 17 /* bytea */) {
			n = (size_t)PQgetlength(r, 0, 0);
			assert_true(n <= max);
			memcpy(out, PQgetvalue(r, 0, 0), n);
		}
		PQclear(r);
		PQfinish(c);
		return n;
	}
	sqlite3 *s = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(db, &s, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(s, 2000);
	assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, param, (int)plen, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		fail_msg("%s: %s", sql, sqlite3_errmsg(s));
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_BLOB) {
		n = (size_t)sqlite3_column_bytes(st, 0);
		assert_true(n <= max);
		memcpy(out, sqlite3_column_blob(st, 0), n);
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	return n;
}

/* True if needle occurs anywhere in the database: in any of a SQLite database's files (main, WAL, case
 * keys), or on PostgreSQL in any row of any table, as text or as the hex of a bytea column. */
static inline int cbt_db_holds(const char *db, const char *needle)
{
	if (!cbt_is_uri(db)) {
		static const char *const suffixes[] = {"", "-wal", ".casekeys", ".casekeys-wal"};
		char f[600];
		int found = 0;
		for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes && !found; i++) {
			snprintf(f, sizeof f, "%s%s", db, suffixes[i]);
			found = cbt_file_contains(f, needle, strlen(needle));
		}
		return found;
	}
	static const char sql[] =
		"SELECT count(*) FROM pg_tables t, LATERAL (SELECT query_to_xml(format('SELECT r::text FROM %I r', "
		"t.tablename), false, false, '')::text AS x) q WHERE t.schemaname = current_schema() AND "
		"(strpos(q.x, $1) > 0 OR strpos(q.x, encode(convert_to($1, 'UTF8'), 'hex')) > 0)";
	PGconn *c = PQconnectdb(db);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", db, PQerrorMessage(c));
	PGresult *r = PQexecParams(c, sql, 1, NULL, &needle, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		fail_msg("cbt_db_holds: %s", PQerrorMessage(c));
	int found = atoi(PQgetvalue(r, 0, 0)) > 0;
	PQclear(r);
	PQfinish(c);
	return found;
}

/* Makes every append of `action` to db's audit trail fail (a trigger, which a running server's connections
 * meet at their next statement), or lets them through again (action NULL). */
static inline void cbt_refuse_audit(const char *db, const char *action)
{
	char sql[600];
	if (cbt_is_uri(db)) {
		cbt_sql(db, "DROP TRIGGER IF EXISTS cbt_refuse ON audit", NULL);
		snprintf(sql, sizeof sql,
			 "CREATE OR REPLACE FUNCTION cbt_refuse() RETURNS trigger LANGUAGE plpgsql AS"
			 " $$BEGIN RAISE EXCEPTION 'audit refused by the test'; END$$;"
			 " CREATE TRIGGER cbt_refuse BEFORE INSERT ON audit FOR EACH ROW WHEN (NEW.action = '%s')"
			 " EXECUTE FUNCTION cbt_refuse()", action ? action : "");
	} else {
		cbt_sql(db, "DROP TRIGGER IF EXISTS cbt_refuse", NULL);
		snprintf(sql, sizeof sql,
			 "CREATE TRIGGER cbt_refuse BEFORE INSERT ON audit WHEN NEW.action = '%s'"
			 " BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END", action ? action : "");
	}
	if (action)
		cbt_sql(db, sql, NULL);
}

/* Drops one of the triggers that keep the audit trail append-only (audit_no_update, audit_no_delete), as
 * somebody with the database's own rights could: for the tests that the trail's chain finds such edits. */
static inline void cbt_drop_audit_guard(const char *db, const char *trigger)
{
	char sql[200];
	snprintf(sql, sizeof sql, "DROP TRIGGER %s%s", trigger, cbt_is_uri(db) ? " ON audit" : "");
	cbt_sql(db, sql, NULL);
}

#endif
