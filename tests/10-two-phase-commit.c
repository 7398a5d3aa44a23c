/*
 * tests/10-two-phase-commit.c: lab 10's tests: two-phase commit, recovery, three-phase commit.
 *
 * First one case per rule, so a learner sees which rule is wrong: each calls your functions by
 * hand on a bench of inert nodes (tpc_inert_protocol: nothing runs unless the test says so) and
 * checks what they logged, in which order, and what they sent, reading each sender's log at the
 * moment of every send. Part A: the coordinator (begin, votes, decide, resend, inquiries,
 * recovery), the participant (vote, decision, timeout, recovery). Part B: 3PC's pre-commit
 * phase, the termination rule and the termination protocol, and 3PC recovery.
 *
 * Then seed sweeps of the driver's scenarios: every invariant of scenarios.c runs after every
 * event (atomicity, stability, commit-validity, log-before-send, recovery, no-unilateral-decision
 * or precommit-before-commit). The crash-point sweeps crash a node right after each of its
 * actions in turn, one run per point, and check that every point of a failure-free run was
 * covered. Last, three demonstrations (they pass when they show what they are about): 2PC blocks
 * while its coordinator is down, 3PC does not, and 3PC decides both ways under a partition.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * The bench: n0 and three participants running the inert protocol, a constant 5 ms network,
 * and a log of every send (with the sender's log record for that transaction at that moment)
 * and every log write. n3 cannot commit transaction 2 (it votes no on it).
 */
typedef struct sent {
  sim_time at;
  int from, to, type;
  tpc_msg m;
  tx_state disk; /* the sender's log record for m.tx when it sent this */
} sent;

typedef struct bench {
  sim_world *w;
  int count;
  sent log[256];
  int writes;
  int write_node[64];
  uint32_t write_tx[64];
  tx_state write_state[64];
  int timers;
  int timer_node[64], timer_kind[64];
  sim_time timer_at[64];
} bench;

static void record(sim_world *w, const sim_event *ev, void *ctx) {
  bench *b = ctx;
  if (ev->kind == SIM_EV_SEND && b->count < 256) {
    sent *s = &b->log[b->count++];
    s->at = ev->time;
    s->from = ev->node;
    s->to = ev->peer;
    s->type = ev->msg_type;
    s->m = *(const tpc_msg *)ev->body;
    s->disk = s->m.tx <= TPC_MAX_TXNS
                  ? (tx_state)((const tpc_log *)sim_stable(w, ev->node))->rec[s->m.tx]
                  : TX_INIT;
  } else if (ev->kind == SIM_EV_LOCAL && b->writes < 64) {
    const tpc_state *s = sim_state(w, ev->node);
    b->write_node[b->writes] = ev->node;
    b->write_tx[b->writes] = s->last_log_tx;
    b->write_state[b->writes++] = s->last_log;
  } else if (ev->kind == SIM_EV_TIMER && b->timers < 64) {
    b->timer_node[b->timers] = ev->node;
    b->timer_kind[b->timers] = ev->msg_type;
    b->timer_at[b->timers++] = ev->time;
  }
}

static void bench_start(bench *b, tpc_variant variant) {
  memset(b, 0, sizeof *b);
  b->w = sim_create(1);
  for (int i = 0; i < 4; i++) {
    tpc_config c = {.variant = variant, .txns = 0, .timing = tpc_default_timing()};
    if (i == 3) c.no_votes = 1u << 2;
    sim_add_node(b->w, &tpc_inert_protocol, &c, sizeof c);
  }
  sim_net_config net = sim_net_default();
  net.latency = SIM_LATENCY_CONSTANT;
  net.latency_min = net.latency_max = 5 * SIM_MS;
  sim_set_net(b->w, &net);
  sim_observe(b->w, record, b);
  sim_start(b->w);
}

static tpc_state *node(bench *b, int i) { return sim_state_mut(b->w, i); }
static tx_state disk(bench *b, int i, uint32_t tx) {
  return (tx_state)((const tpc_log *)sim_stable(b->w, i))->rec[tx];
}

/* What a poke asks a node to do. */
enum {
  C_BEGIN,
  C_VOTE,
  C_ACK,
  C_TIMEOUT,
  C_RECOVER,
  C_INQUIRY,
  C_PRECOMMIT_ACK,
  P_PREPARE,
  P_DECISION,
  P_TIMEOUT,
  P_RECOVER,
  P_PRECOMMIT,
  T_STATE_REQ,
  T_STATE_REPLY,
  T_DECIDE,
  LOG
};

typedef struct call {
  int what, from;
  uint32_t tx, round;
  bool yes;
  tx_state st;
} call;

static void do_call(sim_node *n, void *state, void *arg) {
  tpc_state *s = state;
  const call *c = arg;
  switch (c->what) {
    case C_BEGIN:
      coord_begin(n, s, c->tx);
      break;
    case C_VOTE:
      coord_on_vote(n, s, c->from, c->tx, c->yes);
      break;
    case C_ACK:
      coord_on_ack(n, s, c->from, c->tx);
      break;
    case C_TIMEOUT:
      coord_on_timeout(n, s, c->tx);
      break;
    case C_RECOVER:
      coord_recover(n, s);
      break;
    case C_INQUIRY:
      on_inquiry(n, s, c->from, c->tx);
      break;
    case C_PRECOMMIT_ACK:
      coord_on_precommit_ack(n, s, c->from, c->tx, c->round);
      break;
    case P_PREPARE:
      part_on_prepare(n, s, c->from, c->tx);
      break;
    case P_DECISION:
      part_on_decision(n, s, c->from, c->tx, c->st);
      break;
    case P_TIMEOUT:
      part_on_timeout(n, s, c->tx);
      break;
    case P_RECOVER:
      part_recover(n, s);
      break;
    case P_PRECOMMIT:
      part_on_precommit(n, s, c->from, c->tx, c->round);
      break;
    case T_STATE_REQ:
      term_on_state_req(n, s, c->from, c->tx, c->round);
      break;
    case T_STATE_REPLY:
      term_on_state_reply(n, s, c->from, c->tx, c->round, c->st);
      break;
    case T_DECIDE:
      term_decide(n, s, c->tx);
      break;
    case LOG:
      log_write(n, s, c->tx, c->st);
      break;
    default:
      break;
  }
}

static void at(bench *b, int node_id, call c) { sim_poke(b->w, node_id, do_call, &c); }

/* A node restarts: its memory is zeroed (the configuration is copied again, as boot does);
 * its log stays. */
static void wipe(bench *b, int i) {
  tpc_state *s = node(b, i);
  tpc_config c = s->config;
  memset(s, 0, sizeof *s);
  s->config = c;
}

/* Sends in log[first ..] of a type, from a node (-1: any) to a node (-1: any). */
static int sends(const bench *b, int first, int from, int to, int type) {
  int k = 0;
  for (int i = first; i < b->count; i++)
    k += (from < 0 || b->log[i].from == from) && (to < 0 || b->log[i].to == to) &&
         b->log[i].type == type;
  return k;
}

/* The first send in log[first ..] of a type from a node, or NULL. */
static const sent *first_send(const bench *b, int first, int from, int type) {
  for (int i = first; i < b->count; i++)
    if (b->log[i].from == from && b->log[i].type == type) return &b->log[i];
  return NULL;
}

/* Every send in log[first ..] of a type from a node had the sender's log at `want`. */
static bool all_logged(const bench *b, int first, int from, int type, tx_state want) {
  for (int i = first; i < b->count; i++)
    if (b->log[i].from == from && b->log[i].type == type && b->log[i].disk != want) return false;
  return true;
}

/* A check that `from` sent exactly w1, w2, w3 messages of a type to n1, n2, n3 in log[first ..];
 * its message is `what`, then the counts ("Commit messages sent to n1, n2, n3: got 1, 0, 1,
 * expected 1, 1, 1"). */
static bool sent_each(const bench *b, int first, int from, int type, int w1, int w2, int w3,
                      const char *what) {
  int g1 = sends(b, first, from, 1, type), g2 = sends(b, first, from, 2, type),
      g3 = sends(b, first, from, 3, type);
  return tap_ok(g1 == w1 && g2 == w2 && g3 == w3,
                "%s (%s messages sent to n1, n2, n3: got %d, %d, %d, expected %d, %d, %d)", what,
                tpc_msg_name(type), g1, g2, g3, w1, w2, w3);
}

static const char *name_of(tx_state st) { return tx_name(st); }

/* A check on a transaction state that prints names, not numbers. */
static bool is_state(tx_state got, tx_state want, const char *what) {
  return tap_ok(got == want, "%s (got %s, expected %s)", what, name_of(got), name_of(want));
}

