/*
 * linkage.h -- finding people without exposing them (linkage.c): search by name, birth date and phone over
 * the blind index, and duplicate detection by record linkage on the sealed CLKs (crypto/blind.h).
 *
 * Nothing returned here holds an identifying detail: hits and pairs are case ids, offices, scores and the
 * names of the fields that agree.  Candidates from the index are confirmed by opening the cases (search) or
 * by comparing encodings (duplicates); see docs/security.md for what the index can and cannot tell.
 */
#ifndef CB_LINKAGE_H
#define CB_LINKAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

/* ---- search */

struct cb_search_query {
	const char *name;       /* any parts of any name or alias, in any order and spelling; NULL: none */
	const char *birth_date; /* YYYY-MM-DD; NULL: none */
	const char *phone;      /* at least 6 digits; NULL: none */
	const char *site;       /* only this office; NULL: any */
};
struct cb_search_hit {
	uint8_t id[16];
	char site[17];
	double score;       /* 0..1: the mean over the criteria given */
	char matched[64];   /* e.g. "name,birth_date" or "name(phonetic)" */
};
/* The cases matching q, best first (at most CB_SEARCH_MAX).  *hits is malloc'd.  CB_EINVAL naming the
 * criterion (never its value) when one is malformed or none is given. */
#define CB_SEARCH_MAX 200
int cb_search(struct cb_store *s, const struct cb_search_query *q, struct cb_search_hit **hits, size_t *n,
	      struct cb_err *err);
/* The kinds of a query, comma-separated ("name,phone"), for the audit trail. */
void cb_search_kinds(const struct cb_search_query *q, char *buf, size_t n);

/* ---- duplicates */

#define CB_DUP_MIN_SCORE 0.85 /* the default threshold: why it is there, bench/README.md (duplicates.sh) */

enum { CB_AGREE_NAME = 1, CB_AGREE_PHONETIC = 2, CB_AGREE_BIRTH_DATE = 4, CB_AGREE_BIRTH_YEAR = 8, CB_AGREE_PHONE = 16 };
struct cb_dup_pair {
	uint8_t a[16], b[16]; /* a registered first */
	char site_a[17], site_b[17];
	double score;   /* Dice similarity of the CLKs */
	unsigned agree; /* CB_AGREE_* */
};
/* The fields of agree as text ("name,birth_date"). */
void cb_dup_agree_text(unsigned agree, char *buf, size_t n);

/* Every pair scoring at least min_score that is neither linked nor dismissed, with at least one case in
 * `site` (NULL: any), best first.  *pairs is malloc'd.  *compared (may be NULL): the pairs blocking let
 * through to a comparison. */
int cb_duplicates(struct cb_store *s, double min_score, const char *site, struct cb_dup_pair **pairs, size_t *n,
		  long *compared, struct cb_err *err);
/* The same for one case against all others (registration's warning): pairs with a == id. */
int cb_duplicates_of(struct cb_store *s, const uint8_t id[16], double min_score, struct cb_dup_pair **pairs,
		     size_t *n, struct cb_err *err);

#endif
