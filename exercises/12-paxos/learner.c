/*
 * exercises/12-paxos/learner.c: YOUR learner for lab 12 (part 2).
 *
 * Every acceptor sends an Accepted to every learner each time it accepts. A value is chosen in a
 * slot once a majority of acceptors accepted one ballot there. Replace the TODO(...) with your
 * code, then run make check LAB=12. The contract is in labs/12-paxos/lab.h. Your state is s->lrn;
 * record what you learn with px_learn. Helper: px_majority.
 */
#include "lab.h"

void learner_on_accepted(sim_node *n, px_state *s, int from, const px_accepted_body *a) {
  (void)n;
  (void)s;
  (void)from;
  (void)a;
  TODO("learner_on_accepted: count acceptors of one ballot per slot; majority: px_learn");
}
