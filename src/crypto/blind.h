/*
 * blind.h -- blind indexes and linkage encodings of identifying details (blind.c): what lets casebank find a
 * person by name, birth date or phone, and find the same person registered twice, while the details stay
 * sealed.  The design and the numbers are in docs/security.md ("Search and duplicate detection").
 *
 *   tokens   a keyed MAC (BLAKE2b, a sub-key of the master key) of one folded value -- a name part, the
 *            phonetic code of a part, the birth date, year, month and day, the phone digits -- cut to a few
 *            bits (cb_blind_bits), so that each token value is shared by many people in a large database:
 *            a match is only a candidate, confirmed by opening the case's sealed details.
 *   CLK      a cryptographic long-term key (Schnell, Bachteler & Reiher 2011, as anonlink encodes it): a
 *            1024-bit Bloom filter of the name parts' bigrams and the birth date's components, each element
 *            set by CB_CLK_K.. bits through keyed double hashing.  Two records of one person with spelling
 *            differences, swapped names or a date slip stay close in Dice similarity.  Stored sealed.
 * All three keys come from the master key (crypto_kdf, contexts "blindtok", "linkbits", "linkseal") and live
 * only in secret memory.
 */
#ifndef CB_BLIND_H
#define CB_BLIND_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/names.h"

#define CB_CLK_BITS 1024
#define CB_CLK_BYTES (CB_CLK_BITS / 8)
#define CB_CLK_SEALED (CB_CLK_BYTES + CB_SEAL_OVERHEAD)

enum cb_tok_kind {
	CB_TOK_NAME = 1, /* a folded name part (first name, last name, aliases) */
	CB_TOK_PHON,     /* the phonetic code of a name part */
	CB_TOK_BDATE,    /* the birth date */
	CB_TOK_BYEAR,    /* the year of birth (from the birth date) */
	CB_TOK_BMD,      /* the birth month and day (blocking across a slipped year) */
	CB_TOK_PHONE,    /* the phone's last digits */
	CB_TOK__N
};
const char *cb_tok_kind_name(enum cb_tok_kind k);
/* How many bits of the MAC a token of kind k keeps. */
unsigned cb_blind_bits(enum cb_tok_kind k);

struct cb_blind_keys {
	uint8_t token[CB_KEY_BYTES];
	uint8_t clk[CB_KEY_BYTES];
	uint8_t seal[CB_KEY_BYTES];
};
void cb_blind_keys_derive(const uint8_t master[CB_KEY_BYTES], struct cb_blind_keys *k);

/* One token: kind and the kept bits of the MAC of text. */
uint32_t cb_blind_token(const struct cb_blind_keys *k, enum cb_tok_kind kind, const char *text, size_t n);

/* A person's identifying details, folded for comparison (plain text: cb_wipe it after use). */
struct cb_person {
	struct cb_name_parts names;   /* first and last name */
	struct cb_name_parts aliases;
	int32_t birth;                /* days since 1970, CB_NA if unknown or not a date */
	char phone[10];               /* cb_phone_digits, "" if none */
};
/* From the texts of a case (each may be NULL). */
void cb_person_fold(const char *first, const char *last, const char *aliases, const char *birth_date,
		    const char *phone, struct cb_person *p);

#define CB_TOKENS_MAX (4 * CB_NAME_PARTS_MAX + 4)
struct cb_token {
	uint8_t kind;
	uint32_t v;
};
/* Every token of a person, without repeats, and its CLK (has_clk false when there is neither a name nor a
 * birth date: nothing to link on). */
struct cb_blind {
	int n;
	struct cb_token t[CB_TOKENS_MAX];
	bool has_clk;
	uint8_t clk[CB_CLK_BYTES];
};
void cb_blind_person(const struct cb_blind_keys *k, const struct cb_person *p, struct cb_blind *out);
/* Whether b has token (kind, v). */
bool cb_blind_has(const struct cb_blind *b, enum cb_tok_kind kind, uint32_t v);

/* Packs the tokens as stored (5 bytes each: kind, value little-endian) into out (5 * CB_TOKENS_MAX bytes);
 * returns the length.  unpack: CB_ECORRUPT for a length that is not a whole number of tokens. */
size_t cb_blind_pack(const struct cb_blind *b, uint8_t *out);
int cb_blind_unpack(const uint8_t *in, size_t n, struct cb_blind *b);

/* Seals / opens a CLK with the seal key, bound to the case id. */
void cb_clk_seal(const struct cb_blind_keys *k, const uint8_t id[16], const uint8_t clk[CB_CLK_BYTES],
		 uint8_t out[CB_CLK_SEALED]);
int cb_clk_open(const struct cb_blind_keys *k, const uint8_t id[16], const uint8_t *in, size_t n,
		uint8_t clk[CB_CLK_BYTES]);

/* Dice similarity of two CLKs: 2 |a & b| / (|a| + |b|), 0 when both are empty. */
double cb_dice(const uint8_t a[CB_CLK_BYTES], const uint8_t b[CB_CLK_BYTES]);
/* The number of bits set in a CLK (cb_dice_counted avoids counting them again in a loop over pairs). */
int cb_clk_popcount(const uint8_t a[CB_CLK_BYTES]);
double cb_dice_counted(const uint8_t a[CB_CLK_BYTES], int na, const uint8_t b[CB_CLK_BYTES], int nb);

#endif
