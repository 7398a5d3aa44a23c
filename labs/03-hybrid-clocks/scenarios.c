/*
 * labs/03-hybrid-clocks/scenarios.c: lab 03's scenarios and checkers, shared by the driver and
 * the tests.
 *
 * The clock checker runs on every event that has a timestamp (local events, sends, receives)
 * and checks three properties of the paper (Kulkarni et al. 2014, Section 3):
 *
 *   1. hlc-causality: if a happened before b then hlc(a) < hlc(b). The library gives every event
 *      its ground-truth vector clock V, and a -> b exactly when V(a)[node(a)] <= V(b)[node(a)].
 *      Once every earlier event has passed, each node's timestamps rise, so it is enough to
 *      compare b with the latest event of each node i that happened before it: the latest
 *      clock event of node i whose own entry is <= V(b)[i]. at[i][k] keeps that event for every
 *      k, filled as events come (the same idea as lab 01's checker).
 *   2. hlc-physical: pt <= l <= the fastest clock. l is never below the node's own physical
 *      clock at the event, and never above the largest reading any physical clock in the world
 *      has shown so far: l is always some clock's reading, carried along by messages. With
 *      clocks that never step back this gives the paper's bound l - pt <= epsilon, where epsilon
 *      is how far apart two clocks can be; the records keep both numbers for the tests.
 *   3. c-bound: c <= the length of the longest chain of events that happened before the event
 *      and have its l. The paper proves that c = k > 0 means such a chain of k events exists,
 *      so c counts only events that share one l, and starts from 0 when l moves. With 1 and the
 *      rule "c goes up along a chain of equal l" this pins c down exactly. (The paper turns the
 *      chain into the bound c <= N * (epsilon + 1) with epsilon in clock ticks: true, but at a
 *      microsecond clock far too loose to catch anything.) The chain of an event is computed
 *      from the same latest-event-per-node as check 1.
 *
 * The store checker runs in the store scenarios:
 *   - lww (after every event): a replica's newest version (kv_latest) is the largest, in the
 *     (timestamp, writer) order, of the versions it was given;
 *   - lost-write (after every event): that newest version did not happen before another version
 *     of the key the replica holds. If it did, last-writer-wins has dropped a write made by
 *     someone who had seen the one that wins: a causally later write is lost. Physical
 *     timestamps do this under skew (the demonstration); HLC timestamps never do.
 *   - snapshot-exact (when a read is answered, and at every later write): the answer for each key
 *     is the newest version, among every write ever made anywhere, with a timestamp <= T. A write
 *     stamped <= T that is made or arrives after the answer means the read answered too early.
 *   - snapshot-causal (when a read is answered): if the snapshot contains a write w2 and w1
 *     happened before w2, it contains w1 or a newer version of w1's key: no effect without its
 *     cause. Physical timestamps break this under skew (the demonstration); HLC ones never do.
 *   - at the end: every replica holds every version and the same newest one (lww), and every
 *     snapshot read was answered within its deadline (snapshot).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* The run's data: the public record first (tests read run->lab_data as a lab03_record), then
 * what only the checks need. One allocation, freed by lab_end. */
typedef struct scenario_data {
  lab03_record rec;
  /* at[i][k]: index in rec.events of node i's latest clock event whose own vector entry is <= k
   * (-1: none yet); filled[i]: the highest k written. */
  int32_t at[LAB03_MAX_NODES][LAB03_MAX_PER_NODE];
  uint32_t filled[LAB03_MAX_NODES];
  int32_t latest[LAB03_MAX_NODES]; /* each node's latest clock event, -1 if none */
  bool restarted[LAB03_MAX_NODES]; /* the node crashed and restarted (for the hint) */
  /* A receive is an event whose timestamp is known only after its handler ran. */
  bool waiting[LAB03_MAX_NODES];
  lab03_event waiting_ev[LAB03_MAX_NODES];
  uint32_t waiting_vc[LAB03_MAX_NODES][LAB03_MAX_NODES];
  /* The store: which writes each replica was given, and what is left to check. */
  uint64_t given[LAB03_MAX_NODES][LAB03_MAX_WRITES / 64];
  bool dirty[LAB03_MAX_NODES];
  uint32_t snaps_checked[LAB03_MAX_NODES];
  sim_time read_deadline; /* liveness: the longest a snapshot read may wait */
} scenario_data;

static const char *kind_name(int kind) {
  return kind == SIM_EV_SEND ? "send" : kind == SIM_EV_RECV ? "receive" : "local event";
}

static char key_name(int key) { return (char)('a' + key); }

/* The checker's own order on timestamps and versions (it does not trust the learner's). */
static int ts_order(hlc a, hlc b) {
  if (a.l != b.l) return a.l < b.l ? -1 : 1;
  return a.c < b.c ? -1 : a.c > b.c ? 1 : 0;
}

static int version_order(const kv_version *a, const kv_version *b) {
  int o = ts_order(a->ts, b->ts);
  if (o) return o;
  return a->writer < b->writer ? -1 : a->writer > b->writer ? 1 : 0;
}

/* ---------------------------------------------------------------------------------------------
 * The clock checker.
 */

