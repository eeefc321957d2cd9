/*
 * test_dgauss.c -- the discrete Gaussian sampler (src/stats/dgauss.c) and the zCDP accountant
 * (src/stats/zcdp.c).
 *
 * The sampler against the exact pmf: a chi-square goodness-of-fit test of 1,000,000 draws for each of
 * sigma2 = 1/4, 1, 37/3 and 400, single values binned where at least 5 draws are expected and each tail
 * pooled into one bin.  The p-value is the
 * regularized upper incomplete gamma function Q(df/2, chi2/2); a test rejects at p < 1e-4, so a correct
 * sampler fails one of these runs about once in 2,500.  The same statistic must reject draws at sigma2 = 1
 * against the pmf of sigma2 = 1.1, so it is known to have teeth.  Variances whose exponents need GMP,
 * mean, variance and symmetry, and the object's disassembly (no floating point in dgauss.c) follow.
 *
 * The accountant against values computed independently (Python, a golden-section search over alpha).
 */
#include <float.h>
#include <limits.h>
#include <math.h>

#include "cb_test.h"

#include "stats/dp.h"
#include "util/cb.h"

/* Draws per chi-square test (the sanitized build takes a few seconds for them too). */
#define DRAWS 1000000
#define P_REJECT 1e-4

/* ---- the exact pmf, the chi-square statistic and its p-value ---- */

/* P[X = x] of N_Z(0, sigma2) for 0 <= x <= maxx into p (by symmetry the same at -x).  Callers take maxx
 * >= 40 sigma: the mass beyond, below exp(-800), vanishes in long double. */
static void dgauss_pmf(long double sigma2, long maxx, long double *p)
{
	long double z = 0;
	for (long x = 0; x <= maxx; x++) {
		p[x] = expl(-(long double)x * x / (2 * sigma2));
		z += x ? 2 * p[x] : p[x];
	}
	for (long x = 0; x <= maxx; x++)
		p[x] /= z;
}

/* log Gamma and the regularized upper incomplete gamma Q(a, x) (series below a + 1, continued fraction
 * above, as in Numerical Recipes 6.2). */
static double gamma_q(double a, double x)
{
	if (x <= 0)
		return 1;
	double lg = lgamma(a);
	if (x < a + 1) {
		double ap = a, sum = 1 / a, del = sum;
		for (int n = 0; n < 100000 && fabs(del) > fabs(sum) * 1e-15; n++)
			sum += del *= x / ++ap;
		return 1 - sum * exp(-x + a * log(x) - lg);
	}
	double b = x + 1 - a, c = 1 / DBL_MIN, d = 1 / b, h = d;
	for (int i = 1; i < 100000; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < DBL_MIN)
			d = DBL_MIN;
		c = b + an / c;
		if (fabs(c) < DBL_MIN)
			c = DBL_MIN;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return exp(-x + a * log(x) - lg) * h;
}

static void test_gamma_q(void **state)
{
	(void)state;
	/* chi-square with 2 df: Q = exp(-x/2); with 1 df: Q = erfc(sqrt(x/2)) */
	assert_true(fabs(gamma_q(1, 3.0) - exp(-3.0)) < 1e-13);
	assert_true(fabs(gamma_q(0.5, 2.0) - erfc(sqrt(2.0))) < 1e-13);
	assert_true(fabs(gamma_q(0.5, 0.1) - erfc(sqrt(0.1))) < 1e-13);
	/* the 0.001 critical value of chi-square(100) is 149.449 (tables, to 3 decimals) */
	assert_true(fabs(gamma_q(50, 149.449 / 2) - 1e-3) < 1e-6);
}

struct fit {
	double chi2, p;
	int df;
};

/* Chi-square of n draws against the pmf of sigma2: bins -B..B and the two tails, B the largest value with
 * at least 5 expected draws both in B itself and in the tail beyond it. */
