/*
 * csv.c -- the streaming RFC 4180 reader and the writer (see csv.h).
 *
 * The reader keeps one input buffer that it fills with large fread()s and one field buffer for the current
 * row: a row is parsed by copying its bytes once into the field buffer, unquoting on the way and ending
 * each field with a NUL.  The input buffer stays untouched so that the row's raw text is available for
 * fingerprints and rejected-row files.  When a row runs past the end of the buffered input, the unread
 * tail is moved to the front, more input is read and the row is parsed again from its start: rows are
 * small next to the blocks, so the rare re-parse costs nothing measurable.  No allocation per row or field.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"

#define BLOCK (256u * 1024u)
#define MAX_CAP (CB_CSV_MAX_ROW + BLOCK + 1u)
#define ONES UINT64_C(0x0101010101010101)

/* True if one of the eight bytes of v is the byte repeated in `bytes` (ONES * c): a zero byte in their xor. */
static inline bool has_byte(uint64_t v, uint64_t bytes)
{
	uint64_t x = v ^ bytes;
	return ((x - ONES) & ~x & (ONES << 7)) != 0;
}

/* ---- spreadsheet formulas (OWASP "CSV injection") */

/* A plain number: [+-]digits[.digits][e[+-]digits] (or .digits): what a spreadsheet reads as a number and
 * nothing else, so it is written as it is. */
static bool plain_number(const char *s)
{
	const char *p = s + (*s == '+' || *s == '-');
	size_t ip = strspn(p, "0123456789"), fp = 0;
	p += ip;
	if (*p == '.')
		fp = strspn(++p, "0123456789"), p += fp;
	if (ip + fp == 0)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '+' || *p == '-';
		size_t ep = strspn(p, "0123456789");
		if (ep == 0)
			return false;
		p += ep;
	}
	return *p == 0;
}

bool cb_csv_formula(const char *s)
{
	return s && *s && strchr("=+-@\t\r", *s) && !plain_number(s);
}

/* Whether s is written with a ' in front: after its own leading quotes it would be a formula.  Counting the
 * quotes in makes export and import exact inverses: the reader takes one ' off exactly these cells. */
static bool guarded(const char *s)
{
	return cb_csv_formula(s + strspn(s, "'"));
}

struct cb_csv {
	FILE *f;
	char delim;
	bool detect, lines, eof, started;
	int failed;        /* a reading error is final: later calls repeat it */
	char *buf;         /* buf[pos..len) is read but not yet parsed; buf[len] is kept NUL */
	size_t cap, len, pos;
	size_t hiwater;    /* the most of buf ever used, to wipe */
	char *fbuf;        /* the current row's fields, NUL-terminated */
	size_t fcap;
	long line;         /* line number of buf[pos] */
	long long consumed; /* input bytes before buf[0] */
	char *fields[CB_CSV_MAX_FIELDS];
};

int cb_csv_new(struct cb_csv **out, FILE *f, char delim)
{
	struct cb_csv *r = calloc(1, sizeof *r);
	*out = NULL;
	if (!r)
		return CB_ENOMEM;
	r->f = f;
	r->delim = delim;
	r->detect = delim == 0;
	r->lines = delim == CB_CSV_LINES;
	r->line = 1;
	r->cap = 4096 + 1; /* grows to BLOCK as input keeps coming: small inputs stay cheap */
	r->buf = malloc(r->cap);
	if (!r->buf) {
		free(r);
		return CB_ENOMEM;
	}
	r->buf[0] = 0;
	*out = r;
	return CB_OK;
}

void cb_csv_free(struct cb_csv **pr)
{
	struct cb_csv *r = *pr;
	if (!r)
		return;
	/* the buffers held case data: wipe before giving the memory back */
	memset(r->buf, 0, r->hiwater);
	free(r->buf);
	if (r->fbuf)
		memset(r->fbuf, 0, r->fcap);
	free(r->fbuf);
	free(r);
	*pr = NULL;
}

char cb_csv_delim(const struct cb_csv *r)
{
	return r->delim;
}

long long cb_csv_offset(const struct cb_csv *r)
{
	return r->consumed + (long long)r->pos;
}

