/*
 * workflow.c -- the rules of the case workflow, follow-ups and the site dashboard (care/assist.h); their rows
 * are the store's (store/care_rows.h, workflow_rows.c).
 *
 * The workflow is one table, include/tbl/cb_states.h (care/states.h), so that what is allowed, what each step
 * needs, and the text of every refusal come from the same place (docs/assistance.md prints it).  A step is stored in `stages` with
 * its sealed reason, so a reopened case goes back to the stage it was closed from, and every step is an
 * audit entry.  Kept apart from assist.c, which holds the assistance records themselves.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "care/assist_impl.h"
#include "care/states.h"

/* ---- the workflow */

#define S(x) CB_case_stage_##x

static const char *stage_name(int32_t st) { return cb_vsets[CB_VS_case_stage].values[st].name; }

int cb_stage_parse(const char *name, int32_t *stage, struct cb_err *err)
{
	char vb[64], ab[300];
	if (name && strcmp(name, "reopen") == 0) {
		*stage = CB_NA;
		return CB_OK;
	}
	*stage = name ? cb_value_find(&cb_vsets[CB_VS_case_stage], name) : CB_NA;
	if (*stage != CB_NA)
		return CB_OK;
	cb_field_allowed(&cb_fields[CB_FLD_case_stage], ab, sizeof ab);
	return cb_err_field(err, CB_EINVAL, "case_stage", "case_stage: '%s' is not one of %s, reopen",
			    cb_err_value(name, vb), ab);
}

static bool reason_ok(const char *reason)
{
	return reason && strlen(reason) >= CB_REASON_MIN;
}

/* The screening decision: trafficking status and who decided it, not "not a victim", and consent. */
static int check_screened(const struct cb_case *c, struct cb_err *err)
{
	const char *lead = "case_stage: screening -> assistance needs the screening decision";
	if (c->trafficking_status == CB_NA && c->status_decided_by == CB_NA)
		return cb_err_field(err, CB_EINVAL, "trafficking_status",
				    "%s: trafficking_status and status_decided_by are missing", lead);
	if (c->trafficking_status == CB_NA)
		return cb_err_field(err, CB_EINVAL, "trafficking_status", "%s: trafficking_status is missing", lead);
	if (c->status_decided_by == CB_NA)
		return cb_err_field(err, CB_EINVAL, "status_decided_by", "%s: status_decided_by is missing", lead);
	if (c->trafficking_status == CB_trafficking_status_NotAVictim)
		return cb_err_field(err, CB_EINVAL, "trafficking_status",
				    "%s: trafficking_status is NotAVictimOfTrafficking; such a case is referred or closed "
				    "(with a reason), not assisted",
				    lead);
	if (c->consent_assistance != CB_yes_no_yes)
		return cb_err_field(err, CB_ECONSENT, "consent_assistance",
				    "%s: the person has not consented to assistance (consent_assistance is %s)", lead,
				    c->consent_assistance == CB_NA ? "missing" : "no");
	return CB_OK;
}

