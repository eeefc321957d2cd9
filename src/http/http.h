/*
 * http.h -- `casebank serve`: the HTTP API of docs/api.md on libmicrohttpd.
 *
 * Layers, so that everything but the socket can be tested and fuzzed on its own:
 *   arena.c   one bump allocator per request, wiped and freed when the request ends
 *   parse.c   pure parsers of outside input: query strings, the Cookie header, JSON bodies, numbers
 *   authz.c   the one authorisation decision: (role, action, record site) -> allow, 403 or 404
 *   sessions.c  checked sessions cached for a few seconds; last_seen written apart, in batches
 *   auditq.c  group commit of the audit trail (and of those last_seen updates)
 *   api.c     routing, sessions, CSRF, and the handlers: a request in (struct cb_http_req), status and
 *             body out; api_cases.c the case handlers
 *   server.c  the daemon: connections, bodies, headers, cookies, logging, the store pool, shutdown
 */
#ifndef CB_HTTP_H
#define CB_HTTP_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/access.h"
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

/* ---- authz.c: who may do what (docs/api.md, "Roles and scope") */
enum cb_action {
	CB_ACT_LOGIN,
	CB_ACT_LOGOUT,
	CB_ACT_ME,
	CB_ACT_CODEBOOK,
	CB_ACT_STATIC,      /* the web interface's files */
	CB_ACT_CASE_LIST,
	CB_ACT_CASE_CREATE, /* record site: the site of the new case */
	CB_ACT_CASE_READ,
	CB_ACT_CASE_PII,    /* identifying details of a case the caller may read */
	CB_ACT_CASE_UPDATE, /* record site: the stored case's; a move is checked again as a create */
	CB_ACT_GLASS,
	CB_ACT_STATS,
	CB_ACT_REPORT,
	CB_ACT_AUDIT,
	CB_ACT_USERS,
	CB_ACT_PARTNER_LIST,   /* the partner directory */
	CB_ACT_PARTNER_MANAGE, /* add and change partners */
	CB_ACT_ASSIST_READ,    /* a case's assistance records, referrals and follow-ups; record site: the case's */
	CB_ACT_ASSIST_WRITE,
	CB_ACT_REFER_OVERRIDE, /* refer a case's details out without consent_share_partners */
	CB_ACT_STAGE,          /* move a case through the workflow */
	CB_ACT_OVERDUE,        /* overdue follow-ups of an office; record site: the office asked for */
	CB_ACT_DASHBOARD,      /* the dashboard of an office; record site: the office asked for */
	CB_ACT__COUNT
};
/* The caller: NULL when nobody is logged in. */
struct cb_principal {
	enum cb_role role;
	const char *site; /* caseworkers: their office */
	bool glass;       /* a break-the-glass grant is open for the record in question */
};
/* 0 when allowed; otherwise the status to answer: 401 (login first), 403, or 404 for a record outside the
 * caller's scope (existence is never confirmed).  record_site: the record's office, NULL when the action
 * is about no record. */
int cb_authz_check(const struct cb_principal *who, enum cb_action act, const char *record_site);
bool cb_action_is_record(enum cb_action act);
const char *cb_action_name(enum cb_action act);

/* ---- sessions.c: checked sessions, cached for a few seconds (keyed by a hash of the token) */
#define CB_SESSION_CACHE_SECONDS 5
struct cb_session_cache;
int cb_session_cache_new(struct cb_session_cache **out);
void cb_session_cache_free(struct cb_session_cache **c);
bool cb_session_cache_get(struct cb_session_cache *c, const char *token, int64_t now, struct cb_session *sess,
			  struct cb_user *user);
void cb_session_cache_put(struct cb_session_cache *c, const char *token, int64_t now, const struct cb_session *sess,
			  const struct cb_user *user);
void cb_session_cache_drop(struct cb_session_cache *c, const char *token);
/* Is the stored last_seen of this cached session CB_SESSION_TOUCH_SECONDS behind now?  Then true, once, with
 * the token hash to hand to cb_auditq_touch; the entry counts as touched from now on. */
#define CB_SESSION_TOUCH_SECONDS 60
bool cb_session_cache_touch(struct cb_session_cache *c, const char *token, int64_t now, uint8_t token_hash[32]);
void cb_session_cache_drop_user(struct cb_session_cache *c, int64_t user_id);
/* Failed logins, slowed down by client address (`from`, as in cb_http_req), never by account: seconds this
 * address must still wait before a login of its is checked (0: now), and a failure to count. */
#define CB_LOGIN_FREE_FAILURES 5
#define CB_LOGIN_MAX_DELAY 300 /* seconds */
#define CB_LOGIN_FORGET 900    /* seconds without a failure after which an address starts afresh */
int64_t cb_login_wait(struct cb_session_cache *c, const char *from, int64_t now);
void cb_login_failed(struct cb_session_cache *c, const char *from, int64_t now);

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

/* ---- server state shared by server.c and api.c */
struct cb_stats;
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
	bool tls; /* cookies get Secure */
};
struct cb_store *cb_http_store_get(struct cb_http_app *app);
void cb_http_store_put(struct cb_http_app *app, struct cb_store *s);

/* ---- api.c: one request */
struct cb_http_req {
	struct cb_http_app *app;
	struct cb_arena *arena;
	/* in */
	const char *method, *path;
	struct cb_http_query query;
	const char *body;
	size_t body_len;
	const char *cookie, *csrf, *content_type; /* headers, NULL when absent */
	char from[64];                            /* client address */
	int64_t now;                              /* unix seconds */
	/* state */
	struct cb_store *store; /* borrowed from the pool on first use, returned by the server */
	bool authed;
	struct cb_user user;
	struct cb_session session;
	char token[CB_TOKEN_TEXT];
	/* out */
	int status;
	const char *ctype;
	char *resp; /* malloc'd; the server hands it to the connection and wipes it when sent */
	size_t resp_len;
	const char *set_cookie;  /* arena text, or NULL */
	const char *disposition; /* Content-Disposition, or NULL */
};

