/*
 * test_store.c -- tests of src/store/ (store.c, records.c, schema.c): create and open, the key check,
 * add/get/update/erase with version conflicts, identifying details never on disk in plain text, erasure
 * destroying the key, fingerprints, the ensure-columns migration, the key store by seq (its migration, stale
 * keys), check finding damage, scan, bulk batches and loads, the one statement helper (cb_store_prep;
 * fingerprints.c has its own file).
 * A short insert-rate measurement is printed (the goal lives in bench/, not here).
 */
#define _GNU_SOURCE /* memmem */
#include "cb_test.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <time.h>

#include "crypto/crypto.h"
#include "store/store.h"
#include "store/store_impl.h"

#include "store_helpers.h"

static void test_create_open(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	const char *db = new_db();
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_ENOTFOUND);
	assert_null(s);
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	struct stat st;
	assert_int_equal(stat(cbt_db_key(db), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	if (cbt_sqlite_part("the case keys' file"))
		assert_int_equal(stat(with(db, ".casekeys"), &st), 0);
	/* refuses an existing database, and leaves its key alone */
	char *key = cbt_read(cbt_db_key(db), NULL);
	assert_int_equal(cb_store_create(db, &err), CB_EEXIST);
	char *key2 = cbt_read(cbt_db_key(db), NULL);
	assert_string_equal(key, key2);
	free(key);
	free(key2);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_store_count(s), 0);
	if (!cbt_on_pg()) /* the SQLite handle; none on PostgreSQL */
		assert_non_null(cb_store_db(s));
	cb_store_free(&s);
	assert_null(s);
	/* schema: no identifying detail has a column; coded fields do */
	assert_string_equal(cbt_db_column(db, "cases", "first_name"), "");
	assert_string_not_equal(cbt_db_column(db, "cases", "gender"), "");
	assert_int_equal(cbt_db_version(db), 15);
	/* step 5: the release ledger, empty (step 6: the blind index, tokens.c) */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM releases"), 0);
	/* step 7: users' own settings, empty */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM user_prefs"), 0);
	/* step 8: the ODK server's tables; step 9: the files of cases */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM odk_received"), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM attachments"), 0);
	/* the key store is missing: refused */
	if (cbt_sqlite_part("the case keys' file goes missing")) {
		assert_int_equal(rename(with(db, ".casekeys"), with(db, ".moved")), 0);
		assert_int_equal(cb_store_open(db, 0, &s, &err), CB_ENOTFOUND);
		assert_int_equal(rename(with(db, ".moved"), with(db, ".casekeys")), 0);
	}
}

static void test_wrong_key(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	const char *a = new_db(), *b = new_db();
	char akey[512], bkey[512];
	if (cbt_on_pg()) { /* no key file beside a server's database: each names its own */
		snprintf(akey, sizeof akey, "%s", cbt_path("a.key"));
		snprintf(bkey, sizeof bkey, "%s", cbt_path("b.key"));
		setenv("CASEBANK_KEY_FILE", akey, 1);
		assert_int_equal(cb_store_create(a, &err), CB_OK);
		setenv("CASEBANK_KEY_FILE", bkey, 1);
		assert_int_equal(cb_store_create(b, &err), CB_OK);
	} else {
		snprintf(akey, sizeof akey, "%s", with(a, ".key"));
		snprintf(bkey, sizeof bkey, "%s", with(b, ".key"));
		assert_int_equal(cb_store_create(a, &err), CB_OK);
		assert_int_equal(cb_store_create(b, &err), CB_OK);
	}
	setenv("CASEBANK_KEY_FILE", bkey, 1);
	assert_int_equal(cb_store_open(a, 0, &s, &err), CB_EKEY);
	assert_null(s);
	assert_non_null(strstr(err.msg, "does not belong"));
	assert_non_null(strstr(err.msg, bkey));
	/* an existing $CASEBANK_KEY_FILE is used by create */
	const char *c = new_db();
	assert_int_equal(cb_store_create(c, &err), CB_OK);
	if (!cbt_on_pg())
		assert_int_equal(access(with(c, ".key"), F_OK), -1);
	assert_int_equal(cb_store_open(c, 0, &s, &err), CB_OK);
	cb_store_free(&s);
	unsetenv("CASEBANK_KEY_FILE");
	assert_int_equal(cb_store_open(c, 0, &s, &err), CB_EKEY); /* no c.key; a URI needs CASEBANK_KEY_FILE */
	/* a missing key file is CB_EKEY, so is a readable-by-others one */
	if (cbt_on_pg())
		setenv("CASEBANK_KEY_FILE", akey, 1);
	assert_int_equal(cb_store_open(a, 0, &s, &err), CB_OK);
	cb_store_free(&s);
	assert_int_equal(rename(akey, cbt_path("a.away")), 0);
	assert_int_equal(cb_store_open(a, 0, &s, &err), CB_EKEY);
	assert_int_equal(rename(cbt_path("a.away"), akey), 0);
	assert_int_equal(chmod(akey, 0644), 0);
	assert_int_equal(cb_store_open(a, 0, &s, &err), CB_EKEY);
	assert_int_equal(chmod(akey, 0600), 0);
	unsetenv("CASEBANK_KEY_FILE"); /* the next cbt_db sets the binary's own again */
	/* a key store from another database is refused too */
	if (cbt_sqlite_part("the case keys' file of another database")) {
		assert_int_equal(rename(with(b, ".casekeys"), with(a, ".casekeys")), 0);
		assert_int_equal(cb_store_open(a, 0, &s, &err), CB_EKEY);
		assert_non_null(strstr(err.msg, "different database"));
	}
}

