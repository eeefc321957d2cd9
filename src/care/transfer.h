/*
 * transfer.h -- who holds a case (transfer.c): the caseworker it is assigned to, and its transfer to another
 * office, requested by the holding office and accepted or rejected by the receiving one.
 *
 * The casework rules live here (a transfer goes to another office, one open request a case, a rejection
 * says why, the case stays where it is until accepted, acceptance moves it and ends its assignment); who
 * may do each step is the access policy's (access/policy.c), asked by the doors (command line, server)
 * before they call these.  Every step is audited in its own transaction; reasons are coded, never free text.
 */
#ifndef CB_CARE_TRANSFER_H
#define CB_CARE_TRANSFER_H

#include "store/account.h"
#include "store/transfer_rows.h"

/* Assigns case id to the account `user` (NULL: unassigns), as `by` (NULL: the local operator).  The account
 * must exist, be enabled, and be a manager or a caseworker of the case's office (CB_EINVAL naming `user`);
 * CB_ENOTFOUND without the case. */
int cb_case_assign(struct cb_store *s, const uint8_t id[16], const char *user, const struct cb_user *by,
		   struct cb_err *err);

/* Requests the transfer of case id to office to_site for reason (a value name of CB_VS_transfer_reason).  CB_EINVAL
 * for a malformed office, the case's own office or an unknown reason; CB_EEXIST when a request is open;
 * CB_ENOTFOUND without the case.  *out (may be NULL) gets the request. */
int cb_transfer_request(struct cb_store *s, const uint8_t id[16], const char *to_site, const char *reason,
			const struct cb_user *by, struct cb_transfer *out, struct cb_err *err);
/* Accepts or rejects transfer tid (a rejection needs a value name of CB_VS_transfer_reject_reason; an acceptance may have none).
 * CB_ECONFLICT when it was decided already, CB_ENOTFOUND when there is no such transfer.  Acceptance moves
 * the case to the receiving office and clears its assignment. */
int cb_transfer_decide(struct cb_store *s, int64_t tid, bool accept, const char *reason, const struct cb_user *by,
		       struct cb_transfer *out, struct cb_err *err);

#endif
