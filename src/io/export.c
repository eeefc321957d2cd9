/*
 * export.c -- every case of the store in one exchange format (cb_export).
 *
 * Coded fields only, unless the caller asks for identifying details: then the export is recorded as an
 * event first, so that it shows in the database's history even if writing fails half way.
 */
#include "io/io.h"
#include "store/audit.h"

struct export_ctx {
	const struct cb_format *fmt;
	FILE *out;
	unsigned flags;
};

static int write_one(const struct cb_case *c, void *p)
{
	struct export_ctx *x = p;
	x->fmt->write_case(x->out, c, x->flags);
	return ferror(x->out) ? CB_EIO : CB_OK;
}

int cb_export(struct cb_store *s, FILE *out, const char *format, bool with_identifiers, struct cb_err *err)
{
	char vb[64];
	struct export_ctx x = {cb_format_by_name(format ? format : "htcds"), out, with_identifiers ? CB_JSON_PII : 0};
	int rc;
	if (!x.fmt)
		return cb_err_set(err, CB_EINVAL, "unknown format '%s' (expected htcds, ctdc or jsonl)",
				  cb_err_value(format, vb));
	if (!x.fmt->write_case)
		return cb_err_set(err, CB_EINVAL, "the %s format can be imported but not exported (use ctdc)",
				  x.fmt->name);
	if (with_identifiers && (rc = cb_store_audit(s, CB_AUD_EXPORT_IDS, NULL, NULL, x.fmt->name, err)) != CB_OK)
		return rc;
	x.fmt->write_header(out, x.flags);
	rc = cb_store_scan(s, NULL, with_identifiers ? CB_WITH_PII : 0, write_one, &x, err);
	if (rc == CB_EIO || (rc == CB_OK && (fflush(out) != 0 || ferror(out))))
		return cb_err_set(err, CB_EIO, "cannot write the export");
	return rc;
}