static struct fit chi_square(const int64_t *draws, size_t n, long double sigma2)
{
	long maxx = (long)(sqrtl(sigma2) * 40) + 10;
	long double *p = calloc((size_t)maxx + 1, sizeof *p);
	assert_non_null(p);
	dgauss_pmf(sigma2, maxx, p);
	long double tail = 0.5L * (1 - p[0]); /* P[X > b], for b = 0 first */
	long b = 0;
	while (b + 1 <= maxx && n * p[b + 1] >= 5 && n * (tail - p[b + 1]) >= 5)
		tail -= p[++b];
	assert_true(n * tail >= 5);
	size_t nbins = (size_t)(2 * b + 3);
	double *count = calloc(nbins, sizeof *count);
	assert_non_null(count);
	for (size_t i = 0; i < n; i++) {
		int64_t x = draws[i];
		size_t bin = x < -b ? 0 : x > b ? nbins - 1 : (size_t)(x + b + 1);
		count[bin]++;
	}
	struct fit f = {0, 0, (int)nbins - 1};
	for (size_t i = 0; i < nbins; i++) {
		long double e = n * (i == 0 || i == nbins - 1 ? tail : p[labs((long)i - b - 1)]);
		f.chi2 += (double)((count[i] - e) * (count[i] - e) / e);
	}
	f.p = gamma_q(f.df / 2.0, f.chi2 / 2);
	free(count);
	free(p);
	return f;
}

static int64_t *draw(uint64_t num, uint64_t den, size_t n)
{
	struct cb_dgauss *g = NULL;
	int64_t *x = malloc(n * sizeof *x);
	assert_non_null(x);
	assert_int_equal(cb_dgauss_new(num, den, &g), CB_OK);
	assert_int_equal(cb_dgauss_fill(g, x, n), CB_OK);
	cb_dgauss_free(&g);
	assert_null(g);
	return x;
}

static void check_fit(uint64_t num, uint64_t den)
{
	int64_t *x = draw(num, den, DRAWS);
	struct fit f = chi_square(x, DRAWS, (long double)num / den);
	print_message("sigma2 %llu/%llu: %d draws, chi2 %.1f, df %d, p %.3g\n", (unsigned long long)num,
		      (unsigned long long)den, DRAWS, f.chi2, f.df, f.p);
	assert_true(f.p >= P_REJECT);
	free(x);
}

static void test_fit_quarter(void **state)
{
	(void)state;
	check_fit(1, 4);
}

static void test_fit_one(void **state)
{
	(void)state;
	check_fit(1, 1);
}

static void test_fit_37_3(void **state)
{
	(void)state;
	check_fit(37, 3);
}

static void test_fit_400(void **state)
{
	(void)state;
	check_fit(400, 1);
}

/* A 10 % larger variance must be rejected by the same test, or the tests above prove nothing. */
static void test_fit_has_teeth(void **state)
{
	(void)state;
	int64_t *x = draw(1, 1, DRAWS);
	struct fit f = chi_square(x, DRAWS, 1.1L);
	print_message("sigma2 1 against the pmf of 1.1: chi2 %.1f, df %d, p %.3g\n", f.chi2, f.df, f.p);
	assert_true(f.p < P_REJECT);
	free(x);
}

/* Mean 0, variance that of the pmf, as many positive as negative draws: each within 5 standard errors. */
static void check_moments(const int64_t *x, size_t n, long double sigma2)
{
	long maxx = (long)(sqrtl(sigma2) * 40) + 10;
	long double *p = calloc((size_t)maxx + 1, sizeof *p);
	assert_non_null(p);
	dgauss_pmf(sigma2, maxx, p);
	long double var = 0, m4 = 0;
	for (long k = 1; k <= maxx; k++) {
		var += 2 * p[k] * k * k;
		m4 += 2 * p[k] * k * k * k * k;
	}
	long double sum = 0, sum2 = 0;
	size_t pos = 0, neg = 0;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		sum2 += (long double)x[i] * x[i];
		pos += x[i] > 0;
		neg += x[i] < 0;
	}
	long double mean = sum / n, svar = sum2 / n;
	assert_true(fabsl(mean) < 5 * sqrtl(var / n));
	assert_true(fabsl(svar - var) < 5 * sqrtl((m4 - var * var) / n));
	assert_true(fabsl((long double)pos - neg) < 5 * sqrtl((long double)(pos + neg)));
	free(p);
}

