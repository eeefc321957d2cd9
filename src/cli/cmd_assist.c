/*
 * cmd_assist.c -- the commands of the help a person receives: `partner`, `assist`, `refer`, `stage`,
 * `followup` and `dashboard`.  Thin shells over care/assist.h.
 *
 * The command line runs as the local data operator (the library's `by` NULL): it may manage partners and
 * override a missing consent, which is recorded.  Notes and details may describe a person: they are read
 * from stdin when given as "-" (text on a command line is visible to other local users), sealed by the
 * store, and printed only with --with-identifiers, which is recorded as an event.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "care/assist.h"
#include "access/access.h"
#include "store/store.h"

#define TEXT_MAX CB_NOTE_MAX

static const char partner_usage[] = "partner add DB --name N --type T --country CC [--services a,b] [--beds N]\n"
				    "         [--city C] [--phone P] [--serves CC,CC] [--site S]\n"
				    "       casebank partner list DB [--service T] [--country CC] [--site S]";
static const char assist_usage[] = "assist add DB CASE_ID --type T [--provider ORG_ID] [--planned DATE] [--start DATE]\n"
				   "         [--end DATE] [--status S] [--notes TEXT|-]\n"
				   "       casebank assist set DB RECORD_ID [--status S] [--start DATE] [--end DATE]\n"
				   "       casebank assist list DB CASE_ID [--with-identifiers]";
static const char refer_usage[] = "refer DB CASE_ID --to ORG_ID --reason R [--in] [--no-details] [--details TEXT|-]\n"
				  "         [--override-consent REASON]\n"
				  "       casebank refer list DB CASE_ID [--with-identifiers]\n"
				  "       casebank refer set DB REFERRAL_ID STATUS";
static const char followup_usage[] = "followup add DB CASE_ID --due DATE [--note TEXT|-]\n"
				     "       casebank followup list DB [--site S] [--case CASE_ID] [--overdue]\n"
				     "       casebank followup done DB FOLLOWUP_ID [--on DATE]";

/* ---- small parsers: each prints what is wrong and returns CB_EINVAL */

static int bad(const char *opt, const struct cb_err *err)
{
	cb_cli_error(opt, err);
	return CB_EINVAL;
}

static int parse_case(const char *text, uint8_t id[16])
{
	if (cb_case_id_parse(text, id) == CB_OK)
		return CB_OK;
	fprintf(stderr, "casebank: %s: not a case id (26 characters A-Z and 2-7)\n", text);
	return CB_EINVAL;
}

static int parse_int64(const char *opt, const char *text, int64_t *out)
{
	char *end;
	long long v = text ? strtoll(text, &end, 10) : 0;
	if (!text || !*text || *end || v <= 0) {
		fprintf(stderr, "casebank: %s: expected a positive whole number\n", opt);
		return CB_EINVAL;
	}
	*out = v;
	return CB_OK;
}

static int parse_date(const char *opt, const char *text, int32_t *day)
{
	*day = CB_NA;
	if (!text)
		return CB_OK;
	if (cb_date_parse(text, day) == CB_OK)
		return CB_OK;
	fprintf(stderr, "casebank: %s: expected a date YYYY-MM-DD\n", opt);
	return CB_EINVAL;
}

static int parse_value(const char *opt, enum cb_vset_id vs, const char *text, int32_t *v)
{
	char vb[64];
	*v = CB_NA;
	if (!text)
		return CB_OK;
	if ((*v = cb_value_find(&cb_vsets[vs], text)) != CB_NA)
		return CB_OK;
	fprintf(stderr, "casebank: %s: '%s' is not one of", opt, cb_err_value(text, vb));
	for (int i = 0; i < cb_vsets[vs].count; i++)
		fprintf(stderr, "%s %s", i ? "," : "", cb_vsets[vs].values[i].name);
	fputc('\n', stderr);
	return CB_EINVAL;
}

/* A free text from an option: "-" reads stdin.  *out is malloc'd (wiped by free_text). */
static int read_text(const char *opt, const char *arg, char **out)
{
	struct cb_buf b = {0};
	char chunk[4096];
	size_t n;
	*out = NULL;
	if (!arg)
		return CB_OK;
	if (strcmp(arg, "-") != 0) {
		*out = strdup(arg);
		return *out ? CB_OK : CB_ENOMEM;
	}
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (b.len + n > TEXT_MAX || cb_buf_append(&b, chunk, n) != CB_OK) {
			fprintf(stderr, "casebank: %s: longer than %d bytes\n", opt, TEXT_MAX);
			cb_buf_free(&b);
			return CB_EINVAL;
		}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.len--;
	*out = malloc(b.len + 1);
	if (*out) {
		memcpy(*out, b.data ? b.data : "", b.len);
		(*out)[b.len] = 0;
	}
	cb_buf_free(&b);
	return *out ? CB_OK : CB_ENOMEM;
}

