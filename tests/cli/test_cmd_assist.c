/*
 * test_cmd_assist.c -- the command-line contract of src/cli/cmd_assist.c: `assist add` warns on stderr when a
 * shelter would be over capacity (and stores the record), notes come from stdin and show only with
 * --with-identifiers, never in plain text on disk; `refer` exits 4 naming consent_share_partners, and
 * `--override-consent` is recorded; a referral's steps.
 */
#include "cli/assist_fixture.h"

static int setup(void **state)
{
	(void)state;
	if (cases_up())
		return -1;
	partners_up();
	return 0;
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
	assert_false(cbt_db_holds(db, "landlord"));
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
	/* every act of the command line is recorded under the name the server uses for it */
	assert_non_null(strstr(out, "referral.add"));
	assert_non_null(strstr(out, "partner.add"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assist_capacity_warning),
		cmocka_unit_test(test_refer_consent),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
