/*
 * labs/12-paxos/protocol.c: the fixed part of lab 12: message and timer tables, boot, dispatch,
 * and everything around your Paxos functions that is not Paxos itself.
 *
 *   - Boot: an acceptor (or replica) calls acceptor_recover, then (in the forgetful
 *     demonstration only) forgets what it read; every node reads its max_round back from disk;
 *     highest_seen starts at the recovered promise.
 *   - Every received message that carries a ballot raises highest_seen first, so px_next_ballot
 *     can go above everything this node has heard of.
 *   - Single-decree proposers: the first attempt at config.start; an attempt timer
 *     (attempt_timeout) gives up an attempt that has not decided; after a failed attempt (a Nack
 *     that proposer_on_nack accepted, or the attempt timer) the next one starts after
 *     proposer_backoff (or the fixed `retry` delay when backoff is off). A proposer stops once
 *     its learner has learned slot 0.
 *   - Multi-Paxos replicas: an election timer, random in election_min .. election_max, starts
 *     phase 1 (leader_start) when no leader has been heard for that long; the leader sends a
 *     Heartbeat every heartbeat_every and, with it, resends the Accepts of every slot it proposed
 *     and has not learned yet. Client commands wait in `pending` until they are in the log; the
 *     leader proposes each one once (leader_propose), and answers the client when it learns it.
 *   - Catch-up: every catchup_every, a learner that knows of a slot it has not learned asks a peer
 *     (Query); the peer answers with the values it has learned (Chosen), and px_learn records
 *     them. A learner that missed every Accepted of a slot still learns it this way.
 *   - Clients submit commands one at a time and resend the current one to every replica until a
 *     Reply comes; each command is recorded in the history (invoke, then ok with its slot).
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

/* ---------------------------------------------------------------------------------------------
 * Formatting (what traces and the viewer show).
 */

static void ballot_text(px_ballot b, char *out, size_t cap) {
  if (b.round == 0)
    snprintf(out, cap, "-");
  else
    snprintf(out, cap, "(%u,%d)", b.round, (int)b.node);
}

static void value_text(px_value v, char *out, size_t cap) {
  if (v == PX_NONE)
    snprintf(out, cap, "none");
  else if (v == PX_NOOP)
    snprintf(out, cap, "no-op");
  else
    snprintf(out, cap, "%u", v);
}

static void format_prepare(const void *body, char *out, size_t cap) {
  const px_prepare_body *p = body;
  char b[32];
  ballot_text(p->ballot, b, sizeof b);
  if (p->from_slot == 0)
    snprintf(out, cap, "b=%s", b);
  else
    snprintf(out, cap, "b=%s from slot %u", b, p->from_slot);
}

static void format_promise(const void *body, char *out, size_t cap) {
  const px_promise_body *p = body;
  char b[32];
  ballot_text(p->ballot, b, sizeof b);
  size_t at = (size_t)snprintf(out, cap, "b=%s", b);
  int shown = 0, more = 0;
  for (uint32_t i = p->from_slot; i < PX_MAX_SLOTS && at < cap; i++) {
    if (p->accepted[i].ballot.round == 0) continue;
    if (shown == 6) {
      more++;
      continue;
    }
    char ab[32], v[16];
    ballot_text(p->accepted[i].ballot, ab, sizeof ab);
    value_text(p->accepted[i].value, v, sizeof v);
    at +=
        (size_t)snprintf(out + at, cap - at, "%s[%u]=%s@%s", shown ? " " : " accepted ", i, v, ab);
    shown++;
  }
  if (more && at < cap) at += (size_t)snprintf(out + at, cap - at, " +%d more", more);
  if (!shown && at < cap) snprintf(out + at, cap - at, " accepted nothing");
}

static void format_accept(const void *body, char *out, size_t cap) {
  const px_accept_body *a = body;
  char b[32], v[16];
  ballot_text(a->ballot, b, sizeof b);
  value_text(a->value, v, sizeof v);
  snprintf(out, cap, "b=%s [%u]=%s", b, a->slot, v);
}

