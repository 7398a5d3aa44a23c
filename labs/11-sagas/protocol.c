/*
 * labs/11-sagas/protocol.c: the fixed part of lab 11: message and timer tables, boot, the order
 * service's series of sagas, the dispatch of every message to your functions, the relay timer,
 * the helpers of lab.h (disk_commit, publish, the effect ledger) and the annotations.
 *
 * Boot loads the node's database (stable storage) into s->disk; that is the whole recovery: what
 * was committed is there, outbox included, and the relay publishes whatever is still
 * unacknowledged. n0 then goes on with the sagas its disk has not begun yet.
 *
 * After every handler (and at boot) protocol.c calls your relay, outbox_relay, and keeps the relay
 * timer armed while the outbox holds an unacknowledged entry, so an event leaves at once and is
 * published again every `retry` until its consumer acknowledges it.
 *
 * Each node annotates its role, its outbox ("2 pending / 9") and, per saga, its state ("s1" =
 * "done" on a service, "running step 2" on n0): `dsviz export --view states --key s1` draws one
 * saga's life on every node.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"

/* ---------------------------------------------------------------------------------------------
 * Names.
 */

const char *ev_name(ev_kind k) {
  static const char *const names[EV_KIND_COUNT] = {
      [EV_NONE] = "None",          [EV_DO] = "Do",
      [EV_UNDO] = "Undo",          [EV_DONE] = "Done",
      [EV_REFUSED] = "Refused",    [EV_COMPENSATED] = "Compensated",
      [EV_PLACED] = "Placed",      [EV_TRY] = "Try",
      [EV_CONFIRM] = "Confirm",    [EV_CANCEL] = "Cancel",
      [EV_RESERVED] = "Reserved",  [EV_CONFIRMED] = "Confirmed",
      [EV_CANCELLED] = "Cancelled"};
  return k >= 0 && k < EV_KIND_COUNT ? names[k] : "?";
}

const char *step_name(step_status st) {
  switch (st) {
    case STEP_NONE:
      return "none";
    case STEP_DONE:
      return "done";
    case STEP_REFUSED:
      return "refused";
    case STEP_COMPENSATED:
      return "compensated";
    case STEP_HELD:
      return "held";
    case STEP_CONFIRMED:
      return "confirmed";
    case STEP_CANCELLED:
      return "cancelled";
  }
  return "?";
}

const char *saga_phase_name(saga_phase p) {
  switch (p) {
    case SAGA_NEW:
      return "new";
    case SAGA_RUNNING:
      return "running";
    case SAGA_COMPENSATING:
      return "compensating";
    case SAGA_COMPLETED:
      return "completed";
    case SAGA_ABORTED:
      return "aborted";
    case SAGA_CONFIRMING:
      return "confirming";
    case SAGA_CANCELLING:
      return "cancelling";
  }
  return "?";
}

const char *service_name(int node) {
  static const char *const names[SAGA_NODES] = {"order", "payment", "inventory", "shipping"};
  return node >= 0 && node < SAGA_NODES ? names[node] : "?";
}

static void format_event(const void *body, char *out, size_t cap) {
  const saga_event *e = body;
  snprintf(out, cap, "s%u %s #%u", e->saga, ev_name((ev_kind)e->kind), e->id);
}

static void format_ack(const void *body, char *out, size_t cap) {
  const ack_body *a = body;
  snprintf(out, cap, "#%u", a->id);
}

static const sim_msg_type saga_types[MSG_TYPE_COUNT] = {
    [MSG_EVENT] = {"Event", sizeof(saga_event), format_event},
    [MSG_ACK] = {"Ack", sizeof(ack_body), format_ack},
};

static const char *const saga_timers[TIMER_KIND_COUNT] = {
    [TIMER_RELAY] = "relay", [TIMER_BEGIN] = "begin"};

/* ---------------------------------------------------------------------------------------------
 * Helpers (lab.h).
 */

saga_timing saga_default_timing(void) {
  saga_timing t = {.relay_every = 10 * SIM_MS, .retry = 40 * SIM_MS, .hold = 2 * SIM_SEC};
  return t;
}

static bool valid_saga(uint32_t saga) { return saga >= 1 && saga <= SAGA_MAX; }

