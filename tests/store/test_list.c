/*
 * test_list.c -- tests of src/store/list.c: one page of the case list, newest registration first, with the
 * total that matched; filters by office, status and case id range; offset and limit; texts as stored and
 * NULL where missing; the callback's refusal; negative paging refused.
 */
#include "store_helpers.h"

#define N 7

struct page {
	int n;
	uint8_t ids[N][16];
	char site[N][17];
	char reg[N][11];
	int year[N];
	char status[N][32];
	int64_t version[N];
	int stop_after; /* 0: never */
};

static int take(const struct cb_store_list_row *row, void *ctx)
{
	struct page *p = ctx;
	assert_true(p->n < N);
	memcpy(p->ids[p->n], row->id, 16);
	snprintf(p->site[p->n], sizeof p->site[0], "%s", row->site ? row->site : "(null)");
	snprintf(p->reg[p->n], sizeof p->reg[0], "%s", row->registered_on ? row->registered_on : "(null)");
	p->year[p->n] = row->year;
	snprintf(p->status[p->n], sizeof p->status[0], "%s", row->status ? row->status : "(null)");
	p->version[p->n] = row->version;
	p->n++;
	return p->stop_after && p->n == p->stop_after ? 42 : 0;
}

/* N cases made by make_case(i), i = 0..N-1, in that order; their ids in ids[i]. */
static struct cb_store *fill(uint8_t ids[N][16])
{
	struct cb_store *s = open_new(new_db());
	struct cb_err err = {0};
	for (int i = 0; i < N; i++) {
		struct cb_case c;
		make_case(&c, i, false);
		if (cb_store_add(s, &c, NULL, &err) != CB_OK)
			fail_msg("%s", err.msg);
		memcpy(ids[i], c.case_id, 16);
		cb_case_clear(&c);
	}
	return s;
}

static void test_order_and_paging(void **state)
{
	(void)state;
	uint8_t ids[N][16];
	struct cb_store *s = fill(ids);
	struct cb_err err = {0};
	struct page p = {0};
	long total = -1;
	assert_int_equal(cb_store_list(s, NULL, 0, 100, take, &p, &total, &err), CB_OK);
	assert_int_equal(total, N);
	assert_int_equal(p.n, N);
	for (int i = 0; i < N; i++)
		assert_memory_equal(p.ids[i], ids[N - 1 - i], 16); /* newest first */
	/* the summary columns, as stored: case 6 came last */
	assert_string_equal(p.site[0], "LVIV-2");
	assert_string_equal(p.reg[0], "2016-03-07");
	assert_int_equal(p.year[0], 2016);
	assert_string_equal(p.status[0], "Closed");
	assert_int_equal(p.version[0], 1);
	assert_string_equal(p.site[1], "KYIV-1");
	assert_string_equal(p.status[1], "Active");
	/* the second page of three: cases 3, 2, 1; the total still counts every match */
	memset(&p, 0, sizeof p);
	total = -1;
	assert_int_equal(cb_store_list(s, NULL, 3, 3, take, &p, &total, &err), CB_OK);
	assert_int_equal(total, N);
	assert_int_equal(p.n, 3);
	for (int i = 0; i < 3; i++)
		assert_memory_equal(p.ids[i], ids[3 - i], 16);
	/* past the end: no rows, the same total */
	memset(&p, 0, sizeof p);
	assert_int_equal(cb_store_list(s, NULL, N, 3, take, &p, &total, &err), CB_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(total, N);
	/* an update shows in the version */
	struct cb_case c;
	cb_case_init(&c);
	assert_int_equal(cb_store_get(s, ids[N - 1], 0, &c, &err), CB_OK);
	set(&c, "gender", "Masculine");
	assert_int_equal(cb_store_update(s, &c, 0, &err), CB_OK);
	cb_case_clear(&c);
	memset(&p, 0, sizeof p);
	assert_int_equal(cb_store_list(s, NULL, 0, 1, take, &p, NULL, &err), CB_OK);
	assert_int_equal(p.version[0], 2);
	assert_string_equal(p.status[0], "Closed"); /* as its stage says */
	cb_store_free(&s);
}

static void test_filters(void **state)
{
	(void)state;
	uint8_t ids[N][16];
	struct cb_store *s = fill(ids);
	struct cb_err err = {0};
	struct page p = {0};
	long total = -1;
	/* office: the odd cases, newest first */
	struct cb_store_list_filter f = {.site = "KYIV-1"};
	assert_int_equal(cb_store_list(s, &f, 0, 100, take, &p, &total, &err), CB_OK);
	assert_int_equal(total, 3);
	assert_int_equal(p.n, 3);
	assert_memory_equal(p.ids[0], ids[5], 16);
	assert_memory_equal(p.ids[2], ids[1], 16);
	/* status and office together: cases 0, 3 and 6 are closed; of them only 3 is in KYIV-1 */
	memset(&p, 0, sizeof p);
	f.status = "Closed";
	assert_int_equal(cb_store_list(s, &f, 0, 100, take, &p, &total, &err), CB_OK);
	assert_int_equal(total, 1);
	assert_memory_equal(p.ids[0], ids[3], 16);
	/* a case id range holding exactly one id */
	memset(&p, 0, sizeof p);
	struct cb_store_list_filter g = {.id_lo = ids[4], .id_hi = ids[4]};
	assert_int_equal(cb_store_list(s, &g, 0, 100, take, &p, &total, &err), CB_OK);
	assert_int_equal(total, 1);
	assert_int_equal(p.n, 1);
	assert_memory_equal(p.ids[0], ids[4], 16);
	/* an office with no cases */
	memset(&p, 0, sizeof p);
	struct cb_store_list_filter h = {.site = "ODESA-3"};
	assert_int_equal(cb_store_list(s, &h, 0, 100, take, &p, &total, &err), CB_OK);
	assert_int_equal(total, 0);
	assert_int_equal(p.n, 0);
	cb_store_free(&s);
}

static void test_refusals(void **state)
{
	(void)state;
	uint8_t ids[N][16];
	struct cb_store *s = fill(ids);
	struct cb_err err = {0};
	struct page p = {.stop_after = 2};
	/* the callback's refusal stops the walk and is the result */
	assert_int_equal(cb_store_list(s, NULL, 0, 100, take, &p, NULL, &err), 42);
	assert_int_equal(p.n, 2);
	memset(&p, 0, sizeof p);
	assert_int_equal(cb_store_list(s, NULL, -1, 10, take, &p, NULL, &err), CB_EINVAL);
	assert_int_equal(cb_store_list(s, NULL, 0, -1, take, &p, NULL, &err), CB_EINVAL);
	assert_int_equal(p.n, 0);
	cb_store_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_paging),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
