/*
 * labs/10-two-phase-commit/protocol.c: the fixed part of lab 10: message and timer tables, boot,
 * the coordinator's series of transactions, the dispatch of every message and timer to your
 * functions, the helpers of lab.h, and the annotations the viewer shows.
 *
 * Boot: n0 calls coord_recover, then goes on with the transaction after the last one its log
 * knows; a participant calls part_recover. The coordinator begins transaction 1 at
 * config.start, and each next one `gap` after the previous one is decided (coord_begin).
 *
 * Who handles what: n0 is only a coordinator, n1 .. nP are participants, and a participant also
 * handles the coordinator's messages (PreCommitAck, Ack) of a transaction it leads as a 3PC
 * backup. Messages for a transaction number outside 1 .. TPC_MAX_TXNS are dropped.
 *
 * After every handler each node annotates its role and, per transaction, its state ("t1" =
 * "uncertain", ...): the viewer's state panel, and `dsviz export --view states --key t1` draws
 * one transaction's state machine per node.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

/* ---------------------------------------------------------------------------------------------
 * States, messages, timers.
 */

bool tx_decided(tx_state st) { return st == TX_COMMITTED || st == TX_ABORTED; }

const char *tx_name(tx_state st) {
  switch (st) {
    case TX_INIT:
      return "init";
    case TX_VOTING:
      return "voting";
    case TX_COLLECTING:
      return "collecting";
    case TX_UNCERTAIN:
      return "uncertain";
    case TX_PRECOMMITTED:
      return "precommitted";
    case TX_COMMITTED:
      return "committed";
    case TX_ABORTED:
      return "aborted";
  }
  return "?";
}

static void format_tx(const void *body, char *out, size_t cap) {
  const tpc_msg *m = body;
  snprintf(out, cap, "t%u", m->tx);
}

static void format_vote(const void *body, char *out, size_t cap) {
  const tpc_msg *m = body;
  snprintf(out, cap, "t%u %s", m->tx, m->yes ? "yes" : "no");
}

static void format_round(const void *body, char *out, size_t cap) {
  const tpc_msg *m = body;
  snprintf(out, cap, "t%u round %u", m->tx, m->round);
}

static void format_state(const void *body, char *out, size_t cap) {
  const tpc_msg *m = body;
  snprintf(out, cap, "t%u round %u %s", m->tx, m->round, tx_name((tx_state)m->state));
}

static const sim_msg_type tpc_types[MSG_TYPE_COUNT] = {
    [MSG_PREPARE] = {"Prepare", sizeof(tpc_msg), format_tx},
    [MSG_VOTE] = {"Vote", sizeof(tpc_msg), format_vote},
    [MSG_PRECOMMIT] = {"PreCommit", sizeof(tpc_msg), format_round},
    [MSG_PRECOMMIT_ACK] = {"PreCommitAck", sizeof(tpc_msg), format_round},
    [MSG_COMMIT] = {"Commit", sizeof(tpc_msg), format_tx},
    [MSG_ABORT] = {"Abort", sizeof(tpc_msg), format_tx},
    [MSG_ACK] = {"Ack", sizeof(tpc_msg), format_tx},
    [MSG_INQUIRY] = {"Inquiry", sizeof(tpc_msg), format_tx},
    [MSG_STATE_REQ] = {"StateReq", sizeof(tpc_msg), format_round},
    [MSG_STATE_REPLY] = {"StateReply", sizeof(tpc_msg), format_state},
};

const char *tpc_msg_name(int type) {
  return type >= 0 && type < MSG_TYPE_COUNT ? tpc_types[type].name : "?";
}

static const char *const tpc_timers[TIMER_KIND_COUNT] = {
    [TIMER_NEXT] = "next", [TIMER_COORD] = "coord", [TIMER_PART] = "part"};

/* ---------------------------------------------------------------------------------------------
 * Helpers (lab.h).
 */

int tpc_participants(const sim_node *n) { return sim_node_count(n) - 1; }

