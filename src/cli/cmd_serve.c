/*
 * cmd_serve.c -- `casebank serve DB [--listen ADDR:PORT] [--tls-cert F --tls-key F] [--threads N]
 * [--max-connections N] [--per-address N] [--request-timeout SECONDS]`: runs the HTTP API and the web
 * interface (src/http/) until SIGTERM or SIGINT, then stops gracefully: no new connections, running requests
 * finish, the store is closed.  The limits are those of docs/security.md, "Limits of the server".
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"
#include "util/i18n.h"

#define SERVE_USAGE                                                                                           \
	"serve DB [--listen 127.0.0.1:8080] [--tls-cert F --tls-key F] [--threads N] [--max-connections N]"   \
	" [--per-address N] [--request-timeout SECONDS]"

/* A whole number in [lo, hi] for a limit flag into *out (left alone when the flag is absent); -1 after
 * saying what was expected. */
static int limit(const char *text, const char *flag, long lo, long hi, unsigned *out)
{
	long n;
	if (!text)
		return 0;
	if (cb_http_parse_long(text, lo, hi, &n) != CB_OK) {
		fprintf(stderr, _("casebank: serve: %s: expected a whole number from %ld to %ld\n"), flag, lo, hi);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

int cb_cmd_serve(int argc, char **argv)
{
	enum { O_LISTEN, O_CERT, O_KEY, O_THREADS, O_MAXCONN, O_PERADDR, O_REQTIME, O_N };
	static const struct option opts[] = {
		{"listen", required_argument, NULL, O_LISTEN},
		{"tls-cert", required_argument, NULL, O_CERT},
		{"tls-key", required_argument, NULL, O_KEY},
		{"threads", required_argument, NULL, O_THREADS},
		{"max-connections", required_argument, NULL, O_MAXCONN},
		{"per-address", required_argument, NULL, O_PERADDR},
		{"request-timeout", required_argument, NULL, O_REQTIME},
		{0, 0, 0, 0},
	};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N);
	int st = cb_cli_args(argc, first, 1, SERVE_USAGE);
	if (st != CB_EXIT_OK)
		return st;
	struct cb_server_opts o = {.db = argv[first], .listen = v[O_LISTEN] ? v[O_LISTEN] : "127.0.0.1:8080",
				   .tls_cert = v[O_CERT], .tls_key = v[O_KEY]};
	if (v[O_THREADS]) {
		o.threads = atoi(v[O_THREADS]);
		if (o.threads < 1 || o.threads > 64) {
			fprintf(stderr, _("casebank: serve: --threads: expected 1 to 64\n"));
			return CB_EXIT_USAGE;
		}
	}
	if (limit(v[O_MAXCONN], "--max-connections", 16, 10000, &o.max_connections) ||
	    limit(v[O_PERADDR], "--per-address", 1, 10000, &o.per_address) ||
	    limit(v[O_REQTIME], "--request-timeout", 1, 3600, &o.request_timeout))
		return CB_EXIT_USAGE;
	/* The signals are blocked before the daemon's threads start (they inherit the mask), so that only
	 * sigwait below receives them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct cb_server *srv = NULL;
	struct cb_err err = {0};
	int rc = cb_server_start(&o, &srv, &err);
	if (rc != CB_OK) {
		cb_cli_error("serve", &err);
		return cb_cli_exit(rc);
	}
	char where[80];
	snprintf(where, sizeof where, "%.*s:%u", (int)(strrchr(o.listen, ':') - o.listen), o.listen,
		 (unsigned)cb_server_port(srv)); /* the port chosen when asked for 0 */
	fprintf(stderr, _("casebank: serving %s on %s://%s (Ctrl-C stops)\n"), argv[first], o.tls_cert ? "https" : "http",
		where);
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, _("casebank: stopping\n"));
	cb_server_stop(&srv);
	return CB_EXIT_OK;
}
