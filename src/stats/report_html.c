/*
 * report_html.c -- the standard report as one self-contained HTML file: tables with scoped headers and
 * captions, a bar chart per table as inline SVG (no scripts, no external files, no fetched fonts), method
 * notes, and print CSS for A4.
 *
 * Every value that reaches the page goes through put_text (HTML-escaped).  The English text comes from
 * cb_report_str (report.c); this file holds only markup.  Numbers are published cells, printed as they are
 * ("x" when suppressed); the only derived figures are percentages of published values and bar lengths.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/report.h"
#include "util/i18n.h"

static const char css[] =
	"*{box-sizing:border-box}"
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;"
	"color:#111;background:#fff;line-height:1.45;max-width:62rem;margin:0 auto;padding:1rem 1.25rem}"
	"h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin:1.6rem 0 .5rem;break-after:avoid}"
	"a{color:#0b4f8a}"
	".meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.6rem 0}"
	".meta dt{font-weight:bold}.meta dd{margin:0}"
	"table{border-collapse:collapse;width:100%;margin:.4rem 0;font-variant-numeric:tabular-nums;"
	"break-inside:avoid;table-layout:fixed}table.narrow{width:auto;min-width:18rem;table-layout:auto}"
	"thead th:first-child{width:26%}table.narrow th{width:auto}th,td{overflow-wrap:break-word}"
	"caption{text-align:start;font-weight:bold;padding:.2rem 0}"
	"th,td{border:1px solid #8a8f96;padding:.2rem .45rem}"
	"thead th{background:#e3e8ee;vertical-align:bottom}"
	"td{text-align:end}tbody th{text-align:start;font-weight:normal}"
	"tbody tr:nth-child(even){background:#f4f6f8}"
	"tfoot th,tfoot td{font-weight:bold;border-top:2px solid #333}"
	"td.x{color:#333;font-style:italic}"
	"figure{margin:.6rem 0;break-inside:avoid}figcaption{font-size:.85rem;color:#333}"
	"svg{display:block;width:100%;height:auto;max-width:46rem}"
	".note{font-size:.85rem;color:#222;border-inline-start:3px solid #8a8f96;padding:.1rem .7rem;margin:.5rem 0;"
	"break-inside:avoid}"
	".note p{margin:.3rem 0}"
	"section.tbl{break-inside:avoid;page-break-inside:avoid}"
	"@page{size:A4;margin:16mm 14mm 18mm}"
	"@media print{body{max-width:none;padding:0;font-size:9.5pt;line-height:1.3}th,td{padding:.05rem .4rem}a{color:#111;text-decoration:none}"
	"#method{break-after:page}section.tbl{break-inside:avoid}svg{max-width:100%}"
	"tr,th,td{break-inside:avoid}.note{font-size:8pt}figure svg{max-width:88%}}";

/* ---- escaping and small pieces */

static void put_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A string of the table in report.c, escaped. */
static void put_str(FILE *f, enum cb_rs id)
{
	put_text(f, cb_report_str(id));
}

/* 1234567 as "1,234,567". */
static void put_count(FILE *f, int64_t v)
{
	char digits[32], out[48];
	int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v)), o = 0;
	if (v < 0)
		out[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = 0;
	fputs(out, f);
}

/* A published cell as a table data cell: the number, "x" when suppressed, 0 when absent (no cases). */
static void put_cell(FILE *f, const struct cb_cell *c)
{
	if (c && c->suppressed) {
		fputs("<td class=\"x\">", f);
		put_str(f, CB_RS_SUPPRESSED_SHORT);
	} else {
		fputs("<td>", f);
		put_count(f, c ? c->value : 0);
	}
	fputs("</td>", f);
}

static void put_percent(FILE *f, const struct cb_cell *c)
{
	if (c && c->suppressed) {
		fputs("<td class=\"x\">", f);
		put_str(f, CB_RS_SUPPRESSED_SHORT);
	} else if (!c || isnan(c->percent)) {
		fputs("<td>&ndash;", f);
	} else {
		fprintf(f, "<td>%.1f", c->percent);
	}
	fputs("</td>", f);
}

/* ---- the bar chart */

struct bar {
	const char *label;
	const struct cb_cell *cell;
};

/* At most max bytes of s, cut on a UTF-8 boundary, with an ellipsis when cut. */
static void put_short(FILE *f, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max) {
		put_text(f, s);
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	char buf[128];
	snprintf(buf, sizeof buf, "%.*s", (int)(max < sizeof buf ? max : sizeof buf - 1), s);
	put_text(f, buf);
	fputs("&#8230;", f);
}

