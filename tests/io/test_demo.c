/*
 * test_demo.c -- the synthetic demo data: reproducible from the seed (coded fields, identifying details and
 * case ids), valid, with shares in the published ranges, identifying details that fit the coded facts, and
 * cb_demo_generate writing N cases into a fresh store in batches, with progress when asked.
 */
#include "cb_test.h"

#include "io/io.h"

#define SAMPLE 20000

/* Every field, identifying details included; on a difference, fails naming the field. */
static void assert_same_case(const struct cb_case *a, const struct cb_case *b)
{
	char ta[512], tb[512];
	if (cb_case_equal(a, b))
		return;
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind == CB_PII) {
			const char *x = *(char *const *)cb_case_cmember(a, f), *y = *(char *const *)cb_case_cmember(b, f);
			if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
				fail_msg("field %s differs", f->name);
			continue;
		}
		cb_case_format(a, f, ta, sizeof ta);
		cb_case_format(b, f, tb, sizeof tb);
		if (strcmp(ta, tb) != 0)
			fail_msg("field %s differs: '%s' vs '%s'", f->name, ta, tb);
	}
	fail_msg("the versions differ");
}

static bool same_coded(const struct cb_case *a, const struct cb_case *b)
{
	char ta[512], tb[512];
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind == CB_PII)
			continue;
		cb_case_format(a, f, ta, sizeof ta);
		cb_case_format(b, f, tb, sizeof tb);
		if (strcmp(ta, tb) != 0)
			return false;
	}
	return true;
}

static void test_same_seed_same_cases(void **state)
{
	(void)state;
	struct cb_demo_rng r1, r2;
	struct cb_case a, b;
	cb_case_init(&a);
	cb_case_init(&b);
	cb_demo_rng_seed(&r1, 42);
	cb_demo_rng_seed(&r2, 42);
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(cb_demo_case(&r1, &a, true), CB_OK);
		assert_int_equal(cb_demo_case(&r2, &b, true), CB_OK);
		assert_same_case(&a, &b);
	}
	cb_case_clear(&a);
	cb_case_clear(&b);
}

static void test_different_seed_different_cases(void **state)
{
	(void)state;
	struct cb_demo_rng r1, r2;
	struct cb_case a, b;
	int differ = 0, names_differ = 0;
	cb_case_init(&a);
	cb_case_init(&b);
	cb_demo_rng_seed(&r1, 1);
	cb_demo_rng_seed(&r2, 2);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(cb_demo_case(&r1, &a, true), CB_OK);
		assert_int_equal(cb_demo_case(&r2, &b, true), CB_OK);
		differ += !same_coded(&a, &b);
		names_differ += strcmp(a.first_name, b.first_name) != 0 || a.phone == NULL || b.phone == NULL ||
				strcmp(a.phone, b.phone) != 0;
	}
	assert_true(differ >= 190);
	assert_true(names_differ >= 150);
	cb_case_clear(&a);
	cb_case_clear(&b);
}

/* The coded fields do not depend on whether identifying details are drawn (benchmarks draw none). */
static void test_pii_does_not_change_coded_fields(void **state)
{
	(void)state;
	struct cb_demo_rng r1, r2;
	struct cb_case a, b;
	cb_case_init(&a);
	cb_case_init(&b);
	cb_demo_rng_seed(&r1, 7);
	cb_demo_rng_seed(&r2, 7);
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(cb_demo_case(&r1, &a, true), CB_OK);
		assert_int_equal(cb_demo_case(&r2, &b, false), CB_OK);
		assert_true(same_coded(&a, &b));
		assert_true(cb_case_has_pii(&a));
		assert_false(cb_case_has_pii(&b));
	}
	cb_case_clear(&a);
	cb_case_clear(&b);
}

static void test_every_case_valid(void **state)
{
	(void)state;
	struct cb_demo_rng r;
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	cb_demo_rng_seed(&r, 1);
	for (int i = 0; i < SAMPLE; i++) {
		assert_int_equal(cb_demo_case(&r, &c, true), CB_OK);
		if (cb_case_validate(&c, &err) != CB_OK)
			fail_msg("case %d: %s", i, err.msg);
	}
	cb_case_clear(&c);
}

