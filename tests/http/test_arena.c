/*
 * test_arena.c -- tests of src/http/arena.c: alignment, zeroed blocks, growing in place and by copy, the
 * limit, big blocks, reset and reuse.
 */
#include "cb_test.h"

#include "http/http.h"

static void test_alloc_aligned_zeroed(void **state)
{
	(void)state;
	struct cb_arena *a = NULL;
	assert_int_equal(cb_arena_new(1 << 20, &a), CB_OK);
	for (size_t n = 1; n < 200; n += 7) {
		unsigned char *p = cb_arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xAB, n);
	}
	char *s = cb_arena_printf(a, "%s-%d", "case", 42);
	assert_string_equal(s, "case-42");
	char *d = cb_arena_strndup(a, "abcdef", 3);
	assert_string_equal(d, "abc");
	cb_arena_free(&a);
	assert_null(a);
}

static void test_big_blocks_and_limit(void **state)
{
	(void)state;
	struct cb_arena *a = NULL;
	assert_int_equal(cb_arena_new(100000, &a), CB_OK);
	char *big = cb_arena_alloc(a, 60000); /* larger than a chunk: a chunk of its own */
	assert_non_null(big);
	memset(big, 1, 60000);
	assert_true(cb_arena_used(a) >= 60000);
	assert_null(cb_arena_alloc(a, 50000)); /* over the limit */
	assert_non_null(cb_arena_alloc(a, 30000));
	assert_null(cb_arena_alloc(a, (size_t)-1)); /* overflow of the rounding */
	cb_arena_reset(a);
	assert_int_equal(cb_arena_used(a), 0);
	assert_non_null(cb_arena_alloc(a, 90000)); /* the limit counts from the reset */
	cb_arena_free(&a);
}

static void test_grow(void **state)
{
	(void)state;
	struct cb_arena *a = NULL;
	assert_int_equal(cb_arena_new(1 << 22, &a), CB_OK);
	char *p = cb_arena_grow(a, NULL, 0, 10);
	memcpy(p, "0123456789", 10);
	char *q = cb_arena_grow(a, p, 10, 100); /* newest block, room in the chunk: in place */
	assert_ptr_equal(p, q);
	assert_memory_equal(q, "0123456789", 10);
	assert_int_equal(q[99], 0);
	char *other = cb_arena_alloc(a, 8);
	assert_non_null(other);
	char *r = cb_arena_grow(a, q, 100, 200); /* no longer the newest: copied */
	assert_ptr_not_equal(r, q);
	assert_memory_equal(r, "0123456789", 10);
	/* growing past the chunk keeps the content */
	size_t n = 200;
	for (size_t want = 400; want <= (1u << 21); want *= 2) {
		r = cb_arena_grow(a, r, n, want);
		assert_non_null(r);
		n = want;
	}
	assert_memory_equal(r, "0123456789", 10);
	assert_null(cb_arena_grow(a, r, n, 1u << 23)); /* over the limit */
	cb_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_aligned_zeroed),
		cmocka_unit_test(test_big_blocks_and_limit),
		cmocka_unit_test(test_grow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
