/*
 * records.c -- reading and writing cases in an open store: coded fields and their columns, add, get, update,
 * and the fields the store keeps.  Identifying details are sealed in pii.c, erasure is erase.c, scan and check
 * are check.c.
 *
 * store.c opens the files and explains the write order (case keys commit before the cases that use them,
 * and are destroyed after the erasure is committed: "erasure" below); this file follows it.  Coded fields are bound one per
 * column straight from the case (value names and alpha-2 codes are static strings, so no copies); DATE and
 * MULTI text goes through per-field scratch buffers that live in the store, so adding a case allocates
 * nothing once the buffers have grown.  Adding is two steps (cb_store_prepare: validate, seal, wrap, no
 * SQLite, thread-safe with its own buffers; cb_store_write: the inserts) so that bulk loads can run the
 * first on another thread.  Identifying details are packed (name\0value\0 pairs after a format
 * byte), sealed with the case key (associated data: case id) and the packed text wiped.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/schema.h"
#include "store/store_impl.h"
#include "store/tokens.h"

/* ---- coded fields <-> columns */

/* The value names of a MULTI set joined by ';' (as cb_case_format writes them), without printf. */
static size_t join_multi(const struct cb_field *f, uint64_t set, char *buf, size_t n)
{
	size_t o = 0;
	for (int i = 0; i < f->vset->count && set; i++) {
		if (!(set & (UINT64_C(1) << i)))
			continue;
		set &= ~(UINT64_C(1) << i);
		const char *name = f->vset->values[i].name;
		size_t len = f->vset->values[i].len;
		if (o + len + 2 > n)
			return n;
		if (o)
			buf[o++] = ';';
		memcpy(buf + o, name, len);
		o += len;
	}
	buf[o] = 0;
	return set ? n : o; /* a bit beyond the value set: refuse rather than drop it */
}

enum { BOUND_UNKNOWN, BOUND_NULL, BOUND_VALUE };

static void bind_null(struct cb_stmt *st, int p, struct cb_bound *b)
{
	if (b->state != BOUND_NULL)
		cb_db_bind_null(st, p);
	b->state = BOUND_NULL;
}

/* True if parameter p holds coded value v already: its text is a static string (value name, country code) or
 * the integer itself, so the binding still stands.  Else the caller binds it now. */
static bool bound_to(struct cb_bound *b, int32_t v)
{
	if (b->state == BOUND_VALUE && b->v == v)
		return true;
	b->state = BOUND_VALUE;
	b->v = v;
	return false;
}

/* Binds every column field of c to st, parameters first..first+ncols-1; bound[i] tracks what is bound. */
static int bind_fields(struct cb_store *s, struct cb_stmt *st, int first, const struct cb_case *c,
		       struct cb_bound *bound, struct cb_err *err)
{
	for (int i = 0; i < s->ncols; i++) {
		const struct cb_field *f = s->cols[i];
		const void *m = cb_case_cmember(c, f);
		const int p = first + i;
		int32_t v = CB_NA;
		if (st == s->upd && (f->flags & CB_F_STORE))
			continue; /* not in the update: see prepare_all */
		if (f->kind != CB_SITE && f->kind != CB_MULTI)
			memcpy(&v, m, sizeof v);
		struct cb_bound *b = &bound[i];
		switch (f->kind) {
		case CB_SITE: /* text in the case itself: bound anew every time */
			if (*(const char *)m) {
				cb_db_bind_text(st, p, m, -1, false);
				b->state = BOUND_UNKNOWN;
			} else {
				bind_null(st, p, b);
			}
			break;
		case CB_ENUM:
			if (v == CB_NA)
				bind_null(st, p, b);
			else if (v < 0 || v >= f->vset->count)
				return cb_err_field(err, CB_EINVAL, f->name, "field %s: value index %d out of range", f->name,
						    (int)v);
			else if (!bound_to(b, v))
				cb_db_bind_text(st, p, f->vset->values[v].name, (int)f->vset->values[v].len,
						  false);
			break;
		case CB_COUNTRY:
			if (v == CB_NA)
				bind_null(st, p, b);
			else if (v < 0 || v >= cb_ncountries)
				return cb_err_field(err, CB_EINVAL, f->name, "field %s: country index %d out of range",
						    f->name, (int)v);
			else if (!bound_to(b, v))
				cb_db_bind_text(st, p, cb_countries[v].alpha2, 2, false);
			break;
		case CB_INT:
		case CB_BOOL:
			if (v == CB_NA)
				bind_null(st, p, b);
			else if (!bound_to(b, v))
				cb_db_bind_int64(st, p, v);
			break;
		case CB_DATE:
			if (v == CB_NA) {
				bind_null(st, p, b);
			} else { /* scratch is shared by ins and upd: bound anew every time */
				cb_date_format(v, s->scratch[i]);
				cb_db_bind_text(st, p, s->scratch[i], 10, false);
				b->state = BOUND_UNKNOWN;
			}
			break;
		case CB_MULTI: {
			uint64_t set;
			memcpy(&set, m, sizeof set);
			if (!set) {
				bind_null(st, p, b);
				break;
			}
			size_t n = join_multi(f, set, s->scratch[i], SCRATCH);
			if (n >= SCRATCH)
				return cb_err_field(err, CB_EINVAL, f->name, "field %s: value set out of range", f->name);
			cb_db_bind_text(st, p, s->scratch[i], (int)n, false);
			b->state = BOUND_UNKNOWN;
			break;
		}
		default:
			bind_null(st, p, b);
		}
	}
	return CB_OK;
}

