/*
 * test_sessions.c -- tests of src/http/sessions.c: hits within CB_SESSION_CACHE_SECONDS, one refresher when
 * an entry is due (the others go on with it for as long again), drops by token and by user; a last_seen
 * write is due once per CB_SESSION_TOUCH_SECONDS, with the token hash the store keeps.
 */
#include "cb_test.h"

#include <sodium.h>

#include "http/http.h"

static void put(struct cb_session_cache *c, const char *token, int64_t now, int64_t user_id)
{
	struct cb_session s = {.user_id = user_id};
	struct cb_user u = {.id = user_id, .role = CB_ROLE_ANALYST};
	snprintf(s.csrf, sizeof s.csrf, "csrf-%lld", (long long)user_id);
	snprintf(u.name, sizeof u.name, "user%lld", (long long)user_id);
	cb_session_cache_put(c, token, now, &s, &u);
}

static void test_hit_and_expiry(void **state)
{
	(void)state;
	struct cb_session_cache *c = NULL;
	struct cb_session s;
	struct cb_user u;
	assert_int_equal(cb_session_cache_new(&c), CB_OK);
	assert_false(cb_session_cache_get(c, "tokA", 1000, &s, &u));
	put(c, "tokA", 1000, 7);
	assert_true(cb_session_cache_get(c, "tokA", 1000 + CB_SESSION_CACHE_SECONDS - 1, &s, &u));
	assert_int_equal(u.id, 7);
	assert_string_equal(s.csrf, "csrf-7");
	assert_false(cb_session_cache_get(c, "tokB", 1000, &s, &u));
	/* due: the first caller misses (and checks), the next ones still hit until twice the time */
	int64_t due = 1000 + CB_SESSION_CACHE_SECONDS;
	assert_false(cb_session_cache_get(c, "tokA", due, &s, &u));
	assert_true(cb_session_cache_get(c, "tokA", due, &s, &u));
	assert_false(cb_session_cache_get(c, "tokA", 1000 + 2 * CB_SESSION_CACHE_SECONDS, &s, &u));
	put(c, "tokA", due, 7); /* the check succeeded */
	assert_true(cb_session_cache_get(c, "tokA", due + 1, &s, &u));
	assert_false(cb_session_cache_get(c, "tokA", due - 1, &s, &u)); /* clock going back: no hit */
	cb_session_cache_free(&c);
	assert_null(c);
}

static void test_drop(void **state)
{
	(void)state;
	struct cb_session_cache *c = NULL;
	struct cb_session s;
	struct cb_user u;
	assert_int_equal(cb_session_cache_new(&c), CB_OK);
	put(c, "t1", 50, 1);
	put(c, "t2", 50, 1);
	put(c, "t3", 50, 2);
	cb_session_cache_drop(c, "t1");
	assert_false(cb_session_cache_get(c, "t1", 51, &s, &u));
	assert_true(cb_session_cache_get(c, "t2", 51, &s, &u));
	cb_session_cache_drop_user(c, 1);
	assert_false(cb_session_cache_get(c, "t2", 51, &s, &u));
	assert_true(cb_session_cache_get(c, "t3", 51, &s, &u));
	assert_int_equal(u.id, 2);
	cb_session_cache_free(&c);
}

static void test_touch(void **state)
{
	(void)state;
	struct cb_session_cache *c = NULL;
	uint8_t h[32], want[32];
	const char *tok = "tokT";
	assert_int_equal(cb_session_cache_new(&c), CB_OK);
	assert_false(cb_session_cache_touch(c, tok, 5000, h)); /* not cached */
	put(c, tok, 1000, 3); /* stored last_seen 0 */
	assert_true(cb_session_cache_touch(c, tok, 1000, h));
	crypto_generichash(want, 32, (const uint8_t *)tok, strlen(tok), NULL, 0);
	assert_memory_equal(h, want, 32);
	assert_false(cb_session_cache_touch(c, tok, 1000, h)); /* once */
	assert_false(cb_session_cache_touch(c, tok, 1000 + CB_SESSION_TOUCH_SECONDS - 1, h));
	assert_true(cb_session_cache_touch(c, tok, 1000 + CB_SESSION_TOUCH_SECONDS, h));
	assert_false(cb_session_cache_touch(c, "other", 9000, h));
	cb_session_cache_drop(c, tok);
	assert_false(cb_session_cache_touch(c, tok, 9000, h));
	cb_session_cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_and_expiry),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_touch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
