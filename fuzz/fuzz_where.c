/*
 * fuzz_where.c -- libFuzzer target for the --where parser and evaluator (src/stats/where.c): any input
 * must parse or fail with a message, never crash, leak or read out of bounds; what parses must evaluate
 * and re-parse from its normalised text to the same selection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_int.h"
#include "../tests/stats/stats_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fx fx;

static uint64_t *select_bits(const char *text, int *rc)
{
	struct cb_where *w = NULL;
	struct cb_err err = {0};
	uint64_t *bits = NULL;
	*rc = cb_where_parse(fx.ix, text, &w, &err);
	if (*rc != CB_OK) {
		if (!err.msg[0])
			abort(); /* every refusal explains itself */
		return NULL;
	}
	bits = calloc(((size_t)fx.ix->n + 63) / 64 + 1, 8);
	if (!bits)
		abort();
	if (w && cb_where_eval(w, fx.ix, bits, &err) != CB_OK)
		abort();
	cb_where_free(&w);
	return bits;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fx.ix)
		fx = fx_demo(500, 7);
	if (!fx.ix || size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	int rc;
	uint64_t *a = select_bits(text, &rc);
	if (a) {
		/* the normalised text means the same thing */
		struct cb_where *w = NULL;
		char norm[8192];
		if (cb_where_parse(fx.ix, text, &w, NULL) != CB_OK)
			abort();
		cb_where_text(w, norm, sizeof norm);
		cb_where_free(&w);
		if (strlen(norm) < sizeof norm - 1) {
			uint64_t *b = select_bits(norm, &rc);
			if (!b || memcmp(a, b, ((size_t)fx.ix->n + 63) / 64 * 8) != 0)
				abort();
			free(b);
		}
		free(a);
	}
	free(text);
	return 0;
}
