/*
 * labs/13-raft/protocol.c: the fixed part of lab 13's protocol.
 *
 * The message and timer tables (the body formatters are what traces and the viewer show), boot,
 * the election and heartbeat timers, the dispatch of every Raft message to the functions you
 * write (lab.h), and what happens after every event of a server: committed entries are applied,
 * in index order, to the key-value store; the persistent state is written to stable storage;
 * role, term and log are annotated. Then the key-value service: a server that leads takes a
 * client's request into the log with raft_start and answers when the entry is applied, and (part
 * (d), when configured with snapshot_after) hands Raft a snapshot of its store (raft_snapshot)
 * once enough applied entries pile up in the log; a dedup
 * table (lab 06's idea) makes a request the client resent apply once. The client nodes run a
 * random workload of puts and gets, one at a time, recorded in the world's history (register
 * model: put is "write", get is "read") for the linearizability checker.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

/* ---------------------------------------------------------------------------------------------
 * Formatting.
 */

static void format_cmd(const raft_command *c, char *out, size_t cap) {
  switch (c->kind) {
    case CMD_VALUE:
      snprintf(out, cap, "%d", (int)c->value);
      break;
    case CMD_PUT:
      snprintf(out, cap, "put k%d=%d", (int)c->key, (int)c->value);
      break;
    case CMD_GET:
      snprintf(out, cap, "get k%d", (int)c->key);
      break;
    default:
      snprintf(out, cap, "-");
      break;
  }
}

static void format_request_vote(const void *body, char *out, size_t cap) {
  const raft_request_vote *b = body;
  snprintf(out, cap, "term=%u cand=n%d last=%u/%u", b->term, (int)b->candidate, b->last_log_index,
           b->last_log_term);
}

static void format_vote_reply(const void *body, char *out, size_t cap) {
  const raft_vote_reply *b = body;
  snprintf(out, cap, "term=%u %s", b->term, b->vote_granted ? "granted" : "refused");
}

static void format_append(const void *body, char *out, size_t cap) {
  const raft_append_entries *b = body;
  int k = snprintf(out, cap, "term=%u prev=%u/%u commit=%u", b->term, b->prev_log_index,
                   b->prev_log_term, b->leader_commit);
  if (b->n_entries == 0 || k < 0 || (size_t)k >= cap) return;
  char c[40];
  format_cmd(&b->entries[0].cmd, c, sizeof c);
  if (b->n_entries == 1)
    snprintf(out + k, cap - (size_t)k, " +1 [%u:%s]", b->entries[0].term, c);
  else
    snprintf(out + k, cap - (size_t)k, " +%u [%u:%s ..]", b->n_entries, b->entries[0].term, c);
}

static void format_append_reply(const void *body, char *out, size_t cap) {
  const raft_append_reply *b = body;
  if (b->success)
    snprintf(out, cap, "term=%u ok match=%u", b->term, b->match_index);
  else
    snprintf(out, cap, "term=%u no conflict=%u/%u", b->term, b->conflict_index, b->conflict_term);
}

static void format_install(const void *body, char *out, size_t cap) {
  const raft_install_snapshot *b = body;
  snprintf(out, cap, "term=%u last=%u/%u", b->term, b->last_included_index, b->last_included_term);
}

static void format_install_reply(const void *body, char *out, size_t cap) {
  const raft_install_reply *b = body;
  snprintf(out, cap, "term=%u match=%u", b->term, b->match_index);
}

static void format_client_request(const void *body, char *out, size_t cap) {
  const raft_client_request *b = body;
  char c[40];
  format_cmd(&b->cmd, c, sizeof c);
  snprintf(out, cap, "seq=%u %s", b->cmd.seq, c);
}

static void format_client_reply(const void *body, char *out, size_t cap) {
  const raft_client_reply *b = body;
  if (b->ok)
    snprintf(out, cap, "seq=%u ok value=%d", b->seq, (int)b->value);
  else
    snprintf(out, cap, "seq=%u not leader (try n%d)", b->seq, (int)b->leader_hint);
}

