/*
 * audit.h -- the storage of the tamper-evident audit trail (audit.c): every audited act's name (from
 * include/tbl/cb_audit.h), append (inside the act's transaction), verify, list.
 *
 * Each entry holds who, when, from where, action, case id and the names of the fields touched (never their
 * values), and a BLAKE2b hash keyed with a sub-key of the master key over the previous entry's hash and its own
 * content.  cb_audit_verify finds the first entry altered, removed or reordered; without the key file nobody
 * can forge a consistent chain.  The chain head (count, last hash, keyed MAC) in meta, rewritten with every
 * append, shows entries cut off the end.  cb_store_event (store.h) appends to this trail; the old `events`
 * table is a view over it.  Kept in store/ (not access/) because every act of every layer appends to it inside
 * its own transaction.
 */
#ifndef CB_STORE_AUDIT_H
#define CB_STORE_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/account.h"
#include "store/store.h"

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
/* The same on behalf of `by`, a user of the server (NULL: the local operator), with a detail (or NULL): the
 * way every layer records an act inside the act's own transaction (cb_store_tx_begin). */
int cb_store_audit_by(struct cb_store *s, const struct cb_user *by, enum cb_audit_action a, const uint8_t *case_id,
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
/* An act and its entry in one transaction: cb_store_act_begin opens it, and the store's calls that follow
 * (of every layer) join it; cb_store_act_end, given the act's result rc, appends e and commits both when rc is
 * CB_OK, and otherwise -- or when the append fails -- rolls both back.  It returns rc, else the append's,
 * else the commit's result: a failed append fails the act.  Every begin that succeeded needs its end. */
int cb_store_act_begin(struct cb_store *s, struct cb_err *err);
int cb_store_act_end(struct cb_store *s, int rc, const struct cb_audit_entry *e, struct cb_err *err);
/* cb_audit_append with the detail passed apart (any length; NULL for none): cb_store_event uses it. */
int cb_audit_append_detail(struct cb_store *s, const struct cb_audit_entry *e, const char *detail,
			   struct cb_err *err);
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
