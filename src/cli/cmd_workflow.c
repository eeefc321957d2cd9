/*
 * cmd_workflow.c -- a case's course and an office's view of it: `casebank stage` (move a case through the
 * workflow, or reopen it), `casebank followup add|list|done` and `casebank dashboard`.  Thin shells over the
 * casework layer (care/assist.h), run as the local data operator.  Follow-up notes may describe a person:
 * read from stdin with "-", printed only with --with-identifiers, which is recorded.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "access/access.h"
#include "care/assist.h"
#include "store/store.h"
#include "util/i18n.h"

static const char followup_usage[] = "followup add DB CASE_ID --due DATE [--note TEXT|-]\n"
				     "       casebank followup list DB [--site S] [--case CASE_ID] [--overdue]\n"
				     "       casebank followup done DB FOLLOWUP_ID [--on DATE]";

/* ---- stage */

int cb_cmd_stage(int argc, char **argv)
{
	enum { O_REASON, O_N };
	static const struct option opts[] = {{"reason", required_argument, NULL, O_REASON}, {0}};
	static const char usage[] = "stage DB CASE_ID NEW_STAGE|reopen [--reason TEXT|-]";
	const char *v[O_N] = {0};
	uint8_t id[16];
	int32_t to;
	char *reason = NULL;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc = CB_EINVAL;
	if ((ex = cb_cli_args(argc, first, 3, usage)))
		return ex;
	if (cb_cli_case_id(argv[first + 1], id))
		goto out;
	if (cb_stage_parse(argv[first + 2], &to, &err) != CB_OK) {
		cb_cli_error("stage", &err);
		goto out;
	}
	if ((rc = cb_cli_text_read("--reason", v[O_REASON], &reason)) != CB_OK || (rc = cb_cli_open(argv[first], 0, &s)))
		goto out;
	if ((rc = cb_stage_move(s, id, to, reason, NULL, &err)) != CB_OK) {
		cb_cli_error(argv[first + 1], &err);
		goto out;
	}
	int32_t now = CB_NA;
	cb_stage_get(s, id, &now, NULL);
	printf("%s %s\n", argv[first + 1], cb_cli_name(CB_VS_case_stage, now));
out:
	cb_cli_text_free(&reason);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

/* ---- followup */

static int followup_add(int argc, char **argv)
{
	enum { O_DUE, O_NOTE, O_N };
	static const struct option opts[] = {{"due", required_argument, NULL, O_DUE},
					     {"note", required_argument, NULL, O_NOTE}, {0}};
	const char *v[O_N] = {0};
	struct cb_followup f;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc = CB_EINVAL;
	if ((ex = cb_cli_args(argc, first, 2, followup_usage)))
		return ex;
	cb_followup_init(&f);
	if (!v[O_DUE]) {
		fprintf(stderr, _("casebank: followup add: --due is required\n"));
		return CB_EXIT_USAGE;
	}
	if (cb_cli_case_id(argv[first + 1], f.case_id) || cb_cli_date("--due", v[O_DUE], &f.due_on) ||
	    (rc = cb_cli_text_read("--note", v[O_NOTE], &f.note)) != CB_OK || (rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_store_act_begin(s, &err)) != CB_OK ||
	    (rc = cb_cli_act_end(s, cb_followup_add(s, &f, &err), CB_AUD_FOLLOWUP_ADD, f.case_id,
				 f.note ? "due_on,note" : "due_on", NULL, &err)) != CB_OK) {
		cb_cli_error("followup add", &err);
		goto out;
	}
	printf("%lld\n", (long long)f.id);
out:
	cb_followup_clear(&f);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int print_followup(const struct cb_followup *f, void *ctx)
{
	char id[CB_ID_TEXT], d1[11], d2[11];
	(void)ctx;
	cb_case_id_format(f->case_id, id);
	printf("%lld\t%s\t%s\t%s\t%s\n", (long long)f->id, id, f->site, cb_cli_day(f->due_on, d1),
	       cb_cli_day(f->done_on, d2));
	return 0;
}

static int followup_list(int argc, char **argv)
{
	enum { O_SITE, O_CASE, O_OVERDUE, O_N };
	static const struct option opts[] = {{"site", required_argument, NULL, O_SITE},
					     {"case", required_argument, NULL, O_CASE},
					     {"overdue", no_argument, NULL, O_OVERDUE}, {0}};
	const char *v[O_N] = {0};
	uint8_t id[16];
	struct cb_followup_filter f = {.today = CB_NA};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc;
	if ((ex = cb_cli_args(argc, first, 1, followup_usage)))
		return ex;
	if (v[O_CASE] && cb_cli_case_id(v[O_CASE], id))
		return CB_EXIT_USAGE;
	f.site = v[O_SITE];
	f.case_id = v[O_CASE] ? id : NULL;
	f.overdue = v[O_OVERDUE] != NULL;
	if ((rc = cb_cli_open(argv[first], CB_OPEN_READONLY, &s)) != CB_OK)
		goto out;
	printf("id\tcase_id\tsite\tdue\tdone\n");
	if ((rc = cb_followup_list(s, &f, 0, print_followup, NULL, &err)) != CB_OK)
		cb_cli_error("followup list", &err);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int followup_done(int argc, char **argv)
{
	enum { O_ON, O_N };
	static const struct option opts[] = {{"on", required_argument, NULL, O_ON}, {0}};
	const char *v[O_N] = {0};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int64_t id;
	int32_t day;
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc;
	if ((ex = cb_cli_args(argc, first, 2, followup_usage)))
		return ex;
	if (cb_cli_int64("FOLLOWUP_ID", argv[first + 1], &id) || cb_cli_date("--on", v[O_ON], &day))
		return CB_EXIT_USAGE;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_store_act_begin(s, &err)) != CB_OK ||
	    (rc = cb_cli_act_end(s, cb_followup_done(s, id, day, &err), CB_AUD_FOLLOWUP_DONE, NULL, "done_on", NULL, &err)) !=
		    CB_OK)
		cb_cli_error("followup done", &err);
	else
		printf("%lld done\n", (long long)id);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_followup(int argc, char **argv)
{
	static const struct cb_cli_sub subs[] = {{"add", followup_add}, {"list", followup_list}, {"done", followup_done}};
	return cb_cli_subs(argc, argv, subs, CB_COUNTOF(subs), followup_usage);
}

/* ---- dashboard */

static int print_overdue(const struct cb_followup *f, void *ctx)
{
	char id[CB_ID_TEXT], d[11];
	(void)ctx;
	cb_case_id_format(f->case_id, id);
	printf("  %s  due %s\n", id, cb_cli_day(f->due_on, d));
	return 0;
}

static void print_dashboard(const struct cb_dashboard *d)
{
	char m[11];
	long open = 0;
	for (int i = 0; i < CB_case_stage__COUNT; i++)
		open += i == CB_case_stage_closed ? 0 : d->by_stage[i];
	printf("Open cases by stage (%ld open, %ld closed)\n", open, d->by_stage[CB_case_stage_closed]);
	for (int i = 0; i < CB_case_stage__COUNT; i++)
		if (i != CB_case_stage_closed)
			printf("  %-14s %6ld\n", cb_cli_name(CB_VS_case_stage, i), d->by_stage[i]);
	printf("\nAssistance delivered (ongoing or completed) by type and month of start\n  %-24s", "type");
	for (int k = 0; k < CB_DASH_MONTHS; k++) {
		char t[40];
		cb_date_format(d->month0, m);
		int y = atoi(m), mo = atoi(m + 5) + k;
		y += (mo - 1) / 12;
		mo = (mo - 1) % 12 + 1;
		snprintf(t, sizeof t, "%04d-%02d", y, mo);
		printf(" %7s", t);
	}
	printf("\n");
	for (int t = 0; t < CB_assistance_type__COUNT; t++) {
		long row = 0;
		for (int k = 0; k < CB_DASH_MONTHS; k++)
			row += d->delivered[k][t];
		if (!row)
			continue;
		printf("  %-24s", cb_cli_name(CB_VS_assistance_type, t));
		for (int k = 0; k < CB_DASH_MONTHS; k++)
			printf(" %7ld", d->delivered[k][t]);
		printf("\n");
	}
	printf("\nOverdue follow-ups: %ld\n", d->overdue);
}

int cb_cmd_dashboard(int argc, char **argv)
{
	enum { O_SITE, O_N };
	static const struct option opts[] = {{"site", required_argument, NULL, O_SITE}, {0}};
	const char *v[O_N] = {0};
	struct cb_dashboard d = {0};
	struct cb_followup_filter f = {.overdue = true, .today = CB_NA};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc;
	if ((ex = cb_cli_args(argc, first, 1, "dashboard DB [--site S]")))
		return ex;
	f.site = v[O_SITE];
	if ((rc = cb_cli_open(argv[first], CB_OPEN_READONLY, &s)) != CB_OK)
		goto out;
	if ((rc = cb_dashboard(s, v[O_SITE], CB_NA, &d, &err)) != CB_OK) {
		cb_cli_error("dashboard", &err);
		goto out;
	}
	printf("Dashboard%s%s (exact counts for casework; not for publication)\n\n", v[O_SITE] ? " of " : "",
	       v[O_SITE] ? v[O_SITE] : "");
	print_dashboard(&d);
	if ((rc = cb_followup_list(s, &f, 0, print_overdue, NULL, &err)) != CB_OK) {
		cb_cli_error("dashboard", &err);
		goto out;
	}
	printf("\nShelter occupancy today\n");
	if (!d.nshelters)
		printf("  (no shelters in the partner directory)\n");
	for (int i = 0; i < d.nshelters; i++)
		printf("  %-6lld %-40s %4d / %-4d beds%s\n", (long long)d.shelters[i].id, d.shelters[i].name,
		       d.shelters[i].occupied, d.shelters[i].beds,
		       d.shelters[i].occupied > d.shelters[i].beds ? "  OVER CAPACITY" : "");
out:
	cb_dashboard_clear(&d);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}
