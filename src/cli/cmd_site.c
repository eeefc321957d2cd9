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

int cb_cmd_site(int argc, char **argv)
{
	enum { O_NAME, O_COUNTRY, O_N };
	static const struct option opts[] = {{"name", required_argument, NULL, O_NAME},
					     {"country", required_argument, NULL, O_COUNTRY},
					     {0}};
	const char *v[O_N] = {0};
	int first;
	const char *sub = cb_cli_sub(argc, argv, opts, v, O_N, &first);
	if (!sub)
		return CB_EXIT_USAGE;
	bool add = !strcmp(sub, "add"), list = !strcmp(sub, "list"), dis = !strcmp(sub, "disable"),
	     en = !strcmp(sub, "enable");
	if (!(add || list || dis || en) || argc - first != (list ? 2 : 3) || ((v[O_NAME] || v[O_COUNTRY]) && !add) ||
	    (add && !v[O_NAME])) {
		fprintf(stderr, "usage: casebank %s\n", site_usage);
		return CB_EXIT_USAGE;
	}
	const char *db = argv[first + 1], *code = list ? NULL : argv[first + 2];
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc;
	if ((rc = cb_cli_open(db, list ? CB_OPEN_READONLY : 0, &s)) != CB_OK)
		return cb_cli_exit(rc);
	if (list)
		rc = cb_site_list(s, print_site, NULL, &err);
	else if (add && (rc = cb_site_add(s, code, v[O_NAME], v[O_COUNTRY], NULL, &err)) == CB_OK)
		printf("added office %s\n", code);
	else if (!add)
		rc = cb_site_set_disabled(s, code, dis, NULL, &err);
	if (rc != CB_OK && err.msg[0])
		cb_cli_error(code ? code : db, &err);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}
