/*
 * labs/09-cap/scenarios.c: lab 09's scenarios, shared by the driver and the tests.
 *
 * Every scenario builds S replicas (n0 ..) and one client per replica (c<id>, after them) in
 * three kinds of place: each client next to its home replica (1..2 ms), the replicas n1, n2, ..
 * close to one another (5..10 ms), and n0 a far data centre (20..40 ms from every other replica).
 * The clients run a random workload of reads and writes for 2 s, and the run is judged:
 *
 *   After every event (safety invariants; the run stops at the first that fails):
 *     store-monotonic      a replica's tag for a key never goes back (kv_merge).
 *     unique-tags          one tag, one value: two different writes never carry the same
 *                          (key, timestamp, node) (ap_next_tag; cp_begin, cp_on_query_reply).
 *     refused-not-applied  a write answered REFUSED is on no replica, then or ever
 *                          (cp_on_deadline; cp_on_query_reply's switch to PHASE_STORE).
 *     cp-majority          a CP coordinator moves to STORE only after a majority answered its
 *                          QUERY, and answers OK only after a majority acknowledged its STORE,
 *                          counting each replica once (cp_on_query_reply, cp_on_store_ack).
 *     ap-write-kept        right after an AP replica takes a write, its own store holds it
 *                          (ap_next_tag, ap_begin).
 *   At the end: the history against the linearizability checker (lib/lincheck.h, register model);
 *   latencies of ok operations (lib/history_ops.h); in CP, who was refused (the side cut off from
 *   a majority, and nobody else; in normal-cp-timeout, whose cp_timeout of 100 ms is shorter than
 *   n0's round trips to a majority, n0's client and nobody else); in AP, that every request was
 *   answered and that the replicas converge after the heal to one store in which every
 *   acknowledged write is kept, overwritten by a later write, or lost to a concurrent write with
 *   a higher (timestamp, node) tag: the merge rule, last writer wins. Lost that way, the write is
 *   counted, not hidden, and the verdict names one with the write that beat it.
 *
 * The partition (partition-cp, partition-ap, compare) is the same for both modes: from 300 ms to
 * 1.3 s, n0 and its client c3 are cut off from n1, n2, c4 and c5. In the nemesis language:
 *   300ms partition 0,3|1,2,4,5; 1300ms heal
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_ops.h"
#include "lab.h"
#include "lincheck.h"

enum {
  KV_MAX_VALUES = 16 * 1024, /* written values are client id * 1000 + op < 16000 */
  KV_MAX_WRITES = 2048,      /* AP writes remembered for the merge accounting */
  TAG_SLOTS = 8192           /* the unique-tags table (open addressing) */
};

static const sim_time CUT_AT = 300 * SIM_MS, HEAL_AT = 1300 * SIM_MS;

typedef struct setup {
  kv_mode mode;
  bool read_local;
  int replicas, keys, ops, write_percent;
  sim_time stop, think_min, think_max, give_up, cp_timeout, retry, anti_entropy;
  sim_time near_min, near_max; /* a client and its home replica */
  sim_time mid_min, mid_max;   /* two replicas other than n0 */
  sim_time far_min, far_max;   /* n0 (the far data centre) and any other replica */
  double loss, dup;
  bool partition;     /* the fixed partition, 300 ms .. 1.3 s */
  bool random_faults; /* partitions and a replica crash drawn from the seed */
  bool short_timeout; /* cp_timeout below n0's round trips to a majority: refusals with no fault */
} setup;

static setup setup_default(kv_mode mode) {
  setup s = {.mode = mode,
             .replicas = 3,
             .keys = 2,
             .ops = 200,
             .write_percent = 50,
             .stop = 2 * SIM_SEC,
             .think_min = 20 * SIM_MS,
             .think_max = 60 * SIM_MS,
             .give_up = 1 * SIM_SEC,
             .cp_timeout = 200 * SIM_MS, /* normal-cp-timeout: 100 ms (Question 3) */
             .retry = 40 * SIM_MS,
             .anti_entropy = 100 * SIM_MS,
             .near_min = 1 * SIM_MS,
             .near_max = 2 * SIM_MS,
             .mid_min = 5 * SIM_MS,
             .mid_max = 10 * SIM_MS,
             .far_min = 20 * SIM_MS,
             .far_max = 40 * SIM_MS};
  return s;
}

/* ---------------------------------------------------------------------------------------------
 * What a run keeps: the record the tests read (lab.h) first, so that run->lab_data points at both
 * and lab_end's free() frees the whole; then what only the checkers use.
 */
typedef struct tag_slot {
  bool used;
  int32_t key, value, node;
  uint64_t ts;
} tag_slot;

/* One AP write, as its coordinator received it. */
typedef struct ap_write {
  int32_t value, key, node;
  int32_t base; /* the value its coordinator held for the key when it took the write */
  sim_time at;  /* when its coordinator took it */
  bool acked;
  kv_tag tag; /* the tag its Reply OK carried */
} ap_write;

/* What the cp-majority check saw of one coordinator's current request. */
typedef struct cp_watch {
  uint32_t req;
  uint32_t queried;     /* bit i: a QueryReply from replica i arrived for req */
  uint32_t acked;       /* bit i: a StoreAck from replica i arrived for req */
  int queried_at_store; /* popcount(queried) when the first Store went out, -1 before */
} cp_watch;

typedef struct kv_run {
  kv_record rec;
  setup su;
  char why[640];        /* a violation found by the observer, for an invariant */
  const char *why_name; /* ... and which invariant reports it */
  tag_slot tags[TAG_SLOTS];
  kv_tag max_tag[KV_MAX_KEYS];               /* the newest tag sent anywhere, per key */
  int32_t max_value[KV_MAX_KEYS];            /* ... and its value */
  kv_tag last[KV_MAX_REPLICAS][KV_MAX_KEYS]; /* store-monotonic: each replica's last tags */
  sim_time refused_at[KV_MAX_VALUES];        /* a write answered REFUSED (0: not refused) */
  int32_t refused_by[KV_MAX_VALUES];
  bool refused_held[KV_MAX_VALUES]; /* ... in PHASE_QUERY, its cell already in the own store */
  cp_watch cp[KV_MAX_REPLICAS];
  int taken_node, taken_key; /* ap-write-kept: the AP write of this event, or -1 */
  int32_t taken_value;
  ap_write writes[KV_MAX_WRITES];
  int write_count;
  int16_t write_of[KV_MAX_VALUES]; /* index + 1 into writes, 0 if none */
  char lww_example[240]; /* one write discarded by last writer wins, and the write that beat it */
} kv_run;

static const char *fmt_time(sim_time t, char *buf, size_t cap) {
  return sim_format_time(t, buf, cap);
}

static const char *tag_str(kv_tag t, char *buf, size_t cap) {
  if (t.ts == 0 && t.node == 0)
    snprintf(buf, cap, "none");
  else
    snprintf(buf, cap, "(%" PRIu64 ",n%d)", t.ts, (int)t.node);
  return buf;
}

