/*
 * demo_dups.c -- planted duplicates for the demo and the linkage benchmark: copies of existing demo people
 * registered again, at the same or another office, with the errors real registrations make (io.h).
 *
 * Each copy gets one or two of: a typo in a name (a letter changed, dropped, doubled or two swapped), the
 * last name written in Cyrillic (as another office's form had it), first and last names swapped, a name
 * part missing, and a birth date with one digit slipped (still a real date).  The truth -- which new case
 * copies which -- goes to a file the caller names (two case ids a line), never into the database: the
 * benchmark reads it, nothing in casebank does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/io.h"

struct src {
	uint8_t id[16];
	char *first, *last, *birth, *phone;
	char site[17];
	int32_t registered_on;
	int32_t gender;
	int32_t citizenship;
	int32_t birth_year;
};
struct srcs {
	struct src *v;
	size_t n, cap;
	uint32_t every; /* keep one case in `every` as a source */
	uint32_t seen;
	struct cb_demo_rng *r;
};

static char *dup_text(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int pick(const struct cb_case *c, void *ctx)
{
	struct srcs *S = ctx;
	if (!c->first_name || !c->birth_date || cb_demo_below(S->r, S->every) != 0)
		return CB_OK;
	if (S->n == S->cap) {
		size_t cap = S->cap ? 2 * S->cap : 256;
		struct src *v = realloc(S->v, cap * sizeof *v);
		if (!v)
			return CB_ENOMEM;
		S->v = v;
		S->cap = cap;
	}
	struct src *p = &S->v[S->n++];
	memset(p, 0, sizeof *p);
	memcpy(p->id, c->case_id, 16);
	p->first = dup_text(c->first_name);
	p->last = dup_text(c->last_name);
	p->birth = dup_text(c->birth_date);
	p->phone = dup_text(c->phone);
	snprintf(p->site, sizeof p->site, "%s", c->site);
	p->registered_on = c->registered_on;
	p->gender = c->gender;
	p->citizenship = c->citizenship;
	p->birth_year = c->birth_year;
	return (p->first && (!c->last_name || p->last) && p->birth) ? CB_OK : CB_ENOMEM;
}

static void typo(struct cb_demo_rng *r, char *s)
{
	size_t n = strlen(s);
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)s[k] >= 0x80)
			return; /* written in Cyrillic already: a typo there is not what this plants */
	if (n < 3)
		return;
	size_t i = 1 + cb_demo_below(r, (uint32_t)(n - 2));
	switch (cb_demo_below(r, 4)) {
	case 0: s[i] = (char)('a' + cb_demo_below(r, 26)); break;           /* a letter changed */
	case 1: memmove(s + i, s + i + 1, n - i); break;                      /* dropped */
	case 2: { char t = s[i]; s[i] = s[i + 1]; s[i + 1] = t; break; }      /* two swapped */
	default: if (s[i + 1]) s[i + 1] = s[i]; break;                        /* doubled over the next */
	}
}

