/*
 * test_report_xlsx.c -- the data files of the report (src/stats/report_xlsx.c): the CSV directory (one
 * tidy file per table, README.txt with the method) and the XLSX workbook (a valid zip with one sheet per
 * table and an "About" sheet); no count below the threshold; suppressed cells as x; formula-like text
 * neutralised in the CSV files and never a formula in the workbook.
 */
#include "stats/report_fixture.h"

static struct cb_stats *bank;
static struct cb_report *report;

static int setup(void **state)
{
	(void)state;
	bank = rf_bank();
	report = rf_report(bank, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cb_report_free(&report);
	cb_stats_free(&bank);
	return 0;
}

/* Every line of a CSV file: its last field is "x" or a count that is 0 or >= the threshold. */
static int check_counts(const char *text, const char *name)
{
	int lines = 0, xs = 0;
	for (const char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		const char *eol = strchr(p + 1, '\n');
		assert_non_null(eol);
		const char *last = eol;
		while (last > p + 1 && last[-1] != ',')
			last--;
		if (eol - last == 1 && *last == 'x') {
			xs++;
		} else {
			for (const char *d = last; d < eol; d++)
				if (*d < '0' || *d > '9')
					fail_msg("%s: count '%.*s' is not a number", name, (int)(eol - last), last);
			rf_assert_count_text(last, (size_t)(eol - last), name);
		}
		lines++;
	}
	assert_true(lines > 0);
	return xs;
}

static void test_csv_dir(void **state)
{
	(void)state;
	struct cb_err err = {0};
	const char *dir = cbt_path("csv");
	assert_int_equal(cb_report_write_csv(report, dir, &err), CB_OK);
	/* written twice: an existing directory is fine */
	assert_int_equal(cb_report_write_csv(report, dir, &err), CB_OK);

	char *readme = cbt_read(cbt_path("csv/README.txt"), NULL);
	assert_non_null(readme);
	assert_non_null(strstr(readme, cb_report_str(CB_RS_METHOD_PLAIN)));
	assert_non_null(strstr(readme, report->note));
	assert_non_null(strstr(readme, "2024-05-01"));
	assert_non_null(strstr(readme, "gender.csv"));
	free(readme);

	char *caseload = cbt_read(cbt_path("csv/caseload.csv"), NULL);
	assert_non_null(caseload);
	assert_memory_equal(caseload, "year,count\n", 11);
	assert_non_null(strstr(caseload, "\n2010,"));
	check_counts(caseload, "caseload.csv");
	free(caseload);

	int xs = 0;
	for (int i = 0; i < report->ntables; i++) {
		const struct cb_report_table *t = &report->tables[i];
		char header[128], *text = cbt_read(cbt_path("csv/%s.csv", t->dim_name), NULL);
		if (!text)
			fail_msg("no %s.csv", t->dim_name);
		snprintf(header, sizeof header, "year_group,%s,count\n", t->dim_name);
		assert_memory_equal(text, header, strlen(header));
		assert_non_null(strstr(text, "\n2006-2010,"));
		assert_non_null(strstr(text, "\nup to 2005,"));
		xs += check_counts(text, t->dim_name);
		free(text);
	}
	assert_true(xs > 0);
	/* every destination is in the CSV, not only the first 20 */
	char *dest = cbt_read(cbt_path("csv/destination_country.csv"), NULL);
	assert_non_null(strstr(dest, ",SE,"));
	assert_non_null(strstr(dest, ",TR,"));
	free(dest);
	/* Iceland's 3 cases are never a number */
	char *nat = cbt_read(cbt_path("csv/citizenship.csv"), NULL);
	assert_non_null(strstr(nat, ",IS,x\n"));
	free(nat);
}

static void test_csv_dir_unwritable(void **state)
{
	(void)state;
	struct cb_err err = {0};
	cbt_write(cbt_path("afile"), "x");
	assert_int_not_equal(cb_report_write_csv(report, cbt_path("afile/sub"), &err), CB_OK);
	assert_true(err.msg[0]);
}

static void test_xlsx(void **state)
{
	(void)state;
	struct cb_err err = {0};
	const char *path = cbt_path("report.xlsx");
	assert_int_equal(cb_report_write_xlsx(report, path, &err), CB_OK);
	char *out = NULL;
	assert_int_equal(cbt_run(&out, NULL, "unzip -l '%s'", path), 0);
	assert_non_null(strstr(out, "xl/workbook.xml"));
	assert_non_null(strstr(out, "xl/worksheets/sheet15.xml"));
	assert_null(strstr(out, "xl/worksheets/sheet16.xml"));
	free(out);

	char *book = NULL;
	assert_int_equal(cbt_run(&book, NULL, "unzip -p '%s' xl/workbook.xml", path), 0);
	const char *sheets[] = {"About", "Caseload", "Sex", "Nationality", "Destination country", "Exploitation type"};
	char want[64];
	for (size_t i = 0; i < CB_COUNTOF(sheets); i++) {
		snprintf(want, sizeof want, "name=\"%s\"", sheets[i]);
		if (!strstr(book, want))
			fail_msg("no sheet %s", sheets[i]);
	}
	assert_true(strstr(book, "name=\"About\"") < strstr(book, "name=\"Caseload\""));
	free(book);

	/* suppressed cells are the text x: a shared string; the About sheet carries the method */
	char *strings = NULL;
	assert_int_equal(cbt_run(&strings, NULL, "unzip -p '%s' xl/sharedStrings.xml", path), 0);
	assert_non_null(strstr(strings, "<t>x</t>"));
	assert_non_null(strstr(strings, "2024-05-01"));
	assert_non_null(strstr(strings, "Smallest count shown"));
	free(strings);

	/* no number cell below the threshold in any sheet (the last column holds percentages) */
	char pct_col[8];
	snprintf(pct_col, sizeof pct_col, "r=\"%c", 'A' + report->nbands + 2);
	for (int s = 2; s <= 15; s++) {
		char *xml = NULL;
		assert_int_equal(cbt_run(&xml, NULL, "unzip -p '%s' xl/worksheets/sheet%d.xml", path, s), 0);
		int numbers = 0;
		for (const char *p = xml; (p = strstr(p, "<c ")) != NULL; p++) {
			const char *close = strstr(p, "</c>"), *v = strstr(p, "<v>"), *ts = strstr(p, "t=\"s\"");
			if (!close || !v || v > close || (ts && ts < close) || !strncmp(p + 3, pct_col, 4))
				continue; /* a string cell, a percentage */
			const char *e = strstr(v, "</v>");
			if (memchr(v + 3, '.', (size_t)(e - v - 3)))
				continue; /* a percentage */
			rf_assert_count_text(v + 3, (size_t)(e - v - 3), "xlsx");
			numbers++;
		}
		assert_true(numbers > 0);
		free(xml);
	}
}

/* Texts that a spreadsheet would run as formulas: in the CSV files behind a ' and in quotes (cb_csv_put); in
 * the workbook shared strings, never a formula cell (<f>), with their exact text.  The filter and a year
 * group's label stand in for any text of a report. */
static void test_formulas_are_text(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_report *r = rf_report(bank, NULL);
	free(r->where);
	r->where = strdup("=HYPERLINK(\"http://x.example/\",\"Open\")");
	snprintf(r->bands[0].label, sizeof r->bands[0].label, "@SUM(1+1)");
	assert_int_equal(cb_report_write_csv(r, cbt_path("fcsv"), &err), CB_OK);
	char *gender = cbt_read(cbt_path("fcsv/gender.csv"), NULL);
	assert_non_null(gender);
	assert_non_null(strstr(gender, "\n\"'@SUM(1+1)\","));
	assert_null(strstr(gender, "\n@SUM"));
	free(gender);

	const char *path = cbt_path("formula.xlsx");
	assert_int_equal(cb_report_write_xlsx(r, path, &err), CB_OK);
	char *xml = NULL;
	assert_int_equal(cbt_run(&xml, NULL, "unzip -p '%s' 'xl/worksheets/*.xml'", path), 0);
	assert_non_null(strstr(xml, "t=\"s\""));
	assert_null(strstr(xml, "<f>"));
	assert_null(strstr(xml, "<f "));
	free(xml);
	char *strings = NULL;
	assert_int_equal(cbt_run(&strings, NULL, "unzip -p '%s' xl/sharedStrings.xml", path), 0);
	assert_non_null(strstr(strings, "<t>=HYPERLINK("));
	assert_non_null(strstr(strings, "<t>@SUM(1+1)</t>"));
	free(strings);
	cb_report_free(&r);
}

static void test_xlsx_unwritable(void **state)
{
	(void)state;
	struct cb_err err = {0};
	assert_int_not_equal(cb_report_write_xlsx(report, cbt_path("nodir/r.xlsx"), &err), CB_OK);
	assert_true(err.msg[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_dir),
		cmocka_unit_test(test_csv_dir_unwritable),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_xlsx_unwritable),
		cmocka_unit_test(test_formulas_are_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
