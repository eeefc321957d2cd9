/*
 * erase.c -- erasing cases (store.h: cb_store_erase, cb_store_erase_many) and finishing erasures a crash
 * interrupted.  Split from records.c: the write order of store.c, "erasure" below.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/schema.h"
#include "store/store_impl.h"
#include "store/tokens.h"

/* ---- erasure
 *
 * Erasing touches both files, which cannot commit together, so it goes in three steps:
 *   1. one transaction on DB clears the sealed details (or deletes the case), drops the sealed notes,
 *      appends the audit entry, and adds the case's key slot to the keys to destroy (meta `erasing`);
 *   2. those keys are deleted from DB.casekeys (one transaction);
 *   3. the list goes (DB), and both files get a TRUNCATE checkpoint, so the old pages leave the WAL too.
 * A crash after step 1 leaves keys that no longer open anything in DB, of erasures already audited: the next
 * read-write open destroys them (cb_store_finish_erasures), an update of such a case does before it makes
 * a new key, and `check` reports them meanwhile.  So there is never a case with sealed details and no key,
 * nor an erasure without its audit entry.  Many cases share each step (cb_store_erase_many); a bulk batch
 * does steps 2 and 3 after its commit (store.c). */

#define ERASING "erasing" /* meta: the key slots to destroy, one "seq:case id in hex" a line */
#define ERASE_CHUNK 1024  /* cases per step: a few fsyncs per thousand cases, not per case */

/* Adds the key of the case at seq to pend (text for pending_write). */
int cb_store_pending_add(struct cb_buf *pend, int64_t seq, const uint8_t id[16])
{
	char hex[33];
	sodium_bin2hex(hex, sizeof hex, id, 16);
	return cb_buf_printf(pend, "%lld:%s\n", (long long)seq, hex);
}

/* Appends pend to the keys to destroy, in the open transaction on DB. */
int cb_store_pending_write(struct cb_store *s, const struct cb_buf *pend, struct cb_err *err)
{
	struct cb_buf all = {0};
	char *have = NULL;
	int rc = cb_store_meta_get(s, ERASING, &have);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		return rc == CB_ENOMEM ? cb_err_set(err, rc, "out of memory") : cb_store_db_err(s->db, err, "erase");
	if (cb_buf_printf(&all, "%s%.*s", have ? have : "", (int)pend->len, pend->data) != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	} else {
		cb_db_bind_text(s->meta_set, 1, ERASING, -1, false);
		cb_db_bind_text(s->meta_set, 2, all.data, (int)all.len, false);
		rc = cb_store_step_done(s->meta_set) == CB_OK ? CB_OK : cb_store_db_err(s->db, err, "erase");
	}
	free(have);
	cb_buf_free(&all);
	return rc;
}

/* Is the key of the case at seq waiting to be destroyed? */
bool cb_store_pending_has(struct cb_store *s, int64_t seq, const uint8_t id[16])
{
	struct cb_buf line = {0};
	char *have = NULL;
	bool found = false;
	if (cb_store_meta_get(s, ERASING, &have) == CB_OK && cb_store_pending_add(&line, seq, id) == CB_OK)
		for (const char *p = have; !found && (p = strstr(p, line.data)); p++)
			found = p == have || p[-1] == '\n';
	free(have);
	cb_buf_free(&line);
	return found;
}

