/*
 * tests/15-byzantine.c: lab 15's tests: the oral messages algorithm OM(m).
 *
 * First one case per rule, so a learner sees which rule is wrong: the majority function, the
 * table of values kept one per path, the commander's round, the relays (which values, which
 * path, to whom), OM(0), OM(1) and OM(2) folding the values back up, and the decision. These call
 * your functions directly, on states written by hand, or on a bench of inert generals (the
 * config's manual flag: nothing runs unless the test pokes a general) whose every send is
 * recorded.
 *
 * Then seed sweeps of the driver's scenarios. Each seed picks one traitor set of an enumeration
 * (every set of up to m traitors among n generals, in turn), the commander's order and how each
 * traitor lies; the checkers of scenarios.c run after every event (relay-path, loyal-relay,
 * relay-complete, IC1, IC2) and judge liveness at the end. A sweep of k times the number of sets
 * covers every traitor set k times. Last, two demonstrations (they pass when they show what
 * they are about): with n = 3m, some seed makes a loyal lieutenant disobey a loyal commander
 * (n = 3), and some seed makes loyal lieutenants disagree (n = 6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * Paths and tables written by hand.
 */
static om_path path1(int a) { return (om_path){.len = 1, .g = {(uint8_t)a}}; }
static om_path path2(int a, int b) { return (om_path){.len = 2, .g = {(uint8_t)a, (uint8_t)b}}; }
static om_path path3(int a, int b, int c) {
  return (om_path){.len = 3, .g = {(uint8_t)a, (uint8_t)b, (uint8_t)c}};
}

/* Put (p, v) straight into s's table (bypassing om_store, so these tests do not depend on it). */
static void put(om_state *s, om_path p, uint8_t v) {
  if (s->received_count < OM_MAX_RECEIVED)
    s->received[s->received_count++] = (om_entry){.path = p, .value = v};
}

/* qsort's order for entries, as the verdicts print them (scenarios.c): shorter paths first,
 * then lexicographically by general, then by value. */
static int entry_order(const void *a, const void *b) {
  const om_entry *x = a, *y = b;
  if (x->path.len != y->path.len) return x->path.len < y->path.len ? -1 : 1;
  for (int k = 0; k < x->path.len && k < OM_MAX_PATH; k++)
    if (x->path.g[k] != y->path.g[k]) return x->path.g[k] < y->path.g[k] ? -1 : 1;
  return (int)x->value - (int)y->value;
}

/* The table as "0:A 0>2:R ... 0>2>1:A ..." for diagnostics, sorted by path (entry_order), not in
 * the order the entries were stored. */
static const char *table_text(const om_state *s, char *out, size_t cap) {
  size_t at = 0;
  char p[32];
  uint32_t count = s->received_count < OM_MAX_RECEIVED ? s->received_count : OM_MAX_RECEIVED;
  om_entry sorted[OM_MAX_RECEIVED];
  memcpy(sorted, s->received, count * sizeof sorted[0]);
  qsort(sorted, count, sizeof sorted[0], entry_order);
  out[0] = 0;
  for (uint32_t k = 0; k < count && at < cap; k++)
    at += (size_t)snprintf(out + at, cap - at, "%s%s:%c", k ? " " : "",
                           om_path_format(&sorted[k].path, p, sizeof p),
                           sorted[k].value == OM_ATTACK ? 'A' : 'R');
  if (count == 0) snprintf(out, cap, "(nothing)");
  return out;
}

static const char *name(int v) { return om_value_name(v); }

/* ---------------------------------------------------------------------------------------------
 * The bench: n inert generals running OM(m), a 5 ms network, every send recorded.
 */
typedef struct bench {
  sim_world *w;
  int count;
  om_sent log[256];
} bench;

static void record(sim_world *w, const sim_event *ev, void *ctx) {
  (void)w;
  bench *b = ctx;
  if (ev->kind == SIM_EV_SEND && b->count < 256)
    b->log[b->count++] = (om_sent){
        .at = ev->time, .from = ev->node, .to = ev->peer, .msg = *(const om_msg *)ev->body};
}

