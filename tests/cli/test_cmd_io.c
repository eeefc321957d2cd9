/*
 * test_cmd_io.c -- import, export and demo as a user runs them: round trips through every format, the
 * import exit statuses and rejected-row report, idempotent re-import, reproducible demo data, identifiers
 * only on request, and a kill -9 in the middle of an import.  On both backends (cbt_db).
 */
#include <fcntl.h>
#include <signal.h>

#include "cb_test.h"

/* The number of cases in a database, from `casebank list` (minus its header line). */
static long count_cases(const char *db)
{
	char *out = NULL;
	assert_int_equal(cbt_run(&out, NULL, "%s list %s | wc -l", cbt_bin(), db), 0);
	long n = strtol(out, NULL, 10) - 1;
	free(out);
	return n;
}

static void make_demo(const char *db, int cases, int seed)
{
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(NULL, NULL, "%s demo %s --cases %d --seed %d", cbt_bin(), db, cases, seed), 0);
}

static void test_demo_is_reproducible(void **state)
{
	(void)state;
	const char *d[3] = {cbt_db("d1.db"), cbt_db("d2.db"), cbt_db("d3.db")};
	make_demo(d[0], 300, 7);
	make_demo(d[1], 300, 7);
	make_demo(d[2], 300, 8);
	assert_int_equal(count_cases(d[0]), 300);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(cbt_run(NULL, NULL, "%s export %s > %s", cbt_bin(), d[i - 1], cbt_path("d%d.jsonl", i)), 0);
	assert_int_equal(cbt_run(NULL, NULL, "cmp -s %s %s", cbt_path("d1.jsonl"), cbt_path("d2.jsonl")), 0);
	assert_int_not_equal(cbt_run(NULL, NULL, "cmp -s %s %s", cbt_path("d1.jsonl"), cbt_path("d3.jsonl")), 0);
}

/* export -> import into a new database -> export again gives the same file. */
static void round_trip(const char *format)
{
	static const char *src; /* made once, for every format */
	const char *dst = cbt_db("rt-%s.db", format);
	const char *a = cbt_path("rt-%s-a", format), *b = cbt_path("rt-%s-b", format);
	char *out = NULL;
	if (!src)
		make_demo(src = cbt_db("rt-src.db"), 400, 3);
	assert_int_equal(cbt_run(NULL, NULL, "%s export %s --format %s > %s", cbt_bin(), src, format, a), 0);
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), dst), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s import %s %s --format %s", cbt_bin(), dst, a, format), 0);
	assert_non_null(strstr(out, "imported 400, rejected 0"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s export %s --format %s > %s", cbt_bin(), dst, format, b), 0);
	assert_int_equal(cbt_run(NULL, NULL, "cmp -s %s %s", a, b), 0);
	/* the same file again adds nothing */
	assert_int_equal(cbt_run(&out, NULL, "%s import %s %s", cbt_bin(), dst, a), 0);
	assert_non_null(strstr(out, "imported 0, rejected 0"));
	free(out);
	assert_int_equal(count_cases(dst), 400);
}

static void test_round_trip_jsonl(void **state)
{
	(void)state;
	round_trip("jsonl");
}

static void test_round_trip_htcds(void **state)
{
	(void)state;
	round_trip("htcds");
}

static void test_round_trip_ctdc(void **state)
{
	(void)state;
	round_trip("ctdc");
}

static void test_import_exit_statuses_and_rejected_rows(void **state)
{
	(void)state;
	const char *db = cbt_db("rej.db"), *f = cbt_path("mixed.jsonl"), *bad = cbt_path("allbad.jsonl");
	char *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	cbt_write(f, "{\"site\": \"UA-KYIV\", \"year\": 2020, \"gender\": \"Masculine\"}\n"
		     "{\"site\": \"UA-KYIV\", \"year\": 2020, \"gender\": \"Mael\", \"first_name\": \"Zorilda\"}\n"
		     "{\"site\": \"UA-KYIV\", \"year\": 2021}\n");
	assert_int_equal(cbt_run(&out, &err, "%s import %s %s", cbt_bin(), db, f), 3);
	assert_non_null(strstr(out, "imported 2, rejected 1"));
	free(out);
	free(err);
	char *rej = cbt_read(cbt_path("mixed.jsonl.rejected.csv"), NULL);
	assert_non_null(rej);
	assert_non_null(strstr(rej, "gender"));
	assert_non_null(strstr(rej, "Mael"));
	assert_non_null(strstr(rej, "2")); /* line number */
	assert_null(strstr(rej, "Zorilda")); /* identifying details withheld */
	free(rej);
	cbt_write(bad, "{\"site\": \"x\", \"year\": 2020}\n");
	assert_int_equal(cbt_run(&out, NULL, "%s import %s %s", cbt_bin(), db, bad), 2);
	assert_non_null(strstr(out, "imported 0, rejected 1"));
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s import %s %s", cbt_bin(), db, cbt_path("no-such-file.csv")), 2);
	assert_non_null(strstr(err, "no-such-file.csv"));
	free(err);
	assert_int_equal(count_cases(db), 2);
}

static void test_identifiers_only_on_request(void **state)
{
	(void)state;
	const char *db = cbt_db("pii.db");
	char *out = NULL;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	cbt_write(cbt_path("pii.json"), "{\"site\": \"UA-KYIV\", \"year\": 2020, \"last_name\": \"Quennethorpe\"}");
	assert_int_equal(cbt_run(NULL, NULL, "%s add %s < %s", cbt_bin(), db, cbt_path("pii.json")), 0);
	static const char *formats[] = {"jsonl", "htcds", "ctdc"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cbt_run(&out, NULL, "%s export %s --format %s", cbt_bin(), db, formats[i]), 0);
		assert_null(strstr(out, "Quennethorpe"));
		free(out);
	}
	assert_int_equal(cbt_run(&out, NULL, "%s export %s --with-identifiers", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "Quennethorpe"));
	free(out);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM events WHERE action = 'export.identifiers'"), 1);
}

