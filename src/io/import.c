/*
 * import.c -- cases from a file into the store (cb_import_file), and the progress bar.
 *
 * The file is streamed through the CSV reader (whole lines for JSON lines); each row becomes a case via its
 * format, gets the default site if it has none, and is stored with a fingerprint: the store's keyed hash of
 * the row's raw text and of how many identical rows came before it in this file.  So identical rows in one
 * file stay distinct cases, and importing the same file again (or a longer version of it) adds nothing twice.
 * Rows are stored in batches, each one transaction, so a killed import leaves whole batches only and running
 * it again completes it.  Reading and preparing rows runs on a second thread (see "the pipeline" below).
 *
 * Invalid rows go to the rejected-rows file: `line,field,reason` and then the row's own columns with every
 * column that could hold an identifying detail (identity fields, free text, unknown columns) left empty.
 * It is written to a 0600 temporary file next to its final name and renamed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/io.h"

/* Batches start small, so that the first rows are committed (and visible) soon, and double up to BATCH_MAX:
 * every batch rewrites the index pages its random case ids (and fingerprints, unless the store defers that
 * index for a large load: cb_store_load_expect) land on, so few large batches write far less than many small
 * ones.  A crash loses at most the batch in progress; importing the file
 * again completes it. */
#define BATCH 4096
#define BATCH_MAX (1L << 18)
#define PROGRESS_EVERY 2048

/* ---- progress bar */

void cb_progress(const char *what, long done, long total)
{
	if (!isatty(STDERR_FILENO))
		return;
	int pct = total > 0 ? (int)(done * 100 / total) : 100;
	if (pct > 100)
		pct = 100;
	char bar[41];
	int fill = pct * 40 / 100;
	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(40 - fill));
	bar[40] = 0;
	fprintf(stderr, "\r%s [%s] %3d%%", what, bar, pct);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

/* ---- the rejected-rows file */

struct rejects {
	char *path, *tmp;
	FILE *f;
	const struct cb_format *fmt;
	struct cb_reader_ctx *ctx;
	char **header; /* the file's column names */
	int nheader;
	struct cb_buf scratch;
};

