/*
 * fingerprints.c -- which imported rows are stored already: the import fingerprints, in batches.
 *
 * Every imported case carries a fingerprint (store.h: a keyed hash of the row's text and of how many
 * identical rows came before it in its file), and a row whose fingerprint is stored is not imported again.
 * Fingerprints are random, so a unique index on them takes one random b-tree insert per case, which is what
 * made large imports slow (and a load that dropped the index and rebuilt it at the end read the whole cases
 * table again).  Instead, the fingerprints a transaction writes are appended as blobs of up to BATCH_MAX,
 * rows of fingerprint_batches that also say which cases (seq range) they came from, in that same
 * transaction: a committed case always has its fingerprint stored, a rolled-back one never.  Only imports
 * look fingerprints up, and they read the batches into memory (s->fps) once and then only the batches added
 * since (fp_sync), inside their write transaction, so a concurrent import in another process is seen before
 * anything is written.  cases.fingerprint keeps each case's own
 * copy: `check` compares the two, and the migration that made this table filled it from there.
 *
 * Erasing a case with --all takes its fingerprint out of its batch (the row may be imported again, as it
 * could when fingerprints lived in an index): the batch is found by the case's seq, and rewriting it costs
 * at most 64 KiB, so a retention run that erases many cases stays cheap.  Another process that has the
 * batches in memory still knows the fingerprint until it opens the database again.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

#define BATCH_MAX 4096 /* fingerprints per row of fingerprint_batches: 64 KiB */

/* Room for one more in the parallel arrays fps and seqs (*n used of *cap): CB_OK or CB_ENOMEM. */
static int grow(uint8_t (**fps)[16], int64_t **seqs, size_t n, size_t *cap)
{
	if (n < *cap)
		return CB_OK;
	size_t c = *cap ? *cap * 2 : BATCH_MAX;
	uint8_t(*f)[16] = realloc(*fps, c * sizeof *f);
	if (!f)
		return CB_ENOMEM;
	*fps = f;
	int64_t *q = realloc(*seqs, c * sizeof *q);
	if (!q)
		return CB_ENOMEM;
	*seqs = q;
	*cap = c;
	return CB_OK;
}

/* Counts every fingerprint of the batches after id `after` into t; *last gets the last batch's id.  A batch
 * that is not whole fingerprints is CB_ECORRUPT, or, with `damaged`, counted there and its whole ones read. */
static int read_batches(struct cb_db *db, int64_t after, struct cb_count16 *t, int64_t *last, long *damaged,
			struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int r, rc = CB_OK;
	if (cb_db_prepare(db, "SELECT id, fps FROM fingerprint_batches WHERE id > ?1 ORDER BY id", &st, NULL) != CB_OK)
		return cb_store_db_err(db, err, "fingerprints");
	cb_db_bind_int64(st, 1, after);
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW) {
		const uint8_t *fps = cb_db_column_blob(st, 1);
		size_t n = (size_t)cb_db_column_bytes(st, 1);
		if (n % 16 && !damaged) {
			rc = cb_err_field(err, CB_ECORRUPT, "fingerprint", "fingerprint batch %lld is damaged",
					  (long long)cb_db_column_int64(st, 0));
			break;
		}
		if (n % 16)
			++*damaged;
		for (size_t i = 0; i + 16 <= n && rc == CB_OK; i += 16)
			if (cb_count16_bump(t, fps + i) < 0)
				rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		if (last)
			*last = cb_db_column_int64(st, 0);
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(db, err, "fingerprints");
	cb_db_finalize(&st);
	return rc;
}

/* Appends fps[0..n) (of the cases first..last) as rows of at most BATCH_MAX; *last_id gets the last row's id. */
static int put_batches(struct cb_db *db, const uint8_t (*fps)[16], const int64_t *seqs, size_t n, int64_t *last_id,
		       struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = CB_OK;
	if (cb_db_prepare(db, "INSERT INTO fingerprint_batches(first_seq, last_seq, fps) VALUES (?1, ?2, ?3)",
			       &st, NULL) != CB_OK)
		return cb_store_db_err(db, err, "fingerprints");
	for (size_t i = 0; i < n && rc == CB_OK; i += BATCH_MAX) {
		size_t k = n - i < BATCH_MAX ? n - i : BATCH_MAX;
		cb_db_bind_int64(st, 1, seqs[i]);
		cb_db_bind_int64(st, 2, seqs[i + k - 1]);
		cb_db_bind_blob(st, 3, fps[i], (int)(k * 16), false);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(db, err, "fingerprints");
	}
	if (rc == CB_OK && last_id)
		*last_id = cb_db_last_insert_id(db);
	cb_db_finalize(&st);
	return rc;
}

/* Reads the batches after s->fp_batch into s->fps: every stored fingerprint is known after this.  Inside a
 * write transaction, so nobody adds a batch meanwhile. */
