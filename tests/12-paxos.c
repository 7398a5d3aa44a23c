/*
 * tests/12-paxos.c: lab 12's tests: Paxos (acceptor, proposer, learner) and Multi-Paxos.
 *
 * One case per rule, in the order the chapter builds them, so a learner sees which rule is wrong.
 * First the rules on their own: each function is handed messages on a quiet world (sim_poke), and
 * the case checks what it sent, what it changed and what it wrote to disk. Then whole runs of the
 * driver's scenarios, many seeds each: after every event the scenario's checks compute which
 * value is chosen from what the acceptors accepted, and stop the run at the first broken safety
 * rule (two values chosen, a learner learning what was not chosen, a promise broken, a reply sent
 * before the disk write, ...); at the end every learner must have learned by a virtual-time
 * deadline. Two demonstrations search seeds for what the chapter shows: dueling proposers
 * without backoff that never decide, and acceptors that forget their promises and let two values
 * be chosen.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * A quiet world: nodes of given kinds, nothing scheduled (timers far in the future), and a log of
 * every message sent, with the sender's disk as it was at that moment.
 */
typedef struct sent {
  int from, to, type;
  union {
    px_prepare_body prepare;
    px_promise_body promise;
    px_accept_body accept;
    px_accepted_body accepted;
    px_nack_body nack;
  } body;
  px_disk disk;
} sent;

typedef struct quiet {
  sim_world *w;
  int count;
  sent log[64];
} quiet;

static void log_sends(sim_world *w, const sim_event *ev, void *ctx) {
  quiet *q = ctx;
  if (ev->kind != SIM_EV_SEND || q->count >= 64) return;
  sent *s = &q->log[q->count++];
  memset(s, 0, sizeof *s);
  s->from = ev->node;
  s->to = ev->peer;
  s->type = ev->msg_type;
  size_t size = 0;
  switch (ev->msg_type) {
    case MSG_PREPARE:
      size = sizeof(px_prepare_body);
      break;
    case MSG_PROMISE:
      size = sizeof(px_promise_body);
      break;
    case MSG_ACCEPT:
      size = sizeof(px_accept_body);
      break;
    case MSG_ACCEPTED:
      size = sizeof(px_accepted_body);
      break;
    case MSG_NACK:
      size = sizeof(px_nack_body);
      break;
    default:
      size = 0;
  }
  if (size) memcpy(&s->body, ev->body, size);
  memcpy(&s->disk, sim_stable(w, ev->node), sizeof s->disk);
}

/* Five nodes: kinds[i] for node i; 3 acceptors (nodes 0..2), 5 learners. */
static void quiet_world(quiet *q, const px_kind kinds[5]) {
  memset(q, 0, sizeof *q);
  q->w = sim_create(1);
  for (int i = 0; i < 5; i++) {
    px_config c = {.kind = kinds[i],
                   .acceptors = 3,
                   .learners = 5,
                   .value = (px_value)i * 1000 + 1,
                   .start = 100 * SIM_SEC,
                   .attempt_timeout = 100 * SIM_SEC,
                   .backoff_base = 10 * SIM_MS,
                   .backoff_cap = 80 * SIM_MS,
                   .heartbeat_every = 100 * SIM_SEC,
                   .election_min = 100 * SIM_SEC,
                   .election_max = 100 * SIM_SEC};
    sim_add_node(q->w, &paxos_protocol, &c, sizeof c);
  }
  sim_observe(q->w, log_sends, q);
  sim_start(q->w);
}

/* An acceptor at node 0; nobody else does anything. */
static void acceptor_world(quiet *q) {
  const px_kind kinds[5] = {PX_ACCEPTOR, PX_IDLE, PX_IDLE, PX_IDLE, PX_IDLE};
  quiet_world(q, kinds);
}

/* A proposer at node 3; the acceptors (0..2) are silent: the case answers for them. */
static void proposer_world(quiet *q) {
  const px_kind kinds[5] = {PX_IDLE, PX_IDLE, PX_IDLE, PX_PROPOSER, PX_IDLE};
  quiet_world(q, kinds);
}

/* A Multi-Paxos replica at node 3 (not one of the acceptors 0..2, which are silent). */
static void replica_world(quiet *q) {
  const px_kind kinds[5] = {PX_IDLE, PX_IDLE, PX_IDLE, PX_REPLICA, PX_IDLE};
  quiet_world(q, kinds);
}

static px_state *state_of(quiet *q, int node) { return sim_state_mut(q->w, node); }

static px_ballot B(uint32_t round, int node) { return (px_ballot){.round = round, .node = node}; }

static bool same_ballot(px_ballot a, px_ballot b) { return a.round == b.round && a.node == b.node; }

static const char *bt(px_ballot b, char *buf, size_t cap) {
  if (b.round == 0)
    snprintf(buf, cap, "none");
  else
    snprintf(buf, cap, "(%u,%d)", b.round, (int)b.node);
  return buf;
}

/* An accepted proposal as "3001 at (1,3)", or "nothing". */
static const char *st(px_slot p, char *buf, size_t cap) {
  char b[32];
  if (p.ballot.round == 0)
    snprintf(buf, cap, "nothing");
  else
    snprintf(buf, cap, "%u at %.20s", p.value, bt(p.ballot, b, sizeof b));
  return buf;
}

/* Count the messages of a type in log[first ..]. */
static int count_type(const quiet *q, int first, int type) {
  int k = 0;
  for (int i = first; i < q->count; i++) k += q->log[i].type == type;
  return k;
}

/* The first message of a type in log[first ..], or NULL. */
static const sent *first_of(const quiet *q, int first, int type) {
  for (int i = first; i < q->count; i++)
    if (q->log[i].type == type) return &q->log[i];
  return NULL;
}

/* Hand node `node` a message, as if it came from `from`. */
typedef struct hand {
  int from;
  const void *body;
} hand;

static void do_prepare(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  acceptor_on_prepare(n, s, h->from, h->body);
}
static void do_accept(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  acceptor_on_accept(n, s, h->from, h->body);
}
static void do_promise(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  proposer_on_promise(n, s, h->from, h->body);
}
static void do_nack(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  proposer_on_nack(n, s, h->from, h->body);
}
static void do_accepted(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  learner_on_accepted(n, s, h->from, h->body);
}
static void do_leader_promise(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  leader_on_promise(n, s, h->from, h->body);
}

static void hand_to(quiet *q, int node, void (*fn)(sim_node *, void *, void *), int from,
                    const void *body) {
  hand h = {.from = from, .body = body};
  sim_poke(q->w, node, fn, &h);
}

static void prepare_in(quiet *q, int from, px_ballot b, uint32_t from_slot) {
  px_prepare_body p = {.ballot = b, .from_slot = from_slot};
  hand_to(q, 0, do_prepare, from, &p);
}

