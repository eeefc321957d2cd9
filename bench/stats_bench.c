/*
 * stats_bench.c -- the knowledge bank against SQLite, on the same data, in one process.
 *
 *   stats_bench --db DB --plain PLAIN.sqlite [--runs K] [--sqlite-runs S] [--build-runs B] [--cells FILE]
 *
 * DB is a casebank database; PLAIN is its HTCDS CSV export loaded with `sqlite3 .import` into a table
 * `cases` of text columns (bench/stats.sh makes both).  Measured, alternating so that drift of a shared
 * machine hits both sides alike:
 *   build   cb_stats_open_records (index build) against SQLite stepping a SELECT of the same coded columns of DB
 *   query   cb_stats_query (protected counts, index resident, one thread) against a GROUP BY on PLAIN
 *   report  cb_report_build, the whole standard report (when the library has it)
 * Before timing, the exact counts of every cell (CB_Q_EXACT) are checked against SQLite's; any difference
 * fails the run.  --cells writes those exact counts so that bench/duckdb_stats.mjs checks DuckDB's too.
 * Lines starting "result " are for bench/stats.sh: name, median, min, max (milliseconds).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "bench.h"
#include "stats/stats.h"
#if defined(__has_include)
#if __has_include("stats/report.h")
#include "stats/report.h"
#define HAVE_REPORT 1
#endif
#endif

#define DIM_A "citizenship"
#define DIM_B "exploitation_type"
#define WHERE "year between 2010 and 2020 and gender = Feminine"
/* The same filter on the HTCDS columns; years are four digits, CAST keeps the comparison numeric. */
#define SQL_WHERE "CAST(c.x_year AS INTEGER) BETWEEN 2010 AND 2020 AND c.prs_Gender = 'Feminine' " \
		  "AND c.x_consent_statistics = 'yes'"

static int die(const char *what, const char *msg)
{
	fprintf(stderr, "stats_bench: %s: %s\n", what, msg);
	return 1;
}

/* ---- SQLite side */

/* Steps a SELECT of the columns the index reads, touching every value; returns ms or -1. */
static double sqlite_select_coded(sqlite3 *db)
{
	struct cb_buf sql = {0};
	sqlite3_stmt *st = NULL;
	double ms = -1;
	cb_buf_printf(&sql, "SELECT case_id, record_key, consent_statistics");
	for (int f = 0; f < CB_NFIELDS; f++)
		if (cb_fields[f].flags & CB_F_DIM)
			cb_buf_printf(&sql, ", \"%s\"", cb_fields[f].name);
	cb_buf_printf(&sql, " FROM cases");
	double t0 = now_ms();
	if (!sql.data || sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK)
		goto out;
	int ncol = sqlite3_column_count(st), rc;
	long bytes = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < ncol; i++)
			bytes += sqlite3_column_bytes(st, i);
	if (rc == SQLITE_DONE && bytes > 0)
		ms = now_ms() - t0;
out:
	sqlite3_finalize(st);
	cb_buf_free(&sql);
	return ms;
}

/* The GROUP BY of the benchmark query on the plain table.  The multi-valued column is split by joining the
 * list of its values (plus '' for "not recorded") on a ';'-delimited match; CROSS JOIN keeps the case
 * table in the outer loop so it is scanned once. */
static char *group_by_sql(void)
{
	struct cb_buf b = {0};
	const struct cb_vset *vs = cb_fields[CB_FLD_exploitation_type].vset;
	cb_buf_printf(&b, "WITH et(v) AS (VALUES ('')");
	for (int i = 0; i < vs->count; i++)
		cb_buf_printf(&b, ", ('%s')", vs->values[i].name);
	cb_buf_printf(&b, ") SELECT c.prs_Citizenship, et.v, count(*) FROM cases c CROSS JOIN et "
			  "WHERE instr(';' || c.vic_TypeOfExploitation || ';', ';' || et.v || ';') > 0 AND " SQL_WHERE
			  " GROUP BY 1, 2");
	return b.data;
}

struct sq_cell {
	char a[8], b[48];
	long n;
};

/* Runs the GROUP BY; with cells, keeps its rows.  Returns ms or -1. */
static double sqlite_group_by(sqlite3 *db, const char *sql, struct sq_cell **cells, int *ncells)
{
	sqlite3_stmt *st = NULL;
	double t0 = now_ms(), ms = -1;
	int rc, n = 0, cap = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!cells)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			struct sq_cell *p = realloc(*cells, (size_t)cap * sizeof *p);
			if (!p)
				goto out;
			*cells = p;
		}
		struct sq_cell *c = &(*cells)[n++];
		snprintf(c->a, sizeof c->a, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(c->b, sizeof c->b, "%s", (const char *)sqlite3_column_text(st, 1));
		c->n = (long)sqlite3_column_int64(st, 2);
	}
	if (rc == SQLITE_DONE)
		ms = now_ms() - t0;
	if (ncells)
		*ncells = n;
