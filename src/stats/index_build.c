/*
 * index_build.c -- building the column index (index.c) from the store when the database is opened.
 *
 * The store streams the coded columns (store/scan.h), on several threads for a large database (see "building
 * from the store" below), and each row is decoded here.  Coded fields are stored as the text of their value
 * names; they are mapped through collision-free hash tables made once from the codebook, countries (stored
 * as alpha-2 codes) through a direct-indexed table.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "stats/stats_int.h"
#include "store/scan.h"

/* ---- value-name hash tables, one per value set, built once
 *
 * This runs for every coded cell when the index is built, so a lookup is made to cost a few instructions:
 * a name is read as its length and two words, its first and its last (up to) 8 bytes.  For a name of up to
 * 16 bytes those three say exactly which name it is, so a lookup is one probe and three compares; a longer
 * name also compares its middle.  The hash multiplier is chosen per value set so that the set's names land
 * in distinct slots. */

#define NT_CAP 256 /* 4 x the largest value set (64): room to find a collision-free multiplier */
struct name_slot {
	uint64_t w0, w1;  /* name_words() */
	const char *name; /* NULL: an empty slot */
	uint32_t len;
	int32_t value;
};
static struct name_slot name_tab[CB_VS__COUNT][NT_CAP];
static uint64_t name_mult[CB_VS__COUNT];
static pthread_once_t name_once = PTHREAD_ONCE_INIT;

/* Countries are stored as their alpha-2 code: country index + 1 by its two capital letters, 0 none. */
static uint16_t country2[26 * 26];

