/*
 * codebook.c -- GET /api/codebook: everything coded that a client needs to build its forms and menus, from
 * the tables of include/tbl/ (docs/api.md, "The codebook"): every field with its value set, every value set
 * (those of casework records too), the roles of accounts, the state machines of include/tbl/cb_states.h with
 * their moves, the groups of the interviews, the countries, the statistical dimensions.  The web pages build their menus from
 * it and copy none of it.  Labels and texts are in the request's language (?lang= or Accept-Language,
 * languages.c); names, the codes, are the same in every language.  Built once a language, on its first
 * request: the tables never change while the server runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "care/states.h"
#include "http/api.h"
#include "stats/stats.h"
#include "util/i18n.h"

static const char *const kind_names[] = {"id", "site", "date", "int", "enum", "multi", "country", "bool", "pii"};
static const struct {
	const char *name, *label, *interview;
} groups[] = {
	[CB_G_CASE] = {"case", "Case", "screening"},
	[CB_G_PERSON] = {"person", "Person", "screening"},
	[CB_G_RECRUIT] = {"recruitment", "Recruitment", "assistance"},
	[CB_G_EXPLOIT] = {"exploitation", "Exploitation", "assistance"},
	[CB_G_CONSENT] = {"consent", "Consent", "screening"},
	[CB_G_IDENTITY] = {"identity", "Identifying details", "screening"},
};

#define CODEBOOK_LANGS 32
static char *codebook_text[CODEBOOK_LANGS];
static size_t codebook_len[CODEBOOK_LANGS];
static pthread_mutex_t codebook_mu = PTHREAD_MUTEX_INITIALIZER;

/* A label in the thread's language: the request's (util/i18n.h). */
#define CBL(s) cb_tr(NULL, "codebook", s)

static json_t *values_json(const struct cb_vset *vs)
{
	json_t *vals = json_array();
	for (int i = 0; i < vs->count; i++)
		json_array_append_new(vals, json_pack("{s:s, s:s}", "name", vs->values[i].name, "label", CBL(vs->values[i].label)));
	return vals;
}

static json_t *field_json(const struct cb_field *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "label", CBL(f->label),
			      "kind", kind_names[f->kind], "group", groups[f->group].name, "multi", f->kind == CB_MULTI,
			      "pii", f->kind == CB_PII, "dimension", (f->flags & CB_F_DIM) != 0, "required",
			      (f->flags & (CB_F_REQUIRED | CB_F_REGISTER)) != 0, "derived",
			      (f->flags & (CB_F_DERIVED | CB_F_STORE)) != 0);
	if (f->kind == CB_INT) {
		json_object_set_new(o, "min", json_integer(f->lo));
		json_object_set_new(o, "max", json_integer(f->hi));
	}
	if (f->kind == CB_PII)
		json_object_set_new(o, "max_length", json_integer(f->hi));
	if (f->kind == CB_PII && (f->flags & CB_F_ISODATE))
		json_object_set_new(o, "format", json_string("date"));
	if (f->flags & (CB_F_PHONE | CB_F_EMAIL))
		json_object_set_new(o, "format", json_string(f->flags & CB_F_PHONE ? "phone" : "email"));
	if ((f->kind == CB_ENUM || f->kind == CB_MULTI) && f->vset)
		json_object_set_new(o, "values", values_json(f->vset));
	return o;
}

/* ---- the state machines (include/tbl/cb_states.h) */

static const struct {
	unsigned bit;
	const char *name, *text;
} needs[] = {
#define N(id, bit, text) {bit, #id, text},
	CB_MOVE_NEEDS(N)
#undef N
};

/* "SCREENED" -> "screened": the names of needs are lower case in the API, as its other names. */
static json_t *need_name(const char *id)
{
	char low[32];
	size_t i = 0;
	for (; id[i] && i < sizeof low - 1; i++)
		low[i] = (char)(id[i] >= 'A' && id[i] <= 'Z' ? id[i] - 'A' + 'a' : id[i]);
	low[i] = 0;
	return json_string(low);
}

static json_t *needs_json(unsigned flags)
{
	json_t *a = json_array();
	for (size_t i = 0; i < CB_COUNTOF(needs); i++)
		if (needs[i].bit && (flags & needs[i].bit))
			json_array_append_new(a, need_name(needs[i].name));
	return a;
}

