/*
 * assist.h -- the help each person receives: assistance records, the case workflow, follow-ups, the
 * directory of partner organisations, referrals, shelter occupancy and the site dashboard.
 *
 * The rules live here, in src/care/: assist.c holds assistance records, workflow.c the workflow, follow-ups
 * and the dashboard, partners.c partners, referrals and shelters, states.c the state machines.  The rows are
 * the store's (store/care_rows.h: tables assistance, partners, referrals, followups, stages).
 *
 * Free text about a person (assistance notes, referral details, follow-up notes, the reason for closing or
 * reopening a case) is an identifying detail: it is sealed with the case key (associated data: case id,
 * table and record id), so erasing a case destroys it with the rest.  Reading it needs CB_WITH_PII.
 * Organisation names, cities and phones in the partner directory are about organisations, not people, and
 * are stored as they are.
 *
 * The case fields kept by the store (CB_F_STORE in cb_fields.h) are written here, in the same transaction
 * as the change that moves them: case_stage by cb_stage_move, assistance_type (the types of the case's
 * assistance records that are not cancelled) and referral_partner_type (the org_Type of every partner the
 * case was referred out to, unless the referral was rejected).  Each such change bumps the case's version;
 * a server with a resident statistics index re-reads the case and calls cb_index_upsert.
 *
 * `by` arguments name the person acting (a server passes its logged-in user); NULL is the command line's
 * local operator, who may do everything.  Role rules: partners are managed by managers and admins; only a
 * manager overrides a missing consent to share details; a caseworker sees and names only the partners of her
 * office and those of every office (cb_partner_get_for).  Everything else is for the caller to authorise.
 *
 * Dates are days since 1970 (cb.h), CB_NA when missing.  Coded values are indexes into the value sets of
 * cb_values.h (CB_assistance_type_medical, CB_referral_status_pending, ...).
 */
#ifndef CB_ASSIST_H
#define CB_ASSIST_H

#include <stdbool.h>
#include <stdint.h>

#include "store/account.h"
#include "store/audit.h"
#include "store/care_rows.h"
#include "store/store.h"

#define CB_NOTE_MAX 65536   /* bytes of one note, detail or reason text */
#define CB_REASON_MIN 10    /* characters of a consent-override, early-closing or reopening reason */

/* ---- assistance records (assist.c) */

/* Shelter capacity on a placement: beds of the provider and accommodation records that occupy a bed on
 * the day of the placement (the new one included).  `over` is true when occupied > beds. */
struct cb_capacity {
	bool shelter; /* the provider has beds: the rest is meaningful */
	bool over;
	int32_t day;  /* the day looked at: start_on, else planned_on, else today */
	int beds, occupied;
};

/* Adds a record to a case (a->id gets its id) and updates the case's assistance_type.  An accommodation
 * record at a shelter that would exceed its beds is still stored -- the person is there, and the record must
 * say so -- and reported in *cap (may be NULL) for the caller to warn.  CB_ENOTFOUND without the case or the
 * provider, or with a provider outside by's scope (cb_partner_get_for); CB_EINVAL for a bad type, status or
 * dates (end before start). */
int cb_assist_add(struct cb_store *s, struct cb_assist *a, const struct cb_user *by, struct cb_capacity *cap,
		  struct cb_err *err);
/* Replaces a record's type, provider, dates, status and (with CB_WITH_PII) notes.  A provider other than the
 * stored one must be in by's scope; the stored one stays whoever set it. */
int cb_assist_update(struct cb_store *s, const struct cb_assist *a, unsigned flags, const struct cb_user *by,
		     struct cb_capacity *cap, struct cb_err *err);
/* The HTCDS spl_Type value name of an assistance type ("Health" for medical), "" if out of range. */
const char *cb_assist_spl_type(int32_t type);

/* ---- the workflow (assist.c): screening -> assistance -> return -> reintegration -> follow_up -> closed */

/* The stage a case is at (screening for a case stored before the workflow existed). */
int cb_stage_get(struct cb_store *s, const uint8_t case_id[16], int32_t *stage, struct cb_err *err);
/* Whether case c may move from its stage to `to`: CB_OK, or the refusal naming the rule and what is
 * missing (CB_EINVAL; CB_ECONSENT when the person has not consented to assistance).  `reason` is needed
 * to close a case before follow-up and to reopen one.  Reopening goes back to the stage the case was
 * closed from: `closed_from` (CB_NA: screening).  Changes nothing. */
int cb_stage_check(const struct cb_case *c, int32_t to, const char *reason, int32_t closed_from, struct cb_err *err);
/* Moves a case: checks, sets case_stage (and cas_Status: closed -> Closed, follow_up -> FollowUp, otherwise
 * Active), stores the step with its sealed reason, and records a "case.stage" or "case.reopen" event, all in
 * one transaction.  `to` CB_NA with a closed case means "reopen". */
