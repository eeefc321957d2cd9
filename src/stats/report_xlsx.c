/*
 * report_xlsx.c -- the standard report as data files: a directory of tidy CSV files (one per table, in the
 * long layout of `casebank stats --format csv`: dimension columns, then count; "x" when suppressed) with a
 * README.txt, and an XLSX workbook (libxlsxwriter) with a sheet "About" and one sheet per table.
 *
 * Both list every row of a table (the HTML cuts long country lists); numbers are published cells only.
 *
 * Spreadsheet formulas: the CSV files go through cb_csv_put, which neutralises a cell that would be one.  The
 * workbook's text goes through worksheet_write_string only, which stores a shared string (<c t="s">) and
 * never a formula -- libxlsxwriter writes <f> only from worksheet_write_formula and friends, none used here --
 * so a text such as "=HYPERLINK(...)" is shown, not run, and keeps its exact value (no ' added).  Debian's
 * libxlsxwriter 1.1.4 has no quotePrefix setting (format_set_quote_prefix came later) to also stop a
 * formula when somebody edits such a cell by hand.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <xlsxwriter.h>

#include "io/csv.h"
#include "stats/report.h"

/* ---- shared: the method text, as lines */

static void method_lines(const struct cb_report *r, void (*line)(void *ctx, const char *a, const char *b),
			 void *ctx)
{
	line(ctx, cb_report_str(CB_RS_TITLE), NULL);
	line(ctx, cb_report_str(CB_RS_DRAWN_ON), r->date);
	line(ctx, cb_report_str(CB_RS_FILTER), r->where[0] ? r->where : cb_report_str(CB_RS_NO_FILTER));
	char thr[16];
	snprintf(thr, sizeof thr, "%d", r->threshold);
	line(ctx, cb_report_str(CB_RS_THRESHOLD), thr);
	line(ctx, cb_report_str(CB_RS_METHOD_TITLE), NULL);
	line(ctx, cb_report_str(CB_RS_METHOD_PLAIN), NULL);
	line(ctx, r->note, NULL);
	line(ctx, cb_report_str(CB_RS_SUPPRESSED_KEY), NULL);
	line(ctx, cb_report_str(CB_RS_PERCENT_NOTE), NULL);
	for (int i = 0; i < r->ntables; i++)
		if (r->tables[i].multi)
			line(ctx, r->tables[i].title, cb_report_str(CB_RS_MULTI_NOTE));
}

/* ---- CSV directory */

static void readme_line(void *ctx, const char *a, const char *b)
{
	FILE *f = ctx;
	fprintf(f, b ? "%s: %s\n\n" : "%s\n\n", a, b);
}

/* Writes a memory stream's contents to dir/name durably. */
static int put_file(const char *dir, const char *name, FILE *mem, char **data, size_t *len, struct cb_err *err)
{
	char path[4096];
	if (fclose(mem) != 0)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = cb_file_write_atomic(path, *data, *len, 0600, err);
	free(*data);
	*data = NULL;
	return rc;
}

static void csv_count(FILE *f, const struct cb_cell *c)
{
	if (c && c->suppressed)
		fputs("x", f);
	else
		fprintf(f, "%lld", (long long)(c ? c->value : 0));
	fputc('\n', f);
}

static void csv_caseload(FILE *f, const struct cb_report *r)
{
	const struct cb_table *t = r->caseload;
	fputs("year,count\n", f);
	int n = cb_table_nvalues(t, 0);
	for (int v = 0; v <= n; v++) {
		int coord = v < n ? v : CB_CELL_TOTAL;
		cb_csv_put(f, cb_table_value(t, 0, coord), ',');
		fputc(',', f);
		csv_count(f, cb_table_at(t, &coord));
	}
}

static void csv_factor(FILE *f, const struct cb_report *r, const struct cb_report_table *t)
{
	const char *total = cb_table_value(t->cols[r->nbands], 0, CB_CELL_TOTAL);
	fprintf(f, "%s,%s,count\n", cb_report_str(CB_RS_YEAR_GROUP), t->dim_name);
	for (int c = 0; c <= r->nbands; c++) {
		const char *group = c < r->nbands ? r->bands[c].label : total;
		for (int i = 0; i <= t->nrows; i++) {
			cb_csv_put(f, group, ',');
			fputc(',', f);
			cb_csv_put(f, i < t->nrows ? cb_report_row_value(r, t, i) : total, ',');
			fputc(',', f);
			csv_count(f, i < t->nrows ? cb_report_cell(r, t, i, c) : cb_report_total(r, t, c));
		}
	}
}

