/*
 * login.c -- the session resource: log in (an Argon2id check, slowed down for an address that keeps failing
 * as counted in the database, by every server; a new session and its cookie), log out, and who the caller is
 * (/api/me, with the session's CSRF token).
 * A session exists only with its audit entry; a failed login of an account is audited too.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "http/api.h"

static const char *cookie_header(struct cb_http_req *r, const char *token, bool clear)
{
	return cb_arena_printf(r->arena, "cb_session=%s; Path=/; HttpOnly; SameSite=Strict%s%s", token,
			       r->app->tls ? "; Secure" : "", clear ? "; Max-Age=0" : "");
}

int cb_api_login(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *name = json_string_value(json_object_get(body, "user"));
	const char *pw = json_string_value(json_object_get(body, "password"));
	struct cb_err err = {0};
	struct cb_user u;
	struct cb_store *s;
	if (!name || !pw) {
		cb_api_error(r, 400, "invalid", "expected {\"user\": ..., \"password\": ...}");
		goto out;
	}
	/* an address that keeps failing waits, whatever the name: no account is ever locked by others' failures */
	char why[96];
	bool refused = cb_login_refused(cb_api_store(r), r->from, r->now, why, sizeof why) != NULL;
	cb_http_store_put(r->app, r->store); /* logins waiting for a hashing slot hold no store handle */
	r->store = NULL;
	if (refused) {
		cb_api_error(r, 429, "too_many_attempts", why);
		goto out;
	}
	sem_wait(&r->app->pw_slots);
	s = cb_api_store(r);
	int arc = cb_user_authenticate(s, name, pw, r->now, &u, &err);
	sem_post(&r->app->pw_slots);
	if (arc != CB_OK && arc != CB_EPERM) { /* the database failed (a failover: 503): nothing was decided */
		cb_api_fail(r, arc, &err);
		goto out;
	}
	if (arc != CB_OK) {
		struct cb_err e1 = {0};
		if (cb_login_failed(s, r->from, r->now, &e1) != CB_OK) /* the attempt is still answered and audited */
			fprintf(stderr, "casebank serve: failed logins not counted: %s\n", e1.msg);
		/* the attempted name only when it is an account: a password typed into the name field stays out.
		 * A name that is no account makes no entry but a count (audit.c), in the same group commit, so the
		 * answer takes as long either way */
		struct cb_user known;
		struct cb_err e2 = {0};
		if (cb_user_get(s, name, &known, &e2) == CB_OK) {
			r->user = known;
			r->authed = true;
		}
		int frc = cb_api_audit(r, CB_AUD_LOGIN_FAILED, NULL, NULL);
		r->authed = false;
		if (frc != CB_OK) /* an attempt the trail cannot count is not answered as if it had been */
			cb_api_audit_failed(r, frc);
		else
			cb_api_error(r, 401, "login_failed", "wrong name or password, or the account is disabled");
		goto out;
	}
	char token[CB_TOKEN_TEXT];
	struct cb_session sess;
	r->user = u; /* whom the entry names */
	r->authed = true;
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end(r, cb_session_new(s, u.id, r->now, token, &sess, &err), CB_AUD_LOGIN, NULL, NULL, &err);
	if (rc != CB_OK) { /* no session without its entry: none was kept, its token is never sent */
		sodium_memzero(token, sizeof token);
		sodium_memzero(&sess, sizeof sess);
		r->authed = false;
		cb_api_fail(r, rc, &err);
		goto out;
	}
	r->set_cookie = cookie_header(r, token, false);
	sodium_memzero(token, sizeof token);
	json_t *user = cb_api_user_json(&u);
	cb_api_me_lang_add(r, u.id, user); /* the page switches to her language at once */
	cb_api_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", sess.csrf, "user", user));
	sodium_memzero(&sess, sizeof sess);
out:
	json_decref(body); /* jansson's free wipes the password (io/json.c) */
	return CB_OK;
}

/* Ends the caller's session; one that is over already (ended meanwhile, the cache not knowing yet) is no
 * failure. */
static int end_session(struct cb_http_req *r)
{
	int rc = cb_session_end(cb_api_store(r), r->token);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

int cb_api_logout(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	cb_session_cache_drop(r->app->sessions, r->token);
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end(r, end_session(r), CB_AUD_LOGOUT, NULL, NULL, &err);
	r->set_cookie = cookie_header(r, "", true);
	if (rc != CB_OK) {
		/* unlike any other act, ending access is safe unrecorded: the session ends all the same, and the
		 * failure is answered, never a success */
		end_session(r);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	r->status = 204;
	return CB_OK;
}

int cb_api_me(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *doc = cb_api_user_json(&r->user);
	json_object_set_new(doc, "csrf_token", json_string(r->session.csrf));
	cb_api_me_lang_add(r, r->user.id, doc);
	cb_api_json(r, 200, doc);
	return CB_OK;
}