uint32_t tpc_everyone(const sim_node *n) {
  uint32_t mask = 0;
  for (int i = 1; i < sim_node_count(n) && i < TPC_MAX_NODES; i++) mask |= tpc_bit(i);
  return mask;
}

static bool valid_tx(uint32_t tx) { return tx >= 1 && tx <= TPC_MAX_TXNS; }

void log_write(sim_node *n, tpc_state *s, uint32_t tx, tx_state st) {
  if (!valid_tx(tx)) return;
  s->last_log_tx = tx;
  s->last_log = st;
  sim_note(n, "log t%u: %s", tx, tx_name(st));
  /* The checks count this local event as the write (it comes first: if the write is a crash
   * point, nothing of this node is seen after it). */
  sim_local_event(n);
  uint8_t rec = (uint8_t)st;
  sim_stable_write(n, offsetof(tpc_log, rec) + tx, &rec, 1);
}

tx_state log_read(const sim_node *n, uint32_t tx) {
  if (!valid_tx(tx)) return TX_INIT;
  uint8_t rec = 0;
  sim_stable_read(n, offsetof(tpc_log, rec) + tx, &rec, 1);
  return (tx_state)rec;
}

static void send_msg(sim_node *n, int to, int type, uint32_t tx, uint32_t round, int32_t yes,
                     int32_t state) {
  tpc_msg m = {.tx = tx, .round = round, .yes = yes, .state = state};
  sim_send(n, to, type, &m);
}

void send_prepare(sim_node *n, int to, uint32_t tx) { send_msg(n, to, MSG_PREPARE, tx, 0, 0, 0); }
void send_vote(sim_node *n, int to, uint32_t tx, bool yes) {
  send_msg(n, to, MSG_VOTE, tx, 0, yes ? 1 : 0, 0);
}
void send_decision(sim_node *n, int to, uint32_t tx, tx_state decision) {
  send_msg(n, to, decision == TX_COMMITTED ? MSG_COMMIT : MSG_ABORT, tx, 0, 0, 0);
}
void send_ack(sim_node *n, int to, uint32_t tx) { send_msg(n, to, MSG_ACK, tx, 0, 0, 0); }
void send_inquiry(sim_node *n, int to, uint32_t tx) { send_msg(n, to, MSG_INQUIRY, tx, 0, 0, 0); }
void send_precommit(sim_node *n, int to, uint32_t tx, uint32_t round) {
  send_msg(n, to, MSG_PRECOMMIT, tx, round, 0, 0);
}
void send_precommit_ack(sim_node *n, int to, uint32_t tx, uint32_t round) {
  send_msg(n, to, MSG_PRECOMMIT_ACK, tx, round, 0, 0);
}
void send_state_req(sim_node *n, int to, uint32_t tx, uint32_t round) {
  send_msg(n, to, MSG_STATE_REQ, tx, round, 0, 0);
}
void send_state_reply(sim_node *n, int to, uint32_t tx, uint32_t round, tx_state st) {
  send_msg(n, to, MSG_STATE_REPLY, tx, round, 0, (int32_t)st);
}

/* Replace the pending timer whose id is in *slot with one of `kind` for tx (delay > 0), or
 * just cancel it (stop). */
static void rearm(sim_node *n, uint64_t *slot, int kind, uint32_t tx, sim_time delay, bool stop) {
  if (*slot) sim_timer_cancel(n, *slot);
  *slot = stop ? 0 : sim_timer_set(n, kind, delay, tx);
}

void coord_timer(sim_node *n, tpc_state *s, uint32_t tx, sim_time delay) {
  if (valid_tx(tx)) rearm(n, &s->coord_timer[tx], TIMER_COORD, tx, delay, false);
}

void coord_timer_stop(sim_node *n, tpc_state *s, uint32_t tx) {
  if (valid_tx(tx)) rearm(n, &s->coord_timer[tx], TIMER_COORD, tx, 0, true);
}