/* The first and last (up to) 8 bytes of p[0..n), n > 0, read without going past p + n. */
static inline void name_words(const char *p, size_t n, uint64_t *w0, uint64_t *w1)
{
	if (n >= 8) {
		memcpy(w0, p, 8);
		memcpy(w1, p + n - 8, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		*w0 = a;
		*w1 = b;
	} else {
		*w0 = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << 8 |
		      (uint64_t)(unsigned char)p[n - 1] << 16;
		*w1 = 0;
	}
}

static inline uint32_t name_hash(uint64_t w0, uint64_t w1, size_t n, uint64_t mult)
{
	return (uint32_t)(((w0 ^ (w1 * 0x9e3779b97f4a7c15ull) ^ n) * mult) >> 56); /* 8 bits: NT_CAP */
}

/* Slots the names of set s would collide on under mult. */
static int name_collisions(int s, uint64_t mult)
{
	uint8_t seen[NT_CAP] = {0};
	int c = 0;
	for (int v = 0; v < cb_vsets[s].count; v++) {
		const char *nm = cb_vsets[s].values[v].name;
		uint64_t w0, w1;
		size_t n = strlen(nm);
		name_words(nm, n, &w0, &w1);
		c += seen[name_hash(w0, w1, n, mult)]++ != 0;
	}
	return c;
}

static void name_build(void)
{
	for (int i = 0; i < cb_ncountries; i++) {
		const char *a2 = cb_countries[i].alpha2;
		if (a2[0] >= 'A' && a2[0] <= 'Z' && a2[1] >= 'A' && a2[1] <= 'Z' && !a2[2])
			country2[(a2[0] - 'A') * 26 + (a2[1] - 'A')] = (uint16_t)(i + 1);
	}
	for (int s = 0; s < CB_VS__COUNT; s++) {
		uint64_t best = 0xff51afd7ed558ccdull;
		int bc = name_collisions(s, best);
		for (uint64_t t = 1; t < 4096 && bc; t++) { /* odd multipliers until none collide */
			uint64_t m = best + 2 * t * 0xc4ceb9fe1a85ec53ull;
			int c = name_collisions(s, m);
			if (c < bc) {
				bc = c;
				best = m;
			}
		}
		name_mult[s] = best;
		for (int v = 0; v < cb_vsets[s].count; v++) { /* linear probing keeps any rare collision correct */
			const char *nm = cb_vsets[s].values[v].name;
			size_t len = strlen(nm);
			uint64_t w0, w1;
			name_words(nm, len, &w0, &w1);
			uint32_t h = name_hash(w0, w1, len, best);
			while (name_tab[s][h].name)
				h = (h + 1) & (NT_CAP - 1);
			name_tab[s][h] = (struct name_slot){w0, w1, nm, (uint32_t)len, v};
		}
	}
}

/* A spelling from another case convention: the slow path of name_lookup. */
static int name_lookup_nocase(int s, const char *p, size_t n)
{
	const struct cb_vset *vs = &cb_vsets[s];
	for (int v = 0; v < vs->count; v++)
		if (strlen(vs->values[v].name) == n && strncasecmp(vs->values[v].name, p, n) == 0)
			return v;
	return -1;
}

/* Value index of a stored name in set s, or -1 (then try name_lookup_nocase).  n > 0. */
static inline int name_lookup(int s, const char *p, size_t n)
{
	const struct name_slot *tab = name_tab[s];
	uint64_t w0, w1;
	name_words(p, n, &w0, &w1);
	uint32_t h = name_hash(w0, w1, n, name_mult[s]);
	while (tab[h].name) {
		if (tab[h].w0 == w0 && tab[h].w1 == w1 && tab[h].len == n &&
		    (n <= 16 || memcmp(tab[h].name + 8, p + 8, n - 16) == 0))
			return tab[h].value;
		h = (h + 1) & (NT_CAP - 1);
	}
	return -1;
}

/* ---- building from the store
 *
 * The store streams the rows of a range of seq (registration order) as cells (store/scan.h), which are
 * decoded straight into the index; each column's decoder is chosen once (struct dec), not per cell.  Slots
 * are laid out by seq: a range [lo, hi] owns slots lo - min .. hi - min, so on a machine with several cores
 * each thread fills its own region of the final arrays with no locking, with its own site dictionary, on its
 * own reader of one snapshot.  Afterwards the regions are closed up (erased cases leave gaps in seq) and the
 * sites renumbered in order of first sight, which is exactly the numbering one thread reading in seq order
 * gives: both builds give the same index.
 *
 * The threads must read as many rows as the snapshot counted (a case erased between the readers' BEGINs
 * would be missing), else the build is tried once more and then done on one thread.  A case updated in place
 * in that window of microseconds is read as of either commit.  One thread for small databases, one core, or
 * whatever the store allows (scan.h).  CASEBANK_INDEX_THREADS=N forces N threads. */

#define BUILD_MIN_PAR 50000 /* cases below which threads cost more than they save */
#define BUILD_MAX_THREADS 8

enum dec_kind { DK_INT, DK_NAME, DK_COUNTRY, DK_MULTI, DK_SITE };

struct dec {
	uint8_t kind, width;
	int field, set; /* set: value set (DK_NAME, DK_MULTI) */
	int lo, hi;     /* DK_INT */
	uint32_t off;   /* DK_INT, DK_NAME, DK_COUNTRY: where its codes' counts start in a part's `count` */
};

struct plan {
	const struct cb_field *fields[CB_NFIELDS]; /* the columns read, in dec order */
	struct dec dec[CB_NFIELDS];
	int ndec;
	uint32_t ncount; /* entries of a part's `count` */
};

/* One thread's share of a build. */
struct part {
	struct cb_index *ix;   /* the arrays being filled */
	struct cb_index *dict; /* the site dictionary: ix itself on one thread, a private one per thread */
	const struct plan *pl;
	struct cb_store_snapshot *sn;
	int reader;      /* the snapshot's reader this part reads on */
	int64_t lo, hi;  /* seq range */
	uint32_t base;   /* slot of seq lo */
	uint32_t n;      /* slots filled from base */
	int64_t rows;    /* rows read */
	/* the last site name seen and its code: rows come in registration order, mostly a run per office */
	char site[65];
	size_t site_len;
	uint32_t site_code;
	void *data[CB_NFIELDS]; /* the plan's columns' arrays, in plan order */
	/* counted cases per code of the single-valued columns (dec.off), and per site code of dict (site_cap
	 * entries): counted as the rows are read rather than in a pass over the whole index afterwards */
	uint32_t *count, *site_count, site_cap;
	int rc;
	struct cb_err err;
};

/* consent_statistics is read first, then the index's columns. */
static int plan_make(const struct cb_index *ix, struct plan *pl)
{
	pl->fields[0] = &cb_fields[CB_FLD_consent_statistics];
	for (int f = 0; f < CB_NFIELDS; f++) {
		if (!ix->col[f].used)
			continue;
		const struct cb_field *fd = &cb_fields[f];
		struct dec *d = &pl->dec[pl->ndec++];
		*d = (struct dec){.width = ix->col[f].width, .field = f, .lo = fd->lo, .hi = fd->hi,
				  .set = fd->vset ? (int)(fd->vset - cb_vsets) : -1};
		switch (fd->kind) {
		case CB_INT: d->kind = DK_INT; break;
		case CB_COUNTRY: d->kind = DK_COUNTRY; break;
		case CB_MULTI: d->kind = DK_MULTI; break;
		case CB_SITE: d->kind = DK_SITE; break;
		default: d->kind = DK_NAME;
		}
		if ((d->kind == DK_NAME || d->kind == DK_MULTI) && d->set < 0)
			return CB_EINVAL;
		if (d->kind != DK_MULTI && d->kind != DK_SITE) {
			d->off = pl->ncount;
			pl->ncount += ix->col[f].ncodes;
		}
		pl->fields[pl->ndec] = fd;
	}
	return CB_OK;
}

static uint32_t multi_code(int set, const char *p, size_t n)
{
	uint32_t bits = 0;
	for (size_t i = 0; i < n;) {
		const char *sep = memchr(p + i, ';', n - i);
		size_t j = sep ? (size_t)(sep - p) : n;
		size_t a = i, b = j;
		while (a < b && p[a] == ' ')
			a++;
		while (b > a && p[b - 1] == ' ')
			b--;
		int v = b > a ? name_lookup(set, p + a, b - a) : -1;
		if (v < 0 && b > a)
			v = name_lookup_nocase(set, p + a, b - a);
		if (v >= 0)
			bits |= 1u << v;
		i = j + 1;
	}
	return bits;
}

/* Code of a stored text value (p NUL-terminated, n > 0; an unknown name counts as not recorded). */
static inline int text_code(struct part *pt, const struct dec *d, const char *p, size_t n, uint32_t *code)
{
	*code = 0;
	switch (d->kind) {
	case DK_NAME: {
		int v = name_lookup(d->set, p, n);
		if (v < 0)
			v = name_lookup_nocase(d->set, p, n);
		*code = v < 0 ? 0 : (uint32_t)v + 1;
		return CB_OK;
	}
	case DK_MULTI: *code = multi_code(d->set, p, n); return CB_OK;
	case DK_SITE: {
		if (n == pt->site_len && memcmp(pt->site, p, n) == 0) {
			*code = pt->site_code;
			return CB_OK;
		}
		int rc = cb_index_site_code(pt->dict, p, n, code);
		if (rc == CB_OK && n < sizeof pt->site) {
			memcpy(pt->site, p, n);
			pt->site_len = n;
			pt->site_code = *code;
		}
		return rc;
	}
	case DK_COUNTRY: {
		unsigned a = (unsigned char)p[0] - 'A', b = n == 2 ? (unsigned char)p[1] - 'A' : 26;
		if (a < 26 && b < 26 && country2[a * 26 + b]) {
			*code = country2[a * 26 + b];
			return CB_OK;
		}
		int32_t i = n > 3 ? CB_NA : cb_country_find(p); /* alpha-3, small letters */
		*code = i == CB_NA ? 0 : (uint32_t)i + 1;
		return CB_OK;
	}
	default: { /* DK_INT stored as text */
		long v = 0;
		for (size_t i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9' || v > 100000)
				return CB_OK;
			v = v * 10 + (p[i] - '0');
		}
		*code = v < d->lo || v > d->hi ? 0 : (uint32_t)(v - d->lo) + 1;
		return CB_OK;
	}
	}
}

static bool text_yes(const unsigned char *p, int n)
{
	return (n == 3 && strncasecmp((const char *)p, "yes", 3) == 0) ||
	       (n == 4 && strncasecmp((const char *)p, "true", 4) == 0) || (n == 1 && p[0] == '1');
}

/* The case id of the current row into id; false for a row the index cannot address. */
static bool row_id(const struct cb_scan_cell *v, uint8_t id[16])
{
	if (v->type == CB_SCAN_BLOB && v->n == 16) {
		memcpy(id, v->p, 16);
		return true;
	}
	return v->type == CB_SCAN_TEXT && cb_case_id_parse(v->p, id) == CB_OK;
}

/* Room in a part's site counts for site code `code`. */
static int site_count_grow(struct part *pt, uint32_t code)
{
	uint32_t cap = pt->site_cap ? pt->site_cap : 64;
	while (cap <= code)
		cap *= 2;
	uint32_t *p = realloc(pt->site_count, (size_t)cap * sizeof *p);
	if (!p)
		return CB_ENOMEM;
	memset(p + pt->site_cap, 0, (size_t)(cap - pt->site_cap) * sizeof *p);
	pt->site_count = p;
	pt->site_cap = cap;
	return CB_OK;
}

/* Decodes one row (v: case_id, record_key, consent_statistics, then the plan's columns) into the next slot. */
static int scan_row(struct part *pt, const struct cb_scan_cell *v)
{
	struct cb_index *ix = pt->ix;
	const struct plan *pl = pt->pl;
	pt->rows++;
	if ((uint64_t)pt->n >= (uint64_t)(pt->hi - pt->lo + 1)) /* cannot happen: seq is unique */
		return pt->rc = cb_err_set(&pt->err, CB_ECORRUPT, "statistics index: more rows than seq numbers");
	uint32_t slot = pt->base + pt->n;
	if (!row_id(&v[0], ix->id[slot]))
		return CB_OK; /* not a case the index can address; the slot is reused */
	pt->n++;
	ix->rkey[slot] = (uint8_t)((v[1].type == CB_SCAN_INT ? v[1].i : 0) & 0xff);
	bool yes;
	if (v[2].type == CB_SCAN_INT)
		yes = v[2].i != 0;
	else
		yes = v[2].type == CB_SCAN_TEXT && text_yes((const unsigned char *)v[2].p, (int)v[2].n);
	ix->flags[slot] = (uint8_t)(CB_IX_LIVE | (yes ? CB_IX_CONSENT : 0));
	bool counted = yes || !ix->require_consent;
	for (int k = 0; k < pl->ndec; k++) {
		const struct dec *d = &pl->dec[k];
		const struct cb_scan_cell *x = &v[3 + k];
		uint32_t code = 0;
		if (d->kind == DK_INT && x->type == CB_SCAN_INT) {
			int64_t i = x->i;
			code = i < d->lo || i > d->hi ? 0 : (uint32_t)(i - d->lo) + 1;
		} else if (x->type == CB_SCAN_INT) { /* a coded column holding a number: read as its text */
			char num[24];
			int n = snprintf(num, sizeof num, "%lld", (long long)x->i);
			if ((pt->rc = text_code(pt, d, num, (size_t)n, &code)))
				return cb_err_field(&pt->err, pt->rc, cb_fields[d->field].name,
						    "statistics index: too many values of %s", cb_fields[d->field].name);
		} else if (x->type == CB_SCAN_TEXT && x->n > 0) { /* NULL: not recorded */
			if ((pt->rc = text_code(pt, d, x->p, x->n, &code)))
				return cb_err_field(&pt->err, pt->rc, cb_fields[d->field].name,
						    "statistics index: too many values of %s", cb_fields[d->field].name);
		}
		switch (d->width) {
		case 1: ((uint8_t *)pt->data[k])[slot] = (uint8_t)code; break;
		case 2: ((uint16_t *)pt->data[k])[slot] = (uint16_t)code; break;
		default: ((uint32_t *)pt->data[k])[slot] = code; break;
		}
		if (!counted || d->kind == DK_MULTI)
			continue;
		if (d->kind != DK_SITE)
			pt->count[d->off + code]++;
		else if (code < pt->site_cap || site_count_grow(pt, code) == CB_OK)
			pt->site_count[code]++;
		else
			return pt->rc = cb_err_set(&pt->err, CB_ENOMEM, "statistics index: out of memory");
	}
	return CB_OK;
}

/* Adds a part's counts to the index's presence counts; map: the part's site codes to the index's (NULL: the
 * same). */
static void part_counts_add(struct cb_index *ix, const struct part *pt, const uint32_t *map)
{
	const struct plan *pl = pt->pl;
	for (int k = 0; k < pl->ndec; k++) {
		const struct dec *d = &pl->dec[k];
		struct cb_icol *c = &ix->col[d->field];
		if (d->kind != DK_MULTI && d->kind != DK_SITE)
			for (uint32_t i = 0; i < c->ncodes; i++)
				c->present[i] += pt->count[d->off + i];
	}
	uint32_t *site = ix->col[CB_FLD_site].present;
	for (uint32_t i = 0; i < pt->site_cap && i <= pt->dict->nsites; i++)
		site[map ? map[i] : i] += pt->site_count[i];
}

/* The counted bits from the flags, after the slots are laid out. */
static void counted_bits(struct cb_index *ix)
{
	memset(ix->counted, 0, ((size_t)ix->cap + 63) / 64 * 8);
	for (uint32_t s = 0; s < ix->n; s++)
		if (cb_index_counts(ix, s))
			ix->counted[s / 64] |= 1ull << (s % 64);
}

/* The scan's callback: one row into the part's next slot. */
static int row_cb(void *ctx, const struct cb_scan_cell *cells)
{
	return scan_row(ctx, cells);
}

/* Reads the rows of one seq range into slots base, base + 1, ...  A thread's body (void * for pthreads). */
static void *part_scan(void *arg)
{
	struct part *pt = arg;
	if (!(pt->count = calloc(pt->pl->ncount + 1, sizeof *pt->count))) {
		pt->rc = cb_err_set(&pt->err, CB_ENOMEM, "statistics index: out of memory");
		goto out;
	}
	for (int k = 0; k < pt->pl->ndec; k++)
		pt->data[k] = pt->ix->col[pt->pl->dec[k].field].data;
	struct cb_err err = {0};
	int rc = cb_store_snapshot_scan(pt->sn, pt->reader, pt->pl->fields, pt->pl->ndec + 1, pt->lo, pt->hi, row_cb,
					pt, NULL, &err);
	if (rc && !pt->rc) { /* the store's failure (a stop of scan_row's own has its message in pt->err) */
		pt->rc = rc;
		pt->err = err;
	}
out:
	return NULL;
}

/* Allocates exactly cap slots (at least one) for a fresh index, not zeroed: the build writes every slot it
 * keeps and trims the rest (slots_trim). */
static int slots_alloc(struct cb_index *ix, uint32_t cap)
{
	if (!cap)
		cap = 1;
	free(ix->flags);
	free(ix->rkey);
	free(ix->id);
	free(ix->counted);
	ix->flags = malloc(cap);
	ix->rkey = malloc(cap);
	ix->id = malloc((size_t)cap * 16);
	ix->counted = calloc(((size_t)cap + 63) / 64, 8);
	bool ok = ix->flags && ix->rkey && ix->id && ix->counted;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used) {
			free(ix->col[f].data);
			ok &= (ix->col[f].data = malloc((size_t)cap * ix->col[f].width)) != NULL;
		}
	ix->cap = cap;
	ix->n = 0;
	return ok ? CB_OK : CB_ENOMEM;
}