static void format_nack(const void *body, char *out, size_t cap) {
  const px_nack_body *k = body;
  char b[32], p[32];
  ballot_text(k->ballot, b, sizeof b);
  ballot_text(k->promised, p, sizeof p);
  snprintf(out, cap, "%s b=%s refused: promised %s", k->phase == PX_PHASE1 ? "prepare" : "accept",
           b, p);
}

static void format_heartbeat(const void *body, char *out, size_t cap) {
  const px_heartbeat_body *h = body;
  char b[32];
  ballot_text(h->ballot, b, sizeof b);
  snprintf(out, cap, "b=%s next slot %u", b, h->next_slot);
}

static void format_query(const void *body, char *out, size_t cap) {
  snprintf(out, cap, "from slot %u", ((const px_query_body *)body)->from_slot);
}

static void format_chosen(const void *body, char *out, size_t cap) {
  const px_chosen_body *c = body;
  size_t at = 0;
  out[0] = 0;
  for (uint32_t i = 0; i < c->count && i < PX_CHOSEN_BATCH && at < cap; i++) {
    char v[16];
    value_text(c->entries[i].value, v, sizeof v);
    at += (size_t)snprintf(out + at, cap - at, "%s[%u]=%s", i ? " " : "", c->entries[i].slot, v);
  }
  if (c->count == 0) snprintf(out, cap, "nothing");
}

static void format_request(const void *body, char *out, size_t cap) {
  const px_request_body *r = body;
  snprintf(out, cap, "cmd=%u attempt=%u", r->command, r->attempt);
}

static void format_reply(const void *body, char *out, size_t cap) {
  const px_reply_body *r = body;
  snprintf(out, cap, "cmd=%u at [%u]", r->command, r->slot);
}

static const sim_msg_type paxos_types[MSG_TYPE_COUNT] = {
    [MSG_PREPARE] = {"Prepare", sizeof(px_prepare_body), format_prepare},
    [MSG_PROMISE] = {"Promise", sizeof(px_promise_body), format_promise},
    [MSG_ACCEPT] = {"Accept", sizeof(px_accept_body), format_accept},
    [MSG_ACCEPTED] = {"Accepted", sizeof(px_accepted_body), format_accept},
    [MSG_NACK] = {"Nack", sizeof(px_nack_body), format_nack},
    [MSG_HEARTBEAT] = {"Heartbeat", sizeof(px_heartbeat_body), format_heartbeat},
    [MSG_QUERY] = {"Query", sizeof(px_query_body), format_query},
    [MSG_CHOSEN] = {"Chosen", sizeof(px_chosen_body), format_chosen},
    [MSG_REQUEST] = {"Request", sizeof(px_request_body), format_request},
    [MSG_REPLY] = {"Reply", sizeof(px_reply_body), format_reply},
};

static const char *const paxos_timers[TIMER_KIND_COUNT] = {
    [TIMER_START] = "start",       [TIMER_RETRY] = "retry",         [TIMER_ATTEMPT] = "attempt",
    [TIMER_ELECTION] = "election", [TIMER_HEARTBEAT] = "heartbeat", [TIMER_CATCHUP] = "catchup",
    [TIMER_CLIENT] = "client",
};

/* ---------------------------------------------------------------------------------------------
 * Helpers (contracts in lab.h).
 */

int px_majority(const px_state *s) { return s->cfg.acceptors / 2 + 1; }

void px_send_to_acceptors(sim_node *n, const px_state *s, int type, const void *body) {
  int count = s->cfg.acceptors < sim_node_count(n) ? s->cfg.acceptors : sim_node_count(n);
  for (int to = 0; to < count; to++) sim_send(n, to, type, body);
}

void px_send_to_learners(sim_node *n, const px_state *s, int type, const void *body) {
  int count = s->cfg.learners < sim_node_count(n) ? s->cfg.learners : sim_node_count(n);
  for (int to = 0; to < count; to++) sim_send(n, to, type, body);
}

