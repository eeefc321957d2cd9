/*
 * server.c -- the daemon of `casebank serve` on libmicrohttpd: a few event-driven I/O threads (epoll) that
 * read requests and write answers, a pool of handler threads that run them (app.c holds the store handles), one
 * arena per request, bodies up to 1 MiB, security headers on every response, a one-line log per request on
 * stderr, and a graceful stop.
 *
 * A request's life: the URI log callback (raw URI, before headers) creates its state and keeps the raw
 * query string, which parse.c decodes (MHD's own decoding is not used, so the fuzzed parser is the one that
 * runs); the access handler first checks the request's framing (framing.c: anything ambiguous is refused with
 * 400 and the connection closed, before any handler runs), collects the body (refusing early with 413 when
 * Content-Length is too big) and, on its last call, suspends the connection and hands a struct cb_http_req to
 * a handler thread, which runs the router (router.c) and resumes the connection; the access handler is then called once more
 * and queues the answer.  The completion callback logs nothing and wipes the arena.  The log line never
 * carries a query string (filters can name values) nor a body.
 *
 * Why handler threads: a handler can wait long (an Argon2id login, a report, a store handle, the audit
 * trail's group commit), and an I/O thread that waited with it would stall every connection it serves.  The
 * handler threads are many (they mostly wait), so that the requests waiting for an audit commit all join it.
 *
 * Slow clients (docs/security.md, "Limits of the server"): connections are capped in total and per address;
 * the last eighth of the slots (the reserve) goes only to addresses holding fewer than two connections; a
 * connection must deliver each whole request (headers and body) within the request timeout counted from its
 * accept or from the end of its previous answer, however it trickles, or a sweeper thread shuts its socket;
 * and a connection idle for 30 seconds is closed by libmicrohttpd.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "http/api.h"

#define ARENA_LIMIT (8u * 1024u * 1024u) /* per request: the body, parsed parameters and texts */
#define IDLE_SECONDS 30u                 /* libmicrohttpd closes a connection silent this long */
#define RESERVE_HOLD 2                   /* in the reserve, an address may hold fewer connections than this */
#define HANDLERS_MAX 64                  /* handler threads */
#define SWEEP_MS 250                     /* how often the sweeper looks for overdue requests */

/* Per connection (MHD's socket context): the sweeper's view of it. */
struct conn {
	struct conn *prev, *next;
	MHD_socket fd;
	struct sockaddr_storage addr;
	struct timespec since; /* accepted, or the previous answer sent: the request's clock */
	bool receiving;        /* a request is being received (not yet handed to a handler) */
	bool cut;              /* the sweeper shut it */
};

struct cb_server {
	struct MHD_Daemon *d;
	struct cb_http_app app;
	uint16_t port;
	bool quiet;
	char *cert, *key;
	/* limits */
	unsigned max_conns, per_address, reserve, request_ms;
	/* connections, for the reserve and the sweeper */
	pthread_mutex_t conn_mu;
	struct conn *conns;
	unsigned nconns;
	bool conn_init;
	pthread_t sweeper;
	pthread_cond_t sweep_cv;
	bool sweep_started, sweep_stop;
	/* requests waiting for a handler thread */
	pthread_mutex_t job_mu;
	pthread_cond_t job_cv;
	struct req_state *jobs, *jobs_tail;
	pthread_t handlers[HANDLERS_MAX];
	int nhandlers;
	bool jobs_stop;
};

/* Per request. */
struct req_state {
	struct cb_arena *arena;
	struct timespec t0;
	const char *query; /* raw, after '?' */
	char *body;
	size_t len, cap;
	bool started, too_large;
	/* handed to a handler thread: the request, its connection, and whether the answer is ready */
	struct cb_http_req r;
	struct MHD_Connection *c;
	struct req_state *next;
	bool handled;
};

/* ---- connections: limits and the request clock */

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
			       &((const struct sockaddr_in *)(const void *)b)->sin_addr, sizeof(struct in_addr));
	if (b->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr, sizeof(struct in6_addr));
	return false;
}

