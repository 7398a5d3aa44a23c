/*
 * exercises/10-two-phase-commit/threepc.c: YOUR three-phase commit for lab 10 (part B).
 *
 * Write part A (coordinator.c, participant.c) first: 3PC reuses it. Read the 3PC sections of
 * book/10-two-phase-commit.md. The contracts are in labs/10-two-phase-commit/lab.h. Helpers:
 * send_precommit, send_precommit_ack, send_state_req, send_state_reply, tpc_backup_of (who leads
 * a termination round), coord_timer, part_timer.
 */
#include "lab.h"

void coord_precommit(sim_node *n, tpc_state *s, uint32_t tx) {
  (void)n;
  (void)s;
  (void)tx;
  TODO(
      "coord_precommit: state PRECOMMITTED, nothing acked (a backup counts itself), phase_at = "
      "now; send PreCommit(round) to every member but yourself; arm the coordinator timer");
}

void coord_on_precommit_ack(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  (void)round;
  TODO(
      "coord_on_precommit_ack: only while PRECOMMITTED in that round; note it; every member "
      "acknowledged: decide commit");
}

void part_on_precommit(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  (void)round;
  TODO(
      "part_on_precommit: ignore if recovering, decided, never voted, or an older round; adopt "
      "the round; log TX_PRECOMMITTED first; ack to from; re-arm the participant timer");
}

tx_state term_rule(const uint8_t *states, int count) {
  (void)states;
  (void)count;
  TODO(
      "term_rule: any committed -> commit; any aborted or init -> abort; any precommitted -> "
      "TX_PRECOMMITTED; all uncertain -> abort");
}

void term_start(sim_node *n, tpc_state *s, uint32_t tx) {
  (void)n;
  (void)s;
  (void)tx;
  TODO(
      "term_start: next round; if you are its backup: coord[tx] COLLECTING with your own report, "
      "StateReq to the others, arm the coordinator timer (collect); re-arm the participant "
      "timer");
}

void term_on_state_req(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  (void)round;
  TODO(
      "term_on_state_req: ignore if recovering or an older round; adopt the round; never voted: "
      "abort (log it); reply your state; re-arm the participant timer if undecided");
}

void term_on_state_reply(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round,
                         tx_state st) {
  (void)n;
  (void)s;
  (void)from;
  (void)tx;
  (void)round;
  (void)st;
  TODO("term_on_state_reply: if collecting for that round, note the report and add from");
}

void term_decide(sim_node *n, tpc_state *s, uint32_t tx) {
  (void)n;
  (void)s;
  (void)tx;
  TODO(
      "term_decide: moved on to a later round: give up; else term_rule over the members: "
      "commit/abort -> coord_decide; precommitted -> log it yourself if uncertain, then "
      "coord_precommit");
}
