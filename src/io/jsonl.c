/*
 * jsonl.c -- JSON lines: one case JSON object (json.c) per line, every field casebank has.
 *
 * The importer reads the file with the CSV reader in whole-line mode, so a row is one line and its only
 * field is the JSON text.  There is no header row.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "io/io.h"

static int jsonl_open(struct cb_reader_ctx *ctx, const struct cb_csv_row *header, struct cb_err *err)
{
	(void)header;
	ctx->format = CB_FMT_JSONL;
	ctx->ncols = 1;
	ctx->col_field = malloc(sizeof *ctx->col_field);
	if (!ctx->col_field)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	ctx->col_field[0] = CB_COL_IGNORE; /* the whole object: redacted by cb_jsonl_redact, never copied */
	return CB_OK;
}

static int jsonl_row(struct cb_reader_ctx *ctx, const struct cb_csv_row *row, struct cb_case *c, struct cb_err *err)
{
	(void)ctx;
	const char *text = row->nfields > 0 ? row->fields[0] : "";
	return cb_case_from_json_text(c, text, strlen(text), CB_JSON_PII, err);
}

static void jsonl_close(struct cb_reader_ctx *ctx)
{
	free(ctx->col_field);
	ctx->col_field = NULL;
}

static void jsonl_write_header(FILE *f, unsigned flags)
{
	(void)f;
	(void)flags;
}

/* Writes a JSON text and wipes it: it may hold identifying details. */
static void put_json(FILE *f, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s) {
		size_t n = strlen(s);
		fwrite(s, 1, n, f);
		sodium_memzero(s, n);
		free(s);
	}
	fputc('\n', f);
}

static void jsonl_write_case(FILE *f, const struct cb_case *c, unsigned flags)
{
	json_t *o = cb_case_to_json(c, flags & CB_JSON_PII);
	put_json(f, o);
	json_decref(o);
}

int cb_jsonl_redact(const char *line, size_t len, struct cb_buf *out)
{
	json_t *o = json_loadb(line, len, 0, NULL);
	int rc = CB_OK;
	cb_buf_reset(out);
	if (!json_is_object(o))
		goto out;
	for (int i = 0; i < CB_NFIELDS; i++)
		if (cb_fields[i].kind == CB_PII)
			json_object_del(o, cb_fields[i].name);
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s) {
		rc = CB_ENOMEM;
		goto out;
	}
	rc = cb_buf_append(out, s, strlen(s));
	free(s);
out:
	json_decref(o);
	return rc;
}

const struct cb_format cb_format_jsonl = {
	.name = "jsonl",
	.delim = 0,
	.open_header = jsonl_open,
	.row_to_case = jsonl_row,
	.close = jsonl_close,
	.write_header = jsonl_write_header,
	.write_case = jsonl_write_case,
};
