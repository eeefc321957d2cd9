/*
 * test_server_pg.c -- several `casebank serve` processes on one PostgreSQL database (src/http/server.c with
 * the store on a server, src/store/db_pg.c): a session made on one server works on the other, an edit on one
 * makes a stale edit on the other a 409, the audit chain both append to stays one chain, a server whose
 * database is gone answers 503 and comes back by itself; what one server does the other sees (cases,
 * break-the-glass, logout) and failed logins through both add up.  A real cluster (tests/cb_pg.h), real processes.
 */
#define PW "two servers, one database"
#include "http_test.h"

#include "cb_pg.h"
#include "store/audit.h"

#define CASE_FIELDS "\"site\": \"" SITE "\", \"status\": \"Active\""

static const char *uri, *dbname;
static pid_t children[3]; /* stopped however a test ends */

static int stop_children(void **state)
{
	(void)state;
	for (size_t i = 0; i < CB_COUNTOF(children); i++)
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
	return 0;
}

static pid_t serve_on(const char *log, uint16_t *p)
{
	pid_t pid = serve_child(uri, log);
	*p = port;
	for (size_t i = 0; i < CB_COUNTOF(children); i++)
		if (!children[i]) {
			children[i] = pid;
			break;
		}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	for (size_t i = 0; i < CB_COUNTOF(children); i++)
		if (children[i] == pid)
			children[i] = 0;
}

static void test_two_servers(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	uri = cbt_pg_uri("servers", &dbname);
	setenv("CASEBANK_KEY_FILE", cbt_path("master.key"), 1);
	assert_int_equal(cb_store_create(uri, &err), CB_OK);
	assert_int_equal(cb_store_open(uri, 0, &s, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "mona", CB_ROLE_MANAGER, "", PW, NULL, &err), CB_OK);
	cb_store_free(&s);

	uint16_t pa, pb;
	pid_t a = serve_on(cbt_path("a.log"), &pa), b = serve_on(cbt_path("b.log"), &pb);
	port = pa;
	mona = login_as("mona");
	char id[CB_ID_TEXT], p[256], body[256];
	new_case(&mona, CASE_FIELDS, id);
	snprintf(p, sizeof p, "/api/cases/%s", id);

	/* the session made on A is good on B: sessions live in the database */
	port = pb;
	struct resp r = req(&mona, "GET", p, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 1);
	resp_free(&r);

	/* both saw version 1; A's edit lands first, B's is stale */
	port = pa;
	snprintf(body, sizeof body, "{\"version\": 1, \"gender\": \"Feminine\"}");
	assert_int_equal(status_of(&mona, "PATCH", p, body), 200);
	port = pb;
	snprintf(body, sizeof body, "{\"version\": 1, \"gender\": \"Masculine\"}");
	r = req(&mona, "PATCH", p, body);
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "conflict");
	resp_free(&r);
	/* B reads what A wrote */
	r = req(&mona, "GET", p, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "gender")), "Feminine");
	resp_free(&r);

	/* many writes through both at once: the audit chain stays one chain */
	for (int i = 0; i < 20; i++) {
		char nid[CB_ID_TEXT];
		port = i % 2 ? pa : pb;
		new_case(&mona, CASE_FIELDS, nid);
	}
	stop(a);
	stop(b);
	port = pa;
	assert_int_equal(cb_store_open(uri, CB_OPEN_READONLY, &s, &err), CB_OK);
	int64_t checked = 0, bad = -1;
	if (cb_audit_verify(s, &checked, &bad, &err) != CB_OK)
		fail_msg("%s", err.msg);
	assert_true(checked >= 23);
	assert_int_equal(cb_store_count(s), 21);
	cb_store_free(&s);
}

/* The server's connection is cut (as a failover does): the request that finds it gone is a 503, the next
 * one reconnects. */
static void test_connection_cut(void **state)
{
	(void)state;
	assert_non_null(uri);
	uint16_t pa;
	pid_t a = serve_on(cbt_path("c.log"), &pa);
	mona = login_as("mona");
	char kill_sql[300];
	snprintf(kill_sql, sizeof kill_sql,
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid()",
		 dbname);
	cbt_pg_sql("postgres", kill_sql);
	int first = status_of(&mona, "GET", "/api/cases", NULL);
	if (first != 503 && first != 200)
		fail_msg("first request after the cut: %d", first); /* 200 when the request reconnected before its first statement */
	int ok = 0;
	for (int i = 0; i < 5; i++)
		ok += status_of(&mona, "GET", "/api/cases", NULL) == 200;
	assert_int_equal(ok, 5);
	stop(a);
}