static void bench_start(bench *b, int nodes, int m, uint8_t order) {
  memset(b, 0, sizeof *b);
  b->w = sim_create(1);
  for (int i = 0; i < nodes; i++) {
    om_config c = {.m = m, .order = order, .manual = true};
    sim_add_node(b->w, &om_protocol, &c, sizeof c);
  }
  sim_net_config net = sim_net_uniform(5 * SIM_MS, 5 * SIM_MS, 0, 0);
  sim_set_net(b->w, &net);
  sim_observe(b->w, record, b);
  sim_start(b->w);
}

static om_state *general(bench *b, int i) { return sim_state_mut(b->w, i); }

enum { DO_COMMAND, DO_RELAY, DO_DECIDE };
typedef struct call {
  int what, round;
} call;

static void do_call(sim_node *n, void *state, void *arg) {
  const call *c = arg;
  if (c->what == DO_COMMAND) om_command(n, state);
  if (c->what == DO_RELAY) om_relay(n, state, c->round);
  if (c->what == DO_DECIDE) om_decide(n, state);
}

static void poke(bench *b, int node, int what, int round) {
  call c = {.what = what, .round = round};
  sim_poke(b->w, node, do_call, &c);
}

/* The sends in log[first ..] as "0>2:A->n1 ..." for diagnostics. */
static const char *sends_text(const bench *b, int first, char *out, size_t cap) {
  size_t at = 0;
  char p[32];
  out[0] = 0;
  for (int k = first; k < b->count && at < cap; k++)
    at += (size_t)snprintf(out + at, cap - at, "%s%s:%c->n%d", k > first ? " " : "",
                           om_path_format(&b->log[k].msg.path, p, sizeof p),
                           b->log[k].msg.value == OM_ATTACK ? 'A' : 'R', b->log[k].to);
  if (first >= b->count) snprintf(out, cap, "(nothing)");
  return out;
}

/* How many sends in log[first ..] go from `from` to `to` with path p and value v. */
static int sends_of(const bench *b, int first, int from, int to, om_path p, uint8_t v) {
  int k = 0;
  for (int i = first; i < b->count; i++)
    k += b->log[i].from == from && b->log[i].to == to && om_path_equal(&b->log[i].msg.path, &p) &&
         b->log[i].msg.value == v;
  return k;
}

/* ---------------------------------------------------------------------------------------------
 * Part 1: the majority function.
 */
static void expect_majority(const uint8_t *v, int count, uint8_t want, const char *why) {
  char list[64] = "";
  size_t at = 0;
  for (int i = 0; i < count && at < sizeof list; i++)
    at += (size_t)snprintf(list + at, sizeof list - at, "%s%c", i ? "," : "",
                           v[i] == OM_ATTACK ? 'A' : 'R');
  uint8_t got = om_majority(v, count);
  tap_ok(got == want, "om_majority(%s) must be %s (%s), got %s", count ? list : "nothing",
         name(want), why, name(got));
}

static void majority_wins(void *arg) {
  (void)arg;
  const uint8_t a[] = {OM_ATTACK}, aar[] = {OM_ATTACK, OM_ATTACK, OM_RETREAT};
  const uint8_t raa[] = {OM_RETREAT, OM_ATTACK, OM_ATTACK};
  const uint8_t arara[] = {OM_ATTACK, OM_RETREAT, OM_ATTACK, OM_RETREAT, OM_ATTACK};
  const uint8_t rra[] = {OM_RETREAT, OM_RETREAT, OM_ATTACK};
  expect_majority(a, 1, OM_ATTACK, "one value is a majority of one");
  expect_majority(aar, 3, OM_ATTACK, "2 of 3");
  expect_majority(raa, 3, OM_ATTACK, "2 of 3, whatever the order");
  expect_majority(arara, 5, OM_ATTACK, "3 of 5");
  expect_majority(rra, 3, OM_RETREAT, "2 of 3 for RETREAT");
}

static void majority_default(void *arg) {
  (void)arg;
  const uint8_t ar[] = {OM_ATTACK, OM_RETREAT}, ra[] = {OM_RETREAT, OM_ATTACK};
  const uint8_t aarr[] = {OM_ATTACK, OM_ATTACK, OM_RETREAT, OM_RETREAT};
  const uint8_t raar[] = {OM_RETREAT, OM_ATTACK, OM_ATTACK, OM_RETREAT};
  expect_majority(ar, 2, OM_RETREAT, "a tie has no majority: the default");
  expect_majority(ra, 2, OM_RETREAT, "a tie, whatever the order");
  expect_majority(aarr, 4, OM_RETREAT, "2 of 4 is not more than half");
  expect_majority(raar, 4, OM_RETREAT, "2 of 4, whatever the order");
  expect_majority(ar, 0, OM_RETREAT, "no values at all: the default");
}