/* ---------------------------------------------------------------------------------------------
 * Part A1: the coordinator.
 */

/* Rule: begin writes "begin" to the log before the first Prepare, then asks every participant. */
static void coord_begin_rule(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 0, (call){.what = C_BEGIN, .tx = 1});
  const tpc_coord_tx *c = &node(&b, 0)->coord[1];
  tap_ok(
      b.writes >= 1 && b.write_node[0] == 0 && b.write_tx[0] == 1 && b.write_state[0] == TX_VOTING,
      "coord_begin: the first thing it does is log_write(t1, TX_VOTING) (log writes: %d%s%s)",
      b.writes, b.writes ? ", the first: " : "", b.writes ? name_of(b.write_state[0]) : "");
  sent_each(&b, 0, 0, MSG_PREPARE, 1, 1, 1, "coord_begin: one Prepare(t1) to each participant");
  tap_ok(all_logged(&b, 0, 0, MSG_PREPARE, TX_VOTING),
         "coord_begin: the log said \"voting\" (begin) when each Prepare left (the first left "
         "with %s): log_write before send_prepare",
         b.count ? name_of(b.log[0].disk) : "- (none sent)");
  is_state(c->state, TX_VOTING, "coord_begin: coord[1].state is TX_VOTING");
  tap_ok(c->members == 0xe, "coord_begin: members is 0x%x, expected 0xe (n1, n2, n3: tpc_everyone)",
         c->members);
  tap_ok(c->voted == 0 && c->yes == 0 && c->acked == 0,
         "coord_begin: no votes, no acks yet (masks voted 0x%x, yes 0x%x, acked 0x%x; expected 0)",
         c->voted, c->yes, c->acked);
  sim_run_for(b.w, 31 * SIM_MS);
  bool fired = false;
  for (int i = 0; i < b.timers; i++)
    fired |= b.timer_node[i] == 0 && b.timer_kind[i] == TIMER_COORD && b.timer_at[i] == 30 * SIM_MS;
  tap_ok(fired, "coord_begin: the coordinator timer fires one retry (30 ms) later");
  sim_destroy(b.w);
}

/* Begin t1 and hand n0 the votes of `yes` (n1 .. n3, in order). */
static void begin_and_vote(bench *b, uint32_t tx, const bool yes[3], int voters) {
  at(b, 0, (call){.what = C_BEGIN, .tx = tx});
  for (int p = 1; p <= voters; p++)
    at(b, 0, (call){.what = C_VOTE, .from = p, .tx = tx, .yes = yes[p - 1]});
}

/* Rule: every participant voted yes: commit, logged before the first Commit leaves. */
static void coord_commit_rule(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  const bool yes[3] = {true, true, true};
  begin_and_vote(&b, 1, yes, 2);
  tap_ok(node(&b, 0)->coord[1].state == TX_VOTING && sends(&b, 0, 0, -1, MSG_COMMIT) == 0,
         "coord_on_vote: two yes votes of three decide nothing yet (state %s, Commit messages "
         "sent: %d; expected voting, 0)",
         name_of(node(&b, 0)->coord[1].state), sends(&b, 0, 0, -1, MSG_COMMIT));
  int first = b.count;
  at(&b, 0, (call){.what = C_VOTE, .from = 3, .tx = 1, .yes = true});
  sent_each(&b, first, 0, MSG_COMMIT, 1, 1, 1,
            "coord_on_vote: the third yes vote decides commit: one Commit(t1) to each participant");
  const sent *s = first_send(&b, first, 0, MSG_COMMIT);
  tap_ok(s && s->disk == TX_COMMITTED,
         "coord_decide: the log said %s when the first Commit left, expected committed: write "
         "the decision to the log before sending it",
         s ? name_of(s->disk) : "- (no Commit was sent)");
  is_state(node(&b, 0)->coord[1].state, TX_COMMITTED, "coord[1].state is TX_COMMITTED");
  tap_is_int(sends(&b, first, 0, -1, MSG_ABORT), 0,
             "coord_on_vote: all yes, so no Abort: Abort messages sent");
  sim_destroy(b.w);
}

/* Rule: one no vote aborts at once; later votes change nothing. */
static void coord_abort_rule(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  const bool votes[3] = {true, false, true};
  begin_and_vote(&b, 2, votes, 2); /* n1 yes, n2 no */
  const sent *s = first_send(&b, 0, 0, MSG_ABORT);
  is_state(node(&b, 0)->coord[2].state, TX_ABORTED,
           "coord_on_vote: a no vote (from n2) decides abort at once, without waiting for n3");
  tap_ok(s && s->disk == TX_ABORTED,
         "coord_decide: the log said %s when the first Abort left, expected aborted: write the "
         "decision to the log before sending it",
         s ? name_of(s->disk) : "- (no Abort was sent)");
  sent_each(&b, 0, 0, MSG_ABORT, 1, 1, 1,
            "coord_decide: one Abort(t2) to every participant, the no voter included");
  int first = b.count, writes = b.writes;
  at(&b, 0, (call){.what = C_VOTE, .from = 3, .tx = 2, .yes = true});
  tap_ok(node(&b, 0)->coord[2].state == TX_ABORTED && b.count == first && b.writes == writes,
         "coord_on_vote: a vote that arrives after the decision changes nothing (state %s, "
         "messages sent: %d, log writes: %d; expected aborted, 0, 0)",
         name_of(node(&b, 0)->coord[2].state), b.count - first, b.writes - writes);
  sim_destroy(b.w);
}

/* Rule: a participant's vote counts once, however often it arrives. */
static void coord_duplicate_votes(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 0, (call){.what = C_BEGIN, .tx = 1});
  for (int k = 0; k < 3; k++) at(&b, 0, (call){.what = C_VOTE, .from = 1, .tx = 1, .yes = true});
  at(&b, 0, (call){.what = C_VOTE, .from = 2, .tx = 1, .yes = true});
  tap_ok(node(&b, 0)->coord[1].state == TX_VOTING && sends(&b, 0, 0, -1, MSG_COMMIT) == 0,
         "coord_on_vote: three yes votes from n1 and one from n2 are two voters of three: still "
         "voting, no Commit (state %s, Commit messages sent: %d): count each participant once "
         "(a mask, not a counter)",
         name_of(node(&b, 0)->coord[1].state), sends(&b, 0, 0, -1, MSG_COMMIT));
  sim_destroy(b.w);
}

/* Rule: while votes are missing, the timer resends Prepare to the silent; at vote_timeout,
 * abort. */
static void coord_vote_timeout(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 0, (call){.what = C_BEGIN, .tx = 1});
  at(&b, 0, (call){.what = C_VOTE, .from = 1, .tx = 1, .yes = true});
  sim_run_until_time(b.w, 30 * SIM_MS);
  int first = b.count;
  at(&b, 0, (call){.what = C_TIMEOUT, .tx = 1});
  sent_each(&b, first, 0, MSG_PREPARE, 0, 1, 1,
            "coord_on_timeout at 30 ms: Prepare again to n2 and n3, who have not voted, not to n1");
  is_state(node(&b, 0)->coord[1].state, TX_VOTING, "coord_on_timeout at 30 ms: still voting");
  tap_ok(node(&b, 0)->coord_timer[1] != 0, "coord_on_timeout: the timer is armed again");
  sim_run_until_time(b.w, 110 * SIM_MS);
  first = b.count;
  at(&b, 0, (call){.what = C_TIMEOUT, .tx = 1});
  is_state(node(&b, 0)->coord[1].state, TX_ABORTED,
           "coord_on_timeout at 110 ms (vote_timeout 100 ms after begin): abort");
  const sent *s = first_send(&b, first, 0, MSG_ABORT);
  tap_ok(s && s->disk == TX_ABORTED,
         "the log said %s when the first Abort left, expected aborted (coord_decide, reached from "
         "coord_on_timeout: write the decision to the log before sending it)",
         s ? name_of(s->disk) : "- (no Abort was sent)");
  sent_each(&b, first, 0, MSG_ABORT, 1, 1, 1,
            "coord_on_timeout at 110 ms: the abort goes to every participant (coord_decide)");
  sim_destroy(b.w);
}

/* Rule: after the decision, the timer resends it to those that have not acknowledged, until
 * all have. */
