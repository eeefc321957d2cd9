/*
 * odk_bench.c -- the harness of bench/odk.sh: N encrypted registrations posted to a running `casebank serve`
 * by C concurrent clients, as ODK Collect sends them (tests/odk_client.h builds them, before the clock
 * starts), with retries: a client resends a form whose answer was lost (every fourth one, on purpose, and any
 * that failed).  Then the database is read: every form stored, none twice.  The peer: the same number of
 * plain case creations (POST /api/cases, a session, no encryption) by as many clients.
 *
 *   odk_bench DB PORT USER PASSWORD N CLIENTS RUN odk|api
 * prints "result odk_per_s VALUE" (or api_per_s) and exits 1 when a form was lost or stored twice.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "odk_client.h"

static int port, nforms, run;
static const char *user, *pw, *mode;
static char **bodies;
static size_t *lens;
static atomic_int next, stored, retries, failed;
static char auth[256];
static pthread_barrier_t ready; /* the clock starts once every client is logged in */

/* One request on its own connection; the status (0 when the connection failed). */
static int post(const char *path, const char *extra, const char *ctype, const char *body, size_t len, char *resp,
		size_t rcap)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char head[1024];
	int hl = snprintf(head, sizeof head,
			  "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%sContent-Type: %s\r\n"
			  "Content-Length: %zu\r\n\r\n",
			  path, extra, ctype, len);
	if (send(fd, head, (size_t)hl, MSG_NOSIGNAL) != hl)
		goto out;
	for (size_t o = 0; o < len;) {
		ssize_t n = send(fd, body + o, len - o, MSG_NOSIGNAL);
		if (n <= 0)
			goto out;
		o += (size_t)n;
	}
	size_t got = 0;
	ssize_t n;
	while (got + 1 < rcap && (n = recv(fd, resp + got, rcap - got - 1, 0)) > 0)
		got += (size_t)n;
	resp[got] = 0;
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		status = 0;
out:
	close(fd);
	return status;
}

static void *client(void *arg)
{
	(void)arg;
	char resp[8192], extra[512];
	if (!strcmp(mode, "api")) { /* a session of its own, like a browser */
		char body[256], *cookie, *csrf;
		snprintf(body, sizeof body, "{\"user\": \"%s\", \"password\": \"%s\"}", user, pw);
		if (post("/api/login", "", "application/json", body, strlen(body), resp, sizeof resp) != 200 ||
		    !(cookie = strstr(resp, "cb_session=")) || !(csrf = strstr(resp, "\"csrf_token\":"))) {
			atomic_fetch_add(&failed, 1);
			pthread_barrier_wait(&ready);
			return NULL;
		}
		snprintf(extra, sizeof extra, "Cookie: %.*s\r\nX-CSRF-Token: %.*s\r\n", (int)strcspn(cookie, ";\r"), cookie,
			 (int)strcspn(csrf + 14 + strspn(csrf + 14, " \""), "\""), csrf + 14 + strspn(csrf + 14, " \""));
	} else {
		snprintf(extra, sizeof extra, "%s", auth);
	}
	pthread_barrier_wait(&ready);
	int i;
	while ((i = atomic_fetch_add(&next, 1)) < nforms) {
		/* every fourth answer is "lost": the form is sent again (not through the API: it has no way to tell) */
		int sends = i % 4 == 3 && strcmp(mode, "api") ? 2 : 1, ok = 0;
		for (int attempt = 0; attempt < 8 && sends > 0; attempt++) {
			int st = !strcmp(mode, "api")
					 ? post("/api/cases", extra, "application/json", bodies[i], lens[i], resp, sizeof resp)
					 : post("/submission", extra, "multipart/form-data; boundary=" ODKC_BOUNDARY, bodies[i],
						lens[i], resp, sizeof resp);
			if (st == 201) {
				ok = 1;
				sends--;
			} else {
				atomic_fetch_add(&retries, 1);
				usleep(10000);
			}
			if (sends && ok)
				atomic_fetch_add(&retries, 1);
		}
		if (ok)
			atomic_fetch_add(&stored, 1);
		else
			atomic_fetch_add(&failed, 1);
	}
	return NULL;
}

