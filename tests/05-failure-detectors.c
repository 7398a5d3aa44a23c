/*
 * tests/05-failure-detectors.c: lab 05's tests: a fixed timeout, phi accrual, and SWIM.
 *
 * First one case per rule, on hand-made state, so a learner sees which rule is wrong: the fixed
 * timeout's two rules; the phi window and the phi formula on numbers worked out by hand; then
 * SWIM's probe order, probe, ping-req, acks, the incarnation rules of Section 4.2, refutation,
 * the suspicion timeout and the piggyback buffer, each on a small world whose nodes are handed
 * calls by sim_poke while their own timers are switched off. Then seed sweeps of the driver's
 * scenarios, judged by scenarios.c after every event against the library's ground truth:
 * completeness within bounds derived from each detector's parameters, accuracy counted and
 * compared between the detectors, SWIM's refutation and its constant message load.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * Part 1: the fixed timeout.
 */

/* Rule: an arrival is remembered for its sender only. */
static void fixed_records_arrival(void *arg) {
  (void)arg;
  hb_detector d;
  memset(&d, 0, sizeof d);
  hb_on_heartbeat(&d, 3, 1500 * SIM_MS);
  tap_is_int((int64_t)d.last[3], (int64_t)(1500 * SIM_MS),
             "a heartbeat from n3 at 1.5s: last[3] is 1.5s (hb_on_heartbeat)");
  tap_is_int((int64_t)d.last[2], 0, "last[2] is untouched: each peer has its own silence");
  hb_on_heartbeat(&d, 3, 1600 * SIM_MS);
  tap_is_int((int64_t)d.last[3], (int64_t)(1600 * SIM_MS), "the next one at 1.6s replaces it");
}

/* Rule: suspect after strictly more than the timeout of silence, never before. */
static void fixed_timeout_rule(void *arg) {
  (void)arg;
  hb_detector d;
  memset(&d, 0, sizeof d);
  d.last[1] = 1 * SIM_SEC;
  sim_time t = 250 * SIM_MS;
  tap_ok(!hb_suspect(&d, 1, 1 * SIM_SEC + 100 * SIM_MS, t),
         "heard 100ms ago, timeout 250ms: not suspected");
  tap_ok(!hb_suspect(&d, 1, 1 * SIM_SEC + t, t),
         "heard exactly 250ms ago: not suspected yet (the rule says more than the timeout)");
  tap_ok(hb_suspect(&d, 1, 1 * SIM_SEC + t + 1, t), "heard 250ms + 1us ago: suspected");
  tap_ok(hb_suspect(&d, 2, 1 * SIM_SEC, t),
         "n2, never heard from since boot (last = 0), at t=1s: suspected");
  tap_ok(!hb_suspect(&d, 1, 500 * SIM_MS, t),
         "a clock reading before the last arrival is no silence at all: not suspected");
}

/* ---------------------------------------------------------------------------------------------
 * Part 2: phi accrual.
 */

static phi_window window_of(const sim_time *gaps, int count) {
  phi_window w;
  memset(&w, 0, sizeof w);
  for (int i = 0; i < count; i++) w.samples[i] = gaps[i];
  w.count = (uint32_t)count;
  w.next = (uint32_t)count % PHI_WINDOW;
  w.heard = true;
  return w;
}

/* Rule: the first arrival only starts the clock; later ones add now - last. */
static void phi_records_intervals(void *arg) {
  (void)arg;
  phi_window w;
  memset(&w, 0, sizeof w);
  phi_record(&w, 1000 * SIM_MS);
  tap_ok(w.heard, "after the first arrival, heard is set");
  tap_is_int((int64_t)w.last, (int64_t)(1000 * SIM_MS), "and last is its time (1s)");
  tap_is_int(w.count, 0, "one arrival is not an interval: no sample yet");
  phi_record(&w, 1100 * SIM_MS);
  phi_record(&w, 1250 * SIM_MS);
  tap_is_int(w.count, 2, "arrivals at 1s, 1.1s, 1.25s give two samples");
  tap_is_int((int64_t)w.samples[0], (int64_t)(100 * SIM_MS), "the first sample is 100ms");
  tap_is_int((int64_t)w.samples[1], (int64_t)(150 * SIM_MS), "the second is 150ms");
  tap_is_int((int64_t)w.last, (int64_t)(1250 * SIM_MS), "last is the latest arrival");
  tap_is_int(w.next, 2, "next points past the newest sample");
}

/* Rule: a sliding window of the latest PHI_WINDOW samples. */
static void phi_window_slides(void *arg) {
  (void)arg;
  phi_window w;
  memset(&w, 0, sizeof w);
  sim_time t = 0;
  phi_record(&w, t);
  /* PHI_WINDOW samples of 10ms, then 5 of 90ms: the 5 oldest 10ms ones must go. */
  for (int i = 0; i < PHI_WINDOW; i++) phi_record(&w, t += 10 * SIM_MS);
  tap_is_int(w.count, PHI_WINDOW, "after %d intervals the window is full", PHI_WINDOW);
  tap_is_int(w.next, 0, "and next has wrapped to 0 (the oldest sample)");
  for (int i = 0; i < 5; i++) phi_record(&w, t += 90 * SIM_MS);
  tap_is_int(w.count, PHI_WINDOW, "more arrivals keep the count at %d", PHI_WINDOW);
  int big = 0;
  sim_time sum = 0;
  for (int i = 0; i < PHI_WINDOW; i++) {
    big += w.samples[i] == 90 * SIM_MS;
    sum += w.samples[i];
  }
  tap_is_int(big, 5, "the window holds the 5 new 90ms samples");
  tap_is_int((int64_t)sum, (int64_t)((PHI_WINDOW - 5) * 10 * SIM_MS + 5 * 90 * SIM_MS),
             "and the %d latest 10ms ones: the oldest were replaced", PHI_WINDOW - 5);
  tap_is_int(w.next, 5, "next is at 5, the oldest sample left");
}

static bool near(double got, double want, double tol) { return fabs(got - want) <= tol; }

/* Rule: phi = -log10(P_later(t)) for the normal fit. The window {90, 110, 90, 110} ms has mean
 * 100ms and (population) deviation 10ms; the values below come from the normal table:
 * P(Z > -2) = 0.97725, P(Z > 0) = 0.5, P(Z > 2) = 0.022750, P(Z > 3) = 0.0013499. */
