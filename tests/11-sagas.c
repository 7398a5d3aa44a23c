/*
 * tests/11-sagas.c: lab 11's tests: the transactional outbox, idempotent services, the saga
 * orchestrator and the choreography.
 *
 * First one case per rule, so a learner sees which rule is wrong. The pure rules (saga_react,
 * choreo_route, choreo_input, choreo_order_react, outbox_add) are called on hand-made records;
 * the handlers are called by hand on a bench of inert nodes (saga_inert_protocol: nothing runs
 * unless the test says so), and the bench reads each sender's stable storage at the moment of
 * every send, so "acknowledged only after the commit" is checked, not assumed.
 *
 * Then seed sweeps of the driver's scenarios, where every check of scenarios.c runs after every
 * event (step-once, compensation-after-step, saga-order, outbox) and every saga must end whole
 * with every event acknowledged: without faults, under loss and duplication, with crashes, and
 * with one crash at each action of each node in turn (checking that the crash points covered
 * every action of a run). Last, a demonstration: without an outbox, a crash between the commit
 * and the send loses an event, and its saga never ends.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * The bench: the four nodes running the inert protocol over a constant 5 ms network, and a log
 * of every send with the sender's stable storage at that moment. Shipping (n3) refuses saga 2.
 */
typedef struct sent {
  int from, to, type;
  saga_event ev;  /* MSG_EVENT */
  uint32_t ack;   /* MSG_ACK: the id acknowledged */
  saga_disk disk; /* the sender's stable storage when it sent this */
} sent;

typedef struct bench {
  sim_world *w;
  int count;
  sent log[128];
} bench;

static void record(sim_world *w, const sim_event *ev, void *ctx) {
  bench *b = ctx;
  if (ev->kind != SIM_EV_SEND || b->count >= 128) return;
  sent *s = &b->log[b->count++];
  s->from = ev->node;
  s->to = ev->peer;
  s->type = ev->msg_type;
  if (s->type == MSG_EVENT) s->ev = *(const saga_event *)ev->body;
  if (s->type == MSG_ACK) s->ack = ((const ack_body *)ev->body)->id;
  s->disk = *(const saga_disk *)sim_stable(w, ev->node);
}

static bench *bench_start(saga_mode mode) {
  static bench b;
  memset(&b, 0, sizeof b);
  b.w = sim_create(1);
  for (int i = 0; i < SAGA_NODES; i++) {
    saga_config c = {.mode = mode, .timing = saga_default_timing()};
    if (i == SAGA_SHIPPING) c.refuse = 1u << 2;
    sim_add_node(b.w, &saga_inert_protocol, &c, sizeof c);
  }
  sim_net_config net = sim_net_default();
  net.latency = SIM_LATENCY_CONSTANT;
  net.latency_min = net.latency_max = 5 * SIM_MS;
  sim_set_net(b.w, &net);
  sim_observe(b.w, record, &b);
  sim_start(b.w);
  /* Start at 5 ms, so that no relay timestamp is 0. */
  sim_run_until_time(b.w, 5 * SIM_MS);
  return &b;
}

static saga_state *node(bench *b, int i) { return sim_state_mut(b->w, i); }
static const saga_disk *disk(bench *b, int i) { return sim_stable(b->w, i); }

/* What a poke asks a node to do. */
enum { RELAY, ON_ACK, REACT, ON_EVENT, BEGIN, ORCH_EVENT, COMMIT, TCC_REACT };

typedef struct call {
  int what;
  uint32_t id, saga;
  ev_kind input;
  saga_event ev;
  ev_kind result; /* REACT: what service_react returned */
} call;

static void do_call(sim_node *n, void *state, void *arg) {
  saga_state *s = state;
  call *c = arg;
  switch (c->what) {
    case RELAY:
      outbox_relay(n, s);
      break;
    case ON_ACK:
      outbox_on_ack(n, s, c->id);
      break;
    case REACT:
      c->result = service_react(n, s, c->saga, c->input);
      break;
    case ON_EVENT:
      service_on_event(n, s, &c->ev);
      break;
    case BEGIN:
      saga_begin(n, s, c->saga);
      break;
    case ORCH_EVENT:
      orchestrator_on_event(n, s, &c->ev);
      break;
    case COMMIT:
      disk_commit(n, s);
      break;
    case TCC_REACT:
      c->result = tcc_participant_react(n, s, c->saga, c->input);
      break;
    default:
      break;
  }
}

static call at(bench *b, int i, call c) {
  sim_poke(b->w, i, do_call, &c);
  return c;
}

/* Sends in log[first ..] of a type from a node. */
static int sends(const bench *b, int first, int from, int type) {
  int k = 0;
  for (int i = first; i < b->count; i++) k += b->log[i].from == from && b->log[i].type == type;
  return k;
}

/* The first send in log[first ..] of a type from a node, or NULL. */
static const sent *first_send(const bench *b, int first, int from, int type) {
  for (int i = first; i < b->count; i++)
    if (b->log[i].from == from && b->log[i].type == type) return &b->log[i];
  return NULL;
}

/* An Ack as the trace shows it, "Ack #7 n1->n0", or "no Ack", into out. */
static const char *ack_text(const sent *a, char *out, size_t cap) {
  if (!a)
    snprintf(out, cap, "no Ack");
  else
    snprintf(out, cap, "Ack #%u n%d->n%d", a->ack, a->from, a->to);
  return out;
}

/* An event as the trace shows it, "s1 Done #3 n1->n0", into out. */
static const char *ev_text(const saga_event *e, char *out, size_t cap) {
  snprintf(out, cap, "s%u %s #%u n%d->n%d", e->saga, ev_name((ev_kind)e->kind), e->id, e->from,
           e->to);
  return out;
}

static saga_event event(uint32_t id, int from, int to, uint32_t saga, ev_kind kind) {
  saga_event e = {.id = id, .from = from, .to = to, .saga = saga, .kind = kind};
  return e;
}

/* ---------------------------------------------------------------------------------------------
 * Part A: the outbox.
 */

