/*
 * test_filter_rows.c -- tests of src/store/filter_rows.c: saved filters are per account (names ignore case),
 * replaced by name, limited in number, and deleted once.
 */
#include "store_helpers.h"

#include "store/filter_rows.h"

static int collect(const char *name, const char *query, void *ctx)
{
	char *buf = ctx;
	strcat(buf, name);
	strcat(buf, "=");
	strcat(buf, query);
	strcat(buf, ";");
	return 0;
}

static void test_filters(void **state)
{
	(void)state;
	struct cb_store *s = open_new(new_db());
	struct cb_err err = {0};
	char buf[4096] = "";
	assert_int_equal(cb_filter_save(s, "olha", "b", "mine=1", &err), CB_OK);
	assert_int_equal(cb_filter_save(s, "olha", "a", "sort=age", &err), CB_OK);
	assert_int_equal(cb_filter_save(s, "OLHA", "a", "sort=stage", &err), CB_OK); /* replaced */
	assert_int_equal(cb_filter_save(s, "petro", "a", "status=Active", &err), CB_OK);
	assert_int_equal(cb_filters_list(s, "olha", collect, buf, &err), CB_OK);
	assert_string_equal(buf, "a=sort=stage;b=mine=1;");
	for (int i = 0; i < CB_FILTERS_MAX; i++) {
		char name[16];
		snprintf(name, sizeof name, "f%d", i);
		int rc = cb_filter_save(s, "vera", name, "mine=1", &err);
		assert_int_equal(rc, CB_OK);
	}
	assert_int_equal(cb_filter_save(s, "vera", "one_more", "mine=1", &err), CB_EINVAL);
	assert_int_equal(cb_filter_save(s, "vera", "f0", "mine=0", &err), CB_OK); /* a replacement still fits */
	assert_int_equal(cb_filter_delete(s, "olha", "a", &err), CB_OK);
	assert_int_equal(cb_filter_delete(s, "olha", "a", &err), CB_ENOTFOUND);
	assert_int_equal(cb_filter_delete(s, "olha", "zzz", &err), CB_ENOTFOUND);
	buf[0] = 0;
	assert_int_equal(cb_filters_list(s, "petro", collect, buf, &err), CB_OK);
	assert_string_equal(buf, "a=status=Active;");
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
