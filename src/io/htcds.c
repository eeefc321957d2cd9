/*
 * htcds.c -- the HTCDS CSV format: one column per codebook field, named by its `htcds` column in
 * cb_fields.h (HTCDS 2.0 names such as prs_Gender, x_ extension columns where HTCDS has none).
 *
 * Values are casebank value names, which are the HTCDS value names; multi-valued fields are joined by ';',
 * countries are alpha-2 (alpha-3 accepted).  Everything is read and written with cb_case_set_text and
 * cb_case_format, so this file knows no field: a new row in cb_fields.h is a new column here.
 * Identifying details are written only with CB_JSON_PII; without it their columns are left out.
 */
#include <stdlib.h>
#include <string.h>

#include "io/io.h"

static int htcds_open(struct cb_reader_ctx *ctx, const struct cb_csv_row *header, struct cb_err *err)
{
	struct cb_buf unknown = {0};
	int rc = CB_OK;
	bool seen[CB_NFIELDS] = {false};
	char vb[64];

	ctx->format = CB_FMT_HTCDS;
	ctx->ncols = header->nfields;
	ctx->col_field = malloc(sizeof *ctx->col_field * (size_t)header->nfields);
	if (!ctx->col_field)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	for (int i = 0; i < header->nfields; i++) {
		const char *name = header->fields[i];
		const struct cb_field *f = cb_field_by_htcds(name);
		ctx->col_field[i] = CB_COL_IGNORE;
		if (!f || !name[0]) {
			cb_buf_printf(&unknown, "%s'%s'", unknown.len ? ", " : "", cb_err_value(name, vb));
			continue;
		}
		if (seen[f->id]) {
			rc = cb_err_field(err, CB_EINVAL, f->name, "line %ld: column %s appears twice", header->line,
					  f->htcds);
			goto out;
		}
		seen[f->id] = true;
		ctx->col_field[i] = f->id;
	}
	if (unknown.len) {
		rc = cb_err_set(err, CB_EINVAL,
				"line %ld: unknown HTCDS column%s %s (expected HTCDS 2.0 names such as prs_Gender, or "
				"casebank x_ columns)",
				header->line, strchr(unknown.data, ',') ? "s" : "", unknown.data);
	}
out:
	if (err && rc != CB_OK)
		err->line = header->line;
	cb_buf_free(&unknown);
	return rc;
}

static int htcds_row(struct cb_reader_ctx *ctx, const struct cb_csv_row *row, struct cb_case *c, struct cb_err *err)
{
	if (row->nfields != ctx->ncols)
		return cb_err_set(err, CB_EINVAL, "line %ld: %d fields, but the header has %d", row->line, row->nfields,
				  ctx->ncols);
	for (int i = 0; i < row->nfields; i++) {
		int rc;
		if (ctx->col_field[i] < 0)
			continue;
		if ((rc = cb_case_set_text(c, &cb_fields[ctx->col_field[i]], row->fields[i], err)) != CB_OK)
			return rc;
	}
	return CB_OK;
}

static void htcds_close(struct cb_reader_ctx *ctx)
{
	free(ctx->col_field);
	ctx->col_field = NULL;
}

static bool written(const struct cb_field *f, unsigned flags)
{
	return f->kind != CB_PII || (flags & CB_JSON_PII);
}

static void htcds_write_header(FILE *f, unsigned flags)
{
	bool first = true;
	for (int i = 0; i < CB_NFIELDS; i++) {
		if (!written(&cb_fields[i], flags))
			continue;
		if (!first)
			fputc(',', f);
		cb_csv_put(f, cb_fields[i].htcds, ',');
		first = false;
	}
	fputc('\n', f);
}

static void htcds_write_case(FILE *f, const struct cb_case *c, unsigned flags)
{
	char buf[2048];
	bool first = true;
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *fld = &cb_fields[i];
		if (!written(fld, flags))
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		if (fld->kind == CB_PII) { /* straight from the case: no copy of an identifying detail */
			cb_csv_put(f, *(char *const *)cb_case_cmember(c, fld), ',');
			continue;
		}
		cb_case_format(c, fld, buf, sizeof buf);
		cb_csv_put(f, buf, ',');
	}
	fputc('\n', f);
}

const struct cb_format cb_format_htcds = {
	.name = "htcds",
	.delim = ',',
	.open_header = htcds_open,
	.row_to_case = htcds_row,
	.close = htcds_close,
	.write_header = htcds_write_header,
	.write_case = htcds_write_case,
};
