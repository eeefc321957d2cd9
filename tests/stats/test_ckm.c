/*
 * test_ckm.c -- the cell key method (src/stats/ckm.c): published values against fixtures computed by hand
 * with the ONS reference table (tests/stats/data/ptable_10_5_rule.csv) and with a small table whose
 * perturbation depends on the cell key; ptable generation (rows complete, mean 0, variance <= V, nothing
 * published in 1..js); the CSV layout and its errors.
 */
#include <math.h>

#include "cb_test.h"

#include "stats/stats.h"

static const char *ons_path(void)
{
	const char *p = getenv("CB_ONS_PTABLE");
	return p && *p ? p : "tests/stats/data/ptable_10_5_rule.csv";
}

static struct cb_ptable *load_ons(void)
{
	char *text = NULL;
	size_t len = 0;
	struct cb_err err = {0};
	struct cb_ptable *pt = NULL;
	assert_int_equal(cb_file_read(ons_path(), 8 << 20, &text, &len, &err), CB_OK);
	assert_int_equal(cb_ptable_read_csv(text, len, &pt, &err), CB_OK);
	free(text);
	return pt;
}

/* One case of the fixtures: year, gender, record key. */
static void add_case(struct cb_index *ix, int serial, int year, int32_t gender, uint8_t key, bool consent)
{
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	c.case_id[0] = 1;
	c.case_id[12] = (uint8_t)(serial >> 24);
	c.case_id[13] = (uint8_t)(serial >> 16);
	c.case_id[14] = (uint8_t)(serial >> 8);
	c.case_id[15] = (uint8_t)serial;
	snprintf(c.site, sizeof c.site, "HQ");
	c.year = year;
	c.gender = gender;
	c.consent_statistics = consent ? CB_yes_no_yes : CB_yes_no_no;
	assert_int_equal(cb_index_upsert(ix, &c, key, &err), CB_OK);
}

static const struct cb_cell *cell(const struct cb_table *t, int v0, int v1)
{
	int co[3] = {v0, v1, CB_CELL_TOTAL};
	const struct cb_cell *c = cb_table_at(t, co);
	assert_non_null(c);
	return c;
}

/* The published value as the ONS method prints it, with our suppression: -1 for "x". */
static long pub(const struct cb_cell *c)
{
	return c->suppressed ? -1 : (long)c->value;
}

/* Year x gender with the 10/5 rule.  By hand, from the ONS table: counts below 10 go to 0 (suppressed
 * here since the threshold is 10), the rest round to the nearest 5 (12 -> 10, 13 -> 15); counts above 750
 * use row ((n - 1) mod 250) + 501 (753 -> row 503 -> 755; 1001 -> row 501 -> 1000). */
