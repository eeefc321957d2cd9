/*
 * tokens.h -- the stored blind indexes and linkage encodings of cases (tokens.c), and the record links that
 * say two cases are one person.
 *
 * Tables (schema step 6): blind(kind, tok, seq) is the index that search and blocking look tokens up in;
 * linkage(seq, toks, clk) keeps each case's token list (to take its rows out of `blind` again on erasure
 * or update, and for blocking) and its CLK sealed with the linkage seal key; links(a, b, state) the pairs a
 * manager confirmed ("linked") or dismissed; link_secondary(seq) every linked case but the first registered
 * of its group, which statistics leave out so that each person counts once.  No identifying detail is
 * stored in any of them, and tokens are cut short (blind.h).
 */
#ifndef CB_TOKENS_H
#define CB_TOKENS_H

#include "crypto/blind.h"
#include "store/store.h"

struct cb_tokens;

/* The tokens of a person under this database's keys (for a search, or a case about to be registered). */
void cb_store_blind(struct cb_store *s, const struct cb_person *p, struct cb_blind *out);

/* Cases having token (kind, v), in office `site` (NULL: any), in registration order: fn gets the seq, id
 * and office; stops at fn's first non-zero return. */
typedef int (*cb_token_case_fn)(int64_t seq, const uint8_t id[16], const char *site, void *ctx);
int cb_store_token_cases(struct cb_store *s, enum cb_tok_kind kind, uint32_t v, const char *site,
			 cb_token_case_fn fn, void *ctx, struct cb_err *err);

/* Every case's linkage row: its tokens, its CLK opened (NULL when it has none), and two coded fields that
 * tell people apart (gender, citizenship: as stored, NULL when missing). */
struct cb_linkage_row {
	int64_t seq;
	const uint8_t *id; /* 16 bytes */
	const char *site, *gender, *citizenship;
	const struct cb_blind *toks;
	const uint8_t *clk;
};
typedef int (*cb_linkage_fn)(const struct cb_linkage_row *row, void *ctx);
int cb_store_linkage_scan(struct cb_store *s, cb_linkage_fn fn, void *ctx, struct cb_err *err);
/* The same for the one case at seq. */
int cb_store_linkage_seq(struct cb_store *s, int64_t seq, cb_linkage_fn fn, void *ctx, struct cb_err *err);
/* One case's (by id): CB_ENOTFOUND if it has no linkage row (no identifying details). clk_ok says whether
 * clk was filled. */
int cb_store_linkage_get(struct cb_store *s, const uint8_t id[16], int64_t *seq, char site[17],
			 struct cb_blind *toks, uint8_t clk[CB_CLK_BYTES], bool *clk_ok, struct cb_err *err);

/* Record links.  state: "linked" or "dismissed"; by: the user deciding (NULL: the local operator).  Audited
 * (case.link / case.link_dismiss on both cases) in the same transaction; CB_ENOTFOUND if either case is
 * missing, CB_EINVAL for a case with itself. */
int cb_store_link_set(struct cb_store *s, const uint8_t a[16], const uint8_t b[16], bool linked, const char *by,
		      const char *from, struct cb_err *err);
/* The state of a pair: 1 linked, 0 dismissed, -1 neither. */
int cb_store_link_state(struct cb_store *s, const uint8_t a[16], const uint8_t b[16]);
/* The cases linked to id (directly), with their office. */
int cb_store_links_of(struct cb_store *s, const uint8_t id[16],
		      int (*fn)(const uint8_t other[16], const char *site, void *ctx), void *ctx, struct cb_err *err);

/* A number that moves with every change that can change the possible duplicates (tokens, CLKs, links, a
 * case's office, gender or citizenship, a case deleted; schema step 15's triggers): a list of pairs
 * computed at one value holds while it stays.  CB_ENOTFOUND in a file not yet upgraded (read-only). */
int cb_store_linkage_gen(struct cb_store *s, int64_t *gen, struct cb_err *err);

/* ---- inside the store (records.c, store.c) */

/* Writes the tokens of the case at seq (which has none: see forget), in the open transaction.  clk_sealed
 * (CB_CLK_SEALED bytes) or NULL. */
int cb_tokens_write(struct cb_store *s, int64_t seq, const struct cb_blind *b, const uint8_t *clk_sealed,
		    struct cb_err *err);
/* cb_tokens_write for a case added in the open transaction (seq new): on PostgreSQL its rows go as one COPY
 * with the other new cases' before the next statement (db.h, cb_db_defer). */
int cb_tokens_write_new(struct cb_store *s, int64_t seq, const struct cb_blind *b, const uint8_t *clk_sealed,
			struct cb_err *err);
/* erase --all, in its transaction: the case's links go, and the cases statistics leave out are counted again. */
int cb_links_forget(struct cb_store *s, const uint8_t id[16], struct cb_err *err);
/* Removes the tokens of the case at seq, in the open transaction (erasure, update of its details). */
int cb_tokens_forget(struct cb_store *s, int64_t seq, struct cb_err *err);
/* Tokens and sealed CLK of case c (which carries its identifying details) into b and clk_sealed. */
void cb_tokens_of_case(struct cb_store *s, const struct cb_case *c, struct cb_blind *b,
		       uint8_t clk_sealed[CB_CLK_SEALED]);
/* After a read-write open: builds the tokens of every case of a database that had cases before they existed
 * (meta blind_index_pending, set by schema step 6), in one transaction. */
int cb_tokens_backfill(struct cb_store *s, struct cb_err *err);
void cb_tokens_free(struct cb_tokens **t);

#endif
