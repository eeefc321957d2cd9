/*
 * index_fixture.h -- what the tests of the column index (test_index.c, test_index_build.c) share: a
 * generated ptable and the total of a one-dimension exact query.
 */
#ifndef CB_INDEX_FIXTURE_H
#define CB_INDEX_FIXTURE_H

#include "cb_test.h"

#include "stats/stats_int.h"

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

#endif
