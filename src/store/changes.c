/*
 * changes.c -- the "cases changed" hook (store.h, cb_store_on_change): the layers above register what must
 * follow a committed change of a case (the server's resident statistics index), and the store calls it after
 * the commit, so that the store never calls up and nobody above it has to remember to.
 *
 * The ids a transaction changes are kept until it ends: its commit hands them to the hook, a rollback forgets
 * them, so the hook never sees a change that did not happen.  Without a hook nothing is kept on SQLite (a bulk
 * load pays nothing).  If memory runs out while keeping them, the hook is told that anything may have changed
 * (id NULL).
 *
 * On PostgreSQL other servers follow too: just before the commit the transaction sends a NOTIFY on
 * CB_CHANGES_CHANNEL per changed case (payload: its id in hex), so the notifications are delivered when, and
 * only if, it commits (listen.c receives them).  A transaction that changed more than NOTIFY_IDS cases (an
 * import) sends one "*" instead: anything may have changed.  So there the ids are kept without a hook too,
 * at most NOTIFY_IDS of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/schema.h"
#include "store/store_impl.h"

#define NOTIFY_IDS 64

static bool notifies(struct cb_store *s) { return cb_db_kind(s->db) == CB_DB_PG; }

void cb_store_on_change(struct cb_store *s, cb_change_fn fn, void *ctx)
{
	cb_store_changes_end(s, false);
	s->on_change = fn;
	s->on_change_ctx = ctx;
}

void cb_store_changed(struct cb_store *s, const uint8_t id[16])
{
	if ((!s->on_change && !notifies(s)) || s->changed_all)
		return;
	if (!s->on_change && s->nchanged >= NOTIFY_IDS) { /* kept only to notify: one "*" will say it */
		s->changed_all = true;
		return;
	}
	if (s->nchanged == s->changed_cap) {
		size_t cap = s->changed_cap ? 2 * s->changed_cap : 16;
		uint8_t (*grown)[16] = realloc(s->changed, cap * sizeof *grown);
		if (!grown) {
			s->changed_all = true;
			return;
		}
		s->changed = grown;
		s->changed_cap = cap;
	}
	memcpy(s->changed[s->nchanged++], id, 16);
}

int cb_store_changes_notify(struct cb_store *s, struct cb_err *err)
{
	if (!notifies(s) || (!s->nchanged && !s->changed_all))
		return CB_OK;
	/* one round trip: "NOTIFY casebank_cases, '<hex>';" per case (hex only: nothing to escape) */
	enum { ONE = sizeof "NOTIFY " CB_CHANGES_CHANNEL ", '';" - 1 + 32 };
	char sql[NOTIFY_IDS * ONE + 1];
	size_t o = 0;
	if (s->changed_all || s->nchanged > NOTIFY_IDS) {
		o = (size_t)snprintf(sql, sizeof sql, "NOTIFY " CB_CHANGES_CHANNEL ", '*'");
	} else {
		for (size_t i = 0; i < s->nchanged; i++) {
			char hex[33];
			sodium_bin2hex(hex, sizeof hex, s->changed[i], 16);
			o += (size_t)snprintf(sql + o, sizeof sql - o, "NOTIFY " CB_CHANGES_CHANNEL ", '%s';", hex);
		}
	}
	(void)o;
	return cb_schema_exec(s->db, sql, err);
}

void cb_store_changes_end(struct cb_store *s, bool committed)
{
	if (committed && s->on_change) {
		if (s->changed_all)
			s->on_change(s->on_change_ctx, NULL);
		else
			for (size_t i = 0; i < s->nchanged; i++)
				s->on_change(s->on_change_ctx, s->changed[i]);
	}
	s->nchanged = 0;
	s->changed_all = false;
}

void cb_store_changes_free(struct cb_store *s)
{
	free(s->changed);
	s->changed = NULL;
	s->nchanged = s->changed_cap = 0;
}