/* The reserve: once fewer than srv->reserve slots are free, an address holding RESERVE_HOLD connections or
 * more gets no more.  (The total and the per-address caps are libmicrohttpd's own.) */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct cb_server *srv = cls;
	if (!sa || len < sizeof(struct sockaddr_in))
		return MHD_YES;
	pthread_mutex_lock(&srv->conn_mu);
	unsigned held = 0;
	bool tight = srv->nconns + srv->reserve >= srv->max_conns;
	for (const struct conn *k = srv->conns; tight && k; k = k->next)
		held += same_address(&k->addr, sa);
	pthread_mutex_unlock(&srv->conn_mu);
	return tight && held >= RESERVE_HOLD ? MHD_NO : MHD_YES;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_ConnectionNotificationCode toe)
{
	struct cb_server *srv = cls;
	struct conn *k = *ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if (!(k = calloc(1, sizeof *k)))
			return; /* untracked: only the idle timeout applies to it */
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		k->fd = fd ? fd->connect_fd : MHD_INVALID_SOCKET;
		if (ad && ad->client_addr)
			memcpy(&k->addr, ad->client_addr,
			       ad->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
								      : sizeof(struct sockaddr_in));
		clock_gettime(CLOCK_MONOTONIC, &k->since);
		k->receiving = true;
		pthread_mutex_lock(&srv->conn_mu);
		k->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = k;
		srv->conns = k;
		srv->nconns++;
		pthread_mutex_unlock(&srv->conn_mu);
		*ctx = k;
		return;
	}
	if (!k)
		return;
	/* libmicrohttpd closes the socket after this returns: the sweeper, under conn_mu, never sees it closed */
	pthread_mutex_lock(&srv->conn_mu);
	if (k->prev)
		k->prev->next = k->next;
	else
		srv->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	srv->nconns--;
	pthread_mutex_unlock(&srv->conn_mu);
	free(k);
	*ctx = NULL;
}

/* Starts (true) or stops the clock of the request a connection is receiving. */
static void conn_receiving(struct cb_server *srv, struct MHD_Connection *c, bool on)
{
	struct conn *k = conn_of(c);
	if (!k)
		return;
	pthread_mutex_lock(&srv->conn_mu);
	k->receiving = on;
	if (on)
		clock_gettime(CLOCK_MONOTONIC, &k->since);
	pthread_mutex_unlock(&srv->conn_mu);
}

/* Every SWEEP_MS: a connection whose request is not in after request_ms is shut (both ways), however it
 * trickles; libmicrohttpd then sees the socket end and closes the connection in its own thread. */
static void *sweeper_main(void *arg)
{
	struct cb_server *srv = arg;
	pthread_mutex_lock(&srv->conn_mu);
	while (!srv->sweep_stop) {
		struct timespec now, until;
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (struct conn *k = srv->conns; k; k = k->next) {
			int64_t ms = (int64_t)(now.tv_sec - k->since.tv_sec) * 1000 +
				     (now.tv_nsec - k->since.tv_nsec) / 1000000;
			if (k->receiving && !k->cut && ms >= (int64_t)srv->request_ms && k->fd != MHD_INVALID_SOCKET) {
				shutdown(k->fd, SHUT_RDWR);
				k->cut = true;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += SWEEP_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&srv->sweep_cv, &srv->conn_mu, &until);
	}
	pthread_mutex_unlock(&srv->conn_mu);
	return NULL;
}

/* ---- callbacks */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct req_state *q = calloc(1, sizeof *q);
	if (!q || cb_arena_new(ARENA_LIMIT, &q->arena) != CB_OK) {
		free(q);
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &q->t0);
	const char *qm = strchr(uri, '?');
	if (qm)
		q->query = cb_arena_strndup(q->arena, qm + 1, strlen(qm + 1));
	return q;
}

static void on_done(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct cb_server *srv = cls;
	(void)toe;
	conn_receiving(srv, c, true); /* the next request's clock starts now */
	struct req_state *q = *req_cls;
	if (!q)
		return;
	cb_arena_free(&q->arena);
	free(q);
	*req_cls = NULL;
}

/* Response bodies can hold identifying details: wiped before they go back to malloc. */
static void free_wipe(void *p)
{
	if (p) {
		sodium_memzero(p, malloc_usable_size(p));
		free(p);
	}
}

