/*
 * xform.c -- the ODK XForms of casebank, written from the codebook tables (see xform.h).
 *
 * Everything a field needs comes from cb_fields[]: its kind decides the control (select1 / select / date /
 * int / text), its value set the choices, its range the constraint, CB_F_REQUIRED the required flag.  The
 * consistency rules of cb_case_validate that a phone can check offline are written as constraints
 * (registration not in the future, birth year not after it, ranges); the server checks everything again.
 * Labels go through itext, one <translation> per language of the codebook's catalogues (util/i18n.h), the
 * countries' names from iso-codes in each.
 */
#include <stdio.h>
#include <string.h>

#include "io/xform.h"
#include "util/i18n.h"

static const struct {
	const char *name, *id, *title;
} forms[CB_XFORM__COUNT] = {
	[CB_XFORM_REGISTRATION] = {"registration", "casebank_registration", "casebank: register a case"},
	[CB_XFORM_FOLLOWUP] = {"followup", "casebank_followup", "casebank: follow-up of a case"},
	[CB_XFORM_ASSISTANCE] = {"assistance", "casebank_assistance", "casebank: assistance given"},
};

const char *cb_xform_name(enum cb_xform_kind k) { return forms[k].name; }
const char *cb_xform_id(enum cb_xform_kind k) { return forms[k].id; }
const char *cb_xform_title(enum cb_xform_kind k) { return forms[k].title; }

int cb_xform_parse_name(const char *name, enum cb_xform_kind *k)
{
	for (int i = 0; i < CB_XFORM__COUNT; i++)
		if (!strcmp(name, forms[i].name)) {
			*k = (enum cb_xform_kind)i;
			return CB_OK;
		}
	return CB_EINVAL;
}

int cb_xform_by_id(const char *form_id, enum cb_xform_kind *k)
{
	for (int i = 0; i < CB_XFORM__COUNT; i++)
		if (!strcmp(form_id, forms[i].id)) {
			*k = (enum cb_xform_kind)i;
			return CB_OK;
		}
	return CB_ENOTFOUND;
}

/* The labels in each language of the codebook's catalogues (util/i18n.h; English first, the default), as
 * ODK names a translation: "Français (fr)". */
static const char *field_label(const char *lang, const struct cb_field *f) { return cb_tr(lang, "codebook", f->label); }
static const char *value_label(const char *lang, const struct cb_value *v) { return cb_tr(lang, "codebook", v->label); }

/* The questions of the follow-up and assistance forms that are no codebook field. */
struct extra {
	const char *name, *type, *label;
	const struct cb_vset *vset; /* select1 */
	bool required;
	const char *constraint;
};
#define ID_RULE "regex(., '^[A-Za-z2-7]{26}$')"
static const struct extra followup_q[] = {
	{"case_id", "string", N_("Case id (26 letters and digits, from casebank)"), NULL, true, ID_RULE},
	{"case_version", "int", N_("Case version shown in casebank"), NULL, true, ". >= 1"},
	{"due_on", "date", N_("Follow-up due on"), NULL, true, NULL},
	{"done_on", "date", N_("Follow-up done on (if done)"), NULL, false, ". <= today()"},
	{"note", "string", N_("Note"), NULL, false, NULL},
	{"stage", "select1", N_("Move the case to stage (optional)"), &cb_vsets[CB_VS_case_stage], false, NULL},
};
static const struct extra assistance_q[] = {
	{"case_id", "string", N_("Case id (26 letters and digits, from casebank)"), NULL, true, ID_RULE},
	{"case_version", "int", N_("Case version shown in casebank"), NULL, true, ". >= 1"},
	{"type", "select1", N_("Assistance"), &cb_vsets[CB_VS_assistance_type], true, NULL},
	{"provider", "int", N_("Partner id (empty: our own office)"), NULL, false, ". >= 1"},
	{"planned_on", "date", N_("Planned on"), NULL, false, NULL},
	{"start_on", "date", N_("Started on"), NULL, false, ". <= today()"},
	{"end_on", "date", N_("Ended on"), NULL, false, ". >= /data/start_on"},
	{"status", "select1", N_("Status"), &cb_vsets[CB_VS_assistance_status], false, NULL},
	{"notes", "string", N_("Notes"), NULL, false, NULL},
};

static void esc(struct cb_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': cb_buf_append(b, "&lt;", 4); break;
		case '>': cb_buf_append(b, "&gt;", 4); break;
		case '&': cb_buf_append(b, "&amp;", 5); break;
		case '"': cb_buf_append(b, "&quot;", 6); break;
		case '\'': cb_buf_append(b, "&apos;", 6); break;
		default: cb_buf_append(b, s, 1);
		}
	}
}

/* Registration: the fields a person answers, consent first. */
static bool asked(const struct cb_field *f)
{
	return f->kind != CB_ID && !(f->flags & (CB_F_DERIVED | CB_F_STORE));
}
static const enum cb_group order[] = {CB_G_CONSENT, CB_G_CASE, CB_G_PERSON, CB_G_RECRUIT, CB_G_EXPLOIT, CB_G_IDENTITY};

