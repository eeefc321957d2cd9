/*
 * assist.c -- assistance records, follow-ups, the case workflow and the site dashboard (care/assist.h),
 * and the helpers partners.c shares (assist_impl.h).
 *
 * Child records name their case by its 16-byte id; coded values are stored by name and dates as
 * YYYY-MM-DD, as in the cases table, so the file stays readable with the sqlite3 shell.  Free text is
 * sealed with the case key; the associated data binds it to its case, table and row, so a blob copied to
 * another row or case does not open.  Every change that touches more than one row is one transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "care/assist_impl.h"
#include "care/states.h"

/* ---- shared helpers (assist_impl.h) */

void cb_ax_bind_date(sqlite3_stmt *st, int p, int32_t day)
{
	char d[11];
	if (day == CB_NA) {
		sqlite3_bind_null(st, p);
		return;
	}
	cb_date_format(day, d);
	sqlite3_bind_text(st, p, d, 10, SQLITE_TRANSIENT);
}

int32_t cb_ax_col_date(sqlite3_stmt *st, int col)
{
	int32_t d;
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (!t)
		return CB_NA;
	return cb_date_parse(t, &d) == CB_OK ? d : -2;
}

int32_t cb_ax_col_value(sqlite3_stmt *st, int col, enum cb_vset_id vs)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	if (!t)
		return CB_NA;
	int32_t v = cb_value_find(&cb_vsets[vs], t);
	return v == CB_NA ? -2 : v;
}

/* "a, b, c": the value names of a set, for error messages. */
static const char *allowed(enum cb_vset_id vs, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < cb_vsets[vs].count && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", cb_vsets[vs].values[i].name);
	return buf;
}

int cb_ax_check_value(enum cb_vset_id vs, int32_t v, const char *what, struct cb_err *err)
{
	char ab[600];
	if (v >= 0 && v < cb_vsets[vs].count)
		return CB_OK;
	return cb_err_field(err, CB_EINVAL, what, "%s: expected one of %s", what, allowed(vs, ab, sizeof ab));
}

int cb_ax_check_text(const char *text, const char *what, struct cb_err *err)
{
	if (text && strlen(text) > CB_NOTE_MAX)
		return cb_err_field(err, CB_EINVAL, what, "%s: longer than %d bytes", what, CB_NOTE_MAX);
	return CB_OK;
}

/* case id (16) | table name | record id (8, big-endian) */
static size_t note_ad(uint8_t ad[64], const uint8_t case_id[16], const char *table, int64_t rowid)
{
	size_t tl = strlen(table) < 32 ? strlen(table) : 32, o = 16 + tl;
	memcpy(ad, case_id, 16);
	memcpy(ad + 16, table, tl);
	for (int i = 7; i >= 0; i--)
		ad[o++] = (uint8_t)((uint64_t)rowid >> (8 * i));
	return o;
}

int cb_ax_seal_into(struct cb_store *s, const uint8_t case_id[16], const char *table, const char *col, int64_t rowid,
		    const char *text, struct cb_err *err)
{
	uint8_t ad[64], *blob = NULL;
	size_t n = 0, adlen = note_ad(ad, case_id, table, rowid);
	char sql[128];
	sqlite3_stmt *st = NULL;
	int rc = CB_OK;
	if (text && (rc = cb_store_seal_text(s, case_id, ad, adlen, text, &blob, &n, err)) != CB_OK)
		return rc;
	snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?1 WHERE id = ?2", table, col); /* our own names only */
	if ((rc = cb_store_prep(s->db, "prepare", 0, sql, &st, err)) == CB_OK) {
		if (blob)
			sqlite3_bind_blob(st, 1, blob, (int)n, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 1);
		sqlite3_bind_int64(st, 2, rowid);
		if (cb_store_step_done(st) != SQLITE_OK)
			rc = cb_store_db_err(s->db, err, table);
	}
	sqlite3_finalize(st);
	free(blob);
	return rc;
}

int cb_ax_unseal(struct cb_store *s, const uint8_t case_id[16], const char *table, int64_t rowid, sqlite3_stmt *st,
		 int col, char **text, struct cb_err *err)
{
	uint8_t ad[64];
	size_t adlen = note_ad(ad, case_id, table, rowid);
	*text = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return CB_OK;
	int rc = cb_store_open_text(s, case_id, ad, adlen, sqlite3_column_blob(st, col),
				    (size_t)sqlite3_column_bytes(st, col), text, err);
	return rc == CB_ENOTFOUND ? CB_OK : rc; /* the case key is gone: erased for good */
}