static const sim_msg_type raft_types[MSG_TYPE_COUNT] = {
    [MSG_REQUEST_VOTE] = {"RequestVote", sizeof(raft_request_vote), format_request_vote},
    [MSG_REQUEST_VOTE_REPLY] = {"Vote", sizeof(raft_vote_reply), format_vote_reply},
    [MSG_APPEND_ENTRIES] = {"AppendEntries", sizeof(raft_append_entries), format_append},
    [MSG_APPEND_REPLY] = {"AppendReply", sizeof(raft_append_reply), format_append_reply},
    [MSG_INSTALL_SNAPSHOT] = {"InstallSnapshot", sizeof(raft_install_snapshot), format_install},
    [MSG_INSTALL_REPLY] = {"InstallReply", sizeof(raft_install_reply), format_install_reply},
    [MSG_CLIENT_REQUEST] = {"Request", sizeof(raft_client_request), format_client_request},
    [MSG_CLIENT_REPLY] = {"Reply", sizeof(raft_client_reply), format_client_reply},
};

static const char *const raft_timers[TIMER_KIND_COUNT] = {
    [TIMER_ELECTION] = "election", [TIMER_HEARTBEAT] = "heartbeat", [TIMER_CLIENT] = "client"};

static const char *const role_names[] = {"follower", "candidate", "leader"};

/* ---------------------------------------------------------------------------------------------
 * Helpers (contracts in lab.h).
 */

uint32_t raft_term_at(const raft_state *s, uint32_t index) {
  if (index == s->snap_index) return s->snap_term;
  return index < s->snap_index || index > s->log_len ? 0 : s->log[index - s->snap_index].term;
}

raft_entry *raft_entry_at(raft_state *s, uint32_t index) {
  if (index <= s->snap_index || index > s->log_len || index - s->snap_index > RAFT_LOG_CAP)
    return NULL;
  return &s->log[index - s->snap_index];
}

const raft_entry *raft_entry_at_const(const raft_state *s, uint32_t index) {
  return raft_entry_at((raft_state *)s, index);
}

uint32_t raft_log_count(const raft_state *s) { return s->log_len - s->snap_index; }

uint32_t raft_last_index(const raft_state *s) { return s->log_len; }

uint32_t raft_last_term(const raft_state *s) { return raft_term_at(s, s->log_len); }

int raft_majority(const raft_state *s) { return s->cfg.servers / 2 + 1; }

void raft_reset_election_timer(sim_node *n, raft_state *s) {
  if (s->election_timer) sim_timer_cancel(n, s->election_timer);
  sim_time lo = s->cfg.election_min, hi = s->cfg.election_max > lo ? s->cfg.election_max : lo;
  sim_time delay = lo + sim_random_below(n, hi - lo + 1);
  s->election_timer = sim_timer_set(n, TIMER_ELECTION, delay, 0);
}

void raft_set_role(sim_node *n, raft_state *s, raft_role role) {
  if (role == ROLE_LEADER) {
    if (s->election_timer) sim_timer_cancel(n, s->election_timer);
    s->election_timer = 0;
    if (s->heartbeat_timer) sim_timer_cancel(n, s->heartbeat_timer);
    s->heartbeat_timer = sim_timer_set(n, TIMER_HEARTBEAT, 0, 0);
    s->leader_hint = sim_self(n);
  } else {
    if (s->heartbeat_timer) sim_timer_cancel(n, s->heartbeat_timer);
    s->heartbeat_timer = 0;
    if (!s->election_timer) raft_reset_election_timer(n, s);
  }
  s->role = role;
  sim_annotate(n, "role", "%s", role_names[role]);
}

void raft_send_request_vote(sim_node *n, int to, const raft_request_vote *rv) {
  sim_send(n, to, MSG_REQUEST_VOTE, rv);
}
void raft_send_vote_reply(sim_node *n, int to, const raft_vote_reply *r) {
  sim_send(n, to, MSG_REQUEST_VOTE_REPLY, r);
}
void raft_send_append_entries(sim_node *n, int to, const raft_append_entries *ae) {
  sim_send(n, to, MSG_APPEND_ENTRIES, ae);
}
void raft_send_append_reply(sim_node *n, int to, const raft_append_reply *r) {
  sim_send(n, to, MSG_APPEND_REPLY, r);
}
void raft_send_install_snapshot(sim_node *n, int to, const raft_install_snapshot *is) {
  sim_send(n, to, MSG_INSTALL_SNAPSHOT, is);
}
void raft_send_install_reply(sim_node *n, int to, const raft_install_reply *r) {
  sim_send(n, to, MSG_INSTALL_REPLY, r);
}

