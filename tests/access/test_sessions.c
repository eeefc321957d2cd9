/*
 * test_sessions.c -- tests of src/access/sessions.c: hits within CB_SESSION_CACHE_SECONDS, one refresher when
 * an entry is due (the others go on with it for as long again), drops by token and by user; a last_seen
 * write is due once per CB_SESSION_TOUCH_SECONDS, with the token hash the store keeps; failed logins slowed
 * down by address, counted in the database.
 */
#include "cb_test.h"

#include <sodium.h>

#include "access/access.h"

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

/* Failed logins by address: five free, then waits of 1 s, 2 s, 4 s ... up to CB_LOGIN_MAX_DELAY after the
 * last failure; other addresses are not touched (an IPv6 address counts by its /64); after CB_LOGIN_FORGET
 * seconds without a failure an address starts afresh.  The counts are the database's: two handles on one
 * file (two servers) add up, and many other addresses do not lose an address that keeps failing. */
static void test_login_throttle(void **state)
{
	(void)state;
	struct cb_err err = {0};
	unsetenv("CASEBANK_KEY_FILE"); /* before cbt_db, which names the binary's own on PostgreSQL */
	const char *db = cbt_db("throttle.sqlite");
	struct cb_store *c = NULL, *c2 = NULL;
	const int64_t t = 2000000;
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &c, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &c2, &err), CB_OK);
	for (int i = 0; i < CB_LOGIN_FREE_FAILURES; i++) {
		assert_int_equal(cb_login_wait(c, "192.0.2.7", t), 0);
		assert_int_equal(cb_login_failed(i % 2 ? c : c2, "192.0.2.7", t, &err), CB_OK);
	}
	assert_int_equal(cb_login_wait(c2, "192.0.2.7", t), 0);
	char msg[96];
	assert_null(cb_login_refused(c, "192.0.2.7", t, msg, sizeof msg));
	int64_t now = t, want = 1;
	for (int i = 0; i < 12; i++, want = want * 2 > CB_LOGIN_MAX_DELAY ? CB_LOGIN_MAX_DELAY : want * 2) {
		assert_int_equal(cb_login_failed(i % 2 ? c : c2, "192.0.2.7", now, &err), CB_OK);
		assert_int_equal(cb_login_wait(c, "192.0.2.7", now), want);
		assert_int_equal(cb_login_wait(c2, "192.0.2.7", now + want - 1), 1);
		/* the refusal every door sends names the wait */
		char text[96];
		snprintf(text, sizeof text, "too many failed logins from this address: try again in %lld s", (long long)want);
		assert_string_equal(cb_login_refused(c, "192.0.2.7", now, msg, sizeof msg), text);
		assert_int_equal(cb_login_wait(c, "192.0.2.8", now), 0);
		now += want;
		assert_int_equal(cb_login_wait(c, "192.0.2.7", now), 0);
	}
	assert_int_equal(want, CB_LOGIN_MAX_DELAY);
	/* IPv6: the /64 is one address */
	for (int i = 0; i <= CB_LOGIN_FREE_FAILURES; i++)
		assert_int_equal(cb_login_failed(c, i % 2 ? "2001:db8:1:2::1" : "2001:db8:1:2:aaaa::9", t, &err), CB_OK);
	assert_int_equal(cb_login_wait(c, "2001:db8:1:2:ffff::1", t), 1);
	assert_int_equal(cb_login_wait(c, "2001:db8:1:3::1", t), 0);
	/* others failing leave a failing address its count */
	char other[64];
	assert_int_equal(cb_store_begin(c, &err), CB_OK);
	for (int i = 0; i < 2000; i++) {
		snprintf(other, sizeof other, "10.%d.%d.1", i / 250, i % 250);
		assert_int_equal(cb_login_failed(c, other, now, &err), CB_OK);
	}
	assert_int_equal(cb_store_commit(c, &err), CB_OK);
	assert_int_equal(cb_login_failed(c, "192.0.2.7", now, &err), CB_OK);
	assert_int_equal(cb_login_wait(c, "192.0.2.7", now), CB_LOGIN_MAX_DELAY);
	/* forgotten after a quiet while */
	assert_int_equal(cb_login_wait(c, "192.0.2.7", now + CB_LOGIN_FORGET), 0);
	assert_int_equal(cb_login_failed(c, "192.0.2.7", now + CB_LOGIN_FORGET, &err), CB_OK);
	assert_int_equal(cb_login_wait(c, "192.0.2.7", now + CB_LOGIN_FORGET), 0);
	/* ...and so are the others' rows, as failures come in */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM login_failures"), 1);
	cb_store_free(&c);
	cb_store_free(&c2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_and_expiry),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_touch),
		cmocka_unit_test(test_login_throttle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