/* The path for the log: printable ASCII only, at most 120 characters. */
static void log_request(const struct cb_server *srv, const struct req_state *q, const char *method,
			const char *url, int status)
{
	if (srv->quiet)
		return;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - q->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - q->t0.tv_nsec) / 1e6;
	char path[128];
	size_t o = 0;
	for (const char *p = url; *p && o < sizeof path - 1; p++)
		path[o++] = (*p > 32 && *p < 127) ? *p : '?';
	path[o] = 0;
	char m[12];
	snprintf(m, sizeof m, "%.10s", method);
	for (char *p = m; *p; p++)
		if (*p <= 32 || *p >= 127)
			*p = '?';
	fprintf(stderr, "%s %s %d %.1fms\n", m, path, status, ms);
}

/* Queues r's answer with the security headers (every answer of ours: errors too).  close: the connection
 * ends after it (a refused framing: what follows on it cannot be trusted). */
static enum MHD_Result respond(struct cb_server *srv, struct MHD_Connection *c, struct req_state *q,
			       const char *method, const char *url, struct cb_http_req *r, bool close)
{
	struct MHD_Response *resp;
	if (r->resp)
		resp = MHD_create_response_from_buffer_with_free_callback(r->resp_len, r->resp, free_wipe);
	else
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free_wipe(r->resp);
		r->resp = NULL;
		return MHD_NO;
	}
	r->resp = NULL;
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'self'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (srv->app.tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (!strncmp(url, "/api/", 5) || !strcmp(url, "/api"))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (r->ctype)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	if (r->set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (r->disposition)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->status == 405)
		MHD_add_response_header(resp, "Allow", "GET, POST, PATCH");
	for (int i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr[i][0], r->hdr[i][1]);
	if (close)
		MHD_add_response_header(resp, "Connection", "close");
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	log_request(srv, q, method, url, r->status);
	return ok;
}

