/*
 * test_failover.c -- `casebank serve` through the loss of its PostgreSQL primary (src/store/db_pg.c
 * reconnecting, src/http answering 503 meanwhile): two local clusters, a primary and a synchronous streaming
 * standby (scripts/pg-cluster.sh start / standby / kill / promote), two servers on the multi-host URI of both
 * (one with target_session_attrs=read-write, so that libpq passes over the standby; one without, so that
 * db_pg.c must itself let go of a connection that reached the standby before its promotion), and a load of
 * case registrations, audited reads and logins through both.  The primary's postmaster is killed (kill -9)
 * mid-load and the standby promoted.  Meanwhile every answer is a 2xx or a 503, each within a bound;
 * afterwards both servers serve again without a restart, and every acknowledged case, read's audit entry and
 * session is on the new primary, whose `casebank check` and `casebank audit verify` pass.
 */
#define PW "the primary goes, the standby takes over"
#include "http_test.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/time.h>

#include <libpq-fe.h>

#include "store/audit.h"

#define WORKERS 4          /* load threads, half on each server */
#define MAX_CASES 4096
#define MAX_SESSIONS 512
#define ANSWER_SECONDS 20  /* the bound on one answer: more is a hang */
#define BEFORE 20          /* cases acknowledged before the kill */
#define AFTER 20           /* ...and after the promotion */

static char primary[256], standby[256], uri[800], uri_any[700];
static pid_t servers[2];
static uint16_t ports[2];

/* what the servers acknowledged, and every answer that was neither a 2xx nor a 503 */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct acked {
	char id[CB_ID_TEXT];
	int reads;
} cases[MAX_CASES];
static int ncases;
static char sessions[MAX_SESSIONS][CB_TOKEN_TEXT + 1];
static int nsessions;
static atomic_int unavailable, wrong, stop_load;
static char wrong_what[200];

struct worker {
	uint16_t port;
	char token[CB_TOKEN_TEXT + 1], csrf[64];
};
static struct worker workers[WORKERS];
static pthread_t threads[WORKERS];
static int nthreads;

static void stop_workers(void)
{
	stop_load = 1;
	for (; nthreads > 0; nthreads--)
		pthread_join(threads[nthreads - 1], NULL);
}

/* ---- the clusters */

static void cluster(char *out, size_t n, const char *args)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "sh scripts/pg-cluster.sh %s", args);
	FILE *p = popen(cmd, "r");
	if (!p || !fgets(out, (int)n, p))
		out[0] = 0;
	int st = p ? pclose(p) : -1;
	out[strcspn(out, "\n")] = 0;
	if (st != 0 || !out[0])
		fail_msg("%s failed (is postgresql-15 installed? make deps)", cmd);
}

static void cluster_do(const char *what, const char *dir)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "sh scripts/pg-cluster.sh %s '%s'", what, dir);
	assert_int_equal(system(cmd), 0);
}

static int teardown(void **state)
{
	(void)state;
	stop_workers(); /* a failed test leaves them running */
	for (int i = 0; i < 2; i++)
		if (servers[i] > 0) {
			kill(servers[i], SIGKILL);
			waitpid(servers[i], NULL, 0);
			servers[i] = 0;
		}
	char *dirs[] = {primary, standby};
	for (int i = 0; i < 2; i++)
		if (dirs[i][0] && !getenv("CBT_KEEP")) {
			char cmd[400];
			snprintf(cmd, sizeof cmd, "sh scripts/pg-cluster.sh stop '%s'", dirs[i]);
			if (system(cmd) != 0)
				fprintf(stderr, "could not stop the cluster in %s\n", dirs[i]);
			dirs[i][0] = 0;
		}
	return 0;
}

/* ---- the load: its own client, which never asserts (it runs in threads) and bounds every wait */

