/*
 * tests/03-hybrid-clocks.c: lab 03's tests: hybrid logical clocks, and a versioned store that
 * uses them.
 *
 * Part 1: each clock rule on its own, on hand-made clocks (a send or local event with the
 * physical clock ahead, and behind; a receive won by each of the three candidates; the ties),
 * then whole runs where every event is checked against the library's ground truth: causality,
 * pt <= l <= the fastest clock (and the paper's l - pt <= epsilon), and c bounded by the chain of
 * events that share its l. Part 2: the version order, the sorted insert, last-writer-wins and the
 * read as of T on their own, then a demonstration (physical timestamps lose a write that came
 * after another: the test searches seeds and must find one) beside the same store with HLC
 * timestamps, which must never lose one. Part 3: the safe time on its own, then snapshot reads
 * as of T that must be exact, causally consistent and answered in time, beside a demonstration
 * that physical-time snapshots show effects without their causes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

static hlc ts(uint64_t l, uint64_t c) { return (hlc){.l = l, .c = c}; }

/* Check a clock against (l, c), with the rule being tested in the message. */
static bool is_hlc(hlc got, uint64_t l, uint64_t c, const char *what) {
  return tap_ok(got.l == l && got.c == c,
                "%s: want (l=%" PRIu64 ", c=%" PRIu64 "), got (l=%" PRIu64 ", c=%" PRIu64 ")", what,
                l, c, got.l, got.c);
}

/* ---- part 1: the rules ------------------------------------------------------------------- */

/* Figure 5, send or local event, physical clock ahead of l: l jumps to pt, c starts again. */
static void tick_pt_ahead(void *arg) {
  (void)arg;
  hlc clock = ts(0, 0);
  hlc got = hlc_tick(&clock, 5000);
  is_hlc(got, 5000, 0, "a fresh clock (0, 0) ticks at pt=5000: l takes pt, c is 0");
  is_hlc(clock, 5000, 0, "and the clock itself now reads that");
  clock = ts(5000, 7);
  is_hlc(hlc_tick(&clock, 5001), 5001, 0,
         "clock (5000, 7) ticks at pt=5001: l moves up to pt, so c starts again at 0 (not 8)");
}

/* Figure 5, send or local event, physical clock at or behind l: l stays, c counts. */
static void tick_pt_behind(void *arg) {
  (void)arg;
  hlc clock = ts(9000, 0);
  is_hlc(hlc_tick(&clock, 4000), 9000, 1,
         "clock (9000, 0) ticks at pt=4000 (the clock is behind l): l stays, c goes to 1");
  is_hlc(hlc_tick(&clock, 4100), 9000, 2, "and again at pt=4100: (9000, 2)");
  is_hlc(hlc_tick(&clock, 9000), 9000, 3,
         "pt=9000 equal to l: l does not move, so c still goes up: (9000, 3)");
  is_hlc(clock, 9000, 3, "the clock itself reads (9000, 3)");
}

/* Figure 5, receive: l is the largest of the node's l, the message's l and pt; c follows
 * whichever candidate won. */
static void receive_max_of_three(void *arg) {
  (void)arg;
  hlc clock = ts(3000, 4);
  is_hlc(hlc_receive(&clock, ts(2000, 9), 8000), 8000, 0,
         "clock (3000, 4), message (2000, 9), pt=8000: pt wins, l=8000 and c=0");
  clock = ts(3000, 4);
  is_hlc(hlc_receive(&clock, ts(7000, 2), 5000), 7000, 3,
         "clock (3000, 4), message (7000, 2), pt=5000: the message's l wins, c = msg.c + 1 = 3");
  is_hlc(clock, 7000, 3, "the clock itself now reads (7000, 3)");
  clock = ts(9000, 4);
  is_hlc(hlc_receive(&clock, ts(7000, 12), 5000), 9000, 5,
         "clock (9000, 4), message (7000, 12), pt=5000: the node's own l wins, c = c + 1 = 5 "
         "(the message's larger c does not matter: its l lost)");
}

/* Figure 5, receive, the node's l and the message's l equal (and above pt): c must exceed both
 * c's, whichever is larger. */