static void test_add_get_update(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c, got, stale;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	make_case(&c, 1, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_false(cb_case_id_is_zero(c.case_id));
	assert_int_equal(c.version, 1);
	assert_int_equal(c.year, 2011); /* derived */

	/* without CB_WITH_PII: coded only */
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_false(cb_case_has_pii(&got));
	assert_int_equal(got.gender, c.gender);
	assert_int_equal(got.exploitation_type, c.exploitation_type);
	assert_int_equal(got.registered_on, c.registered_on);
	assert_int_equal(got.citizenship, c.citizenship);
	assert_int_equal(got.consent_statistics, 1);
	assert_int_equal(got.version, 1);
	assert_string_equal(got.site, "KYIV-1");
	cb_case_clear(&got);
	assert_int_equal(cb_store_get(s, c.case_id, CB_WITH_PII, &got, &err), CB_OK);
	assert_string_equal(got.first_name, NAME1);
	assert_string_equal(got.narrative, STORY1);
	assert_null(got.email);

	/* update: version bumps; a stale copy conflicts */
	cb_case_init(&stale);
	assert_int_equal(cb_case_copy(&stale, &got), CB_OK);
	set(&got, "gender", "NonConforming");
	set(&got, "phone", "");
	assert_int_equal(cb_store_update(s, &got, CB_WITH_PII, &err), CB_OK);
	assert_int_equal(got.version, 2);
	assert_int_equal(cb_store_update(s, &stale, 0, &err), CB_ECONFLICT);
	cb_case_clear(&got);
	assert_int_equal(cb_store_get(s, c.case_id, CB_WITH_PII, &got, &err), CB_OK);
	assert_int_equal(got.version, 2);
	assert_int_equal(got.gender, CB_gender_NonConforming);
	assert_null(got.phone);
	assert_string_equal(got.last_name, NAME2);
	/* an update without details and without CB_WITH_PII keeps them */
	struct cb_case coded;
	assert_int_equal(cb_store_get(s, c.case_id, 0, &coded, &err), CB_OK);
	set(&coded, "status", "Closed");
	assert_int_equal(cb_store_update(s, &coded, 0, &err), CB_OK);
	cb_case_clear(&got);
	assert_int_equal(cb_store_get(s, c.case_id, CB_WITH_PII, &got, &err), CB_OK);
	assert_string_equal(got.first_name, NAME1);
	/* the status follows the workflow stage (defect 1 of issue 14): an update cannot close a case */
	assert_int_equal(got.status, CB_case_status_Active);
	assert_int_equal(got.case_stage, CB_case_stage_screening);
	/* invalid cases are refused with the codebook's error, nothing written */
	set(&coded, "site", "");
	assert_int_equal(cb_store_update(s, &coded, 0, &err), CB_EINVAL);
	assert_string_equal(err.field, "site");
	/* unknown id */
	cb_random_bytes(stale.case_id, 16);
	stale.version = 1;
	assert_int_equal(cb_store_update(s, &stale, 0, &err), CB_ENOTFOUND);
	assert_int_equal(cb_store_get(s, stale.case_id, 0, &coded, &err), CB_ENOTFOUND);

	cb_case_clear(&coded);
	cb_case_clear(&stale);
	cb_case_clear(&got);
	cb_case_clear(&c);
	cb_store_free(&s);
}

static void test_erase(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c, d, got;
	uint8_t wrapped[CB_WRAPPED_KEY_BYTES], sealed[4096], master[CB_KEY_BYTES], key[CB_KEY_BYTES];
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	make_case(&c, 2, true);
	make_case(&d, 3, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_store_add(s, &d, NULL, &err), CB_OK);
	const char *keys = cbt_db_keys(db);
	assert_int_equal(cbt_sql_blob(keys, "SELECT wrapped FROM casekeys WHERE case_id = ?1", c.case_id, 16, wrapped,
				      sizeof wrapped),
			 sizeof wrapped);
	size_t n = cbt_sql_blob(db, "SELECT pii FROM cases WHERE case_id = ?1", c.case_id, 16, sealed, sizeof sealed);
	assert_true(n > CB_SEAL_OVERHEAD);
	assert_int_equal(cb_keyfile_load(cbt_db_key(db), master, &err), CB_OK);
	assert_int_equal(cb_key_unwrap(master, c.case_id, wrapped, key), CB_OK); /* works before erasure */

	assert_int_equal(cb_store_erase(s, c.case_id, false, &err), CB_OK);
	/* coded record stays, details are gone */
	assert_int_equal(cb_store_get(s, c.case_id, CB_WITH_PII, &got, &err), CB_OK);
	assert_false(cb_case_has_pii(&got));
	assert_int_equal(got.gender, c.gender);
	assert_int_equal(got.version, 2);
	cb_case_clear(&got);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM cases WHERE pii IS NULL"), 1);
	/* the wrapped key is gone from every file of the key store (secure_delete + truncated WAL) */
	if (cbt_sqlite_part("the bytes of the files")) {
		assert_false(cbt_file_contains(keys, wrapped, sizeof wrapped));
		assert_false(cbt_file_contains(with(db, ".casekeys-wal"), wrapped, sizeof wrapped));
		assert_false(cbt_file_contains(db, sealed + 24, 32));
		assert_false(cbt_file_contains(with(db, "-wal"), sealed + 24, 32));
	}
	/* and without the wrapped key nothing opens the old ciphertext: no other key in the store does */
	uint8_t other[CB_WRAPPED_KEY_BYTES], plain[4096];
	assert_int_equal(cbt_sql_blob(keys, "SELECT wrapped FROM casekeys WHERE case_id = ?1", d.case_id, 16, other,
				      sizeof other),
			 sizeof other);
	assert_int_equal(cb_key_unwrap(master, c.case_id, other, key), CB_ECORRUPT);
	assert_int_equal(cb_key_unwrap(master, d.case_id, other, key), CB_OK);
	assert_int_equal(cb_unseal(key, c.case_id, 16, sealed, n, plain), CB_ECORRUPT);

	/* erase all: the row goes too */
	assert_int_equal(cb_store_erase(s, d.case_id, true, &err), CB_OK);
	assert_int_equal(cb_store_get(s, d.case_id, 0, &got, &err), CB_ENOTFOUND);
	assert_int_equal(cb_store_count(s), 1);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 0);
	assert_int_equal(cb_store_erase(s, d.case_id, true, &err), CB_ENOTFOUND);
	/* each erasure is in the audit trail, the refused one is not */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.erase_identifiers'"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.erase'"), 1);
	long problems = -1;
	FILE *out = tmpfile();
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	fclose(out);
	cb_wipe(master, sizeof master);
	cb_case_clear(&c);
	cb_case_clear(&d);
	cb_store_free(&s);
}

static void test_planted_names(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	for (int i = 0; i < 50; i++) {
		make_case(&c, i, true);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		if (i == 7) {
			set(&c, "email", "zorka.planted@example.org");
			assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
		}
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_event(s, "export.identifiers", NULL, "50 cases", &err), CB_OK);
	/* while open (pages in the WAL) and after closing (checkpointed into the files) */
	const char *planted[] = {NAME1, NAME2, PHONE1, STORY1, "Quellmark", "zorka.planted"};
	for (size_t i = 0; i < CB_COUNTOF(planted); i++)
		assert_nowhere(db, planted[i]);
	cb_store_free(&s);
	for (size_t i = 0; i < CB_COUNTOF(planted); i++)
		assert_nowhere(db, planted[i]);
	/* ... yet they are all there for whoever holds the key */
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_store_count(s), 50);
	make_case(&c, 0, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_EPERM);
	cb_case_clear(&c);
	cb_store_free(&s);
}

static int count_fn(const struct cb_case *c, void *ctx)
{
	long *n = ctx;
	if (c->first_name)
		assert_string_equal(c->first_name, NAME1);
	n[0]++;
	n[1] += c->first_name != NULL;
	return n[2] && n[0] == n[2] ? 42 : 0;
}

