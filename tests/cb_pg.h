/*
 * cb_pg.h -- a real PostgreSQL server for the tests: the cluster scripts/pg-cluster.sh starts in a temporary
 * directory (on its Unix socket only), and a fresh database in it per call of cbt_pg_uri.
 *
 * When $CASEBANK_TEST_PG names a running cluster's directory (scripts/run-tests.sh starts one for the whole
 * PostgreSQL pass), the tests use it; otherwise the first call starts one for this test binary, stopped at
 * exit.  A missing postgresql-15 fails the test, with what to install: it is never skipped quietly.
 */
/* cb_test.h first, also when a test includes this header first: cb_test.h includes it in turn, midway, and
 * its helpers above that point are what this one uses. */
#include "cb_test.h"

#ifndef CB_PG_H
#define CB_PG_H

#include <libpq-fe.h>

static char cbt_pg_dir_path[256];
static int cbt_pg_own;

static void cbt_pg_stop(void)
{
	char cmd[400];
	if (cbt_pg_own && cbt_pg_dir_path[0] && !getenv("CBT_KEEP")) {
		snprintf(cmd, sizeof cmd, "sh scripts/pg-cluster.sh stop '%s'", cbt_pg_dir_path);
		if (system(cmd) != 0)
			fprintf(stderr, "could not stop the cluster in %s\n", cbt_pg_dir_path);
	}
}

/* The directory (and socket directory) of the test cluster. */
static inline const char *cbt_pg_dir(void)
{
	if (cbt_pg_dir_path[0])
		return cbt_pg_dir_path;
	const char *env = getenv("CASEBANK_TEST_PG");
	if (env && *env) {
		snprintf(cbt_pg_dir_path, sizeof cbt_pg_dir_path, "%s", env);
		return cbt_pg_dir_path;
	}
	FILE *p = popen("sh scripts/pg-cluster.sh start", "r");
	if (!p || !fgets(cbt_pg_dir_path, sizeof cbt_pg_dir_path, p)) {
		fprintf(stderr, "cb_pg.h: cannot start a PostgreSQL cluster (is postgresql-15 installed? make deps)\n");
		if (p)
			pclose(p);
		fail();
	}
	int st = pclose(p);
	cbt_pg_dir_path[strcspn(cbt_pg_dir_path, "\n")] = 0;
	if (st != 0 || !cbt_pg_dir_path[0])
		fail_msg("cb_pg.h: scripts/pg-cluster.sh start failed");
	cbt_pg_own = 1;
	atexit(cbt_pg_stop);
	return cbt_pg_dir_path;
}

static void cbt_pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* "database ... does not exist, skipping" */
}

/* Runs SQL as the cluster's superuser on database `dbname`; fails the test if the server refuses. */
static inline void cbt_pg_sql(const char *dbname, const char *sql)
{
	char conninfo[512];
	snprintf(conninfo, sizeof conninfo, "host=%s user=casebank dbname=%s", cbt_pg_dir(), dbname);
	PGconn *c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cb_pg.h: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, cbt_pg_notice, NULL);
	PGresult *r = PQexec(c, sql);
	ExecStatusType t = PQresultStatus(r);
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
		fail_msg("cb_pg.h: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* An integer from SQL on database `dbname` (-1 when there is no row). */
static inline long long cbt_pg_int(const char *dbname, const char *sql)
{
	char conninfo[512];
	long long v = -1;
	snprintf(conninfo, sizeof conninfo, "host=%s user=casebank dbname=%s", cbt_pg_dir(), dbname);
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fail_msg("cb_pg.h: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return v;
}

/* The template of the databases cbt_db makes (cb_test.h): template1 with citext already in it, so that a
 * new database is quicker to make and to give its schema (casebank's own CREATE EXTENSION is then a no-op;
 * cbt_pg_uri's databases still make it themselves).  Made once per cluster. */
static inline const char *cbt_pg_template(void)
{
	static int made;
	if (!made) {
		if (cbt_pg_int("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'cbt_template'") == 0) {
			cbt_pg_sql("postgres", "CREATE DATABASE cbt_template IS_TEMPLATE true");
			cbt_pg_sql("cbt_template", "CREATE EXTENSION citext");
		}
		made = 1;
	}
	return "cbt_template";
}

/* A fresh, empty database `t<pid>_<name>` copied from `template`, and its URI (a static buffer, one of 8 in
 * rotation); *dbname (may be NULL) gets the database's name, in a static buffer of the same rotation. */
static inline const char *cbt_pg_uri_from(const char *name, const char *template, const char **dbname)
{
	static char uris[8][512], names[8][128];
	static int next;
	int k = next++ % 8;
	char sql[400];
	snprintf(names[k], sizeof names[k], "t%ld_%s", (long)getpid(), name);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", names[k]);
	cbt_pg_sql("postgres", sql);
	/* a small template is copied quicker file by file than through the WAL */
	snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE \"%s\" STRATEGY FILE_COPY", names[k], template);
	cbt_pg_sql("postgres", sql);
	snprintf(uris[k], sizeof uris[k], "postgresql:///%s?host=%s&user=casebank", names[k], cbt_pg_dir());
	if (dbname)
		*dbname = names[k];
	return uris[k];
}

/* A fresh, empty database copied from template1, as an administrator would make one. */
static inline const char *cbt_pg_uri(const char *name, const char **dbname)
{
	return cbt_pg_uri_from(name, "template1", dbname);
}

#endif
