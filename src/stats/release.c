/*
 * release.c -- statistical releases: the budget policy, the ledger, and the bank analysts query.
 *
 * `casebank release` (cb_release_run) measures each registration year that has no release or whose cases
 * changed (synth.c does the measuring and drawing), refuses a year whose cap it would exceed, and stores
 * the synthetic caseload with what it spent (store/releases.c writes the row and its audit entry in one
 * transaction).  cb_stats_open loads the newest release of every year into one index: that bank is all an
 * analyst, the report and the API ever count.  Counting it again, in any table, filter or order, is
 * post-processing of the same measurements and reveals nothing more.
 *
 * A synthetic caseload is stored by value names, not codes (a codebook that gains values still reads old
 * releases): "CBREL1", year, record count, then per field its name, its dictionary of value names and one
 * code per record (uint16 single-valued, uint32 value bits), all little-endian.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "stats/dp.h"
#include "stats/stats_int.h"
#include "store/audit.h"

/* ---- encoding */

static int put(struct cb_buf *b, const void *p, size_t n) { return cb_buf_append(b, p, n); }
static int put_u32(struct cb_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	return put(b, x, 4);
}
static int put_str(struct cb_buf *b, const char *s)
{
	uint8_t n = (uint8_t)strlen(s);
	return put(b, &n, 1) || put(b, s, n) ? CB_ENOMEM : CB_OK;
}

/* The name of code k (k >= 1) of a single-valued field, or of value bit k of a multi-valued one. */
static const char *code_name(const struct cb_field *f, uint32_t k)
{
	if (f->kind == CB_MULTI)
		return f->vset->values[k].name;
	if (f->kind == CB_COUNTRY)
		return cb_countries[k - 1].alpha2;
	return f->vset->values[k - 1].name;
}

static uint32_t dict_size(const struct cb_field *f)
{
	return f->kind == CB_COUNTRY ? (uint32_t)cb_ncountries : (uint32_t)f->vset->count;
}

static int encode(const struct cb_synth *sy, struct cb_buf *b)
{
	int rc = put(b, "CBREL1", 6) || put_u32(b, (uint32_t)sy->year) || put_u32(b, sy->n) ||
		 put_u32(b, (uint32_t)sy->nattr) ? CB_ENOMEM : CB_OK;
	for (int a = 0; a < sy->nattr && rc == CB_OK; a++) {
		const struct cb_field *f = &cb_fields[sy->field[a]];
		uint32_t nd = dict_size(f);
		bool multi = f->kind == CB_MULTI;
		if (put_str(b, f->name) || put_u32(b, multi) || put_u32(b, nd))
			return CB_ENOMEM;
		for (uint32_t k = 0; k < nd; k++)
			if (put_str(b, code_name(f, multi ? k : k + 1)))
				return CB_ENOMEM;
		for (uint32_t r = 0; r < sy->n && rc == CB_OK; r++) {
			uint32_t v = sy->col[a][r];
			uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
			rc = put(b, x, multi ? 4 : 2) ? CB_ENOMEM : CB_OK;
		}
	}
	return rc;
}

struct reader {
	const uint8_t *p, *end;
};

static bool get(struct reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}
static bool get_u32(struct reader *r, uint32_t *v)
{
	uint8_t x[4];
	if (!get(r, x, 4))
		return false;
	*v = x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
	return true;
}
static bool get_str(struct reader *r, char out[256])
{
	uint8_t n;
	if (!get(r, &n, 1) || !get(r, out, n))
		return false;
	out[n] = 0;
	return true;
}

/* Adds the records of one stored release to the index: per record a case with the release's year, its
 * released fields and majority derived from the age group.  Ids are the release id and the record number. */
