/* rng.h - a small seedable random number generator (xoshiro256**)
 *
 * Deterministic across machines for the same seed, so runs reproduce.
 */
#ifndef HPO_RNG_H
#define HPO_RNG_H

#include <stdint.h>

struct hpo_rng {
	uint64_t s[4];
};

/* Seed from one 64-bit value (expanded with splitmix64). */
void hpo_rng_seed(struct hpo_rng *r, uint64_t seed);
/* Seed from a stream key: (seed, stream) pairs give independent sequences,
 * e.g. one per point so that point N is the same however it is reached. */
void hpo_rng_seed2(struct hpo_rng *r, uint64_t seed, uint64_t stream);
uint64_t hpo_rng_next(struct hpo_rng *r);
/* Uniform in [0, 1). */
double hpo_rng_uniform(struct hpo_rng *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t hpo_rng_below(struct hpo_rng *r, uint64_t n);
/* Standard normal deviate. */
double hpo_rng_normal(struct hpo_rng *r);

#endif
