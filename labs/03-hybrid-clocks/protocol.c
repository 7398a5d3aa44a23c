/*
 * labs/03-hybrid-clocks/protocol.c: the fixed part of lab 03's protocol: message and timer
 * tables, boot, the workloads (gossip, and the replicated store), and the points where your
 * clock and your store are called.
 *
 * Your clock is called at exactly these points, so the checker (scenarios.c) knows the timestamp
 * of every event:
 *   - a local event (a gossip local action, a write, the start of a snapshot read): hlc_tick,
 *     then sim_local_event;
 *   - a send: hlc_tick right before sim_send, and the timestamp goes into the body (every copy of
 *     a write sent to the other replicas is a send of its own, with a timestamp of its own);
 *   - a receive: hlc_receive first thing in the message handler; the result is kept in recv_ts.
 * In a store with STAMP_PHYSICAL the same points take (sim_clock(), 0) instead, and your clock
 * is not called. After every handler the node's clock is annotated for the viewer: "l", "c" and
 * "l-pt" (how far l is ahead of the node's own physical clock), and in store mode each key's
 * newest version as "kv.a" .. "kv.d" (see annotate).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"

static char key_name(int key) { return (char)('a' + key); }

const char *hlc_format_us(int64_t us, bool sign, char *out, size_t cap) {
  uint64_t mag = us < 0 ? (uint64_t)(-us) : (uint64_t)us;
  const char *prefix = us < 0 ? "-" : (sign ? "+" : "");
  snprintf(out, cap, "%s%" PRIu64 ".%03" PRIu64 "ms", prefix, mag / 1000, mag % 1000);
  return out;
}

const char *hlc_format(hlc t, char *out, size_t cap) {
  char l[40];
  snprintf(out, cap, "(%s, %" PRIu64 ")", hlc_format_us((int64_t)t.l, false, l, sizeof l), t.c);
  return out;
}

static void format_gossip(const void *body, char *out, size_t cap) {
  const gossip_body *g = body;
  char t[64];
  snprintf(out, cap, "ts=%s hops=%u", hlc_format(g->ts, t, sizeof t), g->hops);
}

static void format_update(const void *body, char *out, size_t cap) {
  const update_body *u = body;
  char t[64], v[64];
  snprintf(out, cap, "ts=%s %c=%u written %s by n%d", hlc_format(u->ts, t, sizeof t),
           key_name(u->key), u->version.value, hlc_format(u->version.ts, v, sizeof v),
           u->version.writer);
}

static void format_beat(const void *body, char *out, size_t cap) {
  const beat_body *b = body;
  char t[64];
  snprintf(out, cap, "ts=%s", hlc_format(b->ts, t, sizeof t));
}

static const sim_msg_type hlc_types[MSG_TYPE_COUNT] = {
    [MSG_GOSSIP] = {"Gossip", sizeof(gossip_body), format_gossip},
    [MSG_UPDATE] = {"Update", sizeof(update_body), format_update},
    [MSG_BEAT] = {"Beat", sizeof(beat_body), format_beat},
};

static const char *const hlc_timers[TIMER_KIND_COUNT] = {
    [TIMER_WORK] = "work", [TIMER_BEAT] = "beat", [TIMER_READ] = "read"};

/* Annotate the node's clock ("l", "c", "l-pt") and, in store mode, its newest version of each
 * key under its own name ("kv.a" .. "kv.d", so that key c never overwrites the clock's c).
 * Before the node's first clock event (at boot, and again after a restart, the clock is still
 * the zeroed (0, 0)), l - pt would only say how far the physical clock is from 0: "l-pt" reads
 * "none yet" until the first event gives l a value. */
static void annotate(sim_node *n, const hlc_state *s) {
  char t[40];
  int64_t ahead = (int64_t)s->clock.l - (int64_t)sim_clock(n);
  bool ticked = s->clock.l != 0 || s->clock.c != 0; /* every clock event leaves l or c > 0 */
  sim_annotate(n, "l", "%s", hlc_format_us((int64_t)s->clock.l, false, t, sizeof t));
  sim_annotate(n, "c", "%" PRIu64, s->clock.c);
  if (ticked)
    sim_annotate(n, "l-pt", "%s", hlc_format_us(ahead, true, t, sizeof t));
  else
    sim_annotate(n, "l-pt", "none yet");
  if (s->config.mode != MODE_STORE) return;
  /* The value each key has here under last-writer-wins: the newest version. */
  for (int k = 0; k < (int)s->config.keys && k < KV_KEYS; k++) {
    if (s->store[k].count == 0) continue;
    const kv_version *v = kv_latest(&s->store[k]);
    char key[8];
    snprintf(key, sizeof key, "kv.%c", key_name(k));
    if (v) sim_annotate(n, key, "%u", v->value);
  }
  if (s->config.reads > 0)
    sim_annotate(n, "reads", "%u answered, %u waiting", s->done_count, s->pending_count);
}