int cb_ax_case_exists(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	char idt[CB_ID_TEXT];
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT 1 FROM cases WHERE case_id = ?1", &st, err);
	if (rc == CB_OK) {
		sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
		int r = sqlite3_step(st);
		if (r == SQLITE_DONE) {
			cb_case_id_format(case_id, idt);
			rc = cb_err_set(err, CB_ENOTFOUND, "no case %s", idt);
		} else if (r != SQLITE_ROW) {
			rc = cb_store_db_err(s->db, err, "case");
		}
	}
	sqlite3_finalize(st);
	return rc;
}

/* The set of value names in column 0 of a query about one case. */
static int collect_set(struct cb_store *s, const char *sql, const uint8_t case_id[16], enum cb_vset_id vs,
		       uint64_t *set, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, sql, &st, err), r;
	*set = 0;
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t v = cb_ax_col_value(st, 0, vs);
		if (v >= 0)
			*set |= UINT64_C(1) << v;
	}
	if (r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "sets");
	sqlite3_finalize(st);
	return rc;
}

int cb_ax_refresh(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err)
{
	struct cb_case c;
	char at[1024], pt[1024];
	sqlite3_stmt *st = NULL;
	int rc;
	cb_case_init(&c);
	if ((rc = collect_set(s, "SELECT DISTINCT type FROM assistance WHERE case_id = ?1 AND status != 'cancelled'",
			      case_id, CB_VS_assistance_type, &c.assistance_type, err)) != CB_OK ||
	    (rc = collect_set(s,
			      "SELECT DISTINCT p.type FROM referrals r JOIN partners p ON p.id = r.org_id"
			      " WHERE r.case_id = ?1 AND r.direction = 'out' AND r.status != 'rejected'",
			      case_id, CB_VS_org_type, &c.referral_partner_type, err)) != CB_OK)
		return rc;
	/* the text the store writes for a MULTI field, as for any case */
	cb_case_format(&c, &cb_fields[CB_FLD_assistance_type], at, sizeof at);
	cb_case_format(&c, &cb_fields[CB_FLD_referral_partner_type], pt, sizeof pt);
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"UPDATE cases SET assistance_type = nullif(?1, ''), referral_partner_type = nullif(?2, ''),"
				" version = version + 1, updated_at = ?3 WHERE case_id = ?4 AND"
				" (assistance_type IS NOT nullif(?1, '') OR referral_partner_type IS NOT nullif(?2, ''))",
				&st, err)) != CB_OK)
		return rc;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_blob(st, 4, case_id, 16, SQLITE_STATIC);
	if (cb_store_step_done(st) != SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "case sets");
	sqlite3_finalize(st);
	return rc;
}

int cb_ax_event(struct cb_store *s, const struct cb_user *by, enum cb_audit_action a, const uint8_t *case_id,
		const char *detail, struct cb_err *err)
{
	return cb_store_event_as(s, by ? by->name : NULL, by ? "server" : NULL, cb_audit_names[a], case_id, detail,
				 err);
}

bool cb_assist_has_notes(struct cb_store *s, const uint8_t id[16])
{
	static const char sql[] = "SELECT EXISTS(SELECT 1 FROM assistance WHERE case_id = ?1 AND notes IS NOT NULL)"
				  " OR EXISTS(SELECT 1 FROM referrals WHERE case_id = ?1 AND details IS NOT NULL)"
				  " OR EXISTS(SELECT 1 FROM followups WHERE case_id = ?1 AND note IS NOT NULL)"
				  " OR EXISTS(SELECT 1 FROM stages WHERE case_id = ?1 AND reason IS NOT NULL)"
				  " OR EXISTS(SELECT 1 FROM case_notes WHERE case_id = ?1 AND body IS NOT NULL)";
	sqlite3_stmt *st = NULL;
	bool yes = true; /* when in doubt, keep the key */
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			yes = sqlite3_column_int(st, 0) != 0;
	}
	sqlite3_finalize(st);
	return yes;
}

