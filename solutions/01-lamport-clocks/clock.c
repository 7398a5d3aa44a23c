/*
 * solutions/01-lamport-clocks/clock.c: the reference Lamport clock rules for lab 01 (part 1).
 *
 * Lamport 1978, section "Logical Clocks": IR1 "each process Pi increments Ci between any two
 * successive events"; IR2 (a) a message carries the sender's clock at the send as its timestamp Tm,
 * (b) on receipt the receiver sets its clock "greater than or equal to its present value and
 * greater than Tm". Taking the least such value, max(C, Tm) + 1, keeps clocks small.
 */
#include "lab.h"

uint64_t lamport_local(lamport_clock *c) { return ++c->time; }

uint64_t lamport_send(lamport_clock *c) { return ++c->time; }

uint64_t lamport_receive(lamport_clock *c, uint64_t msg_ts) {
  /* IR2(b), with IR1's tick for the receive event itself. */
  if (msg_ts > c->time) c->time = msg_ts;
  return ++c->time;
}
