/*
 * test_cmd_workflow.c -- the command-line contract of src/cli/cmd_workflow.c: `stage` moves or explains the
 * refusal (closing and reopening with a reason, sealed), `followup list --overdue`, `followup done`,
 * `dashboard`; and the casework's statistics dimensions: exact for data managers, not released to analysts.
 */
#include "cli/assist_fixture.h"

static int setup(void **state)
{
	(void)state;
	if (cases_up())
		return -1;
	partners_up();
	placements_up();
	referral_up();
	return 0;
}

static void test_stage(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	/* no screening decision: refused with the reason */
	assert_int_equal(cbt_run(NULL, &err, "%s stage '%s' %s assistance", cbt_bin(), db, ids[2]), 2);
	assert_non_null(strstr(err, "trafficking_status and status_decided_by are missing"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s stage '%s' %s follow_up", cbt_bin(), db, ids[0]), 2);
	assert_non_null(strstr(err, "not a step of the workflow"));
	free(err);
	out = run_ok("stage '%s' %s assistance", db, ids[0]);
	assert_non_null(strstr(out, "assistance"));
	free(out);
	out = run_ok("stage '%s' %s return", db, ids[0]);
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s stage '%s' %s closed", cbt_bin(), db, ids[0]), 2);
	assert_non_null(strstr(err, "needs a reason"));
	free(err);
	out = run_ok("stage '%s' %s closed --reason 'returned home and declined further help'", db, ids[0]);
	assert_non_null(strstr(out, "closed"));
	free(out);
	out = run_ok("stage '%s' %s reopen --reason 'asked for help again after a month'", db, ids[0]);
	assert_non_null(strstr(out, " return"));
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s stage '%s' %s finished", cbt_bin(), db, ids[0]), 2);
	assert_non_null(strstr(err, "reintegration"));
	free(err);
	assert_false(cbt_db_holds(db, "declined further"));
}

static void test_followups_and_dashboard(void **state)
{
	(void)state;
	char *out = NULL;
	out = run_ok("followup add '%s' %s --due 2020-01-01 --note 'ask about the court date'", db, ids[0]);
	assert_string_equal(out, "1\n");
	free(out);
	out = run_ok("followup add '%s' %s --due 2999-01-01", db, ids[2]);
	free(out);
	out = run_ok("followup list '%s' --overdue", db);
	assert_non_null(strstr(out, ids[0]));
	assert_non_null(strstr(out, "2020-01-01"));
	assert_null(strstr(out, ids[2]));
	assert_null(strstr(out, "court"));
	free(out);
	out = run_ok("followup list '%s' --overdue --site MD-BALTI", db);
	assert_null(strstr(out, ids[0]));
	free(out);
	out = run_ok("dashboard '%s'", db);
	assert_non_null(strstr(out, "Open cases by stage (4 open, 0 closed)"));
	assert_non_null(strstr(out, "Overdue follow-ups: 1"));
	assert_non_null(strstr(out, "Casa Mariei"));
	assert_non_null(strstr(out, "1 / 1 ")); /* the completed stay holds no bed */
	assert_null(strstr(out, "OVER CAPACITY"));
	free(out);
	out = run_ok("followup done '%s' 1", db);
	free(out);
	out = run_ok("dashboard '%s' --site MD-CHISINAU", db);
	assert_non_null(strstr(out, "Overdue follow-ups: 0"));
	assert_non_null(strstr(out, "(2 open, 0 closed)"));
	free(out);
}

/* The three dimensions are in the statistics of the records, for a data manager (--exact); they are not
 * in the statistical releases, so an analyst's table can neither show nor filter on them. */
static void test_stats_dimensions(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	out = run_ok("release '%s'", db);
	assert_non_null(strstr(out, "2024: release 1, "));
	free(out);
	assert_int_equal(cbt_run(&out, &err, "%s stats '%s' --by case_stage,assistance_type --format csv", cbt_bin(), db), 2);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "case_stage is not in the statistical releases"));
	free(out);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s stats '%s' --by gender --where 'referral_partner_type = NGO'", cbt_bin(), db),
			 2);
	assert_non_null(strstr(err, "referral_partner_type is not in the statistical releases and cannot be filtered on"));
	free(err);
	/* the released fields answer (four cases: the estimate may well be none) */
	out = run_ok("stats '%s' --by gender --format csv", db);
	assert_int_equal(strncmp(out, "# ", 2), 0);
	assert_non_null(strstr(out, "\ngender,count\n"));
	free(out);
	out = run_ok("stats '%s' --by case_stage,assistance_type --format csv --exact", db);
	assert_non_null(strstr(out, "case_stage,assistance_type,"));
	assert_non_null(strstr(out, "\nreturn,accommodation,1\n")); /* the first case: back home, placed in the shelter */
	free(out);
	out = run_ok("stats '%s' --by referral_partner_type --exact", db);
	assert_non_null(strstr(out, "Health service organisation"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage),
		cmocka_unit_test(test_followups_and_dashboard),
		cmocka_unit_test(test_stats_dimensions),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
