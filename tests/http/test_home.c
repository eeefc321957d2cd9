/*
 * test_home.c -- tests of src/http/home.c through a real server on 127.0.0.1: a person's home page lists the
 * transfers waiting for an answer (the receiving office's to decide, the sending office's open requests) and
 * the possible duplicates of the office's cases, by id, office and score only; no "pending" sections; a
 * caseworker sees only her office's; a decided transfer leaves the list; the pairs kept between page loads
 * follow every change, the server's and another writer's.
 */
#define PW "correct horse battery"
#include "http/http_test.h"
#include "store/tokens.h"

#define PERSON "\"first_name\": \"Zorilda\", \"last_name\": \"Quennethorpe\", \"birth_date\": \"1991-07-23\""
#define PERSON2 "\"first_name\": \"Eufrosina\", \"last_name\": \"Baltazarova\", \"birth_date\": \"1987-02-11\""

static int setup(void **state)
{
	(void)state;
	return server_up("home.db", NULL) ? -1 : logins();
}

static json_t *section(struct resp *r, const char *name)
{
	assert_int_equal(r->status, 200);
	json_t *a = json_object_get(r->json, name);
	assert_true(json_is_array(a));
	return a;
}

static void test_transfers_and_duplicates(void **state)
{
	(void)state;
	char a[CB_ID_TEXT], b[CB_ID_TEXT], moving[CB_ID_TEXT], p[256], body[256];
	new_case(&cara, PERSON, a);
	new_case(&otto, PERSON, b); /* the same person at the other office */
	new_case(&cara, "\"first_name\": \"Ambrosine\"", moving);
	struct resp r = req(&cara, "POST", path(p, moving, "transfer", 0), "{\"to\": \"" OTHER "\", \"reason\": \"Safety\"}");
	assert_int_equal(r.status, 201);
	long tid = (long)json_integer_value(json_object_get(r.json, "id"));
	resp_free(&r);

	/* the sending office: its open request, outgoing; the pair with its own case first; no names */
	r = req(&cara, "GET", "/api/home", NULL);
	assert_null(json_object_get(r.json, "pending"));
	json_t *t = section(&r, "transfers");
	assert_int_equal(json_array_size(t), 1);
	json_t *o = json_array_get(t, 0);
	assert_string_equal(json_string_value(json_object_get(o, "case_id")), moving);
	assert_string_equal(json_string_value(json_object_get(o, "direction")), "outgoing");
	assert_string_equal(json_string_value(json_object_get(o, "site")), OTHER);
	json_t *d = section(&r, "duplicates");
	assert_int_equal(json_array_size(d), 1);
	o = json_array_get(d, 0);
	assert_string_equal(json_string_value(json_object_get(o, "case_id")), a);
	assert_string_equal(json_string_value(json_object_get(o, "site")), SITE);
	assert_string_equal(json_string_value(json_object_get(o, "other_id")), b);
	assert_string_equal(json_string_value(json_object_get(o, "other_site")), OTHER);
	assert_true(json_real_value(json_object_get(o, "score")) >= 0.85);
	assert_int_equal(json_object_size(o), 5);
	assert_null(strstr(r.body, "Zorilda"));
	assert_null(strstr(r.body, "Ambrosine"));
	assert_null(strstr(r.body, "1991"));
	resp_free(&r);

	/* the receiving office: incoming; its own case first in the pair */
	r = req(&otto, "GET", "/api/home", NULL);
	o = json_array_get(section(&r, "transfers"), 0);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "direction")), "incoming");
	assert_string_equal(json_string_value(json_object_get(o, "site")), SITE);
	o = json_array_get(section(&r, "duplicates"), 0);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "case_id")), b);
	resp_free(&r);
	/* a caseworker asks for no other office */
	assert_int_equal(status_of(&otto, "GET", "/api/home?site=" SITE, NULL), 403);

	/* a manager for one office: what it has to decide */
	r = req(&mona, "GET", "/api/home?site=" OTHER, NULL);
	t = section(&r, "transfers");
	assert_int_equal(json_array_size(t), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(t, 0), "id")), tid);
	assert_int_equal(json_array_size(section(&r, "duplicates")), 1);
	resp_free(&r);

	/* decided: off everyone's list */
	snprintf(body, sizeof body, "/api/transfers/%ld", tid);
	assert_int_equal(status_of(&mona, "POST", body, "{\"decision\": \"accept\"}"), 200);
	r = req(&mona, "GET", "/api/home", NULL);
	assert_int_equal(json_array_size(section(&r, "transfers")), 0);
	assert_int_equal(json_array_size(section(&r, "duplicates")), 1);
	resp_free(&r);
	r = req(&cara, "GET", "/api/home", NULL);
	assert_int_equal(json_array_size(section(&r, "transfers")), 0);
	resp_free(&r);
}

/* The pairs are kept between page loads and follow the store's linkage counter: a registration's duplicate is
 * on the next page load, and a pair dismissed by another writer than the server (here a store handle of its
 * own, as `casebank dismiss` would be) is off it. */
static void test_kept_pairs_follow_changes(void **state)
{
	(void)state;
	char a[CB_ID_TEXT], b[CB_ID_TEXT];
	uint8_t ia[16], ib[16];
	new_case(&cara, PERSON2, a);
	struct resp r = req(&cara, "GET", "/api/home", NULL);
	size_t before = json_array_size(section(&r, "duplicates"));
	resp_free(&r);
	r = req(&cara, "GET", "/api/home", NULL); /* the kept list */
	assert_int_equal(json_array_size(section(&r, "duplicates")), before);
	resp_free(&r);

	new_case(&cara, PERSON2, b); /* registered again at the same office */
	r = req(&cara, "GET", "/api/home", NULL);
	json_t *d = section(&r, "duplicates");
	assert_int_equal(json_array_size(d), before + 1);
	bool found = false;
	for (size_t i = 0; i < json_array_size(d); i++) {
		json_t *o = json_array_get(d, i);
		const char *x = json_string_value(json_object_get(o, "case_id")), *y = json_string_value(json_object_get(o, "other_id"));
		found |= (!strcmp(x, a) && !strcmp(y, b)) || (!strcmp(x, b) && !strcmp(y, a));
	}
	assert_true(found);
	resp_free(&r);

	struct cb_store *s = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_store_open(dbpath, 0, &s, &err), CB_OK);
	assert_int_equal(cb_case_id_parse(a, ia), CB_OK);
	assert_int_equal(cb_case_id_parse(b, ib), CB_OK);
	assert_int_equal(cb_store_link_set(s, ia, ib, false, NULL, NULL, &err), CB_OK);
	cb_store_free(&s);
	r = req(&cara, "GET", "/api/home", NULL);
	assert_int_equal(json_array_size(section(&r, "duplicates")), before);
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transfers_and_duplicates),
		cmocka_unit_test(test_kept_pairs_follow_changes),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