static void coord_resend_until_acked(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  const bool yes[3] = {true, true, true};
  begin_and_vote(&b, 1, yes, 3);
  at(&b, 0, (call){.what = C_ACK, .from = 1, .tx = 1});
  int first = b.count;
  at(&b, 0, (call){.what = C_TIMEOUT, .tx = 1});
  sent_each(&b, first, 0, MSG_COMMIT, 0, 1, 1,
            "coord_on_timeout: Commit again to n2 and n3, who have not acknowledged, not to n1");
  tap_ok(node(&b, 0)->coord_timer[1] != 0, "coord_on_timeout: and the timer is armed again");
  at(&b, 0, (call){.what = C_ACK, .from = 2, .tx = 1});
  at(&b, 0, (call){.what = C_ACK, .from = 3, .tx = 1});
  first = b.count;
  at(&b, 0, (call){.what = C_TIMEOUT, .tx = 1});
  tap_is_int(b.count - first, 0,
             "coord_on_timeout: everyone acknowledged, so nothing is resent: messages sent");
  sim_destroy(b.w);
}

/* Rule: an Inquiry gets the decision once there is one; before, silence. */
static void coord_answers_inquiries(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 0, (call){.what = C_BEGIN, .tx = 1});
  int first = b.count;
  at(&b, 0, (call){.what = C_INQUIRY, .from = 2, .tx = 1});
  tap_is_int(b.count - first, 0,
             "on_inquiry at n0 while voting says nothing (n0's part[tx] is unused, always "
             "TX_INIT: only a participant aborts what it never voted on): messages sent");
  const bool yes[3] = {true, true, true};
  for (int p = 1; p <= 3; p++)
    at(&b, 0, (call){.what = C_VOTE, .from = p, .tx = 1, .yes = yes[p - 1]});
  first = b.count;
  at(&b, 0, (call){.what = C_INQUIRY, .from = 2, .tx = 1});
  tap_ok(b.count == first + 1 && b.log[first].type == MSG_COMMIT && b.log[first].to == 2,
         "on_inquiry: once committed, the answer is one Commit(t1) to the asker, n2 (messages "
         "sent: %d, the first %s to n%d; expected 1, Commit to n2)",
         b.count - first, b.count > first ? tpc_msg_name(b.log[first].type) : "-",
         b.count > first ? b.log[first].to : -1);
  sim_destroy(b.w);
}

/* Rule (recovery): a decision in the log is taken up and sent to everyone again. */
static void coord_recovers_decision(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 0, (call){.what = LOG, .tx = 1, .st = TX_COMMITTED});
  at(&b, 0, (call){.what = LOG, .tx = 2, .st = TX_ABORTED});
  wipe(&b, 0);
  int first = b.count;
  at(&b, 0, (call){.what = C_RECOVER});
  const tpc_state *s = node(&b, 0);
  tap_ok(s->coord[1].state == TX_COMMITTED && s->coord[2].state == TX_ABORTED,
         "coord_recover: t1 is committed and t2 aborted again, as the log says (got %s, %s)",
         name_of(s->coord[1].state), name_of(s->coord[2].state));
  tap_ok(sends(&b, first, 0, -1, MSG_COMMIT) == 3 && sends(&b, first, 0, -1, MSG_ABORT) == 3,
         "coord_recover: Commit(t1) and Abort(t2) go to all three participants again (Commit "
         "messages sent: %d, Abort: %d; expected 3, 3)",
         sends(&b, first, 0, -1, MSG_COMMIT), sends(&b, first, 0, -1, MSG_ABORT));
  is_state(disk(&b, 0, 1), TX_COMMITTED, "the log still says t1 committed");
  sim_destroy(b.w);
}

/* Rule (recovery, 2PC): "begin" without a decision is aborted: logged, then sent. */
static void coord_recovers_begin(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 0, (call){.what = LOG, .tx = 1, .st = TX_VOTING});
  wipe(&b, 0);
  int first = b.count;
  at(&b, 0, (call){.what = C_RECOVER});
  is_state(node(&b, 0)->coord[1].state, TX_ABORTED,
           "coord_recover: only \"begin\" for t1 in the log: a 2PC coordinator aborts it");
  const sent *s = first_send(&b, first, 0, MSG_ABORT);
  tap_ok(s && s->disk == TX_ABORTED,
         "the log said %s when the first Abort left, expected aborted (coord_decide, reached from "
         "coord_recover: write the decision to the log before sending it)",
         s ? name_of(s->disk) : "- (no Abort was sent)");
  tap_is_int(sends(&b, first, 0, -1, MSG_ABORT), 3,
             "coord_recover: one Abort(t1) to each participant: Abort messages sent");
  tap_is_int(sends(&b, first, 0, -1, MSG_COMMIT), 0,
             "coord_recover: never a Commit: Commit messages sent");
  sim_destroy(b.w);
}

/* Rule (recovery, 2PC): the Abort of a recovered "begin" is resent, like any decision, to the
 * participants that have not acknowledged it. coord_on_timeout resends to members, and a
 * restarted coordinator's memory is zeroed: coord_recover must set members before deciding. */
static void coord_recovered_abort_resent(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  /* n0 logged "begin" for t1, crashed and restarts: it aborts t1 and sends Abort to all three. */
  at(&b, 0, (call){.what = LOG, .tx = 1, .st = TX_VOTING});
  wipe(&b, 0);
  at(&b, 0, (call){.what = C_RECOVER});
  /* n1 and n2 acknowledge; the Abort to n3 was lost. */
  at(&b, 0, (call){.what = C_ACK, .from = 1, .tx = 1});
  at(&b, 0, (call){.what = C_ACK, .from = 2, .tx = 1});
  /* One retry (30 ms) later the coordinator timer fires. */
  sim_run_for(b.w, 30 * SIM_MS);
  int first = b.count;
  at(&b, 0, (call){.what = C_TIMEOUT, .tx = 1});
  const tpc_coord_tx *c = &node(&b, 0)->coord[1];
  sent_each(&b, first, 0, MSG_ABORT, 0, 0, 1,
            "coord_on_timeout after coord_recover aborted t1 (n1 and n2 acknowledged, the Abort "
            "to n3 was lost): Abort again to n3 only");
  tap_ok(c->members == 0xe,
         "coord_recover: members of t1 is 0x%x, expected 0xe (n1, n2, n3): the resends go to "
         "members that have not acknowledged, so set members = every participant before "
         "coord_decide",
         c->members);
  tap_ok(node(&b, 0)->coord_timer[1] != 0,
         "coord_on_timeout: n3 has not acknowledged, so the timer is armed again");
  sim_destroy(b.w);
}

/* ---------------------------------------------------------------------------------------------
 * Part A2: the participant.
 */

/* Rule: a yes vote is logged (uncertain) before it is sent. */
static void part_yes_vote(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 1, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  const sent *s = first_send(&b, 0, 1, MSG_VOTE);
  tap_ok(s && s->to == 0 && s->m.yes == 1,
         "part_on_prepare: n1 can commit t1: Vote(t1, yes) to n0 (got %s)",
         !s         ? "no Vote"
         : s->m.yes ? "a yes vote"
                    : "a no vote");
  tap_ok(s && s->disk == TX_UNCERTAIN,
         "part_on_prepare: the log said %s when the yes vote left, expected uncertain: the "
         "promise is written first",
         s ? name_of(s->disk) : "- (no Vote was sent)");
  is_state(node(&b, 1)->part[1].state, TX_UNCERTAIN, "part[1].state is TX_UNCERTAIN");
  sim_run_for(b.w, 51 * SIM_MS);
  bool fired = false;
  for (int i = 0; i < b.timers; i++)
    fired |= b.timer_node[i] == 1 && b.timer_kind[i] == TIMER_PART && b.timer_at[i] == 50 * SIM_MS;
  tap_ok(fired, "part_on_prepare: the participant timer fires one inquire period (50 ms) later");
  sim_destroy(b.w);
}

/* Rule: a participant that cannot commit votes no and aborts on its own. */
static void part_no_vote(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 3, (call){.what = P_PREPARE, .from = 0, .tx = 2});
  const sent *s = first_send(&b, 0, 3, MSG_VOTE);
  tap_ok(s && s->m.yes == 0, "part_on_prepare: n3 cannot commit t2: Vote(t2, no) (got %s)",
         !s         ? "no Vote"
         : s->m.yes ? "a yes vote"
                    : "a no vote");
  is_state(node(&b, 3)->part[2].state, TX_ABORTED,
           "part_on_prepare: having voted no it aborts t2 at once (it never promised anything)");
  is_state(disk(&b, 3, 2), TX_ABORTED, "part_on_prepare: and its log says aborted");
  sim_destroy(b.w);
}

