/*
 * states.h -- the state machines of casework (states.c), generated from include/tbl/cb_states.h: which moves
 * a case's stage, a referral's status and an assistance record's status may make, and what each needs.
 * care/ checks moves here; the server exports the same tables in /api/codebook.
 */
#ifndef CB_STATES_H
#define CB_STATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codebook/codebook.h"
#include "tbl/cb_states.h"

enum cb_machine_id {
#define M(id, vs, initial, what) CB_MACHINE_##id,
	CB_MACHINES(M)
#undef M
	CB_MACHINE__COUNT
};

/* What a move needs besides being allowed (flags): CB_MOVE_SCREENED, CB_MOVE_REASON, CB_MOVE_REOPEN. */
enum cb_move_needs {
#define N(id, bit, what) CB_MOVE_##id = bit,
	CB_MOVE_NEEDS(N)
#undef N
};
/* The text of one flag ("a reason"), "" for CB_MOVE_NONE. */
const char *cb_move_need_text(unsigned need);

struct cb_move {
	int32_t from, to; /* values of the machine's value set */
	unsigned needs;   /* CB_MOVE_* flags */
};
struct cb_machine {
	const char *id;        /* "stage", "referral", "assistance" */
	enum cb_vset_id vset;  /* its states */
	int32_t initial;       /* where a new record starts */
	const char *what;
	const struct cb_move *moves;
	size_t nmoves;
};
extern const struct cb_machine cb_machines[CB_MACHINE__COUNT];

/* Whether from -> to is a move of machine m; *needs (may be NULL) gets what it needs. */
bool cb_move_allowed(enum cb_machine_id m, int32_t from, int32_t to, unsigned *needs);
/* Where `from` may go, for a refusal: "accepted or rejected" (with `each_need`: "return, reintegration,
 * closed (with a reason)"); "" when nowhere.  Returns buf. */
const char *cb_move_targets(enum cb_machine_id m, int32_t from, bool each_need, char *buf, size_t n);
/* Every move of m in a line: "pending -> accepted or rejected, accepted -> completed".  Returns buf. */
const char *cb_move_summary(enum cb_machine_id m, char *buf, size_t n);
/* The cas_Status of a case at `stage` (CB_STAGE_STATUS); CB_NA for a stage out of range. */
int32_t cb_stage_status(int32_t stage);

#endif