static void free_text(char **t)
{
	if (*t) {
		cb_wipe(*t, strlen(*t));
		free(*t);
		*t = NULL;
	}
}

static const char *name_of(enum cb_vset_id vs, int32_t v)
{
	return v >= 0 && v < cb_vsets[vs].count ? cb_vsets[vs].values[v].name : "-";
}

static const char *date_or_dash(int32_t day, char buf[11])
{
	if (day == CB_NA)
		return "-";
	cb_date_format(day, buf);
	return buf;
}

/* Prints a note on its own indented line(s). */
static void print_note(const char *label, const char *text)
{
	if (text)
		printf("    %s: %s\n", label, text);
}

/* ---- partner */

static int print_partner(const struct cb_partner *p, void *ctx)
{
	char services[1024];
	struct cb_case c;
	(void)ctx;
	cb_case_init(&c);
	c.assistance_type = p->services;
	cb_case_format(&c, &cb_fields[CB_FLD_assistance_type], services, sizeof services);
	printf("%lld\t%s\t%s\t%s\t%s\t", (long long)p->id, p->name, name_of(CB_VS_org_type, p->type),
	       cb_countries[p->country].alpha2, p->city[0] ? p->city : "-");
	for (int i = 0; i < p->nserved; i++)
		printf("%s%s", i ? "," : "", cb_countries[p->served[i]].alpha2);
	printf("%s\t%s\t", p->nserved ? "" : "-", services[0] ? services : "-");
	if (p->beds == CB_NA)
		printf("-\n");
	else
		printf("%d\n", p->beds);
	return 0;
}

