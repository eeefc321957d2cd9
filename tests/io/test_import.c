/*
 * test_import.c -- cb_import_file: counts, the default site, identical rows kept apart, re-imports adding
 * nothing, the rejected-rows file (line, field, reason; identifying details blanked; formulas neutralised;
 * mode 0600), whole-file errors, a killed import completed by running it again, and an import that fills the
 * disk.
 */
#include <signal.h>
#include <sqlite3.h>
#include <time.h>

#include "io_test.h"

static const char htcds_text[] =
	"x_site,x_year,prs_Gender,prs_FirstName,prs_MobilePhone,vic_TypeOfExploitation,x_narrative\n"
	"NORTH-1,2020,Feminine,Secretname,+15550001,ForcedLabour,\"long, private story\"\n"
	"NORTH-1,2020,Feminine,Secretname,+15550001,ForcedLabour,\"long, private story\"\n"
	",2021,Masculine,,,SexualExploitation,\n"
	"NORTH-1,2019,Purple,Hiddenperson,+15550002,ForcedLabour,more private text\n"
	"NORTH-2,,Feminine,Otherperson,,,\n";

static int count_site(const struct cb_case *c, void *p)
{
	const char *site = ((const char **)p)[0];
	long *n = ((long **)p)[1];
	if (strcmp(c->site, site) == 0)
		(*n)++;
	return 0;
}

static long cases_at(struct cb_store *s, const char *site)
{
	long n = 0;
	const void *p[2] = {site, &n};
	assert_int_equal(cb_store_scan(s, NULL, 0, count_site, (void *)p, NULL), CB_OK);
	return n;
}

