/*
 * test_synth.c -- one year's release (src/stats/synth.c): the synthetic caseload stays inside the codebook,
 * spends what it was given, has about as many cases as the year, and -- the point of it all -- does not
 * tell whether one person is in the data: the released count of a value only one person has is distributed
 * almost the same with and without her (the bound differential privacy promises, checked empirically).
 */
#include <math.h>

#include "cb_test.h"
#include "stats/dp.h"
#include "stats/stats_int.h"
#include "stats_fixture.h"

static int busiest_year(const struct cb_index *ix)
{
	const struct cb_icol *yc = &ix->col[CB_FLD_year];
	uint32_t best = 1;
	for (uint32_t k = 1; k < yc->ncodes; k++)
		if (yc->present[k] > yc->present[best])
			best = k;
	return cb_fields[CB_FLD_year].lo + (int)best - 1;
}

static void test_caseload(void **state)
{
	(void)state;
	struct fx x = fx_demo(4000, 11);
	struct cb_synth *sy = NULL;
	struct cb_err err = {0};
	assert_non_null(x.ix);
	int year = busiest_year(x.ix);
	uint32_t truth = x.ix->col[CB_FLD_year].present[year - cb_fields[CB_FLD_year].lo + 1];
	assert_int_equal(cb_synth_release(x.ix, year, 0.5, &sy, &err), CB_OK);
	assert_int_equal(sy->year, year);
	assert_true(fabs((double)sy->n - truth) < 0.1 * truth + 10); /* the total is estimated from every table */
	assert_true(sy->rho <= 0.5 * (1 + 1e-12) && sy->rho > 0.499); /* rounding of the variances only */
	assert_int_equal(sy->nattr, cb_release_nattrs());
	for (int a = 0; a < sy->nattr; a++) {
		const struct cb_field *f = &cb_fields[sy->field[a]];
		const struct cb_icol *c = &x.ix->col[f->id];
		for (uint32_t r = 0; r < sy->n; r++) {
			uint32_t v = sy->col[a][r];
			if (f->kind == CB_MULTI)
				assert_true(v < (1u << f->vset->count));
			else
				assert_true(v < c->ncodes);
		}
	}
	cb_synth_free(&sy);
	assert_null(sy);
	assert_int_equal(cb_synth_release(x.ix, year, 0, &sy, &err), CB_EINVAL);
	assert_int_equal(cb_synth_release(x.ix, year, NAN, &sy, &err), CB_EINVAL);
	fx_free(&x);
}

/* n women registered in 2019, and maybe one man: the person an attacker wants to know about. */
static struct cb_index *small(int n, bool with_him)
{
	struct cb_index *ix = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_index_new(&ix), CB_OK);
	for (int i = 0; i < n + with_him; i++) {
		struct cb_case c;
		cb_case_init(&c);
		c.case_id[0] = 1;
		c.case_id[1] = (uint8_t)i;
		c.year = 2019;
		c.consent_statistics = CB_yes_no_yes;
		c.gender = i < n ? CB_gender_Feminine : CB_gender_Masculine;
		c.exploitation_type = 1ull << (i < n ? CB_exploitation_type_SexualExploitation : CB_exploitation_type_OrganRemoval);
		assert_int_equal(cb_index_upsert(ix, &c, 0, &err), CB_OK);
	}
	return ix;
}

/* Share of releases in which the synthetic caseload has at least one man. */
static double share_with_a_man(struct cb_index *ix, double rho, int runs)
{
	struct cb_err err = {0};
	int hits = 0;
	for (int i = 0; i < runs; i++) {
		struct cb_synth *sy = NULL;
		assert_int_equal(cb_synth_release(ix, 2019, rho, &sy, &err), CB_OK);
		uint32_t men = 0;
		for (uint32_t r = 0; r < sy->n; r++)
			men += sy->col[0][r] == (uint32_t)CB_gender_Masculine + 1; /* gender is the tree's root */
		hits += men > 0;
		cb_synth_free(&sy);
	}
	return (double)hits / runs;
}

static void test_one_person(void **state)
{
	(void)state;
	assert_int_equal(cb_release_field(0), CB_FLD_gender);
	const double rho = 0.05, eps = cb_zcdp_eps(rho, 1e-9);
	const int runs = 150;
	struct cb_index *without = small(40, false), *with = small(40, true);
	double p0 = share_with_a_man(without, rho, runs), p1 = share_with_a_man(with, rho, runs);
	/* (eps, delta)-DP: P[E | with] <= e^eps P[E | without] + delta, both ways; 0.08 covers sampling error of
	 * 150 runs.  A release that published the true count (or noise too small) would give p1 = 1, p0 = 0. */
	print_message("rho %.2f (epsilon %.2f): a man appears in %.0f%% of releases without him, %.0f%% with him\n",
		      rho, eps, 100 * p0, 100 * p1);
	assert_true(p1 <= exp(eps) * p0 + 0.08);
	assert_true(p0 <= exp(eps) * p1 + 0.08);
	assert_true(p1 < 0.95 && p0 > 0.02);
	cb_index_free(&without);
	cb_index_free(&with);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caseload),
		cmocka_unit_test(test_one_person),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
