/*
 * report_csv.c -- the standard report as one CSV file (what the web page downloads; the command line writes
 * the directory of report_xlsx.c): every table of the report, one row a published cell, in the long layout
 *
 *     table,factor,value,label,year_group,count
 *     Sex,gender,Feminine,Feminine,2016-2020,412
 *
 * `factor` and `value` are codes (the same in every language); `table`, `label` and `year_group` are for
 * people, in the report's language.  "x" counts are suppressed cells.  Every text goes through cb_csv_put,
 * which neutralises a cell a spreadsheet would take for a formula.
 */
#include <stdio.h>

#include "io/csv.h"
#include "stats/report.h"

static void row(FILE *f, const char *table, const char *factor, const char *value, const char *label,
		const char *group, const struct cb_cell *c)
{
	const char *cells[] = {table, factor, value, label, group};
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		cb_csv_put(f, cells[i], ',');
		fputc(',', f);
	}
	if (c && c->suppressed)
		fputs("x\n", f);
	else
		fprintf(f, "%lld\n", (long long)(c ? c->value : 0));
}

int cb_report_write_csv_file(const struct cb_report *r, FILE *f, struct cb_err *err)
{
	const char *all = cb_report_str(CB_RS_ALL_YEARS);
	fputs("table,factor,value,label,year_group,count\n", f);
	const struct cb_table *cl = r->caseload;
	int n = cb_table_nvalues(cl, 0);
	for (int v = 0; v <= n; v++) {
		int coord = v < n ? v : CB_CELL_TOTAL;
		row(f, cb_report_str(CB_RS_CASELOAD_TITLE), "year", cb_table_value(cl, 0, coord),
		    cb_table_label(cl, 0, coord), all, cb_table_at(cl, &coord));
	}
	for (int i = 0; i < r->ntables; i++) {
		const struct cb_report_table *t = &r->tables[i];
		const struct cb_table *last = t->cols[r->nbands];
		for (int c = 0; c <= r->nbands; c++) {
			const char *group = c < r->nbands ? r->bands[c].label : all;
			for (int k = 0; k < t->nrows; k++)
				row(f, t->title, t->dim_name, cb_report_row_value(r, t, k), cb_report_row_label(r, t, k), group,
				    cb_report_cell(r, t, k, c));
			row(f, t->title, t->dim_name, cb_table_value(last, 0, CB_CELL_TOTAL),
			    cb_table_label(last, 0, CB_CELL_TOTAL), group, cb_report_total(r, t, c));
		}
	}
	return ferror(f) ? cb_err_set(err, CB_ENOMEM, "out of memory") : CB_OK;
}
