/*
 * users.c -- accounts, sessions and break-the-glass grants (access.h); the audit trail is in audit.c.
 *
 * Passwords: Argon2id through libsodium's crypto_pwhash_str with the INTERACTIVE limits (t=2, m=64 MiB,
 * p=1), above the OWASP ASVS minimum (t=2, m=19 MiB, p=1); a login re-hashes a password stored with weaker
 * limits.  A wrong password, an unknown name and a disabled account all cost one Argon2id verification and
 * give the same answer, so neither the reply nor its timing tells whether a name exists.  Failures are
 * counted but lock no account (an outsider who knows a name could lock its owner out); the server slows
 * down the failing address instead.  Passwords on a list of the commonest ones, or made of the user's name
 * or "casebank", are refused (include/tbl/cb_common_passwords.h).
 *
 * Sessions: the client holds a random 256-bit token; the database holds only its BLAKE2b hash, so a copy of
 * the database opens no session.  Lookups are by that hash (no comparison of secrets that could leak by
 * timing).  Times are unix seconds passed in by the caller (`now`), so tests need no clock.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "access/access.h"
#include "tbl/cb_common_passwords.h"
#include "access/policy.h"
#include "crypto/crypto.h"
#include "store/care_rows.h"
#include "store/sites.h"

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

/* A password for user `name`: 10 to 1024 bytes, not one of the commonest passwords (tbl/cb_common_passwords.h, also
 * with digits and punctuation around its letters or for them: "Dragon!2024", "Dr4gon"), and not made of the
 * user's name or the product's ("casebank") alone.  The refusal never repeats the password. */
