/*
 * labs/05-failure-detectors/protocol.c: the fixed part of lab 05's protocol: message and timer
 * tables, boot, the heartbeat workload, the dispatch of SWIM's messages and timers to your
 * functions, and the annotations the viewer shows.
 *
 * Heartbeat mode: each node sends one Heartbeat to every other node per period, from a random
 * phase drawn at boot. On every arrival it calls hb_on_heartbeat and phi_record, then re-judges
 * that peer at once; every `check` it re-judges every peer. A judgement calls hb_suspect and
 * phi_value and stores the answers in fixed_suspects[] and phi_suspects[].
 *
 * SWIM mode: a period timer (from a random phase) calls swim_on_period; the ping timeout and
 * suspicion timers call their handlers; every message's piggybacked rumours go through swim_apply
 * before the handler for its type runs.
 *
 * Annotations: heartbeat mode "fixed" and "phi" (the suspected peers, "-" when none); SWIM mode
 * "inc" (own incarnation) and "view" (the members it does not believe alive: "n3?" suspect,
 * "n5x" dead).
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

static const char *status_name(uint32_t status) {
  return status == SWIM_ALIVE ? "alive" : status == SWIM_SUSPECT ? "suspect" : "dead";
}

static void format_heartbeat(const void *body, char *out, size_t cap) {
  const heartbeat_body *h = body;
  snprintf(out, cap, "seq=%u", h->seq);
}

static void format_swim(const void *body, char *out, size_t cap) {
  const swim_msg *m = body;
  size_t at =
      (size_t)snprintf(out, cap, "seq=%u target=n%d for=n%d", m->seq, m->target, m->requester);
  for (uint32_t i = 0; i < m->update_count && i < SWIM_MAX_PIGGYBACK && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, " +n%d:%s@%u", m->updates[i].member,
                           status_name(m->updates[i].status), m->updates[i].incarnation);
}

static const sim_msg_type fd_types[MSG_TYPE_COUNT] = {
    [MSG_HEARTBEAT] = {"Heartbeat", sizeof(heartbeat_body), format_heartbeat},
    [MSG_PING] = {"Ping", sizeof(swim_msg), format_swim},
    [MSG_PING_REQ] = {"PingReq", sizeof(swim_msg), format_swim},
    [MSG_ACK] = {"Ack", sizeof(swim_msg), format_swim},
};

static const char *const fd_timers[TIMER_KIND_COUNT] = {
    [TIMER_HEARTBEAT] = "heartbeat",       [TIMER_CHECK] = "check",       [TIMER_PERIOD] = "period",
    [TIMER_PING_TIMEOUT] = "ping-timeout", [TIMER_SUSPECT] = "suspicion",
};

/* "n1 n4" for the flagged peers, "-" for none. */
static void list_flags(const bool *flags, int count, char *out, size_t cap) {
  size_t at = 0;
  out[0] = 0;
  for (int i = 0; i < count && at < cap; i++)
    if (flags[i]) at += (size_t)snprintf(out + at, cap - at, "%sn%d", at ? " " : "", i);
  if (at == 0) snprintf(out, cap, "-");
}

static void annotate(sim_node *n, const fd_state *s) {
  char text[128];
  int count = sim_node_count(n);
  if (s->config.mode == FD_MODE_HEARTBEAT) {
    if (s->config.detectors & FD_DETECT_FIXED) {
      list_flags(s->fixed_suspects, count, text, sizeof text);
      sim_annotate(n, "fixed", "%s", text);
    }
    if (s->config.detectors & FD_DETECT_PHI) {
      list_flags(s->phi_suspects, count, text, sizeof text);
      sim_annotate(n, "phi", "%s", text);
    }
    return;
  }
  const swim_state *w = &s->swim;
  size_t at = 0;
  text[0] = 0;
  for (int i = 0; i < count && at < sizeof text; i++) {
    if (i == sim_self(n) || w->members[i].status == SWIM_ALIVE) continue;
    at += (size_t)snprintf(text + at, sizeof text - at, "%sn%d%s", at ? " " : "", i,
                           w->members[i].status == SWIM_SUSPECT ? "?" : "x");
  }
  sim_annotate(n, "view", "%s", at ? text : "-");
  sim_annotate(n, "inc", "%u", w->members[sim_self(n)].incarnation);
}

/* ---------------------------------------------------------------------------------------------
 * Heartbeat mode.
 */

/* Judge one peer with the detectors that run. */
static void judge(sim_node *n, fd_state *s, int peer) {
  sim_time now = sim_clock(n);
  if (s->config.detectors & FD_DETECT_FIXED)
    s->fixed_suspects[peer] = hb_suspect(&s->fixed, peer, now, s->config.timeout);
  if (s->config.detectors & FD_DETECT_PHI)
    s->phi_suspects[peer] =
        phi_value(&s->phi[peer], now, s->config.phi_min_std) > s->config.phi_threshold;
}

static void heartbeat_boot(sim_node *n, fd_state *s) {
  sim_time now = sim_clock(n);
  for (int p = 0; p < FD_MAX_NODES; p++) {
    s->fixed.last[p] = now;
    s->phi[p].last = now;
    /* Before any interval is known, assume the configured one (as deployed phi detectors do
     * with a "first heartbeat estimate"): one sample of one period. */
    s->phi[p].samples[0] = s->config.period;
    s->phi[p].count = 1;
    s->phi[p].next = 1;
  }
  sim_timer_set(n, TIMER_HEARTBEAT, sim_random_below(n, s->config.period), 0);
  sim_timer_set(n, TIMER_CHECK, s->config.check, 0);
}