/* Shrinks the arrays to the ix->n slots filled (a smaller block: realloc cannot fail in a way that loses it). */
static void slots_trim(struct cb_index *ix)
{
	if (ix->n == ix->cap || ix->n == 0)
		return;
	void *p;
	size_t n = ix->n;
	if ((p = realloc(ix->flags, n)))
		ix->flags = p;
	if ((p = realloc(ix->rkey, n)))
		ix->rkey = p;
	if ((p = realloc(ix->id, n * 16)))
		ix->id = p;
	if ((p = realloc(ix->counted, (n + 63) / 64 * 8)))
		ix->counted = p;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used && (p = realloc(ix->col[f].data, n * ix->col[f].width)))
			ix->col[f].data = p;
	ix->cap = ix->n;
}

/* Moves n slots from `from` down to `to` in every array. */
static void slots_move(struct cb_index *ix, uint32_t to, uint32_t from, uint32_t n)
{
	memmove(ix->flags + to, ix->flags + from, n);
	memmove(ix->rkey + to, ix->rkey + from, n);
	memmove(ix->id[to], ix->id[from], (size_t)n * 16);
	for (int f = 0; f < CB_NFIELDS; f++) {
		struct cb_icol *c = &ix->col[f];
		if (c->used)
			memmove((char *)c->data + (size_t)to * c->width, (char *)c->data + (size_t)from * c->width,
				(size_t)n * c->width);
	}
}

