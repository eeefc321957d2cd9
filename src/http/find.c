/*
 * find.c -- finding people over HTTP: GET /api/cases with name, birth_date or phone (a search, within the
 * caller's scope), the list's extra columns (name for whoever may see it, age, gender, stage, caseworker),
 * possible duplicates (GET /api/duplicates; the warning POST /api/cases adds), record links (GET
 * /api/cases/{id}/links, POST /api/links), and each user's saved filters of the list (/api/filters).
 *
 * Searches are audited with the kinds of details searched (fields), never the text; a page of the list that
 * shows names is audited with how many it showed.  Duplicates and links name cases by id and office only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "care/linkage.h"
#include "http/api.h"
#include "http/find.h"
#include "store/filter_rows.h"
#include "store/tokens.h"
#include "store/transfer_rows.h"

static const char *param(struct cb_http_req *r, const char *name)
{
	const char *v = cb_http_query_get(&r->query, name);
	return v && *v ? v : NULL;
}

bool cb_api_is_search(struct cb_http_req *r)
{
	return param(r, "name") || param(r, "birth_date") || param(r, "phone");
}

/* The name shown in a list: first and last name as written. */
static json_t *name_json(const struct cb_case *c)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s%s%s", c->first_name ? c->first_name : "", c->first_name && c->last_name ? " " : "",
		 c->last_name ? c->last_name : "");
	json_t *j = buf[0] ? json_string(buf) : json_null();
	cb_wipe(buf, sizeof buf);
	return j;
}

void cb_api_list_extra(struct cb_http_req *r, const struct cb_store_list_row *row, json_t *o, long *named)
{
	json_object_set_new(o, "gender", row->gender ? json_string(row->gender) : json_null());
	json_object_set_new(o, "age", row->age == CB_NA ? json_null() : json_integer(row->age));
	json_object_set_new(o, "stage", row->stage ? json_string(row->stage) : json_null());
	json_object_set_new(o, "assigned_to", row->assigned_to ? json_string(row->assigned_to) : json_null());
	if (!cb_api_may_see_pii(r, row->id, row->site))
		return;
	struct cb_case c;
	struct cb_err err = {0};
	if (cb_store_get(cb_api_store(r), row->id, CB_WITH_PII, &c, &err) == CB_OK) {
		json_object_set_new(o, "name", name_json(&c));
		++*named;
	}
	cb_case_clear(&c);
}

int cb_api_list_named(struct cb_http_req *r, long named)
{
	char detail[32];
	if (!named)
		return CB_OK;
	snprintf(detail, sizeof detail, "%ld", named);
	/* the page is only sent if the trail holds that it showed names */
	return cb_api_audit(r, CB_AUD_CASE_LIST_NAMES, NULL, detail);
}

int cb_api_cases_search(struct cb_http_req *r)
{
	struct cb_search_query q = {param(r, "name"), param(r, "birth_date"), param(r, "phone"), param(r, "site")};
	struct cb_search_hit *hits = NULL;
	struct cb_err err = {0};
	size_t n = 0;
	char kinds[64];
	if (cb_api_check(r, CB_ACT_CASE_SEARCH, NULL))
		return CB_OK;
	if (r->user.role == CB_ROLE_CASEWORKER) {
		if (q.site && strcmp(q.site, r->user.site)) { /* another office: nothing, as for the list */
			cb_api_json(r, 200, json_pack("{s:[], s:i}", "cases", "total", 0));
			return CB_OK;
		}
		q.site = r->user.site;
	}
	int rc = cb_search(cb_api_store(r), &q, &hits, &n, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err); /* a malformed criterion: 400 naming it, never its value */
		return CB_OK;
	}
	json_t *cases = json_array();
	long named = 0;
	for (size_t i = 0; i < n; i++) {
		char id[CB_ID_TEXT];
		struct cb_case c;
		cb_case_id_format(hits[i].id, id);
		json_t *o = json_pack("{s:s, s:s, s:f, s:s}", "case_id", id, "site", hits[i].site, "score", hits[i].score,
				      "matched", hits[i].matched);
		bool pii = cb_api_may_see_pii(r, hits[i].id, hits[i].site);
		if (cb_store_get(cb_api_store(r), hits[i].id, pii ? CB_WITH_PII : 0, &c, &err) == CB_OK) {
			json_object_set_new(o, "gender", cb_api_value_json(CB_VS_gender, c.gender));
			json_object_set_new(o, "age", c.age_at_registration == CB_NA ? json_null() : json_integer(c.age_at_registration));
			json_object_set_new(o, "stage", cb_api_value_json(CB_VS_case_stage, c.case_stage));
			json_object_set_new(o, "status", cb_api_value_json(CB_VS_case_status, c.status));
			if (pii) {
				json_object_set_new(o, "name", name_json(&c));
				named++;
			}
		}
		cb_case_clear(&c);
		json_array_append_new(cases, o);
	}
	free(hits);
	cb_search_kinds(&q, kinds, sizeof kinds);
	/* one entry: who searched, for which kinds of details (never the text), and whether names were shown */
	json_t *doc = json_pack("{s:o, s:i, s:i, s:i}", "cases", cases, "page", 1, "per_page", (int)n, "total", (int)n);
	cb_api_audited(r, 200, CB_AUD_CASE_SEARCH, NULL, kinds, doc);
	(void)named;
	return CB_OK;
}

