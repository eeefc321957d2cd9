/*
 * synth_draw.c -- the third step of a release (see synth.c): drawing the synthetic caseload from the fit.
 * The root's values are laid out by its counts; each field is given, per value of its parents, counts from
 * its noisy table raked (IPF) to its own and its parents' fitted margins, and those values are dealt to the
 * parents' records in a fresh random order.  Everything here is post-processing of noisy measurements.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stats/synth.h"

#define IPF_ROUNDS 60

static void shuffle(uint32_t *v, uint32_t n)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = randombytes_uniform(i), t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* The counts of n full cells summed into the npool rows or columns map takes them to (a pooled row or column
 * holds several cells).  NULL when out of memory. */
static double *pooled(const uint32_t *map, uint32_t n, const int64_t *counts, uint32_t npool)
{
	double *pool = calloc(npool ? npool : 1, sizeof *pool);
	for (uint32_t i = 0; pool && i < n; i++)
		pool[map[i]] += (double)counts[i];
	return pool;
}

/* Seed of the child x parents table from its noisy measurement: a pooled row or column is shared out in
 * proportion to the fitted counts of its members; a small independence term lets raking reach margins
 * the noisy table has zeros for. */
static int seed(const struct cb_fit *f, const struct cb_meas *e, int a, uint32_t ka, uint32_t kp, const int64_t *np,
		double *s)
{
	double *rowpool = pooled(e->rmap, ka, f->cnt[a], e->nr), *colpool = pooled(e->cmap, kp, np, e->nc);
	int rc = CB_ENOMEM;
	if (!rowpool || !colpool)
		goto out;
	/* a noisy cell below two standard deviations is as likely empty: most cells of a large table
	 * are, and their positive noise would otherwise pull cases where there are none */
	double tot = f->total > 0 ? (double)f->total : 1, cut = 2 * sqrt(e->var);
	for (uint32_t i = 0; i < ka; i++) {
		uint32_t r = e->rmap[i];
		double rs = rowpool[r] > 0 ? (double)f->cnt[a][i] / rowpool[r] : 0;
		for (uint32_t j = 0; j < kp; j++) {
			uint32_t c = e->cmap[j];
			double cs = colpool[c] > 0 ? (double)np[j] / colpool[c] : 0, y = e->y[(size_t)r * e->nc + c];
			s[(size_t)i * kp + j] = (y > cut ? y * rs * cs : 0) + 1e-3 * (double)f->cnt[a][i] * (double)np[j] / tot;
		}
	}
	rc = CB_OK;
out:
	free(rowpool);
	free(colpool);
	return rc;
}

/* Iterative proportional fitting of s (ka x kp) to row sums r and column sums c.  Rows and columns whose
 * margin is zero are zeroed once and then left out: most countries have no case in a year. */
static int rake(double *s, uint32_t ka, uint32_t kp, const int64_t *r, const int64_t *c)
{
	uint32_t *ri = malloc((ka ? ka : 1) * sizeof *ri), *ci = malloc((kp ? kp : 1) * sizeof *ci), nr = 0, nc = 0;
	if (!ri || !ci) {
		free(ri);
		free(ci);
		return CB_ENOMEM;
	}
	for (uint32_t i = 0; i < ka; i++)
		if (r[i] > 0)
			ri[nr++] = i;
		else
			for (uint32_t j = 0; j < kp; j++)
				s[(size_t)i * kp + j] = 0;
	for (uint32_t j = 0; j < kp; j++)
		if (c[j] > 0)
			ci[nc++] = j;
		else
			for (uint32_t i = 0; i < ka; i++)
				s[(size_t)i * kp + j] = 0;
	for (int it = 0; it < IPF_ROUNDS; it++) {
		for (uint32_t x = 0; x < nr; x++) {
			double sum = 0, *row = s + (size_t)ri[x] * kp;
			for (uint32_t y = 0; y < nc; y++)
				sum += row[ci[y]];
			double k = sum > 0 ? (double)r[ri[x]] / sum : 0;
			for (uint32_t y = 0; y < nc; y++)
				row[ci[y]] *= k;
		}
		for (uint32_t y = 0; y < nc; y++) {
			double sum = 0;
			for (uint32_t x = 0; x < nr; x++)
				sum += s[(size_t)ri[x] * kp + ci[y]];
			double k = sum > 0 ? (double)c[ci[y]] / sum : 0;
			for (uint32_t x = 0; x < nr; x++)
				s[(size_t)ri[x] * kp + ci[y]] *= k;
		}
	}
	free(ri);
	free(ci);
	return CB_OK;
}

