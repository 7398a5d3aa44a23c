/*
 * solutions/12-paxos/learner.c: the reference learner of lab 12 (part 2).
 *
 * Paxos Made Simple, section 2.3: "to learn that a value has been chosen, a learner must find
 * out that a proposal has been accepted by a majority of acceptors". Every acceptor announces
 * each acceptance to every learner; the learner counts, per slot, the distinct acceptors of one
 * ballot. Counts of different ballots are never added up: two acceptors that accepted different
 * ballots may hold different values, and neither value need be chosen.
 */
#include "lab.h"

void learner_on_accepted(sim_node *n, px_state *s, int from, const px_accepted_body *a) {
  if (a->slot >= PX_MAX_SLOTS || s->lrn.learned[a->slot] != PX_NONE) return;
  px_tally *t = &s->lrn.tally[a->slot];
  int cmp = ballot_cmp(a->ballot, t->ballot);
  if (cmp < 0) return; /* an older ballot: its count was abandoned */
  if (cmp > 0) *t = (px_tally){.ballot = a->ballot, .acks = 0, .value = a->value};
  t->acks |= 1u << from;
  int count = 0;
  for (uint32_t bits = t->acks; bits; bits &= bits - 1) count++;
  if (count >= px_majority(s)) px_learn(n, s, a->slot, t->value);
}