static void phi_formula(void *arg) {
  (void)arg;
  const sim_time gaps[4] = {90 * SIM_MS, 110 * SIM_MS, 90 * SIM_MS, 110 * SIM_MS};
  phi_window w = window_of(gaps, 4);
  w.last = 5 * SIM_SEC;
  sim_time floor = 1 * SIM_MS;
  struct {
    sim_time silence;
    double phi;
  } table[] = {{80 * SIM_MS, 0.0099944},
               {100 * SIM_MS, 0.3010300},
               {120 * SIM_MS, 1.6430094},
               {130 * SIM_MS, 2.8697146}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    double got = phi_value(&w, w.last + table[i].silence, floor);
    tap_ok(near(got, table[i].phi, 1e-4),
           "mean 100ms, deviation 10ms, silence %.0fms: phi must be %.4f, got %.4f (is sigma the "
           "population deviation, sqrt(sum (x - mean)^2 / count)? is P_later 0.5 * erfc((t - mean) "
           "/ (sigma * sqrt 2))?)",
           (double)table[i].silence / 1000, table[i].phi, got);
  }
  tap_ok(near(phi_value(&w, w.last, floor), -log10(0.5 * erfc(-10.0 / sqrt(2.0))), 1e-6),
         "silence 0 (a heartbeat just came): phi is about 0");
}

/* Rules: the deviation floor, an empty window, a clock before `last`, a long silence. */
static void phi_edges(void *arg) {
  (void)arg;
  const sim_time same[4] = {100 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS, 100 * SIM_MS};
  phi_window w = window_of(same, 4);
  w.last = 1 * SIM_SEC;
  double got = phi_value(&w, w.last + 120 * SIM_MS, 10 * SIM_MS);
  tap_ok(near(got, 1.6430094, 1e-4),
         "all samples 100ms (deviation 0), floor 10ms, silence 120ms: sigma is raised to the "
         "floor, phi = 1.6430, got %.4f",
         got);
  phi_window empty;
  memset(&empty, 0, sizeof empty);
  tap_ok(phi_value(&empty, 5 * SIM_SEC, 10 * SIM_MS) == 0.0, "a window with no sample gives 0");
  tap_ok(phi_value(&w, w.last - 50 * SIM_MS, 10 * SIM_MS) < 0.01,
         "a clock reading before last counts as no silence: phi about 0");
  double prev = -1;
  bool rising = true;
  for (sim_time s = 0; s <= 400 * SIM_MS; s += 10 * SIM_MS) {
    double v = phi_value(&w, w.last + s, 10 * SIM_MS);
    if (v < prev || v < 0) rising = false;
    prev = v;
  }
  tap_ok(rising, "phi never falls and is never negative as the silence grows (0..400ms)");
  double huge = phi_value(&w, w.last + 10 * SIM_SEC, 10 * SIM_MS);
  tap_ok(huge == PHI_MAX,
         "after 10s of silence P_later underflows: phi is PHI_MAX (%.0f), not inf or NaN; got %g",
         PHI_MAX, huge);
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: SWIM, on a small world whose timers are switched off. Nodes are handed calls with
 * sim_poke; an observer logs every message sent.
 */
typedef struct sent {
  int from, to, type;
  swim_msg msg;
} sent;

typedef struct group {
  sim_world *w;
  int count;
  sent log[64];
} group;

static void log_sends(sim_world *w, const sim_event *ev, void *ctx) {
  (void)w;
  group *g = ctx;
  if (ev->kind != SIM_EV_SEND || g->count >= 64) return;
  sent *s = &g->log[g->count++];
  s->from = ev->node;
  s->to = ev->peer;
  s->type = ev->msg_type;
  memcpy(&s->msg, ev->body, sizeof s->msg);
}

static void stop_timers(sim_node *n, void *state, void *arg) {
  (void)state;
  (void)arg;
  for (int k = 0; k < TIMER_KIND_COUNT; k++) sim_timer_cancel_kind(n, k);
}

static fd_config swim_config(void) {
  fd_config c = {.mode = FD_MODE_SWIM,
                 .period = 100 * SIM_MS,
                 .ping_timeout = 40 * SIM_MS,
                 .k = 3,
                 .suspicion_timeout = 500 * SIM_MS,
                 .retransmit_mult = 3};
  return c;
}

static void group_start(group *g, int nodes) {
  g->w = sim_create(1);
  g->count = 0;
  fd_config c = swim_config();
  for (int i = 0; i < nodes; i++) sim_add_node(g->w, &fd_protocol, &c, sizeof c);
  sim_observe(g->w, log_sends, g);
  sim_start(g->w);
  for (int i = 0; i < nodes; i++) sim_poke(g->w, i, stop_timers, NULL);
}

static fd_state *node_state(group *g, int i) { return sim_state_mut(g->w, i); }

/* What a poke hands to a node. */
typedef struct hand {
  int from;
  uint32_t seq;
  int member;
  swim_msg msg;
  swim_update u;
  uint64_t timer; /* do_timer_id_pending: the timer id to ask about */
  bool result;
  int targets[64];
  int target_count;
} hand;

static void do_next_targets(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  for (int i = 0; i < h->target_count; i++)
    h->targets[i] = swim_next_target(n, &((fd_state *)s)->swim);
}
static void do_period(sim_node *n, void *s, void *arg) {
  (void)arg;
  swim_on_period(n, s);
}
static void do_ping_timeout(sim_node *n, void *s, void *arg) {
  swim_on_ping_timeout(n, s, ((hand *)arg)->seq);
}
static void do_ping(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  swim_on_ping(n, &((fd_state *)s)->swim, h->from, &h->msg);
}
static void do_ping_req(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  swim_on_ping_req(n, &((fd_state *)s)->swim, h->from, &h->msg);
}
static void do_ack(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  swim_on_ack(n, &((fd_state *)s)->swim, h->from, &h->msg);
}
static void do_apply(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  h->result = swim_apply(n, s, &h->u);
}
static void do_suspect_timeout(sim_node *n, void *s, void *arg) {
  swim_on_suspect_timeout(n, s, ((hand *)arg)->member);
}
/* Is the member's suspicion timer pending? (Cancelling it is how to ask; it is set again.) */
static void do_timer_pending(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  swim_member *m = &((fd_state *)s)->swim.members[h->member];
  h->result = sim_timer_cancel(n, m->suspect_timer);
  if (h->result)
    m->suspect_timer = sim_timer_set(n, TIMER_SUSPECT, ((fd_state *)s)->config.suspicion_timeout,
                                     (uint64_t)h->member);
}

/* Is timer h->timer pending? Asked the same way; when it is the member's suspect_timer, the
 * replacement takes its place there. */
static void do_timer_id_pending(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  swim_member *m = &((fd_state *)s)->swim.members[h->member];
  h->result = sim_timer_cancel(n, h->timer);
  if (!h->result) return;
  uint64_t again = sim_timer_set(n, TIMER_SUSPECT, ((fd_state *)s)->config.suspicion_timeout,
                                 (uint64_t)h->member);
  if (m->suspect_timer == h->timer) m->suspect_timer = again;
  h->timer = again;
}

static const char *status_name(uint32_t s) {
  return s == SWIM_ALIVE ? "ALIVE" : s == SWIM_SUSPECT ? "SUSPECT" : s == SWIM_DEAD ? "DEAD" : "?";
}

static const char *type_name(int type) {
  return type == MSG_PING       ? "Ping"
         : type == MSG_PING_REQ ? "PingReq"
         : type == MSG_ACK      ? "Ack"
                                : "Heartbeat";
}

/* "not live" or "live, n2 ALIVE at 3": what a rumour slot holds, for a diagnostic. */
static const char *rumour_text(const swim_rumour *r, char *out, size_t cap) {
  if (!r->live)
    snprintf(out, cap, "not live");
  else
    snprintf(out, cap, "live, n%d %s at %u", r->update.member, status_name(r->update.status),
             r->update.incarnation);
  return out;
}

/* "Ping to n3, seq 4, target n3, requester n0, 0 rumours": one logged message, for a
 * diagnostic. */
static const char *sent_text(const sent *m, char *out, size_t cap) {
  snprintf(out, cap, "%s to n%d, seq %u, target n%d, requester n%d, %u rumour(s)",
           type_name(m->type), m->to, m->msg.seq, m->msg.target, m->msg.requester,
           m->msg.update_count);
  return out;
}

/* Rule (Section 4.3): each traversal visits every other live member exactly once, in a shuffled
 * order; self and dead members are never probed. */
static void swim_round_robin(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 6);
  hand h = {.target_count = 15};
  sim_poke(g.w, 2, do_next_targets, &h);
  bool ok = true;
  char order[256] = "";
  size_t at = 0;
  for (int i = 0; i < 15; i++)
    at += (size_t)snprintf(order + at, sizeof order - at, "%s%d", i ? " " : "", h.targets[i]);
  for (int round = 0; round < 3 && ok; round++) {
    bool seen[FD_MAX_NODES] = {false};
    for (int i = 0; i < 5; i++) {
      int t = h.targets[round * 5 + i];
      if (t < 0 || t >= 6 || t == 2 || seen[t]) ok = false;
      if (t >= 0 && t < FD_MAX_NODES) seen[t] = true;
    }
  }
  tap_ok(ok,
         "n2 of 6: every 5 calls must visit n0, n1, n3, n4, n5 once each (round-robin over the "
         "others, swim_next_target); got %s",
         order);
  bool same = true;
  for (int i = 0; i < 5; i++)
    same = same && h.targets[i] == h.targets[5 + i] && h.targets[i] == h.targets[10 + i];
  tap_ok(!same,
         "the list is shuffled again for each traversal (three identical orders in a row: "
         "is it rebuilt and shuffled with sim_random_below when the walk ends?)");
  /* n4 dies: it must not come up again, even in the traversal under way. */
  node_state(&g, 2)->swim.members[4].status = SWIM_DEAD;
  h.target_count = 12;
  sim_poke(g.w, 2, do_next_targets, &h);
  bool no_dead = true;
  for (int i = 0; i < 12; i++) no_dead = no_dead && h.targets[i] != 4 && h.targets[i] >= 0;
  tap_ok(no_dead,
         "once n4 is DEAD, the next 12 targets never include it (nor -1 while others live)");
  for (int i = 0; i < 6; i++)
    if (i != 2) node_state(&g, 2)->swim.members[i].status = SWIM_DEAD;
  h.target_count = 2;
  sim_poke(g.w, 2, do_next_targets, &h);
  tap_is_int(h.targets[0], -1, "with every other member DEAD there is no one to probe: -1");
  sim_destroy(g.w);
}

