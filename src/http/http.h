/*
 * http.h -- `casebank serve`: the HTTP API of docs/api.md on libmicrohttpd.
 *
 * Layers, so that everything but the socket can be tested and fuzzed on its own (a file calls only those
 * above it in this list, never one below; who may do what is access/policy.c's, sessions access/'s):
 *   arena.c   one bump allocator per request, wiped and freed when the request ends
 *   parse.c   pure parsers of outside input: query strings, the Cookie header, JSON bodies, numbers
 *   auditq.c  group commit of the audit trail (and of those last_seen updates)
 *   scheduler.c  releases on a schedule
 *   app.c     what every request shares: the store pool, the statistics bank and its cache
 *   changes.c a changed case (this server's write or another's) followed into the statistics index
 *   reply.c, request.c, input.c  what every handler uses (api.h): answers and errors; the caller, the
 *             access policy's answers (access/policy.h) and the audit entry; members of a JSON body
 *   one file per resource (api.h): login.c, codebook.c, cases.c, stats.c, report.c, audit.c, users.c,
 *             partners.c, assistance.c, referrals.c, workflow.c, followups.c, dashboard.c, web.c
 *   router.c  the route table (include/tbl/cb_routes.h), sessions, CSRF, the role check, then the handler
 *   framing.c, server.c  the daemon: connections, framing, bodies, headers, logging, shutdown
 */
#ifndef CB_HTTP_H
#define CB_HTTP_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "access/access.h"
#include "access/policy.h"
#include "store/store.h"

#define CB_HTTP_BODY_MAX (1u << 20) /* request bodies: 1 MiB */