static void accept_in(quiet *q, int from, px_ballot b, uint32_t slot, px_value v) {
  px_accept_body a = {.ballot = b, .slot = slot, .value = v};
  hand_to(q, 0, do_accept, from, &a);
}

/* ---------------------------------------------------------------------------------------------
 * Part 1: the acceptor.
 */

/* Rule: ballots are ordered by round first, then by node id. */
static void ballot_order(void *arg) {
  (void)arg;
  tap_ok(ballot_cmp(B(1, 4), B(2, 3)) < 0, "ballot_cmp: (1,4) < (2,3): the round decides first");
  tap_ok(ballot_cmp(B(2, 3), B(1, 4)) > 0, "ballot_cmp: (2,3) > (1,4)");
  tap_ok(ballot_cmp(B(2, 3), B(2, 4)) < 0, "ballot_cmp: (2,3) < (2,4): equal rounds, node id");
  tap_ok(ballot_cmp(B(7, 1), B(7, 1)) == 0, "ballot_cmp: (7,1) = (7,1)");
  tap_ok(ballot_cmp(B(0, 0), B(1, 0)) < 0, "ballot_cmp: no ballot (round 0) is below (1,0)");
  tap_ok(ballot_cmp(B(10, 0), B(9, 5)) > 0,
         "ballot_cmp: (10,0) > (9,5): compare rounds as numbers");
}

/* Rule (phase 1(b)): a Prepare above the promise is promised, and the promise reports what was
 * accepted in every slot from from_slot on. */
static void acceptor_promises(void *arg) {
  (void)arg;
  quiet q;
  acceptor_world(&q);
  px_state *s = state_of(&q, 0);
  s->acc.promised = B(2, 3);
  s->acc.accepted[0] = (px_slot){B(1, 3), 3001};
  s->acc.accepted[4] = (px_slot){B(2, 3), 3002};
  char a[32], b[32];
  prepare_in(&q, 4, B(3, 4), 0);
  tap_is_int(q.count, 1, "acceptor_on_prepare: one message for one Prepare (the Promise)");
  const sent *m = first_of(&q, 0, MSG_PROMISE);
  if (!tap_ok(m != NULL,
              "acceptor_on_prepare: Prepare (3,4) above the promise (2,3) gets a "
              "Promise (type %d)",
              MSG_PROMISE)) {
    sim_destroy(q.w);
    return;
  }
  tap_is_int(m->to, 4, "the Promise goes to the Prepare's sender, node 4");
  tap_ok(same_ballot(m->body.promise.ballot, B(3, 4)), "the Promise carries ballot (3,4), got %s",
         bt(m->body.promise.ballot, a, sizeof a));
  tap_is_int(m->body.promise.from_slot, 0, "the Promise carries the Prepare's from_slot, 0");
  tap_ok(same_ballot(m->body.promise.accepted[0].ballot, B(1, 3)) &&
             m->body.promise.accepted[0].value == 3001,
         "the Promise reports slot 0: 3001 accepted at (1,3) (got %s): phase 1(b) answers "
         "with the highest-numbered proposal accepted",
         st(m->body.promise.accepted[0], a, sizeof a));
  tap_ok(same_ballot(m->body.promise.accepted[4].ballot, B(2, 3)) &&
             m->body.promise.accepted[4].value == 3002,
         "the Promise reports slot 4 too: 3002 at (2,3) (got %s)",
         st(m->body.promise.accepted[4], a, sizeof a));
  s = state_of(&q, 0);
  tap_ok(same_ballot(s->acc.promised, B(3, 4)), "acc.promised is now (3,4), got %s",
         bt(s->acc.promised, a, sizeof a));
  /* A Prepare for slots 2 on: the report starts there. */
  int first = q.count;
  prepare_in(&q, 3, B(4, 3), 2);
  m = first_of(&q, first, MSG_PROMISE);
  tap_ok(m && m->body.promise.from_slot == 2 &&
             same_ballot(m->body.promise.accepted[4].ballot, B(2, 3)) &&
             m->body.promise.accepted[4].value == 3002,
         "Prepare (4,3) from slot 2: promised, reporting slot 4's 3002 at (2,3) (got %s)",
         m ? st(m->body.promise.accepted[4], b, sizeof b) : "no Promise");
  sim_destroy(q.w);
}

/* Rule (phase 1(b)): a Prepare at or below the promise is refused with a Nack naming the promise;
 * nothing changes. */
static void acceptor_refuses_prepare(void *arg) {
  (void)arg;
  quiet q;
  acceptor_world(&q);
  px_state *s = state_of(&q, 0);
  s->acc.promised = B(3, 4);
  char a[32], b[32];
  prepare_in(&q, 3, B(3, 3), 0);
  tap_is_int(count_type(&q, 0, MSG_PROMISE), 0,
             "acceptor_on_prepare: Prepare (3,3) below the promise (3,4) gets no Promise");
  const sent *m = first_of(&q, 0, MSG_NACK);
  tap_ok(m && m->to == 3 && same_ballot(m->body.nack.ballot, B(3, 3)) &&
             same_ballot(m->body.nack.promised, B(3, 4)) && m->body.nack.phase == PX_PHASE1,
         "it gets Nack(ballot (3,3), promised (3,4), PX_PHASE1) back (got %s, %s, phase %u)",
         m ? bt(m->body.nack.ballot, a, sizeof a) : "no Nack",
         m ? bt(m->body.nack.promised, b, sizeof b) : "-", m ? m->body.nack.phase : 0);
  int first = q.count;
  prepare_in(&q, 4, B(3, 4), 0);
  tap_is_int(count_type(&q, first, MSG_PROMISE), 0,
             "a Prepare equal to the promise, (3,4) again (a duplicate), is not promised again: "
             "phase 1(b) promises only a number greater than any it answered");
  tap_is_int(count_type(&q, first, MSG_NACK), 1, "it gets a Nack");
  tap_ok(same_ballot(state_of(&q, 0)->acc.promised, B(3, 4)), "acc.promised stays (3,4), got %s",
         bt(state_of(&q, 0)->acc.promised, a, sizeof a));
  sim_destroy(q.w);
}

/* Rule (phase 2(b), section 2.3): an Accept at or above the promise is accepted and announced to
 * every learner. */
