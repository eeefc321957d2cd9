/*
 * user_rows.c -- the rows of tables users, sessions and glass (user_rows.h).  The rules are access/users.c's;
 * here is only what is read and written, and the one condition that must sit in the UPDATE itself (the last
 * enabled admin) because checking it first and writing after would race.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_impl.h"
#include "store/user_rows.h"

static const char *const role_names[CB_ROLE__COUNT] = {"admin", "manager", "caseworker", "analyst"};

const char *cb_role_name(enum cb_role r)
{
	return (unsigned)r < CB_ROLE__COUNT ? role_names[r] : "?";
}

int cb_role_parse(const char *name, enum cb_role *out)
{
	for (int i = 0; i < CB_ROLE__COUNT; i++)
		if (name && strcmp(name, role_names[i]) == 0) {
			*out = (enum cb_role)i;
			return CB_OK;
		}
	return CB_EINVAL;
}

/* Runs one statement that returns no rows (with its parameters bound by the caller) and finalizes it. */
static int run(struct cb_store *s, struct cb_stmt *st, const char *what, struct cb_err *err)
{
	int rc = cb_store_step_done(st) == CB_OK ? CB_OK : cb_store_db_err(s->db, err, what);
	cb_db_finalize(&st);
	return rc;
}

/* Prepares sql, binds one int64 (p1) and runs it. */
static int run_id(struct cb_store *s, const char *sql, int64_t p1, const char *what, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, what, 0, sql, &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, p1);
	return run(s, st, what, err);
}

/* ---- accounts */

#define USER_COLS "id, name, role, site, disabled, locked_until"

static void user_from(struct cb_stmt *st, struct cb_user *u)
{
	const char *name = (const char *)cb_db_column_text(st, 1);
	const char *site = (const char *)cb_db_column_text(st, 3);
	memset(u, 0, sizeof *u);
	u->id = cb_db_column_int64(st, 0);
	snprintf(u->name, sizeof u->name, "%s", name ? name : "");
	if (cb_role_parse((const char *)cb_db_column_text(st, 2), &u->role) != CB_OK)
		u->role = CB_ROLE_ANALYST; /* the schema's CHECK allows no other value; the least privilege */
	snprintf(u->site, sizeof u->site, "%s", site ? site : "");
	u->disabled = (int)cb_db_column_int64(st, 4) != 0;
	u->locked_until = cb_db_column_int64(st, 5);
}

int cb_user_row_add(struct cb_store *s, const char *name, enum cb_role role, const char *site, const char *pwhash,
		    struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0,
			       "INSERT INTO users(name, role, site, pwhash, created_at) VALUES (?1, ?2, ?3, ?4, unixepoch())",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, name, -1, false);
	cb_db_bind_text(st, 2, cb_role_name(role), -1, false);
	cb_db_bind_text(st, 3, site, -1, false);
	cb_db_bind_text(st, 4, pwhash, -1, false);
	int r = cb_db_step(st);
	cb_db_finalize(&st);
	if (r == CB_EEXIST)
		return cb_err_field(err, CB_EEXIST, "name", "user '%s' already exists", name);
	return r == CB_DB_DONE ? CB_OK : cb_store_db_err(s->db, err, "users");
}

int cb_user_row_get(struct cb_store *s, const char *name, int64_t id, struct cb_user *out, struct cb_err *err)
{
	/* by id: every request's session check; kept prepared with the store (on PostgreSQL a statement prepared
	 * per call is three round trips: prepare, execute, deallocate) */
	struct cb_stmt *own = NULL, *st = name ? NULL : s->user_by_id;
	int rc;
	if (!st && (rc = cb_store_prep(s->db, "users", 0,
				       name ? "SELECT " USER_COLS " FROM users WHERE name = ?1"
					    : "SELECT " USER_COLS " FROM users WHERE id = ?1",
				       name ? &own : &s->user_by_id, err)) != CB_OK)
		return rc;
	st = name ? own : s->user_by_id;
	if (name)
		cb_db_bind_text(st, 1, name, -1, false);
	else
		cb_db_bind_int64(st, 1, id);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		user_from(st, out);
	else if (r == CB_DB_DONE)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such user");
	else
		rc = cb_store_db_err(s->db, err, "users");
	cb_db_reset(st);
	cb_db_finalize(&own);
	return rc;
}

