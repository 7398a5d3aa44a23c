/*
 * labs/00-messaging/scenarios.c: lab 00's scenarios, shared by the driver and the tests.
 *
 * Every scenario is one client (n0) pinging one server (n1) under some network and some faults.
 * While it runs, an observer watches every Ping the client sends and stops the run at the first
 * broken rule (a retry of a ping already answered, a send after the server was declared dead,
 * more sends of one ping than max_attempts). At the end the scenario judges liveness: were all
 * pings answered by the deadline, or was the dead server reported when it should have been?
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

static const lab00_record *record_of(const lab_run *run) { return run->lab_data; }

/* Observe every Ping the client sends and check the client's rules at that moment. */
static void watch_sends(sim_world *w, const sim_event *ev, void *ctx) {
  lab00_record *rec = ctx;
  if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_PONG && ev->node == 0) {
    const pong_body *pong = ev->body;
    if (pong->seq < 1024) rec->pongs_of_seq[pong->seq]++;
    /* Remember what the client had counted before its handler runs: counted_once checks after it
     * that only a Pong for the ping in progress moved the count. */
    rec->pong_pending = true;
    rec->pong_seq = pong->seq;
    rec->answered_before = ((const ping_state *)sim_state(w, 0))->answered;
    return;
  }
  if (ev->kind != SIM_EV_SEND || ev->msg_type != MSG_PING || ev->node != 0) return;
  const ping_body *ping = ev->body;
  const ping_state *client = sim_state(w, 0);
  if (rec->ping_sends < 64) rec->send_time[rec->ping_sends] = ev->time;
  if (rec->ping_sends++ == 0) rec->first_send = ev->time;
  if (ping->seq < 1024) rec->sends_of_seq[ping->seq]++;
  if (client->peer_dead)
    sim_fail(w, "silent-after-dead", "n0 sent Ping seq=%u after it declared n1 dead", ping->seq);
  else if (ping->seq == 0 || ping->seq > rec->pings)
    sim_fail(w, "valid-seq", "n0 sent Ping seq=%u; seqs run from 1 to %u", ping->seq, rec->pings);
  else if (ping->seq <= client->answered)
    sim_fail(w, "no-retry-after-answer",
             "n0 sent Ping seq=%u again although %u ping(s) were already answered", ping->seq,
             client->answered);
  else if (ping->seq < 1024 && rec->sends_of_seq[ping->seq] > rec->max_attempts)
    sim_fail(w, "bounded-retries", "n0 sent Ping seq=%u %u times; max_attempts is %u", ping->seq,
             rec->sends_of_seq[ping->seq], rec->max_attempts);
}

/* After every event: the client's counters stay within bounds, and a Pong is counted only as the
 * answer to its own ping (a late or duplicate Pong for an earlier ping must not complete the next
 * one: client_on_pong). */
static bool counted_once(sim_world *w, void *ctx, char *why, size_t cap) {
  lab00_record *rec = ctx;
  const ping_state *c = sim_state(w, 0);
  if (rec->pong_pending) {
    rec->pong_pending = false;
    if (c->answered > rec->answered_before && rec->pong_seq != rec->answered_before + 1) {
      snprintf(why, cap,
               "n0 counted a Pong for seq=%u as the answer to ping seq=%u: a late or duplicate Pong "
               "for another ping must be ignored (client_on_pong)",
               rec->pong_seq, rec->answered_before + 1);
      return false;
    }
  }
  if (c->answered > c->config.pings || (c->seq && c->answered > c->seq)) {
    snprintf(why, cap, "n0 counts %u answered pings but has only sent up to seq %u (of %u)",
             c->answered, c->seq, c->config.pings);
    return false;
  }
  if (c->done && c->answered != c->config.pings) {
    snprintf(why, cap, "n0 says done with %u of %u pings answered", c->answered, c->config.pings);
    return false;
  }
  return true;
}