static void test_moments(void **state)
{
	(void)state;
	const uint64_t v[][2] = {{1, 4}, {1, 1}, {37, 3}, {400, 1}, {100, 1}};
	for (size_t i = 0; i < CB_COUNTOF(v); i++) {
		int64_t *x = draw(v[i][0], v[i][1], DRAWS / 4);
		check_moments(x, DRAWS / 4, (long double)v[i][0] / v[i][1]);
		free(x);
	}
}

/* Variances whose rejection exponents outgrow 64 bits (2 n d t^2 near 2^131 here), so the GMP paths run. */
static void test_big_rationals(void **state)
{
	(void)state;
	size_t n = DRAWS / 5;
	/* sigma2 = (2^64 - 1)/(2^64 - 3), within 1e-19 of 1: the pmf of 1 fits */
	int64_t *x = draw(UINT64_MAX, UINT64_MAX - 2, n);
	struct fit f = chi_square(x, n, 1);
	print_message("sigma2 (2^64-1)/(2^64-3): %zu draws, chi2 %.1f, df %d, p %.3g\n", n, f.chi2, f.df, f.p);
	assert_true(f.p >= P_REJECT);
	check_moments(x, n, 1);
	free(x);
	/* Large variances, checked by mean, variance and sign balance against the continuous Gaussian (whose
	 * moments differ from the discrete ones by far less than the tolerance at these sigmas): 3e9, where
	 * 2 n d t^2 lies between 2^63 and 2^64 so that (2 n d t^2) k overflows; 2^40 + 1 over 3; the largest
	 * there is, whose Laplace scale t is 2^32. */
	const uint64_t v[][2] = {{3000000000, 1}, {((uint64_t)1 << 40) + 1, 3}, {UINT64_MAX, 7}, {UINT64_MAX, 1}};
	for (size_t i = 0; i < CB_COUNTOF(v); i++) {
		long double s2 = (long double)v[i][0] / v[i][1], sum = 0, sum2 = 0;
		size_t pos = 0, neg = 0;
		x = draw(v[i][0], v[i][1], n / 4);
		for (size_t j = 0; j < n / 4; j++) {
			sum += x[j];
			sum2 += (long double)x[j] * x[j];
			pos += x[j] > 0;
			neg += x[j] < 0;
		}
		long double m = n / 4;
		assert_true(fabsl(sum / m) < 5 * sqrtl(s2 / m));
		assert_true(fabsl(sum2 / m - s2) < 5 * sqrtl(2 * s2 * s2 / m));
		assert_true(fabsl((long double)pos - neg) < 5 * sqrtl((long double)(pos + neg)));
		free(x);
	}
}

/* sigma2 = 2^-20: anything but 0 has probability below exp(-2^19). */
static void test_tiny_variance(void **state)
{
	(void)state;
	int64_t *x = draw(1, (uint64_t)1 << 20, 10000);
	for (size_t i = 0; i < 10000; i++)
		assert_int_equal(x[i], 0);
	free(x);
}

static void test_arguments(void **state)
{
	(void)state;
	struct cb_dgauss *g = NULL;
	int64_t x[3] = {INT64_MIN, INT64_MIN, INT64_MIN};
	assert_int_equal(cb_dgauss_new(0, 1, &g), CB_EINVAL);
	assert_int_equal(cb_dgauss_new(1, 0, &g), CB_EINVAL);
	assert_int_equal(cb_dgauss_new(1, 1, NULL), CB_EINVAL);
	assert_null(g);
	assert_int_equal(cb_dgauss_sample(NULL, x), CB_EINVAL);
	assert_int_equal(cb_dgauss_new(1000000, 1, &g), CB_OK);
	assert_int_equal(cb_dgauss_sample(g, NULL), CB_EINVAL);
	assert_int_equal(cb_dgauss_fill(g, NULL, 1), CB_EINVAL);
	assert_int_equal(cb_dgauss_fill(g, NULL, 0), CB_OK);
	assert_int_equal(cb_dgauss_fill(g, x, 2), CB_OK);
	assert_true(x[0] != INT64_MIN && x[1] != INT64_MIN); /* sigma 1000: INT64_MIN is out of reach */
	assert_int_equal(x[2], INT64_MIN);                    /* and nothing beyond n */
	cb_dgauss_free(&g);
	assert_null(g);
	cb_dgauss_free(&g);
	cb_dgauss_free(NULL);
}