/* Remember event e (index in rec.events) of node i with own vector entry k. */
static void remember(scenario_data *d, int i, uint32_t k, int32_t e) {
  int32_t prev = d->at[i][d->filled[i]];
  for (uint32_t j = d->filled[i] + 1; j < k; j++) d->at[i][j] = prev;
  if (k > d->filled[i]) {
    d->at[i][k] = e;
    d->filled[i] = k;
  }
  d->latest[i] = e;
}

/* Node i's latest clock event with own vector entry <= k, or NULL. */
static const lab03_event *latest_upto(const scenario_data *d, int i, uint32_t k) {
  if (k > d->filled[i]) k = d->filled[i];
  int32_t e = d->at[i][k];
  return e < 0 ? NULL : &d->rec.events[e];
}

/* Keep every node's largest physical clock reading, and the spread of the clocks now. */
static void watch_physical(sim_world *w, scenario_data *d) {
  uint64_t lo = UINT64_MAX, hi = 0;
  for (int k = 0; k < d->rec.nodes; k++) {
    uint64_t pt = sim_node_clock(w, k);
    if (pt > d->rec.fastest[k]) d->rec.fastest[k] = pt;
    if (pt < lo) lo = pt;
    if (pt > hi) hi = pt;
  }
  if ((int64_t)(hi - lo) > d->rec.max_spread) d->rec.max_spread = (int64_t)(hi - lo);
}

static const char *causality_hint(const scenario_data *d, const lab03_event *a,
                                  const lab03_event *b) {
  if (d->restarted[b->node])
    return "the node restarted with a zeroed clock: before the crash it had stamped or heard "
           "timestamps that its physical clock has not reached yet, and it forgot them. An HLC "
           "must survive restarts too (see the chapter's last question)";
  if (a->node == b->node && b->kind != SIM_EV_RECV)
    return "a node's timestamps must rise with each of its events: when pt <= l, l stays and c "
           "must go up by one (hlc_tick)";
  if (a->node == b->node)
    return "a receive must end above the node's own previous timestamp: l = max(l, msg.l, pt); "
           "when l stays, c must go past the old c (max(c, msg.c) + 1 if msg.l ties too) "
           "(hlc_receive)";
  if (b->kind == SIM_EV_RECV)
    return "a receive must end above the message's timestamp: l = max(l, msg.l, pt); when l "
           "equals msg.l, c must go past msg.c (max(c, msg.c) + 1 if the old l ties too) "
           "(hlc_receive)";
  return "the node's clock fell below something it had already heard: never lower l "
         "(hlc_tick takes max(l, pt), hlc_receive the max of three)";
}

/* Check event b (its timestamp known), then remember it. vc is its ground-truth clock. */
static void check_clock_event(sim_world *w, scenario_data *d, lab03_event *b, const uint32_t *vc) {
  lab03_record *rec = &d->rec;
  int j = b->node;
  uint32_t own = vc[j];
  char ta[32], tb[32], ha[64], hb[64];
  if (own >= LAB03_MAX_PER_NODE || rec->event_count >= LAB03_MAX_EVENTS) {
    sim_fail(w, "recorder",
             "more events than the checker can keep (%d per node, %d in all): the "
             "run is too long for this lab's checker",
             LAB03_MAX_PER_NODE, LAB03_MAX_EVENTS);
    return;
  }
  b->pt = sim_node_clock(w, j);
  sim_format_time(b->time, tb, sizeof tb);
  hlc_format(b->ts, hb, sizeof hb);

  /* 1. Causality, and the chain of equal l, against each node's latest event before b. */
  uint32_t chain = 0;
  for (int i = 0; i < rec->nodes; i++) {
    const lab03_event *a = latest_upto(d, i, i == j ? own - 1 : vc[i]);
    if (!a) continue;
    if (ts_order(a->ts, b->ts) >= 0) {
      sim_fail(w, "hlc-causality",
               "n%d's %s at t=%s %s happened before n%d's %s at t=%s %s, but its timestamp is "
               "not smaller: %s",
               i, kind_name(a->kind), sim_format_time(a->time, ta, sizeof ta),
               hlc_format(a->ts, ha, sizeof ha), j, kind_name(b->kind), tb, hb,
               causality_hint(d, a, b));
      return;
    }
    if (a->ts.l == b->ts.l && a->chain + 1 > chain) chain = a->chain + 1;
  }
  b->chain = chain;

  /* 2. pt <= l <= the fastest clock so far. */
  uint64_t fastest = 0;
  int fastest_node = 0;
  for (int k = 0; k < rec->nodes; k++)
    if (rec->fastest[k] > fastest) fastest = rec->fastest[k], fastest_node = k;
  const char *rule = b->kind == SIM_EV_RECV ? "hlc_receive" : "hlc_tick";
  if (b->ts.l < b->pt) {
    sim_fail(w, "hlc-physical",
             "n%d's %s at t=%s has timestamp %s, behind its own physical clock pt=%s: l must be "
             "at least pt (the max in %s takes pt)",
             j, kind_name(b->kind), tb, hb, hlc_format_us((int64_t)b->pt, false, ta, sizeof ta),
             rule);
    return;
  }
  if (b->ts.l > fastest) {
    sim_fail(w, "hlc-physical",
             "n%d's %s at t=%s has timestamp %s, ahead of every physical clock so far (the "
             "fastest, n%d, has read %s): l may only take values some clock read, pt or an l "
             "from a message, never add to it (%s)",
             j, kind_name(b->kind), tb, hb, fastest_node,
             hlc_format_us((int64_t)fastest, false, ta, sizeof ta), rule);
    return;
  }

  /* 3. c is at most the chain of earlier events with the same l. */
  if (b->ts.c > chain) {
    sim_fail(w, "c-bound",
             "n%d's %s at t=%s has timestamp %s, but only %u event(s) with that l happened "
             "before it: c must start again at 0 when l moves up, grow by one per event while l "
             "stays, and l must never move to a value no clock read (%s)",
             j, kind_name(b->kind), tb, hb, chain, rule);
    return;
  }

  /* Statistics for the verdicts and the tests. */
  rec->checked++;
  if (b->ts.c > rec->max_c) rec->max_c = b->ts.c;
  if (b->ts.c > rec->node_max_c[j]) rec->node_max_c[j] = b->ts.c;
  if ((int64_t)(b->ts.l - b->pt) > rec->max_ahead) rec->max_ahead = (int64_t)(b->ts.l - b->pt);
  if (d->latest[j] >= 0 && rec->events[d->latest[j]].ts.c > 0 && b->ts.c == 0) rec->c_resets[j]++;
  rec->events[rec->event_count] = *b;
  remember(d, j, own, (int32_t)rec->event_count);
  rec->event_count++;
}