/* The timestamp of a local event or a send, made now. */
static hlc stamp(sim_node *n, hlc_state *s) {
  uint64_t pt = sim_clock(n);
  if (s->config.mode == MODE_STORE && s->config.stamps == STAMP_PHYSICAL) {
    s->clock = (hlc){.l = pt, .c = 0};
    return s->clock;
  }
  return hlc_tick(&s->clock, pt);
}

/* The receive rule for a message stamped ts; the result is kept in recv_ts for the checker. */
static void stamp_receive(sim_node *n, hlc_state *s, hlc ts) {
  uint64_t pt = sim_clock(n);
  if (s->config.mode == MODE_STORE && s->config.stamps == STAMP_PHYSICAL)
    s->clock = (hlc){.l = pt, .c = 0};
  else
    hlc_receive(&s->clock, ts, pt);
  s->recv_ts = s->clock;
}

/* Arm a timer of `kind` to fire after a uniform 0.1 ms .. 2 * mean of local-clock time (never
 * 0: two actions of one node never share a clock reading). */
static void arm(sim_node *n, int kind, sim_time mean) {
  if (mean == 0) mean = 10 * SIM_MS;
  sim_timer_set(n, kind, 100 + sim_random_below(n, 2 * mean), 0);
}

/* ---------------------------------------------------------------------------------------------
 * Gossip mode.
 */

static void gossip_send(sim_node *n, hlc_state *s, uint32_t hops) {
  gossip_body g = {.hops = hops};
  int to = sim_random_peer(n);
  g.ts = stamp(n, s);
  sim_send(n, to, MSG_GOSSIP, &g);
}

