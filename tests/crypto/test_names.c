/*
 * test_names.c -- tests of src/crypto/names.c: folding (case, accents, Romanian comma letters, Cyrillic,
 * Vietnamese), splitting into parts, invalid UTF-8, the phonetic code's transliteration cases, phone digits.
 */
#include "cb_test.h"

#include "crypto/names.h"

static void fold(const char *text, struct cb_name_parts *p)
{
	memset(p, 0, sizeof *p);
	cb_name_fold(text, strlen(text), p);
}

static void test_fold_meets(void **state)
{
	(void)state;
	struct cb_name_parts a, b, c;
	fold("Rușu", &a);
	fold("Rusu", &b);
	fold("РУСУ", &c);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.part[0], "rusu");
	assert_string_equal(b.part[0], "rusu");
	assert_string_equal(c.part[0], "rusu");
	fold("Şerban Ţurcanu", &a); /* cedilla forms too */
	assert_int_equal(a.n, 2);
	assert_string_equal(a.part[0], "serban");
	assert_string_equal(a.part[1], "turcanu");
	fold("Олена Шевченко", &a);
	assert_string_equal(a.part[0], "olena");
	assert_string_equal(a.part[1], "shevchenko");
	fold("Юлія Їжакевич", &a); /* Ukrainian letters */
	assert_string_equal(a.part[0], "iuliia");
	assert_string_equal(a.part[1], "izhakevich");
	fold("Nguyễn Thị Ánh", &a);
	assert_string_equal(a.part[0], "nguyen");
	assert_string_equal(a.part[1], "thi");
	assert_string_equal(a.part[2], "anh");
	fold("Müller-Straße O'Brien", &a);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.part[0], "muller");
	assert_string_equal(a.part[1], "strasse");
	assert_string_equal(a.part[2], "obrien");
	fold("Jose\xCC\x81", &a); /* e + combining acute */
	assert_string_equal(a.part[0], "jose");
}

static void test_fold_parts(void **state)
{
	(void)state;
	struct cb_name_parts p;
	fold("  maria,  MARIA ;ana\tmaria  ", &p); /* repeats kept once, any separator */
	assert_int_equal(p.n, 2);
	assert_string_equal(p.part[0], "maria");
	assert_string_equal(p.part[1], "ana");
	fold("", &p);
	assert_int_equal(p.n, 0);
	fold("12 -- !!", &p);
	assert_int_equal(p.n, 0);
	fold("\xff\xfe" "ab\xc3" "cd\xe2\x82", &p); /* invalid bytes separate */
	assert_int_equal(p.n, 2);
	assert_string_equal(p.part[0], "ab");
	assert_string_equal(p.part[1], "cd");
	fold("王秀英 李", &p); /* no table: kept as written, still parts */
	assert_int_equal(p.n, 2);
	assert_string_equal(p.part[0], "王秀英");
	char longname[200];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	fold(longname, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(strlen(p.part[0]), CB_NAME_PART_MAX - 1);
	/* at most CB_NAME_PARTS_MAX parts */
	fold("a b c d e f g h i j k l m n o p", &p);
	assert_int_equal(p.n, CB_NAME_PARTS_MAX);
}

static void phon(const char *part, char out[CB_PHON_MAX])
{
	cb_name_phonetic(part, out);
}

static void test_phonetic(void **state)
{
	(void)state;
	char a[CB_PHON_MAX], b[CB_PHON_MAX];
	static const char *const same[][2] = {
		{"chernov", "tchernov"}, {"chernov", "cernov"}, {"yulia", "iulia"},  {"yulia", "julia"},
		{"ivanov", "ivanoff"},   {"tsvetkova", "cvetkova"}, {"olha", "olkha"}, {"sophia", "sofia"},
		{"mohammed", "muhamed"}, {"rusu", "russu"},
	};
	for (size_t i = 0; i < CB_COUNTOF(same); i++) {
		phon(same[i][0], a);
		phon(same[i][1], b);
		if (strcmp(a, b))
			fail_msg("%s (%s) and %s (%s) should sound alike", same[i][0], a, same[i][1], b);
	}
	phon("rusu", a);
	phon("popescu", b);
	assert_string_not_equal(a, b);
	phon("aeiou", a); /* no consonant */
	assert_string_equal(a, "0");
	phon("bcdfgklmnprstvz", a);
	assert_true(strlen(a) <= 6);
}

static void test_phone_digits(void **state)
{
	(void)state;
	char a[10], b[10];
	cb_phone_digits("+373 69 123 456", a);
	cb_phone_digits("069-123-456", b);
	assert_string_equal(a, b); /* country code and trunk zero fall away */
	cb_phone_digits("12345", a);
	assert_string_equal(a, "");
	cb_phone_digits("none", a);
	assert_string_equal(a, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_meets),
		cmocka_unit_test(test_fold_parts),
		cmocka_unit_test(test_phonetic),
		cmocka_unit_test(test_phone_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
