/*
 * test_codebook.c -- tests of src/codebook/codebook.c: the generated tables, lookups, text parse and format
 * of every field kind, error messages (and that they never carry identifying details), derive, validate
 * and case ids.
 */
#include <ctype.h>

#include "cb_test.h"

#include "codebook/codebook.h"

static const struct cb_field *F(const char *name)
{
	const struct cb_field *f = cb_field_find(name);
	assert_non_null(f);
	return f;
}

/* Sets a field from text, expecting success. */
static void set_ok(struct cb_case *c, const char *field, const char *text)
{
	struct cb_err err = {0};
	int rc = cb_case_set_text(c, F(field), text, &err);
	if (rc != CB_OK)
		fail_msg("%s = '%s': %s", field, text, err.msg);
}

static void format_is(const struct cb_case *c, const char *field, const char *want)
{
	char buf[512];
	size_t n = cb_case_format(c, F(field), buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

/* Expects an error naming the field and containing `needle` (and the value unless it is PII). */
static void set_bad(const char *field, const char *text, const char *needle)
{
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, F(field), text, &err), CB_EINVAL);
	assert_string_equal(err.field, field);
	assert_non_null(strstr(err.msg, field));
	if (needle && !strstr(err.msg, needle))
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
	assert_false(cb_case_has(&c, F(field)));
	cb_case_clear(&c);
}

static void test_tables(void **state)
{
	(void)state;
	assert_int_equal(CB_NFIELDS, 47);
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		assert_int_equal(f->id, i);
		assert_ptr_equal(cb_field_find(f->name), f);
		if (f->kind == CB_ENUM || f->kind == CB_MULTI || f->kind == CB_BOOL)
			assert_non_null(f->vset);
		else
			assert_null(f->vset);
	}
	assert_int_equal(F("gender")->kind, CB_ENUM);
	assert_ptr_equal(F("gender")->vset, &cb_vsets[CB_VS_gender]);
	assert_int_equal(F("gender")->group, CB_G_PERSON);
	assert_int_equal(F("case_id")->kind, CB_ID);
	assert_int_equal(F("narrative")->kind, CB_PII);
	assert_int_equal(F("narrative")->hi, 65536);
	assert_int_equal(F("year")->flags, CB_F_DIM | CB_F_DERIVED | CB_F_REQUIRED);
	assert_int_equal(F("year")->lo, 1990);
	assert_int_equal(F("birth_date")->flags, CB_F_ISODATE);
	assert_int_equal(F("means_of_control")->offset, offsetof(struct cb_case, means_of_control));
	assert_string_equal(F("gender")->htcds, "prs_Gender");
	assert_string_equal(F("destination_country")->ctdc, "CountryOfExploitation");
	assert_string_equal(cb_vsets[CB_VS_gender].name, "gender");
	assert_string_equal(cb_vsets[CB_VS_gender].values[CB_gender_Masculine].name, "Masculine");
	assert_int_equal(cb_vsets[CB_VS_age_group].count, 9);
	assert_string_equal(cb_vsets[CB_VS_occupation].values[CB_occupation_isco3].name, "3");
}

static void test_lookups(void **state)
{
	(void)state;
	assert_ptr_equal(cb_field_find("Gender"), &cb_fields[CB_FLD_gender]);
	assert_null(cb_field_find("gend"));
	assert_null(cb_field_find(" gender"));
	assert_null(cb_field_find(""));
	assert_ptr_equal(cb_field_by_htcds("prs_Gender"), &cb_fields[CB_FLD_gender]);
	assert_ptr_equal(cb_field_by_htcds("PRS_GENDER"), &cb_fields[CB_FLD_gender]);
	assert_null(cb_field_by_htcds("gender"));
	const struct cb_vset *g = &cb_vsets[CB_VS_gender];
	assert_int_equal(cb_value_find(g, "Feminine"), CB_gender_Feminine);
	assert_int_equal(cb_value_find(g, "feminine"), CB_gender_Feminine);
	assert_int_equal(cb_value_find(g, "Female"), CB_NA); /* the CTDC spelling is not a name */
	assert_int_equal(cb_value_find(g, "Feminine "), CB_NA);
	assert_int_equal(cb_value_find(g, ""), CB_NA);

	char buf[400];
	assert_string_equal(cb_field_allowed(F("majority"), buf, sizeof buf), "minor, adult, unknown");
	assert_non_null(strstr(cb_field_allowed(F("children"), buf, sizeof buf), "0 to 30"));
	/* a list that does not fit is cut and says so */
	char small[30];
	cb_field_allowed(F("gender"), small, sizeof small);
	assert_true(strlen(small) < sizeof small);
	assert_non_null(strstr(small, "..."));
}

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
		{"first_name", big, "longer than 200"},
		{"phone", "SECRET\xff\xfe", "UTF-8"},
		{"last_name", "SECRET\xc0\xaf", "UTF-8"},         /* overlong '/' */
		{"aliases", "SECRET\xed\xa0\x80", "UTF-8"},       /* a surrogate */
		{"email", "SECRET\xe2\x82", "UTF-8"},             /* cut short */
		{"birth_date", "SECRET", "date"},
		{"birth_date", "1990-02-30", "date"},
	};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++) {
		cb_err_clear(&err);
		assert_int_equal(cb_case_set_text(&c, F(bad[i].field), bad[i].text, &err), CB_EINVAL);
		assert_string_equal(err.field, bad[i].field);
		assert_non_null(strstr(err.msg, bad[i].why));
		assert_null(strstr(err.msg, "SECRET"));
		assert_null(strstr(err.msg, "1990"));
	}
	assert_false(cb_case_has_pii(&c));
	big[200] = 0; /* exactly the limit is fine */
	set_ok(&c, "first_name", big);
	assert_true(cb_case_has_pii(&c));
	cb_case_clear(&c);
}