static int rejects_open(struct rejects *r, struct cb_err *err)
{
	size_t n = strlen(r->path) + 16;
	int fd;
	if (!(r->tmp = malloc(n)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	snprintf(r->tmp, n, "%s.tmp.XXXXXX", r->path);
	if ((fd = mkstemp(r->tmp)) < 0) {
		int e = errno;
		free(r->tmp);
		r->tmp = NULL;
		return cb_err_set(err, CB_EIO, "%s: cannot create: %s", r->path, strerror(e));
	}
	if (fchmod(fd, 0600) != 0 || !(r->f = fdopen(fd, "w"))) {
		close(fd);
		unlink(r->tmp);
		return cb_err_set(err, CB_EIO, "%s: cannot create: %s", r->path, strerror(errno));
	}
	fputs("line,field,reason", r->f);
	if (r->fmt->delim == 0) {
		fputs(",json", r->f);
	} else {
		for (int i = 0; i < r->nheader; i++) { /* a free-text header cell (the CTDC notice) is left out too */
			fputc(',', r->f);
			if (i < r->ctx->ncols && r->ctx->col_field[i] != CB_COL_IGNORE)
				cb_csv_put(r->f, r->header[i], ',');
		}
	}
	fputc('\n', r->f);
	return CB_OK;
}

/* May column i of a row be copied into the rejected-rows file? */
static bool coded_column(const struct cb_reader_ctx *ctx, int i)
{
	if (i >= ctx->ncols)
		return false;
	int fld = ctx->col_field[i];
	return fld == CB_COL_CODED || (fld >= 0 && cb_fields[fld].kind != CB_PII);
}

/* The rejected-rows line of a row (without its columns when row is NULL) on f. */
static void reject_line(FILE *f, struct rejects *r, long line, const struct cb_csv_row *row, const struct cb_err *why)
{
	fprintf(f, "%ld,", line);
	cb_csv_put(f, why->field, ',');
	fputc(',', f);
	cb_csv_put(f, why->msg[0] ? why->msg : cb_rc_str(why->code), ',');
	if (r->fmt->delim == 0) {
		fputc(',', f);
		if (row) { /* only the reading thread gets here: scratch is its own */
			if (cb_jsonl_redact(row->raw, row->rawlen, &r->scratch) == CB_OK && r->scratch.len)
				cb_csv_put(f, r->scratch.data, ',');
			cb_buf_reset(&r->scratch);
		}
	} else {
		for (int i = 0; i < r->nheader; i++) {
			fputc(',', f);
			if (row && i < row->nfields && coded_column(r->ctx, i))
				cb_csv_put(f, row->fields[i], ',');
		}
	}
	fputc('\n', f);
}

/* The line as text (malloc'd; NULL when out of memory), made on the reading thread while the row is there. */
static char *reject_text(struct rejects *r, const struct cb_csv_row *row, const struct cb_err *why)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return NULL;
	reject_line(m, r, row->line, row, why);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Writes a rejected row: its prepared text, or (text NULL) the line without columns. */
static int reject(struct rejects *r, long line, const char *text, const struct cb_err *why, struct cb_err *err)
{
	int rc;
	if (!r->f && (rc = rejects_open(r, err)) != CB_OK)
		return rc;
	if (text)
		fputs(text, r->f);
	else
		reject_line(r->f, r, line, NULL, why);
	return CB_OK;
}

/* Moves the finished file into place (or, on failure, removes it). */
static int rejects_close(struct rejects *r, bool keep, struct cb_err *err)
{
	int rc = CB_OK;
	if (r->f) {
		bool ok = fflush(r->f) == 0 && !ferror(r->f) && fsync(fileno(r->f)) == 0;
		ok = fclose(r->f) == 0 && ok;
		r->f = NULL;
		if (keep && ok && rename(r->tmp, r->path) == 0)
			keep = false; /* nothing left to remove */
		else if (keep)
			rc = cb_err_set(err, CB_EIO, "%s: cannot write: %s", r->path, strerror(errno));
		if (r->tmp)
			unlink(r->tmp);
	}
	for (int i = 0; i < r->nheader; i++)
		free(r->header[i]);
	free(r->header);
	free(r->tmp);
	free(r->path);
	cb_buf_free(&r->scratch);
	return rc;
}

static int keep_header(struct rejects *r, const struct cb_csv_row *h)
{
	if (!(r->header = calloc((size_t)h->nfields, sizeof *r->header)))
		return CB_ENOMEM;
	for (r->nheader = 0; r->nheader < h->nfields; r->nheader++)
		if (!(r->header[r->nheader] = strdup(h->fields[r->nheader])))
			return CB_ENOMEM;
	return CB_OK;
}

/* ---- import */

static const struct cb_format *pick_format(FILE *f, const char *path, const char *name, struct cb_err *err)
{
	const struct cb_format *fmt;
	enum cb_format_id id;
	char line[65536];
	if (name) {
		if (!(fmt = cb_format_by_name(name)))
			cb_err_set(err, CB_EINVAL, "unknown format '%s' (expected htcds, ctdc or jsonl)",
				   cb_err_value(name, line));
		return fmt;
	}
	size_t n = fread(line, 1, sizeof line, f);
	rewind(f);
	if (cb_format_detect(line, n, &id) != CB_OK) {
		cb_err_set(err, CB_EINVAL,
			   "%s: cannot tell the format from the first line (expected a JSON object, a CTDC header "
			   "with yearOfRegistration, or HTCDS columns such as prs_Gender); name it with --format",
			   path);
		return NULL;
	}
	return cb_format_get(id);
}

/* The fingerprint of a row: the hash of its raw text (`buf`, made by the caller, who prefetched its slot in t),
 * then the number of identical rows before it in this file. */
static int row_fingerprint(struct cb_store *s, struct cb_count16 *t, uint8_t buf[24], uint8_t fp[16])
{
	long k = cb_count16_bump(t, buf);
	if (k < 0)
		return CB_ENOMEM;
	uint64_t k64 = (uint64_t)k;
	for (int i = 0; i < 8; i++)
		buf[16 + i] = (uint8_t)(k64 >> (8 * i));
	cb_store_fingerprint(s, buf, 24, fp);
	return CB_OK;
}

/* ---- the pipeline
 *
 * A reading thread does everything per row that needs no database: CSV parsing, row conversion, the
 * fingerprint, cb_store_prepare (validation, sealing, key wrapping) and the rejected-rows line.  The calling
 * thread takes the results in file order and does the SQLite writes, the batches, the counts and the
 * rejected-rows file, exactly as a single thread would.  They hand over chunks of rows through a ring of
 * NCHUNKS chunks, so the reader can run at most that far ahead: far enough to keep working while the writer
 * waits for a commit. */

#define CHUNK 256
#define NCHUNKS 128 /* 32,768 rows: the reader goes on through the writer's larger commits (0.1 to 0.5 s) */
#define AHEAD 8 /* the writer prefetches what it will look up for the row this far ahead */

struct item {
	int rc; /* CB_OK: p is ready to write; CB_EINVAL: rejected (rejline); anything else stops the import */
	long line;
	long long offset; /* of the reader after this row, for the progress bar */
	struct cb_err *fatal; /* why the import stops there (rc neither CB_OK nor CB_EINVAL): the rest need none */
	char *rejline;
	struct cb_prepared *p;
};

struct chunk {
	struct item items[CHUNK];
	int n;
	bool last;  /* nothing follows: end_rc 0 at the end of the file, < 0 when the reader failed */
	int end_rc;
	struct cb_err end_err;
};

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct chunk *chunks; /* NCHUNKS */
	int head, count;      /* the writer takes chunks[head]; count are full */
	bool stop;            /* the writer gave up: the reader ends */
	/* the reader's */
	struct cb_store *s;
	const struct cb_format *fmt;
	struct cb_reader_ctx *ctx;
	struct cb_csv *r;
	struct rejects *rej;
	struct cb_count16 seen; /* identical rows so far, by the hash of their raw text */
	const char *site;
};

/* The reader's next empty chunk, or NULL when the writer stopped. */
static struct chunk *empty_chunk(struct pipeline *pl)
{
	struct chunk *ch = NULL;
	pthread_mutex_lock(&pl->mu);
	while (!pl->stop && pl->count == NCHUNKS)
		pthread_cond_wait(&pl->cv, &pl->mu);
	if (!pl->stop)
		ch = &pl->chunks[(pl->head + pl->count) % NCHUNKS];
	pthread_mutex_unlock(&pl->mu);
	return ch;
}

static void publish(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	pl->count++;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

/* The writer's next full chunk (blocks). */
static struct chunk *full_chunk(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	while (pl->count == 0)
		pthread_cond_wait(&pl->cv, &pl->mu);
	struct chunk *ch = &pl->chunks[pl->head];
	pthread_mutex_unlock(&pl->mu);
	return ch;
}

static void release(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	pl->head = (pl->head + 1) % NCHUNKS;
	pl->count--;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

static void stop(struct pipeline *pl)
{
	pthread_mutex_lock(&pl->mu);
	pl->stop = true;
	pthread_cond_broadcast(&pl->cv);
	pthread_mutex_unlock(&pl->mu);
}

/* One row into it: converted, fingerprinted, prepared, or the reason it is rejected. */
static void read_row(struct pipeline *pl, const struct cb_csv_row *row, struct cb_case *c, struct item *it)
{
	uint8_t fp[16], raw[24];
	struct cb_err e;
	int rc;
	cb_err_clear(&e);
	it->line = row->line;
	it->offset = cb_csv_offset(pl->r);
	cb_store_fingerprint(pl->s, row->raw, row->rawlen, raw);
	cb_count16_prefetch(&pl->seen, raw); /* while the row is converted */
	rc = pl->fmt->row_to_case(pl->ctx, row, c, &e);
	if (rc == CB_OK && !c->site[0])
		memcpy(c->site, pl->site, sizeof c->site);
	if (rc == CB_OK && (rc = row_fingerprint(pl->s, &pl->seen, raw, fp)) == CB_OK)
		rc = cb_store_prepare(pl->s, c, fp, it->p, &e); /* derives and validates */
	if (rc == CB_EINVAL && !(it->rejline = reject_text(pl->rej, row, &e)))
		rc = CB_ENOMEM;
	if (rc != CB_OK && rc != CB_EINVAL && (it->fatal = malloc(sizeof *it->fatal)))
		*it->fatal = e;
	it->rc = rc;
	cb_case_clear(c);
}

static void *reader_main(void *arg)
{
	struct pipeline *pl = arg;
	struct cb_case c;
	struct cb_csv_row row;
	struct chunk *ch;
	bool done = false;
	cb_case_init(&c);
	while (!done && (ch = empty_chunk(pl))) {
		ch->n = 0;
		ch->last = false;
		while (ch->n < CHUNK && !done) {
			struct item *it = &ch->items[ch->n];
			free(it->rejline);
			it->rejline = NULL;
			free(it->fatal);
			it->fatal = NULL;
			cb_err_clear(&ch->end_err);
			int rc = cb_csv_next(pl->r, &row, &ch->end_err);
			if (rc != 1) {
				ch->end_rc = rc;
				done = true;
				break;
			}
			read_row(pl, &row, &c, it);
			ch->n++;
			if (it->rc != CB_OK && it->rc != CB_EINVAL) { /* the writer stops there */
				ch->end_rc = 0;
				done = true;
			}
		}
		ch->last = done;
		publish(pl);
	}
	cb_case_clear(&c);
	return NULL;
}

static void pipeline_free(struct pipeline *pl)
{
	if (pl->chunks)
		for (int i = 0; i < NCHUNKS; i++)
			for (int j = 0; j < CHUNK; j++) {
				free(pl->chunks[i].items[j].rejline);
				free(pl->chunks[i].items[j].fatal);
				cb_prepared_free(&pl->chunks[i].items[j].p);
			}
	free(pl->chunks);
	cb_count16_free(&pl->seen);
	pthread_cond_destroy(&pl->cv);
	pthread_mutex_destroy(&pl->mu);
}

static int pipeline_init(struct pipeline *pl)
{
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->cv, NULL);
	if (!(pl->chunks = calloc(NCHUNKS, sizeof *pl->chunks)))
		return CB_ENOMEM;
	for (int i = 0; i < NCHUNKS; i++)
		for (int j = 0; j < CHUNK; j++)
			if (!(pl->chunks[i].items[j].p = cb_prepared_new()))
				return CB_ENOMEM;
	return CB_OK;
}

int cb_import_file(struct cb_store *s, const char *path, const struct cb_import_opts *o,
		   struct cb_import_result *res, struct cb_err *err)
{
	static const struct cb_import_opts none = {0};
	const struct cb_format *fmt = NULL;
	struct cb_reader_ctx ctx = {0};
	struct rejects rej = {0};
	struct pipeline pl = {0};
	struct cb_csv *r = NULL;
	struct cb_csv_row row;
	struct cb_case site_case;
	struct cb_err e, no_reason = {0};
	bool opened = false, batch = false, loading = false, started = false;
	long pending = 0, rows = 0, total = 0, limit = BATCH;
	pthread_t reader;
	struct stat st;
	int rc;

	o = o ? o : &none;
	memset(res, 0, sizeof *res);
	cb_case_init(&site_case);
	if ((rc = cb_case_set_text(&site_case, &cb_fields[CB_FLD_site], o->site ? o->site : "IMPORT", err)) != CB_OK)
		return rc;
	if ((rc = pipeline_init(&pl)) != CB_OK) {
		pipeline_free(&pl);
		return cb_err_set(err, rc, "out of memory");
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		pipeline_free(&pl);
		return cb_err_set(err, errno == ENOENT ? CB_ENOTFOUND : CB_EIO, "%s: %s", path, strerror(errno));
	}
	if (fstat(fileno(f), &st) == 0)
		total = (long)st.st_size;
	if (!(fmt = pick_format(f, path, o->format, err))) {
		rc = CB_EINVAL;
		goto out;
	}
	if ((rc = cb_csv_new(&r, f, fmt->delim ? 0 : CB_CSV_LINES)) != CB_OK) {
		cb_err_set(err, rc, "out of memory");
		goto out;
	}
	rej.fmt = fmt;
	rej.ctx = &ctx;
	if (o->rejected) {
		rej.path = strdup(o->rejected);
	} else if ((rej.path = malloc(strlen(path) + 16))) {
		snprintf(rej.path, strlen(path) + 16, "%s.rejected.csv", path);
	}
	if (!rej.path) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}

	cb_err_clear(&e);
	if (fmt->delim) {
		if ((rc = cb_csv_next(r, &row, &e)) != 1) {
			rc = rc == 0 ? cb_err_set(err, CB_EINVAL, "%s: the file is empty", path)
				     : cb_err_set(err, rc, "%s: %s", path, e.msg);
			goto out;
		}
		if (keep_header(&rej, &row) != CB_OK) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
	}
	opened = true;
	if ((rc = fmt->open_header(&ctx, fmt->delim ? &row : NULL, &e)) != CB_OK) {
		cb_err_set(err, rc, "%s: %s", path, e.msg);
		if (err)
			err->line = e.line;
		goto out;
	}
	if ((rc = cb_store_load_begin(s, NULL, err)) != CB_OK)
		goto out;
	loading = true;

	pl.s = s;
	pl.fmt = fmt;
	pl.ctx = &ctx;
	pl.r = r;
	pl.rej = &rej;
	pl.site = site_case.site;
	if (pthread_create(&reader, NULL, reader_main, &pl) != 0) {
		rc = cb_err_set(err, CB_ENOMEM, "cannot start the reading thread");
		goto out;
	}
	started = true;
	for (bool first = true;; first = false) {
		struct chunk *ch = full_chunk(&pl);
		/* how many rows the file holds, judged by the first chunk: the store sizes its cache and may defer
		 * its fingerprint index by it (cb_store_load_expect) */
		if (first && ch->n > 0 && ch->items[ch->n - 1].offset > 0)
			cb_store_load_expect(s, (long)((double)total * ch->n / (double)ch->items[ch->n - 1].offset));
		for (int i = 0; i < ch->n; i++) {
			struct item *it = &ch->items[i];
			struct cb_err *why = it->fatal ? it->fatal : &no_reason; /* a rejected row brings its line instead */
			if (i + AHEAD < ch->n && ch->items[i + AHEAD].rc == CB_OK)
				cb_store_write_ahead(s, ch->items[i + AHEAD].p);
			rc = it->rc;
			if (rc == CB_OK) {
				if (!batch && (rc = cb_store_begin(s, err)) != CB_OK)
					goto out;
				batch = true;
				cb_err_clear(&e);
				why = &e;
				rc = cb_store_write(s, it->p, &e);
			}
			if (rc == CB_OK) {
				res->imported++;
				pending++;
			} else if (rc == CB_EEXIST) {
				res->duplicates++;
			} else if (rc == CB_EINVAL) {
				res->rejected++;
				if ((rc = reject(&rej, it->line, it->rejline, why, err)) != CB_OK)
					goto out;
			} else {
				cb_err_set(err, rc, "%s: line %ld: %s", path, it->line, why->msg[0] ? why->msg : cb_rc_str(rc));
				goto out;
			}
			if (batch && pending >= limit) {
				batch = false;
				if ((rc = cb_store_commit(s, err)) != CB_OK) {
					res->imported -= pending; /* the batch is gone: only what was committed counts */
					goto out;
				}
				pending = 0;
				limit = res->imported < BATCH_MAX ? (res->imported > BATCH ? res->imported : BATCH) : BATCH_MAX;
			}
			if (o->progress && ++rows % PROGRESS_EVERY == 0)
				cb_progress("import", (long)it->offset, total);
		}
		if (ch->last) {
			rc = ch->end_rc;
			e = ch->end_err;
			break;
		}
		release(&pl);
	}
	if (rc < 0) { /* the reader stopped: keep what was read before */
		cb_err_set(err, rc, "%s: %s", path, e.msg);
		if (err)
			err->line = e.line;
		goto out;
	}
	rc = CB_OK;
	if (o->progress)
		cb_progress("import", total, total);
out:
	if (started) {
		stop(&pl);
		pthread_join(reader, NULL);
	}
	if (batch) {
		struct cb_err ce;
		int crc = cb_store_commit(s, &ce);
		if (crc != CB_OK && rc == CB_OK) {
			if (err)
				*err = ce;
			rc = crc;
		}
		if (crc != CB_OK) { /* the batch is gone: its rows were not imported */
			res->imported -= pending;
		}
	}
	if (loading)
		cb_store_load_end(s);
	int rrc = rejects_close(&rej, true, rc == CB_OK ? err : NULL);
	if (rc == CB_OK)
		rc = rrc;
	if (opened)
		fmt->close(&ctx);
	pipeline_free(&pl);
	cb_csv_free(&r);
	fclose(f);
	return rc;
}
