/*
 * test_status.c -- tests of src/codebook/status.c: the case status follows the workflow stage, and an
 * imported status stands for a stage.
 */
#include "cb_test.h"
#include "codebook/codebook.h"

static void test_status_of_stage(void **state)
{
	(void)state;
	assert_int_equal(cb_status_of_stage(CB_case_stage_screening, CB_case_status_Closed), CB_case_status_Active);
	assert_int_equal(cb_status_of_stage(CB_case_stage_assistance, CB_NA), CB_case_status_Active);
	assert_int_equal(cb_status_of_stage(CB_case_stage_reintegration, CB_case_status_FollowUp), CB_case_status_Active);
	assert_int_equal(cb_status_of_stage(CB_case_stage_follow_up, CB_case_status_Active), CB_case_status_FollowUp);
	assert_int_equal(cb_status_of_stage(CB_case_stage_closed, CB_case_status_Active), CB_case_status_Closed);
	/* a closed case keeps "closed (referred)", the one detail the stage does not carry */
	assert_int_equal(cb_status_of_stage(CB_case_stage_closed, CB_case_status_ClosedReferred),
			 CB_case_status_ClosedReferred);
	assert_int_equal(cb_status_of_stage(CB_case_stage_assistance, CB_case_status_ClosedReferred), CB_case_status_Active);
}

static void test_stage_of_status(void **state)
{
	(void)state;
	assert_int_equal(cb_stage_of_status(CB_case_status_Closed), CB_case_stage_closed);
	assert_int_equal(cb_stage_of_status(CB_case_status_ClosedReferred), CB_case_stage_closed);
	assert_int_equal(cb_stage_of_status(CB_case_status_FollowUp), CB_case_stage_follow_up);
	assert_int_equal(cb_stage_of_status(CB_case_status_Active), CB_case_stage_screening);
	assert_int_equal(cb_stage_of_status(CB_NA), CB_case_stage_screening);
	/* the round trip is the identity on every status a stage can give */
	for (int32_t st = 0; st < CB_case_stage__COUNT; st++) {
		int32_t status = cb_status_of_stage(st, CB_NA);
		assert_int_equal(cb_status_of_stage(st, status), status);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_of_stage),
		cmocka_unit_test(test_stage_of_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
