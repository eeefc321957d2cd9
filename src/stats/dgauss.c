/*
 * dgauss.c -- exact sampling from the discrete Gaussian N_Z(0, sigma2), the noise of every differentially
 * private release.  Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential Privacy", Alg. 1-3.
 *
 * 1. Bernoulli(exp(-g)), g = n/d in [0,1]: K = 1; while Bernoulli(g/K) succeeds, K++; answer K odd.
 *    P[K > k] = g^k/k!, so P[K odd] = sum_k (-g)^k/k! = exp(-g).  For g > 1: floor(g) draws of
 *    Bernoulli(exp(-1)) and one of Bernoulli(exp(-(g - floor g))), all of which must succeed.
 * 2. Discrete Laplace, P[x] ~ exp(-|x|/t): U uniform in [0,t) kept with probability exp(-U/t), V the number
 *    of Bernoulli(exp(-1)) successes before a failure, X = U + tV (so P[X = x] ~ exp(-x/t)); a fair sign,
 *    redrawing (minus, 0) so that 0 is not counted twice.
 * 3. With t = floor(sigma) + 1, a Laplace candidate Y is kept with probability exp(-(|Y| - sigma2/t)^2 /
 *    (2 sigma2)).  exp(-|y|/t) times that is exp(-y^2/(2 sigma2)) times exp(-sigma2/(2 t^2)), a constant:
 *    kept candidates are exactly N_Z(0, sigma2).
 * Exactness: every probability above is a ratio of integers (sigma2 = N/D, so the exponent of step 3 is
 * (|y| D t - N)^2 / (2 N D t^2)), realised by comparing a uniform integer (rejection sampling on
 * libsodium's random bits, so no modulo bias) with an integer.
 * There is no rounding anywhere: 64-bit integers where they provably suffice, GMP where they might not.
 * This file holds no floating point at all (the Makefile builds it with -mgeneral-regs-only, and
 * tests/stats/test_dgauss.c disassembles it): floating noise leaks through its low bits (Mironov 2012).
 * The one departure: a Laplace candidate beyond INT64_MAX is redrawn (probability at most exp(1 - 2^31)).
 * A draw's running time depends on its value: nobody outside may time single draws.
 */
#include <gmp.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>

#include "stats/dp.h"
#include "util/cb.h"

#if GMP_NAIL_BITS != 0
#error "uniform_mpz fills whole limbs with random bits: GMP must have no nail bits"
#endif

struct cb_dgauss {
	mpz_t n, d;   /* sigma2 = n/d in lowest terms */
	mpz_t dt;     /* d t */
	mpz_t den;    /* 2 n d t^2: the denominator of every rejection exponent */
	uint64_t t;   /* floor(sqrt(sigma2)) + 1, the Laplace scale; at most 2^32 */
	/* the same as 64-bit integers, when all three fit: the common case takes no GMP call per draw */
	int small;
	uint64_t n64, dt64, den64;
	/* Random bits from libsodium, fetched 512 bytes at a time: Debian's libsodium makes one getrandom()
	 * system call per randombytes_* call (about 0.4 us), several times a draw's own cost. */
	uint64_t pool[64];
	size_t pos; /* words of pool used; CB_COUNTOF(pool) when it needs a refill */
	uint64_t bits;
	unsigned nbits;
	/* temporaries, kept so that a draw allocates nothing */
	mpz_t num, q, r, dk, u, m1, a, b;
};

static void set_u64(mpz_t z, uint64_t v)
{
#if ULONG_MAX >= UINT64_MAX
	mpz_set_ui(z, (unsigned long)v);
#else
	mpz_import(z, 1, -1, sizeof v, 0, 0, &v);
#endif
}

/* z as a uint64_t into *v; 0 if it does not fit (z is never negative here). */
static int get_u64(const mpz_t z, uint64_t *v)
{
	if (mpz_sizeinbase(z, 2) > 64)
		return 0;
#if ULONG_MAX >= UINT64_MAX
	*v = mpz_get_ui(z);
#else
	*v = 0;
	mpz_export(v, NULL, -1, sizeof *v, 0, 0, z);
#endif
	return 1;
}

/* The next 64 random bits, from the pool. */
static uint64_t next_word(struct cb_dgauss *g)
{
	if (g->pos == CB_COUNTOF(g->pool)) {
		randombytes_buf(g->pool, sizeof g->pool);
		g->pos = 0;
	}
	return g->pool[g->pos++];
}

/* k random bits, 1 <= k <= 64, as the low bits of the result.  g->bits holds g->nbits unused bits (the rest
 * of it 0), so a Bernoulli(1/2) costs one bit and not a word. */
