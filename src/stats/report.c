/*
 * report.c -- the standard report: its English text (one table, for translation), which tables it holds,
 * the year groups, and running every query against one open bank into the model of report.h.
 *
 * Protection rule of this file: every number the renderers print is a cell returned by cb_stats_query.
 * A year group is a query of its own (filter plus a year range), a long list of countries is cut rather
 * than summed into "other", and nothing is added up from published cells.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stats/report.h"
#include "util/i18n.h"

/* ---- every English string of the report's outputs (HTML, CSV README, XLSX); translate here. */
static const char *const strings[CB_RS__COUNT] = {
	[CB_RS_TITLE] = "Assisted victims of trafficking: standard report",
	[CB_RS_SUBTITLE] = "Protected statistics from the case database",
	[CB_RS_DRAWN_ON] = "Drawn on",
	[CB_RS_FILTER] = "Filter",
	[CB_RS_NO_FILTER] = "none (all cases counted in statistics)",
	[CB_RS_THRESHOLD] = "Smallest count shown",
	[CB_RS_CONTENTS] = "Contents",
	[CB_RS_METHOD_TITLE] = "How the numbers are protected",
	[CB_RS_METHOD_PLAIN] =
		"No number in this report is counted from the case records themselves. Once for each year of "
		"registration, the cases of that year were measured with carefully calibrated random noise "
		"(differential privacy, under a budget that limits what all measurements together can reveal "
		"about any one person), and a synthetic set of cases was drawn from those measurements. Every "
		"table is counted from that synthetic set, so rows, columns, totals and year groups add up, and "
		"the same group of people always gets the same number however it is asked for. The numbers are "
		"estimates: small numbers may be off by several cases either way, and may be 0 where a few cases "
		"exist. The notes name the releases used, their date and their budget.",
	[CB_RS_SUPPRESSED_KEY] = "x: too few cases to show.",
	[CB_RS_PERCENT_NOTE] = "Percentages are shares of the published total of all years, computed from "
			       "published (protected) numbers.",
	[CB_RS_MULTI_NOTE] = "A case can count under several values of this factor, so the values add up to "
			     "more than the number of cases; totals count cases.",
	[CB_RS_CUT_NOTE] = "The table lists the {1} countries with the most cases; {2} more are listed in the "
			   "CSV and XLSX versions of this report.",
	[CB_RS_ZERO_ROWS_NOTE] = "Countries without any case are not listed.",
	[CB_RS_CASELOAD_TITLE] = "Caseload by year",
	[CB_RS_CASELOAD_INTRO] = "Cases by year of registration.",
	[CB_RS_YEAR] = "Year",
	[CB_RS_CASES] = "Cases",
	[CB_RS_ALL_YEARS] = "All years",
	[CB_RS_PERCENT_HEAD] = "% of all years",
	[CB_RS_YEAR_GROUP] = "year_group",
	[CB_RS_TOTAL_CASES] = "All cases",
	[CB_RS_CHART_OF] = "Bar chart of cases (all years) by",
	[CB_RS_CHART_YEARS] = "Bar chart of cases by year of registration",
	[CB_RS_BY_YEAR_GROUP] = "by year group of registration: number of cases",
	[CB_RS_UP_TO] = "up to",
	[CB_RS_SUPPRESSED_SHORT] = "x",
	[CB_RS_SHEET_ABOUT] = "About",
	[CB_RS_SHEET_CASELOAD] = "Caseload",
	[CB_RS_README_TITLE] = "casebank standard report: tables as CSV",
	[CB_RS_FILES] = "Files",
};

