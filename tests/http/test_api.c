/*
 * test_api.c -- tests of src/http/api.c, api_cases.c and server.c through a real server on 127.0.0.1 (an
 * ephemeral port, in this process), driven by a small HTTP/1.1 client on plain sockets: logins per role,
 * CSRF, cases (create, read, update, stale version), scope (404), limits (413, 400, 415), statistics from
 * the releases (and a new release picked up by the running server), logout, the audit trail, security headers;
 * failed logins slowed down by address, never locking an account, and those of unknown names counted, not
 * audited; an admin cannot disable herself; a full disk (503); an audit entry that cannot be written fails its
 * act.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "crypto/crypto.h"
#include "http/http.h"
#include "io/io.h"
#include "stats/stats.h"
#include "store/access.h"

/* what registering a case needs besides the office and date (the codebook's CB_F_REGISTER) */
#define REG "\"citizenship\": \"MD\", \"exploitation_type\": [\"SexualExploitation\"], \"consent_statistics\": true"


/* 400 demo cases, some at SITE and OTHER, and a statistical release of each of their years */
static int demo_cases(struct cb_store *s, struct cb_err *err)
{
	struct cb_release_opts o = {0};
	int rc = cb_demo_generate(s, 400, 7, false, err);
	FILE *out = fopen("/dev/null", "w");
	if (rc == CB_OK)
		rc = out ? cb_release_run(s, &o, out, err) : cb_err_set(err, CB_EIO, "/dev/null");
	if (out)
		fclose(out);
	return rc;
}

/* The count of the cell whose dimensions (in order) have the values given, or -1 if there is none. */
static long cell(json_t *table, const char *v1, const char *v2)
{
	json_t *dims = json_object_get(table, "dims"), *c;
	const char *d1 = json_string_value(json_object_get(json_array_get(dims, 0), "name"));
	const char *d2 = v2 ? json_string_value(json_object_get(json_array_get(dims, 1), "name")) : NULL;
	size_t i;
	json_array_foreach(json_object_get(table, "cells"), i, c) {
		const char *a = json_string_value(json_object_get(c, d1));
		const char *b = d2 ? json_string_value(json_object_get(c, d2)) : NULL;
		if (!a || strcmp(a, v1) || (d2 && (!b || strcmp(b, v2))))
			continue;
		assert_true(json_is_integer(json_object_get(c, "count"))); /* never suppressed */
		return (long)json_integer_value(json_object_get(c, "count"));
	}
	return -1;
}

/* The newest release a table names (0 for none); *year gets its year. */
static json_int_t newest_release(json_t *table, int *year)
{
	json_int_t id = 0;
	json_t *r;
	size_t i;
	json_array_foreach(json_object_get(table, "releases"), i, r)
		if (json_integer_value(json_object_get(r, "id")) > id) {
			id = json_integer_value(json_object_get(r, "id"));
			if (year)
				*year = (int)json_integer_value(json_object_get(r, "year"));
		}
	return id;
}

static int setup(void **state)
{
	(void)state;
	return server_up("api.db", demo_cases);
}