/* Counts of each parents' code among the synthetic records. */
static int64_t *parent_counts(const uint32_t *pc, uint32_t n, uint32_t kp)
{
	int64_t *np = calloc(kp, sizeof *np);
	for (uint32_t r = 0; np && r < n; r++)
		np[pc[r]]++;
	return np;
}

static int draw_single(struct cb_synth *sy, const struct cb_fit *f, int a,
		       const uint32_t *pc, uint32_t kp, uint32_t *order)
{
	uint32_t ka = cb_fit_cells(f, a);
	int64_t *np = parent_counts(pc, sy->n, kp), *x = calloc((size_t)ka * kp, sizeof *x);
	double *s = malloc((size_t)ka * kp * sizeof *s);
	uint32_t *cursor = calloc(kp, sizeof *cursor);
	int rc = CB_ENOMEM;
	if (!np || !x || !s || !cursor)
		goto out;
	if ((rc = seed(f, &f->edge[a], a, ka, kp, np, s)) || (rc = rake(s, ka, kp, f->cnt[a], np)))
		goto out;
	for (uint32_t j = 0; j < kp; j++)
		cb_synth_round_to(s + j, ka, np[j], x + j, kp);
	shuffle(order, sy->n);
	for (uint32_t t = 0; t < sy->n; t++) {
		uint32_t r = order[t], j = pc[r], *i = &cursor[j];
		while (*i < ka && x[(size_t)*i * kp + j] == 0)
			(*i)++;
		if (*i == ka) { /* cannot happen: column j adds up to np[j] */
			sy->col[a][r] = 0;
			continue;
		}
		x[(size_t)*i * kp + j]--;
		sy->col[a][r] = *i;
	}
	rc = CB_OK;
out:
	free(np);
	free(x);
	free(s);
	free(cursor);
	return rc;
}

/* A multi-valued child: per parents' value j, how many of its records have none, and how many have each
 * value (noisy conditional shares with the fitted one-way shares as a prior of sqrt(var) cases, then raked
 * so each value's count over all parents' values is its fitted count). */
