/*
 * blind.c -- blind-index tokens and linkage encodings (CLKs) of a person's identifying details (blind.h).
 *
 * Tokens: BLAKE2b keyed with the token key over the kind (one byte) and the folded value; the first four
 * bytes, little-endian, keep cb_blind_bits of their bits.  The kind is part of the MAC so that a name part
 * and a phone number that happen to be the same text never share a token.
 *
 * CLK: anonlink's encoding (double hashing, Kirsch & Mitzenmacher) with BLAKE2b keyed with the CLK key in
 * place of HMAC-SHA1/MD5: for each element e, h = BLAKE2b_k(e) gives two 64-bit halves h1, h2 (h2 odd) and
 * the bits (h1 + i h2) mod 1024, i < k.  Elements: the bigrams of every name part padded with '_' (so the
 * first and last letters count), without saying which name the part came from (swapped first and last
 * names encode alike), and the birth date's year, month and day apart (a one-digit slip changes one of
 * three).  The k per element weighs the fields: a birth date that differs in day and month should weigh
 * about as much as a different first name.
 */
#include <string.h>

#include <sodium.h>

#include "crypto/blind.h"

#ifndef CLK_K_BIGRAM
#define CLK_K_BIGRAM 4 /* bits per name bigram */
#endif
#ifndef CLK_K_DATE
#define CLK_K_DATE 0  /* bits per birth-date component (year, month, day) */
#endif
#ifndef CLK_K_DIGIT
#define CLK_K_DIGIT 12 /* bits per digit of the date at its place */
#endif

static const struct {
	const char *name;
	unsigned bits;
} kinds[CB_TOK__N] = {
	[CB_TOK_NAME] = {"name", 16},  [CB_TOK_PHON] = {"phonetic", 12}, [CB_TOK_BDATE] = {"birth_date", 14},
	[CB_TOK_BYEAR] = {"birth_year", 7}, [CB_TOK_BMD] = {"birth_day", 8}, [CB_TOK_PHONE] = {"phone", 16},
};

const char *cb_tok_kind_name(enum cb_tok_kind k)
{
	return k > 0 && k < CB_TOK__N ? kinds[k].name : "?";
}

unsigned cb_blind_bits(enum cb_tok_kind k)
{
	return k > 0 && k < CB_TOK__N ? kinds[k].bits : 0;
}

void cb_blind_keys_derive(const uint8_t master[CB_KEY_BYTES], struct cb_blind_keys *k)
{
	cb_subkey(master, 1, "blindtok", k->token);
	cb_subkey(master, 1, "linkbits", k->clk);
	cb_subkey(master, 1, "linkseal", k->seal);
}

uint32_t cb_blind_token(const struct cb_blind_keys *k, enum cb_tok_kind kind, const char *text, size_t n)
{
	crypto_generichash_state st;
	uint8_t h[16], kb = (uint8_t)kind;
	crypto_generichash_init(&st, k->token, CB_KEY_BYTES, sizeof h);
	crypto_generichash_update(&st, &kb, 1);
	crypto_generichash_update(&st, (const uint8_t *)text, n);
	crypto_generichash_final(&st, h, sizeof h);
	uint32_t v = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
	sodium_memzero(&st, sizeof st);
	return v & ((UINT32_C(1) << cb_blind_bits(kind)) - 1);
}

void cb_person_fold(const char *first, const char *last, const char *aliases, const char *birth_date,
		    const char *phone, struct cb_person *p)
{
	memset(p, 0, sizeof *p);
	if (first)
		cb_name_fold(first, strlen(first), &p->names);
	if (last)
		cb_name_fold(last, strlen(last), &p->names);
	if (aliases)
		cb_name_fold(aliases, strlen(aliases), &p->aliases);
	p->birth = CB_NA;
	if (birth_date && cb_date_parse(birth_date, &p->birth) != CB_OK)
		p->birth = CB_NA;
	if (phone)
		cb_phone_digits(phone, p->phone);
}

bool cb_blind_has(const struct cb_blind *b, enum cb_tok_kind kind, uint32_t v)
{
	for (int i = 0; i < b->n; i++)
		if (b->t[i].kind == kind && b->t[i].v == v)
			return true;
	return false;
}

static void add(const struct cb_blind_keys *k, struct cb_blind *b, enum cb_tok_kind kind, const char *text)
{
	uint32_t v = cb_blind_token(k, kind, text, strlen(text));
	if (b->n < CB_TOKENS_MAX && !cb_blind_has(b, kind, v))
		b->t[b->n++] = (struct cb_token){(uint8_t)kind, v};
}

static void clk_set(const struct cb_blind_keys *k, uint8_t clk[CB_CLK_BYTES], const char *e, size_t n, int bits)
{
	uint8_t h[16];
	uint64_t h1, h2;
	crypto_generichash(h, sizeof h, (const uint8_t *)e, n, k->clk, CB_KEY_BYTES);
	memcpy(&h1, h, 8);
	memcpy(&h2, h + 8, 8);
	h2 |= 1;
	for (int i = 0; i < bits; i++) {
		unsigned bit = (unsigned)((h1 + (uint64_t)i * h2) % CB_CLK_BITS);
		clk[bit / 8] |= (uint8_t)(1u << (bit % 8));
	}
	sodium_memzero(h, sizeof h);
}

