/*
 * tests/00-messaging.c: lab 00's tests: a ping with timeout and retry.
 *
 * Each case checks one rule, so a learner sees which rule is wrong: the server's answer, the
 * first send, the retry after exactly one timeout, counting each ping once, giving up on a dead
 * server at exactly the right virtual time, and riding out loss, duplication and a crash. The
 * sweeps run the same scenarios the driver runs, so a failure prints the command that replays it.
 */
#include <string.h>

#include "lab.h"
#include "tap.h"

/* Rule: the server answers Ping(seq) with Pong(seq) to the sender. Two servers, and node 0 is
 * handed a Ping from node 1 by hand; we watch what it sends. */
typedef struct seen_pong {
  int count, to;
  uint32_t seq;
} seen_pong;

static void watch_pong(sim_world *w, const sim_event *ev, void *ctx) {
  (void)w;
  seen_pong *seen = ctx;
  if (ev->kind != SIM_EV_SEND || ev->msg_type != MSG_PONG || ev->node != 0) return;
  seen->count++;
  seen->to = ev->peer;
  seen->seq = ((const pong_body *)ev->body)->seq;
}

static void hand_ping(sim_node *n, void *state, void *arg) { server_on_ping(n, state, 1, arg); }

static void server_answers(void *arg) {
  (void)arg;
  sim_world *w = sim_create(1);
  ping_config server = {.role = ROLE_SERVER};
  sim_add_node(w, &ping_protocol, &server, sizeof server);
  sim_add_node(w, &ping_protocol, &server, sizeof server);
  seen_pong seen = {0, -1, 0};
  sim_observe(w, watch_pong, &seen);
  sim_start(w);
  ping_body ping = {.seq = 7, .attempt = 2};
  sim_poke(w, 0, hand_ping, &ping);
  tap_is_int(seen.count, 1, "server_on_ping sends exactly one message");
  tap_is_int(seen.to, 1, "the Pong goes back to the sender (n1)");
  tap_is_int(seen.seq, 7, "the Pong carries the Ping's seq");
  sim_destroy(w);
}

/* Rule: the client sends Ping(seq=1, attempt=1) at boot, and resends after exactly one timeout
 * while no answer comes (the server is down in scenario dead-peer: timeout 100 ms, 4 attempts).
 * The scenario's observer checks every Ping's attempt as it is sent (rule attempt-number: the
 * first send of a ping carries attempt=1, the first retry attempt=2, ...), so a wrong attempt
 * fails this case with that rule's message; here we check the send times and their number. */
static bool check_retry_times(lab_run *run, void *ctx) {
  (void)ctx;
  const lab00_record *rec = run->lab_data;
  bool ok = tap_is_int((int64_t)rec->send_time[0], 0, "the first Ping is sent at boot, t=0");
  for (uint32_t i = 1; ok && i < rec->ping_sends && i < 64; i++)
    ok =
        tap_is_int((int64_t)rec->send_time[i], (int64_t)(i * 100 * SIM_MS),
                   "send %u of Ping seq=1 happens one timeout after the previous (t in us)", i + 1);
  return ok && tap_is_int(rec->ping_sends, 4, "exactly max_attempts=4 sends before giving up");
}

static void first_send_and_retry_timing(void *arg) {
  (void)arg;
  tap_sweep(&lab00, "dead-peer", 1, 1, check_retry_times, NULL);
}

/* Rule: on a lossless network with round trips shorter than the timeout, nothing is resent and
 * every ping is answered (scenario reliable checks both). */
static void reliable_network(void *arg) {
  (void)arg;
  tap_sweep(&lab00, "reliable", 1, 20, NULL, NULL);
}

/* Liveness under loss: with 30% of messages lost, every ping is still answered in time. */
static void thirty_percent_loss(void *arg) {
  (void)arg;
  tap_sweep(&lab00, "lossy", 1, 50, NULL, NULL);
}

/* Safety under duplication and late answers: each ping is counted once, and once answered it is
 * never sent again (the scenario's observer stops the run at the first such send). */
static bool counted_exactly(lab_run *run, void *ctx) {
  (void)ctx;
  const ping_state *c = sim_state(run->world, 0);
  return tap_is_int(c->answered, c->config.pings, "answered counts each ping exactly once");
}

static void duplicates_counted_once(void *arg) {
  (void)arg;
  tap_sweep(&lab00, "duplicates", 1, 50, counted_exactly, NULL);
}

/* Failure detection: a crashed server is reported dead after max_attempts timeouts, at exactly
 * t = 4 x 100 ms, not before, and the client then stays silent (checked for one more second). */
static void dead_peer_reported(void *arg) {
  (void)arg;
  tap_sweep(&lab00, "dead-peer", 1, 10, NULL, NULL);
}

/* Crash-recovery: the server is down from 40 ms to 400 ms; retries carry the client across. */
static void crash_and_restart(void *arg) {
  (void)arg;
  tap_sweep(&lab00, "crash-restart", 1, 20, NULL, NULL);
}

/* Faults from the driver's fault-schedule language work on this lab too: a partition that heals.
 * Every seed must ride it out, and the partition must really have dropped messages. */
static bool partition_dropped(lab_run *run, void *ctx) {
  (void)ctx;
  return tap_ok(sim_get_stats(run->world)->dropped_partition > 0,
                "the partition dropped messages (sim_stats.dropped_partition > 0)");
}

static void partition_then_heal(void *arg) {
  (void)arg;
  lab_run options = {.nemesis = "100ms partition 0|1; 600ms heal"};
  tap_sweep_options(&lab00, "lossy", &options, 1, 10, partition_dropped, NULL);
}

int main(void) {
  tap_case("server answers Ping(seq) with Pong(seq) to the sender", server_answers, NULL);
  tap_case("first Ping(seq=1, attempt=1) at boot; a retry (attempt=2) exactly one timeout later",
           first_send_and_retry_timing, NULL);
  tap_case("reliable network: all answered, nothing resent (20 seeds)", reliable_network, NULL);
  tap_case("replies arrive under 30% loss (50 seeds)", thirty_percent_loss, NULL);
  tap_case("duplicates and late pongs: each ping counted once, no retry after an answer (50 seeds)",
           duplicates_counted_once, NULL);
  tap_case("a dead peer is reported after max_attempts timeouts, then silence (10 seeds)",
           dead_peer_reported, NULL);
  tap_case("a server crash and restart is ridden out (20 seeds)", crash_and_restart, NULL);
  tap_case("a partition that heals is ridden out (10 seeds)", partition_then_heal, NULL);
  return tap_done();
}