/* ---- zCDP ---- */

static void test_zcdp_known(void **state)
{
	(void)state;
	/* eps for (rho, delta), and delta for (rho, eps), from an independent computation */
	const double v[][3] = {{0.5, 1e-6, 5.22153444453017},
			       {0.1, 1e-6, 2.141938928385474},
			       {1, 1e-5, 7.0771966958063395},
			       {0.01, 1e-9, 0.8101744678675343},
			       {2, 1e-6, 11.688596249354894}};
	for (size_t i = 0; i < CB_COUNTOF(v); i++) {
		double eps = cb_zcdp_eps(v[i][0], v[i][1]);
		assert_true(fabs(eps - v[i][2]) < 1e-7 * v[i][2]);
		assert_true(cb_zcdp_delta(v[i][0], eps) <= v[i][1]); /* eps errs on the safe side */
		/* below the simple bound rho + 2 sqrt(rho ln(1/delta)) (Bun, Steinke 2016, Prop. 1.3) */
		assert_true(eps < v[i][0] + 2 * sqrt(v[i][0] * log(1 / v[i][1])) - 0.1);
	}
	assert_true(fabs(cb_zcdp_delta(0.5, 5.0) / 2.896122809384797e-06 - 1) < 1e-7);
	assert_true(fabs(cb_zcdp_delta(0.1, 1.0) / 0.008933245771818376 - 1) < 1e-7);
	/* degenerate and invalid */
	assert_true(cb_zcdp_eps(0, 1e-6) == 0);
	assert_true(cb_zcdp_delta(0, 0) == 0);
	assert_true(cb_zcdp_eps(1, 0) == INFINITY);
	assert_true(cb_zcdp_eps(1, 1) == 0);
	assert_true(cb_zcdp_rho(1, 0) == 0);
	/* the bound tends to 1 as alpha -> 1, so delta never exceeds 1; large rho at eps 0 comes close */
	assert_true(cb_zcdp_delta(5, 0) > 0.99 && cb_zcdp_delta(5, 0) <= 1);
	assert_true(cb_zcdp_delta(INFINITY, 1) == 1);
	assert_true(isnan(cb_zcdp_eps(-1, 1e-6)));
	assert_true(isnan(cb_zcdp_delta(1, -1)));
	assert_true(isnan(cb_zcdp_rho(NAN, 1e-6)));
}

static void test_zcdp_monotone(void **state)
{
	(void)state;
	double prev = 0;
	for (double rho = 0.001; rho < 20; rho *= 1.5) {
		double eps = cb_zcdp_eps(rho, 1e-6);
		assert_true(eps > prev);
		assert_true(eps < rho + 2 * sqrt(rho * log(1e6)));
		assert_true(cb_zcdp_eps(rho, 1e-8) > eps); /* smaller delta costs more eps */
		prev = eps;
	}
	prev = 1;
	for (double eps = 0.05; eps < 30; eps *= 1.5) {
		double d = cb_zcdp_delta(1, eps);
		assert_true(d < prev || d == 0);
		prev = d;
	}
	prev = 0;
	for (double eps = 0.05; eps < 30; eps *= 1.5) {
		double rho = cb_zcdp_rho(eps, 1e-6);
		assert_true(rho > prev);
		prev = rho;
	}
}

/* eps -> rho -> eps comes back, and every step is on the safe side. */
static void test_zcdp_round_trip(void **state)
{
	(void)state;
	const double eps[] = {0.01, 0.1, 0.5, 1, 3, 10, 40}, delta[] = {1e-3, 1e-5, 1e-6, 1e-9, 1e-12};
	for (size_t i = 0; i < CB_COUNTOF(eps); i++)
		for (size_t j = 0; j < CB_COUNTOF(delta); j++) {
			double rho = cb_zcdp_rho(eps[i], delta[j]);
			assert_true(rho > 0);
			assert_true(cb_zcdp_delta(rho, eps[i]) <= delta[j]);
			double back = cb_zcdp_eps(rho, delta[j]);
			assert_true(fabs(back - eps[i]) < 1e-9 * eps[i]);
			/* and rho is the largest: a little more is too much */
			assert_true(cb_zcdp_delta(rho * (1 + 1e-9), eps[i]) > delta[j]);
		}
}

