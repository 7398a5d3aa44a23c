/*
 * tests/02-vector-clocks.c: lab 02's tests: vector clocks, causal broadcast, version vectors.
 *
 * Part 1: tick, merge and compare each on its own, then whole runs where the learner's vectors
 * must characterize happens-before exactly, in both directions, against the library's ground
 * truth, and where vclock_compare must agree with the truth on every pair of events. Part 2: the
 * delivery condition on its own and cb_on_receive step by step, then runs under heavy reordering
 * and duplication where causal order must never break and each message is delivered exactly once.
 * Part 3: siblings for concurrent writes, a dominating write replaces them, merges are idempotent,
 * and runs where no write is ever lost (checked after every event against ground truth).
 *
 * Every failure says what was done, what came out, what was expected, the rule, and the function
 * to read, in one line that stands on its own.
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

/* A vector as "[1,0,2]" into out: `count` entries, more if a later entry is not 0 (a bug may set
 * one), so that what a failure message shows is the whole vector. */
static const char *vc_text(const vclock *v, int count, char *out, size_t cap) {
  for (int i = count; i < LAB02_MAX_NODES; i++)
    if (v->c[i]) count = i + 1;
  size_t at = (size_t)snprintf(out, cap, "[");
  for (int i = 0; i < count && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%u", i ? "," : "", v->c[i]);
  if (at < cap) snprintf(out + at, cap - at, "]");
  return out;
}

/* Check that v is [a,b,c] (every other entry 0). On failure: what was done, then "got X, expected
 * Y", then the rule and the function to look at (`rule`). */
static bool vc_check(const vclock *v, uint32_t a, uint32_t b, uint32_t c, const char *what,
                     const char *rule) {
  char got[128], want[128];
  vclock expected = vc3(a, b, c);
  return tap_ok(vc_is(v, a, b, c), "%s: got %s, expected %s; %s", what,
                vc_text(v, 3, got, sizeof got), vc_text(&expected, 3, want, sizeof want), rule);
}

static const char *order_name(vc_order o) {
  switch (o) {
    case VC_EQUAL:
      return "VC_EQUAL";
    case VC_BEFORE:
      return "VC_BEFORE";
    case VC_AFTER:
      return "VC_AFTER";
    case VC_CONCURRENT:
      return "VC_CONCURRENT";
  }
  return "a value that is no vc_order";
}

/* Check vclock_compare(a, b) == want, naming both answers (VC_BEFORE ...) and the rule. */
static bool order_check(const vclock *a, const vclock *b, vc_order want, const char *rule) {
  char ta[128], tb[128];
  vc_order got = vclock_compare(a, b);
  return tap_ok(got == want, "vclock_compare(%s, %s): got %s, expected %s; %s",
                vc_text(a, 3, ta, sizeof ta), vc_text(b, 3, tb, sizeof tb), order_name(got),
                order_name(want), rule);
}

/* ---- part 1 ------------------------------------------------------------------------------- */

/* Tick adds one to the node's own entry and touches nothing else. */
static void tick_own_entry(void *arg) {
  (void)arg;
  vclock v = vc3(2, 5, 1);
  vclock_tick(&v, 1);
  vc_check(&v, 2, 6, 1, "vclock_tick at n1 on [2,5,1]",
           "a tick adds one to entry self and to no other: vclock_tick");
  v = vc3(2, 6, 1);
  vclock_tick(&v, 0);
  vc_check(&v, 3, 6, 1, "vclock_tick at n0 on [2,6,1]",
           "a tick adds one to entry self and to no other: vclock_tick");
}

/* Merge takes the entrywise maximum and does not tick. */
static void merge_entrywise_max(void *arg) {
  (void)arg;
  vclock into = vc3(4, 0, 2), other = vc3(1, 3, 2);
  vclock_merge(&into, &other);
  vc_check(&into, 4, 3, 2, "vclock_merge of [1,3,2] into [4,0,2]",
           "every entry becomes the larger of the two: vclock_merge");
  vc_check(&other, 1, 3, 2, "vclock_merge of [1,3,2] into [4,0,2] left the other vector",
           "a merge writes only into `into`: vclock_merge");
  into = vc3(4, 3, 2);
  vclock same = into;
  vclock_merge(&into, &same);
  vc_check(&into, 4, 3, 2, "vclock_merge of [4,3,2] into a copy of itself",
           "a merge does not tick (protocol.c ticks after it, for the receive): vclock_merge");
}

/* Compare: all four answers, including concurrency that a sum or a single entry would miss. */
static void compare_four_ways(void *arg) {
  (void)arg;
  vclock a = vc3(1, 2, 0), b = vc3(1, 3, 0), c = vc3(2, 1, 0), d = vc3(3, 0, 0);
  order_check(&a, &a, VC_EQUAL, "every entry equal is VC_EQUAL: vclock_compare");
  order_check(&a, &b, VC_BEFORE,
              "a <= b in every entry and smaller in one is VC_BEFORE: vclock_compare");
  order_check(&b, &a, VC_AFTER,
              "a >= b in every entry and larger in one is VC_AFTER: vclock_compare");
  order_check(&a, &c, VC_CONCURRENT,
              "smaller in one entry and larger in another is VC_CONCURRENT: vclock_compare");
  order_check(&d, &b, VC_CONCURRENT,
              "a smaller sum does not mean before: compare entry by entry, with two booleans "
              "(smaller somewhere, larger somewhere): vclock_compare");
  vclock e = {{0}}, f = {{0}};
  e.c[LAB02_MAX_NODES - 1] = 1;
  order_check(&f, &e, VC_BEFORE,
              "every entry counts, up to LAB02_MAX_NODES, the last one too: vclock_compare");
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
/* The run itself held (the recorded vectors are exact, whatever vclock_compare does), so when
 * vclock_compare is wrong the verdict that tap_sweep prints next is relabelled, lest it read as a
 * contradiction. */
static void vectors_were_exact(lab_run *run) {
  char held[sizeof run->verdict];
  snprintf(held, sizeof held, "%s", run->verdict);
  snprintf(run->verdict, sizeof run->verdict,
           "(the recorded vectors themselves are exact, so the fault is in vclock_compare) %.1900s",
           held);
}

static bool compare_matches_truth(lab_run *run, void *ctx) {
  (void)ctx;
  const lab02_record *rec = run->lab_data;
  char ta[32], tb[32], va[128], vb[128];
  for (uint32_t y = 0; y < rec->event_count; y++) {
    for (uint32_t x = 0; x < y; x++) {
      const lab02_event *a = &rec->events[x], *b = &rec->events[y];
      bool before = a->truth[a->node] <= b->truth[a->node];
      vc_order want = before ? VC_BEFORE : VC_CONCURRENT, back = before ? VC_AFTER : VC_CONCURRENT;
      vc_order got = vclock_compare(&a->clock, &b->clock),
               rev = vclock_compare(&b->clock, &a->clock);
      if (got != want || rev != back) {
        tap_ok(false,
               "n%d's event at t=%s (V=%s) %s n%d's event at t=%s (V=%s): "
               "vclock_compare(a, b) and (b, a) got %s and %s, expected %s and %s; %s: "
               "vclock_compare",
               a->node, sim_format_time(a->time, ta, sizeof ta),
               vc_text(&a->clock, rec->nodes, va, sizeof va),
               before ? "happened before" : "is concurrent with", b->node,
               sim_format_time(b->time, tb, sizeof tb),
               vc_text(&b->clock, rec->nodes, vb, sizeof vb), order_name(got), order_name(rev),
               order_name(want), order_name(back),
               before ? "a <= b in every entry and smaller in one is VC_BEFORE, and (b, a) is then "
                        "VC_AFTER"
                      : "smaller in one entry and larger in another is VC_CONCURRENT, both ways");
        vectors_were_exact(run);
        return false;
      }
    }
    const lab02_event *e = &rec->events[y];
    vc_order self = vclock_compare(&e->clock, &e->clock);
    if (self != VC_EQUAL) {
      tap_ok(false,
             "n%d's event at t=%s (V=%s) compared with itself: got %s, expected VC_EQUAL; every "
             "entry equal is VC_EQUAL: vclock_compare",
             e->node, sim_format_time(e->time, ta, sizeof ta),
             vc_text(&e->clock, rec->nodes, va, sizeof va), order_name(self));
      vectors_were_exact(run);
      return false;
    }
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
 * delivered [2,1,0]. Each message names what cb_deliverable should have said and what it said. */
static void deliverable_condition(void *arg) {
  (void)arg;
  vclock here = vc3(2, 1, 0);
  cb_msg next0 = msg(0, 3, 1, 0), gap0 = msg(0, 4, 1, 0), old0 = msg(0, 2, 1, 0);
  cb_msg needs2 = msg(1, 2, 2, 1), ok1 = msg(1, 1, 2, 0), next2 = msg(2, 0, 0, 1);
  tap_ok(cb_deliverable(&here, &next0),
         "at a node that has delivered [2,1,0], n0's third message [3,1,0] must be deliverable "
         "(the next from n0, nothing else needed), but cb_deliverable said no");
  tap_ok(!cb_deliverable(&here, &gap0),
         "at a node that has delivered [2,1,0], n0's fourth message [4,1,0] must not be "
         "deliverable yet (n0's third is missing: condition (1), vc[origin] == "
         "delivered[origin] + 1), but cb_deliverable said yes");
  tap_ok(!cb_deliverable(&here, &old0),
         "at a node that has delivered [2,1,0], n0's second message [2,1,0] again (a duplicate) "
         "must not be deliverable (condition (1) wants exactly delivered[origin] + 1), but "
         "cb_deliverable said yes");
  tap_ok(!cb_deliverable(&here, &needs2),
         "at a node that has delivered [2,1,0], n1's message [2,2,1], which depends on n2's "
         "first, must not be deliverable yet (condition (2): vc[k] <= delivered[k] for every k "
         "other than the origin), but cb_deliverable said yes");
  tap_ok(cb_deliverable(&here, &ok1),
         "at a node that has delivered [2,1,0], n1's second message [1,2,0], which depends on "
         "less than the node has, must be deliverable (condition (2) is <=, not ==), but "
         "cb_deliverable said no");
  tap_ok(cb_deliverable(&here, &next2),
         "at a node that has delivered [2,1,0], n2's first message [0,0,1], which depends on "
         "nothing, must be deliverable, but cb_deliverable said no");
}

/* Hand a copy to one node's cb_on_receive, as protocol.c does when a Bcast arrives; return the
 * node's state afterwards. */
static void hand_bcast(sim_node *n, void *state, void *arg) { cb_on_receive(n, state, arg); }

static const vc_state *receive_at(sim_world *w, int node, const cb_msg *m) {
  cb_msg copy = *m;
  sim_poke(w, node, hand_bcast, &copy);
  return sim_state(w, node);
}

/* cb_on_receive step by step, at n2 of three nodes that broadcast nothing by themselves (copies
 * are handed to it as if they had arrived): deliver what is deliverable and count it in
 * s->delivered, drop a duplicate (a copy already delivered, or already held: it would never be
 * delivered again, as cb_deliverable refuses it, but it would stay in `held` for ever), hold back
 * what is not deliverable yet, and deliver in a loop when a delivery unblocks held messages. */
static void receive_by_hand(void *arg) {
  (void)arg;
  lab02_config cfg = {.mode = MODE_BROADCAST}; /* no actions, no answers */
  sim_world *w = sim_create(1);
  for (int i = 0; i < 3; i++) sim_add_node(w, &vc_protocol, &cfg, sizeof cfg);
  sim_start(w);
  cb_msg n0_1 = msg(0, 1, 0, 0), n0_2 = msg(0, 2, 0, 0), n1_1 = msg(1, 2, 1, 0);
  n0_2.id = 1;
  char text[128];
  /* Each step builds on the one before, so the case stops at the first that fails. */
  /* Step 1: n0.1 is deliverable at once, and delivering it counts it in s->delivered. */
  const vc_state *s = receive_at(w, 2, &n0_1);
  bool ok = tap_ok(s->log_count == 1 && s->held_count == 0,
                   "n0.1 [1,0,0] arrives at n2: got %u delivered and %u held, expected 1 "
                   "delivered and 0 held; deliver what is deliverable at once: cb_on_receive",
                   s->log_count, s->held_count);
  if (ok && s->delivered.c[0] == 0)
    ok = tap_ok(false,
                "n2's delivered[n0] is still 0 after delivering n0.1 [1,0,0] (s->delivered is %s, "
                "expected [1,0,0]): merge the message's timestamp into s->delivered on delivery "
                "(cb_deliver does not do it for you): cb_on_receive",
                vc_text(&s->delivered, 3, text, sizeof text));
  if (ok)
    ok = vc_check(&s->delivered, 1, 0, 0, "n2's s->delivered after delivering n0.1 [1,0,0]",
                  "on delivery merge the message's timestamp into s->delivered (vclock_merge), "
                  "and change nothing else: cb_on_receive");
  /* Step 2: the same copy again is a duplicate of a delivered message: dropped. */
  if (ok) {
    s = receive_at(w, 2, &n0_1);
    ok = tap_ok(s->log_count == 1 && s->held_count == 0,
                "a second copy of n0.1 [1,0,0] arrives at n2: got %u delivered and %u held, "
                "expected 1 delivered and 0 held; a copy already delivered (vc.c[origin] <= "
                "s->delivered.c[origin]) must be dropped on arrival, neither held nor delivered: "
                "cb_on_receive",
                s->log_count, s->held_count);
  }
  /* Step 3: n1.1 needs n0.2, which has not come: held back. */
  if (ok) {
    s = receive_at(w, 2, &n1_1);
    ok = tap_ok(s->log_count == 1 && s->held_count == 1,
                "n1.1 [2,1,0], which needs n0.2, arrives at n2 (delivered [1,0,0]): got %u "
                "delivered and %u held, expected 1 delivered and 1 held; hold back (s->held) "
                "what cb_deliverable refuses: cb_on_receive",
                s->log_count, s->held_count);
  }
  /* Step 4: the same copy of n1.1 again is a duplicate of a held message: dropped. */
  if (ok) {
    s = receive_at(w, 2, &n1_1);
    ok = tap_ok(s->log_count == 1 && s->held_count == 1,
                "a second copy of n1.1 [2,1,0] arrives at n2, which holds the first: got %u "
                "delivered and %u held, expected 1 delivered and 1 held; a copy already held (the "
                "same origin and the same vc.c[origin]) must be dropped on arrival: cb_on_receive",
                s->log_count, s->held_count);
  }
  /* Step 5: n0.2 arrives: it is delivered, and that makes n1.1 deliverable too. */
  if (ok) {
    s = receive_at(w, 2, &n0_2);
    ok = tap_ok(s->log_count == 3 && s->held_count == 0,
                "n0.2 [2,0,0] arrives at n2, which holds n1.1 [2,1,0]: got %u delivered and %u "
                "held, expected 3 delivered (n0.1, n0.2, then n1.1) and 0 held; after a delivery "
                "look at the held messages again, until a pass delivers nothing: cb_on_receive",
                s->log_count, s->held_count);
  }
  if (ok)
    vc_check(&s->delivered, 2, 1, 0, "n2's s->delivered after delivering n0.1, n0.2 and n1.1",
             "merge each delivered message's timestamp into s->delivered: cb_on_receive");
  sim_destroy(w);
}

/* Runs: five nodes broadcast and answer over links with latencies 1..80 ms (heavy reordering)
 * and 30% duplication; causal order checked after every event; all delivered once by 10 s. */
static void causal_order_reordering(void *arg) {
  (void)arg;
  tap_sweep(&lab02, "broadcast", 1, 50, NULL, NULL);
}

/* The same with 70% duplication: every broadcast delivered exactly once. */
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

/* The versions the store tests start from: n0's, n1's and n2's first writes, concurrent. */
#define V1001 ((version){.value = 1001, .vv = {{1, 0, 0}}})
#define V2001 ((version){.value = 2001, .vv = {{0, 1, 0}}})

/* Two replicas take a write each with an empty context: concurrent. Merged, both stay. Each check
 * starts from a store built by hand, so that each message stands on its own. */
static void concurrent_writes_are_siblings(void *arg) {
  (void)arg;
  vclock empty = {{0}};
  char text[256];

  vstore r0 = {0}, r1 = {0};
  store_put(&r0, 0, &empty, 1001);
  tap_ok(r0.count == 1 && holds(&r0, 1001, 1, 0, 0),
         "empty store, write 1001 at n0 with an empty context: got %s, expected {1001 [1,0,0]}; "
         "the new vector is the context with entry self one past every self entry seen: "
         "store_put",
         store_text(&r0, text, sizeof text));
  store_put(&r1, 1, &empty, 2001);
  tap_ok(r1.count == 1 && holds(&r1, 2001, 0, 1, 0),
         "empty store, write 2001 at n1 with an empty context: got %s, expected {2001 [0,1,0]}; "
         "the new vector is the context with entry self one past every self entry seen: "
         "store_put",
         store_text(&r1, text, sizeof text));

  vstore one = {.sib = {V1001}, .count = 1};
  store_merge(&one, &V2001);
  tap_ok(one.count == 2 && holds(&one, 1001, 1, 0, 0) && holds(&one, 2001, 0, 1, 0),
         "store {1001 [1,0,0]}, merge 2001 [0,1,0]: got %s, expected {1001 [1,0,0], 2001 "
         "[0,1,0]}; a concurrent version joins the siblings: store_merge",
         store_text(&one, text, sizeof text));

  vstore both = {.sib = {V1001, V2001}, .count = 2};
  store_merge(&both, &V2001);
  tap_ok(both.count == 2 && holds(&both, 1001, 1, 0, 0) && holds(&both, 2001, 0, 1, 0),
         "store {1001 [1,0,0], 2001 [0,1,0]}, merge 2001 [0,1,0] again: got %s, expected it "
         "unchanged; a version equal to a sibling (a duplicate) is ignored: store_merge",
         store_text(&both, text, sizeof text));

  vstore read = {.sib = {V1001, V2001}, .count = 2};
  vclock ctx = store_context(&read);
  vc_check(&ctx, 1, 1, 0, "store_context of {1001 [1,0,0], 2001 [0,1,0]}",
           "a read's context is the merge of every sibling's vector: store_context");

  /* A client that read only n1's value (context [0,1,0]) writes 3001 at n2: it replaces what it
   * saw (2001) and not what it did not see (1001). */
  vstore r2 = {0};
  vclock saw = vc3(0, 1, 0);
  store_put(&r2, 2, &saw, 3001);
  tap_ok(r2.count == 1 && holds(&r2, 3001, 0, 1, 1),
         "empty store, write 3001 at n2 with context [0,1,0]: got %s, expected {3001 [0,1,1]}; "
         "the new vector is the context with entry self one past every self entry seen: "
         "store_put",
         store_text(&r2, text, sizeof text));
  vstore two = {.sib = {V1001, V2001}, .count = 2};
  version v3001 = {.value = 3001, .vv = vc3(0, 1, 1)};
  store_merge(&two, &v3001);
  tap_ok(two.count == 2 && holds(&two, 1001, 1, 0, 0) && holds(&two, 3001, 0, 1, 1),
         "store {1001 [1,0,0], 2001 [0,1,0]}, merge 3001 [0,1,1]: got %s, expected {1001 "
         "[1,0,0], 3001 [0,1,1]}; drop the siblings the incoming version covers (2001), keep the "
         "concurrent ones (1001): store_merge",
         store_text(&two, text, sizeof text));
}

/* Each write at a replica gets a new vector: its own entry goes past every entry of that replica
 * it has seen, in the context or in a sibling, so two versions never share a vector. */
static void own_entry_goes_past_all_seen(void *arg) {
  (void)arg;
  vclock empty = {{0}};
  char text[256];
  vstore r = {.sib = {V1001}, .count = 1};
  store_put(&r, 0, &empty, 1002);
  tap_ok(r.count == 1 && holds(&r, 1002, 2, 0, 0),
         "store {1001 [1,0,0]}, write 1002 at n0 with an empty context: got %s, expected {1002 "
         "[2,0,0]}; entry self goes one past the largest self entry seen, here the sibling's 1, "
         "so that the new version covers it: store_put",
         store_text(&r, text, sizeof text));
  vstore at2 = {.sib = {{.value = 1002, .vv = vc3(2, 0, 0)}}, .count = 1};
  vclock ctx = vc3(0, 4, 0);
  store_put(&at2, 0, &ctx, 1003);
  tap_ok(at2.count == 1 && holds(&at2, 1003, 3, 4, 0),
         "store {1002 [2,0,0]}, write 1003 at n0 with context [0,4,0]: got %s, expected {1003 "
         "[3,4,0]}; the context's entries, with entry self one past the largest self entry seen "
         "(2, in the sibling, not in the context): store_put",
         store_text(&at2, text, sizeof text));
}

/* The context of a write may come from any replica, maybe a while ago: a sibling it has not seen
 * is concurrent with the new version and stays beside it (no last-writer-wins); a sibling it has
 * seen is replaced. Each store starts as n0's replica holding n1's write 2001 at [0,1,0]. */
static void put_keeps_unseen_siblings(void *arg) {
  (void)arg;
  const version from_n1 = V2001;
  const version from_n2 = {.value = 3001, .vv = vc3(0, 0, 1)};
  char text[256];

  vstore r = {.sib = {from_n1}, .count = 1};
  vclock empty = {{0}};
  store_put(&r, 0, &empty, 1001);
  tap_ok(r.count == 2 && holds(&r, 2001, 0, 1, 0) && holds(&r, 1001, 1, 0, 0),
         "store {2001 [0,1,0]}, write 1001 at n0 with an empty context: got %s, expected {2001 "
         "[0,1,0], 1001 [1,0,0]}; a write whose context has not seen a sibling must keep it "
         "(concurrent writes are siblings, not lost): store_put",
         store_text(&r, text, sizeof text));

  vstore seen = {.sib = {from_n1}, .count = 1};
  vclock ctx = vc3(0, 1, 0);
  store_put(&seen, 0, &ctx, 1002);
  tap_ok(seen.count == 1 && holds(&seen, 1002, 1, 1, 0),
         "store {2001 [0,1,0]}, write 1002 at n0 with context [0,1,0]: got %s, expected {1002 "
         "[1,1,0]}; a write whose context covers a sibling replaces it (VC_BEFORE): store_put",
         store_text(&seen, text, sizeof text));

  vstore half = {.sib = {from_n1, from_n2}, .count = 2};
  store_put(&half, 0, &ctx, 1003);
  tap_ok(half.count == 2 && holds(&half, 1003, 1, 1, 0) && holds(&half, 3001, 0, 0, 1),
         "store {2001 [0,1,0], 3001 [0,0,1]}, write 1003 at n0 with context [0,1,0] (it saw "
         "2001, not 3001): got %s, expected {3001 [0,0,1], 1003 [1,1,0]}; replace only the "
         "siblings the new vector covers and keep the concurrent ones: store_put",
         store_text(&half, text, sizeof text));
}

/* A write whose context has seen every sibling replaces them all, at its replica (store_put) and
 * at another (store_merge); the versions it replaced, arriving late, stay out. */
static void dominating_write_replaces(void *arg) {
  (void)arg;
  char text[256];
  vstore r1 = {.sib = {V1001, V2001}, .count = 2};
  vclock ctx = vc3(1, 1, 0);
  store_put(&r1, 1, &ctx, 2002);
  tap_ok(r1.count == 1 && holds(&r1, 2002, 1, 2, 0),
         "store {1001 [1,0,0], 2001 [0,1,0]}, write 2002 at n1 with context [1,1,0]: got %s, "
         "expected {2002 [1,2,0]}; a write whose context covers every sibling replaces them all: "
         "store_put",
         store_text(&r1, text, sizeof text));

  vstore r0 = {.sib = {V1001, V2001}, .count = 2};
  version v2002 = {.value = 2002, .vv = vc3(1, 2, 0)};
  store_merge(&r0, &v2002);
  tap_ok(r0.count == 1 && holds(&r0, 2002, 1, 2, 0),
         "store {1001 [1,0,0], 2001 [0,1,0]}, merge 2002 [1,2,0]: got %s, expected {2002 "
         "[1,2,0]}; an incoming version replaces every sibling it covers: store_merge",
         store_text(&r0, text, sizeof text));

  vstore late = {.sib = {v2002}, .count = 1};
  store_merge(&late, &V1001);
  tap_ok(late.count == 1 && holds(&late, 2002, 1, 2, 0),
         "store {2002 [1,2,0]}, merge 1001 [1,0,0], which 2002 has seen: got %s, expected {2002 "
         "[1,2,0]}; an incoming version that a sibling covers is ignored: store_merge",
         store_text(&late, text, sizeof text));
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
  tap_case("cb_on_receive by hand: drop duplicates, hold back, deliver in a loop", receive_by_hand,
           NULL);
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
