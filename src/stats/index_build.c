/*
 * index_build.c -- building the column index (index.c) from the store when the database is opened.
 *
 * One SELECT of the coded columns, on several threads for a large database (see "building from the
 * store" below).  Coded fields are stored as the text of their value names; they are mapped through
 * collision-free hash tables made once from the codebook, countries through the codebook's direct-indexed
 * table.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "stats/stats_int.h"

/* ---- value-name hash tables, one per value set, built once */

#define NT_CAP 256 /* 4 x the largest value set (64): room to find a collision-free multiplier */
struct name_slot {
	const char *name;
	uint16_t len;
	int16_t value;
};
static struct name_slot name_tab[CB_VS__COUNT][NT_CAP];
static pthread_once_t name_once = PTHREAD_ONCE_INIT;

/* A hash of a value name from its length and three of its bytes, times a multiplier chosen per value set
 * so that the set's names land in distinct slots: a lookup is then one probe and one memcmp (this runs for
 * every coded cell when the index is built).  n > 0. */
static uint32_t name_mult[CB_VS__COUNT];
static uint32_t name_hash(const char *p, size_t n, uint32_t mult)
{
	uint32_t k = (uint32_t)n ^ (uint32_t)(unsigned char)p[0] << 8 ^ (uint32_t)(unsigned char)p[n - 1] << 16 ^
		     (uint32_t)(unsigned char)p[n / 2] << 24;
	return (k * mult) >> 24; /* 8 bits: NT_CAP */
}

/* Slots the names of set s would collide on under mult. */
static int name_collisions(int s, uint32_t mult)
{
	uint8_t seen[NT_CAP] = {0};
	int c = 0;
	for (int v = 0; v < cb_vsets[s].count; v++) {
		const char *nm = cb_vsets[s].values[v].name;
		c += seen[name_hash(nm, strlen(nm), mult)]++ != 0;
	}
	return c;
}

static void name_build(void)
{
	for (int s = 0; s < CB_VS__COUNT; s++) {
		uint32_t best = 0x9e3779b1u;
		int bc = name_collisions(s, best);
		for (uint32_t t = 1; t < 4096 && bc; t++) { /* odd multipliers until none collide */
			uint32_t m = 0x9e3779b1u + 2 * t * 0x5bd1e995u;
			int c = name_collisions(s, m);
			if (c < bc) {
				bc = c;
				best = m;
			}
		}
		name_mult[s] = best;
		for (int v = 0; v < cb_vsets[s].count; v++) { /* linear probing keeps any rare collision correct */
			const char *nm = cb_vsets[s].values[v].name;
			size_t len = strlen(nm);
			uint32_t h = name_hash(nm, len, best);
			while (name_tab[s][h].name)
				h = (h + 1) & (NT_CAP - 1);
			name_tab[s][h] = (struct name_slot){nm, (uint16_t)len, (int16_t)v};
		}
	}
}

/* Value index of a stored name in set s, or -1.  n > 0. */
static int name_lookup(int s, const char *p, size_t n)
{
	const struct cb_vset *vs = &cb_vsets[s];
	for (uint32_t h = name_hash(p, n, name_mult[s]); name_tab[s][h].name; h = (h + 1) & (NT_CAP - 1))
		if (name_tab[s][h].len == n && memcmp(name_tab[s][h].name, p, n) == 0)
			return name_tab[s][h].value;
	for (int v = 0; v < vs->count; v++) /* a spelling from another case convention */
		if (strlen(vs->values[v].name) == n && strncasecmp(vs->values[v].name, p, n) == 0)
			return v;
	return -1;
}

