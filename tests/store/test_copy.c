/*
 * test_copy.c -- `casebank copy SRC DST` (src/store/copy.c) on a real PostgreSQL cluster (tests/cb_pg.h):
 * SQLite -> PostgreSQL -> SQLite gives back every table byte for byte, the same `show` and `export` output,
 * an audit trail that verifies on all three; a DST that exists and a SRC whose trail was tampered with are
 * refused with a non-zero exit and a message that says why, and nothing is written.
 */
#include "cb_test.h"

#include "cb_pg.h"

static const char *uri;

/* Rows of `table` in one file that the other has not (both ways), with b attached to a as `b`. */
static long long differing(sqlite3 *db, const char *table)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;
	char *sql = sqlite3_mprintf(
		 "SELECT (SELECT count(*) FROM (SELECT * FROM main.\"%s\" EXCEPT SELECT * FROM b.\"%s\"))"
		 " + (SELECT count(*) FROM (SELECT * FROM b.\"%s\" EXCEPT SELECT * FROM main.\"%s\"))"
		 " + abs((SELECT count(*) FROM main.\"%s\") - (SELECT count(*) FROM b.\"%s\"))",
		 table, table, table, table, table, table);
	assert_non_null(sql);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_free(sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Every table of file a (including its views' tables, not the views) equals b's; returns how many tables. */
static int assert_same_tables(const char *a, const char *b)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char sql[600], names[64][64];
	int n = 0;
	assert_int_equal(sqlite3_open_v2(a, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS b", b);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM main.sqlite_schema WHERE type = 'table'"
						" AND name NOT LIKE 'sqlite_%'", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < 64)
		snprintf(names[n++], sizeof names[0], "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++)
		if (differing(db, names[i]) != 0)
			fail_msg("table %s of %s differs from %s's", names[i], b, a);
	sqlite3_close(db);
	return n;
}

static char *run_ok(const char *fmt, const char *db, const char *arg)
{
	char *out = NULL, *err = NULL;
	int rc = cbt_run(&out, &err, fmt, cbt_bin(), db, arg ? arg : "");
	if (rc != 0)
		fail_msg("exit %d: %s", rc, err ? err : "");
	free(err);
	return out;
}

static void test_round_trip(void **state)
{
	(void)state;
	const char *a = cbt_path("a.db"), *c = cbt_path("c.db");
	char *out = NULL, *err = NULL;
	uri = cbt_pg_uri("copy", NULL);
	setenv("CASEBANK_KEY_FILE", cbt_path("master.key"), 1);
	free(run_ok("%s init '%s'%s", a, NULL));
	free(run_ok("%s demo '%s' --cases 200 --assistance --duplicates 0.05%s", a, NULL));
	free(run_ok("printf 'a long passphrase 1\\na long passphrase 1\\n' | %s user add '%s' amira --role admin%s", a,
		    NULL));
	free(run_ok("%s release '%s' --year 2024%s", a, NULL));

	out = run_ok("%s copy '%s' '%s'", a, uri);
	assert_non_null(strstr(out, "verified: row counts of"));
	char line[80];
	snprintf(line, sizeof line, "\ncases                  %lld rows\n", cbt_sql_int(a, "SELECT count(*) FROM cases"));
	assert_true(cbt_sql_int(a, "SELECT count(*) FROM cases") >= 200);
	assert_non_null(strstr(out, line));
	free(out);
	out = run_ok("%s copy '%s' '%s'", uri, c);
	assert_non_null(strstr(out, "verified"));
	free(out);
	/* before anything else writes to them: the same rows in every table, keys included */
	assert_true(assert_same_tables(a, c) >= 20);
	assert_int_equal(assert_same_tables(cbt_path("a.db.casekeys"), cbt_path("c.db.casekeys")), 2);

	const char *dbs[] = {a, uri, c};
	char *exports[3], *shows[3];
	for (int i = 0; i < 3; i++) {
		exports[i] = run_ok("%s export '%s' --format jsonl --with-identifiers%s", dbs[i], NULL);
		char id[64] = "";
		const char *p = strstr(exports[i], "\"case_id\"");
		assert_non_null(p);
		assert_int_equal(sscanf(p, "\"case_id\": \"%63[^\"]\"", id) + sscanf(p, "\"case_id\":\"%63[^\"]\"", id) > 0, 1);
		shows[i] = run_ok("%s show '%s' %s --with-identifiers", dbs[i], id);
		out = run_ok("%s audit verify '%s'%s", dbs[i], NULL);
		assert_non_null(strstr(out, "intact"));
		free(out);
	}
	assert_true(strlen(exports[0]) > 1000);
	for (int i = 1; i < 3; i++) {
		assert_string_equal(exports[0], exports[i]);
		assert_string_equal(shows[0], shows[i]);
	}
	for (int i = 0; i < 3; i++) {
		free(exports[i]);
		free(shows[i]);
	}

	/* a DST that exists is refused, and left as it was */
	assert_int_not_equal(cbt_run(&out, &err, "%s copy '%s' '%s'", cbt_bin(), a, c), 0);
	assert_non_null(strstr(err, "already exists"));
	free(out);
	free(err);
	assert_int_not_equal(cbt_run(&out, &err, "%s copy '%s' '%s'", cbt_bin(), c, uri), 0);
	assert_non_null(strstr(err, "holds a casebank database already"));
	free(out);
	free(err);
}

/* A trail altered in SRC would not verify in DST either: the copy says so and makes nothing. */
static void test_tampered_source(void **state)
{
	(void)state;
	const char *c = cbt_path("c.db"), *d = cbt_path("d.db");
	char *out = NULL, *err = NULL;
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(c, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'x' WHERE id = 3",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_not_equal(cbt_run(&out, &err, "%s copy '%s' '%s'", cbt_bin(), c, d), 0);
	assert_non_null(strstr(err, "audit trail does not verify"));
	assert_int_not_equal(access(d, F_OK), 0);
	free(out);
	free(err);
}

/* SQLite to SQLite without CASEBANK_KEY_FILE: DST gets its own key file, the same key, mode 0600. */
static void test_key_file_beside(void **state)
{
	(void)state;
	const char *a = cbt_path("a.db"), *e = cbt_path("e.db");
	struct stat sb;
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s.key'", getenv("CASEBANK_KEY_FILE"), a);
	assert_int_equal(system(cmd), 0);
	unsetenv("CASEBANK_KEY_FILE");
	free(run_ok("%s copy '%s' '%s'", a, e));
	size_t n1 = 0, n2 = 0;
	char *k1 = cbt_read(cbt_path("a.db.key"), &n1), *k2 = cbt_read(cbt_path("e.db.key"), &n2);
	assert_non_null(k1);
	assert_non_null(k2);
	assert_int_equal(n1, n2);
	assert_memory_equal(k1, k2, n1);
	assert_int_equal(stat(cbt_path("e.db.key"), &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	free(k1);
	free(k2);
	free(run_ok("%s audit verify '%s'%s", e, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tampered_source),
		cmocka_unit_test(test_key_file_beside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