static const char *value_str(int32_t v, char *buf, size_t cap) {
  if (v == KV_VALUE_NIL)
    snprintf(buf, cap, "nil");
  else
    snprintf(buf, cap, "%d", (int)v);
  return buf;
}

static bool zero_tag(kv_tag t) { return t.ts == 0 && t.node == 0; }

static int popcount(uint32_t x) {
  int c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/* The replicas whose bits are set in mask, as "n1, n3", or "none". */
static const char *mask_names(uint32_t mask, char *buf, size_t cap) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; i < 32 && at < cap; i++)
    if (mask & (1u << i)) at += (size_t)snprintf(buf + at, cap - at, "%sn%d", at ? ", " : "", i);
  if (!mask) snprintf(buf, cap, "none");
  return buf;
}

/* Report a violation the observer found: the next invariant check stops the run with it. */
static void flag(kv_run *x, const char *name, const char *text) {
  if (x->why_name) return;
  x->why_name = name;
  snprintf(x->why, sizeof x->why, "%s", text);
}

/* ---------------------------------------------------------------------------------------------
 * unique-tags: every cell that is sent anywhere is entered in a table keyed by (key, tag).
 */
static void note_cell(sim_world *w, kv_run *x, int from, int key, kv_cell c) {
  if (zero_tag(c.tag) || key < 0 || key >= KV_MAX_KEYS) return;
  uint64_t h = c.tag.ts * 0x9E3779B97F4A7C15ull ^ (uint64_t)(c.tag.node * 131 + key);
  for (size_t i = 0; i < TAG_SLOTS; i++) {
    tag_slot *t = &x->tags[(h + i) % TAG_SLOTS];
    if (!t->used) {
      *t = (tag_slot){
          .used = true, .key = key, .value = c.value, .node = c.tag.node, .ts = c.tag.ts};
      break;
    }
    if (t->key != key || t->ts != c.tag.ts || t->node != c.tag.node) continue;
    if (t->value != c.value) {
      char a[48], v1[16], v2[16], text[640];
      snprintf(text, sizeof text,
               "two writes of k%d carry the same tag %s: values %s and %s (%s sent the second): "
               "a new write's tag must be newer than every tag it could meet, %s",
               key, tag_str(c.tag, a, sizeof a), value_str(t->value, v1, sizeof v1),
               value_str(c.value, v2, sizeof v2), sim_node_name(w, from),
               x->rec.cfg.mode == MODE_AP
                   ? "so an AP write's timestamp is max(clock, held ts + 1) (ap_next_tag)"
                   : "so a CP write's timestamp is one more than the highest of a majority "
                     "including the coordinator's own cell (cp_begin: best = own cell; "
                     "cp_on_query_reply: keep the newest answer, then ts + 1)");
      flag(x, "unique-tags", text);
    }
    return;
  }
  if (kv_tag_cmp(c.tag, x->max_tag[key]) > 0) {
    x->max_tag[key] = c.tag;
    x->max_value[key] = c.value;
  }
}

/* ---------------------------------------------------------------------------------------------
 * The observer: every message, as it is sent or received.
 */
/* Follow coordinator requests: an event about request req moves the watch to it if it is newer;
 * returns false for an event about an earlier request (a late reply), which the check ignores.
 * Request numbers only grow at a coordinator, until it crashes (watch() starts over then). */
static bool cp_follow(cp_watch *cw, uint32_t req) {
  if (req < cw->req) return false;
  if (req > cw->req) {
    cw->req = req;
    cw->queried = cw->acked = 0;
    cw->queried_at_store = -1;
  }
  return true;
}

