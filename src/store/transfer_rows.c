/*
 * transfer_rows.c -- rows of tables assignments and transfers (transfer_rows.h).  Coded values by name,
 * times in seconds since 1970; nothing here is identifying (reasons are coded, never free text).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_impl.h"
#include "store/transfer_rows.h"

static const char *const state_names[] = {"requested", "accepted", "rejected"};

const char *cb_transfer_state_name(enum cb_transfer_state st)
{
	return (unsigned)st < CB_COUNTOF(state_names) ? state_names[st] : "?";
}

static void text(struct cb_stmt *st, int col, char *out, size_t n)
{
	const char *v = (const char *)cb_db_column_text(st, col);
	snprintf(out, n, "%s", v ? v : "");
}

int cb_assign_get(struct cb_store *s, const uint8_t id[16], char user[65], struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "assignment", 0,
			       "SELECT coalesce(a.\"user\", '') FROM cases c LEFT JOIN assignments a ON a.case_id = c.case_id"
			       " WHERE c.case_id = ?1",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, id, 16, false);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		text(st, 0, user, 65);
	else
		rc = r == CB_DB_DONE ? cb_err_set(err, CB_ENOTFOUND, "no such case") : cb_store_db_err(s->db, err, "assignment");
	cb_db_finalize(&st);
	return rc;
}

int cb_assign_set(struct cb_store *s, const uint8_t id[16], const char *user, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "assignment", 0,
			       user ? "INSERT INTO assignments(case_id, \"user\", at) VALUES (?1, ?2, ?3)"
				    " ON CONFLICT(case_id) DO UPDATE SET \"user\" = excluded.\"user\", at = excluded.at"
				    : "DELETE FROM assignments WHERE case_id = ?1",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, id, 16, false);
	if (user) {
		cb_db_bind_text(st, 2, user, -1, false);
		cb_db_bind_int64(st, 3, (int64_t)time(NULL));
	}
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "assignment");
	cb_db_finalize(&st);
	return rc;
}

int cb_assign_cases(struct cb_store *s, const char *user, int (*fn)(const uint8_t id[16], void *ctx), void *ctx,
		    struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "assignment", 0,
			       "SELECT a.case_id FROM assignments a JOIN cases c ON c.case_id = a.case_id"
			       " WHERE a.\"user\" = ?1 ORDER BY c.seq DESC",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, user, -1, false);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW)
		if (cb_db_column_bytes(st, 0) == 16 && (rc = fn(cb_db_column_blob(st, 0), ctx)))
			break;
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "assignment");
	cb_db_finalize(&st);
	return rc;
}

#define TRANSFER_COLS                                                                                        \
	"id, case_id, from_site, to_site, reason, state, requested_by, requested_at, coalesce(decided_by, ''),"    \
	" coalesce(decided_at, 0), coalesce(decision_reason, '')"

static void row(struct cb_stmt *st, struct cb_transfer *t)
{
	char state[16];
	memset(t, 0, sizeof *t);
	t->id = cb_db_column_int64(st, 0);
	if (cb_db_column_bytes(st, 1) == 16)
		memcpy(t->case_id, cb_db_column_blob(st, 1), 16);
	text(st, 2, t->from_site, sizeof t->from_site);
	text(st, 3, t->to_site, sizeof t->to_site);
	text(st, 4, t->reason, sizeof t->reason);
	text(st, 5, state, sizeof state);
	t->state = !strcmp(state, "accepted") ? CB_TRANSFER_ACCEPTED
		   : !strcmp(state, "rejected") ? CB_TRANSFER_REJECTED : CB_TRANSFER_REQUESTED;
	text(st, 6, t->requested_by, sizeof t->requested_by);
	t->requested_at = cb_db_column_int64(st, 7);
	text(st, 8, t->decided_by, sizeof t->decided_by);
	t->decided_at = cb_db_column_int64(st, 9);
	text(st, 10, t->decision_reason, sizeof t->decision_reason);
}

int cb_transfer_row_add(struct cb_store *s, struct cb_transfer *t, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "transfer", 0,
			       "INSERT INTO transfers(case_id, from_site, to_site, reason, state, requested_by, requested_at)"
			       " VALUES (?1, ?2, ?3, ?4, 'requested', ?5, ?6)",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	t->requested_at = (int64_t)time(NULL);
	cb_db_bind_blob(st, 1, t->case_id, 16, false);
	cb_db_bind_text(st, 2, t->from_site, -1, false);
	cb_db_bind_text(st, 3, t->to_site, -1, false);
	cb_db_bind_text(st, 4, t->reason, -1, false);
	cb_db_bind_text(st, 5, t->requested_by, -1, false);
	cb_db_bind_int64(st, 6, t->requested_at);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "transfer");
	else
		t->id = cb_db_last_insert_id(s->db);
	cb_db_finalize(&st);
	return rc;
}

static int one(struct cb_store *s, const char *where, const void *key, bool blob, struct cb_transfer *t,
	       struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT " TRANSFER_COLS " FROM transfers WHERE %s", where);
	int rc = cb_store_prep(s->db, "transfer", 0, sql, &st, err);
	if (rc != CB_OK)
		return rc;
	if (blob)
		cb_db_bind_blob(st, 1, key, 16, false);
	else
		cb_db_bind_int64(st, 1, *(const int64_t *)key);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		row(st, t);
	else
		rc = r == CB_DB_DONE ? CB_ENOTFOUND : cb_store_db_err(s->db, err, "transfer");
	cb_db_finalize(&st);
	return rc;
}

int cb_transfer_row_get(struct cb_store *s, int64_t id, struct cb_transfer *t, struct cb_err *err)
{
	int rc = one(s, "id = ?1", &id, false, t, err);
	return rc == CB_ENOTFOUND ? cb_err_set(err, rc, "no transfer %lld", (long long)id) : rc;
}

int cb_transfer_row_open(struct cb_store *s, const uint8_t case_id[16], struct cb_transfer *t, struct cb_err *err)
{
	return one(s, "case_id = ?1 AND state = 'requested' ORDER BY id DESC LIMIT 1", case_id, true, t, err);
}

int cb_transfer_row_decide(struct cb_store *s, const struct cb_transfer *t, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "transfer", 0,
			       "UPDATE transfers SET state = ?2, decided_by = ?3, decided_at = ?4, decision_reason = ?5"
			       " WHERE id = ?1 AND state = 'requested'",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, t->id);
	cb_db_bind_text(st, 2, cb_transfer_state_name(t->state), -1, false);
	cb_db_bind_text(st, 3, t->decided_by, -1, false);
	cb_db_bind_int64(st, 4, t->decided_at);
	if (t->decision_reason[0])
		cb_db_bind_text(st, 5, t->decision_reason, -1, false);
	else
		cb_db_bind_null(st, 5);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "transfer");
	else if (cb_db_changes(s->db) != 1)
		rc = cb_err_set(err, CB_ECONFLICT, "transfer %lld was decided already", (long long)t->id);
	cb_db_finalize(&st);
	return rc;
}

int cb_transfer_move_case(struct cb_store *s, const uint8_t case_id[16], const char *to_site, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "transfer", 0,
			       "UPDATE cases SET site = ?2, version = version + 1, updated_at = ?3 WHERE case_id = ?1", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	cb_db_bind_text(st, 2, to_site, -1, false);
	cb_db_bind_int64(st, 3, (int64_t)time(NULL));
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "transfer");
	else if (cb_db_changes(s->db) != 1)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such case");
	else
		cb_store_changed(s, case_id); /* its office is a statistics dimension */
	cb_db_finalize(&st);
	return rc == CB_OK ? cb_assign_set(s, case_id, NULL, err) : rc; /* the new office assigns anew */
}

int cb_transfer_rows(struct cb_store *s, const struct cb_transfer_filter *f,
		     int (*fn)(const struct cb_transfer *t, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	struct cb_transfer t;
	int rc = cb_store_prep(s->db, "transfer", 0,
			       "SELECT " TRANSFER_COLS " FROM transfers WHERE (to_site = ?1 OR ?1 IS NULL)"
			       " AND (from_site = ?2 OR ?2 IS NULL) AND (case_id = ?3 OR ?3 IS NULL)"
			       " AND (state = ?4 OR ?4 IS NULL) ORDER BY id DESC",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	if (f && f->to_site)
		cb_db_bind_text(st, 1, f->to_site, -1, false);
	if (f && f->from_site)
		cb_db_bind_text(st, 2, f->from_site, -1, false);
	if (f && f->case_id)
		cb_db_bind_blob(st, 3, f->case_id, 16, false);
	if (f && f->state >= 0)
		cb_db_bind_text(st, 4, cb_transfer_state_name(f->state), -1, false);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		row(st, &t);
		if ((rc = fn(&t, ctx)))
			break;
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "transfer");
	cb_db_finalize(&st);
	return rc;
}