static void acceptor_accepts(void *arg) {
  (void)arg;
  quiet q;
  acceptor_world(&q);
  state_of(&q, 0)->acc.promised = B(3, 4);
  char a[32];
  accept_in(&q, 4, B(3, 4), 0, 4001);
  px_state *s = state_of(&q, 0);
  tap_ok(same_ballot(s->acc.accepted[0].ballot, B(3, 4)) && s->acc.accepted[0].value == 4001,
         "acceptor_on_accept: Accept (3,4) slot 0 = 4001 at the promise (3,4) is accepted: "
         "acc.accepted[0] = 4001 at (3,4) (got %s)",
         st(s->acc.accepted[0], a, sizeof a));
  tap_is_int(count_type(&q, 0, MSG_ACCEPTED), 5,
             "an Accepted goes to each of the 5 learners (nodes 0..4, itself too): "
             "px_send_to_learners");
  bool all = true;
  for (int i = 0; i < q.count; i++)
    if (q.log[i].type == MSG_ACCEPTED)
      all = all && same_ballot(q.log[i].body.accepted.ballot, B(3, 4)) &&
            q.log[i].body.accepted.slot == 0 && q.log[i].body.accepted.value == 4001;
  tap_ok(all, "each Accepted says (3,4), slot 0, 4001");
  tap_is_int(count_type(&q, 0, MSG_NACK), 0, "and no Nack");
  int first = q.count;
  accept_in(&q, 3, B(5, 3), 1, 3001);
  s = state_of(&q, 0);
  tap_ok(s->acc.accepted[1].value == 3001 && same_ballot(s->acc.promised, B(5, 3)),
         "an Accept (5,3) above the promise, slot 1 = 3001, is accepted and raises the promise "
         "to (5,3) (promised is %s)",
         bt(s->acc.promised, a, sizeof a));
  tap_is_int(count_type(&q, first, MSG_ACCEPTED), 5, "and announced to the 5 learners");
  tap_ok(same_ballot(s->acc.accepted[0].ballot, B(3, 4)), "slot 0 keeps its own acceptance");
  sim_destroy(q.w);
}

/* Rule (phase 2(b)): an Accept below the promise is refused; nothing changes. */
static void acceptor_refuses_accept(void *arg) {
  (void)arg;
  quiet q;
  acceptor_world(&q);
  px_state *s = state_of(&q, 0);
  s->acc.promised = B(3, 4);
  s->acc.accepted[0] = (px_slot){B(2, 3), 3001};
  char a[32], b[32];
  accept_in(&q, 3, B(3, 3), 0, 3001);
  s = state_of(&q, 0);
  tap_ok(same_ballot(s->acc.accepted[0].ballot, B(2, 3)),
         "acceptor_on_accept: Accept (3,3) below the promise (3,4) is not accepted (slot 0 "
         "still holds 3001 at (2,3), got %s)",
         st(s->acc.accepted[0], a, sizeof a));
  tap_is_int(count_type(&q, 0, MSG_ACCEPTED), 0, "no Accepted is sent");
  const sent *m = first_of(&q, 0, MSG_NACK);
  tap_ok(m && m->to == 3 && same_ballot(m->body.nack.promised, B(3, 4)) &&
             same_ballot(m->body.nack.ballot, B(3, 3)) && m->body.nack.phase == PX_PHASE2 &&
             m->body.nack.slot == 0,
         "the sender gets Nack(ballot (3,3), promised (3,4), PX_PHASE2, slot 0) (got %s, %s)",
         m ? bt(m->body.nack.ballot, a, sizeof a) : "no Nack",
         m ? bt(m->body.nack.promised, b, sizeof b) : "-");
  tap_ok(same_ballot(s->acc.promised, B(3, 4)), "the promise stays (3,4)");
  sim_destroy(q.w);
}

/* Rule (section 2.5): the promise and the acceptance are on disk before the reply leaves. */
static void acceptor_persists_first(void *arg) {
  (void)arg;
  quiet q;
  acceptor_world(&q);
  char a[32];
  prepare_in(&q, 3, B(1, 3), 0);
  const sent *m = first_of(&q, 0, MSG_PROMISE);
  tap_ok(m && same_ballot(m->disk.acc.promised, B(1, 3)),
         "when the Promise for (1,3) is sent, stable storage already says promised=(1,3) (it "
         "said %s): acceptor_persist before sim_send",
         m ? bt(m->disk.acc.promised, a, sizeof a) : "- (no Promise)");
  int first = q.count;
  accept_in(&q, 3, B(1, 3), 0, 3001);
  m = first_of(&q, first, MSG_ACCEPTED);
  tap_ok(m && same_ballot(m->disk.acc.accepted[0].ballot, B(1, 3)) &&
             m->disk.acc.accepted[0].value == 3001,
         "when the first Accepted is sent, stable storage already holds 3001 at (1,3) in slot 0 "
         "(it held %s): acceptor_persist before px_send_to_learners",
         m ? st(m->disk.acc.accepted[0], a, sizeof a) : "- (no Accepted was sent)");
  const px_disk *disk = sim_stable(q.w, 0);
  tap_ok(disk->max_round == 0,
         "acceptor_persist writes the px_acceptor at offset 0 and leaves "
         "max_round (after it) alone");
  sim_destroy(q.w);
}

/* Rule: a restarted acceptor reads its promise and its accepted proposals back. */
static void acceptor_recovers(void *arg) {
  (void)arg;
  quiet q;
  acceptor_world(&q);
  prepare_in(&q, 3, B(1, 3), 0);
  accept_in(&q, 3, B(1, 3), 0, 3001);
  prepare_in(&q, 4, B(2, 4), 0);
  sim_crash(q.w, 0);
  sim_restart(q.w, 0);
  px_state *s = state_of(&q, 0);
  char a[32];
  tap_ok(same_ballot(s->acc.promised, B(2, 4)),
         "acceptor_recover: after a crash and restart the promise (2,4) is back (got %s)",
         bt(s->acc.promised, a, sizeof a));
  tap_ok(same_ballot(s->acc.accepted[0].ballot, B(1, 3)) && s->acc.accepted[0].value == 3001,
         "acceptor_recover: slot 0's 3001 at (1,3) is back (got %s)",
         st(s->acc.accepted[0], a, sizeof a));
  int first = q.count;
  prepare_in(&q, 3, B(2, 3), 0);
  tap_ok(count_type(&q, first, MSG_PROMISE) == 0 && count_type(&q, first, MSG_NACK) == 1,
         "after the restart a Prepare (2,3) below the recovered promise is refused");
  sim_destroy(q.w);
}

/* ---------------------------------------------------------------------------------------------
 * Part 2: ballots, the proposer, the learner.
 */

static void do_next_ballot(sim_node *n, void *s, void *arg) {
  *(px_ballot *)arg = px_next_ballot(n, s);
}
static void do_start(sim_node *n, void *s, void *arg) {
  (void)arg;
  proposer_start(n, s);
}

/* Rule (section 2.5): a new ballot is above every ballot seen and every round used, and its
 * round is on disk before it is used. */
