/*
 * app.c -- what every request of a server shares (struct cb_http_app): the pool of store handles, the
 * resident statistics bank and its cache of rendered answers, the session cache, the audit trail's group
 * commit, the release scheduler, the password-hashing slots and following changes of cases (changes.c);
 * opened before the daemon listens and closed after it stopped.  Kept apart from server.c (the sockets) so that the handlers, which borrow store
 * handles, depend on this file and never on the daemon that calls them.
 */
#include <stdlib.h>
#include <unistd.h>

#include "http/http.h"
#include "http/openrosa.h"
#include "stats/stats.h"

/* ---- the store pool: SQLite connections are never shared between threads */

struct cb_store *cb_http_store_get(struct cb_http_app *app)
{
	struct cb_store *s = NULL;
	pthread_mutex_lock(&app->pool_mu);
	for (;;) {
		for (int i = 0; i < app->nstores && !s; i++)
			if (!app->busy[i]) {
				app->busy[i] = true;
				s = app->stores[i];
			}
		if (s)
			break;
		pthread_cond_wait(&app->pool_cv, &app->pool_mu);
	}
	pthread_mutex_unlock(&app->pool_mu);
	return s;
}

void cb_http_store_put(struct cb_http_app *app, struct cb_store *s)
{
	pthread_mutex_lock(&app->pool_mu);
	for (int i = 0; i < app->nstores; i++)
		if (app->stores[i] == s)
			app->busy[i] = false;
	pthread_cond_signal(&app->pool_cv);
	pthread_mutex_unlock(&app->pool_mu);
}

/* ---- open and close */

int cb_http_app_open(struct cb_http_app *app, const char *db, int n, bool quiet, struct cb_err *err)
{
	app->stores = calloc((size_t)n, sizeof *app->stores);
	app->busy = calloc((size_t)n, sizeof *app->busy);
	if (!app->stores || !app->busy)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		int rc = cb_store_open(db, 0, &app->stores[i], err);
		if (rc != CB_OK)
			return rc;
		app->nstores++;
	}
	pthread_mutex_init(&app->pool_mu, NULL);
	pthread_cond_init(&app->pool_cv, NULL);
	pthread_rwlock_init(&app->stats_mu, NULL);
	pthread_mutex_init(&app->cache_mu, NULL);
	pthread_mutex_init(&app->odk_mu, NULL);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	sem_init(&app->pw_slots, 0, ncpu > 2 ? (unsigned)ncpu : 2u);
	app->ready = true;
	if (cb_session_cache_new(&app->sessions) != CB_OK || !(app->cache = calloc(CB_STATS_CACHE, sizeof *app->cache)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	int rc = cb_auditq_start(db, &app->audit, err);
	if (rc != CB_OK || (rc = cb_scheduler_start(db, quiet, &app->scheduler, err)) != CB_OK)
		return rc;
	if ((rc = cb_stats_open(app->stores[0], &app->stats, err)) != CB_OK)
		return rc;
	return cb_http_follow_start(app, db, err);
}

void cb_http_app_close(struct cb_http_app *app)
{
	cb_http_follow_stop(app);
	cb_scheduler_stop(&app->scheduler);
	cb_auditq_stop(&app->audit);
	cb_stats_free(&app->stats);
	cb_session_cache_free(&app->sessions);
	cb_odk_state_free(&app->odk);
	for (int i = 0; app->cache && i < CB_STATS_CACHE; i++) {
		free(app->cache[i].key);
		free(app->cache[i].body);
	}
	free(app->cache);
	app->cache = NULL;
	free(app->dups);
	app->dups = NULL;
	app->dups_kept = false;
	for (int i = 0; i < app->nstores; i++)
		cb_store_free(&app->stores[i]);
	free(app->stores);
	free(app->busy);
	app->stores = NULL;
	app->busy = NULL;
	app->nstores = 0;
	if (app->ready) {
		pthread_mutex_destroy(&app->pool_mu);
		pthread_cond_destroy(&app->pool_cv);
		pthread_rwlock_destroy(&app->stats_mu);
		pthread_mutex_destroy(&app->cache_mu);
		pthread_mutex_destroy(&app->odk_mu);
		sem_destroy(&app->pw_slots);
		app->ready = false;
	}
}
