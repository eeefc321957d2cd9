/*
 * store.h -- the case database on SQLite: open, migrate, add, read, update, erase, scan, check.
 *
 * Files of a database DB:
 *   DB            SQLite in WAL mode: coded fields as columns (one per cb_fields.h row, named after it),
 *                 identifying details as one sealed blob per case, record keys for statistics, events.
 *   DB.casekeys   SQLite key store: one wrapped key per case.  Kept apart so that erasing a case destroys
 *                 its key everywhere copies of DB went (backups, exports of the file).  Back it up on its own,
 *                 with short retention.
 *   DB.key        the master key (see crypto.h), or the file named by $CASEBANK_KEY_FILE.
 *
 * Writes: every change to a case is one transaction; bulk writers wrap many in cb_store_begin/commit.
 * Write order makes a crash harmless: a case key is committed before its case, and destroyed only after its
 * case's erasure (details cleared, audited) is committed, so a crash can leave an unused key (deleted by the
 * next read-write open) but never a case whose key is lost, nor an erasure that is not in the audit trail.
 *
 * Enum and multi-valued fields are stored by value name (multi: names joined by ';'), countries by alpha-2,
 * dates as YYYY-MM-DD: the file stays readable with the sqlite3 shell and survives codebook reordering.
 */
#ifndef CB_STORE_H
#define CB_STORE_H

#include <stdbool.h>
#include <stdio.h>

#include "codebook/codebook.h"

struct cb_store;
struct sqlite3;

#define CB_OPEN_READONLY 1u

/* The key file of a database: $CASEBANK_KEY_FILE if set, else DB.key.  Returns buf. */
const char *cb_store_keyfile(const char *db, char *buf, size_t n);

/* Creates DB, DB.casekeys and the key file (unless $CASEBANK_KEY_FILE names an existing one).
 * CB_EEXIST if the database exists. */
int cb_store_create(const char *path, struct cb_err *err);
/* Opens and migrates.  CB_ENOTFOUND if there is no database, CB_EKEY if the key is missing or wrong. */
int cb_store_open(const char *path, unsigned flags, struct cb_store **out, struct cb_err *err);
void cb_store_free(struct cb_store **s);
/* Whether s was opened read-only (every write then answers CB_EPERM). */
bool cb_store_readonly(const struct cb_store *s);

/* Bulk transactions.  Without one, each call below is its own transaction. */
int cb_store_begin(struct cb_store *s, struct cb_err *err);
int cb_store_commit(struct cb_store *s, struct cb_err *err);
void cb_store_rollback(struct cb_store *s);

/* A bulk load (import, demo): many bulk transactions in a row.  Keeps a large page cache from one batch to
 * the next and, when no other connection has either file open, runs both files in rollback-journal mode
 * (pages written once instead of WAL + checkpoint); cb_store_load_end (or cb_store_free) returns them to WAL.
 * Crash safety is the same as outside a load.  `exclusive` (may be NULL) tells which mode was taken. */
int cb_store_load_begin(struct cb_store *s, bool *exclusive, struct cb_err *err);
void cb_store_load_end(struct cb_store *s);
/* A hint for the open load: about `rows` cases will be written (sizes the page cache to the case-id index). */
void cb_store_load_expect(struct cb_store *s, long rows);

/* Adds a case: derives, validates, assigns an id if c->case_id is zero, draws its secret record key,
 * seals its identifying details.  `fingerprint` (16 bytes, or NULL) marks where an imported row came from:
 * a row whose fingerprint or case id is already stored is CB_EEXIST and nothing is written. */
int cb_store_add(struct cb_store *s, struct cb_case *c, const uint8_t *fingerprint, struct cb_err *err);

/* cb_store_add in two steps, for pipelines.  cb_store_prepare does everything that needs no database:
 * derives and validates c, assigns an id if c->case_id is zero (c gets it too), draws the record key and a
 * case key, seals c's identifying details, wraps the case key.  It keeps the result (coded fields, sealed
 * blob, wrapped key; no identifying detail in plain text) in p, which has its own buffers: it may run on
 * another thread than the store's SQLite calls, as long as each thread uses its own p.  cb_store_write then
 * stores p (SQLite only) with the same results as cb_store_add. */
struct cb_prepared;
struct cb_prepared *cb_prepared_new(void); /* NULL when out of memory */
void cb_prepared_free(struct cb_prepared **p);
int cb_store_prepare(struct cb_store *s, struct cb_case *c, const uint8_t *fingerprint, struct cb_prepared *p,
		     struct cb_err *err);
int cb_store_write(struct cb_store *s, struct cb_prepared *p, struct cb_err *err);
/* A hint that p will be written soon: starts loading what cb_store_write will look up for it. */
void cb_store_write_ahead(struct cb_store *s, const struct cb_prepared *p);

