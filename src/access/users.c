/*
 * users.c -- accounts, sessions and break-the-glass grants (access.h); the audit trail is in audit.c.
 *
 * Passwords: Argon2id through libsodium's crypto_pwhash_str with the INTERACTIVE limits (t=2, m=64 MiB,
 * p=1), above the OWASP ASVS minimum (t=2, m=19 MiB, p=1); a login re-hashes a password stored with weaker
 * limits.  A wrong password, an unknown name and a disabled account all cost one Argon2id verification and
 * give the same answer, so neither the reply nor its timing tells whether a name exists.  Failures are
 * counted but lock no account (an outsider who knows a name could lock its owner out); the server slows
 * down the failing address instead.  Passwords on a list of the commonest ones, or made of the user's name
 * or "casebank", are refused (common_passwords.h).
 *
 * Sessions: the client holds a random 256-bit token; the database holds only its BLAKE2b hash, so a copy of
 * the database opens no session.  Lookups are by that hash (no comparison of secrets that could leak by
 * timing).  Times are unix seconds passed in by the caller (`now`), so tests need no clock.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "access/access.h"
#include "access/common_passwords.h"
#include "store/sites.h"
#include "store/store_impl.h"

#define PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE
#define PW_MIN 10
#define PW_MAX 1024
#define IDLE_SECONDS (30 * 60)
#define ABSOLUTE_SECONDS (8 * 60 * 60)
#define GLASS_SECONDS (60 * 60)
#define REASON_MIN 10
#define REASON_MAX 500
#define TOKEN_RAW 32
#define TOKEN_LEN (CB_TOKEN_TEXT - 1)

_Static_assert(PW_OPS >= 2, "OWASP ASVS: at least 2 iterations");
_Static_assert(PW_MEM >= 19u * 1024 * 1024, "OWASP ASVS: at least 19 MiB");
_Static_assert(CB_TOKEN_TEXT == sodium_base64_ENCODED_LEN(TOKEN_RAW, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	       "token text: 43 characters of base64url and a NUL");

/* Verified against when there is no real hash to check (unknown name, locked or disabled account) so that
 * every failed login costs the same.  Same limits as PW_OPS/PW_MEM; its password was random and discarded. */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
	"$argon2id$v=19$m=65536,t=2,p=1$LpDHjPhP2A/kv+uV+SZXuQ$H5Q7G+q/64PvC+HZXqZ8I/rx9hh8+JN0Mxgg3XQZUVs";

static const char login_failed[] = "login failed: wrong name or password, or the account is disabled";

static const char *const role_names[CB_ROLE__COUNT] = {"admin", "manager", "caseworker", "analyst"};

const char *cb_role_name(enum cb_role r)
{
	return (unsigned)r < CB_ROLE__COUNT ? role_names[r] : "?";
}

int cb_role_parse(const char *name, enum cb_role *out)
{
	for (int i = 0; i < CB_ROLE__COUNT; i++)
		if (name && strcmp(name, role_names[i]) == 0) {
			*out = (enum cb_role)i;
			return CB_OK;
		}
	return CB_EINVAL;
}

/* ---- small helpers */

static bool name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n < 1 || n > CB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

static bool is_letter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }

/* s's letters alone, in lower case: digits, punctuation and spaces dropped (bytes of other scripts kept), so
 * that "Password-2024!" and "password" compare equal.  With `leet`, a digit between two letters and an @ or $
 * next to one stand for the letter they look like ("P@ssw0rd" is "password"); other digits still go.  out
 * has room for strlen(s) + 1. */
static void letters_of(const char *s, bool leet, char *out)
{
	static const char from[] = "0134578@$", to[] = "oieastbas";
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		const char *k = leet ? strchr(from, p[i]) : NULL;
		bool before = i > 0 && is_letter(p[i - 1]), after = i + 1 < n && is_letter(p[i + 1]);
		if (p[i] >= 'A' && p[i] <= 'Z')
			out[o++] = (char)(p[i] - 'A' + 'a');
		else if (is_letter(p[i]))
			out[o++] = (char)p[i];
		else if (k && *k && (p[i] == '@' || p[i] == '$' ? before || after : before && after))
			out[o++] = to[k - from];
	}
	out[o] = 0;
}

