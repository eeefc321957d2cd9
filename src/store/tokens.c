/*
 * tokens.c -- storing blind-index tokens and sealed CLKs of cases, looking them up, and record links
 * (tokens.h).
 *
 * A case's tokens are written in the transaction that writes its identifying details (add, update), and
 * taken out in the one that erases them, so the index never names a case whose details are gone.  The
 * `linkage` row keeps the token list itself: erasure and update need it to find the case's rows in `blind`
 * without opening the case (whose key may already be destroyed).
 *
 * Statements are prepared on first use and kept with the store (struct cb_tokens).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/schema.h"
#include "store/store_impl.h"
#include "store/tokens.h"

enum { T_INS, T_DEL, T_ROW_GET, T_ROW_PUT, T_ROW_DEL, T_CASES, T_GET, T_NEW_INS, T_NEW_PUT, T__N };
static const char *const sql[T__N] = {
	[T_INS] = "INSERT INTO blind(kind, tok, seq) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[T_DEL] = "DELETE FROM blind WHERE kind = ?1 AND tok = ?2 AND seq = ?3",
	[T_ROW_GET] = "SELECT toks FROM linkage WHERE seq = ?1",
	[T_ROW_PUT] = "INSERT INTO linkage(seq, toks, clk) VALUES (?1, ?2, ?3)"
		      " ON CONFLICT(seq) DO UPDATE SET toks = excluded.toks, clk = excluded.clk",
	[T_ROW_DEL] = "DELETE FROM linkage WHERE seq = ?1",
	[T_CASES] = "SELECT c.seq, c.case_id, c.site FROM blind b JOIN cases c ON c.seq = b.seq"
		    " WHERE b.kind = ?1 AND b.tok = ?2 AND (c.site = ?3 OR ?3 IS NULL) ORDER BY c.seq",
	[T_GET] = "SELECT c.seq, c.site, l.toks, l.clk FROM cases c JOIN linkage l ON l.seq = c.seq"
		  " WHERE c.case_id = ?1",
	/* a new case's rows: as above, but on PostgreSQL kept back and sent as one COPY (its identity seq is
	 * new, so nothing can conflict; SQLite may give a deleted case's seq again, and runs them as above) */
	[T_NEW_INS] = "INSERT INTO blind(kind, tok, seq) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[T_NEW_PUT] = "INSERT INTO linkage(seq, toks, clk) VALUES (?1, ?2, ?3)"
		      " ON CONFLICT(seq) DO UPDATE SET toks = excluded.toks, clk = excluded.clk",
};
static const char *const copy_sql[T__N] = {
	[T_NEW_INS] = "COPY blind(kind, tok, seq) FROM STDIN",
	[T_NEW_PUT] = "COPY linkage(seq, toks, clk) FROM STDIN",
};

struct cb_tokens {
	struct cb_stmt *st[T__N];
};

void cb_tokens_free(struct cb_tokens **t)
{
	if (!t || !*t)
		return;
	for (int i = 0; i < T__N; i++)
		cb_db_finalize(&(*t)->st[i]);
	free(*t);
	*t = NULL;
}

static struct cb_stmt *stmt(struct cb_store *s, int which, struct cb_err *err)
{
	if (!s->tokens && !(s->tokens = calloc(1, sizeof *s->tokens))) {
		cb_err_set(err, CB_ENOMEM, "out of memory");
		return NULL;
	}
	struct cb_stmt **st = &s->tokens->st[which];
	if (!*st && cb_store_prep(s->db, "blind index", SQLITE_PREPARE_PERSISTENT, sql[which], st, err) != CB_OK)
		return NULL;
	if (copy_sql[which] && cb_db_defer(*st, copy_sql[which]) != CB_OK) {
		cb_store_db_err(s->db, err, "blind index");
		cb_db_finalize(st);
		return NULL;
	}
	return *st;
}

void cb_store_blind(struct cb_store *s, const struct cb_person *p, struct cb_blind *out)
{
	cb_blind_person(&s->sec->blind, p, out);
}

void cb_tokens_of_case(struct cb_store *s, const struct cb_case *c, struct cb_blind *b,
		       uint8_t clk_sealed[CB_CLK_SEALED])
{
	struct cb_person p;
	cb_person_fold(c->first_name, c->last_name, c->aliases, c->birth_date, c->phone, &p);
	cb_blind_person(&s->sec->blind, &p, b);
	if (b->has_clk)
		cb_clk_seal(&s->sec->blind, c->case_id, b->clk, clk_sealed);
	cb_wipe(b->clk, sizeof b->clk); /* only the sealed one leaves */
	cb_wipe(&p, sizeof p);
}

