/*
 * index.c -- the in-memory column index the statistics read: per case one small integer per coded
 * dimension (uint8/uint16), the value set of each multi-valued dimension as bits, the secret record key,
 * a consent flag and the case id (for upserts).  About 55 bytes a case.
 *
 * Built with a SELECT over the store's coded columns, on several threads for a large database (see
 * "building from the store"); value names are mapped through collision-free hash tables made once from the
 * codebook, countries through the codebook's direct-indexed table.  A resident
 * server keeps the index and calls cb_index_upsert/cb_index_remove on every write; removed slots are
 * reused.  `counted` (live and consenting, as the policy says) and per-code presence counts are kept up to
 * date so that a query never scans for them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "stats/stats_int.h"

/* ---- dimensions */

int cb_dim_find(const char *name)
{
	if (!name)
		return -1;
	if (strcmp(name, "citizenship_region") == 0)
		return CB_DIM_CITIZENSHIP_REGION;
	if (strcmp(name, "destination_region") == 0)
		return CB_DIM_DESTINATION_REGION;
	const struct cb_field *f = cb_field_find(name);
	return f && (f->flags & CB_F_DIM) ? (int)f->id : -1;
}

const char *cb_dim_name(int dim)
{
	if (dim == CB_DIM_CITIZENSHIP_REGION)
		return "citizenship_region";
	if (dim == CB_DIM_DESTINATION_REGION)
		return "destination_region";
	return dim >= 0 && dim < CB_NFIELDS ? cb_fields[dim].name : "?";
}

const char *cb_dim_label(int dim)
{
	if (dim == CB_DIM_CITIZENSHIP_REGION)
		return "Region of citizenship";
	if (dim == CB_DIM_DESTINATION_REGION)
		return "Region of exploitation";
	return dim >= 0 && dim < CB_NFIELDS ? cb_fields[dim].label : "?";
}

int cb_dim_field(int dim)
{
	if (dim == CB_DIM_CITIZENSHIP_REGION)
		return CB_FLD_citizenship;
	if (dim == CB_DIM_DESTINATION_REGION)
		return CB_FLD_destination_country;
	return dim;
}

bool cb_dim_is_multi(int dim)
{
	return dim >= 0 && dim < CB_NFIELDS && cb_fields[dim].kind == CB_MULTI;
}

const char *cb_dim_list(char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int d = 0; d < CB_DIM__END && o < n; d++)
		if (d >= CB_NFIELDS || (cb_fields[d].flags & CB_F_DIM))
			o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? ", " : "", cb_dim_name(d));
	return buf;
}

uint32_t cb_region_of_code(uint32_t country_code)
{
	if (country_code == 0)
		return 0;
	int r = cb_country_region((int32_t)country_code - 1);
	return r == CB_NA ? 0 : (uint32_t)r + 1;
}

/* ---- value-name hash tables, one per value set, built once */

#define NT_CAP 256 /* 4 x the largest value set (64): room to find a collision-free multiplier */
struct name_slot {
	const char *name;
	uint16_t len;
	int16_t value;
};
static struct name_slot name_tab[CB_VS__COUNT][NT_CAP];
static pthread_once_t name_once = PTHREAD_ONCE_INIT;

static uint32_t fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* A hash of a value name from its length and three of its bytes, times a multiplier chosen per value set
 * so that the set's names land in distinct slots: a lookup is then one probe and one memcmp (this runs for
 * every coded cell when the index is built).  n > 0. */
static uint32_t name_mult[CB_VS__COUNT];
static uint32_t name_hash(const char *p, size_t n, uint32_t mult)
{
	uint32_t k = (uint32_t)n ^ (uint32_t)(unsigned char)p[0] << 8 ^ (uint32_t)(unsigned char)p[n - 1] << 16 ^
		     (uint32_t)(unsigned char)p[n / 2] << 24;
	return (k * mult) >> 24; /* 8 bits: NT_CAP */
}

/* Slots the names of set s would collide on under mult. */
static int name_collisions(int s, uint32_t mult)
{
	uint8_t seen[NT_CAP] = {0};
	int c = 0;
	for (int v = 0; v < cb_vsets[s].count; v++) {
		const char *nm = cb_vsets[s].values[v].name;
		c += seen[name_hash(nm, strlen(nm), mult)]++ != 0;
	}
	return c;
}

