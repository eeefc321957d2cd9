/*
 * test_index_build.c -- building the column index from a store (src/stats/index_build.c): a real store
 * gives the same counts as the cases stored; consent and the database's policy; the build on several
 * threads gives exactly the index one thread gives.
 */
#include "cb_test.h"

#include "store/db.h"
#include "store/store_impl.h"
#include "store/tokens.h"

#include "stats/stats_int.h"
#include "index_fixture.h"
#include "stats_fixture.h"

static void test_build_from_store(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_index *ix = NULL;
	struct cb_stats *st = NULL;
	struct cb_err err = {0};
	const char *db = cbt_db("build.db");
	struct fx x = fx_demo(600, 5);
	assert_non_null(x.ix);
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	long consenting = 0, fem = 0, sexual = 0, europe_dest = 0;
	for (long i = 0; i < x.n; i++) {
		struct cb_case c;
		cb_case_init(&c);
		assert_int_equal(cb_case_copy(&c, &x.cases[i]), CB_OK);
		if (cb_store_add(s, &c, NULL, &err) != CB_OK)
			fail_msg("case %ld: %s", i, err.msg);
		cb_case_clear(&c);
		if (x.cases[i].consent_statistics != CB_yes_no_yes)
			continue;
		consenting++;
		fem += x.cases[i].gender == CB_gender_Feminine;
		sexual += (x.cases[i].exploitation_type >> CB_exploitation_type_SexualExploitation) & 1;
		int r = x.cases[i].destination_country == CB_NA ? CB_NA : cb_country_region(x.cases[i].destination_country);
		europe_dest += r != CB_NA && strcmp(cb_regions[r], "Europe") == 0;
	}
	assert_int_equal(cb_index_build(s, &ix, &err), CB_OK);
	assert_int_equal(cb_index_size(ix), x.n);
	assert_true(ix->nsites > 1);
	/* the record keys are the store's: every slot holds one, and they are not all the same */
	int distinct = 0;
	for (uint32_t i = 1; i < ix->n; i++)
		distinct += ix->rkey[i] != ix->rkey[0];
	assert_true(distinct > 0);
	assert_int_equal(cb_stats_new(ix, ptable(), 10, true, &st, &err), CB_OK);
	assert_int_equal(total_of(st, "gender", NULL, CB_CELL_TOTAL), consenting);
	assert_int_equal(total_of(st, "gender", NULL, CB_gender_Feminine), fem);
	assert_int_equal(total_of(st, "site", "exploitation_type = SexualExploitation", CB_CELL_TOTAL), sexual);
	assert_int_equal(total_of(st, "year", "destination_region = Europe", CB_CELL_TOTAL), europe_dest);
	cb_stats_free(&st);

	/* the database's policy: consent not required counts everyone */
	assert_int_equal(cb_store_meta_set(s, "stats.require_consent", "no", &err), CB_OK);
	assert_int_equal(cb_stats_open_records(s, &st, &err), CB_OK);
	assert_int_equal(total_of(st, "gender", NULL, CB_CELL_TOTAL), x.n);
	cb_stats_free(&st);
	assert_int_equal(cb_store_meta_set(s, "stats.require_consent", "yes", &err), CB_OK);
	assert_int_equal(cb_store_meta_set(s, "stats.threshold", "25", &err), CB_OK);
	assert_int_equal(cb_stats_open_records(s, &st, &err), CB_OK);
	assert_int_equal(cb_stats_threshold(st), 25);
	assert_int_equal(total_of(st, "gender", NULL, CB_CELL_TOTAL), consenting);
	cb_stats_free(&st);
	cb_store_free(&s);
	fx_free(&x);
}

/* Builds the index of db on `threads` threads (CASEBANK_INDEX_THREADS) and checks that many were used. */
static struct cb_index *build_on(struct cb_store *s, const char *threads, int expect)
{
	struct cb_index *ix = NULL;
	struct cb_err err = {0};
	setenv("CASEBANK_INDEX_THREADS", threads, 1);
	if (cb_index_build(s, &ix, &err) != CB_OK)
		fail_msg("%s threads: %s", threads, err.msg);
	unsetenv("CASEBANK_INDEX_THREADS");
	assert_int_equal(ix->build_threads, cbt_on_pg() ? 1 : expect); /* PostgreSQL: one reader (store/scan.c) */
	return ix;
}

