/*
 * test_schema_pg.c -- the PostgreSQL schema (src/store/schema_pg.c) on a real cluster: created once at the
 * current version, the same tables and field columns as a SQLite file, append-only trails that refuse
 * UPDATE, DELETE and TRUNCATE, columns added for fields an older database lacks, versions checked.
 */
#include "cb_test.h"

#include "cb_pg.h"
#include "store/db.h"
#include "store/schema.h"
#include "store/store.h"

static struct cb_db *pg_connect(const char *uri)
{
	struct cb_db *db = NULL;
	struct cb_err err = {0};
	if (cb_db_open(uri, 0, &db, &err) != CB_OK)
		fail_msg("%s", err.msg);
	return db;
}

static void test_create_and_reopen(void **state)
{
	(void)state;
	const char *name = NULL;
	const char *uri = cbt_pg_uri("schema", &name);
	struct cb_db *db = pg_connect(uri);
	struct cb_err err = {0};
	/* an empty database read-only: nothing can be done */
	assert_int_equal(cb_schema_pg_migrate(db, true, &err), CB_EDB);
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_OK);
	assert_int_equal(cbt_pg_int(name, "SELECT value::int FROM meta WHERE key = 'schema_version'"), cb_schema_version());
	/* the tables of a SQLite file, and one column per coded field */
	static const char *const tables[] = {"meta", "cases", "users", "sessions", "glass", "audit", "partners",
		"assistance", "referrals", "followups", "stages", "fingerprint_batches", "releases", "casekeys",
		"blind", "linkage", "links", "link_secondary", "transfers", "assignments", "saved_filters"};
	for (size_t i = 0; i < CB_COUNTOF(tables); i++) {
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT to_regclass('%s') IS NOT NULL::int", tables[i]);
		if (cbt_pg_int(name, sql) != 1)
			fail_msg("no table %s", tables[i]);
	}
	int cols = 0;
	for (int i = 0; i < CB_NFIELDS; i++)
		cols += cb_schema_is_column(&cb_fields[i]);
	assert_int_equal(cbt_pg_int(name, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'cases'"),
			 8 + cols);
	/* opened again (by a second server, say): nothing changes, read-only is fine */
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_OK);
	assert_int_equal(cb_schema_pg_migrate(db, true, &err), CB_OK);
	/* user names are unique whatever their case, as on SQLite (COLLATE NOCASE) */
	assert_int_equal(cb_db_exec(db, "INSERT INTO users(name, role, pwhash, created_at) VALUES ('Amira', 'admin', 'x', 0)"),
			 CB_OK);
	assert_int_equal(cb_db_exec(db, "INSERT INTO users(name, role, pwhash, created_at) VALUES ('amira', 'admin', 'x', 0)"),
			 CB_EEXIST);
	assert_int_equal(cbt_pg_int(name, "SELECT count(*) FROM users WHERE name = 'AMIRA'"), 1);
	cb_db_close(&db);
}

/* The audit trail and the release ledger refuse to lose rows, TRUNCATE included. */
static void test_append_only(void **state)
{
	(void)state;
	const char *uri = cbt_pg_uri("appendonly", NULL);
	struct cb_db *db = pg_connect(uri);
	struct cb_err err = {0};
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_OK);
	assert_int_equal(cb_db_exec(db, "INSERT INTO audit(id, at_ms, \"user\", from_addr, action, hash)"
					" VALUES (1, 0, 'a', 'cli', 'case.add', '\\x00')"), CB_OK);
	assert_int_equal(cb_db_exec(db, "UPDATE audit SET action = 'x'"), CB_EDB);
	assert_non_null(strstr(cb_db_errmsg(db), "append-only"));
	assert_int_equal(cb_db_exec(db, "DELETE FROM audit"), CB_EDB);
	assert_int_equal(cb_db_exec(db, "TRUNCATE audit"), CB_EDB);
	/* a row not yet chained (hash NULL) may still get its hash, as on SQLite */
	assert_int_equal(cb_db_exec(db, "INSERT INTO audit(id, at_ms, \"user\", from_addr, action)"
					" VALUES (2, 0, 'a', 'cli', 'case.add')"), CB_OK);
	assert_int_equal(cb_db_exec(db, "UPDATE audit SET hash = '\\x01' WHERE id = 2"), CB_OK);
	assert_int_equal(cb_db_exec(db, "INSERT INTO releases(year, made_at, rho, cases, data) VALUES (2020, 0, 0.5, 10, '\\x00')"),
			 CB_OK);
	assert_int_equal(cb_db_exec(db, "UPDATE releases SET rho = 0.1"), CB_EDB);
	assert_int_equal(cb_db_exec(db, "DELETE FROM releases"), CB_EDB);
	assert_int_equal(cb_db_exec(db, "TRUNCATE releases"), CB_EDB);
	/* the events view reads the trail */
	struct cb_stmt *st = NULL;
	assert_int_equal(cb_db_prepare(db, "SELECT count(*) FROM events WHERE \"user\" = 'a'", &st, &err), CB_OK);
	assert_int_equal(cb_db_step(st), CB_DB_ROW);
	assert_int_equal(cb_db_column_int64(st, 0), 2);
	cb_db_finalize(&st);
	cb_db_close(&db);
}

