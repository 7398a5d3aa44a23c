/*
 * labs/08-quorums/protocol.c: the fixed part of lab 08's protocol.
 *
 * The message and timer tables (the body formatters are what traces and the viewer show), boot,
 * the client's workload (which operation next, recorded in the history as invoke / ok / info /
 * fail), retransmission of the current phase to replicas that have not answered, the give-up
 * timer, replica persistence (the replica's store and hints are copied to stable storage after
 * every event, so a restarted replica keeps what it acknowledged), and the dispatch of every
 * message and timer to the functions you write (lab.h).
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

/* ---------------------------------------------------------------------------------------------
 * Formatting.
 */

static void format_tag(q_tag t, char *out, size_t cap) {
  if (t.ts == 0 && t.writer == 0)
    snprintf(out, cap, "-");
  else
    snprintf(out, cap, "%llu.%d", (unsigned long long)t.ts, (int)t.writer);
}

static void value_text(int32_t v, char *out, size_t cap) {
  if (v == Q_VALUE_NIL)
    snprintf(out, cap, "nil");
  else
    snprintf(out, cap, "%d", (int)v);
}

static void format_read(const void *body, char *out, size_t cap) {
  const q_read_body *b = body;
  snprintf(out, cap, "op=%u key=k%d", b->op, (int)b->key);
}

static void format_read_reply(const void *body, char *out, size_t cap) {
  const q_read_reply_body *b = body;
  char t[48], v[16];
  format_tag(b->tag, t, sizeof t);
  value_text(b->value, v, sizeof v);
  snprintf(out, cap, "op=%u k%d=%s tag=%s", b->op, (int)b->key, v, t);
}

static void format_write(const void *body, char *out, size_t cap) {
  const q_write_body *b = body;
  char t[48], v[16];
  format_tag(b->tag, t, sizeof t);
  value_text(b->value, v, sizeof v);
  if (b->hint >= 0)
    snprintf(out, cap, "op=%u k%d=%s tag=%s hint=n%d", b->op, (int)b->key, v, t, (int)b->hint);
  else
    snprintf(out, cap, "op=%u k%d=%s tag=%s", b->op, (int)b->key, v, t);
}

static void format_write_ack(const void *body, char *out, size_t cap) {
  const q_write_ack_body *b = body;
  char t[48];
  format_tag(b->tag, t, sizeof t);
  snprintf(out, cap, "op=%u key=k%d tag=%s", b->op, (int)b->key, t);
}

static void format_repair(const void *body, char *out, size_t cap) {
  const q_repair_body *b = body;
  char t[48], v[16];
  format_tag(b->tag, t, sizeof t);
  value_text(b->value, v, sizeof v);
  snprintf(out, cap, "k%d=%s tag=%s", (int)b->key, v, t);
}

static void format_handoff(const void *body, char *out, size_t cap) {
  const q_handoff_body *b = body;
  char t[48], v[16];
  format_tag(b->tag, t, sizeof t);
  value_text(b->value, v, sizeof v);
  snprintf(out, cap, "k%d=%s tag=%s slot=%u", (int)b->key, v, t, b->slot);
}

static void format_handoff_ack(const void *body, char *out, size_t cap) {
  const q_handoff_ack_body *b = body;
  char t[48];
  format_tag(b->tag, t, sizeof t);
  snprintf(out, cap, "key=k%d tag=%s slot=%u", (int)b->key, t, b->slot);
}

static const sim_msg_type quorum_types[MSG_TYPE_COUNT] = {
    [MSG_READ] = {"Read", sizeof(q_read_body), format_read},
    [MSG_READ_REPLY] = {"ReadReply", sizeof(q_read_reply_body), format_read_reply},
    [MSG_WRITE] = {"Write", sizeof(q_write_body), format_write},
    [MSG_WRITE_ACK] = {"WriteAck", sizeof(q_write_ack_body), format_write_ack},
    [MSG_REPAIR] = {"Repair", sizeof(q_repair_body), format_repair},
    [MSG_HANDOFF] = {"Handoff", sizeof(q_handoff_body), format_handoff},
    [MSG_HANDOFF_ACK] = {"HandoffAck", sizeof(q_handoff_ack_body), format_handoff_ack},
};