int cb_report_write_csv(const struct cb_report *r, const char *dir, struct cb_err *err)
{
	char *data = NULL, name[128];
	size_t len = 0;
	FILE *f;
	int rc;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return cb_err_set(err, CB_EIO, "%s: cannot create the directory: %s", dir, strerror(errno));
	if (!(f = open_memstream(&data, &len)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	fprintf(f, "%s\n\n", cb_report_str(CB_RS_README_TITLE));
	method_lines(r, readme_line, f);
	fprintf(f, "%s:\n  caseload.csv  %s\n", cb_report_str(CB_RS_FILES), cb_report_str(CB_RS_CASELOAD_TITLE));
	for (int i = 0; i < r->ntables; i++)
		fprintf(f, "  %s.csv  %s\n", r->tables[i].dim_name, r->tables[i].title);
	if ((rc = put_file(dir, "README.txt", f, &data, &len, err)) != CB_OK)
		return rc;
	if (!(f = open_memstream(&data, &len)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	csv_caseload(f, r);
	if ((rc = put_file(dir, "caseload.csv", f, &data, &len, err)) != CB_OK)
		return rc;
	for (int i = 0; i < r->ntables; i++) {
		if (!(f = open_memstream(&data, &len)))
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		csv_factor(f, r, &r->tables[i]);
		snprintf(name, sizeof name, "%s.csv", r->tables[i].dim_name);
		if ((rc = put_file(dir, name, f, &data, &len, err)) != CB_OK)
			return rc;
	}
	return CB_OK;
}

/* ---- XLSX */

struct book {
	lxw_workbook *wb;
	lxw_format *bold, *wrap, *head, *pct, *x;
	lxw_worksheet *ws;
	lxw_row_t row;
};

static void about_line(void *ctx, const char *a, const char *b)
{
	struct book *bk = ctx;
	worksheet_write_string(bk->ws, bk->row, 0, a, b ? bk->bold : bk->wrap);
	if (b)
		worksheet_write_string(bk->ws, bk->row, 1, b, bk->wrap);
	bk->row++;
}

static void xlsx_cell(struct book *bk, lxw_row_t row, lxw_col_t col, const struct cb_cell *c)
{
	if (c && c->suppressed)
		worksheet_write_string(bk->ws, row, col, "x", bk->x);
	else
		worksheet_write_number(bk->ws, row, col, (double)(c ? c->value : 0), NULL);
}

static void xlsx_percent(struct book *bk, lxw_row_t row, lxw_col_t col, const struct cb_cell *c)
{
	if (c && c->suppressed)
		worksheet_write_string(bk->ws, row, col, "x", bk->x);
	else if (c && !isnan(c->percent))
		worksheet_write_number(bk->ws, row, col, c->percent, bk->pct);
}

static void xlsx_footer(struct book *bk, const struct cb_report *r, const struct cb_table *t, bool multi)
{
	char buf[1024];
	bk->row++;
	worksheet_write_string(bk->ws, bk->row++, 0, cb_report_str(CB_RS_SUPPRESSED_KEY), NULL);
	if (multi)
		worksheet_write_string(bk->ws, bk->row++, 0, cb_report_str(CB_RS_MULTI_NOTE), NULL);
	worksheet_write_string(bk->ws, bk->row++, 0, cb_table_note(t, buf, sizeof buf), NULL);
	snprintf(buf, sizeof buf, "%s: %s. %s: %s.", cb_report_str(CB_RS_DRAWN_ON), r->date,
		 cb_report_str(CB_RS_FILTER), r->where[0] ? r->where : cb_report_str(CB_RS_NO_FILTER));
	worksheet_write_string(bk->ws, bk->row++, 0, buf, NULL);
}

static void xlsx_caseload(struct book *bk, const struct cb_report *r)
{
	const struct cb_table *t = r->caseload;
	bk->ws = workbook_add_worksheet(bk->wb, cb_report_str(CB_RS_SHEET_CASELOAD));
	if (!bk->ws)
		return;
	worksheet_set_column(bk->ws, 0, 0, 14, NULL);
	worksheet_write_string(bk->ws, 0, 0, cb_report_str(CB_RS_YEAR), bk->head);
	worksheet_write_string(bk->ws, 0, 1, cb_report_str(CB_RS_CASES), bk->head);
	int n = cb_table_nvalues(t, 0);
	bk->row = 1;
	for (int v = 0; v <= n; v++, bk->row++) {
		int coord = v < n ? v : CB_CELL_TOTAL;
		worksheet_write_string(bk->ws, bk->row, 0, v < n ? cb_table_label(t, 0, v) :
				       cb_report_str(CB_RS_ALL_YEARS), v < n ? NULL : bk->bold);
		xlsx_cell(bk, bk->row, 1, cb_table_at(t, &coord));
	}
	xlsx_footer(bk, r, t, false);
}

static void xlsx_factor(struct book *bk, const struct cb_report *r, const struct cb_report_table *t)
{
	bk->ws = workbook_add_worksheet(bk->wb, t->sheet);
	if (!bk->ws)
		return;
	lxw_col_t all = (lxw_col_t)(r->nbands + 1);
	worksheet_set_column(bk->ws, 0, 0, 36, NULL);
	worksheet_set_column(bk->ws, 1, all + 1, 13, NULL);
	worksheet_write_string(bk->ws, 0, 0, t->title, bk->head);
	for (int c = 0; c < r->nbands; c++)
		worksheet_write_string(bk->ws, 0, (lxw_col_t)(c + 1), r->bands[c].label, bk->head);
	worksheet_write_string(bk->ws, 0, all, cb_report_str(CB_RS_ALL_YEARS), bk->head);
	worksheet_write_string(bk->ws, 0, all + 1, cb_report_str(CB_RS_PERCENT_HEAD), bk->head);
	worksheet_freeze_panes(bk->ws, 1, 1);
	bk->row = 1;
	for (int i = 0; i < t->nrows; i++, bk->row++) {
		worksheet_write_string(bk->ws, bk->row, 0, cb_report_row_label(r, t, i), NULL);
		for (int c = 0; c <= r->nbands; c++)
			xlsx_cell(bk, bk->row, (lxw_col_t)(c + 1), cb_report_cell(r, t, i, c));
		xlsx_percent(bk, bk->row, all + 1, cb_report_cell(r, t, i, r->nbands));
	}
	worksheet_write_string(bk->ws, bk->row, 0, cb_report_str(CB_RS_TOTAL_CASES), bk->bold);
	for (int c = 0; c <= r->nbands; c++)
		xlsx_cell(bk, bk->row, (lxw_col_t)(c + 1), cb_report_total(r, t, c));
	xlsx_percent(bk, bk->row, all + 1, cb_report_total(r, t, r->nbands));
	bk->row++;
	worksheet_write_string(bk->ws, bk->row++, 0, cb_report_str(CB_RS_PERCENT_NOTE), NULL);
	xlsx_footer(bk, r, t->cols[r->nbands], t->multi);
}

int cb_report_write_xlsx(const struct cb_report *r, const char *path, struct cb_err *err)
{
	struct book bk = {0};
	if (!(bk.wb = workbook_new(path)))
		return cb_err_set(err, CB_EIO, "%s: cannot create the workbook", path);
	bk.bold = workbook_add_format(bk.wb);
	format_set_bold(bk.bold);
	bk.head = workbook_add_format(bk.wb);
	format_set_bold(bk.head);
	format_set_text_wrap(bk.head);
	format_set_bottom(bk.head, LXW_BORDER_THIN);
	bk.wrap = workbook_add_format(bk.wb);
	format_set_text_wrap(bk.wrap);
	bk.pct = workbook_add_format(bk.wb);
	format_set_num_format(bk.pct, "0.0");
	bk.x = workbook_add_format(bk.wb);
	format_set_align(bk.x, LXW_ALIGN_RIGHT);

	bool ok = (bk.ws = workbook_add_worksheet(bk.wb, cb_report_str(CB_RS_SHEET_ABOUT))) != NULL;
	if (ok) {
		worksheet_set_column(bk.ws, 0, 0, 90, bk.wrap);
		worksheet_set_column(bk.ws, 1, 1, 50, bk.wrap);
		method_lines(r, about_line, &bk);
		xlsx_caseload(&bk, r);
		ok = bk.ws != NULL;
	}
	for (int i = 0; ok && i < r->ntables; i++) {
		xlsx_factor(&bk, r, &r->tables[i]);
		ok = bk.ws != NULL;
	}
	lxw_error e = workbook_close(bk.wb);
	if (!ok || e != LXW_NO_ERROR) {
		remove(path);
		return cb_err_set(err, CB_EIO, "%s: cannot write the workbook: %s", path,
				  ok ? lxw_strerror(e) : "bad worksheet name");
	}
	return CB_OK;
}
