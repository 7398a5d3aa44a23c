/*
 * tests/07-consistency.c: lab 07's tests: session guarantees on a lagging replicated store, and
 * what the linearizability checker says about it.
 *
 * The first cases check one rule of the session layer each, by calling your functions directly
 * on a world that is not running. Then the demonstrations: without the session layer the search
 * over seeds finds a read-your-writes violation and a monotonic-reads violation (and prints the
 * command that replays each). Then your layer over many seeds, under loss, duplication,
 * reordering, a replica crash and a cut-off replica. Last, linearizability: sessions are not
 * enough (the checker finds a stale read by another client), reads from the primary are (the
 * checker accepts them over many seeds), and the trace the driver writes is one the `lincheck`
 * command reads.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history_read.h"
#include "lab.h"
#include "lincheck.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * The token.
 */

/* Rule: a write's acknowledgement raises the token to its version, and a late, smaller one
 * leaves it alone. */
static void token_after_writes(void *arg) {
  (void)arg;
  session ss = {0};
  write_ok_body ok = {.req = 1, .version = 5};
  session_on_write_ok(&ss, &ok);
  tap_is_int((int64_t)ss.token, 5,
             "token 0, WriteOk version 5: session_on_write_ok raises the token to the write's "
             "version; the token after the call");
  ok.version = 3;
  session_on_write_ok(&ss, &ok);
  tap_is_int((int64_t)ss.token, 5,
             "token 5, a late WriteOk version 3: session_on_write_ok never lowers the token; the "
             "token after the call");
  ok.version = 9;
  session_on_write_ok(&ss, &ok);
  tap_is_int((int64_t)ss.token, 9,
             "token 5, WriteOk version 9: session_on_write_ok raises the token to the write's "
             "version; the token after the call");
}

/* Rule: a read raises the token to the version it returned, never lowers it. */
static void token_after_reads(void *arg) {
  (void)arg;
  session ss = {0};
  read_ok_body ok = {.req = 1, .key = 0, .version = 4, .applied = 6};
  session_on_read_ok(&ss, &ok);
  tap_is_int((int64_t)ss.token, 4,
             "token 0, ReadOk version 4 (applied 6): session_on_read_ok raises the token to the "
             "version read, not to applied; the token after the call");
  ok.version = 0;
  session_on_read_ok(&ss, &ok);
  tap_is_int((int64_t)ss.token, 4,
             "token 4, ReadOk version 0 (x was nil): session_on_read_ok never lowers the token; "
             "the token after the call");
  ok.version = 11;
  session_on_read_ok(&ss, &ok);
  tap_is_int((int64_t)ss.token, 11,
             "token 4, ReadOk version 11: session_on_read_ok raises the token to the version "
             "read; the token after the call");
}

/* ---------------------------------------------------------------------------------------------
 * The replica. A world with p0, r1 and an idle client c2 is built and booted but never run: the
 * test sets r1's data by hand, hands it reads, and watches the ReadOk messages it sends.
 */
typedef struct seen_reads {
  int count, to;
  read_ok_body last;
} seen_reads;

static void watch_read_ok(sim_world *w, const sim_event *ev, void *ctx) {
  (void)w;
  seen_reads *seen = ctx;
  if (ev->kind != SIM_EV_SEND || ev->msg_type != MSG_READ_OK || ev->node != 1) return;
  seen->count++;
  seen->to = ev->peer;
  seen->last = *(const read_ok_body *)ev->body;
}

static sim_world *replica_world(seen_reads *seen) {
  sim_world *w = sim_create(1);
  store_config primary = {.role = ROLE_PRIMARY, .replicas = 1, .sync_interval = SIM_SEC};
  store_config replica = {.role = ROLE_REPLICA, .replicas = 1};
  store_config client = {.role = ROLE_CLIENT, .replicas = 1, .ops = 0, .retry = SIM_SEC};
  sim_add_node(w, &store_protocol, &primary, sizeof primary);
  sim_add_node(w, &store_protocol, &replica, sizeof replica);
  sim_add_node(w, &store_protocol, &client, sizeof client);
  sim_observe(w, watch_read_ok, seen);
  sim_start(w);
  /* r1 has applied versions 1..5; x was last written by version 5. */
  store_state *r1 = sim_state_mut(w, 1);
  r1->applied = 5;
  r1->data[0].version = 5;
  snprintf(r1->data[0].value, STORE_VALUE_LEN, "c2.5");
  return w;
}

typedef struct read_arg {
  int from;
  read_body rd;
} read_arg;

