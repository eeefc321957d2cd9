/*
 * store_impl.h -- what the files of src/store/ share: the store's state and its transaction helpers.
 * Internal: nothing outside src/store/ includes this (the public interface is store.h).
 */
#ifndef CB_STORE_IMPL_H
#define CB_STORE_IMPL_H

#include <stdio.h>

#include <sqlite3.h>

#include "crypto/blind.h"
#include "store/db.h"

#include "crypto/crypto.h"
#include "store/audit.h"
#include "store/store.h"

#define PII_FORMAT 1   /* first byte of a packed blob */
#define CACHE_NORMAL 16384 /* KiB: 16 MiB */
#define CACHE_BULK 262144  /* KiB: 256 MiB while a bulk batch runs */
#define CACHE_LOAD_MIN 8192 /* KiB: a load that said how large it is (cb_store_load_expect) gets this... */
#define CACHE_LOAD_ROW 64   /* ...plus this many bytes per case (stored or expected): room for the id index */
#define SCRATCH 4096   /* room for the text of one DATE or MULTI field */

/* Result columns of a case SELECT (select_cols), then one per column field in `cols` order. */
enum { C_SEQ, C_ID, C_VERSION, C_PII, C_FIELDS };
/* Parameters of the insert (P_) and update (U_) statements, then one per column field. */
enum { P_ID = 1, P_VERSION, P_CREATED, P_UPDATED, P_RECORD_KEY, P_FP, P_PII, P_FIELDS };
enum { U_UPDATED = 1, U_ID, U_REPLACE_PII, U_PII, U_FIELDS };

/* Secrets live in sodium_malloc memory (locked, guarded, wiped on free).  These are derived from the master
 * key when the store opens, and read-only after that (sodium_mprotect_readonly).  The master key itself is
 * held only while the store opens, in memory of the same kind, and freed (wiped) before cb_store_open
 * returns. */
struct cb_store_secrets {
	uint8_t fpkey[CB_KEY_BYTES]; /* BLAKE2b (files from before fp_siphash) or SipHash-128 key */
	uint8_t kek[CB_KEY_BYTES];   /* wraps case keys (cb_wrap_key_derive) */
	uint8_t audit[CB_KEY_BYTES]; /* keys the audit trail's hashes (audit.c) */
	struct cb_blind_keys blind;  /* blind-index tokens and linkage encodings (tokens.c) */
};

struct cb_store {
	struct cb_db *db, *kdb;
	char *path;
	bool readonly, bulk, erased; /* erased: an erase happened in the open bulk batch */
	bool loading;  /* inside cb_store_load_begin..end: the bulk page cache stays */
	bool audited;  /* between cb_store_act_begin and _end: the calls join the act's transaction */
	bool rollback; /* ...and both files run in rollback-journal mode (store.c) */
	long erasures_finished; /* interrupted erasures the open finished (cb_store_erasures_finished) */
	/* Import fingerprints (fingerprints.c): fps holds every stored one as of batch fp_batch, read again in
	 * each write transaction that looks one up (fp_synced); fp_new the ones this transaction wrote. */
	struct cb_count16 fps;
	bool fp_siphash; /* meta fingerprint_hash = siphashx24 (every file created since it existed) */
	int64_t fp_batch;
	bool fp_synced;
	uint8_t (*fp_new)[16];
	int64_t *fp_seq; /* the seq of each case in fp_new */
	size_t fp_n, fp_cap;
	struct cb_store_secrets *sec;
	uint8_t *casekey; /* the case key in use, CB_KEY_BYTES of sodium_malloc memory: wiped after each use */
	const struct cb_field *cols[CB_NFIELDS]; /* fields with a column, in cb_fields[] order */
	int ncols;
	char *select_cols; /* "seq, case_id, version, pii, "f1", ..." */
	struct cb_stmt *ins, *get, *ver, *upd, *del, *clear_pii, *ev, *meta_get, *meta_set;
	struct cb_stmt *key_ins, *key_get, *key_del;
	struct cb_stmt *audit_ins; /* audit.c's, made on first use */
	struct cb_stmt *user_by_id, *glass_open; /* user_rows.c's, asked by every case read: made on first use */
	/* the "cases changed" hook (changes.c): the ids the open transaction changed, handed over at its commit */
	cb_change_fn on_change;
	void *on_change_ctx;
	uint8_t (*changed)[16];
	size_t nchanged, changed_cap;
	bool changed_all; /* out of memory while keeping them: anything may have changed */
	struct cb_wal_hook *wal_hook; /* cb_store_wal_hook's (checkpoint.c), freed with the store */
	struct cb_keywriter *kw; /* inside a load: the thread that inserts case keys (keywriter.c) */
	struct cb_prepared *prep; /* cb_store_add's, made on first use */
	struct cb_tokens *tokens; /* the blind index's statements (tokens.c), made on first use */
	struct cb_bulk_pg *bulk_pg; /* PostgreSQL: new cases of a batch as one COPY (bulk_pg.c), made on first use */
	struct cb_buf pack; /* plaintext identifying details: wiped after use */
	uint8_t *sealed;    /* ciphertext, reused */
	size_t sealed_cap;
	uint8_t *plain; /* unsealed identifying details: wiped after use */
	size_t plain_cap;
	char (*scratch)[SCRATCH]; /* formatted DATE and MULTI values while a statement is bound */
	/* What the field parameters of ins / upd are bound to now: bindings survive sqlite3_reset, so a NULL or a
	 * coded value already bound need not be bound again row after row (most fields of most cases are
	 * missing, and many repeat the previous case's value).  records.c, bind_fields. */
	struct cb_bound {
		uint8_t state; /* BOUND_UNKNOWN, BOUND_NULL or BOUND_VALUE (v) */
		int32_t v;
	} ins_bound[CB_NFIELDS], upd_bound[CB_NFIELDS];
};