/* ---------------------------------------------------------------------------------------------
 * Part 2: one value per path.
 */
static void store_one_per_path(void *arg) {
  (void)arg;
  static om_state s;
  memset(&s, 0, sizeof s);
  char t[256];
  /* Step 1: the commander's order and one relay arrive. */
  tap_ok(om_store(&s, &(om_path){.len = 1, .g = {0}}, OM_ATTACK), "storing path 0 returns true");
  tap_ok(om_store(&s, &(om_path){.len = 2, .g = {0, 2}}, OM_RETREAT),
         "storing path 0>2 returns true");
  tap_is_int(s.received_count, 2, "two paths stored, two entries (table: %s)",
             table_text(&s, t, sizeof t));
  /* Step 2: each is found under its own path, and only there. */
  om_path p0 = path1(0), p02 = path2(0, 2), p03 = path2(0, 3), p023 = path3(0, 2, 3);
  tap_is_int(om_lookup(&s, &p0), OM_ATTACK, "om_lookup(0) is ATTACK (table: %s)",
             table_text(&s, t, sizeof t));
  tap_is_int(om_lookup(&s, &p02), OM_RETREAT,
             "om_lookup(0>2) is RETREAT: 0 and 0>2 are different paths");
  tap_is_int(om_lookup(&s, &p03), OM_MISSING,
             "om_lookup(0>3) is OM_MISSING: nothing came with that path");
  tap_is_int(om_lookup(&s, &p023), OM_MISSING,
             "om_lookup(0>2>3) is OM_MISSING: a longer path that starts the same is another path");
  /* Step 3: a second message with a stored path (a duplicate, or a second story) is refused. */
  tap_ok(!om_store(&s, &p02, OM_ATTACK), "storing 0>2 again returns false");
  tap_is_int(om_lookup(&s, &p02), OM_RETREAT, "and 0>2 keeps its first value, RETREAT");
  tap_is_int(s.received_count, 2, "and the table still has two entries (table: %s)",
             table_text(&s, t, sizeof t));
}

/* Every path a lieutenant (self) can receive among n generals in OM(m), into out; returns how
 * many. */
static int all_paths(int n, int m, int self, om_path *out) {
  int k = 0;
  out[k++] = path1(0);
  for (int i = 0; i < k; i++) {
    if (out[i].len > m) continue;
    for (int j = 0; j < n; j++)
      if (j != self && !om_path_contains(&out[i], j)) out[k++] = om_path_append(&out[i], j);
  }
  return k;
}

