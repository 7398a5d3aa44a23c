/*
 * exercises/12-paxos/multi.c: YOUR Multi-Paxos leader for lab 12 (part 3).
 *
 * Write parts 1 and 2 first: the replicas use your acceptor and your learner, and px_next_ballot.
 * Replace each TODO(...) with your code, then run make check LAB=12. The contracts are in
 * labs/12-paxos/lab.h. Your state is s->ldr. protocol.c elects (calls leader_start after an
 * election timeout), proposes client commands through leader_propose while you lead, resends
 * your proposals until you learn them, and calls leader_on_higher_ballot for every Nack and every
 * other node's Prepare, Accept and Heartbeat. Helpers: px_send_to_acceptors, px_majority,
 * px_first_unlearned.
 */
#include <string.h>

#include "lab.h"

void leader_start(sim_node *n, px_state *s) {
  (void)n;
  (void)s;
  TODO("leader_start: new ballot, Prepare from the first unlearned slot to every acceptor");
}

void leader_on_promise(sim_node *n, px_state *s, int from, const px_promise_body *p) {
  (void)n;
  (void)s;
  (void)from;
  (void)p;
  TODO("leader_on_promise: merge reports; at a majority lead, re-propose, no-op the gaps");
}

int leader_propose(sim_node *n, px_state *s, px_value command) {
  (void)n;
  (void)s;
  (void)command;
  TODO("leader_propose: Accept(ballot, next_slot, command) to every acceptor, no phase 1");
}

void leader_on_higher_ballot(sim_node *n, px_state *s, px_ballot b) {
  (void)n;
  (void)s;
  (void)b;
  TODO("leader_on_higher_ballot: a ballot above yours ends leading and preparing");
}
