/*
 * release_bench.c -- what the differentially private releases cost in accuracy and in time (issue 12's
 * goals), against the plain Gaussian mechanism and today's cell key method, on the same data.
 *
 *   release_bench --db DB [--years Y,Y,Y] [--reps R] [--eps 1,2,4,8] [--verbose]
 *   release_bench --speed-db DB [--runs K] [--cells FILE]
 *
 * Utility (--db, demo data with about 10,000 consenting cases in each chosen year).  For each epsilon per
 * year (delta 1e-9, rho = cb_zcdp_rho) and each repetition, every chosen year is released afresh with
 * cb_synth_release and the mean absolute error per cell against the exact counts is taken for three groups
 * of tables:
 *   (a) the yearly one-way tables of the 13 released factors (every value, "not recorded", all countries);
 *   (b) the standard report's factor-by-year-group tables, the chosen years forming one group: per-year
 *       releases answer them as sums of yearly one-way tables;
 *   (c) three-dimension and filtered tables, yearly (tables[] below names them).
 * Released answers are counted from the synthetic caseload, exact ones from the index (consenting cases),
 * both the same way: a case counts under each value of a multi-valued field, under "not recorded" when it
 * has none.  Beside them:
 *   baseline  the Gaussian mechanism measuring each table of (a) and (c) directly with the same exact
 *             sampler, the year's rho split evenly over those tables; a case keeps at most CB_REL_CAP values
 *             of a multi-valued field, a random subset as the release keeps (squared sensitivity CB_REL_CAP
 *             per multi-valued dimension); negative answers clipped to 0; (b) sums the (a) answers.
 *   cell-key  today's method (default ptable, threshold 10, suppressed cells count as 0), one figure.
 * The time of each cb_synth_release is recorded (a year of about 10,000 cases; goal under 10 s).
 * MAE is given pooled over all cells of a group (as the goals state it: country tables' many empty cells
 * weigh most there) and as the mean of each table's MAE.  --verbose adds each table's figures and the
 * release's largest mean signed errors (what is left of the error once noise averages out: bias).
 *
 * Speed (--speed-db, a database with releases of every year, `casebank release` having run): today's
 * benchmark query (bench/stats.sh's) on the release bank against the same query, cell key protected, on
 * the records bank, alternating; --cells writes the exact counts for bench/duckdb_stats.mjs's check.
 * Lines starting "result " are for bench/release.sh: name, median, min, max.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bench.h"
#include "stats/dp.h"
#include "stats/stats.h"
#include "stats/stats_int.h"

#define DELTA 1e-9
#define MAXYEARS 8
#define MAXEPS 8
#define MAXDIMS 3

/* ---- the tables */

enum filt { F_NONE, F_FEMININE, F_CHILD, F_CIT_EUROPE };

struct tspec {
	const char *name;
	const char *dims[MAXDIMS]; /* dimension names, NULL-terminated if fewer */
	enum filt filter;
	const char *where;         /* the same filter for cb_stats_query ("" none) */
};

/* (a) and (b): the factors, in the standard report's order. */
static const char *const factors[] = {
	"gender", "citizenship", "age_group", "education", "marital_status", "recruitment_method", "recruiter_sex",
	"recruiter_relation", "intended_country", "promised_job", "occupation_home", "exploitation_type",
	"destination_country",
};
#define NFACT ((int)(sizeof factors / sizeof factors[0]))

/* (c): three-dimension and filtered tables, none of them measured by a release. */
static const struct tspec ctables[] = {
	{"gender x age_group x exploitation_type", {"gender", "age_group", "exploitation_type"}, F_NONE, ""},
	{"citizenship_region x destination_region x gender", {"citizenship_region", "destination_region", "gender"},
	 F_NONE, ""},
	{"exploitation_type x recruiter_relation | gender = Feminine", {"exploitation_type", "recruiter_relation"},
	 F_FEMININE, "gender = Feminine"},
	{"destination_country | age_group in (0--8, 9--17)", {"destination_country"}, F_CHILD,
	 "age_group in (0--8, 9--17)"},
	{"recruitment_method x recruiter_sex | citizenship_region = Europe", {"recruitment_method", "recruiter_sex"},
	 F_CIT_EUROPE, "citizenship_region = Europe"},
};
#define NCTAB ((int)(sizeof ctables / sizeof ctables[0]))
#define NTAB (NFACT + NCTAB) /* tables measured by the baseline, per year */

/* A table bound to the index: per dimension its field, whether it is a region or multi-valued, and its
 * cells.  Cell of a dimension: single-valued the code (0 not recorded), a region its code (0 none),
 * multi-valued 0 for none and 1 + v for value v. */
struct table {
	const char *name, *where;
	enum filt filter;
	int nd, dim[MAXDIMS], field[MAXDIMS];
	bool region[MAXDIMS], multi[MAXDIMS];
	uint32_t k[MAXDIMS];
	size_t ncells;
	uint64_t sens2;
};

static int bind_table(const struct cb_index *ix, const char *name, const char *const *dims, enum filt f,
		      const char *where, struct table *t)
{
	memset(t, 0, sizeof *t);
	t->name = name;
	t->where = where;
	t->filter = f;
	t->ncells = 1;
	t->sens2 = 1;
	for (int d = 0; d < MAXDIMS && dims[d]; d++, t->nd++) {
		int dim = cb_dim_find(dims[d]);
		if (dim < 0)
			return -1;
		t->dim[d] = dim;
		t->field[d] = cb_dim_field(dim);
		t->region[d] = dim >= CB_NFIELDS;
		t->multi[d] = ix->col[t->field[d]].multi;
		t->k[d] = t->region[d] ? (uint32_t)cb_nregions + 1 : ix->col[t->field[d]].ncodes + (t->multi[d] ? 1 : 0);
		t->ncells *= t->k[d];
		if (t->multi[d])
			t->sens2 *= CB_REL_CAP;
	}
	return 0;
}

/* ---- records: the exact cases of a year (index slots) or a synthetic caseload */

