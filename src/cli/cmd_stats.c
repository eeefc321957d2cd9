/*
 * cmd_stats.c -- `casebank stats` (protected cross-tables) and `casebank ptable` (the perturbation table
 * and the protection settings of a database).  Thin shells over src/stats/: parse the command line, open
 * the store, call the library, map the return code.
 *
 *   casebank stats DB --by DIM[,DIM[,DIM]] [--where EXPR] [--format table|csv|json] [--percent] [--exact]
 *   casebank release DB [--year Y ...] [--rho R] [--force] | --cap R [--year Y] | --every HOURS | --ledger
 *   casebank ptable DB [--show] [--export FILE] [--import FILE] [--generate D=4,V=3,js=2]
 *                      [--threshold N] [--require-consent yes|no]
 *
 * `stats` answers from the differentially private releases that `release` makes (src/stats/release.c).
 * --exact, --export, --import and the settings are for the database's managers: the ptable and exact
 * counts undo the protection.  Each use is recorded with cb_store_event.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "stats/stats.h"
#include "access/access.h"
#include "store/store.h"
#include "util/i18n.h"

static const char stats_usage[] =
	"stats DB --by DIM[,DIM[,DIM]] [--where EXPR] [--format table|csv|json] [--percent] [--exact]";
static const char ptable_usage[] = "ptable DB [--show] [--export FILE] [--import FILE] [--generate D=4,V=3,js=2] "
				   "[--threshold N] [--require-consent yes|no]";

/* A usage mistake: "casebank: <what>: <why>", the usage line, exit status 2. */
static int usage(const char *what, const char *line, const char *why)
{
	struct cb_err err = {0};
	cb_err_set(&err, CB_EINVAL, "%s", why);
	cb_cli_error(what, &err);
	fprintf(stderr, _("usage: casebank %s\n"), line);
	return CB_EXIT_USAGE;
}