static int partner_add(int argc, char **argv)
{
	enum { O_NAME, O_TYPE, O_COUNTRY, O_SERVICES, O_BEDS, O_CITY, O_PHONE, O_SERVES, O_SITE, O_N };
	static const struct option opts[] = {
		{"name", required_argument, NULL, O_NAME},	   {"type", required_argument, NULL, O_TYPE},
		{"country", required_argument, NULL, O_COUNTRY}, {"services", required_argument, NULL, O_SERVICES},
		{"beds", required_argument, NULL, O_BEDS},	   {"city", required_argument, NULL, O_CITY},
		{"phone", required_argument, NULL, O_PHONE},	   {"serves", required_argument, NULL, O_SERVES},
		{"site", required_argument, NULL, O_SITE},	   {0}};
	const char *v[O_N] = {0};
	struct cb_partner p;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc;
	if ((ex = cb_cli_args(argc, first, 1, partner_usage)))
		return ex;
	cb_partner_init(&p);
	if (!v[O_NAME] || !v[O_TYPE] || !v[O_COUNTRY]) {
		fprintf(stderr, "casebank: partner add: --name, --type and --country are required\nusage: casebank %s\n",
			partner_usage);
		return CB_EXIT_USAGE;
	}
	snprintf(p.name, sizeof p.name, "%s", v[O_NAME]);
	snprintf(p.city, sizeof p.city, "%s", v[O_CITY] ? v[O_CITY] : "");
	snprintf(p.phone, sizeof p.phone, "%s", v[O_PHONE] ? v[O_PHONE] : "");
	snprintf(p.site, sizeof p.site, "%s", v[O_SITE] ? v[O_SITE] : "");
	if (strlen(v[O_NAME]) >= sizeof p.name || (v[O_CITY] && strlen(v[O_CITY]) >= sizeof p.city) ||
	    (v[O_PHONE] && strlen(v[O_PHONE]) >= sizeof p.phone) || (v[O_SITE] && strlen(v[O_SITE]) >= sizeof p.site)) {
		fprintf(stderr, "casebank: partner add: --name, --city, --phone or --site is too long\n");
		return CB_EXIT_USAGE;
	}
	if (parse_value("--type", CB_VS_org_type, v[O_TYPE], &p.type) != CB_OK)
		return CB_EXIT_USAGE;
	if ((p.country = cb_country_find(v[O_COUNTRY])) == CB_NA) {
		fprintf(stderr, "casebank: --country: expected an ISO 3166 country code (MD, ROU, ...)\n");
		return CB_EXIT_USAGE;
	}
	if (v[O_SERVICES] && cb_services_parse(v[O_SERVICES], &p.services, &err) != CB_OK)
		return bad("--services", &err), CB_EXIT_USAGE;
	if (v[O_SERVES] && cb_served_parse(v[O_SERVES], &p, &err) != CB_OK)
		return bad("--serves", &err), CB_EXIT_USAGE;
	if (v[O_BEDS]) {
		int64_t beds;
		if (strcmp(v[O_BEDS], "0") == 0)
			p.beds = 0;
		else if (parse_int64("--beds", v[O_BEDS], &beds) != CB_OK || beds > 100000)
			return CB_EXIT_USAGE;
		else
			p.beds = (int32_t)beds;
	}
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_partner_add(s, &p, NULL, &err)) != CB_OK) {
		cb_cli_error("partner add", &err);
		goto out;
	}
	printf("%lld\n", (long long)p.id);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int partner_list(int argc, char **argv)
{
	enum { O_SERVICE, O_COUNTRY, O_SITE, O_N };
	static const struct option opts[] = {{"service", required_argument, NULL, O_SERVICE},
					     {"country", required_argument, NULL, O_COUNTRY},
					     {"site", required_argument, NULL, O_SITE}, {0}};
	const char *v[O_N] = {0};
	struct cb_partner_filter f = {.service = CB_NA, .country = CB_NA};
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int first = cb_cli_parse(argc, argv, opts, v, O_N), ex, rc;
	if ((ex = cb_cli_args(argc, first, 1, partner_usage)))
		return ex;
	if (parse_value("--service", CB_VS_assistance_type, v[O_SERVICE], &f.service) != CB_OK)
		return CB_EXIT_USAGE;
	if (v[O_COUNTRY] && (f.country = cb_country_find(v[O_COUNTRY])) == CB_NA) {
		fprintf(stderr, "casebank: --country: expected an ISO 3166 country code\n");
		return CB_EXIT_USAGE;
	}
	f.site = v[O_SITE];
	if ((rc = cb_cli_open(argv[first], CB_OPEN_READONLY, &s)) != CB_OK)
		goto out;
	printf("id\tname\ttype\tcountry\tcity\tserves\tservices\tbeds\n");
	if ((rc = cb_partner_list(s, &f, print_partner, NULL, &err)) != CB_OK)
		cb_cli_error("partner list", &err);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_partner(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return partner_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return partner_list(argc - 1, argv + 1);
	fprintf(stderr, "usage: casebank %s\n", partner_usage);
	return CB_EXIT_USAGE;
}

/* ---- assist */

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
		fprintf(stderr, "casebank: assist add: --type is required\n");
		return CB_EXIT_USAGE;
	}
	if (parse_case(argv[first + 1], a.case_id) || parse_value("--type", CB_VS_assistance_type, v[O_TYPE], &a.type) ||
	    parse_value("--status", CB_VS_assistance_status, v[O_STATUS], &a.status) ||
	    (v[O_PROVIDER] && parse_int64("--provider", v[O_PROVIDER], &a.provider)) ||
	    parse_date("--planned", v[O_PLANNED], &a.planned_on) || parse_date("--start", v[O_START], &a.start_on) ||
	    parse_date("--end", v[O_END], &a.end_on) || (rc = read_text("--notes", v[O_NOTES], &a.notes)) != CB_OK)
		goto out;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_assist_add(s, &a, NULL, &cap, &err)) != CB_OK) {
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
	if (parse_int64("RECORD_ID", argv[first + 1], &id) || parse_value("--status", CB_VS_assistance_status, v[O_STATUS], &status) ||
	    parse_date("--start", v[O_START], &start) || parse_date("--end", v[O_END], &end))
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
	if ((rc = cb_assist_update(s, &a, 0, NULL, &cap, &err)) != CB_OK) {
		cb_cli_error("assist set", &err);
		goto out;
	}
	warn_capacity(&cap, a.provider);
	printf("%lld %s\n", (long long)a.id, name_of(CB_VS_assistance_status, a.status));
out:
	cb_assist_clear(&a);
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

static int print_assist(const struct cb_assist *a, void *ctx)
{
	char d1[11], d2[11], d3[11];
	(void)ctx;
	printf("%lld\t%s\t", (long long)a->id, name_of(CB_VS_assistance_type, a->type));
	if (a->provider)
		printf("%lld", (long long)a->provider);
	else
		printf("own");
	printf("\t%s\t%s\t%s\t%s\n", date_or_dash(a->planned_on, d1), date_or_dash(a->start_on, d2),
	       date_or_dash(a->end_on, d3), name_of(CB_VS_assistance_status, a->status));
	print_note("notes", a->notes);
	return 0;
}

static int print_referral(const struct cb_referral *r, void *ctx)
{
	char d1[11], d2[11];
	(void)ctx;
	printf("%lld\t%s\t%lld\t%s\t%s\t%s\t%s\t%s%s\n", (long long)r->id, r->direction == CB_REFER_OUT ? "out" : "in",
	       (long long)r->org_id, name_of(CB_VS_referral_reason, r->reason), name_of(CB_VS_referral_status, r->status),
	       date_or_dash(r->referred_on, d1), date_or_dash(r->status_on, d2), r->shares_details ? "shared" : "withheld",
	       r->consent_overridden ? " (consent overridden)" : "");
	print_note("details", r->details);
	if (r->consent_overridden)
		print_note("override reason", r->override_reason);
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
	if (parse_case(argv[first + 1], id))
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

int cb_cmd_assist(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return assist_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "set") == 0)
		return assist_set(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list_for_case(argc - 1, argv + 1, assist_usage, "assist list", true);
	fprintf(stderr, "usage: casebank %s\n", assist_usage);
	return CB_EXIT_USAGE;
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
		fprintf(stderr, "casebank: refer: --to and --reason are required\nusage: casebank %s\n", refer_usage);
		return CB_EXIT_USAGE;
	}
	r.direction = v[O_IN] ? CB_REFER_IN : CB_REFER_OUT;
	r.shares_details = !v[O_NODETAILS];
	if (parse_case(argv[first + 1], r.case_id) || parse_int64("--to", v[O_TO], &r.org_id) ||
	    parse_value("--reason", CB_VS_referral_reason, v[O_REASON], &r.reason) ||
	    (rc = read_text("--details", v[O_DETAILS], &r.details)) != CB_OK)
		goto out;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_referral_add(s, &r, v[O_OVERRIDE], NULL, &err)) != CB_OK) {
		cb_cli_error("refer", &err);
		goto out;
	}
	if (r.consent_overridden)
		fprintf(stderr, "casebank: refer: consent_share_partners overridden; recorded in the audit trail\n");
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
	if (parse_int64("REFERRAL_ID", argv[first + 1], &id) ||
	    parse_value("STATUS", CB_VS_referral_status, argv[first + 2], &status))
		return CB_EXIT_USAGE;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_referral_set_status(s, id, status, &err)) != CB_OK) {
		cb_cli_error("refer set", &err);
		goto out;
	}
	printf("%lld %s\n", (long long)id, name_of(CB_VS_referral_status, status));
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
	if (parse_case(argv[first + 1], id))
		goto out;
	if (cb_stage_parse(argv[first + 2], &to, &err) != CB_OK) {
		cb_cli_error("stage", &err);
		goto out;
	}
	if ((rc = read_text("--reason", v[O_REASON], &reason)) != CB_OK || (rc = cb_cli_open(argv[first], 0, &s)))
		goto out;
	if ((rc = cb_stage_move(s, id, to, reason, NULL, &err)) != CB_OK) {
		cb_cli_error(argv[first + 1], &err);
		goto out;
	}
	int32_t now = CB_NA;
	cb_stage_get(s, id, &now, NULL);
	printf("%s %s\n", argv[first + 1], name_of(CB_VS_case_stage, now));
