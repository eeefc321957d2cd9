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
#include "util/i18n.h"

#ifndef CB_VERSION
#define CB_VERSION "0.1.0"
#endif

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args; /* after the command name */
	const char *what;
} commands[] = {
	{"init", cb_cmd_init, "DB", N_("create a database and its key file")},
	{"demo", cb_cmd_demo, "DB --cases N [--seed S] [--assistance] [--duplicates RATE [--truth FILE]]",
	 N_("add N synthetic cases (and planted duplicates)")},
	{"add", cb_cmd_add, "DB < case.json", N_("register a case, print its id")},
	{"update", cb_cmd_update, "DB CASE_ID < patch.json", N_("change fields of a case")},
	{"show", cb_cmd_show, "DB CASE_ID [--with-identifiers]", N_("print a case")},
	{"list", cb_cmd_list, "DB [--site S] [--status X]", N_("list case ids")},
	{"erase", cb_cmd_erase, "DB CASE_ID|--closed-before DATE [--all] [--dry-run]",
	 N_("destroy identifying details (--all: the case too); --closed-before: the retention run")},
	{"import", cb_cmd_import, "DB FILE [--format htcds|ctdc|jsonl] [--site S]", N_("import an exchange file")},
	{"export", cb_cmd_export, "DB [--format htcds|ctdc|jsonl] [--with-identifiers]", N_("export every case")},
	{"copy", cb_cmd_copy, "SRC DST", N_("copy a database between SQLite and PostgreSQL, keys and audit trail included")},
	{"check", cb_cmd_check, "DB", N_("integrity and codebook check of every row")},
	{"stats", cb_cmd_stats, "DB --by DIM[,DIM[,DIM]] [--where EXPR] [--format table|csv|json] [--percent]",
	 N_("a table from the statistical releases (--exact: from the records, for data managers)")},
	{"release", cb_cmd_release, "DB [--year Y ...] [--rho R] [--force] | --cap R [--year Y] | --every H | --ledger",
	 N_("measure years for statistics under a privacy budget; the ledger")},
	{"ptable", cb_cmd_ptable, "DB --show", N_("cell key perturbation parameters (exact-bank tables only)")},
	{"report", cb_cmd_report, "DB --out FILE.html [--csv DIR] [--xlsx FILE]", N_("the standard report")},
	{"xform", cb_cmd_xform, "DB [--form registration|followup|assistance]", N_("the ODK form (encrypted), for ODK Collect")},
	{"serve", cb_cmd_serve, "DB [--listen 127.0.0.1:8080] [--tls-cert F --tls-key F]", N_("the web interface and API")},
	{"user", cb_cmd_user, "add|list|disable|enable|passwd DB NAME ...", N_("accounts")},
	{"site", cb_cmd_site, "add|list|disable|enable DB [CODE] ...", N_("the list of offices")},
	{"audit", cb_cmd_audit, "verify|list DB", N_("the tamper-evident audit trail")},
	{"partner", cb_cmd_partner, "add|list DB ...", N_("partner organisations and shelters")},
	{"assist", cb_cmd_assist, "add|set|list DB ...", N_("assistance records of a case")},
	{"refer", cb_cmd_refer, "DB CASE_ID --to ORG_ID --reason R | list | set", N_("referrals to partners")},
	{"stage", cb_cmd_stage, "DB CASE_ID NEW_STAGE|reopen [--reason R]", N_("move a case in the workflow")},
	{"followup", cb_cmd_followup, "add|list|done DB ...", N_("follow-ups and what is overdue")},
	{"search", cb_cmd_search, "DB [--name TEXT] [--birth-date D] [--phone P] [--site S]",
	 N_("find cases by name, birth date or phone: ids, what matched, a score")},
	{"duplicates", cb_cmd_duplicates, "DB [--min-score S] [--site S]", N_("possible duplicate pairs of cases")},
	{"link", cb_cmd_link, "DB ID1 ID2", N_("confirm two cases are one person")},
	{"dismiss", cb_cmd_dismiss, "DB ID1 ID2", N_("dismiss a possible duplicate")},
	{"assign", cb_cmd_assign, "DB CASE_ID USER | DB CASE_ID --none", N_("the caseworker responsible for a case")},
	{"assigned", cb_cmd_assigned, "DB USER", N_("the cases assigned to a user")},
	{"transfer", cb_cmd_transfer,
	 "DB CASE_ID --to OFFICE --reason R | list DB [--site S] | accept DB ID | reject DB ID --reason R",
	 N_("hand a case to another office; the receiving office accepts or rejects")},
	{"dashboard", cb_cmd_dashboard, "DB [--site S]", N_("open cases, assistance, follow-ups, shelters")},
};

