/*
 * test_auditq.c -- tests of src/http/auditq.c: entries from many threads at once are all written, in one
 * intact chain, and each caller returns only after its entry is committed (another connection sees it); the
 * WAL stays bounded under sustained writes while readers are always active (SQLite only).  On both backends
 * (cbt_db).
 */
#include "cb_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <sodium.h>
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
	snprintf(db, sizeof db, "%s", cbt_db("auditq.db"));
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

/* Another connection that holds the write lock: SQLite's, or on PostgreSQL the advisory lock every writer
 * of the store takes ("cbwriter", src/store/store.c). */
struct holder {
	sqlite3 *lite;
	PGconn *pg;
};

static void hold_write_lock(struct holder *h)
{
	if (cbt_is_uri(db)) {
		h->pg = PQconnectdb(db);
		assert_int_equal(PQstatus(h->pg), CONNECTION_OK);
		PGresult *r = PQexec(h->pg, "BEGIN; SELECT pg_advisory_xact_lock(x'6362777269746572'::bigint)");
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		PQclear(r);
		return;
	}
	assert_int_equal(sqlite3_open_v2(db, &h->lite, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h->lite, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
}

static void release_write_lock(struct holder *h)
{
	if (h->pg) {
		PGresult *r = PQexec(h->pg, "COMMIT");
		assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
		PQfinish(h->pg);
		return;
	}
	assert_int_equal(sqlite3_exec(h->lite, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h->lite);
}

/* While another connection holds the write lock, the entry cannot be committed: the caller must wait. */
static void test_waits_for_commit(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct holder other = {0};
	assert_int_equal(cb_auditq_start(db, &aq, &err), CB_OK);
	int before = seen();
	hold_write_lock(&other);
	pthread_t th;
	atomic_store(&returned, 0);
	assert_int_equal(pthread_create(&th, NULL, one_append, NULL), 0);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&returned), 0); /* not before its commit */
	release_write_lock(&other);
	void *rv;
	pthread_join(th, &rv);
	assert_int_equal((int)(intptr_t)rv, CB_OK);
	assert_int_equal(seen(), before + 1); /* and committed when it returned */
	cb_auditq_stop(&aq);
}

static void test_touch(void **state)
{
	(void)state;
	struct cb_store *s = NULL;
	struct cb_err err = {0};
	struct cb_user u;
	struct cb_session chk;
	char tok[CB_TOKEN_TEXT];
	uint8_t h[32];
	const int64_t t0 = 1700000000;
	assert_int_equal(cb_store_open(db, 0, &s, &err), CB_OK);
	assert_int_equal(cb_user_add(s, "touchy", CB_ROLE_ANALYST, NULL, "a long password 1", &u, &err), CB_OK);
	assert_int_equal(cb_session_new(s, u.id, t0, tok, NULL, &err), CB_OK);
	assert_int_equal(cb_auditq_start(db, &aq, &err), CB_OK);
	crypto_generichash(h, 32, (const uint8_t *)tok, strlen(tok), NULL, 0);
	cb_auditq_touch(aq, h, t0 + 600);
	cb_auditq_touch(aq, h, t0 + 900); /* the later time wins */
	cb_auditq_stop(&aq);
	assert_int_equal(cb_session_lookup(s, tok, t0 + 1000, &chk, &u, &err), CB_OK);
	assert_int_equal(chk.last_seen, t0 + 900);
	cb_store_free(&s);
}

/* Sustained load with readers that always have a read transaction open (two connections taking turns, as the
 * server's request threads do): the WAL must still start over now and then, so its file stays bounded. */
static atomic_bool reading;

static void *reader(void *arg)
{
	sqlite3 *rd[2] = {NULL, NULL};
	(void)arg;
	for (int i = 0; i < 2; i++)
		if (sqlite3_open_v2(db, &rd[i], SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
			return (void *)1;
	/* overlapping: the second begins before the first ends, so some reader always holds a snapshot */
	sqlite3_exec(rd[0], "BEGIN; SELECT count(*) FROM audit", NULL, NULL, NULL);
	for (int k = 1; atomic_load(&reading); k ^= 1) {
		sqlite3_exec(rd[k], "BEGIN; SELECT count(*) FROM audit", NULL, NULL, NULL);
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
		sqlite3_exec(rd[k ^ 1], "COMMIT", NULL, NULL, NULL);
	}
	for (int i = 0; i < 2; i++) {
		sqlite3_exec(rd[i], "COMMIT", NULL, NULL, NULL);
		sqlite3_close(rd[i]);
	}
	return NULL;
}

static void test_wal_bounded(void **state)
{
	(void)state;
	struct cb_err err = {0};
	struct stat st;
	char wal[600];
	const int n = 3000;
	cbt_sqlite_only("the WAL file and its checkpoints");
	assert_int_equal(cb_crypto_init(), CB_OK);
	snprintf(db, sizeof db, "%s", cbt_path("walbound.db"));
	snprintf(wal, sizeof wal, "%s-wal", db);
	assert_int_equal(cb_store_create(db, &err), CB_OK);
	assert_int_equal(cb_auditq_start(db, &aq, &err), CB_OK);
	pthread_t rt;
	atomic_store(&reading, true);
	assert_int_equal(pthread_create(&rt, NULL, reader, NULL), 0);
	long long largest = 0;
	struct cb_audit_entry e = {0};
	snprintf(e.user, sizeof e.user, "amira");
	snprintf(e.from, sizeof e.from, "127.0.0.1");
	snprintf(e.action, sizeof e.action, "case.read");
	snprintf(e.fields, sizeof e.fields, "first_name,last_name,birth_date,phone,address,narrative");
	for (int i = 0; i < n; i++) { /* one entry a commit: the most WAL per entry */
		snprintf(e.detail, sizeof e.detail, "%d %0200d", i, 0);
		assert_int_equal(cb_auditq_append(aq, &e), CB_OK);
		if (i % 100 == 0 && stat(wal, &st) == 0 && st.st_size > largest)
			largest = st.st_size;
	}
	atomic_store(&reading, false);
	void *rv;
	pthread_join(rt, &rv);
	assert_null(rv);
	if (stat(wal, &st) == 0 && st.st_size > largest)
		largest = st.st_size;
	cb_auditq_stop(&aq);
	print_message("%d commits with readers: WAL at most %lld KiB\n", n, largest / 1024);
	assert_true(largest < 32LL << 20); /* 16 MiB, and what is written while the checkpoint waits */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_writers),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_waits_for_commit),
		cmocka_unit_test(test_touch),
		cmocka_unit_test(test_wal_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