void part_timer(sim_node *n, tpc_state *s, uint32_t tx, sim_time delay) {
  if (valid_tx(tx)) rearm(n, &s->part_timer[tx], TIMER_PART, tx, delay, false);
}

void part_timer_stop(sim_node *n, tpc_state *s, uint32_t tx) {
  if (valid_tx(tx)) rearm(n, &s->part_timer[tx], TIMER_PART, tx, 0, true);
}

tpc_timing tpc_default_timing(void) {
  tpc_timing t = {.vote_timeout = 100 * SIM_MS,
                  .ack_timeout = 100 * SIM_MS,
                  .retry = 30 * SIM_MS,
                  .inquire = 50 * SIM_MS,
                  .term_timeout = 200 * SIM_MS,
                  .collect = 40 * SIM_MS};
  return t;
}

bool part_can_commit(const tpc_state *s, uint32_t tx) {
  return tx < 32 && !(s->config.no_votes & (1u << tx));
}

int tpc_backup_of(uint32_t round, int participants) {
  if (participants < 1 || round < 1) return 1;
  return (int)((round - 1) % (uint32_t)participants) + 1;
}

/* ---------------------------------------------------------------------------------------------
 * Annotations.
 */

static void annotate(sim_node *n, const tpc_state *s) {
  bool coordinator = sim_self(n) == TPC_COORDINATOR;
  sim_annotate(n, "role", "%s", coordinator ? "coordinator" : "participant");
  uint32_t lead = 0;
  for (uint32_t tx = 1; tx <= TPC_MAX_TXNS; tx++) {
    tx_state st = coordinator ? s->coord[tx].state : s->part[tx].state;
    bool recovering = coordinator ? s->coord[tx].recovering : s->part[tx].recovering;
    if (st != TX_INIT || recovering) {
      char key[8];
      snprintf(key, sizeof key, "t%u", tx);
      sim_annotate(n, key, "%s%s", tx_name(st), recovering ? " (recovering)" : "");
    }
    if (!coordinator && s->coord[tx].state != TX_INIT) lead = tx;
  }
  if (lead)
    sim_annotate(n, "backup", "t%u round %u: %s", lead, s->coord[lead].round,
                 tx_name(s->coord[lead].state));
}

/* ---------------------------------------------------------------------------------------------
 * The coordinator's series of transactions.
 */

/* Arm TIMER_NEXT if the next transaction may begin: the previous one is decided. */
static void coordinator_pace(sim_node *n, tpc_state *s, sim_time delay) {
  if (s->next_armed || s->next_tx < 1 || s->next_tx > s->config.txns || s->next_tx > TPC_MAX_TXNS)
    return;
  if (s->next_tx > 1 && !tx_decided(s->coord[s->next_tx - 1].state)) return;
  s->next_armed = true;
  sim_timer_set(n, TIMER_NEXT, delay, 0);
}

static void coordinator_boot(sim_node *n, tpc_state *s) {
  coord_recover(n, s);
  /* Go on after the last transaction the log (or the recovered state) knows of. */
  s->next_tx = 1;
  for (uint32_t tx = 1; tx <= TPC_MAX_TXNS; tx++)
    if (log_read(n, tx) != TX_INIT || s->coord[tx].state != TX_INIT) s->next_tx = tx + 1;
  sim_time now = sim_clock(n);
  bool fresh = s->next_tx == 1;
  coordinator_pace(n, s, fresh && s->config.start > now ? s->config.start - now : s->config.gap);
}

/* ---------------------------------------------------------------------------------------------
 * Boot and dispatch.
 */

/* Copy the node's configuration into its (zeroed) state. */
static void load_config(sim_node *n, tpc_state *s) {
  size_t size = 0;
  const tpc_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  if (s->config.txns > TPC_MAX_TXNS) s->config.txns = TPC_MAX_TXNS;
}

