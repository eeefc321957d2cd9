/*
 * codebook.c -- GET /api/codebook: everything coded that a client needs to build its forms and menus, from
 * the tables of include/tbl/ (docs/api.md, "The codebook"): every field with its value set, the groups of
 * the interviews, the countries, the statistical dimensions.  Labels are in the request's language (?lang= or
 * Accept-Language, api_i18n.c); names, the codes, never change.  Built once a language, on its first request:
 * the tables never change while the server runs.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

#define CBL(lang, s) cb_tr(lang, "codebook", s)

static json_t *field_json(const struct cb_field *f, const char *lang)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "label", CBL(lang, f->label),
			      "kind", kind_names[f->kind], "group", groups[f->group].name, "multi", f->kind == CB_MULTI,
			      "pii", f->kind == CB_PII, "dimension", (f->flags & CB_F_DIM) != 0, "required",
			      (f->flags & CB_F_REQUIRED) != 0, "derived", (f->flags & (CB_F_DERIVED | CB_F_STORE)) != 0);
	if (f->kind == CB_INT) {
		json_object_set_new(o, "min", json_integer(f->lo));
		json_object_set_new(o, "max", json_integer(f->hi));
	}
	if (f->kind == CB_PII)
		json_object_set_new(o, "max_length", json_integer(f->hi));
	if (f->kind == CB_PII && (f->flags & CB_F_ISODATE))
		json_object_set_new(o, "format", json_string("date"));
	if ((f->kind == CB_ENUM || f->kind == CB_MULTI) && f->vset) {
		json_t *vals = json_array();
		for (int i = 0; i < f->vset->count; i++)
			json_array_append_new(vals, json_pack("{s:s, s:s}", "name", f->vset->values[i].name, "label",
							      CBL(lang, f->vset->values[i].label)));
		json_object_set_new(o, "values", vals);
	}
	return o;
}

static char *codebook_build(const char *lang)
{
	json_t *fields = json_array(), *grp = json_array(), *countries = json_array(), *dims = json_array();
	json_t *regions = json_array();
	for (int i = 0; i < CB_NFIELDS; i++)
		json_array_append_new(fields, field_json(&cb_fields[i], lang));
	for (size_t i = 0; i < CB_COUNTOF(groups); i++)
		json_array_append_new(grp, json_pack("{s:s, s:s, s:s}", "name", groups[i].name, "label",
						     CBL(lang, groups[i].label), "interview", groups[i].interview));
	for (int i = 0; i < cb_ncountries; i++)
		json_array_append_new(countries, json_pack("{s:s, s:s, s:s}", "code", cb_countries[i].alpha2, "name",
							   cb_tr_country(lang, cb_countries[i].name), "region",
							   cb_countries[i].region));
	for (int i = 0; i < cb_nregions; i++) /* the values of the region dimensions, whose names are codes */
		json_array_append_new(regions, json_pack("{s:s, s:s}", "name", cb_regions[i], "label", CBL(lang, cb_regions[i])));
	for (int d = 0; d < CB_DIM__END; d++)
		if (cb_dim_find(cb_dim_name(d)) == d)
			json_array_append_new(dims, json_pack("{s:s, s:s, s:b}", "name", cb_dim_name(d), "label",
							      cb_tr(lang, "codebook", cb_dim_label(d)), "released",
							      cb_release_has_dim(d)));
	json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "lang", lang, "dir",
				cb_lang_rtl(lang) ? "rtl" : "ltr", "fields", fields, "groups", grp, "countries", countries,
				"regions", regions, "dimensions", dims);
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
	if (!codebook_text[li] && (codebook_text[li] = codebook_build(cb_lang_code(li))))
		codebook_len[li] = strlen(codebook_text[li]);
	const char *text = codebook_text[li];
	size_t len = codebook_len[li];
	pthread_mutex_unlock(&codebook_mu);
	cb_api_text(r, "application/json", text, len);
	return CB_OK;
}
