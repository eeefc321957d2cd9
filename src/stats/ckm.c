/*
 * ckm.c -- the cell key method: the perturbation table (ptable), its generation from parameters, its CSV
 * form (the ONS layout pcv,ckey,pvalue) and its place in the database's meta, and the lookup that turns a
 * true count and a cell key into the published count.
 *
 * Generation follows the statistical agencies' ptable method: for each true count n, the deviation d is
 * drawn from the maximum-entropy distribution p(d) ~ exp(a d + b d^2) over the allowed deviations
 * (|d| <= D, n + d >= 0, n + d not in 1..js) with mean 0 and variance V, solved by Newton's method on the
 * convex dual, then quantised to 256 cell keys.  Where a row cannot reach variance V (few allowed
 * deviations) it takes the nearest variance below V; parameters that would force a variance above V are
 * refused.  docs/statistics.md explains the defaults.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats_int.h"

struct cb_ptable {
	int8_t dev[CB_PTABLE_ROWS][CB_PTABLE_KEYS];
	bool generated;
	struct cb_ptable_params params;
};

#define MAXD 32 /* largest D accepted */

void cb_ptable_free(struct cb_ptable **pt)
{
	if (*pt) {
		memset(*pt, 0, sizeof **pt); /* secret */
		free(*pt);
		*pt = NULL;
	}
}

bool cb_ptable_params(const struct cb_ptable *pt, struct cb_ptable_params *out)
{
	if (out)
		*out = pt->params;
	return pt->generated;
}

int cb_ptable_dev(const struct cb_ptable *pt, int64_t n, unsigned ckey)
{
	if (n <= 0)
		return 0;
	int64_t pcv = n <= CB_PTABLE_ROWS ? n : ((n - 1) % 250) + 501;
	return pt->dev[pcv - 1][ckey & 255u];
}

int64_t cb_ckm_perturb(const struct cb_ptable *pt, int64_t n, unsigned ckey)
{
	return n <= 0 ? 0 : n + cb_ptable_dev(pt, n, ckey);
}

/* ---- generation */

/* Maximum-entropy p over the k deviations d[] with mean 0 and variance v (strictly inside the feasible
 * range).  Newton on the dual: minimise log sum exp(a d + b (d^2 - v)). */
static int maxent(const int *d, int k, double v, double *p)
{
	double a = 0, b = 0;
	for (int it = 0; it < 500; it++) {
		double w[2 * MAXD + 1], z = 0, m1 = 0, m2 = 0, m11 = 0, m12 = 0, m22 = 0, mx = -INFINITY;
		for (int i = 0; i < k; i++) {
			w[i] = a * d[i] + b * ((double)d[i] * d[i] - v);
			mx = w[i] > mx ? w[i] : mx;
		}
		for (int i = 0; i < k; i++) {
			w[i] = exp(w[i] - mx);
			z += w[i];
		}
		for (int i = 0; i < k; i++) {
			double q = w[i] / z, x = d[i], y = (double)d[i] * d[i] - v;
			p[i] = q;
			m1 += q * x;
			m2 += q * y;
			m11 += q * x * x;
			m12 += q * x * y;
			m22 += q * y * y;
		}
		if (fabs(m1) < 1e-12 && fabs(m2) < 1e-10)
			return CB_OK;
		double h11 = m11 - m1 * m1, h12 = m12 - m1 * m2, h22 = m22 - m2 * m2;
		double det = h11 * h22 - h12 * h12;
		if (!(det > 1e-300))
			return CB_EINVAL;
		double da = (h22 * m1 - h12 * m2) / det, db = (h11 * m2 - h12 * m1) / det;
		double step = 1;
		while (step > 1e-6 && (fabs(step * da) > 5 || fabs(step * db) > 5))
			step /= 2; /* damped: the dual is flat far from the optimum */
		a -= step * da;
		b -= step * db;
	}
	return CB_EINVAL;
}

