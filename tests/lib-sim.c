/*
 * tests/lib-sim.c: unit tests of the simulator (lib/sim.c, lib/queue.c, lib/rng.c, lib/trace.c).
 *
 * The library's promises, each checked on its own: the event order rule, determinism (byte-
 * identical traces for a seed), the network model (loss and duplication rates, FIFO links,
 * partitions, one-way blocks, dead nodes, latency bounds), timers (firing, cancelling, dying in a
 * crash), crash and restart (volatile state wiped, stable storage kept), clocks (skew and drift),
 * snapshots (restore and run again gives the identical trace), invariants and ground truth.
 *
 * The test protocol "chatter": every node sends a Hello to a random peer on a timer, and answers
 * every Hello with an Ack. Its state counts what it saw, so the tests can assert on it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "rng.h"
#include "sim.h"
#include "tap.h"
#include "trace.h"

enum { HELLO, ACK, TYPES };
enum { TICK, TIMERS };

typedef struct hello {
  uint32_t seq;
  uint32_t from;
} hello;

typedef struct chatter {
  uint32_t sent, received, acks, ticks, boots;
  uint32_t last_seq_from[SIM_MAX_NODES]; /* for FIFO checks: last seq seen from each node */
  bool reordered;                        /* a Hello arrived with a smaller seq than before */
  uint32_t seq;
  sim_time period;
  uint64_t timer;
} chatter;

static void fmt_hello(const void *b, char *out, size_t cap) {
  const hello *h = b;
  snprintf(out, cap, "seq=%u from=%u", h->seq, h->from);
}

static const sim_msg_type chatter_types[TYPES] = {
    [HELLO] = {"Hello", sizeof(hello), fmt_hello},
    [ACK] = {"Ack", sizeof(hello), fmt_hello},
};
static const char *const chatter_timers[TIMERS] = {"tick"};

static void chatter_boot(sim_node *n, void *state) {
  chatter *c = state;
  uint32_t boots = 0;
  sim_stable_read(n, 0, &boots, sizeof boots);
  boots++;
  sim_stable_write(n, 0, &boots, sizeof boots);
  c->boots = boots;
  c->period = 10 * SIM_MS;
  sim_annotate(n, "boots", "%u", boots);
  c->timer = sim_timer_set(n, TICK, c->period, 0);
}

static void chatter_message(sim_node *n, void *state, int from, int type, const void *body) {
  chatter *c = state;
  const hello *h = body;
  if (type == HELLO) {
    c->received++;
    if (from >= 0) {
      if (h->seq < c->last_seq_from[from]) c->reordered = true;
      c->last_seq_from[from] = h->seq;
      hello ack = {h->seq, (uint32_t)sim_self(n)};
      sim_send(n, from, ACK, &ack);
    }
  } else {
    c->acks++;
  }
}

static void chatter_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  (void)kind;
  (void)arg;
  chatter *c = state;
  c->ticks++;
  int peers = sim_node_count(n);
  int to = (int)sim_random_below(n, (uint64_t)peers - 1);
  if (to >= sim_self(n)) to++;
  hello h = {++c->seq, (uint32_t)sim_self(n)};
  sim_send(n, to, HELLO, &h);
  c->sent++;
  c->timer = sim_timer_set(n, TICK, c->period, 0);
}

static const sim_protocol chatter_protocol = {
    .name = "chatter",
    .state_size = sizeof(chatter),
    .stable_size = sizeof(uint32_t),
    .msg_types = chatter_types,
    .msg_type_count = TYPES,
    .timer_names = chatter_timers,
    .timer_kind_count = TIMERS,
    .boot = chatter_boot,
    .on_message = chatter_message,
    .on_timer = chatter_timer,
};

/* Build a world of n chatter nodes with a network, optionally tracing into a memory buffer. */
typedef struct traced {
  sim_world *w;
  char *buf;
  size_t len;
  FILE *f;
} traced;

/* The trace buffers live in a static pool: open_memstream keeps pointers to buf and len, so they
 * must not move (a traced returned by value would leave them on a dead stack frame). */
static char *trace_bufs[8];
static size_t trace_lens[8];
static int next_buf;

static traced make_world(uint64_t seed, int nodes, const sim_net_config *net, bool trace) {
  traced t = {0};
  t.w = sim_create(seed);
  for (int i = 0; i < nodes; i++) sim_add_node(t.w, &chatter_protocol, NULL, 0);
  if (net) sim_set_net(t.w, net);
  if (trace) {
    int k = next_buf++ % 8;
    t.f = open_memstream(&trace_bufs[k], &trace_lens[k]);
    t.buf = (char *)&trace_bufs[k]; /* where the buffer pointer will be */
    sim_trace_to(t.w, t.f, "lib-sim", "chatter");
  }
  sim_start(t.w);
  return t;
}