struct recs {
	const struct cb_index *ix;
	const uint32_t *slot; /* exact: the year's counted slots */
	const uint32_t *const *capped; /* exact, baseline: per field the capped value bits (NULL: not capped) */
	const struct cb_synth *sy;
	int attr[CB_NFIELDS]; /* synthetic: column of each field, -1 */
	uint32_t n;
};

static uint32_t rec_get(const struct recs *r, int field, uint32_t i)
{
	if (r->sy)
		return r->sy->col[r->attr[field]][i];
	if (r->capped && r->capped[field])
		return r->capped[field][i];
	return cb_icol_get(&r->ix->col[field], r->slot[i]);
}

static uint32_t code_gender_f, code_age_0_8, code_age_9_17, region_europe;

static bool rec_passes(const struct recs *r, enum filt f, uint32_t i)
{
	switch (f) {
	case F_FEMININE:
		return rec_get(r, CB_FLD_gender, i) == code_gender_f;
	case F_CHILD: {
		uint32_t a = rec_get(r, CB_FLD_age_group, i);
		return a == code_age_0_8 || a == code_age_9_17;
	}
	case F_CIT_EUROPE:
		return cb_region_of_code(rec_get(r, CB_FLD_citizenship, i)) == region_europe;
	default:
		return true;
	}
}

/* Adds the records' counts into out (t->ncells cells, first dimension slowest). */
static void count_table(const struct table *t, const struct recs *r, int64_t *out)
{
	for (uint32_t i = 0; i < r->n; i++) {
		if (!rec_passes(r, t->filter, i))
			continue;
		uint32_t cells[MAXDIMS][33];
		int nc[MAXDIMS];
		for (int d = 0; d < t->nd; d++) {
			uint32_t x = rec_get(r, t->field[d], i);
			nc[d] = 0;
			if (t->region[d]) {
				cells[d][nc[d]++] = cb_region_of_code(x);
			} else if (!t->multi[d]) {
				cells[d][nc[d]++] = x < t->k[d] ? x : 0;
			} else if (!x) {
				cells[d][nc[d]++] = 0;
			} else {
				for (; x; x &= x - 1)
					cells[d][nc[d]++] = 1 + (uint32_t)__builtin_ctz(x);
			}
		}
		int j[MAXDIMS] = {0};
		for (;;) { /* every combination of the case's cells */
			size_t c = 0;
			for (int d = 0; d < t->nd; d++)
				c = c * t->k[d] + cells[d][j[d]];
			out[c]++;
			int d = t->nd - 1;
			while (d >= 0 && ++j[d] == nc[d])
				j[d--] = 0;
			if (d < 0)
				break;
		}
	}
}

static double abs_err(const int64_t *a, const int64_t *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)llabs(a[i] - b[i]);
	return s;
}


/* ---- the cell key method's answers, mapped onto the table's cells */

/* The cell of value position v on axis d of a query result. */
static uint32_t ck_cell(const struct table *t, const struct cb_table *q, int d, int v)
{
	if (v == cb_table_nvalues(q, d) - 1)
		return 0; /* not recorded */
	const char *name = cb_table_value(q, d, v);
	if (t->region[d]) {
		for (int i = 0; i < cb_nregions; i++)
			if (!strcmp(cb_regions[i], name))
				return (uint32_t)i + 1;
		return UINT32_MAX;
	}
	const struct cb_field *f = &cb_fields[t->field[d]];
	int32_t x = f->kind == CB_COUNTRY ? cb_country_find(name) : cb_value_find(f->vset, name);
	return x == CB_NA ? UINT32_MAX : (uint32_t)x + 1;
}

/* Runs the table's query (protected) with the extra filter `where`; fills out with the published counts,
 * suppressed cells as 0. */
static int ck_answer(struct cb_stats *st, const struct table *t, const char *where, int64_t *out, struct cb_err *err)
{
	struct cb_query q = {.where = where};
	struct cb_table *res = NULL;
	for (int d = 0; d < t->nd; d++)
		q.dims[d] = cb_dim_name(t->dim[d]);
	int rc = cb_stats_query(st, &q, &res, err);
	if (rc)
		return rc;
	memset(out, 0, t->ncells * sizeof *out);
	for (size_t i = 0; i < cb_table_ncells(res); i++) {
		const struct cb_cell *c = cb_table_cell(res, i);
		size_t cell = 0;
		bool total = false;
		for (int d = 0; d < t->nd && !total; d++) {
			if (c->coord[d] == CB_CELL_TOTAL) {
				total = true;
				break;
			}
			uint32_t k = ck_cell(t, res, d, c->coord[d]);
			if (k >= t->k[d]) {
				cb_table_free(&res);
				return cb_err_set(err, CB_EINVAL, "%s: value %s not mapped", t->name,
						  cb_table_value(res, d, c->coord[d]));
			}
			cell = cell * t->k[d] + k;
		}
		if (!total)
			out[cell] = c->suppressed ? 0 : c->value;
	}
	cb_table_free(&res);
	return CB_OK;
}

/* ---- small helpers (timing: bench.h) */

static int die(const char *what, const char *msg)
{
	fprintf(stderr, "release_bench: %s: %s\n", what, msg);
	return 1;
}

/* ---- options */

struct opts {
	const char *db, *speed_db, *cells;
	int years[MAXYEARS], nyears;
	double eps[MAXEPS];
	int neps, reps, runs;
	bool verbose;
};

static int parse_list(const char *s, double *out, int max)
{
	int n = 0;
	while (*s && n < max) {
		char *e;
		out[n++] = strtod(s, &e);
		if (e == s)
			return -1;
		s = *e == ',' ? e + 1 : e;
	}
	return *s ? -1 : n;
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){.eps = {1, 2, 4, 8}, .neps = 4, .reps = 5, .runs = 21};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--verbose")) {
			o->verbose = true;
			continue;
		}
		if (!v)
			return 1;
		i++;
		if (!strcmp(a, "--db"))
			o->db = v;
		else if (!strcmp(a, "--speed-db"))
			o->speed_db = v;
		else if (!strcmp(a, "--cells"))
			o->cells = v;
		else if (!strcmp(a, "--reps"))
			o->reps = atoi(v);
		else if (!strcmp(a, "--runs"))
			o->runs = atoi(v);
		else if (!strcmp(a, "--eps")) {
			if ((o->neps = parse_list(v, o->eps, MAXEPS)) < 1)
				return 1;
		} else if (!strcmp(a, "--years")) {
			double y[MAXYEARS];
			if ((o->nyears = parse_list(v, y, MAXYEARS)) < 1)
				return 1;
			for (int k = 0; k < o->nyears; k++)
				o->years[k] = (int)y[k];
		} else
			return 1;
	}
	return (!o->db && !o->speed_db) || o->reps < 1 || o->runs < 1;
}

