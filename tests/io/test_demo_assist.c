/*
 * test_demo_assist.c -- tests of src/io/demo_assist.c: the demo's partners, workflow stages, assistance,
 * referrals and follow-ups are there, follow the rules (no details shared without consent), are the same
 * from the same seed, and a second run does not add the directory again.
 */
#include "cb_test.h"

#include "crypto/crypto.h"
#include "io/io.h"
#include "care/assist.h"
#include "store/db.h"
#include "store/store_impl.h"

#define TODAY 20000 /* 2024-10-04: fixed, so that two runs compare */

static struct cb_store *demo_db(const char *name, uint64_t seed)
{
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	const char *path = cbt_db("%s", name);
	assert_int_equal(cb_store_create(path, &err), CB_OK);
	assert_int_equal(cb_store_open(path, 0, &s, &err), CB_OK);
	assert_int_equal(cb_demo_generate(s, 3000, seed, false, &err), CB_OK);
	return s;
}

static void test_records_are_there(void **state)
{
	(void)state;
	struct cb_store *s = demo_db("a.db", 5);
	struct cb_demo_assist_counts n;
	struct cb_dashboard d;
	struct cb_err err = {0};
	assert_int_equal(cb_demo_assist(s, 5, TODAY, &n, &err), CB_OK);
	assert_int_equal(n.partners, 10);
	/* only cases registered open are walked (a registered status stands for its stage: closed ones have
	 * their help recorded, not a walk) */
	assert_true(n.cases > 20);
	assert_true(n.stages > 0);
	assert_true(n.assistance > 50);
	assert_true(n.referrals > 0);
	assert_true(n.followups > 0);
	/* the dashboard of the main office has something in every part */
	assert_int_equal(cb_dashboard(s, "MD-CHISINAU", TODAY, &d, &err), CB_OK);
	long delivered = 0;
	for (int k = 0; k < CB_DASH_MONTHS; k++)
		for (int t = 0; t < CB_assistance_type__COUNT; t++)
			delivered += d.delivered[k][t];
	assert_true(delivered > 0);
	assert_true(d.by_stage[CB_case_stage_closed] > 0);
	assert_true(d.by_stage[CB_case_stage_assistance] + d.by_stage[CB_case_stage_reintegration] +
			    d.by_stage[CB_case_stage_follow_up] > 0);
	assert_true(d.nshelters >= 5);
	cb_dashboard_clear(&d);

	/* no referral passes on details of a person who has not consented */
	struct cb_stmt *st = NULL;
	assert_int_equal(cb_db_prepare(s->db, "SELECT case_id FROM referrals WHERE shares_details = 1", &st, NULL), CB_OK);
	int shared = 0;
	while (cb_db_step(st) == CB_DB_ROW) {
		struct cb_case c;
		cb_case_init(&c);
		assert_int_equal(cb_store_get(s, cb_db_column_blob(st, 0), 0, &c, &err), CB_OK);
		assert_int_equal(c.consent_share_partners, CB_yes_no_yes);
		cb_case_clear(&c);
		shared++;
	}
	cb_db_finalize(&st);
	assert_true(shared > 0);

	/* a second run keeps the directory and leaves the cases it moved alone */
	struct cb_demo_assist_counts again;
	assert_int_equal(cb_demo_assist(s, 6, TODAY, &again, &err), CB_OK);
	assert_int_equal(again.partners, 0);
	assert_true(again.cases < n.cases);
	cb_store_free(&s);
}

static void test_reproducible(void **state)
{
	(void)state;
	struct cb_store *a = demo_db("r1.db", 9), *b = demo_db("r2.db", 9);
	struct cb_demo_assist_counts na, nb;
	struct cb_dashboard da, db;
	struct cb_err err = {0};
	assert_int_equal(cb_demo_assist(a, 9, TODAY, &na, &err), CB_OK);
	assert_int_equal(cb_demo_assist(b, 9, TODAY, &nb, &err), CB_OK);
	assert_memory_equal(&na, &nb, sizeof na);
	assert_int_equal(cb_dashboard(a, NULL, TODAY, &da, &err), CB_OK);
	assert_int_equal(cb_dashboard(b, NULL, TODAY, &db, &err), CB_OK);
	assert_memory_equal(da.by_stage, db.by_stage, sizeof da.by_stage);
	assert_memory_equal(da.delivered, db.delivered, sizeof da.delivered);
	assert_int_equal(da.overdue, db.overdue);
	assert_int_equal(da.nshelters, db.nshelters);
	for (int i = 0; i < da.nshelters; i++)
		assert_int_equal(da.shelters[i].occupied, db.shelters[i].occupied);
	cb_dashboard_clear(&da);
	cb_dashboard_clear(&db);
	cb_store_free(&a);
	cb_store_free(&b);
}

static int setup(void **state)
{
	(void)state;
	return cb_crypto_init() == CB_OK ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_are_there),
		cmocka_unit_test(test_reproducible),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