/* Destroy the world and return the trace text (caller frees), or NULL. */
static char *finish(traced *t) {
  sim_destroy(t->w);
  if (!t->f) return NULL;
  fclose(t->f);
  return *(char **)t->buf;
}

static const chatter *node(sim_world *w, int i) { return sim_state(w, i); }

/* --- The event queue -------------------------------------------------------------------------- */

static void queue_order(void *arg) {
  (void)arg;
  /* Rule (sim.h): smallest time first; equal times in the order they were pushed. */
  event_queue q;
  queue_init(&q);
  rng r;
  rng_seed(&r, 42, 0);
  enum { N = 20000 };
  for (uint64_t i = 0; i < N; i++) {
    queue_event e = {.time = rng_below(&r, 500), .seq = i, .slot = (uint32_t)i};
    queue_push(&q, e);
  }
  queue_event prev = {0}, e;
  int popped = 0;
  bool ordered = true;
  while (queue_pop(&q, &e)) {
    if (popped && (e.time < prev.time || (e.time == prev.time && e.seq < prev.seq)))
      ordered = false;
    prev = e;
    popped++;
  }
  tap_is_int(popped, N, "every pushed event pops once");
  tap_ok(ordered, "events pop in (time, sequence) order");
  queue_free(&q);
}

static void rng_streams(void *arg) {
  (void)arg;
  rng a, b, c;
  rng_seed(&a, 7, 1);
  rng_seed(&b, 7, 1);
  rng_seed(&c, 7, 2);
  bool same = true, differ = false;
  for (int i = 0; i < 1000; i++) {
    uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
    same &= x == y;
    differ |= x != z;
  }
  tap_ok(same, "the same (seed, stream) gives the same numbers");
  tap_ok(differ, "another stream gives other numbers");
  /* rng_below is uniform: chi-square-ish sanity over 10 buckets. */
  int buckets[10] = {0};
  for (int i = 0; i < 100000; i++) buckets[rng_below(&a, 10)]++;
  bool flat = true;
  for (int i = 0; i < 10; i++) flat &= buckets[i] > 9500 && buckets[i] < 10500;
  tap_ok(flat, "rng_below(10) fills every bucket within 5%% of 10000");
}

/* --- Determinism ------------------------------------------------------------------------------ */

static void same_seed_same_trace(void *arg) {
  (void)arg;
  sim_net_config net = sim_net_default();
  net.loss = 0.1;
  net.duplicate = 0.1;
  net.latency = SIM_LATENCY_EXPONENTIAL;
  net.latency_max = 20 * SIM_MS;
  int identical = 0, distinct_from_next = 0;
  for (uint64_t seed = 1; seed <= 100; seed++) {
    traced a = make_world(seed, 4, &net, true), b = make_world(seed, 4, &net, true),
           c = make_world(seed + 1000, 4, &net, true);
    sim_run_for(a.w, 500 * SIM_MS);
    sim_run_for(b.w, 500 * SIM_MS);
    sim_run_for(c.w, 500 * SIM_MS);
    char *ta = finish(&a), *tb = finish(&b), *tc = finish(&c);
    if (strcmp(ta, tb) == 0)
      identical++;
    else
      tap_diag("seed %llu: two runs gave different traces", (unsigned long long)seed);
    /* Header lines differ by the seed; compare the events only. */
    if (strcmp(strchr(ta, '\n'), strchr(tc, '\n')) != 0) distinct_from_next++;
    free(ta);
    free(tb);
    free(tc);
  }
  tap_is_int(identical, 100, "100 seeds: each run twice gives byte-identical traces");
  tap_is_int(distinct_from_next, 100, "and different seeds give different runs");
}

/* --- The network model ------------------------------------------------------------------------ */

static void loss_and_duplication_rates(void *arg) {
  (void)arg;
  const double rates[] = {0.05, 0.3, 0.6};
  for (int i = 0; i < 3; i++) {
    sim_net_config net = sim_net_default();
    net.loss = rates[i];
    net.duplicate = rates[2 - i];
    traced t = make_world(99, 5, &net, false);
    sim_run_for(t.w, 200 * SIM_SEC);
    const sim_stats *st = sim_get_stats(t.w);
    double lost = (double)st->dropped_loss / (double)st->sent;
    uint64_t on_wire = st->sent - st->dropped_loss;
    double dup = (double)st->duplicated / (double)on_wire;
    /* With ~100,000 sends the standard error is under 0.2%; allow 1.5% absolute. */
    tap_ok(lost > rates[i] - 0.015 && lost < rates[i] + 0.015,
           "loss %.2f: measured %.4f over %llu sends", rates[i], lost,
           (unsigned long long)st->sent);
    tap_ok(dup > rates[2 - i] - 0.015 && dup < rates[2 - i] + 0.015,
           "duplicate %.2f: measured %.4f over %llu messages", rates[2 - i], dup,
           (unsigned long long)on_wire);
    finish(&t);
  }
}

