/*
 * test_users_admin.c -- tests of src/access/users_admin.c: unlocking an account, changing its role and
 * office (against the list of offices), and the admin who cannot demote herself; and, in users.c, that a
 * caseworker's office must be on the list.
 */
#include "../store/store_helpers.h"
#include "access/access.h"
#include "store/sites.h"

#define PW "a long enough passphrase 77"

static void test_unlock_role_office(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	struct cb_user root, amira, got;
	assert_int_equal(cb_site_add(s, "KYIV-1", "Kyiv", "UA", NULL, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "root", CB_ROLE_ADMIN, NULL, PW, &root, &err), CB_OK);
	/* a caseworker's office must be on the list */
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_CASEWORKER, "KYIV-11", PW, &amira, &err), CB_EINVAL);
	assert_string_equal(err.field, "site");
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_CASEWORKER, "KYIV-1", PW, &amira, &err), CB_OK);
	/* a lock left by an older version, lifted */
	cb_store_free(&s);
	raw_exec(db, "UPDATE users SET failures = 9, locked_until = 4102444800 WHERE name = 'amira'");
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_user_get(s, "amira", &got, &err), CB_OK);
	assert_true(got.locked_until > 0);
	assert_int_equal(cb_user_unlock(s, got.id, &err), CB_OK);
	assert_int_equal(cb_user_get(s, "amira", &got, &err), CB_OK);
	assert_int_equal(got.locked_until, 0);
	assert_int_equal(cb_user_unlock(s, 999, &err), CB_ENOTFOUND);
	/* role and office: a caseworker needs an office of the list; others have none */
	assert_int_equal(cb_user_set_role(s, amira.id, CB_ROLE_CASEWORKER, "LVIV-2", &root, &err), CB_EINVAL);
	assert_int_equal(cb_user_set_role(s, amira.id, CB_ROLE_CASEWORKER, NULL, &root, &err), CB_EINVAL);
	assert_int_equal(cb_user_set_role(s, amira.id, CB_ROLE_MANAGER, "KYIV-1", &root, &err), CB_OK);
	assert_int_equal(cb_user_get(s, "amira", &got, &err), CB_OK);
	assert_int_equal(got.role, CB_ROLE_MANAGER);
	assert_string_equal(got.site, "");
	/* nobody takes away her own admin role, nor the last admin's */
	assert_int_equal(cb_user_set_role(s, root.id, CB_ROLE_MANAGER, NULL, &root, &err), CB_EPERM);
	assert_int_equal(cb_user_set_role(s, root.id, CB_ROLE_MANAGER, NULL, &amira, &err), CB_EPERM);
	assert_int_equal(cb_user_get(s, "root", &got, &err), CB_OK);
	assert_int_equal(got.role, CB_ROLE_ADMIN);
	/* with a second admin, the first may be changed by her */
	assert_int_equal(cb_user_set_role(s, amira.id, CB_ROLE_ADMIN, NULL, &root, &err), CB_OK);
	assert_int_equal(cb_user_set_role(s, root.id, CB_ROLE_ANALYST, NULL, &amira, &err), CB_OK);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlock_role_office),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
