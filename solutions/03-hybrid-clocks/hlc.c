/*
 * solutions/03-hybrid-clocks/hlc.c: the reference hybrid logical clock for lab 03 (part 1).
 *
 * Kulkarni, Demirbas, Madappa, Avva, Leone, "Logical Physical Clocks" (OPODIS 2014), Section 3,
 * Figure 5. A node keeps (l, c). l only ever takes a value some physical clock has read: its own
 * pt, or an l that arrived in a message. c tells apart the events that share one l, and starts
 * again at 0 whenever l moves up. Both rules first save the old l (the paper's l'), take the new
 * l as a maximum, and then decide c by which of the candidates the maximum came from.
 */
#include "lab.h"

hlc hlc_tick(hlc *clock, uint64_t pt) {
  /* Figure 5, "Send or local event": l := max(l', pt); c := c + 1 if l = l', else 0. */
  uint64_t old = clock->l;
  if (pt > old) {
    clock->l = pt;
    clock->c = 0;
  } else {
    clock->c++;
  }
  return *clock;
}

hlc hlc_receive(hlc *clock, hlc msg, uint64_t pt) {
  /* Figure 5, "Receive event of message m": l := max(l', l.m, pt); then c := max(c', c.m) + 1
   * if l = l' = l.m, c' + 1 if l = l' only, c.m + 1 if l = l.m only, and 0 if pt alone won. */
  uint64_t old_l = clock->l, old_c = clock->c;
  uint64_t l = old_l > msg.l ? old_l : msg.l;
  if (pt > l) l = pt;
  if (l == old_l && l == msg.l)
    clock->c = (old_c > msg.c ? old_c : msg.c) + 1;
  else if (l == old_l)
    clock->c = old_c + 1;
  else if (l == msg.l)
    clock->c = msg.c + 1;
  else
    clock->c = 0;
  clock->l = l;
  return *clock;
}

int hlc_compare(hlc a, hlc b) {
  /* The paper's order on timestamps: (l.e, c.e) < (l.f, c.f) lexicographically. */
  if (a.l != b.l) return a.l < b.l ? -1 : 1;
  if (a.c != b.c) return a.c < b.c ? -1 : 1;
  return 0;
}