static const char *bind_type(const struct cb_field *f)
{
	switch (f->kind) {
	case CB_DATE: return "date";
	case CB_INT: return "int";
	case CB_ENUM:
	case CB_BOOL:
	case CB_COUNTRY: return "select1";
	case CB_MULTI: return "select";
	case CB_PII: return f->flags & CB_F_ISODATE ? "date" : "string";
	default: return "string";
	}
}

static bool required(const struct cb_field *f)
{
	/* the year is required and derived from the registration date: the date is what the phone asks */
	return (f->flags & CB_F_REQUIRED && f->kind != CB_SITE) || f->id == CB_FLD_registered_on ||
	       f->group == CB_G_CONSENT;
}

static void constraint(struct cb_buf *b, const struct cb_field *f)
{
	const char *c = NULL;
	char buf[160];
	if (f->id == CB_FLD_registered_on || (f->kind == CB_PII && f->flags & CB_F_ISODATE)) {
		c = ". <= today()";
	} else if (f->id == CB_FLD_birth_year) {
		snprintf(buf, sizeof buf, ". >= %d and . <= number(substring(/data/registered_on, 1, 4))", (int)f->lo);
		c = buf;
	} else if (f->kind == CB_INT) {
		snprintf(buf, sizeof buf, ". >= %d and . <= %d", (int)f->lo, (int)f->hi);
		c = buf;
	} else if (f->kind == CB_SITE) {
		c = "regex(., '^[A-Z0-9-]{2,16}$')";
	} else if (f->kind == CB_PII && f->hi > 0) {
		snprintf(buf, sizeof buf, "string-length(.) <= %d", (int)f->hi);
		c = buf;
	}
	if (c) {
		cb_buf_printf(b, " constraint=\"");
		esc(b, c);
		cb_buf_printf(b, "\" jr:constraintMsg=\"");
		esc(b, f->id == CB_FLD_birth_year ? "not before 1900 and not after the year of registration"
			: f->kind == CB_SITE  ? "2 to 16 capital letters, digits or -"
			: strstr(c, "today") ? "not in the future"
					      : c);
		cb_buf_printf(b, "\"");
	}
}

/* Skip logic: questions that only make sense after an answer. */
static const char *relevant(const struct cb_field *f)
{
	switch (f->id) {
	case CB_FLD_labour_sector: return "selected(/data/exploitation_type, 'ForcedLabour')";
	case CB_FLD_sexual_exploitation_type: return "selected(/data/exploitation_type, 'SexualExploitation')";
	case CB_FLD_status_decided_by: return "/data/trafficking_status != ''";
	case CB_FLD_recruiter_sex:
	case CB_FLD_recruiter_relation: return "count-selected(/data/recruitment_method) > 0";
	default: return NULL;
	}
}

static void itext_field(struct cb_buf *b, const char *l, const char *name, const char *label,
			const struct cb_vset *vs)
{
	cb_buf_printf(b, "<text id=\"/data/%s:label\"><value>", name);
	esc(b, label);
	cb_buf_printf(b, "</value></text>\n");
	for (int v = 0; vs && v < vs->count; v++) {
		cb_buf_printf(b, "<text id=\"/data/%s/%s:label\"><value>", name, vs->values[v].name);
		esc(b, value_label(l, &vs->values[v]));
		cb_buf_printf(b, "</value></text>\n");
	}
}

static void control(struct cb_buf *b, const char *name, const char *type, const struct cb_vset *vs, bool countries)
{
	bool sel = !strcmp(type, "select1") || !strcmp(type, "select");
	cb_buf_printf(b, "<%s ref=\"/data/%s\"><label ref=\"jr:itext('/data/%s:label')\"/>\n", sel ? type : "input",
		      name, name);
	for (int v = 0; vs && v < vs->count; v++)
		cb_buf_printf(b, "<item><label ref=\"jr:itext('/data/%s/%s:label')\"/><value>%s</value></item>\n", name,
			      vs->values[v].name, vs->values[v].name);
	for (int i = 0; countries && i < cb_ncountries; i++)
		cb_buf_printf(b, "<item><label ref=\"jr:itext('country-%s')\"/><value>%s</value></item>\n",
			      cb_countries[i].alpha2, cb_countries[i].alpha2);
	cb_buf_printf(b, "</%s>\n", sel ? type : "input");
}

