/*
 * notes.h -- dated case notes by author (notes.c): a case's history in the caseworkers' words, next to the
 * one narrative field.  The text is an identifying detail: sealed with the case key before it touches disk
 * (store/note_rows.h), never in an error or the audit trail, cleared when the case's details are erased,
 * gone with the case.
 */
#ifndef CB_NOTES_H
#define CB_NOTES_H

#include "store/note_rows.h"

/* Adds a note (1..CB_NOTE_MAX bytes, not only spaces) to a stored case, audited (note.add) in the same
 * transaction; *id (may be NULL) gets its id.  by: the author (NULL: the local operator).  CB_ENOTFOUND for
 * an unknown case, CB_EINVAL naming `text`. */
int cb_note_add(struct cb_store *s, const uint8_t case_id[16], const char *text, const struct cb_user *by,
		int64_t *id, struct cb_err *err);
/* Calls fn for each note of the case, oldest first; with_text: opens the text (else NULL).  CB_ENOTFOUND
 * for an unknown case. */
int cb_note_list(struct cb_store *s, const uint8_t case_id[16], bool with_text,
		 int (*fn)(const struct cb_note *n, void *ctx), void *ctx, struct cb_err *err);

#endif
