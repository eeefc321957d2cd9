/*
 * test_states.c -- tests of src/care/states.c: the state machines built from include/tbl/cb_states.h allow
 * exactly their rows, quote them in refusals, and give each stage its case status.
 */
#include "cb_test.h"

#include "care/states.h"

static void test_machines(void **state)
{
	(void)state;
	assert_string_equal(cb_machines[CB_MACHINE_stage].id, "stage");
	assert_int_equal(cb_machines[CB_MACHINE_stage].vset, CB_VS_case_stage);
	assert_int_equal(cb_machines[CB_MACHINE_stage].initial, CB_case_stage_screening);
	assert_int_equal(cb_machines[CB_MACHINE_referral].initial, CB_referral_status_pending);
	assert_int_equal(cb_machines[CB_MACHINE_assistance].initial, CB_assistance_status_planned);
	assert_int_equal(cb_machines[CB_MACHINE_referral].nmoves, 3);
	assert_int_equal(cb_machines[CB_MACHINE_assistance].nmoves, 12);
}

static void test_moves(void **state)
{
	(void)state;
	unsigned needs = 99;
	assert_true(cb_move_allowed(CB_MACHINE_stage, CB_case_stage_screening, CB_case_stage_assistance, &needs));
	assert_int_equal(needs, CB_MOVE_SCREENED);
	assert_true(cb_move_allowed(CB_MACHINE_stage, CB_case_stage_return, CB_case_stage_closed, &needs));
	assert_int_equal(needs, CB_MOVE_REASON);
	assert_true(cb_move_allowed(CB_MACHINE_stage, CB_case_stage_follow_up, CB_case_stage_closed, &needs));
	assert_int_equal(needs, CB_MOVE_NONE);
	assert_false(cb_move_allowed(CB_MACHINE_stage, CB_case_stage_screening, CB_case_stage_return, NULL));
	assert_false(cb_move_allowed(CB_MACHINE_stage, CB_case_stage_follow_up, CB_case_stage_assistance, NULL));
	assert_true(cb_move_allowed(CB_MACHINE_referral, CB_referral_status_pending, CB_referral_status_rejected, NULL));
	assert_false(cb_move_allowed(CB_MACHINE_referral, CB_referral_status_rejected, CB_referral_status_accepted, NULL));
	assert_false(cb_move_allowed(CB_MACHINE_referral, CB_referral_status_pending, CB_referral_status_completed, NULL));
	for (int32_t a = 0; a < CB_assistance_status__COUNT; a++)
		for (int32_t b = 0; b < CB_assistance_status__COUNT; b++)
			assert_int_equal(cb_move_allowed(CB_MACHINE_assistance, a, b, NULL), a != b);
	assert_false(cb_move_allowed((enum cb_machine_id)CB_MACHINE__COUNT, 0, 1, NULL));
}

static void test_texts(void **state)
{
	(void)state;
	char buf[256];
	assert_string_equal(cb_move_targets(CB_MACHINE_stage, CB_case_stage_assistance, true, buf, sizeof buf),
			    "return, reintegration, closed (with a reason)");
	assert_string_equal(cb_move_targets(CB_MACHINE_referral, CB_referral_status_pending, false, buf, sizeof buf),
			    "accepted or rejected");
	assert_string_equal(cb_move_targets(CB_MACHINE_stage, CB_case_stage_closed, true, buf, sizeof buf), "");
	assert_string_equal(cb_move_summary(CB_MACHINE_referral, buf, sizeof buf),
			    "pending -> accepted or rejected, accepted -> completed");
	assert_string_equal(cb_move_need_text(CB_MOVE_REASON), "a reason");
}

static void test_stage_status(void **state)
{
	(void)state;
	assert_int_equal(cb_stage_status(CB_case_stage_screening), CB_case_status_Active);
	assert_int_equal(cb_stage_status(CB_case_stage_follow_up), CB_case_status_FollowUp);
	assert_int_equal(cb_stage_status(CB_case_stage_closed), CB_case_status_Closed);
	assert_int_equal(cb_stage_status(CB_case_stage__COUNT), CB_NA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machines),
		cmocka_unit_test(test_moves),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_stage_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