/* Rule: outbox_add appends an unacknowledged entry numbered last_id + 1; a full outbox refuses. */
static void outbox_add_rule(void *arg) {
  (void)arg;
  static saga_disk d;
  memset(&d, 0, sizeof d);
  uint32_t a = outbox_add(&d, 1, 0, 3, EV_DONE);
  uint32_t b = outbox_add(&d, 1, 0, 4, EV_REFUSED);
  tap_ok(a == 1 && b == 2, "outbox_add: the first two entries get ids 1 and 2 (got %u, %u)", a, b);
  tap_is_int(d.out.count, 2, "outbox_add: the outbox holds two entries");
  tap_is_int(d.out.last_id, 2, "outbox_add: last_id is the id of the latest entry");
  char got[64];
  const saga_event *e = &d.out.entry[1].ev;
  tap_ok(e->id == 2 && e->from == 1 && e->to == 0 && e->saga == 4 && e->kind == EV_REFUSED,
         "outbox_add: entry 1 is s4 Refused #2 n1->n0 (got %s)", ev_text(e, got, sizeof got));
  tap_ok(!d.out.entry[0].acked && !d.out.entry[1].acked,
         "outbox_add: a new entry is not acknowledged");
  /* Ids keep rising even after entries are acknowledged. */
  d.out.entry[0].acked = true;
  tap_is_int(outbox_add(&d, 1, 0, 5, EV_DONE), 3, "outbox_add: the next id is 3");
  d.out.count = OUTBOX_MAX;
  uint32_t last = d.out.last_id;
  tap_ok(
      outbox_add(&d, 1, 0, 6, EV_DONE) == 0 && d.out.count == OUTBOX_MAX && d.out.last_id == last,
      "outbox_add: a full outbox (OUTBOX_MAX entries) returns 0 and adds nothing");
}

/* Rule: the relay publishes the unacknowledged entries, in order, and again only after retry. */
static void relay_rule(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  saga_state *s = node(b, 1);
  outbox_add(&s->disk, 1, 0, 1, EV_DONE);
  outbox_add(&s->disk, 1, 0, 2, EV_REFUSED);
  outbox_add(&s->disk, 1, 0, 3, EV_DONE);
  s->disk.out.entry[1].acked = true;
  at(b, 1, (call){.what = COMMIT});
  /* Step 1, at 5 ms: entries #1 and #3 are unacknowledged. */
  int first = b->count;
  at(b, 1, (call){.what = RELAY});
  const sent *a = first_send(b, first, 1, MSG_EVENT);
  char got[64];
  tap_ok(sends(b, first, 1, MSG_EVENT) == 2 && a && a->ev.id == 1 && a->to == 0 &&
             b->log[b->count - 1].ev.id == 3,
         "outbox_relay at 5 ms: publishes #1 then #3 to n0, and not the acknowledged #2 (%d "
         "Events, the first %s)",
         sends(b, first, 1, MSG_EVENT), a ? ev_text(&a->ev, got, sizeof got) : "none");
  tap_ok(a && a->ev.saga == 1 && a->ev.kind == EV_DONE && a->ev.from == 1,
         "outbox_relay: the message is the entry's event itself");
  tap_is_int(s->commits, 1, "outbox_relay: writes nothing (it only reads the outbox)");
  /* Step 2, at 15 ms: too soon to publish again. */
  sim_run_until_time(b->w, 15 * SIM_MS);
  first = b->count;
  at(b, 1, (call){.what = RELAY});
  tap_is_int(sends(b, first, 1, MSG_EVENT), 0,
             "outbox_relay at 15 ms: nothing again before retry (40 ms) has passed");
  /* Step 3, at 45 ms: retry has passed; both go again. */
  sim_run_until_time(b->w, 45 * SIM_MS);
  first = b->count;
  at(b, 1, (call){.what = RELAY});
  tap_is_int(sends(b, first, 1, MSG_EVENT), 2,
             "outbox_relay at 45 ms: 40 ms after the first copies, #1 and #3 go again");
  /* Step 4: a restart forgets sent_at; the relay publishes at once. */
  memset(s->sent_at, 0, sizeof s->sent_at);
  first = b->count;
  at(b, 1, (call){.what = RELAY});
  tap_is_int(sends(b, first, 1, MSG_EVENT), 2,
             "outbox_relay after a restart (sent_at all 0): publishes the two again at once");
  sim_destroy(b->w);
}

static const char *acked_text(bool acked) { return acked ? "acknowledged" : "unacknowledged"; }

/* Rule: an Ack marks its entry acknowledged and commits, once; unknown ids change nothing. */
static void ack_rule(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  saga_state *s = node(b, 2);
  outbox_add(&s->disk, 2, 0, 1, EV_DONE);
  outbox_add(&s->disk, 2, 0, 2, EV_DONE);
  at(b, 2, (call){.what = COMMIT});
  uint32_t commits = s->commits;
  at(b, 2, (call){.what = ON_ACK, .id = 2});
  tap_ok(s->disk.out.entry[1].acked && !s->disk.out.entry[0].acked,
         "outbox_on_ack(#2): expected entry #2 acknowledged and #1 not (in s->disk); got #2 %s, "
         "#1 %s",
         acked_text(s->disk.out.entry[1].acked), acked_text(s->disk.out.entry[0].acked));
  tap_ok(disk(b, 2)->out.entry[1].acked,
         "outbox_on_ack(#2): expected #2 acknowledged on disk, so a restart will not publish it "
         "again; got %s on disk: mark it, then disk_commit",
         acked_text(disk(b, 2)->out.entry[1].acked));
  tap_is_int(s->commits - commits, 1, "outbox_on_ack(#2): commits for the first Ack of #2");
  /* The repeated and unknown Acks, counted on their own. */
  commits = s->commits;
  at(b, 2, (call){.what = ON_ACK, .id = 2});
  at(b, 2, (call){.what = ON_ACK, .id = 9});
  tap_is_int(s->commits - commits, 0,
             "outbox_on_ack: a repeated Ack (#2) and an unknown one (#9) write nothing; commits "
             "during those two Acks");
  tap_ok(!s->disk.out.entry[0].acked,
         "outbox_on_ack: expected #1 still unacknowledged (no Ack named it); got acknowledged: "
         "mark only the entry whose id is the Ack's");
  int first = b->count;
  memset(s->sent_at, 0, sizeof s->sent_at);
  at(b, 2, (call){.what = RELAY});
  const sent *e = first_send(b, first, 2, MSG_EVENT);
  char got[64];
  tap_ok(sends(b, first, 2, MSG_EVENT) == 1 && e && e->ev.id == 1,
         "outbox_relay after the Ack of #2: expected only #1 published; got %d Events, the first "
         "%s",
         sends(b, first, 2, MSG_EVENT), e ? ev_text(&e->ev, got, sizeof got) : "none");
  sim_destroy(b->w);
}

/* ---------------------------------------------------------------------------------------------
 * Part B: a service.
 */

/* service_react on node i, saga t; returns what it returned. */
static ev_kind react(bench *b, int i, uint32_t t, ev_kind input) {
  return at(b, i, (call){.what = REACT, .saga = t, .input = input}).result;
}

static bool expect_react(bench *b, int i, uint32_t t, ev_kind input, ev_kind want,
                         step_status want_st, uint8_t applied, uint8_t undone, const char *why) {
  ev_kind got = react(b, i, t, input);
  const saga_disk *d = &node(b, i)->disk;
  return tap_ok(
      got == want && d->status[t] == want_st && d->applied[t] == applied && d->undone[t] == undone,
      "service_react(s%u, %s) at %s: %s: expected %s, status %s, applied %u, undone "
      "%u; got %s, status %s, applied %u, undone %u",
      t, ev_name(input), service_name(i), why, ev_name(want), step_name(want_st), applied, undone,
      ev_name(got), step_name((step_status)d->status[t]), d->applied[t], d->undone[t]);
}