static void next_ballot(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q);
  px_state *s = state_of(&q, 3);
  s->highest_seen = B(7, 2);
  s->max_round = 3;
  px_ballot got = {0, 0};
  char a[32];
  sim_poke(q.w, 3, do_next_ballot, &got);
  tap_ok(same_ballot(got, B(8, 3)),
         "px_next_ballot: seen (7,2), used round 3, node 3: the next ballot is (8,3) (got %s)",
         bt(got, a, sizeof a));
  tap_is_int(state_of(&q, 3)->max_round, 8, "max_round is now 8");
  tap_is_int(((const px_disk *)sim_stable(q.w, 3))->max_round, 8,
             "and stable storage says max_round=8 (px_disk's max_round, sim_stable_write at "
             "offsetof(px_disk, max_round))");
  s = state_of(&q, 3);
  s->max_round = 9;
  sim_poke(q.w, 3, do_next_ballot, &got);
  tap_ok(same_ballot(got, B(10, 3)),
         "seen (7,2), used round 9: (10,3), above the round used even if nobody saw it (got %s)",
         bt(got, a, sizeof a));
  sim_poke(q.w, 3, do_next_ballot, &got);
  tap_ok(same_ballot(got, B(11, 3)),
         "and the next call gives (11,3): never the same twice (got %s)", bt(got, a, sizeof a));
  sim_destroy(q.w);
}

/* Rule (phase 1(a)): an attempt takes a new ballot and sends Prepare to every acceptor. */
static void proposer_prepares(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q);
  char a[32];
  sim_poke(q.w, 3, do_start, NULL);
  px_state *s = state_of(&q, 3);
  tap_ok(s->prop.phase == PROPOSER_PREPARING, "proposer_start: the phase is PREPARING");
  tap_ok(same_ballot(s->prop.ballot, B(1, 3)), "the first ballot of node 3 is (1,3) (got %s)",
         bt(s->prop.ballot, a, sizeof a));
  tap_is_int(s->prop.attempts, 1, "attempts counts 1");
  tap_is_int(count_type(&q, 0, MSG_PREPARE), 3, "three Prepares, one to each acceptor");
  bool ok = q.count == 3;
  for (int i = 0; i < q.count && ok; i++)
    ok = q.log[i].to == i && same_ballot(q.log[i].body.prepare.ballot, B(1, 3)) &&
         q.log[i].body.prepare.from_slot == 0;
  tap_ok(ok, "to nodes 0, 1, 2, each Prepare((1,3), from slot 0) (px_send_to_acceptors)");
  int first = q.count;
  sim_poke(q.w, 3, do_start, NULL);
  s = state_of(&q, 3);
  const sent *m = first_of(&q, first, MSG_PREPARE);
  tap_ok(m && same_ballot(m->body.prepare.ballot, B(2, 3)) && s->prop.attempts == 2,
         "a second attempt uses (2,3) and counts 2 (px_next_ballot)");
  sim_destroy(q.w);
}

static void promise_in(quiet *q, int node, int from, px_ballot b, px_slot reported) {
  static px_promise_body p;
  memset(&p, 0, sizeof p);
  p.ballot = b;
  p.accepted[0] = reported;
  hand_to(q, node, do_promise, from, &p);
}

static const px_slot NOTHING = {{0, 0}, PX_NONE};

/* Rule (phase 2(a)): with no value reported by a majority of promises, propose your own. */
static void proposer_own_value(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q);
  sim_poke(q.w, 3, do_start, NULL);
  int first = q.count;
  promise_in(&q, 3, 0, B(1, 3), NOTHING);
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 0,
             "proposer_on_promise: one promise of three is no majority: no Accept yet");
  promise_in(&q, 3, 1, B(1, 3), NOTHING);
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 3,
             "at the second promise (a majority of 3) an Accept goes to each acceptor");
  const sent *m = first_of(&q, first, MSG_ACCEPT);
  tap_ok(m && same_ballot(m->body.accept.ballot, B(1, 3)) && m->body.accept.slot == 0 &&
             m->body.accept.value == 3001,
         "Accept((1,3), slot 0, 3001): nothing was reported, so the proposer's own value "
         "(cfg.value 3001) (got value %u)",
         m ? m->body.accept.value : 0);
  px_state *s = state_of(&q, 3);
  tap_ok(s->prop.phase == PROPOSER_ACCEPTING && s->prop.proposed == 3001,
         "phase ACCEPTING, proposed 3001");
  sim_destroy(q.w);
}

/* Rule (phase 2(a), P2c): propose the value of the highest-numbered proposal reported. */
static void proposer_highest_value(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q);
  state_of(&q, 3)->highest_seen = B(4, 2);
  sim_poke(q.w, 3, do_start, NULL);
  px_ballot b = state_of(&q, 3)->prop.ballot;
  int first = q.count;
  promise_in(&q, 3, 0, b, (px_slot){B(4, 2), 2001});
  promise_in(&q, 3, 1, b, (px_slot){B(3, 8), 8001});
  const sent *m = first_of(&q, first, MSG_ACCEPT);
  tap_ok(m && m->body.accept.value == 2001,
         "proposer_on_promise: reports 2001 at (4,2) and 8001 at (3,8): propose 2001, the value "
         "of the highest-numbered proposal ((4,2) > (3,8): rounds first), not the larger value, "
         "not the last reported (got %u)",
         m ? m->body.accept.value : 0);
  /* Again, the other way round, and with the node id deciding. */
  sim_poke(q.w, 3, do_start, NULL);
  b = state_of(&q, 3)->prop.ballot;
  first = q.count;
  promise_in(&q, 3, 2, b, (px_slot){B(5, 1), 1001});
  promise_in(&q, 3, 0, b, (px_slot){B(5, 4), 4001});
  m = first_of(&q, first, MSG_ACCEPT);
  tap_ok(m && m->body.accept.value == 4001,
         "reports 1001 at (5,1), then 4001 at (5,4): propose 4001 ((5,4) > (5,1)) (got %u)",
         m ? m->body.accept.value : 0);
  sim_poke(q.w, 3, do_start, NULL);
  b = state_of(&q, 3)->prop.ballot;
  first = q.count;
  promise_in(&q, 3, 1, b, NOTHING);
  promise_in(&q, 3, 2, b, (px_slot){B(1, 4), 4001});
  m = first_of(&q, first, MSG_ACCEPT);
  tap_ok(m && m->body.accept.value == 4001,
         "nothing from one, 4001 at (1,4) from the other: propose 4001, not its own 3001 (got %u)",
         m ? m->body.accept.value : 0);
  sim_destroy(q.w);
}

