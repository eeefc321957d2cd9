/*
 * test_linkage.c -- tests of src/care/linkage.c: one person registered twice with the errors registrations
 * make is found (swapped names, Cyrillic, a typo, a missing part, a slipped date digit), other people who
 * share a name or a birth date are not; blocking keeps the comparisons far below all pairs; decided pairs
 * leave the list; the office filter; one new case against the rest (registration's warning).
 */
#include "store/store_helpers.h"

#include "care/linkage.h"
#include "io/io.h"
#include "store/tokens.h"

static void add(struct cb_store *s, int i, const char *site, const char *first, const char *last, const char *birth,
		uint8_t id[16])
{
	struct cb_case c;
	struct cb_err err = {0};
	make_case(&c, i, false);
	set(&c, "site", site);
	set(&c, "gender", "Feminine");
	set(&c, "citizenship", "MD");
	set(&c, "first_name", first);
	if (last)
		set(&c, "last_name", last);
	set(&c, "birth_date", birth);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
}

static bool paired(const struct cb_dup_pair *p, size_t n, const uint8_t a[16], const uint8_t b[16])
{
	for (size_t i = 0; i < n; i++)
		if ((!memcmp(p[i].a, a, 16) && !memcmp(p[i].b, b, 16)) || (!memcmp(p[i].a, b, 16) && !memcmp(p[i].b, a, 16)))
			return true;
	return false;
}

static void test_variants_found(void **state)
{
	(void)state;
	struct cb_store *s = open_new(new_db());
	struct cb_err err = {0};
	uint8_t id[16][16];
	int k = 0;
	/* one person five times over, each copy with its error */
	add(s, 1, "MD-CHISINAU", "Mariana", "Turcanu Lupu", "1988-04-21", id[k++]);
	add(s, 2, "MD-BALTI", "Turcanu Lupu", "Mariana", "1988-04-21", id[k++]);  /* swapped */
	add(s, 3, "MD-BALTI", "Мариана", "Турчану Лупу", "1988-04-21", id[k++]);   /* Cyrillic */
	add(s, 4, "MD-CHISINAU", "Mariana", "Turcnau Lupu", "1988-04-21", id[k++]); /* typo */
	add(s, 5, "MD-CHISINAU", "Mariana", "Turcanu", "1988-04-21", id[k++]);      /* a part missing */
	add(s, 6, "MD-CAHUL", "Mariana", "Turcanu Lupu", "1988-04-27", id[k++]);    /* a digit slipped */
	/* others who share a part or the date */
	add(s, 7, "MD-CHISINAU", "Mariana", "Ceban Rotaru", "1988-04-21", id[k++]);
	add(s, 8, "MD-CHISINAU", "Elena", "Turcanu Lupu", "1971-09-03", id[k++]);
	add(s, 9, "MD-CHISINAU", "Victoria", "Munteanu Sirbu", "1988-04-21", id[k++]);
	struct cb_dup_pair *p = NULL;
	size_t n = 0;
	long compared = 0;
	assert_int_equal(cb_duplicates(s, CB_DUP_MIN_SCORE, NULL, &p, &n, &compared, &err), CB_OK);
	for (int j = 1; j < 6; j++)
		if (!paired(p, n, id[0], id[j]))
			fail_msg("copy %d not found", j);
	for (int j = 6; j < 9; j++)
		for (int i = 0; i < 6; i++)
			if (paired(p, n, id[i], id[j]))
				fail_msg("%d and %d are different people", i, j);
	/* best first; agreeing fields named, no details */
	for (size_t i = 1; i < n; i++)
		assert_true(p[i - 1].score >= p[i].score);
	char agree[96];
	cb_dup_agree_text(p[0].agree, agree, sizeof agree);
	assert_non_null(strstr(agree, "birth_date"));
	free(p);
	/* the office filter keeps pairs with a case there */
	assert_int_equal(cb_duplicates(s, CB_DUP_MIN_SCORE, "MD-CAHUL", &p, &n, NULL, &err), CB_OK);
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++)
		assert_true(!strcmp(p[i].site_a, "MD-CAHUL") || !strcmp(p[i].site_b, "MD-CAHUL"));
	free(p);
	/* one case against the others: what registration warns of */
	assert_int_equal(cb_duplicates_of(s, id[5], CB_DUP_MIN_SCORE, &p, &n, &err), CB_OK);
	assert_true(n >= 1);
	assert_memory_equal(p[0].a, id[5], 16);
	assert_true(paired(p, n, id[5], id[0]));
	free(p);
	/* decided pairs leave the list */
	assert_int_equal(cb_store_link_set(s, id[0], id[1], true, NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_store_link_set(s, id[0], id[2], false, NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_duplicates(s, CB_DUP_MIN_SCORE, NULL, &p, &n, NULL, &err), CB_OK);
	assert_false(paired(p, n, id[0], id[1]));
	assert_false(paired(p, n, id[0], id[2]));
	assert_true(paired(p, n, id[0], id[3]));
	free(p);
	cb_store_free(&s);
}

static void test_blocking_scales(void **state)
{
	(void)state;
	struct cb_store *s = open_new(new_db());
	struct cb_err err = {0};
	long planted = 0, compared = 0;
	const char *truth = cbt_path("truth.txt");
	assert_int_equal(cb_demo_generate(s, 3000, 5, false, &err), CB_OK);
	assert_int_equal(cb_demo_duplicates(s, 0.05, 5, truth, &planted, &err), CB_OK);
	assert_true(planted > 50);
	struct cb_dup_pair *p = NULL;
	size_t n = 0;
	assert_int_equal(cb_duplicates(s, CB_DUP_MIN_SCORE, NULL, &p, &n, &compared, &err), CB_OK);
	long cases = cb_store_count(s);
	assert_true(compared < cases * (cases - 1) / 2 / 20); /* blocking: a small share of all pairs */
	/* most planted pairs found, few others */
	char *text = cbt_read(truth, NULL);
	long found = 0;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		char a[CB_ID_TEXT], b[CB_ID_TEXT], line[2 * CB_ID_TEXT + 2];
		cb_case_id_format(p[i].a, a);
		cb_case_id_format(p[i].b, b);
		snprintf(line, sizeof line, "%s %s", a, b);
		found += strstr(text, line) != NULL;
	}
	assert_true(found >= planted * 9 / 10);
	assert_true(found >= (long)n * 9 / 10);
	free(text);
	free(p);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants_found),
		cmocka_unit_test(test_blocking_scales),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
