/*
 * test_scheduler.c -- releases on a schedule (src/http/scheduler.c): off by default, on after
 * `release.every_hours` is set, as the actor "schedule", recorded in the ledger and the audit trail; a run
 * in progress is finished before the scheduler stops.
 */
#include "cb_test.h"
#include "http/http.h"
#include "io/io.h"
#include "stats/stats.h"
#include "store/store.h"

static void test_schedule(void **state)
{
	(void)state;
	const char *db = cbt_db("sched.db");
	struct cb_store *s = NULL;
	struct cb_scheduler *sc = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_demo_generate(s, 300, 3, false, &err), CB_OK);
	/* no schedule: nothing is measured */
	assert_int_equal(cb_scheduler_start(db, true, &sc, &err), CB_OK);
	usleep(1200 * 1000);
	cb_scheduler_stop(&sc);
	assert_null(sc);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM releases"), 0);
	/* every 0.0002 hours (0.72 s): the years are measured, as "schedule" */
	assert_int_equal(cb_release_set_schedule(s, 0.0002, &err), CB_OK);
	assert_int_equal(cb_release_set_schedule(s, -1, &err), CB_EINVAL);
	assert_int_equal(cb_scheduler_start(db, true, &sc, &err), CB_OK);
	long n = 0;
	for (int i = 0; i < 100 && n == 0; i++) {
		usleep(100 * 1000);
		n = cbt_sql_int(db, "SELECT count(*) FROM releases");
	}
	cb_scheduler_stop(&sc); /* lets the run it started finish */
	assert_true(n > 0);
	assert_true(cbt_sql_int(db, "SELECT count(*) FROM releases") >= 10);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM releases WHERE actor <> 'schedule'"), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'stats.release'"
					 " AND \"user\" = 'schedule'"),
			 cbt_sql_int(db, "SELECT count(*) FROM releases"));
	/* the next runs find nothing changed: nothing more is spent */
	long before = cbt_sql_int(db, "SELECT count(*) FROM releases");
	assert_int_equal(cb_scheduler_start(db, true, &sc, &err), CB_OK);
	usleep(1600 * 1000);
	cb_scheduler_stop(&sc);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM releases"), before);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
