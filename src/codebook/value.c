/*
 * value.c -- one field of a case as text, and the rules of the codebook: parse (cb_case_set_text), format
 * (cb_case_format), derived fields (year, age_group, majority) and validation of a whole case.
 *
 * Every other module (CSV, JSON, SQL, statistics) goes through cb_case_set_text / cb_case_format, so the
 * text syntax of each kind is defined here once.  Error messages name the field, the coded value and what
 * is allowed; they never echo an identifying detail (PII fields say only what is wrong).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codebook/codebook.h"
#include "util/i18n.h"

/* ---- text in */

/* Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint64_t w;
		/* mostly ASCII (narratives are long): eight bytes at a time while none has its top bit set */
		if (n - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080ULL) == 0)) {
			i += 8;
			continue;
		}
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		int len;
		uint32_t cp, min;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (n - i < (size_t)len)
			return false;
		for (int k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += (size_t)len;
	}
	return true;
}

/* A field's label in the thread's language: errors name fields as people know them. */
static const char *label(const struct cb_field *f) { return cb_tr(NULL, "codebook", f->label); }

/* Checks an identifying detail without ever putting it into the error. */
static int pii_check(const struct cb_field *f, const char *text, struct cb_err *err)
{
	size_t n = strlen(text);
	int32_t d;
	if (n > (size_t)f->hi)
		return cb_err_field(err, CB_EINVAL, f->name, "%s is too long: at most %d characters (value withheld)",
				    label(f), (int)f->hi);
	if (!utf8_valid((const unsigned char *)text, n))
		return cb_err_field(err, CB_EINVAL, f->name, "%s is not readable text: check the characters (value withheld)", label(f));
	if ((f->flags & CB_F_ISODATE) && cb_date_parse(text, &d) != CB_OK)
		return cb_err_field(err, CB_EINVAL, f->name, "%s must be a date like 1990-05-31 (value withheld)", label(f));
	if ((f->flags & CB_F_PHONE) && n && !cb_text_is_phone(text))
		return cb_err_field(err, CB_EINVAL, f->name,
				    "%s must be a phone number: its digits, with + and spaces if needed (value withheld)",
				    label(f));
	if ((f->flags & CB_F_EMAIL) && n && !cb_text_is_email(text))
		return cb_err_field(err, CB_EINVAL, f->name,
				    "%s must be an email address like name@example.org (value withheld)", label(f));
	return CB_OK;
}

static int bad_value(const struct cb_field *f, const char *value, struct cb_err *err)
{
	char vb[64], ab[400];
	const char *allowed = cb_field_allowed(f, ab, sizeof ab);
	if (f->kind == CB_ENUM || f->kind == CB_MULTI)
		return cb_err_field(err, CB_EINVAL, f->name, "%s: '%s' is not one of %s", label(f),
				    cb_err_value(value, vb), allowed);
	return cb_err_field(err, CB_EINVAL, f->name, "%s: '%s' is not %s", label(f), cb_err_value(value, vb), allowed);
}

static int parse_int(const char *s, int32_t lo, int32_t hi, int32_t *out)
{
	const char *p = s;
	long long v = 0;
	bool neg = *p == '-';
	if (neg)
		p++;
	if (!*p)
		return CB_EINVAL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return CB_EINVAL;
		v = v * 10 + (*p - '0');
		if (v > 10000000000LL)
			return CB_EINVAL;
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return CB_EINVAL;
	*out = (int32_t)v;
	return CB_OK;
}

