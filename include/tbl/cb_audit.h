/*
 * cb_audit.h -- every audited action: the audit policy's single source of truth.
 *
 * One row an act, with one name whatever the door (the command line or the server).  From this table
 * casebank derives enum cb_audit_action (CB_AUD_<id>) and the names written to the audit trail
 * (cb_audit_names, src/store/audit.c); docs/security.md lists the same rows.  Callers pass the enum, never
 * a free string, so an act cannot get a second name by accident.
 *
 *   CB_AUDIT(id, "name", "old name", "what was done")
 *
 * old name  the name older versions wrote for the same act, or NULL.  The trail is append-only and its hash
 *           chain covers the action text, so old entries keep their old names: whoever looks for an act
 *           (cb_audit_is) must accept both.
 * Entries never hold values: `fields` names the fields touched or shown, `detail` says how (a format, a
 * reason, a setting), never a case's details.
 */

/*       id                     name                          old name               what was done */
CB_AUDIT(LOGIN,                 "login",                      NULL,                  "an account logged in to the server")
CB_AUDIT(LOGIN_FAILED,          "login.failed",               NULL,                  "a login to an existing account failed")
CB_AUDIT(LOGOUT,                "logout",                     NULL,                  "an account logged out")
CB_AUDIT(CASE_CREATE,           "case.create",                NULL,                  "a case was registered; fields: those given")
CB_AUDIT(CASE_READ,             "case.read",                  "show.identifiers",    "a case was read; fields: the identifying details shown")
CB_AUDIT(CASE_UPDATE,           "case.update",                NULL,                  "a case was changed; fields: those changed")
CB_AUDIT(CASE_STAGE,            "case.stage",                 NULL,                  "a case moved to another workflow stage")
CB_AUDIT(CASE_REOPEN,           "case.reopen",                NULL,                  "a closed case was reopened")
CB_AUDIT(CASE_ERASE_IDS,        "case.erase_identifiers",     NULL,                  "a case's identifying details were erased")
CB_AUDIT(CASE_ERASE,            "case.erase",                 NULL,                  "a case was erased whole")
CB_AUDIT(GLASS,                 "glass",                      NULL,                  "a manager broke the glass on a case; detail: the reason")
CB_AUDIT(ASSISTANCE_ADD,        "assistance.add",             NULL,                  "an assistance record was added to a case")
CB_AUDIT(ASSISTANCE_UPDATE,     "assistance.update",          NULL,                  "an assistance record was changed")
CB_AUDIT(ASSISTANCE_READ,       "assistance.read",            "assist.identifiers",  "a case's assistance records were read; fields: the notes shown")
CB_AUDIT(REFERRAL_ADD,          "referral.add",               NULL,                  "a referral was recorded")
CB_AUDIT(REFERRAL_UPDATE,       "referral.update",            NULL,                  "a referral's status changed")
CB_AUDIT(REFERRAL_READ,         "referral.read",              "refer.identifiers",   "a case's referrals were read; fields: the details shown")
CB_AUDIT(REFERRAL_OVERRIDE,     "referral.consent_override",  NULL,                  "a referral overrode the person's consent to share; detail: why")
CB_AUDIT(FOLLOWUP_ADD,          "followup.add",               NULL,                  "a follow-up was planned")
CB_AUDIT(FOLLOWUP_DONE,         "followup.done",              NULL,                  "a follow-up was marked done")
CB_AUDIT(FOLLOWUP_READ,         "followup.read",              NULL,                  "a case's follow-ups were read; fields: the notes shown")
CB_AUDIT(PARTNER_ADD,           "partner.add",                NULL,                  "a partner organisation was added")
CB_AUDIT(PARTNER_UPDATE,        "partner.update",             NULL,                  "a partner organisation was changed")
CB_AUDIT(EXPORT_IDS,            "export.identifiers",         NULL,                  "every case was exported with identifying details; detail: the format")
CB_AUDIT(REPORT,                "report",                     NULL,                  "a statistics report was made; fields: html or xlsx")
CB_AUDIT(STATS_EXACT,           "stats.exact",                NULL,                  "exact (unprotected) counts were shown; detail: the query")
CB_AUDIT(STATS_THRESHOLD,       "stats.threshold",            NULL,                  "the smallest count shown was set")
CB_AUDIT(STATS_CONSENT,         "stats.require_consent",      NULL,                  "whether statistics need the person's consent was set")
CB_AUDIT(STATS_RELEASE,         "stats.release",              NULL,                  "a statistical release spent privacy budget")
CB_AUDIT(STATS_RELEASE_CAP,     "stats.release_cap",          NULL,                  "the privacy budget's cap was set")
CB_AUDIT(STATS_RELEASE_SCHEDULE,"stats.release_schedule",     NULL,                  "the release schedule was set")
CB_AUDIT(PTABLE_IMPORT,         "ptable.import",              NULL,                  "a perturbation table was imported")
CB_AUDIT(PTABLE_GENERATE,       "ptable.generate",            NULL,                  "a perturbation table was generated")
CB_AUDIT(PTABLE_EXPORT,         "ptable.export",              NULL,                  "the perturbation table was exported")
CB_AUDIT(USER_ADD,              "user.add",                   NULL,                  "an account was created")
CB_AUDIT(USER_PASSWORD,         "user.password",              "user.passwd",         "an account's password was set")
CB_AUDIT(USER_DISABLE,          "user.disable",               NULL,                  "an account was disabled")
CB_AUDIT(USER_ENABLE,           "user.enable",                NULL,                  "an account was enabled")
CB_AUDIT(CASE_SEARCH,           "case.search",                NULL,                  "cases were searched by identifying details; detail: which kinds (name, birth_date, phone), never the text")
CB_AUDIT(CASE_LIST_NAMES,       "case.list_names",            NULL,                  "a page of the case list showed the names of its cases; detail: how many")
CB_AUDIT(CASE_DUPLICATES,       "case.duplicates",            NULL,                  "possible duplicates were listed; detail: the office and threshold")
CB_AUDIT(CASE_LINK,             "case.link",                  NULL,                  "two cases were confirmed as one person; detail: the other case")
CB_AUDIT(CASE_LINK_DISMISS,     "case.link_dismiss",          NULL,                  "a possible duplicate was dismissed; detail: the other case")
CB_AUDIT(CASE_ASSIGN,           "case.assign",                NULL,                  "a case was assigned to a caseworker; detail: the account")
CB_AUDIT(TRANSFER_REQUEST,      "transfer.request",           NULL,                  "a case's transfer to another office was requested; detail: the office and reason")
CB_AUDIT(TRANSFER_ACCEPT,       "transfer.accept",            NULL,                  "the receiving office accepted a transfer; the case moved")
CB_AUDIT(TRANSFER_REJECT,       "transfer.reject",            NULL,                  "the receiving office rejected a transfer; detail: the reason")
CB_AUDIT(ODK_REVIEW,            "odk.review",                 NULL,                  "an ODK submission went to the review queue; detail: invalid or conflict")
CB_AUDIT(ODK_REVIEW_RESOLVE,    "odk.review_resolve",         NULL,                  "a manager accepted or rejected an entry of the review queue")
CB_AUDIT(USER_UNLOCK,           "user.unlock",                NULL,                  "a locked account was unlocked")
CB_AUDIT(USER_ROLE,             "user.role",                  NULL,                  "an account's role or office was changed; detail: the new role and office")
CB_AUDIT(SITE_ADD,              "site.add",                   NULL,                  "an office joined the list; detail: its code")
CB_AUDIT(SITE_DISABLE,          "site.disable",               NULL,                  "an office was disabled; detail: its code")
CB_AUDIT(SITE_ENABLE,           "site.enable",                NULL,                  "an office was enabled again; detail: its code")
CB_AUDIT(NOTE_ADD,              "note.add",                   NULL,                  "a dated note was added to a case")
CB_AUDIT(NOTE_READ,             "note.read",                  NULL,                  "a case's notes were read; fields: notes when their text was shown")