static int cmp_text(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static bool listed(const char *const *list, size_t n, const char *key)
{
	return bsearch(&key, list, n, sizeof *list, cmp_text) != NULL;
}

/* Removes every occurrence of word (not empty) from s. */
static void drop_all(char *s, const char *word)
{
	size_t n = strlen(word);
	for (char *p; (p = strstr(s, word)) != NULL;)
		memmove(p, p + n, strlen(p + n) + 1);
}

/* Whether letters (a password reduced by letters_of) are those of a common password. */
static bool too_common(const char *letters)
{
	return strlen(letters) >= 3 && listed(common_letters, CB_COUNTOF(common_letters), letters);
}

/* Whether letters are made of the user's own (name reduced by letters_of) and "casebank" alone; changes them. */
static bool only_names(char *letters, const char *own)
{
	if (!letters[0])
		return false;
	if (own[0])
		drop_all(letters, own);
	drop_all(letters, "casebank");
	return !letters[0];
}

/* A password for user `name`: 10 to 1024 bytes, not one of the commonest passwords (common_passwords.h, also
 * with digits and punctuation around its letters or for them: "Dragon!2024", "Dr4gon"), and not made of the
 * user's name or the product's ("casebank") alone.  The refusal never repeats the password. */
static int check_password(const char *pw, const char *name, struct cb_err *err)
{
	char lower[PW_MAX + 1], plain[PW_MAX + 1], leet[PW_MAX + 1], own[CB_NAME_MAX + 1];
	size_t n = pw ? strlen(pw) : 0;
	int rc = CB_OK;
	if (n < PW_MIN || n > PW_MAX)
		return cb_err_field(err, CB_EINVAL, "password", "password: %zu bytes; expected %d to %d", n, PW_MIN,
				    PW_MAX);
	for (size_t i = 0; i <= n; i++)
		lower[i] = pw[i] >= 'A' && pw[i] <= 'Z' ? (char)(pw[i] - 'A' + 'a') : pw[i];
	letters_of(pw, false, plain);
	letters_of(pw, true, leet);
	letters_of(name ? name : "", false, own);
	if (listed(common_lower, CB_COUNTOF(common_lower), lower) || too_common(plain) || too_common(leet))
		rc = cb_err_field(err, CB_EINVAL, "password",
				  "password: one of the most common passwords; choose a phrase of several unrelated words");
	else if (only_names(plain, own) || only_names(leet, own))
		rc = cb_err_field(err, CB_EINVAL, "password",
				  "password: made of the user name or the product name; choose a phrase of several "
				  "unrelated words");
	sodium_memzero(lower, sizeof lower);
	sodium_memzero(plain, sizeof plain);
	sodium_memzero(leet, sizeof leet);
	return rc;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES], struct cb_err *err)
{
	if (crypto_pwhash_str(out, pw, strlen(pw), PW_OPS, PW_MEM) != 0)
		return cb_err_set(err, CB_ENOMEM, "password: out of memory while hashing");
	return CB_OK;
}

/* Runs one statement that returns no rows (with its parameters bound by the caller) and finalizes it. */
static int run(struct cb_store *s, sqlite3_stmt *st, struct cb_err *err)
{
	int rc = cb_store_step_done(st) == SQLITE_OK ? CB_OK : cb_store_db_err(s->db, err, "users");
	sqlite3_finalize(st);
	return rc;
}

#define USER_COLS "id, name, role, site, disabled, locked_until"

static void user_from(sqlite3_stmt *st, struct cb_user *u)
{
	const char *name = (const char *)sqlite3_column_text(st, 1);
	const char *site = (const char *)sqlite3_column_text(st, 3);
	memset(u, 0, sizeof *u);
	u->id = sqlite3_column_int64(st, 0);
	snprintf(u->name, sizeof u->name, "%s", name ? name : "");
	if (cb_role_parse((const char *)sqlite3_column_text(st, 2), &u->role) != CB_OK)
		u->role = CB_ROLE_ANALYST; /* the schema's CHECK allows no other value; the least privilege */
	snprintf(u->site, sizeof u->site, "%s", site ? site : "");
	u->disabled = sqlite3_column_int(st, 4) != 0;
	u->locked_until = sqlite3_column_int64(st, 5);
}

