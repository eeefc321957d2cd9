/*
 * case_helpers.h -- assertions shared by the tests of src/codebook/: a field by name, and setting or
 * formatting one field of a case with the outcome checked.
 */
#ifndef CB_TEST_CASE_HELPERS_H
#define CB_TEST_CASE_HELPERS_H

#include "cb_test.h"

#include "codebook/codebook.h"

static inline const struct cb_field *F(const char *name)
{
	const struct cb_field *f = cb_field_find(name);
	assert_non_null(f);
	return f;
}

/* Sets a field from text, expecting success. */
static inline void set_ok(struct cb_case *c, const char *field, const char *text)
{
	struct cb_err err = {0};
	int rc = cb_case_set_text(c, F(field), text, &err);
	if (rc != CB_OK)
		fail_msg("%s = '%s': %s", field, text, err.msg);
}

static inline void format_is(const struct cb_case *c, const char *field, const char *want)
{
	char buf[512];
	size_t n = cb_case_format(c, F(field), buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

/* Expects an error naming the field by its label (people read it) and containing `needle` (and the value
 * unless it is PII). */
static inline void set_bad(const char *field, const char *text, const char *needle)
{
	struct cb_case c;
	struct cb_err err = {0};
	cb_case_init(&c);
	assert_int_equal(cb_case_set_text(&c, F(field), text, &err), CB_EINVAL);
	assert_string_equal(err.field, field);
	assert_non_null(strstr(err.msg, F(field)->label));
	if (needle && !strstr(err.msg, needle))
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
	assert_false(cb_case_has(&c, F(field)));
	cb_case_clear(&c);
}

#endif