/* One call's transaction, for the layers above that write several rows and their audit entry as one act:
 * BEGIN IMMEDIATE (nothing inside a bulk batch or an act of cb_store_act_begin, store/audit.h, which it
 * joins); end commits on CB_OK, else rolls back, and returns the final code.  Every cb_store_* write inside
 * joins it. */
int cb_store_tx_begin(struct cb_store *s, struct cb_err *err);
int cb_store_tx_end(struct cb_store *s, int rc, struct cb_err *err);

#define CB_WITH_PII 1u
/* Reads a case; identifying details only with CB_WITH_PII.  CB_ENOTFOUND if absent or erased. */
int cb_store_get(struct cb_store *s, const uint8_t id[16], unsigned flags, struct cb_case *out, struct cb_err *err);

/* Replaces the stored case c->case_id with c.  CB_ECONFLICT if the stored version is not
 * c->version (somebody changed it first); on success c->version is the new version.  Identifying details
 * are replaced only when the case carries any or `flags` has CB_WITH_PII (then NULL clears). */
int cb_store_update(struct cb_store *s, struct cb_case *c, unsigned flags, struct cb_err *err);

/* The fields the store keeps (CB_F_STORE: case_stage, assistance_type, referral_partner_type) and status,
 * from c, onto stored case c->case_id, inside the caller's transaction: written, and the version bumped, only
 * when one of them differs from what is stored.  Only casework (care/) moves them: assist.h says when. */
int cb_store_update_kept(struct cb_store *s, const struct cb_case *c, struct cb_err *err);

/* Destroys the case key (identifying details become unrecoverable) and, with `all`, the coded record; each
 * erasure is audited.  A crash midway leaves erasures recorded whose keys are still there (they open nothing
 * in DB any more): the next read-write open destroys them. */
int cb_store_erase(struct cb_store *s, const uint8_t id[16], bool all, struct cb_err *err);
/* The same for n cases, many to a transaction (the retention run); *done (may be NULL): how many were erased
 * when it stopped. */
int cb_store_erase_many(struct cb_store *s, const uint8_t (*ids)[16], size_t n, bool all, size_t *done,
			struct cb_err *err);
/* How many erasures a crash had interrupted were finished when s was opened (read-write). */
long cb_store_erasures_finished(struct cb_store *s);

struct cb_store_filter {
	const char *site; /* NULL: any */
	int32_t status;   /* CB_NA: any */
};
typedef int (*cb_case_fn)(const struct cb_case *c, void *ctx);
/* Calls fn for every case matching f (NULL: all) in registration order; stops at fn's first non-zero
 * return and returns it. */
int cb_store_scan(struct cb_store *s, const struct cb_store_filter *f, unsigned flags, cb_case_fn fn, void *ctx,
		  struct cb_err *err);
long cb_store_count(struct cb_store *s);

/* One page of the case list (list.c): the summary columns of the cases matching f (NULL: all), newest
 * registration first.  Texts are as stored, NULL where missing; they live only for the call of fn. */
struct cb_store_list_filter {
	const char *site;          /* NULL: any office */
	const char *status;        /* a status value's name; NULL: any */
	const uint8_t *id_lo, *id_hi; /* both set: only case ids in [id_lo, id_hi] (16 bytes each) */
	const char *assigned_to;   /* only cases assigned to this account; NULL: any */
	int sort;                  /* cb_store_list_order; 0: registration */
	bool descending;           /* for sort > 0 (registration is always newest first) */
};
/* The sort order named ("registered", "site", "status", "stage", "age", "gender", "assigned"), or -1. */
int cb_store_list_order(const char *name);
struct cb_store_list_row {
	const uint8_t *id; /* 16 bytes */
	const char *site;
	const char *registered_on;
	int year; /* CB_NA if missing */
	const char *status;
	int64_t version;
	const char *gender, *stage, *assigned_to; /* NULL when missing */
	int age; /* age at registration, CB_NA if missing */
};
typedef int (*cb_list_fn)(const struct cb_store_list_row *row, void *ctx);
/* Sets *total (may be NULL) to how many cases match, then calls fn for at most limit of them, skipping the
 * first offset; stops at fn's first non-zero return and returns it.  CB_EDB (CB_EFULL) if SQLite fails. */
int cb_store_list(struct cb_store *s, const struct cb_store_list_filter *f, long offset, long limit,
		  cb_list_fn fn, void *ctx, long *total, struct cb_err *err);
/* The secret record key (0..255) of a stored case, for a resident statistics index (cb_index_upsert).
 * CB_ENOTFOUND if there is no such case. */
int cb_store_record_key(struct cb_store *s, const uint8_t id[16], uint8_t *key);

/* Integrity check plus codebook validation of every row; one line per problem on out.  Sets *problems. */
int cb_store_check(struct cb_store *s, FILE *out, long *problems, struct cb_err *err);

/* A keyed fingerprint (16 bytes) of an imported row, so the same row imported twice is recognised without
 * storing anything that could be reversed to the row. */
