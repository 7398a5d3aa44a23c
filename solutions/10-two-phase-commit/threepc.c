/*
 * solutions/10-two-phase-commit/threepc.c: the reference three-phase commit of lab 10 (part B).
 *
 * Skeen 1981 ("Nonblocking Commit Protocols"): a commit protocol can finish without its
 * coordinator only if no participant state is next to both commit and abort. 2PC's "uncertain"
 * is: from there the coordinator may have committed or aborted. 3PC puts a state p (pre-
 * committed) between them: the coordinator first tells everyone that everyone voted yes, and
 * commits only once all have acknowledged. So while anyone is still uncertain nobody has
 * committed, and whoever is pre-committed knows that everyone voted yes.
 *
 * The termination protocol: when the coordinator falls silent, the participants elect a backup
 * (round r: participant ((r - 1) mod P) + 1). It asks everyone for their state and applies the
 * rule of term_rule; if the rule says commit, it first pre-commits the uncertain ones, exactly
 * as a coordinator would. A backup that dies is replaced by the next round's. This is safe only
 * if a silent node has crashed; a partition breaks it (scenario 3pc-partition).
 */
#include "lab.h"

void coord_precommit(sim_node *n, tpc_state *s, uint32_t tx) {
  tpc_coord_tx *c = &s->coord[tx];
  int self = sim_self(n);
  c->state = TX_PRECOMMITTED;
  c->acked = self == TPC_COORDINATOR ? 0 : tpc_bit(self);
  c->phase_at = sim_clock(n);
  for (int i = 1; i <= tpc_participants(n); i++)
    if (i != self && (c->members & tpc_bit(i))) send_precommit(n, i, tx, c->round);
  coord_timer(n, s, tx, s->config.timing.retry);
}

void coord_on_precommit_ack(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round) {
  tpc_coord_tx *c = &s->coord[tx];
  if (c->state != TX_PRECOMMITTED || c->round != round) return;
  c->acked |= tpc_bit(from);
  if ((c->acked & c->members) == c->members) coord_decide(n, s, tx, TX_COMMITTED);
}

void part_on_precommit(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round) {
  tpc_part_tx *p = &s->part[tx];
  if (p->recovering || tx_decided(p->state) || p->state == TX_INIT || round < p->round) return;
  p->round = round;
  if (p->state != TX_PRECOMMITTED) {
    log_write(n, s, tx, TX_PRECOMMITTED);
    p->state = TX_PRECOMMITTED;
  }
  send_precommit_ack(n, from, tx, round);
  part_timer(n, s, tx, s->config.timing.term_timeout);
}

tx_state term_rule(const uint8_t *states, int count) {
  bool committed = false, aborted = false, precommitted = false;
  for (int i = 0; i < count; i++) {
    tx_state st = (tx_state)states[i];
    committed |= st == TX_COMMITTED;
    aborted |= st == TX_ABORTED || st == TX_INIT;
    precommitted |= st == TX_PRECOMMITTED;
  }
  if (committed) return TX_COMMITTED;
  if (aborted) return TX_ABORTED;
  if (precommitted) return TX_PRECOMMITTED;
  return TX_ABORTED;
}

void term_start(sim_node *n, tpc_state *s, uint32_t tx) {
  tpc_part_tx *p = &s->part[tx];
  int self = sim_self(n);
  p->round++;
  if (tpc_backup_of(p->round, tpc_participants(n)) == self) {
    tpc_coord_tx *c = &s->coord[tx];
    *c = (tpc_coord_tx){.state = TX_COLLECTING,
                        .round = p->round,
                        .members = tpc_bit(self),
                        .phase_at = sim_clock(n)};
    c->report[self] = (uint8_t)p->state;
    for (int i = 1; i <= tpc_participants(n); i++)
      if (i != self) send_state_req(n, i, tx, p->round);
    coord_timer(n, s, tx, s->config.timing.collect);
  }
  part_timer(n, s, tx, s->config.timing.term_timeout);
}

void term_on_state_req(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round) {
  tpc_part_tx *p = &s->part[tx];
  if (p->recovering || round < p->round) return;
  p->round = round;
  if (p->state == TX_INIT) {
    /* Never voted yes: abort now, so that a late Prepare cannot make it vote yes later. */
    log_write(n, s, tx, TX_ABORTED);
    p->state = TX_ABORTED;
  }
  send_state_reply(n, from, tx, round, p->state);
  if (!tx_decided(p->state)) part_timer(n, s, tx, s->config.timing.term_timeout);
}

void term_on_state_reply(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round,
                         tx_state st) {
  (void)n;
  tpc_coord_tx *c = &s->coord[tx];
  if (c->state != TX_COLLECTING || c->round != round || from >= TPC_MAX_NODES) return;
  c->report[from] = (uint8_t)st;
  c->members |= tpc_bit(from);
}

void term_decide(sim_node *n, tpc_state *s, uint32_t tx) {
  tpc_coord_tx *c = &s->coord[tx];
  tpc_part_tx *p = &s->part[tx];
  if (p->round != c->round) {
    c->state = TX_INIT; /* a later round has taken over */
    return;
  }
  c->report[sim_self(n)] = (uint8_t)p->state; /* its own state may have moved since */
  uint8_t states[TPC_MAX_NODES];
  int count = 0;
  for (int i = 1; i < TPC_MAX_NODES; i++)
    if (c->members & tpc_bit(i)) states[count++] = c->report[i];
  tx_state verdict = term_rule(states, count);
  if (verdict != TX_PRECOMMITTED) {
    coord_decide(n, s, tx, verdict);
    return;
  }
  if (p->state == TX_UNCERTAIN) {
    log_write(n, s, tx, TX_PRECOMMITTED);
    p->state = TX_PRECOMMITTED;
  }
  coord_precommit(n, s, tx);
}