static void usage(FILE *f)
{
	fprintf(f, _("usage: casebank [--lang LL] <command> [arguments]\n\ncommands:\n"));
	for (size_t i = 0; i < CB_COUNTOF(commands); i++)
		fprintf(f, "  %-10s %s\n  %-10s   %s\n", commands[i].name, commands[i].args, "", _(commands[i].what));
	fprintf(f, _("\nThe key file is DB.key unless CASEBANK_KEY_FILE names one.  See casebank(1).\n"));
	fputs(_("Messages follow LANGUAGE, LC_ALL, LC_MESSAGES or LANG, or --lang:"), f);
	for (int i = 0; i < cb_lang_count(); i++)
		fprintf(f, " %s (%s)", cb_lang_code(i), cb_lang_name(cb_lang_code(i)));
	fputs("\n", f);
}

void cb_cli_error(const char *what, const struct cb_err *err)
{
	const char *why = err && err->msg[0] ? err->msg : cb_rc_str(err ? err->code : CB_EINVAL);
	char shown[1024];
	what = cb_db_shown(what, shown, sizeof shown); /* often the database: a URI's password stays out */
	if (err && err->line > 0)
		fprintf(stderr, _("casebank: %s: line %ld: %s\n"), what, err->line, why);
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
			fprintf(stderr, _("casebank: %s: unknown option or missing value: %s\n"), argv[0],
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
		fprintf(stderr, _("usage: casebank %s\n"), usage);
		return CB_EXIT_USAGE;
	}
	return CB_EXIT_OK;
}

int cb_cli_plain(int argc, char **argv, int n, const char *usage)
{
	static const struct option none[] = {{0}};
	int first = cb_cli_parse(argc, argv, none, NULL, 0), ex = cb_cli_args(argc, first, n, usage);
	return ex ? -ex : first;
}

int cb_cli_subs(int argc, char **argv, const struct cb_cli_sub *subs, size_t n, const char *usage)
{
	for (size_t i = 0; argc >= 2 && i < n; i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	fprintf(stderr, _("usage: casebank %s\n"), usage);
	return CB_EXIT_USAGE;
}

/* Takes --lang LL (or --lang=LL) out of argv, wherever it stands, so that every command accepts it; the
 * environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) chooses otherwise.  Returns the new argc, or -1 after
 * printing an error for a language without a catalogue. */
static int take_lang(int argc, char **argv)
{
	const char *lang = cb_lang_from_env(), *asked = NULL;
	int o = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			asked = argv[++i];
		else if (!strncmp(argv[i], "--lang=", 7))
			asked = argv[i] + 7;
		else if (!strcmp(argv[i], "--"))
			while (i < argc)
				argv[o++] = argv[i++];
		else
			argv[o++] = argv[i];
	}
	argv[o] = NULL;
	if (asked && !(lang = cb_lang_find(asked))) {
		cb_lang_use(cb_lang_from_env());
		fprintf(stderr, _("casebank: --lang: no catalogue for '%s'; known:"), asked);
		for (int i = 0; i < cb_lang_count(); i++)
			fprintf(stderr, " %s", cb_lang_code(i));
		fputs("\n", stderr);
		return -1;
	}
	cb_lang_use(lang);
	return o;
}

int main(int argc, char **argv)
{
	if ((argc = take_lang(argc, argv)) < 0)
		return CB_EXIT_USAGE;
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
		fprintf(stderr, _("casebank: libsodium: cannot initialise\n"));
		return CB_EXIT_ERROR;
	}
	for (size_t i = 0; i < CB_COUNTOF(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, _("casebank: %s: unknown command\n"), argv[1]);
	usage(stderr);
	return CB_EXIT_USAGE;
}
