/*
 * attach.c -- the files of a case (see attach.h).  A file is sealed as base64 text in a registered sealed
 * column (sealed.c seals text; a third more bytes is the price of erasure covering files with no new code).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/attach.h"
#include "store/store_impl.h"

void cb_attachment_clear(struct cb_attachment *a)
{
	cb_text_free(&a->name);
	if (a->data) {
		sodium_memzero(a->data, (size_t)a->size);
		free(a->data);
	}
	memset(a, 0, sizeof *a);
}

int cb_attach_allowed(struct cb_store *s, const char *ctype, size_t size, struct cb_err *err)
{
	char *max = NULL, *types = NULL;
	long limit = CB_ATTACH_MAX_DEFAULT;
	int rc = CB_OK;
	if (cb_store_meta_get(s, "attachments.max_bytes", &max) == CB_OK)
		limit = strtol(max, NULL, 10);
	cb_store_meta_get(s, "attachments.types", &types);
	const char *list = types ? types : CB_ATTACH_TYPES_DEFAULT;
	size_t tl = ctype ? strcspn(ctype, "; ") : 0;
	bool ok = false;
	for (const char *p = list; tl && *p;) {
		size_t n = strcspn(p, ",");
		if (n == tl && !strncasecmp(p, ctype, tl))
			ok = true;
		p += n + (p[n] == ',');
	}
	if (!ok)
		rc = cb_err_field(err, CB_EINVAL, "type", "attachment: type %.60s is not allowed (allowed: %.300s)",
				  ctype && tl ? ctype : "(none)", list);
	else if ((long)size > limit || size == 0)
		rc = cb_err_field(err, CB_EINVAL, "size", "attachment: %zu bytes; expected 1 to %ld", size, limit);
	free(max);
	free(types);
	return rc;
}

int cb_attach_add(struct cb_store *s, const uint8_t case_id[16], const char *name, const char *ctype,
		  const uint8_t *data, size_t size, const char *by, int64_t now, int64_t *id, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char *b64 = NULL;
	int rc = cb_attach_allowed(s, ctype, size, err);
	if (rc != CB_OK)
		return rc;
	size_t cap = sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL);
	if (!(b64 = malloc(cap)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	sodium_bin2base64(b64, cap, data, size, sodium_base64_VARIANT_ORIGINAL);
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		goto out;
	if ((rc = cb_store_prep(s->db, "attachments", 0,
				"INSERT INTO attachments(case_id, ctype, size, created_at, by_user)"
				" SELECT case_id, ?2, ?3, ?4, ?5 FROM cases WHERE case_id = ?1",
				&st, err)) == CB_OK) {
		cb_db_bind_blob(st, 1, case_id, 16, false);
		cb_db_bind_text(st, 2, ctype, (int)strcspn(ctype, "; "), false);
		cb_db_bind_int64(st, 3, (int64_t)size);
		cb_db_bind_int64(st, 4, now);
		cb_db_bind_text(st, 5, by ? by : "", -1, false);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "attachments");
		else if (cb_db_changes(s->db) != 1)
			rc = cb_err_set(err, CB_ENOTFOUND, "no such case");
	}
	cb_db_finalize(&st);
	if (rc == CB_OK) {
		*id = cb_db_last_insert_id(s->db);
		if ((rc = cb_store_seal_column(s, case_id, "attachments", "data", *id, b64, err)) == CB_OK && name && name[0])
			rc = cb_store_seal_column(s, case_id, "attachments", "name", *id, name, err);
	}
	rc = cb_store_tx_end(s, rc, err);
out:
	cb_text_free(&b64);
	return rc;
}

#define COLS "id, case_id, ctype, size, created_at, by_user, name, data"

static void read_row(struct cb_stmt *st, struct cb_attachment *a)
{
	memset(a, 0, sizeof *a);
	a->id = cb_db_column_int64(st, 0);
	if (cb_db_column_bytes(st, 1) == 16)
		memcpy(a->case_id, cb_db_column_blob(st, 1), 16);
	snprintf(a->ctype, sizeof a->ctype, "%s", (const char *)cb_db_column_text(st, 2));
	a->size = cb_db_column_int64(st, 3);
	a->created_at = cb_db_column_int64(st, 4);
	snprintf(a->by, sizeof a->by, "%s", (const char *)cb_db_column_text(st, 5));
}

int cb_attach_list(struct cb_store *s, const uint8_t case_id[16], bool with_names,
		   int (*fn)(const struct cb_attachment *a, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "attachments", 0,
			       "SELECT " COLS " FROM attachments WHERE case_id = ? AND data IS NOT NULL ORDER BY id", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	int r;
	struct cb_attachment a;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		read_row(st, &a);
		if (with_names && (rc = cb_store_unseal_column(s, case_id, "attachments", a.id, st, 6, &a.name, err)) != CB_OK)
			break;
		rc = fn(&a, ctx);
		cb_attachment_clear(&a);
		if (rc)
			break;
	}
	if (r != CB_DB_ROW && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "attachments");
	cb_db_finalize(&st);
	return rc;
}

int cb_attach_get(struct cb_store *s, const uint8_t case_id[16], int64_t id, struct cb_attachment *out,
		  struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char *b64 = NULL;
	memset(out, 0, sizeof *out);
	int rc = cb_store_prep(s->db, "attachments", 0,
			       "SELECT " COLS " FROM attachments WHERE case_id = ? AND id = ? AND data IS NOT NULL", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	cb_db_bind_int64(st, 2, id);
	int r = cb_db_step(st);
	if (r != CB_DB_ROW) {
		rc = r == CB_DB_DONE ? cb_err_set(err, CB_ENOTFOUND, "no such attachment") : cb_store_db_err(s->db, err, "attachments");
		goto out;
	}
	read_row(st, out);
	if ((rc = cb_store_unseal_column(s, case_id, "attachments", id, st, 6, &out->name, err)) != CB_OK ||
	    (rc = cb_store_unseal_column(s, case_id, "attachments", id, st, 7, &b64, err)) != CB_OK)
		goto out;
	size_t n;
	if (!b64 || !(out->data = malloc((size_t)out->size + 1)) ||
	    sodium_base642bin(out->data, (size_t)out->size + 1, b64, strlen(b64), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    n != (size_t)out->size)
		rc = b64 ? cb_err_set(err, CB_ECORRUPT, "attachment %lld is damaged", (long long)id)
			 : cb_err_set(err, CB_ENOTFOUND, "no such attachment");
out:
	cb_db_finalize(&st);
	cb_text_free(&b64);
	if (rc != CB_OK)
		cb_attachment_clear(out);
	return rc;
}
