/*
 * labs/09-cap/protocol.c: the fixed part of lab 09's protocol.
 *
 * The message and timer tables (the body formatters are what traces and the viewer show), boot,
 * the clients' workload (one operation at a time, recorded in the history: ok for KV_OK, fail for
 * KV_REFUSED or a read that got no answer, info for KV_UNKNOWN or a write that got no answer), the
 * replica's side of a request (deduplication by the client's operation number, then cp_begin or
 * ap_begin), retransmission of the CP phases, the CP deadline, the anti-entropy timer, replica
 * persistence (the store is copied to stable storage after every event), the viewer's annotations,
 * and the helpers declared in lab.h.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

/* ---------------------------------------------------------------------------------------------
 * Formatting.
 */

static void tag_text(kv_tag t, char *out, size_t cap) {
  if (t.ts == 0 && t.node == 0)
    snprintf(out, cap, "-");
  else
    snprintf(out, cap, "%llu.n%d", (unsigned long long)t.ts, (int)t.node);
}

static void value_text(int32_t v, char *out, size_t cap) {
  if (v == KV_VALUE_NIL)
    snprintf(out, cap, "nil");
  else
    snprintf(out, cap, "%d", (int)v);
}

static void cell_text(kv_cell c, char *out, size_t cap) {
  char v[16], t[48];
  value_text(c.value, v, sizeof v);
  tag_text(c.tag, t, sizeof t);
  snprintf(out, cap, "%s@%s", v, t);
}

const char *kv_status_name(int status) {
  switch (status) {
    case KV_OK:
      return "OK";
    case KV_REFUSED:
      return "REFUSED";
    case KV_UNKNOWN:
      return "UNKNOWN";
    default:
      return "?";
  }
}

static void format_request(const void *body, char *out, size_t cap) {
  const kv_request_body *b = body;
  char v[16];
  value_text(b->value, v, sizeof v);
  if (b->kind == OP_WRITE)
    snprintf(out, cap, "op=%u write k%d=%s", b->op, (int)b->key, v);
  else
    snprintf(out, cap, "op=%u read k%d", b->op, (int)b->key);
}

static void format_reply(const void *body, char *out, size_t cap) {
  const kv_reply_body *b = body;
  char c[80];
  cell_text(b->cell, c, sizeof c);
  if (b->status == KV_OK)
    snprintf(out, cap, "op=%u OK k%d=%s", b->op, (int)b->key, c);
  else
    snprintf(out, cap, "op=%u %s k%d", b->op, kv_status_name(b->status), (int)b->key);
}

static void format_query(const void *body, char *out, size_t cap) {
  const kv_query_body *b = body;
  snprintf(out, cap, "req=%u key=k%d", b->req, (int)b->key);
}

static void format_query_reply(const void *body, char *out, size_t cap) {
  const kv_query_reply_body *b = body;
  char c[80];
  cell_text(b->cell, c, sizeof c);
  snprintf(out, cap, "req=%u k%d=%s", b->req, (int)b->key, c);
}

static void format_store(const void *body, char *out, size_t cap) {
  const kv_store_body *b = body;
  char c[80];
  cell_text(b->cell, c, sizeof c);
  snprintf(out, cap, "req=%u k%d=%s", b->req, (int)b->key, c);
}

static void format_store_ack(const void *body, char *out, size_t cap) {
  const kv_store_ack_body *b = body;
  char t[48];
  tag_text(b->tag, t, sizeof t);
  snprintf(out, cap, "req=%u key=k%d tag=%s", b->req, (int)b->key, t);
}

static void format_update(const void *body, char *out, size_t cap) {
  const kv_update_body *b = body;
  char c[80];
  cell_text(b->cell, c, sizeof c);
  snprintf(out, cap, "k%d=%s", (int)b->key, c);
}

static void format_sync(const void *body, char *out, size_t cap) {
  const kv_sync_body *b = body;
  size_t at = 0;
  out[0] = '\0';
  for (int k = 0; k < b->keys && k < KV_MAX_KEYS && at < cap; k++) {
    char c[80];
    cell_text(b->cells[k], c, sizeof c);
    at += (size_t)snprintf(out + at, cap - at, "%sk%d=%s", k ? " " : "", k, c);
  }
}

