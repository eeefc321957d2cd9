/*
 * names.h -- people's names and contact details reduced to the forms that blind indexes and record linkage
 * compare (names.c): folded name parts, a phonetic code per part, phone digits.
 *
 * Everything here works on identifying details in plain text: callers keep the results in wiped memory
 * (the structs below are plain arrays: cb_wipe them) and never write them anywhere.
 */
#ifndef CB_NAMES_H
#define CB_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "util/cb.h"

#define CB_NAME_PARTS_MAX 12
#define CB_NAME_PART_MAX 48 /* bytes, NUL included: longer parts are cut (no real name part is that long) */
#define CB_PHON_MAX 8       /* phonetic code: at most 6 digits, NUL */

/* A name split into its parts, each folded: lower case, accents dropped, Cyrillic transliterated (so that
 * "Rușu", "Rusu" and "РУСУ" are all "rusu"), apostrophes dropped; anything else that is not a letter
 * separates parts.  Parts that repeat are kept once.  Letters of scripts without a table are kept as they
 * are (UTF-8): they still match themselves. */
struct cb_name_parts {
	int n;
	char part[CB_NAME_PARTS_MAX][CB_NAME_PART_MAX];
};

/* Splits and folds text (any bytes: invalid UTF-8 separates parts like a space).  Appends to out (set
 * out->n = 0 first), stopping quietly at CB_NAME_PARTS_MAX parts. */
void cb_name_fold(const char *text, size_t len, struct cb_name_parts *out);

/* The phonetic code of one folded part (see names.c: a Soundex variant made for transliterated names). */
void cb_name_phonetic(const char *part, char out[CB_PHON_MAX]);

/* The digits of a phone number that identify it whatever the prefix was written as: the last 8 (at most;
 * a country code and a trunk "0" fall away, and national numbers are 8 digits or more almost everywhere).
 * out holds at least 10 bytes; "" when there are fewer than 6 digits. */
void cb_phone_digits(const char *text, char out[10]);

#endif
