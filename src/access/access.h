/*
 * access.h -- who may act: user accounts, sessions, break-the-glass grants (users.c), and the server's cache of
 * checked sessions with its throttle of failing logins (sessions.c).  What each role may do is policy.h's.
 * Accounts and sessions live in the case database (DB), next to the cases they protect; the audit trail they
 * append to is the store's (store/audit.h).
 *
 * Accounts: a name, a role, an office (site) for caseworkers, an Argon2id password hash (libsodium
 * crypto_pwhash_str, at least OWASP ASVS parameters), a failed-login counter (kept for the record; it locks
 * nothing: the server slows down failing client addresses, sessions.c).  Sessions: a random 256-bit token
 * handed to the client once; only its hash is stored.  Idle timeout 30 minutes, absolute 8 hours; logout and
 * disabling a user end their sessions.  Each session has its own random CSRF token.
 */
#ifndef CB_ACCESS_H
#define CB_ACCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store/account.h"
#include "store/audit.h"
#include "store/store.h"
#include "store/user_rows.h"


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

/* ---- sessions.c: checked sessions, cached for a few seconds (keyed by a hash of the token) */
#define CB_SESSION_CACHE_SECONDS 5
struct cb_session_cache;
int cb_session_cache_new(struct cb_session_cache **out);
void cb_session_cache_free(struct cb_session_cache **c);
bool cb_session_cache_get(struct cb_session_cache *c, const char *token, int64_t now, struct cb_session *sess,
			  struct cb_user *user);
void cb_session_cache_put(struct cb_session_cache *c, const char *token, int64_t now, const struct cb_session *sess,
			  const struct cb_user *user);
void cb_session_cache_drop(struct cb_session_cache *c, const char *token);
/* Is the stored last_seen of this cached session CB_SESSION_TOUCH_SECONDS behind now?  Then true, once, with
 * the token hash to hand to cb_auditq_touch; the entry counts as touched from now on. */
#define CB_SESSION_TOUCH_SECONDS 60
bool cb_session_cache_touch(struct cb_session_cache *c, const char *token, int64_t now, uint8_t token_hash[32]);
void cb_session_cache_drop_user(struct cb_session_cache *c, int64_t user_id);
/* Failed logins, slowed down by client address (`from`, as in cb_http_req), never by account, counted in the
 * database (every server of one database counts the same): seconds this address must still wait before a
 * login of its is checked (0: now, also when the database cannot say), and a failure to count. */
#define CB_LOGIN_FREE_FAILURES 5
#define CB_LOGIN_MAX_DELAY 300 /* seconds */
#define CB_LOGIN_FORGET 900    /* seconds without a failure after which an address starts afresh */
int64_t cb_login_wait(struct cb_store *s, const char *from, int64_t now);
int cb_login_failed(struct cb_store *s, const char *from, int64_t now, struct cb_err *err);
/* Every door that checks passwords (the web's login, ODK's Basic auth) asks this first: NULL when `from` may
 * try now, else msg filled with the refusal its caller sends with 429 (the wait in seconds; no name). */
const char *cb_login_refused(struct cb_store *s, const char *from, int64_t now, char *msg, size_t n);

#endif
