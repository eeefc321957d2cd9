/*
 * workflow_rows.c -- the rows of tables stages and followups (care_rows.h): the steps of the workflow with their
 * sealed reasons, the queries retention and the dashboard make of them, and follow-ups.  The workflow's rules
 * are care/workflow.c's; its tables are queried only through here.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/care_rows.h"
#include "store/store_impl.h"

/* ---- workflow steps */

int cb_stage_row_add(struct cb_store *s, const uint8_t case_id[16], int32_t from, int32_t to, const char *reason,
		     struct cb_err *err)
{
	const struct cb_vset *vs = &cb_vsets[CB_VS_case_stage];
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "INSERT INTO stages(case_id, at, from_stage, to_stage) VALUES (?1, ?2, ?3, ?4)", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	cb_db_bind_int64(st, 2, (int64_t)time(NULL));
	cb_db_bind_text(st, 3, vs->values[from].name, -1, false);
	cb_db_bind_text(st, 4, vs->values[to].name, -1, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "stages");
	cb_db_finalize(&st);
	/* the reason may describe the person: sealed */
	if (rc == CB_OK && reason)
		rc = cb_store_seal_column(s, case_id, "stages", "reason", cb_db_last_insert_id(s->db), reason, err);
	return rc;
}

int cb_stage_closed_from(struct cb_store *s, const uint8_t case_id[16], int32_t *from, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT from_stage FROM stages WHERE case_id = ?1 AND to_stage = 'closed'"
			       " ORDER BY id DESC LIMIT 1",
			       &st, err);
	*from = CB_NA;
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		*from = cb_store_col_value(st, 0, CB_VS_case_stage);
	else if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "stages");
	if (*from < 0 || *from == CB_case_stage_closed)
		*from = CB_NA;
	cb_db_finalize(&st);
	return rc;
}

int cb_stage_counts(struct cb_store *s, const char *site, long *by_stage, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT coalesce(case_stage, 'screening'), count(*) FROM cases WHERE site = ?1 OR ?1 IS NULL"
			       " GROUP BY 1",
			       &st, err), r;
	if (rc != CB_OK)
		return rc;
	if (site)
		cb_db_bind_text(st, 1, site, -1, false);
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		int32_t v = cb_store_col_value(st, 0, CB_VS_case_stage);
		if (v >= 0)
			by_stage[v] += cb_db_column_int64(st, 1);
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "dashboard");
	cb_db_finalize(&st);
	return rc;
}

int cb_retention_due(struct cb_store *s, int64_t before, bool with_pii_only, uint8_t (**ids)[16], size_t *n,
		     struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	uint8_t(*out)[16] = NULL;
	size_t cap = 0, len = 0;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT case_id, pii IS NOT NULL FROM cases"
			       " WHERE (case_stage = 'closed' OR status IN ('Closed', 'ClosedReferred')) AND coalesce("
			       "(SELECT max(at) FROM stages WHERE stages.case_id = cases.case_id AND to_stage = 'closed'),"
			       " updated_at) < ?1",
			       &st, err);
	if (rc != CB_OK)
		goto out;
	cb_db_bind_int64(st, 1, (int64_t)before);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		const uint8_t *id = cb_db_column_blob(st, 0);
		if (cb_db_column_bytes(st, 0) != 16 ||
		    (with_pii_only && !(int)cb_db_column_int64(st, 1) && !cb_store_sealed_any(s, id)))
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
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "retention");
out:
	cb_db_finalize(&st);
	if (rc != CB_OK) {
		free(out);
		out = NULL;
		len = 0;
	}
	*ids = out;
	*n = len;
	return rc;
}

int cb_stage_unstarted(struct cb_store *s, const char *site, cb_case_id_fn fn, void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT case_id FROM cases c WHERE site = ?1 AND NOT EXISTS"
			       " (SELECT 1 FROM stages s WHERE s.case_id = c.case_id) ORDER BY case_id",
			       &st, err), r = CB_DB_DONE;
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, site, -1, false);
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW)
		if (cb_db_column_bytes(st, 0) == 16)
			rc = fn(cb_db_column_blob(st, 0), ctx);
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "stages");
	cb_db_finalize(&st);
	return rc;
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

int cb_followup_row_add(struct cb_store *s, struct cb_followup *f, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "INSERT INTO followups(case_id, due_on, done_on, created_at) VALUES (?1, ?2, ?3, ?4)", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, f->case_id, 16, false);
	cb_store_bind_date(st, 2, f->due_on);
	cb_store_bind_date(st, 3, f->done_on);
	cb_db_bind_int64(st, 4, (int64_t)time(NULL));
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "follow-up");
	else
		f->id = cb_db_last_insert_id(s->db);
	cb_db_finalize(&st);
	if (rc == CB_OK && f->note)
		rc = cb_store_seal_column(s, f->case_id, "followups", "note", f->id, f->note, err);
	return rc;
}

int cb_followup_done(struct cb_store *s, int64_t id, int32_t day, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "UPDATE followups SET done_on = ?1 WHERE id = ?2", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_store_bind_date(st, 1, day == CB_NA ? cb_date_today() : day);
	cb_db_bind_int64(st, 2, id);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "follow-up");
	else if (cb_db_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no follow-up %lld", (long long)id);
	cb_db_finalize(&st);
	return rc;
}

int cb_followup_list(struct cb_store *s, const struct cb_followup_filter *f, unsigned flags,
		     int (*fn)(const struct cb_followup *f, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_followup fu;
	struct cb_stmt *st = NULL;
	int rc, r = CB_DB_DONE;
	int32_t today = f && f->today != CB_NA ? f->today : cb_date_today();
	cb_followup_init(&fu);
	rc = cb_store_prep(s->db, "prepare", 0,
			   "SELECT f.id, f.case_id, c.site, f.due_on, f.done_on, f.note FROM followups f"
			   " JOIN cases c ON c.case_id = f.case_id"
			   " WHERE (c.site = ?1 OR ?1 IS NULL) AND (f.case_id = ?2 OR ?2 IS NULL)"
			   " AND (?3 = 0 OR (f.done_on IS NULL AND f.due_on < ?4)) ORDER BY f.due_on, f.id",
			   &st, err);
	if (rc != CB_OK)
		return rc;
	if (f && f->site)
		cb_db_bind_text(st, 1, f->site, -1, false);
	if (f && f->case_id)
		cb_db_bind_blob(st, 2, f->case_id, 16, false);
	cb_db_bind_int64(st, 3, f && f->overdue);
	cb_store_bind_date(st, 4, today);
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW) {
		cb_followup_clear(&fu);
		fu.id = cb_db_column_int64(st, 0);
		if (cb_db_column_bytes(st, 1) != 16) {
			rc = cb_err_set(err, CB_ECORRUPT, "follow-up %lld: malformed case id", (long long)fu.id);
			break;
		}
		memcpy(fu.case_id, cb_db_column_blob(st, 1), 16);
		snprintf(fu.site, sizeof fu.site, "%s", cb_db_column_text(st, 2) ? (const char *)cb_db_column_text(st, 2) : "");
		fu.due_on = cb_store_col_date(st, 3);
		fu.done_on = cb_store_col_date(st, 4);
		if ((flags & CB_WITH_PII) && (rc = cb_store_unseal_column(s, fu.case_id, "followups", fu.id, st, 5, &fu.note, err)))
			break;
		rc = fn(&fu, ctx);
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "follow-ups");
	cb_followup_clear(&fu);
	cb_db_finalize(&st);
	return rc;
}

