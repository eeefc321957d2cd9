/*
 * synth.c -- one registration year's differentially private release: measure once, fit, draw a synthetic
 * caseload.  This is the only code that reads real cases for published statistics, and it reads them
 * only through noisy measurements; everything after the noise is post-processing.
 *
 * 1. Measure.  For each row of include/tbl/cb_release.h: the field's one-way table, then its table with its
 *    parent (or its two parents: a three-way table), and for a country field the one-way table of its
 *    UN M49 regions; each count plus an exact discrete Gaussian draw (dgauss.c).  A case is the privacy unit
 *    and adds 1 to one cell of a single-valued table; of a multi-valued field it adds 1 to each of its
 *    values, at most CB_REL_CAP of them (a case with more keeps a random CB_REL_CAP), so that table's
 *    squared L2 sensitivity is CB_REL_CAP.  Each table's variance follows from its share of the year's rho
 *    (zCDP adds up: the shares sum to rho).  Large domains (countries) enter the tables with parents
 *    compressed to the values whose noisy one-way count is clearly above the noise, the rest pooled by
 *    region: the choice is made from noisy counts, so it costs nothing more.
 * 2. Fit.  The total is estimated from every single-valued table (inverse-variance weights); each one-way
 *    table is the inverse-variance combination of its own measurement and the margins of the tables that
 *    contain it, projected onto {x >= 0, sum x = total} (which also sends small noisy values to zero;
 *    countries region by region, onto the fitted region counts) and rounded to whole numbers that add up
 *    to the total (largest remainders).
 * 3. Draw (synth_draw.c).  The root's values are laid out by its counts; each field is given, per value of
 *    its parents, counts from its noisy table (cells under two standard deviations taken as empty) raked (IPF) to its
 *    own and its parents' fitted margins, and those values are dealt to the parents' records in a fresh
 *    random order, so that fields are independent given their parents -- the graphical model of MST with
 *    a fixed structure, sampled without sampling noise on the margins.  A multi-valued field is raked so
 *    that each value keeps its fitted count and the recorded records of each parents' value have at least
 *    one value each, then its values are dealt round-robin over those records.
 *
 * The synthetic caseload has exactly the fitted one-way counts (up to rounding on the parents' tables), so
 * every table, filter and margin computed from it is consistent with every other, in whole numbers >= 0.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stats/dp.h"
#include "stats/synth.h"

enum { CB_FLD_none = -1 };

static const struct rel_row {
	int field, parent_field, parent2_field, w1, w2;
} rows[] = {
#define CB_RELEASE(f, p, q, w1, w2) {CB_FLD_##f, CB_FLD_##p, CB_FLD_##q, w1, w2},
#include "tbl/cb_release.h"
#undef CB_RELEASE
};

#define NATTR ((int)CB_COUNTOF(rows))
#define KEEP_MAX 48    /* values of a large domain kept apart in the tables with parents */
#define BIG_DOMAIN 40  /* domains above this are compressed */
#define REGION_SHARE 1 /* a country field's region table, beside cb_release.h's shares */

int cb_release_nattrs(void) { return NATTR; }
int cb_release_field(int a) { return a >= 0 && a < NATTR ? rows[a].field : -1; }

bool cb_release_has_dim(int dim)
{
	int f = cb_dim_field(dim);
	if (f == CB_FLD_year || f == CB_FLD_majority)
		return true;
	for (int a = 0; a < NATTR; a++)
		if (rows[a].field == f)
			return true;
	return false;
}

static int attr_of(int field, int before)
{
	for (int b = 0; b < before; b++)
		if (rows[b].field == field)
			return b;
	return -1;
}
static int parent_attr(int a) { return attr_of(rows[a].parent_field, a); }
static int parent2_attr(int a) { return attr_of(rows[a].parent2_field, a); }

static bool is_multi(int a) { return cb_fields[rows[a].field].kind == CB_MULTI; }
static bool is_country(int a) { return cb_fields[rows[a].field].kind == CB_COUNTRY; }


struct year_data {
	uint32_t n;              /* real cases of the year (never leaves this file) */
	uint32_t *slot;          /* their index slots */
	uint32_t *v[32];         /* per attribute: code, or the (capped) value bits */
	uint32_t k[32];          /* domain: codes 0..k-1, or value bits 0..k-1 (+ none at k) */
};