/* sim_net_uniform: the default network with the latency range and the faults given. */
static void net_uniform_settings(void *arg) {
  (void)arg;
  sim_net_config n = sim_net_uniform(2 * SIM_MS, 40 * SIM_MS, 0.25, 0.5);
  sim_net_config d = sim_net_default();
  tap_is_int(n.latency, SIM_LATENCY_UNIFORM, "uniform latency");
  tap_is_int((int64_t)n.latency_min, 2 * SIM_MS, "latency_min is the given minimum");
  tap_is_int((int64_t)n.latency_max, 40 * SIM_MS, "latency_max is the given maximum");
  tap_ok(n.loss == 0.25 && n.duplicate == 0.5, "loss 0.25 and duplicate 0.5, as given");
  tap_ok(n.fifo == d.fifo && !n.fifo, "links may reorder, as in the default network");
}

static void fifo_never_reorders(void *arg) {
  (void)arg;
  sim_net_config net = sim_net_default();
  net.latency = SIM_LATENCY_UNIFORM;
  net.latency_min = 1 * SIM_MS;
  net.latency_max = 80 * SIM_MS; /* far more spread than the 10 ms send period */
  int reordered_fifo = 0, reordered_free = 0;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    net.fifo = true;
    traced a = make_world(seed, 3, &net, false);
    sim_run_for(a.w, 5 * SIM_SEC);
    for (int i = 0; i < 3; i++) reordered_fifo += node(a.w, i)->reordered;
    finish(&a);
    net.fifo = false;
    traced b = make_world(seed, 3, &net, false);
    sim_run_for(b.w, 5 * SIM_SEC);
    for (int i = 0; i < 3; i++) reordered_free += node(b.w, i)->reordered;
    finish(&b);
  }
  tap_is_int(reordered_fifo, 0, "FIFO links: no node ever saw a smaller seq after a larger one");
  tap_ok(reordered_free > 0, "non-FIFO links do reorder (%d nodes saw it)", reordered_free);
}

static void latency_bounds(void *arg) {
  (void)arg;
  /* Constant latency: a Hello sent at a tick is received exactly 3 ms later. */
  sim_net_config net = sim_net_default();
  net.latency = SIM_LATENCY_CONSTANT;
  net.latency_min = 3 * SIM_MS;
  traced t = make_world(5, 2, &net, false);
  sim_run_until_time(t.w, 10 * SIM_MS + 3 * SIM_MS - 1);
  tap_is_int(node(t.w, 0)->received + node(t.w, 1)->received, 0, "nothing arrives before 13 ms");
  sim_run_until_time(t.w, 13 * SIM_MS);
  tap_is_int(node(t.w, 0)->received + node(t.w, 1)->received, 2,
             "both first Hellos (sent at 10 ms) arrive at exactly 13 ms");
  finish(&t);
}

/* sim_adjust_net changes only the fields it is asked to, on every link, and keeps per-link
 * settings (a fault schedule's "loss 0.2" must not undo a scenario's slow link). */
static void adjust_keeps_links(void *arg) {
  (void)arg;
  traced t = make_world(6, 3, NULL, false);
  sim_net_config slow = *sim_link_config(t.w, 0, 2);
  slow.latency = SIM_LATENCY_CONSTANT;
  slow.latency_min = slow.latency_max = 300 * SIM_MS;
  sim_set_link(t.w, 0, 2, &slow);
  sim_net_config change = sim_net_default();
  change.loss = 0.25;
  change.fifo = true;
  sim_adjust_net(t.w, &change, SIM_NET_LOSS);
  const sim_net_config *l02 = sim_link_config(t.w, 0, 2), *l10 = sim_link_config(t.w, 1, 0);
  tap_ok(l02->loss == 0.25 && l10->loss == 0.25, "loss is set on every link");
  tap_is_int(l02->latency_min, 300 * SIM_MS, "the slow link keeps its latency");
  tap_is_int(l02->fifo || l10->fifo, 0, "a field not named (fifo) is left alone");
  sim_adjust_net(t.w, &change, SIM_NET_FIFO | SIM_NET_LATENCY);
  tap_ok(sim_link_config(t.w, 2, 1)->fifo, "fifo set when named");
  tap_is_int(sim_link_config(t.w, 0, 2)->latency_min, change.latency_min,
             "latency replaced when named");
  finish(&t);
}

typedef struct drop_count {
  int loss, partition, dead, recv_across;
} drop_count;

static void count_drops(sim_world *w, const sim_event *ev, void *ctx) {
  (void)w;
  drop_count *d = ctx;
  if (ev->kind == SIM_EV_RECV && ev->peer >= 0 && (ev->node < 2) != (ev->peer < 2))
    d->recv_across++;
  (void)d;
}