static lab03_event event_of(const sim_event *ev, hlc ts) {
  lab03_event e = {.time = ev->time, .node = ev->node, .kind = (int32_t)ev->kind, .ts = ts};
  return e;
}

/* ---------------------------------------------------------------------------------------------
 * The store checker.
 */

/* The index in rec.writes of the write that made version v, or -1. */
static int write_index(const lab03_record *rec, const kv_version *v) {
  for (uint32_t x = 0; x < rec->write_count; x++)
    if (rec->writes[x].version.writer == v->writer && rec->writes[x].version.value == v->value)
      return (int)x;
  return -1;
}

/* Did write a happen before write b (ground truth)? */
static bool write_before(const lab03_write *a, const lab03_write *b) {
  return a != b && a->vc[a->node] <= b->vc[a->node];
}

static bool given(const scenario_data *d, int node, int x) {
  return (d->given[node][x / 64] >> (x % 64)) & 1;
}

/* A note for store failures in a run whose network dropped messages: the safe time and the
 * replicas' convergence assume links that lose nothing (a fault schedule may break that). */
static const char *lost_note(sim_world *w) {
  const sim_stats *st = sim_get_stats(w);
  if (st->dropped_loss + st->dropped_partition + st->dropped_dead == 0) return "";
  return ". (The network dropped messages in this run, and the safe time assumes links that "
         "lose nothing: see the chapter's question 5.)";
}

/* A snapshot already answered would now answer differently: write x, stamped <= its T, was made
 * after it. */
static void check_late_write(sim_world *w, scenario_data *d, int x) {
  const lab03_write *wr = &d->rec.writes[x];
  for (int r = 0; r < d->rec.nodes; r++) {
    const hlc_state *s = sim_state(w, r);
    for (uint32_t q = 0; q < s->done_count && q < SNAP_LOG_MAX; q++) {
      const snap_read *S = &s->done[q];
      if (ts_order(wr->version.ts, S->at) > 0) continue;
      if (S->has[wr->key] && version_order(&S->got[wr->key], &wr->version) >= 0) continue;
      char t1[32], h1[64], h2[64];
      sim_fail(w, "snapshot-exact",
               "n%d answered a read as of %s at t=%s, and now n%d writes %c=%u stamped %s <= "
               "T: that read missed a write it should contain. A read as of T may be answered "
               "only when no write stamped <= T can still come: T must be below the safe time "
               "(kv_safe_time: the smallest heard[j] over the other nodes)",
               r, hlc_format(S->at, h1, sizeof h1), sim_format_time(S->answered, t1, sizeof t1),
               wr->node, key_name(wr->key), wr->version.value,
               hlc_format(wr->version.ts, h2, sizeof h2));
      return;
    }
  }
}

/* Record a write the observer just saw (the LOCAL event of store_write). */
static void record_write(sim_world *w, scenario_data *d, const sim_event *ev, const hlc_state *s) {
  lab03_record *rec = &d->rec;
  if (rec->write_count >= LAB03_MAX_WRITES) {
    sim_fail(w, "recorder", "more than %d writes: the run is too long for this lab's checker",
             LAB03_MAX_WRITES);
    return;
  }
  lab03_write *wr = &rec->writes[rec->write_count];
  wr->time = ev->time;
  wr->node = ev->node;
  wr->key = s->writing_key;
  wr->version = s->writing;
  memcpy(wr->vc, ev->vc, sizeof wr->vc);
  int x = (int)rec->write_count++;
  d->given[ev->node][x / 64] |= 1ull << (x % 64);
  d->dirty[ev->node] = true;
  check_late_write(w, d, x);
}