/* The factors, in report order: dimension, title (English), worksheet name, sorted by size (countries). */
static const struct factor {
	const char *dim, *title, *sheet;
	bool sorted;
} factors[] = {
	{"gender", "Sex", "Sex", false},
	{"citizenship", "Nationality", "Nationality", true},
	{"age_group", "Age", "Age", false},
	{"education", "Education", "Education", false},
	{"marital_status", "Marital status", "Marital status", false},
	{"recruitment_method", "Recruitment method", "Recruitment method", false},
	{"recruiter_sex", "Sex of the recruiter", "Recruiter sex", false},
	{"recruiter_relation", "Relation to the recruiter", "Recruiter relation", false},
	{"intended_country", "Country the person agreed to work in", "Intended country", true},
	{"promised_job", "Job promised", "Job promised", false},
	{"occupation_home", "Occupation at home", "Occupation at home", false},
	{"exploitation_type", "Type of exploitation", "Exploitation type", false},
	{"destination_country", "Country of destination", "Destination country", true},
};

const char *cb_report_str(enum cb_rs id)
{
	return cb_tr(NULL, "report", id >= 0 && id < CB_RS__COUNT && strings[id] ? strings[id] : "");
}

const char *cb_report_fill(enum cb_rs id, long a, long b, char *buf, size_t n)
{
	size_t o = 0;
	if (!n)
		return buf;
	for (const char *s = cb_report_str(id); *s && o + 1 < n; s++) {
		if (s[0] == '{' && (s[1] == '1' || s[1] == '2') && s[2] == '}') {
			int w = snprintf(buf + o, n - o, "%ld", s[1] == '1' ? a : b);
			o = w < 0 ? o : (size_t)w >= n - o ? n - 1 : o + (size_t)w;
			s += 2;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = 0;
	return buf;
}

/* ---- queries */

/* The filter of a year group: the user's filter (parenthesised) and the year range. */
static char *band_where(const char *user, const struct cb_report_band *b)
{
	struct cb_buf w = {0};
	int rc = CB_OK;
	if (user && *user)
		rc = cb_buf_printf(&w, "(%s)", user);
	if (rc == CB_OK && b && b->lo != CB_NA)
		rc = cb_buf_printf(&w, "%syear >= %d", w.len ? " and " : "", b->lo);
	if (rc == CB_OK && b)
		rc = cb_buf_printf(&w, "%syear <= %d", w.len ? " and " : "", b->hi);
	if (rc == CB_OK && !w.len)
		rc = cb_buf_append(&w, "", 0);
	if (rc != CB_OK) {
		cb_buf_free(&w);
		return NULL;
	}
	return w.data; /* NUL-terminated by cb_buf_printf */
}

static int run(struct cb_stats *st, const char *dim, const char *where, struct cb_table **out, struct cb_err *err)
{
	struct cb_query q = {.dims = {dim, NULL}, .where = where, .flags = CB_Q_PERCENT};
	return cb_stats_query(st, &q, out, err);
}

/* A value name as a year, or CB_NA ("not recorded", "Total"). */
static int year_of(const char *name)
{
	char *end;
	errno = 0;
	long y = name ? strtol(name, &end, 10) : 0;
	if (!name || !*name || *end || errno || y < 1000 || y > 9999)
		return CB_NA;
	return (int)y;
}

/* Five-year groups aligned on 2001-2005, 2006-2010, ... covering the years with cases; at
 * most CB_REPORT_MAX_BANDS, the earliest merged into one.  The first group is open below so that every
 * case of the filter falls into a group. */
static void choose_bands(struct cb_report *r)
{
	int lo = CB_NA, hi = CB_NA, n = cb_table_nvalues(r->caseload, 0);
	for (int v = 0; v < n; v++) {
		int y = year_of(cb_table_value(r->caseload, 0, v));
		const struct cb_cell *c = cb_table_at(r->caseload, (int[]){v});
		if (y == CB_NA || !c || (!c->suppressed && c->value <= 0))
			continue; /* a suppressed year still has cases (zeros are never suppressed) */
		if (lo == CB_NA || y < lo)
			lo = y;
		if (hi == CB_NA || y > hi)
			hi = y;
	}
	r->year_lo = lo;
	r->year_hi = hi;
	r->nbands = 0;
	if (lo == CB_NA)
		return;
	int first = (lo - 1) / 5 * 5 + 1, last = (hi - 1) / 5 * 5 + 1;
	int count = (last - first) / 5 + 1;
	if (count > CB_REPORT_MAX_BANDS)
		first = last - 5 * (CB_REPORT_MAX_BANDS - 1);
	for (int s = first; s <= last; s += 5) {
		struct cb_report_band *b = &r->bands[r->nbands++];
		b->lo = s == first ? CB_NA : s;
		b->hi = s + 4;
		if (b->lo == CB_NA)
			snprintf(b->label, sizeof b->label, "%s %d", cb_report_str(CB_RS_UP_TO), b->hi);
		else
			snprintf(b->label, sizeof b->label, "%d-%d", b->lo, b->hi);
	}
}

/* ---- rows of a factor table */

static int find_value(const struct cb_table *t, const char *name, int hint)
{
	int n = cb_table_nvalues(t, 0);
	if (hint < n && !strcmp(cb_table_value(t, 0, hint), name))
		return hint;
	for (int v = 0; v < n; v++)
		if (!strcmp(cb_table_value(t, 0, v), name))
			return v;
	return -1;
}

struct sort_row {
	const struct cb_table *t;
	int v;
};

/* Published value descending, suppressed cells after every number, then by label. */
static int cmp_rows(const void *a, const void *b)
{
	const struct sort_row *x = a, *y = b;
	const struct cb_cell *cx = cb_table_at(x->t, (int[]){x->v}), *cy = cb_table_at(y->t, (int[]){y->v});
	if (cx->suppressed != cy->suppressed)
		return cx->suppressed ? 1 : -1;
	if (cx->value != cy->value)
		return cx->value > cy->value ? -1 : 1;
	return strcmp(cb_table_label(x->t, 0, x->v), cb_table_label(y->t, 0, y->v));
}

static bool all_zero(const struct cb_report_table *t, int ncols, const int *vidx)
{
	for (int c = 0; c < ncols; c++) {
		if (vidx[c] < 0)
			continue;
		const struct cb_cell *cell = cb_table_at(t->cols[c], (int[]){vidx[c]});
		if (cell->suppressed || cell->value != 0)
			return false;
	}
	return true;
}

static int build_rows(struct cb_report_table *t, int nbands)
{
	const struct cb_table *all = t->cols[nbands];
	int n = cb_table_nvalues(all, 0), ncols = nbands + 1, rc = CB_ENOMEM;
	struct sort_row *order = calloc((size_t)n + 1, sizeof *order);
	t->vidx = calloc((size_t)n * (size_t)ncols + 1, sizeof *t->vidx);
	if (!order || !t->vidx)
		goto out;
	for (int v = 0; v < n; v++)
		order[v] = (struct sort_row){all, v};
	/* "not recorded" stays last: sort only the values before it */
	if (t->sorted && n > 1)
		qsort(order, (size_t)n - 1, sizeof *order, cmp_rows);
	t->nrows = 0;
	for (int i = 0; i < n; i++) {
		int *row = t->vidx + (size_t)t->nrows * (size_t)ncols;
		const char *name = cb_table_value(all, 0, order[i].v);
		for (int c = 0; c < ncols; c++)
			row[c] = find_value(t->cols[c], name, order[i].v);
		if (t->sorted && all_zero(t, ncols, row)) {
			t->zero_rows++;
			continue;
		}
		t->last_unrecorded = i == n - 1;
		t->nrows++;
	}
	rc = CB_OK;
out:
	free(order);
	return rc;
}

static int build_table(struct cb_stats *st, struct cb_report *r, const struct factor *f, struct cb_report_table *t,
		       const char *user_where, struct cb_err *err)
{
	int rc = CB_OK;
	t->dim_name = f->dim;
	t->title = cb_tr(NULL, "report", f->title); /* the thread's language: the report is built and written in it */
	t->sheet = cb_tr(NULL, "report", f->sheet);
	t->sorted = f->sorted;
	t->multi = cb_dim_is_multi(cb_dim_find(f->dim));
	for (int c = 0; c <= r->nbands && rc == CB_OK; c++) {
		char *where = band_where(user_where, c < r->nbands ? &r->bands[c] : NULL);
		if (!where)
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		rc = run(st, f->dim, where, &t->cols[c], err);
		free(where);
	}
	if (rc == CB_OK && (rc = build_rows(t, r->nbands)) != CB_OK)
		cb_err_set(err, rc, "out of memory");
	return rc;
}

int cb_report_build(struct cb_stats *st, const struct cb_report_opts *o, struct cb_report **out, struct cb_err *err)
{
	int rc = CB_ENOMEM;
	char buf[1024];
	const char *user = o && o->where ? o->where : "";
	struct cb_report *r = calloc(1, sizeof *r);
	*out = NULL;
	if (!r)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	r->tables = calloc(CB_COUNTOF(factors), sizeof *r->tables);
	if (!r->tables)
		goto nomem;
	if (o && o->date)
		snprintf(r->date, sizeof r->date, "%s", o->date);
	else
		cb_date_format(cb_date_today(), r->date);
	/* The caseload first, with the user's filter as typed, so that a mistake is reported at its column. */
	if ((rc = run(st, "year", user, &r->caseload, err)) != CB_OK)
		goto out;
	r->threshold = cb_table_threshold(r->caseload);
	r->where = strdup(cb_table_where(r->caseload));
	r->note = strdup(cb_table_note(r->caseload, buf, sizeof buf));
	if (!r->where || !r->note)
		goto nomem;
	choose_bands(r);
	for (size_t i = 0; i < CB_COUNTOF(factors); i++) {
		r->ntables++;
		if ((rc = build_table(st, r, &factors[i], &r->tables[i], user, err)) != CB_OK)
			goto out;
	}
	rc = CB_OK;
	goto out;
nomem:
	rc = cb_err_set(err, CB_ENOMEM, "out of memory");
out:
	if (rc == CB_OK)
		*out = r;
	else
		cb_report_free(&r);
	return rc;
}

void cb_report_free(struct cb_report **rp)
{
	struct cb_report *r = rp ? *rp : NULL;
	if (!r)
		return;
	for (int i = 0; i < r->ntables; i++) {
		for (int c = 0; c <= CB_REPORT_MAX_BANDS; c++)
			cb_table_free(&r->tables[i].cols[c]);
		free(r->tables[i].vidx);
	}
	free(r->tables);
	cb_table_free(&r->caseload);
	free(r->where);
	free(r->note);
	free(r);
	*rp = NULL;
}

/* ---- accessors for the renderers */

const struct cb_cell *cb_report_cell(const struct cb_report *r, const struct cb_report_table *t, int row, int col)
{
	int v = t->vidx[(size_t)row * (size_t)(r->nbands + 1) + (size_t)col];
	return v < 0 ? NULL : cb_table_at(t->cols[col], (int[]){v});
}

const struct cb_cell *cb_report_total(const struct cb_report *r, const struct cb_report_table *t, int col)
{
	(void)r;
	return cb_table_at(t->cols[col], (int[]){CB_CELL_TOTAL});
}

const char *cb_report_row_value(const struct cb_report *r, const struct cb_report_table *t, int row)
{
	int v = t->vidx[(size_t)row * (size_t)(r->nbands + 1) + (size_t)r->nbands];
	return cb_table_value(t->cols[r->nbands], 0, v);
}

const char *cb_report_row_label(const struct cb_report *r, const struct cb_report_table *t, int row)
{
	int v = t->vidx[(size_t)row * (size_t)(r->nbands + 1) + (size_t)r->nbands];
	return cb_table_label(t->cols[r->nbands], 0, v);
}

const struct cb_cell *cb_report_year(const struct cb_report *r, int year)
{
	int n = cb_table_nvalues(r->caseload, 0);
	for (int v = 0; v < n; v++)
		if (year_of(cb_table_value(r->caseload, 0, v)) == year)
			return cb_table_at(r->caseload, (int[]){v});
	return NULL;
}
