/*
 * test_ctdc.c -- the CTDC format: the 2021 layout (fixture tests/io/data/ctdc-2021-sample.csv), an older
 * comma/-99 release, the 2024-25 synthetic layout, every value with a CTDC spelling both ways, errors, and
 * export -> import -> export giving the same file.
 */
#include "io_test.h"

#define DATA "tests/io/data/"

static uint64_t bit(int v) { return UINT64_C(1) << v; }

static void test_2021_sample(void **state)
{
	(void)state;
	struct cb_case c[4];
	struct cb_err err;
	enum cb_format_id fmt;
	int rc;
	int n = iot_read_file(&cb_format_ctdc, DATA "ctdc-2021-sample.csv", c, 4, &rc, &err, &fmt);
	assert_int_equal(fmt, CB_FMT_CTDC);
	assert_int_equal(n, 4);
	/* row 4 (line 5) has gender Robot */
	assert_int_equal(rc, CB_EINVAL);
	assert_string_equal(err.field, "gender");
	assert_non_null(strstr(err.msg, "Robot"));
	assert_non_null(strstr(err.msg, "Female, Male, Transgender/NonConforming, Unknown"));

	assert_int_equal(c[0].year, 2019);
	assert_int_equal(c[0].data_source, CB_data_source_case_management);
	assert_int_equal(c[0].gender, CB_gender_Feminine);
	assert_int_equal(c[0].age_group, CB_age_group_a9_17); /* 09--17 */
	assert_int_equal(c[0].majority, CB_majority_minor);
	assert_string_equal(cb_countries[c[0].citizenship].alpha2, "PH");
	assert_string_equal(cb_countries[c[0].destination_country].alpha2, "TH");
	assert_true(c[0].means_of_control ==
		    (bit(CB_means_of_control_DebtBondage) | bit(CB_means_of_control_PhysicalThreats)));
	assert_true(c[0].exploitation_type ==
		    (bit(CB_exploitation_type_ForcedLabour) | bit(CB_exploitation_type_SexualExploitation)));
	assert_true(c[0].labour_sector == bit(CB_labour_sector_construction));
	assert_true(c[0].sexual_exploitation_type == bit(CB_sexual_exploitation_type_Prostitution));
	assert_true(c[0].recruitment_method == 0); /* isAbduction 0: no method recorded */
	/* friend and family flagged: the first in value-set order */
	assert_int_equal(c[0].recruiter_relation, CB_recruiter_relation_friend);

	/* -99 everywhere, 00 / ZZ countries, the shared transgender label, relation from the label column */
	assert_int_equal(c[1].year, 2016);
	assert_int_equal(c[1].data_source, CB_data_source_hotline);
	assert_int_equal(c[1].gender, CB_gender_NonConforming);
	assert_int_equal(c[1].age_group, CB_age_group_a48p);
	assert_int_equal(c[1].citizenship, CB_NA);
	assert_int_equal(c[1].destination_country, CB_NA);
	assert_int_equal(c[1].majority, CB_NA);
	assert_true(c[1].means_of_control == 0);
	assert_int_equal(c[1].recruiter_relation, CB_recruiter_relation_intimate_partner);

	/* all flags 0: missing; text in the notice column is ignored */
	assert_int_equal(c[2].gender, CB_gender_Masculine);
	assert_int_equal(c[2].majority, CB_majority_adult);
	assert_true(c[2].means_of_control == 0);
	assert_true(c[2].exploitation_type == 0);
	assert_string_equal(c[2].site, ""); /* CTDC carries no site: the importer sets one */
}

static void test_older_comma_release(void **state)
{
	(void)state;
	struct cb_case c[2];
	struct cb_err err;
	int rc;
	int n = iot_read_file(&cb_format_ctdc, DATA "ctdc-2017-comma-sample.csv", c, 2, &rc, &err, NULL);
	assert_int_equal(rc, CB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].year, 2015);
	assert_string_equal(cb_countries[c[0].destination_country].alpha2, "RU"); /* CountryofExploitation */
	assert_string_equal(cb_countries[c[0].citizenship].alpha2, "UA");
	assert_true(c[0].exploitation_type == bit(CB_exploitation_type_SexualExploitation));
	assert_int_equal(c[1].year, 2012);
	assert_int_equal(c[1].gender, CB_NA);
	assert_true(c[1].exploitation_type == 0);
}

