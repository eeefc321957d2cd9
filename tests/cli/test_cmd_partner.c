/*
 * test_cmd_partner.c -- the command-line contract of src/cli/cmd_partner.c: `partner add` prints the new id and
 * refuses an unknown type (naming the allowed ones) or a missing country; `partner list` searches by service
 * and country served.
 */
#include "cli/assist_fixture.h"

static int setup(void **state)
{
	(void)state;
	return cases_up();
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partner_add_list),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