static void client_address(struct MHD_Connection *c, char out[64])
{
	snprintf(out, 64, "unknown");
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

/* ---- handler threads */

/* Runs a request whose body is in (any thread): the router, then back with the store handle, secrets wiped. */
static void handle(struct cb_server *srv, struct req_state *q)
{
	struct cb_http_req *r = &q->r;
	if (cb_http_query_parse(q->arena, q->query, &r->query) != CB_OK)
		cb_api_error(r, 400, "invalid", "the query string is malformed");
	else
		cb_api_handle(r);
	if (r->store) {
		cb_http_store_put(&srv->app, r->store);
		r->store = NULL;
	}
	sodium_memzero(&r->session, sizeof r->session);
	sodium_memzero(r->token, sizeof r->token);
}

static void *handler_main(void *arg)
{
	struct cb_server *srv = arg;
	pthread_mutex_lock(&srv->job_mu);
	for (;;) {
		while (!srv->jobs && !srv->jobs_stop)
			pthread_cond_wait(&srv->job_cv, &srv->job_mu);
		struct req_state *q = srv->jobs;
		if (!q)
			break; /* stopping, and nothing is left */
		if (!(srv->jobs = q->next))
			srv->jobs_tail = NULL;
		pthread_mutex_unlock(&srv->job_mu);
		handle(srv, q);
		struct MHD_Connection *c = q->c;
		q->handled = true; /* from here on q is the I/O thread's again */
		MHD_resume_connection(c);
		pthread_mutex_lock(&srv->job_mu);
	}
	pthread_mutex_unlock(&srv->job_mu);
	return NULL;
}

/* Hands q to a handler thread, the connection suspended meanwhile; false when the handlers are stopping
 * (the caller runs it itself). */
static bool dispatch(struct cb_server *srv, struct MHD_Connection *c, struct req_state *q)
{
	pthread_mutex_lock(&srv->job_mu);
	bool ok = !srv->jobs_stop && srv->nhandlers > 0;
	if (ok) {
		q->c = c;
		MHD_suspend_connection(c);
		if (srv->jobs_tail)
			srv->jobs_tail->next = q;
		else
			srv->jobs = q;
		srv->jobs_tail = q;
		pthread_cond_signal(&srv->job_cv);
	}
	pthread_mutex_unlock(&srv->job_mu);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
	struct cb_server *srv = cls;
	struct req_state *q = *req_cls;
	if (!q)
		return MHD_NO; /* out of memory in on_uri */
	struct cb_http_req *r = &q->r;
	if (q->handled)
		return respond(srv, c, q, method, url, r, false);
	if (!q->started) {
		*r = (struct cb_http_req){.app = &srv->app, .arena = q->arena, .method = method, .path = url};
		q->started = true;
		const char *why;
		int st = cb_http_framing(c, version, &why);
		if (st) {
			conn_receiving(srv, c, false);
			cb_api_error(r, st, st == 413 ? "too_large" : "bad_request", why);
			return respond(srv, c, q, method, url, r, true);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!q->too_large) {
			if (*upload_size > CB_HTTP_BODY_MAX - q->len) {
				q->too_large = true;
			} else {
				if (q->len + *upload_size + 1 > q->cap) {
					size_t cap = q->cap ? q->cap : 4096;
					while (cap < q->len + *upload_size + 1)
						cap *= 2;
					char *b = cb_arena_grow(q->arena, q->body, q->cap, cap);
					if (!b)
						return MHD_NO;
					q->body = b;
					q->cap = cap;
				}
				memcpy(q->body + q->len, upload, *upload_size);
				q->len += *upload_size;
				q->body[q->len] = 0;
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	/* the whole request is in: its clock stops */
	conn_receiving(srv, c, false);
	if (q->too_large) {
		cb_api_error(r, 413, "too_large", "the body is larger than 1 MiB");
		return respond(srv, c, q, method, url, r, true);
	}
	r->body = q->body;
	r->body_len = q->len;
	r->cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
	r->csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	r->content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	r->authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	r->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	r->accept_lang = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	r->now = (int64_t)time(NULL);
	client_address(c, r->from);
	if (dispatch(srv, c, q))
		return MHD_YES; /* called again once a handler has answered */
	handle(srv, q);
	return respond(srv, c, q, method, url, r, false);
}

/* ---- start and stop */

static int parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len, struct cb_err *err)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	long port;
	if (!colon || (size_t)(colon - text) >= sizeof host || cb_http_parse_long(colon + 1, 0, 65535, &port))
		return cb_err_set(err, CB_EINVAL, "--listen: expected ADDRESS:PORT such as 127.0.0.1:8080");
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = 0;
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	size_t hl = strlen(host);
	if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			return cb_err_set(err, CB_EINVAL, "--listen: not an IPv6 address");
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof *in6;
		return CB_OK;
	}
	if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		return cb_err_set(err, CB_EINVAL, "--listen: not an IPv4 address (IPv6 in brackets: [::1]:8080)");
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	*len = sizeof *in4;
	return CB_OK;
}

int cb_server_start(const struct cb_server_opts *o, struct cb_server **out, struct cb_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int rc = parse_listen(o->listen ? o->listen : "127.0.0.1:8080", &ss, &sslen, err);
	if (rc != CB_OK)
		return rc;
	if (!o->tls_cert != !o->tls_key)
		return cb_err_set(err, CB_EINVAL, "--tls-cert and --tls-key go together");
	struct cb_server *srv = calloc(1, sizeof *srv);
	if (!srv)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	srv->quiet = o->quiet;
	srv->max_conns = o->max_connections ? o->max_connections : CB_HTTP_CONNECTIONS;
	srv->per_address = o->per_address ? o->per_address : CB_HTTP_PER_ADDRESS;
	if (srv->per_address > srv->max_conns)
		srv->per_address = srv->max_conns;
	srv->reserve = srv->max_conns / 8;
	srv->request_ms = 1000u * (o->request_timeout ? o->request_timeout : CB_HTTP_REQUEST_SECONDS);
	pthread_mutex_init(&srv->conn_mu, NULL);
	pthread_condattr_t ca; /* the sweeper's waits are measured on the monotonic clock */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&srv->sweep_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&srv->job_mu, NULL);
	pthread_cond_init(&srv->job_cv, NULL);
	srv->conn_init = true;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	/* store handles: more than processors, since a request waiting on SQLite holds no processor */
	int threads = o->threads > 0 ? o->threads : (ncpu > 0 ? 4 * (int)ncpu : 8);
	if (threads < 8 && o->threads <= 0)
		threads = 8;
	if (threads > 64)
		threads = 64;
	/* I/O threads: one per processor (at least two), each with its own epoll set; they never wait for a
	 * handler (the connection is suspended meanwhile), so few are enough. */
	unsigned io = ncpu > 2 ? (unsigned)ncpu : 2u;
	if (io > 16)
		io = 16;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	if (o->tls_cert) {
		size_t n;
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			rc = cb_err_set(err, CB_EINVAL, "this libmicrohttpd has no TLS support");
			goto out;
		}
		if ((rc = cb_file_read(o->tls_cert, 1 << 20, &srv->cert, &n, err)) != CB_OK ||
		    (rc = cb_file_read(o->tls_key, 1 << 20, &srv->key, &n, err)) != CB_OK)
			goto out;
		flags |= MHD_USE_TLS;
		srv->app.tls = true;
	}
	if ((rc = cb_http_app_open(&srv->app, o->db, threads, srv->quiet, err)) != CB_OK)
		goto out;
	/* Handler threads: most of their time is spent waiting (for the audit trail's commit above all, which
	 * all waiting requests share), so more of them than processors or store handles; a request beyond
	 * them waits in the queue, its connection suspended. */
	int nh = (int)srv->max_conns < HANDLERS_MAX ? (int)srv->max_conns : HANDLERS_MAX;
	for (int i = 0; i < nh; i++) {
		if (pthread_create(&srv->handlers[i], NULL, handler_main, srv)) {
			rc = cb_err_set(err, CB_ENOMEM, "cannot start the server's threads");
			goto out;
		}
		srv->nhandlers++;
	}
	if (pthread_create(&srv->sweeper, NULL, sweeper_main, srv)) {
		rc = cb_err_set(err, CB_ENOMEM, "cannot start the server's threads");
		goto out;
	}
	srv->sweep_started = true;
	struct MHD_OptionItem tls_opts[] = {
		{srv->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->cert},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key},
		{MHD_OPTION_END, 0, NULL},
	};
	srv->d = MHD_start_daemon(flags, 0, on_accept, srv, on_request, srv,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_THREAD_POOL_SIZE, io,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				  MHD_OPTION_CONNECTION_TIMEOUT, IDLE_SECONDS,
				  MHD_OPTION_CONNECTION_LIMIT, srv->max_conns,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->per_address,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
				  MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
				  MHD_OPTION_NOTIFY_COMPLETED, on_done, srv,
				  MHD_OPTION_ARRAY, tls_opts,
				  MHD_OPTION_END);
	if (!srv->d) {
		rc = cb_err_set(err, CB_EIO, "cannot listen on %s (in use, or a bad TLS certificate or key)",
				o->listen ? o->listen : "127.0.0.1:8080");
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	*out = srv;
	return CB_OK;
out:
	cb_server_stop(&srv);
	return rc;
}