void cb_store_fingerprint(struct cb_store *s, const void *data, size_t n, uint8_t out[16]);

/* Records an event (who did what): actions such as "export.identifiers", "erase".  Never values. */
int cb_store_event(struct cb_store *s, const char *action, const uint8_t *case_id, const char *detail,
		   struct cb_err *err);

/* The privacy ledger of statistical releases (releases.c): one row per measurement of a registration year.
 * data is the synthetic caseload drawn from it (stats/release.c encodes it); digest says which state of
 * the year's cases it measured.  Rows are never changed or removed. */
struct cb_release_row {
	int64_t id;
	int year;
	int64_t made_at; /* seconds since 1970 */
	double rho;      /* zCDP budget spent */
	int64_t cases;   /* synthetic records (a noisy count, publishable) */
	const uint8_t *digest; /* 16 bytes, or NULL */
	const char *actor;
	const void *data;
	size_t len;
	bool capped;     /* add only: refuse the row (CB_EPERM) if the year's rho would then exceed cap */
	double cap;
};
typedef int (*cb_release_fn)(const struct cb_release_row *r, void *ctx);
/* Whether a release of rho keeps a year that has spent `spent` within its cap (a relative 1e-9 of slack: rho
 * sums in floating point).  The statistics check it before measuring, the store again in the transaction
 * that adds the release. */
static inline bool cb_release_fits(double spent, double rho, double cap) { return spent + rho <= cap * (1 + 1e-9); }
/* Appends a row and its audit entry ("stats.release", as actor: NULL for the local operator) in one
 * transaction; sets r->id.  With capped, the year's spending is checked in that transaction, so that
 * releases made at the same time cannot together exceed the cap. */
int cb_store_release_add(struct cb_store *s, struct cb_release_row *r, struct cb_err *err);
/* Rows in year, id order: every row (latest false) or each year's newest; data only with with_data. */
int cb_store_releases(struct cb_store *s, bool latest, bool with_data, cb_release_fn fn, void *ctx,
		      struct cb_err *err);
/* The newest release id (0 for none): a resident server reloads its statistics when it changes. */
int cb_store_release_newest(struct cb_store *s, int64_t *id, struct cb_err *err);

/* Small settings kept in the database (policy, ptable parameters).  get: CB_ENOTFOUND if unset; *out
 * is malloc'd. */
int cb_store_meta_get(struct cb_store *s, const char *key, char **out);
int cb_store_meta_set(struct cb_store *s, const char *key, const char *value, struct cb_err *err);

/* "Cases changed": fn(ctx, id) is called after each commit on s, once for every case the committed
 * transaction added, changed or erased (id NULL: any case may have changed), in the committing thread, after
 * the write lock is let go.  One hook per handle; NULL removes it.  The layers above register what must follow
 * a change (the server's statistics index) here, instead of the store calling up. */
typedef void (*cb_change_fn)(void *ctx, const uint8_t *id);
void cb_store_on_change(struct cb_store *s, cb_change_fn fn, void *ctx);

/* Other processes' changes (listen.c): a thread with a connection of its own calls fn(ctx, id) for each case
 * another process (or handle) committed a change of, fn(ctx, NULL) when any case may have changed.
 * PostgreSQL: LISTEN on CB_CHANGES_CHANNEL, the ids arrive as their transactions commit (within
 * CB_CHANGES_DELAY_MS of the commit when the listener is connected); after a lost connection it connects
 * again, listens again and calls fn(ctx, NULL), as notifications sent meanwhile are lost.  SQLite: it checks
 * the file's change counter (PRAGMA data_version) every CB_CHANGES_DELAY_MS and calls fn(ctx, NULL) when
 * another connection committed.  fn runs on the listener's thread. */
#define CB_CHANGES_CHANNEL "casebank_cases"
#define CB_CHANGES_DELAY_MS 1000
struct cb_listener;
int cb_listener_start(const char *db, cb_change_fn fn, void *ctx, struct cb_listener **out, struct cb_err *err);
void cb_listener_stop(struct cb_listener **l); /* waits for a call of fn in progress */

/* Checkpoints on the caller's schedule (checkpoint.c).  wal_hook: after each commit on s, fn(ctx, pages now in
 * the write-ahead log) runs in the committing thread instead of SQLite's automatic checkpoint.  checkpoint:
 * a passive one, or with `truncate` one that restarts the log, waiting up to wait_ms for readers; CB_EDB
 * when they outlasted it. */
int cb_store_wal_hook(struct cb_store *s, void (*fn)(void *ctx, int pages), void *ctx);
int cb_store_checkpoint(struct cb_store *s, bool truncate, int wait_ms);

/* The SQLite handle: for tests that tamper with the file on purpose.  Nothing in src/ above the store uses it
 * (scripts/layers.sh). */
struct sqlite3 *cb_store_db(struct cb_store *s);

#endif
