/*
 * codebook.h -- the case record and its codebook, generated from include/tbl/cb_fields.h and cb_values.h.
 *
 * struct cb_case holds one case in memory: coded fields as small integers (value index, country index,
 * number, days since 1970; CB_NA when missing), multi-valued fields as 64-bit sets, identifying details
 * as owned, NUL-terminated strings (NULL when absent).  Everything that reads or writes a case (JSON, CSV,
 * SQL, statistics) walks cb_fields[] instead of naming fields, so a new field is one table row.
 */
#ifndef CB_CODEBOOK_H
#define CB_CODEBOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "util/cb.h"

enum cb_kind { CB_ID, CB_SITE, CB_DATE, CB_INT, CB_ENUM, CB_MULTI, CB_COUNTRY, CB_BOOL, CB_PII };
enum cb_group { CB_G_CASE, CB_G_PERSON, CB_G_RECRUIT, CB_G_EXPLOIT, CB_G_CONSENT, CB_G_IDENTITY };

#define CB_F_DIM 1u
#define CB_F_DERIVED 2u
#define CB_F_REQUIRED 4u
#define CB_F_ISODATE 8u
#define CB_F_STORE 16u /* kept by the store (care/assist.h); read-only in case input */
#define CB_F_PHONE 32u    /* a PII field that must look like a phone number (rules.c) */
#define CB_F_EMAIL 64u    /* a PII field that must look like an email address (rules.c) */
#define CB_F_REGISTER 128u /* a person registering a case must fill it in (imports of old records may lack it) */

/* Value sets: CB_VS_gender, ...  and their values: CB_gender_Feminine, ... (index within the set). */
#include "tbl/cb_values.h"
enum cb_vset_id {
#define S(set) CB_VS_##set,
	CB_VALUE_SETS(S)
#undef S
	CB_VS__COUNT,
	CB_VS_none = -1
};
#define V(set, ident, name, label, ctdc) CB_##set##_##ident,
#define S(set) enum { CB_VALUES_##set(V) CB_##set##__COUNT };
CB_VALUE_SETS(S)
#undef S
#undef V

struct cb_value {
	const char *name;  /* value name: the public contract */
	const char *label; /* English label */
	const char *ctdc;  /* CTDC spelling or flag suffix; "" if none */
	unsigned len;      /* strlen(name): lookups compare lengths first */
};

struct cb_vset {
	const char *name;
	const struct cb_value *values;
	int count;
};

/* Field ids: CB_FLD_gender, ... in table order. */
enum cb_field_id {
#define CB_FIELD(name, kind, vset, lo, hi, group, flags, htcds, ctdc, label) CB_FLD_##name,
#include "tbl/cb_fields.h"
#undef CB_FIELD
	CB_NFIELDS
};

struct cb_field {
	enum cb_field_id id;
	const char *name;
	enum cb_kind kind;
	const struct cb_vset *vset; /* ENUM, MULTI, BOOL; NULL otherwise */
	int32_t lo, hi;             /* INT: range; PII: maximum length in bytes */
	enum cb_group group;
	unsigned flags;
	const char *htcds; /* HTCDS column (or x_ extension) */
	const char *ctdc;  /* CTDC column, or flag prefix for MULTI; "" if none */
	const char *label;
	size_t offset; /* of the member in struct cb_case */
};

/* One case.  Members named and typed after cb_fields.h. */
#define CB_MEMBER_ID(n) uint8_t n[16];
#define CB_MEMBER_SITE(n) char n[17];
#define CB_MEMBER_DATE(n) int32_t n;
#define CB_MEMBER_INT(n) int32_t n;
#define CB_MEMBER_ENUM(n) int32_t n;
#define CB_MEMBER_COUNTRY(n) int32_t n;
#define CB_MEMBER_BOOL(n) int32_t n;
#define CB_MEMBER_MULTI(n) uint64_t n;
#define CB_MEMBER_PII(n) char *n;
struct cb_case {
#define CB_FIELD(name, kind, vset, lo, hi, group, flags, htcds, ctdc, label) CB_MEMBER_##kind(name)
#include "tbl/cb_fields.h"
#undef CB_FIELD
	int64_t version; /* bumped by every stored change; 0 = never stored */
};

extern const struct cb_field cb_fields[CB_NFIELDS];
extern const struct cb_vset cb_vsets[CB_VS__COUNT];