static void store_room_for_all(void *arg) {
  (void)arg;
  static om_state s;
  memset(&s, 0, sizeof s);
  om_path paths[64];
  int count = all_paths(7, 2, 1, paths);
  tap_is_int(count, OM_MAX_RECEIVED, "n=7, OM(2): lieutenant n1 can receive %d paths",
             OM_MAX_RECEIVED);
  int stored = 0;
  for (int i = 0; i < count; i++) stored += om_store(&s, &paths[i], (uint8_t)(i % 2));
  tap_is_int(stored, count, "om_store takes all %d distinct paths", count);
  bool found = true;
  char p[32];
  for (int i = 0; i < count && found; i++)
    if (om_lookup(&s, &paths[i]) != i % 2) {
      found = false;
      tap_ok(false, "om_lookup(%s) must be %s, the value stored with it",
             om_path_format(&paths[i], p, sizeof p), name(i % 2));
    }
  om_path extra = path2(0, 1);
  tap_ok(!om_store(&s, &extra, OM_ATTACK),
         "a 27th path does not fit: om_store must return false when the table is full");
  tap_is_int(s.received_count, OM_MAX_RECEIVED, "and received_count stays at %d", OM_MAX_RECEIVED);
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: sending (om_command, om_relay).
 */
static void command_round(void *arg) {
  (void)arg;
  bench b;
  char t[512];
  for (int order = OM_RETREAT; order <= OM_ATTACK; order++) {
    bench_start(&b, 4, 1, (uint8_t)order);
    /* Round 0 at the commander. */
    poke(&b, 0, DO_COMMAND, 0);
    tap_is_int(b.count, 3, "n0 of 4 ordering %s sends 3 messages, one per lieutenant: sent %s",
               name(order), sends_text(&b, 0, t, sizeof t));
    for (int to = 1; to < 4; to++)
      tap_is_int(sends_of(&b, 0, 0, to, path1(0), (uint8_t)order), 1,
                 "n0 sends n%d its order %s with the path 0 (sent %s)", to, name(order),
                 sends_text(&b, 0, t, sizeof t));
    sim_destroy(b.w);
  }
}

static void relay_paths(void *arg) {
  (void)arg;
  bench b;
  char t[1024], tab[512];
  /* n=4, OM(1): n2 got ATTACK from n0; in round 1 it tells n1 and n3, with the path 0>2. */
  bench_start(&b, 4, 1, OM_ATTACK);
  put(general(&b, 2), path1(0), OM_ATTACK);
  poke(&b, 2, DO_RELAY, 1);
  tap_ok(b.count == 2,
         "n=4, n2 holding 0:A must send 2 messages in round 1 (0>2:A to n1 and n3), not to n0 (on "
         "the path) nor to itself; sent %d: %s",
         b.count, sends_text(&b, 0, t, sizeof t));
  tap_is_int(sends_of(&b, 0, 2, 1, path2(0, 2), OM_ATTACK), 1, "n2 sends 0>2:A to n1");
  tap_is_int(sends_of(&b, 0, 2, 3, path2(0, 2), OM_ATTACK), 1,
             "n2 sends 0>2:A to n3 (not to n0, already on the path, nor to itself)");
  sim_destroy(b.w);

  /* n=7, OM(2): n3 holds the commander's order, two relays and one round-2 value. */
  bench_start(&b, 7, 2, OM_ATTACK);
  om_state *s = general(&b, 3);
  put(s, path1(0), OM_ATTACK);
  put(s, path2(0, 1), OM_RETREAT);
  put(s, path2(0, 2), OM_ATTACK);
  put(s, path3(0, 1, 5), OM_RETREAT);
  table_text(s, tab, sizeof tab);
  /* Round 1: only the path of one general, 0, goes on, as 0>3, to n1, n2, n4, n5, n6. */
  poke(&b, 3, DO_RELAY, 1);
  tap_ok(b.count == 5,
         "n=7, n3 holding %s must send 5 messages in round 1 (0>3:A to n1, n2, n4, n5, n6), not to "
         "n0 (on the path) nor to itself, and none for the longer paths; sent %d: %s",
         tab, b.count, sends_text(&b, 0, t, sizeof t));
  int ok = 0;
  for (int to = 1; to < 7; to++)
    if (to != 3) ok += sends_of(&b, 0, 3, to, path2(0, 3), OM_ATTACK);
  tap_is_int(ok, 5, "round 1: 0>3:A to each of n1, n2, n4, n5, n6 (sent %s)",
             sends_text(&b, 0, t, sizeof t));
  /* Round 2: paths of two generals, 0>1 and 0>2, go on as 0>1>3 and 0>2>3. */
  int first = b.count;
  poke(&b, 3, DO_RELAY, 2);
  tap_ok(b.count - first == 8,
         "n=7, n3 holding %s must send 8 messages in round 2, 4 for each of 0>1 and 0>2; none for "
         "0 (relayed in round 1) nor 0>1>5 (a path of 3 generals is OM(0): kept, not relayed); "
         "sent %d: %s",
         tab, b.count - first, sends_text(&b, first, t, sizeof t));
  ok = 0;
  const int to_01[] = {2, 4, 5, 6}, to_02[] = {1, 4, 5, 6};
  for (int k = 0; k < 4; k++) {
    ok += sends_of(&b, first, 3, to_01[k], path3(0, 1, 3), OM_RETREAT);
    ok += sends_of(&b, first, 3, to_02[k], path3(0, 2, 3), OM_ATTACK);
  }
  tap_is_int(ok, 8,
             "round 2: 0>1>3:R to n2, n4, n5, n6 and 0>2>3:A to n1, n4, n5, n6: the value as "
             "received, the path extended by n3, to every general not on it (sent %s)",
             sends_text(&b, first, t, sizeof t));
  sim_destroy(b.w);
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: deciding (om_value, om_decide).
 */
static void expect_value(const om_state *s, om_path p, int self, int nodes, uint8_t want,
                         const char *why) {
  char t[512], q[32];
  uint8_t got = om_value(s, &p, self, nodes);
  tap_ok(got == want, "n=%d, OM(%d), at n%d holding %s: om_value(%s) must be %s (%s), got %s",
         nodes, s->config.m, self, table_text(s, t, sizeof t), om_path_format(&p, q, sizeof q),
         name(want), why, name(got));
}

static void om0_value(void *arg) {
  (void)arg;
  static om_state s;
  memset(&s, 0, sizeof s);
  s.config.m = 0;
  put(&s, path1(0), OM_ATTACK);
  expect_value(&s, path1(0), 1, 3, OM_ATTACK, "OM(0): use the value received");
  s.received[0].value = OM_RETREAT;
  expect_value(&s, path1(0), 1, 3, OM_RETREAT, "OM(0): use the value received");
  memset(&s, 0, sizeof s);
  expect_value(&s, path1(0), 1, 3, OM_RETREAT, "OM(0): nothing received counts as RETREAT");
}

static void om1_value(void *arg) {
  (void)arg;
  static om_state s;
  memset(&s, 0, sizeof s);
  s.config.m = 1;
  put(&s, path1(0), OM_ATTACK);
  put(&s, path2(0, 2), OM_ATTACK);
  put(&s, path2(0, 3), OM_RETREAT);
  expect_value(&s, path1(0), 1, 4, OM_ATTACK, "majority of A, A, R");
  expect_value(&s, path2(0, 3), 1, 4, OM_RETREAT,
               "a path of m + 1 generals is OM(0): the value n3 relayed");
  s.received[1].value = OM_RETREAT;
  expect_value(&s, path1(0), 1, 4, OM_RETREAT,
               "majority of A, R, R: the commander's own word is one vote among three");
  memset(&s, 0, sizeof s);
  s.config.m = 1;
  put(&s, path1(0), OM_ATTACK);
  put(&s, path2(0, 2), OM_ATTACK);
  expect_value(&s, path1(0), 1, 4, OM_ATTACK, "n3 said nothing: majority of A, A and RETREAT");
  memset(&s, 0, sizeof s);
  s.config.m = 1;
  put(&s, path1(0), OM_ATTACK);
  expect_value(&s, path1(0), 1, 4, OM_RETREAT,
               "n2 and n3 said nothing: majority of A, RETREAT, RETREAT");
}

/* At n1 of 7 in OM(2), with traitors n0 (it told n1 RETREAT, n6 RETREAT, the others ATTACK) and
 * n2 (it told n1 RETREAT for 0>2 and RETREAT for every path it relayed in round 2, and ATTACK to
 * the others in round 1): n1 holds the 26 values below. */
static void fill_om2(om_state *s) {
  memset(s, 0, sizeof *s);
  s->config.m = 2;
  const uint8_t A = OM_ATTACK, R = OM_RETREAT;
  put(s, path1(0), R);
  put(s, path2(0, 2), R);
  for (int k = 3; k <= 6; k++) put(s, path3(0, 2, k), A);
  for (int j = 3; j <= 6; j++) {
    uint8_t direct = j == 6 ? R : A;
    put(s, path2(0, j), direct);
    for (int k = 2; k <= 6; k++)
      if (k != j) put(s, path3(0, j, k), k == 2 ? R : direct);
  }
}

static void om2_value(void *arg) {
  (void)arg;
  static om_state s;
  fill_om2(&s);
  expect_value(&s, path3(0, 2, 3), 1, 7, OM_ATTACK, "a path of 3 generals is OM(0)");
  expect_value(&s, path2(0, 2), 1, 7, OM_ATTACK,
               "n2's sub-instance OM(1): majority of what n2 said (R) and what n3..n6 relayed "
               "of it (A, A, A, A)");
  expect_value(&s, path2(0, 3), 1, 7, OM_ATTACK,
               "n3's sub-instance: majority of A and of A, A, A relayed, and R from n2");
  expect_value(&s, path2(0, 6), 1, 7, OM_RETREAT, "n6's sub-instance: R everywhere");
  expect_value(&s, path1(0), 1, 7, OM_ATTACK,
               "majority of R (n0 itself) and of the sub-instances A, A, A, A, R; the first "
               "level alone (R, R, A, A, A, R) would tie and give RETREAT: recurse");
}

static void decide_rule(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, 4, 1, OM_ATTACK);
  om_state *s1 = general(&b, 1);
  put(s1, path1(0), OM_ATTACK);
  put(s1, path2(0, 2), OM_ATTACK);
  put(s1, path2(0, 3), OM_RETREAT);
  om_state *s2 = general(&b, 2);
  put(s2, path1(0), OM_RETREAT);
  put(s2, path2(0, 1), OM_RETREAT);
  put(s2, path2(0, 3), OM_ATTACK);
  poke(&b, 1, DO_DECIDE, 2);
  poke(&b, 2, DO_DECIDE, 2);
  char t[256];
  s1 = general(&b, 1);
  s2 = general(&b, 2);
  tap_ok(s1->decided, "after om_decide, n1's decided is set");
  tap_is_str(name(s1->decision), "ATTACK", "n1 holding %s decides ATTACK",
             table_text(s1, t, sizeof t));
  tap_ok(s2->decided, "after om_decide, n2's decided is set");
  tap_is_str(name(s2->decision), "RETREAT", "n2 holding %s decides RETREAT",
             table_text(s2, t, sizeof t));
  tap_is_int(b.count, 0, "deciding sends nothing");
  sim_destroy(b.w);
}

/* ---------------------------------------------------------------------------------------------
 * Whole runs.
 */

/* n=4, OM(1): 5 traitor sets (none, then each general alone), each 20 times. */
static void sweep_om1(void *arg) {
  (void)arg;
  tap_sweep(&lab15, "om1", 1, 100, NULL, NULL);
}

/* n=5 and n=7 with OM(1): more lieutenants, still at most one traitor. */
static void sweep_om1_more(void *arg) {
  (void)arg;
  lab_run five = {.nodes = 5}, seven = {.nodes = 7};
  if (!tap_sweep_options(&lab15, "om1", &five, 1, 30, NULL, NULL)) return;
  tap_sweep_options(&lab15, "om1", &seven, 1, 32, NULL, NULL);
}

/* n=7, OM(2): 29 traitor sets (none, 7 singles, 21 pairs), each 5 times. */
static void sweep_om2(void *arg) {
  (void)arg;
  tap_sweep(&lab15, "om2", 1, 145, NULL, NULL);
}

/* Every message delivered twice half the time: a path must count once. The duplication starts
 * with the fault schedule, after the commander's round-0 sends, so it is OM(2)'s relays of
 * relays that would go out twice from a table that kept a path twice. */
static void sweep_duplicates(void *arg) {
  (void)arg;
  lab_run dup = {.nemesis = "0s dup 0.5"};
  tap_sweep_options(&lab15, "om2", &dup, 1, 58, NULL, NULL);
}

/* Liveness, with exact times: every loyal lieutenant decides at the start of round m + 1. */
static bool decided_on_time(lab_run *run, void *ctx) {
  (void)ctx;
  const lab15_record *rec = run->lab_data;
  bool ok = true;
  for (int i = 1; i < rec->nodes; i++) {
    if (rec->traitors >> i & 1u) continue;
    ok &= tap_ok(rec->decided[i], "loyal n%d decided", i);
    ok &= tap_is_int((int64_t)rec->decided_at[i], (int64_t)((rec->m + 1) * OM_ROUND),
                     "loyal n%d decided at t=(m+1) x 50ms", i);
  }
  return ok;
}

static void liveness(void *arg) {
  (void)arg;
  if (!tap_sweep(&lab15, "om1", 1, 10, decided_on_time, NULL)) return;
  tap_sweep(&lab15, "om2", 1, 29, decided_on_time, NULL);
}

/* Mark a found run's verdict as the point of the case. The search (tap_search_past) prints the
 * verdict on its "found at seed N" line, so the label goes into the verdict, which is then
 * printed once: "# found at seed 9: (a demonstration, not a failure) IC1 violated ...". */
static void label_demonstration(lab_run *run) {
  static const char label[] = "(a demonstration, not a failure) ";
  size_t n = sizeof label - 1, len = strnlen(run->verdict, sizeof run->verdict - 1);
  if (n + len >= sizeof run->verdict) len = sizeof run->verdict - 1 - n; /* cut the tail */
  memmove(run->verdict + n, run->verdict, len);
  memcpy(run->verdict, label, n);
  run->verdict[n + len] = 0;
}

/* n = 3, m = 1: a run where IC2 (or IC1) breaks, though every loyal general followed OM(1). */
static bool ic_broken(lab_run *run, void *ctx) {
  (void)ctx;
  const char *report = NULL;
  if (!sim_violated(run->world, &report) || !report) return false;
  if (strncmp(report, "IC1", 3) != 0 && strncmp(report, "IC2", 3) != 0) return false;
  label_demonstration(run);
  return true;
}

static void demo_three_generals(void *arg) {
  (void)arg;
  tap_search(&lab15, "three-generals", 1, 100, ic_broken, NULL,
             "no seed broke IC1 or IC2 with 3 generals and 1 traitor: does om_value count a "
             "missing value, and a tie, as RETREAT (om_majority)?");
}

/* n = 6, m = 2: search the seeds for a disagreement (IC1). A run that breaks only IC2 does not
 * stop the search: with n = 3m that is expected too (the case above shows it), just not what
 * this case is about. Any other failure (a relay check) fails the case. */
static bool disagreement(lab_run *run, void *ctx) {
  (void)ctx;
  const char *report = NULL;
  if (!sim_violated(run->world, &report) || !report || strncmp(report, "IC1", 3) != 0) return false;
  label_demonstration(run);
  return true;
}

static bool only_ic2(lab_run *run, void *ctx) {
  (void)ctx;
  const char *report = NULL;
  return sim_violated(run->world, &report) && report && strncmp(report, "IC2", 3) == 0;
}

static void demo_six_generals(void *arg) {
  (void)arg;
  tap_search_past(&lab15, "six-generals", 1, 200, disagreement, only_ic2, NULL,
                  "no seed made two loyal lieutenants disagree with 6 generals and 2 traitors: is "
                  "every relay passed on (om_relay) and folded back with majorities (om_value)?");
}

int main(void) {
  tap_case("majority: a value held by more than half wins", majority_wins, NULL);
  tap_case("majority: a tie, or no value at all, gives RETREAT", majority_default, NULL);
  tap_case("store: one value per path, the first one kept", store_one_per_path, NULL);
  tap_case("store: room for all 26 paths of n=7, OM(2), and no more", store_room_for_all, NULL);
  tap_case("command: round 0 sends the order to every lieutenant with path 0", command_round, NULL);
  tap_case("relay: round r passes each value of r generals on, path + self, to all not on it",
           relay_paths, NULL);
  tap_case("OM(0): the value received, or RETREAT when none came", om0_value, NULL);
  tap_case("OM(1): the majority of the commander's value and the relays; missing is RETREAT",
           om1_value, NULL);
  tap_case("OM(2): each sub-instance takes the majority of its own relays (recursion)", om2_value,
           NULL);
  tap_case("decide: the value of path 0, and decided is set", decide_rule, NULL);
  tap_case("n=4, OM(1): IC1, IC2 and the relays, every choice of 0 or 1 traitor (100 seeds)",
           sweep_om1, NULL);
  tap_case("n=5 and n=7, OM(1): every choice of 0 or 1 traitor (62 seeds)", sweep_om1_more, NULL);
  tap_case("n=7, OM(2): IC1, IC2 and the relays, every choice of up to 2 traitors (145 seeds)",
           sweep_om2, NULL);
  tap_case("duplicated messages count once (n=7, OM(2), 50% duplication, 58 seeds)",
           sweep_duplicates, NULL);
  tap_case("liveness: every loyal lieutenant decides at t=(m+1) x 50ms", liveness, NULL);
  tap_case("n=3=3m: one traitor makes a loyal lieutenant disobey a loyal commander",
           demo_three_generals, NULL);
  tap_case("n=6=3m: two traitors make loyal lieutenants disagree", demo_six_generals, NULL);
  return tap_done();
}