static void partitions_drop(void *arg) {
  (void)arg;
  traced t = make_world(11, 4, NULL, false);
  drop_count d = {0};
  sim_observe(t.w, count_drops, &d);
  sim_run_for(t.w, 100 * SIM_MS);
  int groups[SIM_MAX_NODES] = {0, 0, 1, 1};
  sim_partition(t.w, groups);
  tap_ok(sim_link_blocked(t.w, 0, 2) && sim_link_blocked(t.w, 2, 0) && !sim_link_blocked(t.w, 0, 1),
         "partition {0,1}|{2,3} blocks across and not within");
  /* Messages in flight when the partition began are dropped too: nothing crosses from here. */
  d.recv_across = 0;
  sim_run_for(t.w, 2 * SIM_SEC);
  tap_is_int(d.recv_across, 0, "no message crosses the partition for 2 s");
  tap_ok(sim_get_stats(t.w)->dropped_partition > 0, "and the partition dropped %llu messages",
         (unsigned long long)sim_get_stats(t.w)->dropped_partition);
  sim_heal(t.w);
  sim_run_for(t.w, 1 * SIM_SEC);
  tap_ok(d.recv_across > 0, "after heal, messages cross again (%d)", d.recv_across);
  /* One-way: 0 -> 1 blocked, 1 -> 0 open. */
  sim_block(t.w, 0, 1, true);
  tap_ok(sim_link_blocked(t.w, 0, 1) && !sim_link_blocked(t.w, 1, 0), "sim_block is one-way");
  finish(&t);
}

static void dead_nodes_drop_and_restart_keeps_storage(void *arg) {
  (void)arg;
  traced t = make_world(12, 3, NULL, false);
  sim_run_for(t.w, 200 * SIM_MS);
  uint32_t received_before = node(t.w, 2)->received;
  tap_ok(received_before > 0, "n2 receives while alive (%u)", received_before);
  sim_crash(t.w, 2);
  tap_ok(!sim_alive(t.w, 2), "n2 is down after sim_crash");
  uint64_t dead_before = sim_get_stats(t.w)->dropped_dead;
  uint32_t ticks_before = node(t.w, 2)->ticks;
  sim_run_for(t.w, 1 * SIM_SEC);
  tap_ok(sim_get_stats(t.w)->dropped_dead > dead_before, "messages to the dead n2 are dropped");
  tap_is_int(node(t.w, 2)->ticks, ticks_before, "a dead node's timers do not fire");
  sim_restart(t.w, 2);
  const chatter *c = node(t.w, 2);
  tap_is_int(c->received, 0, "restart wipes volatile state");
  tap_is_int(c->boots, 2, "stable storage survives: the boot counter read 1 and wrote 2");
  sim_run_for(t.w, 200 * SIM_MS);
  tap_ok(node(t.w, 2)->received > 0 && node(t.w, 2)->ticks > 0, "the restarted node runs again");
  finish(&t);
}

/* Faults placed in advance: each applies at exactly its time, a crash of a dead node and a restart
 * of a live one change nothing, isolation cuts one node off both ways, heal undoes it. */
static void faults_at_times(void *arg) {
  (void)arg;
  traced t = make_world(13, 3, NULL, false);
  sim_crash_at(t.w, 100 * SIM_MS, 1);
  sim_crash_at(t.w, 150 * SIM_MS, 1);  /* already down by then: nothing */
  sim_restart_at(t.w, 90 * SIM_MS, 2); /* still up: nothing */
  sim_restart_at(t.w, 300 * SIM_MS, 1);
  sim_isolate_at(t.w, 400 * SIM_MS, 0);
  sim_heal_at(t.w, 500 * SIM_MS);
  sim_run_until_time(t.w, 100 * SIM_MS - 1);
  tap_ok(sim_alive(t.w, 1), "n1 is up just before its crash time (100 ms)");
  sim_run_until_time(t.w, 100 * SIM_MS);
  tap_ok(!sim_alive(t.w, 1), "sim_crash_at: n1 is down at exactly 100 ms");
  tap_is_int(node(t.w, 2)->boots, 1, "sim_restart_at of a live node (n2 at 90 ms) did nothing");
  sim_run_until_time(t.w, 300 * SIM_MS);
  tap_ok(sim_alive(t.w, 1) && node(t.w, 1)->boots == 2,
         "sim_restart_at: n1 is back at exactly 300 ms, booted a second time (the second crash "
         "at 150 ms found it down and changed nothing)");
  sim_run_until_time(t.w, 400 * SIM_MS);
  tap_ok(sim_link_blocked(t.w, 0, 1) && sim_link_blocked(t.w, 2, 0) && !sim_link_blocked(t.w, 1, 2),
         "sim_isolate_at: at 400 ms n0 is cut off both ways, n1 and n2 still talk");
  sim_run_until_time(t.w, 500 * SIM_MS);
  tap_ok(!sim_link_blocked(t.w, 0, 1) && !sim_link_blocked(t.w, 2, 0),
         "sim_heal_at: healed at 500 ms");
  finish(&t);
}