/* ---- utility */

enum { G_A, G_B, G_C, NGROUP };
enum { M_REL, M_BASE, NMETH };

struct acc {
	double err, cells;
};

static double mae(const struct acc *a) { return a->cells > 0 ? a->err / a->cells : NAN; }

static void acc_add(struct acc *a, double err, double cells)
{
	a->err += err;
	a->cells += cells;
}

struct util {
	const struct opts *o;
	struct cb_index *ix;
	struct cb_stats *st; /* the cell key bank over ix (owns it) */
	struct table tab[NTAB]; /* (a) factors then (c) */
	int years[MAXYEARS], ny;
	uint32_t *slots[MAXYEARS], nslot[MAXYEARS];
	int64_t *exact[MAXYEARS][NTAB]; /* exact counts per year and table */
	int64_t *exact_b[NFACT];        /* (b): sums over the years */
	/* results */
	struct acc res[MAXEPS][NGROUP][NMETH];
	struct acc res_year[MAXEPS][MAXYEARS][NGROUP][NMETH]; /* (a) and (c) */
	struct acc res_tab[MAXEPS][NTAB + NFACT][NMETH];      /* per table: (a), (c), then (b) */
	struct acc ck[NGROUP], ck_tab[NTAB + NFACT];
	double *bias[MAXEPS][NTAB]; /* release - exact per cell, summed over years and repetitions */
	double *rel_ms[MAXEPS];
	long truncated[MAXYEARS];
};

static int group_of(int t) { return t < NFACT ? G_A : G_C; }

/* The years with 8,000 to 12,000 counted cases, nearest 10,000 first (three of them). */
static int pick_years(struct util *u)
{
	const struct cb_icol *yc = &u->ix->col[CB_FLD_year];
	int lo = cb_fields[CB_FLD_year].lo;
	uint32_t cnt[256] = {0};
	for (uint32_t i = 0; i < u->ix->n; i++)
		if (cb_index_counts(u->ix, i)) {
			uint32_t c = cb_icol_get(yc, i);
			if (c < 256)
				cnt[c]++;
		}
	if (u->o->nyears) {
		u->ny = u->o->nyears;
		memcpy(u->years, u->o->years, (size_t)u->ny * sizeof *u->years);
		return 0;
	}
	bool used[256] = {false};
	for (u->ny = 0; u->ny < 3; u->ny++) {
		int best = -1;
		for (int c = 1; c < 256; c++)
			if (!used[c] && cnt[c] >= 8000 && cnt[c] <= 12000 &&
			    (best < 0 || labs((long)cnt[c] - 10000) < labs((long)cnt[best] - 10000)))
				best = c;
		if (best < 0)
			break;
		used[best] = true;
		u->years[u->ny] = lo + best - 1;
	}
	/* in calendar order */
	for (int i = 1; i < u->ny; i++)
		for (int j = i; j > 0 && u->years[j - 1] > u->years[j]; j--) {
			int x = u->years[j];
			u->years[j] = u->years[j - 1];
			u->years[j - 1] = x;
		}
	return u->ny ? 0 : -1;
}

static int gather_years(struct util *u)
{
	const struct cb_icol *yc = &u->ix->col[CB_FLD_year];
	int lo = cb_fields[CB_FLD_year].lo;
	for (int y = 0; y < u->ny; y++) {
		uint32_t code = (uint32_t)(u->years[y] - lo + 1), n = 0;
		for (uint32_t i = 0; i < u->ix->n; i++)
			n += cb_index_counts(u->ix, i) && cb_icol_get(yc, i) == code;
		if (!(u->slots[y] = malloc((n ? n : 1) * sizeof **u->slots)))
			return CB_ENOMEM;
		u->nslot[y] = 0;
		for (uint32_t i = 0; i < u->ix->n; i++)
			if (cb_index_counts(u->ix, i) && cb_icol_get(yc, i) == code)
				u->slots[y][u->nslot[y]++] = i;
		for (uint32_t i = 0; i < n; i++) { /* cases the cap truncates in a table here */
			bool cut = false;
			for (int t = 0; t < NTAB; t++)
				for (int d = 0; d < u->tab[t].nd; d++)
					cut |= u->tab[t].multi[d] &&
					       __builtin_popcount(cb_icol_get(&u->ix->col[u->tab[t].field[d]], u->slots[y][i])) >
						       CB_REL_CAP;
			u->truncated[y] += cut;
		}
	}
	return CB_OK;
}

static int exact_counts(struct util *u)
{
	for (int f = 0; f < NFACT; f++)
		if (!(u->exact_b[f] = calloc(u->tab[f].ncells, sizeof *u->exact_b[f])))
			return CB_ENOMEM;
	for (int y = 0; y < u->ny; y++) {
		struct recs r = {.ix = u->ix, .slot = u->slots[y], .n = u->nslot[y]};
		for (int t = 0; t < NTAB; t++) {
			if (!(u->exact[y][t] = calloc(u->tab[t].ncells, sizeof *u->exact[y][t])))
				return CB_ENOMEM;
			count_table(&u->tab[t], &r, u->exact[y][t]);
			if (t < NFACT)
				for (size_t c = 0; c < u->tab[t].ncells; c++)
					u->exact_b[t][c] += u->exact[y][t][c];
		}
	}
	return CB_OK;
}

/* The exact counts counted here against cb_stats_query's exact answers to the same tables: a difference
 * (a miscounted cell, a value mapped to the wrong cell) fails the run. */