/* A kill -9 in the middle of an import leaves only whole cases; importing again completes the file. */
static void test_kill_during_import(void **state)
{
	(void)state;
	const char *src = cbt_db("big.db"), *db = cbt_db("killed.db"), *file = cbt_path("big.jsonl");
	char *out = NULL;
	/* batches of 4096 cases, doubling: the kill comes while the second or a later one is written.  PostgreSQL
	 * writes each batch in seconds where SQLite takes a fraction of one: fewer cases keep the test short */
	const long total = cbt_on_pg() ? 15000 : 60000;
	make_demo(src, (int)total, 11);
	assert_int_equal(cbt_run(NULL, NULL, "%s export %s --with-identifiers > %s", cbt_bin(), src, file), 0);
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", "exec \"$0\" import \"$1\" \"$2\"", cbt_bin(), db, file, (char *)NULL);
		_exit(127);
	}
	/* wait until some batches are committed, then kill without warning */
	long n = 0;
	for (int i = 0; i < 400 && n == 0; i++) {
		usleep(20000);
		n = cbt_sql_int(db, "SELECT count(*) FROM cases");
	}
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFSIGNALED(st)); /* it really was killed mid-way */
	long committed = count_cases(db);
	assert_true(committed > 0 && committed < total);
	assert_int_equal(cbt_run(&out, NULL, "%s check %s", cbt_bin(), db), 0); /* no half case */
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s import %s %s", cbt_bin(), db, file), 0);
	char expect[64];
	snprintf(expect, sizeof expect, "imported %ld, rejected 0", total - committed);
	assert_non_null(strstr(out, expect));
	free(out);
	assert_int_equal(count_cases(db), total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_is_reproducible),
		cmocka_unit_test(test_round_trip_jsonl),
		cmocka_unit_test(test_round_trip_htcds),
		cmocka_unit_test(test_round_trip_ctdc),
		cmocka_unit_test(test_import_exit_statuses_and_rejected_rows),
		cmocka_unit_test(test_identifiers_only_on_request),
		cmocka_unit_test(test_kill_during_import),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