static void receive_equal_l(void *arg) {
  (void)arg;
  hlc clock = ts(6000, 2);
  is_hlc(hlc_receive(&clock, ts(6000, 5), 1000), 6000, 6,
         "clock (6000, 2), message (6000, 5), pt=1000: equal l's, c = max(2, 5) + 1 = 6");
  clock = ts(6000, 8);
  is_hlc(hlc_receive(&clock, ts(6000, 5), 1000), 6000, 9,
         "clock (6000, 8), message (6000, 5), pt=1000: equal l's, c = max(8, 5) + 1 = 9");
}

/* Figure 5, receive, pt ties the winner: the tie is not "pt won", so c still counts. */
static void receive_ties_with_pt(void *arg) {
  (void)arg;
  hlc clock = ts(6000, 3);
  is_hlc(hlc_receive(&clock, ts(2000, 0), 6000), 6000, 4,
         "clock (6000, 3), message (2000, 0), pt=6000: l = own l = pt, so c = c + 1 = 4, not 0");
  clock = ts(2000, 3);
  is_hlc(hlc_receive(&clock, ts(6000, 1), 6000), 6000, 2,
         "clock (2000, 3), message (6000, 1), pt=6000: l = msg.l = pt, so c = msg.c + 1 = 2");
  clock = ts(6000, 3);
  is_hlc(hlc_receive(&clock, ts(6000, 1), 6000), 6000, 4,
         "clock (6000, 3), message (6000, 1), pt=6000: all three equal, c = max(3, 1) + 1 = 4");
}

/* Check the sign of hlc_compare(a, b) against want (-1, 0 or 1); a_text and b_text spell the
 * arguments as the message shows them ("(2^40, 0)"). */
static bool is_order(hlc a, const char *a_text, hlc b, const char *b_text, int want,
                     const char *why) {
  int got = hlc_compare(a, b);
  bool ok = want < 0 ? got < 0 : want > 0 ? got > 0 : got == 0;
  const char *want_text = want < 0 ? "< 0" : want > 0 ? "> 0" : "0";
  return tap_ok(ok, "hlc_compare(%s, %s) returned %d, want %s: %s", a_text, b_text, got, want_text,
                why);
}

/* The order on timestamps: l first, then c. Real l's are microseconds since 1970 (about 2^50),
 * so the last cases use values that a subtraction gets wrong: a uint64_t difference wraps
 * around, and its cast to int keeps only the low 32 bits. */
static void compare_l_then_c(void *arg) {
  (void)arg;
  is_order(ts(5, 9), "(5, 9)", ts(6, 0), "(6, 0)", -1, "l decides first");
  is_order(ts(6, 0), "(6, 0)", ts(5, 9), "(5, 9)", 1, "l decides first");
  is_order(ts(6, 1), "(6, 1)", ts(6, 2), "(6, 2)", -1, "equal l, c decides");
  is_order(ts(6, 2), "(6, 2)", ts(6, 1), "(6, 1)", 1, "equal l, c decides");
  is_order(ts(6, 2), "(6, 2)", ts(6, 2), "(6, 2)", 0, "equal l, equal c");
  const char *no_sub =
      "compare with < and >, do not subtract: a uint64_t difference wraps "
      "around and a cast to int keeps only its low 32 bits (hlc_compare)";
  is_order(ts(1ull << 40, 0), "(2^40, 0)", ts(0, 0), "(0, 0)", 1, no_sub);
  is_order(ts(1ull << 31, 0), "(2^31, 0)", ts(0, 0), "(0, 0)", 1, no_sub);
  is_order(ts(0, 0), "(0, 0)", ts(UINT64_MAX, 0), "(2^64-1, 0)", -1, no_sub);
  is_order(ts(UINT64_MAX, 0), "(2^64-1, 0)", ts(1, UINT64_MAX), "(1, 2^64-1)", 1, no_sub);
  is_order(ts(7, 1ull << 40), "(7, 2^40)", ts(7, 0), "(7, 0)", 1, no_sub);
}

/* ---- part 1: whole runs ------------------------------------------------------------------- */

