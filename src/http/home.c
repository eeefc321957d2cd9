/*
 * home.c -- a person's work in one place, GET /api/home: follow-ups due within a week or overdue (of
 * cases not closed) and outgoing referrals waiting for an answer, for a caseworker's office (a manager: every
 * office, or ?site=), transfers waiting for an answer (incoming: the office's to decide; outgoing: its open
 * requests) and possible duplicates involving the office's cases (ids, offices and score: nothing of what the
 * cases hold).  Each section only as the policy allows the caller that office's list.  The duplicate scan
 * reads every case's sealed CLK (bench/README.md: 0.26 s at 20,000 cases): the server keeps every pair it
 * found and scans again only once the store's linkage counter moved (store/tokens.h, cb_store_linkage_gen),
 * so a page load costs one query while nothing that makes pairs changed.  The page shows at most HOME_LIMIT
 * pairs, best first; GET /api/duplicates is the full, audited list.
 */
#include <string.h>

#include <stdlib.h>

#include "care/linkage.h"
#include "http/api.h"
#include "store/home.h"
#include "store/tokens.h"
#include "store/transfer_rows.h"

#define HOME_LIMIT 100
#define DUE_DAYS 7

struct items {
	json_t *overdue, *due;
	int32_t today;
};

static json_t *item_json(const struct cb_home_item *it)
{
	char cid[CB_ID_TEXT], day[11];
	cb_case_id_format(it->case_id, cid);
	cb_date_format(it->day, day);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)it->id, "case_id", cid, "site", it->site, "on",
			      day);
	if (it->stage >= 0 && it->stage < CB_case_stage__COUNT)
		json_object_set_new(o, "stage", json_string(cb_vsets[CB_VS_case_stage].values[it->stage].name));
	if (it->org[0])
		json_object_set_new(o, "partner", json_string(it->org));
	return o;
}

static int followup_item(const struct cb_home_item *it, void *ctx)
{
	struct items *l = ctx;
	return json_array_append_new(it->day < l->today ? l->overdue : l->due, item_json(it)) ? CB_ENOMEM : CB_OK;
}

static int referral_item(const struct cb_home_item *it, void *ctx)
{
	return json_array_append_new(ctx, item_json(it)) ? CB_ENOMEM : CB_OK;
}

struct open_transfers {
	json_t *list;
	bool incoming;
};

static int transfer_item(const struct cb_transfer *t, void *ctx)
{
	struct open_transfers *o = ctx;
	char cid[CB_ID_TEXT];
	if (json_array_size(o->list) >= HOME_LIMIT)
		return CB_OK;
	cb_case_id_format(t->case_id, cid);
	/* the case by id and office: the receiving office sees nothing of it until it accepts */
	return json_array_append_new(o->list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)t->id,
							 "case_id", cid, "site", o->incoming ? t->from_site : t->to_site,
							 "from", t->from_site, "to", t->to_site, "direction",
							 o->incoming ? "incoming" : "outgoing"))
		       ? CB_ENOMEM
		       : CB_OK;
}

/* Whether the policy gives the caller site's list for act (no answer is written: the section stays empty). */
static bool may(struct cb_http_req *r, enum cb_action act, const char *site)
{
	struct cb_principal p;
	cb_api_principal(r, &p);
	return cb_authz_check(&p, act, site) == 0;
}

/* Requested transfers: to site (to decide), and from site (its open requests); every office's when NULL. */
static int transfers(struct cb_http_req *r, const char *site, json_t *list, struct cb_err *err)
{
	if (!may(r, CB_ACT_TRANSFER_LIST, site))
		return CB_OK;
	struct open_transfers in = {list, true}, out = {list, false};
	struct cb_transfer_filter fin = {site, NULL, NULL, CB_TRANSFER_REQUESTED};
	struct cb_transfer_filter fout = {NULL, site, NULL, CB_TRANSFER_REQUESTED};
	int rc = cb_transfer_rows(cb_api_store(r), &fin, transfer_item, &in, err);
	if (rc == CB_OK && site)
		rc = cb_transfer_rows(cb_api_store(r), &fout, transfer_item, &out, err);
	return rc;
}

/* Every pair the store holds, best first: the server's list while the linkage counter stays where it was when
 * the list was made, else a new scan, kept.  (The counter is read before the scan: a change during it moves
 * the counter past what the list is kept under, and the next call scans again.) */