/* Number of cells of an attribute's full domain: codes, or values + none. */
static uint32_t cells_of(const struct year_data *d, int a) { return is_multi(a) ? d->k[a] + 1 : d->k[a]; }

static void meas_free(struct cb_meas *m)
{
	free(m->rmap);
	free(m->cmap);
	free(m->y);
	memset(m, 0, sizeof *m);
}

static void data_free(struct year_data *d)
{
	free(d->slot);
	for (int a = 0; a < NATTR; a++) {
		if (d->v[a]) /* real cases' values */
			memset(d->v[a], 0, d->n * sizeof *d->v[a]);
		free(d->v[a]);
	}
	memset(d, 0, sizeof *d);
}

uint32_t cb_release_cap_bits(uint32_t v)
{
	while (__builtin_popcount(v) > CB_REL_CAP) {
		uint32_t k = randombytes_uniform((uint32_t)__builtin_popcount(v)), w = v;
		for (uint32_t i = 0; i < k; i++)
			w &= w - 1;
		v &= ~(w & -w);
	}
	return v;
}

/* The counted cases of the year and their values of the released fields. */
static int gather(const struct cb_index *ix, int year, struct year_data *d)
{
	const struct cb_icol *yc = &ix->col[CB_FLD_year];
	uint32_t ycode = (uint32_t)(year - cb_fields[CB_FLD_year].lo + 1);
	memset(d, 0, sizeof *d);
	for (uint32_t i = 0; i < ix->n; i++)
		if (cb_index_counts(ix, i) && cb_icol_get(yc, i) == ycode)
			d->n++;
	if (!(d->slot = malloc((d->n ? d->n : 1) * sizeof *d->slot)))
		return CB_ENOMEM;
	uint32_t j = 0;
	for (uint32_t i = 0; i < ix->n; i++)
		if (cb_index_counts(ix, i) && cb_icol_get(yc, i) == ycode)
			d->slot[j++] = i;
	for (int a = 0; a < NATTR; a++) {
		const struct cb_icol *c = &ix->col[rows[a].field];
		d->k[a] = c->ncodes;
		if (!(d->v[a] = malloc((d->n ? d->n : 1) * sizeof *d->v[a])))
			return CB_ENOMEM;
		for (uint32_t r = 0; r < d->n; r++) {
			uint32_t x = cb_icol_get(c, d->slot[r]);
			d->v[a][r] = c->multi ? cb_release_cap_bits(x) : x;
		}
	}
	return CB_OK;
}

/* Adds discrete Gaussian noise of the given share of rho to n exact counts; returns the rho spent. */
static int add_noise(const int64_t *exact, size_t n, uint64_t sens2, double rho, double *y, double *var,
		     double *spent)
{
	uint64_t num, den;
	struct cb_dgauss *g = NULL;
	int64_t *z = malloc((n ? n : 1) * sizeof *z);
	int rc = CB_ENOMEM;
	if (!z)
		goto out;
	if ((rc = cb_dgauss_sigma2_for(rho, sens2, &num, &den)) || (rc = cb_dgauss_new(num, den, &g)) ||
	    (rc = cb_dgauss_fill(g, z, n)))
		goto out;
	for (size_t i = 0; i < n; i++)
		y[i] = (double)(exact[i] + z[i]);
	*var = (double)num / (double)den;
	*spent += cb_dgauss_rho_of(num, den, sens2);
out:
	if (z)
		memset(z, 0, n * sizeof *z);
	free(z);
	cb_dgauss_free(&g);
	return rc;
}

/* Cells a case lands in for an attribute, by row map: its code, or each value bit (none: row of k). */
static int cells_of_case(const struct year_data *d, int a, uint32_t r, const uint32_t *map, uint32_t out[32])
{
	uint32_t x = d->v[a][r];
	int n = 0;
	if (!is_multi(a)) {
		out[n++] = map[x];
		return n;
	}
	if (!x)
		out[n++] = map[d->k[a]];
	for (; x; x &= x - 1)
		out[n++] = map[__builtin_ctz(x)];
	return n;
}

