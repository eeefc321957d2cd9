/*
 * records.c -- reading and writing cases in an open store: add, get, update, erase, scan, check.
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
static int parse_row(struct cb_store *s, struct cb_stmt *st, struct cb_case *c, FILE *out, long *problems,
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

/* ---- identifying details */

static int grow(uint8_t **buf, size_t *cap, size_t need, bool secret)
{
	if (*cap >= need)
		return CB_OK;
	size_t n = *cap ? *cap : 1024;
	while (n < need)
		n *= 2;
	uint8_t *b = malloc(n);
	if (!b)
		return CB_ENOMEM;
	if (*buf && secret)
		sodium_memzero(*buf, *cap);
	free(*buf);
	*buf = b;
	*cap = n;
	return CB_OK;
}

/* Packs c's identifying details into pack.  Keyed by field name: stable across codebook reordering. */
static int pack_pii(struct cb_buf *pack, const struct cb_case *c)
{
	const uint8_t format = PII_FORMAT;
	cb_buf_reset(pack);
	int rc = cb_buf_append(pack, &format, 1);
	for (int i = 0; i < CB_NFIELDS && rc == CB_OK; i++) {
		const struct cb_field *f = &cb_fields[i];
		const char *v;
		if (f->kind != CB_PII)
			continue;
		memcpy(&v, cb_case_cmember(c, f), sizeof v);
		if (!v)
			continue;
		rc = cb_buf_append(pack, f->name, strlen(f->name) + 1);
		if (rc == CB_OK)
			rc = cb_buf_append(pack, v, strlen(v) + 1);
	}
	return rc;
}

/* Packs c's details (through `pack`, wiped after) and seals them with key into *sealed (grown as needed);
 * *n gets the sealed size. */
static int seal_into(const uint8_t key[CB_KEY_BYTES], const struct cb_case *c, struct cb_buf *pack,
		     uint8_t **sealed, size_t *cap, size_t *n, struct cb_err *err)
{
	int rc = pack_pii(pack, c);
	if (rc == CB_OK)
		rc = grow(sealed, cap, pack->len + CB_SEAL_OVERHEAD, false);
	if (rc == CB_OK) {
		cb_seal(key, c->case_id, 16, pack->data, pack->len, *sealed);
		*n = pack->len + CB_SEAL_OVERHEAD;
	}
	cb_buf_reset(pack); /* wipes */
	return rc == CB_OK ? CB_OK : cb_err_set(err, CB_ENOMEM, "out of memory");
}

/* Packs and seals c's details with the key in s->casekey into s->sealed; *n gets the sealed size. */
static int seal_pii(struct cb_store *s, const struct cb_case *c, size_t *n, struct cb_err *err)
{
	return seal_into(s->casekey, c, &s->pack, &s->sealed, &s->sealed_cap, n, err);
}

/* The case key of id (stored in slot seq, the case's cases.seq) into s->casekey.  CB_ENOTFOUND if there
 * is none (erased; or a stale key of another case in the slot), CB_ECORRUPT if it fails authentication. */
static int load_key(struct cb_store *s, int64_t seq, const uint8_t id[16], struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int rc;
	if ((rc = cb_keywriter_drain(s, false, err)) != CB_OK) /* the key may be on its way */
		return rc;
	CB_ASSERT(cb_keywriter_idle(s));
	cb_db_bind_int64(s->key_get, 1, seq);
	cb_db_bind_blob(s->key_get, 2, id, 16, false);
	int r = cb_db_step(s->key_get);
	if (r == CB_DB_DONE) {
		rc = CB_ENOTFOUND;
	} else if (r != CB_DB_ROW) {
		rc = cb_store_db_err(s->kdb, err, "case keys");
	} else if (cb_db_column_bytes(s->key_get, 0) != CB_WRAPPED_KEY_BYTES ||
		   cb_key_unwrap_with(s->sec->kek, id, cb_db_column_blob(s->key_get, 0), s->casekey) != CB_OK) {
		cb_case_id_format(id, idt);
		rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: its case key fails authentication", idt);
	} else {
		rc = CB_OK;
	}
	cb_db_reset(s->key_get);
	return rc;
}

