/*
 * workflow.c -- POST /api/cases/{id}/stage: moves a case to another workflow stage (or reopens it).  The
 * workflow's rules decide (a refusal is 409 with the rule and what is missing); the step and its audit entry
 * are stored together by the layer below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "care/assist.h"

int cb_api_stage(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int32_t to;
	const char *reason;
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	if (cb_api_open_case(r, arg, CB_ACT_STAGE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *name = json_string_value(json_object_get(body, "stage"));
	if (cb_api_get_text(r, body, "reason", CB_NOTE_MAX, &reason))
		goto out;
	if (!name || cb_stage_parse(name, &to, &err) != CB_OK) {
		if (!name)
			cb_stage_parse("", &to, &err); /* its message names the stages */
		cb_api_bad(r, err.msg);
		goto out;
	}
	int rc = cb_stage_move(cb_api_store(r), id, to, reason, &r->user, &err);
	if (rc == CB_EINVAL) { /* refused by the workflow: its rule, and what is missing */
		cb_api_error(r, 409, "refused", err.msg);
		goto out;
	}
	if (rc != CB_OK || (rc = cb_store_get(cb_api_store(r), id, 0, &c, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err); /* CB_ECONSENT: 409 consent_required */
		goto out;
	}
	/* the store audited the step (case.stage or case.reopen) with the move */
	cb_api_json(r, 200,
		    json_pack("{s:o, s:o, s:I}", "stage", cb_api_value_json(CB_VS_case_stage, c.case_stage), "status",
			      cb_api_value_json(CB_VS_case_status, c.status), "version", (json_int_t)c.version));
out:
	cb_case_clear(&c);
	json_decref(body);
	return CB_OK;
}
