/*
 * solutions/12-paxos/acceptor.c: the reference acceptor of lab 12 (part 1), and the ballot order.
 *
 * Paxos Made Simple (Lamport 2001), section 2.2, phase 1(b): an acceptor that receives a prepare
 * request numbered n "greater than that of any prepare request to which it has already
 * responded" promises it, and reports the highest-numbered proposal it has accepted; phase 2(b):
 * it accepts a proposal numbered n "unless it has already responded to a prepare request having
 * a number greater than n". Section 2.5: the acceptor's memory is written to stable storage
 * before the response is sent, so a crash after the send forgets nothing that was promised.
 * Section 2.3: each acceptance is announced to every learner.
 *
 * One acceptor serves every log slot: the promise covers all slots at once (section 3: a leader's
 * phase 1 runs for every instance from some slot on), accepted proposals are kept per slot.
 */
#include "lab.h"

/* Section 2.5: proposal numbers are totally ordered; rounds first, node ids break ties. */
int ballot_cmp(px_ballot a, px_ballot b) {
  if (a.round != b.round) return a.round < b.round ? -1 : 1;
  if (a.node != b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

static void nack(sim_node *n, const px_state *s, int to, px_ballot refused, uint32_t phase,
                 uint32_t slot) {
  px_nack_body k = {.ballot = refused, .promised = s->acc.promised, .phase = phase, .slot = slot};
  sim_send(n, to, MSG_NACK, &k);
}

void acceptor_on_prepare(sim_node *n, px_state *s, int from, const px_prepare_body *p) {
  /* Phase 1(b): promise only a ballot above every one promised so far. */
  if (ballot_cmp(p->ballot, s->acc.promised) <= 0) {
    nack(n, s, from, p->ballot, PX_PHASE1, p->from_slot);
    return;
  }
  s->acc.promised = p->ballot;
  acceptor_persist(n, s); /* section 2.5: record the response before sending it */
  px_promise_body r = {.ballot = p->ballot, .from_slot = p->from_slot};
  for (uint32_t slot = p->from_slot; slot < PX_MAX_SLOTS; slot++)
    r.accepted[slot] = s->acc.accepted[slot];
  sim_send(n, from, MSG_PROMISE, &r);
}

void acceptor_on_accept(sim_node *n, px_state *s, int from, const px_accept_body *a) {
  if (a->slot >= PX_MAX_SLOTS) return;
  /* Phase 2(b): accept unless a higher ballot has been promised. */
  if (ballot_cmp(a->ballot, s->acc.promised) < 0) {
    nack(n, s, from, a->ballot, PX_PHASE2, a->slot);
    return;
  }
  s->acc.promised = a->ballot;
  s->acc.accepted[a->slot] = (px_slot){.ballot = a->ballot, .value = a->value};
  acceptor_persist(n, s);
  /* Section 2.3: tell every learner. */
  px_accepted_body r = {.ballot = a->ballot, .slot = a->slot, .value = a->value};
  px_send_to_learners(n, s, MSG_ACCEPTED, &r);
}

/* Section 2.5: the acceptor's memory, in stable storage. */
void acceptor_persist(sim_node *n, const px_state *s) {
  sim_stable_write(n, 0, &s->acc, sizeof s->acc);
}

void acceptor_recover(sim_node *n, px_state *s) { sim_stable_read(n, 0, &s->acc, sizeof s->acc); }
