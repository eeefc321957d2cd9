/*
 * user_admin_rows.c -- the storage side of what an administrator changes on an account besides its password
 * and whether it is enabled (user_rows.c): lifting a lock, and the role and office.  The rules (who may,
 * which office) are access/users_admin.c's.
 */
#include "store/store_impl.h"
#include "store/user_rows.h"

int cb_user_row_unlock(struct cb_store *s, int64_t id, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0, "UPDATE users SET failures = 0, locked_until = 0 WHERE id = ?1", &st,
			       err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, id);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "users");
	else if (cb_db_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such user");
	cb_db_finalize(&st);
	return rc;
}

int cb_user_row_set_role(struct cb_store *s, int64_t id, enum cb_role role, const char *site, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_tx_begin(s, err);
	if (rc != CB_OK)
		return rc;
	/* the accounts are never left without an enabled admin: the condition is in the UPDATE, as for disabling */
	if ((rc = cb_store_prep(s->db, "users", 0,
				"UPDATE users SET role = ?2, site = ?3 WHERE id = ?1 AND (?2 = 'admin' OR role != 'admin' OR"
				" EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?1))",
				&st, err)) == CB_OK) {
		cb_db_bind_int64(st, 1, id);
		cb_db_bind_text(st, 2, cb_role_name(role), -1, false);
		cb_db_bind_text(st, 3, site, -1, false);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "users");
		else if (cb_db_changes(s->db) == 0)
			rc = cb_err_set(err, CB_EPERM, "This is the last enabled administrator, or no such account: add "
						       "another administrator first.");
	}
	cb_db_finalize(&st);
	st = NULL;
	/* a new role means new rights: the sessions of the old ones end */
	if (rc == CB_OK &&
	    (rc = cb_store_prep(s->db, "users", 0, "DELETE FROM sessions WHERE user_id = ?1", &st, err)) == CB_OK) {
		cb_db_bind_int64(st, 1, id);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "sessions");
		cb_db_finalize(&st);
	}
	return cb_store_tx_end(s, rc, err);
}
