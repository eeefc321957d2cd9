/*
 * test_cmd_site.c -- `casebank site` as an administrator runs it: adding offices (refusals: a taken code, a
 * bad code, an unknown country), listing, disabling and enabling; each change in the audit trail; and a
 * caseworker's account refused an office that is not on the list.
 */
#include "cb_test.h"

#define PW "correct horse battery"

static void test_site_commands(void **state)
{
	(void)state;
	const char *db = cbt_db("sites.db");
	char *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s site add %s MD-CHISINAU --name 'Chisinau office' --country md", cbt_bin(), db), 0);
	assert_string_equal(out, "added office MD-CHISINAU\n");
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s site add %s UA-KYIV --name Kyiv", cbt_bin(), db), 0);
	/* refusals, nothing added: exit 2 for what the operator typed, 1 for what the database says */
	assert_int_equal(cbt_run(NULL, &err, "%s site add %s MD-CHISINAU --name Again", cbt_bin(), db), 1);
	assert_non_null(strstr(err, "exists already"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s site add %s 'md chisnau' --name X", cbt_bin(), db), 2);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s site add %s RO-IASI --name Iasi --country ZZ", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "country"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s site add %s RO-IASI", cbt_bin(), db), 2); /* --name is required */
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "%s site disable %s UA-KYIV", cbt_bin(), db), 0);
	assert_int_equal(cbt_run(NULL, &err, "%s site disable %s NOPE-1", cbt_bin(), db), 5); /* not found */
	free(err);
	/* an option only add takes, given to another sub-command, is named as unknown */
	assert_int_equal(cbt_run(NULL, &err, "%s site disable %s MD-CHISINAU --name X", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "unknown option or missing value: --name"));
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s site list %s", cbt_bin(), db), 0);
	assert_string_equal(out, "MD-CHISINAU\tMD\tenabled\tChisinau office\nUA-KYIV\t-\tdisabled\tKyiv\n");
	free(out);
	/* the list decides a caseworker's office */
	assert_int_equal(cbt_run(NULL, &err, "printf '%s\\n' | %s user add %s amira --role caseworker --site MD-CHISNAU", PW,
				 cbt_bin(), db), 2);
	assert_non_null(strstr(err, "MD-CHISNAU"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "printf '%s\\n' | %s user add %s amira --role caseworker --site UA-KYIV", PW,
				 cbt_bin(), db), 2);
	assert_non_null(strstr(err, "disabled"));
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "printf '%s\\n' | %s user add %s amira --role caseworker --site MD-CHISINAU", PW,
				 cbt_bin(), db), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action IN ('site.add', 'site.disable')"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_site_commands),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
