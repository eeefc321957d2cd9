/*
 * cases.c -- the case resource: list, create, read, update, break the glass.
 *
 * Each one loads the record's office first and asks cb_authz_check (a record outside the caller's scope is
 * 404), then whether the caller may see identifying details (caseworkers of the office; managers with an
 * open break-the-glass grant).  What follows a write (the statistics index) follows the store's commit
 * (changes.c).
 * Reads and writes are audited with the names of the identifying fields returned or the fields touched,
 * never their values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/api.h"
#include "http/find.h"
#include "io/io.h"
#include "stats/stats.h"

/* ---- helpers */

static bool parse_id(const char *text, uint8_t id[16]) { return cb_case_id_parse(text, id) == CB_OK; }

/* Names of the body's keys that are case fields, comma-separated (for the audit trail). */
static const char *touched(struct cb_http_req *r, json_t *obj, bool *pii)
{
	char buf[512] = "";
	size_t o = 0;
	const char *key;
	json_t *v;
	*pii = false;
	json_object_foreach(obj, key, v) {
		const struct cb_field *f = cb_field_find(key);
		if (!f || strcmp(f->name, key))
			continue;
		if (f->kind == CB_PII)
			*pii = true;
		int n = snprintf(buf + o, sizeof buf - o, "%s%s", o ? "," : "", f->name);
		if (n < 0 || (size_t)n >= sizeof buf - o)
			break;
		o += (size_t)n;
	}
	return cb_arena_strndup(r->arena, buf, o);
}

/* Names of the identifying fields a case holds (what a read returns). */
static const char *pii_fields(struct cb_http_req *r, const struct cb_case *c)
{
	char buf[512];
	size_t o = cb_case_pii_names(c, buf, sizeof buf);
	return cb_arena_strndup(r->arena, buf, o);
}

static void reply_case(struct cb_http_req *r, int status, const struct cb_case *c, bool pii)
{
	json_t *doc = cb_case_to_json(c, pii ? CB_JSON_PII : 0);
	cb_api_json(r, status, doc);
}

/* Reads the case id (coded fields; with identifying details when flags has CB_WITH_PII) into c, which it
 * clears first, and asks the policy for act at the case's office: 0, or -1 when answered. */
static int load_case(struct cb_http_req *r, const uint8_t id[16], unsigned flags, enum cb_action act,
		     struct cb_case *c)
{
	struct cb_err err = {0};
	cb_case_clear(c);
	int rc = cb_store_get(cb_api_store(r), id, flags, c, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return -1;
	}
	return cb_api_check(r, act, c->site) ? -1 : 0;
}

/* The case of a route and the request's body, in this order (an unknown id is 404 whatever the body), the
 * case read into c and authorised for act: the body, or NULL when answered. */
static json_t *case_and_body(struct cb_http_req *r, const char *arg, enum cb_action act, uint8_t id[16],
			     struct cb_case *c)
{
	if (!parse_id(arg, id)) {
		cb_api_refuse(r, 404);
		return NULL;
	}
	json_t *body = cb_api_body(r);
	if (body && load_case(r, id, 0, act, c)) {
		json_decref(body);
		return NULL;
	}
	return body;
}

/* ---- GET /api/cases */

/* The case ids starting with a base32 prefix lie between lo (the prefix's bits, then zeros) and hi (ones). */
static bool prefix_bounds(const char *q, uint8_t lo[16], uint8_t hi[16])
{
	memset(lo, 0, 16);
	memset(hi, 0xff, 16);
	size_t n = strlen(q);
	if (n > CB_ID_TEXT - 1)
		return false;
	for (size_t i = 0; i < n; i++) {
		int v;
		char ch = q[i];
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a';
		else if (ch >= '2' && ch <= '7')
			v = ch - '2' + 26;
		else
			return false;
		for (int b = 0; b < 5; b++) {
			size_t bit = i * 5 + (size_t)b;
			if (bit >= 128)
				break;
			uint8_t mask = (uint8_t)(0x80u >> (bit % 8));
			if (v & (0x10 >> b)) {
				lo[bit / 8] |= mask;
			} else {
				hi[bit / 8] &= (uint8_t)~mask;
			}
		}
	}
	return true;
}

/* One case of the list as JSON, appended to the array ctx. */
struct list_page {
	json_t *cases;
	struct cb_http_req *r;
	long named; /* names shown (find.c) */
};

