/*
 * odk.c -- the ODK server's storage (see odk.h): its key pair, the instance ids received, the review queue.
 *
 * The RSA private key lives in meta as base64 of its sealed PKCS#8 (crypto/odk.c seals it with a sub-key of
 * the master key); it is made once per database, by whichever opens it first: INSERT OR IGNORE, then read
 * back, so two servers starting together end up with the same key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/audit.h"
#include "store/odk.h"
#include "store/schema.h"
#include "store/store_impl.h"

#define META_RSA "odk.rsa_key"

static int meta_insert_ignore(struct cb_store *s, const char *key, const char *value, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "meta", 0, "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT DO NOTHING", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, key, -1, false);
	cb_db_bind_text(st, 2, value, -1, false);
	if (cb_db_step(st) != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "meta");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_odk_keys(struct cb_store *s, struct cb_odk_key **rsa, uint8_t **review_key, struct cb_err *err)
{
	char kf[4096];
	char *text = NULL, *b64 = NULL;
	uint8_t *blob = NULL, *master = cb_secret_alloc(CB_KEY_BYTES);
	size_t n;
	struct cb_odk_key *fresh = NULL;
	int rc;
	*rsa = NULL;
	*review_key = NULL;
	if (!master)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	if ((rc = cb_keyfile_load(cb_store_keyfile(s->path, kf, sizeof kf), master, err)) != CB_OK)
		goto out;
	rc = cb_store_meta_get(s, META_RSA, &text);
	if (rc == CB_ENOTFOUND) {
		if (s->readonly) {
			rc = cb_err_set(err, CB_EPERM, "the database has no ODK key yet: open it read-write once");
			goto out;
		}
		if ((rc = cb_odk_key_generate(&fresh)) != CB_OK || (rc = cb_odk_key_seal(fresh, master, &blob, &n)) != CB_OK) {
			cb_err_set(err, rc, "cannot make the ODK key pair");
			goto out;
		}
		size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
		if (!(b64 = malloc(cap))) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
		sodium_bin2base64(b64, cap, blob, n, sodium_base64_VARIANT_ORIGINAL);
		free(blob);
		blob = NULL;
		if ((rc = meta_insert_ignore(s, META_RSA, b64, err)) != CB_OK)
			goto out;
		rc = cb_store_meta_get(s, META_RSA, &text);
	}
	if (rc != CB_OK) {
		cb_err_set(err, rc, "cannot read the ODK key");
		goto out;
	}
	if ((rc = cb_odk_b64_decode(text, &blob, &n)) != CB_OK || (rc = cb_odk_key_open(master, blob, n, rsa)) != CB_OK) {
		rc = cb_err_set(err, CB_ECORRUPT, "the ODK key in the database does not open with this master key");
		goto out;
	}
	if (!(*review_key = cb_secret_alloc(CB_KEY_BYTES))) {
		cb_odk_key_free(rsa);
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	cb_subkey(master, 2, "odkrevwq", *review_key);
out:
	cb_odk_key_free(&fresh);
	cb_secret_free(master);
	free(text);
	free(b64);
	free(blob);
	return rc;
}

int cb_store_odk_seen(struct cb_store *s, const char *instance_id, bool *seen, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "odk_received", 0, "SELECT 1 FROM odk_received WHERE instance_id = ?", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, instance_id, -1, false);
	int r = cb_db_step(st);
	*seen = r == CB_DB_ROW;
	if (r != CB_DB_ROW && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "odk_received");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_odk_mark(struct cb_store *s, const char *instance_id, const char *form_id, const char *outcome,
		      const uint8_t *case_id, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "odk_received", 0,
			       "INSERT INTO odk_received(instance_id, form_id, outcome, case_id, at)"
			       " VALUES (?, ?, ?, ?, ?)", /* the time bound, not SQL's: the same on PostgreSQL */
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, instance_id, -1, false);
	cb_db_bind_text(st, 2, form_id, -1, false);
	cb_db_bind_text(st, 3, outcome, -1, false);
	if (case_id)
		cb_db_bind_blob(st, 4, case_id, 16, false);
	cb_db_bind_int64(st, 5, (int64_t)time(NULL));
	int r = cb_db_step(st);
	if (r == CB_EEXIST)
		rc = cb_err_set(err, CB_EEXIST, "this submission (instanceID) was received before");
	else if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "odk_received");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_odk_write_cases(struct cb_store *s, struct cb_odk_new_case *const *jobs, int n, struct cb_err *err)
{
	int rc = cb_store_begin(s, err);
	for (int i = 0; i < n; i++)
		jobs[i]->rc = rc;
	if (rc != CB_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		struct cb_odk_new_case *j = jobs[i];
		if ((j->rc = cb_schema_exec(s->db, "SAVEPOINT odk_job", &j->err)) != CB_OK)
			continue;
		if ((j->rc = cb_store_odk_mark(s, j->instance_id, j->form_id, "case", j->case_id, &j->err)) == CB_OK)
			j->rc = cb_store_write(s, j->p, &j->err);
		if (j->rc == CB_OK && j->audit) /* the case and its entry together: a failed append fails the case */
			j->rc = cb_audit_append(s, j->audit, &j->err);
		if (j->rc != CB_OK)
			cb_db_exec(s->db, "ROLLBACK TO odk_job");
		cb_db_exec(s->db, "RELEASE odk_job");
	}
	if ((rc = cb_store_commit(s, err)) != CB_OK)
		for (int i = 0; i < n; i++)
			if (jobs[i]->rc == CB_OK) {
				jobs[i]->rc = rc;
				jobs[i]->err = *err;
			}
	return rc;
}