/* A case's value of a's parents as one code: parent p's code, or with two parents p's code * q's cells + q's. */
static uint32_t parents_code(const struct year_data *d, int a, uint32_t r)
{
	int p = parent_attr(a), q = parent2_attr(a);
	return q < 0 ? d->v[p][r] : d->v[p][r] * cells_of(d, q) + d->v[q][r];
}

/* Counts the cases into m's cells (child attribute a by rows, its parents by columns, or one-way). */
static int measure(const struct year_data *d, int a, bool edge, struct cb_meas *m, double rho, double *spent)
{
	size_t nc = (size_t)m->nr * m->nc;
	int64_t *exact = calloc(nc, sizeof *exact);
	int rc = CB_ENOMEM;
	if (!exact || !(m->y = malloc(nc * sizeof *m->y)))
		goto out;
	for (uint32_t r = 0; r < d->n; r++) {
		uint32_t cells[32];
		int k = cells_of_case(d, a, r, m->rmap, cells);
		uint32_t col = edge ? m->cmap[parents_code(d, a, r)] : 0;
		for (int i = 0; i < k; i++)
			exact[(size_t)cells[i] * m->nc + col]++;
	}
	rc = add_noise(exact, nc, is_multi(a) ? CB_REL_CAP : 1, rho, m->y, &m->var, spent);
out:
	if (exact)
		memset(exact, 0, nc * sizeof *exact);
	free(exact);
	return rc;
}

static uint32_t *identity_map(uint32_t n)
{
	uint32_t *m = malloc((n ? n : 1) * sizeof *m);
	for (uint32_t i = 0; m && i < n; i++)
		m[i] = i;
	return m;
}

/* The rows (or columns) of attribute a in a table with parents: every cell, or for a large single-valued
 * domain the KEEP_MAX cells with the largest noisy one-way counts above 3 standard deviations, the rest
 * pooled in one last cell.  Chosen from the noisy one-way table only. */
static uint32_t *domain_map(const struct year_data *d, int a, const struct cb_meas *one, uint32_t *n)
{
	uint32_t k = cells_of(d, a);
	if (is_multi(a) || k <= BIG_DOMAIN) {
		*n = k;
		return identity_map(k);
	}
	uint32_t *order = identity_map(k), *map = malloc(k * sizeof *map), kept = 0;
	if (!order || !map) {
		free(order);
		free(map);
		return NULL;
	}
	/* selection of the largest: k is a few hundred at most */
	double cut = 3.0 * sqrt(one->var);
	for (uint32_t i = 0; i < k && kept < KEEP_MAX; i++) {
		uint32_t best = i;
		for (uint32_t j = i + 1; j < k; j++)
			if (one->y[order[j]] > one->y[order[best]])
				best = j;
		uint32_t t = order[i];
		order[i] = order[best];
		order[best] = t;
		if (one->y[order[i]] < cut)
			break;
		kept++;
	}
	/* the rest pooled by UN M49 region (a public grouping, so the pools cost nothing), "not recorded" and
	 * countries without a region last */
	bool country = cb_fields[rows[a].field].kind == CB_COUNTRY;
	for (uint32_t i = 0; i < k; i++) {
		int r = country && i > 0 ? cb_country_region((int32_t)i - 1) : CB_NA;
		map[i] = kept + (r == CB_NA || r < 0 ? (uint32_t)cb_nregions : (uint32_t)r);
	}
	for (uint32_t i = 0; i < kept; i++)
		map[order[i]] = i;
	free(order);
	*n = kept + (uint32_t)cb_nregions + 1;
	return map;
}

/* Euclidean projection of x (n entries) onto {x >= 0, sum x = total} (sort and threshold). */
static int project_simplex(double *x, uint32_t n, double total)
{
	double *s = malloc((n ? n : 1) * sizeof *s), cum = 0, theta = 0;
	if (!s)
		return CB_ENOMEM;
	if (total <= 0) { /* the only point of the simplex */
		for (uint32_t i = 0; i < n; i++)
			x[i] = 0;
		free(s);
		return CB_OK;
	}
	memcpy(s, x, n * sizeof *s);
	/* descending insertion sort: n is small except for countries (a few hundred) */
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && s[j - 1] < s[j]; j--) {
			double t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	for (uint32_t i = 0; i < n; i++) {
		cum += s[i];
		double th = (cum - total) / (double)(i + 1);
		if (s[i] - th > 0)
			theta = th;
	}
	for (uint32_t i = 0; i < n; i++)
		x[i] = x[i] - theta > 0 ? x[i] - theta : 0;
	free(s);
	return CB_OK;
}

