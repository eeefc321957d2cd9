/*
 * multipart.c -- multipart/form-data bodies (RFC 7578), as OpenRosa clients post submissions: the XML in the
 * part named xml_submission_file, media and encrypted files in parts of their own.
 *
 * Why by hand: libmicrohttpd's post processor streams parts to callbacks and copies them again; the body is
 * already whole in the request's arena, so the parts are pointed at where they lie, and this parser is a
 * pure function the fuzzer can drive.  Strict where ambiguity could hide a part: CRLF line ends, one
 * Content-Disposition of type form-data with a name per part, a closing delimiter required.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>
#include <strings.h>

#include "http/openrosa.h"

/* The boundary parameter of a Content-Type (quoted or not), into out. */
static int boundary_of(const char *ct, char *out, size_t n)
{
	if (!ct || strncasecmp(ct, "multipart/form-data", 19))
		return CB_EINVAL;
	const char *p = ct + 19;
	while (*p) {
		p += strspn(p, " \t;");
		const char *eq = strchr(p, '=');
		if (!eq)
			return CB_EINVAL;
		size_t klen = (size_t)(eq - p);
		const char *v = eq + 1, *end;
		size_t vlen;
		if (*v == '"') {
			v++;
			if (!(end = strchr(v, '"')))
				return CB_EINVAL;
			vlen = (size_t)(end - v);
			end++;
		} else {
			vlen = strcspn(v, " \t;");
			end = v + vlen;
		}
		if (klen == 8 && !strncasecmp(p, "boundary", 8)) {
			if (vlen < 1 || vlen > 70 || vlen >= n)
				return CB_EINVAL;
			memcpy(out, v, vlen);
			out[vlen] = 0;
			return CB_OK;
		}
		p = end;
	}
	return CB_EINVAL;
}

/* A parameter (name="...") of a Content-Disposition value, copied into the arena; NULL when absent. */
static int disp_param(struct cb_arena *a, const char *v, size_t vlen, const char *key, const char **out)
{
	size_t klen = strlen(key);
	*out = NULL;
	for (size_t i = 0; i + klen + 1 < vlen; i++) {
		if ((i == 0 || v[i - 1] == ';' || v[i - 1] == ' ') && !strncasecmp(v + i, key, klen) && v[i + klen] == '=') {
			const char *s = v + i + klen + 1, *e = v + vlen;
			const char *q;
			if (s < e && *s == '"') {
				s++;
				if (!(q = memchr(s, '"', (size_t)(e - s))))
					return CB_EINVAL;
			} else {
				q = s;
				while (q < e && *q != ';')
					q++;
			}
			if (memchr(s, 0, (size_t)(q - s)))
				return CB_EINVAL;
			if (!(*out = cb_arena_strndup(a, s, (size_t)(q - s))))
				return CB_ENOMEM;
			return CB_OK;
		}
	}
	return CB_OK;
}

static int part_headers(struct cb_arena *a, const char *h, size_t len, struct cb_mpart *p)
{
	bool disp = false;
	while (len) {
		const char *eol = memmem(h, len, "\r\n", 2);
		size_t ll = eol ? (size_t)(eol - h) : len;
		const char *colon = memchr(h, ':', ll);
		if (!colon)
			return CB_EINVAL;
		size_t nl = (size_t)(colon - h);
		const char *v = colon + 1;
		size_t vl = ll - nl - 1;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		if (nl == 19 && !strncasecmp(h, "Content-Disposition", 19)) {
			if (disp || vl < 9 || strncasecmp(v, "form-data", 9))
				return CB_EINVAL;
			disp = true;
			int rc;
			if ((rc = disp_param(a, v, vl, "name", &p->name)) != CB_OK ||
			    (rc = disp_param(a, v, vl, "filename", &p->filename)) != CB_OK)
				return rc;
		} else if (nl == 12 && !strncasecmp(h, "Content-Type", 12)) {
			if (memchr(v, 0, vl) || !(p->ctype = cb_arena_strndup(a, v, vl)))
				return CB_EINVAL;
		}
		if (!eol)
			break;
		len -= ll + 2;
		h = eol + 2;
	}
	return disp && p->name ? CB_OK : CB_EINVAL;
}

int cb_multipart_parse(struct cb_arena *a, const char *content_type, const char *body, size_t len,
		       struct cb_mpart *parts, int max, int *n)
{
	char b[80], delim[84];
	*n = 0;
	if (boundary_of(content_type, b, sizeof b) != CB_OK)
		return CB_EINVAL;
	size_t dl = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", b);
	/* the first delimiter may open the body without the CRLF before it (RFC 2046: a preamble may precede) */
	const char *p;
	if (len >= dl - 2 && !memcmp(body, delim + 2, dl - 2))
		p = body + dl - 2;
	else if (!(p = memmem(body, len, delim, dl)))
		return CB_EINVAL;
	else
		p += dl;
	const char *end = body + len;
	for (;;) {
		/* after a delimiter: "--" closes, CRLF opens a part */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return *n ? CB_OK : CB_EINVAL;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return CB_EINVAL;
		p += 2;
		const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		const char *hstop = hend;
		if (!hend)
			return CB_EINVAL;
		if (*n >= max)
			return CB_EINVAL;
		struct cb_mpart *part = &parts[*n];
		*part = (struct cb_mpart){0};
		int rc = part_headers(a, p, (size_t)(hstop - p), part);
		if (rc != CB_OK)
			return rc;
		const char *data = hend + 4;
		const char *next = memmem(data, (size_t)(end - data), delim, dl);
		if (!next)
			return CB_EINVAL;
		part->data = (const uint8_t *)data;
		part->len = (size_t)(next - data);
		(*n)++;
		p = next + dl;
	}
}

const struct cb_mpart *cb_multipart_get(const struct cb_mpart *parts, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(parts[i].name, name))
			return &parts[i];
	return NULL;
}

const struct cb_mpart *cb_multipart_file(const struct cb_mpart *parts, int n, const char *filename)
{
	for (int i = 0; i < n; i++)
		if (parts[i].filename && !strcmp(parts[i].filename, filename))
			return &parts[i];
	for (int i = 0; i < n; i++) /* some clients name the part after the file and leave filename out */
		if (!strcmp(parts[i].name, filename))
			return &parts[i];
	return NULL;
}