/* Horizontal bars of published counts; suppressed values get no bar, only an "x". */
static void put_chart(FILE *f, const char *id, const char *title, const struct bar *bars, int n)
{
	const int row = 17, top = 5, label_w = 230, bar_x = 238, bar_w = 390, width = 700;
	int64_t max = 0;
	for (int i = 0; i < n; i++)
		if (bars[i].cell && !bars[i].cell->suppressed && bars[i].cell->value > max)
			max = bars[i].cell->value;
	int height = top * 2 + row * (n ? n : 1);
	fprintf(f, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" direction=\"ltr\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"%s-svgt\" font-family=\"sans-serif\" font-size=\"11\">",
		width, height, id);
	fprintf(f, "<title id=\"%s-svgt\">", id);
	put_str(f, CB_RS_CHART_OF);
	fputc(' ', f);
	put_text(f, title);
	fputs("</title>", f);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"1\"/>", bar_x,
		top - 2, bar_x, height - top + 2);
	for (int i = 0; i < n; i++) {
		int y = top + i * row;
		const struct cb_cell *c = bars[i].cell;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#111\">", label_w, y + 12);
		put_short(f, bars[i].label, 36);
		fputs("</text>", f);
		if (c && c->suppressed) {
			fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#333\" font-style=\"italic\">", bar_x + 5, y + 12);
			put_str(f, CB_RS_SUPPRESSED_SHORT);
			fputs("</text>", f);
			continue;
		}
		int64_t v = c ? c->value : 0;
		double w = max > 0 ? (double)bar_w * (double)v / (double)max : 0;
		if (v > 0 && w < 1)
			w = 1;
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#1f5a96\"/>", bar_x + 1,
			y + 3, w, row - 6);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" fill=\"#111\">", bar_x + 1 + w + 4, y + 12);
		put_count(f, v);
		fputs("</text>", f);
	}
	fputs("</svg></figure>", f);
}

/* Vertical bars, one a year, for the caseload: compact enough to share a page with its table. */
static void put_columns(FILE *f, const char *id, const struct bar *bars, int n)
{
	const int width = 700, height = 260, base = 225, top = 50, left = 10;
	double step = n ? (double)(width - 2 * left) / n : 1;
	int64_t max = 0;
	for (int i = 0; i < n; i++)
		if (bars[i].cell && !bars[i].cell->suppressed && bars[i].cell->value > max)
			max = bars[i].cell->value;
	fprintf(f, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" direction=\"ltr\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-labelledby=\"%s-svgt\" font-family=\"sans-serif\" font-size=\"11\">",
		width, height, id);
	fprintf(f, "<title id=\"%s-svgt\">", id);
	put_str(f, CB_RS_CHART_YEARS);
	fputs("</title>", f);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"1\"/>", left,
		base, width - left, base);
	for (int i = 0; i < n; i++) {
		const struct cb_cell *c = bars[i].cell;
		double x = left + i * step, cx = x + step / 2;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#111\">", cx, base + 15);
		put_text(f, n > 16 && i % 2 ? "" : bars[i].label);
		fputs("</text>", f);
		if (c && c->suppressed) {
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\" "
				   "font-style=\"italic\">", cx, base - 4);
			put_str(f, CB_RS_SUPPRESSED_SHORT);
			fputs("</text>", f);
			continue;
		}
		int64_t v = c ? c->value : 0;
		double h = max > 0 ? (double)(base - top) * (double)v / (double)max : 0;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f5a96\"/>",
			x + step * 0.15, base - h, step * 0.7, h);
		fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" fill=\"#111\" "
			   "dominant-baseline=\"middle\">", cx, base - h - 4);
		put_count(f, v);
		fputs("</text>", f);
	}
	fputs("</svg></figure>", f);
}

/* ---- notes */

/* The filter the report was drawn with, or the words for none. */
static void put_where(FILE *f, const struct cb_report *r)
{
	if (r->where[0]) {
		fputs("<code>", f);
		put_text(f, r->where);
		fputs("</code>", f);
	} else {
		put_str(f, CB_RS_NO_FILTER);
	}
}

static void put_filter_line(FILE *f, const struct cb_report *r)
{
	fputs("<p>", f);
	put_str(f, CB_RS_DRAWN_ON);
	fputs(": ", f);
	put_text(f, r->date);
	fputs(". ", f);
	put_str(f, CB_RS_FILTER);
	fputs(": ", f);
	put_where(f, r);
	fputs(".</p>", f);
}

