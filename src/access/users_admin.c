/*
 * users_admin.c -- what an administrator changes on an account besides its password and whether it is
 * enabled (users.c): lifting a lock, and the role and office.  Apart from users.c, which is about creating
 * accounts and logging in.  The callers audit the act (the server: USER_UNLOCK, USER_ROLE).
 */
#include <string.h>

#include "access/access.h"
#include "store/sites.h"
#include "store/store_impl.h"

int cb_user_unlock(struct cb_store *s, int64_t id, struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0, "UPDATE users SET failures = 0, locked_until = 0 WHERE id = ?1", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (cb_store_step_done(st) != SQLITE_OK)
		rc = cb_store_db_err(s->db, err, "users");
	else if (sqlite3_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such user");
	sqlite3_finalize(st);
	return rc;
}

int cb_user_set_role(struct cb_store *s, int64_t id, enum cb_role role, const char *site, const struct cb_user *by,
		     struct cb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((unsigned)role >= CB_ROLE__COUNT)
		return cb_err_field(err, CB_EINVAL, "role", "role: expected admin, manager, caseworker or analyst");
	if (role == CB_ROLE_CASEWORKER) {
		if (!site || !*site)
			return cb_err_field(err, CB_EINVAL, "site", "Office: a caseworker works at an office; choose one");
		if ((rc = cb_site_check(s, site, "site", err)) != CB_OK)
			return rc;
	} else {
		site = ""; /* only caseworkers belong to an office */
	}
	if (by && by->id == id && role != CB_ROLE_ADMIN)
		return cb_err_set(err, CB_EPERM, "you cannot take away your own admin role: another admin can");
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	/* the accounts are never left without an enabled admin (the condition is in the UPDATE, as for disabling) */
	if ((rc = cb_store_prep(s->db, "users", 0,
				"UPDATE users SET role = ?2, site = ?3 WHERE id = ?1 AND (?2 = 'admin' OR role != 'admin' OR"
				" EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?1))",
				&st, err)) == CB_OK) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, cb_role_name(role), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, site, -1, SQLITE_STATIC);
		if (cb_store_step_done(st) != SQLITE_OK)
			rc = cb_store_db_err(s->db, err, "users");
		else if (sqlite3_changes(s->db) == 0)
			rc = cb_err_set(err, CB_EPERM, "this is the last enabled admin, or no such user: add another admin first");
	}
	sqlite3_finalize(st);
	st = NULL;
	/* a new role means new rights: the sessions of the old ones end */
	if (rc == CB_OK &&
	    (rc = cb_store_prep(s->db, "users", 0, "DELETE FROM sessions WHERE user_id = ?1", &st, err)) == CB_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (cb_store_step_done(st) != SQLITE_OK)
			rc = cb_store_db_err(s->db, err, "sessions");
		sqlite3_finalize(st);
	}
	return cb_store_tx_end(s, rc, err);
}