/* A crash point inside a handler (sim_crash_after): the protocol "burst" sends three Hellos to
 * n1, then writes 7 to its stable storage and arms a timer, all in one timer handler at 10 ms.
 * n1 answers each Hello with an Ack and counts them on its disk. */
typedef struct burst {
  uint32_t acks, hellos, fired;
} burst;

static void burst_boot(sim_node *n, void *state) {
  (void)state;
  if (sim_self(n) == 0) sim_timer_set(n, TICK, 10 * SIM_MS, 0);
}

static void burst_message(sim_node *n, void *state, int from, int type, const void *body) {
  burst *b = state;
  if (type == ACK) {
    b->acks++;
    return;
  }
  b->hellos++;
  sim_stable_write(n, 0, &b->hellos, sizeof b->hellos);
  sim_send(n, from, ACK, body);
}

static void burst_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  (void)kind;
  burst *b = state;
  if (arg == 1) { /* the timer armed after the burst */
    b->fired++;
    return;
  }
  for (uint32_t i = 1; i <= 3; i++) {
    hello h = {i, (uint32_t)sim_self(n)};
    sim_send(n, 1, HELLO, &h);
  }
  uint32_t seven = 7;
  sim_stable_write(n, 0, &seven, sizeof seven);
  sim_timer_set(n, TICK, 5 * SIM_MS, 1);
  sim_annotate(n, "burst", "done");
}

static const sim_protocol burst_protocol = {
    .name = "burst",
    .state_size = sizeof(burst),
    .stable_size = sizeof(uint32_t),
    .msg_types = chatter_types,
    .msg_type_count = TYPES,
    .timer_names = chatter_timers,
    .timer_kind_count = TIMERS,
    .boot = burst_boot,
    .on_message = burst_message,
    .on_timer = burst_timer,
};

static sim_world *burst_world(FILE *trace) {
  sim_world *w = sim_create(5);
  sim_add_node(w, &burst_protocol, NULL, 0);
  sim_add_node(w, &burst_protocol, NULL, 0);
  sim_net_config net = sim_net_default();
  net.latency = SIM_LATENCY_CONSTANT;
  net.latency_min = net.latency_max = 1 * SIM_MS;
  sim_set_net(w, &net);
  if (trace) sim_trace_to(w, trace, "lib-sim", "burst");
  sim_start(w);
  return w;
}

/* Crash n1 at the receive of its second Hello (an observer calls sim_crash). */
static void crash_at_second_hello(sim_world *w, const sim_event *ev, void *ctx) {
  int *hellos = ctx;
  if (ev->kind == SIM_EV_RECV && ev->node == 1 && ev->msg_type == HELLO && ++*hellos == 2)
    sim_crash(w, 1);
}

static void crash_points(void *arg) {
  (void)arg;
  /* n0 crashes right after its second action: the second Hello is sent, the third is not, the
   * write and the timer of the same handler never happen. */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  sim_world *w = burst_world(f);
  sim_crash_after(w, 0, 2);
  sim_run_until_time(w, 10 * SIM_MS);
  tap_ok(!sim_alive(w, 0), "n0 is down right after its second action, at t=10ms");
  uint32_t disk = 0;
  memcpy(&disk, sim_stable(w, 0), sizeof disk);
  tap_is_int(disk, 0, "the stable write after the crash point did not happen");
  tap_is_int((int64_t)sim_get_stats(w)->sent, 2, "two Hellos were sent, not three");
  sim_run_until_time(w, 12 * SIM_MS);
  tap_is_int(((const burst *)sim_state(w, 1))->hellos, 2, "n1 received two Hellos");
  /* The timer the cut handler armed would fire at 15 ms; n0 is back at 12 ms (its next burst
   * is at 22 ms). */
  sim_restart(w, 0);
  sim_run_until_time(w, 20 * SIM_MS);
  tap_is_int(((const burst *)sim_state(w, 0))->fired, 0,
             "the timer armed after the crash point never fires, not even after a restart");
  sim_destroy(w);
  fclose(f);
  /* The trace: send, send, crash, in that order, and nothing else from n0 in that handler. */
  const char *s1 = strstr(buf, "\"ev\":\"send\"");
  const char *s2 = s1 ? strstr(s1 + 1, "\"ev\":\"send\"") : NULL;
  const char *c = strstr(buf, "\"ev\":\"crash\"");
  tap_ok(s1 && s2 && c && c > s2, "the trace shows two sends, then the crash");
  const char *r = c ? strstr(c, "\"ev\":\"restart\"") : NULL;
  const char *st = c ? strstr(c, "\"ev\":\"state\"") : NULL;
  tap_ok(r && (!st || st > r), "the annotation after the crash point is not traced");
  free(buf);

  /* A crash point that a plain crash overtakes is cancelled. */
  w = burst_world(NULL);
  sim_crash_after(w, 0, 5);
  sim_crash(w, 0);
  sim_restart(w, 0);
  sim_run_until_time(w, 100 * SIM_MS);
  tap_ok(sim_alive(w, 0), "a crash before the crash point cancels it: n0 stays up after restart");
  tap_is_int(((const burst *)sim_state(w, 0))->fired, 1, "and its handler ran to the end");
  sim_destroy(w);

  /* An observer crashes n1 as its second Hello arrives: that handler does nothing. */
  w = burst_world(NULL);
  int hellos = 0;
  sim_observe(w, crash_at_second_hello, &hellos);
  sim_run_until_time(w, 100 * SIM_MS);
  memcpy(&disk, sim_stable(w, 1), sizeof disk);
  tap_is_int(disk, 1, "n1 wrote its disk for the first Hello only");
  tap_is_int(((const burst *)sim_state(w, 0))->acks, 1, "and answered only the first");
  sim_destroy(w);
}