static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  kv_run *x = ctx;
  kv_record *rec = &x->rec;
  int node = ev->node;
  bool replica = node >= 0 && node < rec->replicas;
  if (ev->kind == SIM_EV_RECV && replica && ev->msg_type == MSG_REQUEST &&
      rec->cfg.mode == MODE_AP) {
    /* An AP write, received by its coordinator (the observer runs before the handler): remember
     * what it is written on top of. */
    const kv_request_body *r = ev->body;
    if (r->kind != OP_WRITE || r->value <= 0 || r->value >= KV_MAX_VALUES) return;
    if (r->key < 0 || r->key >= rec->cfg.keys) return;
    if (x->write_of[r->value] || x->write_count >= KV_MAX_WRITES) return;
    ap_write *wr = &x->writes[x->write_count++];
    x->write_of[r->value] = (int16_t)x->write_count;
    wr->value = r->value;
    wr->key = r->key;
    wr->node = node;
    wr->at = ev->time;
    wr->base = ((const kv_state *)sim_state(w, node))->rep.store[r->key].value;
    x->taken_node = node;
    x->taken_key = r->key;
    x->taken_value = r->value;
    return;
  }
  if ((ev->kind == SIM_EV_CRASH || ev->kind == SIM_EV_RESTART) && replica) {
    memset(&x->cp[node], 0, sizeof x->cp[node]); /* its request numbers start over */
    return;
  }
  if (ev->kind == SIM_EV_RECV && replica && ev->peer >= 0 && ev->peer < KV_MAX_REPLICAS) {
    if (ev->msg_type == MSG_QUERY_REPLY) {
      const kv_query_reply_body *b = ev->body;
      if (cp_follow(&x->cp[node], b->req)) x->cp[node].queried |= 1u << ev->peer;
    } else if (ev->msg_type == MSG_STORE_ACK) {
      const kv_store_ack_body *b = ev->body;
      if (cp_follow(&x->cp[node], b->req)) x->cp[node].acked |= 1u << ev->peer;
    }
    return;
  }
  if (ev->kind != SIM_EV_SEND) return;
  switch (ev->msg_type) {
    case MSG_QUERY_REPLY: {
      const kv_query_reply_body *b = ev->body;
      note_cell(w, x, node, b->key, b->cell);
      break;
    }
    case MSG_STORE: {
      const kv_store_body *b = ev->body;
      note_cell(w, x, node, b->key, b->cell);
      if (!replica) break;
      cp_watch *cw = &x->cp[node];
      if (!cp_follow(cw, b->req) || cw->queried_at_store >= 0) break; /* a retransmission */
      cw->queried_at_store = popcount(cw->queried);
      int need = kv_majority(&rec->cfg);
      if (cw->queried_at_store + 1 < need) {
        const kv_state *s = sim_state(w, node);
        char text[640];
        char who[64];
        snprintf(text, sizeof text,
                 "%s sent Store (req %u, %s of k%d) after QueryReplies from %s: that makes %d of "
                 "the %d replicas with itself, and a majority is %d. Phase 2 may begin only once a "
                 "majority answered the query, counting each replica once (cp_on_query_reply)",
                 sim_node_name(w, node), b->req, s->co.kind == OP_WRITE ? "a write" : "a read",
                 (int)b->key, mask_names(cw->queried, who, sizeof who), cw->queried_at_store + 1,
                 rec->replicas, need);
        flag(x, "cp-majority", text);
      }
      break;
    }
    case MSG_UPDATE: {
      const kv_update_body *b = ev->body;
      note_cell(w, x, node, b->key, b->cell);
      break;
    }
    case MSG_SYNC: {
      const kv_sync_body *b = ev->body;
      for (int k = 0; k < b->keys && k < KV_MAX_KEYS; k++) note_cell(w, x, node, k, b->cells[k]);
      break;
    }
    case MSG_REPLY: {
      if (!replica) break;
      const kv_reply_body *b = ev->body;
      const kv_state *s = sim_state(w, node);
      const kv_coord *co = &s->co;
      char t[32], text[640];
      if (b->status == KV_OK) note_cell(w, x, node, b->key, b->cell);
      if (b->status == KV_REFUSED && co->kind == OP_WRITE && co->value > 0 &&
          co->value < KV_MAX_VALUES) {
        x->refused_at[co->value] = ev->time ? ev->time : 1;
        x->refused_by[co->value] = node;
        /* kv_reply sends before it ends the request: co->phase is still the answering phase. */
        x->refused_held[co->value] = co->phase == PHASE_QUERY && co->key >= 0 &&
                                     co->key < KV_MAX_KEYS &&
                                     s->rep.store[co->key].value == co->value;
      }
      if (b->status == KV_OK && rec->cfg.mode == MODE_AP && co->kind == OP_WRITE && co->value > 0 &&
          co->value < KV_MAX_VALUES && x->write_of[co->value]) {
        ap_write *wr = &x->writes[x->write_of[co->value] - 1];
        wr->acked = true;
        wr->tag = b->cell.tag;
      }
      if (b->status != KV_OK || rec->cfg.mode != MODE_CP) break;
      if (co->kind == OP_READ && rec->cfg.read_local) break; /* the knob: no majority asked */
      cp_watch *cw = &x->cp[node];
      cp_follow(cw, co->req);
      int need = kv_majority(&rec->cfg);
      if (cw->queried_at_store < 0 || popcount(cw->acked) + 1 < need) {
        char who[64];
        if (cw->queried_at_store < 0)
          snprintf(text, sizeof text,
                   "%s answered %s's %s of k%d OK at t=%s (req %u) without a Store phase: a CP "
                   "%s stores its cell at a majority before it answers (%s), or a later read's "
                   "majority can miss it (cp_on_query_reply moves to PHASE_STORE, cp_on_store_ack "
                   "answers)",
                   sim_node_name(w, node), sim_node_name(w, co->client),
                   co->kind == OP_WRITE ? "write" : "read", co->key,
                   fmt_time(ev->time, t, sizeof t), co->req,
                   co->kind == OP_WRITE ? "write" : "read",
                   co->kind == OP_WRITE ? "its new tag" : "the write-back of the newest cell");
        else
          snprintf(text, sizeof text,
                   "%s answered %s's %s of k%d OK at t=%s (req %u) after StoreAcks from %s: that "
                   "makes %d of the %d replicas with itself, and a majority is %d. Answer OK only "
                   "once a majority acknowledged the Store, counting each replica once "
                   "(cp_on_store_ack)",
                   sim_node_name(w, node), sim_node_name(w, co->client),
                   co->kind == OP_WRITE ? "write" : "read", co->key,
                   fmt_time(ev->time, t, sizeof t), co->req, mask_names(cw->acked, who, sizeof who),
                   popcount(cw->acked) + 1, rec->replicas, need);
        flag(x, "cp-majority", text);
      }
      break;
    }
    default:
      break;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Invariants.
 */

/* store-monotonic: after every event, no replica's tag for a key is older than it was. */
static bool store_monotonic(sim_world *w, void *ctx, char *why, size_t cap) {
  kv_run *x = ctx;
  const kv_record *rec = &x->rec;
  char a[48], b[48], v[16];
  for (int r = 0; r < rec->replicas; r++) {
    const kv_state *s = sim_state(w, r);
    for (int k = 0; k < rec->cfg.keys; k++) {
      kv_cell c = s->rep.store[k];
      if (kv_tag_cmp(c.tag, x->last[r][k]) < 0) {
        snprintf(why, cap,
                 "%s's k%d went back from tag %s to %s (value %s): a store only takes a cell "
                 "whose tag is newer than the one it holds (kv_merge)",
                 sim_node_name(w, r), k, tag_str(x->last[r][k], a, sizeof a),
                 tag_str(c.tag, b, sizeof b), value_str(c.value, v, sizeof v));
        return false;
      }
      x->last[r][k] = c.tag;
    }
  }
  return true;
}

/* refused-not-applied: after every event, no replica holds a value whose write was REFUSED. */
static bool refused_not_applied(sim_world *w, void *ctx, char *why, size_t cap) {
  kv_run *x = ctx;
  const kv_record *rec = &x->rec;
  char t[32];
  for (int r = 0; r < rec->replicas; r++) {
    const kv_state *s = sim_state(w, r);
    for (int k = 0; k < rec->cfg.keys; k++) {
      kv_cell c = s->rep.store[k];
      if (c.value <= 0 || c.value >= KV_MAX_VALUES || !x->refused_at[c.value]) continue;
      const char *by = sim_node_name(w, x->refused_by[c.value]);
      int at = snprintf(why, cap,
                        "%s holds k%d=%d, but %s answered that write REFUSED at t=%s, which "
                        "promises the client it was not done (the history records fail). ",
                        sim_node_name(w, r), k, (int)c.value, by,
                        fmt_time(x->refused_at[c.value], t, sizeof t));
      if (at < 0 || (size_t)at >= cap) return false;
      if (x->refused_held[c.value])
        snprintf(why + at, cap - (size_t)at,
                 "When %s answered, the request was still in PHASE_QUERY although its cell was "
                 "already in %s's own store: did cp_on_query_reply switch to PHASE_STORE after "
                 "merging the cell? (A write in PHASE_STORE may become visible: cp_on_deadline "
                 "answers it KV_UNKNOWN, not KV_REFUSED.)",
                 by, by);
      else
        snprintf(why + at, cap - (size_t)at,
                 "A write whose Store phase has begun is already merged at its coordinator and "
                 "maybe elsewhere: answer it KV_UNKNOWN, not KV_REFUSED (cp_on_deadline)");
      return false;
    }
  }
  return true;
}

/* ap-write-kept: right after an AP replica took a write, its own store holds it. */
static bool ap_write_kept(sim_world *w, void *ctx, char *why, size_t cap) {
  kv_run *x = ctx;
  int node = x->taken_node;
  x->taken_node = -1;
  if (node < 0 || !sim_alive(w, node)) return true;
  const kv_state *s = sim_state(w, node);
  /* protocol.c skips a late copy of an earlier request: then s->co is about another one. */
  if (s->co.kind != OP_WRITE || s->co.value != x->taken_value) return true;
  kv_cell c = s->rep.store[x->taken_key];
  if (c.value == x->taken_value) return true;
  char a[48], v[16];
  snprintf(why, cap,
           "%s took the write k%d=%d from %s, but then held k%d=%s (tag %s): an AP replica "
           "merges a new write into its own store, with a tag newer than the one it holds, "
           "(max(clock, held ts + 1), its id) (ap_next_tag, ap_begin)",
           sim_node_name(w, node), x->taken_key, (int)x->taken_value,
           sim_node_name(w, s->co.client), x->taken_key, value_str(c.value, v, sizeof v),
           tag_str(c.tag, a, sizeof a));
  return false;
}

/* unique-tags and cp-majority: what the observer found during the event, if it is theirs. */
static bool observed(kv_run *x, const char *name, char *why, size_t cap) {
  if (!x->why_name || strcmp(x->why_name, name) != 0) return true;
  snprintf(why, cap, "%s", x->why);
  return false;
}
static bool unique_tags(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)w;
  return observed(ctx, "unique-tags", why, cap);
}
static bool cp_majority(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)w;
  return observed(ctx, "cp-majority", why, cap);
}