/* Rule: a step applies once; a repeated Do, or a late one after the compensation, does nothing. */
static void react_once(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  expect_react(b, 1, 1, EV_DO, EV_DONE, STEP_DONE, 1, 0, "the first Do applies the step");
  expect_react(b, 1, 1, EV_DO, EV_NONE, STEP_DONE, 1, 0,
               "a repeated Do (a duplicate) changes nothing");
  expect_react(b, 1, 1, EV_UNDO, EV_COMPENSATED, STEP_COMPENSATED, 1, 1,
               "Undo of a done step compensates it");
  expect_react(b, 1, 1, EV_UNDO, EV_NONE, STEP_COMPENSATED, 1, 1,
               "a repeated Undo changes nothing");
  expect_react(b, 1, 1, EV_DO, EV_NONE, STEP_COMPENSATED, 1, 1,
               "a late Do after the compensation is not applied again");
  tap_is_int(node(b, 1)->commits, 0, "service_react writes nothing itself (the caller commits)");
  sim_destroy(b->w);
}

/* Rule: a refused step has no effect and nothing to compensate; Undo of nothing does nothing. */
static void react_refused(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  expect_react(b, 3, 2, EV_DO, EV_REFUSED, STEP_REFUSED, 0, 0,
               "shipping cannot do saga 2 (service_can_do): refused, no effect");
  expect_react(b, 3, 2, EV_DO, EV_NONE, STEP_REFUSED, 0, 0, "a repeated Do stays refused");
  expect_react(b, 3, 2, EV_UNDO, EV_NONE, STEP_REFUSED, 0, 0,
               "a refused step has nothing to compensate");
  expect_react(b, 2, 3, EV_UNDO, EV_NONE, STEP_NONE, 0, 0,
               "an Undo for a step never done compensates nothing");
  sim_destroy(b->w);
}

/* The number of entries of node i's stable outbox. */
static uint32_t out_count(bench *b, int i) { return disk(b, i)->out.count; }

/* Rule: the change and its event are committed in one write, and the Ack follows the commit. */
static void service_commit_then_ack(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  int first = b->count;
  at(b, 1, (call){.what = ON_EVENT, .ev = event(7, 0, 1, 1, EV_DO)});
  saga_state *s = node(b, 1);
  tap_is_int(s->commits, 1,
             "service_on_event(s1 Do #7) at payment: one commit (the status, the effect and the "
             "event together)");
  const saga_disk *d = disk(b, 1);
  char got[64] = "none";
  if (d->out.count) ev_text(&d->out.entry[0].ev, got, sizeof got);
  tap_ok(d->status[1] == STEP_DONE && d->applied[1] == 1,
         "on disk: expected saga 1 done, its effect applied once; got status %s, applied %u",
         step_name((step_status)d->status[1]), d->applied[1]);
  tap_ok(d->out.count == 1 && d->out.entry[0].ev.kind == EV_DONE && d->out.entry[0].ev.to == 0 &&
             d->out.entry[0].ev.from == 1 && d->out.entry[0].ev.saga == 1 && !d->out.entry[0].acked,
         "on disk: expected the outbox to hold s1 Done #1 n1->n0, unacknowledged; got %s (%u "
         "entries)",
         got, d->out.count);
  const sent *a = first_send(b, first, 1, MSG_ACK);
  char ack[64];
  tap_ok(a && a->to == 0 && a->ack == 7,
         "service_on_event: expected Ack #7 to n0, the producer (send_ack(n, e->from, e->id)); "
         "got %s",
         ack_text(a, ack, sizeof ack));
  if (a)
    tap_ok(a->disk.status[1] == STEP_DONE && a->disk.out.count == 1,
           "service_on_event: when the Ack left, expected the disk to hold the change and its "
           "event (status done, 1 outbox entry); got status %s, %u outbox entries: acknowledge "
           "only after disk_commit",
           step_name((step_status)a->disk.status[1]), a->disk.out.count);
  sim_destroy(b->w);
}

/* Rule: a repeated event is acknowledged again, with no new write and no new event. */
static void service_duplicate(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  at(b, 2, (call){.what = ON_EVENT, .ev = event(3, 0, 2, 1, EV_DO)});
  uint32_t commits = node(b, 2)->commits;
  int first = b->count;
  at(b, 2, (call){.what = ON_EVENT, .ev = event(3, 0, 2, 1, EV_DO)});
  tap_is_int(node(b, 2)->commits - commits, 0, "a repeated s1 Do #3 at inventory: no commit");
  tap_is_int(out_count(b, 2), 1, "and no second event in the outbox");
  tap_is_int(disk(b, 2)->applied[1], 1, "and the effect still applied once");
  const sent *a = first_send(b, first, 2, MSG_ACK);
  char ack[64];
  tap_ok(a && a->ack == 3 && a->to == 0,
         "but expected Ack #3 n2->n0 again (the first Ack may have been lost, and the producer "
         "must stop); got %s: service_on_event acknowledges every event, repeats included",
         ack_text(a, ack, sizeof ack));
  sim_destroy(b->w);
}

/* Rule: an Undo compensates, committed with its Compensated event, then acknowledged. */
static void service_undo(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  at(b, 2, (call){.what = ON_EVENT, .ev = event(3, 0, 2, 1, EV_DO)});
  int first = b->count;
  at(b, 2, (call){.what = ON_EVENT, .ev = event(5, 0, 2, 1, EV_UNDO)});
  const saga_disk *d = disk(b, 2);
  tap_ok(d->status[1] == STEP_COMPENSATED && d->undone[1] == 1,
         "service_on_event(s1 Undo #5) at inventory: expected on disk status compensated, undone "
         "once; got status %s, undone %u",
         step_name((step_status)d->status[1]), d->undone[1]);
  char got[64] = "none";
  if (d->out.count >= 2) ev_text(&d->out.entry[1].ev, got, sizeof got);
  tap_ok(
      d->out.count == 2 && d->out.entry[1].ev.kind == EV_COMPENSATED && d->out.entry[1].ev.to == 0,
      "service_on_event(s1 Undo #5) at inventory: expected the outbox on disk to hold Done, then "
      "s1 Compensated n2->n0; got %u entries, the second %s",
      d->out.count, got);
  const sent *a = first_send(b, first, 2, MSG_ACK);
  char ack[64];
  tap_ok(a && a->ack == 5 && a->disk.status[1] == STEP_COMPENSATED,
         "service_on_event(s1 Undo #5) at inventory: expected Ack #5 after the compensation was "
         "on disk; got %s%s%s: acknowledge only after disk_commit",
         ack_text(a, ack, sizeof ack), a ? ", with the disk's status " : "",
         a ? step_name((step_status)a->disk.status[1]) : "");
  sim_destroy(b->w);
}