/* A failed login of cara's through the server on port p: its status (401; 429 once the address waits). */
static int bad_login(uint16_t p)
{
	port = p;
	struct resp r = http("POST", "/api/login", NULL, NULL, "application/json",
			     "{\"user\": \"cara\", \"password\": \"not her password\"}", NULL);
	int st = r.status;
	resp_free(&r);
	return st;
}

/* Whether B's list (as l) holds case id. */
static bool listed(const struct login *l, const char *id)
{
	struct resp r = req(l, "GET", "/api/cases?per_page=500", NULL);
	bool found = r.status == 200 && r.body && strstr(r.body, id);
	resp_free(&r);
	return found;
}

/* What one server does, the other sees: a case created and moved through A is in B's list and B's counts, a
 * glass broken on A opens the details on B, a logout on A ends the session on B (within the session cache's
 * seconds), and failed logins through A and B add up to one address's wait.  Waits are bounded polls. */
static void test_shared_state(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	uri = cbt_pg_uri("shared", &dbname);
	assert_int_equal(cb_store_create(uri, &err), CB_OK);
	assert_int_equal(cb_store_open(uri, 0, &s, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "mona", CB_ROLE_MANAGER, "", PW, NULL, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "cara", CB_ROLE_CASEWORKER, SITE, PW, NULL, &err), CB_OK);
	cb_store_free(&s);
	uint16_t pa, pb;
	serve_on(cbt_path("sa.log"), &pa);
	serve_on(cbt_path("sb.log"), &pb);

	/* created and moved through A, seen through B */
	port = pa;
	cara = login_as("cara");
	char id[CB_ID_TEXT], p[256];
	new_case(&cara, CASE_FIELDS ", \"first_name\": \"Zoryana\"", id);
	port = pb;
	mona = login_as("mona");
	bool seen = false;
	for (int i = 0; i < 300 && !(seen = listed(&mona, id)); i++)
		usleep(100000);
	assert_true(seen);
	port = pa;
	snprintf(p, sizeof p, "/api/cases/%s/stage", id);
	assert_int_equal(status_of(&cara, "POST", p, "{\"stage\": \"closed\", \"reason\": \"no contact since then\"}"), 200);
	port = pb;
	snprintf(p, sizeof p, "/api/cases/%s", id);
	struct resp r = req(&mona, "GET", p, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "case_stage")), "closed");
	assert_null(json_object_get(r.json, "first_name")); /* a manager, without the glass */
	resp_free(&r);

	/* the glass broken on A opens the case on B */
	port = pa;
	snprintf(p, sizeof p, "/api/cases/%s/glass", id);
	assert_int_equal(status_of(&mona, "POST", p, "{\"reason\": \"court order 2024/117\"}"), 200);
	port = pb;
	snprintf(p, sizeof p, "/api/cases/%s", id);
	r = req(&mona, "GET", p, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Zoryana");
	resp_free(&r);

	/* a logout on A ends the session on B too (B's cache holds it CB_SESSION_CACHE_SECONDS at most) */
	assert_int_equal(status_of(&cara, "GET", "/api/me", NULL), 200);
	port = pa;
	assert_int_equal(status_of(&cara, "POST", "/api/logout", NULL), 204);
	port = pb;
	int st = 200;
	for (int i = 0; i < 300 && (st = status_of(&cara, "GET", "/api/me", NULL)) == 200; i++)
		usleep(100000);
	assert_int_equal(st, 401);

	/* failed logins through A and B count as one address's: three each make six, then it must wait */
	for (int i = 0; i < 6; i++)
		assert_int_equal(bad_login(i % 2 ? pb : pa), 401);
	assert_int_equal(cbt_pg_int(dbname, "SELECT fails FROM login_failures"), 6);
	/* the sixth earned a wait of a second: a slow machine may be past it, and then the next failure doubles it */
	int refused = 0;
	for (int i = 0; i < 10 && !refused; i++)
		refused = bad_login(i % 2 ? pa : pb) == 429;
	assert_true(refused);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_two_servers, stop_children),
		cmocka_unit_test_teardown(test_connection_cut, stop_children),
		cmocka_unit_test_teardown(test_shared_state, stop_children),
	};
	return cmocka_run_group_tests(tests, NULL, stop_children);
}
