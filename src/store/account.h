/*
 * account.h -- an account as it is stored (its name, role and office) and what the policy granted it.  The
 * rules about what a role may do live in access/policy.c; this is only the record, kept in store/ so that every layer that names who acted
 * (the audit trail, casework, access) shares one type without reaching upward.
 */
#ifndef CB_STORE_ACCOUNT_H
#define CB_STORE_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

enum cb_role { CB_ROLE_ADMIN, CB_ROLE_MANAGER, CB_ROLE_CASEWORKER, CB_ROLE_ANALYST, CB_ROLE__COUNT };

/* What the policy (access/policy.c, cb_policy_grant) grants an account in casework.  access/ fills it on every
 * account it hands out; the layers below it read these bits, never the role, so that every role rule stays in
 * the one policy file.  All false (as in an account read by the store alone) grants nothing. */
struct cb_grants {
	bool manage_partners;  /* add and change partner organisations */
	bool override_consent; /* refer a person's details out without consent_share_partners */
	bool every_office;     /* see the partner entries of every office (else: its own office's and shared ones) */
};

#define CB_NAME_MAX 64
struct cb_user {
	int64_t id;
	char name[CB_NAME_MAX + 1];
	enum cb_role role;
	char site[17]; /* caseworkers: their office; "" otherwise */
	bool disabled;
	int64_t locked_until; /* unix seconds; 0 when not locked */
	struct cb_grants may;  /* filled by access/ (cb_policy_grant) */
};

/* A session as stored: token and csrf texts are 43 characters of base64url (256 bits). */
#define CB_TOKEN_TEXT 44
struct cb_session {
	int64_t user_id;
	char csrf[CB_TOKEN_TEXT];
	int64_t created, last_seen;
};

#endif