/* Rule: each acceptor counts once, only promises of the current ballot count, one Accept round. */
static void proposer_counts_once(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q);
  sim_poke(q.w, 3, do_start, NULL); /* (1,3) */
  sim_poke(q.w, 3, do_start, NULL); /* (2,3) */
  int first = q.count;
  promise_in(&q, 3, 0, B(2, 3), NOTHING);
  promise_in(&q, 3, 0, B(2, 3), NOTHING);
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 0,
             "proposer_on_promise: the same acceptor's promise twice (a duplicate) is one "
             "promise: no Accept");
  promise_in(&q, 3, 1, B(1, 3), NOTHING);
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 0,
             "a promise for the old ballot (1,3) does not count for (2,3): no Accept");
  promise_in(&q, 3, 2, B(2, 3), (px_slot){B(1, 4), 4001});
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 3, "the second distinct promise: Accepts");
  first = q.count;
  promise_in(&q, 3, 1, B(2, 3), (px_slot){B(1, 1), 1001});
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 0,
             "a third promise after the Accepts changes nothing: one value per ballot");
  sim_destroy(q.w);
}

static void nack_in(quiet *q, px_ballot refused, px_ballot promised) {
  px_nack_body k = {.ballot = refused, .promised = promised, .phase = PX_PHASE2, .slot = 0};
  hand_to(q, 3, do_nack, 0, &k);
}

/* Rule: a Nack that names a higher promise ends the current attempt; others are ignored. */
static void proposer_nack(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q);
  sim_poke(q.w, 3, do_start, NULL); /* (1,3) */
  sim_poke(q.w, 3, do_start, NULL); /* (2,3) */
  nack_in(&q, B(1, 3), B(5, 4));
  tap_ok(state_of(&q, 3)->prop.phase == PROPOSER_PREPARING,
         "proposer_on_nack: a Nack for the old ballot (1,3) does not end attempt (2,3)");
  nack_in(&q, B(2, 3), B(2, 3));
  tap_ok(state_of(&q, 3)->prop.phase == PROPOSER_PREPARING,
         "a Nack for (2,3) naming the promise (2,3) itself (the answer to a duplicate Prepare) "
         "does not end it");
  nack_in(&q, B(2, 3), B(2, 4));
  tap_ok(state_of(&q, 3)->prop.phase == PROPOSER_IDLE,
         "a Nack for (2,3) naming a higher promise (2,4) ends it: phase IDLE");
  tap_is_int(count_type(&q, 0, MSG_ACCEPT), 0, "no Accept was sent meanwhile");
  sim_destroy(q.w);
}

typedef struct draws {
  sim_time got[200];
} draws;
static void do_backoff(sim_node *n, void *s, void *arg) {
  draws *d = arg;
  for (int i = 0; i < 200; i++) d->got[i] = proposer_backoff(n, s);
}

/* Rule (section 2.4): the wait before a retry is random, and its range doubles per attempt. */
static void proposer_backoff_rule(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q); /* backoff_base 10ms, backoff_cap 80ms */
  static draws d;
  const uint32_t attempts[3] = {1, 3, 10};
  const sim_time limit[3] = {10 * SIM_MS, 40 * SIM_MS, 80 * SIM_MS};
  for (int k = 0; k < 3; k++) {
    state_of(&q, 3)->prop.attempts = attempts[k];
    sim_poke(q.w, 3, do_backoff, &d);
    sim_time lo = SIM_FOREVER, hi = 0;
    int distinct = 0;
    for (int i = 0; i < 200; i++) {
      if (d.got[i] < lo) lo = d.got[i];
      if (d.got[i] > hi) hi = d.got[i];
      bool seen = false;
      for (int j = 0; j < i && !seen; j++) seen = d.got[j] == d.got[i];
      distinct += !seen;
    }
    tap_ok(lo >= 1 && hi <= limit[k],
           "proposer_backoff after %u attempt(s): 200 waits in 1 .. %llu us (got %llu .. %llu)",
           attempts[k], (unsigned long long)limit[k], (unsigned long long)lo,
           (unsigned long long)hi);
    tap_ok(distinct >= 100,
           "after %u attempt(s): the waits are random (%d distinct of 200; "
           "sim_random_below)",
           attempts[k], distinct);
    tap_ok(hi > limit[k] / 2 && hi > (k ? limit[k - 1] : 0),
           "after %u attempt(s): they use the whole range (largest %llu > %llu): the limit is "
           "backoff_base * 2^(attempts-1), at most backoff_cap",
           attempts[k], (unsigned long long)hi, (unsigned long long)(limit[k] / 2));
  }
  sim_destroy(q.w);
}

static void accepted_in(quiet *q, int from, px_ballot b, uint32_t slot, px_value v) {
  px_accepted_body a = {.ballot = b, .slot = slot, .value = v};
  hand_to(q, 3, do_accepted, from, &a);
}

/* Rule (section 2.3): learned once a majority of acceptors accepted one ballot. */
static void learner_majority(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q); /* node 3 learns; 3 acceptors */
  accepted_in(&q, 0, B(2, 3), 0, 3001);
  accepted_in(&q, 0, B(2, 3), 0, 3001);
  tap_is_int(state_of(&q, 3)->lrn.learned[0], PX_NONE,
             "learner_on_accepted: a0's Accepted twice (a duplicate) is one acceptor: not learned");
  accepted_in(&q, 1, B(1, 4), 0, 4001);
  tap_is_int(state_of(&q, 3)->lrn.learned[0], PX_NONE,
             "a1 accepted a lower ballot (1,4): a0 and a1 accepted different ballots, no majority "
             "of one ballot: not learned");
  accepted_in(&q, 2, B(2, 3), 0, 3001);
  tap_is_int(state_of(&q, 3)->lrn.learned[0], 3001,
             "a2 accepted (2,3) = 3001 too: a0 and a2, a majority of one ballot: learned 3001 "
             "(px_learn)");
  accepted_in(&q, 1, B(1, 4), 5, 4001);
  accepted_in(&q, 0, B(2, 3), 5, 3001);
  tap_is_int(state_of(&q, 3)->lrn.learned[5], PX_NONE,
             "slot 5: (1,4) from a1 and (2,3) from a0 do not add up: not learned");
  accepted_in(&q, 2, B(2, 3), 5, 3001);
  tap_is_int(state_of(&q, 3)->lrn.learned[5], 3001,
             "slot 5: (2,3) from a0 and a2: learned 3001; each slot counts on its own");
  tap_is_int(state_of(&q, 3)->lrn.learned[1], PX_NONE, "slot 1 has learned nothing");
  sim_destroy(q.w);
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: the Multi-Paxos leader (a replica at node 3; acceptors 0..2 silent).
 */

static void do_leader_start(sim_node *n, void *s, void *arg) {
  (void)arg;
  leader_start(n, s);
}

