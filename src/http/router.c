/*
 * router.c -- what every request goes through before its handler: the route (the table generated from
 * include/tbl/cb_routes.h), the session cookie, the CSRF token of a state-changing request, and the access
 * policy's answer for the caller's role.  A handler runs only once all of them said yes; a record's office
 * it checks itself (cb_api_check), since only it knows the record.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "http/api.h"
#include "util/i18n.h"

const struct cb_route cb_routes[] = {
#define CB_ROUTE(method, pattern, action, handler) {#method, pattern, action, cb_api_##handler},
#include "tbl/cb_routes.h"
#undef CB_ROUTE
};
const size_t cb_nroutes = CB_COUNTOF(cb_routes);

/* Does path match pattern?  Each "{}" matches one non-empty segment; they are copied into arg, joined by
 * '/' when there are two (case id and record id). */
static bool match(const char *pattern, const char *path, char *arg, size_t n)
{
	if (!strcmp(pattern, "*"))
		return strncmp(path, "/api/", 5) && strcmp(path, "/api");
	size_t o = 0;
	arg[0] = 0;
	while (*pattern) {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t len = strcspn(path, "/");
			if (len == 0 || o + len + 1 >= n)
				return false;
			if (o)
				arg[o++] = '/';
			memcpy(arg + o, path, len);
			arg[o += len] = 0;
			path += len;
			pattern += 2;
		} else if (*pattern++ != *path++) {
			return false;
		}
	}
	return *path == 0;
}

int cb_http_route(const char *method, const char *path, const struct cb_route **route, char *arg, size_t n)
{
	bool path_known = false;
	const char *m = strcmp(method, "HEAD") ? method : "GET";
	for (size_t i = 0; i < cb_nroutes; i++) {
		char tmp[128];
		if (!match(cb_routes[i].pattern, path, tmp, sizeof tmp))
			continue;
		path_known = true;
		if (strcmp(cb_routes[i].method, m))
			continue;
		snprintf(arg, n, "%s", strstr(cb_routes[i].pattern, "{}") ? tmp : "");
		*route = &cb_routes[i];
		return 0;
	}
	return path_known ? 405 : 404;
}

/* ---- the session */

/* CB_OK, or the store's failure when it could not say whether the session is good (an unreachable database
 * server, a full disk): then the answer is 503, not 401, so that clients keep their session. */
static int load_session(struct cb_http_req *r)
{
	int rc = CB_OK;
	char token[CB_TOKEN_TEXT];
	if (cb_http_cookie(r->cookie, "cb_session", token, sizeof token) != CB_OK)
		return CB_OK;
	struct cb_err err = {0};
	/* with the audit writer, the check writes nothing; last_seen goes to the writer (sessions.c) */
	struct cb_auditq *aq = r->app->audit;
	if (cb_session_cache_get(r->app->sessions, token, r->now, &r->session, &r->user)) {
		r->authed = true;
	} else if ((rc = (aq ? cb_session_lookup : cb_session_check)(cb_api_store(r), token, r->now, &r->session,
								      &r->user, &err)) == CB_OK) {
		r->authed = true;
		cb_session_cache_put(r->app->sessions, token, r->now, &r->session, &r->user);
	} else if (rc == CB_EUNAVAIL || rc == CB_EFULL) {
		sodium_memzero(token, sizeof token);
		return rc;
	} else {
		rc = CB_OK;
		cb_session_cache_drop(r->app->sessions, token); /* ended, expired or disabled meanwhile */
	}
	uint8_t h[32];
	if (r->authed && aq && cb_session_cache_touch(r->app->sessions, token, r->now, h))
		cb_auditq_touch(aq, h, r->now);
	if (r->authed)
		memcpy(r->token, token, sizeof token);
	sodium_memzero(token, sizeof token);
	return rc;
}

static bool csrf_ok(const struct cb_http_req *r)
{
	size_t n = strlen(r->session.csrf);
	return r->csrf && n > 0 && strlen(r->csrf) == n && sodium_memcmp(r->csrf, r->session.csrf, n) == 0;
}

void cb_api_handle(struct cb_http_req *r)
{
	const struct cb_route *rt;
	char arg[128];
	cb_api_lang_choose(r); /* before any answer, refusals included */
	int st = cb_http_route(r->method, r->path, &rt, arg, sizeof arg);
	if (st == 405) {
		cb_api_error(r, 405, "method_not_allowed", "this path does not take that method");
		return;
	}
	if (st) {
		cb_api_error(r, 404, "not_found", "no such path");
		return;
	}
	struct cb_principal p;
	if (cb_authz_check(NULL, rt->action, NULL) != 0) { /* not anonymous: a session is needed */
		int lrc = load_session(r);
		if (lrc != CB_OK) {
			cb_api_fail(r, lrc, NULL);
			return;
		}
		if (!r->authed) {
			cb_api_refuse(r, 401);
			return;
		}
		/* every state-changing request carries the session's CSRF token */
		if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") && !csrf_ok(r)) {
			cb_api_error(r, 403, "csrf", "send the session's token in X-CSRF-Token");
			return;
		}
		cb_api_principal(r, &p);
		/* record actions are decided by the handler, which knows the record's office */
		if (!cb_action_is_record(rt->action) && (st = cb_authz_check(&p, rt->action, NULL)) != 0) {
			cb_api_refuse(r, st);
			return;
		}
	}
	rt->handler(r, arg);
	cb_lang_use(NULL); /* the thread serves others next */
}
