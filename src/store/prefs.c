/*
 * prefs.c -- a user's own settings (prefs.h) in the `user_prefs` table (schema step 6): one row a user who
 * chose something, dropped with the account.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/prefs.h"
#include "store/store_impl.h"

int cb_user_lang_get(struct cb_store *s, int64_t user_id, char lang[CB_LANG_MAX], struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	lang[0] = 0;
	int rc = cb_store_prep(s->db, "user_prefs", 0, "SELECT lang FROM user_prefs WHERE user_id = ?1", &st, err);
	if (rc)
		return rc;
	cb_db_bind_int64(st, 1, user_id);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW) {
		/* only a language this binary has: a catalogue may have gone since it was chosen */
		const char *code = cb_lang_find((const char *)cb_db_column_text(st, 0));
		snprintf(lang, CB_LANG_MAX, "%s", code ? code : "");
	}
	cb_db_finalize(&st);
	return r == CB_DB_ROW || r == CB_DB_DONE ? CB_OK : cb_store_db_err(s->db, err, "user_prefs");
}

int cb_user_lang_set(struct cb_store *s, int64_t user_id, const char *lang, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	const char *code = lang && *lang ? cb_lang_find(lang) : "";
	if (!code)
		return cb_err_field(err, CB_EINVAL, "lang", "There is no translation into '%s'.", lang);
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	int rc = cb_store_prep(s->db, "user_prefs", 0,
			       *code ? "INSERT INTO user_prefs(user_id, lang) VALUES (?1, ?2)"
				       " ON CONFLICT(user_id) DO UPDATE SET lang = excluded.lang"
				     : "DELETE FROM user_prefs WHERE user_id = ?1",
			       &st, err);
	if (rc)
		return rc;
	cb_db_bind_int64(st, 1, user_id);
	if (*code)
		cb_db_bind_text(st, 2, code, -1, false);
	int r = cb_db_step(st);
	cb_db_finalize(&st);
	return r == CB_DB_DONE ? CB_OK : cb_store_db_err(s->db, err, "user_prefs");
}