/* One user by name (text) or id; CB_ENOTFOUND if none. */
static int user_get(struct cb_store *s, const char *name, int64_t id, struct cb_user *out, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				name ? "SELECT " USER_COLS " FROM users WHERE name = ?1"
				     : "SELECT " USER_COLS " FROM users WHERE id = ?1",
				&st, err)) != CB_OK)
		return rc;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		user_from(st, out);
		rc = CB_OK;
	} else if (r == SQLITE_DONE) {
		rc = cb_err_set(err, CB_ENOTFOUND, "no such user");
	} else {
		rc = cb_store_db_err(s->db, err, "users");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- users */

int cb_user_add(struct cb_store *s, const char *name, enum cb_role role, const char *site, const char *password,
		struct cb_user *out, struct cb_err *err)
{
	char hash[crypto_pwhash_STRBYTES], vbuf[64], site_code[17] = "";
	sqlite3_stmt *st = NULL;
	int rc;

	if (!name_valid(name))
		return cb_err_field(err, CB_EINVAL, "name", "name: '%s': expected 1 to %d characters A-Z a-z 0-9 . _ @ -",
				    cb_err_value(name, vbuf), CB_NAME_MAX);
	if ((unsigned)role >= CB_ROLE__COUNT)
		return cb_err_field(err, CB_EINVAL, "role", "role: expected admin, manager, caseworker or analyst");
	if (role == CB_ROLE_CASEWORKER) {
		/* the codebook's own check of an office code */
		struct cb_case c;
		cb_case_init(&c);
		if (!site || !*site)
			return cb_err_field(err, CB_EINVAL, "site", "site: a caseworker needs an office (--site CODE)");
		if ((rc = cb_case_set_text(&c, cb_field_find("site"), site, err)) != CB_OK)
			return rc;
		snprintf(site_code, sizeof site_code, "%s", c.site);
		if (strcmp(site_code, site) != 0)
			return cb_err_field(err, CB_EINVAL, "site", "site: '%s': expected 2 to 16 characters A-Z, 0-9 or -",
					    cb_err_value(site, vbuf));
		if ((rc = cb_site_check(s, site_code, "site", err)) != CB_OK) /* the managed list: store/sites.h */
			return rc;
	} else if (site && *site) {
		return cb_err_field(err, CB_EINVAL, "site", "site: only caseworkers belong to an office");
	}
	if ((rc = check_password(password, name, err)) != CB_OK)
		return rc;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if ((rc = hash_password(password, hash, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"INSERT INTO users(name, role, site, pwhash, created_at) VALUES (?1, ?2, ?3, ?4, unixepoch())",
				&st, err)) != CB_OK)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role_names[role], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, site_code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_CONSTRAINT_UNIQUE) {
		rc = cb_err_field(err, CB_EEXIST, "name", "user '%s' already exists", name);
		goto out;
	}
	if (r != SQLITE_DONE) {
		rc = cb_store_db_err(s->db, err, "users");
		goto out;
	}
	struct cb_user tmp;
	rc = user_get(s, name, 0, out ? out : &tmp, err);
out:
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int cb_user_get(struct cb_store *s, const char *name, struct cb_user *out, struct cb_err *err)
{
	if (!name_valid(name))
		return cb_err_set(err, CB_ENOTFOUND, "no such user");
	return user_get(s, name, 0, out, err);
}

int cb_user_get_id(struct cb_store *s, int64_t id, struct cb_user *out, struct cb_err *err)
{
	return user_get(s, NULL, id, out, err);
}

int cb_user_list(struct cb_store *s, int (*fn)(const struct cb_user *u, void *ctx), void *ctx, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	struct cb_user u;
	int rc, r;
	if ((rc = cb_store_prep(s->db, "users", 0, "SELECT " USER_COLS " FROM users ORDER BY name", &st, err)) != CB_OK)
		return rc;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		user_from(st, &u);
		if ((rc = fn(&u, ctx)) != 0)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "users");
out:
	sqlite3_finalize(st);
	return rc;
}

static int end_user_sessions(struct cb_store *s, int64_t id, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0, "DELETE FROM sessions WHERE user_id = ?1", &st, err)) != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return run(s, st, err);
}

/* Runs an UPDATE of one user; CB_ENOTFOUND if it changed nothing.  Then, unless `end_sessions_of` is 0,
 * deletes that user's sessions: all in one transaction. */