uint32_t px_first_unlearned(const px_state *s) {
  uint32_t slot = 0;
  while (slot < PX_MAX_SLOTS && s->lrn.learned[slot] != PX_NONE) slot++;
  return slot;
}

/* Acceptors are nodes 0 .. cfg.acceptors-1 of the acceptor kinds (a test may run a replica
 * elsewhere, to watch its leader alone). */
static bool is_acceptor(const sim_node *n, const px_state *s) {
  return (s->cfg.kind == PX_ACCEPTOR || s->cfg.kind == PX_REPLICA) &&
         sim_self(n) < s->cfg.acceptors;
}
static bool is_learner(const px_state *s) {
  return s->cfg.kind == PX_ACCEPTOR || s->cfg.kind == PX_PROPOSER || s->cfg.kind == PX_REPLICA;
}

static void raise_seen(px_state *s, px_ballot b) {
  if (b.round > s->highest_seen.round ||
      (b.round == s->highest_seen.round && b.node > s->highest_seen.node))
    s->highest_seen = b;
}

static void raise_hint(px_state *s, uint32_t slots) {
  if (slots > PX_MAX_SLOTS) slots = PX_MAX_SLOTS;
  if (slots > s->log_hint) s->log_hint = slots;
}

/* Is command c in the log, as far as this node knows (learned, or proposed by it as leader)? */
static bool in_log(const px_state *s, px_value c, bool count_proposals) {
  for (uint32_t i = 0; i < PX_MAX_SLOTS; i++) {
    if (s->lrn.learned[i] == c) return true;
    if (count_proposals && s->ldr.active && s->ldr.proposals[i] == c) return true;
  }
  return false;
}

static void reply_to_client(sim_node *n, px_value command, uint32_t slot) {
  int client = (int)(command / 1000);
  if (command < 1000 || client >= sim_node_count(n)) return;
  px_reply_body r = {.command = command, .slot = slot};
  sim_send(n, client, MSG_REPLY, &r);
}

void px_learn(sim_node *n, px_state *s, uint32_t slot, px_value value) {
  if (slot >= PX_MAX_SLOTS || value == PX_NONE || s->lrn.learned[slot] != PX_NONE) return;
  s->lrn.learned[slot] = value;
  raise_hint(s, slot + 1);
  char v[16];
  value_text(value, v, sizeof v);
  if (s->cfg.kind == PX_REPLICA)
    sim_note(n, "learned [%u]=%s", slot, v);
  else
    sim_note(n, "learned %s", v);
  if (s->cfg.kind == PX_REPLICA && s->ldr.active) reply_to_client(n, value, slot);
}

/* ---------------------------------------------------------------------------------------------
 * Annotations: what the viewer's state panel and the state diagrams show.
 */