/* Countries (include/tbl/cb_countries.h): index, alpha-2, alpha-3, English name, UN M49 region. */
struct cb_country {
	char alpha2[3];
	char alpha3[4];
	const char *name;
	const char *region;    /* UN M49 region: Africa, Americas, Asia, Europe, Oceania */
	const char *subregion; /* UN M49 sub-region, e.g. "South-eastern Asia" */
};
extern const struct cb_country cb_countries[];
extern const int cb_ncountries;
/* Index of a country by alpha-2 or alpha-3 code (case-insensitive), or CB_NA. */
int32_t cb_country_find(const char *code);
/* Region names in a fixed order, for statistics: cb_regions[i], i < cb_nregions. */
extern const char *const cb_regions[];
extern const int cb_nregions;
int cb_country_region(int32_t country); /* index into cb_regions, or CB_NA */

/* Lookups by name: an exact match first, then a case-insensitive one (callers that need the exact key,
 * such as JSON, compare f->name themselves). */
const struct cb_field *cb_field_find(const char *name);
const struct cb_field *cb_field_by_htcds(const char *column);
int32_t cb_value_find(const struct cb_vset *vs, const char *name); /* index or CB_NA */
/* "Feminine, Masculine, ..." for error messages: the allowed values of a field. */
const char *cb_field_allowed(const struct cb_field *f, char *buf, size_t n);

/* Member access by field. */
static inline void *cb_case_member(struct cb_case *c, const struct cb_field *f) { return (char *)c + f->offset; }
static inline const void *cb_case_cmember(const struct cb_case *c, const struct cb_field *f)
{
	return (const char *)c + f->offset;
}
/* True when the field holds a value (not CB_NA, not an empty set, not NULL, not a zero id). */
bool cb_case_has(const struct cb_case *c, const struct cb_field *f);

void cb_case_init(struct cb_case *c);  /* every field missing */
void cb_case_clear(struct cb_case *c); /* wipes and frees identifying details, then cb_case_init */
int cb_case_copy(struct cb_case *dst, const struct cb_case *src); /* deep copy; dst must be initialised */
bool cb_case_has_pii(const struct cb_case *c);
/* The names of the identifying fields c holds, comma-separated, into buf (cut at a whole name if it is too
 * small): what an audit entry lists as shown.  Returns the length written. */
size_t cb_case_pii_names(const struct cb_case *c, char *buf, size_t n);
/* True when both cases hold the same values in every field (identifying details compared by content)
 * and the same version. */
bool cb_case_equal(const struct cb_case *a, const struct cb_case *b);

/* Sets one field from text: value names, numbers, dates, country codes, "yes"/"no"/"true"/"false";
 * MULTI values separated by ';' (spaces around them ignored).  "" clears the field.  Errors name the field,
 * the value (coded fields only) and the allowed values. */
int cb_case_set_text(struct cb_case *c, const struct cb_field *f, const char *text, struct cb_err *err);
/* Formats one field as text in the same syntax ("" when missing).  Returns the length written. */
size_t cb_case_format(const struct cb_case *c, const struct cb_field *f, char *buf, size_t n);

/* Fills derived fields (year from registered_on, age_at_registration from birth_year, age_group and
 * majority from the age) where their sources are present. */
void cb_case_derive(struct cb_case *c);

/* rules.c: formats of identifying details, and what registering a case needs: CB_EINVAL naming the first
 * missing field and listing every missing one by its label. */
bool cb_text_is_phone(const char *text);
bool cb_text_is_email(const char *text);
int cb_case_check_register(const struct cb_case *c, struct cb_err *err);

/* status.c: cas_Status follows the workflow stage (a closed case keeps ClosedReferred if it had it); the
 * stage an imported status stands for, for a case that brings no stage. */
int32_t cb_status_of_stage(int32_t stage, int32_t status);
int32_t cb_stage_of_status(int32_t status);
/* Checks ranges, required fields and consistency of derived fields.  Errors name the field and value. */
int cb_case_validate(const struct cb_case *c, struct cb_err *err);
/* The age band and majority of an age in years. */
int32_t cb_age_group_of(int32_t age);
int32_t cb_majority_of(int32_t age);

/* Case ids: 26 characters of RFC 4648 base32 (lower case accepted on input). */
#define CB_ID_TEXT 27
void cb_case_id_format(const uint8_t id[16], char out[CB_ID_TEXT]);
int cb_case_id_parse(const char *text, uint8_t id[16]);
bool cb_case_id_is_zero(const uint8_t id[16]);

#endif