static void test_login_each_role(void **state)
{
	(void)state;
	const char *names[] = {"root", "mona", "cara", "anna"};
	const char *roles[] = {"admin", "manager", "caseworker", "analyst"};
	for (int i = 0; i < 4; i++) {
		struct login l = login_as(names[i]);
		struct resp r = http("GET", "/api/me", l.cookie, NULL, NULL, NULL, NULL);
		assert_int_equal(r.status, 200);
		assert_string_equal(json_string_value(json_object_get(r.json, "role")), roles[i]);
		assert_string_equal(json_string_value(json_object_get(r.json, "csrf_token")), l.csrf);
		resp_free(&r);
	}
	struct resp r = http("POST", "/api/login", NULL, NULL, "application/json",
			     "{\"user\": \"cara\", \"password\": \"wrong password\"}", NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(error_code(&r), "login_failed");
	resp_free(&r);
	r = http("GET", "/api/me", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	assert_string_equal(error_code(&r), "login_required");
	resp_free(&r);
}

static void test_security_headers(void **state)
{
	(void)state;
	const char *paths[] = {"/api/codebook", "/api/nothing", "/"};
	for (int i = 0; i < 3; i++) {
		char v[256];
		struct resp r = http("GET", paths[i], NULL, NULL, NULL, NULL, NULL);
		assert_true(header(&r, "Content-Security-Policy", v, sizeof v));
		assert_string_equal(v, "default-src 'self'");
		assert_true(header(&r, "X-Content-Type-Options", v, sizeof v));
		assert_string_equal(v, "nosniff");
		assert_true(header(&r, "Referrer-Policy", v, sizeof v));
		assert_true(header(&r, "X-Frame-Options", v, sizeof v));
		assert_string_equal(v, "DENY");
		if (!strncmp(paths[i], "/api/", 5)) {
			assert_true(header(&r, "Cache-Control", v, sizeof v));
			assert_string_equal(v, "no-store");
		}
		resp_free(&r);
	}
	struct resp r = http("GET", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_array_size(json_object_get(r.json, "fields")) > 20);
	assert_true(json_array_size(json_object_get(r.json, "dimensions")) > 5);
	resp_free(&r);
	r = http("DELETE", "/api/codebook", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 405);
	resp_free(&r);
}

static void test_csrf(void **state)
{
	(void)state;
	struct login l = login_as("cara");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\"}";
	struct resp r = http("POST", "/api/cases", l.cookie, NULL, "application/json", body, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "csrf");
	resp_free(&r);
	r = http("POST", "/api/cases", l.cookie, "not-the-token", "application/json", body, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "csrf");
	resp_free(&r);
	r = http("POST", "/api/logout", l.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
}

static void test_case_lifecycle(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), mg = login_as("mona"), an = login_as("anna"), ot = login_as("otto");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\","
			   " \"first_name\": \"Zoryana\", " REG "}";
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
	assert_int_equal(r.status, 201);
	char id[CB_ID_TEXT], path[128], patch[256];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "case_id")));
	assert_int_equal(strlen(id), 26);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 1);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/cases/%s", id);

	/* the caseworker of the office reads identifying details */
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Zoryana");
	resp_free(&r);
	/* a manager reads coded fields only */
	r = http("GET", path, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(json_object_get(r.json, "first_name"));
	assert_string_equal(json_string_value(json_object_get(r.json, "gender")), "Feminine");
	resp_free(&r);
	/* an analyst and another office's caseworker cannot confirm it exists */
	r = http("GET", path, an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = http("GET", path, ot.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);

	/* update, then a stale version */
	snprintf(patch, sizeof patch, "{\"version\": 1, \"gender\": \"Masculine\"}");
	r = http("PATCH", path, cw.cookie, cw.csrf, "application/json", patch, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "version")), 2);
	assert_string_equal(json_string_value(json_object_get(r.json, "gender")), "Masculine");
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Zoryana");
	resp_free(&r);
	r = http("PATCH", path, mg.cookie, mg.csrf, "application/json", "{\"version\": 1, \"gender\": \"Feminine\"}",
		 NULL);
	assert_int_equal(r.status, 409);
	assert_string_equal(error_code(&r), "conflict");
	resp_free(&r);
	/* a manager may not change identifying details without breaking the glass; a caseworker may not move a
	 * case to another office */
	r = http("PATCH", path, mg.cookie, mg.csrf, "application/json", "{\"version\": 2, \"first_name\": \"X\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("PATCH", path, cw.cookie, cw.csrf, "application/json", "{\"version\": 2, \"site\": \"" OTHER "\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("PATCH", path, ot.cookie, ot.csrf, "application/json", "{\"version\": 2, \"gender\": \"Feminine\"}", NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);

	/* break the glass: then the manager sees identifying details */
	char gpath[160];
	snprintf(gpath, sizeof gpath, "%s/glass", path);
	r = http("POST", gpath, mg.cookie, mg.csrf, "application/json", "{\"reason\": \"short\"}", NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = http("POST", gpath, cw.cookie, cw.csrf, "application/json", "{\"reason\": \"court order 2024/117\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("POST", gpath, mg.cookie, mg.csrf, "application/json", "{\"reason\": \"court order 2024/117\"}", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(json_object_get(r.json, "until"));
	resp_free(&r);
	r = http("GET", path, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Zoryana");
	resp_free(&r);

	/* the caseworker's list holds the case, another office's does not */
	r = http("GET", "/api/cases?per_page=500", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, id));
	assert_null(strstr(r.body, OTHER));
	resp_free(&r);
	char q[64];
	snprintf(q, sizeof q, "/api/cases?q=%.5s", id);
	r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, id));
	resp_free(&r);
	r = http("GET", "/api/cases", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);

	/* the audit trail names the identifying fields read, never their values */
	struct login ad = login_as("root");
	char apath[128];
	snprintf(apath, sizeof apath, "/api/audit?case_id=%s", id);
	r = http("GET", apath, ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"case.read\""));
	assert_non_null(strstr(r.body, "\"first_name\""));
	assert_non_null(strstr(r.body, "\"case.update\""));
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	r = http("GET", path, ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 404);
	resp_free(&r);
}

static void test_limits(void **state)
{
	(void)state;
	struct login cw = login_as("cara");
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", "{\"site\": ", NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "bad_json");
	resp_free(&r);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", "[1, 2]", NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "text/plain", "{}", NULL);
	assert_int_equal(r.status, 415);
	resp_free(&r);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", "{\"gender\": \"Unheard\"}", NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "invalid");
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "gender"));
	resp_free(&r);
	/* too large: announced by Content-Length, and sent without one (chunked) */
	size_t big = CB_HTTP_BODY_MAX + 10;
	char *body = malloc(big + 1);
	memset(body, ' ', big);
	body[0] = '{';
	body[big - 1] = '}';
	body[big] = 0;
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
	assert_int_equal(r.status, 413);
	assert_string_equal(error_code(&r), "too_large");
	resp_free(&r);
	free(body);
	r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", NULL,
		 "Content-Length: 99999999999999999999\r\n");
	assert_true(r.status == 413 || r.status == 400);
	resp_free(&r);
	r = http("GET", "/api/cases?page=x", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
	r = http("GET", "/api/cases?page=%zz", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	resp_free(&r);
}

/* Statistics are estimates from the releases: nothing suppressed, one synthetic caseload (totals add up, a
 * filtered table is a row of the unfiltered one), the releases named with their budget; only released fields;
 * never exact counts over HTTP. */
static void test_stats_protected(void **state)
{
	(void)state;
	struct login an = login_as("anna"), cw = login_as("cara"), mg = login_as("mona");
	struct resp r = http("GET", "/api/stats?by=citizenship_region,gender&percent=1", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "estimates")));
	assert_true(json_is_true(json_object_get(r.json, "protected")));
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "protection")), "differentially private releases"));
	json_t *rel = json_object_get(r.json, "releases"), *c;
	assert_true(json_array_size(rel) > 10);
	size_t i;
	json_array_foreach(rel, i, c) {
		double rho = json_real_value(json_object_get(c, "rho"));
		assert_true(json_integer_value(json_object_get(c, "id")) > 0);
		assert_true(rho > 0 && rho <= CB_RELEASE_DEFAULT_RHO);
		assert_true(json_real_value(json_object_get(c, "epsilon")) > 0);
	}
	json_t *cells = json_object_get(r.json, "cells");
	assert_true(json_array_size(cells) > 4);
	long regions = 0, genders = 0, grand = cell(r.json, "Total", "Total");
	json_array_foreach(cells, i, c) {
		assert_false(json_is_true(json_object_get(c, "suppressed")));
		const char *reg = json_string_value(json_object_get(c, "citizenship_region"));
		const char *gen = json_string_value(json_object_get(c, "gender"));
		long n = (long)json_integer_value(json_object_get(c, "count"));
		assert_true(reg && gen);
		regions += strcmp(reg, "Total") && !strcmp(gen, "Total") ? n : 0;
		genders += !strcmp(reg, "Total") && strcmp(gen, "Total") ? n : 0;
	}
	assert_true(grand > 300);
	assert_int_equal(regions, grand);
	assert_int_equal(genders, grand);
	struct resp f = http("GET", "/api/stats?by=gender&where=citizenship_region%20%3D%20Europe", an.cookie, NULL, NULL,
			     NULL, NULL);
	assert_int_equal(f.status, 200);
	assert_true(cell(f.json, "Total", NULL) > 0);
	json_array_foreach(json_object_get(f.json, "cells"), i, c) {
		const char *gen = json_string_value(json_object_get(c, "gender"));
		assert_non_null(gen);
		assert_int_equal(json_integer_value(json_object_get(c, "count")), cell(r.json, "Europe", gen));
	}
	resp_free(&f);
	resp_free(&r);
	/* a field that is not released is neither a dimension nor a filter */
	r = http("GET", "/api/stats?by=site,gender", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "invalid");
	assert_non_null(strstr(r.body, "site is not in the statistical releases"));
	resp_free(&r);
	r = http("GET", "/api/stats?by=year&where=site%20%3D%20" OTHER, an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "cannot be filtered on"));
	resp_free(&r);
	r = http("GET", "/api/stats?by=year&format=csv", mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	char v[128];
	assert_true(header(&r, "Content-Type", v, sizeof v));
	assert_non_null(strstr(v, "text/csv"));
	assert_int_equal(strncmp(r.body, "# Estimates from the differentially private releases of ", 56), 0);
	assert_non_null(strstr(r.body, "\n# release "));
	assert_non_null(strstr(r.body, "\nyear,count\n"));
	resp_free(&r);
	r = http("GET", "/api/stats?by=year&where=gender%20%3D%20Nonsense", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 400);
	assert_string_equal(error_code(&r), "invalid");
	resp_free(&r);
	r = http("GET", "/api/stats?by=year", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	assert_string_equal(error_code(&r), "forbidden");
	resp_free(&r);
	r = http("GET", "/api/stats?by=year&exact=1", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200); /* an unknown parameter changes nothing: no exact counts over HTTP */
	assert_non_null(strstr(r.body, "\"protected\": true"));
	assert_non_null(strstr(r.body, "\"estimates\": true"));
	resp_free(&r);
	r = http("GET", "/api/report", an.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<html"));
	assert_non_null(strstr(r.body, "differentially private releases"));
	resp_free(&r);
}

/* A case created over HTTP is not in the statistics until a release of its year: the tables change only
 * with a new release, which the running server loads by itself (it looks at most every 2 s). */
static void test_stats_current(void **state)
{
	(void)state;
	struct login cw = login_as("otto"), mg = login_as("mona");
	const char *q = "/api/stats?by=year&where=year%20%3D%201995";
	struct resp r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "\"1995\""));
	resp_free(&r);
	r = http("GET", "/api/stats?by=year", mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	long before = cell(r.json, "Total", NULL);
	json_int_t newest = newest_release(r.json, NULL);
	assert_true(before > 0 && newest > 0);
	resp_free(&r);
	for (int i = 0; i < 30; i++) {
		r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json",
			 "{\"registered_on\": \"1995-01-02\", \"gender\": \"Feminine\", \"citizenship\": \"MD\","
			 " \"exploitation_type\": [\"SexualExploitation\"], \"consent_statistics\": true}", NULL);
		if (r.status != 201)
			fprintf(stderr, "%s\n", r.body);
		assert_int_equal(r.status, 201);
		resp_free(&r);
	}
	/* not yet: 1995 has no release */
	r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "\"1995\""));
	resp_free(&r);
	r = http("GET", "/api/stats?by=year", mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(cell(r.json, "Total", NULL), before);
	assert_int_equal(newest_release(r.json, NULL), newest);
	resp_free(&r);

	/* the release of 1995, made by the command line while the server runs */
	char *out = NULL, *err = NULL;
	if (cbt_run(&out, &err, "%s release '%s' --year 1995", cbt_bin(), dbpath) != 0)
		fail_msg("release: %s", err);
	assert_non_null(strstr(out, "1995: release "));
	free(out);
	free(err);
	bool seen = false;
	for (int i = 0; i < 50 && !seen; i++) {
		r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
		assert_int_equal(r.status, 200);
		seen = strstr(r.body, "\"1995\"") != NULL;
		resp_free(&r);
		if (!seen)
			usleep(100000);
	}
	assert_true(seen);
	r = http("GET", q, mg.cookie, NULL, NULL, NULL, NULL);
	int year = 0;
	long n1995 = cell(r.json, "1995", NULL);
	assert_true(n1995 > 0); /* 30 cases: an estimate of none would be six standard deviations off */
	assert_true(newest_release(r.json, &year) > newest);
	assert_int_equal(year, 1995);
	assert_int_equal(json_array_size(json_object_get(r.json, "releases")), 1);
	resp_free(&r);
	r = http("GET", "/api/stats?by=year", mg.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(cell(r.json, "Total", NULL), before + n1995);
	resp_free(&r);
}

static void test_roles_forbidden(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), ad = login_as("root");
	struct resp r = http("GET", "/api/users", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("GET", "/api/users", ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"cara\""));
	assert_null(strstr(r.body, PW));
	resp_free(&r);
	r = http("POST", "/api/cases", ad.cookie, ad.csrf, "application/json", "{\"site\": \"" SITE "\"}", NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
	r = http("GET", "/api/audit", cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 403);
	resp_free(&r);
}

static void test_logout(void **state)
{
	(void)state;
	struct login l = login_as("anna");
	struct resp r = http("POST", "/api/logout", l.cookie, l.csrf, NULL, NULL, NULL);
	assert_int_equal(r.status, 204);
	char sc[256];
	assert_true(header(&r, "Set-Cookie", sc, sizeof sc));
	assert_non_null(strstr(sc, "Max-Age=0"));
	resp_free(&r);
	r = http("GET", "/api/me", l.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
	r = http("GET", "/api/stats?by=year", l.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
	/* disabling a user ends their sessions at once */
	struct login ot = login_as("otto"), ad = login_as("root");
	r = http("GET", "/api/me", ot.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = http("PATCH", "/api/users/otto", ad.cookie, ad.csrf, "application/json", "{\"disabled\": true}", NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = http("GET", "/api/me", ot.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 401);
	resp_free(&r);
}

static int login_status(const char *user, const char *password, char *detail, size_t n)
{
	char body[256];
	snprintf(body, sizeof body, "{\"user\": \"%s\", \"password\": \"%s\"}", user, password);
	struct resp r = http("POST", "/api/login", NULL, NULL, "application/json", body, NULL);
	int st = r.status;
	if (detail)
		snprintf(detail, n, "%s", json_string_value(json_object_get(r.json, "detail")));
	resp_free(&r);
	return st;
}

/* Failing logins slow down the address they come from -- after five, it must wait before the next is even
 * checked (429), right password or not -- and never lock the account: its owner, from another address,
 * logs in at once. */
static void test_login_throttled_by_address(void **state)
{
	(void)state;
	char detail[256] = "";
	int i, st = 0;
	client_ip = "127.0.0.2";
	for (i = 0; i < 5; i++)
		assert_int_equal(login_status("cara", "wrong password", NULL, 0), 401);
	for (; i < 12 && (st = login_status("cara", "wrong password", detail, sizeof detail)) == 401; i++)
		;
	assert_int_equal(st, 429);
	assert_non_null(strstr(detail, "try again in"));
	client_ip = NULL;
	assert_int_equal(login_status("cara", PW, NULL, 0), 200);
	client_ip = "127.0.0.2";
	for (i = 0; i < 3 && (st = login_status("cara", PW, NULL, 0)) == 429; i++)
		sleep(1); /* 1 s, 2 s, ...: waits that grow, not a lock */
	client_ip = NULL;
	assert_true(st == 200 || st == 429);
}

/* A failed login of a name that is no account makes no audit entry, only a count; an account's does. */
static void test_unknown_names_not_audited(void **state)
{
	(void)state;
	client_ip = "127.0.0.3";
	long long rows = cbt_sql_int(dbpath, "SELECT count(*) FROM audit");
	assert_int_equal(login_status("no-such-person", "wrong password", NULL, 0), 401);
	assert_int_equal(login_status("correct.horse", "battery staple", NULL, 0), 401);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit"), rows);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT value FROM meta WHERE key = '" CB_AUDIT_UNKNOWN_LOGINS "'"), 2);
	assert_int_equal(login_status("mona", "wrong password", NULL, 0), 401);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit"), rows + 1);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE id = (SELECT max(id) FROM audit)"
				  " AND action = 'login.failed' AND user = 'mona' AND from_addr = '127.0.0.3'"),
			 1);
	client_ip = NULL;
}

/* Makes every append of `action` to the audit trail fail (a trigger the server's connections see on their
 * next statement), or lets them through again (NULL). */
static void refuse_audit(const char *action)
{
	sqlite3 *h = NULL;
	char sql[256];
	assert_int_equal(sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(h, 10000);
	assert_int_equal(sqlite3_exec(h, "DROP TRIGGER IF EXISTS test_refuse_audit", NULL, NULL, NULL), SQLITE_OK);
	if (action) {
		snprintf(sql, sizeof sql,
			 "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit WHEN NEW.action = '%s'"
			 " BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END",
			 action);
		assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	sqlite3_close(h);
}

/* A read whose audit entry cannot be written is refused (5xx) and shows nothing; a write whose entry fails
 * is kept (it committed first) but never answered as a success; a login whose entry fails opens no session. */
static void test_audit_failure_fails_the_act(void **state)
{
	(void)state;
	struct login cw = login_as("cara"), an = login_as("anna");
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json",
			     "{\"site\": \"" SITE "\", \"registered_on\": \"2024-05-02\", \"first_name\": \"Quillonia\","
			     " \"gender\": \"Feminine\", " REG "}",
			     NULL);
	assert_int_equal(r.status, 201);
	char id[CB_ID_TEXT], path[160];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(r.json, "case_id")));
	resp_free(&r);
	snprintf(path, sizeof path, "/api/cases/%s/followups", id);
	r = http("POST", path, cw.cookie, cw.csrf, "application/json",
		 "{\"due_on\": \"2030-01-02\", \"note\": \"meet at Brackenwold shelter\"}", NULL);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	long long reads = cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read'");

	/* a case read */
	refuse_audit("case.read");
	snprintf(path, sizeof path, "/api/cases/%s", id);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "Quillonia"));
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read'"), reads);

	/* a list of follow-ups with their notes */
	refuse_audit("followup.read");
	snprintf(path, sizeof path, "/api/cases/%s/followups", id);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "Brackenwold"));
	resp_free(&r);

	/* a statistics report */
	refuse_audit("report");
	r = http("GET", "/api/report", an.cookie, NULL, NULL, NULL, NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "<table"));
	resp_free(&r);

	/* a change: kept, but answered with a 5xx, not with the case */
	refuse_audit("case.update");
	snprintf(path, sizeof path, "/api/cases/%s", id);
	r = http("PATCH", path, cw.cookie, cw.csrf, "application/json", "{\"version\": 1, \"children\": 2}", NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.body, "Quillonia"));
	resp_free(&r);

	/* a login: no session is left behind, no cookie is sent */
	refuse_audit("login");
	long long sessions = cbt_sql_int(dbpath, "SELECT count(*) FROM sessions");
	r = http("POST", "/api/login", NULL, NULL, "application/json", "{\"user\": \"mona\", \"password\": \"" PW "\"}",
		 NULL);
	assert_true(r.status >= 500);
	assert_null(strstr(r.head, "cb_session="));
	assert_null(strstr(r.body, "csrf_token"));
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM sessions"), sessions);

	/* once the trail takes entries again, the same read is answered and recorded */
	refuse_audit(NULL);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "first_name")), "Quillonia");
	resp_free(&r);
	assert_int_equal(cbt_sql_int(dbpath, "SELECT count(*) FROM audit WHERE action = 'case.read'"), reads + 1);
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE children = 2 AND version = 2 AND case_id = "
		 "(SELECT case_id FROM audit WHERE action = 'case.create' ORDER BY id DESC LIMIT 1)");
	assert_int_equal(cbt_sql_int(dbpath, sql), 1);
}