/* ---- arena.c: per-request memory */
struct cb_arena;
int cb_arena_new(size_t limit, struct cb_arena **out); /* limit: total bytes it may hand out */
void cb_arena_free(struct cb_arena **a);                /* wipes everything it handed out */
/* n bytes, 16-aligned, zeroed; NULL when over the limit or out of memory. */
void *cb_arena_alloc(struct cb_arena *a, size_t n);
/* Grows p (old bytes, from this arena; NULL for none) to n bytes: in place when p is the newest block. */
void *cb_arena_grow(struct cb_arena *a, void *p, size_t old, size_t n);
char *cb_arena_strndup(struct cb_arena *a, const char *s, size_t n);
char *cb_arena_printf(struct cb_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t cb_arena_used(const struct cb_arena *a);
void cb_arena_reset(struct cb_arena *a); /* wipes, keeps the first chunk for the next request */

/* ---- parse.c: pure functions over outside input */
#define CB_HTTP_MAX_PARAMS 16
struct cb_http_query {
	int n;
	struct {
		const char *name, *value; /* decoded, NUL-terminated, in the arena */
	} p[CB_HTTP_MAX_PARAMS];
};
/* Parses "a=1&b=x%20y" (after the '?'); '+' is a space.  CB_EINVAL for a bad %-escape, an escaped NUL,
 * a repeated name or more than CB_HTTP_MAX_PARAMS parameters; CB_ENOMEM when the arena is full. */
int cb_http_query_parse(struct cb_arena *a, const char *qs, struct cb_http_query *q);
const char *cb_http_query_get(const struct cb_http_query *q, const char *name); /* NULL if absent */
/* The value of cookie `name` in a Cookie header, into out (n bytes).  CB_ENOTFOUND, or CB_EINVAL when it
 * does not fit or holds characters outside base64url. */
int cb_http_cookie(const char *header, const char *name, char *out, size_t n);
/* A request body as a JSON object.  CB_EINVAL when it is not JSON or not an object. */
int cb_http_json_object(const char *body, size_t len, json_t **out);
/* A decimal number in [lo, hi], nothing else.  CB_EINVAL otherwise. */
int cb_http_parse_long(const char *s, long lo, long hi, long *out);
/* Is the Content-Type application/json (parameters such as charset=utf-8 allowed)? */
bool cb_http_is_json(const char *content_type);

/* ---- auditq.c: group commit of audit entries (one writer thread with its own store handle) */
/* ---- scheduler.c: releases every `release.every_hours` hours */
struct cb_scheduler;
int cb_scheduler_start(const char *db, bool quiet, struct cb_scheduler **out, struct cb_err *err);
void cb_scheduler_stop(struct cb_scheduler **sc); /* waits for a run in progress */

struct cb_auditq;
int cb_auditq_start(const char *db, struct cb_auditq **out, struct cb_err *err);
/* Queues e and waits until the transaction holding it is committed; its result. */
int cb_auditq_append(struct cb_auditq *aq, const struct cb_audit_entry *e);
/* Queues a session's last_seen for the writer (cb_session_touch_many) and returns at once: nobody waits. */
void cb_auditq_touch(struct cb_auditq *aq, const uint8_t token_hash[32], int64_t seen);
void cb_auditq_stop(struct cb_auditq **aq); /* writes what is queued, then stops */

/* ---- app.c: the state every request of a server shares */
struct cb_stats;
struct cb_dup_pair;
#define CB_STATS_CACHE 64 /* rendered statistics kept (direct-mapped by query) */
struct cb_stats_cache_entry {
	char *key, *body; /* malloc'd */
	size_t len;
	bool csv;
	uint64_t gen; /* stats_gen when computed */
	int64_t at;   /* unix seconds */
};
struct cb_http_app {
	/* a pool of store handles: SQLite connections are never shared between threads */
	struct cb_store **stores;
	bool *busy;
	int nstores;
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv;
	/* the statistics bank (the newest releases), resident; queries read-lock, a new release write-locks */
	struct cb_stats *stats;
	pthread_rwlock_t stats_mu;
	time_t stats_checked; /* when the store was last asked for a newer release (under cache_mu) */
	struct cb_session_cache *sessions;
	struct cb_auditq *audit;
	struct cb_scheduler *scheduler;
	/* password hashing (Argon2id, 64 MiB each) at most this many at once: a flood of logins must not take
	 * all memory */
	sem_t pw_slots;
	/* rendered statistics, reused until the index changes (stats_gen) or a minute passes */
	pthread_mutex_t cache_mu;
	uint64_t stats_gen;
	struct cb_stats_cache_entry *cache;
	/* every possible duplicate pair, as computed at the store's linkage_gen dups_gen (home.c; under cache_mu) */
	struct cb_dup_pair *dups;
	size_t ndups;
	int64_t dups_gen;
	bool dups_kept;
	bool tls;   /* cookies get Secure */
	bool ready; /* the locks above are initialised */
	struct cb_odk_state *odk; /* the ODK keys and forms (http/openrosa.h), loaded on first use under odk_mu */
	pthread_mutex_t odk_mu;
	/* following changes of cases (changes.c): the pool's hooks, and other processes' through the listener */
	struct cb_http_hook *hooks;
	struct cb_listener *listener;
};
struct cb_store *cb_http_store_get(struct cb_http_app *app);
void cb_http_store_put(struct cb_http_app *app, struct cb_store *s);
/* Opens n store handles on db and everything else above (quiet: the scheduler logs nothing); on failure the
 * caller still calls cb_http_app_close, which frees what was opened. */
int cb_http_app_open(struct cb_http_app *app, const char *db, int n, bool quiet, struct cb_err *err);
void cb_http_app_close(struct cb_http_app *app);

/* ---- changes.c: a changed case, this server's write or another's, re-read into a resident records index.
 * start: hooks on every handle of the pool and the listener (store.h) on db; stop undoes both. */
int cb_http_follow_start(struct cb_http_app *app, const char *db, struct cb_err *err);
void cb_http_follow_stop(struct cb_http_app *app);

/* ---- framing.c: 0 when the request's body length is unambiguous and within CB_HTTP_BODY_MAX; else the
 * status to refuse with (400; 413 for a well-formed Content-Length over the limit) and *why. */
struct MHD_Connection;
int cb_http_framing(struct MHD_Connection *c, const char *version, const char **why);

/* ---- server.c */
struct cb_server_opts {
	const char *db;
	const char *listen; /* "127.0.0.1:8080"; port 0 picks a free one */
	const char *tls_cert, *tls_key;
	int threads;        /* store handles (requests using the database at once); 0: four per processor, at least 8 */
	bool quiet;         /* no request log */
	/* limits against slow and greedy clients (docs/security.md); 0: the default */
	unsigned max_connections; /* connections at once: CB_HTTP_CONNECTIONS */
	unsigned per_address;     /* connections at once from one address: CB_HTTP_PER_ADDRESS */
	unsigned request_timeout; /* seconds to receive a whole request: CB_HTTP_REQUEST_SECONDS */
};
#define CB_HTTP_CONNECTIONS 256u
#define CB_HTTP_PER_ADDRESS 32u
#define CB_HTTP_REQUEST_SECONDS 30u
struct cb_server;
int cb_server_start(const struct cb_server_opts *o, struct cb_server **out, struct cb_err *err);
uint16_t cb_server_port(const struct cb_server *srv);
/* Stops accepting, lets running requests finish (at most a few seconds), closes the store. */
void cb_server_stop(struct cb_server **srv);

#endif
