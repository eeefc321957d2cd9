/*
 * filter_rows.h -- the saved filters of the case list, one set per account (filter_rows.c, table
 * saved_filters of schema step 6).  A filter is a name and the list's query string (office, status, sort,
 * "my cases"); never a search text, which could name a person: the server refuses those (http/find.c).
 */
#ifndef CB_FILTER_ROWS_H
#define CB_FILTER_ROWS_H

#include "store/store.h"

#define CB_FILTERS_MAX 50 /* per account */
/* Calls fn for each of user's filters, by name. */
int cb_filters_list(struct cb_store *s, const char *user, int (*fn)(const char *name, const char *query, void *ctx),
		    void *ctx, struct cb_err *err);
/* Saves (or replaces) one; CB_EFULL-free: CB_EINVAL when the account has CB_FILTERS_MAX already. */
int cb_filter_save(struct cb_store *s, const char *user, const char *name, const char *query, struct cb_err *err);
/* CB_ENOTFOUND when there is no such filter. */
int cb_filter_delete(struct cb_store *s, const char *user, const char *name, struct cb_err *err);

#endif