/* Rule (Sections 3.1, 4.2): a period pings the next target and sets the ping timeout; at the next
 * period, no ack means the target becomes a suspect at the incarnation known for it. */
static void swim_probe_and_suspect(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 4);
  fd_state *s = node_state(&g, 0);
  s->swim.members[1].incarnation = 2;
  s->swim.members[2].incarnation = 2;
  s->swim.members[3].incarnation = 2;
  sim_poke(g.w, 0, do_period, NULL);
  s = node_state(&g, 0);
  int target = s->swim.target;
  tap_ok(target >= 1 && target <= 3, "after a period n0 has a target among n1..n3 (got %d)",
         target);
  tap_ok(g.count == 1 && g.log[0].type == MSG_PING && g.log[0].to == target,
         "and sent exactly one Ping, to it (%d message(s) sent)", g.count);
  uint32_t seq = s->swim.probe_seq;
  if (g.count >= 1) {
    tap_is_int(g.log[0].msg.seq, seq, "the Ping carries the probe's seq");
    tap_is_int(g.log[0].msg.requester, 0, "and requester = n0");
    tap_is_int(g.log[0].msg.target, target, "and target = the member probed");
  }
  tap_ok(!s->swim.acked, "acked is clear for the new probe");
  /* No ack came: the next period suspects the target. */
  sim_poke(g.w, 0, do_period, NULL);
  s = node_state(&g, 0);
  if (target >= 1 && target <= 3) {
    tap_is_str(status_name(s->swim.members[target].status), "SUSPECT",
               "no ack by the next period: n%d is SUSPECT at n0", target);
    tap_is_int(s->swim.members[target].incarnation, 2,
               "at the incarnation n0 knew for it (2): only the member itself may change it");
  }
  tap_is_int(s->swim.probe_seq, seq + 1, "the new probe has the next seq");
  /* Acked this time: the next period suspects nobody new. */
  int second = s->swim.target;
  s->swim.acked = true;
  sim_poke(g.w, 0, do_period, NULL);
  s = node_state(&g, 0);
  if (second >= 1 && second <= 3 && second != target)
    tap_is_str(status_name(s->swim.members[second].status), "ALIVE",
               "an acked probe leaves its target (n%d) ALIVE", second);
  sim_destroy(g.w);
}

/* Rule (Section 3.1): no ack within the ping timeout: PingReq to k distinct random members, never
 * the target, self or a dead member; only for the current, unanswered probe. */