/* sigma2_for rounds up to the smallest num that gives at most rho; rho_of rounds up. */
static void test_sigma2_for(void **state)
{
	(void)state;
	uint64_t num = 0, den = 0;
	assert_int_equal(cb_dgauss_sigma2_for(0.5, 1, &num, &den), CB_OK);
	assert_true(num == (uint64_t)1 << 20 && den == (uint64_t)1 << 20); /* sigma2 = 1 exactly */
	assert_true(cb_dgauss_rho_of(num, den, 1) == 0.5);
	/* 0.3 as a double is 0.29999999999999998890: 2^20 / 0.6 = 1747626.67 -> 1747627 */
	assert_int_equal(cb_dgauss_sigma2_for(0.3, 1, &num, &den), CB_OK);
	assert_true(num == 1747627);
	const double rhos[] = {1e-6, 0.001, 0.01, 0.0123456789, 0.1, 0.3, 1.0 / 3, 0.5, 0.7, 1, 2.5, 10, 123.456};
	const uint64_t sens[] = {1, 2, 3, 7, 50, 1000};
	for (size_t i = 0; i < CB_COUNTOF(rhos); i++)
		for (size_t j = 0; j < CB_COUNTOF(sens); j++) {
			assert_int_equal(cb_dgauss_sigma2_for(rhos[i], sens[j], &num, &den), CB_OK);
			assert_true(den == (uint64_t)1 << 20);
			assert_true(cb_dgauss_rho_of(num, den, sens[j]) <= rhos[i]);
			assert_true(cb_dgauss_rho_of(num - 1, den, sens[j]) > rhos[i]); /* num is the smallest */
		}
	/* rho_of rounds up: 1/6 and 1/7 are no doubles; the result is the double just above */
	const uint64_t q[] = {3, 7, 11, 1000003};
	for (size_t i = 0; i < CB_COUNTOF(q); i++) {
		double r = cb_dgauss_rho_of(q[i], 1, 1); /* 1/(2q) */
		assert_true(fma(r, 2.0 * q[i], -1) > 0);
		assert_true(fma(nextafter(r, 0), 2.0 * q[i], -1) < 0);
	}
	assert_true(cb_dgauss_rho_of(0, 1, 1) == INFINITY);
	assert_true(cb_dgauss_rho_of(1, 0, 1) == INFINITY);
	assert_true(cb_dgauss_rho_of(5, 1, 0) == 0);
	assert_int_equal(cb_dgauss_sigma2_for(0, 1, &num, &den), CB_EINVAL);
	assert_int_equal(cb_dgauss_sigma2_for(-1, 1, &num, &den), CB_EINVAL);
	assert_int_equal(cb_dgauss_sigma2_for(NAN, 1, &num, &den), CB_EINVAL);
	assert_int_equal(cb_dgauss_sigma2_for(INFINITY, 1, &num, &den), CB_EINVAL);
	assert_int_equal(cb_dgauss_sigma2_for(1, 0, &num, &den), CB_EINVAL);
	assert_int_equal(cb_dgauss_sigma2_for(1e-30, 1, &num, &den), CB_EINVAL); /* num beyond 2^64 */
	assert_int_equal(cb_dgauss_sigma2_for(1, 1, NULL, &den), CB_EINVAL);
	/* a draw at sigma2_for's variance works */
	struct cb_dgauss *g = NULL;
	int64_t x;
	assert_int_equal(cb_dgauss_sigma2_for(0.3, 1, &num, &den), CB_OK);
	assert_int_equal(cb_dgauss_new(num, den, &g), CB_OK);
	assert_int_equal(cb_dgauss_sample(g, &x), CB_OK);
	cb_dgauss_free(&g);
}

/* ---- no floating point in dgauss.o ---- */

