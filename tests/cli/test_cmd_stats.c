/*
 * test_cmd_stats.c -- `casebank stats`, `casebank release` and `casebank ptable` (src/cli/cmd_stats.c) run as a
 * user would: no statistics before a release, the release and its ledger, tables counted from the releases
 * (consistent with each other, naming the releases they come from) in each format, errors with their column
 * and exit status 2 (a field that is not released among them), --exact from the records and recorded as an
 * event, the ptable exported owner-only in the ONS layout, imported back, regenerated from parameters, and
 * the settings; formula-like values neutralised in CSV.
 */
#include <math.h>
#include <stdbool.h>

#include <jansson.h>

#include "cb_test.h"
#include "util/cb.h"

static const char *db;

/* The demo database, with a release of each of its years. */
static int setup(void **state)
{
	(void)state;
	db = strdup(cbt_db("s.db")); /* cbt_db reuses its buffers */
	if (cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db) != 0 ||
	    cbt_run(NULL, NULL, "%s demo %s --cases 3000 --seed 4", cbt_bin(), db) != 0 ||
	    cbt_run(NULL, NULL, "%s release %s", cbt_bin(), db) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free((char *)db);
	return 0;
}

/* The count of the CSV line whose leading fields are key ("2019,Feminine"), or -1; comment lines skipped. */
static long csv_count(const char *csv, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = csv; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (*p != '#' && !strncmp(p, key, kl) && p[kl] == ',')
			return strtol(p + kl + 1, NULL, 10);
	return -1;
}

/* Calls fn for each data line of a CSV table (not the comments, not the header) with its first field. */
static void csv_rows(const char *csv, void (*fn)(const char *value, long count, void *ctx), void *ctx)
{
	bool header = true;
	for (const char *p = csv; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (*p == '#' || *p == '\n')
			continue;
		if (header) {
			header = false;
			continue;
		}
		char value[128];
		size_t n = strcspn(p, ",\n");
		assert_true(n < sizeof value && p[n] == ',');
		snprintf(value, sizeof value, "%.*s", (int)n, p);
		fn(value, strtol(p + n + 1, NULL, 10), ctx);
	}
}

static void add_up(const char *value, long count, void *ctx)
{
	long *sum = ctx;
	if (strcmp(value, "Total"))
		*sum += count;
}

/* The cells of a filtered table are the matching row of the unfiltered one: rowkey "2019" of table `all`. */
struct row_check {
	const char *all, *rowkey;
	int n;
};
static void same_as_row(const char *value, long count, void *ctx)
{
	struct row_check *rc = ctx;
	char key[160];
	snprintf(key, sizeof key, "%s,%s", rc->rowkey, value);
	if (csv_count(rc->all, key) != count)
		fail_msg("%s: %ld in the filtered table, %ld in the full one", key, count, csv_count(rc->all, key));
	rc->n++;
}

static long lines_with(const char *text, const char *needle)
{
	long n = 0;
	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static long events(const char *action)
{
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE action = '%s'", action);
	return (long)cbt_sql_int(db, sql);
}

/* Before any release an analyst gets no table, a data manager the exact one; `release` measures each year
 * once (an unchanged year is not measured again, a year's cap holds), and the tables count its synthetic
 * cases. */
static void test_needs_release(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	char *fresh = strdup(cbt_db("fresh.db"));
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s && %s demo %s --cases 200 --seed 4", cbt_bin(), fresh, cbt_bin(),
				 fresh),
			 0);
	assert_int_equal(cbt_run(&out, &err, "%s stats %s --by gender", cbt_bin(), fresh), 5);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "casebank: stats: no statistical release yet"));
	assert_non_null(strstr(err, "`casebank release DB`"));
	free(out);
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by gender --exact --format csv", cbt_bin(), fresh), 0);
	assert_true(csv_count(out, "Total") > 100);
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s release %s --ledger", cbt_bin(), fresh), 0);
	assert_non_null(strstr(out, "no release yet"));
	free(out);

	/* two years only (a release takes its time per year; setup releases every year of its database) */
	assert_int_equal(cbt_run(&out, NULL, "%s release %s --year 2018 --year 2019", cbt_bin(), fresh), 0);
	long years = 0, synthetic = 0, nonempty = 0;
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		int y;
		long id, n;
		if (sscanf(p, "%d: release %ld, %ld synthetic cases; spent rho 0.2000", &y, &id, &n) == 3) {
			assert_int_equal(y, 2018 + years);
			years++;
			synthetic += n;
			nonempty += n > 0;
		}
	}
	assert_int_equal(years, 2);
	assert_int_equal(lines_with(out, "\n"), 2);
	free(out);
	/* the tables count the synthetic cases, and name the releases of years that have some */
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by year --format csv", cbt_bin(), fresh), 0);
	assert_int_equal(csv_count(out, "Total"), synthetic);
	assert_int_equal(lines_with(out, "\n# release "), nonempty);
	assert_int_equal(csv_count(out, "2017"), -1); /* not released: no year, no row */
	free(out);

	assert_int_equal(cbt_run(&out, NULL, "%s release %s --year 2019", cbt_bin(), fresh), 0);
	assert_non_null(strstr(out, "2019: unchanged since release"));
	free(out);
	/* the default cap holds one more measurement of 2019: of three made at the same time, one is made */
	assert_int_equal(cbt_run(&out, &err, "for i in 1 2 3; do %s release %s --year 2019 --force & done; wait", cbt_bin(),
				 fresh),
			 0);
	assert_int_equal(lines_with(out, "2019: release "), 1);
	assert_non_null(strstr(out, "the year has spent 0.4000 of its cap 0.4000"));
	assert_int_equal(lines_with(out, "2019: refused"), 2);
	assert_int_equal(lines_with(err, "cap would be exceeded"), 2);
	free(out);
	free(err);
	assert_int_equal(cbt_run(&out, &err, "%s release %s --year 2019 --force", cbt_bin(), fresh), 3); /* some years refused: like an import with rejected rows */
	assert_non_null(strstr(out, "2019: refused"));
	assert_non_null(strstr(err, "cap would be exceeded"));
	free(out);
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s release %s --ledger", cbt_bin(), fresh), 0);
	assert_int_equal(lines_with(out, "\n2019  release "), 2);
	assert_int_equal(lines_with(out, "  release "), 3);
	free(out);
	free(fresh);
}

