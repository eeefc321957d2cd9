/*
 * care_rows.h -- the storage of casework records: the rows of tables assistance, partners, referrals,
 * followups and stages (schema.c), and narrow functions that read and write them.  All of casework's SQL is
 * here (assist_rows.c, partner_rows.c, workflow_rows.c); the rules -- what may be written, by whom, in which
 * transaction and with which audit entry -- are src/care/'s (care/assist.h), which calls these.
 *
 * Coded values are stored by name and dates as YYYY-MM-DD, as in the cases table, so the file stays readable
 * with the sqlite3 shell.  Free text about a person (assistance notes, referral details, follow-up notes,
 * the reason of a workflow step) is sealed with the case key in a column of the sealed-column registry
 * (sealed.c): erasing a case clears them all.  Writes run inside the caller's transaction
 * (cb_store_tx_begin .. cb_store_tx_end, store.h).
 */
#ifndef CB_CARE_ROWS_H
#define CB_CARE_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/account.h"
#include "store/store.h"

/* ---- the records */

struct cb_assist {
	int64_t id;
	uint8_t case_id[16];
	int32_t type;     /* CB_assistance_type_* */
	int64_t provider; /* partner id; 0 = the own office */
	int32_t planned_on, start_on, end_on;
	int32_t status; /* CB_assistance_status_*; CB_NA on input means planned */
	char *notes;    /* owned; NULL when none or not read; wiped by cb_assist_clear */
};
void cb_assist_init(struct cb_assist *a);
void cb_assist_clear(struct cb_assist *a); /* wipes and frees notes, then cb_assist_init */


#define CB_PARTNER_MAX_SERVED 32
struct cb_partner {
	int64_t id;
	char name[201];          /* org_Name */
	int32_t type;            /* org_Type: CB_org_type_* */
	int32_t country;         /* org_ShippingCountry: country index */
	char city[101];          /* org_ShippingCity; "" when none */
	char phone[41];          /* org_Phone; "" when none */
	uint64_t services;       /* a set of CB_assistance_type_* */
	int32_t served[CB_PARTNER_MAX_SERVED]; /* countries served (country indexes) */
	int nserved;
	int32_t beds;            /* a shelter's beds; CB_NA when not a shelter */
	char site[17];           /* the office that manages the entry; "" for every office */
};
void cb_partner_init(struct cb_partner *p);

enum cb_refer_dir { CB_REFER_OUT, CB_REFER_IN };
struct cb_referral {
	int64_t id;
	uint8_t case_id[16];
	enum cb_refer_dir direction;
	int64_t org_id;
	int32_t reason;       /* HTCDS cas_ReasonFor{Outgoing,Incoming}Referral: CB_referral_reason_* */
	char *details;        /* cas_{Outgoing,Incoming}ReferralDetails: owned, sealed; NULL when none or not read */
	int32_t status;       /* CB_referral_status_*; CB_NA on input means pending */
	bool shares_details;  /* an outgoing referral that passes on the person's details */
	bool consent_overridden;
	char override_reason[501];
	int32_t referred_on;  /* cas_OutgoingReferralDate / cas_IncomingReferralDate; CB_NA on input: today */
	int32_t status_on;    /* when the status last changed */
};
void cb_referral_init(struct cb_referral *r);
void cb_referral_clear(struct cb_referral *r);

struct cb_followup {
	int64_t id;
	uint8_t case_id[16];
	char site[17]; /* of the case (lists only) */
	int32_t due_on, done_on;
	char *note; /* owned, sealed on disk; NULL when none or not read */
};
void cb_followup_init(struct cb_followup *f);
void cb_followup_clear(struct cb_followup *f);
struct cb_followup_filter {
	const char *site;       /* NULL: every office */
	const uint8_t *case_id; /* NULL: every case */
	bool overdue;           /* only open ones due before `today` */
	int32_t today;          /* CB_NA: today */
};

typedef int (*cb_case_id_fn)(const uint8_t id[16], void *ctx);

/* CB_ENOTFOUND ("no case ...") unless the case is stored. */
int cb_store_case_exists(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err);
/* The sets the store keeps on a case (assistance_type, referral_partner_type) as its child rows make them:
 * the types of its assistance records that are not cancelled, and the org_Type of every partner it was
 * referred out to, unless the referral was rejected. */
int cb_store_care_sets(struct cb_store *s, const uint8_t case_id[16], uint64_t *assistance_types,
		       uint64_t *partner_types, struct cb_err *err);

/* ---- assistance records (assist_rows.c) */

/* Inserts a (a->id gets its id) with its notes sealed. */
int cb_assist_row_add(struct cb_store *s, struct cb_assist *a, struct cb_err *err);
/* Rewrites record a->id (its case id stays): type, provider, dates, status and, with `notes`, the notes. */
int cb_assist_row_update(struct cb_store *s, const struct cb_assist *a, bool notes, struct cb_err *err);
/* Reads one record; notes only with CB_WITH_PII (NULL if the case was erased). */
int cb_assist_get(struct cb_store *s, int64_t id, unsigned flags, struct cb_assist *out, struct cb_err *err);
/* Calls fn for every record of a case, oldest first; stops at fn's first non-zero return and returns it.
 * CB_ENOTFOUND without the case. */
