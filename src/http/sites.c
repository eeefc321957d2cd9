/*
 * sites.c -- the managed list of offices (store/sites.h): GET /api/sites for everyone signed in (the
 * office menus), POST /api/sites and PATCH /api/sites/{code} {"disabled": bool} for administrators.  The
 * store audits each change.
 */
#include <string.h>

#include "http/api.h"
#include "store/sites.h"

static int site_entry(const struct cb_site *s, void *ctx)
{
	return json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:b}", "code", s->code, "name", s->name,
						    "country", s->country, "disabled", s->disabled))
		       ? CB_ENOMEM
		       : CB_OK;
}

int cb_api_sites_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	json_t *arr = json_array();
	int rc = cb_site_list(cb_api_store(r), site_entry, arr, &err);
	if (rc != CB_OK) {
		json_decref(arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "sites", arr));
	return CB_OK;
}

int cb_api_site_add(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *code = json_string_value(json_object_get(body, "code"));
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *country = json_string_value(json_object_get(body, "country"));
	int rc = cb_site_add(cb_api_store(r), code, name, country, &r->user, &err);
	if (rc == CB_EEXIST)
		cb_api_error(r, 409, "conflict", err.msg);
	else if (rc != CB_OK)
		cb_api_fail(r, rc, &err);
	else
		cb_api_json(r, 201, json_pack("{s:s, s:s, s:s, s:b}", "code", code, "name", name, "country",
					      country ? country : "", "disabled", 0));
	json_decref(body);
	return CB_OK;
}

int cb_api_site_update(struct cb_http_req *r, const char *arg)
{
	struct cb_err err = {0};
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	json_t *dis = json_object_get(body, "disabled");
	int rc;
	if (!json_is_boolean(dis))
		cb_api_error(r, 400, "invalid", "disabled: expected true or false");
	else if ((rc = cb_site_set_disabled(cb_api_store(r), arg, json_is_true(dis), &r->user, &err)) != CB_OK)
		cb_api_fail(r, rc, &err);
	else
		cb_api_json(r, 200, json_pack("{s:s, s:b}", "code", arg, "disabled", json_is_true(dis)));
	json_decref(body);
	return CB_OK;
}

int cb_api_site_ok(struct cb_http_req *r, const char *site)
{
	struct cb_err err = {0};
	if (!site || !*site)
		return 0;
	int rc = cb_site_check(cb_api_store(r), site, "site", &err);
	if (rc == CB_OK)
		return 0;
	cb_api_fail(r, rc, &err);
	return -1;
}