static int update_user(struct cb_store *s, sqlite3_stmt *st, int64_t end_sessions_of, struct cb_err *err)
{
	int rc;
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	if ((rc = run(s, st, err)) == CB_OK && sqlite3_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such user");
	if (rc == CB_OK && end_sessions_of)
		rc = end_user_sessions(s, end_sessions_of, err);
	return cb_store_tx_end(s, rc, err);
}

int cb_user_set_disabled(struct cb_store *s, int64_t id, bool disabled, const struct cb_user *by,
			 struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	struct cb_user u;
	int rc;
	if ((rc = user_get(s, NULL, id, &u, err)) != CB_OK)
		return rc;
	/* nobody shuts herself out, and the accounts are never left without an enabled admin to manage them */
	if (disabled && by && by->id == id)
		return cb_err_set(err, CB_EPERM, "you cannot disable your own account: another admin can");
	/* the condition repeated in the UPDATE: two admins disabling each other at once cannot both succeed */
	if ((rc = cb_store_prep(s->db, "users", 0,
				"UPDATE users SET disabled = ?2 WHERE id = ?1 AND (?2 = 0 OR role != 'admin' OR EXISTS"
				" (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?1))",
				&st, err)) != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, disabled);
	rc = update_user(s, st, disabled ? id : 0, err);
	if (rc == CB_ENOTFOUND && disabled && u.role == CB_ROLE_ADMIN)
		rc = cb_err_set(err, CB_EPERM, "%s is the last enabled admin: enable or add another admin first", u.name);
	return rc;
}

/* Stores a new hash; with `reset`, also clears the failure counter and lock and ends the sessions. */
static int store_hash(struct cb_store *s, int64_t id, const char *password, bool reset, struct cb_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = hash_password(password, hash, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				reset ? "UPDATE users SET pwhash = ?2, failures = 0, locked_until = 0 WHERE id = ?1"
				      : "UPDATE users SET pwhash = ?2 WHERE id = ?1",
				&st, err)) == CB_OK) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
		rc = update_user(s, st, reset ? id : 0, err);
	}
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int cb_user_set_password(struct cb_store *s, int64_t id, const char *password, struct cb_err *err)
{
	struct cb_user u;
	int rc;
	if ((rc = user_get(s, NULL, id, &u, err)) != CB_OK || (rc = check_password(password, u.name, err)) != CB_OK)
		return rc;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	return store_hash(s, id, password, true, err);
}

/* ---- logging in */

/* What authenticate needs of a user row, read by name. */
struct login_row {
	struct cb_user u;
	char hash[crypto_pwhash_STRBYTES];
};

static int login_row_get(struct cb_store *s, const char *name, struct login_row *lr, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"SELECT " USER_COLS ", pwhash FROM users WHERE name = ?1", &st, err)) != CB_OK)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 6);
		user_from(st, &lr->u);
		snprintf(lr->hash, sizeof lr->hash, "%s", h ? h : "");
		rc = CB_OK;
	} else {
		rc = r == SQLITE_DONE ? CB_ENOTFOUND : cb_store_db_err(s->db, err, "users");
	}
	sqlite3_finalize(st);
	return rc;
}

/* A wrong password: one more failure, kept for the record.  It locks nothing: a lock by name would let
 * anybody who knows a name lock its owner out; the server slows failing addresses down instead
 * (http/throttle.c).  One write, as many as a refusal without a check makes (count_other_failure). */
static int count_failure(struct cb_store *s, int64_t id, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"UPDATE users SET failures = failures + 1 WHERE id = ?1", &st, err)) != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return run(s, st, err);
}

/* A refused login that checked no real password still writes once, like count_failure, so the commit's
 * fsync does not tell an unknown name from a wrong password.  What it counts is worth watching anyway. */
static int count_other_failure(struct cb_store *s, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"INSERT INTO meta(key, value) VALUES ('login.refused_without_check', 1)"
				" ON CONFLICT(key) DO UPDATE SET value = value + 1",
				&st, err)) != CB_OK)
		return rc;
	return run(s, st, err);
}

static int clear_failures(struct cb_store *s, int64_t id, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"UPDATE users SET failures = 0, locked_until = 0 WHERE id = ?1", &st, err)) != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	return run(s, st, err);
}