/* ---------------------------------------------------------------------------------------------
 * Faults.
 */
static void cut(sim_world *w, void *ctx, uint64_t minority) {
  const kv_record *rec = ctx;
  int group[SIM_MAX_NODES] = {0};
  for (int r = 0; r < rec->replicas; r++) group[r] = (minority >> r) & 1;
  for (int c = rec->replicas; c < rec->replicas + rec->clients; c++)
    group[c] = group[(c - rec->replicas) % rec->replicas];
  sim_partition(w, group);
}

/* Three partitions, one after another, each cutting off a random minority of the replicas (with
 * their clients) for 150..350 ms, and one replica crashed for 100..300 ms, all between 200 ms
 * and 1.8 s; drawn from the seed's fault stream, so both modes of a seed get the same ones. */
static void random_faults(sim_world *w, kv_record *rec) {
  rng *r = sim_nemesis_rng(w);
  int s = rec->replicas;
  for (int i = 0; i < 3; i++) {
    sim_time at = (200 + 500 * (sim_time)i + rng_below(r, 100)) * SIM_MS;
    sim_time len = (150 + rng_below(r, 201)) * SIM_MS;
    int size = 1 + (int)rng_below(r, (uint64_t)((s - 1) / 2));
    uint64_t minority = 0;
    while (popcount((uint32_t)minority) < size) minority |= 1ull << rng_below(r, (uint64_t)s);
    sim_at(w, at, cut, rec, minority);
    sim_heal_at(w, at + len);
  }
  int victim = (int)rng_below(r, (uint64_t)s);
  sim_time down = (300 + rng_below(r, 1200)) * SIM_MS;
  sim_crash_at(w, down, victim);
  sim_restart_at(w, down + (100 + rng_below(r, 201)) * SIM_MS, victim);
}

/* ---------------------------------------------------------------------------------------------
 * Building and running a world.
 */
static kv_config config_of(const setup *su, kv_role role) {
  kv_config c;
  memset(&c, 0, sizeof c); /* copied byte for byte into node states: no stray padding */
  c.role = role;
  c.mode = su->mode;
  c.replicas = su->replicas;
  c.keys = su->keys;
  c.read_local = su->read_local;
  c.cp_timeout = su->cp_timeout;
  c.retry = su->retry;
  c.anti_entropy = su->anti_entropy;
  c.ops = su->ops;
  c.write_percent = su->write_percent;
  c.stop = su->stop;
  c.think_min = su->think_min;
  c.think_max = su->think_max;
  c.give_up = su->give_up;
  return c;
}

static sim_world *build(lab_run *run, const setup *su) {
  sim_world *w = sim_create(run->seed);
  kv_config rep = config_of(su, ROLE_REPLICA);
  for (int i = 0; i < su->replicas; i++) sim_add_node(w, &kv_protocol, &rep, sizeof rep);
  for (int i = 0; i < su->replicas; i++) {
    kv_config cli = config_of(su, ROLE_CLIENT);
    cli.home = i;
    int id = sim_add_node(w, &kv_protocol, &cli, sizeof cli);
    char name[8];
    snprintf(name, sizeof name, "c%d", id);
    sim_set_node_name(w, id, name);
  }
  /* Three places: n0 far from the other replicas, which are close to one another; each client
   * next to its home replica. */
  sim_net_config mid = sim_net_uniform(su->mid_min, su->mid_max, su->loss, su->dup);
  sim_net_config far = sim_net_uniform(su->far_min, su->far_max, su->loss, su->dup);
  sim_net_config near = sim_net_uniform(su->near_min, su->near_max, su->loss, su->dup);
  sim_set_net(w, &mid);
  for (int i = 1; i < su->replicas; i++) {
    sim_set_link(w, 0, i, &far);
    sim_set_link(w, i, 0, &far);
  }
  for (int i = 0; i < su->replicas; i++) {
    sim_set_link(w, su->replicas + i, i, &near);
    sim_set_link(w, i, su->replicas + i, &near);
  }
  kv_run *x = calloc(1, sizeof *x);
  if (!x) abort();
  x->su = *su;
  kv_record *rec = &x->rec;
  rec->cfg = rep;
  rec->replicas = su->replicas;
  rec->clients = su->replicas;
  run->lab_data = x;
  sim_observe(w, watch, x);
  sim_invariant(w, "store-monotonic", store_monotonic, x);
  sim_invariant(w, "unique-tags", unique_tags, x);
  sim_invariant(w, "refused-not-applied", refused_not_applied, x);
  sim_invariant(w, "cp-majority", cp_majority, x);
  x->taken_node = -1;
  if (su->mode == MODE_AP) sim_invariant(w, "ap-write-kept", ap_write_kept, x);
  if (su->partition) {
    rec->partitioned = true;
    rec->cut_at = CUT_AT;
    rec->heal_at = HEAL_AT;
    sim_at(w, CUT_AT, cut, rec, 1); /* n0 (and c3) on one side */
    sim_heal_at(w, HEAL_AT);
  }
  if (su->random_faults) random_faults(w, rec);
  return w;
}

static bool clients_finished(sim_world *w, void *ctx) {
  const kv_record *rec = ctx;
  for (int c = rec->replicas; c < rec->replicas + rec->clients; c++) {
    if (!sim_alive(w, c)) continue;
    const kv_state *s = sim_state(w, c);
    if (!s->cli.finished || s->cli.waiting) return false;
  }
  return true;
}

static bool converged(sim_world *w, void *ctx) {
  const kv_record *rec = ctx;
  for (int r = 0; r < rec->replicas; r++)
    if (!sim_alive(w, r)) return false;
  const kv_state *first = sim_state(w, 0);
  for (int r = 1; r < rec->replicas; r++) {
    const kv_state *s = sim_state(w, r);
    for (int k = 0; k < rec->cfg.keys; k++)
      if (kv_tag_cmp(s->rep.store[k].tag, first->rep.store[k].tag) != 0 ||
          s->rep.store[k].value != first->rep.store[k].value)
        return false;
  }
  return true;
}