/* Import fingerprints (fingerprints.c).  Inside a write transaction: is fp stored (or written by this
 * transaction)?  */
int cb_fp_seen(struct cb_store *s, const uint8_t fp[16], bool *seen, struct cb_err *err);
/* Records fp as written by this transaction, for the case at seq. */
int cb_fp_add(struct cb_store *s, int64_t seq, const uint8_t fp[16], struct cb_err *err);
/* Before the transaction commits: what it wrote, as batches. */
int cb_fp_flush(struct cb_store *s, struct cb_err *err);
/* After a rollback (or on any doubt): forgets what is in memory; the batches are read again when needed. */
void cb_fp_discard(struct cb_store *s);
/* erase --all, in its transaction, before the row goes: the fingerprint of the case at seq leaves its batch. */
int cb_fp_forget(struct cb_store *s, int64_t seq, struct cb_err *err);
/* Schema step 4: the fingerprints of the cases table as the first batches. */
int cb_fp_migrate(struct cb_db *db, struct cb_err *err);
/* check: every imported case has its fingerprint stored, and the batches are whole. */
int cb_fp_check(struct cb_store *s, FILE *out, long *problems, struct cb_err *err);

/* The key-writing thread of a load (keywriter.c).  start: CB_ENOMEM leaves s->kw NULL (keys are then inserted
 * by the caller).  push: hands a key over, inside a bulk batch.  drain: waits until every key handed over is
 * inserted, before any other use of s->kdb; returns the first failure since the last reset (which forgets
 * it: a rollback).  stop: drains and ends the thread. */
int cb_keywriter_start(struct cb_store *s);
int cb_keywriter_push(struct cb_store *s, int64_t seq, const uint8_t id[16],
		      const uint8_t wrapped[CB_WRAPPED_KEY_BYTES], struct cb_err *err);
int cb_keywriter_drain(struct cb_store *s, bool reset, struct cb_err *err);
void cb_keywriter_stop(struct cb_store *s);
/* Whether every key handed over is inserted (true without a thread): what a use of s->kdb relies on. */
bool cb_keywriter_idle(struct cb_store *s);

/* New cases of a bulk batch on PostgreSQL (bulk_pg.c).  claim: for a case about to be added with this id,
 * *seq > 0 when it goes by *ins (rows kept back for one COPY, its seq bound last, fields bound through
 * *bound); *seq == 0: the ordinary INSERT (not PostgreSQL, no batch, or the id may be stored).  end: the batch
 * is over (committed or not).  free: with the store. */
struct cb_bulk_pg;
int cb_bulk_pg_claim(struct cb_store *s, const uint8_t id[16], struct cb_stmt **ins, struct cb_bound **bound,
		     int64_t *seq, struct cb_err *err);
void cb_bulk_pg_end(struct cb_store *s);
void cb_bulk_pg_free(struct cb_store *s);

/* The "cases changed" hook (changes.c): changed records that case id was written in the open transaction;
 * changes_notify, just before the commit, tells other servers (PostgreSQL: NOTIFY; nothing on SQLite);
 * changes_end hands what was recorded to the hook when the transaction committed and forgets it either way;
 * changes_free frees the list (cb_store_free). */