static void swim_ping_req_helpers(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 8);
  fd_state *s = node_state(&g, 0);
  s->swim.target = 5;
  s->swim.probe_seq = 7;
  s->swim.acked = false;
  s->swim.members[6].status = SWIM_DEAD;
  hand h = {.seq = 7};
  sim_poke(g.w, 0, do_ping_timeout, &h);
  tap_is_int(g.count, 3, "k=3: three PingReqs");
  bool seen[FD_MAX_NODES] = {false};
  bool ok = true;
  for (int i = 0; i < g.count; i++) {
    const sent *m = &g.log[i];
    ok = ok && tap_ok(m->type == MSG_PING_REQ, "message %d is a PingReq", i + 1) &&
         tap_ok(m->to != 0 && m->to != 5 && m->to != 6,
                "PingReq %d goes to n%d: never to self (n0), the target (n5) or a DEAD member (n6)",
                i + 1, m->to) &&
         tap_ok(!seen[m->to], "PingReq %d goes to n%d, a helper not asked already", i + 1, m->to) &&
         tap_ok(m->msg.target == 5 && m->msg.seq == 7 && m->msg.requester == 0,
                "it asks for target n5, seq 7, requester n0 (got n%d, %u, n%d)", m->msg.target,
                m->msg.seq, m->msg.requester);
    if (m->to >= 0 && m->to < FD_MAX_NODES) seen[m->to] = true;
  }
  /* Over many timeouts every eligible helper gets picked: the choice is random, not fixed. */
  int picked[FD_MAX_NODES] = {0};
  for (int r = 0; r < 40; r++) {
    g.count = 0;
    sim_poke(g.w, 0, do_ping_timeout, &h);
    for (int i = 0; i < g.count; i++) picked[g.log[i].to]++;
  }
  tap_ok(picked[1] && picked[2] && picked[3] && picked[4] && picked[7],
         "over 40 timeouts each of n1, n2, n3, n4, n7 is picked at least once (random helpers): "
         "%d %d %d %d %d",
         picked[1], picked[2], picked[3], picked[4], picked[7]);
  /* A stale timeout (an older seq) or an answered probe sends nothing. */
  g.count = 0;
  h.seq = 6;
  sim_poke(g.w, 0, do_ping_timeout, &h);
  tap_is_int(g.count, 0, "the timeout of an older probe (seq 6) sends nothing");
  node_state(&g, 0)->swim.acked = true;
  h.seq = 7;
  sim_poke(g.w, 0, do_ping_timeout, &h);
  tap_is_int(g.count, 0, "an answered probe sends no PingReq");
  /* Fewer candidates than k: all of them. Three nodes: only n1 can help with target n2. */
  sim_destroy(g.w);
  group_start(&g, 3);
  s = node_state(&g, 0);
  s->swim.target = 2;
  s->swim.probe_seq = 1;
  h.seq = 1;
  sim_poke(g.w, 0, do_ping_timeout, &h);
  tap_ok(g.count == 1 && g.log[0].to == 1,
         "3 members, target n2: the only possible helper, n1, gets the one PingReq (%d sent)",
         g.count);
  sim_destroy(g.w);
}

/* Rules (Section 3.1): a Ping is answered with an Ack echoing seq and requester; a helper pings
 * the target for the requester and relays the target's Ack to it. */
static void swim_ack_and_relay(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 4);
  hand h = {.from = 1, .msg = {.seq = 9, .target = 3, .requester = 1}};
  sim_poke(g.w, 3, do_ping, &h);
  bool one = tap_is_int(g.count, 1, "n3 answers a Ping with one message");
  if (one) {
    tap_ok(g.log[0].type == MSG_ACK && g.log[0].to == 1, "an Ack, back to the sender n1");
    tap_ok(g.log[0].msg.seq == 9 && g.log[0].msg.requester == 1 && g.log[0].msg.target == 3,
           "echoing seq 9 and requester n1, with target = n3 itself (got %u, n%d, n%d)",
           g.log[0].msg.seq, g.log[0].msg.requester, g.log[0].msg.target);
  }
  /* n2 is asked by n0 to probe n3. */
  g.count = 0;
  h = (hand){.from = 0, .msg = {.seq = 4, .target = 3, .requester = 0}};
  sim_poke(g.w, 2, do_ping_req, &h);
  one = tap_is_int(g.count, 1, "a helper (n2) handed a PingReq sends one message");
  char got[128];
  if (one)
    tap_ok(g.log[0].type == MSG_PING && g.log[0].to == 3 && g.log[0].msg.seq == 4 &&
               g.log[0].msg.requester == 0,
           "n2, handed n0's PingReq for n3 (seq 4), must send a Ping to the target n3 with the "
           "request's seq 4 and requester n0 (swim_on_ping_req); got: %s",
           sent_text(&g.log[0], got, sizeof got));
  /* n3's Ack (requester n0, with a rumour of n3's) comes to n2, which is not the requester: it
   * relays it to n0, without n3's rumour (n2 has no rumour of its own to add). */
  g.count = 0;
  h = (hand){.from = 3,
             .msg = {.seq = 4,
                     .target = 3,
                     .requester = 0,
                     .update_count = 1,
                     .updates = {{.member = 1, .status = SWIM_SUSPECT, .incarnation = 0}}}};
  sim_poke(g.w, 2, do_ack, &h);
  one = tap_is_int(g.count, 1, "the helper relays the target's Ack: one message");
  if (one) {
    tap_ok(g.log[0].type == MSG_ACK && g.log[0].to == 0 && g.log[0].msg.seq == 4 &&
               g.log[0].msg.target == 3 && g.log[0].msg.requester == 0,
           "n2, handed n3's Ack for n0's probe (seq 4), must relay an Ack to the requester n0 with "
           "seq 4, target n3, requester n0 (swim_on_ack); got: %s",
           sent_text(&g.log[0], got, sizeof got));
    tap_is_int(g.log[0].msg.update_count, 0,
               "the relayed Ack drops the target's rumours (update_count = 0) and lets swim_send "
               "add the helper's own (here none): left in, they make swim_piggyback skip the "
               "helper's rumours about the same members uncounted (swim_on_ack)");
  }
  tap_ok(!node_state(&g, 2)->swim.acked, "relaying does not touch the helper's own probe");
  sim_destroy(g.w);
}

/* Rule: an Ack counts for this node's probe only when its seq is the current one and it comes
 * from the current target. */
static void swim_ack_counts(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 4);
  fd_state *s = node_state(&g, 0);
  s->swim.target = 2;
  s->swim.probe_seq = 5;
  hand h = {.from = 1, .msg = {.seq = 4, .target = 2, .requester = 0}};
  sim_poke(g.w, 0, do_ack, &h);
  tap_ok(!node_state(&g, 0)->swim.acked, "an Ack for the previous probe (seq 4) does not count");
  h.msg = (swim_msg){.seq = 5, .target = 3, .requester = 0};
  sim_poke(g.w, 0, do_ack, &h);
  tap_ok(!node_state(&g, 0)->swim.acked,
         "an Ack with seq 5 from n3, not the target n2, does not count");
  h.msg = (swim_msg){.seq = 5, .target = 2, .requester = 0};
  sim_poke(g.w, 0, do_ack, &h);
  tap_ok(node_state(&g, 0)->swim.acked,
         "an Ack with seq 5 from the target n2 (directly or relayed by n1) sets acked");
  tap_is_int(g.count, 0, "an Ack for one's own probe is not forwarded");
  sim_destroy(g.w);
}