static const sim_msg_type kv_types[MSG_TYPE_COUNT] = {
    [MSG_REQUEST] = {"Request", sizeof(kv_request_body), format_request},
    [MSG_REPLY] = {"Reply", sizeof(kv_reply_body), format_reply},
    [MSG_QUERY] = {"Query", sizeof(kv_query_body), format_query},
    [MSG_QUERY_REPLY] = {"QueryReply", sizeof(kv_query_reply_body), format_query_reply},
    [MSG_STORE] = {"Store", sizeof(kv_store_body), format_store},
    [MSG_STORE_ACK] = {"StoreAck", sizeof(kv_store_ack_body), format_store_ack},
    [MSG_UPDATE] = {"Update", sizeof(kv_update_body), format_update},
    [MSG_SYNC] = {"Sync", sizeof(kv_sync_body), format_sync},
};

static const char *const kv_timers[TIMER_KIND_COUNT] = {
    [TIMER_THINK] = "think",       [TIMER_GIVE_UP] = "give-up",           [TIMER_RETRY] = "retry",
    [TIMER_DEADLINE] = "deadline", [TIMER_ANTI_ENTROPY] = "anti-entropy",
};

/* ---------------------------------------------------------------------------------------------
 * Helpers (contracts in lab.h).
 */

int kv_tag_cmp(kv_tag a, kv_tag b) {
  if (a.ts != b.ts) return a.ts < b.ts ? -1 : 1;
  if (a.node != b.node) return a.node < b.node ? -1 : 1;
  return 0;
}

int kv_majority(const kv_config *cfg) { return cfg->replicas / 2 + 1; }

/* CP: the coordinator's phase, for the viewer's panel and the state diagram. (An AP request is
 * answered within the handler that receives it: there is no phase to show.) */
static void annotate_phase(sim_node *n, const kv_state *s) {
  static const char *const names[] = {"idle", "query", "store"};
  if (s->cfg.mode != MODE_CP) return;
  int p = s->co.phase >= PHASE_IDLE && s->co.phase <= PHASE_STORE ? (int)s->co.phase : 0;
  sim_annotate(n, "phase", "%s", names[p]);
}

static void stop_coord_timers(sim_node *n, kv_coord *co) {
  if (co->retry_timer) sim_timer_cancel(n, co->retry_timer);
  if (co->deadline_timer) sim_timer_cancel(n, co->deadline_timer);
  co->retry_timer = co->deadline_timer = 0;
}

void kv_reply(sim_node *n, kv_state *s, kv_status status, kv_cell cell) {
  kv_coord *co = &s->co;
  sim_world *w = sim_node_world(n);
  if (!co->busy) {
    sim_fail(w, "reply-once",
             "%s answered a request when none was in progress (kv_reply after the request was "
             "already answered: check s->co.busy, or the phase, before answering)",
             sim_node_name(w, sim_self(n)));
    return;
  }
  kv_reply_body b;
  memset(&b, 0, sizeof b);
  b.op = co->client_op;
  b.status = status;
  b.key = co->key;
  if (status == KV_OK) b.cell = cell;
  sim_send(n, co->client, MSG_REPLY, &b);
  co->busy = false;
  co->phase = PHASE_IDLE;
  stop_coord_timers(n, co);
  annotate_phase(n, s);
}

void kv_send_query(sim_node *n, kv_state *s) {
  kv_query_body q = {.req = s->co.req, .key = s->co.key};
  for (int i = 0; i < s->cfg.replicas; i++)
    if (i != sim_self(n) && !(s->co.replied & (1u << i))) sim_send(n, i, MSG_QUERY, &q);
}

void kv_send_store(sim_node *n, kv_state *s) {
  kv_store_body st;
  memset(&st, 0, sizeof st);
  st.req = s->co.req;
  st.key = s->co.key;
  st.cell = s->co.store;
  for (int i = 0; i < s->cfg.replicas; i++)
    if (i != sim_self(n) && !(s->co.replied & (1u << i))) sim_send(n, i, MSG_STORE, &st);
}