/* --- Timers and clocks ------------------------------------------------------------------------ */

static void timers_fire_and_cancel(void *arg) {
  (void)arg;
  traced t = make_world(3, 2, NULL, false);
  sim_run_until_time(t.w, 10 * SIM_MS - 1);
  tap_is_int(node(t.w, 0)->ticks, 0, "a 10 ms timer has not fired at 9.999 ms");
  sim_run_until_time(t.w, 10 * SIM_MS);
  tap_is_int(node(t.w, 0)->ticks, 1, "and has fired at exactly 10 ms");
  sim_run_until_time(t.w, 100 * SIM_MS);
  tap_is_int(node(t.w, 0)->ticks, 10, "re-armed every 10 ms: 10 ticks by 100 ms");
  finish(&t);
}

static void cancel_fn(sim_node *n, void *state, void *arg) {
  chatter *c = state;
  bool *ok = arg;
  ok[0] = sim_timer_cancel(n, c->timer);
  ok[1] = sim_timer_cancel(n, c->timer); /* twice: already cancelled */
}

static void timer_cancel(void *arg) {
  (void)arg;
  traced t = make_world(3, 2, NULL, false);
  sim_run_until_time(t.w, 5 * SIM_MS);
  bool ok[2];
  sim_poke(t.w, 0, cancel_fn, ok);
  tap_ok(ok[0], "sim_timer_cancel of a pending timer returns true");
  tap_ok(!ok[1], "cancelling it again returns false");
  sim_run_until_time(t.w, 1 * SIM_SEC);
  tap_is_int(node(t.w, 0)->ticks, 0, "the cancelled timer never fires");
  tap_ok(node(t.w, 1)->ticks > 0, "the other node's timer still does");
  finish(&t);
}

static void read_clock(sim_node *n, void *state, void *arg) {
  (void)state;
  *(sim_time *)arg = sim_clock(n);
}

static void clock_skew_and_drift(void *arg) {
  (void)arg;
  traced t = make_world(3, 3, NULL, false);
  sim_set_clock(t.w, 1, 5 * (int64_t)SIM_MS, 0);
  sim_set_clock(t.w, 2, 0, 50000); /* runs 5% fast */
  sim_run_until_time(t.w, 2 * SIM_SEC);
  sim_time c0, c1, c2;
  sim_poke(t.w, 0, read_clock, &c0);
  sim_poke(t.w, 1, read_clock, &c1);
  sim_poke(t.w, 2, read_clock, &c2);
  tap_is_int((int64_t)c0, 2000000, "a node without skew reads true time");
  tap_is_int((int64_t)c1, 2005000, "skew +5 ms reads 5 ms ahead");
  tap_is_int((int64_t)c2, 2100000, "drift +50000 ppm reads 100 ms ahead after 2 s");
  tap_ok(
      sim_node_clock(t.w, 0) == c0 && sim_node_clock(t.w, 1) == c1 && sim_node_clock(t.w, 2) == c2,
      "sim_node_clock reads, from outside, what each node's sim_clock reads");
  /* The fast clock's 10 ms timer fires after 10 ms / 1.001 of true time: it ticks more. */
  tap_ok(node(t.w, 2)->ticks > node(t.w, 0)->ticks,
         "a fast clock's timers fire sooner (%u > %u ticks)", node(t.w, 2)->ticks,
         node(t.w, 0)->ticks);
  finish(&t);
}

static void slow_node(void *arg) {
  (void)arg;
  traced t = make_world(3, 2, NULL, false);
  sim_set_slow(t.w, 1, 5 * SIM_MS);
  sim_run_until_time(t.w, 1 * SIM_SEC);
  tap_ok(node(t.w, 1)->ticks < node(t.w, 0)->ticks, "a slow node's timers fire later (%u < %u)",
         node(t.w, 1)->ticks, node(t.w, 0)->ticks);
  finish(&t);
}

/* --- Snapshots -------------------------------------------------------------------------------- */

