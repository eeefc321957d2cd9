/*
 * api_assist.c -- the handlers of the help a person receives (docs/api.md, "Assistance"): the partner
 * directory, a case's assistance records, referrals, workflow stage and follow-ups, the overdue follow-ups
 * of an office and its dashboard.  Thin shells over store/assist.h, as src/cli/cmd_assist.c is.
 *
 * A case's records follow the case's scope: the handler loads the case's office and asks cb_authz_check
 * (a case outside the caller's scope, or a record of another case, is 404).  Notes, details and reasons may
 * describe the person: the store seals them; they are returned only to whoever may read the case's
 * identifying details, audited by field name, never logged.  Writes keep the resident statistics index
 * current, since case_stage, assistance_type and referral_partner_type move with these records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "store/assist.h"

/* ---- helpers */

static json_t *date_json(int32_t day)
{
	char d[11];
	if (day == CB_NA)
		return json_null();
	cb_date_format(day, d);
	return json_string(d);
}

static json_t *value_json(enum cb_vset_id vs, int32_t v)
{
	return v >= 0 && v < cb_vsets[vs].count ? json_string(cb_vsets[vs].values[v].name) : json_null();
}

static json_t *text_json(const char *t) { return t ? json_string(t) : json_null(); }

/* Answers 400 invalid; -1 for `return bad(...)`. */
static int bad(struct cb_http_req *r, const char *detail)
{
	cb_api_error(r, 400, "invalid", detail ? detail : "invalid");
	return -1;
}

/* "a, b, c": the names of a value set, for errors. */
static const char *vset_names(struct cb_http_req *r, enum cb_vset_id vs)
{
	char buf[700];
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < cb_vsets[vs].count && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", cb_vsets[vs].values[i].name);
	return cb_arena_strndup(r->arena, buf, strlen(buf));
}

/* An optional date member: absent leaves *day, null clears it, "YYYY-MM-DD" sets it. */
static int get_date(struct cb_http_req *r, json_t *body, const char *key, int32_t *day)
{
	json_t *v = json_object_get(body, key);
	if (!v)
		return 0;
	if (json_is_null(v)) {
		*day = CB_NA;
		return 0;
	}
	if (json_is_string(v) && cb_date_parse(json_string_value(v), day) == CB_OK)
		return 0;
	return bad(r, cb_arena_printf(r->arena, "%s: expected a date YYYY-MM-DD or null", key));
}

/* An optional coded member (a value name); required ones are checked by the caller or the store. */
static int get_value(struct cb_http_req *r, json_t *body, const char *key, enum cb_vset_id vs, int32_t *v)
{
	json_t *j = json_object_get(body, key);
	if (!j)
		return 0;
	int32_t x = json_is_string(j) ? cb_value_find(&cb_vsets[vs], json_string_value(j)) : CB_NA;
	if (x != CB_NA) {
		*v = x;
		return 0;
	}
	return bad(r, cb_arena_printf(r->arena, "%s: expected one of %s", key, vset_names(r, vs)));
}

/* An optional text member (no NUL inside, at most max bytes): *out NULL when absent or null. */
static int get_text(struct cb_http_req *r, json_t *body, const char *key, size_t max, const char **out)
{
	json_t *j = json_object_get(body, key);
	*out = NULL;
	if (!j || json_is_null(j))
		return 0;
	const char *t = json_string_value(j);
	if (t && strlen(t) == json_string_length(j) && strlen(t) <= max) {
		*out = t;
		return 0;
	}
	return bad(r, cb_arena_printf(r->arena, "%s: expected a text of at most %zu bytes", key, max));
}

/* An optional id member: a positive integer; null is 0. */
static int get_id(struct cb_http_req *r, json_t *body, const char *key, int64_t *id)
{
	json_t *j = json_object_get(body, key);
	if (!j)
		return 0;
	if (json_is_null(j)) {
		*id = 0;
		return 0;
	}
	if (json_is_integer(j) && json_integer_value(j) > 0) {
		*id = json_integer_value(j);
		return 0;
	}
	return bad(r, cb_arena_printf(r->arena, "%s: expected a partner id (a number) or null", key));
}

/* The names among `known` that the body holds, comma-separated: what the audit trail records. */
static const char *touched(struct cb_http_req *r, json_t *body, const char *const *known)
{
	char buf[256] = "";
	size_t o = 0;
	for (; *known; known++)
		if (json_object_get(body, *known) && o < sizeof buf)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? "," : "", *known);
	return cb_arena_strndup(r->arena, buf, strlen(buf));
}

