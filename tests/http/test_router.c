/*
 * test_router.c -- tests of src/http/router.c and the route table of include/tbl/cb_routes.h: every route is
 * reached by a path of its own pattern (no row shadows another), an unknown path is 404 and a known path with
 * another method 405, every route but the anonymous ones wants a session (401) and a state-changing request
 * the session's CSRF token, and the role check runs before any handler.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include "http/api.h"

static int setup(void **state)
{
	(void)state;
	return server_up("router.db", NULL);
}

/* A path of the pattern: each "{}" replaced by a segment ("ABC" for the first, "7" for the second). */
static void concrete(const char *pattern, char *out, size_t n)
{
	size_t o = 0;
	int seg = 0;
	if (!strcmp(pattern, "*")) {
		snprintf(out, n, "/index.html");
		return;
	}
	for (const char *p = pattern; *p && o + 4 < n; p++) {
		if (p[0] == '{' && p[1] == '}') {
			o += (size_t)snprintf(out + o, n - o, "%s", seg++ ? "7" : "ABC");
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = 0;
}

/* Each row is the route its own path finds (none is hidden by an earlier row), with the "{}" segments as
 * the handler's argument; HEAD finds the GET row; the table ends with the web interface's catch-all. */
static void test_every_route_reachable(void **state)
{
	(void)state;
	assert_true(cb_nroutes > 20);
	assert_string_equal(cb_routes[cb_nroutes - 1].pattern, "*");
	for (size_t i = 0; i < cb_nroutes; i++) {
		const struct cb_route *rt = NULL;
		char path[160], arg[128];
		concrete(cb_routes[i].pattern, path, sizeof path);
		assert_non_null(cb_routes[i].handler);
		assert_true((unsigned)cb_routes[i].action < CB_ACT__COUNT);
		if (cb_http_route(cb_routes[i].method, path, &rt, arg, sizeof arg) != 0 || rt != &cb_routes[i])
			fail_msg("%s %s is not reached by %s", cb_routes[i].method, cb_routes[i].pattern, path);
		const char *want = strstr(cb_routes[i].pattern, "{}/") && strstr(strstr(cb_routes[i].pattern, "{}") + 2, "{}")
					   ? "ABC/7"
				   : strstr(cb_routes[i].pattern, "{}") ? "ABC"
									  : "";
		assert_string_equal(arg, want);
		if (!strcmp(cb_routes[i].method, "GET")) {
			assert_int_equal(cb_http_route("HEAD", path, &rt, arg, sizeof arg), 0);
			assert_ptr_equal(rt, &cb_routes[i]);
		}
	}
}

/* Unknown paths are 404, known paths with a method no row has 405, as before the table was generated. */
static void test_unknown_path_and_method(void **state)
{
	(void)state;
	const struct cb_route *rt;
	char arg[128];
	const char *methods[] = {"DELETE", "PUT", "OPTIONS", "BREW"};
	for (size_t i = 0; i < cb_nroutes; i++) {
		char path[160];
		concrete(cb_routes[i].pattern, path, sizeof path);
		for (size_t m = 0; m < CB_COUNTOF(methods); m++)
			assert_int_equal(cb_http_route(methods[m], path, &rt, arg, sizeof arg), 405);
	}
	assert_int_equal(cb_http_route("GET", "/api/nothing", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("GET", "/api", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("GET", "/api/cases/ABC/nothing", &rt, arg, sizeof arg), 404);
	assert_int_equal(cb_http_route("POST", "/api/cases/ABC/stage/7", &rt, arg, sizeof arg), 404);

	struct resp r = http("GET", "/api/nothing", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_string_equal(error_code(&r), "not_found");
	resp_free(&r);
	r = http("DELETE", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 405);
	assert_string_equal(error_code(&r), "method_not_allowed");
	char allow[64];
	assert_true(header(&r, "Allow", allow, sizeof allow));
	resp_free(&r);
}

/* Over the server, without a session: every route but login, the codebook and the web files answers 401
 * before its handler runs (a state-changing one before its CSRF token is even looked at); the OpenRosa
 * routes answer 401 with the HTTP Basic challenge (they take no session). */
static void test_session_required(void **state)
{
	(void)state;
	for (size_t i = 0; i < cb_nroutes; i++) {
		char path[160];
		concrete(cb_routes[i].pattern, path, sizeof path);
		bool anonymous = cb_routes[i].action == CB_ACT_LOGIN || cb_routes[i].action == CB_ACT_CODEBOOK ||
				 cb_routes[i].action == CB_ACT_STATIC;
		struct resp r = http(cb_routes[i].method, path, NULL, NULL, "application/json", "{}", NULL);
		if (cb_routes[i].action == CB_ACT_OPENROSA) { /* ODK clients: HTTP Basic, challenged */
			char v[128];
			assert_int_equal(r.status, 401);
			assert_true(header(&r, "WWW-Authenticate", v, sizeof v));
		} else if (anonymous) {
			assert_int_not_equal(r.status, 401);
		} else {
			if (r.status != 401)
				fail_msg("%s %s: %d without a session", cb_routes[i].method, path, r.status);
			assert_string_equal(error_code(&r), "login_required");
		}
		resp_free(&r);
	}
}

static void test_csrf(void **state)
{
	(void)state;
	struct login l = login_as("cara");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\"}";
	struct resp r = http("POST", "/api/cases", l.cookie, NULL, "application/json", body, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "csrf");
	resp_free(&r);
	r = http("POST", "/api/cases", l.cookie, "not-the-token", "application/json", body, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "csrf");
	resp_free(&r);
	r = http("POST", "/api/logout", l.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
}

static void test_roles_forbidden(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), ad = login_as("root");
	struct resp r = http("GET", "/api/users", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("GET", "/api/users", ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"cara\""));
	assert_null(strstr(r.body, PW));
	resp_free(&r);
	r = http("POST", "/api/cases", ad.cookie, ad.csrf, "application/json", "{\"site\": \"" SITE "\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("GET", "/api/audit", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_reachable), cmocka_unit_test(test_unknown_path_and_method),
		cmocka_unit_test(test_session_required),      cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_roles_forbidden),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
