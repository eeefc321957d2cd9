/*
 * attachments.c -- a case's photos and documents (docs/api.md, "Attachments"):
 *   GET  /api/cases/{id}/attachments        the list: id, type, size, date, uploader; the file names too for
 *                                           whoever may see the case's identifying details (audited)
 *   POST /api/cases/{id}/attachments?name=N the request body is the file, its Content-Type its type (limits:
 *                                           meta attachments.max_bytes and attachments.types)
 *   GET  /api/cases/{id}/attachments/{aid}  the file, to whoever may see the case's identifying details
 *                                           (its office's caseworkers; a manager after break-the-glass), audited
 * Files sent with an ODK form are attached the same way (odk_submit.c).  The files are sealed with the case
 * key (store/attach.h), so erasing the case's details destroys them.
 */
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "store/attach.h"

static int add_json(const struct cb_attachment *a, void *ctx)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:s}", "id", (json_int_t)a->id, "type", a->ctype, "size",
			      (json_int_t)a->size, "created_at", (json_int_t)a->created_at, "by", a->by);
	if (o && a->name)
		json_object_set_new(o, "name", json_string(a->name));
	return o ? json_array_append_new(ctx, o) : CB_ENOMEM;
}

int cb_api_attachments_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (cb_api_open_case(r, arg, CB_ACT_CASE_READ, id, site, NULL))
		return CB_OK;
	bool names = cb_api_may_see_pii(r, id, site);
	json_t *arr = json_array();
	int rc = arr ? cb_attach_list(cb_api_store(r), id, names, add_json, arr, &err) : CB_ENOMEM;
	if (rc != CB_OK) {
		json_decref(arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	if (names && json_array_size(arr))
		cb_api_audited(r, 200, CB_AUD_CASE_READ, id, "attachments", json_pack("{s:o}", "attachments", arr));
	else
		cb_api_json(r, 200, json_pack("{s:o}", "attachments", arr));
	return CB_OK;
}

int cb_api_attachment_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	int64_t aid;
	if (cb_api_open_case(r, arg, CB_ACT_CASE_UPDATE, id, site, NULL))
		return CB_OK;
	const char *name = cb_http_query_get(&r->query, "name");
	if (name && strlen(name) > 255) {
		cb_api_bad(r, "name: at most 255 bytes");
		return CB_OK;
	}
	int rc = cb_attach_add(cb_api_store(r), id, name, r->content_type, (const uint8_t *)r->body, r->body_len,
			       r->user.name, r->now, &aid, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_audited(r, 201, CB_AUD_CASE_UPDATE, id, "attachment", json_pack("{s:I}", "id", (json_int_t)aid));
	return CB_OK;
}

int cb_api_attachment_get(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int64_t aid;
	struct cb_err err = {0};
	struct cb_attachment a;
	if (cb_api_open_case(r, arg, CB_ACT_CASE_READ, id, site, &aid))
		return CB_OK;
	if (!cb_api_may_see_pii(r, id, site)) {
		cb_api_error(r, 403, "forbidden", "attachments are identifying details: break the glass first");
		return CB_OK;
	}
	int rc = cb_attach_get(cb_api_store(r), id, aid, &a, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	if ((rc = cb_api_audit(r, CB_AUD_CASE_READ, id, "attachment")) != CB_OK) {
		cb_api_audit_failed(r, rc);
	} else {
		cb_api_text(r, cb_arena_strndup(r->arena, a.ctype, strlen(a.ctype)), a.data, (size_t)a.size);
		r->disposition = "attachment";
	}
	cb_attachment_clear(&a);
	return CB_OK;
}