/* A partner the caller may name: known and in her office scope (cb_partner_get_for, the one rule).  Unknown and
 * out of scope answer the same 404, body and all, so that ids of other offices' entries cannot be probed. */
static int need_partner(struct cb_http_req *r, int64_t id, struct cb_partner *p)
{
	struct cb_err err = {0};
	int rc = cb_partner_get_for(cb_api_store(r), id, &r->user, p, &err);
	if (rc == CB_OK)
		return 0;
	if (rc == CB_ENOTFOUND)
		cb_api_refuse(r, 404);
	else
		cb_api_fail(r, rc, &err);
	return -1;
}

/* The case of a route ("CASE_ID" or "CASE_ID/RECORD_ID"), authorised for act: 0, or -1 when answered.
 * *sub gets the record id when the route has one. */
static int open_case(struct cb_http_req *r, const char *arg, enum cb_action act, uint8_t id[16], char site[17],
		     int64_t *sub)
{
	char cid[CB_ID_TEXT + 1];
	const char *slash = strchr(arg, '/');
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
	long rec = 0;
	struct cb_case c;
	struct cb_err err = {0};
	if (n >= sizeof cid || (sub && (!slash || cb_http_parse_long(slash + 1, 1, INT64_MAX, &rec))) ||
	    (!sub && slash)) {
		cb_api_refuse(r, 404);
		return -1;
	}
	memcpy(cid, arg, n);
	cid[n] = 0;
	if (cb_case_id_parse(cid, id) != CB_OK) {
		cb_api_refuse(r, 404);
		return -1;
	}
	cb_case_init(&c);
	int rc = cb_store_get(cb_api_store(r), id, 0, &c, &err);
	if (rc == CB_OK)
		snprintf(site, 17, "%s", c.site);
	cb_case_clear(&c);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		return -1;
	}
	if (cb_api_check(r, act, site))
		return -1;
	if (sub)
		*sub = rec;
	return 0;
}

int cb_api_case_of(struct cb_http_req *r, const char *arg, enum cb_action act, uint8_t id[16], char site[17])
{
	return open_case(r, arg, act, id, site, NULL);
}

/* Re-reads a case after its records changed and updates the statistics index. */
static void reindex(struct cb_http_req *r, const uint8_t id[16])
{
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	if (cb_store_get(cb_api_store(r), id, 0, &c, &err) == CB_OK)
		cb_api_index_case(r, &c);
	cb_case_clear(&c);
}

/* Audits a read, then answers with doc; a read the trail cannot record is not answered. */
static void reply_read(struct cb_http_req *r, enum cb_audit_action a, const uint8_t id[16], const char *fields,
		       json_t *doc)
{
	int rc = cb_api_audit(r, a, id, fields);
	if (rc != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		return;
	}
	cb_api_json(r, 200, doc);
}

/* ---- partners */

static json_t *partner_json(struct cb_http_req *r, const struct cb_partner *p)
{
	json_t *services = json_array(), *serves = json_array();
	for (int t = 0; t < CB_assistance_type__COUNT; t++)
		if (p->services & (UINT64_C(1) << t))
			json_array_append_new(services, json_string(cb_vsets[CB_VS_assistance_type].values[t].name));
	for (int i = 0; i < p->nserved; i++)
		json_array_append_new(serves, json_string(cb_countries[p->served[i]].alpha2));
	json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s}", "id", (json_int_t)p->id, "name",
			      p->name, "type", value_json(CB_VS_org_type, p->type), "country",
			      cb_countries[p->country].alpha2, "city", p->city, "phone", p->phone, "services", services,
			      "serves", serves, "site", p->site);
	if (p->beds == CB_NA) {
		json_object_set_new(o, "beds", json_null());
	} else {
		int occ = 0;
		struct cb_err err = {0};
		json_object_set_new(o, "beds", json_integer(p->beds));
		if (cb_shelter_occupancy(cb_api_store(r), p->id, CB_NA, &occ, &err) == CB_OK)
			json_object_set_new(o, "occupied", json_integer(occ));
	}
	return o;
}