static void test_scan_fingerprint_bulk(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	uint8_t fp[16], fp2[16];
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	const char *keys = cbt_db_keys(db);
	cb_store_fingerprint(s, "row 1", 5, fp);
	cb_store_fingerprint(s, "row 2", 5, fp2);
	assert_memory_not_equal(fp, fp2, 16);

	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < 30; i++) {
		make_case(&c, i, i % 3 == 0);
		uint8_t f[16];
		char row[16];
		snprintf(row, sizeof row, "row %d", i);
		cb_store_fingerprint(s, row, strlen(row), f);
		assert_int_equal(cb_store_add(s, &c, f, &err), CB_OK);
		cb_case_clear(&c);
	}
	/* the same row again (a new id, same fingerprint): refused, nothing written */
	make_case(&c, 1, true);
	assert_int_equal(cb_store_add(s, &c, fp, &err), CB_EEXIST);
	assert_null(strstr(err.msg, NAME1));
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(cb_store_count(s), 30);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 10);
	assert_int_equal(cb_store_add(s, &c, fp, &err), CB_EEXIST);
	assert_int_equal(cb_store_count(s), 30);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 10);
	/* the same id again */
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	uint8_t id[16];
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
	make_case(&c, 2, true);
	memcpy(c.case_id, id, 16);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_EEXIST);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 11);
	cb_case_clear(&c);

	/* a rolled-back batch leaves nothing */
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	make_case(&c, 5, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_case_clear(&c);
	cb_store_rollback(s);
	assert_int_equal(cb_store_count(s), 31);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 11);

	/* scan: all, by site, by status, early stop, with details */
	long n[3] = {0, 0, 0};
	assert_int_equal(cb_store_scan(s, NULL, 0, count_fn, n, &err), CB_OK);
	assert_int_equal(n[0], 31);
	assert_int_equal(n[1], 0);
	memset(n, 0, sizeof n);
	assert_int_equal(cb_store_scan(s, NULL, CB_WITH_PII, count_fn, n, &err), CB_OK);
	assert_int_equal(n[1], 11);
	memset(n, 0, sizeof n);
	struct cb_store_filter f = {.site = "KYIV-1", .status = CB_NA};
	assert_int_equal(cb_store_scan(s, &f, 0, count_fn, n, &err), CB_OK);
	assert_int_equal(n[0], 16); /* 15 odd of 30, and the extra case 1 */
	memset(n, 0, sizeof n);
	f.status = CB_case_status_Closed;
	assert_int_equal(cb_store_scan(s, &f, 0, count_fn, n, &err), CB_OK);
	assert_int_equal(n[0], 5); /* odd and divisible by 3 below 30: 3 9 15 21 27 */
	memset(n, 0, sizeof n);
	n[2] = 4;
	assert_int_equal(cb_store_scan(s, NULL, 0, count_fn, n, &err), 42);
	assert_int_equal(n[0], 4);

	/* meta and events */
	char *v = NULL;
	assert_int_equal(cb_store_meta_get(s, "policy.min_cell", &v), CB_ENOTFOUND);
	assert_int_equal(cb_store_meta_set(s, "policy.min_cell", "5", &err), CB_OK);
	assert_int_equal(cb_store_meta_set(s, "policy.min_cell", "10", &err), CB_OK);
	assert_int_equal(cb_store_meta_get(s, "policy.min_cell", &v), CB_OK);
	assert_string_equal(v, "10");
	free(v);
	assert_int_equal(cb_store_meta_set(s, "key_check", "00", &err), CB_EPERM);
	assert_int_equal(cb_store_event(s, "erase", id, NULL, &err), CB_OK);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM events WHERE action = 'erase'"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM cases WHERE record_key < 0 OR record_key > 255"), 0);
	cb_store_free(&s);
}

static void test_ensure_columns(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c, got;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	make_case(&c, 4, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_store_free(&s);
	/* an older database: no education column yet */
	raw_exec(db, "ALTER TABLE cases DROP COLUMN education");
	assert_string_equal(cbt_db_column(db, "cases", "education"), "");
	/* read-only cannot upgrade and says so */
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_EDB);
	assert_non_null(strstr(err.msg, "upgrade"));
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_string_equal(cbt_db_column(db, "cases", "education"), "TEXT");
	/* old rows read back with the new field missing; new rows store it */
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_int_equal(got.education, CB_NA);
	const struct cb_vset *ed = cb_fields[CB_FLD_education].vset;
	set(&got, "education", ed->values[1].name);
	assert_int_equal(cb_store_update(s, &got, 0, &err), CB_OK);
	cb_case_clear(&got);
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_int_equal(got.education, 1);
	cb_case_clear(&got);
	cb_case_clear(&c);
	cb_store_free(&s);
	/* a database from a newer casebank is refused */
	raw_exec(db, cbt_on_pg() ? "UPDATE meta SET value = '99' WHERE key = 'schema_version'" : "PRAGMA user_version = 99");
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_EDB);
	assert_non_null(strstr(err.msg, "newer"));
}

static void test_check_finds_damage(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	char idt[CB_ID_TEXT], id2t[CB_ID_TEXT], *text = NULL;
	size_t len = 0;
	long problems = -1;
	uint8_t id2[16];
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	for (int i = 0; i < 5; i++) {
		make_case(&c, i, true);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		if (i == 0)
			cb_case_id_format(c.case_id, idt);
		if (i == 1) {
			memcpy(id2, c.case_id, 16);
			cb_case_id_format(c.case_id, id2t);
		}
		cb_case_clear(&c);
	}
	FILE *out = tmpfile();
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	fclose(out);
	cb_store_free(&s);

	/* an invalid enum value in case 1, a case without a key (case 2), an unused key */
	raw_exec(db, "UPDATE cases SET gender = 'Martian' WHERE seq = 1");
	raw_exec(cbt_db_keys(db), cbt_on_pg() ? "INSERT INTO casekeys(seq, case_id, wrapped) VALUES"
						" (6, decode(repeat('00', 16), 'hex'), decode(repeat('00', 72), 'hex'))"
					      : "INSERT INTO casekeys(seq, case_id, wrapped) VALUES (6, zeroblob(16), zeroblob(72))");
	cbt_sql_blob(cbt_db_keys(db), "DELETE FROM casekeys WHERE case_id = ?1", id2, 16, NULL, 0);

	/* read-only, as `casebank check` opens it (a read-write open would delete the unused key: it lies above
	 * every case) */
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	const char *report = cbt_path("check.txt");
	out = fopen(report, "w");
	assert_non_null(out);
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	fclose(out);
	text = cbt_read(report, &len);
	assert_non_null(text);
	assert_int_equal(problems, 3);
	char line[256];
	snprintf(line, sizeof line, "case %s: Gender: 'Martian'", idt); /* the field by its label */
	if (!strstr(text, line))
		fail_msg("no line about the bad gender in:\n%s", text);
	snprintf(line, sizeof line, "case %s: pii: sealed identifying details without a case key", id2t);
	assert_non_null(strstr(text, line));
	assert_non_null(strstr(text, "AAAAAAAAAAAAAAAAAAAAAAAAAA: pii: unused case key"));
	assert_null(strstr(text, NAME1));
	/* reading the damaged case is an error naming the field; the keyless one reads without details */
	struct cb_case got;
	uint8_t id1[16];
	assert_int_equal(cb_case_id_parse(idt, id1), CB_OK);
	assert_int_equal(cb_store_get(s, id1, 0, &got, &err), CB_ECORRUPT);
	assert_string_equal(err.field, "gender");
	assert_int_equal(cb_store_get(s, id2, CB_WITH_PII, &got, &err), CB_OK);
	assert_false(cb_case_has_pii(&got));
	cb_case_clear(&got);
	free(text);
	cb_store_free(&s);
}