struct shares {
	long n, female, minor9_17, sexual, labour, gender_missing, education_missing, marital_missing;
	long labour_early, typed_early, labour_late, typed_late, consent_stats, consent_share, narratives;
	long site_n, dest[300], has[CB_NFIELDS];
	char sites[64][17];
	int year_min, year_max;
};

static void tally(struct shares *s, const struct cb_case *c)
{
	s->n++;
	s->female += c->gender == CB_gender_Feminine;
	s->gender_missing += c->gender == CB_NA;
	s->minor9_17 += c->age_group == CB_age_group_a9_17;
	bool sex = c->exploitation_type & (UINT64_C(1) << CB_exploitation_type_SexualExploitation);
	bool lab = c->exploitation_type & (UINT64_C(1) << CB_exploitation_type_ForcedLabour);
	s->sexual += sex;
	s->labour += lab;
	if (c->year <= 2010) {
		s->typed_early += sex || lab;
		s->labour_early += lab;
	} else if (c->year >= 2015) {
		s->typed_late += sex || lab;
		s->labour_late += lab;
	}
	s->education_missing += c->education == CB_NA;
	s->marital_missing += c->marital_status == CB_NA;
	s->consent_stats += c->consent_statistics == CB_yes_no_yes;
	s->consent_share += c->consent_share_partners == CB_yes_no_yes;
	s->narratives += c->narrative != NULL;
	if (c->destination_country != CB_NA)
		s->dest[c->destination_country]++;
	if (s->n == 1 || c->year < s->year_min)
		s->year_min = c->year;
	if (s->n == 1 || c->year > s->year_max)
		s->year_max = c->year;
	int k = 0;
	while (k < s->site_n && strcmp(s->sites[k], c->site) != 0)
		k++;
	if (k == s->site_n && k < 64)
		snprintf(s->sites[s->site_n++], 17, "%s", c->site);
	for (int i = 0; i < CB_NFIELDS; i++)
		s->has[i] += cb_case_has(c, &cb_fields[i]);
}

static void test_shares_in_range(void **state)
{
	(void)state;
	static struct shares s;
	struct cb_demo_rng r;
	struct cb_case c;
	cb_case_init(&c);
	cb_demo_rng_seed(&r, 2024);
	for (int i = 0; i < SAMPLE; i++) {
		assert_int_equal(cb_demo_case(&r, &c, true), CB_OK);
		tally(&s, &c);
	}
	cb_case_clear(&c);
	long top = 0;
	for (int i = 0; i < 300; i++)
		top = s.dest[i] > top ? s.dest[i] : top;
	double n = (double)s.n;
	print_message("female %.1f%%, 9-17 %.1f%%, sexual %.1f%%, labour %.1f%%, labour early %.1f%% late %.1f%%, "
		      "sites %ld, years %d-%d, top destination %.1f%%\n",
		      100 * s.female / n, 100 * s.minor9_17 / n, 100 * s.sexual / n, 100 * s.labour / n,
		      100.0 * s.labour_early / (double)s.typed_early, 100.0 * s.labour_late / (double)s.typed_late,
		      s.site_n, s.year_min, s.year_max, 100 * top / n);
	assert_in_range(s.female * 100 / s.n, 62, 78);
	assert_in_range(s.minor9_17 * 100 / s.n, 8, 16);
	assert_true(s.sexual > s.labour);
	assert_true(s.labour > s.n / 4); /* close behind, not far behind */
	assert_true(s.labour_late * s.typed_early > s.labour_early * s.typed_late);
	assert_true(s.site_n >= 19);
	assert_int_equal(s.year_min, 2002);
	assert_int_equal(s.year_max, 2025);
	assert_in_range(top * 100 / s.n, 35, 65);
	/* missing values: some, but gender almost never */
	assert_in_range(s.education_missing * 100 / s.n, 20, 80);
	assert_in_range(s.marital_missing * 100 / s.n, 20, 80);
	assert_true(s.gender_missing * 200 < s.n);
	assert_in_range(s.consent_stats * 100 / s.n, 92, 98);
	assert_in_range(s.consent_share * 100 / s.n, 62, 78);
	assert_true(s.narratives * 10 > s.n * 8);
	/* every field but the id (drawn by cb_demo_generate) gets values, and no optional one is always set */
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind == CB_ID || (f->flags & CB_F_STORE)) /* the id is drawn, the rest kept by the store */
			continue;
		if (s.has[i] == 0)
			fail_msg("field %s never has a value", f->name);
	}
	assert_true(s.has[CB_FLD_recruiter_sex] < s.n && s.has[CB_FLD_means_of_control] < s.n);
	assert_int_equal(s.has[CB_FLD_year], s.n);
}

