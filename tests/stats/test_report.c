/*
 * test_report.c -- the report model (src/stats/report.c): every factor table present, year groups that
 * cover the data, each cell a query of its own (never a sum), long lists sorted, protection everywhere.
 */
#include "stats/report_fixture.h"

static const char *const factor_dims[] = {
	"gender",        "citizenship",      "age_group",         "education",   "marital_status",
	"recruitment_method", "recruiter_sex", "recruiter_relation", "intended_country", "promised_job",
	"occupation_home", "exploitation_type", "destination_country",
};

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

static const struct cb_report_table *table_of(const struct cb_report *r, const char *dim)
{
	for (int i = 0; i < r->ntables; i++)
		if (!strcmp(r->tables[i].dim_name, dim))
			return &r->tables[i];
	return NULL;
}

static void test_every_factor(void **state)
{
	(void)state;
	struct cb_report *r = rf_report(bank, NULL);
	assert_int_equal(r->ntables, (int)CB_COUNTOF(factor_dims));
	for (size_t i = 0; i < CB_COUNTOF(factor_dims); i++) {
		const struct cb_report_table *t = table_of(r, factor_dims[i]);
		if (!t)
			fail_msg("no table for %s", factor_dims[i]);
		assert_true(t->nrows > 0);
		assert_true(strlen(t->sheet) <= 31);
		assert_true(t->title[0]);
	}
	assert_true(table_of(r, "recruitment_method")->multi);
	assert_true(table_of(r, "exploitation_type")->multi);
	assert_false(table_of(r, "gender")->multi);
	assert_string_equal(r->date, "2024-05-01");
	assert_string_equal(r->where, "");
	assert_int_equal(r->threshold, RF_THRESHOLD);
	assert_true(strlen(r->note) > 10);
	cb_report_free(&r);
	assert_null(r);
}

/* 2003-2024 in five-year groups aligned on 2001-2005: up to 2005, 2006-2010, ..., 2021-2025. */
static void test_year_groups(void **state)
{
	(void)state;
	struct cb_report *r = rf_report(bank, NULL);
	assert_int_equal(r->year_lo, 2003);
	assert_int_equal(r->year_hi, 2024);
	assert_int_equal(r->nbands, 5);
	assert_int_equal(r->bands[0].lo, CB_NA);
	assert_int_equal(r->bands[0].hi, 2005);
	assert_string_equal(r->bands[0].label, "up to 2005");
	assert_int_equal(r->bands[1].lo, 2006);
	assert_int_equal(r->bands[1].hi, 2010);
	assert_string_equal(r->bands[1].label, "2006-2010");
	assert_int_equal(r->bands[4].lo, 2021);
	assert_int_equal(r->bands[4].hi, 2025);
	cb_report_free(&r);

	/* a filter narrows the years and so the groups */
	r = rf_report(bank, "year >= 2012");
	assert_int_equal(r->year_lo, 2012);
	assert_int_equal(r->nbands, 3);
	assert_int_equal(r->bands[0].hi, 2015);
	assert_string_equal(r->bands[0].label, "up to 2015");
	assert_true(strstr(r->where, "2012") != NULL);
	cb_report_free(&r);

	/* years with a few cases (suppressed, never zero) still count: Iceland, one case in each of 2003-2005 */
	r = rf_report(bank, "citizenship = IS");
	assert_int_equal(r->year_lo, 2003);
	assert_int_equal(r->year_hi, 2005);
	assert_int_equal(r->nbands, 1);
	assert_true(cb_report_year(r, 2004)->suppressed);
	cb_report_free(&r);
}

/* A year group's cells are exactly what the engine publishes for that filter (a query, not a sum). */
static void test_group_is_a_query(void **state)
{
	(void)state;
	struct cb_report *r = rf_report(bank, NULL);
	const struct cb_report_table *t = table_of(r, "gender");
	struct cb_query q = {.dims = {"gender", NULL}, .where = "year >= 2006 and year <= 2010"};
	struct cb_table *direct = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_stats_query(bank, &q, &direct, &err), CB_OK);
	for (int i = 0; i < t->nrows; i++) {
		const struct cb_cell *mine = cb_report_cell(r, t, i, 1);
		int v = -1;
		for (int k = 0; k < cb_table_nvalues(direct, 0); k++)
			if (!strcmp(cb_table_value(direct, 0, k), cb_report_row_value(r, t, i)))
				v = k;
		assert_true(v >= 0);
		const struct cb_cell *theirs = cb_table_at(direct, (int[]){v});
		assert_int_equal(mine->suppressed, theirs->suppressed);
		assert_int_equal(mine->value, theirs->value);
	}
	const struct cb_cell *tot = cb_report_total(r, t, 1);
	assert_int_equal(tot->value, cb_table_at(direct, (int[]){CB_CELL_TOTAL})->value);
	assert_true(tot->value > 1000); /* about 5/22 of 6000 */
	cb_table_free(&direct);
	cb_report_free(&r);
}

