/*
 * tx.c -- transactions of an open store: one call's (cb_store_tx_begin/end), bulk batches (cb_store_begin,
 * commit, rollback) and bulk loads (cb_store_load_begin/end: a large page cache and, with the files to
 * itself, rollback-journal mode).  Split from store.c, whose top comment explains the write order kept here:
 * keys commit before their cases.
 */
#include <stdio.h>
#include <string.h>

#include "store/schema.h"
#include "store/store_impl.h"

#define LOAD_JOURNAL "truncate" /* journal mode of a bulk load with the files to itself */

static void set_cache(struct cb_store *s, long kib)
{
	char sql[64];
	cb_keywriter_drain(s, false, NULL); /* kdb is ours again (an error stays for the commit) */
	if (!cb_db_sqlite(s->db)) /* SQLite's page cache; PostgreSQL's shared buffers are the server's */
		return;
	snprintf(sql, sizeof sql, "PRAGMA cache_size=-%ld", kib);
	cb_db_exec(s->db, sql);
	cb_db_exec(s->kdb, sql);
}

/* ---- transactions
 *
 * Outside a bulk batch every call opens its own transaction on DB with BEGIN IMMEDIATE (takes the write lock
 * at once, so the version check and the write see the same data) and key-store statements autocommit, which
 * puts each key-store commit before the DB commit that follows it. */

int cb_store_begin(struct cb_store *s, struct cb_err *err)
{
	int rc;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if (s->bulk)
		return cb_err_set(err, CB_EINVAL, "a bulk transaction is already open");
	if ((rc = cb_schema_exec(s->kdb, "BEGIN IMMEDIATE", err)) != CB_OK)
		return rc;
	if ((rc = cb_schema_exec(s->db, "BEGIN IMMEDIATE", err)) != CB_OK) {
		cb_db_exec(s->kdb, "ROLLBACK");
		return rc;
	}
	/* a large page cache while the batch runs: the id and fingerprint indexes take random inserts (a bulk
	 * load has set it already, for all its batches: shrinking it would throw the cached pages away) */
	if (!s->loading)
		set_cache(s, CACHE_BULK);
	s->bulk = true;
	s->erased = false;
	return CB_OK;
}