static int check_exact(struct util *u, struct cb_err *err)
{
	char where[400];
	int rc = CB_OK;
	long cells = 0;
	for (int y = 0; y < u->ny && rc == CB_OK; y++)
		for (int t = 0; t < NTAB && rc == CB_OK; t++) {
			const struct table *tb = &u->tab[t];
			struct cb_query q = {.where = where, .flags = CB_Q_EXACT};
			struct cb_table *res = NULL;
			if (*tb->where)
				snprintf(where, sizeof where, "year = %d and (%s)", u->years[y], tb->where);
			else
				snprintf(where, sizeof where, "year = %d", u->years[y]);
			for (int d = 0; d < tb->nd; d++)
				q.dims[d] = cb_dim_name(tb->dim[d]);
			if ((rc = cb_stats_query(u->st, &q, &res, err)))
				break;
			for (size_t i = 0; i < cb_table_ncells(res) && rc == CB_OK; i++) {
				const struct cb_cell *c = cb_table_cell(res, i);
				size_t cell = 0;
				bool total = false;
				for (int d = 0; d < tb->nd; d++) {
					if (c->coord[d] == CB_CELL_TOTAL) {
						total = true;
						break;
					}
					cell = cell * tb->k[d] + ck_cell(tb, res, d, c->coord[d]);
				}
				if (total)
					continue;
				cells++;
				if (cell >= tb->ncells || u->exact[y][t][cell] != c->value)
					rc = cb_err_set(err, CB_EINVAL, "%d, %s: exact counts differ from cb_stats_query's",
							u->years[y], tb->name);
			}
			cb_table_free(&res);
		}
	if (rc == CB_OK)
		printf("check: the exact counts of every table and year equal cb_stats_query's (%ld cells)\n", cells);
	return rc;
}

static int cellkey(struct util *u, struct cb_err *err)
{
	char where[400], years[200] = "";
	int64_t *ans = NULL;
	size_t maxc = 0;
	int rc = CB_OK;
	for (int t = 0; t < NTAB; t++)
		maxc = u->tab[t].ncells > maxc ? u->tab[t].ncells : maxc;
	if (!(ans = malloc(maxc * sizeof *ans)))
		return CB_ENOMEM;
	for (int y = 0; y < u->ny; y++)
		snprintf(years + strlen(years), sizeof years - strlen(years), "%s%d", y ? ", " : "", u->years[y]);
	for (int y = 0; y < u->ny && rc == CB_OK; y++)
		for (int t = 0; t < NTAB && rc == CB_OK; t++) {
			const struct table *tb = &u->tab[t];
			if (*tb->where)
				snprintf(where, sizeof where, "year = %d and (%s)", u->years[y], tb->where);
			else
				snprintf(where, sizeof where, "year = %d", u->years[y]);
			if ((rc = ck_answer(u->st, tb, where, ans, err)))
				break;
			double e = abs_err(ans, u->exact[y][t], tb->ncells);
			acc_add(&u->ck[group_of(t)], e, (double)tb->ncells);
			acc_add(&u->ck_tab[t], e, (double)tb->ncells);
		}
	/* (b): each factor over the year group, one query, as the standard report asks it */
	for (int f = 0; f < NFACT && rc == CB_OK; f++) {
		snprintf(where, sizeof where, "year in (%s)", years);
		if ((rc = ck_answer(u->st, &u->tab[f], where, ans, err)))
			break;
		double e = abs_err(ans, u->exact_b[f], u->tab[f].ncells);
		acc_add(&u->ck[G_B], e, (double)u->tab[f].ncells);
		acc_add(&u->ck_tab[NTAB + f], e, (double)u->tab[f].ncells);
	}
	free(ans);
	return rc;
}

/* The baseline for one year: every table measured directly under rho / NTAB, clipped at 0; adds the (a)
 * answers into sum_b. */
static int baseline_year(struct util *u, int ei, int y, double rho, int64_t **sum_b)
{
	uint32_t *capped[CB_NFIELDS] = {NULL};
	int64_t *cnt = NULL, *noise = NULL;
	int rc = CB_ENOMEM;
	size_t maxc = 0;
	uint32_t n = u->nslot[y];
	for (int t = 0; t < NTAB; t++)
		maxc = u->tab[t].ncells > maxc ? u->tab[t].ncells : maxc;
	if (!(cnt = malloc(maxc * sizeof *cnt)) || !(noise = malloc(maxc * sizeof *noise)))
		goto out;
	/* the cap: a random CB_REL_CAP values per multi-valued field, drawn afresh for this measurement */
	for (int f = 0; f < CB_NFIELDS; f++) {
		if (!u->ix->col[f].used || !u->ix->col[f].multi)
			continue;
		if (!(capped[f] = malloc((n ? n : 1) * sizeof *capped[f])))
			goto out;
		for (uint32_t i = 0; i < n; i++)
			capped[f][i] = cb_release_cap_bits(cb_icol_get(&u->ix->col[f], u->slots[y][i]));
	}
	struct recs r = {.ix = u->ix, .slot = u->slots[y], .capped = (const uint32_t *const *)capped, .n = n};
	for (int t = 0; t < NTAB; t++) {
		const struct table *tb = &u->tab[t];
		uint64_t num, den;
		struct cb_dgauss *g = NULL;
		memset(cnt, 0, tb->ncells * sizeof *cnt);
		count_table(tb, &r, cnt);
		if ((rc = cb_dgauss_sigma2_for(rho / NTAB, tb->sens2, &num, &den)) || (rc = cb_dgauss_new(num, den, &g)) ||
		    (rc = cb_dgauss_fill(g, noise, tb->ncells))) {
			cb_dgauss_free(&g);
			goto out;
		}
		cb_dgauss_free(&g);
		for (size_t c = 0; c < tb->ncells; c++) {
			int64_t x = cnt[c] + noise[c];
			cnt[c] = x < 0 ? 0 : x;
		}
		double e = abs_err(cnt, u->exact[y][t], tb->ncells);
		acc_add(&u->res[ei][group_of(t)][M_BASE], e, (double)tb->ncells);
		acc_add(&u->res_year[ei][y][group_of(t)][M_BASE], e, (double)tb->ncells);
		acc_add(&u->res_tab[ei][t][M_BASE], e, (double)tb->ncells);
		if (t < NFACT)
			for (size_t c = 0; c < tb->ncells; c++)
				sum_b[t][c] += cnt[c];
	}
	rc = CB_OK;
out:
	for (int f = 0; f < CB_NFIELDS; f++)
		free(capped[f]);
	free(cnt);
	free(noise);
	return rc;
}