static void test_protected_everywhere(void **state)
{
	(void)state;
	struct cb_report *r = rf_report(bank, NULL);
	int suppressed = 0;
	for (int y = r->year_lo; y <= r->year_hi; y++)
		rf_assert_protected(cb_report_year(r, y));
	for (int i = 0; i < r->ntables; i++) {
		const struct cb_report_table *t = &r->tables[i];
		for (int c = 0; c <= r->nbands; c++) {
			rf_assert_protected(cb_report_total(r, t, c));
			for (int row = 0; row < t->nrows; row++) {
				const struct cb_cell *cell = cb_report_cell(r, t, row, c);
				rf_assert_protected(cell);
				suppressed += cell && cell->suppressed;
			}
		}
	}
	assert_true(suppressed > 0); /* the fixture has small cells: Iceland, 3 cases */
	cb_report_free(&r);
}

/* Countries: sorted by the published all-years count, unused countries left out, Iceland shown as x. */
static void test_countries_sorted(void **state)
{
	(void)state;
	struct cb_report *r = rf_report(bank, NULL);
	const struct cb_report_table *t = table_of(r, "citizenship");
	assert_true(t->sorted);
	assert_true(t->nrows < 10); /* 4 countries used, and "not recorded" */
	int64_t prev = INT64_MAX;
	bool seen_x = false, iceland = false;
	int last = t->last_unrecorded ? t->nrows - 1 : t->nrows;
	for (int i = 0; i < last; i++) {
		const struct cb_cell *c = cb_report_cell(r, t, i, r->nbands);
		if (!strcmp(cb_report_row_value(r, t, i), "IS")) {
			iceland = true;
			assert_true(c->suppressed);
		}
		if (c->suppressed) {
			seen_x = true;
			continue;
		}
		assert_false(seen_x); /* numbers first, then x */
		assert_true(c->value <= prev);
		prev = c->value;
	}
	assert_true(iceland);
	assert_string_equal(cb_report_row_value(r, t, 0), "UA");
	cb_report_free(&r);

	/* Iceland's cases are all before 2006: with a later filter its row is all zeros and left out */
	r = rf_report(bank, "year >= 2010");
	t = table_of(r, "citizenship");
	assert_true(t->zero_rows >= 1);
	for (int i = 0; i < t->nrows; i++)
		assert_string_not_equal(cb_report_row_value(r, t, i), "IS");
	cb_report_free(&r);
}

static void test_bad_filter(void **state)
{
	(void)state;
	struct cb_report *r = NULL;
	struct cb_err err = {0};
	struct cb_report_opts o = {.where = "colour = blue"};
	assert_int_equal(cb_report_build(bank, &o, &r, &err), CB_EINVAL);
	assert_null(r);
	assert_true(err.msg[0]);
}

static void test_fill(void **state)
{
	(void)state;
	char buf[512], small[12];
	cb_report_fill(CB_RS_CUT_NOTE, 20, 137, buf, sizeof buf);
	assert_non_null(strstr(buf, "lists the 20 countries"));
	assert_non_null(strstr(buf, "137 more"));
	assert_null(strchr(buf, '{'));
	cb_report_fill(CB_RS_CUT_NOTE, 20, 137, small, sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
	for (int i = 0; i < CB_RS__COUNT; i++)
		assert_true(cb_report_str((enum cb_rs)i)[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_factor),      cmocka_unit_test(test_year_groups),
		cmocka_unit_test(test_group_is_a_query),  cmocka_unit_test(test_protected_everywhere),
		cmocka_unit_test(test_countries_sorted),  cmocka_unit_test(test_bad_filter),
		cmocka_unit_test(test_fill),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