int cb_assist_clear_notes(struct cb_store *s, const uint8_t id[16], struct cb_err *err)
{
	static const char *const sql[] = {
		"UPDATE assistance SET notes = NULL WHERE case_id = ?1 AND notes IS NOT NULL",
		"UPDATE referrals SET details = NULL WHERE case_id = ?1 AND details IS NOT NULL",
		"UPDATE followups SET note = NULL WHERE case_id = ?1 AND note IS NOT NULL",
		"UPDATE stages SET reason = NULL WHERE case_id = ?1 AND reason IS NOT NULL",
		"UPDATE case_notes SET body = NULL WHERE case_id = ?1 AND body IS NOT NULL", /* notes.c */
	};
	int rc = CB_OK;
	for (size_t i = 0; rc == CB_OK && i < CB_COUNTOF(sql); i++) {
		sqlite3_stmt *st = NULL;
		if ((rc = cb_store_prep(s->db, "prepare", 0, sql[i], &st, err)) != CB_OK)
			break;
		sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
		if (cb_store_step_done(st) != SQLITE_OK)
			rc = cb_store_db_err(s->db, err, "erase");
		sqlite3_finalize(st);
	}
	return rc;
}

/* ---- assistance records */

/* HTCDS spl_Type of each assistance type (docs/assistance.md explains the choices). */
static const char *const spl_types[] = {
	[CB_assistance_type_accommodation] = "SocialCare",
	[CB_assistance_type_medical] = "Health",
	[CB_assistance_type_psychosocial] = "Health",
	[CB_assistance_type_legal] = "Legal",
	[CB_assistance_type_information_counselling] = "RightsBasedTraining",
	[CB_assistance_type_education] = "Education",
	[CB_assistance_type_vocational_training] = "Livelihood",
	[CB_assistance_type_employment] = "Livelihood",
	[CB_assistance_type_financial] = "Financial",
	[CB_assistance_type_return_travel] = "SocialCare",
	[CB_assistance_type_family_tracing] = "SocialCare",
	[CB_assistance_type_documents] = "Legal",
	[CB_assistance_type_interpretation] = "SocialCare",
	[CB_assistance_type_other] = "SocialCare",
};
_Static_assert(CB_COUNTOF(spl_types) == CB_assistance_type__COUNT, "one spl_Type per assistance type");

const char *cb_assist_spl_type(int32_t type)
{
	return type >= 0 && type < CB_assistance_type__COUNT ? spl_types[type] : "";
}

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

static int check_assist(struct cb_assist *a, struct cb_err *err)
{
	char d1[11], d2[11];
	int rc;
	if (a->status == CB_NA)
		a->status = cb_machines[CB_MACHINE_assistance].initial;
	if ((rc = cb_ax_check_value(CB_VS_assistance_type, a->type, "type", err)) != CB_OK ||
	    (rc = cb_ax_check_value(CB_VS_assistance_status, a->status, "status", err)) != CB_OK ||
	    (rc = cb_ax_check_text(a->notes, "notes", err)) != CB_OK)
		return rc;
	if (a->provider < 0)
		return cb_err_field(err, CB_EINVAL, "provider", "provider: expected a partner id, or none for the own office");
	if (a->start_on != CB_NA && a->end_on != CB_NA && a->end_on < a->start_on) {
		cb_date_format(a->start_on, d1);
		cb_date_format(a->end_on, d2);
		return cb_err_field(err, CB_EINVAL, "end_on", "end_on: %s is before start_on %s", d2, d1);
	}
	return CB_OK;
}

/* Beds of a partner (CB_NA when it is no shelter); CB_ENOTFOUND without it. */
static int partner_beds(struct cb_store *s, int64_t id, int32_t *beds, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT beds FROM partners WHERE id = ?1", &st, err);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*beds = sqlite3_column_type(st, 0) == SQLITE_NULL ? CB_NA : sqlite3_column_int(st, 0);
	else if (r == SQLITE_DONE)
		rc = cb_err_field(err, CB_ENOTFOUND, "provider", "provider: no partner organisation %lld", (long long)id);
	else
		rc = cb_store_db_err(s->db, err, "partner");
	sqlite3_finalize(st);
	return rc;
}

/* A provider the caller may name: a known partner in by's office scope (cb_partner_get_for), else CB_ENOTFOUND
 * with one message for both, so an entry of another office reads as missing. */
static int check_provider(struct cb_store *s, int64_t id, const struct cb_user *by, struct cb_err *err)
{
	struct cb_partner p;
	int rc = cb_partner_get_for(s, id, by, &p, err);
	if (rc == CB_ENOTFOUND)
		return cb_err_field(err, CB_ENOTFOUND, "provider", "provider: no partner organisation %lld", (long long)id);
	return rc;
}

