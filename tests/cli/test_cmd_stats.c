/*
 * test_cmd_stats.c -- `casebank stats` and `casebank ptable` (src/cli/cmd_stats.c) run as a user would:
 * formats, errors with their column and exit status 2, --exact recorded as an event, the ptable exported
 * owner-only in the ONS layout, imported back, regenerated from parameters, and the settings; formula-like
 * values neutralised in CSV.
 */
#include <sqlite3.h>

#include "cb_test.h"
#include "util/cb.h"

static const char *db;

static int setup(void **state)
{
	(void)state;
	db = strdup(cbt_path("s.db")); /* cbt_path reuses its buffers */
	if (cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db) != 0 ||
	    cbt_run(NULL, NULL, "%s demo %s --cases 3000 --seed 4", cbt_bin(), db) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free((char *)db);
	return 0;
}

static long events(const char *action)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long n = -1;
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*) FROM events WHERE action = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static void test_formats(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(&out, &err, "%s stats %s --by gender,year --where 'year >= 2015'", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "Gender (rows) by Year of registration (columns)"));
	assert_non_null(strstr(out, "cell key method"));
	assert_null(strstr(out, "\n2010 ")); /* empty years are left out of the text table */
	free(out);
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by exploitation_type --format csv --percent", cbt_bin(), db), 0);
	const char *head = "exploitation_type,count,percent\nForcedLabour,";
	assert_int_equal(strncmp(out, head, strlen(head)), 0);
	assert_non_null(strstr(out, "\nTotal,"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by majority --format=json", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "\"threshold\": 10"));
	free(out);
}

/* An office code may start with '-' ("-A1"): a spreadsheet would read that cell of the CSV as the formula
 * -A1.  It is written behind a ' and in quotes; counts (numbers) stay as they are. */
static void test_csv_formulas_neutralised(void **state)
{
	(void)state;
	char *csv = NULL;
	struct cb_buf b = {0};
	const char *f = strdup(cbt_path("f.db")), *in = cbt_path("f.csv");
	cb_buf_printf(&b, "x_site,x_year,prs_Gender,x_consent_statistics\n");
	for (int i = 0; i < 30; i++)
		cb_buf_printf(&b, "%s,%d,Feminine,yes\n", i % 2 ? "-A1" : "NORTH", 2015 + i % 5);
	cbt_write(in, b.data);
	cb_buf_free(&b);
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s && %s import %s %s", cbt_bin(), f, cbt_bin(), f, in), 0);
	/* exact counts: the office is no dimension of the analysts' releases, and the CSV writer is the same */
	assert_int_equal(cbt_run(&csv, NULL, "%s stats %s --by site --format csv --exact", cbt_bin(), f), 0);
	assert_non_null(strstr(csv, "\n\"'-A1\","));
	assert_null(strstr(csv, "\n-A1"));
	assert_non_null(strstr(csv, "\nNORTH,"));
	free(csv);
	free((char *)f);
}

static void test_errors(void **state)
{
	(void)state;
	char *err = NULL;
	assert_int_equal(cbt_run(NULL, &err, "%s stats %s --by gender --where 'gender = Femme'", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "casebank: stats: column 10: 'Femme' is not a value of gender"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s stats %s --by shoe_size", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "unknown dimension 'shoe_size'"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s stats %s", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "--by is required"));
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "%s stats %s --by a,b,c,d", cbt_bin(), db), 2);
	assert_int_equal(cbt_run(NULL, NULL, "%s stats %s --by gender --format xml", cbt_bin(), db), 2);
	assert_int_equal(cbt_run(NULL, &err, "%s stats %s --by gender", cbt_bin(), cbt_path("none.db")), 1);
	free(err);
}

static void test_exact_is_recorded(void **state)
{
	(void)state;
	char *out = NULL;
	long before = events("stats.exact");
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by gender --exact --format csv", cbt_bin(), db), 0);
	assert_int_equal(events("stats.exact"), before + 1);
	free(out);
}

static void test_ptable(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	const char *file = cbt_path("pt.csv");
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s --show", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "D=4"));
	assert_non_null(strstr(out, "threshold: 10"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s stats %s --by site --format csv > %s", cbt_bin(), db,
				 cbt_path("before.csv")), 0);
	assert_int_equal(cbt_run(NULL, &err, "%s ptable %s --export %s", cbt_bin(), db, file), 0);
	free(err);
	struct stat sb;
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600); /* the ptable is secret */
	assert_int_equal(events("ptable.export"), 1);
	size_t len = 0;
	char *csv = cbt_read(file, &len);
	long lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += csv[i] == '\n';
	assert_int_equal(lines, 192001);
	free(csv);

	/* a different table changes published values; importing the exported one restores them */
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --generate D=5,V=4.5,js=3", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "D=5"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --import %s", cbt_bin(), db, file), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s --show", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "imported"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s stats %s --by site --format csv > %s", cbt_bin(), db,
				 cbt_path("after.csv")), 0);
	char *a = cbt_read(cbt_path("before.csv"), NULL), *b = cbt_read(cbt_path("after.csv"), NULL);
	assert_string_equal(a, b);
	free(a);
	free(b);

	assert_int_equal(cbt_run(NULL, &err, "%s ptable %s --generate D=4,V=1,js=2", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "variance of at least 2"));
	free(err);
	cbt_write(cbt_path("bad.csv"), "pcv,ckey,pvalue\n1,0,0\n");
	assert_int_equal(cbt_run(NULL, &err, "%s ptable %s --import %s", cbt_bin(), db, cbt_path("bad.csv")), 2);
	assert_non_null(strstr(err, "192000"));
	free(err);

	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --threshold 20 --require-consent yes", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by gender --format json", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "\"threshold\": 20"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --threshold 0", cbt_bin(), db), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_csv_formulas_neutralised),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_exact_is_recorded),
		cmocka_unit_test(test_ptable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