static int list_row(const struct cb_store_list_row *row, void *ctx)
{
	struct list_page *pg = ctx;
	char id[CB_ID_TEXT];
	cb_case_id_format(row->id, id);
	json_t *o = json_pack("{s:s, s:s}", "case_id", id, "site", row->site ? row->site : "");
	json_object_set_new(o, "registered_on", row->registered_on ? json_string(row->registered_on) : json_null());
	json_object_set_new(o, "year", row->year == CB_NA ? json_null() : json_integer(row->year));
	json_object_set_new(o, "status", row->status ? json_string(row->status) : json_null());
	json_object_set_new(o, "version", json_integer(row->version));
	cb_api_list_extra(pg->r, row, o, &pg->named);
	json_array_append_new(pg->cases, o);
	return 0;
}

int cb_api_cases_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	if (cb_api_is_search(r)) /* name, birth_date or phone: find.c */
		return cb_api_cases_search(r);
	const char *site = cb_http_query_get(&r->query, "site");
	const char *status = cb_http_query_get(&r->query, "status");
	const char *sort = cb_http_query_get(&r->query, "sort"), *order = cb_http_query_get(&r->query, "order");
	const char *mine = cb_http_query_get(&r->query, "mine");
	const char *q = cb_http_query_get(&r->query, "q");
	const char *pg = cb_http_query_get(&r->query, "page");
	const char *pp = cb_http_query_get(&r->query, "per_page");
	long page = 1, per_page = 50;
	uint8_t lo[16], hi[16];
	bool empty = false;
	if ((pg && cb_http_parse_long(pg, 1, 1000000, &page)) || (pp && cb_http_parse_long(pp, 1, 500, &per_page))) {
		cb_api_error(r, 400, "invalid", "page: 1 or more; per_page: 1 to 500");
		return CB_OK;
	}
	if (status && *status && cb_value_find(cb_fields[CB_FLD_status].vset, status) == CB_NA) {
		char allowed[512];
		cb_field_allowed(&cb_fields[CB_FLD_status], allowed, sizeof allowed);
		cb_api_error(r, 400, "invalid", cb_arena_printf(r->arena, "status: expected one of %s", allowed));
		return CB_OK;
	}
	if (q && *q && !prefix_bounds(q, lo, hi)) {
		cb_api_error(r, 400, "invalid", "q: expected the first characters of a case id (A-Z, 2-7)");
		return CB_OK;
	}
	if (cb_api_site_ok(r, site)) /* an office not on the list is a mistake, not an empty office */
		return CB_OK;
	if (r->user.role == CB_ROLE_CASEWORKER) {
		if (site && *site && strcmp(site, r->user.site))
			empty = true; /* another office: simply nothing */
		site = r->user.site;
	}
	if (site && !*site)
		site = NULL;
	if (status && !*status)
		status = NULL;
	if (q && !*q)
		q = NULL;
	int by = sort && *sort ? cb_store_list_order(sort) : 0;
	if (by < 0 || (order && *order && strcmp(order, "asc") && strcmp(order, "desc"))) {
		cb_api_error(r, 400, "invalid",
			     "sort: expected registered, site, status, stage, age, gender or assigned; order: asc or desc");
		return CB_OK;
	}
	struct cb_store_list_filter f = {.site = site, .status = status, .id_lo = q ? lo : NULL, .id_hi = q ? hi : NULL,
					 .assigned_to = mine && !strcmp(mine, "1") ? r->user.name : NULL, .sort = by,
					 .descending = order && !strcmp(order, "desc")};
	struct cb_err err = {0};
	struct list_page lp = {json_array(), r, 0};
	long total = 0;
	if (!empty && cb_store_list(cb_api_store(r), &f, (page - 1) * per_page, per_page, list_row, &lp, &total,
				    &err) != CB_OK) {
		json_decref(lp.cases);
		cb_api_error(r, 500, "internal", "internal error");
		return CB_OK;
	}
	int arc = cb_api_list_named(r, lp.named);
	if (arc != CB_OK) { /* names the trail cannot record are not sent */
		json_decref(lp.cases);
		cb_api_audit_failed(r, arc);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o, s:i, s:i, s:i}", "cases", lp.cases, "page", (int)page, "per_page",
				      (int)per_page, "total", (int)total));
	return CB_OK;
}

/* ---- POST /api/cases */

