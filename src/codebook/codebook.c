/*
 * codebook.c -- the field and value tables generated from include/tbl/cb_fields.h and cb_values.h, and
 * everything that reads or writes one field of a case as text: lookups, parse, format, derive, validate,
 * case ids.
 *
 * Every other module (CSV, JSON, SQL, statistics) goes through cb_case_set_text / cb_case_format, so the
 * text syntax of each kind is defined here once.  Error messages name the field, the coded value and what
 * is allowed; they never echo an identifying detail (PII fields say only what is wrong).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "codebook/codebook.h"

/* ---- tables */

#define V(set, ident, name, label, ctdc) {name, label, ctdc},
#define S(set) static const struct cb_value vals_##set[] = {CB_VALUES_##set(V)};
CB_VALUE_SETS(S)
#undef S
#undef V

const struct cb_vset cb_vsets[CB_VS__COUNT] = {
#define S(set) [CB_VS_##set] = {#set, vals_##set, (int)CB_COUNTOF(vals_##set)},
	CB_VALUE_SETS(S)
#undef S
};

/* `none` (CB_VS_none = -1) becomes NULL; the inner conditional keeps the subscript in range. */
#define VSET_PTR(vs) ((CB_VS_##vs) < 0 ? NULL : &cb_vsets[(CB_VS_##vs) < 0 ? 0 : (CB_VS_##vs)])

const struct cb_field cb_fields[CB_NFIELDS] = {
#define CB_FIELD(name, kind, vset, lo, hi, group, flags, htcds, ctdc, label)                                   \
	[CB_FLD_##name] = {CB_FLD_##name, #name,  CB_##kind, VSET_PTR(vset), lo,  hi, CB_G_##group, flags, htcds, \
			   ctdc,	  label, offsetof(struct cb_case, name)},
#include "tbl/cb_fields.h"
#undef CB_FIELD
};

/* Compile-time checks the rest of this file relies on. */
_Static_assert(CB_yes_no_no == 0 && CB_yes_no_yes == 1, "BOOL is held as the yes_no index: 0 no, 1 yes");
#define S(set) _Static_assert(CB_##set##__COUNT <= 64, #set " has more than 64 values");
CB_VALUE_SETS(S)
#undef S

/* ---- lookups */

const struct cb_field *cb_field_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; i < CB_NFIELDS; i++)
		if (strcmp(cb_fields[i].name, name) == 0)
			return &cb_fields[i];
	for (int i = 0; i < CB_NFIELDS; i++)
		if (strcasecmp(cb_fields[i].name, name) == 0)
			return &cb_fields[i];
	return NULL;
}

const struct cb_field *cb_field_by_htcds(const char *column)
{
	if (!column)
		return NULL;
	for (int i = 0; i < CB_NFIELDS; i++)
		if (strcmp(cb_fields[i].htcds, column) == 0)
			return &cb_fields[i];
	for (int i = 0; i < CB_NFIELDS; i++)
		if (strcasecmp(cb_fields[i].htcds, column) == 0)
			return &cb_fields[i];
	return NULL;
}

int32_t cb_value_find(const struct cb_vset *vs, const char *name)
{
	if (!vs || !name)
		return CB_NA;
	for (int i = 0; i < vs->count; i++)
		if (strcmp(vs->values[i].name, name) == 0)
			return i;
	for (int i = 0; i < vs->count; i++)
		if (strcasecmp(vs->values[i].name, name) == 0)
			return i;
	return CB_NA;
}

