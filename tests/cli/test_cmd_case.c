/*
 * test_cmd_case.c -- the single-case commands as a user runs them: init, add, show, update, list, erase,
 * check, and the guarantees around them (no half-written case, wrong key refused, no plain-text names on disk).
 * On both backends (cbt_db).
 */
#include "cb_test.h"

static const char *CASE_JSON =
	"{\"site\": \"MD-CHISINAU\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\","
	" \"age_at_registration\": 19, \"citizenship\": \"MDA\", \"exploitation_type\": [\"SexualExploitation\"],"
	" \"destination_country\": \"TR\", \"consent_statistics\": true, \"status\": \"Active\","
	" \"first_name\": \"Zorilda\", \"last_name\": \"Quennethorpe\", \"phone\": \"+37369990017\","
	" \"narrative\": \"Xylophant promised a job in a bakery.\"}";

/* Creates a database with one case; returns the case id (static buffer). */
static const char *db_with_case(const char *db, char id[32])
{
	char *out = NULL;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	cbt_write(cbt_path("case.json"), CASE_JSON);
	assert_int_equal(cbt_run(&out, NULL, "%s add %s < %s", cbt_bin(), db, cbt_path("case.json")), 0);
	assert_int_equal(strlen(out), 27); /* 26 characters and a newline */
	memcpy(id, out, 26);
	id[26] = 0;
	free(out);
	return id;
}

static void test_init_refuses_existing(void **state)
{
	(void)state;
	const char *db = cbt_db("init.db");
	char *err = NULL;
	struct stat st;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	assert_int_equal(stat(cbt_db_key(db), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(cbt_run(NULL, &err, "%s init %s", cbt_bin(), db), 0);
	assert_non_null(strstr(err, "casebank: "));
	free(err);
}

static void test_add_show_identifiers_only_on_request(void **state)
{
	(void)state;
	char id[32], *out = NULL;
	const char *db = cbt_db("show.db");
	db_with_case(db, id);
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s", cbt_bin(), db, id), 0);
	assert_non_null(strstr(out, "\"gender\": \"Feminine\""));
	assert_non_null(strstr(out, "\"citizenship\": \"MD\"")); /* alpha-3 in, alpha-2 stored */
	assert_non_null(strstr(out, "\"age_group\": \"18--20\"")); /* derived */
	assert_null(strstr(out, "Zorilda"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s --with-identifiers", cbt_bin(), db, id), 0);
	assert_non_null(strstr(out, "Zorilda"));
	assert_non_null(strstr(out, "Xylophant"));
	free(out);
	/* the read of identifying details is recorded */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM events WHERE action IN ('case.read', 'show.identifiers')"), 1);
	/* under the server's name for the act, naming the identifying details shown, never their values */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.read'"
					 " AND fields LIKE '%first_name%'"), 1);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE fields LIKE '%Zorilda%'"
					 " OR detail LIKE '%Zorilda%'"), 0);
	/* a read the trail cannot record shows nothing */
	cbt_refuse_audit(db, "case.read");
	assert_int_not_equal(cbt_run(&out, NULL, "%s show %s %s --with-identifiers", cbt_bin(), db, id), 0);
	assert_null(strstr(out, "Zorilda"));
	free(out);
	cbt_refuse_audit(db, NULL);
}

static void test_add_rejects_bad_value_and_stores_nothing(void **state)
{
	(void)state;
	char *out = NULL, *err = NULL;
	const char *db = cbt_db("bad.db");
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	cbt_write(cbt_path("bad.json"), "{\"site\": \"MD-CHISINAU\", \"year\": 2024, \"gender\": \"Femal\","
					 " \"first_name\": \"Zorilda\"}");
	assert_int_equal(cbt_run(NULL, &err, "%s add %s < %s", cbt_bin(), db, cbt_path("bad.json")), 2);
	assert_non_null(strstr(err, "gender"));
	assert_non_null(strstr(err, "Femal"));
	assert_non_null(strstr(err, "Feminine")); /* the allowed values are listed */
	assert_null(strstr(err, "Zorilda"));
	free(err);
	/* an identifying detail that is invalid is reported without its value */
	cbt_write(cbt_path("bad2.json"), "{\"site\": \"MD-CHISINAU\", \"year\": 2024, \"birth_date\": \"Zorilda-01\"}");
	assert_int_equal(cbt_run(NULL, &err, "%s add %s < %s", cbt_bin(), db, cbt_path("bad2.json")), 2);
	assert_non_null(strstr(err, "Date of birth must be a date like")); /* the field by its label */
	assert_null(strstr(err, "Zorilda"));
	free(err);
	cbt_write(cbt_path("bad3.json"), "{\"site\": \"MD-CHISINAU\", \"year\": 2024, ");
	assert_int_equal(cbt_run(NULL, &err, "%s add %s < %s", cbt_bin(), db, cbt_path("bad3.json")), 2);
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s list %s | wc -l", cbt_bin(), db), 0);
	assert_string_equal(out, "1\n"); /* the header only */
	free(out);
}