/* Rules (Section 4.2): which rumour overrides which. */
static void swim_override_rules(void *arg) {
  (void)arg;
  static const struct {
    uint32_t cur, cur_inc, u, u_inc;
    bool want;
    const char *why;
  } rules[] = {
      {SWIM_ALIVE, 1, SWIM_ALIVE, 2, true, "Alive 2 overrides Alive 1 (higher incarnation)"},
      {SWIM_ALIVE, 2, SWIM_ALIVE, 2, false, "Alive 2 does not override Alive 2"},
      {SWIM_SUSPECT, 1, SWIM_ALIVE, 2, true, "Alive 2 overrides Suspect 1 (a refutation)"},
      {SWIM_SUSPECT, 2, SWIM_ALIVE, 2, false,
       "Alive 2 does not override Suspect 2: a refutation needs a higher incarnation"},
      {SWIM_SUSPECT, 3, SWIM_ALIVE, 2, false, "Alive 2 does not override Suspect 3"},
      {SWIM_ALIVE, 2, SWIM_SUSPECT, 2, true, "Suspect 2 overrides Alive 2 (equal incarnation)"},
      {SWIM_ALIVE, 3, SWIM_SUSPECT, 2, false,
       "Suspect 2 does not override Alive 3 (already refuted)"},
      {SWIM_SUSPECT, 1, SWIM_SUSPECT, 2, true, "Suspect 2 overrides Suspect 1"},
      {SWIM_SUSPECT, 2, SWIM_SUSPECT, 2, false,
       "Suspect 2 does not override Suspect 2 (nothing new)"},
      {SWIM_ALIVE, 9, SWIM_DEAD, 0, true, "Dead overrides Alive at any incarnation"},
      {SWIM_SUSPECT, 9, SWIM_DEAD, 0, true, "Dead overrides Suspect at any incarnation"},
      {SWIM_DEAD, 0, SWIM_ALIVE, 5, false, "nothing overrides Dead: not Alive 5"},
      {SWIM_DEAD, 0, SWIM_SUSPECT, 5, false, "nothing overrides Dead: not Suspect 5"},
      {SWIM_DEAD, 0, SWIM_DEAD, 5, false, "nothing overrides Dead: not another Dead"},
  };
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    swim_member cur = {.status = rules[i].cur, .incarnation = rules[i].cur_inc};
    swim_update u = {.member = 1, .status = rules[i].u, .incarnation = rules[i].u_inc};
    tap_ok(swim_overrides(&cur, &u) == rules[i].want, "%s (swim_overrides)", rules[i].why);
  }
}

/* Rule (Section 4.2): a member told it is suspected at its current incarnation (or a later one)
 * raises its incarnation past it and spreads "alive" at the new one; nothing else about itself
 * changes it. */
static void swim_refutation(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 4);
  node_state(&g, 2)->swim.members[2].incarnation = 3;
  hand h = {.u = {.member = 2, .status = SWIM_SUSPECT, .incarnation = 2}};
  sim_poke(g.w, 2, do_apply, &h);
  fd_state *s = node_state(&g, 2);
  tap_is_int(s->swim.members[2].incarnation, 3,
             "n2 at incarnation 3 hears \"n2 suspect at 2\" (already refuted): it stays at 3");
  char got[64];
  tap_ok(s->swim.rumours[2].live && s->swim.rumours[2].update.status == SWIM_ALIVE &&
             s->swim.rumours[2].update.incarnation == 3,
         "n2 at incarnation 3 hears \"n2 suspect at 2\": it keeps 3 but must disseminate \"n2 "
         "alive at 3\" again, since the suspecter missed the refutation (swim_apply about itself); "
         "got: rumours[2] %s",
         rumour_text(&s->swim.rumours[2], got, sizeof got));
  s->swim.rumours[2].live = false;
  h.u.incarnation = 3;
  sim_poke(g.w, 2, do_apply, &h);
  s = node_state(&g, 2);
  tap_ok(h.result, "\"n2 suspect at 3\" reaching n2 changes something (swim_apply returns true)");
  tap_is_int(s->swim.members[2].incarnation, 4, "n2 refutes: its incarnation becomes 3 + 1 = 4");
  tap_ok(s->swim.rumours[2].live && s->swim.rumours[2].update.status == SWIM_ALIVE &&
             s->swim.rumours[2].update.incarnation == 4 && s->swim.rumours[2].update.member == 2,
         "and it disseminates \"n2 alive at 4\" (swim_disseminate)");
  tap_is_str(status_name(s->swim.members[2].status), "ALIVE", "n2 never marks itself suspect");
  h.u = (swim_update){.member = 2, .status = SWIM_SUSPECT, .incarnation = 7};
  sim_poke(g.w, 2, do_apply, &h);
  tap_is_int(node_state(&g, 2)->swim.members[2].incarnation, 8,
             "\"n2 suspect at 7\" (a later incarnation) is refuted with 8");
  h.u = (swim_update){.member = 2, .status = SWIM_ALIVE, .incarnation = 20};
  sim_poke(g.w, 2, do_apply, &h);
  tap_is_int(node_state(&g, 2)->swim.members[2].incarnation, 8,
             "a rumour \"n2 alive at 20\" does not change n2's own incarnation: only n2 raises it");
  sim_destroy(g.w);
}

/* Rule: an overriding rumour is adopted and passed on; entering SUSPECT starts the suspicion
 * timer, leaving it cancels the timer; a rumour that does not override changes nothing. */
