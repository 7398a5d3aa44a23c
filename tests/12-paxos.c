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

/* A value as "3001", "no-op" or "nothing". */
static const char *vt(px_value v, char *buf, size_t cap) {
  if (v == PX_NONE)
    snprintf(buf, cap, "nothing");
  else if (v == PX_NOOP)
    snprintf(buf, cap, "no-op");
  else
    snprintf(buf, cap, "%u", v);
  return buf;
}

/* A multi-step case's setup, told once (tap_diag), just before its first failed check: each
 * check's message can then say "after a2's Accepted" and stand on its own with the story above
 * it. setup() at the start of the case; told(cond) inside each check's condition. */
static const char *setup_text;
static bool setup_told;
static void setup(const char *text) {
  setup_text = text;
  setup_told = false;
}
static bool told(bool ok) {
  if (!ok && setup_text && !setup_told) {
    tap_diag("the case: %s", setup_text);
    setup_told = true;
  }
  return ok;
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
  /* A Prepare from PX_MAX_SLOTS (a replica that has learned every slot): promised, no report. */
  first = q.count;
  prepare_in(&q, 4, B(5, 4), PX_MAX_SLOTS);
  m = first_of(&q, first, MSG_PROMISE);
  bool empty = m != NULL;
  for (int i = 0; m && i < PX_MAX_SLOTS; i++)
    empty = empty && m->body.promise.accepted[i].ballot.round == 0;
  tap_ok(m && m->body.promise.from_slot == PX_MAX_SLOTS && empty &&
             same_ballot(state_of(&q, 0)->acc.promised, B(5, 4)),
         "Prepare (5,4) from slot %d (PX_MAX_SLOTS: a replica that has learned every slot): "
         "expected it promised like any other, with a Promise from slot %d reporting no slot; "
         "got %s, promised %s (acceptor_on_prepare: report slots from_slot .. PX_MAX_SLOTS-1)",
         PX_MAX_SLOTS, PX_MAX_SLOTS,
         !m                                          ? "no Promise"
         : m->body.promise.from_slot != PX_MAX_SLOTS ? "a Promise with another from_slot"
         : empty                                     ? "a Promise reporting nothing"
                                                     : "a Promise reporting a slot",
         bt(state_of(&q, 0)->acc.promised, a, sizeof a));
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
  char b[32];
  tap_ok(same_ballot(s->acc.accepted[1].ballot, B(5, 3)) && s->acc.accepted[1].value == 3001,
         "an Accept (5,3), slot 1 = 3001, above the promise (3,4): expected it accepted, "
         "slot 1 = 3001 at (5,3); got %s",
         st(s->acc.accepted[1], b, sizeof b));
  tap_ok(same_ballot(s->acc.promised, B(5, 3)),
         "an Accept (5,3) above the promise (3,4): expected promised raised to (5,3), got %s: "
         "acceptor_on_accept sets promised = ballot (accepting a ballot promises it too)",
         bt(s->acc.promised, a, sizeof a));
  tap_is_int(count_type(&q, first, MSG_ACCEPTED), 5,
             "an Accept (5,3) above the promise is announced to the 5 learners");
  tap_ok(same_ballot(s->acc.accepted[0].ballot, B(3, 4)) && s->acc.accepted[0].value == 4001,
         "slot 0 keeps its own acceptance: expected 4001 at (3,4), got %s",
         st(s->acc.accepted[0], a, sizeof a));
  /* A slot beyond the log: ignored before anything else. */
  first = q.count;
  px_acceptor before = s->acc;
  accept_in(&q, 3, B(6, 3), PX_MAX_SLOTS, 3002);
  s = state_of(&q, 0);
  tap_ok(q.count == first && memcmp(&before, &s->acc, sizeof before) == 0,
         "an Accept (6,3) for slot %d (PX_MAX_SLOTS, beyond the log): expected it ignored "
         "(no reply, no Nack, s->acc unchanged, promised %s); got %d message(s), promised %s "
         "(acceptor_on_accept: check the slot first)",
         PX_MAX_SLOTS, bt(before.promised, b, sizeof b), q.count - first,
         bt(s->acc.promised, a, sizeof a));
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
  if (!m)
    tap_ok(false,
           "acceptor_on_prepare: expected a Promise for Prepare (1,3) to a fresh "
           "acceptor; none was sent");
  else
    tap_ok(same_ballot(m->disk.acc.promised, B(1, 3)),
           "expected stable storage to say promised=(1,3) when the Promise was sent; it said %s: "
           "call acceptor_persist before sim_send (acceptor_on_prepare; Paxos Made Simple 2.5)",
           bt(m->disk.acc.promised, a, sizeof a));
  int first = q.count;
  accept_in(&q, 3, B(1, 3), 0, 3001);
  m = first_of(&q, first, MSG_ACCEPTED);
  if (!m)
    tap_ok(false,
           "acceptor_on_accept: expected Accepteds for Accept (1,3) slot 0 = 3001 at the "
           "promise (1,3); none was sent");
  else
    tap_ok(same_ballot(m->disk.acc.accepted[0].ballot, B(1, 3)) &&
               m->disk.acc.accepted[0].value == 3001,
           "expected stable storage to hold 3001 at (1,3) in slot 0 when the first Accepted was "
           "sent; it held %s: call acceptor_persist before px_send_to_learners "
           "(acceptor_on_accept; Paxos Made Simple 2.5)",
           st(m->disk.acc.accepted[0], a, sizeof a));
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
  /* Promises for the attempt just given up arrive late: a majority of them. */
  promise_in(&q, 3, 0, B(2, 3), NOTHING);
  promise_in(&q, 3, 1, B(2, 3), NOTHING);
  px_proposer_phase ph = state_of(&q, 3)->prop.phase;
  tap_ok(count_type(&q, 0, MSG_ACCEPT) == 0 && ph == PROPOSER_IDLE,
         "after the Nack ended (2,3), promises for (2,3) from a0 and a1 arrive: expected them "
         "ignored (no Accept, phase still IDLE); got %d Accept(s), phase %s "
         "(proposer_on_promise: only while PREPARING)",
         count_type(&q, 0, MSG_ACCEPT),
         ph == PROPOSER_IDLE        ? "IDLE"
         : ph == PROPOSER_PREPARING ? "PREPARING"
         : ph == PROPOSER_ACCEPTING ? "ACCEPTING"
                                    : "?");
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

/* Node 3's learned value in a slot is `want`: expected and got, with the rule. */
static bool learned_is(quiet *q, uint32_t slot, px_value want, const char *after,
                       const char *rule) {
  px_value got = state_of(q, 3)->lrn.learned[slot];
  char w[24], g[24];
  return tap_ok(told(got == want), "learner_on_accepted, slot %u, %s: expected %s%s, got %s%s: %s",
                slot, after, want == PX_NONE ? "not learned" : "learned ",
                want == PX_NONE ? "" : vt(want, w, sizeof w),
                got == PX_NONE ? "not learned" : "learned ",
                got == PX_NONE ? "" : vt(got, g, sizeof g), rule);
}

/* Rule (section 2.3): learned once a majority of acceptors accepted one ballot. */
static void learner_majority(void *arg) {
  (void)arg;
  quiet q;
  proposer_world(&q); /* node 3 learns; 3 acceptors */
  setup(
      "learner_on_accepted at node 3, with 3 acceptors (a majority is 2), is handed these "
      "Accepteds in order: slot 0: a0 (2,3)=3001 twice, a1 (1,4)=4001, a2 (2,3)=3001; "
      "slot 5: a1 (1,4)=4001, a0 (2,3)=3001, a2 (2,3)=3001");
  accepted_in(&q, 0, B(2, 3), 0, 3001);
  accepted_in(&q, 0, B(2, 3), 0, 3001);
  learned_is(&q, 0, PX_NONE, "after a0's Accepted (2,3)=3001 twice",
             "a duplicate is still one acceptor, and one is no majority (count each acceptor "
             "once)");
  accepted_in(&q, 1, B(1, 4), 0, 4001);
  learned_is(&q, 0, PX_NONE, "after a0's (2,3)=3001 and a1's (1,4)=4001",
             "a0 and a1 accepted different ballots, which never add up; a ballot lower than the "
             "slot's tally, (1,4) < (2,3), is ignored");
  accepted_in(&q, 2, B(2, 3), 0, 3001);
  learned_is(&q, 0, 3001, "after a0's (2,3)=3001, a1's (1,4)=4001 and a2's (2,3)=3001",
             "a0 and a2 accepted (2,3), a majority of one ballot: px_learn(n, s, 0, 3001)");
  accepted_in(&q, 1, B(1, 4), 5, 4001);
  accepted_in(&q, 0, B(2, 3), 5, 3001);
  learned_is(&q, 5, PX_NONE, "after a1's (1,4)=4001 and a0's (2,3)=3001",
             "(1,4) and (2,3) are different ballots and do not add up: a higher ballot restarts "
             "the slot's count");
  accepted_in(&q, 2, B(2, 3), 5, 3001);
  learned_is(&q, 5, 3001, "after a1's (1,4)=4001, a0's (2,3)=3001 and a2's (2,3)=3001",
             "a0 and a2 accepted (2,3) there; each slot counts on its own (s->lrn.tally[slot])");
  learned_is(&q, 1, PX_NONE, "never named by an Accepted", "nothing was accepted there");
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
  /* It led before, at (3,3): what is left of that must not survive into the new ballot. */
  s->ldr.active = true;
  s->ldr.ballot = B(3, 3);
  s->ldr.promised_by = 0x3;
  s->ldr.promises = 2;
  s->ldr.merged[4] = (px_slot){B(3, 1), 999};
  s->ldr.proposals[9] = 777;
  s->ldr.next_slot = 10;
  char a[32], b[32], c[24];
  sim_poke(q.w, 3, do_leader_start, NULL);
  s = state_of(&q, 3);
  tap_ok(s->ldr.preparing && !s->ldr.active, "leader_start: preparing, not active yet");
  bool clean = s->ldr.promised_by == 0 && s->ldr.promises == 0;
  for (int i = 0; i < PX_MAX_SLOTS; i++)
    clean = clean && s->ldr.merged[i].ballot.round == 0 && s->ldr.proposals[i] == PX_NONE;
  tap_ok(clean && s->ldr.next_slot == s->ldr.from_slot,
         "node 3 led at (3,3) before (promises from a0 and a1, merged[4] = 999 at (3,1), "
         "proposals[9] = 777, next_slot 10); leader_start: expected s->ldr cleared (no promises, "
         "nothing merged or proposed, next_slot = from_slot); got %d promise(s), merged[4] = %s, "
         "proposals[9] = %s, next_slot %u, from_slot %u: clear the whole s->ldr first (memset); "
         "an old merged report would be proposed again, and protocol.c takes a command left in "
         "ldr.proposals for one already in the log and never proposes it",
         s->ldr.promises, st(s->ldr.merged[4], b, sizeof b), vt(s->ldr.proposals[9], c, sizeof c),
         s->ldr.next_slot, s->ldr.from_slot);
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

/* The promises of the leader cases, for ballot (5,3) from slot 3: a1's first, then a0's. In slot
 * 6 the higher ballot carries the smaller value and comes first, so the merge must keep the
 * highest ballot: not the larger value, not the last report. */
static const px_slot REPORT_A1[3] = {{{2, 2}, 701}, {{2, 2}, 801}, {{2, 2}, 901}};
static const uint32_t SLOTS_A1[3] = {5, 6, 8};
static const px_slot REPORT_A0[2] = {{{1, 1}, 501}, {{1, 1}, 851}};
static const uint32_t SLOTS_A0[2] = {3, 6};
#define LEADER_CASE                                                                               \
  "node 3 (a replica; acceptors a0..a2 are silent, a majority is 2) has learned slots 0..2 "      \
  "and 7, has seen ballot (4,1), and runs leader_start: ballot (5,3), from slot 3. Promises for " \
  "(5,3) come from a1 (slot 5 = 701, slot 6 = 801, slot 8 = 901, all at (2,2)), then from a0 "    \
  "(slot 3 = 501, slot 6 = 851, both at (1,1))"

/* Node 3 before its promises: learned slots 0..2 and 7, seen (4,1), preparing (5,3) from 3. */
static void leader_candidate(quiet *q) {
  replica_world(q);
  px_state *s = state_of(q, 3);
  s->lrn.learned[0] = s->lrn.learned[1] = s->lrn.learned[2] = 1001;
  s->lrn.learned[7] = 1002;
  s->highest_seen = B(4, 1);
  sim_poke(q->w, 3, do_leader_start, NULL);
}

/* The same node, leading at (5,3) after a1's and a0's promises (LEADER_CASE). */
static void leader_elected(quiet *q) {
  leader_candidate(q);
  leader_promise_in(q, 1, B(5, 3), 3, REPORT_A1, SLOTS_A1, 3);
  leader_promise_in(q, 0, B(5, 3), 3, REPORT_A0, SLOTS_A0, 2);
}

/* An Accept as "Accept((5,3), 501)", or "no Accept". */
static const char *accept_text(const sent *m, char *buf, size_t cap) {
  char b[32], v[24];
  if (!m)
    snprintf(buf, cap, "no Accept");
  else
    snprintf(buf, cap, "Accept(%s, %s)", bt(m->body.accept.ballot, b, sizeof b),
             vt(m->body.accept.value, v, sizeof v));
  return buf;
}

/* Rule (section 3): re-propose what the promises reported (highest ballot per slot), no-ops in
 * the gaps, skip learned slots, then next_slot past the highest reported. */
static void leader_fills_gaps(void *arg) {
  (void)arg;
  quiet q;
  setup(LEADER_CASE);
  leader_candidate(&q);
  int first = q.count;
  leader_promise_in(&q, 1, B(5, 3), 3, REPORT_A1, SLOTS_A1, 3);
  int k = count_type(&q, first, MSG_ACCEPT);
  tap_ok(told(k == 0 && !state_of(&q, 3)->ldr.active),
         "leader_on_promise, after a1's promise (one of three): expected no Accept and not active "
         "yet; got %d Accept(s), %s",
         k, state_of(&q, 3)->ldr.active ? "active" : "not active");
  leader_promise_in(&q, 1, B(5, 3), 3, REPORT_A1, SLOTS_A1, 3);
  k = count_type(&q, first, MSG_ACCEPT);
  tap_ok(told(k == 0 && !state_of(&q, 3)->ldr.active),
         "after a1's promise again (a duplicate: still one acceptor): expected no Accept, not "
         "active; got %d Accept(s), %s (count each acceptor once)",
         k, state_of(&q, 3)->ldr.active ? "active" : "not active");
  leader_promise_in(&q, 0, B(5, 3), 3, REPORT_A0, SLOTS_A0, 2);
  px_state *s = state_of(&q, 3);
  tap_ok(told(s->ldr.active && !s->ldr.preparing),
         "after a0's promise (two of three, a majority): expected active and not preparing; got "
         "%s and %s",
         s->ldr.active ? "active" : "not active", s->ldr.preparing ? "preparing" : "not preparing");
  const uint32_t slot[5] = {3, 4, 5, 6, 8};
  const px_value want[5] = {501, PX_NOOP, 701, 801, 901};
  const char *why[5] = {"reported by a0", "reported by nobody, below the highest reported: a no-op",
                        "reported by a1",
                        "801 at (2,2) (a1, first) beats 851 at (1,1) (a0, last): the highest "
                        "ballot, not the larger value, not the last report",
                        "reported by a1"};
  for (int i = 0; i < 5; i++) {
    const sent *m = accept_for(&q, first, slot[i]);
    char w[24], g[80];
    tap_ok(
        told(m && m->body.accept.value == want[i] && same_ballot(m->body.accept.ballot, B(5, 3))),
        "slot %u: expected Accept((5,3), %s), %s; got %s", slot[i], vt(want[i], w, sizeof w),
        why[i], accept_text(m, g, sizeof g));
  }
  char g[80];
  tap_ok(told(accept_for(&q, first, 7) == NULL),
         "slot 7: expected no Accept (node 3 has learned it: skip learned slots); got %s",
         accept_text(accept_for(&q, first, 7), g, sizeof g));
  const sent *above = NULL;
  for (uint32_t sl = 9; sl < PX_MAX_SLOTS && !above; sl++) above = accept_for(&q, first, sl);
  tap_ok(told(above == NULL),
         "slots 9 and up: expected no Accept above the highest reported slot (8); got one for "
         "slot %u",
         above ? above->body.accept.slot : 0);
  k = count_type(&q, first, MSG_ACCEPT);
  tap_ok(told(k == 15), "expected 15 Accepts (slots 3, 4, 5, 6, 8 x 3 acceptors), got %d", k);
  tap_ok(told(s->ldr.next_slot == 9),
         "expected next_slot 9, one past the highest reported slot (8); got %u", s->ldr.next_slot);
  char p[5][24];
  bool recorded = true;
  for (int i = 0; i < 5; i++) {
    recorded = recorded && s->ldr.proposals[slot[i]] == want[i];
    vt(s->ldr.proposals[slot[i]], p[i], sizeof p[i]);
  }
  tap_ok(told(recorded),
         "expected ldr.proposals to record each slot's proposal for protocol.c's resends (slot "
         "3: 501, 4: no-op, 5: 701, 6: 801, 8: 901); got slot 3: %s, 4: %s, 5: %s, 6: %s, 8: %s",
         p[0], p[1], p[2], p[3], p[4]);
  sim_destroy(q.w);

  /* The highest reported slot is one this node has learned: no Accept, but next_slot passes it. */
  setup(
      "node 3 has learned slots 0..2 and 4, runs leader_start (ballot (5,3), from slot 3), and "
      "gets promises from a0 and a1 that both report slot 4 = 1002 at (1,1) and nothing else");
  replica_world(&q);
  s = state_of(&q, 3);
  s->lrn.learned[0] = s->lrn.learned[1] = s->lrn.learned[2] = 1001;
  s->lrn.learned[4] = 1002;
  s->highest_seen = B(4, 1);
  sim_poke(q.w, 3, do_leader_start, NULL);
  first = q.count;
  const px_slot r[1] = {{{1, 1}, 1002}};
  const uint32_t at[1] = {4};
  leader_promise_in(&q, 0, B(5, 3), 3, r, at, 1);
  leader_promise_in(&q, 1, B(5, 3), 3, r, at, 1);
  s = state_of(&q, 3);
  char a3[80], a4[80];
  tap_ok(told(s->ldr.active && s->ldr.next_slot == 5 && accept_for(&q, first, 4) == NULL &&
              accept_for(&q, first, 3) && accept_for(&q, first, 3)->body.accept.value == PX_NOOP),
         "leader_on_promise, highest reported slot 4 already learned: expected a no-op in slot 3, "
         "no Accept for slot 4 (learned), next_slot 5 (one past the highest reported slot, "
         "learned or not); got %s, slot 3: %s, slot 4: %s, next_slot %u",
         s->ldr.active ? "active" : "not active",
         accept_text(accept_for(&q, first, 3), a3, sizeof a3),
         accept_text(accept_for(&q, first, 4), a4, sizeof a4), s->ldr.next_slot);
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