/* Whole years between two dates, the way a person counts birthdays. */
static int age_on(int32_t born, int32_t day)
{
	char b[11], d[11];
	cb_date_format(born, b);
	cb_date_format(day, d);
	int age = atoi(d) - atoi(b);
	return strcmp(d + 5, b + 5) < 0 ? age - 1 : age;
}

static void test_identifying_details_fit_the_case(void **state)
{
	(void)state;
	struct cb_demo_rng r;
	struct cb_case c;
	int dest_named = 0, dest_checked = 0, births = 0, emails = 0, aliases = 0;
	cb_case_init(&c);
	cb_demo_rng_seed(&r, 99);
	for (int i = 0; i < 5000; i++) {
		assert_int_equal(cb_demo_case(&r, &c, true), CB_OK);
		assert_non_null(c.first_name);
		if (c.birth_date) {
			int32_t born;
			births++;
			assert_int_equal(cb_date_parse(c.birth_date, &born), CB_OK);
			assert_int_equal(cb_date_year(born), c.birth_year);
			assert_int_equal(age_on(born, c.registered_on), c.age_at_registration);
		}
		if (c.phone) {
			assert_int_equal(c.phone[0], '+');
			assert_true(strspn(c.phone + 1, "0123456789") == strlen(c.phone) - 1);
			assert_in_range(strlen(c.phone), 9, 16);
		}
		if (c.email) {
			emails++;
			assert_non_null(strstr(c.email, "@example."));
		}
		aliases += c.aliases != NULL;
		if (!c.narrative)
			continue;
		int sentences = 0;
		for (const char *p = c.narrative; *p; p++)
			sentences += *p == '.' && (p[1] == ' ' || p[1] == 0);
		assert_in_range(sentences, 2, 4);
		assert_non_null(strstr(c.narrative, c.first_name));
		assert_null(strchr(c.narrative, '%'));
		if (c.destination_country != CB_NA && c.destination_country != c.citizenship) {
			dest_checked++;
			dest_named += strstr(c.narrative, cb_countries[c.destination_country].name) != NULL;
		}
		if (c.sexual_exploitation_type == (UINT64_C(1) << CB_sexual_exploitation_type_Prostitution))
			assert_non_null(strstr(c.narrative, "prostitution"));
		if (c.exploitation_type & (UINT64_C(1) << CB_exploitation_type_ForcedMarriage))
			assert_non_null(strstr(c.narrative, "married"));
	}
	cb_case_clear(&c);
	assert_true(dest_checked > 1000);
	assert_int_equal(dest_named, dest_checked);
	assert_true(births > 3000);
	assert_in_range(emails, 1000, 2500);
	assert_in_range(aliases, 200, 900);
}

/* ---- cb_demo_generate into a real store */

/* A recording stand-in for the progress bar (import.c): the linker takes this definition, so the test sees
 * each call instead of a terminal drawing. */
static long progress_calls, progress_done, progress_total;
void cb_progress(const char *what, long done, long total)
{
	assert_non_null(what);
	assert_true(done > progress_done); /* moves forward */
	progress_calls++;
	progress_done = done;
	progress_total = total;
}

struct scanned {
	int n;
	struct cb_case cases[400];
};

