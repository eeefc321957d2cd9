/*
 * countries.c -- the ISO 3166-1 country table (include/tbl/cb_countries.h) and its lookups.
 *
 * cb_country_find runs for every country cell of every imported row, so it is a direct-indexed table:
 * one slot per possible alpha-2 (26^2) and alpha-3 (26^3) code, built once on first use.
 */
#include <pthread.h>
#include <string.h>

#include "codebook/codebook.h"

const struct cb_country cb_countries[] = {
#define CB_COUNTRY(a2, a3, name, region, subregion) {a2, a3, name, region, subregion},
#include "tbl/cb_countries.h"
#undef CB_COUNTRY
};
const int cb_ncountries = (int)CB_COUNTOF(cb_countries);

const char *const cb_regions[] = {"Africa", "Americas", "Asia", "Europe", "Oceania", "Other"};
const int cb_nregions = (int)CB_COUNTOF(cb_regions);

/* Slot values are country index + 1, so 0 means "no such code". */
static uint16_t by_alpha2[26 * 26];
static uint16_t by_alpha3[26 * 26 * 26];
static uint8_t region_of[CB_COUNTOF(cb_countries)];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

_Static_assert(CB_COUNTOF(cb_countries) < UINT16_MAX, "country index fits a slot");

/* Index of a code of n letters (case-insensitive), or -1 if it is not n letters. */
static int code_slot(const char *s, int n)
{
	int slot = 0;
	for (int i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 'a' && ch <= 'z')
			ch = (unsigned char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z')
			return -1;
		slot = slot * 26 + (ch - 'A');
	}
	return s[n] == 0 ? slot : -1;
}

static void tables_build(void)
{
	for (int i = 0; i < cb_ncountries; i++) {
		by_alpha2[code_slot(cb_countries[i].alpha2, 2)] = (uint16_t)(i + 1);
		by_alpha3[code_slot(cb_countries[i].alpha3, 3)] = (uint16_t)(i + 1);
		region_of[i] = (uint8_t)(cb_nregions - 1); /* "Other" unless named */
		for (int r = 0; r < cb_nregions; r++)
			if (strcmp(cb_countries[i].region, cb_regions[r]) == 0)
				region_of[i] = (uint8_t)r;
	}
}

int32_t cb_country_find(const char *code)
{
	int slot;
	if (!code)
		return CB_NA;
	pthread_once(&tables_once, tables_build);
	size_t n = strnlen(code, 4);
	if (n == 2 && (slot = code_slot(code, 2)) >= 0 && by_alpha2[slot])
		return by_alpha2[slot] - 1;
	if (n == 3 && (slot = code_slot(code, 3)) >= 0 && by_alpha3[slot])
		return by_alpha3[slot] - 1;
	return CB_NA;
}

int cb_country_region(int32_t country)
{
	if (country < 0 || country >= cb_ncountries)
		return CB_NA;
	pthread_once(&tables_once, tables_build);
	return region_of[country];
}