int cb_stage_check(const struct cb_case *c, int32_t to, const char *reason, int32_t closed_from, struct cb_err *err)
{
	char steps[200];
	int32_t from = c->case_stage == CB_NA ? S(screening) : c->case_stage;
	if (from < 0 || from >= CB_case_stage__COUNT || (to != CB_NA && (to < 0 || to >= CB_case_stage__COUNT)))
		return cb_err_field(err, CB_EINVAL, "case_stage", "case_stage: stage out of range");
	if (from == S(closed)) {
		int32_t back = closed_from == CB_NA ? S(screening) : closed_from;
		if (to != CB_NA && to != back)
			return cb_err_field(err, CB_EINVAL, "case_stage",
					    "case_stage: a closed case reopens to the stage it was closed from (%s), not %s",
					    stage_name(back), stage_name(to));
		if (!reason_ok(reason))
			return cb_err_field(err, CB_EINVAL, "reason",
					    "case_stage: reopening a closed case needs a reason of at least %d characters",
					    CB_REASON_MIN);
		return CB_OK;
	}
	if (to == CB_NA)
		return cb_err_field(err, CB_EINVAL, "case_stage", "case_stage: only a closed case can be reopened (this one is at %s)",
				    stage_name(from));
	if (to == from)
		return cb_err_field(err, CB_EINVAL, "case_stage", "case_stage: the case is already at %s", stage_name(to));
	unsigned needs = 0;
	if (!cb_move_allowed(CB_MACHINE_stage, from, to, &needs))
		return cb_err_field(err, CB_EINVAL, "case_stage",
				    "case_stage: %s -> %s is not a step of the workflow; from %s a case moves to %s",
				    stage_name(from), stage_name(to), stage_name(from), cb_move_targets(CB_MACHINE_stage, from, true, steps, sizeof steps));
	if (needs & CB_MOVE_SCREENED)
		return check_screened(c, err);
	if ((needs & CB_MOVE_REASON) && !reason_ok(reason))
		return cb_err_field(err, CB_EINVAL, "reason",
				    "case_stage: closing a case at %s, before follow-up, needs a reason of at least %d "
				    "characters",
				    stage_name(from), CB_REASON_MIN);
	return CB_OK;
}

int cb_stage_get(struct cb_store *s, const uint8_t case_id[16], int32_t *stage, struct cb_err *err)
{
	struct cb_case c;
	int rc = cb_store_get(s, case_id, 0, &c, err);
	if (rc == CB_OK)
		*stage = c.case_stage == CB_NA ? S(screening) : c.case_stage;
	cb_case_clear(&c);
	return rc;
}

/* cas_Status that goes with a stage (cb_states.h): a closed case keeps "ClosedReferred" if it had it. */
static int32_t status_for(int32_t stage, int32_t status)
{
	if (stage == S(closed) && status == CB_case_status_ClosedReferred)
		return status;
	return cb_stage_status(stage);
}

