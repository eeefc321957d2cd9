/*
 * arena.c -- one bump allocator per HTTP request: everything a request parses or builds (query parameters,
 * its body, headers, texts) comes from it and goes away at once when the request ends, so a handler has no
 * frees to forget and a slow client cannot leak memory.  Hand-written because no Debian-packaged arena
 * library fits: talloc and APR pools are hierarchical and much larger, and neither wipes.  Memory is wiped
 * before it is reused or freed, since bodies can hold identifying details.
 *
 * Chunks are a singly linked list, newest first; a request that needs more than a chunk gets a chunk of
 * its own size.  The total handed out is capped (the per-request memory budget).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/http.h"

#define CHUNK (16u * 1024u)
#define ALIGN 16u

struct chunk {
	struct chunk *next;
	size_t cap, used;
	_Alignas(16) unsigned char data[];
};

struct cb_arena {
	struct chunk *head;
	size_t limit, total; /* bytes handed out (including alignment) */
	void *last;          /* newest block, for cb_arena_grow */
};

static struct chunk *chunk_new(size_t cap)
{
	struct chunk *c = malloc(sizeof *c + cap);
	if (c) {
		c->next = NULL;
		c->cap = cap;
		c->used = 0;
	}
	return c;
}

int cb_arena_new(size_t limit, struct cb_arena **out)
{
	struct cb_arena *a = calloc(1, sizeof *a);
	if (!a)
		return CB_ENOMEM;
	a->limit = limit;
	a->head = chunk_new(CHUNK);
	if (!a->head) {
		free(a);
		return CB_ENOMEM;
	}
	*out = a;
	return CB_OK;
}

void *cb_arena_alloc(struct cb_arena *a, size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need < n || need > a->limit - a->total || a->total > a->limit)
		return NULL;
	struct chunk *c = a->head;
	if (c->cap - c->used < need) {
		struct chunk *nc = chunk_new(need > CHUNK ? need : CHUNK);
		if (!nc)
			return NULL;
		nc->next = a->head;
		a->head = c = nc;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->total += need;
	memset(p, 0, n);
	a->last = p;
	return p;
}

void *cb_arena_grow(struct cb_arena *a, void *p, size_t old, size_t n)
{
	if (!p)
		return cb_arena_alloc(a, n);
	if (n <= old)
		return p;
	struct chunk *c = a->head;
	size_t old_need = (old + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (p == a->last && need >= n && (unsigned char *)p + old_need == c->data + c->used &&
	    need - old_need <= c->cap - c->used && need - old_need <= a->limit - a->total) {
		memset((unsigned char *)p + old, 0, n - old);
		c->used += need - old_need;
		a->total += need - old_need;
		return p;
	}
	void *q = cb_arena_alloc(a, n);
	if (q)
		memcpy(q, p, old);
	return q;
}

char *cb_arena_strndup(struct cb_arena *a, const char *s, size_t n)
{
	char *p = cb_arena_alloc(a, n + 1);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *cb_arena_printf(struct cb_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = cb_arena_alloc(a, (size_t)n + 1);
	if (p) {
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return p;
}

size_t cb_arena_used(const struct cb_arena *a) { return a->total; }

void cb_arena_reset(struct cb_arena *a)
{
	struct chunk *c = a->head;
	while (c->next) { /* keep the oldest chunk (the first, of CHUNK bytes) */
		struct chunk *next = c->next;
		sodium_memzero(c->data, c->used);
		free(c);
		c = next;
	}
	sodium_memzero(c->data, c->used);
	c->used = 0;
	a->head = c;
	a->total = 0;
	a->last = NULL;
}

void cb_arena_free(struct cb_arena **ap)
{
	struct cb_arena *a = *ap;
	if (!a)
		return;
	cb_arena_reset(a);
	free(a->head);
	free(a);
	*ap = NULL;
}
