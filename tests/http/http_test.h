/*
 * http_test.h -- the small HTTP/1.1 client of the server tests (tests/http/test_api*.c): one request per
 * connection on plain sockets to 127.0.0.1:port, the response's status, headers, body and JSON, and a login
 * per user; and the server they run against, with one user per role.  Header-only, like tests/cb_test.h;
 * the including file defines PW (the users' password) first.
 */
#ifndef CB_HTTP_TEST_H
#define CB_HTTP_TEST_H

#include "cb_test.h"

#include <stdbool.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>

#include "crypto/crypto.h"
#include "http/http.h"
#include "access/access.h"

static uint16_t port;
/* The address requests come from: NULL for the system's choice (127.0.0.1); another of 127.0.0.0/8 to be a
 * second client, e.g. for the per-address login throttle. */
static const char *client_ip;

struct resp {
	int status;
	char *head; /* status line and headers */
	char *body;
	json_t *json;
};

static inline void resp_free(struct resp *r)
{
	free(r->head);
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

/* One request on its own connection.  extra: more header lines ("Name: value\r\n..."), or NULL. */
static inline struct resp http(const char *method, const char *path, const char *cookie, const char *csrf, const char *ctype,
			const char *body, const char *extra)
{
	struct resp r = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (client_ip) {
		struct sockaddr_in me = {.sin_family = AF_INET};
		assert_int_equal(inet_pton(AF_INET, client_ip, &me.sin_addr), 1);
		assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof me), 0);
	}
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	size_t blen = body ? strlen(body) : 0;
	char *req = NULL;
	size_t rlen = 0;
	FILE *f = open_memstream(&req, &rlen);
	fprintf(f, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
	if (cookie)
		fprintf(f, "Cookie: %s\r\n", cookie);
	if (csrf)
		fprintf(f, "X-CSRF-Token: %s\r\n", csrf);
	if (ctype)
		fprintf(f, "Content-Type: %s\r\n", ctype);
	if (body || strcmp(method, "GET"))
		fprintf(f, "Content-Length: %zu\r\n", blen);
	if (extra)
		fputs(extra, f);
	fputs("\r\n", f);
	if (body)
		fwrite(body, 1, blen, f);
	fclose(f);
	for (size_t o = 0; o < rlen;) {
		ssize_t n = send(fd, req + o, rlen - o, MSG_NOSIGNAL);
		if (n <= 0)
			break; /* the server may answer (413) and close before reading everything */
		o += (size_t)n;
	}
	free(req);
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while ((n = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	close(fd);
	char *sep = strstr(buf, "\r\n\r\n");
	assert_non_null(sep);
	*sep = 0;
	r.head = strdup(buf);
	r.body = strdup(sep + 4);
	free(buf);
	assert_int_equal(sscanf(r.head, "HTTP/1.%*d %d", &r.status), 1);
	r.json = json_loads(r.body, 0, NULL);
	return r;
}

/* A header's value (case-insensitive name), copied into out; false if absent. */
static inline bool header(const struct resp *r, const char *name, char *out, size_t n)
{
	size_t nl = strlen(name);
	for (const char *p = strstr(r->head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
		if (!strncasecmp(p + 2, name, nl) && p[2 + nl] == ':') {
			const char *v = p + 3 + nl;
			while (*v == ' ')
				v++;
			size_t vl = strcspn(v, "\r");
			snprintf(out, n, "%.*s", (int)vl, v);
			return true;
		}
	}
	return false;
}

static inline const char *error_code(const struct resp *r) { return json_string_value(json_object_get(r->json, "error")); }

struct login {
	char cookie[128];
	char csrf[64];
};

static inline struct login login_as(const char *user)
{
	struct login l = {0};
	char body[256], sc[256];
	snprintf(body, sizeof body, "{\"user\": \"%s\", \"password\": \"%s\"}", user, PW);
	struct resp r = http("POST", "/api/login", NULL, NULL, "application/json", body, NULL);
	assert_int_equal(r.status, 200);
	assert_true(header(&r, "Set-Cookie", sc, sizeof sc));
	assert_non_null(strstr(sc, "HttpOnly"));
	assert_non_null(strstr(sc, "SameSite=Strict"));
	assert_non_null(strstr(sc, "Path=/"));
	snprintf(l.cookie, sizeof l.cookie, "%.*s", (int)strcspn(sc, ";"), sc);
	snprintf(l.csrf, sizeof l.csrf, "%s", json_string_value(json_object_get(r.json, "csrf_token")));
	assert_true(strlen(l.csrf) > 20);
	resp_free(&r);
	return l;
}

/* ---- the server both API test files run against */

#define SITE "US-CHICAGO"
#define OTHER "US-HOUSTON"

static struct cb_server *srv;
static char dbpath[512];

/* Creates the database `file` (fill, when given, adds cases), the five users every test logs in as (root
 * admin, mona manager, cara caseworker at SITE, otto caseworker at OTHER, anna analyst; password PW), and
 * starts a server on an ephemeral port of 127.0.0.1, with the connection limits of `limits` (NULL, or zero
 * fields: the defaults).  0, or -1 with the reason on stderr. */
static inline int server_up_with(const char *file, int (*fill)(struct cb_store *s, struct cb_err *err),
				 const struct cb_server_opts *limits)
{
	static const struct {
		const char *name;
		enum cb_role role;
		const char *site;
	} users[] = {{"root", CB_ROLE_ADMIN, ""},       {"mona", CB_ROLE_MANAGER, ""}, {"cara", CB_ROLE_CASEWORKER, SITE},
		     {"otto", CB_ROLE_CASEWORKER, OTHER}, {"anna", CB_ROLE_ANALYST, ""}};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc = -1;
	if (cb_crypto_init() != CB_OK)
		return -1;
	snprintf(dbpath, sizeof dbpath, "%s", cbt_path("%s", file));
	if (cb_store_create(dbpath, &err) || cb_store_open(dbpath, 0, &s, &err) || (fill && fill(s, &err)))
		goto out;
	for (size_t i = 0; i < CB_COUNTOF(users); i++)
		if (cb_user_add(s, users[i].name, users[i].role, users[i].site, PW, NULL, &err))
			goto out;
	cb_store_free(&s);
	struct cb_server_opts o = {.db = dbpath, .listen = "127.0.0.1:0", .threads = 2, .quiet = true};
	if (limits) {
		o.max_connections = limits->max_connections;
		o.per_address = limits->per_address;
		o.request_timeout = limits->request_timeout;
	}
	if (cb_server_start(&o, &srv, &err) != CB_OK)
		goto out;
	port = cb_server_port(srv);
	rc = port ? 0 : -1;
out:
	if (rc)
		fprintf(stderr, "server: %s\n", err.msg);
	cb_store_free(&s);
	return rc;
}

/* server_up_with with the default limits */
static inline int server_up(const char *file, int (*fill)(struct cb_store *s, struct cb_err *err))
{
	return server_up_with(file, fill, NULL);
}

static inline int server_down(void **state)
{
	(void)state;
	cb_server_stop(&srv);
	return 0;
}

#endif
