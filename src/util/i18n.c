/*
 * i18n.c -- the message catalogues (i18n.h): reading the embedded .mo files, looking messages up, and
 * choosing a language.
 *
 * Why not glibc's gettext(): its language is one per process (LANGUAGE, setlocale), and it finds nothing
 * unless the system has the matching locale installed.  The server answers each request in its caller's
 * language on shared threads, and the command line must work on a machine with only C.UTF-8.  So the .mo
 * files msgfmt writes (format: GNU gettext manual, "The Format of GNU MO Files") are read here: a sorted
 * table of original strings, searched by bisection, with "context\004msgid" keys.  Everything else stays
 * gettext's: the .po files, msgfmt --check at build time, xgettext keywords (_, N_), and LANGUAGE/LC_ALL/
 * LC_MESSAGES/LANG for the command line.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"

#define MO_MAGIC 0x950412deu
#define MAX_LANGS 32

struct mo {
	const unsigned char *data;
	size_t len;
	uint32_t n, orig, trans; /* number of strings, offsets of the two tables */
	bool swap;               /* written on a machine of the other byte order */
	bool sorted;             /* originals in strcmp order: bisection works (msgfmt sorts; checked anyway) */
};

struct lang {
	char code[CB_LANG_MAX];
	struct mo msgs, countries;
	const char *name;
	bool rtl;
};

static struct lang langs[MAX_LANGS];
static int nlangs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Thread_local const struct lang *current;

