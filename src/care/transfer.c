/*
 * transfer.c -- assignment and transfer of cases between offices (transfer.h).
 *
 * Each act is one transaction: the row, the move (for an accepted transfer) and the audit entry commit
 * together, so the trail never lacks a step and a step never happens without its entry.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "care/assist_impl.h"
#include "care/transfer.h"
#include "store/audit.h"
#include "store/user_rows.h"

/* A reason is a value name of its set in include/tbl/cb_values.h (transfer_reason, transfer_reject_reason). */
static int32_t reason_code(const char *r, enum cb_vset_id vs) { return r ? cb_value_find(&cb_vsets[vs], r) : CB_NA; }

static bool site_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int cb_case_assign(struct cb_store *s, const uint8_t id[16], const char *user, const struct cb_user *by,
		   struct cb_err *err)
{
	struct cb_case c;
	struct cb_user u;
	char detail[96];
	int rc;
	cb_case_init(&c);
	if ((rc = cb_store_get(s, id, 0, &c, err)) != CB_OK)
		return rc;
	if (user) {
		if (cb_user_row_get(s, user, 0, &u, NULL) != CB_OK || u.disabled ||
		    !(u.role == CB_ROLE_MANAGER || (u.role == CB_ROLE_CASEWORKER && !strcmp(u.site, c.site))))
			return cb_err_field(err, CB_EINVAL, "user",
					    "user: expected an enabled manager, or a caseworker of office %s", c.site);
		snprintf(detail, sizeof detail, "user=%s", u.name);
	} else {
		snprintf(detail, sizeof detail, "user=");
	}
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_assign_set(s, id, user ? u.name : NULL, err)) == CB_OK)
		rc = cb_store_audit_by(s, by, CB_AUD_CASE_ASSIGN, id, detail, err);
	return cb_store_tx_end(s, rc, err);
}

int cb_transfer_request(struct cb_store *s, const uint8_t id[16], const char *to_site, const char *reason,
			const struct cb_user *by, struct cb_transfer *out, struct cb_err *err)
{
	struct cb_case c;
	struct cb_transfer t = {0}, open;
	char detail[128];
	int rc;
	if (!site_ok(to_site))
		return cb_err_field(err, CB_EINVAL, "to", "to: expected an office code, 2 to 16 characters A-Z, 0-9 or -");
	if ((rc = cb_ax_check_value(CB_VS_transfer_reason, reason_code(reason, CB_VS_transfer_reason), "reason", err)))
		return rc;
	cb_case_init(&c);
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_get(s, id, 0, &c, err)) != CB_OK)
		goto out;
	if (!strcmp(c.site, to_site)) {
		rc = cb_err_field(err, CB_EINVAL, "to", "to: the case is at office %s already", to_site);
		goto out;
	}
	if ((rc = cb_transfer_row_open(s, id, &open, err)) != CB_ENOTFOUND) {
		if (rc == CB_OK)
			rc = cb_err_set(err, CB_EEXIST, "a transfer of this case to %s is waiting for that office (transfer %lld)",
					open.to_site, (long long)open.id);
		goto out;
	}
	memcpy(t.case_id, id, 16);
	snprintf(t.from_site, sizeof t.from_site, "%s", c.site);
	snprintf(t.to_site, sizeof t.to_site, "%s", to_site);
	snprintf(t.reason, sizeof t.reason, "%s", reason);
	snprintf(t.requested_by, sizeof t.requested_by, "%s", by ? by->name : "");
	if ((rc = cb_transfer_row_add(s, &t, err)) != CB_OK)
		goto out;
	snprintf(detail, sizeof detail, "transfer=%lld from=%s to=%s reason=%s", (long long)t.id, t.from_site, t.to_site,
		 reason);
	rc = cb_store_audit_by(s, by, CB_AUD_TRANSFER_REQUEST, id, detail, err);
out:
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK && out)
		*out = t;
	return rc;
}

int cb_transfer_decide(struct cb_store *s, int64_t tid, bool accept, const char *reason, const struct cb_user *by,
		       struct cb_transfer *out, struct cb_err *err)
{
	struct cb_transfer t;
	char detail[160];
	int rc;
	if (!accept && (rc = cb_ax_check_value(CB_VS_transfer_reject_reason,
						reason_code(reason, CB_VS_transfer_reject_reason), "reason", err)))
		return rc;
	if (accept && reason && reason_code(reason, CB_VS_transfer_reject_reason) == CB_NA &&
	    reason_code(reason, CB_VS_transfer_reason) == CB_NA)
		return cb_err_field(err, CB_EINVAL, "reason", "reason: not a known reason");
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_transfer_row_get(s, tid, &t, err)) != CB_OK)
		goto out;
	if (t.state != CB_TRANSFER_REQUESTED) {
		rc = cb_err_set(err, CB_ECONFLICT, "transfer %lld was %s already", (long long)tid, cb_transfer_state_name(t.state));
		goto out;
	}
	t.state = accept ? CB_TRANSFER_ACCEPTED : CB_TRANSFER_REJECTED;
	snprintf(t.decided_by, sizeof t.decided_by, "%s", by ? by->name : "");
	t.decided_at = (int64_t)time(NULL);
	snprintf(t.decision_reason, sizeof t.decision_reason, "%s", reason ? reason : "");
	if ((rc = cb_transfer_row_decide(s, &t, err)) != CB_OK)
		goto out;
	/* until now the case stayed where it was; accepted, it moves, and the sending office no longer sees it */
	if (accept && (rc = cb_transfer_move_case(s, t.case_id, t.to_site, err)) != CB_OK)
		goto out;
	snprintf(detail, sizeof detail, "transfer=%lld from=%s to=%s%s%s", (long long)tid, t.from_site, t.to_site,
		 reason ? " reason=" : "", reason ? reason : "");
	rc = cb_store_audit_by(s, by, accept ? CB_AUD_TRANSFER_ACCEPT : CB_AUD_TRANSFER_REJECT, t.case_id, detail, err);
out:
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK && out)
		*out = t;
	return rc;
}
