/*
 * fingerprints.c -- which imported rows are stored already: the import fingerprints, in batches.
 *
 * Every imported case carries a fingerprint (store.h: a keyed hash of the row's text and of how many
 * identical rows came before it in its file), and a row whose fingerprint is stored is not imported again.
 * Fingerprints are random, so a unique index on them takes one random b-tree insert per case, which is what
 * made large imports slow (and a load that dropped the index and rebuilt it at the end read the whole cases
 * table again).  Instead, the fingerprints a transaction writes are appended as ONE blob, a row of
 * fingerprint_batches, in that same transaction: a committed case always has its fingerprint stored, a
 * rolled-back one never.  Only imports look fingerprints up, and they read the batches into memory (s->fps)
 * once and then only the batches added since (fp_sync), inside their write transaction, so a concurrent
 * import in another process is seen before anything is written.  cases.fingerprint keeps each case's own
 * copy: `check` compares the two, and the migration that made this table filled it from there.
 *
 * Erasing a case with --all takes its fingerprint out of its batch (the row may be imported again, as it
 * could when fingerprints lived in an index).  Another process that has the batches in memory still knows
 * the fingerprint until it opens the database again.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* Reads the batches after s->fp_batch into s->fps: every stored fingerprint is known after this.  Inside a
 * write transaction, so nobody adds a batch meanwhile. */
