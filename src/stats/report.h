/*
 * report.h -- the standard report of the knowledge bank: the yearly caseload and one table per factor
 * (sex, nationality, age, ... country of exploitation), each by year group, rendered as HTML (with inline
 * SVG bar charts), as a directory of tidy CSV files, or as an XLSX workbook.
 *
 * Every number in a report comes from cb_stats_query, so it is protected exactly like the output of
 * `casebank stats`: perturbed with the cell key method and suppressed below the threshold.  A year group is
 * its own query (the filter plus `year >= A and year <= B`), never a sum of yearly cells: the report never
 * computes new numbers from published ones, except percentages of published values, which say so.
 *
 * The data model (struct cb_report) is built once by cb_report_build from one open bank and then walked by
 * the renderers in report_html.c and report_xlsx.c.
 */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stats/stats.h"

/* ---- English text of every output, in one table for translation (report.c). */
enum cb_rs {
	CB_RS_TITLE,
	CB_RS_SUBTITLE,
	CB_RS_DRAWN_ON,
	CB_RS_FILTER,
	CB_RS_NO_FILTER,
	CB_RS_THRESHOLD,
	CB_RS_CONTENTS,
	CB_RS_METHOD_TITLE,
	CB_RS_METHOD_PLAIN,
	CB_RS_SUPPRESSED_KEY,
	CB_RS_PERCENT_NOTE,
	CB_RS_MULTI_NOTE,
	CB_RS_CUT_NOTE,
	CB_RS_ZERO_ROWS_NOTE,
	CB_RS_CASELOAD_TITLE,
	CB_RS_CASELOAD_INTRO,
	CB_RS_YEAR,
	CB_RS_CASES,
	CB_RS_ALL_YEARS,
	CB_RS_PERCENT_HEAD,
	CB_RS_YEAR_GROUP,
	CB_RS_TOTAL_CASES,
	CB_RS_CHART_OF,
	CB_RS_CHART_YEARS,
	CB_RS_BY_YEAR_GROUP,
	CB_RS_UP_TO,
	CB_RS_SUPPRESSED_SHORT,
	CB_RS_SHEET_ABOUT,
	CB_RS_SHEET_CASELOAD,
	CB_RS_README_TITLE,
	CB_RS_FILES,
	CB_RS__COUNT
};
const char *cb_report_str(enum cb_rs id);
/* A string with "{1}" and "{2}" replaced by numbers, into buf.  Returns buf. */
const char *cb_report_fill(enum cb_rs id, long a, long b, char *buf, size_t n);

/* ---- the model */
#define CB_REPORT_MAX_BANDS 5
#define CB_REPORT_MAX_ROWS 20 /* rows shown of a long list (countries); the rest are counted in a note */

/* A year group: a query filter `year >= lo and year <= hi` (lo = CB_NA: no lower bound). */
struct cb_report_band {
	int lo, hi;
	char label[32]; /* "2006-2010", "up to 2005" */
};

/* One factor: the same query once per year group and once over all years (column nbands). */
struct cb_report_table {
	const char *dim_name; /* "gender": the file and sheet stem */
	const char *title;    /* "Sex" (the strings table) */
	const char *sheet;    /* worksheet name, <= 31 characters */
	bool multi;           /* a case can count under several values */
	bool sorted;          /* rows sorted by published all-years value (countries) */
	struct cb_table *cols[CB_REPORT_MAX_BANDS + 1];
	int nrows;     /* rows, in display order ("not recorded" last); the HTML shows the first
			  CB_REPORT_MAX_ROWS of a sorted table, CSV and XLSX all of them */
	int *vidx;     /* nrows x (nbands + 1): value index of the row in each column's table, -1 if absent */
	int zero_rows; /* values left out of a sorted table because every column published 0 */
	bool last_unrecorded; /* the last row is the "not recorded" value */
};

struct cb_report {
	char date[11];    /* YYYY-MM-DD the report was drawn */
	char *where;      /* normalised filter, "" for none */
	int threshold;
	char *note;       /* cb_table_note of the all-years caseload table */
	int nbands;
	struct cb_report_band bands[CB_REPORT_MAX_BANDS];
	struct cb_table *caseload; /* cases by year */
	int year_lo, year_hi;      /* years shown in the caseload table */
	int ntables;
	struct cb_report_table *tables;
};

struct cb_report_opts {
	const char *where; /* user filter, NULL or "" for none */
	const char *date;  /* YYYY-MM-DD to print; NULL: today */
};

/* Runs every query of the report against one bank. */
int cb_report_build(struct cb_stats *st, const struct cb_report_opts *o, struct cb_report **out,
		    struct cb_err *err);
void cb_report_free(struct cb_report **r);

/* A published cell of a factor table: row r (display order), column c (0..nbands; nbands = all years).
 * NULL when the value is absent from that column's table (no cases): renderers print 0. */
const struct cb_cell *cb_report_cell(const struct cb_report *r, const struct cb_report_table *t, int row, int col);
/* The all-values total of column c (cases in that year group). */
const struct cb_cell *cb_report_total(const struct cb_report *r, const struct cb_report_table *t, int col);
/* Value name and English label of a row. */
const char *cb_report_row_value(const struct cb_report *r, const struct cb_report_table *t, int row);
const char *cb_report_row_label(const struct cb_report *r, const struct cb_report_table *t, int row);
/* The published caseload of a year (NULL if the year is not in the table). */
const struct cb_cell *cb_report_year(const struct cb_report *r, int year);

/* Renderers.  HTML to an open stream (report_html.c); the CSV directory (created if missing) and the
 * workbook by path (report_xlsx.c). */
int cb_report_write_html(const struct cb_report *r, FILE *f, struct cb_err *err);
int cb_report_write_csv(const struct cb_report *r, const char *dir, struct cb_err *err);
int cb_report_write_xlsx(const struct cb_report *r, const char *path, struct cb_err *err);
/* Every table in one CSV stream, codes and labels side by side (report_csv.c). */
int cb_report_write_csv_file(const struct cb_report *r, FILE *f, struct cb_err *err);

#endif
