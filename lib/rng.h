/*
 * rng.h: seeded pseudo-random streams (xoshiro256**, seeded through splitmix64).
 *
 * Every source of randomness in a world is one of these streams, derived from the world's seed
 * and a stream number (network, nemesis, workload, one per node), so that adding a node or a
 * draw in one place never reshuffles the draws of another. Nothing here reads the OS.
 */
#ifndef CAUSEWAY_RNG_H
#define CAUSEWAY_RNG_H

#include <stdint.h>

typedef struct rng {
  uint64_t s[4]; /* xoshiro256** state; never all zero */
} rng;

/* Seed stream number `stream` of the world seed `seed`. Distinct (seed, stream) pairs give
 * independent-looking streams; the same pair always gives the same stream. */
void rng_seed(rng *r, uint64_t seed, uint64_t stream);

/* Return the next 64 random bits of the stream. */
uint64_t rng_next(rng *r);

/* Return a uniform integer in [0, bound). bound must be > 0. Unbiased (rejection sampling). */
uint64_t rng_below(rng *r, uint64_t bound);

/* Return a uniform double in [0, 1) with 53 random bits. */
double rng_unit(rng *r);

/* Return true with probability p (p <= 0 never, p >= 1 always). */
int rng_chance(rng *r, double p);

#endif