/* Reads the coded fields of the current row of st (columns as in select_cols) into c, through
 * cb_case_set_text so that stored text is validated like any other input.  With `out`, every bad field is a
 * line on out and counted in *problems; without, the first one is the error. */
int cb_store_parse_row(struct cb_store *s, struct cb_stmt *st, struct cb_case *c, FILE *out, long *problems,
		     struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	cb_case_init(c);
	if (cb_db_column_bytes(st, C_ID) != 16) {
		if (out) {
			fprintf(out, "row %lld: malformed case id\n", (long long)cb_db_column_int64(st, C_SEQ));
			++*problems;
		}
		return cb_err_set(err, CB_ECORRUPT, "row %lld: malformed case id", (long long)cb_db_column_int64(st, C_SEQ));
	}
	memcpy(c->case_id, cb_db_column_blob(st, C_ID), 16);
	c->version = cb_db_column_int64(st, C_VERSION);
	for (int i = 0; i < s->ncols; i++) {
		const struct cb_field *f = s->cols[i];
		const int col = C_FIELDS + i;
		const int type = cb_db_column_type(st, col);
		const char *text;
		struct cb_err e = {0};
		if (type == CB_DB_NULL)
			continue;
		if (f->kind == CB_BOOL && type == CB_DB_INT && f->vset && cb_db_column_int64(st, col) >= 0 &&
		    cb_db_column_int64(st, col) < f->vset->count)
			text = f->vset->values[(int)cb_db_column_int64(st, col)].name;
		else
			text = (const char *)cb_db_column_text(st, col);
		if (cb_case_set_text(c, f, text ? text : "", &e) == CB_OK)
			continue;
		cb_case_id_format(c->case_id, idt);
		if (!out)
			return cb_err_field(err, CB_ECORRUPT, f->name, "case %s: stored %s", idt, e.msg);
		fprintf(out, "case %s: %s\n", idt, e.msg); /* e.msg starts with the field name */
		++*problems;
	}
	return CB_OK;
}

/* ---- add, get, update, erase */

static int prepare_case(struct cb_case *c, struct cb_err *err)
{
	cb_case_derive(c);
	return cb_case_validate(c, err);
}

/* The fields the store keeps (CB_F_STORE) are not the caller's to set: a new case has no assistance records
 * or referrals yet, and starts at the first stage of the workflow unless it brings one or a status that
 * stands for one (an import); its status then follows the stage (codebook/status.c). */
