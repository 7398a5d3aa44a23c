/*
 * labs/11-sagas/scenarios.c: lab 11's scenarios and checks, shared by the driver and the tests.
 *
 * Every check reads the ground truth: the nodes' stable storage (what is durable, not what a node
 * believes) and the messages the library saw. After every event:
 *
 *   step-once                  no service's step of a saga took effect twice, and no
 *                              compensation ran twice (the effect ledger, written only by
 *                              effect_apply and effect_undo);
 *   compensation-after-step    a compensation only undoes a step that took effect;
 *   saga-order                 a step is in effect only while the step before it is
 *                              (Garcia-Molina and Salem, section 1: T1 .. Tj, then Cj .. C1): a
 *                              step never runs before its predecessor committed, and a
 *                              predecessor is never compensated while a later step still holds;
 *   outbox                     every committed state change has its event in the same node's
 *                              outbox, exactly once, addressed to its consumer, and nothing else
 *                              is there (a service: Done for a done step, Refused for a refused
 *                              one, Done and Compensated for a compensated one; the order
 *                              service: the command or event its record of the saga waits on).
 *
 * At the end (a deadline of virtual time, or earlier once everything is settled): every saga
 * is whole, either completed (every step in effect, and no service refuses it) or compensated
 * (no step in effect, and some service refuses it), and every outbox entry was acknowledged:
 * no event is left unpublished. A saga that did not end is explained by following its
 * events: which step n0 waits for, what that service's disk says, whose event is missing or
 * unacknowledged.
 *
 * Crash points (crash-point, choreo-crash-point): the seed picks a node and an action k; the node
 * crashes right after its k-th action (a send or a disk commit, counted as sim_crash_after
 * counts them) and restarts 150 ms later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

typedef struct setup {
  saga_mode mode;
  uint32_t sagas;
  uint32_t refuse[SAGA_NODES]; /* bit t: the service refuses saga t */
  sim_net_config net;
  bool naive;  /* the dual-write demonstration */
  int cp_node; /* crash point: this node crashes after its cp_k-th action (-1: none) */
  uint32_t cp_k;
  sim_time down;      /* ... and restarts this much later */
  int random_crashes; /* crashes drawn from the seed, in [10 ms, 250 ms), down 30 .. 200 ms */
  sim_time deadline;
  bool expire; /* TCC: every transaction's reservations expire (n0 is down too long) */
} setup;

typedef struct scenario_data {
  lab11_record rec; /* first: run->lab_data is read as a lab11_record by the tests */
  setup su;
  bool cp_cancelled;
  uint32_t sent_kind[SAGA_NODES][SAGA_MAX + 1][EV_KIND_COUNT]; /* Event messages by producer */
} scenario_data;

static const saga_disk *disk_of(sim_world *w, int i) { return sim_stable(w, i); }

/* The step each service runs, and its compensation, for the reports. */
static const char *const doing[SAGA_NODES] = {"-", "charge the card", "reserve the goods",
                                              "ship the parcel"};

/* The first service (in step order) that refuses saga t, or 0. */
static int refuser(const setup *su, uint32_t t) {
  for (int k = 1; k <= SAGA_STEPS; k++)
    if (su->refuse[k] & (1u << t)) return k;
  return 0;
}

/* Where service k's event of `kind` goes (the checks' own routing, not yours). */
static int consumer_of(saga_mode mode, int k, ev_kind kind) {
  if (mode == MODE_ORCHESTRATION) return SAGA_ORDER;
  if (kind == EV_DONE) return k == SAGA_SHIPPING ? SAGA_ORDER : k + 1;
  return k == SAGA_PAYMENT ? SAGA_ORDER : k - 1;
}

static bool live(const saga_disk *d, uint32_t t) { return d->applied[t] > d->undone[t]; }

/* ---------------------------------------------------------------------------------------------
 * The observer: counts actions as the crash points do, and sets off the crash point's restart.
 */

/* What the commit node i is about to make changes (disk_describe against its stable storage). */
static void describe_commit(sim_world *w, int i, char *out, size_t cap) {
  const saga_state *s = sim_state(w, i);
  disk_describe(disk_of(w, i), &s->disk, out, cap);
}