/* ---- building from the store
 *
 * One SELECT of the coded columns over a range of seq (the cases table's INTEGER PRIMARY KEY).  Each column's
 * decoder is chosen once (struct dec), not per cell.  Slots are laid out by seq: a range [lo, hi] owns slots
 * lo - min .. hi - min, so on a machine with several cores each thread fills its own region of the final
 * arrays with no locking, with its own site dictionary, on its own connection: the calling thread on the
 * store's (whose page cache may be warm), the others on read-only ones of their own.  Afterwards the
 * regions are closed up (erased cases leave gaps in seq) and the sites renumbered in order of first sight,
 * which is exactly the numbering one thread reading in seq order gives: both builds give the same index.
 *
 * The threads' read transactions must see the same commit.  Each connection reads min/max(seq) right after
 * BEGIN, the first also count(*); the builds' bounds must agree, and the threads must read as many rows as
 * that count (a case erased between two BEGINs would be missing), else the build is tried once more and then
 * done on one thread.  A case updated in place in that window of microseconds is read as of either commit.
 * One thread (the store's own connection) for small databases, one core, an open transaction on the store
 * (its own writes must be seen) or an in-memory database.  CASEBANK_INDEX_THREADS=N forces N threads. */

#define BUILD_MIN_PAR 50000 /* cases below which threads cost more than they save */
#define BUILD_MAX_THREADS 8
#define BUILD_BUSY_MS 5000

enum dec_kind { DK_INT, DK_NAME, DK_COUNTRY, DK_MULTI, DK_SITE };

struct dec {
	uint8_t kind, width;
	int field, set; /* set: value set (DK_NAME, DK_MULTI) */
	int lo, hi;     /* DK_INT */
};

struct plan {
	struct cb_buf sql;
	struct dec dec[CB_NFIELDS];
	int ndec;
};

/* One thread's share of a build. */
struct part {
	struct cb_index *ix;   /* the arrays being filled */
	struct cb_index *dict; /* the site dictionary: ix itself on one thread, a private one per thread */
	const struct plan *pl;
	sqlite3 *db;
	int64_t lo, hi;  /* seq range */
	uint32_t base;   /* slot of seq lo */
	uint32_t n;      /* slots filled from base */
	int64_t rows;    /* rows read */
	int rc;
	struct cb_err err;
};

static int plan_make(const struct cb_index *ix, struct plan *pl)
{
	cb_buf_printf(&pl->sql, "SELECT case_id, record_key, consent_statistics");
	for (int f = 0; f < CB_NFIELDS; f++) {
		if (!ix->col[f].used)
			continue;
		const struct cb_field *fd = &cb_fields[f];
		struct dec *d = &pl->dec[pl->ndec++];
		*d = (struct dec){.width = ix->col[f].width, .field = f, .lo = fd->lo, .hi = fd->hi,
				  .set = fd->vset ? (int)(fd->vset - cb_vsets) : -1};
		switch (fd->kind) {
		case CB_INT: d->kind = DK_INT; break;
		case CB_COUNTRY: d->kind = DK_COUNTRY; break;
		case CB_MULTI: d->kind = DK_MULTI; break;
		case CB_SITE: d->kind = DK_SITE; break;
		default: d->kind = DK_NAME;
		}
		if ((d->kind == DK_NAME || d->kind == DK_MULTI) && d->set < 0)
			return CB_EINVAL;
		cb_buf_printf(&pl->sql, ", \"%s\"", fd->name);
	}
	cb_buf_printf(&pl->sql, " FROM cases WHERE seq BETWEEN ?1 AND ?2");
	return pl->sql.data ? CB_OK : CB_ENOMEM;
}

static uint32_t multi_code(int set, const char *p, size_t n)
{
	uint32_t bits = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && p[j] != ';')
			j++;
		size_t a = i, b = j;
		while (a < b && p[a] == ' ')
			a++;
		while (b > a && p[b - 1] == ' ')
			b--;
		int v = b > a ? name_lookup(set, p + a, b - a) : -1;
		if (v >= 0)
			bits |= 1u << v;
		i = j + 1;
	}
	return bits;
}

