/*
 * test_xform.c -- tests of src/io/xform.c and src/io/xform_map.c: the generated forms (well-formed XML, every
 * asked field of the codebook with its control, consent first, required fields, constraints, skip logic,
 * labels for every value in every language of the codebook, the public key, a version that follows the content), and the reading of
 * submissions: a registration and an HTCDS instance onto a case, the refusals (DTD and entities, unknown
 * and repeated fields, values an import refuses) and the manager's corrections.
 */
#include "cb_test.h"

#include <libxml/parser.h>

#include "io/xform.h"
#include "util/i18n.h"

static char *form(enum cb_xform_kind k, const char *key, char version[16])
{
	struct cb_buf b = {0};
	assert_int_equal(cb_xform_write(k, key, &b, version), CB_OK);
	return b.data;
}

static void test_registration_form(void **state)
{
	(void)state;
	char v1[16], v2[16], v3[16];
	char *x = form(CB_XFORM_REGISTRATION, "PUBKEY1", v1);
	xmlDoc *doc = xmlReadMemory(x, (int)strlen(x), "f.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	assert_non_null(strstr(x, "<data id=\"casebank_registration\" version=\""));
	assert_non_null(strstr(x, "base64RsaPublicKey=\"PUBKEY1\""));
	/* every field a person answers has a bind; derived and store-kept fields and the id none */
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		char bind[128];
		snprintf(bind, sizeof bind, "<bind nodeset=\"/data/%s\"", f->name);
		bool asked = f->kind != CB_ID && !(f->flags & (CB_F_DERIVED | CB_F_STORE));
		assert_int_equal(strstr(x, bind) != NULL, asked);
	}
	/* consent questions come first in the body */
	const char *body = strstr(x, "<h:body>");
	const char *consent = strstr(body, "ref=\"/data/consent_assistance\"");
	const char *gender = strstr(body, "ref=\"/data/gender\"");
	assert_non_null(consent);
	assert_true(consent < gender);
	assert_true(consent < strstr(body, "ref=\"/data/registered_on\""));
	/* controls and types */
	assert_non_null(strstr(x, "<bind nodeset=\"/data/gender\" type=\"select1\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/data/exploitation_type\" type=\"select\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/data/birth_date\" type=\"date\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/data/first_name\" type=\"string\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/data/consent_statistics\" type=\"select1\" required=\"true()\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/data/registered_on\" type=\"date\" required=\"true()\" constraint=\". &lt;= today()\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/data/children\" type=\"int\" constraint=\". &gt;= 0 and . &lt;= 30\""));
	assert_non_null(strstr(x, "number(substring(/data/registered_on, 1, 4))"));
	/* skip logic: labour sector only for forced labour */
	assert_non_null(strstr(x, "<bind nodeset=\"/data/labour_sector\" type=\"select\" relevant=\"selected(/data/exploitation_type, &apos;ForcedLabour&apos;)\""));
	/* labels through itext: a translation for every language of the codebook, every value labelled in each */
	assert_non_null(strstr(x, "<translation lang=\"English (en)\" default=\"true()\">"));
	for (int li = 0; li < cb_lang_count(); li++) {
		const char *l = cb_lang_code(li);
		char t[256];
		snprintf(t, sizeof t, "<translation lang=\"%s (%s)\"", cb_lang_name(l), l);
		const char *tr = strstr(x, t);
		assert_non_null(tr);
		for (int v = 0; v < cb_vsets[CB_VS_gender].count; v++) {
			snprintf(t, sizeof t, "<text id=\"/data/gender/%s:label\"><value>%s</value>",
				 cb_vsets[CB_VS_gender].values[v].name, cb_tr(l, "codebook", cb_vsets[CB_VS_gender].values[v].label));
			assert_non_null(strstr(tr, t));
		}
		snprintf(t, sizeof t, "<text id=\"country-FR\"><value>%s</value>", cb_tr_country(l, "France"));
		assert_non_null(strstr(tr, t));
	}
	assert_true(cb_lang_count() >= 5);
	assert_non_null(strstr(x, "<text id=\"/data/gender/Feminine:label\"><value>Féminin</value>"));
	assert_non_null(strstr(x, "<item><label ref=\"jr:itext('country-MD')\"/><value>MD</value></item>"));
	free(x);
	/* the version follows the content: the same for the same key, another for another */
	x = form(CB_XFORM_REGISTRATION, "PUBKEY1", v2);
	free(x);
	x = form(CB_XFORM_REGISTRATION, "PUBKEY2", v3);
	free(x);
	assert_string_equal(v1, v2);
	assert_string_not_equal(v1, v3);
}

static void test_other_forms(void **state)
{
	(void)state;
	char v[16];
	char *x = form(CB_XFORM_FOLLOWUP, "K", v);
	assert_non_null(strstr(x, "<data id=\"casebank_followup\""));
	assert_non_null(strstr(x, "<bind nodeset=\"/data/case_version\" type=\"int\" required=\"true()\""));
	assert_non_null(strstr(x, "<value>follow_up</value>"));
	free(x);
	x = form(CB_XFORM_ASSISTANCE, "K", v);
	assert_non_null(strstr(x, "<data id=\"casebank_assistance\""));
	assert_non_null(strstr(x, "<value>accommodation</value>"));
	free(x);
	enum cb_xform_kind k;
	assert_int_equal(cb_xform_parse_name("followup", &k), CB_OK);
	assert_int_equal(k, CB_XFORM_FOLLOWUP);
	assert_int_equal(cb_xform_parse_name("other", &k), CB_EINVAL);
	assert_int_equal(cb_xform_by_id("casebank_assistance", &k), CB_OK);
	assert_int_equal(k, CB_XFORM_ASSISTANCE);
}

