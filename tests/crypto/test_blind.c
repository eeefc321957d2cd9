/*
 * test_blind.c -- tests of src/crypto/blind.c: tokens are keyed, cut to their bits and kept apart by kind;
 * a person's tokens meet across spellings; CLKs keep one person's variants close and different people
 * apart (Dice); the token list packs and unpacks; a sealed CLK opens only for its case.
 */
#include "cb_test.h"

#include "crypto/blind.h"

static struct cb_blind_keys k1, k2;

static int setup(void **state)
{
	(void)state;
	uint8_t m1[CB_KEY_BYTES], m2[CB_KEY_BYTES];
	cb_crypto_init();
	memset(m1, 1, sizeof m1);
	memset(m2, 2, sizeof m2);
	cb_blind_keys_derive(m1, &k1);
	cb_blind_keys_derive(m2, &k2);
	return 0;
}

static void test_tokens(void **state)
{
	(void)state;
	uint32_t a = cb_blind_token(&k1, CB_TOK_NAME, "rusu", 4);
	assert_int_equal(a, cb_blind_token(&k1, CB_TOK_NAME, "rusu", 4)); /* deterministic: an index */
	assert_true(a < (1u << cb_blind_bits(CB_TOK_NAME)));
	/* another database's key: other tokens (a collision in 16 bits is possible, three are not) */
	int same = (a == cb_blind_token(&k2, CB_TOK_NAME, "rusu", 4)) +
		   (cb_blind_token(&k1, CB_TOK_NAME, "popa", 4) == cb_blind_token(&k2, CB_TOK_NAME, "popa", 4)) +
		   (cb_blind_token(&k1, CB_TOK_NAME, "ionescu", 7) == cb_blind_token(&k2, CB_TOK_NAME, "ionescu", 7));
	assert_true(same < 3);
	for (int kind = 1; kind < CB_TOK__N; kind++) {
		assert_true(cb_blind_bits(kind) >= 6 && cb_blind_bits(kind) <= 16); /* cut short: many cases a token */
		for (int i = 0; i < 200; i++) {
			char t[16];
			snprintf(t, sizeof t, "v%d", i);
			assert_true(cb_blind_token(&k1, kind, t, strlen(t)) < (1u << cb_blind_bits(kind)));
		}
	}
	assert_string_equal(cb_tok_kind_name(CB_TOK_PHONE), "phone");
}

static void person(const char *first, const char *last, const char *birth, const char *phone, struct cb_blind *b)
{
	struct cb_person p;
	cb_person_fold(first, last, NULL, birth, phone, &p);
	cb_blind_person(&k1, &p, b);
}

static void test_person_tokens(void **state)
{
	(void)state;
	struct cb_blind a, b;
	person("Ana", "Rușu", "1990-05-17", "+373 69 123 456", &a);
	person("РУСУ", "Ana", "1990-05-17", "069123456", &b); /* Cyrillic, swapped, trunk zero */
	assert_true(a.has_clk);
	assert_int_equal(a.n, b.n);
	for (int i = 0; i < a.n; i++)
		assert_true(cb_blind_has(&b, a.t[i].kind, a.t[i].v));
	assert_true(cb_dice(a.clk, b.clk) > 0.99);
	uint8_t packed[5 * CB_TOKENS_MAX];
	struct cb_blind back;
	size_t n = cb_blind_pack(&a, packed);
	assert_int_equal(n, 5 * (size_t)a.n);
	assert_int_equal(cb_blind_unpack(packed, n, &back), CB_OK);
	assert_int_equal(back.n, a.n);
	assert_memory_equal(back.t, a.t, sizeof a.t[0] * (size_t)a.n);
	assert_int_equal(cb_blind_unpack(packed, n - 1, &back), CB_ECORRUPT);
	/* nothing to link on */
	person(NULL, NULL, NULL, "+37369123456", &a);
	assert_false(a.has_clk);
	assert_int_equal(a.n, 1);
}

static void test_dice(void **state)
{
	(void)state;
	struct cb_blind a, typo, slip, missing, other_last, other_date;
	person("Olena", "Kovalenko", "1991-03-14", NULL, &a);
	person("Olena", "Kovalneko", "1991-03-14", NULL, &typo);
	person("Olena", "Kovalenko", "1991-03-17", NULL, &slip);
	person("Olena", NULL, "1991-03-14", NULL, &missing);
	person("Olena", "Bondarenko", "1991-03-14", NULL, &other_last);
	person("Olena", "Kovalenko", "1994-08-02", NULL, &other_date);
	double d_typo = cb_dice(a.clk, typo.clk), d_slip = cb_dice(a.clk, slip.clk),
	       d_missing = cb_dice(a.clk, missing.clk), d_last = cb_dice(a.clk, other_last.clk),
	       d_date = cb_dice(a.clk, other_date.clk);
	assert_true(cb_dice(a.clk, a.clk) == 1.0);
	/* one person's variants stay above other people who share a part */
	assert_true(d_typo > d_last);
	assert_true(d_slip > d_date);
	assert_true(d_missing > d_last);
	assert_true(d_typo > 0.85 && d_slip > 0.85);
	assert_true(d_date < 0.8);
	uint8_t zero[CB_CLK_BYTES] = {0};
	assert_true(cb_dice(zero, zero) == 0);
	assert_int_equal(cb_clk_popcount(zero), 0);
}

static void test_clk_seal(void **state)
{
	(void)state;
	struct cb_blind a;
	uint8_t id[16] = {1}, other[16] = {2}, sealed[CB_CLK_SEALED], back[CB_CLK_BYTES];
	person("Olena", "Kovalenko", "1991-03-14", NULL, &a);
	cb_clk_seal(&k1, id, a.clk, sealed);
	assert_int_equal(cb_clk_open(&k1, id, sealed, sizeof sealed, back), CB_OK);
	assert_memory_equal(back, a.clk, sizeof back);
	assert_int_equal(cb_clk_open(&k1, other, sealed, sizeof sealed, back), CB_ECORRUPT);
	assert_int_equal(cb_clk_open(&k2, id, sealed, sizeof sealed, back), CB_ECORRUPT);
	assert_int_equal(cb_clk_open(&k1, id, sealed, sizeof sealed - 1, back), CB_ECORRUPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_person_tokens),
		cmocka_unit_test(test_dice),
		cmocka_unit_test(test_clk_seal),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
