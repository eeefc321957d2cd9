/*
 * test_find.c -- tests of src/http/find.c through a real server on 127.0.0.1: search by name and birth date
 * within the caller's scope, audited by kind and never by text; the list's extra columns, names only for
 * whoever may see them (and audited), sorting and "my cases"; the duplicate warning of a new case names only
 * the other office and case; duplicates and links; saved filters per user, which refuse search texts.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("find.db", NULL) ? -1 : logins();
}

#define PERSON "\"first_name\": \"Zorilda\", \"last_name\": \"Quennethorpe\", \"birth_date\": \"1991-07-23\", " \
	       "\"gender\": \"Feminine\", \"citizenship\": \"MD\""

static void test_search_scope_audit(void **state)
{
	(void)state;
	char a[CB_ID_TEXT], b[CB_ID_TEXT];
	new_case(&cara, PERSON ", \"site\": \"" SITE "\"", a);
	/* the same person at another office: the reply warns with that office and case, nothing else */
	char body[512];
	snprintf(body, sizeof body, "{\"registered_on\": \"2025-02-03\", \"site\": \"%s\", \"first_name\": \"Зорилда\","
				    " \"last_name\": \"Quennethorpe\", \"birth_date\": \"1991-07-23\", \"gender\": \"Feminine\","
				    " " REG "}", OTHER);
	struct resp r = req(&otto, "POST", "/api/cases", body);
	assert_int_equal(r.status, 201);
	snprintf(b, sizeof b, "%s", json_string_value(json_object_get(r.json, "case_id")));
	json_t *dups = json_object_get(r.json, "possible_duplicates");
	assert_int_equal(json_array_size(dups), 1);
	json_t *d = json_array_get(dups, 0);
	assert_string_equal(json_string_value(json_object_get(d, "case_id")), a);
	assert_string_equal(json_string_value(json_object_get(d, "site")), SITE);
	assert_int_equal(json_object_size(d), 2);
	resp_free(&r);
	/* cara finds her office's case by name in another spelling; not otto's */
	r = req(&cara, "GET", "/api/cases?name=QUENNETHORPE%20zorilda&birth_date=1991-07-23", NULL);
	assert_int_equal(r.status, 200);
	json_t *cases = json_object_get(r.json, "cases");
	assert_int_equal(json_array_size(cases), 1);
	json_t *hit = json_array_get(cases, 0);
	assert_string_equal(json_string_value(json_object_get(hit, "case_id")), a);
	assert_string_equal(json_string_value(json_object_get(hit, "matched")), "name,birth_date");
	assert_string_equal(json_string_value(json_object_get(hit, "name")), "Zorilda Quennethorpe");
	resp_free(&r);
	/* a manager finds both, without names (no break-the-glass) */
	r = req(&mona, "GET", "/api/cases?name=Zorilda", NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "cases")), 2);
	assert_null(json_object_get(json_array_get(json_object_get(r.json, "cases"), 0), "name"));
	assert_null(strstr(r.body, "Zorilda"));
	resp_free(&r);
	assert_int_equal(status_of(&anna, "GET", "/api/cases?name=Zorilda", NULL), 403);
	r = req(&cara, "GET", "/api/cases?birth_date=23.07.1991", NULL);
	assert_int_equal(r.status, 400);
	assert_null(strstr(r.body, "23.07.1991"));
	resp_free(&r);
	/* audited by kind, never the text */
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_store_open(dbpath, CB_OPEN_READONLY, &s, &err), CB_OK);
	struct audit_find f = {"case.search", "cara", NULL, false};
	assert_int_equal(cb_audit_list(s, NULL, 1000, audit_entry, &f, &err), CB_OK);
	assert_true(f.found);
	cb_store_free(&s);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.search' AND fields = 'name,birth_date'"), 1);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE fields LIKE '%orilda%' OR detail LIKE '%orilda%'"), 0);
	/* duplicates: the manager sees the pair; links show on both cases */
	r = req(&mona, "GET", "/api/duplicates", NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "pairs")) >= 1);
	assert_null(strstr(r.body, "Zorilda"));
	resp_free(&r);
	snprintf(body, sizeof body, "{\"a\": \"%s\", \"b\": \"%s\", \"linked\": true}", a, b);
	assert_int_equal(status_of(&cara, "POST", "/api/links", body), 403);
	assert_int_equal(status_of(&mona, "POST", "/api/links", body), 200);
	char lp[256];
	r = req(&otto, "GET", path(lp, b, "links", 0), NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "links"), 0), "case_id")), a);
	resp_free(&r);
	assert_true(audit_has(a, "case.link", "mona", b));
	r = req(&mona, "GET", "/api/duplicates", NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "pairs")), 0);
	resp_free(&r);
}

static void test_list_columns_filters(void **state)
{
	(void)state;
	char a[CB_ID_TEXT], lp[256];
	new_case(&cara, PERSON ", \"age_at_registration\": 33", a);
	struct resp r = req(&mona, "POST", path(lp, a, "assign", 0), "{\"user\": \"cara\"}");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	/* "my cases": cara's list of her assigned ones, with the name, age, gender, stage, caseworker */
	r = req(&cara, "GET", "/api/cases?mine=1", NULL);
	assert_int_equal(r.status, 200);
	json_t *c0 = json_array_get(json_object_get(r.json, "cases"), 0);
	assert_int_equal(json_integer_value(json_object_get(r.json, "total")), 1);
	assert_string_equal(json_string_value(json_object_get(c0, "name")), "Zorilda Quennethorpe");
	assert_string_equal(json_string_value(json_object_get(c0, "assigned_to")), "cara");
	assert_string_equal(json_string_value(json_object_get(c0, "gender")), "Feminine");
	assert_string_equal(json_string_value(json_object_get(c0, "stage")), "screening");
	resp_free(&r);
	assert_true(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.list_names'") >= 1);
	/* the manager's list: no names */
	r = req(&mona, "GET", "/api/cases?sort=age&order=desc", NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Zorilda"));
	resp_free(&r);
	assert_int_equal(status_of(&mona, "GET", "/api/cases?sort=name", NULL), 400);
	/* saved filters: per user; search texts refused */
	assert_int_equal(status_of(&cara, "POST", "/api/filters", "{\"name\": \"mine\", \"query\": \"mine=1&sort=age\"}"), 201);
	assert_int_equal(status_of(&cara, "POST", "/api/filters", "{\"name\": \"x\", \"query\": \"name=Zorilda\"}"), 400);
	r = req(&cara, "GET", "/api/filters", NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "filters")), 1);
	resp_free(&r);
	r = req(&otto, "GET", "/api/filters", NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "filters")), 0);
	resp_free(&r);
	assert_int_equal(status_of(&cara, "POST", "/api/filters/mine/delete", "{}"), 200);
	assert_int_equal(status_of(&cara, "POST", "/api/filters/mine/delete", "{}"), 404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_scope_audit),
		cmocka_unit_test(test_list_columns_filters),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
