/*
 * meta.c -- small things of an open store (store.h): the settings kept in the meta table, the keyed
 * fingerprint of an imported row, the number of cases, whether the store is read-only.  Split from store.c,
 * which opens the files.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

void cb_store_fingerprint(struct cb_store *s, const void *data, size_t n, uint8_t out[16])
{
	if (s->fp_siphash)
		cb_fast_hash16(s->sec->fpkey, data, n, out);
	else
		cb_keyed_hash16(s->sec->fpkey, data, n, out);
}

long cb_store_count(struct cb_store *s)
{
	struct cb_stmt *st = NULL;
	long n = -1;
	if (cb_db_prepare(s->db, "SELECT count(*) FROM cases", &st, NULL) == CB_OK &&
	    cb_db_step(st) == CB_DB_ROW)
		n = (long)cb_db_column_int64(st, 0);
	cb_db_finalize(&st);
	return n;
}

int cb_store_meta_get(struct cb_store *s, const char *key, char **out)
{
	int rc = CB_ENOTFOUND;
	*out = NULL;
	cb_db_bind_text(s->meta_get, 1, key, -1, false);
	int r = cb_db_step(s->meta_get);
	if (r == CB_DB_ROW) {
		const char *v = (const char *)cb_db_column_text(s->meta_get, 0);
		*out = strdup(v ? v : "");
		rc = *out ? CB_OK : CB_ENOMEM;
	} else if (r != CB_DB_DONE) {
		rc = CB_EDB;
	}
	cb_db_reset(s->meta_get);
	return rc;
}

int cb_store_meta_set(struct cb_store *s, const char *key, const char *value, struct cb_err *err)
{
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if (strcmp(key, "key_check") == 0 || strcmp(key, "fingerprint_hash") == 0 || strcmp(key, "erasing") == 0)
		return cb_err_set(err, CB_EPERM, "meta: %s is not a setting", key);
	cb_db_bind_text(s->meta_set, 1, key, -1, false);
	cb_db_bind_text(s->meta_set, 2, value, -1, false);
	if (cb_store_step_done(s->meta_set) != CB_OK)
		return cb_store_db_err(s->db, err, "meta");
	return CB_OK;
}

bool cb_store_readonly(const struct cb_store *s) { return s->readonly; }

struct sqlite3 *cb_store_db(struct cb_store *s)
{
	return cb_db_sqlite(s->db); /* NULL on PostgreSQL */
}