/* ---------------------------------------------------------------------------------------------
 * Part C: the orchestrator.
 */

static const char *rec_text(const saga_rec *r, char *out, size_t cap) {
  snprintf(out, cap, "%s step %d failed %d", saga_phase_name((saga_phase)r->phase), r->step,
           r->failed);
  return out;
}

/* One saga_react call: from the record `r`, an event; expect `moved`, the record `want` and the
 * command (to, kind). */
static bool expect_saga(saga_rec *r, int from, ev_kind kind, bool moved, saga_rec want, int to,
                        ev_kind cmd, const char *why) {
  char before[64], after[64], wanted[64];
  rec_text(r, before, sizeof before);
  int got_to = -1;
  ev_kind got_cmd = EV_NONE;
  bool got = saga_react(r, from, kind, &got_to, &got_cmd);
  bool same = r->phase == want.phase && r->step == want.step && r->failed == want.failed;
  bool cmd_ok = got_cmd == cmd && (cmd == EV_NONE || got_to == to);
  return tap_ok(got == moved && same && cmd_ok,
                "saga_react(%s, %s from n%d): %s: expected %s, record %s, command %s to n%d; got "
                "%s, record %s, command %s to n%d",
                before, ev_name(kind), from, why, moved ? "true" : "false",
                rec_text(&want, wanted, sizeof wanted), ev_name(cmd), to, got ? "true" : "false",
                rec_text(r, after, sizeof after), ev_name(got_cmd), got_to);
}

/* Rule: forward, one step at a time, each after the previous one's Done. */
static void saga_forward(void *arg) {
  (void)arg;
  saga_rec r = {.phase = SAGA_RUNNING, .step = 1};
  expect_saga(&r, 1, EV_DONE, true, (saga_rec){SAGA_RUNNING, 2, 0, 0}, 2, EV_DO,
              "payment's Done: ask inventory");
  expect_saga(&r, 2, EV_DONE, true, (saga_rec){SAGA_RUNNING, 3, 0, 0}, 3, EV_DO,
              "inventory's Done: ask shipping");
  expect_saga(&r, 3, EV_DONE, true, (saga_rec){SAGA_COMPLETED, 3, 0, 0}, -1, EV_NONE,
              "shipping's Done: the saga is complete, nothing more to send");
}

/* Rule: a refusal compensates the committed steps, from the last back to the first. */
static void saga_backward(void *arg) {
  (void)arg;
  saga_rec r = {.phase = SAGA_RUNNING, .step = 3};
  expect_saga(&r, 3, EV_REFUSED, true, (saga_rec){SAGA_COMPENSATING, 2, 3, 0}, 2, EV_UNDO,
              "shipping refused: it committed nothing; compensate inventory first");
  expect_saga(&r, 2, EV_COMPENSATED, true, (saga_rec){SAGA_COMPENSATING, 1, 3, 0}, 1, EV_UNDO,
              "inventory compensated: now payment");
  expect_saga(&r, 1, EV_COMPENSATED, true, (saga_rec){SAGA_ABORTED, 1, 3, 0}, -1, EV_NONE,
              "payment compensated: the saga is aborted, whole");
  saga_rec p = {.phase = SAGA_RUNNING, .step = 1};
  expect_saga(&p, 1, EV_REFUSED, true, (saga_rec){SAGA_ABORTED, 1, 1, 0}, -1, EV_NONE,
              "payment refused the first step: nothing committed, nothing to compensate");
  saga_rec i = {.phase = SAGA_RUNNING, .step = 2};
  expect_saga(&i, 2, EV_REFUSED, true, (saga_rec){SAGA_COMPENSATING, 1, 2, 0}, 1, EV_UNDO,
              "inventory refused: compensate payment only");
}

/* Rule: an event the saga does not wait for (a duplicate, a late one, another step's) changes
 * nothing. */
static void saga_ignores(void *arg) {
  (void)arg;
  saga_rec r = {.phase = SAGA_RUNNING, .step = 2};
  expect_saga(&r, 1, EV_DONE, false, r, -1, EV_NONE,
              "a repeated Done from payment while waiting for inventory");
  expect_saga(&r, 3, EV_DONE, false, r, -1, EV_NONE, "a Done from shipping, never asked");
  expect_saga(&r, 2, EV_COMPENSATED, false, r, -1, EV_NONE,
              "a Compensated from inventory while running forward");
  saga_rec c = {.phase = SAGA_COMPENSATING, .step = 1, .failed = 3};
  expect_saga(&c, 2, EV_COMPENSATED, false, c, -1, EV_NONE,
              "a repeated Compensated from inventory while compensating payment");
  expect_saga(&c, 1, EV_DONE, false, c, -1, EV_NONE, "a late Done from payment");
  saga_rec done = {.phase = SAGA_COMPLETED, .step = 3};
  expect_saga(&done, 3, EV_DONE, false, done, -1, EV_NONE,
              "a repeated Done from shipping after the saga completed");
  saga_rec ab = {.phase = SAGA_ABORTED, .step = 1, .failed = 1};
  expect_saga(&ab, 1, EV_REFUSED, false, ab, -1, EV_NONE,
              "a repeated Refused from payment after the saga aborted");
}

/* Rule: saga_begin commits the saga and its first command in one write. */
static void begin_rule(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  at(b, 0, (call){.what = BEGIN, .saga = 3});
  const saga_disk *d = disk(b, 0);
  char got[64] = "none";
  if (d->out.count) ev_text(&d->out.entry[0].ev, got, sizeof got);
  tap_is_int(node(b, 0)->commits, 1, "saga_begin(s3): one commit");
  tap_ok(d->saga[3].phase == SAGA_RUNNING && d->saga[3].step == 1,
         "on disk: saga 3 is running, at step 1 (got %s step %d)",
         saga_phase_name((saga_phase)d->saga[3].phase), d->saga[3].step);
  tap_ok(d->out.count == 1 && d->out.entry[0].ev.kind == EV_DO && d->out.entry[0].ev.to == 1 &&
             d->out.entry[0].ev.from == 0 && d->out.entry[0].ev.saga == 3,
         "on disk, in the same write: the outbox holds s3 Do n0->n1 (got %s)", got);
  sim_destroy(b->w);
}

/* Rule: the orchestrator takes an event, commits the next command with it, then acknowledges;
 * a repeat is acknowledged again and changes nothing. */
