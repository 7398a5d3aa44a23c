/*
 * sim.c: the simulator core: the world, its nodes, the network model, timers, faults, ground-truth
 * vector clocks, invariants, histories, snapshots and the trace of every event.
 *
 * Design in brief. Everything that changes while a world runs lives in plain memory the world owns:
 * `core` (scalars, network settings, random streams: copied whole by a snapshot), the node
 * records (each with a malloc'ed flat state and stable storage of the sizes its protocol
 * declares), three pools (messages in flight, timers, scheduled calls) and the event queue that
 * points into them by slot number. A cancelled timer is not removed from the queue; its pool
 * entry is marked dead and the queue entry is skipped when it comes up (lazy deletion), which is
 * cheaper than searching the heap and keeps the pop order unchanged.
 *
 * The rule for the next event is in sim.h; sim_step is where it is carried out.
 */
#include "sim.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "trace.h"

enum { EV_DELIVER = 1, EV_TIMER = 2, EV_CALL = 3 };
enum { MAX_ANNOTATIONS = 16, MAX_OBSERVERS = 8, MAX_INVARIANTS = 16 };
enum { STREAM_NETWORK = 1, STREAM_NEMESIS = 2, STREAM_WORKLOAD = 3, STREAM_NODE0 = 100 };

/* A message in flight. */
typedef struct message {
  uint64_t id;
  int from, to, type;
  bool live;
  bool duplicate;             /* the second copy of a duplicated message */
  uint32_t vc[SIM_MAX_NODES]; /* the sender's vector clock at the send */
  uint8_t body[SIM_MAX_BODY];
} message;

typedef struct timer {
  uint64_t id; /* (serial << 24) | slot; 0 when the slot is free */
  int node, kind;
  uint32_t incarnation; /* the node's incarnation when set: a crash kills the timer */
  bool live;
  uint64_t arg;
} timer;

typedef struct call {
  void (*fn)(sim_world *w, void *ctx, uint64_t arg);
  void *ctx;
  uint64_t arg;
  bool live;
} call;

/* A growable array of fixed-size elements with a free list, for the three pools. */
typedef struct pool {
  char *items;
  size_t elem, len, cap;
  uint32_t *free_slots;
  size_t free_len;
} pool;

typedef struct annotation {
  char key[24];
  char value[64];
} annotation;

typedef struct node_rec {
  const sim_protocol *proto;
  void *state;     /* proto->state_size bytes, flat */
  uint8_t *stable; /* proto->stable_size bytes */
  void *config;
  size_t config_size;
  char name[16];
  bool alive;
  uint32_t incarnation;
  uint32_t crash_after; /* actions left until a crash point (sim_crash_after); 0: none */
  int64_t skew;
  int32_t drift_ppm;
  sim_time slow;
  rng random;
  uint32_t vc[SIM_MAX_NODES];
  int annotation_count;
  annotation annotations[MAX_ANNOTATIONS];
} node_rec;

/* Scalars and fixed arrays: copied whole by a snapshot. */
typedef struct core {
  sim_time now;
  uint64_t next_seq, next_msg_id, next_timer_serial, event_count;
  int node_count;
  bool started, stopped;
  sim_net_config link[SIM_MAX_NODES][SIM_MAX_NODES];
  bool blocked[SIM_MAX_NODES][SIM_MAX_NODES];
  sim_time last_delivery[SIM_MAX_NODES][SIM_MAX_NODES]; /* for FIFO links */
  rng network, nemesis, workload;
  sim_stats stats;
  char report[1024];
} core;

typedef struct observer {
  void (*fn)(sim_world *w, const sim_event *ev, void *ctx);
  void *ctx;
} observer;

typedef struct invariant {
  const char *name;
  sim_invariant_fn fn;
  void *ctx;
} invariant;

struct sim_node {
  sim_world *world;
  int id;
};

struct sim_world {
  uint64_t seed;
  core c;
  node_rec nodes[SIM_MAX_NODES];
  struct sim_node handles[SIM_MAX_NODES];
  event_queue queue;
  pool messages, timers, calls;
  sim_op_record *history;
  size_t history_len, history_cap;
  observer observers[MAX_OBSERVERS];
  int observer_count;
  invariant invariants[MAX_INVARIANTS];
  int invariant_count;
  FILE *trace;
  int in_handler; /* depth of handler calls, to catch services called from outside */
};

/* ----------------------------------------------------------------------------------------------
 * Small helpers.
 */

static void die(const char *what) {
  fprintf(stderr, "causeway: %s\n", what);
  abort();
}

static void *xmalloc(size_t n) {
  void *p = calloc(1, n ? n : 1);
  if (!p) die("out of memory");
  return p;
}

static void *xmemdup(const void *src, size_t n) {
  void *p = xmalloc(n);
  if (n) memcpy(p, src, n);
  return p;
}

static void pool_init(pool *p, size_t elem) {
  memset(p, 0, sizeof *p);
  p->elem = elem;
}

static void pool_free(pool *p) {
  free(p->items);
  free(p->free_slots);
  p->items = NULL;
  p->free_slots = NULL;
  p->len = p->cap = p->free_len = 0;
}

static void *pool_at(const pool *p, uint32_t slot) {
  assert(slot < p->len);
  return p->items + (size_t)slot * p->elem;
}

/* Take a free slot, growing the pool when none is free. The slot's contents are undefined: the
 * caller sets every field it will read (messages carry up to SIM_MAX_BODY bytes, and clearing
 * them all on every send would cost more than the rest of the send). */
static uint32_t pool_take(pool *p) {
  uint32_t slot;
  if (p->free_len) {
    slot = p->free_slots[--p->free_len];
  } else {
    if (p->len == p->cap) {
      size_t cap = p->cap ? p->cap * 2 : 64;
      char *items = realloc(p->items, cap * p->elem);
      uint32_t *free_slots = realloc(p->free_slots, cap * sizeof *free_slots);
      if (!items || !free_slots) die("out of memory (pool)");
      p->items = items;
      p->free_slots = free_slots;
      p->cap = cap;
    }
    slot = (uint32_t)p->len++;
  }
  return slot;
}

static void pool_give_back(pool *p, uint32_t slot) { p->free_slots[p->free_len++] = slot; }

static void pool_copy(pool *dst, const pool *src) {
  pool_free(dst);
  dst->elem = src->elem;
  dst->len = src->len;
  dst->cap = src->len;
  dst->free_len = src->free_len;
  dst->items = xmemdup(src->items, src->len * src->elem);
  dst->free_slots = xmemdup(src->free_slots, src->len * sizeof *src->free_slots);
}

static void schedule(sim_world *w, sim_time when, uint8_t kind, uint32_t slot) {
  queue_event e = {.time = when, .seq = w->c.next_seq++, .slot = slot, .kind = kind};
  queue_push(&w->queue, e);
}

static bool valid_node(const sim_world *w, int node) { return node >= 0 && node < w->c.node_count; }

static void check_node(const sim_world *w, int node, const char *who) {
  if (!valid_node(w, node)) {
    fprintf(stderr, "causeway: %s: node %d does not exist (the world has %d)\n", who, node,
            w->c.node_count);
    abort();
  }
}