void disk_describe(const saga_disk *before, const saga_disk *after, char *out, size_t cap) {
  size_t at = (size_t)snprintf(out, cap, "commit");
  const char *sep = ": ";
  for (uint32_t t = 1; t <= SAGA_MAX && at < cap; t++) {
    if (after->status[t] != before->status[t]) {
      at += (size_t)snprintf(out + at, cap - at, "%ss%u %s", sep, t,
                             step_name((step_status)after->status[t]));
      sep = ", ";
    }
    if (at < cap && (after->saga[t].phase != before->saga[t].phase ||
                     after->saga[t].step != before->saga[t].step ||
                     after->saga[t].heard != before->saga[t].heard)) {
      at += (size_t)snprintf(out + at, cap - at, "%ss%u %s", sep, t,
                             saga_phase_name((saga_phase)after->saga[t].phase));
      if (at < cap && after->saga[t].step > 0 &&
          (after->saga[t].phase == SAGA_RUNNING || after->saga[t].phase == SAGA_COMPENSATING))
        at += (size_t)snprintf(out + at, cap - at, " step %d", after->saga[t].step);
      sep = ", ";
    }
  }
  uint32_t n = after->out.count <= OUTBOX_MAX ? after->out.count : OUTBOX_MAX;
  for (uint32_t e = 0; e < n && at < cap; e++) {
    const outbox_entry *x = &after->out.entry[e];
    if (e >= before->out.count) {
      at += (size_t)snprintf(out + at, cap - at, "%soutbox + s%u %s #%u", sep, x->ev.saga,
                             ev_name((ev_kind)x->ev.kind), x->ev.id);
      sep = ", ";
    } else if (x->acked && !before->out.entry[e].acked) {
      at += (size_t)snprintf(out + at, cap - at, "%s#%u acked", sep, x->ev.id);
      sep = ", ";
    }
  }
  if (at < cap && sep[0] == ':') snprintf(out + at, cap - at, " (no change)");
}

void disk_commit(sim_node *n, saga_state *s) {
  s->commits++;
  saga_disk before;
  char what[160];
  sim_stable_read(n, 0, &before, sizeof before);
  disk_describe(&before, &s->disk, what, sizeof what);
  sim_note(n, "%s", what);
  /* The checks count this local event as the commit (it comes first: if the write is a crash
   * point, nothing of this node is seen after it). */
  sim_local_event(n);
  sim_stable_write(n, 0, &s->disk, sizeof s->disk);
}

void publish(sim_node *n, saga_state *s, const saga_event *e) {
  if (e->to < 0 || e->to >= sim_node_count(n) || e->to == sim_self(n)) return;
  s->published++;
  sim_send(n, e->to, MSG_EVENT, e);
}

void send_ack(sim_node *n, int to, uint32_t id) {
  ack_body a = {.id = id};
  if (to >= 0 && to < sim_node_count(n) && to != sim_self(n)) sim_send(n, to, MSG_ACK, &a);
}

/* What a step and its compensation mean on each service, for the notes. */
static const char *const effect_do[SAGA_NODES] = {"-", "charge the card", "reserve the goods",
                                                  "ship the parcel"};
static const char *const effect_undo_text[SAGA_NODES] = {"-", "refund the card",
                                                         "release the goods", "recall the parcel"};

void effect_apply(sim_node *n, saga_state *s, uint32_t saga) {
  if (!valid_saga(saga)) return;
  s->disk.applied[saga]++;
  int self = sim_self(n);
  sim_note(n, "s%u: %s", saga, self >= 0 && self < SAGA_NODES ? effect_do[self] : "-");
}

void effect_undo(sim_node *n, saga_state *s, uint32_t saga) {
  if (!valid_saga(saga)) return;
  s->disk.undone[saga]++;
  int self = sim_self(n);
  sim_note(n, "s%u: %s", saga, self >= 0 && self < SAGA_NODES ? effect_undo_text[self] : "-");
}

bool service_can_do(const saga_state *s, uint32_t saga) {
  return saga < 32 && !(s->config.refuse & (1u << saga));
}

/* ---------------------------------------------------------------------------------------------
 * Annotations.
 */

/* TCC: how many participants a heard mask names. */
static int heard_count(int32_t heard) {
  int c = 0;
  for (int k = 1; k <= SAGA_STEPS; k++) c += (heard >> k) & 1;
  return c;
}

