/*
 * access.h -- who may do what: user accounts, sessions, break-the-glass grants, and the tamper-evident
 * audit trail.  All of it lives in the case database (DB), next to the cases it protects.
 *
 * Accounts: a name, a role, an office (site) for caseworkers, an Argon2id password hash (libsodium
 * crypto_pwhash_str, at least OWASP ASVS parameters), a failed-login counter (kept for the record; it locks
 * nothing: the server slows down failing client addresses, http/throttle.c).  Sessions: a random 256-bit token handed to the client once; only its hash is stored.
 * Idle timeout 30 minutes, absolute 8 hours; logout and disabling a user end their sessions.  Each session
 * has its own random CSRF token.
 *
 * Audit trail: append-only; each entry holds who, when, from where, action, case id and the names of the
 * fields touched (never their values), and a BLAKE2b hash keyed with a sub-key of the master key over the
 * previous entry's hash and its own content.  cb_audit_verify finds the first entry altered, removed or
 * reordered; without the key file nobody can forge a consistent chain.  The chain head (count, last hash,
 * keyed MAC) in meta, rewritten with every append, shows entries cut off the end.  cb_store_event (store.h)
 * appends to this trail; the old `events` table is a view over it.
 */
#ifndef CB_ACCESS_H
#define CB_ACCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store/store.h"

enum cb_role { CB_ROLE_ADMIN, CB_ROLE_MANAGER, CB_ROLE_CASEWORKER, CB_ROLE_ANALYST, CB_ROLE__COUNT };
const char *cb_role_name(enum cb_role r);
int cb_role_parse(const char *name, enum cb_role *out); /* CB_EINVAL for an unknown role */

#define CB_NAME_MAX 64
struct cb_user {
	int64_t id;
	char name[CB_NAME_MAX + 1];
	enum cb_role role;
	char site[17]; /* caseworkers: their office; "" otherwise */
	bool disabled;
	int64_t locked_until; /* unix seconds; 0 when not locked */
};

/* Users.  Names: 1..64 characters [A-Za-z0-9._@-].  Passwords: 10..1024 bytes, not one of the commonest
 * passwords (also with digits and punctuation added), not made of the user's name or "casebank" alone:
 * CB_EINVAL naming `password` otherwise. */
int cb_user_add(struct cb_store *s, const char *name, enum cb_role role, const char *site, const char *password,
		struct cb_user *out, struct cb_err *err);
int cb_user_get(struct cb_store *s, const char *name, struct cb_user *out, struct cb_err *err);
int cb_user_get_id(struct cb_store *s, int64_t id, struct cb_user *out, struct cb_err *err);
/* Calls fn for every user, by name. */
int cb_user_list(struct cb_store *s, int (*fn)(const struct cb_user *u, void *ctx), void *ctx, struct cb_err *err);
/* Disables (ending every session) or re-enables an account.  `by`: the admin acting (NULL: the local
 * operator).  CB_EPERM for an admin disabling her own account, and for disabling the last enabled admin. */
int cb_user_set_disabled(struct cb_store *s, int64_t id, bool disabled, const struct cb_user *by,
			 struct cb_err *err);
/* users_admin.c: clears the failure counter and a lock (CB_ENOTFOUND for no such user); sets the role and,
 * for a caseworker, the office (checked against the list of offices, store/sites.h; others have none), and
 * ends the user's sessions.  CB_EPERM for an admin taking away her own admin role, or the last admin's. */
int cb_user_unlock(struct cb_store *s, int64_t id, struct cb_err *err);
int cb_user_set_role(struct cb_store *s, int64_t id, enum cb_role role, const char *site, const struct cb_user *by,
		     struct cb_err *err);
/* Sets a new password, clears the failure counter and lock, and ends the user's sessions. */
int cb_user_set_password(struct cb_store *s, int64_t id, const char *password, struct cb_err *err);

/* Checks a password and counts failures (no lock: see above).  CB_EPERM for a wrong password, an unknown
 * user, a disabled account (or one locked by an earlier version), all with the same message (no user
 * enumeration). */
int cb_user_authenticate(struct cb_store *s, const char *name, const char *password, int64_t now,
			 struct cb_user *out, struct cb_err *err);

/* Sessions.  token and csrf are 43-character base64url texts (256 bits). */
#define CB_TOKEN_TEXT 44
struct cb_session {
	int64_t user_id;
	char csrf[CB_TOKEN_TEXT];
	int64_t created, last_seen;
};
int cb_session_new(struct cb_store *s, int64_t user_id, int64_t now, char token[CB_TOKEN_TEXT],
		   struct cb_session *out, struct cb_err *err);
/* Looks a token up, enforces idle (30 min) and absolute (8 h) limits, refreshes last_seen.  CB_ENOTFOUND
 * for an unknown, expired or ended session, or a disabled user. */
int cb_session_check(struct cb_store *s, const char *token, int64_t now, struct cb_session *out,
		     struct cb_user *user, struct cb_err *err);