/* ---- the review queue */

int cb_store_review_add(struct cb_store *s, const uint8_t *key, struct cb_review *r, const char *xml, size_t len,
			struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	uint8_t *sealed = malloc(len + CB_SEAL_OVERHEAD);
	int rc;
	if (!sealed)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	cb_seal(key, (const uint8_t *)r->instance_id, strlen(r->instance_id), xml, len, sealed);
	if ((rc = cb_store_prep(s->db, "odk_review", 0,
				"INSERT INTO odk_review(instance_id, form_id, \"user\", site, reason, kind, case_id,"
				" seen_version, case_version, received_at, sealed) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
				&st, err)) != CB_OK)
		goto out;
	cb_db_bind_text(st, 1, r->instance_id, -1, false);
	cb_db_bind_text(st, 2, r->form_id, -1, false);
	cb_db_bind_text(st, 3, r->user, -1, false);
	cb_db_bind_text(st, 4, r->site, -1, false);
	cb_db_bind_text(st, 5, r->reason, -1, false);
	cb_db_bind_text(st, 6, r->kind, -1, false);
	if (!cb_case_id_is_zero(r->case_id))
		cb_db_bind_blob(st, 7, r->case_id, 16, false);
	if (r->seen_version)
		cb_db_bind_int64(st, 8, r->seen_version);
	if (r->case_version)
		cb_db_bind_int64(st, 9, r->case_version);
	cb_db_bind_int64(st, 10, r->received_at);
	cb_db_bind_blob(st, 11, sealed, (int)(len + CB_SEAL_OVERHEAD), false);
	if (cb_db_step(st) != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "odk_review");
	else
		r->id = cb_db_last_insert_id(s->db);
out:
	cb_db_finalize(&st);
	free(sealed);
	return rc;
}

#define REVIEW_COLS                                                                                              \
	"id, instance_id, form_id, \"user\", site, reason, kind, case_id, coalesce(seen_version, 0),"                \
	" coalesce(case_version, 0), received_at, coalesce(resolved_at, 0), state, coalesce(resolved_by, ''), sealed"

static void copy_text(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? (const char *)src : "");
}

static void read_row(struct cb_stmt *st, struct cb_review *r)
{
	memset(r, 0, sizeof *r);
	r->id = cb_db_column_int64(st, 0);
	copy_text(r->instance_id, sizeof r->instance_id, cb_db_column_text(st, 1));
	copy_text(r->form_id, sizeof r->form_id, cb_db_column_text(st, 2));
	copy_text(r->user, sizeof r->user, cb_db_column_text(st, 3));
	copy_text(r->site, sizeof r->site, cb_db_column_text(st, 4));
	copy_text(r->reason, sizeof r->reason, cb_db_column_text(st, 5));
	copy_text(r->kind, sizeof r->kind, cb_db_column_text(st, 6));
	if (cb_db_column_bytes(st, 7) == 16)
		memcpy(r->case_id, cb_db_column_blob(st, 7), 16);
	r->seen_version = cb_db_column_int64(st, 8);
	r->case_version = cb_db_column_int64(st, 9);
	r->received_at = cb_db_column_int64(st, 10);
	r->resolved_at = cb_db_column_int64(st, 11);
	copy_text(r->state, sizeof r->state, cb_db_column_text(st, 12));
	copy_text(r->resolved_by, sizeof r->resolved_by, cb_db_column_text(st, 13));
}

int cb_store_review_list(struct cb_store *s, const char *state, const char *site, cb_review_fn fn, void *ctx,
			 struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "odk_review", 0,
			       "SELECT " REVIEW_COLS " FROM odk_review WHERE (state = ?1 OR ?1 IS NULL)"
			       " AND (site = ?2 OR ?2 IS NULL) ORDER BY id DESC LIMIT 1000",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	if (state)
		cb_db_bind_text(st, 1, state, -1, false);
	if (site)
		cb_db_bind_text(st, 2, site, -1, false);
	int r;
	struct cb_review row;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		read_row(st, &row);
		if ((rc = fn(&row, ctx)) != 0)
			break;
	}
	if (r != CB_DB_ROW && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "odk_review");
	cb_db_finalize(&st);
	return rc;
}

/* One review entry's row by id (sql selects WHERE id = ?): *st stands on the row, or the error says which
 * entry is missing; the caller finalizes *st either way. */