static void test_formats(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(&out, &err, "%s stats %s --by gender,year --where 'year >= 2015'", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "Gender (rows) by Year of registration (columns)"));
	/* the note names the releases the selection drew on */
	assert_non_null(strstr(out, "Estimates from the differentially private releases of 2015-2025 (made "));
	assert_null(strstr(out, "cell key method"));
	const char *head = strstr(out, "\nGender ");
	assert_non_null(head);
	size_t hl = strcspn(head + 1, "\n");
	char *line = strndup(head + 1, hl);
	assert_non_null(strstr(line, " 2015 "));
	assert_null(strstr(line, " 2014 ")); /* empty years are left out of the text table */
	free(line);
	free(out);
	free(err);

	/* CSV: comment lines first, naming the releases */
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by exploitation_type --format csv --percent", cbt_bin(), db), 0);
	const char *note = "# Estimates from the differentially private releases of 2002-2025 ";
	assert_int_equal(strncmp(out, note, strlen(note)), 0);
	assert_int_equal(lines_with(out, "\n# release "), 2025 - 2002 + 1);
	assert_non_null(strstr(out, "\n# release 1 of 2002: rho 0.2000\n"));
	assert_non_null(strstr(out, "\nexploitation_type,count,percent\nForcedLabour,"));
	assert_non_null(strstr(out, "\nTotal,"));
	free(out);

	/* one synthetic caseload: a total is the sum of its single-valued cells, and a filtered table is the
	 * matching row of the unfiltered one */
	char *all = NULL, *one = NULL;
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by gender --format csv", cbt_bin(), db), 0);
	long sum = 0, total = csv_count(out, "Total");
	csv_rows(out, add_up, &sum);
	assert_true(total > 2000);
	assert_int_equal(sum, total);
	free(out);
	assert_int_equal(cbt_run(&all, NULL, "%s stats %s --by year,gender --format csv", cbt_bin(), db), 0);
	assert_int_equal(csv_count(all, "Total,Total"), total);
	assert_int_equal(cbt_run(&one, NULL, "%s stats %s --by gender --where 'year = 2019' --format csv", cbt_bin(), db),
			 0);
	struct row_check rc = {all, "2019", 0};
	csv_rows(one, same_as_row, &rc);
	assert_true(rc.n > 3);
	assert_true(csv_count(one, "Total") > 0);
	assert_int_equal(lines_with(one, "# release "), 1); /* only the release of 2019 */
	assert_non_null(strstr(one, " of 2019: rho "));
	free(all);
	free(one);

	/* JSON: estimates, the releases with their budget */
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by majority --format=json", cbt_bin(), db), 0);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je), *r;
	if (!j)
		fail_msg("%s", je.text);
	assert_true(json_is_true(json_object_get(j, "estimates")));
	assert_true(json_is_true(json_object_get(j, "protected")));
	assert_non_null(strstr(json_string_value(json_object_get(j, "protection")), "differentially private releases"));
	json_t *rel = json_object_get(j, "releases");
	assert_int_equal(json_array_size(rel), 2025 - 2002 + 1);
	size_t i;
	json_array_foreach(rel, i, r) {
		double rho = json_real_value(json_object_get(r, "rho")), eps = json_real_value(json_object_get(r, "epsilon"));
		assert_int_equal(json_integer_value(json_object_get(r, "year")), 2002 + (int)i);
		assert_true(json_integer_value(json_object_get(r, "id")) > 0);
		assert_true(rho > 0.2 - 1e-6 && rho <= 0.2); /* the default budget, never more */
		assert_true(eps > 0 && eps <= rho + 2 * sqrt(rho * log(1 / 1e-9)));
		assert_true(json_real_value(json_object_get(r, "year_rho")) >= rho);
	}
	sum = 0;
	total = -1;
	json_array_foreach(json_object_get(j, "cells"), i, r) {
		assert_false(json_is_true(json_object_get(r, "suppressed"))); /* nothing is suppressed in estimates */
		long n = (long)json_integer_value(json_object_get(r, "count"));
		if (!strcmp(json_string_value(json_object_get(r, "majority")), "Total"))
			total = n;
		else
			sum += n;
	}
	assert_true(total > 0);
	assert_int_equal(sum, total);
	json_decref(j);
	free(out);
}

