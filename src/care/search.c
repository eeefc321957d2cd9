/*
 * search.c -- finding a person by name, birth date or phone (linkage.h): candidates from the blind index,
 * confirmed and scored by opening each candidate's sealed details.
 *
 * The index only narrows: its tokens are cut short on purpose (blind.h), so most candidates of a rare name
 * in a large database are other people whose token collides.  Opening them costs a key unwrap and an
 * unseal each (microseconds), and the details opened never leave this file: a hit says which criteria
 * matched and how well, not what the case holds.
 */
#include <stdlib.h>
#include <string.h>

#include "care/linkage.h"
#include "store/tokens.h"

#define PHONETIC_CREDIT 0.7 /* a part that only sounds alike ("Iulia" for "Yulia" is folded equal already) */

struct cand {
	int64_t seq;
	uint8_t id[16];
	char site[17];
};
struct cands {
	struct cand *v;
	size_t n, cap;
};

static int collect(int64_t seq, const uint8_t id[16], const char *site, void *ctx)
{
	struct cands *c = ctx;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 256;
		struct cand *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return CB_ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].seq = seq;
	memcpy(c->v[c->n].id, id, 16);
	snprintf(c->v[c->n].site, sizeof c->v[c->n].site, "%s", site);
	c->n++;
	return CB_OK;
}

/* qsort, which must not be given a null array even when it is empty. */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

static int by_seq(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_score(const void *a, const void *b)
{
	const struct cb_search_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return memcmp(x->id, y->id, 16);
}

void cb_search_kinds(const struct cb_search_query *q, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s%s", q->name ? "name" : "", q->name && (q->birth_date || q->phone) ? "," : "",
		 q->birth_date ? "birth_date" : "", q->birth_date && q->phone ? "," : "", q->phone ? "phone" : "");
}

/* How well the query's name parts are found among the case's: each part 1 if present, PHONETIC_CREDIT if
 * one sounds alike; the mean.  *exact: every part was present. */
static double name_score(const struct cb_name_parts *q, const struct cb_person *p, bool *exact)
{
	double sum = 0;
	char qp[CB_PHON_MAX], cp[CB_PHON_MAX];
	*exact = true;
	for (int i = 0; i < q->n; i++) {
		double best = 0;
		cb_name_phonetic(q->part[i], qp);
		const struct cb_name_parts *sets[2] = {&p->names, &p->aliases};
		for (int k = 0; k < 2 && best < 1; k++)
			for (int j = 0; j < sets[k]->n && best < 1; j++) {
				if (!strcmp(q->part[i], sets[k]->part[j])) {
					best = 1;
				} else {
					cb_name_phonetic(sets[k]->part[j], cp);
					if (!strcmp(qp, cp))
						best = PHONETIC_CREDIT;
				}
			}
		if (best < 1)
			*exact = false;
		sum += best;
	}
	cb_wipe(qp, sizeof qp);
	cb_wipe(cp, sizeof cp);
	return q->n ? sum / q->n : 0;
}

/* Scores one candidate: opens it, compares, fills hit; *keep false when nothing matched after all. */
static int score(struct cb_store *s, const struct cb_search_query *q, const struct cb_person *want,
		 const struct cand *c, struct cb_search_hit *hit, bool *keep, struct cb_err *err)
{
	struct cb_case k;
	struct cb_person got;
	int criteria = 0;
	double total = 0;
	size_t o = 0;
	*keep = false;
	int rc = cb_store_get(s, c->id, CB_WITH_PII, &k, err);
	if (rc == CB_ENOTFOUND)
		return CB_OK; /* erased meanwhile */
	if (rc != CB_OK)
		return rc;
	cb_person_fold(k.first_name, k.last_name, k.aliases, k.birth_date, k.phone, &got);
	cb_case_clear(&k);
	memset(hit, 0, sizeof *hit);
	memcpy(hit->id, c->id, 16);
	snprintf(hit->site, sizeof hit->site, "%s", c->site);
#define MATCHED(text) o += (size_t)snprintf(hit->matched + o, sizeof hit->matched - o, "%s%s", o ? "," : "", text)
	if (q->name) {
		bool exact;
		double ns = name_score(&want->names, &got, &exact);
		criteria++;
		total += ns;
		if (ns > 0)
			MATCHED(exact ? "name" : ns >= PHONETIC_CREDIT ? "name(phonetic)" : "name(partial)");
	}
	if (q->birth_date) {
		criteria++;
		if (got.birth != CB_NA && got.birth == want->birth) {
			total += 1;
			MATCHED("birth_date");
		}
	}
	if (q->phone) {
		criteria++;
		if (got.phone[0] && !strcmp(got.phone, want->phone)) {
			total += 1;
			MATCHED("phone");
		}
	}
#undef MATCHED
	cb_wipe(&got, sizeof got);
	hit->score = criteria ? total / criteria : 0;
	*keep = hit->score > 0;
	return CB_OK;
}

int cb_search(struct cb_store *s, const struct cb_search_query *q, struct cb_search_hit **hits, size_t *nhits,
	      struct cb_err *err)
{
	struct cb_person want;
	struct cb_blind tok;
	struct cands c = {0};
	struct cb_search_hit *out = NULL;
	size_t n = 0;
	int rc = CB_OK;
	*hits = NULL;
	*nhits = 0;
	cb_person_fold(q->name, NULL, NULL, q->birth_date, q->phone, &want);
	if (!q->name && !q->birth_date && !q->phone) {
		rc = cb_err_set(err, CB_EINVAL, "search: give a name, a birth date or a phone");
		goto out;
	}
	if (q->name && want.names.n == 0) {
		rc = cb_err_field(err, CB_EINVAL, "first_name", "search: the name has no letters");
		goto out;
	}
	if (q->birth_date && want.birth == CB_NA) {
		rc = cb_err_field(err, CB_EINVAL, "birth_date", "search: Date of birth: expected YYYY-MM-DD");
		goto out;
	}
	if (q->phone && !want.phone[0]) {
		rc = cb_err_field(err, CB_EINVAL, "phone", "search: Phone: expected at least 6 digits");
		goto out;
	}
	cb_store_blind(s, &want, &tok);
	cb_wipe(tok.clk, sizeof tok.clk);
	/* candidates: any name part (as written or as it sounds), the birth date, the phone */
	for (int i = 0; i < tok.n && rc == CB_OK; i++) {
		enum cb_tok_kind k = tok.t[i].kind;
		if (k == CB_TOK_NAME || k == CB_TOK_PHON || k == CB_TOK_BDATE || k == CB_TOK_PHONE)
			rc = cb_store_token_cases(s, k, tok.t[i].v, q->site, collect, &c, err);
	}
	if (rc == CB_ENOMEM)
		rc = cb_err_set(err, rc, "out of memory");
	if (rc != CB_OK)
		goto out;
	sort(c.v, c.n, sizeof *c.v, by_seq);
	if (c.n && !(out = malloc(c.n * sizeof *out))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < c.n; i++) {
		bool keep;
		if (i > 0 && c.v[i].seq == c.v[i - 1].seq)
			continue;
		if ((rc = score(s, q, &want, &c.v[i], &out[n], &keep, err)) != CB_OK)
			goto out;
		n += keep;
	}
	sort(out, n, sizeof *out, by_score);
	*hits = out;
	*nhits = n > CB_SEARCH_MAX ? CB_SEARCH_MAX : n;
	out = NULL;
out:
	cb_wipe(&want, sizeof want);
	free(out);
	free(c.v);
	return rc;
}