/* Count the operations, their latencies, and the partition windows, from the history. */
static void count_history(sim_world *w, kv_record *rec) {
  size_t n, count;
  const sim_op_record *h = sim_history(w, &n);
  history_op *ops = history_pair(h, n, &count);
  rec->requests = (int)count;
  rec->ok = (int)history_count(ops, count, SIM_OP_OK, NULL);
  rec->minority_window = rec->minority_ok = rec->majority_window = rec->majority_ok = 0;
  for (size_t i = 0; i < count; i++) {
    const history_op *o = &ops[i];
    if (!rec->partitioned || o->call < rec->cut_at ||
        o->call + rec->cfg.cp_timeout + 20 * SIM_MS > rec->heal_at)
      continue;
    /* Begun after the cut and due before the heal: n0's clients must be refused in CP. */
    bool minority = (o->client - rec->replicas) % rec->replicas == 0;
    if (minority) {
      rec->minority_window++;
      rec->minority_ok += o->outcome == SIM_OP_OK;
    } else {
      rec->majority_window++;
      rec->majority_ok += o->outcome == SIM_OP_OK;
    }
  }
  rec->median_read = rec->median_write = rec->p90_read = rec->p90_write = 0;
  history_latency(ops, count, SIM_OP_OK, "read", 0.5, &rec->median_read);
  history_latency(ops, count, SIM_OP_OK, "write", 0.5, &rec->median_write);
  history_latency(ops, count, SIM_OP_OK, "read", 0.9, &rec->p90_read);
  history_latency(ops, count, SIM_OP_OK, "write", 0.9, &rec->p90_write);
  free(ops);
  rec->refused = rec->unknown = rec->gave_up = 0;
  for (int c = rec->replicas; c < rec->replicas + rec->clients; c++) {
    const kv_state *s = sim_state(w, c);
    rec->refused += s->cli.refused;
    rec->unknown += s->cli.unknown;
    rec->gave_up += s->cli.gave_up;
  }
}

/* Explain stale read ops[r], proved by the write ops[w], into out. */
static void explain_stale(const history_op *ops, size_t r, size_t w, char *out, size_t cap) {
  char t1[32], t2[32], t3[32];
  snprintf(out, cap,
           "c%d read %s=%s at %s (answered at %s), though c%d's write of %s=%s had "
           "completed at %s",
           ops[r].client, ops[r].key, ops[r].out, fmt_time(ops[r].call, t1, sizeof t1),
           fmt_time(ops[r].ret, t2, sizeof t2), ops[w].client, ops[w].key, ops[w].arg,
           fmt_time(ops[w].ret, t3, sizeof t3));
}

/* Stale reads: in the whole run, and by n0's clients during the partition (the reads the
 * partition made stale), the first of those explained (else the first of the run). */
static void count_stale(sim_world *w, kv_record *rec) {
  size_t n, count, r = 0, wr = 0;
  const sim_op_record *h = sim_history(w, &n);
  history_op *ops = history_pair(h, n, &count);
  rec->stale[0] = '\0';
  rec->stale_reads = (int)history_stale_reads(ops, count, "nil", 0, SIM_FOREVER, &r, &wr);
  if (rec->stale_reads) explain_stale(ops, r, wr, rec->stale, sizeof rec->stale);
  rec->partition_stale = 0;
  if (rec->partitioned) {
    /* Keep every write, and only the reads of n0's clients. */
    size_t k = 0;
    for (size_t i = 0; i < count; i++)
      if (strcmp(ops[i].op, "write") == 0 || (ops[i].client - rec->replicas) % rec->replicas == 0)
        ops[k++] = ops[i];
    rec->partition_stale =
        (int)history_stale_reads(ops, k, "nil", rec->cut_at, rec->heal_at, &r, &wr);
    if (rec->partition_stale) explain_stale(ops, r, wr, rec->stale, sizeof rec->stale);
  }
  free(ops);
}

/* The history against the register model; the first line of the explanation into first. */
static void check_history(sim_world *w, kv_record *rec, char *first, size_t cap) {
  size_t n;
  const sim_op_record *h = sim_history(w, &n);
  lin_result r;
  lin_verdict v = lincheck_check_records(h, n, &lin_model_register, &r);
  rec->lin_checked = true;
  rec->lin_verdict = (int)v;
  snprintf(rec->lin_explanation, sizeof rec->lin_explanation, "%s",
           r.explanation ? r.explanation : "");
  size_t len = strcspn(rec->lin_explanation, "\n");
  if (v == LIN_LINEARIZABLE)
    snprintf(first, cap, "linearizable (%zu operations checked, %zu unknown)", r.ops,
             r.unknown_ops);
  else
    snprintf(first, cap, "%.*s", (int)(len < cap ? len : cap - 1), rec->lin_explanation);
  lincheck_result_free(&r);
}

/* The write that discarded wr under last writer wins: the acknowledged write of the same key with
 * the next higher tag (NULL if none). It was concurrent with wr: no write was made on top of wr,
 * which is why wr counts as discarded, and the merge put it right after wr. */
static const ap_write *lww_winner(const kv_run *x, const ap_write *wr) {
  const ap_write *win = NULL;
  for (int j = 0; j < x->write_count; j++) {
    const ap_write *o = &x->writes[j];
    if (!o->acked || o->key != wr->key || kv_tag_cmp(o->tag, wr->tag) <= 0) continue;
    if (!win || kv_tag_cmp(o->tag, win->tag) < 0) win = o;
  }
  return win;
}

/* "c3's write k0=3028 (1051992,n0) lost to c5's 5030 (1257646,n2)" into out. */
static void lww_explain(sim_world *w, const ap_write *wr, const ap_write *win, char *out,
                        size_t cap) {
  char a[48], b[48];
  int at = snprintf(out, cap, "%s's write k%d=%d %s", sim_node_name(w, wr->value / 1000),
                    (int)wr->key, (int)wr->value, tag_str(wr->tag, a, sizeof a));
  if (win && at >= 0 && (size_t)at < cap)
    snprintf(out + at, cap - (size_t)at, " lost to %s's %d %s", sim_node_name(w, win->value / 1000),
             (int)win->value, tag_str(win->tag, b, sizeof b));
}

/* AP after the workload: every replica holds the same store, that store holds, per key, the
 * newest tag that was ever sent, and every acknowledged write is in it, or was overwritten by a
 * write made on top of it, or lost to a concurrent one with a higher tag (counted). Writes the
 * first problem into why and returns false. */
