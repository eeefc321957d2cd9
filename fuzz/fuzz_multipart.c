/*
 * fuzz_multipart.c -- arbitrary bytes through the multipart/form-data reader of the OpenRosa submission API
 * (src/http/multipart.c): the first line is the Content-Type (with its boundary), the rest the body.  The
 * reader must never crash, overrun or read outside the body; every part it returns must lie inside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/openrosa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	if (!nl)
		return 0;
	size_t cl = (size_t)(nl - data);
	char *ct = malloc(cl + 1);
	char *body = malloc(size - cl); /* a copy of exactly the body, so ASan sees any read past it */
	struct cb_arena *a = NULL;
	if (!ct || !body || cb_arena_new(1 << 20, &a) != CB_OK)
		goto out;
	memcpy(ct, data, cl);
	ct[cl] = 0;
	size_t blen = size - cl - 1;
	memcpy(body, nl + 1, blen);
	struct cb_mpart parts[CB_MPART_MAX];
	int n = 0;
	if (cb_multipart_parse(a, ct, body, blen, parts, CB_MPART_MAX, &n) == CB_OK) {
		for (int i = 0; i < n; i++) {
			if ((const char *)parts[i].data < body || (const char *)parts[i].data + parts[i].len > body + blen)
				abort();
			(void)strlen(parts[i].name);
		}
		(void)cb_multipart_get(parts, n, "xml_submission_file");
		(void)cb_multipart_file(parts, n, "submission.xml.enc");
	}
out:
	cb_arena_free(&a);
	free(ct);
	free(body);
	return 0;
}