/* Rule: a resent Prepare gets the same vote as before. */
static void part_repeats_vote(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 1, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  at(&b, 1, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  tap_ok(sends(&b, 0, 1, 0, MSG_VOTE) == 2 && b.log[b.count - 1].m.yes == 1,
         "part_on_prepare: a second Prepare(t1) gets a second yes vote (Vote messages sent: %d, "
         "expected 2)",
         sends(&b, 0, 1, 0, MSG_VOTE));
  is_state(node(&b, 1)->part[1].state, TX_UNCERTAIN, "part_on_prepare: still uncertain");
  node(&b, 1)->part[1].state = TX_COMMITTED;
  int first = b.count;
  at(&b, 1, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  tap_ok(sends(&b, first, 1, 0, MSG_VOTE) == 1 && b.log[b.count - 1].m.yes == 1,
         "part_on_prepare: committed, a late Prepare still gets yes (Vote messages sent: %d, "
         "expected 1)",
         sends(&b, first, 1, 0, MSG_VOTE));
  at(&b, 3, (call){.what = P_PREPARE, .from = 0, .tx = 2});
  first = b.count;
  at(&b, 3, (call){.what = P_PREPARE, .from = 0, .tx = 2});
  tap_ok(sends(&b, first, 3, 0, MSG_VOTE) == 1 && b.log[b.count - 1].m.yes == 0,
         "part_on_prepare: aborted, a second Prepare gets no again (Vote messages sent: %d, "
         "expected 1)",
         sends(&b, first, 3, 0, MSG_VOTE));
  sim_destroy(b.w);
}

/* Rule: a decision is logged before the Ack, and never changes. */
static void part_takes_decision(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 2, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  int first = b.count;
  at(&b, 2, (call){.what = P_DECISION, .from = 0, .tx = 1, .st = TX_COMMITTED});
  const sent *s = first_send(&b, first, 2, MSG_ACK);
  tap_ok(s && s->to == 0, "part_on_decision: Commit(t1) from n0 is acknowledged to n0 (%s)",
         s ? "Ack sent" : "no Ack sent");
  tap_ok(s && s->disk == TX_COMMITTED,
         "part_on_decision: the log said %s when the Ack left, expected committed: log the "
         "decision, then acknowledge",
         s ? name_of(s->disk) : "- (no Ack was sent)");
  is_state(node(&b, 2)->part[1].state, TX_COMMITTED, "part[1].state is TX_COMMITTED");
  first = b.count;
  at(&b, 2, (call){.what = P_DECISION, .from = 0, .tx = 1, .st = TX_ABORTED});
  tap_ok(node(&b, 2)->part[1].state == TX_COMMITTED && disk(&b, 2, 1) == TX_COMMITTED,
         "part_on_decision: a later Abort for t1 changes nothing: a decision is final (state %s, "
         "log %s)",
         name_of(node(&b, 2)->part[1].state), name_of(disk(&b, 2, 1)));
  tap_is_int(sends(&b, first, 2, 0, MSG_ACK), 1,
             "part_on_decision: the later Abort is acknowledged too: Ack messages sent to n0");
  sim_destroy(b.w);
}

/* Rule (2PC): an uncertain participant whose timer fires asks the coordinator and stays
 * uncertain. */
static void part_never_decides_alone(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 1, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  int first = b.count, writes = b.writes;
  for (int k = 0; k < 5; k++) {
    sim_run_for(b.w, 50 * SIM_MS);
    at(&b, 1, (call){.what = P_TIMEOUT, .tx = 1});
  }
  is_state(node(&b, 1)->part[1].state, TX_UNCERTAIN,
           "part_on_timeout (2PC) five times: n1 voted yes and stays uncertain: it never "
           "decides on its own");
  tap_is_int(b.writes - writes, 0,
             "part_on_timeout (2PC) five times writes nothing: log records written");
  tap_is_int(sends(&b, first, 1, 0, MSG_INQUIRY), 5,
             "part_on_timeout: one Inquiry(t1) to the coordinator each time: Inquiry messages to "
             "n0 in five timeouts");
  tap_is_int(sends(&b, first, 1, -1, MSG_INQUIRY), 5,
             "part_on_timeout: in 2PC only the coordinator is asked: Inquiry messages to any node "
             "in five timeouts");
  tap_ok(node(&b, 1)->part_timer[1] != 0, "part_on_timeout: the timer is armed again");
  sim_destroy(b.w);
}

/* Rule (recovery): an uncertain record makes a recovering participant that asks. */
static void part_recovers(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_2PC);
  at(&b, 2, (call){.what = LOG, .tx = 1, .st = TX_UNCERTAIN});
  at(&b, 2, (call){.what = LOG, .tx = 2, .st = TX_COMMITTED});
  wipe(&b, 2);
  int first = b.count;
  at(&b, 2, (call){.what = P_RECOVER});
  const tpc_state *s = node(&b, 2);
  tap_ok(s->part[1].state == TX_UNCERTAIN && s->part[1].recovering,
         "part_recover: \"uncertain\" for t1 in the log: uncertain and recovering (state %s, "
         "recovering %s; expected uncertain, true)",
         name_of(s->part[1].state), s->part[1].recovering ? "true" : "false");
  is_state(s->part[2].state, TX_COMMITTED, "part_recover: \"committed\" for t2: committed");
  tap_ok(sends(&b, first, 2, 0, MSG_INQUIRY) == 1 && sends(&b, first, 2, -1, MSG_INQUIRY) == 1 &&
             b.log[first].m.tx == 1,
         "part_recover: one Inquiry(t1) to the coordinator (2PC), none for t2 (Inquiry messages "
         "sent: %d, to n0: %d; expected 1, 1)",
         sends(&b, first, 2, -1, MSG_INQUIRY), sends(&b, first, 2, 0, MSG_INQUIRY));
  tap_ok(s->part_timer[1] != 0, "part_recover: the participant timer is armed to ask again");
  at(&b, 2, (call){.what = P_DECISION, .from = 0, .tx = 1, .st = TX_ABORTED});
  tap_ok(node(&b, 2)->part[1].state == TX_ABORTED && !node(&b, 2)->part[1].recovering,
         "part_on_decision: the answer ends the recovery (state %s, recovering %s; expected "
         "aborted, false)",
         name_of(node(&b, 2)->part[1].state), node(&b, 2)->part[1].recovering ? "true" : "false");
  sim_destroy(b.w);
}

/* ---------------------------------------------------------------------------------------------
 * Part B: three-phase commit.
 */

/* Rule: all yes votes lead to PreCommit, and the commit waits for every acknowledgement. */
static void precommit_then_commit(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  const bool yes[3] = {true, true, true};
  begin_and_vote(&b, 1, yes, 3);
  sent_each(&b, 0, 0, MSG_PRECOMMIT, 1, 1, 1,
            "coord_on_vote (3PC): all yes: one PreCommit(t1) to each participant");
  tap_ok(node(&b, 0)->coord[1].state == TX_PRECOMMITTED && sends(&b, 0, 0, -1, MSG_COMMIT) == 0 &&
             disk(&b, 0, 1) != TX_COMMITTED,
         "coord_precommit: pre-committed, nothing committed, no Commit sent yet (state %s, log "
         "%s, Commit messages sent: %d; expected precommitted, voting, 0)",
         name_of(node(&b, 0)->coord[1].state), name_of(disk(&b, 0, 1)),
         sends(&b, 0, 0, -1, MSG_COMMIT));
  const sent *s = first_send(&b, 0, 0, MSG_PRECOMMIT);
  tap_ok(s && s->m.round == 0, "coord_precommit: n0's PreCommit carries round 0 (got %d)",
         s ? (int)s->m.round : -1);
  at(&b, 0, (call){.what = C_PRECOMMIT_ACK, .from = 1, .tx = 1, .round = 0});
  at(&b, 0, (call){.what = C_PRECOMMIT_ACK, .from = 2, .tx = 1, .round = 0});
  at(&b, 0, (call){.what = C_PRECOMMIT_ACK, .from = 2, .tx = 1, .round = 0});
  tap_ok(node(&b, 0)->coord[1].state == TX_PRECOMMITTED && sends(&b, 0, 0, -1, MSG_COMMIT) == 0,
         "coord_on_precommit_ack: acks from n1 and n2 (twice) are not all: no commit yet (state "
         "%s, Commit messages sent: %d; expected precommitted, 0): count acks as a mask",
         name_of(node(&b, 0)->coord[1].state), sends(&b, 0, 0, -1, MSG_COMMIT));
  int first = b.count;
  at(&b, 0, (call){.what = C_PRECOMMIT_ACK, .from = 3, .tx = 1, .round = 0});
  s = first_send(&b, first, 0, MSG_COMMIT);
  tap_ok(node(&b, 0)->coord[1].state == TX_COMMITTED && sends(&b, first, 0, -1, MSG_COMMIT) == 3,
         "coord_on_precommit_ack: n3's ack completes it: commit, Commit to all three (state %s, "
         "Commit messages sent: %d; expected committed, 3)",
         name_of(node(&b, 0)->coord[1].state), sends(&b, first, 0, -1, MSG_COMMIT));
  tap_ok(s && s->disk == TX_COMMITTED,
         "coord_decide: the log said %s when the first Commit left, expected committed",
         s ? name_of(s->disk) : "- (no Commit was sent)");
  sim_destroy(b.w);
}

/* Rule: a missing PreCommit ack is asked for again; after ack_timeout, commit anyway. */
static void precommit_timeout(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  const bool yes[3] = {true, true, true};
  begin_and_vote(&b, 1, yes, 3);
  at(&b, 0, (call){.what = C_PRECOMMIT_ACK, .from = 1, .tx = 1, .round = 0});
  sim_run_until_time(b.w, 30 * SIM_MS);
  int first = b.count;
  at(&b, 0, (call){.what = C_TIMEOUT, .tx = 1});
  sent_each(&b, first, 0, MSG_PRECOMMIT, 0, 1, 1,
            "coord_on_timeout at 30 ms: PreCommit again to n2 and n3, who have not acknowledged");
  is_state(node(&b, 0)->coord[1].state, TX_PRECOMMITTED, "still pre-committed at 30 ms");
  sim_run_until_time(b.w, 110 * SIM_MS);
  at(&b, 0, (call){.what = C_TIMEOUT, .tx = 1});
  is_state(node(&b, 0)->coord[1].state, TX_COMMITTED,
           "coord_on_timeout at 110 ms (ack_timeout 100 ms): commit: the silent ones have "
           "crashed (3PC assumes no partitions) and every live one is pre-committed");
  sim_destroy(b.w);
}

/* Rule: a participant logs "precommitted" before it acknowledges, to whoever sent the
 * PreCommit, in that round; it ignores what it must ignore. */
static void part_precommit_rule(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  at(&b, 2, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  int first = b.count;
  at(&b, 2, (call){.what = P_PRECOMMIT, .from = 0, .tx = 1, .round = 0});
  const sent *s = first_send(&b, first, 2, MSG_PRECOMMIT_ACK);
  tap_ok(s && s->to == 0 && s->m.round == 0,
         "part_on_precommit: PreCommitAck(t1, round 0) to n0 (got %s)",
         s ? "an ack" : "no PreCommitAck");
  tap_ok(s && s->disk == TX_PRECOMMITTED,
         "part_on_precommit: the log said %s when the ack left, expected precommitted: log it, "
         "then acknowledge",
         s ? name_of(s->disk) : "- (no PreCommitAck was sent)");
  is_state(node(&b, 2)->part[1].state, TX_PRECOMMITTED, "part[1].state is TX_PRECOMMITTED");
  first = b.count;
  at(&b, 2, (call){.what = P_PRECOMMIT, .from = 1, .tx = 1, .round = 2});
  s = first_send(&b, first, 2, MSG_PRECOMMIT_ACK);
  tap_ok(s && s->to == 1 && s->m.round == 2 && node(&b, 2)->part[1].round == 2,
         "part_on_precommit: from the backup n1 in round 2: ack to n1 with round 2, and round 2 "
         "is adopted (ack to n%d with round %d, part[1].round %u)",
         s ? s->to : -1, s ? (int)s->m.round : -1, node(&b, 2)->part[1].round);
  first = b.count;
  at(&b, 2, (call){.what = P_PRECOMMIT, .from = 0, .tx = 1, .round = 0});
  tap_is_int(b.count - first, 0,
             "part_on_precommit: a PreCommit of an older round (0, n2 is in round 2) is ignored: "
             "messages sent");
  node(&b, 3)->part[1].state = TX_UNCERTAIN;
  node(&b, 3)->part[1].recovering = true;
  first = b.count;
  at(&b, 3, (call){.what = P_PRECOMMIT, .from = 0, .tx = 1, .round = 0});
  tap_ok(b.count == first && node(&b, 3)->part[1].state == TX_UNCERTAIN,
         "part_on_precommit: a recovering participant ignores it, it takes no part any more "
         "(state %s, messages sent: %d; expected uncertain, 0)",
         name_of(node(&b, 3)->part[1].state), b.count - first);
  sim_destroy(b.w);
}

/* Rule: the termination rule. */
static void termination_rule(void *arg) {
  (void)arg;
  struct {
    uint8_t st[3];
    int count;
    tx_state want;
    const char *why;
  } cases[] = {
      {{TX_UNCERTAIN, TX_COMMITTED, TX_PRECOMMITTED}, 3, TX_COMMITTED, "one committed: commit"},
      {{TX_UNCERTAIN, TX_ABORTED, TX_UNCERTAIN}, 3, TX_ABORTED, "one aborted: abort"},
      {{TX_UNCERTAIN, TX_INIT, TX_UNCERTAIN},
       3,
       TX_ABORTED,
       "one never voted (init): abort, nobody can have pre-committed"},
      {{TX_UNCERTAIN, TX_PRECOMMITTED, TX_UNCERTAIN},
       3,
       TX_PRECOMMITTED,
       "one pre-committed, none decided: pre-commit the others, then commit"},
      {{TX_PRECOMMITTED, TX_PRECOMMITTED, 0}, 2, TX_PRECOMMITTED, "all pre-committed: commit path"},
      {{TX_UNCERTAIN, TX_UNCERTAIN, TX_UNCERTAIN},
       3,
       TX_ABORTED,
       "all uncertain: abort, nobody can have committed"},
      {{TX_UNCERTAIN, 0, 0}, 1, TX_ABORTED, "a backup alone and uncertain: abort"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tx_state got = term_rule(cases[i].st, cases[i].count);
    tap_ok(got == cases[i].want, "term_rule: %s (got %s, expected %s)", cases[i].why, name_of(got),
           name_of(cases[i].want));
  }
}

/* Rule: a silent coordinator starts the next round; that round's backup asks the others. */
static void termination_start(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  for (int p = 1; p <= 2; p++) at(&b, p, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  int first = b.count;
  at(&b, 2, (call){.what = P_TIMEOUT, .tx = 1});
  tap_ok(node(&b, 2)->part[1].round == 1 && b.count == first,
         "part_on_timeout (3PC): n2 moves to round 1, whose backup is n1: it sends nothing and "
         "waits (round %u, messages sent: %d; expected 1, 0)",
         node(&b, 2)->part[1].round, b.count - first);
  tap_ok(node(&b, 2)->part_timer[1] != 0 && node(&b, 2)->coord[1].state == TX_INIT,
         "term_start: n2 re-arms its participant timer and does not lead");
  at(&b, 1, (call){.what = P_TIMEOUT, .tx = 1});
  const tpc_coord_tx *c = &node(&b, 1)->coord[1];
  tap_ok(sends(&b, first, 1, 2, MSG_STATE_REQ) == 1 && sends(&b, first, 1, 3, MSG_STATE_REQ) == 1 &&
             sends(&b, first, 1, 0, MSG_STATE_REQ) == 0 &&
             sends(&b, first, 1, 1, MSG_STATE_REQ) == 0,
         "term_start: n1, the backup of round 1, sends StateReq(t1) to n2 and n3, not to n0 or "
         "itself (StateReq messages sent to n0, n1, n2, n3: got %d, %d, %d, %d, expected 0, 0, "
         "1, 1)",
         sends(&b, first, 1, 0, MSG_STATE_REQ), sends(&b, first, 1, 1, MSG_STATE_REQ),
         sends(&b, first, 1, 2, MSG_STATE_REQ), sends(&b, first, 1, 3, MSG_STATE_REQ));
  const sent *s = first_send(&b, first, 1, MSG_STATE_REQ);
  tap_ok(s && s->m.round == 1, "term_start: the StateReq carries round 1 (got %d)",
         s ? (int)s->m.round : -1);
  tap_ok(c->state == TX_COLLECTING && c->round == 1 && c->members == tpc_bit(1) &&
             c->report[1] == TX_UNCERTAIN,
         "term_start: coord[1] is collecting, round 1, members = n1 alone, its own report "
         "uncertain (state %s, round %u, members 0x%x, report[1] %s; expected collecting, 1, "
         "0x2, uncertain)",
         name_of(c->state), c->round, c->members, name_of((tx_state)c->report[1]));
  tap_ok(node(&b, 1)->coord_timer[1] != 0 && node(&b, 1)->part_timer[1] != 0,
         "term_start: both timers armed (collect, and the next round's)");
  sim_destroy(b.w);
}

/* Rule: a participant answers a StateReq with its state; one that never voted aborts first. */
static void termination_state_req(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  at(&b, 2, (call){.what = P_PREPARE, .from = 0, .tx = 1});
  int first = b.count;
  at(&b, 2, (call){.what = T_STATE_REQ, .from = 1, .tx = 1, .round = 1});
  const sent *s = first_send(&b, first, 2, MSG_STATE_REPLY);
  tap_ok(s && s->to == 1 && s->m.round == 1 && s->m.state == TX_UNCERTAIN,
         "term_on_state_req: n2 answers n1 StateReply(t1, round 1, uncertain) (got %s)",
         s ? "a StateReply" : "no StateReply");
  if (s && !(s->to == 1 && s->m.round == 1 && s->m.state == TX_UNCERTAIN))
    tap_diag("the StateReply went to n%d with round %u and state %s", s->to, s->m.round,
             name_of((tx_state)s->m.state));
  tap_is_int(node(&b, 2)->part[1].round, 1, "term_on_state_req: n2 adopts round 1: part[1].round");
  first = b.count;
  at(&b, 3, (call){.what = T_STATE_REQ, .from = 1, .tx = 1, .round = 1});
  s = first_send(&b, first, 3, MSG_STATE_REPLY);
  tap_ok(s && s->m.state == TX_ABORTED && s->disk == TX_ABORTED,
         "term_on_state_req: n3 never voted on t1: it aborts (logged) and answers aborted "
         "(answered %s with its log at %s)",
         s ? name_of((tx_state)s->m.state) : "nothing", s ? name_of(s->disk) : "-");
  first = b.count;
  at(&b, 2, (call){.what = T_STATE_REQ, .from = 3, .tx = 1, .round = 0});
  tap_is_int(b.count - first, 0,
             "term_on_state_req: a StateReq of an older round (0, n2 is in round 1) is ignored: "
             "StateReply messages sent");
  node(&b, 2)->part[1].recovering = true;
  first = b.count;
  at(&b, 2, (call){.what = T_STATE_REQ, .from = 3, .tx = 1, .round = 5});
  tap_is_int(b.count - first, 0,
             "term_on_state_req: a recovering participant does not answer: StateReply messages "
             "sent");
  sim_destroy(b.w);
}

/* A backup n1 collecting t1 in round 1, with these reports from n2 and n3. */
static void collecting(bench *b, tx_state own, tx_state n2, tx_state n3) {
  tpc_state *s = node(b, 1);
  s->part[1].state = own;
  s->part[1].round = 1;
  at(b, 1, (call){.what = LOG, .tx = 1, .st = own});
  s->coord[1] = (tpc_coord_tx){.state = TX_COLLECTING, .round = 1, .members = tpc_bit(1)};
  s->coord[1].report[1] = (uint8_t)own;
  at(b, 1, (call){.what = T_STATE_REPLY, .from = 2, .tx = 1, .round = 1, .st = n2});
  at(b, 1, (call){.what = T_STATE_REPLY, .from = 3, .tx = 1, .round = 1, .st = n3});
}

/* Rule: the backup acts on the rule: pre-commit the uncertain, then commit; or abort. */
static void termination_decides(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  collecting(&b, TX_UNCERTAIN, TX_UNCERTAIN, TX_PRECOMMITTED);
  tap_ok(node(&b, 1)->coord[1].members == 0xe,
         "term_on_state_reply: n2 and n3 answered: members is 0x%x, expected 0xe (n1, n2, n3)",
         node(&b, 1)->coord[1].members);
  int first = b.count;
  at(&b, 1, (call){.what = T_DECIDE, .tx = 1});
  const sent *s = first_send(&b, first, 1, MSG_PRECOMMIT);
  tap_ok(disk(&b, 1, 1) == TX_PRECOMMITTED && node(&b, 1)->part[1].state == TX_PRECOMMITTED,
         "term_decide: n3 is pre-committed: n1 logs and takes \"precommitted\" itself (log %s, "
         "state %s)",
         name_of(disk(&b, 1, 1)), name_of(node(&b, 1)->part[1].state));
  tap_ok(sends(&b, first, 1, 2, MSG_PRECOMMIT) == 1 && sends(&b, first, 1, 3, MSG_PRECOMMIT) == 1 &&
             s && s->m.round == 1 && sends(&b, first, 1, -1, MSG_COMMIT) == 0,
         "term_decide: PreCommit(t1, round 1) to n2 and n3, no Commit yet (PreCommit messages "
         "to n2, n3: %d, %d, round %d; Commit messages: %d; expected 1, 1, round 1; 0)",
         sends(&b, first, 1, 2, MSG_PRECOMMIT), sends(&b, first, 1, 3, MSG_PRECOMMIT),
         s ? (int)s->m.round : -1, sends(&b, first, 1, -1, MSG_COMMIT));
  at(&b, 1, (call){.what = C_PRECOMMIT_ACK, .from = 2, .tx = 1, .round = 1});
  first = b.count;
  at(&b, 1, (call){.what = C_PRECOMMIT_ACK, .from = 3, .tx = 1, .round = 1});
  s = first_send(&b, first, 1, MSG_COMMIT);
  tap_ok(s && s->disk == TX_COMMITTED && sends(&b, first, 1, -1, MSG_COMMIT) == 2 &&
             sends(&b, first, 1, 1, MSG_COMMIT) == 0,
         "coord_on_precommit_ack: both acked: n1 logs commit, then Commit to n2 and n3, not to "
         "itself (Commit messages: %d, to itself: %d, log at the first: %s; expected 2, 0, "
         "committed)",
         sends(&b, first, 1, -1, MSG_COMMIT), sends(&b, first, 1, 1, MSG_COMMIT),
         s ? name_of(s->disk) : "-");
  tap_ok(node(&b, 1)->part[1].state == TX_COMMITTED,
         "coord_decide: the backup's own part[1] is committed too (state %s)",
         name_of(node(&b, 1)->part[1].state));
  sim_destroy(b.w);

  bench_start(&b, PROTO_3PC);
  collecting(&b, TX_UNCERTAIN, TX_UNCERTAIN, TX_UNCERTAIN);
  first = b.count;
  at(&b, 1, (call){.what = T_DECIDE, .tx = 1});
  s = first_send(&b, first, 1, MSG_ABORT);
  tap_ok(s && s->disk == TX_ABORTED && sends(&b, first, 1, -1, MSG_ABORT) == 2 &&
             node(&b, 1)->part[1].state == TX_ABORTED,
         "term_decide: all uncertain: abort, logged before the Aborts to n2 and n3 (Abort "
         "messages: %d, log at the first: %s, n1's state: %s; expected 2, aborted, aborted)",
         sends(&b, first, 1, -1, MSG_ABORT), s ? name_of(s->disk) : "-",
         name_of(node(&b, 1)->part[1].state));
  sim_destroy(b.w);

  bench_start(&b, PROTO_3PC);
  collecting(&b, TX_UNCERTAIN, TX_UNCERTAIN, TX_PRECOMMITTED);
  node(&b, 1)->part[1].round = 2; /* n1 adopted a later round meanwhile */
  first = b.count;
  at(&b, 1, (call){.what = T_DECIDE, .tx = 1});
  tap_ok(b.count == first && node(&b, 1)->coord[1].state == TX_INIT,
         "term_decide: n1 has moved on to round 2: it gives up round 1 and sends nothing "
         "(coord[1].state %s, messages sent: %d; expected init, 0)",
         name_of(node(&b, 1)->coord[1].state), b.count - first);
  sim_destroy(b.w);
}

/* Rule (3PC recovery): a coordinator with only "begin" asks and never decides. */
static void coord_recovers_3pc(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  at(&b, 0, (call){.what = LOG, .tx = 1, .st = TX_VOTING});
  wipe(&b, 0);
  int first = b.count, writes = b.writes;
  at(&b, 0, (call){.what = C_RECOVER});
  const tpc_coord_tx *c = &node(&b, 0)->coord[1];
  tap_ok(c->recovering && !tx_decided(c->state) && b.writes == writes,
         "coord_recover (3PC): only \"begin\" for t1: recovering, undecided, nothing logged, "
         "since the participants may have finished it either way (recovering %s, state %s, log "
         "writes %d; expected true, voting, 0)",
         c->recovering ? "true" : "false", name_of(c->state), b.writes - writes);
  tap_ok(sends(&b, first, 0, -1, MSG_INQUIRY) == 3 && sends(&b, first, 0, -1, MSG_ABORT) == 0,
         "coord_recover (3PC): an Inquiry to each participant, no Abort (Inquiry messages sent: "
         "%d, Abort: %d; expected 3, 0)",
         sends(&b, first, 0, -1, MSG_INQUIRY), sends(&b, first, 0, -1, MSG_ABORT));
  first = b.count;
  at(&b, 2, (call){.what = C_INQUIRY, .from = 0, .tx = 1});
  const sent *s = first_send(&b, first, 2, MSG_ABORT);
  tap_ok(s && s->disk == TX_ABORTED && node(&b, 2)->part[1].state == TX_ABORTED,
         "on_inquiry: n2 never voted on t1: it aborts (logged) and answers Abort (answer %s, "
         "log at the answer %s, state %s; expected Abort, aborted, aborted)",
         s ? "Abort" : "none", s ? name_of(s->disk) : "-", name_of(node(&b, 2)->part[1].state));
  sim_destroy(b.w);
}

/* Rule (3PC recovery): a participant asks every node and takes no part in a termination. */
static void part_recovers_3pc(void *arg) {
  (void)arg;
  bench b;
  bench_start(&b, PROTO_3PC);
  at(&b, 2, (call){.what = LOG, .tx = 1, .st = TX_PRECOMMITTED});
  wipe(&b, 2);
  int first = b.count;
  at(&b, 2, (call){.what = P_RECOVER});
  tap_ok(node(&b, 2)->part[1].state == TX_PRECOMMITTED && node(&b, 2)->part[1].recovering,
         "part_recover (3PC): pre-committed and recovering (state %s, recovering %s)",
         name_of(node(&b, 2)->part[1].state), node(&b, 2)->part[1].recovering ? "true" : "false");
  tap_ok(sends(&b, first, 2, 0, MSG_INQUIRY) == 1 && sends(&b, first, 2, 1, MSG_INQUIRY) == 1 &&
             sends(&b, first, 2, 3, MSG_INQUIRY) == 1,
         "part_recover (3PC): an Inquiry to n0, n1 and n3, since anyone may know the outcome "
         "(Inquiry messages to n0, n1, n3: %d, %d, %d; expected 1, 1, 1)",
         sends(&b, first, 2, 0, MSG_INQUIRY), sends(&b, first, 2, 1, MSG_INQUIRY),
         sends(&b, first, 2, 3, MSG_INQUIRY));
  first = b.count;
  at(&b, 2, (call){.what = P_TIMEOUT, .tx = 1});
  tap_ok(sends(&b, first, 2, -1, MSG_INQUIRY) == 3 && sends(&b, first, 2, -1, MSG_STATE_REQ) == 0 &&
             node(&b, 2)->coord[1].state == TX_INIT,
         "part_on_timeout: recovering: it asks everyone again and starts no termination round "
         "(Inquiry messages: %d, StateReq: %d, coord[1].state %s; expected 3, 0, init)",
         sends(&b, first, 2, -1, MSG_INQUIRY), sends(&b, first, 2, -1, MSG_STATE_REQ),
         name_of(node(&b, 2)->coord[1].state));
  sim_destroy(b.w);
}

/* ---------------------------------------------------------------------------------------------
 * Sweeps of the scenarios.
 */

static const lab10_record *rec_of(struct lab_run *run) { return run->lab_data; }

/* Failure-free: commit exactly when every participant voted yes, at every node. */
static bool outcome_matches_votes(struct lab_run *run, void *ctx) {
  (void)ctx;
  const lab10_record *rec = rec_of(run);
  for (uint32_t tx = 1; tx <= rec->txns; tx++) {
    bool all_yes = true;
    for (int p = 1; p < rec->nodes; p++) all_yes &= !(rec->no_votes[p] & (1u << tx));
    for (int i = 0; i < rec->nodes; i++)
      if (!tap_ok(rec->decided[i][tx] == (all_yes ? TX_COMMITTED : TX_ABORTED),
                  "t%u: n%d %s, expected %s (%s)", tx, i, tx_name((tx_state)rec->decided[i][tx]),
                  all_yes ? "committed" : "aborted",
                  all_yes ? "every participant voted yes" : "someone voted no"))
        return false;
  }
  return true;
}

static void sweep_plain(const char *scenario) {
  if (!tap_sweep(&lab10, scenario, 1, 100, outcome_matches_votes, NULL)) return;
  const int counts[] = {2, 9};
  for (size_t i = 0; i < 2; i++) {
    lab_run options = {.nodes = counts[i]};
    if (!tap_sweep_options(&lab10, scenario, &options, 1, 20, outcome_matches_votes, NULL)) return;
  }
}

static void sweep_2pc(void *arg) {
  (void)arg;
  sweep_plain("2pc");
}
static void sweep_3pc(void *arg) {
  (void)arg;
  sweep_plain("3pc");
}

static void sweep_2pc_lossy(void *arg) {
  (void)arg;
  tap_sweep(&lab10, "2pc-lossy", 1, 100, NULL, NULL);
}

/* Crashes from the fault-schedule language, on top of loss: two nodes go down and come back. */
static void sweep_2pc_nemesis(void *arg) {
  (void)arg;
  lab_run options = {
      .nemesis =
          "12ms crash 0; 150ms restart 0; 15ms crash 2; 120ms restart 2; 60ms crash 1; "
          "300ms restart 1"};
  tap_sweep_options(&lab10, "2pc-lossy", &options, 1, 30, NULL, NULL);
}

/* Which crash points the sweep reached, per node and action number. */
typedef struct coverage {
  bool reached[TPC_MAX_NODES][64];
  uint32_t fewest[TPC_MAX_NODES]; /* fewest actions of a node in a run it did not crash in */
  int crashed_runs;
} coverage;

static bool note_point(struct lab_run *run, void *ctx) {
  coverage *cv = ctx;
  const lab10_record *rec = rec_of(run);
  int i = rec->cp_node;
  if (i < 0 || i >= TPC_MAX_NODES) return true;
  if (rec->cp_reached) {
    if (rec->cp_k < 64) cv->reached[i][rec->cp_k] = true;
    cv->crashed_runs++;
  } else if (!cv->fewest[i] || rec->actions[i] < cv->fewest[i]) {
    cv->fewest[i] = rec->actions[i];
  }
  return true;
}

/* Every action of a failure-free run was a crash point in some run, for each node listed. */
static void check_coverage(const coverage *cv, int from, int to) {
  for (int i = from; i <= to; i++) {
    if (!tap_ok(cv->fewest[i] > 0,
                "n%d: some run went past its last action (the points cover a whole run)", i))
      return;
    for (uint32_t k = 1; k <= cv->fewest[i] && k < 64; k++)
      if (!tap_ok(cv->reached[i][k], "n%d crashed right after its action %u in some run", i, k))
        return;
    tap_diag("n%d: crashed after each of its %u actions in turn", i, cv->fewest[i]);
  }
}

static void crash_points(const char *scenario, uint64_t last, int from, int to) {
  static coverage cv;
  memset(&cv, 0, sizeof cv);
  if (!tap_sweep(&lab10, scenario, 1, last, note_point, &cv)) return;
  check_coverage(&cv, from, to);
}

static void crash_2pc_coordinator(void *arg) {
  (void)arg;
  crash_points("2pc-crash-coordinator", 60, 0, 0);
}
static void crash_2pc_participants(void *arg) {
  (void)arg;
  crash_points("2pc-crash-participant", 60, 1, 3);
}
static void crash_3pc_coordinator(void *arg) {
  (void)arg;
  crash_points("3pc-crash-coordinator", 72, 0, 0);
}
static void crash_3pc_participants(void *arg) {
  (void)arg;
  crash_points("3pc-crash-participant", 72, 1, 3);
}

/* The backup of round 1 dies at each point of its round; n2 or n3 leads round 2. */
static bool backup_crashed(struct lab_run *run, void *ctx) {
  uint32_t *rounds = ctx;
  const lab10_record *rec = rec_of(run);
  *rounds += rec->rounds_started;
  return tap_ok(rec->cp_reached, "n0 crashed after its first PreCommit (%s)", rec->cp_what);
}

static void crash_3pc_backup(void *arg) {
  (void)arg;
  uint32_t rounds = 0;
  if (!tap_sweep(&lab10, "3pc-crash-backup", 1, 16, backup_crashed, &rounds)) return;
  tap_ok(rounds > 16, "some runs needed a second termination round (%u rounds in 16 runs)", rounds);
}

static void sweep_2pc_partition(void *arg) {
  (void)arg;
  tap_sweep(&lab10, "2pc-partition", 1, 100, NULL, NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Demonstrations.
 */

/* 2PC: with n0 down from right after its Prepares, every participant stays uncertain until n0
 * comes back 2 s later, asking in vain; then all abort. */
static bool blocked_until_back(struct lab_run *run, void *ctx) {
  (void)ctx;
  const lab10_record *rec = rec_of(run);
  bool ok = tap_ok(rec->cp_reached, "n0 crashed right after its Prepares (%s)", rec->cp_what);
  for (int p = 1; ok && p < rec->nodes; p++)
    ok = tap_ok(rec->decided_at[p][1] >= rec->restarted_at[0],
                "n%d stayed uncertain until n0 came back", p) &&
         tap_ok(rec->blocked_for[p] >= 1900 * SIM_MS, "n%d was blocked for %.3f s (at least 1.9 s)",
                p, (double)rec->blocked_for[p] / 1e6) &&
         tap_ok(rec->inquiries[p] >= 10, "n%d kept asking n0 (%u inquiries)", p,
                rec->inquiries[p]) &&
         tap_ok(rec->decided[p][1] == TX_ABORTED, "n%d then aborted t1", p);
  return ok;
}

static void demo_2pc_blocks(void *arg) {
  (void)arg;
  if (!tap_sweep(&lab10, "2pc-blocking", 1, 10, blocked_until_back, NULL)) return;
  char verdict[2048];
  lab_run_quiet(&lab10, "2pc-blocking", 1, NULL, verdict, sizeof verdict);
  tap_diag("demonstration, not a failure: %s", verdict);
}

/* 3PC: the same crash; the participants decide within a second, while n0 is still down. */
static bool decided_without_n0(struct lab_run *run, void *ctx) {
  (void)ctx;
  const lab10_record *rec = rec_of(run);
  bool ok = tap_ok(rec->cp_reached, "n0 crashed right after its Prepares (%s)", rec->cp_what);
  for (int p = 1; ok && p < rec->nodes; p++)
    ok = tap_ok(rec->decided_at[p][1] < rec->restarted_at[0] &&
                    rec->decided_at[p][1] <= rec->cp_at + 1 * SIM_SEC,
                "n%d decided t1 within 1 s of n0's crash, before n0 came back", p);
  return ok &&
         tap_ok(rec->rounds_started >= 1, "a termination round ran (%u)", rec->rounds_started);
}

static void demo_3pc_does_not_block(void *arg) {
  (void)arg;
  if (!tap_sweep(&lab10, "3pc-nonblocking", 1, 10, decided_without_n0, NULL)) return;
  char verdict[2048];
  lab_run_quiet(&lab10, "3pc-nonblocking", 1, NULL, verdict, sizeof verdict);
  tap_diag("demonstration, not a failure: %s", verdict);
}

/* 3PC under a partition: find a seed where the two sides decide differently, and check that the
 * same seed under 2PC stays atomic. */
static bool disagreement(struct lab_run *run, void *ctx) {
  (void)ctx;
  const char *report = NULL;
  if (!sim_violated(run->world, &report) || strncmp(report, "atomicity", 9) != 0) return false;
  const lab10_record *rec = rec_of(run);
  bool a = false, c = false;
  for (int i = 0; i < rec->nodes; i++) {
    c |= rec->decided[i][1] == TX_COMMITTED;
    a |= rec->decided[i][1] == TX_ABORTED;
  }
  if (!c || !a) return false;
  char twin[2048];
  bool safe = lab_run_quiet(&lab10, "2pc-partition", sim_seed(run->world), NULL, twin, sizeof twin);
  tap_ok(safe, "the same seed under 2PC (2pc-partition) is atomic: %s", twin);
  return safe;
}

static void demo_3pc_partition(void *arg) {
  (void)arg;
  tap_search(&lab10, "3pc-partition", 1, 100, disagreement, NULL,
             "no seed made the two sides of the partition decide differently: does a silent "
             "coordinator start the termination (part_on_timeout), and does the coordinator "
             "commit when PreCommit acknowledgements are missing (coord_on_timeout)?");
}

int main(void) {
  tap_case("A. coordinator: begin logs \"begin\", then Prepare to every participant",
           coord_begin_rule, NULL);
  tap_case("A. coordinator: all yes -> commit, logged before the first Commit is sent",
           coord_commit_rule, NULL);
  tap_case("A. coordinator: one no vote aborts at once", coord_abort_rule, NULL);
  tap_case("A. coordinator: a duplicated vote counts once", coord_duplicate_votes, NULL);
  tap_case("A. coordinator: resend Prepare to the silent; abort at vote_timeout",
           coord_vote_timeout, NULL);
  tap_case("A. coordinator: resend the decision until every participant acknowledged",
           coord_resend_until_acked, NULL);
  tap_case("A. coordinator: an inquiry gets the decision, and nothing before",
           coord_answers_inquiries, NULL);
  tap_case("A. coordinator recovery: a logged decision is taken up and sent again",
           coord_recovers_decision, NULL);
  tap_case("A. coordinator recovery: \"begin\" without a decision is aborted (2PC)",
           coord_recovers_begin, NULL);
  tap_case("A. coordinator recovery: the recovered abort is resent until acknowledged (2PC)",
           coord_recovered_abort_resent, NULL);
  tap_case("A. participant: a yes vote is logged before it is sent", part_yes_vote, NULL);
  tap_case("A. participant: a no vote aborts on its own", part_no_vote, NULL);
  tap_case("A. participant: a resent Prepare gets the same vote", part_repeats_vote, NULL);
  tap_case("A. participant: a decision is logged before the Ack and never changes",
           part_takes_decision, NULL);
  tap_case("A. participant: a yes voter never decides alone in 2PC: it asks the coordinator",
           part_never_decides_alone, NULL);
  tap_case("A. participant recovery: uncertain in the log -> recovering, asks the coordinator",
           part_recovers, NULL);
  tap_case("A. 2PC: commit exactly when every participant votes yes (100 seeds, 2 and 9 nodes)",
           sweep_2pc, NULL);
  tap_case("A. 2PC: atomic under 20% loss and 20% duplication (100 seeds)", sweep_2pc_lossy, NULL);
  tap_case("A. 2PC: atomic with crashes from a fault schedule, on top of loss (30 seeds)",
           sweep_2pc_nemesis, NULL);
  tap_case("A. 2PC: atomic when the coordinator crashes after any of its actions (60 runs)",
           crash_2pc_coordinator, NULL);
  tap_case("A. 2PC: atomic when a participant crashes after any of its actions (60 runs)",
           crash_2pc_participants, NULL);
  tap_case("A. 2PC: atomic across a partition; the cut-off side waits for the heal (100 seeds)",
           sweep_2pc_partition, NULL);
  tap_case("A. demonstration: 2PC blocks while the coordinator is down after prepare (10 seeds)",
           demo_2pc_blocks, NULL);
  tap_case("B. 3PC coordinator: all yes -> PreCommit; commit only after every acknowledgement",
           precommit_then_commit, NULL);
  tap_case("B. 3PC coordinator: missing acknowledgements at ack_timeout -> commit",
           precommit_timeout, NULL);
  tap_case("B. 3PC participant: PreCommit is logged before it is acknowledged", part_precommit_rule,
           NULL);
  tap_case("B. 3PC termination rule", termination_rule, NULL);
  tap_case("B. 3PC termination: a silent coordinator starts a round; its backup asks everyone",
           termination_start, NULL);
  tap_case("B. 3PC termination: a participant reports its state; one that never voted aborts",
           termination_state_req, NULL);
  tap_case("B. 3PC termination: the backup pre-commits the uncertain before committing, or aborts",
           termination_decides, NULL);
  tap_case("B. 3PC recovery: a coordinator with only \"begin\" asks and never decides",
           coord_recovers_3pc, NULL);
  tap_case("B. 3PC recovery: a participant asks everyone and sits out the termination",
           part_recovers_3pc, NULL);
  tap_case("B. 3PC: commit exactly when every participant votes yes (100 seeds, 2 and 9 nodes)",
           sweep_3pc, NULL);
  tap_case("B. 3PC: atomic and not blocking when the coordinator crashes anywhere (72 runs)",
           crash_3pc_coordinator, NULL);
  tap_case("B. 3PC: atomic when a participant crashes after any of its actions (72 runs)",
           crash_3pc_participants, NULL);
  tap_case("B. 3PC: the backup of round 1 crashes too; the next round finishes (16 runs)",
           crash_3pc_backup, NULL);
  tap_case("B. demonstration: 3PC does not block when the coordinator dies after prepare",
           demo_3pc_does_not_block, NULL);
  tap_case("B. demonstration: 3PC decides both ways under a partition (finds a seed)",
           demo_3pc_partition, NULL);
  return tap_done();
}
