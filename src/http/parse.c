/*
 * parse.c -- the server's parsers of outside input, as pure functions (no socket, no globals) so that
 * fuzz/fuzz_http.c drives exactly the code the server runs: query strings, the Cookie header, JSON request
 * bodies, numbers in parameters, the Content-Type.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s[0..n) into a new arena string: %XX escapes, '+' as space. */
static int decode(struct cb_arena *a, const char *s, size_t n, const char **out)
{
	char *d = cb_arena_alloc(a, n + 1);
	if (!d)
		return CB_ENOMEM;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return CB_EINVAL;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return CB_EINVAL;
			d[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '+') {
			d[o++] = ' ';
		} else if (s[i] == 0) {
			return CB_EINVAL;
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = 0;
	*out = d;
	return CB_OK;
}

int cb_http_query_parse(struct cb_arena *a, const char *qs, struct cb_http_query *q)
{
	q->n = 0;
	if (!qs)
		return CB_OK;
	const char *p = qs;
	while (*p) {
		size_t len = strcspn(p, "&");
		if (len > 0) {
			const char *eq = memchr(p, '=', len);
			size_t nlen = eq ? (size_t)(eq - p) : len;
			if (q->n == CB_HTTP_MAX_PARAMS)
				return CB_EINVAL;
			const char *name, *value;
			int rc = decode(a, p, nlen, &name);
			if (rc == CB_OK)
				rc = eq ? decode(a, eq + 1, len - nlen - 1, &value) : decode(a, "", 0, &value);
			if (rc != CB_OK)
				return rc;
			if (cb_http_query_get(q, name))
				return CB_EINVAL;
			q->p[q->n].name = name;
			q->p[q->n].value = value;
			q->n++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return CB_OK;
}

const char *cb_http_query_get(const struct cb_http_query *q, const char *name)
{
	for (int i = 0; i < q->n; i++)
		if (!strcmp(q->p[i].name, name))
			return q->p[i].value;
	return NULL;
}

static bool is_token_char(int c) { return isalnum(c) || c == '-' || c == '_'; }

int cb_http_cookie(const char *header, const char *name, char *out, size_t n)
{
	if (!header || n == 0)
		return CB_ENOTFOUND;
	size_t nl = strlen(name);
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t vl = len - nl - 1;
			while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (vl >= n)
				return CB_EINVAL;
			for (size_t i = 0; i < vl; i++)
				if (!is_token_char((unsigned char)v[i]))
					return CB_EINVAL;
			memcpy(out, v, vl);
			out[vl] = 0;
			return CB_OK;
		}
		p += len;
	}
	return CB_ENOTFOUND;
}

int cb_http_json_object(const char *body, size_t len, json_t **out)
{
	json_error_t je;
	*out = NULL;
	if (!body || len == 0)
		return CB_EINVAL;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return CB_EINVAL;
	if (!json_is_object(j)) {
		json_decref(j);
		return CB_EINVAL;
	}
	*out = j;
	return CB_OK;
}

int cb_http_parse_long(const char *s, long lo, long hi, long *out)
{
	if (!s || !*s || strlen(s) > 18)
		return CB_EINVAL;
	for (const char *p = *s == '-' ? s + 1 : s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return CB_EINVAL;
	if (*s == '-' && !s[1])
		return CB_EINVAL;
	long v = strtol(s, NULL, 10);
	if (v < lo || v > hi)
		return CB_EINVAL;
	*out = v;
	return CB_OK;
}

bool cb_http_is_json(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	static const char want[] = "application/json";
	if (strncasecmp(ct, want, sizeof want - 1))
		return false;
	ct += sizeof want - 1;
	while (*ct == ' ')
		ct++;
	return *ct == 0 || *ct == ';';
}
