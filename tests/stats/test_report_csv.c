/*
 * test_report_csv.c -- the report as one CSV file (src/stats/report_csv.c): every table, one row a published
 * cell, codes beside labels in the report's language; no count below the threshold; and, in every language
 * with a catalogue, the workbook's sheet names fit Excel's rules.
 */
#include <pthread.h>

#include "stats/report_fixture.h"
#include "util/i18n.h"

static struct cb_stats *bank;

static int setup(void **state)
{
	(void)state;
	bank = rf_bank();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cb_stats_free(&bank);
	return 0;
}

static char *csv_of(struct cb_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	struct cb_err err = {0};
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(cb_report_write_csv_file(r, f, &err), CB_OK);
	fclose(f);
	return buf;
}

static void test_one_file(void **state)
{
	(void)state;
	struct cb_report *r = rf_report(bank, NULL);
	char *csv = csv_of(r);
	assert_int_equal(strncmp(csv, "table,factor,value,label,year_group,count\n", 42), 0);
	/* every table of the report is in it, with its all-years total */
	for (int i = 0; i < r->ntables; i++) {
		char want[128];
		snprintf(want, sizeof want, ",%s,Total,Total,All years,", r->tables[i].dim_name);
		if (!strstr(csv, want))
			fail_msg("no total of %s", r->tables[i].dim_name);
	}
	assert_non_null(strstr(csv, "\nCaseload by year,year,"));
	/* every count is published: x, 0, or at least the threshold */
	int rows = 0;
	for (const char *p = strchr(csv, '\n'); p && p[1]; p = strchr(p + 1, '\n'), rows++) {
		const char *eol = strchr(p + 1, '\n'), *last = eol;
		while (last[-1] != ',')
			last--;
		if (!(eol - last == 1 && *last == 'x'))
			rf_assert_count_text(last, (size_t)(eol - last), "report.csv");
	}
	assert_true(rows > 50);
	free(csv);
	cb_report_free(&r);
}

/* The labels follow the language the report is built in; codes do not. */
static void test_labels_in_the_language(void **state)
{
	(void)state;
	cb_lang_use("fr");
	struct cb_report *r = rf_report(bank, NULL);
	char *csv = csv_of(r);
	cb_lang_use(NULL);
	assert_non_null(strstr(csv, "\nSexe,gender,Feminine,Féminin,"));
	assert_non_null(strstr(csv, ",Toutes les années,"));
	assert_null(strstr(csv, "All years"));
	free(csv);
	cb_report_free(&r);
}

/* In every language, the workbook can be written: its sheet names are at most 31 characters, unique, and
 * free of the characters Excel refuses (libxlsxwriter checks all three). */
static void test_workbook_in_every_language(void **state)
{
	(void)state;
	for (int i = 0; i < cb_lang_count(); i++) {
		struct cb_err err = {0};
		cb_lang_use(cb_lang_code(i));
		struct cb_report *r = rf_report(bank, NULL);
		const char *path = cbt_path("report-%s.xlsx", cb_lang_code(i));
		if (cb_report_write_xlsx(r, path, &err) != CB_OK)
			fail_msg("%s: %s", cb_lang_code(i), err.msg);
		cb_report_free(&r);
	}
	cb_lang_use(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_file),
		cmocka_unit_test(test_labels_in_the_language),
		cmocka_unit_test(test_workbook_in_every_language),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
