/*
 * store.c -- opening and creating the case database, and the small helpers every file of src/store/ uses
 * (store.h; schema.c has the tables and migrations; records.c, pii.c, erase.c and check.c read and write
 * cases; tx.c holds the transactions).
 *
 * Two SQLite files, two connections.  DB holds the cases (coded fields as columns, identifying details as
 * one sealed blob per case); DB.casekeys holds one case key per case, wrapped with the master key, in the
 * slot of the case's seq (so a load appends keys in order; the case id beside it tells a stale key left by a
 * crash from the case's own, see records.c).  They are separate connections, not one ATTACHed transaction,
 * because a WAL-mode transaction across attached files is not atomic across them: instead we order the
 * commits ourselves.
 *
 * Write order, so that a crash is harmless:
 *   add/update   the case key is committed (DB.casekeys) before the case that uses it (DB).  A crash in
 *                between leaves an unused key, which `check` reports and the next read-write open deletes when
 *                it lies above every case (a batch that failed on a full disk leaves those).
 *   erase        the case's details are cleared (or the case deleted) and audited in DB, with its key slot
 *                listed as to destroy, before the key is deleted (records.c, "erasure").  A crash in between
 *                leaves a key that opens nothing any more, of an erasure already audited; the next read-write
 *                open destroys it.
 * So there is never a committed case whose key is lost by accident, nor an erasure without its audit entry.
 * Inside cb_store_begin..commit the same holds at batch level: cb_store_commit commits DB.casekeys first, then
 * DB, then destroys the keys of the batch's erasures.
 * A read-only open first lets SQLite recover a file a crash left half-written (a hot journal, a WAL), through
 * a short read-write connection, when it may write the file (recover()).
 *
 * Both files use journal_mode=WAL, synchronous=FULL (every commit is durable when it returns; with NORMAL a
 * power cut could drop a key-store commit while keeping the later case commit, breaking the order above; a
 * bulk batch commits once, so FULL costs a few fsyncs per batch), secure_delete=ON (deleted keys and blobs
 * are overwritten with zeros), and after an erase a TRUNCATE checkpoint so the old pages leave the WAL too.
 *
 * Bulk loads (cb_store_load_begin..end: import, demo) keep the large page cache from one batch to the next
 * and, if no other connection has either file open, switch both files to journal_mode=TRUNCATE (rollback
 * journal), still synchronous=FULL: pages appended to the file are then written once, where WAL writes them
 * to the WAL and again at the checkpoint.  SQLite leaves WAL only with an exclusive lock, so a file that a
 * server (or anybody) has open stays in WAL and the load simply runs in WAL.  The locking mode stays NORMAL,
 * so readers still see each committed batch between batches, and a process that opens the files during
 * the load puts them back in WAL (every read-write open sets WAL), which the load then follows.  Crash safety
 * is unchanged: each file's commit is atomic and durable on its own (a hot journal is rolled back by the
 * next connection), and DB.casekeys still commits before DB.  At the end both files return to WAL; if the
 * process dies first, the next read-write open does it.
 * Inside a load, the case keys of a batch are inserted by a thread of their own (keywriter.c), which is
 * drained before the key store is committed or used otherwise, so the order above holds as it is.
 * Import fingerprints are not indexed: each transaction appends the ones it wrote in batches, and imports
 * look them up in memory (fingerprints.c).
 *
 * Identifying details are packed as name\0value\0 pairs after a version byte (keyed by field NAME, so the
 * codebook may be reordered), sealed with the case key, associated data = case id.  Pack buffers are wiped.
 * No SQL text ever carries a value; no error message names anything but case ids, field names and codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/crypto.h"
#include "store/audit.h"
#include "store/schema.h"
#include "store/store_impl.h"
#include "store/tokens.h"

#define BUSY_MS 10000
#define CB_STR_(x) #x
#define CB_STR(x) CB_STR_(x)
#define FP_SUBKEY_ID 1     /* BLAKE2b fingerprints */
#define FP_SIP_SUBKEY_ID 2 /* SipHash fingerprints: a key of its own */
#define FP_SIPHASH "siphashx24"
#define SWEEP_CHUNK 256 /* unused keys deleted per transaction (sweep_keys) */
#define WAL_LIMIT 16777216 /* bytes a WAL file is cut back to when it starts over */

