/*
 * cmd_find.c -- finding people: search, duplicates, link, dismiss, and the "possible duplicate" warning that
 * registration prints (cb_cli_warn_duplicates).  Output names cases by id, office, score and the fields
 * that agree: never an identifying detail, so it may be pasted into a ticket.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care/linkage.h"
#include "cli/cli.h"
#include "store/audit.h"
#include "store/tokens.h"
#include "util/i18n.h"

int cb_cmd_search(int argc, char **argv)
{
	enum { O_NAME, O_BIRTH, O_PHONE, O_SITE, O_N };
	static const struct option opts[] = {{"name", required_argument, NULL, O_NAME},
					     {"birth-date", required_argument, NULL, O_BIRTH},
					     {"phone", required_argument, NULL, O_PHONE},
					     {"site", required_argument, NULL, O_SITE}, {0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, 1, "search DB [--name TEXT] [--birth-date D] [--phone P] [--site S]")))
		return ex;
	struct cb_search_query q = {v[O_NAME], v[O_BIRTH], v[O_PHONE], v[O_SITE]};
	struct cb_search_hit *hits = NULL;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	size_t n = 0;
	char kinds[64];
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc != CB_OK)
		goto out;
	cb_search_kinds(&q, kinds, sizeof kinds);
	/* recorded before anything is shown: which kinds of details were searched, never the text */
	if ((rc = cb_search(s, &q, &hits, &n, &err)) != CB_OK ||
	    (rc = cb_store_audit(s, CB_AUD_CASE_SEARCH, NULL, NULL, kinds, &err)) != CB_OK) {
		cb_cli_error("search", &err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char id[CB_ID_TEXT];
		cb_case_id_format(hits[i].id, id);
		printf("%s\t%s\t%.2f\t%s\n", id, hits[i].site, hits[i].score, hits[i].matched);
	}
	if (n == 0)
		fprintf(stderr, _("no cases match\n"));
out:
	free(hits);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int parse_score(const char *text, double *out)
{
	char *end = NULL;
	*out = CB_DUP_MIN_SCORE;
	if (!text)
		return CB_OK;
	*out = strtod(text, &end);
	if (!*text || *end || !(*out > 0 && *out <= 1)) {
		fprintf(stderr, _("casebank: --min-score: expected a number above 0 and at most 1\n"));
		return CB_EINVAL;
	}
	return CB_OK;
}

static void print_pair(const struct cb_dup_pair *p)
{
	char a[CB_ID_TEXT], b[CB_ID_TEXT], agree[96];
	cb_case_id_format(p->a, a);
	cb_case_id_format(p->b, b);
	cb_dup_agree_text(p->agree, agree, sizeof agree);
	printf("%s\t%s\t%s\t%s\t%.3f\t%s\n", a, p->site_a, b, p->site_b, p->score, agree[0] ? agree : "-");
}

int cb_cmd_duplicates(int argc, char **argv)
{
	enum { O_MIN, O_SITE, O_N };
	static const struct option opts[] = {{"min-score", required_argument, NULL, O_MIN},
					     {"site", required_argument, NULL, O_SITE}, {0}};
	const char *v[O_N] = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex;
	if ((ex = cb_cli_args(argc, first, 1, "duplicates DB [--min-score S] [--site S]")))
		return ex;
	double min;
	if (parse_score(v[O_MIN], &min) != CB_OK)
		return CB_EXIT_USAGE;
	struct cb_dup_pair *pairs = NULL;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	size_t n = 0;
	long compared = 0;
	char detail[64];
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc != CB_OK)
		goto out;
	snprintf(detail, sizeof detail, "site=%s min_score=%.3f", v[O_SITE] ? v[O_SITE] : "*", min);
	if ((rc = cb_duplicates(s, min, v[O_SITE], &pairs, &n, &compared, &err)) != CB_OK ||
	    (rc = cb_store_audit(s, CB_AUD_CASE_DUPLICATES, NULL, NULL, detail, &err)) != CB_OK) {
		cb_cli_error("duplicates", &err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		print_pair(&pairs[i]);
	fprintf(stderr, _("%zu possible duplicate pairs (%ld pairs compared)\n"), n, compared);
out:
	free(pairs);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

/* link and dismiss: DB ID1 ID2 */
static int decide(int argc, char **argv, bool linked)
{
	static const struct option opts[] = {{0}};
	const char *usage = linked ? "link DB ID1 ID2" : "dismiss DB ID1 ID2";
	int first = cb_cli_parse(argc, argv, opts, NULL, 0), ex;
	uint8_t a[16], b[16];
	if ((ex = cb_cli_args(argc, first, 3, usage)))
		return ex;
	for (int i = 1; i <= 2; i++)
		if (cb_case_id_parse(argv[first + i], i == 1 ? a : b) != CB_OK) {
			fprintf(stderr, _("casebank: %s: not a case id (26 characters A-Z and 2-7)\n"), argv[first + i]);
			return CB_EXIT_USAGE;
		}
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int rc = cb_cli_open(argv[first], 0, &s);
	if (rc == CB_OK && (rc = cb_store_link_set(s, a, b, linked, NULL, NULL, &err)) != CB_OK)
		cb_cli_error(linked ? "link" : "dismiss", &err);
	else if (rc == CB_OK)
		printf("%s %s %s\n", argv[first + 1], linked ? "linked with" : "is not", argv[first + 2]);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_link(int argc, char **argv)
{
	return decide(argc, argv, true);
}

int cb_cmd_dismiss(int argc, char **argv)
{
	return decide(argc, argv, false);
}

int cb_cli_warn_duplicates(struct cb_store *s, const uint8_t id[16])
{
	struct cb_dup_pair *pairs = NULL;
	struct cb_err err = {0};
	size_t n = 0;
	int rc = cb_duplicates_of(s, id, CB_DUP_MIN_SCORE, &pairs, &n, &err);
	if (rc != CB_OK) {
		cb_cli_error("duplicate check", &err);
	} else {
		for (size_t i = 0; i < n; i++) {
			char other[CB_ID_TEXT];
			cb_case_id_format(pairs[i].b, other);
			/* the other office's case by id and office only: nothing of what it holds */
			fprintf(stderr, _("possible duplicate: office %s case %s\n"), pairs[i].site_b, other);
		}
	}
	free(pairs);
	return rc;
}

static int newest(const struct cb_store_list_row *row, void *ctx)
{
	memcpy(ctx, row->id, 16);
	return 1;
}

int cb_cli_warn_newest(struct cb_store *s)
{
	uint8_t id[16];
	struct cb_err err = {0};
	int rc = cb_store_list(s, NULL, 0, 1, newest, id, NULL, &err);
	return rc == 1 ? cb_cli_warn_duplicates(s, id) : rc;
}
