/*
 * test_i18n.c -- the message catalogues (src/util/i18n.c): loading the embedded .mo files, lookups and their
 * English fallback, the choice of a language (locale names, Accept-Language, the environment), the thread's
 * language, and completeness: every language has every message of the English catalogue, and the English
 * catalogue has every label of the codebook, every report text and every string of the web interface.
 */
#include "cb_test.h"

#include <pthread.h>

#include "care/states.h"
#include "codebook/codebook.h"
#include "http/assets.h"
#include "stats/report.h"
#include "stats/stats.h"
#include "util/cb.h"
#include "util/i18n.h"

static const char *const contexts[] = {NULL, "web", "codebook", "report", "country", "language"};
static const char *const wanted[] = {"en", "fr", "es", "ru", "ar"};

static void test_languages(void **state)
{
	(void)state;
	assert_true(cb_lang_count() >= 5);
	assert_string_equal(cb_lang_code(0), "en"); /* English first: the default */
	for (size_t i = 0; i < CB_COUNTOF(wanted); i++)
		assert_non_null(cb_lang_find(wanted[i]));
	assert_null(cb_lang_code(cb_lang_count()));
	assert_string_equal(cb_lang_name("en"), "English");
	assert_string_equal(cb_lang_name("fr"), "Français");
	assert_string_equal(cb_lang_name("ru"), "Русский");
	assert_string_equal(cb_lang_name("ar"), "العربية");
	assert_true(cb_lang_rtl("ar"));
	assert_false(cb_lang_rtl("fr"));
	assert_false(cb_lang_rtl("en"));
}

static void test_lookup_and_fallback(void **state)
{
	(void)state;
	assert_string_equal(cb_tr("fr", "codebook", "Date of birth"), "Date de naissance");
	assert_string_equal(cb_tr("es", "codebook", "Debt bondage"), "Servidumbre por deudas");
	assert_string_equal(cb_tr("ar", "web", "Sign in"), "تسجيل الدخول");
	assert_string_equal(cb_tr("ru", "report", "Caseload by year"), "Число дел по годам");
	/* the same English in another context is another message */
	assert_null(cb_tr_find("fr", "report", "Date of birth"));
	/* a message the catalogue lacks falls back to English: the very msgid */
	static const char missing[] = "A message nobody translated";
	assert_ptr_equal(cb_tr("fr", NULL, missing), missing);
	assert_null(cb_tr_find("fr", NULL, missing));
	/* an unknown language is English */
	assert_string_equal(cb_tr("xx", "codebook", "Date of birth"), "Date of birth");
	assert_string_equal(cb_tr(NULL, "codebook", "Date of birth"), "Date of birth");
	/* countries come from iso-codes */
	assert_string_equal(cb_tr_country("fr", "Germany"), "Allemagne");
	assert_string_equal(cb_tr_country("es", "Germany"), "Alemania");
	assert_string_equal(cb_tr_country("en", "Germany"), "Germany");
}

static void test_find(void **state)
{
	(void)state;
	assert_string_equal(cb_lang_find("fr_FR.UTF-8"), "fr");
	assert_string_equal(cb_lang_find("FR-ca"), "fr");
	assert_string_equal(cb_lang_find("ar_EG@latin"), "ar");
	assert_string_equal(cb_lang_find("es"), "es");
	assert_null(cb_lang_find("de_DE.UTF-8"));
	assert_null(cb_lang_find("C"));
	assert_null(cb_lang_find("POSIX"));
	assert_null(cb_lang_find(""));
	assert_null(cb_lang_find("f1"));
	assert_null(cb_lang_find(NULL));
}

static void test_accept_language(void **state)
{
	(void)state;
	assert_string_equal(cb_lang_accept("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"), "fr");
	assert_string_equal(cb_lang_accept("de-DE, ru;q=0.5, ar;q=0.8"), "ar");
	assert_string_equal(cb_lang_accept("es"), "es");
	assert_string_equal(cb_lang_accept("de,en;q=0.1"), "en");
	assert_string_equal(cb_lang_accept("ru;q=0.500,es;q=0.499"), "ru");
	assert_string_equal(cb_lang_accept("  ar ;q=1.0 ,fr"), "ar");
	assert_null(cb_lang_accept("de, it;q=0.9"));
	assert_null(cb_lang_accept("fr;q=0"));
	assert_null(cb_lang_accept("*"));
	assert_null(cb_lang_accept(""));
	assert_null(cb_lang_accept(NULL));
	assert_null(cb_lang_accept(";;;,,,q=;q=0.;=="));
	/* a long tag is cut, never overflows */
	char big[4096];
	memset(big, 'f', sizeof big - 1);
	big[sizeof big - 1] = 0;
	assert_null(cb_lang_accept(big));
}