int cb_user_rows(struct cb_store *s, int (*fn)(const struct cb_user *u, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	struct cb_user u;
	int rc, r;
	if ((rc = cb_store_prep(s->db, "users", 0, "SELECT " USER_COLS " FROM users ORDER BY name", &st, err)) != CB_OK)
		return rc;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		user_from(st, &u);
		if ((rc = fn(&u, ctx)) != 0)
			goto out;
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "users");
out:
	cb_db_finalize(&st);
	return rc;
}

/* Runs an UPDATE of one user; CB_ENOTFOUND if it changed nothing.  Then, unless `end_sessions_of` is 0,
 * deletes that user's sessions: all in one transaction. */
static int update_user(struct cb_store *s, struct cb_stmt *st, int64_t end_sessions_of, struct cb_err *err)
{
	int rc;
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK) {
		cb_db_finalize(&st);
		return rc;
	}
	if ((rc = run(s, st, "users", err)) == CB_OK && cb_db_changes(s->db) == 0)
		rc = cb_err_set(err, CB_ENOTFOUND, "no such user");
	if (rc == CB_OK && end_sessions_of)
		rc = cb_session_row_end_user(s, end_sessions_of, err);
	return cb_store_tx_end(s, rc, err);
}

int cb_user_row_set_disabled(struct cb_store *s, int64_t id, bool disabled, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0,
			       "UPDATE users SET disabled = ?2 WHERE id = ?1 AND (?2 = 0 OR role != 'admin' OR EXISTS"
			       " (SELECT 1 FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?1))",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, id);
	cb_db_bind_int64(st, 2, disabled);
	return update_user(s, st, disabled ? id : 0, err);
}

int cb_user_row_set_hash(struct cb_store *s, int64_t id, const char *pwhash, bool reset, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0,
			       reset ? "UPDATE users SET pwhash = ?2, failures = 0, locked_until = 0 WHERE id = ?1"
				     : "UPDATE users SET pwhash = ?2 WHERE id = ?1",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, id);
	cb_db_bind_text(st, 2, pwhash, -1, false);
	return update_user(s, st, reset ? id : 0, err);
}

int cb_user_row_login(struct cb_store *s, const char *name, struct cb_user *u, char *hash, size_t hash_n,
		      struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc;
	if ((rc = cb_store_prep(s->db, "users", 0, "SELECT " USER_COLS ", pwhash FROM users WHERE name = ?1", &st,
				err)) != CB_OK)
		return rc;
	cb_db_bind_text(st, 1, name, -1, false);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW) {
		const char *h = (const char *)cb_db_column_text(st, 6);
		user_from(st, u);
		snprintf(hash, hash_n, "%s", h ? h : "");
	} else {
		rc = r == CB_DB_DONE ? CB_ENOTFOUND : cb_store_db_err(s->db, err, "users");
	}
	cb_db_finalize(&st);
	return rc;
}

int cb_user_row_failed(struct cb_store *s, int64_t id, struct cb_err *err)
{
	if (id)
		return run_id(s, "UPDATE users SET failures = failures + 1 WHERE id = ?1", id, "users", err);
	return run_id(s,
		      "INSERT INTO meta(key, value) VALUES ('login.refused_without_check', ?1)"
		      " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)",
		      1, "users", err);
}

int cb_user_row_clear_failures(struct cb_store *s, int64_t id, struct cb_err *err)
{
	return run_id(s, "UPDATE users SET failures = 0, locked_until = 0 WHERE id = ?1", id, "users", err);
}

/* ---- sessions */

int cb_session_row_add(struct cb_store *s, const uint8_t h[32], const struct cb_session *sess, int64_t idle,
		       int64_t absolute, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc;
	/* expired sessions of everybody go here, so the table never grows with abandoned logins */
	if ((rc = cb_store_prep(s->db, "users", 0,
				"DELETE FROM sessions WHERE last_seen <= ?1 - ?2 OR created_at <= ?1 - ?3", &st, err)) != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, sess->created);
	cb_db_bind_int64(st, 2, idle);
	cb_db_bind_int64(st, 3, absolute);
	if ((rc = run(s, st, "users", err)) != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?4)",
				&st, err)) != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, h, 32, false);
	cb_db_bind_int64(st, 2, sess->user_id);
	cb_db_bind_text(st, 3, sess->csrf, -1, false);
	cb_db_bind_int64(st, 4, sess->created);
	return run(s, st, "users", err);
}

