/*
 * test_sites.c -- tests of src/store/sites.c: the managed list of offices, its checks, and the offices in
 * use adopted by the migration of an older database.
 */
#include "store_helpers.h"
#include "store/sites.h"

static int count(const struct cb_site *site, void *ctx)
{
	(void)site;
	(*(int *)ctx)++;
	return CB_OK;
}

static int find_kyiv(const struct cb_site *site, void *ctx)
{
	if (!strcmp(site->code, "KYIV-1"))
		*(struct cb_site *)ctx = *site;
	return CB_OK;
}

static void test_add_check_disable(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	/* an empty list accepts any office: an installation before its offices are set up */
	assert_int_equal(cb_site_check(s, "ANY-1", "site", &err), CB_OK);
	assert_int_equal(cb_site_add(s, "KYIV-1", "Kyiv office", "ua", NULL, &err), CB_OK);
	assert_int_equal(cb_site_add(s, "KYIV-1", "Again", "UA", NULL, &err), CB_EEXIST);
	assert_int_equal(cb_site_add(s, "kyiv 2", "Bad code", "UA", NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "site");
	assert_int_equal(cb_site_add(s, "LVIV-2", "", "UA", NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "name");
	assert_int_equal(cb_site_add(s, "LVIV-2", "Lviv", "ZZ", NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "country");
	assert_int_equal(cb_site_add(s, "LVIV-2", "Lviv", NULL, NULL, &err), CB_OK);
	struct cb_site k = {0};
	assert_int_equal(cb_site_list(s, find_kyiv, &k, &err), CB_OK);
	assert_string_equal(k.name, "Kyiv office");
	assert_string_equal(k.country, "UA"); /* normalised */
	/* the list now decides: a typo is refused, naming the field and the code */
	assert_int_equal(cb_site_check(s, "KYIV-1", "site", &err), CB_OK);
	assert_int_equal(cb_site_check(s, "KYIV-11", "site", &err), CB_EINVAL);
	assert_string_equal(err.field, "site");
	assert_non_null(strstr(err.msg, "KYIV-11"));
	assert_int_equal(cb_site_set_disabled(s, "KYIV-1", true, NULL, &err), CB_OK);
	assert_int_equal(cb_site_check(s, "KYIV-1", "site", &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "disabled"));
	assert_int_equal(cb_site_set_disabled(s, "NOPE-1", true, NULL, &err), CB_ENOTFOUND);
	cb_store_free(&s);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action IN ('site.add', 'site.disable')"), 3);
}

static void test_migration_adopts_offices_in_use(void **state)
{
	(void)state;
	cbt_sqlite_only("schema step 12 (a PostgreSQL database is made at the current version)");
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	for (int i = 0; i < 4; i++) {
		struct cb_case c;
		make_case(&c, i, false);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
	cb_store_free(&s);
	/* back to before the list, with an office only a user names */
	raw_exec(db, "DROP TABLE sites; PRAGMA user_version = 11;"
		     "INSERT INTO users(name, role, site, pwhash, created_at) VALUES ('x', 'caseworker', 'MD-BALTI', 'h', 0)");
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	int n = 0;
	assert_int_equal(cb_site_list(s, count, &n, &err), CB_OK);
	assert_int_equal(n, 3); /* KYIV-1, LVIV-2, MD-BALTI */
	assert_int_equal(cb_site_check(s, "MD-BALTI", "site", &err), CB_OK);
	assert_int_equal(cb_site_check(s, "MD-CHISNAU", "site", &err), CB_EINVAL);
	cb_store_free(&s);
	assert_int_equal(cbt_sql_int(db, "SELECT country = 'MD' FROM sites WHERE code = 'MD-BALTI'"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT country = '' FROM sites WHERE code = 'KYIV-1'"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_check_disable),
		cmocka_unit_test(test_migration_adopts_offices_in_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