/* One request; the status (-1: no answer, -2: no answer within ANSWER_SECONDS), the body into body. */
static int call(uint16_t p, const char *method, const char *target, const char *token, const char *csrf,
		const char *json, char *body, size_t bodyn, char *cookie, size_t cookien)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(p)};
	struct timeval tv = {.tv_sec = ANSWER_SECONDS};
	char req_text[2048], buf[1 << 16];
	size_t len = 0;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		goto out;
	int n = snprintf(req_text, sizeof req_text,
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s%s%s%s"
			 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
			 method, target, token ? "Cookie: cb_session=" : "", token ? token : "", token ? "\r\n" : "",
			 csrf ? "X-CSRF-Token: " : "", csrf ? csrf : "", csrf ? "\r\n" : "", json ? strlen(json) : 0,
			 json ? json : "");
	if (send(fd, req_text, (size_t)n, MSG_NOSIGNAL) != n)
		goto out;
	ssize_t got;
	/* EINTR: the children this process starts (pg-cluster.sh) end with a SIGCHLD */
	while (len < sizeof buf - 1 &&
	       ((got = recv(fd, buf + len, sizeof buf - 1 - len, 0)) > 0 || (got < 0 && errno == EINTR)))
		len += got > 0 ? (size_t)got : 0;
	if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		status = -2;
		goto out;
	}
	buf[len] = 0;
	char *sep = strstr(buf, "\r\n\r\n");
	if (!sep || sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
		status = -1;
		goto out;
	}
	*sep = 0;
	if (body)
		snprintf(body, bodyn, "%s", sep + 4);
	const char *sc = cookie ? strstr(buf, "Set-Cookie: cb_session=") : NULL;
	if (sc)
		snprintf(cookie, cookien, "%.*s", (int)strcspn(sc + 23, ";\r"), sc + 23);
out:
	close(fd);
	return status;
}

/* Counts an answer that is not an acknowledgement: a 503 is the clean failure, anything else is wrong. */
static void refused(int status, const char *what)
{
	if (status == 503) {
		unavailable++;
		return;
	}
	pthread_mutex_lock(&mu);
	if (!wrong++)
		snprintf(wrong_what, sizeof wrong_what, "%s answered %d%s", what, status,
			 status == -2 ? " (no answer in time)" : status == -1 ? " (the connection closed)" : "");
	pthread_mutex_unlock(&mu);
}

static bool login(struct worker *w)
{
	char body[1024], token[CB_TOKEN_TEXT + 1] = "";
	int st = call(w->port, "POST", "/api/login", NULL, NULL, "{\"user\": \"mona\", \"password\": \"" PW "\"}", body,
		      sizeof body, token, sizeof token);
	json_t *j = st == 200 ? json_loads(body, 0, NULL) : NULL;
	const char *csrf = json_string_value(json_object_get(j, "csrf_token"));
	bool ok = csrf && strlen(token) == CB_TOKEN_TEXT - 1;
	if (ok) {
		snprintf(w->token, sizeof w->token, "%s", token);
		snprintf(w->csrf, sizeof w->csrf, "%s", csrf);
		pthread_mutex_lock(&mu);
		if (nsessions < MAX_SESSIONS)
			snprintf(sessions[nsessions++], sizeof sessions[0], "%s", token);
		pthread_mutex_unlock(&mu);
	} else if (st == 200) {
		refused(st, "a login without a session");
	} else {
		refused(st, "POST /api/login");
	}
	json_decref(j);
	return ok;
}

