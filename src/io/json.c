/*
 * json.c -- a case as a flat JSON object keyed by field name (see io.h), with jansson.
 *
 * This is fed outside input (the API, JSON lines imports), so parsing is strict and bounded: a document is
 * at most CB_JSON_MAX bytes and at most two levels deep (the case object and its arrays of value names),
 * checked before jansson builds anything; keys must be field names exactly; every value must have the JSON
 * type of its field.  Parsing works on a copy and only replaces the caller's case when everything is
 * accepted.  Errors name the key and what was expected; they never repeat an identifying detail, nor
 * jansson's own messages (which quote the text near the error).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "io/io.h"

#define CB_JSON_MAX (4u << 20) /* bytes; a case with every detail at its limit is well under 1 MiB */
#define CB_JSON_DEPTH 2        /* object, then arrays of value names */

/* jansson copies every string it parses or is given, identifying details included, and frees them with
 * free().  Its free function is replaced, before main runs, by one that wipes the block first.  Blocks
 * allocated before the switch came from the same malloc, and malloc_usable_size covers both. */
static void json_wipe_free(void *p)
{
	if (p) {
		sodium_memzero(p, malloc_usable_size(p));
		free(p);
	}
}

__attribute__((constructor)) static void json_wipe_init(void) { json_set_alloc_funcs(malloc, json_wipe_free); }

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "a whole number";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "true/false";
	case JSON_NULL: return "null";
	}
	return "something else";
}

/* What a field's JSON value must look like, for error messages. */
static const char *json_expected(const struct cb_field *f, char *buf, size_t n)
{
	char allowed[400];
	cb_field_allowed(f, allowed, sizeof allowed);
	switch (f->kind) {
	case CB_ENUM: snprintf(buf, n, "a string, one of %s", allowed); break;
	case CB_MULTI: snprintf(buf, n, "an array of strings, each one of %s", allowed); break;
	case CB_BOOL: snprintf(buf, n, "true or false"); break;
	case CB_INT: snprintf(buf, n, "%s", allowed); break;
	case CB_PII: snprintf(buf, n, "a string"); break;
	default: snprintf(buf, n, "a string: %s", allowed); break;
	}
	return buf;
}

static int wrong_type(const struct cb_field *f, const json_t *v, struct cb_err *err)
{
	char want[480];
	return cb_err_field(err, CB_EINVAL, f->name, "%s: is %s; expected %s", f->name, json_type_name(v),
			    json_expected(f, want, sizeof want));
}

static int set_multi(struct cb_case *c, const struct cb_field *f, const json_t *arr, struct cb_err *err)
{
	uint64_t set = 0;
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item) {
		if (!json_is_string(item))
			return wrong_type(f, item, err);
		int32_t v = cb_value_find(f->vset, json_string_value(item));
		if (v == CB_NA || strlen(json_string_value(item)) != json_string_length(item)) {
			char vb[64], ab[400];
			return cb_err_field(err, CB_EINVAL, f->name, "%s: '%s' is not one of %s", f->name,
					    cb_err_value(json_string_value(item), vb), cb_field_allowed(f, ab, sizeof ab));
		}
		set |= UINT64_C(1) << v;
	}
	*(uint64_t *)cb_case_member(c, f) = set;
	return CB_OK;
}

/* Sets field f of c from one JSON value (null clears). */
static int set_field(struct cb_case *c, const struct cb_field *f, const json_t *v, struct cb_err *err)
{
	char num[32];
	if (json_is_null(v))
		return cb_case_set_text(c, f, "", err);
	switch (f->kind) {
	case CB_MULTI:
		if (!json_is_array(v))
			return wrong_type(f, v, err);
		return set_multi(c, f, v, err);
	case CB_BOOL:
		if (!json_is_boolean(v))
			return wrong_type(f, v, err);
		return cb_case_set_text(c, f, json_is_true(v) ? "yes" : "no", err);
	case CB_INT:
		if (!json_is_integer(v))
			return wrong_type(f, v, err);
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return cb_case_set_text(c, f, num, err);
	default:
		if (!json_is_string(v))
			return wrong_type(f, v, err);
		/* a \u0000 inside would silently cut the text short */
		if (strlen(json_string_value(v)) != json_string_length(v))
			return cb_err_field(err, CB_EINVAL, f->name, "%s: contains a NUL character", f->name);
		return cb_case_set_text(c, f, json_string_value(v), err);
	}
}

