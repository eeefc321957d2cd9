/*
 * odk_submit.c -- what a received form becomes (see openrosa.h).  One transaction each: the instance id is
 * recorded together with what it made (so the same instanceID twice stores nothing new, even when two
 * retries race), and:
 *   registration, htcds_xlsform   a new case, by the rules of an import (cb_xform_to_case, then the store's
 *                                 own derivation and validation); identifying details sealed as always
 *   followup                      a follow-up of an existing case, and its stage moved if asked
 *   assistance                    an assistance record of an existing case
 * Each act is one transaction with its audit entry: a failed append fails the act.
 * A form that fails validation, and a follow-up or assistance about a case changed since the phone saw it
 * (its case_version), go to the review queue instead, sealed, for a manager (api_review.c): nothing is lost
 * and nothing is overwritten.  The first answer says why: 400 for an invalid form; 202 for a conflict, which
 * is held safely (a 4xx would leave it "failed" on the phone, retried for nothing); a retry of the same form
 * is told it arrived, so the phone stops sending it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/openrosa.h"
#include "care/assist.h"
#include "store/attach.h"
#include "store/odk.h"

/* Puts the instance in the review queue (and records its id), in one transaction. */
static void to_review(struct cb_http_req *r, const struct cb_xform_instance *in, const char *xml, size_t len,
		      const char *kind, const char *reason, const char *site, const uint8_t *case_id, int64_t seen,
		      int64_t stored)
{
	struct cb_store *s = cb_api_store(r);
	struct cb_odk_state *st = cb_or_state(r);
	struct cb_err err = {0};
	struct cb_review rv = {0};
	if (!st)
		return;
	snprintf(rv.instance_id, sizeof rv.instance_id, "%s", in->instance_id);
	snprintf(rv.form_id, sizeof rv.form_id, "%s", in->form_id);
	snprintf(rv.user, sizeof rv.user, "%s", r->user.name);
	snprintf(rv.site, sizeof rv.site, "%s", site ? site : "");
	snprintf(rv.reason, sizeof rv.reason, "%s", reason);
	snprintf(rv.kind, sizeof rv.kind, "%s", kind);
	if (case_id)
		memcpy(rv.case_id, case_id, 16);
	rv.seen_version = seen;
	rv.case_version = stored;
	rv.received_at = r->now;
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK) {
		if ((rc = cb_store_odk_mark(s, in->instance_id, in->form_id, "review", case_id, &err)) == CB_OK)
			rc = cb_store_review_add(s, cb_odk_state_review_key(st), &rv, xml, len, &err);
		rc = cb_api_end(r, rc, CB_AUD_ODK_REVIEW, case_id, kind, &err);
	}
	if (rc == CB_EEXIST) {
		cb_or_respond(r, 201, "submit_success", "this form was received before: nothing more to do");
		return;
	}
	if (rc != CB_OK) {
		cb_or_respond(r, rc == CB_EFULL || rc == CB_EUNAVAIL ? 503 : 500, "error",
			      "the server could not store the form: try again later");
		return;
	}
	/* A conflict is held safely, not failed: 202, which Collect counts as sent (a 4xx would leave the form
	 * "failed" on the phone, retried for nothing).  A form that failed validation stays 400: its sender
	 * should see that something in it was wrong. */
	if (!strcmp(kind, "conflict"))
		cb_or_respond(r, 202, "submit_success",
			      cb_arena_printf(r->arena,
					      "held for review by a manager (entry %lld): %s. The form is kept, not lost; it need"
					      " not be sent again",
					      (long long)rv.id, reason));
	else
		cb_or_respond(r, 400, "error",
			      cb_arena_printf(r->arena,
					      "%s -- the form is kept for a manager to review (entry %lld); it need not be sent again",
					      reason, (long long)rv.id));
}

/* The names of the fields a new case holds, for its audit entry (never values). */
static const char *fields_of(struct cb_http_req *r, const struct cb_case *c)
{
	struct cb_buf b = {0};
	for (int i = 0; i < CB_NFIELDS; i++)
		if (cb_case_has(c, &cb_fields[i]) && !(cb_fields[i].flags & CB_F_DERIVED) && b.len < 440)
			cb_buf_printf(&b, "%s%s", b.len ? "," : "", cb_fields[i].name);
	const char *out = cb_arena_strndup(r->arena, b.data ? b.data : "", b.len);
	cb_buf_free(&b);
	return out;
}

/* The type of a file sent with a form, by its name (ODK sends application/octet-stream for encrypted ones). */
static const char *type_of(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".png", "image/png"},   {".webp", "image/webp"},
		     {".pdf", "application/pdf"}, {".mp3", "audio/mpeg"}, {".m4a", "audio/mp4"}, {".amr", "audio/amr"},
		     {".mp4", "video/mp4"}};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < CB_COUNTOF(types); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* The files of a form, attached to its new case (after the case's commit: a file refused by the limits does
 * not lose the case); what was not kept, for the answer. */
