/*
 * test_countries.c -- tests of src/codebook/countries.c: the ISO 3166-1 table, code lookup and M49 regions.
 */
#include <ctype.h>

#include "cb_test.h"

#include "codebook/codebook.h"

static void test_table(void **state)
{
	(void)state;
	assert_int_equal(cb_ncountries, 250); /* iso-codes' 249 plus Kosovo */
	for (int i = 0; i < cb_ncountries; i++) {
		const struct cb_country *c = &cb_countries[i];
		assert_int_equal(strlen(c->alpha2), 2);
		assert_int_equal(strlen(c->alpha3), 3);
		assert_true(c->name[0] != 0);
		assert_true(c->subregion[0] != 0);
		if (i > 0) /* sorted, unique */
			assert_true(strcmp(cb_countries[i - 1].alpha2, c->alpha2) < 0);
		int r = cb_country_region(i);
		assert_true(r >= 0 && r < cb_nregions);
		assert_string_equal(cb_regions[r], c->region);
	}
	assert_int_equal(cb_nregions, 6);
	assert_string_equal(cb_regions[cb_nregions - 1], "Other");
	assert_int_equal(cb_country_region(-1), CB_NA);
	assert_int_equal(cb_country_region(cb_ncountries), CB_NA);
	assert_int_equal(cb_country_region(CB_NA), CB_NA);
}

static void test_find(void **state)
{
	(void)state;
	char lower[4];
	for (int i = 0; i < cb_ncountries; i++) {
		const struct cb_country *c = &cb_countries[i];
		assert_int_equal(cb_country_find(c->alpha2), i);
		assert_int_equal(cb_country_find(c->alpha3), i);
		for (int k = 0; k < 4; k++)
			lower[k] = (char)tolower((unsigned char)c->alpha3[k]);
		assert_int_equal(cb_country_find(lower), i);
		lower[0] = (char)tolower((unsigned char)c->alpha2[0]);
		lower[1] = c->alpha2[1];
		lower[2] = 0;
		assert_int_equal(cb_country_find(lower), i);
	}
	const char *bad[] = {"", "U", "ZZ", "ZZZ", "UKRA", "U1", "U A", "Ukraine", "\xc3\x9c" "A", "UA ", NULL};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		assert_int_equal(cb_country_find(bad[i]), CB_NA);
}

/* Spot checks of the M49 mapping, one or more per region. */
static void test_regions(void **state)
{
	(void)state;
	static const char *const t[][4] = {
		{"UA", "UKR", "Europe", "Eastern Europe"},
		{"DE", "DEU", "Europe", "Western Europe"},
		{"GB", "GBR", "Europe", "Northern Europe"},
		{"XK", "XKX", "Europe", "Southern Europe"},
		{"NG", "NGA", "Africa", "Western Africa"},
		{"EG", "EGY", "Africa", "Northern Africa"},
		{"KE", "KEN", "Africa", "Eastern Africa"},
		{"US", "USA", "Americas", "Northern America"},
		{"MX", "MEX", "Americas", "Central America"},
		{"BR", "BRA", "Americas", "South America"},
		{"HT", "HTI", "Americas", "Caribbean"},
		{"TH", "THA", "Asia", "South-eastern Asia"},
		{"IN", "IND", "Asia", "Southern Asia"},
		{"CN", "CHN", "Asia", "Eastern Asia"},
		{"TR", "TUR", "Asia", "Western Asia"},
		{"UZ", "UZB", "Asia", "Central Asia"},
		{"AU", "AUS", "Oceania", "Australia and New Zealand"},
		{"FJ", "FJI", "Oceania", "Melanesia"},
		{"AQ", "ATA", "Other", "Antarctica"},
	};
	for (size_t i = 0; i < CB_COUNTOF(t); i++) {
		int32_t k = cb_country_find(t[i][0]);
		assert_int_not_equal(k, CB_NA);
		assert_int_equal(cb_country_find(t[i][1]), k);
		assert_string_equal(cb_countries[k].region, t[i][2]);
		assert_string_equal(cb_countries[k].subregion, t[i][3]);
		assert_string_equal(cb_regions[cb_country_region(k)], t[i][2]);
	}
	assert_string_equal(cb_countries[cb_country_find("XK")].name, "Kosovo");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_regions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