static void orchestrator_rule(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_ORCHESTRATION);
  at(b, 0, (call){.what = BEGIN, .saga = 1});
  int first = b->count;
  at(b, 0, (call){.what = ORCH_EVENT, .ev = event(4, 1, 0, 1, EV_DONE)});
  const saga_disk *d = disk(b, 0);
  tap_is_int(node(b, 0)->commits, 2, "orchestrator_on_event(s1 Done #4 from payment): one commit");
  char rec[64], got[64] = "none";
  if (d->out.count >= 2) ev_text(&d->out.entry[1].ev, got, sizeof got);
  tap_ok(d->saga[1].phase == SAGA_RUNNING && d->saga[1].step == 2 && d->out.count == 2 &&
             d->out.entry[1].ev.kind == EV_DO && d->out.entry[1].ev.to == 2,
         "on disk: expected saga 1 running step 2, and s1 Do n0->n2 in the outbox; got %s, %u "
         "entries, the second %s",
         rec_text(&d->saga[1], rec, sizeof rec), d->out.count, got);
  const sent *a = first_send(b, first, 0, MSG_ACK);
  char ack[64], then[64] = "";
  if (a) snprintf(then, sizeof then, ", with the disk at step %d", a->disk.saga[1].step);
  tap_ok(a && a->to == 1 && a->ack == 4 && a->disk.saga[1].step == 2,
         "orchestrator_on_event: expected Ack #4 n0->n1 after the commit (disk at step 2); got "
         "%s%s: acknowledge only after disk_commit",
         ack_text(a, ack, sizeof ack), then);
  first = b->count;
  at(b, 0, (call){.what = ORCH_EVENT, .ev = event(4, 1, 0, 1, EV_DONE)});
  tap_ok(node(b, 0)->commits == 2 && out_count(b, 0) == 2 && disk(b, 0)->saga[1].step == 2,
         "a repeated Done #4: expected no commit, no new command, still at step 2; got %u "
         "commits in all (2 before), %u outbox entries (2 before), step %d: saga_react returns "
         "false for an event the saga does not wait for",
         node(b, 0)->commits, out_count(b, 0), disk(b, 0)->saga[1].step);
  tap_ok(sends(b, first, 0, MSG_ACK) == 1,
         "a repeated Done #4: expected it acknowledged again (1 Ack); got %d Acks: "
         "orchestrator_on_event acknowledges every event, repeats included",
         sends(b, first, 0, MSG_ACK));
  sim_destroy(b->w);
}

/* ---------------------------------------------------------------------------------------------
 * Part D: the choreography.
 */

static void route_rule(void *arg) {
  (void)arg;
  static const struct {
    int self;
    ev_kind kind;
    int want;
  } cases[] = {{1, EV_DONE, 2},        {2, EV_DONE, 3},       {3, EV_DONE, 0},
               {1, EV_REFUSED, 0},     {2, EV_REFUSED, 1},    {3, EV_REFUSED, 2},
               {1, EV_COMPENSATED, 0}, {2, EV_COMPENSATED, 1}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = choreo_route(cases[i].self, cases[i].kind);
    tap_ok(got == cases[i].want, "choreo_route(%s, %s) is n%d (%s), got n%d",
           service_name(cases[i].self), ev_name(cases[i].kind), cases[i].want,
           service_name(cases[i].want), got);
  }
}

static void input_rule(void *arg) {
  (void)arg;
  static const struct {
    int self, from;
    ev_kind kind, want;
    const char *why;
  } cases[] = {
      {1, 0, EV_PLACED, EV_DO, "an order was placed: charge"},
      {2, 1, EV_DONE, EV_DO, "payment is done: reserve"},
      {3, 2, EV_DONE, EV_DO, "inventory is done: ship"},
      {2, 3, EV_REFUSED, EV_UNDO, "shipping refused: release"},
      {1, 2, EV_REFUSED, EV_UNDO, "inventory refused: refund"},
      {1, 2, EV_COMPENSATED, EV_UNDO, "inventory released: refund"},
      {2, 0, EV_PLACED, EV_NONE, "Placed is payment's cue, not inventory's"},
      {2, 3, EV_DONE, EV_NONE, "shipping's Done is the order's business"},
      {3, 1, EV_DONE, EV_NONE, "payment's Done is inventory's cue, not shipping's"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    saga_event e = event(1, cases[i].from, cases[i].self, 1, cases[i].kind);
    ev_kind got = choreo_input(cases[i].self, &e);
    tap_ok(got == cases[i].want, "choreo_input at %s, %s from n%d: %s: expected %s, got %s",
           service_name(cases[i].self), ev_name(cases[i].kind), cases[i].from, cases[i].why,
           ev_name(cases[i].want), ev_name(got));
  }
}

static void order_rule(void *arg) {
  (void)arg;
  saga_rec r = {.phase = SAGA_RUNNING};
  tap_ok(!choreo_order_react(&r, 2, EV_DONE) && r.phase == SAGA_RUNNING,
         "choreo_order_react: inventory's Done is not the end (still running)");
  tap_ok(choreo_order_react(&r, 3, EV_DONE) && r.phase == SAGA_COMPLETED,
         "choreo_order_react: shipping's Done completes the saga");
  tap_ok(!choreo_order_react(&r, 1, EV_COMPENSATED) && r.phase == SAGA_COMPLETED,
         "choreo_order_react: an ended saga stays as it is");
  saga_rec a = {.phase = SAGA_RUNNING};
  tap_ok(choreo_order_react(&a, 1, EV_REFUSED) && a.phase == SAGA_ABORTED,
         "choreo_order_react: payment's Refused aborts the saga");
  saga_rec c = {.phase = SAGA_RUNNING};
  tap_ok(choreo_order_react(&c, 1, EV_COMPENSATED) && c.phase == SAGA_ABORTED,
         "choreo_order_react: payment's Compensated (the end of the chain) aborts the saga");
}

/* The first outbox entry of a disk as the trace shows it, or "nothing", into out. */
static const char *first_entry(const saga_disk *d, char *out, size_t cap) {
  if (d->out.count) return ev_text(&d->out.entry[0].ev, out, cap);
  snprintf(out, cap, "nothing");
  return out;
}

/* The handlers in choreography mode: Placed, then each Done goes to the next service. */
static void choreography_handlers(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_CHOREOGRAPHY);
  char got[64], rec[64];
  /* Step 1: the order service begins saga 1 by publishing Placed. */
  at(b, 0, (call){.what = BEGIN, .saga = 1});
  const saga_disk *d = disk(b, 0);
  tap_ok(d->saga[1].phase == SAGA_RUNNING && d->out.count == 1 &&
             d->out.entry[0].ev.kind == EV_PLACED && d->out.entry[0].ev.to == 1,
         "saga_begin in a choreography: expected saga 1 running and s1 Placed #1 n0->n1 in the "
         "outbox, on disk; got %s, outbox %s (%u entries): saga_begin adds Placed, not Do, when "
         "config.mode is MODE_CHOREOGRAPHY",
         rec_text(&d->saga[1], rec, sizeof rec), first_entry(d, got, sizeof got), d->out.count);
  /* Step 2: payment takes Placed: it charges, and its Done is inventory's cue. */
  at(b, 1, (call){.what = ON_EVENT, .ev = event(1, 0, 1, 1, EV_PLACED)});
  d = disk(b, 1);
  if (d->status[1] == STEP_NONE)
    tap_ok(false,
           "service_on_event in a choreography: Placed from the order service should make "
           "payment do its step (choreo_input -> Do); got no change (status none, %u outbox "
           "entries): does service_on_event ask choreo_input when config.mode is "
           "MODE_CHOREOGRAPHY, instead of taking e->kind as the input?",
           d->out.count);
  else
    tap_ok(d->status[1] == STEP_DONE,
           "service_on_event in a choreography: Placed from the order service: expected "
           "payment's status done; got %s",
           step_name((step_status)d->status[1]));
  if (d->status[1] == STEP_DONE)
    tap_ok(d->out.count == 1 && d->out.entry[0].ev.kind == EV_DONE && d->out.entry[0].ev.to == 2,
           "service_on_event in a choreography: expected payment's s1 Done to go to inventory "
           "(choreo_route -> n2); got %s: the consumer is choreo_route(self, kind) when "
           "config.mode is MODE_CHOREOGRAPHY, not e->from",
           first_entry(d, got, sizeof got));
  /* Step 3: shipping takes inventory's Done of saga 2, which it refuses; Refused goes back. */
  at(b, 3, (call){.what = ON_EVENT, .ev = event(1, 2, 3, 2, EV_DONE)});
  d = disk(b, 3);
  if (d->status[2] == STEP_NONE)
    tap_ok(false,
           "service_on_event in a choreography: inventory's Done should make shipping do its "
           "step of saga 2, which it refuses (choreo_input -> Do); got no change (status none): "
           "does service_on_event ask choreo_input (config.mode)?");
  else
    tap_ok(d->status[2] == STEP_REFUSED,
           "service_on_event in a choreography: shipping cannot do saga 2: expected status "
           "refused; got %s",
           step_name((step_status)d->status[2]));
  if (d->status[2] == STEP_REFUSED)
    tap_ok(d->out.count == 1 && d->out.entry[0].ev.kind == EV_REFUSED && d->out.entry[0].ev.to == 2,
           "service_on_event in a choreography: expected shipping's s2 Refused to go back to "
           "inventory (choreo_route -> n2); got %s: the consumer is choreo_route(self, kind) "
           "when config.mode is MODE_CHOREOGRAPHY, not e->from",
           first_entry(d, got, sizeof got));
  /* Step 4: the order service takes shipping's Done: saga 1 completed, then the Ack. */
  int first = b->count;
  at(b, 0, (call){.what = ORCH_EVENT, .ev = event(6, 3, 0, 1, EV_DONE)});
  d = disk(b, 0);
  tap_ok(d->saga[1].phase == SAGA_COMPLETED,
         "orchestrator_on_event in a choreography: shipping's Done #6: expected saga 1 completed "
         "on disk; got %s: does orchestrator_on_event ask choreo_order_react (config.mode), and "
         "commit?",
         rec_text(&d->saga[1], rec, sizeof rec));
  const sent *a = first_send(b, first, 0, MSG_ACK);
  char ack[64], then[64] = "";
  if (a)
    snprintf(then, sizeof then, ", with the disk saying %s",
             saga_phase_name((saga_phase)a->disk.saga[1].phase));
  tap_ok(a && a->ack == 6 && a->to == 3 && a->disk.saga[1].phase == SAGA_COMPLETED,
         "orchestrator_on_event in a choreography: expected Ack #6 n0->n3 after the commit (disk "
         "saying completed); got %s%s: acknowledge every event, only after disk_commit",
         ack_text(a, ack, sizeof ack), then);
  sim_destroy(b->w);
}