/* Rule (section 3): phase 1 once, for every slot from the first unlearned one. */
static void leader_prepares(void *arg) {
  (void)arg;
  quiet q;
  replica_world(&q);
  px_state *s = state_of(&q, 3);
  s->lrn.learned[0] = s->lrn.learned[1] = s->lrn.learned[2] = 1001;
  s->lrn.learned[5] = 1002;
  s->highest_seen = B(4, 1);
  char a[32];
  sim_poke(q.w, 3, do_leader_start, NULL);
  s = state_of(&q, 3);
  tap_ok(s->ldr.preparing && !s->ldr.active, "leader_start: preparing, not active yet");
  tap_ok(same_ballot(s->ldr.ballot, B(5, 3)),
         "the ballot is above the highest seen (4,1): (5,3) (got %s; px_next_ballot)",
         bt(s->ldr.ballot, a, sizeof a));
  tap_is_int(s->ldr.from_slot, 3, "slots 0..2 are learned, 3 is not: from_slot 3");
  const sent *m = first_of(&q, 0, MSG_PREPARE);
  tap_ok(count_type(&q, 0, MSG_PREPARE) == 3 && m && m->body.prepare.from_slot == 3 &&
             same_ballot(m->body.prepare.ballot, B(5, 3)),
         "a Prepare((5,3), from slot 3) to each of the 3 acceptors");
  sim_destroy(q.w);
}

static void leader_promise_in(quiet *q, int from, px_ballot b, uint32_t from_slot,
                              const px_slot *reports, const uint32_t *slots, int count) {
  static px_promise_body p;
  memset(&p, 0, sizeof p);
  p.ballot = b;
  p.from_slot = from_slot;
  for (int i = 0; i < count; i++) p.accepted[slots[i]] = reports[i];
  hand_to(q, 3, do_leader_promise, from, &p);
}

/* The Accept sent for a slot in log[first ..], or NULL. */
static const sent *accept_for(const quiet *q, int first, uint32_t slot) {
  for (int i = first; i < q->count; i++)
    if (q->log[i].type == MSG_ACCEPT && q->log[i].body.accept.slot == slot) return &q->log[i];
  return NULL;
}

/* A leader at (5,3) from slot 3, with slots 0..2 and 7 learned, and two promises:
 *   a0: slot 3 = 501 at (1,1), slot 6 = 601 at (1,1)
 *   a1: slot 5 = 701 at (2,2), slot 6 = 801 at (2,2), slot 8 = 901 at (2,2) */
static void leader_elected(quiet *q) {
  replica_world(q);
  px_state *s = state_of(q, 3);
  s->lrn.learned[0] = s->lrn.learned[1] = s->lrn.learned[2] = 1001;
  s->lrn.learned[7] = 1002;
  s->highest_seen = B(4, 1);
  sim_poke(q->w, 3, do_leader_start, NULL);
  const px_slot r0[2] = {{B(1, 1), 501}, {B(1, 1), 601}};
  const uint32_t s0[2] = {3, 6};
  const px_slot r1[3] = {{B(2, 2), 701}, {B(2, 2), 801}, {B(2, 2), 901}};
  const uint32_t s1[3] = {5, 6, 8};
  leader_promise_in(q, 0, B(5, 3), 3, r0, s0, 2);
  leader_promise_in(q, 1, B(5, 3), 3, r1, s1, 3);
}

/* Rule (section 3): re-propose what the promises reported (highest ballot per slot), no-ops in
 * the gaps, skip learned slots, then next_slot past the highest reported. */
static void leader_fills_gaps(void *arg) {
  (void)arg;
  quiet q;
  replica_world(&q);
  px_state *s = state_of(&q, 3);
  s->lrn.learned[0] = s->lrn.learned[1] = s->lrn.learned[2] = 1001;
  s->lrn.learned[7] = 1002;
  s->highest_seen = B(4, 1);
  sim_poke(q.w, 3, do_leader_start, NULL);
  int first = q.count;
  const px_slot r0[2] = {{B(1, 1), 501}, {B(1, 1), 601}};
  const uint32_t s0[2] = {3, 6};
  leader_promise_in(&q, 0, B(5, 3), 3, r0, s0, 2);
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 0,
             "leader_on_promise: one promise of three: no Accept yet, not active");
  leader_promise_in(&q, 0, B(5, 3), 3, r0, s0, 2);
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 0,
             "the same acceptor's promise again (a duplicate) is still one promise");
  const px_slot r1[3] = {{B(2, 2), 701}, {B(2, 2), 801}, {B(2, 2), 901}};
  const uint32_t s1[3] = {5, 6, 8};
  leader_promise_in(&q, 1, B(5, 3), 3, r1, s1, 3);
  s = state_of(&q, 3);
  tap_ok(s->ldr.active && !s->ldr.preparing, "at the second promise (a majority) it leads");
  const uint32_t slot[5] = {3, 4, 5, 6, 8};
  const px_value want[5] = {501, PX_NOOP, 701, 801, 901};
  const char *why[5] = {"reported by a0", "reported by nobody, below the highest reported: a no-op",
                        "reported by a1", "801 at (2,2) beats 601 at (1,1): the highest ballot",
                        "reported by a1"};
  for (int i = 0; i < 5; i++) {
    const sent *m = accept_for(&q, first, slot[i]);
    char w[16], g[24];
    snprintf(w, sizeof w, want[i] == PX_NOOP ? "no-op" : "%u", want[i]);
    if (!m)
      snprintf(g, sizeof g, "no Accept");
    else
      snprintf(g, sizeof g, m->body.accept.value == PX_NOOP ? "no-op" : "%u", m->body.accept.value);
    tap_ok(m && m->body.accept.value == want[i] && same_ballot(m->body.accept.ballot, B(5, 3)),
           "slot %u: Accept((5,3), %s) is sent, %s (got %s)", slot[i], w, why[i], g);
  }
  tap_ok(accept_for(&q, first, 7) == NULL, "slot 7 is learned: no Accept for it");
  tap_ok(accept_for(&q, first, 9) == NULL, "nothing above the highest reported slot (8)");
  tap_is_int(count_type(&q, first, MSG_ACCEPT), 15, "5 slots x 3 acceptors = 15 Accepts");
  tap_is_int(s->ldr.next_slot, 9, "next_slot is 9, one past the highest reported slot");
  tap_ok(s->ldr.proposals[4] == PX_NOOP && s->ldr.proposals[6] == 801,
         "ldr.proposals records them (slot 4: no-op, slot 6: 801) for protocol.c's resends");
  sim_destroy(q.w);
}

/* leader_propose's result, from a poke. */
typedef struct propose_call {
  px_value command;
  int slot;
} propose_call;
static void do_propose(sim_node *n, void *s, void *arg) {
  propose_call *c = arg;
  c->slot = leader_propose(n, s, c->command);
}