static int build_single(struct cb_store_snapshot *sn, const struct cb_store_span *sp, struct cb_index *ix,
			const struct plan *pl, struct cb_err *err)
{
	int64_t span = sp->hi - sp->lo + 1;
	if (span < 0)
		span = 0;
	if (span > UINT32_MAX / 2)
		return cb_err_set(err, CB_EINVAL, "statistics index: too many cases (%lld)", (long long)span);
	if (slots_alloc(ix, (uint32_t)span))
		return cb_err_set(err, CB_ENOMEM, "statistics index: out of memory for %lld cases", (long long)span);
	struct part pt = {.ix = ix, .dict = ix, .pl = pl, .sn = sn, .lo = sp->lo, .hi = sp->hi};
	part_scan(&pt);
	if (pt.rc)
		*err = pt.err;
	else
		part_counts_add(ix, &pt, NULL);
	ix->n = pt.n;
	free(pt.count);
	free(pt.site_count);
	return pt.rc;
}

/* Closes up the parts' regions and renumbers their sites into ix's dictionary in order of first sight. */
static int parts_merge(struct cb_index *ix, struct part *pt, int nt, struct cb_err *err)
{
	uint16_t *site = ix->col[CB_FLD_site].data;
	uint32_t n = 0, *map = NULL;
	int rc = CB_OK;
	for (int t = 0; t < nt; t++) {
		if (pt[t].base != n)
			slots_move(ix, n, pt[t].base, pt[t].n);
		bool same = true;
		free(map);
		if (!(map = malloc(((size_t)pt[t].dict->nsites + 1) * sizeof *map))) {
			rc = cb_err_set(err, CB_ENOMEM, "statistics index: out of memory");
			goto out;
		}
		map[0] = 0;
		for (uint32_t i = 0; i < pt[t].dict->nsites; i++) {
			const char *nm = pt[t].dict->sites[i];
			if ((rc = cb_index_site_code(ix, nm, strlen(nm), &map[i + 1]))) {
				rc = cb_err_field(err, rc, "site", "statistics index: too many values of site");
				goto out;
			}
			same &= map[i + 1] == i + 1;
		}
		if (!same)
			for (uint32_t s = n; s < n + pt[t].n; s++)
				site[s] = (uint16_t)map[site[s]];
		part_counts_add(ix, &pt[t], map);
		n += pt[t].n;
	}
	ix->n = n;
out:
	free(map);
	return rc;
}