static void put_note(FILE *f, const struct cb_report *r, const struct cb_table *t, bool percent)
{
	char buf[1024];
	fputs("<div class=\"note\"><p>", f);
	put_str(f, CB_RS_SUPPRESSED_KEY);
	if (percent) {
		fputc(' ', f);
		put_str(f, CB_RS_PERCENT_NOTE);
	}
	fputs("</p><p>", f);
	put_text(f, cb_table_note(t, buf, sizeof buf));
	fputs("</p><p>", f);
	put_str(f, CB_RS_METHOD_PLAIN);
	fputs("</p>", f);
	put_filter_line(f, r);
	fputs("</div>", f);
}

/* ---- sections */

static void put_head(FILE *f, const struct cb_report *r)
{
	/* the language the report was written in (the thread's, util/i18n.h), and its direction */
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		cb_lang_current(), cb_lang_rtl(NULL) ? "rtl" : "ltr");
	put_str(f, CB_RS_TITLE);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", css);
	put_str(f, CB_RS_TITLE);
	fputs("</h1>\n<p>", f);
	put_str(f, CB_RS_SUBTITLE);
	fputs("</p>\n<dl class=\"meta\"><dt>", f);
	put_str(f, CB_RS_DRAWN_ON);
	fputs("</dt><dd>", f);
	put_text(f, r->date);
	fputs("</dd><dt>", f);
	put_str(f, CB_RS_FILTER);
	fputs("</dt><dd>", f);
	put_where(f, r);
	fputs("</dd><dt>", f);
	put_str(f, CB_RS_THRESHOLD);
	fprintf(f, "</dt><dd>%d</dd></dl>\n</header>\n", r->threshold);
}

static void put_contents(FILE *f, const struct cb_report *r)
{
	fputs("<nav aria-labelledby=\"contents\">\n<h2 id=\"contents\">", f);
	put_str(f, CB_RS_CONTENTS);
	fputs("</h2>\n<ol>\n<li><a href=\"#method\">", f);
	put_str(f, CB_RS_METHOD_TITLE);
	fputs("</a></li>\n<li><a href=\"#caseload\">", f);
	put_str(f, CB_RS_CASELOAD_TITLE);
	fputs("</a></li>\n", f);
	for (int i = 0; i < r->ntables; i++) {
		fputs("<li><a href=\"#t-", f);
		put_text(f, r->tables[i].dim_name);
		fputs("\">", f);
		put_text(f, r->tables[i].title);
		fputs("</a></li>\n", f);
	}
	fputs("</ol>\n</nav>\n<section id=\"method\">\n<h2>", f);
	put_str(f, CB_RS_METHOD_TITLE);
	fputs("</h2>\n<p>", f);
	put_str(f, CB_RS_METHOD_PLAIN);
	fputs("</p>\n<p>", f);
	put_text(f, r->note);
	fputs("</p>\n<p>", f);
	put_str(f, CB_RS_SUPPRESSED_KEY);
	fputs("</p>\n</section>\n", f);
}

static int put_caseload(FILE *f, const struct cb_report *r)
{
	int n = r->year_lo == CB_NA ? 0 : r->year_hi - r->year_lo + 1;
	char (*labels)[8] = calloc((size_t)n + 1, sizeof *labels);
	struct bar *bars = calloc((size_t)n + 1, sizeof *bars);
	if (!labels || !bars) {
		free(labels);
		free(bars);
		return CB_ENOMEM;
	}
	fputs("<section id=\"caseload\" class=\"tbl\">\n<h2>", f);
	put_str(f, CB_RS_CASELOAD_TITLE);
	fputs("</h2>\n<p>", f);
	put_str(f, CB_RS_CASELOAD_INTRO);
	fputs("</p>\n", f);
	for (int i = 0; i < n; i++) {
		snprintf(labels[i], sizeof labels[i], "%d", r->year_lo + i);
		bars[i] = (struct bar){labels[i], cb_report_year(r, r->year_lo + i)};
	}
	put_columns(f, "caseload", bars, n);
	fputs("<table class=\"narrow\">\n<caption>", f);
	put_str(f, CB_RS_CASELOAD_TITLE);
	fputs("</caption>\n<thead><tr><th scope=\"col\">", f);
	put_str(f, CB_RS_YEAR);
	fputs("</th><th scope=\"col\">", f);
	put_str(f, CB_RS_CASES);
	fputs("</th></tr></thead>\n<tbody>\n", f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<tr><th scope=\"row\">%s</th>", labels[i]);
		put_cell(f, bars[i].cell);
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n<tfoot><tr><th scope=\"row\">", f);
	put_str(f, CB_RS_ALL_YEARS);
	fputs("</th>", f);
	put_cell(f, cb_table_at(r->caseload, (int[]){CB_CELL_TOTAL}));
	fputs("</tr></tfoot>\n</table>\n", f);
	put_note(f, r, r->caseload, false);
	fputs("\n</section>\n", f);
	free(labels);
	free(bars);
	return CB_OK;
}

