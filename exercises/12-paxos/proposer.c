/*
 * exercises/12-paxos/proposer.c: YOUR single-decree proposer for lab 12 (part 2), and the
 * ballots every proposer and leader uses.
 *
 * Write part 1 (acceptor.c) first. Replace each TODO(...) with your code, then run
 *   make check LAB=12
 * The contracts are in labs/12-paxos/lab.h. Your state is s->prop; s->highest_seen and
 * s->max_round are kept for you. protocol.c calls proposer_start for every attempt, and after a
 * failed attempt (proposer_on_nack set the phase to IDLE, or the attempt timed out) waits
 * proposer_backoff before the next one. Helpers: sim_self (this node's id, for a ballot),
 * sim_stable_write, px_send_to_acceptors, px_majority, sim_random_below.
 */
#include <stddef.h>

#include "lab.h"

px_ballot px_next_ballot(sim_node *n, px_state *s) {
  (void)n;
  (void)s;
  TODO("px_next_ballot: a round above all seen and used, on disk first; (round, self)");
}

void proposer_start(sim_node *n, px_state *s) {
  (void)n;
  (void)s;
  TODO("proposer_start: new ballot, reset the attempt, PREPARING, Prepare to every acceptor");
}

void proposer_on_promise(sim_node *n, px_state *s, int from, const px_promise_body *p) {
  (void)n;
  (void)s;
  (void)from;
  (void)p;
  TODO("proposer_on_promise: count distinct promises; at a majority Accept the right value");
}

void proposer_on_nack(sim_node *n, px_state *s, int from, const px_nack_body *k) {
  (void)n;
  (void)s;
  (void)from;
  (void)k;
  TODO("proposer_on_nack: a Nack of this ballot naming a higher promise ends the attempt");
}

sim_time proposer_backoff(sim_node *n, px_state *s) {
  (void)n;
  (void)s;
  TODO("proposer_backoff: uniform in 1 .. min(backoff_base * 2^(attempts-1), backoff_cap)");
}