static void gossip_action(sim_node *n, hlc_state *s) {
  if (sim_random_below(n, 100) < s->config.local_percent) {
    stamp(n, s);
    sim_local_event(n);
  } else {
    uint32_t hops = s->config.max_hops ? (uint32_t)sim_random_below(n, s->config.max_hops + 1) : 0;
    gossip_send(n, s, hops);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Store mode.
 */

/* Keep version v of key in this replica's store, unless the history is full. */
static void store_keep(sim_node *n, hlc_state *s, int key, const kv_version *v) {
  kv_history *h = &s->store[key];
  if (h->count >= KV_VERSIONS) {
    sim_note(n, "history of %c is full: version %u dropped", key_name(key), v->value);
    return;
  }
  kv_put(h, v);
}

/* A client's write at this replica: stamp it (a local event), keep it, send it to every other
 * replica (each copy a send with its own timestamp). */
static void store_write(sim_node *n, hlc_state *s) {
  int self = sim_self(n);
  uint32_t keys = s->config.keys >= 1 && s->config.keys <= KV_KEYS ? s->config.keys : 1;
  int key = s->config.own_key ? self % (int)keys : (int)sim_random_below(n, keys);
  s->writes++;
  sim_stable_write(n, 0, &s->writes, sizeof s->writes); /* values stay unique across restarts */
  kv_version v = {.writer = self, .value = (uint32_t)(self + 1) * 1000 + s->writes};
  v.ts = stamp(n, s);
  s->writing_key = key;
  s->writing = v;
  sim_local_event(n);
  s->writing_key = -1;
  store_keep(n, s, key, &v);
  char t[64];
  sim_note(n, "write %c=%u at %s", key_name(key), v.value, hlc_format(v.ts, t, sizeof t));
  update_body u = {.key = key, .version = v};
  for (int to = 0; to < sim_node_count(n); to++) {
    if (to == self) continue;
    u.ts = stamp(n, s);
    sim_send(n, to, MSG_UPDATE, &u);
  }
}

static void store_beat(sim_node *n, hlc_state *s) {
  for (int to = 0; to < sim_node_count(n); to++) {
    if (to == sim_self(n)) continue;
    beat_body b = {.ts = stamp(n, s)};
    sim_send(n, to, MSG_BEAT, &b);
  }
}

/* Answer every waiting read whose T is below the safe time: read every key as of T. */
static void answer_reads(sim_node *n, hlc_state *s) {
  if (s->pending_count == 0) return;
  hlc safe = kv_safe_time(s, sim_self(n), sim_node_count(n));
  uint32_t kept = 0;
  for (uint32_t i = 0; i < s->pending_count && i < SNAP_PENDING_MAX; i++) {
    snap_read r = s->pending[i];
    if (hlc_compare(r.at, safe) >= 0 || s->done_count >= SNAP_LOG_MAX) {
      s->pending[kept++] = r;
      continue;
    }
    char text[256], t[64];
    int at = snprintf(text, sizeof text, "snapshot as of %s:", hlc_format(r.at, t, sizeof t));
    for (int k = 0; k < KV_KEYS; k++) {
      const kv_version *v = kv_read_at(&s->store[k], r.at);
      r.has[k] = v != NULL;
      if (v) r.got[k] = *v;
      if (k < (int)s->config.keys && at > 0 && (size_t)at < sizeof text)
        at += v ? snprintf(text + at, sizeof text - (size_t)at, " %c=%u", key_name(k), v->value)
                : snprintf(text + at, sizeof text - (size_t)at, " %c=-", key_name(k));
    }
    r.answered = sim_true_time(n);
    s->done[s->done_count++] = r;
    sim_note(n, "%s", text);
  }
  s->pending_count = kept;
}

/* Start a snapshot read as of now: T is this node's timestamp of a local event. */
static void store_read(sim_node *n, hlc_state *s) {
  if (s->pending_count >= SNAP_PENDING_MAX) return;
  snap_read r = {.started = sim_true_time(n)};
  r.at = stamp(n, s);
  sim_local_event(n);
  s->pending[s->pending_count++] = r;
  char t[64];
  sim_note(n, "read as of %s", hlc_format(r.at, t, sizeof t));
  answer_reads(n, s);
}

/* ---------------------------------------------------------------------------------------------
 * Handlers.
 */

static void hlc_boot(sim_node *n, void *state) {
  hlc_state *s = state;
  size_t size = 0;
  const lab03_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  s->writing_key = -1;
  sim_stable_read(n, 0, &s->writes, sizeof s->writes);
  annotate(n, s);
  if (s->config.actions > 0) arm(n, TIMER_WORK, s->config.mean_gap);
  if (s->config.mode != MODE_STORE) return;
  if (s->config.beat_every > 0 && s->config.beats > 0)
    sim_timer_set(n, TIMER_BEAT, s->config.beat_every, 0);
  if (s->config.reads > 0) arm(n, TIMER_READ, s->config.read_gap);
}

static void hlc_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  hlc_state *s = state;
  if (from < 0 || from >= LAB03_MAX_NODES || type < 0 || type >= MSG_TYPE_COUNT) return;
  /* Every body starts with the sender's timestamp; the receive rule runs before anything else. */
  hlc ts = *(const hlc *)body;
  stamp_receive(n, s, ts);
  if (type == MSG_GOSSIP) {
    const gossip_body *g = body;
    if (g->hops > 0) gossip_send(n, s, g->hops - 1);
  } else {
    s->heard[from] = ts;
    if (type == MSG_UPDATE) {
      const update_body *u = body;
      if (u->key >= 0 && u->key < KV_KEYS) store_keep(n, s, u->key, &u->version);
    }
    answer_reads(n, s);
  }
  annotate(n, s);
}

static void hlc_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  hlc_state *s = state;
  (void)arg;
  if (kind == TIMER_WORK && s->actions_done < s->config.actions) {
    s->actions_done++;
    if (s->config.mode == MODE_GOSSIP)
      gossip_action(n, s);
    else
      store_write(n, s);
    if (s->actions_done < s->config.actions) arm(n, TIMER_WORK, s->config.mean_gap);
  } else if (kind == TIMER_BEAT && s->beats_done < s->config.beats) {
    s->beats_done++;
    store_beat(n, s);
    if (s->beats_done < s->config.beats) sim_timer_set(n, TIMER_BEAT, s->config.beat_every, 0);
  } else if (kind == TIMER_READ && s->reads_done < s->config.reads) {
    s->reads_done++;
    store_read(n, s);
    if (s->reads_done < s->config.reads) arm(n, TIMER_READ, s->config.read_gap);
  }
  annotate(n, s);
}

const sim_protocol hlc_protocol = {
    .name = "hlc",
    .state_size = sizeof(hlc_state),
    .stable_size = sizeof(uint32_t), /* the count of writes taken, so values never repeat */
    .msg_types = hlc_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = hlc_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = hlc_boot,
    .on_message = hlc_on_message,
    .on_timer = hlc_on_timer,
};
