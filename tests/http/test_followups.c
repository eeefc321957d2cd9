/*
 * test_followups.c -- tests of src/http/followups.c through a real server on 127.0.0.1: a case's follow-ups
 * (plan, list, mark done; notes only for whoever may see identifying details) and an office's overdue ones.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("followups.db", NULL) ? -1 : logins();
}

static void test_followups(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], p[256], list[256];
	new_case(&cara, "", id);
	path(list, id, "followups", 0);
	struct resp r = req(&cara, "POST", list, "{\"due_on\": \"2020-01-01\", \"note\": \"call Zoryana\"}");
	assert_int_equal(r.status, 201);
	long fid = (long)json_integer_value(json_object_get(r.json, "id"));
	assert_true(json_is_true(json_object_get(r.json, "overdue")));
	resp_free(&r);
	assert_int_equal(status_of(&cara, "POST", list, "{\"note\": \"no date\"}"), 400);
	assert_int_equal(status_of(&otto, "POST", list, "{\"due_on\": \"2020-01-01\"}"), 404);
	assert_int_equal(status_of(&anna, "GET", list, NULL), 404);
	r = req(&cara, "GET", list, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "call Zoryana"));
	resp_free(&r);
	r = req(&mona, "GET", list, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);

	/* overdue: a caseworker's own office; managers every office (or one); never a note */
	r = req(&cara, "GET", "/api/followups/overdue", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, id));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = req(&otto, "GET", "/api/followups/overdue", NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, id));
	resp_free(&r);
	assert_int_equal(status_of(&otto, "GET", "/api/followups/overdue?site=" SITE, NULL), 403);
	assert_int_equal(status_of(&anna, "GET", "/api/followups/overdue", NULL), 403);
	assert_int_equal(status_of(&root, "GET", "/api/followups/overdue", NULL), 403);
	r = req(&mona, "GET", "/api/followups/overdue?site=" SITE, NULL);
	assert_non_null(strstr(r.body, id));
	resp_free(&r);
	r = req(&mona, "GET", "/api/followups/overdue?site=" OTHER, NULL);
	assert_null(strstr(r.body, id));
	resp_free(&r);

	/* done: no longer overdue */
	assert_int_equal(status_of(&otto, "PATCH", path(p, id, "followups", fid), "{}"), 404);
	r = req(&cara, "PATCH", path(p, id, "followups", fid), "{\"done_on\": \"2020-01-02\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "done_on")), "2020-01-02");
	resp_free(&r);
	assert_int_equal(status_of(&cara, "PATCH", path(p, id, "followups", fid + 100), "{}"), 404);
	r = req(&cara, "GET", "/api/followups/overdue", NULL);
	assert_null(strstr(r.body, id));
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_followups),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
