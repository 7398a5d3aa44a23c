/*
 * labs/01-lamport-clocks/scenarios.c: lab 01's scenarios and checkers, shared by the driver and
 * the tests.
 *
 * The clock checker. The library gives every event its ground-truth vector clock V (sim_event.vc),
 * and a -> b exactly when a's own entry is covered by b's clock: V(a)[node(a)] <= V(b)[node(a)]
 * (a != b). So for an event b it is enough to know, for every node i, the largest clock C among
 * node i's events numbered up to V(b)[i]: the clock condition holds for every a -> b exactly when
 * each of those maxima is below C(b). The checker keeps these running maxima (best[i][k]) and
 * checks each event as soon as its clock is known:
 *   - a local event or a send: at once (protocol.c ticked before telling the library);
 *   - a receive: the observer runs before the handler, so the event waits (pending) until the
 *     next thing the checker sees, by which time lamport_receive has run and recv_clock holds it.
 * Boots and timers are not events of the clock (the clock does not tick for them); they still
 * carry causality in the ground truth, so nothing is lost by skipping them. The copies of one
 * multicast share one timestamp: the checker treats them as one event.
 *
 * The total-order checker (multicast mode) runs after every event: every node's deliveries are a
 * prefix of one common sequence, that sequence rises in (ts, origin) order, and no message is
 * delivered twice. At the deadline every node must have delivered every message.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

static const char *kind_name(int kind) {
  return kind == SIM_EV_SEND ? "send" : kind == SIM_EV_RECV ? "receive" : "local event";
}

/* Find, for the report, the event of node i with index <= upto whose clock is `clock`. */
static const lab01_event *find_event(const lab01_record *rec, int node, uint32_t upto,
                                     uint64_t clock) {
  for (uint32_t e = 0; e < rec->event_count; e++) {
    const lab01_event *ev = &rec->events[e];
    if (ev->node == node && ev->vc[node] <= upto && ev->clock == clock) return ev;
  }
  return NULL;
}

/* Record node i's event with index k and clock c in the running maxima. */
static void remember(lab01_record *rec, int i, uint32_t k, uint64_t c) {
  if (k >= LAB01_MAX_PER_NODE) return;
  int64_t prev = rec->best[i][rec->filled[i]];
  for (uint32_t j = rec->filled[i] + 1; j < k; j++) rec->best[i][j] = prev;
  if (k > rec->filled[i]) {
    rec->best[i][k] = prev > (int64_t)c ? prev : (int64_t)c;
    rec->filled[i] = k;
  }
}

/* Check one event whose clock is known, then remember it. `same_event`: a further copy of a
 * multicast already checked (checked as part of that multicast). */
static void check_event(sim_world *w, lab01_record *rec, const lab01_event *b, bool same_event) {
  int j = b->node;
  uint32_t own = b->vc[j];
  if (own >= LAB01_MAX_PER_NODE) {
    sim_fail(w, "recorder", "n%d has more than %d events: the scenario is too long for the checker",
             j, LAB01_MAX_PER_NODE - 1);
    return;
  }
  if (rec->event_count < LAB01_MAX_EVENTS) rec->events[rec->event_count++] = *b;
  if (!same_event) {
    rec->checked++;
    for (int i = 0; i < rec->nodes; i++) {
      uint32_t upto = i == j ? own - 1 : b->vc[i];
      if (upto > rec->filled[i]) upto = rec->filled[i];
      int64_t worst = rec->best[i][upto];
      if (worst < 0 || (uint64_t)worst < b->clock) continue;
      const lab01_event *a = find_event(rec, i, upto, (uint64_t)worst);
      char ta[32] = "?", tb[32];
      if (a) sim_format_time(a->time, ta, sizeof ta);
      sim_format_time(b->time, tb, sizeof tb);
      const char *hint =
          b->kind != SIM_EV_RECV
              ? "a node's clock must rise with each of its events: tick by one on a local event "
                "and on a send (lamport_local, lamport_send)"
          : i != j ? "a receive must end above the message's timestamp and above the receiver's "
                     "own clock: max(local, msg) + 1 (lamport_receive)"
                   : "a receive must never take the node's clock back or leave it where it was: "
                     "max(local, msg) + 1, not the message's timestamp alone (lamport_receive)";
      sim_fail(w, "clock-condition",
               "n%d's %s at t=%s (C=%" PRId64 ") happened before n%d's %s at t=%s (C=%" PRIu64
               "), but C(a) < C(b) does not hold: %s",
               i, a ? kind_name(a->kind) : "event", ta, worst, j, kind_name(b->kind), tb, b->clock,
               hint);
      return;
    }
  }
  remember(rec, j, own, b->clock);
}

