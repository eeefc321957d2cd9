/*
 * states.c -- the state machines of casework, built from include/tbl/cb_states.h (states.h): one table of
 * allowed moves per machine, and the texts refusals quote from it, so that the rule and its explanation
 * cannot drift apart.
 */
#include <stdio.h>
#include <string.h>

#include "care/states.h"

#define T(id, from, to, need) {CB_##id##_VALUE(from), CB_##id##_VALUE(to), CB_MOVE_##need},
#define CB_stage_VALUE(v) CB_case_stage_##v
#define CB_referral_VALUE(v) CB_referral_status_##v
#define CB_assistance_VALUE(v) CB_assistance_status_##v
static const struct cb_move stage_moves[] = {CB_MOVES_stage(T)};
static const struct cb_move referral_moves[] = {CB_MOVES_referral(T)};
static const struct cb_move assistance_moves[] = {CB_MOVES_assistance(T)};
#undef T

const struct cb_machine cb_machines[CB_MACHINE__COUNT] = {
#define M(id, vs, init, text) \
	[CB_MACHINE_##id] = {#id, CB_VS_##vs, CB_##vs##_##init, text, id##_moves, CB_COUNTOF(id##_moves)},
	CB_MACHINES(M)
#undef M
};

const char *cb_move_need_text(unsigned need)
{
#define N(id, bit, text) \
	if (need == (bit)) \
		return text;
	CB_MOVE_NEEDS(N)
#undef N
	return "";
}

bool cb_move_allowed(enum cb_machine_id m, int32_t from, int32_t to, unsigned *needs)
{
	if ((unsigned)m >= CB_MACHINE__COUNT)
		return false;
	for (size_t i = 0; i < cb_machines[m].nmoves; i++)
		if (cb_machines[m].moves[i].from == from && cb_machines[m].moves[i].to == to) {
			if (needs)
				*needs = cb_machines[m].moves[i].needs;
			return true;
		}
	return false;
}

static const char *state_name(enum cb_machine_id m, int32_t v)
{
	return cb_vsets[cb_machines[m].vset].values[v].name;
}

const char *cb_move_targets(enum cb_machine_id m, int32_t from, bool each_need, char *buf, size_t n)
{
	size_t o = 0, k = 0, count = 0;
	buf[0] = 0;
	if ((unsigned)m >= CB_MACHINE__COUNT)
		return buf;
	for (size_t i = 0; i < cb_machines[m].nmoves; i++)
		count += cb_machines[m].moves[i].from == from && !(cb_machines[m].moves[i].needs & CB_MOVE_REOPEN);
	for (size_t i = 0; i < cb_machines[m].nmoves && o < n; i++) {
		const struct cb_move *mv = &cb_machines[m].moves[i];
		if (mv->from != from || (mv->needs & CB_MOVE_REOPEN))
			continue;
		const char *sep = !k ? "" : each_need ? ", " : k + 1 == count ? " or " : ", ";
		o += (size_t)snprintf(buf + o, n - o, "%s%s%s", sep, state_name(m, mv->to),
				      each_need && (mv->needs & CB_MOVE_REASON) ? " (with a reason)" : "");
		k++;
	}
	return buf;
}

const char *cb_move_summary(enum cb_machine_id m, char *buf, size_t n)
{
	size_t o = 0;
	char to[256];
	buf[0] = 0;
	if ((unsigned)m >= CB_MACHINE__COUNT)
		return buf;
	for (int32_t from = 0; from < cb_vsets[cb_machines[m].vset].count && o < n; from++)
		if (*cb_move_targets(m, from, false, to, sizeof to))
			o += (size_t)snprintf(buf + o, n - o, "%s%s -> %s", o ? ", " : "", state_name(m, from), to);
	return buf;
}

int32_t cb_stage_status(int32_t stage)
{
	switch (stage) {
#define S(stage, status) \
	case CB_case_stage_##stage: \
		return CB_case_status_##status;
		CB_STAGE_STATUS(S)
#undef S
	}
	return CB_NA;
}