static void test_copy_and_clear(void **state)
{
	(void)state;
	struct cb_case a, b;
	cb_case_init(&a);
	cb_case_init(&b);
	set_ok(&a, "site", "HQ");
	set_ok(&a, "last_name", "Doe");
	set_ok(&a, "narrative", "told us");
	set_ok(&b, "phone", "123"); /* replaced by the copy, not leaked */
	a.version = 7;
	assert_int_equal(cb_case_copy(&b, &a), CB_OK);
	assert_string_equal(b.last_name, "Doe");
	assert_ptr_not_equal(b.last_name, a.last_name);
	assert_null(b.phone);
	assert_string_equal(b.site, "HQ");
	assert_int_equal(b.version, 7);
	cb_case_clear(&a);
	assert_null(a.last_name);
	assert_int_equal(a.year, CB_NA);
	assert_string_equal(b.narrative, "told us");
	cb_case_clear(&b);
}

static void test_equal(void **state)
{
	(void)state;
	struct cb_case a, b;
	cb_case_init(&a);
	cb_case_init(&b);
	assert_true(cb_case_equal(&a, &b));
	set_ok(&a, "phone", "555");
	assert_false(cb_case_equal(&a, &b));
	set_ok(&b, "phone", "555");
	assert_true(cb_case_equal(&a, &b));
	set_ok(&b, "phone", "556");
	assert_false(cb_case_equal(&a, &b));
	set_ok(&b, "phone", "555");
	set_ok(&a, "labour_sector", "mining");
	assert_false(cb_case_equal(&a, &b));
	set_ok(&b, "labour_sector", "mining");
	b.version = 1;
	assert_false(cb_case_equal(&a, &b));
	b.version = 0;
	set_ok(&b, "case_id", "AEBAGBAFAYDQQCIKBMGA2DQPCA");
	assert_false(cb_case_equal(&a, &b));
	cb_case_clear(&a);
	cb_case_clear(&b);
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
	invalid(&c, "year", "required");
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

	c.registered_on = cb_date_today() + 1;
	c.year = cb_date_year(c.registered_on);
	invalid(&c, "registered_on", "future");
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

static void test_case_ids(void **state)
{
	(void)state;
	uint8_t id[16], back[16];
	char text[CB_ID_TEXT];
	memset(id, 0, sizeof id);
	assert_true(cb_case_id_is_zero(id));
	cb_case_id_format(id, text);
	assert_string_equal(text, "AAAAAAAAAAAAAAAAAAAAAAAAAA");
	memset(id, 0xff, sizeof id);
	cb_case_id_format(id, text);
	assert_string_equal(text, "77777777777777777777777774"); /* 3 bits 111 and 2 zero bits of padding */
	assert_int_equal(cb_case_id_parse(text, back), CB_OK);
	assert_memory_equal(id, back, 16);
	/* RFC 4648 test vector: "foobar" -> MZXW6YTBOI */
	memset(id, 0, sizeof id);
	memcpy(id, "foobar", 6);
	cb_case_id_format(id, text);
	assert_memory_equal(text, "MZXW6YTBOI", 10);
	for (int k = 0; k < 200; k++) {
		for (int i = 0; i < 16; i++)
			id[i] = (uint8_t)(k * 37 + i * 101 + (k >> 2) * i);
		cb_case_id_format(id, text);
		assert_int_equal(strlen(text), 26);
		assert_int_equal(cb_case_id_parse(text, back), CB_OK);
		assert_memory_equal(id, back, 16);
		for (char *p = text; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		assert_int_equal(cb_case_id_parse(text, back), CB_OK);
		assert_memory_equal(id, back, 16);
	}
	memset(back, 0x5a, sizeof back);
	const char *bad[] = {"", "AAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAB",
			     "AAAAAAAAAAAAAAAAAAAAAAAAA8", "AAAAAAAAAAAA AAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAA0A"};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_int_equal(cb_case_id_parse(bad[i], back), CB_EINVAL);
	assert_int_equal(back[0], 0x5a); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),        cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_every_value_round_trips), cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_bad_values),    cmocka_unit_test(test_pii_never_in_errors),
		cmocka_unit_test(test_copy_and_clear), cmocka_unit_test(test_equal),
		cmocka_unit_test(test_format_small_buffer), cmocka_unit_test(test_age_helpers),
		cmocka_unit_test(test_derive),        cmocka_unit_test(test_validate),
		cmocka_unit_test(test_case_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