typedef struct setup {
  uint32_t pings, max_attempts;
  sim_time timeout;
  sim_net_config net;
} setup;

/* Build the two-node world, install the checks, boot. */
static sim_world *build(lab_run *run, const setup *s) {
  sim_world *w = sim_create(run->seed);
  ping_config client = {.role = ROLE_CLIENT, .target = 1, .pings = s->pings, .timeout = s->timeout,
                        .max_attempts = s->max_attempts};
  ping_config server = {.role = ROLE_SERVER};
  sim_add_node(w, &ping_protocol, &client, sizeof client);
  sim_add_node(w, &ping_protocol, &server, sizeof server);
  sim_set_net(w, &s->net);
  lab00_record *rec = calloc(1, sizeof *rec);
  rec->max_attempts = s->max_attempts;
  rec->pings = s->pings;
  run->lab_data = rec;
  sim_observe(w, watch_sends, rec);
  sim_invariant(w, "counted-once", counted_once, rec);
  lab_begin(run, w);
  return w;
}

static bool client_finished(sim_world *w, void *ctx) {
  (void)ctx;
  const ping_state *c = sim_state(w, 0);
  return c->done || c->peer_dead;
}

/* Run until the client is done or gives up, or the deadline; judge that every ping was answered. */
static bool expect_all_answered(lab_run *run, sim_time deadline) {
  sim_world *w = run->world;
  lab00_record *rec = run->lab_data;
  sim_run_until(w, client_finished, NULL, deadline);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  const ping_state *c = sim_state(w, 0);
  char t[32];
  if (!c->done) {
    if (c->peer_dead && c->seq < 1024 && rec->pongs_of_seq[c->seq] == 0)
      return lab_verdict(run, false,
                         "n0 declared n1 dead at t=%s with %u of %u pings answered: all %u sends of "
                         "ping seq=%u or their answers were lost, so giving up was the rule; the "
                         "network lost %llu messages in all (too lossy for this scenario to finish)",
                         sim_format_time(sim_now(w), t, sizeof t), c->answered, c->config.pings,
                         rec->sends_of_seq[c->seq], c->seq,
                         (unsigned long long)sim_get_stats(w)->dropped_loss);
    if (c->peer_dead)
      return lab_verdict(run, false,
                         "n0 declared n1 dead at t=%s with %u of %u pings answered, but n1 was "
                         "reachable: too few attempts, or a wrong timeout?",
                         sim_format_time(sim_now(w), t, sizeof t), c->answered, c->config.pings);
    return lab_verdict(run, false, "deadline t=%s passed with %u of %u pings answered (liveness)",
                       sim_format_time(deadline, t, sizeof t), c->answered, c->config.pings);
  }
  rec->done_at = sim_now(w);
  /* Let stragglers (late pongs, duplicates) arrive: the rules must hold after done too. */
  sim_run_for(w, 2 * c->config.timeout);
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  const sim_stats *st = sim_get_stats(w);
  return lab_verdict(run, true,
                     "all %u pings answered by t=%s with %u sends (%u retries); the network lost "
                     "%llu and duplicated %llu messages",
                     c->config.pings, sim_format_time(rec->done_at, t, sizeof t), rec->ping_sends,
                     rec->ping_sends - c->config.pings, (unsigned long long)st->dropped_loss,
                     (unsigned long long)st->duplicated);
}

static sim_net_config net_of(double loss, double dup, bool fifo) {
  sim_net_config n = sim_net_default();
  n.loss = loss;
  n.duplicate = dup;
  n.fifo = fifo;
  return n;
}

static bool scenario_reliable(lab_run *run) {
  setup s = {.pings = 10, .max_attempts = 5, .timeout = 50 * SIM_MS, .net = net_of(0, 0, true)};
  build(run, &s);
  bool held = expect_all_answered(run, 5 * SIM_SEC);
  /* With no loss and a round trip under 20 ms, a 50 ms timeout never fires: no retries. */
  const lab00_record *rec = record_of(run);
  if (held && rec->ping_sends != s.pings)
    return lab_verdict(run, false, "n0 sent %u Pings for %u pings on a lossless network: a retry "
                       "before the timeout?", rec->ping_sends, s.pings);
  return held;
}