/* The build on the snapshot's readers, one thread each; *again when they did not read the rows it counted. */
static int build_parallel(struct cb_store_snapshot *sn, const struct cb_store_span *sp, struct cb_index *ix,
			  const struct plan *pl, bool *again, struct cb_err *err)
{
	struct part pt[BUILD_MAX_THREADS] = {0};
	pthread_t th[BUILD_MAX_THREADS];
	bool started[BUILD_MAX_THREADS] = {0};
	int nt = sp->readers < BUILD_MAX_THREADS ? sp->readers : BUILD_MAX_THREADS;
	int rc = CB_EDB;
	*again = false;
	int64_t span = sp->hi - sp->lo + 1;
	if (span > UINT32_MAX / 2 || span < nt) /* too many for a uint32 slot, or too few to split */
		goto out;
	if ((rc = slots_alloc(ix, (uint32_t)span)))
		goto out;
	for (int t = 0; t < nt; t++) {
		pt[t].ix = ix;
		pt[t].pl = pl;
		pt[t].sn = sn;
		pt[t].reader = t;
		pt[t].lo = sp->lo + span * t / nt;
		pt[t].hi = sp->lo + span * (t + 1) / nt - 1;
		pt[t].base = (uint32_t)(pt[t].lo - sp->lo);
		if (!(pt[t].dict = calloc(1, sizeof *pt[t].dict))) {
			rc = CB_ENOMEM;
			goto out;
		}
	}
	for (int t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, part_scan, &pt[t]) == 0;
	part_scan(&pt[0]);
	int64_t rows = pt[0].rows;
	for (int t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			part_scan(&pt[t]); /* no thread to be had: read it here */
		rows += pt[t].rows;
	}
	for (int t = 0; t < nt; t++)
		if (pt[t].rc) {
			*err = pt[t].err;
			rc = pt[t].rc;
			goto out;
		}
	if (rows != sp->count) {
		*again = true;
		rc = CB_ECONFLICT;
		goto out;
	}
	rc = parts_merge(ix, pt, nt, err);
out:
	for (int t = 0; t < nt; t++) {
		cb_index_free(&pt[t].dict);
		free(pt[t].count);
		free(pt[t].site_count);
	}
	return rc;
}

