/*
 * followups.c -- a case's follow-ups (list, plan, mark done) and the overdue follow-ups of an office.  Notes
 * may describe the person: returned only to whoever may see the case's identifying details, audited by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "care/assist.h"

struct followup_list {
	json_t *arr;
	bool pii, notes, with_case;
	int32_t today;
};

static int followup_entry(const struct cb_followup *f, void *ctx)
{
	struct followup_list *l = ctx;
	json_t *o = json_pack("{s:I, s:o, s:o, s:b}", "id", (json_int_t)f->id, "due_on", cb_api_date_json(f->due_on), "done_on",
			      cb_api_date_json(f->done_on), "overdue", f->done_on == CB_NA && f->due_on < l->today);
	if (l->with_case) {
		char cid[CB_ID_TEXT];
		cb_case_id_format(f->case_id, cid);
		json_object_set_new(o, "case_id", json_string(cid));
		json_object_set_new(o, "site", json_string(f->site));
	}
	if (l->pii) {
		json_object_set_new(o, "note", cb_api_text_json(f->note));
		l->notes |= f->note != NULL;
	}
	return json_array_append_new(l->arr, o) ? CB_ENOMEM : CB_OK;
}

int cb_api_followups_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_READ, id, site, NULL))
		return CB_OK;
	struct followup_list l = {json_array(), cb_api_may_see_pii(r, id, site), false, false, cb_date_today()};
	struct cb_followup_filter f = {.case_id = id, .today = l.today};
	int rc = cb_followup_list(cb_api_store(r), &f, l.pii ? CB_WITH_PII : 0, followup_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_audited(r, 200, CB_AUD_FOLLOWUP_READ, id, l.notes ? "note" : NULL, json_pack("{s:o}", "followups", l.arr));
	return CB_OK;
}

int cb_api_followup_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_followup f;
	struct cb_err err = {0};
	const char *note;
	cb_followup_init(&f);
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	if (cb_api_get_date(r, body, "due_on", &f.due_on) || cb_api_get_text(r, body, "note", CB_NOTE_MAX, &note))
		goto out;
	memcpy(f.case_id, id, 16);
	f.note = note ? strdup(note) : NULL;
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end(r, cb_followup_add(cb_api_store(r), &f, &err), CB_AUD_FOLLOWUP_ADD, id, note ? "due_on,note" : "due_on", &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = json_pack("{s:I, s:o, s:n, s:b}", "id", (json_int_t)f.id, "due_on", cb_api_date_json(f.due_on),
				"done_on", "overdue", f.due_on < cb_date_today());
	if (cb_api_may_see_pii(r, id, site))
		json_object_set_new(doc, "note", cb_api_text_json(f.note));
	cb_api_json(r, 201, doc);
out:
	cb_followup_clear(&f);
	json_decref(body);
	return CB_OK;
}

static int find_followup(const struct cb_followup *f, void *ctx)
{
	struct cb_followup *want = ctx;
	if (f->id != want->id)
		return 0;
	want->due_on = f->due_on;
	want->done_on = f->done_on;
	return 1; /* found: stop */
}

/* Marks a follow-up done: {"done_on": "YYYY-MM-DD"} (absent or null: today). */
int cb_api_followup_update(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int64_t rec;
	int32_t day = CB_NA;
	struct cb_followup want;
	struct cb_err err = {0};
	cb_followup_init(&want);
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, &rec))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	want.id = rec;
	struct cb_followup_filter f = {.case_id = id, .today = CB_NA};
	int rc = cb_followup_list(cb_api_store(r), &f, 0, find_followup, &want, &err);
	if (rc != 1) { /* not this case's */
		if (rc == CB_OK)
			cb_api_refuse(r, 404);
		else
			cb_api_fail(r, rc, &err);
		goto out;
	}
	if (cb_api_get_date(r, body, "done_on", &day))
		goto out;
	if (day == CB_NA)
		day = cb_date_today();
	if ((rc = cb_api_begin(r, &err)) == CB_OK)
		rc = cb_api_end(r, cb_followup_done(cb_api_store(r), rec, day, &err), CB_AUD_FOLLOWUP_DONE, id, "done_on",
				&err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = json_pack("{s:I, s:o, s:o, s:b}", "id", (json_int_t)rec, "due_on", cb_api_date_json(want.due_on),
				"done_on", cb_api_date_json(day), "overdue", false);
	cb_api_json(r, 200, doc);
out:
	json_decref(body);
	return CB_OK;
}

/* ---- an office's overdue follow-ups */

int cb_api_overdue(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	const char *site;
	if (cb_api_office(r, CB_ACT_OVERDUE, &site))
		return CB_OK;
	struct followup_list l = {json_array(), false, false, true, cb_date_today()};
	struct cb_followup_filter f = {.site = site, .overdue = true, .today = l.today};
	int rc = cb_followup_list(cb_api_store(r), &f, 0, followup_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "followups", l.arr));
	return CB_OK;
}
