/*
 * names.c -- folding names for comparison: case, accents and Cyrillic transliteration; a phonetic code per
 * name part; the significant digits of a phone number (names.h).
 *
 * The folding tables are written here by hand, once.  ICU's "Any-Latin; Latin-ASCII" transliterator could
 * do the folding, but it drags in 30 MB of data for a few hundred code points, and its Cyrillic romanisation
 * (ISO 9: "Ž", "Ŝ") is not how the people we serve have their names written in passports and by other
 * offices ("zh", "shch", the Ukrainian national system); iconv's //TRANSLIT depends on the locale and drops
 * Cyrillic altogether.  What matters is that every spelling of a name reaches the same letters, and that is
 * a table: Latin letters with diacritics (Latin-1, Latin Extended-A, Romanian comma-below letters, pinyin
 * tones, Vietnamese), Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Macedonian, Kazakh).  Greek and
 * other scripts are kept as they are written: they still match themselves.
 *
 * The phonetic code is a Soundex variant (Russell & Odell's letter classes) rather than Double Metaphone:
 * Metaphone's rules are English (and its "alternate" codes Germanic and Slavic spellings of English
 * sounds), a thousand lines of special cases, while the names here are transliterated from Romanian,
 * Ukrainian, Russian, Spanish, Vietnamese and others, where the differences that matter are the ones
 * transliteration makes: Chernov / Tchernov / Cernov, Yulia / Iulia / Julia, Ivanov / Ivanoff,
 * Tsvetkova / Cvetkova.  So, unlike Soundex, the first letter is coded like the others (it is where
 * transliterations differ most), j and y count as vowels, h, kh and gh are silent, t before s, z or c
 * and d before z or j are silent (ts, tz, tch, dz, dj are one sound), and the code keeps up to six digits.
 */
#include <string.h>

#include "crypto/names.h"

/* U+00C0..U+00FF, U+0100..U+017F: the base letter, lower case; '?' where the fold is longer (special()),
 * ' ' where the code point is not a letter. */
static const char latin1[] = "aaaaaa?ceeeeiiiidnooooo ouuuuy??"
			     "aaaaaa?ceeeeiiiidnooooo ouuuuy?y";
static const char latin_ext_a[] = "aaaaaacccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "??"
				  "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "??" "rrrrrr" "ssssssss" "tttttt"
				  "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
_Static_assert(sizeof latin1 - 1 == 64, "U+00C0..U+00FF");
_Static_assert(sizeof latin_ext_a - 1 == 128, "U+0100..U+017F");

/* U+1EA0..U+1EF9, Vietnamese: pairs (capital, small) of the same base letter. */
static const char vietnamese[] = "aaaaaaaaaaaa" "eeeeeeee" "ii" "oooooooooooo" "uuuuuuu" "yyyy";
_Static_assert(sizeof vietnamese - 1 == 45, "45 pairs");

/* U+0430..U+044F, small Cyrillic letters (capitals are 0x20 below): the Ukrainian and Russian passport
 * romanisations, where they differ the commoner one. */
static const char *const cyrillic[32] = {
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p",
	"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia",
};
/* U+0450..U+045F (capitals at U+0400..U+040F): Ukrainian, Belarusian, Serbian and Macedonian letters. */
static const char *const cyrillic_ext[16] = {
	"e", "e", "dj", "gj", "ie", "dz", "i", "i", "j", "lj", "nj", "c", "kj", "i", "u", "dz",
};

/* The fold of code point cp: a string of ASCII letters ("" to drop it), NULL when cp is not a letter (it
 * separates parts), or "*" when cp is a letter without a table (kept as written). */
static const char *fold_cp(uint32_t cp, char one[2])
{
	one[1] = 0;
	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z') {
			one[0] = (char)cp;
			return one;
		}
		if (cp >= 'A' && cp <= 'Z') {
			one[0] = (char)(cp - 'A' + 'a');
			return one;
		}
		return cp == '\'' || cp == '`' ? "" : NULL; /* O'Brien is obrien */
	}
	switch (cp) {
	case 0xC6: case 0xE6: return "ae";
	case 0xDE: case 0xFE: return "th";
	case 0xDF: return "ss";
	case 0x132: case 0x133: return "ij";
	case 0x152: case 0x153: return "oe";
	case 0x180: return "b";
	case 0x18F: case 0x259: return "e"; /* schwa: Azerbaijani */
	case 0x1A0: case 0x1A1: return "o";
	case 0x1AF: case 0x1B0: return "u";
	case 0x218: case 0x219: return "s"; /* Romanian comma below */
	case 0x21A: case 0x21B: return "t";
	case 0x2BC: case 0x2019: case 0x2BB: return ""; /* apostrophes */
	case 0x490: case 0x491: case 0x492: case 0x493: return "g";
	case 0x49A: case 0x49B: return "k";
	case 0x4A2: case 0x4A3: return "n";
	case 0x4AE: case 0x4AF: case 0x4B0: case 0x4B1: return "u";
	case 0x4BA: case 0x4BB: return "h";
	case 0x4D8: case 0x4D9: return "a";
	case 0x4E8: case 0x4E9: return "o";
	default: break;
	}
	if (cp >= 0xC0 && cp <= 0xFF) {
		one[0] = latin1[cp - 0xC0];
		return one[0] == ' ' ? NULL : one;
	}
	if (cp >= 0x100 && cp <= 0x17F) {
		one[0] = latin_ext_a[cp - 0x100];
		return one;
	}
	if (cp >= 0x1CD && cp <= 0x1DC) { /* pinyin: Ǎǎ Ǐǐ Ǒǒ Ǔǔ Ǖǖ Ǘǘ Ǚǚ Ǜǜ */
		one[0] = "aaiioouuuuuuuuuu"[cp - 0x1CD];
		return one;
	}
	if (cp >= 0x1EA0 && cp <= 0x1EF9) {
		one[0] = vietnamese[(cp - 0x1EA0) / 2];
		return one;
	}
	if (cp >= 0x410 && cp <= 0x42F)
		return cyrillic[cp - 0x410];
	if (cp >= 0x430 && cp <= 0x44F)
		return cyrillic[cp - 0x430];
	if (cp >= 0x400 && cp <= 0x40F)
		return cyrillic_ext[cp - 0x400];
	if (cp >= 0x450 && cp <= 0x45F)
		return cyrillic_ext[cp - 0x450];
	if (cp >= 0x300 && cp <= 0x36F)
		return ""; /* combining accents: "e" + U+0301 is "e" */
	/* punctuation and spaces of the other blocks separate parts */
	if ((cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F) ||
	    (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFE10 && cp <= 0xFE6F) ||
	    cp == 0xFEFF)
		return NULL;
	return "*";
}