/* What cb_session_check decides, without writing anything (a server checks this way and records last_seen
 * apart, in batches, so that requests never wait for the write lock): CB_ENOTFOUND for an unknown, expired or
 * ended session or a disabled user; an expired session is left for the next cb_session_new to sweep. */
int cb_session_lookup(struct cb_store *s, const char *token, int64_t now, struct cb_session *out,
		      struct cb_user *user, struct cb_err *err);
/* Moves last_seen of sessions forward (never back; an ended session stays ended), in one transaction.
 * token_hash: BLAKE2b-256 of the token text, as stored. */
struct cb_session_touch {
	uint8_t token_hash[32];
	int64_t seen;
};
int cb_session_touch_many(struct cb_store *s, const struct cb_session_touch *t, int n, struct cb_err *err);
int cb_session_end(struct cb_store *s, const char *token);
int cb_session_end_user(struct cb_store *s, int64_t user_id);

/* Break the glass: a manager states a reason and may read one case's identifying details for 60 minutes.
 * The reason is 10..500 characters of text (it must not itself be an identifying detail).  cb_glass_open
 * stores the grant and appends its `glass` audit entry (user, case, reason) in one transaction, so a grant
 * never exists without its entry.  CB_EPERM unless the user is an enabled manager; CB_ENOTFOUND without the
 * case. */
int cb_glass_open(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], const char *reason, int64_t now,
		  struct cb_err *err);
bool cb_glass_active(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], int64_t now);

/* Audit trail. */

/* Every audited action, from include/tbl/cb_audit.h: callers name an act by its enum, never by a string. */
enum cb_audit_action {
#define CB_AUDIT(id, name, old, what) CB_AUD_##id,
#include "tbl/cb_audit.h"
#undef CB_AUDIT
	CB_AUD_N
};
extern const char *const cb_audit_names[CB_AUD_N];     /* the name written to the trail */
extern const char *const cb_audit_old_names[CB_AUD_N]; /* what older versions wrote instead, or NULL */
/* Whether an entry's action text is act a, under its name or its old one (old entries keep old names). */
bool cb_audit_is(const char *action, enum cb_audit_action a);
/* Appends act a as the local operator (the command line), inside the caller's transaction if one is open:
 * fields names the fields touched or shown (or NULL), detail says how (or NULL); never values.  As with
 * cb_audit_append, a failure must stop the caller before it shows or keeps what it wanted to record. */
int cb_store_audit(struct cb_store *s, enum cb_audit_action a, const uint8_t *case_id, const char *fields,
		   const char *detail, struct cb_err *err);
struct cb_audit_entry {
	int64_t id;
	int64_t at_ms;        /* unix milliseconds */
	char user[CB_NAME_MAX + 1]; /* "" for the command line's local operator: then "cli:<name>(<uid>)"
				     * (with from "" or "cli"; "" with a client address stays "": nobody logged in) */
	char from[64];        /* client address, or "cli" */
	char action[48];      /* a name from include/tbl/cb_audit.h (or an old name of one) */
	uint8_t case_id[16];  /* zero when none */
	char fields[512];     /* comma-separated field names touched, never values */
	char detail[2048];    /* optional: a break-the-glass reason, a cb_store_event detail; never values */
};
/* A failed login ("login.failed") with no user but a client address -- a name that is no account -- is not
 * appended: it adds one to this meta counter instead, in the same transaction an entry would have had. */
#define CB_AUDIT_UNKNOWN_LOGINS "audit.login_failed_unknown_names"
/* Appends an entry (inside the caller's transaction if one is open).  at_ms 0 means now; user "" with from ""
 * means the local operator ("cli:<name>(<uid>)" of the effective uid, from "cli").  CB_ECORRUPT if the chain head in meta was tampered with: then
 * nothing is appended, and the caller must not go on with what it wanted to record. */
int cb_audit_append(struct cb_store *s, const struct cb_audit_entry *e, struct cb_err *err);
/* Appends e[0..n) in this order, in one transaction of their own (BEGIN IMMEDIATE .. COMMIT, durable when it
 * returns): the group commit of the server.  The chain head is read and rewritten once for all of them.
 * rcs[i]: entry i's result: CB_EINVAL for an entry that is not valid (it alone is left out), otherwise the
 * transaction's.  Returns the transaction's result (CB_OK when nothing was left to write). */
int cb_audit_append_batch(struct cb_store *s, const struct cb_audit_entry *const *e, int n, int *rcs,
			  struct cb_err *err);
/* Walks the chain.  CB_OK when intact; CB_ECORRUPT with *bad_id = the first entry that was altered, removed
 * or reordered (and a message saying which): for entries cut off the end, the first one missing; 0 when the
 * chain head in meta is itself missing or altered.  *checked: the entries found intact before the problem. */
int cb_audit_verify(struct cb_store *s, int64_t *checked, int64_t *bad_id, struct cb_err *err);
/* Newest first, at most `limit`, optionally only one case's entries. */
int cb_audit_list(struct cb_store *s, const uint8_t *case_id, int limit,
		  int (*fn)(const struct cb_audit_entry *e, void *ctx), void *ctx, struct cb_err *err);

#endif
