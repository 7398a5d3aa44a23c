/*
 * tests/14-leases-and-fencing.c: lab 14's tests: leases with a drift margin, fencing tokens,
 * lease-based reads.
 *
 * First each rule on its own, on hand-made state, so a learner sees which rule is wrong: the
 * drift margin (lease_local_term), taking a Grant (lease_on_grant: from the request's clock, only
 * forward, never an older token), the validity test (lease_valid), the fencing check
 * (fence_admit) and the read rule (leader_serve_read). Then whole runs, checked after every event
 * for one leader at a time, no write under an old token and no stale read: random faults at the
 * leader, a leader cut off from the lock with worst-case drift, a leader paused between its check
 * and its write. Last, two demonstrations: without fencing the paused leader's write lands on top
 * of its successor's, and with drift beyond the assumed bound a client reads a stale value.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---- part 1: the lease at its holder ------------------------------------------------------- */

/* One lease_local_term check, with what the exact rule and a safe-but-short answer look like. */
static void expect_term(sim_time duration, uint32_t ppm, sim_time want) {
  sim_time got = lease_local_term(duration, ppm);
  char d[32];
  sim_format_time(duration, d, sizeof d);
  if (got < want)
    tap_ok(false,
           "lease_local_term(%s, %uppm) = %lluus: safe, but shorter than the rule's %lluus "
           "(D * (1e6 - rho) / (1e6 + rho), rounded down): the leader idles for nothing",
           d, ppm, (unsigned long long)got, (unsigned long long)want);
  else
    tap_ok(got == want,
           "lease_local_term(%s, %uppm) = %lluus, expected %lluus (D * (1e6 - rho) / (1e6 + rho), "
           "rounded down)%s",
           d, ppm, (unsigned long long)got, (unsigned long long)want,
           got > want ? ": too long, the holder may still count after the lock has moved on" : "");
}

/* Rule: the holder's term is the lock's term shrunk by the drift margin, rounded down. */
static void drift_margin(void *arg) {
  (void)arg;
  expect_term(100 * SIM_MS, 0, 100000);    /* perfect clocks: no margin */
  expect_term(100 * SIM_MS, 20000, 96078); /* 2%: 100ms * 0.98 / 1.02 = 96.078ms */
  expect_term(1 * SIM_SEC, 100, 999800);   /* a quartz-like 100ppm: 0.2ms off a second */
  expect_term(10 * SIM_MS, 500000, 3333);  /* 50%: a third of the term is left */
  /* The point of the rule, in true time: the holder's longest count ends no later than the
   * lock's shortest one (both clocks at the worst end of the bound). */
  sim_time L = lease_local_term(100 * SIM_MS, 20000);
  double holder_end = (double)L / (1.0 - 0.02), lock_end = 100000.0 / (1.0 + 0.02);
  tap_ok(holder_end <= lock_end,
         "a term of %lluus on a clock 2%% slow lasts %.1fus of true time, the lock's 100ms on a "
         "clock 2%% fast %.1fus: the holder must stop first",
         (unsigned long long)L, holder_end, lock_end);
}

static void expect_lease(const lease *l, uint64_t token, sim_time expires, const char *what) {
  tap_ok(l->token == token && l->expires == expires,
         "%s: expected token %llu until clock %lluus, got token %llu until %lluus (lease_on_grant)",
         what, (unsigned long long)token, (unsigned long long)expires, (unsigned long long)l->token,
         (unsigned long long)l->expires);
}

/* Rule: a lease runs from when the holder sent the request (echoed in the Grant), not from when
 * the Grant arrived. */