static void tpc_boot(sim_node *n, void *state) {
  tpc_state *s = state;
  load_config(n, s);
  if (sim_self(n) == TPC_COORDINATOR)
    coordinator_boot(n, s);
  else
    part_recover(n, s);
  annotate(n, s);
}

static void tpc_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  tpc_state *s = state;
  const tpc_msg *m = body;
  uint32_t tx = m->tx;
  if (from < 0 || from >= sim_node_count(n) || from == sim_self(n) || !valid_tx(tx)) return;
  bool coordinator = sim_self(n) == TPC_COORDINATOR;
  switch (type) {
    case MSG_PREPARE:
      if (!coordinator) part_on_prepare(n, s, from, tx);
      break;
    case MSG_VOTE:
      if (coordinator) coord_on_vote(n, s, from, tx, m->yes != 0);
      break;
    case MSG_PRECOMMIT:
      if (!coordinator) part_on_precommit(n, s, from, tx, m->round);
      break;
    case MSG_PRECOMMIT_ACK:
      coord_on_precommit_ack(n, s, from, tx, m->round);
      break;
    case MSG_COMMIT:
    case MSG_ABORT: {
      tx_state d = type == MSG_COMMIT ? TX_COMMITTED : TX_ABORTED;
      if (!coordinator)
        part_on_decision(n, s, from, tx, d);
      else if (s->config.variant == PROTO_3PC && !tx_decided(s->coord[tx].state) &&
               s->coord[tx].state != TX_INIT)
        coord_decide(n, s, tx, d); /* 3PC recovery: adopt what the participants decided */
      break;
    }
    case MSG_ACK:
      coord_on_ack(n, s, from, tx);
      break;
    case MSG_INQUIRY:
      on_inquiry(n, s, from, tx);
      break;
    case MSG_STATE_REQ:
      if (!coordinator) term_on_state_req(n, s, from, tx, m->round);
      break;
    case MSG_STATE_REPLY:
      if (!coordinator) term_on_state_reply(n, s, from, tx, m->round, (tx_state)m->state);
      break;
    default:
      break;
  }
  if (coordinator) coordinator_pace(n, s, s->config.gap);
  annotate(n, s);
}

static void tpc_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  tpc_state *s = state;
  uint32_t tx = (uint32_t)arg;
  bool coordinator = sim_self(n) == TPC_COORDINATOR;
  if (kind == TIMER_NEXT) {
    s->next_armed = false;
    if (coordinator && s->next_tx >= 1 && s->next_tx <= s->config.txns &&
        s->coord[s->next_tx].state == TX_INIT)
      coord_begin(n, s, s->next_tx++);
  } else if (kind == TIMER_COORD && valid_tx(tx)) {
    s->coord_timer[tx] = 0;
    if (s->coord[tx].state == TX_COLLECTING)
      term_decide(n, s, tx);
    else
      coord_on_timeout(n, s, tx);
  } else if (kind == TIMER_PART && valid_tx(tx) && !coordinator) {
    s->part_timer[tx] = 0;
    part_on_timeout(n, s, tx);
  }
  if (coordinator) coordinator_pace(n, s, s->config.gap);
  annotate(n, s);
}

const sim_protocol tpc_protocol = {
    .name = "two-phase-commit",
    .state_size = sizeof(tpc_state),
    .stable_size = sizeof(tpc_log),
    .msg_types = tpc_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = tpc_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = tpc_boot,
    .on_message = tpc_on_message,
    .on_timer = tpc_on_timer,
};

/* ---------------------------------------------------------------------------------------------
 * The inert protocol, for unit tests.
 */

static void inert_boot(sim_node *n, void *state) { load_config(n, state); }

const sim_protocol tpc_inert_protocol = {
    .name = "two-phase-commit (inert)",
    .state_size = sizeof(tpc_state),
    .stable_size = sizeof(tpc_log),
    .msg_types = tpc_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = tpc_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = inert_boot,
    .on_message = NULL, /* every message and timer is ignored */
    .on_timer = NULL,
};
