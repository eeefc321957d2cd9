/*
 * assist_impl.h -- what assist.c and partners.c share (internal to src/care/): dates and value names in
 * columns, sealed notes of child records, the store-kept case sets, audit entries for a named user.
 */
#ifndef CB_ASSIST_IMPL_H
#define CB_ASSIST_IMPL_H

#include "care/assist.h"
#include "store/store_impl.h"

/* A date as YYYY-MM-DD text, or NULL for CB_NA. */
void cb_ax_bind_date(sqlite3_stmt *st, int p, int32_t day);
/* A column's date or value index; CB_NA when NULL, CB_ECORRUPT-worthy values give -2 (never a real code). */
int32_t cb_ax_col_date(sqlite3_stmt *st, int col);
int32_t cb_ax_col_value(sqlite3_stmt *st, int col, enum cb_vset_id vs);
/* Checks a coded input value against its set (CB_EINVAL naming `what` and the allowed values). */
int cb_ax_check_value(enum cb_vset_id vs, int32_t v, const char *what, struct cb_err *err);
/* Checks a free text: at most CB_NOTE_MAX bytes, no NUL (never quoted in the error). */
int cb_ax_check_text(const char *text, const char *what, struct cb_err *err);

/* Seals `text` of record `rowid` of `table` (associated data: case id, table, record id) and stores it in
 * column `col` of that row; NULL text stores NULL. */
int cb_ax_seal_into(struct cb_store *s, const uint8_t case_id[16], const char *table, const char *col, int64_t rowid,
		    const char *text, struct cb_err *err);
/* Opens such a blob; *text NULL when the blob is NULL or the case key was destroyed (erased).  The caller
 * frees *text with cb_text_free. */
int cb_ax_unseal(struct cb_store *s, const uint8_t case_id[16], const char *table, int64_t rowid, sqlite3_stmt *st,
		 int col, char **text, struct cb_err *err);

/* CB_ENOTFOUND unless the case is stored. */
int cb_ax_case_exists(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err);
/* Recomputes assistance_type and referral_partner_type of a case (inside the caller's transaction); bumps
 * the version only when they change. */
int cb_ax_refresh(struct cb_store *s, const uint8_t case_id[16], struct cb_err *err);
/* An audit entry by `by` (NULL: the local operator, through cb_store_event). */
int cb_ax_event(struct cb_store *s, const struct cb_user *by, enum cb_audit_action a, const uint8_t *case_id,
		const char *detail, struct cb_err *err);

#endif
