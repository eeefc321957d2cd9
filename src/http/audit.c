/*
 * audit.c -- the audit trail resource: its newest entries, of every case or of one (admins and managers, by
 * the route's policy).  Entries hold who, when, from where, what and the names of the fields touched, never a
 * value, so they are shown as they are.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/api.h"

static int audit_entry(const struct cb_audit_entry *e, void *ctx)
{
	char at[64], id[CB_ID_TEXT];
	time_t sec = (time_t)(e->at_ms / 1000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	snprintf(at, sizeof at, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(e->at_ms % 1000));
	json_t *fields = json_array();
	char buf[sizeof e->fields];
	snprintf(buf, sizeof buf, "%s", e->fields);
	for (char *save = NULL, *f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save))
		json_array_append_new(fields, json_string(f));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)e->id, "at", at, "user", e->user, "from",
			      e->from, "action", e->action);
	if (!cb_case_id_is_zero(e->case_id)) {
		cb_case_id_format(e->case_id, id);
		json_object_set_new(o, "case_id", json_string(id));
	}
	json_object_set_new(o, "fields", fields);
	/* how the act was done (a format, a setting, a break-the-glass reason): never a case's details */
	if (e->detail[0])
		json_object_set_new(o, "detail", json_string(e->detail));
	return json_array_append_new(ctx, o) ? CB_ENOMEM : CB_OK;
}

int cb_api_audit_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	uint8_t id[16];
	long limit = 100;
	const char *cid = cb_http_query_get(&r->query, "case_id");
	const char *lim = cb_http_query_get(&r->query, "limit");
	struct cb_err err = {0};
	if (cid && cb_case_id_parse(cid, id) != CB_OK) {
		cb_api_error(r, 400, "invalid", "case_id: expected a case id of 26 characters");
		return CB_OK;
	}
	if (lim && cb_http_parse_long(lim, 1, 1000, &limit) != CB_OK) {
		cb_api_error(r, 400, "invalid", "limit: expected a number from 1 to 1000");
		return CB_OK;
	}
	json_t *entries = json_array();
	int rc = cb_audit_list(cb_api_store(r), cid ? id : NULL, (int)limit, audit_entry, entries, &err);
	if (rc != CB_OK) {
		json_decref(entries);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "entries", entries));
	return CB_OK;
}
