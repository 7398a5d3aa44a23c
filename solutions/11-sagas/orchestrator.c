/*
 * solutions/11-sagas/orchestrator.c: the reference orchestrator for lab 11 (part C), on the order
 * service n0.
 *
 * Garcia-Molina and Salem, "Sagas" (SIGMOD 1987), section 1: the system guarantees that either
 * T1, T2, ..., Tn runs, or T1, ..., Tj, Cj, ..., C1 for some j < n. The orchestrator keeps that
 * order in its database: one step at a time forward, and after a refusal one compensation at a
 * time backward, starting from the last step that committed (what the paper calls backward
 * recovery). Its record says which result it waits for; any other result is a duplicate or a
 * late copy and changes nothing.
 */
#include "lab.h"

bool saga_react(saga_rec *r, int from, ev_kind kind, int *cmd_to, ev_kind *cmd_kind) {
  *cmd_to = -1; /* no command (yet): -1 by convention */
  *cmd_kind = EV_NONE;
  if (from != r->step) return false;
  if (r->phase == SAGA_RUNNING && kind == EV_DONE) {
    if (r->step == SAGA_STEPS) {
      r->phase = SAGA_COMPLETED;
      return true;
    }
    r->step++;
    *cmd_to = r->step;
    *cmd_kind = EV_DO;
    return true;
  }
  if (r->phase == SAGA_RUNNING && kind == EV_REFUSED) {
    r->failed = r->step;
    if (r->step == 1) {
      r->phase = SAGA_ABORTED; /* nothing committed, nothing to compensate */
      return true;
    }
    r->phase = SAGA_COMPENSATING;
    r->step--; /* the refused step did not commit: start with the one before it */
    *cmd_to = r->step;
    *cmd_kind = EV_UNDO;
    return true;
  }
  if (r->phase == SAGA_COMPENSATING && kind == EV_COMPENSATED) {
    if (r->step == 1) {
      r->phase = SAGA_ABORTED;
      return true;
    }
    r->step--;
    *cmd_to = r->step;
    *cmd_kind = EV_UNDO;
    return true;
  }
  return false;
}

void saga_begin(sim_node *n, saga_state *s, uint32_t saga) {
  saga_rec *r = &s->disk.saga[saga];
  r->phase = SAGA_RUNNING;
  r->failed = 0;
  if (s->config.mode == MODE_CHOREOGRAPHY) {
    r->step = 0;
    outbox_add(&s->disk, sim_self(n), SAGA_PAYMENT, saga, EV_PLACED);
  } else {
    r->step = 1;
    outbox_add(&s->disk, sim_self(n), SAGA_PAYMENT, saga, EV_DO);
  }
  disk_commit(n, s); /* the saga and its first command or event, together */
}

void orchestrator_on_event(sim_node *n, saga_state *s, const saga_event *e) {
  saga_rec *r = &s->disk.saga[e->saga];
  if (s->config.mode == MODE_CHOREOGRAPHY) {
    if (choreo_order_react(r, e->from, (ev_kind)e->kind)) disk_commit(n, s);
  } else {
    int to;
    ev_kind cmd;
    if (saga_react(r, e->from, (ev_kind)e->kind, &to, &cmd)) {
      if (cmd != EV_NONE) outbox_add(&s->disk, sim_self(n), to, e->saga, cmd);
      disk_commit(n, s);
    }
  }
  send_ack(n, e->from, e->id);
}
