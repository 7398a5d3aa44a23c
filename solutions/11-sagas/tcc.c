/*
 * solutions/11-sagas/tcc.c: the reference TCC rules for lab 11 (part E): try / confirm / cancel.
 *
 * TCC is an industry pattern, not a paper. A saga makes each step visible at once and undoes it
 * later; TCC splits each step in two. Try reserves the resource tentatively (the funds are held,
 * not taken; the goods are set aside); Confirm makes every reservation final, and only once every
 * Try succeeded; otherwise Cancel releases them. The participant's durable status makes each
 * command idempotent, and it handles the three anomalies of an at-least-once network: a repeated
 * Confirm or Cancel (changes nothing), a Cancel that arrives before its Try (an "empty cancel",
 * remembered as cancelled so that the late Try is refused: anti-hanging), and a reservation
 * nobody ever decides on (it expires after timing.hold, and the participant cancels it itself).
 */
#include "lab.h"

ev_kind tcc_participant_react(sim_node *n, saga_state *s, uint32_t saga, ev_kind input) {
  if (saga < 1 || saga > SAGA_MAX) return EV_NONE;
  uint8_t *st = &s->disk.status[saga];
  if (input == EV_TRY && *st == STEP_NONE) {
    if (!service_can_do(s, saga)) {
      *st = STEP_REFUSED;
      return EV_REFUSED;
    }
    effect_apply(n, s, saga); /* the reservation: held, not final */
    s->disk.hold_until[saga] = sim_clock(n) + s->config.timing.hold;
    *st = STEP_HELD;
    return EV_RESERVED;
  }
  if (input == EV_CONFIRM && *st == STEP_HELD) {
    *st = STEP_CONFIRMED;
    return EV_CONFIRMED;
  }
  if (input == EV_CANCEL && (*st == STEP_HELD || *st == STEP_NONE || *st == STEP_REFUSED)) {
    if (*st == STEP_HELD) effect_undo(n, s, saga); /* otherwise an empty cancel: nothing held */
    *st = STEP_CANCELLED;
    return EV_CANCELLED;
  }
  return EV_NONE; /* a repeat, a Try after its Cancel, or a Confirm/Cancel after the other */
}

/* Mark participant `from` heard; true when all three have been. */
static bool hear(saga_rec *r, int from) {
  r->heard |= 1 << from;
  return r->heard == ((1 << SAGA_PAYMENT) | (1 << SAGA_INVENTORY) | (1 << SAGA_SHIPPING));
}

bool tcc_react(saga_rec *r, int from, ev_kind kind, ev_kind *cmd) {
  *cmd = EV_NONE;
  if (from < SAGA_PAYMENT || from > SAGA_SHIPPING || (r->heard & (1 << from))) return false;
  if (r->phase == SAGA_RUNNING && kind == EV_RESERVED) {
    if (hear(r, from)) {
      r->phase = SAGA_CONFIRMING; /* every Try reserved: the decision is Confirm, for good */
      r->heard = 0;
      *cmd = EV_CONFIRM;
    }
    return true;
  }
  if (r->phase == SAGA_RUNNING && (kind == EV_REFUSED || kind == EV_CANCELLED)) {
    r->failed = from;
    r->phase = SAGA_CANCELLING; /* one failure: cancel everyone, tried or not */
    r->heard = kind == EV_CANCELLED ? 1 << from : 0;
    *cmd = EV_CANCEL;
    return true;
  }
  if ((r->phase == SAGA_CONFIRMING && kind == EV_CONFIRMED) ||
      (r->phase == SAGA_CANCELLING && kind == EV_CANCELLED)) {
    if (hear(r, from)) r->phase = r->phase == SAGA_CONFIRMING ? SAGA_COMPLETED : SAGA_ABORTED;
    return true;
  }
  return false;
}
