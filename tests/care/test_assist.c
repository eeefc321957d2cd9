/*
 * test_assist.c -- tests of src/care/assist.c: assistance records (add, get, list, update, refusals), the
 * case's assistance_type kept current by the store, notes sealed on disk and gone with the case key, the
 * shelter capacity report on a placement, the spl_Type mapping, and the store-kept fields being read-only
 * for cb_store_update and set on cb_store_add.
 */
#define _GNU_SOURCE
#include "store/store_helpers.h"

#include <sqlite3.h>

#include "access/policy.h"
#include "care/assist.h"
#include "store/store.h"

#define NOTE1 "Quorvashin clinic, room Ytterbek"

static struct cb_store *new_store(const char **path)
{
	unsetenv("CASEBANK_KEY_FILE"); /* before new_db, which names the binary's own on PostgreSQL */
	const char *p = new_db();
	if (path)
		*path = p;
	return open_new(p);
}

static void add_case(struct cb_store *s, uint8_t id[16])
{
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "MD-CHISINAU", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_registered_on], "2024-02-03", &err), CB_OK);
	if (cb_store_add(s, &c, NULL, &err) != CB_OK)
		fail_msg("%s", err.msg);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
}

static int64_t add_shelter(struct cb_store *s, int beds)
{
	struct cb_partner p;
	struct cb_err err = {0};
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "Shelter %d", beds);
	p.type = CB_org_type_NGO;
	p.country = cb_country_find("MD");
	p.beds = beds;
	p.services = UINT64_C(1) << CB_assistance_type_accommodation;
	assert_int_equal(cb_partner_add(s, &p, NULL, &err), CB_OK);
	return p.id;
}

static int64_t add_assist(struct cb_store *s, const uint8_t id[16], int32_t type, int32_t status, int64_t provider,
			  struct cb_capacity *cap)
{
	struct cb_assist a;
	struct cb_err err = {0};
	cb_assist_init(&a);
	memcpy(a.case_id, id, 16);
	a.type = type;
	a.status = status;
	a.provider = provider;
	if (cb_assist_add(s, &a, NULL, cap, &err) != CB_OK)
		fail_msg("%s", err.msg);
	assert_true(a.id > 0);
	return a.id;
}

static uint64_t stored_types(struct cb_store *s, const uint8_t id[16])
{
	struct cb_case c;
	assert_int_equal(cb_store_get(s, id, 0, &c, NULL), CB_OK);
	uint64_t t = c.assistance_type;
	cb_case_clear(&c);
	return t;
}

static int count(const struct cb_assist *x, void *ctx)
{
	(void)x;
	++*(int *)ctx;
	return 0;
}

#define BIT(x) (UINT64_C(1) << CB_assistance_type_##x)

static void test_add_get_list(void **state)
{
	(void)state;
	struct cb_store *s = new_store(NULL);
	struct cb_assist a, b;
	struct cb_err err = {0};
	uint8_t id[16];
	add_case(s, id);
	assert_int_equal(stored_types(s, id), 0);
	cb_assist_init(&a);
	memcpy(a.case_id, id, 16);
	a.type = CB_assistance_type_medical;
	assert_int_equal(cb_date_parse("2024-03-01", &a.start_on), CB_OK);
	a.notes = strdup(NOTE1);
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_OK);
	assert_int_equal(a.status, CB_assistance_status_planned); /* the default */
	add_assist(s, id, CB_assistance_type_legal, CB_assistance_status_ongoing, 0, NULL);
	assert_true(stored_types(s, id) == (BIT(medical) | BIT(legal)));

	/* notes only with CB_WITH_PII */
	assert_int_equal(cb_assist_get(s, a.id, 0, &b, &err), CB_OK);
	assert_null(b.notes);
	assert_int_equal(b.type, CB_assistance_type_medical);
	assert_int_equal(b.start_on, a.start_on);
	assert_int_equal(b.provider, 0);
	assert_int_equal(cb_assist_get(s, a.id, CB_WITH_PII, &b, &err), CB_OK);
	assert_string_equal(b.notes, NOTE1);
	cb_assist_clear(&b);

	/* cancelling a record takes its type out of the case's set; completing it does not */
	a.status = CB_assistance_status_cancelled;
	assert_int_equal(cb_assist_update(s, &a, 0, NULL, NULL, &err), CB_OK);
	assert_true(stored_types(s, id) == BIT(legal));
	a.status = CB_assistance_status_completed;
	assert_int_equal(cb_assist_update(s, &a, 0, NULL, NULL, &err), CB_OK);
	assert_true(stored_types(s, id) == (BIT(medical) | BIT(legal)));
	/* an update without CB_WITH_PII keeps the notes */
	assert_int_equal(cb_assist_get(s, a.id, CB_WITH_PII, &b, &err), CB_OK);
	assert_string_equal(b.notes, NOTE1);
	cb_assist_clear(&b);
	cb_assist_clear(&a);

	int n = 0;
	assert_int_equal(cb_assist_list(s, id, 0, count, &n, &err), CB_OK);
	assert_int_equal(n, 2);
	uint8_t none[16] = {1};
	assert_int_equal(cb_assist_list(s, none, 0, count, &n, &err), CB_ENOTFOUND);
	cb_store_free(&s);
}

