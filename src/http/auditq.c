/*
 * auditq.c -- group commit for the audit trail.  Every case read is audited, and every audit entry is a
 * durable commit (synchronous=FULL: an fsync, a few milliseconds on an ordinary disk); one commit per request
 * would cap reads at a few hundred per second.  Requests hand their entry to one writer thread and wait until
 * the transaction holding it is committed, so an answer still leaves only after its audit entry is on disk,
 * but the entries of all requests waiting at that moment share one commit.
 *
 * Classic group commit, no timer: the writer takes everything queued, appends it with one read and one
 * rewrite of the chain head (cb_audit_append_batch), commits, wakes exactly those waiters, and goes straight
 * back for whatever queued up during that fsync.  Entries are chained in the order they were queued.
 *
 * The writer also moves the sessions' last_seen (cb_auditq_touch, sessions.c), in a transaction of its own
 * after a group (never starved by a stream of reads), so that checking a session never takes the write lock
 * in a request.
 *
 * Checkpoints (copying the WAL back into the database file, with an fsync of its own) are not run by the
 * writer's commits, where SQLite runs them by default and where every waiting read would wait for them too:
 * the writer's commits only note the WAL's size, and a checkpointer thread with its own connection runs a
 * PASSIVE checkpoint (one that never blocks the writer) each time CKPT_PAGES pages were added.  A PASSIVE
 * checkpoint never makes the WAL start over while some reader always holds a snapshot in it, which under
 * sustained load is always: past WAL_MAX_PAGES the checkpointer runs a TRUNCATE checkpoint instead, which
 * waits (at most RESTART_WAIT_MS, and the writer with it) until the readers have moved to the newest
 * snapshot, and empties the WAL file.  So the WAL stays near WAL_MAX_PAGES however long the load lasts.
 *
 * A waiter lives on the requesting thread's stack (its entry is not copied into a shared ring, so there is
 * nothing to wipe afterwards) with its own semaphore: a commit wakes the requests it holds and nobody
 * else, and they need no lock to wake.  The writer has its own store handle (SQLite connections are not shared between
 * threads).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "http/http.h"

#define CKPT_PAGES 1000 /* SQLite's own automatic checkpoint threshold */
#define WAL_MAX_PAGES 2048  /* 16 MiB of 8 KiB pages: past this the WAL is made to start over */
#define RESTART_WAIT_MS 1000 /* how long that checkpoint waits for readers (new writes wait as long) */
#define TOUCH_MAX 1024 /* sessions whose last_seen waits to be written: as many as the session cache holds */

struct waiter {
	const struct cb_audit_entry *e;
	struct waiter *next;
	sem_t done; /* posted by the writer once rc is set; after that the writer never touches the waiter */
	int rc;
};

struct cb_auditq {
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_t th;
	bool started, stop;
	struct cb_store *s;
	/* the checkpointer */
	pthread_t ckth;
	pthread_cond_t ckcv;
	bool ck_started, ck_due, ck_restart; /* ck_restart: make the WAL start over (TRUNCATE) */
	bool ck_restarting; /* that TRUNCATE is running: the writer waits, so the checkpoint gets the write lock */
	bool ck_failed; /* the last TRUNCATE did not get through (readers held on): asked again soon */
	int ck_pages; /* the WAL's size when the last checkpoint was asked for (the writer's thread only) */
	bool ck_big;  /* a TRUNCATE checkpoint was asked for this WAL (the writer's thread only) */
	struct cb_store *ck;
	struct waiter *head, *tail; /* queued, oldest first */
	struct cb_session_touch touch[TOUCH_MAX], touching[TOUCH_MAX];
	int ntouch;
	/* the writer's arrays, grown as needed */
	const struct cb_audit_entry **ents;
	int *rcs;
	int cap;
};

/* Room for n entries in the writer's arrays; false when out of memory. */
static bool reserve(struct cb_auditq *aq, int n)
{
	if (n <= aq->cap)
		return true;
	int cap = aq->cap ? aq->cap : 64;
	while (cap < n)
		cap *= 2;
	const struct cb_audit_entry **e = realloc(aq->ents, (size_t)cap * sizeof *e);
	if (!e)
		return false;
	aq->ents = e;
	int *r = realloc(aq->rcs, (size_t)cap * sizeof *r);
	if (!r)
		return false;
	aq->rcs = r;
	aq->cap = cap;
	return true;
}

