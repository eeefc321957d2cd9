/*
 * test_value.c -- tests of src/codebook/value.c: text parse and format of every field kind, error messages
 * (and that they never carry identifying details), derive and validate.
 */
#include "codebook/case_helpers.h"

static void test_every_value_round_trips(void **state)
{
	(void)state;
	struct cb_case c;
	char buf[1024];
	cb_case_init(&c);
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind != CB_ENUM && f->kind != CB_MULTI)
			continue;
		for (int v = 0; v < f->vset->count; v++) {
			set_ok(&c, f->name, f->vset->values[v].name);
			if (f->kind == CB_ENUM)
				assert_int_equal(*(int32_t *)cb_case_member(&c, f), v);
			else
				assert_true(*(uint64_t *)cb_case_member(&c, f) == UINT64_C(1) << v);
			format_is(&c, f->name, f->vset->values[v].name);
		}
		/* a MULTI field holding every value formats in set order */
		if (f->kind == CB_MULTI) {
			size_t o = 0;
			for (int v = f->vset->count - 1; v >= 0; v--)
				o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? " ; " : "", f->vset->values[v].name);
			set_ok(&c, f->name, buf);
			assert_true(*(uint64_t *)cb_case_member(&c, f) == (UINT64_C(1) << f->vset->count) - 1);
			cb_case_format(&c, f, buf, sizeof buf);
			for (int v = 0, off = 0; v < f->vset->count; v++) {
				const char *name = f->vset->values[v].name;
				assert_memory_equal(buf + off, name, strlen(name));
				off += (int)strlen(name) + 1;
			}
		}
	}
	cb_case_clear(&c);
}

static void test_every_kind(void **state)
{
	(void)state;
	struct cb_case c;
	cb_case_init(&c);
	static const char *const same[][2] = {
		{"case_id", "AEBAGBAFAYDQQCIKBMGA2DQPCA"},
		{"site", "KYIV-01"},
		{"registered_on", "2021-02-28"},
		{"year", "2021"},
		{"gender", "TransgenderMasculine"},
		{"age_group", "48+"},
		{"citizenship", "UA"},
		{"children", "0"},
		{"recruitment_method", "AtWork;abduction"},
		{"consent_statistics", "yes"},
		{"consent_assistance", "no"},
		{"first_name", "Ольга Ivanova"},
		{"birth_date", "1990-12-31"},
		{"narrative", "line one\nline two; with \"quotes\""},
	};
	for (size_t i = 0; i < CB_COUNTOF(same); i++) {
		set_ok(&c, same[i][0], same[i][1]);
		assert_true(cb_case_has(&c, F(same[i][0])));
		format_is(&c, same[i][0], same[i][1]);
	}
	/* accepted spellings that format to the canonical one */
	static const char *const canon[][3] = {
		{"gender", "feminine", "Feminine"},
		{"gender", "  Masculine ", "Masculine"},
		{"citizenship", "ukr", "UA"},
		{"citizenship", "de", "DE"},
		{"destination_country", "XKX", "XK"},
		{"consent_statistics", "TRUE", "yes"},
		{"consent_statistics", "0", "no"},
		{"consent_statistics", "false", "no"},
		{"consent_statistics", "1", "yes"},
		{"exploitation_type", "Other; SexualExploitation ;Other;", "SexualExploitation;Other"},
		{"case_id", "aebagbafaydqqcikbmga2dqpca", "AEBAGBAFAYDQQCIKBMGA2DQPCA"},
		{"children", "07", "7"},
	};
	for (size_t i = 0; i < CB_COUNTOF(canon); i++) {
		set_ok(&c, canon[i][0], canon[i][1]);
		format_is(&c, canon[i][0], canon[i][2]);
	}
	assert_int_equal(c.registered_on, 18686); /* days since 1970 */
	assert_int_equal(c.consent_statistics, 1);

	/* empty text clears every kind */
	for (int i = 0; i < CB_NFIELDS; i++) {
		set_ok(&c, cb_fields[i].name, "");
		assert_false(cb_case_has(&c, &cb_fields[i]));
		format_is(&c, cb_fields[i].name, "");
	}
	assert_false(cb_case_has_pii(&c));
	cb_case_clear(&c);
}

