/*
 * dashboard.c -- GET /api/dashboard: an office's operational counts (cases by stage, assistance delivered by
 * month, overdue follow-ups, shelter occupancy); exact, for the organisation's own staff, never an identifying
 * detail.  Also which office a request for an office's view means (cb_api_office).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "care/assist.h"

/* The office asked for (?site=; a caseworker's own by default), authorised for act: 0, or -1 when answered.
 * *site NULL means every office. */
int cb_api_office(struct cb_http_req *r, enum cb_action act, const char **site)
{
	*site = cb_http_query_get(&r->query, "site");
	if (!*site || !**site)
		*site = r->user.role == CB_ROLE_CASEWORKER ? r->user.site : NULL;
	/* an office not on the list (store/sites.h) is a mistake, not an office with nothing in it */
	return cb_api_check(r, act, *site) || cb_api_site_ok(r, *site) ? -1 : 0;
}

int cb_api_dashboard(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_dashboard d;
	struct cb_err err = {0};
	const char *site;
	char m[11];
	if (cb_api_office(r, CB_ACT_DASHBOARD, &site))
		return CB_OK;
	int rc = cb_dashboard(cb_api_store(r), site, CB_NA, &d, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	json_t *stages = json_object(), *months = json_array(), *delivered = json_array(), *shelters = json_array();
	long open = 0;
	for (int i = 0; i < CB_case_stage__COUNT; i++) {
		json_object_set_new(stages, cb_vsets[CB_VS_case_stage].values[i].name, json_integer(d.by_stage[i]));
		open += i == CB_case_stage_closed ? 0 : d.by_stage[i];
	}
	cb_date_format(d.month0, m);
	for (int k = 0, y = atoi(m), mo = atoi(m + 5); k < CB_DASH_MONTHS; k++, mo = mo % 12 + 1, y += mo == 1)
		json_array_append_new(months, json_string(cb_arena_printf(r->arena, "%04d-%02d", y, mo)));
	for (int t = 0; t < CB_assistance_type__COUNT; t++) {
		json_t *counts = json_array();
		long total = 0;
		for (int k = 0; k < CB_DASH_MONTHS; k++) {
			json_array_append_new(counts, json_integer(d.delivered[k][t]));
			total += d.delivered[k][t];
		}
		if (!total) {
			json_decref(counts);
			continue;
		}
		json_array_append_new(delivered, json_pack("{s:s, s:o, s:I}", "type",
							   cb_vsets[CB_VS_assistance_type].values[t].name, "counts",
							   counts, "total", (json_int_t)total));
	}
	for (int i = 0; i < d.nshelters; i++)
		json_array_append_new(shelters, json_pack("{s:I, s:s, s:i, s:i, s:b}", "id", (json_int_t)d.shelters[i].id,
							  "name", d.shelters[i].name, "beds", d.shelters[i].beds,
							  "occupied", d.shelters[i].occupied, "over",
							  d.shelters[i].occupied > d.shelters[i].beds));
	cb_api_json(r, 200,
		    json_pack("{s:o, s:o, s:I, s:I, s:o, s:o, s:I, s:o}", "site", site ? json_string(site) : json_null(),
			      "by_stage", stages, "open", (json_int_t)open, "closed",
			      (json_int_t)d.by_stage[CB_case_stage_closed], "months", months, "delivered", delivered,
			      "overdue", (json_int_t)d.overdue, "shelters", shelters));
	cb_dashboard_clear(&d);
	return CB_OK;
}