/* Every clock rule on every event of 100 runs, causality first: five nodes whose clocks are
 * 0..100 ms ahead and drift by up to 1000 ppm, local events and messages forwarded up to twice,
 * latencies 1..40 ms so messages overtake each other. The checker compares each event with its
 * ground-truth causal past the moment its timestamp is known, and also checks the two bounds
 * below (pt <= l, c bounded), so a broken bound fails this test too, with that bound's message.
 * Every later scenario test runs the same checker. */
static void causality_every_event(void *arg) {
  (void)arg;
  tap_sweep(&lab03, "gossip", 1, 100, NULL, NULL);
}

/* The paper's bound: l - pt <= epsilon, epsilon the largest distance between two clocks; and l
 * did run ahead of some node's clock (else the skew was not exercised). */
static bool within_epsilon(lab_run *run, void *ctx) {
  (void)ctx;
  const lab03_record *rec = run->lab_data;
  char a[32], e[32];
  sim_format_time((sim_time)rec->max_ahead, a, sizeof a);
  sim_format_time((sim_time)rec->max_spread, e, sizeof e);
  return tap_ok(rec->max_ahead <= rec->max_spread,
                "l ran %s ahead of a node's own clock, more than the clocks' spread epsilon=%s", a,
                e) &&
         tap_ok(rec->max_ahead > 0, "some node's l ran ahead of its own clock (max l - pt = %s)",
                a);
}

/* pt <= l <= the fastest clock after every event (the checker), and l - pt <= epsilon over the
 * run (the sweep's extra check); then the same with clocks that jump forward and back, 2% drift,
 * loss and duplication, where l must never follow a clock back. */
static void close_to_physical_time(void *arg) {
  (void)arg;
  if (tap_sweep(&lab03, "gossip", 101, 150, within_epsilon, NULL))
    tap_sweep(&lab03, "clock-jumps", 1, 50, NULL, NULL);
}

/* c bounded: after every event c is at most the chain of earlier events with the same l (the
 * checker). In `skewed`, n0's clock is 200 ms ahead: n1 and n2 hold its l while their own clocks
 * are behind, so c climbs; once their clocks pass it, c must go back to 0. */
static bool c_grew_and_reset(lab_run *run, void *ctx) {
  (void)ctx;
  const lab03_record *rec = run->lab_data;
  bool ok = true;
  for (int i = 1; i <= 2 && ok; i++)
    ok = tap_ok(rec->node_max_c[i] >= 5,
                "n%d's c reached %" PRIu64
                ": while n0's l is ahead of n%d's clock, c must count "
                "the events (hlc_tick, hlc_receive)",
                i, rec->node_max_c[i], i) &&
         tap_ok(rec->c_resets[i] >= 1,
                "n%d's c never went back to 0: when the node's own clock passes l, c must start "
                "again at 0 (hlc_tick, hlc_receive)",
                i);
  return ok;
}

static void c_bounded(void *arg) {
  (void)arg;
  tap_sweep(&lab03, "skewed", 1, 40, c_grew_and_reset, NULL);
}

/* ---- part 2: the store, rule by rule ----------------------------------------------------- */

static kv_version ver(uint64_t l, uint64_t c, int writer, uint32_t value) {
  return (kv_version){.ts = ts(l, c), .writer = writer, .value = value};
}

/* The history as "value(l,c,nW) ..." into out, for diagnostics. */
static const char *history_text(const kv_history *h, char *out, size_t cap) {
  size_t at = 0;
  out[0] = 0;
  uint32_t n = h->count < KV_VERSIONS ? h->count : KV_VERSIONS;
  for (uint32_t i = 0; i < n && i < 12 && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%u(%" PRIu64 ",%" PRIu64 ",n%d)", i ? " " : "",
                           h->v[i].value, h->v[i].ts.l, h->v[i].ts.c, h->v[i].writer);
  if (n == 0) snprintf(out, cap, "(empty)");
  return out;
}

