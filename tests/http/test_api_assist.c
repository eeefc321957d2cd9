/*
 * test_api_assist.c -- tests of src/http/api_assist.c through a real server on 127.0.0.1: the partner
 * directory, assistance records (with the shelter capacity warning), referrals (the consent refusal naming
 * consent_share_partners, the manager's override and its audit row), the workflow's refusals, follow-ups
 * and the dashboard; each endpoint as every role, on a case of the caller's office and of another.  And,
 * as this database has no statistical release, what statistics answer before one.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include "crypto/crypto.h"
#include "http/http.h"
#include "store/access.h"
#include "store/assist.h"

static struct login root, mona, cara, otto, anna;

static int setup(void **state)
{
	(void)state;
	if (server_up("assist.db", NULL))
		return -1;
	root = login_as("root");
	mona = login_as("mona");
	cara = login_as("cara");
	otto = login_as("otto");
	anna = login_as("anna");
	return 0;
}

/* Shorthands: a request as someone, with the body as JSON (and the CSRF token when it changes state). */
static struct resp req(const struct login *l, const char *method, const char *path, const char *body)
{
	bool change = strcmp(method, "GET") != 0;
	return http(method, path, l->cookie, change ? l->csrf : NULL, body ? "application/json" : NULL, body, NULL);
}

/* The status of a request, the response freed. */
static int status_of(const struct login *l, const char *method, const char *path, const char *body)
{
	struct resp r = req(l, method, path, body);
	int st = r.status;
	resp_free(&r);
	return st;
}

static const char *detail(const struct resp *r) { return json_string_value(json_object_get(r->json, "detail")); }

/* A new case at the caller's office with extra fields ("" for none); its id into id. */
static void new_case(const struct login *l, const char *fields, char id[CB_ID_TEXT])
{
	char body[1024];
	/* with what registering needs (CB_F_REGISTER), unless the fields give it */
	snprintf(body, sizeof body, "{\"registered_on\": \"2025-02-03\"%s%s%s%s%s%s}", *fields ? ", " : "", fields,
		 strstr(fields, "\"gender\"") ? "" : ", \"gender\": \"Feminine\"",
		 strstr(fields, "\"citizenship\"") ? "" : ", \"citizenship\": \"MD\"",
		 strstr(fields, "\"exploitation_type\"") ? "" : ", \"exploitation_type\": [\"SexualExploitation\"]",
		 strstr(fields, "\"consent_statistics\"") ? "" : ", \"consent_statistics\": true");
	struct resp r = req(l, "POST", "/api/cases", body);
	if (r.status != 201)
		fprintf(stderr, "%s\n", r.body);
	assert_int_equal(r.status, 201);
	snprintf(id, CB_ID_TEXT, "%s", json_string_value(json_object_get(r.json, "case_id")));
	resp_free(&r);
}

/* A new partner (as mona); its id. */
static long new_partner(const char *body)
{
	struct resp r = req(&mona, "POST", "/api/partners", body);
	if (r.status != 201)
		fprintf(stderr, "%s\n", r.body);
	assert_int_equal(r.status, 201);
	long id = (long)json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	resp_free(&r);
	return id;
}

