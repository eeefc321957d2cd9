/*
 * test_changes.c -- tests of src/store/changes.c: the "cases changed" hook sees every committed add, update,
 * change of a kept field and erasure, once per case, after the commit; nothing of a rollback; nothing when
 * a kept field is written unchanged; nothing after it is removed.
 */
#include "store_helpers.h"

struct seen {
	int n, all;
	uint8_t last[16];
};

static void hook(void *ctx, const uint8_t *id)
{
	struct seen *w = ctx;
	if (!id) {
		w->all++;
		return;
	}
	w->n++;
	memcpy(w->last, id, 16);
}

static void test_changes(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct seen w = {0};
	struct cb_case c, d;
	struct cb_store *s = open_new(new_db());
	cb_store_on_change(s, hook, &w);

	make_case(&c, 1, true);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(w.n, 1);
	assert_memory_equal(w.last, c.case_id, 16);

	/* an update: one call, with the case's id */
	set(&c, "gender", "Masculine");
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
	assert_int_equal(w.n, 2);

	/* kept fields written as they are: no change, no call; changed: one */
	assert_int_equal(cb_store_get(s, c.case_id, 0, &d, &err), CB_OK);
	assert_int_equal(cb_store_tx_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_update_kept(s, &d, &err), CB_OK);
	assert_int_equal(cb_store_tx_end(s, CB_OK, &err), CB_OK);
	assert_int_equal(w.n, 2);
	d.case_stage = CB_case_stage_assistance;
	assert_int_equal(cb_store_tx_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_update_kept(s, &d, &err), CB_OK);
	assert_int_equal(w.n, 2); /* not before the commit */
	assert_int_equal(cb_store_tx_end(s, CB_OK, &err), CB_OK);
	assert_int_equal(w.n, 3);

	/* a bulk batch rolled back: nothing; committed: one call a case */
	struct cb_case e;
	make_case(&e, 2, false);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_add(s, &e, NULL, &err), CB_OK);
	cb_store_rollback(s);
	assert_int_equal(w.n, 3);
	make_case(&e, 3, false);
	assert_int_equal(cb_store_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_add(s, &e, NULL, &err), CB_OK);
	assert_int_equal(w.n, 3);
	assert_int_equal(cb_store_commit(s, &err), CB_OK);
	assert_int_equal(w.n, 4);
	assert_memory_equal(w.last, e.case_id, 16);

	/* an erasure, and a failed transaction of kept fields (rolled back by its end) */
	assert_int_equal(cb_store_erase(s, c.case_id, false, &err), CB_OK);
	assert_int_equal(w.n, 5);
	assert_memory_equal(w.last, c.case_id, 16);
	d.case_stage = CB_case_stage_return;
	assert_int_equal(cb_store_tx_begin(s, &err), CB_OK);
	assert_int_equal(cb_store_update_kept(s, &d, &err), CB_OK);
	assert_int_equal(cb_store_tx_end(s, CB_EINVAL, &err), CB_EINVAL);
	assert_int_equal(w.n, 5);

	/* removed: nothing more */
	cb_store_on_change(s, NULL, NULL);
	make_case(&e, 4, false);
	assert_int_equal(cb_store_add(s, &e, NULL, &err), CB_OK);
	assert_int_equal(w.n, 5);
	assert_int_equal(w.all, 0);
	cb_case_clear(&c);
	cb_case_clear(&d);
	cb_case_clear(&e);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
