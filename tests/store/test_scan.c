/*
 * test_scan.c -- the bulk scan of the cases table (src/store/scan.c): the cells each row arrives as, ranges
 * of seq, several readers that see one commit, one reader inside a transaction, a reader's stop.
 */
#include "cb_test.h"

#include "store/scan.h"
#include "store_helpers.h"

struct seen {
	int rows;
	int64_t birth_sum;
	int feminine, null_stage, text_ids;
	int stop_after; /* > 0: answer 42 at that row */
};

static int on_row(void *ctx, const struct cb_scan_cell *c)
{
	struct seen *s = ctx;
	s->rows++;
	assert_int_equal(c[0].type, CB_SCAN_BLOB);
	assert_int_equal(c[0].n, 16);
	assert_int_equal(c[1].type, CB_SCAN_INT);
	assert_true(c[1].i >= 0 && c[1].i <= 255);
	assert_int_equal(c[2].type, CB_SCAN_INT); /* birth_year: an INTEGER column */
	s->birth_sum += c[2].i;
	assert_int_equal(c[3].type, CB_SCAN_TEXT); /* gender: the value's name */
	assert_int_equal(strlen(c[3].p), c[3].n);
	s->feminine += strcmp(c[3].p, "Feminine") == 0;
	s->null_stage += c[4].type == CB_SCAN_NULL; /* destination_country: never set by make_case */
	return s->stop_after && s->rows == s->stop_after ? 42 : 0;
}

static void test_scan(void **state)
{
	(void)state;
	const char *db = new_db();
	struct cb_store *s = open_new(db);
	struct cb_err err = {0};
	int64_t want_birth = 0;
	for (int i = 0; i < 40; i++) {
		struct cb_case c;
		make_case(&c, i, false);
		want_birth += 1970 + i % 30;
		assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
		cb_case_clear(&c);
	}
	const struct cb_field *f[] = {&cb_fields[CB_FLD_birth_year], &cb_fields[CB_FLD_gender],
				      &cb_fields[CB_FLD_destination_country]};
	struct cb_store_snapshot *sn = NULL;
	struct cb_store_span sp;
	assert_int_equal(cb_store_snapshot_open(s, 3, &sn, &sp, &err), CB_OK);
	const int nr = cbt_on_pg() ? 1 : 3; /* PostgreSQL: one reader, the store's connection (scan.c) */
	assert_int_equal(sp.readers, nr);
	assert_int_equal(sp.lo, 1);
	assert_int_equal(sp.hi, 40);
	assert_int_equal(sp.count, cbt_on_pg() ? -1 : 40);
	/* three ranges, on three readers where there are: together every case once */
	struct seen seen = {0};
	int64_t rows = 0, total = 0;
	for (int r = 0; r < 3; r++) {
		int64_t lo = r * 14 + 1, hi = r == 2 ? 40 : lo + 13;
		assert_int_equal(cb_store_snapshot_scan(sn, r % nr, f, 3, lo, hi, on_row, &seen, &rows, &err), CB_OK);
		assert_int_equal(rows, hi - lo + 1);
		total += rows;
	}
	assert_int_equal(total, 40);
	assert_int_equal(seen.rows, 40);
	assert_true(seen.birth_sum == want_birth);
	assert_int_equal(seen.feminine, 20);
	assert_int_equal(seen.null_stage, 40);
	/* the readers see the commit they began at: a case added now is not in their ranges */
	struct cb_store *w = NULL;
	assert_int_equal(cb_store_open(db, 0, &w, &err), CB_OK);
	struct cb_case c;
	make_case(&c, 99, false);
	assert_int_equal(cb_store_add(w, &c, NULL, &err), CB_OK);
	cb_case_clear(&c);
	seen = (struct seen){0};
	assert_int_equal(cb_store_snapshot_scan(sn, nr - 1, f, 3, 1, 100, on_row, &seen, &rows, &err), CB_OK);
	assert_int_equal(rows, 40);
	/* a reader's stop comes back as its own code */
	seen = (struct seen){.stop_after = 5};
	assert_int_equal(cb_store_snapshot_scan(sn, 0, f, 3, 1, 40, on_row, &seen, &rows, &err), 42);
	assert_int_equal(rows, 5);
	/* no such reader; a field without a column */
	assert_int_equal(cb_store_snapshot_scan(sn, nr, f, 3, 1, 40, on_row, &seen, NULL, &err), CB_EINVAL);
	const struct cb_field *pii[] = {&cb_fields[CB_FLD_first_name]};
	assert_int_equal(cb_store_snapshot_scan(sn, 0, pii, 1, 1, 40, on_row, &seen, NULL, &err), CB_EINVAL);
	cb_store_snapshot_free(&sn);
	assert_null(sn);
	/* now the new case is seen */
	assert_int_equal(cb_store_snapshot_open(s, 1, &sn, &sp, &err), CB_OK);
	assert_int_equal(sp.readers, 1);
	assert_int_equal(sp.hi, 41);
	cb_store_snapshot_free(&sn);

	/* inside a transaction: one reader, the store's own, which sees the transaction's writes */
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	make_case(&c, 100, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	cb_case_clear(&c);
	assert_int_equal(cb_store_snapshot_open(s, 4, &sn, &sp, &err), CB_OK);
	assert_int_equal(sp.readers, 1);
	assert_int_equal(sp.hi, 42);
	seen = (struct seen){0};
	assert_int_equal(cb_store_snapshot_scan(sn, 0, f, 3, sp.lo, sp.hi, on_row, &seen, &rows, &err), CB_OK);
	assert_int_equal(rows, 42);
	cb_store_snapshot_free(&sn);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	cb_store_free(&w);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
