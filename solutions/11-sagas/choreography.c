/*
 * solutions/11-sagas/choreography.c: the reference choreography for lab 11 (part D).
 *
 * Nobody holds the saga's state: each service knows its neighbours and reacts to their events.
 * The forward chain is Placed -> payment, payment's Done -> inventory, inventory's Done ->
 * shipping, shipping's Done -> order. A refusal travels backward, and each service that had
 * committed compensates and passes a Compensated further back, so the compensations still run
 * in reverse order (Garcia-Molina and Salem, section 1) without a coordinator.
 */
#include "lab.h"

int choreo_route(int self, ev_kind kind) {
  if (kind == EV_DONE) return self == SAGA_SHIPPING ? SAGA_ORDER : self + 1;
  if (kind == EV_REFUSED || kind == EV_COMPENSATED)
    return self == SAGA_PAYMENT ? SAGA_ORDER : self - 1;
  return -1;
}

ev_kind choreo_input(int self, const saga_event *e) {
  if (self == SAGA_PAYMENT && e->from == SAGA_ORDER && e->kind == EV_PLACED) return EV_DO;
  if (self > SAGA_PAYMENT && e->from == self - 1 && e->kind == EV_DONE) return EV_DO;
  if (self < SAGA_SHIPPING && e->from == self + 1 &&
      (e->kind == EV_REFUSED || e->kind == EV_COMPENSATED))
    return EV_UNDO;
  return EV_NONE;
}

bool choreo_order_react(saga_rec *r, int from, ev_kind kind) {
  if (r->phase != SAGA_RUNNING) return false;
  if (from == SAGA_SHIPPING && kind == EV_DONE) {
    r->phase = SAGA_COMPLETED;
    return true;
  }
  if (from == SAGA_PAYMENT && (kind == EV_REFUSED || kind == EV_COMPENSATED)) {
    r->phase = SAGA_ABORTED;
    return true;
  }
  return false;
}