static lab01_event event_of(const sim_event *ev, uint64_t clock) {
  lab01_event e = {.time = ev->time, .node = ev->node, .kind = (int32_t)ev->kind, .clock = clock};
  memcpy(e.vc, ev->vc, sizeof e.vc);
  return e;
}

/* Give pending receives their clock (their handlers have run by now). */
static void settle(sim_world *w, lab01_record *rec) {
  for (int i = 0; i < rec->nodes; i++) {
    if (!rec->pending[i]) continue;
    rec->pending[i] = false;
    const lamport_state *s = sim_state(w, i);
    rec->pending_ev[i].clock = s->recv_clock;
    check_event(w, rec, &rec->pending_ev[i], false);
  }
}

static void watch_clocks(sim_world *w, const sim_event *ev, void *ctx) {
  lab01_record *rec = ctx;
  settle(w, rec);
  if (ev->node < 0 || ev->node >= rec->nodes) return;
  const lamport_state *s = sim_state(w, ev->node);
  if (ev->kind == SIM_EV_LOCAL) {
    lab01_event e = event_of(ev, s->clock.time);
    check_event(w, rec, &e, false);
  } else if (ev->kind == SIM_EV_SEND) {
    uint64_t ts = ev->msg_type == MSG_GOSSIP ? ((const gossip_body *)ev->body)->ts
                  : ev->msg_type == MSG_DATA ? ((const tom_msg *)ev->body)->ts
                                             : ((const ack_body *)ev->body)->ts;
    bool again = s->in_group && rec->group_seen[ev->node] == s->group;
    if (s->in_group) rec->group_seen[ev->node] = s->group;
    lab01_event e = event_of(ev, ts);
    check_event(w, rec, &e, again);
  } else if (ev->kind == SIM_EV_RECV && ev->peer >= 0) {
    rec->pending[ev->node] = true;
    rec->pending_ev[ev->node] = event_of(ev, 0);
  }
}

/* After every event: settle the receive that just ran (so a violation stops the world at once). */
static bool clocks_settled(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)why;
  (void)cap;
  settle(w, ctx);
  return true;
}

/* Total order: after every event, every node's deliveries are a prefix of one sequence. */
static bool total_order(sim_world *w, void *ctx, char *why, size_t cap) {
  lab01_record *rec = ctx;
  for (int i = 0; i < rec->nodes; i++) {
    const lamport_state *s = sim_state(w, i);
    uint32_t count = s->delivered_count < TOM_LOG_MAX ? s->delivered_count : TOM_LOG_MAX;
    for (uint32_t k = rec->checked_upto[i]; k < count; k++) {
      const tom_msg *m = &s->delivered[k];
      if (k > 0 && !(s->delivered[k - 1].ts < m->ts ||
                     (s->delivered[k - 1].ts == m->ts && s->delivered[k - 1].origin < m->origin))) {
        snprintf(
            why, cap,
            "n%d delivered n%d.%u (ts=%llu) right after n%d.%u (ts=%llu): deliveries must rise "
            "in (timestamp, node id) order; is the queue kept sorted (tom_enqueue), and is "
            "the head delivered only once every node has spoken past it (tom_head_stable)?",
            i, m->origin, m->seq, (unsigned long long)m->ts, s->delivered[k - 1].origin,
            s->delivered[k - 1].seq, (unsigned long long)s->delivered[k - 1].ts);
        return false;
      }
      if (k == rec->order_len) {
        rec->order[rec->order_len++] = *m;
      } else if (rec->order[k].origin != m->origin || rec->order[k].seq != m->seq) {
        snprintf(why, cap,
                 "delivery #%u differs: n%d delivered n%d.%u (ts=%llu) where another node "
                 "delivered n%d.%u (ts=%llu); every node must deliver in one total order",
                 k + 1, i, m->origin, m->seq, (unsigned long long)m->ts, rec->order[k].origin,
                 rec->order[k].seq, (unsigned long long)rec->order[k].ts);
        return false;
      }
    }
    rec->checked_upto[i] = count;
    if (s->delivered_count > rec->expected_messages) {
      snprintf(why, cap, "n%d delivered %u messages but only %u were multicast", i,
               s->delivered_count, rec->expected_messages);
      return false;
    }
  }
  return true;
}