/* A key store of schema version 1 (keyed by case id) is converted to keys by seq on open: every key lands in
 * its case's slot, keys of no case go, and details still open. */
static void test_key_store_by_seq_migration(void **state)
{
	(void)state;
	cbt_sqlite_only("the key store's schema steps (a PostgreSQL database is made at the current version)");
	struct cb_err err = {0};
	struct cb_case c;
	uint8_t ids[4][16];
	long problems = -1;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	for (int i = 0; i < 4; i++) {
		make_case(&c, i, i != 2); /* case 2 has no details, so no key */
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		memcpy(ids[i], c.case_id, 16);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_erase(s, ids[0], true, &err), CB_OK); /* seq 1 and its key are gone */
	cb_store_free(&s);
	const char *keys = cbt_db_keys(db);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 2);
	assert_int_equal(cbt_sql_int(keys, "SELECT min(seq) FROM casekeys"), 2);
	assert_int_equal(cbt_sql_int(keys, "SELECT max(seq) FROM casekeys"), 4);

	/* back to version 1, with an unused key (its case never committed) */
	raw_exec(keys, "BEGIN;"
		       "CREATE TABLE v1(case_id BLOB PRIMARY KEY CHECK(length(case_id) = 16),"
		       " wrapped BLOB NOT NULL CHECK(length(wrapped) = 72)) WITHOUT ROWID;"
		       "INSERT INTO v1 SELECT case_id, wrapped FROM casekeys;"
		       "INSERT INTO v1 VALUES (zeroblob(16), zeroblob(72));"
		       "DROP TABLE casekeys; ALTER TABLE v1 RENAME TO casekeys; PRAGMA user_version = 1; COMMIT;");
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 3);

	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cbt_sql_int(keys, "PRAGMA user_version"), 2);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 2);
	assert_int_equal(cbt_sql_int(keys, "SELECT sum(seq) FROM casekeys"), 2 + 4);
	for (int i = 1; i < 4; i++) {
		assert_int_equal(cb_store_get(s, ids[i], CB_WITH_PII, &c, &err), CB_OK);
		if (i == 2)
			assert_null(c.first_name);
		else
			assert_string_equal(c.first_name, NAME1);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_check(s, stderr, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	/* details added later get a key in the case's own slot */
	assert_int_equal(cb_store_get(s, ids[2], 0, &c, &err), CB_OK);
	set(&c, "first_name", NAME1);
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
	cb_case_clear(&c);
	assert_int_equal(cbt_sql_int(keys, "SELECT sum(seq) FROM casekeys"), 2 + 3 + 4);
	assert_int_equal(cb_store_get(s, ids[2], CB_WITH_PII, &c, &err), CB_OK);
	assert_string_equal(c.first_name, NAME1);
	cb_case_clear(&c);
	cb_store_free(&s);
}

/* A key a crash left in a slot (committed before its case, whose commit never came) is not taken for the key
 * of the case that later gets the slot, and is replaced when that case needs one. */
static void test_stale_key_in_slot(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	uint8_t id[16];
	long problems = -1;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	const char *keys = cbt_db_keys(db);
	/* planted while the store is open: an open would delete it (it lies above every case) */
	raw_exec(keys, cbt_on_pg() ? "INSERT INTO casekeys(seq, case_id, wrapped) VALUES"
				     " (1, decode(md5(random()::text), 'hex'), decode(repeat('00', 72), 'hex'))"
				   : "INSERT INTO casekeys(seq, case_id, wrapped) VALUES (1, randomblob(16), zeroblob(72))");
	make_case(&c, 1, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK); /* seq 1, no details: the stale key stays */
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
	assert_int_equal(cb_store_check(s, stderr, &problems, &err), CB_OK);
	assert_int_equal(problems, 1); /* the unused key */
	assert_int_equal(cb_store_get(s, id, 0, &c, &err), CB_OK);
	set(&c, "first_name", NAME1);
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK); /* not "fails authentication" */
	cb_case_clear(&c);
	assert_int_equal(cb_store_get(s, id, CB_WITH_PII, &c, &err), CB_OK);
	assert_string_equal(c.first_name, NAME1);
	cb_case_clear(&c);
	assert_int_equal(cb_store_check(s, stderr, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 1);
	cb_store_free(&s);
}

/* Parameters left NULL from one row to the next are not rebound: a value must never leak into the next row. */
static void test_null_bindings(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c[4], got;
	uint8_t first[16];
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	const char *ed = cb_fields[CB_FLD_education].vset->values[2].name;
	for (int i = 0; i < 4; i++) {
		make_case(&c[i], i, false);
		if (i % 2 == 0)
			set(&c[i], "education", ed);
		if (i == 1)
			set(&c[i], "exploitation_type", "");
		assert_int_equal(cb_store_add(s, &c[i], NULL, &err), CB_OK);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cb_store_get(s, c[i].case_id, 0, &got, &err), CB_OK);
		assert_int_equal(got.education, i % 2 == 0 ? 2 : CB_NA);
		assert_true(got.exploitation_type == c[i].exploitation_type);
		assert_int_equal(got.registered_on, c[i].registered_on);
		cb_case_clear(&got);
	}
	memcpy(first, c[0].case_id, 16);
	for (int i = 0; i < 4; i++)
		cb_case_clear(&c[i]);
	/* and the same through update */
	assert_int_equal(cb_store_get(s, first, 0, &got, &err), CB_OK);
	set(&got, "education", "");
	assert_int_equal(cb_store_update(s, &got, 0, &err), CB_OK);
	cb_case_clear(&got);
	assert_int_equal(cb_store_get(s, first, 0, &got, &err), CB_OK);
	assert_int_equal(got.education, CB_NA);
	cb_case_clear(&got);

	/* values kept bound from one case to the next: same, changed, gone, back, across a schema change */
	const char *eds[] = {ed, ed, cb_fields[CB_FLD_education].vset->values[3].name, "", ed, ed};
	const char *years[] = {"1980", "1980", "1981", "", "1981", "1981"};
	uint8_t ids[6][16];
	for (int i = 0; i < 6; i++) {
		make_case(&c[0], 1, false);
		set(&c[0], "education", eds[i]);
		set(&c[0], "birth_year", years[i]);
		if (i == 4) /* the statement is prepared again (SQLite) or planned again: the bindings must still hold */
			assert_int_equal(cb_db_exec(s->db, "CREATE TABLE t4(x INTEGER)"), CB_OK);
		assert_int_equal(cb_store_add(s, &c[0], NULL, &err), CB_OK);
		memcpy(ids[i], c[0].case_id, 16);
		cb_case_clear(&c[0]);
	}
	for (int i = 0; i < 6; i++) {
		assert_int_equal(cb_store_get(s, ids[i], 0, &got, &err), CB_OK);
		assert_int_equal(got.education, *eds[i] ? cb_value_find(cb_fields[CB_FLD_education].vset, eds[i]) : CB_NA);
		assert_int_equal(got.birth_year, *years[i] ? atoi(years[i]) : CB_NA);
		cb_case_clear(&got);
	}
	cb_store_free(&s);
}