static void grant_from_request(void *arg) {
  (void)arg;
  lease l = {0, 0};
  grant_body g = {.token = 1, .req_clock = 1000, .duration = 100 * SIM_MS};
  lease_on_grant(&l, &g, 4000, 0);
  expect_lease(&l, 1, 101000,
               "no lease; a Grant of token 1 for 100ms, answering a request sent at clock 1000us, "
               "arrives at clock 4000us (no drift): the lease runs to 1000 + 100000, not from "
               "4000");
  lease m = {0, 0};
  lease_on_grant(&m, &g, 4000, 20000);
  expect_lease(&m, 1, 1000 + lease_local_term(100 * SIM_MS, 20000),
               "the same Grant with a 2% drift bound: 1000 + lease_local_term(100ms, 20000ppm) "
               "(your lease_local_term: its own test checks its value)");
  lease p = {0, 0};
  lease_on_grant(&p, &g, 90000, 0);
  expect_lease(&p, 1, 101000,
               "the same Grant arriving at clock 90000us (it waited while the worker was "
               "paused): still until 101000, only 11ms left");
}

/* Rule: a renewal (same token) only moves the expiry forward; a Grant with an older token is
 * ignored; a newer token is a new lease. */
static void grant_order(void *arg) {
  (void)arg;
  lease l = {2, 500000};
  grant_body renew = {.token = 2, .req_clock = 450000, .duration = 100 * SIM_MS};
  lease_on_grant(&l, &renew, 452000, 0);
  expect_lease(&l, 2, 550000, "token 2 until 500000, renewed by a request sent at 450000");
  grant_body late = {.token = 2, .req_clock = 420000, .duration = 100 * SIM_MS};
  lease_on_grant(&l, &late, 470000, 0);
  expect_lease(&l, 2, 550000,
               "then the answer to an earlier renewal (sent at 420000) arrives late: the expiry "
               "must not move back");
  grant_body old = {.token = 1, .req_clock = 600000, .duration = 100 * SIM_MS};
  lease_on_grant(&l, &old, 480000, 0);
  expect_lease(&l, 2, 550000,
               "then a Grant of token 1 (an older lease, sent long ago) arrives: ignore it, "
               "whatever its clock");
  grant_body next = {.token = 3, .req_clock = 560000, .duration = 100 * SIM_MS};
  lease_on_grant(&l, &next, 562000, 0);
  expect_lease(&l, 3, 660000, "then token 3 from a request at 560000: a new lease");
}

/* Rule: valid strictly before the expiry, on the holder's own clock; never without a lease. */
static void valid_before_expiry(void *arg) {
  (void)arg;
  lease none = {0, 0}, empty = {0, 5000}, l = {4, 1000};
  tap_ok(!lease_valid(&none, 0), "no lease ever taken (token 0): not valid at clock 0");
  tap_ok(!lease_valid(&empty, 10), "token 0 with an expiry: still no lease, not valid");
  tap_ok(lease_valid(&l, 999), "token 4 until 1000: valid at 999");
  tap_ok(!lease_valid(&l, 1000), "token 4 until 1000: not valid at 1000 (strictly before)");
  tap_ok(!lease_valid(&l, 5000), "token 4 until 1000: not valid at 5000");
}

/* ---- part 2: fencing ---------------------------------------------------------------------------
 */

static void expect_admit(fence *f, uint64_t token, bool want, uint64_t highest, const char *why) {
  uint64_t before = f->highest;
  bool got = fence_admit(f, token);
  tap_ok(got == want && f->highest == highest,
         "highest %llu, a write with token %llu: expected %s with highest %llu after (%s), got %s "
         "with highest %llu (fence_admit)",
         (unsigned long long)before, (unsigned long long)token, want ? "admitted" : "refused",
         (unsigned long long)highest, why, got ? "admitted" : "refused",
         (unsigned long long)f->highest);
}

/* Rule: refuse a token below the highest admitted; admit equal (the same leader again) and
 * higher (a new leader), remembering the highest. */
static void fence_rule(void *arg) {
  (void)arg;
  fence f = {0};
  expect_admit(&f, 1, true, 1, "the first leader's first write");
  expect_admit(&f, 1, true, 1, "the same leader writes again");
  expect_admit(&f, 3, true, 3, "a newer leader: remember 3");
  expect_admit(&f, 2, false, 3, "token 2 was replaced by 3: fenced off, highest unchanged");
  expect_admit(&f, 1, false, 3, "an even older token: fenced off");
  expect_admit(&f, 3, true, 3, "the current leader still writes");
}