static int draw_multi(struct cb_synth *sy, const struct cb_fit *f, int a,
		      const uint32_t *pc, uint32_t kp, uint32_t *order)
{
	const struct cb_meas *e = &f->edge[a];
	uint32_t nb = f->k[a], kc = nb + 1;
	int64_t *np = parent_counts(pc, sy->n, kp), *h = calloc((size_t)kc * kp, sizeof *h);
	double *s = calloc((size_t)kc * kp, sizeof *s), *colpool = NULL;
	uint32_t *fill = calloc(kp, sizeof *fill), *start = calloc(kp + 1, sizeof *start), *grp = NULL;
	int rc = CB_ENOMEM;
	if (!np || !h || !s || !fill || !start || !(grp = malloc((sy->n ? sy->n : 1) * sizeof *grp)) ||
	    !(colpool = pooled(e->cmap, kp, np, e->nc)))
		goto out;
	double tot = f->total > 0 ? (double)f->total : 1, prior = sqrt(e->var);
	for (uint32_t j = 0; j < kp; j++) {
		uint32_t c = e->cmap[j];
		for (uint32_t v = 0; v < kc; v++) {
			double y = e->y[(size_t)e->rmap[v] * e->nc + c];
			double share = ((y > 0 ? y : 0) + prior * f->est[a][v] / tot) / (colpool[c] + prior);
			s[(size_t)v * kp + j] = share * (double)np[j];
		}
	}
	/* Raking with weighted columns: each value's total is its fitted count (rows), and per parents' code j
	 * the records are split into not recorded and recorded, a recorded one having mbar values on average:
	 * none_j + (sum of values_j) / mbar = n_j.  mbar >= 1 keeps every recorded case with a value. */
	int64_t nvals = 0, nnone = f->cnt[a][nb];
	for (uint32_t v = 0; v < nb; v++)
		nvals += f->cnt[a][v];
	double mbar = f->total > nnone && nvals > f->total - nnone ? (double)nvals / (double)(f->total - nnone) : 1;
	for (int it = 0; it < IPF_ROUNDS; it++) {
		for (uint32_t v = 0; v < kc; v++) {
			double sum = 0, *row = s + (size_t)v * kp;
			for (uint32_t j = 0; j < kp; j++)
				sum += row[j];
			double k = sum > 0 ? (double)f->cnt[a][v] / sum : 0;
			for (uint32_t j = 0; j < kp; j++)
				row[j] *= k;
		}
		for (uint32_t j = 0; j < kp; j++) {
			double w = s[(size_t)nb * kp + j];
			for (uint32_t v = 0; v < nb; v++)
				w += s[(size_t)v * kp + j] / mbar;
			double k = w > 0 ? (double)np[j] / w : 0;
			for (uint32_t v = 0; v < kc; v++)
				s[(size_t)v * kp + j] *= k;
		}
	}
	for (uint32_t v = 0; v < kc; v++) /* whole numbers, each value's total kept exactly */
		cb_synth_round_to(s + (size_t)v * kp, kp, f->cnt[a][v], h + (size_t)v * kp, 1);
	/* records grouped by parent value, each group in a fresh random order */
	shuffle(order, sy->n);
	for (uint32_t r = 0; r < sy->n; r++)
		start[pc[r] + 1]++;
	for (uint32_t j = 0; j < kp; j++)
		start[j + 1] += start[j];
	for (uint32_t t = 0; t < sy->n; t++) {
		uint32_t r = order[t], j = pc[r];
		grp[start[j] + fill[j]++] = r;
	}
	for (uint32_t j = 0; j < kp; j++) {
		int64_t n = np[j], none = h[(size_t)nb * kp + j], sum = 0;
		if (none > n)
			none = n;
		for (uint32_t v = 0; v < nb; v++)
			sum += h[(size_t)v * kp + j];
		int64_t rec = n - none < sum ? n - none : sum; /* rounding may leave a recorded case without a value */
		uint32_t *g = grp + start[j], cur = 0;
		for (int64_t t = 0; t < n; t++)
			sy->col[a][g[t]] = 0;
		for (uint32_t v = 0; v < nb && rec > 0; v++) {
			int64_t m = h[(size_t)v * kp + j] < rec ? h[(size_t)v * kp + j] : rec;
			for (int64_t t = 0; t < m; t++) {
				sy->col[a][g[cur]] |= 1u << v;
				cur = (uint32_t)((cur + 1) % (uint32_t)rec);
			}
		}
	}
	rc = CB_OK;
out:
	free(np);
	free(h);
	free(s);
	free(colpool);
	free(fill);
	free(start);
	free(grp);
	return rc;
}

int cb_synth_draw(struct cb_synth *sy, const struct cb_fit *f)
{
	uint32_t *order = malloc((sy->n ? sy->n : 1) * sizeof *order), *pc = malloc((sy->n ? sy->n : 1) * sizeof *pc);
	int rc = CB_OK;
	if (!order || !pc) {
		free(order);
		free(pc);
		return CB_ENOMEM;
	}
	for (uint32_t r = 0; r < sy->n; r++)
		order[r] = r;
	for (int a = 0; a < sy->nattr && rc == CB_OK; a++) {
		int p = f->parent[a];
		if (!(sy->col[a] = calloc(sy->n ? sy->n : 1, sizeof *sy->col[a]))) {
			rc = CB_ENOMEM;
			break;
		}
		if (p < 0) { /* the root: its counts laid out in order (children are dealt in random order) */
			uint32_t r = 0;
			for (uint32_t v = 0; v < cb_fit_cells(f, a); v++)
				for (int64_t t = 0; t < f->cnt[a][v]; t++)
					sy->col[a][r++] = v;
			continue;
		}
		/* the parents' codes of the records drawn so far, as one column */
		int q = f->parent2[a];
		uint32_t kq = q < 0 ? 1 : cb_fit_cells(f, q), kp = cb_fit_cells(f, p) * kq;
		for (uint32_t r = 0; r < sy->n; r++)
			pc[r] = sy->col[p][r] * kq + (q < 0 ? 0 : sy->col[q][r]);
		rc = f->multi[a] ? draw_multi(sy, f, a, pc, kp, order) : draw_single(sy, f, a, pc, kp, order);
	}
	free(order);
	free(pc);
	return rc;
}