const char *sim_format_time(sim_time t, char *buf, size_t cap) {
  if (t >= SIM_SEC)
    snprintf(buf, cap, "%" PRIu64 ".%03" PRIu64 "s", t / SIM_SEC, (t % SIM_SEC) / SIM_MS);
  else if (t >= SIM_MS)
    snprintf(buf, cap, "%" PRIu64 ".%01" PRIu64 "ms", t / SIM_MS, (t % SIM_MS) / 100);
  else
    snprintf(buf, cap, "%" PRIu64 "us", t);
  return buf;
}

const char *sim_format_time_rounded(sim_time t, char *buf, size_t cap) {
  /* Add half a unit of the last digit shown, then cut off. From 999.95 ms on, the tenths round
   * up to 1000.0 ms, which is shown in seconds. */
  sim_time half = t >= SIM_SEC - SIM_MS / 20 ? SIM_MS / 2 : t >= SIM_MS ? SIM_MS / 20 : 0;
  if (t > SIM_FOREVER - half) half = 0;
  return sim_format_time(t + half, buf, cap);
}

/* ----------------------------------------------------------------------------------------------
 * Trace and observers.
 */

static const char *type_name(const sim_world *w, int type) {
  const sim_protocol *p = w->nodes[0].proto;
  if (type >= 0 && type < p->msg_type_count) return p->msg_types[type].name;
  return "?";
}

static const char *timer_name(const sim_world *w, int node, int kind) {
  const sim_protocol *p = w->nodes[node].proto;
  if (p->timer_names && kind >= 0 && kind < p->timer_kind_count) return p->timer_names[kind];
  return "timer";
}

static void format_body(const sim_world *w, int type, const void *body, char *out, size_t cap) {
  const sim_protocol *p = w->nodes[0].proto;
  out[0] = 0;
  if (type >= 0 && type < p->msg_type_count && p->msg_types[type].format)
    p->msg_types[type].format(body, out, cap);
}

/* Count one more event of the run; true if observers want to hear about it (then build the
 * sim_event and call notify). Building events only for observers keeps the common path cheap. */
static bool observing(sim_world *w) {
  w->c.event_count++;
  return w->observer_count > 0;
}

static void notify(sim_world *w, sim_event *ev) {
  ev->seq = w->c.event_count - 1;
  ev->time = w->c.now;
  for (int i = 0; i < w->observer_count; i++) w->observers[i].fn(w, ev, w->observers[i].ctx);
}

/* Tick node's ground-truth vector clock for a local event, a send, a boot or a crash. */
static void vc_tick(sim_world *w, int node) { w->nodes[node].vc[node]++; }

static void trace_vc(sim_world *w, trace_line *l, int node) {
  trace_uint_array(l, "vc", w->nodes[node].vc, w->c.node_count);
}

/* Emit a node-only event (boot, restart, crash, local) with the node's vector clock. */
static void emit_node_event(sim_world *w, int node, sim_event_kind kind, const char *ev_name) {
  vc_tick(w, node);
  if (observing(w)) {
    sim_event ev = {.kind = kind, .node = node, .peer = -1};
    memcpy(ev.vc, w->nodes[node].vc, sizeof ev.vc);
    notify(w, &ev);
  }
  if (w->trace) {
    trace_line l;
    trace_begin(&l, w->c.now, ev_name);
    trace_int(&l, "node", node);
    trace_vc(w, &l, node);
    trace_end(&l, w->trace);
  }
}

static void trace_drop(sim_world *w, const message *m, const char *why) {
  if (observing(w)) {
    sim_event ev = {.kind = SIM_EV_DROP,
                    .node = m->to,
                    .peer = m->from,
                    .msg_id = m->id,
                    .msg_type = m->type,
                    .body = m->body};
    memcpy(ev.vc, w->nodes[m->to].vc, sizeof ev.vc);
    notify(w, &ev);
  }
  if (!w->trace) return;
  trace_line l;
  trace_begin(&l, w->c.now, "drop");
  trace_int(&l, "node", m->to);
  trace_int(&l, "from", m->from);
  trace_uint(&l, "id", m->id);
  trace_str(&l, "type", type_name(w, m->type));
  trace_str(&l, "why", why);
  trace_end(&l, w->trace);
}

void sim_trace_to(sim_world *w, FILE *out, const char *lab, const char *scenario) {
  w->trace = out;
  if (!out) return;
  trace_line l;
  trace_begin_header(&l);
  trace_str(&l, "lab", lab ? lab : "");
  trace_str(&l, "scenario", scenario ? scenario : "");
  trace_uint(&l, "seed", w->seed);
  const char *names[SIM_MAX_NODES];
  for (int i = 0; i < w->c.node_count; i++) names[i] = w->nodes[i].name;
  trace_str_array(&l, "nodes", names, w->c.node_count);
  if (w->c.node_count > 0) {
    const sim_protocol *p = w->nodes[0].proto;
    const char *types[SIM_MAX_MSG_TYPES];
    for (int i = 0; i < p->msg_type_count; i++) types[i] = p->msg_types[i].name;
    trace_str_array(&l, "types", types, p->msg_type_count);
    trace_str_array(&l, "timers", (const char *const *)p->timer_names,
                    p->timer_names ? p->timer_kind_count : 0);
  }
  trace_end(&l, out);
}

FILE *sim_trace_stream(const sim_world *w) { return w->trace; }

void sim_observe(sim_world *w, void (*fn)(sim_world *, const sim_event *, void *), void *ctx) {
  if (w->observer_count == MAX_OBSERVERS) die("sim_observe: too many observers (8 at most)");
  w->observers[w->observer_count++] = (observer){fn, ctx};
}

/* ----------------------------------------------------------------------------------------------
 * Creating and destroying worlds.
 */

sim_net_config sim_net_default(void) {
  sim_net_config c = {.latency = SIM_LATENCY_UNIFORM,
                      .latency_min = 1 * SIM_MS,
                      .latency_max = 10 * SIM_MS,
                      .loss = 0,
                      .duplicate = 0,
                      .fifo = false};
  return c;
}

sim_net_config sim_net_uniform(sim_time min, sim_time max, double loss, double duplicate) {
  sim_net_config c = sim_net_default();
  c.latency = SIM_LATENCY_UNIFORM;
  c.latency_min = min;
  c.latency_max = max;
  c.loss = loss;
  c.duplicate = duplicate;
  return c;
}

sim_world *sim_create(uint64_t seed) {
  sim_world *w = xmalloc(sizeof *w);
  w->seed = seed;
  sim_net_config def = sim_net_default();
  for (int i = 0; i < SIM_MAX_NODES; i++)
    for (int j = 0; j < SIM_MAX_NODES; j++) w->c.link[i][j] = def;
  rng_seed(&w->c.network, seed, STREAM_NETWORK);
  rng_seed(&w->c.nemesis, seed, STREAM_NEMESIS);
  rng_seed(&w->c.workload, seed, STREAM_WORKLOAD);
  w->c.next_msg_id = 1;
  w->c.next_timer_serial = 1;
  queue_init(&w->queue);
  pool_init(&w->messages, sizeof(message));
  pool_init(&w->timers, sizeof(timer));
  pool_init(&w->calls, sizeof(call));
  return w;
}