int cb_stage_move(struct cb_store *s, const uint8_t case_id[16], int32_t to, const char *reason,
		  const struct cb_user *by, struct cb_err *err);
/* The workflow's rule for a step from `from` to `to` (both stage values): 0 when it is not a step, else
 * CB_STEP_OK, with CB_STEP_SCREENED when it needs the screening decision and consent, CB_STEP_REASON when
 * it needs a reason.  A closed case only reopens (to the stage it was closed from, with a reason).  What
 * the server exports for the stage menu (GET /api/workflow), so that it offers only allowed moves. */
#define CB_STEP_OK 1u
#define CB_STEP_SCREENED 2u
#define CB_STEP_REASON 4u
unsigned cb_stage_rule(int32_t from, int32_t to);
/* The stage value named `name`, or for "reopen" CB_NA; CB_EINVAL naming the allowed stages otherwise. */
int cb_stage_parse(const char *name, int32_t *stage, struct cb_err *err);
/* ---- follow-ups (assist.c) */

int cb_followup_add(struct cb_store *s, struct cb_followup *f, struct cb_err *err);
/* ---- partner organisations (partners.c) */

/* Adds (p->id gets the id) or replaces a partner.  CB_EPERM unless `by` is NULL, a manager or an admin. */
int cb_partner_add(struct cb_store *s, struct cb_partner *p, const struct cb_user *by, struct cb_err *err);
int cb_partner_update(struct cb_store *s, const struct cb_partner *p, const struct cb_user *by, struct cb_err *err);
/* Office scope, the one rule for every path that names a partner: a caseworker may see and use the entries
 * of her office and those of every office (site ""); managers, admins and the local operator (`by` NULL) all
 * of them.  An entry outside the scope is as unknown: cb_partner_get_for answers CB_ENOTFOUND with the very
 * message of a missing id, so ids cannot be probed.  cb_partner_list (filter `by`), cb_assist_add,
 * cb_assist_update (a new provider) and cb_referral_add apply it. */
bool cb_partner_in_scope(const struct cb_partner *p, const struct cb_user *by);
int cb_partner_get_for(struct cb_store *s, int64_t id, const struct cb_user *by, struct cb_partner *out,
		       struct cb_err *err);

struct cb_partner_filter {
	int32_t service; /* CB_assistance_type_*, CB_NA: any */
	int32_t country; /* serving this country (or based in it), CB_NA: any */
	const char *site; /* managed by this office or by none; NULL: any */
	const struct cb_user *by; /* the caller: only entries in her scope; NULL: all */
};
int cb_partner_list(struct cb_store *s, const struct cb_partner_filter *f,
		    int (*fn)(const struct cb_partner *p, void *ctx), void *ctx, struct cb_err *err);
/* ---- referrals (partners.c) */

/* Stores a referral (r->id gets its id) and updates the case's referral_partner_type.  An outgoing referral
 * that shares the person's details needs consent_share_partners = yes: otherwise CB_ECONSENT with a
 * message naming consent_share_partners, unless `override_reason` (CB_REASON_MIN..500 characters, never an
 * identifying detail) is given by a manager (or the local operator, `by` NULL); the override is stored with
 * the referral and recorded as a "referral.consent_override" audit entry in the same transaction.
 * CB_EPERM when someone other than a manager overrides; CB_ENOTFOUND for a partner outside by's scope. */
int cb_referral_add(struct cb_store *s, struct cb_referral *r, const char *override_reason, const struct cb_user *by,
		    struct cb_err *err);
/* pending -> accepted | rejected, accepted -> completed; anything else is CB_EINVAL with the reason. */
int cb_referral_set_status(struct cb_store *s, int64_t id, int32_t status, struct cb_err *err);
/* ---- the site dashboard (assist.c): operational counts for managers and caseworkers, not statistics
 * (exact, unperturbed, never leaving the organisation), and never an identifying detail. */

#define CB_DASH_MONTHS 12
struct cb_dash_shelter {
	int64_t id;
	char name[201];
	int beds, occupied;
};
struct cb_dashboard {
	long by_stage[CB_case_stage__COUNT]; /* open cases by stage (closed: how many are closed) */
	int32_t month0;                      /* first day of the oldest month shown */
	long delivered[CB_DASH_MONTHS][CB_assistance_type__COUNT]; /* ongoing or completed, by start month */
	long overdue;                        /* open follow-ups past due */
	struct cb_dash_shelter *shelters;    /* owned */
	int nshelters;
};
/* Fills d for one office (site NULL: all) as of `today` (CB_NA: today).  Free with cb_dashboard_clear. */
int cb_dashboard(struct cb_store *s, const char *site, int32_t today, struct cb_dashboard *d, struct cb_err *err);
void cb_dashboard_clear(struct cb_dashboard *d);

#endif