static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  scenario_data *d = ctx;
  lab11_record *rec = &d->rec;
  int i = ev->node;
  if (i < 0 || i >= SAGA_NODES) return;
  bool action = false;
  if (ev->kind == SIM_EV_SEND) {
    action = true;
    if (ev->msg_type == MSG_EVENT) {
      const saga_event *e = ev->body;
      rec->events_sent++;
      if (e->saga <= SAGA_MAX && e->kind > 0 && e->kind < EV_KIND_COUNT)
        d->sent_kind[i][e->saga][e->kind]++;
      snprintf(rec->last_action[i], sizeof rec->last_action[i], "publish s%u %s #%u to n%d",
               e->saga, ev_name((ev_kind)e->kind), e->id, ev->peer);
    } else {
      rec->acks_sent++;
      snprintf(rec->last_action[i], sizeof rec->last_action[i], "Ack #%u to n%d",
               ((const ack_body *)ev->body)->id, ev->peer);
    }
  } else if (ev->kind == SIM_EV_LOCAL) {
    action = true;
    describe_commit(w, i, rec->last_action[i], sizeof rec->last_action[i]);
  } else if (ev->kind == SIM_EV_CRASH) {
    rec->crashes[i]++;
    if (i == rec->cp_node && !rec->cp_reached) d->cp_cancelled = true;
  }
  if (!action) return;
  rec->actions[i]++;
  if (i == rec->cp_node && !rec->cp_reached && !d->cp_cancelled && rec->actions[i] == rec->cp_k) {
    rec->cp_reached = true;
    rec->cp_at = ev->time;
    snprintf(rec->cp_what, sizeof rec->cp_what, "%s", rec->last_action[i]);
    sim_restart_at(w, ev->time + d->su.down, i);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Invariants, after every event.
 */

/* "(orchestration: ...; choreography: ...)": who decides that a step runs. */
static const char *order_hint(saga_mode mode) {
  return mode == MODE_ORCHESTRATION
             ? "saga_react must move a saga only on the result of the step it waits for (any "
               "other event, a duplicate or a late one, changes nothing)"
             : "choreo_input must start a step only on the previous service's Done (payment: "
               "on Placed) and compensate only on the next service's Refused or Compensated";
}

static bool step_once(sim_world *w, void *ctx, char *why, size_t cap) {
  const scenario_data *d = ctx;
  for (int k = 1; k <= SAGA_STEPS; k++) {
    const saga_disk *x = disk_of(w, k);
    for (uint32_t t = 1; t <= d->rec.sagas; t++) {
      if (x->applied[t] > 1) {
        snprintf(why, cap,
                 "%s (n%d) applied its step of saga %u %u times (%s): a repeated Do was taken "
                 "as new. service_react must change nothing unless the step's status is none",
                 service_name(k), k, t, x->applied[t], doing[k]);
        return false;
      }
      if (x->undone[t] > 1) {
        snprintf(why, cap,
                 "%s (n%d) compensated its step of saga %u %u times: a repeated Undo was taken "
                 "as new. service_react must undo only a step whose status is done",
                 service_name(k), k, t, x->undone[t]);
        return false;
      }
    }
  }
  return true;
}

static bool compensation_after_step(sim_world *w, void *ctx, char *why, size_t cap) {
  const scenario_data *d = ctx;
  for (int k = 1; k <= SAGA_STEPS; k++) {
    const saga_disk *x = disk_of(w, k);
    for (uint32_t t = 1; t <= d->rec.sagas; t++)
      if (x->undone[t] > x->applied[t]) {
        snprintf(why, cap,
                 "%s (n%d) compensated saga %u, whose step never took effect (its status: %s): "
                 "a compensation undoes a step that committed, nothing else. service_react "
                 "must answer an Undo only when the status is done",
                 service_name(k), k, t, step_name((step_status)x->status[t]));
        return false;
      }
  }
  return true;
}

static bool saga_order(sim_world *w, void *ctx, char *why, size_t cap) {
  const scenario_data *d = ctx;
  if (d->su.mode == MODE_TCC) return true; /* TCC tries every step at once */
  for (uint32_t t = 1; t <= d->rec.sagas; t++)
    for (int k = 2; k <= SAGA_STEPS; k++) {
      const saga_disk *x = disk_of(w, k), *prev = disk_of(w, k - 1);
      if (!live(x, t) || live(prev, t)) continue;
      if (prev->applied[t] == 0)
        snprintf(why, cap,
                 "saga %u: %s (n%d) did its step (%s) before %s (n%d) did its own: a step runs "
                 "only after the one before it committed. %s",
                 t, service_name(k), k, doing[k], service_name(k - 1), k - 1,
                 order_hint(d->su.mode));
      else
        snprintf(why, cap,
                 "saga %u: %s (n%d) was compensated while %s (n%d) still holds its step: "
                 "compensations run in reverse order, the last committed step first. %s",
                 t, service_name(k - 1), k - 1, service_name(k), k, order_hint(d->su.mode));
      return false;
    }
  return true;
}

/* The entries of an outbox for saga t of a kind (and, if to >= 0, to that node). */
static int entries(const outbox *o, uint32_t t, ev_kind kind, int to) {
  int c = 0;
  uint32_t n = o->count <= OUTBOX_MAX ? o->count : OUTBOX_MAX;
  for (uint32_t e = 0; e < n; e++)
    c += o->entry[e].ev.saga == t && o->entry[e].ev.kind == (int32_t)kind &&
         (to < 0 || o->entry[e].ev.to == to);
  return c;
}

/* A service's outbox against its step statuses. */
static bool service_outbox(const scenario_data *d, int k, const saga_disk *x, char *why,
                           size_t cap) {
  saga_mode mode = d->su.mode;
  for (uint32_t t = 1; t <= SAGA_MAX; t++) {
    step_status st = (step_status)x->status[t];
    int want[EV_KIND_COUNT] = {0};
    if (st == STEP_DONE || st == STEP_COMPENSATED) want[EV_DONE] = 1;
    if (st == STEP_REFUSED) want[EV_REFUSED] = 1;
    if (st == STEP_COMPENSATED) want[EV_COMPENSATED] = 1;
    for (int kind = 1; kind < EV_KIND_COUNT; kind++) {
      int got = entries(&x->out, t, (ev_kind)kind, -1);
      if (got == want[kind]) continue;
      if (got < want[kind])
        snprintf(why, cap,
                 "%s (n%d) committed saga %u as %s, but its outbox holds no %s for it: the "
                 "state change went to disk without its event, and nobody will ever hear of "
                 "it. Add the event with outbox_add before the one disk_commit that writes the "
                 "change (service_on_event)",
                 service_name(k), k, t, step_name(st), ev_name((ev_kind)kind));
      else if (want[kind])
        snprintf(why, cap,
                 "%s (n%d)'s outbox holds %d %s events for saga %u: one state change is "
                 "announced by exactly one event, or its consumer hears it %d times as "
                 "different events. A repeated input must add nothing (service_react returns "
                 "EV_NONE for it)",
                 service_name(k), k, got, ev_name((ev_kind)kind), t, got);
      else
        snprintf(why, cap,
                 "%s (n%d)'s outbox holds a %s for saga %u, but its disk says the step is %s: "
                 "an event must announce a change that was committed with it",
                 service_name(k), k, ev_name((ev_kind)kind), t, step_name(st));
      return false;
    }
    for (int kind = EV_DONE; kind <= EV_COMPENSATED; kind++) {
      if (!want[kind]) continue;
      int to = consumer_of(mode, k, (ev_kind)kind);
      if (entries(&x->out, t, (ev_kind)kind, to) == 1) continue;
      snprintf(why, cap, "%s (n%d)'s %s for saga %u is not addressed to n%d (%s), its consumer: %s",
               service_name(k), k, ev_name((ev_kind)kind), t, to, service_name(to),
               mode == MODE_ORCHESTRATION
                   ? "in an orchestration every result goes back to the orchestrator that sent "
                     "the command (e->from)"
                   : "choreo_route names who reacts to it");
      return false;
    }
  }
  return true;
}

/* The order service's outbox against its records of the sagas. */
static bool order_outbox(const scenario_data *d, const saga_disk *x, char *why, size_t cap) {
  bool orch = d->su.mode == MODE_ORCHESTRATION;
  uint32_t n = x->out.count <= OUTBOX_MAX ? x->out.count : OUTBOX_MAX;
  for (uint32_t e = 0; e < n; e++) {
    const saga_event *ev = &x->out.entry[e].ev;
    bool ok =
        orch ? (ev->kind == EV_DO || ev->kind == EV_UNDO) && ev->to >= 1 && ev->to <= SAGA_STEPS
             : ev->kind == EV_PLACED && ev->to == SAGA_PAYMENT;
    if (!ok) {
      snprintf(why, cap, "the order service's outbox holds %s #%u for saga %u to n%d: %s",
               ev_name(ev->kind), ev->id, ev->saga, ev->to,
               orch ? "an orchestrator sends only Do and Undo, to payment, inventory or shipping"
                    : "in a choreography the order service only publishes Placed, to payment");
      return false;
    }
    if (ev->saga >= 1 && ev->saga <= SAGA_MAX && entries(&x->out, ev->saga, ev->kind, ev->to) > 1) {
      snprintf(why, cap,
               "the order service's outbox holds %d %s events for saga %u to n%d: one step of "
               "the saga is announced once; a result the saga no longer waits for must add "
               "nothing (%s)",
               entries(&x->out, ev->saga, ev->kind, ev->to), ev_name(ev->kind), ev->saga, ev->to,
               orch ? "saga_react returns false for it" : "saga_begin runs once per saga");
      return false;
    }
  }
  for (uint32_t t = 1; t <= SAGA_MAX; t++) {
    const saga_rec *r = &x->saga[t];
    ev_kind kind = EV_NONE;
    int to = 0;
    if (!orch && r->phase != SAGA_NEW) kind = EV_PLACED, to = SAGA_PAYMENT;
    if (orch && r->phase == SAGA_RUNNING) kind = EV_DO, to = r->step;
    if (orch && r->phase == SAGA_COMPENSATING) kind = EV_UNDO, to = r->step;
    if (kind == EV_NONE || entries(&x->out, t, kind, to) == 1) continue;
    snprintf(why, cap,
             "the order service committed saga %u as %s (step %d), but its outbox holds no %s "
             "to n%d for it: the saga's new state went to disk without the %s that must follow, "
             "and it will wait for ever. Add it with outbox_add before the one disk_commit "
             "(%s)",
             t, saga_phase_name((saga_phase)r->phase), r->step, ev_name(kind), to,
             orch ? "command" : "event", orch ? "saga_begin, orchestrator_on_event" : "saga_begin");
    return false;
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * TCC (part E).
 */

/* tcc-all-or-nothing: no reservation is both confirmed and cancelled; no saga has one
 * participant confirmed and another cancelled; the coordinator confirms only when every
 * participant holds (or already confirmed) its reservation, and a cancelled reservation
 * holds nothing. */
static bool tcc_all_or_nothing(sim_world *w, void *ctx, char *why, size_t cap) {
  const scenario_data *d = ctx;
  if (d->su.mode != MODE_TCC) return true;
  const saga_disk *o = disk_of(w, SAGA_ORDER);
  for (uint32_t t = 1; t <= d->rec.sagas; t++) {
    int confirmed = 0, cancelled = 0;
    for (int k = 1; k <= SAGA_STEPS; k++) {
      const saga_disk *x = disk_of(w, k);
      step_status st = (step_status)x->status[t];
      confirmed += st == STEP_CONFIRMED;
      cancelled += st == STEP_CANCELLED;
      if (st == STEP_CONFIRMED && (x->undone[t] || !x->applied[t])) {
        snprintf(why, cap,
                 "%s (n%d) confirmed saga %u, but its reservation was %s: a Confirm makes a "
                 "held reservation final, nothing else (tcc_participant_react: Confirm only on "
                 "held)",
                 service_name(k), k, t, x->undone[t] ? "cancelled (undone)" : "never made");
        return false;
      }
      if (st == STEP_CANCELLED && live(x, t)) {
        snprintf(why, cap,
                 "%s (n%d) cancelled saga %u but still holds its reservation: a Cancel of a held "
                 "reservation releases it (effect_undo)",
                 service_name(k), k, t);
        return false;
      }
      bool decided_confirm =
          o->saga[t].phase == SAGA_CONFIRMING || o->saga[t].phase == SAGA_COMPLETED;
      if (decided_confirm && st != STEP_HELD && st != STEP_CONFIRMED) {
        snprintf(why, cap,
                 "the order service decided to confirm saga %u (%s), but %s (n%d) is %s: confirm "
                 "only after every participant's Reserved (tcc_react); a late Confirm cannot be "
                 "honoured, and the transaction is neither all nor nothing",
                 t, saga_phase_name((saga_phase)o->saga[t].phase), service_name(k), k,
                 step_name(st));
        return false;
      }
    }
    if (confirmed && cancelled) {
      snprintf(why, cap,
               "saga %u is confirmed at %d participant(s) and cancelled at %d: TCC is all or "
               "nothing (tcc_react must never send both Confirm and Cancel for one saga; "
               "tcc_participant_react must refuse a Cancel after Confirm)",
               t, confirmed, cancelled);
      return false;
    }
  }
  return true;
}

/* A TCC node's outbox: a participant holds one answer per status it went through, to n0; the
 * coordinator one command of each kind per participant, matching its phase. */
static bool tcc_outbox(const scenario_data *d, int i, const saga_disk *x, char *why, size_t cap) {
  (void)d;
  for (uint32_t t = 1; t <= SAGA_MAX; t++) {
    int want[EV_KIND_COUNT] = {0}, most[EV_KIND_COUNT] = {0};
    if (i == SAGA_ORDER) {
      saga_phase ph = (saga_phase)x->saga[t].phase;
      if (ph != SAGA_NEW) want[EV_TRY] = 3;
      if (ph == SAGA_CONFIRMING || ph == SAGA_COMPLETED) want[EV_CONFIRM] = 3;
      if (ph == SAGA_CANCELLING || ph == SAGA_ABORTED) want[EV_CANCEL] = 3;
    } else {
      step_status st = (step_status)x->status[t];
      if (x->applied[t]) want[EV_RESERVED] = 1;
      if (st == STEP_REFUSED) want[EV_REFUSED] = 1;
      if (st == STEP_CONFIRMED) want[EV_CONFIRMED] = 1;
      if (st == STEP_CANCELLED) {
        want[EV_CANCELLED] = 1;
        if (!x->applied[t]) most[EV_REFUSED] = 1; /* refused, then cancelled */
      }
    }
    for (int kind = 1; kind < EV_KIND_COUNT; kind++) {
      int got = entries(&x->out, t, (ev_kind)kind, -1);
      int to_ok = i == SAGA_ORDER ? 0 : entries(&x->out, t, (ev_kind)kind, SAGA_ORDER);
      if (i == SAGA_ORDER)
        for (int k = 1; k <= SAGA_STEPS; k++)
          to_ok += entries(&x->out, t, (ev_kind)kind, k) == (want[kind] ? 1 : 0);
      bool ok = (got == want[kind] || (got <= most[kind] && !want[kind])) &&
                (i == SAGA_ORDER ? to_ok == SAGA_STEPS : to_ok == got);
      if (ok) continue;
      snprintf(why, cap,
               "%s (n%d)'s outbox holds %d %s for saga %u where its disk (%s) calls for %d, one "
               "per %s: every committed decision has exactly one event per consumer, and a "
               "repeat adds nothing (%s returns %s for it)",
               service_name(i), i, got, ev_name((ev_kind)kind), t,
               i == SAGA_ORDER ? saga_phase_name((saga_phase)x->saga[t].phase)
                               : step_name((step_status)x->status[t]),
               want[kind], i == SAGA_ORDER ? "participant" : "status change, to the order service",
               i == SAGA_ORDER ? "tcc_react" : "tcc_participant_react",
               i == SAGA_ORDER ? "false" : "EV_NONE");
      return false;
    }
  }
  return true;
}

static bool outbox_check(sim_world *w, void *ctx, char *why, size_t cap) {
  const scenario_data *d = ctx;
  for (int i = 0; i < SAGA_NODES; i++) {
    const saga_disk *x = disk_of(w, i);
    if (x->out.count > OUTBOX_MAX) {
      snprintf(why, cap, "n%d's outbox count is %u, beyond OUTBOX_MAX (%d)", i, x->out.count,
               OUTBOX_MAX);
      return false;
    }
    for (uint32_t a = 0; a < x->out.count; a++)
      for (uint32_t b = a + 1; b < x->out.count; b++)
        if (x->out.entry[a].ev.id == x->out.entry[b].ev.id) {
          snprintf(why, cap,
                   "%s (n%d)'s outbox has two entries with id #%u: ids must be unique, or one "
                   "Ack acknowledges the wrong event (outbox_add: last_id + 1)",
                   service_name(i), i, x->out.entry[a].ev.id);
          return false;
        }
    if (d->su.mode == MODE_TCC) {
      if (!tcc_outbox(d, i, x, why, cap)) return false;
    } else if (i == SAGA_ORDER ? !order_outbox(d, x, why, cap)
                               : !d->su.naive && !service_outbox(d, i, x, why, cap))
      return false;
  }
  return true;
}

/* Not a check: note when each saga ended (n0's disk). */
static bool bookkeeping(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)why;
  (void)cap;
  scenario_data *d = ctx;
  const saga_disk *x = disk_of(w, SAGA_ORDER);
  for (uint32_t t = 1; t <= d->rec.sagas; t++)
    if (!d->rec.ended_at[t] &&
        (x->saga[t].phase == SAGA_COMPLETED || x->saga[t].phase == SAGA_ABORTED))
      d->rec.ended_at[t] = sim_now(w);
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Building a run.
 */

static setup base_setup(saga_mode mode) {
  setup su = {.mode = mode,
              .sagas = 6,
              .net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0, 0),
              .cp_node = -1,
              .down = 150 * SIM_MS,
              .deadline = 3 * SIM_SEC};
  /* payment declines saga 2, inventory has nothing for saga 4, shipping cannot ship saga 5. */
  su.refuse[SAGA_PAYMENT] = 1u << 2;
  su.refuse[SAGA_INVENTORY] = 1u << 4;
  su.refuse[SAGA_SHIPPING] = 1u << 5;
  return su;
}

static scenario_data *build(lab_run *run, const setup *su) {
  sim_world *w = sim_create(run->seed);
  static const char *const names[SAGA_NODES] = {"order", "payment", "inventory", "shipping"};
  for (int i = 0; i < SAGA_NODES; i++) {
    saga_config c = {.mode = su->mode,
                     .sagas = su->sagas,
                     .start = 10 * SIM_MS,
                     .gap = 20 * SIM_MS,
                     .refuse = su->refuse[i],
                     .timing = saga_default_timing(),
                     .naive = su->naive};
    sim_add_node(w, &saga_protocol, &c, sizeof c);
    sim_set_node_name(w, i, names[i]);
  }
  sim_set_net(w, &su->net);
  scenario_data *d = calloc(1, sizeof *d);
  if (!d) abort();
  d->su = *su;
  lab11_record *rec = &d->rec;
  rec->mode = su->mode;
  rec->sagas = su->sagas;
  memcpy(rec->refuse, su->refuse, sizeof rec->refuse);
  rec->cp_node = su->cp_node;
  rec->cp_k = su->cp_k;
  rec->stuck_node = -1;
  run->lab_data = d;
  sim_observe(w, watch, d);
  sim_invariant(w, "step-once", step_once, d);
  sim_invariant(w, "compensation-after-step", compensation_after_step, d);
  sim_invariant(w, "saga-order", saga_order, d);
  sim_invariant(w, "outbox", outbox_check, d);
  if (su->mode == MODE_TCC) sim_invariant(w, "tcc-all-or-nothing", tcc_all_or_nothing, d);
  sim_invariant(w, "bookkeeping", bookkeeping, d);
  if (su->cp_node >= 0) sim_crash_after(w, su->cp_node, su->cp_k);
  rng *r = sim_nemesis_rng(w);
  for (int c = 0; c < su->random_crashes; c++) {
    int node = (int)rng_below(r, SAGA_NODES);
    sim_time at = 10 * SIM_MS + rng_below(r, 240 * SIM_MS);
    sim_time down = 30 * SIM_MS + rng_below(r, 170 * SIM_MS);
    sim_crash_at(w, at, node);
    sim_restart_at(w, at + down, node);
  }
  lab_begin(run, w);
  return d;
}

/* Everything is settled: every saga ended on n0's disk, every node is up, every outbox entry
 * is acknowledged. */
static bool settled(sim_world *w, void *ctx) {
  const scenario_data *d = ctx;
  for (int i = 0; i < SAGA_NODES; i++) {
    if (!sim_alive(w, i)) return false;
    const saga_disk *x = disk_of(w, i);
    for (uint32_t e = 0; e < x->out.count && e < OUTBOX_MAX; e++)
      if (!x->out.entry[e].acked) return false;
  }
  const saga_disk *x = disk_of(w, SAGA_ORDER);
  for (uint32_t t = 1; t <= d->rec.sagas; t++)
    if (x->saga[t].phase != SAGA_COMPLETED && x->saga[t].phase != SAGA_ABORTED) return false;
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Judging a run.
 */

/* An unacknowledged entry of node i's outbox for saga t (NULL if none). */
static const outbox_entry *pending_of(const saga_disk *x, uint32_t t) {
  for (uint32_t e = 0; e < x->out.count && e < OUTBOX_MAX; e++)
    if (x->out.entry[e].ev.saga == t && !x->out.entry[e].acked) return &x->out.entry[e];
  return NULL;
}

/* The entry of node i's outbox for saga t of kind to `to` (NULL if none). */
static const outbox_entry *entry_of(const saga_disk *x, uint32_t t, ev_kind kind, int to) {
  for (uint32_t e = 0; e < x->out.count && e < OUTBOX_MAX; e++)
    if (x->out.entry[e].ev.saga == t && x->out.entry[e].ev.kind == (int32_t)kind &&
        (to < 0 || x->out.entry[e].ev.to == to))
      return &x->out.entry[e];
  return NULL;
}

/* Why saga t has not ended (orchestration): follow the command n0 waits on. */
static void explain_orchestration(sim_world *w, scenario_data *d, uint32_t t, char *out,
                                  size_t cap) {
  const saga_disk *o = disk_of(w, SAGA_ORDER);
  const saga_rec *r = &o->saga[t];
  int k = r->step;
  if (r->phase == SAGA_NEW) {
    snprintf(out, cap, "the order service never began it (saga_begin)");
    return;
  }
  if (k < 1 || k > SAGA_STEPS) {
    snprintf(out, cap, "the order service's record says %s at step %d, which is no step",
             saga_phase_name((saga_phase)r->phase), k);
    return;
  }
  ev_kind cmd = r->phase == SAGA_RUNNING ? EV_DO : EV_UNDO;
  const outbox_entry *c = entry_of(o, t, cmd, k);
  const saga_disk *x = disk_of(w, k);
  step_status st = (step_status)x->status[t];
  char head[160];
  snprintf(head, sizeof head, "the order service waits for %s (n%d) to %s it (%s #%u)",
           service_name(k), k, cmd == EV_DO ? "do its step of" : "compensate", ev_name(cmd),
           c ? c->ev.id : 0);
  d->rec.stuck_node = k;
  if (!c) {
    snprintf(out, cap, "%s, but never asked: its outbox holds no %s to n%d", head, ev_name(cmd), k);
    return;
  }
  if (cmd == EV_UNDO && (st == STEP_NONE || st == STEP_REFUSED)) {
    snprintf(out, cap,
             "%s, but that step never committed (its disk says %s), so there is nothing to "
             "compensate and no Compensated will come: compensations start with the step "
             "before the one that refused (saga_react)",
             head, step_name(st));
    return;
  }
  bool taken = cmd == EV_DO ? st != STEP_NONE : st == STEP_COMPENSATED;
  if (!c->acked) {
    snprintf(out, cap,
             "%s; that command is still unacknowledged: does outbox_relay publish it, does %s "
             "acknowledge every event (service_on_event), and does the order service mark the "
             "Ack (outbox_on_ack)?",
             head, service_name(k));
    return;
  }
  if (!taken) {
    snprintf(out, cap,
             "%s; %s acknowledged the command, yet its disk says %s: it acknowledged without "
             "committing what the command asked (service_on_event: acknowledge only after "
             "disk_commit)",
             head, service_name(k), step_name(st));
    return;
  }
  ev_kind result = cmd == EV_UNDO ? EV_COMPENSATED : st == STEP_REFUSED ? EV_REFUSED : EV_DONE;
  const outbox_entry *e = entry_of(x, t, result, -1);
  if (!e) {
    if (d->sent_kind[k][t][result] == 0) d->rec.event_lost = true;
    snprintf(out, cap, "%s; %s's disk says %s, but it never published its %s (%u sent)%s", head,
             service_name(k), step_name(st), ev_name(result), d->sent_kind[k][t][result],
             d->su.naive ? ": it committed the change and meant to send the event next, and "
                           "crashed in between. The retried command finds the step done and "
                           "has nothing to announce: the event is lost for good. That is the "
                           "dual write the outbox prevents"
                         : ": the event must be in the outbox, committed with the change");
    return;
  }
  if (!e->acked) {
    snprintf(out, cap,
             "%s; %s's %s #%u is still unacknowledged: does outbox_relay publish it, and does "
             "the order service acknowledge it (orchestrator_on_event)?",
             head, service_name(k), ev_name(result), e->ev.id);
    return;
  }
  snprintf(out, cap,
           "%s; %s's %s #%u was acknowledged by the order service, yet its record did not move: "
           "orchestrator_on_event acknowledged without taking it (saga_react) and committing",
           head, service_name(k), ev_name(result), e->ev.id);
}

/* Did node `to` take event e (its disk shows the effect e asks for)? For the reports. */
static bool taken_by(sim_world *w, const saga_event *e) {
  const saga_disk *x = disk_of(w, e->to);
  if (e->to == SAGA_ORDER) return x->saga[e->saga].phase != SAGA_RUNNING;
  if (e->kind == EV_PLACED || e->kind == EV_DONE) return x->status[e->saga] != STEP_NONE;
  return x->status[e->saga] != STEP_DONE; /* Refused, Compensated: compensate */
}

/* The events node `to` acknowledged without taking them, in every outbox (for the reports). */
static uint32_t acked_untaken(sim_world *w, int to) {
  uint32_t c = 0;
  for (int i = 0; i < SAGA_NODES; i++) {
    const saga_disk *x = disk_of(w, i);
    for (uint32_t e = 0; e < x->out.count && e < OUTBOX_MAX; e++) {
      const saga_event *ev = &x->out.entry[e].ev;
      c += x->out.entry[e].acked && ev->to == to && ev->saga >= 1 && ev->saga <= SAGA_MAX &&
           !taken_by(w, ev);
    }
  }
  return c;
}

/* Why saga t has not ended (choreography): an event acknowledged but not taken, or every
 * node's view of it. An Ack sent before the commit loses an event only if the consumer crashes
 * in between, one event per crash at most: a consumer with more such events than crashes
 * acknowledged events it did not see as its cue. */
static void explain_choreography(sim_world *w, const scenario_data *d, uint32_t t, char *out,
                                 size_t cap) {
  for (int i = 0; i < SAGA_NODES; i++) {
    const saga_disk *x = disk_of(w, i);
    for (uint32_t e = 0; e < x->out.count && e < OUTBOX_MAX; e++) {
      const saga_event *ev = &x->out.entry[e].ev;
      if (ev->saga != t || !x->out.entry[e].acked || ev->to < 0 || ev->to >= SAGA_NODES ||
          taken_by(w, ev))
        continue;
      bool order = ev->to == SAGA_ORDER;
      uint32_t untaken = acked_untaken(w, ev->to), crashes = d->rec.crashes[ev->to];
      if (untaken > crashes)
        snprintf(out, cap,
                 "%s acknowledged %s's %s #%u but changed nothing for it (events it acknowledged "
                 "without taking: %u; its crashes: %u), so no commit was lost after an early "
                 "Ack: it did not take the event as its cue. In a choreography %s: did %s ask %s "
                 "(config.mode)?",
                 service_name(ev->to), service_name(i), ev_name((ev_kind)ev->kind), ev->id, untaken,
                 crashes,
                 order ? "the order service's rule is choreo_order_react, not saga_react"
                       : "what an event asks comes from choreo_input, not from e->kind",
                 order ? "orchestrator_on_event" : "service_on_event",
                 order ? "choreo_order_react" : "choreo_input");
      else
        snprintf(
            out, cap,
            "%s acknowledged %s's %s #%u, yet its disk shows it never took it: an event is "
            "acknowledged only after what it asks is committed (%s). If it never takes "
            "such events, even without a crash: did %s ask %s (config.mode)?",
            service_name(ev->to), service_name(i), ev_name((ev_kind)ev->kind), ev->id,
            order ? "orchestrator_on_event, choreo_order_react" : "service_on_event, choreo_input",
            order ? "orchestrator_on_event" : "service_on_event",
            order ? "choreo_order_react" : "choreo_input");
      return;
    }
  }
  size_t at = (size_t)snprintf(out, cap, "the order service says %s;",
                               saga_phase_name((saga_phase)disk_of(w, 0)->saga[t].phase));
  for (int k = 1; k <= SAGA_STEPS && at < cap; k++)
    at += (size_t)snprintf(out + at, cap - at, " %s %s;", service_name(k),
                           step_name((step_status)disk_of(w, k)->status[t]));
  const char *waiting = "";
  for (int i = 0; i < SAGA_NODES && at < cap; i++) {
    const outbox_entry *p = pending_of(disk_of(w, i), t);
    if (!p) continue;
    at += (size_t)snprintf(out + at, cap - at, " %s's %s #%u to n%d is unacknowledged;",
                           service_name(i), ev_name((ev_kind)p->ev.kind), p->ev.id, p->ev.to);
    waiting =
        " is the relay publishing it (outbox_relay), and does its consumer take it "
        "(choreo_input) and acknowledge it?";
  }
  if (at < cap)
    snprintf(out + at, cap - at,
             "%s the chain runs Placed -> payment -> inventory -> shipping -> order, and a "
             "refusal travels back, each service compensating (choreo_route, choreo_input, "
             "choreo_order_react)",
             waiting);
}

/* "s2 by payment, s4 by inventory": the compensated sagas and who refused them. */
static void compensated_list(const scenario_data *d, char *out, size_t cap) {
  size_t at = 0;
  out[0] = 0;
  for (uint32_t t = 1; t <= d->rec.sagas && at < cap; t++) {
    int k = refuser(&d->su, t);
    if (k)
      at += (size_t)snprintf(out + at, cap - at, "%ss%u by %s", at ? ", " : "", t, service_name(k));
  }
}

/* TCC at the end: every transaction fully confirmed (no participant refuses it) or fully
 * cancelled (some does), and no reservation left held. Returns false with the verdict set. */
static bool judge_tcc(lab_run *run, scenario_data *d, const char *deadline, const char *cp) {
  sim_world *w = run->world;
  const saga_disk *o = disk_of(w, SAGA_ORDER);
  for (uint32_t t = 1; t <= d->rec.sagas; t++) {
    saga_phase ph = (saga_phase)o->saga[t].phase;
    char states[160];
    size_t at = 0;
    states[0] = 0;
    for (int k = 1; k <= SAGA_STEPS && at < sizeof states; k++)
      at += (size_t)snprintf(states + at, sizeof states - at, "%s%s %s", k > 1 ? ", " : "",
                             service_name(k), step_name((step_status)disk_of(w, k)->status[t]));
    if (ph != SAGA_COMPLETED && ph != SAGA_ABORTED) {
      d->rec.stuck_saga = t;
      return lab_verdict(run, false,
                         "transaction %u did not end by t=%s: the order service says %s (heard "
                         "mask %d); %s. Does tcc_react count every participant's answer once, "
                         "and does every participant answer a Cancel (an empty cancel too)?%s",
                         t, deadline, saga_phase_name(ph), o->saga[t].heard, states, cp);
    }
    bool refused = refuser(&d->su, t) != 0 || d->su.expire;
    step_status want = ph == SAGA_COMPLETED ? STEP_CONFIRMED : STEP_CANCELLED;
    if ((ph == SAGA_COMPLETED) == refused)
      return lab_verdict(run, false,
                         "transaction %u %s, though %s: confirm exactly when every Try reserved "
                         "(tcc_react, tcc_participant_react, service_can_do); %s%s",
                         t, saga_phase_name(ph),
                         refused ? "a participant cannot reserve it" : "every participant can",
                         states, cp);
    for (int k = 1; k <= SAGA_STEPS; k++) {
      const saga_disk *x = disk_of(w, k);
      if (x->status[t] != want || (ph == SAGA_COMPLETED) != live(x, t))
        return lab_verdict(run, false,
                           "transaction %u %s at the order service, but not fully: %s (a "
                           "reservation left held, or a participant that never took the "
                           "decision)%s",
                           t, saga_phase_name(ph), states, cp);
    }
  }
  return true;
}

static bool judge(lab_run *run, scenario_data *d) {
  sim_world *w = run->world;
  lab11_record *rec = &d->rec;
  sim_run_until(w, settled, d, d->su.deadline);
  const char *report;
  char t1[32], why[1024];
  char cp[256] = "";
  if (rec->cp_node >= 0 && rec->cp_reached)
    snprintf(cp, sizeof cp,
             " (this run's crash point: %s crashed right after its action %u, %s, at t=%s)",
             service_name(rec->cp_node), rec->cp_k, rec->cp_what,
             sim_format_time(rec->cp_at, t1, sizeof t1));
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s%s", report, cp);
  sim_format_time(d->su.deadline, t1, sizeof t1);
  const saga_disk *o = disk_of(w, SAGA_ORDER);
  if (d->su.mode == MODE_TCC && !judge_tcc(run, d, t1, cp)) return false;
  for (uint32_t t = 1; t <= rec->sagas && d->su.mode != MODE_TCC; t++) {
    const saga_rec *r = &o->saga[t];
    int k = refuser(&d->su, t);
    if (r->phase != SAGA_COMPLETED && r->phase != SAGA_ABORTED) {
      rec->stuck_saga = t;
      if (d->su.mode == MODE_ORCHESTRATION)
        explain_orchestration(w, d, t, why, sizeof why);
      else
        explain_choreography(w, d, t, why, sizeof why);
      return lab_verdict(run, false, "saga %u did not end by t=%s: %s%s", t, t1, why, cp);
    }
    const char *ender = d->su.mode == MODE_ORCHESTRATION ? "saga_react" : "choreo_order_react";
    if (r->phase == SAGA_COMPLETED && k) {
      step_status st = (step_status)disk_of(w, k)->status[t];
      if (st == STEP_REFUSED)
        return lab_verdict(run, false,
                           "saga %u completed at the order service, though %s refused it (its "
                           "disk says refused): the saga was ended by an event it was not "
                           "waiting for; only shipping's Done completes a saga (%s)",
                           t, service_name(k), ender);
      return lab_verdict(run, false,
                         "saga %u completed, though %s cannot do it (its disk says %s): a step "
                         "the service cannot do must answer Refused (service_react, "
                         "service_can_do)",
                         t, service_name(k), step_name(st));
    }
    if (r->phase == SAGA_ABORTED && !k) {
      for (int s = 1; s <= SAGA_STEPS; s++)
        if (disk_of(w, s)->status[t] == STEP_REFUSED)
          return lab_verdict(run, false,
                             "saga %u was compensated because %s refused it, though it can do "
                             "it: refuse only when service_can_do says no (service_react)",
                             t, service_name(s));
      return lab_verdict(run, false,
                         "saga %u was aborted at the order service, though no service refused "
                         "it: the saga was ended by an event it was not waiting for (%s)",
                         t, ender);
    }
    for (int s = 1; s <= SAGA_STEPS; s++) {
      const saga_disk *x = disk_of(w, s);
      if (r->phase == SAGA_COMPLETED && (x->applied[t] != 1 || x->undone[t] != 0))
        return lab_verdict(run, false,
                           "saga %u completed at the order service, but %s's step is not in "
                           "effect (applied %u, undone %u): a partial saga",
                           t, service_name(s), x->applied[t], x->undone[t]);
      if (r->phase == SAGA_ABORTED && live(x, t))
        return lab_verdict(run, false,
                           "saga %u was compensated at the order service, but %s's step (%s) is "
                           "still in effect: it was never compensated, a partial saga. %s",
                           t, service_name(s), doing[s],
                           d->su.mode == MODE_ORCHESTRATION
                               ? "saga_react must compensate every committed step, from the "
                                 "last one back to step 1, before aborting"
                               : "each service that compensates must pass Compensated back "
                                 "(choreo_route), and the order service may abort only on "
                                 "payment's Refused or Compensated (choreo_order_react)");
    }
  }
  for (int i = 0; i < SAGA_NODES; i++) {
    const outbox_entry *p = NULL;
    for (uint32_t t = 1; t <= SAGA_MAX && !p; t++) p = pending_of(disk_of(w, i), t);
    if (p)
      return lab_verdict(run, false,
                         "every saga ended, but %s's %s #%u (saga %u, to n%d) was never "
                         "acknowledged by t=%s: is the relay publishing it (outbox_relay), and "
                         "does the Ack mark it (outbox_on_ack)?",
                         service_name(i), ev_name((ev_kind)p->ev.kind), p->ev.id, p->ev.saga,
                         p->ev.to, t1);
  }
  rec->completed = rec->aborted = 0;
  sim_time last = 0;
  for (uint32_t t = 1; t <= rec->sagas; t++) {
    if (o->saga[t].phase == SAGA_COMPLETED) rec->completed++;
    if (o->saga[t].phase == SAGA_ABORTED) rec->aborted++;
    if (rec->ended_at[t] > last) last = rec->ended_at[t];
  }
  char list[160], t2[32], crashes[64] = "";
  compensated_list(d, list, sizeof list);
  /* Every outbox entry was acknowledged, so each was published at least once: the rest of the
   * Event messages are the relay's republications (after retry, or after a restart). */
  uint32_t entries_total = 0;
  for (int i = 0; i < SAGA_NODES; i++) entries_total += disk_of(w, i)->out.count;
  uint32_t again = rec->events_sent > entries_total ? rec->events_sent - entries_total : 0;
  uint32_t crash_count = 0;
  for (int i = 0; i < SAGA_NODES; i++) crash_count += rec->crashes[i];
  if (crash_count) snprintf(crashes, sizeof crashes, "; crashes: %u", crash_count);
  if (rec->cp_node >= 0 && rec->cp_reached)
    snprintf(cp, sizeof cp, "; %s crashed right after its action %u (%s) and restarted",
             service_name(rec->cp_node), rec->cp_k, rec->cp_what);
  else if (rec->cp_node >= 0)
    snprintf(cp, sizeof cp, "; crash point %u of %s not reached (it did %u actions)", rec->cp_k,
             service_name(rec->cp_node), rec->actions[rec->cp_node]);
  return lab_verdict(run, true,
                     "all %u %s ended whole by t=%s: %u %s, %u %s (%s); %u "
                     "publications (%u of them again), %u acknowledgements; no step applied "
                     "twice, no event left unpublished%s%s",
                     rec->sagas, d->su.mode == MODE_TCC ? "transactions" : "sagas",
                     sim_format_time(last, t2, sizeof t2), rec->completed,
                     d->su.mode == MODE_TCC ? "confirmed" : "completed", rec->aborted,
                     d->su.mode == MODE_TCC ? "cancelled" : "compensated", list[0] ? list : "none",
                     rec->events_sent, again, rec->acks_sent, crashes, cp);
}

/* ---------------------------------------------------------------------------------------------
 * The scenarios.
 */

static bool run_setup(lab_run *run, const setup *su) { return judge(run, build(run, su)); }

static bool scenario_orchestration(lab_run *run) {
  setup su = base_setup(MODE_ORCHESTRATION);
  return run_setup(run, &su);
}

static bool scenario_choreography(lab_run *run) {
  setup su = base_setup(MODE_CHOREOGRAPHY);
  return run_setup(run, &su);
}

static setup faulty(saga_mode mode) {
  setup su = base_setup(mode);
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.2, 0.2);
  return su;
}

static bool scenario_orchestration_faulty(lab_run *run) {
  setup su = faulty(MODE_ORCHESTRATION);
  return run_setup(run, &su);
}

static bool scenario_choreography_faulty(lab_run *run) {
  setup su = faulty(MODE_CHOREOGRAPHY);
  return run_setup(run, &su);
}

static setup crashy(saga_mode mode) {
  setup su = base_setup(mode);
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.1, 0.1);
  su.random_crashes = 4;
  su.deadline = 6 * SIM_SEC;
  return su;
}

static bool scenario_orchestration_crashes(lab_run *run) {
  setup su = crashy(MODE_ORCHESTRATION);
  return run_setup(run, &su);
}

static bool scenario_choreography_crashes(lab_run *run) {
  setup su = crashy(MODE_CHOREOGRAPHY);
  return run_setup(run, &su);
}

/* Crash points: two sagas, saga 1 completes and shipping refuses saga 2 (two compensations).
 * Seeds 1 .. 4 * SAGA_CRASH_POINTS: node (seed - 1) / SAGA_CRASH_POINTS crashes after its
 * action (seed - 1) % SAGA_CRASH_POINTS + 1. */

static setup crash_point(saga_mode mode, uint64_t seed) {
  uint64_t points = mode == MODE_TCC ? TCC_CRASH_POINTS : SAGA_CRASH_POINTS;
  setup su = base_setup(mode);
  su.sagas = 2;
  memset(su.refuse, 0, sizeof su.refuse);
  su.refuse[SAGA_SHIPPING] = 1u << 2;
  uint64_t c = (seed - 1) % (SAGA_NODES * points);
  su.cp_node = (int)(c / points);
  su.cp_k = (uint32_t)(c % points) + 1;
  return su;
}

static bool scenario_crash_point(lab_run *run) {
  setup su = crash_point(MODE_ORCHESTRATION, run->seed);
  return run_setup(run, &su);
}

static bool scenario_choreo_crash_point(lab_run *run) {
  setup su = crash_point(MODE_CHOREOGRAPHY, run->seed);
  return run_setup(run, &su);
}

/* TCC: the 6 transactions, tried at once on every participant. */
static bool scenario_tcc(lab_run *run) {
  setup su = base_setup(MODE_TCC);
  return run_setup(run, &su);
}

static bool scenario_tcc_faulty(lab_run *run) {
  setup su = faulty(MODE_TCC);
  return run_setup(run, &su);
}

static bool scenario_tcc_crashes(lab_run *run) {
  setup su = crashy(MODE_TCC);
  return run_setup(run, &su);
}

static bool scenario_tcc_crash_point(lab_run *run) {
  setup su = crash_point(MODE_TCC, run->seed);
  return run_setup(run, &su);
}

/* TCC expiry: n0 sends its three Try and crashes for 2.5 s, longer than a hold (2 s): every
 * reservation expires, each participant cancels it and says so, and n0, back, cancels all. */
static bool scenario_tcc_expiry(lab_run *run) {
  setup su = base_setup(MODE_TCC);
  su.sagas = 1;
  memset(su.refuse, 0, sizeof su.refuse);
  su.cp_node = SAGA_ORDER;
  su.cp_k = 4; /* the commit of saga 1 and its three Try */
  su.down = 2500 * SIM_MS;
  su.expire = true;
  su.deadline = 6 * SIM_SEC;
  return run_setup(run, &su);
}

/* The dual write, without an outbox: payment commits saga 1's step and crashes before it sends
 * its Done. */
static bool scenario_dual_write(lab_run *run) {
  setup su = base_setup(MODE_ORCHESTRATION);
  su.sagas = 1;
  memset(su.refuse, 0, sizeof su.refuse);
  su.naive = true;
  su.cp_node = SAGA_PAYMENT;
  su.cp_k = 1; /* its first action: the commit of saga 1's step */
  su.deadline = 2 * SIM_SEC;
  return run_setup(run, &su);
}

static const lab_scenario scenarios[] = {
    {"orchestration",
     "6 overlapping sagas run by n0; payment, inventory, shipping each refuse one; whole or "
     "compensated",
     scenario_orchestration, LAB_FIXED_NODES},
    {"orchestration-faulty", "the same with 20% loss, 20% duplication and reordering",
     scenario_orchestration_faulty, LAB_FIXED_NODES},
    {"orchestration-crashes",
     "the same with 10% loss and duplication, and 4 crashes while the sagas run",
     scenario_orchestration_crashes, LAB_FIXED_NODES},
    {"crash-point",
     "2 sagas (one compensated); the seed picks a node and the action it crashes after",
     scenario_crash_point, LAB_FIXED_NODES},
    {"choreography", "the 6 sagas as a choreography: services react to each other's events",
     scenario_choreography, LAB_FIXED_NODES},
    {"choreography-faulty", "the choreography with 20% loss, 20% duplication and reordering",
     scenario_choreography_faulty, LAB_FIXED_NODES},
    {"choreography-crashes", "the choreography with 10% loss and duplication, and 4 crashes",
     scenario_choreography_crashes, LAB_FIXED_NODES},
    {"choreo-crash-point", "crash points in the choreography (as crash-point)",
     scenario_choreo_crash_point, LAB_FIXED_NODES},
    {"tcc", "the 6 orders as TCC: n0 sends Try to all, then Confirm all or Cancel all",
     scenario_tcc, LAB_FIXED_NODES},
    {"tcc-faulty", "TCC with 20% loss, 20% duplication and reordering (Cancel before Try)",
     scenario_tcc_faulty, LAB_FIXED_NODES},
    {"tcc-crashes", "TCC with 10% loss and duplication, and 4 crashes", scenario_tcc_crashes,
     LAB_FIXED_NODES},
    {"tcc-crash-point", "crash points in TCC (as crash-point)", scenario_tcc_crash_point,
     LAB_FIXED_NODES},
    {"tcc-expiry", "TCC: n0 crashes after its Try for longer than a hold: the reservations expire",
     scenario_tcc_expiry, LAB_FIXED_NODES},
    {"dual-write",
     "no outbox: payment commits, then crashes before sending its Done; the saga never ends",
     scenario_dual_write, LAB_FIXED_NODES},
};

const lab_info lab11 = {
    .id = "11-sagas",
    .title = "long transactions without locks: sagas and the outbox",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
