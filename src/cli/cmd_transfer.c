/*
 * cmd_transfer.c -- who holds a case: assign, assigned, transfer (request, accept, reject, list).  The command
 * line acts as the local operator (audited as such); the server's users go through the access policy.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "care/transfer.h"
#include "cli/cli.h"
#include "util/i18n.h"

int cb_cmd_assign(int argc, char **argv)
{
	enum { O_NONE, O_N };
	static const struct option opts[] = {{"none", no_argument, NULL, O_NONE}, {0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, v[O_NONE] ? 2 : 3, "assign DB CASE_ID USER | DB CASE_ID --none")))
		return ex;
	uint8_t id[16];
	if (cb_cli_case_id(argv[first + 1], id) != CB_OK)
		return CB_EXIT_USAGE;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	const char *user = v[O_NONE] ? NULL : argv[first + 2];
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc == CB_OK && (rc = cb_case_assign(s, id, user, NULL, &err)) != CB_OK)
		cb_cli_error(argv[first + 1], &err);
	else if (rc == CB_OK)
		printf("%s assigned to %s\n", argv[first + 1], user ? user : "nobody");
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int print_id(const uint8_t id[16], void *ctx)
{
	char t[CB_ID_TEXT];
	(void)ctx;
	cb_case_id_format(id, t);
	printf("%s\n", t);
	return CB_OK;
}

int cb_cmd_assigned(int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	int first = cb_cli_parse(argc, argv, opts, NULL, 0), ex;
	if ((ex = cb_cli_args(argc, first, 2, "assigned DB USER")))
		return ex;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc = cb_cli_open(argv[first], CB_OPEN_READONLY, &s);
	if (rc == CB_OK && (rc = cb_assign_cases(s, argv[first + 1], print_id, NULL, &err)) != CB_OK)
		cb_cli_error("assigned", &err);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int print_transfer(const struct cb_transfer *t, void *ctx)
{
	char id[CB_ID_TEXT], when[32];
	time_t at = (time_t)t->requested_at;
	struct tm tm;
	(void)ctx;
	cb_case_id_format(t->case_id, id);
	strftime(when, sizeof when, "%Y-%m-%d", gmtime_r(&at, &tm));
	printf("%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t->id, id, t->from_site, t->to_site,
	       cb_transfer_state_name(t->state), t->reason, when, t->decision_reason[0] ? t->decision_reason : "-");
	return CB_OK;
}

/* transfer list DB [--site S] | transfer accept DB TID | transfer reject DB TID --reason R */
static int sub(int argc, char **argv)
{
	enum { O_SITE, O_REASON, O_N };
	static const struct option opts[] = {{"site", required_argument, NULL, O_SITE},
					     {"reason", required_argument, NULL, O_REASON}, {0}};
	const char *v[O_N] = {0};
	const bool list = !strcmp(argv[1], "list"), accept = !strcmp(argv[1], "accept");
	int first = cb_cli_parse(argc - 1, argv + 1, opts, v, O_N), ex;
	if ((ex = cb_cli_args(argc - 1, first, list ? 1 : 2,
			      "transfer list DB [--site S] | accept DB TRANSFER_ID | reject DB TRANSFER_ID --reason R")))
		return ex;
	char **a = argv + 1 + first;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc = cb_cli_open(a[0], list ? CB_OPEN_READONLY : 0, &s);
	if (rc != CB_OK)
		goto out;
	if (list) {
		/* an office's view: what it sends and what waits for it */
		struct cb_transfer_filter to = {v[O_SITE], NULL, NULL, -1}, from = {NULL, v[O_SITE], NULL, -1};
		if ((rc = cb_transfer_rows(s, &to, print_transfer, NULL, &err)) == CB_OK && v[O_SITE])
			rc = cb_transfer_rows(s, &from, print_transfer, NULL, &err);
		if (rc != CB_OK)
			cb_cli_error("transfer list", &err);
		goto out;
	}
	char *end = NULL;
	long long tid = strtoll(a[1], &end, 10);
	if (*end || tid <= 0) {
		fprintf(stderr, _("casebank: %s: not a transfer id (a number)\n"), a[1]);
		rc = CB_EINVAL;
		goto out;
	}
	struct cb_transfer t;
	if ((rc = cb_transfer_decide(s, tid, accept, v[O_REASON], NULL, &t, &err)) != CB_OK)
		cb_cli_error("transfer", &err);
	else
		printf("transfer %lld %s: the case is at %s\n", tid, cb_transfer_state_name(t.state),
		       accept ? t.to_site : t.from_site);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_transfer(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "list") || !strcmp(argv[1], "accept") || !strcmp(argv[1], "reject")))
		return sub(argc, argv);
	enum { O_TO, O_REASON, O_N };
	static const struct option opts[] = {{"to", required_argument, NULL, O_TO},
					     {"reason", required_argument, NULL, O_REASON}, {0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, 2, "transfer DB CASE_ID --to OFFICE --reason R")))
		return ex;
	uint8_t id[16];
	if (cb_cli_case_id(argv[first + 1], id) != CB_OK)
		return CB_EXIT_USAGE;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	struct cb_transfer t;
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc == CB_OK && (rc = cb_transfer_request(s, id, v[O_TO], v[O_REASON], NULL, &t, &err)) != CB_OK)
		cb_cli_error(argv[first + 1], &err);
	else if (rc == CB_OK)
		printf("transfer %" PRId64 " requested: the case stays at %s until %s accepts\n", t.id, t.from_site, t.to_site);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}