/* Rule (section 3): a stable leader puts the next command in the next slot, phase 2 only. */
static void leader_skips_phase1(void *arg) {
  (void)arg;
  quiet q;
  leader_elected(&q);
  int first = q.count;
  propose_call c = {.command = 4001, .slot = -2};
  sim_poke(q.w, 3, do_propose, &c);
  tap_is_int(c.slot, 9, "leader_propose: the next command goes to slot 9 (next_slot)");
  tap_is_int(count_type(&q, first, MSG_PREPARE), 0, "no Prepare: phase 1 is not run again");
  const sent *m = accept_for(&q, first, 9);
  tap_ok(count_type(&q, first, MSG_ACCEPT) == 3 && m && m->body.accept.value == 4001 &&
             same_ballot(m->body.accept.ballot, B(5, 3)),
         "Accept((5,3), slot 9, 4001) to each acceptor, at the leader's ballot");
  c = (propose_call){.command = 4002, .slot = -2};
  sim_poke(q.w, 3, do_propose, &c);
  tap_is_int(c.slot, 10, "the command after it goes to slot 10");
  tap_is_int(state_of(&q, 3)->ldr.proposals[10], 4002, "recorded in ldr.proposals");
  state_of(&q, 3)->ldr.active = false;
  first = q.count;
  c = (propose_call){.command = 4003, .slot = -2};
  sim_poke(q.w, 3, do_propose, &c);
  tap_ok(c.slot == -1 && q.count == first, "a replica that does not lead proposes nothing: -1");
  sim_destroy(q.w);
}

typedef struct higher_call {
  px_ballot b;
} higher_call;
static void do_higher(sim_node *n, void *s, void *arg) {
  leader_on_higher_ballot(n, s, ((higher_call *)arg)->b);
}

/* Rule: a higher ballot elsewhere ends this node's leadership (or candidacy). */
static void leader_steps_down(void *arg) {
  (void)arg;
  quiet q;
  leader_elected(&q); /* leading at (5,3) */
  higher_call h = {B(4, 4)};
  sim_poke(q.w, 3, do_higher, &h);
  tap_ok(state_of(&q, 3)->ldr.active, "leader_on_higher_ballot: (4,4) < (5,3): still leading");
  h.b = B(5, 3);
  sim_poke(q.w, 3, do_higher, &h);
  tap_ok(state_of(&q, 3)->ldr.active, "its own ballot (5,3): still leading");
  h.b = B(5, 4);
  sim_poke(q.w, 3, do_higher, &h);
  tap_ok(!state_of(&q, 3)->ldr.active && !state_of(&q, 3)->ldr.preparing,
         "(5,4) > (5,3): stops leading");
  sim_poke(q.w, 3, do_leader_start, NULL);
  h.b = B(9, 1);
  sim_poke(q.w, 3, do_higher, &h);
  tap_ok(!state_of(&q, 3)->ldr.preparing,
         "a candidate (preparing) that sees a higher ballot "
         "stops preparing too");
  sim_destroy(q.w);
}

/* ---------------------------------------------------------------------------------------------
 * Whole runs. Every check of scenarios.c runs after every event.
 */

static const px_record *rec_of(struct lab_run *run) { return run->lab_data; }

/* Single decree: exactly one value chosen, every learner learned it, and it was proposed. */
static bool one_value(struct lab_run *run, void *ctx) {
  (void)ctx;
  const px_record *rec = rec_of(run);
  if (!tap_ok(rec->chosen[0].chosen, "a value was chosen")) return false;
  bool ok = true;
  for (int i = 0; i < rec->learners && ok; i++)
    ok = tap_is_int(((const px_state *)sim_state(run->world, i))->lrn.learned[0],
                    rec->chosen[0].value, "%s learned the chosen value",
                    sim_node_name(run->world, i));
  return ok;
}

static void sweep_basic(void *arg) {
  (void)arg;
  tap_sweep(&lab12, "basic", 1, 200, one_value, NULL);
}

static void sweep_lossy(void *arg) {
  (void)arg;
  if (!tap_sweep(&lab12, "lossy", 1, 100, one_value, NULL)) return;
  lab_run small = {.nodes = 5}, big = {.nodes = 12};
  if (!tap_sweep_options(&lab12, "lossy", &small, 1, 20, one_value, NULL)) return;
  tap_sweep_options(&lab12, "lossy", &big, 1, 20, one_value, NULL);
}

static bool crashed_too(struct lab_run *run, void *ctx) {
  uint32_t *crashes = ctx;
  *crashes += rec_of(run)->crashes;
  return one_value(run, NULL);
}

static void sweep_crashes(void *arg) {
  (void)arg;
  uint32_t crashes = 0;
  if (!tap_sweep(&lab12, "crash-acceptors", 1, 200, crashed_too, &crashes)) return;
  tap_ok(crashes >= 400, "the acceptors crashed and restarted %u times in 200 runs", crashes);
}

static void sweep_partition(void *arg) {
  (void)arg;
  /* p3 alone with a0 (a minority) for the first 300 ms; p4 with a1, a2. */
  lab_run opts = {.nemesis = "2ms partition 0,3|1,2,4; 300ms heal"};
  tap_sweep_options(&lab12, "basic", &opts, 1, 50, one_value, NULL);
}

/* Demonstration: without backoff, a seed where no value is chosen by the deadline. */
static bool livelocked(struct lab_run *run, void *ctx) {
  (void)ctx;
  const px_record *rec = rec_of(run);
  if (rec->chosen[0].chosen || strncmp(run->verdict, "liveness: no value chosen", 25) != 0)
    return false;
  tap_diag("%u ballots in 2 s of virtual time, %u Nacks, and nothing chosen", rec->ballots,
           rec->nacks);
  return rec->ballots >= 100;
}

static void demo_duel(void *arg) {
  (void)arg;
  tap_search(&lab12, "duel", 1, 50, livelocked, NULL,
             "the duel always ended: do failed attempts start again (proposer_on_nack sets IDLE)?");
}

/* Randomized backoff: the same duel always decides, after few ballots. */
static bool decided_soon(struct lab_run *run, void *ctx) {
  uint32_t *ballots = ctx;
  *ballots += rec_of(run)->ballots;
  return one_value(run, NULL);
}

static void sweep_backoff(void *arg) {
  (void)arg;
  uint32_t ballots = 0;
  if (!tap_sweep(&lab12, "duel-backoff", 1, 200, decided_soon, &ballots)) return;
  tap_ok(ballots <= 200 * 20, "%u ballots in 200 runs (%.1f a run): backoff ends the duel soon",
         ballots, ballots / 200.0);
}

/* Demonstration: acceptors that forget let two values be chosen; the same seed with durable
 * acceptors does not. */
