/*
 * test_codebook.c -- tests of src/codebook/codebook.c: the generated tables, lookups, copying, clearing and
 * comparing cases, and case ids.
 */
#include <ctype.h>

#include "codebook/case_helpers.h"

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

static void test_copy_and_clear(void **state)
{
	(void)state;
	struct cb_case a, b;
	cb_case_init(&a);
	cb_case_init(&b);
	set_ok(&a, "site", "HQ");
	set_ok(&a, "last_name", "Doe");
	set_ok(&a, "narrative", "told us");
	set_ok(&b, "phone", "+373 123 45"); /* replaced by the copy, not leaked */
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
	set_ok(&a, "phone", "555 0101");
	assert_false(cb_case_equal(&a, &b));
	set_ok(&b, "phone", "555 0101");
	assert_true(cb_case_equal(&a, &b));
	set_ok(&b, "phone", "556 0101");
	assert_false(cb_case_equal(&a, &b));
	set_ok(&b, "phone", "555 0101");
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
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_copy_and_clear),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_case_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
