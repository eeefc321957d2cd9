/*
 * cmd_io.c -- the commands that move many cases at once: import, export, demo.
 *
 * Exit statuses of import (the contract in casebank(1)): 0 when no row was rejected, 3 when some rows were
 * rejected and others imported, 2 when rows were rejected and none imported or the file could not be read.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/io.h"
#include "store/store.h"
#include "util/i18n.h"

int cb_cmd_import(int argc, char **argv)
{
	enum { O_FORMAT, O_SITE };
	static const struct option opts[] = {{"format", required_argument, NULL, O_FORMAT},
					     {"site", required_argument, NULL, O_SITE}, {0}};
	const char *v[2] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, 2), ex;
	if ((ex = cb_cli_args(argc, first, 2, "import DB FILE [--format htcds|ctdc|jsonl] [--site S]")))
		return ex;
	const char *file = argv[first + 1];
	struct cb_import_opts o = {.format = v[O_FORMAT], .site = v[O_SITE], .progress = isatty(2)};
	struct cb_import_result res = {0};
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc != CB_OK)
		goto out;
	rc = cb_import_file(s, file, &o, &res, &err);
	if (rc != CB_OK) {
		cb_cli_error(file, &err);
		if (rc == CB_EINVAL || rc == CB_ENOTFOUND)
			rc = CB_EINVAL; /* nothing could be imported */
	}
	printf("imported %ld, rejected %ld\n", res.imported, res.rejected);
	if (rc == CB_OK && res.imported == 1)
		cb_cli_warn_newest(s); /* one case registered from a file: warned of as by add (cmd_find.c) */
	if (res.duplicates)
		printf("skipped %ld rows imported before\n", res.duplicates);
	if (res.rejected)
		fprintf(stderr, _("casebank: %s: %ld rows rejected; reasons in %s.rejected.csv\n"), file, res.rejected,
			file);
out:
	cb_store_free(&s);
	if (rc != CB_OK)
		return cb_cli_exit(rc) == CB_EXIT_NOTFOUND ? CB_EXIT_USAGE : cb_cli_exit(rc);
	if (res.rejected == 0)
		return CB_EXIT_OK;
	return res.imported ? CB_EXIT_PARTIAL : CB_EXIT_USAGE;
}

int cb_cmd_export(int argc, char **argv)
{
	enum { O_FORMAT, O_PII };
	static const struct option opts[] = {{"format", required_argument, NULL, O_FORMAT},
					     {"with-identifiers", no_argument, NULL, O_PII}, {0}};
	const char *v[2] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, 2), ex;
	if ((ex = cb_cli_args(argc, first, 1, "export DB [--format htcds|ctdc|jsonl] [--with-identifiers]")))
		return ex;
	const char *format = v[O_FORMAT] ? v[O_FORMAT] : "jsonl";
	if (!cb_format_by_name(format)) {
		fprintf(stderr, _("casebank: --format: '%s' is not one of htcds, ctdc, jsonl\n"), format);
		return CB_EXIT_USAGE;
	}
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc != CB_OK)
		goto out;
	if ((rc = cb_export(s, stdout, format, v[O_PII] != NULL, &err)) != CB_OK)
		cb_cli_error("export", &err);
	else if (fflush(stdout) != 0 || ferror(stdout))
		rc = cb_err_set(&err, CB_EIO, "cannot write to standard output");
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_demo(int argc, char **argv)
{
	enum { O_CASES, O_SEED, O_ASSIST, O_DUPS, O_TRUTH, O_N };
	static const struct option opts[] = {{"cases", required_argument, NULL, O_CASES},
					     {"seed", required_argument, NULL, O_SEED},
					     {"assistance", no_argument, NULL, O_ASSIST},
					     {"duplicates", required_argument, NULL, O_DUPS},
					     {"truth", required_argument, NULL, O_TRUTH}, {0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, 1,
			      "demo DB --cases N [--seed S] [--assistance] [--duplicates RATE [--truth FILE]]")))
		return ex;
	char *end = NULL;
	long n = v[O_CASES] ? strtol(v[O_CASES], &end, 10) : -1;
	if (!v[O_CASES] || *end || n < 1 || n > 100000000) {
		fprintf(stderr, _("casebank: --cases: expected a number from 1 to 100000000\n"));
		return CB_EXIT_USAGE;
	}
	uint64_t seed = 1;
	if (v[O_SEED]) {
		seed = strtoull(v[O_SEED], &end, 10);
		if (*end || !*v[O_SEED]) {
			fprintf(stderr, _("casebank: --seed: expected a whole number\n"));
			return CB_EXIT_USAGE;
		}
	}
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc != CB_OK)
		goto out;
	if ((rc = cb_demo_generate(s, n, seed, isatty(2), &err)) != CB_OK) {
		cb_cli_error("demo", &err);
		goto out;
	}
	printf("added %ld synthetic cases (seed %" PRIu64 ") to %s\n", n, seed, argv[first]);
	if (v[O_DUPS]) {
		long planted = 0;
		double rate = strtod(v[O_DUPS], &end);
		if (*end || !*v[O_DUPS])
			rate = -1;
		if ((rc = cb_demo_duplicates(s, rate, seed, v[O_TRUTH], &planted, &err)) != CB_OK) {
			cb_cli_error("demo", &err);
			goto out;
		}
		printf("planted %ld duplicates with registration errors%s%s\n", planted, v[O_TRUTH] ? "; the true pairs are in " : "",
		       v[O_TRUTH] ? v[O_TRUTH] : "");
	}
	struct cb_demo_assist_counts a;
	if (!v[O_ASSIST]) /* partners, stages and assistance records too (make demo) */
		goto out;
	if ((rc = cb_demo_assist(s, seed, CB_NA, &a, &err)) != CB_OK) {
		cb_cli_error("demo", &err);
		goto out;
	}
	printf("added %ld partner organisations; for %ld cases %ld workflow steps, %ld assistance records, %ld "
	       "referrals, %ld follow-ups\n",
	       a.partners, a.cases, a.stages, a.assistance, a.referrals, a.followups);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}
