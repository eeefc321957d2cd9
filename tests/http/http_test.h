/*
 * http_test.h -- the small HTTP/1.1 client of the server tests (tests/http/test_api*.c): one request per
 * connection on plain sockets to 127.0.0.1:port, the response's status, headers, body and JSON, and a login
 * per user; and the server they run against, with one user per role.  Header-only, like tests/cb_test.h;
 * the including file defines PW (the users' password) first.  And the helpers the resource tests
 * (tests/http/test_<resource>.c) share: the five users logged in, requests as one of them, a new case or
 * partner, the audit rows of a case, `casebank serve` as a child process.
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
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/http.h"
#include "io/io.h"
#include "stats/stats.h"
#include "access/access.h"
#include "care/assist.h"

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
/* what registering a case needs besides the office and date (the codebook's CB_F_REGISTER) */
#define REG "\"citizenship\": \"MD\", \"exploitation_type\": [\"SexualExploitation\"], \"consent_statistics\": true"
#define OTHER "US-HOUSTON"

static struct cb_server *srv;
static char dbpath[512];

/* Creates the database `file` (cbt_db: a file, or a PostgreSQL database; fill, when given, adds cases), the
 * five users every test logs in as (root admin, mona manager, cara caseworker at SITE, otto caseworker at
 * OTHER, anna analyst; password PW), and starts a server on an ephemeral port of 127.0.0.1, with the connection limits of `limits` (NULL, or zero
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
	snprintf(dbpath, sizeof dbpath, "%s", cbt_db("%s", file));
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

/* ---- helpers of the resource tests */

/* 400 demo cases, some at SITE and OTHER, and a statistical release of each of their years */
static inline int demo_cases(struct cb_store *s, struct cb_err *err)
{
	struct cb_release_opts o = {0};
	int rc = cb_demo_generate(s, 400, 7, false, err);
	FILE *out = fopen("/dev/null", "w");
	if (rc == CB_OK)
		rc = out ? cb_release_run(s, &o, out, err) : cb_err_set(err, CB_EIO, "/dev/null");
	if (out)
		fclose(out);
	return rc;
}

/* The five users, logged in (after server_up). */
__attribute__((unused)) static struct login root, mona, cara, otto, anna;
static inline int logins(void)
{
	root = login_as("root");
	mona = login_as("mona");
	cara = login_as("cara");
	otto = login_as("otto");
	anna = login_as("anna");
	return 0;
}

/* Shorthands: a request as someone, with the body as JSON (and the CSRF token when it changes state). */
static inline struct resp req(const struct login *l, const char *method, const char *path, const char *body)
{
	bool change = strcmp(method, "GET") != 0;
	return http(method, path, l->cookie, change ? l->csrf : NULL, body ? "application/json" : NULL, body, NULL);
}

/* The status of a request, the response freed. */
static inline int status_of(const struct login *l, const char *method, const char *path, const char *body)
{
	struct resp r = req(l, method, path, body);
	int st = r.status;
	resp_free(&r);
	return st;
}

static inline const char *detail(const struct resp *r) { return json_string_value(json_object_get(r->json, "detail")); }

/* A new case at the caller's office with extra fields ("" for none); its id into id. */
static inline void new_case(const struct login *l, const char *fields, char id[CB_ID_TEXT])
{
	char body[1024];
	/* with what registering needs (CB_F_REGISTER), unless the fields give it */
	snprintf(body, sizeof body, "{\"registered_on\": \"2025-02-03\"%s%s%s%s%s%s}", *fields ? ", " : "", fields,
		 strstr(fields, "\"gender\"") ? "" : ", \"gender\": \"Feminine\"",
		 strstr(fields, "\"citizenship\"") ? "" : ", \"citizenship\": \"MD\"",
		 strstr(fields, "\"exploitation_type\"") ? "" : ", \"exploitation_type\": [\"SexualExploitation\"]",
		 strstr(fields, "\"consent_statistics\"") ? "" : ", \"consent_statistics\": true");
	struct resp r = req(l, "POST", "/api/cases", body);
	if (r.status != 201)
		fprintf(stderr, "%s\n", r.body);
	assert_int_equal(r.status, 201);
	snprintf(id, CB_ID_TEXT, "%s", json_string_value(json_object_get(r.json, "case_id")));
	resp_free(&r);
}

/* A new partner (as mona); its id. */
static inline long new_partner(const char *body)
{
	struct resp r = req(&mona, "POST", "/api/partners", body);
	if (r.status != 201)
		fprintf(stderr, "%s\n", r.body);
	assert_int_equal(r.status, 201);
	long id = (long)json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	resp_free(&r);
	return id;
}

/* "/api/cases/ID/WHAT", and "/RECORD" when rec is not 0. */
static inline const char *path(char buf[256], const char *id, const char *what, long rec)
{
	if (rec)
		snprintf(buf, 256, "/api/cases/%s/%s/%ld", id, what, rec);
	else
		snprintf(buf, 256, "/api/cases/%s/%s", id, what);
	return buf;
}

struct audit_find {
	const char *action, *user, *detail;
	bool found;
};

static inline int audit_entry(const struct cb_audit_entry *e, void *ctx)
{
	struct audit_find *f = ctx;
	if (!strcmp(e->action, f->action) && !strcmp(e->user, f->user) && (!f->detail || strstr(e->detail, f->detail)))
		f->found = true;
	return 0;
}

/* Is there an audit row for the case with this action, user and (if given) text in its detail? */
static inline bool audit_has(const char *case_id, const char *action, const char *user, const char *in_detail)
{
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	uint8_t id[16];
	struct audit_find f = {action, user, in_detail, false};
	assert_int_equal(cb_case_id_parse(case_id, id), CB_OK);
	assert_int_equal(cb_store_open(dbpath, CB_OPEN_READONLY, &s, &err), CB_OK);
	assert_int_equal(cb_audit_list(s, id, 1000, audit_entry, &f, &err), CB_OK);
	cb_store_free(&s);
	return f.found;
}

/* Starts `casebank serve DB` on an ephemeral port as a child (stderr to log) and points the client at it: the
 * port it chose, from its first line.  The caller restores `port` and stops the child. */
static inline pid_t serve_child(const char *db, const char *log)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "exec %s serve '%s' --listen 127.0.0.1:0 2>'%s'", cbt_bin(), db, log);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	unsigned p = 0;
	for (int i = 0; i < 600 && !p; i++) {
		char *text = cbt_read(log, NULL);
		const char *at = text ? strstr(text, "http://127.0.0.1:") : NULL;
		if (at)
			sscanf(at, "http://127.0.0.1:%u", &p);
		free(text);
		if (!p)
			usleep(50000);
	}
	assert_true(p > 0);
	port = (uint16_t)p;
	return pid;
}

#endif