/* An admin cannot disable her own account (nor the last admin be disabled): 403, and she stays in. */
static void test_admin_cannot_disable_herself(void **state)
{
	(void)state;
	struct login ad = login_as("root");
	struct resp r = http("PATCH", "/api/users/root", ad.cookie, ad.csrf, "application/json", "{\"disabled\": true}", NULL);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "own account"));
	resp_free(&r);
	r = http("GET", "/api/me", ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	r = http("GET", "/api/users", ad.cookie, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "{\"name\":\"root\",\"role\":\"admin\",\"site\":\"\",\"disabled\":false"));
	resp_free(&r);
}

/* Starts `casebank serve DB` on an ephemeral port as a child (stderr to log) and points the client at it: the
 * port it chose, from its first line.  The caller restores `port` and stops the child. */
static pid_t serve_child(const char *db, const char *log)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "exec %s serve '%s' --listen 127.0.0.1:0 2>'%s'", cbt_bin(), db, log);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	unsigned p = 0;
	for (int i = 0; i < 600 && !p; i++) {
		char *text = cbt_read(log, NULL);
		const char *at = text ? strstr(text, "http://127.0.0.1:") : NULL;
		if (at)
			sscanf(at, "http://127.0.0.1:%u", &p);
		free(text);
		if (!p)
			usleep(50000);
	}
	assert_true(p > 0);
	port = (uint16_t)p;
	return pid;
}