static void test_htcds_counts_rejects_and_reimport(void **state)
{
	(void)state;
	struct cb_store *s = iot_store("a.db");
	struct cb_import_result res;
	struct cb_err err = {0};
	const char *in = cbt_path("cases.csv"), *rej = cbt_path("cases.csv.rejected.csv");
	cbt_write(in, htcds_text);
	struct cb_import_opts o = {.site = "MAIN-OFFICE"};
	assert_int_equal(cb_import_file(s, in, &o, &res, &err), CB_OK);
	assert_int_equal(res.imported, 3); /* the two identical rows are two cases */
	assert_int_equal(res.rejected, 2);
	assert_int_equal(res.duplicates, 0);
	assert_int_equal(cb_store_count(s), 3);
	assert_int_equal(cases_at(s, "NORTH-1"), 2);
	assert_int_equal(cases_at(s, "MAIN-OFFICE"), 1); /* the row without a site */

	/* the rejected rows: line, field, reason with the value and allowed values; no identifying detail */
	struct stat st;
	assert_int_equal(stat(rej, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *r = cbt_read(rej, NULL);
	assert_non_null(r);
	assert_non_null(strstr(r, "line,field,reason,x_site,x_year,prs_Gender,prs_FirstName,prs_MobilePhone,"
				  "vic_TypeOfExploitation,x_narrative\n"));
	assert_non_null(strstr(r, "\n5,gender,"));
	assert_non_null(strstr(r, "Purple"));
	assert_non_null(strstr(r, "NonSpecifiedUnknown"));
	assert_non_null(strstr(r, ",NORTH-1,2019,Purple,,,ForcedLabour,\n"));
	assert_non_null(strstr(r, "\n6,registered_on,")); /* no year: the date it comes from is asked for */
	assert_null(strstr(r, "Hiddenperson"));
	assert_null(strstr(r, "Otherperson"));
	assert_null(strstr(r, "+1555"));
	assert_null(strstr(r, "private"));
	free(r);

	/* the same file again: nothing new */
	assert_int_equal(cb_import_file(s, in, &o, &res, &err), CB_OK);
	assert_int_equal(res.imported, 0);
	assert_int_equal(res.duplicates, 3);
	assert_int_equal(res.rejected, 2);
	assert_int_equal(cb_store_count(s), 3);

	/* a longer version of it, with CRLF line ends and a third copy of the repeated row: only the new rows */
	struct cb_buf b = {0};
	for (const char *p = htcds_text; *p; p++)
		cb_buf_append(&b, *p == '\n' ? "\r\n" : p, *p == '\n' ? 2 : 1);
	cb_buf_printf(&b, "NORTH-1,2020,Feminine,Secretname,+15550001,ForcedLabour,\"long, private story\"\r\n"
			  "SOUTH-1,2022,NonConforming,,,,\r\n");
	cbt_write(in, b.data);
	cb_buf_free(&b);
	assert_int_equal(cb_import_file(s, in, &o, &res, &err), CB_OK);
	assert_int_equal(res.imported, 2);
	assert_int_equal(res.duplicates, 3);
	assert_int_equal(cb_store_count(s), 5);
	cb_store_free(&s);
}

/* The rejected-rows file is opened in spreadsheets too: a value that would be a formula there is written
 * behind a ' and in quotes (OWASP CSV injection), a plain number as it is. */
static void test_rejected_rows_formulas_neutralised(void **state)
{
	(void)state;
	struct cb_store *s = iot_store("formula.db");
	struct cb_import_result res;
	struct cb_err err = {0};
	const char *in = cbt_path("formula.csv"), *rej = cbt_path("formula.csv.rejected.csv");
	cbt_write(in, "x_site,x_year,prs_Gender,x_birth_year\n"
		      "=1+2,2020,Feminine,\n"
		      "@A,2021,-Feminine,-3\n");
	assert_int_equal(cb_import_file(s, in, NULL, &res, &err), CB_OK);
	assert_int_equal(res.rejected, 2);
	char *r = cbt_read(rej, NULL);
	assert_non_null(r);
	assert_non_null(strstr(r, ",\"'=1+2\",2020,Feminine,\n"));
	assert_non_null(strstr(r, ",\"'@A\",2021,\"'-Feminine\",-3\n"));
	for (const char *p = strchr(r, ','); p; p = strchr(p + 1, ','))
		assert_true(!strchr("=+@", p[1]) && (p[1] != '-' || p[2] == '3'));
	free(r);
	cb_store_free(&s);
}

static void test_ctdc_site_and_year(void **state)
{
	(void)state;
	struct cb_store *s = iot_store("b.db");
	struct cb_import_result res;
	struct cb_err err = {0};
	const char *rej = cbt_path("ctdc.rejected.csv");
	struct cb_import_opts o = {.site = "NGO-7", .rejected = rej};
	assert_int_equal(cb_import_file(s, "tests/io/data/ctdc-2021-sample.csv", &o, &res, &err), CB_OK);
	assert_int_equal(res.imported, 3);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(cases_at(s, "NGO-7"), 3);
	char *r = cbt_read(rej, NULL);
	assert_non_null(r);
	assert_non_null(strstr(r, "\n5,gender,"));
	assert_null(strstr(r, "terms of use")); /* the free-text notice column is never copied */
	free(r);

	/* default site; synthetic layout detected */
	struct cb_store *t = iot_store("c.db");
	assert_int_equal(cb_import_file(t, "tests/io/data/ctdc-synthetic-sample.csv", NULL, &res, &err), CB_OK);
	assert_int_equal(res.imported, 3);
	assert_int_equal(cases_at(t, "IMPORT"), 3);
	cb_store_free(&s);
	cb_store_free(&t);
}

static void test_jsonl_rejected_row_is_redacted(void **state)
{
	(void)state;
	struct cb_store *s = iot_store("d.db");
	struct cb_import_result res;
	struct cb_err err = {0};
	const char *in = cbt_path("cases.jsonl");
	cbt_write(in, "{\"site\":\"A1\",\"year\":2020,\"first_name\":\"Visible\"}\n"
		      "{\"site\":\"A1\",\"year\":2020,\"gender\":\"Blue\",\"first_name\":\"Secretname\"}\n"
		      "not json at all, Secretname\n");
	assert_int_equal(cb_import_file(s, in, NULL, &res, &err), CB_OK);
	assert_int_equal(res.imported, 1);
	assert_int_equal(res.rejected, 2);
	char *r = cbt_read(cbt_path("cases.jsonl.rejected.csv"), NULL);
	assert_non_null(r);
	assert_non_null(strstr(r, "line,field,reason,json\n"));
	assert_non_null(strstr(r, "\n2,gender,"));
	assert_non_null(strstr(r, "\"gender\"\":\"\"Blue\"\""));
	assert_non_null(strstr(r, "\n3,"));
	assert_null(strstr(r, "Secretname"));
	free(r);
	cb_store_free(&s);
}

static void test_whole_file_errors(void **state)
{
	(void)state;
	struct cb_store *s = iot_store("e.db");
	struct cb_import_result res;
	struct cb_err err = {0};
	assert_int_equal(cb_import_file(s, cbt_path("missing.csv"), NULL, &res, &err), CB_ENOTFOUND);
	assert_non_null(strstr(err.msg, "missing.csv"));

	const char *odd = cbt_path("odd.csv");
	cbt_write(odd, "colour,size\nred,2\n");
	assert_int_equal(cb_import_file(s, odd, NULL, &res, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "--format"));

	struct cb_import_opts o = {.format = "htcds"};
	assert_int_equal(cb_import_file(s, odd, &o, &res, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "colour"));
	assert_int_equal(err.line, 1);
	assert_int_equal(access(cbt_path("odd.csv.rejected.csv"), F_OK), -1);

	o.format = "xlsx";
	assert_int_equal(cb_import_file(s, odd, &o, &res, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "xlsx"));

	o = (struct cb_import_opts){.site = "lower case"};
	assert_int_equal(cb_import_file(s, odd, &o, &res, &err), CB_EINVAL);

	const char *open = cbt_path("open.csv");
	cbt_write(open, "x_site,x_year\nA1,2020\nA1,\"2021\n");
	assert_int_equal(cb_import_file(s, open, NULL, &res, &err), CB_EINVAL);
	assert_int_equal(err.line, 3);
	assert_int_equal(res.imported, 1); /* rows before the broken one are kept */
	assert_int_equal(cb_store_count(s), 1);
	cb_store_free(&s);
}

/* An import killed at any moment leaves whole batches, every case's key with it (the key thread's work is
 * committed first); importing again completes it exactly. */
static void test_killed_import_completes(void **state)
{
	(void)state;
	const long n = 30000;
	const char *in = cbt_path("big.csv");
	FILE *f = fopen(in, "w");
	assert_non_null(f);
	fputs("x_site,x_year,prs_Gender,vic_TypeOfExploitation,prs_FirstName\n", f);
	for (long i = 0; i < n; i++)
		fprintf(f, "S%ld,%ld,%s,ForcedLabour,%s\n", i % 5, 2000 + i % 20, i % 3 ? "Feminine" : "Masculine",
			i % 2 ? "Quillabeth" : "");
	fclose(f);
	struct cb_store *s = NULL;
	unsetenv("CASEBANK_KEY_FILE"); /* before cbt_db, which names the binary's own on PostgreSQL */
	const char *db = cbt_db("k.db");
	assert_int_equal(cb_store_create(db, NULL), CB_OK);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cb_import_result res;
		struct cb_store *cs = NULL;
		if (cb_store_open(db, 0, &cs, NULL) == CB_OK)
			cb_import_file(cs, in, NULL, &res, NULL);
		_exit(0);
	}
	/* killed once the first batch is committed (so that something is stored, and the rest is not) */
	for (int i = 0; i < 2000 && cbt_sql_int(db, "SELECT count(*) FROM cases") <= 0; i++) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	struct cb_err err = {0};
	struct cb_import_result res;
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	long before = cb_store_count(s);
	print_message("killed after %ld of %ld cases\n", before, n);
	assert_int_equal(before % 4096 == 0 || before == n, 1); /* whole batches only */
	assert_int_equal(cb_import_file(s, in, NULL, &res, &err), CB_OK);
	assert_int_equal(res.imported + res.duplicates, n);
	assert_int_equal(res.duplicates, before);
	assert_int_equal(cb_store_count(s), n);
	/* every case's details open: no case lost its key (a key whose case the kill took is "unused", harmless) */
	FILE *out = tmpfile();
	long problems = 0;
	assert_non_null(out);
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	rewind(out);
	char line[512];
	while (fgets(line, sizeof line, out))
		if (!strstr(line, "unused case key"))
			fail_msg("check: [%s]", line);
	fclose(out);
	cb_store_free(&s);
}

/* A full disk: a batch that cannot be written is not counted, and the case keys it had committed (keys commit
 * before their cases) do not stay behind.  On a small tmpfs when this process may mount one (root), where the
 * disk fills up at a batch's commit as it does in the field; everywhere, with SQLite's page limit, which fills
 * it up in the middle of a batch. */
static char full_mount[512];
static void full_umount(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "umount -l '%s' 2>/dev/null", full_mount);
	if (full_mount[0] && system(cmd) != 0)
		fprintf(stderr, "could not unmount %s\n", full_mount);
}

