/*
 * test_request.c -- tests of src/http/request.c (the audit entries of reads and writes, and what answers
 * their failure) through a real server on 127.0.0.1: a read whose audit entry cannot be written is refused and
 * shows nothing; a write whose entry fails is not kept (the two share one transaction) and is answered with a
 * 5xx; a login whose entry fails opens no session.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("request.db", demo_cases);
}

/* A read whose audit entry cannot be written is refused (5xx) and shows nothing; a write whose entry fails
 * is not kept and is answered with a 5xx; a login whose entry fails opens no session. */
static void test_audit_failure_fails_the_act(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), an = login_as("anna");
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json",
			     "{\"site\": \"" SITE "\", \"registered_on\": \"2024-05-02\", \"first_name\": \"Quillonia\","
			     " \"gender\": \"Feminine\", " REG "}",
			     NULL);
	assert_int_equal(r.status, 201);
	char id[CB_ID_TEXT], path[160];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "case_id")));
	resp_free(&r);
	snprintf(path, sizeof path, "/api/cases/%s/followups", id);
	r = http("POST", path, cw.cookie, cw.csrf, "application/json",
		 "{\"due_on\": \"2030-01-02\", \"note\": \"meet at Brackenwold shelter\"}", NULL);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	long long reads = cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read'");

	/* a case read */
	cbt_refuse_audit(dbpath, "case.read");
	snprintf(path, sizeof path, "/api/cases/%s", id);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "Quillonia"));
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read'"), reads);

	/* a list of follow-ups with their notes */
	cbt_refuse_audit(dbpath, "followup.read");
	snprintf(path, sizeof path, "/api/cases/%s/followups", id);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "Brackenwold"));
	resp_free(&r);

	/* a statistics report */
	cbt_refuse_audit(dbpath, "report");
	r = http("GET", "/api/report", an.cookie, NULL, NULL, NULL, NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "<table"));
	resp_free(&r);

	/* a change: not kept, and answered with a 5xx, not with the case */
	cbt_refuse_audit(dbpath, "case.update");
	snprintf(path, sizeof path, "/api/cases/%s", id);
	r = http("PATCH", path, cw.cookie, cw.csrf, "application/json", "{\"version\": 1, \"children\": 2}", NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "Quillonia"));
	resp_free(&r);

	/* a new record of the casework: not stored either */
	cbt_refuse_audit(dbpath, "followup.add");
	long long followups = cbt_sql_int(dbpath, "SELECT count(*) FROM followups");
	snprintf(path, sizeof path, "/api/cases/%s/followups", id);
	r = http("POST", path, cw.cookie, cw.csrf, "application/json", "{\"due_on\": \"2030-02-03\"}", NULL);
	assert_true(r.status >= 500);
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM followups"), followups);
	snprintf(path, sizeof path, "/api/cases/%s", id);

	/* a login: no session is left behind, no cookie is sent */
	cbt_refuse_audit(dbpath, "login");
	long long sessions = cbt_sql_int(dbpath, "SELECT count(*) FROM sessions");
	r = http("POST", "/api/login", NULL, NULL, "application/json", "{\"user\": \"mona\", \"password\": \"" PW "\"}",
		 NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.head, "cb_session="));
	assert_null(strstr(r.body, "csrf_token"));
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM sessions"), sessions);

	/* once the trail takes entries again, the same read is answered and recorded */
	cbt_refuse_audit(dbpath, NULL);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Quillonia");
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read'"), reads + 1);
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE children = 2 AND case_id = "
		 "(SELECT case_id FROM audit WHERE action = 'case.create' ORDER BY id DESC LIMIT 1)");
	assert_int_equal(cbt_sql_int(dbpath, sql), 0);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE version = 1 AND case_id = "
		 "(SELECT case_id FROM audit WHERE action = 'case.create' ORDER BY id DESC LIMIT 1)");
	assert_int_equal(cbt_sql_int(dbpath, sql), 1);
	/* and the change, sent again, is kept with its entry */
	long long updates = cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.update'");
	r = http("PATCH", path, cw.cookie, cw.csrf, "application/json", "{\"version\": 1, \"children\": 2}", NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.update'"), updates + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_failure_fails_the_act),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