static void heartbeat_send_all(sim_node *n, fd_state *s) {
  heartbeat_body h = {.seq = ++s->hb_seq};
  sim_broadcast(n, MSG_HEARTBEAT, &h);
  sim_timer_set(n, TIMER_HEARTBEAT, s->config.period, 0);
}

static void heartbeat_on_message(sim_node *n, fd_state *s, int from) {
  sim_time now = sim_clock(n);
  if (s->config.detectors & FD_DETECT_FIXED) hb_on_heartbeat(&s->fixed, from, now);
  if (s->config.detectors & FD_DETECT_PHI) phi_record(&s->phi[from], now);
  judge(n, s, from);
}

static void heartbeat_check(sim_node *n, fd_state *s) {
  for (int p = 0; p < sim_node_count(n); p++)
    if (p != sim_self(n)) judge(n, s, p);
  sim_timer_set(n, TIMER_CHECK, s->config.check, 0);
}

/* ---------------------------------------------------------------------------------------------
 * SWIM mode.
 */

void swim_send(sim_node *n, swim_state *s, int to, int type, const swim_msg *msg) {
  swim_msg copy = *msg;
  if (copy.update_count > SWIM_MAX_PIGGYBACK) copy.update_count = SWIM_MAX_PIGGYBACK;
  /* The "buddy system" of Lifeguard (Dadgar, Phillips and Currey, "Lifeguard: Local Health
   * Awareness for More Accurate Failure Detection", 2018), a refinement of SWIM: a message to a
   * member this node suspects always tells it so, however often that rumour was already sent, so
   * a suspect that is alive hears of it from every member that pings it, and can refute. */
  if (to >= 0 && to < FD_MAX_NODES && s->members[to].status == SWIM_SUSPECT &&
      copy.update_count < SWIM_MAX_PIGGYBACK)
    copy.updates[copy.update_count++] = (swim_update){
        .member = to, .status = SWIM_SUSPECT, .incarnation = s->members[to].incarnation};
  swim_piggyback(s, &copy);
  sim_send(n, to, type, &copy);
}

void swim_disseminate(swim_state *s, const swim_update *u) {
  if (u->member < 0 || u->member >= FD_MAX_NODES) return;
  swim_rumour *r = &s->rumours[u->member];
  r->live = true;
  r->update = *u;
  r->sent = 0;
}

static void swim_boot(sim_node *n, fd_state *s) {
  swim_state *w = &s->swim;
  w->target = -1;
  /* lambda * ceil(log2(N + 1)) sends per rumour (Section 4.1: "lambda log n" times). */
  uint32_t log2n = 0;
  while ((1u << log2n) < (uint32_t)sim_node_count(n) + 1) log2n++;
  w->retransmit_limit = (s->config.retransmit_mult ? s->config.retransmit_mult : 3) * log2n;
  sim_timer_set(n, TIMER_PERIOD, 1 + sim_random_below(n, s->config.period), 0);
}

static void swim_on_message(sim_node *n, fd_state *s, int from, int type, const swim_msg *m) {
  uint32_t count = m->update_count < SWIM_MAX_PIGGYBACK ? m->update_count : SWIM_MAX_PIGGYBACK;
  for (uint32_t i = 0; i < count; i++) {
    const swim_update *u = &m->updates[i];
    if (u->member < 0 || u->member >= sim_node_count(n) || u->status > SWIM_DEAD) continue;
    swim_apply(n, s, u);
  }
  if (type == MSG_PING) swim_on_ping(n, &s->swim, from, m);
  if (type == MSG_PING_REQ) swim_on_ping_req(n, &s->swim, from, m);
  if (type == MSG_ACK) swim_on_ack(n, &s->swim, from, m);
}

/* ---------------------------------------------------------------------------------------------
 * The descriptor.
 */

static void fd_boot(sim_node *n, void *state) {
  fd_state *s = state;
  size_t size = 0;
  const fd_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  if (s->config.period == 0) s->config.period = 100 * SIM_MS;
  if (s->config.check == 0) s->config.check = 10 * SIM_MS;
  if (s->config.mode == FD_MODE_HEARTBEAT)
    heartbeat_boot(n, s);
  else
    swim_boot(n, s);
  annotate(n, s);
}

static void fd_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  fd_state *s = state;
  if (from < 0 || from >= sim_node_count(n)) return;
  if (s->config.mode == FD_MODE_HEARTBEAT && type == MSG_HEARTBEAT)
    heartbeat_on_message(n, s, from);
  else if (s->config.mode == FD_MODE_SWIM && type != MSG_HEARTBEAT)
    swim_on_message(n, s, from, type, body);
  annotate(n, s);
}

static void fd_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  fd_state *s = state;
  switch (kind) {
    case TIMER_HEARTBEAT:
      heartbeat_send_all(n, s);
      break;
    case TIMER_CHECK:
      heartbeat_check(n, s);
      break;
    case TIMER_PERIOD:
      sim_timer_set(n, TIMER_PERIOD, s->config.period, 0);
      swim_on_period(n, s);
      break;
    case TIMER_PING_TIMEOUT:
      swim_on_ping_timeout(n, s, (uint32_t)arg);
      break;
    case TIMER_SUSPECT:
      if (arg < (uint64_t)sim_node_count(n)) swim_on_suspect_timeout(n, s, (int)arg);
      break;
  }
  annotate(n, s);
}

const sim_protocol fd_protocol = {
    .name = "failure-detectors",
    .state_size = sizeof(fd_state),
    .stable_size = 0,
    .msg_types = fd_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = fd_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = fd_boot,
    .on_message = fd_on_message,
    .on_timer = fd_on_timer,
};
