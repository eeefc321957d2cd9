/*
 * cmd_assist.c -- `casebank assist` and `casebank refer`: a case's assistance records and its referrals to
 * partner organisations.  Thin shells over the casework layer (care/assist.h).
 *
 * The command line runs as the local data operator (the library's `by` NULL): it may override a missing
 * consent to share, which is recorded.  Notes and details may describe a person: they are read from stdin
 * when given as "-", sealed by the store, and printed only with --with-identifiers, which is recorded.
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

static const char assist_usage[] = "assist add DB CASE_ID --type T [--provider ORG_ID] [--planned DATE] [--start DATE]\n"
				   "         [--end DATE] [--status S] [--notes TEXT|-]\n"
				   "       casebank assist set DB RECORD_ID [--status S] [--start DATE] [--end DATE]\n"
				   "       casebank assist list DB CASE_ID [--with-identifiers]";
static const char refer_usage[] = "refer DB CASE_ID --to ORG_ID --reason R [--in] [--no-details] [--details TEXT|-]\n"
				  "         [--override-consent REASON]\n"
				  "       casebank refer list DB CASE_ID [--with-identifiers]\n"
				  "       casebank refer set DB REFERRAL_ID STATUS";

static void warn_capacity(const struct cb_capacity *cap, int64_t provider)
{
	char d[11];
	if (!cap->over)
		return;
	cb_date_format(cap->day, d);
	fprintf(stderr,
		"casebank: warning: shelter %lld has %d beds and %d placements on %s: over capacity (the record is "
		"stored)\n",
		(long long)provider, cap->beds, cap->occupied, d);
}

static int assist_add(int argc, char **argv)
{
	enum { O_TYPE, O_PROVIDER, O_PLANNED, O_START, O_END, O_STATUS, O_NOTES, O_N };
	static const struct option opts[] = {
		{"type", required_argument, NULL, O_TYPE},	 {"provider", required_argument, NULL, O_PROVIDER},
		{"planned", required_argument, NULL, O_PLANNED}, {"start", required_argument, NULL, O_START},
		{"end", required_argument, NULL, O_END},	 {"status", required_argument, NULL, O_STATUS},
		{"notes", required_argument, NULL, O_NOTES},	 {0}};
	const char *v[O_N] = {0};
	struct cb_assist a;
	struct cb_capacity cap = {0};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc = CB_EINVAL;
	if ((ex = cb_cli_args(argc, first, 2, assist_usage)))
		return ex;
	cb_assist_init(&a);
	if (!v[O_TYPE]) {
		fprintf(stderr, _("casebank: assist add: --type is required\n"));
		return CB_EXIT_USAGE;
	}
	if (cb_cli_case_id(argv[first + 1], a.case_id) || cb_cli_value("--type", CB_VS_assistance_type, v[O_TYPE], &a.type) ||
	    cb_cli_value("--status", CB_VS_assistance_status, v[O_STATUS], &a.status) ||
	    (v[O_PROVIDER] && cb_cli_int64("--provider", v[O_PROVIDER], &a.provider)) ||
	    cb_cli_date("--planned", v[O_PLANNED], &a.planned_on) || cb_cli_date("--start", v[O_START], &a.start_on) ||
	    cb_cli_date("--end", v[O_END], &a.end_on) || (rc = cb_cli_text_read("--notes", v[O_NOTES], &a.notes)) != CB_OK)
		goto out;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_store_act_begin(s, &err)) != CB_OK ||
	    (rc = cb_cli_act_end(s, cb_assist_add(s, &a, NULL, &cap, &err), CB_AUD_ASSISTANCE_ADD, a.case_id, NULL, NULL,
				 &err)) != CB_OK) {
		cb_cli_error("assist add", &err);
		goto out;
	}
	warn_capacity(&cap, a.provider);
	printf("%lld\n", (long long)a.id);
out:
	cb_assist_clear(&a);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int assist_set(int argc, char **argv)
{
	enum { O_STATUS, O_START, O_END, O_N };
	static const struct option opts[] = {{"status", required_argument, NULL, O_STATUS},
					     {"start", required_argument, NULL, O_START},
					     {"end", required_argument, NULL, O_END}, {0}};
	const char *v[O_N] = {0};
	struct cb_assist a;
	struct cb_capacity cap = {0};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int64_t id = 0;
	int32_t status, start, end;
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc = CB_EINVAL;
	if ((ex = cb_cli_args(argc, first, 2, assist_usage)))
		return ex;
	cb_assist_init(&a);
	if (cb_cli_int64("RECORD_ID", argv[first + 1], &id) || cb_cli_value("--status", CB_VS_assistance_status, v[O_STATUS], &status) ||
	    cb_cli_date("--start", v[O_START], &start) || cb_cli_date("--end", v[O_END], &end))
		goto out;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_assist_get(s, id, 0, &a, &err)) != CB_OK) {
		cb_cli_error("assist set", &err);
		goto out;
	}
	a.status = v[O_STATUS] ? status : a.status;
	a.start_on = v[O_START] ? start : a.start_on;
	a.end_on = v[O_END] ? end : a.end_on;
	if ((rc = cb_store_act_begin(s, &err)) != CB_OK ||
	    (rc = cb_cli_act_end(s, cb_assist_update(s, &a, 0, NULL, &cap, &err), CB_AUD_ASSISTANCE_UPDATE, a.case_id,
				 "status,start_on,end_on", NULL, &err)) != CB_OK) {
		cb_cli_error("assist set", &err);
		goto out;
	}
	warn_capacity(&cap, a.provider);
	printf("%lld %s\n", (long long)a.id, cb_cli_name(CB_VS_assistance_status, a.status));
out:
	cb_assist_clear(&a);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int print_assist(const struct cb_assist *a, void *ctx)
{
	char d1[11], d2[11], d3[11];
	(void)ctx;
	printf("%lld\t%s\t", (long long)a->id, cb_cli_name(CB_VS_assistance_type, a->type));
	if (a->provider)
		printf("%lld", (long long)a->provider);
	else
		printf("own");
	printf("\t%s\t%s\t%s\t%s\n", cb_cli_day(a->planned_on, d1), cb_cli_day(a->start_on, d2),
	       cb_cli_day(a->end_on, d3), cb_cli_name(CB_VS_assistance_status, a->status));
	cb_cli_note("notes", a->notes);
	return 0;
}

static int print_referral(const struct cb_referral *r, void *ctx)
{
	char d1[11], d2[11];
	(void)ctx;
	printf("%lld\t%s\t%lld\t%s\t%s\t%s\t%s\t%s%s\n", (long long)r->id, r->direction == CB_REFER_OUT ? "out" : "in",
	       (long long)r->org_id, cb_cli_name(CB_VS_referral_reason, r->reason), cb_cli_name(CB_VS_referral_status, r->status),
	       cb_cli_day(r->referred_on, d1), cb_cli_day(r->status_on, d2), r->shares_details ? "shared" : "withheld",
	       r->consent_overridden ? " (consent overridden)" : "");
	cb_cli_note("details", r->details);
	if (r->consent_overridden)
		cb_cli_note("override reason", r->override_reason);
	return 0;
}

/* `assist list` and `refer list`: DB CASE_ID [--with-identifiers], recorded when identifiers are shown. */
static int list_for_case(int argc, char **argv, const char *usage, const char *what, bool assist)
{
	enum { O_PII, O_N };
	static const struct option opts[] = {{"with-identifiers", no_argument, NULL, O_PII}, {0}};
	const char *v[O_N] = {0};
	uint8_t id[16];
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc;
	if ((ex = cb_cli_args(argc, first, 2, usage)))
		return ex;
	if (cb_cli_case_id(argv[first + 1], id))
		return CB_EXIT_USAGE;
	const unsigned flags = v[O_PII] ? CB_WITH_PII : 0;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	/* the list is printed as it is read, so the entry comes first and names every field --identifiers may show */
	if (v[O_PII] && (rc = cb_store_audit(s, assist ? CB_AUD_ASSISTANCE_READ : CB_AUD_REFERRAL_READ, id,
					     assist ? "notes" : "details,override_reason", NULL, &err))) {
		cb_cli_error(what, &err);
		goto out;
	}
	if (assist) {
		printf("id\ttype\tprovider\tplanned\tstart\tend\tstatus\n");
		rc = cb_assist_list(s, id, flags, print_assist, NULL, &err);
	} else {
		printf("id\tdirection\torg\treason\tstatus\treferred\tstatus_on\tdetails\n");
		rc = cb_referral_list(s, id, flags, print_referral, NULL, &err);
	}
	if (rc != CB_OK)
		cb_cli_error(what, &err);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int assist_list(int argc, char **argv)
{
	return list_for_case(argc, argv, assist_usage, "assist list", true);
}

int cb_cmd_assist(int argc, char **argv)
{
	static const struct cb_cli_sub subs[] = {{"add", assist_add}, {"set", assist_set}, {"list", assist_list}};
	return cb_cli_subs(argc, argv, subs, CB_COUNTOF(subs), assist_usage);
}

/* ---- refer */

static int refer_add(int argc, char **argv)
{
	enum { O_TO, O_REASON, O_IN, O_NODETAILS, O_DETAILS, O_OVERRIDE, O_N };
	static const struct option opts[] = {
		{"to", required_argument, NULL, O_TO},		 {"reason", required_argument, NULL, O_REASON},
		{"in", no_argument, NULL, O_IN},		 {"no-details", no_argument, NULL, O_NODETAILS},
		{"details", required_argument, NULL, O_DETAILS}, {"override-consent", required_argument, NULL, O_OVERRIDE},
		{0}};
	const char *v[O_N] = {0};
	struct cb_referral r;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc = CB_EINVAL;
	if ((ex = cb_cli_args(argc, first, 2, refer_usage)))
		return ex;
	cb_referral_init(&r);
	if (!v[O_TO] || !v[O_REASON]) {
		fprintf(stderr, _("casebank: refer: --to and --reason are required\nusage: casebank %s\n"), refer_usage);
		return CB_EXIT_USAGE;
	}
	r.direction = v[O_IN] ? CB_REFER_IN : CB_REFER_OUT;
	r.shares_details = !v[O_NODETAILS];
	if (cb_cli_case_id(argv[first + 1], r.case_id) || cb_cli_int64("--to", v[O_TO], &r.org_id) ||
	    cb_cli_value("--reason", CB_VS_referral_reason, v[O_REASON], &r.reason) ||
	    (rc = cb_cli_text_read("--details", v[O_DETAILS], &r.details)) != CB_OK)
		goto out;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_store_act_begin(s, &err)) != CB_OK ||
	    (rc = cb_cli_act_end(s, cb_referral_add(s, &r, v[O_OVERRIDE], NULL, &err), CB_AUD_REFERRAL_ADD, r.case_id, NULL,
				 NULL, &err)) != CB_OK) {
		cb_cli_error("refer", &err);
		goto out;
	}
	if (r.consent_overridden)
		fprintf(stderr, _("casebank: refer: consent_share_partners overridden; recorded in the audit trail\n"));
	printf("%lld\n", (long long)r.id);