/* One row: the distribution of deviations for true count n, quantised to 256 keys in dev[]. */
static int gen_row(const struct cb_ptable_params *pp, int n, int8_t dev[CB_PTABLE_KEYS], struct cb_err *err)
{
	int d[2 * MAXD + 1], k = 0;
	double p[2 * MAXD + 1];
	for (int x = -pp->d; x <= pp->d; x++) {
		int t = n + x;
		if (t >= 0 && !(t >= 1 && t <= pp->js))
			d[k++] = x;
	}
	bool has0 = false, neg = false, pos = false;
	for (int i = 0; i < k; i++) {
		has0 |= d[i] == 0;
		neg |= d[i] < 0;
		pos |= d[i] > 0;
	}
	if (!has0 && !(neg && pos))
		return cb_err_set(err, CB_EINVAL, "a count of %d cannot be perturbed with mean 0 (js %d > D %d)",
				  n, pp->js, pp->d);
	/* smallest and largest variance a mean-0 distribution over d[] can have */
	int lo_neg = -1000, lo_pos = 1000;
	for (int i = 0; i < k; i++) {
		if (d[i] < 0 && d[i] > lo_neg)
			lo_neg = d[i];
		if (d[i] > 0 && d[i] < lo_pos)
			lo_pos = d[i];
	}
	double minv = has0 ? 0 : (double)-lo_neg * lo_pos;
	double maxv = neg && pos ? (double)-d[0] * d[k - 1] : 0;
	if (minv > pp->v + 1e-9)
		return cb_err_set(err, CB_EINVAL,
				  "with D %d and js %d a count of %d needs a variance of at least %g; V is %g",
				  pp->d, pp->js, n, minv, pp->v);
	memset(p, 0, sizeof p);
	if (maxv <= 1e-12) {
		for (int i = 0; i < k; i++)
			p[i] = d[i] == 0;
	} else if (pp->v >= maxv - 1e-9) { /* two points at the ends */
		p[0] = (double)d[k - 1] / (d[k - 1] - d[0]);
		p[k - 1] = 1 - p[0];
	} else if (pp->v <= minv + 1e-9) { /* zero, or the two points nearest it */
		for (int i = 0; i < k; i++) {
			if (has0)
				p[i] = d[i] == 0;
			else if (d[i] == lo_neg)
				p[i] = (double)lo_pos / (lo_pos - lo_neg);
			else if (d[i] == lo_pos)
				p[i] = (double)-lo_neg / (lo_pos - lo_neg);
		}
	} else if (maxent(d, k, pp->v, p) != CB_OK) {
		return cb_err_set(err, CB_EINVAL, "no solution for a count of %d (D %d, V %g, js %d)", n, pp->d,
				  pp->v, pp->js);
	}
	/* quantise: largest remainders, then single-key moves that bring the mean back to 0 */
	int c[2 * MAXD + 1], total = 0;
	double rem[2 * MAXD + 1];
	for (int i = 0; i < k; i++) {
		c[i] = (int)floor(p[i] * CB_PTABLE_KEYS);
		rem[i] = p[i] * CB_PTABLE_KEYS - c[i];
		total += c[i];
	}
	while (total < CB_PTABLE_KEYS) {
		int best = 0;
		for (int i = 1; i < k; i++)
			if (rem[i] > rem[best])
				best = i;
		c[best]++;
		rem[best] = -1;
		total++;
	}
	for (int guard = 0; guard < 1000; guard++) {
		long s = 0;
		double var = 0;
		for (int i = 0; i < k; i++) {
			s += (long)c[i] * d[i];
			var += (double)c[i] * d[i] * d[i];
		}
		if (s == 0)
			break;
		int bi = -1, bj = -1;
		long bs = labs(s);
		double bv = INFINITY;
		for (int i = 0; i < k; i++)
			for (int j = 0; j < k && c[i] > 0; j++) {
				if (i == j)
					continue;
				long ns = labs(s + d[j] - d[i]);
				double nv = fabs(var + (double)d[j] * d[j] - (double)d[i] * d[i] - pp->v * 256);
				if (ns < bs || (ns == bs && bi >= 0 && nv < bv)) {
					bs = ns;
					bv = nv;
					bi = i;
					bj = j;
				}
			}
		if (bi < 0)
			break;
		c[bi]--;
		c[bj]++;
	}
	int key = 0;
	for (int i = 0; i < k; i++)
		for (int j = 0; j < c[i]; j++)
			dev[key++] = (int8_t)d[i];
	return CB_OK;
}

int cb_ptable_generate(const struct cb_ptable_params *pp, struct cb_ptable **out, struct cb_err *err)
{
	*out = NULL;
	if (pp->d < 1 || pp->d > MAXD || pp->js < 0 || pp->js > pp->d || !(pp->v > 0) || pp->v > (double)pp->d * pp->d)
		return cb_err_set(err, CB_EINVAL,
				  "parameters out of range: D %d (1..%d), js %d (0..D), V %g (0 < V <= D^2)", pp->d,
				  MAXD, pp->js, pp->v);
	struct cb_ptable *pt = calloc(1, sizeof *pt);
	if (!pt)
		return cb_err_set(err, CB_ENOMEM, "out of memory");
	for (int n = 1; n <= CB_PTABLE_ROWS; n++) {
		int rc = gen_row(pp, n, pt->dev[n - 1], err);
		if (rc) {
			cb_ptable_free(&pt);
			return rc;
		}
	}
	pt->generated = true;
	pt->params = *pp;
	*out = pt;
	return CB_OK;
}