void cb_synth_round_to(const double *x, uint32_t n, int64_t total, int64_t *out, uint32_t stride)
{
	double sum = 0;
	int64_t got = 0;
	for (uint32_t i = 0; i < n; i++)
		sum += x[(size_t)i * stride];
	double scale = sum > 0 ? (double)total / sum : 0;
	for (uint32_t i = 0; i < n; i++) {
		out[(size_t)i * stride] = (int64_t)floor(x[(size_t)i * stride] * scale);
		got += out[(size_t)i * stride];
	}
	if (sum <= 0 && n > 0) { /* nothing to go by: all on the first cell ("not recorded") */
		out[0] += total - got;
		return;
	}
	while (got < total) {
		uint32_t best = 0;
		double bf = -1;
		for (uint32_t i = 0; i < n; i++) {
			double f = x[(size_t)i * stride] * scale - (double)out[(size_t)i * stride];
			if (f > bf) {
				bf = f;
				best = i;
			}
		}
		out[(size_t)best * stride]++;
		got++;
	}
}


static void fit_free(struct cb_fit *f)
{
	for (int a = 0; a < NATTR; a++) {
		free(f->est[a]);
		free(f->cnt[a]);
		free(f->map[a]);
		meas_free(&f->one[a]);
		meas_free(&f->edge[a]);
		meas_free(&f->region[a]);
	}
	memset(f, 0, sizeof *f);
}

/* Total of the cases: inverse-variance mean of every single-valued table's sum. */
static int64_t fit_total(const struct cb_fit *f)
{
	double num = 0, den = 0;
	for (int a = 0; a < NATTR; a++) {
		if (is_multi(a))
			continue;
		const struct cb_meas *ms[2] = {&f->one[a], &f->edge[a]};
		for (int i = 0; i < 2; i++) {
			const struct cb_meas *m = ms[i];
			if (!m->y)
				continue;
			double s = 0, v = m->var * (double)m->nr * (double)m->nc;
			for (size_t c = 0; c < (size_t)m->nr * m->nc; c++)
				s += m->y[c];
			num += s / v;
			den += 1 / v;
		}
	}
	double t = den > 0 ? num / den : 0;
	return t > 0 ? (int64_t)llround(t) : 0;
}

/* Adds to the inverse-variance sums of a's k cells the margins of table m: along its rows (by_row: map takes a's
 * cell to its row, summed over the columns) or its columns.  Only cells that have a row or column of their
 * own: a pooled one is the sum of several. */
static void add_margins(const struct cb_meas *m, const uint32_t *map, bool by_row, uint32_t k, double *num, double *den)
{
	uint32_t len = by_row ? m->nc : m->nr;
	size_t step = by_row ? 1 : m->nc;
	for (uint32_t i = 0; i < k; i++) {
		uint32_t line = map[i];
		bool alone = true;
		for (uint32_t j = 0; j < k && alone; j++)
			alone = j == i || map[j] != line;
		if (!alone)
			continue;
		const double *y = m->y + (by_row ? (size_t)line * m->nc : line);
		double sum = 0;
		for (uint32_t t = 0; t < len; t++)
			sum += y[t * step];
		num[i] += sum / (m->var * len);
		den[i] += 1 / (m->var * len);
	}
}

/* One-way estimate of attribute a: its measurement combined with the margins of the tables whose row (a as
 * child) or column (a as the only parent of a single-valued child) is one full cell. */
