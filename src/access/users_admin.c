/*
 * users_admin.c -- the rules of what an administrator changes on an account besides its password and whether
 * it is enabled (users.c): lifting a lock, and the role and office (the office from the managed list; nobody
 * takes away her own admin role).  The rows are store/user_admin_rows.c's; the callers audit the act (the
 * server: USER_UNLOCK, USER_ROLE).
 */
#include "access/access.h"
#include "store/sites.h"
#include "store/user_rows.h"

int cb_user_unlock(struct cb_store *s, int64_t id, struct cb_err *err) { return cb_user_row_unlock(s, id, err); }

int cb_user_set_role(struct cb_store *s, int64_t id, enum cb_role role, const char *site, const struct cb_user *by,
		     struct cb_err *err)
{
	int rc;
	if ((unsigned)role >= CB_ROLE__COUNT)
		return cb_err_field(err, CB_EINVAL, "role", "Role: choose administrator, manager, caseworker or analyst.");
	if (role == CB_ROLE_CASEWORKER) {
		if (!site || !*site)
			return cb_err_field(err, CB_EINVAL, "site", "Office is required for a caseworker: choose one.");
		if ((rc = cb_site_check(s, site, "site", err)) != CB_OK)
			return rc;
	} else {
		site = ""; /* only caseworkers belong to an office */
	}
	if (by && by->id == id && role != CB_ROLE_ADMIN)
		return cb_err_set(err, CB_EPERM, "You cannot take away your own administrator role: another administrator can.");
	return cb_user_row_set_role(s, id, role, site, err);
}