static void hand_read(sim_node *n, void *state, void *arg) {
  const read_arg *a = arg;
  replica_on_read(n, state, a->from, &a->rd);
}

static void hand_applied(sim_node *n, void *state, void *arg) {
  (void)arg;
  replica_on_applied(n, state);
}

/* One step: forget the ReadOks seen so far, then hand r1 a read of x from c2 (n2). */
static void step_read(sim_world *w, seen_reads *seen, uint32_t req, uint64_t token) {
  read_arg a = {.from = 2, .rd = {.req = req, .key = 0, .token = token}};
  *seen = (seen_reads){0, -1, {0}};
  sim_poke(w, 1, hand_read, &a);
}

/* One step: set r1's applied version (and x, if x_value is not NULL: version x_version wrote
 * x_value), then call replica_on_applied, counting only the ReadOks it sends. */
static void step_applied(sim_world *w, seen_reads *seen, uint64_t applied, uint64_t x_version,
                         const char *x_value) {
  store_state *r1 = sim_state_mut(w, 1);
  r1->applied = applied;
  if (x_value) {
    r1->data[0].version = x_version;
    snprintf(r1->data[0].value, STORE_VALUE_LEN, "%s", x_value);
  }
  *seen = (seen_reads){0, -1, {0}};
  sim_poke(w, 1, hand_applied, NULL);
}

/* The ReadOk of the step that just ran: its destination, request and version. Checked only when
 * exactly one was sent (the count's own check reports the other cases). */
static void check_answer(const seen_reads *seen, uint32_t req, uint64_t version, const char *who) {
  if (seen->count != 1) return;
  tap_is_int(seen->to, 2, "the node that ReadOk went to: the client that asked, n2 (%s)", who);
  tap_is_int(seen->last.req, req, "the req that ReadOk answers (%s)", who);
  tap_is_int((int64_t)seen->last.version, (int64_t)version, "the version of x in that ReadOk (%s)",
             who);
}

/* r1's slot for c2 after a step: it must hold request `req` (0: be free). */
static void check_slot(sim_world *w, uint32_t req, const char *why) {
  const pending_read *p = &((const store_state *)sim_state(w, 1))->pending[2];
  tap_is_int(p->active ? p->req : 0, req, "the req held in r1's s->pending[2], 0 if free (%s)",
             why);
}

/* Rule: a replica that has applied the token answers at once, from its data. */
static void replica_answers_when_covered(void *arg) {
  (void)arg;
  seen_reads seen = {0, -1, {0}};
  sim_world *w = replica_world(&seen);
  /* Step 1: applied 5, token 5: covered. */
  step_read(w, &seen, 1, 5);
  tap_is_int(seen.count, 1,
             "applied 5, read req 1 with token 5: covered (applied >= token), so replica_on_read "
             "answers at once; ReadOks r1 sent in reply");
  check_answer(&seen, 1, 5, "replica_on_read passes from, rd->req and rd->key to store_reply_read");
  /* Step 2: token 0 (no session) is always covered. */
  step_read(w, &seen, 2, 0);
  tap_is_int(seen.count, 1,
             "applied 5, read req 2 with token 0 (no session): always covered, so replica_on_read "
             "answers at once; ReadOks r1 sent in reply");
  sim_destroy(w);
}

/* Rule: a replica behind the token answers nothing, holds the read, and answers it as soon as it
 * has applied the token; a newer read of the same client replaces the held one, an older
 * duplicate does not; a covered read is answered at once whatever its req. */