/* The command: `casebank serve` logs one line per request without the query string, and SIGTERM stops it
 * gracefully (exit status 0). */
static void test_serve_command(void **state)
{
	(void)state;
	const char *log = cbt_path("serve.log");
	uint16_t saved = port;
	pid_t pid = serve_child(dbpath, log);
	struct resp r = http("GET", "/api/codebook?where=Zoryana", NULL, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	port = saved;
	assert_int_equal(kill(pid, SIGTERM), 0);
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	char *text = cbt_read(log, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "GET /api/codebook 200 "));
	assert_null(strstr(text, "Zoryana"));
	assert_non_null(strstr(text, "stopping"));
	free(text);
}

/* A full disk: the server logs "disk full" and answers 503 (service unavailable), never 500, to a write and
 * to a read it cannot record.  Needs a small tmpfs, so runs only where this process may mount one (root). */
static char full_mount[512];
static pid_t full_pid; /* the server on it: stopped here too if a test failed before it did */
static void full_umount(void)
{
	char cmd[600];
	if (full_pid > 0 && kill(full_pid, SIGKILL) == 0)
		waitpid(full_pid, NULL, 0);
	full_pid = 0;
	snprintf(cmd, sizeof cmd, "umount -l '%s' 2>/dev/null", full_mount);
	if (full_mount[0] && system(cmd) != 0)
		fprintf(stderr, "could not unmount %s\n", full_mount);
}