/* ---- part 3: the lease-based read ---------------------------------------------------------- */

static void expect_read(const lease_state *s, sim_time now, bool want, const char *why) {
  version out = {0, 0, 0};
  bool got = leader_serve_read(s, now, &out);
  char c[64], o[64];
  tap_ok(got == want,
         "lease token %llu until %lluus, copy %s, clock %lluus: expected %s (%s), got %s "
         "(leader_serve_read)",
         (unsigned long long)s->lease.token, (unsigned long long)s->lease.expires,
         version_text(&s->cache, c, sizeof c), (unsigned long long)now, want ? "served" : "refused",
         why, got ? "served" : "refused");
  if (got && want)
    tap_ok(memcmp(&out, &s->cache, sizeof out) == 0, "the answer is the copy %s, got %s", c,
           version_text(&out, o, sizeof o));
}

/* Rule: serve from the copy only with a valid lease and a copy written under this lease. */
static void read_rule(void *arg) {
  (void)arg;
  static lease_state s;
  memset(&s, 0, sizeof s);
  s.lease = (lease){.token = 2, .expires = 1000};
  s.cache = (version){.token = 2, .seq = 5, .writer = 1};
  expect_read(&s, 500, true, "a valid lease and a copy from it");
  expect_read(&s, 1000, false, "the lease has run out on this clock");
  s.cache = (version){.token = 1, .seq = 9, .writer = 1};
  expect_read(&s, 500, false,
              "the copy was written under token 1, an earlier lease: another leader may have "
              "written since");
  s.lease.token = 0;
  s.cache = (version){0, 0, 0};
  expect_read(&s, 0, false, "no lease at all");
}

/* ---- whole runs --------------------------------------------------------------------------------
 */

/* Random faults at the leader (cut off from the lock, paused, crashed; the lock or storage
 * crashed), every clock drifting within the 2% bound, latencies 1..10 ms. After every event: one
 * leader at a time, no write under an old token, no stale read; by 3 s leading again. */
static void random_faults(void *arg) {
  (void)arg;
  tap_sweep(&lab14, "leases", 1, 100, NULL, NULL);
}

static void random_faults_five(void *arg) {
  (void)arg;
  lab_run options = {.nodes = 5};
  tap_sweep_options(&lab14, "leases", &options, 1, 30, NULL, NULL);
}

/* The same under 20% loss and 20% duplication: lost Grants, duplicated late ones, lost Writes. */
static void random_faults_lossy(void *arg) {
  (void)arg;
  lab_run options = {.loss_set = true, .loss = 0.2, .nemesis = "0s dup 0.2"};
  tap_sweep_options(&lab14, "leases", &options, 1, 50, NULL, NULL);
}

/* The leader is cut off from the lock at 300 ms; its clock is 2% slow and the lock's 2% fast,
 * the worst the bound allows. It must stop serving reads before the next leader writes. */
static bool partition_shown(lab_run *run, void *ctx) {
  (void)ctx;
  const lab14_record *rec = run->lab_data;
  bool ok = tap_ok(rec->victim > 0 && rec->first_new_write > rec->fault_at,
                   "a newer leader took over and wrote after w%d was cut off", rec->victim);
  ok = tap_ok(rec->victim_refused > 0,
              "the cut-off leader refused reads after its lease ran out "
              "(refused %u)",
              rec->victim_refused) &&
       ok;
  return tap_ok(!rec->overlap, "no two leaders at once") && ok;
}

static void partitioned_leader(void *arg) {
  (void)arg;
  tap_sweep(&lab14, "partitioned-leader", 1, 50, partition_shown, NULL);
}

/* The leader pauses for 400 ms between its lease check and its write; its lease runs out, a new
 * leader writes, then the paused write goes out with the old token and storage refuses it. */