static void test_environment(void **state)
{
	(void)state;
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	setenv("LANG", "ru_RU.UTF-8", 1);
	assert_string_equal(cb_lang_from_env(), "ru");
	setenv("LC_MESSAGES", "es_ES.UTF-8", 1); /* LC_MESSAGES before LANG */
	assert_string_equal(cb_lang_from_env(), "es");
	setenv("LC_ALL", "fr_FR.UTF-8", 1); /* LC_ALL before both */
	assert_string_equal(cb_lang_from_env(), "fr");
	setenv("LANGUAGE", "de:ar:fr", 1); /* the first known of LANGUAGE's list */
	assert_string_equal(cb_lang_from_env(), "ar");
	setenv("LC_ALL", "C", 1); /* gettext: LANGUAGE is ignored in the C locale */
	assert_string_equal(cb_lang_from_env(), "en");
	setenv("LC_ALL", "de_DE.UTF-8", 1);
	unsetenv("LANGUAGE");
	assert_string_equal(cb_lang_from_env(), "en");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
	assert_string_equal(cb_lang_from_env(), "en");
}

static void *english_thread(void *arg)
{
	struct cb_err *err = arg;
	cb_err_set(err, CB_EINVAL, "Nothing was changed.");
	cb_err_field(err, CB_EINVAL, "x", "%s is required", "Office");
	return NULL;
}

/* Each thread has its language: a server thread answering in Russian leaves the others in English. */
static void test_thread_language(void **state)
{
	(void)state;
	struct cb_err err = {0}, other = {0};
	cb_lang_use("ru");
	assert_string_equal(cb_lang_current(), "ru");
	cb_err_field(&err, CB_EINVAL, "password", "The password must have %d to %d characters.", 10, 1024);
	assert_string_equal(err.msg, "Пароль должен содержать от 10 до 1024 символов.");
	assert_string_equal(cb_rc_str(CB_ENOTFOUND), "не найдено");
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, english_thread, &other), 0);
	pthread_join(t, NULL);
	assert_string_equal(other.msg, "Office is required");
	cb_lang_use(NULL);
	assert_string_equal(cb_lang_current(), "en");
	cb_err_field(&err, CB_EINVAL, "password", "The password must have %d to %d characters.", 10, 1024);
	assert_string_equal(err.msg, "The password must have 10 to 1024 characters.");
}

/* ---- completeness */

struct missing {
	const char *lang, *ctx;
	int n;
	bool quiet;
};

static int check_entry(const char *msgid, const char *msgstr, void *arg)
{
	struct missing *m = arg;
	(void)msgstr;
	if (!cb_tr_find(m->lang, m->ctx, msgid)) {
		if (!m->quiet)
			print_error("%s.po lacks %s%s%s\"%s\"\n", m->lang, m->ctx ? "msgctxt \"" : "", m->ctx ? m->ctx : "",
			    m->ctx ? "\" " : "", msgid);
		m->n++;
	}
	return 0;
}

/* Every language has every message of the English catalogue (po/en.po), translated. */
static void test_every_language_complete(void **state)
{
	(void)state;
	int total = 0;
	for (int i = 1; i < cb_lang_count(); i++)
		for (size_t c = 0; c < CB_COUNTOF(contexts); c++) {
			struct missing m = {cb_lang_code(i), contexts[c], 0, false};
			cb_tr_each("en", contexts[c], check_entry, &m);
			total += m.n;
		}
	assert_int_equal(total, 0);
}

/* The check itself: a catalogue that lacks a message is found (fr has no message "Only in English"). */
static void test_missing_message_is_found(void **state)
{
	(void)state;
	struct missing m = {"fr", NULL, 0, true};
	check_entry("Only in English", "Only in English", &m);
	assert_int_equal(m.n, 1);
	check_entry("not found", "not found", &m);
	assert_int_equal(m.n, 1);
}

static int need(const char *ctx, const char *english)
{
	if (!english || !*english || cb_tr_find("en", ctx, english))
		return 0;
	print_error("po/en.po lacks msgctxt \"%s\" msgid \"%s\"\n", ctx, english);
	return 1;
}

/* The English catalogue has every label of the codebook, every report text and every web string: the source
 * tables are the truth, the catalogue must follow them. */