const char *cb_field_allowed(const struct cb_field *f, char *buf, size_t n)
{
	if (!buf || n == 0)
		return "";
	buf[0] = 0;
	switch (f->kind) {
	case CB_ID: snprintf(buf, n, "26 base32 characters (A-Z, 2-7)"); break;
	case CB_SITE: snprintf(buf, n, "2 to 16 characters A-Z, 0-9 or -"); break;
	case CB_DATE: snprintf(buf, n, "a date YYYY-MM-DD"); break;
	case CB_INT: snprintf(buf, n, "a whole number from %d to %d", (int)f->lo, (int)f->hi); break;
	case CB_COUNTRY: snprintf(buf, n, "an ISO 3166-1 alpha-2 or alpha-3 country code"); break;
	case CB_PII: snprintf(buf, n, "text of at most %d bytes", (int)f->hi); break;
	case CB_BOOL: snprintf(buf, n, "yes, no, true, false, 1 or 0"); break;
	case CB_ENUM:
	case CB_MULTI: {
		size_t o = 0;
		for (int i = 0; i < f->vset->count; i++) {
			const char *name = f->vset->values[i].name;
			size_t need = strlen(name) + (i ? 2 : 0);
			/* keep room for ", ..." so a cut list still says it goes on */
			if (o + need + 6 > n) {
				snprintf(buf + o, n - o, "%s", n - o > 5 ? ", ..." : "");
				return buf;
			}
			o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", name);
		}
		break;
	}
	}
	return buf;
}

/* ---- the case */

bool cb_case_has(const struct cb_case *c, const struct cb_field *f)
{
	const void *m = cb_case_cmember(c, f);
	switch (f->kind) {
	case CB_ID: return !cb_case_id_is_zero(m);
	case CB_SITE: return ((const char *)m)[0] != 0;
	case CB_MULTI: return *(const uint64_t *)m != 0;
	case CB_PII: return *(char *const *)m != NULL;
	default: return *(const int32_t *)m != CB_NA;
	}
}

void cb_case_init(struct cb_case *c)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		void *m = cb_case_member(c, f);
		switch (f->kind) {
		case CB_ID:
		case CB_SITE:
		case CB_MULTI: break; /* zero is missing */
		case CB_PII: *(char **)m = NULL; break;
		default: *(int32_t *)m = CB_NA; break;
		}
	}
}

static void pii_free(char **p)
{
	if (*p) {
		sodium_memzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

void cb_case_clear(struct cb_case *c)
{
	for (int i = 0; i < CB_NFIELDS; i++)
		if (cb_fields[i].kind == CB_PII)
			pii_free(cb_case_member(c, &cb_fields[i]));
	cb_case_init(c);
}

int cb_case_copy(struct cb_case *dst, const struct cb_case *src)
{
	if (dst == src)
		return CB_OK;
	cb_case_clear(dst);
	memcpy(dst, src, sizeof *dst);
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind == CB_PII)
			*(char **)cb_case_member(dst, f) = NULL;
	}
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind != CB_PII)
			continue;
		const char *s = *(char *const *)cb_case_cmember(src, f);
		if (!s)
			continue;
		char *d = strdup(s);
		if (!d) {
			cb_case_clear(dst);
			return CB_ENOMEM;
		}
		*(char **)cb_case_member(dst, f) = d;
	}
	return CB_OK;
}

bool cb_case_has_pii(const struct cb_case *c)
{
	for (int i = 0; i < CB_NFIELDS; i++)
		if (cb_fields[i].kind == CB_PII && cb_case_has(c, &cb_fields[i]))
			return true;
	return false;
}

bool cb_case_equal(const struct cb_case *a, const struct cb_case *b)
{
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		const void *x = cb_case_cmember(a, f), *y = cb_case_cmember(b, f);
		bool same;
		switch (f->kind) {
		case CB_ID: same = memcmp(x, y, 16) == 0; break;
		case CB_SITE: same = strncmp(x, y, 17) == 0; break;
		case CB_MULTI: same = *(const uint64_t *)x == *(const uint64_t *)y; break;
		case CB_PII: {
			const char *s = *(char *const *)x, *t = *(char *const *)y;
			same = s == t || (s && t && strcmp(s, t) == 0);
			break;
		}
		default: same = *(const int32_t *)x == *(const int32_t *)y; break;
		}
		if (!same)
			return false;
	}
	return a->version == b->version;
}

/* ---- text in */

/* Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
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

/* Checks an identifying detail without ever putting it into the error. */
static int pii_check(const struct cb_field *f, const char *text, struct cb_err *err)
{
	size_t n = strlen(text);
	int32_t d;
	if (n > (size_t)f->hi)
		return cb_err_field(err, CB_EINVAL, f->name, "%s: longer than %d bytes (value withheld)", f->name,
				    (int)f->hi);
	if (!utf8_valid((const unsigned char *)text, n))
		return cb_err_field(err, CB_EINVAL, f->name, "%s: not valid UTF-8 text (value withheld)", f->name);
	if ((f->flags & CB_F_ISODATE) && cb_date_parse(text, &d) != CB_OK)
		return cb_err_field(err, CB_EINVAL, f->name, "%s: not a date YYYY-MM-DD (value withheld)", f->name);
	return CB_OK;
}

