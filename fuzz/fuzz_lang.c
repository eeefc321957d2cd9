/*
 * fuzz_lang.c -- arbitrary bytes as an Accept-Language header (the one outside input src/util/i18n.c reads:
 * every request carries one) and as a locale or language tag.  Must never crash or overrun; a language found
 * must be one with a catalogue.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	const char *codes[] = {cb_lang_accept(s), cb_lang_find(s)};
	for (int i = 0; i < 2; i++)
		if (codes[i] && strcmp(codes[i], cb_lang_code(0)) && !cb_tr_find(codes[i], "language", "English"))
			abort();
	free(s);
	return 0;
}
