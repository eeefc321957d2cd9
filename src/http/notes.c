/*
 * notes.c -- dated case notes (store/notes.h): GET and POST /api/cases/{id}/notes.  Who may read a
 * case's assistance records may read and add its notes (assist.read, assist.write); the text, an
 * identifying detail, is shown only to those who may see the case's identifying details (a manager after
 * breaking the glass), and each read that shows it is audited.
 */
#include <string.h>
#include <time.h>

#include "http/api.h"
#include "care/notes.h"

struct note_list {
	json_t *arr;
	bool texts;
};

static int note_entry(const struct cb_note *n, void *ctx)
{
	struct note_list *l = ctx;
	char at[32];
	struct tm tm;
	time_t sec = (time_t)n->at;
	gmtime_r(&sec, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)n->id, "at", at, "author", n->author);
	if (n->text) {
		json_object_set_new(o, "text", json_string(n->text));
		l->texts = true;
	}
	return json_array_append_new(l->arr, o) ? CB_ENOMEM : CB_OK;
}

int cb_api_notes_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_READ, id, site, NULL))
		return CB_OK;
	bool pii = cb_api_may_see_pii(r, id, site);
	struct note_list l = {json_array(), false};
	int rc = cb_note_list(cb_api_store(r), id, pii, note_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	json_t *doc = json_pack("{s:o, s:b}", "notes", l.arr, "sealed", !pii);
	if ((rc = cb_api_audit(r, CB_AUD_NOTE_READ, id, l.texts ? "notes" : NULL)) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		return CB_OK;
	}
	cb_api_json(r, 200, doc);
	return CB_OK;
}

int cb_api_note_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	int64_t nid = 0;
	if (cb_api_open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	json_t *t = json_object_get(body, "text");
	if (!json_is_string(t)) {
		cb_api_error(r, 400, "invalid", "text: write the note");
		goto out;
	}
	/* the store audits the note with the act (note.add) */
	int rc = cb_note_add(cb_api_store(r), id, json_string_value(t), &r->user, &nid, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	cb_api_json(r, 201, json_pack("{s:I, s:s}", "id", (json_int_t)nid, "author", r->user.name));
out:
	json_decref(body);
	return CB_OK;
}