void cb_store_truncate_wal(struct cb_store *s)
{
	/* TRUNCATE: pages holding erased keys and blobs must leave the WAL files, not just be superseded
	 * (SQLite; PostgreSQL's own VACUUM and checkpoints see to its files) */
	if (cb_db_sqlite(s->db)) {
		sqlite3_wal_checkpoint_v2(cb_db_sqlite(s->kdb), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_wal_checkpoint_v2(cb_db_sqlite(s->db), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
}

static void end_bulk(struct cb_store *s)
{
	s->bulk = false;
	cb_bulk_pg_end(s);
	if (!s->loading)
		set_cache(s, CACHE_NORMAL);
}

int cb_store_commit(struct cb_store *s, struct cb_err *err)
{
	int rc;
	if (!s->bulk)
		return cb_err_set(err, CB_EINVAL, "no bulk transaction is open");
	/* keys first: see the top of this file */
	if ((rc = cb_keywriter_drain(s, false, err)) != CB_OK || (rc = cb_fp_flush(s, err)) != CB_OK ||
	    (rc = cb_store_changes_notify(s, err)) != CB_OK || (rc = cb_schema_exec(s->kdb, "COMMIT", err)) != CB_OK) {
		cb_store_rollback(s);
		return rc;
	}
	if ((rc = cb_schema_exec(s->db, "COMMIT", err)) != CB_OK) {
		cb_store_rollback(s);
		cb_store_sweep_keys(s); /* the batch's keys are committed, its cases are not: the keys go */
		return rc;
	}
	end_bulk(s);
	if (s->erased) /* committed: a key left over is destroyed by the next open */
		cb_store_erased(s, NULL);
	cb_store_changes_end(s, true);
	return CB_OK;
}

void cb_store_rollback(struct cb_store *s)
{
	if (!s || !s->bulk)
		return;
	if (cb_db_in_tx(s->db))
		cb_db_exec(s->db, "ROLLBACK");
	cb_keywriter_drain(s, true, NULL);
	if (cb_db_in_tx(s->kdb))
		cb_db_exec(s->kdb, "ROLLBACK");
	end_bulk(s);
	cb_fp_discard(s); /* the batch's fingerprints are gone with it */
	cb_store_changes_end(s, false);
}

/* ---- bulk loads */

/* Sets the journal mode of one file; true if it is now in that mode.  SQLite leaves WAL only when no other
 * connection has the file open (it needs an exclusive lock for that), which is the test we want. */
static bool journal_mode(struct cb_db *db, const char *mode)
{
	char sql[64];
	struct cb_stmt *st = NULL;
	bool ok = false;
	if (!cb_db_sqlite(db)) /* PostgreSQL: its WAL is the server's */
		return false;
	snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", mode);
	if (cb_db_prepare(db, sql, &st, NULL) == CB_OK && cb_db_step(st) == CB_DB_ROW) {
		const char *now = (const char *)cb_db_column_text(st, 0);
		ok = now && sqlite3_stricmp(now, mode) == 0;
	}
	cb_db_finalize(&st);
	return ok;
}

int cb_store_load_begin(struct cb_store *s, bool *exclusive, struct cb_err *err)
{
	if (exclusive)
		*exclusive = false;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if (s->loading || s->bulk)
		return cb_err_set(err, CB_EINVAL, "a bulk load or transaction is already open");
	set_cache(s, CACHE_BULK);
	s->loading = true;
	cb_keywriter_start(s); /* if it cannot start, cb_store_write inserts the keys itself */
	if (journal_mode(s->kdb, LOAD_JOURNAL)) {
		if (journal_mode(s->db, LOAD_JOURNAL))
			s->rollback = true;
		else /* somebody has DB open: both files stay in WAL */
			journal_mode(s->kdb, "wal");
	}
	if (exclusive)
		*exclusive = s->rollback;
	return CB_OK;
}

void cb_store_load_end(struct cb_store *s)
{
	if (!s || !s->loading)
		return;
	if (s->bulk)
		cb_store_rollback(s);
	cb_keywriter_stop(s);
	if (s->rollback) { /* if this fails (busy), the next read-write open sets WAL */
		journal_mode(s->kdb, "wal");
		journal_mode(s->db, "wal");
		s->rollback = false;
	}
	s->loading = false;
	set_cache(s, CACHE_NORMAL);
}

/* The case-id index takes a random insert per case, so its pages should all stay in the cache; the table
 * pages are appended and written once, and a cache much larger than the index only costs fresh memory
 * (page faults) for every page of the load. */
void cb_store_load_expect(struct cb_store *s, long rows)
{
	if (!s->loading)
		return;
	long long stored = cb_store_max_seq(s);
	long long kib = CACHE_LOAD_MIN + ((stored > 0 ? stored : 0) + (rows > 0 ? rows : 0)) * CACHE_LOAD_ROW / 1024;
	set_cache(s, (long)(kib < CACHE_BULK ? kib : CACHE_BULK));
}

int cb_store_tx_begin(struct cb_store *s, struct cb_err *err)
{
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	return s->bulk || s->audited ? CB_OK : cb_schema_exec(s->db, "BEGIN IMMEDIATE", err);
}

int cb_store_tx_end(struct cb_store *s, int rc, struct cb_err *err)
{
	if (s->bulk || s->audited)
		return rc;
	if (rc == CB_OK && (rc = cb_fp_flush(s, err)) == CB_OK && (rc = cb_store_changes_notify(s, err)) == CB_OK)
		rc = cb_schema_exec(s->db, "COMMIT", err);
	if (rc != CB_OK) {
		if (cb_db_in_tx(s->db))
			cb_db_exec(s->db, "ROLLBACK");
		cb_fp_discard(s);
	}
	cb_store_changes_end(s, rc == CB_OK);
	return rc;
}

int cb_store_erased(struct cb_store *s, struct cb_err *err)
{
	if (s->bulk) {
		s->erased = true;
		return CB_OK;
	}
	int rc = cb_store_finish_erasures(s, true, NULL, err);
	cb_store_truncate_wal(s);
	return rc;
}

long cb_store_erasures_finished(struct cb_store *s)
{
	return s->erasures_finished;
}