raft_command raft_value_cmd(int32_t v) {
  raft_command c = {.kind = CMD_VALUE, .client = -1, .value = v};
  return c;
}

/* ---------------------------------------------------------------------------------------------
 * The state machine and the key-value service (server side).
 */

static void reply_client(sim_node *n, const raft_state *s, int client, uint32_t seq, bool ok,
                         int32_t value) {
  raft_client_reply r = {.seq = seq, .ok = ok, .value = value, .leader_hint = s->leader_hint};
  sim_send(n, client, MSG_CLIENT_REPLY, &r);
}

/* Apply one committed entry to the key-value store; a leader answers the client. A command
 * already applied for its client (a resent request that got into the log twice) changes nothing
 * and returns what it returned the first time. */
static void apply_entry(sim_node *n, raft_state *s, const raft_entry *e) {
  const raft_command *c = &e->cmd;
  if (c->kind != CMD_PUT && c->kind != CMD_GET) return;
  if (c->client < 0 || c->client >= RAFT_MAX_CLIENTS || c->key < 0 || c->key >= RAFT_KEYS) return;
  raft_kv *kv = &s->kv;
  if (c->seq > kv->last_seq[c->client]) {
    if (c->kind == CMD_PUT) kv->value[c->key] = c->value;
    kv->last_seq[c->client] = c->seq;
    kv->last_result[c->client] = kv->value[c->key];
  }
  if (s->role == ROLE_LEADER && c->seq == kv->last_seq[c->client])
    reply_client(n, s, c->client, c->seq, true, kv->last_result[c->client]);
}

static void server_on_request(sim_node *n, raft_state *s, int from, const raft_client_request *rq) {
  const raft_command *c = &rq->cmd;
  if (from < 0 || from >= RAFT_MAX_CLIENTS || c->client != from) return;
  if (s->role != ROLE_LEADER) {
    reply_client(n, s, from, c->seq, false, 0);
    return;
  }
  if (c->seq <= s->kv.last_seq[from]) {
    /* Already applied: answer from the dedup table (an older seq is a stale duplicate). */
    if (c->seq == s->kv.last_seq[from])
      reply_client(n, s, from, c->seq, true, s->kv.last_result[from]);
    return;
  }
  /* In the log but not applied yet: the answer comes when it is. */
  for (uint32_t i = s->last_applied + 1; i <= s->log_len; i++) {
    const raft_entry *e = raft_entry_at(s, i);
    if (e && e->cmd.client == from && e->cmd.seq == c->seq && e->term == s->current_term) return;
  }
  if (raft_start(n, s, *c) == 0)
    sim_note(n, "log full: request seq=%u from c%d dropped", c->seq, from);
}

void raft_after_event(sim_node *n, raft_state *s) {
  if (s->cfg.kind != NODE_SERVER) return;
  /* Part (d): the service snapshots its store once snapshot_after applied entries are in the
   * log, and Raft discards them (section 7: "each server takes snapshots independently,
   * covering just the committed entries in its log"). It does so before applying what is new,
   * so an entry is held at least until the end of the event that applied it (the checker
   * reads every applied entry from some server's log). */
  if (s->cfg.snapshot_after > 0 && s->last_applied > s->snap_index &&
      s->last_applied - s->snap_index >= (uint32_t)s->cfg.snapshot_after) {
    raft_kv snap = s->kv;
    raft_snapshot(n, s, s->last_applied, &snap);
  }
  while (s->last_applied < s->commit_index && s->last_applied < s->log_len) {
    const raft_entry *e = raft_entry_at(s, s->last_applied + 1);
    if (!e) break; /* not held (a broken offset): stop rather than apply garbage */
    s->last_applied++;
    apply_entry(n, s, e);
  }
  if (s->cfg.persist) raft_persist(n, s);
  sim_annotate(n, "term", "%u", s->current_term);
  if (s->snap_index)
    sim_annotate(n, "log", "len=%u commit=%u snap=%u", s->log_len, s->commit_index, s->snap_index);
  else
    sim_annotate(n, "log", "len=%u commit=%u", s->log_len, s->commit_index);
}