/* "/api/cases/ID/WHAT", and "/RECORD" when rec is not 0. */
static const char *path(char buf[256], const char *id, const char *what, long rec)
{
	if (rec)
		snprintf(buf, 256, "/api/cases/%s/%s/%ld", id, what, rec);
	else
		snprintf(buf, 256, "/api/cases/%s/%s", id, what);
	return buf;
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

/* The body of a new assistance record (0) or referral (1) naming partner org. */
static void naming(char body[256], int referral, long org)
{
	if (referral)
		snprintf(body, 256, "{\"to\": %ld, \"reason\": \"Other\", \"share_details\": false}", org);
	else
		snprintf(body, 256, "{\"type\": \"accommodation\", \"provider\": %ld}", org);
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

static bool audit_has(const char *case_id, const char *action, const char *user, const char *in_detail);

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

struct audit_find {
	const char *action, *user, *detail;
	bool found;
};

static int audit_entry(const struct cb_audit_entry *e, void *ctx)
{
	struct audit_find *f = ctx;
	if (!strcmp(e->action, f->action) && !strcmp(e->user, f->user) && (!f->detail || strstr(e->detail, f->detail)))
		f->found = true;
	return 0;
}

/* Is there an audit row for the case with this action, user and (if given) text in its detail? */
static bool audit_has(const char *case_id, const char *action, const char *user, const char *in_detail)
{
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	uint8_t id[16];
	struct audit_find f = {action, user, in_detail, false};
	assert_int_equal(cb_case_id_parse(case_id, id), CB_OK);
	assert_int_equal(cb_store_open(dbpath, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_audit_list(s, id, 1000, audit_entry, &f, &err), CB_OK);
	cb_store_free(&s);
	return f.found;
}

static void test_stage(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], st[256], cp[128];
	new_case(&cara, "", id);
	path(st, id, "stage", 0);
	struct resp r = req(&cara, "POST", st, "{\"stage\": \"reintegration\"}");
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "refused");
	assert_non_null(strstr(detail(&r), "screening -> reintegration is not a step of the workflow"));
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"assistance\"}");
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(detail(&r), "trafficking_status"));
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"flying\"}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(detail(&r), "case_stage"));
	resp_free(&r);
	r = req(&cara, "POST", st, "{}");
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"closed\", \"reason\": \"short\"}");
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(detail(&r), "reason"));
	resp_free(&r);
	assert_int_equal(status_of(&otto, "POST", st, "{\"stage\": \"assistance\"}"), 404);
	assert_int_equal(status_of(&anna, "POST", st, "{\"stage\": \"assistance\"}"), 404);
	assert_int_equal(status_of(&root, "POST", st, "{\"stage\": \"assistance\"}"), 404);

	/* the screening decision without consent to assistance: refused naming it */
	snprintf(cp, sizeof cp, "/api/cases/%s", id);
	r = req(&cara, "PATCH", cp,
		"{\"version\": 1, \"trafficking_status\": \"ActualVictimOfTrafficking\", \"status_decided_by\": \"NGO\"}");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"assistance\"}");
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "consent_required");
	assert_non_null(strstr(detail(&r), "consent_assistance"));
	resp_free(&r);
	r = req(&cara, "PATCH", cp, "{\"version\": 2, \"consent_assistance\": true}");
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = req(&cara, "POST", st, "{\"stage\": \"assistance\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "assistance");
	resp_free(&r);
	assert_true(audit_has(id, "case.stage", "cara", "to=assistance"));
	/* a manager closes early with a reason (sealed: the audit entry says so, never the text) */
	r = req(&mona, "POST", st, "{\"stage\": \"closed\", \"reason\": \"moved abroad, Zoryana\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "closed");
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "Closed");
	resp_free(&r);
	assert_true(audit_has(id, "case.stage", "mona", "reason=sealed"));
	assert_false(audit_has(id, "case.stage", "mona", "Zoryana"));
	r = req(&cara, "POST", st, "{\"stage\": \"reopen\", \"reason\": \"came back for help\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "stage")), "assistance");
	resp_free(&r);
	assert_true(audit_has(id, "case.reopen", "cara", NULL));
}

static void test_followups(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], p[256], list[256];
	new_case(&cara, "", id);
	path(list, id, "followups", 0);
	struct resp r = req(&cara, "POST", list, "{\"due_on\": \"2020-01-01\", \"note\": \"call Zoryana\"}");
	assert_int_equal(r.status, 201);
	long fid = (long)json_integer_value(json_object_get(r.json, "id"));
	assert_true(json_is_true(json_object_get(r.json, "overdue")));
	resp_free(&r);
	assert_int_equal(status_of(&cara, "POST", list, "{\"note\": \"no date\"}"), 400);
	assert_int_equal(status_of(&otto, "POST", list, "{\"due_on\": \"2020-01-01\"}"), 404);
	assert_int_equal(status_of(&anna, "GET", list, NULL), 404);
	r = req(&cara, "GET", list, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "call Zoryana"));
	resp_free(&r);
	r = req(&mona, "GET", list, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);

	/* overdue: a caseworker's own office; managers every office (or one); never a note */
	r = req(&cara, "GET", "/api/followups/overdue", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, id));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = req(&otto, "GET", "/api/followups/overdue", NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, id));
	resp_free(&r);
	assert_int_equal(status_of(&otto, "GET", "/api/followups/overdue?site=" SITE, NULL), 403);
	assert_int_equal(status_of(&anna, "GET", "/api/followups/overdue", NULL), 403);
	assert_int_equal(status_of(&root, "GET", "/api/followups/overdue", NULL), 403);
	r = req(&mona, "GET", "/api/followups/overdue?site=" SITE, NULL);
	assert_non_null(strstr(r.body, id));
	resp_free(&r);
	r = req(&mona, "GET", "/api/followups/overdue?site=" OTHER, NULL);
	assert_null(strstr(r.body, id));
	resp_free(&r);

	/* done: no longer overdue */
	assert_int_equal(status_of(&otto, "PATCH", path(p, id, "followups", fid), "{}"), 404);
	r = req(&cara, "PATCH", path(p, id, "followups", fid), "{\"done_on\": \"2020-01-02\"}");
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "done_on")), "2020-01-02");
	resp_free(&r);
	assert_int_equal(status_of(&cara, "PATCH", path(p, id, "followups", fid + 100), "{}"), 404);
	r = req(&cara, "GET", "/api/followups/overdue", NULL);
	assert_null(strstr(r.body, id));
	resp_free(&r);
}