/* One release of one year: its answers to (a) and (c), the (a) answers added into sum_b. */
static int release_year(struct util *u, int ei, int y, double rho, int64_t **sum_b, double *ms, struct cb_err *err)
{
	struct cb_synth *sy = NULL;
	int64_t *cnt = NULL;
	size_t maxc = 0;
	for (int t = 0; t < NTAB; t++)
		maxc = u->tab[t].ncells > maxc ? u->tab[t].ncells : maxc;
	double t0 = now_ms();
	int rc = cb_synth_release(u->ix, u->years[y], rho, &sy, err);
	*ms = now_ms() - t0;
	if (rc)
		return rc;
	if (!(cnt = malloc(maxc * sizeof *cnt))) {
		cb_synth_free(&sy);
		return CB_ENOMEM;
	}
	struct recs r = {.sy = sy, .n = sy->n};
	for (int f = 0; f < CB_NFIELDS; f++)
		r.attr[f] = -1;
	for (int a = 0; a < sy->nattr; a++)
		r.attr[sy->field[a]] = a;
	for (int t = 0; t < NTAB; t++) {
		const struct table *tb = &u->tab[t];
		for (int d = 0; d < tb->nd; d++)
			if (r.attr[tb->field[d]] < 0) {
				cb_synth_free(&sy);
				free(cnt);
				return cb_err_set(err, CB_EINVAL, "%s is not released", cb_fields[tb->field[d]].name);
			}
		memset(cnt, 0, tb->ncells * sizeof *cnt);
		count_table(tb, &r, cnt);
		double e = abs_err(cnt, u->exact[y][t], tb->ncells);
		acc_add(&u->res[ei][group_of(t)][M_REL], e, (double)tb->ncells);
		acc_add(&u->res_year[ei][y][group_of(t)][M_REL], e, (double)tb->ncells);
		acc_add(&u->res_tab[ei][t][M_REL], e, (double)tb->ncells);
		for (size_t c = 0; c < tb->ncells; c++)
			u->bias[ei][t][c] += (double)(cnt[c] - u->exact[y][t][c]);
		if (t < NFACT)
			for (size_t c = 0; c < tb->ncells; c++)
				sum_b[t][c] += cnt[c];
	}
	cb_synth_free(&sy);
	free(cnt);
	return CB_OK;
}

static int run_eps(struct util *u, int ei, struct cb_err *err)
{
	double rho = cb_zcdp_rho(u->o->eps[ei], DELTA);
	int64_t *sum_b[NMETH][NFACT] = {{NULL}};
	int rc = CB_ENOMEM;
	if (!(u->rel_ms[ei] = calloc((size_t)(u->o->reps * u->ny), sizeof *u->rel_ms[ei])))
		return CB_ENOMEM;
	for (int t = 0; t < NTAB; t++)
		if (!(u->bias[ei][t] = calloc(u->tab[t].ncells, sizeof *u->bias[ei][t])))
			return CB_ENOMEM;
	for (int m = 0; m < NMETH; m++)
		for (int f = 0; f < NFACT; f++)
			if (!(sum_b[m][f] = malloc(u->tab[f].ncells * sizeof *sum_b[m][f])))
				goto out;
	for (int rep = 0; rep < u->o->reps; rep++) {
		for (int m = 0; m < NMETH; m++)
			for (int f = 0; f < NFACT; f++)
				memset(sum_b[m][f], 0, u->tab[f].ncells * sizeof *sum_b[m][f]);
		for (int y = 0; y < u->ny; y++) {
			if ((rc = release_year(u, ei, y, rho, sum_b[M_REL], &u->rel_ms[ei][rep * u->ny + y], err)))
				goto out;
			if ((rc = baseline_year(u, ei, y, rho, sum_b[M_BASE]))) {
				cb_err_set(err, rc, "baseline: cannot draw the noise");
				goto out;
			}
		}
		for (int m = 0; m < NMETH; m++)
			for (int f = 0; f < NFACT; f++) {
				double e = abs_err(sum_b[m][f], u->exact_b[f], u->tab[f].ncells);
				acc_add(&u->res[ei][G_B][m], e, (double)u->tab[f].ncells);
				acc_add(&u->res_tab[ei][NTAB + f][m], e, (double)u->tab[f].ncells);
			}
		fprintf(stderr, "\repsilon %g: repetition %d of %d done", u->o->eps[ei], rep + 1, u->o->reps);
	}
	fprintf(stderr, "\n");
	rc = CB_OK;
out:
	for (int m = 0; m < NMETH; m++)
		for (int f = 0; f < NFACT; f++)
			free(sum_b[m][f]);
	return rc;
}

/* The tables of a group: [t0, t1) in res_tab's numbering. */
static void group_tables(int g, int *t0, int *t1)
{
	*t0 = g == G_A ? 0 : g == G_C ? NFACT : NTAB;
	*t1 = g == G_A ? NFACT : g == G_C ? NTAB : NTAB + NFACT;
}

/* The mean over a group's tables of their MAE per cell (e < 0: the cell key method's). */
static double table_mean(const struct util *u, int e, int g, int m)
{
	int t0, t1;
	double s = 0;
	group_tables(g, &t0, &t1);
	for (int t = t0; t < t1; t++)
		s += mae(e < 0 ? &u->ck_tab[t] : &u->res_tab[e][t][m]);
	return s / (t1 - t0);
}

static const char *const group_names[NGROUP] = {
	"(a) one-way, yearly", "(b) factor x year group", "(c) 3-d and filtered, yearly"};

