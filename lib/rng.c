/*
 * rng.c: xoshiro256** (Blackman and Vigna, 2018) seeded by splitmix64.
 *
 * The seed and the stream number are mixed through splitmix64 to fill the four state words, as
 * the xoshiro authors recommend, so that nearby seeds do not give correlated streams.
 */
#include "rng.h"

#include <assert.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rotate_left(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(rng *r, uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL) ^ 0x5851f42d4c957f2dULL;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
  if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1;
}

uint64_t rng_next(rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotate_left(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotate_left(s[3], 45);
  return result;
}

uint64_t rng_below(rng *r, uint64_t bound) {
  assert(bound > 0);
  /* Reject the top sliver of the range that would make small values more likely. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do x = rng_next(r);
  while (x >= limit);
  return x % bound;
}

double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

int rng_chance(rng *r, double p) {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return rng_unit(r) < p;
}