/* Moves the unread tail to the front and reads more input (growing the buffer if it is full). */
static int fill(struct cb_csv *r, struct cb_err *err)
{
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->consumed += (long long)r->pos;
		r->len -= r->pos;
		r->pos = 0;
	}
	bool full = r->len + 1 >= r->cap && r->cap < MAX_CAP;
	bool streaming = r->consumed + (long long)r->len > 0 && r->cap < BLOCK + 1;
	if (full || streaming) {
		size_t cap = r->cap < BLOCK + 1 ? r->cap * 4 : r->cap * 2;
		if (cap > MAX_CAP)
			cap = MAX_CAP;
		char *nb = malloc(cap);
		if (!nb)
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		memcpy(nb, r->buf, r->len);
		memset(r->buf, 0, r->hiwater);
		r->hiwater = r->len;
		free(r->buf);
		r->buf = nb;
		r->cap = cap;
	}
	size_t n = fread(r->buf + r->len, 1, r->cap - 1 - r->len, r->f);
	if (n == 0) {
		if (ferror(r->f))
			return cb_err_set(err, CB_EIO, "line %ld: read error", r->line);
		r->eof = true;
	}
	r->len += n;
	r->buf[r->len] = 0;
	if (r->len + 1 > r->hiwater)
		r->hiwater = r->len + 1;
	return CB_OK;
}

static int fail(struct cb_csv *r, struct cb_err *err, int code, long line, const char *what)
{
	if (err)
		err->line = line;
	r->failed = cb_err_set(err, code, "line %ld: %s", line, what);
	return r->failed;
}

/* Skips a UTF-8 byte order mark and, if asked to, picks ',' or ';': whichever occurs more often outside
 * quotes on the first line (a tie, or neither, means ','). */
static int start(struct cb_csv *r, struct cb_err *err)
{
	int rc;
	while (!r->eof && r->len < 3)
		if ((rc = fill(r, err)) != CB_OK)
			return rc;
	if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	r->started = true;
	if (!r->detect)
		return CB_OK;
	for (;;) {
		long commas = 0, semis = 0;
		bool quoted = false, done = false;
		for (size_t p = r->pos; p < r->len && !done; p++) {
			char ch = r->buf[p];
			if (ch == '"')
				quoted = !quoted;
			else if (!quoted && ch == '\n')
				done = true;
			else if (!quoted && ch == ',')
				commas++;
			else if (!quoted && ch == ';')
				semis++;
		}
		if (done || r->eof || r->len - r->pos > CB_CSV_MAX_ROW) {
			r->delim = semis > commas ? ';' : ',';
			return CB_OK;
		}
		if ((rc = fill(r, err)) != CB_OK)
			return rc;
	}
}

