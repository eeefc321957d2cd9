/*
 * test_api.c -- tests of src/http/api.c, api_cases.c and server.c through a real server on 127.0.0.1 (an
 * ephemeral port, in this process), driven by a small HTTP/1.1 client on plain sockets: logins per role,
 * CSRF, cases (create, read, update, stale version), scope (404), limits (413, 400, 415), protected
 * statistics, logout, the audit trail, security headers, a full disk (503).
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "crypto/crypto.h"
#include "http/http.h"
#include "io/io.h"
#include "store/access.h"


/* 400 demo cases, some at SITE and OTHER */
static int demo_cases(struct cb_store *s, struct cb_err *err) { return cb_demo_generate(s, 400, 7, false, err); }

static int setup(void **state)
{
	(void)state;
	return server_up("api.db", demo_cases);
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

static void test_security_headers(void **state)
{
	(void)state;
	const char *paths[] = {"/api/codebook", "/api/nothing", "/"};
	for (int i = 0; i < 3; i++) {
		char v[256];
		struct resp r = http("GET", paths[i], NULL, NULL, NULL, NULL, NULL);
		assert_true(header(&r, "Content-Security-Policy", v, sizeof v));
		assert_string_equal(v, "default-src 'self'");
		assert_true(header(&r, "X-Content-Type-Options", v, sizeof v));
		assert_string_equal(v, "nosniff");
		assert_true(header(&r, "Referrer-Policy", v, sizeof v));
		assert_true(header(&r, "X-Frame-Options", v, sizeof v));
		assert_string_equal(v, "DENY");
		if (!strncmp(paths[i], "/api/", 5)) {
			assert_true(header(&r, "Cache-Control", v, sizeof v));
			assert_string_equal(v, "no-store");
		}
		resp_free(&r);
	}
	struct resp r = http("GET", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "fields")) > 20);
	assert_true(json_array_size(json_object_get(r.json, "dimensions")) > 5);
	resp_free(&r);
	r = http("DELETE", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 405);
	resp_free(&r);
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

static void test_case_lifecycle(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), mg = login_as("mona"), an = login_as("anna"), ot = login_as("otto");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\","
			   " \"first_name\": \"Zoryana\"}";
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

/* No published count is 1..9: counts are perturbed and suppressed below the threshold. */
static void test_stats_protected(void **state)
{
	(void)state;
	struct login an = login_as("anna"), cw = login_as("cara"), mg = login_as("mona");
	struct resp r = http("GET", "/api/stats?by=site,gender&percent=1", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	json_t *cells = json_object_get(r.json, "cells");
	assert_true(json_array_size(cells) > 4);
	int suppressed = 0;
	size_t i;
	json_t *c;
	json_array_foreach(cells, i, c) {
		json_t *n = json_object_get(c, "count");
		if (json_is_null(n)) {
			suppressed++;
			continue;
		}
		json_int_t v = json_integer_value(n);
		assert_true(v == 0 || v >= 10);
	}
	assert_true(suppressed > 0);
	resp_free(&r);
	r = http("GET", "/api/stats?by=year&format=csv", mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	char v[128];
	assert_true(header(&r, "Content-Type", v, sizeof v));
	assert_non_null(strstr(v, "text/csv"));
	resp_free(&r);
	r = http("GET", "/api/stats?by=year&where=gender%20%3D%20Nonsense", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "invalid");
	resp_free(&r);
	r = http("GET", "/api/stats?by=year", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "forbidden");
	resp_free(&r);
	r = http("GET", "/api/stats?by=year&exact=1", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200); /* an unknown parameter changes nothing: no exact counts over HTTP */
	assert_non_null(strstr(r.body, "\"protected\": true"));
	resp_free(&r);
	r = http("GET", "/api/report", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<html"));
	resp_free(&r);
}

/* A case created over HTTP is counted at once: the resident index is kept current. */
static void test_stats_current(void **state)
{
	(void)state;
	struct login cw = login_as("otto"), mg = login_as("mona");
	const char *q = "/api/stats?by=year&where=site%20%3D%20US-HOUSTON%20and%20year%20%3D%201995";
	struct resp r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "\"1995\""));
	resp_free(&r);
	for (int i = 0; i < 30; i++) {
		r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json",
			 "{\"registered_on\": \"1995-01-02\", \"consent_statistics\": true}", NULL);
		if (r.status != 201)
			fprintf(stderr, "%s\n", r.body);
		assert_int_equal(r.status, 201);
		resp_free(&r);
	}
	r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"1995\""));
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

/* The command: `casebank serve` logs one line per request without the query string, and SIGTERM stops it
 * gracefully (exit status 0). */