/* The name of a cell: each dimension's value, "-" for not recorded. */
static const char *cell_name(const struct table *t, size_t cell, char *buf, size_t n)
{
	uint32_t k[MAXDIMS];
	size_t len = 0;
	for (int d = t->nd - 1; d >= 0; d--) {
		k[d] = (uint32_t)(cell % t->k[d]);
		cell /= t->k[d];
	}
	buf[0] = 0;
	for (int d = 0; d < t->nd && len < n; d++) {
		const struct cb_field *f = &cb_fields[t->field[d]];
		const char *v = "-";
		if (k[d] && t->region[d])
			v = cb_regions[k[d] - 1];
		else if (k[d] && f->kind == CB_COUNTRY)
			v = cb_countries[k[d] - 1].alpha2;
		else if (k[d])
			v = f->vset->values[k[d] - 1].name;
		len += (size_t)snprintf(buf + len, n - len, "%s%s", d ? " x " : "", v);
	}
	return buf;
}

/* The release's largest systematic errors: per group, the cells whose mean signed error over years and
 * repetitions is largest.  Noise averages out there; what is left is the model's or the fit's bias. */
static void print_bias(const struct util *u)
{
	const struct opts *o = u->o;
	printf("\nthe release's largest mean signed errors per cell (release - exact, mean over %d years x %d "
	       "repetitions):\n", u->ny, o->reps);
	for (int g = G_A; g <= G_C; g += G_C - G_A) {
		int t0 = g == G_A ? 0 : NFACT, t1 = g == G_A ? NFACT : NTAB;
		printf("  %s\n", group_names[g]);
		for (int e = 0; e < o->neps; e++) {
			double last = INFINITY;
			for (int k = 0; k < 5; k++) { /* the five largest |bias|, in order */
				int bt = -1;
				size_t bc = 0;
				double bv = -1;
				for (int t = t0; t < t1; t++)
					for (size_t c = 0; c < u->tab[t].ncells; c++) {
						double v = fabs(u->bias[e][t][c]);
						if (v > bv && v < last) {
							bv = v;
							bt = t;
							bc = c;
						}
					}
				if (bt < 0)
					break;
				last = bv;
				char name[200];
				double ex = 0;
				for (int y = 0; y < u->ny; y++)
					ex += (double)u->exact[y][bt][bc] / u->ny;
				printf("    eps %-3g %-38.38s %-44.44s exact %7.1f  mean error %+7.1f\n", o->eps[e],
				       u->tab[bt].name, cell_name(&u->tab[bt], bc, name, sizeof name), ex,
				       u->bias[e][bt][bc] / (u->ny * o->reps));
			}
		}
	}
}

