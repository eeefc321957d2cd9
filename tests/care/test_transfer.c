/*
 * test_transfer.c -- tests of src/care/transfer.c: assignment to a caseworker of the case's office or a
 * manager only; a transfer goes to another office, one open request at a time, stays until accepted, moves
 * the case (and ends its assignment) when accepted, not when rejected; a rejection needs a coded reason;
 * a decided transfer cannot be decided again; every step is audited.
 */
#include "store/store_helpers.h"

#include "care/transfer.h"
#include "store/user_rows.h"

static void test_assign_and_transfer(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_case c;
	struct cb_err err = {0};
	struct cb_transfer t;
	struct cb_user u;
	char who[65];
	make_case(&c, 1, false); /* office KYIV-1 */
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_user_row_add(s, "olha", CB_ROLE_CASEWORKER, "KYIV-1", "x", &err), CB_OK);
	assert_int_equal(cb_user_row_add(s, "petro", CB_ROLE_CASEWORKER, "LVIV-2", "x", &err), CB_OK);
	assert_int_equal(cb_user_row_add(s, "mara", CB_ROLE_MANAGER, "", "x", &err), CB_OK);
	assert_int_equal(cb_user_row_get(s, "mara", 0, &u, &err), CB_OK);
	/* assignment */
	assert_int_equal(cb_case_assign(s, c.case_id, "petro", NULL, &err), CB_EINVAL); /* another office */
	assert_int_equal(cb_case_assign(s, c.case_id, "nobody", NULL, &err), CB_EINVAL);
	assert_int_equal(cb_case_assign(s, c.case_id, "olha", &u, &err), CB_OK);
	assert_int_equal(cb_assign_get(s, c.case_id, who, &err), CB_OK);
	assert_string_equal(who, "olha");
	assert_int_equal(cb_case_assign(s, c.case_id, "MARA", NULL, &err), CB_OK); /* names ignore case */
	assert_int_equal(cb_assign_get(s, c.case_id, who, &err), CB_OK);
	assert_string_equal(who, "mara");
	assert_int_equal(cb_case_assign(s, c.case_id, "olha", NULL, &err), CB_OK);
	/* requests */
	assert_int_equal(cb_transfer_request(s, c.case_id, "KYIV-1", "PersonMoved", NULL, &t, &err), CB_EINVAL);
	assert_int_equal(cb_transfer_request(s, c.case_id, "lviv 2", "PersonMoved", NULL, &t, &err), CB_EINVAL);
	assert_int_equal(cb_transfer_request(s, c.case_id, "LVIV-2", "Because", NULL, &t, &err), CB_EINVAL);
	assert_int_equal(cb_transfer_request(s, c.case_id, "LVIV-2", "PersonMoved", &u, &t, &err), CB_OK);
	assert_string_equal(t.from_site, "KYIV-1");
	assert_string_equal(t.requested_by, "mara");
	assert_int_equal(cb_transfer_request(s, c.case_id, "ODESA-3", "Safety", NULL, NULL, &err), CB_EEXIST);
	/* until accepted the case stays */
	struct cb_case got;
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_string_equal(got.site, "KYIV-1");
	/* rejected: needs a coded reason; stays */
	assert_int_equal(cb_transfer_decide(s, t.id, false, NULL, NULL, NULL, &err), CB_EINVAL);
	assert_int_equal(cb_transfer_decide(s, t.id, false, "NoCapacity", NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_transfer_decide(s, t.id, true, NULL, NULL, NULL, &err), CB_ECONFLICT);
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_string_equal(got.site, "KYIV-1");
	/* accepted: moves, with a new version, and the assignment ends */
	assert_int_equal(cb_transfer_request(s, c.case_id, "LVIV-2", "Safety", NULL, &t, &err), CB_OK);
	assert_int_equal(cb_transfer_decide(s, t.id, true, NULL, NULL, &t, &err), CB_OK);
	assert_int_equal(t.state, CB_TRANSFER_ACCEPTED);
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_string_equal(got.site, "LVIV-2");
	assert_true(got.version > c.version);
	assert_int_equal(cb_assign_get(s, c.case_id, who, &err), CB_OK);
	assert_string_equal(who, "");
	assert_int_equal(cb_transfer_decide(s, 999, true, NULL, NULL, NULL, &err), CB_ENOTFOUND);
	/* every step in the trail */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.assign'"), 3);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'transfer.request'"), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'transfer.reject'"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'transfer.accept'"), 1);
	cb_case_clear(&c);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign_and_transfer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
