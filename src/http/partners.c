/*
 * partners.c -- the partner directory resource: list (in the caller's office scope), add and change (managers,
 * by the route's policy); a type changed changes the cases referred to it in the same transaction (care).
 * Also the one check that a partner a request
 * names is one the caller may name (assistance.c, referrals.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "care/assist.h"

/* A partner the caller may name: known and in her office scope (cb_partner_get_for, the one rule).  Unknown and
 * out of scope answer the same 404, body and all, so that ids of other offices' entries cannot be probed. */
int cb_api_need_partner(struct cb_http_req *r, int64_t id, struct cb_partner *p)
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

static json_t *partner_json(struct cb_http_req *r, const struct cb_partner *p)
{
	json_t *services = json_array(), *serves = json_array();
	for (int t = 0; t < CB_assistance_type__COUNT; t++)
		if (p->services & (UINT64_C(1) << t))
			json_array_append_new(services, json_string(cb_vsets[CB_VS_assistance_type].values[t].name));
	for (int i = 0; i < p->nserved; i++)
		json_array_append_new(serves, json_string(cb_countries[p->served[i]].alpha2));
	json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s}", "id", (json_int_t)p->id, "name",
			      p->name, "type", cb_api_value_json(CB_VS_org_type, p->type), "country",
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

/* Applies a partner document (all members optional: a patch) onto p. */
static int partner_from_json(struct cb_http_req *r, json_t *body, struct cb_partner *p)
{
	const char *name, *city, *phone, *site, *country, *services, *serves;
	struct cb_err err = {0};
	json_t *beds = json_object_get(body, "beds");
	if (cb_api_get_text(r, body, "name", sizeof p->name - 1, &name) || cb_api_get_text(r, body, "city", sizeof p->city - 1, &city) ||
	    cb_api_get_text(r, body, "phone", sizeof p->phone - 1, &phone) ||
	    cb_api_get_text(r, body, "site", sizeof p->site - 1, &site) || cb_api_get_text(r, body, "country", 8, &country) ||
	    cb_api_get_value(r, body, "type", CB_VS_org_type, &p->type) || cb_api_get_list(r, body, "services", &services) ||
	    cb_api_get_list(r, body, "serves", &serves))
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
		return cb_api_bad(r, "country: expected an ISO 3166 country code (MD, ROU, ...)");
	if (services && cb_services_parse(services, &p->services, &err) != CB_OK)
		return cb_api_bad(r, err.msg);
	if (serves && cb_served_parse(serves, p, &err) != CB_OK)
		return cb_api_bad(r, err.msg);
	if (beds && json_is_null(beds))
		p->beds = CB_NA;
	else if (beds && json_is_integer(beds) && json_integer_value(beds) >= 0 && json_integer_value(beds) <= 100000)
		p->beds = (int32_t)json_integer_value(beds);
	else if (beds)
		return cb_api_bad(r, "beds: expected 0 to 100000, or null when the partner is no shelter");
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
		cb_api_bad(r, cb_arena_printf(r->arena, "service: expected one of %s", cb_api_vset_names(r, CB_VS_assistance_type)));
		return CB_OK;
	}
	if (country && *country && (f.country = cb_country_find(country)) == CB_NA) {
		cb_api_bad(r, "country: expected an ISO 3166 country code (MD, ROU, ...)");
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
	int rc = cb_api_begin(r, &err);
	if (rc == CB_OK)
		rc = cb_api_end(r, cb_partner_add(cb_api_store(r), &p, &r->user, &err), CB_AUD_PARTNER_ADD, NULL, cb_api_touched(r, body, partner_keys), &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = partner_json(r, &p);
	cb_api_json(r, 201, doc);
out:
	json_decref(body);
	return CB_OK;
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
	if (partner_from_json(r, body, &p))
		goto out;
	if ((rc = cb_api_begin(r, &err)) == CB_OK)
		rc = cb_api_end(r, cb_partner_update(cb_api_store(r), &p, &r->user, &err), CB_AUD_PARTNER_UPDATE, NULL,
				cb_api_touched(r, body, partner_keys), &err);
	if (rc != CB_OK) {
		cb_api_fail(r, rc, &err);
		goto out;
	}
	json_t *doc = partner_json(r, &p);
	cb_api_json(r, 200, doc);
out:
	json_decref(body);
	return CB_OK;
}
