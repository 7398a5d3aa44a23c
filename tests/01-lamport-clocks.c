/*
 * tests/01-lamport-clocks.c: lab 01's tests: Lamport clocks and totally ordered multicast.
 *
 * First each clock rule on its own (local tick, send tick, receive max + 1), so a learner sees
 * which rule is wrong; then the clock condition (a -> b implies C(a) < C(b)) on every event of
 * many seeded runs, checked against the library's ground-truth causality, with reordering, loss
 * and duplication; then a run that shows the converse does not hold. Then the multicast: the
 * (timestamp, node id) order, the queue, the stability rule, and whole runs where every node
 * must deliver every message in one total order.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* Rule IR1: a local event ticks the clock by exactly one. */
static void local_ticks(void *arg) {
  (void)arg;
  lamport_clock c = {.time = 0};
  tap_is_int((int64_t)lamport_local(&c), 1, "the first local event on a fresh clock has C=1");
  tap_is_int((int64_t)c.time, 1, "and the clock now reads 1");
  c.time = 41;
  tap_is_int((int64_t)lamport_local(&c), 42, "a local event at 41 gets C=42");
  tap_is_int((int64_t)c.time, 42, "and the clock now reads 42");
}

/* Rules IR1 + IR2(a): a send ticks, and the new value is the message's timestamp. */
static void send_ticks(void *arg) {
  (void)arg;
  lamport_clock c = {.time = 7};
  tap_is_int((int64_t)lamport_send(&c), 8, "a send at clock 7 carries timestamp 8");
  tap_is_int((int64_t)c.time, 8, "and the clock now reads 8");
  tap_is_int((int64_t)lamport_send(&c), 9, "two sends in a row get different timestamps (9)");
}

/* Rule IR2(b): a receive sets the clock to max(present, timestamp) + 1. */
static void receive_max_plus_one(void *arg) {
  (void)arg;
  lamport_clock c = {.time = 5};
  tap_is_int((int64_t)lamport_receive(&c, 9), 10, "clock 5, message ts 9: the receive gets 10");
  tap_is_int((int64_t)c.time, 10, "and the clock reads 10 (the message was ahead)");
  c.time = 12;
  tap_is_int((int64_t)lamport_receive(&c, 3), 13, "clock 12, message ts 3: the receive gets 13");
  tap_is_int((int64_t)c.time, 13,
             "and the clock reads 13 (the clock was ahead: it never goes back)");
  c.time = 7;
  tap_is_int((int64_t)lamport_receive(&c, 7), 8, "clock 7, message ts 7: the receive gets 8");
}

/* The clock condition on every event of 100 runs: five nodes, local events, point-to-point
 * messages forwarded up to twice, latencies 1..40 ms so messages overtake each other. The
 * scenario's observer checks each event against ground truth the moment its clock is known. */
static void clock_condition_reordering(void *arg) {
  (void)arg;
  tap_sweep(&lab01, "gossip", 1, 100, NULL, NULL);
}

/* The same under 20% loss and 30% duplication: a duplicate is a second receive event. */
static void clock_condition_faults(void *arg) {
  (void)arg;
  tap_sweep(&lab01, "gossip-faulty", 1, 50, NULL, NULL);
}

/* The converse does not hold: C(a) < C(b) says nothing about a -> b. In a small run the clock
 * condition holds, yet some pairs of concurrent events have different clocks; one is named. */
static bool show_converse(lab_run *run, void *ctx) {
  (void)ctx;
  const lab01_record *rec = run->lab_data;
  if (!tap_ok(rec->example_a >= 0, "a concurrent pair with C(a) < C(b) exists")) return false;
  const lab01_event *a = &rec->events[rec->example_a], *b = &rec->events[rec->example_b];
  bool concurrent = !(a->vc[a->node] <= b->vc[a->node]) && !(b->vc[b->node] <= a->vc[b->node]);
  tap_ok(concurrent, "ground truth: neither event happened before the other");
  tap_ok(a->clock < b->clock, "yet C(a)=%llu < C(b)=%llu", (unsigned long long)a->clock,
         (unsigned long long)b->clock);
  tap_diag("%s", run->verdict);
  return concurrent && a->clock < b->clock;
}

static void converse_fails(void *arg) {
  (void)arg;
  tap_sweep(&lab01, "converse", 1, 1, show_converse, NULL);
}

/* The total order: by timestamp, ties broken by node id. */
static void order_by_timestamp_then_id(void *arg) {
  (void)arg;
  tom_msg a = {.ts = 3, .origin = 2, .seq = 1}, b = {.ts = 4, .origin = 0, .seq = 1};
  tom_msg c = {.ts = 3, .origin = 1, .seq = 5};
  tap_ok(tom_before(&a, &b), "(3, n2) comes before (4, n0): the timestamp decides");
  tap_ok(!tom_before(&b, &a), "(4, n0) does not come before (3, n2)");
  tap_ok(tom_before(&c, &a), "(3, n1) comes before (3, n2): equal timestamps, the node id decides");
  tap_ok(!tom_before(&a, &a), "a message does not come before itself");
}

/* The queue as "(ts,n<origin>) ..." into out (at most the first 16 entries), for diagnostics. */
static const char *queue_text(const lamport_state *s, char *out, size_t cap) {
  size_t at = 0;
  out[0] = 0;
  uint32_t len = s->queue_len < TOM_QUEUE_MAX ? s->queue_len : TOM_QUEUE_MAX;
  for (uint32_t i = 0; i < len && i < 16 && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s(%llu,n%d)", i ? " " : "",
                           (unsigned long long)s->queue[i].ts, (int)s->queue[i].origin);
  if (len > 16 && at < cap) snprintf(out + at, cap - at, " ...");
  if (len == 0) snprintf(out, cap, "(empty)");
  return out;
}