/* Code of a stored text value (n > 0; an unknown name counts as not recorded). */
static int text_code(struct cb_index *dict, const struct dec *d, const char *p, size_t n, uint32_t *code)
{
	*code = 0;
	switch (d->kind) {
	case DK_NAME: {
		int v = name_lookup(d->set, p, n);
		*code = v < 0 ? 0 : (uint32_t)v + 1;
		return CB_OK;
	}
	case DK_MULTI: *code = multi_code(d->set, p, n); return CB_OK;
	case DK_SITE: return cb_index_site_code(dict, p, n, code);
	case DK_COUNTRY: {
		char cc[4];
		if (n > 3)
			return CB_OK;
		memcpy(cc, p, n);
		cc[n] = 0;
		int32_t i = cb_country_find(cc);
		*code = i == CB_NA ? 0 : (uint32_t)i + 1;
		return CB_OK;
	}
	default: { /* DK_INT stored as text */
		long v = 0;
		for (size_t i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9' || v > 100000)
				return CB_OK;
			v = v * 10 + (p[i] - '0');
		}
		*code = v < d->lo || v > d->hi ? 0 : (uint32_t)(v - d->lo) + 1;
		return CB_OK;
	}
	}
}

static bool text_yes(const unsigned char *p, int n)
{
	return (n == 3 && strncasecmp((const char *)p, "yes", 3) == 0) ||
	       (n == 4 && strncasecmp((const char *)p, "true", 4) == 0) || (n == 1 && p[0] == '1');
}

/* The case id of the current row into id; false for a row the index cannot address. */
static bool row_id(sqlite3_stmt *st, uint8_t id[16])
{
	if (sqlite3_column_type(st, 0) == SQLITE_BLOB && sqlite3_column_bytes(st, 0) == 16) {
		memcpy(id, sqlite3_column_blob(st, 0), 16);
		return true;
	}
	const char *t = (const char *)sqlite3_column_text(st, 0);
	return t && cb_case_id_parse(t, id) == CB_OK;
}

/* Reads the rows of one seq range into slots base, base + 1, ...  A thread's body (void * for pthreads). */
static void *part_scan(void *arg)
{
	struct part *pt = arg;
	struct cb_index *ix = pt->ix;
	const struct plan *pl = pt->pl;
	sqlite3_stmt *st = NULL;
	void *data[CB_NFIELDS];
	uint64_t room = (uint64_t)(pt->hi - pt->lo + 1);
	int src;
	for (int k = 0; k < pl->ndec; k++)
		data[k] = ix->col[pl->dec[k].field].data;
	if (sqlite3_prepare_v2(pt->db, pl->sql.data, -1, &st, NULL) != SQLITE_OK) {
		pt->rc = cb_err_set(&pt->err, CB_EDB, "statistics index: %s", sqlite3_errmsg(pt->db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, pt->lo);
	sqlite3_bind_int64(st, 2, pt->hi);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		pt->rows++;
		if (pt->n >= room) { /* cannot happen: seq is unique */
			pt->rc = cb_err_set(&pt->err, CB_ECORRUPT, "statistics index: more rows than seq numbers");
			goto out;
		}
		uint32_t slot = pt->base + pt->n;
		if (!row_id(st, ix->id[slot]))
			continue; /* not a case the index can address; the slot is reused */
		pt->n++;
		ix->rkey[slot] = (uint8_t)(sqlite3_column_int(st, 1) & 0xff);
		bool yes;
		if (sqlite3_column_type(st, 2) == SQLITE_INTEGER)
			yes = sqlite3_column_int(st, 2) != 0;
		else
			yes = text_yes(sqlite3_column_text(st, 2), sqlite3_column_bytes(st, 2));
		ix->flags[slot] = (uint8_t)(CB_IX_LIVE | (yes ? CB_IX_CONSENT : 0));
		for (int k = 0; k < pl->ndec; k++) {
			const struct dec *d = &pl->dec[k];
			/* the value object: one column lookup instead of three; this connection is this thread's alone */
			sqlite3_value *v = sqlite3_column_value(st, 3 + k);
			int ty = sqlite3_value_type(v);
			uint32_t code = 0;
			if (ty == SQLITE_INTEGER && d->kind == DK_INT) {
				sqlite3_int64 x = sqlite3_value_int64(v);
				code = x < d->lo || x > d->hi ? 0 : (uint32_t)(x - d->lo) + 1;
			} else if (ty != SQLITE_NULL) {
				const char *p = (const char *)sqlite3_value_text(v);
				size_t len = (size_t)sqlite3_value_bytes(v);
				if (p && len && (pt->rc = text_code(pt->dict, d, p, len, &code))) {
					cb_err_field(&pt->err, pt->rc, cb_fields[d->field].name,
						     "statistics index: too many values of %s", cb_fields[d->field].name);
					goto out;
				}
			}
			switch (d->width) {
			case 1: ((uint8_t *)data[k])[slot] = (uint8_t)code; break;
			case 2: ((uint16_t *)data[k])[slot] = (uint16_t)code; break;
			default: ((uint32_t *)data[k])[slot] = code; break;
			}
		}
	}
	if (src != SQLITE_DONE)
		pt->rc = cb_err_set(&pt->err, CB_EDB, "statistics index: %s", sqlite3_errmsg(pt->db));
out:
	sqlite3_finalize(st);
	return NULL;
}

/* Allocates exactly cap slots (at least one) for a fresh index, not zeroed: the build writes every slot it
 * keeps and trims the rest (slots_trim). */
static int slots_alloc(struct cb_index *ix, uint32_t cap)
{
	if (!cap)
		cap = 1;
	free(ix->flags);
	free(ix->rkey);
	free(ix->id);
	free(ix->counted);
	ix->flags = malloc(cap);
	ix->rkey = malloc(cap);
	ix->id = malloc((size_t)cap * 16);
	ix->counted = calloc(((size_t)cap + 63) / 64, 8);
	bool ok = ix->flags && ix->rkey && ix->id && ix->counted;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used) {
			free(ix->col[f].data);
			ok &= (ix->col[f].data = malloc((size_t)cap * ix->col[f].width)) != NULL;
		}
	ix->cap = cap;
	ix->n = 0;
	return ok ? CB_OK : CB_ENOMEM;
}