/* ---------------------------------------------------------------------------------------------
 * Part E: TCC. The participant's rule on the bench (shipping, n3, refuses saga 2); the
 * coordinator's rule on hand-made records.
 */

static bool expect_tcc(bench *b, int i, uint32_t t, ev_kind input, ev_kind want,
                       step_status want_st, uint8_t applied, uint8_t undone, const char *why) {
  ev_kind got = at(b, i, (call){.what = TCC_REACT, .saga = t, .input = input}).result;
  const saga_disk *d = &node(b, i)->disk;
  return tap_ok(
      got == want && d->status[t] == want_st && d->applied[t] == applied && d->undone[t] == undone,
      "tcc_participant_react(s%u, %s) at %s: %s: expected %s, status %s, reserved %u, released "
      "%u; got %s, status %s, reserved %u, released %u",
      t, ev_name(input), service_name(i), why, ev_name(want), step_name(want_st), applied, undone,
      ev_name(got), step_name((step_status)d->status[t]), d->applied[t], d->undone[t]);
}

/* Rule: Try holds (with its timeout), Confirm makes it final once, a repeat changes nothing. */
static void tcc_confirm_once(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_TCC);
  expect_tcc(b, 1, 1, EV_TRY, EV_RESERVED, STEP_HELD, 1, 0, "Try reserves (held)");
  tap_is_int((long long)node(b, 1)->disk.hold_until[1], (long long)(5 * SIM_MS + 2 * SIM_SEC),
             "Try at t=5ms holds until 5ms + timing.hold (2 s)");
  expect_tcc(b, 1, 1, EV_TRY, EV_NONE, STEP_HELD, 1, 0, "a repeated Try reserves nothing more");
  expect_tcc(b, 1, 1, EV_CONFIRM, EV_CONFIRMED, STEP_CONFIRMED, 1, 0, "Confirm makes it final");
  expect_tcc(b, 1, 1, EV_CONFIRM, EV_NONE, STEP_CONFIRMED, 1, 0,
             "a repeated Confirm changes nothing");
  tap_is_int(node(b, 1)->commits, 0, "the rule writes nothing itself (the handler commits)");
  sim_destroy(b->w);
}

/* Rule: a Cancel after Confirm is refused; a Confirm after Cancel too. */
static void tcc_no_cancel_after_confirm(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_TCC);
  expect_tcc(b, 2, 1, EV_TRY, EV_RESERVED, STEP_HELD, 1, 0, "Try reserves");
  expect_tcc(b, 2, 1, EV_CONFIRM, EV_CONFIRMED, STEP_CONFIRMED, 1, 0, "Confirm");
  expect_tcc(b, 2, 1, EV_CANCEL, EV_NONE, STEP_CONFIRMED, 1, 0,
             "a Cancel after Confirm is refused: the reservation stays final");
  expect_tcc(b, 2, 3, EV_TRY, EV_RESERVED, STEP_HELD, 1, 0, "Try of saga 3 reserves");
  expect_tcc(b, 2, 3, EV_CANCEL, EV_CANCELLED, STEP_CANCELLED, 1, 1, "Cancel releases it");
  expect_tcc(b, 2, 3, EV_CANCEL, EV_NONE, STEP_CANCELLED, 1, 1, "a repeated Cancel: nothing");
  expect_tcc(b, 2, 3, EV_CONFIRM, EV_NONE, STEP_CANCELLED, 1, 1,
             "a Confirm after Cancel is refused");
  sim_destroy(b->w);
}