/* A database made before a field existed gets its column; a newer one is refused. */
static void test_upgrade(void **state)
{
	(void)state;
	const char *name = NULL;
	const char *uri = cbt_pg_uri("upgrade", &name);
	struct cb_db *db = pg_connect(uri);
	struct cb_err err = {0};
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_OK);
	assert_int_equal(cb_db_exec(db, "INSERT INTO cases(case_id, version, created_at, updated_at, record_key, status)"
					" VALUES ('\\x00000000000000000000000000000001', 1, 0, 0, 7, 'Closed')"), CB_OK);
	assert_int_equal(cb_db_exec(db, "ALTER TABLE cases DROP COLUMN case_stage"), CB_OK);
	assert_int_equal(cb_schema_pg_migrate(db, true, &err), CB_EDB); /* read-only: an upgrade is due */
	assert_non_null(strstr(err.msg, "upgrade"));
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_OK);
	/* and the stage backfilled from the status, as on SQLite */
	assert_int_equal(cbt_pg_int(name, "SELECT count(*) FROM cases WHERE case_stage = 'closed'"), 1);
	/* step 15 on a database made at 14: the linkage counter, moved by the linkage rows (one statement, one
	 * move) and by a case's office, not by its other columns */
	assert_int_equal(cb_db_exec(db, "DROP TRIGGER linkage_gen ON linkage; DELETE FROM meta WHERE key = 'linkage_gen';"
					" UPDATE meta SET value = '14' WHERE key = 'schema_version'"), CB_OK);
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_OK);
	assert_int_equal(cbt_pg_int(name, "SELECT value::int FROM meta WHERE key = 'schema_version'"), cb_schema_version());
	assert_int_equal(cbt_pg_int(name, "SELECT value::int FROM meta WHERE key = 'linkage_gen'"), 0);
	assert_int_equal(cb_db_exec(db, "INSERT INTO linkage(seq, toks) VALUES (1, '\\x00'), (2, '\\x00')"), CB_OK);
	assert_int_equal(cbt_pg_int(name, "SELECT value::int FROM meta WHERE key = 'linkage_gen'"), 1);
	assert_int_equal(cb_db_exec(db, "UPDATE cases SET status = 'Active'"), CB_OK);
	assert_int_equal(cbt_pg_int(name, "SELECT value::int FROM meta WHERE key = 'linkage_gen'"), 1);
	assert_int_equal(cb_db_exec(db, "UPDATE cases SET site = 'MD-CHISINAU'"), CB_OK);
	assert_int_equal(cbt_pg_int(name, "SELECT value::int FROM meta WHERE key = 'linkage_gen'"), 2);
	assert_int_equal(cb_db_exec(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'"), CB_OK);
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_EDB);
	assert_non_null(strstr(err.msg, "newer"));
	assert_false(cb_db_in_tx(db));
	cb_db_close(&db);
}

/* Offices already in use join the managed list (cb_schema_adopt_sites): the same statement as on SQLite,
 * a country only for a code that starts with two capital letters and a dash; and the commands that use it. */
static void test_adopt_sites(void **state)
{
	(void)state;
	const char *name = NULL;
	const char *uri = cbt_pg_uri("adopt", &name);
	struct cb_db *db = pg_connect(uri);
	struct cb_err err = {0};
	assert_int_equal(cb_schema_pg_migrate(db, false, &err), CB_OK);
	assert_int_equal(cb_db_exec(db, "INSERT INTO cases(case_id, version, created_at, updated_at, record_key, site)"
					" VALUES ('\\x00000000000000000000000000000001', 1, 0, 0, 7, 'MD-CHISINAU'),"
					" ('\\x00000000000000000000000000000002', 1, 0, 0, 8, 'md-lower'),"
					" ('\\x00000000000000000000000000000003', 1, 0, 0, 9, 'M1-DIGIT')"), CB_OK);
	assert_int_equal(cb_schema_adopt_sites(db, &err), CB_OK);
	assert_int_equal(cb_db_changes(db), 3);
	assert_int_equal(cbt_pg_int(name, "SELECT count(*) FROM sites WHERE code = 'MD-CHISINAU' AND country = 'MD'"
					  " AND created_at > 1700000000"), 1);
	assert_int_equal(cbt_pg_int(name, "SELECT count(*) FROM sites WHERE code IN ('md-lower', 'M1-DIGIT') AND country = ''"), 2);
	assert_int_equal(cb_schema_adopt_sites(db, &err), CB_OK); /* once */
	assert_int_equal(cbt_pg_int(name, "SELECT count(*) FROM sites"), 3);
	cb_db_close(&db);
	/* init, demo (which adopts its offices) and site list on a fresh database */
	uri = cbt_pg_uri("demo", &name);
	char *out = NULL;
	const char *key = cbt_path("demo.key");
	assert_int_equal(cbt_run(NULL, NULL, "CASEBANK_KEY_FILE='%s' %s init '%s' </dev/null", key, cbt_bin(), uri), 0);
	assert_int_equal(cbt_run(NULL, NULL, "CASEBANK_KEY_FILE='%s' %s demo '%s' --cases 30", key, cbt_bin(), uri), 0);
	assert_int_equal(cbt_run(&out, NULL, "CASEBANK_KEY_FILE='%s' %s site list '%s'", key, cbt_bin(), uri), 0);
	assert_non_null(strstr(out, "\tenabled\t"));
	free(out);
	assert_true(cbt_pg_int(name, "SELECT count(*) FROM sites") > 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_reopen),
		cmocka_unit_test(test_append_only),
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_adopt_sites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
