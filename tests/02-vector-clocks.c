/*
 * tests/02-vector-clocks.c: lab 02's tests: vector clocks, causal broadcast, version vectors.
 *
 * Part 1: tick, merge and compare each on its own, then whole runs where the learner's vectors
 * must characterize happens-before exactly, in both directions, against the library's ground
 * truth, and where vclock_compare must agree with the truth on every pair of events. Part 2: the
 * delivery condition on its own, then runs under heavy reordering and duplication where causal
 * order must never break and each message is delivered exactly once. Part 3: siblings for
 * concurrent writes, a dominating write replaces them, merges are idempotent, and runs where no
 * write is ever lost (checked after every event against ground truth).
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

static vclock vc3(uint32_t a, uint32_t b, uint32_t c) {
  vclock v = {{0}};
  v.c[0] = a;
  v.c[1] = b;
  v.c[2] = c;
  return v;
}

static bool vc_is(const vclock *v, uint32_t a, uint32_t b, uint32_t c) {
  vclock want = vc3(a, b, c);
  return memcmp(v, &want, sizeof want) == 0;
}

/* ---- part 1 ------------------------------------------------------------------------------- */

/* Tick adds one to the node's own entry and touches nothing else. */
static void tick_own_entry(void *arg) {
  (void)arg;
  vclock v = vc3(2, 5, 1);
  vclock_tick(&v, 1);
  tap_ok(vc_is(&v, 2, 6, 1), "tick at n1 on [2,5,1] gives [2,6,1]");
  vclock_tick(&v, 0);
  tap_ok(vc_is(&v, 3, 6, 1), "then tick at n0 gives [3,6,1]");
}

/* Merge takes the entrywise maximum and does not tick. */
static void merge_entrywise_max(void *arg) {
  (void)arg;
  vclock into = vc3(4, 0, 2), other = vc3(1, 3, 2);
  vclock_merge(&into, &other);
  tap_ok(vc_is(&into, 4, 3, 2), "merge [1,3,2] into [4,0,2] gives [4,3,2]");
  tap_ok(vc_is(&other, 1, 3, 2), "the other vector is unchanged");
  vclock same = into;
  vclock_merge(&into, &same);
  tap_ok(vc_is(&into, 4, 3, 2), "merging a vector with itself changes nothing (no tick)");
}

/* Compare: all four answers, including concurrency that a sum or a single entry would miss. */
static void compare_four_ways(void *arg) {
  (void)arg;
  vclock a = vc3(1, 2, 0), b = vc3(1, 3, 0), c = vc3(2, 1, 0), d = vc3(3, 0, 0);
  tap_is_int(vclock_compare(&a, &a), VC_EQUAL, "[1,2,0] vs itself: VC_EQUAL");
  tap_is_int(vclock_compare(&a, &b), VC_BEFORE, "[1,2,0] vs [1,3,0]: VC_BEFORE");
  tap_is_int(vclock_compare(&b, &a), VC_AFTER, "[1,3,0] vs [1,2,0]: VC_AFTER");
  tap_is_int(vclock_compare(&a, &c), VC_CONCURRENT, "[1,2,0] vs [2,1,0]: VC_CONCURRENT");
  tap_is_int(vclock_compare(&d, &b), VC_CONCURRENT,
             "[3,0,0] vs [1,3,0]: VC_CONCURRENT (a smaller sum does not mean before)");
  vclock e = {{0}}, f = {{0}};
  e.c[LAB02_MAX_NODES - 1] = 1;
  tap_is_int(vclock_compare(&f, &e), VC_BEFORE, "every entry counts, the last one too");
}

/* Runs: the learner's vectors characterize happens-before exactly (both directions). */
static void exact_under_reordering(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "gossip", 1, 60, NULL, NULL);
}

static void exact_under_faults(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "gossip-faulty", 1, 40, NULL, NULL);
}