static void test_refusals(void **state)
{
	(void)state;
	struct cb_store *s = new_store(NULL);
	struct cb_assist a;
	struct cb_err err = {0};
	uint8_t id[16], none[16] = {9};
	add_case(s, id);
	cb_assist_init(&a);
	memcpy(a.case_id, id, 16);
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_EINVAL); /* no type */
	assert_string_equal(err.field, "type");
	assert_non_null(strstr(err.msg, "accommodation"));
	a.type = CB_assistance_type_other;
	a.status = 17;
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "status");
	a.status = CB_NA;
	assert_int_equal(cb_date_parse("2024-03-05", &a.start_on), CB_OK);
	assert_int_equal(cb_date_parse("2024-03-04", &a.end_on), CB_OK);
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_EINVAL);
	assert_string_equal(err.field, "end_on");
	a.end_on = CB_NA;
	a.provider = 42; /* no such partner */
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_ENOTFOUND);
	assert_string_equal(err.field, "provider");
	a.provider = 0;
	memcpy(a.case_id, none, 16);
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_ENOTFOUND);
	/* nothing was stored by the refusals */
	int n = 0;
	assert_int_equal(cb_assist_list(s, id, 0, count, &n, &err), CB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(cb_assist_get(s, 1, 0, &a, &err), CB_ENOTFOUND);
	cb_store_free(&s);
}

/* A caseworker cannot name another office's private partner as a provider: refused as an unknown id, on
 * adding and on changing a record; a provider set by a manager stays when she changes the record's status. */
static void test_provider_office_scope(void **state)
{
	(void)state;
	struct cb_store *s = new_store(NULL);
	struct cb_assist a;
	struct cb_partner p;
	struct cb_err err = {0};
	struct cb_user cw = {.id = 3, .role = CB_ROLE_CASEWORKER, .name = "cw", .site = "MD-CHISINAU"};
	struct cb_user mg = {.id = 2, .role = CB_ROLE_MANAGER, .name = "mg"};
	cb_policy_grant(&cw);
	cb_policy_grant(&mg);
	uint8_t id[16];
	add_case(s, id);
	cb_partner_init(&p);
	snprintf(p.name, sizeof p.name, "Hidden House");
	snprintf(p.site, sizeof p.site, "MD-BALTI");
	p.type = CB_org_type_NGO;
	p.country = cb_country_find("MD");
	p.beds = 2;
	assert_int_equal(cb_partner_add(s, &p, NULL, &err), CB_OK);
	cb_assist_init(&a);
	memcpy(a.case_id, id, 16);
	a.type = CB_assistance_type_accommodation;
	a.provider = p.id;
	assert_int_equal(cb_assist_add(s, &a, &cw, NULL, &err), CB_ENOTFOUND);
	char want[128];
	snprintf(want, sizeof want, "provider: no partner organisation %lld", (long long)p.id);
	assert_string_equal(err.msg, want);
	assert_string_equal(err.field, "provider");
	int n = 0;
	assert_int_equal(cb_assist_list(s, id, 0, count, &n, &err), CB_OK);
	assert_int_equal(n, 0);
	/* a manager may; the caseworker then changes the status of that record, not its provider */
	assert_int_equal(cb_assist_add(s, &a, &mg, NULL, &err), CB_OK);
	a.status = CB_assistance_status_ongoing;
	assert_int_equal(cb_assist_update(s, &a, 0, &cw, NULL, &err), CB_OK);
	a.provider = 0;
	assert_int_equal(cb_assist_update(s, &a, 0, &cw, NULL, &err), CB_OK);
	a.provider = p.id;
	assert_int_equal(cb_assist_update(s, &a, 0, &cw, NULL, &err), CB_ENOTFOUND);
	assert_string_equal(err.msg, want);
	cb_assist_clear(&a);
	cb_store_free(&s);
}

