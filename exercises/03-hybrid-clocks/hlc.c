/*
 * exercises/03-hybrid-clocks/hlc.c: YOUR hybrid logical clock for lab 03 (part 1).
 *
 * Read book/03-hybrid-clocks.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=03
 * protocol.c calls hlc_tick before every local event and every send (the result is the event's
 * timestamp, and goes into the message), and hlc_receive first thing when a message arrives.
 * pt is the node's physical clock in microseconds. The contracts are in
 * labs/03-hybrid-clocks/lab.h. The build treats warnings as errors; keep the `(void)x;` lines
 * until your code uses x.
 */
#include "lab.h"

hlc hlc_tick(hlc *clock, uint64_t pt) {
  (void)clock;
  (void)pt;
  TODO("hlc_tick: l = max(l, pt); c + 1 if l did not move, else 0; return the new clock");
}

hlc hlc_receive(hlc *clock, hlc msg, uint64_t pt) {
  (void)clock;
  (void)msg;
  (void)pt;
  TODO("hlc_receive: l = max(l, msg.l, pt); c from whichever of l and msg.l the new l equals");
}

int hlc_compare(hlc a, hlc b) {
  (void)a;
  (void)b;
  TODO("hlc_compare: order by l, then by c; negative, 0 or positive");
}
