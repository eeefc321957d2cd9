/*
 * check.c -- reading many cases (cb_store_scan), the integrity check of both files (cb_store_check) and the
 * record key of one case for a resident statistics index.  Split from records.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/schema.h"
#include "store/store_impl.h"
#include "store/tokens.h"

/* ---- scan and check */

int cb_store_scan(struct cb_store *s, const struct cb_store_filter *f, unsigned flags, cb_case_fn fn, void *ctx,
		  struct cb_err *err)
{
	struct cb_buf sql = {0};
	struct cb_stmt *st = NULL;
	struct cb_case c;
	int rc = CB_ENOMEM, n = 0;
	const struct cb_field *status = &cb_fields[CB_FLD_status], *site = &cb_fields[CB_FLD_site];

	cb_case_init(&c);
	if (f && f->status != CB_NA && (f->status < 0 || f->status >= status->vset->count))
		return cb_err_field(err, CB_EINVAL, status->name, "filter: status index %d out of range", (int)f->status);
	if (cb_buf_printf(&sql, "SELECT %s FROM cases", s->select_cols) != CB_OK)
		goto out;
	if (f && f->site && cb_buf_printf(&sql, "%s \"%s\" = ?1", n++ ? " AND" : " WHERE", site->name) != CB_OK)
		goto out;
	if (f && f->status != CB_NA &&
	    cb_buf_printf(&sql, "%s \"%s\" = ?2", n++ ? " AND" : " WHERE", status->name) != CB_OK)
		goto out;
	if (cb_buf_printf(&sql, " ORDER BY seq") != CB_OK)
		goto out;
	if (cb_db_prepare(s->db, sql.data, &st, NULL) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "scan");
		goto out;
	}
	if (f && f->site)
		cb_db_bind_text(st, 1, f->site, -1, false);
	if (f && f->status != CB_NA)
		cb_db_bind_text(st, 2, status->vset->values[f->status].name, -1, false);
	rc = CB_OK;
	int r;
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW) {
		if ((rc = cb_store_parse_row(s, st, &c, NULL, NULL, err)) != CB_OK)
			break;
		if ((flags & CB_WITH_PII) && cb_db_column_type(st, C_PII) != CB_DB_NULL) {
			rc = cb_store_open_pii(s, cb_db_column_int64(st, C_SEQ), c.case_id, cb_db_column_blob(st, C_PII),
				      (size_t)cb_db_column_bytes(st, C_PII), &c, err);
			if (rc == CB_ENOTFOUND)
				rc = CB_OK;
			if (rc != CB_OK)
				break;
		}
		rc = fn(&c, ctx);
		cb_case_clear(&c);
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "scan");
out:
	if (rc == CB_ENOMEM)
		cb_err_set(err, CB_ENOMEM, "out of memory");
	cb_case_clear(&c);
	cb_db_finalize(&st);
	cb_buf_free(&sql);
	return rc;
}

/* PRAGMA integrity_check of one file: one line per message other than "ok". */
static int integrity(struct cb_db *db, const char *name, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int r;
	if (!cb_db_sqlite(db)) /* PostgreSQL checks its own pages (data checksums, if the cluster has them) */
		return CB_OK;
	if (cb_db_prepare(db, "PRAGMA integrity_check", &st, NULL) != CB_OK)
		return cb_store_db_err(db, err, "integrity check");
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		const char *msg = (const char *)cb_db_column_text(st, 0);
		if (msg && strcmp(msg, "ok") != 0) {
			fprintf(out, "%s: integrity: %s\n", name, msg);
			++*problems;
		}
	}
	cb_db_finalize(&st);
	if (r != CB_DB_DONE) {
		fprintf(out, "%s: integrity check failed: %s\n", name, cb_db_errmsg(db));
		++*problems;
	}
	return CB_OK;
}