/* The journal mode a new connection finds a file in: "wal", or "delete" for any rollback-journal mode. */
static bool in_wal(const char *file)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	bool wal = false;
	assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	wal = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return wal;
}

/* n cases with identifying details in one bulk transaction. */
static void add_batch(struct cb_store *s, int n)
{
	struct cb_err err = {0};
	struct cb_case c;
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < n; i++) {
		make_case(&c, i, true);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
}

/* A bulk load runs both files in rollback-journal mode when it has them to itself, stays in WAL when
 * another connection is open, and a crash in the middle leaves whole batches and files that the next open
 * returns to WAL. */
static void test_bulk_load(void **state)
{
	(void)state;
	cbt_sqlite_only("the files' journal modes");
	struct cb_err err = {0};
	bool exclusive = false;
	long problems = -1;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	char keys[512];
	snprintf(keys, sizeof keys, "%s", with(db, ".casekeys"));
	assert_true(in_wal(db) && in_wal(keys));

	assert_int_equal(cb_store_load_begin(s, &exclusive, &err), CB_OK);
	assert_true(exclusive);
	assert_int_equal(cb_store_load_begin(s, NULL, &err), CB_EINVAL);
	assert_false(in_wal(db) || in_wal(keys));
	add_batch(s, 20);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	add_batch(s, 5);
	cb_store_rollback(s);
	cb_store_load_end(s);
	assert_true(in_wal(db) && in_wal(keys));
	assert_int_equal(cb_store_count(s), 20);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 20);
	struct stat st;
	assert_int_not_equal(stat(with(db, "-journal"), &st), 0);
	assert_int_not_equal(stat(with(db, ".casekeys-journal"), &st), 0);

	/* somebody else has the database open (as a server would): the load stays in WAL */
	sqlite3 *other = NULL;
	assert_int_equal(sqlite3_open_v2(db, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "SELECT count(*) FROM cases", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(cb_store_load_begin(s, &exclusive, &err), CB_OK);
	assert_false(exclusive);
	assert_true(in_wal(db) && in_wal(keys));
	add_batch(s, 3);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	cb_store_load_end(s);
	sqlite3_close(other);
	assert_int_equal(cb_store_count(s), 23);
	cb_store_free(&s);

	/* killed in the middle of a load: one batch committed, the next one open */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cb_store *cs = NULL;
		if (cb_store_open(db, 0, &cs, &err) != CB_OK || cb_store_load_begin(cs, &exclusive, &err) != CB_OK ||
		    !exclusive)
			_exit(1);
		add_batch(cs, 10);
		if (cb_store_commit(cs, &err) != CB_OK)
			_exit(1);
		add_batch(cs, 10);
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	int wst;
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
	assert_false(in_wal(db) || in_wal(keys));
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_true(in_wal(db) && in_wal(keys));
	assert_int_equal(cb_store_count(s), 33);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 33);
	assert_int_equal(cb_store_check(s, stderr, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	/* a load left open is ended by cb_store_free, which returns the files to WAL */
	assert_int_equal(cb_store_load_begin(s, &exclusive, &err), CB_OK);
	assert_true(exclusive);
	cb_store_free(&s);
	assert_true(in_wal(db) && in_wal(keys));
	assert_nowhere(db, NAME1);
	assert_nowhere(db, STORY1);
}

struct prep_job {
	struct cb_store *s;
	struct cb_case c;
	struct cb_prepared *p;
	int rc;
};

static void *prep_thread(void *arg)
{
	struct prep_job *j = arg;
	struct cb_err err = {0};
	uint8_t fp[16] = {1, 2, 3};
	j->rc = cb_store_prepare(j->s, &j->c, fp, j->p, &err);
	return NULL;
}

/* cb_store_prepare on another thread, cb_store_write on this one: the same case as cb_store_add stores;
 * an invalid case is refused by prepare; a second write of the same fingerprint is CB_EEXIST. */
static void test_prepare_write(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case got;
	struct prep_job j = {.p = cb_prepared_new()};
	pthread_t t;
	const char *db = new_db();
	j.s = open_new(db);
	assert_non_null(j.p);
	make_case(&j.c, 3, true);
	assert_int_equal(pthread_create(&t, NULL, prep_thread, &j), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(j.rc, CB_OK);
	assert_false(cb_case_id_is_zero(j.c.case_id));
	assert_int_equal(cb_store_write(j.s, j.p, &err), CB_OK);
	assert_int_equal(cb_store_get(j.s, j.c.case_id, CB_WITH_PII, &got, &err), CB_OK);
	assert_string_equal(got.first_name, NAME1);
	assert_string_equal(got.narrative, STORY1);
	assert_int_equal(got.version, 1);
	cb_case_clear(&got);
	assert_int_equal(cb_store_write(j.s, j.p, &err), CB_EEXIST);
	cb_case_clear(&j.c);
	make_case(&j.c, 4, false);
	set(&j.c, "site", "");
	assert_int_equal(cb_store_prepare(j.s, &j.c, NULL, j.p, &err), CB_EINVAL);
	assert_int_equal(cb_store_count(j.s), 1);
	cb_case_clear(&j.c);
	cb_prepared_free(&j.p);
	assert_null(j.p);
	cb_store_free(&j.s);
	assert_nowhere(db, NAME1);
	assert_nowhere(db, STORY1);
}

/* Not a goal (bench/ has those): prints the bulk insert rate so a regression is visible in the log. */
static void test_insert_rate(void **state)
{
	(void)state;
	struct cb_err err = {0};
	const char *env = getenv("CBT_BENCH_ROWS");
	const int rows = env ? atoi(env) : 20000;
	struct cb_case *cs = calloc((size_t)rows, sizeof *cs);
	assert_non_null(cs);
	for (int i = 0; i < rows; i++)
		make_case(&cs[i], i, i % 2 == 0);
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < rows; i++) {
		uint8_t fp[16];
		cb_store_fingerprint(s, &i, sizeof i, fp);
		if (cb_store_add(s, &cs[i], fp, &err) != CB_OK)
			fail_msg("add %d: %s", i, err.msg);
	}
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# store: %d cases (half with identifying details) in %.2f s: %.0f cases/s\n", rows, sec, rows / sec);
	assert_int_equal(cb_store_count(s), rows);
	for (int i = 0; i < rows; i++)
		cb_case_clear(&cs[i]);
	free(cs);
	cb_store_free(&s);
}

static int count_row(const struct cb_release_row *r, void *ctx)
{
	assert_non_null(r->data); /* asked with the data */
	(*(int *)ctx)++;
	return CB_OK;
}

/* The release ledger (releases.c): each row with its audit entry; append-only; with a cap, a row that would
 * take its year over it is refused inside the transaction that would add it, so that releases made at the
 * same time cannot together spend more than the cap. */
static void test_release_ledger(void **state)
{
	(void)state;
	struct cb_err err = {0};
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	uint8_t data[3] = {1, 2, 3};
	struct cb_release_row r = {.year = 2020, .rho = 0.2, .cases = 3, .data = data, .len = 3, .capped = true, .cap = 0.4};
	assert_int_equal(cb_store_release_add(s, &r, &err), CB_OK);
	int64_t first = r.id, newest = 0;
	assert_true(first > 0);
	assert_int_equal(cb_store_release_add(s, &r, &err), CB_OK); /* 0.4: up to the cap */
	assert_true(r.id > first);
	assert_int_equal(cb_store_release_add(s, &r, &err), CB_EPERM);
	assert_non_null(strstr(err.msg, "would exceed its cap"));
	r.capped = false; /* unchecked, as a caller that does its own accounting */
	r.year = 2021;
	assert_int_equal(cb_store_release_add(s, &r, &err), CB_OK);
	assert_int_equal(cb_store_release_newest(s, &newest, &err), CB_OK);
	assert_int_equal(newest, r.id);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM releases"), 3);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM releases WHERE year = 2020"), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM events WHERE action = 'stats.release'"), 3);
	int n = 0;
	assert_int_equal(cb_store_releases(s, true, true, count_row, &n, &err), CB_OK);
	assert_int_equal(n, 2); /* the newest of each year */
	cb_store_free(&s);
	/* a spent budget is never handed back */
	assert_false(cbt_sql_ok(db, "DELETE FROM releases"));
	assert_false(cbt_sql_ok(db, "UPDATE releases SET rho = 0.01"));
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM releases WHERE rho = 0.2"), 3);
}

/* A writer killed (kill -9) in the middle of a commit in rollback-journal mode (as a bulk load runs) leaves a
 * hot journal, which only a connection that may write can roll back.  Read-only opens must still work: the
 * store recovers the files first. */
static void killed_writer(const char *file, const char *mode)
{
	int fds[2];
	char c = 0;
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sqlite3 *raw = NULL;
		char sql[256];
		close(fds[0]);
		/* a tiny page cache: the changed pages spill into the file before the commit, as in a large batch */
		snprintf(sql, sizeof sql,
			 "PRAGMA journal_mode=%s; PRAGMA cache_size=4; BEGIN IMMEDIATE;"
			 " UPDATE cases SET updated_at = updated_at + 1; UPDATE cases SET updated_at = updated_at + 1;",
			 mode);
		if (sqlite3_open_v2(file, &raw, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
		    sqlite3_exec(raw, sql, NULL, NULL, NULL) != SQLITE_OK)
			c = 1;
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(c, 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fds[0]);
}

static char ro_mount[512];
static void ro_umount(void) /* if a test failed before it unmounted */
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "umount -l '%s' 2>/dev/null", ro_mount);
	if (ro_mount[0] && system(cmd) != 0)
		ro_mount[0] = 0;
}