static void name_build(void)
{
	for (int s = 0; s < CB_VS__COUNT; s++) {
		uint32_t best = 0x9e3779b1u;
		int bc = name_collisions(s, best);
		for (uint32_t t = 1; t < 4096 && bc; t++) { /* odd multipliers until none collide */
			uint32_t m = 0x9e3779b1u + 2 * t * 0x5bd1e995u;
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
			uint32_t h = name_hash(nm, len, best);
			while (name_tab[s][h].name)
				h = (h + 1) & (NT_CAP - 1);
			name_tab[s][h] = (struct name_slot){nm, (uint16_t)len, (int16_t)v};
		}
	}
}

/* Value index of a stored name in set s, or -1.  n > 0. */
static int name_lookup(int s, const char *p, size_t n)
{
	const struct cb_vset *vs = &cb_vsets[s];
	for (uint32_t h = name_hash(p, n, name_mult[s]); name_tab[s][h].name; h = (h + 1) & (NT_CAP - 1))
		if (name_tab[s][h].len == n && memcmp(name_tab[s][h].name, p, n) == 0)
			return name_tab[s][h].value;
	for (int v = 0; v < vs->count; v++) /* a spelling from another case convention */
		if (strlen(vs->values[v].name) == n && strncasecmp(vs->values[v].name, p, n) == 0)
			return v;
	return -1;
}

/* ---- allocation */

static int col_init(struct cb_icol *c, const struct cb_field *f)
{
	c->used = true;
	switch (f->kind) {
	case CB_ENUM:
	case CB_BOOL: c->ncodes = (uint32_t)f->vset->count + 1; break;
	case CB_COUNTRY: c->ncodes = (uint32_t)cb_ncountries + 1; break;
	case CB_INT: c->ncodes = (uint32_t)(f->hi - f->lo) + 2; break;
	case CB_SITE: c->ncodes = 1; c->width = 2; break;
	case CB_MULTI:
		c->multi = true;
		c->ncodes = (uint32_t)f->vset->count;
		c->width = c->ncodes <= 8 ? 1 : c->ncodes <= 16 ? 2 : 4;
		return c->ncodes <= 32 ? CB_OK : CB_EINVAL;
	default: return CB_EINVAL;
	}
	if (!c->width)
		c->width = c->ncodes <= 256 ? 1 : 2;
	if (c->ncodes > 65536)
		return CB_EINVAL;
	c->present = calloc(c->ncodes, sizeof *c->present);
	return c->present ? CB_OK : CB_ENOMEM;
}

int cb_index_new(struct cb_index **out)
{
	int rc = CB_ENOMEM;
	struct cb_index *ix = calloc(1, sizeof *ix);
	*out = NULL;
	if (!ix)
		return CB_ENOMEM;
	pthread_once(&name_once, name_build);
	ix->require_consent = true;
	for (int f = 0; f < CB_NFIELDS; f++)
		if ((cb_fields[f].flags & CB_F_DIM) && (rc = col_init(&ix->col[f], &cb_fields[f])) != CB_OK)
			goto out;
	rc = CB_OK;
	*out = ix;
	ix = NULL;
out:
	cb_index_free(&ix);
	return rc;
}

void cb_index_free(struct cb_index **pix)
{
	struct cb_index *ix = *pix;
	if (!ix)
		return;
	for (int f = 0; f < CB_NFIELDS; f++) {
		free(ix->col[f].data);
		free(ix->col[f].present);
	}
	if (ix->rkey) /* secret: do not leave the keys in freed memory */
		memset(ix->rkey, 0, ix->cap);
	free(ix->flags);
	free(ix->rkey);
	free(ix->id);
	free(ix->counted);
	free(ix->hash);
	free(ix->freelist);
	for (uint32_t i = 0; i < ix->nsites; i++)
		free(ix->sites[i]);
	free(ix->sites);
	free(ix->sitehash);
	free(ix);
	*pix = NULL;
}

static int grow(void **p, size_t old, size_t new, size_t elem)
{
	void *q = realloc(*p, new * elem);
	if (!q)
		return CB_ENOMEM;
	memset((char *)q + old * elem, 0, (new - old) * elem);
	*p = q;
	return CB_OK;
}

