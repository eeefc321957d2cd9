/*
 * fuzz_http.c -- libFuzzer target for the server's parsers of outside input (src/http/parse.c and the
 * router in router.c): the input is split at the first two newlines into a query string, a Cookie header and a
 * JSON body, and also used whole as a path.  Each must parse or be refused, never crash, leak or read out of
 * bounds; what parses must hold what the parser promises (decoded names and values without NUL bytes
 * inside, cookie values of base64url characters only, bodies that are objects).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "io/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *part(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *stop = nl ? nl : end;
	char *s = malloc((size_t)(stop - *p) + 1);
	if (!s)
		abort();
	memcpy(s, *p, (size_t)(stop - *p));
	s[stop - *p] = 0;
	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *qs = part(&p, end), *cookie = part(&p, end);
	size_t blen = (size_t)(end - p);
	struct cb_arena *a = NULL;
	if (cb_arena_new(1u << 20, &a) != CB_OK)
		abort();

	struct cb_http_query q;
	if (cb_http_query_parse(a, qs, &q) == CB_OK) {
		if (q.n > CB_HTTP_MAX_PARAMS)
			abort();
		for (int i = 0; i < q.n; i++) {
			if (cb_http_query_get(&q, q.p[i].name) != q.p[i].value)
				abort(); /* names are unique */
			long v;
			if (cb_http_parse_long(q.p[i].value, -1000, 1000, &v) == CB_OK && (v < -1000 || v > 1000))
				abort();
		}
	}

	char tok[CB_TOKEN_TEXT];
	if (cb_http_cookie(cookie, "cb_session", tok, sizeof tok) == CB_OK)
		for (const char *c = tok; *c; c++)
			if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
			      *c == '_'))
				abort();
	(void)cb_http_is_json(cookie);

	json_t *obj = NULL;
	if (cb_http_json_object(p, blen, &obj) == CB_OK) {
		if (!json_is_object(obj))
			abort();
		struct cb_case c;
		struct cb_err err = {0};
		cb_case_init(&c);
		if (cb_case_from_json(&c, obj, CB_JSON_PATCH | CB_JSON_PII, &err) != CB_OK && !err.msg[0])
			abort();
		cb_case_clear(&c);
		json_decref(obj);
	}

	/* the whole input as a path */
	char *path = malloc(size + 2);
	if (!path)
		abort();
	path[0] = '/';
	memcpy(path + 1, data, size);
	path[size + 1] = 0;
	const struct cb_route *rt;
	char arg[128];
	static const char *const methods[] = {"GET", "POST", "PATCH", "HEAD", "DELETE"};
	int st = cb_http_route(methods[size % 5], path, &rt, arg, sizeof arg);
	if (st != 0 && st != 404 && st != 405)
		abort();
	if (st == 0 && strlen(arg) >= sizeof arg)
		abort();
	free(path);
	cb_arena_free(&a);
	free(qs);
	free(cookie);
	return 0;
}