void sim_destroy(sim_world *w) {
  if (!w) return;
  if (w->trace) {
    trace_line l;
    trace_begin(&l, w->c.now, "end");
    trace_end(&l, w->trace);
    fflush(w->trace);
  }
  for (int i = 0; i < w->c.node_count; i++) {
    free(w->nodes[i].state);
    free(w->nodes[i].stable);
    free(w->nodes[i].config);
  }
  queue_free(&w->queue);
  pool_free(&w->messages);
  pool_free(&w->timers);
  pool_free(&w->calls);
  free(w->history);
  free(w);
}

int sim_add_node(sim_world *w, const sim_protocol *p, const void *config, size_t config_size) {
  if (w->c.started) die("sim_add_node: the world has already started");
  if (w->c.node_count == SIM_MAX_NODES) die("sim_add_node: too many nodes");
  if (p->msg_type_count > SIM_MAX_MSG_TYPES) die("sim_add_node: too many message types");
  for (int t = 0; t < p->msg_type_count; t++)
    if (p->msg_types[t].body_size > SIM_MAX_BODY) die("sim_add_node: message body too large");
  if (w->c.node_count > 0 && w->nodes[0].proto->msg_types != p->msg_types)
    die("sim_add_node: every node of a world must share one message type table");
  int id = w->c.node_count++;
  node_rec *n = &w->nodes[id];
  n->proto = p;
  n->state = xmalloc(p->state_size);
  n->stable = xmalloc(p->stable_size);
  if (config && config_size) {
    n->config = xmemdup(config, config_size);
    n->config_size = config_size;
  }
  snprintf(n->name, sizeof n->name, "n%d", id);
  n->alive = true;
  rng_seed(&n->random, w->seed, STREAM_NODE0 + (uint64_t)id);
  w->handles[id] = (struct sim_node){w, id};
  return id;
}

void sim_set_node_name(sim_world *w, int node, const char *name) {
  check_node(w, node, "sim_set_node_name");
  snprintf(w->nodes[node].name, sizeof w->nodes[node].name, "%s", name);
}

/* Run a handler for node with the in_handler depth kept, then the handler is done. */
static void boot_node(sim_world *w, int node, bool restart) {
  node_rec *n = &w->nodes[node];
  memset(n->state, 0, n->proto->state_size);
  n->annotation_count = 0;
  emit_node_event(w, node, restart ? SIM_EV_RESTART : SIM_EV_BOOT, restart ? "restart" : "boot");
  if (n->proto->boot) {
    w->in_handler++;
    n->proto->boot(&w->handles[node], n->state);
    w->in_handler--;
  }
}

static bool check_invariants(sim_world *w);

void sim_start(sim_world *w) {
  if (w->c.started) die("sim_start: called twice");
  if (w->c.node_count == 0) die("sim_start: the world has no nodes");
  w->c.started = true;
  for (int i = 0; i < w->c.node_count; i++) boot_node(w, i, false);
  check_invariants(w);
}

/* ----------------------------------------------------------------------------------------------
 * Services for handlers.
 */

int sim_self(const sim_node *n) { return n->id; }
int sim_node_count(const sim_node *n) { return n->world->c.node_count; }
sim_world *sim_node_world(sim_node *n) { return n->world; }

const void *sim_config(const sim_node *n, size_t *size) {
  const node_rec *r = &n->world->nodes[n->id];
  if (size) *size = r->config_size;
  return r->config;
}

/* Draw a one-way latency for a link according to its configuration. */
static sim_time draw_latency(sim_world *w, const sim_net_config *c) {
  switch (c->latency) {
    case SIM_LATENCY_CONSTANT:
      return c->latency_min;
    case SIM_LATENCY_UNIFORM:
      if (c->latency_max <= c->latency_min) return c->latency_min;
      return c->latency_min + rng_below(&w->c.network, c->latency_max - c->latency_min + 1);
    case SIM_LATENCY_EXPONENTIAL: {
      /* Inverse transform: -mean * ln(1 - u). Capped at 50 means to keep runs bounded. */
      double mean = (double)(c->latency_max > c->latency_min ? c->latency_max - c->latency_min : 0);
      double u = rng_unit(&w->c.network);
      double x = -mean * log1p(-u);
      if (x > 50 * mean) x = 50 * mean;
      return c->latency_min + (sim_time)x;
    }
  }
  return c->latency_min;
}

/* Put a message (already in its pool slot) on the wire: choose its arrival time. */
static void put_on_wire(sim_world *w, uint32_t slot, const sim_net_config *cfg) {
  message *m = pool_at(&w->messages, slot);
  sim_time arrive = w->c.now + draw_latency(w, cfg) + w->nodes[m->to].slow;
  if (cfg->fifo) {
    sim_time *last = &w->c.last_delivery[m->from][m->to];
    if (arrive < *last) arrive = *last;
    *last = arrive;
  }
  schedule(w, arrive, EV_DELIVER, slot);
}

static void count_action(sim_world *w, int node);

uint64_t sim_send(sim_node *n, int to, int type, const void *body) {
  sim_world *w = n->world;
  int from = n->id;
  check_node(w, to, "sim_send");
  if (!w->nodes[from].alive) return 0; /* crashed at a crash point earlier in this handler */
  const sim_protocol *p = w->nodes[from].proto;
  if (type < 0 || type >= p->msg_type_count) die("sim_send: unknown message type");
  size_t size = p->msg_types[type].body_size;

  uint32_t slot = pool_take(&w->messages);
  message *m = pool_at(&w->messages, slot);
  m->id = w->c.next_msg_id++;
  m->from = from;
  m->to = to;
  m->type = type;
  m->live = true;
  m->duplicate = false;
  if (size) memcpy(m->body, body, size);

  /* Ground truth: a send is an event of the sender. */
  vc_tick(w, from);
  memcpy(m->vc, w->nodes[from].vc, sizeof m->vc);
  w->c.stats.sent++;
  w->c.stats.bytes_sent += size;
  w->c.stats.sent_by_type[type]++;
  if (observing(w)) {
    sim_event ev = {.kind = SIM_EV_SEND,
                    .node = from,
                    .peer = to,
                    .msg_id = m->id,
                    .msg_type = type,
                    .body = m->body};
    memcpy(ev.vc, m->vc, sizeof ev.vc);
    notify(w, &ev);
  }
  uint64_t id = m->id;
  if (w->trace) {
    char text[1024];
    trace_line l;
    format_body(w, type, m->body, text, sizeof text);
    trace_begin(&l, w->c.now, "send");
    trace_int(&l, "node", from);
    trace_int(&l, "to", to);
    trace_uint(&l, "id", id);
    trace_str(&l, "type", type_name(w, type));
    trace_str(&l, "body", text);
    trace_vc(w, &l, from);
    trace_end(&l, w->trace);
  }

  const sim_net_config *cfg = &w->c.link[from][to];
  if (w->c.blocked[from][to]) {
    w->c.stats.dropped_partition++;
    trace_drop(w, m, "partition");
    pool_give_back(&w->messages, slot);
  } else if (rng_chance(&w->c.network, cfg->loss)) {
    w->c.stats.dropped_loss++;
    trace_drop(w, m, "loss");
    pool_give_back(&w->messages, slot);
  } else {
    put_on_wire(w, slot, cfg);
    if (rng_chance(&w->c.network, cfg->duplicate)) {
      uint32_t copy = pool_take(&w->messages);
      message *orig = pool_at(&w->messages, slot); /* the pool may have moved */
      message *dup = pool_at(&w->messages, copy);
      memcpy(dup, orig, offsetof(message, body) + size);
      dup->duplicate = true;
      w->c.stats.duplicated++;
      put_on_wire(w, copy, cfg);
    }
  }
  count_action(w, from);
  return id;
}

