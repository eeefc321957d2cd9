/*
 * test_cases.c -- tests of src/http/cases.c through a real server on 127.0.0.1: create, read (identifying
 * details by role, scope as 404), update (stale version 409, moves and identifying details refused), break
 * the glass, the case list and its search, the audit trail of it all; and bodies that are refused (400, 413,
 * 415).
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("cases.db", NULL);
}

static void test_case_lifecycle(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), mg = login_as("mona"), an = login_as("anna"), ot = login_as("otto");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\","
			   " \"first_name\": \"Zoryana\", " REG "}";
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
	assert_int_equal(r.status, 201);
	char id[CB_ID_TEXT], path[128], patch[256];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "case_id")));
	assert_int_equal(strlen(id), 26);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 1);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/cases/%s", id);

	/* the caseworker of the office reads identifying details */
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Zoryana");
	resp_free(&r);
	/* a manager reads coded fields only */
	r = http("GET", path, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "first_name"));
	assert_string_equal(json_string_value(json_object_get(r.json, "gender")), "Feminine");
	resp_free(&r);
	/* an analyst and another office's caseworker cannot confirm it exists */
	r = http("GET", path, an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = http("GET", path, ot.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);

	/* update, then a stale version */
	snprintf(patch, sizeof patch, "{\"version\": 1, \"gender\": \"Masculine\"}");
	r = http("PATCH", path, cw.cookie, cw.csrf, "application/json", patch, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
	assert_string_equal(json_string_value(json_object_get(r.json, "gender")), "Masculine");
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Zoryana");
	resp_free(&r);
	r = http("PATCH", path, mg.cookie, mg.csrf, "application/json", "{\"version\": 1, \"gender\": \"Feminine\"}",
		 NULL);
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "conflict");
	resp_free(&r);
	/* a manager may not change identifying details without breaking the glass; a caseworker may not move a
	 * case to another office */
	r = http("PATCH", path, mg.cookie, mg.csrf, "application/json", "{\"version\": 2, \"first_name\": \"X\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("PATCH", path, cw.cookie, cw.csrf, "application/json", "{\"version\": 2, \"site\": \"" OTHER "\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("PATCH", path, ot.cookie, ot.csrf, "application/json", "{\"version\": 2, \"gender\": \"Feminine\"}", NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);

	/* break the glass: then the manager sees identifying details */
	char gpath[160];
	snprintf(gpath, sizeof gpath, "%s/glass", path);
	r = http("POST", gpath, mg.cookie, mg.csrf, "application/json", "{\"reason\": \"short\"}", NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = http("POST", gpath, cw.cookie, cw.csrf, "application/json", "{\"reason\": \"court order 2024/117\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("POST", gpath, mg.cookie, mg.csrf, "application/json", "{\"reason\": \"court order 2024/117\"}", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(json_object_get(r.json, "until"));
	resp_free(&r);
	r = http("GET", path, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Zoryana");
	resp_free(&r);

	/* the caseworker's list holds the case, another office's does not */
	r = http("GET", "/api/cases?per_page=500", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, id));
	assert_null(strstr(r.body, OTHER));
	resp_free(&r);
	char q[64];
	snprintf(q, sizeof q, "/api/cases?q=%.5s", id);
	r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, id));
	resp_free(&r);
	r = http("GET", "/api/cases", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);

	/* the audit trail names the identifying fields read, never their values */
	struct login ad = login_as("root");
	char apath[128];
	snprintf(apath, sizeof apath, "/api/audit?case_id=%s", id);
	r = http("GET", apath, ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"case.read\""));
	assert_non_null(strstr(r.body, "\"first_name\""));
	assert_non_null(strstr(r.body, "\"case.update\""));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = http("GET", path, ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);
}

static void test_limits(void **state)
{
	(void)state;
	struct login cw = login_as("cara");
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", "{\"site\": ", NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "bad_json");
	resp_free(&r);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", "[1, 2]", NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "text/plain", "{}", NULL);
	assert_int_equal(r.status, 415);
	resp_free(&r);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", "{\"gender\": \"Unheard\"}", NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "invalid");
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "gender"));
	resp_free(&r);
	/* too large: announced by Content-Length, and sent without one (chunked) */
	size_t big = CB_HTTP_BODY_MAX + 10;
	char *body = malloc(big + 1);
	memset(body, ' ', big);
	body[0] = '{';
	body[big - 1] = '}';
	body[big] = 0;
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
	assert_int_equal(r.status, 413);
	assert_string_equal(error_code(&r), "too_large");
	resp_free(&r);
	free(body);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", NULL,
		 "Content-Length: 99999999999999999999\r\n");
	assert_true(r.status == 413 || r.status == 400);
	resp_free(&r);
	r = http("GET", "/api/cases?page=x", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = http("GET", "/api/cases?page=%zz", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_lifecycle),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
