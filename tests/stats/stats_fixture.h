/*
 * stats_fixture.h -- a column index over synthetic cases (cb_demo_case) for the statistics tests and the
 * --where fuzz target: the cases are kept so that tests can count by brute force, and every case gets a
 * reproducible record key.  Header-only, no cmocka, so the fuzz target can include it too.
 */
#ifndef CB_STATS_FIXTURE_H
#define CB_STATS_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "stats/stats.h"

struct fx {
	struct cb_index *ix;
	struct cb_case *cases; /* n cases, in slot order */
	uint8_t *keys;
	long n;
};

/* Builds n synthetic cases from seed into a new index; every 7th case declines statistics.  NULL ix on
 * failure. */
static inline struct fx fx_demo(long n, uint64_t seed)
{
	struct fx x = {0};
	struct cb_demo_rng r;
	struct cb_err err = {0};
	cb_demo_rng_seed(&r, seed);
	x.cases = calloc((size_t)n, sizeof *x.cases);
	x.keys = calloc((size_t)n, 1);
	if (!x.cases || !x.keys || cb_index_new(&x.ix) != CB_OK)
		goto fail;
	for (long i = 0; i < n; i++) {
		struct cb_case *c = &x.cases[i];
		cb_case_init(c);
		if (cb_demo_case(&r, c, false) != CB_OK)
			goto fail;
		c->case_id[0] = 0xca;
		for (int b = 0; b < 8; b++)
			c->case_id[8 + b] = (uint8_t)((uint64_t)i >> (8 * b));
		c->consent_statistics = i % 7 == 3 ? CB_yes_no_no : CB_yes_no_yes;
		x.keys[i] = (uint8_t)((uint64_t)(i + 1) * 2654435761u >> 13);
		if (cb_index_upsert(x.ix, c, x.keys[i], &err) != CB_OK)
			goto fail;
		x.n = i + 1;
	}
	return x;
fail:
	cb_index_free(&x.ix);
	return x;
}

static inline void fx_free(struct fx *x)
{
	for (long i = 0; i < x->n; i++)
		cb_case_clear(&x->cases[i]);
	free(x->cases);
	free(x->keys);
	cb_index_free(&x->ix);
	memset(x, 0, sizeof *x);
}

#endif
