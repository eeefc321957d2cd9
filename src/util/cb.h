/*
 * cb.h -- what every casebank source file needs: return codes, the error record, and small helpers.
 *
 * Conventions (see docs/hacking.md):
 * - Every exported name starts with cb_; everything else is static.
 * - Functions return CB_OK (0) or a negative CB_E* code, and clean up through one `out:` label.
 * - A function that can fail for a reason a person must read takes `struct cb_err *err` and fills it.
 *   Error text names the line, field, value and what was expected, but NEVER an identifying detail:
 *   callers pass coded values only (see cb_err_value()).
 * - Ownership shows in the name: cb_x_new() allocates, cb_x_free(&p) frees and sets p to NULL.
 */
#ifndef CB_H
#define CB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum cb_rc {
	CB_OK = 0,
	CB_EINVAL = -1,    /* bad input: a value, a field, a row, a command line */
	CB_ENOTFOUND = -2, /* no such case, file or field */
	CB_EEXIST = -3,    /* already there (database, case, import row) */
	CB_EIO = -4,       /* file system */
	CB_ENOMEM = -5,
	CB_EKEY = -6,      /* key file missing, unreadable, or not this database's */
	CB_ECONFLICT = -7, /* a stale version: somebody else changed the record first */
	CB_ECORRUPT = -8,  /* stored data fails integrity or authentication */
	CB_EDB = -9,       /* SQLite said no */
	CB_ECONSENT = -10, /* the person has not consented to this use */
	CB_EPERM = -11,    /* not allowed for this role or policy */
	CB_EFULL = -12,    /* the disk (or the database's size limit) is full: nothing of the write was kept */
	CB_EUNAVAIL = -13, /* the database server cannot be reached (PostgreSQL): try again shortly */
};

/* The reason an operation failed, for a person to read.  `line` is 0 when no line applies. */
struct cb_err {
	int code;
	long line;
	char field[64];
	char msg[512];
};

/* Fills err (if not NULL) and returns code, so callers can write `return cb_err_set(err, ...)`. */
int cb_err_set(struct cb_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like cb_err_set, and records the field name the error is about. */
int cb_err_field(struct cb_err *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void cb_err_clear(struct cb_err *err);
/* A short, printable rendering of an outside value for error messages: at most 40 bytes, control
 * characters escaped.  Only ever pass coded values, never identifying details. */
const char *cb_err_value(const char *value, char buf[64]);
/* A database argument as messages may name it: a file as it is, a PostgreSQL connection URI without its
 * password (user:PASSWORD@ and password=... become ***), which would otherwise reach terminals and logs.
 * Returns buf (at most n bytes, cut if longer). */
const char *cb_db_shown(const char *db, char *buf, size_t n);
/* The generic English text of a return code ("not found"). */
const char *cb_rc_str(int code);

/* Missing value of every single-valued coded field (enum index, country index, number, date). */
#define CB_NA INT32_MIN

#define CB_COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* An invariant the code relies on, checked always (release builds too), as Varnish's assert and SQLite's
 * ALWAYS are: never for outside input (that is an error for a person, cb_err), only for what must hold if the
 * code is right.  Going on past a broken one could lose a key or write a case half-audited, so the process
 * stops, naming the file, line and condition (never a value) on stderr. */
#define CB_ASSERT(cond) ((cond) ? (void)0 : cb_assert_fail(#cond, __FILE__, __LINE__, __func__))
_Noreturn void cb_assert_fail(const char *cond, const char *file, int line, const char *func);

/* Dates are held as days since 1970-01-01 in an int32_t (CB_NA when missing). */
int cb_date_parse(const char *s, int32_t *days); /* strict YYYY-MM-DD, a real calendar day */
void cb_date_format(int32_t days, char out[11]);
int cb_date_year(int32_t days);
int32_t cb_date_today(void);

/* Durable file write: temp file in the same directory, fsync, rename, fsync the directory.
 * `mode` is applied to the new file (0600 for anything secret). */
int cb_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode, struct cb_err *err);
/* Reads a whole file (at most max bytes) into a new buffer the caller frees. */
int cb_file_read(const char *path, size_t max, char **out, size_t *len, struct cb_err *err);

/* Growable byte buffer. */
struct cb_buf {
	char *data;
	size_t len, cap;
};
int cb_buf_append(struct cb_buf *b, const void *p, size_t n);
/* Room for n more bytes and a NUL at b->data + b->len (grown by doubling, from at least `first` bytes). */
int cb_buf_reserve(struct cb_buf *b, size_t n, size_t first);
int cb_buf_printf(struct cb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cb_buf_reset(struct cb_buf *b); /* len = 0, keeps memory */
void cb_buf_free(struct cb_buf *b);  /* wipes and frees: buffers may have held identifying details */
/* Wipes and frees a string that may hold an identifying detail or a secret; *p = NULL. */
void cb_text_free(char **p);

/* Counts by 16-byte key, for keys that are already hashes (keyed, so nobody can aim at one slot): an
 * open-addressing table that doubles as it fills.  Zero-initialise; cb_count16_free when done. */
struct cb_count16 {
	struct cb_count16_slot {
		uint8_t key[16];
		uint32_t count; /* 0: empty */
	} *slots;          /* key and count side by side: one cache miss per probe */
	size_t cap, n;
};
/* How many times key was counted before; counts it once more.  < 0 when out of memory. */
long cb_count16_bump(struct cb_count16 *t, const uint8_t key[16]);
/* How many times key was counted. */
uint32_t cb_count16_get(const struct cb_count16 *t, const uint8_t key[16]);
/* Starts loading key's first slot into the cache, for a bump or get a little later: a large table misses the
 * cache on nearly every key, and the miss can overlap other work. */
static inline void cb_count16_prefetch(const struct cb_count16 *t, const uint8_t key[16])
{
	uint64_t h;
	if (!t->cap)
		return;
	__builtin_memcpy(&h, key, sizeof h);
	__builtin_prefetch(&t->slots[(size_t)h & (t->cap - 1)]);
}
void cb_count16_free(struct cb_count16 *t);

#endif