static void replica_holds_back_until_caught_up(void *arg) {
  (void)arg;
  seen_reads seen = {0, -1, {0}};
  sim_world *w = replica_world(&seen);
  /* Step 1: applied 5, token 7. Nothing may be sent. */
  step_read(w, &seen, 3, 7);
  tap_is_int(seen.count, 0,
             "applied 5, read req 3 with token 7: behind the token, so replica_on_read must hold "
             "it in s->pending[from], not answer it; ReadOks r1 sent in reply");
  check_slot(w, 3, "replica_on_read keeps a read it cannot answer in s->pending[from]");
  /* Step 2: the client's newer read (a retry elsewhere came back here) replaces it. */
  step_read(w, &seen, 4, 7);
  tap_is_int(seen.count, 0,
             "applied 5, then read req 4 with token 7: it replaces req 3 in the slot, held too "
             "(replica_on_read); ReadOks r1 sent in reply");
  check_slot(w, 4, "replica_on_read lets a higher req replace the held one");
  /* Step 3: a late duplicate of request 3 must not take the slot back. */
  step_read(w, &seen, 3, 7);
  tap_is_int(seen.count, 0,
             "applied 5, then a late duplicate of req 3 with token 7: dropped, req 4 keeps the "
             "slot (replica_on_read); ReadOks r1 sent in reply");
  check_slot(w, 4, "replica_on_read drops a lower req than the held one");
  /* Step 4: a late duplicate of request 2, sent before the client's token rose to 7, carries
   * token 5: r1 covers it, so it is answered at once, whatever its req (the client ignores the
   * late answer), and request 4 stays held. */
  step_read(w, &seen, 2, 5);
  tap_is_int(seen.count, 1,
             "applied 5, then a late duplicate of req 2 with token 5: covered (applied >= token), "
             "so replica_on_read answers it at once, whatever its req; ReadOks r1 sent in reply");
  check_answer(&seen, 2, 5, "the covered duplicate, answered by replica_on_read");
  check_slot(w, 4, "answering a covered read leaves the held one alone");
  /* Step 5: replication brings r1 to version 6: still behind. */
  step_applied(w, &seen, 6, 0, NULL);
  tap_is_int(seen.count, 0,
             "applied 6 < token 7: replica_on_applied must leave the held read waiting; ReadOks "
             "r1 sent by that call");
  /* Step 6: version 7 (a write of x) arrives: the read is answered, once, with it. */
  step_applied(w, &seen, 7, 7, "c2.7");
  tap_is_int(seen.count, 1,
             "applied 7 = token 7: replica_on_applied answers the held read, once; ReadOks r1 "
             "sent by that call");
  check_answer(&seen, 4, 7,
               "replica_on_applied answers the slot's req, the newest, 4, from its data now");
  /* Step 7: the slot is free again: catching up further sends nothing more. */
  step_applied(w, &seen, 8, 0, NULL);
  tap_is_int(seen.count, 0,
             "applied 8, the held read already answered: replica_on_applied frees the slot when "
             "it answers, so it sends nothing more; ReadOks r1 sent by that call");
  check_slot(w, 0, "replica_on_applied frees the slot of a read it answers");
  sim_destroy(w);
}

/* ---------------------------------------------------------------------------------------------
 * Demonstrations: the plain store breaks both guarantees.
 */

/* Search seeds for the first run of `scenario` that breaks `invariant`; report it. */
static void find_violation(const char *scenario, const char *invariant) {
  const lab_scenario *sc = lab_find(&lab07, scenario);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "%s violated", invariant);
  for (uint64_t seed = 1; seed <= 50; seed++) {
    tap_replay("%s --scenario %s --seed %llu --viz", tap_driver(), scenario,
               (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab07.id, .scenario = sc->name};
    bool held = sc->run(&run);
    bool found = !held && strncmp(run.verdict, prefix, strlen(prefix)) == 0;
    if (!held && !found) {
      tap_ok(false, "%s seed %llu failed for another reason: %s", scenario,
             (unsigned long long)seed, run.verdict);
      lab_end(&run);
      return;
    }
    lab_end(&run);
    if (found) {
      tap_diag("seed %llu: %s", (unsigned long long)seed, run.verdict);
      tap_diag("replay: %s --scenario %s --seed %llu --viz", tap_driver(), scenario,
               (unsigned long long)seed);
      return;
    }
  }
  tap_ok(false, "no seed in 1..50 of %s breaks %s: do the replicas lag at all?", scenario,
         invariant);
}

static void plain_breaks_ryw(void *arg) {
  (void)arg;
  find_violation("ryw-plain", "read-your-writes");
}

static void plain_breaks_monotonic(void *arg) {
  (void)arg;
  find_violation("monotonic-plain", "monotonic-reads");
}

/* ---------------------------------------------------------------------------------------------
 * Your session layer keeps both, over many seeds and under faults.
 */

/* The runs must exercise the waiting path, or they prove nothing. */
static bool some_reads_waited(lab_run *run, void *ctx) {
  (void)ctx;
  const lab07_record *rec = run->lab_data;
  return tap_ok(rec->held_back > 0, "some reads reached a replica behind their token (%u)",
                rec->held_back);
}

static void sessions_hold(void *arg) {
  (void)arg;
  tap_sweep(&lab07, "sessions", 1, 300, some_reads_waited, NULL);
}

static void sessions_hold_lossy(void *arg) {
  (void)arg;
  tap_sweep(&lab07, "sessions-lossy", 1, 200, some_reads_waited, NULL);
}

