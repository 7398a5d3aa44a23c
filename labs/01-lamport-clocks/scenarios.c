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
 *
 * A failure names the function most likely at fault. To tell the causes apart the checker also
 * records (struct recorder) restarts (a clock that began again at 0 is not a broken clock rule)
 * and what each node received from each other node (a head stuck behind latest[j] means that
 * j's Data or Ack was not recorded, or that no Ack was ever sent).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* What the checkers keep. The tests read run->lab_data as a lab01_record, so that comes first
 * (run->lab_data points at it, and lab_end's free() frees the whole recorder); the rest only
 * explains failures. */
typedef struct recorder {
  lab01_record rec;
  /* Restarts: restart_vc[j] is node j's ground-truth vector clock at its latest restart (all
   * zero if it never restarted), so "a was known to j when it restarted" is a->vc[a->node] <=
   * restart_vc[j][a->node]. */
  bool restarted[LAB01_MAX_NODES];
  sim_time restart_time[LAB01_MAX_NODES];
  uint32_t restart_vc[LAB01_MAX_NODES][LAB01_MAX_NODES];
  /* multicast: heard_data[i][j] / heard_ack[i][j], the largest timestamp of a Data / an Ack node
   * i received from node j (0: none), and every Ack copy sent; to explain a stuck queue. */
  uint64_t heard_data[LAB01_MAX_NODES][LAB01_MAX_NODES];
  uint64_t heard_ack[LAB01_MAX_NODES][LAB01_MAX_NODES];
  uint64_t acks_sent;
  uint64_t got_data[LAB01_MAX_NODES][LAB01_MAX_NODES]; /* [i][j] bit s-1: i received j's Data s */
  int32_t order_node[TOM_LOG_MAX]; /* the node whose delivery set rec.order[k] */
} recorder;

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

/* True when node j restarted after event a had reached it (a's own entry is covered by j's
 * ground-truth vector at the restart): then the restart, not a clock rule, lost a. `upto` bounds
 * a's index when a itself is not in the event log. */
static bool restarted_since(const recorder *r, int j, int i, const lab01_event *a, uint32_t upto) {
  if (!r->restarted[j]) return false;
  uint32_t index = a ? a->vc[i] : upto;
  return index <= r->restart_vc[j][i];
}

/* Check one event whose clock is known, then remember it. `same_event`: a further copy of a
 * multicast already checked (checked as part of that multicast). */
static void check_event(sim_world *w, recorder *r, const lab01_event *b, bool same_event) {
  lab01_record *rec = &r->rec;
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
      char ta[32] = "?", tb[32], tr[32], restart_hint[256];
      if (a) sim_format_time(a->time, ta, sizeof ta);
      sim_format_time(b->time, tb, sizeof tb);
      snprintf(restart_hint, sizeof restart_hint,
               "n%d restarted at t=%s, after a: a restart zeroes a node's state, so its clock "
               "began again at 0 and forgot a; the restart broke it, not your clock rules "
               "(question 7: how can a clock survive restarts?)",
               j, sim_format_time(r->restart_time[j], tr, sizeof tr));
      const char *hint =
          restarted_since(r, j, i, a, upto) ? restart_hint
          : b->kind != SIM_EV_RECV
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
static void settle(sim_world *w, recorder *r) {
  lab01_record *rec = &r->rec;
  for (int i = 0; i < rec->nodes; i++) {
    if (!rec->pending[i]) continue;
    rec->pending[i] = false;
    const lamport_state *s = sim_state(w, i);
    rec->pending_ev[i].clock = s->recv_clock;
    check_event(w, r, &rec->pending_ev[i], false);
  }
}

/* The timestamp in a message body of this lab. */
static uint64_t body_ts(int type, const void *body) {
  return type == MSG_GOSSIP ? ((const gossip_body *)body)->ts
         : type == MSG_DATA ? ((const tom_msg *)body)->ts
                            : ((const ack_body *)body)->ts;
}

static void watch_clocks(sim_world *w, const sim_event *ev, void *ctx) {
  recorder *r = ctx;
  lab01_record *rec = &r->rec;
  settle(w, r);
  if (ev->node < 0 || ev->node >= rec->nodes) return;
  const lamport_state *s = sim_state(w, ev->node);
  if (ev->kind == SIM_EV_RESTART) {
    /* The state (clock, queue, latest) starts again from zero: so does what it has heard. */
    r->restarted[ev->node] = true;
    r->restart_time[ev->node] = ev->time;
    memcpy(r->restart_vc[ev->node], ev->vc, sizeof r->restart_vc[ev->node]);
    memset(r->heard_data[ev->node], 0, sizeof r->heard_data[ev->node]);
    memset(r->heard_ack[ev->node], 0, sizeof r->heard_ack[ev->node]);
    memset(r->got_data[ev->node], 0, sizeof r->got_data[ev->node]);
  } else if (ev->kind == SIM_EV_LOCAL) {
    lab01_event e = event_of(ev, s->clock.time);
    check_event(w, r, &e, false);
  } else if (ev->kind == SIM_EV_SEND) {
    uint64_t ts = body_ts(ev->msg_type, ev->body);
    if (ev->msg_type == MSG_ACK) r->acks_sent++;
    bool again = s->in_group && rec->group_seen[ev->node] == s->group;
    if (s->in_group) rec->group_seen[ev->node] = s->group;
    lab01_event e = event_of(ev, ts);
    check_event(w, r, &e, again);
  } else if (ev->kind == SIM_EV_RECV && ev->peer >= 0) {
    if (ev->peer < LAB01_MAX_NODES && ev->msg_type != MSG_GOSSIP) {
      uint64_t ts = body_ts(ev->msg_type, ev->body);
      uint64_t *heard = ev->msg_type == MSG_DATA ? &r->heard_data[ev->node][ev->peer]
                                                 : &r->heard_ack[ev->node][ev->peer];
      if (ts > *heard) *heard = ts;
      uint32_t seq = ev->msg_type == MSG_DATA ? ((const tom_msg *)ev->body)->seq : 0;
      if (seq >= 1 && seq <= 64) r->got_data[ev->node][ev->peer] |= 1ull << (seq - 1);
    }
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

/* The total order of the lab ((ts, origin), as tom_before should say), for the checkers. */
static bool comes_before(const tom_msg *a, const tom_msg *b) {
  return a->ts < b->ts || (a->ts == b->ts && a->origin < b->origin);
}

/* Why node i delivered m at position k where node o delivered r: one sentence for the report.
 * One of the two came first; the node that delivered the other one there went wrong. */
static void explain_difference(sim_world *w, const recorder *r, int i, const tom_msg *m, int o,
                               const tom_msg *rm, char *out, size_t cap) {
  const tom_msg *first = comes_before(rm, m) ? rm : m, *later = first == rm ? m : rm;
  int x = first == rm ? i : o; /* the node that skipped `first` */
  int f = first->origin;
  if (f == x) {
    snprintf(out, cap,
             "n%d skipped its own n%d.%u: did tom_multicast queue its own copy (tom_enqueue)?", x,
             f, first->seq);
    return;
  }
  char skipped[160];
  snprintf(skipped, sizeof skipped,
           "n%d.%u (ts=%llu) comes first, so n%d delivered n%d.%u too soon", f, first->seq,
           (unsigned long long)first->ts, x, later->origin, later->seq);
  if (f < 0 || f >= r->rec.nodes || x < 0 || x >= r->rec.nodes) {
    snprintf(out, cap, "%s", skipped);
    return;
  }
  const lamport_state *s = sim_state(w, x);
  /* Did x keep `first` at all (still queued, or delivered later in the same handler)? */
  bool kept = false;
  for (uint32_t k = 0; k < s->queue_len && k < TOM_QUEUE_MAX; k++)
    kept |= s->queue[k].origin == f && s->queue[k].seq == first->seq;
  for (uint32_t k = 0; k < s->delivered_count && k < TOM_LOG_MAX; k++)
    kept |= s->delivered[k].origin == f && s->delivered[k].seq == first->seq;
  uint64_t heard =
      r->heard_data[x][f] > r->heard_ack[x][f] ? r->heard_data[x][f] : r->heard_ack[x][f];
  const sim_net_config *link = sim_link_config(w, f, x);
  bool received =
      first->seq >= 1 && first->seq <= 64 && (r->got_data[x][f] >> (first->seq - 1) & 1);
  if (received && !kept)
    snprintf(out, cap,
             "%s, and n%d had received n%d.%u yet it is not in its queue: tom_on_data must queue "
             "every Data (tom_enqueue), and tom_enqueue must keep every message",
             skipped, x, f, first->seq);
  else if (received)
    snprintf(out, cap,
             "%s, though n%d.%u had already reached n%d's queue: tom_enqueue must keep the "
             "queue sorted by tom_before, so that the earliest message is the head",
             skipped, f, first->seq, x);
  else if (link && !link->fifo && heard >= first->ts)
    snprintf(out, cap,
             "%s: the link n%d->n%d is not FIFO, so n%d heard ts=%llu from n%d before n%d.%u "
             "reached it, and latest[n%d] promised nothing earlier would come (question 4)",
             skipped, f, x, x, (unsigned long long)heard, f, f, first->seq, f);
  else
    snprintf(out, cap,
             "%s: a head may go only once every other node has spoken at or past its timestamp "
             "(tom_head_stable)",
             skipped);
}

/* Total order: after every event, every node's deliveries are a prefix of one sequence. */
static bool total_order(sim_world *w, void *ctx, char *why, size_t cap) {
  recorder *r = ctx;
  lab01_record *rec = &r->rec;
  for (int i = 0; i < rec->nodes; i++) {
    const lamport_state *s = sim_state(w, i);
    uint32_t count = s->delivered_count < TOM_LOG_MAX ? s->delivered_count : TOM_LOG_MAX;
    for (uint32_t k = rec->checked_upto[i]; k < count; k++) {
      const tom_msg *m = &s->delivered[k];
      if (k > 0 && !comes_before(&s->delivered[k - 1], m)) {
        const tom_msg *p = &s->delivered[k - 1];
        const sim_net_config *link = m->origin >= 0 && m->origin < rec->nodes && m->origin != i
                                         ? sim_link_config(w, m->origin, i)
                                         : NULL;
        uint64_t heard = 0;
        if (link) {
          heard = r->heard_data[i][m->origin];
          if (r->heard_ack[i][m->origin] > heard) heard = r->heard_ack[i][m->origin];
        }
        char hint[256];
        if (link && !link->fifo && heard > m->ts)
          snprintf(hint, sizeof hint,
                   "the link n%d->n%d is not FIFO: n%d.%u reached n%d after later messages from "
                   "n%d (it has heard up to ts=%llu), which promised nothing earlier would come "
                   "(question 4)",
                   m->origin, i, m->origin, m->seq, i, m->origin, (unsigned long long)heard);
        else if (p->ts == m->ts)
          snprintf(hint, sizeof hint,
                   "equal timestamps, so the smaller node id comes first: check tom_before, and "
                   "that tom_enqueue inserts by it");
        else
          snprintf(hint, sizeof hint,
                   "is the queue kept sorted (tom_enqueue), and is the head delivered only once "
                   "every other node has spoken at or past it (tom_head_stable)?");
        snprintf(why, cap,
                 "n%d delivered n%d.%u (ts=%llu) right after n%d.%u (ts=%llu): deliveries must "
                 "rise in (timestamp, node id) order; %s",
                 i, m->origin, m->seq, (unsigned long long)m->ts, p->origin, p->seq,
                 (unsigned long long)p->ts, hint);
        return false;
      }
      if (k == rec->order_len) {
        r->order_node[rec->order_len] = i;
        rec->order[rec->order_len++] = *m;
      } else if (rec->order[k].origin != m->origin || rec->order[k].seq != m->seq) {
        char reason[512];
        explain_difference(w, r, i, m, r->order_node[k], &rec->order[k], reason, sizeof reason);
        snprintf(why, cap,
                 "delivery #%u differs: n%d delivered n%d.%u (ts=%llu) where n%d delivered "
                 "n%d.%u (ts=%llu); every node must deliver in one total order: %s",
                 k + 1, i, m->origin, m->seq, (unsigned long long)m->ts, r->order_node[k],
                 rec->order[k].origin, rec->order[k].seq, (unsigned long long)rec->order[k].ts,
                 reason);
        return false;
      }
    }
    rec->checked_upto[i] = count;
    if (s->delivered_count > rec->expected_messages) {
      snprintf(why, cap,
               "n%d delivered %u messages but only %u were multicast: a message may be queued "
               "only once (tom_multicast queues its own copy, tom_on_data each Data)",
               i, s->delivered_count, rec->expected_messages);
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
  recorder *r = calloc(1, sizeof *r);
  lab01_record *rec = &r->rec;
  rec->nodes = su->nodes;
  for (int i = 0; i < LAB01_MAX_NODES; i++) rec->best[i][0] = -1;
  rec->example_a = rec->example_b = -1;
  rec->expected_messages =
      su->config.mode == MODE_MULTICAST ? su->config.actions * (uint32_t)su->nodes : 0;
  run->lab_data = rec;
  sim_observe(w, watch_clocks, r);
  sim_invariant(w, "clock-condition", clocks_settled, r);
  if (su->config.mode == MODE_MULTICAST) sim_invariant(w, "total-order", total_order, r);
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
  settle(w, (recorder *)run->lab_data);
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
  sim_net_config n = sim_net_uniform(1 * SIM_MS, max_latency, loss, dup);
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

/* Why node i (state s) has not delivered everything by the deadline: its head and what it
 * waits for, and which function most likely let it down. One sentence into out. */
static void explain_stuck(sim_world *w, const recorder *r, int i, const lamport_state *s, char *out,
                          size_t cap) {
  const lab01_record *rec = &r->rec;
  uint64_t lost = sim_get_stats(w)->dropped_loss;
  char lost_text[96] = "";
  if (lost > 0)
    snprintf(lost_text, sizeof lost_text,
             " (the network lost %llu messages: the rule assumes links lose nothing)",
             (unsigned long long)lost);
  /* Its own messages: multicast by the timer (actions_done), delivered, or still queued. */
  uint32_t own = 0, count = s->delivered_count < TOM_LOG_MAX ? s->delivered_count : TOM_LOG_MAX;
  uint32_t queued = s->queue_len <= TOM_QUEUE_MAX ? s->queue_len : 0;
  for (uint32_t k = 0; k < count; k++) own += s->delivered[k].origin == i;
  for (uint32_t k = 0; k < queued; k++) own += s->queue[k].origin == i;
  if (own < s->actions_done && s->delivered_count <= TOM_LOG_MAX) {
    snprintf(out, cap,
             "n%d multicast %u messages but only %u of them were ever queued or delivered at n%d: "
             "did tom_multicast queue its own copy (tom_enqueue)?",
             i, s->actions_done, own, i);
    return;
  }
  if (queued == 0) {
    snprintf(out, cap,
             "n%d's queue is empty, so the missing messages never reached it%s: tom_on_data must "
             "queue every Data (tom_enqueue), and tom_enqueue must keep every message",
             i, lost_text);
    return;
  }
  const tom_msg *h = &s->queue[0];
  char head[96];
  snprintf(head, sizeof head, "n%d's head n%d.%u (ts=%llu)", i, h->origin, h->seq,
           (unsigned long long)h->ts);
  int j = 0;
  while (j < rec->nodes && (j == i || s->latest[j] >= h->ts)) j++;
  if (j == rec->nodes) {
    char latest[96] = "";
    size_t at = 0;
    for (int k = 0; k < rec->nodes && at < sizeof latest; k++)
      if (k != i)
        at += (size_t)snprintf(latest + at, sizeof latest - at, "%sn%d=%llu", at ? " " : "", k,
                               (unsigned long long)s->latest[k]);
    snprintf(out, cap,
             "%s stayed queued though every other node has spoken at or past %llu (latest %s): "
             "tom_head_stable must say true once latest[j] >= the head's timestamp for every "
             "other node j (equal is enough; the node's own entry, latest[n%d]=%llu, is never "
             "waited for)",
             head, (unsigned long long)h->ts, latest, i, (unsigned long long)s->latest[i]);
    return;
  }
  uint64_t ts = h->ts, latest = s->latest[j];
  uint64_t data = r->heard_data[i][j], ack = r->heard_ack[i][j];
  char wait[160];
  snprintf(wait, sizeof wait, "%s waits for n%d: latest[n%d]=%llu < %llu", head, j, j,
           (unsigned long long)latest, (unsigned long long)ts);
  if (data >= ts)
    snprintf(out, cap,
             "%s, yet n%d received a Data from n%d with ts=%llu: Data timestamps were not "
             "recorded in latest[] (tom_on_data must set latest[from])",
             wait, i, j, (unsigned long long)data);
  else if (ack >= ts)
    snprintf(out, cap,
             "%s, yet n%d received an Ack from n%d with ts=%llu: acks were received but not "
             "recorded in latest[] (tom_on_ack must set latest[from])",
             wait, i, j, (unsigned long long)ack);
  else if (r->acks_sent == 0)
    snprintf(out, cap,
             "%s, and nothing n%d sent carries ts >= %llu, because no node sent a single Ack: "
             "tom_on_data must acknowledge every Data (tom_send_ack)",
             wait, j, (unsigned long long)ts);
  else
    snprintf(out, cap,
             "%s, and nothing n%d sent to n%d carries ts >= %llu (largest Data ts=%llu, Ack "
             "ts=%llu)%s: tom_on_data must acknowledge every Data (tom_send_ack)",
             wait, j, i, (unsigned long long)ts, (unsigned long long)data, (unsigned long long)ack,
             lost_text);
}

/* Multicast: run to the deadline and judge total order (checked all along) and liveness. */
static bool run_multicast(lab_run *run, sim_time deadline) {
  sim_world *w = run->world;
  recorder *r = run->lab_data;
  lab01_record *rec = &r->rec;
  sim_run_until_time(w, deadline);
  settle(w, r);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  char t[32], why[512];
  for (int i = 0; i < rec->nodes; i++) {
    const lamport_state *s = sim_state(w, i);
    if (s->delivered_count == rec->expected_messages) continue;
    explain_stuck(w, r, i, s, why, sizeof why);
    return lab_verdict(run, false, "by t=%s n%d delivered %u of %u messages (%u still queued): %s",
                       sim_format_time(deadline, t, sizeof t), i, s->delivered_count,
                       rec->expected_messages, s->queue_len, why);
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
    {"gossip",
     "5 nodes (--nodes 2..8): local events and forwarded messages, reordering; the clock condition",
     scenario_gossip, LAB_NODES(2, LAB01_MAX_NODES)},
    {"gossip-faulty", "the same with 20% loss and 30% duplication", scenario_gossip_faulty,
     LAB_NODES(2, LAB01_MAX_NODES)},
    {"converse", "3 nodes: the clock condition holds, but C(a) < C(b) for concurrent a, b",
     scenario_converse, LAB_FIXED_NODES},
    {"multicast",
     "4 nodes (--nodes 2..8) multicast 10 messages each over FIFO links; one total order",
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
