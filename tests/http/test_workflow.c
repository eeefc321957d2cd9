/*
 * test_workflow.c -- tests of src/http/workflow.c through a real server on 127.0.0.1: the workflow's moves
 * and refusals (the rule and what is missing), closing and reopening with a reason, and their audit rows.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("workflow.db", NULL) ? -1 : logins();
}

static void test_stage(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], st[256], cp[128];
	new_case(&cara, "", id);
	path(st, id, "stage", 0);
	struct resp r = req(&cara, "POST", st, "{\"stage\": \"reintegration\"}");
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "refused");
	assert_non_null(strstr(detail(&r), "screening -> reintegration is not a step of the workflow"));
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"assistance\"}");
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(detail(&r), "trafficking_status"));
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"flying\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "case_stage"));
	resp_free(&r);
	r = req(&cara, "POST", st, "{}");
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"closed\", \"reason\": \"short\"}");
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(detail(&r), "reason"));
	resp_free(&r);
	assert_int_equal(status_of(&otto, "POST", st, "{\"stage\": \"assistance\"}"), 404);
	assert_int_equal(status_of(&anna, "POST", st, "{\"stage\": \"assistance\"}"), 404);
	assert_int_equal(status_of(&root, "POST", st, "{\"stage\": \"assistance\"}"), 404);

	/* the screening decision without consent to assistance: refused naming it */
	snprintf(cp, sizeof cp, "/api/cases/%s", id);
	r = req(&cara, "PATCH", cp,
		"{\"version\": 1, \"trafficking_status\": \"ActualVictimOfTrafficking\", \"status_decided_by\": \"NGO\"}");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"assistance\"}");
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "consent_required");
	assert_non_null(strstr(detail(&r), "consent_assistance"));
	resp_free(&r);
	r = req(&cara, "PATCH", cp, "{\"version\": 2, \"consent_assistance\": true}");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"assistance\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "assistance");
	resp_free(&r);
	assert_true(audit_has(id, "case.stage", "cara", "to=assistance"));
	/* a manager closes early with a reason (sealed: the audit entry says so, never the text) */
	r = req(&mona, "POST", st, "{\"stage\": \"closed\", \"reason\": \"moved abroad, Zoryana\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "closed");
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "Closed");
	resp_free(&r);
	assert_true(audit_has(id, "case.stage", "mona", "reason=sealed"));
	assert_false(audit_has(id, "case.stage", "mona", "Zoryana"));
	r = req(&cara, "POST", st, "{\"stage\": \"reopen\", \"reason\": \"came back for help\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "assistance");
	resp_free(&r);
	assert_true(audit_has(id, "case.reopen", "cara", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