static uint32_t id_hash(const uint8_t id[16])
{
	uint64_t a, b;
	memcpy(&a, id, 8);
	memcpy(&b, id + 8, 8);
	return (uint32_t)(((a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull) >> 32);
}

/* The id table has any number of slots (not a power of two: that alone would cost up to 5 bytes a case), a
 * hash is mapped onto them by multiplication, and probing wraps at the end. */
static uint32_t id_home(const struct cb_index *ix, const uint8_t id[16])
{
	return (uint32_t)(((uint64_t)id_hash(id) * ix->hcap) >> 32);
}

static uint32_t id_next(const struct cb_index *ix, uint32_t k)
{
	return k + 1 == ix->hcap ? 0 : k + 1;
}

static int rehash(struct cb_index *ix, uint32_t hcap)
{
	uint32_t *h = calloc(hcap, sizeof *h);
	if (!h)
		return CB_ENOMEM;
	free(ix->hash);
	ix->hash = h;
	ix->hcap = hcap;
	for (uint32_t s = 0; s < ix->n; s++) {
		if (!(ix->flags[s] & CB_IX_LIVE))
			continue;
		uint32_t k = id_home(ix, ix->id[s]);
		while (h[k])
			k = id_next(ix, k);
		h[k] = s + 1;
	}
	return CB_OK;
}

/* The id table is built on the first upsert or removal: a one-off `casebank stats` never needs it.  At most
 * 80% full (a slot per case, so never more ids than slots), which keeps linear probing short. */
static int ensure_hash(struct cb_index *ix)
{
	uint64_t hcap = (uint64_t)ix->cap + ix->cap / 4 + 16;
	if (hcap > UINT32_MAX)
		return CB_ENOMEM;
	return hcap > ix->hcap ? rehash(ix, (uint32_t)hcap) : CB_OK;
}

/* Makes room for `cap` slots. */
static int reserve(struct cb_index *ix, uint32_t cap)
{
	if (cap <= ix->cap)
		return CB_OK;
	uint32_t old = ix->cap;
	size_t ow = ((size_t)old + 63) / 64, nw = ((size_t)cap + 63) / 64;
	if (grow((void **)&ix->flags, old, cap, 1) || grow((void **)&ix->rkey, old, cap, 1) ||
	    grow((void **)&ix->id, old, cap, 16) || grow((void **)&ix->counted, ow, nw, 8))
		return CB_ENOMEM;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used && grow(&ix->col[f].data, old, cap, ix->col[f].width))
			return CB_ENOMEM;
	ix->cap = cap;
	return ix->hash ? ensure_hash(ix) : CB_OK;
}

/* Slot of an id, or -1. */
static int64_t find_slot(const struct cb_index *ix, const uint8_t id[16], uint32_t *hpos)
{
	if (!ix->hcap)
		return -1;
	uint32_t k = id_home(ix, id);
	for (; ix->hash[k]; k = id_next(ix, k))
		if (memcmp(ix->id[ix->hash[k] - 1], id, 16) == 0) {
			*hpos = k;
			return ix->hash[k] - 1;
		}
	*hpos = k;
	return -1;
}

/* ---- sites */

int cb_index_site_find(const struct cb_index *ix, const char *name, size_t len)
{
	if (!ix->sitehcap)
		return -1;
	for (uint32_t k = fnv(name, len) & (ix->sitehcap - 1); ix->sitehash[k]; k = (k + 1) & (ix->sitehcap - 1)) {
		const char *s = ix->sites[ix->sitehash[k] - 1];
		if (strlen(s) == len && memcmp(s, name, len) == 0)
			return (int)ix->sitehash[k] - 1;
	}
	return -1;
}

/* Site code (id + 1) of a name, adding it to the dictionary; 0 for an empty name. */
static int site_code(struct cb_index *ix, const char *name, size_t len, uint32_t *code)
{
	struct cb_icol *c = &ix->col[CB_FLD_site];
	*code = 0;
	if (!len)
		return CB_OK;
	int id = cb_index_site_find(ix, name, len);
	if (id >= 0) {
		*code = (uint32_t)id + 1;
		return CB_OK;
	}
	if (ix->nsites >= 65534 || len > 64)
		return CB_EINVAL;
	if (ix->nsites == ix->sitecap) {
		uint32_t cap = ix->sitecap ? ix->sitecap * 2 : 16;
		if (grow((void **)&ix->sites, ix->sitecap, cap, sizeof(char *)) ||
		    grow((void **)&c->present, ix->sitecap + 1, cap + 1, sizeof(uint32_t)))
			return CB_ENOMEM;
		ix->sitecap = cap;
		uint32_t *h = calloc((size_t)cap * 2, sizeof *h);
		if (!h)
			return CB_ENOMEM;
		for (uint32_t i = 0; i < ix->nsites; i++) {
			uint32_t k = fnv(ix->sites[i], strlen(ix->sites[i])) & (cap * 2 - 1);
			while (h[k])
				k = (k + 1) & (cap * 2 - 1);
			h[k] = i + 1;
		}
		free(ix->sitehash);
		ix->sitehash = h;
		ix->sitehcap = cap * 2;
	}
	char *s = strndup(name, len);
	if (!s)
		return CB_ENOMEM;
	ix->sites[ix->nsites] = s;
	uint32_t k = fnv(name, len) & (ix->sitehcap - 1);
	while (ix->sitehash[k])
		k = (k + 1) & (ix->sitehcap - 1);
	ix->sitehash[k] = ++ix->nsites;
	c->ncodes = ix->nsites + 1;
	*code = ix->nsites;
	return CB_OK;
}