static int is_math_call(const char *name)
{
	static const char *const fns[] = {"exp",   "exp2",  "expm1", "log",  "log2",  "log10", "log1p",
					  "sqrt",  "cbrt",  "pow",   "hypot", "lgamma", "erf", "erfc",
					  "floor", "ceil",  "round", "trunc", "ldexp", "frexp", "fma"};
	static const char *const soft[] = {"add", "sub", "mul", "div", "neg", "float", "fix", "extend", "trunc",
					   "cmp", "eq",  "ne",  "lt",  "le",  "gt",    "ge",  "unord"};
	char base[128];
	size_t n = strcspn(name, "@+-");
	if (n == 0 || n >= sizeof base)
		return 0;
	memcpy(base, name, n);
	base[n] = 0;
	if (strstr(base, "float_cast")) /* UBSan's check of a float conversion */
		return 1;
	for (size_t i = 0; i < CB_COUNTOF(fns); i++) {
		size_t l = strlen(fns[i]);
		if (!strncmp(base, fns[i], l) && (!base[l] || (strchr("fl", base[l]) && !base[l + 1])))
			return 1;
	}
	/* libgcc's soft float: __adddf3, __floatdisf, __fixtfdi... */
	if (!strncmp(base, "__", 2))
		for (size_t i = 0; i < CB_COUNTOF(soft); i++)
			if (!strncmp(base + 2, soft[i], strlen(soft[i])) &&
			    (strstr(base, "sf") || strstr(base, "df") || strstr(base, "xf") || strstr(base, "tf")))
				return 1;
	return 0;
}

/* Whether a line of `objdump -d -r -t` shows floating point: an SSE/x87/MMX register, an x87 or SSE
 * mnemonic, or a reference to a math function. */
static int float_line(const char *line)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", line);
	buf[strcspn(buf, "\n")] = 0;
	if (strstr(buf, "*UND*") || strstr(buf, "R_X86_64_") || strstr(buf, "R_386_")) {
		const char *last = strrchr(buf, ' '), *tab = strrchr(buf, '\t');
		if (!last || (tab && tab > last))
			last = tab;
		return last && is_math_call(last + 1);
	}
	/* an instruction: "  addr:\tbytes\tmnemonic operands" */
	char *t1 = strchr(buf, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	if (!t2 || !strchr(buf, ':') || strchr(buf, ':') > t1)
		return 0;
	char *ins = t2 + 1;
	if (strstr(ins, "%xmm") || strstr(ins, "%ymm") || strstr(ins, "%zmm") || strstr(ins, "%st") ||
	    strstr(ins, "%mm") || strstr(ins, "mxcsr"))
		return 1;
	static const char *const prefixes[] = {"rep",  "repz", "repnz", "repe", "repne", "lock", "notrack",
					       "bnd",  "data16", "addr32", "cs",   "ds",    "es",   "fs",
					       "gs",   "ss"};
	char *m = strtok(ins, " ");
	for (int again = 1; m && again;) {
		again = 0;
		for (size_t i = 0; i < CB_COUNTOF(prefixes); i++)
			if (!strcmp(m, prefixes[i]) || !strncmp(m, "rex", 3)) {
				m = strtok(NULL, " ");
				again = 1;
				break;
			}
	}
	if (!m)
		return 0;
	size_t l = strlen(m);
	if (m[0] == 'f' || !strncmp(m, "cvt", 3))
		return 1;
	if (l > 3 && (!strcmp(m + l - 2, "ss") || !strcmp(m + l - 2, "sd") || !strcmp(m + l - 2, "ps") ||
		      !strcmp(m + l - 2, "pd")))
		return 1;
	return 0;
}