static void test_bad_values(void **state)
{
	(void)state;
	set_bad("gender", "Femal", "'Femal' is not one of Feminine, Masculine, TransgenderFeminine");
	set_bad("recruitment_method", "AtWork;Nowhere", "'Nowhere' is not one of AtAPlaceOfBusiness");
	set_bad("children", "31", "0 to 30");
	set_bad("children", "-1", "'-1'");
	set_bad("children", "2x", "'2x'");
	set_bad("children", "99999999999999999999", "0 to 30");
	set_bad("year", "1989", "1990 to 2100");
	set_bad("registered_on", "2021-02-29", "'2021-02-29'");
	set_bad("registered_on", "21-02-01", "YYYY-MM-DD");
	set_bad("citizenship", "ZZ", "'ZZ'");
	set_bad("citizenship", "Ukraine", "alpha-2");
	set_bad("consent_statistics", "maybe", "'maybe'");
	set_bad("site", "kyiv", "'kyiv'");
	set_bad("site", "A", "2 to 16");
	set_bad("site", "ABCDEFGHIJKLMNOPQ", NULL);
	set_bad("case_id", "AEBAGBAFAYDQQCIKBMGA2DQPC", NULL);   /* 25 characters */
	set_bad("case_id", "AEBAGBAFAYDQQCIKBMGA2DQPCB", NULL);  /* padding bits set */
	set_bad("case_id", "AEBAGBAFAYDQQCIKBMGA2DQPC1", NULL);  /* 1 is not base32 */
	set_bad("case_id", "AEBAGBAFAYDQQCIKBMGA2DQPC=", NULL);

	/* a failed set leaves the old value */
	struct cb_case c;
	cb_case_init(&c);
	set_ok(&c, "gender", "Feminine");
	assert_int_equal(cb_case_set_text(&c, F("gender"), "nope", NULL), CB_EINVAL);
	assert_int_equal(c.gender, CB_gender_Feminine);
	cb_case_clear(&c);
}

static void test_pii_never_in_errors(void **state)
{
	(void)state;
	struct cb_case c;
	struct cb_err err;
	char big[300];
	cb_case_init(&c);
	memset(big, 'x', sizeof big - 1);
	memcpy(big, "SECRETNAME", 10);
	big[sizeof big - 1] = 0;
	const struct {
		const char *field, *text, *why;
	} bad[] = {
		{"first_name", big, "at most 200"},
		{"phone", "SECRET\xff\xfe", "readable text"},
		{"last_name", "SECRET\xc0\xaf", "readable text"},         /* overlong '/' */
		{"aliases", "SECRET\xed\xa0\x80", "readable text"},       /* a surrogate */
		{"email", "SECRET\xe2\x82", "readable text"},             /* cut short */
		/* after whole ASCII words (the eight-byte steps): at a word's start, end and middle, and cut short */
		{"narrative", "SECRETSECRETSECR\xff and more text", "readable text"},
		{"narrative", "SECRETSECRETSEC\xc0\xaf and more text", "readable text"},
		{"narrative", "SECRETSECRETSECRETSE\xed\xa0\x80 more", "readable text"},
		{"narrative", "SECRETSECRETSECRETSECRE\xe2\x82", "readable text"},
		{"birth_date", "SECRET", "date"},
		{"birth_date", "1985-02-30", "date like"},
	};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++) {
		cb_err_clear(&err);
		assert_int_equal(cb_case_set_text(&c, F(bad[i].field), bad[i].text, &err), CB_EINVAL);
		assert_string_equal(err.field, bad[i].field);
		assert_non_null(strstr(err.msg, bad[i].why));
		assert_null(strstr(err.msg, "SECRET"));
		assert_null(strstr(err.msg, "1985"));
	}
	assert_false(cb_case_has_pii(&c));
	big[200] = 0; /* exactly the limit is fine */
	set_ok(&c, "first_name", big);
	assert_true(cb_case_has_pii(&c));
	cb_case_clear(&c);
}