/* vclock_compare agrees with the ground truth on every pair of events of a run. */
static bool compare_matches_truth(lab_run *run, void *ctx) {
  (void)ctx;
  const lab02_record *rec = run->lab_data;
  for (uint32_t y = 0; y < rec->event_count; y++) {
    for (uint32_t x = 0; x < y; x++) {
      const lab02_event *a = &rec->events[x], *b = &rec->events[y];
      bool before = a->truth[a->node] <= b->truth[a->node];
      vc_order want = before ? VC_BEFORE : VC_CONCURRENT, back = before ? VC_AFTER : VC_CONCURRENT;
      vc_order got = vclock_compare(&a->clock, &b->clock),
               rev = vclock_compare(&b->clock, &a->clock);
      if (got != want || rev != back) {
        tap_ok(false,
               "n%d event at %llu us vs n%d event at %llu us: truth says %s, "
               "vclock_compare says %d and reversed %d (0 equal, 1 before, 2 after, 3 concurrent)",
               a->node, (unsigned long long)a->time, b->node, (unsigned long long)b->time,
               before ? "before" : "concurrent", (int)got, (int)rev);
        return false;
      }
    }
    if (!tap_is_int(vclock_compare(&rec->events[y].clock, &rec->events[y].clock), VC_EQUAL,
                    "an event's vector equals itself"))
      return false;
  }
  return true;
}

static void compare_on_every_pair(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "gossip", 1, 10, compare_matches_truth, NULL);
}

/* ---- part 2 ------------------------------------------------------------------------------- */

static cb_msg msg(int origin, uint32_t a, uint32_t b, uint32_t c) {
  cb_msg m = {.origin = origin, .id = (uint32_t)origin * CB_PER_NODE, .vc = vc3(a, b, c)};
  return m;
}

/* The delivery condition of Birman-Schiper-Stephenson, case by case, at a node that has
 * delivered [2,1,0]. */
static void deliverable_condition(void *arg) {
  (void)arg;
  vclock here = vc3(2, 1, 0);
  cb_msg next0 = msg(0, 3, 1, 0), gap0 = msg(0, 4, 1, 0), old0 = msg(0, 2, 1, 0);
  cb_msg needs2 = msg(1, 2, 2, 1), ok1 = msg(1, 1, 2, 0), next2 = msg(2, 0, 0, 1);
  tap_ok(cb_deliverable(&here, &next0), "n0's third message, nothing else needed: deliverable");
  tap_ok(!cb_deliverable(&here, &gap0),
         "n0's fourth before its third: held (the sender's own entry)");
  tap_ok(!cb_deliverable(&here, &old0), "n0's second again (a duplicate): not deliverable");
  tap_ok(!cb_deliverable(&here, &needs2), "n1's message that depends on n2's first: held");
  tap_ok(cb_deliverable(&here, &ok1), "n1's second that depends on less than we have: deliverable");
  tap_ok(cb_deliverable(&here, &next2), "n2's first, depending on nothing: deliverable");
}

/* Hand a copy to one node's cb_on_receive, as protocol.c does when a Bcast arrives; return the
 * node's state afterwards. */
static void hand_bcast(sim_node *n, void *state, void *arg) { cb_on_receive(n, state, arg); }

static const vc_state *receive_at(sim_world *w, int node, const cb_msg *m) {
  cb_msg copy = *m;
  sim_poke(w, node, hand_bcast, &copy);
  return sim_state(w, node);
}

/* The network duplicates: a copy of a message already delivered, or already held, is dropped on
 * arrival. It would never be delivered again (cb_deliverable refuses it), but it would stay in
 * `held` for ever. Three nodes that broadcast nothing by themselves; copies are handed to n2. */
