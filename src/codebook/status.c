/*
 * status.c -- the case status (cas_Status) as a function of the workflow stage.
 *
 * The workflow stage is the one source of truth for where a case stands; cas_Status, which HTCDS and CTDC
 * files carry, is derived from it on every write, so the two can never disagree (a case "Closed" yet "in
 * Screening").  The one way back is an imported file that brings a status but no stage: its stage is read
 * from the status, once, when the case is added.
 */
#include "codebook/codebook.h"

int32_t cb_status_of_stage(int32_t stage, int32_t status)
{
	if (stage == CB_case_stage_closed)
		return status == CB_case_status_ClosedReferred ? status : CB_case_status_Closed;
	if (stage == CB_case_stage_follow_up)
		return CB_case_status_FollowUp;
	return CB_case_status_Active;
}

int32_t cb_stage_of_status(int32_t status)
{
	if (status == CB_case_status_Closed || status == CB_case_status_ClosedReferred)
		return CB_case_stage_closed;
	return status == CB_case_status_FollowUp ? CB_case_stage_follow_up : CB_case_stage_screening;
}