int cb_user_authenticate(struct cb_store *s, const char *name, const char *password, int64_t now,
			 struct cb_user *out, struct cb_err *err)
{
	struct login_row *lr = NULL;
	int rc;

	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if (!(lr = sodium_malloc(sizeof *lr)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	size_t pwlen = password ? strnlen(password, PW_MAX + 1) : 0;
	bool pw_ok = password && pwlen <= PW_MAX;
	const char *pw = pw_ok ? password : "";

	rc = name_valid(name) ? login_row_get(s, name, lr, err) : CB_ENOTFOUND;
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		goto out;
	if (rc == CB_ENOTFOUND || lr->u.disabled || lr->u.locked_until > now || !pw_ok) {
		/* the same work as a real check, and the same answer */
		volatile int ignored = crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw));
		(void)ignored;
		if ((rc = count_other_failure(s, err)) == CB_OK)
			rc = cb_err_set(err, CB_EPERM, "%s", login_failed);
		goto out;
	}
	if (crypto_pwhash_str_verify(lr->hash, pw, pwlen) != 0) {
		if ((rc = count_failure(s, lr->u.id, err)) == CB_OK)
			rc = cb_err_set(err, CB_EPERM, "%s", login_failed);
		goto out;
	}
	if ((rc = clear_failures(s, lr->u.id, err)) != CB_OK)
		goto out;
	/* stored with weaker limits than today's (or another algorithm): upgrade while we know the password */
	if (crypto_pwhash_str_needs_rehash(lr->hash, PW_OPS, PW_MEM) != 0 &&
	    (rc = store_hash(s, lr->u.id, pw, false, err)) != CB_OK)
		goto out;
	lr->u.locked_until = 0;
	if (out)
		*out = lr->u;
	rc = CB_OK;
out:
	sodium_free(lr);
	return rc;
}

/* ---- sessions */

static void token_hash(const char *token, uint8_t out[32])
{
	crypto_generichash(out, 32, (const uint8_t *)token, TOKEN_LEN, NULL, 0);
}

static void random_token(char out[CB_TOKEN_TEXT])
{
	uint8_t raw[TOKEN_RAW];
	cb_random_bytes(raw, sizeof raw);
	sodium_bin2base64(out, CB_TOKEN_TEXT, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

int cb_session_new(struct cb_store *s, int64_t user_id, int64_t now, char token[CB_TOKEN_TEXT],
		   struct cb_session *out, struct cb_err *err)
{
	struct cb_user u;
	struct cb_session sess = {.user_id = user_id, .created = now, .last_seen = now};
	sqlite3_stmt *st = NULL;
	uint8_t h[32];
	int rc;

	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = user_get(s, NULL, user_id, &u, err)) != CB_OK)
		goto out;
	if (u.disabled) {
		rc = cb_err_set(err, CB_EPERM, "the account is disabled");
		goto out;
	}
	/* expired sessions of everybody go here, so the table never grows with abandoned logins */
	if ((rc = cb_store_prep(s->db, "users", 0,
				"DELETE FROM sessions WHERE last_seen <= ?1 - ?2 OR created_at <= ?1 - ?3", &st,
				err)) !=
	    CB_OK)
		goto out;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, IDLE_SECONDS);
	sqlite3_bind_int(st, 3, ABSOLUTE_SECONDS);
	if ((rc = run(s, st, err)) != CB_OK)
		goto out;
	random_token(token);
	random_token(sess.csrf);
	token_hash(token, h);
	if ((rc = cb_store_prep(s->db, "users", 0,
				"INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
				&st, err)) != CB_OK)
		goto out;
	sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, sess.csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	rc = run(s, st, err);
out:
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK && out)
		*out = sess;
	if (rc != CB_OK)
		sodium_memzero(token, CB_TOKEN_TEXT);
	sodium_memzero(&sess, sizeof sess);
	return rc;
}

static int delete_session(struct cb_store *s, const uint8_t h[32], struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0, "DELETE FROM sessions WHERE token_hash = ?1", &st, err)) != CB_OK)
		return rc;
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	return run(s, st, err);
}

static bool token_shape(const char *token)
{
	return token && strnlen(token, CB_TOKEN_TEXT) == TOKEN_LEN;
}

/* The session with token hash h (CB_ENOTFOUND without one); *expired: idle or absolute limit reached, or
 * the user disabled. */
