/*
 * exercises/11-sagas/choreography.c: YOUR choreography for lab 11 (part D).
 *
 * Write parts A to C first. In a choreography nobody sends commands: each service reacts to its
 * neighbours' events. choreo_route says who consumes the event a service publishes,
 * choreo_input what an arriving event asks of a service, and choreo_order_react how the order
 * service learns that a saga ended. service_on_event and orchestrator_on_event call them when
 * config.mode is MODE_CHOREOGRAPHY.
 */
#include "lab.h"

int choreo_route(int self, ev_kind kind) {
  (void)self;
  (void)kind;
  TODO("choreo_route: Done goes forward (shipping's to the order), Refused/Compensated back");
}

ev_kind choreo_input(int self, const saga_event *e) {
  (void)self;
  (void)e;
  TODO("choreo_input: Placed or the previous Done -> Do; the next Refused/Compensated -> Undo");
}

bool choreo_order_react(saga_rec *r, int from, ev_kind kind) {
  (void)r;
  (void)from;
  (void)kind;
  TODO(
      "choreo_order_react: shipping's Done -> completed; payment's Refused/Compensated -> aborted");
}