int cb_assist_list(struct cb_store *s, const uint8_t case_id[16], unsigned flags,
		   int (*fn)(const struct cb_assist *a, void *ctx), void *ctx, struct cb_err *err);
/* Occupancy of a shelter on `day` (CB_NA: today): accommodation records at it, planned or ongoing, whose
 * start (start_on, else planned_on) and end_on include the day; a missing date leaves that side open. */
int cb_shelter_occupancy(struct cb_store *s, int64_t partner_id, int32_t day, int *occupied, struct cb_err *err);
/* Assistance delivered (ongoing or completed) that started in [from, to], of one office's cases (site NULL:
 * all), counted by type and month: fn(type, a day of that month, count). */
int cb_assist_delivered(struct cb_store *s, const char *site, int32_t from, int32_t to,
			int (*fn)(int32_t type, int32_t day, long count, void *ctx), void *ctx, struct cb_err *err);

/* ---- partners and referrals (partner_rows.c) */

/* Parses "a,b" (or "a;b") assistance type names into a set; CB_EINVAL naming the bad one. */
int cb_services_parse(const char *text, uint64_t *set, struct cb_err *err);
/* Parses "MD,RO" into p->served. */
int cb_served_parse(const char *text, struct cb_partner *p, struct cb_err *err);
/* Inserts p (add; *id gets its id) or rewrites partner p->id (CB_ENOTFOUND without it). */
int cb_partner_row_write(struct cb_store *s, const struct cb_partner *p, bool add, int64_t *id, struct cb_err *err);
int cb_partner_get(struct cb_store *s, int64_t id, struct cb_partner *out, struct cb_err *err);
/* Calls fn for every partner, by name; stops at fn's first non-zero return and returns it. */
int cb_partner_rows(struct cb_store *s, int (*fn)(const struct cb_partner *p, void *ctx), void *ctx,
		    struct cb_err *err);
/* Calls fn with the id (16 bytes) of every case that has a referral to or from partner org, each once; stops at
 * fn's first non-zero return and returns it.  What follows a partner's type (referral_partner_type) must
 * be refreshed for exactly these cases when it changes. */
int cb_partner_referred(struct cb_store *s, int64_t org, cb_case_id_fn fn, void *ctx, struct cb_err *err);
/* Inserts r (r->id gets its id) with its details sealed; override_reason (or NULL) is stored with it. */
int cb_referral_row_add(struct cb_store *s, struct cb_referral *r, const char *override_reason, struct cb_err *err);
/* Sets referral id's status, as of today. */
int cb_referral_row_status(struct cb_store *s, int64_t id, int32_t status, struct cb_err *err);
int cb_referral_get(struct cb_store *s, int64_t id, unsigned flags, struct cb_referral *out, struct cb_err *err);
/* Every referral of a case, oldest first (CB_ENOTFOUND without the case). */
int cb_referral_list(struct cb_store *s, const uint8_t case_id[16], unsigned flags,
		     int (*fn)(const struct cb_referral *r, void *ctx), void *ctx, struct cb_err *err);

/* ---- workflow steps and follow-ups (workflow_rows.c) */

/* Records a step of case_id from -> to, with its reason sealed (NULL: none). */
int cb_stage_row_add(struct cb_store *s, const uint8_t case_id[16], int32_t from, int32_t to, const char *reason,
		     struct cb_err *err);
/* The stage the case was last closed from, or CB_NA. */
int cb_stage_closed_from(struct cb_store *s, const uint8_t case_id[16], int32_t *from, struct cb_err *err);
/* Open cases of one office (site NULL: all) by stage: by_stage[stage] += count (no stage counts as the
 * machine's first). */
int cb_stage_counts(struct cb_store *s, const char *site, long *by_stage, struct cb_err *err);
/* Retention: the ids of the cases closed before `before` (seconds since 1970), by their last step to closed
 * or, for a case closed outside the workflow (status Closed or ClosedReferred), its last change.  With `with_pii_only`,
 * only those that still hold identifying details or sealed notes, so that a retention run repeated every
 * night finds only what is left to erase.  *ids (n x 16 bytes) is the caller's to free(). */
int cb_retention_due(struct cb_store *s, int64_t before, bool with_pii_only, uint8_t (**ids)[16], size_t *n,
		     struct cb_err *err);
/* Calls fn with the id of every case of office `site` that has no workflow step yet, in id order. */
int cb_stage_unstarted(struct cb_store *s, const char *site, cb_case_id_fn fn, void *ctx, struct cb_err *err);
/* Inserts f (f->id gets its id) with its note sealed. */
int cb_followup_row_add(struct cb_store *s, struct cb_followup *f, struct cb_err *err);
/* Marks follow-up id done on `day` (CB_NA: today); CB_ENOTFOUND without it. */
int cb_followup_done(struct cb_store *s, int64_t id, int32_t day, struct cb_err *err);
/* Open follow-ups (and, without `overdue`, done ones too) by due date. */
int cb_followup_list(struct cb_store *s, const struct cb_followup_filter *f, unsigned flags,
		     int (*fn)(const struct cb_followup *f, void *ctx), void *ctx, struct cb_err *err);

#endif
