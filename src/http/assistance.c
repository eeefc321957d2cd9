/*
 * assistance.c -- a case's assistance records: list, add, change the status and dates.  The records follow the
 * case's scope (cb_api_open_case); notes may describe the person and are returned only to whoever may see the
 * case's identifying details, audited by name.  A placement over a shelter's beds is stored and said.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "care/assist.h"

static json_t *assist_json(struct cb_http_req *r, const struct cb_assist *a, bool pii)
{
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)a->id, "type",
			      cb_api_value_json(CB_VS_assistance_type, a->type), "provider",
			      a->provider ? json_integer(a->provider) : json_null(), "planned_on", cb_api_date_json(a->planned_on),
			      "start_on", cb_api_date_json(a->start_on), "end_on", cb_api_date_json(a->end_on), "status",
			      cb_api_value_json(CB_VS_assistance_status, a->status));
	struct cb_partner p;
	struct cb_err err = {0};
	if (a->provider && cb_partner_get(cb_api_store(r), a->provider, &p, &err) == CB_OK)
		json_object_set_new(o, "provider_name", json_string(p.name));
	if (pii)
		json_object_set_new(o, "notes", cb_api_text_json(a->notes));
	return o;
}

/* The capacity warning of a placement: stored, and said (docs/assistance.md, "Partners"). */
static void add_warning(json_t *doc, const struct cb_capacity *cap, int64_t shelter)
{
	char d[11], text[200];
	if (!cap->over)
		return;
	cb_date_format(cap->day, d);
	snprintf(text, sizeof text, "shelter %lld has %d beds and %d placements on %s: over capacity (the record is stored)",
		 (long long)shelter, cap->beds, cap->occupied, d);
	json_object_set_new(doc, "warning",
			    json_pack("{s:s, s:s, s:I, s:i, s:i, s:s}", "code", "over_capacity", "detail", text,
				      "shelter", (json_int_t)shelter, "beds", cap->beds, "occupied", cap->occupied, "day", d));
}

/* A record's write done (rc): the failure answered, or the record answered with status, its notes with pii, and the capacity warning with warn. */
static void stored(struct cb_http_req *r, int rc, const struct cb_err *err, int status, const struct cb_assist *a,
		   bool pii, const struct cb_capacity *cap, bool warn)
{
	if (rc != CB_OK) {
		cb_api_fail(r, rc, err);
		return;
	}
	json_t *doc = assist_json(r, a, pii);
	if (warn)
		add_warning(doc, cap, a->provider);
	cb_api_json(r, status, doc);
}

struct assist_list {
	struct cb_http_req *r;
	json_t *arr;
	bool pii, notes;
};

static int assist_entry(const struct cb_assist *a, void *ctx)
{
	struct assist_list *l = ctx;
	l->notes |= l->pii && a->notes;
	return json_array_append_new(l->arr, assist_json(l->r, a, l->pii)) ? CB_ENOMEM : CB_OK;
}

int cb_api_assist_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_READ, id, site, NULL))
		return CB_OK;
	struct assist_list l = {r, json_array(), cb_api_may_see_pii(r, id, site), false};
	int rc = cb_assist_list(cb_api_store(r), id, l.pii ? CB_WITH_PII : 0, assist_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_audited(r, 200, CB_AUD_ASSISTANCE_READ, id, l.notes ? "notes" : NULL, json_pack("{s:o}", "assistance", l.arr));
	return CB_OK;
}

static const char *const assist_keys[] = {"type", "provider", "planned_on", "start_on", "end_on", "status", "notes",
					  NULL};

int cb_api_assist_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_assist a;
	struct cb_capacity cap = {0};
	struct cb_partner p;
	struct cb_err err = {0};
	const char *notes;
	cb_assist_init(&a);
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	a.type = -2; /* missing: the store names the allowed types */
	if (cb_api_get_value(r, body, "type", CB_VS_assistance_type, &a.type) ||
	    cb_api_get_value(r, body, "status", CB_VS_assistance_status, &a.status) || cb_api_get_id(r, body, "provider", &a.provider) ||
	    cb_api_get_date(r, body, "planned_on", &a.planned_on) || cb_api_get_date(r, body, "start_on", &a.start_on) ||
	    cb_api_get_date(r, body, "end_on", &a.end_on) || cb_api_get_text(r, body, "notes", CB_NOTE_MAX, &notes) ||
	    (a.provider && cb_api_need_partner(r, a.provider, &p)))
		goto out;
	memcpy(a.case_id, id, 16);
	a.notes = notes ? strdup(notes) : NULL;
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end(r, cb_assist_add(cb_api_store(r), &a, &r->user, &cap, &err), CB_AUD_ASSISTANCE_ADD, id, cb_api_touched(r, body, assist_keys), &err);
	stored(r, rc, &err, 201, &a, cb_api_may_see_pii(r, id, site), &cap, true);
out:
	cb_assist_clear(&a);
	json_decref(body);
	return CB_OK;
}

int cb_api_assist_update(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int64_t rec;
	struct cb_assist a;
	struct cb_capacity cap = {0};
	struct cb_err err = {0};
	cb_assist_init(&a);
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, &rec))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	int rc = cb_assist_get(cb_api_store(r), rec, 0, &a, &err);
	if (rc != CB_OK || memcmp(a.case_id, id, 16)) { /* another case's record is not found here */
		cb_api_refuse(r, 404);
		goto out;
	}
	if (json_object_get(body, "notes") || json_object_get(body, "type") || json_object_get(body, "provider")) {
		cb_api_bad(r, "only status, planned_on, start_on and end_on change; register a new record for another service");
		goto out;
	}
	if (cb_api_get_value(r, body, "status", CB_VS_assistance_status, &a.status) ||
	    cb_api_get_date(r, body, "planned_on", &a.planned_on) || cb_api_get_date(r, body, "start_on", &a.start_on) ||
	    cb_api_get_date(r, body, "end_on", &a.end_on))
		goto out;
	if ((rc = cb_api_begin(r, &err)) == CB_OK)
		rc = cb_api_end(r, cb_assist_update(cb_api_store(r), &a, 0, &r->user, &cap, &err), CB_AUD_ASSISTANCE_UPDATE,
				id, cb_api_touched(r, body, assist_keys), &err);
	/* a provider a manager chose from another office's private entries stays on the record, but its beds and
	 * occupancy are that office's business */
	struct cb_partner p;
	struct cb_err perr = {0};
	bool warn = rc == CB_OK && a.provider && cb_partner_get_for(cb_api_store(r), a.provider, &r->user, &p, &perr) == CB_OK;
	stored(r, rc, &err, 200, &a, false, &cap, warn);
out:
	cb_assist_clear(&a);
	json_decref(body);
	return CB_OK;
}