static void test_readonly_after_crash(void **state)
{
	(void)state;
	cbt_sqlite_only("a hot journal left by a killed writer");
	struct cb_err err = {0};
	struct cb_store *s;
	struct cb_case c;
	struct stat st;
	const char *db = new_db();
	long problems = -1;
	char *out = NULL, *errs = NULL;
	s = open_new(db);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < 3000; i++) {
		make_case(&c, i, i % 2);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	cb_store_free(&s);
	assert_int_equal(cbt_run(NULL, NULL, "%s release '%s' >/dev/null", cbt_bin(), db), 0); /* for stats, report */

	killed_writer(db, "truncate");
	assert_int_equal(stat(with(db, "-journal"), &st), 0);
	assert_true(st.st_size > 0); /* hot: the killed writer had changed the file */
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_store_count(s), 3000);
	FILE *f = tmpfile();
	assert_int_equal(cb_store_check(s, f, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	fclose(f);
	cb_store_free(&s);
	/* the commands that open read-only, as the operator runs them */
	killed_writer(db, "truncate");
	assert_int_equal(cbt_run(&out, &errs, "%s list '%s' | wc -l", cbt_bin(), db), 0);
	assert_int_equal(atoi(out), 3001); /* a header line, then one per case */
	assert_null(strstr(errs, "readonly"));
	free(out);
	free(errs);
	char report[300];
	snprintf(report, sizeof report, "report --out '%s'", cbt_path("crash-report.html"));
	const char *cmds[] = {"check", "audit verify", "stats --by gender", report};
	for (size_t i = 0; i < CB_COUNTOF(cmds); i++) {
		killed_writer(db, "truncate");
		int rc = strncmp(cmds[i], "audit", 5) ? cbt_run(NULL, &errs, "%s %s '%s' >/dev/null", cbt_bin(), cmds[i], db)
						       : cbt_run(NULL, &errs, "%s audit verify '%s' >/dev/null", cbt_bin(), db);
		if (rc != 0)
			fail_msg("%s after a crash: %s", cmds[i], errs);
		free(errs);
	}
	/* where the files may not be written (here: a file system mounted read-only, where even root may not), the
	 * command says what to run */
	const char *ro = cbt_path("ro");
	assert_int_equal(mkdir(ro, 0700), 0);
	if (cbt_run(NULL, NULL, "mount -t tmpfs -o size=16m tmpfs '%s'", ro) == 0) {
		snprintf(ro_mount, sizeof ro_mount, "%s", ro);
		atexit(ro_umount);
		char rodb[600];
		snprintf(rodb, sizeof rodb, "%s/r.db", ro);
		assert_int_equal(cbt_run(NULL, NULL, "cp -p '%s' '%s'; cp -p '%s.casekeys' '%s.casekeys'; cp -p '%s.key' '%s.key'",
					 db, rodb, db, rodb, db, rodb),
				 0);
		killed_writer(rodb, "truncate");
		assert_int_equal(cbt_run(NULL, NULL, "mount -o remount,ro '%s'", ro), 0);
		assert_int_equal(cbt_run(NULL, &errs, "%s list '%s'", cbt_bin(), rodb), 1);
		if (!strstr(errs, "a crash left it half-written") || !strstr(errs, "casebank check"))
			fail_msg("read-only after a crash: %s", errs);
		free(errs);
		assert_int_equal(cbt_run(NULL, NULL, "umount '%s'", ro), 0);
		ro_mount[0] = 0;
	} else {
		print_message("cannot mount a tmpfs here: the read-only file system is not tried\n");
	}
	/* the same for a writer killed in WAL mode */
	killed_writer(db, "wal");
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_store_count(s), 3000);
	cb_store_free(&s);
}

/* Keys above the last case are what a batch leaves when its commit on DB fails after the key store's did (a
 * full disk): the next read-write open deletes them, a read-only one leaves them to check to report. */
static void test_unused_keys_swept(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	long problems = -1;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	for (int i = 0; i < 3; i++) {
		make_case(&c, i, true);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
	cb_store_free(&s);
	const char *keys = cbt_db_keys(db);
	raw_exec(keys, cbt_on_pg() ? "INSERT INTO casekeys(seq, case_id, wrapped)"
				     " SELECT seq + 1000, decode(md5(random()::text), 'hex'), wrapped FROM casekeys"
				   : "INSERT INTO casekeys(seq, case_id, wrapped)"
				     " SELECT seq + 1000, randomblob(16), wrapped FROM casekeys");
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 6);
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	FILE *out = tmpfile();
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	assert_int_equal(problems, 3);
	fclose(out);
	cb_store_free(&s);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 3);
	out = tmpfile();
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	assert_int_equal(problems, 0);
	fclose(out);
	cb_store_free(&s);
}