static void names_tokens(const struct cb_blind_keys *k, struct cb_blind *b, const struct cb_name_parts *np)
{
	char phon[CB_PHON_MAX];
	for (int i = 0; i < np->n; i++) {
		add(k, b, CB_TOK_NAME, np->part[i]);
		cb_name_phonetic(np->part[i], phon);
		add(k, b, CB_TOK_PHON, phon);
	}
	sodium_memzero(phon, sizeof phon);
}

void cb_blind_person(const struct cb_blind_keys *k, const struct cb_person *p, struct cb_blind *out)
{
	char buf[CB_NAME_PART_MAX + 4];
	memset(out, 0, sizeof *out);
	names_tokens(k, out, &p->names);
	names_tokens(k, out, &p->aliases);
	for (int i = 0; i < p->names.n; i++) {
		const char *part = p->names.part[i];
		size_t len = strlen(part);
		/* "_ab", "abc", ..., "yz_": the padded bigrams, prefixed with 'n' (a name element) */
		buf[0] = 'n';
		for (size_t j = 0; j <= len; j++) {
			buf[1] = j == 0 ? '_' : part[j - 1];
			buf[2] = j == len ? '_' : part[j];
			clk_set(k, out->clk, buf, 3, CLK_K_BIGRAM);
		}
		out->has_clk = true;
	}
	if (p->birth != CB_NA) {
		char date[11];
		cb_date_format(p->birth, date);
		add(k, out, CB_TOK_BDATE, date);
		date[4] = 0;
		add(k, out, CB_TOK_BYEAR, date);
		add(k, out, CB_TOK_BMD, date + 5);
		/* "y1990", "m05", "d17" */
		snprintf(buf, sizeof buf, "y%.4s", date);
		clk_set(k, out->clk, buf, strlen(buf), CLK_K_DATE);
		snprintf(buf, sizeof buf, "m%.2s", date + 5);
		clk_set(k, out->clk, buf, strlen(buf), CLK_K_DATE);
		snprintf(buf, sizeof buf, "d%.2s", date + 8);
		clk_set(k, out->clk, buf, strlen(buf), CLK_K_DATE);
		cb_date_format(p->birth, date);
		for (int i = 0; i < 10; i++) /* "p0=1", "p1=9", ...: a slipped digit changes one of eight */
			if (i != 4 && i != 7) {
				snprintf(buf, sizeof buf, "p%d=%c", i, date[i]);
				clk_set(k, out->clk, buf, strlen(buf), CLK_K_DIGIT);
			}
		out->has_clk = true;
		sodium_memzero(date, sizeof date);
	}
	if (p->phone[0])
		add(k, out, CB_TOK_PHONE, p->phone);
	sodium_memzero(buf, sizeof buf);
}

size_t cb_blind_pack(const struct cb_blind *b, uint8_t *out)
{
	size_t o = 0;
	for (int i = 0; i < b->n; i++) {
		out[o++] = b->t[i].kind;
		for (int j = 0; j < 4; j++)
			out[o++] = (uint8_t)(b->t[i].v >> (8 * j));
	}
	return o;
}

int cb_blind_unpack(const uint8_t *in, size_t n, struct cb_blind *b)
{
	memset(b, 0, sizeof *b);
	if (n % 5 || n / 5 > CB_TOKENS_MAX)
		return CB_ECORRUPT;
	for (size_t i = 0; i < n; i += 5) {
		uint32_t v = (uint32_t)in[i + 1] | (uint32_t)in[i + 2] << 8 | (uint32_t)in[i + 3] << 16 |
			     (uint32_t)in[i + 4] << 24;
		b->t[b->n++] = (struct cb_token){in[i], v};
	}
	return CB_OK;
}

void cb_clk_seal(const struct cb_blind_keys *k, const uint8_t id[16], const uint8_t clk[CB_CLK_BYTES],
		 uint8_t out[CB_CLK_SEALED])
{
	cb_seal(k->seal, id, 16, clk, CB_CLK_BYTES, out);
}

int cb_clk_open(const struct cb_blind_keys *k, const uint8_t id[16], const uint8_t *in, size_t n,
		uint8_t clk[CB_CLK_BYTES])
{
	if (n != CB_CLK_SEALED)
		return CB_ECORRUPT;
	return cb_unseal(k->seal, id, 16, in, n, clk);
}

int cb_clk_popcount(const uint8_t a[CB_CLK_BYTES])
{
	int n = 0;
	for (int i = 0; i < CB_CLK_BYTES; i += 8) {
		uint64_t x;
		memcpy(&x, a + i, 8);
		n += __builtin_popcountll(x);
	}
	return n;
}

double cb_dice_counted(const uint8_t a[CB_CLK_BYTES], int na, const uint8_t b[CB_CLK_BYTES], int nb)
{
	int both = 0;
	if (na + nb == 0)
		return 0;
	for (int i = 0; i < CB_CLK_BYTES; i += 8) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		both += __builtin_popcountll(x & y);
	}
	return 2.0 * both / (na + nb);
}

double cb_dice(const uint8_t a[CB_CLK_BYTES], const uint8_t b[CB_CLK_BYTES])
{
	return cb_dice_counted(a, cb_clk_popcount(a), b, cb_clk_popcount(b));
}
