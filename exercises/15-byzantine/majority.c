/*
 * exercises/15-byzantine/majority.c: YOUR majority function for lab 15 (part 1).
 *
 * Read book/15-byzantine.md first. Replace the TODO(...) with your code, then run
 *   make check LAB=15
 * The contract is in labs/15-byzantine/lab.h.
 */
#include "lab.h"

uint8_t om_majority(const uint8_t *values, int count) {
  (void)values;
  (void)count;
  TODO("om_majority: the value more than half of values[0..count) hold, else OM_RETREAT");
}