int cb_store_finish_erasures(struct cb_store *s, bool own, long *n, struct cb_err *err)
{
	char *list = NULL;
	bool db_tx = false, kdb_tx = false;
	long cases = 0;
	int rc;
	if (n)
		*n = 0;
	if (s->readonly)
		return CB_OK;
	if (own) {
		/* a look without the write lock first: every read-write open comes here, and there is rarely anything
		 * to do (a busy writer would keep the open waiting for nothing) */
		if (cb_store_meta_get(s, ERASING, &list) == CB_ENOTFOUND)
			return CB_OK;
		free(list);
		list = NULL;
		if ((rc = cb_schema_exec(s->db, "BEGIN IMMEDIATE", err)) != CB_OK)
			return rc;
		db_tx = true;
	}
	if ((rc = cb_store_meta_get(s, ERASING, &list)) != CB_OK) {
		if (rc == CB_ENOTFOUND) /* the usual case */
			rc = CB_OK;
		else
			rc = rc == CB_ENOMEM ? cb_err_set(err, rc, "out of memory") : cb_store_db_err(s->db, err, "erase");
		goto out;
	}
	if ((rc = cb_keywriter_drain(s, false, err)) != CB_OK)
		goto out;
	CB_ASSERT(cb_keywriter_idle(s));
	if (!s->bulk) { /* in a batch the key store's transaction is open already */
		if ((rc = cb_schema_exec(s->kdb, "BEGIN IMMEDIATE", err)) != CB_OK)
			goto out;
		kdb_tx = true;
	}
	for (const char *line = list; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
		long long seq;
		char hex[33];
		uint8_t id[16];
		size_t idlen = 0;
		if (sscanf(line, "%lld:%32[0-9a-f]", &seq, hex) != 2 ||
		    sodium_hex2bin(id, sizeof id, hex, strlen(hex), NULL, &idlen, NULL) != 0 || idlen != 16)
			continue; /* not ours to read: left alone */
		/* the slot and the case id: a slot taken over by a newer case since (erase --all) keeps its key */
		cb_db_bind_int64(s->key_del, 1, seq);
		cb_db_bind_blob(s->key_del, 2, id, 16, true);
		if (cb_store_step_done(s->key_del) != CB_OK) {
			rc = cb_store_db_err(s->kdb, err, "case keys");
			goto out;
		}
		cases++;
	}
	if (kdb_tx) {
		if ((rc = cb_schema_exec(s->kdb, "COMMIT", err)) != CB_OK)
			goto out;
		kdb_tx = false;
	}
	/* the keys are gone for good: the list may go */
	if ((rc = cb_schema_exec(s->db, "DELETE FROM meta WHERE key = '" ERASING "'", err)) != CB_OK)
		goto out;
	if (db_tx) {
		if ((rc = cb_schema_exec(s->db, "COMMIT", err)) != CB_OK)
			goto out;
		db_tx = false;
	}
	if (n)
		*n = cases;
out:
	if (kdb_tx)
		cb_db_exec(s->kdb, "ROLLBACK");
	if (db_tx)
		cb_db_exec(s->db, "ROLLBACK");
	free(list);
	return rc;
}

/* Step 1 for one case, in the open transaction on DB. */
static int erase_one(struct cb_store *s, const uint8_t id[16], bool all, struct cb_buf *pend, struct cb_err *err)
{
	int64_t version, seq;
	int rc;
	if ((rc = cb_store_stored_version(s, id, &version, NULL, &seq, err)) != CB_OK)
		return rc;
	/* the row may be imported again */
	if (all && (rc = cb_fp_forget(s, seq, err)) != CB_OK)
		return rc;
	if ((rc = cb_tokens_forget(s, seq, err)) != CB_OK) /* nothing may point at details that are gone */
		return rc;
	if (all && (rc = cb_links_forget(s, id, err)) != CB_OK)
		return rc;
	struct cb_stmt *st = all ? s->del : s->clear_pii;
	cb_db_bind_blob(st, 1, id, 16, false);
	if (!all)
		cb_db_bind_int64(st, 2, (int64_t)time(NULL));
	if (cb_store_step_done(st) != CB_OK)
		return cb_store_db_err(s->db, err, "erase");
	if (!all && (rc = cb_store_sealed_clear(s, id, err)) != CB_OK) /* --all: the child rows go with the case */
		return rc;
	/* in the same transaction: an erasure is never without its record, nor recorded without happening */
	if ((rc = cb_store_audit(s, all ? CB_AUD_CASE_ERASE : CB_AUD_CASE_ERASE_IDS, id, NULL, NULL, err)) != CB_OK)
		return rc;
	cb_store_changed(s, id);
	return cb_store_pending_add(pend, seq, id) == CB_OK ? CB_OK : cb_err_set(err, CB_ENOMEM, "out of memory");
}

int cb_store_erase_many(struct cb_store *s, const uint8_t (*ids)[16], size_t n, bool all, size_t *done,
			struct cb_err *err)
{
	struct cb_buf pend = {0};
	int rc = CB_OK;
	if (done)
		*done = 0;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	for (size_t at = 0; at < n && rc == CB_OK;) {
		size_t end = n - at > ERASE_CHUNK ? at + ERASE_CHUNK : n;
		cb_buf_reset(&pend);
		if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
			break;
		for (size_t i = at; i < end && rc == CB_OK; i++)
			rc = erase_one(s, ids[i], all, &pend, err);
		if (rc == CB_OK)
			rc = cb_store_pending_write(s, &pend, err);
		if ((rc = cb_store_tx_end(s, rc, err)) != CB_OK)
			break;
		if (done)
			*done = end;
		at = end;
		rc = cb_store_erased(s, err); /* steps 2 and 3 (in a bulk batch: after its commit) */
	}
	cb_buf_free(&pend);
	return rc;
}

int cb_store_erase(struct cb_store *s, const uint8_t id[16], bool all, struct cb_err *err)
{
	return cb_store_erase_many(s, (const uint8_t(*)[16])id, 1, all, NULL, err);
}

