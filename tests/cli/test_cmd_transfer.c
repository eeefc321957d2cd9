/*
 * test_cmd_transfer.c -- assign, assigned and transfer as a user runs them: the case stays at its office until
 * the receiving office accepts; rejected without a reason is a usage error; ids and offices only in output.
 */
#include "cb_test.h"

static void test_assign_transfer(void **state)
{
	(void)state;
	const char *db = cbt_db("t.db");
	char id[32], *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	cbt_write(cbt_path("c.json"), "{\"site\": \"MD-CHISINAU\", \"registered_on\": \"2024-03-18\", \"first_name\": \"Zorilda\"}");
	assert_int_equal(cbt_run(&out, NULL, "%s add %s < %s", cbt_bin(), db, cbt_path("c.json")), 0);
	memcpy(id, out, 26);
	id[26] = 0;
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "echo demo-caseworker-pw | %s user add %s amira --role caseworker --site MD-CHISINAU",
				 cbt_bin(), db), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s assign %s %s amira", cbt_bin(), db, id), 0);
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s assigned %s amira", cbt_bin(), db), 0);
	assert_non_null(strstr(out, id));
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s assign %s %s nobody", cbt_bin(), db, id), 2);
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s transfer %s %s --to MD-BALTI --reason PersonMoved", cbt_bin(), db, id), 0);
	assert_non_null(strstr(out, "transfer 1 requested"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s list %s --site MD-CHISINAU", cbt_bin(), db), 0);
	assert_non_null(strstr(out, id)); /* still here */
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s transfer list %s --site MD-BALTI", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "requested\tPersonMoved"));
	assert_null(strstr(out, "Zorilda"));
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s transfer reject %s 1", cbt_bin(), db), 2);
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s transfer accept %s 1", cbt_bin(), db), 0);
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s list %s --site MD-BALTI", cbt_bin(), db), 0);
	assert_non_null(strstr(out, id));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s assigned %s amira", cbt_bin(), db), 0);
	assert_null(strstr(out, id));
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s transfer accept %s 1", cbt_bin(), db), 1); /* decided already */
	free(err);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action LIKE 'transfer.%'"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign_transfer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