/* A list member ["a", "b"] or a text "a,b", as one comma-separated text for the store's parsers. */
static int get_list(struct cb_http_req *r, json_t *body, const char *key, const char **out)
{
	json_t *j = json_object_get(body, key), *v;
	size_t i;
	*out = NULL;
	if (!j)
		return 0;
	if (json_is_string(j) && strlen(json_string_value(j)) == json_string_length(j)) {
		*out = json_string_value(j);
		return 0;
	}
	if (!json_is_array(j) || json_array_size(j) > 64)
		return bad(r, cb_arena_printf(r->arena, "%s: expected a list of names", key));
	char *t = cb_arena_strndup(r->arena, "", 0);
	json_array_foreach(j, i, v) {
		const char *s = json_string_value(v);
		if (!s || strchr(s, ',') || strlen(s) != json_string_length(v) || strlen(s) > 64 || !t)
			return bad(r, cb_arena_printf(r->arena, "%s: expected a list of names", key));
		t = cb_arena_printf(r->arena, "%s%s%s", t, i ? "," : "", s);
	}
	*out = t ? t : "";
	return 0;
}

/* Applies a partner document (all members optional: a patch) onto p. */
static int partner_from_json(struct cb_http_req *r, json_t *body, struct cb_partner *p)
{
	const char *name, *city, *phone, *site, *country, *services, *serves;
	struct cb_err err = {0};
	json_t *beds = json_object_get(body, "beds");
	if (get_text(r, body, "name", sizeof p->name - 1, &name) || get_text(r, body, "city", sizeof p->city - 1, &city) ||
	    get_text(r, body, "phone", sizeof p->phone - 1, &phone) ||
	    get_text(r, body, "site", sizeof p->site - 1, &site) || get_text(r, body, "country", 8, &country) ||
	    get_value(r, body, "type", CB_VS_org_type, &p->type) || get_list(r, body, "services", &services) ||
	    get_list(r, body, "serves", &serves))
		return -1;
	if (name)
		snprintf(p->name, sizeof p->name, "%s", name);
	if (city || json_is_null(json_object_get(body, "city")))
		snprintf(p->city, sizeof p->city, "%s", city ? city : "");
	if (phone || json_is_null(json_object_get(body, "phone")))
		snprintf(p->phone, sizeof p->phone, "%s", phone ? phone : "");
	if (site || json_is_null(json_object_get(body, "site")))
		snprintf(p->site, sizeof p->site, "%s", site ? site : "");
	if (country && (p->country = cb_country_find(country)) == CB_NA)
		return bad(r, "country: expected an ISO 3166 country code (MD, ROU, ...)");
	if (services && cb_services_parse(services, &p->services, &err) != CB_OK)
		return bad(r, err.msg);
	if (serves && cb_served_parse(serves, p, &err) != CB_OK)
		return bad(r, err.msg);
	if (beds && json_is_null(beds))
		p->beds = CB_NA;
	else if (beds && json_is_integer(beds) && json_integer_value(beds) >= 0 && json_integer_value(beds) <= 100000)
		p->beds = (int32_t)json_integer_value(beds);
	else if (beds)
		return bad(r, "beds: expected 0 to 100000, or null when the partner is no shelter");
	return 0;
}

static const char *const partner_keys[] = {"name", "type", "country", "city", "phone", "services", "serves",
					   "beds", "site", NULL};

struct partner_list {
	struct cb_http_req *r;
	json_t *arr;
};

static int partner_entry(const struct cb_partner *p, void *ctx)
{
	struct partner_list *l = ctx;
	return json_array_append_new(l->arr, partner_json(l->r, p)) ? CB_ENOMEM : CB_OK;
}

int cb_api_partners_list(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_partner_filter f = {.service = CB_NA, .country = CB_NA};
	const char *service = cb_http_query_get(&r->query, "service");
	const char *country = cb_http_query_get(&r->query, "country");
	const char *site = cb_http_query_get(&r->query, "site");
	struct cb_err err = {0};
	if (service && *service && (f.service = cb_value_find(&cb_vsets[CB_VS_assistance_type], service)) == CB_NA) {
		bad(r, cb_arena_printf(r->arena, "service: expected one of %s", vset_names(r, CB_VS_assistance_type)));
		return CB_OK;
	}
	if (country && *country && (f.country = cb_country_find(country)) == CB_NA) {
		bad(r, "country: expected an ISO 3166 country code (MD, ROU, ...)");
		return CB_OK;
	}
	/* a caseworker sees the entries of her office and those shared by every office (the store's scope rule) */
	f.by = &r->user;
	f.site = r->user.role == CB_ROLE_CASEWORKER ? NULL : site && *site ? site : NULL;
	struct partner_list l = {r, json_array()};
	int rc = cb_partner_list(cb_api_store(r), &f, partner_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "partners", l.arr));
	return CB_OK;
}