/* Replica r's newest version of each key is the largest it was given, and is not causally before
 * another version it was given. */
static bool check_replica(sim_world *w, scenario_data *d, int r) {
  lab03_record *rec = &d->rec;
  const hlc_state *s = sim_state(w, r);
  char t1[32], t2[32], h1[64], h2[64];
  for (int k = 0; k < KV_KEYS; k++) {
    int best = -1, count = 0;
    for (uint32_t x = 0; x < rec->write_count; x++) {
      if (rec->writes[x].key != k || !given(d, r, (int)x)) continue;
      count++;
      if (best < 0 || version_order(&rec->writes[best].version, &rec->writes[x].version) < 0)
        best = (int)x;
    }
    if (count == 0) continue;
    const kv_version *v = kv_latest(&s->store[k]);
    int win = v ? write_index(rec, v) : -1;
    if (!v || win < 0 || !given(d, r, win)) {
      sim_fail(w, "lww",
               "n%d was given %d version(s) of %c, but kv_latest returns %s: kv_put must keep "
               "every version it is given, and kv_latest return the last one",
               r, count, key_name(k), v ? "a version it was never given" : "nothing");
      return false;
    }
    const lab03_write *top = &rec->writes[best], *won = &rec->writes[win];
    if (win != best) {
      sim_fail(w, "lww",
               "n%d's newest %c is %u %s (by n%d), but it also holds %u %s (by n%d), which comes "
               "later in the (timestamp, writer) order: kv_put must keep the versions sorted by "
               "kv_before, and kv_latest return the last one",
               r, key_name(k), won->version.value, hlc_format(won->version.ts, h1, sizeof h1),
               won->node, top->version.value, hlc_format(top->version.ts, h2, sizeof h2),
               top->node);
      return false;
    }
    for (uint32_t x = 0; x < rec->write_count; x++) {
      const lab03_write *later = &rec->writes[x];
      if (later->key != k || !given(d, r, (int)x) || !write_before(won, later)) continue;
      rec->lost_writes++;
      sim_fail(w, "lost-write",
               "n%d wrote %c=%u at t=%s after %s %c=%u (written by n%d at t=%s), yet n%d "
               "keeps %u: the later write's timestamp %s is not larger than %s, so "
               "last-writer-wins drops the write that came after. %s",
               later->node, key_name(k), later->version.value,
               sim_format_time(later->time, t1, sizeof t1),
               later->node == won->node ? "its own" : "seeing", key_name(k), won->version.value,
               won->node, sim_format_time(won->time, t2, sizeof t2), r, won->version.value,
               hlc_format(later->version.ts, h1, sizeof h1),
               hlc_format(won->version.ts, h2, sizeof h2),
               rec->stamps == STAMP_PHYSICAL
                   ? "Physical clocks do not respect causality: this is the demonstration."
                   : "With HLC a write made after receiving another gets a larger timestamp: "
                     "check hlc_receive and hlc_tick.");
      return false;
    }
  }
  return true;
}

