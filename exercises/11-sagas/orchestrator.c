/*
 * exercises/11-sagas/orchestrator.c: YOUR orchestrator for lab 11 (part C), on the order service
 * n0.
 *
 * Write parts A and B first. saga_react is the rule for one saga (forward one step at a time;
 * after a refusal, compensate backward from the last committed step); saga_begin and
 * orchestrator_on_event are the handlers around it. In choreography mode n0 is no
 * orchestrator: saga_begin publishes Placed, and orchestrator_on_event asks choreo_order_react
 * (part D). Helpers from lab.h: outbox_add, disk_commit, send_ack.
 */
#include "lab.h"

bool saga_react(saga_rec *r, int from, ev_kind kind, int *cmd_to, ev_kind *cmd_kind) {
  (void)r;
  (void)from;
  (void)kind;
  (void)cmd_to;
  (void)cmd_kind;
  TODO("saga_react: Done -> next step or completed; Refused -> compensate backward; else false");
}

void saga_begin(sim_node *n, saga_state *s, uint32_t saga) {
  (void)n;
  (void)s;
  (void)saga;
  TODO("saga_begin: running, first command (Do) or event (Placed) to payment, commit once");
}

void orchestrator_on_event(sim_node *n, saga_state *s, const saga_event *e) {
  (void)n;
  (void)s;
  (void)e;
  TODO("orchestrator_on_event: react, outbox_add the next command and commit once, then ack");
}
