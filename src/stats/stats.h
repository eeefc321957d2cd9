/*
 * stats.h -- the knowledge bank: protected counts over the coded fields of consenting cases.
 *
 * Layers, each usable on its own:
 *   cb_index   an in-memory column index built from the store: one small integer per case and coded
 *              dimension, a value-bit set per case and multi-valued dimension, the secret record key.
 *              A server keeps it resident and calls cb_index_upsert/cb_index_remove on every write.
 *   cb_where   a parsed --where expression, bound to the index's dimensions.
 *   cb_ptable  the perturbation table of the cell key method (ONS layout: pcv 1..750 x ckey 0..255).
 *   cb_stats   a bank: index + ptable + threshold + policy, read from one database.  cb_stats_query
 *              runs a cross-table and returns a cb_table of protected cells that renderers walk.
 *
 * Protection is not optional: every count leaving cb_stats_query is perturbed with the cell key method and
 * suppressed below the threshold unless CB_Q_EXACT is asked for (and that is recorded by the caller with
 * cb_store_event).  Record keys and the ptable never leave this module except through cb_ptable_write_csv.
 */
#ifndef CB_STATS_H
#define CB_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codebook/codebook.h"
#include "store/store.h"

/* ---- dimensions: the CB_F_DIM fields of cb_fields.h plus two derived ones (UN M49 regions). */
#define CB_STATS_MAX_DIMS 3
#define CB_DIM_CITIZENSHIP_REGION (CB_NFIELDS + 0)
#define CB_DIM_DESTINATION_REGION (CB_NFIELDS + 1)
#define CB_DIM__END (CB_NFIELDS + 2)

/* ---- the column index (index.c) */
struct cb_index;

/* Builds the index of every case in the store (one SELECT of the coded columns).  Cases without consent
 * to statistics are kept (so that an update can flip them) but never counted while the database's policy
 * requires consent. */
int cb_index_build(struct cb_store *s, struct cb_index **out, struct cb_err *err);
/* An empty index (tests, servers that fill it themselves). */
int cb_index_new(struct cb_index **out);
void cb_index_free(struct cb_index **ix);
/* Adds or replaces the case c->case_id with its coded fields and record key (0..255). */
int cb_index_upsert(struct cb_index *ix, const struct cb_case *c, uint8_t record_key, struct cb_err *err);
/* Removes a case; CB_ENOTFOUND if it is not there. */
int cb_index_remove(struct cb_index *ix, const uint8_t id[16]);
/* Number of cases held (consenting or not). */
long cb_index_size(const struct cb_index *ix);
/* Bytes held by the index, for the memory budget (at most 64 per case). */
size_t cb_index_bytes(const struct cb_index *ix);

/* A dimension by name ("gender", "citizenship_region"): its id (a cb_field_id or CB_DIM_*), or -1. */
int cb_dim_find(const char *name);
const char *cb_dim_name(int dim);
const char *cb_dim_label(int dim);
bool cb_dim_is_multi(int dim);
/* "year, site, gender, ..." for error messages. */
const char *cb_dim_list(char *buf, size_t n);

/* ---- the --where expression (where.c) */
struct cb_where;
/* Parses text against the index (which knows the sites present).  Errors are CB_EINVAL; the message gives
 * the 1-based column of the mistake ("column 9: ...") and lists the valid fields or values, err->field
 * names the field.  *out is NULL for an empty text (no filter). */
int cb_where_parse(const struct cb_index *ix, const char *text, struct cb_where **out, struct cb_err *err);
void cb_where_free(struct cb_where **w);
/* A normalised rendering of the expression, for output metadata.  Returns buf. */
const char *cb_where_text(const struct cb_where *w, char *buf, size_t n);

/* ---- the perturbation table and the cell key method (ckm.c) */
#define CB_PTABLE_ROWS 750 /* pcv 1..750; above 750 rows 501..750 repeat */
#define CB_PTABLE_KEYS 256 /* ckey 0..255 */
struct cb_ptable;

struct cb_ptable_params {
	int d;     /* maximum deviation |published - true| */
	double v;  /* variance of the deviation */
	int js;    /* no positive published value <= js */
};
/* casebank's defaults (see docs/statistics.md for why). */
#define CB_PTABLE_DEFAULT_D 4
#define CB_PTABLE_DEFAULT_V 3.0
#define CB_PTABLE_DEFAULT_JS 2
#define CB_STATS_DEFAULT_THRESHOLD 10

/* Maximum-entropy ptable from params (p(d) ~ exp(a d + b d^2) over the allowed deviations, mean 0,
 * variance v), quantised to 256 ckeys.  CB_EINVAL with a reason when no such table exists. */
