/*
 * framing.c -- how long a request's body is, decided once and unambiguously before anything reads it
 * (RFC 9112 section 6): a request that two HTTP parsers could split differently (request smuggling behind a
 * proxy) is refused with 400 and its connection closed, one whose Content-Length is over the limit with 413.
 * Apart from server.c because it is a security rule of its own, with its own tests (tests/http/test_framing.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "http/http.h"

struct framing {
	int ncl, nte;
	const char *cl, *te;
	bool bad_name;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct framing *f = cls;
	/* a field name is a token (RFC 9110 section 5.6.2): libmicrohttpd 0.9.75 keeps the space of
	 * "Transfer-Encoding : chunked" in the name, which another parser may not */
	size_t n = strlen(key);
	if (!n || strspn(key, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != n)
		f->bad_name = true;
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
		f->ncl++;
		f->cl = value;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		f->nte++;
		f->te = value;
	}
	return MHD_YES;
}

/* 0 when the body's length is unambiguous and small enough; else the status to refuse with (400, or 413 for
 * a well-formed Content-Length over the limit) and *why.  Accepted: header field names that are tokens, and
 * no framing header; one Content-Length of 1 to 19 digits; or, in HTTP/1.1, one Transfer-Encoding that is
 * exactly "chunked".  Everything else can be
 * read two ways by two parsers (libmicrohttpd keeps the first of two Content-Lengths, prefers chunked over a
 * Content-Length, and reads an unknown coding until the connection ends), so it is refused. */
int cb_http_framing(struct MHD_Connection *c, const char *version, const char **why)
{
	struct framing f = {0};
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
	if (f.bad_name)
		return *why = "malformed header field name", 400;
	*why = "ambiguous request framing";
	if (f.ncl > 1 || f.nte > 1 || (f.ncl && f.nte))
		return 400;
	if (f.nte) {
		if (strcasecmp(f.te, "chunked") || strcmp(version, MHD_HTTP_VERSION_1_1))
			return *why = "unsupported Transfer-Encoding", 400;
		return 0;
	}
	if (f.ncl) {
		size_t n = strlen(f.cl);
		if (n < 1 || n > 19 || strspn(f.cl, "0123456789") != n)
			return *why = "malformed Content-Length", 400;
		if (strtoull(f.cl, NULL, 10) > CB_HTTP_BODY_MAX)
			return *why = "the body is larger than 1 MiB", 413;
	}
	return 0;
}
