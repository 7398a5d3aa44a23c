/*
 * solutions/15-byzantine/majority.c: the reference majority function of lab 15.
 *
 * Lamport, Shostak, Pease 1982, Section 3: OM(m) needs a majority function that returns the value
 * most of its arguments hold, and a fixed default when none does. The lab's default is RETREAT.
 */
#include "lab.h"

uint8_t om_majority(const uint8_t *values, int count) {
  /* Count ATTACK votes; a value wins only with more than half of all the votes. */
  int attack = 0, retreat = 0;
  for (int i = 0; i < count; i++) {
    if (values[i] == OM_ATTACK)
      attack++;
    else if (values[i] == OM_RETREAT)
      retreat++;
  }
  if (2 * attack > count) return OM_ATTACK;
  if (2 * retreat > count) return OM_RETREAT;
  return OM_RETREAT; /* no majority: the default */
}