/* Versions are ordered by timestamp, then by writer. */
static void before_ts_then_writer(void *arg) {
  (void)arg;
  kv_version a = ver(100, 2, 3, 4001), b = ver(100, 3, 0, 1001), c = ver(100, 3, 1, 2001);
  tap_ok(kv_before(&a, &b), "(100,2) by n3 comes before (100,3) by n0: the timestamp decides");
  tap_ok(!kv_before(&b, &a), "and not the other way round");
  tap_ok(kv_before(&b, &c),
         "(100,3) by n0 comes before (100,3) by n1: equal timestamps, the "
         "writer decides");
  tap_ok(!kv_before(&c, &b), "and not the other way round");
  tap_ok(!kv_before(&b, &b), "a version does not come before itself");
}

/* The test's own order on versions (it does not trust kv_before): -1, 0 (same timestamp and
 * writer) or 1. */
static int version_order(const kv_version *a, const kv_version *b) {
  if (a->ts.l != b->ts.l) return a->ts.l < b->ts.l ? -1 : 1;
  if (a->ts.c != b->ts.c) return a->ts.c < b->ts.c ? -1 : 1;
  return a->writer < b->writer ? -1 : a->writer > b->writer ? 1 : 0;
}

/* A version as "1001(100,0,n0)", or "NULL", for diagnostics. */
static const char *version_text(const kv_version *v, char *out, size_t cap) {
  if (!v)
    snprintf(out, cap, "NULL");
  else
    snprintf(out, cap, "%u(%" PRIu64 ",%" PRIu64 ",n%d)", v->value, v->ts.l, v->ts.c, v->writer);
  return out;
}

/* Versions arrive in any order, and twice: the history stays sorted, duplicates are skipped. */
static void put_keeps_sorted(void *arg) {
  (void)arg;
  static kv_history h;
  memset(&h, 0, sizeof h);
  kv_version in[6] = {ver(500, 0, 1, 2001), ver(200, 1, 0, 1001), ver(500, 0, 0, 1002),
                      ver(900, 0, 2, 3001), ver(200, 0, 2, 3002), ver(500, 0, 1, 2001)};
  bool added[6];
  for (int i = 0; i < 6; i++) added[i] = kv_put(&h, &in[i]);
  char text[512];
  tap_ok(added[0] && added[1] && added[2] && added[3] && added[4],
         "five different versions: kv_put returns true for each");
  tap_ok(!added[5] && h.count == 5,
         "the first version again, 2001(500,0,n1) (a duplicated message): want kv_put to return "
         "false and keep 5 versions, got %s and %u: %s",
         added[5] ? "true" : "false", h.count, history_text(&h, text, sizeof text));
  const uint32_t want[5] = {3002, 1001, 1002, 2001, 3001};
  bool sorted = h.count == 5;
  for (int i = 0; i < 5 && sorted; i++) sorted = h.v[i].value == want[i];
  /* Tell an insert at the wrong place from a duplicate inserted anyway (or both). */
  uint32_t n = h.count < KV_VERSIONS ? h.count : KV_VERSIONS;
  bool ordered = true, twin = false;
  for (uint32_t i = 0; i < n; i++) {
    if (i > 0) ordered = ordered && version_order(&h.v[i - 1], &h.v[i]) <= 0;
    for (uint32_t j = i + 1; j < n; j++) twin = twin || version_order(&h.v[i], &h.v[j]) == 0;
  }
  const char *advice =
      !ordered && twin
          ? "kv_put must insert before the first version the new one comes before (kv_before), "
            "and a duplicate was inserted (same timestamp and writer): return false for it"
      : twin ? "the order is right, but a duplicate was inserted (same timestamp and writer): "
               "kv_put must return false for it"
             : "kv_put must insert before the first version the new one comes before (kv_before)";
  tap_ok(sorted,
         "arriving as 2001(500,0,n1) 1001(200,1,n0) 1002(500,0,n0) 3001(900,0,n2) "
         "3002(200,0,n2) 2001(500,0,n1), the history must read 3002 1001 1002 2001 3001 (oldest "
         "first, by timestamp then writer, the duplicate skipped), but reads %s: %s",
         history_text(&h, text, sizeof text), advice);
}

