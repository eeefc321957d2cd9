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
 * A waiter lives on the requesting thread's stack (its entry is not copied, so no identifying field
 * name list lingers in a shared buffer) with its own condition variable: a commit wakes the requests it
 * holds and nobody else.  The writer has its own store handle (SQLite connections are not shared between
 * threads).
 */
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

struct waiter {
	const struct cb_audit_entry *e;
	struct waiter *next;
	pthread_cond_t cv;
	bool done;
	int rc;
};

struct cb_auditq {
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_t th;
	bool started, stop;
	struct cb_store *s;
	struct waiter *head, *tail; /* queued, oldest first */
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
	pthread_mutex_lock(&aq->mu);
	int i = 0;
	for (struct waiter *w = list, *next; w; w = next, i++) {
		next = w->next; /* w may be gone once its owner sees done */
		w->rc = rc == CB_OK ? aq->rcs[i] : rc;
		w->done = true;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&aq->mu);
}

static void *writer(void *arg)
{
	struct cb_auditq *aq = arg;
	pthread_mutex_lock(&aq->mu);
	for (;;) {
		while (!aq->head && !aq->stop)
			pthread_cond_wait(&aq->work, &aq->mu);
		if (!aq->head)
			break; /* stopping, and the queue is empty */
		struct waiter *list = aq->head;
		aq->head = aq->tail = NULL;
		pthread_mutex_unlock(&aq->mu);
		write_group(aq, list);
		pthread_mutex_lock(&aq->mu);
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
	int rc = cb_store_open(db, 0, &aq->s, err);
	if (rc == CB_OK && pthread_create(&aq->th, NULL, writer, aq) != 0)
		rc = cb_err_set(err, CB_ENOMEM, "cannot start the audit writer");
	aq->started = rc == CB_OK;
	*out = aq;
	return rc;
}

int cb_auditq_append(struct cb_auditq *aq, const struct cb_audit_entry *e)
{
	struct waiter w = {.e = e, .rc = CB_EIO};
	pthread_cond_init(&w.cv, NULL);
	pthread_mutex_lock(&aq->mu);
	if (aq->stop || !aq->started)
		goto out;
	if (aq->tail)
		aq->tail->next = &w;
	else
		aq->head = &w;
	aq->tail = &w;
	pthread_cond_signal(&aq->work);
	while (!w.done)
		pthread_cond_wait(&w.cv, &aq->mu);
out:
	pthread_mutex_unlock(&aq->mu);
	pthread_cond_destroy(&w.cv);
	return w.rc;
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
	cb_store_free(&aq->s);
	pthread_mutex_destroy(&aq->mu);
	pthread_cond_destroy(&aq->work);
	free(aq->ents);
	free(aq->rcs);
	free(aq);
	*ap = NULL;
}
