/*
 * report_fixture.h -- a bank of synthetic cases for the report tests (test_report*.c): years 2003-2024,
 * three common nationalities, one rare nationality with 3 cases (always suppressed), multi-valued fields,
 * and helpers that check outputs for counts below the threshold.  Header-only, like cb_test.h.
 */
#ifndef CB_REPORT_FIXTURE_H
#define CB_REPORT_FIXTURE_H

#include "cb_test.h"
#include "stats/report.h"

#define RF_CASES 6000
#define RF_THRESHOLD 10

static inline void rf_set(struct cb_case *c, const char *field, const char *text)
{
	struct cb_err err = {0};
	const struct cb_field *f = cb_field_find(field);
	assert_non_null(f);
	int rc = cb_case_set_text(c, f, text, &err);
	if (rc != CB_OK)
		fail_msg("%s=%s: %s", field, text, err.msg);
}

/* Case i of the fixture: deterministic, so every test sees the same counts. */
static inline void rf_case(struct cb_case *c, long i)
{
	static const char *const nat[] = {"UA", "NG", "VN", "RO", "PH"};
	static const char *const gender[] = {"Feminine", "Masculine", "Feminine", "NonSpecifiedUnknown"};
	static const char *const rec[] = {"AtWork", "ThroughFamilyOrFamilyEvents;ThroughFriendsOrSocialEvents",
					  "ThroughAnOnlineAdvertisement", "Other;AtWork"};
	static const char *const exp[] = {"ForcedLabour", "SexualExploitation", "ForcedLabour;ForcedBegging"};
	char year[8];
	cb_case_init(c);
	for (int b = 0; b < 16; b++)
		c->case_id[b] = (uint8_t)(i >> (8 * (b % 8)) ^ (b * 37 + 1));
	snprintf(c->site, sizeof c->site, "T1");
	snprintf(year, sizeof year, "%ld", 2003 + i % 22);
	rf_set(c, "year", year);
	rf_set(c, "gender", gender[i % 4]);
	/* 3 cases from Iceland: a count that must never be published */
	rf_set(c, "citizenship", i < 3 ? "IS" : nat[(i * 7) % 5 < 3 ? (i * 7) % 5 : 0]);
	rf_set(c, "recruitment_method", rec[i % 4]);
	rf_set(c, "exploitation_type", exp[i % 3]);
	/* 31 destinations: more than the HTML lists */
	static const char *const dest[] = {"TR", "AE", "AT", "BE", "BG", "CH", "CY", "CZ", "DK", "EE",
					   "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IL", "JP",
					   "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "QA", "SE"};
	rf_set(c, "destination_country", i % 5 ? "DE" : dest[(i / 5) % 30]);
	if (i % 3)
		rf_set(c, "intended_country", i % 2 ? "DE" : "IT");
	rf_set(c, "consent_statistics", "yes");
}

/* A bank over RF_CASES synthetic cases with the default ptable. */
static inline struct cb_stats *rf_bank(void)
{
	struct cb_index *ix = NULL;
	struct cb_ptable *pt = NULL;
	struct cb_stats *st = NULL;
	struct cb_err err = {0};
	struct cb_ptable_params p = {CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	assert_int_equal(cb_index_new(&ix), CB_OK);
	for (long i = 0; i < RF_CASES; i++) {
		struct cb_case c;
		rf_case(&c, i);
		if (cb_index_upsert(ix, &c, (uint8_t)(i * 131 + 7), &err) != CB_OK)
			fail_msg("upsert %ld: %s", i, err.msg);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_ptable_generate(&p, &pt, &err), CB_OK);
	if (cb_stats_new(ix, pt, RF_THRESHOLD, false, &st, &err) != CB_OK)
		fail_msg("stats: %s", err.msg);
	return st;
}

static inline struct cb_report *rf_report(struct cb_stats *st, const char *where)
{
	struct cb_report *r = NULL;
	struct cb_err err = {0};
	struct cb_report_opts o = {.where = where, .date = "2024-05-01"};
	if (cb_report_build(st, &o, &r, &err) != CB_OK)
		fail_msg("report: %s", err.msg);
	return r;
}

/* A published count is 0, suppressed, or at least the threshold. */
static inline void rf_assert_protected(const struct cb_cell *c)
{
	if (c && !c->suppressed && c->value != 0 && c->value < RF_THRESHOLD)
		fail_msg("published count %lld is below the threshold %d", (long long)c->value, RF_THRESHOLD);
}

/* Checks a whole-number token of an output: 0 or >= threshold. */
static inline void rf_assert_count_text(const char *s, size_t n, const char *where)
{
	long long v = 0;
	size_t digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ',')
			continue;
		if (s[i] < '0' || s[i] > '9')
			return; /* not a count ("x", a percentage, a label) */
		v = v * 10 + (s[i] - '0');
		digits++;
	}
	if (digits && v != 0 && v < RF_THRESHOLD)
		fail_msg("%s: count %lld below the threshold", where, v);
}

#endif
