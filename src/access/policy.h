/*
 * policy.h -- every role and scope rule, in one place (policy.c): who may do what, to which office's records.
 * The doors (the server, the command line) ask it and only map its answer to 401/403/404 or an exit status;
 * docs/api.md's "Roles and scope" table is the same table.
 */
#ifndef CB_POLICY_H
#define CB_POLICY_H

#include <stdbool.h>

#include "store/account.h"

enum cb_action {
	CB_ACT_LOGIN,
	CB_ACT_LOGOUT,
	CB_ACT_ME,
	CB_ACT_CODEBOOK,
	CB_ACT_STATIC,      /* the web interface's files */
	CB_ACT_CASE_LIST,
	CB_ACT_CASE_CREATE, /* record site: the site of the new case */
	CB_ACT_CASE_READ,
	CB_ACT_CASE_PII,    /* identifying details of a case the caller may read */
	CB_ACT_CASE_UPDATE, /* record site: the stored case's; a move is checked again as a create */
	CB_ACT_GLASS,
	CB_ACT_STATS,
	CB_ACT_REPORT,
	CB_ACT_AUDIT,
	CB_ACT_USERS,
	CB_ACT_PARTNER_LIST,   /* the partner directory */
	CB_ACT_PARTNER_MANAGE, /* add and change partners */
	CB_ACT_ASSIST_READ,    /* a case's assistance records, referrals and follow-ups; record site: the case's */
	CB_ACT_ASSIST_WRITE,
	CB_ACT_REFER_OVERRIDE, /* refer a case's details out without consent_share_partners */
	CB_ACT_STAGE,          /* move a case through the workflow */
	CB_ACT_OVERDUE,        /* overdue follow-ups of an office; record site: the office asked for */
	CB_ACT_DASHBOARD,      /* the dashboard of an office; record site: the office asked for */
	CB_ACT_CASE_SEARCH,    /* find cases by name, birth date, phone (caseworkers: their office's) */
	CB_ACT_DUPLICATES,     /* possible duplicates; record site: the office asked for */
	CB_ACT_LINK,           /* confirm or dismiss a duplicate; record site: each case's */
	CB_ACT_ASSIGN,         /* assign a case to a caseworker; record site: the case's */
	CB_ACT_TRANSFER_REQUEST, /* hand a case to another office; record site: the case's (the holding office) */
	CB_ACT_TRANSFER_DECIDE,  /* accept or reject a transfer; record site: the receiving office */
	CB_ACT_TRANSFER_LIST,    /* the transfers of an office; record site: the office asked for */
	CB_ACT_FILTERS,          /* one's own saved filters of the case list */
	CB_ACT_OPENROSA,       /* the OpenRosa API (http/openrosa.h): HTTP Basic, checked by its handlers */
	CB_ACT_REVIEW,         /* the review queue of ODK submissions */
	CB_ACT__COUNT
};
/* The caller: NULL when nobody is logged in. */
struct cb_principal {
	enum cb_role role;
	const char *site; /* caseworkers: their office */
	bool glass;       /* a break-the-glass grant is open for the record in question */
};
/* 0 when allowed; otherwise the status to answer: 401 (login first), 403, or 404 for a record outside the
 * caller's scope (existence is never confirmed).  record_site: the record's office, NULL when the action
 * is about no record. */
int cb_authz_check(const struct cb_principal *who, enum cb_action act, const char *record_site);
bool cb_action_is_record(enum cb_action act);
const char *cb_action_name(enum cb_action act);

/* Fills u->may from u's role, by the rows of the table above (partner.manage, referral.override, and the
 * office scope of case.read): what casework (care/) checks.  access/ calls it on every account it hands out. */
void cb_policy_grant(struct cb_user *u);
/* Whether account u may break the glass (and whether a grant it holds still counts): an enabled manager. */
bool cb_policy_may_glass(const struct cb_user *u);

#endif
