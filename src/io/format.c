/*
 * format.c -- the table of exchange formats: by id, by name, and a guess from a file's first line.
 */
#include <string.h>
#include <strings.h>

#include "io/io.h"

static const struct cb_format *const formats[CB_FMT__COUNT] = {
	[CB_FMT_HTCDS] = &cb_format_htcds,
	[CB_FMT_CTDC] = &cb_format_ctdc,
	[CB_FMT_CTDC_SYNTH] = &cb_format_ctdc_synth,
	[CB_FMT_JSONL] = &cb_format_jsonl,
};

const struct cb_format *cb_format_get(enum cb_format_id id)
{
	return (unsigned)id < CB_FMT__COUNT ? formats[id] : NULL;
}

const struct cb_format *cb_format_by_name(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; i < CB_FMT__COUNT; i++)
		if (strcasecmp(formats[i]->name, name) == 0)
			return formats[i];
	if (strcasecmp(name, "ndjson") == 0 || strcasecmp(name, "json-lines") == 0)
		return &cb_format_jsonl;
	return NULL;
}

/* Is needle in the first len bytes of s? */
static bool has(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return true;
	return false;
}

int cb_format_detect(const char *line, size_t len, enum cb_format_id *out)
{
	size_t i = 0;
	if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
		i++;
	line += i;
	len -= i;
	if (len && line[0] == '{')
		*out = CB_FMT_JSONL;
	else if (has(line, len, "yearOfRegistration"))
		*out = has(line, len, "traffickMonths") || has(line, len, "meansDebtBondageEarnings") ||
				       has(line, len, "meansThreats") || has(line, len, "meansAbusePsyPhySex")
			       ? CB_FMT_CTDC_SYNTH
			       : CB_FMT_CTDC;
	else if (has(line, len, "prs_") || has(line, len, "vic_") || has(line, len, "cas_") || has(line, len, "x_"))
		*out = CB_FMT_HTCDS;
	else
		return CB_EINVAL;
	return CB_OK;
}
