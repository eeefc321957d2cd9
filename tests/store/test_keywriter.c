/*
 * test_keywriter.c -- tests of src/store/keywriter.c: in a load's batch the case keys are inserted by their
 * own thread, and nothing shows it: every key is in its case's slot at the commit, a case's details read back
 * (and erase) inside the same batch, a rolled-back batch leaves no key, and a key insert that fails fails the
 * batch, leaving the store as before and usable.
 */
#include "store_helpers.h"

/* Adds n cases with identifying details in the open batch; their ids into ids (may be NULL). */
static void add_n(struct cb_store *s, int n, uint8_t (*ids)[16])
{
	struct cb_err err = {0};
	struct cb_case c;
	for (int i = 0; i < n; i++) {
		make_case(&c, i, true);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		if (ids)
			memcpy(ids[i], c.case_id, 16);
		cb_case_clear(&c);
	}
}

static void test_keys_in_their_slots(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case got;
	uint8_t ids[3000][16];
	const char *db = new_db();
	const char *keys = cbt_db_keys(db);
	struct cb_store *s = open_new(db);
	assert_int_equal(cb_store_load_begin(s, NULL, &err), CB_OK);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	add_n(s, 3000, ids);
	/* read back inside the batch: the key may still be on its way */
	assert_int_equal(cb_store_get(s, ids[2999], CB_WITH_PII, &got, &err), CB_OK);
	assert_string_equal(got.first_name, NAME1);
	cb_case_clear(&got);
	assert_int_equal(cb_store_erase(s, ids[1500], false, &err), CB_OK); /* its key goes, in the batch */
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	/* a rolled-back batch leaves no key behind */
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	add_n(s, 500, NULL);
	cb_store_rollback(s);
	cb_store_load_end(s);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 2999);
	assert_int_equal(cb_store_count(s), 3000);
	for (int i = 0; i < 3000; i += 499) {
		assert_int_equal(cb_store_get(s, ids[i], CB_WITH_PII, &got, &err), CB_OK);
		assert_string_equal(got.narrative, STORY1);
		cb_case_clear(&got);
	}
	assert_no_problems(s);
	cb_store_free(&s);
	assert_nowhere(db, NAME1);
}

static void test_failed_insert_fails_the_batch(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	const char *db = new_db();
	const char *keys = cbt_db_keys(db);
	struct cb_store *s = open_new(db);
	add_n(s, 2, NULL); /* before the load, outside a batch */
	raw_exec(keys, cbt_on_pg() ? "CREATE FUNCTION no_keys() RETURNS trigger LANGUAGE plpgsql AS"
				     " $$BEGIN RAISE EXCEPTION 'no keys'; END$$;"
				     "CREATE TRIGGER no_keys BEFORE INSERT ON casekeys FOR EACH ROW EXECUTE FUNCTION no_keys()"
				   : "CREATE TRIGGER no_keys BEFORE INSERT ON casekeys BEGIN SELECT RAISE(ABORT, 'no keys'); END");
	assert_int_equal(cb_store_load_begin(s, NULL, &err), CB_OK);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	int rc = CB_OK;
	for (int i = 0; i < 2000 && rc == CB_OK; i++) { /* refused at once or, at the latest, at the commit */
		make_case(&c, i, true);
		rc = cb_store_add(s, &c, NULL, &err);
		cb_case_clear(&c);
	}
	if (rc == CB_OK)
		rc = cb_store_commit(s, &err);
	else
		cb_store_rollback(s);
	assert_int_equal(rc, CB_EDB);
	assert_non_null(strstr(err.msg, "no keys"));
	assert_null(strstr(err.msg, NAME1));
	assert_int_equal(cb_store_count(s), 2);
	/* the store goes on once the cause is gone */
	raw_exec(keys, cbt_on_pg() ? "DROP TRIGGER no_keys ON casekeys" : "DROP TRIGGER no_keys");
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	add_n(s, 10, NULL);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	cb_store_load_end(s);
	assert_int_equal(cb_store_count(s), 12);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 12);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_in_their_slots),
		cmocka_unit_test(test_failed_insert_fails_the_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
