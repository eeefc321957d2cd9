/*
 * listen.c -- other processes' changes of cases (store.h, cb_listener_start): what lets several servers on
 * one database keep what they hold in memory (the statistics index) current with each other's writes.
 *
 * PostgreSQL: a thread with a libpq connection of its own LISTENs on CB_CHANGES_CHANNEL, to which every
 * committing transaction sent its changed cases (changes.c), and waits on the connection's socket and on a
 * pipe a stop writes to.  A lost connection (the server restarted, a standby promoted) is retried every
 * second; once back it listens again and says "anything may have changed" (fn(ctx, NULL)): the notifications
 * of the gap are lost.  The connection is never used for anything else, so waiting on it holds no lock and
 * no transaction.
 *
 * SQLite: several processes on one file.  PRAGMA data_version changes when another connection committed, so
 * the thread asks it every CB_CHANGES_DELAY_MS (it reads a counter, no page) and says "anything may have
 * changed" when it moved; SQLite keeps no ids to tell.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "store/db.h"
#include "store/store.h"

struct cb_listener {
	char *target;
	cb_change_fn fn;
	void *ctx;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	int wake[2];         /* a pipe: a stop wakes the thread from its poll at once */
	PGconn *pg;          /* PostgreSQL: the listening connection, NULL while lost */
	struct cb_db *lite;  /* SQLite: a read-only connection of its own */
	struct cb_stmt *ver; /* PRAGMA data_version */
	int64_t version;
};

static bool stopping(struct cb_listener *l)
{
	pthread_mutex_lock(&l->mu);
	bool stop = l->stop;
	pthread_mutex_unlock(&l->mu);
	return stop;
}

/* Waits ms milliseconds or until stopped. */
static void pause_ms(struct cb_listener *l, long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long ns = ts.tv_nsec + (long long)ms * 1000000;
	ts.tv_sec += (time_t)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	pthread_mutex_lock(&l->mu);
	while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &ts) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&l->mu);
}

/* ---- PostgreSQL */

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* "terminating connection ...": the loss is handled, not printed */
}

/* Connects and listens: a connection ready to wait on, or NULL. */
static PGconn *pg_listen(const char *uri)
{
	/* a host that does not answer (a primary gone with its machine) must not hold a stop for minutes */
	const char *const keys[] = {"dbname", "connect_timeout", NULL}, *const values[] = {uri, "5", NULL};
	PGconn *c = PQconnectdbParams(keys, values, 1);
	if (c && PQstatus(c) == CONNECTION_OK) {
		PQsetNoticeProcessor(c, quiet, NULL);
		PGresult *r = PQexec(c, "LISTEN " CB_CHANGES_CHANNEL);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (ok && PQsetnonblocking(c, 1) == 0)
			return c;
	}
	PQfinish(c);
	return NULL;
}

/* Hands the notifications received to fn; false when the connection is lost. */
static bool pg_drain(struct cb_listener *l)
{
	if (!PQconsumeInput(l->pg))
		return false;
	PGnotify *n;
	while ((n = PQnotifies(l->pg))) {
		uint8_t id[16];
		size_t len = 0;
		if (sodium_hex2bin(id, sizeof id, n->extra, strlen(n->extra), NULL, &len, NULL) == 0 && len == 16)
			l->fn(l->ctx, id);
		else
			l->fn(l->ctx, NULL); /* "*": a transaction changed many */
		PQfreemem(n);
	}
	return PQstatus(l->pg) == CONNECTION_OK;
}

