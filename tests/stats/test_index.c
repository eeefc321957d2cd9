/*
 * test_index.c -- the column index (src/stats/index.c): upserts and removals keep counts, presence and the
 * id table right through many random operations; dimension names; the memory budget of an index grown by
 * upserts.  Building from the store is test_index_build.c.
 */
#include "cb_test.h"

#include "stats/stats_int.h"
#include "index_fixture.h"
#include "stats_fixture.h"

/* A model of the index: which of the fixture's cases are in, with which gender. */
static void test_upsert_remove(void **state)
{
	(void)state;
	struct fx x = fx_demo(2000, 9);
	struct cb_err err = {0};
	assert_non_null(x.ix);
	bool in[2000];
	for (int i = 0; i < 2000; i++)
		in[i] = true;
	uint64_t r = 12345;
	for (int step = 0; step < 20000; step++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		int i = (int)((r >> 33) % 2000);
		if (in[i] && (r & 1)) {
			assert_int_equal(cb_index_remove(x.ix, x.cases[i].case_id), CB_OK);
			in[i] = false;
		} else {
			x.cases[i].gender = (int32_t)((r >> 20) % CB_gender__COUNT);
			x.cases[i].consent_statistics = (r >> 40) & 1 ? CB_yes_no_yes : CB_yes_no_no;
			assert_int_equal(cb_index_upsert(x.ix, &x.cases[i], (uint8_t)(r >> 48), &err), CB_OK);
			in[i] = true;
		}
	}
	uint8_t missing[16] = {0xff};
	assert_int_equal(cb_index_remove(x.ix, missing), CB_ENOTFOUND);
	long live = 0, counted = 0, fem = 0;
	for (int i = 0; i < 2000; i++) {
		live += in[i];
		if (in[i] && x.cases[i].consent_statistics == CB_yes_no_yes) {
			counted++;
			fem += x.cases[i].gender == CB_gender_Feminine;
		}
	}
	assert_int_equal(cb_index_size(x.ix), live);
	assert_true(x.ix->n <= 2000); /* removed slots were reused */
	assert_int_equal(x.ix->col[CB_FLD_gender].present[CB_gender_Feminine + 1], fem);
	struct cb_stats *st = NULL;
	struct cb_index *ix = x.ix;
	x.ix = NULL;
	assert_int_equal(cb_stats_new(ix, ptable(), 10, true, &st, &err), CB_OK);
	assert_int_equal(total_of(st, "gender", NULL, CB_CELL_TOTAL), counted);
	assert_int_equal(total_of(st, "gender", NULL, CB_gender_Feminine), fem);
	cb_stats_free(&st);
	fx_free(&x);
}

static void test_dims(void **state)
{
	(void)state;
	char buf[1024];
	assert_int_equal(cb_dim_find("gender"), CB_FLD_gender);
	assert_int_equal(cb_dim_find("site"), CB_FLD_site);
	assert_int_equal(cb_dim_find("citizenship_region"), CB_DIM_CITIZENSHIP_REGION);
	assert_int_equal(cb_dim_find("destination_region"), CB_DIM_DESTINATION_REGION);
	assert_int_equal(cb_dim_find("first_name"), -1); /* identifying details are never dimensions */
	assert_int_equal(cb_dim_find("consent_statistics"), -1);
	assert_int_equal(cb_dim_find(NULL), -1);
	assert_true(cb_dim_is_multi(CB_FLD_means_of_control));
	assert_false(cb_dim_is_multi(CB_DIM_CITIZENSHIP_REGION));
	cb_dim_list(buf, sizeof buf);
	int n = 1;
	for (char *p = buf; *p; p++)
		n += *p == ',';
	assert_int_equal(n, 27); /* the 25 dimension fields and 2 regions */
	assert_non_null(strstr(buf, "site, year, trafficking_status"));
}

/* At most 64 bytes a case for an index grown by upserts, the id table, keys, every column and the slack of
 * growth included (the memory goal). */
static void test_memory(void **state)
{
	(void)state;
	struct cb_index *ix = NULL;
	struct cb_err err = {0};
	struct cb_case c;
	struct cb_demo_rng r;
	long n = 300000;
	cb_demo_rng_seed(&r, 3);
	cb_case_init(&c);
	assert_int_equal(cb_index_new(&ix), CB_OK);
	for (long i = 0; i < n; i++) {
		assert_int_equal(cb_demo_case(&r, &c, false), CB_OK);
		memcpy(c.case_id, &i, sizeof i);
		c.case_id[15] = 1;
		assert_int_equal(cb_index_upsert(ix, &c, (uint8_t)i, &err), CB_OK);
	}
	double per = (double)cb_index_bytes(ix) / (double)n;
	print_message("index: %.1f bytes a case\n", per);
	if (per > 64)
		fail_msg("%.1f bytes a case", per);
	cb_case_clear(&c);
	cb_index_free(&ix);
	assert_null(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upsert_remove),
		cmocka_unit_test(test_dims),
		cmocka_unit_test(test_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