int cb_session_row_find(struct cb_store *s, const uint8_t h[32], struct cb_session *sess, bool *disabled,
			struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc, r;
	*disabled = false;
	if ((rc = cb_store_prep(s->db, "users", 0,
				"SELECT s.user_id, s.csrf, s.created_at, s.last_seen, u.disabled"
				" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
				&st, err)) != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, h, 32, false);
	r = cb_db_step(st);
	if (r == CB_DB_ROW) {
		const char *csrf = (const char *)cb_db_column_text(st, 1);
		sess->user_id = cb_db_column_int64(st, 0);
		snprintf(sess->csrf, sizeof sess->csrf, "%s", csrf ? csrf : "");
		sess->created = cb_db_column_int64(st, 2);
		sess->last_seen = cb_db_column_int64(st, 3);
		*disabled = (int)cb_db_column_int64(st, 4) != 0;
	} else if (r == CB_DB_DONE) {
		rc = cb_err_set(err, CB_ENOTFOUND, "no such session");
	} else {
		rc = cb_store_db_err(s->db, err, "sessions");
	}
	cb_db_finalize(&st);
	return rc;
}

int cb_session_row_seen(struct cb_store *s, const uint8_t h[32], int64_t seen, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0, "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, h, 32, false);
	cb_db_bind_int64(st, 2, seen);
	return run(s, st, "users", err);
}

int cb_session_row_delete(struct cb_store *s, const uint8_t h[32], struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0, "DELETE FROM sessions WHERE token_hash = ?1", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, h, 32, false);
	if ((rc = run(s, st, "users", err)) == CB_OK && cb_db_changes(s->db) == 0)
		rc = CB_ENOTFOUND;
	return rc;
}

int cb_session_row_end_user(struct cb_store *s, int64_t user_id, struct cb_err *err)
{
	return run_id(s, "DELETE FROM sessions WHERE user_id = ?1", user_id, "users", err);
}

int cb_session_touch_many(struct cb_store *s, const struct cb_session_touch *t, int n, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc;
	if (n <= 0)
		return CB_OK;
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	/* never backwards, and never brings back a session that was ended meanwhile */
	if ((rc = cb_store_prep(s->db, "users", 0,
				"UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1 AND last_seen < ?2", &st, err)) !=
	    CB_OK)
		goto out;
	for (int i = 0; i < n && rc == CB_OK; i++) {
		cb_db_bind_blob(st, 1, t[i].token_hash, 32, false);
		cb_db_bind_int64(st, 2, t[i].seen);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "sessions");
	}
	cb_db_finalize(&st);
out:
	return cb_store_tx_end(s, rc, err);
}

/* ---- break-the-glass grants */

int cb_glass_row_add(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], const char *reason, int64_t now,
		     int64_t until, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "users", 0,
			       "INSERT INTO glass(user_id, case_id, reason, opened_at, until_at) VALUES (?1, ?2, ?3, ?4, ?5)",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, user_id);
	cb_db_bind_blob(st, 2, case_id, 16, false);
	cb_db_bind_text(st, 3, reason, -1, false);
	cb_db_bind_int64(st, 4, now);
	cb_db_bind_int64(st, 5, until);
	return run(s, st, "glass", err);
}

bool cb_glass_row_open(struct cb_store *s, int64_t user_id, const uint8_t case_id[16], int64_t now)
{
	bool open = false;
	if (!s->glass_open && /* every case read asks: kept prepared, as cb_user_row_get's */
	    cb_store_prep(s->db, "users", 0,
			  "SELECT 1 FROM glass WHERE user_id = ?1 AND case_id = ?2 AND opened_at <= ?3 AND until_at > ?3"
			  " LIMIT 1",
			  &s->glass_open, NULL) != CB_OK)
		return false;
	struct cb_stmt *st = s->glass_open;
	cb_db_bind_int64(st, 1, user_id);
	cb_db_bind_blob(st, 2, case_id, 16, false);
	cb_db_bind_int64(st, 3, now);
	open = cb_db_step(st) == CB_DB_ROW;
	cb_db_reset(st);
	return open;
}
