/*
 * cb_routes.h -- every route of the HTTP API (docs/api.md): the router's single source of truth.
 *
 * One row a route.  src/http/api.h derives from it the prototype of every handler (cb_api_<handler>), and
 * src/http/router.c the route table the server looks requests up in, in this order (the first row whose
 * pattern and method match wins; "*" is every path outside /api, the web interface's files, so it comes
 * last).  Adding an endpoint is adding a row here, writing its handler in the resource's file under
 * src/http/, and a row in the policy's tests.
 *
 *   CB_ROUTE(METHOD, "pattern", action, handler)
 *
 * pattern  "{}" stands for one path segment; a route with two of them gets them as "CASE_ID/RECORD_ID".
 * action   the access policy's action (enum cb_action): the router refuses what the caller's role may not do
 *          before any handler runs; for an action about a record (one case, one office) the handler asks
 *          the policy again, knowing the record's office.
 * HEAD is answered as GET.
 */

/*       method  pattern                          action                  handler            file */
CB_ROUTE(POST,   "/api/login",                    CB_ACT_LOGIN,           login)             /* login.c */
CB_ROUTE(POST,   "/api/logout",                   CB_ACT_LOGOUT,          logout)            /* login.c */
CB_ROUTE(GET,    "/api/me",                       CB_ACT_ME,              me)                /* login.c */
CB_ROUTE(PATCH,  "/api/me",                       CB_ACT_ME,              me_update)         /* languages.c */
CB_ROUTE(GET,    "/api/strings",                  CB_ACT_CODEBOOK,        strings)           /* languages.c */
CB_ROUTE(GET,    "/api/codebook",                 CB_ACT_CODEBOOK,        codebook)          /* codebook.c */
CB_ROUTE(GET,    "/api/cases",                    CB_ACT_CASE_LIST,       cases_list)        /* cases.c */
CB_ROUTE(POST,   "/api/cases",                    CB_ACT_CASE_CREATE,     case_create)       /* cases.c */
CB_ROUTE(GET,    "/api/cases/{}",                 CB_ACT_CASE_READ,       case_read)         /* cases.c */
CB_ROUTE(PATCH,  "/api/cases/{}",                 CB_ACT_CASE_UPDATE,     case_update)       /* cases.c */
CB_ROUTE(POST,   "/api/cases/{}/glass",           CB_ACT_GLASS,           case_glass)        /* cases.c */
CB_ROUTE(GET,    "/api/stats",                    CB_ACT_STATS,           stats)             /* stats.c */
CB_ROUTE(GET,    "/api/report",                   CB_ACT_REPORT,          report)            /* report.c */
CB_ROUTE(GET,    "/api/audit",                    CB_ACT_AUDIT,           audit_list)        /* audit.c */
CB_ROUTE(GET,    "/api/users",                    CB_ACT_USERS,           users_list)        /* users.c */
CB_ROUTE(POST,   "/api/users",                    CB_ACT_USERS,           user_add)          /* users.c */
CB_ROUTE(PATCH,  "/api/users/{}",                 CB_ACT_USERS,           user_update)       /* users.c */
CB_ROUTE(GET,    "/api/partners",                 CB_ACT_PARTNER_LIST,    partners_list)     /* partners.c */
CB_ROUTE(POST,   "/api/partners",                 CB_ACT_PARTNER_MANAGE,  partner_add)       /* partners.c */
CB_ROUTE(PATCH,  "/api/partners/{}",              CB_ACT_PARTNER_MANAGE,  partner_update)    /* partners.c */
CB_ROUTE(GET,    "/api/cases/{}/assistance",      CB_ACT_ASSIST_READ,     assist_list)       /* assistance.c */
CB_ROUTE(POST,   "/api/cases/{}/assistance",      CB_ACT_ASSIST_WRITE,    assist_add)        /* assistance.c */
CB_ROUTE(PATCH,  "/api/cases/{}/assistance/{}",   CB_ACT_ASSIST_WRITE,    assist_update)     /* assistance.c */
CB_ROUTE(GET,    "/api/cases/{}/referrals",       CB_ACT_ASSIST_READ,     referrals_list)    /* referrals.c */
CB_ROUTE(POST,   "/api/cases/{}/referrals",       CB_ACT_ASSIST_WRITE,    referral_add)      /* referrals.c */
CB_ROUTE(PATCH,  "/api/cases/{}/referrals/{}",    CB_ACT_ASSIST_WRITE,    referral_update)   /* referrals.c */
CB_ROUTE(POST,   "/api/cases/{}/stage",           CB_ACT_STAGE,           stage)             /* workflow.c */
CB_ROUTE(GET,    "/api/cases/{}/followups",       CB_ACT_ASSIST_READ,     followups_list)    /* followups.c */
CB_ROUTE(POST,   "/api/cases/{}/followups",       CB_ACT_ASSIST_WRITE,    followup_add)      /* followups.c */
CB_ROUTE(PATCH,  "/api/cases/{}/followups/{}",    CB_ACT_ASSIST_WRITE,    followup_update)   /* followups.c */
CB_ROUTE(GET,    "/api/followups/overdue",        CB_ACT_OVERDUE,         overdue)           /* followups.c */
CB_ROUTE(GET,    "/api/dashboard",                CB_ACT_DASHBOARD,       dashboard)         /* dashboard.c */
CB_ROUTE(GET,    "/api/cases/{}/links",           CB_ACT_CASE_READ,       case_links)        /* find.c */
CB_ROUTE(GET,    "/api/duplicates",               CB_ACT_DUPLICATES,      duplicates)        /* find.c */
CB_ROUTE(POST,   "/api/links",                    CB_ACT_LINK,            link)              /* find.c */
CB_ROUTE(GET,    "/api/filters",                  CB_ACT_FILTERS,         filters_list)      /* find.c */
CB_ROUTE(POST,   "/api/filters",                  CB_ACT_FILTERS,         filter_save)       /* find.c */
CB_ROUTE(POST,   "/api/filters/{}/delete",        CB_ACT_FILTERS,         filter_delete)     /* find.c */
CB_ROUTE(POST,   "/api/cases/{}/assign",          CB_ACT_ASSIGN,          case_assign)       /* transfers.c */
CB_ROUTE(POST,   "/api/cases/{}/transfer",        CB_ACT_TRANSFER_REQUEST, case_transfer)    /* transfers.c */
CB_ROUTE(GET,    "/api/transfers",                CB_ACT_TRANSFER_LIST,   transfers_list)    /* transfers.c */
CB_ROUTE(POST,   "/api/transfers/{}",             CB_ACT_TRANSFER_DECIDE, transfer_decide)   /* transfers.c */
CB_ROUTE(GET,    "/api/cases/{}/attachments",     CB_ACT_CASE_READ,       attachments_list)  /* attachments.c */
CB_ROUTE(POST,   "/api/cases/{}/attachments",     CB_ACT_CASE_UPDATE,     attachment_add)    /* attachments.c */
CB_ROUTE(GET,    "/api/cases/{}/attachments/{}",  CB_ACT_CASE_READ,       attachment_get)    /* attachments.c */
CB_ROUTE(GET,    "/formList",                     CB_ACT_OPENROSA,        or_form_list)      /* openrosa.c */
CB_ROUTE(GET,    "/forms/{}",                     CB_ACT_OPENROSA,        or_form)           /* openrosa.c */
CB_ROUTE(GET,    "/forms/{}/manifest",            CB_ACT_OPENROSA,        or_manifest)       /* openrosa.c */
CB_ROUTE(GET,    "/submission",                   CB_ACT_OPENROSA,        or_submission_head) /* openrosa.c: HEAD */
CB_ROUTE(POST,   "/submission",                   CB_ACT_OPENROSA,        or_submission)     /* openrosa.c */
CB_ROUTE(GET,    "/api/review",                   CB_ACT_REVIEW,          review_list)       /* review.c */
CB_ROUTE(GET,    "/api/review/{}",                CB_ACT_REVIEW,          review_get)        /* review.c */
CB_ROUTE(POST,   "/api/review/{}",                CB_ACT_REVIEW,          review_resolve)    /* review.c */
CB_ROUTE(GET,    "/api/cases/{}/notes",           CB_ACT_ASSIST_READ,     notes_list)        /* notes.c */
CB_ROUTE(POST,   "/api/cases/{}/notes",           CB_ACT_ASSIST_WRITE,    note_add)          /* notes.c */
CB_ROUTE(GET,    "/api/sites",                    CB_ACT_ME,              sites_list)        /* sites.c */
CB_ROUTE(POST,   "/api/sites",                    CB_ACT_USERS,           site_add)          /* sites.c */
CB_ROUTE(PATCH,  "/api/sites/{}",                 CB_ACT_USERS,           site_update)       /* sites.c */
CB_ROUTE(GET,    "/api/home",                     CB_ACT_OVERDUE,         home)              /* home.c */
CB_ROUTE(POST,   "/api/users/{}/unlock",          CB_ACT_USERS,           user_unlock)       /* user_admin.c */
CB_ROUTE(POST,   "/api/users/{}/role",            CB_ACT_USERS,           user_role)         /* user_admin.c */
CB_ROUTE(GET,    "*",                             CB_ACT_STATIC,          web)               /* web.c */
