/*
 * test_main.c -- the command line's language (src/cli/main.c): messages follow --lang, or LANGUAGE, LC_ALL,
 * LC_MESSAGES and LANG as gettext reads them, on a machine with no locale but C.UTF-8; a language without a
 * catalogue is refused; what machines read (ids, codes) stays the same in every language.
 */
#include "cb_test.h"

static char *out, *err;

static void reset(void)
{
	free(out);
	free(err);
	out = err = NULL;
}

static void test_lang_option(void **state)
{
	(void)state;
	assert_int_equal(cbt_run(NULL, &err, "%s --lang fr nosuch", cbt_bin()), 2);
	assert_non_null(strstr(err, "casebank : nosuch : commande inconnue"));
	assert_non_null(strstr(err, "créer une base de données et son fichier de clé"));
	reset();
	/* anywhere on the line, and --lang=LL */
	assert_int_equal(cbt_run(NULL, &err, "%s nosuch --lang=ar", cbt_bin()), 2);
	assert_non_null(strstr(err, "أمر غير معروف"));
	reset();
	/* --lang wins over the environment */
	assert_int_equal(cbt_run(NULL, &err, "LANG=ru_RU.UTF-8 %s --lang es nosuch", cbt_bin()), 2);
	assert_non_null(strstr(err, "orden desconocida"));
	reset();
	assert_int_equal(cbt_run(&out, NULL, "%s --lang ru help", cbt_bin()), 0);
	assert_non_null(strstr(out, "стандартный отчёт"));
	assert_non_null(strstr(out, "ar (العربية)")); /* the languages on offer, each in its own name */
	reset();
}

static void test_environment(void **state)
{
	(void)state;
	assert_int_equal(cbt_run(NULL, &err, "env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=ru_RU.UTF-8 %s nosuch",
				 cbt_bin()),
			 2);
	assert_non_null(strstr(err, "неизвестная команда"));
	reset();
	assert_int_equal(cbt_run(NULL, &err, "env -u LC_ALL LANG=fr_FR.UTF-8 LC_MESSAGES=es_ES.UTF-8 LANGUAGE= %s nosuch",
				 cbt_bin()),
			 2);
	assert_non_null(strstr(err, "orden desconocida"));
	reset();
	/* the C locale is English, whatever LANGUAGE says (gettext's rule) */
	assert_int_equal(cbt_run(NULL, &err, "env LC_ALL=C LANGUAGE=fr %s nosuch", cbt_bin()), 2);
	assert_non_null(strstr(err, "casebank: nosuch: unknown command"));
	reset();
	/* a language without a catalogue is English too */
	assert_int_equal(cbt_run(NULL, &err, "env -u LANGUAGE LC_ALL=de_DE.UTF-8 %s nosuch", cbt_bin()), 2);
	assert_non_null(strstr(err, "unknown command"));
	reset();
}

static void test_unknown_language(void **state)
{
	(void)state;
	assert_int_equal(cbt_run(NULL, &err, "%s --lang xx help", cbt_bin()), 2);
	assert_non_null(strstr(err, "no catalogue for 'xx'"));
	assert_non_null(strstr(err, " fr"));
	reset();
}

/* An error about a case names the field by its label in the chosen language and says what to do; the case
 * id printed on success is the same in every language. */
static void test_messages_and_codes(void **state)
{
	(void)state;
	const char *db = cbt_db("lang.db");
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	cbt_write(cbt_path("office.json"), "{\"site\": \"HQ\"}");
	assert_int_equal(cbt_run(NULL, &err, "%s add %s --lang fr < %s", cbt_bin(), db, cbt_path("office.json")), 2);
	assert_non_null(strstr(err, "Enregistré le est obligatoire"));
	reset();
	assert_int_equal(cbt_run(NULL, &err, "%s add %s --lang en < %s", cbt_bin(), db, cbt_path("office.json")), 2);
	assert_non_null(strstr(err, "Registered on is required"));
	assert_null(strstr(err, "year:"));
	reset();
	cbt_write(cbt_path("case.json"), "{\"site\": \"HQ\", \"registered_on\": \"2020-03-01\", \"gender\": \"Feminine\"}");
	assert_int_equal(cbt_run(&out, NULL, "%s add %s --lang ar < %s", cbt_bin(), db, cbt_path("case.json")), 0);
	assert_int_equal(strlen(out), 27); /* 26 base32 characters and a newline */
	char id[32];
	snprintf(id, sizeof id, "%.26s", out);
	reset();
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s --lang ru", cbt_bin(), db, id), 0);
	assert_non_null(strstr(out, "\"gender\": \"Feminine\"")); /* codes stay language-neutral */
	reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lang_option),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_unknown_language),
		cmocka_unit_test(test_messages_and_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