static void store_fields_new(struct cb_case *c)
{
	for (int i = 0; i < CB_NFIELDS; i++)
		if ((cb_fields[i].flags & CB_F_STORE) && cb_fields[i].kind == CB_MULTI)
			*(uint64_t *)cb_case_member(c, &cb_fields[i]) = 0;
	if (c->case_stage == CB_NA)
		c->case_stage = cb_stage_of_status(c->status);
	c->status = cb_status_of_stage(c->case_stage, c->status);
}

/* A case ready to be written: see cb_store_prepare. */
struct cb_prepared {
	struct cb_case c; /* coded fields and id; its identifying-detail pointers are always NULL */
	bool pii, has_fp;
	uint8_t fp[16];
	int record_key;
	uint8_t wrapped[CB_WRAPPED_KEY_BYTES];
	uint8_t *sealed;
	size_t sealed_n, sealed_cap;
	struct cb_buf pack; /* plaintext while sealing: wiped */
	struct cb_blind blind; /* its blind-index tokens (tokens.h) and sealed CLK */
	uint8_t clk[CB_CLK_SEALED];
};

/* Room for most cases' details from the start.  A pipeline makes all its cb_prepared on one thread before
 * the others use them: were the buffers first grown by a worker thread, its malloc arena would grow a page
 * at a time, each step an mprotect that interrupts the other core (a TLB shootdown), tens of thousands of
 * times while an import fills its ring. */
#define PREPARED_ROOM 1024

struct cb_prepared *cb_prepared_new(void)
{
	struct cb_prepared *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	cb_case_init(&p->c);
	p->sealed = malloc(PREPARED_ROOM);
	p->pack.data = malloc(PREPARED_ROOM);
	if (!p->sealed || !p->pack.data) {
		cb_prepared_free(&p);
		return NULL;
	}
	p->sealed_cap = p->pack.cap = PREPARED_ROOM;
	return p;
}

void cb_prepared_free(struct cb_prepared **pp)
{
	struct cb_prepared *p = pp ? *pp : NULL;
	if (!p)
		return;
	cb_buf_free(&p->pack);
	free(p->sealed);
	free(p);
	*pp = NULL;
}

int cb_store_prepare(struct cb_store *s, struct cb_case *c, const uint8_t *fingerprint, struct cb_prepared *p,
		     struct cb_err *err)
{
	uint8_t key[CB_KEY_BYTES];
	int rc;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	store_fields_new(c);
	if ((rc = prepare_case(c, err)) != CB_OK)
		return rc;
	while (cb_case_id_is_zero(c->case_id))
		cb_random_bytes(c->case_id, 16);
	p->pii = cb_case_has_pii(c);
	p->sealed_n = 0;
	if (p->pii) { /* the case key lives only here: sealed with, wrapped, wiped */
		cb_case_key_new(key);
		rc = cb_store_seal_into(key, c, &p->pack, &p->sealed, &p->sealed_cap, &p->sealed_n, err);
		cb_key_wrap_with(s->sec->kek, c->case_id, key, p->wrapped);
		sodium_memzero(key, sizeof key);
		if (rc != CB_OK)
			return rc;
		cb_tokens_of_case(s, c, &p->blind, p->clk);
	}
	p->record_key = (int)cb_random_uniform(256);
	p->has_fp = fingerprint != NULL;
	if (fingerprint)
		memcpy(p->fp, fingerprint, 16);
	p->c = *c; /* coded fields only: the copy must not share c's identifying details */
	for (int i = 0; i < CB_NFIELDS; i++)
		if (cb_fields[i].kind == CB_PII)
			memset(cb_case_member(&p->c, &cb_fields[i]), 0, sizeof(char *));
	return CB_OK;
}

/* Takes the row cb_store_write just inserted back out of the open batch (outside one, the rollback does). */
static void unwrite(struct cb_store *s, const struct cb_prepared *p)
{
	if (!s->bulk)
		return;
	cb_db_bind_blob(s->del, 1, p->c.case_id, 16, false);
	cb_store_step_done(s->del);
}

