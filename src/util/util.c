/*
 * util.c -- error records, calendar dates, durable file writes, growable buffers and counts by hash (see cb.h).
 *
 * Dates are days since 1970-01-01 computed with Howard Hinnant's civil-from-days algorithms: timegm and
 * strptime depend on the C library's locale and time zone, and we need strict, exact YYYY-MM-DD.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "util/cb.h"
#include "util/i18n.h"

int cb_err_set(struct cb_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->code = code;
		vsnprintf(err->msg, sizeof err->msg, _(fmt), ap); /* in the thread's language (i18n.h) */
		va_end(ap);
	}
	return code;
}

int cb_err_field(struct cb_err *err, int code, const char *field, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->code = code;
		snprintf(err->field, sizeof err->field, "%s", field ? field : "");
		vsnprintf(err->msg, sizeof err->msg, _(fmt), ap);
		va_end(ap);
	}
	return code;
}

void cb_err_clear(struct cb_err *err)
{
	if (!err)
		return;
	/* not a memset of all 600 bytes: an import clears one per row on each of its threads */
	err->code = 0;
	err->line = 0;
	err->field[0] = 0;
	err->msg[0] = 0;
}

const char *cb_err_value(const char *value, char buf[64])
{
	size_t o = 0;
	if (!value)
		return "(none)";
	for (const unsigned char *p = (const unsigned char *)value; *p && o < 56; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\'') {
			o += (size_t)snprintf(buf + o, 64 - o, "\\x%02x", *p);
		} else {
			buf[o++] = (char)*p;
		}
		if (o >= 40 && p[1]) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
	}
	buf[o] = 0;
	return buf;
}

const char *cb_db_shown(const char *db, char *buf, size_t n)
{
	const char *rest = !db                                 ? NULL
			   : strncmp(db, "postgresql://", 13) == 0 ? db + 13
			   : strncmp(db, "postgres://", 11) == 0   ? db + 11
								   : NULL;
	size_t o = 0;
	if (n == 0)
		return buf;
	if (!rest) {
		snprintf(buf, n, "%s", db ? db : "(none)");
		return buf;
	}
	/* the user information ends at the last '@' before the path or the query */
	size_t auth = strcspn(rest, "/?"), at = 0, colon = 0;
	for (size_t i = 0; i < auth; i++)
		if (rest[i] == '@')
			at = i + 1;
	for (size_t i = 0; at && i < at - 1 && !colon; i++)
		if (rest[i] == ':')
			colon = i + 1;
	o += (size_t)snprintf(buf + o, n - o, "%.*s", (int)(rest - db), db);
	if (colon && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%.*s***@", (int)colon, rest);
	else if (at && o < n)
		o += (size_t)snprintf(buf + o, n - o, "%.*s", (int)at, rest);
	const char *p = rest + at;
	const char *q = strchr(p, '?');
	if (o < n)
		o += (size_t)snprintf(buf + o, n - o, "%.*s", (int)(q ? q - p : (long)strlen(p)), p);
	/* the query's parameters, the value of password= replaced */
	while (q && *q && o < n) {
		size_t len = strcspn(q + 1, "&") + 1;
		if (strncmp(q + 1, "password=", 9) == 0)
			o += (size_t)snprintf(buf + o, n - o, "%cpassword=***", *q);
		else
			o += (size_t)snprintf(buf + o, n - o, "%.*s", (int)len, q);
		q += len;
	}
	return buf;
}

_Noreturn void cb_assert_fail(const char *cond, const char *file, int line, const char *func)
{
	fprintf(stderr, "casebank: invariant broken: %s (%s:%d, %s); stopping\n", cond, file, line, func);
	fflush(stderr);
	abort();
}

static const char *rc_str(int code);

const char *cb_rc_str(int code)
{
	return _(rc_str(code));
}

static const char *rc_str(int code)
{
	switch (code) {
	case CB_OK: return N_("ok");
	case CB_EINVAL: return N_("invalid input");
	case CB_ENOTFOUND: return N_("not found");
	case CB_EEXIST: return N_("already exists");
	case CB_EIO: return N_("input/output error");
	case CB_ENOMEM: return N_("out of memory");
	case CB_EKEY: return N_("key problem");
	case CB_ECONFLICT: return N_("changed by somebody else");
	case CB_ECORRUPT: return N_("data failed its integrity check");
	case CB_EDB: return N_("database error");
	case CB_ECONSENT: return N_("consent missing");
	case CB_EPERM: return N_("not allowed");
	case CB_EFULL: return N_("disk full");
	case CB_EUNAVAIL: return N_("database server unavailable");
	}
	return N_("unknown error");
}

/* ---- dates */

static int32_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

static void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)yoe + era * 400 + (*m <= 2);
}