static bool check_convergence(sim_world *w, kv_run *x, char *why, size_t cap) {
  kv_record *rec = &x->rec;
  char a[48], b[48], v1[16], v2[16], t[32];
  if (!rec->converged) {
    size_t at = (size_t)snprintf(why, cap,
                                 "the replicas still disagree at t=%s, %s after the "
                                 "last operation:",
                                 fmt_time(sim_now(w), t, sizeof t), "2s");
    for (int r = 0; r < rec->replicas && at < cap; r++) {
      const kv_state *s = sim_state(w, r);
      at += (size_t)snprintf(why + at, cap - at, " %s", sim_node_name(w, r));
      for (int k = 0; k < rec->cfg.keys && at < cap; k++)
        at += (size_t)snprintf(why + at, cap - at, " k%d=%s%s", k,
                               value_str(s->rep.store[k].value, v1, sizeof v1),
                               tag_str(s->rep.store[k].tag, a, sizeof a));
      if (!sim_alive(w, r) && at < cap) at += (size_t)snprintf(why + at, cap - at, " (down)");
    }
    if (at < cap)
      snprintf(why + at, cap - at,
               ". Anti-entropy: every period, send the whole store to every "
               "other replica (ap_on_anti_entropy); merge every cell of a Sync (ap_on_sync)");
    return false;
  }
  const kv_state *s0 = sim_state(w, 0);
  for (int k = 0; k < rec->cfg.keys; k++) {
    kv_cell f = s0->rep.store[k];
    if (kv_tag_cmp(f.tag, x->max_tag[k]) < 0) {
      snprintf(why, cap,
               "every replica converged to k%d=%s with tag %s, but k%d=%s with the newer "
               "tag %s was sent during the run: the merge must keep the newest tag (kv_merge)",
               k, value_str(f.value, v1, sizeof v1), tag_str(f.tag, a, sizeof a), k,
               value_str(x->max_value[k], v2, sizeof v2), tag_str(x->max_tag[k], b, sizeof b));
      return false;
    }
  }
  rec->acked_writes = rec->lww_discarded = 0;
  memset(rec->lww_by, 0, sizeof rec->lww_by);
  x->lww_example[0] = '\0';
  bool example_across = false;
  for (int i = 0; i < x->write_count; i++) {
    const ap_write *wr = &x->writes[i];
    if (!wr->acked) continue;
    rec->acked_writes++;
    kv_cell f = s0->rep.store[wr->key];
    if (kv_tag_cmp(f.tag, wr->tag) < 0) {
      snprintf(why, cap,
               "the acknowledged write k%d=%d (tag %s, accepted by %s) is lost: every "
               "replica holds k%d=%s with the older tag %s (kv_merge keeps the newer tag)",
               (int)wr->key, (int)wr->value, tag_str(wr->tag, a, sizeof a),
               sim_node_name(w, wr->node), (int)wr->key, value_str(f.value, v1, sizeof v1),
               tag_str(f.tag, b, sizeof b));
      return false;
    }
    if (f.value == wr->value) continue;
    /* Overwritten. By a later write made on top of it (its replica held this value when it took
     * that write), or else only by a merge that preferred a concurrent write's higher tag. */
    bool superseded = false;
    for (int j = 0; j < x->write_count && !superseded; j++)
      superseded = x->writes[j].key == wr->key && x->writes[j].base == wr->value;
    if (!superseded) {
      rec->lww_discarded++;
      if (wr->node >= 0 && wr->node < KV_MAX_REPLICAS) rec->lww_by[wr->node]++;
      /* The example: the first write taken during the partition and discarded for one taken
       * on the other side (n0's, or n1's and n2's), else the first discarded write. */
      const ap_write *win = lww_winner(x, wr);
      bool across = rec->partitioned && wr->at >= rec->cut_at && wr->at < rec->heal_at && win &&
                    (wr->node == 0) != (win->node == 0);
      if (!x->lww_example[0] || (across && !example_across)) {
        example_across = across;
        lww_explain(w, wr, win, x->lww_example, sizeof x->lww_example);
      }
    }
  }
  return true;
}

static const char *mode_name(const kv_config *cfg) {
  return cfg->mode == MODE_AP ? "PA/EL (AP)"
         : cfg->read_local    ? "PC/EL (CP, local reads)"
                              : "PC/EC (CP)";
}

static const char *ms(sim_time t, char *buf, size_t cap) {
  snprintf(buf, cap, "%.1fms", (double)t / 1000.0);
  return buf;
}

/* normal-cp-timeout, judged: nothing failed, yet n0's client is refused whenever its two round
 * trips to a majority take longer than cp_timeout; the other clients never are. */
static bool judge_short_timeout(lab_run *run, sim_world *w, const kv_record *rec, const char *lin,
                                const char *lat) {
  int near_no = 0, near_requests = 0;
  const kv_state *far = sim_state(w, rec->replicas); /* c3, n0's client */
  for (int c = rec->replicas + 1; c < rec->replicas + rec->clients; c++) {
    const kv_state *s = sim_state(w, c);
    near_no += s->cli.refused + s->cli.unknown;
    near_requests += s->cli.started;
  }
  char t[32];
  fmt_time(rec->cfg.cp_timeout, t, sizeof t);
  if (near_no)
    return lab_verdict(run, false,
                       "%s, cp_timeout %s, no fault: the clients of n1 and n2 got %d refusals or "
                       "unknowns in %d requests, although their majority (n1 + n2) answers in "
                       "10..20 ms a round trip: does the coordinator wait for a majority, not for "
                       "all (cp_on_query_reply, cp_on_store_ack)?",
                       mode_name(&rec->cfg), t, near_no, near_requests);
  return lab_verdict(run, true,
                     "%s, cp_timeout %s, no fault at all: %d requests; %s (home n0, 40..80 ms a "
                     "round trip to any majority) got %d refused and %d unknown in its %d; the "
                     "clients of n1 and n2, none in their %d: a timeout shorter than a slow "
                     "majority's round trips refuses on a healthy network; %s; history %s",
                     mode_name(&rec->cfg), t, rec->requests, sim_node_name(w, rec->replicas),
                     far->cli.refused, far->cli.unknown, far->cli.started, near_requests, lat, lin);
}