static void write_rows(const char *path, long n)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("x_site,x_year,prs_Gender,vic_TypeOfExploitation,prs_FirstName\n", f);
	for (long i = 0; i < n; i++)
		fprintf(f, "S%ld,%ld,%s,ForcedLabour,%s%ld\n", i % 5, 2000 + i % 20, i % 3 ? "Feminine" : "Masculine",
			i % 2 ? "Quillabeth" : "", i % 2 ? i : 0);
	fclose(f);
}

static void assert_no_unused_keys(struct cb_store *s)
{
	struct cb_err err = {0};
	long problems = -1;
	FILE *out = tmpfile();
	assert_non_null(out);
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	rewind(out);
	char line[512];
	while (fgets(line, sizeof line, out))
		fail_msg("check: [%s]", line);
	assert_int_equal(problems, 0);
	fclose(out);
}

static void test_full_disk(void **state)
{
	(void)state;
	cbt_sqlite_only("a full file system under the files, and SQLite's page limit");
	const char *in = cbt_path("full.csv");
	char *out = NULL, *errs = NULL;
	struct cb_err err = {0};
	struct cb_import_result res;
	write_rows(in, 40000);

	snprintf(full_mount, sizeof full_mount, "%s", cbt_path("tmpfs"));
	assert_int_equal(mkdir(full_mount, 0700), 0);
	if (cbt_run(NULL, NULL, "mount -t tmpfs -o size=8m tmpfs '%s'", full_mount) == 0) {
		atexit(full_umount);
		char db[600];
		snprintf(db, sizeof db, "%s/f.db", full_mount);
		assert_int_equal(cbt_run(NULL, NULL, "%s init '%s'", cbt_bin(), db), 0);
		assert_int_equal(cbt_run(&out, &errs, "%s import '%s' '%s'", cbt_bin(), db, in), 1);
		assert_non_null(strstr(errs, "disk full"));
		long printed = -1;
		assert_int_equal(sscanf(out, "imported %ld", &printed), 1);
		struct cb_store *s = NULL;
		assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
		print_message("tmpfs: imported %ld of 40000 before the disk was full\n", printed);
		assert_true(printed > 0 && printed < 40000);
		assert_int_equal(cb_store_count(s), printed); /* what was said is what is there */
		assert_no_unused_keys(s);
		cb_store_free(&s);
		free(out);
		free(errs);
		full_umount();
		full_mount[0] = 0;
	} else {
		print_message("cannot mount a tmpfs here: the page limit only\n");
	}

	/* SQLite's page limit: the disk is "full" at an insert */
	struct cb_store *s = iot_store("full.db");
	long long pages = 0;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(cb_store_db(s), "PRAGMA page_count", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	pages = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages + 400);
	assert_int_equal(sqlite3_exec(cb_store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(cb_import_file(s, in, NULL, &res, &err), CB_EFULL);
	assert_non_null(strstr(err.msg, "disk full"));
	print_message("page limit: imported %ld of 40000\n", res.imported);
	assert_true(res.imported > 0 && res.imported < 40000);
	assert_int_equal(cb_store_count(s), res.imported);
	assert_no_unused_keys(s);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_htcds_counts_rejects_and_reimport),
		cmocka_unit_test(test_rejected_rows_formulas_neutralised),
		cmocka_unit_test(test_ctdc_site_and_year),
		cmocka_unit_test(test_jsonl_rejected_row_is_redacted),
		cmocka_unit_test(test_whole_file_errors),
		cmocka_unit_test(test_killed_import_completes),
		cmocka_unit_test(test_full_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