static void print_results(struct util *u)
{
	const struct opts *o = u->o;
	size_t cells[NGROUP] = {0};
	for (int t = 0; t < NTAB; t++)
		cells[group_of(t)] += u->tab[t].ncells;
	for (int f = 0; f < NFACT; f++)
		cells[G_B] += u->tab[f].ncells;
	printf("\nmean absolute error per cell against the exact counts (consenting cases), %d repetitions, delta %g\n",
	       o->reps, DELTA);
	for (int g = 0; g < NGROUP; g++)
		printf("  %-30s %s%zu cells%s\n", group_names[g], g == G_B ? "" : "per year ", cells[g],
		       g == G_B ? " (the chosen years as one group)" : "");
	printf("\n%-5s %-8s |", "eps", "rho");
	for (int g = 0; g < NGROUP; g++)
		printf(" %-27.27s |", group_names[g]);
	printf("\n%-5s %-8s |", "", "");
	for (int g = 0; g < NGROUP; g++)
		printf(" %8s %8s %7s  |", "release", "baseline", "ratio");
	printf("\n");
	bool all_le = true;
	double a4 = NAN;
	for (int e = 0; e < o->neps; e++) {
		printf("%-5g %-8.5f |", o->eps[e], cb_zcdp_rho(o->eps[e], DELTA));
		for (int g = 0; g < NGROUP; g++) {
			double r = mae(&u->res[e][g][M_REL]), b = mae(&u->res[e][g][M_BASE]);
			printf(" %8.3f %8.3f %7.3f  |", r, b, r / b);
			all_le &= r <= b;
		}
		printf("\n");
		if (o->eps[e] == 4)
			a4 = mae(&u->res[e][G_A][M_REL]);
		for (int g = 0; g < NGROUP; g++)
			printf("result mae.%c.eps%g %.4f %.4f %.4f\n", 'a' + g, o->eps[e], mae(&u->res[e][g][M_REL]),
			       mae(&u->res[e][g][M_BASE]), mae(&u->res[e][g][M_REL]) / mae(&u->res[e][g][M_BASE]));
	}
	printf("%-14s |", "cell-key");
	for (int g = 0; g < NGROUP; g++)
		printf(" %8.3f %8s %7s  |", mae(&u->ck[g]), "", "");
	printf("   (no epsilon; suppressed cells count as 0)\n");

	/* the same, each table weighing alike: the pooled figure is mostly country tables' empty cells */
	bool all_le_t = true;
	double a4t = NAN;
	printf("\nthe same as the mean of each table's MAE per cell (a country table weighs as much as gender):\n");
	for (int e = 0; e < o->neps; e++) {
		printf("%-5g %-8.5f |", o->eps[e], cb_zcdp_rho(o->eps[e], DELTA));
		for (int g = 0; g < NGROUP; g++) {
			double r = table_mean(u, e, g, M_REL), b = table_mean(u, e, g, M_BASE);
			printf(" %8.3f %8.3f %7.3f  |", r, b, r / b);
			all_le_t &= r <= b;
			printf("%s", g == NGROUP - 1 ? "\n" : "");
		}
		if (o->eps[e] == 4)
			a4t = table_mean(u, e, G_A, M_REL);
		for (int g = 0; g < NGROUP; g++)
			printf("result tmae.%c.eps%g %.4f %.4f %.4f\n", 'a' + g, o->eps[e], table_mean(u, e, g, M_REL),
			       table_mean(u, e, g, M_BASE), table_mean(u, e, g, M_REL) / table_mean(u, e, g, M_BASE));
	}
	printf("%-14s |", "cell-key");
	for (int g = 0; g < NGROUP; g++)
		printf(" %8.3f %8s %7s  |", table_mean(u, -1, g, 0), "", "");
	printf("\n");

	/* per year */
	printf("\nper year, release / baseline MAE:\n%-5s", "eps");
	for (int y = 0; y < u->ny; y++)
		printf(" | %4d (a)          %4d (c)        ", u->years[y], u->years[y]);
	printf("\n");
	for (int e = 0; e < o->neps; e++) {
		printf("%-5g", o->eps[e]);
		for (int y = 0; y < u->ny; y++)
			printf(" | %7.3f / %7.3f  %7.3f / %7.3f", mae(&u->res_year[e][y][G_A][M_REL]),
			       mae(&u->res_year[e][y][G_A][M_BASE]), mae(&u->res_year[e][y][G_C][M_REL]),
			       mae(&u->res_year[e][y][G_C][M_BASE]));
		printf("\n");
	}

	/* per table: the figure a table's own readers get (countries weigh as much as sex) */
	printf("\nper table, release / baseline MAE per cell%s:\n", o->verbose ? "" : " (the mean over tables; "
									     "--verbose lists each)");
	for (int g = 0; g < NGROUP; g++) {
		printf("  %-72s", group_names[g]);
		for (int e = 0; e < o->neps; e++)
			printf(" eps %-3g      ", o->eps[e]);
		printf(" cell-key\n");
		int t0, t1;
		group_tables(g, &t0, &t1);
		double mean[MAXEPS][NMETH] = {{0}}, ckm = 0;
		for (int t = t0; t < t1; t++) {
			const struct table *tb = &u->tab[t < NTAB ? t : t - NTAB];
			char label[100];
			snprintf(label, sizeof label, "%s (%zu)", tb->name, tb->ncells);
			if (o->verbose)
				printf("    %-70.70s", label);
			for (int e = 0; e < o->neps; e++) {
				double r = mae(&u->res_tab[e][t][M_REL]), b = mae(&u->res_tab[e][t][M_BASE]);
				mean[e][M_REL] += r / (t1 - t0);
				mean[e][M_BASE] += b / (t1 - t0);
				if (o->verbose)
					printf(" %6.2f/%6.2f", r, b);
			}
			ckm += mae(&u->ck_tab[t]) / (t1 - t0);
			if (o->verbose)
				printf(" %6.2f\n", mae(&u->ck_tab[t]));
		}
		printf("    %-70s", "mean over the group's tables");
		for (int e = 0; e < o->neps; e++)
			printf(" %6.2f/%6.2f", mean[e][M_REL], mean[e][M_BASE]);
		printf(" %6.2f\n", ckm);
	}

	if (o->verbose)
		print_bias(u);

	/* release times */
	printf("\nrelease of one year (cb_synth_release, %u to %u cases):\n", u->nslot[0], u->nslot[u->ny - 1]);
	int nall = 0;
	double *all = malloc((size_t)(o->neps * o->reps * u->ny) * sizeof *all);
	for (int e = 0; e < o->neps; e++) {
		char name[40];
		for (int i = 0; i < o->reps * u->ny; i++)
			if (all)
				all[nall++] = u->rel_ms[e][i];
		snprintf(name, sizeof name, "release.eps%g", o->eps[e]);
		report_series(name, u->rel_ms[e], o->reps * u->ny);
	}
	double relmed = NAN;
	if (all && nall) {
		report_series("release", all, nall);
		relmed = median(all, nall);
	}
	free(all);

	printf("\ngoal: release <= baseline at every epsilon: %s\n", all_le ? "yes" : "no");
	printf("goal: one-way MAE at eps 4 <= 6: %s (%.3f)\n", a4 <= 6 ? "yes" : "no", a4);
	printf("the same two, each table weighing alike: release <= baseline at every epsilon: %s; one-way MAE at "
	       "eps 4 <= 6: %s (%.3f)\n", all_le_t ? "yes" : "no", a4t <= 6 ? "yes" : "no", a4t);
	printf("goal: a release of one year in under 10 s: %s (median %.0f ms)\n", relmed < 10000 ? "yes" : "no", relmed);
}