static uint32_t u32(const struct mo *m, size_t off)
{
	const unsigned char *p = m->data + off;
	return m->swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		       : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* String i of table `table` (orig or trans), or NULL if it does not lie inside the file. */
static const char *mo_str(const struct mo *m, uint32_t table, uint32_t i)
{
	size_t at = (size_t)table + (size_t)i * 8;
	if (at + 8 > m->len)
		return NULL;
	uint32_t len = u32(m, at), off = u32(m, at + 4);
	if ((size_t)off + len >= m->len || m->data[(size_t)off + len] != 0)
		return NULL;
	return (const char *)m->data + off;
}

static int mo_open(struct mo *m, const unsigned char *data, size_t len)
{
	*m = (struct mo){.data = data, .len = len};
	if (len < 28)
		return -1;
	uint32_t magic = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
	if (magic != MO_MAGIC) {
		m->swap = true;
		if (u32(m, 0) != MO_MAGIC)
			return -1;
	}
	if (u32(m, 4) >> 16 > 1) /* major revision 0 or 1 */
		return -1;
	m->n = u32(m, 8);
	m->orig = u32(m, 12);
	m->trans = u32(m, 16);
	if (m->n > len / 8 || (size_t)m->orig + (size_t)m->n * 8 > len || (size_t)m->trans + (size_t)m->n * 8 > len)
		return -1;
	m->sorted = true;
	const char *prev = NULL;
	for (uint32_t i = 0; i < m->n; i++) {
		const char *s = mo_str(m, m->orig, i);
		if (!s || !mo_str(m, m->trans, i))
			return -1;
		if (prev && strcmp(prev, s) >= 0)
			m->sorted = false;
		prev = s;
	}
	return 0;
}

/* strcmp of a stored key against ctx "\004" id (ctx NULL: id alone), without building the joined key. */
static int key_cmp(const char *stored, const char *ctx, const char *id)
{
	const unsigned char *s = (const unsigned char *)stored;
	if (ctx) {
		for (const unsigned char *c = (const unsigned char *)ctx; *c; c++, s++)
			if (*s != *c)
				return *s - *c;
		if (*s != 4)
			return *s - 4;
		s++;
	}
	for (const unsigned char *c = (const unsigned char *)id;; c++, s++) {
		if (*s != *c)
			return *s - *c;
		if (!*c)
			return 0;
	}
}

static const char *mo_find(const struct mo *m, const char *ctx, const char *id)
{
	if (!m->data || !id)
		return NULL;
	uint32_t lo = 0, hi = m->n;
	if (!m->sorted) {
		for (uint32_t i = 0; i < m->n; i++)
			if (!key_cmp(mo_str(m, m->orig, i), ctx, id))
				return mo_str(m, m->trans, i);
		return NULL;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(mo_str(m, m->orig, mid), ctx, id);
		if (c == 0) {
			const char *t = mo_str(m, m->trans, mid);
			return t && *t ? t : NULL;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static struct lang *lang_slot(const char *code, size_t n)
{
	for (int i = 0; i < nlangs; i++)
		if (strlen(langs[i].code) == n && !strncmp(langs[i].code, code, n))
			return &langs[i];
	if (nlangs == MAX_LANGS || n == 0 || n >= CB_LANG_MAX)
		return NULL;
	struct lang *l = &langs[nlangs++];
	memcpy(l->code, code, n);
	l->code[n] = 0;
	return l;
}

static int lang_order(const void *a, const void *b)
{
	const struct lang *x = a, *y = b;
	bool ex = !strcmp(x->code, "en"), ey = !strcmp(y->code, "en");
	return ex != ey ? (ex ? -1 : 1) : strcmp(x->code, y->code);
}

static void load(void)
{
	lang_slot("en", 2); /* English is the msgids: always there, with or without a catalogue */
	for (size_t i = 0; i < cb_catalogue_nfiles; i++) {
		const struct cb_catalogue_file *f = &cb_catalogue_files[i];
		const char *base = f->path[0] == '/' ? f->path + 1 : f->path, *dot = strchr(base, '.');
		if (!dot)
			continue;
		struct lang *l = lang_slot(base, (size_t)(dot - base));
		if (!l)
			continue;
		struct mo *m = !strcmp(dot, ".countries.mo") ? &l->countries : !strcmp(dot, ".mo") ? &l->msgs : NULL;
		if (m && mo_open(m, f->data, f->len) != 0)
			*m = (struct mo){0};
	}
	qsort(langs, (size_t)nlangs, sizeof langs[0], lang_order);
	for (int i = 0; i < nlangs; i++) {
		const char *name = mo_find(&langs[i].msgs, "language", "English");
		const char *dir = mo_find(&langs[i].msgs, "language", "default:LTR");
		langs[i].name = name ? name : langs[i].code;
		langs[i].rtl = dir && !strcmp(dir, "default:RTL");
	}
	langs[0].name = langs[0].name && strcmp(langs[0].name, "en") ? langs[0].name : "English";
}

static const struct lang *lang_get(const char *code)
{
	pthread_once(&once, load);
	if (!code)
		return current ? current : &langs[0];
	for (int i = 0; i < nlangs; i++)
		if (!strcmp(langs[i].code, code))
			return &langs[i];
	return &langs[0];
}

int cb_lang_count(void)
{
	pthread_once(&once, load);
	return nlangs;
}

const char *cb_lang_code(int i)
{
	pthread_once(&once, load);
	return i >= 0 && i < nlangs ? langs[i].code : NULL;
}

const char *cb_lang_name(const char *lang) { return lang_get(lang)->name; }
bool cb_lang_rtl(const char *lang) { return lang_get(lang)->rtl; }

const char *cb_lang_find(const char *tag)
{
	pthread_once(&once, load);
	if (!tag)
		return NULL;
	char code[CB_LANG_MAX];
	size_t n = 0;
	for (; tag[n] && !strchr("-_.@:", tag[n]); n++) {
		char c = tag[n];
		if (n + 1 >= sizeof code || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return NULL;
		code[n] = (char)(c | 0x20);
	}
	code[n] = 0;
	for (int i = 0; i < nlangs && n; i++)
		if (!strcmp(langs[i].code, code))
			return langs[i].code;
	return NULL;
}

/* Accept-Language (RFC 9110 12.5.4): "fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5".  Read without copying: an
 * item is its tag up to ';' or ',', then parameters, of which only q counts.  q is read to three decimals
 * as an integer, so no locale or floating point is involved. */
const char *cb_lang_accept(const char *h)
{
	const char *best = NULL;
	int best_q = 0;
	while (h && *h) {
		while (*h == ' ' || *h == '\t' || *h == ',')
			h++;
		if (!*h)
			break;
		char tag[CB_LANG_MAX * 2];
		size_t n = 0;
		for (; *h && *h != ';' && *h != ',' && *h != ' ' && *h != '\t'; h++)
			if (n + 1 < sizeof tag)
				tag[n++] = *h;
		tag[n] = 0;
		int q = 1000;
		while (*h && *h != ',') {
			if (*h == ';') {
				h++;
				while (*h == ' ' || *h == '\t')
					h++;
				if ((h[0] == 'q' || h[0] == 'Q') && h[1] == '=') {
					h += 2;
					q = 0;
					int digits = 0, frac = 0;
					for (; (*h >= '0' && *h <= '9') || *h == '.'; h++) {
						if (*h == '.') {
							frac = 1;
							continue;
						}
						if (!frac)
							q = *h == '0' ? 0 : 1000;
						else if (digits < 3 && q < 1000)
							q += (*h - '0') * (digits == 0 ? 100 : digits == 1 ? 10 : 1), digits++;
					}
				}
				continue; /* at the parameter's first character, or the end */
			}
			h++;
		}
		const char *code = cb_lang_find(tag);
		if (code && q > best_q) {
			best = code;
			best_q = q;
		}
	}
	return best;
}

const char *cb_lang_from_env(void)
{
	const char *locale = NULL;
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0] && !locale; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			locale = v;
	}
	/* gettext: LANGUAGE is ignored in the C locale, whose messages are the program's own (English) */
	if (!locale || !strcmp(locale, "C") || !strcmp(locale, "POSIX"))
		return "en";
	const char *list = getenv("LANGUAGE");
	while (list && *list) {
		const char *code = cb_lang_find(list);
		if (code)
			return code;
		list = strchr(list, ':');
		if (list)
			list++;
	}
	const char *code = cb_lang_find(locale);
	return code ? code : "en";
}

void cb_lang_use(const char *lang)
{
	const struct lang *l = lang_get(lang ? lang : "en");
	current = l;
}

const char *cb_lang_current(void) { return lang_get(NULL)->code; }

const char *cb_tr_find(const char *lang, const char *ctx, const char *msgid)
{
	return mo_find(&lang_get(lang)->msgs, ctx, msgid);
}

const char *cb_tr(const char *lang, const char *ctx, const char *msgid)
{
	const char *t = cb_tr_find(lang, ctx, msgid);
	return t ? t : msgid;
}

/* The catalogue's own msgctxt "country" first: names iso-codes lacks in a language (Kosovo, some short
 * names) are given there. */
const char *cb_tr_country(const char *lang, const char *english)
{
	const struct lang *l = lang_get(lang);
	const char *t = mo_find(&l->msgs, "country", english);
	if (!t)
		t = mo_find(&l->countries, NULL, english);
	return t ? t : english;
}

int cb_tr_each(const char *lang, const char *ctx, int (*fn)(const char *msgid, const char *msgstr, void *arg),
	       void *arg)
{
	const struct mo *m = &lang_get(lang)->msgs;
	size_t cl = ctx ? strlen(ctx) : 0;
	for (uint32_t i = 0; i < m->n; i++) {
		const char *k = mo_str(m, m->orig, i), *v = mo_str(m, m->trans, i), *eot = strchr(k, 4);
		if (!*k || !*v)
			continue;
		if (ctx ? !(eot && (size_t)(eot - k) == cl && !strncmp(k, ctx, cl)) : eot != NULL)
			continue;
		int rc = fn(ctx ? eot + 1 : k, v, arg);
		if (rc)
			return rc;
	}
	return 0;
}
