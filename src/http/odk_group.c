/*
 * odk_group.c -- group commit of new cases from submissions.  Each case is a durable commit (two fsyncs:
 * the key store, then the cases), a few milliseconds each under the write lock, which would cap a server at
 * under a hundred submissions a second however many phones send at once.  So a submission hands its case,
 * already validated and sealed on its own thread (cb_store_prepare), to a queue; the first request to find
 * nobody writing becomes the writer, takes everything queued, writes it in one transaction with its own
 * store handle (cb_store_odk_write_cases: a savepoint each, so one duplicate fails alone), and wakes those
 * whose cases it held; then whoever is still waiting takes the next batch.  Nobody is answered before the
 * transaction holding their case is on disk.  No timer and no thread of its own: a lone submission is
 * written at once.
 */
#include <pthread.h>
#include <stdlib.h>

#include "http/openrosa.h"

#define BATCH_MAX 256

struct waiter {
	struct cb_odk_new_case *job;
	struct waiter *next;
	bool done;
};

struct cb_odk_group {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct waiter *head, *tail;
	bool writing;
};

int cb_odk_group_new(struct cb_odk_group **out)
{
	struct cb_odk_group *g = calloc(1, sizeof *g);
	if (!g)
		return CB_ENOMEM;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	*out = g;
	return CB_OK;
}

void cb_odk_group_free(struct cb_odk_group **g)
{
	if (!g || !*g)
		return;
	pthread_mutex_destroy(&(*g)->mu);
	pthread_cond_destroy(&(*g)->cv);
	free(*g);
	*g = NULL;
}

void cb_odk_group_write(struct cb_http_req *r, struct cb_odk_group *g, struct cb_odk_new_case *job)
{
	struct waiter me = {.job = job};
	struct waiter *batch[BATCH_MAX];
	struct cb_odk_new_case *jobs[BATCH_MAX];
	pthread_mutex_lock(&g->mu);
	if (g->tail)
		g->tail->next = &me;
	else
		g->head = &me;
	g->tail = &me;
	while (!me.done) {
		if (g->writing) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		g->writing = true;
		int n = 0;
		while (g->head && n < BATCH_MAX) {
			batch[n] = g->head;
			jobs[n++] = g->head->job;
			if (!(g->head = g->head->next))
				g->tail = NULL;
		}
		pthread_mutex_unlock(&g->mu);
		struct cb_err err = {0};
		cb_store_odk_write_cases(cb_api_store(r), jobs, n, &err);
		pthread_mutex_lock(&g->mu);
		for (int i = 0; i < n; i++)
			batch[i]->done = true; /* from here on the waiter is its owner's again */
		g->writing = false;
		pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
}
