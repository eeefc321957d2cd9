/*
 * test_index.c -- the column index (src/stats/index.c): building from a real store gives the same counts
 * as the cases stored; upserts and removals keep counts, presence and the id table right through many
 * random operations; consent and the database's policy; dimension names; the memory budget.
 */
#include "cb_test.h"

#include "stats/stats_int.h"
#include "stats_fixture.h"

/* Total of a one-dimension exact query over a bank made from ix (which the bank takes over). */
static long total_of(struct cb_stats *st, const char *dim, const char *where, int value)
{
	struct cb_query q = {.dims = {dim}, .where = where, .flags = CB_Q_EXACT};
	struct cb_table *t = NULL;
	struct cb_err err = {0};
	if (cb_stats_query(st, &q, &t, &err) != CB_OK)
		fail_msg("%s", err.msg);
	int co[3] = {value, CB_CELL_TOTAL, CB_CELL_TOTAL};
	long v = (long)cb_table_at(t, co)->value;
	cb_table_free(&t);
	return v;
}

static struct cb_ptable *ptable(void)
{
	struct cb_ptable *pt = NULL;
	struct cb_ptable_params pp = {CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	assert_int_equal(cb_ptable_generate(&pp, &pt, NULL), CB_OK);
	return pt;
}

static void test_build_from_store(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_index *ix = NULL;
	struct cb_stats *st = NULL;
	struct cb_err err = {0};
	const char *db = cbt_path("build.db");
	struct fx x = fx_demo(600, 5);
	assert_non_null(x.ix);
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	long consenting = 0, fem = 0, sexual = 0, europe_dest = 0;
	for (long i = 0; i < x.n; i++) {
		struct cb_case c;
		cb_case_init(&c);
		assert_int_equal(cb_case_copy(&c, &x.cases[i]), CB_OK);
		if (cb_store_add(s, &c, NULL, &err) != CB_OK)
			fail_msg("case %ld: %s", i, err.msg);
		cb_case_clear(&c);
		if (x.cases[i].consent_statistics != CB_yes_no_yes)
			continue;
		consenting++;
		fem += x.cases[i].gender == CB_gender_Feminine;
		sexual += (x.cases[i].exploitation_type >> CB_exploitation_type_SexualExploitation) & 1;
		int r = x.cases[i].destination_country == CB_NA ? CB_NA : cb_country_region(x.cases[i].destination_country);
		europe_dest += r != CB_NA && strcmp(cb_regions[r], "Europe") == 0;
	}
	assert_int_equal(cb_index_build(s, &ix, &err), CB_OK);
	assert_int_equal(cb_index_size(ix), x.n);
	assert_true(ix->nsites > 1);
	/* the record keys are the store's: every slot holds one, and they are not all the same */
	int distinct = 0;
	for (uint32_t i = 1; i < ix->n; i++)
		distinct += ix->rkey[i] != ix->rkey[0];
	assert_true(distinct > 0);
	assert_int_equal(cb_stats_new(ix, ptable(), 10, true, &st, &err), CB_OK);
	assert_int_equal(total_of(st, "gender", NULL, CB_CELL_TOTAL), consenting);
	assert_int_equal(total_of(st, "gender", NULL, CB_gender_Feminine), fem);
	assert_int_equal(total_of(st, "site", "exploitation_type = SexualExploitation", CB_CELL_TOTAL), sexual);
	assert_int_equal(total_of(st, "year", "destination_region = Europe", CB_CELL_TOTAL), europe_dest);
	cb_stats_free(&st);

	/* the database's policy: consent not required counts everyone */
	assert_int_equal(cb_store_meta_set(s, "stats.require_consent", "no", &err), CB_OK);
	assert_int_equal(cb_stats_open(s, &st, &err), CB_OK);
	assert_int_equal(total_of(st, "gender", NULL, CB_CELL_TOTAL), x.n);
	cb_stats_free(&st);
	assert_int_equal(cb_store_meta_set(s, "stats.require_consent", "yes", &err), CB_OK);
	assert_int_equal(cb_store_meta_set(s, "stats.threshold", "25", &err), CB_OK);
	assert_int_equal(cb_stats_open(s, &st, &err), CB_OK);
	assert_int_equal(cb_stats_threshold(st), 25);
	assert_int_equal(total_of(st, "gender", NULL, CB_CELL_TOTAL), consenting);
	cb_stats_free(&st);
	cb_store_free(&s);
	fx_free(&x);
}

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

/* At most 70 bytes a case (the id table, keys and every column included): 64 before the three assistance
 * dimensions (case_stage, assistance_type, referral_partner_type) added 5 bytes of columns. */
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
	if (per > 70)
		fail_msg("%.1f bytes a case", per);
	cb_case_clear(&c);
	cb_index_free(&ix);
	assert_null(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_from_store),
		cmocka_unit_test(test_upsert_remove),
		cmocka_unit_test(test_dims),
		cmocka_unit_test(test_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