typedef struct setup {
  int nodes;
  lab01_config config;
  sim_net_config net;
} setup;

static sim_world *build(lab_run *run, const setup *su) {
  sim_world *w = sim_create(run->seed);
  for (int i = 0; i < su->nodes; i++)
    sim_add_node(w, &lamport_protocol, &su->config, sizeof su->config);
  sim_set_net(w, &su->net);
  lab01_record *rec = calloc(1, sizeof *rec);
  rec->nodes = su->nodes;
  for (int i = 0; i < LAB01_MAX_NODES; i++) rec->best[i][0] = -1;
  rec->example_a = rec->example_b = -1;
  rec->expected_messages =
      su->config.mode == MODE_MULTICAST ? su->config.actions * (uint32_t)su->nodes : 0;
  run->lab_data = rec;
  sim_observe(w, watch_clocks, rec);
  sim_invariant(w, "clock-condition", clocks_settled, rec);
  if (su->config.mode == MODE_MULTICAST) sim_invariant(w, "total-order", total_order, rec);
  lab_begin(run, w);
  return w;
}

/* Count concurrent pairs and those ordered by the clock anyway (the converse of the clock
 * condition fails for them); remember the first such pair. */
static void count_converse(lab01_record *rec) {
  for (uint32_t x = 0; x < rec->event_count; x++) {
    for (uint32_t y = x + 1; y < rec->event_count; y++) {
      const lab01_event *a = &rec->events[x], *b = &rec->events[y];
      bool ab = a->vc[a->node] <= b->vc[a->node];
      bool ba = b->vc[b->node] <= a->vc[b->node];
      if (ab || ba) continue;
      rec->concurrent_pairs++;
      if (a->clock != b->clock) {
        rec->concurrent_ordered++;
        if (rec->example_a < 0) {
          rec->example_a = (int32_t)(a->clock < b->clock ? x : y);
          rec->example_b = (int32_t)(a->clock < b->clock ? y : x);
        }
      }
    }
  }
}

static bool run_gossip(lab_run *run, const setup *su, sim_time deadline) {
  sim_world *w = build(run, su);
  sim_run_until_time(w, deadline);
  settle(w, run->lab_data);
  lab01_record *rec = run->lab_data;
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  if (rec->checked == 0)
    return lab_verdict(run, false, "no event was checked: did the nodes do anything?");
  const sim_stats *st = sim_get_stats(w);
  return lab_verdict(run, true,
                     "the clock condition held on all %u events (%llu messages sent, %llu "
                     "delivered, %llu lost, %llu duplicated)",
                     rec->checked, (unsigned long long)st->sent, (unsigned long long)st->delivered,
                     (unsigned long long)st->dropped_loss, (unsigned long long)st->duplicated);
}

static sim_net_config net_of(sim_time max_latency, double loss, double dup, bool fifo) {
  sim_net_config n = sim_net_default();
  n.latency = SIM_LATENCY_UNIFORM;
  n.latency_min = 1 * SIM_MS;
  n.latency_max = max_latency;
  n.loss = loss;
  n.duplicate = dup;
  n.fifo = fifo;
  return n;
}

static setup gossip_setup(int nodes, uint32_t actions) {
  setup su = {.nodes = nodes,
              .config = {.mode = MODE_GOSSIP,
                         .actions = actions,
                         .mean_gap = 10 * SIM_MS,
                         .local_percent = 30,
                         .max_hops = 2},
              .net = net_of(40 * SIM_MS, 0, 0, false)};
  return su;
}

static bool scenario_gossip(lab_run *run) {
  setup su = gossip_setup(lab_nodes(run, 5), 40);
  return run_gossip(run, &su, 5 * SIM_SEC);
}

static bool scenario_gossip_faulty(lab_run *run) {
  setup su = gossip_setup(lab_nodes(run, 5), 40);
  su.net = net_of(60 * SIM_MS, 0.2, 0.3, false);
  return run_gossip(run, &su, 5 * SIM_SEC);
}

