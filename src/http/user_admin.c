/*
 * user_admin.c -- what an administrator does to an account besides adding, disabling and setting a password
 * (users.c): POST /api/users/{name}/unlock, and POST /api/users/{name}/role {"role", "site"}.  Both end the
 * account's cached sessions and are audited.
 */
#include <string.h>

#include "http/api.h"

static json_t *user_doc(const struct cb_user *u)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", u->name, "role", cb_role_name(u->role), "site", u->site,
			 "disabled", u->disabled, "locked", 0);
}

int cb_api_user_unlock(struct cb_http_req *r, const char *arg)
{
	struct cb_user u;
	struct cb_err err = {0};
	struct cb_store *s = cb_api_store(r);
	int rc = cb_user_get(s, arg, &u, &err);
	if (rc == CB_OK)
		rc = cb_user_unlock(s, u.id, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_session_cache_drop_user(r->app->sessions, u.id);
	if ((rc = cb_api_audit(r, CB_AUD_USER_UNLOCK, NULL, NULL)) != CB_OK) {
		cb_api_audit_failed(r, rc);
		return CB_OK;
	}
	cb_api_json(r, 200, user_doc(&u));
	return CB_OK;
}

int cb_api_user_role(struct cb_http_req *r, const char *arg)
{
	struct cb_user u;
	struct cb_err err = {0};
	enum cb_role role;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *rn = json_string_value(json_object_get(body, "role"));
	const char *site = json_string_value(json_object_get(body, "site"));
	struct cb_store *s = cb_api_store(r);
	int rc = cb_user_get(s, arg, &u, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	if (!rn || cb_role_parse(rn, &role) != CB_OK) {
		cb_api_error(r, 400, "invalid", "role: choose administrator, manager, caseworker or analyst");
		goto out;
	}
	if ((rc = cb_user_set_role(s, u.id, role, site, &r->user, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	cb_session_cache_drop_user(r->app->sessions, u.id);
	if ((rc = cb_api_audit(r, CB_AUD_USER_ROLE, NULL, NULL)) != CB_OK) {
		cb_api_audit_failed(r, rc);
		goto out;
	}
	s = cb_api_store(r); /* cb_api_audit gave the handle back to the pool while it waited */
	if ((rc = cb_user_get(s, arg, &u, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	cb_api_json(r, 200, user_doc(&u));
out:
	json_decref(body);
	return CB_OK;
}