/* Deletes the `blind` rows of the case at seq listed in its linkage row, and the row. */
int cb_tokens_forget(struct cb_store *s, int64_t seq, struct cb_err *err)
{
	struct cb_stmt *get = stmt(s, T_ROW_GET, err), *del = stmt(s, T_DEL, err), *rdel = stmt(s, T_ROW_DEL, err);
	struct cb_blind old;
	int rc = CB_OK;
	if (!get || !del || !rdel)
		return err->code;
	cb_db_bind_int64(get, 1, seq);
	int r = cb_db_step(get);
	if (r == CB_DB_ROW)
		rc = cb_blind_unpack(cb_db_column_blob(get, 0), (size_t)cb_db_column_bytes(get, 0), &old);
	else
		old.n = 0;
	cb_db_reset(get);
	if (r != CB_DB_ROW && r != CB_DB_DONE)
		return cb_store_db_err(s->db, err, "blind index");
	if (rc != CB_OK)
		return cb_err_set(err, rc, "blind index: a malformed token list");
	for (int i = 0; i < old.n; i++) {
		cb_db_bind_int64(del, 1, old.t[i].kind);
		cb_db_bind_int64(del, 2, old.t[i].v);
		cb_db_bind_int64(del, 3, seq);
		if (cb_store_step_done(del) != CB_OK)
			return cb_store_db_err(s->db, err, "blind index");
	}
	cb_db_bind_int64(rdel, 1, seq);
	if (r == CB_DB_ROW && cb_store_step_done(rdel) != CB_OK)
		return cb_store_db_err(s->db, err, "blind index");
	cb_db_reset(rdel);
	return CB_OK;
}

/* fresh: seq is a case written in this transaction (rows kept back for one COPY: no conflicts allowed, so a
 * token twice in one case is written once). */
static int write_tokens(struct cb_store *s, int64_t seq, const struct cb_blind *b, const uint8_t *clk_sealed,
			bool fresh, struct cb_err *err)
{
	uint8_t packed[5 * CB_TOKENS_MAX];
	if (!b || (b->n == 0 && !clk_sealed))
		return CB_OK;
	struct cb_stmt *ins = stmt(s, fresh ? T_NEW_INS : T_INS, err), *put = stmt(s, fresh ? T_NEW_PUT : T_ROW_PUT, err);
	if (!ins || !put)
		return err->code;
	for (int i = 0; i < b->n; i++) {
		bool twice = false;
		for (int j = 0; fresh && j < i && !twice; j++)
			twice = b->t[j].kind == b->t[i].kind && b->t[j].v == b->t[i].v;
		if (twice)
			continue;
		cb_db_bind_int64(ins, 1, b->t[i].kind);
		cb_db_bind_int64(ins, 2, b->t[i].v);
		cb_db_bind_int64(ins, 3, seq);
		if (cb_store_step_done(ins) != CB_OK)
			return cb_store_db_err(s->db, err, "blind index");
	}
	size_t n = cb_blind_pack(b, packed);
	cb_db_bind_int64(put, 1, seq);
	cb_db_bind_blob(put, 2, packed, (int)n, false);
	if (clk_sealed)
		cb_db_bind_blob(put, 3, clk_sealed, CB_CLK_SEALED, false);
	else
		cb_db_bind_null(put, 3);
	if (cb_store_step_done(put) != CB_OK)
		return cb_store_db_err(s->db, err, "blind index");
	return CB_OK;
}

int cb_tokens_write(struct cb_store *s, int64_t seq, const struct cb_blind *b, const uint8_t *clk_sealed,
		    struct cb_err *err)
{
	return write_tokens(s, seq, b, clk_sealed, false, err);
}

int cb_tokens_write_new(struct cb_store *s, int64_t seq, const struct cb_blind *b, const uint8_t *clk_sealed,
			struct cb_err *err)
{
	return write_tokens(s, seq, b, clk_sealed, true, err);
}