static bool scenario_converse(lab_run *run) {
  setup su = gossip_setup(3, 8);
  if (!run_gossip(run, &su, 2 * SIM_SEC)) return false;
  lab01_record *rec = run->lab_data;
  count_converse(rec);
  if (rec->example_a < 0)
    return lab_verdict(run, false,
                       "no two concurrent events got different clocks (%llu concurrent "
                       "pairs): is every clock the same?",
                       (unsigned long long)rec->concurrent_pairs);
  const lab01_event *a = &rec->events[rec->example_a], *b = &rec->events[rec->example_b];
  char ta[32], tb[32];
  return lab_verdict(
      run, true,
      "clock condition held; of %llu concurrent pairs, %llu have different clocks, "
      "e.g. n%d's %s at t=%s (C=%llu) and n%d's %s at t=%s (C=%llu): C(a) < C(b), yet "
      "neither happened before the other",
      (unsigned long long)rec->concurrent_pairs, (unsigned long long)rec->concurrent_ordered,
      a->node, kind_name(a->kind), sim_format_time(a->time, ta, sizeof ta),
      (unsigned long long)a->clock, b->node, kind_name(b->kind),
      sim_format_time(b->time, tb, sizeof tb), (unsigned long long)b->clock);
}

/* Multicast: run to the deadline and judge total order (checked all along) and liveness. */
static bool run_multicast(lab_run *run, sim_time deadline) {
  sim_world *w = run->world;
  lab01_record *rec = run->lab_data;
  sim_run_until_time(w, deadline);
  settle(w, rec);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  char t[32];
  for (int i = 0; i < rec->nodes; i++) {
    const lamport_state *s = sim_state(w, i);
    if (s->delivered_count != rec->expected_messages)
      return lab_verdict(run, false,
                         "by t=%s n%d delivered %u of %u messages (%u still queued): is a message "
                         "stuck at the head (tom_head_stable), were acks not sent (tom_on_data), "
                         "or were acks received but not recorded in latest[] (tom_on_ack)?",
                         sim_format_time(deadline, t, sizeof t), i, s->delivered_count,
                         rec->expected_messages, s->queue_len);
  }
  return lab_verdict(run, true,
                     "all %d nodes delivered all %u messages in the same (timestamp, node id) "
                     "order, and the clock condition held on %u events",
                     rec->nodes, rec->expected_messages, rec->checked);
}

static bool scenario_multicast(lab_run *run) {
  setup su = {.nodes = lab_nodes(run, 4),
              .config = {.mode = MODE_MULTICAST, .actions = 10, .mean_gap = 15 * SIM_MS},
              .net = net_of(30 * SIM_MS, 0, 0, true)};
  build(run, &su);
  return run_multicast(run, 5 * SIM_SEC);
}

/* n3's messages take 60 ms on every link while the others take 1..5 ms: its early timestamps
 * arrive after later ones from the others. A node that delivers before hearing from everyone
 * gets the order wrong. */
static bool scenario_multicast_slow(lab_run *run) {
  setup su = {.nodes = 4,
              .config = {.mode = MODE_MULTICAST, .actions = 6, .mean_gap = 10 * SIM_MS},
              .net = net_of(5 * SIM_MS, 0, 0, true)};
  sim_world *w = build(run, &su);
  sim_net_config slow = net_of(5 * SIM_MS, 0, 0, true);
  slow.latency = SIM_LATENCY_CONSTANT;
  slow.latency_min = slow.latency_max = 60 * SIM_MS;
  for (int to = 0; to < 3; to++) sim_set_link(w, 3, to, &slow);
  return run_multicast(run, 5 * SIM_SEC);
}

static const lab_scenario scenarios[] = {
    {"gossip", "5 nodes (--nodes 2..8): local events and forwarded messages, reordering; the clock condition",
     scenario_gossip, LAB_NODES(2, LAB01_MAX_NODES)},
    {"gossip-faulty", "the same with 20% loss and 30% duplication", scenario_gossip_faulty, LAB_NODES(2, LAB01_MAX_NODES)},
    {"converse", "3 nodes: the clock condition holds, but C(a) < C(b) for concurrent a, b",
     scenario_converse, LAB_FIXED_NODES},
    {"multicast", "4 nodes (--nodes 2..8) multicast 10 messages each over FIFO links; one total order",
     scenario_multicast, LAB_NODES(2, LAB01_MAX_NODES)},
    {"multicast-slow", "n3's links take 60 ms: early timestamps arrive late",
     scenario_multicast_slow, LAB_FIXED_NODES},
};

const lab_info lab01 = {
    .id = "01-lamport-clocks",
    .title = "happens-before and Lamport clocks",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
