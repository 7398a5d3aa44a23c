/*
 * exercises/10-two-phase-commit/coordinator.c: YOUR 2PC coordinator for lab 10 (part A1).
 *
 * Read book/10-two-phase-commit.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=10
 * The contracts are in labs/10-two-phase-commit/lab.h. Helpers: log_write / log_read (the log),
 * send_prepare, send_decision, send_inquiry, ..., coord_timer (arm TIMER_COORD for tx),
 * tpc_participants / tpc_everyone / tpc_bit (who the participants are). The rule that matters
 * most: a decision goes to the log before anyone is told.
 */
#include "lab.h"

void coord_begin(sim_node *n, tpc_state *s, uint32_t tx) {
  (void)n;
  (void)s;
  (void)tx;
  TODO(
      "coord_begin: log_write TX_VOTING first, then state VOTING, members = everyone, "
      "phase_at = now; send Prepare to every participant; arm the coordinator timer (retry)");
}

void coord_on_vote(sim_node *n, tpc_state *s, int from, uint32_t tx, bool yes) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  (void)yes;
  TODO(
      "coord_on_vote: only while VOTING; record the vote; a no decides abort; all members yes: "
      "2PC decides commit, 3PC calls coord_precommit");
}

void coord_decide(sim_node *n, tpc_state *s, uint32_t tx, tx_state decision) {
  (void)n;
  (void)s;
  (void)tx;
  (void)decision;
  TODO(
      "coord_decide: if undecided, log the decision FIRST, then take it (a backup's part[tx] "
      "too), send it to every participant but yourself, arm the timer to resend");
}

void coord_on_ack(sim_node *n, tpc_state *s, int from, uint32_t tx) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  TODO("coord_on_ack: if tx is decided, add from to acked");
}

void coord_on_timeout(sim_node *n, tpc_state *s, uint32_t tx) {
  (void)n;
  (void)s;
  (void)tx;
  TODO(
      "coord_on_timeout: recovering: inquire again; VOTING: abort after vote_timeout, else "
      "resend Prepare to non-voters; PRECOMMITTED: commit after ack_timeout, else resend "
      "PreCommit; decided: resend the decision to non-ackers; re-arm while something is missing");
}

/* Your memory is zeroed at a restart, members too: set coord[tx].members before coord_decide,
 * since coord_on_timeout resends the decision only to members (lab.h). */
void coord_recover(sim_node *n, tpc_state *s) {
  (void)n;
  (void)s;
  TODO(
      "coord_recover: for each tx read the log: a decision is restored and sent again; "
      "\"begin\" only: 2PC aborts, 3PC marks it recovering and asks the participants");
}

/* Runs on n0 too, where part[tx] is unused (always TX_INIT): only a participant
 * (sim_self(n) != TPC_COORDINATOR) may abort a transaction it never voted on. */
void on_inquiry(sim_node *n, tpc_state *s, int from, uint32_t tx) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  TODO(
      "on_inquiry: if you know the outcome (coord[tx] or part[tx]) send it to from; a participant "
      "that never voted on tx aborts it first (log it) and answers abort; else stay silent");
}