/* ---- slots */

static void col_set(struct cb_icol *c, uint32_t slot, uint32_t v)
{
	switch (c->width) {
	case 1: ((uint8_t *)c->data)[slot] = (uint8_t)v; break;
	case 2: ((uint16_t *)c->data)[slot] = (uint16_t)v; break;
	default: ((uint32_t *)c->data)[slot] = v; break;
	}
}

static bool counts(const struct cb_index *ix, uint32_t slot)
{
	uint8_t fl = ix->flags[slot];
	return (fl & CB_IX_LIVE) && ((fl & CB_IX_CONSENT) || !ix->require_consent);
}

/* Adds (+1) or removes (-1) a slot's codes from the presence counts and the counted bits. */
static void account(struct cb_index *ix, uint32_t slot, int delta)
{
	if (!counts(ix, slot))
		return;
	for (int f = 0; f < CB_NFIELDS; f++) {
		struct cb_icol *c = &ix->col[f];
		if (c->used && !c->multi)
			c->present[cb_icol_get(c, slot)] += (uint32_t)delta;
	}
	if (delta > 0)
		ix->counted[slot / 64] |= 1ull << (slot % 64);
	else
		ix->counted[slot / 64] &= ~(1ull << (slot % 64));
}

/* Column by column rather than through account() slot by slot: after a build this touches every case once
 * per column, and a tight loop per width is several times quicker. */
void cb_index_set_require_consent(struct cb_index *ix, bool on)
{
	ix->require_consent = on;
	memset(ix->counted, 0, ((size_t)ix->cap + 63) / 64 * 8);
	for (uint32_t s = 0; s < ix->n; s++)
		if (counts(ix, s))
			ix->counted[s / 64] |= 1ull << (s % 64);
	for (int f = 0; f < CB_NFIELDS; f++) {
		struct cb_icol *c = &ix->col[f];
		if (!c->used || c->multi)
			continue;
		memset(c->present, 0, c->ncodes * sizeof(uint32_t));
		for (uint32_t s = 0; s < ix->n; s++) {
			if (!((ix->counted[s / 64] >> (s % 64)) & 1))
				continue;
			if (c->width == 1)
				c->present[((const uint8_t *)c->data)[s]]++;
			else
				c->present[cb_icol_get(c, s)]++;
		}
	}
}

/* The code of one field of a case. */
static int case_code(struct cb_index *ix, const struct cb_case *c, const struct cb_field *f, uint32_t *code)
{
	const void *m = cb_case_cmember(c, f);
	int32_t v = f->kind == CB_MULTI || f->kind == CB_SITE ? 0 : *(const int32_t *)m;
	switch (f->kind) {
	case CB_SITE: return site_code(ix, m, strnlen(m, 17), code);
	case CB_MULTI: {
		uint64_t bits = *(const uint64_t *)m;
		*code = (uint32_t)bits;
		return bits >> ix->col[f->id].ncodes ? CB_EINVAL : CB_OK;
	}
	case CB_INT: *code = v == CB_NA || v < f->lo || v > f->hi ? 0 : (uint32_t)(v - f->lo) + 1; break;
	default: *code = v == CB_NA || v < 0 || (uint32_t)v + 1 >= ix->col[f->id].ncodes ? 0 : (uint32_t)v + 1;
	}
	return CB_OK;
}

