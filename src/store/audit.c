/*
 * audit.c -- the tamper-evident audit trail (access.h): append, verify, list; cb_store_event writes here too.
 *
 * Each entry's hash is BLAKE2b-256, keyed with a sub-key of the master key, over the previous entry's hash,
 * the entry's id and every column of its content (each length-prefixed, so no two different entries hash
 * the same bytes).  Three things make every kind of tampering show:
 *   - ids run 1, 2, 3, ... without gaps: a removed entry is a gap;
 *   - `prev` repeats the previous entry's hash: an entry moved, or one spliced in, breaks the link;
 *   - the chain head (count, last hash and a keyed MAC over both) sits in meta and is rewritten in the same
 *     transaction as every append: entries cut off the end leave a head that no longer matches.
 * Without the key file nobody can compute a valid hash or head.  What a chain cannot show: somebody who kept
 * an old copy of the head and truncates the trail back to exactly that point.
 *
 * Rows copied from the old events table are chained once, by cb_audit_seal() inside migration step 2; the
 * function refuses to run once a head exists, so it cannot be used to re-chain an edited trail.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "store/audit.h"
#include "store/schema.h"
#include "store/store_impl.h"

#define AUDIT_SUBKEY_ID 1
#define AUDIT_CONTEXT "audittrl"
#define HEAD_KEY "audit_head"
#define HASH_BYTES 32

_Static_assert(HASH_BYTES == crypto_generichash_BYTES, "BLAKE2b-256");

/* One entry as hashed: text columns with their lengths (bytes as stored), case id and detail optional. */
struct row {
	int64_t id, at_ms;
	const char *user, *from, *action, *fields, *detail; /* detail NULL: none */
	size_t user_n, from_n, action_n, fields_n, detail_n;
	const uint8_t *case_id; /* NULL: none */
};

struct head {
	int64_t count;
	uint8_t hash[HASH_BYTES]; /* of entry `count`; zeros for an empty trail */
};

static void audit_key(struct cb_store *s, uint8_t key[CB_KEY_BYTES])
{
	memcpy(key, s->sec->audit, CB_KEY_BYTES); /* derived when the store opened (cb_audit_subkey) */
}

void cb_audit_subkey(const uint8_t master[CB_KEY_BYTES], uint8_t key[CB_KEY_BYTES])
{
	cb_subkey(master, AUDIT_SUBKEY_ID, AUDIT_CONTEXT, key);
}

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	crypto_generichash_update(st, b, sizeof b);
}

/* A present flag, the length, the bytes: "" and none differ, and no boundary can shift. */
static void put_bytes(crypto_generichash_state *st, const void *p, size_t n)
{
	uint8_t present = p != NULL;
	crypto_generichash_update(st, &present, 1);
	put_u64(st, p ? n : 0);
	if (p && n)
		crypto_generichash_update(st, p, n);
}

static void row_hash(const uint8_t key[CB_KEY_BYTES], const uint8_t prev[HASH_BYTES], const struct row *r,
		     uint8_t out[HASH_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, CB_KEY_BYTES, HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)"cbaudit1", 8);
	crypto_generichash_update(&st, prev, HASH_BYTES);
	put_u64(&st, (uint64_t)r->id);
	put_u64(&st, (uint64_t)r->at_ms);
	put_bytes(&st, r->user, r->user_n);
	put_bytes(&st, r->from, r->from_n);
	put_bytes(&st, r->action, r->action_n);
	put_bytes(&st, r->case_id, r->case_id ? 16 : 0);
	put_bytes(&st, r->fields, r->fields_n);
	put_bytes(&st, r->detail, r->detail_n);
	crypto_generichash_final(&st, out, HASH_BYTES);
	sodium_memzero(&st, sizeof st);
}

static void head_mac(const uint8_t key[CB_KEY_BYTES], const struct head *h, uint8_t out[HASH_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, CB_KEY_BYTES, HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)"cbahead1", 8);
	put_u64(&st, (uint64_t)h->count);
	crypto_generichash_update(&st, h->hash, HASH_BYTES);
	crypto_generichash_final(&st, out, HASH_BYTES);
	sodium_memzero(&st, sizeof st);
}

/* ---- the chain head in meta: "count:hash:mac" in hex */

