/*
 * web.c -- the web interface's files (every path outside /api): served from the copy of web/ embedded into
 * the binary at build time (scripts/embed.c), "/" being index.html.  Nothing is read from disk at run time.
 */
#include <string.h>

#include "http/api.h"
#include "http/assets.h"

int cb_api_web(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	const char *path = strcmp(r->path, "/") ? r->path + 1 : "index.html";
	size_t n = cb_web_nassets;
	for (size_t i = 0; i < n; i++) {
		const struct cb_asset *a = &cb_web_assets[i];
		if (strcmp(a->path, path) && !(a->path[0] == '/' && !strcmp(a->path + 1, path)))
			continue;
		cb_api_text(r, a->mime, a->data, a->len);
		return CB_OK;
	}
	cb_api_error(r, 404, "not_found", "no such page");
	return CB_OK;
}
