/*
 * labs/00-messaging/protocol.c: the fixed part of lab 00's protocol: the message and timer tables,
 * boot, and the dispatch of every message and timer to the functions you write (lab.h).
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

static void format_ping(const void *body, char *out, size_t cap) {
  const ping_body *p = body;
  snprintf(out, cap, "seq=%u attempt=%u", p->seq, p->attempt);
}

static void format_pong(const void *body, char *out, size_t cap) {
  const pong_body *p = body;
  snprintf(out, cap, "seq=%u", p->seq);
}

static const sim_msg_type ping_types[MSG_TYPE_COUNT] = {
    [MSG_PING] = {"Ping", sizeof(ping_body), format_ping},
    [MSG_PONG] = {"Pong", sizeof(pong_body), format_pong},
};

static const char *const ping_timers[TIMER_KIND_COUNT] = {[TIMER_RETRY] = "retry"};

void ping_send(sim_node *n, ping_state *s) {
  ping_body body = {.seq = s->seq, .attempt = s->attempts};
  s->sent_at = sim_true_time(n);
  sim_send(n, s->config.target, MSG_PING, &body);
}

void pong_send(sim_node *n, int to, uint32_t seq) {
  pong_body body = {.seq = seq};
  sim_send(n, to, MSG_PONG, &body);
}

static void ping_boot(sim_node *n, void *state) {
  ping_state *s = state;
  size_t size = 0;
  const ping_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  sim_annotate(n, "role", "%s", s->config.role == ROLE_CLIENT ? "client" : "server");
  if (s->config.role == ROLE_CLIENT) client_start(n, s);
}

static void ping_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  ping_state *s = state;
  if (type == MSG_PING && s->config.role == ROLE_SERVER) server_on_ping(n, s, from, body);
  if (type == MSG_PONG && s->config.role == ROLE_CLIENT) {
    client_on_pong(n, s, body);
    sim_annotate(n, "answered", "%u/%u", s->answered, s->config.pings);
    if (s->done) sim_annotate(n, "status", "done");
  }
}

static void ping_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  ping_state *s = state;
  if (kind == TIMER_RETRY && s->config.role == ROLE_CLIENT) {
    client_on_timeout(n, s, (uint32_t)arg);
    if (s->peer_dead) sim_annotate(n, "status", "peer n%d dead", s->config.target);
  }
}

const sim_protocol ping_protocol = {
    .name = "ping",
    .state_size = sizeof(ping_state),
    .stable_size = 0,
    .msg_types = ping_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = ping_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = ping_boot,
    .on_message = ping_on_message,
    .on_timer = ping_on_timer,
};