/* Opens a sealed blob into c's identifying details.  CB_ENOTFOUND when the case key is gone (erased). */
static int open_pii(struct cb_store *s, int64_t seq, const uint8_t id[16], const void *blob, size_t n,
		    struct cb_case *c, struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int rc = load_key(s, seq, id, err);
	size_t len = n >= CB_SEAL_OVERHEAD ? n - CB_SEAL_OVERHEAD : 0;
	if (rc != CB_OK)
		return rc;
	cb_case_id_format(id, idt);
	if (grow(&s->plain, &s->plain_cap, len + 1, true) != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	if (n < CB_SEAL_OVERHEAD + 1 || cb_unseal(s->casekey, id, 16, blob, n, s->plain) != CB_OK) {
		rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: its identifying details fail authentication", idt);
		goto out;
	}
	if (s->plain[0] != PII_FORMAT || s->plain[len - 1] != 0) {
		rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: identifying details in an unknown format", idt);
		goto out;
	}
	for (size_t p = 1; p < len;) {
		const char *name = (const char *)s->plain + p;
		p += strlen(name) + 1;
		if (p >= len) {
			rc = cb_err_field(err, CB_ECORRUPT, "pii", "case %s: identifying details are truncated", idt);
			goto out;
		}
		const char *value = (const char *)s->plain + p;
		p += strlen(value) + 1;
		const struct cb_field *f = cb_field_find(name);
		if (!f || f->kind != CB_PII)
			continue; /* a detail this codebook no longer knows: kept sealed, not shown */
		struct cb_err e = {0};
		if (cb_case_set_text(c, f, value, &e) != CB_OK) {
			/* e may quote the value: never pass it on */
			rc = cb_err_field(err, CB_ECORRUPT, f->name, "case %s: stored %s is not valid", idt, f->name);
			goto out;
		}
	}
	rc = CB_OK;
out:
	sodium_memzero(s->plain, len + 1 < s->plain_cap ? len + 1 : s->plain_cap);
	sodium_memzero(s->casekey, CB_KEY_BYTES);
	return rc;
}

/* ---- free text of a case outside its record (assistance notes, referral details: assist.h) */

static int stored_version(struct cb_store *s, const uint8_t id[16], int64_t *version, bool *has_pii, int64_t *seq,
			  struct cb_err *err);
static int key_for_update(struct cb_store *s, int64_t seq, const uint8_t id[16], struct cb_err *err);

int cb_store_seal_text(struct cb_store *s, const uint8_t id[16], const uint8_t *ad, size_t adlen, const char *text,
		       uint8_t **out, size_t *n, struct cb_err *err)
{
	size_t len = strlen(text);
	int64_t version, seq;
	int rc;
	*out = NULL;
	if ((rc = stored_version(s, id, &version, NULL, &seq, err)) != CB_OK ||
	    (rc = key_for_update(s, seq, id, err)) != CB_OK)
		return rc;
	if (!(*out = malloc(len + CB_SEAL_OVERHEAD))) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	} else {
		cb_seal(s->casekey, ad, adlen, text, len, *out);
		*n = len + CB_SEAL_OVERHEAD;
	}
	sodium_memzero(s->casekey, CB_KEY_BYTES);
	return rc;
}