static void duplicates_dropped(void *arg) {
  (void)arg;
  lab02_config cfg = {.mode = MODE_BROADCAST}; /* no actions, no answers */
  sim_world *w = sim_create(1);
  for (int i = 0; i < 3; i++) sim_add_node(w, &vc_protocol, &cfg, sizeof cfg);
  sim_start(w);
  cb_msg n0_1 = msg(0, 1, 0, 0), n0_2 = msg(0, 2, 0, 0), n1_1 = msg(1, 2, 1, 0);
  n0_2.id = 1;
  /* Each step builds on the one before, so the case stops at the first that fails. */
  const vc_state *s = receive_at(w, 2, &n0_1);
  bool ok = tap_ok(s->log_count == 1 && s->held_count == 0,
                   "n0's first [1,0,0] arrives at n2: delivered %u (want 1), held %u (want 0); "
                   "deliver what is deliverable at once: cb_on_receive",
                   s->log_count, s->held_count);
  if (ok) {
    s = receive_at(w, 2, &n0_1);
    ok = tap_ok(s->log_count == 1 && s->held_count == 0,
                "the same copy again: delivered %u (want 1), held %u (want 0); a duplicate "
                "(already delivered) must be dropped on arrival, not held: cb_on_receive",
                s->log_count, s->held_count);
  }
  if (ok) {
    s = receive_at(w, 2, &n1_1);
    ok = tap_ok(s->log_count == 1 && s->held_count == 1,
                "n1's first [2,1,0], which needs n0's second: delivered %u (want 1), held %u "
                "(want 1); hold back what is not deliverable: cb_on_receive",
                s->log_count, s->held_count);
  }
  if (ok) {
    s = receive_at(w, 2, &n1_1);
    ok = tap_ok(s->held_count == 1,
                "a second copy of it: held %u (want 1); a duplicate (already held) must be "
                "dropped on arrival: cb_on_receive",
                s->held_count);
  }
  if (ok) {
    s = receive_at(w, 2, &n0_2);
    tap_ok(s->log_count == 3 && s->held_count == 0,
           "n0's second [2,0,0] arrives: it and then n1's first must be delivered, nothing left "
           "held: delivered %u (want 3), held %u (want 0); deliver in a loop: cb_on_receive",
           s->log_count, s->held_count);
  }
  sim_destroy(w);
}

/* Runs: five nodes broadcast and answer over links with latencies 1..80 ms (heavy reordering)
 * and 30% duplication; causal order checked after every event; all delivered once by 10 s. */
static void causal_order_reordering(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "broadcast", 1, 50, NULL, NULL);
}

/* The same with 70% duplication: every (origin, seq) delivered exactly once. */
static void delivered_once_despite_duplicates(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "broadcast-dup", 1, 30, NULL, NULL);
}

/* Answers overtake their questions (one slow link): messages must be held back, then released. */
static bool held_something(lab_run *run, void *ctx) {
  (void)ctx;
  const lab02_record *rec = run->lab_data;
  return tap_ok(rec->max_held > 0, "some message had to be held back (max held: %u)",
                rec->max_held);
}

static void hold_back_and_release(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "broadcast-slow", 1, 30, held_something, NULL);
}

/* ---- part 3 ------------------------------------------------------------------------------- */

/* Two replicas take a write each with an empty context: concurrent. Merged, both stay. */
static void concurrent_writes_are_siblings(void *arg) {
  (void)arg;
  vstore r0 = {0}, r1 = {0};
  vclock empty = {{0}};
  store_put(&r0, 0, &empty, 1001);
  store_put(&r1, 1, &empty, 2001);
  tap_is_int(r0.count, 1, "n0 holds its own write");
  tap_ok(vc_is(&r0.sib[0].vv, 1, 0, 0), "n0's write has version [1,0,0]");
  tap_ok(vc_is(&r1.sib[0].vv, 0, 1, 0), "n1's write has version [0,1,0]");
  store_merge(&r0, &r1.sib[0]);
  tap_is_int(r0.count, 2, "after merging n1's write, n0 keeps both as siblings");
  store_merge(&r0, &r1.sib[0]);
  tap_is_int(r0.count, 2, "merging the same version again changes nothing (duplicates)");
  vclock ctx = store_context(&r0);
  tap_ok(vc_is(&ctx, 1, 1, 0), "a read returns the context [1,1,0]: the merge of both");
  /* A client that read only n1's value (context [0,1,0]) writes 3001 at n2: it replaces what it
   * saw (2001) and not what it did not see (1001). */
  vstore r2 = {0};
  vclock saw = vc3(0, 1, 0);
  store_put(&r2, 2, &saw, 3001);
  tap_ok(r2.count == 1 && vc_is(&r2.sib[0].vv, 0, 1, 1), "3001 at n2 has version [0,1,1]");
  store_merge(&r0, &r2.sib[0]);
  bool has1001 = false, has3001 = false;
  for (uint32_t i = 0; i < r0.count; i++) {
    has1001 = has1001 || r0.sib[i].value == 1001;
    has3001 = has3001 || r0.sib[i].value == 3001;
  }
  tap_ok(r0.count == 2 && has1001 && has3001,
         "merged into n0, 3001 replaces 2001 (it saw it) and sits beside 1001 (it did not)");
}

/* Each write at a replica gets a new vector: its own entry goes past every entry of that replica
 * it has seen, in the context or in a sibling, so two versions never share a vector. */
