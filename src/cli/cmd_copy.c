/*
 * cmd_copy.c -- `casebank copy SRC DST`: a database moved between SQLite and PostgreSQL (store/copy.h does
 * the work and the checks; this prints what it did).
 */
#include <stdio.h>

#include "cli/cli.h"
#include "store/copy.h"

int cb_cmd_copy(int argc, char **argv)
{
	int first = cb_cli_plain(argc, argv, 2, "copy SRC DST");
	if (first < 0)
		return -first;
	struct cb_err err = {0};
	const char *src = argv[first], *dst = argv[first + 1];
	int rc = cb_store_copy(src, dst, stdout, &err);
	char s[1024], d[1024]; /* a URI's password stays out of what is printed */
	if (rc != CB_OK) {
		cb_cli_error("copy", &err);
		if (rc != CB_EEXIST)
			fprintf(stderr, "casebank: %s is incomplete: delete it (or drop the PostgreSQL database) before "
					"copying again\n", cb_db_shown(dst, d, sizeof d));
		return cb_cli_exit(rc);
	}
	printf("copied %s to %s\n", cb_db_shown(src, s, sizeof s), cb_db_shown(dst, d, sizeof d));
	return CB_EXIT_OK;
}
