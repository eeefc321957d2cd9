/*
 * fuzz_json.c -- libFuzzer target for the case JSON parser (src/io/json.c), which reads outside input.
 *
 * Every input is parsed as a whole case and as a patch onto a populated case.  Whatever is accepted must
 * serialise, parse back, and give an equal case: the writer and the reader agree on every field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct cb_case *c)
{
	struct cb_case back;
	struct cb_err err = {0};
	json_t *j = cb_case_to_json(c, CB_JSON_PII);
	if (!j)
		abort();
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		abort();
	cb_case_init(&back);
	if (cb_case_from_json_text(&back, text, strlen(text), 0, &err) != CB_OK || !cb_case_equal(c, &back))
		abort();
	free(text);
	cb_case_clear(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base[] = "{\"site\": \"HQ\", \"year\": 2020, \"gender\": \"Feminine\", \"first_name\": \"A\","
				   " \"means_of_control\": [\"DebtBondage\"], \"version\": 2}";
	struct cb_case c;
	struct cb_err err = {0};

	cb_case_init(&c);
	if (cb_case_from_json_text(&c, (const char *)data, size, 0, &err) == CB_OK)
		round_trip(&c);
	cb_case_clear(&c);

	if (cb_case_from_json_text(&c, base, strlen(base), 0, &err) != CB_OK)
		abort();
	if (cb_case_from_json_text(&c, (const char *)data, size, CB_JSON_PATCH, &err) == CB_OK)
		round_trip(&c);
	cb_case_clear(&c);
	return 0;
}
