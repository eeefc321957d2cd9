/*
 * rules.c -- the codebook's format rules for identifying details (CB_F_PHONE, CB_F_EMAIL) and the fields a
 * person must fill in to register a case (CB_F_REGISTER).  Apart from value.c, which parses and checks coded
 * values: these rules are about what a person types.  Errors never quote the value (it identifies).
 */
#include <stdio.h>
#include <string.h>

#include "codebook/codebook.h"
#include "util/i18n.h"

/* A phone number as people write it: an optional leading +, digits, and spaces, dots, dashes, slashes or
 * parentheses between them; 5 to 20 digits (E.164 has at most 15, extensions a few more). */
bool cb_text_is_phone(const char *t)
{
	int digits = 0;
	if (*t == '+')
		t++;
	for (; *t; t++) {
		if (*t >= '0' && *t <= '9')
			digits++;
		else if (!strchr(" .-/()", *t))
			return false;
	}
	return digits >= 5 && digits <= 20;
}

/* An address of the form local@domain.tld: no spaces, one @, a dot in the domain neither first nor last.
 * (The full RFC 5322 grammar accepts what no mail system delivers; this catches the typing mistakes.) */
bool cb_text_is_email(const char *t)
{
	const char *at = strchr(t, '@');
	if (!at || at == t || strchr(at + 1, '@') || strpbrk(t, " \t\r\n,;<>"))
		return false;
	const char *dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1] != 0;
}

int cb_case_check_register(const struct cb_case *c, struct cb_err *err)
{
	char missing[512];
	size_t o = 0;
	const char *first = NULL;
	missing[0] = 0;
	for (int i = 0; i < CB_NFIELDS; i++) {
		const struct cb_field *f = &cb_fields[i];
		if (!(f->flags & (CB_F_REGISTER | CB_F_REQUIRED)) || (f->flags & CB_F_DERIVED) || cb_case_has(c, f))
			continue;
		if (!first)
			first = f->name;
		if (o < sizeof missing)
			o += (size_t)snprintf(missing + o, sizeof missing - o, "%s%s", o ? ", " : "",
					      cb_tr(NULL, "codebook", f->label));
	}
	if (!first)
		return CB_OK;
	/* every missing field at once, by its label in the reader's language: one round trip, not five */
	return strchr(missing, ',') ? cb_err_field(err, CB_EINVAL, first, "%s are required", missing)
				    : cb_err_field(err, CB_EINVAL, first, "%s is required", missing);
}
