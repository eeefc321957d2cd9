/*
 * test_cmd_find.c -- search, duplicates, link, dismiss and registration's duplicate warning as a user runs
 * them: results name cases by id, office, score and agreeing fields, never a detail; searches are audited
 * by kind, never by text; bad input is a usage error.
 */
#include "cb_test.h"

#define PERSON \
	"{\"site\": \"%s\", \"registered_on\": \"2024-03-18\", \"gender\": \"Feminine\", \"citizenship\": \"MD\"," \
	" \"first_name\": \"%s\", \"last_name\": \"%s\", \"birth_date\": \"1991-07-23\", \"phone\": \"+37369990017\"}"

static void add(const char *db, const char *site, const char *first, const char *last, char id[32], char **err)
{
	char json[512], *out = NULL;
	snprintf(json, sizeof json, PERSON, site, first, last);
	cbt_write(cbt_path("p.json"), json);
	assert_int_equal(cbt_run(&out, err, "%s add %s < %s", cbt_bin(), db, cbt_path("p.json")), 0);
	memcpy(id, out, 26);
	id[26] = 0;
	free(out);
}

static void test_search_and_warning(void **state)
{
	(void)state;
	const char *db = cbt_db("f.db");
	char a[32], b[32], *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	add(db, "MD-CHISINAU", "Zorilda", "Quennethorpe", a, &err);
	assert_null(strstr(err, "possible duplicate"));
	free(err);
	/* the same person at another office: the warning names that office and case, nothing else */
	add(db, "MD-BALTI", "Quennethorpe", "Зорилда", b, &err);
	assert_non_null(strstr(err, "possible duplicate: office MD-CHISINAU case"));
	assert_non_null(strstr(err, a));
	assert_null(strstr(err, "Zorilda"));
	assert_null(strstr(err, "1991"));
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s search %s --name 'zorilda QUENNETHORPE' --birth-date 1991-07-23", cbt_bin(), db), 0);
	assert_non_null(strstr(out, a));
	assert_non_null(strstr(out, b));
	assert_non_null(strstr(out, "1.00\tname,birth_date"));
	assert_null(strstr(out, "Zorilda"));
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s search %s --phone 069990017 --site MD-BALTI", cbt_bin(), db), 0);
	assert_non_null(strstr(out, b));
	assert_null(strstr(out, a));
	free(out);
	assert_int_equal(cbt_run(NULL, &err, "%s search %s --name Nobodyhere", cbt_bin(), db), 0);
	assert_non_null(strstr(err, "no cases match"));
	free(err);
	/* audited by kind, never the text */
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.search'"), 3);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE detail LIKE '%orilda%' OR detail LIKE '%1991%'"), 0);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.search' AND detail = 'name,birth_date'"), 1);
	/* one case registered from a file is warned of as by add */
	cbt_write(cbt_path("one.jsonl"), "{\"site\": \"MD-CAHUL\", \"registered_on\": \"2024-03-19\", \"first_name\": \"Zorilda\","
					 " \"last_name\": \"Quenethorpe\", \"birth_date\": \"1991-07-23\"}\n");
	assert_int_equal(cbt_run(&out, &err, "%s import %s %s", cbt_bin(), db, cbt_path("one.jsonl")), 0);
	assert_non_null(strstr(err, "possible duplicate: office MD-CHISINAU case"));
	assert_null(strstr(err, "Zorilda"));
	free(out);
	free(err);
	/* usage errors */
	assert_int_equal(cbt_run(NULL, &err, "%s search %s", cbt_bin(), db), 2);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s search %s --birth-date 23.07.1991", cbt_bin(), db), 2);
	assert_null(strstr(err, "23.07.1991"));
	free(err);
}

static void test_duplicates_link_dismiss(void **state)
{
	(void)state;
	const char *db = cbt_db("g.db");
	char a[32], b[32], c[32], *out = NULL, *err = NULL;
	assert_int_equal(cbt_run(NULL, NULL, "%s init %s", cbt_bin(), db), 0);
	add(db, "MD-CHISINAU", "Zorilda", "Quennethorpe", a, NULL);
	add(db, "MD-BALTI", "Zorilda", "Quenethorpe", b, NULL);
	add(db, "MD-CAHUL", "Quennethorpe", "Zorilda", c, NULL);
	assert_int_equal(cbt_run(&out, &err, "%s duplicates %s", cbt_bin(), db), 0);
	assert_non_null(strstr(out, a));
	assert_non_null(strstr(out, b));
	assert_non_null(strstr(out, "MD-BALTI"));
	assert_non_null(strstr(out, "birth_date"));
	assert_null(strstr(out, "Zorilda"));
	assert_non_null(strstr(err, "3 possible duplicate pairs"));
	free(out);
	free(err);
	assert_int_equal(cbt_run(&out, NULL, "%s link %s %s %s", cbt_bin(), db, a, b), 0);
	free(out);
	assert_int_equal(cbt_run(&out, NULL, "%s dismiss %s %s %s", cbt_bin(), db, a, c), 0);
	free(out);
	assert_int_equal(cbt_run(&out, &err, "%s duplicates %s --site MD-CAHUL", cbt_bin(), db), 0);
	assert_non_null(strstr(err, "1 possible duplicate pairs"));
	assert_non_null(strstr(out, b));
	assert_non_null(strstr(out, c));
	free(out);
	free(err);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM audit WHERE action = 'case.link'"), 2);
	assert_int_equal(cbt_sql_int(db, "SELECT count(*) FROM link_secondary"), 1);
	assert_int_equal(cbt_run(NULL, &err, "%s link %s %s %s", cbt_bin(), db, a, a), 2);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s link %s %s NOTANID", cbt_bin(), db, a), 2);
	free(err);
	assert_int_equal(cbt_run(NULL, &err, "%s duplicates %s --min-score 2", cbt_bin(), db), 2);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_and_warning),
		cmocka_unit_test(test_duplicates_link_dismiss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