static void test_ons_fixture(void **state)
{
	(void)state;
	struct cb_index *ix;
	struct cb_stats *st;
	struct cb_table *t;
	struct cb_err err = {0};
	int serial = 0;
	assert_int_equal(cb_index_new(&ix), CB_OK);
	for (int i = 0; i < 12; i++) /* 2015 Feminine: 12 */
		add_case(ix, ++serial, 2015, CB_gender_Feminine, (uint8_t)(i * 37), true);
	for (int i = 0; i < 13; i++) /* 2015 Masculine: 13 */
		add_case(ix, ++serial, 2015, CB_gender_Masculine, (uint8_t)(i * 11), true);
	for (int i = 0; i < 3; i++) /* 2016 Feminine: 3 */
		add_case(ix, ++serial, 2016, CB_gender_Feminine, 200, true);
	for (int i = 0; i < 753; i++) /* 2017 Feminine: 753 */
		add_case(ix, ++serial, 2017, CB_gender_Feminine, (uint8_t)i, true);
	for (int i = 0; i < 1001; i++) /* 2018 Masculine: 1001 */
		add_case(ix, ++serial, 2018, CB_gender_Masculine, (uint8_t)(i * 7), true);
	for (int i = 0; i < 5; i++) /* no consent: never counted */
		add_case(ix, ++serial, 2015, CB_gender_Feminine, 9, false);
	assert_int_equal(cb_stats_new(ix, load_ons(), 10, true, &st, &err), CB_OK);
	struct cb_query q = {.dims = {"year", "gender"}};
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_OK);
	/* years present: 2015..2018 at positions 0..3 */
	assert_int_equal(cb_table_nvalues(t, 0), 5);
	assert_string_equal(cb_table_value(t, 0, 0), "2015");
	int F = CB_gender_Feminine, M = CB_gender_Masculine, T = CB_CELL_TOTAL;
	assert_int_equal(pub(cell(t, 0, F)), 10);   /* 12 */
	assert_int_equal(pub(cell(t, 0, M)), 15);   /* 13 */
	assert_int_equal(pub(cell(t, 1, F)), -1);   /* 3 -> 0 by the table, below 10: x */
	assert_int_equal(pub(cell(t, 1, M)), 0);    /* a true zero stays 0 */
	assert_int_equal(pub(cell(t, 2, F)), 755);  /* 753 */
	assert_int_equal(pub(cell(t, 3, M)), 1000); /* 1001 */
	assert_int_equal(pub(cell(t, 0, T)), 25);   /* 25 */
	assert_int_equal(pub(cell(t, 1, T)), -1);   /* 3 */
	assert_int_equal(pub(cell(t, T, F)), 770);  /* 12 + 3 + 753 = 768 -> row 518 -> 770 */
	assert_int_equal(pub(cell(t, T, M)), 1015); /* 13 + 1001 = 1014 -> row 514 -> 1015 */
	assert_int_equal(pub(cell(t, T, T)), 1780); /* 1782 -> row 532 -> 1780 */
	cb_table_free(&t);
	assert_null(t);
	cb_stats_free(&st);
}

/* A table whose deviation is (ckey mod 3) - 1, so the cell key decides: checks the key sum mod 256. */
static struct cb_ptable *keyed_table(void)
{
	struct cb_buf b = {0};
	struct cb_ptable *pt = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_buf_printf(&b, "\"pcv\",\"ckey\",\"pvalue\"\n"), CB_OK);
	for (int p = 1; p <= 750; p++)
		for (int k = 0; k < 256; k++)
			assert_int_equal(cb_buf_printf(&b, "%d,%d,%d\r\n", p, k, k % 3 - 1), CB_OK);
	assert_int_equal(cb_ptable_read_csv(b.data, b.len, &pt, &err), CB_OK);
	cb_buf_free(&b);
	return pt;
}

