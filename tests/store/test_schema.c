/*
 * test_schema.c -- tests of src/store/schema.c's migrations that change data: step 11 makes the workflow
 * stage the one source of truth for where a case stands (issue 14, defect 1).
 */
#include "store_helpers.h"

/* A database at schema 5 whose statuses and stages disagree, as the demo and hand edits left them. */
static const char *old_db(int n)
{
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	for (int i = 0; i < n; i++) {
		struct cb_case c;
		make_case(&c, i, false);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
	cb_store_free(&s);
	raw_exec(db, "UPDATE cases SET case_stage = 'screening', status = 'Closed' WHERE seq = 1;"
		     "UPDATE cases SET case_stage = 'assistance', status = 'FollowUp' WHERE seq = 2;"
		     "UPDATE cases SET case_stage = 'closed', status = 'Active' WHERE seq = 3;"
		     "UPDATE cases SET case_stage = 'reintegration', status = 'Active' WHERE seq = 4;"
		     "UPDATE cases SET case_stage = 'screening', status = 'ClosedReferred' WHERE seq = 5;"
		     "DELETE FROM stages; PRAGMA user_version = 10;");
	return db;
}

static void test_stage_becomes_the_truth(void **state)
{
	(void)state;
	cbt_sqlite_only("schema step 11 (a PostgreSQL database is made at the current version)");
	const char *db = old_db(6);
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	cb_store_free(&s);
	assert_true(cbt_sql_int(db, "PRAGMA user_version") >= 11);
	/* the status a person set wins over a stage nobody moved */
	assert_int_equal(cbt_sql_int(db, "SELECT case_stage = 'closed' AND status = 'Closed' FROM cases WHERE seq = 1"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT case_stage = 'follow_up' AND status = 'FollowUp' FROM cases WHERE seq = 2"), 1);
	/* a closed stage stays closed, and its status says so */
	assert_int_equal(cbt_sql_int(db, "SELECT case_stage = 'closed' AND status = 'Closed' FROM cases WHERE seq = 3"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT case_stage = 'reintegration' AND status = 'Active' FROM cases WHERE seq = 4"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT case_stage = 'closed' AND status = 'ClosedReferred' FROM cases WHERE seq = 5"), 1);
	/* no disagreement is left anywhere */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM cases WHERE (case_stage = 'closed') <> (status LIKE 'Closed%')"
					 " OR (case_stage = 'follow_up') <> (status = 'FollowUp')"), 0);
	/* the cases moved by the migration have a workflow step, so a reopened case goes back where it was */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM stages s JOIN cases c USING(case_id)"
					 " WHERE c.seq IN (1, 5) AND s.from_stage = 'screening' AND s.to_stage = 'closed'"), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM stages s JOIN cases c USING(case_id)"
					 " WHERE c.seq = 2 AND s.from_stage = 'assistance' AND s.to_stage = 'follow_up'"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM stages"), 3);
	/* a second open changes nothing */
	raw_exec(db, "UPDATE cases SET status = 'Closed' WHERE seq = 4");
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	cb_store_free(&s);
	assert_int_equal(cbt_sql_int(db, "SELECT status = 'Closed' FROM cases WHERE seq = 4"), 1);
}

static void test_new_case_status_follows_stage(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	struct cb_case c, got;
	/* an import that brings a status but no stage: the status stands for the stage */
	make_case(&c, 0, false);
	set(&c, "status", "FollowUp");
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_int_equal(got.case_stage, CB_case_stage_follow_up);
	assert_int_equal(got.status, CB_case_status_FollowUp);
	cb_case_clear(&got);
	cb_case_clear(&c);
	/* one that brings both: the stage wins */
	make_case(&c, 1, false);
	set(&c, "status", "Closed");
	set(&c, "case_stage", "assistance");
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_int_equal(got.case_stage, CB_case_stage_assistance);
	assert_int_equal(got.status, CB_case_status_Active);
	cb_case_clear(&got);
	cb_case_clear(&c);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_becomes_the_truth),
		cmocka_unit_test(test_new_case_status_follows_stage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
