/*
 * keywriter.c -- during a bulk load, the case keys are written to DB.casekeys by a thread of their own.
 *
 * A load's writer (import.c) spends its time inside SQLite, and every case with identifying details costs it
 * a second insert, into the key store: about a tenth of its work.  The key store is a separate file on its
 * own connection, so that insert can run beside the case inserts.  cb_store_write hands the key (slot, case
 * id, wrapped key) over with cb_keywriter_push; this thread inserts it into the transaction that
 * cb_store_begin opened on DB.casekeys.  Before anybody else touches that connection (commit, rollback, any
 * key read or delete) they call cb_keywriter_drain, which waits until every handed-over key is inserted and
 * says whether all went well.  So the connection is only ever used by one thread at a time, the mutex hand-off
 * orders their uses, and the write order of store.c is unchanged: cb_store_commit drains, commits the keys,
 * then the cases.  An insert that fails fails the batch at its commit (nothing of it is kept).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* Keys are handed over this many at a time (or fewer when somebody drains): a wake-up per key would cost a
 * system call and a switch of threads per case. */
#define HANDOVER 512

struct key_entry {
	int64_t seq;
	uint8_t id[16];
	uint8_t wrapped[CB_WRAPPED_KEY_BYTES];
};

struct cb_keywriter {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct key_entry *queue, *work; /* the writer appends to queue; the thread empties work */
	size_t n, cap, wcap;
	bool busy, stop;
	int draining; /* callers waiting in cb_keywriter_drain: take whatever is queued */
	int rc; /* the first failure (CB_OK while none), and its message */
	struct cb_err err;
	struct cb_stmt *ins;
	struct cb_db *kdb;
};

static void *keywriter_main(void *arg)
{
	struct cb_keywriter *kw = arg;
	pthread_mutex_lock(&kw->mu);
	for (;;) {
		while (!kw->stop && (kw->n == 0 || (kw->n < HANDOVER && !kw->draining)))
			pthread_cond_wait(&kw->cv, &kw->mu);
		if (kw->n == 0)
			break; /* stopping, nothing left */
		struct key_entry *batch = kw->queue;
		size_t n = kw->n, cap = kw->cap;
		kw->queue = kw->work; /* the writer goes on filling the other buffer */
		kw->cap = kw->wcap;
		kw->work = batch;
		kw->wcap = cap;
		kw->n = 0;
		kw->busy = true;
		bool failed = kw->rc != CB_OK;
		pthread_mutex_unlock(&kw->mu);
		struct cb_err e = {0};
		int rc = CB_OK;
		for (size_t i = 0; i < n && !failed && rc == CB_OK; i++) {
			cb_db_bind_int64(kw->ins, 1, batch[i].seq);
			cb_db_bind_blob(kw->ins, 2, batch[i].id, 16, false);
			cb_db_bind_blob(kw->ins, 3, batch[i].wrapped, CB_WRAPPED_KEY_BYTES, false);
			if (cb_store_step_done(kw->ins) != CB_OK)
				rc = cb_store_db_err(kw->kdb, &e, "case keys");
		}
		pthread_mutex_lock(&kw->mu);
		if (rc != CB_OK && kw->rc == CB_OK) {
			kw->rc = rc;
			kw->err = e;
		}
		kw->busy = false;
		pthread_cond_broadcast(&kw->cv);
	}
	pthread_mutex_unlock(&kw->mu);
	return NULL;
}

int cb_keywriter_start(struct cb_store *s)
{
	struct cb_keywriter *kw = calloc(1, sizeof *kw);
	if (!kw)
		return CB_ENOMEM;
	kw->kdb = s->kdb;
	kw->ins = s->key_ins;
	pthread_mutex_init(&kw->mu, NULL);
	pthread_cond_init(&kw->cv, NULL);
	if (pthread_create(&kw->thread, NULL, keywriter_main, kw) != 0) {
		pthread_cond_destroy(&kw->cv);
		pthread_mutex_destroy(&kw->mu);
		free(kw);
		return CB_ENOMEM; /* the load writes its keys itself */
	}
	s->kw = kw;
	return CB_OK;
}

int cb_keywriter_push(struct cb_store *s, int64_t seq, const uint8_t id[16],
		      const uint8_t wrapped[CB_WRAPPED_KEY_BYTES], struct cb_err *err)
{
	struct cb_keywriter *kw = s->kw;
	int rc = CB_OK;
	pthread_mutex_lock(&kw->mu);
	if (kw->rc != CB_OK) { /* stop early: the batch will fail at its commit anyway */
		rc = kw->rc;
		if (err)
			*err = kw->err;
	} else if (kw->n == kw->cap) {
		size_t cap = kw->cap ? kw->cap * 2 : 1024;
		struct key_entry *q = realloc(kw->queue, cap * sizeof *q);
		if (!q)
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		else
			kw->queue = q, kw->cap = cap;
	}
	if (rc == CB_OK) {
		struct key_entry *k = &kw->queue[kw->n++];
		k->seq = seq;
		memcpy(k->id, id, 16);
		memcpy(k->wrapped, wrapped, CB_WRAPPED_KEY_BYTES);
		if (kw->n == HANDOVER)
			pthread_cond_broadcast(&kw->cv);
	}
	pthread_mutex_unlock(&kw->mu);
	return rc;
}

int cb_keywriter_drain(struct cb_store *s, bool reset, struct cb_err *err)
{
	struct cb_keywriter *kw = s->kw;
	if (!kw)
		return CB_OK;
	pthread_mutex_lock(&kw->mu);
	kw->draining++;
	pthread_cond_broadcast(&kw->cv);
	while (kw->n > 0 || kw->busy)
		pthread_cond_wait(&kw->cv, &kw->mu);
	kw->draining--;
	int rc = kw->rc;
	if (rc != CB_OK && err)
		*err = kw->err;
	if (reset)
		kw->rc = CB_OK;
	pthread_mutex_unlock(&kw->mu);
	return rc;
}

bool cb_keywriter_idle(struct cb_store *s)
{
	struct cb_keywriter *kw = s->kw;
	if (!kw)
		return true;
	pthread_mutex_lock(&kw->mu);
	const bool idle = kw->n == 0 && !kw->busy;
	pthread_mutex_unlock(&kw->mu);
	return idle;
}

void cb_keywriter_stop(struct cb_store *s)
{
	struct cb_keywriter *kw = s->kw;
	if (!kw)
		return;
	pthread_mutex_lock(&kw->mu);
	kw->stop = true;
	pthread_cond_broadcast(&kw->cv);
	pthread_mutex_unlock(&kw->mu);
	pthread_join(kw->thread, NULL);
	pthread_cond_destroy(&kw->cv);
	pthread_mutex_destroy(&kw->mu);
	free(kw->queue);
	free(kw->work);
	free(kw);
	s->kw = NULL;
}