/* ---------------------------------------------------------------------------------------------
 * Clients.
 */

static void key_text(int key, char *out, size_t cap) { snprintf(out, cap, "k%d", key); }

static void value_text(int32_t v, char *out, size_t cap) {
  if (v == 0)
    snprintf(out, cap, "nil");
  else
    snprintf(out, cap, "%d", (int)v);
}

static void client_send(sim_node *n, raft_state *s) {
  raft_client_request rq = {.cmd = s->cli.cmd};
  sim_send(n, s->cli.target, MSG_CLIENT_REQUEST, &rq);
  if (s->cli.timer) sim_timer_cancel(n, s->cli.timer);
  s->cli.timer = sim_timer_set(n, TIMER_CLIENT, s->cfg.retry, s->cli.cmd.seq);
}

static void client_next(sim_node *n, raft_state *s) {
  raft_client *c = &s->cli;
  if (c->ops_started >= s->cfg.ops) {
    sim_annotate(n, "op", "finished");
    c->timer = 0;
    return;
  }
  sim_time now = sim_true_time(n), pause = s->cfg.think;
  if (now + pause < s->cfg.start) pause = s->cfg.start - now;
  c->timer = sim_timer_set(n, TIMER_CLIENT, pause, 0);
}

static void client_start(sim_node *n, raft_state *s) {
  raft_client *c = &s->cli;
  uint32_t seq = c->cmd.seq + 1;
  bool put = (int)sim_random_below(n, 100) < s->cfg.put_percent;
  c->cmd = (raft_command){.kind = put ? CMD_PUT : CMD_GET,
                          .client = sim_self(n),
                          .seq = seq,
                          .key = (int32_t)sim_random_below(n, RAFT_KEYS),
                          .value = put ? sim_self(n) * 1000 + (int32_t)seq : 0};
  c->done = false;
  c->ops_started++;
  char k[16], v[16];
  key_text(c->cmd.key, k, sizeof k);
  value_text(c->cmd.value, v, sizeof v);
  sim_history_add(sim_node_world(n), SIM_OP_INVOKE, sim_self(n), put ? "write" : "read", k,
                  put ? v : "");
  sim_annotate(n, "op", put ? "put %s=%s" : "get %s", k, v);
  client_send(n, s);
}

static void client_on_reply(sim_node *n, raft_state *s, int from, const raft_client_reply *r) {
  raft_client *c = &s->cli;
  if (c->done || r->seq != c->cmd.seq || c->cmd.seq == 0) return;
  if (!r->ok) {
    /* Not the leader: go where it points (or to the next server) at once, once per reply from
     * the server being asked (a late reply from an earlier target changes nothing). */
    if (from != c->target) return;
    int hint = r->leader_hint;
    c->target =
        hint >= 0 && hint < s->cfg.servers && hint != from ? hint : (from + 1) % s->cfg.servers;
    client_send(n, s);
    return;
  }
  c->done = true;
  c->ops_ok++;
  c->target = from;
  char k[16], v[16];
  key_text(c->cmd.key, k, sizeof k);
  value_text(c->cmd.kind == CMD_PUT ? c->cmd.value : r->value, v, sizeof v);
  sim_history_add(sim_node_world(n), SIM_OP_OK, sim_self(n),
                  c->cmd.kind == CMD_PUT ? "write" : "read", k, v);
  sim_annotate(n, "op", "%s %s=%s done", c->cmd.kind == CMD_PUT ? "put" : "get", k, v);
  if (c->timer) sim_timer_cancel(n, c->timer);
  client_next(n, s);
}

