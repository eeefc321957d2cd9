/*
 * test_htcds.c -- the HTCDS CSV format: header mapping from the codebook, every value both ways, identifying
 * columns only with CB_JSON_PII, unknown columns and bad values reported with field, value and allowed values.
 */
#include "io_test.h"

static void test_header_from_codebook(void **state)
{
	(void)state;
	char *coded = iot_write(&cb_format_htcds, NULL, 0, 0);
	char *all = iot_write(&cb_format_htcds, NULL, 0, CB_JSON_PII);
	int ncoded = 0, npii = 0;
	for (int i = 0; i < CB_NFIELDS; i++) {
		char needle[80];
		snprintf(needle, sizeof needle, "%s,", cb_fields[i].htcds);
		if (cb_fields[i].kind == CB_PII) {
			npii++;
			assert_null(strstr(coded, cb_fields[i].htcds));
		} else {
			ncoded++;
			assert_non_null(strstr(coded, cb_fields[i].htcds));
		}
		assert_non_null(strstr(all, cb_fields[i].htcds));
	}
	assert_non_null(strstr(coded, "prs_Gender"));
	assert_non_null(strstr(coded, "vic_TypeOfExploitation"));
	assert_non_null(strstr(all, "prs_FirstName"));
	int commas = 0;
	for (char *p = coded; *p; p++)
		commas += *p == ',';
	assert_int_equal(commas, ncoded - 1);
	assert_true(npii > 0);
	free(coded);
	free(all);
}

static void test_reads_values(void **state)
{
	(void)state;
	struct cb_case c[2];
	struct cb_err err;
	int rc;
	const char *t = "x_site,x_year,prs_Gender,prs_Citizenship,vic_TypeOfExploitation,vic_MethodsOfControl,"
			"x_consent_statistics,prs_FirstName\n"
			"OFFICE-1,2021,Feminine,PHL, ForcedLabour ;SexualExploitation,DebtBondage,yes,Maria\n"
			"B2,2019,,,,,,\n";
	assert_int_equal(iot_read(&cb_format_htcds, t, c, 2, &rc, &err, NULL), 2);
	assert_int_equal(rc, CB_OK);
	assert_string_equal(c[0].site, "OFFICE-1");
	assert_int_equal(c[0].year, 2021);
	assert_int_equal(c[0].gender, CB_gender_Feminine);
	assert_string_equal(cb_countries[c[0].citizenship].alpha2, "PH");
	assert_true(c[0].exploitation_type == ((UINT64_C(1) << CB_exploitation_type_ForcedLabour) |
					       (UINT64_C(1) << CB_exploitation_type_SexualExploitation)));
	assert_true(c[0].means_of_control == UINT64_C(1) << CB_means_of_control_DebtBondage);
	assert_int_equal(c[0].consent_statistics, 1);
	assert_string_equal(c[0].first_name, "Maria");
	assert_int_equal(c[1].gender, CB_NA);
	assert_true(c[1].exploitation_type == 0);
	assert_null(c[1].first_name);
	cb_case_clear(&c[0]);
	cb_case_clear(&c[1]);
}

static void test_unknown_and_duplicate_columns(void **state)
{
	(void)state;
	struct cb_case c[1];
	struct cb_err err;
	int rc;
	iot_read(&cb_format_htcds, "x_site,prs_Colour,x_year,org_Name\nA1,red,2020,x\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "prs_Colour"));
	assert_non_null(strstr(err.msg, "org_Name"));

	iot_read(&cb_format_htcds, "x_site,x_year,x_site\nA1,2020,A2\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	assert_non_null(strstr(err.msg, "twice"));

	/* missing columns are fine */
	int n = iot_read(&cb_format_htcds, "prs_Gender\nMasculine\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].gender, CB_gender_Masculine);
}

static void test_bad_value_names_field_value_and_allowed(void **state)
{
	(void)state;
	struct cb_case c[2];
	struct cb_err err;
	int rc;
	int n = iot_read(&cb_format_htcds, "x_site,prs_Gender\nA1,Feminine\nA1,Purple\n", c, 2, &rc, &err, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(rc, CB_EINVAL);
	assert_string_equal(err.field, "gender");
	assert_non_null(strstr(err.msg, "Purple"));
	assert_non_null(strstr(err.msg, "NonSpecifiedUnknown"));

	n = iot_read(&cb_format_htcds, "x_site,prs_Gender\nA1,Feminine,extra\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	assert_non_null(strstr(err.msg, "header has 2"));
}

/* Every value of every coded field, written and read back. */
static void test_every_value_both_ways(void **state)
{
	(void)state;
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind != CB_ENUM && f->kind != CB_MULTI && f->kind != CB_BOOL)
			continue;
		for (int v = 0; v < f->vset->count; v++) {
			struct cb_case in, out[1];
			struct cb_err err;
			int rc;
			cb_case_init(&in);
			if (f->kind == CB_MULTI)
				*(uint64_t *)cb_case_member(&in, f) = UINT64_C(1) << v;
			else
				*(int32_t *)cb_case_member(&in, f) = v;
			char *text = iot_write(&cb_format_htcds, &in, 1, 0);
			assert_non_null(strstr(text, f->vset->values[v].name));
			assert_int_equal(iot_read(&cb_format_htcds, text, out, 1, &rc, &err, NULL), 1);
			if (rc != CB_OK)
				fail_msg("%s=%s: %s", f->name, f->vset->values[v].name, err.msg);
			iot_assert_same_case(&in, &out[0]);
			free(text);
		}
	}
}

static void test_round_trip_and_pii_only_when_asked(void **state)
{
	(void)state;
	struct cb_case c, back[1];
	struct cb_err err;
	int rc;
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("site"), "NORTH-2", NULL), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("registered_on"), "2020-03-04", NULL), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("labour_sector"), "construction;domestic_work", NULL), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("destination_country"), "TH", NULL), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("children"), "2", NULL), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("last_name"), "Zyxwv, \"Q\"", NULL), CB_OK);
	assert_int_equal(cb_case_set_text(&c, cb_field_find("narrative"), "line one\nline two", NULL), CB_OK);
	cb_case_derive(&c);

	char *coded = iot_write(&cb_format_htcds, &c, 1, 0);
	assert_null(strstr(coded, "Zyxwv"));
	assert_null(strstr(coded, "line one"));
	char *all = iot_write(&cb_format_htcds, &c, 1, CB_JSON_PII);
	assert_non_null(strstr(all, "Zyxwv"));
	assert_int_equal(iot_read(&cb_format_htcds, all, back, 1, &rc, &err, NULL), 1);
	assert_int_equal(rc, CB_OK);
	iot_assert_same_case(&c, &back[0]);
	assert_string_equal(back[0].narrative, "line one\nline two");
	char *again = iot_write(&cb_format_htcds, &back[0], 1, CB_JSON_PII);
	assert_string_equal(all, again);
	cb_case_clear(&c);
	cb_case_clear(&back[0]);
	free(coded);
	free(all);
	free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_from_codebook),
		cmocka_unit_test(test_reads_values),
		cmocka_unit_test(test_unknown_and_duplicate_columns),
		cmocka_unit_test(test_bad_value_names_field_value_and_allowed),
		cmocka_unit_test(test_every_value_both_ways),
		cmocka_unit_test(test_round_trip_and_pii_only_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
