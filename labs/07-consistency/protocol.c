/*
 * labs/07-consistency/protocol.c: the fixed part of lab 07: a primary-copy store with lagging
 * asynchronous replicas, and the clients' workload. Your session layer (lab.h, bottom) plugs in
 * at four points: when a client's write or read completes, when a Read reaches a store node, and
 * when a store node's applied version goes up.
 *
 * Replication in one paragraph: the primary keeps, per replica, the highest version that replica
 * said it applied (acked). Every sync_interval it sends the replica a Sync with the next entries
 * after acked, but only entries older than the replica's lag; a Sync goes out even when it has
 * no entries, so that a replica that restarted with nothing can say so. The replica applies
 * entries strictly in order (version applied+1 next, anything else is ignored) and answers with
 * its applied version, which becomes the primary's acked for it: lost, duplicated or reordered
 * Syncs only cost a resend, and a restarted replica starts over from version 1.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

const char *store_key_name(int key) {
  static const char *const names[STORE_KEYS] = {"x", "y"};
  return key >= 0 && key < STORE_KEYS ? names[key] : "?";
}

static void format_write(const void *body, char *out, size_t cap) {
  const write_body *b = body;
  snprintf(out, cap, "req=%u %s=%s", b->req, store_key_name(b->key), b->value);
}

static void format_write_ok(const void *body, char *out, size_t cap) {
  const write_ok_body *b = body;
  snprintf(out, cap, "req=%u version=%llu", b->req, (unsigned long long)b->version);
}

static void format_read(const void *body, char *out, size_t cap) {
  const read_body *b = body;
  snprintf(out, cap, "req=%u key=%s token=%llu", b->req, store_key_name(b->key),
           (unsigned long long)b->token);
}

static void format_read_ok(const void *body, char *out, size_t cap) {
  const read_ok_body *b = body;
  snprintf(out, cap, "req=%u %s=%s version=%llu applied=%llu", b->req, store_key_name(b->key),
           b->value, (unsigned long long)b->version, (unsigned long long)b->applied);
}

static void format_sync(const void *body, char *out, size_t cap) {
  const sync_body *b = body;
  if (b->count == 0)
    snprintf(out, cap, "from=%llu (no entries)", (unsigned long long)b->first);
  else
    snprintf(out, cap, "versions %llu..%llu", (unsigned long long)b->first,
             (unsigned long long)(b->first + b->count - 1));
}

static void format_sync_ack(const void *body, char *out, size_t cap) {
  const sync_ack_body *b = body;
  snprintf(out, cap, "applied=%llu", (unsigned long long)b->applied);
}

static const sim_msg_type store_types[MSG_TYPE_COUNT] = {
    [MSG_WRITE] = {"Write", sizeof(write_body), format_write},
    [MSG_WRITE_OK] = {"WriteOk", sizeof(write_ok_body), format_write_ok},
    [MSG_READ] = {"Read", sizeof(read_body), format_read},
    [MSG_READ_OK] = {"ReadOk", sizeof(read_ok_body), format_read_ok},
    [MSG_SYNC] = {"Sync", sizeof(sync_body), format_sync},
    [MSG_SYNC_ACK] = {"SyncAck", sizeof(sync_ack_body), format_sync_ack},
};

static const char *const store_timers[TIMER_KIND_COUNT] = {
    [TIMER_SYNC] = "sync", [TIMER_THINK] = "think", [TIMER_RETRY] = "retry"};

void store_reply_read(sim_node *n, store_state *s, int client, uint32_t req, uint8_t key) {
  read_ok_body ok;
  memset(&ok, 0, sizeof ok); /* bodies are copied byte for byte: no stray padding */
  ok.req = req;
  ok.key = key;
  ok.applied = s->applied;
  if (key < STORE_KEYS) {
    ok.version = s->data[key].version;
    memcpy(ok.value, s->data[key].value, sizeof ok.value);
  } else {
    snprintf(ok.value, sizeof ok.value, "nil");
  }
  sim_send(n, client, MSG_READ_OK, &ok);
}

