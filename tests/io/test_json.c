/*
 * test_json.c -- tests of src/io/json.c: case JSON out and in, identifying details only on request, patch
 * semantics, and the errors for unknown keys, wrong types and hostile documents.
 */
#include "cb_test.h"

#include "io/io.h"

/* Every field set to a value (identifying details too). */
static void full_case(struct cb_case *c)
{
	static const char *const v[][2] = {
		{"case_id", "AEBAGBAFAYDQQCIKBMGA2DQPCA"},
		{"site", "KYIV-01"},
		{"registered_on", "2021-03-04"},
		{"year", "2021"},
		{"status", "FollowUp"},
		{"trafficking_status", "ActualVictimOfTrafficking"},
		{"status_decided_by", "CourtOrProsecution"},
		{"data_source", "hotline"},
		{"identified_by", "labour_inspection"},
		{"gender", "Feminine"},
		{"birth_year", "2004"},
		{"age_at_registration", "17"},
		{"age_group", "9--17"},
		{"majority", "minor"},
		{"citizenship", "MD"},
		{"education", "LowerSecondaryEducation"},
		{"marital_status", "Single"},
		{"children", "1"},
		{"occupation_home", "5"},
		{"employed_at_recruitment", "no"},
		{"work_experience", "some"},
		{"recruitment_method", "ThroughOnlineSocialNetworks;abduction"},
		{"recruiter_sex", "both"},
		{"recruiter_relation", "friend"},
		{"intended_country", "DE"},
		{"promised_job", "hospitality"},
		{"exploitation_type", "SexualExploitation;ForcedLabour"},
		{"labour_sector", "construction;domestic_work"},
		{"sexual_exploitation_type", "Prostitution"},
		{"means_of_control", "DebtBondage;WithholdsDocuments;Other"},
		{"destination_country", "TR"},
		{"exploitation_months", "14"},
		{"case_stage", "assistance"},
		{"assistance_type", "medical;legal"},
		{"referral_partner_type", "NGO"},
		{"consent_assistance", "yes"},
		{"consent_statistics", "no"},
		{"consent_share_partners", "yes"},
		{"first_name", "Ana-Maria"},
		{"last_name", "Ţurcan"},
		{"aliases", "Ani; \"A.\""},
		{"birth_date", "2004-05-06"},
		{"phone", "+373 600 00000"},
		{"email", "a@example.org"},
		{"address", "str. Exemplu 1\nChişinău"},
		{"id_document_number", "B00000000"},
		{"narrative", "Met a \"friend\" online.\tTab, newline\n, backslash \\ and \xe2\x82\xac."},
	};
	cb_case_init(c);
	assert_int_equal(CB_COUNTOF(v), CB_NFIELDS);
	for (size_t i = 0; i < CB_COUNTOF(v); i++) {
		struct cb_err err = {0};
		const struct cb_field *f = cb_field_find(v[i][0]);
		assert_non_null(f);
		if (cb_case_set_text(c, f, v[i][1], &err) != CB_OK)
			fail_msg("%s: %s", v[i][0], err.msg);
	}
	c->version = 3;
}

static char *dump(const struct cb_case *c, unsigned flags)
{
	json_t *j = cb_case_to_json(c, flags);
	assert_non_null(j);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	assert_non_null(s);
	return s;
}

static int parse(struct cb_case *c, const char *text, unsigned flags, struct cb_err *err)
{
	cb_err_clear(err);
	return cb_case_from_json_text(c, text, strlen(text), flags, err);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct cb_case a, b;
	struct cb_err err;
	full_case(&a);
	char *s = dump(&a, CB_JSON_PII);
	cb_case_init(&b);
	assert_int_equal(parse(&b, s, 0, &err), CB_OK);
	assert_true(cb_case_equal(&a, &b));
	/* and the text is stable */
	char *s2 = dump(&b, CB_JSON_PII);
	assert_string_equal(s, s2);
	free(s2);
	free(s);
	cb_case_clear(&a);
	cb_case_clear(&b);
}