static const char *attach_media(struct cb_http_req *r, const uint8_t id[16], const struct cb_odk_media *media, int n)
{
	const char *missed = "";
	for (int i = 0; i < n; i++) {
		struct cb_err err = {0};
		int64_t aid;
		int rc = cb_api_begin(r, &err);
		if (rc == CB_OK)
			rc = cb_api_end(r,
					cb_attach_add(cb_api_store(r), id, media[i].name, type_of(media[i].name), media[i].data,
						      media[i].len, r->user.name, r->now, &aid, &err),
					CB_AUD_CASE_UPDATE, id, "attachment", &err);
		if (rc != CB_OK)
			missed = cb_arena_printf(r->arena, "%s; a file was not kept (%s)", missed, err.msg);
	}
	return missed;
}

static void new_case(struct cb_http_req *r, const struct cb_xform_instance *in, const char *xml, size_t len,
		     const struct cb_odk_media *media, int nmedia)
{
	struct cb_case c;
	struct cb_err err = {0};
	int rc;
	cb_case_init(&c);
	if ((rc = cb_xform_to_case(in, NULL, &c, &err)) != CB_OK) {
		to_review(r, in, xml, len, "invalid", err.msg, r->user.site, NULL, 0, 0);
		goto out;
	}
	if (r->user.role == CB_ROLE_CASEWORKER) {
		if (c.site[0] && strcmp(c.site, r->user.site)) {
			cb_or_respond(r, 403, "error", "caseworkers register cases for their own office only");
			goto out;
		}
		snprintf(c.site, sizeof c.site, "%s", r->user.site);
	}
	if (c.registered_on == CB_NA && !strcmp(in->form_id, CB_XFORM_HTCDS_ID))
		c.registered_on = (int32_t)(r->now / 86400); /* the HTCDS form asks no date: the day it arrived */
	cb_case_derive(&c);
	if ((rc = cb_case_validate(&c, &err)) != CB_OK) {
		to_review(r, in, xml, len, "invalid", err.msg, c.site, NULL, 0, 0);
		goto out;
	}
	/* validated and sealed here, on this request's thread; written with others (odk_group.c) */
	struct cb_odk_state *st = cb_or_state(r);
	if (!st)
		goto out;
	struct cb_odk_new_case job = {.instance_id = in->instance_id, .form_id = in->form_id};
	if (!(job.p = cb_prepared_new())) {
		cb_or_respond(r, 500, "error", "out of memory");
		goto out;
	}
	struct cb_audit_entry entry;
	if ((rc = cb_store_prepare(cb_api_store(r), &c, NULL, job.p, &err)) == CB_OK) {
		memcpy(job.case_id, c.case_id, 16);
		cb_api_entry(r, &entry, CB_AUD_CASE_CREATE, c.case_id, fields_of(r, &c));
		job.audit = &entry; /* written with the case, in its savepoint */
		cb_odk_group_write(r, cb_odk_state_group(st), &job);
		rc = job.rc;
		err = job.err;
	}
	cb_prepared_free(&job.p);
	if (rc == CB_EEXIST) {
		cb_or_respond(r, 201, "submit_success", "this form was received before: nothing more to do");
		goto out;
	}
	if (rc == CB_EINVAL) {
		to_review(r, in, xml, len, "invalid", err.msg, c.site, NULL, 0, 0);
		goto out;
	}
	if (rc != CB_OK) {
		cb_or_respond(r, rc == CB_EFULL ? 503 : 500, "error", "the server could not store the form: try again later");
		goto out;
	}
	char idt[CB_ID_TEXT];
	cb_case_id_format(c.case_id, idt);
	const char *missed = attach_media(r, c.case_id, media, nmedia);
	cb_or_respond(r, 201, "submit_success", cb_arena_printf(r->arena, "case %s registered%s", idt, missed));
out:
	cb_case_clear(&c);
}

static int32_t date_or_na(const char *s)
{
	int32_t d;
	return s && s[0] && cb_date_parse(s, &d) == CB_OK ? d : CB_NA;
}

