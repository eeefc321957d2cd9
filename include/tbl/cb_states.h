/*
 * cb_states.h -- the state machines of casework: the single source of truth for where a case, a referral and
 * an assistance record may go next.
 *
 * src/care/ checks every move against these tables (workflow.c, partners.c, assist.c) and builds its refusals
 * from them; /api/codebook exports them, so the web pages build their menus from the same rows and copy none.
 * The states themselves are value sets of cb_values.h (their names are the public contract); these tables add
 * what is allowed between them.  Adding a state: a row in cb_values.h, then its rows here.
 *
 *   CB_MACHINES(M)  M(id, value set, initial state, "what")
 *                   one row a machine.  The initial state is what a new record starts in (an input of CB_NA).
 *   CB_MOVES_<id>(T) T(id, from, to, needs)
 *                   one row an allowed move; any pair without a row is refused.  needs: what the move requires
 *                   besides being allowed, or'ed from CB_MOVE_NEEDS below (0: nothing).
 *   CB_STAGE_STATUS(S) S(stage, case status)
 *                   the cas_Status a case gets at each stage (a closed case keeps ClosedReferred if it had it).
 *   CB_CARE_SETS(S) S(value set)
 *                   the value sets of casework records that are not case fields (exported with the machines).
 *
 * A closed case reopens, with a reason, to the stage it was closed from: its row, closed -> closed with
 * CB_MOVE_REOPEN, says that it may; where it goes is the case's own history, not a row.  The assistance machine lets any status become
 * any other (a plan changes, a cancelled record is taken up again): its rows say so one by one, so that a rule
 * added later is a row removed.
 */

/* What a move needs besides being allowed (flags). */
#define CB_MOVE_NEEDS(N) \
	N(NONE,     0, "")                                                      \
	N(SCREENED, 1, "the screening decision and consent to assistance")     \
	N(REASON,   2, "a reason")                                              \
	N(REOPEN,   4, "a reason; back to the stage the case was closed from")

/*         id          value set          initial     what */
#define CB_MACHINES(M) \
	M(stage,      case_stage,        screening, "a case's workflow stage")                   \
	M(referral,   referral_status,   pending,   "a referral's status")                       \
	M(assistance, assistance_status, planned,   "an assistance record's status")

/* The workflow: screening -> assistance -> return -> reintegration -> follow_up -> closed, and closing early
 * with a reason.  docs/assistance.md prints this table. */
#define CB_MOVES_stage(T) \
	T(stage, screening,     assistance,    SCREENED) \
	T(stage, screening,     closed,        REASON)   \
	T(stage, assistance,    return,        NONE)     \
	T(stage, assistance,    reintegration, NONE)     \
	T(stage, assistance,    closed,        REASON)   \
	T(stage, return,        reintegration, NONE)     \
	T(stage, return,        closed,        REASON)   \
	T(stage, reintegration, follow_up,     NONE)     \
	T(stage, reintegration, closed,        REASON)   \
	T(stage, follow_up,     closed,        NONE)     \
	T(stage, closed,        closed,        REOPEN)

/* A referral: pending -> accepted | rejected, accepted -> completed. */
#define CB_MOVES_referral(T) \
	T(referral, pending,  accepted,  NONE) \
	T(referral, pending,  rejected,  NONE) \
	T(referral, accepted, completed, NONE)

/* An assistance record: any status to any other. */
#define CB_MOVES_assistance(T) \
	T(assistance, planned,   ongoing,   NONE) \
	T(assistance, planned,   completed, NONE) \
	T(assistance, planned,   cancelled, NONE) \
	T(assistance, ongoing,   planned,   NONE) \
	T(assistance, ongoing,   completed, NONE) \
	T(assistance, ongoing,   cancelled, NONE) \
	T(assistance, completed, planned,   NONE) \
	T(assistance, completed, ongoing,   NONE) \
	T(assistance, completed, cancelled, NONE) \
	T(assistance, cancelled, planned,   NONE) \
	T(assistance, cancelled, ongoing,   NONE) \
	T(assistance, cancelled, completed, NONE)

/* cas_Status at each stage. */
#define CB_STAGE_STATUS(S) \
	S(screening,     Active)   \
	S(assistance,    Active)   \
	S(return,        Active)   \
	S(reintegration, Active)   \
	S(follow_up,     FollowUp) \
	S(closed,        Closed)

/* Value sets of casework records that are not case fields. */
#define CB_CARE_SETS(S) S(assistance_type) S(assistance_status) S(referral_status) S(referral_reason) S(org_type)
