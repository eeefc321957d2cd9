/*
 * dp.h -- differential privacy primitives: exact discrete Gaussian noise (dgauss.c) and zCDP accounting
 * (zcdp.c).  The release engine draws its noise and spends its budget through these and nothing else.
 *
 * A sampler is not thread safe (it keeps its GMP temporaries so that a draw allocates nothing): one per
 * thread.  It also keeps a pool of random bits: a process that forks makes a new sampler in the child, or
 * parent and child draw the same noise.
 */
#ifndef CB_DP_H
#define CB_DP_H

#include <stddef.h>
#include <stdint.h>

struct cb_dgauss; /* a sampler for one variance; holds GMP state */

/* sigma2 = num/den (> 0).  CB_EINVAL otherwise. */
int cb_dgauss_new(uint64_t sigma2_num, uint64_t sigma2_den, struct cb_dgauss **out);
void cb_dgauss_free(struct cb_dgauss **g);
/* One exact draw from the discrete Gaussian N_Z(0, sigma2): P[x] proportional to exp(-x^2/(2 sigma2)).
 * Entropy from libsodium (randombytes_uniform/randombytes_buf).  Integer and rational arithmetic only. */
int cb_dgauss_sample(struct cb_dgauss *g, int64_t *out);
/* Fills n draws (a release draws tens of thousands). */
int cb_dgauss_fill(struct cb_dgauss *g, int64_t *out, size_t n);

/* zCDP accounting (floating point is fine here: it is arithmetic on public parameters, not sampling). */
/* Tight conversion rho-zCDP -> (eps, delta)-DP: Canonne, Kamath, Steinke 2020, Proposition/Corollary on
 * conversion: delta = inf_{alpha>1} exp((alpha-1)(alpha*rho - eps)) / (alpha-1) * (1 - 1/alpha)^alpha.
 * cb_zcdp_delta gives delta for (rho, eps); cb_zcdp_eps gives the smallest eps for (rho, delta) by bisection;
 * cb_zcdp_rho gives the largest rho whose eps at delta is <= eps (bisection).  rho = 0 -> eps 0.
 * Every answer errs on the safe side (delta and eps up, rho down); arguments out of range give NAN. */
double cb_zcdp_delta(double rho, double eps);
double cb_zcdp_eps(double rho, double delta);
double cb_zcdp_rho(double eps, double delta);
/* The variance of the discrete Gaussian that gives rho-zCDP for a query of L2 sensitivity sqrt(sens2)
 * (sens2 an integer, the squared sensitivity): sigma2 = sens2 / (2 rho).  Returned as a rational
 * num/den with den = 2^20, num rounded UP so the privacy given is never less than asked. */
int cb_dgauss_sigma2_for(double rho, uint64_t sens2, uint64_t *num, uint64_t *den);
/* rho actually spent by a draw of variance num/den at squared sensitivity sens2: sens2 * den / (2 num).
 * Rounded up to the next double; INFINITY when num or den is 0. */
double cb_dgauss_rho_of(uint64_t num, uint64_t den, uint64_t sens2);

#endif