static long long sql_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	long long v = -1;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: odk_bench DB PORT USER PASSWORD N CLIENTS RUN odk|api\n");
		return 2;
	}
	const char *db = argv[1];
	port = atoi(argv[2]);
	user = argv[3];
	pw = argv[4];
	nforms = atoi(argv[5]);
	int nclients = atoi(argv[6]);
	run = atoi(argv[7]);
	mode = argv[8];
	char plain[256];
	snprintf(plain, sizeof plain, "%s:%s", user, pw);
	char *b = odkc_b64((const unsigned char *)plain, strlen(plain));
	snprintf(auth, sizeof auth, "Authorization: Basic %s\r\n", b);
	free(b);
	/* the form, its key and version, as a phone downloads them */
	char *form = malloc(1 << 20);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		perror("connect");
		return 1;
	}
	char req[512];
	int rl = snprintf(req, sizeof req, "GET /forms/casebank_registration HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%s\r\n", auth);
	send(fd, req, (size_t)rl, 0);
	size_t got = 0;
	ssize_t n;
	while ((n = recv(fd, form + got, (1 << 20) - got - 1, 0)) > 0)
		got += (size_t)n;
	form[got] = 0;
	close(fd);
	EVP_PKEY *pub = odkc_pubkey(form);
	const char *v = strstr(form, "version=\"");
	if (!pub || !v) {
		fprintf(stderr, "odk_bench: no form from the server\n");
		return 1;
	}
	char version[16];
	snprintf(version, sizeof version, "%.*s", (int)strcspn(v + 9, "\""), v + 9);
	bodies = calloc((size_t)nforms, sizeof *bodies);
	lens = calloc((size_t)nforms, sizeof *lens);
	for (int i = 0; i < nforms; i++) {
		char iid[64], inst[1024];
		snprintf(iid, sizeof iid, "uuid:bench-%d-%d", run, i);
		if (!strcmp(mode, "api")) {
			snprintf(inst, sizeof inst, "{\"consent_assistance\": true, \"consent_statistics\": true, \"registered_on\": "
						    "\"2024-03-01\", \"gender\": \"Feminine\", \"birth_year\": 1990, \"exploitation_type\": "
						    "[\"ForcedLabour\"], \"first_name\": \"Bench %d\"}", i);
			bodies[i] = strdup(inst);
			lens[i] = strlen(inst);
		} else {
			snprintf(inst, sizeof inst,
				 "<data id=\"casebank_registration\" version=\"%s\"><consent_assistance>yes</consent_assistance>"
				 "<consent_statistics>yes</consent_statistics><registered_on>2024-03-01</registered_on>"
				 "<gender>Feminine</gender><birth_year>1990</birth_year><exploitation_type>ForcedLabour"
				 "</exploitation_type><first_name>Bench %d</first_name><meta><instanceID>%s</instanceID></meta></data>",
				 version, i, iid);
			bodies[i] = odkc_encrypted_body(pub, "casebank_registration", version, iid, inst, NULL, NULL, 0, &lens[i]);
		}
	}
	long long before = sql_int(db, "SELECT count(*) FROM cases");
	pthread_t th[64];
	if (nclients > 64)
		nclients = 64;
	pthread_barrier_init(&ready, NULL, (unsigned)nclients + 1);
	for (int c = 0; c < nclients; c++)
		pthread_create(&th[c], NULL, client, NULL);
	pthread_barrier_wait(&ready);
	double t0 = now_ms();
	for (int c = 0; c < nclients; c++)
		pthread_join(th[c], NULL);
	double ms = now_ms() - t0;
	long long after = sql_int(db, "SELECT count(*) FROM cases");
	char q[256];
	snprintf(q, sizeof q, "SELECT count(*) FROM odk_received WHERE instance_id LIKE 'uuid:bench-%d-%%'", run);
	long long received = !strcmp(mode, "odk") ? sql_int(db, q) : nforms;
	int bad = (int)(after - before) != nforms || received != nforms || atomic_load(&failed);
	printf("%s run %d: %d forms by %d clients in %.0f ms: %.1f/s; stored %lld new cases, %lld instance ids, "
	       "%d resends, %d failed%s\n",
	       mode, run, nforms, nclients, ms, nforms / (ms / 1e3), after - before, received, atomic_load(&retries),
	       atomic_load(&failed), bad ? "  <-- LOST OR DUPLICATED" : "");
	printf("result %s_per_s %.3f\n", mode, nforms / (ms / 1e3));
	for (int i = 0; i < nforms; i++)
		free(bodies[i]);
	free(bodies);
	free(lens);
	free(form);
	EVP_PKEY_free(pub);
	return bad;
}