static void test_dashboard(void **state)
{
	(void)state;
	char id[CB_ID_TEXT], p[256];
	new_case(&cara, "", id);
	assert_int_equal(status_of(&cara, "POST", path(p, id, "followups", 0), "{\"due_on\": \"2021-05-05\"}"), 201);
	struct resp r = req(&cara, "GET", "/api/dashboard", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "site")), SITE);
	assert_true(json_integer_value(json_object_get(json_object_get(r.json, "by_stage"), "screening")) >= 1);
	assert_true(json_integer_value(json_object_get(r.json, "overdue")) >= 1);
	assert_int_equal(json_array_size(json_object_get(r.json, "months")), CB_DASH_MONTHS);
	assert_true(json_is_array(json_object_get(r.json, "delivered")));
	assert_true(json_is_array(json_object_get(r.json, "shelters")));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = req(&otto, "GET", "/api/dashboard", NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "site")), OTHER);
	resp_free(&r);
	assert_int_equal(status_of(&cara, "GET", "/api/dashboard?site=" OTHER, NULL), 403);
	assert_int_equal(status_of(&anna, "GET", "/api/dashboard", NULL), 403);
	assert_int_equal(status_of(&root, "GET", "/api/dashboard", NULL), 403);
	r = req(&mona, "GET", "/api/dashboard", NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(r.json, "site")));
	json_t *sh = json_object_get(r.json, "shelters");
	assert_true(json_array_size(sh) >= 1);
	assert_non_null(json_object_get(json_array_get(sh, 0), "occupied"));
	resp_free(&r);
	r = req(&mona, "GET", "/api/dashboard?site=" OTHER, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

/* No release yet: statistics and the report say so and how to make one (404 no_release), not "no such record". */
static void test_stats_before_release(void **state)
{
	(void)state;
	const char *paths[] = {"/api/stats?by=year", "/api/report"};
	for (int i = 0; i < 2; i++) {
		struct resp r = req(&anna, "GET", paths[i], NULL);
		assert_int_equal(r.status, 404);
		assert_string_equal(error_code(&r), "no_release");
		assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")),
				       "no statistical release yet: an administrator runs `casebank release DB`"));
		resp_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partners),	  cmocka_unit_test(test_partner_scope),
		cmocka_unit_test(test_assistance),
		cmocka_unit_test(test_capacity_warning), cmocka_unit_test(test_referrals_consent),
		cmocka_unit_test(test_stage),		  cmocka_unit_test(test_followups),
		cmocka_unit_test(test_dashboard),	  cmocka_unit_test(test_stats_before_release),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