void cb_store_changed(struct cb_store *s, const uint8_t id[16]);
int cb_store_changes_notify(struct cb_store *s, struct cb_err *err);
void cb_store_changes_end(struct cb_store *s, bool committed);
void cb_store_changes_free(struct cb_store *s);
/* Reading casework's child records (care_rows.c): one kind of record -- its queries, its row reader, its
 * init and clear -- read by id or listed by case, the same code for every kind.  rec is the caller's record,
 * initialised first and cleared on failure (get) or at the end (list); fn gets it for each row, oldest first,
 * and stops the list with a non-zero return. */
struct cb_rows {
	const char *what;    /* "assistance record": "no assistance record 7" */
	const char *table;   /* for the database's errors */
	const char *by_id;   /* ... WHERE id = ?1 */
	const char *by_case; /* ... WHERE case_id = ?1 ORDER BY id */
	int (*row)(struct cb_store *s, struct cb_stmt *st, unsigned flags, void *rec, struct cb_err *err);
	void (*init)(void *rec), (*clear)(void *rec);
};
int cb_rows_get(struct cb_store *s, const struct cb_rows *k, int64_t id, unsigned flags, void *out, struct cb_err *err);
int cb_rows_list(struct cb_store *s, const struct cb_rows *k, const uint8_t case_id[16], unsigned flags, void *rec,
		 int (*fn)(const void *rec, void *ctx), void *ctx, struct cb_err *err);
/* The highest seq of the cases table (-1 on failure, 0 when empty). */
long long cb_store_max_seq(struct cb_store *s);
/* Deletes case keys above every case, left by a batch that failed (store.c); how many went. */
long cb_store_sweep_keys(struct cb_store *s);
/* TRUNCATE checkpoints of both files: erased pages leave the WAL files too (tx.c). */
void cb_store_truncate_wal(struct cb_store *s);
/* After an erasure's commit on DB: destroys the keys it left to destroy (cb_store_finish_erasures) and
 * checkpoints both files (TRUNCATE); inside a bulk batch, both happen after its commit. */
int cb_store_erased(struct cb_store *s, struct cb_err *err);
/* Destroys the keys of erasures committed on DB (records.c: "erasure"), and forgets them.  own: in a
 * transaction of its own, else in the caller's (which holds DB's write lock).  *n (may be NULL): how many. */
int cb_store_finish_erasures(struct cb_store *s, bool own, long *n, struct cb_err *err);
/* Steps a statement that returns no rows and resets it: CB_OK or SQLite's error code. */
int cb_store_step_done(struct cb_stmt *st);
/* CB_EDB with SQLite's message for db (CB_EFULL when the disk is full). */
int cb_store_db_err(struct cb_db *db, struct cb_err *err, const char *what);
/* The one way the store prepares a statement: sql on db, with sqlite3_prepare_v3's flags
 * (SQLITE_PREPARE_PERSISTENT for the statements a store keeps open); on failure what it was for and SQLite's
 * message, as cb_store_db_err says them. */
int cb_store_prep(struct cb_db *db, const char *what, unsigned flags, const char *sql, struct cb_stmt **st,
		  struct cb_err *err);

/* Shared by the files that read and write cases (records.c, pii.c, erase.c, check.c). */
/* Reads a case row of st (select_cols) into c; with out, reports problems there instead of failing (check). */
int cb_store_parse_row(struct cb_store *s, struct cb_stmt *st, struct cb_case *c, FILE *out, long *problems,
		       struct cb_err *err);
/* Grows *buf to at least need bytes (wiping the old memory when it held a secret). */
int cb_store_grow(uint8_t **buf, size_t *cap, size_t need, bool secret);
/* Packs and seals c's identifying details with key into *sealed (grown as needed; *n bytes), wiping the pack. */
int cb_store_seal_into(const uint8_t key[CB_KEY_BYTES], const struct cb_case *c, struct cb_buf *pack,
		       uint8_t **sealed, size_t *cap, size_t *n, struct cb_err *err);
/* Seals c's identifying details with s->casekey into s->sealed (*n bytes). */
int cb_store_seal_pii(struct cb_store *s, const struct cb_case *c, size_t *n, struct cb_err *err);
/* Opens a sealed blob into c's identifying details: CB_ENOTFOUND when the case key is gone (erased). */
int cb_store_open_pii(struct cb_store *s, int64_t seq, const uint8_t id[16], const void *blob, size_t n,
		      struct cb_case *c, struct cb_err *err);
