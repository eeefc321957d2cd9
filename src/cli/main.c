/*
 * main.c -- `casebank <command> ...`: dispatch, usage text, and the mapping from library return codes to
 * exit statuses and "casebank: <what>: <why>" messages (shared by every cmd_*.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "store/store.h"

#ifndef CB_VERSION
#define CB_VERSION "0.1.0"
#endif

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args; /* after the command name */
	const char *what;
} commands[] = {
	{"init", cb_cmd_init, "DB", "create a database and its key file"},
	{"demo", cb_cmd_demo, "DB --cases N [--seed S]", "add N synthetic cases"},
	{"add", cb_cmd_add, "DB < case.json", "register a case, print its id"},
	{"update", cb_cmd_update, "DB CASE_ID < patch.json", "change fields of a case"},
	{"show", cb_cmd_show, "DB CASE_ID [--with-identifiers]", "print a case"},
	{"list", cb_cmd_list, "DB [--site S] [--status X]", "list case ids"},
	{"erase", cb_cmd_erase, "DB CASE_ID|--closed-before DATE [--all] [--dry-run]",
	 "destroy identifying details (--all: the case too); --closed-before: the retention run"},
	{"import", cb_cmd_import, "DB FILE [--format htcds|ctdc|jsonl] [--site S]", "import an exchange file"},
	{"export", cb_cmd_export, "DB [--format htcds|ctdc|jsonl] [--with-identifiers]", "export every case"},
	{"check", cb_cmd_check, "DB", "integrity and codebook check of every row"},
	{"stats", cb_cmd_stats, "DB --by DIM[,DIM[,DIM]] [--where EXPR] [--format table|csv|json] [--percent]",
	 "a table from the statistical releases (--exact: from the records, for data managers)"},
	{"release", cb_cmd_release, "DB [--year Y ...] [--rho R] [--force] | --cap R [--year Y] | --every H | --ledger",
	 "measure years for statistics under a privacy budget; the ledger"},
	{"ptable", cb_cmd_ptable, "DB --show", "cell key perturbation parameters (exact-bank tables only)"},
	{"report", cb_cmd_report, "DB --out FILE.html [--csv DIR] [--xlsx FILE]", "the standard report"},
	{"serve", cb_cmd_serve, "DB [--listen 127.0.0.1:8080] [--tls-cert F --tls-key F]", "the web interface and API"},
	{"user", cb_cmd_user, "add|list|disable|enable|passwd DB NAME ...", "accounts"},
	{"site", cb_cmd_site, "add|list|disable|enable DB [CODE] ...", "the list of offices"},
	{"audit", cb_cmd_audit, "verify|list DB", "the tamper-evident audit trail"},
	{"partner", cb_cmd_partner, "add|list DB ...", "partner organisations and shelters"},
	{"assist", cb_cmd_assist, "add|set|list DB ...", "assistance records of a case"},
	{"refer", cb_cmd_refer, "DB CASE_ID --to ORG_ID --reason R | list | set", "referrals to partners"},
	{"stage", cb_cmd_stage, "DB CASE_ID NEW_STAGE|reopen [--reason R]", "move a case in the workflow"},
	{"followup", cb_cmd_followup, "add|list|done DB ...", "follow-ups and what is overdue"},
	{"dashboard", cb_cmd_dashboard, "DB [--site S]", "open cases, assistance, follow-ups, shelters"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: casebank <command> [arguments]\n\ncommands:\n");
	for (size_t i = 0; i < CB_COUNTOF(commands); i++)
		fprintf(f, "  %-10s %s\n  %-10s   %s\n", commands[i].name, commands[i].args, "", commands[i].what);
	fprintf(f, "\nThe key file is DB.key unless CASEBANK_KEY_FILE names one.  See casebank(1).\n");
}

void cb_cli_error(const char *what, const struct cb_err *err)
{
	const char *why = err && err->msg[0] ? err->msg : cb_rc_str(err ? err->code : CB_EINVAL);
	if (err && err->line > 0)
		fprintf(stderr, "casebank: %s: line %ld: %s\n", what, err->line, why);
	else
		fprintf(stderr, "casebank: %s: %s\n", what, why);
}

int cb_cli_exit(int rc)
{
	switch (rc) {
	case CB_OK: return CB_EXIT_OK;
	case CB_EINVAL: return CB_EXIT_USAGE;
	case CB_ENOTFOUND: return CB_EXIT_NOTFOUND;
	case CB_ECONSENT: return CB_EXIT_CONSENT;
	default: return CB_EXIT_ERROR;
	}
}

/* Parses options common to the commands here; returns the index of the first positional argument, or -1
 * after printing an error.  `longopts` ends with a zero entry; each option sets *flags |= its val. */
int cb_cli_parse(int argc, char **argv, const struct option *longopts, const char **optvals, int nopts)
{
	optind = 0; /* glibc: re-initialise for each command */
	opterr = 0;
	int c, idx;
	while ((c = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
		if (c == '?' || c == ':') {
			fprintf(stderr, "casebank: %s: unknown option or missing value: %s\n", argv[0],
				argv[optind - 1]);
			return -1;
		}
		if (c >= 0 && c < nopts)
			optvals[c] = optarg ? optarg : "1";
	}
	return optind;
}

int cb_cli_open(const char *db, unsigned flags, struct cb_store **s)
{
	struct cb_err err = {0};
	int rc = cb_store_open(db, flags, s, &err);
	if (rc != CB_OK)
		cb_cli_error(db, &err);
	return rc == CB_ENOTFOUND ? CB_EIO : rc; /* exit status 5 is for a missing case, not a missing database */
}

int cb_cli_args(int argc, int first, int n, const char *usage)
{
	if (first < 0)
		return CB_EXIT_USAGE;
	if (argc - first != n) {
		fprintf(stderr, "usage: casebank %s\n", usage);
		return CB_EXIT_USAGE;
	}
	return CB_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("casebank %s\n", CB_VERSION);
		return CB_EXIT_OK;
	}
	umask(077); /* every file casebank creates (database, WAL, key store, reports) is for its owner only */
	if (cb_crypto_init() != CB_OK) {
		fprintf(stderr, "casebank: libsodium: cannot initialise\n");
		return CB_EXIT_ERROR;
	}
	for (size_t i = 0; i < CB_COUNTOF(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "casebank: %s: unknown command\n", argv[1]);
	usage(stderr);
	return CB_EXIT_USAGE;
}