/* ---------------------------------------------------------------------------------------------
 * Store nodes: the primary and the replicas.
 */

static void annotate_applied(sim_node *n, const store_state *s) {
  sim_annotate(n, "applied", "%llu", (unsigned long long)s->applied);
}

/* How many reads this node holds back (the viewer's state panel). */
static void annotate_held(sim_node *n, const store_state *s) {
  int held = 0;
  for (int c = 0; c < SIM_MAX_NODES; c++) held += s->pending[c].active;
  sim_annotate(n, "held", "%d", held);
}

/* After replica_on_read: if the read just received is the one now waiting in the client's slot
 * (s->pending[from] is active and holds its req), write the viewer's "held back" note, so that
 * every replica_on_read gets it without writing it. A read that was answered at once, or dropped
 * as an old duplicate, leaves no note. A read held although applied >= token gets a note that
 * says so: replica_on_read should have answered it. */
static void note_if_held(sim_node *n, const store_state *s, int from, const read_body *rd) {
  const pending_read *p = &s->pending[from];
  if (!p->active || p->req != rd->req) return;
  const char *client = sim_node_name(sim_node_world(n), from);
  unsigned long long token = rd->token, applied = s->applied;
  if (token > applied)
    sim_note(n, "read req=%u from %s held back: token %llu > applied %llu", rd->req, client, token,
             applied);
  else
    sim_note(n,
             "read req=%u from %s held back although applied %llu >= token %llu: "
             "replica_on_read must answer it at once",
             rd->req, client, applied, token);
}

/* Primary: apply a client's write (once per request, however often it is resent). */
static void primary_on_write(sim_node *n, store_state *s, int from, const write_body *wr) {
  if (from < 0 || from >= SIM_MAX_NODES || wr->key >= STORE_KEYS) return;
  if (wr->req < s->last_req[from]) return; /* a resend of a write answered long ago */
  write_ok_body ok;
  memset(&ok, 0, sizeof ok);
  ok.req = wr->req;
  if (wr->req == s->last_req[from]) { /* a resend of the last write: same answer */
    ok.version = s->last_version[from];
    sim_send(n, from, MSG_WRITE_OK, &ok);
    return;
  }
  if (s->applied >= STORE_LOG_MAX) {
    sim_note(n, "log full (%d writes): write req=%u from n%d refused", STORE_LOG_MAX, wr->req,
             from);
    return;
  }
  log_entry *e = &s->log[s->applied];
  e->version = s->applied + 1;
  e->key = wr->key;
  memcpy(e->value, wr->value, sizeof e->value);
  e->value[STORE_VALUE_LEN - 1] = '\0';
  e->written_at = sim_true_time(n);
  s->applied = e->version;
  s->data[e->key].version = e->version;
  memcpy(s->data[e->key].value, e->value, sizeof e->value);
  s->last_req[from] = wr->req;
  s->last_version[from] = e->version;
  ok.version = e->version;
  sim_send(n, from, MSG_WRITE_OK, &ok);
  annotate_applied(n, s);
  replica_on_applied(n, s);
  annotate_held(n, s);
}

/* Primary: every sync_interval, send each replica what it lacks and is old enough. */
static void primary_sync(sim_node *n, store_state *s) {
  sim_time now = sim_true_time(n);
  for (int r = 1; r <= s->config.replicas && r < SIM_MAX_NODES; r++) {
    sync_body sync;
    memset(&sync, 0, sizeof sync);
    sync.first = s->acked[r] + 1;
    for (uint64_t v = sync.first; v <= s->applied && sync.count < STORE_SYNC_BATCH; v++) {
      const log_entry *e = &s->log[v - 1];
      if (e->written_at + s->config.lag[r] > now) break; /* not old enough for this replica */
      sync.entries[sync.count++] = *e;
    }
    sim_send(n, r, MSG_SYNC, &sync);
  }
  sim_timer_set(n, TIMER_SYNC, s->config.sync_interval, 0);
}