static void test_format_small_buffer(void **state)
{
	(void)state;
	struct cb_case c;
	char buf[8];
	cb_case_init(&c);
	set_ok(&c, "means_of_control", "DebtBondage;Other");
	assert_int_equal(cb_case_format(&c, F("means_of_control"), buf, sizeof buf), 7);
	assert_string_equal(buf, "DebtBon");
	set_ok(&c, "narrative", "a long story about nothing");
	assert_int_equal(cb_case_format(&c, F("narrative"), buf, sizeof buf), 7);
	assert_int_equal(cb_case_format(&c, F("narrative"), buf, 0), 0);
	cb_case_clear(&c);
}

static void test_age_helpers(void **state)
{
	(void)state;
	static const struct {
		int age, group, maj;
	} t[] = {
		{0, CB_age_group_a0_8, CB_majority_minor},     {8, CB_age_group_a0_8, CB_majority_minor},
		{9, CB_age_group_a9_17, CB_majority_minor},    {17, CB_age_group_a9_17, CB_majority_minor},
		{18, CB_age_group_a18_20, CB_majority_adult},  {20, CB_age_group_a18_20, CB_majority_adult},
		{21, CB_age_group_a21_23, CB_majority_adult},  {26, CB_age_group_a24_26, CB_majority_adult},
		{27, CB_age_group_a27_29, CB_majority_adult},  {38, CB_age_group_a30_38, CB_majority_adult},
		{39, CB_age_group_a39_47, CB_majority_adult},  {47, CB_age_group_a39_47, CB_majority_adult},
		{48, CB_age_group_a48p, CB_majority_adult},    {120, CB_age_group_a48p, CB_majority_adult},
	};
	for (size_t i = 0; i < CB_COUNTOF(t); i++) {
		assert_int_equal(cb_age_group_of(t[i].age), t[i].group);
		assert_int_equal(cb_majority_of(t[i].age), t[i].maj);
	}
	assert_int_equal(cb_age_group_of(CB_NA), CB_NA);
	assert_int_equal(cb_majority_of(-1), CB_NA);
}

static void test_derive(void **state)
{
	(void)state;
	struct cb_case c;
	cb_case_init(&c);
	set_ok(&c, "registered_on", "2019-06-01");
	set_ok(&c, "birth_year", "2003");
	cb_case_derive(&c);
	assert_int_equal(c.year, 2019);
	assert_int_equal(c.age_at_registration, 16);
	assert_int_equal(c.age_group, CB_age_group_a9_17);
	assert_int_equal(c.majority, CB_majority_minor);

	/* a given age is kept; the group follows it */
	cb_case_clear(&c);
	set_ok(&c, "year", "2020");
	set_ok(&c, "age_at_registration", "30");
	cb_case_derive(&c);
	assert_int_equal(c.age_group, CB_age_group_a30_38);
	assert_int_equal(c.majority, CB_majority_adult);

	/* group only: majority from the group */
	static const struct {
		const char *group;
		int maj;
	} g[] = {{"0--8", CB_majority_minor}, {"9--17", CB_majority_minor}, {"18--20", CB_majority_adult}, {"48+", CB_majority_adult}};
	for (size_t i = 0; i < CB_COUNTOF(g); i++) {
		cb_case_clear(&c);
		set_ok(&c, "age_group", g[i].group);
		cb_case_derive(&c);
		assert_int_equal(c.majority, g[i].maj);
		assert_int_equal(c.age_at_registration, CB_NA);
	}

	/* nothing to derive from */
	cb_case_clear(&c);
	set_ok(&c, "birth_year", "1990");
	cb_case_derive(&c);
	assert_int_equal(c.year, CB_NA);
	assert_int_equal(c.age_at_registration, CB_NA);
	assert_int_equal(c.majority, CB_NA);

	/* an age outside 0..120 is not derived */
	cb_case_clear(&c);
	set_ok(&c, "year", "2030");
	set_ok(&c, "birth_year", "1900");
	cb_case_derive(&c);
	assert_int_equal(c.age_at_registration, CB_NA);
	cb_case_clear(&c);
}

