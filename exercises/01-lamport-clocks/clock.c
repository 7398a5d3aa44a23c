/*
 * exercises/01-lamport-clocks/clock.c: YOUR Lamport clock rules for lab 01 (part 1).
 *
 * Read book/01-lamport-clocks.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=01
 * protocol.c calls these at fixed points: lamport_local before every local event, lamport_send
 * right before every send (the result is the message's timestamp), lamport_receive first thing
 * when a message arrives. The contracts are in labs/01-lamport-clocks/lab.h.
 */
#include "lab.h"

uint64_t lamport_local(lamport_clock *c) {
  (void)c;
  TODO("lamport_local: IR1, tick the clock by one and return the new value");
}

uint64_t lamport_send(lamport_clock *c) {
  (void)c;
  TODO("lamport_send: a send is an event: tick, and return the new value as the timestamp");
}

uint64_t lamport_receive(lamport_clock *c, uint64_t msg_ts) {
  (void)c;
  (void)msg_ts;
  TODO("lamport_receive: IR2, set the clock to max(clock, msg_ts) + 1 and return it");
}