/* Threads for a build over `span` seq numbers (the store may allow fewer). */
static int build_threads(int64_t span)
{
	const char *e = getenv("CASEBANK_INDEX_THREADS");
	int nt;
	if (e && *e) {
		nt = atoi(e);
	} else {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		nt = span < BUILD_MIN_PAR ? 1 : cpus > BUILD_MAX_THREADS ? BUILD_MAX_THREADS : (int)cpus;
	}
	return nt < 1 ? 1 : nt > BUILD_MAX_THREADS ? BUILD_MAX_THREADS : nt;
}

int cb_index_build(struct cb_store *s, struct cb_index **out, struct cb_err *err)
{
	struct cb_index *ix = NULL;
	struct cb_store_snapshot *sn = NULL;
	struct cb_store_span sp;
	struct plan pl = {0};
	int rc;
	*out = NULL;
	pthread_once(&name_once, name_build);
	if ((rc = cb_index_new(&ix)) || (rc = plan_make(ix, &pl))) {
		rc = cb_err_set(err, rc, "statistics index: %s", cb_rc_str(rc));
		goto out;
	}
	char *pol = NULL;
	if (cb_store_meta_get(s, "stats.require_consent", &pol) == CB_OK)
		ix->require_consent = !(strcmp(pol, "no") == 0 || strcmp(pol, "off") == 0 || strcmp(pol, "0") == 0);
	free(pol);

	if ((rc = cb_store_snapshot_open(s, 1, &sn, &sp, err)))
		goto out;
	cb_store_snapshot_free(&sn);
	int nt = build_threads(sp.hi - sp.lo + 1);
	bool again = nt > 1;
	rc = CB_EDB;
	for (int attempt = 0; attempt < 2 && again; attempt++) {
		struct cb_err perr = {0};
		again = false;
		if (cb_store_snapshot_open(s, nt, &sn, &sp, &perr) == CB_OK && sp.readers > 1)
			rc = build_parallel(sn, &sp, ix, &pl, &again, &perr);
		cb_store_snapshot_free(&sn);
	}
	nt = rc ? 1 : sp.readers;
	if (rc) { /* one thread, on the store's connection, into a fresh index; it reports any error that remains */
		bool req = ix->require_consent;
		cb_index_free(&ix);
		if ((rc = cb_index_new(&ix))) {
			rc = cb_err_set(err, rc, "statistics index: %s", cb_rc_str(rc));
			goto out;
		}
		ix->require_consent = req;
		if ((rc = cb_store_snapshot_open(s, 1, &sn, &sp, err)) || (rc = build_single(sn, &sp, ix, &pl, err)))
			goto out;
	}
	ix->build_threads = (uint8_t)nt;
	slots_trim(ix);
	ix->live = ix->n;
	counted_bits(ix);
	*out = ix;
	ix = NULL;
	rc = CB_OK;
out:
	cb_store_snapshot_free(&sn);
	cb_index_free(&ix);
	return rc;
}