static int set_version(struct cb_case *c, const json_t *v, struct cb_err *err)
{
	if (json_is_null(v)) {
		c->version = 0;
		return CB_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return cb_err_field(err, CB_EINVAL, "version", "version: expected a whole number, 0 or more");
	c->version = json_integer_value(v);
	return CB_OK;
}

/* Moves the case `from` into *c, wiping what c held. */
static void case_move(struct cb_case *c, struct cb_case *from)
{
	cb_case_clear(c);
	*c = *from;
	cb_case_init(from);
}

/* A patch may repeat the fields the store keeps (CB_F_STORE) but not change them: they move only through
 * care/assist.h, and an update would silently keep the stored values. */
static int store_fields_unchanged(const struct cb_case *was, const struct cb_case *now, struct cb_err *err)
{
	char a[1024], b[1024];
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (!(f->flags & CB_F_STORE))
			continue;
		cb_case_format(was, f, a, sizeof a);
		cb_case_format(now, f, b, sizeof b);
		if (strcmp(a, b) != 0)
			return cb_err_field(err, CB_EINVAL, f->name,
					    "%s: is kept by casebank and cannot be changed by an update (%s)", f->name,
					    f->id == CB_FLD_case_stage ? "the workflow moves it: casebank stage"
					    : f->id == CB_FLD_status   ? "it follows the workflow stage: casebank stage"
								       : "it follows the assistance and referral records");
	}
	return CB_OK;
}

int cb_case_from_json(struct cb_case *c, const json_t *obj, unsigned flags, struct cb_err *err)
{
	struct cb_case tmp;
	const char *key;
	json_t *v;
	int rc = CB_OK;
	cb_case_init(&tmp);
	if (!obj || !json_is_object(obj)) {
		rc = cb_err_set(err, CB_EINVAL, "a case must be a JSON object, not %s",
				obj ? json_type_name(obj) : "nothing");
		goto out;
	}
	if ((flags & CB_JSON_PATCH) && (rc = cb_case_copy(&tmp, c)) != CB_OK) {
		rc = cb_err_set(err, rc, "out of memory");
		goto out;
	}
	/* json_object_foreach takes a non-const object; it does not change it */
	json_object_foreach((json_t *)obj, key, v) {
		const struct cb_field *f = cb_field_find(key);
		if (strcmp(key, "version") == 0) {
			rc = set_version(&tmp, v, err);
		} else if (f && strcmp(f->name, key) == 0) {
			rc = set_field(&tmp, f, v, err);
		} else {
			char kb[64];
			cb_err_value(key, kb);
			if (f)
				rc = cb_err_field(err, CB_EINVAL, kb, "unknown key '%s' (field names are exact: %s)", kb,
						  f->name);
			else
				rc = cb_err_field(err, CB_EINVAL, kb, "unknown key '%s': not a case field", kb);
		}
		if (rc != CB_OK)
			goto out;
	}
	if ((flags & CB_JSON_PATCH) && (rc = store_fields_unchanged(c, &tmp, err)) != CB_OK)
		goto out;
	case_move(c, &tmp);
out:
	cb_case_clear(&tmp);
	return rc;
}

/* Nesting depth of a JSON text, counting brackets outside strings; stops early past `limit`.  jansson
 * checks everything else; this only keeps it from building deep structures we would reject anyway. */
