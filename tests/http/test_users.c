/*
 * test_users.c -- tests of src/http/users.c through a real server on 127.0.0.1: the accounts resource, for
 * admins only, and the rule that an admin cannot disable her own account.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("users.db", NULL);
}

/* An admin cannot disable her own account (nor the last admin be disabled): 403, and she stays in. */
static void test_admin_cannot_disable_herself(void **state)
{
	(void)state;
	struct login ad = login_as("root");
	struct resp r = http("PATCH", "/api/users/root", ad.cookie, ad.csrf, "application/json", "{\"disabled\": true}", NULL);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "own account"));
	resp_free(&r);
	r = http("GET", "/api/me", ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = http("GET", "/api/users", ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "{\"name\":\"root\",\"role\":\"admin\",\"site\":\"\",\"disabled\":false"));
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admin_cannot_disable_herself),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
