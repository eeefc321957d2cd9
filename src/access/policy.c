/*
 * policy.c -- every role and scope rule of casebank (policy.h).  Every server handler calls cb_authz_check
 * with the caller, the action and (for records) the record's office; the table below is docs/api.md's "Roles and
 * scope" table, so the two are compared line by line.  A record the caller may not see at all answers 404
 * (its existence is never confirmed); any other refusal is 403.
 *
 * Casework below this layer checks no role: cb_policy_grant turns the same rows into the grants an account
 * carries (store/account.h: manage partners, override consent, see every office's partners), so the server,
 * the command line and the library answer alike.  Partners are managed by managers only: admins keep accounts
 * and the audit trail, not casework (partners.c once let them, this table did not; the table won).
 */
#include <string.h>

#include "access/policy.h"

enum rule {
	ALLOW,
	FORBID,    /* 403 */
	HIDE,      /* 404: no access to records at all */
	OWN,       /* own office: allowed; another office: 404 (outside scope) */
	OWN_NEW,   /* own office: allowed; another: 403 (a new record's office, named by the caller) */
	GLASS,     /* allowed only while a break-the-glass grant is open, else 403 */
	OWN_FORBID, /* own office: 403 (visible but not allowed); another office: 404 */
	OFFICE_MGR  /* a manager of the office (one with that site), or of every office (no site); else 403 */
};

static const struct {
	const char *name;
	bool anonymous; /* allowed without a session */
	bool record;    /* about one case (or one office): the handler decides, knowing its office */
	enum rule rule[CB_ROLE__COUNT]; /* admin, manager, caseworker, analyst */
} actions[CB_ACT__COUNT] = {
	[CB_ACT_LOGIN] = {"login", true, false, {ALLOW, ALLOW, ALLOW, ALLOW}},
	[CB_ACT_LOGOUT] = {"logout", false, false, {ALLOW, ALLOW, ALLOW, ALLOW}},
	[CB_ACT_ME] = {"me", false, false, {ALLOW, ALLOW, ALLOW, ALLOW}},
	[CB_ACT_CODEBOOK] = {"codebook", true, false, {ALLOW, ALLOW, ALLOW, ALLOW}},
	[CB_ACT_STATIC] = {"static", true, false, {ALLOW, ALLOW, ALLOW, ALLOW}},
	[CB_ACT_CASE_LIST] = {"case.list", false, false, {FORBID, ALLOW, ALLOW, FORBID}},
	[CB_ACT_CASE_CREATE] = {"case.create", false, true, {FORBID, ALLOW, OWN_NEW, FORBID}},
	[CB_ACT_CASE_READ] = {"case.read", false, true, {HIDE, ALLOW, OWN, HIDE}},
	[CB_ACT_CASE_PII] = {"case.identifiers", false, true, {HIDE, GLASS, OWN, HIDE}},
	[CB_ACT_CASE_UPDATE] = {"case.update", false, true, {HIDE, ALLOW, OWN, HIDE}},
	[CB_ACT_GLASS] = {"glass", false, true, {HIDE, ALLOW, OWN_FORBID, HIDE}},
	[CB_ACT_STATS] = {"stats", false, false, {FORBID, ALLOW, FORBID, ALLOW}},
	[CB_ACT_REPORT] = {"report", false, false, {FORBID, ALLOW, FORBID, ALLOW}},
	[CB_ACT_AUDIT] = {"audit", false, false, {ALLOW, ALLOW, FORBID, FORBID}},
	[CB_ACT_USERS] = {"users", false, false, {ALLOW, FORBID, FORBID, FORBID}},
	[CB_ACT_PARTNER_LIST] = {"partner.list", false, false, {FORBID, ALLOW, ALLOW, FORBID}},
	[CB_ACT_PARTNER_MANAGE] = {"partner.manage", false, false, {FORBID, ALLOW, FORBID, FORBID}},
	[CB_ACT_ASSIST_READ] = {"assist.read", false, true, {HIDE, ALLOW, OWN, HIDE}},
	[CB_ACT_ASSIST_WRITE] = {"assist.write", false, true, {HIDE, ALLOW, OWN, HIDE}},
	[CB_ACT_REFER_OVERRIDE] = {"referral.override", false, true, {HIDE, ALLOW, OWN_FORBID, HIDE}},
	[CB_ACT_STAGE] = {"case.stage", false, true, {HIDE, ALLOW, OWN, HIDE}},
	/* not about one case, but about one office's: decided by the handler with the office asked for */
	[CB_ACT_OVERDUE] = {"followup.overdue", false, true, {FORBID, ALLOW, OWN_NEW, FORBID}},
	[CB_ACT_DASHBOARD] = {"dashboard", false, true, {FORBID, ALLOW, OWN_NEW, FORBID}},
	/* finding people: search answers ids within the caller's scope (a caseworker's office); duplicates are
	 * pairs of ids and offices, never details; confirming one person is a manager's decision */
	[CB_ACT_CASE_SEARCH] = {"case.search", false, false, {FORBID, ALLOW, ALLOW, FORBID}},
	[CB_ACT_DUPLICATES] = {"case.duplicates", false, true, {FORBID, ALLOW, OWN_NEW, FORBID}},
	[CB_ACT_LINK] = {"case.link", false, true, {HIDE, ALLOW, OWN_FORBID, HIDE}},
	/* who holds a case: managers assign; the holding office asks for a transfer, the receiving office's
	 * manager decides it */
	[CB_ACT_ASSIGN] = {"case.assign", false, true, {HIDE, ALLOW, OWN_FORBID, HIDE}},
	[CB_ACT_TRANSFER_REQUEST] = {"transfer.request", false, true, {HIDE, ALLOW, OWN, HIDE}},
	[CB_ACT_TRANSFER_DECIDE] = {"transfer.decide", false, true, {FORBID, OFFICE_MGR, FORBID, FORBID}},
	[CB_ACT_TRANSFER_LIST] = {"transfer.list", false, true, {FORBID, ALLOW, OWN_NEW, FORBID}},
	[CB_ACT_FILTERS] = {"filters", false, false, {FORBID, ALLOW, ALLOW, FORBID}},
	/* ODK clients send no session: the handlers authenticate HTTP Basic and decide with the rows above */
	[CB_ACT_OPENROSA] = {"openrosa", true, false, {ALLOW, ALLOW, ALLOW, ALLOW}},
	[CB_ACT_REVIEW] = {"review", false, false, {FORBID, ALLOW, FORBID, FORBID}},
};

