/*
 * assist_rows.c -- the rows of table assistance (care_rows.h): insert, rewrite, read, list, and the counts the
 * shelters and the dashboard need.  The rules about them are care/assist.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/care_rows.h"
#include "store/store_impl.h"

void cb_assist_init(struct cb_assist *a)
{
	memset(a, 0, sizeof *a);
	a->type = a->status = CB_NA;
	a->planned_on = a->start_on = a->end_on = CB_NA;
}

void cb_assist_clear(struct cb_assist *a)
{
	cb_text_free(&a->notes);
	cb_assist_init(a);
}

static void bind_assist(struct cb_stmt *st, const struct cb_assist *a)
{
	cb_db_bind_text(st, 1, cb_vsets[CB_VS_assistance_type].values[a->type].name, -1, false);
	if (a->provider)
		cb_db_bind_int64(st, 2, a->provider);
	else
		cb_db_bind_null(st, 2);
	cb_store_bind_date(st, 3, a->planned_on);
	cb_store_bind_date(st, 4, a->start_on);
	cb_store_bind_date(st, 5, a->end_on);
	cb_db_bind_text(st, 6, cb_vsets[CB_VS_assistance_status].values[a->status].name, -1, false);
	cb_db_bind_int64(st, 7, (int64_t)time(NULL));
}

int cb_assist_row_add(struct cb_store *s, struct cb_assist *a, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "INSERT INTO assistance(type, provider_id, planned_on, start_on, end_on, status, created_at,"
			       " updated_at, case_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	bind_assist(st, a);
	cb_db_bind_blob(st, 8, a->case_id, 16, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "assistance");
	else
		a->id = cb_db_last_insert_id(s->db);
	cb_db_finalize(&st);
	if (rc == CB_OK && a->notes)
		rc = cb_store_seal_column(s, a->case_id, "assistance", "notes", a->id, a->notes, err);
	return rc;
}

int cb_assist_row_update(struct cb_store *s, const struct cb_assist *a, bool notes, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "UPDATE assistance SET type = ?1, provider_id = ?2, planned_on = ?3, start_on = ?4, end_on = ?5,"
			       " status = ?6, updated_at = ?7 WHERE id = ?8",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	bind_assist(st, a);
	cb_db_bind_int64(st, 8, a->id);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "assistance");
	cb_db_finalize(&st);
	if (rc == CB_OK && notes)
		rc = cb_store_seal_column(s, a->case_id, "assistance", "notes", a->id, a->notes, err);
	return rc;
}

#define ASSIST_COLS "id, case_id, type, provider_id, planned_on, start_on, end_on, status, notes"

static int assist_row(struct cb_store *s, struct cb_stmt *st, unsigned flags, void *rec, struct cb_err *err)
{
	struct cb_assist *a = rec;
	cb_assist_clear(a);
	a->id = cb_db_column_int64(st, 0);
	if (cb_db_column_bytes(st, 1) != 16)
		return cb_err_set(err, CB_ECORRUPT, "assistance %lld: malformed case id", (long long)a->id);
	memcpy(a->case_id, cb_db_column_blob(st, 1), 16);
	a->type = cb_store_col_value(st, 2, CB_VS_assistance_type);
	a->provider = cb_db_column_int64(st, 3);
	a->planned_on = cb_store_col_date(st, 4);
	a->start_on = cb_store_col_date(st, 5);
	a->end_on = cb_store_col_date(st, 6);
	a->status = cb_store_col_value(st, 7, CB_VS_assistance_status);
	if (a->type < 0 || a->status < 0 || a->planned_on == -2 || a->start_on == -2 || a->end_on == -2)
		return cb_err_set(err, CB_ECORRUPT, "assistance %lld: a stored value is not valid", (long long)a->id);
	if (flags & CB_WITH_PII)
		return cb_store_unseal_column(s, a->case_id, "assistance", a->id, st, 8, &a->notes, err);
	return CB_OK;
}

static void assist_init_any(void *rec) { cb_assist_init(rec); }
static void assist_clear_any(void *rec) { cb_assist_clear(rec); }

static const struct cb_rows assists = {
	"assistance record", "assistance", "SELECT " ASSIST_COLS " FROM assistance WHERE id = ?1",
	"SELECT " ASSIST_COLS " FROM assistance WHERE case_id = ?1 ORDER BY id", assist_row,
	assist_init_any, assist_clear_any,
};

int cb_assist_get(struct cb_store *s, int64_t id, unsigned flags, struct cb_assist *out, struct cb_err *err)
{
	return cb_rows_get(s, &assists, id, flags, out, err);
}

struct assist_fn {
	int (*fn)(const struct cb_assist *a, void *ctx);
	void *ctx;
};

static int assist_call(const void *rec, void *ctx)
{
	const struct assist_fn *f = ctx;
	return f->fn(rec, f->ctx);
}

int cb_assist_list(struct cb_store *s, const uint8_t case_id[16], unsigned flags,
		int (*fn)(const struct cb_assist *a, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_assist rec;
	struct assist_fn f = {fn, ctx};
	return cb_rows_list(s, &assists, case_id, flags, &rec, assist_call, &f, err);
}

int cb_shelter_occupancy(struct cb_store *s, int64_t partner_id, int32_t day, int *occupied, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT count(*) FROM assistance WHERE provider_id = ?1 AND type = 'accommodation'"
			       " AND status IN ('planned', 'ongoing') AND coalesce(start_on, planned_on, '0000-00-00') <= ?2"
			       " AND coalesce(end_on, '9999-12-31') >= ?2",
			       &st, err);
	*occupied = 0;
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, partner_id);
	cb_store_bind_date(st, 2, day == CB_NA ? cb_date_today() : day);
	if (cb_db_step(st) == CB_DB_ROW)
		*occupied = (int)cb_db_column_int64(st, 0);
	else
		rc = cb_store_db_err(s->db, err, "occupancy");
	cb_db_finalize(&st);
	return rc;
}

int cb_assist_delivered(struct cb_store *s, const char *site, int32_t from, int32_t to,
			int (*fn)(int32_t type, int32_t day, long count, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT a.type, min(a.start_on), count(*) FROM assistance a JOIN cases c ON c.case_id = a.case_id"
			       " WHERE a.status IN ('ongoing', 'completed') AND a.start_on >= ?2 AND a.start_on <= ?3"
			       " AND (c.site = ?1 OR ?1 IS NULL) GROUP BY a.type, substr(a.start_on, 1, 7)",
			       &st, err), r;
	if (rc != CB_OK)
		return rc;
	if (site)
		cb_db_bind_text(st, 1, site, -1, false);
	cb_store_bind_date(st, 2, from);
	cb_store_bind_date(st, 3, to);
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW) {
		int32_t type = cb_store_col_value(st, 0, CB_VS_assistance_type), day = cb_store_col_date(st, 1);
		if (type >= 0 && day >= 0)
			rc = fn(type, day, (long)cb_db_column_int64(st, 2), ctx);
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "dashboard");
	cb_db_finalize(&st);
	return rc;
}
