/*
 * test_fingerprints.c -- tests of src/store/fingerprints.c: a stored fingerprint refuses its row, within a
 * batch, across batches, across processes' connections and after reopening; a rolled-back batch leaves no
 * fingerprint behind; erase --all forgets one; the migration from the old unique index; check finds a case
 * whose fingerprint is missing; SipHash-128 in new files, BLAKE2b kept in older ones.
 */
#include "store_helpers.h"

#include "crypto/crypto.h"

/* Adds case i with the fingerprint {fp0, 1, 2, 3, 0...}. */
static int add_fp(struct cb_store *s, int i, uint8_t fp0)
{
	struct cb_err err = {0};
	struct cb_case c;
	uint8_t fp[16] = {fp0, 1, 2, 3};
	make_case(&c, i, true);
	int rc = cb_store_add(s, &c, fp, &err);
	cb_case_clear(&c);
	return rc;
}

static void test_batches(void **state)
{
	(void)state;
	struct cb_err err = {0};
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	assert_int_equal(add_fp(s, 0, 1), CB_OK); /* outside a batch: a batch of its own */
	assert_int_equal(add_fp(s, 1, 1), CB_EEXIST);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM fingerprint_batches"), 1);

	assert_int_equal(cb_store_load_begin(s, NULL, &err), CB_OK);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(add_fp(s, 2, 2), CB_OK);
	assert_int_equal(add_fp(s, 3, 2), CB_EEXIST); /* written in this batch */
	assert_int_equal(add_fp(s, 4, 1), CB_EEXIST); /* stored before it */
	assert_int_equal(add_fp(s, 5, 3), CB_OK);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM fingerprint_batches"), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT length(fps) FROM fingerprint_batches ORDER BY id DESC"), 32);

	/* a rolled-back batch: its fingerprint may come again */
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(add_fp(s, 6, 4), CB_OK);
	assert_int_equal(add_fp(s, 7, 3), CB_EEXIST); /* across batches */
	cb_store_rollback(s);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(add_fp(s, 8, 4), CB_OK);
	assert_int_equal(add_fp(s, 9, 2), CB_EEXIST); /* read again from the batches after the rollback */
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	cb_store_load_end(s);
	assert_int_equal(cb_store_count(s), 4);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM cases WHERE fingerprint IS NOT NULL"), 4);
	assert_no_problems(s);
	cb_store_free(&s);

	/* reopened: everything stored is known */
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	for (uint8_t f = 1; f <= 4; f++)
		assert_int_equal(add_fp(s, 10 + f, f), CB_EEXIST);
	assert_int_equal(add_fp(s, 20, 5), CB_OK);
	cb_store_free(&s);
}

/* Two connections (as two processes importing at once): each sees what the other committed before it writes. */
static void test_two_writers(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_store *a = NULL, *b = NULL;
	const char *db = new_db();
	a = open_new(db);
	assert_int_equal(cb_store_open(db, 0, &b, &err), CB_OK);
	assert_int_equal(add_fp(a, 0, 1), CB_OK);
	assert_int_equal(add_fp(b, 1, 2), CB_OK); /* b has read the batches now */
	assert_int_equal(add_fp(a, 2, 3), CB_OK);
	assert_int_equal(add_fp(b, 3, 3), CB_EEXIST); /* written by a after b last looked */
	assert_int_equal(add_fp(a, 4, 2), CB_EEXIST);
	assert_int_equal(cb_store_count(a), 3);
	cb_store_free(&a);
	cb_store_free(&b);
}

/* erase --all forgets the fingerprint (the row may be imported again); erasing the details only does not. */
static void test_erase_forgets(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	uint8_t fp[16] = {7, 1, 2, 3}, id[16], id2[16];
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (uint8_t f = 1; f <= 3; f++)
		assert_int_equal(add_fp(s, f, f), CB_OK);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	make_case(&c, 9, true);
	assert_int_equal(cb_store_add(s, &c, fp, &err), CB_OK);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
	make_case(&c, 10, true);
	fp[0] = 8;
	assert_int_equal(cb_store_add(s, &c, fp, &err), CB_OK);
	memcpy(id2, c.case_id, 16);
	cb_case_clear(&c);

	assert_int_equal(cb_store_erase(s, id2, false, &err), CB_OK);
	assert_int_equal(add_fp(s, 11, 8), CB_EEXIST);
	assert_int_equal(cb_store_erase(s, id, true, &err), CB_OK);
	assert_int_equal(add_fp(s, 12, 7), CB_OK);
	assert_int_equal(add_fp(s, 13, 7), CB_EEXIST);
	for (uint8_t f = 1; f <= 3; f++) /* the others stay */
		assert_int_equal(add_fp(s, 20 + f, f), CB_EEXIST);
	assert_no_problems(s);
	cb_store_free(&s);
}

/* Batches hold at most 4096 fingerprints and name their cases' seq range; erase --all finds the case's batch by
 * its seq, also when a seq freed by an erase was given again (two batches cover it). */
