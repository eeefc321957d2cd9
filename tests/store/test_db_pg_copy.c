/*
 * test_db_pg_copy.c -- cb_db_defer (src/store/db_pg_copy.c) on a real PostgreSQL cluster (tests/cb_pg.h):
 * rows kept back arrive exactly (text with COPY's special characters, bytea, NULL, integers, doubles) before
 * the next statement reads them; a rollback forgets them; a constraint they break fails the commit; outside
 * a transaction a deferred statement runs at once.  The same calls on SQLite give the same results.  On
 * PostgreSQL also: rows streamed while more come (more than one piece), two statements' rows interleaved,
 * integers into narrower columns, a value binary COPY cannot take (text format from then on), a rollback
 * while a COPY is open.
 */
#include "cb_test.h"

#include "cb_pg.h"
#include "store/db.h"

static const char tricky[] = "tab\there\nnew line\\back slash\rend \xc3\xa9";
static const uint8_t blob[5] = {0, '\\', '\t', 0xff, '\n'};

static struct cb_db *fresh(bool pg, const char *name)
{
	struct cb_db *db = NULL;
	struct cb_err err = {0};
	const char *target = pg ? cbt_pg_uri(name, NULL) : cbt_path("%s.sqlite", name);
	unlink(target);
	assert_int_equal(cb_db_open(target, CB_DB_CREATE, &db, &err), CB_OK);
	assert_int_equal(cb_db_exec(db, pg ? "CREATE TABLE t(i BIGINT PRIMARY KEY, d DOUBLE PRECISION, s TEXT, b BYTEA)"
					   : "CREATE TABLE t(i INTEGER PRIMARY KEY, d REAL, s TEXT, b BLOB)"),
			 CB_OK);
	return db;
}

static struct cb_stmt *deferred(struct cb_db *db)
{
	struct cb_stmt *st = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_db_prepare(db, "INSERT INTO t(i, d, s, b) VALUES (?1, ?2, ?3, ?4)", &st, &err), CB_OK);
	assert_int_equal(cb_db_defer(st, "COPY t(i, d, s, b) FROM STDIN"), CB_OK);
	return st;
}

static void put(struct cb_stmt *ins, int64_t i, bool nulls)
{
	assert_int_equal(cb_db_bind_int64(ins, 1, i), CB_OK);
	if (nulls) {
		cb_db_bind_null(ins, 2);
		cb_db_bind_null(ins, 3);
		cb_db_bind_null(ins, 4);
	} else {
		cb_db_bind_double(ins, 2, -1.0 / 3);
		cb_db_bind_text(ins, 3, tricky, -1, false);
		cb_db_bind_blob(ins, 4, blob, sizeof blob, false);
	}
	assert_int_equal(cb_db_step(ins), CB_DB_DONE);
	cb_db_reset(ins);
}

static long long count(struct cb_db *db)
{
	struct cb_stmt *st = NULL;
	assert_int_equal(cb_db_prepare(db, "SELECT count(*) FROM t", &st, NULL), CB_OK);
	assert_int_equal(cb_db_step(st), CB_DB_ROW);
	long long n = cb_db_column_int64(st, 0);
	cb_db_finalize(&st);
	return n;
}

static void same_results(bool pg)
{
	struct cb_db *db = fresh(pg, "defer");
	struct cb_stmt *ins = deferred(db), *sel = NULL;
	assert_int_equal(cb_db_begin(db), CB_OK);
	for (int i = 1; i <= 1000; i++)
		put(ins, i, i % 2 == 0);
	/* the next statement sees them: they were sent before it */
	assert_int_equal(count(db), 1000);
	assert_int_equal(cb_db_prepare(db, "SELECT d, s, b FROM t WHERE i = 1", &sel, NULL), CB_OK);
	assert_int_equal(cb_db_step(sel), CB_DB_ROW);
	assert_true(cb_db_column_double(sel, 0) == -1.0 / 3);
	assert_string_equal(cb_db_column_text(sel, 1), tricky);
	assert_int_equal(cb_db_column_bytes(sel, 2), sizeof blob);
	assert_memory_equal(cb_db_column_blob(sel, 2), blob, sizeof blob);
	cb_db_finalize(&sel);
	assert_int_equal(cb_db_prepare(db, "SELECT count(*) FROM t WHERE s IS NULL AND b IS NULL AND d IS NULL", &sel, NULL),
			 CB_OK);
	assert_int_equal(cb_db_step(sel), CB_DB_ROW);
	assert_int_equal(cb_db_column_int64(sel, 0), 500);
	cb_db_finalize(&sel);
	/* kept back until COMMIT, which sends them */
	put(ins, 1001, false);
	assert_int_equal(cb_db_commit(db), CB_OK);
	assert_int_equal(count(db), 1001);
	/* a rollback forgets what was kept back */
	assert_int_equal(cb_db_begin(db), CB_OK);
	put(ins, 2000, false);
	cb_db_rollback(db);
	assert_int_equal(count(db), 1001);
	/* a row that breaks a constraint fails the statement that sends it (here the commit), and nothing stays */
	assert_int_equal(cb_db_begin(db), CB_OK);
	put(ins, 3000, false);
	if (pg) {
		put(ins, 1, false); /* kept back: no answer yet */
		assert_int_equal(cb_db_commit(db), CB_EEXIST);
		cb_db_rollback(db);
	} else {
		assert_int_equal(cb_db_bind_int64(ins, 1, 1), CB_OK);
		assert_int_equal(cb_db_step(ins), CB_EEXIST);
		cb_db_reset(ins);
		cb_db_rollback(db);
	}
	assert_int_equal(count(db), 1001);
	/* outside a transaction it runs at once */
	put(ins, 4000, true);
	assert_int_equal(count(db), 1002);
	cb_db_finalize(&ins);
	cb_db_close(&db);
}