/* Every field of every slot, the counts and the site dictionary are the same. */
/* The presence counts and counted bits the build kept as it read are what counting the built index over
 * again gives. */
static void assert_counts_recount(struct cb_index *ix)
{
	uint32_t *kept[CB_NFIELDS] = {0};
	size_t words = ((size_t)ix->n + 63) / 64;
	uint64_t *bits = malloc(words * 8 + 8);
	assert_non_null(bits);
	memcpy(bits, ix->counted, words * 8);
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used && !ix->col[f].multi) {
			kept[f] = malloc(ix->col[f].ncodes * sizeof(uint32_t));
			assert_non_null(kept[f]);
			memcpy(kept[f], ix->col[f].present, ix->col[f].ncodes * sizeof(uint32_t));
		}
	cb_index_set_require_consent(ix, ix->require_consent);
	assert_memory_equal(bits, ix->counted, words * 8);
	for (int f = 0; f < CB_NFIELDS; f++)
		if (kept[f]) {
			assert_memory_equal(kept[f], ix->col[f].present, ix->col[f].ncodes * sizeof(uint32_t));
			free(kept[f]);
		}
	free(bits);
}

static void assert_same_index(const struct cb_index *a, const struct cb_index *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->live, b->live);
	assert_memory_equal(a->flags, b->flags, a->n);
	assert_memory_equal(a->rkey, b->rkey, a->n);
	assert_memory_equal(a->id, b->id, (size_t)a->n * 16);
	assert_memory_equal(a->counted, b->counted, ((size_t)a->n + 63) / 64 * 8);
	assert_int_equal(a->nsites, b->nsites);
	for (uint32_t i = 0; i < a->nsites; i++)
		assert_string_equal(a->sites[i], b->sites[i]);
	for (int f = 0; f < CB_NFIELDS; f++) {
		const struct cb_icol *x = &a->col[f], *y = &b->col[f];
		assert_int_equal(x->used, y->used);
		if (!x->used)
			continue;
		assert_int_equal(x->ncodes, y->ncodes);
		assert_memory_equal(x->data, y->data, (size_t)a->n * x->width);
		if (!x->multi)
			assert_memory_equal(x->present, y->present, x->ncodes * sizeof(uint32_t));
	}
}

/* Every cell of a query on banks made from a and b (which they take over), exact and protected. */
static void assert_same_tables(struct cb_index *a, struct cb_index *b)
{
	struct cb_stats *sa = NULL, *sb = NULL;
	struct cb_err err = {0};
	assert_int_equal(cb_stats_new(a, ptable(), 10, true, &sa, &err), CB_OK);
	assert_int_equal(cb_stats_new(b, ptable(), 10, true, &sb, &err), CB_OK);
	const struct cb_query qs[] = {
		{.dims = {"site", "gender"}, .flags = CB_Q_EXACT},
		{.dims = {"site", "exploitation_type"}, .where = "year between 2012 and 2020", .flags = 0},
		{.dims = {"citizenship_region", "age_group", "site"}, .flags = 0},
	};
	for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++) {
		struct cb_table *ta = NULL, *tb = NULL;
		if (cb_stats_query(sa, &qs[q], &ta, &err) != CB_OK || cb_stats_query(sb, &qs[q], &tb, &err) != CB_OK)
			fail_msg("query %zu: %s", q, err.msg);
		assert_int_equal(ta->ncells, tb->ncells);
		for (size_t i = 0; i < ta->ncells; i++) {
			assert_memory_equal(ta->cells[i].coord, tb->cells[i].coord, sizeof ta->cells[i].coord);
			assert_int_equal(ta->cells[i].suppressed, tb->cells[i].suppressed);
			assert_int_equal(ta->cells[i].value, tb->cells[i].value);
		}
		cb_table_free(&ta);
		cb_table_free(&tb);
	}
	cb_stats_free(&sa);
	cb_stats_free(&sb);
}

