/*
 * solutions/10-two-phase-commit/coordinator.c: the reference coordinator of lab 10 (part A1).
 *
 * Two-phase commit as Gray and Lamport state it ("Consensus on Transaction Commit", 2006,
 * section 3): the coordinator sends Prepare, collects the votes, and decides commit only if
 * every participant voted yes; any no vote, or a vote that does not come in time, means abort.
 * Gray's rule for the log (1978): the coordinator's commit record is written to stable storage
 * before any participant is told, so a coordinator that crashes after telling anyone finds the
 * decision in its log and repeats it; one that crashes before writing it finds only "begin",
 * and may abort, because nobody can have been told "commit".
 */
#include "lab.h"

/* Every participant in `mask` but this node. */
static uint32_t others(const sim_node *n, uint32_t mask) { return mask & ~tpc_bit(sim_self(n)); }

void coord_begin(sim_node *n, tpc_state *s, uint32_t tx) {
  tpc_coord_tx *c = &s->coord[tx];
  /* The begin record first: after a crash, the log says this transaction exists. */
  log_write(n, s, tx, TX_VOTING);
  *c = (tpc_coord_tx){.state = TX_VOTING, .members = tpc_everyone(n), .phase_at = sim_clock(n)};
  for (int i = 1; i <= tpc_participants(n); i++) send_prepare(n, i, tx);
  coord_timer(n, s, tx, s->config.timing.retry);
}

void coord_on_vote(sim_node *n, tpc_state *s, int from, uint32_t tx, bool yes) {
  tpc_coord_tx *c = &s->coord[tx];
  if (c->state != TX_VOTING || c->recovering || !(c->members & tpc_bit(from))) return;
  c->voted |= tpc_bit(from);
  if (!yes) {
    /* Gray and Lamport, section 3: a single "aborted" vote is enough to abort. */
    coord_decide(n, s, tx, TX_ABORTED);
    return;
  }
  c->yes |= tpc_bit(from);
  if (c->yes != c->members) return;
  if (s->config.variant == PROTO_3PC)
    coord_precommit(n, s, tx);
  else
    coord_decide(n, s, tx, TX_COMMITTED);
}

void coord_decide(sim_node *n, tpc_state *s, uint32_t tx, tx_state decision) {
  tpc_coord_tx *c = &s->coord[tx];
  if (tx_decided(c->state)) return;
  /* Write-ahead: the decision is in the log before anyone can hear of it. */
  log_write(n, s, tx, decision);
  c->state = decision;
  c->recovering = false;
  c->acked = sim_self(n) == TPC_COORDINATOR ? 0 : tpc_bit(sim_self(n));
  c->phase_at = sim_clock(n);
  if (sim_self(n) != TPC_COORDINATOR) {
    /* A backup is a participant too: the record it just wrote is its own outcome. */
    s->part[tx].state = decision;
    s->part[tx].recovering = false;
    part_timer_stop(n, s, tx);
  }
  uint32_t to = others(n, tpc_everyone(n));
  for (int i = 1; i <= tpc_participants(n); i++)
    if (to & tpc_bit(i)) send_decision(n, i, tx, decision);
  coord_timer(n, s, tx, s->config.timing.retry);
}

void coord_on_ack(sim_node *n, tpc_state *s, int from, uint32_t tx) {
  (void)n;
  tpc_coord_tx *c = &s->coord[tx];
  if (tx_decided(c->state)) c->acked |= tpc_bit(from);
}

void coord_on_timeout(sim_node *n, tpc_state *s, uint32_t tx) {
  tpc_coord_tx *c = &s->coord[tx];
  const tpc_timing *t = &s->config.timing;
  sim_time waited = sim_clock(n) - c->phase_at;
  uint32_t missing;
  if (c->recovering) {
    /* 3PC, restarted without a decision: only the participants can say what happened. */
    for (int i = 1; i <= tpc_participants(n); i++) send_inquiry(n, i, tx);
    coord_timer(n, s, tx, t->retry);
    return;
  }
  switch (c->state) {
    case TX_VOTING:
      if (waited >= t->vote_timeout) {
        coord_decide(n, s, tx, TX_ABORTED); /* undecided, so it may still abort */
        return;
      }
      missing = others(n, c->members & ~c->voted);
      for (int i = 1; i <= tpc_participants(n); i++)
        if (missing & tpc_bit(i)) send_prepare(n, i, tx);
      coord_timer(n, s, tx, t->retry);
      return;
    case TX_PRECOMMITTED:
      if (waited >= t->ack_timeout) {
        /* The members that did not acknowledge have crashed (3PC assumes no partitions); every
         * live one is pre-committed, so commit. */
        coord_decide(n, s, tx, TX_COMMITTED);
        return;
      }
      missing = others(n, c->members & ~c->acked);
      for (int i = 1; i <= tpc_participants(n); i++)
        if (missing & tpc_bit(i)) send_precommit(n, i, tx, c->round);
      coord_timer(n, s, tx, t->retry);
      return;
    case TX_COMMITTED:
    case TX_ABORTED:
      missing = others(n, c->members & ~c->acked);
      if (!missing) return;
      for (int i = 1; i <= tpc_participants(n); i++)
        if (missing & tpc_bit(i)) send_decision(n, i, tx, c->state);
      coord_timer(n, s, tx, t->retry);
      return;
    default:
      return;
  }
}

void coord_recover(sim_node *n, tpc_state *s) {
  for (uint32_t tx = 1; tx <= TPC_MAX_TXNS; tx++) {
    tx_state rec = log_read(n, tx);
    tpc_coord_tx *c = &s->coord[tx];
    if (tx_decided(rec)) {
      /* The decision may not have reached everyone: say it again until they acknowledge. */
      *c = (tpc_coord_tx){.state = rec, .members = tpc_everyone(n), .phase_at = sim_clock(n)};
      for (int i = 1; i <= tpc_participants(n); i++) send_decision(n, i, tx, rec);
      coord_timer(n, s, tx, s->config.timing.retry);
    } else if (rec == TX_VOTING) {
      /* Memory was wiped: members first, for coord_on_timeout resends only to members. */
      *c = (tpc_coord_tx){.state = TX_VOTING, .members = tpc_everyone(n), .phase_at = sim_clock(n)};
      if (s->config.variant == PROTO_2PC) {
        /* No commit record, so no participant was told "commit": abort is safe. */
        coord_decide(n, s, tx, TX_ABORTED);
      } else {
        /* 3PC: the participants may have terminated the transaction either way. Ask them. */
        c->recovering = true;
        for (int i = 1; i <= tpc_participants(n); i++) send_inquiry(n, i, tx);
        coord_timer(n, s, tx, s->config.timing.retry);
      }
    }
  }
}

void on_inquiry(sim_node *n, tpc_state *s, int from, uint32_t tx) {
  if (sim_self(n) != TPC_COORDINATOR && s->part[tx].state == TX_INIT) {
    /* It never voted yes, so the transaction cannot commit: abort it and say so. */
    log_write(n, s, tx, TX_ABORTED);
    s->part[tx].state = TX_ABORTED;
  }
  tx_state known = tx_decided(s->coord[tx].state) ? s->coord[tx].state : s->part[tx].state;
  if (tx_decided(known)) send_decision(n, from, tx, known);
}
