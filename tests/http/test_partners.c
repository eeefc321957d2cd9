/*
 * test_partners.c -- tests of src/http/partners.c through a real server on 127.0.0.1: the partner directory
 * (search, who may add and change entries) and office scope: another office's private partner is, to a
 * caseworker, an unknown id on every path that takes one.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("partners.db", NULL) ? -1 : logins();
}

/* The body of a new assistance record (0) or referral (1) naming partner org. */
static void naming(char body[256], int referral, long org)
{
	if (referral)
		snprintf(body, 256, "{\"to\": %ld, \"reason\": \"Other\", \"share_details\": false}", org);
	else
		snprintf(body, 256, "{\"type\": \"accommodation\", \"provider\": %ld}", org);
}

static void test_partners(void **state)
{
	(void)state;
	const char *body = "{\"name\": \"Casa Speranta\", \"type\": \"NGO\", \"country\": \"MD\", \"city\": \"Chisinau\","
			   " \"services\": [\"accommodation\", \"psychosocial\"], \"serves\": [\"MD\", \"RO\"], \"beds\": 12}";
	long id = new_partner(body);
	assert_int_equal(status_of(&cara, "POST", "/api/partners", body), 403);
	assert_int_equal(status_of(&root, "POST", "/api/partners", body), 403);
	assert_int_equal(status_of(&anna, "POST", "/api/partners", body), 403);
	assert_int_equal(status_of(&root, "GET", "/api/partners", NULL), 403);
	assert_int_equal(status_of(&anna, "GET", "/api/partners", NULL), 403);

	/* search by service and country (based in it, or serving it) */
	struct resp r = req(&cara, "GET", "/api/partners?service=accommodation&country=RO", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Casa Speranta"));
	json_t *p = json_array_get(json_object_get(r.json, "partners"), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "beds")), 12);
	assert_int_equal(json_integer_value(json_object_get(p, "occupied")), 0);
	resp_free(&r);
	r = req(&otto, "GET", "/api/partners?service=legal", NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Casa Speranta"));
	resp_free(&r);
	r = req(&mona, "GET", "/api/partners?country=UA", NULL);
	assert_null(strstr(r.body, "Casa Speranta"));
	resp_free(&r);
	r = req(&mona, "GET", "/api/partners?service=massage", NULL);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "service"));
	resp_free(&r);

	/* refused input names the field */
	r = req(&mona, "POST", "/api/partners", "{\"name\": \"X\", \"type\": \"Club\", \"country\": \"MD\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "type"));
	resp_free(&r);
	r = req(&mona, "POST", "/api/partners", "{\"name\": \"X\", \"type\": \"NGO\", \"country\": \"ZZ\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "country"));
	resp_free(&r);

	/* managers change entries; nobody else */
	char p1[256], p2[256];
	snprintf(p1, sizeof p1, "/api/partners/%ld", id);
	r = req(&mona, "PATCH", p1, "{\"city\": \"Balti\", \"beds\": 10}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "city")), "Balti");
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "Casa Speranta");
	assert_int_equal(json_integer_value(json_object_get(r.json, "beds")), 10);
	resp_free(&r);
	assert_int_equal(status_of(&cara, "PATCH", p1, "{\"city\": \"Orhei\"}"), 403);
	snprintf(p2, sizeof p2, "/api/partners/%ld", id + 1000);
	assert_int_equal(status_of(&mona, "PATCH", p2, "{\"city\": \"Orhei\"}"), 404);
}

/* Another office's private partner is, to a caseworker, an unknown id on every path that takes one: not
 * listed, and 404 with the very body of an unknown id when named as a provider or a referral's partner, so
 * neither its name nor its occupancy comes back and ids cannot be probed.  Its own office uses it. */
static void test_partner_scope(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], theirs[CB_ID_TEXT], buf[256], body[256];
	long hidden = new_partner("{\"name\": \"Houston Hidden House\", \"type\": \"NGO\", \"country\": \"US\","
				  " \"services\": [\"accommodation\"], \"beds\": 3, \"site\": \"" OTHER "\"}");
	long unknown = hidden + 100000;
	new_case(&cara, "\"consent_share_partners\": true", id);
	new_case(&otto, "\"consent_share_partners\": true", theirs);

	struct resp r = req(&cara, "GET", "/api/partners", NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Houston Hidden House"));
	resp_free(&r);
	r = req(&cara, "GET", "/api/partners?site=" OTHER, NULL);
	assert_null(strstr(r.body, "Houston Hidden House"));
	resp_free(&r);

	const char *routes[] = {"assistance", "referrals"};
	for (int i = 0; i < 2; i++) {
		naming(body, i, unknown);
		struct resp u = req(&cara, "POST", path(buf, id, routes[i], 0), body);
		naming(body, i, hidden);
		r = req(&cara, "POST", path(buf, id, routes[i], 0), body);
		assert_int_equal(u.status, 404);
		assert_int_equal(r.status, 404);
		assert_string_equal(r.body, u.body);
		assert_null(strstr(r.body, "Houston"));
		assert_null(strstr(r.body, "occupied"));
		resp_free(&u);
		resp_free(&r);
		/* nothing was stored */
		r = req(&cara, "GET", path(buf, id, routes[i], 0), NULL);
		assert_int_equal(r.status, 200);
		assert_int_equal(json_array_size(json_object_get(r.json, routes[i])), 0);
		resp_free(&r);
		/* the office it belongs to, and a manager, use it */
		r = req(&otto, "POST", path(buf, theirs, routes[i], 0), body);
		assert_int_equal(r.status, 201);
		resp_free(&r);
		assert_int_equal(status_of(&mona, "POST", path(buf, id, routes[i], 0), body), 201);
	}
	/* a manager places cara's client there beyond its beds: cara, changing that record's status, learns
	 * nothing of the shelter's beds or occupancy; the manager gets the warning */
	long rec = 0;
	for (int k = 0; k < 4; k++) {
		naming(body, 0, hidden);
		r = req(&mona, "POST", path(buf, id, "assistance", 0), body);
		assert_int_equal(r.status, 201);
		rec = (long)json_integer_value(json_object_get(r.json, "id"));
		resp_free(&r);
	}
	r = req(&cara, "PATCH", path(buf, id, "assistance", rec), "{\"status\": \"ongoing\"}");
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "warning"));
	assert_null(strstr(r.body, "beds"));
	resp_free(&r);
	r = req(&mona, "PATCH", path(buf, id, "assistance", rec), "{\"status\": \"ongoing\"}");
	assert_int_equal(r.status, 200);
	assert_non_null(json_object_get(r.json, "warning"));
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partners),
		cmocka_unit_test(test_partner_scope),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
