/*
 * test_rules.c -- tests of src/codebook/rules.c: phone and email formats, and what registering a case needs,
 * named all at once by label.
 */
#include "cb_test.h"
#include "codebook/codebook.h"

static void test_phone(void **state)
{
	(void)state;
	const char *ok[] = {"+380507771234", "0 22 12 34 56", "(022) 123-456", "+1 555.010.0101", "12345"};
	const char *bad[] = {"abc", "1234", "+38 05O7 771234", "12345678901234567890123", "++12345", "12345 ext 2", ""};
	for (size_t i = 0; i < CB_COUNTOF(ok); i++)
		assert_true(cb_text_is_phone(ok[i]));
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_false(cb_text_is_phone(bad[i]));
}

static void test_email(void **state)
{
	(void)state;
	const char *ok[] = {"ana@example.org", "a.b+c@mail.example.md", "x@y.co"};
	const char *bad[] = {"not-an-email", "@example.org", "ana@", "ana@example", "ana@.org", "ana@example.",
			     "ana @example.org", "a@b@c.org", "ana@example.org, bob@example.org"};
	for (size_t i = 0; i < CB_COUNTOF(ok); i++)
		assert_true(cb_text_is_email(ok[i]));
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_false(cb_text_is_email(bad[i]));
}

static void test_register_needs(void **state)
{
	(void)state;
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "MD-CHISINAU", &err), CB_OK);
	/* only the office: every missing field, by label, the first one named as the field */
	assert_int_equal(cb_case_check_register(&c, &err), CB_EINVAL);
	assert_string_equal(err.field, "registered_on");
	assert_non_null(strstr(err.msg, "Registered on, Gender, Citizenship"));
	assert_non_null(strstr(err.msg, "are required"));
	const char *fill[][2] = {{"registered_on", "2025-01-02"}, {"gender", "Feminine"}, {"citizenship", "MD"},
				 {"exploitation_type", "SexualExploitation"}};
	for (size_t i = 0; i < CB_COUNTOF(fill); i++)
		assert_int_equal(cb_case_set_text(&c, cb_field_find(fill[i][0]), fill[i][1], &err), CB_OK);
	assert_int_equal(cb_case_check_register(&c, &err), CB_EINVAL);
	assert_string_equal(err.field, "consent_statistics");
	assert_non_null(strstr(err.msg, "is required"));
	assert_int_equal(cb_case_set_text(&c, cb_field_find("consent_statistics"), "no", &err), CB_OK);
	assert_int_equal(cb_case_check_register(&c, &err), CB_OK);
	/* the formats apply where the details are set: the value is never quoted */
	assert_int_equal(cb_case_set_text(&c, cb_field_find("phone"), "abc", &err), CB_EINVAL);
	assert_null(strstr(err.msg, "abc"));
	assert_int_equal(cb_case_set_text(&c, cb_field_find("email"), "not-an-email", &err), CB_EINVAL);
	assert_null(strstr(err.msg, "not-an-email"));
	assert_int_equal(cb_case_set_text(&c, cb_field_find("email"), "ana@example.org", &err), CB_OK);
	cb_case_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_register_needs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
