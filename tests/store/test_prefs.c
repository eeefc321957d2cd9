/*
 * test_prefs.c -- a user's own settings (src/store/prefs.c): the chosen language is stored, read, replaced,
 * forgotten, refused when no catalogue has it, and dropped with the account.
 */
#include "access/access.h"
#include "store/prefs.h"
#include "store_helpers.h"

static void test_language(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_user u;
	char lang[CB_LANG_MAX];
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	assert_int_equal(cb_user_add(s, "amira", CB_ROLE_CASEWORKER, "MD-CHISINAU", "correct horse battery", NULL, &err),
			 CB_OK);
	assert_int_equal(cb_user_get(s, "amira", &u, &err), CB_OK);
	assert_int_equal(cb_user_lang_get(s, u.id, lang, &err), CB_OK);
	assert_string_equal(lang, ""); /* none chosen: her browser's decides */
	assert_int_equal(cb_user_lang_set(s, u.id, "ru_RU.UTF-8", &err), CB_OK); /* stored as the catalogue's code */
	assert_int_equal(cb_user_lang_get(s, u.id, lang, &err), CB_OK);
	assert_string_equal(lang, "ru");
	assert_int_equal(cb_user_lang_set(s, u.id, "ar", &err), CB_OK);
	assert_int_equal(cb_user_lang_get(s, u.id, lang, &err), CB_OK);
	assert_string_equal(lang, "ar");
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM user_prefs"), 1);
	/* a language without a catalogue: refused, the choice unchanged */
	assert_int_equal(cb_user_lang_set(s, u.id, "tlh", &err), CB_EINVAL);
	assert_string_equal(err.field, "lang");
	assert_int_equal(cb_user_lang_get(s, u.id, lang, &err), CB_OK);
	assert_string_equal(lang, "ar");
	/* a stored code that no catalogue has any more reads as none */
	raw_exec(db, "UPDATE user_prefs SET lang = 'xx'");
	assert_int_equal(cb_user_lang_get(s, u.id, lang, &err), CB_OK);
	assert_string_equal(lang, "");
	/* forgotten */
	assert_int_equal(cb_user_lang_set(s, u.id, "", &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM user_prefs"), 0);
	cb_store_free(&s);
	/* read-only: refused */
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_user_lang_set(s, u.id, "fr", &err), CB_EPERM);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
