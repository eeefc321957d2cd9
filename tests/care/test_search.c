/*
 * test_search.c -- tests of src/care/search.c: a person is found by any spelling of her name parts, in any
 * order, by birth date and by phone; the best match comes first; an office's search stays in the office;
 * candidates that only collide on a token are dropped after opening; malformed criteria are refused without
 * echoing them.
 */
#include "store/store_helpers.h"

#include "care/linkage.h"

static void add(struct cb_store *s, int i, const char *site, const char *first, const char *last, const char *birth,
		const char *phone, uint8_t id[16])
{
	struct cb_case c;
	struct cb_err err = {0};
	make_case(&c, i, false);
	set(&c, "site", site);
	if (first)
		set(&c, "first_name", first);
	if (last)
		set(&c, "last_name", last);
	if (birth)
		set(&c, "birth_date", birth);
	if (phone)
		set(&c, "phone", phone);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(id, c.case_id, 16);
	cb_case_clear(&c);
}

static struct cb_store *s;
static uint8_t ana[16], ana2[16], ion[16], olena[16];

static int setup(void **state)
{
	(void)state;
	s = open_new(new_db());
	add(s, 1, "MD-CHISINAU", "Ana Maria", "Rușu", "1990-05-17", "+373 69 123 456", ana);
	add(s, 2, "MD-BALTI", "Anna", "Rusu", "1990-05-17", NULL, ana2);
	add(s, 3, "MD-CHISINAU", "Ion", "Popescu", "1985-01-02", "+37369000111", ion);
	add(s, 4, "UA-KYIV", "Олена", "Шевченко", "1979-12-30", NULL, olena);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cb_store_free(&s);
	return 0;
}

static size_t search(struct cb_search_query q, struct cb_search_hit **hits)
{
	struct cb_err err = {0};
	size_t n = 0;
	assert_int_equal(cb_search(s, &q, hits, &n, &err), CB_OK);
	return n;
}

static bool has(const struct cb_search_hit *h, size_t n, const uint8_t id[16])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(h[i].id, id, 16))
			return true;
	return false;
}

static void test_name_spellings(void **state)
{
	(void)state;
	struct cb_search_hit *h = NULL;
	size_t n = search((struct cb_search_query){.name = "РУСУ"}, &h);
	assert_true(has(h, n, ana) && has(h, n, ana2));
	assert_false(has(h, n, ion));
	assert_string_equal(h[0].matched, "name");
	assert_true(h[0].score == 1.0);
	free(h);
	/* order and case do not matter; the full name ranks above a partial one */
	n = search((struct cb_search_query){.name = "rusu ANA"}, &h);
	assert_true(n >= 2);
	assert_memory_equal(h[0].id, ana, 16);
	assert_true(h[0].score > h[1].score);
	free(h);
	n = search((struct cb_search_query){.name = "Olena Shevchenko"}, &h);
	assert_int_equal(n, 1);
	assert_memory_equal(h[0].id, olena, 16);
	free(h);
	/* a spelling that only sounds alike: found, ranked lower, said so */
	n = search((struct cb_search_query){.name = "Russu"}, &h);
	assert_true(has(h, n, ana));
	assert_string_equal(h[0].matched, "name(phonetic)");
	assert_true(h[0].score < 1.0);
	free(h);
	n = search((struct cb_search_query){.name = "Zzyzxvoq"}, &h);
	assert_int_equal(n, 0);
	free(h);
}

static void test_date_phone_site(void **state)
{
	(void)state;
	struct cb_search_hit *h = NULL;
	size_t n = search((struct cb_search_query){.birth_date = "1990-05-17"}, &h);
	assert_int_equal(n, 2);
	free(h);
	n = search((struct cb_search_query){.name = "Anna Rusu", .birth_date = "1990-05-17", .site = "MD-BALTI"}, &h);
	assert_int_equal(n, 1);
	assert_memory_equal(h[0].id, ana2, 16);
	assert_string_equal(h[0].matched, "name,birth_date");
	free(h);
	n = search((struct cb_search_query){.phone = "069 123 456"}, &h);
	assert_int_equal(n, 1);
	assert_memory_equal(h[0].id, ana, 16);
	assert_string_equal(h[0].matched, "phone");
	free(h);
	/* the name agrees, the date does not: half the score */
	n = search((struct cb_search_query){.name = "Ion Popescu", .birth_date = "1985-01-03"}, &h);
	assert_true(n >= 1);
	assert_memory_equal(h[0].id, ion, 16);
	assert_true(h[0].score == 0.5);
	assert_string_equal(h[0].matched, "name");
	free(h);
}

static void test_refusals(void **state)
{
	(void)state;
	struct cb_search_hit *h = NULL;
	struct cb_err err = {0};
	size_t n;
	assert_int_equal(cb_search(s, &(struct cb_search_query){0}, &h, &n, &err), CB_EINVAL);
	assert_int_equal(cb_search(s, &(struct cb_search_query){.birth_date = "17.05.1990"}, &h, &n, &err), CB_EINVAL);
	assert_null(strstr(err.msg, "17.05.1990"));
	assert_int_equal(cb_search(s, &(struct cb_search_query){.phone = "12"}, &h, &n, &err), CB_EINVAL);
	assert_int_equal(cb_search(s, &(struct cb_search_query){.name = "--- 42"}, &h, &n, &err), CB_EINVAL);
	char kinds[64];
	cb_search_kinds(&(struct cb_search_query){.name = "x", .phone = "y"}, kinds, sizeof kinds);
	assert_string_equal(kinds, "name,phone");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_spellings),
		cmocka_unit_test(test_date_phone_site),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
