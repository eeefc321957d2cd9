/*
 * table.c -- the bank (index + ptable + threshold + consent policy) and query execution: the filter is
 * evaluated into a bitmap, then one pass over the selected cases counts every cell and sums its record
 * keys by direct array indexing; totals are filled by summing along each single-valued axis (every case
 * sits in exactly one value there, so sums are exact record sets) while multi-valued axes count their
 * totals in the same pass (a case counts once in a total however many values it has).  Every cell, total
 * or not, is then perturbed on its own with the cell key method and suppressed below the threshold.
 *
 * The renderers (text cross-table, tidy CSV, JSON) live in render.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats/dp.h"
#include "stats/stats_int.h"
#include "util/i18n.h"

/* Labels are for people: in the thread's language (util/i18n.h), chosen by the command line or the request;
 * names (the codes) never change. */
#define CBL(s) cb_tr(NULL, "codebook", s)

int cb_stats_new(struct cb_index *ix, struct cb_ptable *pt, int threshold, bool require_consent,
		 struct cb_stats **out, struct cb_err *err)
{
	*out = NULL;
	struct cb_stats *st = calloc(1, sizeof *st);
	if (!st) {
		cb_index_free(&ix);
		cb_ptable_free(&pt);
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	st->ix = ix;
	st->pt = pt;
	st->threshold = threshold < 1 ? 1 : threshold;
	if (ix->require_consent != require_consent)
		cb_index_set_require_consent(ix, require_consent);
	*out = st;
	return CB_OK;
}

int cb_stats_open_records(struct cb_store *s, struct cb_stats **out, struct cb_err *err)
{
	struct cb_index *ix = NULL;
	struct cb_ptable *pt = NULL;
	char *t = NULL;
	int rc, threshold = CB_STATS_DEFAULT_THRESHOLD;
	*out = NULL;
	if (cb_store_meta_get(s, "stats.threshold", &t) == CB_OK) {
		char *e;
		long v = strtol(t, &e, 10);
		bool ok = *t && !*e && v >= 1 && v <= 1000000;
		free(t);
		if (!ok)
			return cb_err_set(err, CB_ECORRUPT, "statistics: the threshold stored in the database is damaged");
		threshold = (int)v;
	}
	if ((rc = cb_ptable_load(s, &pt, err)) || (rc = cb_index_build(s, &ix, err))) {
		cb_ptable_free(&pt);
		return rc;
	}
	/* Record the parameters in use where none are recorded yet, so that a later casebank with other
	 * defaults publishes the same values.  Best effort: a read-only store cannot take them. */
	t = NULL;
	if (cb_store_meta_get(s, "ptable.source", &t) == CB_ENOTFOUND)
		cb_ptable_save(s, pt, NULL);
	free(t);
	return cb_stats_new(ix, pt, threshold, ix->require_consent, out, err);
}

void cb_stats_free(struct cb_stats **pst)
{
	if (*pst) {
		cb_index_free(&(*pst)->ix);
		cb_ptable_free(&(*pst)->pt);
		free((*pst)->rel);
		free((*pst)->span);
		free(*pst);
		*pst = NULL;
	}
}

struct cb_index *cb_stats_index(struct cb_stats *st)
{
	return st->release ? NULL : st->ix;
}

bool cb_stats_is_release(const struct cb_stats *st) { return st->release; }
int64_t cb_stats_newest(const struct cb_stats *st) { return st->newest; }

int cb_stats_threshold(const struct cb_stats *st)
{
	return st->threshold;
}

/* ---- axes */

static int cmp_site(const void *a, const void *b, void *ix)
{
	const struct cb_index *x = ix;
	return strcmp(x->sites[*(const uint32_t *)a - 1], x->sites[*(const uint32_t *)b - 1]);
}

/* Insertion sort with a context (qsort_r is not C17); site lists are short. */
static void sort_codes(uint32_t *v, uint32_t n, const struct cb_index *ix)
{
	for (uint32_t i = 1; i < n; i++)
		for (uint32_t j = i; j > 0 && cmp_site(&v[j - 1], &v[j], (void *)ix) > 0; j--) {
			uint32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* Builds the values of axis a: value names and labels, and the code -> position map. */
static int axis_build(struct cb_axis *a, int dim, const struct cb_index *ix)
{
	int f = cb_dim_field(dim);
	const struct cb_field *fl = &cb_fields[f];
	const struct cb_icol *c = &ix->col[f];
	bool region = dim >= CB_NFIELDS;
	uint32_t nvals = 0, *codes = NULL;
	a->dim = dim;
	a->multi = c->multi;
	a->field = f;
	a->ncodes = c->ncodes;
	if (region) {
		nvals = (uint32_t)cb_nregions;
	} else if (c->multi || fl->kind == CB_ENUM || fl->kind == CB_BOOL) {
		nvals = (uint32_t)fl->vset->count;
	} else {
		codes = malloc(c->ncodes * sizeof *codes);
		if (!codes)
			return CB_ENOMEM;
		for (uint32_t k = 1; k < c->ncodes; k++)
			if (c->present[k])
				codes[nvals++] = k;
		if (fl->kind == CB_SITE)
			sort_codes(codes, nvals, ix);
	}
	a->nv = (int)nvals + 1; /* + not recorded */
	a->names = calloc((size_t)a->nv + 1, sizeof *a->names);
	a->labels = calloc((size_t)a->nv + 1, sizeof *a->labels);
	a->map = calloc(c->multi ? 1 : c->ncodes, sizeof *a->map);
	if (!a->names || !a->labels || !a->map) {
		free(codes);
		return CB_ENOMEM;
	}
	for (uint32_t i = 0; i < nvals; i++) {
		char buf[16];
		if (region) {
			a->names[i] = cb_regions[i];
			a->labels[i] = CBL(cb_regions[i]);
		} else if (codes && fl->kind == CB_INT) {
			snprintf(buf, sizeof buf, "%d", (int)(codes[i] - 1 + (uint32_t)fl->lo));
			a->names[i] = a->labels[i] = a->owned[i] = strdup(buf);
		} else if (codes && fl->kind == CB_COUNTRY) {
			a->names[i] = cb_countries[codes[i] - 1].alpha2;
			a->labels[i] = cb_tr_country(NULL, cb_countries[codes[i] - 1].name);
		} else if (codes) {
			a->names[i] = a->labels[i] = ix->sites[codes[i] - 1];
		} else {
			a->names[i] = fl->vset->values[i].name;
			a->labels[i] = CBL(fl->vset->values[i].label);
		}
	}
	a->names[nvals] = "not recorded";
	a->labels[nvals] = CBL("not recorded");
	a->names[nvals + 1] = "Total";
	a->labels[nvals + 1] = CBL("Total");
	if (!c->multi) {
		for (uint32_t k = 0; k < c->ncodes; k++)
			a->map[k] = nvals; /* not recorded (and codes nobody counted has) */
		for (uint32_t i = 0; i < nvals; i++) {
			if (region)
				continue;
			a->map[codes ? codes[i] : i + 1] = i;
		}
		if (region)
			for (uint32_t k = 1; k < c->ncodes; k++) {
				uint32_t r = cb_region_of_code(k);
				a->map[k] = r ? r - 1 : nvals;
			}
	}
	free(codes);
	for (uint32_t i = 0; i < nvals; i++)
		if (!a->names[i])
			return CB_ENOMEM;
	return CB_OK;
}

void cb_table_free(struct cb_table **pt)
{
	struct cb_table *t = *pt;
	if (!t)
		return;
	for (int d = 0; d < t->ndims; d++) {
		struct cb_axis *a = &t->ax[d];
		for (int i = 0; i < a->nv; i++)
			if (a->owned[i])
				free(a->owned[i]);
		free(a->owned);
		free(a->names);
		free(a->labels);
		free(a->map);
	}
	free(t->cells);
	free(t->where);
	free(t->rel);
	free(t);
	*pt = NULL;
}

/* ---- counting */

struct counts {
	uint32_t *n;
	uint32_t *key; /* sums wrap mod 2^32, which keeps them right mod 256 */
};

/* Cases of the selection: all single-valued axes.  The common case, kept tight. */
static void count_single(const struct cb_table *t, const struct cb_index *ix, const uint64_t *sel,
			 const uint32_t *const *pm, struct counts *c)
{
	const struct cb_icol *col[CB_STATS_MAX_DIMS] = {0};
	int nd = t->ndims;
	for (int d = 0; d < nd; d++)
		col[d] = &ix->col[t->ax[d].field];
	size_t nw = ((size_t)ix->n + 63) / 64;
	bool fast2 = nd == 2 && col[0]->width == 1 && col[1]->width == 1;
	const uint8_t *c0 = fast2 ? col[0]->data : NULL, *c1 = fast2 ? col[1]->data : NULL;
	for (size_t w = 0; w < nw; w++) {
		uint64_t bits = sel[w];
		while (bits) {
			uint32_t i = (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(bits));
			bits &= bits - 1;
			size_t off;
			if (fast2) {
				off = pm[0][c0[i]] + pm[1][c1[i]];
			} else {
				off = 0;
				for (int d = 0; d < nd; d++)
					off += pm[d][cb_icol_get(col[d], i)];
			}
			c->n[off]++;
			c->key[off] += ix->rkey[i];
		}
	}
}

/* One multi-valued axis md (the usual case when there is one): its values by their bits, its "not
 * recorded" when it has none, and its total once per case. */
static void count_one_multi(const struct cb_table *t, const struct cb_index *ix, const uint64_t *sel,
			   const uint32_t *const *pm, struct counts *c, int md)
{
	const struct cb_axis *ma = &t->ax[md];
	const struct cb_icol *mc = &ix->col[ma->field], *col[CB_STATS_MAX_DIMS] = {0};
	size_t stride = t->stride[md], na = (size_t)(ma->nv - 1) * stride, tot = (size_t)ma->nv * stride;
	size_t nw = ((size_t)ix->n + 63) / 64;
	for (int d = 0; d < t->ndims; d++)
		col[d] = &ix->col[t->ax[d].field];
	for (size_t w = 0; w < nw; w++) {
		uint64_t bits = sel[w];
		while (bits) {
			uint32_t i = (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(bits));
			bits &= bits - 1;
			size_t base = 0;
			for (int d = 0; d < t->ndims; d++)
				if (d != md)
					base += pm[d][cb_icol_get(col[d], i)];
			uint32_t v = cb_icol_get(mc, i), k = ix->rkey[i];
			c->n[base + tot]++;
			c->key[base + tot] += k;
			if (!v) {
				c->n[base + na]++;
				c->key[base + na] += k;
			}
			for (; v; v &= v - 1) {
				size_t off = base + (size_t)__builtin_ctz(v) * stride;
				c->n[off]++;
				c->key[off] += k;
			}
		}
	}
}

/* General case: some axis is multi-valued, so a case lands in several cells and once in that axis's total. */
static void count_multi(const struct cb_table *t, const struct cb_index *ix, const uint64_t *sel,
			const uint32_t *const *pm, struct counts *c)
{
	int nd = t->ndims;
	size_t nw = ((size_t)ix->n + 63) / 64;
	for (size_t w = 0; w < nw; w++) {
		uint64_t bits = sel[w];
		while (bits) {
			uint32_t i = (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(bits));
			bits &= bits - 1;
			size_t offs[CB_STATS_MAX_DIMS][66];
			int no[CB_STATS_MAX_DIMS];
			for (int d = 0; d < nd; d++) {
				const struct cb_axis *a = &t->ax[d];
				uint32_t v = cb_icol_get(&ix->col[a->field], i);
				no[d] = 0;
				if (!a->multi) {
					offs[d][no[d]++] = pm[d][v];
					continue;
				}
				if (!v)
					offs[d][no[d]++] = (size_t)(a->nv - 1) * t->stride[d];
				while (v) {
					offs[d][no[d]++] = (size_t)__builtin_ctz(v) * t->stride[d];
					v &= v - 1;
				}
				offs[d][no[d]++] = (size_t)a->nv * t->stride[d]; /* the total counts the case once */
			}
			int k[CB_STATS_MAX_DIMS] = {0};
			for (;;) {
				size_t off = 0;
				for (int d = 0; d < nd; d++)
					off += offs[d][k[d]];
				c->n[off]++;
				c->key[off] += ix->rkey[i];
				int d = nd - 1;
				while (d >= 0 && ++k[d] == no[d])
					k[d--] = 0;
				if (d < 0)
					break;
			}
		}
	}
}

/* Fills the total slot of each single-valued axis by summing along it. */
static void fill_totals(const struct cb_table *t, struct counts *c)
{
	for (int d = 0; d < t->ndims; d++) {
		if (t->ax[d].multi)
			continue;
		size_t stride = t->stride[d], len = (size_t)t->ax[d].nv + 1, outer = t->ncells / (len * stride);
		for (size_t o = 0; o < outer; o++)
			for (size_t in = 0; in < stride; in++) {
				size_t base = o * len * stride + in, tot = base + (len - 1) * stride;
				uint32_t n = 0, k = 0;
				for (size_t v = 0; v + 1 < len; v++) {
					n += c->n[base + v * stride];
					k += c->key[base + v * stride];
				}
				c->n[tot] = n;
				c->key[tot] = k;
			}
	}
}

static void publish(struct cb_table *t, const struct cb_stats *st, const struct counts *c, bool exact)
{
	for (size_t i = 0; i < t->ncells; i++) {
		struct cb_cell *cell = &t->cells[i];
		size_t r = i;
		for (int d = t->ndims - 1; d >= 0; d--) {
			size_t len = (size_t)t->ax[d].nv + 1;
			int v = (int)(r % len);
			cell->coord[d] = v == t->ax[d].nv ? CB_CELL_TOTAL : v;
			r /= len;
		}
		for (int d = t->ndims; d < CB_STATS_MAX_DIMS; d++)
			cell->coord[d] = CB_CELL_TOTAL;
		int64_t n = c->n[i];
		cell->value = exact || st->release ? n : cb_ckm_perturb(st->pt, n, c->key[i] & 255u);
		cell->suppressed = !exact && !st->release && n > 0 && cell->value < st->threshold;
		if (cell->suppressed)
			cell->value = 0;
		cell->percent = NAN;
	}
}

static void percents(struct cb_table *t)
{
	for (size_t i = 0; i < t->ncells; i++) {
		struct cb_cell *cell = &t->cells[i];
		int coord[CB_STATS_MAX_DIMS];
		for (int d = 0; d < CB_STATS_MAX_DIMS; d++)
			coord[d] = d == 2 ? cell->coord[d] : CB_CELL_TOTAL; /* 3 dims: share of the block */
		const struct cb_cell *tot = cb_table_at(t, coord);
		if (!cell->suppressed && tot && !tot->suppressed && tot->value > 0)
			cell->percent = 100.0 * (double)cell->value / (double)tot->value;
	}
}

/* "gender, age_group, ..." : the dimensions a release bank answers. */
static const char *released_list(char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int d = 0; d < CB_DIM__END && o < n; d++)
		if (cb_release_has_dim(d) && (d >= CB_NFIELDS || (cb_fields[d].flags & CB_F_DIM)))
			o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", cb_dim_name(d));
	return buf;
}

/* The refusal of a dimension that is not released, as a table's dimension or in its filter. */
static int not_released(struct cb_err *err, int dim, bool filter)
{
	char dl[1024];
	return cb_err_field(err, CB_EINVAL, cb_dim_name(dim), filter ? "%s is not in the statistical releases and cannot be filtered on; released: %s"
				 : "%s is not in the statistical releases; released: %s",
			    cb_dim_name(dim), released_list(dl, sizeof dl));
}

/* A release bank answers only from releases, only about released fields, never exactly. */
static int release_check(const struct cb_stats *st, const struct cb_where *w, unsigned flags, struct cb_err *err)
{
	bool used[CB_NFIELDS] = {0};
	if (flags & CB_Q_EXACT)
		return cb_err_set(err, CB_EPERM, "exact counts are not answered from releases");
	if (!st->nrel)
		return cb_err_set(err, CB_ENOTFOUND, "no statistical release yet: an administrator runs "
				  "`casebank release DB` (see docs/statistics.md)");
	cb_where_fields(w, used);
	for (int f = 0; f < CB_NFIELDS; f++)
		if (used[f] && !cb_release_has_dim(f))
			return not_released(err, f, true);
	return CB_OK;
}

/* The releases whose year has a case in the selection. */
static int releases_used(struct cb_table *t, const struct cb_stats *st, const uint64_t *sel)
{
	if (!(t->rel = malloc((size_t)(st->nrel ? st->nrel : 1) * sizeof *t->rel)))
		return CB_ENOMEM;
	for (int i = 0; i < st->nrel; i++) { /* any selected slot in the release's span: usually the first word */
		uint32_t a = st->span[i][0], b = st->span[i][1];
		bool used = false;
		for (uint32_t x = a; x < b && !used;) {
			uint64_t word = sel[x / 64] >> (x % 64);
			uint32_t n = 64 - x % 64 < b - x ? 64 - x % 64 : b - x;
			used = (n < 64 ? word & ((UINT64_C(1) << n) - 1) : word) != 0;
			x += n;
		}
		if (used)
			t->rel[t->nrel++] = st->rel[i];
	}
	t->release = true;
	t->now = (int64_t)time(NULL);
	return CB_OK;
}

int cb_stats_query(struct cb_stats *st, const struct cb_query *q, struct cb_table **out, struct cb_err *err)
{
	struct cb_table *t = NULL;
	struct cb_where *w = NULL;
	struct counts c = {0};
	uint64_t *sel = NULL;
	uint32_t *pm[CB_STATS_MAX_DIMS] = {0};
	const struct cb_index *ix = st->ix;
	int rc = CB_OK;
	size_t ncells = 0;
	char dl[1024], wt[2048];
	*out = NULL;
	if (!(t = calloc(1, sizeof *t))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	for (int d = 0; d < CB_STATS_MAX_DIMS && q->dims[d]; d++) {
		int dim = cb_dim_find(q->dims[d]);
		char vb[64];
		if (dim < 0) {
			rc = cb_err_field(err, CB_EINVAL, q->dims[d], "unknown dimension '%s'; valid: %s",
					  cb_err_value(q->dims[d], vb),
					  st->release ? released_list(dl, sizeof dl) : cb_dim_list(dl, sizeof dl));
			goto out;
		}
		if (st->release && !cb_release_has_dim(dim)) {
			rc = not_released(err, dim, false);
			goto out;
		}
		for (int e = 0; e < d; e++)
			if (t->ax[e].dim == dim) {
				rc = cb_err_field(err, CB_EINVAL, q->dims[d], "dimension %s given twice", q->dims[d]);
				goto out;
			}
		t->ndims = d + 1;
		t->ax[d].owned = calloc((size_t)ix->col[cb_dim_field(dim)].ncodes + 2, sizeof(char *));
		if (!t->ax[d].owned || axis_build(&t->ax[d], dim, ix) != CB_OK) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (t->ndims == 0) {
		rc = cb_err_set(err, CB_EINVAL, "no dimension given; valid: %s", cb_dim_list(dl, sizeof dl));
		goto out;
	}
	if ((rc = cb_where_parse(ix, q->where, &w, err))) {
		int dim = err ? cb_dim_find(err->field) : -1;
		if (st->release && dim >= 0 && !cb_release_has_dim(dim)) /* say why, not which values exist */
			rc = not_released(err, dim, true);
		goto out;
	}
	if (st->release && (rc = release_check(st, w, q->flags, err)))
		goto out;
	t->where = strdup(cb_where_text(w, wt, sizeof wt));
	t->exact = (q->flags & CB_Q_EXACT) != 0;
	t->threshold = st->threshold;
	t->ncells = 1;
	for (int d = t->ndims - 1; d >= 0; d--) {
		t->stride[d] = t->ncells;
		t->ncells *= (size_t)t->ax[d].nv + 1;
		if (t->ncells > 2000000) {
			rc = cb_err_set(err, CB_EINVAL, "the table would have more than 2 million cells; use fewer or "
					"smaller dimensions, or a filter");
			goto out;
		}
	}
	size_t nw = ((size_t)ix->n + 63) / 64;
	t->cells = calloc(t->ncells, sizeof *t->cells);
	c.n = calloc(t->ncells, sizeof *c.n);
	c.key = calloc(t->ncells, sizeof *c.key);
	ncells = t->ncells;
	sel = malloc((nw ? nw : 1) * sizeof *sel);
	if (!t->where || !t->cells || !c.n || !c.key || !sel) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	/* the selection: counted cases that pass the filter */
	if (w && (rc = cb_where_eval(w, ix, sel, err)))
		goto out;
	for (size_t k = 0; k < nw; k++)
		sel[k] = w ? sel[k] & ix->counted[k] : ix->counted[k];
	int nmulti = 0, md = -1;
	for (int d = 0; d < t->ndims; d++) {
		struct cb_axis *a = &t->ax[d];
		if (a->multi) {
			nmulti++;
			md = d;
		}
		if (a->multi)
			continue;
		if (!(pm[d] = malloc(a->ncodes * sizeof *pm[d]))) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
		for (uint32_t k = 0; k < a->ncodes; k++)
			pm[d][k] = (uint32_t)(a->map[k] * t->stride[d]);
	}
	if (nmulti > 1)
		count_multi(t, ix, sel, (const uint32_t *const *)pm, &c);
	else if (nmulti == 1)
		count_one_multi(t, ix, sel, (const uint32_t *const *)pm, &c, md);
	else
		count_single(t, ix, sel, (const uint32_t *const *)pm, &c);
	fill_totals(t, &c);
	publish(t, st, &c, t->exact);
	if (st->release && (rc = releases_used(t, st, sel)))
		goto out;
	if (q->flags & CB_Q_PERCENT) {
		t->percent = true;
		percents(t);
	}
	*out = t;
	t = NULL;
out:
	if (c.key) /* cell keys are derived from the secret record keys */
		memset(c.key, 0, ncells * sizeof *c.key);
	free(c.n);
	free(c.key);
	free(sel);
	for (int d = 0; d < CB_STATS_MAX_DIMS; d++)
		free(pm[d]);
	cb_where_free(&w);
	cb_table_free(&t);
	return rc;
}

/* ---- reading a result */

int cb_table_ndims(const struct cb_table *t) { return t->ndims; }
int cb_table_dim(const struct cb_table *t, int d) { return t->ax[d].dim; }
int cb_table_nvalues(const struct cb_table *t, int d) { return t->ax[d].nv; }
size_t cb_table_ncells(const struct cb_table *t) { return t->ncells; }
bool cb_table_exact(const struct cb_table *t) { return t->exact; }
int cb_table_threshold(const struct cb_table *t) { return t->threshold; }
const char *cb_table_where(const struct cb_table *t) { return t->where; }

const char *cb_table_value(const struct cb_table *t, int d, int v)
{
	return v == CB_CELL_TOTAL || v == t->ax[d].nv ? "Total" : v >= 0 && v < t->ax[d].nv ? t->ax[d].names[v] : "?";
}

const char *cb_table_label(const struct cb_table *t, int d, int v)
{
	return v == CB_CELL_TOTAL || v == t->ax[d].nv ? CBL("Total") : v >= 0 && v < t->ax[d].nv ? t->ax[d].labels[v] : "?";
}

const struct cb_cell *cb_table_cell(const struct cb_table *t, size_t i)
{
	return i < t->ncells ? &t->cells[i] : NULL;
}

const struct cb_cell *cb_table_at(const struct cb_table *t, const int coord[])
{
	size_t off = 0;
	for (int d = 0; d < t->ndims; d++) {
		int v = coord[d] == CB_CELL_TOTAL ? t->ax[d].nv : coord[d];
		if (v < 0 || v > t->ax[d].nv)
			return NULL;
		off += (size_t)v * t->stride[d];
	}
	return &t->cells[off];
}

int cb_table_nreleases(const struct cb_table *t) { return t->nrel; }
const struct cb_release_meta *cb_table_release(const struct cb_table *t, int i) { return &t->rel[i]; }
bool cb_table_from_release(const struct cb_table *t) { return t->release; }

const char *cb_table_release_text(const struct cb_table *t, char *buf, size_t n)
{
	int64_t oldest = INT64_MAX, newest = 0;
	int ylo = 0, yhi = 0;
	double rmax = 0;
	buf[0] = 0;
	if (!t->nrel) {
		snprintf(buf, n, "no release covers the selection");
		return buf;
	}
	for (int i = 0; i < t->nrel; i++) {
		const struct cb_release_meta *m = &t->rel[i];
		oldest = m->made_at < oldest ? m->made_at : oldest;
		newest = m->made_at > newest ? m->made_at : newest;
		ylo = !ylo || m->year < ylo ? m->year : ylo;
		yhi = m->year > yhi ? m->year : yhi;
		rmax = m->spent > rmax ? m->spent : rmax;
	}
	char years[16], made[32], d1[11], d2[11];
	if (yhi != ylo)
		snprintf(years, sizeof years, "%d-%d", ylo, yhi);
	else
		snprintf(years, sizeof years, "%d", ylo);
	cb_date_format((int32_t)(oldest / 86400), d1);
	cb_date_format((int32_t)(newest / 86400), d2);
	if (strcmp(d1, d2))
		snprintf(made, sizeof made, _("%s to %s"), d1, d2);
	else
		snprintf(made, sizeof made, "%s", d1);
	long age = (long)((t->now - oldest) / 86400);
	/* for people, in the thread's language (util/i18n.h) */
	snprintf(buf, n,
		 _("Estimates from the differentially private releases of %s (made %s; age of the oldest in days: %ld); "
		   "each year's releases together spend at most rho %.4f, epsilon %.2f at delta %g, per person."),
		 years, made, age, rmax, cb_zcdp_eps(rmax, CB_RELEASE_DELTA), CB_RELEASE_DELTA);
	return buf;
}

const char *cb_table_note(const struct cb_table *t, char *buf, size_t n)
{
	size_t o = 0;
	if (t->release) {
		char rt[400];
		o += (size_t)snprintf(buf, n,
				      _("%s Counts are estimates: every table is counted from the same synthetic caseload, so "
					"cells, totals and filtered tables agree with each other; small counts may be off "
					"by several cases either way."),
				      cb_table_release_text(t, rt, sizeof rt));
	} else if (t->exact)
		o += (size_t)snprintf(buf, n, "%s", _("EXACT COUNTS, NOT PROTECTED: for data managers only, never to be published."));
	else
		o += (size_t)snprintf(buf, n,
				      _("Counts are perturbed with the cell key method (each cell, total included, on its own, so "
					"totals need not equal the sum of their cells); counts below %d are suppressed (x); "
					"zeros are true zeros."),
				      t->threshold);
	for (int d = 0; d < t->ndims && o < n; d++)
		if (t->ax[d].multi)
			o += (size_t)snprintf(buf + o, n - o,
					      _(" %s is multi-valued: a case counts under each of its values, and its totals "
						"count cases."),
					      cb_dim_name(t->ax[d].dim));
	return buf;
}
