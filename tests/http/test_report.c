/*
 * test_report.c -- tests of src/http/report.c through a real server on 127.0.0.1: the standard report from the
 * releases as a page and as a workbook (a download), for managers and analysts only, each one audited with
 * its format; a format it does not make is 400.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("report.db", demo_cases) ? -1 : logins();
}

static void test_html(void **state)
{
	(void)state;
	long long before = cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'report' AND fields = 'html'");
	struct resp r = req(&anna, "GET", "/api/report", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<html"));
	assert_non_null(strstr(r.body, "differentially private releases"));
	char v[128];
	assert_true(header(&r, "Content-Type", v, sizeof v));
	assert_non_null(strstr(v, "text/html"));
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'report' AND fields = 'html'"),
			 before + 1);
}

static void test_xlsx(void **state)
{
	(void)state;
	struct resp r = req(&mona, "GET", "/api/report?format=xlsx", NULL);
	assert_int_equal(r.status, 200);
	char v[128];
	assert_true(header(&r, "Content-Disposition", v, sizeof v));
	assert_non_null(strstr(v, "attachment"));
	assert_non_null(strstr(v, ".xlsx"));
	assert_int_equal(strncmp(r.body, "PK", 2), 0); /* a workbook is a zip file */
	resp_free(&r);
	assert_true(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'report' AND fields = 'xlsx'"
				" AND \"user\" = 'mona'") == 1);
}

static void test_refused(void **state)
{
	(void)state;
	struct resp r = req(&anna, "GET", "/api/report?format=pdf", NULL);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "html, csv or xlsx"));
	resp_free(&r);
	assert_int_equal(status_of(&cara, "GET", "/api/report", NULL), 403);
	assert_int_equal(status_of(&root, "GET", "/api/report", NULL), 403);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