static void test_float_line_detects(void **state)
{
	(void)state;
	const char *bad[] = {
		"  1f:\tf2 0f 59 c1          \tmulsd  %xmm1,%xmm0",
		"   0:\tdd 04 24             \tfldl   (%rsp)",
		"   4:\tde c9                \tfmulp  %st,%st(1)",
		"  2a:\tf2 48 0f 2a c0       \tcvtsi2sd %rax,%xmm0",
		"  30:\t66 0f ef c0          \tpxor   %xmm0,%xmm0",
		"\t\t\t2b: R_X86_64_PLT32\texp-0x4",
		"\t\t\t2b: R_X86_64_PLT32\tsqrtl-0x4",
		"\t\t\t40: R_X86_64_PLT32\t__muldf3-0x4",
		"0000000000000000         *UND*\t0000000000000000 log",
		"0000000000000000         *UND*\t0000000000000000 pow",
	};
	const char *good[] = {
		"  10:\t48 89 e5             \tmov    %rsp,%rbp",
		"   5:\t64 48 8b 04 25 28 00 00 00 \tmov    %fs:0x28,%rax",
		"  20:\tf3 48 ab             \trep stos %rax,%es:(%rdi)",
		"  30:\t2e 0f 1f 84 00 00 00 00 00 \tcs nopw 0x0(%rax,%rax,1)",
		"\t\t\t2b: R_X86_64_PLT32\t__gmpz_mul-0x4",
		"\t\t\t2b: R_X86_64_PLT32\trandombytes_buf-0x4",
		"0000000000000000         *UND*\t0000000000000000 explicit_bzero",
		"0000000000000000         *UND*\t0000000000000000 __ubsan_handle_add_overflow",
		"Disassembly of section .text:",
	};
	for (size_t i = 0; i < CB_COUNTOF(bad); i++)
		if (!float_line(bad[i]))
			fail_msg("not caught: %s", bad[i]);
	for (size_t i = 0; i < CB_COUNTOF(good); i++)
		if (float_line(good[i]))
			fail_msg("caught wrongly: %s", good[i]);
}

/* dgauss.o beside this test binary: build/tests/stats/test_dgauss -> build/src/stats/dgauss.o (and the
 * same under build/san/), or $CB_DGAUSS_OBJ. */
static const char *dgauss_obj(void)
{
	static char path[4096];
	const char *env = getenv("CB_DGAUSS_OBJ");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 64);
	if (n <= 0)
		return "build/src/stats/dgauss.o";
	path[n] = 0;
	for (int up = 0; up < 3; up++) { /* test_dgauss, stats, tests */
		char *slash = strrchr(path, '/');
		if (slash)
			*slash = 0;
	}
	strcat(path, "/src/stats/dgauss.o");
	return path;
}

static void test_no_float(void **state)
{
	(void)state;
#if !defined(__x86_64__)
	skip(); /* the mnemonics below are x86-64's */
#endif
	if (system("command -v objdump >/dev/null 2>&1") != 0) {
		print_message("objdump missing: the disassembly is not checked\n");
		skip();
	}
	const char *obj = dgauss_obj();
	struct stat st;
	if (stat(obj, &st) != 0)
		fail_msg("%s not found (set CB_DGAUSS_OBJ)", obj);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "objdump -d -r -t '%s'", obj);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	char line[512];
	int insns = 0, sample = 0, bad = 0;
	while (fgets(line, sizeof line, f)) {
		if (strstr(line, "<cb_dgauss_sample"))
			sample = 1;
		if (line[0] == ' ' && strchr(line, ':') && strchr(line, '\t'))
			insns++;
		if (float_line(line)) {
			print_message("floating point in %s: %s", obj, line);
			bad++;
		}
	}
	assert_int_equal(pclose(f), 0);
	print_message("%s: %d instructions, %d with floating point\n", obj, insns, bad);
	assert_true(sample);     /* it was the sampler that got read */
	assert_true(insns > 200);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gamma_q),          cmocka_unit_test(test_fit_quarter),
		cmocka_unit_test(test_fit_one),          cmocka_unit_test(test_fit_37_3),
		cmocka_unit_test(test_fit_400),          cmocka_unit_test(test_fit_has_teeth),
		cmocka_unit_test(test_moments),          cmocka_unit_test(test_big_rationals),
		cmocka_unit_test(test_tiny_variance),    cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_zcdp_known),       cmocka_unit_test(test_zcdp_monotone),
		cmocka_unit_test(test_zcdp_round_trip),  cmocka_unit_test(test_sigma2_for),
		cmocka_unit_test(test_float_line_detects), cmocka_unit_test(test_no_float),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