/* Rule: a Cancel before its Try is an empty cancel, remembered; the late Try is refused. */
static void tcc_empty_cancel(void *arg) {
  (void)arg;
  bench *b = bench_start(MODE_TCC);
  expect_tcc(b, 1, 4, EV_CANCEL, EV_CANCELLED, STEP_CANCELLED, 0, 0,
             "a Cancel before any Try: cancelled, nothing released, answered Cancelled");
  expect_tcc(b, 1, 4, EV_TRY, EV_NONE, STEP_CANCELLED, 0, 0,
             "the late Try is refused (anti-hanging): no reservation that nobody would release");
  expect_tcc(b, 3, 2, EV_TRY, EV_REFUSED, STEP_REFUSED, 0, 0,
             "shipping cannot do saga 2: Refused, nothing reserved");
  expect_tcc(b, 3, 2, EV_CANCEL, EV_CANCELLED, STEP_CANCELLED, 0, 0,
             "Cancel of a refused Try: cancelled, nothing released, answered");
  sim_destroy(b->w);
}

static const char *tcc_rec_text(const saga_rec *r, char *out, size_t cap) {
  snprintf(out, cap, "%s heard %d failed %d", saga_phase_name((saga_phase)r->phase), r->heard,
           r->failed);
  return out;
}

static bool expect_tcc_react(saga_rec *r, int from, ev_kind kind, bool moved, saga_phase phase,
                             ev_kind want_cmd, const char *why) {
  ev_kind cmd = EV_DO; /* anything but the answer: tcc_react must set it */
  saga_rec before = *r;
  bool got = tcc_react(r, from, kind, &cmd);
  char was[64], now[64];
  return tap_ok(got == moved && r->phase == (int32_t)phase && cmd == want_cmd &&
                    (moved || memcmp(&before, r, sizeof before) == 0),
                "tcc_react(%s, %s from %s): %s: expected %s, %s, command %s; got %s, %s, "
                "command %s",
                tcc_rec_text(&before, was, sizeof was), ev_name(kind), service_name(from), why,
                moved ? "moved" : "unchanged", saga_phase_name(phase), ev_name(want_cmd),
                got ? "moved" : "unchanged", tcc_rec_text(r, now, sizeof now), ev_name(cmd));
}

/* Rule: Confirm only after every Reserved; one failure cancels all; the end needs every answer. */
static void tcc_all_or_nothing(void *arg) {
  (void)arg;
  saga_rec r = {.phase = SAGA_RUNNING};
  expect_tcc_react(&r, 1, EV_RESERVED, true, SAGA_RUNNING, EV_NONE, "one of three reserved");
  expect_tcc_react(&r, 1, EV_RESERVED, false, SAGA_RUNNING, EV_NONE, "a repeated Reserved");
  expect_tcc_react(&r, 2, EV_RESERVED, true, SAGA_RUNNING, EV_NONE, "two of three");
  expect_tcc_react(&r, 3, EV_RESERVED, true, SAGA_CONFIRMING, EV_CONFIRM,
                   "all three reserved: Confirm to all");
  expect_tcc_react(&r, 2, EV_RESERVED, false, SAGA_CONFIRMING, EV_NONE, "a late Reserved");
  expect_tcc_react(&r, 1, EV_CONFIRMED, true, SAGA_CONFIRMING, EV_NONE, "one confirmed");
  expect_tcc_react(&r, 1, EV_CONFIRMED, false, SAGA_CONFIRMING, EV_NONE, "a repeated Confirmed");
  expect_tcc_react(&r, 2, EV_CONFIRMED, true, SAGA_CONFIRMING, EV_NONE, "two confirmed");
  expect_tcc_react(&r, 3, EV_CONFIRMED, true, SAGA_COMPLETED, EV_NONE, "all three: completed");
  saga_rec c = {.phase = SAGA_RUNNING};
  expect_tcc_react(&c, 1, EV_RESERVED, true, SAGA_RUNNING, EV_NONE, "payment reserved");
  expect_tcc_react(&c, 3, EV_REFUSED, true, SAGA_CANCELLING, EV_CANCEL,
                   "shipping refused: Cancel to all, whatever the others said");
  expect_tcc_react(&c, 2, EV_RESERVED, false, SAGA_CANCELLING, EV_NONE,
                   "a Reserved after the decision changes nothing (the Cancel releases it)");
  expect_tcc_react(&c, 3, EV_REFUSED, false, SAGA_CANCELLING, EV_NONE, "a repeated Refused");
  expect_tcc_react(&c, 1, EV_CANCELLED, true, SAGA_CANCELLING, EV_NONE, "payment cancelled");
  expect_tcc_react(&c, 2, EV_CANCELLED, true, SAGA_CANCELLING, EV_NONE, "inventory cancelled");
  expect_tcc_react(&c, 3, EV_CANCELLED, true, SAGA_ABORTED, EV_NONE, "all three: aborted");
  saga_rec x = {.phase = SAGA_RUNNING};
  expect_tcc_react(&x, 2, EV_CANCELLED, true, SAGA_CANCELLING, EV_CANCEL,
                   "inventory's reservation expired while trying: Cancel to all");
  tap_is_int(x.heard, 1 << 2, "the expired participant counts as heard: it will not answer again");
}

/* ---------------------------------------------------------------------------------------------
 * Sweeps.
 */

static void sweep(const char *scenario, uint64_t last) {
  tap_sweep(&lab11, scenario, 1, last, NULL, NULL);
}

static void orchestration_plain(void *arg) {
  (void)arg;
  sweep("orchestration", 100);
}
static void orchestration_faulty(void *arg) {
  (void)arg;
  sweep("orchestration-faulty", 100);
}
static void orchestration_crashes(void *arg) {
  (void)arg;
  sweep("orchestration-crashes", 100);
}
static void choreography_plain(void *arg) {
  (void)arg;
  sweep("choreography", 100);
}
static void choreography_faulty(void *arg) {
  (void)arg;
  sweep("choreography-faulty", 100);
}
static void choreography_crashes(void *arg) {
  (void)arg;
  sweep("choreography-crashes", 100);
}

static void tcc_plain(void *arg) {
  (void)arg;
  sweep("tcc", 100);
}
static void tcc_faulty(void *arg) {
  (void)arg;
  sweep("tcc-faulty", 100);
}
static void tcc_crashes(void *arg) {
  (void)arg;
  sweep("tcc-crashes", 100);
}
static void tcc_expiry(void *arg) {
  (void)arg;
  sweep("tcc-expiry", 20);
}

/* Crash points: which actions of each node were a crash point in some run, and the fewest
 * actions a node did in a run it did not crash in (a whole run). */
typedef struct coverage {
  bool reached[SAGA_NODES][64];
  uint32_t fewest[SAGA_NODES];
} coverage;