static void test_notes_sealed_and_erased(void **state)
{
	(void)state;
	const char *path;
	struct cb_store *s = new_store(&path);
	struct cb_assist a, b;
	struct cb_err err = {0};
	uint8_t id[16];
	long problems = -1;
	add_case(s, id); /* no identifying details: the note makes its case key */
	cb_assist_init(&a);
	memcpy(a.case_id, id, 16);
	a.type = CB_assistance_type_psychosocial;
	a.notes = strdup(NOTE1);
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_OK);
	/* the key is in use: check does not call it unused, and an update clearing details keeps it */
	FILE *devnull = fopen("/dev/null", "w");
	assert_int_equal(cb_store_check(s, devnull, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	struct cb_case c;
	assert_int_equal(cb_store_get(s, id, CB_WITH_PII, &c, &err), CB_OK);
	assert_int_equal(cb_store_update(s, &c, CB_WITH_PII, &err), CB_OK);
	cb_case_clear(&c);
	assert_int_equal(cb_assist_get(s, a.id, CB_WITH_PII, &b, &err), CB_OK);
	assert_string_equal(b.notes, NOTE1);
	cb_assist_clear(&b);
	cb_store_free(&s);
	assert_false(cbt_db_holds(path, NOTE1));
	/* erasing the case destroys the key: the note is gone, the record stays */
	assert_int_equal(cb_store_open(path, 0, &s, &err), CB_OK);
	assert_int_equal(cb_store_erase(s, id, false, &err), CB_OK);
	assert_int_equal(cb_assist_get(s, a.id, CB_WITH_PII, &b, &err), CB_OK);
	assert_null(b.notes);
	assert_int_equal(b.type, CB_assistance_type_psychosocial);
	/* not even the ciphertext is kept */
	assert_int_equal(cbt_sql_int(path, "SELECT count(*) FROM assistance WHERE notes IS NOT NULL"), 0);
	/* erase --all takes the records with the case */
	assert_int_equal(cb_store_erase(s, id, true, &err), CB_OK);
	assert_int_equal(cb_assist_get(s, a.id, 0, &b, &err), CB_ENOTFOUND);
	cb_assist_clear(&a);
	fclose(devnull);
	cb_store_free(&s);
}

static void test_sealed_note_bound_to_its_row(void **state)
{
	(void)state;
	const char *path;
	struct cb_store *s = new_store(&path);
	struct cb_assist a;
	struct cb_err err = {0};
	uint8_t id[16];
	add_case(s, id);
	cb_assist_init(&a);
	memcpy(a.case_id, id, 16);
	a.type = CB_assistance_type_legal;
	a.notes = strdup(NOTE1);
	assert_int_equal(cb_assist_add(s, &a, NULL, NULL, &err), CB_OK);
	cb_assist_clear(&a);
	add_assist(s, id, CB_assistance_type_legal, CB_NA, 0, NULL);
	/* a blob copied onto another record does not open there */
	cbt_sql(path, "UPDATE assistance SET notes = (SELECT notes FROM assistance WHERE id = 1) WHERE id = 2", NULL);
	assert_int_equal(cb_assist_get(s, 2, CB_WITH_PII, &a, &err), CB_ECORRUPT);
	assert_null(strstr(err.msg, NOTE1));
	cb_store_free(&s);
}

static void test_shelter_capacity(void **state)
{
	(void)state;
	struct cb_store *s = new_store(NULL);
	struct cb_capacity cap;
	struct cb_err err = {0};
	uint8_t a[16], b[16], c[16];
	int occ = -1;
	add_case(s, a);
	add_case(s, b);
	add_case(s, c);
	int64_t shelter = add_shelter(s, 2), office = 0;
	add_assist(s, a, CB_assistance_type_accommodation, CB_assistance_status_ongoing, shelter, &cap);
	assert_true(cap.shelter);
	assert_false(cap.over);
	assert_int_equal(cap.beds, 2);
	assert_int_equal(cap.occupied, 1);
	add_assist(s, b, CB_assistance_type_accommodation, CB_assistance_status_planned, shelter, &cap);
	assert_false(cap.over);
	assert_int_equal(cap.occupied, 2);
	/* the third placement exceeds the beds: stored all the same, and reported */
	int64_t third = add_assist(s, c, CB_assistance_type_accommodation, CB_assistance_status_ongoing, shelter, &cap);
	assert_true(cap.over);
	assert_int_equal(cap.occupied, 3);
	assert_int_equal(cb_shelter_occupancy(s, shelter, CB_NA, &occ, &err), CB_OK);
	assert_int_equal(occ, 3);
	/* completed and cancelled stays do not hold a bed; neither does a stay that ended */
	struct cb_assist x;
	assert_int_equal(cb_assist_get(s, third, 0, &x, &err), CB_OK);
	x.status = CB_assistance_status_completed;
	assert_int_equal(cb_assist_update(s, &x, 0, NULL, &cap, &err), CB_OK);
	assert_false(cap.over);
	assert_int_equal(cb_shelter_occupancy(s, shelter, CB_NA, &occ, &err), CB_OK);
	assert_int_equal(occ, 2);
	int32_t day;
	assert_int_equal(cb_date_parse("2020-01-01", &day), CB_OK);
	assert_int_equal(cb_date_parse("2020-02-01", &x.end_on), CB_OK);
	x.start_on = day;
	x.status = CB_assistance_status_ongoing;
	assert_int_equal(cb_assist_update(s, &x, 0, NULL, &cap, &err), CB_OK);
	assert_true(cap.shelter);
	assert_int_equal(cap.day, day);
	assert_int_equal(cap.occupied, 3); /* stays without dates are open on both sides: they hold a bed then too */
	assert_true(cap.over);
	cb_assist_clear(&x);
	/* not a shelter, or not accommodation: nothing to report */
	add_assist(s, a, CB_assistance_type_medical, CB_NA, shelter, &cap);
	assert_false(cap.shelter);
	add_assist(s, a, CB_assistance_type_accommodation, CB_NA, office, &cap);
	assert_false(cap.shelter);
	cb_store_free(&s);
}

static void test_spl_types(void **state)
{
	(void)state;
	assert_string_equal(cb_assist_spl_type(CB_assistance_type_medical), "Health");
	assert_string_equal(cb_assist_spl_type(CB_assistance_type_legal), "Legal");
	assert_string_equal(cb_assist_spl_type(CB_assistance_type_financial), "Financial");
	assert_string_equal(cb_assist_spl_type(CB_assistance_type_education), "Education");
	assert_string_equal(cb_assist_spl_type(CB_assistance_type_vocational_training), "Livelihood");
	assert_string_equal(cb_assist_spl_type(-1), "");
	assert_string_equal(cb_assist_spl_type(CB_assistance_type__COUNT), "");
	/* every type maps to a value of the HTCDS spl_Type picklist */
	static const char *const spl[] = {"Education", "Financial", "Health", "LabourExploitationRehabilitation", "Legal",
					  "Livelihood", "RightsBasedTraining", "SexualExploitationRehabilitation",
					  "SocialCare"};
	for (int t = 0; t < CB_assistance_type__COUNT; t++) {
		bool found = false;
		for (size_t k = 0; k < CB_COUNTOF(spl); k++)
			found |= strcmp(cb_assist_spl_type(t), spl[k]) == 0;
		if (!found)
			fail_msg("%s maps to no spl_Type", cb_vsets[CB_VS_assistance_type].values[t].name);
	}
}

static void test_store_fields_read_only(void **state)
{
	(void)state;
	struct cb_store *s = new_store(NULL);
	struct cb_case c;
	struct cb_err err = {0};
	uint8_t id[16];
	/* add: the stage defaults to screening, the computed sets start empty whatever the input says */
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "MD-CHISINAU", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_year], "2023", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_assistance_type], "medical;legal", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_referral_partner_type], "NGO", &err), CB_OK);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(id, c.case_id, 16);
	assert_int_equal(c.case_stage, CB_case_stage_screening);
	assert_true(c.assistance_type == 0 && c.referral_partner_type == 0);
	cb_case_clear(&c);
	add_assist(s, id, CB_assistance_type_documents, CB_NA, 0, NULL);
	/* update: the stored values stay, whatever the caller's case holds */
	assert_int_equal(cb_store_get(s, id, 0, &c, &err), CB_OK);
	assert_true(c.assistance_type == BIT(documents));
	c.assistance_type = BIT(employment);
	c.case_stage = CB_case_stage_closed;
	c.gender = CB_gender_Feminine;
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
	cb_case_clear(&c);
	assert_int_equal(cb_store_get(s, id, 0, &c, &err), CB_OK);
	assert_int_equal(c.gender, CB_gender_Feminine);
	assert_int_equal(c.case_stage, CB_case_stage_screening);
	assert_true(c.assistance_type == BIT(documents));
	/* an import brings its stage along */
	cb_case_clear(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "MD-CHISINAU", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_year], "2023", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_case_stage], "reintegration", &err), CB_OK);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(c.case_stage, CB_case_stage_reintegration);
	cb_case_clear(&c);
	cb_store_free(&s);
}

