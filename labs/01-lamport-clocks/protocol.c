/*
 * labs/01-lamport-clocks/protocol.c: the fixed part of lab 01's protocol: message and timer tables,
 * boot, the workload (gossip or multicast), and the points where your clock rules are called.
 *
 * The clock is called at exactly these points, so the checker (scenarios.c) can give every event
 * of the run one clock value:
 *   - a local event: lamport_local, then sim_local_event;
 *   - a send: lamport_send right before sim_send, and the timestamp goes into the body (the copies
 *     of one multicast share one timestamp: in Lamport's model a multicast is one event);
 *   - a receive: lamport_receive first thing in the message handler; its result is kept in
 *     recv_clock for the checker.
 * After every handler the node's clock is annotated ("clock") for the viewer; in multicast mode
 * also its queue length, deliveries, head and latest[] (see annotate).
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

static void format_gossip(const void *body, char *out, size_t cap) {
  const gossip_body *g = body;
  snprintf(out, cap, "ts=%llu hops=%u", (unsigned long long)g->ts, g->hops);
}

static void format_data(const void *body, char *out, size_t cap) {
  const tom_msg *m = body;
  snprintf(out, cap, "ts=%llu msg=n%d.%u", (unsigned long long)m->ts, m->origin, m->seq);
}

static void format_ack(const void *body, char *out, size_t cap) {
  const ack_body *a = body;
  snprintf(out, cap, "ts=%llu ack=n%d.%u", (unsigned long long)a->ts, a->origin, a->seq);
}

static const sim_msg_type lamport_types[MSG_TYPE_COUNT] = {
    [MSG_GOSSIP] = {"Gossip", sizeof(gossip_body), format_gossip},
    [MSG_DATA] = {"Data", sizeof(tom_msg), format_data},
    [MSG_ACK] = {"Ack", sizeof(ack_body), format_ack},
};

static const char *const lamport_timers[TIMER_KIND_COUNT] = {[TIMER_WORK] = "work"};

/* Show the node's clock, and in multicast mode its queue, its head (the message it would deliver
 * next: "n1.9 ts=150", "-" when the queue is empty) and latest[] ("n1=150 n2=149": what each
 * other node has spoken up to, 0 for nothing yet), so the viewer shows why a head waits. */
static void annotate(sim_node *n, const lamport_state *s) {
  sim_annotate(n, "clock", "%llu", (unsigned long long)s->clock.time);
  if (s->config.mode != MODE_MULTICAST) return;
  sim_annotate(n, "queued", "%u", s->queue_len);
  sim_annotate(n, "delivered", "%u", s->delivered_count);
  if (s->queue_len > 0 && s->queue_len <= TOM_QUEUE_MAX)
    sim_annotate(n, "head", "n%d.%u ts=%llu", s->queue[0].origin, s->queue[0].seq,
                 (unsigned long long)s->queue[0].ts);
  else
    sim_annotate(n, "head", "-");
  char latest[64] = "";
  size_t at = 0;
  for (int j = 0; j < sim_node_count(n) && j < LAB01_MAX_NODES && at < sizeof latest; j++)
    if (j != sim_self(n))
      at += (size_t)snprintf(latest + at, sizeof latest - at, "%sn%d=%llu", at ? " " : "", j,
                             (unsigned long long)s->latest[j]);
  sim_annotate(n, "latest", "%s", latest);
}

/* Arm the next action: uniform in 1 .. 2 * mean_gap. */
static void arm(sim_node *n, const lamport_state *s) {
  sim_time gap = s->config.mean_gap ? s->config.mean_gap : 10 * SIM_MS;
  sim_timer_set(n, TIMER_WORK, 1 + sim_random_below(n, 2 * gap), 0);
}

static void gossip_send(sim_node *n, lamport_state *s, uint32_t hops) {
  gossip_body g = {.hops = hops};
  int to = sim_random_peer(n);
  g.ts = lamport_send(&s->clock);
  sim_send(n, to, MSG_GOSSIP, &g);
}