void sim_broadcast(sim_node *n, int type, const void *body) {
  for (int to = 0; to < n->world->c.node_count; to++)
    if (to != n->id) sim_send(n, to, type, body);
}

/* Convert a delay on a node's local clock into true time, given the node's drift. */
static sim_time local_to_true(const node_rec *r, sim_time delay) {
  if (r->drift_ppm == 0) return delay;
  return (sim_time)((double)delay * 1e6 / (1e6 + (double)r->drift_ppm));
}

uint64_t sim_timer_set(sim_node *n, int kind, sim_time delay, uint64_t arg) {
  sim_world *w = n->world;
  node_rec *r = &w->nodes[n->id];
  if (kind < 0 || (r->proto->timer_kind_count && kind >= r->proto->timer_kind_count))
    die("sim_timer_set: unknown timer kind");
  uint32_t slot = pool_take(&w->timers);
  if (slot >= (1u << 24)) die("sim_timer_set: too many pending timers");
  timer *t = pool_at(&w->timers, slot);
  memset(t, 0, sizeof *t);
  t->id = (w->c.next_timer_serial++ << 24) | slot;
  t->node = n->id;
  t->kind = kind;
  t->arg = arg;
  t->incarnation = r->incarnation;
  t->live = r->alive; /* a timer set after a crash point in the same handler never fires */
  schedule(w, w->c.now + local_to_true(r, delay) + r->slow, EV_TIMER, slot);
  return t->id;
}

bool sim_timer_cancel(sim_node *n, uint64_t timer_id) {
  sim_world *w = n->world;
  uint32_t slot = (uint32_t)(timer_id & 0xffffff);
  if (timer_id == 0 || slot >= w->timers.len) return false;
  timer *t = pool_at(&w->timers, slot);
  if (t->id != timer_id || !t->live || t->node != n->id) return false;
  t->live = false; /* the queue entry is skipped when it comes up */
  return true;
}

int sim_timer_cancel_kind(sim_node *n, int kind) {
  sim_world *w = n->world;
  int cancelled = 0;
  for (uint32_t s = 0; s < w->timers.len; s++) {
    timer *t = pool_at(&w->timers, s);
    if (t->live && t->node == n->id && t->kind == kind) {
      t->live = false;
      cancelled++;
    }
  }
  return cancelled;
}

static sim_time local_clock(const sim_world *w, int node) {
  const node_rec *r = &w->nodes[node];
  int64_t t = (int64_t)w->c.now;
  t += (int64_t)((double)t * (double)r->drift_ppm / 1e6) + r->skew;
  return t < 0 ? 0 : (sim_time)t;
}

sim_time sim_clock(const sim_node *n) { return local_clock(n->world, n->id); }
sim_time sim_node_clock(const sim_world *w, int node) {
  check_node(w, node, "sim_node_clock");
  return local_clock(w, node);
}
sim_time sim_true_time(const sim_node *n) { return n->world->c.now; }

uint64_t sim_random(sim_node *n) { return rng_next(&n->world->nodes[n->id].random); }
uint64_t sim_random_below(sim_node *n, uint64_t bound) {
  return rng_below(&n->world->nodes[n->id].random, bound);
}

int sim_random_peer(sim_node *n) {
  int count = n->world->c.node_count;
  if (count < 2) die("sim_random_peer: a world of one node has no peer");
  int pick = (int)sim_random_below(n, (uint64_t)count - 1);
  return pick >= n->id ? pick + 1 : pick;
}

void sim_stable_write(sim_node *n, size_t offset, const void *data, size_t len) {
  node_rec *r = &n->world->nodes[n->id];
  if (offset > r->proto->stable_size || len > r->proto->stable_size - offset)
    die("sim_stable_write: outside the protocol's stable_size");
  if (!r->alive) return; /* crashed at a crash point earlier in this handler */
  memcpy(r->stable + offset, data, len);
  count_action(n->world, n->id);
}

void sim_stable_read(const sim_node *n, size_t offset, void *out, size_t len) {
  const node_rec *r = &n->world->nodes[n->id];
  if (offset > r->proto->stable_size || len > r->proto->stable_size - offset)
    die("sim_stable_read: outside the protocol's stable_size");
  memcpy(out, r->stable + offset, len);
}

