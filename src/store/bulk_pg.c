/*
 * bulk_pg.c -- new cases of a bulk batch on PostgreSQL written as one COPY (cb_db_defer) instead of an INSERT
 * and a `SELECT lastval()` each: an import otherwise waits on two round trips to the server per case.
 *
 * A row kept back for COPY gets no answer until the batch is sent, so two things the INSERT told at once are
 * settled before:
 *   - its seq: taken here from the cases' identity sequence, a block at a time (nextval, then setval past the
 *     block: every insert into cases runs under the write lock, as this does, so nobody draws from the
 *     sequence in between), and written explicitly;
 *   - whether its case id exists: a set of every stored case id (read once, then the ids of cases with a
 *     higher seq at each batch: writers go one at a time under the write lock, so seqs commit in order).  The
 *     set may hold more than the table (erased cases, a batch rolled back), never less: an id in the set is
 *     looked up (CB_EEXIST before anything is written: on PostgreSQL a failed INSERT would end the whole
 *     batch's transaction), any other cannot conflict.
 * Fingerprints need nothing: the store already knows every stored one (fingerprints.c).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* seqs reserved at a time: the first block of a batch small (a batch of a few cases leaves a small gap), each
 * next one twice as large, since drawing a block ends the COPY streaming the batch's rows (db_pg_copy.c) */
#define SEQ_FIRST 1024
#define SEQ_MAX (1 << 20)

struct cb_bulk_pg {
	struct cb_stmt *ins, *more_ids, *seqs;
	struct cb_count16 ids; /* every stored case id up to seq `known` (and more) */
	int64_t known;
	bool fresh;            /* the set was brought up to date in this batch */
	int64_t first;         /* seqs first .. first + n - 1 are reserved in this batch, from first + next on */
	int next, n;
	struct cb_bound bound[CB_NFIELDS]; /* ins's field bindings (records.c, bind_fields) */
};

void cb_bulk_pg_free(struct cb_store *s)
{
	struct cb_bulk_pg *b = s->bulk_pg;
	if (!b)
		return;
	cb_db_finalize(&b->ins);
	cb_db_finalize(&b->more_ids);
	cb_db_finalize(&b->seqs);
	cb_count16_free(&b->ids);
	free(b);
	s->bulk_pg = NULL;
}

void cb_bulk_pg_end(struct cb_store *s)
{
	if (s->bulk_pg) { /* seqs are reserved per batch: a later batch of another server must get higher ones */
		s->bulk_pg->fresh = false;
		s->bulk_pg->next = s->bulk_pg->n = 0;
	}
}

static int make(struct cb_store *s, struct cb_err *err)
{
	struct cb_bulk_pg *b = calloc(1, sizeof *b);
	struct cb_buf ins = {0}, copy = {0};
	int rc = CB_ENOMEM;
	bool ok = b != NULL;
	ok = ok && !cb_buf_printf(&ins, "INSERT INTO cases(case_id, version, created_at, updated_at, record_key, "
					"fingerprint, pii");
	ok = ok && !cb_buf_printf(&copy, "COPY cases(case_id, version, created_at, updated_at, record_key, "
					 "fingerprint, pii");
	for (int i = 0; ok && i < s->ncols; i++)
		ok = !cb_buf_printf(&ins, ", \"%s\"", s->cols[i]->name) && !cb_buf_printf(&copy, ", \"%s\"", s->cols[i]->name);
	ok = ok && !cb_buf_printf(&ins, ", seq) VALUES (?1") && !cb_buf_printf(&copy, ", seq) FROM STDIN");
	for (int i = 2; ok && i <= P_FIELDS + s->ncols; i++)
		ok = !cb_buf_printf(&ins, ", ?%d", i);
	ok = ok && !cb_buf_printf(&ins, ")");
	if (!ok)
		goto out;
	if ((rc = cb_store_prep(s->db, "bulk insert", 0, (const char *)ins.data, &b->ins, err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, "bulk insert", 0, "SELECT seq, case_id FROM cases WHERE seq > ?1",
				&b->more_ids, err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, "bulk insert", 0,
				"SELECT v, setval(pg_get_serial_sequence('cases', 'seq'), v + ?1 - 1)"
				" FROM (SELECT nextval(pg_get_serial_sequence('cases', 'seq')) AS v) x",
				&b->seqs, err)) != CB_OK)
		goto out;
	if (cb_db_defer(b->ins, (const char *)copy.data) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "bulk insert");
		goto out;
	}
	s->bulk_pg = b;
	b = NULL;
	rc = CB_OK;