out:
	sqlite3_finalize(st);
	return ms;
}

/* ---- the check: casebank's exact counts against SQLite's, every cell */

/* Position of a value name on axis d ('' = not recorded, the last value), or -1. */
static int value_pos(const struct cb_table *t, int d, const char *name)
{
	int nv = cb_table_nvalues(t, d);
	if (!*name)
		return nv - 1;
	for (int v = 0; v < nv - 1; v++)
		if (strcmp(cb_table_value(t, d, v), name) == 0)
			return v;
	return -1;
}

static const char *shown(const char *name) { return *name ? name : "(not recorded)"; }

static int cmp_cell_desc(const void *x, const void *y)
{
	long a = ((const struct sq_cell *)x)->n, b = ((const struct sq_cell *)y)->n;
	return (a < b) - (a > b);
}

/* Compares every cell (sorts sq); prints the largest and two "not recorded" ones; writes the exact cells to
 * `path` for the DuckDB check.  0 if equal. */
static int check_counts(const struct cb_table *t, struct sq_cell *sq, int nsq, const char *path)
{
	long cb_sum = 0, sq_sum = 0, bad = 0;
	int na = cb_table_nvalues(t, 0), nb = cb_table_nvalues(t, 1);
	bool na_a = false, na_b = false;
	for (int a = 0; a < na; a++)
		for (int b = 0; b < nb; b++)
			cb_sum += cb_table_at(t, (int[]){a, b, CB_CELL_TOTAL})->value;
	qsort(sq, (size_t)nsq, sizeof *sq, cmp_cell_desc);
	printf("check (exact counts, %s x %s where %s and consenting):\n", DIM_A, DIM_B, WHERE);
	printf("  %-16s %-32s %10s %10s\n", DIM_A, DIM_B, "casebank", "sqlite3");
	for (int i = 0; i < nsq; i++) {
		int a = value_pos(t, 0, sq[i].a), b = value_pos(t, 1, sq[i].b);
		long n = a >= 0 && b >= 0 ? (long)cb_table_at(t, (int[]){a, b, CB_CELL_TOTAL})->value : -1;
		bool show = n != sq[i].n || i < 4 || (!*sq[i].a && !na_a) || (!*sq[i].b && !na_b);
		na_a |= !*sq[i].a;
		na_b |= !*sq[i].b;
		if (show)
			printf("  %-16s %-32s %10ld %10ld%s\n", shown(sq[i].a), shown(sq[i].b), n, sq[i].n,
			       n != sq[i].n ? "   MISMATCH" : "");
		sq_sum += sq[i].n;
		bad += n != sq[i].n;
	}
	printf("  all %d cells: casebank sum %ld, sqlite3 sum %ld\n", nsq, cb_sum, sq_sum);
	if (bad || cb_sum != sq_sum || nsq == 0) {
		fprintf(stderr, "stats_bench: COUNTS DIFFER between casebank and sqlite3 (%ld cells)\n", bad);
		return 1;
	}
	if (!path)
		return 0;
	FILE *f = fopen(path, "w");
	if (!f)
		return die(path, "cannot write");
	fprintf(f, "%s,%s,count\n", DIM_A, DIM_B);
	for (int a = 0; a < na; a++)
		for (int b = 0; b < nb; b++) {
			long n = (long)cb_table_at(t, (int[]){a, b, CB_CELL_TOTAL})->value;
			if (n)
				fprintf(f, "%s,%s,%ld\n", a == na - 1 ? "" : cb_table_value(t, 0, a),
					b == nb - 1 ? "" : cb_table_value(t, 1, b), n);
		}
	return fclose(f) ? die(path, "cannot write") : 0;
}

/* ---- main */

