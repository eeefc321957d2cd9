/*
 * test_transfers.c -- tests of src/http/transfers.c through a real server on 127.0.0.1: managers assign,
 * caseworkers may not; the holding office requests a transfer, the case stays until the receiving office's
 * manager accepts; afterwards the receiving office sees it and the sending office does not; a rejection
 * needs a reason; every step in the trail.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("transfers.db", NULL) ? -1 : logins();
}

static void test_assign_transfer(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], p[256], cp[128];
	new_case(&cara, "\"first_name\": \"Zorilda\"", id);
	snprintf(cp, sizeof cp, "/api/cases/%s", id);
	assert_int_equal(status_of(&cara, "POST", path(p, id, "assign", 0), "{\"user\": \"cara\"}"), 403);
	assert_int_equal(status_of(&mona, "POST", path(p, id, "assign", 0), "{\"user\": \"otto\"}"), 400);
	assert_int_equal(status_of(&mona, "POST", path(p, id, "assign", 0), "{\"user\": \"cara\"}"), 200);
	assert_true(audit_has(id, "case.assign", "mona", "user=cara"));
	/* requested by the holding office */
	assert_int_equal(status_of(&otto, "POST", path(p, id, "transfer", 0), "{\"to\": \"" OTHER "\", \"reason\": \"Safety\"}"), 404);
	assert_int_equal(status_of(&cara, "POST", path(p, id, "transfer", 0), "{\"to\": \"" OTHER "\", \"reason\": \"Nope\"}"), 400);
	struct resp r = req(&cara, "POST", path(p, id, "transfer", 0), "{\"to\": \"" OTHER "\", \"reason\": \"PersonMoved\"}");
	assert_int_equal(r.status, 201);
	long tid = (long)json_integer_value(json_object_get(r.json, "id"));
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "requested");
	resp_free(&r);
	assert_int_equal(status_of(&cara, "POST", path(p, id, "transfer", 0), "{\"to\": \"" OTHER "\", \"reason\": \"Safety\"}"), 409);
	/* until accepted: still cara's office's, not otto's */
	assert_int_equal(status_of(&cara, "GET", cp, NULL), 200);
	assert_int_equal(status_of(&otto, "GET", cp, NULL), 404);
	/* the receiving office's list shows it */
	r = req(&otto, "GET", "/api/transfers", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "incoming")), 1);
	resp_free(&r);
	char tp[64];
	snprintf(tp, sizeof tp, "/api/transfers/%ld", tid);
	/* caseworkers do not decide; a rejection needs a reason */
	assert_int_equal(status_of(&otto, "POST", tp, "{\"decision\": \"accept\"}"), 403);
	assert_int_equal(status_of(&mona, "POST", tp, "{\"decision\": \"reject\"}"), 400);
	assert_int_equal(status_of(&mona, "POST", tp, "{\"decision\": \"accept\"}"), 200);
	assert_int_equal(status_of(&mona, "POST", tp, "{\"decision\": \"accept\"}"), 409);
	assert_int_equal(status_of(&mona, "POST", "/api/transfers/999", "{\"decision\": \"accept\"}"), 404);
	/* moved: the receiving office sees it, the sending office does not; the assignment ended */
	assert_int_equal(status_of(&otto, "GET", cp, NULL), 200);
	assert_int_equal(status_of(&cara, "GET", cp, NULL), 404);
	r = req(&cara, "GET", "/api/cases?mine=1", NULL);
	assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 0);
	resp_free(&r);
	assert_true(audit_has(id, "transfer.request", "cara", "reason=PersonMoved"));
	assert_true(audit_has(id, "transfer.accept", "mona", OTHER));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign_transfer),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