static int review_row(struct cb_store *s, const char *sql, int64_t id, struct cb_stmt **st, struct cb_err *err)
{
	int rc = cb_store_prep(s->db, "odk_review", 0, sql, st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(*st, 1, id);
	int r = cb_db_step(*st);
	if (r == CB_DB_DONE)
		return cb_err_set(err, CB_ENOTFOUND, "no review entry %lld", (long long)id);
	if (r != CB_DB_ROW)
		return cb_store_db_err(s->db, err, "odk_review");
	return CB_OK;
}

int cb_store_review_get(struct cb_store *s, const uint8_t *key, int64_t id, struct cb_review *out, char **xml,
			struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	if (xml)
		*xml = NULL;
	int rc = review_row(s, "SELECT " REVIEW_COLS " FROM odk_review WHERE id = ?", id, &st, err);
	if (rc != CB_OK)
		goto out;
	read_row(st, out);
	int n = cb_db_column_bytes(st, 14);
	if (xml && n >= CB_SEAL_OVERHEAD) {
		if (!(*xml = malloc((size_t)n - CB_SEAL_OVERHEAD + 1))) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
		if (cb_unseal(key, (const uint8_t *)out->instance_id, strlen(out->instance_id), cb_db_column_blob(st, 14),
			      (size_t)n, (uint8_t *)*xml) != CB_OK) {
			free(*xml);
			*xml = NULL;
			rc = cb_err_set(err, CB_ECORRUPT, "review entry %lld fails authentication", (long long)id);
			goto out;
		}
		(*xml)[n - CB_SEAL_OVERHEAD] = 0;
	}
out:
	cb_db_finalize(&st);
	return rc;
}

int cb_store_review_resolve(struct cb_store *s, int64_t id, bool accepted, const char *by, int64_t now,
			    struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "odk_review", 0,
			       "UPDATE odk_review SET state = ?, resolved_by = ?, resolved_at = ?,"
			       " sealed = iif(?1 = 'rejected', NULL, sealed) WHERE id = ? AND state = 'pending'",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, accepted ? "accepted" : "rejected", -1, false);
	cb_db_bind_text(st, 2, by, -1, false);
	cb_db_bind_int64(st, 3, now);
	cb_db_bind_int64(st, 4, id);
	if (cb_db_step(st) != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "odk_review");
	else if (cb_db_changes(s->db) != 1)
		rc = cb_err_set(err, CB_ECONFLICT, "review entry %lld is not pending (resolved already, or no such entry)",
				(long long)id);
	cb_db_finalize(&st);
	return rc;
}

/* A rejection's reason is free text (the manager may name the person): sealed under the review key, bound to
 * its entry, so that no other entry's note can be moved here. */
static void note_ad(int64_t id, char ad[48]) { snprintf(ad, 48, "odk_review.reject_note:%lld", (long long)id); }

int cb_store_review_reject(struct cb_store *s, const uint8_t *key, int64_t id, const char *by, int64_t now,
			   const char *reason, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	uint8_t *sealed = NULL;
	size_t n = reason ? strlen(reason) : 0;
	char ad[48];
	int rc = cb_store_tx_begin(s, err);
	if (rc != CB_OK)
		return rc;
	if ((rc = cb_store_review_resolve(s, id, false, by, now, err)) != CB_OK || !n)
		goto out;
	if (!(sealed = malloc(n + CB_SEAL_OVERHEAD))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	note_ad(id, ad);
	cb_seal(key, (const uint8_t *)ad, strlen(ad), reason, n, sealed);
	if ((rc = cb_store_prep(s->db, "odk_review", 0, "UPDATE odk_review SET reject_note = ? WHERE id = ?", &st,
				err)) != CB_OK)
		goto out;
	cb_db_bind_blob(st, 1, sealed, (int)(n + CB_SEAL_OVERHEAD), false);
	cb_db_bind_int64(st, 2, id);
	if (cb_db_step(st) != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "odk_review");
out:
	cb_db_finalize(&st);
	free(sealed);
	return cb_store_tx_end(s, rc, err);
}

int cb_store_review_note(struct cb_store *s, const uint8_t *key, int64_t id, char **reason, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char ad[48];
	*reason = NULL;
	int rc = review_row(s, "SELECT reject_note FROM odk_review WHERE id = ?", id, &st, err);
	if (rc != CB_OK)
		goto out;
	int n = cb_db_column_bytes(st, 0);
	if (n < CB_SEAL_OVERHEAD)
		goto out;
	if (!(*reason = malloc((size_t)n - CB_SEAL_OVERHEAD + 1))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	note_ad(id, ad);
	if (cb_unseal(key, (const uint8_t *)ad, strlen(ad), cb_db_column_blob(st, 0), (size_t)n, (uint8_t *)*reason) !=
	    CB_OK) {
		free(*reason);
		*reason = NULL;
		rc = cb_err_set(err, CB_ECORRUPT, "review entry %lld: its reason fails authentication", (long long)id);
		goto out;
	}
	(*reason)[n - CB_SEAL_OVERHEAD] = 0;
out:
	cb_db_finalize(&st);
	return rc;
}