static int all_pairs(struct cb_http_req *r, struct cb_dup_pair **p, size_t *n, struct cb_err *err)
{
	struct cb_http_app *app = r->app;
	struct cb_err none = {0};
	struct cb_dup_pair *copy = NULL;
	int64_t gen = 0;
	bool counted = cb_store_linkage_gen(cb_api_store(r), &gen, &none) == CB_OK; /* else: scan each time */
	int rc = CB_OK;
	*p = NULL;
	*n = 0;
	if (counted) {
		bool kept;
		pthread_mutex_lock(&app->cache_mu);
		if ((kept = app->dups_kept && app->dups_gen == gen) && app->ndups) {
			if ((*p = malloc(app->ndups * sizeof **p))) {
				memcpy(*p, app->dups, app->ndups * sizeof **p);
				*n = app->ndups;
			} else {
				rc = CB_ENOMEM;
			}
		}
		pthread_mutex_unlock(&app->cache_mu);
		if (kept)
			return rc == CB_OK ? CB_OK : cb_err_set(err, rc, "out of memory");
	}
	if ((rc = cb_duplicates(cb_api_store(r), CB_DUP_MIN_SCORE, NULL, p, n, NULL, err)) != CB_OK || !counted)
		return rc;
	if (*n && !(copy = malloc(*n * sizeof *copy)))
		return CB_OK; /* answered all the same; kept next time */
	if (*n)
		memcpy(copy, *p, *n * sizeof *copy);
	pthread_mutex_lock(&app->cache_mu);
	if (!app->dups_kept || gen >= app->dups_gen) { /* not over a newer list another request made meanwhile */
		free(app->dups);
		app->dups = copy;
		app->ndups = *n;
		app->dups_gen = gen;
		app->dups_kept = true;
		copy = NULL;
	}
	pthread_mutex_unlock(&app->cache_mu);
	free(copy);
	return CB_OK;
}

static int duplicates(struct cb_http_req *r, const char *site, json_t *list, struct cb_err *err)
{
	struct cb_dup_pair *p = NULL;
	size_t n = 0;
	if (!may(r, CB_ACT_DUPLICATES, site))
		return CB_OK;
	int rc = all_pairs(r, &p, &n, err);
	for (size_t i = 0; rc == CB_OK && i < n && json_array_size(list) < HOME_LIMIT; i++) {
		char a[CB_ID_TEXT], b[CB_ID_TEXT];
		if (site && strcmp(p[i].site_a, site) && strcmp(p[i].site_b, site))
			continue; /* neither case the office's */
		/* one of the office's own first, so the row's case is one the caller may open */
		bool swap = site && strcmp(p[i].site_a, site);
		cb_case_id_format(swap ? p[i].b : p[i].a, a);
		cb_case_id_format(swap ? p[i].a : p[i].b, b);
		if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:f}", "case_id", a, "site",
							  swap ? p[i].site_b : p[i].site_a, "other_id", b, "other_site",
							  swap ? p[i].site_a : p[i].site_b, "score", p[i].score)))
			rc = CB_ENOMEM;
	}
	free(p);
	return rc;
}

int cb_api_home(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_err err = {0};
	const char *site;
	if (cb_api_office(r, CB_ACT_OVERDUE, &site)) /* the same scope as an office's overdue follow-ups */
		return CB_OK;
	struct items l = {json_array(), json_array(), cb_date_today()};
	json_t *referrals = json_array(), *trans = json_array(), *dups = json_array();
	int rc = cb_home_followups(cb_api_store(r), site, l.today + DUE_DAYS, HOME_LIMIT, followup_item, &l, &err);
	if (rc == CB_OK)
		rc = cb_home_referrals(cb_api_store(r), site, HOME_LIMIT, referral_item, referrals, &err);
	if (rc == CB_OK)
		rc = transfers(r, site, trans, &err);
	if (rc == CB_OK)
		rc = duplicates(r, site, dups, &err);
	if (rc != CB_OK) {
		json_decref(trans);
		json_decref(dups);
		json_decref(l.overdue);
		json_decref(l.due);
		json_decref(referrals);
		cb_api_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_json(r, 200,
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "site", site ? json_string(site) : json_null(),
			      "followups_overdue", l.overdue, "followups_due", l.due, "referrals_awaiting", referrals,
			      "transfers", trans, "duplicates", dups, "due_days", DUE_DAYS));
	return CB_OK;
}