int cb_store_token_cases(struct cb_store *s, enum cb_tok_kind kind, uint32_t v, const char *site,
			 cb_token_case_fn fn, void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = stmt(s, T_CASES, err);
	int rc = CB_OK, r;
	if (!st)
		return err->code;
	cb_db_bind_int64(st, 1, kind);
	cb_db_bind_int64(st, 2, v);
	if (site)
		cb_db_bind_text(st, 3, site, -1, true);
	else
		cb_db_bind_null(st, 3);
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		if (cb_db_column_bytes(st, 1) != 16)
			continue;
		const char *csite = (const char *)cb_db_column_text(st, 2);
		if ((rc = fn(cb_db_column_int64(st, 0), cb_db_column_blob(st, 1), csite ? csite : "", ctx)))
			break;
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "blind index");
	cb_db_reset(st);
	return rc;
}

int cb_store_linkage_get(struct cb_store *s, const uint8_t id[16], int64_t *seq, char site[17],
			 struct cb_blind *toks, uint8_t clk[CB_CLK_BYTES], bool *clk_ok, struct cb_err *err)
{
	struct cb_stmt *st = stmt(s, T_GET, err);
	int rc = CB_OK;
	if (!st)
		return err->code;
	*clk_ok = false;
	cb_db_bind_blob(st, 1, id, 16, true);
	int r = cb_db_step(st);
	if (r == CB_DB_ROW) {
		*seq = cb_db_column_int64(st, 0);
		snprintf(site, 17, "%s", cb_db_column_text(st, 1) ? (const char *)cb_db_column_text(st, 1) : "");
		rc = cb_blind_unpack(cb_db_column_blob(st, 2), (size_t)cb_db_column_bytes(st, 2), toks);
		if (rc == CB_OK && cb_db_column_type(st, 3) != CB_DB_NULL)
			*clk_ok = cb_clk_open(&s->sec->blind, id, cb_db_column_blob(st, 3),
					      (size_t)cb_db_column_bytes(st, 3), clk) == CB_OK;
		if (rc != CB_OK)
			rc = cb_err_set(err, rc, "blind index: a malformed token list");
	} else {
		rc = r == CB_DB_DONE ? CB_ENOTFOUND : cb_store_db_err(s->db, err, "blind index");
	}
	cb_db_reset(st);
	return rc;
}

/* Every linkage row (seq < 0) or one. */
static int linkage_scan(struct cb_store *s, int64_t seq, cb_linkage_fn fn, void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	struct cb_blind toks;
	uint8_t clk[CB_CLK_BYTES];
	int rc = cb_store_prep(s->db, "blind index", 0,
			       "SELECT c.seq, c.case_id, c.site, l.toks, l.clk, c.gender, c.citizenship"
			       " FROM linkage l JOIN cases c ON c.seq = l.seq"
			       " WHERE ?1 < 0 OR l.seq = ?1 ORDER BY l.seq",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_int64(st, 1, seq);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		const uint8_t *id = cb_db_column_blob(st, 1);
		const char *site = (const char *)cb_db_column_text(st, 2);
		bool ok = false;
		if (cb_db_column_bytes(st, 1) != 16 ||
		    cb_blind_unpack(cb_db_column_blob(st, 3), (size_t)cb_db_column_bytes(st, 3), &toks) != CB_OK)
			continue; /* check reports it */
		if (cb_db_column_type(st, 4) != CB_DB_NULL)
			ok = cb_clk_open(&s->sec->blind, id, cb_db_column_blob(st, 4), (size_t)cb_db_column_bytes(st, 4),
					 clk) == CB_OK;
		struct cb_linkage_row row = {cb_db_column_int64(st, 0), id, site ? site : "",
					     (const char *)cb_db_column_text(st, 5), (const char *)cb_db_column_text(st, 6),
					     &toks, ok ? clk : NULL};
		if ((rc = fn(&row, ctx)))
			break;
	}
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "blind index");
	cb_wipe(clk, sizeof clk);
	cb_db_finalize(&st);
	return rc;
}

int cb_store_linkage_scan(struct cb_store *s, cb_linkage_fn fn, void *ctx, struct cb_err *err)
{
	return linkage_scan(s, -1, fn, ctx, err);
}

int cb_store_linkage_seq(struct cb_store *s, int64_t seq, cb_linkage_fn fn, void *ctx, struct cb_err *err)
{
	return linkage_scan(s, seq, fn, ctx, err);
}

/* ---- the migration of an existing database */

struct backfill {
	struct cb_store *s;
	struct cb_err *err;
	int64_t seq;
};

