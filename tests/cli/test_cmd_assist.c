/*
 * test_cmd_assist.c -- the command-line contract of src/cli/cmd_partner.c, cmd_assist.c and cmd_workflow.c (one
 * database, the steps building on each other): `partner add` prints the new id, `assist add` warns on stderr
 * when a shelter would be over capacity (and stores the record), `refer` exits
 * 4 naming consent_share_partners and `--override-consent` is recorded, `stage` moves or explains the
 * refusal, `followup list --overdue`, `dashboard`, and the new statistics dimensions: exact for data managers,
 * not released to analysts.
 */
#include "cb_test.h"

#define NOTE "Tavrelka says the landlord kept her passport"

static char db[512];
static char ids[4][32];

/* Runs casebank with the given arguments; fails the test unless it exits 0.  Returns stdout. */
static char *run_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *run_ok(const char *fmt, ...)
{
	char *out = NULL, *err = NULL, cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = cbt_run(&out, &err, "%s %s", cbt_bin(), cmd);
	if (rc != 0)
		fail_msg("casebank %s: exit %d: %s", cmd, rc, err ? err : "");
	free(err);
	return out;
}

/* One database for the file: four cases, one with consents, one without. */
static int setup(void **state)
{
	(void)state;
	char *out = NULL;
	snprintf(db, sizeof db, "%s", cbt_path("cli.db"));
	unsetenv("CASEBANK_KEY_FILE");
	if (cbt_run(NULL, NULL, "%s init '%s'", cbt_bin(), db) != 0)
		return -1;
	static const char *const cases[] = {
		"{\"site\":\"MD-CHISINAU\",\"registered_on\":\"2024-03-01\",\"trafficking_status\":\"ActualVictimOfTrafficking\","
		"\"status_decided_by\":\"NGO\",\"consent_assistance\":true,\"consent_share_partners\":true,\"consent_statistics\":true}",
		"{\"site\":\"MD-CHISINAU\",\"registered_on\":\"2024-03-02\",\"consent_share_partners\":false,\"consent_statistics\":true}",
		"{\"site\":\"MD-BALTI\",\"registered_on\":\"2024-03-03\",\"consent_statistics\":true}",
		"{\"site\":\"MD-BALTI\",\"registered_on\":\"2024-03-04\",\"consent_statistics\":true}",
	};
	for (int i = 0; i < 4; i++) {
		if (cbt_run(&out, NULL, "echo '%s' | %s add '%s'", cases[i], cbt_bin(), db) != 0)
			return -1;
		snprintf(ids[i], sizeof ids[i], "%.26s", out);
		free(out);
	}
	return 0;
}

