/*
 * stats.c -- GET /api/stats: a table of the knowledge bank, counted from the differentially private releases
 * (never exact counts: those are the command line's).  The resident bank is reloaded when a newer release
 * exists, and rendered answers are cached until it changes or a minute passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "stats/stats.h"

/* The cache of rendered statistics.  Counts are deterministic (the same releases give the same answer to the
 * same question), so a cached answer is exactly what a new query would publish until a new release is
 * loaded (stats_gen) -- or the day does, which the rendering carries (the age of the release). */
static struct cb_stats_cache_entry *cache_slot(struct cb_http_app *app, const char *key)
{
	uint32_t h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &app->cache[h % CB_STATS_CACHE];
}

static bool cache_get(struct cb_http_req *r, const char *key, const char *ctype, uint64_t *gen)
{
	struct cb_http_app *app = r->app;
	bool hit = false;
	pthread_mutex_lock(&app->cache_mu);
	*gen = app->stats_gen;
	struct cb_stats_cache_entry *e = cache_slot(app, key);
	if (e->key && !strcmp(e->key, key) && e->gen == app->stats_gen && r->now >= e->at && r->now - e->at < 60 &&
	    (r->resp = malloc(e->len + 1))) {
		memcpy(r->resp, e->body, e->len);
		r->resp_len = e->len;
		r->status = 200;
		r->ctype = ctype;
		hit = true;
	}
	pthread_mutex_unlock(&app->cache_mu);
	return hit;
}

static void cache_put(struct cb_http_req *r, const char *key, bool csv, uint64_t gen)
{
	struct cb_http_app *app = r->app;
	char *k = strdup(key), *b = r->resp_len <= CB_HTTP_BODY_MAX ? malloc(r->resp_len + 1) : NULL;
	if (!k || !b) {
		free(k);
		free(b);
		return;
	}
	memcpy(b, r->resp, r->resp_len);
	pthread_mutex_lock(&app->cache_mu);
	struct cb_stats_cache_entry *e = cache_slot(app, key);
	free(e->key);
	free(e->body);
	*e = (struct cb_stats_cache_entry){.key = k, .body = b, .len = r->resp_len, .csv = csv, .gen = gen, .at = r->now};
	pthread_mutex_unlock(&app->cache_mu);
}

/* Loads the newest releases when a release was made since (by `casebank release` or the schedule); asks the
 * store at most every two seconds.  The old bank stays in use until the new one is complete. */
void cb_api_stats_refresh(struct cb_http_req *r)
{
	struct cb_http_app *app = r->app;
	struct cb_stats *neu = NULL;
	struct cb_err err = {0};
	int64_t newest = 0;
	pthread_mutex_lock(&app->cache_mu);
	bool due = r->now - app->stats_checked >= 2 || r->now < app->stats_checked;
	if (due)
		app->stats_checked = r->now;
	pthread_mutex_unlock(&app->cache_mu);
	if (!due || cb_store_release_newest(cb_api_store(r), &newest, &err) != CB_OK)
		return;
	pthread_rwlock_rdlock(&app->stats_mu);
	bool stale = cb_stats_is_release(app->stats) && newest != cb_stats_newest(app->stats);
	pthread_rwlock_unlock(&app->stats_mu);
	if (!stale || cb_stats_open(cb_api_store(r), &neu, &err) != CB_OK)
		return;
	pthread_rwlock_wrlock(&app->stats_mu);
	struct cb_stats *old = app->stats;
	app->stats = neu;
	pthread_rwlock_unlock(&app->stats_mu);
	cb_stats_free(&old);
	pthread_mutex_lock(&app->cache_mu);
	app->stats_gen++;
	pthread_mutex_unlock(&app->cache_mu);
}

/* A statistics query that failed.  Without a release the bank says so and how to make one; cb_api_fail would
 * answer "no such record", which an analyst cannot act on. */
void cb_api_stats_fail(struct cb_http_req *r, int rc, const struct cb_err *err)
{
	if (rc == CB_ENOTFOUND)
		cb_api_error(r, 404, "no_release", err->msg[0] ? err->msg : "no statistical release yet");
	else
		cb_api_fail(r, rc, err);
}

struct stats_job {
	struct cb_table *t;
	enum cb_stats_format fmt;
};

static int write_table(void *ctx, FILE *f, struct cb_err *err)
{
	struct stats_job *j = ctx;
	return cb_table_write(j->t, j->fmt, f, err);
}

int cb_api_stats(struct cb_http_req *r, const char *arg)
{
	(void)arg;
	struct cb_query q = {0};
	struct stats_job job = {.fmt = CB_SF_JSON};
	const char *by = cb_http_query_get(&r->query, "by");
	const char *fmt = cb_http_query_get(&r->query, "format");
	const char *pct = cb_http_query_get(&r->query, "percent");
	struct cb_err err = {0};
	if (!by || !*by) {
		cb_api_error(r, 400, "invalid", "by: name one to three dimensions, such as by=year,gender");
		return CB_OK;
	}
	char *dims = cb_arena_strndup(r->arena, by, strlen(by));
	int nd = 0;
	for (char *save = NULL, *d = dims ? strtok_r(dims, ",", &save) : NULL; d; d = strtok_r(NULL, ",", &save)) {
		if (nd == CB_STATS_MAX_DIMS) {
			cb_api_error(r, 400, "invalid", "by: at most three dimensions");
			return CB_OK;
		}
		q.dims[nd++] = d;
	}
	if (fmt && !strcmp(fmt, "csv"))
		job.fmt = CB_SF_CSV;
	else if (fmt && strcmp(fmt, "json")) {
		cb_api_error(r, 400, "invalid", "format: expected json or csv");
		return CB_OK;
	}
	if (pct && !strcmp(pct, "1"))
		q.flags |= CB_Q_PERCENT;
	else if (pct && strcmp(pct, "0")) {
		cb_api_error(r, 400, "invalid", "percent: expected 1 or 0");
		return CB_OK;
	}
	q.where = cb_http_query_get(&r->query, "where");
	const char *ctype = job.fmt == CB_SF_CSV ? "text/csv; charset=utf-8" : "application/json";
	/* labels are in the request's language (api_i18n.c): so is the cached answer */
	const char *key = cb_arena_printf(r->arena, "%s\x1f%s\x1f%u\x1f%d\x1f%s", by, q.where ? q.where : "", q.flags,
					  (int)job.fmt, r->lang);
	uint64_t gen;
	cb_api_stats_refresh(r);
	if (!key || cache_get(r, key, ctype, &gen))
		return CB_OK;
	/* never CB_Q_EXACT: unprotected counts are for the command line only */
	pthread_rwlock_rdlock(&r->app->stats_mu);
	int rc = cb_stats_query(r->app->stats, &q, &job.t, &err);
	pthread_rwlock_unlock(&r->app->stats_mu);
	if (rc != CB_OK) {
		cb_api_stats_fail(r, rc, &err);
		return CB_OK;
	}
	cb_api_stream(r, ctype, write_table, &job);
	cb_table_free(&job.t);
	if (r->status == 200)
		cache_put(r, key, job.fmt == CB_SF_CSV, gen);
	return CB_OK;
}
