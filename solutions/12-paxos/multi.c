/*
 * solutions/12-paxos/multi.c: the reference Multi-Paxos leader of lab 12 (part 3).
 *
 * Paxos Made Simple, section 3: one instance of Paxos per log slot, and one leader acting as the
 * distinguished proposer in all of them. A new leader runs phase 1 once for every slot from its
 * first unlearned one (one Prepare, one Promise per acceptor reporting every slot). With a
 * majority of promises it knows every value that may have been chosen: it proposes those again
 * at its own ballot, and fills every other slot below the highest one reported with a no-op,
 * "a special no-op command that leaves the state unchanged", so the log has no gap that would
 * hold up the commands after it. From then on each new command costs phase 2 only.
 */
#include <string.h>

#include "lab.h"

/* Section 3: phase 1 once, "for infinitely many instances": every slot from the first this
 * replica has not learned. */
void leader_start(sim_node *n, px_state *s) {
  px_leader *l = &s->ldr;
  memset(l, 0, sizeof *l);
  l->ballot = px_next_ballot(n, s);
  l->preparing = true;
  l->from_slot = px_first_unlearned(s);
  l->next_slot = l->from_slot;
  px_prepare_body p = {.ballot = l->ballot, .from_slot = l->from_slot};
  px_send_to_acceptors(n, s, MSG_PREPARE, &p);
}

static void propose_at(sim_node *n, px_state *s, uint32_t slot, px_value value) {
  s->ldr.proposals[slot] = value;
  px_accept_body a = {.ballot = s->ldr.ballot, .slot = slot, .value = value};
  px_send_to_acceptors(n, s, MSG_ACCEPT, &a);
}

/* Section 3: with a majority of promises, re-propose in each slot the highest-numbered value
 * reported (phase 2(a), slot by slot) and fill the gaps below the highest reported slot with
 * no-ops; then lead. */
void leader_on_promise(sim_node *n, px_state *s, int from, const px_promise_body *p) {
  px_leader *l = &s->ldr;
  if (!l->preparing || ballot_cmp(p->ballot, l->ballot) != 0) return;
  if (l->promised_by & (1u << from)) return;
  l->promised_by |= 1u << from;
  l->promises++;
  for (uint32_t slot = l->from_slot; slot < PX_MAX_SLOTS; slot++)
    if (ballot_cmp(p->accepted[slot].ballot, l->merged[slot].ballot) > 0)
      l->merged[slot] = p->accepted[slot];
  if (l->promises < px_majority(s)) return;
  l->preparing = false;
  l->active = true;
  uint32_t end = l->from_slot;
  for (uint32_t slot = l->from_slot; slot < PX_MAX_SLOTS; slot++)
    if (l->merged[slot].ballot.round) end = slot + 1;
  for (uint32_t slot = l->from_slot; slot < end; slot++) {
    if (s->lrn.learned[slot] != PX_NONE) continue;
    propose_at(n, s, slot, l->merged[slot].ballot.round ? l->merged[slot].value : PX_NOOP);
  }
  l->next_slot = end;
}

/* Section 3: a leader that has done phase 1 for all slots needs only phase 2 for a new one. */
int leader_propose(sim_node *n, px_state *s, px_value command) {
  px_leader *l = &s->ldr;
  if (!l->active || l->next_slot >= PX_MAX_SLOTS) return -1;
  uint32_t slot = l->next_slot++;
  propose_at(n, s, slot, command);
  return (int)slot;
}

/* Someone holds a higher ballot: our Accepts will be refused from now on, so stop. */
void leader_on_higher_ballot(sim_node *n, px_state *s, px_ballot b) {
  (void)n;
  if (ballot_cmp(b, s->ldr.ballot) <= 0) return;
  s->ldr.active = false;
  s->ldr.preparing = false;
}