void sim_annotate(sim_node *n, const char *key, const char *fmt, ...) {
  sim_world *w = n->world;
  node_rec *r = &w->nodes[n->id];
  if (!r->alive) return; /* crashed at a crash point earlier in this handler */
  char value[64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(value, sizeof value, fmt, ap);
  va_end(ap);
  annotation *a = NULL;
  for (int i = 0; i < r->annotation_count; i++)
    if (strncmp(r->annotations[i].key, key, sizeof a->key - 1) == 0) a = &r->annotations[i];
  if (a && strcmp(a->value, value) == 0) return; /* unchanged: no event */
  if (!a) {
    if (r->annotation_count == MAX_ANNOTATIONS) die("sim_annotate: too many keys on one node");
    a = &r->annotations[r->annotation_count++];
    snprintf(a->key, sizeof a->key, "%s", key);
  }
  snprintf(a->value, sizeof a->value, "%s", value);
  if (w->trace) {
    trace_line l;
    trace_begin(&l, w->c.now, "state");
    trace_int(&l, "node", n->id);
    trace_str(&l, "key", a->key);
    trace_str(&l, "value", a->value);
    trace_end(&l, w->trace);
  }
}

void sim_note(sim_node *n, const char *fmt, ...) {
  sim_world *w = n->world;
  if (!w->trace || !w->nodes[n->id].alive) return;
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  trace_line l;
  trace_begin(&l, w->c.now, "note");
  trace_int(&l, "node", n->id);
  trace_str(&l, "text", text);
  trace_end(&l, w->trace);
}

void sim_local_event(sim_node *n) {
  if (n->world->nodes[n->id].alive) emit_node_event(n->world, n->id, SIM_EV_LOCAL, "local");
}

const uint32_t *sim_true_vc(const sim_world *w, int node) {
  check_node(w, node, "sim_true_vc");
  return w->nodes[node].vc;
}

/* ----------------------------------------------------------------------------------------------
 * Taking events.
 */

static void deliver(sim_world *w, uint32_t slot) {
  message *m = pool_at(&w->messages, slot);
  node_rec *r = &w->nodes[m->to];
  if (!r->alive) {
    w->c.stats.dropped_dead++;
    trace_drop(w, m, "dead");
    pool_give_back(&w->messages, slot);
    return;
  }
  if (w->c.blocked[m->from][m->to]) { /* the partition began while it was in flight */
    w->c.stats.dropped_partition++;
    trace_drop(w, m, "partition");
    pool_give_back(&w->messages, slot);
    return;
  }
  /* Copy out (header and the body's real size only): the handler may send, which may grow and
   * move the pool. */
  message copy;
  memcpy(&copy, m, offsetof(message, body) + r->proto->msg_types[m->type].body_size);
  pool_give_back(&w->messages, slot);

  /* Ground truth: a receive merges the sender's clock, then ticks. */
  for (int i = 0; i < w->c.node_count; i++)
    if (copy.vc[i] > r->vc[i]) r->vc[i] = copy.vc[i];
  vc_tick(w, copy.to);
  w->c.stats.delivered++;
  if (observing(w)) {
    sim_event ev = {.kind = SIM_EV_RECV,
                    .node = copy.to,
                    .peer = copy.from,
                    .msg_id = copy.id,
                    .msg_type = copy.type,
                    .body = copy.body};
    memcpy(ev.vc, r->vc, sizeof ev.vc);
    notify(w, &ev);
  }
  if (w->trace) {
    char text[1024];
    trace_line l;
    format_body(w, copy.type, copy.body, text, sizeof text);
    trace_begin(&l, w->c.now, "recv");
    trace_int(&l, "node", copy.to);
    trace_int(&l, "from", copy.from);
    trace_uint(&l, "id", copy.id);
    trace_str(&l, "type", type_name(w, copy.type));
    trace_str(&l, "body", text);
    if (copy.duplicate) trace_bool(&l, "dup", 1);
    trace_vc(w, &l, copy.to);
    trace_end(&l, w->trace);
  }
  if (r->proto->on_message) {
    w->in_handler++;
    r->proto->on_message(&w->handles[copy.to], r->state, copy.from, copy.type, copy.body);
    w->in_handler--;
  }
}

static void fire_timer(sim_world *w, uint32_t slot) {
  timer t = *(timer *)pool_at(&w->timers, slot);
  ((timer *)pool_at(&w->timers, slot))->id = 0;
  pool_give_back(&w->timers, slot);
  node_rec *r = &w->nodes[t.node];
  vc_tick(w, t.node);
  if (observing(w)) {
    sim_event ev = {.kind = SIM_EV_TIMER, .node = t.node, .peer = -1, .msg_type = t.kind};
    memcpy(ev.vc, r->vc, sizeof ev.vc);
    notify(w, &ev);
  }
  if (w->trace) {
    trace_line l;
    trace_begin(&l, w->c.now, "timer");
    trace_int(&l, "node", t.node);
    trace_str(&l, "name", timer_name(w, t.node, t.kind));
    if (t.arg) trace_uint(&l, "arg", t.arg); /* what the handler was given (e.g. which ping) */
    trace_vc(w, &l, t.node);
    trace_end(&l, w->trace);
  }
  if (r->proto->on_timer) {
    w->in_handler++;
    r->proto->on_timer(&w->handles[t.node], r->state, t.kind, t.arg);
    w->in_handler--;
  }
}

/* Is this queue entry still something to do? (Cancelled timers and timers of a node that crashed
 * since they were set are not.) Frees the slot of a dead entry. */
static bool entry_live(sim_world *w, const queue_event *e) {
  if (e->kind != EV_TIMER) return true;
  timer *t = pool_at(&w->timers, e->slot);
  if (t->live && t->incarnation == w->nodes[t->node].incarnation && w->nodes[t->node].alive)
    return true;
  t->id = 0;
  pool_give_back(&w->timers, e->slot);
  return false;
}

bool sim_step(sim_world *w) {
  if (!w->c.started) die("sim_step: call sim_start first");
  queue_event e;
  for (;;) {
    if (w->c.stopped) return false;
    if (!queue_pop(&w->queue, &e)) return false;
    if (entry_live(w, &e)) break;
  }
  assert(e.time >= w->c.now);
  w->c.now = e.time;
  w->c.stats.events++;
  switch (e.kind) {
    case EV_DELIVER:
      deliver(w, e.slot);
      break;
    case EV_TIMER:
      fire_timer(w, e.slot);
      break;
    case EV_CALL: {
      call c = *(call *)pool_at(&w->calls, e.slot);
      pool_give_back(&w->calls, e.slot);
      c.fn(w, c.ctx, c.arg);
      break;
    }
    default:
      die("sim_step: corrupt event queue");
  }
  check_invariants(w);
  return true;
}

/* The time of the next live event, or SIM_FOREVER. Drops dead entries on the way. */
static sim_time next_event_time(sim_world *w) {
  for (;;) {
    const queue_event *top = queue_peek(&w->queue);
    if (!top) return SIM_FOREVER;
    if (entry_live(w, top)) return top->time;
    queue_event dead;
    queue_pop(&w->queue, &dead);
  }
}

bool sim_run_until_time(sim_world *w, sim_time until) {
  while (!w->c.stopped && next_event_time(w) <= until) sim_step(w);
  if (!w->c.stopped && until > w->c.now) w->c.now = until;
  return !w->c.stopped;
}

bool sim_run_for(sim_world *w, sim_time duration) {
  sim_time until = duration > SIM_FOREVER - w->c.now ? SIM_FOREVER : w->c.now + duration;
  return sim_run_until_time(w, until);
}

bool sim_run_until(sim_world *w, bool (*pred)(sim_world *, void *), void *ctx, sim_time deadline) {
  for (;;) {
    if (w->c.stopped) return false;
    if (pred(w, ctx)) return true;
    if (next_event_time(w) > deadline) break;
    sim_step(w);
  }
  if (!w->c.stopped && deadline > w->c.now && deadline != SIM_FOREVER) w->c.now = deadline;
  return !w->c.stopped && pred(w, ctx);
}

void sim_at(sim_world *w, sim_time when, void (*fn)(sim_world *, void *, uint64_t), void *ctx,
            uint64_t arg) {
  if (when < w->c.now) when = w->c.now;
  uint32_t slot = pool_take(&w->calls);
  call *c = pool_at(&w->calls, slot);
  *c = (call){fn, ctx, arg, true};
  schedule(w, when, EV_CALL, slot);
}

/* The callbacks of the sim_*_at faults: arg is the node (unused by heal). */
static void crash_cb(sim_world *w, void *ctx, uint64_t node) {
  (void)ctx;
  if (sim_alive(w, (int)node)) sim_crash(w, (int)node);
}
static void restart_cb(sim_world *w, void *ctx, uint64_t node) {
  (void)ctx;
  if (!sim_alive(w, (int)node)) sim_restart(w, (int)node);
}
static void isolate_cb(sim_world *w, void *ctx, uint64_t node) {
  (void)ctx;
  int group_of[SIM_MAX_NODES] = {0};
  group_of[node] = 1;
  sim_partition(w, group_of);
}
static void heal_cb(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  (void)arg;
  sim_heal(w);
}

void sim_crash_at(sim_world *w, sim_time when, int node) {
  check_node(w, node, "sim_crash_at");
  sim_at(w, when, crash_cb, NULL, (uint64_t)node);
}
void sim_restart_at(sim_world *w, sim_time when, int node) {
  check_node(w, node, "sim_restart_at");
  sim_at(w, when, restart_cb, NULL, (uint64_t)node);
}
void sim_isolate_at(sim_world *w, sim_time when, int node) {
  check_node(w, node, "sim_isolate_at");
  sim_at(w, when, isolate_cb, NULL, (uint64_t)node);
}
void sim_heal_at(sim_world *w, sim_time when) { sim_at(w, when, heal_cb, NULL, 0); }

/* ----------------------------------------------------------------------------------------------
 * World control.
 */

sim_time sim_now(const sim_world *w) { return w->c.now; }
uint64_t sim_seed(const sim_world *w) { return w->seed; }
int sim_nodes(const sim_world *w) { return w->c.node_count; }
const char *sim_node_name(const sim_world *w, int node) {
  return valid_node(w, node) ? w->nodes[node].name : "client";
}
const void *sim_state(const sim_world *w, int node) {
  check_node(w, node, "sim_state");
  return w->nodes[node].state;
}
void *sim_state_mut(sim_world *w, int node) {
  check_node(w, node, "sim_state_mut");
  return w->nodes[node].state;
}
const void *sim_stable(const sim_world *w, int node) {
  check_node(w, node, "sim_stable");
  return w->nodes[node].stable;
}
bool sim_alive(const sim_world *w, int node) { return valid_node(w, node) && w->nodes[node].alive; }
rng *sim_workload_rng(sim_world *w) { return &w->c.workload; }
rng *sim_nemesis_rng(sim_world *w) { return &w->c.nemesis; }
const sim_stats *sim_get_stats(const sim_world *w) { return &w->c.stats; }

bool sim_inject(sim_world *w, int node, int type, const void *body) {
  check_node(w, node, "sim_inject");
  node_rec *r = &w->nodes[node];
  if (!r->alive || w->c.stopped) return false;
  const sim_protocol *p = r->proto;
  if (type < 0 || type >= p->msg_type_count) die("sim_inject: unknown message type");
  uint8_t copy[SIM_MAX_BODY];
  memcpy(copy, body, p->msg_types[type].body_size);
  uint64_t id = w->c.next_msg_id++;
  vc_tick(w, node);
  if (observing(w)) {
    sim_event ev = {.kind = SIM_EV_RECV,
                    .node = node,
                    .peer = SIM_EXTERNAL,
                    .msg_id = id,
                    .msg_type = type,
                    .body = copy};
    memcpy(ev.vc, r->vc, sizeof ev.vc);
    notify(w, &ev);
  }
  if (w->trace) {
    char text[1024];
    trace_line l;
    format_body(w, type, copy, text, sizeof text);
    trace_begin(&l, w->c.now, "recv");
    trace_int(&l, "node", node);
    trace_int(&l, "from", SIM_EXTERNAL);
    trace_uint(&l, "id", id);
    trace_str(&l, "type", type_name(w, type));
    trace_str(&l, "body", text);
    trace_vc(w, &l, node);
    trace_end(&l, w->trace);
  }
  if (p->on_message) {
    w->in_handler++;
    p->on_message(&w->handles[node], r->state, SIM_EXTERNAL, type, copy);
    w->in_handler--;
  }
  check_invariants(w);
  return true;
}

bool sim_poke(sim_world *w, int node, void (*fn)(sim_node *, void *, void *), void *arg) {
  check_node(w, node, "sim_poke");
  node_rec *r = &w->nodes[node];
  if (!r->alive || w->c.stopped) return false;
  w->in_handler++;
  fn(&w->handles[node], r->state, arg);
  w->in_handler--;
  check_invariants(w);
  return true;
}

static void trace_simple(sim_world *w, const char *ev) {
  if (!w->trace) return;
  trace_line l;
  trace_begin(&l, w->c.now, ev);
  trace_end(&l, w->trace);
}

void sim_crash(sim_world *w, int node) {
  check_node(w, node, "sim_crash");
  node_rec *r = &w->nodes[node];
  if (!r->alive) return;
  r->crash_after = 0;
  emit_node_event(w, node, SIM_EV_CRASH, "crash");
  r->alive = false;
  r->incarnation++; /* every pending timer of this node is now dead */
  for (uint32_t s = 0; s < w->timers.len; s++) {
    timer *t = pool_at(&w->timers, s);
    if (t->node == node) t->live = false;
  }
}

void sim_crash_after(sim_world *w, int node, uint32_t actions) {
  check_node(w, node, "sim_crash_after");
  if (!w->nodes[node].alive) return;
  if (actions == 0)
    sim_crash(w, node);
  else
    w->nodes[node].crash_after = actions;
}

/* One more action (a send or a stable write) of node: crash it if that was its crash point. */
static void count_action(sim_world *w, int node) {
  node_rec *r = &w->nodes[node];
  if (r->crash_after && --r->crash_after == 0) sim_crash(w, node);
}

void sim_restart(sim_world *w, int node) {
  check_node(w, node, "sim_restart");
  node_rec *r = &w->nodes[node];
  if (r->alive) return;
  r->alive = true;
  boot_node(w, node, true);
  check_invariants(w);
}

void sim_partition(sim_world *w, const int group_of[SIM_MAX_NODES]) {
  int n = w->c.node_count;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) w->c.blocked[i][j] = group_of[i] != group_of[j];
  if (!w->trace) return;
  /* "groups":[[0,1],[2]] in order of each group's first node. */
  char json[512];
  size_t len = 0;
  bool done[SIM_MAX_NODES] = {false};
  len += (size_t)snprintf(json + len, sizeof json - len, "[");
  bool first_group = true;
  for (int i = 0; i < n; i++) {
    if (done[i]) continue;
    len += (size_t)snprintf(json + len, sizeof json - len, "%s[", first_group ? "" : ",");
    first_group = false;
    bool first = true;
    for (int j = i; j < n; j++) {
      if (group_of[j] != group_of[i]) continue;
      done[j] = true;
      len += (size_t)snprintf(json + len, sizeof json - len, "%s%d", first ? "" : ",", j);
      first = false;
    }
    len += (size_t)snprintf(json + len, sizeof json - len, "]");
  }
  snprintf(json + len, sizeof json - len, "]");
  trace_line l;
  trace_begin(&l, w->c.now, "partition");
  trace_raw(&l, "groups", json);
  trace_end(&l, w->trace);
}

