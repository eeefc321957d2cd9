/*
 * releases.c -- the privacy ledger: statistical releases as rows of the `releases` table (schema step 5).
 *
 * Storage only.  What a release measures, how much it may spend and how its synthetic caseload is encoded
 * are the statistics module's business (src/stats/release.c); here a row is written together with its
 * audit entry, in one transaction, so that no measurement exists that the trail does not show and no
 * audit entry names a release that was not stored.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"

#include "store/store_impl.h"

int cb_store_release_add(struct cb_store *s, struct cb_release_row *r, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char detail[160];
	int rc = cb_store_tx_begin(s, err);
	if (rc != CB_OK)
		return rc;
	if (!r->made_at)
		r->made_at = (int64_t)time(NULL);
	if (r->capped) { /* under the write lock: no other release can come in between */
		double spent = 0;
		if ((rc = cb_store_prep(s->db, "releases", 0, "SELECT coalesce(sum(rho), 0) FROM releases WHERE year = ?1",
					&st, err)))
			goto out;
		cb_db_bind_int64(st, 1, r->year);
		if (cb_db_step(st) == CB_DB_ROW)
			spent = cb_db_column_double(st, 0);
		cb_db_finalize(&st);
		st = NULL;
		if (!cb_release_fits(spent, r->rho, r->cap)) {
			rc = cb_err_set(err, CB_EPERM, "the year has spent rho %.4f meanwhile; rho %.4f more would exceed "
					"its cap %.4f", spent, r->rho, r->cap);
			goto out;
		}
	}
	if ((rc = cb_store_prep(s->db, "releases", 0,
				"INSERT INTO releases(year, made_at, rho, cases, digest, actor, data)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				&st, err)))
		goto out;
	cb_db_bind_int64(st, 1, r->year);
	cb_db_bind_int64(st, 2, r->made_at);
	cb_db_bind_double(st, 3, r->rho);
	cb_db_bind_int64(st, 4, r->cases);
	if (r->digest)
		cb_db_bind_blob(st, 5, r->digest, 16, false);
	cb_db_bind_text(st, 6, r->actor ? r->actor : "", -1, false);
	cb_db_bind_blob(st, 7, r->data, r->len, false);
	if (cb_store_step_done(st) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "releases");
		goto out;
	}
	r->id = cb_db_last_insert_id(s->db);
	snprintf(detail, sizeof detail, "release %lld of %d: rho %.6f", (long long)r->id, r->year, r->rho);
	rc = cb_store_event_as(s, r->actor, r->actor ? "serve" : NULL, cb_audit_names[CB_AUD_STATS_RELEASE], NULL,
			       detail, err);
out:
	cb_db_finalize(&st);
	return cb_store_tx_end(s, rc, err);
}

int cb_store_releases(struct cb_store *s, bool latest, bool with_data, cb_release_fn fn, void *ctx,
		      struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char q[300];
	int rc, r;
	snprintf(q, sizeof q, "SELECT id, year, made_at, rho, cases, digest, actor, %s FROM releases%s ORDER BY year, id",
		 with_data ? "data" : "NULL",
		 latest ? " WHERE id IN (SELECT max(id) FROM releases GROUP BY year)" : "");
	if ((rc = cb_store_prep(s->db, "releases", 0, q, &st, err)))
		return rc;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct cb_release_row row = {
			.id = cb_db_column_int64(st, 0),
			.year = (int)cb_db_column_int64(st, 1),
			.made_at = cb_db_column_int64(st, 2),
			.rho = cb_db_column_double(st, 3),
			.cases = cb_db_column_int64(st, 4),
			.digest = cb_db_column_bytes(st, 5) == 16 ? cb_db_column_blob(st, 5) : NULL,
			.actor = (const char *)cb_db_column_text(st, 6),
			.data = cb_db_column_blob(st, 7),
			.len = (size_t)cb_db_column_bytes(st, 7),
		};
		if ((rc = fn(&row, ctx)) != CB_OK)
			break;
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "releases");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_release_newest(struct cb_store *s, int64_t *id, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	*id = 0;
	int rc = cb_store_prep(s->db, "releases", 0, "SELECT coalesce(max(id), 0) FROM releases", &st, err);
	if (rc)
		return rc;
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		*id = cb_db_column_int64(st, 0);
	cb_db_finalize(&st);
	return r == CB_DB_ROW ? CB_OK : cb_store_db_err(s->db, err, "releases");
}
