/*
 * workflow.c -- the case workflow, follow-ups and the site dashboard (care/assist.h).
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

/* The stage the case was last closed from, or CB_NA. */
static int closed_from(struct cb_store *s, const uint8_t case_id[16], int32_t *from, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT from_stage FROM stages WHERE case_id = ?1 AND to_stage = 'closed'"
			       " ORDER BY id DESC LIMIT 1",
			       &st, err);
	*from = CB_NA;
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*from = cb_ax_col_value(st, 0, CB_VS_case_stage);
	else if (r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "stages");
	if (*from < 0 || *from == S(closed))
		*from = CB_NA;
	sqlite3_finalize(st);
	return rc;
}

int cb_retention_due(struct cb_store *s, int64_t before, bool with_pii_only, uint8_t (**ids)[16], size_t *n,
		     struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	uint8_t(*out)[16] = NULL;
	size_t cap = 0, len = 0;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT case_id, pii IS NOT NULL FROM cases"
			       " WHERE case_stage = 'closed' AND coalesce("
			       "(SELECT max(at) FROM stages WHERE stages.case_id = cases.case_id AND to_stage = 'closed'),"
			       " updated_at) < ?1",
			       &st, err);
	if (rc != CB_OK)
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *id = sqlite3_column_blob(st, 0);
		if (sqlite3_column_bytes(st, 0) != 16 ||
		    (with_pii_only && !sqlite3_column_int(st, 1) && !cb_assist_has_notes(s, id)))
			continue;
		if (len == cap) {
			void *grown = realloc(out, (cap = cap ? 2 * cap : 64) * sizeof *out);
			if (!grown) {
				rc = cb_err_set(err, CB_ENOMEM, "out of memory");
				goto out;
			}
			out = grown;
		}
		memcpy(out[len++], id, 16);
	}
	if (r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "retention");
out:
	sqlite3_finalize(st);
	if (rc != CB_OK) {
		free(out);
		out = NULL;
		len = 0;
	}
	*ids = out;
	*n = len;
	return rc;
}


int cb_stage_move(struct cb_store *s, const uint8_t case_id[16], int32_t to, const char *reason,
		  const struct cb_user *by, struct cb_err *err)
{
	struct cb_case c;
	sqlite3_stmt *st = NULL;
	int32_t back = CB_NA, from;
	char detail[96];
	int rc;
	cb_case_init(&c);
	if ((rc = cb_ax_check_text(reason, "reason", err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_get(s, case_id, 0, &c, err)) != CB_OK || (rc = closed_from(s, case_id, &back, err)) != CB_OK ||
	    (rc = cb_stage_check(&c, to, reason, back, err)) != CB_OK)
		goto out;
	from = c.case_stage == CB_NA ? S(screening) : c.case_stage;
	const bool reopen = from == S(closed);
	if (reopen)
		to = back == CB_NA ? S(screening) : back;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"UPDATE cases SET case_stage = ?1, status = ?2, version = version + 1, updated_at = ?3"
				" WHERE case_id = ?4",
				&st, err)) != CB_OK)
		goto out;
	sqlite3_bind_text(st, 1, stage_name(to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cb_vsets[CB_VS_case_status].values[cb_status_of_stage(to, c.status)].name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_blob(st, 4, case_id, 16, SQLITE_STATIC);
	if (cb_store_step_done(st) != SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "stage");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"INSERT INTO stages(case_id, at, from_stage, to_stage) VALUES (?1, ?2, ?3, ?4)", &st,
				err)) != CB_OK)
		goto out;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 3, stage_name(from), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, stage_name(to), -1, SQLITE_STATIC);
	if (cb_store_step_done(st) != SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "stages");
		goto out;
	}
	int64_t step = sqlite3_last_insert_rowid(s->db);
	/* the reason may describe the person: sealed, and not in the audit entry */
	snprintf(detail, sizeof detail, "from=%s to=%s%s", stage_name(from), stage_name(to), reason ? " reason=sealed" : "");
	if ((reason && (rc = cb_ax_seal_into(s, case_id, "stages", "reason", step, reason, err)) != CB_OK) ||
	    (rc = cb_ax_event(s, by, reopen ? CB_AUD_CASE_REOPEN : CB_AUD_CASE_STAGE, case_id, detail, err)) != CB_OK)
		goto out;
out:
	sqlite3_finalize(st);
	cb_case_clear(&c);
	return cb_store_tx_end(s, rc, err);
}

/* ---- follow-ups */

void cb_followup_init(struct cb_followup *f)
{
	memset(f, 0, sizeof *f);
	f->due_on = f->done_on = CB_NA;
}

void cb_followup_clear(struct cb_followup *f)
{
	cb_text_free(&f->note);
	cb_followup_init(f);
}