/* Shrinks the arrays to the ix->n slots filled (a smaller block: realloc cannot fail in a way that loses it). */
static void slots_trim(struct cb_index *ix)
{
	if (ix->n == ix->cap || ix->n == 0)
		return;
	void *p;
	size_t n = ix->n;
	if ((p = realloc(ix->flags, n)))
		ix->flags = p;
	if ((p = realloc(ix->rkey, n)))
		ix->rkey = p;
	if ((p = realloc(ix->id, n * 16)))
		ix->id = p;
	if ((p = realloc(ix->counted, (n + 63) / 64 * 8)))
		ix->counted = p;
	for (int f = 0; f < CB_NFIELDS; f++)
		if (ix->col[f].used && (p = realloc(ix->col[f].data, n * ix->col[f].width)))
			ix->col[f].data = p;
	ix->cap = ix->n;
}

/* Moves n slots from `from` down to `to` in every array. */
static void slots_move(struct cb_index *ix, uint32_t to, uint32_t from, uint32_t n)
{
	memmove(ix->flags + to, ix->flags + from, n);
	memmove(ix->rkey + to, ix->rkey + from, n);
	memmove(ix->id[to], ix->id[from], (size_t)n * 16);
	for (int f = 0; f < CB_NFIELDS; f++) {
		struct cb_icol *c = &ix->col[f];
		if (c->used)
			memmove((char *)c->data + (size_t)to * c->width, (char *)c->data + (size_t)from * c->width,
				(size_t)n * c->width);
	}
}