/* Parses the row at buf[pos].  1: a row; 0: the row runs past the buffered input; < 0: error. */
static int parse_row(struct cb_csv *r, struct cb_csv_row *row, struct cb_err *err)
{
	const char *b = r->buf;
	const size_t len = r->len, pos = r->pos;
	const char d = r->delim;
	const uint64_t dd = ONES * (unsigned char)d, nn = ONES * (unsigned char)'\n';
	size_t p = pos;
	char *w = r->fbuf;
	long nl = 0;
	int nf = 0;

	for (;;) { /* one field */
		if (nf == CB_CSV_MAX_FIELDS)
			return fail(r, err, CB_EINVAL, r->line + nl, "more than 512 fields in a row");
		r->fields[nf++] = w;
		if (p < len && b[p] == '"' && !r->lines) {
			for (p++;;) {
				/* up to the next quote in one copy: quoted fields are the long ones (narratives) */
				const char *q = memchr(b + p, '"', len - p);
				size_t stop = q ? (size_t)(q - b) : len;
				for (const char *c = b + p; (c = memchr(c, '\n', (size_t)(b + stop - c))); c++)
					nl++;
				memcpy(w, b + p, stop - p);
				w += stop - p;
				p = stop;
				if (p >= len) {
					if (!r->eof)
						return 0;
					return fail(r, err, CB_EINVAL, r->line,
						    "a quoted field is not closed before the end of the file");
				}
				if (p + 1 >= len && !r->eof)
					return 0;
				if (p + 1 < len && b[p + 1] == '"') {
					*w++ = '"';
					p += 2;
					continue;
				}
				p++;
				break;
			}
			if (p < len && b[p] == '\r') {
				if (p + 1 >= len && !r->eof)
					return 0;
				if (p + 1 < len && b[p + 1] == '\n')
					p++;
			}
			if (p < len && b[p] == d) {
				*w++ = 0;
				p++;
				continue;
			}
			if (p < len && b[p] != '\n')
				return fail(r, err, CB_EINVAL, r->line + nl,
					    "a closing quote must be followed by a delimiter or the end of the line");
		} else {
			/* eight bytes at a time while none of them ends the field (the field buffer has room: see
			 * cb_csv_next), then byte by byte */
			while (p + 8 <= len) {
				uint64_t v;
				memcpy(&v, b + p, 8);
				if (has_byte(v, dd) || has_byte(v, nn))
					break;
				memcpy(w, &v, 8);
				w += 8;
				p += 8;
			}
			while (p < len && b[p] != d && b[p] != '\n')
				*w++ = b[p++];
			if (p >= len && !r->eof)
				return 0;
			if (p < len && b[p] == d && !r->lines) {
				*w++ = 0;
				p++;
				continue;
			}
			if (w > r->fields[nf - 1] && w[-1] == '\r') /* CRLF */
				w--;
		}
		break; /* p is at '\n' or at the end of the input */
	}
	*w = 0;
	size_t end = p;
	if (end > pos && b[end - 1] == '\r')
		end--;
	if (end - pos > CB_CSV_MAX_ROW)
		return fail(r, err, CB_EINVAL, r->line, "row longer than 1048576 bytes");
	if (!r->lines) /* the ' a writer put before a formula (cb_csv_put) comes off: see guarded() */
		for (int i = 0; i < nf; i++)
			if (r->fields[i][0] == '\'' && guarded(r->fields[i]))
				r->fields[i]++;
	row->line = r->line;
	row->nfields = nf;
	row->fields = r->fields;
	row->raw = b + pos;
	row->rawlen = end - pos;
	r->line += nl + 1;
	r->pos = p < len ? p + 1 : p;
	return 1;
}

int cb_csv_next(struct cb_csv *r, struct cb_csv_row *row, struct cb_err *err)
{
	int rc;
	if (r->failed)
		return cb_err_set(err, r->failed, "the file could not be read past line %ld", r->line);
	if (!r->started && (rc = start(r, err)) != CB_OK)
		return r->failed = rc;
	for (;;) {
		if (r->pos >= r->len && r->eof)
			return 0;
		/* room for every byte of the buffered row plus one NUL per field */
		size_t need = r->len - r->pos + CB_CSV_MAX_FIELDS + 1;
		if (need > r->fcap) {
			char *nb = malloc(need);
			if (!nb)
				return r->failed = cb_err_set(err, CB_ENOMEM, "out of memory");
			if (r->fbuf)
				memset(r->fbuf, 0, r->fcap);
			free(r->fbuf);
			r->fbuf = nb;
			r->fcap = need;
		}
		rc = parse_row(r, row, err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (row->rawlen == 0 && row->nfields == 1)
				continue; /* an empty line */
			return 1;
		}
		if (r->len - r->pos > CB_CSV_MAX_ROW)
			return fail(r, err, CB_EINVAL, r->line, "row longer than 1048576 bytes");
		if ((rc = fill(r, err)) != CB_OK)
			return r->failed = rc;
	}
}

/* ---- writer */

void cb_csv_put(FILE *f, const char *s, char delim)
{
	if (!s)
		s = "";
	size_t n = strlen(s);
	const bool guard = guarded(s);
	bool quote = guard || (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	if (guard) /* OWASP: a leading ' makes the cell text to a spreadsheet, the quotes keep it one cell */
		fputc('\'', f);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

void cb_csv_put_row(FILE *f, const char *const *fields, int n, char delim)
{
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(delim, f);
		cb_csv_put(f, fields[i], delim);
	}
	fputc('\n', f);
}