static uint64_t take_bits(struct cb_dgauss *g, unsigned k)
{
	uint64_t x = g->bits, w;
	unsigned have = g->nbits, need;
	if (have >= k) {
		g->bits = k < 64 ? x >> k : 0;
		g->nbits = have - k;
		return k < 64 ? x & (((uint64_t)1 << k) - 1) : x;
	}
	w = next_word(g);
	need = k - have; /* the low `need` bits of w complete x */
	x |= w << have;  /* have < k <= 64 */
	g->bits = need < 64 ? w >> need : 0;
	g->nbits = 64 - need;
	return k < 64 ? x & (((uint64_t)1 << k) - 1) : x;
}

/* Uniform in [0, m), m >= 1, without modulo bias: as many bits as m - 1 has, redrawn while >= m (each try
 * succeeds with probability above 1/2). */
static uint64_t uniform_u64(struct cb_dgauss *g, uint64_t m)
{
	if (m <= 1)
		return 0;
	unsigned k = 64 - (unsigned)__builtin_clzll(m - 1);
	uint64_t x;
	do
		x = take_bits(g, k);
	while (x >= m);
	return x;
}

/* The same for any size: random limbs, the top one cut to the bit length of m - 1.  out must not be m or
 * g->m1. */
static void uniform_mpz(struct cb_dgauss *g, mpz_t out, const mpz_t m)
{
	uint64_t m64;
	if (get_u64(m, &m64)) {
		set_u64(out, uniform_u64(g, m64));
		return;
	}
	mpz_sub_ui(g->m1, m, 1);
	size_t bits = mpz_sizeinbase(g->m1, 2);
	mp_size_t limbs = (mp_size_t)((bits + GMP_NUMB_BITS - 1) / GMP_NUMB_BITS);
	unsigned top = (unsigned)(bits - (size_t)(limbs - 1) * GMP_NUMB_BITS);
	do {
		mp_limb_t *p = mpz_limbs_write(out, limbs);
		for (mp_size_t i = 0; i < limbs; i++)
			p[i] = (mp_limb_t)take_bits(g, i == limbs - 1 ? top : GMP_NUMB_BITS);
		mpz_limbs_finish(out, limbs);
	} while (mpz_cmp(out, m) >= 0);
}

/* Bernoulli(exp(-n/d)) for 0 <= n <= d, d > 0 (Algorithm 1), from round k on.  k cannot wrap: reaching
 * round k has probability 1/(k-1)!. */
static int bexp1_mpz(struct cb_dgauss *g, const mpz_t n, const mpz_t d, unsigned long k)
{
	for (;; k++) {
		mpz_mul_ui(g->dk, d, k); /* Bernoulli(n / (d k)) */
		uniform_mpz(g, g->u, g->dk);
		if (mpz_cmp(g->u, n) >= 0)
			return (int)(k & 1);
	}
}

/* The same in 64 bits; should d k overflow, the rounds go on in GMP. */
static int bexp1_u64(struct cb_dgauss *g, uint64_t n, uint64_t d)
{
	uint64_t dk = d;
	for (unsigned long k = 1;; k++) {
		if (uniform_u64(g, dk) >= n)
			return (int)(k & 1);
		if (__builtin_mul_overflow(d, (uint64_t)k + 1, &dk)) {
			set_u64(g->a, n);
			set_u64(g->b, d);
			return bexp1_mpz(g, g->a, g->b, k + 1);
		}
	}
}

/* Bernoulli(exp(-q - r/d)) for r < d: q draws of Bernoulli(exp(-1)), then Bernoulli(exp(-r/d)). */
static int bexp_u64(struct cb_dgauss *g, uint64_t q, uint64_t r, uint64_t d)
{
	for (; q; q--)
		if (!bexp1_u64(g, 1, 1))
			return 0;
	return bexp1_u64(g, r, d);
}

/* Bernoulli(exp(-num/den)) for num >= 0, den > 0, any size. */
static int bexp_mpz(struct cb_dgauss *g, const mpz_t num, const mpz_t den)
{
	uint64_t q, r, d;
	mpz_fdiv_qr(g->q, g->r, num, den);
	if (get_u64(g->q, &q) && get_u64(g->r, &r) && get_u64(den, &d))
		return bexp_u64(g, q, r, d);
	for (; mpz_sgn(g->q) > 0; mpz_sub_ui(g->q, g->q, 1))
		if (!bexp1_u64(g, 1, 1))
			return 0;
	return bexp1_mpz(g, g->r, den, 1);
}

