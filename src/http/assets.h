/*
 * assets.h -- the web interface's files, embedded in the binary at build time.  The table is defined by a
 * source file generated from web/ (the web interface's build); the server only looks paths up in it.
 */
#ifndef CB_ASSETS_H
#define CB_ASSETS_H

#include <stddef.h>

struct cb_asset { const char *path; const char *mime; const unsigned char *data; size_t len; };
extern const struct cb_asset cb_web_assets[];
extern const size_t cb_web_nassets;

#endif