/* Run a built world to its end and judge it. */
static bool run_and_judge(lab_run *run) {
  sim_world *w = run->world;
  kv_run *x = run->lab_data;
  kv_record *rec = &x->rec;
  const setup *su = &x->su;
  const char *report;
  sim_run_until(w, clients_finished, rec, su->stop + 5 * SIM_SEC);
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  sim_time done = sim_now(w);
  if (su->mode == MODE_AP) {
    rec->converged = sim_run_until(w, converged, rec, done + 2 * SIM_SEC);
    rec->converged_at = sim_now(w);
    if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  }
  count_history(w, rec);
  count_stale(w, rec);
  char lin[700], t[32], r1[16], r2[16], w1[16], w2[16];
  check_history(w, rec, lin, sizeof lin);
  bool linearizable = rec->lin_verdict == LIN_LINEARIZABLE;
  const char *mode = mode_name(&rec->cfg);
  char lat[200];
  snprintf(lat, sizeof lat, "median latency: read %s, write %s (90th percentile %s, %s)",
           ms(rec->median_read, r1, sizeof r1), ms(rec->median_write, w1, sizeof w1),
           ms(rec->p90_read, r2, sizeof r2), ms(rec->p90_write, w2, sizeof w2));
  int answered = rec->requests - rec->gave_up;
  int said_no = rec->refused + rec->unknown;
  bool faults =
      su->random_faults || su->loss > 0 || (run->nemesis && run->nemesis[0]) || run->loss_set;

  if (su->mode == MODE_CP) {
    if (!linearizable && !su->read_local)
      return lab_verdict(run, false,
                         "%s: not linearizable, although every operation went "
                         "through a majority: %s (the test prints the checker's whole "
                         "explanation; `lincheck` on a --trace file does too)",
                         mode, lin);
    if (!faults && rec->gave_up)
      return lab_verdict(run, false,
                         "%s: %d of %d requests got no answer at all (the client gave "
                         "up after %s): a CP replica must answer, if only with REFUSED after "
                         "cp_timeout (cp_on_deadline)",
                         mode, rec->gave_up, rec->requests, fmt_time(su->give_up, t, sizeof t));
    if (su->short_timeout && !faults) return judge_short_timeout(run, w, rec, lin, lat);
    if (!faults && !su->partition && said_no)
      return lab_verdict(run, false,
                         "%s: %d of %d requests were refused (or unknown) although "
                         "every replica was up and reachable: a majority answers within a few "
                         "round trips (does the coordinator wait for a majority, not for all?)",
                         mode, said_no, rec->requests);
    if (su->partition && !su->read_local) {
      if (rec->minority_ok)
        return lab_verdict(run, false,
                           "%s: n0 was cut off from the majority from %s to %s, yet "
                           "answered %d of the %d requests its client c%d made then OK: without "
                           "a majority a CP replica must refuse (cp_on_deadline), not answer "
                           "from its own store",
                           mode, fmt_time(rec->cut_at, r1, sizeof r1),
                           fmt_time(rec->heal_at, r2, sizeof r2), rec->minority_ok,
                           rec->minority_window, rec->replicas);
      if (rec->majority_ok < rec->majority_window)
        return lab_verdict(run, false,
                           "%s: the majority side (n1, n2) answered only %d of the %d "
                           "requests its clients made during the partition: a majority is "
                           "enough, so it must not wait for n0 (kv_majority, cp_on_query_reply, "
                           "cp_on_store_ack)",
                           mode, rec->majority_ok, rec->majority_window);
      if (rec->minority_window == 0 || said_no == 0)
        return lab_verdict(run, false,
                           "%s: nothing was refused during the partition (%d requests "
                           "from c%d in it)",
                           mode, rec->minority_window, rec->replicas);
    }
    if (faults && rec->ok * 3 < rec->requests)
      return lab_verdict(run, false,
                         "%s: only %d of %d requests completed OK under the faults; "
                         "a majority was up most of the time",
                         mode, rec->ok, rec->requests);
    char stale[500] = "";
    if (rec->stale_reads)
      snprintf(stale, sizeof stale, "; stale reads: %d, e.g. %s", rec->stale_reads, rec->stale);
    return lab_verdict(run, true,
                       "%s: %d requests, %d refused and %d unknown (%.0f%%), %d not "
                       "answered; %s%s%s%s; history %s%s",
                       mode, rec->requests, rec->refused, rec->unknown,
                       rec->requests ? 100.0 * said_no / rec->requests : 0.0, rec->gave_up,
                       su->partition ? "during the partition n0's client got " : "",
                       su->partition ? (rec->minority_ok ? "some answers" : "only refusals") : "",
                       su->partition ? ", the majority side answered every request; " : "", lat,
                       lin, stale);
  }
  /* MODE_AP. */
  if (!faults && (answered < rec->requests || said_no))
    return lab_verdict(run, false,
                       "%s: %d of %d requests were not answered OK (%d refused, %d "
                       "unknown, %d no answer): an AP replica answers every request from its own "
                       "store at once (ap_begin)",
                       mode, rec->requests - rec->ok, rec->requests, rec->refused, rec->unknown,
                       rec->gave_up);
  char why[1200];
  if (!check_convergence(w, x, why, sizeof why))
    return lab_verdict(run, false, "%s: %s", mode, why);
  char stale[600] = "";
  if (rec->partition_stale)
    snprintf(stale, sizeof stale,
             "; stale reads: %d, %d of them by c%d during the partition, e.g. "
             "%s",
             rec->stale_reads, rec->partition_stale, rec->replicas, rec->stale);
  else if (rec->stale_reads)
    snprintf(stale, sizeof stale, "; stale reads: %d, e.g. %s", rec->stale_reads, rec->stale);
  char by[400] = "";
  size_t at = 0;
  for (int r = 0; r < rec->replicas && r < KV_MAX_REPLICAS && at < sizeof by; r++)
    at += (size_t)snprintf(by + at, sizeof by - at, "%sn%d %d", r ? ", " : "; accepted by ", r,
                           rec->lww_by[r]);
  if (x->lww_example[0] && at < sizeof by)
    snprintf(by + at, sizeof by - at, "; e.g. %s", x->lww_example);
  return lab_verdict(run, true,
                     "%s: %d of %d requests answered OK; %s; the replicas converged by "
                     "t=%s; of %d acknowledged writes, %d were discarded by the merge rule, last "
                     "writer wins (a concurrent write had a higher (timestamp, node) tag%s), none "
                     "otherwise; history %s%s",
                     mode, rec->ok, rec->requests, lat, fmt_time(rec->converged_at, t, sizeof t),
                     rec->acked_writes, rec->lww_discarded, rec->lww_discarded ? by : "", lin,
                     stale);
}

static bool run_setup(lab_run *run, const setup *su) {
  lab_begin(run, build(run, su));
  return run_and_judge(run);
}

/* ---------------------------------------------------------------------------------------------
 * The scenarios.
 */
static bool scenario_partition_cp(lab_run *run) {
  setup su = setup_default(MODE_CP);
  su.partition = true;
  return run_setup(run, &su);
}

static bool scenario_partition_ap(lab_run *run) {
  setup su = setup_default(MODE_AP);
  su.partition = true;
  return run_setup(run, &su);
}

static bool scenario_normal_cp(lab_run *run) {
  setup su = setup_default(MODE_CP);
  return run_setup(run, &su);
}

static bool scenario_normal_ap(lab_run *run) {
  setup su = setup_default(MODE_AP);
  return run_setup(run, &su);
}

/* Question 3: normal-cp with a shorter cp_timeout (change it here to try other values). */
static bool scenario_normal_cp_timeout(lab_run *run) {
  setup su = setup_default(MODE_CP);
  su.cp_timeout = 100 * SIM_MS;
  su.short_timeout = true;
  return run_setup(run, &su);
}

static bool scenario_normal_cp_local(lab_run *run) {
  setup su = setup_default(MODE_CP);
  su.read_local = true;
  return run_setup(run, &su);
}

static setup faults_setup(kv_mode mode) {
  setup su = setup_default(mode);
  su.replicas = 5;
  su.loss = 0.05;
  su.dup = 0.05;
  su.random_faults = true;
  return su;
}

static bool scenario_faults_cp(lab_run *run) {
  setup su = faults_setup(MODE_CP);
  return run_setup(run, &su);
}

static bool scenario_faults_ap(lab_run *run) {
  setup su = faults_setup(MODE_AP);
  return run_setup(run, &su);
}

/* ---------------------------------------------------------------------------------------------
 * compare: the same seeds in every mode, one table.
 */
enum { COMPARE_SEEDS = 10 };

typedef struct compare_row {
  const char *name;
  bool (*scenario)(lab_run *run);
  const char *network;
  int requests, said_no, runs, not_linearizable, stale;
  history_op *ops; /* every run's operations, for the latency quantiles */
  size_t op_count;
} compare_row;

/* Run one row's scenario on one seed (with the trace if this is the traced run), add its numbers
 * to the row. Returns false, with the run's verdict in why, if the scenario failed. */
