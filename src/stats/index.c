/*
 * index.c -- the in-memory column index the statistics read: per case one small integer per coded
 * dimension (uint8/uint16), the value set of each multi-valued dimension as bits, the secret record key,
 * a consent flag and the case id (for upserts).  About 52 bytes a case built, under 64 grown by upserts.
 *
 * Here: the dimensions, the index's arrays and how they grow, the id table and the site dictionary, and
 * keeping the index current.  A resident server keeps the index and calls cb_index_upsert/cb_index_remove
 * on every write; removed slots are reused.  `counted` (live and consenting, as the policy says) and
 * per-code presence counts are kept up to date so that a query never scans for them.  Building the index
 * from the store is index_build.c.
 */
#include <stdlib.h>
#include <string.h>

#include "stats/stats_int.h"
#include "util/i18n.h"

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
	/* in the thread's language (util/i18n.h): labels are for people */
	if (dim == CB_DIM_CITIZENSHIP_REGION)
		return cb_tr(NULL, "codebook", "Region of citizenship");
	if (dim == CB_DIM_DESTINATION_REGION)
		return cb_tr(NULL, "codebook", "Region of exploitation");
	return dim >= 0 && dim < CB_NFIELDS ? cb_tr(NULL, "codebook", cb_fields[dim].label) : "?";
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

static uint32_t fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
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

int cb_index_site_code(struct cb_index *ix, const char *name, size_t len, uint32_t *code)
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

/* Adds (+1) or removes (-1) a slot's codes from the presence counts and the counted bits. */
static void account(struct cb_index *ix, uint32_t slot, int delta)
{
	if (!cb_index_counts(ix, slot))
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
		if (cb_index_counts(ix, s))
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
	case CB_SITE: return cb_index_site_code(ix, m, strnlen(m, 17), code);
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