static void annotate(sim_node *n, const px_state *s) {
  char b[32], v[16];
  switch (s->cfg.kind) {
    case PX_ACCEPTOR:
      ballot_text(s->acc.promised, b, sizeof b);
      sim_annotate(n, "promised", "%s", b);
      ballot_text(s->acc.accepted[0].ballot, b, sizeof b);
      value_text(s->acc.accepted[0].value, v, sizeof v);
      if (s->acc.accepted[0].ballot.round)
        sim_annotate(n, "accepted", "%s@%s", v, b);
      else
        sim_annotate(n, "accepted", "nothing");
      value_text(s->lrn.learned[0], v, sizeof v);
      sim_annotate(n, "learned", "%s", v);
      break;
    case PX_PROPOSER: {
      static const char *const phases[] = {"idle", "preparing", "accepting"};
      unsigned ph = (unsigned)s->prop.phase;
      const char *phase = s->lrn.learned[0] != PX_NONE ? "decided" : ph < 3 ? phases[ph] : "?";
      sim_annotate(n, "phase", "%s", phase);
      ballot_text(s->prop.ballot, b, sizeof b);
      sim_annotate(n, "ballot", "%s", b);
      value_text(s->lrn.learned[0], v, sizeof v);
      sim_annotate(n, "learned", "%s", v);
      break;
    }
    case PX_REPLICA:
      sim_annotate(n, "role", "%s",
                   s->ldr.active      ? "leader"
                   : s->ldr.preparing ? "candidate"
                                      : "follower");
      ballot_text(s->ldr.active || s->ldr.preparing ? s->ldr.ballot : s->highest_seen, b, sizeof b);
      sim_annotate(n, "ballot", "%s", b);
      sim_annotate(n, "log", "%u learned", px_first_unlearned(s));
      break;
    case PX_CLIENT:
      sim_annotate(n, "commands", "%u/%u", s->replied, s->cfg.commands);
      break;
    default:
      break;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Single-decree proposers.
 */

static bool decided(const px_state *s) { return s->lrn.learned[0] != PX_NONE; }

static void stop_proposer(sim_node *n, px_state *s) {
  if (s->retry_timer) sim_timer_cancel(n, s->retry_timer);
  if (s->attempt_timer) sim_timer_cancel(n, s->attempt_timer);
  s->retry_timer = s->attempt_timer = 0;
}

static void begin_attempt(sim_node *n, px_state *s) {
  s->retry_timer = 0;
  if (decided(s)) return;
  proposer_start(n, s);
  if (s->attempt_timer) sim_timer_cancel(n, s->attempt_timer);
  s->attempt_timer = sim_timer_set(n, TIMER_ATTEMPT, s->cfg.attempt_timeout, s->prop.attempts);
}

/* The attempt failed: arm the next one (once). */
static void schedule_retry(sim_node *n, px_state *s) {
  if (decided(s) || s->retry_timer) return;
  if (s->attempt_timer) sim_timer_cancel(n, s->attempt_timer);
  s->attempt_timer = 0;
  sim_time wait = s->cfg.backoff ? proposer_backoff(n, s) : s->cfg.retry;
  s->retry_timer = sim_timer_set(n, TIMER_RETRY, wait, 0);
}

/* ---------------------------------------------------------------------------------------------
 * Multi-Paxos replicas and clients.
 */

static sim_time election_delay(sim_node *n, const px_state *s) {
  sim_time span =
      s->cfg.election_max > s->cfg.election_min ? s->cfg.election_max - s->cfg.election_min : 0;
  return s->cfg.election_min + (span ? sim_random_below(n, span + 1) : 0);
}

static void drop_pending(px_state *s, int i) { s->pending[i] = s->pending[--s->pending_count]; }

/* While leading: propose every pending command that is not in the log yet. */
static void propose_pending(sim_node *n, px_state *s) {
  for (int i = 0; i < s->pending_count;) {
    px_value c = s->pending[i];
    if (in_log(s, c, false)) {
      drop_pending(s, i);
      continue;
    }
    if (s->ldr.active && !in_log(s, c, true)) {
      if (leader_propose(n, s, c) < 0) return; /* not leading, or the log is full */
    }
    i++;
  }
}

/* The leader's heartbeat to every other replica. */
static void send_heartbeat(sim_node *n, const px_state *s) {
  px_heartbeat_body h = {.ballot = s->ldr.ballot, .next_slot = s->ldr.next_slot};
  for (int to = 0; to < s->cfg.acceptors; to++)
    if (to != sim_self(n)) sim_send(n, to, MSG_HEARTBEAT, &h);
}

/* The leader's tick: heartbeat, and resend every proposal not yet learned (phase 2 again, same
 * ballot, same value: acceptors that missed it accept it, learners that missed an Accepted get
 * another). */
static void leader_tick(sim_node *n, px_state *s) {
  send_heartbeat(n, s);
  uint32_t end = s->ldr.next_slot < PX_MAX_SLOTS ? s->ldr.next_slot : PX_MAX_SLOTS;
  for (uint32_t slot = px_first_unlearned(s); slot < end; slot++) {
    if (s->lrn.learned[slot] != PX_NONE || s->ldr.proposals[slot] == PX_NONE) continue;
    px_accept_body a = {.ballot = s->ldr.ballot, .slot = slot, .value = s->ldr.proposals[slot]};
    px_send_to_acceptors(n, s, MSG_ACCEPT, &a);
  }
}

/* A message from another node showed ballot b: maybe a leader is alive, maybe ours is beaten. */
static void heard_ballot(sim_node *n, px_state *s, int from, px_ballot b, bool from_leader) {
  if (from == sim_self(n)) return;
  leader_on_higher_ballot(n, s, b);
  if (from_leader && ballot_cmp(b, s->highest_seen) >= 0) {
    s->leader = from;
    s->heard_leader = sim_true_time(n);
  }
}

static void client_next(sim_node *n, px_state *s) {
  if (s->replied >= s->cfg.commands) {
    s->done = true;
    return;
  }
  sim_time pause = s->cfg.think_max ? sim_random_below(n, s->cfg.think_max + 1) : 0;
  sim_timer_set(n, TIMER_CLIENT, pause, 0);
}

static void client_send(sim_node *n, px_state *s) {
  px_request_body r = {.command = (px_value)(sim_self(n) * 1000) + s->cmd_index,
                       .attempt = ++s->cmd_attempts};
  px_send_to_acceptors(n, s, MSG_REQUEST, &r);
  sim_timer_set(n, TIMER_CLIENT, s->cfg.resend, s->cmd_index);
}

static void client_timer(sim_node *n, px_state *s, uint64_t arg) {
  if (s->done) return;
  if (!s->waiting) {
    if (arg != 0) return; /* a resend timer of a command already answered */
    s->cmd_index++;
    s->cmd_attempts = 0;
    s->waiting = true;
    char cmd[16];
    snprintf(cmd, sizeof cmd, "%u", (px_value)(sim_self(n) * 1000) + s->cmd_index);
    sim_history_add(sim_node_world(n), SIM_OP_INVOKE, sim_self(n), "append", "log", cmd);
    client_send(n, s);
    return;
  }
  if (arg == s->cmd_index) client_send(n, s);
}

static void client_reply(sim_node *n, px_state *s, const px_reply_body *r) {
  if (!s->waiting || r->command != (px_value)(sim_self(n) * 1000) + s->cmd_index) return;
  s->waiting = false;
  s->replied++;
  char cmd[40];
  snprintf(cmd, sizeof cmd, "%u", r->command);
  sim_history_add(sim_node_world(n), SIM_OP_OK, sim_self(n), "append", "log", cmd);
  client_next(n, s);
}

/* ---------------------------------------------------------------------------------------------
 * Catch-up.
 */

static void catchup_tick(sim_node *n, px_state *s) {
  uint32_t first = px_first_unlearned(s);
  bool wants = s->cfg.kind == PX_REPLICA ? first < s->log_hint : first == 0;
  if (wants && sim_node_count(n) > 1) {
    int peers = s->cfg.kind == PX_REPLICA ? s->cfg.acceptors : s->cfg.learners;
    int to = s->cfg.kind == PX_REPLICA && s->leader >= 0 && s->leader != sim_self(n)
                 ? s->leader
                 : (int)sim_random_below(n, (uint64_t)peers);
    if (to == sim_self(n)) to = (to + 1) % peers;
    px_query_body q = {.from_slot = first};
    if (peers > 1) sim_send(n, to, MSG_QUERY, &q);
  }
  sim_timer_set(n, TIMER_CATCHUP, s->cfg.catchup_every, 0);
}

static void answer_query(sim_node *n, const px_state *s, int from, const px_query_body *q) {
  px_chosen_body c = {.count = 0};
  for (uint32_t slot = q->from_slot; slot < PX_MAX_SLOTS && c.count < PX_CHOSEN_BATCH; slot++) {
    if (s->lrn.learned[slot] == PX_NONE) continue;
    c.entries[c.count].slot = slot;
    c.entries[c.count].value = s->lrn.learned[slot];
    c.count++;
  }
  if (c.count) sim_send(n, from, MSG_CHOSEN, &c);
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

static void paxos_boot(sim_node *n, void *state) {
  px_state *s = state;
  size_t size = 0;
  const px_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->cfg = *cfg;
  if (s->cfg.commands > PX_MAX_COMMANDS) s->cfg.commands = PX_MAX_COMMANDS;
  s->leader = -1;
  if (s->cfg.kind == PX_IDLE) return;
  if (s->cfg.kind != PX_CLIENT) {
    px_disk disk;
    sim_stable_read(n, 0, &disk, sizeof disk);
    s->max_round = disk.max_round;
  }
  if (is_acceptor(n, s)) {
    acceptor_recover(n, s);
    /* The demonstration: an acceptor whose state lived in memory only comes back empty. */
    if (s->cfg.volatile_acceptor) memset(&s->acc, 0, sizeof s->acc);
    s->highest_seen = s->acc.promised;
  }
  switch (s->cfg.kind) {
    case PX_PROPOSER:
      sim_timer_set(n, TIMER_START,
                    s->cfg.start > sim_true_time(n) ? s->cfg.start - sim_true_time(n) : 0, 0);
      break;
    case PX_REPLICA:
      s->heard_leader = sim_true_time(n);
      sim_timer_set(n, TIMER_ELECTION, election_delay(n, s), 0);
      break;
    case PX_CLIENT:
      client_next(n, s);
      break;
    default:
      break;
  }
  if (is_learner(s) && s->cfg.catchup_every)
    sim_timer_set(n, TIMER_CATCHUP, s->cfg.catchup_every, 0);
  annotate(n, s);
}

static void paxos_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  px_state *s = state;
  if (s->cfg.kind == PX_IDLE || from < 0 || from >= sim_node_count(n)) return;
  bool multi = s->cfg.kind == PX_REPLICA;
  switch (type) {
    case MSG_PREPARE: {
      const px_prepare_body *p = body;
      raise_seen(s, p->ballot);
      if (multi) heard_ballot(n, s, from, p->ballot, false);
      if (is_acceptor(n, s)) acceptor_on_prepare(n, s, from, p);
      break;
    }
    case MSG_ACCEPT: {
      const px_accept_body *a = body;
      raise_seen(s, a->ballot);
      raise_hint(s, a->slot + 1);
      if (multi) heard_ballot(n, s, from, a->ballot, true);
      if (is_acceptor(n, s)) acceptor_on_accept(n, s, from, a);
      break;
    }
    case MSG_PROMISE: {
      const px_promise_body *p = body;
      raise_seen(s, p->ballot);
      if (from >= s->cfg.acceptors) break;
      if (s->cfg.kind == PX_PROPOSER && !decided(s)) {
        proposer_on_promise(n, s, from, p);
      } else if (multi) {
        bool was_active = s->ldr.active;
        leader_on_promise(n, s, from, p);
        if (s->ldr.active && !was_active) {
          char b[32];
          ballot_text(s->ldr.ballot, b, sizeof b);
          sim_note(n, "leading at %s from slot %u; next slot %u", b, s->ldr.from_slot,
                   s->ldr.next_slot);
          s->leader = sim_self(n);
          send_heartbeat(n, s);
          propose_pending(n, s);
          sim_timer_cancel_kind(n, TIMER_HEARTBEAT);
          sim_timer_set(n, TIMER_HEARTBEAT, s->cfg.heartbeat_every, 0);
        }
      }
      break;
    }
    case MSG_NACK: {
      const px_nack_body *k = body;
      raise_seen(s, k->promised);
      if (s->cfg.kind == PX_PROPOSER && !decided(s)) {
        bool running = s->prop.phase != PROPOSER_IDLE;
        proposer_on_nack(n, s, from, k);
        if (running && s->prop.phase == PROPOSER_IDLE) schedule_retry(n, s);
      } else if (multi) {
        leader_on_higher_ballot(n, s, k->promised);
      }
      break;
    }
    case MSG_ACCEPTED: {
      const px_accepted_body *a = body;
      raise_seen(s, a->ballot);
      raise_hint(s, a->slot + 1);
      if (is_learner(s) && from < s->cfg.acceptors) learner_on_accepted(n, s, from, a);
      if (s->cfg.kind == PX_PROPOSER && decided(s)) stop_proposer(n, s);
      if (multi) propose_pending(n, s);
      break;
    }
    case MSG_HEARTBEAT: {
      const px_heartbeat_body *h = body;
      raise_seen(s, h->ballot);
      raise_hint(s, h->next_slot);
      if (multi) heard_ballot(n, s, from, h->ballot, true);
      break;
    }
    case MSG_QUERY:
      if (is_learner(s)) answer_query(n, s, from, body);
      break;
    case MSG_CHOSEN: {
      const px_chosen_body *c = body;
      for (uint32_t i = 0; i < c->count && i < PX_CHOSEN_BATCH; i++)
        if (is_learner(s)) px_learn(n, s, c->entries[i].slot, c->entries[i].value);
      if (s->cfg.kind == PX_PROPOSER && decided(s)) stop_proposer(n, s);
      if (multi) propose_pending(n, s);
      break;
    }
    case MSG_REQUEST: {
      const px_request_body *r = body;
      if (!multi || r->command < 1000) break;
      for (uint32_t slot = 0; slot < PX_MAX_SLOTS; slot++)
        if (s->lrn.learned[slot] == r->command) {
          reply_to_client(n, r->command, slot);
          goto done;
        }
      bool known = false;
      for (int i = 0; i < s->pending_count; i++) known = known || s->pending[i] == r->command;
      if (!known && s->pending_count < PX_MAX_PENDING) s->pending[s->pending_count++] = r->command;
      propose_pending(n, s);
      break;
    }
    case MSG_REPLY:
      if (s->cfg.kind == PX_CLIENT) client_reply(n, s, body);
      break;
    default:
      break;
  }
done:
  annotate(n, s);
}

static void paxos_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  px_state *s = state;
  switch (kind) {
    case TIMER_START:
      if (s->cfg.kind == PX_PROPOSER) begin_attempt(n, s);
      break;
    case TIMER_RETRY:
      if (s->cfg.kind == PX_PROPOSER) begin_attempt(n, s);
      break;
    case TIMER_ATTEMPT:
      if (s->cfg.kind != PX_PROPOSER || decided(s) || arg != s->prop.attempts) break;
      s->attempt_timer = 0;
      sim_note(n, "attempt %u undecided after its timeout: giving it up", s->prop.attempts);
      s->prop.phase = PROPOSER_IDLE;
      schedule_retry(n, s);
      break;
    case TIMER_ELECTION:
      if (s->cfg.kind != PX_REPLICA) break;
      if (!s->ldr.active && sim_true_time(n) - s->heard_leader >= s->cfg.election_min) {
        s->leader = -1;
        leader_start(n, s);
      }
      sim_timer_set(n, TIMER_ELECTION, election_delay(n, s), 0);
      break;
    case TIMER_HEARTBEAT:
      if (s->cfg.kind != PX_REPLICA || !s->ldr.active) break;
      leader_tick(n, s);
      propose_pending(n, s);
      sim_timer_set(n, TIMER_HEARTBEAT, s->cfg.heartbeat_every, 0);
      break;
    case TIMER_CATCHUP:
      if (is_learner(s)) catchup_tick(n, s);
      break;
    case TIMER_CLIENT:
      if (s->cfg.kind == PX_CLIENT) client_timer(n, s, arg);
      break;
    default:
      break;
  }
  annotate(n, s);
}

const sim_protocol paxos_protocol = {
    .name = "paxos",
    .state_size = sizeof(px_state),
    .stable_size = sizeof(px_disk),
    .msg_types = paxos_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = paxos_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = paxos_boot,
    .on_message = paxos_on_message,
    .on_timer = paxos_on_timer,
};