static int check_password(const char *pw, const char *name, struct cb_err *err)
{
	char lower[PW_MAX + 1], plain[PW_MAX + 1], leet[PW_MAX + 1], own[CB_NAME_MAX + 1];
	size_t n = pw ? strlen(pw) : 0;
	int rc = CB_OK;
	if (n < PW_MIN || n > PW_MAX)
		return cb_err_field(err, CB_EINVAL, "password", "The password must have %d to %d characters.", PW_MIN,
				    PW_MAX);
	for (size_t i = 0; i <= n; i++)
		lower[i] = pw[i] >= 'A' && pw[i] <= 'Z' ? (char)(pw[i] - 'A' + 'a') : pw[i];
	letters_of(pw, false, plain);
	letters_of(pw, true, leet);
	letters_of(name ? name : "", false, own);
	if (listed(common_lower, CB_COUNTOF(common_lower), lower) || too_common(plain) || too_common(leet))
		rc = cb_err_field(err, CB_EINVAL, "password",
				  "This password is one of the most common ones: choose a phrase of several unrelated words.");
	else if (only_names(plain, own) || only_names(leet, own))
		rc = cb_err_field(err, CB_EINVAL, "password",
				  "This password is made of the user name or the product name: choose a phrase of "
				  "several unrelated words.");
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

/* ---- users */

/* An account as access hands it out: read by the store, with what the policy grants it (cb_policy_grant). */
static int user_get(struct cb_store *s, const char *name, int64_t id, struct cb_user *out, struct cb_err *err)
{
	int rc = cb_user_row_get(s, name, id, out, err);
	if (rc == CB_OK)
		cb_policy_grant(out);
	return rc;
}

struct granted {
	int (*fn)(const struct cb_user *u, void *ctx);
	void *ctx;
};

static int list_granted(const struct cb_user *u, void *ctx)
{
	const struct granted *g = ctx;
	struct cb_user copy = *u;
	cb_policy_grant(&copy);
	return g->fn(&copy, g->ctx);
}

int cb_user_add(struct cb_store *s, const char *name, enum cb_role role, const char *site, const char *password,
		struct cb_user *out, struct cb_err *err)
{
	char hash[crypto_pwhash_STRBYTES], vbuf[64], site_code[17] = "";
	int rc;

	if (!name_valid(name))
		return cb_err_field(err, CB_EINVAL, "name", "name: '%s': expected 1 to %d characters A-Z a-z 0-9 . _ @ -",
				    cb_err_value(name, vbuf), CB_NAME_MAX);
	if ((unsigned)role >= CB_ROLE__COUNT)
		return cb_err_field(err, CB_EINVAL, "role", "Role must be administrator, manager, caseworker or analyst.");
	if (role == CB_ROLE_CASEWORKER) {
		/* the codebook's own check of an office code */
		struct cb_case c;
		cb_case_init(&c);
		if (!site || !*site)
			return cb_err_field(err, CB_EINVAL, "site", "Office is required for a caseworker: choose the office whose cases she keeps.");
		if ((rc = cb_case_set_text(&c, cb_field_find("site"), site, err)) != CB_OK)
			return rc;
		snprintf(site_code, sizeof site_code, "%s", c.site);
		if (strcmp(site_code, site) != 0)
			return cb_err_field(err, CB_EINVAL, "site", "site: '%s': expected 2 to 16 characters A-Z, 0-9 or -",
					    cb_err_value(site, vbuf));
		if ((rc = cb_site_check(s, site_code, "site", err)) != CB_OK) /* the managed list: store/sites.h */
			return rc;
	} else if (site && *site) {
		return cb_err_field(err, CB_EINVAL, "site", "Only caseworkers belong to an office: leave Office empty.");
	}
	if ((rc = check_password(password, name, err)) != CB_OK)
		return rc;
	if (cb_store_readonly(s))
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if ((rc = hash_password(password, hash, err)) != CB_OK)
		return rc;
	if ((rc = cb_user_row_add(s, name, role, site_code, hash, err)) != CB_OK)
		goto out;
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
	struct granted g = {fn, ctx};
	return cb_user_rows(s, list_granted, &g, err);
}

int cb_user_set_disabled(struct cb_store *s, int64_t id, bool disabled, const struct cb_user *by,
			 struct cb_err *err)
{
	struct cb_user u;
	int rc;
	if ((rc = user_get(s, NULL, id, &u, err)) != CB_OK)
		return rc;
	/* nobody shuts herself out, and the accounts are never left without an enabled admin to manage them */
	if (disabled && by && by->id == id)
		return cb_err_set(err, CB_EPERM, "you cannot disable your own account: another admin can");
	rc = cb_user_row_set_disabled(s, id, disabled, err);
	if (rc == CB_ENOTFOUND && disabled && u.role == CB_ROLE_ADMIN)
		rc = cb_err_set(err, CB_EPERM, "%s is the last enabled admin: enable or add another admin first", u.name);
	return rc;
}

/* Stores a new hash; with `reset`, also clears the failure counter and lock and ends the sessions. */
static int store_hash(struct cb_store *s, int64_t id, const char *password, bool reset, struct cb_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc;
	if ((rc = hash_password(password, hash, err)) == CB_OK)
		rc = cb_user_row_set_hash(s, id, hash, reset, err);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int cb_user_set_password(struct cb_store *s, int64_t id, const char *password, struct cb_err *err)
{
	struct cb_user u;
	int rc;
	if ((rc = user_get(s, NULL, id, &u, err)) != CB_OK || (rc = check_password(password, u.name, err)) != CB_OK)
		return rc;
	if (cb_store_readonly(s))
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	return store_hash(s, id, password, true, err);
}

/* ---- logging in */

/* What authenticate needs of a user row, read by name.  A wrong password counts one failure, kept for the
 * record; it locks nothing: a lock by name would let anybody who knows a name lock its owner out, and the
 * server slows failing addresses down instead (sessions.c).  A refusal that checked no real password writes
 * once too, so the commit's fsync does not tell an unknown name from a wrong password. */
struct login_row {
	struct cb_user u;
	char hash[crypto_pwhash_STRBYTES];
};

int cb_user_authenticate(struct cb_store *s, const char *name, const char *password, int64_t now,
			 struct cb_user *out, struct cb_err *err)
{
	struct login_row *lr = NULL;
	int rc;

	if (cb_store_readonly(s))
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if (!(lr = sodium_malloc(sizeof *lr)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	size_t pwlen = password ? strnlen(password, PW_MAX + 1) : 0;
	bool pw_ok = password && pwlen <= PW_MAX;
	const char *pw = pw_ok ? password : "";

	rc = name_valid(name) ? cb_user_row_login(s, name, &lr->u, lr->hash, sizeof lr->hash, err) : CB_ENOTFOUND;
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		goto out;
	if (rc == CB_ENOTFOUND || lr->u.disabled || lr->u.locked_until > now || !pw_ok) {
		/* the same work as a real check, and the same answer */
		volatile int ignored = crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw));
		(void)ignored;
		if ((rc = cb_user_row_failed(s, 0, err)) == CB_OK)
			rc = cb_err_set(err, CB_EPERM, "%s", login_failed);
		goto out;
	}
	if (crypto_pwhash_str_verify(lr->hash, pw, pwlen) != 0) {
		if ((rc = cb_user_row_failed(s, lr->u.id, err)) == CB_OK)
			rc = cb_err_set(err, CB_EPERM, "%s", login_failed);
		goto out;
	}
	if ((rc = cb_user_row_clear_failures(s, lr->u.id, err)) != CB_OK)
		goto out;
	/* stored with weaker limits than today's (or another algorithm): upgrade while we know the password */
	if (crypto_pwhash_str_needs_rehash(lr->hash, PW_OPS, PW_MEM) != 0 &&
	    (rc = store_hash(s, lr->u.id, pw, false, err)) != CB_OK)
		goto out;
	lr->u.locked_until = 0;
	cb_policy_grant(&lr->u);
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
	random_token(token);
	random_token(sess.csrf);
	token_hash(token, h);
	rc = cb_session_row_add(s, h, &sess, IDLE_SECONDS, ABSOLUTE_SECONDS, err);
out:
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK && out)
		*out = sess;
	if (rc != CB_OK)
		sodium_memzero(token, CB_TOKEN_TEXT);
	sodium_memzero(&sess, sizeof sess);
	return rc;
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
	bool disabled = false;
	int rc = cb_session_row_find(s, h, sess, &disabled, err);
	*expired = disabled || now >= sess->last_seen + IDLE_SECONDS || now >= sess->created + ABSOLUTE_SECONDS;
	return rc;
}

/* Hands a found session and its account to the caller (either may be NULL) and wipes the local copy. */
static int hand_over(int rc, struct cb_session *sess, const struct cb_user *u, struct cb_session *out,
		     struct cb_user *user)
{
	if (rc == CB_OK) {
		if (out)
			*out = *sess;
		if (user)
			*user = *u;
	}
	sodium_memzero(sess, sizeof *sess);
	return rc;
}

/* The key a session is stored under, for a token of the right shape; any other is no session. */
static int token_key(const char *token, uint8_t h[32], struct cb_err *err)
{
	if (!token_shape(token))
		return cb_err_set(err, CB_ENOTFOUND, "no such session");
	token_hash(token, h);
	return CB_OK;
}

int cb_session_check(struct cb_store *s, const char *token, int64_t now, struct cb_session *out,
		     struct cb_user *user, struct cb_err *err)
{
	struct cb_session sess = {0};
	struct cb_user u;
	uint8_t h[32];
	bool expired;
	int rc, r;

	if ((rc = token_key(token, h, err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = session_find(s, h, now, &sess, &expired, err)) != CB_OK)
		goto out;
	if (expired) {
		if ((rc = cb_session_row_delete(s, h, err)) == CB_OK || rc == CB_ENOTFOUND)
			rc = cb_err_set(err, CB_ENOTFOUND, "the session has expired");
		goto out;
	}
	if (now > sess.last_seen) {
		if ((rc = cb_session_row_seen(s, h, now, err)) != CB_OK)
			goto out;
		sess.last_seen = now;
	}
	if ((rc = user_get(s, NULL, sess.user_id, &u, err)) != CB_OK)
		goto out;
out:
	/* an expired session's deletion is committed even though the answer is "not found" */
	if ((r = cb_store_tx_end(s, rc == CB_ENOTFOUND ? CB_OK : rc, err)) != CB_OK)
		rc = r;
	return hand_over(rc, &sess, &u, out, user);
}

int cb_session_lookup(struct cb_store *s, const char *token, int64_t now, struct cb_session *out,
		      struct cb_user *user, struct cb_err *err)
{
	struct cb_session sess = {0};
	struct cb_user u;
	uint8_t h[32];
	bool expired;
	int rc;

	if ((rc = token_key(token, h, err)) != CB_OK)
		return rc;
	if ((rc = session_find(s, h, now, &sess, &expired, err)) == CB_OK && expired)
		rc = cb_err_set(err, CB_ENOTFOUND, "the session has expired");
	if (rc == CB_OK)
		rc = user_get(s, NULL, sess.user_id, &u, err);
	return hand_over(rc, &sess, &u, out, user);
}

int cb_session_end(struct cb_store *s, const char *token)
{
	uint8_t h[32];
	if (!token_shape(token))
		return CB_ENOTFOUND;
	token_hash(token, h);
	return cb_session_row_delete(s, h, NULL);
}

int cb_session_end_user(struct cb_store *s, int64_t user_id)
{
	return cb_session_row_end_user(s, user_id, NULL);
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
		return cb_err_field(err, CB_EINVAL, "reason", "The reason must have %d to %d characters.",
				    REASON_MIN, REASON_MAX);
	*start = (const char *)b;
	*len = (size_t)(e - b);
	return CB_OK;
bad:
	return cb_err_field(err, CB_EINVAL, "reason", "The reason must be plain text, without control characters.");
}

int cb_glass_open(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], const char *reason, int64_t now,
		  struct cb_err *err)
{
	struct cb_user u;
	struct cb_audit_entry *e = NULL;
	const char *text = NULL;
	char *copy = NULL;
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
	if ((rc = user_get(s, NULL, user_id, &u, err)) != CB_OK || !cb_policy_may_glass(&u)) {
		if (rc == CB_OK || rc == CB_ENOTFOUND)
			rc = cb_err_set(err, CB_EPERM, "break the glass: only an enabled manager may");
		goto out;
	}
	if ((rc = cb_store_case_exists(s, case_id, err)) == CB_ENOTFOUND) {
		char idtext[CB_ID_TEXT];
		cb_case_id_format(case_id, idtext);
		rc = cb_err_set(err, CB_ENOTFOUND, "case %s: not found", idtext);
	}
	if (rc != CB_OK || (rc = cb_glass_row_add(s, user_id, case_id, copy, now, now + GLASS_SECONDS, err)) != CB_OK)
		goto out;
	/* the grant and its entry in one transaction: a grant never exists without its entry */
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
	struct cb_user u;
	/* a grant counts only while its holder may still break the glass (an enabled manager); the grant is
	 * looked for first: most reads have none, and then the holder need not be read (a round trip less on
	 * PostgreSQL) */
	return cb_glass_row_open(s, user_id, case_id, now) && user_get(s, NULL, user_id, &u, NULL) == CB_OK &&
	       cb_policy_may_glass(&u);
}