int cb_stage_move(struct cb_store *s, const uint8_t case_id[16], int32_t to, const char *reason,
		  const struct cb_user *by, struct cb_err *err)
{
	struct cb_case c;
	int32_t back = CB_NA, from;
	char detail[96];
	int rc;
	cb_case_init(&c);
	if ((rc = cb_ax_check_text(reason, "reason", err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_get(s, case_id, 0, &c, err)) != CB_OK ||
	    (rc = cb_stage_closed_from(s, case_id, &back, err)) != CB_OK ||
	    (rc = cb_stage_check(&c, to, reason, back, err)) != CB_OK)
		goto out;
	from = c.case_stage == CB_NA ? S(screening) : c.case_stage;
	const bool reopen = from == S(closed);
	if (reopen)
		to = back == CB_NA ? S(screening) : back;
	c.status = status_for(to, c.status);
	c.case_stage = to;
	/* the reason may describe the person: sealed with the step, and not in the audit entry */
	snprintf(detail, sizeof detail, "from=%s to=%s%s", stage_name(from), stage_name(to), reason ? " reason=sealed" : "");
	if ((rc = cb_store_update_kept(s, &c, err)) != CB_OK ||
	    (rc = cb_stage_row_add(s, case_id, from, to, reason, err)) != CB_OK ||
	    (rc = cb_store_audit_by(s, by, reopen ? CB_AUD_CASE_REOPEN : CB_AUD_CASE_STAGE, case_id, detail, err)) != CB_OK)
		goto out;
out:
	cb_case_clear(&c);
	return cb_store_tx_end(s, rc, err);
}

/* ---- follow-ups */

int cb_followup_add(struct cb_store *s, struct cb_followup *f, struct cb_err *err)
{
	int rc;
	if (f->due_on == CB_NA)
		return cb_err_field(err, CB_EINVAL, "due_on", "due_on: a follow-up needs a due date (YYYY-MM-DD)");
	if ((rc = cb_ax_check_text(f->note, "note", err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_case_exists(s, f->case_id, err)) == CB_OK)
		rc = cb_followup_row_add(s, f, err);
	return cb_store_tx_end(s, rc, err);
}

/* ---- the dashboard */

/* First day of the month `back` months before the month of `day`. */
static int32_t month_start(int32_t day, int back)
{
	char d[11], t[32];
	int32_t out = CB_NA;
	cb_date_format(day, d);
	int y = atoi(d), m = atoi(d + 5) - back;
	while (m < 1) {
		m += 12;
		y--;
	}
	snprintf(t, sizeof t, "%04d-%02d-01", y, m);
	cb_date_parse(t, &out);
	return out;
}

struct delivered {
	int32_t today;
	struct cb_dashboard *d;
};

static int add_delivered(int32_t type, int32_t day, long count, void *ctx)
{
	struct delivered *c = ctx;
	for (int k = CB_DASH_MONTHS - 1; k >= 0; k--)
		if (day >= month_start(c->today, CB_DASH_MONTHS - 1 - k)) {
			c->d->delivered[k][type] += count;
			break;
		}
	return CB_OK;
}

static int count_overdue(const struct cb_followup *f, void *ctx)
{
	(void)f;
	++*(long *)ctx;
	return 0;
}

struct shelters {
	struct cb_store *s;
	int32_t today;
	struct cb_dashboard *d;
	struct cb_err *err;
};

static int add_shelter(const struct cb_partner *p, void *ctx)
{
	struct shelters *c = ctx;
	struct cb_dashboard *d = c->d;
	if (p->beds == CB_NA)
		return CB_OK;
	struct cb_dash_shelter *n = realloc(d->shelters, (size_t)(d->nshelters + 1) * sizeof *n);
	if (!n)
		return cb_err_set(c->err, CB_ENOMEM, "out of memory");
	d->shelters = n;
	struct cb_dash_shelter *sh = &d->shelters[d->nshelters++];
	memset(sh, 0, sizeof *sh);
	sh->id = p->id;
	snprintf(sh->name, sizeof sh->name, "%s", p->name);
	sh->beds = p->beds;
	return cb_shelter_occupancy(c->s, sh->id, c->today, &sh->occupied, c->err);
}

/* The shelters an office sees, by the directory's one scope rule (partners.c): its own entries and those of
 * every office. */
static int dash_shelters(struct cb_store *s, const char *site, int32_t today, struct cb_dashboard *d,
			 struct cb_err *err)
{
	struct cb_partner_filter f = {.service = CB_NA, .country = CB_NA, .site = site};
	struct shelters c = {s, today, d, err};
	return cb_partner_list(s, &f, add_shelter, &c, err);
}

int cb_dashboard(struct cb_store *s, const char *site, int32_t today, struct cb_dashboard *d, struct cb_err *err)
{
	struct cb_followup_filter f = {.site = site, .overdue = true, .today = today};
	int rc;
	memset(d, 0, sizeof *d);
	if (today == CB_NA)
		today = cb_date_today();
	f.today = today;
	d->month0 = month_start(today, CB_DASH_MONTHS - 1);
	struct delivered dc = {today, d};
	if ((rc = cb_stage_counts(s, site, d->by_stage, err)) != CB_OK ||
	    (rc = cb_assist_delivered(s, site, d->month0, today, add_delivered, &dc, err)) != CB_OK ||
	    (rc = cb_followup_list(s, &f, 0, count_overdue, &d->overdue, err)) != CB_OK ||
	    (rc = dash_shelters(s, site, today, d, err)) != CB_OK)
		cb_dashboard_clear(d);
	return rc;
}

void cb_dashboard_clear(struct cb_dashboard *d)
{
	free(d->shelters);
	memset(d, 0, sizeof *d);
}
