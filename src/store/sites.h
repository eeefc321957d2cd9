/*
 * sites.h -- the managed list of offices (sites.c).  Every office field (a case's, a user's, a filter's)
 * names one of these; before the list, offices were free text and a typo ("MD-CHISNAU") made an office of
 * its own.  An office is never deleted (cases keep its code for ever); it is disabled, so nothing new goes
 * to it.
 */
#ifndef CB_SITES_H
#define CB_SITES_H

#include <stdbool.h>

#include "store/account.h"
#include "store/store.h"

#define CB_SITE_NAME_MAX 120
struct cb_site {
	char code[17];                    /* the office code of cb_fields' SITE kind: [A-Z0-9-]{2,16} */
	char name[CB_SITE_NAME_MAX + 1];  /* what people call it */
	char country[3];                  /* ISO 3166-1 alpha-2; "" when not known (offices adopted from data) */
	bool disabled;
};

/* Adds an office.  CB_EINVAL naming `code`, `name` or `country` for a bad one; CB_EEXIST when the code is
 * taken.  by: the admin acting (NULL: the local operator); the act is audited. */
int cb_site_add(struct cb_store *s, const char *code, const char *name, const char *country, const struct cb_user *by,
		struct cb_err *err);
/* Disables or re-enables an office.  CB_ENOTFOUND for an unknown code. */
int cb_site_set_disabled(struct cb_store *s, const char *code, bool disabled, const struct cb_user *by,
			 struct cb_err *err);
/* Calls fn for every office, by code. */
int cb_site_list(struct cb_store *s, int (*fn)(const struct cb_site *site, void *ctx), void *ctx, struct cb_err *err);
/* CB_OK when `code` is an enabled office of the list; else CB_EINVAL naming `field` (its label for people,
 * e.g. "Office") and the code, which is never identifying.  A database whose list is still empty accepts any
 * code (an installation before its offices are set up). */
int cb_site_check(struct cb_store *s, const char *code, const char *field, struct cb_err *err);
/* Adds every office in use (cases, users, partners) that the list lacks, named by its code, with the
 * country its code starts with ("MD-..."), if any: the migration of databases from before the list, and the
 * demo's.  *added (may be NULL): how many. */
int cb_site_adopt(struct cb_store *s, long *added, struct cb_err *err);

#endif