static void test_serve_command(void **state)
{
	(void)state;
	const char *log = cbt_path("serve.log");
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "exec %s serve '%s' --listen 127.0.0.1:0 2>'%s'", cbt_bin(), dbpath, log);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* the port it chose, from its first line */
	uint16_t saved = port;
	unsigned p = 0;
	for (int i = 0; i < 600 && !p; i++) {
		char *text = cbt_read(log, NULL);
		const char *at = text ? strstr(text, "http://127.0.0.1:") : NULL;
		if (at)
			sscanf(at, "http://127.0.0.1:%u", &p);
		free(text);
		if (!p)
			usleep(50000);
	}
	assert_true(p > 0);
	port = (uint16_t)p;
	struct resp r = http("GET", "/api/codebook?where=Zoryana", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	port = saved;
	assert_int_equal(kill(pid, SIGTERM), 0);
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	char *text = cbt_read(log, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "GET /api/codebook 200 "));
	assert_null(strstr(text, "Zoryana"));
	assert_non_null(strstr(text, "stopping"));
	free(text);
}

/* A full disk: the server logs "disk full" and answers 503 (service unavailable), never 500, to a write and
 * to a read it cannot record.  Needs a small tmpfs, so runs only where this process may mount one (root). */
static char full_mount[512];
static pid_t full_pid; /* the server on it: stopped here too if a test failed before it did */
static void full_umount(void)
{
	char cmd[600];
	if (full_pid > 0 && kill(full_pid, SIGKILL) == 0)
		waitpid(full_pid, NULL, 0);
	full_pid = 0;
	snprintf(cmd, sizeof cmd, "umount -l '%s' 2>/dev/null", full_mount);
	if (full_mount[0] && system(cmd) != 0)
		fprintf(stderr, "could not unmount %s\n", full_mount);
}

static void test_disk_full(void **state)
{
	(void)state;
	snprintf(full_mount, sizeof full_mount, "%s", cbt_path("tmpfs"));
	assert_int_equal(mkdir(full_mount, 0700), 0);
	if (cbt_run(NULL, NULL, "mount -t tmpfs -o size=6m tmpfs '%s'", full_mount) != 0) {
		print_message("cannot mount a tmpfs here: skipped\n");
		return;
	}
	atexit(full_umount);
	char db[600], cmd[2048];
	const char *log = cbt_path("full.log");
	snprintf(db, sizeof db, "%s/f.db", full_mount);
	/* a copy of the test database on the small file system */
	sqlite3 *raw = NULL;
	char sql[1400];
	assert_int_equal(sqlite3_open(dbpath, &raw), SQLITE_OK);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s'", db);
	assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	snprintf(sql, sizeof sql, "%s.casekeys", dbpath);
	assert_int_equal(sqlite3_open(sql, &raw), SQLITE_OK);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s.casekeys'", db);
	assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(cbt_run(NULL, NULL, "cp -p '%s.key' '%s.key' && chmod 600 '%s' '%s.casekeys'", dbpath, db, db, db), 0);

	snprintf(cmd, sizeof cmd, "exec %s serve '%s' --listen 127.0.0.1:0 2>'%s'", cbt_bin(), db, log);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	full_pid = pid;
	uint16_t saved = port;
	unsigned p = 0;
	for (int i = 0; i < 600 && !p; i++) {
		char *text = cbt_read(log, NULL);
		const char *at = text ? strstr(text, "http://127.0.0.1:") : NULL;
		if (at)
			sscanf(at, "http://127.0.0.1:%u", &p);
		free(text);
		if (!p)
			usleep(50000);
	}
	assert_true(p > 0);
	port = (uint16_t)p;
	struct login cw = login_as("cara");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\","
			   " \"first_name\": \"Zoryana\"}";
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
	assert_int_equal(r.status, 201);
	char path[128];
	snprintf(path, sizeof path, "/api/cases/%s", json_string_value(json_object_get(r.json, "case_id")));
	resp_free(&r);

	/* the disk fills up */
	cbt_run(NULL, NULL, "dd if=/dev/zero of='%s/filler' bs=64k", full_mount);
	int status = 201;
	for (int i = 0; i < 200 && status == 201; i++) { /* until the pages SQLite has spare are used up */
		r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
		status = r.status;
		if (status != 201) {
			assert_int_equal(status, 503);
			assert_string_equal(error_code(&r), "unavailable");
		}
		resp_free(&r);
	}
	assert_int_equal(status, 503);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL); /* its audit entry cannot be written */
	assert_int_equal(r.status, 503);
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	port = saved;
	assert_int_equal(kill(pid, SIGTERM), 0);
	waitpid(pid, NULL, 0);
	full_pid = 0;
	char *text = cbt_read(log, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "disk full"));
	assert_null(strstr(text, "database error"));
	assert_null(strstr(text, " 500 "));
	free(text);
	full_umount();
	full_mount[0] = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_each_role), cmocka_unit_test(test_security_headers),
		cmocka_unit_test(test_csrf),            cmocka_unit_test(test_case_lifecycle),
		cmocka_unit_test(test_limits),          cmocka_unit_test(test_stats_protected),
		cmocka_unit_test(test_stats_current),   cmocka_unit_test(test_roles_forbidden),
		cmocka_unit_test(test_logout),          cmocka_unit_test(test_serve_command),
		cmocka_unit_test(test_disk_full),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