static void own_entry_goes_past_all_seen(void *arg) {
  (void)arg;
  vstore r = {0};
  vclock empty = {{0}};
  store_put(&r, 0, &empty, 1001);
  store_put(&r, 0, &empty, 1002);
  tap_ok(r.count == 1 && r.sib[0].value == 1002 && vc_is(&r.sib[0].vv, 2, 0, 0),
         "two writes at n0 with empty contexts: the second has version [2,0,0], not [1,0,0]");
  vclock ctx = vc3(0, 4, 0);
  store_put(&r, 0, &ctx, 1003);
  tap_ok(r.count == 1 && vc_is(&r.sib[0].vv, 3, 4, 0),
         "a context [0,4,0] at n0 gives [3,4,0]: the context's entries, n0's past 2");
}

/* The store as "{value [vector], ...}" into out, for diagnostics (vectors of 3 nodes). */
static const char *store_text(const vstore *st, char *out, size_t cap) {
  size_t at = (size_t)snprintf(out, cap, "{");
  uint32_t count = st->count < VSTORE_MAX ? st->count : VSTORE_MAX;
  for (uint32_t i = 0; i < count && at < cap; i++) {
    const vclock *v = &st->sib[i].vv;
    at += (size_t)snprintf(out + at, cap - at, "%s%u [%u,%u,%u]", i ? ", " : "", st->sib[i].value,
                           v->c[0], v->c[1], v->c[2]);
  }
  if (at < cap)
    snprintf(out + at, cap - at, "}%s", st->count > VSTORE_MAX ? " (count too big)" : "");
  return out;
}

/* Does the store hold `value` with exactly the vector [a,b,c]? */
static bool holds(const vstore *st, uint32_t value, uint32_t a, uint32_t b, uint32_t c) {
  uint32_t count = st->count < VSTORE_MAX ? st->count : VSTORE_MAX;
  for (uint32_t i = 0; i < count; i++)
    if (st->sib[i].value == value && vc_is(&st->sib[i].vv, a, b, c)) return true;
  return false;
}

/* The context of a write may come from any replica, maybe a while ago: a sibling it has not seen
 * is concurrent with the new version and stays beside it (no last-writer-wins); a sibling it has
 * seen is replaced. Each store starts as n0's replica holding n1's write 2001 at [0,1,0]. */
static void put_keeps_unseen_siblings(void *arg) {
  (void)arg;
  const version from_n1 = {.value = 2001, .vv = vc3(0, 1, 0)};
  const version from_n2 = {.value = 3001, .vv = vc3(0, 0, 1)};
  char text[256];

  vstore r = {.sib = {from_n1}, .count = 1};
  vclock empty = {{0}};
  store_put(&r, 0, &empty, 1001);
  tap_ok(r.count == 2 && holds(&r, 2001, 0, 1, 0) && holds(&r, 1001, 1, 0, 0),
         "store {2001 [0,1,0]}, write 1001 at n0 with an empty context: want {2001 [0,1,0], "
         "1001 [1,0,0]}, got %s; a write whose context has not seen a sibling must keep it "
         "(concurrent writes are siblings, not lost): store_put",
         store_text(&r, text, sizeof text));

  vstore seen = {.sib = {from_n1}, .count = 1};
  vclock ctx = vc3(0, 1, 0);
  store_put(&seen, 0, &ctx, 1002);
  tap_ok(seen.count == 1 && holds(&seen, 1002, 1, 1, 0),
         "store {2001 [0,1,0]}, write 1002 at n0 with context [0,1,0]: want {1002 [1,1,0]}, got "
         "%s; a write whose context covers a sibling replaces it (VC_BEFORE): store_put",
         store_text(&seen, text, sizeof text));

  vstore half = {.sib = {from_n1, from_n2}, .count = 2};
  store_put(&half, 0, &ctx, 1003);
  tap_ok(half.count == 2 && holds(&half, 1003, 1, 1, 0) && holds(&half, 3001, 0, 0, 1),
         "store {2001 [0,1,0], 3001 [0,0,1]}, write 1003 at n0 with context [0,1,0] (it saw "
         "2001, not 3001): want {3001 [0,0,1], 1003 [1,1,0]}, got %s; replace only the siblings "
         "the new vector covers and keep the concurrent ones: store_put",
         store_text(&half, text, sizeof text));
}

