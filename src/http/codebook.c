/*
 * codebook.c -- GET /api/codebook: everything coded that a client needs to build its forms and menus, from
 * the tables of include/tbl/ (docs/api.md, "The codebook"): every field with its value set, the groups of
 * the interviews, the countries, the statistical dimensions.  Built once, on the first request: the tables
 * never change while the server runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "care/states.h"
#include "http/api.h"
#include "stats/stats.h"

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

static char *codebook_text;
static size_t codebook_len;
static pthread_once_t codebook_once = PTHREAD_ONCE_INIT;

static json_t *field_json(const struct cb_field *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "label", f->label,
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
	if ((f->kind == CB_ENUM || f->kind == CB_MULTI) && f->vset) {
		json_t *vals = json_array();
		for (int i = 0; i < f->vset->count; i++)
			json_array_append_new(vals, json_pack("{s:s, s:s}", "name", f->vset->values[i].name, "label",
							      f->vset->values[i].label));
		json_object_set_new(o, "values", vals);
	}
	return o;
}

/* The state machines of include/tbl/cb_states.h: {"stage": {"initial": "screening", "moves": [{"from", "to",
 * "reason", "screened", "reopen"}]}, ...}, so that a menu offers only allowed moves (the web's stage menu). */
static json_t *machines_json(void)
{
	json_t *o = json_object();
	for (int m = 0; m < CB_MACHINE__COUNT; m++) {
		const struct cb_machine *mc = &cb_machines[m];
		const struct cb_vset *vs = &cb_vsets[mc->vset];
		json_t *moves = json_array();
		for (size_t i = 0; i < mc->nmoves; i++) {
			const struct cb_move *mv = &mc->moves[i];
			json_array_append_new(moves, json_pack("{s:s, s:s, s:b, s:b, s:b}", "from", vs->values[mv->from].name,
							       "to", vs->values[mv->to].name, "reason",
							       (mv->needs & (CB_MOVE_REASON | CB_MOVE_REOPEN)) != 0,
							       "screened", (mv->needs & CB_MOVE_SCREENED) != 0, "reopen",
							       (mv->needs & CB_MOVE_REOPEN) != 0));
		}
		json_object_set_new(o, mc->id, json_pack("{s:s, s:o}", "initial", vs->values[mc->initial].name, "moves", moves));
	}
	return o;
}

static void codebook_build(void)
{
	json_t *fields = json_array(), *grp = json_array(), *countries = json_array(), *dims = json_array();
	for (int i = 0; i < CB_NFIELDS; i++)
		json_array_append_new(fields, field_json(&cb_fields[i]));
	for (size_t i = 0; i < CB_COUNTOF(groups); i++)
		json_array_append_new(grp, json_pack("{s:s, s:s, s:s}", "name", groups[i].name, "label", groups[i].label,
						     "interview", groups[i].interview));
	for (int i = 0; i < cb_ncountries; i++)
		json_array_append_new(countries, json_pack("{s:s, s:s, s:s}", "code", cb_countries[i].alpha2, "name",
							   cb_countries[i].name, "region", cb_countries[i].region));
	for (int d = 0; d < CB_DIM__END; d++)
		if (cb_dim_find(cb_dim_name(d)) == d)
			json_array_append_new(dims, json_pack("{s:s, s:s, s:b}", "name", cb_dim_name(d), "label", cb_dim_label(d),
							      "released", cb_release_has_dim(d)));
	json_t *doc = json_pack("{s:o, s:o, s:o, s:o, s:o}", "fields", fields, "groups", grp, "countries", countries,
				"dimensions", dims, "machines", machines_json());
	codebook_text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	codebook_len = codebook_text ? strlen(codebook_text) : 0;
	json_decref(doc);
}

int cb_api_codebook(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	pthread_once(&codebook_once, codebook_build);
	cb_api_text(r, "application/json", codebook_text, codebook_len);
	return CB_OK;
}