void sim_block(sim_world *w, int from, int to, bool blocked) {
  check_node(w, from, "sim_block");
  check_node(w, to, "sim_block");
  w->c.blocked[from][to] = blocked;
  if (!w->trace) return;
  trace_line l;
  trace_begin(&l, w->c.now, blocked ? "block" : "unblock");
  trace_int(&l, "from", from);
  trace_int(&l, "to", to);
  trace_end(&l, w->trace);
}

void sim_heal(sim_world *w) {
  memset(w->c.blocked, 0, sizeof w->c.blocked);
  trace_simple(w, "heal");
}

bool sim_link_blocked(const sim_world *w, int from, int to) {
  return valid_node(w, from) && valid_node(w, to) && w->c.blocked[from][to];
}

/* "latency uniform 1ms 10ms" */
static void describe_latency(const sim_net_config *c, char *out, size_t cap) {
  char a[32], b[32];
  const char *kind = c->latency == SIM_LATENCY_CONSTANT  ? "constant"
                     : c->latency == SIM_LATENCY_UNIFORM ? "uniform"
                                                         : "exponential";
  snprintf(out, cap, "latency %s %s %s", kind, sim_format_time(c->latency_min, a, sizeof a),
           sim_format_time(c->latency_max, b, sizeof b));
}

