/*
 * test_where.c -- the --where expression (src/stats/where.c): evaluation against brute force over
 * synthetic cases, multi-valued semantics, "not recorded", comparisons and ranges on year, the normalised
 * text, and errors that give the column of the mistake and list what is valid.
 */
#include "cb_test.h"

#include "stats/stats_int.h"
#include "stats_fixture.h"

static struct fx fx;

static int setup(void **state)
{
	(void)state;
	fx = fx_demo(3000, 42);
	return fx.ix ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fx_free(&fx);
	return 0;
}

typedef bool (*pred)(const struct cb_case *c);

/* Parses text, evaluates it, and compares every case's bit with p; returns how many matched. */
static long check(const char *text, pred p)
{
	struct cb_where *w = NULL;
	struct cb_err err = {0};
	if (cb_where_parse(fx.ix, text, &w, &err) != CB_OK)
		fail_msg("%s: %s", text, err.msg);
	assert_non_null(w);
	size_t nw = ((size_t)fx.ix->n + 63) / 64;
	uint64_t *bits = calloc(nw, 8);
	assert_int_equal(cb_where_eval(w, fx.ix, bits, &err), CB_OK);
	long hits = 0;
	for (long i = 0; i < fx.n; i++) {
		bool got = (bits[i / 64] >> (i % 64)) & 1, want = p(&fx.cases[i]);
		if (got != want)
			fail_msg("%s: case %ld: got %d, expected %d", text, i, got, want);
		hits += want;
	}
	free(bits);
	cb_where_free(&w);
	assert_null(w);
	return hits;
}

static bool has(uint64_t set, int v) { return (set >> v) & 1; }
static bool p_fem(const struct cb_case *c) { return c->gender == CB_gender_Feminine; }
static bool p_y15_notmasc(const struct cb_case *c) { return c->year >= 2015 && c->gender != CB_gender_Masculine; }
static bool p_sexual(const struct cb_case *c) { return has(c->exploitation_type, CB_exploitation_type_SexualExploitation); }
static bool p_labour_or_sexual(const struct cb_case *c)
{
	return has(c->exploitation_type, CB_exploitation_type_ForcedLabour) ||
	       has(c->exploitation_type, CB_exploitation_type_SexualExploitation);
}
static bool p_europe(const struct cb_case *c)
{
	return c->citizenship != CB_NA && cb_country_region(c->citizenship) != CB_NA &&
	       strcmp(cb_regions[cb_country_region(c->citizenship)], "Europe") == 0;
}
static bool p_not_between_or_europe(const struct cb_case *c)
{
	return !(c->year >= 2010 && c->year <= 2015) || p_europe(c);
}
static bool p_cit_missing(const struct cb_case *c) { return c->citizenship == CB_NA; }
static bool p_sector_missing_or_not_agri(const struct cb_case *c)
{
	return !has(c->labour_sector, CB_labour_sector_agriculture);
}
static bool p_before_2012(const struct cb_case *c) { return c->year < 2012; }
static bool p_after_2100(const struct cb_case *c) { (void)c; return false; }
static bool p_age(const struct cb_case *c) { return c->age_group == CB_age_group_a18_20; }
static bool p_no_methods(const struct cb_case *c) { return c->means_of_control == 0; }
static bool p_site0(const struct cb_case *c) { return strcmp(c->site, fx.cases[0].site) == 0; }
static bool p_complex(const struct cb_case *c)
{
	return (c->gender == CB_gender_Feminine || c->gender == CB_gender_Masculine) && !(c->year > 2018) &&
	       !(c->majority == CB_majority_minor);
}

static void test_eval(void **state)
{
	(void)state;
	long fem = check("gender = Feminine", p_fem);
	assert_true(fem > 100 && fem < fx.n); /* the data is varied enough to test anything */
	assert_int_equal(check("GENDER == 'Feminine'", p_fem), fem);
	check("year >= 2015 and gender != Masculine", p_y15_notmasc);
	long sx = check("exploitation_type = SexualExploitation", p_sexual);
	long ls = check("exploitation_type in (ForcedLabour, \"SexualExploitation\")", p_labour_or_sexual);
	assert_true(sx > 0 && ls > sx);
	check("not (year between 2015 and 2010) or citizenship_region = europe", p_not_between_or_europe);
	assert_true(check("citizenship = 'not recorded'", p_cit_missing) > 0);
	check("labour_sector not in (agriculture)", p_sector_missing_or_not_agri);
	check("year < 2012", p_before_2012);
	check("year > 2100", p_after_2100);
	check("age_group = \"18--20\"", p_age);
	check("means_of_control = not_recorded", p_no_methods);
	char site[64];
	snprintf(site, sizeof site, "site = '%s'", fx.cases[0].site);
	assert_true(check(site, p_site0) > 0);
	check("(gender = Feminine or gender = Masculine) and not year > 2018 and majority != minor", p_complex);
}

static void test_empty_and_text(void **state)
{
	(void)state;
	struct cb_where *w = (struct cb_where *)1;
	struct cb_err err = {0};
	char buf[256];
	assert_int_equal(cb_where_parse(fx.ix, "  ", &w, &err), CB_OK);
	assert_null(w);
	assert_int_equal(cb_where_parse(fx.ix, NULL, &w, &err), CB_OK);
	assert_null(w);
	assert_int_equal(cb_where_parse(fx.ix, "year>=2015 AND (gender in(Feminine,Masculine))", &w, &err), CB_OK);
	assert_string_equal(cb_where_text(w, buf, sizeof buf),
			    "year >= 2015 and (gender in (\"Feminine\", \"Masculine\"))");
	cb_where_free(&w);
}

/* Expects an error whose message contains every one of the given fragments. */
static void bad(const char *text, const char *a, const char *b)
{
	struct cb_where *w = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_where_parse(fx.ix, text, &w, &err), CB_EINVAL);
	assert_null(w);
	if (!strstr(err.msg, a) || (b && !strstr(err.msg, b)))
		fail_msg("%s: message '%s' lacks '%s' / '%s'", text, err.msg, a, b ? b : "");
}

static void test_errors(void **state)
{
	(void)state;
	bad("gendr = Feminine", "column 1: unknown field 'gendr'", "gender, age_group");
	bad("gender = Feminin", "column 10: 'Feminin' is not a value of gender", "Feminine, Masculine");
	bad("year >= 2015 and", "column 17: expected a field name", "end of text");
	bad("gender > Feminine", "column 8: gender is not a number", NULL);
	bad("(gender = Feminine", "column 19: expected ')'", NULL);
	bad("gender = 'Feminine", "column 10: unterminated", NULL);
	bad("year = 1800", "column 8: '1800' is not a value of year", "1990 to 2100");
	bad("gender = Feminine year = 2015", "column 19: expected 'and', 'or' or the end", NULL);
	bad("@", "column 1: unexpected character", NULL);
	bad("citizenship = XX", "column 15", "ISO 3166-1");
	bad("citizenship_region = Atlantis", "Africa, Americas", NULL);
	bad("site = NOWHERE", "is not a value of site", fx.cases[0].site);
	bad("consent_statistics = yes", "unknown field", NULL); /* not a dimension */
	bad("year between 2010 2015", "expected 'and'", NULL);
	bad("gender in Feminine", "expected '('", NULL);
	bad("gender in (Feminine Masculine)", "expected ',' or ')'", NULL);
	char deep[400];
	memset(deep, '(', 200);
	snprintf(deep + 200, 200, "gender = Feminine");
	bad(deep, "nested too deeply", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_empty_and_text),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