static bool scenario_lossy(lab_run *run) {
  setup s = {.pings = 20, .max_attempts = 40, .timeout = 50 * SIM_MS, .net = net_of(0.3, 0, false)};
  build(run, &s);
  return expect_all_answered(run, 60 * SIM_SEC);
}

static bool scenario_duplicates(lab_run *run) {
  setup s = {.pings = 20, .max_attempts = 40, .timeout = 30 * SIM_MS, .net = net_of(0.1, 0.5, false)};
  s.net.latency_max = 40 * SIM_MS; /* round trips longer than the timeout: late pongs happen */
  build(run, &s);
  return expect_all_answered(run, 60 * SIM_SEC);
}

static bool scenario_dead_peer(lab_run *run) {
  setup s = {.pings = 5, .max_attempts = 4, .timeout = 100 * SIM_MS, .net = net_of(0, 0, false)};
  sim_world *w = build(run, &s);
  sim_crash(w, 1); /* the server is down from the start */
  lab00_record *rec = run->lab_data;
  sim_run_until(w, client_finished, NULL, 10 * SIM_SEC);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  const ping_state *c = sim_state(w, 0);
  char t[32], gap[32], e[32];
  sim_time expected = s.max_attempts * s.timeout;
  if (!c->peer_dead)
    return lab_verdict(run, false, "n1 is down, but by t=%s n0 had not declared it dead",
                       sim_format_time(sim_now(w), t, sizeof t));
  rec->dead_at = sim_now(w);
  sim_run_for(w, 1 * SIM_SEC); /* nothing more may be sent */
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  if (rec->dead_at != expected)
    return lab_verdict(run, false,
                       "n0 declared n1 dead at t=%s; with %u attempts %s apart it should be t=%s",
                       sim_format_time(rec->dead_at, t, sizeof t), s.max_attempts,
                       sim_format_time(s.timeout, gap, sizeof gap),
                       sim_format_time(expected, e, sizeof e));
  return lab_verdict(run, true, "n0 declared the crashed n1 dead at t=%s after %u sends",
                     sim_format_time(rec->dead_at, t, sizeof t), rec->ping_sends);
}

/* The server crashes and comes back before the client's attempts run out. */
static void crash_server(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  (void)arg;
  sim_crash(w, 1);
}
static void restart_server(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  (void)arg;
  sim_restart(w, 1);
}

static bool scenario_crash_restart(lab_run *run) {
  setup s = {.pings = 10, .max_attempts = 20, .timeout = 50 * SIM_MS, .net = net_of(0.05, 0, false)};
  sim_world *w = build(run, &s);
  sim_at(w, 40 * SIM_MS, crash_server, NULL, 0);
  sim_at(w, 400 * SIM_MS, restart_server, NULL, 0);
  return expect_all_answered(run, 30 * SIM_SEC);
}

static const lab_scenario scenarios[] = {
    {"lossy", "20 pings over a network that loses 30% of messages", scenario_lossy, LAB_FIXED_NODES},
    {"reliable", "10 pings over a lossless FIFO network: no retries needed", scenario_reliable, LAB_FIXED_NODES},
    {"duplicates", "10% loss, half the messages duplicated, slow round trips", scenario_duplicates, LAB_FIXED_NODES},
    {"dead-peer", "the server is down: the client must give up after max_attempts", scenario_dead_peer, LAB_FIXED_NODES},
    {"crash-restart", "the server crashes at 40ms and restarts at 400ms", scenario_crash_restart, LAB_FIXED_NODES},
};

const lab_info lab00 = {
    .id = "00-messaging",
    .title = "the network is not a function call",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