static int decode_into(const struct cb_release_row *row, struct cb_index *ix, struct cb_err *err)
{
	struct reader r = {row->data, (const uint8_t *)row->data + row->len};
	char magic[6], name[256];
	uint32_t year, n, nattr;
	struct cb_case *cs = NULL;
	int32_t *map = NULL;
	int rc = CB_OK;
	if (!get(&r, magic, 6) || memcmp(magic, "CBREL1", 6) || !get_u32(&r, &year) || !get_u32(&r, &n) ||
	    !get_u32(&r, &nattr) || (int)year != row->year || n > 100000000u)
		goto corrupt;
	if (!(cs = calloc(n ? n : 1, sizeof *cs)))
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		cb_case_init(&cs[i]);
		cs[i].year = (int32_t)year;
		cs[i].consent_statistics = CB_yes_no_yes;
		uint64_t id[2] = {(uint64_t)row->id, i};
		memcpy(cs[i].case_id, id, 16);
	}
	for (uint32_t a = 0; a < nattr; a++) {
		uint32_t multi, nd;
		if (!get_str(&r, name) || !get_u32(&r, &multi) || !get_u32(&r, &nd) || nd > 4096)
			goto corrupt;
		const struct cb_field *f = cb_field_find(name);
		bool use = f && (f->flags & CB_F_DIM) && (f->kind == CB_MULTI) == (multi != 0) &&
			   (f->kind == CB_MULTI || f->kind == CB_ENUM || f->kind == CB_COUNTRY);
		free(map);
		if (!(map = malloc((nd ? nd : 1) * sizeof *map))) {
			rc = cb_err_set(err, CB_ENOMEM, "out of memory");
			goto out;
		}
		for (uint32_t k = 0; k < nd; k++) {
			if (!get_str(&r, name))
				goto corrupt;
			map[k] = !use ? CB_NA : f->kind == CB_COUNTRY ? cb_country_find(name) : cb_value_find(f->vset, name);
		}
		for (uint32_t i = 0; i < n; i++) {
			uint32_t v = 0;
			uint8_t x[4] = {0};
			if (!get(&r, x, multi ? 4 : 2))
				goto corrupt;
			v = x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
			if (!use)
				continue;
			void *m = cb_case_member(&cs[i], f);
			if (multi) {
				uint64_t set = 0;
				for (; v; v &= v - 1) {
					uint32_t k = (uint32_t)__builtin_ctz(v);
					if (k < nd && map[k] != CB_NA)
						set |= 1ull << map[k];
				}
				*(uint64_t *)m = set;
			} else if (v >= 1 && v <= nd) {
				*(int32_t *)m = map[v - 1];
			}
		}
	}
	for (uint32_t i = 0; i < n && rc == CB_OK; i++) {
		if (cs[i].age_group != CB_NA) /* post-processing: the age group decides majority */
			cs[i].majority = cs[i].age_group <= CB_age_group_a9_17 ? CB_majority_minor : CB_majority_adult;
		rc = cb_index_upsert(ix, &cs[i], 0, err);
	}
	goto out;
corrupt:
	rc = cb_err_set(err, CB_ECORRUPT, "release %lld of %d is damaged", (long long)row->id, row->year);
out:
	free(map);
	free(cs);
	return rc;
}

/* ---- the budget */

static int meta_double(struct cb_store *s, const char *key, double dflt, double *out, struct cb_err *err)
{
	char *t = NULL;
	*out = dflt;
	int rc = cb_store_meta_get(s, key, &t);
	if (rc == CB_ENOTFOUND)
		return CB_OK;
	if (rc != CB_OK)
		return cb_err_set(err, rc, "cannot read the setting %s", key);
	char *e;
	double v = strtod(t, &e);
	bool ok = *t && !*e && v >= 0 && isfinite(v);
	free(t);
	if (!ok)
		return cb_err_set(err, CB_ECORRUPT, "the setting %s stored in the database is damaged", key);
	*out = v;
	return CB_OK;
}

struct spent {
	int year;
	double rho;
	int64_t last_id;
	uint8_t digest[16];
	bool has_digest;
};

static int add_spent(const struct cb_release_row *r, void *ctx)
{
	struct spent *sp = ctx;
	if (r->year != sp->year)
		return CB_OK;
	sp->rho += r->rho;
	sp->last_id = r->id;
	sp->has_digest = r->digest != NULL;
	if (r->digest)
		memcpy(sp->digest, r->digest, 16);
	return CB_OK;
}