/* A retention run killed (kill -9) at any moment: every case still has either its sealed details and their
 * key, or neither and an audit entry saying it was erased; the next read-write open finishes what was half
 * done and says so, and then no key of an erased case is left.  The kill comes at the k-th fdatasync for k =
 * 1, 2, ... (strace's fault injection: every point between two durable writes), or, without strace, a little
 * later each time once erasures show up. */
static void killed_erase(const char *db, int k, bool use_strace)
{
	char cmd[1200];
	if (use_strace) {
		snprintf(cmd, sizeof cmd,
			 "strace -f -qq -o /dev/null -e trace=fdatasync -e inject=fdatasync:signal=SIGKILL:when=%d"
			 " %s erase '%s' --closed-before 2999-01-01 >/dev/null 2>&1",
			 k, cbt_bin(), db);
		cbt_run(NULL, NULL, "%s", cmd);
		return;
	}
	snprintf(cmd, sizeof cmd, "exec %s erase '%s' --closed-before 2999-01-01 >/dev/null 2>&1", cbt_bin(), db);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 2000 && cbt_sql_int(db, "SELECT count(*) FROM audit") < k * 3; i++)
		usleep(500);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Keeps the database as it is (SQLite: copies of its files; PostgreSQL: a copy of the database, made from it
 * as a template), or puts that back. */
static void db_keep(const char *db, bool back)
{
	static const char *const files[] = {"", ".casekeys", ".key"};
	if (cbt_on_pg()) {
		char name[128], sql[400];
		snprintf(name, sizeof name, "%.*s", (int)strcspn(db + 14, "?"), db + 14); /* postgresql:///NAME?... */
		if (back) {
			snprintf(sql, sizeof sql, "DROP DATABASE \"%s\" WITH (FORCE)", name);
			cbt_pg_sql("postgres", sql);
			snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE \"%s_orig\" STRATEGY FILE_COPY", name, name);
		} else {
			snprintf(sql, sizeof sql, "CREATE DATABASE \"%s_orig\" TEMPLATE \"%s\" STRATEGY FILE_COPY", name, name);
		}
		cbt_pg_sql("postgres", sql);
		return;
	}
	for (size_t i = 0; i < CB_COUNTOF(files); i++)
		assert_int_equal(back ? cbt_run(NULL, NULL, "cp -p '%s.orig%s' '%s%s'", db, files[i], db, files[i])
				      : cbt_run(NULL, NULL, "cp -p '%s%s' '%s.orig%s'", db, files[i], db, files[i]),
				 0);
}

static void test_killed_retention_run(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c;
	const char *db = new_db();
	const char *keys = cbt_db_keys(db);
	const int n = 1100; /* two steps of ERASE_CHUNK */
	struct cb_store *s = open_new(db);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < n; i++) {
		make_case(&c, i, true);
		set(&c, "status", "Closed");
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	cb_store_free(&s);
	db_keep(db, false); /* each attempt starts from here */
	/* (a PostgreSQL client makes no fdatasync: the server's commits are where durability is) */
	bool use_strace = !cbt_on_pg() && cbt_run(NULL, NULL, "strace -qq -o /dev/null -e trace=fdatasync true") == 0;
	long finished = 0;
	bool said = false;
	/* PostgreSQL: killed by timing, which lands after the first step's commit (its entries show at once), and
	 * each attempt costs seconds of round trips: one */
	for (int k = 1; k <= (cbt_on_pg() ? 1 : 12); k++) {
		db_keep(db, true);
		killed_erase(db, k, use_strace);
		/* no case has details without their key (check reads them all) */
		assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
		long problems = 0;
		FILE *out = tmpfile();
		assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
		rewind(out);
		char line[512];
		while (fgets(line, sizeof line, out))
			if (!strstr(line, "erasure was interrupted"))
				fail_msg("killed at %d: %s", k, line);
		fclose(out);
		cb_store_free(&s);
		/* and none without its audit entry */
		assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM cases WHERE pii IS NULL AND case_id NOT IN"
					     " (SELECT case_id FROM audit WHERE action = 'case.erase_identifiers')"),
				 0);
		/* a read-write open finishes what was half done, and the next run says so: no key of an erased case
		 * is left */
		if (cbt_sql_int(db, "SELECT count(*) FROM meta WHERE key = 'erasing'") > 0 && !said) {
			char *text = NULL;
			assert_int_equal(cbt_run(&text, NULL, "%s erase '%s' --closed-before 2999-01-01", cbt_bin(), db), 0);
			said = strstr(text, "interrupted run had begun: finished") != NULL;
			assert_true(said);
			free(text);
			assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM cases WHERE pii IS NOT NULL"), 0);
		}
		assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
		finished += cb_store_erasures_finished(s);
		assert_no_problems(s);
		cb_store_free(&s);
		assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"),
				 cbt_sql_int(db, "SELECT count(*) FROM cases WHERE pii IS NOT NULL"));
	}
	print_message("%s: %ld interrupted erasures finished by the next open\n",
		      use_strace ? "killed at each fdatasync" : "killed by timing", finished);
	if (use_strace) /* some kill fell between an erasure's commit and its keys' */
		assert_true(said || finished > 0);
	/* the last one killed: the next run completes the job */
	assert_int_equal(cbt_run(NULL, NULL, "%s erase '%s' --closed-before 2999-01-01", cbt_bin(), db), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM cases WHERE pii IS NOT NULL"), 0);
	assert_int_equal(cbt_sql_int(keys, "SELECT count(*) FROM casekeys"), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(DISTINCT case_id) FROM audit WHERE action = 'case.erase_identifiers'"), n);
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_no_problems(s);
	cb_store_free(&s);
}

/* The key store holds the case keys as the key file holds the master key: both files are made for their owner
 * only, whatever the umask, and a key store that group or others may read is refused like the key file. */
static void test_key_store_permissions(void **state)
{
	(void)state;
	cbt_sqlite_only("the modes of the database's files");
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct stat st;
	const char *db = new_db();
	mode_t old = umask(022);
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	umask(old);
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(with(db, ".casekeys"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	const char *files[] = {".casekeys", ".casekeys-wal"};
	for (size_t i = 0; i < CB_COUNTOF(files); i++) {
		const char *f = with(db, files[i]);
		assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK); /* the WAL exists while it is open */
		assert_int_equal(chmod(f, 0640), 0);
		struct cb_store *t = NULL;
		assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &t, &err), CB_EKEY);
		assert_null(t);
		assert_non_null(strstr(err.msg, "group or others"));
		assert_non_null(strstr(err.msg, "chmod 600"));
		assert_int_equal(cb_store_open(db, 0, &t, &err), CB_EKEY);
		assert_int_equal(chmod(f, 0600), 0);
		assert_int_equal(cb_store_open(db, 0, &t, &err), CB_OK);
		cb_store_free(&t);
		cb_store_free(&s);
	}
	/* as the operator sees it */
	assert_int_equal(chmod(with(db, ".casekeys"), 0644), 0);
	char *errs = NULL;
	assert_int_equal(cbt_run(NULL, &errs, "%s list '%s'", cbt_bin(), db), 1);
	assert_non_null(strstr(errs, "case-key store is accessible by group or others"));
	free(errs);
}

