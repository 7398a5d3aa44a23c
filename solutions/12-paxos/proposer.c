/*
 * solutions/12-paxos/proposer.c: the reference single-decree proposer of lab 12 (part 2), and the
 * ballots every proposer (and every Multi-Paxos leader) uses.
 *
 * Paxos Made Simple, section 2.2, phase 1(a): pick a proposal number and send prepare requests;
 * phase 2(a): with promises from a majority, send accept requests for a value v, where v is "the
 * value of the highest-numbered proposal among the responses, or is any value if the responses
 * reported no proposals" (here: the proposer's own). Section 2.5: proposers draw numbers from
 * disjoint sets, (round, node id), and remember in stable storage the highest they have tried.
 * Section 2.4: a failed attempt is retried after a random wait, so that two proposers stop
 * pre-empting each other.
 */
#include <stddef.h>

#include "lab.h"

/* Section 2.5: a number above any used or seen, from this proposer's own set (round, id), and
 * remembered on disk before anyone sees it. */
px_ballot px_next_ballot(sim_node *n, px_state *s) {
  uint32_t round = s->highest_seen.round > s->max_round ? s->highest_seen.round : s->max_round;
  s->max_round = round + 1;
  sim_stable_write(n, offsetof(px_disk, max_round), &s->max_round, sizeof s->max_round);
  return (px_ballot){.round = s->max_round, .node = sim_self(n)};
}

/* Phase 1(a): a new proposal number, and a prepare request to the acceptors. */
void proposer_start(sim_node *n, px_state *s) {
  px_proposer *p = &s->prop;
  p->ballot = px_next_ballot(n, s);
  p->phase = PROPOSER_PREPARING;
  p->promised_by = 0;
  p->promises = 0;
  p->best = (px_slot){{0, 0}, PX_NONE};
  p->proposed = PX_NONE;
  p->attempts++;
  px_prepare_body prepare = {.ballot = p->ballot, .from_slot = 0};
  px_send_to_acceptors(n, s, MSG_PREPARE, &prepare);
}

/* Phase 2(a): with promises from a majority, propose "the value of the highest-numbered proposal
 * among the responses", or any value (ours) if none was reported. */
void proposer_on_promise(sim_node *n, px_state *s, int from, const px_promise_body *r) {
  px_proposer *p = &s->prop;
  if (p->phase != PROPOSER_PREPARING || ballot_cmp(r->ballot, p->ballot) != 0) return;
  if (p->promised_by & (1u << from)) return; /* a duplicate: each acceptor counts once */
  p->promised_by |= 1u << from;
  p->promises++;
  if (ballot_cmp(r->accepted[0].ballot, p->best.ballot) > 0) p->best = r->accepted[0];
  if (p->promises < px_majority(s)) return;
  /* Phase 2(a): the highest-numbered accepted value, or our own if none was reported. */
  p->proposed = p->best.ballot.round ? p->best.value : s->cfg.value;
  p->phase = PROPOSER_ACCEPTING;
  px_accept_body accept = {.ballot = p->ballot, .slot = 0, .value = p->proposed};
  px_send_to_acceptors(n, s, MSG_ACCEPT, &accept);
}

/* A higher promise somewhere: this ballot can no longer reach a majority of acceptances. */
void proposer_on_nack(sim_node *n, px_state *s, int from, const px_nack_body *k) {
  (void)n;
  (void)from;
  px_proposer *p = &s->prop;
  if (p->phase == PROPOSER_IDLE || ballot_cmp(k->ballot, p->ballot) != 0) return;
  if (ballot_cmp(k->promised, p->ballot) <= 0) return; /* the answer to a duplicate Prepare */
  p->phase = PROPOSER_IDLE;
}

/* Section 2.4: progress needs one proposer at a time; a random wait whose range doubles after
 * every failed attempt makes two of them fall out of step. */
sim_time proposer_backoff(sim_node *n, px_state *s) {
  uint32_t k = s->prop.attempts ? s->prop.attempts : 1;
  sim_time limit = s->cfg.backoff_base;
  for (uint32_t i = 1; i < k && limit < s->cfg.backoff_cap; i++) limit *= 2;
  if (limit > s->cfg.backoff_cap) limit = s->cfg.backoff_cap;
  if (limit < 1) limit = 1;
  return 1 + sim_random_below(n, limit);
}