void kv_answer_query(sim_node *n, int to, const kv_query_body *q, kv_cell cell) {
  kv_query_reply_body b;
  memset(&b, 0, sizeof b);
  b.req = q->req;
  b.key = q->key;
  b.cell = cell;
  sim_send(n, to, MSG_QUERY_REPLY, &b);
}

void kv_ack_store(sim_node *n, int to, const kv_store_body *st) {
  kv_store_ack_body b;
  memset(&b, 0, sizeof b);
  b.req = st->req;
  b.key = st->key;
  b.tag = st->cell.tag;
  sim_send(n, to, MSG_STORE_ACK, &b);
}

void ap_send_update(sim_node *n, int to, int key, kv_cell cell) {
  kv_update_body b;
  memset(&b, 0, sizeof b);
  b.key = key;
  b.cell = cell;
  sim_send(n, to, MSG_UPDATE, &b);
}

void ap_send_sync(sim_node *n, const kv_state *s, int to) {
  kv_sync_body b;
  memset(&b, 0, sizeof b);
  b.keys = s->cfg.keys;
  for (int k = 0; k < s->cfg.keys && k < KV_MAX_KEYS; k++) b.cells[k] = s->rep.store[k];
  sim_send(n, to, MSG_SYNC, &b);
}

/* ---------------------------------------------------------------------------------------------
 * The client's workload.
 */

static void key_text(int key, char *out, size_t cap) { snprintf(out, cap, "k%d", key); }

static void schedule_next(sim_node *n, kv_state *s) {
  const kv_config *cfg = &s->cfg;
  sim_time span = cfg->think_max > cfg->think_min ? cfg->think_max - cfg->think_min : 0;
  sim_time pause = cfg->think_min + (span ? sim_random_below(n, span + 1) : 0);
  sim_time now = sim_true_time(n);
  if (now + pause < cfg->start) pause = cfg->start - now;
  if (s->cli.started >= cfg->ops || now + pause > cfg->stop) {
    s->cli.finished = true;
    sim_annotate(n, "op", "finished");
    return;
  }
  sim_timer_set(n, TIMER_THINK, pause, 0);
}

static void start_operation(sim_node *n, kv_state *s) {
  kv_client *c = &s->cli;
  const kv_config *cfg = &s->cfg;
  c->op++;
  c->started++;
  sim_stable_write(n, 0, &c->op, sizeof c->op);
  bool write = (int)sim_random_below(n, 100) < cfg->write_percent;
  c->kind = write ? OP_WRITE : OP_READ;
  c->key = cfg->keys > 1 ? (int)sim_random_below(n, (uint64_t)cfg->keys) : 0;
  c->value = sim_self(n) * 1000 + (int32_t)c->op;
  c->waiting = true;
  char k[16], v[16];
  key_text(c->key, k, sizeof k);
  value_text(c->value, v, sizeof v);
  sim_history_add(sim_node_world(n), SIM_OP_INVOKE, sim_self(n), write ? "write" : "read", k,
                  write ? v : "");
  if (write)
    sim_annotate(n, "op", "write %s=%s", k, v);
  else
    sim_annotate(n, "op", "read %s", k);
  kv_request_body b = {.op = c->op, .kind = c->kind, .key = c->key, .value = write ? c->value : 0};
  sim_send(n, cfg->home, MSG_REQUEST, &b);
  c->give_up_timer = sim_timer_set(n, TIMER_GIVE_UP, cfg->give_up, c->op);
}