static void sessions_hold_crash(void *arg) {
  (void)arg;
  tap_sweep(&lab07, "sessions-crash", 1, 200, some_reads_waited, NULL);
}

/* A fault schedule in the driver's language: the replicas are cut off from everyone, then the
 * whole network loses and duplicates messages for a while. */
static void sessions_hold_nemesis(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab07, "sessions");
  const char *faults =
      "150ms partition 1,2; 500ms heal; 600ms loss 0.3; 600ms dup 0.2; "
      "900ms loss 0; 900ms dup 0";
  for (uint64_t seed = 1; seed <= 30; seed++) {
    tap_replay("%s --scenario sessions --seed %llu --nemesis '%s' --viz", tap_driver(),
               (unsigned long long)seed, faults);
    lab_run run = {.seed = seed, .nemesis = faults, .lab_id = lab07.id, .scenario = "sessions"};
    bool held = sc->run(&run);
    bool ok = tap_ok(held, "sessions + partition and loss, seed %llu: %s", (unsigned long long)seed,
                     run.verdict);
    bool dropped = ok && sim_get_stats(run.world)->dropped_partition > 0;
    lab_end(&run);
    if (!ok ||
        !tap_ok(dropped, "seed %llu: the partition dropped messages", (unsigned long long)seed))
      return;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Linearizability.
 */

/* Print a multi-line text as diagnostics, one line each. */
static void diag_lines(const char *text) {
  while (*text) {
    size_t len = strcspn(text, "\n");
    tap_diag("  %.*s", (int)len, text);
    text += len;
    if (*text) text++;
  }
}

/* Sessions are per client: another client can still read stale data. The search finds a seed
 * where the checker rejects the history, and shows the stale read and the checker's reasons. */
static void sessions_not_linearizable(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab07, "lin-sessions");
  for (uint64_t seed = 1; seed <= 20; seed++) {
    tap_replay("%s --scenario lin-sessions --seed %llu --viz", tap_driver(),
               (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab07.id, .scenario = sc->name};
    bool held = sc->run(&run);
    const lab07_record *rec = run.lab_data;
    if (!held && !rec->checked_lin) {
      tap_ok(false, "lin-sessions seed %llu broke a session guarantee: %s",
             (unsigned long long)seed, run.verdict);
      lab_end(&run);
      return;
    }
    if (!held) {
      tap_is_str(lincheck_verdict_name((lin_verdict)rec->lin_verdict),
                 lincheck_verdict_name(LIN_NOT_LINEARIZABLE), "the checker's verdict");
      tap_ok(rec->stale_found, "a stale read by another client explains it");
      tap_diag("seed %llu: %s", (unsigned long long)seed, rec->stale);
      diag_lines(rec->lin_explanation);
      tap_diag("replay: %s --scenario lin-sessions --seed %llu --trace FILE; then lincheck FILE",
               tap_driver(), (unsigned long long)seed);
      lab_end(&run);
      return;
    }
    lab_end(&run);
  }
  tap_ok(false,
         "the checker accepted lin-sessions for seeds 1..20: replicas never served a "
         "stale read to another client?");
}

/* Reads served by the primary alone are linearizable: the checker accepts every seed. */
static bool checked_linearizable(lab_run *run, void *ctx) {
  (void)ctx;
  const lab07_record *rec = run->lab_data;
  return tap_ok(rec->checked_lin && rec->lin_verdict == LIN_LINEARIZABLE,
                "the checker ran and accepted the history") &&
         tap_ok(rec->lin_ops >= (uint64_t)(rec->reads + rec->writes),
                "it checked every finished operation (%llu >= %u)",
                (unsigned long long)rec->lin_ops, rec->reads + rec->writes);
}

static void primary_reads_linearizable(void *arg) {
  (void)arg;
  tap_sweep(&lab07, "lin-primary", 1, 200, checked_linearizable, NULL);
}

/* The trace the driver writes (--trace) carries the client history that the `lincheck` command
 * reads: reading it back gives the same operations and the same verdicts. */
static void trace_feeds_lincheck(void *arg) {
  (void)arg;
  static const char *const names[] = {"lin-primary", "lin-sessions"};
  static const lin_verdict want[] = {LIN_LINEARIZABLE, LIN_NOT_LINEARIZABLE};
  for (int i = 0; i < 2; i++) {
    char path[] = "/tmp/causeway-07-XXXXXX";
    int fd = mkstemp(path);
    if (!tap_ok(fd >= 0, "a temporary file for the trace")) return;
    FILE *f = fdopen(fd, "w");
    tap_replay("%s --scenario %s --seed 3 --trace FILE", tap_driver(), names[i]);
    lab_run run = {.seed = 3, .trace = f, .lab_id = lab07.id, .scenario = names[i]};
    lab_find(&lab07, names[i])->run(&run);
    lab07_record rec = *(const lab07_record *)run.lab_data;
    char verdict[sizeof run.verdict];
    memcpy(verdict, run.verdict, sizeof verdict);
    lab_end(&run);
    fclose(f);
    if (!rec.checked_lin) {
      tap_ok(false, "%s seed 3 stopped before the checker: %s", names[i], verdict);
      unlink(path);
      return;
    }
    lin_history h;
    char err[512];
    history_format used;
    int rc = history_read_file(path, HISTORY_GUESS, &h, &used, err, sizeof err);
    unlink(path);
    if (!tap_is_int(rc, 0, "%s: the trace reads back as a history (%s)", names[i], rc ? err : "ok"))
      return;
    tap_is_str(history_format_name(used), "trace", "its format is recognised as a trace");
    lin_result r;
    lin_verdict v = lincheck_check(&h, history_default_model(used, &h), NULL, &r);
    tap_is_str(lincheck_verdict_name(v), lincheck_verdict_name(want[i]),
               "%s seed 3: the verdict of lincheck on the file", names[i]);
    tap_is_str(lincheck_verdict_name((lin_verdict)rec.lin_verdict), lincheck_verdict_name(want[i]),
               "%s seed 3: the verdict of the scenario's own check", names[i]);
    tap_is_int((int64_t)r.ops, (int64_t)rec.lin_ops,
               "%s seed 3: operations lincheck read from the file (expected: as many as the "
               "scenario's own check saw)",
               names[i]);
    lincheck_result_free(&r);
    lin_history_free(&h);
  }
}

/* Determinism: the same scenario and seed give the same world, down to the last byte of state
 * (the replay commands the other cases print depend on it). */
static void same_seed_same_run(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab07, "sessions-lossy");
  uint64_t hash[2];
  uint64_t events[2];
  for (int i = 0; i < 2; i++) {
    tap_replay("%s --scenario sessions-lossy --seed 5 --viz", tap_driver());
    lab_run run = {.seed = 5, .lab_id = lab07.id, .scenario = sc->name};
    sc->run(&run);
    hash[i] = sim_world_hash(run.world);
    events[i] = sim_get_stats(run.world)->events;
    lab_end(&run);
  }
  tap_is_int((int64_t)events[1], (int64_t)events[0],
             "sessions-lossy seed 5, events in the second run (expected: as many as in the first)");
  tap_ok(hash[0] == hash[1], "the same world hash (%016llx, %016llx)", (unsigned long long)hash[0],
         (unsigned long long)hash[1]);
}