static void test_cell_keys(void **state)
{
	(void)state;
	struct cb_index *ix;
	struct cb_stats *st;
	struct cb_table *t;
	struct cb_err err = {0};
	assert_int_equal(cb_index_new(&ix), CB_OK);
	/* 2015 F: keys 100, 200, 50 -> 350 mod 256 = 94; 94 mod 3 = 1 -> +0 -> 3 */
	add_case(ix, 1, 2015, CB_gender_Feminine, 100, true);
	add_case(ix, 2, 2015, CB_gender_Feminine, 200, true);
	add_case(ix, 3, 2015, CB_gender_Feminine, 50, true);
	/* 2015 M: keys 255, 255 -> 510 mod 256 = 254; 254 mod 3 = 2 -> +1 -> 3 */
	add_case(ix, 4, 2015, CB_gender_Masculine, 255, true);
	add_case(ix, 5, 2015, CB_gender_Masculine, 255, true);
	/* 2016 F: key 0 -> 0 mod 3 = 0 -> -1 -> 0: below the threshold of 1, so x */
	add_case(ix, 6, 2016, CB_gender_Feminine, 0, true);
	/* 2016 M: keys 1, 2, 3, 4 -> 10; 10 mod 3 = 1 -> +0 -> 4 */
	for (int i = 1; i <= 4; i++)
		add_case(ix, 6 + i, 2016, CB_gender_Masculine, (uint8_t)i, true);
	assert_int_equal(cb_stats_new(ix, keyed_table(), 1, true, &st, &err), CB_OK);
	struct cb_query q = {.dims = {"year", "gender"}};
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_OK);
	int F = CB_gender_Feminine, M = CB_gender_Masculine, T = CB_CELL_TOTAL;
	assert_int_equal(pub(cell(t, 0, F)), 3);
	assert_int_equal(pub(cell(t, 0, M)), 3);
	assert_int_equal(pub(cell(t, 1, F)), -1);
	assert_int_equal(pub(cell(t, 1, M)), 4);
	/* 2015 total: 5 records, keys 860 mod 256 = 92; 92 mod 3 = 2 -> +1 -> 6 */
	assert_int_equal(pub(cell(t, 0, T)), 6);
	/* 2016 total: 5 records, keys 10 -> 1 -> +0 -> 5 */
	assert_int_equal(pub(cell(t, 1, T)), 5);
	/* F total: 4 records, keys 350 mod 256 = 94 -> +0 -> 4 */
	assert_int_equal(pub(cell(t, T, F)), 4);
	/* M total: 6 records, keys 520 mod 256 = 8; 8 mod 3 = 2 -> +1 -> 7 */
	assert_int_equal(pub(cell(t, T, M)), 7);
	/* grand total: 10 records, keys 870 mod 256 = 102; 102 mod 3 = 0 -> -1 -> 9 */
	assert_int_equal(pub(cell(t, T, T)), 9);
	cb_table_free(&t);
	/* exact counts are the true ones */
	q.flags = CB_Q_EXACT;
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_OK);
	assert_true(cb_table_exact(t));
	assert_int_equal(pub(cell(t, T, T)), 10);
	assert_int_equal(pub(cell(t, 1, F)), 1);
	cb_table_free(&t);
	cb_stats_free(&st);
	assert_null(st);
}

static void test_perturb_direct(void **state)
{
	(void)state;
	struct cb_ptable *pt = load_ons();
	assert_int_equal(cb_ckm_perturb(pt, 0, 17), 0); /* zero stays zero */
	assert_int_equal(cb_ckm_perturb(pt, 9, 200), 0);
	assert_int_equal(cb_ckm_perturb(pt, 10, 0), 10);
	assert_int_equal(cb_ckm_perturb(pt, 750, 255), 750);
	assert_int_equal(cb_ckm_perturb(pt, 751, 3), 750);   /* row 501 */
	assert_int_equal(cb_ckm_perturb(pt, 1000, 3), 1000); /* row 750 */
	assert_int_equal(cb_ckm_perturb(pt, 1002, 3), 1000); /* row 502: 502 -> 500 */
	cb_ptable_free(&pt);
	assert_null(pt);
}

/* Checks a generated table against its parameters. */
static void check_generated(const struct cb_ptable_params *pp)
{
	struct cb_ptable *pt = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_ptable_generate(pp, &pt, &err), CB_OK);
	struct cb_ptable_params got;
	assert_true(cb_ptable_params(pt, &got));
	assert_int_equal(got.d, pp->d);
	double qtol = (double)pp->d * pp->d / 256.0; /* one key moved between the extremes */
	for (int n = 1; n <= 750; n++) {
		long sum = 0;
		double sq = 0;
		for (unsigned k = 0; k < 256; k++) {
			int64_t v = cb_ckm_perturb(pt, n, k);
			long d = (long)(v - n);
			assert_true(labs(d) <= pp->d);
			assert_true(v >= 0);
			if (v >= 1 && v <= pp->js)
				fail_msg("n %d key %u publishes %lld <= js %d", n, k, (long long)v, pp->js);
			sum += d;
			sq += (double)d * d;
		}
		double mean = sum / 256.0, var = sq / 256.0 - mean * mean;
		if (fabs(mean) > 1.0 / 256 + 1e-12)
			fail_msg("n %d: mean %g", n, mean);
		if (var > pp->v + qtol)
			fail_msg("n %d: variance %g > V %g", n, var, pp->v);
		if (n > pp->d + pp->js && fabs(var - pp->v) > qtol) /* unconstrained rows reach V */
			fail_msg("n %d: variance %g, wanted %g", n, var, pp->v);
	}
	cb_ptable_free(&pt);
}