int cb_ptable_generate(const struct cb_ptable_params *p, struct cb_ptable **out, struct cb_err *err);
/* ONS CSV layout: header "pcv","ckey","pvalue" (quotes optional), one row per (pcv, ckey).  Every pcv
 * 1..750 and ckey 0..255 must be present exactly once, and pcv + pvalue >= 0. */
int cb_ptable_read_csv(const char *text, size_t len, struct cb_ptable **out, struct cb_err *err);
int cb_ptable_write_csv(const struct cb_ptable *pt, FILE *f);
void cb_ptable_free(struct cb_ptable **pt);
/* The parameters a table was generated from; false for an imported table. */
bool cb_ptable_params(const struct cb_ptable *pt, struct cb_ptable_params *out);
/* Loads the database's ptable from meta (an imported one, else generated from the stored parameters,
 * else from the defaults). */
int cb_ptable_load(struct cb_store *s, struct cb_ptable **out, struct cb_err *err);
/* Stores a table in meta: an imported table in full, a generated one as its parameters. */
int cb_ptable_save(struct cb_store *s, const struct cb_ptable *pt, struct cb_err *err);

/* The cell key method for one cell: n true count, ckey = sum of record keys mod 256.  Zero stays zero;
 * pcv = n for n <= 750, ((n - 1) mod 250) + 501 above.  Returns n + ptable[pcv][ckey]. */
int64_t cb_ckm_perturb(const struct cb_ptable *pt, int64_t n, unsigned ckey);

/* ---- differentially private releases (release.c; the model is include/tbl/cb_release.h)
 *
 * A release measures the counted cases of one registration year once, under a zCDP budget rho, and keeps
 * a synthetic caseload drawn from the noisy measurements; statistics for analysts are counted over those
 * caseloads only.  Years are disjoint sets of people, so each has its own budget cap (meta "release.cap",
 * or "release.cap.YEAR"); re-measuring a year spends more of it; the ledger is the `releases` table. */
#define CB_RELEASE_DELTA 1e-9        /* the delta every epsilon is quoted at */
#define CB_RELEASE_DEFAULT_RHO 0.2   /* epsilon 3.93 at delta 1e-9 */
#define CB_RELEASE_DEFAULT_CAP 0.4   /* two releases a year; epsilon 5.73 at delta 1e-9 */

struct cb_release_meta {
	int64_t id;
	int year;
	int64_t made_at;
	double rho;  /* of this release */
	double spent; /* of its year, all releases so far */
};

struct cb_release_opts {
	const int *years; /* NULL: every year with cases */
	int nyears;
	double rho;       /* 0: the database's "release.rho", else CB_RELEASE_DEFAULT_RHO */
	bool force;       /* measure years whose cases have not changed since their last release */
	const char *actor; /* user name for the audit trail; NULL: the local operator */
};
/* Measures the years asked for that have no release or whose cases changed; prints a line per year on out
 * (what was spent, what is left).  A year whose cap would be exceeded is refused (CB_EPERM, after the
 * others are done), with a message that says by how much. */
int cb_release_run(struct cb_store *s, const struct cb_release_opts *o, FILE *out, struct cb_err *err);
/* Prints the ledger: per year its releases, what they spent and the cap, as rho and as epsilon. */
int cb_release_ledger(struct cb_store *s, FILE *out, struct cb_err *err);
/* Sets a year's cap (year 0: the default for every year without its own). */
int cb_release_set_cap(struct cb_store *s, int year, double cap, struct cb_err *err);
/* How often `casebank serve` releases the years that changed (meta "release.every_hours"; 0: never). */
int cb_release_set_schedule(struct cb_store *s, double hours, struct cb_err *err);
/* Runs cb_release_run as actor when the schedule says a run is due (meta "release.last_run" is older than the
 * interval), and notes the run; sets *every to the interval in hours (0: no schedule). */
int cb_release_when_due(struct cb_store *s, const char *actor, FILE *out, double *every, struct cb_err *err);
/* A year's cap and what it has spent. */
int cb_release_budget(struct cb_store *s, int year, double *cap, double *spent, struct cb_err *err);

/* Whether a dimension can be answered from releases (a released field, year, majority, a region). */
bool cb_release_has_dim(int dim);

/* ---- the bank and its queries (table.c) */
struct cb_stats;

/* Opens the bank analysts see: the synthetic caseloads of the newest release of each year (release.c).
 * Without any release the bank is empty and every query says how to make one. */
