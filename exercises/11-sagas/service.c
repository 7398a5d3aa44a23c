/*
 * exercises/11-sagas/service.c: YOUR service for lab 11 (part B): payment, inventory and
 * shipping, orchestrated or choreographed.
 *
 * Write part A (outbox.c) first. service_react is the rule for one saga (what an input does to
 * the step's durable status and effect); service_on_event is the handler around it: ask the rule,
 * announce a change through the outbox in the same commit, acknowledge after the commit.
 * Helpers from lab.h: effect_apply, effect_undo, service_can_do, outbox_add, disk_commit,
 * send_ack; in choreography also choreo_input and choreo_route (part D).
 */
#include "lab.h"

ev_kind service_react(sim_node *n, saga_state *s, uint32_t saga, ev_kind input) {
  (void)n;
  (void)s;
  (void)saga;
  (void)input;
  TODO("service_react: Do on none -> done (effect) or refused; Undo on done -> compensated");
}

void service_on_event(sim_node *n, saga_state *s, const saga_event *e) {
  (void)n;
  (void)s;
  (void)e;
  TODO("service_on_event: react, outbox_add the result and commit once, then acknowledge");
}
