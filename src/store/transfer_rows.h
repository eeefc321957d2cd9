/*
 * transfer_rows.h -- the storage of who holds a case: its assigned caseworker (table assignments) and its
 * transfers between offices (table transfers), schema step 6 (transfer_rows.c).  The rules -- who may, in
 * which order, with which audit entry -- are care/transfer.h's; these run inside its transaction.
 */
#ifndef CB_TRANSFER_ROWS_H
#define CB_TRANSFER_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* The account a case is assigned to ("" when none): CB_OK, or CB_ENOTFOUND without the case. */
int cb_assign_get(struct cb_store *s, const uint8_t id[16], char user[65], struct cb_err *err);
/* Sets (user) or clears (NULL) the assignment. */
int cb_assign_set(struct cb_store *s, const uint8_t id[16], const char *user, struct cb_err *err);
/* The cases assigned to user, newest registration first: fn gets each id (stops at its first non-zero). */
int cb_assign_cases(struct cb_store *s, const char *user, int (*fn)(const uint8_t id[16], void *ctx), void *ctx,
		    struct cb_err *err);

enum cb_transfer_state { CB_TRANSFER_REQUESTED, CB_TRANSFER_ACCEPTED, CB_TRANSFER_REJECTED };
struct cb_transfer {
	int64_t id;
	uint8_t case_id[16];
	char from_site[17], to_site[17];
	char reason[48];          /* a request reason's name (care/transfer.h) */
	enum cb_transfer_state state;
	char requested_by[65];    /* account name; "" for the local operator */
	int64_t requested_at;     /* seconds since 1970 */
	char decided_by[65];
	int64_t decided_at;       /* 0 while requested */
	char decision_reason[48]; /* a rejection reason's name, "" if none */
};
const char *cb_transfer_state_name(enum cb_transfer_state st);

int cb_transfer_row_add(struct cb_store *s, struct cb_transfer *t, struct cb_err *err); /* sets t->id */
/* CB_ENOTFOUND without such a transfer. */
int cb_transfer_row_get(struct cb_store *s, int64_t id, struct cb_transfer *t, struct cb_err *err);
/* The open request of a case, if any: CB_ENOTFOUND when there is none. */
int cb_transfer_row_open(struct cb_store *s, const uint8_t case_id[16], struct cb_transfer *t, struct cb_err *err);
int cb_transfer_row_decide(struct cb_store *s, const struct cb_transfer *t, struct cb_err *err);
/* Moves a case to another office (accepted transfer): its site, a new version, no assignment. */
int cb_transfer_move_case(struct cb_store *s, const uint8_t case_id[16], const char *to_site, struct cb_err *err);
/* Transfers by filter (NULL / -1: any), newest first. */
struct cb_transfer_filter {
	const char *to_site, *from_site;
	const uint8_t *case_id;
	int state; /* enum cb_transfer_state, or -1 */
};
int cb_transfer_rows(struct cb_store *s, const struct cb_transfer_filter *f,
		     int (*fn)(const struct cb_transfer *t, void *ctx), void *ctx, struct cb_err *err);

#endif
