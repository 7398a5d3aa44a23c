/*
 * solutions/15-byzantine/majority.c: the reference majority function of lab 15.
 *
 * Lamport, Shostak, Pease 1982, Section 3: OM(m) needs a majority function that returns the value
 * most of its arguments hold, and a fixed default when none does. The lab's default is RETREAT.
 */
#include "lab.h"

uint8_t om_majority(const uint8_t *values, int count) {
  /* With two values, counting one is enough: ATTACK wins only with more than half of all the
   * votes; anything else (a RETREAT majority, a tie, no votes) is RETREAT, the default. */
  int attack = 0;
  for (int i = 0; i < count; i++)
    if (values[i] == OM_ATTACK) attack++;
  return 2 * attack > count ? OM_ATTACK : OM_RETREAT;
}
