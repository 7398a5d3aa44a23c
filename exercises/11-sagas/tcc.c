/*
 * exercises/11-sagas/tcc.c: YOUR TCC rules for lab 11 (part E): try / confirm / cancel.
 *
 * Write parts A to D first. protocol.c has the handlers (tcc_begin, tcc_on_event): they put your
 * rules' answers and commands into the outbox of part A, commit once, and acknowledge after the
 * commit. Here you only decide: tcc_participant_react (one participant, one saga, one command)
 * and tcc_react (the coordinator's all-or-nothing decision). Helpers from lab.h: effect_apply,
 * effect_undo, service_can_do, sim_clock.
 */
#include "lab.h"

ev_kind tcc_participant_react(sim_node *n, saga_state *s, uint32_t saga, ev_kind input) {
  (void)n;
  (void)s;
  (void)saga;
  (void)input;
  TODO(
      "tcc_participant_react: Try on none -> held or refused; Confirm on held -> confirmed; "
      "Cancel on held -> cancelled (undo), on none/refused -> cancelled (empty cancel)");
}

bool tcc_react(saga_rec *r, int from, ev_kind kind, ev_kind *cmd) {
  (void)r;
  (void)from;
  (void)kind;
  (void)cmd;
  TODO(
      "tcc_react: all three Reserved -> confirming (Confirm); any Refused -> cancelling "
      "(Cancel); all answers of the phase -> completed or aborted");
}
