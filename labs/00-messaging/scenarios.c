/*
 * labs/00-messaging/scenarios.c: lab 00's scenarios, shared by the driver and the tests.
 *
 * Every scenario is one client (n0) pinging one server (n1) under some network and some faults.
 * While it runs, an observer watches every Ping the client sends and stops the run at the first
 * broken rule (a retry of a ping already answered, a send after the server was declared dead,
 * more sends of one ping than max_attempts, a retry sooner than one timeout after the previous
 * send, an attempt number that is not the send's number). At the end the scenario judges
 * liveness: were all pings answered by the deadline, or was the dead server reported when it
 * should have been? Verdicts count the network's drops by reason (loss, partition, dead node).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* What the observer keeps besides the record the tests read. The record comes first, so
 * run->lab_data points at both, and lab_end frees them as one block. */
typedef struct watch {
  lab00_record rec;
  sim_time timeout;       /* the client's timeout: the least time between two sends of one ping */
  uint32_t last_seq;      /* seq of n0's latest Ping since it (re)booted, 0 before the first */
  uint32_t sends_of_ping; /* sends of last_seq so far: the attempt number of the latest */
  sim_time last_true;     /* when that Ping was sent (true time) */
  bool last_clock_true;   /* n0's clock read the true time then (clock_true) */
} watch;

static const lab00_record *record_of(const lab_run *run) { return run->lab_data; }

/* A time to the microsecond ("42.882ms", "1.250000s"): sim_format_time rounds to 0.1ms, too
 * coarse to compare two sends a few microseconds apart. Returns buf. */
static const char *exact_time(sim_time t, char *buf, size_t cap) {
  if (t >= SIM_SEC)
    snprintf(buf, cap, "%llu.%06llus", (unsigned long long)(t / SIM_SEC),
             (unsigned long long)(t % SIM_SEC));
  else
    snprintf(buf, cap, "%llu.%03llums", (unsigned long long)(t / SIM_MS),
             (unsigned long long)(t % SIM_MS));
  return buf;
}

/* Does n0's clock read the true time (within 2us)? Only then do its timers run at true speed. */
static bool clock_true(sim_time now, sim_time clock) {
  return (clock > now ? clock - now : now - clock) <= 2 * SIM_US;
}

/* Was a resend early? A timer runs on its node's own clock. While n0's clock reads the true time,
 * a correct client resends exactly one timeout after the previous send (4us of slack covers a
 * drift too small to show on the clock yet). A fault schedule that skews or drifts n0's clock
 * (--nemesis "0 drift 0 500ppm") makes the gaps in true time unequal: the rule then stands down. */
static bool resent_early(const watch *wt, sim_time now, sim_time clock) {
  return wt->last_clock_true && clock_true(now, clock) &&
         now - wt->last_true + 4 * SIM_US < wt->timeout;
}

