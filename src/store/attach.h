/*
 * attach.h -- photos and documents of a case (store/attach.c; schema step 7): each file and its name sealed
 * with the case key through the registry of sealed columns (sealed.c), so that erasing the case's
 * identifying details destroys them with everything else; its type, size, date and uploader stay, coded.
 * The limits (attachments.max_bytes, attachments.types in meta) are checked here, for every door.
 */
#ifndef CB_STORE_ATTACH_H
#define CB_STORE_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define CB_ATTACH_MAX_DEFAULT (1L << 20)
#define CB_ATTACH_TYPES_DEFAULT "image/jpeg,image/png,image/webp,application/pdf,audio/mpeg,audio/mp4,audio/amr,video/mp4"

struct cb_attachment {
	int64_t id;
	uint8_t case_id[16];
	char ctype[80];
	int64_t size, created_at;
	char by[65];
	char *name;    /* sealed on disk; NULL when not read, or erased */
	uint8_t *data; /* the file (get only); NULL when erased */
};
void cb_attachment_clear(struct cb_attachment *a); /* wipes and frees name and data */

/* Is a file of this type and size allowed (the settings in meta, else the defaults)?  CB_EINVAL with a
 * message saying what is. */
int cb_attach_allowed(struct cb_store *s, const char *ctype, size_t size, struct cb_err *err);
/* Adds a file to a case (in the caller's transaction if one is open); sets *id.  CB_ENOTFOUND without the
 * case. */
int cb_attach_add(struct cb_store *s, const uint8_t case_id[16], const char *name, const char *ctype,
		  const uint8_t *data, size_t size, const char *by, int64_t now, int64_t *id, struct cb_err *err);
/* A case's files, oldest first; names only with_names. */
int cb_attach_list(struct cb_store *s, const uint8_t case_id[16], bool with_names,
		   int (*fn)(const struct cb_attachment *a, void *ctx), void *ctx, struct cb_err *err);
/* One file of a case, opened.  CB_ENOTFOUND when there is no such file of that case, or it was erased. */
int cb_attach_get(struct cb_store *s, const uint8_t case_id[16], int64_t id, struct cb_attachment *out,
		  struct cb_err *err);

#endif