/* Writes one group (a list taken from the queue) and wakes its waiters. */
static void write_group(struct cb_auditq *aq, struct waiter *list)
{
	int n = 0;
	for (struct waiter *w = list; w; w = w->next)
		n++;
	struct cb_err err = {0};
	int rc = reserve(aq, n) ? CB_OK : CB_ENOMEM;
	if (rc == CB_OK) {
		int i = 0;
		for (struct waiter *w = list; w; w = w->next)
			aq->ents[i++] = w->e;
		cb_audit_append_batch(aq->s, aq->ents, n, aq->rcs, &err);
	}
	/* no lock: the list is the writer's alone now, and a woken request does not queue on the writer's mutex */
	int i = 0;
	for (struct waiter *w = list, *next; w; w = next, i++) {
		next = w->next; /* w is gone once its owner is woken */
		w->rc = rc == CB_OK ? aq->rcs[i] : rc;
		sem_post(&w->done);
	}
}

/* Writes the queued last_seen updates (the lock held on entry and on return). */
static void write_touches(struct cb_auditq *aq)
{
	int n = aq->ntouch;
	memcpy(aq->touching, aq->touch, (size_t)n * sizeof aq->touch[0]);
	aq->ntouch = 0;
	pthread_mutex_unlock(&aq->mu);
	struct cb_err err = {0};
	if (cb_session_touch_many(aq->s, aq->touching, n, &err) != CB_OK)
		fprintf(stderr, "casebank serve: sessions: %s\n", err.msg);
	pthread_mutex_lock(&aq->mu);
}

static void *writer(void *arg)
{
	struct cb_auditq *aq = arg;
	pthread_mutex_lock(&aq->mu);
	for (;;) {
		while (!aq->head && !aq->ntouch && !aq->stop)
			pthread_cond_wait(&aq->work, &aq->mu);
		if (!aq->head && !aq->ntouch)
			break; /* stopping, and nothing is queued */
		/* a TRUNCATE checkpoint needs the write lock between two of our commits; SQLite's busy handler only
		 * polls for it, and a writer committing back to back would starve it, the WAL growing without end */
		if ((aq->ck_restart || aq->ck_restarting) && !aq->stop) {
			pthread_cond_wait(&aq->work, &aq->mu);
			continue;
		}
		if (aq->head) { /* audit entries first: requests wait for them */
			struct waiter *list = aq->head;
			aq->head = aq->tail = NULL;
			pthread_mutex_unlock(&aq->mu);
			write_group(aq, list);
			pthread_mutex_lock(&aq->mu);
		}
		/* then last_seen, even while reads keep coming: at most once a minute per session */
		if (aq->ntouch)
			write_touches(aq);
	}
	pthread_mutex_unlock(&aq->mu);
	return NULL;
}

/* Called by SQLite in the writer's thread after each of its commits, with the WAL's size in pages: asks for
 * a checkpoint once CKPT_PAGES pages were added since the last one. */
static void wal_grown(void *arg, int pages)
{
	struct cb_auditq *aq = arg;
	/* counted from the last checkpoint: while readers keep the WAL from starting over it stays long, and a
	 * checkpoint after every commit would copy a few pages and fsync the database file each time */
	if (pages < aq->ck_pages) {
		aq->ck_pages = 0; /* the WAL started over */
		aq->ck_big = false;
	}
	bool failed = false;
	if (pages >= WAL_MAX_PAGES) {
		pthread_mutex_lock(&aq->mu);
		failed = aq->ck_failed;
		pthread_mutex_unlock(&aq->mu);
	}
	/* a TRUNCATE that readers outlasted is asked again a quarter of CKPT_PAGES later, not after every commit:
	 * each attempt can hold the writer up for RESTART_WAIT_MS */
	bool big = pages >= WAL_MAX_PAGES && (!aq->ck_big || (failed && pages - aq->ck_pages >= CKPT_PAGES / 4));
	if (pages - aq->ck_pages >= CKPT_PAGES || big) {
		aq->ck_pages = pages;
		aq->ck_big |= big;
		pthread_mutex_lock(&aq->mu);
		aq->ck_due = true;
		aq->ck_restart |= pages >= WAL_MAX_PAGES;
		if (big)
			aq->ck_failed = false;
		pthread_cond_signal(&aq->ckcv);
		pthread_mutex_unlock(&aq->mu);
	}
}