static void test_partner_add_list(void **state)
{
	(void)state;
	char *out = run_ok("partner add '%s' --name 'Casa Mariei' --type NGO --country MD --services accommodation,psychosocial"
			   " --beds 1 --serves MD,UA", db);
	assert_string_equal(out, "1\n");
	free(out);
	out = run_ok("partner add '%s' --name 'Clinica Sf. Pantelimon' --type HealthServiceOrganisation --country RO", db);
	assert_string_equal(out, "2\n");
	free(out);
	out = run_ok("partner list '%s' --service accommodation --country UA", db);
	assert_non_null(strstr(out, "Casa Mariei"));
	assert_null(strstr(out, "Pantelimon"));
	free(out);
	char *err = NULL;
	assert_int_equal(cbt_run(NULL, &err, "%s partner add '%s' --name X --type Charity --country MD", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "LawEnforcement"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s partner add '%s' --name X --type NGO", cbt_bin(), db), 2);
	free(err);
}

static void test_assist_capacity_warning(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(&out, &err, "%s assist add '%s' %s --type accommodation --provider 1 --status ongoing"
					     " --start 2024-03-05",
				 cbt_bin(), db, ids[0]),
			 0);
	assert_string_equal(out, "1\n");
	assert_null(strstr(err, "warning"));
	free(out);
	free(err);
	/* the second placement exceeds the one bed: stored, with a warning */
	assert_int_equal(cbt_run(&out, &err, "%s assist add '%s' %s --type accommodation --provider 1 --status ongoing"
					     " --start 2024-03-06",
				 cbt_bin(), db, ids[1]),
			 0);
	assert_string_equal(out, "2\n");
	assert_non_null(strstr(err, "warning: shelter 1 has 1 beds and 2 placements"));
	free(out);
	free(err);
	/* notes from stdin, shown only with --with-identifiers, never on disk in plain text */
	assert_int_equal(cbt_run(&out, NULL, "echo '%s' | %s assist add '%s' %s --type legal --notes -", NOTE, cbt_bin(), db,
				 ids[0]),
			 0);
	free(out);
	out = run_ok("assist list '%s' %s", db, ids[0]);
	assert_non_null(strstr(out, "accommodation\t1\t-\t2024-03-05\t-\tongoing"));
	assert_non_null(strstr(out, "legal\town"));
	assert_null(strstr(out, "landlord"));
	free(out);
	out = run_ok("assist list '%s' %s --with-identifiers", db, ids[0]);
	assert_non_null(strstr(out, NOTE));
	free(out);
	assert_false(cbt_file_contains(db, "landlord", 8));
	out = run_ok("assist set '%s' 2 --status completed --end 2024-03-20", db);
	assert_string_equal(out, "2 completed\n");
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s assist add '%s' %s --type massage", cbt_bin(), db, ids[0]), 2);
	assert_non_null(strstr(err, "accommodation"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s assist add '%s' AAAAAAAAAAAAAAAAAAAAAAAAAA --type legal", cbt_bin(), db), 5);
	free(err);
	/* the case's assistance_type follows the records */
	out = run_ok("show '%s' %s", db, ids[0]);
	assert_non_null(strstr(out, "\"accommodation\""));
	assert_non_null(strstr(out, "\"legal\""));
	free(out);
}

static void test_refer_consent(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	/* no consent: exit 4 naming the field, nothing stored */
	assert_int_equal(cbt_run(&out, &err, "%s refer '%s' %s --to 2 --reason AdditionalServicesRequired", cbt_bin(), db,
				 ids[1]),
			 4);
	assert_non_null(strstr(err, "consent_share_partners"));
	assert_string_equal(out, "");
	free(out);
	free(err);
	out = run_ok("refer list '%s' %s", db, ids[1]);
	assert_null(strstr(out, "\nout"));
	free(out);
	/* with consent: the referral id */
	out = run_ok("refer '%s' %s --to 2 --reason AdditionalServicesRequired", db, ids[0]);
	assert_string_equal(out, "1\n");
	free(out);
	/* without details, no consent is needed */
	out = run_ok("refer '%s' %s --to 2 --reason Other --no-details", db, ids[1]);
	assert_string_equal(out, "2\n");
	free(out);
	/* the override: a reason, recorded in the audit trail */
	assert_int_equal(cbt_run(NULL, &err, "%s refer '%s' %s --to 2 --reason Other --override-consent short", cbt_bin(), db,
				 ids[1]),
			 2);
	free(err);
	assert_int_equal(cbt_run(&out, &err, "%s refer '%s' %s --to 2 --reason Other --override-consent"
					     " 'medical emergency, she cannot be reached'",
				 cbt_bin(), db, ids[1]),
			 0);
	assert_string_equal(out, "3\n");
	assert_non_null(strstr(err, "overridden"));
	free(out);
	free(err);
	out = run_ok("audit list '%s'", db);
	assert_non_null(strstr(out, "referral.consent_override"));
	assert_non_null(strstr(out, "medical emergency"));
	free(out);
	out = run_ok("refer list '%s' %s", db, ids[1]);
	assert_non_null(strstr(out, "(consent overridden)"));
	free(out);
	/* status steps */
	out = run_ok("refer set '%s' 1 accepted", db);
	assert_string_equal(out, "1 accepted\n");
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s refer set '%s' 1 pending", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "cannot become pending"));
	free(err);
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
	assert_false(cbt_file_contains(db, "declined further", 16));
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
		cmocka_unit_test(test_partner_add_list),
		cmocka_unit_test(test_assist_capacity_warning),
		cmocka_unit_test(test_refer_consent),
		cmocka_unit_test(test_stage),
		cmocka_unit_test(test_followups_and_dashboard),
		cmocka_unit_test(test_stats_dimensions),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
