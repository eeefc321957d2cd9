/*
 * test_dashboard.c -- tests of src/http/dashboard.c through a real server on 127.0.0.1: an office's counts as
 * each role may see them (a caseworker her own office's, a manager any or all), never an identifying
 * detail.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	if (server_up("dashboard.db", NULL) || logins())
		return -1;
	/* a shelter, so that the dashboard has one to show */
	new_partner("{\"name\": \"Casa Speranta\", \"type\": \"NGO\", \"country\": \"MD\", \"beds\": 12}");
	return 0;
}

static void test_dashboard(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], p[256];
	new_case(&cara, "", id);
	assert_int_equal(status_of(&cara, "POST", path(p, id, "followups", 0), "{\"due_on\": \"2021-05-05\"}"), 201);
	struct resp r = req(&cara, "GET", "/api/dashboard", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "site")), SITE);
	assert_true(json_integer_value(json_object_get(json_object_get(r.json, "by_stage"), "screening")) >= 1);
	assert_true(json_integer_value(json_object_get(r.json, "overdue")) >= 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "months")), CB_DASH_MONTHS);
	assert_true(json_is_array(json_object_get(r.json, "delivered")));
	assert_true(json_is_array(json_object_get(r.json, "shelters")));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = req(&otto, "GET", "/api/dashboard", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "site")), OTHER);
	resp_free(&r);
	assert_int_equal(status_of(&cara, "GET", "/api/dashboard?site=" OTHER, NULL), 403);
	assert_int_equal(status_of(&anna, "GET", "/api/dashboard", NULL), 403);
	assert_int_equal(status_of(&root, "GET", "/api/dashboard", NULL), 403);
	r = req(&mona, "GET", "/api/dashboard", NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(r.json, "site")));
	json_t *sh = json_object_get(r.json, "shelters");
	assert_true(json_array_size(sh) >= 1);
	assert_non_null(json_object_get(json_array_get(sh, 0), "occupied"));
	resp_free(&r);
	r = req(&mona, "GET", "/api/dashboard?site=" OTHER, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashboard),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