static bool compare_one(lab_run *outer, compare_row *row, uint64_t seed, bool traced, char *why,
                        size_t cap) {
  lab_run sub = *outer;
  sub.seed = seed;
  sub.trace = traced ? outer->trace : NULL;
  sub.world = NULL;
  sub.lab_data = NULL;
  sub.schedule = NULL;
  bool held = row->scenario(&sub);
  const kv_record *rec = sub.lab_data;
  if (!held) {
    int at = snprintf(why, cap, "%s %s, seed %" PRIu64 ": ", row->name, row->network, seed);
    if (at >= 0 && (size_t)at < cap) snprintf(why + at, cap - (size_t)at, "%.1800s", sub.verdict);
  }
  if (held && rec) {
    row->runs++;
    row->requests += rec->requests;
    row->said_no += rec->refused + rec->unknown + rec->gave_up;
    row->not_linearizable += rec->lin_verdict != LIN_LINEARIZABLE;
    row->stale += rec->stale_reads;
    size_t n, count;
    const sim_op_record *h = sim_history(sub.world, &n);
    history_op *ops = history_pair(h, n, &count);
    history_op *all = realloc(row->ops, (row->op_count + count + 1) * sizeof *all);
    if (!all) abort();
    memcpy(all + row->op_count, ops, count * sizeof *ops);
    row->ops = all;
    row->op_count += count;
    free(ops);
  }
  if (traced) {
    /* The traced run is the compare run's own world: the driver's --viz shows it. */
    outer->world = sub.world;
    outer->schedule = sub.schedule;
    outer->lab_data = sub.lab_data;
  } else {
    lab_end(&sub);
  }
  return held;
}

static bool scenario_compare(lab_run *run) {
  compare_row rows[] = {
      {"PC/EC (CP)", scenario_partition_cp, "partition", 0, 0, 0, 0, 0, NULL, 0},
      {"PA/EL (AP)", scenario_partition_ap, "partition", 0, 0, 0, 0, 0, NULL, 0},
      {"PC/EC (CP)", scenario_normal_cp, "normal", 0, 0, 0, 0, 0, NULL, 0},
      {"PA/EL (AP)", scenario_normal_ap, "normal", 0, 0, 0, 0, 0, NULL, 0},
      {"PC/EL", scenario_normal_cp_local, "normal", 0, 0, 0, 0, 0, NULL, 0},
  };
  int nrows = (int)(sizeof rows / sizeof rows[0]);
  char why[2048] = "";
  bool held = true;
  for (int i = 0; i < nrows && held; i++)
    for (uint64_t k = 0; k < COMPARE_SEEDS && held; k++)
      held = compare_one(run, &rows[i], run->seed + k, i == 0 && k == 0, why, sizeof why);
  sim_time med_read[8] = {0}, med_write[8] = {0};
  for (int i = 0; i < nrows; i++) {
    history_latency(rows[i].ops, rows[i].op_count, SIM_OP_OK, "read", 0.5, &med_read[i]);
    history_latency(rows[i].ops, rows[i].op_count, SIM_OP_OK, "write", 0.5, &med_write[i]);
    free(rows[i].ops);
  }
  if (!held) return lab_verdict(run, false, "%s", why);
  /* The claims the table makes. */
  if (rows[0].said_no == 0)
    return lab_verdict(run, false, "CP refused nothing under the partition");
  if (rows[1].said_no != 0)
    return lab_verdict(run, false, "AP refused %d requests under the partition", rows[1].said_no);
  if (rows[0].not_linearizable || rows[2].not_linearizable)
    return lab_verdict(run, false, "a CP history was not linearizable");
  if (rows[1].not_linearizable == 0)
    return lab_verdict(run, false,
                       "no AP history under the partition was found non-linearizable "
                       "in %d seeds",
                       COMPARE_SEEDS);
  if (med_read[2] <= med_read[3] || med_write[2] <= med_write[3])
    return lab_verdict(run, false, "in normal operation CP's median latency was not above AP's");
  if (med_read[4] >= med_read[2])
    return lab_verdict(run, false, "local reads were not faster than majority reads");
  char table[1800], r[16], wr[16];
  size_t at =
      (size_t)snprintf(table, sizeof table,
                       "seeds %" PRIu64 "..%" PRIu64
                       ", the same workload and partition in "
                       "every mode:\n"
                       "| mode | network | requests | refused or unknown | not linearizable | "
                       "stale reads | median read | median write |\n"
                       "|---|---|---|---|---|---|---|---|\n",
                       run->seed, run->seed + COMPARE_SEEDS - 1);
  for (int i = 0; i < nrows && at < sizeof table; i++)
    at += (size_t)snprintf(table + at, sizeof table - at,
                           "| %s | %s | %d | %d (%.1f%%) | %d of %d runs | %d | %s | %s |\n",
                           rows[i].name, rows[i].network, rows[i].requests, rows[i].said_no,
                           rows[i].requests ? 100.0 * rows[i].said_no / rows[i].requests : 0.0,
                           rows[i].not_linearizable, rows[i].runs, rows[i].stale,
                           ms(med_read[i], r, sizeof r), ms(med_write[i], wr, sizeof wr));
  if (at < sizeof table)
    snprintf(table + at, sizeof table - at,
             "(the trace, for --trace and --viz, is partition-cp's run of seed %" PRIu64 ")",
             run->seed);
  return lab_verdict(run, true, "%s", table);
}

static const lab_scenario scenarios[] = {
    {"partition-cp", "CP: n0 and c3 cut off 300ms..1.3s: linearizable; n0 refuses, n1 and n2 serve",
     scenario_partition_cp, LAB_FIXED_NODES},
    {"partition-ap", "AP, the same partition: every request answered; replicas converge after it",
     scenario_partition_ap, LAB_FIXED_NODES},
    {"normal-cp", "CP, no partition: nothing refused, linearizable; latency of majority operations",
     scenario_normal_cp, LAB_FIXED_NODES},
    {"normal-ap", "AP, no partition: latency of local operations; converges", scenario_normal_ap,
     LAB_FIXED_NODES},
    {"normal-cp-local", "CP with the PACELC knob on local reads (PC/EL): faster reads, maybe stale",
     scenario_normal_cp_local, LAB_FIXED_NODES},
    {"normal-cp-timeout", "normal-cp with cp_timeout 100ms, not 200ms: n0's slow majority refused",
     scenario_normal_cp_timeout, LAB_FIXED_NODES},
    {"faults-cp", "CP on 5 replicas: random partitions, a crash, 5% loss and duplicates",
     scenario_faults_cp, LAB_FIXED_NODES},
    {"faults-ap", "AP on 5 replicas, the same faults: converges, no write lost but by the merge",
     scenario_faults_ap, LAB_FIXED_NODES},
    {"compare", "every mode on 10 seeds: refused, not linearizable, median latency (a table)",
     scenario_compare, LAB_FIXED_NODES},
};

const lab_info lab09 = {
    .id = "09-cap",
    .title = "CAP and PACELC: choose under partition",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
