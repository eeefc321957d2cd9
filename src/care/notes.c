/*
 * notes.c -- the rules of dated case notes (care/notes.h): what a note must hold, and that adding one is
 * audited in its transaction.  The rows and the sealing are store/note_rows.c's.
 */
#include "care/assist_impl.h"
#include "care/notes.h"
#include "store/audit.h"
#include "store/care_rows.h"

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
	int64_t nid = 0;
	int rc;
	if (!text || blank(text))
		return cb_err_field(err, CB_EINVAL, "text", "Note: write the note before adding it.");
	if ((rc = cb_ax_check_text(text, "text", err)) != CB_OK || (rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_case_exists(s, case_id, err)) == CB_OK &&
	    (rc = cb_note_row_add(s, case_id, by ? by->name : "cli", text, &nid, err)) == CB_OK)
		rc = cb_store_audit_by(s, by, CB_AUD_NOTE_ADD, case_id, NULL, err);
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK && id)
		*id = nid;
	return rc;
}

int cb_note_list(struct cb_store *s, const uint8_t case_id[16], bool with_text,
		 int (*fn)(const struct cb_note *n, void *ctx), void *ctx, struct cb_err *err)
{
	int rc = cb_store_case_exists(s, case_id, err);
	return rc != CB_OK ? rc : cb_note_rows(s, case_id, with_text, fn, ctx, err);
}