static void swim_adopt_and_timer(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 4);
  hand h = {.u = {.member = 3, .status = SWIM_SUSPECT, .incarnation = 0}};
  sim_poke(g.w, 1, do_apply, &h);
  fd_state *s = node_state(&g, 1);
  tap_ok(h.result, "\"n3 suspect at 0\" overrides n1's \"n3 alive at 0\": swim_apply returns true");
  tap_is_str(status_name(s->swim.members[3].status), "SUSPECT", "n1 now has n3 SUSPECT");
  tap_ok(s->swim.rumours[3].live && s->swim.rumours[3].update.status == SWIM_SUSPECT,
         "and passes the rumour on (rumours[3] is live, SUSPECT)");
  h.member = 3;
  sim_poke(g.w, 1, do_timer_pending, &h);
  tap_ok(h.result, "suspect_timer names a pending TIMER_SUSPECT timer");
  uint64_t first_timer = node_state(&g, 1)->swim.members[3].suspect_timer;
  /* A SUSPECT at a higher incarnation replaces the SUSPECT: the suspicion goes on. */
  h.u.incarnation = 1;
  sim_poke(g.w, 1, do_apply, &h);
  tap_ok(h.result && node_state(&g, 1)->swim.members[3].incarnation == 1,
         "\"n3 suspect at 1\" overrides \"suspect at 0\"");
  uint64_t now_timer = node_state(&g, 1)->swim.members[3].suspect_timer;
  hand ask = {.member = 3, .timer = first_timer};
  sim_poke(g.w, 1, do_timer_id_pending, &ask);
  tap_ok(now_timer == first_timer && ask.result,
         "n1 has n3 SUSPECT at 0 with suspicion timer %llu; \"n3 suspect at 1\" replaces it and "
         "keeps the suspicion timer already running (the suspicion started at the first report): "
         "suspect_timer must stay %llu, still pending; got suspect_timer %llu, timer %llu %s "
         "(swim_apply)",
         (unsigned long long)first_timer, (unsigned long long)first_timer,
         (unsigned long long)now_timer, (unsigned long long)first_timer,
         ask.result ? "pending" : "no longer pending (cancelled)");
  s = node_state(&g, 1);
  s->swim.rumours[3].live = false;
  h.u = (swim_update){.member = 3, .status = SWIM_SUSPECT, .incarnation = 1};
  sim_poke(g.w, 1, do_apply, &h);
  tap_ok(!h.result && !node_state(&g, 1)->swim.rumours[3].live,
         "the same rumour again changes nothing and is not passed on again");
  uint64_t timer = node_state(&g, 1)->swim.members[3].suspect_timer;
  h.u = (swim_update){.member = 3, .status = SWIM_ALIVE, .incarnation = 2};
  sim_poke(g.w, 1, do_apply, &h);
  s = node_state(&g, 1);
  tap_ok(h.result && s->swim.members[3].status == SWIM_ALIVE && s->swim.members[3].incarnation == 2,
         "\"n3 alive at 2\" (the refutation) makes n3 ALIVE at 2 again");
  s->swim.members[3].suspect_timer = timer;
  h.member = 3;
  sim_poke(g.w, 1, do_timer_pending, &h);
  tap_ok(!h.result,
         "and the suspicion timer was cancelled (it must not fire for a refuted suspect)");
  sim_destroy(g.w);
}

/* Rule (Section 4.2): a suspect not refuted in time is declared DEAD, and the death is passed on;
 * the timer of a member no longer suspect does nothing. */
static void swim_suspicion_timeout(void *arg) {
  (void)arg;
  group g;
  group_start(&g, 4);
  fd_state *s = node_state(&g, 0);
  s->swim.members[2] = (swim_member){.status = SWIM_SUSPECT, .incarnation = 4};
  hand h = {.member = 2};
  sim_poke(g.w, 0, do_suspect_timeout, &h);
  s = node_state(&g, 0);
  tap_is_str(status_name(s->swim.members[2].status), "DEAD", "a SUSPECT whose timer fires is DEAD");
  tap_ok(s->swim.rumours[2].live && s->swim.rumours[2].update.status == SWIM_DEAD,
         "and \"n2 dead\" is disseminated");
  h.member = 1;
  sim_poke(g.w, 0, do_suspect_timeout, &h);
  tap_is_str(status_name(node_state(&g, 0)->swim.members[1].status), "ALIVE",
             "the timer of an ALIVE member (a refuted suspect) changes nothing");
  hand a = {.u = {.member = 2, .status = SWIM_ALIVE, .incarnation = 99}};
  sim_poke(g.w, 0, do_apply, &a);
  tap_is_str(status_name(node_state(&g, 0)->swim.members[2].status), "DEAD",
             "DEAD is final: \"n2 alive at 99\" does not bring it back");
  sim_destroy(g.w);
}

/* Rule (Section 4.1): piggyback the live rumours sent the fewest times, lowest member first among
 * equals, at most SWIM_MAX_PIGGYBACK per message; retire a rumour after retransmit_limit sends. */
static void swim_piggyback_rule(void *arg) {
  (void)arg;
  static swim_state s;
  memset(&s, 0, sizeof s);
  s.retransmit_limit = 2;
  const uint32_t sent_before[6] = {1, 0, 1, 0, 0, 1};
  for (int i = 0; i < 6; i++)
    s.rumours[i] = (swim_rumour){.live = true,
                                 .update = {.member = i, .status = SWIM_SUSPECT, .incarnation = 0},
                                 .sent = sent_before[i]};
  s.rumours[4].live = false;
  swim_msg m;
  memset(&m, 0, sizeof m);
  swim_piggyback(&s, &m);
  char got[64] = "nothing";
  size_t at = 0;
  for (uint32_t i = 0; i < m.update_count && i < SWIM_MAX_PIGGYBACK; i++)
    at += (size_t)snprintf(got + at, sizeof got - at, "%sn%d", i ? " " : "", m.updates[i].member);
  /* Live: n0 (1 send), n1 (0), n2 (1), n3 (0), n5 (1); n4 is retired. Least sent first: n1, n3,
   * then among the 1s: n0, n2. */
  bool order = m.update_count == 4 && m.updates[0].member == 1 && m.updates[1].member == 3 &&
               m.updates[2].member == 0 && m.updates[3].member == 2;
  tap_ok(order,
         "rumours sent 1,0,1,0,-,1 times (n4 retired): a message carries n1 n3 n0 n2, the least "
         "sent first, lowest member first among equals, at most %d; got %s",
         SWIM_MAX_PIGGYBACK, got);
  tap_ok(s.rumours[1].sent == 1 && s.rumours[3].sent == 1, "n1 and n3 now count one send each");
  tap_ok(!s.rumours[0].live && !s.rumours[2].live,
         "n0 and n2 reached retransmit_limit = 2 sends: retired (live = false)");
  tap_ok(s.rumours[5].live && s.rumours[5].sent == 1, "n5 was not sent: still live, count 1");
  memset(&m, 0, sizeof m);
  m.updates[0] = (swim_update){.member = 5, .status = SWIM_SUSPECT};
  m.update_count = 1;
  s.rumours[7] = (swim_rumour){.live = true, .update = {.member = 7, .status = SWIM_DEAD}};
  swim_piggyback(&s, &m);
  bool dup = false;
  for (uint32_t i = 1; i < m.update_count && i < SWIM_MAX_PIGGYBACK; i++)
    dup = dup || m.updates[i].member == 5;
  tap_ok(m.update_count == 4 && m.updates[0].member == 5 && !dup,
         "a rumour already in the message (about n5, as swim_send's buddy rule puts it) is kept "
         "first and not added twice; others are appended (count %u)",
         m.update_count);
  memset(&s, 0, sizeof s);
  memset(&m, 0, sizeof m);
  swim_piggyback(&s, &m);
  tap_is_int(m.update_count, 0, "no live rumour: nothing to piggyback");
}

/* ---------------------------------------------------------------------------------------------
 * Scenario sweeps.
 */

/* heartbeat-crash and phi-crash: the scenario checks completeness against the bound after every
 * event; here also: no false suspicion at all on a quiet network, and every observer detected. */