uint16_t cb_server_port(const struct cb_server *srv) { return srv->port; }

void cb_server_stop(struct cb_server **sp)
{
	struct cb_server *srv = *sp;
	if (!srv)
		return;
	MHD_socket ls = MHD_INVALID_SOCKET;
	if (srv->d) {
		ls = MHD_quiesce_daemon(srv->d); /* stop accepting; the socket is ours to close after the stop */
		/* let running requests finish: at most 3 s, since idle keep-alive connections count too */
		for (int i = 0; i < 150; i++) {
			const union MHD_DaemonInfo *di =
				MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
			if (!di || di->num_connections == 0)
				break;
			usleep(20000);
		}
	}
	/* The handler threads finish what is queued and resume those connections: libmicrohttpd must not be
	 * stopped with a connection suspended.  Requests completing after this run on the I/O threads. */
	if (srv->conn_init) {
		pthread_mutex_lock(&srv->job_mu);
		srv->jobs_stop = true;
		pthread_cond_broadcast(&srv->job_cv);
		pthread_mutex_unlock(&srv->job_mu);
	}
	for (int i = 0; i < srv->nhandlers; i++)
		pthread_join(srv->handlers[i], NULL);
	srv->nhandlers = 0;
	if (srv->d)
		MHD_stop_daemon(srv->d); /* only then: its I/O threads may still have the listening socket in epoll */
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	if (srv->sweep_started) {
		pthread_mutex_lock(&srv->conn_mu);
		srv->sweep_stop = true;
		pthread_cond_signal(&srv->sweep_cv);
		pthread_mutex_unlock(&srv->conn_mu);
		pthread_join(srv->sweeper, NULL);
	}
	if (srv->conn_init) {
		pthread_mutex_destroy(&srv->conn_mu);
		pthread_cond_destroy(&srv->sweep_cv);
		pthread_mutex_destroy(&srv->job_mu);
		pthread_cond_destroy(&srv->job_cv);
	}
	cb_http_app_close(&srv->app);
	cb_text_free(&srv->key);
	free(srv->cert);
	free(srv);
	*sp = NULL;
}