static void test_json_types(void **state)
{
	(void)state;
	struct cb_case c;
	full_case(&c);
	json_t *j = cb_case_to_json(&c, CB_JSON_PII);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "case_id")), "AEBAGBAFAYDQQCIKBMGA2DQPCA");
	assert_string_equal(json_string_value(json_object_get(j, "registered_on")), "2021-03-04");
	assert_string_equal(json_string_value(json_object_get(j, "citizenship")), "MD");
	assert_string_equal(json_string_value(json_object_get(j, "gender")), "Feminine");
	assert_true(json_is_integer(json_object_get(j, "year")));
	assert_int_equal(json_integer_value(json_object_get(j, "children")), 1);
	assert_true(json_is_true(json_object_get(j, "consent_assistance")));
	assert_true(json_is_false(json_object_get(j, "consent_statistics")));
	json_t *m = json_object_get(j, "means_of_control");
	assert_true(json_is_array(m));
	assert_int_equal(json_array_size(m), 3);
	assert_string_equal(json_string_value(json_array_get(m, 0)), "DebtBondage"); /* value-set order */
	assert_string_equal(json_string_value(json_array_get(m, 2)), "Other");
	assert_string_equal(json_string_value(json_object_get(j, "last_name")), "Ţurcan");
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 3);
	json_decref(j);

	/* missing fields are omitted */
	cb_case_clear(&c);
	j = cb_case_to_json(&c, CB_JSON_PII);
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);
}

static void test_pii_only_on_request(void **state)
{
	(void)state;
	struct cb_case a, b;
	struct cb_err err;
	full_case(&a);
	char *s = dump(&a, 0);
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		char key[80];
		snprintf(key, sizeof key, "\"%s\"", f->name);
		assert_true((strstr(s, key) != NULL) == (f->kind != CB_PII));
	}
	assert_null(strstr(s, "Ana-Maria"));
	assert_null(strstr(s, "B00000000"));
	cb_case_init(&b);
	assert_int_equal(parse(&b, s, 0, &err), CB_OK);
	assert_false(cb_case_has_pii(&b));
	assert_int_equal(b.gender, CB_gender_Feminine);
	free(s);
	cb_case_clear(&a);
	cb_case_clear(&b);
}

static void test_patch(void **state)
{
	(void)state;
	struct cb_case c;
	struct cb_err err;
	full_case(&c);
	assert_int_equal(parse(&c, "{\"gender\": \"Masculine\", \"phone\": null, \"children\": null, \"version\": 4}",
			       CB_JSON_PATCH, &err),
			 CB_OK);
	assert_int_equal(c.gender, CB_gender_Masculine);
	assert_null(c.phone);
	assert_int_equal(c.children, CB_NA);
	assert_int_equal(c.version, 4);
	assert_string_equal(c.first_name, "Ana-Maria"); /* untouched */
	assert_int_equal(c.year, 2021);
	assert_int_equal(parse(&c, "{\"means_of_control\": [], \"first_name\": \"Ana\"}", CB_JSON_PATCH, &err), CB_OK);
	assert_true(c.means_of_control == 0);
	assert_string_equal(c.first_name, "Ana");

	/* a failed patch changes nothing */
	struct cb_case before;
	cb_case_init(&before);
	assert_int_equal(cb_case_copy(&before, &c), CB_OK);
	assert_int_equal(parse(&c, "{\"gender\": \"Feminine\", \"children\": 99}", CB_JSON_PATCH, &err), CB_EINVAL);
	assert_true(cb_case_equal(&c, &before));
	/* the fields the store keeps may be repeated by a patch, not changed (full_case: stage assistance) */
	assert_int_equal(parse(&c, "{\"case_stage\": \"assistance\", \"referral_partner_type\": [\"NGO\"]}",
			       CB_JSON_PATCH, &err), CB_OK);
	assert_int_equal(parse(&c, "{\"case_stage\": \"closed\"}", CB_JSON_PATCH, &err), CB_EINVAL);
	assert_string_equal(err.field, "case_stage");
	assert_non_null(strstr(err.msg, "casebank stage"));
	assert_int_equal(parse(&c, "{\"assistance_type\": []}", CB_JSON_PATCH, &err), CB_EINVAL);
	assert_string_equal(err.field, "assistance_type");
	assert_true(cb_case_equal(&c, &before));

	/* without PATCH the document is the whole case */
	assert_int_equal(parse(&c, "{\"site\": \"HQ\", \"year\": 2020}", 0, &err), CB_OK);
	assert_string_equal(c.site, "HQ");
	assert_int_equal(c.year, 2020);
	assert_int_equal(c.gender, CB_NA);
	assert_false(cb_case_has_pii(&c));
	assert_int_equal(c.version, 0);
	cb_case_clear(&before);
	cb_case_clear(&c);
}

