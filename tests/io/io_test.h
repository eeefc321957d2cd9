/*
 * io_test.h -- helpers shared by the tests of src/io: reading CSV text through a format, writing cases
 * through a format, comparing cases field by field.  Header-only, like tests/cb_test.h.
 */
#ifndef CB_IO_TEST_H
#define CB_IO_TEST_H

#include "cb_test.h"

#include "io/io.h"

/* Reads text through fmt: the header (none for JSON lines), then up to max rows into cases (initialised
 * here).  Returns the number of rows read; *rc gets the first error (CB_OK if none), err its message and
 * *format (if not NULL) the layout open_header found. */
static inline int iot_read(const struct cb_format *fmt, const char *text, struct cb_case *cases, int max, int *rc,
			   struct cb_err *err, enum cb_format_id *format)
{
	FILE *f = fmemopen((void *)text, strlen(text), "rb");
	assert_non_null(f);
	struct cb_csv *r;
	struct cb_csv_row row;
	struct cb_reader_ctx ctx = {0};
	int n = 0;
	assert_int_equal(cb_csv_new(&r, f, fmt->delim ? 0 : CB_CSV_LINES), CB_OK);
	cb_err_clear(err);
	if (fmt->delim) {
		assert_int_equal(cb_csv_next(r, &row, err), 1);
		*rc = fmt->open_header(&ctx, &row, err);
	} else {
		*rc = fmt->open_header(&ctx, NULL, err);
	}
	if (format)
		*format = ctx.format;
	while (*rc == CB_OK && n < max && cb_csv_next(r, &row, err) == 1) {
		cb_case_init(&cases[n]);
		*rc = fmt->row_to_case(&ctx, &row, &cases[n], err);
		n++;
	}
	fmt->close(&ctx);
	cb_csv_free(&r);
	fclose(f);
	return n;
}

static inline int iot_read_file(const struct cb_format *fmt, const char *path, struct cb_case *cases, int max,
				int *rc, struct cb_err *err, enum cb_format_id *format)
{
	char *text = cbt_read(path, NULL);
	assert_non_null(text);
	int n = iot_read(fmt, text, cases, max, rc, err, format);
	free(text);
	return n;
}

/* The header and n cases written through fmt, as a malloc'd string. */
static inline char *iot_write(const struct cb_format *fmt, const struct cb_case *cases, int n, unsigned flags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&text, &len);
	assert_non_null(w);
	fmt->write_header(w, flags);
	for (int i = 0; i < n; i++)
		fmt->write_case(w, &cases[i], flags);
	fclose(w);
	char *copy = strdup(text); /* a plain heap string: gcc mistakes open_memstream's for a local */
	free(text);
	return copy;
}

static inline void iot_assert_same_case(const struct cb_case *a, const struct cb_case *b)
{
	char x[2048], y[2048];
	for (int i = 0; i < CB_NFIELDS; i++) {
		cb_case_format(a, &cb_fields[i], x, sizeof x);
		cb_case_format(b, &cb_fields[i], y, sizeof y);
		if (strcmp(x, y) != 0)
			fail_msg("field %s: '%s' != '%s'", cb_fields[i].name, x, y);
	}
}

/* A new, empty database (cbt_db: in the scratch directory, or on the PostgreSQL pass a server's). */
static inline struct cb_store *iot_store(const char *name)
{
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	unsetenv("CASEBANK_KEY_FILE"); /* SQLite: DB.key; cbt_db names the binary's own on PostgreSQL */
	const char *db = cbt_db("%s", name);
	if (cb_store_create(db, &err) != CB_OK || cb_store_open(db, 0, &s, &err) != CB_OK)
		fail_msg("%s: %s", name, err.msg);
	return s;
}

/* Everything cb_export writes, as a malloc'd string. */
static inline char *iot_export(struct cb_store *s, const char *format, bool pii)
{
	char *text = NULL;
	size_t len = 0;
	struct cb_err err = {0};
	FILE *w = open_memstream(&text, &len);
	assert_non_null(w);
	if (cb_export(s, w, format, pii, &err) != CB_OK)
		fail_msg("export %s: %s", format, err.msg);
	fclose(w);
	char *copy = strdup(text);
	free(text);
	return copy;
}

#endif