static void test_generate(void **state)
{
	(void)state;
	struct cb_ptable_params defaults = {CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	check_generated(&defaults);
	check_generated(&(struct cb_ptable_params){2, 1.0, 0});
	check_generated(&(struct cb_ptable_params){5, 4.5, 3});
	check_generated(&(struct cb_ptable_params){8, 10.0, 4});
	check_generated(&(struct cb_ptable_params){3, 1.5, 1});
}

static void test_generate_refuses(void **state)
{
	(void)state;
	struct cb_ptable *pt = NULL;
	struct cb_err err = {0};
	/* js 2 forces variance 2 for a count of 1 (-1 or +2): V 1 cannot be met */
	assert_int_equal(cb_ptable_generate(&(struct cb_ptable_params){4, 1.0, 2}, &pt, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "variance of at least 2"));
	assert_null(pt);
	assert_int_equal(cb_ptable_generate(&(struct cb_ptable_params){3, 2.0, 4}, &pt, &err), CB_EINVAL);
	assert_int_equal(cb_ptable_generate(&(struct cb_ptable_params){0, 1.0, 0}, &pt, &err), CB_EINVAL);
	assert_int_equal(cb_ptable_generate(&(struct cb_ptable_params){4, 17.0, 0}, &pt, &err), CB_EINVAL);
	assert_null(pt);
}

static void test_csv_round_trip(void **state)
{
	(void)state;
	struct cb_ptable *a = NULL, *b = NULL;
	struct cb_err err = {0};
	char *buf = NULL;
	size_t len = 0;
	struct cb_ptable_params pp = {CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	assert_int_equal(cb_ptable_generate(&pp, &a, &err), CB_OK);
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(cb_ptable_write_csv(a, f), CB_OK);
	fclose(f);
	assert_int_equal(strncmp(buf, "\"pcv\",\"ckey\",\"pvalue\"\n1,0,", 26), 0);
	assert_int_equal(cb_ptable_read_csv(buf, len, &b, &err), CB_OK);
	assert_false(cb_ptable_params(b, NULL)); /* an imported table has no parameters */
	for (int n = 1; n <= 800; n++)
		for (unsigned k = 0; k < 256; k++)
			assert_int_equal(cb_ckm_perturb(a, n, k), cb_ckm_perturb(b, n, k));
	free(buf);
	cb_ptable_free(&a);
	cb_ptable_free(&b);
}

static void test_csv_errors(void **state)
{
	(void)state;
	struct cb_ptable *pt = NULL;
	struct cb_err err = {0};
	const char *bad_header = "pcv,ckey,value\n1,0,0\n";
	assert_int_equal(cb_ptable_read_csv(bad_header, strlen(bad_header), &pt, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "line 1"));
	const char *short_t = "pcv,ckey,pvalue\n1,0,0\n1,1,0\n";
	assert_int_equal(cb_ptable_read_csv(short_t, strlen(short_t), &pt, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "192000"));
	const char *dup = "pcv,ckey,pvalue\n1,0,0\n1,0,0\n";
	assert_int_equal(cb_ptable_read_csv(dup, strlen(dup), &pt, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "line 3"));
	const char *neg = "pcv,ckey,pvalue\n1,0,-2\n"; /* would publish -1 */
	assert_int_equal(cb_ptable_read_csv(neg, strlen(neg), &pt, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "line 2"));
	const char *junk = "pcv,ckey,pvalue\n1,0,zero\n";
	assert_int_equal(cb_ptable_read_csv(junk, strlen(junk), &pt, &err), CB_EINVAL);
	const char *range = "pcv,ckey,pvalue\n751,0,0\n";
	assert_int_equal(cb_ptable_read_csv(range, strlen(range), &pt, &err), CB_EINVAL);
	assert_null(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ons_fixture),     cmocka_unit_test(test_cell_keys),
		cmocka_unit_test(test_perturb_direct),  cmocka_unit_test(test_generate),
		cmocka_unit_test(test_generate_refuses), cmocka_unit_test(test_csv_round_trip),
		cmocka_unit_test(test_csv_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