out:
	cb_referral_clear(&r);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int refer_set(int argc, char **argv)
{
	static const struct option opts[] = {{0}};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int64_t id;
	int32_t status;
	int first = cb_cli_parse(argc, argv, opts, NULL, 0), ex, rc;
	if ((ex = cb_cli_args(argc, first, 3, refer_usage)))
		return ex;
	if (cb_cli_int64("REFERRAL_ID", argv[first + 1], &id) ||
	    cb_cli_value("STATUS", CB_VS_referral_status, argv[first + 2], &status))
		return CB_EXIT_USAGE;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_store_act_begin(s, &err)) == CB_OK) {
		struct cb_referral r;
		cb_referral_init(&r);
		int act = cb_referral_set_status(s, id, status, &err);
		if (act == CB_OK)
			act = cb_referral_get(s, id, 0, &r, &err); /* its case, for the entry */
		rc = cb_cli_act_end(s, act, CB_AUD_REFERRAL_UPDATE, r.case_id, "status", NULL, &err);
		cb_referral_clear(&r);
	}
	if (rc != CB_OK) {
		cb_cli_error("refer set", &err);
		goto out;
	}
	printf("%lld %s\n", (long long)id, cb_cli_name(CB_VS_referral_status, status));
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_refer(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list_for_case(argc - 1, argv + 1, refer_usage, "refer list", false);
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return refer_set(argc - 1, argv + 1);
	return refer_add(argc, argv);
}