out:
	if (rc == CB_ENOMEM)
		cb_err_set(err, rc, "out of memory");
	if (b) {
		s->bulk_pg = b;
		cb_bulk_pg_free(s);
	}
	cb_buf_free(&ins);
	cb_buf_free(&copy);
	return rc;
}

/* The ids of cases stored since the set was last brought up to date. */
static int refresh(struct cb_store *s, struct cb_bulk_pg *b, struct cb_err *err)
{
	int r;
	cb_db_bind_int64(b->more_ids, 1, b->known);
	while ((r = cb_db_step(b->more_ids)) == CB_DB_ROW) {
		int64_t seq = cb_db_column_int64(b->more_ids, 0);
		if (cb_db_column_bytes(b->more_ids, 1) == 16 && cb_count16_bump(&b->ids, cb_db_column_blob(b->more_ids, 1)) < 0) {
			cb_db_reset(b->more_ids);
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		}
		if (seq > b->known)
			b->known = seq;
	}
	cb_db_reset(b->more_ids);
	if (r != CB_DB_DONE)
		return cb_store_db_err(s->db, err, "bulk insert");
	b->fresh = true;
	return CB_OK;
}

static int reserve(struct cb_store *s, struct cb_bulk_pg *b, struct cb_err *err)
{
	int n = b->n ? (b->n < SEQ_MAX ? 2 * b->n : SEQ_MAX) : SEQ_FIRST;
	b->next = b->n = 0;
	cb_db_bind_int64(b->seqs, 1, n);
	int r = cb_db_step(b->seqs);
	if (r == CB_DB_ROW) {
		b->first = cb_db_column_int64(b->seqs, 0);
		b->n = n;
	}
	cb_db_reset(b->seqs);
	if (r != CB_DB_ROW)
		return cb_store_db_err(s->db, err, "bulk insert");
	return CB_OK;
}

int cb_bulk_pg_claim(struct cb_store *s, const uint8_t id[16], struct cb_stmt **ins, struct cb_bound **bound,
		     int64_t *seq, struct cb_err *err)
{
	int rc;
	*seq = 0;
	if (cb_db_kind(s->db) != CB_DB_PG || !s->bulk)
		return CB_OK;
	if (!s->bulk_pg && (rc = make(s, err)) != CB_OK)
		return rc;
	struct cb_bulk_pg *b = s->bulk_pg;
	if (!b->fresh && (rc = refresh(s, b, err)) != CB_OK)
		return rc;
	if (cb_count16_get(&b->ids, id) > 0) { /* perhaps stored (or earlier in this batch: the look-up sends those) */
		cb_db_bind_blob(s->ver, 1, id, 16, false);
		int r = cb_db_step(s->ver);
		cb_db_reset(s->ver);
		if (r == CB_DB_ROW) { /* said before the INSERT: a failed statement would end PostgreSQL's transaction */
			char idt[CB_ID_TEXT];
			cb_case_id_format(id, idt);
			return cb_err_set(err, CB_EEXIST, "case %s already exists", idt);
		}
		if (r != CB_DB_DONE)
			return cb_store_db_err(s->db, err, "bulk insert");
	} else if (cb_count16_bump(&b->ids, id) < 0) {
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	}
	if (b->next == b->n && (rc = reserve(s, b, err)) != CB_OK)
		return rc;
	*seq = b->first + b->next++;
	*ins = b->ins;
	*bound = b->bound;
	return CB_OK;
}