static bool no_false_and_detected(lab_run *run, void *ctx) {
  int k = *(const int *)ctx;
  const lab05_record *rec = run->lab_data;
  bool ok = tap_is_int(rec->false_suspicions[k], 0,
                       "no false suspicion on a 1..10ms network with heartbeats every 100ms");
  for (int i = 0; i < rec->nodes - 1 && ok; i++) {
    sim_time at = rec->detected_at[k][i][rec->nodes - 1];
    ok = tap_ok(at > 0, "n%d detected the crash of n%d", i, rec->nodes - 1);
    if (ok && k == FD_FIXED)
      ok = tap_ok(at > rec->last_arrival[i][rec->nodes - 1] + rec->config.timeout,
                  "n%d suspected n%d only after more than the timeout of silence", i,
                  rec->nodes - 1);
  }
  return ok;
}

static void fixed_completeness(void *arg) {
  (void)arg;
  int k = FD_FIXED;
  tap_sweep(&lab05, "heartbeat-crash", 1, 30, no_false_and_detected, &k);
}

static void fixed_completeness_sizes(void *arg) {
  (void)arg;
  int k = FD_FIXED;
  lab_run two = {.nodes = 2}, sixteen = {.nodes = 16};
  if (tap_sweep_options(&lab05, "heartbeat-crash", &two, 1, 5, no_false_and_detected, &k))
    tap_sweep_options(&lab05, "heartbeat-crash", &sixteen, 1, 5, no_false_and_detected, &k);
}

static void phi_completeness(void *arg) {
  (void)arg;
  int k = FD_PHI;
  tap_sweep(&lab05, "phi-crash", 1, 30, no_false_and_detected, &k);
}

/* heartbeat-jitter: both detectors on the same heartbeats; over 20 seeds, after the warm-up, phi
 * has far fewer false suspicions at about the same mean detection time. */
typedef struct tally {
  uint64_t steady[2], total[2];
  double detect[2];
  int runs;
} tally;

static bool add_tally(lab_run *run, void *ctx) {
  tally *t = ctx;
  const lab05_record *rec = run->lab_data;
  double sum[2] = {0, 0};
  int pairs = 0;
  for (int j = 0; j < rec->nodes; j++) {
    if (!rec->crashed_at[j]) continue;
    for (int i = 0; i < rec->nodes; i++) {
      if (i == j || rec->crashed_at[i]) continue;
      for (int k = 0; k < 2; k++)
        sum[k] += (double)(rec->detected_at[k][i][j] - rec->crashed_at[j]);
      pairs++;
    }
  }
  for (int k = 0; k < 2; k++) {
    t->steady[k] += rec->steady_false[k];
    t->total[k] += rec->false_suspicions[k];
    t->detect[k] += pairs ? sum[k] / pairs : 0;
  }
  t->runs++;
  return true;
}

static void phi_beats_fixed_under_jitter(void *arg) {
  (void)arg;
  tally t = {{0, 0}, {0, 0}, {0, 0}, 0};
  if (!tap_sweep(&lab05, "heartbeat-jitter", 1, 20, add_tally, &t)) return;
  double fixed = t.detect[FD_FIXED] / t.runs / 1000, phi = t.detect[FD_PHI] / t.runs / 1000;
  tap_diag(
      "fixed timeout: %llu false suspicions after warm-up (%llu in all), mean detection "
      "%.1fms; phi: %llu after warm-up (%llu in all), mean detection %.1fms",
      (unsigned long long)t.steady[FD_FIXED], (unsigned long long)t.total[FD_FIXED], fixed,
      (unsigned long long)t.steady[FD_PHI], (unsigned long long)t.total[FD_PHI], phi);
  tap_ok(fabs(phi - fixed) <= 0.1 * fixed,
         "matched detection time: phi's mean (%.1fms) is within 10%% of the fixed timeout's "
         "(%.1fms); is phi_value computing the deviation of the window?",
         phi, fixed);
  tap_ok(t.steady[FD_PHI] * 3 < t.steady[FD_FIXED],
         "phi makes under a third of the fixed timeout's false suspicions once warmed up (%llu "
         "vs %llu): it learns each link's jitter",
         (unsigned long long)t.steady[FD_PHI], (unsigned long long)t.steady[FD_FIXED]);
}

/* heartbeat-lossy: 5% loss and a slow node; both detectors make mistakes, which are counted,
 * and every one ends with the next heartbeat (checked after every event); the crash is still
 * detected. */
static bool counted(lab_run *run, void *ctx) {
  tally *t = ctx;
  const lab05_record *rec = run->lab_data;
  t->total[FD_FIXED] += rec->false_suspicions[FD_FIXED];
  t->total[FD_PHI] += rec->false_suspicions[FD_PHI];
  t->runs++;
  return true;
}

static void accuracy_under_loss_and_slowness(void *arg) {
  (void)arg;
  tally t = {{0, 0}, {0, 0}, {0, 0}, 0};
  if (!tap_sweep(&lab05, "heartbeat-lossy", 1, 20, counted, &t)) return;
  tap_diag("over 20 runs: fixed timeout %llu false suspicions, phi %llu",
           (unsigned long long)t.total[FD_FIXED], (unsigned long long)t.total[FD_PHI]);
  tap_ok(t.total[FD_FIXED] > 0 && t.total[FD_PHI] > 0,
         "loss and a slow node cause false suspicions for both detectors (they are counted)");
}

/* SWIM: completeness within 2(N-1) periods, death within one suspicion timeout more, no false
 * suspicion without loss (the scenario checks the bounds after every event). */
static bool swim_quiet(lab_run *run, void *ctx) {
  (void)ctx;
  const lab05_record *rec = run->lab_data;
  return tap_is_int(rec->swim_false_suspicions, 0,
                    "no live member suspected on a loss-free 1..10ms network (ping timeout 40ms)");
}

static void swim_completeness(void *arg) {
  (void)arg;
  tap_sweep(&lab05, "swim-crash", 1, 30, swim_quiet, NULL);
}

static void swim_completeness_sizes(void *arg) {
  (void)arg;
  lab_run three = {.nodes = 3}, sixteen = {.nodes = 16};
  if (tap_sweep_options(&lab05, "swim-crash", &three, 1, 10, swim_quiet, NULL))
    tap_sweep_options(&lab05, "swim-crash", &sixteen, 1, 10, swim_quiet, NULL);
}

static bool some_suspicions(lab_run *run, void *ctx) {
  uint64_t *sum = ctx;
  sum[0] += ((const lab05_record *)run->lab_data)->swim_false_suspicions;
  sum[1] += ((const lab05_record *)run->lab_data)->refutations;
  return true;
}