static bool note_point(struct lab_run *run, void *ctx) {
  coverage *cv = ctx;
  const lab11_record *rec = run->lab_data;
  int i = rec->cp_node;
  if (i < 0 || i >= SAGA_NODES) return true;
  if (rec->cp_reached && rec->cp_k < 64)
    cv->reached[i][rec->cp_k] = true;
  else if (!rec->cp_reached && (!cv->fewest[i] || rec->actions[i] < cv->fewest[i]))
    cv->fewest[i] = rec->actions[i];
  return true;
}

static void crash_points(const char *scenario, int points) {
  static coverage cv;
  memset(&cv, 0, sizeof cv);
  if (!tap_sweep(&lab11, scenario, 1, (uint64_t)SAGA_NODES * points, note_point, &cv)) return;
  for (int i = 0; i < SAGA_NODES; i++) {
    if (!tap_ok(cv.fewest[i] > 0, "%s: some run went past its last action (%d points cover a run)",
                service_name(i), points))
      return;
    for (uint32_t k = 1; k <= cv.fewest[i] && k < 64; k++)
      if (!tap_ok(cv.reached[i][k], "%s crashed right after its action %u in some run",
                  service_name(i), k))
        return;
    tap_diag("%s: crashed after each of its %u actions in turn", service_name(i), cv.fewest[i]);
  }
}

static void orchestration_crash_points(void *arg) {
  (void)arg;
  crash_points("crash-point", SAGA_CRASH_POINTS);
}
static void choreography_crash_points(void *arg) {
  (void)arg;
  crash_points("choreo-crash-point", SAGA_CRASH_POINTS);
}
static void tcc_crash_points(void *arg) {
  (void)arg;
  crash_points("tcc-crash-point", TCC_CRASH_POINTS);
}

/* Mark a found run's verdict as the point of the case. The search (tap_search) prints the
 * verdict on its "found at seed N" line, so the label goes into the verdict, which is then
 * printed once: "# found at seed 1: as expected (a demonstration, not a failure): saga 1 did not
 * end ...". */
static void label_demonstration(struct lab_run *run) {
  static const char label[] = "as expected (a demonstration, not a failure): ";
  size_t n = sizeof label - 1, len = strnlen(run->verdict, sizeof run->verdict - 1);
  if (n + len >= sizeof run->verdict) len = sizeof run->verdict - 1 - n; /* cut the tail */
  memmove(run->verdict + n, run->verdict, len);
  memcpy(run->verdict, label, n);
  run->verdict[n + len] = 0;
}

/* The dual write: the saga never ends, because payment's Done was never sent. */
static bool event_lost(struct lab_run *run, void *ctx) {
  (void)ctx;
  const lab11_record *rec = run->lab_data;
  bool found =
      rec->stuck_saga == 1 && rec->stuck_node == SAGA_PAYMENT && rec->event_lost && rec->cp_reached;
  if (found) label_demonstration(run);
  return found;
}

static void dual_write(void *arg) {
  (void)arg;
  tap_search(&lab11, "dual-write", 1, 1, event_lost, NULL,
             "payment crashed between its commit and its send, so saga 1 should wait for ever "
             "on a Done nobody sent: did service_react apply the step (status done)?");
}

int main(void) {
  tap_case("A. outbox_add appends an unacknowledged entry with the next id", outbox_add_rule, NULL);
  tap_case("A. the relay publishes what is unacknowledged, again only after retry", relay_rule,
           NULL);
  tap_case("A. an Ack marks its entry acknowledged, on disk, once", ack_rule, NULL);
  tap_case("B. service_react: a step applies once; a repeated or late Do does nothing", react_once,
           NULL);
  tap_case("B. service_react: a refused step has no effect and nothing to compensate",
           react_refused, NULL);
  tap_case("B. service_on_event: change and event in one commit, then the Ack",
           service_commit_then_ack, NULL);
  tap_case("B. service_on_event: a repeated event is acknowledged, nothing else", service_duplicate,
           NULL);
  tap_case("B. service_on_event: an Undo compensates, committed with its event", service_undo,
           NULL);
  tap_case("C. saga_react: forward one step at a time", saga_forward, NULL);
  tap_case("C. saga_react: a refusal compensates the committed steps backward", saga_backward,
           NULL);
  tap_case("C. saga_react: an event the saga does not wait for changes nothing", saga_ignores,
           NULL);
  tap_case("C. saga_begin: the saga and its first command in one commit", begin_rule, NULL);
  tap_case("C. orchestrator_on_event: commit the next command, then acknowledge", orchestrator_rule,
           NULL);
  tap_case("C. orchestration: every saga ends completed or compensated (100 seeds)",
           orchestration_plain, NULL);
  tap_case("C. orchestration: under 20% loss and 20% duplication (100 seeds)", orchestration_faulty,
           NULL);
  tap_case("C. orchestration: with crashes while the sagas run (100 seeds)", orchestration_crashes,
           NULL);
  tap_case("C. orchestration: a node crashes after any of its actions (144 runs)",
           orchestration_crash_points, NULL);
  tap_case("D. choreo_route: Done goes forward, Refused and Compensated back", route_rule, NULL);
  tap_case("D. choreo_input: what an event asks of a service", input_rule, NULL);
  tap_case("D. choreo_order_react: how the order service learns the end", order_rule, NULL);
  tap_case("D. choreography handlers: Placed, then each result to its consumer",
           choreography_handlers, NULL);
  tap_case("D. choreography: every saga ends completed or compensated (100 seeds)",
           choreography_plain, NULL);
  tap_case("D. choreography: under 20% loss and 20% duplication (100 seeds)", choreography_faulty,
           NULL);
  tap_case("D. choreography: with crashes while the sagas run (100 seeds)", choreography_crashes,
           NULL);
  tap_case("D. choreography: a node crashes after any of its actions (144 runs)",
           choreography_crash_points, NULL);
  tap_case("E. TCC: Try holds, Confirm makes it final once", tcc_confirm_once, NULL);
  tap_case("E. TCC: no Cancel after Confirm, no Confirm after Cancel", tcc_no_cancel_after_confirm,
           NULL);
  tap_case("E. TCC: an empty cancel is remembered; the late Try is refused", tcc_empty_cancel,
           NULL);
  tap_case("E. TCC: tcc_react confirms all or cancels all", tcc_all_or_nothing, NULL);
  tap_case("E. TCC: every transaction confirmed or cancelled in full (100 seeds)", tcc_plain, NULL);
  tap_case("E. TCC: under 20% loss and 20% duplication (100 seeds)", tcc_faulty, NULL);
  tap_case("E. TCC: with crashes (100 seeds)", tcc_crashes, NULL);
  tap_case("E. TCC: a node crashes after any of its actions (224 runs)", tcc_crash_points, NULL);
  tap_case("E. TCC: reservations expire when n0 is down too long (20 seeds)", tcc_expiry, NULL);
  tap_case("demonstration: without an outbox, a crash between commit and send loses the event",
           dual_write, NULL);
  return tap_done();
}