int cb_index_upsert(struct cb_index *ix, const struct cb_case *c, uint8_t record_key, struct cb_err *err)
{
	uint32_t codes[CB_NFIELDS], hpos;
	int rc;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used && (rc = case_code(ix, c, &cb_fields[f], &codes[f])))
			return cb_err_field(err, rc, cb_fields[f].name, "%s: value out of the index's range",
					    cb_fields[f].name);
	if (ensure_hash(ix) != CB_OK)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	int64_t found = find_slot(ix, c->case_id, &hpos);
	uint32_t slot;
	if (found >= 0) {
		slot = (uint32_t)found;
		account(ix, slot, -1);
	} else {
		if (ix->nfree) {
			slot = ix->freelist[--ix->nfree];
		} else {
			/* small steps: realloc moves big blocks by remapping pages, and every step of slack costs
			 * its share of the 64 bytes a case */
			if (ix->n == ix->cap && reserve(ix, ix->cap + ix->cap / 16 + 64) != CB_OK)
				return cb_err_set(err, CB_ENOMEM, "out of memory");
			slot = ix->n++;
		}
		if (find_slot(ix, c->case_id, &hpos) < 0) /* the table may have been rebuilt */
			ix->hash[hpos] = slot + 1;
		memcpy(ix->id[slot], c->case_id, 16);
		ix->live++;
	}
	ix->flags[slot] = (uint8_t)(CB_IX_LIVE | (c->consent_statistics == CB_yes_no_yes ? CB_IX_CONSENT : 0));
	ix->rkey[slot] = record_key;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used)
			col_set(&ix->col[f], slot, codes[f]);
	account(ix, slot, +1);
	return CB_OK;
}

int cb_index_remove(struct cb_index *ix, const uint8_t id[16])
{
	uint32_t hpos;
	if (ensure_hash(ix) != CB_OK)
		return CB_ENOMEM;
	int64_t found = find_slot(ix, id, &hpos);
	if (found < 0)
		return CB_ENOTFOUND;
	uint32_t slot = (uint32_t)found;
	if (ix->nfree % 64 == 0 && grow((void **)&ix->freelist, ix->nfree, ix->nfree + 64, sizeof(uint32_t)))
		return CB_ENOMEM;
	account(ix, slot, -1);
	ix->flags[slot] = 0;
	ix->rkey[slot] = 0;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used)
			col_set(&ix->col[f], slot, 0);
	/* backward-shift deletion keeps linear probing correct without tombstones */
	uint32_t i = hpos, j = hpos;
	ix->hash[i] = 0;
	for (;;) {
		j = id_next(ix, j);
		if (!ix->hash[j])
			break;
		uint32_t k = id_home(ix, ix->id[ix->hash[j] - 1]);
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		ix->hash[i] = ix->hash[j];
		ix->hash[j] = 0;
		i = j;
	}
	memset(ix->id[slot], 0, 16);
	ix->freelist[ix->nfree++] = slot;
	ix->live--;
	return CB_OK;
}

long cb_index_size(const struct cb_index *ix)
{
	return ix->live;
}

size_t cb_index_bytes(const struct cb_index *ix)
{
	size_t b = sizeof *ix + (size_t)ix->cap * (1 + 1 + 16) + ((size_t)ix->cap + 63) / 64 * 8 +
		   (size_t)ix->hcap * 4 + (ix->nfree + 63) / 64 * 64 * 4;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used)
			b += (size_t)ix->cap * ix->col[f].width + (ix->col[f].multi ? 0 : ix->col[f].ncodes * 4);
	for (uint32_t i = 0; i < ix->nsites; i++)
		b += strlen(ix->sites[i]) + 1;
	return b + (size_t)ix->sitecap * sizeof(char *) + (size_t)ix->sitehcap * 4;
}

/* ---- building from the store
 *
 * One SELECT of the coded columns over a range of seq (the cases table's INTEGER PRIMARY KEY).  Each column's
 * decoder is chosen once (struct dec), not per cell.  Slots are laid out by seq: a range [lo, hi] owns slots
 * lo - min .. hi - min, so on a machine with several cores each thread fills its own region of the final
 * arrays with no locking, with its own site dictionary, on its own connection: the calling thread on the
 * store's (whose page cache may be warm), the others on read-only ones of their own.  Afterwards the
 * regions are closed up (erased cases leave gaps in seq) and the sites renumbered in order of first sight,
 * which is exactly the numbering one thread reading in seq order gives: both builds give the same index.
 *
 * The threads' read transactions must see the same commit.  Each connection reads min/max(seq) right after
 * BEGIN, the first also count(*); the builds' bounds must agree, and the threads must read as many rows as
 * that count (a case erased between two BEGINs would be missing), else the build is tried once more and then
 * done on one thread.  A case updated in place in that window of microseconds is read as of either commit.
 * One thread (the store's own connection) for small databases, one core, an open transaction on the store
 * (its own writes must be seen) or an in-memory database.  CASEBANK_INDEX_THREADS=N forces N threads. */

