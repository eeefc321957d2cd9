/*
 * test_assistance.c -- tests of src/http/assistance.c through a real server on 127.0.0.1: a case's
 * assistance records as every role, on a case of the caller's office and of another; notes only for whoever
 * may see identifying details; a placement over a shelter's beds stored with a warning.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("assistance.db", NULL) ? -1 : logins();
}

static void test_assistance(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], id2[CB_ID_TEXT], b[256], list[256];
	new_case(&cara, "", id);
	new_case(&otto, "", id2);
	path(list, id, "assistance", 0);
	const char *add = "{\"type\": \"medical\", \"start_on\": \"2025-02-04\", \"status\": \"ongoing\","
			  " \"notes\": \"Zoryana saw the dentist\"}";
	struct resp r = req(&cara, "POST", list, add);
	assert_int_equal(r.status, 201);
	long rec = (long)json_integer_value(json_object_get(r.json, "id"));
	assert_string_equal(json_string_value(json_object_get(r.json, "notes")), "Zoryana saw the dentist");
	assert_true(json_is_null(json_object_get(r.json, "provider")));
	assert_null(json_object_get(r.json, "warning"));
	resp_free(&r);
	/* who may add: the office's caseworker and managers; the others cannot confirm the case exists */
	assert_int_equal(status_of(&mona, "POST", list, "{\"type\": \"legal\"}"), 201);
	assert_int_equal(status_of(&otto, "POST", list, "{\"type\": \"legal\"}"), 404);
	assert_int_equal(status_of(&anna, "POST", list, "{\"type\": \"legal\"}"), 404);
	assert_int_equal(status_of(&root, "POST", list, "{\"type\": \"legal\"}"), 404);
	assert_int_equal(status_of(&cara, "POST", list, "{\"type\": \"legal\"}"), 201);

	/* the notes only for whoever may see identifying details, and the read is audited by field name */
	r = req(&cara, "GET", list, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "assistance")), 3);
	assert_non_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = req(&mona, "GET", list, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "assistance")), 3);
	assert_null(strstr(r.body, "Zoryana"));
	assert_null(json_object_get(json_array_get(json_object_get(r.json, "assistance"), 0), "notes"));
	resp_free(&r);
	assert_int_equal(status_of(&otto, "GET", list, NULL), 404);
	assert_int_equal(status_of(&anna, "GET", list, NULL), 404);
	assert_int_equal(status_of(&root, "GET", list, NULL), 404);
	assert_int_equal(status_of(&cara, "GET", "/api/cases/AAAAAAAAAAAAAAAAAAAAAAAAAA/assistance", NULL), 404);

	/* the case's store-kept assistance_type follows */
	char cp[128];
	snprintf(cp, sizeof cp, "/api/cases/%s", id);
	r = req(&cara, "GET", cp, NULL);
	json_t *types = json_object_get(r.json, "assistance_type");
	assert_true(json_is_array(types));
	assert_string_equal(json_string_value(json_array_get(types, 0)), "medical");
	resp_free(&r);

	/* status and dates change; another case's record is not found through this case */
	r = req(&cara, "PATCH", path(b, id, "assistance", rec),
		"{\"status\": \"completed\", \"end_on\": \"2025-03-01\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "completed");
	assert_string_equal(json_string_value(json_object_get(r.json, "end_on")), "2025-03-01");
	resp_free(&r);
	assert_int_equal(status_of(&otto, "PATCH", path(b, id, "assistance", rec), "{\"status\": \"cancelled\"}"),
			 404);
	assert_int_equal(status_of(&otto, "PATCH", path(b, id2, "assistance", rec), "{\"status\": \"cancelled\"}"),
			 404);
	assert_int_equal(status_of(&mona, "PATCH", path(b, id, "assistance", rec), "{\"status\": \"cancelled\"}"),
			 200);
	r = req(&cara, "PATCH", path(b, id, "assistance", rec), "{\"end_on\": \"2025-01-01\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "end_on"));
	resp_free(&r);

	/* refused input names the field, never echoes free text */
	r = req(&cara, "POST", list, "{\"type\": \"haircut\", \"notes\": \"Zoryana\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "type"));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = req(&cara, "POST", list, "{\"type\": \"legal\", \"provider\": 99999}");
	assert_int_equal(r.status, 404); /* as another office's private entry: see test_partner_scope */
	resp_free(&r);
	r = req(&cara, "POST", list, "{\"type\": \"legal\", \"start_on\": \"2025-02-30\"}");
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = http("POST", list, cara.cookie, NULL, "application/json", "{\"type\": \"legal\"}", NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "csrf");
	resp_free(&r);
}

/* A placement over a shelter's beds is stored, with a warning in the answer. */
static void test_capacity_warning(void **state)
{
	(void)state;
	char a[CB_ID_TEXT], b2[CB_ID_TEXT], body[256], p[256];
	long shelter = new_partner("{\"name\": \"One Bed House\", \"type\": \"NGO\", \"country\": \"US\", \"beds\": 1,"
				   " \"services\": \"accommodation\"}");
	new_case(&cara, "", a);
	new_case(&cara, "", b2);
	snprintf(body, sizeof body,
		 "{\"type\": \"accommodation\", \"provider\": %ld, \"start_on\": \"2025-02-10\", \"status\": \"ongoing\"}",
		 shelter);
	struct resp r = req(&cara, "POST", path(p, a, "assistance", 0), body);
	assert_int_equal(r.status, 201);
	assert_null(json_object_get(r.json, "warning"));
	assert_string_equal(json_string_value(json_object_get(r.json, "provider_name")), "One Bed House");
	resp_free(&r);
	r = req(&cara, "POST", path(p, b2, "assistance", 0), body);
	assert_int_equal(r.status, 201);
	json_t *w = json_object_get(r.json, "warning");
	assert_non_null(w);
	assert_string_equal(json_string_value(json_object_get(w, "code")), "over_capacity");
	assert_int_equal(json_integer_value(json_object_get(w, "beds")), 1);
	assert_int_equal(json_integer_value(json_object_get(w, "occupied")), 2);
	assert_string_equal(json_string_value(json_object_get(w, "day")), "2025-02-10");
	assert_non_null(strstr(json_string_value(json_object_get(w, "detail")), "over capacity"));
	long rec = (long)json_integer_value(json_object_get(r.json, "id"));
	resp_free(&r);
	/* cancelling the second placement frees the bed: no warning */
	r = req(&cara, "PATCH", path(p, b2, "assistance", rec), "{\"status\": \"cancelled\"}");
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "warning"));
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assistance),
		cmocka_unit_test(test_capacity_warning),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
