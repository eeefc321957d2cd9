/*
 * linkage.c -- duplicate detection: privacy-preserving record linkage over the sealed CLKs (linkage.h).
 *
 * Comparing every pair of 100,000 cases is 5 billion Dice computations; blocking compares only cases that
 * share a blocking key, each built from stored tokens (never from plain text), in three passes so that no
 * single error hides a pair:
 *   1. the phonetic code of any name part with the birth year   (typos, transliterations, swapped or
 *                                                                missing name parts, a day or month slip)
 *   2. the birth date                                           (names spelled beyond phonetic reach)
 *   3. the phonetic code of any name part with birth month and day   (a year slip)
 *   4. the phone                                                (two errors at once, a phone kept)
 * Keys are sorted once (n log n) and every block's pairs compared; the number of pairs grows with the square
 * of the block sizes, which the truncated tokens keep small.  A pair met in several blocks is scored once
 * more each time (a Dice is 16 popcounts) and kept once.  Cases without a birth date are matched by none of
 * these passes: a name alone is not enough to call two cases one person.
 */
#include <stdlib.h>
#include <string.h>

#include "care/linkage.h"
#include "store/tokens.h"

#define BLOCK_MAX 4000 /* a block larger than this is a token shared by too many to mean anything: skipped */

struct rec {
	int64_t seq;
	uint8_t id[16];
	char site[17];
	uint32_t tok_at, tok_n; /* in the token pool */
	int pop;                /* bits set in its CLK; -1 without one */
	uint32_t gender, citizenship; /* a hash of the coded value; 0 when missing */
};
struct recs {
	struct rec *r;
	size_t n, cap;
	struct cb_token *tok;
	size_t ntok, captok;
	uint8_t *clk; /* CB_CLK_BYTES per record */
};

/* qsort, which must not be given a null array even when it is empty. */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

void cb_dup_agree_text(unsigned agree, char *buf, size_t n)
{
	static const char *const names[] = {"name", "name(phonetic)", "birth_date", "birth_year", "phone"};
	size_t o = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < CB_COUNTOF(names) && o < n; i++)
		if (agree & (1u << i)) {
			if (agree & CB_AGREE_NAME && i == 1)
				continue; /* the name agrees as written: that it sounds alike says nothing more */
			if (agree & CB_AGREE_BIRTH_DATE && i == 3)
				continue;
			o += (size_t)snprintf(buf + o, n - o, "%s%s", o ? "," : "", names[i]);
		}
}

/* FNV-1a of a coded value, to compare two without keeping the text; 0 for none. */
static uint32_t code_hash(const char *v)
{
	uint32_t h = 2166136261u;
	if (!v || !*v)
		return 0;
	for (; *v; v++)
		h = (h ^ (uint8_t)*v) * 16777619u;
	return h | 1;
}

static int add_rec(const struct cb_linkage_row *row, void *ctx)
{
	struct recs *R = ctx;
	const struct cb_blind *toks = row->toks;
	const uint8_t *clk = row->clk;
	if (R->n == R->cap) {
		size_t cap = R->cap ? 2 * R->cap : 4096;
		struct rec *r = realloc(R->r, cap * sizeof *r);
		uint8_t *c = r ? realloc(R->clk, cap * CB_CLK_BYTES) : NULL;
		if (r)
			R->r = r;
		if (!c)
			return CB_ENOMEM;
		R->clk = c;
		R->cap = cap;
	}
	if (R->ntok + (size_t)toks->n > R->captok) {
		size_t cap = R->captok ? 2 * R->captok : 65536;
		while (cap < R->ntok + (size_t)toks->n)
			cap *= 2;
		struct cb_token *t = realloc(R->tok, cap * sizeof *t);
		if (!t)
			return CB_ENOMEM;
		R->tok = t;
		R->captok = cap;
	}
	struct rec *r = &R->r[R->n];
	r->seq = row->seq;
	memcpy(r->id, row->id, 16);
	snprintf(r->site, sizeof r->site, "%s", row->site);
	r->gender = code_hash(row->gender);
	r->citizenship = code_hash(row->citizenship);
	r->tok_at = (uint32_t)R->ntok;
	r->tok_n = (uint32_t)toks->n;
	if (toks->n)
		memcpy(R->tok + R->ntok, toks->t, (size_t)toks->n * sizeof *toks->t);
	R->ntok += (size_t)toks->n;
	if (clk) {
		memcpy(R->clk + R->n * CB_CLK_BYTES, clk, CB_CLK_BYTES);
		r->pop = cb_clk_popcount(clk);
	} else {
		r->pop = -1;
	}
	R->n++;
	return CB_OK;
}