/* CB_ENOTFOUND without a head, CB_ECORRUPT for one that is malformed or whose MAC is wrong. */
static int head_read(struct cb_store *s, const uint8_t key[CB_KEY_BYTES], struct head *h, struct cb_err *err)
{
	struct cb_stmt *st = s->meta_get, *own = NULL; /* the store's, kept prepared (a round trip less on PostgreSQL) */
	uint8_t mac[HASH_BYTES], want[HASH_BYTES];
	int rc;

	if (!st && cb_db_prepare(s->db, "SELECT value FROM meta WHERE key = ?1", &own, NULL) != CB_OK)
		return cb_store_db_err(s->db, err, "audit head");
	if (own)
		st = own;
	cb_db_bind_text(st, 1, HEAD_KEY, -1, false);
	int r = cb_db_step(st);
	if (r == CB_DB_DONE) {
		rc = cb_err_set(err, CB_ENOTFOUND, "audit trail: the chain head is missing from meta");
		goto out;
	}
	if (r != CB_DB_ROW) {
		rc = cb_store_db_err(s->db, err, "audit head");
		goto out;
	}
	const char *v = (const char *)cb_db_column_text(st, 0);
	char *end = NULL;
	const char *hex_end = NULL;
	size_t n = 0;
	rc = cb_err_set(err, CB_ECORRUPT, "audit trail: the chain head in meta was altered");
	if (!v)
		goto out;
	long long count = strtoll(v, &end, 10);
	if (end == v || *end != ':' || count < 0)
		goto out;
	h->count = count;
	if (sodium_hex2bin(h->hash, HASH_BYTES, end + 1, 2 * HASH_BYTES, NULL, &n, &hex_end) != 0 || n != HASH_BYTES ||
	    *hex_end != ':')
		goto out;
	if (sodium_hex2bin(mac, HASH_BYTES, hex_end + 1, 2 * HASH_BYTES, NULL, &n, &hex_end) != 0 || n != HASH_BYTES ||
	    *hex_end != 0)
		goto out;
	head_mac(key, h, want);
	if (sodium_memcmp(mac, want, HASH_BYTES) != 0)
		goto out;
	rc = CB_OK;
	cb_err_clear(err);
out:
	cb_db_reset(st);
	cb_db_finalize(&own);
	return rc;
}