static void *load(void *arg)
{
	struct worker *w = arg;
	char body[8192], target[128];
	int mine = -1; /* the last case this worker registered */
	for (int i = 0; !stop_load; i++) {
		if (!w->token[0] || i % 16 == 15) {
			if (!login(w) && !w->token[0])
				usleep(20000);
			continue;
		}
		int st = call(w->port, "POST", "/api/cases", w->token, w->csrf,
			      "{\"registered_on\": \"2025-02-03\", \"site\": \"" SITE "\", \"status\": \"Active\", "
			      "\"gender\": \"Feminine\", " REG "}",
			      body, sizeof body, NULL, 0);
		json_t *j = st == 201 ? json_loads(body, 0, NULL) : NULL;
		const char *id = json_string_value(json_object_get(j, "case_id"));
		if (id && strlen(id) == CB_ID_TEXT - 1) {
			pthread_mutex_lock(&mu);
			if (ncases < MAX_CASES) {
				snprintf(cases[ncases].id, sizeof cases[0].id, "%s", id);
				mine = ncases++;
			}
			pthread_mutex_unlock(&mu);
		} else {
			refused(st, "POST /api/cases");
		}
		json_decref(j);
		if (mine < 0)
			continue;
		snprintf(target, sizeof target, "/api/cases/%s", cases[mine].id);
		if ((st = call(w->port, "GET", target, w->token, NULL, NULL, NULL, 0, NULL, 0)) == 200) {
			pthread_mutex_lock(&mu);
			cases[mine].reads++;
			pthread_mutex_unlock(&mu);
		} else {
			refused(st, "GET /api/cases/ID");
		}
		if (unavailable && st != 200)
			usleep(10000); /* no busy loop through the gap */
	}
	return NULL;
}

static int acked(void)
{
	pthread_mutex_lock(&mu);
	int n = ncases;
	pthread_mutex_unlock(&mu);
	return n;
}

/* Waits (at most a minute) until `n` cases are acknowledged, or fails. */
static void wait_cases(int n, const char *when)
{
	for (int i = 0; acked() < n; i++) {
		if (i == 3000)
			fail_msg("%s: %d cases acknowledged in a minute, not %d (%d answers were 503; %s)", when, acked(), n,
				 (int)unavailable, wrong ? wrong_what : "nothing else went wrong");
		usleep(20000);
	}
}

/* ---- after it: what was acknowledged is there */

struct reads {
	int created, read;
};

static int count_entry(const struct cb_audit_entry *e, void *ctx)
{
	struct reads *r = ctx;
	if (strcmp(e->user, "mona"))
		return 0;
	r->created += !strcmp(e->action, "case.create");
	r->read += !strcmp(e->action, "case.read");
	return 0;
}