int cb_store_write(struct cb_store *s, struct cb_prepared *p, struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int rc;
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if (p->has_fp) {
		bool seen;
		if ((rc = cb_fp_seen(s, p->fp, &seen, err)) != CB_OK)
			goto out;
		if (seen) {
			rc = cb_err_set(err, CB_EEXIST, "this row was imported before (as another case)");
			goto out;
		}
	}
	const int64_t now = (int64_t)time(NULL);
	struct cb_stmt *st = s->ins;
	struct cb_bound *bound = s->ins_bound;
	int64_t seq = 0; /* > 0: PostgreSQL's bulk path (bulk_pg.c) chose it */
	if ((rc = cb_bulk_pg_claim(s, p->c.case_id, &st, &bound, &seq, err)) != CB_OK)
		goto out;
	if (seq > 0)
		cb_db_bind_int64(st, P_FIELDS + s->ncols, seq);
	cb_db_bind_blob(st, P_ID, p->c.case_id, 16, false);
	cb_db_bind_int64(st, P_VERSION, 1);
	cb_db_bind_int64(st, P_CREATED, now);
	cb_db_bind_int64(st, P_UPDATED, now);
	cb_db_bind_int64(st, P_RECORD_KEY, p->record_key);
	if (p->has_fp)
		cb_db_bind_blob(st, P_FP, p->fp, 16, false);
	else
		cb_db_bind_null(st, P_FP);
	if (p->pii)
		cb_db_bind_blob(st, P_PII, p->sealed, (int)p->sealed_n, false);
	else
		cb_db_bind_null(st, P_PII);
	if ((rc = bind_fields(s, st, P_FIELDS, &p->c, bound, err)) != CB_OK) {
		cb_db_reset(st);
		goto out;
	}
	int r = cb_db_step(st);
	if (r != CB_DB_DONE) {
		const char *msg = cb_db_errmsg(s->db);
		cb_case_id_format(p->c.case_id, idt);
		if (r == CB_EEXIST && strstr(msg, "case_id"))
			rc = cb_err_set(err, CB_EEXIST, "case %s already exists", idt);
		else
			rc = cb_store_db_err(s->db, err, "add");
		cb_db_reset(st);
		goto out;
	}
	cb_db_reset(st);
	if (seq == 0)
		seq = cb_db_last_insert_id(s->db);
	if (p->pii) {
		/* The case row is not committed yet; its key is (outside a batch) by the time we commit it.  The
		 * slot is the row's seq: nobody else gets it while our write lock holds; OR REPLACE takes over a
		 * stale key a crash left there (its case never committed).  In a load's batch, the key thread
		 * inserts it (keywriter.c). */
		if (s->kw && s->bulk) {
			rc = cb_keywriter_push(s, seq, p->c.case_id, p->wrapped, err);
		} else {
			CB_ASSERT(cb_keywriter_idle(s)); /* outside a batch the thread has nothing queued */
			cb_db_bind_int64(s->key_ins, 1, seq);
			cb_db_bind_blob(s->key_ins, 2, p->c.case_id, 16, false);
			cb_db_bind_blob(s->key_ins, 3, p->wrapped, sizeof p->wrapped, false);
			if (cb_store_step_done(s->key_ins) != CB_OK)
				rc = cb_store_db_err(s->kdb, err, "case keys");
		}
		if (rc != CB_OK) {
			unwrite(s, p);
			goto out;
		}
	}
	if (p->pii && (rc = cb_tokens_write_new(s, seq, &p->blind, p->blind.has_clk ? p->clk : NULL, err)) != CB_OK) {
		unwrite(s, p);
		goto out;
	}
	if (p->has_fp && (rc = cb_fp_add(s, seq, p->fp, err)) != CB_OK) {
		unwrite(s, p);
		goto out;
	}
	p->c.version = 1;
	cb_store_changed(s, p->c.case_id);
out:
	return cb_store_tx_end(s, rc, err);
}

void cb_store_write_ahead(struct cb_store *s, const struct cb_prepared *p)
{
	/* p was made on another core: its lines (and the sealed blob's) come over while earlier rows are written */
	for (size_t i = 0; i < sizeof *p; i += 64)
		__builtin_prefetch((const char *)p + i);
	for (size_t i = 0; i < p->sealed_n; i += 64)
		__builtin_prefetch(p->sealed + i);
	if (p->has_fp)
		cb_count16_prefetch(&s->fps, p->fp);
}