static int session_find(struct cb_store *s, const uint8_t h[32], int64_t now, struct cb_session *sess, bool *expired,
			struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	bool disabled = false;
	int rc = CB_OK, r;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.disabled"
				" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
				&st, err)) != CB_OK)
		return rc;
	sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		const char *csrf = (const char *)sqlite3_column_text(st, 1);
		sess->user_id = sqlite3_column_int64(st, 0);
		snprintf(sess->csrf, sizeof sess->csrf, "%s", csrf ? csrf : "");
		sess->created = sqlite3_column_int64(st, 2);
		sess->last_seen = sqlite3_column_int64(st, 3);
		disabled = sqlite3_column_int(st, 4) != 0;
	} else if (r == SQLITE_DONE) {
		rc = cb_err_set(err, CB_ENOTFOUND, "no such session");
	} else {
		rc = cb_store_db_err(s->db, err, "sessions");
	}
	sqlite3_finalize(st);
	*expired = disabled || now >= sess->last_seen + IDLE_SECONDS || now >= sess->created + ABSOLUTE_SECONDS;
	return rc;
}

int cb_session_check(struct cb_store *s, const char *token, int64_t now, struct cb_session *out,
		     struct cb_user *user, struct cb_err *err)
{
	struct cb_session sess = {0};
	struct cb_user u;
	sqlite3_stmt *st = NULL;
	uint8_t h[32];
	bool expired;
	int rc, r;

	if (!token_shape(token))
		return cb_err_set(err, CB_ENOTFOUND, "no such session");
	token_hash(token, h);
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = session_find(s, h, now, &sess, &expired, err)) != CB_OK)
		goto out;
	if (expired) {
		if ((rc = delete_session(s, h, err)) == CB_OK)
			rc = cb_err_set(err, CB_ENOTFOUND, "the session has expired");
		goto out;
	}
	if (now > sess.last_seen) {
		if ((rc = cb_store_prep(s->db, "users", 0,
					"UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1", &st, err)) != CB_OK)
			goto out;
		sqlite3_bind_blob(st, 1, h, sizeof h, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if ((rc = run(s, st, err)) != CB_OK)
			goto out;
		sess.last_seen = now;
	}
	if ((rc = user_get(s, NULL, sess.user_id, &u, err)) != CB_OK)
		goto out;
out:
	/* an expired session's deletion is committed even though the answer is "not found" */
	if ((r = cb_store_tx_end(s, rc == CB_ENOTFOUND ? CB_OK : rc, err)) != CB_OK)
		rc = r;
	if (rc == CB_OK) {
		if (out)
			*out = sess;
		if (user)
			*user = u;
	}
	sodium_memzero(&sess, sizeof sess);
	return rc;
}

int cb_session_lookup(struct cb_store *s, const char *token, int64_t now, struct cb_session *out,
		      struct cb_user *user, struct cb_err *err)
{
	struct cb_session sess = {0};
	struct cb_user u;
	uint8_t h[32];
	bool expired;
	int rc;

	if (!token_shape(token))
		return cb_err_set(err, CB_ENOTFOUND, "no such session");
	token_hash(token, h);
	if ((rc = session_find(s, h, now, &sess, &expired, err)) == CB_OK && expired)
		rc = cb_err_set(err, CB_ENOTFOUND, "the session has expired");
	if (rc == CB_OK)
		rc = user_get(s, NULL, sess.user_id, &u, err);
	if (rc == CB_OK) {
		if (out)
			*out = sess;
		if (user)
			*user = u;
	}
	sodium_memzero(&sess, sizeof sess);
	return rc;
}

int cb_session_touch_many(struct cb_store *s, const struct cb_session_touch *t, int n, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (n <= 0)
		return CB_OK;
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	/* never backwards, and never brings back a session that was ended meanwhile */
	if ((rc = cb_store_prep(s->db, "users", 0,
				"UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1 AND last_seen < ?2", &st,
				err)) !=
	    CB_OK)
		goto out;
	for (int i = 0; i < n && rc == CB_OK; i++) {
		sqlite3_bind_blob(st, 1, t[i].token_hash, 32, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, t[i].seen);
		if (cb_store_step_done(st) != SQLITE_OK)
			rc = cb_store_db_err(s->db, err, "sessions");
	}
	sqlite3_finalize(st);
out:
	return cb_store_tx_end(s, rc, err);
}

