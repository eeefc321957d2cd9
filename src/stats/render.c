/*
 * render.c -- prints a query result: a readable cross-table (1 dim: a list; 2 dims: rows x columns;
 * 3 dims: one block per value of the third), tidy CSV (one row per cell, totals marked "Total",
 * suppressed counts "x") or JSON with the metadata a reader needs to interpret the numbers.
 * Only published values reach this file; nothing here can see a true count or a key.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "io/csv.h"
#include "stats/dp.h"
#include "stats/stats_int.h"
#include "util/i18n.h"

static const char *count_text(const struct cb_cell *c, char buf[32])
{
	if (c->suppressed)
		return "x";
	snprintf(buf, 32, "%lld", (long long)c->value);
	return buf;
}

static const char *cell_text(const struct cb_table *t, const struct cb_cell *c, char buf[48])
{
	char cb[32];
	if (t->percent && !isnan(c->percent))
		snprintf(buf, 48, "%s (%.1f%%)", count_text(c, cb), c->percent);
	else
		snprintf(buf, 48, "%s", count_text(c, cb));
	return buf;
}

/* ---- text cross-table */

static int text_width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80; /* count UTF-8 characters, not bytes */
	return w;
}

static void pad(FILE *f, const char *s, int width, bool right)
{
	int n = width - text_width(s);
	if (right)
		fprintf(f, "%*s%s", n > 0 ? n : 0, "", s);
	else
		fprintf(f, "%s%*s", s, n > 0 ? n : 0, "");
}

/* Years, offices and countries list only the values some counted case has; under a filter many of them
 * are empty.  The text table leaves out a value whose total is a true zero (the other formats keep every
 * cell, so that tables compare line by line). */
static bool skip(const struct cb_table *t, int d, int v, int z)
{
	const struct cb_axis *a = &t->ax[d];
	enum cb_kind k = cb_fields[a->field].kind;
	if (a->dim >= CB_NFIELDS || (k != CB_INT && k != CB_SITE && k != CB_COUNTRY) || v >= a->nv - 1)
		return false;
	int co[3] = {CB_CELL_TOTAL, CB_CELL_TOTAL, z};
	co[d] = v; /* z is the block: for d == 2 it is v itself */
	const struct cb_cell *c = cb_table_at(t, co);
	return !c->suppressed && c->value == 0;
}

/* One block: rows of axis 0 against columns of axis 1 (or a single "Count" column); fixed coordinate z
 * for axis 2. */
static void text_block(const struct cb_table *t, FILE *f, int z)
{
	char buf[48];
	const struct cb_axis *r = &t->ax[0], *c = t->ndims > 1 ? &t->ax[1] : NULL;
	int ncol = c ? c->nv + 1 : 1, w0 = text_width(cb_dim_label(r->dim));
	int *cw = calloc((size_t)ncol, sizeof *cw);
	if (!cw)
		return;
	for (int i = 0; i <= r->nv; i++)
		if (text_width(r->labels[i]) > w0)
			w0 = text_width(r->labels[i]);
	for (int j = 0; j < ncol; j++) {
		if (c && skip(t, 1, j, z))
			continue;
		cw[j] = text_width(c ? c->labels[j] : cb_tr(NULL, "codebook", "Count"));
		for (int i = 0; i <= r->nv; i++) {
			int co[3] = {i, j, z};
			int wl = text_width(cell_text(t, cb_table_at(t, co), buf));
			cw[j] = wl > cw[j] ? wl : cw[j];
		}
	}
	pad(f, cb_dim_label(r->dim), w0, false);
	for (int j = 0; j < ncol; j++) {
		if (c && skip(t, 1, j, z))
			continue;
		fputs("  ", f);
		pad(f, c ? c->labels[j] : cb_tr(NULL, "codebook", "Count"), cw[j], true);
	}
	fputc('\n', f);
	for (int i = 0; i <= r->nv; i++) {
		if (skip(t, 0, i, z))
			continue;
		pad(f, r->labels[i], w0, false);
		for (int j = 0; j < ncol; j++) {
			if (c && skip(t, 1, j, z))
				continue;
			int co[3] = {i, j, z};
			fputs("  ", f);
			pad(f, cell_text(t, cb_table_at(t, co), buf), cw[j], true);
		}
		fputc('\n', f);
	}
	free(cw);
}

static void write_text(const struct cb_table *t, FILE *f)
{
	char note[1024];
	if (t->ndims > 1)
		fprintf(f, _("%s (rows) by %s (columns)\n"), cb_dim_label(t->ax[0].dim), cb_dim_label(t->ax[1].dim));
	if (t->where[0])
		fprintf(f, "Filter: %s\n", t->where);
	if (t->ndims > 1 || t->where[0])
		fputc('\n', f);
	if (t->ndims < 3) {
		text_block(t, f, 0);
	} else {
		const struct cb_axis *b = &t->ax[2];
		bool first = true;
		for (int z = 0; z <= b->nv; z++) {
			if (skip(t, 2, z, CB_CELL_TOTAL))
				continue;
			fprintf(f, "%s%s: %s\n", first ? "" : "\n", cb_dim_label(b->dim), b->labels[z]);
			first = false;
			text_block(t, f, z);
		}
	}
	fprintf(f, "\n%s\n", cb_table_note(t, note, sizeof note));
}

/* ---- CSV */

/* One cell, by the CSV writer every file of casebank goes through (formulas neutralised: io/csv.h). */
static void csv_field(FILE *f, const char *s) { cb_csv_put(f, s, ','); }