/* The case key of the case at seq into s->casekey (CB_ENOTFOUND without one). */
int cb_store_load_key(struct cb_store *s, int64_t seq, const uint8_t id[16], struct cb_err *err);
/* The key for an update into s->casekey: the stored one, else a new one stored now. */
int cb_store_key_for_update(struct cb_store *s, int64_t seq, const uint8_t id[16], struct cb_err *err);
/* The stored version of id (in the open transaction), whether it has sealed details, its seq: CB_ENOTFOUND. */
int cb_store_stored_version(struct cb_store *s, const uint8_t id[16], int64_t *version, bool *has_pii, int64_t *seq,
			    struct cb_err *err);
/* Erasure's list of keys to destroy (erase.c): add one to pend, write pend to meta, is one listed. */
int cb_store_pending_add(struct cb_buf *pend, int64_t seq, const uint8_t id[16]);
int cb_store_pending_write(struct cb_store *s, const struct cb_buf *pend, struct cb_err *err);
bool cb_store_pending_has(struct cb_store *s, int64_t seq, const uint8_t id[16]);

/* Seals free text about case id with its case key (made now if the case has none yet; committed before the
 * caller's transaction, as for add), associated data `ad`: *out is malloc'd, *n bytes (records.c). */
int cb_store_seal_text(struct cb_store *s, const uint8_t id[16], const uint8_t *ad, size_t adlen, const char *text,
		       uint8_t **out, size_t *n, struct cb_err *err);
/* Opens one into a malloc'd NUL-terminated *text (the caller wipes it).  CB_ENOTFOUND when the case key is
 * gone (the case was erased), CB_ECORRUPT when it fails authentication. */
int cb_store_open_text(struct cb_store *s, const uint8_t id[16], const uint8_t *ad, size_t adlen, const void *blob,
		       size_t n, char **text, struct cb_err *err);
/* The registry of sealed columns (sealed.c): free text about a person in a child table's column, sealed with
 * the case key (associated data: case id, table, record id).  seal: stores text (NULL: NULL) into column `col`
 * of row `rowid` of `table`, a registered column.  unseal: opens column `col` of st's row into *text (NULL
 * when NULL or when the case key was destroyed); the caller frees it with cb_text_free. */
int cb_store_seal_column(struct cb_store *s, const uint8_t case_id[16], const char *table, const char *col,
			 int64_t rowid, const char *text, struct cb_err *err);
int cb_store_unseal_column(struct cb_store *s, const uint8_t case_id[16], const char *table, int64_t rowid,
			   struct cb_stmt *st, int col, char **text, struct cb_err *err);
/* True when a case has a sealed value in a registered column, which keeps its case key in use. */
bool cb_store_sealed_any(struct cb_store *s, const uint8_t id[16]);
/* Clears them all (erasure: without the key they are noise that only says there was something to hide). */
int cb_store_sealed_clear(struct cb_store *s, const uint8_t id[16], struct cb_err *err);

/* Dates and value names in columns: a date as YYYY-MM-DD text, or NULL for CB_NA; a column's date or value
 * index, CB_NA when NULL, -2 for what does not parse (never a real code: the caller answers CB_ECORRUPT). */
void cb_store_bind_date(struct cb_stmt *st, int p, int32_t day);
int32_t cb_store_col_date(struct cb_stmt *st, int col);
int32_t cb_store_col_value(struct cb_stmt *st, int col, enum cb_vset_id vs);

struct cb_audit_entry;
/* The audit trail's key, derived from the master key (audit.c). */
void cb_audit_subkey(const uint8_t master[CB_KEY_BYTES], uint8_t key[CB_KEY_BYTES]);
/* Registers the SQL function cb_audit_seal() on DB, which migration step 2 calls to chain the rows copied
 * from the old events table (audit.c). */
int cb_audit_attach(struct cb_store *s, struct cb_err *err);
/* The chain head of a new, empty trail, which SQLite's migration step 2 writes (PostgreSQL: at creation). */
int cb_audit_start(struct cb_store *s, struct cb_err *err);
/* cb_store_event on behalf of a user of the server (user, from), or of the local operator (both NULL). */
int cb_store_event_as(struct cb_store *s, const char *user, const char *from, const char *action,
		      const uint8_t *case_id, const char *detail, struct cb_err *err);

#endif