static int to_case(const char *xml, const json_t *fixes, struct cb_case *c, struct cb_err *err)
{
	struct cb_xform_instance *in;
	int rc = cb_xform_instance_parse(xml, strlen(xml), &in, err);
	if (rc != CB_OK)
		return rc;
	rc = cb_xform_to_case(in, fixes, c, err);
	cb_xform_instance_free(&in);
	return rc;
}

static void test_instances(void **state)
{
	(void)state;
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	const char *reg = "<data id=\"casebank_registration\" version=\"3\"><gender>Feminine</gender>"
			  "<exploitation_type>ForcedLabour SexualExploitation</exploitation_type><birth_year/>"
			  "<first_name>Ana</first_name><meta><instanceID>uuid:x</instanceID></meta></data>";
	assert_int_equal(to_case(reg, NULL, &c, &err), CB_OK);
	assert_int_equal(c.gender, CB_gender_Feminine);
	assert_int_equal(c.exploitation_type,
			 (1ull << CB_exploitation_type_ForcedLabour) | (1ull << CB_exploitation_type_SexualExploitation));
	assert_int_equal(c.birth_year, CB_NA);
	assert_string_equal(c.first_name, "Ana");
	cb_case_clear(&c);
	/* corrections replace answers */
	json_t *fix = json_pack("{s:s}", "gender", "Masculine");
	assert_int_equal(to_case(reg, fix, &c, &err), CB_OK);
	assert_int_equal(c.gender, CB_gender_Masculine);
	json_decref(fix);
	cb_case_clear(&c);
	/* an import's refusals: a value outside the set names the field and the allowed values */
	assert_int_equal(to_case("<data id=\"casebank_registration\"><gender>Female</gender><meta><instanceID>u</instanceID></meta></data>",
				 NULL, &c, &err),
			 CB_EINVAL);
	assert_string_equal(err.field, "gender");
	assert_non_null(strstr(err.msg, "Feminine"));
	cb_case_clear(&c);
	assert_int_equal(to_case("<data id=\"casebank_registration\"><age_group>x</age_group><meta><instanceID>u</instanceID></meta></data>",
				 NULL, &c, &err),
			 CB_EINVAL); /* derived: not a question */
	cb_case_clear(&c);
	assert_int_equal(to_case("<data id=\"casebank_registration\"><nonsense>1</nonsense><meta><instanceID>u</instanceID></meta></data>",
				 NULL, &c, &err),
			 CB_EINVAL);
	cb_case_clear(&c);
	/* HTCDS: the form's own names and TRUE/FALSE */
	assert_int_equal(to_case("<data id=\"htcds_xlsform\"><prs_First_Name>B</prs_First_Name><prs_Salutation>Ms</prs_Salutation>"
				 "<vic_Methods_of_Control>DebtBondage</vic_Methods_of_Control><prs_Citizenship>MD</prs_Citizenship>"
				 "<meta><instanceID>u</instanceID></meta></data>",
				 NULL, &c, &err),
			 CB_OK);
	assert_string_equal(c.first_name, "B");
	assert_int_equal(c.means_of_control, 1ull << CB_means_of_control_DebtBondage);
	assert_int_equal(c.citizenship, cb_country_find("MD"));
	cb_case_clear(&c);
	/* the registration form's names are not HTCDS columns */
	assert_int_equal(to_case("<data id=\"htcds_xlsform\"><gender>Feminine</gender><meta><instanceID>u</instanceID></meta></data>",
				 NULL, &c, &err),
			 CB_EINVAL);
	cb_case_clear(&c);
}

static void test_parse_refusals(void **state)
{
	(void)state;
	struct cb_xform_instance *in = NULL;
	struct cb_err err = {0};
	static const char *bad[] = {
		"<!DOCTYPE data [<!ENTITY e \"x\">]><data id=\"f\"><a>&e;</a><meta><instanceID>u</instanceID></meta></data>",
		"<!DOCTYPE data SYSTEM \"file:///etc/passwd\"><data id=\"f\"><meta><instanceID>u</instanceID></meta></data>",
		"<data id=\"f\"><a>1</a><a>2</a><meta><instanceID>u</instanceID></meta></data>",
		"<data id=\"f\"><a>1</a></data>",            /* no instanceID */
		"<data><meta><instanceID>u</instanceID></meta></data>", /* no form id */
		"<data id=\"f\"><a>1</data>",
		"<data id=\"f\" encrypted=\"yes\"><meta><instanceID>u</instanceID></meta></data>", /* a manifest without its parts */
	};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++) {
		assert_int_equal(cb_xform_instance_parse(bad[i], strlen(bad[i]), &in, &err), CB_EINVAL);
		assert_null(in);
	}
	const char *m = "<data xmlns=\"http://opendatakit.org/submissions\" id=\"f\" encrypted=\"yes\" version=\"7\">"
			"<base64EncryptedKey>K</base64EncryptedKey><encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
			"<media><file>a.jpg.enc</file></media><media><file>b.wav.enc</file></media>"
			"<base64EncryptedElementSignature>S</base64EncryptedElementSignature>"
			"<meta xmlns=\"http://openrosa.org/xforms\"><instanceID>uuid:9</instanceID></meta></data>";
	assert_int_equal(cb_xform_instance_parse(m, strlen(m), &in, &err), CB_OK);
	assert_true(in->encrypted);
	assert_string_equal(in->version, "7");
	assert_string_equal(in->instance_id, "uuid:9");
	assert_string_equal(in->enc_key, "K");
	assert_string_equal(in->signature, "S");
	assert_int_equal(in->nmedia, 2);
	assert_string_equal(in->media[1], "b.wav.enc");
	cb_xform_instance_free(&in);
	assert_null(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_form),
		cmocka_unit_test(test_other_forms),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_parse_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
