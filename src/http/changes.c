/*
 * changes.c -- what a server does when a case changed, whoever changed it: the one place that maps "case X
 * changed" to re-reading it into a resident records index (cb_stats_index) and marking rendered statistics
 * stale.  It is fed by the store's "cases changed" hook on every handle of the pool (this server's own
 * commits, store.h cb_store_on_change) and by the store's listener (other servers' and the command line's,
 * cb_listener_start), so no handler has to remember to reindex after a write.
 *
 * A bank of releases (what `serve` answers analysts from) holds no records: it changes only with a new
 * release (stats.c, cb_api_stats_refresh), and a changed case costs nothing here.
 */
#include <stdio.h>
#include <stdlib.h>

#include "http/http.h"
#include "stats/stats.h"

struct cb_http_hook {
	struct cb_http_app *app;
	struct cb_store *s;
};

static bool holds_records(struct cb_http_app *app)
{
	/* under the lock: a new release may replace (and free) the bank at any moment */
	pthread_rwlock_rdlock(&app->stats_mu);
	bool records = cb_stats_index(app->stats) != NULL;
	pthread_rwlock_unlock(&app->stats_mu);
	return records;
}

/* Case id (NULL: any case) changed: read it again with s into the records index, or build the index anew. */
static void follow(struct cb_http_app *app, struct cb_store *s, const uint8_t *id)
{
	struct cb_case c;
	struct cb_err err = {0};
	struct cb_stats *neu = NULL;
	uint8_t key = 0;
	int rc = CB_OK;
	cb_case_init(&c);
	if (!id) {
		if ((rc = cb_stats_open_records(s, &neu, &err)) == CB_OK) {
			pthread_rwlock_wrlock(&app->stats_mu);
			struct cb_stats *old = app->stats;
			app->stats = neu;
			pthread_rwlock_unlock(&app->stats_mu);
			cb_stats_free(&old);
		}
	} else {
		int got = cb_store_get(s, id, 0, &c, &err);
		if (got == CB_OK && (rc = cb_store_record_key(s, id, &key)) == CB_OK) {
			pthread_rwlock_wrlock(&app->stats_mu);
			struct cb_index *ix = cb_stats_index(app->stats);
			rc = ix ? cb_index_upsert(ix, &c, key, &err) : CB_OK;
			pthread_rwlock_unlock(&app->stats_mu);
		} else if (got == CB_ENOTFOUND) { /* erased */
			pthread_rwlock_wrlock(&app->stats_mu);
			struct cb_index *ix = cb_stats_index(app->stats);
			if (ix)
				cb_index_remove(ix, id);
			pthread_rwlock_unlock(&app->stats_mu);
		} else if (got != CB_OK) {
			rc = got;
		}
	}
	pthread_mutex_lock(&app->cache_mu);
	app->stats_gen++; /* cached statistics are stale now */
	pthread_mutex_unlock(&app->cache_mu);
	if (rc != CB_OK) /* the code only: nothing about the case */
		fprintf(stderr, "casebank serve: statistics index: %s\n", cb_rc_str(rc));
	cb_case_clear(&c);
}

/* This server's commit on a handle of the pool (in the committing thread, which holds that handle). */
static void own_change(void *ctx, const uint8_t *id)
{
	struct cb_http_hook *h = ctx;
	if (holds_records(h->app))
		follow(h->app, h->s, id);
}

/* Another process's commit (on the listener's thread): a handle is borrowed only when there is work. */
static void other_change(void *ctx, const uint8_t *id)
{
	struct cb_http_app *app = ctx;
	if (!holds_records(app))
		return;
	struct cb_store *s = cb_http_store_get(app);
	follow(app, s, id);
	cb_http_store_put(app, s);
}

int cb_http_follow_start(struct cb_http_app *app, const char *db, struct cb_err *err)
{
	if (!(app->hooks = calloc((size_t)app->nstores, sizeof *app->hooks)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	for (int i = 0; i < app->nstores; i++) {
		app->hooks[i] = (struct cb_http_hook){app, app->stores[i]};
		cb_store_on_change(app->stores[i], own_change, &app->hooks[i]);
	}
	return cb_listener_start(db, other_change, app, &app->listener, err);
}

void cb_http_follow_stop(struct cb_http_app *app)
{
	cb_listener_stop(&app->listener); /* first: it borrows handles of the pool */
	for (int i = 0; app->hooks && i < app->nstores; i++)
		cb_store_on_change(app->stores[i], NULL, NULL);
	free(app->hooks);
	app->hooks = NULL;
}
