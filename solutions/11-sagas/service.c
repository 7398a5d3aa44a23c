/*
 * solutions/11-sagas/service.c: the reference service for lab 11 (part B): payment, inventory
 * and shipping, orchestrated or choreographed.
 *
 * Garcia-Molina and Salem, "Sagas" (SIGMOD 1987), section 1: each step Ti is a transaction that
 * commits on its own, and its compensation Ci "undoes, from a semantic point of view, any of the
 * actions performed by Ti"; Ci is only ever needed for a Ti that committed. Commands and events
 * arrive at least once, in any order, so the rule is idempotent: the step's durable status says
 * whether an input was already taken (a duplicate Do after the step, or a late one after its
 * compensation, changes nothing).
 */
#include "lab.h"

ev_kind service_react(sim_node *n, saga_state *s, uint32_t saga, ev_kind input) {
  if (saga < 1 || saga > SAGA_MAX) return EV_NONE;
  uint8_t *st = &s->disk.status[saga];
  if (input == EV_DO && *st == STEP_NONE) {
    if (!service_can_do(s, saga)) {
      *st = STEP_REFUSED;
      return EV_REFUSED;
    }
    effect_apply(n, s, saga);
    *st = STEP_DONE;
    return EV_DONE;
  }
  if (input == EV_UNDO && *st == STEP_DONE) {
    effect_undo(n, s, saga);
    *st = STEP_COMPENSATED;
    return EV_COMPENSATED;
  }
  return EV_NONE; /* a duplicate, a late command, or nothing to undo */
}

void service_on_event(sim_node *n, saga_state *s, const saga_event *e) {
  int self = sim_self(n);
  ev_kind input = s->config.mode == MODE_CHOREOGRAPHY ? choreo_input(self, e) : (ev_kind)e->kind;
  ev_kind out = service_react(n, s, e->saga, input);
  if (out != EV_NONE) {
    int to = s->config.mode == MODE_CHOREOGRAPHY ? choreo_route(self, out) : e->from;
    outbox_add(&s->disk, self, to, e->saga, out);
    disk_commit(n, s); /* the state change and its event: one local transaction */
  }
  send_ack(n, e->from, e->id); /* only now: the effect is durable */
}