/* How many times the 32 bytes key ^ mask (masked, so that the search itself holds no copy) occur in the
 * readable memory of this process. */
static long in_memory(const uint8_t masked[CB_KEY_BYTES], uint8_t mask)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	int mem = open("/proc/self/mem", O_RDONLY);
	size_t cap = 1 << 20;
	uint8_t *buf = malloc(cap);
	char line[512];
	long hits = 0;
	assert_non_null(maps);
	assert_true(mem >= 0);
	assert_non_null(buf);
	while (fgets(line, sizeof line, maps)) {
		unsigned long lo, hi;
		char perms[8] = "";
		/* not the terabytes of address space a sanitizer reserves for its shadow: nothing is put there */
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || strstr(line, "[vvar") ||
		    strstr(line, "[vsyscall]") || hi - lo > (1UL << 30))
			continue;
		/* never buf itself: it holds a copy of what it read last, which may be the key being looked for */
		unsigned long b0 = (unsigned long)(uintptr_t)buf, b1 = b0 + cap;
		for (unsigned long at = lo; at < hi;) {
			if (at >= b0 && at < b1) {
				at = b1;
				continue;
			}
			size_t want = hi - at < cap ? hi - at : cap;
			if (at < b0 && at + want > b0)
				want = b0 - at;
			ssize_t got = pread(mem, buf, want, (off_t)at);
			if (got < CB_KEY_BYTES)
				break;
			for (ssize_t i = 0; i + CB_KEY_BYTES <= got; i++) {
				/* not the scan's own buffer: it holds a copy of what it read last */
				if (at + (unsigned long)i >= (uintptr_t)buf && at + (unsigned long)i < (uintptr_t)buf + cap)
					continue;
				int j = 0;
				while (j < CB_KEY_BYTES && (uint8_t)(buf[i + j] ^ mask) == masked[j])
					j++;
				/* not the search's own buffer, which holds what it read of the memory before it */
				uintptr_t where = (uintptr_t)at + (uintptr_t)i;
				hits += j == CB_KEY_BYTES && !(where >= (uintptr_t)buf && where < (uintptr_t)buf + cap);
			}
			at += (unsigned long)got > CB_KEY_BYTES ? (unsigned long)got - (CB_KEY_BYTES - 1) : (unsigned long)got;
		}
	}
	memset(buf, 0, cap);
	free(buf);
	close(mem);
	fclose(maps);
	return hits;
}

/* The master key is held only while a store opens (in locked memory) and wiped before the open returns: an
 * open store, in use, leaves no copy of it anywhere in the process. */
static void test_master_key_not_kept(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct cb_case c, got;
	uint8_t masked[CB_KEY_BYTES];
	const uint8_t mask = 0xa5;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	cb_store_free(&s);
	/* the key, masked straight from the file's hex digits: the test itself never holds it */
	char *text = cbt_read(cbt_db_key(db), NULL);
	const char *hex = text ? strchr(text, '\n') : NULL;
	assert_non_null(hex);
	for (int i = 0; i < CB_KEY_BYTES; i++) {
		unsigned v = 0;
		assert_int_equal(sscanf(hex + 1 + 2 * i, "%2x", &v), 1);
		masked[i] = (uint8_t)(v ^ mask);
	}
	cb_wipe(text, strlen(text));
	free(text);
	assert_int_equal(in_memory(masked, mask), 0);
	uint8_t *planted = malloc(CB_KEY_BYTES); /* the search finds it where it is */
	assert_non_null(planted);
	for (int i = 0; i < CB_KEY_BYTES; i++)
		planted[i] = masked[i] ^ mask;
	assert_int_equal(in_memory(masked, mask), 1);
	cb_wipe(planted, CB_KEY_BYTES);
	free(planted);

	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	make_case(&c, 1, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_store_get(s, c.case_id, CB_WITH_PII, &got, &err), CB_OK);
	assert_string_equal(got.first_name, NAME1);
	assert_int_equal(cb_store_event(s, "test.read", c.case_id, NULL, &err), CB_OK); /* the audit key works */
	assert_int_equal(in_memory(masked, mask), 0);
	cb_case_clear(&got);
	cb_case_clear(&c);
	cb_store_free(&s);
	assert_int_equal(in_memory(masked, mask), 0);
}

/* The store's one prepare helper: a statement that runs, or CB_EDB naming what it was for and SQLite's reason. */
static void test_prep(void **state)
{
	(void)state;
	struct cb_store *s = open_new(new_db());
	struct cb_err err = {0};
	struct cb_stmt *st = NULL;
	assert_int_equal(cb_store_prep(s->db, "users", 0, "SELECT count(*) FROM cases", &st, &err), CB_OK);
	assert_non_null(st);
	assert_int_equal(cb_db_step(st), CB_DB_ROW);
	assert_int_equal(cb_db_column_int64(st, 0), 0);
	cb_db_finalize(&st);
	if (cbt_on_pg()) { /* the server sees a statement at its first step (db.h) */
		assert_int_equal(cb_store_prep(s->db, "users", 0, "SELECT nope FROM nowhere", &st, &err), CB_OK);
		assert_int_equal(cb_db_step(st), CB_EDB);
		assert_non_null(strstr(cb_db_errmsg(s->db), "relation \"nowhere\" does not exist"));
		cb_db_finalize(&st);
	} else {
		assert_int_equal(cb_store_prep(s->db, "users", SQLITE_PREPARE_PERSISTENT, "SELECT nope FROM nowhere", &st,
					       &err),
				 CB_EDB);
		assert_null(st);
		assert_non_null(strstr(err.msg, "database: users: "));
		assert_non_null(strstr(err.msg, "no such table: nowhere"));
	}
	cb_store_free(&s);
}

int main(void)
{
	if (cb_crypto_init() != CB_OK)
		return 1;
	unsetenv("CASEBANK_KEY_FILE");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_open),	     cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_add_get_update),	     cmocka_unit_test(test_erase),
		cmocka_unit_test(test_planted_names),	     cmocka_unit_test(test_scan_fingerprint_bulk),
		cmocka_unit_test(test_ensure_columns),	     cmocka_unit_test(test_check_finds_damage),
		cmocka_unit_test(test_null_bindings),	     cmocka_unit_test(test_bulk_load),
		cmocka_unit_test(test_prepare_write),	     cmocka_unit_test(test_insert_rate),
		cmocka_unit_test(test_key_store_by_seq_migration), cmocka_unit_test(test_stale_key_in_slot),
		cmocka_unit_test(test_release_ledger),
		cmocka_unit_test(test_readonly_after_crash),
		cmocka_unit_test(test_unused_keys_swept),
		cmocka_unit_test(test_killed_retention_run),
		cmocka_unit_test(test_key_store_permissions),
		cmocka_unit_test(test_master_key_not_kept),
		cmocka_unit_test(test_prep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
