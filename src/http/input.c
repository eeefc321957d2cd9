/*
 * input.c -- what a request brings: its JSON body and the members of it that the resources read (dates,
 * coded values, texts, ids, lists), and the case a route names.  Each reader checks one member against what
 * the API documents and answers 400 naming the member and what was expected, so that every resource words
 * the same mistake the same way.
 */
#include <stdio.h>
#include <string.h>

#include "http/api.h"

json_t *cb_api_body(struct cb_http_req *r)
{
	json_t *obj;
	if (!cb_http_is_json(r->content_type)) {
		cb_api_error(r, 415, "unsupported_media_type", "send the body as application/json");
		return NULL;
	}
	if (cb_http_json_object(r->body, r->body_len, &obj) != CB_OK) {
		cb_api_error(r, 400, "bad_json", "the body is not a JSON object");
		return NULL;
	}
	return obj;
}

const char *cb_api_vset_names(struct cb_http_req *r, enum cb_vset_id vs)
{
	char buf[700];
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < cb_vsets[vs].count && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", cb_vsets[vs].values[i].name);
	return cb_arena_strndup(r->arena, buf, strlen(buf));
}

int cb_api_get_date(struct cb_http_req *r, json_t *body, const char *key, int32_t *day)
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
	return cb_api_bad(r, cb_arena_printf(r->arena, "%s: expected a date YYYY-MM-DD or null", key));
}

/* Required ones are checked by the caller or the layer below. */
int cb_api_get_value(struct cb_http_req *r, json_t *body, const char *key, enum cb_vset_id vs, int32_t *v)
{
	json_t *j = json_object_get(body, key);
	if (!j)
		return 0;
	int32_t x = json_is_string(j) ? cb_value_find(&cb_vsets[vs], json_string_value(j)) : CB_NA;
	if (x != CB_NA) {
		*v = x;
		return 0;
	}
	return cb_api_bad(r, cb_arena_printf(r->arena, "%s: expected one of %s", key, cb_api_vset_names(r, vs)));
}

/* No NUL inside, at most max bytes. */
int cb_api_get_text(struct cb_http_req *r, json_t *body, const char *key, size_t max, const char **out)
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
	return cb_api_bad(r, cb_arena_printf(r->arena, "%s: expected a text of at most %zu bytes", key, max));
}

int cb_api_get_id(struct cb_http_req *r, json_t *body, const char *key, int64_t *id)
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
	return cb_api_bad(r, cb_arena_printf(r->arena, "%s: expected a partner id (a number) or null", key));
}

/* ["a", "b"] or a text "a,b", as one comma-separated text for the parsers below. */
int cb_api_get_list(struct cb_http_req *r, json_t *body, const char *key, const char **out)
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
		return cb_api_bad(r, cb_arena_printf(r->arena, "%s: expected a list of names", key));
	char *t = cb_arena_strndup(r->arena, "", 0);
	json_array_foreach(j, i, v) {
		const char *s = json_string_value(v);
		if (!s || strchr(s, ',') || strlen(s) != json_string_length(v) || strlen(s) > 64 || !t)
			return cb_api_bad(r, cb_arena_printf(r->arena, "%s: expected a list of names", key));
		t = cb_arena_printf(r->arena, "%s%s%s", t, i ? "," : "", s);
	}
	*out = t ? t : "";
	return 0;
}

const char *cb_api_touched(struct cb_http_req *r, json_t *body, const char *const *known)
{
	char buf[256] = "";
	size_t o = 0;
	for (; *known; known++)
		if (json_object_get(body, *known) && o < sizeof buf)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? "," : "", *known);
	return cb_arena_strndup(r->arena, buf, strlen(buf));
}

int cb_api_open_case(struct cb_http_req *r, const char *arg, enum cb_action act, uint8_t id[16], char site[17],
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