#define BUILD_MIN_PAR 50000 /* cases below which threads cost more than they save */
#define BUILD_MAX_THREADS 8
#define BUILD_BUSY_MS 5000

enum dec_kind { DK_INT, DK_NAME, DK_COUNTRY, DK_MULTI, DK_SITE };

struct dec {
	uint8_t kind, width;
	int field, set; /* set: value set (DK_NAME, DK_MULTI) */
	int lo, hi;     /* DK_INT */
};

struct plan {
	struct cb_buf sql;
	struct dec dec[CB_NFIELDS];
	int ndec;
};

/* One thread's share of a build. */
struct part {
	struct cb_index *ix;   /* the arrays being filled */
	struct cb_index *dict; /* the site dictionary: ix itself on one thread, a private one per thread */
	const struct plan *pl;
	sqlite3 *db;
	int64_t lo, hi;  /* seq range */
	uint32_t base;   /* slot of seq lo */
	uint32_t n;      /* slots filled from base */
	int64_t rows;    /* rows read */
	int rc;
	struct cb_err err;
};

static int plan_make(const struct cb_index *ix, struct plan *pl)
{
	cb_buf_printf(&pl->sql, "SELECT case_id, record_key, consent_statistics");
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
		cb_buf_printf(&pl->sql, ", \"%s\"", fd->name);
	}
	cb_buf_printf(&pl->sql, " FROM cases WHERE seq BETWEEN ?1 AND ?2");
	return pl->sql.data ? CB_OK : CB_ENOMEM;
}

static uint32_t multi_code(int set, const char *p, size_t n)
{
	uint32_t bits = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && p[j] != ';')
			j++;
		size_t a = i, b = j;
		while (a < b && p[a] == ' ')
			a++;
		while (b > a && p[b - 1] == ' ')
			b--;
		int v = b > a ? name_lookup(set, p + a, b - a) : -1;
		if (v >= 0)
			bits |= 1u << v;
		i = j + 1;
	}
	return bits;
}

