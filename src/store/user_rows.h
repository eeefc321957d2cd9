/*
 * user_rows.h -- the storage of accounts, sessions and break-the-glass grants (user_rows.c): tables users,
 * sessions and glass; and of failed logins by address (login_rows.c).  Narrow functions over their rows;
 * every rule about them (names, passwords, limits, who may break the glass) is access/'s (access/users.c,
 * sessions.c).  Writes run inside the caller's transaction when one is open (cb_store_tx_begin), each in its
 * own otherwise.
 */
#ifndef CB_USER_ROWS_H
#define CB_USER_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/account.h"
#include "store/store.h"

/* The role's name as stored ("admin", ...), "?" out of range; the role a name stands for (CB_EINVAL). */
const char *cb_role_name(enum cb_role r);
int cb_role_parse(const char *name, enum cb_role *out);

/* ---- accounts */

/* Inserts an account with its password hash (Argon2id text); CB_EEXIST naming `name` when it is taken. */
int cb_user_row_add(struct cb_store *s, const char *name, enum cb_role role, const char *site, const char *pwhash,
		    struct cb_err *err);
/* One account by name (non-NULL) or id; CB_ENOTFOUND ("no such user"). */
int cb_user_row_get(struct cb_store *s, const char *name, int64_t id, struct cb_user *out, struct cb_err *err);
/* Calls fn for every account, by name; stops at fn's first non-zero return and returns it. */
int cb_user_rows(struct cb_store *s, int (*fn)(const struct cb_user *u, void *ctx), void *ctx, struct cb_err *err);
/* Sets `disabled`; disabling ends the account's sessions in the same transaction.  Disabling the last enabled
 * admin changes nothing: the condition is in the UPDATE itself, so two admins disabling each other at once
 * cannot both succeed.  CB_ENOTFOUND when nothing changed. */
int cb_user_row_set_disabled(struct cb_store *s, int64_t id, bool disabled, struct cb_err *err);
/* user_admin_rows.c: clears the failure counter and lock (CB_ENOTFOUND); sets role and office and ends the
 * sessions, in one transaction (CB_EPERM when it would leave no enabled admin). */
int cb_user_row_unlock(struct cb_store *s, int64_t id, struct cb_err *err);
int cb_user_row_set_role(struct cb_store *s, int64_t id, enum cb_role role, const char *site, struct cb_err *err);
/* Stores a new password hash; with `reset`, also clears the failure counter and lock and ends the sessions. */
int cb_user_row_set_hash(struct cb_store *s, int64_t id, const char *pwhash, bool reset, struct cb_err *err);
/* The account named `name` and its stored hash (hash: crypto_pwhash_STRBYTES bytes); CB_ENOTFOUND. */
int cb_user_row_login(struct cb_store *s, const char *name, struct cb_user *u, char *hash, size_t hash_n,
		      struct cb_err *err);
/* One more failed login of account id; id 0: a refusal that checked no real password (a meta counter), so
 * that both write once. */
int cb_user_row_failed(struct cb_store *s, int64_t id, struct cb_err *err);
int cb_user_row_clear_failures(struct cb_store *s, int64_t id, struct cb_err *err);

/* ---- sessions: by the BLAKE2b-256 hash of the token; the token itself is never stored */

/* Deletes every session idle since now - idle or created before now - absolute, then inserts this one. */
int cb_session_row_add(struct cb_store *s, const uint8_t h[32], const struct cb_session *sess, int64_t idle,
		       int64_t absolute, struct cb_err *err);
/* The session with hash h and whether its account is disabled; CB_ENOTFOUND ("no such session"). */
int cb_session_row_find(struct cb_store *s, const uint8_t h[32], struct cb_session *sess, bool *disabled,
			struct cb_err *err);
/* Sets last_seen of session h. */
int cb_session_row_seen(struct cb_store *s, const uint8_t h[32], int64_t seen, struct cb_err *err);
/* Deletes session h: CB_ENOTFOUND when there was none. */
int cb_session_row_delete(struct cb_store *s, const uint8_t h[32], struct cb_err *err);
/* Deletes every session of an account. */
int cb_session_row_end_user(struct cb_store *s, int64_t user_id, struct cb_err *err);
/* Moves last_seen of sessions forward (never back; an ended session stays ended), in one transaction.
 * token_hash: BLAKE2b-256 of the token text, as stored. */
struct cb_session_touch {
	uint8_t token_hash[32];
	int64_t seen;
};
int cb_session_touch_many(struct cb_store *s, const struct cb_session_touch *t, int n, struct cb_err *err);

/* ---- break-the-glass grants */

/* Stores a grant of user_id on case_id from `now` until `until`, with its reason. */
int cb_glass_row_add(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], const char *reason, int64_t now,
		     int64_t until, struct cb_err *err);
/* Whether user_id holds a grant on case_id open at `now` (false on any doubt). */
bool cb_glass_row_open(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], int64_t now);

/* ---- failed logins by client address (login_rows.c): addr is access/sessions.c's 16-byte key */

/* The failures of addr within `forget` seconds before now, and when the last was (0 and 0: none). */
int cb_login_row_get(struct cb_store *s, const uint8_t addr[16], int64_t now, int64_t forget, int *fails,
		     int64_t *last, struct cb_err *err);
/* One more failure of addr at now (the count starts afresh when the last is `forget` seconds old); rows of
 * other addresses that old go. */
int cb_login_row_failed(struct cb_store *s, const uint8_t addr[16], int64_t now, int64_t forget, struct cb_err *err);

#endif