/* Replica: apply the entries that come next in version order; report how far it got. */
static void replica_on_sync(sim_node *n, store_state *s, int from, const sync_body *sync) {
  uint64_t before = s->applied;
  for (uint32_t i = 0; i < sync->count && i < STORE_SYNC_BATCH; i++) {
    const log_entry *e = &sync->entries[i];
    if (e->version != s->applied + 1 || e->key >= STORE_KEYS) continue;
    s->data[e->key].version = e->version;
    memcpy(s->data[e->key].value, e->value, sizeof e->value);
    s->data[e->key].value[STORE_VALUE_LEN - 1] = '\0';
    s->applied = e->version;
  }
  sync_ack_body ack;
  memset(&ack, 0, sizeof ack);
  ack.applied = s->applied;
  sim_send(n, from, MSG_SYNC_ACK, &ack);
  if (s->applied > before) {
    annotate_applied(n, s);
    replica_on_applied(n, s);
    annotate_held(n, s);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Clients: the workload.
 */

/* Send (or resend) the operation in progress and arm the retry timer. */
static void client_send(sim_node *n, store_state *s) {
  s->attempts++;
  if (s->busy == OP_WRITE) {
    write_body wr;
    memset(&wr, 0, sizeof wr);
    wr.req = s->req;
    wr.key = s->key;
    memcpy(wr.value, s->value, sizeof wr.value);
    sim_send(n, 0, MSG_WRITE, &wr);
  } else {
    int target = s->config.read_primary || s->config.replicas < 1
                     ? 0
                     : 1 + (int)sim_random_below(n, (uint64_t)s->config.replicas);
    read_body rd;
    memset(&rd, 0, sizeof rd);
    rd.req = s->req;
    rd.key = s->key;
    rd.token = s->config.sessions ? s->session.token : 0;
    sim_send(n, target, MSG_READ, &rd);
  }
  s->retry_timer = sim_timer_set(n, TIMER_RETRY, s->config.retry, s->req);
}

/* Start the next operation, or stop after the last. */
static void client_next(sim_node *n, store_state *s) {
  if (s->completed >= s->config.ops) return; /* client_complete already said "done" */
  s->req++;
  s->attempts = 0;
  s->key = (uint8_t)sim_random_below(n, STORE_KEYS);
  s->busy = sim_random_below(n, 100) < s->config.write_percent ? OP_WRITE : OP_READ;
  s->invoked = sim_true_time(n);
  sim_world *w = sim_node_world(n);
  if (s->busy == OP_WRITE) {
    snprintf(s->value, sizeof s->value, "c%d.%u", sim_self(n), s->req);
    sim_history_add(w, SIM_OP_INVOKE, sim_self(n), "write", store_key_name(s->key), s->value);
  } else {
    s->value[0] = '\0';
    sim_history_add(w, SIM_OP_INVOKE, sim_self(n), "read", store_key_name(s->key), "");
  }
  client_send(n, s);
}

/* The operation in progress is answered: remember what was seen, record it, pause, go on. */
static void client_complete(sim_node *n, store_state *s, int from, uint64_t version, uint64_t token,
                            uint64_t applied, const char *value) {
  sim_timer_cancel(n, s->retry_timer);
  s->retry_timer = 0;
  if (s->completed < CLIENT_OPS_MAX) {
    op_done *d = &s->done[s->completed];
    d->kind = s->busy;
    d->key = s->key;
    d->server = from;
    d->version = version;
    d->token = token;
    d->applied = applied;
    d->invoked = s->invoked;
    d->completed = sim_true_time(n);
    snprintf(d->value, sizeof d->value, "%s", value);
  }
  s->completed++;
  sim_history_add(sim_node_world(n), SIM_OP_OK, sim_self(n), s->busy == OP_WRITE ? "write" : "read",
                  store_key_name(s->key), value);
  s->busy = OP_NONE;
  if (s->config.sessions) sim_annotate(n, "token", "%llu", (unsigned long long)s->session.token);
  sim_annotate(n, "ops", "%u/%u", s->completed, s->config.ops);
  /* Say "done" now, not at the next think timer: the run stops as soon as the last client
   * finishes, and that client's timer would never fire. */
  if (s->completed >= s->config.ops) sim_annotate(n, "status", "done");
  sim_timer_set(n, TIMER_THINK, sim_random_below(n, s->config.think + 1), 0);
}

static void client_on_write_ok(sim_node *n, store_state *s, int from, const write_ok_body *ok) {
  if (s->busy != OP_WRITE || ok->req != s->req) return; /* late or duplicate */
  if (s->config.sessions) session_on_write_ok(&s->session, ok);
  client_complete(n, s, from, ok->version, 0, 0, s->value);
}

static void client_on_read_ok(sim_node *n, store_state *s, int from, const read_ok_body *ok) {
  if (s->busy != OP_READ || ok->req != s->req || ok->key != s->key) return; /* late, duplicate */
  uint64_t token = s->config.sessions ? s->session.token : 0; /* what the request carried */
  if (s->config.sessions) session_on_read_ok(&s->session, ok);
  char value[STORE_VALUE_LEN];
  memcpy(value, ok->value, sizeof value);
  value[STORE_VALUE_LEN - 1] = '\0';
  client_complete(n, s, from, ok->version, token, ok->applied, value);
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

static void store_boot(sim_node *n, void *state) {
  store_state *s = state;
  size_t size = 0;
  const store_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  if (s->config.ops > CLIENT_OPS_MAX) s->config.ops = CLIENT_OPS_MAX;
  for (int k = 0; k < STORE_KEYS; k++) snprintf(s->data[k].value, STORE_VALUE_LEN, "nil");
  static const char *const roles[] = {"primary", "replica", "client"};
  sim_annotate(n, "role", "%s", roles[s->config.role]);
  switch (s->config.role) {
    case ROLE_PRIMARY:
      annotate_applied(n, s);
      sim_timer_set(n, TIMER_SYNC, s->config.sync_interval, 0);
      break;
    case ROLE_REPLICA:
      annotate_applied(n, s);
      annotate_held(n, s);
      break;
    case ROLE_CLIENT:
      if (s->config.ops == 0) sim_annotate(n, "status", "done"); /* nothing to run */
      sim_timer_set(n, TIMER_THINK, sim_random_below(n, s->config.think + 1), 0);
      break;
  }
}

static void store_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  store_state *s = state;
  bool store_node = s->config.role != ROLE_CLIENT;
  if (type == MSG_WRITE && s->config.role == ROLE_PRIMARY) primary_on_write(n, s, from, body);
  if (type == MSG_READ && store_node && from >= 0 && from < SIM_MAX_NODES) {
    replica_on_read(n, s, from, body);
    note_if_held(n, s, from, body);
    annotate_held(n, s);
  }
  if (type == MSG_SYNC && s->config.role == ROLE_REPLICA) replica_on_sync(n, s, from, body);
  if (type == MSG_SYNC_ACK && s->config.role == ROLE_PRIMARY && from > 0 && from < SIM_MAX_NODES)
    s->acked[from] = ((const sync_ack_body *)body)->applied;
  if (type == MSG_WRITE_OK && s->config.role == ROLE_CLIENT) client_on_write_ok(n, s, from, body);
  if (type == MSG_READ_OK && s->config.role == ROLE_CLIENT) client_on_read_ok(n, s, from, body);
}

static void store_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  store_state *s = state;
  if (kind == TIMER_SYNC && s->config.role == ROLE_PRIMARY) primary_sync(n, s);
  if (kind == TIMER_THINK && s->config.role == ROLE_CLIENT && s->busy == OP_NONE) client_next(n, s);
  if (kind == TIMER_RETRY && s->config.role == ROLE_CLIENT && s->busy != OP_NONE && arg == s->req)
    client_send(n, s);
}

const sim_protocol store_protocol = {
    .name = "store",
    .state_size = sizeof(store_state),
    .stable_size = 0,
    .msg_types = store_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = store_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = store_boot,
    .on_message = store_on_message,
    .on_timer = store_on_timer,
};