/* An older file: user_version 2, no case_stage column.  Opening it adds the tables and the column, and
 * gives existing cases a stage from their status. */
static void test_migration_backfills_stage(void **state)
{
	(void)state;
	cbt_sqlite_only("schema step 3 (a PostgreSQL database is made at the current version)");
	const char *path;
	struct cb_store *s = new_store(&path);
	struct cb_case c;
	struct cb_err err = {0};
	uint8_t open_id[16], closed_id[16];
	add_case(s, open_id);
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "MD-CHISINAU", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_year], "2020", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_status], "Closed", &err), CB_OK);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(closed_id, c.case_id, 16);
	cb_case_clear(&c);
	sqlite3 *db = cb_store_db(s);
	assert_int_equal(sqlite3_exec(db,
				      "DROP TABLE stages; DROP TABLE followups; DROP TABLE referrals; DROP TABLE assistance;"
				      " DROP TABLE partners; ALTER TABLE cases DROP COLUMN case_stage;"
				      " ALTER TABLE cases DROP COLUMN assistance_type;"
				      " ALTER TABLE cases DROP COLUMN referral_partner_type; PRAGMA user_version = 2;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	cb_store_free(&s);
	assert_int_equal(cb_store_open(path, 0, &s, &err), CB_OK);
	int32_t st;
	assert_int_equal(cb_stage_get(s, open_id, &st, &err), CB_OK);
	assert_int_equal(st, CB_case_stage_screening);
	assert_int_equal(cb_stage_get(s, closed_id, &st, &err), CB_OK);
	assert_int_equal(st, CB_case_stage_closed);
	add_assist(s, open_id, CB_assistance_type_medical, CB_NA, 0, NULL);
	assert_true(stored_types(s, open_id) == BIT(medical));
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_get_list),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_provider_office_scope),
		cmocka_unit_test(test_notes_sealed_and_erased),
		cmocka_unit_test(test_sealed_note_bound_to_its_row),
		cmocka_unit_test(test_shelter_capacity),
		cmocka_unit_test(test_spl_types),
		cmocka_unit_test(test_store_fields_read_only),
		cmocka_unit_test(test_migration_backfills_stage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