/* Last-writer-wins: the newest version. */
static void latest_is_newest(void *arg) {
  (void)arg;
  static kv_history h;
  memset(&h, 0, sizeof h);
  tap_ok(kv_latest(&h) == NULL, "an empty history has no newest version (NULL)");
  kv_version a = ver(300, 0, 0, 1001), b = ver(300, 1, 2, 3001), c = ver(100, 0, 1, 2001);
  kv_put(&h, &a);
  kv_put(&h, &b);
  kv_put(&h, &c);
  const kv_version *v = kv_latest(&h);
  char got[64];
  tap_ok(v && v->value == 3001,
         "after 1001 (300,0), 3001 (300,1) and 2001 (100,0), the newest is 3001, got %s",
         version_text(v, got, sizeof got));
}

/* A read as of T: the newest version with a timestamp <= T. */
static void read_at_newest_not_after(void *arg) {
  (void)arg;
  static kv_history h;
  memset(&h, 0, sizeof h);
  tap_ok(kv_read_at(&h, ts(1000, 0)) == NULL, "an empty history has nothing as of any T");
  kv_version a = ver(100, 0, 0, 1001), b = ver(200, 0, 1, 2001), c = ver(200, 2, 0, 1002);
  kv_put(&h, &a);
  kv_put(&h, &b);
  kv_put(&h, &c);
  const kv_version *v;
  char got[64];
  v = kv_read_at(&h, ts(50, 0));
  tap_ok(v == NULL, "as of (50,0), before every version: want NULL, got %s",
         version_text(v, got, sizeof got));
  v = kv_read_at(&h, ts(100, 0));
  tap_ok(v && v->value == 1001,
         "as of (100,0): want 1001(100,0,n0), a version exactly at T counts (ts <= T, not <), "
         "got %s",
         version_text(v, got, sizeof got));
  v = kv_read_at(&h, ts(150, 9));
  tap_ok(v && v->value == 1001, "as of (150,9): want 1001(100,0,n0), got %s",
         version_text(v, got, sizeof got));
  v = kv_read_at(&h, ts(200, 1));
  tap_ok(v && v->value == 2001,
         "as of (200,1): want 2001(200,0,n1), not 1002(200,2,n0), which is after T by its c; "
         "got %s",
         version_text(v, got, sizeof got));
  v = kv_read_at(&h, ts(999, 0));
  tap_ok(v && v->value == 1002,
         "as of (999,0), after everything: want the newest, 1002(200,2,n0); got %s",
         version_text(v, got, sizeof got));
}

/* ---- part 2: whole runs ------------------------------------------------------------------- */

/* Demonstration: the store with physical timestamps. Three replicas whose clocks are up to
 * 100 ms apart take writes to two keys and send them to each other. A replica that writes a key
 * just after receiving a write from a faster clock stamps its own write lower, and
 * last-writer-wins keeps the older one. The search must find such a lost write, and it must be
 * that (not a broken store rule). */
static bool lost_a_write(lab_run *run, void *ctx) {
  (void)ctx;
  const lab03_record *rec = run->lab_data;
  return rec && rec->lost_writes > 0;
}

static void physical_lww_loses(void *arg) {
  (void)arg;
  tap_search(&lab03, "lww-physical", 1, 50, lost_a_write, NULL,
             "does kv_latest return the version with the largest timestamp (the last one kv_put "
             "keeps)?");
}

/* The same store with HLC timestamps: no write that came after another is ever lost, and at the
 * end every replica holds every version and agrees on the newest (20% duplication, reordering). */
static void hlc_lww_keeps(void *arg) {
  (void)arg;
  tap_sweep(&lab03, "lww-hlc", 1, 100, NULL, NULL);
}

/* ---- part 3: snapshot reads -------------------------------------------------------------- */

