/*
 * odk.h -- what the ODK server keeps (store/odk.c; schema step 6): its RSA key sealed in meta, the instance
 * ids of submissions received (the same instanceID twice stores nothing new), and the review queue of
 * submissions that could not be stored as they came (invalid, or an offline edit of a case changed since),
 * each sealed whole under the review key, which a sub-key of the master key protects.
 */
#ifndef CB_STORE_ODK_H
#define CB_STORE_ODK_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/odk.h"
#include "store/store.h"

struct cb_audit_entry;

/* The server's RSA key (made and sealed on first use, once per database) and the review key (secret memory
 * of CB_KEY_BYTES, cb_secret_free).  Reads the master key from the key file. */
int cb_store_odk_keys(struct cb_store *s, struct cb_odk_key **rsa, uint8_t **review_key, struct cb_err *err);

/* Has this instance id been received? */
int cb_store_odk_seen(struct cb_store *s, const char *instance_id, bool *seen, struct cb_err *err);
/* Inside the caller's transaction (cb_store_begin): records an instance id with its outcome ("case",
 * "followup", "assistance", "stage", "review") and case.  CB_EEXIST when it was received before. */
int cb_store_odk_mark(struct cb_store *s, const char *instance_id, const char *form_id, const char *outcome,
		      const uint8_t *case_id, struct cb_err *err);

/* New cases from submissions, many in one transaction (the server's group commit): each job's case
 * (cb_store_prepare'd, on the submitting thread) is written with its instance id, or neither is (a savepoint
 * each); job->rc says which: CB_EEXIST when the instance id was received before.  Returns the transaction's
 * result (a failed commit fails every job). */
struct cb_odk_new_case {
	struct cb_prepared *p;
	const char *instance_id, *form_id;
	uint8_t case_id[16];
	const struct cb_audit_entry *audit; /* the case's audit entry, appended in its savepoint (or NULL) */
	int rc;
	struct cb_err err;
};
int cb_store_odk_write_cases(struct cb_store *s, struct cb_odk_new_case *const *jobs, int n, struct cb_err *err);

/* The review queue. */
struct cb_review {
	int64_t id;
	char instance_id[101];
	char form_id[65];
	char user[65];      /* who submitted */
	char site[17];      /* the office it is for ("" when unknown) */
	char reason[600];   /* why it is here: field and coded values only, never an identifying detail */
	char kind[16];      /* "invalid" or "conflict" */
	uint8_t case_id[16]; /* a follow-up's or assistance's case; zero for a new case */
	int64_t seen_version, case_version; /* conflict: what the phone saw, what is stored */
	int64_t received_at, resolved_at;
	char state[12];     /* "pending", "accepted", "rejected" */
	char resolved_by[65];
};
/* Adds a submission (its plain instance XML, sealed here under key) in the caller's transaction or its own;
 * sets r->id. */
int cb_store_review_add(struct cb_store *s, const uint8_t *key, struct cb_review *r, const char *xml, size_t len,
			struct cb_err *err);
typedef int (*cb_review_fn)(const struct cb_review *r, void *ctx);
/* Newest first; state NULL: all; site NULL: every office. */
int cb_store_review_list(struct cb_store *s, const char *state, const char *site, cb_review_fn fn, void *ctx,
			 struct cb_err *err);
/* One entry and (xml not NULL) its opened instance, malloc'd, wiped by the caller (cb_text_free). */
int cb_store_review_get(struct cb_store *s, const uint8_t *key, int64_t id, struct cb_review *out, char **xml,
			struct cb_err *err);
/* Marks a pending entry accepted or rejected (CB_ECONFLICT when it is not pending); a rejection drops the
 * sealed instance, so nothing identifying stays behind. */
int cb_store_review_resolve(struct cb_store *s, int64_t id, bool accepted, const char *by, int64_t now,
			    struct cb_err *err);
/* Rejects a pending entry (as cb_store_review_resolve) and keeps the manager's reason (or NULL), which is free
 * text and may name someone: sealed under key.  In the caller's transaction or its own. */
int cb_store_review_reject(struct cb_store *s, const uint8_t *key, int64_t id, const char *by, int64_t now,
			   const char *reason, struct cb_err *err);
/* A rejected entry's reason, opened (malloc'd, wiped by the caller with cb_text_free), or *reason NULL. */
int cb_store_review_note(struct cb_store *s, const uint8_t *key, int64_t id, char **reason, struct cb_err *err);

#endif
