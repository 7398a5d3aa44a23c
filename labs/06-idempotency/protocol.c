/*
 * labs/06-idempotency/protocol.c: the fixed part of lab 06: message and timer tables, boot, the
 * clients' pacing and history, and the dispatch of every message and timer to your functions.
 *
 * The server (n0) boots by calling server_recover, then sets its table's capacity from its
 * configuration (in the volatile_table demonstration it then forgets the table, keeping the
 * counter). Every Request goes to server_on_request.
 *
 * A client (n1 ..) makes config.requests requests, one at a time: after a random pause it calls
 * client_begin, then passes every Reply to client_on_reply and every retry timer to
 * client_on_timeout. Around those calls it writes the history (invoke when a new seq goes out;
 * ok with the value, or info for an expired request, when it finishes: Jepsen's "info" is an
 * operation whose effect is unknown) and starts the pause before the next request.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

static void format_request(const void *body, char *out, size_t cap) {
  const request_body *r = body;
  snprintf(out, cap, "c%d.%u seen=%llu attempt=%u", (int)r->client, r->seq,
           (unsigned long long)r->seen, r->attempt);
}

static void format_reply(const void *body, char *out, size_t cap) {
  const reply_body *r = body;
  if (r->status == REPLY_OK)
    snprintf(out, cap, "seq=%u ok value=%llu", r->seq, (unsigned long long)r->value);
  else if (r->status == REPLY_EXPIRED)
    snprintf(out, cap, "seq=%u expired horizon=%llu", r->seq, (unsigned long long)r->value);
  else
    snprintf(out, cap, "seq=%u status=%d value=%llu", r->seq, (int)r->status,
             (unsigned long long)r->value);
}

static const sim_msg_type idem_types[MSG_TYPE_COUNT] = {
    [MSG_REQUEST] = {"Request", sizeof(request_body), format_request},
    [MSG_REPLY] = {"Reply", sizeof(reply_body), format_reply},
};

static const char *const idem_timers[TIMER_KIND_COUNT] = {
    [TIMER_RETRY] = "retry", [TIMER_THINK] = "think"};

/* ---------------------------------------------------------------------------------------------
 * Helpers (lab.h).
 */

uint64_t counter_apply(sim_node *n, idem_state *s, int32_t client, uint32_t seq) {
  s->srv.counter++;
  s->applied_client = client;
  s->applied_seq = seq;
  sim_note(n, "apply c%d.%u: counter=%llu", (int)client, seq, (unsigned long long)s->srv.counter);
  sim_local_event(n); /* the checks count applications here */
  return s->srv.counter;
}

void reply_send(sim_node *n, int to, uint32_t seq, reply_status status, uint64_t value) {
  reply_body body = {.seq = seq, .status = (int32_t)status, .value = value};
  sim_send(n, to, MSG_REPLY, &body);
}

void request_send(sim_node *n, idem_state *s) {
  request_body body = {
      .client = sim_self(n), .seq = s->cli.seq, .seen = s->cli.seen, .attempt = s->cli.attempts};
  sim_send(n, IDEM_SERVER, MSG_REQUEST, &body);
}

/* ---------------------------------------------------------------------------------------------
 * The server.
 */

/* The table as "c1:5 c2:7" (slot order), for the viewer's state panel. */
static void annotate_server(sim_node *n, const idem_state *s) {
  const dedup_table *t = &s->srv.table;
  char text[256] = "";
  size_t at = 0;
  uint32_t cap = t->capacity <= IDEM_MAX_SLOTS ? t->capacity : IDEM_MAX_SLOTS;
  for (uint32_t i = 0; i < cap && at < sizeof text; i++)
    if (t->slots[i].used)
      at += (size_t)snprintf(text + at, sizeof text - at, "%sc%d:%u", at ? " " : "",
                             (int)t->slots[i].client, t->slots[i].seq);
  sim_annotate(n, "counter", "%llu", (unsigned long long)s->srv.counter);
  sim_annotate(n, "table", "%s", at ? text : "(empty)");
  sim_annotate(n, "horizon", "%llu", (unsigned long long)t->horizon);
}