static bool site_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static int parse_bool(const char *s, int32_t *out)
{
	static const char *const yes[] = {"yes", "true", "1"}, *const no[] = {"no", "false", "0"};
	for (size_t i = 0; i < CB_COUNTOF(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, CB_OK;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, CB_OK;
	}
	return CB_EINVAL;
}

static bool is_blank(char ch) { return ch == ' ' || ch == '\t'; }

/* "a; b ;a" -> set bits; empty items (a trailing ';') are skipped. */
static int parse_multi(const struct cb_field *f, const char *s, uint64_t *out, struct cb_err *err)
{
	uint64_t set = 0;
	char item[128];
	while (*s) {
		const char *end = strchr(s, ';');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *b = s, *e = s + n;
		while (b < e && is_blank(*b))
			b++;
		while (e > b && is_blank(e[-1]))
			e--;
		if (e > b) {
			size_t len = (size_t)(e - b);
			int32_t v = CB_NA;
			if (len < sizeof item) {
				memcpy(item, b, len);
				item[len] = 0;
				v = cb_value_find(f->vset, item);
			} else {
				memcpy(item, b, sizeof item - 1);
				item[sizeof item - 1] = 0;
			}
			if (v == CB_NA)
				return bad_value(f, item, err);
			set |= UINT64_C(1) << v;
		}
		s = end ? end + 1 : s + n;
	}
	*out = set;
	return CB_OK;
}

/* Clears the field f of c (wiping an identifying detail). */
static void field_clear(struct cb_case *c, const struct cb_field *f)
{
	void *m = cb_case_member(c, f);
	switch (f->kind) {
	case CB_ID: memset(m, 0, 16); break;
	case CB_SITE: memset(m, 0, 17); break;
	case CB_MULTI: *(uint64_t *)m = 0; break;
	case CB_PII: cb_text_free(m); break;
	default: *(int32_t *)m = CB_NA; break;
	}
}

int cb_case_set_text(struct cb_case *c, const struct cb_field *f, const char *text, struct cb_err *err)
{
	void *m = cb_case_member(c, f);
	int rc = CB_OK;
	if (!text || !*text) {
		field_clear(c, f);
		return CB_OK;
	}
	if (f->kind == CB_PII) {
		if ((rc = pii_check(f, text, err)) != CB_OK)
			return rc;
		char *copy = strdup(text);
		if (!copy)
			return cb_err_field(err, CB_ENOMEM, f->name, "%s: out of memory", f->name);
		cb_text_free(m);
		*(char **)m = copy;
		return CB_OK;
	}

	/* A MULTI list may be long; parse_multi trims each item itself. */
	if (f->kind == CB_MULTI) {
		uint64_t set = 0;
		if ((rc = parse_multi(f, text, &set, err)) != CB_OK)
			return rc;
		*(uint64_t *)m = set;
		return CB_OK;
	}

	/* Coded values: surrounding blanks are not part of the value. */
	char buf[128];
	const char *b = text, *e = text + strlen(text);
	while (b < e && is_blank(*b))
		b++;
	while (e > b && is_blank(e[-1]))
		e--;
	if ((size_t)(e - b) >= sizeof buf)
		return bad_value(f, text, err);
	memcpy(buf, b, (size_t)(e - b));
	buf[e - b] = 0;
	if (!buf[0]) {
		field_clear(c, f);
		return CB_OK;
	}

	int32_t v = CB_NA;
	switch (f->kind) {
	case CB_ID: {
		uint8_t id[16];
		if (cb_case_id_parse(buf, id) != CB_OK)
			return bad_value(f, buf, err);
		memcpy(m, id, 16);
		return CB_OK;
	}
	case CB_SITE:
		if (!site_valid(buf))
			return bad_value(f, buf, err);
		memcpy(m, buf, strlen(buf) + 1);
		return CB_OK;
	case CB_DATE: rc = cb_date_parse(buf, &v); break;
	case CB_INT: rc = parse_int(buf, f->lo, f->hi, &v); break;
	case CB_ENUM:
		v = cb_value_find(f->vset, buf);
		rc = v == CB_NA ? CB_EINVAL : CB_OK;
		break;
	case CB_COUNTRY:
		v = cb_country_find(buf);
		rc = v == CB_NA ? CB_EINVAL : CB_OK;
		break;
	case CB_BOOL: rc = parse_bool(buf, &v); break;
	case CB_MULTI:
	case CB_PII: break; /* handled above */
	}
	if (rc != CB_OK)
		return bad_value(f, buf, err);
	*(int32_t *)m = v;
	return CB_OK;
}

/* ---- text out */

size_t cb_case_format(const struct cb_case *c, const struct cb_field *f, char *buf, size_t n)
{
	const void *m = cb_case_cmember(c, f);
	int w = 0;
	if (!buf || n == 0)
		return 0;
	buf[0] = 0;
	if (!cb_case_has(c, f))
		return 0;
	switch (f->kind) {
	case CB_ID: {
		char t[CB_ID_TEXT];
		cb_case_id_format(m, t);
		w = snprintf(buf, n, "%s", t);
		break;
	}
	case CB_SITE: w = snprintf(buf, n, "%s", (const char *)m); break;
	case CB_PII: w = snprintf(buf, n, "%s", *(char *const *)m); break;
	case CB_DATE: {
		char t[11];
		cb_date_format(*(const int32_t *)m, t);
		w = snprintf(buf, n, "%s", t);
		break;
	}
	case CB_INT: w = snprintf(buf, n, "%d", (int)*(const int32_t *)m); break;
	case CB_BOOL: w = snprintf(buf, n, "%s", *(const int32_t *)m ? "yes" : "no"); break;
	case CB_ENUM: {
		int32_t v = *(const int32_t *)m;
		w = snprintf(buf, n, "%s", v >= 0 && v < f->vset->count ? f->vset->values[v].name : "");
		break;
	}
	case CB_COUNTRY: {
		int32_t v = *(const int32_t *)m;
		w = snprintf(buf, n, "%s", v >= 0 && v < cb_ncountries ? cb_countries[v].alpha2 : "");
		break;
	}
	case CB_MULTI: {
		uint64_t set = *(const uint64_t *)m;
		size_t o = 0;
		for (int i = 0; i < f->vset->count && o < n - 1; i++) {
			if (!(set & (UINT64_C(1) << i)))
				continue;
			int k = snprintf(buf + o, n - o, "%s%s", o ? ";" : "", f->vset->values[i].name);
			o += k < 0 ? 0 : (size_t)k;
		}
		w = (int)(o < n ? o : n - 1);
		break;
	}
	}
	if (w < 0)
		w = 0;
	return (size_t)w < n ? (size_t)w : n - 1;
}

/* ---- derived fields */

/* Lower bounds of the age_group values, in value-set order. */
static const int32_t age_lower[] = {0, 9, 18, 21, 24, 27, 30, 39, 48};
_Static_assert(CB_COUNTOF(age_lower) == CB_age_group__COUNT, "one lower bound per age group");

int32_t cb_age_group_of(int32_t age)
{
	if (age == CB_NA || age < 0)
		return CB_NA;
	int32_t g = 0;
	for (int32_t i = 0; i < (int32_t)CB_COUNTOF(age_lower); i++)
		if (age >= age_lower[i])
			g = i;
	return g;
}

int32_t cb_majority_of(int32_t age)
{
	if (age == CB_NA || age < 0)
		return CB_NA;
	return age < 18 ? CB_majority_minor : CB_majority_adult;
}

static int32_t majority_of_group(int32_t g)
{
	if (g < 0 || g >= CB_age_group__COUNT)
		return CB_NA;
	return age_lower[g] < 18 ? CB_majority_minor : CB_majority_adult;
}

static bool int_in_range(const struct cb_field *f, int32_t v) { return v != CB_NA && v >= f->lo && v <= f->hi; }

/* Derived fields are only filled when missing: a value given by a person is kept, and cb_case_validate
 * reports it if it disagrees with its source. */
void cb_case_derive(struct cb_case *c)
{
	if (c->year == CB_NA && c->registered_on != CB_NA) {
		int y = cb_date_year(c->registered_on);
		if (int_in_range(&cb_fields[CB_FLD_year], y))
			c->year = y;
	}
	if (c->age_at_registration == CB_NA && c->year != CB_NA && c->birth_year != CB_NA) {
		int64_t age = (int64_t)c->year - c->birth_year;
		if (int_in_range(&cb_fields[CB_FLD_birth_year], c->birth_year) &&
		    int_in_range(&cb_fields[CB_FLD_year], c->year) && age >= cb_fields[CB_FLD_age_at_registration].lo &&
		    age <= cb_fields[CB_FLD_age_at_registration].hi)
			c->age_at_registration = (int32_t)age;
	}
	if (int_in_range(&cb_fields[CB_FLD_age_at_registration], c->age_at_registration)) {
		if (c->age_group == CB_NA)
			c->age_group = cb_age_group_of(c->age_at_registration);
		if (c->majority == CB_NA)
			c->majority = cb_majority_of(c->age_at_registration);
	} else if (c->age_at_registration == CB_NA && c->majority == CB_NA) {
		c->majority = majority_of_group(c->age_group);
	}
}

/* ---- validation */

static int check_range(const struct cb_case *c, const struct cb_field *f, struct cb_err *err)
{
	const void *m = cb_case_cmember(c, f);
	char ab[400];
	switch (f->kind) {
	case CB_ID: return CB_OK;
	case CB_SITE:
		if (((const char *)m)[0] && (memchr(m, 0, 17) == NULL || !site_valid(m)))
			return cb_err_field(err, CB_EINVAL, f->name, "%s: is not %s", label(f),
					    cb_field_allowed(f, ab, sizeof ab));
		return CB_OK;
	case CB_PII: {
		const char *s = *(char *const *)m;
		return s ? pii_check(f, s, err) : CB_OK;
	}
	case CB_MULTI: {
		uint64_t set = *(const uint64_t *)m;
		if (f->vset->count < 64 && (set >> f->vset->count) != 0)
			return cb_err_field(err, CB_EINVAL, f->name, "%s: holds values beyond the %d of its set",
					    f->name, f->vset->count);
		return CB_OK;
	}
	default: break;
	}
	int32_t v = *(const int32_t *)m;
	bool ok = true;
	if (v == CB_NA)
		return CB_OK;
	switch (f->kind) {
	case CB_DATE: ok = v >= -62091 && v <= 2932896; break; /* 1800-01-01 .. 9999-12-31, as cb_date_parse */
	case CB_INT: ok = v >= f->lo && v <= f->hi; break;
	case CB_ENUM:
	case CB_BOOL: ok = v >= 0 && v < f->vset->count; break;
	case CB_COUNTRY: ok = v >= 0 && v < cb_ncountries; break;
	default: break;
	}
	if (!ok)
		return cb_err_field(err, CB_EINVAL, f->name, "%s: %d is out of range (%s)", label(f), (int)v,
				    cb_field_allowed(f, ab, sizeof ab));
	return CB_OK;
}

int cb_case_validate(const struct cb_case *c, struct cb_err *err)
{
	int rc;
	char d1[11];
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if ((f->flags & CB_F_REQUIRED) && !cb_case_has(c, f)) {
			/* the year is derived from the date of registration: ask for what a person fills in */
			const struct cb_field *ask = f->flags & CB_F_DERIVED && !strcmp(f->name, "year")
							     ? cb_field_find("registered_on") : f;
			ask = ask ? ask : f;
			return cb_err_field(err, CB_EINVAL, ask->name, "%s is required", label(ask));
		}
		if ((rc = check_range(c, f, err)) != CB_OK)
			return rc;
	}
	if (c->registered_on != CB_NA) {
		cb_date_format(c->registered_on, d1);
		/* today where the person registering is: east of UTC (up to UTC+14) that may be tomorrow in UTC */
		if (c->registered_on > cb_date_today() + 1)
			return cb_err_field(err, CB_EINVAL, "registered_on", "%s cannot be in the future (%s)",
					    label(cb_field_find("registered_on")), d1);
		if (cb_date_year(c->registered_on) != c->year)
			return cb_err_field(err, CB_EINVAL, "year",
					    "year: %d disagrees with registered_on %s (year %d)", (int)c->year, d1,
					    cb_date_year(c->registered_on));
	}
	if (c->birth_year != CB_NA && c->birth_year > c->year)
		return cb_err_field(err, CB_EINVAL, "birth_year", "birth_year: %d is after the year of registration %d",
				    (int)c->birth_year, (int)c->year);
	if (c->age_at_registration != CB_NA && c->birth_year != CB_NA) {
		int32_t want = c->year - c->birth_year;
		/* the birthday may not have come yet in the year of registration */
		if (c->age_at_registration != want && c->age_at_registration != want - 1)
			return cb_err_field(err, CB_EINVAL, "age_at_registration",
					    "age_at_registration: %d disagrees with birth_year %d and year %d (expected %d "
					    "or %d)",
					    (int)c->age_at_registration, (int)c->birth_year, (int)c->year, (int)want - 1,
					    (int)want);
	}
	if (c->age_at_registration != CB_NA) {
		int32_t g = cb_age_group_of(c->age_at_registration), mj = cb_majority_of(c->age_at_registration);
		if (c->age_group != CB_NA && c->age_group != g)
			return cb_err_field(err, CB_EINVAL, "age_group",
					    "age_group: %s disagrees with age_at_registration %d (expected %s)",
					    cb_vsets[CB_VS_age_group].values[c->age_group].name, (int)c->age_at_registration,
					    cb_vsets[CB_VS_age_group].values[g].name);
		if (c->majority != CB_NA && c->majority != CB_majority_unknown && c->majority != mj)
			return cb_err_field(err, CB_EINVAL, "majority",
					    "majority: %s disagrees with age_at_registration %d (expected %s)",
					    cb_vsets[CB_VS_majority].values[c->majority].name, (int)c->age_at_registration,
					    cb_vsets[CB_VS_majority].values[mj].name);
	} else if (c->age_group != CB_NA && c->majority != CB_NA && c->majority != CB_majority_unknown) {
		int32_t mj = majority_of_group(c->age_group);
		if (c->majority != mj)
			return cb_err_field(err, CB_EINVAL, "majority", "majority: %s disagrees with age_group %s (expected %s)",
					    cb_vsets[CB_VS_majority].values[c->majority].name, cb_vsets[CB_VS_age_group].values[c->age_group].name,
					    cb_vsets[CB_VS_majority].values[mj].name);
	}
	return CB_OK;
}