int main(void) {
  tap_case("session_on_write_ok: the token rises to a write's version, never falls",
           token_after_writes, NULL);
  tap_case("session_on_read_ok: the token rises to a read's version, never falls",
           token_after_reads, NULL);
  tap_case("replica_on_read: applied >= token is answered at once", replica_answers_when_covered,
           NULL);
  tap_case("replica_on_read/replica_on_applied: behind the token, hold the read until caught up",
           replica_holds_back_until_caught_up, NULL);
  tap_case("without sessions: a read-your-writes violation is found (demonstration)",
           plain_breaks_ryw, NULL);
  tap_case("without sessions: a monotonic-reads violation is found (demonstration)",
           plain_breaks_monotonic, NULL);
  tap_case("sessions: read-your-writes, monotonic reads, held reads answered (300 seeds)",
           sessions_hold, NULL);
  tap_case("sessions under 20% loss, 10% duplication, reordering (200 seeds)", sessions_hold_lossy,
           NULL);
  tap_case("sessions while a replica crashes and another is cut off (200 seeds)",
           sessions_hold_crash, NULL);
  tap_case("sessions under a partition and a loss burst from --nemesis (30 seeds)",
           sessions_hold_nemesis, NULL);
  tap_case("sessions are not linearizable: the checker finds another client's stale read",
           sessions_not_linearizable, NULL);
  tap_case("reads from the primary only: the checker accepts them (200 seeds, loss, duplication)",
           primary_reads_linearizable, NULL);
  tap_case("the driver's --trace file is a history the lincheck command reads",
           trace_feeds_lincheck, NULL);
  tap_case("the same seed gives the same run, byte for byte", same_seed_same_run, NULL);
  return tap_done();
}