static int year_spent(struct cb_store *s, int year, struct spent *sp, struct cb_err *err)
{
	memset(sp, 0, sizeof *sp);
	sp->year = year;
	return cb_store_releases(s, false, false, add_spent, sp, err);
}

/* A year's cap: its own setting, else the default one, else CB_RELEASE_DEFAULT_CAP. */
static int year_cap(struct cb_store *s, int year, double *cap, struct cb_err *err)
{
	char key[40];
	double dflt;
	int rc = meta_double(s, "release.cap", CB_RELEASE_DEFAULT_CAP, &dflt, err);
	snprintf(key, sizeof key, "release.cap.%d", year);
	return rc ? rc : meta_double(s, key, dflt, cap, err);
}

int cb_release_budget(struct cb_store *s, int year, double *cap, double *spent, struct cb_err *err)
{
	struct spent sp;
	int rc = year_cap(s, year, cap, err);
	if (rc || (rc = year_spent(s, year, &sp, err)))
		return rc;
	*spent = sp.rho;
	return CB_OK;
}

/* A setting and its audit entry, in one transaction: a setting whose entry fails is not kept. */
static int set_recorded(struct cb_store *s, const char *key, const char *val, enum cb_audit_action act,
			const char *detail, struct cb_err *err)
{
	int rc = cb_store_begin(s, err);
	if (rc)
		return rc;
	if ((rc = cb_store_meta_set(s, key, val, err)) || (rc = cb_store_audit(s, act, NULL, NULL, detail, err))) {
		cb_store_rollback(s);
		return rc;
	}
	return cb_store_commit(s, err);
}

int cb_release_set_cap(struct cb_store *s, int year, double cap, struct cb_err *err)
{
	char key[40], val[40], detail[100];
	if (!(cap >= 0) || !isfinite(cap) || cap > 100)
		return cb_err_set(err, CB_EINVAL, "--cap: expected a rho from 0 to 100, got %g", cap);
	if (year)
		snprintf(key, sizeof key, "release.cap.%d", year);
	else
		snprintf(key, sizeof key, "release.cap");
	snprintf(val, sizeof val, "%.6f", cap);
	snprintf(detail, sizeof detail, "%s = %s", key, val);
	return set_recorded(s, key, val, CB_AUD_STATS_RELEASE_CAP, detail, err);
}

int cb_release_set_schedule(struct cb_store *s, double hours, struct cb_err *err)
{
	char val[40], detail[80];
	if (!(hours >= 0) || !isfinite(hours) || hours > 24 * 366)
		return cb_err_set(err, CB_EINVAL, "--every: expected hours from 0 (never) to 8784, got %g", hours);
	snprintf(val, sizeof val, "%g", hours);
	snprintf(detail, sizeof detail, "release.every_hours = %s", val);
	return set_recorded(s, "release.every_hours", val, CB_AUD_STATS_RELEASE_SCHEDULE, detail, err);
}

/* ---- running releases */

static void say_budget(FILE *out, double rho)
{
	fprintf(out, "rho %.4f (epsilon %.2f at delta %g)", rho, rho > 0 ? cb_zcdp_eps(rho, CB_RELEASE_DELTA) : 0.0,
		CB_RELEASE_DELTA);
}