static void client_on_timer(sim_node *n, raft_state *s, uint64_t seq) {
  raft_client *c = &s->cli;
  c->timer = 0;
  if (c->cmd.seq == 0 || c->done) {
    client_start(n, s);
  } else if (seq == c->cmd.seq) {
    /* No answer in time: the server may be down or cut off; ask the next one. */
    c->target = (c->target + 1) % s->cfg.servers;
    client_send(n, s);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

static void raft_boot(sim_node *n, void *state) {
  raft_state *s = state;
  size_t size = 0;
  const raft_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->cfg = *cfg;
  s->voted_for = RAFT_NO_VOTE;
  s->leader_hint = -1;
  if (s->cfg.kind == NODE_CLIENT) {
    sim_annotate(n, "role", "client");
    s->cli.target = (int)sim_random_below(n, (uint64_t)s->cfg.servers);
    client_next(n, s);
    return;
  }
  if (s->cfg.persist) raft_restore(n, s);
  if (s->snap_index) {
    /* Part (d): the state machine starts from the persisted snapshot (Figure 13, rule 8). */
    s->kv = s->snap_kv;
    s->last_applied = s->commit_index = s->snap_index;
  }
  raft_set_role(n, s, ROLE_FOLLOWER);
  raft_after_event(n, s);
}

/* The term every Raft message carries, for raft_observe_term. */
static uint32_t term_of(int type, const void *body) {
  switch (type) {
    case MSG_REQUEST_VOTE:
      return ((const raft_request_vote *)body)->term;
    case MSG_REQUEST_VOTE_REPLY:
      return ((const raft_vote_reply *)body)->term;
    case MSG_APPEND_ENTRIES:
      return ((const raft_append_entries *)body)->term;
    case MSG_APPEND_REPLY:
      return ((const raft_append_reply *)body)->term;
    case MSG_INSTALL_SNAPSHOT:
      return ((const raft_install_snapshot *)body)->term;
    case MSG_INSTALL_REPLY:
      return ((const raft_install_reply *)body)->term;
    default:
      return 0;
  }
}

static void raft_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  raft_state *s = state;
  if (s->cfg.kind == NODE_CLIENT) {
    if (type == MSG_CLIENT_REPLY && from >= 0) client_on_reply(n, s, from, body);
    return;
  }
  if (type == MSG_CLIENT_REQUEST) {
    server_on_request(n, s, from, body);
  } else if (from >= 0 && from < s->cfg.servers && from != sim_self(n)) {
    raft_observe_term(n, s, term_of(type, body));
    switch (type) {
      case MSG_REQUEST_VOTE:
        raft_on_request_vote(n, s, from, body);
        break;
      case MSG_REQUEST_VOTE_REPLY:
        raft_on_vote_reply(n, s, from, body);
        break;
      case MSG_APPEND_ENTRIES:
        raft_on_append_entries(n, s, from, body);
        break;
      case MSG_APPEND_REPLY:
        raft_on_append_reply(n, s, from, body);
        break;
      case MSG_INSTALL_SNAPSHOT:
        raft_on_install_snapshot(n, s, from, body);
        break;
      case MSG_INSTALL_REPLY:
        raft_on_install_reply(n, s, from, body);
        break;
      default:
        break;
    }
  }
  raft_after_event(n, s);
}

static void raft_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  raft_state *s = state;
  if (s->cfg.kind == NODE_CLIENT) {
    if (kind == TIMER_CLIENT) client_on_timer(n, s, arg);
    return;
  }
  if (kind == TIMER_ELECTION) {
    s->election_timer = 0;
    if (s->role != ROLE_LEADER) {
      raft_reset_election_timer(n, s);
      raft_on_election_timeout(n, s);
    }
  } else if (kind == TIMER_HEARTBEAT) {
    s->heartbeat_timer = 0;
    if (s->role == ROLE_LEADER) {
      for (int i = 0; i < s->cfg.servers; i++)
        if (i != sim_self(n)) raft_send_append(n, s, i);
      s->heartbeat_timer = sim_timer_set(n, TIMER_HEARTBEAT, s->cfg.heartbeat, 0);
    }
  }
  raft_after_event(n, s);
}

typedef struct submit_arg {
  raft_command cmd;
  uint32_t index;
} submit_arg;

static void poke_submit(sim_node *n, void *state, void *arg) {
  submit_arg *a = arg;
  raft_state *s = state;
  a->index = raft_start(n, s, a->cmd);
  raft_after_event(n, s);
}

uint32_t raft_submit(sim_world *w, int node, raft_command cmd) {
  submit_arg a = {.cmd = cmd, .index = 0};
  if (!sim_poke(w, node, poke_submit, &a)) return 0;
  return a.index;
}

const sim_protocol raft_protocol = {
    .name = "raft",
    .state_size = sizeof(raft_state),
    .stable_size = sizeof(raft_stable),
    .msg_types = raft_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = raft_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = raft_boot,
    .on_message = raft_on_message,
    .on_timer = raft_on_timer,
};