static void test_batch_ranges(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	uint8_t ids[5000][16], id[16];
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < 5000; i++) {
		uint8_t fp[16] = {0};
		memcpy(fp, &i, sizeof i);
		fp[15] = 9;
		make_case(&c, i, false);
		assert_int_equal(cb_store_add(s, &c, fp, &err), CB_OK);
		memcpy(ids[i], c.case_id, 16);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM fingerprint_batches"), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT length(fps) / 16 FROM fingerprint_batches ORDER BY id"), 4096);
	assert_int_equal(cbt_sql_int(db, "SELECT first_seq FROM fingerprint_batches ORDER BY id DESC"), 4097);
	assert_int_equal(cbt_sql_int(db, "SELECT last_seq FROM fingerprint_batches ORDER BY id DESC"), 5000);
	/* erase the last case (seq 5000) and one in the first batch */
	assert_int_equal(cb_store_erase(s, ids[4999], true, &err), CB_OK);
	assert_int_equal(cb_store_erase(s, ids[10], true, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT sum(length(fps)) / 16 FROM fingerprint_batches"), 4998);
	/* seq 5000 again, for a new row; erasing it finds it in its own batch, not in the older one */
	make_case(&c, 1, false);
	uint8_t fp[16] = {1, 2, 3, 4};
	assert_int_equal(cb_store_add(s, &c, fp, &err), CB_OK);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
	if (cbt_sqlite_part("a seq freed by an erase given again (a PostgreSQL identity never gives one twice)")) {
		assert_int_equal(cbt_sql_int(db, "SELECT max(seq) FROM cases"), 5000);
		assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM fingerprint_batches WHERE first_seq <= 5000 AND last_seq >= 5000"), 2);
	}
	assert_int_equal(cb_store_erase(s, id, true, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT sum(length(fps)) / 16 FROM fingerprint_batches"), 4998);
	make_case(&c, 2, false);
	assert_int_equal(cb_store_add(s, &c, fp, &err), CB_OK); /* forgotten: the row may come again */
	cb_case_clear(&c);
	assert_no_problems(s);
	cb_store_free(&s);
}

/* A file from before the batches (schema step 3, the unique index): its fingerprints become the first batch. */
static void test_migration(void **state)
{
	(void)state;
	cbt_sqlite_only("schema steps (a PostgreSQL database is made at the current version)");
	struct cb_err err = {0};
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	assert_int_equal(add_fp(s, 0, 1), CB_OK);
	assert_int_equal(add_fp(s, 1, 2), CB_OK);
	cb_store_free(&s);
	raw_exec(db, "BEGIN; DROP TABLE fingerprint_batches; DELETE FROM sqlite_sequence;"
		     " CREATE UNIQUE INDEX cases_fingerprint ON cases(fingerprint) WHERE fingerprint IS NOT NULL;"
		     " PRAGMA user_version = 3; COMMIT;");
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "PRAGMA user_version"), 15); /* steps 4 to 15 */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'releases'"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'cases_fingerprint'"), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM fingerprint_batches"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT length(fps) FROM fingerprint_batches"), 32);
	assert_int_equal(add_fp(s, 2, 2), CB_EEXIST);
	assert_int_equal(add_fp(s, 3, 3), CB_OK);
	assert_no_problems(s);
	cb_store_free(&s);
}

/* check: a case whose fingerprint is in no batch, and a damaged batch. */
static void test_check(void **state)
{
	(void)state;
	struct cb_err err = {0};
	long problems = -1;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	assert_int_equal(add_fp(s, 0, 1), CB_OK);
	assert_int_equal(add_fp(s, 1, 2), CB_OK);
	raw_exec(db, "UPDATE fingerprint_batches SET fps = substr(fps, 1, 1) WHERE id = 1");
	FILE *out = tmpfile();
	assert_non_null(out);
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	assert_int_equal(problems, 2); /* case 0's fingerprint is missing; batch 1 is not whole */
	rewind(out);
	char text[1024] = {0};
	assert_true(fread(text, 1, sizeof text - 1, out) > 0);
	fclose(out);
	assert_non_null(strstr(text, "1 imported cases have no stored fingerprint"));
	assert_non_null(strstr(text, "1 damaged fingerprint batches"));
	/* a damaged batch is an error for an import (once it reads it), not a reason to import twice */
	cb_store_free(&s);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(add_fp(s, 2, 3), CB_ECORRUPT);
	assert_int_equal(cb_store_count(s), 2);
	cb_store_free(&s);
}

/* New files fingerprint with SipHash-128; a file without that setting (made before it) keeps BLAKE2b, so that
 * its imported rows are still recognised; the setting cannot be changed through the store. */
static void test_hash_choice(void **state)
{
	(void)state;
	struct cb_err err = {0};
	uint8_t sip[16], sip2[16], blake[16];
	char *v = NULL;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	assert_int_equal(cb_store_meta_get(s, "fingerprint_hash", &v), CB_OK);
	assert_string_equal(v, "siphashx24");
	free(v);
	assert_int_equal(cb_store_meta_set(s, "fingerprint_hash", "blake2b", &err), CB_EPERM);
	cb_store_fingerprint(s, "a row", 5, sip);
	cb_store_free(&s);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	cb_store_fingerprint(s, "a row", 5, sip2);
	assert_memory_equal(sip, sip2, 16); /* stable across opens */
	cb_store_free(&s);
	raw_exec(db, "DELETE FROM meta WHERE key = 'fingerprint_hash'");
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	cb_store_fingerprint(s, "a row", 5, blake);
	assert_memory_not_equal(sip, blake, 16);
	uint8_t kdf[32], want[16], master[32];
	assert_int_equal(cb_keyfile_load(cbt_db_key(db), master, &err), CB_OK);
	cb_subkey(master, 1, "importfp", kdf);
	cb_keyed_hash16(kdf, "a row", 5, want);
	assert_memory_equal(blake, want, 16); /* exactly what older versions stored */
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batches),	     cmocka_unit_test(test_two_writers), cmocka_unit_test(test_erase_forgets),
		cmocka_unit_test(test_batch_ranges), cmocka_unit_test(test_migration),	 cmocka_unit_test(test_check),
		cmocka_unit_test(test_hash_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