/* The reply to the current operation: record it in the history. */
static void client_on_reply(sim_node *n, kv_state *s, const kv_reply_body *r) {
  kv_client *c = &s->cli;
  if (!c->waiting || r->op != c->op) return; /* a reply to an earlier operation, or a duplicate */
  c->waiting = false;
  if (c->give_up_timer) sim_timer_cancel(n, c->give_up_timer);
  c->give_up_timer = 0;
  sim_world *w = sim_node_world(n);
  char k[16], v[16];
  key_text(c->key, k, sizeof k);
  const char *op = c->kind == OP_WRITE ? "write" : "read";
  if (r->status == KV_OK) {
    c->ok++;
    value_text(c->kind == OP_WRITE ? c->value : r->cell.value, v, sizeof v);
    sim_history_add(w, SIM_OP_OK, sim_self(n), op, k, v);
    sim_annotate(n, "op", "%s %s=%s ok", op, k, v);
  } else if (r->status == KV_UNKNOWN && c->kind == OP_WRITE) {
    /* Maybe done, maybe not. (A read has no effect: unknown and refused are the same to it.) */
    c->unknown++;
    value_text(c->value, v, sizeof v);
    sim_history_add(w, SIM_OP_INFO, sim_self(n), op, k, v);
    sim_annotate(n, "op", "%s %s=%s unknown", op, k, v);
  } else {
    c->refused++;
    value_text(c->kind == OP_WRITE ? c->value : KV_VALUE_NIL, v, sizeof v);
    sim_history_add(w, SIM_OP_FAIL, sim_self(n), op, k, c->kind == OP_WRITE ? v : "");
    sim_annotate(n, "op", "%s %s refused", op, k);
  }
  schedule_next(n, s);
}

static void client_give_up(sim_node *n, kv_state *s) {
  kv_client *c = &s->cli;
  c->waiting = false;
  c->give_up_timer = 0;
  c->gave_up++;
  char k[16], v[16];
  key_text(c->key, k, sizeof k);
  value_text(c->value, v, sizeof v);
  if (c->kind == OP_WRITE)
    sim_history_add(sim_node_world(n), SIM_OP_INFO, sim_self(n), "write", k, v);
  else
    sim_history_add(sim_node_world(n), SIM_OP_FAIL, sim_self(n), "read", k, "");
  sim_annotate(n, "op", "gave up on op %u", c->op);
  sim_note(n, "no reply to op %u after %llu us", c->op, (unsigned long long)s->cfg.give_up);
  schedule_next(n, s);
}

/* ---------------------------------------------------------------------------------------------
 * The replica's side of a request.
 */

static void on_request(sim_node *n, kv_state *s, int from, const kv_request_body *r) {
  if (from < 0 || from >= SIM_MAX_NODES) return;
  /* A duplicate, or a late copy of an earlier request: already handled. */
  if (r->op <= s->rep.last_op[from]) return;
  s->rep.last_op[from] = r->op;
  kv_coord *co = &s->co;
  if (co->busy) {
    /* Still on an earlier request: its client has given up (it asks one thing at a time). */
    sim_note(n, "dropping req %u for %s: a newer request arrived", co->req,
             sim_node_name(sim_node_world(n), co->client));
    stop_coord_timers(n, co);
  }
  uint32_t req = co->req + 1;
  memset(co, 0, sizeof *co);
  co->busy = true;
  co->client = from;
  co->client_op = r->op;
  co->kind = r->kind == OP_WRITE ? OP_WRITE : OP_READ;
  co->key = r->key >= 0 && r->key < s->cfg.keys && r->key < KV_MAX_KEYS ? r->key : 0;
  co->value = r->value;
  co->req = req;
  co->started = sim_true_time(n);
  if (s->cfg.mode == MODE_CP) {
    co->deadline_timer = sim_timer_set(n, TIMER_DEADLINE, s->cfg.cp_timeout, req);
    co->retry_timer = sim_timer_set(n, TIMER_RETRY, s->cfg.retry, req);
    cp_begin(n, s);
  } else {
    ap_begin(n, s);
  }
  annotate_phase(n, s);
}

static void annotate_store(sim_node *n, const kv_state *s) {
  for (int k = 0; k < s->cfg.keys && k < KV_MAX_KEYS; k++) {
    char key[16], c[80];
    key_text(k, key, sizeof key);
    cell_text(s->rep.store[k], c, sizeof c);
    sim_annotate(n, key, "%s", c);
  }
}