static void test_disk_full(void **state)
{
	(void)state;
	snprintf(full_mount, sizeof full_mount, "%s", cbt_path("tmpfs"));
	assert_int_equal(mkdir(full_mount, 0700), 0);
	if (cbt_run(NULL, NULL, "mount -t tmpfs -o size=6m tmpfs '%s'", full_mount) != 0) {
		print_message("cannot mount a tmpfs here: skipped\n");
		return;
	}
	atexit(full_umount);
	char db[600];
	const char *log = cbt_path("full.log");
	snprintf(db, sizeof db, "%s/f.db", full_mount);
	/* a copy of the test database on the small file system */
	sqlite3 *raw = NULL;
	char sql[1400];
	assert_int_equal(sqlite3_open(dbpath, &raw), SQLITE_OK);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s'", db);
	assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	snprintf(sql, sizeof sql, "%s.casekeys", dbpath);
	assert_int_equal(sqlite3_open(sql, &raw), SQLITE_OK);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s.casekeys'", db);
	assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(cbt_run(NULL, NULL, "cp -p '%s.key' '%s.key' && chmod 600 '%s' '%s.casekeys'", dbpath, db, db, db), 0);

	uint16_t saved = port;
	pid_t pid = serve_child(db, log);
	full_pid = pid;
	struct login cw = login_as("cara");
	const char *body = "{\"site\": \"" SITE "\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\","
			   " \"first_name\": \"Zoryana\", " REG "}";
	struct resp r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
	assert_int_equal(r.status, 201);
	char path[128];
	snprintf(path, sizeof path, "/api/cases/%s", json_string_value(json_object_get(r.json, "case_id")));
	resp_free(&r);

	/* the disk fills up */
	cbt_run(NULL, NULL, "dd if=/dev/zero of='%s/filler' bs=64k", full_mount);
	int status = 201;
	for (int i = 0; i < 200 && status == 201; i++) { /* until the pages SQLite has spare are used up */
		r = http("POST", "/api/cases", cw.cookie, cw.csrf, "application/json", body, NULL);
		status = r.status;
		if (status != 201) {
			assert_int_equal(status, 503);
			assert_string_equal(error_code(&r), "unavailable");
		}
		resp_free(&r);
	}
	assert_int_equal(status, 503);
	r = http("GET", path, cw.cookie, NULL, NULL, NULL, NULL); /* its audit entry cannot be written */
	assert_int_equal(r.status, 503);
	assert_null(strstr(r.body, "Zoryana"));
	resp_free(&r);
	port = saved;
	assert_int_equal(kill(pid, SIGTERM), 0);
	waitpid(pid, NULL, 0);
	full_pid = 0;
	char *text = cbt_read(log, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "disk full"));
	assert_null(strstr(text, "database error"));
	assert_null(strstr(text, " 500 "));
	free(text);
	full_umount();
	full_mount[0] = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_each_role), cmocka_unit_test(test_security_headers),
		cmocka_unit_test(test_csrf),            cmocka_unit_test(test_case_lifecycle),
		cmocka_unit_test(test_limits),          cmocka_unit_test(test_stats_protected),
		cmocka_unit_test(test_stats_current),   cmocka_unit_test(test_roles_forbidden),
		cmocka_unit_test(test_logout),          cmocka_unit_test(test_serve_command),
		cmocka_unit_test(test_login_throttled_by_address), cmocka_unit_test(test_unknown_names_not_audited),
		cmocka_unit_test(test_audit_failure_fails_the_act),
		cmocka_unit_test(test_admin_cannot_disable_herself),
		cmocka_unit_test(test_disk_full),
	};
	return cmocka_run_group_tests(tests, setup, server_down);
}