static int fp_sync(struct cb_store *s, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc = CB_OK;
	if (sqlite3_prepare_v2(s->db, "SELECT id, fps FROM fingerprint_batches WHERE id > ?1 ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK)
		return cb_store_db_err(s->db, err, "fingerprints");
	sqlite3_bind_int64(st, 1, s->fp_batch);
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *fps = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		if (n % 16) {
			rc = cb_err_field(err, CB_ECORRUPT, "fingerprint", "fingerprint batch %lld is damaged",
					  (long long)sqlite3_column_int64(st, 0));
			break;
		}
		for (size_t i = 0; i < n && rc == CB_OK; i += 16)
			if (cb_count16_bump(&s->fps, fps + i) < 0)
				rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		s->fp_batch = sqlite3_column_int64(st, 0);
	}
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	sqlite3_finalize(st);
	if (rc != CB_OK)
		cb_fp_discard(s);
	else
		s->fp_synced = true;
	return rc;
}

int cb_fp_seen(struct cb_store *s, const uint8_t fp[16], bool *seen, struct cb_err *err)
{
	int rc;
	if (!s->fp_synced && (rc = fp_sync(s, err)) != CB_OK)
		return rc;
	*seen = cb_count16_get(&s->fps, fp) != 0;
	return CB_OK;
}

int cb_fp_add(struct cb_store *s, const uint8_t fp[16], struct cb_err *err)
{
	if (s->fp_n == s->fp_cap) {
		size_t cap = s->fp_cap ? s->fp_cap * 2 : 4096;
		uint8_t(*p)[16] = realloc(s->fp_new, cap * sizeof *p);
		if (!p)
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		s->fp_new = p;
		s->fp_cap = cap;
	}
	if (cb_count16_bump(&s->fps, fp) < 0)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	memcpy(s->fp_new[s->fp_n++], fp, 16);
	return CB_OK;
}

int cb_fp_flush(struct cb_store *s, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = CB_OK;
	if (s->fp_n > 0) {
		if (sqlite3_prepare_v2(s->db, "INSERT INTO fingerprint_batches(fps) VALUES (?1)", -1, &st, NULL) !=
			    SQLITE_OK ||
		    sqlite3_bind_blob64(st, 1, s->fp_new, s->fp_n * 16, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE)
			rc = cb_store_db_err(s->db, err, "fingerprints");
		else /* every batch before it was read in this transaction (fp_sync) */
			s->fp_batch = sqlite3_last_insert_rowid(s->db);
		sqlite3_finalize(st);
	}
	s->fp_n = 0;
	s->fp_synced = false; /* the transaction ends: the next one reads what others add meanwhile */
	return rc;
}

void cb_fp_discard(struct cb_store *s)
{
	/* s->fps may hold fingerprints that were never committed, and a table of counts cannot forget one:
	 * start again from the batches when next needed */
	cb_count16_free(&s->fps);
	s->fp_batch = 0;
	s->fp_n = 0;
	s->fp_synced = false;
}

int cb_fp_forget(struct cb_store *s, const uint8_t id[16], struct cb_err *err)
{
	sqlite3_stmt *get = NULL, *scan = NULL, *put = NULL;
	uint8_t fp[16], *rest = NULL;
	int r = SQLITE_DONE, rc = CB_OK;
	bool found = false;
	if (sqlite3_prepare_v2(s->db, "SELECT fingerprint FROM cases WHERE case_id = ?1", -1, &get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT id, fps FROM fingerprint_batches", -1, &scan, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE fingerprint_batches SET fps = ?2 WHERE id = ?1", -1, &put, NULL) !=
		    SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "fingerprints");
		goto out;
	}
	sqlite3_bind_blob(get, 1, id, 16, SQLITE_STATIC);
	if (sqlite3_step(get) != SQLITE_ROW || sqlite3_column_bytes(get, 0) != 16)
		goto out; /* typed in, not imported: nothing to forget */
	memcpy(fp, sqlite3_column_blob(get, 0), 16);
	while (!found && (r = sqlite3_step(scan)) == SQLITE_ROW) {
		const uint8_t *fps = sqlite3_column_blob(scan, 1);
		size_t n = (size_t)sqlite3_column_bytes(scan, 1) / 16 * 16;
		for (size_t i = 0; i < n && !found; i += 16) {
			if (memcmp(fps + i, fp, 16) != 0)
				continue;
			found = true;
			/* the batch without it (the last fingerprint into its place: order means nothing) */
			if (n > 16 && !(rest = malloc(n - 16))) {
				rc = cb_err_set(err, CB_ENOMEM, "out of memory");
				goto out;
			}
			if (n > 16) {
				memcpy(rest, fps, n - 16);
				if (i < n - 16)
					memcpy(rest + i, fps + n - 16, 16);
			}
			sqlite3_bind_int64(put, 1, sqlite3_column_int64(scan, 0));
			sqlite3_bind_blob64(put, 2, rest ? (const void *)rest : "", n - 16, SQLITE_STATIC);
			if (sqlite3_step(put) != SQLITE_DONE)
				rc = cb_store_db_err(s->db, err, "fingerprints");
		}
	}
	if (!found && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	cb_fp_discard(s); /* the in-memory set still holds it */
out:
	sqlite3_finalize(get);
	sqlite3_finalize(scan);
	sqlite3_finalize(put);
	free(rest);
	return rc;
}

int cb_fp_migrate(sqlite3 *db, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	struct cb_buf all = {0};
	int r, rc = CB_OK;
	if (sqlite3_prepare_v2(db, "SELECT fingerprint FROM cases WHERE length(fingerprint) = 16 ORDER BY seq", -1,
			       &st, NULL) != SQLITE_OK)
		return cb_store_db_err(db, err, "fingerprints");
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
		if (cb_buf_append(&all, sqlite3_column_blob(st, 0), 16) != CB_OK)
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(db, err, "fingerprints");
	sqlite3_finalize(st);
	st = NULL;
	if (rc == CB_OK && all.len > 0) {
		if (sqlite3_prepare_v2(db, "INSERT INTO fingerprint_batches(fps) VALUES (?1)", -1, &st, NULL) !=
			    SQLITE_OK ||
		    sqlite3_bind_blob64(st, 1, all.data, all.len, SQLITE_STATIC) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE)
			rc = cb_store_db_err(db, err, "fingerprints");
		sqlite3_finalize(st);
	}
	cb_buf_free(&all);
	return rc;
}

int cb_fp_check(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_count16 stored = {0};
	sqlite3_stmt *st = NULL;
	long missing = 0, unknown = 0;
	int r, rc = CB_OK;
	if (sqlite3_prepare_v2(s->db, "SELECT fps FROM fingerprint_batches", -1, &st, NULL) != SQLITE_OK)
		return cb_store_db_err(s->db, err, "fingerprints");
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *fps = sqlite3_column_blob(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		if (n % 16)
			unknown++; /* a damaged batch: counted once */
		for (size_t i = 0; i + 16 <= n && rc == CB_OK; i += 16)
			if (cb_count16_bump(&stored, fps + i) < 0)
				rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	sqlite3_finalize(st);
	st = NULL;
	if (rc == CB_OK &&
	    sqlite3_prepare_v2(s->db, "SELECT fingerprint FROM cases WHERE fingerprint IS NOT NULL", -1, &st, NULL) !=
		    SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != 16 || !cb_count16_get(&stored, sqlite3_column_blob(st, 0)))
			missing++;
	}
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	sqlite3_finalize(st);
	cb_count16_free(&stored);
	if (rc != CB_OK)
		return rc;
	/* a case whose fingerprint is not stored would be imported a second time from the same file */
	if (missing)
		fprintf(out, "fingerprints: %ld imported cases have no stored fingerprint\n", missing);
	if (unknown)
		fprintf(out, "fingerprints: %ld damaged fingerprint batches\n", unknown);
	*problems += missing + unknown;
	return CB_OK;
}
