/*
 * test_format.c -- the format table: lookup by id and name, and the guess from a file's first line.
 */
#include "io_test.h"

static void test_lookup(void **state)
{
	(void)state;
	assert_ptr_equal(cb_format_get(CB_FMT_HTCDS), &cb_format_htcds);
	assert_ptr_equal(cb_format_get(CB_FMT_CTDC), &cb_format_ctdc);
	assert_ptr_equal(cb_format_get(CB_FMT_CTDC_SYNTH), &cb_format_ctdc_synth);
	assert_ptr_equal(cb_format_get(CB_FMT_JSONL), &cb_format_jsonl);
	assert_null(cb_format_get(CB_FMT__COUNT));
	assert_ptr_equal(cb_format_by_name("HTCDS"), &cb_format_htcds);
	assert_ptr_equal(cb_format_by_name("ctdc"), &cb_format_ctdc);
	assert_ptr_equal(cb_format_by_name("jsonl"), &cb_format_jsonl);
	assert_ptr_equal(cb_format_by_name("ndjson"), &cb_format_jsonl);
	assert_null(cb_format_by_name("xlsx"));
	assert_null(cb_format_by_name(NULL));
}

static enum cb_format_id detect(const char *line)
{
	enum cb_format_id id = CB_FMT__COUNT;
	assert_int_equal(cb_format_detect(line, strlen(line), &id), CB_OK);
	return id;
}

static void test_detect(void **state)
{
	(void)state;
	enum cb_format_id id;
	assert_int_equal(detect("{\"site\":\"A1\"}"), CB_FMT_JSONL);
	assert_int_equal(detect("\xEF\xBB\xBF  {\"site\":\"A1\"}"), CB_FMT_JSONL);
	assert_int_equal(detect("\"terms\";yearOfRegistration;Datasource;gender\n"), CB_FMT_CTDC);
	assert_int_equal(detect("yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths"),
			 CB_FMT_CTDC_SYNTH);
	assert_int_equal(detect("x_site,prs_Gender,vic_TypeOfExploitation\r\n"), CB_FMT_HTCDS);
	assert_int_equal(detect("cas_Status"), CB_FMT_HTCDS);
	assert_int_equal(cb_format_detect("colour,size", 11, &id), CB_EINVAL);
	assert_int_equal(cb_format_detect("", 0, &id), CB_EINVAL);
	/* only the given bytes count */
	assert_int_equal(cb_format_detect("colour,prs_Gender", 7, &id), CB_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_detect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
