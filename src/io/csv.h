/*
 * csv.h -- a streaming RFC 4180 reader and writer.
 *
 * Written by hand: Debian's libcsv is callback-driven and unmaintained, and the importer needs the line
 * number of every row, fields as NUL-terminated strings it can hand to the codebook without copying, and
 * either ',' or ';' as the delimiter.  The reader accepts CRLF or LF, quoted fields with embedded
 * delimiters, quotes ("") and newlines, a UTF-8 BOM, and reports unterminated quotes and over-long rows
 * (limits below) as errors with the line number.  Cells that a spreadsheet would run as formulas are
 * neutralised on writing and restored on reading (cb_csv_formula).
 */
#ifndef CB_CSV_H
#define CB_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "util/cb.h"

#define CB_CSV_MAX_FIELDS 512
#define CB_CSV_MAX_ROW (1u << 20) /* bytes */

struct cb_csv;

struct cb_csv_row {
	long line;     /* line number of the row's first line, 1-based */
	int nfields;   /* number of fields */
	char **fields; /* NUL-terminated; valid until the next cb_csv_next call */
	const char *raw; /* the row's text as read (without the final newline), for rejected-row files */
	size_t rawlen;
};

/* Reads from f (not closed by cb_csv_free).  delim 0 means: detect ',' or ';' from the first line.
 * delim CB_CSV_LINES means: no quoting, each line is one field (JSON lines). */
#define CB_CSV_LINES '\n'
int cb_csv_new(struct cb_csv **out, FILE *f, char delim);
void cb_csv_free(struct cb_csv **r);
/* 1: a row was read; 0: end of input; < 0: error, described in err (with the line). */
int cb_csv_next(struct cb_csv *r, struct cb_csv_row *row, struct cb_err *err);
char cb_csv_delim(const struct cb_csv *r);
/* Bytes of input consumed so far (for progress bars). */
long long cb_csv_offset(const struct cb_csv *r);

/* Spreadsheet formulas (OWASP "CSV injection"): a cell that starts with = + - @ TAB or CR and is not a plain
 * number (-3, +1.5, 2e3 stay as they are) would be run by a spreadsheet.  The writer puts a ' in front of such
 * a cell -- after any quotes it already starts with -- and quotes it; the reader takes exactly that ' off
 * again (a cell of one or more quotes followed by such a formula loses one), so files round-trip. */
bool cb_csv_formula(const char *s);

/* Writes one field, quoting it when it holds the delimiter, a quote, CR or LF, or leading/trailing space,
 * and neutralising a formula as above. */
void cb_csv_put(FILE *f, const char *s, char delim);
/* Writes a row of n fields and a newline. */
void cb_csv_put_row(FILE *f, const char *const *fields, int n, char delim);

#endif
