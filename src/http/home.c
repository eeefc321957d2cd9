/*
 * home.c -- a person's work in one place, GET /api/home: follow-ups due within a week or overdue (of
 * cases not closed) and outgoing referrals waiting for an answer, for a caseworker's office (a manager: every
 * office, or ?site=).  Transfers and possible duplicates to review have their sections on the page, but no
 * store behind them yet: they answer empty lists, with "pending" naming them, until those features land.
 */
#include <string.h>

#include "http/api.h"
#include "store/home.h"

#define HOME_LIMIT 100
#define DUE_DAYS 7

struct items {
	json_t *overdue, *due;
	int32_t today;
};

static json_t *item_json(const struct cb_home_item *it)
{
	char cid[CB_ID_TEXT], day[11];
	cb_case_id_format(it->case_id, cid);
	cb_date_format(it->day, day);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)it->id, "case_id", cid, "site", it->site, "on",
			      day);
	if (it->stage >= 0 && it->stage < CB_case_stage__COUNT)
		json_object_set_new(o, "stage", json_string(cb_vsets[CB_VS_case_stage].values[it->stage].name));
	if (it->org[0])
		json_object_set_new(o, "partner", json_string(it->org));
	return o;
}

static int followup_item(const struct cb_home_item *it, void *ctx)
{
	struct items *l = ctx;
	return json_array_append_new(it->day < l->today ? l->overdue : l->due, item_json(it)) ? CB_ENOMEM : CB_OK;
}

static int referral_item(const struct cb_home_item *it, void *ctx)
{
	return json_array_append_new(ctx, item_json(it)) ? CB_ENOMEM : CB_OK;
}

int cb_api_home(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	const char *site;
	if (cb_api_office(r, CB_ACT_OVERDUE, &site)) /* the same scope as an office's overdue follow-ups */
		return CB_OK;
	struct items l = {json_array(), json_array(), cb_date_today()};
	json_t *referrals = json_array();
	int rc = cb_home_followups(cb_api_store(r), site, l.today + DUE_DAYS, HOME_LIMIT, followup_item, &l, &err);
	if (rc == CB_OK)
		rc = cb_home_referrals(cb_api_store(r), site, HOME_LIMIT, referral_item, referrals, &err);
	if (rc != CB_OK) {
		json_decref(l.overdue);
		json_decref(l.due);
		json_decref(referrals);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200,
		    json_pack("{s:o, s:o, s:o, s:o, s:[], s:[], s:[ss], s:i}", "site", site ? json_string(site) : json_null(),
			      "followups_overdue", l.overdue, "followups_due", l.due, "referrals_awaiting", referrals,
			      "transfers", "duplicates", "pending", "transfers", "duplicates", "due_days", DUE_DAYS));
	return CB_OK;
}