static void annotate(sim_node *n, const saga_state *s) {
  int self = sim_self(n);
  sim_annotate(n, "role", "%s", service_name(self));
  uint32_t pending = 0, count = s->disk.out.count <= OUTBOX_MAX ? s->disk.out.count : 0;
  for (uint32_t i = 0; i < count; i++) pending += !s->disk.out.entry[i].acked;
  sim_annotate(n, "outbox", "%u pending / %u", pending, count);
  for (uint32_t t = 1; t <= SAGA_MAX; t++) {
    char key[8];
    snprintf(key, sizeof key, "s%u", t);
    if (self == SAGA_ORDER) {
      const saga_rec *r = &s->disk.saga[t];
      if (r->phase == SAGA_NEW) continue;
      if (s->config.mode == MODE_TCC && r->phase != SAGA_COMPLETED && r->phase != SAGA_ABORTED)
        sim_annotate(n, key, "%s (heard %d of 3)",
                     r->phase == SAGA_RUNNING ? "trying" : saga_phase_name((saga_phase)r->phase),
                     heard_count(r->heard));
      else if ((r->phase == SAGA_RUNNING || r->phase == SAGA_COMPENSATING) && r->step > 0)
        sim_annotate(n, key, "%s step %d", saga_phase_name((saga_phase)r->phase), r->step);
      else
        sim_annotate(n, key, "%s", saga_phase_name((saga_phase)r->phase));
    } else if (s->disk.status[t] != STEP_NONE) {
      sim_annotate(n, key, "%s", step_name((step_status)s->disk.status[t]));
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * The relay timer and the order service's series of sagas.
 */

static bool has_pending(const saga_state *s) {
  uint32_t count = s->disk.out.count <= OUTBOX_MAX ? s->disk.out.count : 0;
  for (uint32_t i = 0; i < count; i++)
    if (!s->disk.out.entry[i].acked) return true;
  return false;
}

/* TCC participant: a reservation held (status HELD) still waits for its Confirm or Cancel. */
static bool holds_any(const saga_state *s) {
  for (uint32_t t = 1; t <= SAGA_MAX; t++)
    if (s->disk.status[t] == STEP_HELD) return true;
  return false;
}

/* TCC participant: cancel every reservation whose hold expired, through the same rule as a
 * Cancel from the coordinator; the Cancelled goes to n0 through the outbox, one commit each. */
static void expire(sim_node *n, saga_state *s) {
  for (uint32_t t = 1; t <= SAGA_MAX; t++) {
    if (s->disk.status[t] != STEP_HELD || sim_clock(n) < s->disk.hold_until[t]) continue;
    sim_note(n, "s%u: the reservation expired", t);
    if (tcc_participant_react(n, s, t, EV_CANCEL) == EV_CANCELLED) {
      /* Withdraw the Reserved that n0 has not acknowledged: from now on it would be a lie. */
      for (uint32_t i = 0; i < s->disk.out.count && i < OUTBOX_MAX; i++) {
        outbox_entry *x = &s->disk.out.entry[i];
        if (x->ev.saga == t && x->ev.kind == EV_RESERVED) x->acked = true;
      }
      outbox_add(&s->disk, sim_self(n), SAGA_ORDER, t, EV_CANCELLED);
      disk_commit(n, s);
    }
  }
}

/* After every handler: publish what is due, and keep the relay ticking while anything waits
 * (in TCC, also while a participant holds a reservation: the same timer checks its expiry). */
static void relay(sim_node *n, saga_state *s) {
  if (s->config.naive && sim_self(n) != SAGA_ORDER) return;
  bool tcc_holds = s->config.mode == MODE_TCC && sim_self(n) != SAGA_ORDER;
  if (tcc_holds) expire(n, s);
  outbox_relay(n, s);
  if (!s->relay_armed && (has_pending(s) || (tcc_holds && holds_any(s)))) {
    s->relay_armed = true;
    sim_timer_set(n, TIMER_RELAY, s->config.timing.relay_every, 0);
  }
}

/* n0: arm the timer for the next saga the disk has not begun. */
static void pace(sim_node *n, saga_state *s) {
  while (s->next_saga <= s->config.sagas && s->disk.saga[s->next_saga].phase != SAGA_NEW)
    s->next_saga++;
  if (s->next_saga > s->config.sagas) return;
  sim_time when = s->config.start + (s->next_saga - 1) * s->config.gap, now = sim_clock(n);
  sim_timer_set(n, TIMER_BEGIN, when > now ? when - now : 1, s->next_saga);
}

/* ---------------------------------------------------------------------------------------------
 * The dual-write demonstration (config.naive): what a service looks like without an outbox. It
 * commits its state change, and then sends the event straight to the orchestrator: a crash
 * between the two loses the event for good (a retried command finds the step already done and
 * has nothing to announce). Only the scenario dual-write uses it.
 */
static void naive_service_on_event(sim_node *n, saga_state *s, const saga_event *e) {
  ev_kind out = service_react(n, s, e->saga, (ev_kind)e->kind);
  if (out != EV_NONE) {
    disk_commit(n, s); /* the state change ... */
    saga_event ev = {.id = ++s->disk.out.last_id,
                     .from = sim_self(n),
                     .to = e->from,
                     .saga = e->saga,
                     .kind = out};
    publish(n, s, &ev); /* ... and, separately, its event */
  }
  send_ack(n, e->from, e->id);
}

/* ---------------------------------------------------------------------------------------------
 * TCC (part E): the fixed handlers around your rules. They reuse part A as it is: a decision and
 * the events announcing it go to disk in one commit, and the Ack follows the commit.
 */

/* Put `kind` for saga t into the outbox, to each node of `to` (count of them), and commit once. */
static void announce(sim_node *n, saga_state *s, uint32_t t, const int *to, int count,
                     ev_kind kind) {
  for (int i = 0; i < count; i++) outbox_add(&s->disk, sim_self(n), to[i], t, kind);
  disk_commit(n, s);
}

static const int participants[SAGA_STEPS] = {SAGA_PAYMENT, SAGA_INVENTORY, SAGA_SHIPPING};

/* n0 begins saga t: trying, and a Try to every participant, in one commit. */
static void tcc_begin(sim_node *n, saga_state *s, uint32_t t) {
  s->disk.saga[t] = (saga_rec){.phase = SAGA_RUNNING};
  announce(n, s, t, participants, SAGA_STEPS, EV_TRY);
}

/* An event at a TCC node: the coordinator's or the participant's rule, then the Ack. */
static void tcc_on_event(sim_node *n, saga_state *s, const saga_event *e) {
  if (sim_self(n) == SAGA_ORDER) {
    ev_kind cmd = EV_NONE;
    if (tcc_react(&s->disk.saga[e->saga], e->from, (ev_kind)e->kind, &cmd))
      announce(n, s, e->saga, participants, cmd == EV_NONE ? 0 : SAGA_STEPS, cmd);
  } else {
    ev_kind out = tcc_participant_react(n, s, e->saga, (ev_kind)e->kind);
    if (out != EV_NONE) announce(n, s, e->saga, &e->from, 1, out);
  }
  send_ack(n, e->from, e->id); /* only now: the decision is durable */
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

/* Copy the configuration into the (zeroed) state and load the database. */
static void load(sim_node *n, saga_state *s) {
  size_t size = 0;
  const saga_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  if (s->config.sagas > SAGA_MAX) s->config.sagas = SAGA_MAX;
  sim_stable_read(n, 0, &s->disk, sizeof s->disk);
}

static void saga_boot(sim_node *n, void *state) {
  saga_state *s = state;
  load(n, s);
  if (sim_self(n) == SAGA_ORDER) {
    s->next_saga = 1;
    pace(n, s);
  }
  relay(n, s);
  annotate(n, s);
}

static void saga_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  saga_state *s = state;
  if (from < 0 || from >= sim_node_count(n) || from == sim_self(n)) return;
  if (type == MSG_ACK) {
    outbox_on_ack(n, s, ((const ack_body *)body)->id);
  } else if (type == MSG_EVENT) {
    const saga_event *e = body;
    if (!valid_saga(e->saga) || e->from != from || e->to != sim_self(n)) return;
    if (s->config.mode == MODE_TCC)
      tcc_on_event(n, s, e);
    else if (sim_self(n) == SAGA_ORDER)
      orchestrator_on_event(n, s, e);
    else if (s->config.naive)
      naive_service_on_event(n, s, e);
    else
      service_on_event(n, s, e);
  }
  relay(n, s);
  annotate(n, s);
}

static void saga_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  saga_state *s = state;
  if (kind == TIMER_RELAY) {
    s->relay_armed = false;
  } else if (kind == TIMER_BEGIN && sim_self(n) == SAGA_ORDER) {
    uint32_t saga = (uint32_t)arg;
    if (valid_saga(saga) && saga <= s->config.sagas && s->disk.saga[saga].phase == SAGA_NEW) {
      if (s->config.mode == MODE_TCC)
        tcc_begin(n, s, saga);
      else
        saga_begin(n, s, saga);
    }
    s->next_saga = saga + 1;
    pace(n, s);
  }
  relay(n, s);
  annotate(n, s);
}

const sim_protocol saga_protocol = {
    .name = "sagas",
    .state_size = sizeof(saga_state),
    .stable_size = sizeof(saga_disk),
    .msg_types = saga_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = saga_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = saga_boot,
    .on_message = saga_on_message,
    .on_timer = saga_on_timer,
};

/* ---------------------------------------------------------------------------------------------
 * The inert protocol, for unit tests.
 */

static void inert_boot(sim_node *n, void *state) { load(n, state); }

const sim_protocol saga_inert_protocol = {
    .name = "sagas (inert)",
    .state_size = sizeof(saga_state),
    .stable_size = sizeof(saga_disk),
    .msg_types = saga_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = saga_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = inert_boot,
    .on_message = NULL, /* every message and timer is ignored */
    .on_timer = NULL,
};