static void recs_free(struct recs *R)
{
	if (R->clk)
		cb_wipe(R->clk, R->cap * CB_CLK_BYTES);
	free(R->clk);
	free(R->r);
	free(R->tok);
	memset(R, 0, sizeof *R);
}

/* The fields on which two records' tokens agree. */
static unsigned agreement(const struct cb_token *a, uint32_t na, const struct cb_token *b, uint32_t nb)
{
	unsigned agree = 0;
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = 0; j < nb; j++) {
			if (a[i].kind != b[j].kind || a[i].v != b[j].v)
				continue;
			switch (a[i].kind) {
			case CB_TOK_NAME: agree |= CB_AGREE_NAME; break;
			case CB_TOK_PHON: agree |= CB_AGREE_PHONETIC; break;
			case CB_TOK_BDATE: agree |= CB_AGREE_BIRTH_DATE; break;
			case CB_TOK_BYEAR: agree |= CB_AGREE_BIRTH_YEAR; break;
			case CB_TOK_PHONE: agree |= CB_AGREE_PHONE; break;
			default: break;
			}
		}
	return agree;
}

/* Whether the record's tokens include a phone. */
static bool has_phone(const struct cb_token *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (t[i].kind == CB_TOK_PHONE)
			return true;
	return false;
}

/* The score of a pair: the Dice similarity of their CLKs, then what the tokens add.  No name part in common
 * (as written or as it sounds) and no phone in common is no pair: most errors a registration makes leave
 * one part alike, while two people born the same day are many in a large caseload.  The phone is not in the CLK (people change phones
 * and leave them out): the same phone adds PHONE_SAME, two different phones take PHONE_DIFFERENT off.  A
 * gender or citizenship recorded differently takes CODED_DIFFERENT off each (clerks get them wrong too, so
 * it is evidence, not a veto). */
#define PHONE_SAME 0.03
#define PHONE_DIFFERENT 0.08
#define CODED_DIFFERENT 0.08
static double pair_score(const struct recs *R, const struct rec *a, const struct rec *b, double dice, unsigned *agree)
{
	const struct cb_token *ta = R->tok + a->tok_at, *tb = R->tok + b->tok_at;
	*agree = agreement(ta, a->tok_n, tb, b->tok_n);
	if (!(*agree & (CB_AGREE_NAME | CB_AGREE_PHONETIC | CB_AGREE_PHONE)))
		return 0;
	if (a->gender && b->gender && a->gender != b->gender)
		dice -= CODED_DIFFERENT;
	if (a->citizenship && b->citizenship && a->citizenship != b->citizenship)
		dice -= CODED_DIFFERENT;
	if (*agree & CB_AGREE_PHONE)
		return dice + PHONE_SAME > 1 ? 1 : dice + PHONE_SAME;
	if (has_phone(ta, a->tok_n) && has_phone(tb, b->tok_n))
		return dice - PHONE_DIFFERENT;
	return dice;
}

