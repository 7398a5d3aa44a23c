/*
 * exercises/10-two-phase-commit/participant.c: YOUR participant for lab 10 (part A2).
 *
 * Read book/10-two-phase-commit.md first; write coordinator.c first. The contracts are in
 * labs/10-two-phase-commit/lab.h. Helpers: part_can_commit (your own verdict on tx), log_write /
 * log_read, send_vote, send_ack, send_inquiry, part_timer / part_timer_stop. The rules that
 * matter most: a yes vote goes to the log before it is sent, and in 2PC a participant that voted
 * yes never decides on its own.
 */
#include "lab.h"

void part_on_prepare(sim_node *n, tpc_state *s, int from, uint32_t tx) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  TODO(
      "part_on_prepare: voted before: repeat the vote; can commit: log TX_UNCERTAIN first, "
      "vote yes, arm the participant timer; cannot: log TX_ABORTED, vote no");
}

void part_on_decision(sim_node *n, tpc_state *s, int from, uint32_t tx, tx_state decision) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  (void)decision;
  TODO(
      "part_on_decision: if undecided, log the decision first, take it, stop the timer; keep an "
      "earlier decision; send Ack to from either way");
}

void part_on_timeout(sim_node *n, tpc_state *s, uint32_t tx) {
  (void)n;
  (void)s;
  (void)tx;
  TODO(
      "part_on_timeout: decided or never voted: nothing; recovering or 2PC uncertain: inquire "
      "(2PC: the coordinator; 3PC: everyone) and re-arm, never decide; 3PC: term_start");
}

void part_recover(sim_node *n, tpc_state *s) {
  (void)n;
  (void)s;
  TODO(
      "part_recover: for each tx read the log: a decision is restored; uncertain or "
      "precommitted is restored, marked recovering, and you ask for the outcome (and arm the "
      "timer)");
}