static int fit_oneway(const struct year_data *d, struct cb_fit *f, int a)
{
	uint32_t k = cells_of(d, a);
	double *num = calloc(k, sizeof *num), *den = calloc(k, sizeof *den);
	int rc = CB_ENOMEM;
	if (!num || !den || !(f->est[a] = calloc(k, sizeof *f->est[a])) || !(f->cnt[a] = calloc(k, sizeof *f->cnt[a])))
		goto out;
	for (uint32_t i = 0; i < k; i++) {
		num[i] = f->one[a].y[i] / f->one[a].var;
		den[i] = 1 / f->one[a].var;
	}
	if (f->edge[a].y) /* a as child: the rows of its table with its parents */
		add_margins(&f->edge[a], f->edge[a].rmap, true, k, num, den);
	for (int b = a + 1; b < NATTR; b++) /* a as the only parent: the columns of a child's table */
		if (parent_attr(b) == a && parent2_attr(b) < 0 && !is_multi(b) && f->edge[b].y)
			add_margins(&f->edge[b], f->edge[b].cmap, false, k, num, den);
	for (uint32_t i = 0; i < k; i++)
		f->est[a][i] = num[i] / den[i];
	if (is_multi(a)) {
		/* each value (and none) is a count of cases between 0 and the total */
		for (uint32_t i = 0; i < k; i++) {
			double x = f->est[a][i];
			x = x < 0 ? 0 : x > (double)f->total ? (double)f->total : x;
			/* a value below one standard deviation of its estimate is as likely noise as cases: zero,
			 * as the projection does for single-valued fields */
			if (x < sqrt(1.0 / den[i]))
				x = 0;
			f->est[a][i] = x;
			f->cnt[a][i] = llround(x);
		}
		rc = CB_OK;
		goto out;
	}
	if (f->region[a].y) {
		/* countries inside their regions: each region's countries add up to the region's count, so a region
		 * with no case gets no country however noisy its countries' counts are */
		const struct cb_meas *rg = &f->region[a];
		double *rest = malloc(rg->nr * sizeof *rest), *sub = malloc(k * sizeof *sub);
		uint32_t *idx = malloc(k * sizeof *idx);
		if (!rest || !sub || !idx) {
			free(rest);
			free(sub);
			free(idx);
			rc = CB_ENOMEM;
			goto out;
		}
		memcpy(rest, rg->y, rg->nr * sizeof *rest);
		if ((rc = project_simplex(rest, rg->nr, (double)f->total)) == CB_OK)
			for (uint32_t r = 0; r < rg->nr && rc == CB_OK; r++) {
				uint32_t m = 0;
				for (uint32_t i = 0; i < k; i++)
					if (rg->rmap[i] == r) {
						idx[m] = i;
						sub[m++] = f->est[a][i];
					}
				if ((rc = project_simplex(sub, m, rest[r])) == CB_OK)
					for (uint32_t i = 0; i < m; i++)
						f->est[a][idx[i]] = sub[i];
			}
		free(rest);
		free(sub);
		free(idx);
		if (rc)
			goto out;
	} else if ((rc = project_simplex(f->est[a], k, (double)f->total))) {
		goto out;
	}
	cb_synth_round_to(f->est[a], k, f->total, f->cnt[a], 1);
	rc = CB_OK;
out:
	free(num);
	free(den);
	return rc;
}

static int measure_all(const struct year_data *d, struct cb_fit *f, double rho, double *spent)
{
	int wsum = 0, rc;
	for (int a = 0; a < NATTR; a++)
		wsum += rows[a].w1 + (parent_attr(a) >= 0 ? rows[a].w2 : 0) + (is_country(a) ? REGION_SHARE : 0);
	for (int a = 0; a < NATTR; a++) { /* one-way tables first: they choose the parents' tables' domains */
		struct cb_meas *m = &f->one[a];
		m->nr = cells_of(d, a);
		m->nc = 1;
		if (!(m->rmap = identity_map(m->nr)))
			return CB_ENOMEM;
		if ((rc = measure(d, a, false, m, rho * rows[a].w1 / wsum, spent)))
			return rc;
		if (!(f->map[a] = domain_map(d, a, m, &f->mapn[a])))
			return CB_ENOMEM;
		if (is_country(a)) { /* its regions, by their own measurement */
			struct cb_meas *g = &f->region[a];
			g->nr = (uint32_t)cb_nregions + 1;
			g->nc = 1;
			if (!(g->rmap = malloc(cells_of(d, a) * sizeof *g->rmap)))
				return CB_ENOMEM;
			for (uint32_t i = 0; i < cells_of(d, a); i++)
				g->rmap[i] = cb_region_of_code(i);
			if ((rc = measure(d, a, false, g, rho * REGION_SHARE / wsum, spent)))
				return rc;
		}
	}
	for (int a = 0; a < NATTR; a++) {
		int p = parent_attr(a), q = parent2_attr(a);
		if (p < 0)
			continue;
		struct cb_meas *m = &f->edge[a];
		uint32_t kq = q < 0 ? 1 : cells_of(d, q), nq = q < 0 ? 1 : f->mapn[q];
		m->nr = f->mapn[a];
		m->nc = f->mapn[p] * nq;
		m->rmap = malloc(cells_of(d, a) * sizeof *m->rmap);
		m->cmap = malloc(cells_of(d, p) * kq * sizeof *m->cmap);
		if (!m->rmap || !m->cmap)
			return CB_ENOMEM;
		memcpy(m->rmap, f->map[a], cells_of(d, a) * sizeof *m->rmap);
		for (uint32_t i = 0; i < cells_of(d, p); i++) /* parents' cells: p's row of q's cells */
			for (uint32_t j = 0; j < kq; j++)
				m->cmap[i * kq + j] = f->map[p][i] * nq + (q < 0 ? 0 : f->map[q][j]);
		if ((rc = measure(d, a, true, m, rho * rows[a].w2 / wsum, spent)))
			return rc;
	}
	return CB_OK;
}