static void pg_run(struct cb_listener *l)
{
	bool was_lost = false;
	while (!stopping(l)) {
		if (!l->pg) {
			if (!(l->pg = pg_listen(l->target))) {
				was_lost = true;
				pause_ms(l, 1000);
				continue;
			}
			if (was_lost) /* what was sent while nobody listened is lost: start afresh */
				l->fn(l->ctx, NULL);
			was_lost = false;
		}
		struct pollfd p[2] = {{.fd = PQsocket(l->pg), .events = POLLIN}, {.fd = l->wake[0], .events = POLLIN}};
		int r = p[0].fd < 0 ? -1 : poll(p, 2, CB_CHANGES_DELAY_MS);
		if ((r < 0 && errno != EINTR) || (r > 0 && (p[0].revents || !(p[1].revents & POLLIN)) && !pg_drain(l))) {
			PQfinish(l->pg);
			l->pg = NULL;
			was_lost = true;
		}
	}
}

/* ---- SQLite */

static int lite_version(struct cb_listener *l, int64_t *v)
{
	int rc = cb_db_step(l->ver) == CB_DB_ROW ? CB_OK : CB_EDB;
	if (rc == CB_OK)
		*v = cb_db_column_int64(l->ver, 0);
	cb_db_reset(l->ver);
	return rc;
}

static void lite_run(struct cb_listener *l)
{
	while (!stopping(l)) {
		pause_ms(l, CB_CHANGES_DELAY_MS);
		int64_t v;
		if (lite_version(l, &v) == CB_OK && v != l->version) {
			l->version = v;
			l->fn(l->ctx, NULL);
		}
	}
}

static void *run(void *arg)
{
	struct cb_listener *l = arg;
	if (l->lite)
		lite_run(l);
	else
		pg_run(l);
	return NULL;
}

static void close_pipe(struct cb_listener *l)
{
	for (int i = 0; i < 2; i++)
		if (l->wake[i] >= 0)
			close(l->wake[i]);
}

int cb_listener_start(const char *db, cb_change_fn fn, void *ctx, struct cb_listener **out, struct cb_err *err)
{
	struct cb_listener *l = calloc(1, sizeof *l);
	int rc = CB_OK;
	*out = NULL;
	if (!l || !(l->target = strdup(db))) {
		free(l);
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	l->fn = fn;
	l->ctx = ctx;
	l->wake[0] = l->wake[1] = -1;
	if (pipe(l->wake) != 0) {
		rc = cb_err_set(err, CB_EIO, "cannot start the listener for other servers' changes");
	} else if (cb_db_is_uri(db)) {
		/* the first connection before the server starts: a database that is not there is said now */
		if (!(l->pg = pg_listen(db)))
			rc = cb_err_set(err, CB_EUNAVAIL, "database: cannot listen for other servers' changes");
	} else if ((rc = cb_db_open(db, CB_DB_READONLY, &l->lite, err)) == CB_OK &&
		   (rc = cb_db_prepare(l->lite, "PRAGMA data_version", &l->ver, err)) == CB_OK &&
		   lite_version(l, &l->version) != CB_OK) {
		rc = cb_err_set(err, CB_EDB, "database: cannot read its change counter");
	}
	if (rc != CB_OK)
		goto fail;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	if (pthread_create(&l->th, NULL, run, l) != 0) {
		pthread_mutex_destroy(&l->mu);
		pthread_cond_destroy(&l->cv);
		rc = cb_err_set(err, CB_ENOMEM, "cannot start the listener for other servers' changes");
		goto fail;
	}
	*out = l;
	return CB_OK;
fail:
	close_pipe(l);
	cb_db_finalize(&l->ver);
	cb_db_close(&l->lite);
	PQfinish(l->pg);
	free(l->target);
	free(l);
	return rc;
}

void cb_listener_stop(struct cb_listener **pl)
{
	struct cb_listener *l = *pl;
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	ssize_t n = write(l->wake[1], "", 1); /* an empty pipe of our own takes the byte */
	(void)n;
	pthread_join(l->th, NULL);
	close_pipe(l);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	cb_db_finalize(&l->ver);
	cb_db_close(&l->lite);
	PQfinish(l->pg);
	free(l->target);
	free(l);
	*pl = NULL;
}