int cb_odk_apply(struct cb_store *s, const struct cb_user *by, enum cb_xform_kind k, const struct cb_xform_instance *in,
		 const uint8_t id[16], bool mark, int64_t review_id, int64_t now, const char **fields, struct cb_err *err)
{
	int rc = CB_OK;
	struct cb_followup f;
	struct cb_assist a;
	cb_followup_init(&f);
	cb_assist_init(&a);
	int32_t stage = CB_NA;
	const char *v;
	if (k == CB_XFORM_FOLLOWUP) {
		memcpy(f.case_id, id, 16);
		f.due_on = date_or_na(cb_xform_get(in, "due_on"));
		f.done_on = date_or_na(cb_xform_get(in, "done_on"));
		if ((v = cb_xform_get(in, "note")) && v[0])
			f.note = strdup(v);
		if ((v = cb_xform_get(in, "stage")) && v[0] && cb_stage_parse(v, &stage, err) != CB_OK)
			rc = CB_EINVAL;
	} else {
		memcpy(a.case_id, id, 16);
		a.type = (v = cb_xform_get(in, "type")) ? cb_value_find(&cb_vsets[CB_VS_assistance_type], v) : CB_NA;
		long prov = 0;
		if ((v = cb_xform_get(in, "provider")) && v[0] && cb_http_parse_long(v, 1, INT64_MAX / 2, &prov) != CB_OK)
			rc = cb_err_field(err, CB_EINVAL, "provider", "provider: not a partner id");
		a.provider = prov;
		a.planned_on = date_or_na(cb_xform_get(in, "planned_on"));
		a.start_on = date_or_na(cb_xform_get(in, "start_on"));
		a.end_on = date_or_na(cb_xform_get(in, "end_on"));
		a.status = (v = cb_xform_get(in, "status")) && v[0] ? cb_value_find(&cb_vsets[CB_VS_assistance_status], v) : CB_NA;
		if ((v = cb_xform_get(in, "notes")) && v[0])
			a.notes = strdup(v);
		if (a.type == CB_NA)
			rc = cb_err_field(err, CB_EINVAL, "type", "type: is not an assistance type");
	}
	/* joins the caller's act (cb_api_begin), so that its audit entries commit with it */
	if (rc == CB_OK && (rc = cb_store_tx_begin(s, err)) == CB_OK) {
		if (mark)
			rc = cb_store_odk_mark(s, in->instance_id, in->form_id, cb_xform_name(k), id, err);
		if (rc == CB_OK)
			rc = k == CB_XFORM_FOLLOWUP ? cb_followup_add(s, &f, err) : cb_assist_add(s, &a, by, NULL, err);
		if (rc == CB_OK && stage != CB_NA)
			rc = cb_stage_move(s, id, stage, NULL, by, err);
		if (rc == CB_OK && review_id)
			rc = cb_store_review_resolve(s, review_id, true, by->name, now, err);
		rc = cb_store_tx_end(s, rc, err);
	}
	*fields = k == CB_XFORM_FOLLOWUP ? (f.note ? "due_on,note" : "due_on") : (a.notes ? "type,notes" : "type");
	cb_followup_clear(&f);
	cb_assist_clear(&a);
	return rc;
}

/* A follow-up or an assistance record of an existing case. */
static void about_case(struct cb_http_req *r, enum cb_xform_kind k, const struct cb_xform_instance *in,
		       const char *xml, size_t len)
{
	struct cb_case c;
	struct cb_err err = {0};
	uint8_t id[16];
	long seen;
	const char *ids = cb_xform_get(in, "case_id"), *ver = cb_xform_get(in, "case_version");
	cb_case_init(&c);
	if (!ids || cb_case_id_parse(ids, id) != CB_OK || !ver || cb_http_parse_long(ver, 1, INT32_MAX, &seen) != CB_OK) {
		to_review(r, in, xml, len, "invalid", "case_id or case_version: missing or malformed", r->user.site, NULL, 0, 0);
		return;
	}
	struct cb_store *s = cb_api_store(r);
	int rc = cb_store_get(s, id, 0, &c, &err);
	struct cb_principal p;
	cb_api_principal(r, &p);
	if (rc != CB_OK || cb_authz_check(&p, CB_ACT_ASSIST_WRITE, c.site)) {
		cb_or_respond(r, 404, "error", "no such case (or not one of your office)");
		goto out;
	}
	if (c.version != seen) {
		to_review(r, in, xml, len, "conflict",
			  cb_arena_printf(r->arena, "the case changed since the phone saw it (version %ld, now %lld)", seen,
					  (long long)c.version),
			  c.site, id, seen, c.version);
		goto out;
	}
	const char *fields = NULL;
	if ((rc = cb_api_begin(r, &err)) == CB_OK) {
		rc = cb_odk_apply(s, &r->user, k, in, id, true, 0, r->now, &fields, &err);
		rc = cb_api_end(r, rc, k == CB_XFORM_FOLLOWUP ? CB_AUD_FOLLOWUP_ADD : CB_AUD_ASSISTANCE_ADD, id, fields, &err);
	}
	if (rc == CB_EEXIST)
		cb_or_respond(r, 201, "submit_success", "this form was received before: nothing more to do");
	else if (rc == CB_EINVAL || rc == CB_ENOTFOUND)
		to_review(r, in, xml, len, "invalid", err.msg, c.site, id, 0, 0);
	else if (rc != CB_OK)
		cb_or_respond(r, rc == CB_EFULL || rc == CB_EUNAVAIL ? 503 : 500, "error",
			      "the server could not store the form: try again later");
	else
		cb_or_respond(r, 201, "submit_success", k == CB_XFORM_FOLLOWUP ? "follow-up recorded" : "assistance recorded");
out:
	cb_case_clear(&c);
}

void cb_odk_submit(struct cb_http_req *r, const struct cb_xform_instance *in, const char *xml, size_t len,
		   const struct cb_odk_media *media, int nmedia)
{
	enum cb_xform_kind k = CB_XFORM_REGISTRATION;
	if (strcmp(in->form_id, CB_XFORM_HTCDS_ID) && cb_xform_by_id(in->form_id, &k) != CB_OK) {
		cb_or_respond(r, 404, "error", "no such form on this server");
		return;
	}
	if (k == CB_XFORM_REGISTRATION)
		new_case(r, in, xml, len, media, nmedia);
	else
		about_case(r, k, in, xml, len);
}
