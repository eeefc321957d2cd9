/*
 * review.c -- the review queue of ODK submissions for managers (docs/api.md, "Review queue"):
 *   GET  /api/review[?state=pending|accepted|rejected][&site=S]   the entries, newest first
 *   GET  /api/review/{id}    one entry: its coded answers, the names of its identifying answers (never their
 *                            text: they are kept sealed and go into the case as they are), and for a conflict
 *                            the case as stored now, side by side with what the phone sent; for a rejected
 *                            one the manager's reason
 *   POST /api/review/{id}    {"action": "reject"} or {"action": "accept", "fields": {case JSON corrections}}:
 *                            accepting a registration stores the case (corrections applied, validated as
 *                            always) and marks the entry in one transaction; a follow-up or assistance is
 *                            stored as sent.  A rejection drops the sealed submission and keeps its reason,
 *                            sealed too (free text); each act and its audit entries are one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "http/openrosa.h"
#include "io/io.h"
#include "store/odk.h"

#define REASON_MAX 500 /* characters of a rejection's reason */

static json_t *entry_json(const struct cb_review *rv)
{
	char idt[CB_ID_TEXT];
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)rv->id, "instance_id",
			      rv->instance_id, "form_id", rv->form_id, "user", rv->user, "site", rv->site, "reason",
			      rv->reason, "kind", rv->kind, "received_at", (json_int_t)rv->received_at, "state", rv->state);
	if (!o)
		return NULL;
	if (!cb_case_id_is_zero(rv->case_id)) {
		cb_case_id_format(rv->case_id, idt);
		json_object_set_new(o, "case_id", json_string(idt));
	}
	if (!strcmp(rv->kind, "conflict")) {
		json_object_set_new(o, "seen_version", json_integer(rv->seen_version));
		json_object_set_new(o, "case_version", json_integer(rv->case_version));
	}
	if (rv->resolved_at) {
		json_object_set_new(o, "resolved_by", json_string(rv->resolved_by));
		json_object_set_new(o, "resolved_at", json_integer(rv->resolved_at));
	}
	return o;
}

static int add_entry(const struct cb_review *rv, void *ctx)
{
	json_t *o = entry_json(rv);
	return o ? json_array_append_new(ctx, o) : CB_ENOMEM;
}

int cb_api_review_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	const char *state = cb_http_query_get(&r->query, "state"), *site = cb_http_query_get(&r->query, "site");
	if (state && strcmp(state, "pending") && strcmp(state, "accepted") && strcmp(state, "rejected")) {
		cb_api_error(r, 400, "invalid", "state: expected pending, accepted or rejected");
		return CB_OK;
	}
	json_t *arr = json_array();
	int rc = arr ? cb_store_review_list(cb_api_store(r), state, site, add_entry, arr, &err) : CB_ENOMEM;
	if (rc != CB_OK) {
		json_decref(arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "entries", arr));
	return CB_OK;
}

/* The entry and its opened instance; false after answering. */
static bool load(struct cb_http_req *r, const char *arg, struct cb_review *rv, char **xml,
		 struct cb_xform_instance **in)
{
	long id;
	struct cb_err err = {0};
	struct cb_odk_state *st;
	*xml = NULL;
	*in = NULL;
	if (cb_http_parse_long(arg, 1, INT32_MAX, &id) != CB_OK) {
		cb_api_refuse(r, 404);
		return false;
	}
	if (!(st = cb_or_state(r)))
		return false;
	int rc = cb_store_review_get(cb_api_store(r), cb_odk_state_review_key(st), id, rv, xml, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return false;
	}
	if (*xml && cb_xform_instance_parse(*xml, strlen(*xml), in, &err) != CB_OK) {
		cb_api_fail(r, CB_ECORRUPT, &err);
		cb_text_free(xml);
		return false;
	}
	return true;
}

int cb_api_review_get(struct cb_http_req *r, const char *arg)
{
	struct cb_review rv;
	char *xml;
	struct cb_xform_instance *in;
	if (!load(r, arg, &rv, &xml, &in))
		return CB_OK;
	json_t *o = entry_json(&rv), *coded = json_object(), *ids = json_array();
	for (int i = 0; in && i < in->n; i++) {
		const struct cb_field *f = cb_xform_field(in, in->f[i].name);
		bool identifying = f ? f->kind == CB_PII
				     : !strcmp(in->f[i].name, "note") || !strcmp(in->f[i].name, "notes");
		if (identifying && in->f[i].value[0])
			json_array_append_new(ids, json_string(in->f[i].name));
		else if (!identifying)
			json_object_set_new(coded, in->f[i].name, json_string(in->f[i].value));
	}
	if (!strcmp(rv.state, "rejected")) {
		char *why = NULL;
		struct cb_err err = {0};
		struct cb_odk_state *st = cb_or_state(r);
		if (!st || cb_store_review_note(cb_api_store(r), cb_odk_state_review_key(st), rv.id, &why, &err) != CB_OK) {
			if (st)
				cb_api_fail(r, CB_ECORRUPT, &err);
			json_decref(o);
			json_decref(coded);
			json_decref(ids);
			goto out;
		}
		if (why)
			json_object_set_new(o, "reject_reason", json_string(why));
		cb_text_free(&why);
	}
	json_object_set_new(o, "answers", coded);
	json_object_set_new(o, "identifying_answers", ids);
	if (!strcmp(rv.kind, "conflict") && !cb_case_id_is_zero(rv.case_id)) {
		struct cb_case c;
		struct cb_err err = {0};
		cb_case_init(&c);
		if (cb_store_get(cb_api_store(r), rv.case_id, 0, &c, &err) == CB_OK)
			json_object_set_new(o, "case_now", cb_case_to_json(&c, 0));
		cb_case_clear(&c);
	}
	cb_api_json(r, 200, o);
out:
	cb_xform_instance_free(&in);
	cb_text_free(&xml);
	return CB_OK;
}

