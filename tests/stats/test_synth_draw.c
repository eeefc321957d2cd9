/*
 * test_synth_draw.c -- drawing a synthetic caseload from a fit (src/stats/synth_draw.c): the records carry
 * exactly the fitted one-way counts of every field, and a child's values follow its noisy table with its
 * parent, for a single-valued and a multi-valued child.
 */
#include <string.h>

#include "cb_test.h"
#include "stats/synth.h"

/* A fit of a root (3 codes: 5, 3, 2 records) and one child of it, given the child's table with the root. */
static void fit_of(struct cb_fit *f, bool multi, uint32_t kchild, const int64_t *cnt1, const double *table)
{
	static const int64_t cnt0[3] = {5, 3, 2};
	static double est0[3], est1[3], y[9];
	static int64_t c0[3], c1[3];
	static uint32_t id[3] = {0, 1, 2};
	uint32_t cells = multi ? kchild + 1 : kchild;
	memset(f, 0, sizeof *f);
	f->total = 10;
	f->k[0] = 3;
	f->k[1] = kchild;
	f->multi[1] = multi;
	f->parent[0] = f->parent2[0] = f->parent2[1] = -1;
	f->parent[1] = 0;
	memcpy(c0, cnt0, sizeof c0);
	memcpy(c1, cnt1, cells * sizeof *c1);
	for (int i = 0; i < 3; i++)
		est0[i] = (double)c0[i];
	for (uint32_t i = 0; i < cells; i++)
		est1[i] = (double)c1[i];
	memcpy(y, table, cells * 3 * sizeof *y);
	f->cnt[0] = c0;
	f->cnt[1] = c1;
	f->est[0] = est0;
	f->est[1] = est1;
	f->edge[1] = (struct cb_meas){.nr = cells, .nc = 3, .rmap = id, .cmap = id, .var = 0.01, .y = y};
}

static void draw_and_count(const struct cb_fit *f, uint32_t counts[2][4], uint32_t joint[4][3])
{
	struct cb_synth *sy = calloc(1, sizeof *sy);
	assert_non_null(sy);
	sy->n = 10;
	sy->nattr = 2;
	assert_int_equal(cb_synth_draw(sy, f), CB_OK);
	memset(counts, 0, 2 * 4 * sizeof counts[0][0]);
	memset(joint, 0, 4 * 3 * sizeof joint[0][0]);
	for (uint32_t r = 0; r < sy->n; r++) {
		uint32_t p = sy->col[0][r], c = sy->col[1][r];
		assert_true(p < 3);
		counts[0][p]++;
		if (!f->multi[1]) {
			assert_true(c < f->k[1]);
			counts[1][c]++;
			joint[c][p]++;
			continue;
		}
		if (!c) /* none */
			counts[1][f->k[1]]++;
		for (uint32_t v = 0; v < f->k[1]; v++)
			if (c & (1u << v)) {
				counts[1][v]++;
				joint[v][p]++;
			}
	}
	cb_synth_free(&sy);
}

static void test_single_child(void **state)
{
	(void)state;
	/* child x root: rows child codes, columns root codes; consistent with both fitted margins */
	static const int64_t cnt1[2] = {6, 4};
	static const double table[6] = {4, 2, 0, 1, 1, 2};
	struct cb_fit f;
	uint32_t counts[2][4], joint[4][3];
	fit_of(&f, false, 2, cnt1, table);
	draw_and_count(&f, counts, joint);
	assert_int_equal(counts[0][0], 5);
	assert_int_equal(counts[0][1], 3);
	assert_int_equal(counts[0][2], 2);
	assert_int_equal(counts[1][0], 6);
	assert_int_equal(counts[1][1], 4);
	/* the table's zero stays (almost) empty and its big cell is kept */
	assert_true(joint[0][2] == 0);
	assert_true(joint[0][0] >= 3);
}

static void test_multi_child(void **state)
{
	(void)state;
	/* two values and "none": 4 records have value 0, 3 value 1, 3 none, each recorded record one value */
	static const int64_t cnt1[3] = {4, 3, 3};
	static const double table[9] = {3, 1, 0, 0, 1, 2, 2, 1, 0};
	struct cb_fit f;
	uint32_t counts[2][4], joint[4][3];
	fit_of(&f, true, 2, cnt1, table);
	draw_and_count(&f, counts, joint);
	assert_int_equal(counts[0][0], 5);
	assert_int_equal(counts[1][0], 4);
	assert_int_equal(counts[1][1], 3);
	assert_int_equal(counts[1][2], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_child),
		cmocka_unit_test(test_multi_child),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