void tom_send_data(sim_node *n, lamport_state *s, const tom_msg *m) {
  s->group++;
  s->in_group = true;
  for (int to = 0; to < sim_node_count(n); to++)
    if (to != sim_self(n)) sim_send(n, to, MSG_DATA, m);
  s->in_group = false;
}

void tom_send_ack(sim_node *n, lamport_state *s, const tom_msg *m) {
  ack_body a = {.origin = m->origin, .seq = m->seq};
  a.ts = lamport_send(&s->clock);
  s->group++;
  s->in_group = true;
  for (int to = 0; to < sim_node_count(n); to++)
    if (to != sim_self(n)) sim_send(n, to, MSG_ACK, &a);
  s->in_group = false;
}

/* Deliver the first queued message: remove it from the queue and append it to the log. */
static void deliver_head(sim_node *n, lamport_state *s) {
  tom_msg m = s->queue[0];
  memmove(&s->queue[0], &s->queue[1], (s->queue_len - 1) * sizeof s->queue[0]);
  s->queue_len--;
  if (s->delivered_count < TOM_LOG_MAX) s->delivered[s->delivered_count] = m;
  s->delivered_count++;
  sim_note(n, "deliver n%d.%u (ts=%llu)", m.origin, m.seq, (unsigned long long)m.ts);
}

static void deliver_ready(sim_node *n, lamport_state *s) {
  while (s->queue_len > 0 && s->queue_len <= TOM_QUEUE_MAX &&
         tom_head_stable(s, sim_self(n), sim_node_count(n)))
    deliver_head(n, s);
}

static void lamport_boot(sim_node *n, void *state) {
  lamport_state *s = state;
  size_t size = 0;
  const lab01_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  annotate(n, s);
  if (s->config.actions > 0) arm(n, s);
}

static void lamport_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  lamport_state *s = state;
  if (from < 0 || from >= LAB01_MAX_NODES) return;
  /* IR2(b) first: the receive is an event, and its clock is known before anything else runs. */
  uint64_t ts = type == MSG_GOSSIP ? ((const gossip_body *)body)->ts
                : type == MSG_DATA ? ((const tom_msg *)body)->ts
                                   : ((const ack_body *)body)->ts;
  lamport_receive(&s->clock, ts);
  s->recv_clock = s->clock.time;
  if (type == MSG_GOSSIP) {
    const gossip_body *g = body;
    if (g->hops > 0) gossip_send(n, s, g->hops - 1);
  } else if (type == MSG_DATA) {
    if (s->queue_len < TOM_QUEUE_MAX) tom_on_data(n, s, from, body);
    deliver_ready(n, s);
  } else if (type == MSG_ACK) {
    tom_on_ack(n, s, from, body);
    deliver_ready(n, s);
  }
  annotate(n, s);
}

static void lamport_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  lamport_state *s = state;
  (void)arg;
  if (kind != TIMER_WORK || s->actions_done >= s->config.actions) return;
  s->actions_done++;
  if (s->config.mode == MODE_GOSSIP) {
    if (sim_random_below(n, 100) < s->config.local_percent) {
      lamport_local(&s->clock);
      sim_local_event(n);
    } else {
      uint32_t hops =
          s->config.max_hops ? (uint32_t)sim_random_below(n, s->config.max_hops + 1) : 0;
      gossip_send(n, s, hops);
    }
  } else if (s->queue_len < TOM_QUEUE_MAX) {
    tom_multicast(n, s);
    deliver_ready(n, s);
  }
  annotate(n, s);
  if (s->actions_done < s->config.actions) arm(n, s);
}

const sim_protocol lamport_protocol = {
    .name = "lamport",
    .state_size = sizeof(lamport_state),
    .stable_size = 0,
    .msg_types = lamport_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = lamport_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = lamport_boot,
    .on_message = lamport_on_message,
    .on_timer = lamport_on_timer,
};