static void describe_net(const sim_net_config *c, char *out, size_t cap) {
  char latency[96];
  describe_latency(c, latency, sizeof latency);
  snprintf(out, cap, "%s loss %g dup %g fifo %s", latency, c->loss, c->duplicate,
           c->fifo ? "on" : "off");
}

static void trace_net(sim_world *w, int from, int to, const sim_net_config *cfg) {
  if (!w->trace) return;
  char text[256];
  describe_net(cfg, text, sizeof text);
  trace_line l;
  trace_begin(&l, w->c.now, "net");
  if (from >= 0) {
    trace_int(&l, "from", from);
    trace_int(&l, "to", to);
  }
  trace_str(&l, "text", text);
  trace_end(&l, w->trace);
}

void sim_set_net(sim_world *w, const sim_net_config *cfg) {
  for (int i = 0; i < SIM_MAX_NODES; i++)
    for (int j = 0; j < SIM_MAX_NODES; j++) w->c.link[i][j] = *cfg;
  trace_net(w, -1, -1, cfg);
}

void sim_set_link(sim_world *w, int from, int to, const sim_net_config *cfg) {
  check_node(w, from, "sim_set_link");
  check_node(w, to, "sim_set_link");
  w->c.link[from][to] = *cfg;
  trace_net(w, from, to, cfg);
}

void sim_adjust_net(sim_world *w, const sim_net_config *cfg, unsigned fields) {
  for (int i = 0; i < SIM_MAX_NODES; i++) {
    for (int j = 0; j < SIM_MAX_NODES; j++) {
      sim_net_config *link = &w->c.link[i][j];
      if (fields & SIM_NET_LOSS) link->loss = cfg->loss;
      if (fields & SIM_NET_DUPLICATE) link->duplicate = cfg->duplicate;
      if (fields & SIM_NET_LATENCY) {
        link->latency = cfg->latency;
        link->latency_min = cfg->latency_min;
        link->latency_max = cfg->latency_max;
      }
      if (fields & SIM_NET_FIFO) link->fifo = cfg->fifo;
    }
  }
  if (!w->trace) return;
  char text[256] = "every link:", latency[96];
  size_t len = strlen(text);
  describe_latency(cfg, latency, sizeof latency);
  if (fields & SIM_NET_LATENCY)
    len += (size_t)snprintf(text + len, sizeof text - len, " %s", latency);
  if (fields & SIM_NET_LOSS)
    len += (size_t)snprintf(text + len, sizeof text - len, " loss %g", cfg->loss);
  if (fields & SIM_NET_DUPLICATE)
    len += (size_t)snprintf(text + len, sizeof text - len, " dup %g", cfg->duplicate);
  if (fields & SIM_NET_FIFO)
    snprintf(text + len, sizeof text - len, " fifo %s", cfg->fifo ? "on" : "off");
  trace_line l;
  trace_begin(&l, w->c.now, "net");
  trace_str(&l, "text", text);
  trace_end(&l, w->trace);
}

size_t sim_body_size(const sim_world *w, int type) {
  if (w->c.node_count == 0) return 0;
  const sim_protocol *p = w->nodes[0].proto;
  return type >= 0 && type < p->msg_type_count ? p->msg_types[type].body_size : 0;
}

const sim_net_config *sim_link_config(const sim_world *w, int from, int to) {
  if (from < 0 || from >= SIM_MAX_NODES || to < 0 || to >= SIM_MAX_NODES) return &w->c.link[0][0];
  return &w->c.link[from][to];
}

void sim_set_clock(sim_world *w, int node, int64_t skew_us, int32_t drift_ppm) {
  check_node(w, node, "sim_set_clock");
  w->nodes[node].skew = skew_us;
  w->nodes[node].drift_ppm = drift_ppm;
  if (!w->trace) return;
  trace_line l;
  char text[96];
  snprintf(text, sizeof text, "clock n%d skew %" PRId64 "us drift %" PRId32 "ppm", node, skew_us,
           drift_ppm);
  trace_begin(&l, w->c.now, "net");
  trace_str(&l, "text", text);
  trace_end(&l, w->trace);
}

void sim_set_slow(sim_world *w, int node, sim_time extra) {
  check_node(w, node, "sim_set_slow");
  w->nodes[node].slow = extra;
  if (!w->trace) return;
  trace_line l;
  char text[64], t[32];
  snprintf(text, sizeof text, "slow n%d %s", node, sim_format_time(extra, t, sizeof t));
  trace_begin(&l, w->c.now, "net");
  trace_str(&l, "text", text);
  trace_end(&l, w->trace);
}

/* ----------------------------------------------------------------------------------------------
 * Checkers.
 */

void sim_invariant(sim_world *w, const char *name, sim_invariant_fn fn, void *ctx) {
  if (w->invariant_count == MAX_INVARIANTS) die("sim_invariant: too many invariants (16 at most)");
  w->invariants[w->invariant_count++] = (invariant){name, fn, ctx};
}

static void record_violation(sim_world *w, const char *name, const char *why) {
  char t[32];
  snprintf(w->c.report, sizeof w->c.report, "%s violated at t=%s: %s", name,
           sim_format_time(w->c.now, t, sizeof t), why);
  w->c.stopped = true;
  if (!w->trace) return;
  trace_line l;
  trace_begin(&l, w->c.now, "violation");
  trace_str(&l, "invariant", name);
  trace_str(&l, "text", why);
  trace_end(&l, w->trace);
  fflush(w->trace);
}

static bool check_invariants(sim_world *w) {
  if (w->c.stopped) return false;
  for (int i = 0; i < w->invariant_count; i++) {
    char why[768] = "";
    if (!w->invariants[i].fn(w, w->invariants[i].ctx, why, sizeof why)) {
      record_violation(w, w->invariants[i].name, why[0] ? why : "(no reason given)");
      return false;
    }
  }
  return true;
}

bool sim_check_now(sim_world *w) { return check_invariants(w); }

bool sim_violated(const sim_world *w, const char **report) {
  if (report) *report = w->c.stopped ? w->c.report : NULL;
  return w->c.stopped;
}