/* Expects parse to fail with CB_EINVAL and a message containing every needle. */
static void rejects(const char *text, unsigned flags, const char *field, const char *n1, const char *n2)
{
	struct cb_case c;
	struct cb_err err;
	cb_case_init(&c);
	assert_int_equal(parse(&c, text, flags, &err), CB_EINVAL);
	if (field)
		assert_string_equal(err.field, field);
	if ((n1 && !strstr(err.msg, n1)) || (n2 && !strstr(err.msg, n2)))
		fail_msg("%s: error '%s' lacks '%s' / '%s'", text, err.msg, n1, n2 ? n2 : "");
	/* nothing a caller might hold on to */
	assert_null(strstr(err.msg, "SECRET"));
	assert_int_equal(c.gender, CB_NA);
	cb_case_clear(&c);
}

static void test_errors(void **state)
{
	(void)state;
	rejects("{\"record_key\": \"x\"}", 0, "record_key", "unknown key 'record_key'", NULL);
	rejects("{\"Gender\": \"Feminine\"}", 0, "Gender", "unknown key 'Gender'", "gender");
	rejects("{\"gender\": \"Feminine\", \"nope\": 1}", CB_JSON_PATCH, "nope", "nope", NULL);
	rejects("{\"gender\": \"Femal\"}", 0, "gender", "'Femal' is not one of Feminine, Masculine", NULL);
	rejects("{\"gender\": 1}", 0, "gender", "expected a string, one of Feminine", "is a whole number");
	rejects("{\"year\": \"2020\"}", 0, "year", "1990 to 2100", "is a string");
	rejects("{\"year\": 2020.5}", 0, "year", "whole number", NULL);
	rejects("{\"year\": 99999999999999999999}", 0, NULL, "not valid JSON", NULL);
	rejects("{\"year\": 1800}", 0, "year", "1990 to 2100", NULL);
	rejects("{\"year\": 4294969276}", 0, "year", "1990 to 2100", NULL); /* 2^32 + 2020 must not wrap */
	rejects("{\"consent_statistics\": \"yes\"}", 0, "consent_statistics", "true or false", NULL);
	rejects("{\"means_of_control\": \"DebtBondage\"}", 0, "means_of_control", "an array of strings", NULL);
	rejects("{\"means_of_control\": [\"DebtBondage\", 3]}", 0, "means_of_control", "an array of strings", NULL);
	rejects("{\"means_of_control\": [\"Debt\"]}", 0, "means_of_control", "'Debt' is not one of", "DebtBondage");
	rejects("{\"citizenship\": \"Moldova\"}", 0, "citizenship", "'Moldova'", "alpha-2");
	rejects("{\"case_id\": \"123\"}", 0, "case_id", "base32", NULL);
	rejects("{\"version\": -1}", 0, "version", "whole number", NULL);
	rejects("{\"version\": \"1\"}", 0, "version", "whole number", NULL);
	rejects("{\"first_name\": 7}", 0, "first_name", "expected a string", NULL);
	rejects("{\"gender\": \"Feminine\", \"gender\": \"Masculine\"}", 0, NULL, "a key given twice", NULL);
	rejects("{\"site\": \"HQ\\u0000X\"}", 0, NULL, "not valid JSON", NULL);
	/* identifying details are never repeated */
	rejects("{\"birth_date\": \"SECRET\"}", 0, "birth_date", "date", NULL);
	rejects("{\"narrative\": \"SECRET \\q\"}", 0, NULL, "not valid JSON", "line 1");
	rejects("{\"narrative\": \"SECRET\" \"SECRET\"}", 0, NULL, "not valid JSON", NULL);
	rejects("{\"phone\": \"SECRET\xff\"}", 0, NULL, "UTF-8", NULL);
}