static int release_year(struct cb_store *s, const struct cb_index *ix, int year, double rho,
			const struct cb_release_opts *o, FILE *out, bool *refused, struct cb_err *err)
{
	struct spent sp;
	struct cb_synth *sy = NULL;
	struct cb_buf b = {0};
	uint8_t digest[16];
	double cap, spent;
	int rc;
	if ((rc = year_cap(s, year, &cap, err)) || (rc = year_spent(s, year, &sp, err)) ||
	    (rc = cb_release_year_digest(ix, year, digest)))
		goto out;
	spent = sp.rho;
	if (!o->force && sp.last_id && sp.has_digest && !memcmp(sp.digest, digest, 16)) {
		fprintf(out, "%d: unchanged since release %lld; not measured again (--force does)\n", year,
			(long long)sp.last_id);
		goto out;
	}
	if (!cb_release_fits(spent, rho, cap)) {
		*refused = true;
		fprintf(out, "%d: refused: ", year);
		say_budget(out, rho);
		fprintf(out, " would bring the year to %.4f, over its cap of ", spent + rho);
		say_budget(out, cap);
		fprintf(out, "; %.4f is left (an administrator can raise the cap: casebank release DB --cap R --year %d)\n",
			cap > spent ? cap - spent : 0.0, year);
		goto out;
	}
	if ((rc = cb_synth_release(ix, year, rho, &sy, err)))
		goto out;
	if ((rc = encode(sy, &b))) {
		cb_err_set(err, rc, "out of memory");
		goto out;
	}
	struct cb_release_row row = {.year = year, .rho = sy->rho, .cases = sy->n, .digest = digest,
				     .actor = o->actor, .data = b.data, .len = b.len, .capped = true, .cap = cap};
	if ((rc = cb_store_release_add(s, &row, err)) == CB_EPERM) { /* another release came first */
		*refused = true;
		fprintf(out, "%d: refused: %s\n", year, err ? err->msg : "its cap would be exceeded");
		rc = CB_OK;
		goto out;
	}
	if (rc)
		goto out;
	fprintf(out, "%d: release %lld, %u synthetic cases; spent ", year, (long long)row.id, sy->n);
	say_budget(out, sy->rho);
	fprintf(out, "; the year has spent %.4f of its cap %.4f\n", spent + sy->rho, cap);
out:
	cb_synth_free(&sy);
	cb_buf_free(&b);
	return rc;
}

int cb_release_run(struct cb_store *s, const struct cb_release_opts *o, FILE *out, struct cb_err *err)
{
	struct cb_index *ix = NULL;
	double rho = o->rho;
	bool refused = false;
	int rc = CB_OK;
	if (rho == 0 && (rc = meta_double(s, "release.rho", CB_RELEASE_DEFAULT_RHO, &rho, err)))
		return rc;
	if (!(rho > 0) || !isfinite(rho) || rho > 100)
		return cb_err_set(err, CB_EINVAL, "--rho: expected a number above 0 and at most 100, got %g", rho);
	if ((rc = cb_index_build(s, &ix, err)))
		return rc;
	const struct cb_icol *yc = &ix->col[CB_FLD_year];
	int lo = cb_fields[CB_FLD_year].lo;
	if (o->years) {
		for (int i = 0; i < o->nyears && rc == CB_OK; i++)
			rc = release_year(s, ix, o->years[i], rho, o, out, &refused, err);
	} else {
		/* every year with a case: which years have cases is not treated as secret (docs/statistics.md) */
		for (uint32_t k = 1; k < yc->ncodes && rc == CB_OK; k++)
			if (yc->present[k])
				rc = release_year(s, ix, lo + (int)k - 1, rho, o, out, &refused, err);
	}
	cb_index_free(&ix);
	if (rc == CB_OK && refused)
		rc = cb_err_set(err, CB_EPERM, "some years were refused: their budget cap would be exceeded");
	return rc;
}

int cb_release_when_due(struct cb_store *s, const char *actor, FILE *out, double *every, struct cb_err *err)
{
	double last;
	time_t now = time(NULL);
	int rc = meta_double(s, "release.every_hours", 0, every, err);
	if (rc || (rc = meta_double(s, "release.last_run", 0, &last, err)) || *every <= 0 ||
	    (double)now - last < *every * 3600)
		return rc;
	char stamp[32];
	struct cb_release_opts o = {.actor = actor};
	rc = cb_release_run(s, &o, out, err);
	snprintf(stamp, sizeof stamp, "%lld", (long long)now);
	cb_store_meta_set(s, "release.last_run", stamp, NULL); /* a refused year is not retried before the next turn */
	return rc;
}

struct ledger {
	FILE *out;
	struct cb_store *s;
	int year;
	struct cb_err *err;
};

