/*
 * test_login.c -- tests of src/http/login.c through a real server on 127.0.0.1: a login per role, a wrong
 * password, logout (the cookie cleared, the session gone; disabling an account ends its sessions), failed
 * logins slowed down by address, never locking an account, and those of unknown names counted, not audited.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("login.db", NULL);
}

static int login_status(const char *user, const char *password, char *detail, size_t n)
{
	char body[256];
	snprintf(body, sizeof body, "{\"user\": \"%s\", \"password\": \"%s\"}", user, password);
	struct resp r = http("POST", "/api/login", NULL, NULL, "application/json", body, NULL);
	int st = r.status;
	if (detail)
		snprintf(detail, n, "%s", json_string_value(json_object_get(r.json, "detail")));
	resp_free(&r);
	return st;
}

static void test_login_each_role(void **state)
{
	(void)state;
	const char *names[] = {"root", "mona", "cara", "anna"};
	const char *roles[] = {"admin", "manager", "caseworker", "analyst"};
	for (int i = 0; i < 4; i++) {
		struct login l = login_as(names[i]);
		struct resp r = http("GET", "/api/me", l.cookie, NULL, NULL, NULL, NULL);
		assert_int_equal(r.status, 200);
		assert_string_equal(json_string_value(json_object_get(r.json, "role")), roles[i]);
		assert_string_equal(json_string_value(json_object_get(r.json, "csrf_token")), l.csrf);
		resp_free(&r);
	}
	struct resp r = http("POST", "/api/login", NULL, NULL, "application/json",
			     "{\"user\": \"cara\", \"password\": \"wrong password\"}", NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(error_code(&r), "login_failed");
	resp_free(&r);
	r = http("GET", "/api/me", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(error_code(&r), "login_required");
	resp_free(&r);
}

static void test_logout(void **state)
{
	(void)state;
	struct login l = login_as("anna");
	struct resp r = http("POST", "/api/logout", l.cookie, l.csrf, NULL, NULL, NULL);
	assert_int_equal(r.status, 204);
	char sc[256];
	assert_true(header(&r, "Set-Cookie", sc, sizeof sc));
	assert_non_null(strstr(sc, "Max-Age=0"));
	resp_free(&r);
	r = http("GET", "/api/me", l.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
	r = http("GET", "/api/stats?by=year", l.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
	/* disabling a user ends their sessions at once */
	struct login ot = login_as("otto"), ad = login_as("root");
	r = http("GET", "/api/me", ot.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = http("PATCH", "/api/users/otto", ad.cookie, ad.csrf, "application/json", "{\"disabled\": true}", NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = http("GET", "/api/me", ot.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
}

/* Failing logins slow down the address they come from -- after five, it must wait before the next is even
 * checked (429), right password or not -- and never lock the account: its owner, from another address,
 * logs in at once. */
static void test_login_throttled_by_address(void **state)
{
	(void)state;
	char detail[256] = "";
	int i, st = 0;
	client_ip = "127.0.0.2";
	for (i = 0; i < 5; i++)
		assert_int_equal(login_status("cara", "wrong password", NULL, 0), 401);
	for (; i < 12 && (st = login_status("cara", "wrong password", detail, sizeof detail)) == 401; i++)
		;
	assert_int_equal(st, 429);
	assert_non_null(strstr(detail, "try again in"));
	client_ip = NULL;
	assert_int_equal(login_status("cara", PW, NULL, 0), 200);
	client_ip = "127.0.0.2";
	for (i = 0; i < 3 && (st = login_status("cara", PW, NULL, 0)) == 429; i++)
		sleep(1); /* 1 s, 2 s, ...: waits that grow, not a lock */
	client_ip = NULL;
	assert_true(st == 200 || st == 429);
}

/* A failed login of a name that is no account makes no audit entry, only a count; an account's does. */
static void test_unknown_names_not_audited(void **state)
{
	(void)state;
	client_ip = "127.0.0.3";
	long long rows = cbt_sql_int(dbpath, "SELECT count(*) FROM audit");
	assert_int_equal(login_status("no-such-person", "wrong password", NULL, 0), 401);
	assert_int_equal(login_status("correct.horse", "battery staple", NULL, 0), 401);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit"), rows);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT value FROM meta WHERE key = '" CB_AUDIT_UNKNOWN_LOGINS "'"), 2);
	assert_int_equal(login_status("mona", "wrong password", NULL, 0), 401);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit"), rows + 1);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE id = (SELECT max(id) FROM audit)"
				  " AND action = 'login.failed' AND \"user\" = 'mona' AND from_addr = '127.0.0.3'"),
			 1);
	client_ip = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_each_role),
		cmocka_unit_test(test_logout),
		cmocka_unit_test(test_login_throttled_by_address),
		cmocka_unit_test(test_unknown_names_not_audited),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