static void test_hostile_documents(void **state)
{
	(void)state;
	rejects("[]", 0, NULL, "must be a JSON object", "an array");
	rejects("\"SECRET\"", 0, NULL, "must be a JSON object", "a string");
	rejects("42", CB_JSON_PATCH, NULL, "must be a JSON object", NULL);
	rejects("null", 0, NULL, "must be a JSON object", NULL);
	rejects("", 0, NULL, "not valid JSON", NULL);
	rejects("{", 0, NULL, "not valid JSON", NULL);
	rejects("{} {}", 0, NULL, "not valid JSON", NULL);
	rejects("{\"gender\": {\"x\": 1}}", 0, "gender", "expected a string", "is an object");
	rejects("{\"means_of_control\": [[\"DebtBondage\"]]}", 0, NULL, "nested too deeply", NULL);
	rejects("{\"a\": {\"b\": {}}}", 0, NULL, "nested too deeply", NULL);
	/* a bracket bomb is refused before it is parsed */
	size_t n = 200000;
	char *bomb = malloc(n + 1);
	assert_non_null(bomb);
	memset(bomb, '[', n);
	bomb[n] = 0;
	rejects(bomb, 0, NULL, "nested too deeply", NULL);
	/* brackets inside strings do not count */
	struct cb_case c;
	struct cb_err err;
	cb_case_init(&c);
	assert_int_equal(parse(&c, "{\"narrative\": \"[[[{{{\\\"]]]\"}", 0, &err), CB_OK);
	assert_string_equal(c.narrative, "[[[{{{\"]]]");
	/* too large */
	memset(bomb, ' ', n);
	assert_int_equal(cb_case_from_json_text(&c, bomb, (size_t)8 << 20, 0, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "larger than"));
	free(bomb);
	/* not NUL-terminated input: only len bytes are read */
	const char text[] = "{\"site\": \"HQ\"}garbage";
	assert_int_equal(cb_case_from_json_text(&c, text, 14, 0, &err), CB_OK);
	assert_string_equal(c.site, "HQ");
	/* from a json_t that is not an object */
	json_t *arr = json_array();
	assert_int_equal(cb_case_from_json(&c, arr, 0, &err), CB_EINVAL);
	json_decref(arr);
	assert_int_equal(cb_case_from_json(&c, NULL, 0, &err), CB_EINVAL);
	/* a NUL inside a string built in memory */
	json_t *o = json_pack("{s:s%}", "first_name", "Ana\0SECRET", (size_t)10);
	assert_non_null(o);
	assert_int_equal(cb_case_from_json(&c, o, 0, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "NUL"));
	assert_null(strstr(err.msg, "SECRET"));
	json_decref(o);
	assert_string_equal(c.site, "HQ");
	cb_case_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_json_types),
		cmocka_unit_test(test_pii_only_on_request), cmocka_unit_test(test_patch),
		cmocka_unit_test(test_errors),         cmocka_unit_test(test_hostile_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
