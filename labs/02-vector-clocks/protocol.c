/*
 * labs/02-vector-clocks/protocol.c: the fixed part of lab 02's protocol: message and timer tables,
 * boot, the three workloads (gossip, broadcast, store) and the points where your code is called.
 *
 * Your vector clock is called at exactly these points, so the checker (scenarios.c) can give
 * every event of a gossip run one vector:
 *   - a local event: vclock_tick, then sim_local_event;
 *   - a send: vclock_tick right before sim_send, and the vector goes into the body;
 *   - a receive: vclock_merge with the body's vector, then vclock_tick, first thing in the
 *     handler; the result is kept in recv_clock for the checker.
 * In broadcast mode the vectors are the delivery counts of causal broadcast (yours, causal.c);
 * in store mode they are version vectors (yours, versions.c). After every handler the node's
 * vector is annotated ("clock", "delivered" or "siblings") for the viewer.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

/* Write a vector as "[1,0,2]" for the first `count` entries. */
static void format_vc(const vclock *v, int count, char *out, size_t cap) {
  size_t at = 0;
  at += (size_t)snprintf(out + at, cap - at, "[");
  for (int i = 0; i < count && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%u", i ? "," : "", v->c[i]);
  if (at < cap) snprintf(out + at, cap - at, "]");
}

/* How many entries to show: up to the last non-zero one, at least 3. */
static int shown(const vclock *v) {
  int last = 3;
  for (int i = 3; i < LAB02_MAX_NODES; i++)
    if (v->c[i]) last = i + 1;
  return last;
}

static void format_gossip(const void *body, char *out, size_t cap) {
  const gossip_body *g = body;
  char vc[96];
  format_vc(&g->vc, shown(&g->vc), vc, sizeof vc);
  snprintf(out, cap, "vc=%s hops=%u", vc, g->hops);
}

static void format_bcast(const void *body, char *out, size_t cap) {
  const cb_msg *m = body;
  char vc[96];
  format_vc(&m->vc, shown(&m->vc), vc, sizeof vc);
  snprintf(out, cap, "msg=n%d.%u vt=%s", m->origin, m->id % CB_PER_NODE + 1, vc);
}

static void format_sync(const void *body, char *out, size_t cap) {
  const sync_body *b = body;
  size_t at = 0;
  uint32_t count = b->store.count <= VSTORE_MAX ? b->store.count : VSTORE_MAX;
  at += (size_t)snprintf(out, cap, "siblings=%u", count);
  for (uint32_t i = 0; i < count && at < cap; i++) {
    char vc[96];
    format_vc(&b->store.sib[i].vv, shown(&b->store.sib[i].vv), vc, sizeof vc);
    at += (size_t)snprintf(out + at, cap - at, " %u%s", b->store.sib[i].value, vc);
  }
}

static const sim_msg_type vc_types[MSG_TYPE_COUNT] = {
    [MSG_GOSSIP] = {"Gossip", sizeof(gossip_body), format_gossip},
    [MSG_BCAST] = {"Bcast", sizeof(cb_msg), format_bcast},
    [MSG_SYNC] = {"Sync", sizeof(sync_body), format_sync},
};

static const char *const vc_timers[TIMER_KIND_COUNT] = {
    [TIMER_WORK] = "work", [TIMER_SYNC] = "sync"};

static void annotate(sim_node *n, const vc_state *s) {
  char text[128];
  int count = sim_node_count(n);
  if (s->config.mode == MODE_GOSSIP) {
    format_vc(&s->clock, count, text, sizeof text);
    sim_annotate(n, "clock", "%s", text);
  } else if (s->config.mode == MODE_BROADCAST) {
    format_vc(&s->delivered, count, text, sizeof text);
    sim_annotate(n, "delivered", "%s", text);
    sim_annotate(n, "held", "%u", s->held_count);
  } else {
    size_t at = 0;
    text[0] = 0;
    uint32_t sibs = s->store.count <= VSTORE_MAX ? s->store.count : VSTORE_MAX;
    for (uint32_t i = 0; i < sibs && at < sizeof text; i++)
      at += (size_t)snprintf(text + at, sizeof text - at, "%s%u", i ? "," : "",
                             s->store.sib[i].value);
    sim_annotate(n, "siblings", "%s", sibs ? text : "-");
  }
}

static void arm(sim_node *n, const vc_state *s) {
  sim_time gap = s->config.mean_gap ? s->config.mean_gap : 10 * SIM_MS;
  sim_timer_set(n, TIMER_WORK, 1 + sim_random_below(n, 2 * gap), 0);
}

/* ---- gossip -------------------------------------------------------------------------------- */

static void gossip_send(sim_node *n, vc_state *s, uint32_t hops) {
  gossip_body g = {.hops = hops};
  int to = sim_random_peer(n);
  vclock_tick(&s->clock, sim_self(n));
  g.vc = s->clock;
  sim_send(n, to, MSG_GOSSIP, &g);
}

/* ---- broadcast ----------------------------------------------------------------------------- */

void cb_deliver(sim_node *n, vc_state *s, const cb_msg *m) {
  if (s->log_count < CB_LOG_MAX) s->log[s->log_count] = m->id;
  s->log_count++;
  sim_note(n, "deliver n%d.%u", m->origin, m->id % CB_PER_NODE + 1);
}

void cb_send_all(sim_node *n, vc_state *s, const cb_msg *m) {
  (void)s;
  for (int to = 0; to < sim_node_count(n); to++)
    if (to != sim_self(n)) sim_send(n, to, MSG_BCAST, m);
}

static void start_broadcast(sim_node *n, vc_state *s) {
  if (s->broadcasts >= CB_PER_NODE) return;
  cb_msg m = {.origin = sim_self(n), .id = (uint32_t)sim_self(n) * CB_PER_NODE + s->broadcasts};
  s->broadcasts++;
  cb_broadcast(n, s, &m);
}

/* ---- store --------------------------------------------------------------------------------- */

void replica_write(sim_node *n, vc_state *s) {
  s->writes++;
  s->writing = (uint32_t)(sim_self(n) + 1) * 1000 + s->writes;
  sim_local_event(n); /* the write is an event: the checker takes its ground truth here */
  vclock context = store_context(&s->store);
  store_put(&s->store, sim_self(n), &context, s->writing);
  s->writing = 0;
  annotate(n, s);
}

static void sync_all(sim_node *n, vc_state *s) {
  sync_body b;
  memset(&b, 0, sizeof b);
  b.store = s->store;
  if (b.store.count > VSTORE_MAX) b.store.count = VSTORE_MAX;
  for (int to = 0; to < sim_node_count(n); to++)
    if (to != sim_self(n)) sim_send(n, to, MSG_SYNC, &b);
}

/* ---- handlers ------------------------------------------------------------------------------ */

static void vc_boot(sim_node *n, void *state) {
  vc_state *s = state;
  size_t size = 0;
  const lab02_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  annotate(n, s);
  if (s->config.actions > 0) arm(n, s);
  if (s->config.mode == MODE_STORE && s->config.sync_every && s->config.sync_rounds)
    sim_timer_set(n, TIMER_SYNC, s->config.sync_every, 0);
}

static void vc_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  vc_state *s = state;
  if (from < 0 || from >= LAB02_MAX_NODES) return;
  if (type == MSG_GOSSIP) {
    const gossip_body *g = body;
    /* The receive rule first: merge, then tick for the receive event itself. */
    vclock_merge(&s->clock, &g->vc);
    vclock_tick(&s->clock, sim_self(n));
    s->recv_clock = s->clock;
    if (g->hops > 0) gossip_send(n, s, g->hops - 1);
  } else if (type == MSG_BCAST) {
    uint32_t before = s->log_count;
    cb_on_receive(n, s, body);
    /* The application answers some deliveries with a broadcast of its own: this is what makes
     * causal chains across nodes. */
    for (uint32_t k = before; k < s->log_count && s->config.reply_percent; k++)
      if (sim_random_below(n, 100) < s->config.reply_percent) start_broadcast(n, s);
  } else if (type == MSG_SYNC) {
    const sync_body *b = body;
    uint32_t count = b->store.count <= VSTORE_MAX ? b->store.count : VSTORE_MAX;
    for (uint32_t i = 0; i < count; i++) store_merge(&s->store, &b->store.sib[i]);
  }
  annotate(n, s);
}