static const char *const quorum_timers[TIMER_KIND_COUNT] = {
    [TIMER_THINK] = "think",   [TIMER_RETRY] = "retry",     [TIMER_GIVE_UP] = "give-up",
    [TIMER_SLOPPY] = "sloppy", [TIMER_HANDOFF] = "handoff",
};

/* ---------------------------------------------------------------------------------------------
 * Helpers (contracts in lab.h).
 */

int q_tag_cmp(q_tag a, q_tag b) {
  if (a.ts != b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.writer != b.writer) return a.writer < b.writer ? -1 : 1;
  return 0;
}

int q_pref(const q_config *cfg, int key, int i) { return (key + i) % cfg->replicas; }

bool q_is_home(const q_config *cfg, int key, int node) {
  for (int i = 0; i < cfg->n; i++)
    if (q_pref(cfg, key, i) == node) return true;
  return false;
}

int q_majority(const q_config *cfg) { return cfg->n / 2 + 1; }

void q_phase_begin(q_client *c, q_phase phase) {
  c->phase = phase;
  c->replied = 0;
  c->replies = 0;
  c->targets = 0;
}

void q_send_read(sim_node *n, q_state *s, int to) {
  q_client *c = &s->cli;
  q_read_body b = {.op = c->op, .key = c->key};
  c->targets |= 1u << to;
  c->msg_type = MSG_READ;
  sim_send(n, to, MSG_READ, &b);
}

void q_send_write(sim_node *n, q_state *s, int to, q_tag tag, int32_t value, int hint) {
  q_client *c = &s->cli;
  q_write_body b = {.op = c->op, .key = c->key, .tag = tag, .value = value, .hint = hint};
  c->targets |= 1u << to;
  c->hint_of[to] = hint;
  c->msg_type = MSG_WRITE;
  c->store_tag = tag;
  c->store_value = value;
  sim_send(n, to, MSG_WRITE, &b);
}

void q_send_repair(sim_node *n, q_state *s, int to, q_tag tag, int32_t value) {
  q_repair_body b = {.key = s->cli.key, .value = value, .tag = tag};
  sim_send(n, to, MSG_REPAIR, &b);
}

void q_reply_read(sim_node *n, int to, uint32_t op, int key, q_cell cell) {
  q_read_reply_body b = {.op = op, .key = key, .tag = cell.tag, .value = cell.value};
  sim_send(n, to, MSG_READ_REPLY, &b);
}

void q_ack_write(sim_node *n, int to, uint32_t op, int key, q_tag tag) {
  q_write_ack_body b = {.op = op, .key = key, .tag = tag};
  sim_send(n, to, MSG_WRITE_ACK, &b);
}

void q_send_handoff(sim_node *n, const q_hint *h, uint32_t slot) {
  q_handoff_body b = {.key = h->key, .value = h->value, .tag = h->tag, .slot = slot};
  sim_send(n, h->home, MSG_HANDOFF, &b);
}

void q_ack_handoff(sim_node *n, int to, int key, uint32_t slot, q_tag tag) {
  q_handoff_ack_body b = {.key = key, .slot = slot, .tag = tag};
  sim_send(n, to, MSG_HANDOFF_ACK, &b);
}

/* ---------------------------------------------------------------------------------------------
 * The client's workload.
 */

static void key_text(int key, char *out, size_t cap) { snprintf(out, cap, "k%d", key); }

static void schedule_next(sim_node *n, q_state *s) {
  const q_config *cfg = &s->cfg;
  if (s->cli.ops_started >= cfg->ops) {
    sim_annotate(n, "op", "finished");
    return;
  }
  sim_time span = cfg->think_max > cfg->think_min ? cfg->think_max - cfg->think_min : 0;
  sim_time pause = cfg->think_min + (span ? sim_random_below(n, span + 1) : 0);
  sim_time now = sim_true_time(n);
  if (now + pause < cfg->start) pause = cfg->start - now;
  sim_timer_set(n, TIMER_THINK, pause, 0);
}

static void stop_timers(sim_node *n, q_client *c) {
  if (c->retry_timer) sim_timer_cancel(n, c->retry_timer);
  if (c->give_up_timer) sim_timer_cancel(n, c->give_up_timer);
  if (c->sloppy_timer) sim_timer_cancel(n, c->sloppy_timer);
  c->retry_timer = c->give_up_timer = c->sloppy_timer = 0;
}