/* Runs one query returning integers into v[0..nv-1] (NULL reads as 0). */
static int query_ints(sqlite3 *db, const char *sql, int64_t *v, int nv)
{
	sqlite3_stmt *st = NULL;
	int rc = CB_EDB;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	for (int i = 0; i < nv; i++)
		v[i] = sqlite3_column_int64(st, i);
	rc = CB_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

static int build_single(sqlite3 *db, struct cb_index *ix, const struct plan *pl, struct cb_err *err)
{
	int64_t b[2];
	if (query_ints(db, "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0) FROM cases", b, 2))
		return cb_err_set(err, CB_EDB, "statistics index: %s", sqlite3_errmsg(db));
	if (b[1] - b[0] + 1 > UINT32_MAX / 2)
		return cb_err_set(err, CB_EINVAL, "statistics index: too many cases (%lld)", (long long)(b[1] - b[0] + 1));
	if (slots_alloc(ix, (uint32_t)(b[1] - b[0] + 1)))
		return cb_err_set(err, CB_ENOMEM, "statistics index: out of memory for %lld cases",
				  (long long)(b[1] - b[0] + 1));
	struct part pt = {.ix = ix, .dict = ix, .pl = pl, .db = db, .lo = b[0], .hi = b[1]};
	part_scan(&pt);
	if (pt.rc) {
		*err = pt.err;
		return pt.rc;
	}
	ix->n = pt.n;
	return CB_OK;
}

/* Closes up the parts' regions and renumbers their sites into ix's dictionary in order of first sight. */
static int parts_merge(struct cb_index *ix, struct part *pt, int nt, struct cb_err *err)
{
	uint16_t *site = ix->col[CB_FLD_site].data;
	uint32_t n = 0, *map = NULL;
	int rc = CB_OK;
	for (int t = 0; t < nt; t++) {
		if (pt[t].base != n)
			slots_move(ix, n, pt[t].base, pt[t].n);
		bool same = true;
		free(map);
		if (!(map = malloc(((size_t)pt[t].dict->nsites + 1) * sizeof *map))) {
			rc = cb_err_set(err, CB_ENOMEM, "statistics index: out of memory");
			goto out;
		}
		map[0] = 0;
		for (uint32_t i = 0; i < pt[t].dict->nsites; i++) {
			const char *nm = pt[t].dict->sites[i];
			if ((rc = cb_index_site_code(ix, nm, strlen(nm), &map[i + 1]))) {
				rc = cb_err_field(err, rc, "site", "statistics index: too many values of site");
				goto out;
			}
			same &= map[i + 1] == i + 1;
		}
		if (!same)
			for (uint32_t s = n; s < n + pt[t].n; s++)
				site[s] = (uint16_t)map[site[s]];
		n += pt[t].n;
	}
	ix->n = n;
out:
	free(map);
	return rc;
}

/* The build on nt threads; *again when the connections did not see the same commit. */
static int build_parallel(sqlite3 *sdb, struct cb_index *ix, const struct plan *pl, int nt, bool *again,
			  struct cb_err *err)
{
	struct part pt[BUILD_MAX_THREADS] = {0};
	pthread_t th[BUILD_MAX_THREADS];
	bool started[BUILD_MAX_THREADS] = {0};
	const char *path = sqlite3_db_filename(sdb, "main");
	int64_t first[3] = {0}, b[3];
	int rc = CB_EDB;
	*again = false;
	for (int t = 0; t < nt; t++) {
		if (t == 0) { /* the calling thread reads on the store's connection: its page cache may be warm */
			pt[0].db = sdb;
		} else {
			if (sqlite3_open_v2(path, &pt[t].db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
			    SQLITE_OK)
				goto out;
			sqlite3_busy_timeout(pt[t].db, BUILD_BUSY_MS);
			/* pages read in place rather than copied into a cold cache (SQLite caps the size) */
			sqlite3_exec(pt[t].db, "PRAGMA mmap_size=2147418112", NULL, NULL, NULL);
		}
		if (sqlite3_exec(pt[t].db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
		    query_ints(pt[t].db,
			       t ? "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0), 0 FROM cases"
				 : "SELECT coalesce(min(seq), 1), coalesce(max(seq), 0), count(*) FROM cases",
			       t ? b : first, 3))
			goto out;
		if (t && (b[0] != first[0] || b[1] != first[1])) {
			*again = true;
			goto out;
		}
	}
	int64_t span = first[1] - first[0] + 1;
	if (span > UINT32_MAX / 2 || span < nt) /* too many for a uint32 slot, or too few to split */
		goto out;
	if ((rc = slots_alloc(ix, (uint32_t)span)))
		goto out;
	for (int t = 0; t < nt; t++) {
		pt[t].ix = ix;
		pt[t].pl = pl;
		pt[t].lo = first[0] + span * t / nt;
		pt[t].hi = first[0] + span * (t + 1) / nt - 1;
		pt[t].base = (uint32_t)(pt[t].lo - first[0]);
		if (!(pt[t].dict = calloc(1, sizeof *pt[t].dict))) {
			rc = CB_ENOMEM;
			goto out;
		}
	}
	for (int t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, part_scan, &pt[t]) == 0;
	part_scan(&pt[0]);
	int64_t rows = pt[0].rows;
	for (int t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(th[t], NULL);
		else
			part_scan(&pt[t]); /* no thread to be had: read it here */
		rows += pt[t].rows;
	}
	for (int t = 0; t < nt; t++)
		if (pt[t].rc) {
			*err = pt[t].err;
			rc = pt[t].rc;
			goto out;
		}
	if (rows != first[2]) {
		*again = true;
		rc = CB_ECONFLICT;
		goto out;
	}
	rc = parts_merge(ix, pt, nt, err);
out:
	for (int t = 0; t < nt; t++) {
		if (pt[t].db != sdb)
			sqlite3_close(pt[t].db); /* ends its read transaction */
		else if (!sqlite3_get_autocommit(sdb))
			sqlite3_exec(sdb, "ROLLBACK", NULL, NULL, NULL);
		cb_index_free(&pt[t].dict);
	}
	return rc;
}

/* Threads for a build over `span` seq numbers. */
static int build_threads(sqlite3 *db, int64_t span)
{
	const char *e = getenv("CASEBANK_INDEX_THREADS");
	const char *path = sqlite3_db_filename(db, "main");
	int nt;
	if (!sqlite3_get_autocommit(db) || !path || !*path)
		return 1;
	if (e && *e) {
		nt = atoi(e);
	} else {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		nt = span < BUILD_MIN_PAR ? 1 : cpus > BUILD_MAX_THREADS ? BUILD_MAX_THREADS : (int)cpus;
	}
	return nt < 1 ? 1 : nt > BUILD_MAX_THREADS ? BUILD_MAX_THREADS : nt;
}

int cb_index_build(struct cb_store *s, struct cb_index **out, struct cb_err *err)
{
	struct cb_index *ix = NULL;
	struct plan pl = {0};
	int64_t b[2];
	int rc;
	sqlite3 *db = cb_store_db(s);
	*out = NULL;
	pthread_once(&name_once, name_build);
	if ((rc = cb_index_new(&ix)) || (rc = plan_make(ix, &pl))) {
		rc = cb_err_set(err, rc, "statistics index: %s", cb_rc_str(rc));
		goto out;
	}
	char *pol = NULL;
	if (cb_store_meta_get(s, "stats.require_consent", &pol) == CB_OK)
		ix->require_consent = !(strcmp(pol, "no") == 0 || strcmp(pol, "off") == 0 || strcmp(pol, "0") == 0);
	free(pol);

	if (query_ints(db, "SELECT coalesce(max(seq), 0) - coalesce(min(seq), 1) + 1 FROM cases", b, 1)) {
		rc = cb_err_set(err, CB_EDB, "statistics index: %s", sqlite3_errmsg(db));
		goto out;
	}
	int nt = build_threads(db, b[0]);
	bool again = nt > 1;
	rc = CB_EDB;
	for (int attempt = 0; attempt < 2 && again; attempt++) {
		struct cb_err perr = {0};
		rc = build_parallel(db, ix, &pl, nt, &again, &perr);
	}
	if (rc) { /* one thread, on the store's connection, into a fresh index; it reports any error that remains */
		bool req = ix->require_consent;
		cb_index_free(&ix);
		if ((rc = cb_index_new(&ix))) {
			rc = cb_err_set(err, rc, "statistics index: %s", cb_rc_str(rc));
			goto out;
		}
		ix->require_consent = req;
		if ((rc = build_single(db, ix, &pl, err)))
			goto out;
		nt = 1;
	}
	ix->build_threads = (uint8_t)nt;
	slots_trim(ix);
	ix->live = ix->n;
	cb_index_set_require_consent(ix, ix->require_consent);
	*out = ix;
	ix = NULL;
	rc = CB_OK;
out:
	cb_buf_free(&pl.sql);
	cb_index_free(&ix);
	return rc;
}