static int bad_value(const struct cb_field *f, const char *value, struct cb_err *err)
{
	char vb[64], ab[400];
	const char *allowed = cb_field_allowed(f, ab, sizeof ab);
	if (f->kind == CB_ENUM || f->kind == CB_MULTI)
		return cb_err_field(err, CB_EINVAL, f->name, "%s: '%s' is not one of %s", f->name,
				    cb_err_value(value, vb), allowed);
	return cb_err_field(err, CB_EINVAL, f->name, "%s: '%s' is not %s", f->name, cb_err_value(value, vb), allowed);
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
	case CB_PII: pii_free(m); break;
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
		pii_free(m);
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
			return cb_err_field(err, CB_EINVAL, f->name, "%s: is not %s", f->name,
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
		return cb_err_field(err, CB_EINVAL, f->name, "%s: %d is out of range (%s)", f->name, (int)v,
				    cb_field_allowed(f, ab, sizeof ab));
	return CB_OK;
}

int cb_case_validate(const struct cb_case *c, struct cb_err *err)
{
	int rc;
	char d1[11];
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if ((f->flags & CB_F_REQUIRED) && !cb_case_has(c, f))
			return cb_err_field(err, CB_EINVAL, f->name, "%s: is required", f->name);
		if ((rc = check_range(c, f, err)) != CB_OK)
			return rc;
	}
	if (c->registered_on != CB_NA) {
		cb_date_format(c->registered_on, d1);
		if (c->registered_on > cb_date_today())
			return cb_err_field(err, CB_EINVAL, "registered_on", "registered_on: %s is in the future", d1);
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
					    vals_age_group[c->age_group].name, (int)c->age_at_registration,
					    vals_age_group[g].name);
		if (c->majority != CB_NA && c->majority != CB_majority_unknown && c->majority != mj)
			return cb_err_field(err, CB_EINVAL, "majority",
					    "majority: %s disagrees with age_at_registration %d (expected %s)",
					    vals_majority[c->majority].name, (int)c->age_at_registration,
					    vals_majority[mj].name);
	} else if (c->age_group != CB_NA && c->majority != CB_NA && c->majority != CB_majority_unknown) {
		int32_t mj = majority_of_group(c->age_group);
		if (c->majority != mj)
			return cb_err_field(err, CB_EINVAL, "majority", "majority: %s disagrees with age_group %s (expected %s)",
					    vals_majority[c->majority].name, vals_age_group[c->age_group].name,
					    vals_majority[mj].name);
	}
	return CB_OK;
}

/* ---- case ids: RFC 4648 base32, 128 bits in 26 characters, the last 2 bits zero */

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void cb_case_id_format(const uint8_t id[16], char out[CB_ID_TEXT])
{
	uint32_t acc = 0;
	int bits = 0, o = 0;
	for (int i = 0; i < 16; i++) {
		acc = (acc << 8) | id[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[o++] = b32[(acc << (5 - bits)) & 31]; /* 3 bits left, 2 zero bits of padding */
	out[o] = 0;
}

static int b32_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a';
	if (ch >= '2' && ch <= '7')
		return ch - '2' + 26;
	return -1;
}

int cb_case_id_parse(const char *text, uint8_t id[16])
{
	uint8_t out[16];
	uint32_t acc = 0;
	int bits = 0, o = 0;
	if (!text || strlen(text) != CB_ID_TEXT - 1)
		return CB_EINVAL;
	for (int i = 0; i < CB_ID_TEXT - 1; i++) {
		int v = b32_value(text[i]);
		if (v < 0)
			return CB_EINVAL;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0) /* the 2 padding bits */
		return CB_EINVAL;
	memcpy(id, out, 16);
	return CB_OK;
}

bool cb_case_id_is_zero(const uint8_t id[16])
{
	uint8_t z = 0;
	for (int i = 0; i < 16; i++)
		z |= id[i];
	return z == 0;
}