static void accept_case(struct cb_http_req *r, const struct cb_review *rv, const struct cb_xform_instance *in,
			const json_t *fixes)
{
	struct cb_case c;
	struct cb_err err = {0};
	struct cb_store *s = cb_api_store(r);
	cb_case_init(&c);
	int rc = cb_xform_to_case(in, fixes, &c, &err);
	if (rc == CB_OK) {
		if (!c.site[0])
			snprintf(c.site, sizeof c.site, "%s", rv->site);
		if (c.registered_on == CB_NA)
			c.registered_on = (int32_t)(rv->received_at / 86400);
		c.version = 0;
		memset(c.case_id, 0, sizeof c.case_id);
		/* the case, the entry marked, and both audit entries: one transaction, a failed append fails all */
		if ((rc = cb_api_begin(r, &err)) == CB_OK) {
			if ((rc = cb_store_add(s, &c, NULL, &err)) == CB_OK &&
			    (rc = cb_store_review_resolve(s, rv->id, true, r->user.name, r->now, &err)) == CB_OK)
				rc = cb_api_append(r, CB_AUD_CASE_CREATE, c.case_id, "review", &err);
			rc = cb_api_end(r, rc, CB_AUD_ODK_REVIEW_RESOLVE, c.case_id, "accepted", &err);
		}
	}
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	char idt[CB_ID_TEXT];
	cb_case_id_format(c.case_id, idt);
	cb_api_json(r, 200, json_pack("{s:s, s:s}", "state", "accepted", "case_id", idt));
out:
	cb_case_clear(&c);
}

/* A rejection: the sealed submission goes, the manager's reason stays (sealed: it is free text and may name
 * someone), and the audit entry says so -- the act and its entry in one transaction. */
static void reject(struct cb_http_req *r, const struct cb_review *rv, const char *reason)
{
	struct cb_err err = {0};
	struct cb_odk_state *st = cb_or_state(r);
	if (!st)
		return;
	const char *detail = cb_arena_printf(r->arena, "review=%lld rejected; reason %s", (long long)rv->id,
					     reason && reason[0] ? "sealed with the entry" : "none given");
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end_detail(r,
				       cb_store_review_reject(cb_api_store(r), cb_odk_state_review_key(st), rv->id, r->user.name,
							      r->now, reason, &err),
				       CB_AUD_ODK_REVIEW_RESOLVE,
				       cb_case_id_is_zero(rv->case_id) ? NULL : rv->case_id, "rejected", detail, &err);
	if (rc != CB_OK)
		cb_api_fail(r, rc, &err);
	else
		cb_api_json(r, 200, json_pack("{s:s}", "state", "rejected"));
}

int cb_api_review_resolve(struct cb_http_req *r, const char *arg)
{
	struct cb_review rv;
	char *xml = NULL;
	struct cb_xform_instance *in = NULL;
	struct cb_err err = {0};
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *action = json_string_value(json_object_get(body, "action"));
	const json_t *fixes = json_object_get(body, "fields");
	const char *reason = NULL;
	if (!action || (strcmp(action, "accept") && strcmp(action, "reject")) || (fixes && !json_is_object(fixes))) {
		cb_api_error(r, 400, "invalid", "expected {\"action\": \"accept\" or \"reject\", \"fields\": {...}}");
		goto out;
	}
	if (!strcmp(action, "reject") && cb_api_get_text(r, body, "reason", REASON_MAX, &reason))
		goto out;
	if (!load(r, arg, &rv, &xml, &in))
		goto out;
	if (strcmp(rv.state, "pending")) {
		cb_api_error(r, 409, "conflict", "this entry is resolved already");
		goto out;
	}
	int rc;
	if (!strcmp(action, "reject")) {
		reject(r, &rv, reason);
		goto out;
	}
	enum cb_xform_kind k = CB_XFORM_REGISTRATION;
	if (!in || (strcmp(in->form_id, CB_XFORM_HTCDS_ID) && cb_xform_by_id(in->form_id, &k) != CB_OK)) {
		cb_api_error(r, 400, "invalid", "this entry's form is not known to this server");
		goto out;
	}
	if (k == CB_XFORM_REGISTRATION) {
		accept_case(r, &rv, in, fixes);
		goto out;
	}
	if (cb_case_id_is_zero(rv.case_id)) {
		cb_api_error(r, 400, "invalid", "this entry names no case: reject it, and record the follow-up by hand");
		goto out;
	}
	const char *fields;
	if ((rc = cb_api_begin(r, &err)) == CB_OK) {
		rc = cb_odk_apply(cb_api_store(r), &r->user, k, in, rv.case_id, false, rv.id, r->now, &fields, &err);
		if (rc == CB_OK)
			rc = cb_api_append(r, k == CB_XFORM_FOLLOWUP ? CB_AUD_FOLLOWUP_ADD : CB_AUD_ASSISTANCE_ADD, rv.case_id,
					   fields, &err);
		rc = cb_api_end(r, rc, CB_AUD_ODK_REVIEW_RESOLVE, rv.case_id, "accepted", &err);
	}
	if (rc != CB_OK)
		cb_api_fail(r, rc, &err);
	else
		cb_api_json(r, 200, json_pack("{s:s}", "state", "accepted"));
out:
	cb_xform_instance_free(&in);
	cb_text_free(&xml);
	json_decref(body);
	return CB_OK;
}