/* A discrete Laplace draw of scale t (Algorithm 2) as a magnitude and a sign. */
static void dlaplace(struct cb_dgauss *g, uint64_t *mag, int *neg)
{
	const uint64_t t = g->t;
	for (;;) {
		uint64_t u = uniform_u64(g, t);
		if (!bexp1_u64(g, u, t))
			continue;
		uint64_t v = 0;
		while (bexp1_u64(g, 1, 1))
			v++;
		if (v > ((uint64_t)INT64_MAX - u) / t)
			continue; /* u + t v would not fit an int64_t: see the top of the file */
		*mag = u + t * v;
		*neg = (int)take_bits(g, 1);
		if (!(*neg && *mag == 0))
			return;
	}
}

int cb_dgauss_new(uint64_t sigma2_num, uint64_t sigma2_den, struct cb_dgauss **out)
{
	int rc = CB_OK;
	struct cb_dgauss *g = NULL;
	if (!out || !sigma2_num || !sigma2_den) {
		rc = CB_EINVAL;
		goto out;
	}
	/* randombytes_* would seed themselves; sodium_init makes a failed seeding an error here, not an abort
	 * in the middle of a release. */
	if (sodium_init() < 0) {
		rc = CB_EIO;
		goto out;
	}
	g = calloc(1, sizeof *g);
	if (!g) {
		rc = CB_ENOMEM;
		goto out;
	}
	g->pos = CB_COUNTOF(g->pool);
	mpz_inits(g->n, g->d, g->dt, g->den, g->num, g->q, g->r, g->dk, g->u, g->m1, g->a, g->b, NULL);
	set_u64(g->n, sigma2_num);
	set_u64(g->d, sigma2_den);
	/* lowest terms keep the exponents small (sigma2_for's den 2^20 often cancels) */
	mpz_gcd(g->a, g->n, g->d);
	mpz_divexact(g->n, g->n, g->a);
	mpz_divexact(g->d, g->d, g->a);
	/* floor(sqrt(n/d)) = floor(sqrt(floor(n/d))) */
	mpz_fdiv_q(g->a, g->n, g->d);
	mpz_sqrt(g->a, g->a);
	mpz_add_ui(g->a, g->a, 1);
	if (!get_u64(g->a, &g->t)) { /* t <= 2^32: cannot happen */
		rc = CB_EINVAL;
		goto out;
	}
	mpz_mul(g->dt, g->d, g->a);
	mpz_mul(g->den, g->dt, g->a);
	mpz_mul(g->den, g->den, g->n);
	mpz_mul_2exp(g->den, g->den, 1);
	g->small = get_u64(g->n, &g->n64) && get_u64(g->dt, &g->dt64) && get_u64(g->den, &g->den64);
	*out = g;
	g = NULL;
out:
	if (g)
		cb_dgauss_free(&g);
	return rc;
}

void cb_dgauss_free(struct cb_dgauss **g)
{
	if (!g || !*g)
		return;
	struct cb_dgauss *p = *g;
	mpz_clears(p->n, p->d, p->dt, p->den, p->num, p->q, p->r, p->dk, p->u, p->m1, p->a, p->b, NULL);
	sodium_memzero(p, sizeof *p); /* the pool holds the noise of draws not yet made */
	free(p);
	*g = NULL;
}

/* Whether to keep a Laplace candidate of magnitude mag: Bernoulli(exp(-(mag d t - n)^2 / (2 n d t^2))). */
static int keep(struct cb_dgauss *g, uint64_t mag)
{
	uint64_t x, x2;
	if (g->small && !__builtin_mul_overflow(mag, g->dt64, &x)) {
		x = x > g->n64 ? x - g->n64 : g->n64 - x;
		if (!__builtin_mul_overflow(x, x, &x2))
			return bexp_u64(g, x2 / g->den64, x2 % g->den64, g->den64);
	}
	set_u64(g->num, mag);
	mpz_mul(g->num, g->num, g->dt);
	mpz_sub(g->num, g->num, g->n);
	mpz_mul(g->num, g->num, g->num);
	return bexp_mpz(g, g->num, g->den);
}

/* Algorithm 3: Laplace candidates until one is kept. */
int cb_dgauss_sample(struct cb_dgauss *g, int64_t *out)
{
	uint64_t mag;
	int neg;
	if (!g || !out)
		return CB_EINVAL;
	do
		dlaplace(g, &mag, &neg);
	while (!keep(g, mag));
	*out = neg ? -(int64_t)mag : (int64_t)mag;
	return CB_OK;
}

int cb_dgauss_fill(struct cb_dgauss *g, int64_t *out, size_t n)
{
	int rc = CB_OK;
	if (!g || (!out && n)) {
		rc = CB_EINVAL;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = cb_dgauss_sample(g, &out[i])) != CB_OK)
			goto out;
out:
	return rc;
}
