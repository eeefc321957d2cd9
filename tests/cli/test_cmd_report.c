/*
 * test_cmd_report.c -- `casebank report` as a user runs it: nothing before a statistical release, every
 * output written from the releases of a demo database (tables that add up), options in any order, the usage
 * errors and their exit statuses, and the database left untouched.
 */
#include "cb_test.h"

static char db[512]; /* cbt_db's buffers rotate: keep a copy */

static int setup(void **state)
{
	(void)state;
	snprintf(db, sizeof db, "%s", cbt_db("r.db"));
	if (cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db) != 0 ||
	    cbt_run(NULL, NULL, "%s demo %s --cases 3000 --seed 5", cbt_bin(), db) != 0 ||
	    cbt_run(NULL, NULL, "%s release %s", cbt_bin(), db) != 0)
		return -1;
	return 0;
}

/* The count of the CSV line that starts with key ("2016-2020,Total"), or -1. */
static long csv_count(const char *csv, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = csv; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ',')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

/* The sum of the counts of the lines that start with prefix, but for its Total. */
static long csv_sum(const char *csv, const char *prefix)
{
	size_t pl = strlen(prefix);
	long sum = 0;
	for (const char *p = csv; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, pl) && strncmp(p + pl, "Total,", 6)) {
			const char *c = NULL;
			for (const char *q = p; *q && *q != '\n'; q++)
				c = *q == ',' ? q : c;
			if (c)
				sum += strtol(c + 1, NULL, 10);
		}
	return sum;
}

/* Before any release there is no report, and nothing is written. */
static void test_needs_release(void **state)
{
	(void)state;
	char *err = NULL;
	const char *empty = cbt_db("empty.db");
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), empty), 0);
	assert_int_equal(cbt_run(NULL, &err, "%s report %s --out %s", cbt_bin(), empty, cbt_path("none.html")), 5);
	assert_non_null(strstr(err, "no statistical release yet: an administrator runs `casebank release DB`"));
	assert_int_not_equal(access(cbt_path("none.html"), F_OK), 0);
	free(err);
}

static void test_all_outputs(void **state)
{
	(void)state;
	char *err = NULL;
	int rc = cbt_run(NULL, &err, "%s report %s --out %s --csv %s --xlsx %s", cbt_bin(), db, cbt_path("r.html"),
			 cbt_path("csv"), cbt_path("r.xlsx"));
	if (rc != 0)
		fail_msg("exit %d: %s", rc, err);
	free(err);
	char *html = cbt_read(cbt_path("r.html"), NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "<section id=\"t-destination_country\""));
	assert_non_null(strstr(html, "Estimates from the differentially private releases of 2002-2025"));
	assert_null(strstr(html, "cell key method"));
	assert_non_null(strstr(html, "</html>"));
	free(html);
	char *csv = cbt_read(cbt_path("csv/gender.csv"), NULL);
	assert_non_null(csv);
	assert_memory_equal(csv, "year_group,gender,count\n", 24);
	/* one synthetic caseload: a year group's total is the sum of its cells, the grand total the caseload's */
	long total = csv_count(csv, "2016-2020,Total");
	assert_true(total > 500);
	assert_int_equal(csv_sum(csv, "2016-2020,"), total);
	char *caseload = cbt_read(cbt_path("csv/caseload.csv"), NULL);
	assert_non_null(caseload);
	assert_true(csv_count(caseload, "Total") > 2000);
	assert_int_equal(csv_count(csv, "Total,Total"), csv_count(caseload, "Total"));
	assert_int_equal(csv_sum(caseload, ""), csv_count(caseload, "Total"));
	free(caseload);
	free(csv);
	assert_int_equal(cbt_run(NULL, NULL, "unzip -tq %s", cbt_path("r.xlsx")), 0);
}

/* Options before the database and a filter; the filter is printed with the report. */
static void test_options_anywhere(void **state)
{
	(void)state;
	assert_int_equal(cbt_run(NULL, NULL, "%s report --where 'year >= 2015' --out %s %s", cbt_bin(),
				 cbt_path("f.html"), db),
			 0);
	char *html = cbt_read(cbt_path("f.html"), NULL);
	assert_non_null(html);
	assert_non_null(strstr(html, "year &gt;= 2015"));
	free(html);
}

static void test_usage_errors(void **state)
{
	(void)state;
	char *err = NULL;
	/* nowhere to write */
	assert_int_equal(cbt_run(NULL, &err, "%s report %s", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "--out"));
	free(err);
	/* a bad filter names the mistake; nothing is written */
	assert_int_equal(cbt_run(NULL, &err, "%s report %s --out %s --where 'colour = blue'", cbt_bin(), db,
				 cbt_path("bad.html")),
			 2);
	assert_non_null(strstr(err, "colour"));
	assert_int_not_equal(access(cbt_path("bad.html"), F_OK), 0);
	free(err);
	/* so does a filter on a field the releases do not hold */
	assert_int_equal(cbt_run(NULL, &err, "%s report %s --out %s --where 'site = US-HOUSTON'", cbt_bin(), db,
				 cbt_path("bad.html")),
			 2);
	assert_non_null(strstr(err, "site is not in the statistical releases and cannot be filtered on"));
	assert_int_not_equal(access(cbt_path("bad.html"), F_OK), 0);
	free(err);
	/* no database */
	assert_int_equal(cbt_run(NULL, NULL, "%s report %s --out %s", cbt_bin(), cbt_path("none.db"),
				 cbt_path("n.html")),
			 1);
	/* an unknown option, a missing database argument */
	assert_int_equal(cbt_run(NULL, NULL, "%s report %s --out %s --colour", cbt_bin(), db, cbt_path("n.html")), 2);
	assert_int_equal(cbt_run(NULL, NULL, "%s report --out %s", cbt_bin(), cbt_path("n.html")), 2);
	/* an output that cannot be written */
	assert_int_equal(cbt_run(NULL, NULL, "%s report %s --out %s", cbt_bin(), db, cbt_path("nodir/x.html")), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_release),
		cmocka_unit_test(test_all_outputs),
		cmocka_unit_test(test_options_anywhere),
		cmocka_unit_test(test_usage_errors),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
