/*
 * cmd_site.c -- `casebank site`: the managed list of offices (store/sites.h).  Thin shell: add, list,
 * disable, enable.  The store audits each change.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/sites.h"

static const char site_usage[] = "site add DB CODE --name NAME [--country CC]\n"
				 "       casebank site list DB\n"
				 "       casebank site disable|enable DB CODE";

static int print_site(const struct cb_site *s, void *ctx)
{
	(void)ctx;
	printf("%s\t%s\t%s\t%s\n", s->code, s->country[0] ? s->country : "-", s->disabled ? "disabled" : "enabled",
	       s->name);
	return CB_OK;
}

enum act { ADD, LIST, DISABLE, ENABLE };

/* One sub-command: only add takes options (cb_cli_parse refuses them elsewhere). */
static int site_run(int argc, char **argv, enum act act)
{
	enum { O_NAME, O_COUNTRY, O_N };
	static const struct option add_opts[] = {{"name", required_argument, NULL, O_NAME},
						 {"country", required_argument, NULL, O_COUNTRY},
						 {0}},
				   none[] = {{0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, act == ADD ? add_opts : none, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, act == LIST ? 1 : 2, site_usage)))
		return ex;
	if (act == ADD && !v[O_NAME]) {
		fprintf(stderr, "usage: casebank %s\n", site_usage);
		return CB_EXIT_USAGE;
	}
	const char *db = argv[first], *code = act == LIST ? NULL : argv[first + 1];
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc;
	if ((rc = cb_cli_open(db, act == LIST ? CB_OPEN_READONLY : 0, &s)) != CB_OK)
		return cb_cli_exit(rc);
	if (act == LIST)
		rc = cb_site_list(s, print_site, NULL, &err);
	else if (act == ADD && (rc = cb_site_add(s, code, v[O_NAME], v[O_COUNTRY], NULL, &err)) == CB_OK)
		printf("added office %s\n", code);
	else if (act != ADD)
		rc = cb_site_set_disabled(s, code, act == DISABLE, NULL, &err);
	if (rc != CB_OK && err.msg[0])
		cb_cli_error(code ? code : db, &err);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int site_add(int argc, char **argv) { return site_run(argc, argv, ADD); }
static int site_list(int argc, char **argv) { return site_run(argc, argv, LIST); }
static int site_disable(int argc, char **argv) { return site_run(argc, argv, DISABLE); }
static int site_enable(int argc, char **argv) { return site_run(argc, argv, ENABLE); }

int cb_cmd_site(int argc, char **argv)
{
	static const struct cb_cli_sub subs[] = {
		{"add", site_add}, {"list", site_list}, {"disable", site_disable}, {"enable", site_enable}};
	return cb_cli_subs(argc, argv, subs, CB_COUNTOF(subs), site_usage);
}
