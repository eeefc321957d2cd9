/*
 * fuzz_names.c -- libFuzzer target for the name folding and phonetic code (src/crypto/names.c), which read
 * names as typed into forms, imported files and search boxes.
 *
 * Whatever the bytes: every part is non-empty, NUL-terminated within its buffer, free of ASCII separators
 * and upper-case ASCII, and folding is idempotent (a folded part folds to itself); every phonetic code is
 * 1..6 digits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_name_parts p = {0}, again;
	char phon[CB_PHON_MAX], digits[10];
	cb_name_fold((const char *)data, size, &p);
	if (p.n < 0 || p.n > CB_NAME_PARTS_MAX)
		abort();
	for (int i = 0; i < p.n; i++) {
		size_t n = strnlen(p.part[i], CB_NAME_PART_MAX);
		if (n == 0 || n == CB_NAME_PART_MAX)
			abort();
		for (size_t j = 0; j < n; j++) {
			char c = p.part[i][j];
			if ((c >= 'A' && c <= 'Z') || c == ' ' || c == '-' || c == ',')
				abort();
		}
		memset(&again, 0, sizeof again);
		cb_name_fold(p.part[i], n, &again);
		if (again.n != 1 || strcmp(again.part[0], p.part[i]))
			abort();
		cb_name_phonetic(p.part[i], phon);
		size_t m = strlen(phon);
		if (m < 1 || m > 6 || strspn(phon, "0123456") != m)
			abort();
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	cb_phone_digits(text, digits);
	if (strlen(digits) > 8 || strspn(digits, "0123456789") != strlen(digits))
		abort();
	free(text);
	return 0;
}