int cb_tokens_backfill(struct cb_store *s, struct cb_err *err)
{
	char *pending = NULL;
	struct cb_stmt *st = NULL;
	struct cb_case c;
	struct cb_blind b;
	uint8_t sealed[CB_CLK_SEALED];
	int rc, r;
	if (s->readonly || cb_store_meta_get(s, "blind_index_pending", &pending) != CB_OK)
		return CB_OK;
	free(pending);
	cb_case_init(&c);
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_schema_exec(s->db, "DELETE FROM blind; DELETE FROM linkage", err)) != CB_OK ||
	    (rc = cb_store_prep(s->db, "blind index", 0,
				"SELECT seq, case_id FROM cases WHERE pii IS NOT NULL ORDER BY seq", &st, err)) != CB_OK)
		goto out;
	while ((r = cb_db_step(st)) == CB_DB_ROW) {
		if (cb_db_column_bytes(st, 1) != 16)
			continue;
		int64_t seq = cb_db_column_int64(st, 0);
		uint8_t id[16];
		memcpy(id, cb_db_column_blob(st, 1), 16);
		rc = cb_store_get(s, id, CB_WITH_PII, &c, err);
		if (rc == CB_ENOTFOUND) {
			rc = CB_OK;
			continue;
		}
		if (rc != CB_OK)
			goto out;
		cb_tokens_of_case(s, &c, &b, sealed);
		cb_case_clear(&c);
		if ((rc = cb_tokens_write(s, seq, &b, b.has_clk ? sealed : NULL, err)) != CB_OK)
			goto out;
	}
	if (r != CB_DB_DONE) {
		rc = cb_store_db_err(s->db, err, "blind index");
		goto out;
	}
	rc = cb_schema_exec(s->db, "DELETE FROM meta WHERE key = 'blind_index_pending'", err);
out:
	cb_db_finalize(&st);
	cb_case_clear(&c);
	return cb_store_tx_end(s, rc, err);
}

/* ---- record links */

/* a and b in a fixed order (the smaller id first), so a pair has one row. */
static void order(const uint8_t *a, const uint8_t *b, const uint8_t **lo, const uint8_t **hi)
{
	bool swap = memcmp(a, b, 16) > 0;
	*lo = swap ? b : a;
	*hi = swap ? a : b;
}

/* link_secondary: every linked case but the first registered of its group (union of links, transitively). */
static const char rebuild_secondary[] =
	"DELETE FROM link_secondary;"
	"WITH RECURSIVE edge(x, y) AS ("
	"  SELECT ca.seq, cb.seq FROM links l JOIN cases ca ON ca.case_id = l.a JOIN cases cb ON cb.case_id = l.b"
	"  WHERE l.state = 'linked'"
	"  UNION SELECT cb.seq, ca.seq FROM links l JOIN cases ca ON ca.case_id = l.a JOIN cases cb ON cb.case_id = l.b"
	"  WHERE l.state = 'linked'),"
	" reach(start, node) AS (SELECT x, x FROM edge UNION SELECT r.start, e.y FROM reach r JOIN edge e ON e.x = r.node)"
	"INSERT INTO link_secondary(seq) SELECT start FROM reach GROUP BY start HAVING min(node) < start;";

