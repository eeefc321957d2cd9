/*
 * test_demo_rng.c -- the demo data's random numbers (src/io/demo_rng.c): the same seed gives the same
 * stream, draws stay in their ranges, and weights are honoured (a zero weight is never drawn).
 */
#include "cb_test.h"
#include "io/io.h"

static void test_same_seed_same_stream(void **state)
{
	(void)state;
	struct cb_demo_rng a, b, c;
	cb_demo_rng_seed(&a, 42);
	cb_demo_rng_seed(&b, 42);
	cb_demo_rng_seed(&c, 43);
	int differ = 0;
	for (int i = 0; i < 1000; i++) {
		uint32_t x = cb_demo_below(&a, 1u << 30), y = cb_demo_below(&b, 1u << 30);
		assert_int_equal(x, y);
		differ += x != cb_demo_below(&c, 1u << 30);
	}
	assert_true(differ > 990);
}

static void test_ranges_and_weights(void **state)
{
	(void)state;
	static const uint16_t w[] = {0, 3, 0, 1};
	struct cb_demo_rng r;
	unsigned seen[4] = {0}, hits = 0;
	cb_demo_rng_seed(&r, 7);
	for (int i = 0; i < 4000; i++) {
		int32_t v = cb_demo_between(&r, -2, 2);
		assert_true(v >= -2 && v <= 2);
		assert_true(cb_demo_below(&r, 5) < 5);
		assert_false(cb_demo_chance(&r, 0));
		assert_true(cb_demo_chance(&r, 1000));
		hits += cb_demo_chance(&r, 250);
		seen[cb_demo_pick(&r, w, 4)]++;
	}
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[2], 0);
	assert_true(seen[1] > 2 * seen[3] && seen[3] > 0); /* 3 : 1 */
	assert_true(hits > 800 && hits < 1200);            /* a quarter of 4000 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_stream),
		cmocka_unit_test(test_ranges_and_weights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