/* A newly answered snapshot read S at node r: exact, and causally consistent. */
static bool check_snapshot(sim_world *w, scenario_data *d, int r, const snap_read *S) {
  lab03_record *rec = &d->rec;
  const hlc_state *s = sim_state(w, r);
  char t1[32], t2[32], h1[64], h2[64], h3[64];
  sim_time wait = S->answered - S->started;
  rec->snapshots++;
  rec->total_wait += wait;
  if (wait > rec->max_wait) rec->max_wait = wait;
  hlc_format(S->at, h1, sizeof h1);
  /* Exact: the newest version of every write made anywhere with ts <= T. */
  for (int k = 0; k < (int)s->config.keys && k < KV_KEYS; k++) {
    int want = -1;
    for (uint32_t x = 0; x < rec->write_count; x++) {
      const lab03_write *wr = &rec->writes[x];
      if (wr->key != k || ts_order(wr->version.ts, S->at) > 0) continue;
      if (want < 0 || version_order(&rec->writes[want].version, &wr->version) < 0) want = (int)x;
    }
    int got = S->has[k] ? write_index(rec, &S->got[k]) : -1;
    if (got == want && (want < 0 || S->got[k].ts.l == rec->writes[want].version.ts.l)) continue;
    if (want >= 0 && !given(d, r, want)) {
      const lab03_write *wr = &rec->writes[want];
      sim_fail(w, "snapshot-exact",
               "n%d answered a read as of %s before it had received %c=%u, written by n%d at "
               "t=%s and stamped %s <= T: T must be below the safe time, the smallest heard[j] "
               "over the other nodes (kv_safe_time)%s",
               r, h1, key_name(k), wr->version.value, wr->node,
               sim_format_time(wr->time, t1, sizeof t1), hlc_format(wr->version.ts, h2, sizeof h2),
               lost_note(w));
      return false;
    }
    if (want >= 0)
      snprintf(h3, sizeof h3, "%u %s", rec->writes[want].version.value,
               hlc_format(rec->writes[want].version.ts, h2, sizeof h2));
    else
      snprintf(h3, sizeof h3, "nothing (every version is newer)");
    if (S->has[k])
      sim_fail(w, "snapshot-exact",
               "n%d's read as of %s returned %c=%u stamped %s, but the newest version with a "
               "timestamp <= T is %s (kv_read_at)",
               r, h1, key_name(k), S->got[k].value, hlc_format(S->got[k].ts, h2, sizeof h2), h3);
    else
      sim_fail(w, "snapshot-exact",
               "n%d's read as of %s found no %c, but the newest version with a "
               "timestamp <= T is %s (kv_read_at)",
               r, h1, key_name(k), h3);
    return false;
  }
  /* Causal: everything that happened before a write in the snapshot is in it too. */
  for (int k2 = 0; k2 < KV_KEYS; k2++) {
    if (!S->has[k2]) continue;
    int x2 = write_index(rec, &S->got[k2]);
    if (x2 < 0) continue;
    const lab03_write *effect = &rec->writes[x2];
    for (uint32_t x1 = 0; x1 < rec->write_count; x1++) {
      const lab03_write *cause = &rec->writes[x1];
      if (!write_before(cause, effect)) continue;
      int k1 = cause->key;
      if (S->has[k1] && version_order(&S->got[k1], &cause->version) >= 0) continue;
      rec->causal_breaks++;
      char shown[48];
      if (S->has[k1])
        snprintf(shown, sizeof shown, "the older %c=%u", key_name(k1), S->got[k1].value);
      else
        snprintf(shown, sizeof shown, "no %c at all", key_name(k1));
      sim_fail(w, "snapshot-causal",
               "n%d's snapshot as of %s shows %c=%u (n%d wrote it at t=%s, after %c=%u was "
               "written by n%d at t=%s) but %s: an effect without its cause. The cause is "
               "stamped %s > T, the effect %s <= T. %s",
               r, h1, key_name(k2), effect->version.value, effect->node,
               sim_format_time(effect->time, t1, sizeof t1), key_name(k1), cause->version.value,
               cause->node, sim_format_time(cause->time, t2, sizeof t2), shown,
               hlc_format(cause->version.ts, h2, sizeof h2),
               hlc_format(effect->version.ts, h3, sizeof h3),
               rec->stamps == STAMP_PHYSICAL
                   ? "Physical clocks do not respect causality: this is the demonstration."
                   : "With HLC the later write must get the larger timestamp (hlc_receive).");
      return false;
    }
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Observer and invariants.
 */

/* Give waiting receives their timestamp (their handlers have run by now). */
static void settle(sim_world *w, scenario_data *d) {
  for (int i = 0; i < d->rec.nodes; i++) {
    if (!d->waiting[i]) continue;
    d->waiting[i] = false;
    const hlc_state *s = sim_state(w, i);
    d->waiting_ev[i].ts = s->recv_ts;
    check_clock_event(w, d, &d->waiting_ev[i], d->waiting_vc[i]);
  }
}

static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  scenario_data *d = ctx;
  if (sim_violated(w, NULL)) return;
  watch_physical(w, d);
  bool clocks = d->rec.stamps == STAMP_HLC;
  if (clocks) settle(w, d);
  if (ev->node < 0 || ev->node >= d->rec.nodes) return;
  const hlc_state *s = sim_state(w, ev->node);
  if (ev->kind == SIM_EV_RESTART || ev->kind == SIM_EV_CRASH) {
    d->restarted[ev->node] = true;
    memset(d->given[ev->node], 0, sizeof d->given[ev->node]); /* the store is wiped */
    d->waiting[ev->node] = false;
  } else if (ev->kind == SIM_EV_LOCAL) {
    if (d->rec.mode == MODE_STORE && s->writing_key >= 0) record_write(w, d, ev, s);
    if (!clocks) return;
    lab03_event e = event_of(ev, s->clock);
    check_clock_event(w, d, &e, ev->vc);
  } else if (ev->kind == SIM_EV_SEND) {
    if (!clocks) return;
    lab03_event e = event_of(ev, *(const hlc *)ev->body);
    check_clock_event(w, d, &e, ev->vc);
  } else if (ev->kind == SIM_EV_RECV && ev->peer >= 0) {
    if (ev->msg_type == MSG_UPDATE) {
      int x = write_index(&d->rec, &((const update_body *)ev->body)->version);
      if (x >= 0) d->given[ev->node][x / 64] |= 1ull << (x % 64);
      d->dirty[ev->node] = true;
    }
    if (!clocks) return;
    d->waiting[ev->node] = true;
    d->waiting_ev[ev->node] = event_of(ev, (hlc){0, 0});
    memcpy(d->waiting_vc[ev->node], ev->vc, sizeof d->waiting_vc[ev->node]);
  }
}

/* After every event: settle the receive that just ran (so a violation stops the world at once). */
static bool clocks_settled(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)why;
  (void)cap;
  settle(w, ctx);
  return true;
}

/* After every event: the replicas that changed, and the snapshot reads just answered. A failed
 * check has already stopped the world with its own name (sim_fail). */
