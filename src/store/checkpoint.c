/*
 * checkpoint.c -- checkpoints on the caller's schedule (store.h): a server that writes from one thread and
 * checkpoints from another (http/auditq.c) replaces SQLite's automatic checkpoint with a hook of its own, so
 * that no commit waits for one.  Kept here so that nothing above the store touches SQLite.  SQLite only:
 * PostgreSQL checkpoints on its own schedule, and both calls do nothing there.
 */
#include <stdlib.h>

#include "store/store_impl.h"

struct cb_wal_hook {
	void (*fn)(void *ctx, int pages);
	void *ctx;
};

static int wal_hook(void *arg, struct sqlite3 *db, const char *name, int pages)
{
	const struct cb_wal_hook *h = arg;
	(void)db;
	(void)name;
	h->fn(h->ctx, pages);
	return SQLITE_OK;
}

int cb_store_wal_hook(struct cb_store *s, void (*fn)(void *ctx, int pages), void *ctx)
{
	struct cb_wal_hook *h = calloc(1, sizeof *h);
	if (!h)
		return CB_ENOMEM;
	h->fn = fn;
	h->ctx = ctx;
	free(s->wal_hook);
	s->wal_hook = h;
	if (cb_db_sqlite(s->db))
		sqlite3_wal_hook(cb_db_sqlite(s->db), wal_hook, h);
	return CB_OK;
}

int cb_store_checkpoint(struct cb_store *s, bool truncate, int wait_ms)
{
	struct sqlite3 *h = cb_db_sqlite(s->db);
	if (!h)
		return CB_OK;
	sqlite3_busy_timeout(h, wait_ms);
	return sqlite3_wal_checkpoint_v2(h, "main", truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
					 NULL, NULL) == SQLITE_OK
		       ? CB_OK
		       : CB_EDB;
}
