/*
 * zcdp.c -- the privacy accounting of the discrete Gaussian: zero-concentrated DP (rho-zCDP) to and from
 * (eps, delta)-DP, and the variance that buys a given rho.  Separate from dgauss.c because it needs floating
 * point, which is harmless here: these are computations on public parameters, never on the noise.
 *
 * The conversion is the tight one of Canonne, Kamath, Steinke 2020 (Corollary 13):
 *   delta = inf_{a>1} exp((a-1)(a rho - eps)) / (a-1) * (1 - 1/a)^a.
 * Every a > 1 gives a valid bound, so an a found a little off the optimum only overstates delta.  The
 * logarithm of the bound has derivative (2a-1) rho - eps + log(1 - 1/a) in a, increasing, so bisection finds
 * the optimum.  eps and rho are bisections on delta, each keeping the end of its interval that is safe.
 */
#include <float.h>
#include <gmp.h>
#include <math.h>

#include "stats/dp.h"
#include "util/cb.h"

/* Enough halvings to exhaust a double's precision on any interval these functions bisect. */
#define BISECT_MAX 2000

/* Smallest a the search looks at: below it the bound is near 1 anyway, and log(a-1) loses precision. */
#define ALPHA_MIN 1.0001

double cb_zcdp_delta(double rho, double eps)
{
	if (isnan(rho) || isnan(eps) || rho < 0 || eps < 0)
		return NAN;
	if (rho == 0)
		return 0;
	if (isinf(rho))
		return 1;
	if (isinf(eps))
		return 0;
	double lo = ALPHA_MIN, hi = (eps + 1) / (2 * rho) + 2, a = lo;
	if ((2 * lo - 1) * rho - eps + log1p(-1 / lo) < 0) {
		for (int i = 0; i < BISECT_MAX; i++) {
			a = lo + (hi - lo) / 2;
			if (a <= lo || a >= hi)
				break;
			if ((2 * a - 1) * rho - eps + log1p(-1 / a) < 0)
				lo = a;
			else
				hi = a;
		}
		a = hi;
	}
	double t1 = (a - 1) * (a * rho - eps), t2 = a * log1p(-1 / a), t3 = log(a - 1);
	/* rounding in the exponent could understate delta by a few ulps of its terms: add them back */
	double slack = 64 * DBL_EPSILON * (fabs(t1) + fabs(t2) + fabs(t3) + 1);
	double delta = exp(t1 + t2 - t3 + slack);
	return delta < 1 ? delta : 1;
}

double cb_zcdp_eps(double rho, double delta)
{
	if (isnan(rho) || isnan(delta) || rho < 0 || delta < 0)
		return NAN;
	if (rho == 0 || delta >= 1)
		return 0;
	if (isinf(rho) || delta == 0)
		return INFINITY; /* zCDP never gives pure DP */
	double lo = 0, hi = rho + 2 * sqrt(rho * log(1 / delta)); /* the simple bound (Bun, Steinke 2016, Prop. 1.3) */
	if (cb_zcdp_delta(rho, lo) <= delta)
		return 0;
	for (int i = 0; i < 64 && !(cb_zcdp_delta(rho, hi) <= delta); i++)
		hi *= 2; /* only should the computed delta disagree with the bound */
	for (int i = 0; i < BISECT_MAX; i++) {
		double mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			break;
		if (cb_zcdp_delta(rho, mid) <= delta)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

double cb_zcdp_rho(double eps, double delta)
{
	if (isnan(eps) || isnan(delta) || eps < 0 || delta < 0)
		return NAN;
	if (delta >= 1 || isinf(eps))
		return INFINITY;
	if (delta == 0)
		return 0;
	double lo = 0, hi = eps + 1;
	for (int i = 0; i < 64 && cb_zcdp_delta(hi, eps) <= delta; i++)
		hi *= 2;
	for (int i = 0; i < BISECT_MAX; i++) {
		double mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			break;
		if (cb_zcdp_delta(mid, eps) <= delta)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* In rationals, because a variance rounded the wrong way by a float would give less privacy than asked. */
int cb_dgauss_sigma2_for(double rho, uint64_t sens2, uint64_t *num, uint64_t *den)
{
	int rc = CB_OK;
	mpq_t r;
	mpz_t x;
	mpq_init(r);
	mpz_init(x);
	if (!num || !den || !isfinite(rho) || !(rho > 0) || !sens2) {
		rc = CB_EINVAL;
		goto out;
	}
	/* num = ceil(sens2 2^20 / (2 rho)) = ceil(sens2 2^19 q / p) for rho = p/q (exact: mpq_set_d) */
	mpq_set_d(r, rho);
	mpz_import(x, 1, -1, sizeof sens2, 0, 0, &sens2);
	mpz_mul_2exp(x, x, 19);
	mpz_mul(x, x, mpq_denref(r));
	mpz_cdiv_q(x, x, mpq_numref(r));
	if (mpz_sizeinbase(x, 2) > 64) { /* sigma2 beyond 2^44: no useful release */
		rc = CB_EINVAL;
		goto out;
	}
	*num = 0;
	mpz_export(num, NULL, -1, sizeof *num, 0, 0, x);
	*den = (uint64_t)1 << 20;
out:
	mpq_clear(r);
	mpz_clear(x);
	return rc;
}

/* Exact, then rounded up: mpq_get_d truncates, and an understated rho would overspend the budget. */
double cb_dgauss_rho_of(uint64_t num, uint64_t den, uint64_t sens2)
{
	if (!num || !den)
		return INFINITY;
	mpq_t r, c;
	mpz_t t;
	mpq_inits(r, c, NULL);
	mpz_init(t);
	mpz_import(t, 1, -1, sizeof sens2, 0, 0, &sens2);
	mpz_import(mpq_numref(r), 1, -1, sizeof den, 0, 0, &den);
	mpz_mul(mpq_numref(r), mpq_numref(r), t);
	mpz_import(mpq_denref(r), 1, -1, sizeof num, 0, 0, &num);
	mpz_mul_2exp(mpq_denref(r), mpq_denref(r), 1);
	mpq_canonicalize(r);
	double rho = mpq_get_d(r);
	mpq_set_d(c, rho);
	if (mpq_cmp(c, r) < 0)
		rho = nextafter(rho, INFINITY);
	mpq_clears(r, c, NULL);
	mpz_clear(t);
	return rho;
}