static int json_depth(const char *s, size_t n, int limit)
{
	int depth = 0, max = 0;
	bool in_str = false;
	for (size_t i = 0; i < n && max <= limit; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
		} else if (ch == '{' || ch == '[') {
			if (++depth > max)
				max = depth;
		} else if ((ch == '}' || ch == ']') && depth > 0) {
			depth--;
		}
	}
	return max;
}

/* jansson's error text quotes the input near the error; ours says only what and where. */
static const char *json_error_what(const json_error_t *je)
{
	switch (json_error_code(je)) {
	case json_error_out_of_memory: return "out of memory";
	case json_error_stack_overflow: return "nested too deeply";
	case json_error_invalid_utf8: return "invalid UTF-8";
	case json_error_premature_end_of_input: return "unexpected end of input";
	case json_error_end_of_input_expected: return "text after the end of the document";
	case json_error_null_character: return "a NUL character in a string";
	case json_error_null_byte_in_key: return "a NUL character in a key";
	case json_error_duplicate_key: return "a key given twice";
	case json_error_numeric_overflow: return "a number too large";
	default: return "invalid syntax";
	}
}

int cb_case_from_json_text(struct cb_case *c, const char *text, size_t len, unsigned flags, struct cb_err *err)
{
	json_error_t je;
	json_t *root = NULL;
	int rc;
	if (!text)
		return cb_err_set(err, CB_EINVAL, "no JSON text");
	if (len > CB_JSON_MAX)
		return cb_err_set(err, CB_EINVAL, "JSON document of %zu bytes is larger than the limit of %u", len,
				  CB_JSON_MAX);
	if (json_depth(text, len, CB_JSON_DEPTH) > CB_JSON_DEPTH)
		return cb_err_set(err, CB_EINVAL,
				  "JSON document nested too deeply: a case is one object whose values are strings, "
				  "numbers, true/false, null or arrays of strings");
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root) {
		rc = cb_err_set(err, json_error_code(&je) == json_error_out_of_memory ? CB_ENOMEM : CB_EINVAL,
				"not valid JSON: %s at line %d, column %d", json_error_what(&je), je.line, je.column);
		goto out;
	}
	rc = cb_case_from_json(c, root, flags, err);
out:
	json_decref(root);
	return rc;
}

/* One field as a new JSON value, or NULL when missing (or out of memory). */
static json_t *field_to_json(const struct cb_case *c, const struct cb_field *f)
{
	const void *m = cb_case_cmember(c, f);
	char buf[64];
	switch (f->kind) {
	case CB_INT: return json_integer(*(const int32_t *)m);
	case CB_BOOL: return json_boolean(*(const int32_t *)m);
	case CB_PII: return json_string(*(char *const *)m);
	case CB_MULTI: {
		uint64_t set = *(const uint64_t *)m;
		json_t *arr = json_array();
		for (int i = 0; arr && i < f->vset->count; i++)
			if ((set & (UINT64_C(1) << i)) &&
			    json_array_append_new(arr, json_string(f->vset->values[i].name)) != 0) {
				json_decref(arr);
				arr = NULL;
			}
		return arr;
	}
	default:
		if (cb_case_format(c, f, buf, sizeof buf) == 0)
			return NULL; /* an out-of-range code: nothing to say */
		return json_string(buf);
	}
}

json_t *cb_case_to_json(const struct cb_case *c, unsigned flags)
{
	json_t *obj = json_object();
	bool ok = obj != NULL;
	for (int i = 0; ok && i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (!cb_case_has(c, f) || (f->kind == CB_PII && !(flags & CB_JSON_PII)))
			continue;
		json_t *v = field_to_json(c, f);
		if (v)
			ok = json_object_set_new(obj, f->name, v) == 0;
		else /* only an out-of-range code may come back empty */
			ok = f->kind == CB_ENUM || f->kind == CB_COUNTRY;
	}
	if (ok && c->version != 0)
		ok = json_object_set_new(obj, "version", json_integer(c->version)) == 0;
	if (!ok) {
		json_decref(obj);
		obj = NULL;
	}
	return obj;
}
