/*
 * test_auditq.c -- tests of src/http/auditq.c: entries from many threads at once are all written, in one
 * intact chain, and each caller returns only after its entry is committed (another connection sees it).
 */
#include "cb_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <sqlite3.h>

#include "crypto/crypto.h"
#include "http/http.h"

#define THREADS 8
#define EACH 25

static struct cb_auditq *aq;
static char db[512];

static int count_entries(const struct cb_audit_entry *e, void *ctx)
{
	if (!strcmp(e->action, "case.read"))
		(*(int *)ctx)++;
	return CB_OK;
}

static int seen(void)
{
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	int n = 0;
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_audit_list(s, NULL, 100000, count_entries, &n, &err), CB_OK);
	cb_store_free(&s);
	return n;
}

static void *appender(void *arg)
{
	long k = (long)arg;
	for (int i = 0; i < EACH; i++) {
		struct cb_audit_entry e = {0};
		snprintf(e.user, sizeof e.user, "user%ld", k);
		snprintf(e.from, sizeof e.from, "127.0.0.1");
		snprintf(e.action, sizeof e.action, "case.read");
		snprintf(e.fields, sizeof e.fields, "first_name");
		snprintf(e.detail, sizeof e.detail, "%d", i);
		if (cb_auditq_append(aq, &e) != CB_OK)
			return (void *)1;
	}
	return NULL;
}

static void test_many_writers(void **state)
{
	(void)state;
	struct cb_err err = {0};
	assert_int_equal(cb_crypto_init(), CB_OK);
	snprintf(db, sizeof db, "%s", cbt_path("auditq.db"));
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_auditq_start(db, &aq, &err), CB_OK);

	struct cb_audit_entry one = {0};
	snprintf(one.user, sizeof one.user, "amira");
	snprintf(one.from, sizeof one.from, "127.0.0.1");
	snprintf(one.action, sizeof one.action, "case.read");
	assert_int_equal(cb_auditq_append(aq, &one), CB_OK);
	assert_int_equal(seen(), 1); /* committed when the call returns */

	pthread_t th[THREADS];
	for (long i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, appender, (void *)i), 0);
	for (int i = 0; i < THREADS; i++) {
		void *rv;
		pthread_join(th[i], &rv);
		assert_null(rv);
	}
	assert_int_equal(seen(), 1 + THREADS * EACH);

	/* a bad entry fails alone */
	struct cb_audit_entry bad = {0};
	assert_int_not_equal(cb_auditq_append(aq, &bad), CB_OK); /* no action */
	assert_int_equal(cb_auditq_append(aq, &one), CB_OK);
	cb_auditq_stop(&aq);
	assert_null(aq);

	struct cb_store *s = NULL;
	int64_t checked = 0, bad_id = 0;
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_audit_verify(s, &checked, &bad_id, &err), CB_OK);
	assert_true(checked >= 2 + THREADS * EACH);
	cb_store_free(&s);
	assert_int_equal(seen(), 2 + THREADS * EACH);
}

/* Each thread's entries are in the chain in the order that thread queued them: detail counts up per user. */
struct order {
	int last[THREADS];
	bool ok;
};

static int check_order(const struct cb_audit_entry *e, void *ctx)
{
	struct order *o = ctx;
	int k, i;
	if (strcmp(e->action, "case.read") || sscanf(e->user, "user%d", &k) != 1 || k < 0 || k >= THREADS)
		return CB_OK;
	i = atoi(e->detail);
	if (i != o->last[k] - 1) /* listed newest first */
		o->ok = false;
	o->last[k] = i;
	return CB_OK;
}

static void test_order(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	struct order o = {.ok = true};
	for (int k = 0; k < THREADS; k++)
		o.last[k] = EACH;
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_audit_list(s, NULL, 100000, check_order, &o, &err), CB_OK);
	cb_store_free(&s);
	assert_true(o.ok);
	for (int k = 0; k < THREADS; k++)
		assert_int_equal(o.last[k], 0);
}

static atomic_int returned;

static void *one_append(void *arg)
{
	struct cb_audit_entry e = {0};
	(void)arg;
	snprintf(e.user, sizeof e.user, "late");
	snprintf(e.from, sizeof e.from, "127.0.0.1");
	snprintf(e.action, sizeof e.action, "case.read");
	int rc = cb_auditq_append(aq, &e);
	atomic_store(&returned, 1);
	return (void *)(intptr_t)rc;
}

/* While another connection holds the write lock, the entry cannot be committed: the caller must wait. */
static void test_waits_for_commit(void **state)
{
	(void)state;
	struct cb_err err = {0};
	sqlite3 *other = NULL;
	assert_int_equal(cb_auditq_start(db, &aq, &err), CB_OK);
	int before = seen();
	assert_int_equal(sqlite3_open_v2(db, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	pthread_t th;
	atomic_store(&returned, 0);
	assert_int_equal(pthread_create(&th, NULL, one_append, NULL), 0);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&returned), 0); /* not before its commit */
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	void *rv;
	pthread_join(th, &rv);
	assert_int_equal((int)(intptr_t)rv, CB_OK);
	assert_int_equal(seen(), before + 1); /* and committed when it returned */
	cb_auditq_stop(&aq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_writers),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_waits_for_commit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