/* A write whose context has seen every sibling replaces them all, here and after a merge. */
static void dominating_write_replaces(void *arg) {
  (void)arg;
  vstore r0 = {0}, r1 = {0};
  vclock empty = {{0}};
  store_put(&r0, 0, &empty, 1001);
  store_put(&r1, 1, &empty, 2001);
  store_merge(&r0, &r1.sib[0]);
  store_merge(&r1, r0.sib[0].value == 1001 ? &r0.sib[0] : &r0.sib[1]);
  tap_is_int(r1.count, 2, "both replicas hold the two siblings");
  vclock ctx = store_context(&r0);
  store_put(&r1, 1, &ctx, 2002);
  tap_is_int(r1.count, 1, "a write at n1 with context [1,1,0] leaves one version");
  tap_ok(r1.count == 1 && vc_is(&r1.sib[0].vv, 1, 2, 0) && r1.sib[0].value == 2002,
         "it is 2002 with version [1,2,0]");
  store_merge(&r0, &r1.sib[0]);
  tap_ok(r0.count == 1 && r0.sib[0].value == 2002,
         "merged into n0, it replaces both siblings there");
  version old = {.value = 1001, .vv = vc3(1, 0, 0)};
  store_merge(&r0, &old);
  tap_ok(r0.count == 1 && r0.sib[0].value == 2002, "an old version arriving late is ignored");
}

/* Whole runs, step by step: the concurrent writes of n0 and n1 become siblings on every replica;
 * n2's later write replaces them everywhere. */
static void siblings_story(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "siblings", 1, 20, NULL, NULL);
}

/* Three replicas write and sync under 10% loss, 30% duplication and reordering. After every
 * event: no write lost, no stale sibling. At the end: the same siblings everywhere, exactly the
 * writes no other write had seen. And conflicts did happen. */
static bool had_conflicts(lab_run *run, void *ctx) {
  uint32_t *most = ctx;
  const lab02_record *rec = run->lab_data;
  if (rec->max_siblings > *most) *most = rec->max_siblings;
  return true;
}

static void replicas_never_lose_writes(void *arg) {
  (void)arg;
  uint32_t most = 0;
  if (tap_sweep(&lab02, "replicas", 1, 50, had_conflicts, &most))
    tap_ok(most >= 2, "concurrent writes happened and were kept as siblings (up to %u at once)",
           most);
}

int main(void) {
  tap_case("vclock_tick adds one to the own entry only", tick_own_entry, NULL);
  tap_case("vclock_merge takes the entrywise maximum, no tick", merge_entrywise_max, NULL);
  tap_case("vclock_compare: equal, before, after, concurrent", compare_four_ways, NULL);
  tap_case("vectors characterize happens-before exactly, reordering (60 seeds)",
           exact_under_reordering, NULL);
  tap_case("vectors characterize happens-before exactly, loss and duplication (40 seeds)",
           exact_under_faults, NULL);
  tap_case("vclock_compare agrees with ground truth on every pair (10 seeds)",
           compare_on_every_pair, NULL);
  tap_case("cb_deliverable: next from its origin, and its causal past delivered",
           deliverable_condition, NULL);
  tap_case("cb_on_receive: a duplicate copy is dropped, not held", duplicates_dropped, NULL);
  tap_case("causal delivery never violated under heavy reordering (50 seeds)",
           causal_order_reordering, NULL);
  tap_case("each broadcast delivered exactly once under 70% duplication (30 seeds)",
           delivered_once_despite_duplicates, NULL);
  tap_case("answers that overtake their questions are held back, then delivered (30 seeds)",
           hold_back_and_release, NULL);
  tap_case("concurrent writes come back as siblings", concurrent_writes_are_siblings, NULL);
  tap_case("store_put: a replica's own entry goes past all it has seen",
           own_entry_goes_past_all_seen, NULL);
  tap_case("store_put: siblings the context has not seen stay, seen ones are replaced",
           put_keeps_unseen_siblings, NULL);
  tap_case("a write that dominates replaces its predecessors", dominating_write_replaces, NULL);
  tap_case("siblings, then one write that replaces them, on every replica (20 seeds)",
           siblings_story, NULL);
  tap_case("replicas: no write lost, no stale sibling, convergence (50 seeds)",
           replicas_never_lose_writes, NULL);
  return tap_done();
}