static void snapshot_restore_replays(void *arg) {
  (void)arg;
  sim_net_config net = sim_net_default();
  net.loss = 0.2;
  net.duplicate = 0.2;
  for (uint64_t seed = 1; seed <= 10; seed++) {
    traced t = make_world(seed, 4, &net, false);
    sim_run_for(t.w, 300 * SIM_MS);
    sim_crash(t.w, 3);
    sim_snapshot *s = sim_snapshot_take(t.w);
    uint64_t h0 = sim_world_hash(t.w);
    /* Run on, tracing into buffer A. */
    char *a = NULL, *b = NULL;
    size_t alen, blen;
    FILE *fa = open_memstream(&a, &alen);
    sim_trace_to(t.w, fa, "lib-sim", "after-snapshot");
    sim_run_for(t.w, 200 * SIM_MS);
    sim_restart(t.w, 3);
    sim_run_for(t.w, 300 * SIM_MS);
    uint64_t h_after = sim_world_hash(t.w);
    fclose(fa);
    /* Restore and run the same again, tracing into B. */
    sim_snapshot_restore(t.w, s);
    bool hash_back = sim_world_hash(t.w) == h0;
    FILE *fb = open_memstream(&b, &blen);
    sim_trace_to(t.w, fb, "lib-sim", "after-snapshot");
    sim_run_for(t.w, 200 * SIM_MS);
    sim_restart(t.w, 3);
    sim_run_for(t.w, 300 * SIM_MS);
    bool hash_same = sim_world_hash(t.w) == h_after;
    sim_trace_to(t.w, NULL, NULL, NULL);
    fclose(fb);
    bool same = alen == blen && memcmp(a, b, alen) == 0;
    bool ok = tap_ok(hash_back, "seed %llu: the restored world hashes as at the snapshot",
                     (unsigned long long)seed) &&
              tap_ok(same, "seed %llu: restore and run again gives the identical trace (%zu bytes)",
                     (unsigned long long)seed, alen) &&
              tap_ok(hash_same, "seed %llu: and the same final world", (unsigned long long)seed);
    free(a);
    free(b);
    sim_snapshot_free(s);
    finish(&t);
    if (!ok) return;
  }
}

/* --- Ground truth, invariants ----------------------------------------------------------------- */

typedef struct vc_check {
  int events, bad;
  uint32_t sent_vc[4096][SIM_MAX_NODES];
} vc_check;

static void check_vc(sim_world *w, const sim_event *ev, void *ctx) {
  vc_check *v = ctx;
  v->events++;
  int n = sim_nodes(w);
  if (ev->kind == SIM_EV_SEND && ev->msg_id < 4096)
    memcpy(v->sent_vc[ev->msg_id], ev->vc, sizeof ev->vc);
  if (ev->kind == SIM_EV_RECV && ev->peer >= 0 && ev->msg_id < 4096) {
    /* Receive dominates its send; the receiver's own entry is strictly above the send's view. */
    for (int i = 0; i < n; i++)
      if (ev->vc[i] < v->sent_vc[ev->msg_id][i]) v->bad++;
    if (ev->vc[ev->node] <= v->sent_vc[ev->msg_id][ev->node]) v->bad++;
  }
}

static void ground_truth_clocks(void *arg) {
  (void)arg;
  static vc_check v;
  memset(&v, 0, sizeof v);
  traced t = make_world(21, 4, NULL, false);
  sim_observe(t.w, check_vc, &v);
  sim_run_for(t.w, 1 * SIM_SEC);
  tap_ok(v.events > 500, "observed %d events", v.events);
  tap_is_int(v.bad, 0, "every receive's vector clock dominates its send's, own entry strictly");
  finish(&t);
}

static bool at_most_100_received(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)ctx;
  for (int i = 0; i < sim_nodes(w); i++)
    if (node(w, i)->received > 100) {
      snprintf(why, cap, "n%d received %u Hellos", i, node(w, i)->received);
      return false;
    }
  return true;
}

static void invariant_stops_the_run(void *arg) {
  (void)arg;
  traced t = make_world(4, 3, NULL, true);
  sim_invariant(t.w, "at-most-100", at_most_100_received, NULL);
  bool ran = sim_run_for(t.w, 60 * SIM_SEC);
  const char *report = NULL;
  tap_ok(!ran, "sim_run_for returns false when an invariant fails");
  tap_ok(sim_violated(t.w, &report) && strstr(report, "at-most-100 violated at t=") &&
             strstr(report, "received 101 Hellos"),
         "the report names the invariant, the time and the node: %s", report ? report : "(none)");
  tap_ok(!sim_step(t.w), "the stopped world takes no more events");
  char *text = finish(&t);
  tap_ok(strstr(text, "\"ev\":\"violation\",\"invariant\":\"at-most-100\"") != NULL,
         "the trace records the violation");
  free(text);
}