static bool store_checked(sim_world *w, void *ctx, char *why, size_t cap) {
  scenario_data *d = ctx;
  (void)why;
  (void)cap;
  for (int r = 0; r < d->rec.nodes; r++) {
    if (d->dirty[r]) {
      d->dirty[r] = false;
      if (!check_replica(w, d, r)) return true;
    }
    const hlc_state *s = sim_state(w, r);
    for (; d->snaps_checked[r] < s->done_count && d->snaps_checked[r] < SNAP_LOG_MAX;
         d->snaps_checked[r]++)
      if (!check_snapshot(w, d, r, &s->done[d->snaps_checked[r]])) return true;
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Building a world.
 */

typedef struct setup {
  int nodes;
  lab03_config config[LAB03_MAX_NODES];
  sim_net_config net;
  bool random_clocks; /* skews 0..100 ms and drifts -1000..+1000 ppm, drawn from the seed */
  int64_t skew[LAB03_MAX_NODES];
  int32_t drift[LAB03_MAX_NODES];
  sim_time read_deadline;
} setup;

static sim_world *build(lab_run *run, setup *su) {
  sim_world *w = sim_create(run->seed);
  for (int i = 0; i < su->nodes; i++)
    sim_add_node(w, &hlc_protocol, &su->config[i], sizeof su->config[i]);
  sim_set_net(w, &su->net);
  rng *r = sim_workload_rng(w);
  for (int i = 0; i < su->nodes; i++) {
    if (su->random_clocks) {
      su->skew[i] = (int64_t)rng_below(r, 100 * SIM_MS + 1);
      su->drift[i] = (int32_t)rng_below(r, 2001) - 1000;
    }
    sim_set_clock(w, i, su->skew[i], su->drift[i]);
  }
  scenario_data *d = calloc(1, sizeof *d);
  d->rec.nodes = su->nodes;
  d->rec.mode = su->config[0].mode;
  d->rec.stamps = su->config[0].mode == MODE_STORE ? su->config[0].stamps : STAMP_HLC;
  for (int i = 0; i < LAB03_MAX_NODES; i++) {
    d->at[i][0] = -1;
    d->latest[i] = -1;
  }
  d->read_deadline = su->read_deadline;
  run->lab_data = d;
  sim_observe(w, watch, d);
  if (d->rec.stamps == STAMP_HLC) sim_invariant(w, "hlc", clocks_settled, d);
  if (d->rec.mode == MODE_STORE) sim_invariant(w, "store", store_checked, d);
  lab_begin(run, w);
  return w;
}

static sim_net_config net_of(sim_time min, sim_time max, double loss, double dup, bool fifo) {
  sim_net_config n = sim_net_uniform(min, max, loss, dup);
  n.fifo = fifo;
  return n;
}

/* The clock properties held on every event: say so, with the numbers. */
static bool clock_verdict(lab_run *run, const char *extra) {
  const lab03_record *rec = run->lab_data;
  char a[32], e[32], extra_text[1200] = "";
  const char *report;
  if (sim_violated(run->world, &report)) return lab_verdict(run, false, "%s", report);
  if (rec->checked == 0)
    return lab_verdict(run, false, "no event was checked: did the nodes do anything?");
  if (extra) snprintf(extra_text, sizeof extra_text, " %s", extra);
  return lab_verdict(run, true,
                     "causality, pt <= l <= the fastest clock, and c <= its chain held on all %u "
                     "events; l ran up to %s ahead of a node's own clock while the clocks were "
                     "up to %s apart; the largest c was %" PRIu64 ".%s",
                     rec->checked, sim_format_time((sim_time)rec->max_ahead, a, sizeof a),
                     sim_format_time((sim_time)rec->max_spread, e, sizeof e), rec->max_c,
                     extra_text);
}

static setup gossip_setup(int nodes) {
  setup su = {
      .nodes = nodes, .net = net_of(1 * SIM_MS, 40 * SIM_MS, 0, 0, false), .random_clocks = true};
  for (int i = 0; i < nodes; i++)
    su.config[i] = (lab03_config){.mode = MODE_GOSSIP,
                                  .actions = 40,
                                  .mean_gap = 10 * SIM_MS,
                                  .local_percent = 30,
                                  .max_hops = 2};
  return su;
}

static bool scenario_gossip(lab_run *run) {
  setup su = gossip_setup(lab_nodes(run, 5));
  sim_world *w = build(run, &su);
  sim_run_until_time(w, 2 * SIM_SEC);
  settle(w, run->lab_data);
  return clock_verdict(run, NULL);
}

/* n0's clock runs 200 ms ahead and it sends now and then; n1 and n2 chat fast. */
static bool scenario_skewed(lab_run *run) {
  setup su = {.nodes = 3, .net = net_of(1 * SIM_MS, 5 * SIM_MS, 0, 0, false)};
  su.config[0] = (lab03_config){.mode = MODE_GOSSIP, .actions = 4, .mean_gap = 60 * SIM_MS};
  for (int i = 1; i < 3; i++)
    su.config[i] = (lab03_config){
        .mode = MODE_GOSSIP, .actions = 200, .mean_gap = 3 * SIM_MS, .local_percent = 30};
  su.skew[0] = 200 * (int64_t)SIM_MS;
  su.skew[2] = 3 * (int64_t)SIM_MS;
  su.drift[2] = -500;
  sim_world *w = build(run, &su);
  sim_run_until_time(w, 1 * SIM_SEC);
  settle(w, run->lab_data);
  const lab03_record *rec = run->lab_data;
  char extra[400];
  snprintf(extra, sizeof extra,
           "n0's clock is 200ms ahead: n1 and n2 took its l and counted their events in c while "
           "their own clocks were behind it (c up to %" PRIu64 " on n1, %" PRIu64
           " on n2); c went back to 0 only when a node's own clock moved l up (%u times on n1, "
           "%u on n2).",
           rec->node_max_c[1], rec->node_max_c[2], rec->c_resets[1], rec->c_resets[2]);
  return clock_verdict(run, extra);
}

/* Clocks that step: n1 jumps 300 ms ahead and back, n3 steps back 50 ms, n2 runs 2% fast;
 * 10% loss, 20% duplication. */
static void step_clock(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  int node = (int)(arg & 0xff);
  int64_t skew = (int64_t)(arg >> 8) - (int64_t)SIM_SEC;
  sim_set_clock(w, node, skew, node == 2 ? 20000 : 0);
}

static uint64_t step_arg(int node, int64_t skew) {
  return ((uint64_t)(skew + (int64_t)SIM_SEC) << 8) | (uint64_t)node;
}

static bool scenario_clock_jumps(lab_run *run) {
  setup su = {.nodes = 4, .net = net_of(1 * SIM_MS, 20 * SIM_MS, 0.1, 0.2, false)};
  for (int i = 0; i < 4; i++)
    su.config[i] = (lab03_config){.mode = MODE_GOSSIP,
                                  .actions = 60,
                                  .mean_gap = 8 * SIM_MS,
                                  .local_percent = 30,
                                  .max_hops = 2};
  su.skew[3] = 50 * (int64_t)SIM_MS;
  su.drift[2] = 20000;
  sim_world *w = build(run, &su);
  sim_at(w, 100 * SIM_MS, step_clock, NULL, step_arg(1, 300 * (int64_t)SIM_MS));
  sim_at(w, 200 * SIM_MS, step_clock, NULL, step_arg(3, 0));
  sim_at(w, 300 * SIM_MS, step_clock, NULL, step_arg(1, 0));
  sim_run_until_time(w, 1500 * SIM_MS);
  settle(w, run->lab_data);
  return clock_verdict(run,
                       "n1's clock jumped 300ms ahead at 100ms and back at 300ms, n3's stepped "
                       "back 50ms at 200ms: every l followed the jump and none went back.");
}

/* ---------------------------------------------------------------------------------------------
 * The store scenarios.
 */

static setup lww_setup(int nodes, lab03_stamps stamps) {
  setup su = {
      .nodes = nodes, .net = net_of(1 * SIM_MS, 10 * SIM_MS, 0, 0.2, false), .random_clocks = true};
  for (int i = 0; i < nodes; i++)
    su.config[i] = (lab03_config){.mode = MODE_STORE,
                                  .stamps = stamps,
                                  .actions = (uint32_t)(72 / nodes),
                                  .mean_gap = 15 * SIM_MS,
                                  .keys = 2};
  return su;
}

static bool run_lww(lab_run *run, setup *su) {
  sim_world *w = build(run, su);
  sim_run_until_time(w, 1500 * SIM_MS);
  const lab03_record *rec = run->lab_data;
  const scenario_data *d = run->lab_data;
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  char t[32], text[256] = "";
  size_t at = 0;
  for (int k = 0; k < (int)su->config[0].keys; k++) {
    uint32_t total = 0;
    for (uint32_t x = 0; x < rec->write_count; x++) total += rec->writes[x].key == k;
    const kv_version *first = NULL;
    for (int r = 0; r < su->nodes; r++) {
      const hlc_state *s = sim_state(w, r);
      const kv_version *v = kv_latest(&s->store[k]);
      if (s->store[k].count != total) {
        const char *why;
        if (s->store[k].count > total)
          why =
              "kv_put kept a version twice: skip one with the same timestamp and writer (the "
              "network duplicates messages)";
        else if (d->restarted[r])
          why =
              "it crashed, and a replica keeps its versions in memory only: they are gone, and "
              "nobody sends them again";
        else if (sim_get_stats(w)->dropped_loss + sim_get_stats(w)->dropped_partition > 0)
          why = "the network dropped messages, and this store does not resend them";
        else
          why =
              "kv_put must add every new version (and skip only one with the same timestamp "
              "and writer)";
        return lab_verdict(run, false,
                           "by t=%s n%d holds %u versions of %c, but %u were written: %s",
                           sim_format_time(sim_now(w), t, sizeof t), r, s->store[k].count,
                           key_name(k), total, why);
      }
      if (r == 0) first = v;
      if (!v || !first || v->value != first->value)
        return lab_verdict(run, false,
                           "by t=%s n0 and n%d hold the same %u versions of %c but disagree on "
                           "the newest: every replica must order versions the same way "
                           "(kv_before: timestamp, then writer)",
                           sim_format_time(sim_now(w), t, sizeof t), r, total, key_name(k));
    }
    if (first && at < sizeof text)
      at += (size_t)snprintf(text + at, sizeof text - at, "%s%c=%u", k ? ", " : "", key_name(k),
                             first->value);
  }
  return lab_verdict(run, true,
                     "%u writes with %s timestamps; every replica holds every version and agrees "
                     "on the newest (%s); no write that came after another was lost",
                     rec->write_count, rec->stamps == STAMP_HLC ? "HLC" : "physical", text);
}

static bool scenario_lww_physical(lab_run *run) {
  setup su = lww_setup(lab_nodes(run, 3), STAMP_PHYSICAL);
  return run_lww(run, &su);
}

static bool scenario_lww_hlc(lab_run *run) {
  setup su = lww_setup(lab_nodes(run, 3), STAMP_HLC);
  return run_lww(run, &su);
}

static setup snapshot_setup(int nodes, lab03_stamps stamps) {
  setup su = {.nodes = nodes,
              .net = net_of(1 * SIM_MS, 10 * SIM_MS, 0, 0, true),
              .random_clocks = true,
              .read_deadline = stamps == STAMP_HLC ? 100 * SIM_MS : 300 * SIM_MS};
  for (int i = 0; i < nodes; i++)
    su.config[i] = (lab03_config){.mode = MODE_STORE,
                                  .stamps = stamps,
                                  .actions = 16,
                                  .mean_gap = 20 * SIM_MS,
                                  .keys = (uint32_t)(nodes < KV_KEYS ? nodes : KV_KEYS),
                                  .own_key = true,
                                  .beat_every = 10 * SIM_MS,
                                  .beats = 100,
                                  .reads = 6,
                                  .read_gap = 50 * SIM_MS};
  return su;
}

static bool run_snapshots(lab_run *run, setup *su) {
  sim_world *w = build(run, su);
  sim_run_until_time(w, 1200 * SIM_MS);
  const lab03_record *rec = run->lab_data;
  scenario_data *d = run->lab_data;
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  char t[32], m[32], a[32];
  for (int r = 0; r < su->nodes; r++) {
    const hlc_state *s = sim_state(w, r);
    if (s->done_count != su->config[r].reads || s->pending_count > 0)
      return lab_verdict(run, false,
                         "by t=%s n%d answered %u of its %u snapshot reads (%u still waiting): a "
                         "read waits until T is below the safe time; is kv_safe_time the "
                         "smallest heard[j] over the OTHER nodes (not its own entry)?",
                         sim_format_time(sim_now(w), t, sizeof t), r, s->done_count,
                         su->config[r].reads, s->pending_count);
  }
  if (rec->max_wait > d->read_deadline)
    return lab_verdict(run, false,
                       "a snapshot read waited %s for its answer, more than the %s allowed: is "
                       "kv_safe_time the smallest heard[j], and does hlc_receive lift the "
                       "clock past the timestamps it hears?",
                       sim_format_time(rec->max_wait, m, sizeof m),
                       sim_format_time(d->read_deadline, t, sizeof t));
  return lab_verdict(
      run, true,
      "%u snapshot reads as of T, each exactly the newest versions <= T and "
      "causally consistent, over %u writes with %s timestamps; a read waited %s "
      "on average, %s at most",
      rec->snapshots, rec->write_count, rec->stamps == STAMP_HLC ? "HLC" : "physical",
      sim_format_time(rec->snapshots ? rec->total_wait / rec->snapshots : 0, a, sizeof a),
      sim_format_time(rec->max_wait, m, sizeof m));
}

static bool scenario_snapshot_read(lab_run *run) {
  setup su = snapshot_setup(lab_nodes(run, 4), STAMP_HLC);
  return run_snapshots(run, &su);
}

static bool scenario_snapshot_physical(lab_run *run) {
  setup su = snapshot_setup(4, STAMP_PHYSICAL);
  return run_snapshots(run, &su);
}

static const lab_scenario scenarios[] = {
    {"gossip",
     "5 nodes (--nodes 2..8), clocks 0..100ms ahead, drift +-1000ppm, reordering; every HLC rule",
     scenario_gossip, LAB_NODES(2, LAB03_MAX_NODES)},
    {"skewed", "3 nodes, n0's clock 200ms ahead: l follows it, c grows, then resets",
     scenario_skewed, LAB_FIXED_NODES},
    {"clock-jumps", "4 nodes, clocks step forward and back, 2% drift, loss and duplication",
     scenario_clock_jumps, LAB_FIXED_NODES},
    {"lww-physical",
     "demonstration (--nodes 2..8): last-writer-wins by physical clock loses a later write",
     scenario_lww_physical, LAB_NODES(2, LAB03_MAX_NODES)},
    {"lww-hlc", "the same store (--nodes 2..8) with HLC timestamps: no write lost",
     scenario_lww_hlc, LAB_NODES(2, LAB03_MAX_NODES)},
    {"snapshot-read", "4 replicas (--nodes 2..6), snapshot reads as of HLC time T: exact, causal",
     scenario_snapshot_read, LAB_NODES(2, 6)},
    {"snapshot-physical",
     "demonstration: snapshots as of physical time T show an effect without its cause",
     scenario_snapshot_physical, LAB_FIXED_NODES},
};

const lab_info lab03 = {
    .id = "03-hybrid-clocks",
    .title = "time you can compare: hybrid logical clocks",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
