/*
 * test_parse.c -- tests of src/http/parse.c: query strings (decoding, refusals), the Cookie header, JSON
 * bodies, numbers and the Content-Type.
 */
#include "cb_test.h"

#include "http/http.h"

static struct cb_arena *arena;

static int setup(void **state)
{
	(void)state;
	return cb_arena_new(1 << 20, &arena);
}

static int teardown(void **state)
{
	(void)state;
	cb_arena_free(&arena);
	return 0;
}

static void test_query(void **state)
{
	(void)state;
	struct cb_http_query q;
	assert_int_equal(cb_http_query_parse(arena, "by=year,gender&where=year%20%3E%3D%202015&percent=1&flag&&x=a+b", &q),
			 CB_OK);
	assert_int_equal(q.n, 5);
	assert_string_equal(cb_http_query_get(&q, "by"), "year,gender");
	assert_string_equal(cb_http_query_get(&q, "where"), "year >= 2015");
	assert_string_equal(cb_http_query_get(&q, "flag"), "");
	assert_string_equal(cb_http_query_get(&q, "x"), "a b");
	assert_null(cb_http_query_get(&q, "missing"));
	assert_int_equal(cb_http_query_parse(arena, NULL, &q), CB_OK);
	assert_int_equal(q.n, 0);
	assert_int_equal(cb_http_query_parse(arena, "", &q), CB_OK);
	assert_int_equal(q.n, 0);
}

static void test_query_refusals(void **state)
{
	(void)state;
	struct cb_http_query q;
	const char *bad[] = {"a=%", "a=%2", "a=%zz", "a=%00", "a=1&a=2", "%41=1&A=2"};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_int_equal(cb_http_query_parse(arena, bad[i], &q), CB_EINVAL);
	char many[256] = "";
	for (int i = 0; i <= CB_HTTP_MAX_PARAMS; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "p%d=1&", i);
	assert_int_equal(cb_http_query_parse(arena, many, &q), CB_EINVAL);
}

static void test_cookie(void **state)
{
	(void)state;
	char out[44];
	assert_int_equal(cb_http_cookie("theme=dark; cb_session=abc-DEF_123; x=y", "cb_session", out, sizeof out), CB_OK);
	assert_string_equal(out, "abc-DEF_123");
	assert_int_equal(cb_http_cookie("cb_session=tok", "cb_session", out, sizeof out), CB_OK);
	assert_string_equal(out, "tok");
	assert_int_equal(cb_http_cookie("xcb_session=tok", "cb_session", out, sizeof out), CB_ENOTFOUND);
	assert_int_equal(cb_http_cookie(NULL, "cb_session", out, sizeof out), CB_ENOTFOUND);
	assert_int_equal(cb_http_cookie("cb_session=a\"b", "cb_session", out, sizeof out), CB_EINVAL);
	char longv[200] = "cb_session=";
	memset(longv + 11, 'a', 100);
	assert_int_equal(cb_http_cookie(longv, "cb_session", out, sizeof out), CB_EINVAL);
}

static void test_json_and_numbers(void **state)
{
	(void)state;
	json_t *j = NULL;
	assert_int_equal(cb_http_json_object("{\"a\": 1}", 8, &j), CB_OK);
	assert_true(json_is_object(j));
	json_decref(j);
	assert_int_equal(cb_http_json_object("[1]", 3, &j), CB_EINVAL);
	assert_null(j);
	assert_int_equal(cb_http_json_object("{\"a\": 1, \"a\": 2}", 16, &j), CB_EINVAL);
	assert_int_equal(cb_http_json_object("{", 1, &j), CB_EINVAL);
	assert_int_equal(cb_http_json_object(NULL, 0, &j), CB_EINVAL);
	long v;
	assert_int_equal(cb_http_parse_long("42", 1, 100, &v), CB_OK);
	assert_int_equal(v, 42);
	assert_int_equal(cb_http_parse_long("-3", -5, 5, &v), CB_OK);
	assert_int_equal(v, -3);
	const char *bad[] = {"", "-", "4x", " 4", "101", "0", "99999999999999999999"};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_int_equal(cb_http_parse_long(bad[i], 1, 100, &v), CB_EINVAL);
	assert_true(cb_http_is_json("application/json"));
	assert_true(cb_http_is_json("Application/JSON; charset=utf-8"));
	assert_false(cb_http_is_json("application/jsonp"));
	assert_false(cb_http_is_json("text/plain"));
	assert_false(cb_http_is_json(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_query_refusals),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_json_and_numbers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