void q_complete(sim_node *n, q_state *s, q_tag tag, int32_t value) {
  q_client *c = &s->cli;
  if (c->done) {
    sim_fail(sim_node_world(n), "complete-once",
             "%s completed operation %u twice (q_complete after it was already done)",
             sim_node_name(sim_node_world(n), sim_self(n)), c->op);
    return;
  }
  c->done = true;
  c->phase = PHASE_IDLE;
  c->ops_ok++;
  char k[16], v[16];
  key_text(c->key, k, sizeof k);
  if (c->kind == OP_READ) {
    c->read_result = value;
    c->read_tag = tag;
    value_text(value, v, sizeof v);
    sim_history_add(sim_node_world(n), SIM_OP_OK, sim_self(n), "read", k, v);
    sim_annotate(n, "op", "read %s=%s done", k, v);
  } else {
    value_text(c->write_value, v, sizeof v);
    sim_history_add(sim_node_world(n), SIM_OP_OK, sim_self(n), "write", k, v);
    sim_annotate(n, "op", "write %s=%s done", k, v);
  }
  stop_timers(n, c);
  schedule_next(n, s);
}

static void start_operation(sim_node *n, q_state *s) {
  q_client *c = &s->cli;
  const q_config *cfg = &s->cfg;
  uint32_t op = c->op + 1;
  int started = c->ops_started + 1, ok = c->ops_ok;
  memset(c, 0, sizeof *c);
  c->op = op;
  c->ops_started = started;
  c->ops_ok = ok;
  for (int i = 0; i < Q_MAX_REPLICAS; i++) c->hint_of[i] = -1;
  bool write =
      (cfg->first_op_write && op == 1) || (int)sim_random_below(n, 100) < cfg->write_percent;
  c->kind = write ? OP_WRITE : OP_READ;
  c->key = cfg->keys > 1 ? (int)sim_random_below(n, (uint64_t)cfg->keys) : 0;
  c->write_value = sim_self(n) * 1000 + (int32_t)op;
  char k[16], v[16];
  key_text(c->key, k, sizeof k);
  value_text(c->write_value, v, sizeof v);
  sim_history_add(sim_node_world(n), SIM_OP_INVOKE, sim_self(n), write ? "write" : "read", k,
                  write ? v : "");
  if (write)
    sim_annotate(n, "op", "write %s=%s", k, v);
  else
    sim_annotate(n, "op", "read %s", k);
  c->give_up_timer = sim_timer_set(n, TIMER_GIVE_UP, cfg->give_up, op);
  c->retry_timer = sim_timer_set(n, TIMER_RETRY, cfg->retry, op);
  if (cfg->mode == MODE_SLOPPY && write)
    c->sloppy_timer = sim_timer_set(n, TIMER_SLOPPY, cfg->sloppy_after, op);
  if (cfg->mode == MODE_ABD) {
    if (write)
      abd_write_start(n, s);
    else
      abd_read_start(n, s);
  } else {
    if (write)
      client_write_start(n, s);
    else
      client_read_start(n, s);
  }
}

/* Resend the current phase's message to every target that has not answered. */
static void retransmit(sim_node *n, q_state *s) {
  q_client *c = &s->cli;
  for (int i = 0; i < s->cfg.replicas; i++) {
    if (!(c->targets & (1u << i)) || (c->replied & (1u << i))) continue;
    if (c->msg_type == MSG_READ)
      q_send_read(n, s, i);
    else
      q_send_write(n, s, i, c->store_tag, c->store_value, c->hint_of[i]);
  }
}