static bool two_acks(sim_world *w, void *ctx) {
  (void)ctx;
  return node(w, 0)->acks >= 2;
}

static void run_until_predicate(void *arg) {
  (void)arg;
  traced t = make_world(8, 2, NULL, false);
  tap_ok(sim_run_until(t.w, two_acks, NULL, 10 * SIM_SEC), "a reachable goal is reached");
  tap_ok(sim_now(t.w) < 1 * SIM_SEC, "early, at t=%llu us", (unsigned long long)sim_now(t.w));
  sim_crash(t.w, 1);
  sim_time before = sim_now(t.w);
  uint32_t acks = node(t.w, 0)->acks;
  bool reached = sim_run_until(t.w, two_acks, NULL, before + 10 * SIM_SEC);
  (void)reached;
  tap_ok(node(t.w, 0)->acks == acks, "no acks come from a dead peer");
  finish(&t);
}

static void trace_escaping(void *arg) {
  (void)arg;
  char out[64];
  trace_escape("a\"b\\c\nd\x01", out, sizeof out);
  tap_is_str(out, "a\\\"b\\\\c\\nd\\u0001", "strings are escaped for JSON");
  trace_escape("0123456789abcdef", out, 8);
  tap_ok(strlen(out) < 8, "a string too long for its buffer is cut, not overrun");
}

/* Times as text: sim_format_time cuts the last digit off, sim_format_time_rounded rounds it. */
static void time_text(void *arg) {
  (void)arg;
  const struct {
    sim_time t;
    const char *cut, *rounded;
  } cases[] = {
      {0, "0us", "0us"},
      {40, "40us", "40us"},
      {1000, "1.0ms", "1.0ms"},
      {40770, "40.7ms", "40.8ms"},
      {40749, "40.7ms", "40.7ms"},
      {40750, "40.7ms", "40.8ms"},
      {999940, "999.9ms", "999.9ms"},
      {999950, "999.9ms", "1.000s"},
      {1999499, "1.999s", "1.999s"},
      {1999500, "1.999s", "2.000s"},
      {SIM_FOREVER, NULL, NULL},
  };
  char got[32];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (!cases[i].cut) {
      sim_format_time_rounded(cases[i].t, got, sizeof got);
      tap_ok(got[0] != 0, "sim_format_time_rounded(SIM_FOREVER) does not overflow (got %s)", got);
      continue;
    }
    tap_is_str(sim_format_time(cases[i].t, got, sizeof got), cases[i].cut,
               "sim_format_time(%llu us) cuts off", (unsigned long long)cases[i].t);
    tap_is_str(sim_format_time_rounded(cases[i].t, got, sizeof got), cases[i].rounded,
               "sim_format_time_rounded(%llu us) rounds", (unsigned long long)cases[i].t);
  }
}

int main(void) {
  tap_case("event queue: (time, sequence) order", queue_order, NULL);
  tap_case("random streams: reproducible, independent, uniform", rng_streams, NULL);
  tap_case("determinism: same seed, byte-identical trace (100 seeds)", same_seed_same_trace, NULL);
  tap_case("network: measured loss and duplication rates match their settings",
           loss_and_duplication_rates, NULL);
  tap_case("network: sim_net_uniform sets latency range, loss and duplication",
           net_uniform_settings, NULL);
  tap_case("network: FIFO links never reorder; other links do", fifo_never_reorders, NULL);
  tap_case("network: constant latency is exact", latency_bounds, NULL);
  tap_case("network: adjusting one setting keeps each link's others", adjust_keeps_links, NULL);
  tap_case("network: partitions drop, heal restores, block is one-way", partitions_drop, NULL);
  tap_case("crash: dead nodes drop mail and timers; restart wipes state, keeps storage",
           dead_nodes_drop_and_restart_keeps_storage, NULL);
  tap_case("faults at given times: crash, restart, isolate, heal", faults_at_times, NULL);
  tap_case("crash points: sim_crash_after cuts a handler after its k-th action", crash_points,
           NULL);
  tap_case("timers: fire at exactly their virtual time", timers_fire_and_cancel, NULL);
  tap_case("timers: a cancelled timer never fires", timer_cancel, NULL);
  tap_case("clocks: skew and drift", clock_skew_and_drift, NULL);
  tap_case("slow nodes: timers and mail take longer", slow_node, NULL);
  tap_case("snapshot, restore and run again: identical trace and world (10 seeds)",
           snapshot_restore_replays, NULL);
  tap_case("ground truth: vector clocks of every send and receive", ground_truth_clocks, NULL);
  tap_case("invariants: the first violation stops the run with a report", invariant_stops_the_run,
           NULL);
  tap_case("run until a predicate or a deadline", run_until_predicate, NULL);
  tap_case("trace strings are escaped and bounded", trace_escaping, NULL);
  tap_case("times as text: cut off, or rounded to the last digit shown", time_text, NULL);
  return tap_done();
}