/* Splits "a, b,c" into at most CB_STATS_MAX_DIMS names (in place). */
static int split_dims(char *by, const char *dims[CB_STATS_MAX_DIMS])
{
	int nd = 0;
	for (char *save = NULL, *tok = strtok_r(by, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		for (char *e = tok + strlen(tok); e > tok && e[-1] == ' ';)
			*--e = 0;
		if (nd == CB_STATS_MAX_DIMS)
			return -1;
		dims[nd++] = tok;
	}
	return nd;
}

int cb_cmd_stats(int argc, char **argv)
{
	enum { O_BY, O_WHERE, O_FORMAT, O_PERCENT, O_EXACT, O__N };
	static const struct option opts[] = {{"by", required_argument, NULL, O_BY},
					     {"where", required_argument, NULL, O_WHERE},
					     {"format", required_argument, NULL, O_FORMAT},
					     {"percent", no_argument, NULL, O_PERCENT},
					     {"exact", no_argument, NULL, O_EXACT}, {0}};
	const char *v[O__N] = {0};
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct cb_stats *st = NULL;
	struct cb_table *t = NULL;
	struct cb_query q = {0};
	enum cb_stats_format fmt = CB_SF_TABLE;
	char by[256];
	int first = cb_cli_parse(argc, argv, opts, v, O__N), rc;
	if ((rc = cb_cli_args(argc, first, 1, stats_usage)))
		return rc;
	if (!v[O_BY])
		return usage("stats", stats_usage, "--by is required");
	if (!v[O_FORMAT] || strcmp(v[O_FORMAT], "table") == 0)
		fmt = CB_SF_TABLE;
	else if (strcmp(v[O_FORMAT], "csv") == 0)
		fmt = CB_SF_CSV;
	else if (strcmp(v[O_FORMAT], "json") == 0)
		fmt = CB_SF_JSON;
	else
		return usage("stats", stats_usage, "--format must be table, csv or json");
	snprintf(by, sizeof by, "%s", v[O_BY]);
	int nd = split_dims(by, q.dims);
	if (nd < 1)
		return usage("stats", stats_usage, nd < 0 ? "--by takes at most three dimensions" : "--by names no dimension");
	q.where = v[O_WHERE];
	q.flags = (v[O_PERCENT] ? CB_Q_PERCENT : 0) | (v[O_EXACT] ? CB_Q_EXACT : 0);

	/* exact counts are recorded in the database, so they need write access */
	if ((rc = cb_cli_open(argv[first], (q.flags & CB_Q_EXACT) ? 0 : CB_OPEN_READONLY, &s)))
		goto out;
	/* analysts' tables come from releases; exact counts from the records, for a manager holding the key */
	rc = (q.flags & CB_Q_EXACT) ? cb_stats_open_records(s, &st, &err) : cb_stats_open(s, &st, &err);
	if (rc == CB_OK && (rc = cb_stats_query(st, &q, &t, &err)) == CB_OK &&
	    (q.flags & CB_Q_EXACT)) {
		char detail[600];
		snprintf(detail, sizeof detail, "by %s; where %s", v[O_BY], cb_table_where(t));
		rc = cb_store_audit(s, CB_AUD_STATS_EXACT, NULL, NULL, detail, &err);
	}
	if (rc == CB_OK)
		rc = cb_table_write(t, fmt, stdout, &err);
	if (rc != CB_OK)
		cb_cli_error("stats", &err);
out:
	cb_table_free(&t);
	cb_stats_free(&st);
	cb_store_free(&s);
	return rc == CB_EINVAL ? CB_EXIT_USAGE : cb_cli_exit(rc);
}

/* ---- ptable */

static int parse_params(const char *text, struct cb_ptable_params *pp, struct cb_err *err)
{
	char buf[128], *save = NULL;
	*pp = (struct cb_ptable_params){CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	snprintf(buf, sizeof buf, "%s", text);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		if (!eq)
			return cb_err_set(err, CB_EINVAL, "--generate: expected NAME=VALUE, got '%s'", tok);
		*eq = 0;
		double v = strtod(eq + 1, &end);
		if (!eq[1] || *end)
			return cb_err_set(err, CB_EINVAL, "--generate: %s needs a number", tok);
		if (strcmp(tok, "D") == 0 || strcmp(tok, "d") == 0)
			pp->d = (int)v;
		else if (strcmp(tok, "V") == 0 || strcmp(tok, "v") == 0)
			pp->v = v;
		else if (strcmp(tok, "js") == 0)
			pp->js = (int)v;
		else
			return cb_err_set(err, CB_EINVAL, "--generate: unknown parameter '%s'; valid: D, V, js", tok);
	}
	return CB_OK;
}

static void show(struct cb_store *s, const struct cb_ptable *pt)
{
	struct cb_ptable_params pp;
	char *v = NULL;
	if (cb_ptable_params(pt, &pp))
		printf("ptable: generated, maximum entropy: D=%d (maximum deviation), V=%g (variance), js=%d (no "
		       "positive published value <= js)\n", pp.d, pp.v, pp.js);
	else
		printf("ptable: imported (ONS CSV layout)\n");
	printf("threshold: %s (published values below it are suppressed)\n",
	       cb_store_meta_get(s, "stats.threshold", &v) == CB_OK ? v : "10");
	free(v);
	v = NULL;
	printf("require consent: %s (only cases with consent_statistics = yes count)\n",
	       cb_store_meta_get(s, "stats.require_consent", &v) == CB_OK ? v : "yes");
	free(v);
}

/* The changes `ptable` was asked for, each with its audit entry, inside the caller's transaction: a new table
 * (neu, recorded as act with detail gen), the threshold, the consent setting. */
static int save_settings(struct cb_store *s, const struct cb_ptable *neu, enum cb_audit_action act, const char *gen,
			 const char *thr, const char *cons, struct cb_err *err)
{
	int rc = CB_OK;
	if (neu && ((rc = cb_ptable_save(s, neu, err)) || (rc = cb_store_audit(s, act, NULL, NULL, gen, err))))
		return rc;
	if (thr && ((rc = cb_store_meta_set(s, "stats.threshold", thr, err)) ||
		    (rc = cb_store_audit(s, CB_AUD_STATS_THRESHOLD, NULL, NULL, thr, err))))
		return rc;
	if (cons && ((rc = cb_store_meta_set(s, "stats.require_consent", cons, err)) ||
		     (rc = cb_store_audit(s, CB_AUD_STATS_CONSENT, NULL, NULL, cons, err))))
		return rc;
	return CB_OK;
}

int cb_cmd_ptable(int argc, char **argv)
{
	enum { O_SHOW, O_EXPORT, O_IMPORT, O_GENERATE, O_THRESHOLD, O_CONSENT, O__N };
	static const struct option opts[] = {{"show", no_argument, NULL, O_SHOW},
					     {"export", required_argument, NULL, O_EXPORT},
					     {"import", required_argument, NULL, O_IMPORT},
					     {"generate", required_argument, NULL, O_GENERATE},
					     {"threshold", required_argument, NULL, O_THRESHOLD},
					     {"require-consent", required_argument, NULL, O_CONSENT}, {0}};
	const char *v[O__N] = {0};
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct cb_ptable *pt = NULL, *neu = NULL;
	char *text = NULL, *csv = NULL;
	size_t len = 0, csvlen = 0;
	int first = cb_cli_parse(argc, argv, opts, v, O__N), rc;
	if ((rc = cb_cli_args(argc, first, 1, ptable_usage)))
		return rc;
	const char *db = argv[first], *exp = v[O_EXPORT], *imp = v[O_IMPORT], *gen = v[O_GENERATE],
		   *thr = v[O_THRESHOLD], *cons = v[O_CONSENT];
	bool want_show = v[O_SHOW] != NULL;
	const char *what = "ptable";
	if (imp && gen)
		return usage("ptable", ptable_usage, "--import and --generate exclude each other");
	if (thr) {
		char *e;
		long t = strtol(thr, &e, 10);
		if (!*thr || *e || t < 1 || t > 1000000)
			return usage("ptable", ptable_usage, "--threshold must be a whole number from 1 to 1000000");
	}
	if (cons && strcmp(cons, "yes") != 0 && strcmp(cons, "no") != 0)
		return usage("ptable", ptable_usage, "--require-consent must be yes or no");
	if (!imp && !gen && !thr && !cons && !exp)
		want_show = true;

	/* read-write even for --show: the parameters in use are recorded the first time they are looked at */
	if ((rc = cb_cli_open(db, 0, &s)))
		goto done;
	if (imp) {
		what = imp; /* errors name the file and its line */
		if ((rc = cb_file_read(imp, 64u << 20, &text, &len, &err)) ||
		    (rc = cb_ptable_read_csv(text, len, &neu, &err)))
			goto out;
		what = "ptable";
	}
	if (gen) {
		struct cb_ptable_params pp;
		if ((rc = parse_params(gen, &pp, &err)) || (rc = cb_ptable_generate(&pp, &neu, &err)))
			goto out;
	}
	/* every change and its audit entry in one transaction: none is kept without its entry */
	if ((neu || thr || cons) && (rc = cb_store_begin(s, &err)) == CB_OK) {
		if ((rc = save_settings(s, neu, imp ? CB_AUD_PTABLE_IMPORT : CB_AUD_PTABLE_GENERATE, gen, thr, cons,
					&err)) == CB_OK)
			rc = cb_store_commit(s, &err); /* rolls back itself when it fails */
		else
			cb_store_rollback(s);
	}
	if (rc != CB_OK)
		goto out;
	if ((rc = cb_ptable_load(s, &pt, &err)))
		goto out;
	char *src = NULL;
	if (cb_store_meta_get(s, "ptable.source", &src) == CB_ENOTFOUND && (rc = cb_ptable_save(s, pt, &err)))
		goto out;
	free(src);
	if (exp) {
		FILE *m = open_memstream(&csv, &csvlen);
		if (!m) {
			rc = cb_err_set(&err, CB_ENOMEM, "out of memory");
			goto out;
		}
		rc = cb_ptable_write_csv(pt, m);
		if (fclose(m) != 0 && rc == CB_OK)
			rc = CB_EIO;
		if (rc) {
			cb_err_set(&err, rc, "%s: cannot write the table", exp);
			goto out;
		}
		/* the ptable is secret: owner-only file, and the export is recorded first -- an entry for a write
		 * that then failed says too much, a table written without its entry too little */
		if ((rc = cb_store_audit(s, CB_AUD_PTABLE_EXPORT, NULL, NULL, NULL, &err)) ||
		    (rc = cb_file_write_atomic(exp, csv, csvlen, 0600, &err)))
			goto out;
		fprintf(stderr, _("casebank: ptable written to %s (secret: keep it with the key)\n"), exp);
	}
	if (want_show)
		show(s, pt);
out:
	if (rc != CB_OK)
		cb_cli_error(what, &err);
done:
	if (text) /* ptable contents are secret */
		explicit_bzero(text, len);
	if (csv)
		explicit_bzero(csv, csvlen);
	free(text);
	free(csv);
	cb_ptable_free(&pt);
	cb_ptable_free(&neu);
	cb_store_free(&s);
	return rc == CB_EINVAL ? CB_EXIT_USAGE : cb_cli_exit(rc);
}

/* ---- release */

static const char release_usage[] =
	"release DB [--year Y ...] [--rho R] [--force] | --cap R [--year Y] | --every HOURS | --ledger";

/* A number given on the command line (the setting itself checks its range). */
static int number(const char *text, const char *option, const char *expected, double *v, struct cb_err *err)
{
	char *e;
	*v = strtod(text, &e);
	return !*text || *e ? cb_err_set(err, CB_EINVAL, "%s: expected %s, got '%s'", option, expected, text) : CB_OK;
}

int cb_cmd_release(int argc, char **argv)
{
	static const struct option opts[] = {{"year", required_argument, NULL, 'y'}, {"rho", required_argument, NULL, 'r'},
					     {"force", no_argument, NULL, 'f'},        {"cap", required_argument, NULL, 'c'},
					     {"ledger", no_argument, NULL, 'l'},       {"every", required_argument, NULL, 'e'},
					     {0}};
	struct cb_release_opts o = {0};
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	int years[64], ny = 0, c, rc;
	const char *cap = NULL, *every = NULL;
	bool ledger = false;
	opterr = 0;
	optind = 0; /* glibc: re-initialise for each command */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *e = NULL;
		switch (c) {
		case 'y': {
			long y = strtol(optarg, &e, 10);
			if (!*optarg || *e || y < cb_fields[CB_FLD_year].lo || y > cb_fields[CB_FLD_year].hi)
				return usage("release", release_usage, "--year takes a year of registration, such as 2019");
			if (ny == (int)CB_COUNTOF(years))
				return usage("release", release_usage, "at most 64 --year");
			years[ny++] = (int)y;
			break;
		}
		case 'r':
			o.rho = strtod(optarg, &e);
			if (!*optarg || *e || !(o.rho > 0) || o.rho > 100)
				return usage("release", release_usage, "--rho takes a number above 0 and at most 100, such as 0.2");
			break;
		case 'f': o.force = true; break;
		case 'c': cap = optarg; break;
		case 'l': ledger = true; break;
		case 'e': every = optarg; break;
		default: return usage("release", release_usage, "unknown option");
		}
	}
	if ((rc = cb_cli_args(argc, optind, 1, release_usage)))
		return rc;
	if (cap && ny > 1)
		return usage("release", release_usage, "--cap takes at most one --year");
	if ((rc = cb_cli_open(argv[optind], ledger ? CB_OPEN_READONLY : 0, &s)))
		return rc;
	if (ledger) {
		rc = cb_release_ledger(s, stdout, &err);
	} else if (every || cap) { /* a setting, then the ledger it applies to */
		double v;
		rc = every ? number(every, "--every", "hours such as 24", &v, &err)
			   : number(cap, "--cap", "a rho such as 0.4", &v, &err);
		if (rc == CB_OK)
			rc = every ? cb_release_set_schedule(s, v, &err) : cb_release_set_cap(s, ny ? years[0] : 0, v, &err);
		if (rc == CB_OK)
			rc = cb_release_ledger(s, stdout, &err);
	} else {
		o.years = ny ? years : NULL;
		o.nyears = ny;
		rc = cb_release_run(s, &o, stdout, &err);
	}
	if (rc != CB_OK)
		cb_cli_error("release", &err);
	cb_store_free(&s);
	/* some years refused over their cap, the others released: like an import with rejected rows */
	return rc == CB_EINVAL ? CB_EXIT_USAGE : rc == CB_EPERM ? CB_EXIT_PARTIAL : cb_cli_exit(rc);
}
