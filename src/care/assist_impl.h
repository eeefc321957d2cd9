/*
 * assist_impl.h -- what the files of src/care/ share (internal to it): checks of coded values and free texts,
 * and the store-kept case sets.
 */
#ifndef CB_ASSIST_IMPL_H
#define CB_ASSIST_IMPL_H

#include "care/assist.h"

/* Checks a coded input value against its set (CB_EINVAL naming `what` and the allowed values). */
int cb_ax_check_value(enum cb_vset_id vs, int32_t v, const char *what, struct cb_err *err);
/* Checks a free text: at most CB_NOTE_MAX bytes, no NUL (never quoted in the error). */
int cb_ax_check_text(const char *text, const char *what, struct cb_err *err);
/* Recomputes assistance_type and referral_partner_type of a case from its rows and writes them through the
 * store's versioned update of kept fields (inside the caller's transaction): the version moves only when they
 * change. */
int cb_ax_refresh(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err);

#endif
