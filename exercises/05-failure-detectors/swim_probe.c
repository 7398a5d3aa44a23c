/*
 * exercises/05-failure-detectors/swim_probe.c: YOUR SWIM failure detector for lab 05 (part 3b):
 * round-robin probing, ping, ping-req through k helpers, acks (SWIM, Sections 3.1 and 4.3).
 *
 * Write part 3a (swim_membership.c) first: swim_on_period suspects a target through
 * swim_apply, and swim_send piggybacks with swim_piggyback. protocol.c applies a message's
 * piggybacked rumours before it calls your handler, and sets the next period's timer before
 * swim_on_period. Send with swim_send (it piggybacks rumours). The contracts are in
 * labs/05-failure-detectors/lab.h.
 */
#include "lab.h"

int swim_next_target(sim_node *n, swim_state *s) {
  (void)n;
  (void)s;
  TODO("swim_next_target: walk s->order; at its end rebuild it (others, not DEAD) and shuffle");
}

void swim_on_period(sim_node *n, fd_state *st) {
  (void)n;
  (void)st;
  TODO(
      "swim_on_period: suspect an unanswered target, then ping the next one and set the ping "
      "timeout");
}

void swim_on_ping_timeout(sim_node *n, fd_state *st, uint32_t seq) {
  (void)n;
  (void)st;
  (void)seq;
  TODO("swim_on_ping_timeout: still unanswered? PingReq to k distinct random helpers");
}

void swim_on_ping(sim_node *n, swim_state *s, int from, const swim_msg *m) {
  (void)n;
  (void)s;
  (void)from;
  (void)m;
  TODO("swim_on_ping: answer with an Ack echoing seq and requester");
}

void swim_on_ping_req(sim_node *n, swim_state *s, int from, const swim_msg *m) {
  (void)n;
  (void)s;
  (void)from;
  (void)m;
  TODO("swim_on_ping_req: ping the target on the requester's behalf");
}

void swim_on_ack(sim_node *n, swim_state *s, int from, const swim_msg *m) {
  (void)n;
  (void)s;
  (void)from;
  (void)m;
  TODO("swim_on_ack: mark the current probe acked, or forward the ack to its requester");
}