void sim_fail(sim_world *w, const char *name, const char *fmt, ...) {
  if (w->c.stopped) return;
  char why[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  record_violation(w, name, why);
}

/* ----------------------------------------------------------------------------------------------
 * Histories.
 */

void sim_history_add(sim_world *w, sim_op_phase phase, int client, const char *op, const char *key,
                     const char *value) {
  if (w->history_len == w->history_cap) {
    size_t cap = w->history_cap ? w->history_cap * 2 : 64;
    sim_op_record *h = realloc(w->history, cap * sizeof *h);
    if (!h) die("out of memory (history)");
    w->history = h;
    w->history_cap = cap;
  }
  sim_op_record *r = &w->history[w->history_len++];
  memset(r, 0, sizeof *r);
  r->phase = phase;
  r->time = w->c.now;
  r->client = client;
  snprintf(r->op, sizeof r->op, "%s", op ? op : "");
  snprintf(r->key, sizeof r->key, "%s", key ? key : "");
  snprintf(r->value, sizeof r->value, "%s", value ? value : "");
  if (!w->trace) return;
  static const char *const names[] = {"invoke", "ok", "fail", "info"};
  trace_line l;
  trace_begin(&l, w->c.now, names[phase]);
  trace_int(&l, "client", client);
  trace_str(&l, "op", r->op);
  trace_str(&l, "key", r->key);
  trace_str(&l, "value", r->value);
  trace_end(&l, w->trace);
}

const sim_op_record *sim_history(const sim_world *w, size_t *count) {
  *count = w->history_len;
  return w->history;
}

/* ----------------------------------------------------------------------------------------------
 * Snapshots and hashing.
 */

struct sim_snapshot {
  core c;
  node_rec nodes[SIM_MAX_NODES]; /* state/stable/config point into the snapshot's own copies */
  event_queue queue;
  pool messages, timers, calls;
  sim_op_record *history;
  size_t history_len;
};

sim_snapshot *sim_snapshot_take(const sim_world *w) {
  sim_snapshot *s = xmalloc(sizeof *s);
  s->c = w->c;
  for (int i = 0; i < w->c.node_count; i++) {
    const node_rec *r = &w->nodes[i];
    s->nodes[i] = *r;
    s->nodes[i].state = xmemdup(r->state, r->proto->state_size);
    s->nodes[i].stable = xmemdup(r->stable, r->proto->stable_size);
    s->nodes[i].config = NULL; /* configuration never changes after sim_add_node */
  }
  queue_init(&s->queue);
  queue_copy(&s->queue, &w->queue);
  pool_init(&s->messages, w->messages.elem);
  pool_init(&s->timers, w->timers.elem);
  pool_init(&s->calls, w->calls.elem);
  pool_copy(&s->messages, &w->messages);
  pool_copy(&s->timers, &w->timers);
  pool_copy(&s->calls, &w->calls);
  s->history = xmemdup(w->history, w->history_len * sizeof *w->history);
  s->history_len = w->history_len;
  return s;
}

void sim_snapshot_restore(sim_world *w, const sim_snapshot *s) {
  if (s->c.node_count != w->c.node_count) die("sim_snapshot_restore: snapshot of another world");
  w->c = s->c;
  for (int i = 0; i < w->c.node_count; i++) {
    node_rec *r = &w->nodes[i];
    void *state = r->state, *config = r->config;
    uint8_t *stable = r->stable;
    size_t config_size = r->config_size;
    *r = s->nodes[i];
    r->state = state;
    r->stable = stable;
    r->config = config;
    r->config_size = config_size;
    memcpy(r->state, s->nodes[i].state, r->proto->state_size);
    memcpy(r->stable, s->nodes[i].stable, r->proto->stable_size);
  }
  queue_copy(&w->queue, &s->queue);
  pool_copy(&w->messages, &s->messages);
  pool_copy(&w->timers, &s->timers);
  pool_copy(&w->calls, &s->calls);
  free(w->history);
  w->history = xmemdup(s->history, s->history_len * sizeof *s->history);
  w->history_len = w->history_cap = s->history_len;
  if (w->history_cap == 0) {
    free(w->history);
    w->history = NULL;
  }
}

void sim_snapshot_free(sim_snapshot *s) {
  if (!s) return;
  for (int i = 0; i < s->c.node_count; i++) {
    free(s->nodes[i].state);
    free(s->nodes[i].stable);
  }
  queue_free(&s->queue);
  pool_free(&s->messages);
  pool_free(&s->timers);
  pool_free(&s->calls);
  free(s->history);
  free(s);
}

/* FNV-1a, 64-bit, continued from h. */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

uint64_t sim_world_hash(const sim_world *w) {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = hash_bytes(h, &w->c.now, sizeof w->c.now);
  h = hash_bytes(h, w->c.blocked, sizeof w->c.blocked);
  for (int i = 0; i < w->c.node_count; i++) {
    const node_rec *r = &w->nodes[i];
    h = hash_bytes(h, &r->alive, sizeof r->alive);
    h = hash_bytes(h, &r->crash_after, sizeof r->crash_after);
    h = hash_bytes(h, r->state, r->proto->state_size);
    h = hash_bytes(h, r->stable, r->proto->stable_size);
    h = hash_bytes(h, r->random.s, sizeof r->random.s);
  }
  h = hash_bytes(h, w->c.network.s, sizeof w->c.network.s);
  /* Pending events as a multiset: hash each live one (time and content, not its sequence number
   * or slot), sort the hashes, hash the sorted list. Equal worlds reached by different paths
   * get equal hashes. */
  uint64_t *items = xmalloc((w->queue.len + 1) * sizeof *items);
  size_t n = 0;
  for (size_t i = 0; i < w->queue.len; i++) {
    const queue_event *e = &w->queue.items[i];
    uint64_t eh = hash_bytes(0xcbf29ce484222325ULL, &e->time, sizeof e->time);
    eh = hash_bytes(eh, &e->kind, sizeof e->kind);
    if (e->kind == EV_DELIVER) {
      const message *m = pool_at(&w->messages, e->slot);
      eh = hash_bytes(eh, &m->from, sizeof m->from);
      eh = hash_bytes(eh, &m->to, sizeof m->to);
      eh = hash_bytes(eh, &m->type, sizeof m->type);
      eh = hash_bytes(eh, m->body, w->nodes[0].proto->msg_types[m->type].body_size);
    } else if (e->kind == EV_TIMER) {
      const timer *t = pool_at(&w->timers, e->slot);
      if (!t->live || t->incarnation != w->nodes[t->node].incarnation) continue;
      eh = hash_bytes(eh, &t->node, sizeof t->node);
      eh = hash_bytes(eh, &t->kind, sizeof t->kind);
      eh = hash_bytes(eh, &t->arg, sizeof t->arg);
    } else {
      const call *c = pool_at(&w->calls, e->slot);
      eh = hash_bytes(eh, &c->arg, sizeof c->arg);
    }
    items[n++] = eh;
  }
  qsort(items, n, sizeof *items, compare_u64);
  h = hash_bytes(h, items, n * sizeof *items);
  free(items);
  return h;
}