static bool two_chosen(struct lab_run *run, void *ctx) {
  (void)ctx;
  return strstr(run->verdict, "agreement violated") != NULL &&
         strstr(run->verdict, "two values chosen") != NULL;
}

static void demo_forgetful(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab12, "forgetful");
  for (uint64_t seed = 1; seed <= 300; seed++) {
    tap_replay("%s --scenario forgetful --seed %llu --viz", tap_driver(), (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab12.id, .scenario = "forgetful"};
    bool held = sc->run(&run);
    bool found = !held && two_chosen(&run, NULL);
    bool forgot = rec_of(&run)->forgot > 0;
    char verdict[sizeof run.verdict];
    snprintf(verdict, sizeof verdict, "%s", run.verdict);
    lab_end(&run);
    if (!held && !forgot) {
      tap_ok(false, "forgetful, seed %llu, failed although no acceptor forgot anything: %s",
             (unsigned long long)seed, verdict);
      return;
    }
    if (!found) continue;
    char durable[2048];
    bool durable_held =
        lab_run_quiet(&lab12, "crash-acceptors", seed, NULL, durable, sizeof durable);
    if (!tap_ok(durable_held,
                "seed %llu chose two values with forgetful acceptors; the same run with durable "
                "ones (crash-acceptors) must hold, and did not: %s",
                (unsigned long long)seed, durable))
      return;
    tap_diag("demonstration, not a failure: seed %llu: %s", (unsigned long long)seed, verdict);
    tap_diag("watch it: %s --scenario forgetful --seed %llu --viz", tap_driver(),
             (unsigned long long)seed);
    return;
  }
  tap_ok(false, "no seed in 1..300 of forgetful chose two values");
}

/* Multi-Paxos: every command in the log, no holes, every replica caught up (the scenario); and
 * phase 1 only at leader changes. */
typedef struct multi_stats {
  uint32_t noops, ballots_max, runs;
} multi_stats;

static bool log_ok(struct lab_run *run, void *ctx) {
  multi_stats *st = ctx;
  const px_record *rec = rec_of(run);
  st->noops += rec->noops;
  st->runs++;
  if (rec->ballots > st->ballots_max) st->ballots_max = rec->ballots;
  return tap_ok(rec->ballots <= 3 * rec->leader_changes + 3,
                "phase 1 ran %u times for %u slots and %u leaders: a stable leader skips phase 1 "
                "(leader_propose sends Accepts only)",
                rec->ballots, rec->slots_chosen, rec->leader_changes);
}

static void sweep_multi(void *arg) {
  (void)arg;
  multi_stats st = {0, 0, 0};
  if (!tap_sweep(&lab12, "multi", 1, 100, log_ok, &st)) return;
  tap_ok(st.noops >= 10,
         "new leaders filled %u gaps with no-ops in 100 runs (at most %u phase-1 runs in one)",
         st.noops, st.ballots_max);
}

static void sweep_churn(void *arg) {
  (void)arg;
  multi_stats st = {0, 0, 0};
  tap_sweep(&lab12, "multi-churn", 1, 100, NULL, &st);
}

static void sweep_churn_sizes(void *arg) {
  (void)arg;
  lab_run three = {.nodes = 5}, seven = {.nodes = 9};
  if (!tap_sweep_options(&lab12, "multi-churn", &three, 1, 20, NULL, NULL)) return;
  tap_sweep_options(&lab12, "multi-churn", &seven, 1, 20, NULL, NULL);
}

int main(void) {
  tap_case("ballots: ordered by round, then node id", ballot_order, NULL);
  tap_case("acceptor: promises a higher ballot, reporting what it accepted", acceptor_promises,
           NULL);
  tap_case("acceptor: refuses a Prepare at or below its promise (Nack)", acceptor_refuses_prepare,
           NULL);
  tap_case("acceptor: accepts at or above its promise, tells every learner", acceptor_accepts,
           NULL);
  tap_case("acceptor: refuses an Accept below its promise (Nack)", acceptor_refuses_accept, NULL);
  tap_case("acceptor: promise and acceptance on disk before the reply", acceptor_persists_first,
           NULL);
  tap_case("acceptor: a restart recovers the promise and the accepted values", acceptor_recovers,
           NULL);
  tap_case("ballots: a new ballot is above all seen and used, on disk first", next_ballot, NULL);
  tap_case("proposer: an attempt sends Prepare with a new ballot to every acceptor",
           proposer_prepares, NULL);
  tap_case("proposer: nothing reported by a majority: propose its own value", proposer_own_value,
           NULL);
  tap_case("proposer: propose the value of the highest-numbered proposal reported",
           proposer_highest_value, NULL);
  tap_case("proposer: each acceptor counts once, only for the current ballot", proposer_counts_once,
           NULL);
  tap_case("proposer: a Nack naming a higher promise ends the attempt", proposer_nack, NULL);
  tap_case("proposer: randomized exponential backoff", proposer_backoff_rule, NULL);
  tap_case("learner: chosen at a majority of Accepted of one ballot", learner_majority, NULL);
  tap_case("multi: phase 1 once, from the first unlearned slot", leader_prepares, NULL);
  tap_case("multi: a new leader re-proposes reported values, no-ops in the gaps", leader_fills_gaps,
           NULL);
  tap_case("multi: a stable leader skips phase 1 for the next command", leader_skips_phase1, NULL);
  tap_case("multi: a higher ballot ends leadership", leader_steps_down, NULL);
  tap_case("agreement, validity, every learner learns (basic, 200 seeds)", sweep_basic, NULL);
  tap_case("20% loss and duplication, 2 to 9 acceptors (lossy, 140 runs)", sweep_lossy, NULL);
  tap_case("acceptors crash and restart with durable state (crash-acceptors, 200 seeds)",
           sweep_crashes, NULL);
  tap_case("a proposer cut off with a minority, then healed (basic + partition, 50 seeds)",
           sweep_partition, NULL);
  tap_case("demonstration: dueling proposers without backoff livelock (finds a seed)", demo_duel,
           NULL);
  tap_case("randomized backoff ends the duel (duel-backoff, 200 seeds)", sweep_backoff, NULL);
  tap_case("demonstration: acceptors that forget let two values be chosen (finds a seed)",
           demo_forgetful, NULL);
  tap_case("multi: one log through a leader failure, gaps filled (multi, 100 seeds)", sweep_multi,
           NULL);
  tap_case("multi: loss, duplication, crashes, cut-off replicas (multi-churn, 100 seeds)",
           sweep_churn, NULL);
  tap_case("multi: 3 and 7 replicas (multi-churn --nodes 5 and 9, 20 seeds each)",
           sweep_churn_sizes, NULL);
  return tap_done();
}
