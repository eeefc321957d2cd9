/*
 * sealed.c -- the registry of sealed columns: every column of a child table that holds free text about a
 * person, sealed with the case key (store_impl.h).  Writing and reading such a column goes through here, and
 * erasure clears every registered column of the case, so records.c needs to know no table but its own and a
 * new sealed column is one row below, not a change to erasure.
 *
 * The associated data of a sealed value is case id | table | record id, so a blob copied to another row, table
 * or case does not open.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* table, column: each holds at most one sealed text per row, NULL when none */
static const struct {
	const char *table, *col;
} sealed[] = {
	{"assistance", "notes"},
	{"referrals", "details"},
	{"followups", "note"},
	{"stages", "reason"},
	{"attachments", "name"}, /* store/attach.c: a case's files and their names */
	{"attachments", "data"},
	/* a follow-up or assistance from a phone that waits for review (store/odk.c): sealed under the review key,
	 * not the case key, but about the case, so erasure clears it with the rest */
	{"odk_review", "sealed"},
	{"odk_review", "reject_note"}, /* a manager's reason for rejecting it: free text, may name her */
	{"case_notes", "body"}, /* note_rows.c */
};

static bool registered(const char *table, const char *col)
{
	for (size_t i = 0; i < CB_COUNTOF(sealed); i++)
		if (!strcmp(sealed[i].table, table) && (!col || !strcmp(sealed[i].col, col)))
			return true;
	return false;
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

int cb_store_seal_column(struct cb_store *s, const uint8_t case_id[16], const char *table, const char *col,
			 int64_t rowid, const char *text, struct cb_err *err)
{
	uint8_t ad[64], *blob = NULL;
	size_t n = 0, adlen;
	char sql[128];
	struct cb_stmt *st = NULL;
	int rc = CB_OK;
	CB_ASSERT(registered(table, col)); /* only registered columns are cleared by erasure */
	adlen = note_ad(ad, case_id, table, rowid);
	if (text && (rc = cb_store_seal_text(s, case_id, ad, adlen, text, &blob, &n, err)) != CB_OK)
		return rc;
	snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?1 WHERE id = ?2", table, col); /* registered names only */
	if ((rc = cb_store_prep(s->db, "prepare", 0, sql, &st, err)) == CB_OK) {
		if (blob)
			cb_db_bind_blob(st, 1, blob, (int)n, false);
		else
			cb_db_bind_null(st, 1);
		cb_db_bind_int64(st, 2, rowid);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, table);
	}
	cb_db_finalize(&st);
	free(blob);
	return rc;
}

int cb_store_unseal_column(struct cb_store *s, const uint8_t case_id[16], const char *table, int64_t rowid,
			   struct cb_stmt *st, int col, char **text, struct cb_err *err)
{
	uint8_t ad[64];
	size_t adlen;
	CB_ASSERT(registered(table, NULL));
	adlen = note_ad(ad, case_id, table, rowid);
	*text = NULL;
	if (cb_db_column_type(st, col) == CB_DB_NULL)
		return CB_OK;
	int rc = cb_store_open_text(s, case_id, ad, adlen, cb_db_column_blob(st, col),
				    (size_t)cb_db_column_bytes(st, col), text, err);
	return rc == CB_ENOTFOUND ? CB_OK : rc; /* the case key is gone: erased for good */
}

bool cb_store_sealed_any(struct cb_store *s, const uint8_t id[16])
{
	char sql[1024];
	size_t o = 0;
	struct cb_stmt *st = NULL;
	bool yes = true; /* when in doubt, keep the key */
	for (size_t i = 0; i < CB_COUNTOF(sealed); i++) /* one statement: check runs it for every case */
		o += (size_t)snprintf(sql + o, sizeof sql - o, "%sEXISTS(SELECT 1 FROM %s WHERE case_id = ?1 AND %s IS NOT NULL)",
				      i ? " OR " : "SELECT ", sealed[i].table, sealed[i].col);
	CB_ASSERT(o < sizeof sql);
	if (cb_store_prep(s->db, "prepare", 0, sql, &st, NULL) == CB_OK) {
		cb_db_bind_blob(st, 1, id, 16, false);
		if (cb_db_step(st) == CB_DB_ROW)
			yes = (int)cb_db_column_int64(st, 0) != 0;
	}
	cb_db_finalize(&st);
	return yes;
}

int cb_store_sealed_clear(struct cb_store *s, const uint8_t id[16], struct cb_err *err)
{
	int rc = CB_OK;
	for (size_t i = 0; rc == CB_OK && i < CB_COUNTOF(sealed); i++) {
		char sql[160];
		struct cb_stmt *st = NULL;
		snprintf(sql, sizeof sql, "UPDATE %s SET %s = NULL WHERE case_id = ?1 AND %s IS NOT NULL", sealed[i].table,
			 sealed[i].col, sealed[i].col);
		if ((rc = cb_store_prep(s->db, "prepare", 0, sql, &st, err)) != CB_OK)
			break;
		cb_db_bind_blob(st, 1, id, 16, false);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "erase");
		cb_db_finalize(&st);
	}
	return rc;
}
