/*
 * args.c -- what the commands of the command line read from their arguments and how they print values: a
 * case id, a positive number, a date, a coded value (each printing what is wrong, naming the option, and
 * returning CB_EINVAL), a free text that may describe a person ("-" reads it from stdin, so that it is not
 * visible to other local users on a command line; wiped when freed), and dates, coded values and notes in
 * the commands' tab-separated output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/crypto.h"
#include "care/assist.h"
#include "util/i18n.h"

int cb_cli_case_id(const char *text, uint8_t id[16])
{
	if (cb_case_id_parse(text, id) == CB_OK)
		return CB_OK;
	fprintf(stderr, _("casebank: %s: not a case id (26 characters A-Z and 2-7)\n"), text);
	return CB_EINVAL;
}

int cb_cli_int64(const char *opt, const char *text, int64_t *out)
{
	char *end;
	long long v = text ? strtoll(text, &end, 10) : 0;
	if (!text || !*text || *end || v <= 0) {
		fprintf(stderr, _("casebank: %s: expected a positive whole number\n"), opt);
		return CB_EINVAL;
	}
	*out = v;
	return CB_OK;
}

int cb_cli_date(const char *opt, const char *text, int32_t *day)
{
	*day = CB_NA;
	if (!text)
		return CB_OK;
	if (cb_date_parse(text, day) == CB_OK)
		return CB_OK;
	fprintf(stderr, _("casebank: %s: expected a date YYYY-MM-DD\n"), opt);
	return CB_EINVAL;
}

int cb_cli_value(const char *opt, enum cb_vset_id vs, const char *text, int32_t *v)
{
	char vb[64];
	*v = CB_NA;
	if (!text)
		return CB_OK;
	if ((*v = cb_value_find(&cb_vsets[vs], text)) != CB_NA)
		return CB_OK;
	fprintf(stderr, _("casebank: %s: '%s' is not one of"), opt, cb_err_value(text, vb));
	for (int i = 0; i < cb_vsets[vs].count; i++)
		fprintf(stderr, "%s %s", i ? "," : "", cb_vsets[vs].values[i].name);
	fputc('\n', stderr);
	return CB_EINVAL;
}

/* A free text from an option: "-" reads stdin.  *out is malloc'd (wiped by free_text). */
int cb_cli_text_read(const char *opt, const char *arg, char **out)
{
	struct cb_buf b = {0};
	char chunk[4096];
	size_t n;
	*out = NULL;
	if (!arg)
		return CB_OK;
	if (strcmp(arg, "-") != 0) {
		*out = strdup(arg);
		return *out ? CB_OK : CB_ENOMEM;
	}
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (b.len + n > CB_NOTE_MAX || cb_buf_append(&b, chunk, n) != CB_OK) {
			fprintf(stderr, _("casebank: %s: longer than %d bytes\n"), opt, CB_NOTE_MAX);
			cb_buf_free(&b);
			return CB_EINVAL;
		}
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.len--;
	*out = malloc(b.len + 1);
	if (*out) {
		memcpy(*out, b.data ? b.data : "", b.len);
		(*out)[b.len] = 0;
	}
	cb_buf_free(&b);
	return *out ? CB_OK : CB_ENOMEM;
}

void cb_cli_text_free(char **t)
{
	if (*t) {
		cb_wipe(*t, strlen(*t));
		free(*t);
		*t = NULL;
	}
}

const char *cb_cli_name(enum cb_vset_id vs, int32_t v)
{
	return v >= 0 && v < cb_vsets[vs].count ? cb_vsets[vs].values[v].name : "-";
}

const char *cb_cli_day(int32_t day, char buf[11])
{
	if (day == CB_NA)
		return "-";
	cb_date_format(day, buf);
	return buf;
}

/* Prints a note on its own indented line(s). */
void cb_cli_note(const char *label, const char *text)
{
	if (text)
		printf("    %s: %s\n", label, text);
}
