/*
 * codebook.c -- the field and value tables generated from include/tbl/cb_fields.h and cb_values.h, lookups
 * by name, the life of a struct cb_case (init, clear, copy, compare) and case ids.
 *
 * How one field's value is read from text, written as text, derived and validated is in value.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codebook/codebook.h"

/* ---- tables */

#define V(set, ident, name, label, ctdc) {name, label, ctdc, sizeof(name) - 1},
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
	size_t n = strlen(name);
	for (int i = 0; i < vs->count; i++)
		if (vs->values[i].len == n && memcmp(vs->values[i].name, name, n) == 0)
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

size_t cb_case_pii_names(const struct cb_case *c, char *buf, size_t n)
{
	size_t o = 0;
	if (n)
		buf[0] = 0;
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (f->kind != CB_PII || !cb_case_has(c, f))
			continue;
		int w = snprintf(buf + o, n - o, "%s%s", o ? "," : "", f->name);
		if (w < 0 || (size_t)w >= n - o) {
			buf[o] = 0;
			break;
		}
		o += (size_t)w;
	}
	return o;
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

void cb_case_clear(struct cb_case *c)
{
	for (int i = 0; i < CB_NFIELDS; i++)
		if (cb_fields[i].kind == CB_PII)
			cb_text_free(cb_case_member(c, &cb_fields[i]));
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