/* Decodes one UTF-8 sequence at p (n bytes left): its length, or 0 if invalid (overlong, surrogate, beyond
 * U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t len = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] < 0xE0 ? 2 : 0;
	if (!len || len > n || (p[0] >= 0xF5))
		return 0;
	uint32_t v = p[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3F);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
		return 0;
	*cp = v;
	return len;
}

static void end_part(struct cb_name_parts *out, char *cur, size_t *len)
{
	if (*len == 0)
		return;
	cur[*len] = 0;
	*len = 0;
	for (int i = 0; i < out->n; i++)
		if (!strcmp(out->part[i], cur))
			return;
	if (out->n < CB_NAME_PARTS_MAX)
		memcpy(out->part[out->n++], cur, CB_NAME_PART_MAX);
}

void cb_name_fold(const char *text, size_t n, struct cb_name_parts *out)
{
	const unsigned char *p = (const unsigned char *)text;
	char cur[CB_NAME_PART_MAX], one[2];
	size_t len = 0;
	for (size_t i = 0; i < n && out->n < CB_NAME_PARTS_MAX;) {
		uint32_t cp = 0;
		size_t k = utf8_next(p + i, n - i, &cp);
		const char *f = k ? fold_cp(cp, one) : NULL;
		if (!k)
			k = 1; /* an invalid byte separates, like a space */
		if (!f) {
			end_part(out, cur, &len);
		} else {
			const char *add = f[0] == '*' && !f[1] ? (const char *)p + i : f;
			size_t alen = f[0] == '*' && !f[1] ? k : strlen(f);
			if (len + alen < CB_NAME_PART_MAX) { /* a longer part is cut, never in a character */
				memcpy(cur + len, add, alen);
				len += alen;
			}
		}
		i += k;
	}
	end_part(out, cur, &len);
	memset(cur, 0, sizeof cur);
}

/* Soundex classes of a..z: 0 for vowels (a e i o u, and j y), '-' for silent h, else the class digit. */
static const char classes[] = "01230120022455012623010202";
_Static_assert(sizeof classes - 1 == 26, "a..z");

static char class_of(char c)
{
	if (c < 'a' || c > 'z')
		return '-';
	if (c == 'h')
		return '-';
	if (c == 'j' || c == 'y')
		return '0';
	if (c == 'w')
		return '1';
	return classes[c - 'a'];
}

void cb_name_phonetic(const char *part, char out[CB_PHON_MAX])
{
	size_t o = 0;
	char last = 0;
	for (size_t i = 0; part[i] && o < 6; i++) {
		char c = part[i], next = part[i + 1];
		if (c == 'p' && next == 'h') { /* ph is f: same class, and h is silent anyway */
			c = 'f';
		} else if (c == 't' && (next == 's' || next == 'z' || next == 'c')) {
			continue;
		} else if (c == 'd' && (next == 'z' || next == 'j')) {
			continue;
		} else if ((c == 'k' || c == 'g') && next == 'h') {
			continue; /* kh, gh: the h of other romanisations (Olha, Olkha) */
		}
		char k = class_of(c);
		if (k == '-')
			continue; /* silent: does not separate a repeated class either */
		if (k == '0') {
			last = 0;
			continue;
		}
		if (k == last)
			continue;
		out[o++] = k;
		last = k;
	}
	if (o == 0)
		out[o++] = '0';
	out[o] = 0;
}

void cb_phone_digits(const char *text, char out[10])
{
	char d[64];
	size_t n = 0;
	for (const char *p = text; *p && n < sizeof d; p++)
		if (*p >= '0' && *p <= '9')
			d[n++] = *p;
	if (n < 6) {
		out[0] = 0;
	} else {
		size_t from = n > 8 ? n - 8 : 0;
		memcpy(out, d + from, n - from);
		out[n - from] = 0;
	}
	memset(d, 0, sizeof d);
}
