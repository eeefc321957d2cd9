/*
 * auditq.c -- group commit for the audit trail.  Every case read is audited, and every audit entry is a
 * durable commit (synchronous=FULL: an fsync); one commit per request would cap reads at a few hundred per
 * second.  Requests hand their entry to one writer thread and wait until the transaction holding it is
 * committed, so an answer still leaves only after its audit entry is on disk, but the entries of all requests
 * waiting at that moment share one commit.
 *
 * The writer has its own store handle (SQLite connections are not shared between threads).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http/http.h"

#define QCAP 256

struct item {
	struct cb_audit_entry e;
	int *rc; /* the waiter's result */
};

struct cb_auditq {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t th;
	bool started, stop;
	struct cb_store *s;
	struct item q[QCAP], batch[QCAP];
	int head, n;              /* ring of pending entries */
	uint64_t queued, written; /* sequence numbers: entries queued, entries whose batch has ended */
};

static void *writer(void *arg)
{
	struct cb_auditq *aq = arg;
	struct item *batch = aq->batch;
	pthread_mutex_lock(&aq->mu);
	for (;;) {
		while (aq->n == 0 && !aq->stop)
			pthread_cond_wait(&aq->work, &aq->mu);
		if (aq->n == 0 && aq->stop)
			break;
		int n = aq->n;
		for (int i = 0; i < n; i++)
			batch[i] = aq->q[(aq->head + i) % QCAP];
		aq->head = (aq->head + n) % QCAP;
		aq->n = 0;
		uint64_t upto = aq->written + (uint64_t)n;
		pthread_cond_broadcast(&aq->done); /* room in the ring again */
		pthread_mutex_unlock(&aq->mu);

		/* each append is a savepoint inside the batch: one bad entry fails alone */
		struct cb_err err = {0};
		int rc = cb_store_begin(aq->s, &err);
		for (int i = 0; i < n; i++)
			*batch[i].rc = rc == CB_OK ? cb_audit_append(aq->s, &batch[i].e, &err) : rc;
		if (rc == CB_OK && (rc = cb_store_commit(aq->s, &err)) != CB_OK) {
			cb_store_rollback(aq->s);
			for (int i = 0; i < n; i++)
				*batch[i].rc = rc;
		}

		pthread_mutex_lock(&aq->mu);
		sodium_memzero(batch, (size_t)n * sizeof batch[0]);
		aq->written = upto;
		pthread_cond_broadcast(&aq->done);
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
	pthread_cond_init(&aq->done, NULL);
	int rc = cb_store_open(db, 0, &aq->s, err);
	if (rc == CB_OK && pthread_create(&aq->th, NULL, writer, aq) != 0)
		rc = cb_err_set(err, CB_ENOMEM, "cannot start the audit writer");
	aq->started = rc == CB_OK;
	*out = aq;
	return rc;
}

int cb_auditq_append(struct cb_auditq *aq, const struct cb_audit_entry *e)
{
	int rc = CB_EIO;
	pthread_mutex_lock(&aq->mu);
	while (aq->n == QCAP && !aq->stop)
		pthread_cond_wait(&aq->done, &aq->mu);
	if (aq->stop || !aq->started)
		goto out;
	struct item *it = &aq->q[(aq->head + aq->n) % QCAP];
	it->e = *e;
	it->rc = &rc;
	aq->n++;
	uint64_t seq = ++aq->queued;
	pthread_cond_signal(&aq->work);
	while (aq->written < seq)
		pthread_cond_wait(&aq->done, &aq->mu);
out:
	pthread_mutex_unlock(&aq->mu);
	return rc;
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
	pthread_cond_destroy(&aq->done);
	sodium_memzero(aq->q, sizeof aq->q);
	sodium_memzero(aq->batch, sizeof aq->batch);
	free(aq);
	*ap = NULL;
}