int cb_followup_add(struct cb_store *s, struct cb_followup *f, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (f->due_on == CB_NA)
		return cb_err_field(err, CB_EINVAL, "due_on", "due_on: a follow-up needs a due date (YYYY-MM-DD)");
	if ((rc = cb_ax_check_text(f->note, "note", err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_ax_case_exists(s, f->case_id, err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, "prepare", 0,
				"INSERT INTO followups(case_id, due_on, done_on, created_at) VALUES (?1, ?2, ?3, ?4)",
				&st, err)) != CB_OK)
		goto out;
	sqlite3_bind_blob(st, 1, f->case_id, 16, SQLITE_STATIC);
	cb_ax_bind_date(st, 2, f->due_on);
	cb_ax_bind_date(st, 3, f->done_on);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	if (cb_store_step_done(st) != SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "follow-up");
		goto out;
	}
	f->id = sqlite3_last_insert_rowid(s->db);
	if (f->note)
		rc = cb_ax_seal_into(s, f->case_id, "followups", "note", f->id, f->note, err);
out:
	sqlite3_finalize(st);
	return cb_store_tx_end(s, rc, err);
}

int cb_followup_done(struct cb_store *s, int64_t id, int32_t day, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "UPDATE followups SET done_on = ?1 WHERE id = ?2", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_ax_bind_date(st, 1, day == CB_NA ? cb_date_today() : day);
	sqlite3_bind_int64(st, 2, id);
	if (cb_store_step_done(st) != SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "follow-up");
	else if (sqlite3_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no follow-up %lld", (long long)id);
	sqlite3_finalize(st);
	return rc;
}

int cb_followup_list(struct cb_store *s, const struct cb_followup_filter *f, unsigned flags,
		     int (*fn)(const struct cb_followup *f, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_followup fu;
	sqlite3_stmt *st = NULL;
	int rc, r = SQLITE_DONE;
	int32_t today = f && f->today != CB_NA ? f->today : cb_date_today();
	cb_followup_init(&fu);
	rc = cb_store_prep(s->db, "prepare", 0,
			   "SELECT f.id, f.case_id, c.site, f.due_on, f.done_on, f.note FROM followups f"
			   " JOIN cases c ON c.case_id = f.case_id"
			   " WHERE (?1 IS NULL OR c.site = ?1) AND (?2 IS NULL OR f.case_id = ?2)"
			   " AND (?3 = 0 OR (f.done_on IS NULL AND f.due_on < ?4)) ORDER BY f.due_on, f.id",
			   &st, err);
	if (rc != CB_OK)
		return rc;
	if (f && f->site)
		sqlite3_bind_text(st, 1, f->site, -1, SQLITE_STATIC);
	if (f && f->case_id)
		sqlite3_bind_blob(st, 2, f->case_id, 16, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f && f->overdue);
	cb_ax_bind_date(st, 4, today);
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
		cb_followup_clear(&fu);
		fu.id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) != 16) {
			rc = cb_err_set(err, CB_ECORRUPT, "follow-up %lld: malformed case id", (long long)fu.id);
			break;
		}
		memcpy(fu.case_id, sqlite3_column_blob(st, 1), 16);
		snprintf(fu.site, sizeof fu.site, "%s", sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
		fu.due_on = cb_ax_col_date(st, 3);
		fu.done_on = cb_ax_col_date(st, 4);
		if ((flags & CB_WITH_PII) && (rc = cb_ax_unseal(s, fu.case_id, "followups", fu.id, st, 5, &fu.note, err)))
			break;
		rc = fn(&fu, ctx);
	}
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "follow-ups");
	cb_followup_clear(&fu);
	sqlite3_finalize(st);
	return rc;
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

static int dash_stages(struct cb_store *s, const char *site, struct cb_dashboard *d, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT coalesce(case_stage, 'screening'), count(*) FROM cases WHERE ?1 IS NULL OR site = ?1"
			       " GROUP BY 1",
			       &st, err), r;
	if (rc != CB_OK)
		return rc;
	if (site)
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t v = cb_ax_col_value(st, 0, CB_VS_case_stage);
		if (v >= 0)
			d->by_stage[v] += sqlite3_column_int64(st, 1);
	}
	if (r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "dashboard");
	sqlite3_finalize(st);
	return rc;
}

static int dash_delivered(struct cb_store *s, const char *site, int32_t today, struct cb_dashboard *d,
			  struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	char m0[11];
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT a.type, a.start_on, count(*) FROM assistance a JOIN cases c ON c.case_id = a.case_id"
			       " WHERE a.status IN ('ongoing', 'completed') AND a.start_on >= ?2 AND a.start_on <= ?3"
			       " AND (?1 IS NULL OR c.site = ?1) GROUP BY a.type, substr(a.start_on, 1, 7)",
			       &st, err), r;
	if (rc != CB_OK)
		return rc;
	if (site)
		sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
	cb_date_format(d->month0, m0);
	sqlite3_bind_text(st, 2, m0, 10, SQLITE_STATIC);
	cb_ax_bind_date(st, 3, today);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t type = cb_ax_col_value(st, 0, CB_VS_assistance_type), day = cb_ax_col_date(st, 1);
		if (type < 0 || day < 0)
			continue;
		for (int k = CB_DASH_MONTHS - 1; k >= 0; k--)
			if (day >= month_start(today, CB_DASH_MONTHS - 1 - k)) {
				d->delivered[k][type] += sqlite3_column_int64(st, 2);
				break;
			}
	}
	if (r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "dashboard");
	sqlite3_finalize(st);
	return rc;
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
	if ((rc = dash_stages(s, site, d, err)) != CB_OK || (rc = dash_delivered(s, site, today, d, err)) != CB_OK ||
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
