/*
 * exercises/02-vector-clocks/vclock.c: YOUR vector clock for lab 02 (part 1).
 *
 * Read book/02-vector-clocks.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=02
 * protocol.c calls vclock_tick before every local event and send, and vclock_merge then
 * vclock_tick when a message arrives. The contracts are in labs/02-vector-clocks/lab.h.
 */
#include "lab.h"

void vclock_tick(vclock *v, int self) {
  (void)v;
  (void)self;
  TODO("vclock_tick: add one to entry self, and only to it");
}

void vclock_merge(vclock *into, const vclock *other) {
  (void)into;
  (void)other;
  TODO("vclock_merge: every entry of into becomes the larger of the two; no tick");
}

vc_order vclock_compare(const vclock *a, const vclock *b) {
  (void)a;
  (void)b;
  TODO("vclock_compare: VC_EQUAL, VC_BEFORE, VC_AFTER or VC_CONCURRENT, entry by entry");
}