int cb_session_end(struct cb_store *s, const char *token)
{
	uint8_t h[32];
	if (!token_shape(token))
		return CB_ENOTFOUND;
	token_hash(token, h);
	int rc = delete_session(s, h, NULL);
	if (rc == CB_OK && sqlite3_changes(s->db) == 0)
		rc = CB_ENOTFOUND;
	return rc;
}

int cb_session_end_user(struct cb_store *s, int64_t user_id)
{
	return end_user_sessions(s, user_id, NULL);
}

/* ---- break the glass */

/* Trims blanks at both ends; checks UTF-8 text without control characters of REASON_MIN..REASON_MAX
 * characters.  Never echoes the text: a reason may mention things that must not reach a log. */
static int check_reason(const char *reason, const char **start, size_t *len, struct cb_err *err)
{
	const unsigned char *b = (const unsigned char *)(reason ? reason : "");
	const unsigned char *e = b + strlen((const char *)b);
	while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
		b++;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	size_t chars = 0;
	for (const unsigned char *p = b; p < e; chars++) {
		int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f)) || (*p >= 0xc0 && *p < 0xc2) || e - p < n)
			goto bad;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				goto bad;
		p += n;
	}
	if (chars < REASON_MIN || chars > REASON_MAX)
		return cb_err_field(err, CB_EINVAL, "reason", "reason: %zu characters; expected %d to %d", chars,
				    REASON_MIN, REASON_MAX);
	*start = (const char *)b;
	*len = (size_t)(e - b);
	return CB_OK;
bad:
	return cb_err_field(err, CB_EINVAL, "reason", "reason: expected UTF-8 text without control characters");
}

int cb_glass_open(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], const char *reason, int64_t now,
		  struct cb_err *err)
{
	struct cb_user u;
	struct cb_audit_entry *e = NULL;
	sqlite3_stmt *st = NULL;
	const char *text = NULL;
	char *copy = NULL, idtext[CB_ID_TEXT];
	size_t len = 0;
	int rc;

	if ((rc = check_reason(reason, &text, &len, err)) != CB_OK)
		return rc;
	if (!(e = calloc(1, sizeof *e)) || !(copy = strndup(text, len))) {
		free(e);
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		goto done;
	if ((rc = user_get(s, NULL, user_id, &u, err)) != CB_OK || u.role != CB_ROLE_MANAGER || u.disabled) {
		if (rc == CB_OK || rc == CB_ENOTFOUND)
			rc = cb_err_set(err, CB_EPERM, "break the glass: only an enabled manager may");
		goto out;
	}
	if ((rc = cb_store_prep(s->db, "users", 0, "SELECT 1 FROM cases WHERE case_id = ?1", &st, err)) != CB_OK)
		goto out;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	int r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW) {
		cb_case_id_format(case_id, idtext);
		rc = r == SQLITE_DONE ? cb_err_set(err, CB_ENOTFOUND, "case %s: not found", idtext)
				      : cb_store_db_err(s->db, err, "glass");
		goto out;
	}
	if ((rc = cb_store_prep(s->db, "users", 0,
				"INSERT INTO glass(user_id, case_id, reason, opened_at, until_at) VALUES (?1, ?2, ?3, ?4, ?5)",
				&st, err)) != CB_OK)
		goto out;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_blob(st, 2, case_id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, copy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, now + GLASS_SECONDS);
	if ((rc = run(s, st, err)) != CB_OK)
		goto out;
	e->at_ms = now * 1000;
	snprintf(e->user, sizeof e->user, "%s", u.name);
	snprintf(e->action, sizeof e->action, "%s", cb_audit_names[CB_AUD_GLASS]);
	memcpy(e->case_id, case_id, 16);
	rc = cb_audit_append_detail(s, e, copy, err);
out:
	rc = cb_store_tx_end(s, rc, err);
done:
	free(copy);
	free(e);
	return rc;
}

bool cb_glass_active(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], int64_t now)
{
	sqlite3_stmt *st = NULL;
	bool active = false;
	if (cb_store_prep(s->db, "users", 0,
			  "SELECT 1 FROM glass g JOIN users u ON u.id = g.user_id"
			  " WHERE g.user_id = ?1 AND g.case_id = ?2 AND g.opened_at <= ?3 AND g.until_at > ?3"
			  " AND u.role = 'manager' AND u.disabled = 0 LIMIT 1",
			  &st, NULL) != CB_OK)
		return false;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_blob(st, 2, case_id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	active = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return active;
}