static void give_up(sim_node *n, q_state *s) {
  q_client *c = &s->cli;
  char k[16], v[16];
  key_text(c->key, k, sizeof k);
  c->done = true;
  c->phase = PHASE_IDLE;
  if (c->kind == OP_WRITE) {
    /* Some replicas may have stored it: nobody knows whether it took effect. */
    value_text(c->write_value, v, sizeof v);
    sim_history_add(sim_node_world(n), SIM_OP_INFO, sim_self(n), "write", k, v);
  } else {
    /* A read that returned nothing changed nothing. */
    sim_history_add(sim_node_world(n), SIM_OP_FAIL, sim_self(n), "read", k, "");
  }
  sim_annotate(n, "op", "gave up op %u", c->op);
  sim_note(n, "gave up on operation %u after %llu us", c->op, (unsigned long long)s->cfg.give_up);
  c->give_up_timer = 0;
  stop_timers(n, c);
  schedule_next(n, s);
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

static void annotate_replica(sim_node *n, const q_state *s) {
  for (int k = 0; k < s->cfg.keys && k < Q_MAX_KEYS; k++) {
    char key[24], v[16], t[48];
    key_text(k, key, sizeof key);
    value_text(s->rep.store[k].value, v, sizeof v);
    format_tag(s->rep.store[k].tag, t, sizeof t);
    sim_annotate(n, key, "%s@%s", v, t);
  }
  if (s->cfg.mode == MODE_SLOPPY) {
    int held = 0;
    for (int i = 0; i < Q_MAX_HINTS; i++) held += s->rep.hints[i].used;
    sim_annotate(n, "hints", "%d", held);
  }
}

/* After every replica event: persist the store and hints, refresh the viewer's panel. */
static void replica_after(sim_node *n, q_state *s) {
  sim_stable_write(n, 0, &s->rep, sizeof s->rep);
  annotate_replica(n, s);
}

static void quorum_boot(sim_node *n, void *state) {
  q_state *s = state;
  size_t size = 0;
  const q_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->cfg = *cfg;
  if (s->cfg.role == ROLE_REPLICA) {
    sim_annotate(n, "role", "replica");
    sim_stable_read(n, 0, &s->rep, sizeof s->rep);
    annotate_replica(n, s);
    if (s->cfg.mode == MODE_SLOPPY && s->cfg.handoff_every)
      sim_timer_set(n, TIMER_HANDOFF, s->cfg.handoff_every, 0);
  } else {
    sim_annotate(n, "role", "client");
    schedule_next(n, s);
  }
}

static void quorum_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  q_state *s = state;
  if (s->cfg.role == ROLE_REPLICA) {
    if (from < 0) return;
    switch (type) {
      case MSG_READ:
        replica_on_read(n, s, from, body);
        break;
      case MSG_WRITE:
        replica_on_write(n, s, from, body);
        break;
      case MSG_REPAIR:
        replica_on_repair(n, s, body);
        break;
      case MSG_HANDOFF:
        replica_on_handoff(n, s, from, body);
        break;
      case MSG_HANDOFF_ACK:
        replica_on_handoff_ack(n, s, body);
        break;
      default:
        return;
    }
    replica_after(n, s);
    return;
  }
  q_client *c = &s->cli;
  if (from < 0 || from >= s->cfg.replicas || c->op == 0) return;
  bool abd = s->cfg.mode == MODE_ABD;
  if (type == MSG_READ_REPLY) {
    const q_read_reply_body *r = body;
    if (r->op != c->op) return; /* a reply to an earlier operation */
    if (abd)
      abd_on_read_reply(n, s, from, r);
    else
      client_on_read_reply(n, s, from, r);
  } else if (type == MSG_WRITE_ACK) {
    const q_write_ack_body *a = body;
    if (a->op != c->op) return;
    if (abd)
      abd_on_write_ack(n, s, from, a);
    else
      client_on_write_ack(n, s, from, a);
  }
}

static void quorum_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  q_state *s = state;
  q_client *c = &s->cli;
  if (s->cfg.role == ROLE_REPLICA) {
    if (kind == TIMER_HANDOFF) {
      replica_on_handoff_timer(n, s);
      replica_after(n, s);
      sim_timer_set(n, TIMER_HANDOFF, s->cfg.handoff_every, 0);
    }
    return;
  }
  bool current = arg == c->op && !c->done;
  switch (kind) {
    case TIMER_THINK:
      start_operation(n, s);
      break;
    case TIMER_RETRY:
      if (!current) return;
      retransmit(n, s);
      c->retry_timer = sim_timer_set(n, TIMER_RETRY, s->cfg.retry, c->op);
      break;
    case TIMER_GIVE_UP:
      if (current) give_up(n, s);
      break;
    case TIMER_SLOPPY:
      if (!current) return;
      client_on_sloppy_timer(n, s);
      if (!c->done) c->sloppy_timer = sim_timer_set(n, TIMER_SLOPPY, s->cfg.sloppy_after, c->op);
      break;
    default:
      break;
  }
}

const sim_protocol quorum_protocol = {
    .name = "quorum",
    .state_size = sizeof(q_state),
    .stable_size = sizeof(q_replica),
    .msg_types = quorum_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = quorum_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = quorum_boot,
    .on_message = quorum_on_message,
    .on_timer = quorum_on_timer,
};