/* After every replica event: persist the store, refresh the viewer's panel. */
static void replica_after(sim_node *n, kv_state *s) {
  sim_stable_write(n, 0, &s->rep, sizeof s->rep);
  annotate_store(n, s);
  annotate_phase(n, s);
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

static void kv_boot(sim_node *n, void *state) {
  kv_state *s = state;
  size_t size = 0;
  const kv_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->cfg = *cfg;
  if (s->cfg.role == ROLE_REPLICA) {
    sim_annotate(n, "mode", "%s",
                 s->cfg.mode == MODE_CP ? (s->cfg.read_local ? "PC/EL" : "PC/EC") : "PA/EL");
    sim_stable_read(n, 0, &s->rep, sizeof s->rep);
    annotate_store(n, s);
    annotate_phase(n, s);
    if (s->cfg.mode == MODE_AP && s->cfg.anti_entropy)
      sim_timer_set(n, TIMER_ANTI_ENTROPY, s->cfg.anti_entropy, 0);
  } else {
    /* A client keeps its operation counter on disk, so that a client that crashes and restarts
     * goes on with new operation numbers and never writes a value twice. */
    sim_stable_read(n, 0, &s->cli.op, sizeof s->cli.op);
    s->cli.started = (int)s->cli.op;
    sim_annotate(n, "home", "n%d", s->cfg.home);
    schedule_next(n, s);
  }
}

static void kv_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  kv_state *s = state;
  if (s->cfg.role == ROLE_CLIENT) {
    if (type == MSG_REPLY && from == s->cfg.home) client_on_reply(n, s, body);
    return;
  }
  if (from < 0) return;
  kv_coord *co = &s->co;
  switch (type) {
    case MSG_REQUEST:
      on_request(n, s, from, body);
      break;
    case MSG_QUERY:
      if (((const kv_query_body *)body)->key >= 0 &&
          ((const kv_query_body *)body)->key < KV_MAX_KEYS)
        replica_on_query(n, s, from, body);
      break;
    case MSG_QUERY_REPLY:
      /* Only for the request in progress; a reply to an earlier request is stale. */
      if (co->busy && from < s->cfg.replicas && ((const kv_query_reply_body *)body)->req == co->req)
        cp_on_query_reply(n, s, from, body);
      break;
    case MSG_STORE:
      if (((const kv_store_body *)body)->key >= 0 &&
          ((const kv_store_body *)body)->key < KV_MAX_KEYS)
        replica_on_store(n, s, from, body);
      break;
    case MSG_STORE_ACK:
      if (co->busy && from < s->cfg.replicas && ((const kv_store_ack_body *)body)->req == co->req)
        cp_on_store_ack(n, s, from, body);
      break;
    case MSG_UPDATE:
      if (((const kv_update_body *)body)->key >= 0 &&
          ((const kv_update_body *)body)->key < KV_MAX_KEYS)
        ap_on_update(n, s, from, body);
      break;
    case MSG_SYNC:
      ap_on_sync(n, s, from, body);
      break;
    default:
      return;
  }
  replica_after(n, s);
}

static void kv_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  kv_state *s = state;
  if (s->cfg.role == ROLE_CLIENT) {
    if (kind == TIMER_THINK) start_operation(n, s);
    if (kind == TIMER_GIVE_UP && s->cli.waiting && arg == s->cli.op) client_give_up(n, s);
    return;
  }
  kv_coord *co = &s->co;
  bool current = co->busy && arg == co->req;
  switch (kind) {
    case TIMER_RETRY:
      if (!current) return;
      if (co->phase == PHASE_QUERY) kv_send_query(n, s);
      if (co->phase == PHASE_STORE) kv_send_store(n, s);
      co->retry_timer = sim_timer_set(n, TIMER_RETRY, s->cfg.retry, co->req);
      break;
    case TIMER_DEADLINE:
      if (!current) return;
      co->deadline_timer = 0;
      cp_on_deadline(n, s);
      break;
    case TIMER_ANTI_ENTROPY:
      ap_on_anti_entropy(n, s);
      sim_timer_set(n, TIMER_ANTI_ENTROPY, s->cfg.anti_entropy, 0);
      break;
    default:
      return;
  }
  replica_after(n, s);
}

const sim_protocol kv_protocol = {
    .name = "kv-cap",
    .state_size = sizeof(kv_state),
    .stable_size = sizeof(kv_replica),
    .msg_types = kv_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = kv_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = kv_boot,
    .on_message = kv_on_message,
    .on_timer = kv_on_timer,
};