static int head_write(struct cb_store *s, const uint8_t key[CB_KEY_BYTES], const struct head *h, struct cb_err *err)
{
	struct cb_stmt *st = s->meta_set, *own = NULL;
	uint8_t mac[HASH_BYTES];
	char v[24 + 2 * (2 * HASH_BYTES + 1) + 2], *p;
	int rc = CB_OK;

	head_mac(key, h, mac);
	int n = snprintf(v, sizeof v, "%lld:", (long long)h->count);
	p = v + n;
	sodium_bin2hex(p, 2 * HASH_BYTES + 1, h->hash, HASH_BYTES);
	p += 2 * HASH_BYTES;
	*p++ = ':';
	sodium_bin2hex(p, 2 * HASH_BYTES + 1, mac, HASH_BYTES);
	if (!st && cb_db_prepare(s->db,
				 "INSERT INTO meta(key, value) VALUES (?1, ?2)"
				 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", &own, NULL) != CB_OK)
		return cb_store_db_err(s->db, err, "audit head");
	if (own)
		st = own;
	cb_db_bind_text(st, 1, HEAD_KEY, -1, false);
	cb_db_bind_text(st, 2, v, -1, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "audit head");
	cb_db_finalize(&own);
	return rc;
}

/* ---- reading rows */

#define ROW_COLS "id, at_ms, \"user\", from_addr, action, case_id, fields, detail, prev, hash"

static const char *col_text(struct cb_stmt *st, int i, size_t *n)
{
	const char *t = (const char *)cb_db_column_text(st, i);
	*n = t ? (size_t)cb_db_column_bytes(st, i) : 0;
	return t;
}

/* Fills r from a statement selecting ROW_COLS; the pointers live until the next step. */
static void row_from(struct cb_stmt *st, struct row *r)
{
	r->id = cb_db_column_int64(st, 0);
	r->at_ms = cb_db_column_int64(st, 1);
	r->user = col_text(st, 2, &r->user_n);
	r->from = col_text(st, 3, &r->from_n);
	r->action = col_text(st, 4, &r->action_n);
	r->case_id = cb_db_column_bytes(st, 5) == 16 ? cb_db_column_blob(st, 5) : NULL;
	r->fields = col_text(st, 6, &r->fields_n);
	r->detail = col_text(st, 7, &r->detail_n);
}

static bool col_is_hash(struct cb_stmt *st, int i, uint8_t out[HASH_BYTES])
{
	if (cb_db_column_type(st, i) != CB_DB_BLOB || cb_db_column_bytes(st, i) != HASH_BYTES)
		return false;
	memcpy(out, cb_db_column_blob(st, i), HASH_BYTES);
	return true;
}

/* ---- appending */

/* "cli:<name>(<uid>)" for the local operator: the effective uid and its name in the password database.  Not
 * $USER or getlogin(): anyone can set the one, and the other names whoever logged in on the terminal, not
 * the account the command runs as (su, sudo -u).  The name is reduced to name characters. */
static void cli_user(char out[CB_NAME_MAX + 1])
{
	const uid_t uid = geteuid();
	char buf[4096], name[CB_NAME_MAX + 1];
	struct passwd pw, *found = NULL;
	size_t o = 0;
	if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found && found->pw_name && *found->pw_name) {
		for (const char *p = found->pw_name; *p && o < 32; p++) {
			char c = *p;
			bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
				  c == '_' || c == '@' || c == '-';
			name[o++] = ok ? c : '_';
		}
	}
	name[o] = 0;
	snprintf(out, CB_NAME_MAX + 1, "cli:%s(%lu)", o ? name : "?", (unsigned long)uid);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int insert_row(struct cb_stmt *st, const struct row *r, const uint8_t prev[HASH_BYTES],
		      const uint8_t hash[HASH_BYTES])
{
	cb_db_bind_int64(st, 1, r->id);
	cb_db_bind_int64(st, 2, r->at_ms);
	cb_db_bind_text(st, 3, r->user, (int)r->user_n, false);
	cb_db_bind_text(st, 4, r->from, (int)r->from_n, false);
	cb_db_bind_text(st, 5, r->action, (int)r->action_n, false);
	if (r->case_id)
		cb_db_bind_blob(st, 6, r->case_id, 16, false);
	else
		cb_db_bind_null(st, 6);
	cb_db_bind_text(st, 7, r->fields, (int)r->fields_n, false);
	if (r->detail)
		cb_db_bind_text(st, 8, r->detail, (int)r->detail_n, false);
	else
		cb_db_bind_null(st, 8);
	cb_db_bind_blob(st, 9, prev, HASH_BYTES, false);
	cb_db_bind_blob(st, 10, hash, HASH_BYTES, false);
	return cb_store_step_done(st);
}

/* Appends rows[0..n) (their ids are assigned here) after the current head, and moves the head once, in the
 * open transaction: the head is read, checked and rewritten once however many rows there are. */
static int append_rows(struct cb_store *s, struct row *rows, int n, struct cb_err *err)
{
	uint8_t key[CB_KEY_BYTES], hash[HASH_BYTES];
	struct head h;
	int rc;

	audit_key(s, key);
	if ((rc = head_read(s, key, &h, err)) != CB_OK) {
		if (rc == CB_ENOTFOUND)
			rc = cb_err_set(err, CB_ECORRUPT, "audit trail: the chain head is missing from meta");
		goto out;
	}
	/* kept prepared with the store; on PostgreSQL a group's rows go as one COPY, sent when the head is
	 * rewritten, instead of a round trip each (a read waits for its group's commit) */
	if (!s->audit_ins &&
	    (cb_db_prepare(s->db, "INSERT INTO audit(" ROW_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			   &s->audit_ins, NULL) != CB_OK ||
	     cb_db_defer(s->audit_ins, "COPY audit(" ROW_COLS ") FROM STDIN") != CB_OK)) {
		rc = cb_store_db_err(s->db, err, "audit");
		cb_db_finalize(&s->audit_ins);
		goto out;
	}
	struct cb_stmt *st = s->audit_ins;
	for (int i = 0; i < n; i++) {
		rows[i].id = h.count + 1;
		row_hash(key, h.hash, &rows[i], hash);
		if (insert_row(st, &rows[i], h.hash, hash) != CB_OK) {
			rc = cb_store_db_err(s->db, err, "audit");
			goto out;
		}
		h.count = rows[i].id;
		memcpy(h.hash, hash, HASH_BYTES);
	}
	rc = head_write(s, key, &h, err);
out:
	sodium_memzero(key, sizeof key);
	return rc;
}

static bool valid_text(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

/* The row of an entry, checked; user: room for the local operator's name, which r may point to. */
static int row_of(const struct cb_audit_entry *e, const char *detail, char user[CB_NAME_MAX + 1], struct row *r,
		  struct cb_err *err)
{
	memset(r, 0, sizeof *r);
	r->action = e->action;
	r->action_n = strnlen(e->action, sizeof e->action);
	if (r->action_n == 0 || r->action_n == sizeof e->action || !valid_text(r->action, r->action_n))
		return cb_err_field(err, CB_EINVAL, "action", "audit: the action must be 1 to %zu printable characters",
				    sizeof e->action - 1);
	r->user = e->user;
	r->user_n = strnlen(e->user, sizeof e->user);
	r->from = e->from;
	r->from_n = strnlen(e->from, sizeof e->from);
	r->fields = e->fields;
	r->fields_n = strnlen(e->fields, sizeof e->fields);
	if (r->user_n == sizeof e->user || r->from_n == sizeof e->from || r->fields_n == sizeof e->fields ||
	    !valid_text(r->user, r->user_n) || !valid_text(r->from, r->from_n) || !valid_text(r->fields, r->fields_n))
		return cb_err_set(err, CB_EINVAL, "audit: user, from and fields must be printable text that fits");
	/* no user and no client address (or "cli"): the local operator.  No user but an address: nobody logged
	 * in (a failed login with an unknown name), stored as "" */
	if (r->user_n == 0 && (r->from_n == 0 || strcmp(r->from, "cli") == 0)) {
		cli_user(user);
		r->user = user;
		r->user_n = strlen(user);
		if (r->from_n == 0) {
			r->from = "cli";
			r->from_n = 3;
		}
	}
	r->detail = detail;
	r->detail_n = detail ? strlen(detail) : 0;
	r->case_id = cb_case_id_is_zero(e->case_id) ? NULL : e->case_id;
	r->at_ms = e->at_ms ? e->at_ms : now_ms();
	return CB_OK;
}

/* The detail of an entry: NULL for none, CB_EINVAL when it does not fit its array. */
static int entry_detail(const struct cb_audit_entry *e, const char **detail, struct cb_err *err)
{
	size_t n = strnlen(e->detail, sizeof e->detail);
	if (n == sizeof e->detail)
		return cb_err_field(err, CB_EINVAL, "detail", "audit: the detail is longer than %zu bytes",
				    sizeof e->detail - 1);
	*detail = n ? e->detail : NULL;
	return CB_OK;
}

/* A failed login whose name is no account (no user, a client address): counted, not recorded.  Anybody can
 * send names by the thousand; as entries they would grow the trail without bound and bury the entries that
 * matter, and the name itself may be a password typed into the wrong field.  The count shares the
 * transaction (and the fsync) an entry would have had, so the answer takes no less time for an unknown name. */
static bool counted_only(const struct row *r)
{
	return r->user_n == 0 && r->action_n == 12 && memcmp(r->action, "login.failed", 12) == 0;
}

static int count_unknown_logins(struct cb_store *s, int n, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	if (cb_db_prepare(s->db,
			       "INSERT INTO meta(key, value) VALUES ('" CB_AUDIT_UNKNOWN_LOGINS "', ?1)"
			       " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + ?1 AS TEXT)", &st, NULL) != CB_OK)
		return cb_store_db_err(s->db, err, "audit");
	cb_db_bind_int64(st, 1, n);
	int rc = cb_store_step_done(st) == CB_OK ? CB_OK : cb_store_db_err(s->db, err, "audit");
	cb_db_finalize(&st);
	return rc;
}

int cb_audit_append_detail(struct cb_store *s, const struct cb_audit_entry *e, const char *detail,
			   struct cb_err *err)
{
	char user[CB_NAME_MAX + 1];
	struct row r;
	int rc;

	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if ((rc = row_of(e, detail, user, &r, err)) != CB_OK)
		return rc;

	/* inside the caller's transaction (a bulk batch, or one it opened itself) a savepoint keeps a failed
	 * append from leaving half an entry; on its own, BEGIN IMMEDIATE takes the write lock before the head
	 * is read, so two writers cannot both append after the same head */
	bool own = !cb_db_in_tx(s->db);
	if ((rc = cb_schema_exec(s->db, own ? "BEGIN IMMEDIATE" : "SAVEPOINT audit_append", err)) != CB_OK)
		return rc;
	rc = counted_only(&r) ? count_unknown_logins(s, 1, err) : append_rows(s, &r, 1, err);
	if (own) {
		if (rc == CB_OK)
			rc = cb_schema_exec(s->db, "COMMIT", err);
		if (rc != CB_OK && cb_db_in_tx(s->db))
			cb_db_exec(s->db, "ROLLBACK");
	} else {
		if (rc != CB_OK)
			cb_db_exec(s->db, "ROLLBACK TO audit_append");
		cb_db_exec(s->db, "RELEASE audit_append");
	}
	return rc;
}

int cb_audit_append(struct cb_store *s, const struct cb_audit_entry *e, struct cb_err *err)
{
	const char *detail = NULL;
	int rc = entry_detail(e, &detail, err);
	return rc == CB_OK ? cb_audit_append_detail(s, e, detail, err) : rc;
}

int cb_audit_append_batch(struct cb_store *s, const struct cb_audit_entry *const *e, int n, int *rcs,
			  struct cb_err *err)
{
	struct row *rows = NULL;
	char (*users)[CB_NAME_MAX + 1] = NULL;
	int *slot = NULL; /* rows[k] is entry slot[k]; slot[n - 1 - k] the k-th entry only counted */
	int rc = CB_OK, nrows = 0, ncounted = 0;
	bool scanned = false;

	if (n <= 0)
		return CB_OK;
	if (s->readonly) {
		rc = cb_err_set(err, CB_EPERM, "the database is open read-only");
		goto out;
	}
	if (cb_db_in_tx(s->db)) {
		rc = cb_err_set(err, CB_EINVAL, "audit: a batch is its own transaction");
		goto out;
	}
	rows = malloc((size_t)n * sizeof *rows);
	users = malloc((size_t)n * sizeof *users);
	slot = malloc((size_t)n * sizeof *slot);
	if (!rows || !users || !slot) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	/* an entry that is not valid fails alone; the others are written */
	for (int i = 0; i < n; i++) {
		const char *detail = NULL;
		struct cb_err e2 = {0};
		rcs[i] = entry_detail(e[i], &detail, &e2);
		if (rcs[i] == CB_OK)
			rcs[i] = row_of(e[i], detail, users[nrows], &rows[nrows], &e2);
		if (rcs[i] == CB_OK && counted_only(&rows[nrows]))
			slot[n - 1 - ncounted++] = i;
		else if (rcs[i] == CB_OK)
			slot[nrows++] = i;
	}
	scanned = true;
	if (nrows == 0 && ncounted == 0)
		goto out;
	/* BEGIN IMMEDIATE: the write lock before the head is read, so no other writer appends after it too */
	if ((rc = cb_schema_exec(s->db, "BEGIN IMMEDIATE", err)) != CB_OK)
		goto out;
	if ((nrows == 0 || (rc = append_rows(s, rows, nrows, err)) == CB_OK) &&
	    (ncounted == 0 || (rc = count_unknown_logins(s, ncounted, err)) == CB_OK))
		rc = cb_schema_exec(s->db, "COMMIT", err);
	if (rc != CB_OK && cb_db_in_tx(s->db))
		cb_db_exec(s->db, "ROLLBACK");
out:
	for (int k = 0; k < nrows; k++)
		rcs[slot[k]] = rc;
	for (int k = 0; k < ncounted; k++)
		rcs[slot[n - 1 - k]] = rc;
	for (int i = 0; !scanned && i < n; i++) /* failed before the entries were looked at */
		rcs[i] = rc;
	free(rows);
	free(users);
	free(slot);
	return rc;
}

/* ---- verifying */

static int verify_rows(struct cb_store *s, const uint8_t key[CB_KEY_BYTES], int64_t *checked, int64_t *bad_id,
		       struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	struct head h = {0}, stored;
	uint8_t prev[HASH_BYTES], hash[HASH_BYTES], want[HASH_BYTES];
	int rc = CB_OK, r;

	if (cb_db_prepare(s->db, "SELECT " ROW_COLS " FROM audit ORDER BY id", &st, NULL) != CB_OK)
		return cb_store_db_err(s->db, err, "audit");
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct row row;
		row_from(st, &row);
		int64_t expect = h.count + 1;
		if (row.id != expect) {
			*bad_id = expect;
			rc = cb_err_set(err, CB_ECORRUPT, "audit trail: entry %lld is missing (removed or renumbered)",
					(long long)expect);
			goto out;
		}
		if (!col_is_hash(st, 8, prev) || sodium_memcmp(prev, h.hash, HASH_BYTES) != 0) {
			*bad_id = row.id;
			rc = cb_err_set(err, CB_ECORRUPT,
					"audit trail: entry %lld does not follow entry %lld (entries removed or reordered)",
					(long long)row.id, (long long)h.count);
			goto out;
		}
		row_hash(key, h.hash, &row, want);
		if (!col_is_hash(st, 9, hash) || sodium_memcmp(hash, want, HASH_BYTES) != 0) {
			*bad_id = row.id;
			rc = cb_err_set(err, CB_ECORRUPT, "audit trail: entry %lld was altered", (long long)row.id);
			goto out;
		}
		h.count = row.id;
		memcpy(h.hash, hash, HASH_BYTES);
		*checked = h.count;
	}
	if (r != CB_DB_DONE) {
		rc = cb_store_db_err(s->db, err, "audit");
		goto out;
	}
	/* the rows are a valid chain; does it end where the head says? */
	if ((rc = head_read(s, key, &stored, err)) != CB_OK) {
		*bad_id = 0;
		rc = CB_ECORRUPT;
		goto out;
	}
	if (stored.count > h.count) {
		*bad_id = h.count + 1;
		rc = cb_err_set(err, CB_ECORRUPT, "audit trail: entries %lld to %lld were removed from the end",
				(long long)h.count + 1, (long long)stored.count);
	} else if (stored.count < h.count) {
		*bad_id = stored.count + 1;
		rc = cb_err_set(err, CB_ECORRUPT, "audit trail: entry %lld was added without the chain head",
				(long long)stored.count + 1);
	} else if (sodium_memcmp(stored.hash, h.hash, HASH_BYTES) != 0) {
		*bad_id = h.count;
		rc = cb_err_set(err, CB_ECORRUPT, "audit trail: entry %lld is not the last entry the chain head records",
				(long long)h.count);
	}
out:
	cb_db_finalize(&st);
	return rc;
}

int cb_audit_verify(struct cb_store *s, int64_t *checked, int64_t *bad_id, struct cb_err *err)
{
	uint8_t key[CB_KEY_BYTES];
	int64_t dummy_checked, dummy_bad;
	int rc;

	checked = checked ? checked : &dummy_checked;
	bad_id = bad_id ? bad_id : &dummy_bad;
	*checked = 0;
	*bad_id = 0;
	/* one read transaction: rows and head from the same moment, even while the server appends */
	bool own = !cb_db_in_tx(s->db);
	if (own && (rc = cb_schema_exec(s->db, "BEGIN", err)) != CB_OK)
		return rc;
	audit_key(s, key);
	rc = verify_rows(s, key, checked, bad_id, err);
	sodium_memzero(key, sizeof key);
	if (own)
		cb_db_exec(s->db, "COMMIT");
	return rc;
}

/* ---- listing */

static void copy_text(char *dst, size_t cap, const char *src, size_t n)
{
	if (!src)
		n = 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
}

int cb_audit_list(struct cb_store *s, const uint8_t *case_id, int limit,
		  int (*fn)(const struct cb_audit_entry *e, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	struct cb_audit_entry *e = NULL;
	int rc = CB_OK, r;

	if (cb_db_prepare(s->db,
			       case_id ? "SELECT " ROW_COLS " FROM audit WHERE case_id = ?1 ORDER BY id DESC LIMIT ?2"
				       : "SELECT " ROW_COLS " FROM audit ORDER BY id DESC LIMIT ?2", &st, NULL) != CB_OK)
		return cb_store_db_err(s->db, err, "audit");
	if (!(e = malloc(sizeof *e))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	if (case_id)
		cb_db_bind_blob(st, 1, case_id, 16, false);
	cb_db_bind_int64(st, 2, limit > 0 ? limit : INT64_MAX); /* no limit: PostgreSQL refuses SQLite's -1 */
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct row row;
		row_from(st, &row);
		memset(e, 0, sizeof *e);
		e->id = row.id;
		e->at_ms = row.at_ms;
		copy_text(e->user, sizeof e->user, row.user, row.user_n);
		copy_text(e->from, sizeof e->from, row.from, row.from_n);
		copy_text(e->action, sizeof e->action, row.action, row.action_n);
		if (row.case_id)
			memcpy(e->case_id, row.case_id, 16);
		copy_text(e->fields, sizeof e->fields, row.fields, row.fields_n);
		copy_text(e->detail, sizeof e->detail, row.detail, row.detail_n);
		if ((rc = fn(e, ctx)) != 0)
			goto out;
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "audit");
out:
	free(e);
	cb_db_finalize(&st);
	return rc;
}

/* ---- chaining the rows migrated from the old events table */

static int seal(struct cb_store *s, struct cb_err *err)
{
	struct cb_stmt *st = NULL, *upd = NULL;
	uint8_t key[CB_KEY_BYTES], hash[HASH_BYTES];
	struct head h = {0};
	int rc, r;

	audit_key(s, key);
	if ((rc = head_read(s, key, &h, err)) != CB_ENOTFOUND) {
		if (rc == CB_OK || rc == CB_ECORRUPT)
			rc = cb_err_set(err, CB_EPERM, "audit trail: already chained");
		goto out;
	}
	memset(&h, 0, sizeof h);
	if (cb_db_prepare(s->db, "SELECT " ROW_COLS " FROM audit ORDER BY id", &st, NULL) != CB_OK ||
	    cb_db_prepare(s->db, "UPDATE audit SET prev = ?1, hash = ?2 WHERE id = ?3", &upd, NULL) !=
		    CB_OK) {
		rc = cb_store_db_err(s->db, err, "audit");
		goto out;
	}
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct row row;
		row_from(st, &row);
		if (row.id != h.count + 1 || cb_db_column_type(st, 9) != CB_DB_NULL) {
			rc = cb_err_set(err, CB_ECORRUPT, "audit trail: entry %lld cannot be chained", (long long)row.id);
			goto out;
		}
		row_hash(key, h.hash, &row, hash);
		cb_db_bind_blob(upd, 1, h.hash, HASH_BYTES, true);
		cb_db_bind_blob(upd, 2, hash, HASH_BYTES, true);
		cb_db_bind_int64(upd, 3, row.id);
		if (cb_store_step_done(upd) != CB_OK) {
			rc = cb_store_db_err(s->db, err, "audit");
			goto out;
		}
		h.count = row.id;
		memcpy(h.hash, hash, HASH_BYTES);
	}
	if (r != CB_DB_DONE) {
		rc = cb_store_db_err(s->db, err, "audit");
		goto out;
	}
	rc = head_write(s, key, &h, err);
out:
	sodium_memzero(key, sizeof key);
	cb_db_finalize(&st);
	cb_db_finalize(&upd);
	return rc;
}

static void seal_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	struct cb_err err = {0};
	if (seal(sqlite3_user_data(ctx), &err) != CB_OK)
		sqlite3_result_error(ctx, err.msg, -1);
	else
		sqlite3_result_null(ctx);
}

int cb_audit_start(struct cb_store *s, struct cb_err *err)
{
	return seal(s, err);
}

int cb_audit_attach(struct cb_store *s, struct cb_err *err)
{
	/* SQLite only: PostgreSQL databases start at the current version, with no old events to chain.
	 * DIRECTONLY: callable from top-level SQL only, never from a trigger or view somebody put in the file */
	if (cb_db_sqlite(s->db) &&
	    sqlite3_create_function_v2(cb_db_sqlite(s->db), "cb_audit_seal", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, s, seal_fn, NULL,
				       NULL, NULL) != CB_OK)
		return cb_store_db_err(s->db, err, "audit");
	return CB_OK;
}