int cb_api_case_create(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *body = cb_api_body(r);
	struct cb_case c;
	struct cb_err err = {0};
	bool pii;
	cb_case_init(&c);
	if (!body)
		return CB_OK;
	if (json_object_get(body, "case_id")) {
		cb_api_error(r, 400, "invalid", "case_id: assigned by the server, leave it out");
		goto out;
	}
	int rc = cb_case_from_json(&c, body, CB_JSON_PII, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	c.version = 0;
	if (!c.site[0] && r->user.role == CB_ROLE_CASEWORKER)
		snprintf(c.site, sizeof c.site, "%s", r->user.site);
	if (cb_api_check(r, CB_ACT_CASE_CREATE, c.site) || cb_api_site_ok(r, c.site))
		goto out;
	/* what a person registering a case must fill in (the codebook's CB_F_REGISTER), all named at once */
	if ((rc = cb_case_check_register(&c, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	const char *fields = touched(r, body, &pii);
	if ((rc = cb_api_begin(r, &err)) == CB_OK)
		rc = cb_api_end(r, cb_store_add(cb_api_store(r), &c, NULL, &err), CB_AUD_CASE_CREATE, c.case_id, fields,
				&err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = cb_case_to_json(&c, cb_api_may_see_pii(r, c.case_id, c.site) ? CB_JSON_PII : 0);
	if (doc)
		cb_api_add_duplicates(r, c.case_id, doc); /* a warning: "possible_duplicates" (find.c) */
	cb_api_json(r, 201, doc);
out:
	cb_case_clear(&c);
	json_decref(body);
	return CB_OK;
}

/* ---- GET /api/cases/{id} */

int cb_api_case_read(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	struct cb_case c;
	cb_case_init(&c);
	if (!parse_id(arg, id)) {
		cb_api_refuse(r, 404);
		return CB_OK;
	}
	int rc;
	if (load_case(r, id, 0, CB_ACT_CASE_READ, &c))
		goto out;
	bool pii = cb_api_may_see_pii(r, id, c.site);
	if (pii && load_case(r, id, CB_WITH_PII, CB_ACT_CASE_READ, &c))
		goto out;
	/* nothing is shown that the audit trail does not record */
	if ((rc = cb_api_audit(r, CB_AUD_CASE_READ, id, pii ? pii_fields(r, &c) : NULL)) != CB_OK) {
		cb_api_audit_failed(r, rc); /* nothing of the case is sent */
		goto out;
	}
	reply_case(r, 200, &c, pii);
out:
	cb_case_clear(&c);
	return CB_OK;
}

/* ---- PATCH /api/cases/{id} */

int cb_api_case_update(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	struct cb_case c;
	struct cb_err err = {0};
	char old_site[sizeof c.site];
	bool touches_pii;
	cb_case_init(&c);
	json_t *body = case_and_body(r, arg, CB_ACT_CASE_UPDATE, id, &c);
	int rc;
	if (!body)
		goto out;
	if (!json_is_integer(json_object_get(body, "version"))) {
		cb_api_error(r, 400, "invalid", "version: required, the version you read");
		goto out;
	}
	if (json_object_get(body, "case_id")) {
		cb_api_error(r, 400, "invalid", "case_id: cannot be changed");
		goto out;
	}
	const char *fields = touched(r, body, &touches_pii);
	bool pii = cb_api_may_see_pii(r, id, c.site);
	if (touches_pii && !pii) {
		cb_api_error(r, 403, "forbidden", "identifying details: your role may not change them on this case");
		goto out;
	}
	if (pii && load_case(r, id, CB_WITH_PII, CB_ACT_CASE_UPDATE, &c)) /* the whole set: the patch applies to it */
		goto out;
	snprintf(old_site, sizeof old_site, "%s", c.site);
	if ((rc = cb_case_from_json(&c, body, CB_JSON_PATCH | CB_JSON_PII, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	if (strcmp(old_site, c.site) && (cb_api_check(r, CB_ACT_CASE_CREATE, c.site) || cb_api_site_ok(r, c.site)))
		goto out; /* a move: allowed there, and to an office of the list? */
	if ((rc = cb_api_begin(r, &err)) == CB_OK)
		rc = cb_api_end(r, cb_store_update(cb_api_store(r), &c, pii ? CB_WITH_PII : 0, &err), CB_AUD_CASE_UPDATE, id,
				fields, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	reply_case(r, 200, &c, pii);
out:
	cb_case_clear(&c);
	json_decref(body);
	return CB_OK;
}

/* ---- POST /api/cases/{id}/glass */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int cb_api_case_glass(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	json_t *body = case_and_body(r, arg, CB_ACT_GLASS, id, &c);
	int rc;
	if (!body)
		goto out;
	const char *reason = json_string_value(json_object_get(body, "reason"));
	size_t n = reason ? utf8_chars(reason) : 0;
	if (!reason || n < 10 || n > 500 || strlen(reason) != json_string_length(json_object_get(body, "reason"))) {
		cb_api_error(r, 400, "invalid", "reason: 10 to 500 characters, saying why");
		goto out;
	}
	if ((rc = cb_glass_open(cb_api_store(r), r->user.id, id, reason, r->now, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	char until[32];
	time_t t = (time_t)(r->now + 3600);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cb_api_json(r, 200, json_pack("{s:s}", "until", until));
out:
	cb_case_clear(&c);
	json_decref(body);
	return CB_OK;
}