static int keep(const struct cb_case *c, void *ctx)
{
	struct scanned *s = ctx;
	if (s->n >= 400)
		return 1;
	cb_case_init(&s->cases[s->n]);
	return cb_case_copy(&s->cases[s->n++], c);
}

static void scan_all(const char *db, struct scanned *out)
{
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	out->n = 0;
	assert_int_equal(cb_store_open(db, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_store_scan(s, NULL, CB_WITH_PII, keep, out, &err), CB_OK);
	cb_store_free(&s);
}

static void scanned_free(struct scanned *s)
{
	for (int i = 0; i < s->n; i++)
		cb_case_clear(&s->cases[i]);
	s->n = 0;
}

static void make_demo_db(const char *db, long n, uint64_t seed, bool progress)
{
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	progress_calls = progress_done = progress_total = 0;
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	if (cb_demo_generate(s, n, seed, progress, &err) != CB_OK)
		fail_msg("cb_demo_generate: %s", err.msg);
	assert_int_equal(cb_store_count(s), n);
	cb_store_free(&s);
}

static void test_generate_writes_n_cases(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	const char *db = cbt_db("many.db");
	make_demo_db(db, 12345, 5, true); /* two full batches and a part, one progress call each */
	assert_int_equal(progress_calls, 3);
	assert_int_equal(progress_done, 12345);
	assert_int_equal(progress_total, 12345);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_store_count(s), 12345);
	/* the same seed again: its first id is taken; the batch is rolled back and the message says why */
	assert_int_equal(cb_demo_generate(s, 10, 5, false, &err), CB_EEXIST);
	assert_non_null(strstr(err.msg, "another --seed"));
	assert_int_equal(cb_store_count(s), 12345);
	assert_int_equal(cb_demo_generate(s, 10, 6, false, &err), CB_OK);
	assert_int_equal(cb_store_count(s), 12355);
	long problems = -1;
	FILE *out = fopen("/dev/null", "w");
	assert_int_equal(cb_store_check(s, out, &problems, &err), CB_OK);
	fclose(out);
	assert_int_equal(problems, 0);
	assert_int_equal(cb_demo_generate(s, -1, 6, false, &err), CB_EINVAL);
	cb_store_free(&s);
}

static void test_same_seed_same_database(void **state)
{
	(void)state;
	static struct scanned a, b, c;
	const char *d1 = cbt_db("seed7a.db"), *d2 = cbt_db("seed7b.db"), *d3 = cbt_db("seed8.db");
	make_demo_db(d1, 300, 7, false);
	assert_int_equal(progress_calls, 0);
	make_demo_db(d2, 300, 7, false);
	make_demo_db(d3, 300, 8, false);
	scan_all(d1, &a);
	scan_all(d2, &b);
	scan_all(d3, &c);
	assert_int_equal(a.n, 300);
	assert_int_equal(b.n, 300);
	int same_id = 0;
	for (int i = 0; i < a.n; i++) {
		assert_memory_equal(a.cases[i].case_id, b.cases[i].case_id, 16);
		assert_same_case(&a.cases[i], &b.cases[i]);
		same_id += memcmp(a.cases[i].case_id, c.cases[i].case_id, 16) == 0;
	}
	assert_int_equal(same_id, 0);
	/* identifying details were stored sealed: none of them is readable in the database */
	int checked = 0;
	for (int i = 0; i < a.n && checked < 20; i++) {
		const char *secret = a.cases[i].narrative;
		if (!secret)
			continue;
		checked++;
		assert_false(cbt_db_holds(d1, secret));
	}
	assert_int_equal(checked, 20);
	scanned_free(&a);
	scanned_free(&b);
	scanned_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_cases),
		cmocka_unit_test(test_different_seed_different_cases),
		cmocka_unit_test(test_pii_does_not_change_coded_fields),
		cmocka_unit_test(test_every_case_valid),
		cmocka_unit_test(test_shares_in_range),
		cmocka_unit_test(test_identifying_details_fit_the_case),
		cmocka_unit_test(test_generate_writes_n_cases),
		cmocka_unit_test(test_same_seed_same_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