int cb_store_add(struct cb_store *s, struct cb_case *c, const uint8_t *fingerprint, struct cb_err *err)
{
	int rc;
	if (!s->prep && !(s->prep = cb_prepared_new()))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	if ((rc = cb_store_prepare(s, c, fingerprint, s->prep, err)) == CB_OK &&
	    (rc = cb_store_write(s, s->prep, err)) == CB_OK)
		c->version = 1;
	return rc;
}

int cb_store_get(struct cb_store *s, const uint8_t id[16], unsigned flags, struct cb_case *out, struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int rc;
	cb_case_init(out);
	cb_db_bind_blob(s->get, 1, id, 16, false);
	int r = cb_db_step(s->get);
	if (r == CB_DB_DONE) {
		cb_case_id_format(id, idt);
		rc = cb_err_set(err, CB_ENOTFOUND, "no case %s", idt);
	} else if (r != CB_DB_ROW) {
		rc = cb_store_db_err(s->db, err, "get");
	} else {
		rc = cb_store_parse_row(s, s->get, out, NULL, NULL, err);
		if (rc == CB_OK && (flags & CB_WITH_PII) && cb_db_column_type(s->get, C_PII) != CB_DB_NULL) {
			rc = cb_store_open_pii(s, cb_db_column_int64(s->get, C_SEQ), id, cb_db_column_blob(s->get, C_PII),
				      (size_t)cb_db_column_bytes(s->get, C_PII), out, err);
			if (rc == CB_ENOTFOUND) /* key destroyed: the details are gone for good */
				rc = CB_OK;
		}
	}
	cb_db_reset(s->get);
	if (rc != CB_OK)
		cb_case_clear(out);
	return rc;
}

/* Looks up the stored version of id (within the open transaction), whether it has sealed details and its seq
 * (both optional): CB_ENOTFOUND if absent. */
int cb_store_stored_version(struct cb_store *s, const uint8_t id[16], int64_t *version, bool *has_pii, int64_t *seq,
			  struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int rc = CB_OK;
	cb_db_bind_blob(s->ver, 1, id, 16, false);
	int r = cb_db_step(s->ver);
	if (r == CB_DB_ROW) {
		*version = cb_db_column_int64(s->ver, 0);
		if (has_pii)
			*has_pii = (int)cb_db_column_int64(s->ver, 1) != 0;
		if (seq)
			*seq = cb_db_column_int64(s->ver, 2);
	} else if (r == CB_DB_DONE) {
		cb_case_id_format(id, idt);
		rc = cb_err_set(err, CB_ENOTFOUND, "no case %s", idt);
	} else {
		rc = cb_store_db_err(s->db, err, "version");
	}
	cb_db_reset(s->ver);
	return rc;
}