/* An office code may start with '-' ("-A1"): a spreadsheet would read that cell of the CSV as the formula
 * -A1.  It is written behind a ' and in quotes; counts (numbers) stay as they are. */
static void test_csv_formulas_neutralised(void **state)
{
	(void)state;
	char *csv = NULL;
	struct cb_buf b = {0};
	const char *f = strdup(cbt_db("f.db")), *in = cbt_path("f.csv");
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
	char *out = NULL, *err = NULL;
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
	/* a field that is not released: neither a dimension nor a filter for analysts; a data manager has it */
	assert_int_equal(cbt_run(&out, &err, "%s stats %s --by gender,site", cbt_bin(), db), 2);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "casebank: stats: site is not in the statistical releases; released: year, gender,"));
	free(out);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s stats %s --by gender --where 'labour_sector = Agriculture'", cbt_bin(), db),
			 2);
	assert_non_null(strstr(err, "labour_sector is not in the statistical releases and cannot be filtered on"));
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by site --exact --format csv", cbt_bin(), db), 0);
	assert_int_equal(strncmp(out, "site,count\n", 11), 0);
	free(out);
}

static void test_exact_is_recorded(void **state)
{
	(void)state;
	char *out = NULL;
	long before = events("stats.exact");
	assert_int_equal(cbt_run(&out, NULL, "%s stats %s --by gender --exact --format csv", cbt_bin(), db), 0);
	assert_int_equal(events("stats.exact"), before + 1);
	assert_int_equal(strncmp(out, "gender,count\n", 13), 0); /* the records, not the releases */
	free(out);
}

/* The ptable is for tables of the records bank (the cell key method); analysts' tables come from the
 * releases, which no ptable changes. */
static void test_ptable(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	const char *file = cbt_path("pt.csv");
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s --show", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "D=4"));
	assert_non_null(strstr(out, "threshold: 10"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s stats %s --by citizenship_region --format csv > %s", cbt_bin(), db,
				 cbt_path("before.csv")),
			 0);
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

	/* a different table is a different export; importing the exported one restores it exactly */
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --generate D=5,V=4.5,js=3", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "D=5"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --export %s", cbt_bin(), db, cbt_path("pt5.csv")), 0);
	char *other = cbt_read(cbt_path("pt5.csv"), NULL);
	assert_non_null(other);
	assert_string_not_equal(csv, other);
	free(other);
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --import %s", cbt_bin(), db, file), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s --show", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "imported"));
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --export %s", cbt_bin(), db, cbt_path("again.csv")), 0);
	char *again = cbt_read(cbt_path("again.csv"), NULL);
	assert_non_null(again);
	assert_string_equal(csv, again);
	free(again);
	free(csv);
	assert_int_equal(events("ptable.export"), 3);
	assert_int_equal(cbt_run(NULL, NULL, "%s stats %s --by citizenship_region --format csv > %s", cbt_bin(), db,
				 cbt_path("after.csv")),
			 0);
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
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s --show", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "threshold: 20"));
	assert_non_null(strstr(out, "require consent: yes"));
	free(out);
	assert_int_equal(events("stats.threshold"), 1);
	assert_int_equal(cbt_run(NULL, NULL, "%s ptable %s --threshold 0", cbt_bin(), db), 2);

	/* a setting whose audit entry cannot be written is not kept, nor the other settings of the same call */
	cbt_refuse_audit(db, "stats.require_consent");
	assert_int_not_equal(cbt_run(NULL, NULL, "%s ptable %s --threshold 30 --require-consent no", cbt_bin(), db), 0);
	cbt_refuse_audit(db, NULL);
	assert_int_equal(cbt_run(&out, NULL, "%s ptable %s --show", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "threshold: 20"));
	assert_non_null(strstr(out, "require consent: yes"));
	free(out);
	assert_int_equal(events("stats.threshold"), 1);
	/* nor is the secret table exported without its entry */
	cbt_refuse_audit(db, "ptable.export");
	assert_int_not_equal(cbt_run(NULL, NULL, "%s ptable %s --export %s", cbt_bin(), db, cbt_path("unrecorded.csv")),
			     0);
	assert_int_equal(access(cbt_path("unrecorded.csv"), F_OK), -1);
	cbt_refuse_audit(db, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_release),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_csv_formulas_neutralised),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_exact_is_recorded),
		cmocka_unit_test(test_ptable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