/* ---- CSV (ONS layout) */

/* Next comma-separated field of a line (quotes and spaces stripped) as a long; false if not a number. */
static bool csv_num(const char **pp, const char *end, long *v)
{
	const char *p = *pp;
	while (p < end && (*p == ' ' || *p == '"'))
		p++;
	char *e;
	errno = 0;
	if (p >= end || !(*p == '-' || *p == '+' || (*p >= '0' && *p <= '9')))
		return false;
	*v = strtol(p, &e, 10);
	if (errno || e > end)
		return false;
	p = e;
	while (p < end && (*p == ' ' || *p == '"' || *p == '\r'))
		p++;
	if (p < end && *p != ',')
		return false;
	*pp = p < end ? p + 1 : p;
	return true;
}

int cb_ptable_read_csv(const char *text, size_t len, struct cb_ptable **out, struct cb_err *err)
{
	int rc = CB_EINVAL;
	struct cb_ptable *pt = calloc(1, sizeof *pt);
	uint8_t *seen = calloc(CB_PTABLE_ROWS, CB_PTABLE_KEYS);
	const char *p = text, *end = text + len;
	long line = 0, rows = 0;
	*out = NULL;
	if (!pt || !seen) {
		rc = cb_err_set(err, CB_ENOMEM, "out of memory");
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		const char *q = p;
		p = nl ? nl + 1 : end;
		if (line == 1) {
			char head[64];
			size_t n = 0;
			for (const char *h = q; h < le && n < sizeof head - 1; h++)
				if (*h != '"' && *h != ' ' && *h != '\r')
					head[n++] = *h;
			head[n] = 0;
			if (strcmp(head, "pcv,ckey,pvalue") != 0) {
				rc = cb_err_set(err, CB_EINVAL, "line 1: expected the header pcv,ckey,pvalue");
				goto out;
			}
			continue;
		}
		if (le == q || (le - q == 1 && *q == '\r'))
			continue;
		long pcv, ckey, pv;
		if (!csv_num(&q, le, &pcv) || !csv_num(&q, le, &ckey) || !csv_num(&q, le, &pv) || q != le) {
			rc = cb_err_set(err, CB_EINVAL, "line %ld: expected three whole numbers pcv,ckey,pvalue", line);
			goto out;
		}
		if (pcv < 1 || pcv > CB_PTABLE_ROWS || ckey < 0 || ckey >= CB_PTABLE_KEYS || pv < -127 || pv > 127 ||
		    pcv + pv < 0) {
			rc = cb_err_set(err, CB_EINVAL,
					"line %ld: pcv %ld, ckey %ld, pvalue %ld out of range (pcv 1..750, ckey 0..255, "
					"pcv + pvalue >= 0)", line, pcv, ckey, pv);
			goto out;
		}
		if (seen[(pcv - 1) * CB_PTABLE_KEYS + ckey]++) {
			rc = cb_err_set(err, CB_EINVAL, "line %ld: pcv %ld, ckey %ld given twice", line, pcv, ckey);
			goto out;
		}
		pt->dev[pcv - 1][ckey] = (int8_t)pv;
		rows++;
	}
	if (rows != (long)CB_PTABLE_ROWS * CB_PTABLE_KEYS) {
		rc = cb_err_set(err, CB_EINVAL, "%ld rows; every pcv 1..750 with every ckey 0..255 (192000 rows) "
				"is needed", rows);
		goto out;
	}
	*out = pt;
	pt = NULL;
	rc = CB_OK;
out:
	free(seen);
	cb_ptable_free(&pt);
	return rc;
}

int cb_ptable_write_csv(const struct cb_ptable *pt, FILE *f)
{
	fputs("\"pcv\",\"ckey\",\"pvalue\"\n", f);
	for (int r = 0; r < CB_PTABLE_ROWS; r++)
		for (int k = 0; k < CB_PTABLE_KEYS; k++)
			fprintf(f, "%d,%d,%d\n", r + 1, k, pt->dev[r][k]);
	return ferror(f) ? CB_EIO : CB_OK;
}

/* ---- meta: a generated table is kept as its parameters, an imported one run-length encoded */