static void swim_accuracy_under_loss(void *arg) {
  (void)arg;
  uint64_t sum[2] = {0, 0};
  if (!tap_sweep(&lab05, "swim-loss", 1, 30, some_suspicions, sum)) return;
  tap_diag("over 30 runs: %llu false suspicions, %llu refutations, no live member declared dead",
           (unsigned long long)sum[0], (unsigned long long)sum[1]);
  tap_ok(sum[1] > 0, "10%% loss makes some live members suspects, who refute (%llu refutations)",
         (unsigned long long)sum[1]);
}

static bool refuted(lab_run *run, void *ctx) {
  (void)ctx;
  const lab05_record *rec = run->lab_data;
  const fd_state *n3 = sim_state(run->world, 3);
  bool ok =
      tap_ok(rec->watched_suspected > 0, "n3 was suspected while slow") &&
      tap_ok(n3->swim.members[3].incarnation >= 1, "n3 raised its incarnation to refute (it is %u)",
             n3->swim.members[3].incarnation);
  for (int i = 0; i < rec->nodes && ok; i++) {
    if (i == 3) continue;
    const fd_state *s = sim_state(run->world, i);
    ok = tap_ok(s->swim.members[3].status == SWIM_ALIVE &&
                    s->swim.members[3].incarnation == n3->swim.members[3].incarnation,
                "at the end n%d has n3 ALIVE at n3's incarnation %u (it has %s at %u)", i,
                n3->swim.members[3].incarnation, status_name(s->swim.members[3].status),
                s->swim.members[3].incarnation);
  }
  return ok;
}

static void swim_refutes(void *arg) {
  (void)arg;
  tap_sweep(&lab05, "swim-refute", 1, 30, refuted, NULL);
}

/* Load: SWIM's messages per member per period stay under a constant as N grows; all-to-all
 * heartbeats cost N - 1. */
static bool read_load(lab_run *run, void *ctx) {
  *(double *)ctx = ((const lab05_record *)run->lab_data)->load;
  return true;
}

static void load_per_member(void *arg) {
  (void)arg;
  const int sizes[3] = {4, 8, 16};
  double swim[3] = {0, 0, 0}, heart[3] = {0, 0, 0};
  for (int i = 0; i < 3; i++) {
    lab_run opt = {.nodes = sizes[i]};
    if (!tap_sweep_options(&lab05, "swim-scale", &opt, 1, 1, read_load, &swim[i])) return;
    if (!tap_sweep_options(&lab05, "heartbeat-crash", &opt, 1, 1, read_load, &heart[i])) return;
  }
  tap_diag(
      "messages per member per period: SWIM %.2f / %.2f / %.2f, heartbeats %.2f / %.2f / "
      "%.2f for N = 4 / 8 / 16",
      swim[0], swim[1], swim[2], heart[0], heart[1], heart[2]);
  for (int i = 0; i < 3; i++) {
    tap_ok(swim[i] >= 1.5 && swim[i] <= 3.0,
           "SWIM, N=%d: %.2f messages per member per period, within [1.5, 3] (one Ping and, on "
           "average, one Ack: the same for every N)",
           sizes[i], swim[i]);
    tap_ok(fabs(heart[i] - (sizes[i] - 1)) < 0.05,
           "all-to-all heartbeats, N=%d: %.2f per node per period, N - 1 = %d", sizes[i], heart[i],
           sizes[i] - 1);
  }
  tap_ok(swim[2] <= 1.2 * swim[0], "SWIM's load at N=16 (%.2f) is within 20%% of N=4's (%.2f)",
         swim[2], swim[0]);
}

int main(void) {
  tap_case("fixed: a heartbeat is remembered for its sender", fixed_records_arrival, NULL);
  tap_case("fixed: suspect after more than the timeout of silence, not before", fixed_timeout_rule,
           NULL);
  tap_case("phi: the window records inter-arrival times", phi_records_intervals, NULL);
  tap_case("phi: the window keeps the latest PHI_WINDOW samples", phi_window_slides, NULL);
  tap_case("phi: phi = -log10(P_later) from the window's mean and deviation", phi_formula, NULL);
  tap_case("phi: deviation floor, empty window, rising, capped", phi_edges, NULL);
  tap_case("SWIM: the incarnation override rules (4.2)", swim_override_rules, NULL);
  tap_case("SWIM: a suspected member refutes by raising its incarnation (4.2)", swim_refutation,
           NULL);
  tap_case("SWIM: an overriding rumour is adopted and passed on; the suspicion timer",
           swim_adopt_and_timer, NULL);
  tap_case("SWIM: an unrefuted suspect is declared dead; dead is final", swim_suspicion_timeout,
           NULL);
  tap_case("SWIM: piggyback the least-sent rumours, retire them after lambda log n sends (4.1)",
           swim_piggyback_rule, NULL);
  tap_case("SWIM: round-robin probe order over a shuffled list (4.3)", swim_round_robin, NULL);
  tap_case("SWIM: a period pings a target; no ack by the next period makes it a suspect",
           swim_probe_and_suspect, NULL);
  tap_case("SWIM: ping-req to k distinct helpers, never the target, self or the dead (3.1)",
           swim_ping_req_helpers, NULL);
  tap_case("SWIM: a ping is acked; a helper pings for the requester and relays the ack",
           swim_ack_and_relay, NULL);
  tap_case("SWIM: an ack counts only for the current probe, from its target", swim_ack_counts,
           NULL);
  tap_case(
      "fixed: a crash is suspected by all within last heartbeat + timeout + check, no false "
      "suspicion (30 seeds)",
      fixed_completeness, NULL);
  tap_case("fixed: the same with 2 and 16 nodes", fixed_completeness_sizes, NULL);
  tap_case(
      "phi: a crash is suspected by all within the bound from period, jitter, min_std and "
      "threshold (30 seeds)",
      phi_completeness, NULL);
  tap_case(
      "accuracy under jitter: phi has fewer false suspicions than the fixed timeout at "
      "matched detection time (20 seeds)",
      phi_beats_fixed_under_jitter, NULL);
  tap_case(
      "accuracy under 5% loss and a slow node: mistakes counted, each ended by the next "
      "heartbeat (20 seeds)",
      accuracy_under_loss_and_slowness, NULL);
  tap_case(
      "SWIM: a crash is suspected by all within 2(N-1) periods, dead one suspicion timeout "
      "later (30 seeds)",
      swim_completeness, NULL);
  tap_case("SWIM: the same with 3 and 16 members", swim_completeness_sizes, NULL);
  tap_case("SWIM: under 10% loss no live member is declared dead (30 seeds)",
           swim_accuracy_under_loss, NULL);
  tap_case("SWIM: a slow member that is suspected refutes with a higher incarnation (30 seeds)",
           swim_refutes, NULL);
  tap_case(
      "load: SWIM stays constant per member per period for N = 4, 8, 16; heartbeats grow "
      "as N - 1",
      load_per_member, NULL);
  return tap_done();
}
