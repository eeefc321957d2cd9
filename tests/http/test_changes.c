/*
 * test_changes.c -- tests of src/http/changes.c: a server holding a records index keeps it current with its
 * own writes (at once, through the store's hook) and with another process's (through the listener: on
 * PostgreSQL by NOTIFY, on SQLite by the file's change counter), additions and erasures alike.  A real
 * cluster (tests/cb_pg.h); another process's writes are a second store handle; waits are bounded polls.
 */
#include "cb_test.h"

#include <pthread.h>
#include <time.h>

#include "cb_pg.h"
#include "crypto/crypto.h"
#include "http/http.h"
#include "stats/stats.h"
#include "store/store_helpers.h"

static long indexed(struct cb_http_app *app)
{
	pthread_rwlock_rdlock(&app->stats_mu);
	long n = cb_index_size(cb_stats_index(app->stats));
	pthread_rwlock_unlock(&app->stats_mu);
	return n;
}

/* Waits (30 s at most) until the index holds n cases. */
static bool indexed_becomes(struct cb_http_app *app, long n)
{
	for (int i = 0; i < 3000 && indexed(app) != n; i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	return indexed(app) == n;
}

static void follows(const char *db)
{
	struct cb_err err = {0};
	struct cb_http_app app = {0};
	struct cb_stats *records = NULL;
	uint8_t a[16], b[16], c[16];
	assert_int_equal(cb_crypto_init(), CB_OK);
	struct cb_store *other = open_new(db);
	add_made_case(other, 1, a);
	if (cb_http_app_open(&app, db, 2, true, &err) != CB_OK)
		fail_msg("%s", err.msg);
	/* a bank of the records, as a server answering exact counts would hold */
	assert_int_equal(cb_stats_open_records(app.stores[0], &records, &err), CB_OK);
	pthread_rwlock_wrlock(&app.stats_mu);
	struct cb_stats *old = app.stats;
	app.stats = records;
	pthread_rwlock_unlock(&app.stats_mu);
	cb_stats_free(&old);
	assert_int_equal(indexed(&app), 1);

	/* this server's write: in the index when the write returns */
	add_made_case(app.stores[1], 2, b);
	assert_int_equal(indexed(&app), 2);
	/* another process's: soon */
	add_made_case(other, 3, c);
	assert_true(indexed_becomes(&app, 3));
	assert_int_equal(cb_store_erase(other, a, true, &err), CB_OK);
	assert_true(indexed_becomes(&app, 2));

	cb_http_app_close(&app);
	cb_store_free(&other);
}

static void test_pg(void **state)
{
	(void)state;
	setenv("CASEBANK_KEY_FILE", cbt_path("changes.key"), 1);
	follows(cbt_pg_uri("changes", NULL));
}

static void test_sqlite(void **state)
{
	(void)state;
	unsetenv("CASEBANK_KEY_FILE");
	follows(new_db());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg),
		cmocka_unit_test(test_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