static bool pause_fenced(lab_run *run, void *ctx) {
  (void)ctx;
  const lab14_record *rec = run->lab_data;
  char at[32], first[32], what[160];
  if (rec->fenced == 0)
    snprintf(what, sizeof what, "storage refused nothing");
  else
    snprintf(what, sizeof what, "it was w%d's write with token %llu at t=%s, highest %llu",
             rec->fenced_writer, (unsigned long long)rec->fenced_token,
             sim_format_time(rec->fenced_at, at, sizeof at),
             (unsigned long long)rec->fenced_highest);
  /* One sentence for all three conditions: each failure reads whole on its own line. */
  return tap_ok(rec->fenced > 0 && rec->fenced_writer == rec->victim &&
                    rec->fenced_token < rec->fenced_highest &&
                    rec->fenced_at >= rec->first_new_write,
                "storage's first refusal should be the paused leader w%d's write, with a token "
                "below the highest, after the new leader's first write at t=%s; %s (fence_admit "
                "refuses only a lower token)",
                rec->victim, sim_format_time(rec->first_new_write, first, sizeof first), what);
}

static void gc_pause_fenced(void *arg) {
  (void)arg;
  tap_sweep(&lab14, "gc-pause", 1, 50, pause_fenced, NULL);
}

/* Demonstration: the same pause with storage that checks no tokens. The paused leader's write
 * lands after its successor's: the search must find that, and nothing else broken first. */
static bool landed_on_top(lab_run *run, void *ctx) {
  (void)ctx;
  const char *report;
  return run->world && sim_violated(run->world, &report) &&
         strncmp(report, "fenced-writes", 13) == 0;
}

static void unfenced_pause_corrupts(void *arg) {
  (void)arg;
  tap_search(&lab14, "gc-pause-unfenced", 1, 20, landed_on_top, NULL,
             "the paused leader's write should land after the new leader's: does the new leader "
             "take over (lease_on_grant, lease_valid)?");
}

/* Demonstration: the leader's clock runs at half speed, far beyond the 2% the margin allows
 * for. Cut off from the lock, it keeps serving reads after the next leader has written: a stale
 * read whose cause is the drift, not a broken rule. */
static bool stale_from_drift(lab_run *run, void *ctx) {
  (void)ctx;
  const lab14_record *rec = run->lab_data;
  return rec && rec->stale_read && rec->stale_cause == STALE_DRIFT;
}

static void drift_beyond_bound(void *arg) {
  (void)arg;
  tap_search(&lab14, "drift-beyond-bound", 1, 20, stale_from_drift, NULL,
             "the slow leader should keep answering after its successor wrote: does "
             "leader_serve_read serve while lease_valid says yes?");
}

int main(void) {
  tap_case("lease_local_term: the drift margin, D * (1e6 - rho) / (1e6 + rho)", drift_margin, NULL);
  tap_case("lease_on_grant: the lease runs from the request's clock", grant_from_request, NULL);
  tap_case("lease_on_grant: renewals only extend, older tokens are ignored", grant_order, NULL);
  tap_case("lease_valid: strictly before the expiry, never without a lease", valid_before_expiry,
           NULL);
  tap_case("fence_admit: refuse a token below the highest, admit equal and higher", fence_rule,
           NULL);
  tap_case("leader_serve_read: a valid lease and a copy from this lease", read_rule, NULL);
  tap_case("one leader, fenced writes, no stale read under faults at the leader (100 seeds)",
           random_faults, NULL);
  tap_case("the same with 5 workers (30 seeds)", random_faults_five, NULL);
  tap_case("the same under 20% loss and 20% duplication (50 seeds)", random_faults_lossy, NULL);
  tap_case("a leader cut off from the lock stops reading in time, worst drift (50 seeds)",
           partitioned_leader, NULL);
  tap_case("a paused old leader's write is rejected by its stale token (50 seeds)", gc_pause_fenced,
           NULL);
  tap_case("demonstration: without fencing the paused leader's write lands last",
           unfenced_pause_corrupts, NULL);
  tap_case("demonstration: drift beyond the bound gives a stale read", drift_beyond_bound, NULL);
  return tap_done();
}
