/*
 * test_release.c -- releases and the bank analysts query (src/stats/release.c), attacked as an analyst
 * would: the same cell asked a hundred ways, the same query asked again and again, and the differencing
 * pair "F" / "F or <one person>" before and after that person is registered.  Answers come from releases
 * only, so none of these learns anything a release did not publish; a new measurement is the only way
 * to learn more, and it is budgeted, recorded and refused over the cap.
 */
#include <stdio.h>

#include "cb_test.h"
#include "io/io.h"
#include "stats/stats_int.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_impl.h"

static struct cb_store *s;
static int year; /* the busiest year of the demo data */

static int setup(void **state)
{
	(void)state;
	struct cb_err err = {0};
	const char *db = cbt_db("r.db");
	if (cb_store_create(db, &err) || cb_store_open(db, 0, &s, &err) || cb_demo_generate(s, 3000, 5, false, &err))
		return -1;
	struct cb_release_opts o = {0};
	FILE *devnull = fopen("/dev/null", "w");
	int rc = cb_release_run(s, &o, devnull, &err);
	fclose(devnull);
	year = 2019;
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	cb_store_free(&s);
	return 0;
}

static int count_rows(const struct cb_release_row *r, void *ctx)
{
	(void)r;
	(*(int *)ctx)++;
	return CB_OK;
}

static int ledger_rows(void)
{
	int n = 0;
	assert_int_equal(cb_store_releases(s, false, false, count_rows, &n, NULL), CB_OK);
	return n;
}

/* One cell of a query: coordinates by value name ("Total" for the total); -1 when the query fails. */
static long cell(struct cb_stats *st, const char *d0, const char *d1, const char *where, const char *v0,
		 const char *v1)
{
	struct cb_query q = {.dims = {d0, d1}, .where = where};
	struct cb_table *t = NULL;
	struct cb_err err = {0};
	if (cb_stats_query(st, &q, &t, &err) != CB_OK)
		return -1;
	int co[3] = {CB_CELL_TOTAL, CB_CELL_TOTAL, CB_CELL_TOTAL};
	const char *want[2] = {v0, v1};
	for (int d = 0; d < cb_table_ndims(t); d++)
		for (int v = 0; v < cb_table_nvalues(t, d); v++)
			if (!strcmp(cb_table_value(t, d, v), want[d]))
				co[d] = v;
	long n = (long)cb_table_at(t, co)->value;
	assert_false(cb_table_at(t, co)->suppressed);
	assert_true(cb_table_from_release(t));
	cb_table_free(&t);
	return n;
}

static void test_ledger_and_cap(void **state)
{
	(void)state;
	struct cb_err err = {0};
	char *out = NULL;
	size_t len = 0;
	int rows = ledger_rows(), y[1] = {2017}; /* not the year test_differencing adds a case to */
	assert_true(rows >= 20); /* one release per year of the demo data */
	/* nothing changed: nothing measured, nothing spent */
	FILE *f = open_memstream(&out, &len);
	struct cb_release_opts o = {.years = y, .nyears = 1};
	assert_int_equal(cb_release_run(s, &o, f, &err), CB_OK);
	fclose(f);
	assert_non_null(strstr(out, "unchanged since release"));
	free(out);
	assert_int_equal(ledger_rows(), rows);
	/* over the cap: refused, with what is left, and nothing written */
	double cap, spent;
	assert_int_equal(cb_release_set_cap(s, y[0], 0.3, &err), CB_OK);
	assert_int_equal(cb_release_budget(s, y[0], &cap, &spent, &err), CB_OK);
	assert_true(cap == 0.3 && spent > 0.19 && spent <= 0.2);
	o.force = true;
	f = open_memstream(&out, &len);
	assert_int_equal(cb_release_run(s, &o, f, &err), CB_EPERM);
	fclose(f);
	assert_non_null(strstr(out, "refused"));
	assert_non_null(strstr(out, "over its cap"));
	free(out);
	assert_int_equal(ledger_rows(), rows);
	/* within the cap: measured again, spent, and recorded */
	o.rho = 0.1;
	f = open_memstream(&out, &len);
	assert_int_equal(cb_release_run(s, &o, f, &err), CB_OK);
	fclose(f);
	free(out);
	assert_int_equal(ledger_rows(), rows + 1);
	assert_int_equal(cb_release_budget(s, y[0], &cap, &spent, &err), CB_OK);
	assert_true(spent > 0.29 && spent <= 0.3);
	/* the ledger cannot be edited to hand a budget back */
	assert_int_not_equal(cb_db_exec(s->db, "DELETE FROM releases"), CB_OK);
	assert_int_not_equal(cb_db_exec(s->db, "UPDATE releases SET rho = 0.0001"), CB_OK);
	assert_int_equal(ledger_rows(), rows + 1);
	/* her year changed (test_differencing registered her): the next run measures it, and only it */
	struct cb_release_opts all = {0};
	f = open_memstream(&out, &len);
	assert_int_equal(cb_release_run(s, &all, f, &err), CB_OK);
	fclose(f);
	assert_non_null(strstr(out, "2019: release "));
	assert_non_null(strstr(out, "2018: unchanged"));
	free(out);
	assert_int_equal(ledger_rows(), rows + 2);
}