out:
	free_text(&reason);
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
		fprintf(stderr, "casebank: followup add: --due is required\n");
		return CB_EXIT_USAGE;
	}
	if (parse_case(argv[first + 1], f.case_id) || parse_date("--due", v[O_DUE], &f.due_on) ||
	    (rc = read_text("--note", v[O_NOTE], &f.note)) != CB_OK || (rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_followup_add(s, &f, &err)) != CB_OK) {
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
	printf("%lld\t%s\t%s\t%s\t%s\n", (long long)f->id, id, f->site, date_or_dash(f->due_on, d1),
	       date_or_dash(f->done_on, d2));
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
	if (v[O_CASE] && parse_case(v[O_CASE], id))
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
	if (parse_int64("FOLLOWUP_ID", argv[first + 1], &id) || parse_date("--on", v[O_ON], &day))
		return CB_EXIT_USAGE;
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_followup_done(s, id, day, &err)) != CB_OK)
		cb_cli_error("followup done", &err);
	else
		printf("%lld done\n", (long long)id);
out:
	cb_store_free(&s);
	return cb_cli_exit(rc);
}

int cb_cmd_followup(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return followup_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return followup_list(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "done") == 0)
		return followup_done(argc - 1, argv + 1);
	fprintf(stderr, "usage: casebank %s\n", followup_usage);
	return CB_EXIT_USAGE;
}

/* ---- dashboard */

static int print_overdue(const struct cb_followup *f, void *ctx)
{
	char id[CB_ID_TEXT], d[11];
	(void)ctx;
	cb_case_id_format(f->case_id, id);
	printf("  %s  due %s\n", id, date_or_dash(f->due_on, d));
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
			printf("  %-14s %6ld\n", name_of(CB_VS_case_stage, i), d->by_stage[i]);
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
		printf("  %-24s", name_of(CB_VS_assistance_type, t));
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
