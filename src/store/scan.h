/*
 * scan.h -- streaming the coded columns of every case to a reader that builds its own structure from them
 * (the statistics index, stats/index_build.c), on several threads at once when the database is large.
 *
 * The caller names fields, never SQL: each row arrives as cells, the case id first, then its record key,
 * then the fields in the order asked.  A snapshot is a set of readers that all see one commit of the cases
 * table; each reader is used by one thread at a time.  Kept apart from store.h because only a bulk reader
 * needs it, and so that its storage side (a custom SQL function on SQLite) stays in src/store/.
 */
#ifndef CB_STORE_SCAN_H
#define CB_STORE_SCAN_H

#include <stdint.h>

#include "codebook/codebook.h"
#include "store/store.h"

enum cb_scan_type { CB_SCAN_NULL, CB_SCAN_INT, CB_SCAN_TEXT, CB_SCAN_BLOB };

/* One value of a row: an integer, or n bytes at p (text is also NUL-terminated).  Valid only for the call. */
struct cb_scan_cell {
	enum cb_scan_type type;
	int64_t i;
	const char *p;
	size_t n;
};

/* cells[0] case_id, cells[1] record_key, cells[2 + k] the k-th field asked for.  Non-zero stops the scan
 * and is returned by it. */
typedef int (*cb_scan_fn)(void *ctx, const struct cb_scan_cell *cells);

struct cb_store_snapshot;

/* What a snapshot sees: the bounds of seq (registration order; lo > hi when there are no cases), how many
 * cases, and how many readers it has. */
struct cb_store_span {
	int64_t lo, hi, count;
	int readers;
};

/* Opens up to `want` readers (at least 1).  There is one when want is 1, when the store is inside a
 * transaction (its own writes must be seen, and only its connection sees them), when the database is in
 * memory, or when the extra readers could not be made to agree on one commit. */
int cb_store_snapshot_open(struct cb_store *s, int want, struct cb_store_snapshot **out, struct cb_store_span *span,
			   struct cb_err *err);
/* Streams the cases with seq in [lo, hi] in seq order on reader r, for fields[0..nfields) (each with a
 * column: cb_schema_is_column).  *rows (may be NULL): rows read. */
int cb_store_snapshot_scan(struct cb_store_snapshot *sn, int r, const struct cb_field *const *fields, int nfields,
			   int64_t lo, int64_t hi, cb_scan_fn fn, void *ctx, int64_t *rows, struct cb_err *err);
/* Ends the readers' transactions and closes those the snapshot opened. */
void cb_store_snapshot_free(struct cb_store_snapshot **sn);

#endif