static void server_boot(sim_node *n, idem_state *s) {
  sim_annotate(n, "role", "server");
  server_recover(n, s);
  if (s->config.volatile_table) {
    /* The demonstration: a table that lived in memory only is gone after a restart, while the
     * counter (the effect) was durable. */
    memset(&s->srv.table, 0, sizeof s->srv.table);
  }
  uint32_t slots = s->config.slots;
  s->srv.table.capacity = slots < 1 ? 1 : slots > IDEM_MAX_SLOTS ? IDEM_MAX_SLOTS : slots;
  annotate_server(n, s);
}

/* ---------------------------------------------------------------------------------------------
 * The client: pacing and history.
 */

static void annotate_client(sim_node *n, const idem_state *s) {
  const idem_client *c = &s->cli;
  if (s->done)
    sim_annotate(n, "request", "done");
  else if (c->waiting)
    sim_annotate(n, "request", "seq %u, attempt %u", c->seq, c->attempts);
  else
    sim_annotate(n, "request", "idle");
  sim_annotate(n, "seen", "%llu", (unsigned long long)c->seen);
}

/* Arm the pause before the next request: uniform in 0 .. think_max, after `after`. */
static void schedule_next(sim_node *n, idem_state *s, sim_time after) {
  sim_time pause = s->config.think_max ? sim_random_below(n, s->config.think_max + 1) : 0;
  sim_timer_set(n, TIMER_THINK, after + pause, 0);
}

/* After every call into your client code: write what changed to the history, and pace. */
static void client_after(sim_node *n, idem_state *s) {
  idem_client *c = &s->cli;
  sim_world *w = sim_node_world(n);
  char key[16], value[24];
  snprintf(key, sizeof key, "counter");
  if (c->waiting && c->seq > s->invoked_upto && c->seq <= IDEM_MAX_REQUESTS) {
    s->invoked_upto = c->seq;
    sim_history_add(w, SIM_OP_INVOKE, sim_self(n), "incr", key, "");
  }
  bool finished = !c->waiting && c->seq > s->finished && c->seq <= IDEM_MAX_REQUESTS &&
                  c->outcome[c->seq] != OUTCOME_PENDING;
  if (finished) {
    s->finished = c->seq;
    if (c->outcome[c->seq] == OUTCOME_OK) {
      snprintf(value, sizeof value, "%llu", (unsigned long long)c->result[c->seq]);
      sim_history_add(w, SIM_OP_OK, sim_self(n), "incr", key, value);
    } else {
      sim_history_add(w, SIM_OP_INFO, sim_self(n), "incr", key, "expired");
      sim_note(n, "request %u expired: its outcome is unknown", c->seq);
    }
    if (s->finished >= s->config.requests)
      s->done = true;
    else
      schedule_next(n, s, 0);
  }
  annotate_client(n, s);
}

static void client_boot(sim_node *n, idem_state *s) {
  sim_annotate(n, "role", "client");
  if (s->config.requests > IDEM_MAX_REQUESTS) s->config.requests = IDEM_MAX_REQUESTS;
  if (s->config.requests == 0) {
    s->done = true;
  } else {
    schedule_next(n, s, s->config.start);
  }
  annotate_client(n, s);
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

static void idem_boot(sim_node *n, void *state) {
  idem_state *s = state;
  size_t size = 0;
  const idem_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  if (s->config.role == ROLE_SERVER)
    server_boot(n, s);
  else
    client_boot(n, s);
}

static void idem_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  idem_state *s = state;
  if (s->config.role == ROLE_SERVER) {
    if (type != MSG_REQUEST || from < 0) return;
    server_on_request(n, s, from, body);
    annotate_server(n, s);
    return;
  }
  if (type != MSG_REPLY || from != IDEM_SERVER || s->done) return;
  client_on_reply(n, s, body);
  client_after(n, s);
}

static void idem_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  idem_state *s = state;
  if (s->config.role != ROLE_CLIENT || s->done) return;
  if (kind == TIMER_THINK) {
    if (s->cli.waiting || s->finished >= s->config.requests) return;
    client_begin(n, s);
  } else if (kind == TIMER_RETRY) {
    client_on_timeout(n, s, (uint32_t)arg);
  }
  client_after(n, s);
}

const sim_protocol idem_protocol = {
    .name = "idempotency",
    .state_size = sizeof(idem_state),
    .stable_size = sizeof(server_data),
    .msg_types = idem_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = idem_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = idem_boot,
    .on_message = idem_on_message,
    .on_timer = idem_on_timer,
};
