/*
 * exercises/02-vector-clocks/causal.c: YOUR causal broadcast for lab 02 (part 2).
 *
 * Write part 1 (vclock.c) first: vclock_merge is useful here. The network reorders and
 * duplicates messages but loses none. Helpers from lab.h: cb_deliver (record a delivery),
 * cb_send_all (send a message to every other node).
 */
#include "lab.h"

bool cb_deliverable(const vclock *delivered, const cb_msg *m) {
  (void)delivered;
  (void)m;
  TODO("cb_deliverable: next from its origin, and nothing it depends on missing here");
}

void cb_broadcast(sim_node *n, vc_state *s, cb_msg *m) {
  (void)n;
  (void)s;
  (void)m;
  TODO("cb_broadcast: count it in s->delivered, timestamp it, deliver it here, send it");
}

void cb_on_receive(sim_node *n, vc_state *s, const cb_msg *m) {
  (void)n;
  (void)s;
  (void)m;
  TODO("cb_on_receive: drop duplicates, hold back, then deliver all that became deliverable");
}
