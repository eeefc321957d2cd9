/*
 * test_listen.c -- tests of src/store/listen.c: on PostgreSQL the listener gets the id of every case another
 * handle committed a change of, nothing of a rollback, one "anything" for a transaction of many cases, and
 * after its connection is killed it connects again, says "anything" and goes on receiving.  On SQLite a
 * commit by another connection to the file is an "anything".  A real cluster (tests/cb_pg.h); the waits are
 * bounded by a generous timeout, nothing is timed.
 */
#include <pthread.h>
#include <time.h>

#include "cb_pg.h"
#include "store_helpers.h"

struct heard {
	pthread_mutex_t mu;
	int n, all;
	uint8_t ids[256][16];
};

static void hook(void *ctx, const uint8_t *id)
{
	struct heard *h = ctx;
	pthread_mutex_lock(&h->mu);
	if (!id)
		h->all++;
	else if (h->n < 256)
		memcpy(h->ids[h->n++], id, 16);
	pthread_mutex_unlock(&h->mu);
}

static bool has(struct heard *h, const uint8_t id[16])
{
	bool found = false;
	pthread_mutex_lock(&h->mu);
	for (int i = 0; i < h->n && !found; i++)
		found = !memcmp(h->ids[i], id, 16);
	pthread_mutex_unlock(&h->mu);
	return found;
}

static int alls(struct heard *h)
{
	pthread_mutex_lock(&h->mu);
	int n = h->all;
	pthread_mutex_unlock(&h->mu);
	return n;
}

/* Waits (30 s at most) until id was heard, or (id NULL) until more than `all` "anything"s were. */
static bool wait_for(struct heard *h, const uint8_t *id, int all)
{
	for (int i = 0; i < 3000; i++) {
		if (id ? has(h, id) : alls(h) > all)
			return true;
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	}
	return false;
}

static void test_pg(void **state)
{
	(void)state;
	const char *dbname = NULL, *uri = cbt_pg_uri("listen", &dbname);
	struct cb_err err = {0};
	struct heard h = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct cb_listener *l = NULL;
	uint8_t a[16], b[16], gone[16];
	setenv("CASEBANK_KEY_FILE", cbt_path("listen.key"), 1);
	struct cb_store *s = open_new(uri);
	assert_int_equal(cb_listener_start(uri, hook, &h, &l, &err), CB_OK);

	add_made_case(s, 1, a);
	assert_true(wait_for(&h, a, 0));
	/* a rolled-back case is never heard of: notifications come in commit order, so it would be before b */
	struct cb_case c;
	make_case(&c, 2, false);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(gone, c.case_id, 16);
	cb_store_rollback(s);
	cb_case_clear(&c);
	add_made_case(s, 3, b);
	assert_true(wait_for(&h, b, 0));
	assert_false(has(&h, gone));
	assert_int_equal(alls(&h), 0);

	/* a transaction of many cases: one "anything" */
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < 70; i++) {
		make_case(&c, 10 + i, false);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_true(wait_for(&h, NULL, 0));

	/* its connection killed: back by itself, "anything" (the gap's notifications are lost), then ids again */
	int before = alls(&h);
	cbt_pg_sql(dbname, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
			   " WHERE datname = current_database() AND query = 'LISTEN " CB_CHANGES_CHANNEL "'");
	assert_true(wait_for(&h, NULL, before));
	add_made_case(s, 4, a);
	assert_true(wait_for(&h, a, 0));

	cb_listener_stop(&l);
	assert_null(l);
	cb_store_free(&s);
}

static void test_sqlite(void **state)
{
	(void)state;
	const char *db = cbt_path("listen.sqlite"); /* a file on both passes: new_db is PostgreSQL's on the second */
	struct cb_err err = {0};
	struct heard h = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct cb_listener *l = NULL;
	uint8_t a[16];
	unsetenv("CASEBANK_KEY_FILE");
	struct cb_store *s = open_new(db);
	assert_int_equal(cb_listener_start(db, hook, &h, &l, &err), CB_OK);
	add_made_case(s, 1, a);
	assert_true(wait_for(&h, NULL, 0));
	cb_listener_stop(&l);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg),
		cmocka_unit_test(test_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