static int utility(const struct opts *o)
{
	struct util *u = calloc(1, sizeof *u);
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct cb_ptable *pt = NULL;
	int ret = 1, rc;
	if (!u)
		return die("memory", "out of memory");
	u->o = o;
	if (cb_store_open(o->db, CB_OPEN_READONLY, &s, &err) || cb_index_build(s, &u->ix, &err)) {
		die(o->db, err.msg);
		goto out;
	}
	cb_store_free(&s);
	struct cb_ptable_params pp = {CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	if (cb_ptable_generate(&pp, &pt, &err) ||
	    cb_stats_new(u->ix, pt, CB_STATS_DEFAULT_THRESHOLD, u->ix->require_consent, &u->st, &err)) {
		u->ix = NULL; /* cb_stats_new freed it */
		die("cell key bank", err.msg);
		goto out;
	}
	code_gender_f = CB_gender_Feminine + 1;
	code_age_0_8 = CB_age_group_a0_8 + 1;
	code_age_9_17 = CB_age_group_a9_17 + 1;
	for (int i = 0; i < cb_nregions; i++)
		if (!strcmp(cb_regions[i], "Europe"))
			region_europe = (uint32_t)i + 1;
	for (int f = 0; f < NFACT; f++)
		if (bind_table(u->ix, factors[f], (const char *const[]){factors[f], NULL}, F_NONE, "", &u->tab[f])) {
			die(factors[f], "no such dimension");
			goto out;
		}
	for (int t = 0; t < NCTAB; t++)
		if (bind_table(u->ix, ctables[t].name, ctables[t].dims, ctables[t].filter, ctables[t].where,
			       &u->tab[NFACT + t])) {
			die(ctables[t].name, "no such dimension");
			goto out;
		}
	if (pick_years(u)) {
		die(o->db, "no year with 8,000 to 12,000 counted cases (make more demo cases, or --years)");
		goto out;
	}
	if (gather_years(u) || exact_counts(u)) {
		die("memory", "out of memory");
		goto out;
	}
	printf("database %s: %ld cases; years", o->db, cb_index_size(u->ix));
	for (int y = 0; y < u->ny; y++)
		printf(" %d (%u counted cases, %ld with more than %d values of a released multi-valued field)", u->years[y],
		       u->nslot[y], u->truncated[y], CB_REL_CAP);
	printf("\nbaseline: %d tables a year measured directly, rho/%d each; cell key: default ptable (D %d, V %g, "
	       "js %d), threshold %d\n",
	       NTAB, NTAB, CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS, CB_STATS_DEFAULT_THRESHOLD);
	if ((rc = check_exact(u, &err))) {
		die("check", err.msg);
		goto out;
	}
	if ((rc = cellkey(u, &err))) {
		die("cell key", err.msg);
		goto out;
	}
	for (int e = 0; e < o->neps; e++)
		if ((rc = run_eps(u, e, &err))) {
			die("release", err.msg);
			goto out;
		}
	print_results(u);
	ret = 0;
out:
	if (u->st)
		cb_stats_free(&u->st);
	else
		cb_index_free(&u->ix);
	cb_store_free(&s);
	for (int y = 0; y < MAXYEARS; y++) {
		free(u->slots[y]);
		for (int t = 0; t < NTAB; t++)
			free(u->exact[y][t]);
	}
	for (int f = 0; f < NFACT; f++)
		free(u->exact_b[f]);
	for (int e = 0; e < MAXEPS; e++) {
		free(u->rel_ms[e]);
		for (int t = 0; t < NTAB; t++)
			free(u->bias[e][t]);
	}
	free(u);
	return ret;
}

/* ---- speed: today's benchmark query on the release bank and on the records bank */

#define DIM_A "citizenship"
#define DIM_B "exploitation_type"
#define WHERE "year between 2010 and 2020 and gender = Feminine"

/* The exact cells of the query, in bench/duckdb_stats.mjs's format. */
static int write_cells(const struct cb_table *t, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return die(path, "cannot write");
	int na = cb_table_nvalues(t, 0), nb = cb_table_nvalues(t, 1);
	fprintf(f, "%s,%s,count\n", DIM_A, DIM_B);
	for (int a = 0; a < na; a++)
		for (int b = 0; b < nb; b++) {
			long n = (long)cb_table_at(t, (int[]){a, b, CB_CELL_TOTAL})->value;
			if (n)
				fprintf(f, "%s,%s,%ld\n", a == na - 1 ? "" : cb_table_value(t, 0, a),
					b == nb - 1 ? "" : cb_table_value(t, 1, b), n);
		}
	return fclose(f) ? die(path, "cannot write") : 0;
}

static int speed(const struct opts *o)
{
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct cb_stats *rel = NULL, *rec = NULL;
	struct cb_table *t = NULL;
	double *a = calloc((size_t)o->runs, sizeof *a), *b = calloc((size_t)o->runs, sizeof *b), t0;
	int ret = 1;
	struct cb_query q = {.dims = {DIM_A, DIM_B, NULL}, .where = WHERE};
	if (!a || !b) {
		die("memory", "out of memory");
		goto out;
	}
	if (cb_store_open(o->speed_db, CB_OPEN_READONLY, &s, &err)) {
		die(o->speed_db, err.msg);
		goto out;
	}
	printf("\ndatabase %s: %ld cases\n", o->speed_db, cb_store_count(s));
	t0 = now_ms();
	if (cb_stats_open(s, &rel, &err)) {
		die("cb_stats_open", err.msg);
		goto out;
	}
	double open_rel = now_ms() - t0;
	t0 = now_ms();
	if (cb_stats_open_records(s, &rec, &err)) {
		die("cb_stats_open_records", err.msg);
		goto out;
	}
	double open_rec = now_ms() - t0;
	if (!cb_stats_is_release(rel) || !cb_stats_newest(rel)) {
		die(o->speed_db, "no release: run casebank release on it first");
		goto out;
	}
	printf("release bank: %ld synthetic cases of the newest release of every year, loaded in %.0f ms; "
	       "records bank: %ld cases, index built in %.0f ms\n",
	       cb_index_size(rel->ix), open_rel, cb_index_size(rec->ix), open_rec);
	printf("result open.release %.3f %.3f %.3f\nresult open.records %.3f %.3f %.3f\n", open_rel, open_rel,
	       open_rel, open_rec, open_rec, open_rec);
	if (o->cells) {
		struct cb_query qx = q;
		qx.flags = CB_Q_EXACT;
		if (cb_stats_query(rec, &qx, &t, &err)) {
			die("cb_stats_query", err.msg);
			goto out;
		}
		if (write_cells(t, o->cells))
			goto out;
		cb_table_free(&t);
	}
	printf("query: --by %s,%s --where \"%s\", index resident, one thread\n", DIM_A, DIM_B, WHERE);
	for (int k = 0; k < 2 * o->runs; k++) { /* alternating, each bank first every other time */
		bool release = (k & 1) == ((k >> 1) & 1);
		t0 = now_ms();
		if (cb_stats_query(release ? rel : rec, &q, &t, &err)) {
			die(release ? "cb_stats_query (release bank)" : "cb_stats_query (records bank)", err.msg);
			goto out;
		}
		(release ? a : b)[k / 2] = now_ms() - t0;
		cb_table_free(&t);
	}
	report_series("query.release", a, o->runs);
	report_series("query.records", b, o->runs);
	ret = 0;
out:
	cb_table_free(&t);
	cb_stats_free(&rel);
	cb_stats_free(&rec);
	cb_store_free(&s);
	free(a);
	free(b);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o;
	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: release_bench --db DB [--years Y,Y,Y] [--reps R] [--eps 1,2,4,8] [--verbose]\n"
				"       release_bench --speed-db DB [--runs K] [--cells FILE]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return die("libsodium", "cannot initialise");
	setvbuf(stdout, NULL, _IOLBF, 0);
	int ret = 0;
	if (o.db)
		ret |= utility(&o);
	if (o.speed_db)
		ret |= speed(&o);
	return ret;
}