int cb_date_parse(const char *s, int32_t *days)
{
	int v[3] = {0, 0, 0};
	static const int width[3] = {4, 2, 2};
	const char *p = s;
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < width[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return CB_EINVAL;
			v[i] = v[i] * 10 + (*p - '0');
		}
		if (i < 2 && *p++ != '-')
			return CB_EINVAL;
	}
	if (*p || v[0] < 1800 || v[1] < 1 || v[1] > 12 || v[2] < 1)
		return CB_EINVAL;
	int32_t d = days_from_civil(v[0], (unsigned)v[1], (unsigned)v[2]);
	int y;
	unsigned m, dd;
	civil_from_days(d, &y, &m, &dd); /* rejects 2023-02-30 and friends */
	if (y != v[0] || (int)m != v[1] || (int)dd != v[2])
		return CB_EINVAL;
	*days = d;
	return CB_OK;
}

void cb_date_format(int32_t days, char out[11])
{
	int y;
	unsigned m, d;
	if (days == CB_NA) {
		out[0] = 0;
		return;
	}
	civil_from_days(days, &y, &m, &d);
	/* by hand, not snprintf: this runs for every date of every stored case */
	unsigned v[3] = {(unsigned)y % 10000u, m % 100, d % 100}, w[3] = {4, 2, 2};
	char *o = out;
	for (int i = 0; i < 3; i++) {
		for (unsigned k = w[i]; k-- > 0; v[i] /= 10)
			o[k] = (char)('0' + v[i] % 10);
		o += w[i];
		*o++ = i < 2 ? '-' : 0;
	}
}

int cb_date_year(int32_t days)
{
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	return y;
}

int32_t cb_date_today(void)
{
	return (int32_t)(time(NULL) / 86400);
}

/* ---- files */

/* A target that is not a regular file (/dev/null, /dev/stdout, a pipe) is written in place: there is no
 * rename to make atomic, and a rename would replace the device itself (as root, /dev/null). */
static int write_in_place(const char *path, const void *data, size_t len, struct cb_err *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cb_err_set(err, CB_EIO, "%s: cannot open: %s", path, strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			return cb_err_set(err, CB_EIO, "%s: cannot write: %s", path, strerror(e));
		}
		off += (size_t)n;
	}
	return close(fd) == 0 ? CB_OK : cb_err_set(err, CB_EIO, "%s: cannot write: %s", path, strerror(errno));
}

int cb_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode, struct cb_err *err)
{
	int rc = CB_EIO, fd = -1;
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return write_in_place(path, data, len, err);
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16), *dircopy = strdup(path);
	if (!tmp || !dircopy) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, plen + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		cb_err_set(err, CB_EIO, "%s: cannot create a temporary file: %s", path, strerror(errno));
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) != 0)
		goto fail;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	int dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) { /* the rename itself must survive a crash */
		fsync(dfd);
		close(dfd);
	}
	rc = CB_OK;
	goto out;
fail:
	cb_err_set(err, CB_EIO, "%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dircopy);
	return rc;
}

