/*
 * note_rows.h -- the storage of dated case notes (note_rows.c): the rows of table case_notes, the text sealed
 * with the case key in a registered sealed column (sealed.c: erasing the case's details clears it; erasing
 * the case deletes the rows).  The rules -- what a note must hold, who may write it, its audit entry -- are
 * care/notes.c's.
 */
#ifndef CB_NOTE_ROWS_H
#define CB_NOTE_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/account.h"
#include "store/store.h"

struct cb_note {
	int64_t id;
	uint8_t case_id[16];
	int64_t at;                   /* unix seconds (UTC) */
	char author[CB_NAME_MAX + 1]; /* the account that wrote it; "cli" for the local operator */
	char *text;                   /* NULL when not asked for, or erased */
};

/* Inserts a note with its sealed text, inside the caller's transaction; *id gets its id. */
int cb_note_row_add(struct cb_store *s, const uint8_t case_id[16], const char *author, const char *text, int64_t *id,
		    struct cb_err *err);
/* Calls fn for each note of the case, oldest first; with_text: opens the text (else NULL). */
int cb_note_rows(struct cb_store *s, const uint8_t case_id[16], bool with_text,
		 int (*fn)(const struct cb_note *n, void *ctx), void *ctx, struct cb_err *err);

#endif
