/*
 * test_codebook.c -- tests of src/http/codebook.c through a real server on 127.0.0.1: GET /api/codebook,
 * anonymous, holds every field with its value set and the statistical dimensions.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("codebook.db", NULL);
}

static void test_fields_and_dimensions(void **state)
{
	(void)state;
	struct resp r = http("GET", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "fields")) > 20);
	assert_true(json_array_size(json_object_get(r.json, "dimensions")) > 5);
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_dimensions),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
