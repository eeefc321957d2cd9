/*
 * cmd_partner.c -- `casebank partner add|list`: the directory of partner organisations and shelters.  The
 * command line runs as the local data operator (the library's `by` NULL), who may manage every entry.
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

static const char partner_usage[] = "partner add DB --name N --type T --country CC [--services a,b] [--beds N]\n"
				    "         [--city C] [--phone P] [--serves CC,CC] [--site S]\n"
				    "       casebank partner list DB [--service T] [--country CC] [--site S]";

static int bad(const char *opt, const struct cb_err *err)
{
	cb_cli_error(opt, err);
	return CB_EINVAL;
}

static int print_partner(const struct cb_partner *p, void *ctx)
{
	char services[1024];
	struct cb_case c;
	(void)ctx;
	cb_case_init(&c);
	c.assistance_type = p->services;
	cb_case_format(&c, &cb_fields[CB_FLD_assistance_type], services, sizeof services);
	printf("%lld\t%s\t%s\t%s\t%s\t", (long long)p->id, p->name, cb_cli_name(CB_VS_org_type, p->type),
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
		fprintf(stderr, _("casebank: partner add: --name, --type and --country are required\nusage: casebank %s\n"),
			partner_usage);
		return CB_EXIT_USAGE;
	}
	snprintf(p.name, sizeof p.name, "%s", v[O_NAME]);
	snprintf(p.city, sizeof p.city, "%s", v[O_CITY] ? v[O_CITY] : "");
	snprintf(p.phone, sizeof p.phone, "%s", v[O_PHONE] ? v[O_PHONE] : "");
	snprintf(p.site, sizeof p.site, "%s", v[O_SITE] ? v[O_SITE] : "");
	if (strlen(v[O_NAME]) >= sizeof p.name || (v[O_CITY] && strlen(v[O_CITY]) >= sizeof p.city) ||
	    (v[O_PHONE] && strlen(v[O_PHONE]) >= sizeof p.phone) || (v[O_SITE] && strlen(v[O_SITE]) >= sizeof p.site)) {
		fprintf(stderr, _("casebank: partner add: --name, --city, --phone or --site is too long\n"));
		return CB_EXIT_USAGE;
	}
	if (cb_cli_value("--type", CB_VS_org_type, v[O_TYPE], &p.type) != CB_OK)
		return CB_EXIT_USAGE;
	if ((p.country = cb_country_find(v[O_COUNTRY])) == CB_NA) {
		fprintf(stderr, _("casebank: --country: expected an ISO 3166 country code (MD, ROU, ...)\n"));
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
		else if (cb_cli_int64("--beds", v[O_BEDS], &beds) != CB_OK || beds > 100000)
			return CB_EXIT_USAGE;
		else
			p.beds = (int32_t)beds;
	}
	if ((rc = cb_cli_open(argv[first], 0, &s)) != CB_OK)
		goto out;
	if ((rc = cb_store_act_begin(s, &err)) != CB_OK ||
	    (rc = cb_cli_act_end(s, cb_partner_add(s, &p, NULL, &err), CB_AUD_PARTNER_ADD, NULL, NULL, NULL, &err)) != CB_OK) {
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
	if (cb_cli_value("--service", CB_VS_assistance_type, v[O_SERVICE], &f.service) != CB_OK)
		return CB_EXIT_USAGE;
	if (v[O_COUNTRY] && (f.country = cb_country_find(v[O_COUNTRY])) == CB_NA) {
		fprintf(stderr, _("casebank: --country: expected an ISO 3166 country code\n"));
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
	static const struct cb_cli_sub subs[] = {{"add", partner_add}, {"list", partner_list}};
	return cb_cli_subs(argc, argv, subs, CB_COUNTOF(subs), partner_usage);
}