/* Cells, totals and filtered tables agree, as whole numbers >= 0. */
static void test_consistent(void **state)
{
	(void)state;
	struct cb_stats *st = NULL;
	struct cb_err err = {0};
	struct cb_table *t = NULL;
	assert_int_equal(cb_stats_open(s, &st, &err), CB_OK);
	assert_null(cb_stats_index(st)); /* a server cannot write cases into it */
	struct cb_query q = {.dims = {"gender", "age_group"}, .where = "year >= 2015"};
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_OK);
	for (int g = 0; g < cb_table_nvalues(t, 0); g++) {
		long sum = 0;
		for (int a = 0; a < cb_table_nvalues(t, 1); a++) {
			const struct cb_cell *c = cb_table_at(t, (int[]){g, a, CB_CELL_TOTAL});
			assert_true(c->value >= 0);
			sum += (long)c->value;
			/* the filtered table has the same cell */
			char where[200];
			snprintf(where, sizeof where, "year >= 2015 and gender = \"%s\"", cb_table_value(t, 0, g));
			if (strcmp(cb_table_value(t, 0, g), "not recorded") && strcmp(cb_table_value(t, 1, a), "not recorded"))
				assert_int_equal(cell(st, "age_group", NULL, where, cb_table_value(t, 1, a), NULL), c->value);
		}
		assert_int_equal(sum, cb_table_at(t, (int[]){g, CB_CELL_TOTAL, CB_CELL_TOTAL})->value);
	}
	assert_true(cb_table_nreleases(t) >= 5);
	char note[1024];
	assert_non_null(strstr(cb_table_note(t, note, sizeof note), "differentially private releases of 2015-"));
	cb_table_free(&t);
	/* exact counts are never answered from releases, and unreleased fields are refused */
	q.flags = CB_Q_EXACT;
	assert_int_equal(cb_stats_query(st, &q, &t, &err), CB_EPERM);
	struct cb_query q2 = {.dims = {"site"}};
	assert_int_equal(cb_stats_query(st, &q2, &t, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "not in the statistical releases"));
	struct cb_query q3 = {.dims = {"gender"}, .where = "labour_sector = mining"};
	assert_int_equal(cb_stats_query(st, &q3, &t, &err), CB_EINVAL);
	assert_non_null(strstr(err.msg, "cannot be filtered on"));
	cb_stats_free(&st);
}

/* The cell (Feminine, year) asked 100 ways: dimensions, order, totals, filters that say the same thing. */
static void test_same_cell_100_ways(void **state)
{
	(void)state;
	struct cb_stats *st = NULL;
	struct cb_err err = {0};
	char y[8], w[300];
	const char *years[] = {"year = Y", "year >= Y and year <= Y", "year between Y and Y", "year in (Y)",
			       "not (year != Y)", "(year > Y or year = Y) and not year > Y"};
	const char *others[] = {"", " and (gender = Feminine or gender = Masculine)",
				" and not age_group = \"not recorded\" or age_group = \"not recorded\"",
				" and (citizenship_region = Europe or citizenship_region != Europe or citizenship = \"not recorded\")",
				" and exploitation_type = ForcedLabour or not exploitation_type = ForcedLabour",
				" and year >= 1990", " and destination_region in (Africa, Americas, Asia, Europe, Oceania, Other, \"not recorded\")",
				" and education = \"not recorded\" or not education = \"not recorded\"",
				" and recruiter_sex != unknown or recruiter_sex = unknown or recruiter_sex = \"not recorded\""};
	const char *second[] = {NULL, "age_group", "marital_status", "recruiter_sex", "citizenship_region",
				"promised_job", "education", "majority", "destination_region", "occupation_home",
				"intended_country", "recruiter_relation"};
	assert_int_equal(cb_stats_open(s, &st, &err), CB_OK);
	snprintf(y, sizeof y, "%d", year);
	long want = cell(st, "gender", "year", NULL, "Feminine", y), asked = 0;
	assert_true(want > 50);
	for (size_t i = 0; i < CB_COUNTOF(years); i++)
		for (size_t j = 0; j < CB_COUNTOF(others); j++)
			for (size_t k = 0; k < CB_COUNTOF(second) && asked < 100; k += 5, asked++) {
				char yw[120];
				size_t o = 0;
				for (const char *p = years[i]; *p && o + 8 < sizeof yw; p++) /* Y: the year */
					o += *p == 'Y' ? (size_t)snprintf(yw + o, sizeof yw - o, "%d", year) : (yw[o] = *p, 1);
				yw[o] = 0;
				/* "a and b or c" groups as "(a and b) or c": parenthesise the filter in the year part */
				snprintf(w, sizeof w, "(%s)%s", yw, others[j][0] ? others[j] : "");
				if (others[j][0] && strstr(others[j], " or "))
					snprintf(w, sizeof w, "(%s) and (%s)", yw, others[j] + 5);
				long got = (i + j + k) % 2 ? cell(st, "gender", second[k], w, "Feminine", "Total")
							   : cell(st, second[k] ? second[k] : "gender", second[k] ? "gender" : NULL,
								  w, second[k] ? "Total" : "Feminine", "Feminine");
				if (got != want)
					fail_msg("asked as %s by %s: %ld, not %ld", w, second[k] ? second[k] : "-", got, want);
			}
	assert_int_equal(asked, 100);
	cb_stats_free(&st);
}