static void test_update_and_stale_version(void **state)
{
	(void)state;
	char id[32], *out = NULL, *err = NULL;
	const char *db = cbt_db("update.db");
	db_with_case(db, id);
	cbt_write(cbt_path("patch.json"), "{\"education\": \"PrimaryEducation\", \"version\": 1}");
	assert_int_equal(cbt_run(&out, NULL, "%s update %s %s < %s", cbt_bin(), db, id, cbt_path("patch.json")), 0);
	assert_non_null(strstr(out, "version 2"));
	free(out);
	/* the same patch again carries version 1, which is now stale */
	assert_int_equal(cbt_run(NULL, &err, "%s update %s %s < %s", cbt_bin(), db, id, cbt_path("patch.json")), 1);
	assert_non_null(strstr(err, id));
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s --with-identifiers", cbt_bin(), db, id), 0);
	assert_non_null(strstr(out, "PrimaryEducation"));
	assert_non_null(strstr(out, "Zorilda")); /* identifying details survive a coded update */
	free(out);
	cbt_write(cbt_path("patch2.json"), "{\"education\": null}");
	assert_int_equal(cbt_run(NULL, NULL, "%s update %s %s < %s", cbt_bin(), db, id, cbt_path("patch2.json")), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s", cbt_bin(), db, id), 0);
	assert_null(strstr(out, "education"));
	free(out);
}

static void test_list_filters(void **state)
{
	(void)state;
	char id[32], *out = NULL, *err = NULL;
	const char *db = cbt_db("list.db");
	db_with_case(db, id);
	cbt_write(cbt_path("other.json"), "{\"site\": \"UA-KYIV\", \"year\": 2023, \"status\": \"Closed\"}");
	assert_int_equal(cbt_run(NULL, NULL, "%s add %s < %s", cbt_bin(), db, cbt_path("other.json")), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s list %s --site MD-CHISINAU", cbt_bin(), db), 0);
	assert_non_null(strstr(out, id));
	assert_null(strstr(out, "UA-KYIV"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s list %s --status Closed", cbt_bin(), db), 0);
	assert_null(strstr(out, id));
	assert_non_null(strstr(out, "UA-KYIV"));
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s list %s --status Shut", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "ClosedReferred"));
	free(err);
}

static void test_erase(void **state)
{
	(void)state;
	char id[32], *out = NULL;
	const char *db = cbt_db("erase.db");
	db_with_case(db, id);
	assert_int_equal(cbt_run(NULL, NULL, "%s erase %s %s", cbt_bin(), db, id), 0);
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s --with-identifiers", cbt_bin(), db, id), 0);
	assert_null(strstr(out, "Zorilda"));
	assert_non_null(strstr(out, "Feminine")); /* the coded record stays */
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s erase %s %s --all", cbt_bin(), db, id), 0);
	assert_int_equal(cbt_run(NULL, NULL, "%s show %s %s", cbt_bin(), db, id), 5);
	assert_int_equal(cbt_run(NULL, NULL, "%s check %s", cbt_bin(), db), 0);
}

/* The retention run: only cases closed before the date lose their details; --dry-run changes nothing. */
static void test_erase_closed_before(void **state)
{
	(void)state;
	char id[32], *out = NULL, *err = NULL;
	const char *db = cbt_db("retention.db");
	db_with_case(db, id);
	assert_int_equal(cbt_run(&out, NULL, "%s erase %s --closed-before 2100-01-01", cbt_bin(), db), 0);
	assert_string_equal(out, "0 cases closed before 2100-01-01: identifying details destroyed; coded records kept\n");
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s stage %s %s closed --reason 'the person asked us to stop'", cbt_bin(),
				 db, id),
			 0);
	assert_int_equal(cbt_run(&out, NULL, "%s erase %s --closed-before 2000-01-01", cbt_bin(), db), 0);
	assert_string_equal(out, "0 cases closed before 2000-01-01: identifying details destroyed; coded records kept\n");
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s erase %s --closed-before 2100-01-01 --dry-run", cbt_bin(), db), 0);
	assert_string_equal(out, "1 case closed before 2100-01-01: identifying details would be destroyed\n");
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s --with-identifiers", cbt_bin(), db, id), 0);
	assert_non_null(strstr(out, "Zorilda"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s erase %s --closed-before 2100-01-01", cbt_bin(), db), 0);
	assert_string_equal(out, "1 case closed before 2100-01-01: identifying details destroyed; coded records kept\n");
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s show %s %s --with-identifiers", cbt_bin(), db, id), 0);
	assert_null(strstr(out, "Zorilda"));
	free(out);
	/* the next night's run finds nothing left; --all still takes the coded record */
	assert_int_equal(cbt_run(&out, NULL, "%s erase %s --closed-before 2100-01-01", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "0 cases"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s erase %s --closed-before 2100-01-01 --all", cbt_bin(), db), 0);
	assert_string_equal(out, "1 case closed before 2100-01-01: erased\n");
	free(out);
	assert_int_equal(cbt_run(NULL, NULL, "%s show %s %s", cbt_bin(), db, id), 5);
	assert_int_equal(cbt_run(NULL, &err, "%s erase %s --closed-before 2100-02-30", cbt_bin(), db), 2);
	assert_non_null(strstr(err, "2100-02-30: expected a date YYYY-MM-DD"));
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "%s erase %s %s --dry-run", cbt_bin(), db, id), 2);
	assert_int_equal(cbt_run(NULL, NULL, "%s erase %s --closed-before 2100-01-01 %s", cbt_bin(), db, id), 2);
}

/* check covers the audit trail too: an entry edited behind casebank's back is reported and fails the check */
static void test_check_finds_altered_audit(void **state)
{
	(void)state;
	char id[32], *out = NULL;
	const char *db = cbt_db("check-audit.db");
	db_with_case(db, id);
	assert_int_equal(cbt_run(NULL, NULL, "%s erase %s %s", cbt_bin(), db, id), 0); /* an audited action */
	assert_int_equal(cbt_run(&out, NULL, "%s check %s", cbt_bin(), db), 0);
	assert_non_null(strstr(out, "and audit trail checks passed"));
	free(out);
	cbt_drop_audit_guard(db, "audit_no_update");
	cbt_sql(db, "UPDATE audit SET action = 'case.read'", NULL);
	assert_int_equal(cbt_run(&out, NULL, "%s check %s", cbt_bin(), db), 1);
	assert_non_null(strstr(out, "audit trail: DAMAGED at entry 1"));
	free(out);
}

static void test_no_plain_text_on_disk(void **state)
{
	(void)state;
	char id[32];
	const char *db = cbt_db("plain.db");
	db_with_case(db, id);
	static const char *planted[] = {"Zorilda", "Quennethorpe", "37369990017", "Xylophant"};
	for (size_t i = 0; i < 4; i++)
		assert_false(cbt_db_holds(db, planted[i]));
	/* after the key is destroyed (and on SQLite the WAL checkpointed), not even ciphertext can bring them back */
	assert_int_equal(cbt_run(NULL, NULL, "%s erase %s %s --all", cbt_bin(), db, id), 0);
	if (!cbt_is_uri(db))
		cbt_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
	for (size_t i = 0; i < 4; i++)
		assert_false(cbt_db_holds(db, planted[i]));
}

static void test_wrong_key_is_refused(void **state)
{
	(void)state;
	char id[32], *err = NULL;
	const char *db = cbt_db("key.db");
	db_with_case(db, id);
	/* another database's key (its own file: on PostgreSQL the test's databases share one) */
	assert_int_equal(cbt_run(NULL, NULL, "CASEBANK_KEY_FILE=%s %s init %s", cbt_path("other.key"), cbt_bin(),
				 cbt_db("other.db")), 0);
	assert_int_equal(cbt_run(NULL, &err, "CASEBANK_KEY_FILE=%s %s show %s %s", cbt_path("other.key"),
				 cbt_bin(), db, id), 1);
	assert_non_null(strstr(err, "key"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "CASEBANK_KEY_FILE=%s %s show %s %s", cbt_path("missing.key"),
				 cbt_bin(), db, id), 1);
	assert_non_null(strstr(err, "missing.key"));
	free(err);
}

static void test_usage_errors(void **state)
{
	(void)state;
	char *err = NULL;
	assert_int_equal(cbt_run(NULL, &err, "%s frobnicate", cbt_bin()), 2);
	assert_non_null(strstr(err, "unknown command"));
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s show %s NOTANID", cbt_bin(), cbt_path("x.db")), 2);
	assert_non_null(strstr(err, "not a case id"));
	free(err);
	/* a database that is not there: a missing file, or a PostgreSQL database nobody created (named in the
	 * message, the password of its URI not) */
	char missing[600];
	if (cbt_on_pg())
		snprintf(missing, sizeof missing, "postgresql://casebank:s3cretpw@/nothing_here?host=%s", cbt_pg_dir());
	else
		snprintf(missing, sizeof missing, "%s", cbt_path("nothing_here.db"));
	assert_int_equal(cbt_run(NULL, &err, "%s check '%s'", cbt_bin(), missing), 1);
	assert_non_null(strstr(err, "nothing_here"));
	assert_null(strstr(err, "s3cretpw"));
	free(err);
	assert_int_equal(cbt_run(NULL, NULL, "%s --help", cbt_bin()), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_refuses_existing),
		cmocka_unit_test(test_add_show_identifiers_only_on_request),
		cmocka_unit_test(test_add_rejects_bad_value_and_stores_nothing),
		cmocka_unit_test(test_update_and_stale_version),
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_erase),
		cmocka_unit_test(test_check_finds_altered_audit),
		cmocka_unit_test(test_erase_closed_before),
		cmocka_unit_test(test_no_plain_text_on_disk),
		cmocka_unit_test(test_wrong_key_is_refused),
		cmocka_unit_test(test_usage_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