int cb_store_link_set(struct cb_store *s, const uint8_t a[16], const uint8_t b[16], bool linked, const char *by,
		      const char *from, struct cb_err *err)
{
	const uint8_t *lo, *hi;
	struct cb_stmt *st = NULL;
	int rc;
	if (!memcmp(a, b, 16))
		return cb_err_set(err, CB_EINVAL, "a case cannot be linked with itself");
	order(a, b, &lo, &hi);
	if ((rc = cb_store_tx_begin(s, err)) != CB_OK)
		return rc;
	if ((rc = cb_store_prep(s->db, "links", 0, "SELECT count(*) FROM cases WHERE case_id IN (?1, ?2)", &st, err)))
		goto out;
	cb_db_bind_blob(st, 1, lo, 16, false);
	cb_db_bind_blob(st, 2, hi, 16, false);
	if (cb_db_step(st) != CB_DB_ROW || (int)cb_db_column_int64(st, 0) != 2) {
		rc = cb_err_set(err, CB_ENOTFOUND, "no such case");
		goto out;
	}
	cb_db_finalize(&st);
	st = NULL;
	if ((rc = cb_store_prep(s->db, "links", 0,
				"INSERT INTO links(a, b, state, by_user, at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(a, b)"
				" DO UPDATE SET state = excluded.state, by_user = excluded.by_user, at = excluded.at", &st,
				err)))
		goto out;
	cb_db_bind_blob(st, 1, lo, 16, false);
	cb_db_bind_blob(st, 2, hi, 16, false);
	cb_db_bind_text(st, 3, linked ? "linked" : "dismissed", -1, false);
	cb_db_bind_text(st, 4, by ? by : "", -1, false);
	cb_db_bind_int64(st, 5, (int64_t)time(NULL));
	if (cb_store_step_done(st) != CB_OK) {
		rc = cb_store_db_err(s->db, err, "links");
		goto out;
	}
	if ((rc = cb_schema_exec(s->db, rebuild_secondary, err)) != CB_OK)
		goto out;
	/* on both cases: each one's history shows the decision; the detail names the other case */
	const char *act = cb_audit_names[linked ? CB_AUD_CASE_LINK : CB_AUD_CASE_LINK_DISMISS];
	char other[CB_ID_TEXT];
	cb_case_id_format(b, other);
	if ((rc = cb_store_event_as(s, by, from, act, a, other, err)) != CB_OK)
		goto out;
	cb_case_id_format(a, other);
	rc = cb_store_event_as(s, by, from, act, b, other, err);
out:
	cb_db_finalize(&st);
	return cb_store_tx_end(s, rc, err);
}

int cb_links_forget(struct cb_store *s, const uint8_t id[16], struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "links", 0, "DELETE FROM links WHERE a = ?1 OR b = ?1", &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, id, 16, false);
	if (cb_store_step_done(st) != CB_OK)
		rc = cb_store_db_err(s->db, err, "links");
	cb_db_finalize(&st);
	/* a seq may be given again once its case is gone: nothing may stay excluded by it */
	return rc == CB_OK ? cb_schema_exec(s->db, rebuild_secondary, err) : rc;
}

int cb_store_link_state(struct cb_store *s, const uint8_t a[16], const uint8_t b[16])
{
	const uint8_t *lo, *hi;
	struct cb_stmt *st = NULL;
	int state = -1;
	order(a, b, &lo, &hi);
	if (cb_store_prep(s->db, "links", 0, "SELECT state = 'linked' FROM links WHERE a = ?1 AND b = ?2", &st, NULL))
		return -1;
	cb_db_bind_blob(st, 1, lo, 16, false);
	cb_db_bind_blob(st, 2, hi, 16, false);
	if (cb_db_step(st) == CB_DB_ROW)
		state = (int)cb_db_column_int64(st, 0);
	cb_db_finalize(&st);
	return state;
}

int cb_store_links_of(struct cb_store *s, const uint8_t id[16],
		      int (*fn)(const uint8_t other[16], const char *site, void *ctx), void *ctx, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "links", 0,
			       "SELECT c.case_id, c.site FROM links l JOIN cases c"
			       " ON c.case_id = iif(l.a = ?1, l.b, l.a) WHERE (l.a = ?1 OR l.b = ?1) AND l.state = 'linked'"
			       " ORDER BY c.seq",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	cb_db_bind_blob(st, 1, id, 16, false);
	int r;
	while ((r = cb_db_step(st)) == CB_DB_ROW)
		if (cb_db_column_bytes(st, 0) == 16 &&
		    (rc = fn(cb_db_column_blob(st, 0), (const char *)cb_db_column_text(st, 1), ctx)))
			break;
	if (rc == CB_OK && r != CB_DB_DONE)
		rc = cb_store_db_err(s->db, err, "links");
	cb_db_finalize(&st);
	return rc;
}

int cb_store_linkage_gen(struct cb_store *s, int64_t *gen, struct cb_err *err)
{
	struct cb_stmt *st = NULL;
	int rc = cb_store_prep(s->db, "links", 0, "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'linkage_gen'",
			       &st, err);
	if (rc != CB_OK)
		return rc;
	int r = cb_db_step(st);
	if (r == CB_DB_ROW)
		*gen = cb_db_column_int64(st, 0);
	else if (r == CB_DB_DONE)
		rc = cb_err_set(err, CB_ENOTFOUND, "no linkage counter");
	else
		rc = cb_store_db_err(s->db, err, "links");
	cb_db_finalize(&st);
	return rc;
}
