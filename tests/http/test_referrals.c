/*
 * test_referrals.c -- tests of src/http/referrals.c through a real server on 127.0.0.1: the consent refusal
 * naming consent_share_partners, a manager's override with its audit row, the referral's steps.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("referrals.db", NULL) ? -1 : logins();
}

static void test_referrals_consent(void **state)
{
	(void)state;
	char no[CB_ID_TEXT], yes[CB_ID_TEXT], p[256], body[512], list[256];
	long org = new_partner("{\"name\": \"Legal Aid Chicago\", \"type\": \"LegalService\", \"country\": \"US\","
			       " \"services\": [\"legal\"]}");
	new_case(&cara, "\"consent_share_partners\": false", no);
	new_case(&cara, "\"consent_share_partners\": true", yes);
	path(list, no, "referrals", 0);

	/* sharing details without consent: refused, naming consent_share_partners, nothing stored */
	snprintf(body, sizeof body, "{\"to\": %ld, \"reason\": \"AdditionalServicesRequired\", \"share_details\": true,"
		 " \"details\": \"Zoryana needs a lawyer\"}", org);
	struct resp r = req(&cara, "POST", list, body);
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "consent_required");
	assert_non_null(strstr(detail(&r), "consent_share_partners"));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = req(&cara, "GET", list, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "referrals")), 0);
	resp_free(&r);

	/* a caseworker cannot override; a manager only with a reason of 10 characters or more */
	snprintf(body, sizeof body, "{\"to\": %ld, \"reason\": \"AdditionalServicesRequired\","
		 " \"override_reason\": \"urgent court hearing tomorrow\"}", org);
	assert_int_equal(status_of(&cara, "POST", list, body), 403);
	assert_int_equal(status_of(&otto, "POST", list, body), 404);
	assert_int_equal(status_of(&anna, "POST", list, body), 404);
	char shortb[256];
	snprintf(shortb, sizeof shortb, "{\"to\": %ld, \"reason\": \"Other\", \"override_reason\": \"urgent\"}", org);
	r = req(&mona, "POST", list, shortb);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "override_reason"));
	resp_free(&r);
	assert_false(audit_has(no, "referral.consent_override", "mona", NULL));
	r = req(&mona, "POST", list, body);
	assert_int_equal(r.status, 201);
	assert_true(json_is_true(json_object_get(r.json, "consent_overridden")));
	assert_null(json_object_get(r.json, "override_reason")); /* no break-the-glass: no free text */
	long ref = (long)json_integer_value(json_object_get(r.json, "id"));
	resp_free(&r);
	assert_true(audit_has(no, "referral.consent_override", "mona", "urgent court hearing tomorrow"));

	/* without details no consent is needed; with consent details may go */
	snprintf(body, sizeof body, "{\"to\": %ld, \"reason\": \"Other\", \"share_details\": false}", org);
	assert_int_equal(status_of(&cara, "POST", list, body), 201);
	snprintf(body, sizeof body, "{\"to\": %ld, \"reason\": \"AdditionalServicesRequired\", \"details\": \"Zoryana\"}", org);
	r = req(&cara, "POST", path(p, yes, "referrals", 0), body);
	assert_int_equal(r.status, 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "details")), "Zoryana");
	assert_string_equal(json_string_value(json_object_get(r.json, "org_name")), "Legal Aid Chicago");
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "pending");
	resp_free(&r);

	/* the list: details and the override reason for the office's caseworker, not for the manager */
	r = req(&cara, "GET", path(p, no, "referrals", 0), NULL);
	assert_int_equal(json_array_size(json_object_get(r.json, "referrals")), 2);
	assert_non_null(strstr(r.body, "urgent court hearing tomorrow"));
	resp_free(&r);
	r = req(&mona, "GET", path(p, no, "referrals", 0), NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "urgent court hearing"));
	resp_free(&r);
	assert_int_equal(status_of(&otto, "GET", path(p, no, "referrals", 0), NULL), 404);
	assert_int_equal(status_of(&root, "GET", path(p, no, "referrals", 0), NULL), 404);

	/* status: pending -> accepted -> completed; anything else is refused with the rule */
	r = req(&cara, "PATCH", path(p, no, "referrals", ref), "{\"status\": \"accepted\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "accepted");
	resp_free(&r);
	r = req(&cara, "PATCH", path(p, no, "referrals", ref), "{\"status\": \"pending\"}");
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "refused");
	assert_non_null(strstr(detail(&r), "accepted -> completed"));
	resp_free(&r);
	assert_int_equal(status_of(&cara, "PATCH", path(p, no, "referrals", ref), "{\"status\": \"done\"}"), 400);
	assert_int_equal(status_of(&cara, "PATCH", path(p, yes, "referrals", ref), "{\"status\": \"completed\"}"),
			 404);
	assert_int_equal(status_of(&otto, "PATCH", path(p, no, "referrals", ref), "{\"status\": \"completed\"}"),
			 404);
	assert_int_equal(status_of(&mona, "PATCH", path(p, no, "referrals", ref), "{\"status\": \"completed\"}"),
			 200);
	r = req(&mona, "POST", list, "{\"reason\": \"Other\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "to"));
	resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_referrals_consent),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
