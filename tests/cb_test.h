/*
 * cb_test.h -- helpers shared by the cmocka tests: a scratch directory per test binary, running the
 * casebank binary, reading files.  Header-only so that each tests/<concern>/test_<file>.c stays one file.
 *
 * The binary under test is $CASEBANK_BIN (scripts/run-tests.sh sets ./casebank or the sanitized build).
 */
#ifndef CB_TEST_H
#define CB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

/* A fresh directory under /tmp, removed at exit.  Returns a static path. */
static char cbt_dir_path[256];
static void cbt_dir_cleanup(void)
{
	char cmd[300];
	if (cbt_dir_path[0] && !getenv("CBT_KEEP")) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", cbt_dir_path);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", cbt_dir_path);
	}
}
static inline const char *cbt_dir(void)
{
	if (!cbt_dir_path[0]) {
		snprintf(cbt_dir_path, sizeof cbt_dir_path, "/tmp/cbtest.XXXXXX");
		if (!mkdtemp(cbt_dir_path))
			abort();
		atexit(cbt_dir_cleanup);
	}
	return cbt_dir_path;
}

/* A path inside the scratch directory; returns a static buffer (one of 8 in rotation). */
static inline const char *cbt_path(const char *fmt, ...)
{
	static char bufs[8][512];
	static int next;
	char name[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	char *b = bufs[next++ % 8];
	snprintf(b, 512, "%s/%s", cbt_dir(), name);
	return b;
}

static inline const char *cbt_bin(void)
{
	const char *b = getenv("CASEBANK_BIN");
	return b && *b ? b : "./casebank";
}

/* Runs a shell command line (printf-style; name the binary with cbt_bin()), in braces so that its own
 * redirections win; captures stdout and stderr into malloc'd strings (either may be NULL to discard).
 * Returns the exit status as system() gives it, or -1. */
static inline int cbt_run(char **out, char **err, const char *fmt, ...)
{
	char cmd[8192], o[600], e[600];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof cmd - 1300, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof cmd - 1300)
		return -1;
	snprintf(o, sizeof o, "%s/.stdout", cbt_dir());
	snprintf(e, sizeof e, "%s/.stderr", cbt_dir());
	/* braces, so that the command's own redirections win over the capture */
	memmove(cmd + 2, cmd, (size_t)n + 1);
	memcpy(cmd, "{ ", 2);
	snprintf(cmd + n + 2, sizeof cmd - (size_t)n - 2, "; } >'%s' 2>'%s'", o, e);
	int st = system(cmd);
	char **dst[2] = {out, err};
	const char *src[2] = {o, e};
	for (int i = 0; i < 2; i++) {
		if (!dst[i])
			continue;
		FILE *f = fopen(src[i], "rb");
		size_t cap = 1 << 16, len = 0;
		char *buf = malloc(cap);
		size_t r;
		while (f && buf && (r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
			len += r;
			if (cap - len < 2) {
				char *nb = realloc(buf, cap *= 2);
				if (!nb) {
					free(buf);
					buf = NULL;
					break;
				}
				buf = nb;
			}
		}
		if (buf)
			buf[len] = 0;
		if (f)
			fclose(f);
		*dst[i] = buf;
	}
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A single integer from SQL run on a database file directly, not through the store (-1 when no row).  Waits
 * for a writer that holds the file for a moment (a server or scheduler under test). */
static inline long long cbt_sql_int(const char *file, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;
	assert_int_equal(sqlite3_open_v2(file, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* Reads a whole file (binary-safe); *len gets its size.  NULL if missing. */
static inline char *cbt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = 0;
	if (len)
		*len = (size_t)n;
	fclose(f);
	return b;
}

static inline void cbt_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* True if needle (n bytes) occurs anywhere in the file; for "no plain text on disk" checks. */
static inline int cbt_file_contains(const char *path, const void *needle, size_t n)
{
	size_t len = 0;
	char *b = cbt_read(path, &len);
	int found = 0;
	if (b && len >= n)
		for (size_t i = 0; i + n <= len && !found; i++)
			found = memcmp(b + i, needle, n) == 0;
	free(b);
	return found;
}

#endif
