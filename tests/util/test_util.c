/*
 * test_util.c -- tests of src/util/util.c: counts by 16-byte key (cb_count16), which import uses for
 * identical rows and the store for the fingerprints of a load.  (Dates, errors and buffers are exercised
 * through the modules that use them.)
 */
#include "cb_test.h"

#include "util/cb.h"

static void key_of(uint32_t i, uint8_t key[16])
{
	/* well spread, like the keyed hashes the table is meant for, but with collisions in the low bits */
	uint64_t h = (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15);
	memset(key, 0, 16);
	memcpy(key, &h, sizeof h);
	memcpy(key + 8, &i, sizeof i);
}

static void test_count16(void **state)
{
	(void)state;
	struct cb_count16 t = {0};
	uint8_t k[16];
	key_of(7, k);
	assert_int_equal(cb_count16_get(&t, k), 0); /* empty table: nothing allocated yet */
	const uint32_t n = 50000; /* grows several times */
	for (uint32_t i = 0; i < n; i++) {
		key_of(i, k);
		assert_int_equal(cb_count16_bump(&t, k), 0);
	}
	for (uint32_t i = 0; i < n; i += 3) {
		key_of(i, k);
		assert_int_equal(cb_count16_bump(&t, k), 1);
	}
	assert_int_equal(t.n, n);
	for (uint32_t i = 0; i < n; i++) {
		key_of(i, k);
		assert_int_equal(cb_count16_get(&t, k), i % 3 ? 1 : 2);
	}
	key_of(n + 1, k);
	assert_int_equal(cb_count16_get(&t, k), 0);
	/* keys that differ only beyond the first 8 bytes (the slot) are still apart */
	uint8_t a[16] = {1, 2, 3}, b[16] = {1, 2, 3};
	b[15] = 1;
	assert_int_equal(cb_count16_bump(&t, a), 0);
	assert_int_equal(cb_count16_get(&t, b), 0);
	assert_int_equal(cb_count16_bump(&t, b), 0);
	assert_int_equal(cb_count16_get(&t, a), 1);
	cb_count16_free(&t);
	assert_null(t.slots);
	assert_int_equal(t.n, 0);
	assert_int_equal(cb_count16_get(&t, a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count16),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