int cb_synth_release(const struct cb_index *ix, int year, double rho, struct cb_synth **out, struct cb_err *err)
{
	struct year_data d;
	struct cb_fit f;
	struct cb_synth *sy = NULL;
	int rc;
	*out = NULL;
	memset(&f, 0, sizeof f);
	if (!(rho > 0) || !isfinite(rho))
		return cb_err_set(err, CB_EINVAL, "release: rho must be a positive number");
	if ((rc = gather(ix, year, &d)))
		goto out;
	for (int a = 0; a < NATTR; a++) { /* what the drawing needs to know of each attribute */
		f.k[a] = d.k[a];
		f.multi[a] = is_multi(a);
		f.parent[a] = parent_attr(a);
		f.parent2[a] = parent2_attr(a);
	}
	if (!(sy = calloc(1, sizeof *sy))) {
		rc = CB_ENOMEM;
		goto out;
	}
	sy->year = year;
	if ((rc = measure_all(&d, &f, rho, &sy->rho)))
		goto out;
	f.total = fit_total(&f);
	for (int a = 0; a < NATTR; a++)
		if ((rc = fit_oneway(&d, &f, a)))
			goto out;
	sy->n = (uint32_t)f.total;
	sy->nattr = NATTR;
	for (int a = 0; a < NATTR; a++)
		sy->field[a] = rows[a].field;
	if ((rc = cb_synth_draw(sy, &f)))
		goto out;
	*out = sy;
	sy = NULL;
out:
	fit_free(&f);
	data_free(&d);
	cb_synth_free(&sy);
	if (rc == CB_ENOMEM)
		cb_err_set(err, rc, "out of memory");
	else if (rc)
		cb_err_set(err, rc, "release of %d: cannot draw the noise", year);
	return rc;
}

void cb_synth_free(struct cb_synth **psy)
{
	struct cb_synth *sy = *psy;
	if (!sy)
		return;
	for (int a = 0; a < CB_REL_MAXATTR; a++)
		free(sy->col[a]);
	free(sy);
	*psy = NULL;
}

/* A digest of the year's counted cases as the release sees them: a new release is due when it changes. */
int cb_release_year_digest(const struct cb_index *ix, int year, uint8_t out[16])
{
	struct year_data d;
	crypto_generichash_state st;
	int rc = gather(ix, year, &d);
	if (rc == CB_OK) {
		crypto_generichash_init(&st, NULL, 0, 16);
		for (uint32_t r = 0; r < d.n; r++) {
			uint32_t v[CB_REL_MAXATTR];
			for (int a = 0; a < NATTR; a++) /* capping is random: hash the full value sets */
				v[a] = is_multi(a) ? cb_icol_get(&ix->col[rows[a].field], d.slot[r]) : d.v[a][r];
			crypto_generichash_update(&st, ix->id[d.slot[r]], 16);
			crypto_generichash_update(&st, (const unsigned char *)v, NATTR * sizeof v[0]);
		}
		crypto_generichash_final(&st, out, 16);
	}
	data_free(&d);
	return rc;
}
