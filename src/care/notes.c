/*
 * notes.c -- dated case notes by author (store/notes.h).  Sealed like the assistance notes, with the case
 * key and the note's table and row as associated data (assist_impl.h), so a note cannot be moved to
 * another case or row unnoticed.  Erasing a case's details clears them (cb_assist_clear_notes); erasing
 * the case deletes them (ON DELETE CASCADE).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "care/assist_impl.h"
#include "care/notes.h"

static bool blank(const char *t)
{
	for (; *t; t++)
		if (*t != ' ' && *t != '\t' && *t != '\n' && *t != '\r')
			return false;
	return true;
}

int cb_note_add(struct cb_store *s, const uint8_t case_id[16], const char *text, const struct cb_user *by,
		int64_t *id, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (!text || blank(text))
		return cb_err_field(err, CB_EINVAL, "text", "text: a note needs some text");
	if ((rc = cb_ax_check_text(text, "text", err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_ax_case_exists(s, case_id, err)) != CB_OK)
		goto out;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"INSERT INTO case_notes(case_id, at, author) VALUES (?1, ?2, ?3)", &st, err)) != CB_OK)
		goto out;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 3, by ? by->name : "cli", -1, SQLITE_STATIC);
	if (cb_store_step_done(st) != SQLITE_OK) {
		rc = cb_store_db_err(s->db, err, "notes");
		goto out;
	}
	int64_t rowid = sqlite3_last_insert_rowid(s->db);
	if ((rc = cb_ax_seal_into(s, case_id, "case_notes", "body", rowid, text, err)) != CB_OK ||
	    (rc = cb_ax_event(s, by, CB_AUD_NOTE_ADD, case_id, NULL, err)) != CB_OK)
		goto out;
	if (id)
		*id = rowid;
out:
	sqlite3_finalize(st);
	return cb_store_tx_end(s, rc, err);
}

int cb_note_list(struct cb_store *s, const uint8_t case_id[16], bool with_text,
		 int (*fn)(const struct cb_note *n, void *ctx), void *ctx, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	struct cb_note n = {0};
	int rc = cb_ax_case_exists(s, case_id, err);
	if (rc != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "prepare", 0,
				"SELECT id, at, author, body FROM case_notes WHERE case_id = ?1 ORDER BY id", &st, err)) !=
	    CB_OK)
		return rc;
	sqlite3_bind_blob(st, 1, case_id, 16, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&n, 0, sizeof n);
		n.id = sqlite3_column_int64(st, 0);
		memcpy(n.case_id, case_id, 16);
		n.at = sqlite3_column_int64(st, 1);
		snprintf(n.author, sizeof n.author, "%s", (const char *)sqlite3_column_text(st, 2));
		if (with_text && (rc = cb_ax_unseal(s, case_id, "case_notes", n.id, st, 3, &n.text, err)) != CB_OK)
			goto out;
		rc = fn(&n, ctx);
		cb_text_free(&n.text);
		if (rc != CB_OK)
			goto out;
	}
	if (r != SQLITE_DONE)
		rc = cb_store_db_err(s->db, err, "notes");
out:
	cb_text_free(&n.text);
	sqlite3_finalize(st);
	return rc;
}
