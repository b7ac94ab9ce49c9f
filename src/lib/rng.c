/* rng.c - xoshiro256** seeded through splitmix64 */
#include "autoconf.h"

#include <math.h>

#include "rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
hpo_rng_seed(struct hpo_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

void
hpo_rng_seed2(struct hpo_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;
	uint64_t mixed = splitmix64(&x) ^ (stream * 0xd1b54a32d192ed03ULL);

	hpo_rng_seed(r, mixed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
hpo_rng_next(struct hpo_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
hpo_rng_uniform(struct hpo_rng *r)
{
	return (double)(hpo_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
hpo_rng_below(struct hpo_rng *r, uint64_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = hpo_rng_next(r);
	while (x >= limit);
	return x % n;
}

double
hpo_rng_normal(struct hpo_rng *r)
{
	/* Box-Muller; u1 in (0, 1] so log is finite */
	double u1 = 1.0 - hpo_rng_uniform(r);
	double u2 = hpo_rng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
