/*
 * scheduler.c -- releases on a schedule: `casebank serve` measures the years whose cases changed every
 * `release.every_hours` hours (meta; `casebank release DB --every H` sets it, 0 or unset: never).
 *
 * One thread with a store handle of its own (SQLite connections are not shared between threads) wakes at
 * most every 30 s and calls cb_release_when_due as the actor "schedule" (release.c keeps the schedule: when
 * a run is due, and the run itself is cb_release_run, the command line's code), so unchanged years cost
 * nothing, a year over its cap is refused (and logged), and every release is in the ledger and the audit
 * trail.  The request threads notice the new release within two seconds (stats.c, cb_api_stats_refresh).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "http/http.h"
#include "stats/stats.h"
#include "store/store.h"

struct cb_scheduler {
	struct cb_store *s;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, quiet;
};

/* One tick: a run when one is due, its lines to the log.  Returns the hours between runs (0: off). */
static double tick(struct cb_scheduler *sc)
{
	char *log = NULL;
	size_t n = 0;
	double every = 0;
	struct cb_err err = {0};
	FILE *f = open_memstream(&log, &n);
	if (!f)
		return 30.0 / 3600; /* try again at the next wake */
	int rc = cb_release_when_due(sc->s, "schedule", f, &every, &err);
	fclose(f);
	if (!sc->quiet && (n > 0 || rc != CB_OK)) { /* counts and budgets only: nothing about a person */
		fprintf(stderr, "casebank serve: scheduled release:\n%s", log ? log : "");
		if (rc != CB_OK)
			fprintf(stderr, "casebank serve: scheduled release: %s\n", err.msg);
	}
	free(log);
	return every;
}

static void *run(void *arg)
{
	struct cb_scheduler *sc = arg;
	pthread_mutex_lock(&sc->mu);
	while (!sc->stop) {
		pthread_mutex_unlock(&sc->mu);
		double every = tick(sc);
		/* wake often enough for short test intervals, at most every 30 s */
		double wait = every > 0 && every * 1800 < 30 ? every * 1800 : 30;
		if (wait < 0.2)
			wait = 0.2;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long long ns = ts.tv_nsec + (long long)(wait * 1e9);
		ts.tv_sec += (time_t)(ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
		pthread_mutex_lock(&sc->mu);
		while (!sc->stop && pthread_cond_timedwait(&sc->cv, &sc->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

int cb_scheduler_start(const char *db, bool quiet, struct cb_scheduler **out, struct cb_err *err)
{
	struct cb_scheduler *sc = calloc(1, sizeof *sc);
	int rc;
	*out = NULL;
	if (!sc)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	sc->quiet = quiet;
	if ((rc = cb_store_open(db, 0, &sc->s, err)) != CB_OK) {
		free(sc);
		return rc;
	}
	pthread_mutex_init(&sc->mu, NULL);
	pthread_cond_init(&sc->cv, NULL);
	if (pthread_create(&sc->th, NULL, run, sc) != 0) {
		pthread_mutex_destroy(&sc->mu);
		pthread_cond_destroy(&sc->cv);
		cb_store_free(&sc->s);
		free(sc);
		return cb_err_set(err, CB_ENOMEM, "cannot start the release scheduler");
	}
	*out = sc;
	return CB_OK;
}

void cb_scheduler_stop(struct cb_scheduler **psc)
{
	struct cb_scheduler *sc = *psc;
	if (!sc)
		return;
	pthread_mutex_lock(&sc->mu);
	sc->stop = true;
	pthread_cond_signal(&sc->cv);
	pthread_mutex_unlock(&sc->mu);
	pthread_join(sc->th, NULL); /* a run in progress finishes first: a release is one transaction */
	pthread_mutex_destroy(&sc->mu);
	pthread_cond_destroy(&sc->cv);
	cb_store_free(&sc->s);
	free(sc);
	*psc = NULL;
}
