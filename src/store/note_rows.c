/*
 * note_rows.c -- the rows of dated case notes (store/note_rows.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/note_rows.h"
#include "store/store_impl.h"

int cb_note_row_add(struct cb_store *s, const uint8_t case_id[16], const char *author, const char *text, int64_t *id,
		    struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "prepare", 0, "INSERT INTO case_notes(case_id, at, author) VALUES (?1, ?2, ?3)",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	cb_db_bind_int64(st, 2, (int64_t)time(NULL));
	cb_db_bind_text(st, 3, author, -1, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "notes");
	cb_db_finalize(&st);
	if (rc != CB_OK)
		return rc;
	*id = cb_db_last_insert_id(s->db);
	return cb_store_seal_column(s, case_id, "case_notes", "body", *id, text, err);
}

int cb_note_rows(struct cb_store *s, const uint8_t case_id[16], bool with_text,
		 int (*fn)(const struct cb_note *n, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	struct cb_note n = {0};
	int rc = cb_store_prep(s->db, "prepare", 0,
			       "SELECT id, at, author, body FROM case_notes WHERE case_id = ?1 ORDER BY id", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, case_id, 16, false);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		memset(&n, 0, sizeof n);
		n.id = cb_db_column_int64(st, 0);
		memcpy(n.case_id, case_id, 16);
		n.at = cb_db_column_int64(st, 1);
		snprintf(n.author, sizeof n.author, "%s", cb_db_column_text(st, 2));
		if (with_text && (rc = cb_store_unseal_column(s, case_id, "case_notes", n.id, st, 3, &n.text, err)) != CB_OK)
			goto out;
		rc = fn(&n, ctx);
		cb_text_free(&n.text);
		if (rc != CB_OK)
			goto out;
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "notes");
out:
	cb_text_free(&n.text);
	cb_db_finalize(&st);
	return rc;
}
