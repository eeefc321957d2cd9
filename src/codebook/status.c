/*
 * status.c -- the case status (cas_Status) as a function of the workflow stage.
 *
 * The workflow stage is the one source of truth for where a case stands; cas_Status, which HTCDS and CTDC
 * files carry, is derived from it on every write (include/tbl/cb_states.h's CB_STAGE_STATUS), so the two
 * can never disagree (a case "Closed" yet "in Screening").  The one way back is an imported file that brings
 * a status but no stage: its stage is read from the status, once, when the case is added.  Here rather than
 * in care/states.c because the store, below care, derives it on every write.
 */
#include "codebook/codebook.h"
#include "tbl/cb_states.h"

static const int32_t status_at[CB_case_stage__COUNT] = {
#define S(stage, status) [CB_case_stage_##stage] = CB_case_status_##status,
	CB_STAGE_STATUS(S)
#undef S
};

int32_t cb_status_of_stage(int32_t stage, int32_t status)
{
	if (stage < 0 || stage >= CB_case_stage__COUNT)
		stage = CB_case_stage_screening;
	/* "closed (referred)" is the one detail the stage does not carry */
	if (stage == CB_case_stage_closed && status == CB_case_status_ClosedReferred)
		return status;
	return status_at[stage];
}

int32_t cb_stage_of_status(int32_t status)
{
	if (status == CB_case_status_ClosedReferred)
		status = CB_case_status_Closed;
	/* the first stage with that status (Active: screening, where a new case starts) */
	for (int32_t st = 0; st < CB_case_stage__COUNT; st++)
		if (status_at[st] == status)
			return st;
	return CB_case_stage_screening;
}