/* FNV-1a of the form as written with no version: the version changes exactly when the form does. */
static uint32_t fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static void write_body(enum cb_xform_kind k, const char *pubkey_b64, const char *version, struct cb_buf *b)
{
	const struct extra *ex = k == CB_XFORM_FOLLOWUP ? followup_q : assistance_q;
	size_t nex = k == CB_XFORM_FOLLOWUP ? CB_COUNTOF(followup_q) : CB_COUNTOF(assistance_q);
	bool reg = k == CB_XFORM_REGISTRATION;
	cb_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\" "
			 "xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\" "
			 "xmlns:odk=\"http://www.opendatakit.org/xforms\">\n<h:head>\n<h:title>%s</h:title>\n"
			 "<model odk:xforms-version=\"1.0.0\">\n<itext>\n",
		      forms[k].title);
	for (int li = 0; li < cb_lang_count(); li++) {
		const char *l = cb_lang_code(li);
		cb_buf_printf(b, "<translation lang=\"");
		esc(b, cb_lang_name(l));
		cb_buf_printf(b, " (%s)\"%s>\n", l, li ? "" : " default=\"true()\"");
		if (reg) {
			for (size_t g = 0; g < CB_COUNTOF(order); g++)
				for (int i = 0; i < CB_NFIELDS; i++)
					if (cb_fields[i].group == order[g] && asked(&cb_fields[i]))
						itext_field(b, l, cb_fields[i].name, field_label(l, &cb_fields[i]),
							    cb_fields[i].kind == CB_COUNTRY ? NULL : cb_fields[i].vset);
			for (int c = 0; c < cb_ncountries; c++) { /* one label a country, shared by every country question */
				cb_buf_printf(b, "<text id=\"country-%s\"><value>", cb_countries[c].alpha2);
				esc(b, cb_tr_country(l, cb_countries[c].name));
				cb_buf_printf(b, "</value></text>\n");
			}
		} else {
			for (size_t i = 0; i < nex; i++)
				itext_field(b, l, ex[i].name, cb_tr(l, NULL, ex[i].label), ex[i].vset);
		}
		cb_buf_printf(b, "</translation>\n");
	}
	cb_buf_printf(b, "</itext>\n<instance>\n<data id=\"%s\" version=\"%s\">\n", forms[k].id, version);
	if (reg) {
		for (size_t g = 0; g < CB_COUNTOF(order); g++)
			for (int i = 0; i < CB_NFIELDS; i++)
				if (cb_fields[i].group == order[g] && asked(&cb_fields[i]))
					cb_buf_printf(b, "<%s/>", cb_fields[i].name);
	} else {
		for (size_t i = 0; i < nex; i++)
			cb_buf_printf(b, "<%s/>", ex[i].name);
	}
	cb_buf_printf(b, "\n<meta><instanceID/></meta>\n</data>\n</instance>\n");
	if (reg) {
		for (size_t g = 0; g < CB_COUNTOF(order); g++)
			for (int i = 0; i < CB_NFIELDS; i++) {
				const struct cb_field *f = &cb_fields[i];
				if (f->group != order[g] || !asked(f))
					continue;
				cb_buf_printf(b, "<bind nodeset=\"/data/%s\" type=\"%s\"%s", f->name, bind_type(f),
					      required(f) ? " required=\"true()\"" : "");
				constraint(b, f);
				const char *rel = relevant(f);
				if (rel) {
					cb_buf_printf(b, " relevant=\"");
					esc(b, rel);
					cb_buf_printf(b, "\"");
				}
				cb_buf_printf(b, "/>\n");
			}
	} else {
		for (size_t i = 0; i < nex; i++) {
			cb_buf_printf(b, "<bind nodeset=\"/data/%s\" type=\"%s\"%s", ex[i].name, ex[i].type,
				      ex[i].required ? " required=\"true()\"" : "");
			if (ex[i].constraint) {
				cb_buf_printf(b, " constraint=\"");
				esc(b, ex[i].constraint);
				cb_buf_printf(b, "\"");
			}
			cb_buf_printf(b, "/>\n");
		}
	}
	cb_buf_printf(b, "<bind nodeset=\"/data/meta/instanceID\" type=\"string\" readonly=\"true()\" "
			 "jr:preload=\"uid\"/>\n"
			 "<submission method=\"post\" base64RsaPublicKey=\"%s\" orx:auto-delete=\"true\"/>\n"
			 "</model>\n</h:head>\n<h:body>\n",
		      pubkey_b64);
	if (reg) {
		for (size_t g = 0; g < CB_COUNTOF(order); g++)
			for (int i = 0; i < CB_NFIELDS; i++) {
				const struct cb_field *f = &cb_fields[i];
				if (f->group == order[g] && asked(f))
					control(b, f->name, bind_type(f), f->kind == CB_COUNTRY ? NULL : f->vset,
						f->kind == CB_COUNTRY);
			}
	} else {
		for (size_t i = 0; i < nex; i++)
			control(b, ex[i].name, ex[i].type, ex[i].vset, false);
	}
	cb_buf_printf(b, "</h:body>\n</h:html>\n");
}

int cb_xform_write(enum cb_xform_kind k, const char *pubkey_b64, struct cb_buf *out, char version[16])
{
	if ((unsigned)k >= CB_XFORM__COUNT || !pubkey_b64)
		return CB_EINVAL;
	struct cb_buf draft = {0};
	write_body(k, pubkey_b64, "", &draft);
	if (!draft.data) {
		cb_buf_free(&draft);
		return CB_ENOMEM;
	}
	snprintf(version, 16, "%u", fnv(draft.data, draft.len) % 2000000000u);
	cb_buf_free(&draft);
	cb_buf_reset(out);
	write_body(k, pubkey_b64, version, out);
	return out->data ? CB_OK : CB_ENOMEM;
}
