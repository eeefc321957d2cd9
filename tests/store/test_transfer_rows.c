/*
 * test_transfer_rows.c -- tests of src/store/transfer_rows.c: assignments set, read, cleared and listed by
 * account; transfer rows added, found open, decided once, listed by office and state; a case moved to another
 * office with a new version and no assignment.
 */
#include "store_helpers.h"

#include "store/transfer_rows.h"

static int count_ids(const uint8_t id[16], void *ctx)
{
	(void)id;
	++*(int *)ctx;
	return 0;
}

static int count_transfers(const struct cb_transfer *t, void *ctx)
{
	(void)t;
	++*(int *)ctx;
	return 0;
}

static void test_rows(void **state)
{
	(void)state;
	struct cb_store *s = open_new(new_db());
	struct cb_case c, got;
	struct cb_err err = {0};
	char who[65];
	int n = 0;
	make_case(&c, 1, false);
	assert_int_equal(cb_store_add(s, &c, NULL, &err), CB_OK);
	assert_int_equal(cb_assign_get(s, c.case_id, who, &err), CB_OK);
	assert_string_equal(who, "");
	assert_int_equal(cb_assign_set(s, c.case_id, "olha", &err), CB_OK);
	assert_int_equal(cb_assign_get(s, c.case_id, who, &err), CB_OK);
	assert_string_equal(who, "olha");
	assert_int_equal(cb_assign_cases(s, "OLHA", count_ids, &n, &err), CB_OK); /* names ignore case */
	assert_int_equal(n, 1);
	uint8_t none[16] = {7};
	assert_int_equal(cb_assign_get(s, none, who, &err), CB_ENOTFOUND);

	struct cb_transfer t = {0}, open;
	memcpy(t.case_id, c.case_id, 16);
	snprintf(t.from_site, sizeof t.from_site, "%s", c.site);
	snprintf(t.to_site, sizeof t.to_site, "ODESA-3");
	snprintf(t.reason, sizeof t.reason, "Safety");
	assert_int_equal(cb_transfer_row_add(s, &t, &err), CB_OK);
	assert_true(t.id > 0);
	assert_int_equal(cb_transfer_row_open(s, c.case_id, &open, &err), CB_OK);
	assert_int_equal(open.id, t.id);
	assert_string_equal(open.to_site, "ODESA-3");
	assert_int_equal(open.state, CB_TRANSFER_REQUESTED);
	t.state = CB_TRANSFER_ACCEPTED;
	t.decided_at = 1;
	assert_int_equal(cb_transfer_row_decide(s, &t, &err), CB_OK);
	assert_int_equal(cb_transfer_row_decide(s, &t, &err), CB_ECONFLICT); /* once */
	assert_int_equal(cb_transfer_row_open(s, c.case_id, &open, &err), CB_ENOTFOUND);
	n = 0;
	assert_int_equal(cb_transfer_rows(s, &(struct cb_transfer_filter){"ODESA-3", NULL, NULL, CB_TRANSFER_ACCEPTED},
					  count_transfers, &n, &err), CB_OK);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(cb_transfer_rows(s, &(struct cb_transfer_filter){NULL, "ODESA-3", NULL, -1}, count_transfers, &n, &err),
			 CB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(cb_transfer_move_case(s, c.case_id, "ODESA-3", &err), CB_OK);
	assert_int_equal(cb_store_get(s, c.case_id, 0, &got, &err), CB_OK);
	assert_string_equal(got.site, "ODESA-3");
	assert_int_equal(got.version, 2);
	assert_int_equal(cb_assign_get(s, c.case_id, who, &err), CB_OK);
	assert_string_equal(who, "");
	assert_int_equal(cb_transfer_move_case(s, none, "ODESA-3", &err), CB_ENOTFOUND);
	assert_int_equal(cb_transfer_row_get(s, 999, &open, &err), CB_ENOTFOUND);
	cb_case_clear(&c);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