/* The safe time: the smallest timestamp heard from the other nodes. */
static void safe_time_min_of_others(void *arg) {
  (void)arg;
  static hlc_state s;
  memset(&s, 0, sizeof s);
  hlc got = kv_safe_time(&s, 1, 3);
  is_hlc(got, 0, 0, "node 1 of 3 has heard from nobody: the safe time is (0, 0)");
  s.heard[0] = ts(700, 2);
  got = kv_safe_time(&s, 1, 3);
  is_hlc(got, 0, 0, "it has heard (700,2) from n0 but nothing from n2: still (0, 0)");
  s.heard[2] = ts(700, 1);
  got = kv_safe_time(&s, 1, 3);
  is_hlc(got, 700, 1, "n0 at (700,2), n2 at (700,1): the smaller, (700, 1) (c counts too)");
  s.heard[1] = ts(5, 0);
  got = kv_safe_time(&s, 1, 3);
  is_hlc(got, 700, 1, "its own entry, (5,0), is not waited for: still (700, 1)");
  s.heard[3] = ts(1, 0);
  got = kv_safe_time(&s, 1, 3);
  is_hlc(got, 700, 1, "entries past the node count (n3 in a world of 3) are ignored");
}

/* Snapshot reads as of HLC time T: four replicas (one writer per key), heartbeats every 10 ms
 * over FIFO links, six reads per replica. Each answer must be exactly the newest versions <= T
 * among every write ever made (also the ones made after the answer), causally consistent, and
 * given within 100 ms. */
static void hlc_snapshots(void *arg) {
  (void)arg;
  tap_sweep(&lab03, "snapshot-read", 1, 50, NULL, NULL);
}

/* Demonstration: the same reads as of physical time T. The safe time still works (a read waits
 * until every clock has passed T), so every answer is exactly "the versions stamped <= T", but
 * those are not a causally consistent state: a write made by a slow clock after seeing one from
 * a fast clock is in, its cause is out. The search must find such a snapshot. */
static bool showed_effect_without_cause(lab_run *run, void *ctx) {
  (void)ctx;
  const lab03_record *rec = run->lab_data;
  return rec && rec->causal_breaks > 0;
}

static void physical_snapshot_breaks_causality(void *arg) {
  (void)arg;
  tap_search(&lab03, "snapshot-physical", 1, 30, showed_effect_without_cause, NULL,
             "does kv_read_at return the newest version <= T?");
}

int main(void) {
  tap_case("hlc_tick, pt ahead of l: l = pt, c = 0", tick_pt_ahead, NULL);
  tap_case("hlc_tick, pt at or behind l: l stays, c + 1", tick_pt_behind, NULL);
  tap_case("hlc_receive: l is the max of three, c follows the winner", receive_max_of_three, NULL);
  tap_case("hlc_receive: equal l's give c = max(c, msg.c) + 1", receive_equal_l, NULL);
  tap_case("hlc_receive: a tie with pt still counts c", receive_ties_with_pt, NULL);
  tap_case("hlc_compare: l first, then c", compare_l_then_c, NULL);
  tap_case("every clock rule on every event: causality, pt <= l, c bound (gossip, 100 seeds)",
           causality_every_event, NULL);
  tap_case("pt <= l <= fastest clock; l - pt <= epsilon; clocks that jump (100 seeds)",
           close_to_physical_time, NULL);
  tap_case("c bounded by its chain; grows while l is ahead, resets after (40 seeds)", c_bounded,
           NULL);
  tap_case("kv_before: timestamp, then writer", before_ts_then_writer, NULL);
  tap_case("kv_put: sorted whatever the arrival order, duplicates skipped", put_keeps_sorted, NULL);
  tap_case("kv_latest: last-writer-wins takes the newest", latest_is_newest, NULL);
  tap_case("kv_read_at: the newest version <= T", read_at_newest_not_after, NULL);
  tap_case("demonstration: physical last-writer-wins loses a later write", physical_lww_loses,
           NULL);
  tap_case("HLC last-writer-wins never loses a later write; replicas converge (100 seeds)",
           hlc_lww_keeps, NULL);
  tap_case("kv_safe_time: the smallest timestamp heard from the others", safe_time_min_of_others,
           NULL);
  tap_case("snapshot reads as of HLC time: exact, causal, within 100ms (50 seeds)", hlc_snapshots,
           NULL);
  tap_case("demonstration: a physical-time snapshot shows an effect without its cause",
           physical_snapshot_breaks_causality, NULL);
  return tap_done();
}