struct cb_route {
	const char *method;
	const char *pattern; /* "{}" stands for one path segment (two of them reach the handler as "a/b") */
	enum cb_action action;
	int (*handler)(struct cb_http_req *r, const char *arg);
};
extern const struct cb_route cb_routes[];
extern const size_t cb_nroutes;
/* Finds the route of a request: 0 with *route set (arg: the "{}" segment, copied into arg, or ""), 404 when
 * no path matches, 405 when the path matches with another method. */
int cb_http_route(const char *method, const char *path, const struct cb_route **route, char *arg, size_t n);

/* Answers one request (r->status, r->resp ...).  Never fails: errors become error documents. */
void cb_api_handle(struct cb_http_req *r);
/* Sets an error document {"error": code, "detail": detail} with a status. */
void cb_api_error(struct cb_http_req *r, int status, const char *code, const char *detail);

/* Helpers of the handlers (api.c). */
void cb_api_json(struct cb_http_req *r, int status, json_t *doc); /* takes the reference */
void cb_api_refuse(struct cb_http_req *r, int status);             /* a cb_authz_check refusal */
void cb_api_fail(struct cb_http_req *r, int rc, const struct cb_err *err); /* a library error */
struct cb_store *cb_api_store(struct cb_http_req *r);              /* borrowed from the pool */
json_t *cb_api_body(struct cb_http_req *r); /* the JSON object body, or NULL after answering 415/400 */
void cb_api_principal(const struct cb_http_req *r, struct cb_principal *p);
/* Appends act a to the audit trail (through the group commit when there is one) and returns its result,
 * which every caller must check: a read whose entry failed is not answered, a write whose entry failed is
 * answered with cb_api_audit_failed.  The request's store handle is given back while it waits. */
__attribute__((warn_unused_result)) int cb_api_audit(struct cb_http_req *r, enum cb_audit_action a,
						     const uint8_t *case_id, const char *fields);
/* Answers for an audit entry that could not be written (rc from cb_api_audit): 503 "unavailable" on a full
 * disk, else 500; nothing else is sent. */
void cb_api_audit_failed(struct cb_http_req *r, int rc);
/* Shared by the case handlers and api_assist.c (api_cases.c): the authorisation check answering the refusal
 * itself (returns its status, 0 when allowed); whether the caller may see a case's identifying details; the
 * resident statistics index kept current after a write. */
int cb_api_check(struct cb_http_req *r, enum cb_action act, const char *site);
bool cb_api_may_see_pii(struct cb_http_req *r, const uint8_t id[16], const char *site);
void cb_api_index_case(struct cb_http_req *r, const struct cb_case *c);

/* The case handlers (api_cases.c); arg is the {} segment of the route. */
int cb_api_cases_list(struct cb_http_req *r, const char *arg);
int cb_api_case_create(struct cb_http_req *r, const char *arg);
int cb_api_case_read(struct cb_http_req *r, const char *arg);
int cb_api_case_update(struct cb_http_req *r, const char *arg);
int cb_api_case_glass(struct cb_http_req *r, const char *arg);

/* The handlers of assistance, partners, referrals, the workflow, follow-ups and the dashboard
 * (api_assist.c).  Routes with two "{}" segments get them as "CASE_ID/RECORD_ID". */
int cb_api_partners_list(struct cb_http_req *r, const char *arg);
int cb_api_partner_add(struct cb_http_req *r, const char *arg);
int cb_api_partner_update(struct cb_http_req *r, const char *arg);
int cb_api_assist_list(struct cb_http_req *r, const char *arg);
int cb_api_assist_add(struct cb_http_req *r, const char *arg);
int cb_api_assist_update(struct cb_http_req *r, const char *arg);
int cb_api_referrals_list(struct cb_http_req *r, const char *arg);
int cb_api_referral_add(struct cb_http_req *r, const char *arg);
int cb_api_referral_update(struct cb_http_req *r, const char *arg);
int cb_api_stage(struct cb_http_req *r, const char *arg);
int cb_api_followups_list(struct cb_http_req *r, const char *arg);
int cb_api_followup_add(struct cb_http_req *r, const char *arg);
int cb_api_followup_update(struct cb_http_req *r, const char *arg);
int cb_api_overdue(struct cb_http_req *r, const char *arg);
int cb_api_dashboard(struct cb_http_req *r, const char *arg);
/* The case named by arg (a case id), authorised for act: 0 with id and site set, or -1 when answered
 * (api_assist.c). */
int cb_api_case_of(struct cb_http_req *r, const char *arg, enum cb_action act, uint8_t id[16], char site[17]);
/* api_notes.c, api_sites.c, api_home.c, api_admin.c (issue 14: notes, offices, home page, accounts) */
int cb_api_notes_list(struct cb_http_req *r, const char *arg);
int cb_api_note_add(struct cb_http_req *r, const char *arg);
int cb_api_sites_list(struct cb_http_req *r, const char *arg);
int cb_api_site_add(struct cb_http_req *r, const char *arg);
int cb_api_site_update(struct cb_http_req *r, const char *arg);
/* 0 when site (NULL or "": none) is an enabled office of the list, else -1 after answering 400. */
int cb_api_site_ok(struct cb_http_req *r, const char *site);
int cb_api_home(struct cb_http_req *r, const char *arg);
int cb_api_workflow(struct cb_http_req *r, const char *arg);
int cb_api_user_unlock(struct cb_http_req *r, const char *arg);
int cb_api_user_role(struct cb_http_req *r, const char *arg);

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
