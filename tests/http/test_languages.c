/*
 * test_languages.c -- tests of src/http/languages.c through a real server on 127.0.0.1: the answer's
 * language (?lang=, Accept-Language, English), GET /api/strings, a user's chosen language (PATCH /api/me),
 * and what follows the language: codebook labels, table and report labels, error messages -- while codes
 * stay the same in every language.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	if (server_up("languages.db", demo_cases))
		return -1;
	return logins();
}

static const char *label_of(json_t *cb, const char *field)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(cb, "fields"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "name")), field))
			return json_string_value(json_object_get(f, "label"));
	return NULL;
}

static void test_strings(void **state)
{
	(void)state;
	struct resp r = http("GET", "/api/strings?lang=fr", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "fr");
	assert_string_equal(json_string_value(json_object_get(r.json, "dir")), "ltr");
	json_t *s = json_object_get(r.json, "strings");
	assert_string_equal(json_string_value(json_object_get(s, "Sign in")), "Se connecter");
	assert_true(json_array_size(json_object_get(r.json, "languages")) >= 5);
	resp_free(&r);
	/* the browser's preference when nothing is asked for; q-values count */
	r = http("GET", "/api/strings", NULL, NULL, NULL, NULL, "Accept-Language: de-DE, ar;q=0.8, fr;q=0.5\r\n");
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "ar");
	assert_string_equal(json_string_value(json_object_get(r.json, "dir")), "rtl");
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "العربية");
	resp_free(&r);
	/* nothing known: English, whose strings are the page's own */
	r = http("GET", "/api/strings?lang=xx", NULL, NULL, NULL, NULL, "Accept-Language: de\r\n");
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "en");
	assert_int_equal(json_object_size(json_object_get(r.json, "strings")), 0);
	resp_free(&r);
}