static int ledger_year_end(struct ledger *l)
{
	double cap, spent;
	if (!l->year)
		return CB_OK;
	int rc = cb_release_budget(l->s, l->year, &cap, &spent, l->err);
	if (rc)
		return rc;
	fprintf(l->out, "  %d spent ", l->year);
	say_budget(l->out, spent);
	fprintf(l->out, " of its cap ");
	say_budget(l->out, cap);
	fputc('\n', l->out);
	return CB_OK;
}

static int ledger_row(const struct cb_release_row *r, void *ctx)
{
	struct ledger *l = ctx;
	char when[32];
	time_t t = (time_t)r->made_at;
	struct tm tm;
	int rc;
	if (r->year != l->year && (rc = ledger_year_end(l)))
		return rc;
	l->year = r->year;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(l->out, "%d  release %lld  %s  %lld synthetic cases  ", r->year, (long long)r->id, when,
		(long long)r->cases);
	say_budget(l->out, r->rho);
	fprintf(l->out, "  by %s\n", r->actor && *r->actor ? r->actor : "the command line");
	return CB_OK;
}

int cb_release_ledger(struct cb_store *s, FILE *out, struct cb_err *err)
{
	struct ledger l = {.out = out, .s = s, .err = err};
	double cap;
	int rc = meta_double(s, "release.cap", CB_RELEASE_DEFAULT_CAP, &cap, err);
	if (rc)
		return rc;
	double every;
	if ((rc = meta_double(s, "release.every_hours", 0, &every, err)))
		return rc;
	fprintf(out, "default cap per year: ");
	say_budget(out, cap);
	if (every > 0)
		fprintf(out, "; casebank serve releases changed years every %g hours\n", every);
	else
		fprintf(out, "; no schedule (casebank release DB --every HOURS sets one for casebank serve)\n");
	if ((rc = cb_store_releases(s, false, false, ledger_row, &l, err)) || (rc = ledger_year_end(&l)))
		return rc;
	if (!l.year)
		fprintf(out, "no release yet (casebank release DB makes one per year)\n");
	return CB_OK;
}

/* ---- the release bank */

struct loader {
	struct cb_stats *st;
	struct cb_store *s;
	struct cb_err *err;
};

static int load_row(const struct cb_release_row *r, void *ctx)
{
	struct loader *l = ctx;
	struct cb_stats *st = l->st;
	struct spent sp;
	struct cb_release_meta *m = realloc(st->rel, (size_t)(st->nrel + 1) * sizeof *m);
	uint32_t(*span)[2] = m ? realloc(st->span, (size_t)(st->nrel + 1) * sizeof *span) : NULL;
	if (m)
		st->rel = m;
	if (!m || !span)
		return cb_err_set(l->err, CB_ENOMEM, "out of memory");
	st->span = span;
	m = &st->rel[st->nrel];
	*m = (struct cb_release_meta){.id = r->id, .year = r->year, .made_at = r->made_at, .rho = r->rho};
	if (r->id > st->newest)
		st->newest = r->id;
	/* a release's records take consecutive slots of the new index: queries find the releases they used
	 * by looking at those slots' bits of the selection only */
	span[st->nrel][0] = st->ix->n;
	int rc = year_spent(l->s, r->year, &sp, l->err);
	m->spent = sp.rho;
	if (rc == CB_OK && (rc = decode_into(r, st->ix, l->err)) == CB_OK)
		span[st->nrel][1] = st->ix->n;
	st->nrel++;
	return rc;
}

int cb_stats_open(struct cb_store *s, struct cb_stats **out, struct cb_err *err)
{
	struct cb_stats *st = calloc(1, sizeof *st);
	int rc = CB_ENOMEM;
	*out = NULL;
	if (!st || (rc = cb_index_new(&st->ix)) != CB_OK) {
		free(st);
		return cb_err_set(err, rc, "out of memory");
	}
	st->release = true;
	struct loader l = {st, s, err};
	if ((rc = cb_store_releases(s, true, true, load_row, &l, err)) != CB_OK) {
		cb_stats_free(&st);
		return rc;
	}
	*out = st;
	return CB_OK;
}