/* The Latin name written in Cyrillic (lower case, as a clerk would type it); returns a new string. */
static char *cyrillic(const char *s)
{
	static const struct { const char *lat, *cyr; } t[] = {
		{"shch", "щ"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"}, {"ya", "я"}, {"yu", "ю"},
		{"ia", "я"},   {"iu", "ю"}, {"a", "а"},  {"b", "б"},  {"c", "к"},  {"d", "д"},  {"e", "е"},  {"f", "ф"},
		{"g", "г"},    {"h", "х"},  {"i", "и"},  {"j", "й"},  {"k", "к"},  {"l", "л"},  {"m", "м"},  {"n", "н"},
		{"o", "о"},    {"p", "п"},  {"q", "к"},  {"r", "р"},  {"s", "с"},  {"t", "т"},  {"u", "у"},  {"v", "в"},
		{"w", "в"},    {"x", "кс"}, {"y", "ы"},  {"z", "з"},
	};
	size_t n = strlen(s);
	char *out = malloc(4 * n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		char low[5] = {0};
		for (size_t k = 0; k < 4 && i + k < n; k++)
			low[k] = (char)(s[i + k] >= 'A' && s[i + k] <= 'Z' ? s[i + k] - 'A' + 'a' : s[i + k]);
		size_t j = 0;
		while (j < CB_COUNTOF(t) && strncmp(low, t[j].lat, strlen(t[j].lat)))
			j++;
		if (j == CB_COUNTOF(t)) {
			*o++ = s[i++];
			continue;
		}
		size_t l = strlen(t[j].cyr);
		memcpy(o, t[j].cyr, l);
		o += l;
		i += strlen(t[j].lat);
	}
	*o = 0;
	return out;
}

/* One digit of the date changed, so that it is still a real date. */
static void slip(struct cb_demo_rng *r, char date[11])
{
	static const int pos[] = {3, 5, 6, 8, 9};
	char was[11];
	int32_t d;
	memcpy(was, date, 11);
	for (int tries = 0; tries < 20; tries++) {
		int p = pos[cb_demo_below(r, CB_COUNTOF(pos))];
		char old = date[p], c = (char)('0' + cb_demo_below(r, 10));
		if (c == old)
			continue;
		date[p] = c;
		if (cb_date_parse(date, &d) == CB_OK)
			return;
		date[p] = old;
	}
	memcpy(date, was, 11);
}

/* The copy of p with its errors, as a new case; c is initialised here. */
static int make_copy(struct cb_demo_rng *r, const struct src *p, const char *site, int32_t today, struct cb_case *c)
{
	char date[11];
	cb_case_init(c);
	snprintf(c->site, sizeof c->site, "%s", site);
	c->registered_on = p->registered_on + (int32_t)cb_demo_below(r, 400);
	if (c->registered_on > today)
		c->registered_on = today;
	c->gender = p->gender;
	c->citizenship = p->citizenship;
	c->birth_year = p->birth_year;
	c->consent_statistics = CB_yes_no_yes;
	c->first_name = strdup(p->first);
	c->last_name = p->last ? strdup(p->last) : NULL;
	snprintf(date, sizeof date, "%s", p->birth);
	if (!c->first_name || (p->last && !c->last_name))
		return CB_ENOMEM;
	int errors = 1 + (cb_demo_below(r, 3) == 0);
	for (int e = 0; e < errors; e++) {
		char **name = c->last_name && cb_demo_below(r, 2) ? &c->last_name : &c->first_name;
		switch (cb_demo_below(r, 5)) {
		case 0: typo(r, *name); break;
		case 1: {
			char *cy = cyrillic(*name);
			if (!cy)
				return CB_ENOMEM;
			free(*name);
			*name = cy;
			break;
		}
		case 2:
			if (c->last_name) {
				char *t = c->first_name;
				c->first_name = c->last_name;
				c->last_name = t;
			}
			break;
		case 3: /* a part missing: one of two surnames, else the last name */
			if (c->last_name && strchr(c->last_name, ' ')) {
				char *sp = strchr(c->last_name, ' ');
				if (cb_demo_below(r, 2))
					*sp = 0;
				else
					memmove(c->last_name, sp + 1, strlen(sp + 1) + 1);
			} else if (c->last_name) {
				free(c->last_name);
				c->last_name = NULL;
			}
			break;
		default: slip(r, date); break;
		}
	}
	/* an error that changed nothing (a swap without a last name, a typo in a short name): a date slip then */
	if (!strcmp(c->first_name, p->first) && !strcmp(date, p->birth) &&
	    (c->last_name ? p->last && !strcmp(c->last_name, p->last) : !p->last))
		slip(r, date);
	if (!(c->birth_date = strdup(date)))
		return CB_ENOMEM;
	if (p->phone && cb_demo_below(r, 2) && !(c->phone = strdup(p->phone)))
		return CB_ENOMEM;
	return CB_OK;
}

int cb_demo_duplicates(struct cb_store *s, double rate, uint64_t seed, const char *truth, long *planted,
		       struct cb_err *err)
{
	struct cb_demo_rng r;
	struct srcs S = {0};
	FILE *f = NULL;
	int rc;
	*planted = 0;
	if (!(rate > 0 && rate <= 0.5))
		return cb_err_set(err, CB_EINVAL, "--duplicates: expected a share above 0 and at most 0.5");
	const int32_t today = (int32_t)(time(NULL) / 86400);
	cb_demo_rng_seed(&r, seed ^ 0x6475706c6963ULL);
	S.r = &r;
	S.every = (uint32_t)(1 / rate + 0.5);
	if ((rc = cb_store_scan(s, NULL, CB_WITH_PII, pick, &S, err)) != CB_OK) {
		if (rc == CB_ENOMEM)
			cb_err_set(err, rc, "out of memory");
		goto out;
	}
	if (truth && !(f = fopen(truth, "w"))) {
		rc = cb_err_set(err, CB_EIO, "%s: cannot write the list of planted duplicates", truth);
		goto out;
	}
	if ((rc = cb_store_begin(s, err)) != CB_OK)
		goto out;
	for (size_t i = 0; i < S.n && rc == CB_OK; i++) {
		struct cb_case c;
		const struct src *p = &S.v[i];
		/* half at another office: pick a source case's office at random */
		const char *site = cb_demo_below(&r, 2) ? p->site : S.v[cb_demo_below(&r, (uint32_t)S.n)].site;
		if ((rc = make_copy(&r, p, site, today, &c)) == CB_OK && (rc = cb_store_add(s, &c, NULL, err)) == CB_OK) {
			char a[CB_ID_TEXT], b[CB_ID_TEXT];
			cb_case_id_format(p->id, a);
			cb_case_id_format(c.case_id, b);
			if (f)
				fprintf(f, "%s %s\n", a, b);
			++*planted;
		} else if (rc == CB_ENOMEM) {
			cb_err_set(err, rc, "out of memory");
		}
		cb_case_clear(&c);
	}
	if (rc == CB_OK)
		rc = cb_store_commit(s, err);
	else
		cb_store_rollback(s);
	if (f && fclose(f) != 0 && rc == CB_OK)
		rc = cb_err_set(err, CB_EIO, "%s: cannot write the list of planted duplicates", truth);
	f = NULL;
out:
	if (f)
		fclose(f);
	for (size_t i = 0; i < S.n; i++) {
		cb_text_free(&S.v[i].first);
		cb_text_free(&S.v[i].last);
		cb_text_free(&S.v[i].birth);
		cb_text_free(&S.v[i].phone);
	}
	free(S.v);
	return rc;
}