/* Many rows into two tables at once: one statement's COPY streams while the other's rows wait. */
static void streams(void)
{
	struct cb_db *db = fresh(true, "stream");
	struct cb_stmt *ins = deferred(db), *small = NULL, *sel = NULL;
	assert_int_equal(cb_db_exec(db, "CREATE TABLE u(k INTEGER, h SMALLINT, n NUMERIC, s TEXT)"), CB_OK);
	assert_int_equal(cb_db_prepare(db, "INSERT INTO u(k, h, n, s) VALUES (?1, ?2, ?3, ?4)", &small, NULL), CB_OK);
	assert_int_equal(cb_db_defer(small, "COPY u(k, h, n, s) FROM STDIN"), CB_OK);
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(cb_db_begin(db), CB_OK);
		for (int i = 1; i <= 6000; i++) { /* about 3 pieces of 128 KiB */
			put(ins, i, i % 3 == 0);
			cb_db_bind_int64(small, 1, -i);
			cb_db_bind_int64(small, 2, i % 30000);
			if (i == 4500) /* an integer for a numeric column: the text format from here on */
				cb_db_bind_int64(small, 3, 7);
			else
				cb_db_bind_null(small, 3);
			cb_db_bind_text(small, 4, tricky, -1, false);
			assert_int_equal(cb_db_step(small), CB_DB_DONE);
			cb_db_reset(small);
		}
		if (pass == 0) { /* rolled back with a COPY open */
			cb_db_rollback(db);
			assert_int_equal(count(db), 0);
			continue;
		}
		assert_int_equal(cb_db_commit(db), CB_OK);
	}
	assert_int_equal(count(db), 6000);
	assert_int_equal(cb_db_prepare(db, "SELECT count(*), sum(k), sum(h), sum(n), min(s), max(s) FROM u", &sel, NULL),
			 CB_OK);
	assert_int_equal(cb_db_step(sel), CB_DB_ROW);
	assert_int_equal(cb_db_column_int64(sel, 0), 6000);
	assert_int_equal(cb_db_column_int64(sel, 1), -18003000);
	assert_int_equal(cb_db_column_int64(sel, 2), 18003000);
	assert_int_equal(cb_db_column_int64(sel, 3), 7);
	assert_string_equal(cb_db_column_text(sel, 4), tricky);
	assert_string_equal(cb_db_column_text(sel, 5), tricky);
	cb_db_finalize(&sel);
	assert_int_equal(cb_db_prepare(db, "SELECT d, s, b FROM t WHERE i = 5999", &sel, NULL), CB_OK);
	assert_int_equal(cb_db_step(sel), CB_DB_ROW);
	assert_true(cb_db_column_double(sel, 0) == -1.0 / 3);
	assert_string_equal(cb_db_column_text(sel, 1), tricky);
	assert_memory_equal(cb_db_column_blob(sel, 2), blob, sizeof blob);
	cb_db_finalize(&sel);
	/* a row breaking a constraint, streamed long before the commit, fails it; nothing stays */
	assert_int_equal(cb_db_begin(db), CB_OK);
	put(ins, 5, false);
	for (int i = 30001; i <= 33000; i++)
		put(ins, i, false);
	assert_int_equal(cb_db_commit(db), CB_EEXIST);
	cb_db_rollback(db);
	assert_int_equal(count(db), 6000);
	/* the connection lost while a COPY is open: the transaction went with it, and its commit says so */
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 't%ld_stream'",
		 (long)getpid());
	assert_int_equal(cb_db_begin(db), CB_OK);
	for (int i = 50001; i <= 53000; i++)
		put(ins, i, false);
	cbt_pg_sql("postgres", sql);
	for (int i = 53001; i <= 56000; i++) { /* they fail, now or at the commit */
		cb_db_bind_int64(ins, 1, i);
		cb_db_step(ins);
		cb_db_reset(ins);
	}
	assert_int_not_equal(cb_db_commit(db), CB_OK);
	cb_db_rollback(db);
	assert_int_equal(count(db), 6000); /* on a new connection */
	cb_db_finalize(&small);
	cb_db_finalize(&ins);
	cb_db_close(&db);
}

static void test_pg(void **state)
{
	(void)state;
	same_results(true);
	streams();
}

static void test_sqlite(void **state)
{
	(void)state;
	same_results(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg),
		cmocka_unit_test(test_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