static void test_failover(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	cluster(primary, sizeof primary, "start");
	char args[300];
	snprintf(args, sizeof args, "standby '%s' sync", primary);
	cluster(standby, sizeof standby, args);

	char conninfo[300];
	snprintf(conninfo, sizeof conninfo, "host=%s user=casebank dbname=postgres", primary);
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, "CREATE DATABASE casebank");
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("CREATE DATABASE: %s", PQerrorMessage(c));
	PQclear(r);
	/* what makes every acknowledged commit the standby's too */
	r = PQexec(c, "SELECT current_setting('synchronous_commit'), sync_state FROM pg_stat_replication");
	assert_int_equal(PQntuples(r), 1);
	assert_string_equal(PQgetvalue(r, 0, 0), "on");
	assert_string_equal(PQgetvalue(r, 0, 1), "sync");
	PQclear(r);
	PQfinish(c);
	/* both hosts; libpq tries them in turn and keeps the one that takes writes */
	snprintf(uri_any, sizeof uri_any, "postgresql:///casebank?host=%s,%s&user=casebank", primary, standby);
	snprintf(uri, sizeof uri, "%s&target_session_attrs=read-write", uri_any);
	setenv("CASEBANK_KEY_FILE", cbt_path("master.key"), 1);
	assert_int_equal(cb_store_create(uri, &err), CB_OK);
	assert_int_equal(cb_store_open(uri, 0, &s, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "mona", CB_ROLE_MANAGER, "", PW, NULL, &err), CB_OK);
	cb_store_free(&s);
	for (int i = 0; i < 2; i++) {
		servers[i] = serve_child(i ? uri_any : uri, cbt_path("serve%d.log", i));
		ports[i] = port;
	}

	/* a name that is no account is counted, not appended (store/audit.c); the second count updates the first */
	port = ports[0];
	for (int i = 0; i < 2; i++) {
		struct resp no = http("POST", "/api/login", NULL, NULL, "application/json",
				      "{\"user\": \"nobody\", \"password\": \"" PW "\"}", NULL);
		assert_int_equal(no.status, 401);
		resp_free(&no);
	}

	for (; nthreads < WORKERS; nthreads++) {
		workers[nthreads].port = ports[nthreads % 2];
		assert_int_equal(pthread_create(&threads[nthreads], NULL, load, &workers[nthreads]), 0);
	}
	wait_cases(BEFORE, "before the kill");
	cluster_do("kill", primary);
	/* the gap: the load goes on against a database that takes no writes */
	for (int i = 0; unavailable < 2 * WORKERS && i < 500; i++)
		usleep(10000);
	int gap = unavailable;
	cluster_do("promote", standby);
	int at_promotion = acked();
	wait_cases(at_promotion + AFTER, "after the promotion");
	stop_workers();
	/* both servers are still the ones started before: neither restarted nor crashed */
	for (int i = 0; i < 2; i++) {
		int st = 0;
		if (waitpid(servers[i], &st, WNOHANG) == servers[i]) {
			servers[i] = 0;
			fail_msg("server %d ended during the failover (%s %d)", i, WIFSIGNALED(st) ? "signal" : "exit status",
				 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		}
	}
	if (wrong)
		fail_msg("%d answers were neither acknowledgements nor 503; the first: %s", (int)wrong, wrong_what);
	assert_true(gap > 0); /* the gap was seen */

	for (int i = 0; i < 2; i++) {
		int st;
		kill(servers[i], SIGTERM);
		assert_int_equal(waitpid(servers[i], &st, 0), servers[i]);
		servers[i] = 0;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fail_msg("server %d ended with status %d", i, st);
	}

	/* every acknowledged write is on the new primary (the old one is gone: libpq finds the standby) */
	assert_int_equal(cb_store_open(uri, 0, &s, &err), CB_OK);
	int reads = 0;
	for (int i = 0; i < ncases; i++) {
		uint8_t id[16];
		struct cb_case k;
		struct reads seen = {0};
		cb_case_init(&k);
		assert_int_equal(cb_case_id_parse(cases[i].id, id), CB_OK);
		if (cb_store_get(s, id, 0, &k, &err) != CB_OK)
			fail_msg("acknowledged case %d of %d is missing: %s", i, ncases, err.msg);
		cb_case_clear(&k);
		assert_int_equal(cb_audit_list(s, id, 1000, count_entry, &seen, &err), CB_OK);
		assert_int_equal(seen.created, 1);
		if (seen.read < cases[i].reads)
			fail_msg("case %d: %d reads acknowledged, %d audited", i, cases[i].reads, seen.read);
		reads += cases[i].reads;
	}
	time_t now = time(NULL);
	for (int i = 0; i < nsessions; i++) {
		struct cb_session sess;
		struct cb_user u;
		if (cb_session_lookup(s, sessions[i], now, &sess, &u, &err) != CB_OK)
			fail_msg("acknowledged session %d of %d is missing", i, nsessions);
	}
	cb_store_free(&s);
	char *out = NULL, *errs = NULL;
	if (cbt_run(&out, &errs, "%s check '%s'", cbt_bin(), uri) != 0)
		fail_msg("check: %s%s", out, errs);
	free(out);
	free(errs);
	if (cbt_run(&out, &errs, "%s audit verify '%s'", cbt_bin(), uri) != 0)
		fail_msg("audit verify: %s%s", out, errs);
	free(out);
	free(errs);
	fprintf(stderr, "failover: %d cases, %d reads and %d sessions acknowledged, all kept; %d answers were 503\n",
		ncases, reads, nsessions, (int)unavailable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_failover, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
