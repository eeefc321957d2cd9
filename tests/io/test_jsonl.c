/*
 * test_jsonl.c -- JSON lines: one case object per line both ways, errors naming the key, identifying details
 * only with CB_JSON_PII, and the redaction used for rejected-rows files.
 */
#include "io_test.h"

static void fill(struct cb_case *c, const char *site, int year)
{
	cb_case_init(c);
	assert_int_equal(cb_case_set_text(c, cb_field_find("site"), site, NULL), CB_OK);
	c->year = year;
	c->gender = CB_gender_Masculine;
	c->exploitation_type = UINT64_C(1) << CB_exploitation_type_ForcedMarriage;
	assert_int_equal(cb_case_set_text(c, cb_field_find("citizenship"), "NP", NULL), CB_OK);
	assert_int_equal(cb_case_set_text(c, cb_field_find("phone"), "+977 555 0101", NULL), CB_OK);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct cb_case c[2], back[2];
	struct cb_err err;
	int rc;
	fill(&c[0], "KTM-1", 2018);
	fill(&c[1], "KTM-2", 2022);
	c[1].consent_statistics = 1;
	char *all = iot_write(&cb_format_jsonl, c, 2, CB_JSON_PII);
	assert_non_null(strstr(all, "+977 555 0101"));
	assert_int_equal(iot_read(&cb_format_jsonl, all, back, 2, &rc, &err, NULL), 2);
	assert_int_equal(rc, CB_OK);
	iot_assert_same_case(&c[0], &back[0]);
	iot_assert_same_case(&c[1], &back[1]);
	assert_string_equal(back[0].phone, "+977 555 0101");
	char *again = iot_write(&cb_format_jsonl, back, 2, CB_JSON_PII);
	assert_string_equal(all, again);
	/* one object per line */
	int lines = 0;
	for (char *p = all; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 2);

	char *coded = iot_write(&cb_format_jsonl, c, 2, 0);
	assert_null(strstr(coded, "555"));
	assert_non_null(strstr(coded, "\"gender\":\"Masculine\""));
	for (int i = 0; i < 2; i++) {
		cb_case_clear(&c[i]);
		cb_case_clear(&back[i]);
	}
	free(all);
	free(again);
	free(coded);
}

static void test_errors_name_the_key(void **state)
{
	(void)state;
	struct cb_case c[2];
	struct cb_err err;
	int rc;
	int n = iot_read(&cb_format_jsonl, "{\"site\":\"A1\",\"year\":2020}\n{\"site\":\"A1\",\"gender\":\"Blue\"}\n", c,
			 2, &rc, &err, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(rc, CB_EINVAL);
	assert_string_equal(err.field, "gender");
	assert_non_null(strstr(err.msg, "Blue"));
	assert_int_equal(c[0].year, 2020);
	cb_case_clear(&c[0]);
	cb_case_clear(&c[1]);

	iot_read(&cb_format_jsonl, "{\"site\":\"A1\",\n", c, 1, &rc, &err, NULL);
	assert_int_equal(rc, CB_EINVAL);
	cb_case_clear(&c[0]);
}

static void test_redact(void **state)
{
	(void)state;
	struct cb_buf b = {0};
	const char *line = "{\"site\":\"A1\",\"first_name\":\"Secretname\",\"narrative\":\"x\",\"gender\":\"Blue\"}";
	assert_int_equal(cb_jsonl_redact(line, strlen(line), &b), CB_OK);
	assert_null(strstr(b.data, "Secretname"));
	assert_null(strstr(b.data, "narrative"));
	assert_non_null(strstr(b.data, "\"gender\":\"Blue\""));
	assert_int_equal(cb_jsonl_redact("not json Secretname", 19, &b), CB_OK);
	assert_int_equal(b.len, 0);
	cb_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_errors_name_the_key),
		cmocka_unit_test(test_redact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
