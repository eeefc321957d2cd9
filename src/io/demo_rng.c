/*
 * demo_rng.c -- the demo data's random numbers: one xoshiro256** stream (seeded through splitmix64) rather
 * than rand(), because rand() differs between C libraries and machines and the same seed must give the same
 * demo database everywhere.  Shared by the cases (demo.c), their assistance (demo_assist.c) and the planted
 * duplicates.
 */
#include "io/io.h"

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void cb_demo_rng_seed(struct cb_demo_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t cb_demo_next(struct cb_demo_rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* A number in [0, n): multiply-shift, the same on every machine. */
uint32_t cb_demo_below(struct cb_demo_rng *r, uint32_t n) { return (uint32_t)(((cb_demo_next(r) >> 32) * n) >> 32); }
bool cb_demo_chance(struct cb_demo_rng *r, unsigned permille) { return cb_demo_below(r, 1000) < permille; }
int32_t cb_demo_between(struct cb_demo_rng *r, int32_t lo, int32_t hi)
{
	return lo + (int32_t)cb_demo_below(r, (uint32_t)(hi - lo + 1));
}

int cb_demo_pick(struct cb_demo_rng *r, const uint16_t *w, int n)
{
	uint32_t total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	uint32_t x = cb_demo_below(r, total);
	int i = 0;
	while (x >= w[i])
		x -= w[i++];
	return i;
}