/* Whether record a occupies a bed on `day` (as cb_shelter_occupancy counts). */
static bool occupies(const struct cb_assist *a, int32_t day)
{
	int32_t from = a->start_on != CB_NA ? a->start_on : a->planned_on;
	return a->type == CB_assistance_type_accommodation &&
	       (a->status == CB_assistance_status_planned || a->status == CB_assistance_status_ongoing) &&
	       (from == CB_NA || from <= day) && (a->end_on == CB_NA || a->end_on >= day);
}

/* The capacity report for a stored record a (after its write, inside the transaction). */
static int capacity(struct cb_store *s, const struct cb_assist *a, struct cb_capacity *cap, struct cb_err *err)
{
	int32_t beds = CB_NA;
	int rc;
	memset(cap, 0, sizeof *cap);
	cap->day = a->start_on != CB_NA ? a->start_on : a->planned_on != CB_NA ? a->planned_on : cb_date_today();
	if (!a->provider || a->type != CB_assistance_type_accommodation)
		return CB_OK;
	if ((rc = partner_beds(s, a->provider, &beds, err)) != CB_OK || beds == CB_NA)
		return rc;
	cap->shelter = true;
	cap->beds = beds;
	if ((rc = cb_shelter_occupancy(s, a->provider, cap->day, &cap->occupied, err)) != CB_OK)
		return rc;
	cap->over = occupies(a, cap->day) && cap->occupied > beds;
	return CB_OK;
}

static void bind_assist(sqlite3_stmt *st, const struct cb_assist *a)
{
	sqlite3_bind_text(st, 1, cb_vsets[CB_VS_assistance_type].values[a->type].name, -1, SQLITE_STATIC);
	if (a->provider)
		sqlite3_bind_int64(st, 2, a->provider);
	else
		sqlite3_bind_null(st, 2);
	cb_ax_bind_date(st, 3, a->planned_on);
	cb_ax_bind_date(st, 4, a->start_on);
	cb_ax_bind_date(st, 5, a->end_on);
	sqlite3_bind_text(st, 6, cb_vsets[CB_VS_assistance_status].values[a->status].name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)time(NULL));
}

int cb_assist_add(struct cb_store *s, struct cb_assist *a, const struct cb_user *by, struct cb_capacity *cap,
		  struct cb_err *err)
{
	struct cb_capacity tmp;
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = check_assist(a, err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_ax_case_exists(s, a->case_id, err)) != CB_OK ||
	    (a->provider && (rc = check_provider(s, a->provider, by, err)) != CB_OK) ||
	    (rc = cb_store_prep(s->db, "prepare", 0,
				"INSERT INTO assistance(type, provider_id, planned_on, start_on, end_on, status, created_at,"
				" updated_at, case_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)",
				&st, err)) != CB_OK)
		goto out;
	bind_assist(st, a);
	sqlite3_bind_blob(st, 8, a->case_id, 16, SQLITE_STATIC);
	if (cb_store_step_done(st) != SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "assistance");
		goto out;
	}
	a->id = sqlite3_last_insert_rowid(s->db);
	if ((a->notes && (rc = cb_ax_seal_into(s, a->case_id, "assistance", "notes", a->id, a->notes, err)) != CB_OK) ||
	    (rc = cb_ax_refresh(s, a->case_id, err)) != CB_OK ||
	    (rc = capacity(s, a, cap ? cap : &tmp, err)) != CB_OK)
		goto out;
out:
	sqlite3_finalize(st);
	rc = cb_store_tx_end(s, rc, err);
	if (rc != CB_OK)
		a->id = 0;
	return rc;
}

/* A status change must be a move of the assistance machine (cb_states.h). */
static int check_move(const struct cb_assist *old, int32_t to, struct cb_err *err)
{
	char next[256];
	if (old->status == to || cb_move_allowed(CB_MACHINE_assistance, old->status, to, NULL))
		return CB_OK;
	return cb_err_field(err, CB_EINVAL, "status", "status: a %s record cannot become %s; it may become %s",
			    cb_vsets[CB_VS_assistance_status].values[old->status].name,
			    cb_vsets[CB_VS_assistance_status].values[to].name,
			    cb_move_targets(CB_MACHINE_assistance, old->status, false, next, sizeof next));
}