static void test_synthetic_sample(void **state)
{
	(void)state;
	struct cb_case c[3];
	struct cb_err err;
	enum cb_format_id fmt;
	int rc;
	int n = iot_read_file(&cb_format_ctdc, DATA "ctdc-synthetic-sample.csv", c, 3, &rc, &err, &fmt);
	assert_int_equal(rc, CB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(fmt, CB_FMT_CTDC_SYNTH);
	assert_int_equal(c[0].year, 2023);
	assert_int_equal(c[0].gender, CB_gender_Feminine);
	assert_int_equal(c[0].age_group, CB_age_group_a9_17);
	assert_string_equal(cb_countries[c[0].citizenship].alpha2, "PH");
	assert_string_equal(cb_countries[c[0].destination_country].alpha2, "US");
	assert_int_equal(c[0].exploitation_months, 13);
	/* merged columns: the first member */
	assert_true(c[0].means_of_control ==
		    (bit(CB_means_of_control_DebtBondage) | bit(CB_means_of_control_PsychologicalAbuse)));
	assert_true(c[0].exploitation_type == bit(CB_exploitation_type_SexualExploitation));
	assert_int_equal(c[0].recruiter_relation, CB_recruiter_relation_intimate_partner);

	assert_int_equal(c[1].gender, CB_gender_Masculine);
	assert_int_equal(c[1].age_group, CB_NA); /* NULL */
	assert_int_equal(c[1].citizenship, CB_NA);
	assert_int_equal(c[1].exploitation_months, 0);
	assert_true(c[1].means_of_control == bit(CB_means_of_control_Psychoactive));
	assert_true(c[1].labour_sector == bit(CB_labour_sector_agriculture));
	assert_int_equal(c[1].recruiter_relation, CB_recruiter_relation_other);

	assert_int_equal(c[2].gender, CB_gender_NonConforming);
	assert_int_equal(c[2].exploitation_months, 25);
	assert_true(c[2].means_of_control == bit(CB_means_of_control_WithholdsDocuments));
	assert_true(c[2].exploitation_type == bit(CB_exploitation_type_Other));
	assert_int_equal(c[2].recruiter_relation, CB_NA);
}

/* The written header is the reference layout: same columns, same order as the 2021 fixture. */
static void test_export_header_is_the_2021_layout(void **state)
{
	(void)state;
	char *fixture = cbt_read(DATA "ctdc-2021-sample.csv", NULL);
	char *ours = iot_write(&cb_format_ctdc, NULL, 0, 0);
	assert_non_null(fixture);
	const char *a = strstr(fixture, ";yearOfRegistration;"), *b = strstr(ours, ";yearOfRegistration;");
	assert_non_null(a);
	assert_non_null(b);
	size_t la = strcspn(a, "\r\n"), lb = strcspn(b, "\r\n");
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	int semis = 0;
	for (const char *p = b; p < b + lb; p++)
		semis += *p == ';';
	assert_int_equal(semis, 63);
	free(fixture);
	free(ours);
}

/* Every value that has a CTDC spelling, written and read back. */
static void test_every_value_both_ways(void **state)
{
	(void)state;
	int checked = 0;
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (!f->ctdc[0] || (f->kind != CB_ENUM && f->kind != CB_MULTI))
			continue;
		for (int v = 0; v < f->vset->count; v++) {
			const char *tok = f->vset->values[v].ctdc;
			struct cb_case in, out[1];
			struct cb_err err;
			int rc;
			if (!tok[0])
				continue;
			cb_case_init(&in);
			in.year = 2020;
			if (f->kind == CB_MULTI)
				*(uint64_t *)cb_case_member(&in, f) = bit(v);
			else
				*(int32_t *)cb_case_member(&in, f) = v;
			char *text = iot_write(&cb_format_ctdc, &in, 1, 0);
			assert_non_null(strstr(text, tok));
			assert_int_equal(iot_read(&cb_format_ctdc, text, out, 1, &rc, &err, NULL), 1);
			if (rc != CB_OK)
				fail_msg("%s=%s: %s", f->name, f->vset->values[v].name, err.msg);
			/* values sharing a label come back as the one named in it */
			if (f->kind == CB_ENUM && strcmp(tok, "Transgender/NonConforming") == 0)
				*(int32_t *)cb_case_member(&in, f) = CB_gender_NonConforming;
			iot_assert_same_case(&in, &out[0]);
			free(text);
			checked++;
		}
	}
	assert_true(checked > 60);
}

static void test_export_import_export(void **state)
{
	(void)state;
	struct cb_case c[4], back[4];
	struct cb_err err;
	int rc;
	iot_read_file(&cb_format_ctdc, DATA "ctdc-2021-sample.csv", c, 4, &rc, &err, NULL);
	for (int i = 0; i < 3; i++)
		cb_case_derive(&c[i]);
	char *first = iot_write(&cb_format_ctdc, c, 3, 0);
	assert_int_equal(iot_read(&cb_format_ctdc, first, back, 3, &rc, &err, NULL), 3);
	assert_int_equal(rc, CB_OK);
	for (int i = 0; i < 3; i++)
		iot_assert_same_case(&c[i], &back[i]);
	char *second = iot_write(&cb_format_ctdc, back, 3, 0);
	assert_string_equal(first, second);
	/* derived and label columns of row 1 */
	assert_non_null(strstr(first, ";Friend/Acquaintance;TH;0;1;0;0;0\n"));
	assert_non_null(strstr(first, ";2019;Case Management;Female;9--17;Minor;;;PH;1;0;0;1;"));
	assert_non_null(strstr(first, ";\"Threats; Debt bondage\";"));
	assert_non_null(strstr(first, ";1;1;0;1;0;0;0;0;\"Forced labour; Sexual exploitation\";"));
	free(first);
	free(second);
}

static void test_errors(void **state)
{
	(void)state;
	struct cb_case c[1];
	struct cb_err err;
	int rc;
	iot_read(&cb_format_ctdc, "x;yearOfRegistration;isForcedLabour\n;2020;2\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	assert_non_null(strstr(err.msg, "isForcedLabour"));
	assert_non_null(strstr(err.msg, "'2'"));

	iot_read(&cb_format_ctdc, "x;yearOfRegistration;citizenship\n;2020;QQQ\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	assert_string_equal(err.field, "citizenship");
	assert_non_null(strstr(err.msg, "QQQ"));

	iot_read(&cb_format_ctdc, "x;yearOfRegistration;shoeSize;hatSize\n;2020;1;2\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	assert_int_equal(err.line, 1);
	assert_non_null(strstr(err.msg, "shoeSize"));
	assert_non_null(strstr(err.msg, "hatSize"));

	iot_read(&cb_format_ctdc, "x;yearOfRegistration\n;1700\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	assert_string_equal(err.field, "yearOfRegistration");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2021_sample),
		cmocka_unit_test(test_older_comma_release),
		cmocka_unit_test(test_synthetic_sample),
		cmocka_unit_test(test_export_header_is_the_2021_layout),
		cmocka_unit_test(test_every_value_both_ways),
		cmocka_unit_test(test_export_import_export),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