static int put_factor(FILE *f, const struct cb_report *r, const struct cb_report_table *t)
{
	int shown = t->sorted && t->nrows > CB_REPORT_MAX_ROWS ? CB_REPORT_MAX_ROWS : t->nrows;
	/* a cut list keeps its "not recorded" row (the last) */
	bool keep_last = shown < t->nrows && t->last_unrecorded;
	int nbars = shown + (keep_last ? 1 : 0);
	struct bar *bars = calloc((size_t)nbars + 1, sizeof *bars);
	if (!bars)
		return CB_ENOMEM;
	fputs("<section id=\"t-", f);
	put_text(f, t->dim_name);
	fputs("\" class=\"tbl\">\n<h2>", f);
	put_text(f, t->title);
	fputs("</h2>\n<table>\n<caption>", f);
	put_text(f, t->title);
	fputc(' ', f);
	put_str(f, CB_RS_BY_YEAR_GROUP);
	fputs("</caption>\n<thead><tr><th scope=\"col\">", f);
	put_text(f, t->title);
	fputs("</th>", f);
	for (int c = 0; c < r->nbands; c++) {
		fputs("<th scope=\"col\">", f);
		put_text(f, r->bands[c].label);
		fputs("</th>", f);
	}
	fputs("<th scope=\"col\">", f);
	put_str(f, CB_RS_ALL_YEARS);
	fputs("</th><th scope=\"col\">", f);
	put_str(f, CB_RS_PERCENT_HEAD);
	fputs("</th></tr></thead>\n<tbody>\n", f);
	for (int i = 0, k = 0; i < t->nrows; i++) {
		if (i >= shown && !(keep_last && i == t->nrows - 1))
			continue;
		const char *label = cb_report_row_label(r, t, i);
		bars[k++] = (struct bar){label, cb_report_cell(r, t, i, r->nbands)};
		fputs("<tr><th scope=\"row\">", f);
		put_text(f, label);
		fputs("</th>", f);
		for (int c = 0; c <= r->nbands; c++)
			put_cell(f, cb_report_cell(r, t, i, c));
		put_percent(f, cb_report_cell(r, t, i, r->nbands));
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n<tfoot><tr><th scope=\"row\">", f);
	put_str(f, CB_RS_TOTAL_CASES);
	fputs("</th>", f);
	for (int c = 0; c <= r->nbands; c++)
		put_cell(f, cb_report_total(r, t, c));
	put_percent(f, cb_report_total(r, t, r->nbands));
	fputs("</tr></tfoot>\n</table>\n", f);
	if (t->multi || shown < t->nrows || t->zero_rows) {
		fputs("<div class=\"note\">", f);
		if (t->multi) {
			fputs("<p>", f);
			put_str(f, CB_RS_MULTI_NOTE);
			fputs("</p>", f);
		}
		if (shown < t->nrows) {
			char buf[1024];
			cb_report_fill(CB_RS_CUT_NOTE, shown, t->nrows - shown - (keep_last ? 1 : 0), buf, sizeof buf);
			fputs("<p>", f);
			put_text(f, buf);
			fputs("</p>", f);
		}
		if (t->zero_rows) {
			fputs("<p>", f);
			put_str(f, CB_RS_ZERO_ROWS_NOTE);
			fputs("</p>", f);
		}
		fputs("</div>", f);
	}
	put_chart(f, t->dim_name, t->title, bars, nbars);
	put_note(f, r, t->cols[r->nbands], true);
	fputs("\n</section>\n", f);
	free(bars);
	return CB_OK;
}

int cb_report_write_html(const struct cb_report *r, FILE *f, struct cb_err *err)
{
	int rc;
	put_head(f, r);
	fputs("<main>\n", f);
	put_contents(f, r);
	if ((rc = put_caseload(f, r)) != CB_OK)
		return cb_err_set(err, rc, "out of memory");
	for (int i = 0; i < r->ntables; i++)
		if ((rc = put_factor(f, r, &r->tables[i])) != CB_OK)
			return cb_err_set(err, rc, "out of memory");
	fputs("</main>\n</body>\n</html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return cb_err_set(err, CB_EIO, "cannot write the HTML report");
	return CB_OK;
}