/* Code of a stored text value (n > 0; an unknown name counts as not recorded). */
static int text_code(struct cb_index *dict, const struct dec *d, const char *p, size_t n, uint32_t *code)
{
	*code = 0;
	switch (d->kind) {
	case DK_NAME: {
		int v = name_lookup(d->set, p, n);
		*code = v < 0 ? 0 : (uint32_t)v + 1;
		return CB_OK;
	}
	case DK_MULTI: *code = multi_code(d->set, p, n); return CB_OK;
	case DK_SITE: return site_code(dict, p, n, code);
	case DK_COUNTRY: {
		char cc[4];
		if (n > 3)
			return CB_OK;
		memcpy(cc, p, n);
		cc[n] = 0;
		int32_t i = cb_country_find(cc);
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
static bool row_id(sqlite3_stmt *st, uint8_t id[16])
{
	if (sqlite3_column_type(st, 0) == SQLITE_BLOB && sqlite3_column_bytes(st, 0) == 16) {
		memcpy(id, sqlite3_column_blob(st, 0), 16);
		return true;
	}
	const char *t = (const char *)sqlite3_column_text(st, 0);
	return t && cb_case_id_parse(t, id) == CB_OK;
}

/* Reads the rows of one seq range into slots base, base + 1, ...  A thread's body (void * for pthreads). */
static void *part_scan(void *arg)
{
	struct part *pt = arg;
	struct cb_index *ix = pt->ix;
	const struct plan *pl = pt->pl;
	sqlite3_stmt *st = NULL;
	void *data[CB_NFIELDS];
	uint64_t room = (uint64_t)(pt->hi - pt->lo + 1);
	int src;
	for (int k = 0; k < pl->ndec; k++)
		data[k] = ix->col[pl->dec[k].field].data;
	if (sqlite3_prepare_v2(pt->db, pl->sql.data, -1, &st, NULL) != SQLITE_OK) {
		pt->rc = cb_err_set(&pt->err, CB_EDB, "statistics index: %s", sqlite3_errmsg(pt->db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, pt->lo);
	sqlite3_bind_int64(st, 2, pt->hi);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		pt->rows++;
		if (pt->n >= room) { /* cannot happen: seq is unique */
			pt->rc = cb_err_set(&pt->err, CB_ECORRUPT, "statistics index: more rows than seq numbers");
			goto out;
		}
		uint32_t slot = pt->base + pt->n;
		if (!row_id(st, ix->id[slot]))
			continue; /* not a case the index can address; the slot is reused */
		pt->n++;
		ix->rkey[slot] = (uint8_t)(sqlite3_column_int(st, 1) & 0xff);
		bool yes;
		if (sqlite3_column_type(st, 2) == SQLITE_INTEGER)
			yes = sqlite3_column_int(st, 2) != 0;
		else
			yes = text_yes(sqlite3_column_text(st, 2), sqlite3_column_bytes(st, 2));
		ix->flags[slot] = (uint8_t)(CB_IX_LIVE | (yes ? CB_IX_CONSENT : 0));
		for (int k = 0; k < pl->ndec; k++) {
			const struct dec *d = &pl->dec[k];
			/* the value object: one column lookup instead of three; this connection is this thread's alone */
			sqlite3_value *v = sqlite3_column_value(st, 3 + k);
			int ty = sqlite3_value_type(v);
			uint32_t code = 0;
			if (ty == SQLITE_INTEGER && d->kind == DK_INT) {
				sqlite3_int64 x = sqlite3_value_int64(v);
				code = x < d->lo || x > d->hi ? 0 : (uint32_t)(x - d->lo) + 1;
			} else if (ty != SQLITE_NULL) {
				const char *p = (const char *)sqlite3_value_text(v);
				size_t len = (size_t)sqlite3_value_bytes(v);
				if (p && len && (pt->rc = text_code(pt->dict, d, p, len, &code))) {
					cb_err_field(&pt->err, pt->rc, cb_fields[d->field].name,
						     "statistics index: too many values of %s", cb_fields[d->field].name);
					goto out;
				}
			}
			switch (d->width) {
			case 1: ((uint8_t *)data[k])[slot] = (uint8_t)code; break;
			case 2: ((uint16_t *)data[k])[slot] = (uint16_t)code; break;
			default: ((uint32_t *)data[k])[slot] = code; break;
			}
		}
	}
	if (src != SQLITE_DONE)
		pt->rc = cb_err_set(&pt->err, CB_EDB, "statistics index: %s", sqlite3_errmsg(pt->db));
out:
	sqlite3_finalize(st);
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

/* Runs one query returning integers into v[0..nv-1] (NULL reads as 0). */
static int query_ints(sqlite3 *db, const char *sql, int64_t *v, int nv)
{
	sqlite3_stmt *st = NULL;
	int rc = CB_EDB;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	for (int i = 0; i < nv; i++)
		v[i] = sqlite3_column_int64(st, i);
	rc = CB_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

static int build_single(sqlite3 *db, struct cb_index *ix, const struct plan *pl, struct cb_err *err)
{
	int64_t b[2];
	if (query_ints(db, "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0) FROM cases", b, 2))
		return cb_err_set(err, CB_EDB, "statistics index: %s", sqlite3_errmsg(db));
	if (b[1] - b[0] + 1 > UINT32_MAX / 2)
		return cb_err_set(err, CB_EINVAL, "statistics index: too many cases (%lld)", (long long)(b[1] - b[0] + 1));
	if (slots_alloc(ix, (uint32_t)(b[1] - b[0] + 1)))
		return cb_err_set(err, CB_ENOMEM, "statistics index: out of memory for %lld cases",
				  (long long)(b[1] - b[0] + 1));
	struct part pt = {.ix = ix, .dict = ix, .pl = pl, .db = db, .lo = b[0], .hi = b[1]};
	part_scan(&pt);
	if (pt.rc) {
		*err = pt.err;
		return pt.rc;
	}
	ix->n = pt.n;
	return CB_OK;
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
			if ((rc = site_code(ix, nm, strlen(nm), &map[i + 1]))) {
				rc = cb_err_field(err, rc, "site", "statistics index: too many values of site");
				goto out;
			}
			same &= map[i + 1] == i + 1;
		}
		if (!same)
			for (uint32_t s = n; s < n + pt[t].n; s++)
				site[s] = (uint16_t)map[site[s]];
		n += pt[t].n;
	}
	ix->n = n;
out:
	free(map);
	return rc;
}

/* The build on nt threads; *again when the connections did not see the same commit. */
static int build_parallel(sqlite3 *sdb, struct cb_index *ix, const struct plan *pl, int nt, bool *again,
			  struct cb_err *err)
{
	struct part pt[BUILD_MAX_THREADS] = {0};
	pthread_t th[BUILD_MAX_THREADS];
	bool started[BUILD_MAX_THREADS] = {0};
	const char *path = sqlite3_db_filename(sdb, "main");
	int64_t first[3] = {0}, b[3];
	int rc = CB_EDB;
	*again = false;
	for (int t = 0; t < nt; t++) {
		if (t == 0) { /* the calling thread reads on the store's connection: its page cache may be warm */
			pt[0].db = sdb;
		} else {
			if (sqlite3_open_v2(path, &pt[t].db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
			    SQLITE_OK)
				goto out;
			sqlite3_busy_timeout(pt[t].db, BUILD_BUSY_MS);
			/* pages read in place rather than copied into a cold cache (SQLite caps the size) */
			sqlite3_exec(pt[t].db, "PRAGMA mmap_size=2147418112", NULL, NULL, NULL);
		}
		if (sqlite3_exec(pt[t].db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
		    query_ints(pt[t].db,
			       t ? "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0), 0 FROM cases"
				 : "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0), count(*) FROM cases",
			       t ? b : first, 3))
			goto out;
		if (t && (b[0] != first[0] || b[1] != first[1])) {
			*again = true;
			goto out;
		}
	}
	int64_t span = first[1] - first[0] + 1;
	if (span > UINT32_MAX / 2 || span < nt) /* too many for a uint32 slot, or too few to split */
		goto out;
	if ((rc = slots_alloc(ix, (uint32_t)span)))
		goto out;
	for (int t = 0; t < nt; t++) {
		pt[t].ix = ix;
		pt[t].pl = pl;
		pt[t].lo = first[0] + span * t / nt;
		pt[t].hi = first[0] + span * (t + 1) / nt - 1;
		pt[t].base = (uint32_t)(pt[t].lo - first[0]);
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
	if (rows != first[2]) {
		*again = true;
		rc = CB_ECONFLICT;
		goto out;
	}
	rc = parts_merge(ix, pt, nt, err);
out:
	for (int t = 0; t < nt; t++) {
		if (pt[t].db != sdb)
			sqlite3_close(pt[t].db); /* ends its read transaction */
		else if (!sqlite3_get_autocommit(sdb))
			sqlite3_exec(sdb, "ROLLBACK", NULL, NULL, NULL);
		cb_index_free(&pt[t].dict);
	}
	return rc;
}

/* Threads for a build over `span` seq numbers. */
static int build_threads(sqlite3 *db, int64_t span)
{
	const char *e = getenv("CASEBANK_INDEX_THREADS");
	const char *path = sqlite3_db_filename(db, "main");
	int nt;
	if (!sqlite3_get_autocommit(db) || !path || !*path)
		return 1;
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
	struct plan pl = {0};
	int64_t b[2];
	int rc;
	sqlite3 *db = cb_store_db(s);
	*out = NULL;
	if ((rc = cb_index_new(&ix)) || (rc = plan_make(ix, &pl))) {
		rc = cb_err_set(err, rc, "statistics index: %s", cb_rc_str(rc));
		goto out;
	}
	char *pol = NULL;
	if (cb_store_meta_get(s, "stats.require_consent", &pol) == CB_OK)
		ix->require_consent = !(strcmp(pol, "no") == 0 || strcmp(pol, "off") == 0 || strcmp(pol, "0") == 0);
	free(pol);

	if (query_ints(db, "SELECT coalesce(max(seq), 0) - coalesce(min(seq), 1) + 1 FROM cases", b, 1)) {
		rc = cb_err_set(err, CB_EDB, "statistics index: %s", sqlite3_errmsg(db));
		goto out;
	}
	int nt = build_threads(db, b[0]);
	bool again = nt > 1;
	rc = CB_EDB;
	for (int attempt = 0; attempt < 2 && again; attempt++) {
		struct cb_err perr = {0};
		rc = build_parallel(db, ix, &pl, nt, &again, &perr);
	}
	if (rc) { /* one thread, on the store's connection, into a fresh index; it reports any error that remains */
		bool req = ix->require_consent;
		cb_index_free(&ix);
		if ((rc = cb_index_new(&ix))) {
			rc = cb_err_set(err, rc, "statistics index: %s", cb_rc_str(rc));
			goto out;
		}
		ix->require_consent = req;
		if ((rc = build_single(db, ix, &pl, err)))
			goto out;
		nt = 1;
	}
	ix->build_threads = (uint8_t)nt;
	slots_trim(ix);
	ix->live = ix->n;
	cb_index_set_require_consent(ix, ix->require_consent);
	*out = ix;
	ix = NULL;
	rc = CB_OK;
out:
	cb_buf_free(&pl.sql);
	cb_index_free(&ix);
	return rc;
}
