/*
 * users.c -- the accounts resource (admins only, by the route's policy): list, add, disable or enable, set a
 * password.  The rules about accounts (password strength, never disabling the last admin or oneself) are the
 * access layer's; this file maps its answers and ends the cached sessions of a changed account.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/api.h"

json_t *cb_api_user_json(const struct cb_user *u)
{
	return json_pack("{s:s, s:s, s:s}", "name", u->name, "role", cb_role_name(u->role), "site", u->site);
}

static int user_entry(const struct cb_user *u, void *ctx)
{
	json_t *o = cb_api_user_json(u);
	json_object_set_new(o, "disabled", json_boolean(u->disabled));
	json_object_set_new(o, "locked", json_boolean(u->locked_until > (int64_t)time(NULL)));
	return json_array_append_new(ctx, o) ? CB_ENOMEM : CB_OK;
}

int cb_api_users_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	json_t *users = json_array();
	int rc = cb_user_list(cb_api_store(r), user_entry, users, &err);
	if (rc != CB_OK) {
		json_decref(users);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "users", users));
	return CB_OK;
}

int cb_api_user_add(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *name = json_string_value(json_object_get(body, "name"));
	const char *role = json_string_value(json_object_get(body, "role"));
	const char *site = json_string_value(json_object_get(body, "site"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	enum cb_role rl;
	struct cb_user u;
	struct cb_err err = {0};
	if (!name || !role || !pw || cb_role_parse(role, &rl) != CB_OK) {
		cb_api_error(r, 400, "invalid", "expected name, role (admin, manager, caseworker, analyst), password");
		goto out;
	}
	/* the password is hashed inside the act's transaction: admins add accounts rarely enough */
	sem_wait(&r->app->pw_slots);
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end(r, cb_user_add(cb_api_store(r), name, rl, site ? site : "", pw, &u, &err), CB_AUD_USER_ADD,
				NULL, NULL, &err);
	sem_post(&r->app->pw_slots);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = cb_api_user_json(&u);
	json_object_set_new(doc, "disabled", json_false());
	cb_api_json(r, 201, doc);
out:
	json_decref(body);
	return CB_OK;
}

int cb_api_user_update(struct cb_http_req *r, const char *arg)
{
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	struct cb_user u;
	struct cb_err err = {0};
	struct cb_store *s = cb_api_store(r);
	json_t *dis = json_object_get(body, "disabled");
	const char *pw = json_string_value(json_object_get(body, "password"));
	int rc = cb_user_get(s, arg, &u, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	if ((dis && !json_is_boolean(dis)) || (!dis && !pw)) {
		cb_api_error(r, 400, "invalid", "expected {\"disabled\": true|false} or {\"password\": \"...\"}");
		goto out;
	}
	enum cb_audit_action act = !dis ? CB_AUD_USER_PASSWORD : json_is_true(dis) ? CB_AUD_USER_DISABLE : CB_AUD_USER_ENABLE;
	if (pw)
		sem_wait(&r->app->pw_slots);
	if ((rc = cb_api_begin(r, &err)) == CB_OK) {
		int done = dis ? cb_user_set_disabled(s, u.id, json_is_true(dis), &r->user, &err) : CB_OK;
		if (done == CB_OK && pw)
			done = cb_user_set_password(s, u.id, pw, &err);
		rc = cb_api_end(r, done, act, NULL, NULL, &err);
	}
	if (pw)
		sem_post(&r->app->pw_slots);
	cb_session_cache_drop_user(r->app->sessions, u.id);
	if (rc != CB_OK || (rc = cb_user_get(s, arg, &u, &err)) != CB_OK)
		goto fail;
	cb_api_json(r, 200, json_pack("{s:s, s:s, s:s, s:b}", "name", u.name, "role", cb_role_name(u.role), "site",
				      u.site, "disabled", u.disabled));
	goto out;
fail:
	cb_api_fail(r, rc, &err);
out:
	json_decref(body);
	return CB_OK;
}