/* Position of name in names[0..n-1], or -1. */
static int name_pos(char names[][17], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* The build on several threads (each reads a range of seq into its own slots with its own site dictionary)
 * gives exactly the index one thread gives: with gaps in seq where cases were erased, and with sites first
 * seen in another order in the later ranges than overall (so their codes must be renumbered). */
static void test_parallel_build(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	const char *db = cbt_db("parallel.db");
	const long n = 3000;
	struct fx x = fx_demo(n, 21);
	assert_non_null(x.ix);
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (long i = 0; i < n; i++) {
		struct cb_case c;
		cb_case_init(&c);
		assert_int_equal(cb_case_copy(&c, &x.cases[i]), CB_OK);
		if (cb_store_add(s, &c, NULL, &err) != CB_OK)
			fail_msg("case %ld: %s", i, err.msg);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	/* gaps: a run in the middle of the first range, one across the split of two threads, scattered ones,
	 * and the very first case (min(seq) is then 2) */
	bool gone[3000] = {false};
	for (long i = 0; i < n; i++)
		gone[i] = (i >= 700 && i < 760) || (i >= 1490 && i < 1510) || i % 97 == 5 || i == 0;
	for (long i = 0; i < n; i++)
		if (gone[i] && cb_store_erase(s, x.cases[i].case_id, true, &err) != CB_OK)
			fail_msg("erase %ld: %s", i, err.msg);
	/* the sites in order of first sight overall and in the second of two ranges differ (the premise of
	 * the renumbering this test is about) */
	char all[64][17], second[64][17];
	int nall = 0, nsecond = 0;
	bool reordered = false;
	for (long i = 0; i < n; i++) {
		if (gone[i])
			continue;
		if (name_pos(all, nall, x.cases[i].site) < 0 && nall < 64)
			strcpy(all[nall++], x.cases[i].site);
		if (i >= n / 2 && name_pos(second, nsecond, x.cases[i].site) < 0 && nsecond < 64) {
			reordered |= name_pos(all, nall, x.cases[i].site) != nsecond;
			strcpy(second[nsecond++], x.cases[i].site);
		}
	}
	assert_true(nall > 3);
	assert_true(reordered);

	struct cb_index *one = build_on(s, "1", 1), *two = build_on(s, "2", 2), *three = build_on(s, "3", 3);
	long live = 0;
	for (long i = 0; i < n; i++)
		live += !gone[i];
	assert_int_equal(cb_index_size(one), live);
	assert_int_equal(one->nsites, nall);
	assert_counts_recount(one);
	assert_counts_recount(two);
	assert_counts_recount(three);
	assert_same_index(one, two);
	assert_same_index(one, three);
	struct cb_index *again = build_on(s, "1", 1);
	assert_same_tables(one, two);
	assert_same_tables(again, three);

	/* the caller's open transaction: one thread, on the store's connection, which sees its own writes */
	struct cb_index *ix = NULL;
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	struct cb_case c;
	cb_case_init(&c);
	assert_int_equal(cb_case_copy(&c, &x.cases[0]), CB_OK);
	memset(c.case_id, 0, 16);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_case_clear(&c);
	ix = build_on(s, "2", 1);
	assert_int_equal(cb_index_size(ix), live + 1);
	cb_index_free(&ix);
	cb_store_rollback(s);
	cb_store_free(&s);
	fx_free(&x);
}

/* Values stored in other spellings than casebank writes (older files, other tools): small letters, an
 * alpha-3 country, spaces around the values of a set, consent as text, an unknown name and NULL.  And the
 * build's SQL function answers other SQL on the store's connection with an error. */
static void test_stored_spellings(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	const char *db = cbt_db("spellings.db");
	struct fx x = fx_demo(40, 11);
	assert_non_null(x.ix);
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	for (long i = 0; i < x.n; i++)
		if (cb_store_add(s, &x.cases[i], NULL, &err) != CB_OK)
			fail_msg("case %ld: %s", i, err.msg);
	struct cb_index *before = build_on(s, "1", 1);
	/* (an integer column of PostgreSQL holds no text: consent is 1 there) */
	assert_int_equal(cb_db_exec(s->db, cbt_on_pg() ? "UPDATE cases SET gender = 'feminine', citizenship = 'ukr',"
							 " destination_country = 'UA', exploitation_type ="
							 " ' ForcedLabour ; sexualexploitation', education = NULL,"
							 " marital_status = 'Martian', consent_statistics = 1"
							 " WHERE seq = (SELECT min(seq) FROM cases)"
						       : "UPDATE cases SET gender = 'feminine', citizenship = 'ukr',"
							 " destination_country = 'UA', exploitation_type ="
							 " ' ForcedLabour ; sexualexploitation', education = NULL,"
							 " marital_status = 'Martian', consent_statistics = 'Yes'"
							 " WHERE seq = (SELECT min(seq) FROM cases)"),
			 CB_OK);
	struct cb_index *one = build_on(s, "1", 1), *two = build_on(s, "2", 2);
	assert_same_index(one, two);
	assert_int_equal(cb_icol_get(&one->col[CB_FLD_gender], 0), CB_gender_Feminine + 1);
	assert_int_equal(cb_icol_get(&one->col[CB_FLD_citizenship], 0), cb_country_find("UKR") + 1);
	assert_int_equal(cb_icol_get(&one->col[CB_FLD_destination_country], 0), cb_country_find("UA") + 1);
	assert_int_equal(cb_icol_get(&one->col[CB_FLD_exploitation_type], 0),
			 (1u << CB_exploitation_type_ForcedLabour) | (1u << CB_exploitation_type_SexualExploitation));
	assert_int_equal(cb_icol_get(&one->col[CB_FLD_education], 0), 0);
	assert_int_equal(cb_icol_get(&one->col[CB_FLD_marital_status], 0), 0);
	assert_true(one->flags[0] & CB_IX_CONSENT);
	/* the other cases as they were */
	assert_int_equal(one->n, before->n);
	for (int f = 0; f < CB_NFIELDS; f++)
		if (one->col[f].used)
			assert_memory_equal((char *)one->col[f].data + one->col[f].width,
					    (char *)before->col[f].data + before->col[f].width,
					    (size_t)(one->n - 1) * one->col[f].width);
	if (cbt_sqlite_part("the build's SQL function (SQLite's scan only)"))
		assert_int_not_equal(cb_db_exec(s->db, "SELECT cb_stats_index_row(NULL, 1, 2, 3)"), CB_OK);
	cb_index_free(&before);
	cb_index_free(&one);
	cb_index_free(&two);
	cb_store_free(&s);
	fx_free(&x);
}

/* Two cases confirmed as one person (store/tokens.h) count once: the second registered is left out, on one
 * thread and on several. */
static void test_linked_person_once(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_index *ix = NULL;
	struct cb_err err = {0};
	const char *db = cbt_db("linked.db");
	struct fx x = fx_demo(300, 9);
	uint8_t ids[3][16];
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	for (long i = 0; i < x.n; i++) {
		struct cb_case c;
		cb_case_init(&c);
		assert_int_equal(cb_case_copy(&c, &x.cases[i]), CB_OK);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		if (i < 3)
			memcpy(ids[i], c.case_id, 16);
		cb_case_clear(&c);
	}
	assert_int_equal(cb_store_link_set(s, ids[0], ids[1], true, NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_store_link_set(s, ids[2], ids[1], true, NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_index_build(s, &ix, &err), CB_OK);
	assert_int_equal(cb_index_size(ix), x.n - 2);
	cb_index_free(&ix);
	setenv("CASEBANK_INDEX_THREADS", "2", 1);
	assert_int_equal(cb_index_build(s, &ix, &err), CB_OK);
	unsetenv("CASEBANK_INDEX_THREADS");
	assert_int_equal(cb_index_size(ix), x.n - 2);
	cb_index_free(&ix);
	/* dismissed again: both count */
	assert_int_equal(cb_store_link_set(s, ids[0], ids[1], false, NULL, NULL, &err), CB_OK);
	assert_int_equal(cb_index_build(s, &ix, &err), CB_OK);
	assert_int_equal(cb_index_size(ix), x.n - 1);
	cb_index_free(&ix);
	cb_store_free(&s);
	fx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_from_store),
		cmocka_unit_test(test_linked_person_once),
		cmocka_unit_test(test_parallel_build),
		cmocka_unit_test(test_stored_spellings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
