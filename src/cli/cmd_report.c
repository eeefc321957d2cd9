/*
 * cmd_report.c -- `casebank report DB --out FILE.html [--csv DIR] [--xlsx FILE] [--where EXPR]`: the
 * standard report of protected statistics (src/stats/report.h), built from one bank, written in every
 * format asked for.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stats/report.h"
#include "stats/stats.h"
#include "store/store.h"

#define USAGE "report DB --out FILE.html [--csv DIR] [--xlsx FILE] [--where EXPR]"

/* Writes the HTML report to path through a memory stream and a durable atomic write. */
static int write_html(const struct cb_report *r, const char *path, struct cb_err *err)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	if (!f)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	int rc = cb_report_write_html(r, f, err);
	if (fclose(f) != 0 && rc == CB_OK)
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	if (rc == CB_OK)
		rc = cb_file_write_atomic(path, data, len, 0600, err);
	free(data);
	return rc;
}

int cb_cmd_report(int argc, char **argv)
{
	enum { O_OUT, O_CSV, O_XLSX, O_WHERE, O__N };
	static const struct option opts[] = {{"out", required_argument, NULL, O_OUT},
					     {"csv", required_argument, NULL, O_CSV},
					     {"xlsx", required_argument, NULL, O_XLSX},
					     {"where", required_argument, NULL, O_WHERE}, {0}};
	const char *v[O__N] = {0};
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct cb_stats *st = NULL;
	struct cb_report *r = NULL;
	int rc, ex;
	int first = cb_cli_parse(argc, argv, opts, v, O__N);
	if ((ex = cb_cli_args(argc, first, 1, USAGE)))
		return ex;
	if (!v[O_OUT] && !v[O_CSV] && !v[O_XLSX]) {
		fprintf(stderr, "casebank: report: say where to write it: --out FILE.html, --csv DIR or --xlsx FILE\n"
				"usage: casebank " USAGE "\n");
		return CB_EXIT_USAGE;
	}
	if ((rc = cb_cli_open(argv[first], CB_OPEN_READONLY, &s)) != CB_OK)
		goto out;
	if ((rc = cb_stats_open(s, &st, &err)) != CB_OK) {
		cb_cli_error("statistics", &err);
		goto out;
	}
	struct cb_report_opts o = {.where = v[O_WHERE]};
	if ((rc = cb_report_build(st, &o, &r, &err)) != CB_OK) {
		cb_cli_error(err.code == CB_EINVAL ? "--where" : "report", &err);
		goto out;
	}
	if (v[O_OUT] && (rc = write_html(r, v[O_OUT], &err)) != CB_OK) {
		cb_cli_error(v[O_OUT], &err);
		goto out;
	}
	if (v[O_CSV] && (rc = cb_report_write_csv(r, v[O_CSV], &err)) != CB_OK) {
		cb_cli_error(v[O_CSV], &err);
		goto out;
	}
	if (v[O_XLSX] && (rc = cb_report_write_xlsx(r, v[O_XLSX], &err)) != CB_OK) {
		cb_cli_error(v[O_XLSX], &err);
		goto out;
	}
out:
	cb_report_free(&r);
	cb_stats_free(&st);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}