/* Validates c and expects an error about `field` containing `needle`. */
static void invalid(const struct cb_case *c, const char *field, const char *needle)
{
	struct cb_err err = {0};
	assert_int_equal(cb_case_validate(c, &err), CB_EINVAL);
	assert_string_equal(err.field, field);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
}

static void test_validate(void **state)
{
	(void)state;
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	invalid(&c, "site", "required");
	set_ok(&c, "site", "HQ");
	invalid(&c, "registered_on", "Registered on is required"); /* the field a person fills in */
	set_ok(&c, "registered_on", "2019-06-01");
	set_ok(&c, "birth_year", "1990");
	cb_case_derive(&c);
	assert_int_equal(cb_case_validate(&c, &err), CB_OK);

	c.year = 2018;
	invalid(&c, "year", "registered_on");
	c.year = 2019;
	c.age_group = CB_age_group_a9_17;
	invalid(&c, "age_group", "age_at_registration 29");
	c.age_group = CB_age_group_a27_29;
	c.majority = CB_majority_minor;
	invalid(&c, "majority", "age_at_registration");
	c.majority = CB_majority_adult;
	c.age_at_registration = 28; /* birthday later in the year: fine */
	assert_int_equal(cb_case_validate(&c, &err), CB_OK);
	c.age_at_registration = 25;
	invalid(&c, "age_at_registration", "birth_year 1990");
	c.age_at_registration = 29;

	c.birth_year = 2020;
	c.age_at_registration = CB_NA;
	c.age_group = CB_NA;
	invalid(&c, "birth_year", "2020");
	c.birth_year = 1990;

	c.registered_on = cb_date_today() + 2;
	c.year = cb_date_year(c.registered_on);
	invalid(&c, "registered_on", "future");
	/* tomorrow in UTC is today east of it (a browser in Tokyo after 15:00 UTC fills in that date) */
	c.registered_on = cb_date_today() + 1;
	c.year = cb_date_year(c.registered_on);
	assert_int_equal(cb_case_validate(&c, &err), CB_OK);
	c.registered_on = cb_date_today();
	c.year = cb_date_year(c.registered_on);
	assert_int_equal(cb_case_validate(&c, &err), CB_OK);

	c.children = 31;
	invalid(&c, "children", "31");
	c.children = CB_NA;
	c.gender = CB_gender__COUNT;
	invalid(&c, "gender", "out of range");
	c.gender = CB_NA;
	c.citizenship = cb_ncountries;
	invalid(&c, "citizenship", "out of range");
	c.citizenship = CB_NA;
	c.means_of_control = UINT64_C(1) << CB_means_of_control__COUNT;
	invalid(&c, "means_of_control", "beyond");
	c.means_of_control = 1;
	c.consent_statistics = 2;
	invalid(&c, "consent_statistics", "out of range");
	c.consent_statistics = 1;

	/* group without age: majority must agree with the group */
	c.age_at_registration = CB_NA;
	c.birth_year = CB_NA;
	c.age_group = CB_age_group_a0_8;
	c.majority = CB_majority_adult;
	invalid(&c, "majority", "age_group 0--8");
	c.majority = CB_majority_unknown;
	assert_int_equal(cb_case_validate(&c, &err), CB_OK);
	cb_case_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_value_round_trips),
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_pii_never_in_errors),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_age_helpers),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_validate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