static int fp_sync(struct cb_store *s, struct cb_err *err)
{
	int rc = read_batches(s->db, s->fp_batch, &s->fps, &s->fp_batch, NULL, err);
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

int cb_fp_add(struct cb_store *s, int64_t seq, const uint8_t fp[16], struct cb_err *err)
{
	if (grow(&s->fp_new, &s->fp_seq, s->fp_n, &s->fp_cap) != CB_OK || cb_count16_bump(&s->fps, fp) < 0)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	s->fp_seq[s->fp_n] = seq;
	memcpy(s->fp_new[s->fp_n++], fp, 16);
	return CB_OK;
}

int cb_fp_flush(struct cb_store *s, struct cb_err *err)
{
	int rc = CB_OK;
	/* every batch before these was read in this transaction (fp_sync): the last id is the new horizon */
	if (s->fp_n > 0)
		rc = put_batches(s->db, (const uint8_t(*)[16])s->fp_new, s->fp_seq, s->fp_n, &s->fp_batch, err);
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

int cb_fp_forget(struct cb_store *s, int64_t seq, struct cb_err *err)
{
	struct cb_stmt *get = NULL, *find = NULL, *put = NULL;
	uint8_t fp[16], *rest = NULL;
	int r = CB_DB_DONE, rc = CB_OK;
	bool found = false;
	if (cb_db_prepare(s->db, "SELECT fingerprint FROM cases WHERE seq = ?1", &get, NULL) != CB_OK ||
	    cb_db_prepare(s->db, "SELECT id, fps FROM fingerprint_batches WHERE first_seq <= ?1 AND last_seq >= ?1", &find, NULL) != CB_OK ||
	    cb_db_prepare(s->db, "UPDATE fingerprint_batches SET fps = ?2 WHERE id = ?1", &put, NULL) !=
		    CB_OK) {
		rc = cb_store_db_err(s->db, err, "fingerprints");
		goto out;
	}
	cb_db_bind_int64(get, 1, seq);
	if (cb_db_step(get) != CB_DB_ROW || cb_db_column_bytes(get, 0) != 16)
		goto out; /* typed in, not imported: nothing to forget */
	memcpy(fp, cb_db_column_blob(get, 0), 16);
	cb_db_bind_int64(find, 1, seq);
	/* a seq freed by an erase may be given again, so more than one batch can cover it */
	while (!found && (r = cb_db_step(find)) == CB_DB_ROW) {
		const uint8_t *fps = cb_db_column_blob(find, 1);
		size_t n = (size_t)cb_db_column_bytes(find, 1) / 16 * 16;
		for (size_t i = 0; i < n && !found; i += 16) {
			if (memcmp(fps + i, fp, 16) != 0)
				continue;
			found = true;
			/* the batch without it (the last fingerprint into its place: order means nothing) */
			if (!(rest = malloc(n))) {
				rc = cb_err_set(err, CB_ENOMEM, "out of memory");
				goto out;
			}
			memcpy(rest, fps, n - 16);
			if (i < n - 16)
				memcpy(rest + i, fps + n - 16, 16);
			cb_db_bind_int64(put, 1, cb_db_column_int64(find, 0));
			cb_db_bind_blob(put, 2, rest, (int)(n - 16), false);
			if (cb_db_step(put) != CB_DB_DONE)
				rc = cb_store_db_err(s->db, err, "fingerprints");
		}
	}
	if (!found && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	cb_fp_discard(s); /* the in-memory set still holds it */
out:
	cb_db_finalize(&get);
	cb_db_finalize(&find);
	cb_db_finalize(&put);
	free(rest);
	return rc;
}

int cb_fp_migrate(struct cb_db *db, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	uint8_t(*fps)[16] = NULL;
	int64_t *seqs = NULL;
	size_t n = 0, cap = 0;
	int r, rc = CB_OK;
	if (cb_db_prepare(db, "SELECT seq, fingerprint FROM cases WHERE length(fingerprint) = 16 ORDER BY seq",
			       &st, NULL) != CB_OK)
		return cb_store_db_err(db, err, "fingerprints");
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW) {
		if (grow(&fps, &seqs, n, &cap) != CB_OK) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			break;
		}
		seqs[n] = cb_db_column_int64(st, 0);
		memcpy(fps[n++], cb_db_column_blob(st, 1), 16);
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(db, err, "fingerprints");
	cb_db_finalize(&st);
	if (rc == CB_OK && n > 0)
		rc = put_batches(db, (const uint8_t(*)[16])fps, seqs, n, NULL, err);
	free(fps);
	free(seqs);
	return rc;
}

int cb_fp_check(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_count16 stored = {0};
	struct cb_stmt *st = NULL;
	long missing = 0, unknown = 0; /* unknown: damaged batches, counted once each */
	int r = CB_DB_DONE, rc = read_batches(s->db, 0, &stored, NULL, &unknown, err);
	if (rc == CB_OK &&
	    cb_db_prepare(s->db, "SELECT fingerprint FROM cases WHERE fingerprint IS NOT NULL", &st, NULL) !=
		    CB_OK)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW) {
		if (cb_db_column_bytes(st, 0) != 16 || !cb_count16_get(&stored, cb_db_column_blob(st, 0)))
			missing++;
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "fingerprints");
	cb_db_finalize(&st);
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