int cb_stats_open(struct cb_store *s, struct cb_stats **out, struct cb_err *err);
/* Opens the bank of the records themselves: builds the index, loads the ptable, threshold and consent
 * policy from meta (keys "stats.threshold", "stats.require_consent"; ptable parameters "ptable.*", recorded
 * on a writable store where none are yet).  For --exact (data managers) and the cell key method; never for
 * analysts.  The bank keeps no reference to the store. */
int cb_stats_open_records(struct cb_store *s, struct cb_stats **out, struct cb_err *err);
/* Whether the bank answers from releases, and the newest release id it holds (0 none). */
bool cb_stats_is_release(const struct cb_stats *st);
int64_t cb_stats_newest(const struct cb_stats *st);
/* A bank over a given index and ptable (tests, servers); takes ownership of both. */
int cb_stats_new(struct cb_index *ix, struct cb_ptable *pt, int threshold, bool require_consent,
		 struct cb_stats **out, struct cb_err *err);
void cb_stats_free(struct cb_stats **st);
/* For upserts by a resident server; NULL for a release bank, which changes only with a new release. */
struct cb_index *cb_stats_index(struct cb_stats *st);
int cb_stats_threshold(const struct cb_stats *st);

#define CB_Q_PERCENT 1u /* compute shares */
#define CB_Q_EXACT 2u   /* unprotected counts, for data managers: the caller records a cb_store_event */

struct cb_query {
	const char *dims[CB_STATS_MAX_DIMS]; /* dimension names; NULL-terminated if fewer than 3 */
	const char *where;                   /* --where text, NULL or "" for none */
	unsigned flags;                      /* CB_Q_* */
};

/* One cell of a result.  coord[d] is a value index of dimension d, or CB_CELL_TOTAL for its total (and
 * CB_CELL_TOTAL for every d >= the number of dimensions).  A cell with no case is published as 0 and never
 * suppressed; a cell with cases is either a number >= the threshold or suppressed. */
#define CB_CELL_TOTAL (-1)
struct cb_cell {
	int coord[CB_STATS_MAX_DIMS];
	bool suppressed; /* published value below the threshold: print "x", never the number */
	int64_t value;   /* published count (0 when suppressed) */
	double percent;  /* with CB_Q_PERCENT: share of the table's (3 dims: the block's) grand total, from
			    published values; NaN when it or the total is suppressed */
};

struct cb_table;
/* Runs a query.  Errors (unknown dimension, bad where text) are CB_EINVAL with a message. */
int cb_stats_query(struct cb_stats *st, const struct cb_query *q, struct cb_table **out, struct cb_err *err);
void cb_table_free(struct cb_table **t);

int cb_table_ndims(const struct cb_table *t);
int cb_table_dim(const struct cb_table *t, int d);           /* dimension id */
int cb_table_nvalues(const struct cb_table *t, int d);       /* values of dimension d, "not recorded" last */
const char *cb_table_value(const struct cb_table *t, int d, int v);  /* value name; "Total" for CB_CELL_TOTAL */
const char *cb_table_label(const struct cb_table *t, int d, int v);  /* English label */
/* Every cell including totals, in long order: first dimension slowest, each dimension's values then its
 * total.  Index i < cb_table_ncells(t). */
size_t cb_table_ncells(const struct cb_table *t);
const struct cb_cell *cb_table_cell(const struct cb_table *t, size_t i);
/* The cell at coordinates (CB_CELL_TOTAL allowed per dimension). */
const struct cb_cell *cb_table_at(const struct cb_table *t, const int coord[]);
bool cb_table_exact(const struct cb_table *t);
int cb_table_threshold(const struct cb_table *t);
const char *cb_table_where(const struct cb_table *t); /* normalised filter text, "" for none */
/* The releases a result was counted from (none for a records bank). */
int cb_table_nreleases(const struct cb_table *t);
const struct cb_release_meta *cb_table_release(const struct cb_table *t, int i);
bool cb_table_from_release(const struct cb_table *t);
/* "2019-2021: releases of 2026-12-02 (0 days old); rho 0.2 (epsilon 3.93 at delta 1e-9) a year" */
const char *cb_table_release_text(const struct cb_table *t, char *buf, size_t n);
/* A sentence for readers of the output: perturbation, threshold, multi-valued dimensions. */
const char *cb_table_note(const struct cb_table *t, char *buf, size_t n);

/* Renderers (table.c): --format table|csv|json. */
enum cb_stats_format { CB_SF_TABLE, CB_SF_CSV, CB_SF_JSON };
int cb_table_write(const struct cb_table *t, enum cb_stats_format fmt, FILE *f, struct cb_err *err);

#endif