/* ---- small helpers */

int cb_store_db_err(struct cb_db *db, struct cb_err *err, const char *what)
{
	/* a full disk (CB_EFULL) and a lost server (CB_EUNAVAIL) are told apart: the server answers 503 */
	return cb_db_err(db, err, what);
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static char *path_with(const char *db, const char *suffix)
{
	size_t n = strlen(db) + strlen(suffix) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s", db, suffix);
	return p;
}

const char *cb_store_keyfile(const char *db, char *buf, size_t n)
{
	const char *env = getenv("CASEBANK_KEY_FILE");
	if (env && *env)
		snprintf(buf, n, "%s", env);
	else if (cb_db_is_uri(db)) /* no file beside a server's database: the operator names one */
		snprintf(buf, n, "%s", "");
	else
		snprintf(buf, n, "%s.key", db);
	return buf;
}

/* With a PostgreSQL URI the key file must be named: it lives on the casebank hosts, never on the server. */
static int uri_keyfile(const char *path, struct cb_err *err)
{
	const char *env = getenv("CASEBANK_KEY_FILE");
	if (cb_db_is_uri(path) && !(env && *env))
		return cb_err_set(err, CB_EKEY, "a PostgreSQL database needs CASEBANK_KEY_FILE: the master key file's "
						"path on this host (casebank init creates it there)");
	return CB_OK;
}

/* Whether a PostgreSQL database holds a casebank schema (its meta table); false when it cannot tell. */
static bool pg_has_schema(struct cb_db *db)
{
	struct cb_stmt *st = NULL;
	bool yes = false;
	if (cb_db_prepare(db, "SELECT to_regclass('meta') IS NOT NULL::int", &st, NULL) == CB_OK &&
	    cb_db_step(st) == CB_DB_ROW)
		yes = cb_db_column_int64(st, 0) != 0;
	cb_db_finalize(&st);
	return yes;
}

int cb_store_prep(struct cb_db *db, const char *what, unsigned flags, const char *sql, struct cb_stmt **st,
		  struct cb_err *err)
{
	(void)flags; /* the seam prepares every statement to be kept (SQLITE_PREPARE_PERSISTENT) */
	if (cb_db_prepare(db, sql, st, NULL) != CB_OK)
		return cb_store_db_err(db, err, what);
	return CB_OK;
}

/* Steps a statement that returns no rows, then resets it. */
int cb_store_step_done(struct cb_stmt *st)
{
	int rc = cb_db_step(st);
	cb_db_reset(st);
	return rc == CB_DB_DONE ? CB_OK : rc;
}

/* The highest seq in a table (0 when empty), or -1. */
static long long max_seq_of(struct cb_db *db, const char *table)
{
	char sql[64];
	struct cb_stmt *st = NULL;
	long long n = -1;
	snprintf(sql, sizeof sql, "SELECT coalesce(max(seq), 0) FROM %s", table);
	if (cb_db_prepare(db, sql, &st, NULL) == CB_OK && cb_db_step(st) == CB_DB_ROW)
		n = cb_db_column_int64(st, 0);
	cb_db_finalize(&st);
	return n;
}

/* The highest seq in use (an upper bound on the number of cases, without counting them), or -1. */
long long cb_store_max_seq(struct cb_store *s)
{
	return max_seq_of(s->db, "cases");
}


/* ---- keys without a case
 *
 * Keys commit before their cases, so a batch whose commit on DB fails (a full disk) leaves its keys behind, in
 * slots above every case (a case's key lives in the slot of its seq, and seqs are handed out upwards).  They
 * are deleted right after the failure or, should that fail too (the disk is still full), by the next
 * read-write open.  Under DB's write lock: then no writer is between committing a key and committing its
 * case, so a key above the highest case is nobody's.  Returns how many went (0 when none, or on failure). */
long cb_store_sweep_keys(struct cb_store *s)
{
	long n = 0;
	CB_ASSERT(cb_keywriter_idle(s)); /* opening or failing outside a load: no key is on its way */
	long long top = cb_store_max_seq(s);
	if (top < 0 || max_seq_of(s->kdb, "casekeys") <= top) /* the usual case: nothing to do, no lock taken */
		return 0;
	if (cb_db_exec(s->db, "BEGIN IMMEDIATE") != CB_OK)
		return 0;
	/* a few hundred at a time, each its own small transaction with the WAL (if any) checkpointed after it:
	 * deleting needs room for a journal, and the disk may still be nearly full */
	struct cb_stmt *st = NULL;
	if ((top = cb_store_max_seq(s)) >= 0 &&
	    cb_db_prepare(s->kdb,
			       "DELETE FROM casekeys WHERE seq IN"
			       " (SELECT seq FROM casekeys WHERE seq > ?1 ORDER BY seq DESC LIMIT " CB_STR(SWEEP_CHUNK) ")", &st, NULL) == CB_OK) {
		cb_db_bind_int64(st, 1, top);
		while (cb_store_step_done(st) == CB_OK && cb_db_changes(s->kdb) > 0) {
			n += cb_db_changes(s->kdb);
			if (cb_db_sqlite(s->kdb)) /* SQLite: the WAL may not grow on a nearly full disk */
				sqlite3_wal_checkpoint_v2(cb_db_sqlite(s->kdb), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		}
	}
	cb_db_finalize(&st);
	cb_db_exec(s->db, "ROLLBACK"); /* nothing was written to DB: this only unlocks */
	return n;
}

/* ---- opening */

/* Once per process, before SQLite is used: no global memory statistics, which take a mutex around every
 * allocation (the writer of an import allocates for each row).  A program that used SQLite before us keeps
 * its settings (sqlite3_config then fails harmlessly). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* May this process write the file at path and create files beside it (a journal, -wal, -shm)? */
static bool writable(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
	bool ok = dir && access(path, W_OK) == 0;
	if (ok && slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	ok = ok && access(slash ? dir : ".", W_OK) == 0;
	free(dir);
	return ok;
}

/* A writer killed in the middle of a commit leaves a hot journal (rollback-journal mode, as a bulk load runs)
 * or a WAL without a valid index.  Rolling back or rebuilding those needs a connection that may write, so a
 * read-only open would fail ("attempt to write a readonly database") until somebody opened the file to write.
 * When one of those files is there and we may write, a read-write connection opens the file first and reads
 * from it, which makes SQLite recover it, and is closed again.  Best effort: if it fails, the read-only open
 * below says what to do. */
static void recover(const char *path)
{
	char *journal = path_with(path, "-journal"), *wal = path_with(path, "-wal");
	struct stat st;
	bool left = (journal && stat(journal, &st) == 0 && st.st_size > 0) || (wal && file_exists(wal));
	struct sqlite3 *h = NULL;
	if (left && writable(path) &&
	    sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, BUSY_MS);
		sqlite3_exec(h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
	}
	sqlite3_close(h);
	free(journal);
	free(wal);
}

static int open_conn(const char *path, bool readonly, bool create, struct cb_db **db, struct cb_err *err)
{
	if (cb_db_is_uri(path)) /* PostgreSQL: the server sees to durability and locking */
		return cb_db_open(path, readonly ? CB_DB_READONLY : 0, db, err);
	if (readonly)
		recover(path);
	if (cb_db_open(path, readonly ? CB_DB_READONLY : create ? CB_DB_CREATE : 0, db, err) != CB_OK)
		return cb_err_set(err, CB_EDB, "%s: cannot open: %s", path, err ? err->msg : "");
	struct sqlite3 *h = cb_db_sqlite(*db);
	sqlite3_busy_timeout(h, BUSY_MS);
	if (readonly) { /* the first read finds out whether the file still needs recovering */
		int r = sqlite3_exec(h, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
		if ((r & 0xff) == SQLITE_READONLY || (r & 0xff) == SQLITE_CANTOPEN)
			return cb_err_set(err, CB_EDB,
					  "%s: a crash left it half-written, and recovering it needs write access to it and "
					  "its directory: run `casebank check %s` once as a user who may write them (%s)",
					  path, path, sqlite3_errmsg(h));
		if (r != SQLITE_OK)
			return cb_err_set(err, (r & 0xff) == SQLITE_FULL ? CB_EFULL : CB_EDB, "database: %s: %s", path,
					  sqlite3_errmsg(h));
	}
	/* 8 KiB pages for new files: a case row with its sealed details is about 800 bytes, and a load writes
	 * and journals half as many pages as with 4 KiB */
	if (create && cb_schema_exec(*db, "PRAGMA page_size=8192", err) != CB_OK)
		return CB_EDB;
	int rc = cb_schema_exec(*db,
				"PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
				"PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" CB_STR(CACHE_NORMAL) ";",
				err);
	/* WAL: checkpoints at SQLite's usual 1000 pages, and a WAL that grew large (readers kept it from starting
	 * over) is cut back to WAL_LIMIT when it does (the server also makes it start over: auditq.c) */
	if (rc == CB_OK && !readonly)
		rc = cb_schema_exec(*db,
				    "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=1000;"
				    " PRAGMA journal_size_limit=" CB_STR(WAL_LIMIT),
				    err);
	return rc;
}

static int meta_get_db(struct cb_db *db, const char *key, char **out)
{
	struct cb_stmt *st = NULL;
	int rc = CB_ENOTFOUND;
	*out = NULL;
	if (cb_db_prepare(db, "SELECT value FROM meta WHERE key = ?1", &st, NULL) != CB_OK)
		return CB_EDB;
	cb_db_bind_text(st, 1, key, -1, false);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW) {
		const char *v = (const char *)cb_db_column_text(st, 0);
		*out = strdup(v ? v : "");
		rc = *out ? CB_OK : CB_ENOMEM;
	} else if (r != CB_DB_DONE) {
		rc = CB_EDB;
	}
	cb_db_finalize(&st);
	return rc;
}

static int meta_set_db(struct cb_db *db, const char *key, const char *value, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = CB_OK;
	if (cb_db_prepare(db,
			       "INSERT INTO meta(key, value) VALUES (?1, ?2)"
			       " ON CONFLICT(key) DO UPDATE SET value = excluded.value", &st, NULL) != CB_OK)
		return cb_store_db_err(db, err, "meta");
	cb_db_bind_text(st, 1, key, -1, false);
	cb_db_bind_text(st, 2, value, -1, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(db, err, "meta");
	cb_db_finalize(&st);
	return rc;
}

static void key_check_hex(const uint8_t master[CB_KEY_BYTES], char hex[2 * CB_KEY_CHECK_BYTES + 1])
{
	uint8_t check[CB_KEY_CHECK_BYTES];
	cb_key_check(master, check);
	sodium_bin2hex(hex, 2 * CB_KEY_CHECK_BYTES + 1, check, sizeof check);
}

/* CB_EKEY unless the key check stored in `db` matches the master key. */
static int verify_key(struct cb_db *db, const char *file, const char *keyfile, const uint8_t master[CB_KEY_BYTES],
		      struct cb_err *err)
{
	char want[2 * CB_KEY_CHECK_BYTES + 1], *have = NULL;
	char shown[1024];
	int rc = meta_get_db(db, "key_check", &have);
	file = cb_db_shown(file, shown, sizeof shown); /* a URI without its password */
	if (rc == CB_EDB || rc == CB_ENOTFOUND) {
		rc = cb_err_set(err, CB_ECORRUPT, "%s: not a casebank database (no key check)", file);
		goto out;
	}
	if (rc != CB_OK)
		goto out;
	key_check_hex(master, want);
	if (strlen(have) != strlen(want) || sodium_memcmp(have, want, strlen(want)) != 0) {
		rc = cb_err_set(err, CB_EKEY, "the key file %s does not belong to the database %s", keyfile, file);
		goto out;
	}
	rc = CB_OK;
out:
	free(have);
	return rc;
}

/* The statements every call needs, generated from cb_fields[] (column names only; values are bound). */
static int prepare_all(struct cb_store *s, struct cb_err *err)
{
	struct cb_buf cols = {0}, ins = {0}, upd = {0}, sql = {0};
	int rc = CB_ENOMEM;
	bool ok = true;

	s->ncols = 0;
	for (int i = 0; i < CB_NFIELDS; i++)
		if (cb_schema_is_column(&cb_fields[i]))
			s->cols[s->ncols++] = &cb_fields[i];
	ok &= cb_buf_printf(&cols, "seq, case_id, version, pii") == CB_OK;
	ok &= cb_buf_printf(&ins, "INSERT INTO cases(case_id, version, created_at, updated_at, record_key, "
				  "fingerprint, pii") == CB_OK;
	ok &= cb_buf_printf(&upd, "UPDATE cases SET version = version + 1, updated_at = ?%d, "
				  "pii = CASE WHEN ?%d <> 0 THEN ?%d ELSE pii END",
			    U_UPDATED, U_REPLACE_PII, U_PII) == CB_OK;
	for (int i = 0; i < s->ncols; i++) {
		ok &= cb_buf_printf(&cols, ", \"%s\"", s->cols[i]->name) == CB_OK;
		ok &= cb_buf_printf(&ins, ", \"%s\"", s->cols[i]->name) == CB_OK;
		/* fields the store keeps (CB_F_STORE) change only through assist.h, never by an update */
		if (!(s->cols[i]->flags & CB_F_STORE))
			ok &= cb_buf_printf(&upd, ", \"%s\" = ?%d", s->cols[i]->name, U_FIELDS + i) == CB_OK;
	}
	ok &= cb_buf_printf(&ins, ") VALUES (?1") == CB_OK;
	for (int i = 2; i < P_FIELDS + s->ncols; i++)
		ok &= cb_buf_printf(&ins, ", ?%d", i) == CB_OK;
	ok &= cb_buf_printf(&ins, ")") == CB_OK;
	ok &= cb_buf_printf(&upd, " WHERE case_id = ?%d", U_ID) == CB_OK;
	ok &= cb_buf_printf(&sql, "SELECT %s FROM cases WHERE case_id = ?1", cols.data) == CB_OK;
	if (!ok)
		goto out;
	s->select_cols = cols.data;
	cols.data = NULL;
	/* kept open for the store's life */
	const unsigned keep = SQLITE_PREPARE_PERSISTENT;
	const char *what = "cannot prepare a statement";
	if ((rc = cb_store_prep(s->db, what, keep, sql.data, &s->get, err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, what, keep, "SELECT version, pii IS NOT NULL, seq FROM cases WHERE case_id = ?1",
				&s->ver, err)) ||
	    (rc = cb_store_prep(s->db, what, keep, "DELETE FROM cases WHERE case_id = ?1", &s->del, err)) ||
	    (rc = cb_store_prep(s->db, what, keep,
				"UPDATE cases SET pii = NULL, version = version + 1, updated_at = ?2 WHERE case_id = ?1",
				&s->clear_pii, err)) ||
	    (rc = cb_store_prep(s->db, what, keep, "SELECT value FROM meta WHERE key = ?1", &s->meta_get, err)) ||
	    (rc = cb_store_prep(s->db, what, keep,
				"INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = "
				"excluded.value",
				&s->meta_set, err)) ||
	    (rc = cb_store_prep(s->kdb, what, keep, "SELECT wrapped FROM casekeys WHERE seq = ?1 AND case_id = ?2",
				&s->key_get, err)))
		goto out;
	if (!s->readonly &&
	    ((rc = cb_store_prep(s->db, what, keep, ins.data, &s->ins, err)) ||
	     (rc = cb_store_prep(s->db, what, keep, upd.data, &s->upd, err)) ||
	     (rc = cb_store_prep(s->kdb, what, keep,
				 "INSERT INTO casekeys(seq, case_id, wrapped) VALUES (?1, ?2, ?3) ON CONFLICT(seq) DO UPDATE"
				 " SET case_id = excluded.case_id, wrapped = excluded.wrapped", &s->key_ins,
				 err)) ||
	     (rc = cb_store_prep(s->kdb, what, keep, "DELETE FROM casekeys WHERE seq = ?1 AND case_id = ?2",
				 &s->key_del, err))))
		goto out;
	rc = CB_OK;
out:
	if (rc == CB_ENOMEM)
		cb_err_set(err, CB_ENOMEM, "out of memory");
	cb_buf_free(&cols);
	cb_buf_free(&ins);
	cb_buf_free(&upd);
	cb_buf_free(&sql);
	return rc;
}

/* CB_EKEY when group or others may do anything with the key store (or its WAL files), which holds the case
 * keys as the key file holds the master key, and is refused the same way (crypto.c, cb_keyfile_load). */
static int keystore_private(const char *kpath, struct cb_err *err)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < CB_COUNTOF(suffixes); i++) {
		char *p = path_with(kpath, suffixes[i]);
		struct stat st;
		int rc = !p ? cb_err_set(err, CB_ENOMEM, "out of memory") : CB_OK;
		if (rc == CB_OK && stat(p, &st) == 0 && (st.st_mode & 077))
			rc = cb_err_set(err, CB_EKEY,
					"%s: the case-key store is accessible by group or others (mode %04o); run: chmod 600 %s*",
					p, (unsigned)(st.st_mode & 07777), kpath);
		free(p);
		if (rc != CB_OK)
			return rc;
	}
	return CB_OK;
}

/* Creates an empty file for SQLite to fill, readable by its owner only whatever the umask. */
static int create_private(const char *path, struct cb_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		int rc = cb_err_set(err, CB_EIO, "%s: cannot create: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	return CB_OK;
}

/* Opens both files of an existing (or, with `create`, a new) database.  On create the caller made sure
 * neither file exists and that the key file is there. */
static int store_open(const char *path, unsigned flags, bool create, struct cb_store **out, struct cb_err *err)
{
	struct cb_store *s = NULL;
	char keyfile[4096];
	char *kpath = NULL;
	uint8_t *master = NULL; /* only while opening: what the store keeps is derived from it */
	int rc;

	*out = NULL;
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	if (cb_crypto_init() != CB_OK)
		return cb_err_set(err, CB_EIO, "cannot initialise libsodium");
	const bool uri = cb_db_is_uri(path); /* PostgreSQL: the case keys are a table of the same database */
	kpath = uri ? strdup(path) : path_with(path, ".casekeys");
	s = calloc(1, sizeof *s);
	if (!kpath || !s || !(s->path = strdup(path)) || !(s->sec = sodium_malloc(sizeof *s->sec)) ||
	    !(s->casekey = sodium_malloc(CB_KEY_BYTES)) || !(master = sodium_malloc(CB_KEY_BYTES)) ||
	    !(s->scratch = malloc(CB_NFIELDS * sizeof *s->scratch))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	s->readonly = (flags & CB_OPEN_READONLY) && !create;
	if ((rc = uri_keyfile(path, err)) != CB_OK)
		goto out;
	if (uri)
		goto files_done;
	if (!create && !file_exists(path)) {
		rc = cb_err_set(err, CB_ENOTFOUND, "%s: no such database", path);
		goto out;
	}
	if (!create && !file_exists(kpath)) {
		rc = cb_err_set(err, CB_ENOTFOUND, "%s: the case-key store is missing", kpath);
		goto out;
	}
	if (create && ((rc = create_private(path, err)) != CB_OK || (rc = create_private(kpath, err)) != CB_OK))
		goto out;
	if ((rc = keystore_private(kpath, err)) != CB_OK)
		goto out;
files_done:
	if ((rc = open_conn(path, s->readonly, create, &s->db, err)) != CB_OK ||
	    (rc = open_conn(kpath, s->readonly, create, &s->kdb, err)) != CB_OK)
		goto out;
	/* a server's database without the schema is no database, as a missing file is: said before the key */
	if (uri && !create && !pg_has_schema(s->db)) {
		rc = cb_err_set(err, CB_ENOTFOUND, "no casebank database there (casebank init creates one)");
		goto out;
	}
	cb_store_keyfile(path, keyfile, sizeof keyfile);
	if ((rc = cb_keyfile_load(keyfile, master, err)) != CB_OK)
		goto out;
	cb_wrap_key_derive(master, s->sec->kek);
	cb_audit_subkey(master, s->sec->audit);
	cb_blind_keys_derive(master, &s->sec->blind);
	if ((rc = cb_audit_attach(s, err)) != CB_OK) /* before migrating: step 2 chains the old events */
		goto out;
	/* writers of every server of one PostgreSQL database go one at a time, as on SQLite: a version checked
	 * is the version written, the audit chain grows by one writer, and a key above the highest case is
	 * nobody's (sweep_keys).  "cbwriter" in ASCII. */
	cb_db_set_write_lock(s->db, 0x6362777269746572ll);
	if (create) {
		char hex[2 * CB_KEY_CHECK_BYTES + 1], now[32];
		key_check_hex(master, hex);
		snprintf(now, sizeof now, "%lld", (long long)time(NULL));
		if ((rc = cb_schema_migrate(s->db, false, err)) || (rc = cb_schema_migrate_keys(s->kdb, path, false, err)) ||
		    (uri && (rc = cb_audit_start(s, err))) ||
		    (rc = meta_set_db(s->kdb, "key_check", hex, err)) ||
		    (rc = meta_set_db(s->db, "created_at", now, err)) ||
		    (rc = meta_set_db(s->db, "fingerprint_hash", FP_SIPHASH, err)) ||
		    (rc = meta_set_db(s->db, "key_check", hex, err))) /* last: a database without it is no database */
			goto out;
	}
	/* Check the key before migrating: a wrong key must not change anything. */
	if ((rc = verify_key(s->db, path, keyfile, master, err)) != CB_OK)
		goto out;
	if ((rc = verify_key(s->kdb, kpath, keyfile, master, err)) != CB_OK) {
		if (rc == CB_EKEY)
			rc = cb_err_set(err, CB_EKEY, "%s belongs to a different database than %s", kpath, path);
		goto out;
	}
	if ((rc = cb_schema_migrate(s->db, s->readonly, err)) || (rc = cb_schema_migrate_keys(s->kdb, path, s->readonly, err)) ||
	    (rc = prepare_all(s, err)))
		goto out;
	/* Fingerprints are SipHash-128 in files made since that was so; older files keep BLAKE2b, or a file
	 * imported before would import again as new cases. */
	char *fph = NULL;
	s->fp_siphash = meta_get_db(s->db, "fingerprint_hash", &fph) == CB_OK && strcmp(fph, FP_SIPHASH) == 0;
	free(fph);
	cb_subkey(master, s->fp_siphash ? FP_SIP_SUBKEY_ID : FP_SUBKEY_ID, "importfp", s->sec->fpkey);
	/* the master key is not needed any more: wiped now, not when the store closes; what was derived from it
	 * cannot be changed by a stray write */
	sodium_free(master);
	master = NULL;
	sodium_mprotect_readonly(s->sec);
	if (!s->readonly) {
		cb_store_sweep_keys(s); /* left by a batch that failed on a full disk, if that run could not delete them */
		/* keys of erasures a crash interrupted: they open nothing any more, but must not outlive the run */
		if (cb_store_finish_erasures(s, true, &s->erasures_finished, NULL) == CB_OK && s->erasures_finished)
			cb_store_truncate_wal(s);
		/* a database that had cases before the blind index: built once, here, where the key is at hand */
		if ((rc = cb_tokens_backfill(s, err)) != CB_OK)
			goto out;
	}
	*out = s;
	s = NULL;
out:
	sodium_free(master); /* wipes */
	cb_store_free(&s);
	free(kpath);
	return rc;
}

int cb_store_open(const char *path, unsigned flags, struct cb_store **out, struct cb_err *err)
{
	return store_open(path, flags, false, out, err);
}

/* cb_store_create on PostgreSQL: the database exists (the server's administrator made it) and must hold no
 * casebank schema yet; the key file is made if CASEBANK_KEY_FILE names none that exists. */
static int create_pg(const char *uri, struct cb_err *err)
{
	char keyfile[4096];
	struct cb_db *db = NULL;
	struct cb_store *s = NULL;
	bool made_key = false;
	int rc;
	if ((rc = uri_keyfile(uri, err)) != CB_OK || (rc = cb_db_open(uri, 0, &db, err)) != CB_OK)
		return rc;
	bool there = pg_has_schema(db);
	cb_db_close(&db);
	if (there)
		return cb_err_set(err, CB_EEXIST, "that PostgreSQL database holds a casebank database already");
	cb_store_keyfile(uri, keyfile, sizeof keyfile);
	if (!file_exists(keyfile)) {
		if ((rc = cb_keyfile_create(keyfile, err)) != CB_OK)
			return rc;
		made_key = true;
	}
	rc = store_open(uri, 0, true, &s, err);
	cb_store_free(&s);
	if (rc != CB_OK && made_key) /* the schema's transaction left nothing; a key for nothing goes too */
		unlink(keyfile);
	return rc;
}

int cb_store_create(const char *path, struct cb_err *err)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", ".casekeys", ".casekeys-wal", ".casekeys-shm"};
	char keyfile[4096];
	bool made_key = false;
	struct cb_store *s = NULL;
	int rc;

	if (cb_db_is_uri(path))
		return create_pg(path, err);
	for (size_t i = 0; i < CB_COUNTOF(suffixes); i++) {
		char *p = path_with(path, suffixes[i]);
		bool there = !p || file_exists(p);
		free(p);
		if (there)
			return cb_err_set(err, CB_EEXIST, "%s: the database already exists (or its %s file does)", path,
					  *suffixes[i] ? suffixes[i] : "main");
	}
	cb_store_keyfile(path, keyfile, sizeof keyfile);
	const char *env = getenv("CASEBANK_KEY_FILE");
	if (!(env && *env && file_exists(keyfile))) {
		if ((rc = cb_keyfile_create(keyfile, err)) != CB_OK)
			return rc;
		made_key = true;
	}
	rc = store_open(path, 0, true, &s, err);
	cb_store_free(&s);
	if (rc != CB_OK) { /* leave nothing half-made behind */
		for (size_t i = 0; i < CB_COUNTOF(suffixes); i++) {
			char *p = path_with(path, suffixes[i]);
			if (p)
				unlink(p);
			free(p);
		}
		if (made_key)
			unlink(keyfile);
	}
	return rc;
}

void cb_store_free(struct cb_store **sp)
{
	struct cb_store *s = sp ? *sp : NULL;
	if (!s)
		return;
	if (s->bulk)
		cb_store_rollback(s);
	cb_store_load_end(s);
	struct cb_stmt *sts[] = {s->ins,	    s->get,	 s->ver,      s->upd,	  s->del,     s->clear_pii, s->ev,
			       s->meta_get, s->meta_set, s->key_ins, s->key_get, s->key_del, s->audit_ins,
			       s->user_by_id, s->glass_open};
	for (size_t i = 0; i < CB_COUNTOF(sts); i++)
		cb_db_finalize(&sts[i]);
	cb_tokens_free(&s->tokens);
	cb_bulk_pg_free(s);
	cb_db_close(&s->db);
	cb_db_close(&s->kdb);
	sodium_free(s->sec); /* wipes (read-only memory too) */
	sodium_free(s->casekey);
	cb_prepared_free(&s->prep);
	cb_count16_free(&s->fps);
	free(s->fp_new);
	free(s->fp_seq);
	cb_buf_free(&s->pack);
	if (s->plain) {
		sodium_memzero(s->plain, s->plain_cap);
		free(s->plain);
	}
	free(s->sealed);
	free(s->scratch);
	free(s->select_cols);
	free(s->wal_hook);
	cb_store_changes_free(s);
	free(s->path);
	free(s);
	*sp = NULL;
}