static void write_csv(const struct cb_table *t, FILE *f)
{
	char buf[32];
	if (t->release) { /* what the estimates come from, as comment lines (read.csv comment.char, pandas comment) */
		char note[1024];
		fprintf(f, "# %s\n", cb_table_note(t, note, sizeof note));
		for (int i = 0; i < t->nrel; i++)
			fprintf(f, "# release %lld of %d: rho %.4f\n", (long long)t->rel[i].id, t->rel[i].year, t->rel[i].rho);
	}
	for (int d = 0; d < t->ndims; d++) {
		csv_field(f, cb_dim_name(t->ax[d].dim));
		fputc(',', f);
	}
	fputs(t->percent ? "count,percent\n" : "count\n", f);
	for (size_t i = 0; i < t->ncells; i++) {
		const struct cb_cell *c = &t->cells[i];
		for (int d = 0; d < t->ndims; d++) {
			csv_field(f, cb_table_value(t, d, c->coord[d]));
			fputc(',', f);
		}
		fputs(count_text(c, buf), f);
		if (t->percent) {
			if (isnan(c->percent))
				fputs(c->suppressed ? ",x" : ",", f);
			else
				fprintf(f, ",%.1f", c->percent);
		}
		fputc('\n', f);
	}
}

/* ---- JSON */

static int write_json(const struct cb_table *t, FILE *f)
{
	char note[1024], today[11];
	json_t *root = json_object(), *dims = json_array(), *cells = json_array();
	int rc = CB_ENOMEM;
	if (!root || !dims || !cells)
		goto out;
	for (int d = 0; d < t->ndims; d++) {
		const struct cb_axis *a = &t->ax[d];
		json_t *vals = json_array();
		for (int v = 0; v < a->nv; v++)
			json_array_append_new(vals, json_pack("{s:s, s:s}", "name", a->names[v], "label", a->labels[v]));
		json_array_append_new(dims, json_pack("{s:s, s:s, s:b, s:o}", "name", cb_dim_name(a->dim), "label",
						      cb_dim_label(a->dim), "multi_valued", a->multi, "values", vals));
	}
	for (size_t i = 0; i < t->ncells; i++) {
		const struct cb_cell *c = &t->cells[i];
		json_t *o = json_object();
		for (int d = 0; d < t->ndims; d++)
			json_object_set_new(o, cb_dim_name(t->ax[d].dim), json_string(cb_table_value(t, d, c->coord[d])));
		json_object_set_new(o, "count", c->suppressed ? json_null() : json_integer(c->value));
		json_object_set_new(o, "suppressed", json_boolean(c->suppressed));
		if (t->percent)
			json_object_set_new(o, "percent", isnan(c->percent) ? json_null() : json_real(round(c->percent * 10) / 10));
		json_array_append_new(cells, o);
	}
	cb_date_format(cb_date_today(), today);
	json_object_set_new(root, "dims", dims);
	json_object_set_new(root, "filter", json_string(t->where));
	/* estimates from releases are never suppressed: no threshold */
	json_object_set_new(root, "threshold", t->release ? json_null() : json_integer(t->threshold));
	json_object_set_new(root, "protected", json_boolean(!t->exact));
	json_object_set_new(root, "protection", json_string(cb_table_note(t, note, sizeof note)));
	json_object_set_new(root, "generated", json_string(today));
	if (t->release) {
		json_t *rel = json_array();
		for (int i = 0; rel && i < t->nrel; i++) {
			const struct cb_release_meta *m = &t->rel[i];
			char made[32];
			time_t at = (time_t)m->made_at;
			struct tm tm;
			gmtime_r(&at, &tm);
			strftime(made, sizeof made, "%Y-%m-%dT%H:%M:%SZ", &tm);
			json_array_append_new(rel, json_pack("{s:I, s:i, s:s, s:I, s:f, s:f, s:f, s:f, s:f}", "id",
							     (json_int_t)m->id, "year", m->year, "made", made, "age_days",
							     (json_int_t)((t->now - m->made_at) / 86400), "rho", m->rho,
							     "epsilon", cb_zcdp_eps(m->rho, CB_RELEASE_DELTA), "year_rho",
							     m->spent, "year_epsilon", cb_zcdp_eps(m->spent, CB_RELEASE_DELTA),
							     "delta", CB_RELEASE_DELTA));
		}
		json_object_set_new(root, "estimates", json_true());
		json_object_set_new(root, "releases", rel ? rel : json_null());
	}
	json_object_set_new(root, "cells", cells);
	dims = cells = NULL;
	rc = json_dumpf(root, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 ? CB_OK : CB_EIO;
	fputc('\n', f);
out:
	json_decref(dims);
	json_decref(cells);
	json_decref(root);
	return rc;
}

int cb_table_write(const struct cb_table *t, enum cb_stats_format fmt, FILE *f, struct cb_err *err)
{
	int rc = CB_OK;
	switch (fmt) {
	case CB_SF_TABLE: write_text(t, f); break;
	case CB_SF_CSV: write_csv(t, f); break;
	case CB_SF_JSON: rc = write_json(t, f); break;
	}
	if (rc == CB_OK && (fflush(f) != 0 || ferror(f)))
		rc = CB_EIO;
	return rc ? cb_err_set(err, rc, "cannot write the table: %s", cb_rc_str(rc)) : CB_OK;
}