/* Every case: its fields parse and validate, its sealed details have a key and open. */
static int check_cases(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_buf sql = {0};
	struct cb_stmt *st = NULL;
	struct cb_case c;
	char idt[CB_ID_TEXT];
	int rc = CB_OK, r;
	cb_case_init(&c);
	if (cb_buf_printf(&sql, "SELECT %s FROM cases ORDER BY seq", s->select_cols) != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	if (cb_db_prepare(s->db, sql.data, &st, NULL) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "check");
		goto out;
	}
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct cb_err e = {0};
		long before = *problems;
		if (cb_store_parse_row(s, st, &c, out, problems, &e) != CB_OK && *problems > before)
			continue; /* no case id: nothing more to say about this row */
		cb_case_id_format(c.case_id, idt);
		if (*problems == before && cb_case_validate(&c, &e) != CB_OK) {
			fprintf(out, "case %s: %s\n", idt, e.msg);
			++*problems;
		}
		if (cb_db_column_type(st, C_PII) != CB_DB_NULL) {
			int prc = cb_store_open_pii(s, cb_db_column_int64(st, C_SEQ), c.case_id, cb_db_column_blob(st, C_PII),
					   (size_t)cb_db_column_bytes(st, C_PII), &c, &e);
			if (prc == CB_ENOTFOUND) {
				fprintf(out, "case %s: pii: sealed identifying details without a case key\n", idt);
				++*problems;
			} else if (prc != CB_OK) {
				fprintf(out, "%s\n", e.msg); /* names the case and field, never a value */
				++*problems;
			}
		}
		cb_case_clear(&c);
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "check");
out:
	cb_case_clear(&c);
	cb_db_finalize(&st);
	cb_buf_free(&sql);
	return rc;
}

/* Every case key belongs to a case that has sealed details (or sealed notes), in that case's slot. */
static int check_keys(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char idt[CB_ID_TEXT];
	int rc = CB_OK, r;
	if (cb_db_prepare(s->kdb, "SELECT case_id, seq FROM casekeys", &st, NULL) != CB_OK)
		return cb_store_db_err(s->kdb, err, "check");
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		int64_t version, seq = -1;
		bool has_pii = false;
		if (cb_db_column_bytes(st, 0) != 16) {
			fprintf(out, "case keys: a key with a malformed case id\n");
			++*problems;
			continue;
		}
		const uint8_t *id = cb_db_column_blob(st, 0);
		cb_case_id_format(id, idt);
		int vrc = cb_store_stored_version(s, id, &version, &has_pii, &seq, NULL);
		if (vrc == CB_OK && seq != cb_db_column_int64(st, 1))
			vrc = CB_ENOTFOUND; /* a stale key in another case's slot */
		if (cb_store_pending_has(s, cb_db_column_int64(st, 1), id)) {
			fprintf(out, "case %s: pii: its erasure was interrupted and its key is still in the key store "
				     "(destroyed by the next read-write open, e.g. the next erase run)\n", idt);
			++*problems;
		} else if (vrc == CB_ENOTFOUND || (vrc == CB_OK && !has_pii && !cb_store_sealed_any(s, id))) {
			fprintf(out, "case %s: pii: unused case key (%s)\n", idt,
				vrc == CB_ENOTFOUND ? "no such case" : "the case has no identifying details");
			++*problems;
		} else if (vrc != CB_OK) {
			rc = cb_store_db_err(s->db, err, "check");
			break;
		}
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->kdb, err, "check");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_check(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	int rc;
	*problems = 0;
	if ((rc = integrity(s->db, s->path, out, problems, err)) != CB_OK ||
	    (rc = integrity(s->kdb, "case-key store", out, problems, err)) != CB_OK ||
	    (rc = check_cases(s, out, problems, err)) != CB_OK || (rc = check_keys(s, out, problems, err)) != CB_OK ||
	    (rc = cb_fp_check(s, out, problems, err)) != CB_OK)
		return rc;
	return CB_OK;
}

int cb_store_record_key(struct cb_store *s, const uint8_t id[16], uint8_t *key)
{
	struct cb_stmt *st = NULL;
	int rc = CB_EDB;
	if (cb_db_prepare(s->db, "SELECT record_key FROM cases WHERE case_id = ?", &st, NULL) != CB_OK)
		goto out;
	cb_db_bind_blob(st, 1, id, 16, false);
	int step = cb_db_step(st);
	if (step == CB_DB_ROW) {
		*key = (uint8_t)(int)cb_db_column_int64(st, 0);
		rc = CB_OK;
	} else {
		rc = step == CB_DB_DONE ? CB_ENOTFOUND : CB_EDB;
	}
out:
	cb_db_finalize(&st);
	return rc;
}