static void *checkpointer(void *arg)
{
	struct cb_auditq *aq = arg;
	pthread_mutex_lock(&aq->mu);
	for (;;) {
		while (!aq->ck_due && !aq->stop)
			pthread_cond_wait(&aq->ckcv, &aq->mu);
		if (aq->stop)
			break;
		bool restart = aq->ck_restart;
		aq->ck_restarting = restart;
		aq->ck_due = aq->ck_restart = false;
		pthread_mutex_unlock(&aq->mu);
		int r = cb_store_checkpoint(aq->ck, restart, RESTART_WAIT_MS); /* only its TRUNCATE checkpoints wait */
		pthread_mutex_lock(&aq->mu);
		if (restart && r != CB_OK)
			aq->ck_failed = true; /* readers outlasted it: the next commit asks again */
		if (restart) {
			aq->ck_restarting = false;
			pthread_cond_broadcast(&aq->work);
		}
	}
	pthread_mutex_unlock(&aq->mu);
	return NULL;
}

int cb_auditq_start(const char *db, struct cb_auditq **out, struct cb_err *err)
{
	struct cb_auditq *aq = calloc(1, sizeof *aq);
	if (!aq)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	pthread_mutex_init(&aq->mu, NULL);
	pthread_cond_init(&aq->work, NULL);
	pthread_cond_init(&aq->ckcv, NULL);
	int rc = cb_store_open(db, 0, &aq->s, err);
	/* without a checkpointer the writer's commits checkpoint, as SQLite does by default */
	struct cb_err ckerr = {0};
	if (rc == CB_OK && cb_store_open(db, 0, &aq->ck, &ckerr) == CB_OK &&
	    pthread_create(&aq->ckth, NULL, checkpointer, aq) == 0) {
		aq->ck_started = true;
		if (cb_store_wal_hook(aq->s, wal_grown, aq) != CB_OK) /* replaces the automatic checkpoint */
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	if (rc == CB_OK && pthread_create(&aq->th, NULL, writer, aq) != 0)
		rc = cb_err_set(err, CB_ENOMEM, "cannot start the audit writer");
	aq->started = rc == CB_OK;
	*out = aq;
	return rc;
}

int cb_auditq_append(struct cb_auditq *aq, const struct cb_audit_entry *e)
{
	struct waiter w = {.e = e, .rc = CB_EIO};
	bool queued = false;
	sem_init(&w.done, 0, 0);
	pthread_mutex_lock(&aq->mu);
	if (!aq->stop && aq->started) {
		if (aq->tail)
			aq->tail->next = &w;
		else
			aq->head = &w;
		aq->tail = &w;
		queued = true;
		pthread_cond_signal(&aq->work);
	}
	pthread_mutex_unlock(&aq->mu);
	while (queued && sem_wait(&w.done) != 0)
		; /* EINTR */
	sem_destroy(&w.done);
	return w.rc;
}

void cb_auditq_touch(struct cb_auditq *aq, const uint8_t token_hash[32], int64_t seen)
{
	pthread_mutex_lock(&aq->mu);
	int i = 0;
	while (i < aq->ntouch && memcmp(aq->touch[i].token_hash, token_hash, 32))
		i++;
	if (i < TOUCH_MAX && !aq->stop && aq->started) {
		memcpy(aq->touch[i].token_hash, token_hash, 32);
		if (i == aq->ntouch || aq->touch[i].seen < seen)
			aq->touch[i].seen = seen;
		if (i == aq->ntouch)
			aq->ntouch++;
		pthread_cond_signal(&aq->work);
	}
	pthread_mutex_unlock(&aq->mu);
}

void cb_auditq_stop(struct cb_auditq **ap)
{
	struct cb_auditq *aq = *ap;
	if (!aq)
		return;
	if (aq->started) {
		pthread_mutex_lock(&aq->mu);
		aq->stop = true; /* the writer empties the queue first */
		pthread_cond_broadcast(&aq->work);
		pthread_mutex_unlock(&aq->mu);
		pthread_join(aq->th, NULL);
	}
	if (aq->ck_started) {
		pthread_mutex_lock(&aq->mu);
		aq->stop = true;
		pthread_cond_signal(&aq->ckcv);
		pthread_mutex_unlock(&aq->mu);
		pthread_join(aq->ckth, NULL);
	}
	cb_store_free(&aq->ck);
	cb_store_free(&aq->s);
	pthread_mutex_destroy(&aq->mu);
	pthread_cond_destroy(&aq->work);
	pthread_cond_destroy(&aq->ckcv);
	free(aq->ents);
	free(aq->rcs);
	free(aq);
	*ap = NULL;
}
