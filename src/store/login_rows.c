/*
 * login_rows.c -- the storage of failed logins by client address (user_rows.h; table login_failures): the
 * count access/sessions.c slows an address down by, kept in the database so that every server of one
 * database counts the same failures (a guesser spreading attempts over servers behind a load balancer gains
 * nothing).  One row per address that failed within the forget window; one upsert per failure, atomic on
 * either backend, and rows past the window are deleted as failures come in.
 */
#include "store/store_impl.h"
#include "store/user_rows.h"

int cb_login_row_get(struct cb_store *s, const uint8_t addr[16], int64_t now, int64_t forget, int *fails,
		     int64_t *last, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	*fails = 0;
	*last = 0;
	int rc = cb_store_prep(s->db, "failed logins", 0,
			       "SELECT fails, last_at FROM login_failures WHERE addr = ?1 AND last_at > ?2 - ?3", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, addr, 16, false);
	cb_db_bind_int64(st, 2, now);
	cb_db_bind_int64(st, 3, forget);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW) {
		*fails = (int)cb_db_column_int64(st, 0);
		*last = cb_db_column_int64(st, 1);
	} else if (r != CB_DB_DONE) {
		rc = cb_store_db_err(s->db, err, "failed logins");
	}
	cb_db_finalize(&st);
	return rc;
}

int cb_login_row_failed(struct cb_store *s, const uint8_t addr[16], int64_t now, int64_t forget, struct cb_err *err)
{
	static const char *const sql[] = {
		/* a count past the window starts afresh; capped so that it never overflows */
		"INSERT INTO login_failures(addr, fails, last_at) VALUES (?1, 1, ?2) ON CONFLICT(addr) DO UPDATE SET"
		" fails = CASE WHEN login_failures.last_at <= ?2 - ?3 THEN 1"
		" WHEN login_failures.fails < 1000000 THEN login_failures.fails + 1 ELSE login_failures.fails END,"
		" last_at = ?2",
		"DELETE FROM login_failures WHERE last_at <= ?2 - ?3 AND addr <> ?1",
	};
	int rc = cb_store_tx_begin(s, err);
	for (size_t i = 0; rc == CB_OK && i < CB_COUNTOF(sql); i++) {
		struct cb_stmt *st = NULL;
		if ((rc = cb_store_prep(s->db, "failed logins", 0, sql[i], &st, err)) != CB_OK)
			break;
		cb_db_bind_blob(st, 1, addr, 16, false);
		cb_db_bind_int64(st, 2, now);
		cb_db_bind_int64(st, 3, forget);
		if (cb_store_step_done(st) != CB_OK)
			rc = cb_store_db_err(s->db, err, "failed logins");
		cb_db_finalize(&st);
	}
	return cb_store_tx_end(s, rc, err);
}