static void test_english_catalogue_follows_sources(void **state)
{
	(void)state;
	int n = 0;
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		n += need("codebook", f->label);
		if (f->vset)
			for (int v = 0; v < f->vset->count; v++)
				n += need("codebook", f->vset->values[v].label);
	}
	for (int v = 0; v < CB_VS__COUNT; v++) /* every value set, casework records' too */
		for (int i = 0; i < cb_vsets[v].count; i++)
			n += need("codebook", cb_vsets[v].values[i].label);
	for (int m = 0; m < CB_MACHINE__COUNT; m++)
		n += need("codebook", cb_machines[m].what);
#define NEED(id, bit, text) n += need("codebook", text);
	CB_MOVE_NEEDS(NEED)
#undef NEED
	for (int i = 0; i < cb_ncountries; i++) {
		n += need("codebook", cb_countries[i].region);
		n += need("codebook", cb_countries[i].subregion);
	}
	for (int d = 0; d < CB_DIM__END; d++)
		n += need("codebook", cb_dim_label(d));
	for (int i = 0; i < CB_RS__COUNT; i++)
		n += need("report", cb_report_str((enum cb_rs)i));
	/* web/strings.js: `key: "text",` lines; the text is the msgid of msgctxt "web" */
	const struct cb_asset *js = NULL;
	for (size_t i = 0; i < cb_web_nassets; i++)
		if (!strcmp(cb_web_assets[i].path, "/strings.js"))
			js = &cb_web_assets[i];
	assert_non_null(js);
	char *text = strndup((const char *)js->data, js->len);
	int strings = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[64], val[1024];
		size_t o = 0;
		int end = 0;
		if (sscanf(line, " %63[a-z0-9_]: \"%n", key, &end) != 1 || !end || !strcmp(key, "lang") ||
		    !strcmp(key, "app_name"))
			continue;
		const char *p = line + end;
		for (; *p && *p != '"' && o + 1 < sizeof val; p++) {
			if (*p == '\\' && p[1])
				p++;
			val[o++] = *p;
		}
		val[o] = 0;
		n += need("web", val);
		strings++;
	}
	free(text);
	assert_true(strings > 200);
	assert_int_equal(n, 0);
}

/* Every country of the codebook has a name in each language: from iso-codes, or from the catalogue's
 * msgctxt "country" where iso-codes lacks one (Kosovo is not in ISO 3166-1). */
static void test_country_names(void **state)
{
	(void)state;
	for (int l = 1; l < cb_lang_count(); l++) {
		int untranslated = 0;
		for (int i = 0; i < cb_ncountries; i++)
			if (cb_tr_country(cb_lang_code(l), cb_countries[i].name) == cb_countries[i].name)
				print_error("%s: no name for %s\n", cb_lang_code(l), cb_countries[i].name), untranslated++;
		assert_int_equal(untranslated, 0);
	}
}

/* A country's name by its ISO code, in a language. */
static const char *country_by_code(const char *lang, const char *code)
{
	int32_t c = cb_country_find(code);
	assert_true(c >= 0);
	return cb_tr_country(lang, cb_countries[c].name);
}

/* iso-codes' Arabic catalogue once named Moldova (MD) as the Maldives (MV): the codes must keep their own
 * names, and no two countries may share a name in any language. */
static void test_country_names_distinct(void **state)
{
	(void)state;
	assert_string_equal(country_by_code("ar", "MD"), "مولدوفا");
	assert_string_equal(country_by_code("ar", "MDA"), "مولدوفا");
	assert_string_equal(country_by_code("ar", "MV"), "جزر المالديف");
	assert_string_equal(country_by_code("fr", "MD"), "Moldavie");
	assert_string_equal(country_by_code("fr", "MV"), "Maldives");
	for (int l = 0; l < cb_lang_count(); l++) {
		int clashes = 0;
		for (int i = 0; i < cb_ncountries; i++)
			for (int j = i + 1; j < cb_ncountries; j++) {
				const char *a = cb_tr_country(cb_lang_code(l), cb_countries[i].name);
				const char *b = cb_tr_country(cb_lang_code(l), cb_countries[j].name);
				if (strcmp(a, b) == 0)
					print_error("%s: %s and %s are both %s\n", cb_lang_code(l), cb_countries[i].alpha2,
						    cb_countries[j].alpha2, a),
						clashes++;
			}
		assert_int_equal(clashes, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_languages),
		cmocka_unit_test(test_lookup_and_fallback),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_accept_language),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_thread_language),
		cmocka_unit_test(test_every_language_complete),
		cmocka_unit_test(test_missing_message_is_found),
		cmocka_unit_test(test_english_catalogue_follows_sources),
		cmocka_unit_test(test_country_names),
		cmocka_unit_test(test_country_names_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