static bool same_site(const struct cb_principal *who, const char *record_site)
{
	return who->site && who->site[0] && record_site && !strcmp(who->site, record_site);
}

int cb_authz_check(const struct cb_principal *who, enum cb_action act, const char *record_site)
{
	if ((unsigned)act >= CB_ACT__COUNT)
		return 403;
	if (actions[act].anonymous)
		return 0;
	if (!who)
		return 401;
	if ((unsigned)who->role >= CB_ROLE__COUNT)
		return 403;
	switch (actions[act].rule[who->role]) {
	case ALLOW: return 0;
	case FORBID: return 403;
	case HIDE: return 404;
	case OWN: return same_site(who, record_site) ? 0 : 404;
	case OWN_NEW: return same_site(who, record_site) ? 0 : 403;
	case GLASS: return who->glass ? 0 : 403;
	case OWN_FORBID: return same_site(who, record_site) ? 403 : 404;
	case OFFICE_MGR: return !who->site || !who->site[0] || same_site(who, record_site) ? 0 : 403;
	}
	return 403;
}

bool cb_action_is_record(enum cb_action act) { return (unsigned)act < CB_ACT__COUNT && actions[act].record; }

const char *cb_action_name(enum cb_action act) { return (unsigned)act < CB_ACT__COUNT ? actions[act].name : "?"; }

bool cb_policy_may_glass(const struct cb_user *u)
{
	return u && u->role == CB_ROLE_MANAGER && !u->disabled;
}

void cb_policy_grant(struct cb_user *u)
{
	memset(&u->may, 0, sizeof u->may);
	if ((unsigned)u->role >= CB_ROLE__COUNT || u->disabled)
		return;
	/* one table: the rows the server answers by are the grants casework checks */
	u->may.manage_partners = actions[CB_ACT_PARTNER_MANAGE].rule[u->role] == ALLOW;
	u->may.override_consent = actions[CB_ACT_REFER_OVERRIDE].rule[u->role] == ALLOW;
	u->may.every_office = actions[CB_ACT_CASE_READ].rule[u->role] != OWN;
}
