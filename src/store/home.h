/*
 * home.h -- the work waiting for a person, for her home page (home.c; the server's http/home.c): follow-ups due soon or overdue of
 * cases still open, and outgoing referrals still waiting for the partner's answer.  Coded data only (case
 * ids, dates, the partner's name): a list of work, never a person's details.
 */
#ifndef CB_HOME_H
#define CB_HOME_H

#include <stdint.h>

#include "store/store.h"

struct cb_home_item {
	int64_t id;          /* the follow-up's or referral's id */
	uint8_t case_id[16];
	char site[17];
	int32_t day;         /* due on (follow-ups), referred on (referrals) */
	int32_t stage;       /* the case's workflow stage */
	char org[201];       /* referrals: the partner's name */
};

/* Open follow-ups due on or before `until` (a day number) of cases not closed, in `site` (NULL: every
 * office), by due date; at most `limit`. */
int cb_home_followups(struct cb_store *s, const char *site, int32_t until, int limit,
		      int (*fn)(const struct cb_home_item *it, void *ctx), void *ctx, struct cb_err *err);
/* Outgoing referrals still pending, of cases in `site` (NULL: every office), oldest first; at most `limit`. */
int cb_home_referrals(struct cb_store *s, const char *site, int limit,
		      int (*fn)(const struct cb_home_item *it, void *ctx), void *ctx, struct cb_err *err);

#endif
