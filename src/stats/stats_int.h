/*
 * stats_int.h -- what the files of src/stats/ share and nobody else may touch: the layout of the column
 * index, the parsed filter, and the filter evaluator.  Outside src/stats/ use stats.h only: record keys
 * must not leak out of this module.
 *
 * Column codes: a single-valued dimension stores per case a code, 0 = not recorded, k = the k-th value
 * plus one (enum value index + 1, country index + 1, year - 1990 + 1, site dictionary id + 1).  A
 * multi-valued dimension stores the value set as bits (bit v = value v; 0 = not recorded).
 */
#ifndef CB_STATS_INT_H
#define CB_STATS_INT_H

#include "stats/stats.h"

struct cb_icol {
	bool used;        /* a dimension column (or a country column a region derives from) */
	bool multi;
	uint8_t width;    /* bytes per case: 1, 2 or 4 */
	uint32_t ncodes;  /* single: codes 0..ncodes-1; multi: number of value bits */
	void *data;       /* cap entries of `width` bytes */
	uint32_t *present; /* single: counted cases per code (sites grow: ncodes entries) */
};

#define CB_IX_LIVE 1u
#define CB_IX_CONSENT 2u

struct cb_index {
	uint32_t n, cap;      /* slots in use (some may be free after removals), slots allocated */
	uint8_t *flags;       /* CB_IX_* */
	uint8_t *rkey;        /* secret record key 0..255 */
	uint8_t (*id)[16];    /* case id per slot */
	uint64_t *counted;    /* bit per slot: live and (consenting or consent not required) */
	uint32_t *hash;       /* open addressing over ids: slot + 1, 0 empty */
	uint32_t hcap;        /* slots of hash (any number, at most 80% used) */
	uint32_t *freelist;
	uint32_t nfree;
	long live;
	bool require_consent;
	uint8_t build_threads; /* threads cb_index_build used (0: not built from a store) */
	struct cb_icol col[CB_NFIELDS];
	/* the site dictionary: names by id, and an open-addressing table name -> id + 1 */
	char **sites;
	uint32_t nsites, sitecap;
	uint32_t *sitehash, sitehcap;
};

/* Whether a slot counts in statistics: live, and consenting unless the policy does not ask for it. */
static inline bool cb_index_counts(const struct cb_index *ix, uint32_t slot)
{
	uint8_t fl = ix->flags[slot];
	return (fl & CB_IX_LIVE) && ((fl & CB_IX_CONSENT) || !ix->require_consent);
}
/* Site lookup: dictionary id, or -1. */
int cb_index_site_find(const struct cb_index *ix, const char *name, size_t len);
/* Site code (id + 1) of a name, adding it to the dictionary; 0 for an empty name. */
int cb_index_site_code(struct cb_index *ix, const char *name, size_t len, uint32_t *code);
/* Recomputes counted bits and presence counts (after the consent policy changed). */
void cb_index_set_require_consent(struct cb_index *ix, bool on);
/* Reads one case's code of a single-valued column. */
static inline uint32_t cb_icol_get(const struct cb_icol *c, uint32_t i)
{
	switch (c->width) {
	case 1: return ((const uint8_t *)c->data)[i];
	case 2: return ((const uint16_t *)c->data)[i];
	default: return ((const uint32_t *)c->data)[i];
	}
}
/* Column holding the codes a dimension is read from (a region reads its country column). */
int cb_dim_field(int dim);
/* The region code (region index + 1, 0 none) of a country code. */
uint32_t cb_region_of_code(uint32_t country_code);

/* Evaluates a filter into bits (one bit per slot, (ix->n + 63) / 64 words), ANDed with nothing: the
 * caller ANDs with ix->counted. */
int cb_where_eval(const struct cb_where *w, const struct cb_index *ix, uint64_t *bits, struct cb_err *err);

/* ---- releases (synth.c draws them, release.c stores and loads them) */
#define CB_REL_MAXATTR 32
#define CB_REL_CAP 3 /* values a case contributes per multi-valued field in a measurement */

/* A synthetic caseload of one registration year: n records; per released field (in cb_release.h order) a
 * column of index codes (single-valued: 0 not recorded, k the k-th value + 1; multi-valued: value bits). */
struct cb_synth {
	int year;
	uint32_t n;
	int nattr;
	int field[CB_REL_MAXATTR];
	uint32_t *col[CB_REL_MAXATTR];
	double rho; /* zCDP budget spent measuring it */
};
/* Measures the counted cases of one year under budget rho and draws the synthetic caseload. */
int cb_synth_release(const struct cb_index *ix, int year, double rho, struct cb_synth **out, struct cb_err *err);
void cb_synth_free(struct cb_synth **sy);
/* A digest of what a release of the year would measure (so an unchanged year is not measured again). */
int cb_release_year_digest(const struct cb_index *ix, int year, uint8_t out[16]);
/* A uniformly random subset of CB_REL_CAP of the value bits v: what one case contributes to a measurement. */
uint32_t cb_release_cap_bits(uint32_t v);
int cb_release_nattrs(void);
int cb_release_field(int a);
/* The fields a filter names: used[f] set for each (region dims mark their country field). */
void cb_where_fields(const struct cb_where *w, bool used[CB_NFIELDS]);

/* A bank: the index it counts, and how it publishes.  A release bank's index holds the synthetic
 * caseloads of the newest release of each year, whose counts are published as they are. */
struct cb_stats {
	struct cb_index *ix;
	struct cb_ptable *pt; /* cell key method (records bank only) */
	int threshold;
	bool release;
	struct cb_release_meta *rel; /* by year */
	uint32_t (*span)[2];         /* the index slots [first, end) of each release's synthetic records */
	int nrel;
	int64_t newest;
};

/* A query result (table.c builds it, render.c prints it).  Axis d has nv values (the last is "not
 * recorded") plus its total at position nv; cells are laid out with the first axis slowest. */
struct cb_axis {
	int dim, field;
	bool multi;
	int nv;
	const char **names, **labels; /* nv + 1 entries, the last "Total" */
	char **owned;                 /* names this axis allocated (years) */
	uint32_t *map;                /* single-valued: column code -> position */
	uint32_t ncodes;
};
struct cb_table {
	int ndims;
	struct cb_axis ax[CB_STATS_MAX_DIMS];
	size_t stride[CB_STATS_MAX_DIMS];
	size_t ncells;
	struct cb_cell *cells;
	char *where;
	bool exact, percent;
	int threshold;
	bool release;                /* counted over releases: estimates, published as they are */
	struct cb_release_meta *rel; /* the releases the selection drew on */
	int nrel;
	int64_t now;
};

/* The CKM lookup without bounds on ckey: ckey is taken mod 256. */
int cb_ptable_dev(const struct cb_ptable *pt, int64_t n, unsigned ckey);

#endif