/* The queue stays sorted whatever the arrival order. */
static void enqueue_keeps_order(void *arg) {
  (void)arg;
  static lamport_state s;
  memset(&s, 0, sizeof s);
  tom_msg in[5] = {{9, 1, 1}, {3, 2, 1}, {9, 0, 2}, {5, 1, 2}, {1, 3, 1}};
  for (int i = 0; i < 5; i++) tom_enqueue(&s, &in[i]);
  tap_is_int(s.queue_len, 5,
             "five messages queued, arriving as (9,n1) (3,n2) (9,n0) (5,n1) (1,n3): tom_enqueue "
             "must insert each one, none lost or doubled");
  const int want_ts[5] = {1, 3, 5, 9, 9}, want_origin[5] = {3, 2, 1, 0, 1};
  bool sorted = s.queue_len == 5;
  for (int i = 0; i < 5 && sorted; i++)
    sorted = s.queue[i].ts == (uint64_t)want_ts[i] && s.queue[i].origin == want_origin[i];
  char got[512];
  tap_ok(sorted,
         "the queue must read (1,n3) (3,n2) (5,n1) (9,n0) (9,n1), but reads %s: tom_enqueue must "
         "insert each message before the first one it comes before (tom_before: timestamp, then "
         "node id)",
         queue_text(&s, got, sizeof got));
}

/* One tom_head_stable check at node 0 of 3: what the rule says (`want`, and why), what the
 * function said, and the state it saw. */
static void expect_stable(const lamport_state *s, bool want, const char *why) {
  bool got = tom_head_stable(s, 0, 3);
  char head[64] = "queue empty";
  if (s->queue_len > 0)
    snprintf(head, sizeof head, "head (ts=%llu, from n%d)", (unsigned long long)s->queue[0].ts,
             (int)s->queue[0].origin);
  tap_ok(got == want,
         "%s: at n0 of 3, %s, latest n0=%llu (own) n1=%llu n2=%llu: expected %s (%s), got %s "
         "(tom_head_stable)",
         why, head, (unsigned long long)s->latest[0], (unsigned long long)s->latest[1],
         (unsigned long long)s->latest[2], want ? "stable" : "not stable", want ? "true" : "false",
         got ? "true" : "false");
}

/* The stability rule: the head may go only once every other node has spoken at or past its
 * timestamp. Node 0 of 3, head (5, n1). */
static void head_stable_rule(void *arg) {
  (void)arg;
  static lamport_state s;
  memset(&s, 0, sizeof s);
  /* Step 1: nothing queued, nothing to deliver. */
  expect_stable(&s, false, "an empty queue has nothing to deliver");
  /* Step 2: n1's message (5, n1) arrives: n1 has spoken up to 5, n2 not at all. */
  tom_msg head = {.ts = 5, .origin = 1, .seq = 1};
  tom_enqueue(&s, &head);
  s.latest[1] = 5;
  expect_stable(&s, false, "n2 has said nothing yet: something earlier may still come from it");
  /* Step 3: n2 speaks at 4, still below the head. */
  s.latest[2] = 4;
  expect_stable(&s, false, "n2 has only spoken up to 4 < 5: still not stable");
  /* Step 4: n2 speaks at 6. The own entry is set here so that only the >= rule is at stake. */
  s.latest[2] = 6;
  s.latest[0] = 9;
  expect_stable(&s, true,
                "n1 at 5 >= 5 and n2 at 6 >= 5: nothing earlier can come from either, deliver");
  /* Step 5: the same with the node's own entry at 0, as it always is (no node sends to itself). */
  s.latest[0] = 0;
  expect_stable(&s, true, "the node's own entry latest[n0] is never waited for");
}

/* Whole runs: four nodes multicast ten messages each over FIFO links with latencies 1..30 ms.
 * After every event every node's deliveries must be a prefix of one sequence rising in
 * (ts, node id) order; by 5 s every node has delivered all 40. */
static void same_total_order(void *arg) {
  (void)arg;
  tap_sweep(&lab01, "multicast", 1, 50, NULL, NULL);
}

/* n3's links take 60 ms, the others 1..5 ms: n3's early messages arrive late. Delivering before
 * hearing from every node puts them in the wrong place. */
static void early_timestamps_arrive_late(void *arg) {
  (void)arg;
  tap_sweep(&lab01, "multicast-slow", 1, 30, NULL, NULL);
}

int main(void) {
  tap_case("IR1: a local event ticks the clock by one", local_ticks, NULL);
  tap_case("IR1+IR2(a): a send ticks and its timestamp is the new clock", send_ticks, NULL);
  tap_case("IR2(b): a receive sets the clock to max(clock, timestamp) + 1", receive_max_plus_one,
           NULL);
  tap_case("clock condition on every event, reordering (100 seeds)", clock_condition_reordering,
           NULL);
  tap_case("clock condition on every event, loss and duplication (50 seeds)",
           clock_condition_faults, NULL);
  tap_case("the converse does not hold: concurrent a, b with C(a) < C(b)", converse_fails, NULL);
  tap_case("total order: by timestamp, then node id", order_by_timestamp_then_id, NULL);
  tap_case("the queue stays sorted in that order", enqueue_keeps_order, NULL);
  tap_case("deliver the head only when every other node has spoken at or past it", head_stable_rule,
           NULL);
  tap_case("every node delivers every multicast in the same total order (50 seeds)",
           same_total_order, NULL);
  tap_case("a slow node's early messages still take their place (30 seeds)",
           early_timestamps_arrive_late, NULL);
  return tap_done();
}
