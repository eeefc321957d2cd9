/*
 * test_bulk_pg.c -- new cases of a bulk batch on PostgreSQL sent as one COPY (src/store/bulk_pg.c), on a real
 * cluster (tests/cb_pg.h): each case reads back as written, with a seq of its own; a case id already stored,
 * or twice in one batch, is still refused row by row (CB_EEXIST) while the rest of the batch goes in; a
 * rolled-back batch leaves nothing; cases added afterwards, in a batch or alone, get new seqs.
 */
#include "cb_test.h"

#include "cb_pg.h"
#include "io/io.h"
#include "store/store.h"
#include "store_helpers.h"

static char *as_json(const struct cb_case *c)
{
	json_t *j = cb_case_to_json(c, CB_JSON_PII);
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(j);
	assert_non_null(text);
	return text;
}

static long long pg_int(const char *dbname, const char *sql) { return cbt_pg_int(dbname, sql); }

static void test_batch(void **state)
{
	(void)state;
	const char *dbname = NULL, *uri = cbt_pg_uri("bulk", &dbname);
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	struct cb_case c, back;
	uint8_t ids[3000][16];
	static char *made[3000];
	setenv("CASEBANK_KEY_FILE", cbt_path("bulk.key"), 1);
	s = open_new(uri);
	/* one case stored the ordinary way first */
	make_case(&c, 0, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	memcpy(ids[0], c.case_id, 16);
	cb_case_clear(&c);

	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 1; i < 3000; i++) { /* several blocks of seqs, with and without details */
		make_case(&c, i, i % 3 == 0);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		memcpy(ids[i], c.case_id, 16);
		made[i] = as_json(&c);
		cb_case_clear(&c);
	}
	make_case(&c, 1, false);
	memcpy(c.case_id, ids[0], 16); /* stored before the batch */
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_EEXIST);
	make_case(&c, 2, false);
	memcpy(c.case_id, ids[2999], 16); /* written earlier in this batch */
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_EEXIST);
	make_case(&c, 3000, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK); /* and the batch goes on */
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(pg_int(dbname, "SELECT count(*) FROM cases"), 3001);
	assert_int_equal(pg_int(dbname, "SELECT count(DISTINCT seq) FROM cases"), 3001);
	assert_int_equal(pg_int(dbname, "SELECT count(*) FROM casekeys"), pg_int(dbname, "SELECT count(*) FROM cases WHERE pii IS NOT NULL"));

	/* every case reads back as made, details included */
	for (int i = 1; i < 3000; i += 7) {
		cb_case_init(&back);
		assert_int_equal(cb_store_get(s, ids[i], CB_WITH_PII, &back, &err), CB_OK);
		char *got = as_json(&back);
		assert_string_equal(got, made[i]);
		if (i % 3 == 0)
			assert_non_null(strstr(got, NAME1));
		free(got);
		cb_case_clear(&back);
	}
	for (int i = 1; i < 3000; i++)
		free(made[i]);

	/* a batch rolled back leaves nothing */
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	for (int i = 0; i < 50; i++) {
		make_case(&c, i, false);
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	}
	cb_store_rollback(s);
	assert_int_equal(pg_int(dbname, "SELECT count(*) FROM cases"), 3001);
	/* afterwards: new seqs, alone and in a batch */
	make_case(&c, 1, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	make_case(&c, 2, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(pg_int(dbname, "SELECT count(DISTINCT seq) FROM cases"), 3003);
	cb_store_free(&s);
	assert_int_equal(cb_store_open(uri, CB_OPEN_READONLY, &s, &err), CB_OK);
	long problems = -1;
	FILE *null = fopen(cbt_path("check.txt"), "w");
	assert_int_equal(cb_store_check(s, null, &problems, &err), CB_OK);
	fclose(null);
	assert_int_equal(problems, 0);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
