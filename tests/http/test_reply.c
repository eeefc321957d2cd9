/*
 * test_reply.c -- tests of src/http/reply.c: an invalid field named in the error document; and, through
 * `casebank serve` on a full disk, what cannot be written answered 503 (service unavailable, "disk full" in
 * the log), never 500, for a write and for a read whose audit entry cannot be recorded.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int setup(void **state)
{
	(void)state;
	return server_up("reply.db", NULL);
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
	cbt_sqlite_only("a full disk under the database's files (a PostgreSQL server's disk is its own)");
	snprintf(full_mount, sizeof full_mount, "%s", cbt_path("tmpfs"));
	assert_int_equal(mkdir(full_mount, 0700), 0);
	if (cbt_run(NULL, NULL, "mount -t tmpfs -o size=6m tmpfs '%s'", full_mount) != 0) {
		print_message("cannot mount a tmpfs here: skipped\n");
		skip(); /* counted as skipped, not as passed */
	}
	atexit(full_umount);
	char db[600];
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

	uint16_t saved = port;
	pid_t pid = serve_child(db, log);
	full_pid = pid;
	struct login cw = login_as("cara");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\","
			   " \"first_name\": \"Zoryana\", " REG "}";
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

/* A field that fails validation is named in the error document by its codebook name, for the form to put the
 * detail beside it; the value, which may identify the person, is not echoed. */
static void test_invalid_names_the_field(void **state)
{
	(void)state;
	struct login cw = login_as("cara");
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json",
			     "{\"registered_on\": \"2024-03-18\", \"birth_date\": \"Vasylkivna-sometime\"}", NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "invalid");
	assert_string_equal(json_string_value(json_object_get(r.json, "field")), "birth_date");
	assert_null(strstr(r.body, "Vasylkivna"));
	resp_free(&r);
	r = http("GET", "/api/cases?page=x", cw.cookie, NULL, NULL, NULL, NULL); /* no field: a query parameter */
	assert_int_equal(r.status, 400);
	assert_null(json_object_get(r.json, "field"));
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_names_the_field),
		cmocka_unit_test(test_disk_full),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
