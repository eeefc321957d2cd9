/*
 * synth.h -- what the two halves of a release share, private to src/stats: synth.c measures the year's
 * cases once and fits one-way counts to the noisy tables; synth_draw.c draws the synthetic caseload from
 * the fit.  Nothing here holds a real case: the fit is post-processing of noisy measurements only.
 */
#ifndef CB_STATS_SYNTH_H
#define CB_STATS_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "stats/stats_int.h"

/* One noisy table: rows x cols cells (one-way: cols = 1).  rmap/cmap take a full code (or a value bit, or
 * nbits for "none" of a multi-valued field) to its row/column; a compressed domain pools the rest in its
 * last row/column. */
struct cb_meas {
	uint32_t nr, nc;
	uint32_t *rmap, *cmap;
	double var; /* noise variance of each cell */
	double *y;  /* noisy counts */
};

/* The fit of one year: per released attribute (a row of tbl/cb_release.h, in order) its domain and place in
 * the model, its fitted counts and the noisy tables they came from. */
struct cb_fit {
	int64_t total;
	uint32_t k[32];        /* domain: codes 0..k-1, or value bits 0..k-1 (+ none at k) */
	bool multi[32];        /* multi-valued field */
	int parent[32], parent2[32]; /* attributes of the parents, or -1 */
	double *est[32];       /* fitted one-way counts per full cell */
	int64_t *cnt[32];      /* the same in whole numbers */
	uint32_t *map[32];     /* domain_map of each attribute, and its size */
	uint32_t mapn[32];
	struct cb_meas one[32], edge[32];
	struct cb_meas region[32]; /* countries: the one-way table of their UN M49 regions */
};

/* Number of cells of an attribute's full domain: codes, or values + none. */
static inline uint32_t cb_fit_cells(const struct cb_fit *f, int a) { return f->multi[a] ? f->k[a] + 1 : f->k[a]; }

/* Whole numbers with the given sum closest to x (largest remainders); x >= 0, sum x about total. */
void cb_synth_round_to(const double *x, uint32_t n, int64_t total, int64_t *out, uint32_t stride);

/* Fills sy->col[a] for a < sy->nattr from the fit (sy->n records). */
int cb_synth_draw(struct cb_synth *sy, const struct cb_fit *f);

#endif