int cb_api_partner_add(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	json_t *body = cb_api_body(r);
	struct cb_partner p;
	struct cb_err err = {0};
	if (!body)
		return CB_OK;
	cb_partner_init(&p);
	if (partner_from_json(r, body, &p))
		goto out;
	int rc = cb_partner_add(cb_api_store(r), &p, &r->user, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = partner_json(r, &p);
	if ((rc = cb_api_audit(r, CB_AUD_PARTNER_ADD, NULL, touched(r, body, partner_keys))) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 201, doc);
out:
	json_decref(body);
	return CB_OK;
}

/* The ids of the cases referred to a partner, gathered first so that re-reading them runs after the store's
 * walk over the referrals has finished. */
struct referred {
	uint8_t (*ids)[16];
	size_t n;
};

static int add_referred(const uint8_t id[16], void *ctx)
{
	struct referred *c = ctx;
	uint8_t (*more)[16] = realloc(c->ids, (c->n + 1) * sizeof *c->ids);
	if (!more)
		return CB_ENOMEM;
	c->ids = more;
	memcpy(c->ids[c->n++], id, 16);
	return CB_OK;
}

/* Cases referred to a partner: their referral_partner_type follows its type. */
static int reindex_referred(struct cb_http_req *r, int64_t org, struct cb_err *err)
{
	struct referred c = {0};
	int rc = cb_partner_referred(cb_api_store(r), org, add_referred, &c, err);
	if (rc == CB_ENOMEM)
		cb_err_set(err, rc, "out of memory");
	if (rc == CB_OK)
		for (size_t i = 0; i < c.n; i++)
			reindex(r, c.ids[i]);
	free(c.ids);
	return rc;
}

int cb_api_partner_update(struct cb_http_req *r, const char *arg)
{
	long id;
	struct cb_partner p;
	struct cb_err err = {0};
	if (cb_http_parse_long(arg, 1, INT64_MAX, &id) != CB_OK) {
		cb_api_refuse(r, 404);
		return CB_OK;
	}
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	int rc = cb_partner_get_for(cb_api_store(r), id, &r->user, &p, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	int32_t old_type = p.type;
	if (partner_from_json(r, body, &p))
		goto out;
	if ((rc = cb_partner_update(cb_api_store(r), &p, &r->user, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	/* the change is stored: a statistics index left behind is said, not answered as a failed update */
	if (p.type != old_type && (rc = reindex_referred(r, p.id, &err)) != CB_OK)
		fprintf(stderr, "casebank serve: statistics index: cases of partner %ld not refreshed: %s\n", id,
			err.msg[0] ? err.msg : cb_rc_str(rc));
	json_t *doc = partner_json(r, &p);
	if ((rc = cb_api_audit(r, CB_AUD_PARTNER_UPDATE, NULL, touched(r, body, partner_keys))) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 200, doc);
out:
	json_decref(body);
	return CB_OK;
}

/* ---- assistance records */

static json_t *assist_json(struct cb_http_req *r, const struct cb_assist *a, bool pii)
{
	json_t *o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)a->id, "type",
			      value_json(CB_VS_assistance_type, a->type), "provider",
			      a->provider ? json_integer(a->provider) : json_null(), "planned_on", date_json(a->planned_on),
			      "start_on", date_json(a->start_on), "end_on", date_json(a->end_on), "status",
			      value_json(CB_VS_assistance_status, a->status));
	struct cb_partner p;
	struct cb_err err = {0};
	if (a->provider && cb_partner_get(cb_api_store(r), a->provider, &p, &err) == CB_OK)
		json_object_set_new(o, "provider_name", json_string(p.name));
	if (pii)
		json_object_set_new(o, "notes", text_json(a->notes));
	return o;
}

/* The capacity warning of a placement: stored, and said (docs/assistance.md, "Partners"). */
static void add_warning(json_t *doc, const struct cb_capacity *cap, int64_t shelter)
{
	char d[11], text[200];
	if (!cap->over)
		return;
	cb_date_format(cap->day, d);
	snprintf(text, sizeof text, "shelter %lld has %d beds and %d placements on %s: over capacity (the record is stored)",
		 (long long)shelter, cap->beds, cap->occupied, d);
	json_object_set_new(doc, "warning",
			    json_pack("{s:s, s:s, s:I, s:i, s:i, s:s}", "code", "over_capacity", "detail", text,
				      "shelter", (json_int_t)shelter, "beds", cap->beds, "occupied", cap->occupied, "day", d));
}

struct assist_list {
	struct cb_http_req *r;
	json_t *arr;
	bool pii, notes;
};

static int assist_entry(const struct cb_assist *a, void *ctx)
{
	struct assist_list *l = ctx;
	l->notes |= l->pii && a->notes;
	return json_array_append_new(l->arr, assist_json(l->r, a, l->pii)) ? CB_ENOMEM : CB_OK;
}

int cb_api_assist_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (open_case(r, arg, CB_ACT_ASSIST_READ, id, site, NULL))
		return CB_OK;
	struct assist_list l = {r, json_array(), cb_api_may_see_pii(r, id, site), false};
	int rc = cb_assist_list(cb_api_store(r), id, l.pii ? CB_WITH_PII : 0, assist_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	reply_read(r, CB_AUD_ASSISTANCE_READ, id, l.notes ? "notes" : NULL, json_pack("{s:o}", "assistance", l.arr));
	return CB_OK;
}

static const char *const assist_keys[] = {"type", "provider", "planned_on", "start_on", "end_on", "status", "notes",
					  NULL};

int cb_api_assist_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_assist a;
	struct cb_capacity cap = {0};
	struct cb_partner p;
	struct cb_err err = {0};
	const char *notes;
	cb_assist_init(&a);
	if (open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	a.type = -2; /* missing: the store names the allowed types */
	if (get_value(r, body, "type", CB_VS_assistance_type, &a.type) ||
	    get_value(r, body, "status", CB_VS_assistance_status, &a.status) || get_id(r, body, "provider", &a.provider) ||
	    get_date(r, body, "planned_on", &a.planned_on) || get_date(r, body, "start_on", &a.start_on) ||
	    get_date(r, body, "end_on", &a.end_on) || get_text(r, body, "notes", CB_NOTE_MAX, &notes) ||
	    (a.provider && need_partner(r, a.provider, &p)))
		goto out;
	memcpy(a.case_id, id, 16);
	a.notes = notes ? strdup(notes) : NULL;
	int rc = cb_assist_add(cb_api_store(r), &a, &r->user, &cap, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	reindex(r, id);
	json_t *doc = assist_json(r, &a, cb_api_may_see_pii(r, id, site));
	add_warning(doc, &cap, a.provider);
	if ((rc = cb_api_audit(r, CB_AUD_ASSISTANCE_ADD, id, touched(r, body, assist_keys))) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 201, doc);
out:
	cb_assist_clear(&a);
	json_decref(body);
	return CB_OK;
}

int cb_api_assist_update(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int64_t rec;
	struct cb_assist a;
	struct cb_capacity cap = {0};
	struct cb_err err = {0};
	cb_assist_init(&a);
	if (open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, &rec))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	int rc = cb_assist_get(cb_api_store(r), rec, 0, &a, &err);
	if (rc != CB_OK || memcmp(a.case_id, id, 16)) { /* another case's record is not found here */
		cb_api_refuse(r, 404);
		goto out;
	}
	if (json_object_get(body, "notes") || json_object_get(body, "type") || json_object_get(body, "provider")) {
		bad(r, "only status, planned_on, start_on and end_on change; register a new record for another service");
		goto out;
	}
	if (get_value(r, body, "status", CB_VS_assistance_status, &a.status) ||
	    get_date(r, body, "planned_on", &a.planned_on) || get_date(r, body, "start_on", &a.start_on) ||
	    get_date(r, body, "end_on", &a.end_on))
		goto out;
	if ((rc = cb_assist_update(cb_api_store(r), &a, 0, &r->user, &cap, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	reindex(r, id);
	json_t *doc = assist_json(r, &a, false);
	/* a provider a manager chose from another office's private entries stays on the record, but its beds and
	 * occupancy are that office's business */
	struct cb_partner p;
	struct cb_err perr = {0};
	if (a.provider && cb_partner_get_for(cb_api_store(r), a.provider, &r->user, &p, &perr) == CB_OK)
		add_warning(doc, &cap, a.provider);
	if ((rc = cb_api_audit(r, CB_AUD_ASSISTANCE_UPDATE, id, touched(r, body, assist_keys))) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 200, doc);
out:
	cb_assist_clear(&a);
	json_decref(body);
	return CB_OK;
}

/* ---- referrals */

static json_t *referral_json(struct cb_http_req *r, const struct cb_referral *f, bool pii)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:o, s:o, s:b, s:b, s:o, s:o}", "id", (json_int_t)f->id, "direction",
			      f->direction == CB_REFER_IN ? "in" : "out", "org", (json_int_t)f->org_id, "reason",
			      value_json(CB_VS_referral_reason, f->reason), "status",
			      value_json(CB_VS_referral_status, f->status), "shares_details", f->shares_details,
			      "consent_overridden", f->consent_overridden, "referred_on", date_json(f->referred_on),
			      "status_on", date_json(f->status_on));
	struct cb_partner p;
	struct cb_err err = {0};
	if (cb_partner_get(cb_api_store(r), f->org_id, &p, &err) == CB_OK)
		json_object_set_new(o, "org_name", json_string(p.name));
	if (pii) {
		json_object_set_new(o, "details", text_json(f->details));
		json_object_set_new(o, "override_reason", text_json(f->consent_overridden ? f->override_reason : NULL));
	}
	return o;
}

struct referral_list {
	struct cb_http_req *r;
	json_t *arr;
	bool pii, details, reasons;
};

static int referral_entry(const struct cb_referral *f, void *ctx)
{
	struct referral_list *l = ctx;
	l->details |= l->pii && f->details;
	l->reasons |= l->pii && f->consent_overridden;
	return json_array_append_new(l->arr, referral_json(l->r, f, l->pii)) ? CB_ENOMEM : CB_OK;
}

int cb_api_referrals_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (open_case(r, arg, CB_ACT_ASSIST_READ, id, site, NULL))
		return CB_OK;
	struct referral_list l = {r, json_array(), cb_api_may_see_pii(r, id, site), false, false};
	int rc = cb_referral_list(cb_api_store(r), id, l.pii ? CB_WITH_PII : 0, referral_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	const char *fields = l.details && l.reasons ? "details,override_reason"
			     : l.details	     ? "details"
			     : l.reasons	     ? "override_reason"
						     : NULL;
	reply_read(r, CB_AUD_REFERRAL_READ, id, fields, json_pack("{s:o}", "referrals", l.arr));
	return CB_OK;
}

static const char *const referral_keys[] = {"to", "direction", "reason", "share_details", "details",
					    "override_reason", NULL};

int cb_api_referral_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_referral f;
	struct cb_partner p;
	struct cb_err err = {0};
	const char *details, *override, *dir;
	json_t *share;
	cb_referral_init(&f);
	if (open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	share = json_object_get(body, "share_details");
	f.reason = -2; /* missing: the store names the allowed reasons */
	if (get_id(r, body, "to", &f.org_id) || get_value(r, body, "reason", CB_VS_referral_reason, &f.reason) ||
	    get_text(r, body, "details", CB_NOTE_MAX, &details) || get_text(r, body, "override_reason", 500, &override) ||
	    get_text(r, body, "direction", 3, &dir))
		goto out;
	if (!f.org_id) {
		bad(r, "to: the partner organisation's id is required");
		goto out;
	}
	if (share && !json_is_boolean(share)) {
		bad(r, "share_details: expected true or false");
		goto out;
	}
	if (dir && strcmp(dir, "in") && strcmp(dir, "out")) {
		bad(r, "direction: expected in or out");
		goto out;
	}
	/* only a manager overrides a missing consent: the one table says so */
	if (override && cb_api_check(r, CB_ACT_REFER_OVERRIDE, site))
		goto out;
	if (need_partner(r, f.org_id, &p))
		goto out;
	memcpy(f.case_id, id, 16);
	f.direction = dir && !strcmp(dir, "in") ? CB_REFER_IN : CB_REFER_OUT;
	f.shares_details = !share || json_is_true(share);
	f.details = details ? strdup(details) : NULL;
	int rc = cb_referral_add(cb_api_store(r), &f, override, &r->user, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err); /* consent missing: 409 consent_required naming consent_share_partners */
		goto out;
	}
	reindex(r, id);
	json_t *doc = referral_json(r, &f, cb_api_may_see_pii(r, id, site));
	if ((rc = cb_api_audit(r, CB_AUD_REFERRAL_ADD, id, touched(r, body, referral_keys))) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 201, doc);
out:
	cb_referral_clear(&f);
	json_decref(body);
	return CB_OK;
}

int cb_api_referral_update(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int64_t rec;
	int32_t status = CB_NA;
	struct cb_referral f;
	struct cb_err err = {0};
	cb_referral_init(&f);
	if (open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, &rec))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	int rc = cb_referral_get(cb_api_store(r), rec, 0, &f, &err);
	if (rc != CB_OK || memcmp(f.case_id, id, 16)) {
		cb_api_refuse(r, 404);
		goto out;
	}
	if (get_value(r, body, "status", CB_VS_referral_status, &status))
		goto out;
	if (status == CB_NA) {
		bad(r, cb_arena_printf(r->arena, "status: expected one of %s", vset_names(r, CB_VS_referral_status)));
		goto out;
	}
	if ((rc = cb_referral_set_status(cb_api_store(r), rec, status, &err)) != CB_OK) {
		if (rc == CB_EINVAL) /* a step the referral cannot take: the rule, as the store words it */
			cb_api_error(r, 409, "refused", err.msg);
		else
			cb_api_fail(r, rc, &err);
		goto out;
	}
	reindex(r, id);
	if ((rc = cb_referral_get(cb_api_store(r), rec, 0, &f, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = referral_json(r, &f, false);
	if ((rc = cb_api_audit(r, CB_AUD_REFERRAL_UPDATE, id, "status")) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 200, doc);
out:
	cb_referral_clear(&f);
	json_decref(body);
	return CB_OK;
}

/* ---- the workflow */

int cb_api_stage(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int32_t to;
	const char *reason;
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	if (open_case(r, arg, CB_ACT_STAGE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	const char *name = json_string_value(json_object_get(body, "stage"));
	if (get_text(r, body, "reason", CB_NOTE_MAX, &reason))
		goto out;
	if (!name || cb_stage_parse(name, &to, &err) != CB_OK) {
		if (!name)
			cb_stage_parse("", &to, &err); /* its message names the stages */
		bad(r, err.msg);
		goto out;
	}
	int rc = cb_stage_move(cb_api_store(r), id, to, reason, &r->user, &err);
	if (rc == CB_EINVAL) { /* refused by the workflow: its rule, and what is missing */
		cb_api_error(r, 409, "refused", err.msg);
		goto out;
	}
	if (rc != CB_OK || (rc = cb_store_get(cb_api_store(r), id, 0, &c, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err); /* CB_ECONSENT: 409 consent_required */
		goto out;
	}
	cb_api_index_case(r, &c); /* the store audited the step (case.stage or case.reopen) with the move */
	cb_api_json(r, 200,
		    json_pack("{s:o, s:o, s:I}", "stage", value_json(CB_VS_case_stage, c.case_stage), "status",
			      value_json(CB_VS_case_status, c.status), "version", (json_int_t)c.version));
out:
	cb_case_clear(&c);
	json_decref(body);
	return CB_OK;
}

/* ---- follow-ups */

struct followup_list {
	json_t *arr;
	bool pii, notes, with_case;
	int32_t today;
};

static int followup_entry(const struct cb_followup *f, void *ctx)
{
	struct followup_list *l = ctx;
	json_t *o = json_pack("{s:I, s:o, s:o, s:b}", "id", (json_int_t)f->id, "due_on", date_json(f->due_on), "done_on",
			      date_json(f->done_on), "overdue", f->done_on == CB_NA && f->due_on < l->today);
	if (l->with_case) {
		char cid[CB_ID_TEXT];
		cb_case_id_format(f->case_id, cid);
		json_object_set_new(o, "case_id", json_string(cid));
		json_object_set_new(o, "site", json_string(f->site));
	}
	if (l->pii) {
		json_object_set_new(o, "note", text_json(f->note));
		l->notes |= f->note != NULL;
	}
	return json_array_append_new(l->arr, o) ? CB_ENOMEM : CB_OK;
}

int cb_api_followups_list(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_err err = {0};
	if (open_case(r, arg, CB_ACT_ASSIST_READ, id, site, NULL))
		return CB_OK;
	struct followup_list l = {json_array(), cb_api_may_see_pii(r, id, site), false, false, cb_date_today()};
	struct cb_followup_filter f = {.case_id = id, .today = l.today};
	int rc = cb_followup_list(cb_api_store(r), &f, l.pii ? CB_WITH_PII : 0, followup_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	reply_read(r, CB_AUD_FOLLOWUP_READ, id, l.notes ? "note" : NULL, json_pack("{s:o}", "followups", l.arr));
	return CB_OK;
}

int cb_api_followup_add(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	struct cb_followup f;
	struct cb_err err = {0};
	const char *note;
	cb_followup_init(&f);
	if (open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, NULL))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	if (get_date(r, body, "due_on", &f.due_on) || get_text(r, body, "note", CB_NOTE_MAX, &note))
		goto out;
	memcpy(f.case_id, id, 16);
	f.note = note ? strdup(note) : NULL;
	int rc = cb_followup_add(cb_api_store(r), &f, &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = json_pack("{s:I, s:o, s:n, s:b}", "id", (json_int_t)f.id, "due_on", date_json(f.due_on),
				"done_on", "overdue", f.due_on < cb_date_today());
	if (cb_api_may_see_pii(r, id, site))
		json_object_set_new(doc, "note", text_json(f.note));
	if ((rc = cb_api_audit(r, CB_AUD_FOLLOWUP_ADD, id, note ? "due_on,note" : "due_on")) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 201, doc);
out:
	cb_followup_clear(&f);
	json_decref(body);
	return CB_OK;
}

static int find_followup(const struct cb_followup *f, void *ctx)
{
	struct cb_followup *want = ctx;
	if (f->id != want->id)
		return 0;
	want->due_on = f->due_on;
	want->done_on = f->done_on;
	return 1; /* found: stop */
}

/* Marks a follow-up done: {"done_on": "YYYY-MM-DD"} (absent or null: today). */
int cb_api_followup_update(struct cb_http_req *r, const char *arg)
{
	uint8_t id[16];
	char site[17];
	int64_t rec;
	int32_t day = CB_NA;
	struct cb_followup want;
	struct cb_err err = {0};
	cb_followup_init(&want);
	if (open_case(r, arg, CB_ACT_ASSIST_WRITE, id, site, &rec))
		return CB_OK;
	json_t *body = cb_api_body(r);
	if (!body)
		return CB_OK;
	want.id = rec;
	struct cb_followup_filter f = {.case_id = id, .today = CB_NA};
	int rc = cb_followup_list(cb_api_store(r), &f, 0, find_followup, &want, &err);
	if (rc != 1) { /* not this case's */
		if (rc == CB_OK)
			cb_api_refuse(r, 404);
		else
			cb_api_fail(r, rc, &err);
		goto out;
	}
	if (get_date(r, body, "done_on", &day))
		goto out;
	if (day == CB_NA)
		day = cb_date_today();
	if ((rc = cb_followup_done(cb_api_store(r), rec, day, &err)) != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = json_pack("{s:I, s:o, s:o, s:b}", "id", (json_int_t)rec, "due_on", date_json(want.due_on),
				"done_on", date_json(day), "overdue", false);
	if ((rc = cb_api_audit(r, CB_AUD_FOLLOWUP_DONE, id, "done_on")) != CB_OK) {
		json_decref(doc);
		cb_api_audit_failed(r, rc);
		goto out;
	}
	cb_api_json(r, 200, doc);
out:
	json_decref(body);
	return CB_OK;
}

/* ---- an office's overdue follow-ups and dashboard */

/* The office asked for (?site=; a caseworker's own by default), authorised for act: 0, or -1 when answered.
 * *site NULL means every office. */
static int office(struct cb_http_req *r, enum cb_action act, const char **site)
{
	*site = cb_http_query_get(&r->query, "site");
	if (!*site || !**site)
		*site = r->user.role == CB_ROLE_CASEWORKER ? r->user.site : NULL;
	return cb_api_check(r, act, *site) || cb_api_site_ok(r, *site) ? -1 : 0;
}

int cb_api_overdue(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	const char *site;
	if (office(r, CB_ACT_OVERDUE, &site))
		return CB_OK;
	struct followup_list l = {json_array(), false, false, true, cb_date_today()};
	struct cb_followup_filter f = {.site = site, .overdue = true, .today = l.today};
	int rc = cb_followup_list(cb_api_store(r), &f, 0, followup_entry, &l, &err);
	if (rc != CB_OK) {
		json_decref(l.arr);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200, json_pack("{s:o}", "followups", l.arr));
	return CB_OK;
}

int cb_api_dashboard(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_dashboard d;
	struct cb_err err = {0};
	const char *site;
	char m[11];
	if (office(r, CB_ACT_DASHBOARD, &site))
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