int cb_store_open_text(struct cb_store *s, const uint8_t id[16], const uint8_t *ad, size_t adlen, const void *blob,
		       size_t n, char **text, struct cb_err *err)
{
	char idt[CB_ID_TEXT];
	int64_t version, seq;
	int rc;
	*text = NULL;
	if ((rc = stored_version(s, id, &version, NULL, &seq, err)) != CB_OK || (rc = load_key(s, seq, id, err)) != CB_OK)
		return rc;
	if (n < CB_SEAL_OVERHEAD || !(*text = malloc(n - CB_SEAL_OVERHEAD + 1))) {
		rc = n < CB_SEAL_OVERHEAD ? CB_ECORRUPT : CB_ENOMEM;
	} else if (cb_unseal(s->casekey, ad, adlen, blob, n, (uint8_t *)*text) != CB_OK) {
		rc = CB_ECORRUPT;
	} else {
		(*text)[n - CB_SEAL_OVERHEAD] = 0;
		if (strlen(*text) != n - CB_SEAL_OVERHEAD)
			rc = CB_ECORRUPT;
	}
	sodium_memzero(s->casekey, CB_KEY_BYTES);
	if (rc != CB_OK) {
		if (*text) {
			sodium_memzero(*text, n - CB_SEAL_OVERHEAD + 1);
			free(*text);
			*text = NULL;
		}
		cb_case_id_format(id, idt);
		rc = rc == CB_ENOMEM ? cb_err_set(err, rc, "out of memory")
				     : cb_err_set(err, rc, "case %s: a sealed note fails authentication", idt);
	}
	return rc;
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
		rc = seal_into(key, c, &p->pack, &p->sealed, &p->sealed_cap, &p->sealed_n, err);
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
	if ((rc = bind_fields(s, st, P_FIELDS, &p->c, s->ins_bound, err)) != CB_OK) {
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
	const int64_t seq = cb_db_last_insert_id(s->db);
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
	if (p->pii && (rc = cb_tokens_write(s, seq, &p->blind, p->blind.has_clk ? p->clk : NULL, err)) != CB_OK) {
		unwrite(s, p);
		goto out;
	}
	if (p->has_fp && (rc = cb_fp_add(s, seq, p->fp, err)) != CB_OK) {
		unwrite(s, p);
		goto out;
	}
	p->c.version = 1;
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
		rc = parse_row(s, s->get, out, NULL, NULL, err);
		if (rc == CB_OK && (flags & CB_WITH_PII) && cb_db_column_type(s->get, C_PII) != CB_DB_NULL) {
			rc = open_pii(s, cb_db_column_int64(s->get, C_SEQ), id, cb_db_column_blob(s->get, C_PII),
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
static int stored_version(struct cb_store *s, const uint8_t id[16], int64_t *version, bool *has_pii, int64_t *seq,
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

/* ---- erasure
 *
 * Erasing touches both files, which cannot commit together, so it goes in three steps:
 *   1. one transaction on DB clears the sealed details (or deletes the case), drops the sealed notes,
 *      appends the audit entry, and adds the case's key slot to the keys to destroy (meta `erasing`);
 *   2. those keys are deleted from DB.casekeys (one transaction);
 *   3. the list goes (DB), and both files get a TRUNCATE checkpoint, so the old pages leave the WAL too.
 * A crash after step 1 leaves keys that no longer open anything in DB, of erasures already audited: the next
 * read-write open destroys them (cb_store_finish_erasures), an update of such a case does before it makes
 * a new key, and `check` reports them meanwhile.  So there is never a case with sealed details and no key,
 * nor an erasure without its audit entry.  Many cases share each step (cb_store_erase_many); a bulk batch
 * does steps 2 and 3 after its commit (store.c). */

#define ERASING "erasing" /* meta: the key slots to destroy, one "seq:case id in hex" a line */
#define ERASE_CHUNK 1024  /* cases per step: a few fsyncs per thousand cases, not per case */

/* Adds the key of the case at seq to pend (text for pending_write). */
static int pending_add(struct cb_buf *pend, int64_t seq, const uint8_t id[16])
{
	char hex[33];
	sodium_bin2hex(hex, sizeof hex, id, 16);
	return cb_buf_printf(pend, "%lld:%s\n", (long long)seq, hex);
}

/* Appends pend to the keys to destroy, in the open transaction on DB. */
static int pending_write(struct cb_store *s, const struct cb_buf *pend, struct cb_err *err)
{
	struct cb_buf all = {0};
	char *have = NULL;
	int rc = cb_store_meta_get(s, ERASING, &have);
	if (rc != CB_OK && rc != CB_ENOTFOUND)
		return rc == CB_ENOMEM ? cb_err_set(err, rc, "out of memory") : cb_store_db_err(s->db, err, "erase");
	if (cb_buf_printf(&all, "%s%.*s", have ? have : "", (int)pend->len, pend->data) != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
	} else {
		cb_db_bind_text(s->meta_set, 1, ERASING, -1, false);
		cb_db_bind_text(s->meta_set, 2, all.data, (int)all.len, false);
		rc = cb_store_step_done(s->meta_set) == CB_OK ? CB_OK : cb_store_db_err(s->db, err, "erase");
	}
	free(have);
	cb_buf_free(&all);
	return rc;
}

/* Is the key of the case at seq waiting to be destroyed? */
static bool pending_has(struct cb_store *s, int64_t seq, const uint8_t id[16])
{
	struct cb_buf line = {0};
	char *have = NULL;
	bool found = false;
	if (cb_store_meta_get(s, ERASING, &have) == CB_OK && pending_add(&line, seq, id) == CB_OK)
		for (const char *p = have; !found && (p = strstr(p, line.data)); p++)
			found = p == have || p[-1] == '\n';
	free(have);
	cb_buf_free(&line);
	return found;
}

int cb_store_finish_erasures(struct cb_store *s, bool own, long *n, struct cb_err *err)
{
	char *list = NULL;
	bool db_tx = false, kdb_tx = false;
	long cases = 0;
	int rc;
	if (n)
		*n = 0;
	if (s->readonly)
		return CB_OK;
	if (own) {
		/* a look without the write lock first: every read-write open comes here, and there is rarely anything
		 * to do (a busy writer would keep the open waiting for nothing) */
		if (cb_store_meta_get(s, ERASING, &list) == CB_ENOTFOUND)
			return CB_OK;
		free(list);
		list = NULL;
		if ((rc = cb_schema_exec(s->db, "BEGIN IMMEDIATE", err)) != CB_OK)
			return rc;
		db_tx = true;
	}
	if ((rc = cb_store_meta_get(s, ERASING, &list)) != CB_OK) {
		if (rc == CB_ENOTFOUND) /* the usual case */
			rc = CB_OK;
		else
			rc = rc == CB_ENOMEM ? cb_err_set(err, rc, "out of memory") : cb_store_db_err(s->db, err, "erase");
		goto out;
	}
	if ((rc = cb_keywriter_drain(s, false, err)) != CB_OK)
		goto out;
	CB_ASSERT(cb_keywriter_idle(s));
	if (!s->bulk) { /* in a batch the key store's transaction is open already */
		if ((rc = cb_schema_exec(s->kdb, "BEGIN IMMEDIATE", err)) != CB_OK)
			goto out;
		kdb_tx = true;
	}
	for (const char *line = list; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
		long long seq;
		char hex[33];
		uint8_t id[16];
		size_t idlen = 0;
		if (sscanf(line, "%lld:%32[0-9a-f]", &seq, hex) != 2 ||
		    sodium_hex2bin(id, sizeof id, hex, strlen(hex), NULL, &idlen, NULL) != 0 || idlen != 16)
			continue; /* not ours to read: left alone */
		/* the slot and the case id: a slot taken over by a newer case since (erase --all) keeps its key */
		cb_db_bind_int64(s->key_del, 1, seq);
		cb_db_bind_blob(s->key_del, 2, id, 16, true);
		if (cb_store_step_done(s->key_del) != CB_OK) {
			rc = cb_store_db_err(s->kdb, err, "case keys");
			goto out;
		}
		cases++;
	}
	if (kdb_tx) {
		if ((rc = cb_schema_exec(s->kdb, "COMMIT", err)) != CB_OK)
			goto out;
		kdb_tx = false;
	}
	/* the keys are gone for good: the list may go */
	if ((rc = cb_schema_exec(s->db, "DELETE FROM meta WHERE key = '" ERASING "'", err)) != CB_OK)
		goto out;
	if (db_tx) {
		if ((rc = cb_schema_exec(s->db, "COMMIT", err)) != CB_OK)
			goto out;
		db_tx = false;
	}
	if (n)
		*n = cases;
out:
	if (kdb_tx)
		cb_db_exec(s->kdb, "ROLLBACK");
	if (db_tx)
		cb_db_exec(s->db, "ROLLBACK");
	free(list);
	return rc;
}

/* Puts the key for id into s->casekey: the stored one if there is one (the old blob stays readable
 * until the new one commits), else a new one, stored now (committed before the case, outside a batch). */
static int key_for_update(struct cb_store *s, int64_t seq, const uint8_t id[16], struct cb_err *err)
{
	uint8_t wrapped[CB_WRAPPED_KEY_BYTES];
	char idt[CB_ID_TEXT];
	int rc;
	if (pending_has(s, seq, id)) { /* an erased case's old key is never used again: destroyed first */
		cb_case_id_format(id, idt);
		if (s->bulk)
			return cb_err_set(err, CB_EINVAL, "case %s was erased in this batch: commit it first", idt);
		if ((rc = cb_store_finish_erasures(s, false, NULL, err)) != CB_OK)
			return rc;
	}
	rc = load_key(s, seq, id, err);
	if (rc != CB_ENOTFOUND)
		return rc;
	cb_case_key_new(s->casekey);
	cb_key_wrap_with(s->sec->kek, id, s->casekey, wrapped);
	CB_ASSERT(cb_keywriter_idle(s)); /* load_key drained it */
	cb_db_bind_int64(s->key_ins, 1, seq);
	cb_db_bind_blob(s->key_ins, 2, id, 16, false);
	cb_db_bind_blob(s->key_ins, 3, wrapped, sizeof wrapped, false);
	if (cb_store_step_done(s->key_ins) != CB_OK) {
		sodium_memzero(s->casekey, CB_KEY_BYTES);
		return cb_store_db_err(s->kdb, err, "case keys");
	}
	return CB_OK;
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
	if ((rc = stored_version(s, c->case_id, &version, NULL, &seq, err)) != CB_OK)
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
		if ((rc = key_for_update(s, seq, c->case_id, err)) != CB_OK)
			goto out;
		rc = seal_pii(s, c, &sealed_n, err);
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
		rc = pending_add(&pend, seq, c->case_id) == CB_OK ? pending_write(s, &pend, err)
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
	cb_db_finalize(&st);
	return rc;
}

/* Step 1 for one case, in the open transaction on DB. */
static int erase_one(struct cb_store *s, const uint8_t id[16], bool all, struct cb_buf *pend, struct cb_err *err)
{
	int64_t version, seq;
	int rc;
	if ((rc = stored_version(s, id, &version, NULL, &seq, err)) != CB_OK)
		return rc;
	/* the row may be imported again */
	if (all && (rc = cb_fp_forget(s, seq, err)) != CB_OK)
		return rc;
	if ((rc = cb_tokens_forget(s, seq, err)) != CB_OK) /* nothing may point at details that are gone */
		return rc;
	if (all && (rc = cb_links_forget(s, id, err)) != CB_OK)
		return rc;
	struct cb_stmt *st = all ? s->del : s->clear_pii;
	cb_db_bind_blob(st, 1, id, 16, false);
	if (!all)
		cb_db_bind_int64(st, 2, (int64_t)time(NULL));
	if (cb_store_step_done(st) != CB_OK)
		return cb_store_db_err(s->db, err, "erase");
	if (!all && (rc = cb_store_sealed_clear(s, id, err)) != CB_OK) /* --all: the child rows go with the case */
		return rc;
	/* in the same transaction: an erasure is never without its record, nor recorded without happening */
	if ((rc = cb_store_audit(s, all ? CB_AUD_CASE_ERASE : CB_AUD_CASE_ERASE_IDS, id, NULL, NULL, err)) != CB_OK)
		return rc;
	return pending_add(pend, seq, id) == CB_OK ? CB_OK : cb_err_set(err, CB_ENOMEM, "out of memory");
}

int cb_store_erase_many(struct cb_store *s, const uint8_t (*ids)[16], size_t n, bool all, size_t *done,
			struct cb_err *err)
{
	struct cb_buf pend = {0};
	int rc = CB_OK;
	if (done)
		*done = 0;
	if (s->readonly)
		return cb_err_set(err, CB_EPERM, "the database is open read-only");
	for (size_t at = 0; at < n && rc == CB_OK;) {
		size_t end = n - at > ERASE_CHUNK ? at + ERASE_CHUNK : n;
		cb_buf_reset(&pend);
		if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
			break;
		for (size_t i = at; i < end && rc == CB_OK; i++)
			rc = erase_one(s, ids[i], all, &pend, err);
		if (rc == CB_OK)
			rc = pending_write(s, &pend, err);
		if ((rc = cb_store_tx_end(s, rc, err)) != CB_OK)
			break;
		if (done)
			*done = end;
		at = end;
		rc = cb_store_erased(s, err); /* steps 2 and 3 (in a bulk batch: after its commit) */
	}
	cb_buf_free(&pend);
	return rc;
}

int cb_store_erase(struct cb_store *s, const uint8_t id[16], bool all, struct cb_err *err)
{
	return cb_store_erase_many(s, (const uint8_t(*)[16])id, 1, all, NULL, err);
}

/* ---- scan and check */

int cb_store_scan(struct cb_store *s, const struct cb_store_filter *f, unsigned flags, cb_case_fn fn, void *ctx,
		  struct cb_err *err)
{
	struct cb_buf sql = {0};
	struct cb_stmt *st = NULL;
	struct cb_case c;
	int rc = CB_ENOMEM, n = 0;
	const struct cb_field *status = &cb_fields[CB_FLD_status], *site = &cb_fields[CB_FLD_site];

	cb_case_init(&c);
	if (f && f->status != CB_NA && (f->status < 0 || f->status >= status->vset->count))
		return cb_err_field(err, CB_EINVAL, status->name, "filter: status index %d out of range", (int)f->status);
	if (cb_buf_printf(&sql, "SELECT %s FROM cases", s->select_cols) != CB_OK)
		goto out;
	if (f && f->site && cb_buf_printf(&sql, "%s \"%s\" = ?1", n++ ? " AND" : " WHERE", site->name) != CB_OK)
		goto out;
	if (f && f->status != CB_NA &&
	    cb_buf_printf(&sql, "%s \"%s\" = ?2", n++ ? " AND" : " WHERE", status->name) != CB_OK)
		goto out;
	if (cb_buf_printf(&sql, " ORDER BY seq") != CB_OK)
		goto out;
	if (cb_db_prepare(s->db, sql.data, &st, NULL) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "scan");
		goto out;
	}
	if (f && f->site)
		cb_db_bind_text(st, 1, f->site, -1, false);
	if (f && f->status != CB_NA)
		cb_db_bind_text(st, 2, status->vset->values[f->status].name, -1, false);
	rc = CB_OK;
	int r;
	while (rc == CB_OK && (r = cb_db_step(st)) == CB_DB_ROW) {
		if ((rc = parse_row(s, st, &c, NULL, NULL, err)) != CB_OK)
			break;
		if ((flags & CB_WITH_PII) && cb_db_column_type(st, C_PII) != CB_DB_NULL) {
			rc = open_pii(s, cb_db_column_int64(st, C_SEQ), c.case_id, cb_db_column_blob(st, C_PII),
				      (size_t)cb_db_column_bytes(st, C_PII), &c, err);
			if (rc == CB_ENOTFOUND)
				rc = CB_OK;
			if (rc != CB_OK)
				break;
		}
		rc = fn(&c, ctx);
		cb_case_clear(&c);
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "scan");
out:
	if (rc == CB_ENOMEM)
		cb_err_set(err, CB_ENOMEM, "out of memory");
	cb_case_clear(&c);
	cb_db_finalize(&st);
	cb_buf_free(&sql);
	return rc;
}

/* PRAGMA integrity_check of one file: one line per message other than "ok". */
static int integrity(struct cb_db *db, const char *name, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int r;
	if (!cb_db_sqlite(db)) /* PostgreSQL checks its own pages (data checksums, if the cluster has them) */
		return CB_OK;
	if (cb_db_prepare(db, "PRAGMA integrity_check", &st, NULL) != CB_OK)
		return cb_store_db_err(db, err, "integrity check");
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		const char *msg = (const char *)cb_db_column_text(st, 0);
		if (msg && strcmp(msg, "ok") != 0) {
			fprintf(out, "%s: integrity: %s\n", name, msg);
			++*problems;
		}
	}
	cb_db_finalize(&st);
	if (r != CB_DB_DONE) {
		fprintf(out, "%s: integrity check failed: %s\n", name, cb_db_errmsg(db));
		++*problems;
	}
	return CB_OK;
}

/* Every case: its fields parse and validate, its sealed details have a key and open. */
static int check_cases(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_buf sql = {0};
	struct cb_stmt *st = NULL;
	struct cb_case c;
	char idt[CB_ID_TEXT];
	int rc = CB_OK, r;
	cb_case_init(&c);
	if (cb_buf_printf(&sql, "SELECT %s FROM cases ORDER BY seq", s->select_cols) != CB_OK) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	if (cb_db_prepare(s->db, sql.data, &st, NULL) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "check");
		goto out;
	}
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		struct cb_err e = {0};
		long before = *problems;
		if (parse_row(s, st, &c, out, problems, &e) != CB_OK && *problems > before)
			continue; /* no case id: nothing more to say about this row */
		cb_case_id_format(c.case_id, idt);
		if (*problems == before && cb_case_validate(&c, &e) != CB_OK) {
			fprintf(out, "case %s: %s\n", idt, e.msg);
			++*problems;
		}
		if (cb_db_column_type(st, C_PII) != CB_DB_NULL) {
			int prc = open_pii(s, cb_db_column_int64(st, C_SEQ), c.case_id, cb_db_column_blob(st, C_PII),
					   (size_t)cb_db_column_bytes(st, C_PII), &c, &e);
			if (prc == CB_ENOTFOUND) {
				fprintf(out, "case %s: pii: sealed identifying details without a case key\n", idt);
				++*problems;
			} else if (prc != CB_OK) {
				fprintf(out, "%s\n", e.msg); /* names the case and field, never a value */
				++*problems;
			}
		}
		cb_case_clear(&c);
	}
	if (r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "check");
out:
	cb_case_clear(&c);
	cb_db_finalize(&st);
	cb_buf_free(&sql);
	return rc;
}

/* Every case key belongs to a case that has sealed details (or sealed notes), in that case's slot. */
static int check_keys(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	char idt[CB_ID_TEXT];
	int rc = CB_OK, r;
	if (cb_db_prepare(s->kdb, "SELECT case_id, seq FROM casekeys", &st, NULL) != CB_OK)
		return cb_store_db_err(s->kdb, err, "check");
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		int64_t version, seq = -1;
		bool has_pii = false;
		if (cb_db_column_bytes(st, 0) != 16) {
			fprintf(out, "case keys: a key with a malformed case id\n");
			++*problems;
			continue;
		}
		const uint8_t *id = cb_db_column_blob(st, 0);
		cb_case_id_format(id, idt);
		int vrc = stored_version(s, id, &version, &has_pii, &seq, NULL);
		if (vrc == CB_OK && seq != cb_db_column_int64(st, 1))
			vrc = CB_ENOTFOUND; /* a stale key in another case's slot */
		if (pending_has(s, cb_db_column_int64(st, 1), id)) {
			fprintf(out, "case %s: pii: its erasure was interrupted and its key is still in the key store "
				     "(destroyed by the next read-write open, e.g. the next erase run)\n", idt);
			++*problems;
		} else if (vrc == CB_ENOTFOUND || (vrc == CB_OK && !has_pii && !cb_store_sealed_any(s, id))) {
			fprintf(out, "case %s: pii: unused case key (%s)\n", idt,
				vrc == CB_ENOTFOUND ? "no such case" : "the case has no identifying details");
			++*problems;
		} else if (vrc != CB_OK) {
			rc = cb_store_db_err(s->db, err, "check");
			break;
		}
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->kdb, err, "check");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_check(struct cb_store *s, FILE *out, long *problems, struct cb_err *err)
{
	int rc;
	*problems = 0;
	if ((rc = integrity(s->db, s->path, out, problems, err)) != CB_OK ||
	    (rc = integrity(s->kdb, "case-key store", out, problems, err)) != CB_OK ||
	    (rc = check_cases(s, out, problems, err)) != CB_OK || (rc = check_keys(s, out, problems, err)) != CB_OK ||
	    (rc = cb_fp_check(s, out, problems, err)) != CB_OK)
		return rc;
	return CB_OK;
}

int cb_store_record_key(struct cb_store *s, const uint8_t id[16], uint8_t *key)
{
	struct cb_stmt *st = NULL;
	int rc = CB_EDB;
	if (cb_db_prepare(s->db, "SELECT record_key FROM cases WHERE case_id = ?", &st, NULL) != CB_OK)
		goto out;
	cb_db_bind_blob(st, 1, id, 16, false);
	int step = cb_db_step(st);
	if (step == CB_DB_ROW) {
		*key = (uint8_t)(int)cb_db_column_int64(st, 0);
		rc = CB_OK;
	} else {
		rc = step == CB_DB_DONE ? CB_ENOTFOUND : CB_EDB;
	}
out:
	cb_db_finalize(&st);
	return rc;
}