int cb_store_update(struct cb_store *s, struct cb_case *c, unsigned flags, struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int64_t version = 0, seq = 0;
	size_t sealed_n = 0;
	int rc;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	if ((rc = prepare_case(c, err)) != CB_OK)
		return rc;
	const bool pii = cb_case_has_pii(c), replace = pii || (flags & CB_WITH_PII);
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_stored_version(s, c->case_id, &version, NULL, &seq, err)) != CB_OK)
		goto out;
	if (version != c->version) {
		cb_case_id_format(c->case_id, idt);
		rc = cb_err_set(err, CB_ECONFLICT, "case %s was changed by somebody else (stored version %lld, yours %lld)",
				idt, (long long)version, (long long)c->version);
		goto out;
	}
	if (replace && (rc = cb_tokens_forget(s, seq, err)) != CB_OK)
		goto out;
	if (replace && pii) {
		struct cb_blind blind;
		uint8_t clk[CB_CLK_SEALED];
		if ((rc = cb_store_key_for_update(s, seq, c->case_id, err)) != CB_OK)
			goto out;
		rc = cb_store_seal_pii(s, c, &sealed_n, err);
		sodium_memzero(s->casekey, CB_KEY_BYTES);
		if (rc != CB_OK)
			goto out;
		cb_tokens_of_case(s, c, &blind, clk);
		if ((rc = cb_tokens_write(s, seq, &blind, blind.has_clk ? clk : NULL, err)) != CB_OK)
			goto out;
	} else if (replace && !cb_store_sealed_any(s, c->case_id)) {
		/* clearing: the key is destroyed once the cleared case is committed, as for an erasure (notes still
		 * need it) */
		struct cb_buf pend = {0};
		rc = cb_store_pending_add(&pend, seq, c->case_id) == CB_OK ? cb_store_pending_write(s, &pend, err)
								  : cb_err_set(err, CB_ENOMEM, "out of memory");
		cb_buf_free(&pend);
		if (rc != CB_OK)
			goto out;
	}
	struct cb_stmt *st = s->upd;
	cb_db_bind_int64(st, U_UPDATED, (int64_t)time(NULL));
	cb_db_bind_blob(st, U_ID, c->case_id, 16, false);
	cb_db_bind_int64(st, U_REPLACE_PII, replace);
	if (replace && pii)
		cb_db_bind_blob(st, U_PII, s->sealed, (int)sealed_n, false);
	else
		cb_db_bind_null(st, U_PII);
	if ((rc = bind_fields(s, st, U_FIELDS, c, s->upd_bound, err)) != CB_OK) {
		cb_db_reset(st);
		goto out;
	}
	if (cb_store_step_done(st) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "update");
		goto out;
	}
	cb_store_changed(s, c->case_id);
	rc = CB_OK;
out:
	rc = cb_store_tx_end(s, rc, err);
	if (rc == CB_OK) {
		c->version = version + 1;
		if (replace && !pii) /* committed: a key left over is destroyed by the next open */
			cb_store_erased(s, NULL);
	}
	return rc;
}

int cb_store_update_kept(struct cb_store *s, const struct cb_case *c, struct cb_err *err)
{
	char sql[1024], text[CB_NFIELDS][1024];
	const struct cb_field *kept[CB_NFIELDS];
	size_t o = 0;
	int n = 0, rc;
	struct cb_stmt *st = NULL;
	for (int i = 0; i < CB_NFIELDS; i++)
		if ((cb_fields[i].flags & CB_F_STORE) || i == CB_FLD_status)
			kept[n++] = &cb_fields[i];
	/* SET f = nullif(?k, ''), ... WHERE case_id = ?1 AND (f IS DISTINCT FROM nullif(?k, '') OR ...): only a change bumps
	 * the version */
	o += (size_t)snprintf(sql + o, sizeof sql - o, "UPDATE cases SET version = version + 1, updated_at = ?2");
	for (int k = 0; k < n; k++)
		o += (size_t)snprintf(sql + o, sizeof sql - o, ", \"%s\" = nullif(?%d, '')", kept[k]->name, k + 3);
	o += (size_t)snprintf(sql + o, sizeof sql - o, " WHERE case_id = ?1 AND (");
	for (int k = 0; k < n; k++)
		o += (size_t)snprintf(sql + o, sizeof sql - o, "%s\"%s\" IS DISTINCT FROM nullif(?%d, '')", k ? " OR " : "",
				      kept[k]->name, k + 3);
	o += (size_t)snprintf(sql + o, sizeof sql - o, ")");
	CB_ASSERT(o < sizeof sql);
	if ((rc = cb_store_prep(s->db, "prepare", 0, sql, &st, err)) != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, c->case_id, 16, false);
	cb_db_bind_int64(st, 2, (int64_t)time(NULL));
	for (int k = 0; k < n; k++) { /* the text the store writes for each field, as for any case */
		cb_case_format(c, kept[k], text[k], sizeof text[k]);
		cb_db_bind_text(st, k + 3, text[k], -1, false);
	}
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "case");
	else if (cb_db_changes(s->db) > 0)
		cb_store_changed(s, c->case_id);
	cb_db_finalize(&st);
	return rc;
}

