/*
 * changes.c -- the "cases changed" hook (store.h, cb_store_on_change): the layers above register what must
 * follow a committed change of a case (the server's resident statistics index), and the store calls it after
 * the commit, so that the store never calls up and nobody above it has to remember to.
 *
 * The ids a transaction changes are kept until it ends: its commit hands them to the hook, a rollback forgets
 * them, so the hook never sees a change that did not happen.  Without a hook nothing is kept (a bulk load pays
 * nothing).  If memory runs out while keeping them, the hook is told that anything may have changed (id NULL).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

void cb_store_on_change(struct cb_store *s, cb_change_fn fn, void *ctx)
{
	cb_store_changes_end(s, false);
	s->on_change = fn;
	s->on_change_ctx = ctx;
}

void cb_store_changed(struct cb_store *s, const uint8_t id[16])
{
	if (!s->on_change || s->changed_all)
		return;
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