/* Blocking keys of one record: pass (2 bits), then the token values. */
static size_t keys_of(const struct cb_token *t, uint32_t n, uint64_t *keys, size_t max)
{
	uint32_t year = 0, md = 0, date = 0;
	bool has_year = false, has_md = false, has_date = false;
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (t[i].kind == CB_TOK_BYEAR)
			year = t[i].v, has_year = true;
		else if (t[i].kind == CB_TOK_BMD)
			md = t[i].v, has_md = true;
		else if (t[i].kind == CB_TOK_BDATE)
			date = t[i].v, has_date = true;
	}
	if (has_date && k < max)
		keys[k++] = (uint64_t)2 << 62 | date;
	for (uint32_t i = 0; i < n; i++) /* pass 4: the phone, for what the other passes miss */
		if (t[i].kind == CB_TOK_PHONE && k < max)
			keys[k++] = (uint64_t)2 << 62 | (uint64_t)1 << 40 | t[i].v;
	for (uint32_t i = 0; i < n; i++) {
		if (t[i].kind != CB_TOK_PHON)
			continue;
		if (has_year && k < max)
			keys[k++] = (uint64_t)1 << 62 | (uint64_t)t[i].v << 32 | year;
		if (has_md && k < max)
			keys[k++] = (uint64_t)3 << 62 | (uint64_t)t[i].v << 32 | md;
	}
	return k;
}

struct entry {
	uint64_t key;
	uint32_t rec;
};

static int by_key(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->rec > y->rec) - (x->rec < y->rec);
}

struct found {
	uint64_t pair; /* lo << 32 | hi, record indexes */
	double score;
};
struct founds {
	struct found *v;
	size_t n, cap;
};

static int keep(struct founds *F, uint32_t a, uint32_t b, double score)
{
	if (F->n == F->cap) {
		size_t cap = F->cap ? 2 * F->cap : 1024;
		struct found *v = realloc(F->v, cap * sizeof *v);
		if (!v)
			return CB_ENOMEM;
		F->v = v;
		F->cap = cap;
	}
	F->v[F->n++] = (struct found){(uint64_t)a << 32 | b, score};
	return CB_OK;
}

static int by_pair(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	return (x->pair > y->pair) - (x->pair < y->pair);
}

static int by_score(const void *a, const void *b)
{
	const struct cb_dup_pair *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	int c = memcmp(x->a, y->a, 16);
	return c ? c : memcmp(x->b, y->b, 16);
}