int cb_assist_update(struct cb_store *s, const struct cb_assist *in, unsigned flags, const struct cb_user *by,
		     struct cb_capacity *cap, struct cb_err *err)
{
	struct cb_assist a = *in, old;
	struct cb_capacity tmp;
	sqlite3_stmt *st = NULL;
	int rc;
	cb_assist_init(&old);
	if ((rc = check_assist(&a, err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	/* the stored provider stays, whoever set it; a new one must be in the caller's scope */
	if ((rc = cb_assist_get(s, in->id, 0, &old, err)) != CB_OK || (rc = check_move(&old, a.status, err)) != CB_OK ||
	    (a.provider && a.provider != old.provider && (rc = check_provider(s, a.provider, by, err)) != CB_OK) ||
	    (rc = cb_store_prep(s->db, "prepare", 0,
				"UPDATE assistance SET type = ?1, provider_id = ?2, planned_on = ?3, start_on = ?4, end_on = ?5,"
				" status = ?6, updated_at = ?7 WHERE id = ?8",
				&st, err)) != CB_OK)
		goto out;
	memcpy(a.case_id, old.case_id, 16);
	bind_assist(st, &a);
	sqlite3_bind_int64(st, 8, a.id);
	if (cb_store_step_done(st) != SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "assistance");
		goto out;
	}
	if (((flags & CB_WITH_PII) &&
	     (rc = cb_ax_seal_into(s, a.case_id, "assistance", "notes", a.id, a.notes, err)) != CB_OK) ||
	    (rc = cb_ax_refresh(s, a.case_id, err)) != CB_OK || (rc = capacity(s, &a, cap ? cap : &tmp, err)) != CB_OK)
		goto out;
out:
	sqlite3_finalize(st);
	cb_assist_clear(&old);
	return cb_store_tx_end(s, rc, err);
}

#define ASSIST_COLS "id, case_id, type, provider_id, planned_on, start_on, end_on, status, notes"

static int assist_row(struct cb_store *s, sqlite3_stmt *st, unsigned flags, struct cb_assist *a, struct cb_err *err)
{
	cb_assist_clear(a);
	a->id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_bytes(st, 1) != 16)
		return cb_err_set(err, CB_ECORRUPT, "assistance %lld: malformed case id", (long long)a->id);
	memcpy(a->case_id, sqlite3_column_blob(st, 1), 16);
	a->type = cb_ax_col_value(st, 2, CB_VS_assistance_type);
	a->provider = sqlite3_column_int64(st, 3);
	a->planned_on = cb_ax_col_date(st, 4);
	a->start_on = cb_ax_col_date(st, 5);
	a->end_on = cb_ax_col_date(st, 6);
	a->status = cb_ax_col_value(st, 7, CB_VS_assistance_status);
	if (a->type < 0 || a->status < 0 || a->planned_on == -2 || a->start_on == -2 || a->end_on == -2)
		return cb_err_set(err, CB_ECORRUPT, "assistance %lld: a stored value is not valid", (long long)a->id);
	if (flags & CB_WITH_PII)
		return cb_ax_unseal(s, a->case_id, "assistance", a->id, st, 8, &a->notes, err);
	return CB_OK;
}

int cb_assist_get(struct cb_store *s, int64_t id, unsigned flags, struct cb_assist *out, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "SELECT " ASSIST_COLS " FROM assistance WHERE id = ?1", &st, err);
	cb_assist_init(out);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = assist_row(s, st, flags, out, err);
	else if (r == SQLITE_DONE)
		rc = cb_err_set(err, CB_ENOTFOUND, "no assistance record %lld", (long long)id);
	else
		rc = cb_store_db_err(s->db, err, "assistance");
	sqlite3_finalize(st);
	if (rc != CB_OK)
		cb_assist_clear(out);
	return rc;
}

int cb_assist_list(struct cb_store *s, const uint8_t case_id[16], unsigned flags,
		   int (*fn)(const struct cb_assist *a, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_assist a;
	sqlite3_stmt *st = NULL;
	int rc, r = SQLITE_DONE;
	cb_assist_init(&a);
	if ((rc = cb_ax_case_exists(s, case_id, err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, "prepare", 0,
				"SELECT " ASSIST_COLS " FROM assistance WHERE case_id = ?1 ORDER BY id", &st, err)))
		return rc;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	while (rc == CB_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = assist_row(s, st, flags, &a, err)) == CB_OK)
			rc = fn(&a, ctx);
	if (rc == CB_OK && r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "assistance");
	cb_assist_clear(&a);
	sqlite3_finalize(st);
	return rc;
}