static void vc_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  vc_state *s = state;
  (void)arg;
  if (kind == TIMER_SYNC) {
    s->syncs_done++;
    sync_all(n, s);
    if (s->syncs_done < s->config.sync_rounds)
      sim_timer_set(n, TIMER_SYNC, s->config.sync_every, 0);
    return;
  }
  if (kind != TIMER_WORK || s->actions_done >= s->config.actions) return;
  s->actions_done++;
  if (s->config.mode == MODE_GOSSIP) {
    if (sim_random_below(n, 100) < s->config.local_percent) {
      vclock_tick(&s->clock, sim_self(n));
      sim_local_event(n);
    } else {
      uint32_t hops =
          s->config.max_hops ? (uint32_t)sim_random_below(n, s->config.max_hops + 1) : 0;
      gossip_send(n, s, hops);
    }
  } else if (s->config.mode == MODE_BROADCAST) {
    start_broadcast(n, s);
  } else {
    replica_write(n, s);
  }
  annotate(n, s);
  if (s->actions_done < s->config.actions) arm(n, s);
}

const sim_protocol vc_protocol = {
    .name = "vector-clocks",
    .state_size = sizeof(vc_state),
    .stable_size = 0,
    .msg_types = vc_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = vc_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = vc_boot,
    .on_message = vc_on_message,
    .on_timer = vc_on_timer,
};