/* Turns the pairs found into the caller's list: one per pair, without those decided already, site-filtered. */
static int report(struct cb_store *s, const struct recs *R, struct founds *F, const char *site,
		  struct cb_dup_pair **pairs, size_t *np, struct cb_err *err)
{
	struct cb_dup_pair *out = NULL;
	size_t n = 0;
	sort(F->v, F->n, sizeof *F->v, by_pair);
	if (F->n && !(out = malloc(F->n * sizeof *out)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	for (size_t i = 0; i < F->n; i++) {
		if (i > 0 && F->v[i].pair == F->v[i - 1].pair)
			continue;
		const struct rec *a = &R->r[F->v[i].pair >> 32], *b = &R->r[F->v[i].pair & 0xffffffffu];
		if (a->seq > b->seq) {
			const struct rec *t = a;
			a = b;
			b = t;
		}
		if (site && strcmp(a->site, site) && strcmp(b->site, site))
			continue;
		if (cb_store_link_state(s, a->id, b->id) >= 0)
			continue; /* decided: linked pairs show on the cases, dismissed ones never again */
		struct cb_dup_pair *p = &out[n++];
		memcpy(p->a, a->id, 16);
		memcpy(p->b, b->id, 16);
		snprintf(p->site_a, sizeof p->site_a, "%s", a->site);
		snprintf(p->site_b, sizeof p->site_b, "%s", b->site);
		p->score = F->v[i].score;
		p->agree = agreement(R->tok + a->tok_at, a->tok_n, R->tok + b->tok_at, b->tok_n);
	}
	sort(out, n, sizeof *out, by_score);
	*pairs = out;
	*np = n;
	return CB_OK;
}

int cb_duplicates(struct cb_store *s, double min_score, const char *site, struct cb_dup_pair **pairs, size_t *np,
		  long *compared, struct cb_err *err)
{
	struct recs R = {0};
	struct founds F = {0};
	struct entry *e = NULL;
	size_t ne = 0;
	long cmp = 0;
	int rc;
	*pairs = NULL;
	*np = 0;
	if ((rc = cb_store_linkage_scan(s, add_rec, &R, err)) != CB_OK) {
		if (rc == CB_ENOMEM)
			cb_err_set(err, rc, "out of memory");
		goto out;
	}
	if (R.n && !(e = malloc((R.ntok * 2 + R.n) * sizeof *e))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < R.n; i++) {
		uint64_t keys[3 * CB_TOKENS_MAX + 1];
		if (R.r[i].pop < 0)
			continue;
		size_t k = keys_of(R.tok + R.r[i].tok_at, R.r[i].tok_n, keys, CB_COUNTOF(keys));
		for (size_t j = 0; j < k; j++)
			e[ne++] = (struct entry){keys[j], (uint32_t)i};
	}
	sort(e, ne, sizeof *e, by_key);
	for (size_t lo = 0, hi; lo < ne; lo = hi) {
		for (hi = lo + 1; hi < ne && e[hi].key == e[lo].key; hi++)
			;
		if (hi - lo > BLOCK_MAX)
			continue;
		for (size_t i = lo; i < hi; i++) {
			const struct rec *a = &R.r[e[i].rec];
			const uint8_t *ca = R.clk + (size_t)e[i].rec * CB_CLK_BYTES;
			for (size_t j = i + 1; j < hi; j++) {
				const struct rec *b = &R.r[e[j].rec];
				double d = cb_dice_counted(ca, a->pop, R.clk + (size_t)e[j].rec * CB_CLK_BYTES, b->pop);
				unsigned agree;
				cmp++;
				if (d < min_score - PHONE_SAME || (d = pair_score(&R, a, b, d, &agree)) < min_score)
					continue;
				if ((rc = keep(&F, e[i].rec, e[j].rec, d)) != CB_OK) {
					rc = cb_err_set(err, rc, "out of memory");
					goto out;
				}
			}
		}
	}
	rc = report(s, &R, &F, site, pairs, np, err);
out:
	if (compared)
		*compared = cmp;
	free(e);
	free(F.v);
	recs_free(&R);
	return rc;
}

/* ---- one case against the others */

struct seqs {
	int64_t *v;
	size_t n, cap;
	int64_t skip;
};

static int add_seq(int64_t seq, const uint8_t id[16], const char *site, void *ctx)
{
	struct seqs *S = ctx;
	(void)id;
	(void)site;
	if (seq == S->skip)
		return CB_OK;
	if (S->n == S->cap) {
		size_t cap = S->cap ? 2 * S->cap : 256;
		int64_t *v = realloc(S->v, cap * sizeof *v);
		if (!v)
			return CB_ENOMEM;
		S->v = v;
		S->cap = cap;
	}
	S->v[S->n++] = seq;
	return CB_OK;
}

static int cmp_seq(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool has_seq(const struct seqs *S, int64_t seq)
{
	return S->n && bsearch(&seq, S->v, S->n, sizeof *S->v, cmp_seq) != NULL;
}

/* The cases that share a blocking key with tokens t (see the passes above), as ids in R. */
static int neighbours(struct cb_store *s, const struct cb_blind *t, int64_t self, struct recs *R, struct cb_err *err)
{
	struct seqs year = {.skip = self}, md = {.skip = self}, cand = {.skip = self};
	int rc = CB_OK;
	for (int i = 0; i < t->n && rc == CB_OK; i++) {
		if (t->t[i].kind == CB_TOK_BYEAR)
			rc = cb_store_token_cases(s, CB_TOK_BYEAR, t->t[i].v, NULL, add_seq, &year, err);
		else if (t->t[i].kind == CB_TOK_BMD)
			rc = cb_store_token_cases(s, CB_TOK_BMD, t->t[i].v, NULL, add_seq, &md, err);
		else if (t->t[i].kind == CB_TOK_BDATE || t->t[i].kind == CB_TOK_PHONE)
			rc = cb_store_token_cases(s, t->t[i].kind, t->t[i].v, NULL, add_seq, &cand, err);
	}
	sort(year.v, year.n, sizeof *year.v, cmp_seq);
	sort(md.v, md.n, sizeof *md.v, cmp_seq);
	for (int i = 0; i < t->n && rc == CB_OK; i++) {
		struct seqs phon = {.skip = self};
		if (t->t[i].kind != CB_TOK_PHON)
			continue;
		rc = cb_store_token_cases(s, CB_TOK_PHON, t->t[i].v, NULL, add_seq, &phon, err);
		for (size_t j = 0; j < phon.n && rc == CB_OK; j++)
			if (has_seq(&year, phon.v[j]) || has_seq(&md, phon.v[j]))
				rc = add_seq(phon.v[j], NULL, NULL, &cand);
		free(phon.v);
	}
	sort(cand.v, cand.n, sizeof *cand.v, cmp_seq);
	/* the candidates' linkage rows, through the one scan that opens CLKs: a handful of rows */
	for (size_t j = 0; j < cand.n && rc == CB_OK; j++) {
		if (j > 0 && cand.v[j] == cand.v[j - 1])
			continue;
		rc = cb_store_linkage_seq(s, cand.v[j], add_rec, R, err);
	}
	if (rc == CB_ENOMEM)
		cb_err_set(err, rc, "out of memory");
	free(year.v);
	free(md.v);
	free(cand.v);
	return rc;
}

int cb_duplicates_of(struct cb_store *s, const uint8_t id[16], double min_score, struct cb_dup_pair **pairs,
		     size_t *np, struct cb_err *err)
{
	struct recs R = {0};
	struct founds F = {0};
	struct cb_blind self;
	uint8_t clk[CB_CLK_BYTES];
	bool clk_ok = false;
	int64_t seq;
	char site[17];
	*pairs = NULL;
	*np = 0;
	int rc = cb_store_linkage_get(s, id, &seq, site, &self, clk, &clk_ok, err);
	if (rc == CB_ENOTFOUND)
		return CB_OK; /* no identifying details: nothing to compare */
	if (rc != CB_OK || !clk_ok)
		goto out;
	if ((rc = cb_store_linkage_seq(s, seq, add_rec, &R, err)) != CB_OK || R.n != 1 ||
	    (rc = neighbours(s, &self, seq, &R, err)) != CB_OK) {
		if (rc == CB_ENOMEM)
			cb_err_set(err, rc, "out of memory");
		goto out;
	}
	for (size_t j = 1; j < R.n; j++) {
		if (R.r[j].pop < 0)
			continue;
		double d = cb_dice_counted(R.clk, R.r[0].pop, R.clk + j * CB_CLK_BYTES, R.r[j].pop);
		unsigned agree;
		if (d < min_score - PHONE_SAME || (d = pair_score(&R, &R.r[0], &R.r[j], d, &agree)) < min_score)
			continue;
		if ((rc = keep(&F, 0, (uint32_t)j, d)) != CB_OK) {
			rc = cb_err_set(err, rc, "out of memory");
			goto out;
		}
	}
	if ((rc = report(s, &R, &F, NULL, pairs, np, err)) != CB_OK)
		goto out;
	/* the new case first in each pair, whichever was registered first */
	for (size_t i = 0; i < *np; i++) {
		struct cb_dup_pair *p = &(*pairs)[i];
		if (memcmp(p->a, id, 16)) {
			uint8_t t[16];
			char ts[17];
			memcpy(t, p->a, 16), memcpy(p->a, p->b, 16), memcpy(p->b, t, 16);
			memcpy(ts, p->site_a, 17), memcpy(p->site_a, p->site_b, 17), memcpy(p->site_b, ts, 17);
		}
	}
out:
	cb_wipe(clk, sizeof clk);
	free(F.v);
	recs_free(&R);
	return rc;
}
