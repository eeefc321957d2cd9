/*
 * api_home.c -- a person's work in one place, GET /api/home: follow-ups due within a week or overdue (of
 * cases not closed) and outgoing referrals waiting for an answer, for a caseworker's office (a manager: every
 * office, or ?site=).  Transfers and possible duplicates to review have their sections on the page, but no
 * store behind them yet: they answer empty lists, with "pending" naming them, until those features land.
 * Also GET /api/workflow: the workflow's steps, so that the stage menu offers only allowed moves.
 */
#include <string.h>

#include "http/http.h"
#include "store/assist.h"
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
	const char *site = cb_http_query_get(&r->query, "site");
	if (!site || !*site)
		site = r->user.role == CB_ROLE_CASEWORKER ? r->user.site : NULL;
	/* the same scope as an office's overdue follow-ups */
	if (cb_api_check(r, CB_ACT_OVERDUE, site) || cb_api_site_ok(r, site))
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

int cb_api_workflow(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *next = json_object();
	for (int from = 0; from < CB_case_stage__COUNT; from++) {
		json_t *to = json_array();
		for (int t = 0; t < CB_case_stage__COUNT; t++) {
			unsigned rule = cb_stage_rule(from, t);
			if (rule & CB_STEP_OK)
				json_array_append_new(to, json_pack("{s:s, s:b, s:b}", "stage",
								    cb_vsets[CB_VS_case_stage].values[t].name, "reason",
								    (rule & CB_STEP_REASON) != 0, "screened",
								    (rule & CB_STEP_SCREENED) != 0));
		}
		if (from == CB_case_stage_closed) /* reopening: to the stage it was closed from */
			json_array_append_new(to, json_pack("{s:s, s:b, s:b}", "stage", "reopen", "reason", 1, "screened", 0));
		json_object_set_new(next, cb_vsets[CB_VS_case_stage].values[from].name, to);
	}
	cb_api_json(r, 200, json_pack("{s:o}", "next", next));
	return CB_OK;
}