int cb_ptable_save(struct cb_store *s, const struct cb_ptable *pt, struct cb_err *err)
{
	int rc;
	char buf[64];
	if (pt->generated) {
		if ((rc = cb_store_meta_set(s, "ptable.source", "generated", err)))
			return rc;
		snprintf(buf, sizeof buf, "%d", pt->params.d);
		if ((rc = cb_store_meta_set(s, "ptable.D", buf, err)))
			return rc;
		snprintf(buf, sizeof buf, "%.17g", pt->params.v);
		if ((rc = cb_store_meta_set(s, "ptable.V", buf, err)))
			return rc;
		snprintf(buf, sizeof buf, "%d", pt->params.js);
		return cb_store_meta_set(s, "ptable.js", buf, err);
	}
	struct cb_buf b = {0};
	const int8_t *v = &pt->dev[0][0];
	size_t n = (size_t)CB_PTABLE_ROWS * CB_PTABLE_KEYS;
	rc = CB_OK;
	for (size_t i = 0; i < n && rc == CB_OK;) {
		size_t j = i;
		while (j < n && v[j] == v[i])
			j++;
		rc = cb_buf_printf(&b, "%s%d*%zu", i ? "," : "", v[i], j - i);
		i = j;
	}
	if (rc == CB_OK && (rc = cb_store_meta_set(s, "ptable.data", b.data, err)) == CB_OK)
		rc = cb_store_meta_set(s, "ptable.source", "imported", err);
	else if (rc == CB_ENOMEM)
		cb_err_set(err, rc, "out of memory");
	cb_buf_free(&b);
	return rc;
}

static int meta_num(struct cb_store *s, const char *key, double *v)
{
	char *t = NULL, *e;
	if (cb_store_meta_get(s, key, &t) != CB_OK)
		return CB_ENOTFOUND;
	double x = strtod(t, &e);
	int rc = *t && !*e ? CB_OK : CB_ECORRUPT;
	free(t);
	if (rc == CB_OK)
		*v = x;
	return rc;
}

int cb_ptable_load(struct cb_store *s, struct cb_ptable **out, struct cb_err *err)
{
	char *src = NULL, *data = NULL;
	int rc;
	*out = NULL;
	cb_store_meta_get(s, "ptable.source", &src);
	if (src && strcmp(src, "imported") == 0) {
		free(src);
		if (cb_store_meta_get(s, "ptable.data", &data) != CB_OK)
			return cb_err_set(err, CB_ECORRUPT, "ptable: the imported table is missing from the database");
		struct cb_ptable *pt = calloc(1, sizeof *pt);
		if (!pt) {
			free(data);
			return cb_err_set(err, CB_ENOMEM, "out of memory");
		}
		int8_t *v = &pt->dev[0][0];
		size_t n = (size_t)CB_PTABLE_ROWS * CB_PTABLE_KEYS, o = 0;
		char *p = data;
		rc = CB_OK;
		while (*p && rc == CB_OK) {
			char *e;
			long x = strtol(p, &e, 10), cnt;
			if (*e != '*' || x < -127 || x > 127) {
				rc = CB_ECORRUPT;
				break;
			}
			cnt = strtol(e + 1, &e, 10);
			if (cnt <= 0 || (size_t)cnt > n - o || (*e && *e != ',')) {
				rc = CB_ECORRUPT;
				break;
			}
			memset(v + o, (int)x, (size_t)cnt);
			o += (size_t)cnt;
			p = *e ? e + 1 : e;
		}
		free(data);
		if (rc != CB_OK || o != n) {
			cb_ptable_free(&pt);
			return cb_err_set(err, CB_ECORRUPT, "ptable: the imported table in the database is damaged");
		}
		*out = pt;
		return CB_OK;
	}
	free(src);
	struct cb_ptable_params pp = {CB_PTABLE_DEFAULT_D, CB_PTABLE_DEFAULT_V, CB_PTABLE_DEFAULT_JS};
	double x;
	if ((rc = meta_num(s, "ptable.D", &x)) == CB_OK)
		pp.d = (int)x;
	if (rc != CB_ENOTFOUND && rc != CB_OK)
		return cb_err_set(err, rc, "ptable: damaged parameter D in the database");
	if ((rc = meta_num(s, "ptable.V", &x)) == CB_OK)
		pp.v = x;
	if (rc != CB_ENOTFOUND && rc != CB_OK)
		return cb_err_set(err, rc, "ptable: damaged parameter V in the database");
	if ((rc = meta_num(s, "ptable.js", &x)) == CB_OK)
		pp.js = (int)x;
	if (rc != CB_ENOTFOUND && rc != CB_OK)
		return cb_err_set(err, rc, "ptable: damaged parameter js in the database");
	return cb_ptable_generate(&pp, out, err);
}