struct opts {
	const char *db, *plain, *cells;
	int runs, build_runs, sqlite_runs;
};

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){.runs = 21, .build_runs = 5, .sqlite_runs = -1};
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--db"))
			o->db = argv[i + 1];
		else if (!strcmp(argv[i], "--plain"))
			o->plain = argv[i + 1];
		else if (!strcmp(argv[i], "--cells"))
			o->cells = argv[i + 1];
		else if (!strcmp(argv[i], "--runs"))
			o->runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--sqlite-runs"))
			o->sqlite_runs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--build-runs"))
			o->build_runs = atoi(argv[i + 1]);
		else
			return 1;
	}
	if (o->sqlite_runs < 1 || o->sqlite_runs > o->runs)
		o->sqlite_runs = o->runs;
	return !o->db || !o->plain || o->runs < 1 || o->build_runs < 1 || argc % 2 == 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct cb_err err = {0};
	struct cb_store *s = NULL;
	struct cb_stats *st = NULL;
	struct cb_table *t = NULL;
	sqlite3 *plain = NULL;
	struct sq_cell *sq = NULL;
	char *gsql = NULL;
	int nsq = 0, ret = 1, k = 0, ns = 0;
	double *a = NULL, *b = NULL;

	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: stats_bench --db DB --plain PLAIN.sqlite [--runs K] [--sqlite-runs S] "
				"[--build-runs B] [--cells FILE]\n");
		return 2;
	}
	int maxr = o.runs > o.build_runs ? o.runs : o.build_runs;
	a = calloc((size_t)maxr, sizeof *a);
	b = calloc((size_t)maxr, sizeof *b);
	gsql = group_by_sql();
	if (!a || !b || !gsql) {
		die("memory", "out of memory");
		goto out;
	}
	/* read-write: an older benchmark database is migrated on open, as casebank does */
	if (cb_store_open(o.db, 0, &s, &err) != CB_OK) {
		die(o.db, err.msg);
		goto out;
	}
	if (sqlite3_open_v2(o.plain, &plain, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		die(o.plain, sqlite3_errmsg(plain));
		goto out;
	}
	/* SQLite gets the same advantage as the resident index: its whole table in its page cache. */
	sqlite3_exec(plain, "PRAGMA cache_size = -4000000", NULL, NULL, NULL);
	sqlite3_exec(cb_store_db(s), "PRAGMA cache_size = -4000000", NULL, NULL, NULL);
	printf("database %s: %ld cases; plain table %s\n", o.db, cb_store_count(s), o.plain);

	/* index build against SQLite selecting the same columns, alternating; the last bank stays open */
	sqlite_select_coded(cb_store_db(s)); /* warm the page cache for both */
	for (k = 0; k < o.build_runs; k++) {
		cb_stats_free(&st);
		double t0 = now_ms();
		if (cb_stats_open_records(s, &st, &err) != CB_OK) {
			die("cb_stats_open_records", err.msg);
			goto out;
		}
		a[k] = now_ms() - t0;
		if ((b[k] = sqlite_select_coded(cb_store_db(s))) < 0) {
			die("sqlite3 select", sqlite3_errmsg(cb_store_db(s)));
			goto out;
		}
	}
	report_series("build.casebank", a, o.build_runs);
	report_series("build.sqlite_select", b, o.build_runs);
	const struct cb_index *ix = cb_stats_index(st);
	printf("index: %ld cases, %zu bytes, %.1f bytes/case (goal <= 64)\n", cb_index_size(ix), cb_index_bytes(ix),
	       (double)cb_index_bytes(ix) / (double)(cb_index_size(ix) ? cb_index_size(ix) : 1));
	printf("result index.bytes_per_case %.2f %.2f %.2f\n",
	       (double)cb_index_bytes(ix) / (double)(cb_index_size(ix) ? cb_index_size(ix) : 1), 0.0, 0.0);

	/* the check, exact counts */
	struct cb_query q = {.dims = {DIM_A, DIM_B, NULL}, .where = WHERE, .flags = CB_Q_EXACT};
	if (cb_stats_query(st, &q, &t, &err) != CB_OK) {
		die("cb_stats_query", err.msg);
		goto out;
	}
	if (sqlite_group_by(plain, gsql, &sq, &nsq) < 0) {
		die("sqlite3 group by", sqlite3_errmsg(plain));
		goto out;
	}
	if (check_counts(t, sq, nsq, o.cells))
		goto out;
	cb_table_free(&t);

	/* the query, protected as every analyst sees it, against the GROUP BY */
	q.flags = 0;
	for (k = 0; k < o.runs; k++) {
		double t0 = now_ms();
		if (cb_stats_query(st, &q, &t, &err) != CB_OK) {
			die("cb_stats_query", err.msg);
			goto out;
		}
		a[k] = now_ms() - t0;
		cb_table_free(&t);
		/* a slow peer runs --sqlite-runs times, spread evenly over the casebank runs */
		if (ns < o.sqlite_runs && k * o.sqlite_runs >= ns * o.runs) {
			if ((b[ns++] = sqlite_group_by(plain, gsql, NULL, NULL)) < 0) {
				die("sqlite3 group by", sqlite3_errmsg(plain));
				goto out;
			}
		}
	}
	report_series("query.casebank", a, o.runs);
	report_series("query.sqlite", b, ns);

#ifdef HAVE_REPORT
	for (k = 0; k < o.runs; k++) {
		struct cb_report *r = NULL;
		struct cb_report_opts ro = {.where = NULL, .date = "2020-01-01"};
		double t0 = now_ms();
		if (cb_report_build(st, &ro, &r, &err) != CB_OK) {
			die("cb_report_build", err.msg);
			goto out;
		}
		a[k] = now_ms() - t0;
		if (k == 0)
			printf("report: %d factor tables, %d year groups\n", r->ntables, r->nbands);
		cb_report_free(&r);
	}
	report_series("report.casebank", a, o.runs);
#else
	printf("report: not in this build of the library yet\n");
#endif
	ret = 0;
out:
	cb_table_free(&t);
	cb_stats_free(&st);
	cb_store_free(&s);
	sqlite3_close(plain);
	free(sq);
	free(gsql);
	free(a);
	free(b);
	return ret;
}
