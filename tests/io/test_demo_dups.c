/*
 * test_demo_dups.c -- tests of src/io/demo_dups.c: the planted copies are registered as cases, the true
 * pairs go to the named file (and nowhere in the database), copies carry registration errors, the share
 * is about the rate asked for, and a bad rate is refused.
 */
#include "store/store_helpers.h"

#include "io/io.h"

static void test_planted(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	long planted = 0;
	const char *truth = cbt_path("truth.txt");
	assert_int_equal(cb_demo_generate(s, 2000, 3, false, &err), CB_OK);
	assert_int_equal(cb_demo_duplicates(s, 0.1, 3, truth, &planted, &err), CB_OK);
	assert_true(planted > 100 && planted < 260); /* a tenth of the cases with a name and a birth date */
	assert_int_equal(cb_store_count(s), 2000 + planted);
	char *text = cbt_read(truth, NULL);
	assert_non_null(text);
	long lines = 0, differ = 0;
	for (char *line = text; *line;) {
		char a[CB_ID_TEXT], b[CB_ID_TEXT];
		uint8_t ia[16], ib[16];
		struct cb_case ca, cb;
		assert_int_equal(sscanf(line, "%26s %26s", a, b), 2);
		assert_int_equal(cb_case_id_parse(a, ia), CB_OK);
		assert_int_equal(cb_case_id_parse(b, ib), CB_OK);
		assert_int_equal(cb_store_get(s, ia, CB_WITH_PII, &ca, &err), CB_OK);
		assert_int_equal(cb_store_get(s, ib, CB_WITH_PII, &cb, &err), CB_OK);
		assert_int_equal(ca.gender, cb.gender);
		differ += strcmp(ca.first_name, cb.first_name) != 0 || strcmp(ca.birth_date, cb.birth_date) != 0 ||
			  (ca.last_name == NULL) != (cb.last_name == NULL) ||
			  (ca.last_name && cb.last_name && strcmp(ca.last_name, cb.last_name) != 0);
		cb_case_clear(&ca);
		cb_case_clear(&cb);
		lines++;
		line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line);
	}
	assert_int_equal(lines, planted);
	assert_int_equal(differ, planted); /* every copy has an error */
	/* the truth is not in the database: its ids appear in no table beside the cases themselves */
	char first[CB_ID_TEXT];
	assert_int_equal(sscanf(text, "%26s", first), 1);
	assert_nowhere(db, first);
	free(text);
	assert_int_equal(cb_demo_duplicates(s, 0.9, 3, NULL, &planted, &err), CB_EINVAL);
	assert_int_equal(cb_demo_duplicates(s, 0, 3, NULL, &planted, &err), CB_EINVAL);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