/* Observe every Ping the client sends and check the client's rules at that moment. */
static void watch_sends(sim_world *w, const sim_event *ev, void *ctx) {
  watch *wt = ctx;
  lab00_record *rec = &wt->rec;
  if ((ev->kind == SIM_EV_BOOT || ev->kind == SIM_EV_RESTART) && ev->node == 0) {
    wt->last_seq = 0; /* a (re)booted client starts again from ping 1 */
    wt->sends_of_ping = 0;
    return;
  }
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
  sim_time clock = sim_node_clock(w, 0);
  bool resend = ping->seq == wt->last_seq;
  bool early = resend && resent_early(wt, ev->time, clock);
  sim_time prev = wt->last_true;
  wt->sends_of_ping = resend ? wt->sends_of_ping + 1 : 1;
  wt->last_seq = ping->seq;
  wt->last_true = ev->time;
  wt->last_clock_true = clock_true(ev->time, clock);
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
  else if (early) {
    char t[32], gap[32], before[32], timeout[32];
    sim_fail(w, "retry-spacing",
             "n0 resent Ping seq=%u at t=%s, only %s after its previous send (t=%s); a retry "
             "waits one full timeout (%s) (is more than one retry timer running? cancel it when "
             "the pong arrives, ignore stale ones: client_on_pong / client_on_timeout)",
             ping->seq, exact_time(ev->time, t, sizeof t),
             exact_time(ev->time - prev, gap, sizeof gap), exact_time(prev, before, sizeof before),
             sim_format_time(wt->timeout, timeout, sizeof timeout));
  } else if (ping->seq < 1024 && rec->sends_of_seq[ping->seq] > rec->max_attempts)
    sim_fail(w, "bounded-retries", "n0 sent Ping seq=%u %u times; max_attempts is %u", ping->seq,
             rec->sends_of_seq[ping->seq], rec->max_attempts);
  else if (ping->attempt != wt->sends_of_ping)
    sim_fail(w, "attempt-number",
             "n0 sent Ping seq=%u attempt=%u, but it is send %u of that ping: attempt counts the "
             "sends of one ping, from 1 (set s->attempts before ping_send: 1 for the first send in "
             "client_start / client_on_pong, one more for each resend in client_on_timeout)",
             ping->seq, ping->attempt, wt->sends_of_ping);
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
      snprintf(
          why, cap,
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
  ping_config client = {.role = ROLE_CLIENT,
                        .target = 1,
                        .pings = s->pings,
                        .timeout = s->timeout,
                        .max_attempts = s->max_attempts};
  ping_config server = {.role = ROLE_SERVER};
  sim_add_node(w, &ping_protocol, &client, sizeof client);
  sim_add_node(w, &ping_protocol, &server, sizeof server);
  sim_set_net(w, &s->net);
  watch *wt = calloc(1, sizeof *wt);
  wt->rec.max_attempts = s->max_attempts;
  wt->rec.pings = s->pings;
  wt->timeout = s->timeout;
  run->lab_data = wt;
  sim_observe(w, watch_sends, wt);
  sim_invariant(w, "counted-once", counted_once, &wt->rec);
  lab_begin(run, w);
  return w;
}

static bool client_finished(sim_world *w, void *ctx) {
  (void)ctx;
  const ping_state *c = sim_state(w, 0);
  return c->done || c->peer_dead;
}

/* "dropped 12 messages (2 by loss, 10 by a partition, 0 at a dead node)": the network's drops so
 * far, by reason (sim_stats; the trace's drop events say the same in "why"). Returns buf. */
static const char *format_drops(const sim_world *w, char *buf, size_t cap) {
  const sim_stats *st = sim_get_stats(w);
  snprintf(buf, cap,
           "dropped %llu messages (%llu by loss, %llu by a partition, %llu at a dead node)",
           (unsigned long long)(st->dropped_loss + st->dropped_partition + st->dropped_dead),
           (unsigned long long)st->dropped_loss, (unsigned long long)st->dropped_partition,
           (unsigned long long)st->dropped_dead);
  return buf;
}

/* The verdict for a client that declared its server dead in a scenario where it should not have
 * had to: say whether the rule allowed it (every send went unanswered, and the network dropped
 * enough to explain that) or which function to look at. */
static bool judge_gave_up(lab_run *run) {
  sim_world *w = run->world;
  const lab00_record *rec = run->lab_data;
  const ping_state *c = sim_state(w, 0);
  char t[32], drops[160], span[32];
  sim_format_time(sim_now(w), t, sizeof t);
  format_drops(w, drops, sizeof drops);
  uint32_t seq = c->seq < 1024 ? c->seq : 0, sends = rec->sends_of_seq[seq];
  const sim_stats *st = sim_get_stats(w);
  uint64_t dropped = st->dropped_loss + st->dropped_partition + st->dropped_dead;
  if (rec->pongs_of_seq[seq] > 0)
    return lab_verdict(run, false,
                       "n0 declared n1 dead at t=%s with %u of %u pings answered, but %u Pong(s) "
                       "for the ping in progress (seq=%u) had reached it: the first Pong for the "
                       "ping in progress must count (client_on_pong)",
                       t, c->answered, c->config.pings, rec->pongs_of_seq[seq], seq);
  if (sends < c->config.max_attempts)
    return lab_verdict(run, false,
                       "n0 declared n1 dead at t=%s after only %u send(s) of ping seq=%u; "
                       "max_attempts is %u: give up when the timer fires after the last allowed "
                       "send, not before (client_on_timeout)",
                       t, sends, seq, c->config.max_attempts);
  sim_format_time(c->config.max_attempts * c->config.timeout, span, sizeof span);
  if (dropped >= sends)
    return lab_verdict(run, false,
                       "n0 declared n1 dead at t=%s with %u of %u pings answered: none of the %u "
                       "sends of ping seq=%u was answered, so giving up was the rule: in the run "
                       "the network %s, too many for %u attempts over %s (max_attempts x timeout) "
                       "to ride out",
                       t, c->answered, c->config.pings, sends, seq, drops, c->config.max_attempts,
                       span);
  return lab_verdict(run, false,
                     "n0 declared n1 dead at t=%s with %u of %u pings answered: none of the %u "
                     "sends of ping seq=%u was answered, yet in the whole run the network only %s, "
                     "fewer than those sends: answers were still on their way (a round trip longer "
                     "than the timeout?), or never sent (server_on_ping)",
                     t, c->answered, c->config.pings, sends, seq, drops);
}

/* Run until the client is done or gives up, or the deadline; judge that every ping was answered. */
static bool expect_all_answered(lab_run *run, sim_time deadline) {
  sim_world *w = run->world;
  lab00_record *rec = run->lab_data;
  sim_run_until(w, client_finished, NULL, deadline);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  const ping_state *c = sim_state(w, 0);
  char t[32], drops[160];
  if (!c->done && c->peer_dead) return judge_gave_up(run);
  if (!c->done)
    return lab_verdict(run, false, "deadline t=%s passed with %u of %u pings answered (liveness)",
                       sim_format_time(deadline, t, sizeof t), c->answered, c->config.pings);
  rec->done_at = sim_now(w);
  /* Let stragglers (late pongs, duplicates) arrive: the rules must hold after done too. */
  sim_run_for(w, 2 * c->config.timeout);
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  return lab_verdict(run, true,
                     "all %u pings answered by t=%s with %u sends (%u retries); the network %s "
                     "and duplicated %llu",
                     c->config.pings, sim_format_time(rec->done_at, t, sizeof t), rec->ping_sends,
                     rec->ping_sends - c->config.pings, format_drops(w, drops, sizeof drops),
                     (unsigned long long)sim_get_stats(w)->duplicated);
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
  /* With no loss and a round trip under 20 ms, a 50 ms timeout never fires: no retries. Faults
   * added with --loss or --nemesis void that promise, so then only the rules are judged. */
  const lab00_record *rec = record_of(run);
  bool own_network = !run->loss_set && !(run->nemesis && run->nemesis[0]);
  if (held && own_network && rec->ping_sends != s.pings)
    return lab_verdict(run, false,
                       "n0 sent %u Pings for %u pings on a lossless network whose round trips "
                       "(under 20ms) never outlast the timeout (50ms): every ping needs one send "
                       "(a retry timer left running? cancel it in client_on_pong)",
                       rec->ping_sends, s.pings);
  return held;
}

static bool scenario_lossy(lab_run *run) {
  setup s = {.pings = 20, .max_attempts = 40, .timeout = 50 * SIM_MS, .net = net_of(0.3, 0, false)};
  build(run, &s);
  return expect_all_answered(run, 60 * SIM_SEC);
}

static bool scenario_duplicates(lab_run *run) {
  setup s = {
      .pings = 20, .max_attempts = 40, .timeout = 30 * SIM_MS, .net = net_of(0.1, 0.5, false)};
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
    return lab_verdict(
        run, false, "n0 declared n1 dead at t=%s; with %u attempts %s apart it should be t=%s",
        sim_format_time(rec->dead_at, t, sizeof t), s.max_attempts,
        sim_format_time(s.timeout, gap, sizeof gap), sim_format_time(expected, e, sizeof e));
  return lab_verdict(run, true, "n0 declared the crashed n1 dead at t=%s after %u sends",
                     sim_format_time(rec->dead_at, t, sizeof t), rec->ping_sends);
}

/* The server crashes and comes back before the client's attempts run out. */
static bool scenario_crash_restart(lab_run *run) {
  setup s = {
      .pings = 10, .max_attempts = 20, .timeout = 50 * SIM_MS, .net = net_of(0.05, 0, false)};
  sim_world *w = build(run, &s);
  sim_crash_at(w, 40 * SIM_MS, 1);
  sim_restart_at(w, 400 * SIM_MS, 1);
  return expect_all_answered(run, 30 * SIM_SEC);
}

/* Each summary names the client's timeout and max_attempts, as its setup gives them. */
static const lab_scenario scenarios[] = {
    {"lossy", "20 pings, 30% of messages lost; timeout 50ms, max_attempts 40", scenario_lossy,
     LAB_FIXED_NODES},
    {"reliable", "10 pings, lossless FIFO network: no retries needed; timeout 50ms, max_attempts 5",
     scenario_reliable, LAB_FIXED_NODES},
    {"duplicates",
     "20 pings, 10% lost, half duplicated, round trips up to 80ms; timeout 30ms, max_attempts 40",
     scenario_duplicates, LAB_FIXED_NODES},
    {"dead-peer",
     "5 pings to a server that is down: give up at 400ms; timeout 100ms, max_attempts 4",
     scenario_dead_peer, LAB_FIXED_NODES},
    {"crash-restart",
     "10 pings, 5% lost; the server is down from 40ms to 400ms; timeout 50ms, max_attempts 20",
     scenario_crash_restart, LAB_FIXED_NODES},
};

const lab_info lab00 = {
    .id = "00-messaging",
    .title = "the network is not a function call",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