void cb_api_add_duplicates(struct cb_http_req *r, const uint8_t id[16], json_t *doc)
{
	struct cb_dup_pair *p = NULL;
	struct cb_err err = {0};
	size_t n = 0;
	if (cb_duplicates_of(cb_api_store(r), id, CB_DUP_MIN_SCORE, &p, &n, &err) != CB_OK || n == 0) {
		free(p);
		return; /* a warning: the case is registered either way */
	}
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		char other[CB_ID_TEXT];
		cb_case_id_format(p[i].b, other);
		/* the other office's case by id and office: nothing of what it holds */
		json_array_append_new(list, json_pack("{s:s, s:s}", "case_id", other, "site", p[i].site_b));
	}
	json_object_set_new(doc, "possible_duplicates", list);
	free(p);
}

/* ---- GET /api/duplicates */

int cb_api_duplicates(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	const char *site, *ms = param(r, "min_score");
	double min = CB_DUP_MIN_SCORE;
	char *end = NULL;
	struct cb_dup_pair *p = NULL;
	struct cb_err err = {0};
	size_t n = 0;
	if (cb_api_office(r, CB_ACT_DUPLICATES, &site))
		return CB_OK;
	if (ms && (!((min = strtod(ms, &end)) > 0 && min <= 1) || *end))
		return cb_api_bad(r, "min_score: expected a number above 0 and at most 1");
	int rc = cb_duplicates(cb_api_store(r), min, site, &p, &n, NULL, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	json_t *pairs = json_array();
	for (size_t i = 0; i < n && i < 500; i++) {
		char a[CB_ID_TEXT], b[CB_ID_TEXT], agree[96];
		cb_case_id_format(p[i].a, a);
		cb_case_id_format(p[i].b, b);
		cb_dup_agree_text(p[i].agree, agree, sizeof agree);
		json_array_append_new(pairs, json_pack("{s:s, s:s, s:s, s:s, s:f, s:s}", "a", a, "site_a", p[i].site_a, "b", b,
						       "site_b", p[i].site_b, "score", p[i].score, "agree", agree));
	}
	free(p);
	char detail[64];
	snprintf(detail, sizeof detail, "site=%s min_score=%.3f", site ? site : "*", min);
	cb_api_audited(r, 200, CB_AUD_CASE_DUPLICATES, NULL, detail,
		       json_pack("{s:o, s:i}", "pairs", pairs, "total", (int)n));
	return CB_OK;
}

/* ---- links */

static int link_json(const uint8_t other[16], const char *site, void *ctx)
{
	char id[CB_ID_TEXT];
	cb_case_id_format(other, id);
	json_array_append_new(ctx, json_pack("{s:s, s:s}", "case_id", id, "site", site ? site : ""));
	return CB_OK;
}

int cb_api_case_links(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (cb_api_open_case(r, arg, CB_ACT_CASE_READ, id, site, NULL))
		return CB_OK;
	json_t *links = json_array();
	char user[65] = "";
	struct cb_transfer t;
	if (cb_store_links_of(cb_api_store(r), id, link_json, links, &err) != CB_OK ||
	    cb_assign_get(cb_api_store(r), id, user, &err) != CB_OK) {
		json_decref(links);
		cb_api_fail(r, CB_EDB, &err);
		return CB_OK;
	}
	json_t *open = json_null();
	if (cb_transfer_row_open(cb_api_store(r), id, &t, &err) == CB_OK)
		open = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)t.id, "to", t.to_site, "reason", t.reason);
	/* who holds the case: its links, its caseworker, a transfer waiting for the other office */
	cb_api_json(r, 200, json_pack("{s:o, s:o, s:o}", "links", links, "assigned_to", user[0] ? json_string(user) : json_null(),
				      "transfer", open));
	return CB_OK;
}

