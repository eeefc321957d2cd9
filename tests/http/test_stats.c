/*
 * test_stats.c -- tests of src/http/stats.c through a real server on 127.0.0.1: tables are estimates from the
 * releases (nothing suppressed, totals that add up, only released fields, never exact counts), a release made
 * while the server runs is picked up by it; and, on a database without a release, what statistics and the
 * report answer before one.
 */
#define PW "correct horse battery"
#include "http/http_test.h"

static int setup(void **state)
{
	(void)state;
	return server_up("stats.db", demo_cases);
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
	/* 400 demo cases over the years, about 380 of them consenting to statistics (demo.c: 95%); each year's
	 * total is itself an estimate from noisy tables of a few dozen cases (seen: 330 to 397) */
	assert_true(grand > 250 && grand < 550);
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
			 "{\"registered_on\": \"1995-01-02\", \"gender\": \"Feminine\", " REG "}", NULL);
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

static int setup_no_release(void **state)
{
	(void)state;
	return server_up("no-release.db", NULL) ? -1 : logins();
}

int main(void)
{
	const struct CMUnitTest before[] = {
		cmocka_unit_test(test_stats_before_release),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_protected),
		cmocka_unit_test(test_stats_current),
	};
	int failed = cmocka_run_group_tests(before, setup_no_release, server_down);
	return failed + cmocka_run_group_tests(tests, setup, server_down);
}