static void test_codebook_labels(void **state)
{
	(void)state;
	struct resp r = http("GET", "/api/codebook?lang=es", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(label_of(r.json, "birth_date"), "Fecha de nacimiento");
	char *es = json_dumps(r.json, JSON_COMPACT);
	resp_free(&r);
	r = http("GET", "/api/codebook", NULL, NULL, NULL, NULL, "Accept-Language: ru\r\n");
	assert_string_equal(label_of(r.json, "birth_date"), "Дата рождения");
	assert_non_null(strstr(r.body, "\"name\":\"DebtBondage\",\"label\":\"Долговая кабала\""));
	assert_non_null(strstr(r.body, "\"code\":\"DE\",\"name\":\"Германия\"")); /* countries from iso-codes */
	resp_free(&r);
	r = http("GET", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_string_equal(label_of(r.json, "birth_date"), "Date of birth");
	/* the codes are the same in every language */
	assert_non_null(strstr(es, "\"name\":\"DebtBondage\""));
	assert_non_null(strstr(r.body, "\"name\":\"DebtBondage\""));
	free(es);
	resp_free(&r);
}

static void test_chosen_language(void **state)
{
	(void)state;
	struct resp r = http("GET", "/api/me", cara.cookie, NULL, NULL, NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "");
	resp_free(&r);
	r = http("PATCH", "/api/me", cara.cookie, cara.csrf, "application/json", "{\"lang\": \"es-MX\"}", NULL);
	assert_int_equal(r.status, 204);
	resp_free(&r);
	r = http("GET", "/api/me", cara.cookie, NULL, NULL, NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "es");
	resp_free(&r);
	/* hers only: another user's choice is untouched */
	r = http("GET", "/api/me", otto.cookie, NULL, NULL, NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "");
	resp_free(&r);
	/* a language without a catalogue is refused, in words, in the request's language */
	r = http("PATCH", "/api/me", cara.cookie, cara.csrf, "application/json", "{\"lang\": \"tlh\"}",
		 "Accept-Language: fr\r\n");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "Il n'existe pas de traduction"));
	resp_free(&r);
	/* without the CSRF token: refused like every change */
	r = http("PATCH", "/api/me", cara.cookie, NULL, "application/json", "{\"lang\": \"fr\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	/* forgetting the choice */
	r = http("PATCH", "/api/me", cara.cookie, cara.csrf, "application/json", "{\"lang\": \"\"}", NULL);
	assert_int_equal(r.status, 204);
	resp_free(&r);
	r = http("GET", "/api/me", cara.cookie, NULL, NULL, NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "");
	resp_free(&r);
	r = http("PATCH", "/api/me", NULL, NULL, "application/json", "{\"lang\": \"fr\"}", NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
}

/* Tables: labels in the language asked for, codes unchanged; the cache keeps the languages apart. */
static void test_table_labels(void **state)
{
	(void)state;
	struct resp en = http("GET", "/api/stats?by=gender&format=csv", anna.cookie, NULL, NULL, NULL, NULL);
	struct resp fr = http("GET", "/api/stats?by=gender&format=csv&lang=fr", anna.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(en.status, 200);
	assert_int_equal(fr.status, 200);
	assert_non_null(strstr(fr.body, "Estimations tirées des publications"));
	assert_null(strstr(en.body, "Estimations"));
	assert_non_null(strstr(fr.body, "Feminine")); /* the code */
	resp_free(&en);
	resp_free(&fr);
	struct resp j = http("GET", "/api/stats?by=gender", anna.cookie, NULL, NULL, NULL, "Accept-Language: ar\r\n");
	assert_int_equal(j.status, 200);
	json_t *v0 = json_array_get(json_object_get(json_array_get(json_object_get(j.json, "dims"), 0), "values"), 0);
	assert_string_equal(json_string_value(json_object_get(v0, "name")), "Feminine");
	assert_string_equal(json_string_value(json_object_get(v0, "label")), "أنثى");
	resp_free(&j);
}

/* The report's CSV (the web page's "Download CSV", which answered 400 before): every table, codes beside
 * labels in the user's language. */
static void test_report_csv(void **state)
{
	(void)state;
	struct resp r = http("GET", "/api/report?format=csv&lang=es", anna.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	char v[128];
	assert_true(header(&r, "Content-Type", v, sizeof v));
	assert_non_null(strstr(v, "text/csv"));
	assert_true(header(&r, "Content-Disposition", v, sizeof v));
	assert_non_null(strstr(v, "casebank-report.csv"));
	assert_int_equal(strncmp(r.body, "table,factor,value,label,year_group,count\n", 42), 0);
	assert_non_null(strstr(r.body, "\nSexo,gender,Feminine,Femenino,"));
	assert_non_null(strstr(r.body, ",Todos los años,"));
	resp_free(&r);
	r = http("GET", "/api/report?format=html", anna.cookie, NULL, NULL, NULL, "Accept-Language: ar\r\n");
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<html lang=\"ar\" dir=\"rtl\">"));
	resp_free(&r);
	r = http("GET", "/api/report?format=pdf", anna.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "expected html, csv or xlsx"));
	resp_free(&r);
	/* analysts and managers only, like every report */
	r = http("GET", "/api/report?format=csv", cara.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
}

/* A case's error names the field by its label in the user's language and says what to do. */
static void test_error_messages(void **state)
{
	(void)state;
	struct resp r = http("POST", "/api/cases", cara.cookie, cara.csrf, "application/json", "{\"site\": \"" SITE "\"}",
			     "Accept-Language: en\r\n");
	assert_int_equal(r.status, 400);
	/* every field registering needs, at once (the codebook's CB_F_REGISTER) */
	assert_string_equal(json_string_value(json_object_get(r.json, "detail")),
			    "Registered on, Gender, Citizenship, Type of exploitation, Consents to use in statistics are required");
	assert_string_equal(json_string_value(json_object_get(r.json, "field")), "registered_on"); /* the input's name */
	resp_free(&r);
	r = http("POST", "/api/cases", cara.cookie, cara.csrf, "application/json",
		 "{\"site\": \"" SITE "\", \"registered_on\": \"2020-01-02\", \"birth_date\": \"31/05/1990\"}",
		 "Accept-Language: fr\r\n");
	assert_int_equal(r.status, 400);
	const char *d = json_string_value(json_object_get(r.json, "detail"));
	assert_non_null(strstr(d, "Date de naissance doit être une date comme 1990-05-31"));
	assert_null(strstr(d, "31/05")); /* the value is identifying: never repeated */
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_codebook_labels),
		cmocka_unit_test(test_chosen_language),
		cmocka_unit_test(test_table_labels),
		cmocka_unit_test(test_report_csv),
		cmocka_unit_test(test_error_messages),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