static json_t *machine_json(const struct cb_machine *m)
{
	const struct cb_vset *vs = &cb_vsets[m->vset];
	json_t *states = json_array(), *moves = json_array(), *next = json_object();
	for (int v = 0; v < vs->count; v++) {
		json_t *to = json_array();
		json_array_append_new(states, json_string(vs->values[v].name));
		for (size_t i = 0; i < m->nmoves; i++)
			if (m->moves[i].from == v)
				json_array_append_new(to, json_string(vs->values[m->moves[i].to].name));
		json_object_set_new(next, vs->values[v].name, to);
	}
	for (size_t i = 0; i < m->nmoves; i++)
		json_array_append_new(moves, json_pack("{s:s, s:s, s:o}", "from", vs->values[m->moves[i].from].name, "to",
						       vs->values[m->moves[i].to].name, "needs", needs_json(m->moves[i].needs)));
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", m->id, "value_set", vs->name, "what", CBL(m->what),
			      "initial", vs->values[m->initial].name, "states", states, "next", next, "moves", moves);
	if (m->vset == CB_VS_case_stage) { /* the cas_Status a case gets at each stage */
		json_t *status = json_object();
		for (int v = 0; v < vs->count; v++)
			json_object_set_new(status, vs->values[v].name, cb_api_value_json(CB_VS_case_status, cb_stage_status(v)));
		json_object_set_new(o, "case_status", status);
	}
	return o;
}

static json_t *machines_json(void)
{
	json_t *a = json_array(), *need = json_array();
	for (int m = 0; m < CB_MACHINE__COUNT; m++)
		json_array_append_new(a, machine_json(&cb_machines[m]));
	for (size_t i = 0; i < CB_COUNTOF(needs); i++)
		if (needs[i].bit)
			json_array_append_new(need, json_pack("{s:o, s:s}", "name", need_name(needs[i].name), "text",
							      CBL(needs[i].text)));
	return json_pack("{s:o, s:o}", "machines", a, "needs", need);
}

static char *codebook_build(void)
{
	json_t *fields = json_array(), *grp = json_array(), *countries = json_array(), *dims = json_array();
	json_t *regions = json_array();
	for (int i = 0; i < CB_NFIELDS; i++)
		json_array_append_new(fields, field_json(&cb_fields[i]));
	for (size_t i = 0; i < CB_COUNTOF(groups); i++)
		json_array_append_new(grp, json_pack("{s:s, s:s, s:s}", "name", groups[i].name, "label",
						     CBL(groups[i].label), "interview", groups[i].interview));
	for (int i = 0; i < cb_ncountries; i++)
		json_array_append_new(countries, json_pack("{s:s, s:s, s:s}", "code", cb_countries[i].alpha2, "name",
							   cb_tr_country(NULL, cb_countries[i].name), "region",
							   cb_countries[i].region));
	for (int i = 0; i < cb_nregions; i++) /* the values of the region dimensions, whose names are codes */
		json_array_append_new(regions, json_pack("{s:s, s:s}", "name", cb_regions[i], "label", CBL(cb_regions[i])));
	for (int d = 0; d < CB_DIM__END; d++)
		if (cb_dim_find(cb_dim_name(d)) == d)
			json_array_append_new(dims, json_pack("{s:s, s:s, s:b}", "name", cb_dim_name(d), "label", cb_dim_label(d),
							      "released", cb_release_has_dim(d)));
	json_t *sets = json_array(), *sm = machines_json(), *roles = json_array();
	for (int r = 0; r < CB_ROLE__COUNT; r++)
		json_array_append_new(roles, json_string(cb_role_name((enum cb_role)r)));
	for (int v = 0; v < CB_VS__COUNT; v++)
		json_array_append_new(sets, json_pack("{s:s, s:o}", "name", cb_vsets[v].name, "values", values_json(&cb_vsets[v])));
	json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:O, s:O, s:o}", "lang", cb_lang_current(), "dir",
				cb_lang_rtl(NULL) ? "rtl" : "ltr", "fields", fields, "value_sets", sets, "groups", grp,
				"countries", countries, "regions", regions, "dimensions", dims, "machines",
				json_object_get(sm, "machines"), "move_needs", json_object_get(sm, "needs"), "roles", roles);
	json_decref(sm);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return text;
}

int cb_api_codebook(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	int li = 0;
	for (int i = 0; i < cb_lang_count() && i < CODEBOOK_LANGS; i++)
		if (!strcmp(cb_lang_code(i), r->lang))
			li = i;
	pthread_mutex_lock(&codebook_mu);
	if (!codebook_text[li] && (codebook_text[li] = codebook_build()))
		codebook_len[li] = strlen(codebook_text[li]);
	const char *text = codebook_text[li];
	size_t len = codebook_len[li];
	pthread_mutex_unlock(&codebook_mu);
	cb_api_text(r, "application/json", text, len);
	return CB_OK;
}
