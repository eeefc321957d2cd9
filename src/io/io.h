/*
 * io.h -- cases in and out of casebank: case JSON, the exchange formats (HTCDS CSV, CTDC CSV, JSON lines),
 * import with rejected-row reports, export, and the synthetic demo data.
 *
 * A format is a table of functions (struct cb_format) so that import and export are written once.
 * Row conversion never writes identifying details into error messages: an error names the line, the
 * field, a coded value and the allowed values only.
 */
#ifndef CB_IO_H
#define CB_IO_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "codebook/codebook.h"
#include "io/csv.h"
#include "store/store.h"

/* ---- case JSON (json.c): a flat object keyed by field name; MULTI as arrays, BOOL as true/false,
 * dates YYYY-MM-DD, countries alpha-2, case_id as text.  Missing fields are omitted. */
#define CB_JSON_PII 1u   /* include identifying details */
#define CB_JSON_PATCH 2u /* parse: only the keys present are changed; null clears a field */
/* Parses obj into c (which must be initialised).  Unknown keys and wrong types are errors naming the key. */
int cb_case_from_json(struct cb_case *c, const json_t *obj, unsigned flags, struct cb_err *err);
/* Parses one JSON text (a line of a JSON lines file, or a whole document). */
int cb_case_from_json_text(struct cb_case *c, const char *text, size_t len, unsigned flags, struct cb_err *err);
json_t *cb_case_to_json(const struct cb_case *c, unsigned flags); /* new reference */

/* ---- exchange formats (htcds.c, ctdc.c, jsonl.c) */
enum cb_format_id { CB_FMT_HTCDS, CB_FMT_CTDC, CB_FMT_CTDC_SYNTH, CB_FMT_JSONL, CB_FMT__COUNT };

/* Per-file reading state: the header's column map, built by open_header. */
struct cb_reader_ctx {
	enum cb_format_id format;
	int ncols;
	int *col_field; /* per column: a field id, or a format-specific negative code, or -1 to ignore */
	void *priv;     /* format-specific */
};

struct cb_format {
	const char *name; /* "htcds", "ctdc", "jsonl" */
	char delim;       /* CSV delimiter; 0 for JSON lines */
	/* Reads the header row and builds ctx; errors name the unknown or missing columns. */
	int (*open_header)(struct cb_reader_ctx *ctx, const struct cb_csv_row *header, struct cb_err *err);
	/* Converts one data row into c (initialised by the caller).  Errors carry err->field. */
	int (*row_to_case)(struct cb_reader_ctx *ctx, const struct cb_csv_row *row, struct cb_case *c,
			   struct cb_err *err);
	void (*close)(struct cb_reader_ctx *ctx);
	void (*write_header)(FILE *f, unsigned flags);
	void (*write_case)(FILE *f, const struct cb_case *c, unsigned flags); /* flags: CB_JSON_PII */
};

/* The formats themselves (htcds.c, ctdc.c, jsonl.c).  JSON lines has no header row: open_header gets NULL.
 * Column codes in cb_reader_ctx.col_field: a field id, CB_COL_CODED (a format column holding coded data, such
 * as a CTDC flag) or CB_COL_IGNORE (free text or unknown: never copied into a rejected-rows file). */
#define CB_COL_IGNORE (-1)
#define CB_COL_CODED (-2)
extern const struct cb_format cb_format_htcds, cb_format_ctdc, cb_format_ctdc_synth, cb_format_jsonl;
/* A JSON lines row for a rejected-rows file: the object with every identifying key removed, or "" if the
 * line is not a JSON object. */
int cb_jsonl_redact(const char *line, size_t len, struct cb_buf *out);

const struct cb_format *cb_format_get(enum cb_format_id id);
const struct cb_format *cb_format_by_name(const char *name); /* NULL if unknown */
/* Guesses the format from the first line of a file. */
int cb_format_detect(const char *first_line, size_t len, enum cb_format_id *out);

/* ---- import (import.c) */
struct cb_import_opts {
	const char *format;      /* NULL: detect */
	const char *site;        /* office for rows whose format carries none; NULL: "IMPORT" */
	bool progress;           /* draw a progress bar on stderr */
	const char *rejected;    /* path of the rejected-rows file; NULL: FILE.rejected.csv */
};
struct cb_import_result {
	long imported, rejected, duplicates;
};
/* Imports a file into the store: valid rows are stored in batches (one transaction each), rows already
 * imported are skipped, invalid rows go to the rejected file with line number and reason (identifying
 * details withheld).  Returns CB_OK even when rows were rejected; the caller reads res. */
int cb_import_file(struct cb_store *s, const char *path, const struct cb_import_opts *o,
		   struct cb_import_result *res, struct cb_err *err);

/* ---- export (export.c): every case, coded fields only unless with_identifiers (which is recorded). */
int cb_export(struct cb_store *s, FILE *out, const char *format, bool with_identifiers, struct cb_err *err);

/* ---- demo data (demo.c): n synthetic cases, reproducible from seed, with fake names and narratives. */
int cb_demo_generate(struct cb_store *s, long n, uint64_t seed, bool progress, struct cb_err *err);
/* One synthetic case (no id), for tests and benchmarks.  `rng` is a state from cb_demo_rng_seed. */
struct cb_demo_rng {
	uint64_t s[4];
};
void cb_demo_rng_seed(struct cb_demo_rng *r, uint64_t seed);
int cb_demo_case(struct cb_demo_rng *r, struct cb_case *c, bool with_pii);
uint64_t cb_demo_next(struct cb_demo_rng *r);                     /* 64 random bits */
uint32_t cb_demo_below(struct cb_demo_rng *r, uint32_t n);        /* in [0, n), the same on every machine */
bool cb_demo_chance(struct cb_demo_rng *r, unsigned permille);     /* true permille times in 1000 */
int32_t cb_demo_between(struct cb_demo_rng *r, int32_t lo, int32_t hi); /* in [lo, hi] */
int cb_demo_pick(struct cb_demo_rng *r, const uint16_t *w, int n); /* an index drawn by weights w[0..n) */
/* Planted duplicates (demo_dups.c): for a share `rate` (0..0.5] of the cases with a name and a birth date,
 * a copy with realistic errors registered again at the same or another office.  The true pairs (source id,
 * copy id, a line each) go to the file `truth` (NULL: nowhere), never into the database.  *planted: how
 * many. */
int cb_demo_duplicates(struct cb_store *s, double rate, uint64_t seed, const char *truth, long *planted,
		       struct cb_err *err);
/* The help given (demo_assist.c): a directory of fictional partners (shelters with beds among them) and, for
 * the cases of a few offices that have none yet, workflow stages, assistance records, referrals and
 * follow-ups, all through care/assist.h in one transaction.  Reproducible from seed; dates are placed
 * relative to `today` (CB_NA: today) so that the dashboard's last twelve months hold something. */
struct cb_demo_assist_counts {
	long partners, cases, stages, assistance, referrals, followups;
};
int cb_demo_assist(struct cb_store *s, uint64_t seed, int32_t today, struct cb_demo_assist_counts *n,
		   struct cb_err *err);

/* ---- progress bar (import.c) on stderr, drawn only when stderr is a terminal. */
void cb_progress(const char *what, long done, long total);

#endif