/* Asked again, in this process and in a new bank: the same answer, so averaging gains nothing. */
static void test_repeated(void **state)
{
	(void)state;
	struct cb_stats *a = NULL, *b = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_stats_open(s, &a, &err), CB_OK);
	assert_int_equal(cb_stats_open(s, &b, &err), CB_OK);
	long first = cell(a, "exploitation_type", NULL, "gender = Masculine and year >= 2010", "ForcedLabour", NULL);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(cell(a, "exploitation_type", NULL, "gender = Masculine and year >= 2010", "ForcedLabour", NULL), first);
		assert_int_equal(cell(b, "exploitation_type", NULL, "gender = Masculine and year >= 2010", "ForcedLabour", NULL), first);
	}
	cb_stats_free(&a);
	cb_stats_free(&b);
}

/* The tracker: "F" and "F or <her description>".  Registering her changes no answer until her year is
 * released again (budgeted, in the ledger); the difference of the pair is always a count of the release's
 * synthetic caseload, never of the records. */
static void test_differencing(void **state)
{
	(void)state;
	struct cb_stats *before = NULL, *after = NULL;
	struct cb_err err = {0};
	const char *F = "year = 2019 and gender = Masculine";
	const char *FP = "year = 2019 and gender = Masculine or year = 2019 and gender = TransgenderMasculine and "
			 "citizenship = IS and destination_country = NZ";
	const char *dims[] = {"exploitation_type", "recruitment_method", "promised_job", "recruiter_relation"};
	long b[4][2];
	assert_int_equal(cb_stats_open(s, &before, &err), CB_OK);
	for (int d = 0; d < 4; d++)
		for (int i = 0; i < 2; i++)
			b[d][i] = cell(before, dims[d], NULL, i ? FP : F, "Total", NULL);
	/* she is registered: Icelandic, exploited in New Zealand, the only such case */
	struct cb_case c;
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_site], "IS-REYKJAVIK", &err), CB_OK);
	assert_int_equal(cb_case_set_text(&c, &cb_fields[CB_FLD_registered_on], "2019-05-05", &err), CB_OK);
	c.gender = CB_gender_TransgenderMasculine;
	c.citizenship = cb_country_find("IS");
	c.destination_country = cb_country_find("NZ");
	c.exploitation_type = 1ull << CB_exploitation_type_OrganRemoval;
	c.consent_statistics = CB_yes_no_yes;
	cb_case_derive(&c);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_case_clear(&c);
	assert_int_equal(cb_stats_open(s, &after, &err), CB_OK);
	for (int d = 0; d < 4; d++)
		for (int i = 0; i < 2; i++)
			assert_int_equal(cell(after, dims[d], NULL, i ? FP : F, "Total", NULL), b[d][i]);
	/* the pair's difference is a published count: the description's cell of the released tables */
	long diff = b[0][1] - b[0][0];
	assert_int_equal(diff, cell(before, "gender", NULL, "year = 2019 and citizenship = IS and destination_country = NZ",
				    "TransgenderMasculine", NULL));
	cb_stats_free(&before);
	cb_stats_free(&after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consistent),
		cmocka_unit_test(test_same_cell_100_ways),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_differencing),
		cmocka_unit_test(test_ledger_and_cap),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
