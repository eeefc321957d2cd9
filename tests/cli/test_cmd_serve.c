/*
 * test_cmd_serve.c -- tests of src/cli/cmd_serve.c: `casebank serve` logs one line per request without the
 * query string, and SIGTERM stops it gracefully.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include <signal.h>
#include <sys/wait.h>

static int setup(void **state)
{
	(void)state;
	return server_up("serve.db", NULL);
}

/* The command: `casebank serve` logs one line per request without the query string, and SIGTERM stops it
 * gracefully (exit status 0). */
static void test_serve_command(void **state)
{
	(void)state;
	const char *log = cbt_path("serve.log");
	uint16_t saved = port;
	pid_t pid = serve_child(dbpath, log);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_command),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
