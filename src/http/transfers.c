/*
 * transfers.c -- who holds a case over HTTP: POST /api/cases/{id}/assign, POST /api/cases/{id}/transfer,
 * GET /api/transfers (an office's incoming and outgoing), POST /api/transfers/{id} (accept or reject).
 * The policy decides who may (managers assign; the holding office requests; the receiving office's manager
 * decides); care/transfer.c decides what is allowed and stores each step with its audit entry.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care/transfer.h"
#include "http/api.h"

int cb_api_case_assign(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	const char *user = NULL;
	struct cb_err err = {0};
	if (cb_api_open_case(r, arg, CB_ACT_ASSIGN, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	if (!cb_api_get_text(r, body, "user", CB_NAME_MAX, &user)) {
		int rc = cb_case_assign(cb_api_store(r), id, user, &r->user, &err);
		if (rc != CB_OK)
			cb_api_fail(r, rc, &err);
		else
			cb_api_json(r, 200, json_pack("{s:s, s:o}", "case_id", arg, "assigned_to",
						      user ? json_string(user) : json_null()));
	}
	json_decref(body);
	return CB_OK;
}

static json_t *transfer_json(const struct cb_transfer *t)
{
	char id[CB_ID_TEXT];
	cb_case_id_format(t->case_id, id);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "id", (json_int_t)t->id, "case_id", id,
			 "from", t->from_site, "to", t->to_site, "state", cb_transfer_state_name(t->state), "reason",
			 t->reason, "requested_by", t->requested_by, "requested_at", (json_int_t)t->requested_at,
			 "decided_by", t->decided_by[0] ? json_string(t->decided_by) : json_null(), "decision_reason",
			 t->decision_reason[0] ? json_string(t->decision_reason) : json_null());
}

int cb_api_case_transfer(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	const char *to = NULL, *reason = NULL;
	struct cb_err err = {0};
	struct cb_transfer t;
	if (cb_api_open_case(r, arg, CB_ACT_TRANSFER_REQUEST, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	if (!cb_api_get_text(r, body, "to", 16, &to) && !cb_api_get_text(r, body, "reason", 40, &reason)) {
		int rc = cb_transfer_request(cb_api_store(r), id, to, reason, &r->user, &t, &err);
		if (rc != CB_OK)
			cb_api_fail(r, rc, &err); /* 400 naming the field, 409 when one is open */
		else
			cb_api_json(r, 201, transfer_json(&t));
	}
	json_decref(body);
	return CB_OK;
}

static int add_json(const struct cb_transfer *t, void *ctx)
{
	json_array_append_new(ctx, transfer_json(t));
	return CB_OK;
}

int cb_api_transfers_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	const char *site;
	struct cb_err err = {0};
	if (cb_api_office(r, CB_ACT_TRANSFER_LIST, &site))
		return CB_OK;
	json_t *in = json_array(), *out = json_array();
	struct cb_transfer_filter fin = {site, NULL, NULL, -1}, fout = {NULL, site, NULL, -1};
	int rc = cb_transfer_rows(cb_api_store(r), &fin, add_json, in, &err);
	if (rc == CB_OK && site)
		rc = cb_transfer_rows(cb_api_store(r), &fout, add_json, out, &err);
	if (rc != CB_OK) {
		json_decref(in);
		json_decref(out);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o, s:o}", "incoming", in, "outgoing", out));
	return CB_OK;
}

int cb_api_transfer_decide(struct cb_http_req *r, const char *arg)
{
	struct cb_err err = {0};
	struct cb_transfer t;
	char *end = NULL;
	const char *reason = NULL;
	long long tid = strtoll(arg, &end, 10);
	if (*end || tid <= 0 || cb_transfer_row_get(cb_api_store(r), tid, &t, &err) != CB_OK) {
		cb_api_error(r, 404, "not_found", "no such transfer");
		return CB_OK;
	}
	/* the receiving office decides; a caseworker of the sending office sees no more than 403 */
	if (cb_api_check(r, CB_ACT_TRANSFER_DECIDE, t.to_site))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *decision = json_string_value(json_object_get(body, "decision"));
	if (!decision || (strcmp(decision, "accept") && strcmp(decision, "reject"))) {
		cb_api_bad(r, "decision: expected accept or reject");
	} else if (!cb_api_get_text(r, body, "reason", 40, &reason)) {
		int rc = cb_transfer_decide(cb_api_store(r), tid, !strcmp(decision, "accept"), reason, &r->user, &t, &err);
		if (rc != CB_OK) {
			cb_api_fail(r, rc, &err);
		} else {
			cb_api_json(r, 200, transfer_json(&t));
		}
	}
	json_decref(body);
	return CB_OK;
}
