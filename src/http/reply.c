/*
 * reply.c -- how the server answers: JSON documents, error documents with the status each kind of failure
 * gets (a policy refusal, a library error, a bad member of a body), texts and streamed bodies, and the JSON
 * of the values every resource returns (dates, coded values, texts).  One place, so that the same failure
 * gets the same status and the same words on every route.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/api.h"
#include "util/i18n.h"

void cb_api_json(struct cb_http_req *r, int status, json_t *doc)
{
	r->resp = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!r->resp) {
		cb_api_error(r, 500, "internal", "out of memory");
		return;
	}
	r->resp_len = strlen(r->resp);
	r->status = status;
	r->ctype = "application/json";
}

void cb_api_error(struct cb_http_req *r, int status, const char *code, const char *detail)
{
	free(r->resp);
	r->resp = NULL;
	/* the detail is for people: in the request's language when the catalogue has it (the code stays) */
	json_t *doc = json_pack("{s:s, s:s}", "error", code, "detail", detail ? _(detail) : "");
	r->resp = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	r->resp_len = r->resp ? strlen(r->resp) : 0;
	r->status = status;
	r->ctype = "application/json";
}

/* The error of a refusal by the access policy. */
void cb_api_refuse(struct cb_http_req *r, int status)
{
	switch (status) {
	case 401: cb_api_error(r, 401, "login_required", "log in first"); break;
	case 404: cb_api_error(r, 404, "not_found", "no such record"); break;
	default: cb_api_error(r, 403, "forbidden", "your role may not do this"); break;
	}
}

/* Adds a text member to the JSON error just written (the error stays as it is if memory runs out). */
static void add_member(struct cb_http_req *r, const char *key, const char *value)
{
	json_t *doc = r->resp ? json_loadb(r->resp, r->resp_len, 0, NULL) : NULL;
	char *text = NULL;
	if (doc && !json_object_set_new(doc, key, json_string(value)) &&
	    (text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		free(r->resp);
		r->resp = text;
		r->resp_len = strlen(text);
	}
	json_decref(doc);
}

/* A library error: the message names field and coded value only (house rule), so it may be shown. */
void cb_api_fail(struct cb_http_req *r, int rc, const struct cb_err *err)
{
	switch (rc) {
	case CB_EINVAL:
		cb_api_error(r, 400, "invalid", err && err->msg[0] ? err->msg : "invalid");
		/* the field's name (a code) beside the detail, which names it by its label: pages find the input */
		if (err && err->field[0])
			add_member(r, "field", err->field);
		break;
	case CB_ENOTFOUND: cb_api_error(r, 404, "not_found", "no such record"); break;
	case CB_ECONFLICT: cb_api_error(r, 409, "conflict", "somebody changed this record first: reload it"); break;
	case CB_EEXIST: cb_api_error(r, 409, "conflict", "it exists already"); break;
	case CB_EPERM: cb_api_error(r, 403, "forbidden", err && err->msg[0] ? err->msg : "not allowed"); break;
	case CB_ECONSENT: cb_api_error(r, 409, "consent_required", err && err->msg[0] ? err->msg : "no consent"); break;
	case CB_EFULL: /* nothing was written; the operator must free space, the client may try again later */
		fprintf(stderr, "casebank serve: disk full: nothing more can be written\n");
		cb_api_error(r, 503, "unavailable", "service unavailable: the server cannot write (disk full)");
		break;
	case CB_EUNAVAIL: /* the database server is gone (a failover): the next request reconnects */
		cb_api_error(r, 503, "unavailable", "service unavailable: the database cannot be reached; try again shortly");
		break;
	default: cb_api_error(r, 500, "internal", "internal error"); break;
	}
}

int cb_api_bad(struct cb_http_req *r, const char *detail)
{
	cb_api_error(r, 400, "invalid", detail ? detail : "invalid");
	return -1;
}

void cb_api_text(struct cb_http_req *r, const char *ctype, const void *data, size_t n)
{
	if (!data || !(r->resp = malloc(n + 1))) {
		cb_api_error(r, 500, "internal", "out of memory");
		return;
	}
	memcpy(r->resp, data, n);
	r->resp[n] = 0;
	r->resp_len = n;
	r->status = 200;
	r->ctype = ctype;
}

void cb_api_stream(struct cb_http_req *r, const char *ctype, int (*fn)(void *ctx, FILE *f, struct cb_err *err),
		   void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	struct cb_err err = {0};
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		cb_api_error(r, 500, "internal", "out of memory");
		return;
	}
	int rc = fn(ctx, f, &err);
	if (fclose(f) != 0 && rc == CB_OK)
		rc = CB_ENOMEM;
	if (rc != CB_OK) {
		if (buf)
			sodium_memzero(buf, len);
		free(buf);
		cb_api_fail(r, rc, &err);
		return;
	}
	r->resp = buf;
	r->resp_len = len;
	r->status = 200;
	r->ctype = ctype;
}

/* ---- members of answers */

json_t *cb_api_date_json(int32_t day)
{
	char d[11];
	if (day == CB_NA)
		return json_null();
	cb_date_format(day, d);
	return json_string(d);
}

json_t *cb_api_value_json(enum cb_vset_id vs, int32_t v)
{
	return v >= 0 && v < cb_vsets[vs].count ? json_string(cb_vsets[vs].values[v].name) : json_null();
}

json_t *cb_api_text_json(const char *t) { return t ? json_string(t) : json_null(); }