int cb_file_read(const char *path, size_t max, char **out, size_t *len, struct cb_err *err)
{
	int rc = CB_EIO;
	struct cb_buf b = {0};
	FILE *f = fopen(path, "rb");
	*out = NULL;
	if (!f)
		return cb_err_set(err, errno == ENOENT ? CB_ENOTFOUND : CB_EIO, "%s: %s", path, strerror(errno));
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > max) {
			rc = cb_err_set(err, CB_EINVAL, "%s: larger than %zu bytes", path, max);
			goto out;
		}
		if (cb_buf_append(&b, chunk, n) != CB_OK) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (ferror(f)) {
		rc = cb_err_set(err, CB_EIO, "%s: read error", path);
		goto out;
	}
	if (cb_buf_append(&b, "", 1) != CB_OK) { /* NUL-terminate */
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	*out = b.data;
	*len = b.len - 1;
	b.data = NULL;
	rc = CB_OK;
out:
	fclose(f);
	cb_buf_free(&b);
	return rc;
}

/* ---- buffers */

int cb_buf_reserve(struct cb_buf *b, size_t n, size_t first)
{
	if (b->len + n + 1 <= b->cap)
		return CB_OK;
	size_t cap = b->cap ? b->cap : first;
	while (cap < b->len + n + 1)
		cap *= 2;
	/* not realloc: the old block may hold identifying details and must be wiped */
	char *d = malloc(cap);
	if (!d)
		return CB_ENOMEM;
	if (b->data) {
		memcpy(d, b->data, b->len);
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	b->data = d;
	b->cap = cap;
	return CB_OK;
}

int cb_buf_append(struct cb_buf *b, const void *p, size_t n)
{
	if (cb_buf_reserve(b, n, 256) != CB_OK)
		return CB_ENOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return CB_OK;
}

int cb_buf_printf(struct cb_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return CB_EINVAL;
	if ((size_t)n < sizeof small)
		return cb_buf_append(b, small, (size_t)n);
	char *big = malloc((size_t)n + 1);
	if (!big)
		return CB_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int rc = cb_buf_append(b, big, (size_t)n);
	sodium_memzero(big, (size_t)n);
	free(big);
	return rc;
}

void cb_buf_reset(struct cb_buf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->len);
	b->len = 0;
}

void cb_buf_free(struct cb_buf *b)
{
	if (b->data) {
		sodium_memzero(b->data, b->cap);
		free(b->data);
	}
	b->data = NULL;
	b->len = b->cap = 0;
}

void cb_text_free(char **p)
{
	if (*p) {
		sodium_memzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

/* ---- counts by 16-byte key */

static size_t count16_slot(const struct cb_count16 *t, const uint8_t key[16])
{
	uint64_t h;
	memcpy(&h, key, sizeof h);
	size_t i = (size_t)h & (t->cap - 1);
	while (t->slots[i].count && memcmp(t->slots[i].key, key, 16) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

long cb_count16_bump(struct cb_count16 *t, const uint8_t key[16])
{
	if ((t->n + 1) * 2 > t->cap) {
		struct cb_count16 g = {0};
		g.cap = t->cap ? t->cap * 2 : 4096;
		/* written to zero, not calloc'd: calloc's fresh pages are the shared zero page until written, and a
		 * table read before it is written (every probe) then takes a second fault per page that flushes the
		 * TLB of every core running the process: 2% of an import's time, on the other core too.
		 * explicit_bzero because the compiler turns malloc + memset(0) back into calloc. */
		if (!(g.slots = malloc(g.cap * sizeof *g.slots)))
			return -1;
		explicit_bzero(g.slots, g.cap * sizeof *g.slots);
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].count)
				g.slots[count16_slot(&g, t->slots[i].key)] = t->slots[i];
		g.n = t->n;
		free(t->slots);
		*t = g;
	}
	struct cb_count16_slot *sl = &t->slots[count16_slot(t, key)];
	if (!sl->count) {
		memcpy(sl->key, key, 16);
		t->n++;
	}
	return (long)sl->count++;
}

uint32_t cb_count16_get(const struct cb_count16 *t, const uint8_t key[16])
{
	return t->cap ? t->slots[count16_slot(t, key)].count : 0;
}

void cb_count16_free(struct cb_count16 *t)
{
	free(t->slots);
	memset(t, 0, sizeof *t);
}
