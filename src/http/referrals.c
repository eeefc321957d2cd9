/*
 * referrals.c -- a case's referrals to and from partner organisations: list, add (an outgoing one that shares
 * the person's details needs her consent, or a manager's override with a reason), move along the referral's
 * states.  Details and override reasons are identifying: returned only to whoever may see them, audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "care/assist.h"

static json_t *referral_json(struct cb_http_req *r, const struct cb_referral *f, bool pii)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:o, s:o, s:b, s:b, s:o, s:o}", "id", (json_int_t)f->id, "direction",
			      f->direction == CB_REFER_IN ? "in" : "out", "org", (json_int_t)f->org_id, "reason",
			      cb_api_value_json(CB_VS_referral_reason, f->reason), "status",
			      cb_api_value_json(CB_VS_referral_status, f->status), "shares_details", f->shares_details,
			      "consent_overridden", f->consent_overridden, "referred_on", cb_api_date_json(f->referred_on),
			      "status_on", cb_api_date_json(f->status_on));
	struct cb_partner p;
	struct cb_err err = {0};
	if (cb_partner_get(cb_api_store(r), f->org_id, &p, &err) == CB_OK)
		json_object_set_new(o, "org_name", json_string(p.name));
	if (pii) {
		json_object_set_new(o, "details", cb_api_text_json(f->details));
		json_object_set_new(o, "override_reason", cb_api_text_json(f->consent_overridden ? f->override_reason : NULL));
	}
	return o;
}

struct referral_list {
	struct cb_http_req *r;
	json_t *arr;
	bool pii, details, reasons;
};

static int referral_entry(const struct cb_referral *f, void *ctx)
{
	struct referral_list *l = ctx;
	l->details |= l->pii && f->details;
	l->reasons |= l->pii && f->consent_overridden;
	return json_array_append_new(l->arr, referral_json(l->r, f, l->pii)) ? CB_ENOMEM : CB_OK;
}

int cb_api_referrals_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_READ, id, site, NULL))
		return CB_OK;
	struct referral_list l = {r, json_array(), cb_api_may_see_pii(r, id, site), false, false};
	int rc = cb_referral_list(cb_api_store(r), id, l.pii ? CB_WITH_PII : 0, referral_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	const char *fields = l.details && l.reasons ? "details,override_reason"
			     : l.details	     ? "details"
			     : l.reasons	     ? "override_reason"
						     : NULL;
	cb_api_audited(r, 200, CB_AUD_REFERRAL_READ, id, fields, json_pack("{s:o}", "referrals", l.arr));
	return CB_OK;
}

static const char *const referral_keys[] = {"to", "direction", "reason", "share_details", "details",
					    "override_reason", NULL};

int cb_api_referral_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_referral f;
	struct cb_partner p;
	struct cb_err err = {0};
	const char *details, *override, *dir;
	json_t *share;
	cb_referral_init(&f);
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	share = json_object_get(body, "share_details");
	f.reason = -2; /* missing: the store names the allowed reasons */
	if (cb_api_get_id(r, body, "to", &f.org_id) || cb_api_get_value(r, body, "reason", CB_VS_referral_reason, &f.reason) ||
	    cb_api_get_text(r, body, "details", CB_NOTE_MAX, &details) || cb_api_get_text(r, body, "override_reason", 500, &override) ||
	    cb_api_get_text(r, body, "direction", 3, &dir))
		goto out;
	if (!f.org_id) {
		cb_api_bad(r, "to: the partner organisation's id is required");
		goto out;
	}
	if (share && !json_is_boolean(share)) {
		cb_api_bad(r, "share_details: expected true or false");
		goto out;
	}
	if (dir && strcmp(dir, "in") && strcmp(dir, "out")) {
		cb_api_bad(r, "direction: expected in or out");
		goto out;
	}
	/* only a manager overrides a missing consent: the one table says so */
	if (override && cb_api_check(r, CB_ACT_REFER_OVERRIDE, site))
		goto out;
	if (cb_api_need_partner(r, f.org_id, &p))
		goto out;
	memcpy(f.case_id, id, 16);
	f.direction = dir && !strcmp(dir, "in") ? CB_REFER_IN : CB_REFER_OUT;
	f.shares_details = !share || json_is_true(share);
	f.details = details ? strdup(details) : NULL;
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end(r, cb_referral_add(cb_api_store(r), &f, override, &r->user, &err), CB_AUD_REFERRAL_ADD, id, cb_api_touched(r, body, referral_keys), &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err); /* consent missing: 409 consent_required naming consent_share_partners */
		goto out;
	}
	json_t *doc = referral_json(r, &f, cb_api_may_see_pii(r, id, site));
	cb_api_json(r, 201, doc);
out:
	cb_referral_clear(&f);
	json_decref(body);
	return CB_OK;
}

int cb_api_referral_update(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int64_t rec;
	int32_t status = CB_NA;
	struct cb_referral f;
	struct cb_err err = {0};
	cb_referral_init(&f);
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, &rec))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	int rc = cb_referral_get(cb_api_store(r), rec, 0, &f, &err);
	if (rc != CB_OK || memcmp(f.case_id, id, 16)) {
		cb_api_refuse(r, 404);
		goto out;
	}
	if (cb_api_get_value(r, body, "status", CB_VS_referral_status, &status))
		goto out;
	if (status == CB_NA) {
		cb_api_bad(r, cb_arena_printf(r->arena, "status: expected one of %s", cb_api_vset_names(r, CB_VS_referral_status)));
		goto out;
	}
	if ((rc = cb_api_begin(r, &err)) == CB_OK)
		rc = cb_api_end(r, cb_referral_set_status(cb_api_store(r), rec, status, &err), CB_AUD_REFERRAL_UPDATE, id,
				"status", &err);
	if (rc != CB_OK) {
		if (rc == CB_EINVAL) /* a step the referral cannot take: the rule, as the store words it */
			cb_api_error(r, 409, "refused", err.msg);
		else
			cb_api_fail(r, rc, &err);
		goto out;
	}
	if ((rc = cb_referral_get(cb_api_store(r), rec, 0, &f, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = referral_json(r, &f, false);
	cb_api_json(r, 200, doc);
out:
	cb_referral_clear(&f);
	json_decref(body);
	return CB_OK;
}