int cb_api_link(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	uint8_t a[16], b[16];
	char sa[17], sb[17];
	json_t *body = cb_api_body(r);
	struct cb_err err = {0};
	if (!body)
		return CB_OK;
	const char *ta = json_string_value(json_object_get(body, "a")), *tb = json_string_value(json_object_get(body, "b"));
	json_t *linked = json_object_get(body, "linked");
	if (!ta || !tb || !json_is_boolean(linked)) {
		cb_api_bad(r, "expected {\"a\": CASE_ID, \"b\": CASE_ID, \"linked\": true or false}");
		goto out;
	}
	/* both cases must be in the caller's scope (a 404 for either otherwise) */
	if (cb_api_open_case(r, ta, CB_ACT_LINK, a, sa, NULL) || cb_api_open_case(r, tb, CB_ACT_LINK, b, sb, NULL))
		goto out;
	int rc = cb_store_link_set(cb_api_store(r), a, b, json_is_true(linked), r->user.name, r->from, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	cb_api_json(r, 200, json_pack("{s:s, s:s, s:b}", "a", ta, "b", tb, "linked", json_is_true(linked)));
out:
	json_decref(body);
	return CB_OK;
}

/* ---- saved filters */

static int filter_json(const char *name, const char *query, void *ctx)
{
	json_array_append_new(ctx, json_pack("{s:s, s:s}", "name", name ? name : "", "query", query ? query : ""));
	return CB_OK;
}

int cb_api_filters_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	json_t *list = json_array();
	if (cb_filters_list(cb_api_store(r), r->user.name, filter_json, list, &err) != CB_OK) {
		json_decref(list);
		cb_api_fail(r, CB_EDB, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "filters", list));
	return CB_OK;
}

/* A saved query may hold only the list's own parameters: never a name, birth date or phone. */
static bool query_ok(const char *q)
{
	static const char *const keys[] = {"site=", "status=", "sort=", "order=", "mine=", "per_page=", "q="};
	for (const char *p = q; *p;) {
		bool known = false;
		for (size_t i = 0; i < CB_COUNTOF(keys) && !known; i++)
			known = !strncmp(p, keys[i], strlen(keys[i]));
		if (!known)
			return false;
		p += strcspn(p, "&");
		p += *p == '&';
	}
	return true;
}

int cb_api_filter_save(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	const char *name, *query;
	struct cb_err err = {0};
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	if (cb_api_get_text(r, body, "name", 64, &name) || cb_api_get_text(r, body, "query", 500, &query))
		goto out;
	/* the name goes into a path (/api/filters/NAME/delete): letters, digits, - and _ only */
	if (!name || !*name || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(name) ||
	    !query || !query_ok(query)) {
		cb_api_bad(r, "expected {\"name\": 1 to 64 letters, digits, - or _, \"query\": the list's parameters (site, "
			      "status, sort, order, mine, per_page, q)}");
		goto out;
	}
	int rc = cb_filter_save(cb_api_store(r), r->user.name, name, query, &err);
	if (rc != CB_OK)
		cb_api_fail(r, rc, &err);
	else
		cb_api_json(r, 201, json_pack("{s:s, s:s}", "name", name, "query", query));
out:
	json_decref(body);
	return CB_OK;
}

int cb_api_filter_delete(struct cb_http_req *r, const char *arg)
{
	struct cb_err err = {0};
	int rc = cb_filter_delete(cb_api_store(r), r->user.name, arg, &err);
	if (rc != CB_OK)
		cb_api_fail(r, rc, &err);
	else
		cb_api_json(r, 200, json_pack("{s:s}", "deleted", arg));
	return CB_OK;
}
