/*
 * solutions/10-two-phase-commit/participant.c: the reference participant of lab 10 (part A2).
 *
 * Gray and Lamport 2006, section 3: a participant that is asked to prepare either votes
 * "prepared" (yes), after which it may no longer abort on its own, or aborts and says so. The
 * yes vote is a promise, so it goes to the log before the vote leaves. From then on the
 * participant is uncertain: in 2PC only the coordinator's decision ends that, however long it
 * takes (the blocking of two-phase commit). In 3PC a silent coordinator starts the termination
 * protocol instead (threepc.c). A participant that restarts reads its log: a decision is final,
 * an uncertain record means asking until someone answers.
 */
#include "lab.h"

/* Ask for the outcome of tx: 2PC asks the coordinator; 3PC asks every other node. */
static void ask(sim_node *n, const tpc_state *s, uint32_t tx) {
  if (s->config.variant == PROTO_2PC) {
    send_inquiry(n, TPC_COORDINATOR, tx);
    return;
  }
  for (int i = 0; i < sim_node_count(n); i++)
    if (i != sim_self(n)) send_inquiry(n, i, tx);
}

void part_on_prepare(sim_node *n, tpc_state *s, int from, uint32_t tx) {
  tpc_part_tx *p = &s->part[tx];
  if (p->state != TX_INIT) {
    /* A resent Prepare: repeat the vote already given (and logged). */
    send_vote(n, from, tx, p->state != TX_ABORTED);
    return;
  }
  if (!part_can_commit(s, tx)) {
    /* Never having voted yes, it may abort on its own. */
    log_write(n, s, tx, TX_ABORTED);
    p->state = TX_ABORTED;
    send_vote(n, from, tx, false);
    return;
  }
  log_write(n, s, tx, TX_UNCERTAIN); /* the promise first, then the vote */
  p->state = TX_UNCERTAIN;
  send_vote(n, from, tx, true);
  const tpc_timing *t = &s->config.timing;
  part_timer(n, s, tx, s->config.variant == PROTO_2PC ? t->inquire : t->term_timeout);
}

void part_on_decision(sim_node *n, tpc_state *s, int from, uint32_t tx, tx_state decision) {
  tpc_part_tx *p = &s->part[tx];
  if (!tx_decided(p->state)) {
    log_write(n, s, tx, decision);
    p->state = decision;
    p->recovering = false;
    part_timer_stop(n, s, tx);
  }
  send_ack(n, from, tx);
}

void part_on_timeout(sim_node *n, tpc_state *s, uint32_t tx) {
  tpc_part_tx *p = &s->part[tx];
  if (tx_decided(p->state) || p->state == TX_INIT) return;
  if (p->recovering || s->config.variant == PROTO_2PC) {
    /* Uncertain in 2PC, or back from a crash: only an answer may end it. */
    ask(n, s, tx);
    part_timer(n, s, tx, s->config.timing.inquire);
    return;
  }
  term_start(n, s, tx);
}

void part_recover(sim_node *n, tpc_state *s) {
  for (uint32_t tx = 1; tx <= TPC_MAX_TXNS; tx++) {
    tx_state rec = log_read(n, tx);
    tpc_part_tx *p = &s->part[tx];
    if (tx_decided(rec)) {
      p->state = rec;
    } else if (rec == TX_UNCERTAIN || rec == TX_PRECOMMITTED) {
      p->state = rec;
      p->recovering = true;
      ask(n, s, tx);
      part_timer(n, s, tx, s->config.timing.inquire);
    }
  }
}
