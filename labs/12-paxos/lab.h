/*
 * labs/12-paxos/lab.h: lab 12, agreement despite failures: Paxos and Multi-Paxos.
 *
 * Consensus: some nodes propose values, and all of them must end up knowing one value, the same
 * for everyone, that one of them proposed, although messages are lost, duplicated and reordered
 * and nodes crash and come back. Lamport's "Paxos Made Simple" (ACM SIGACT News 32(4), 2001)
 * splits the work into three roles:
 *
 *   - acceptors vote. Each keeps a promise (the highest ballot it has promised) and, per log
 *     slot, the highest-numbered proposal it has accepted. Both live in stable storage, written
 *     before any reply leaves (section 2.5), so a restarted acceptor keeps its word;
 *   - proposers drive a ballot in two phases (section 2.2): phase 1 asks the acceptors for
 *     promises (Prepare / Promise), phase 2 asks them to accept a value (Accept / Accepted). The
 *     value is not free: it is the value of the highest-numbered proposal any promising acceptor
 *     reported, and the proposer's own only when none reported one;
 *   - learners find out what was chosen (section 2.3): a value is chosen once a majority of
 *     acceptors has accepted it in one ballot, and every acceptor tells every learner each time
 *     it accepts.
 *
 * A ballot is (round, node id): rounds rise, and the node id makes ballots of different nodes
 * different (section 2.5: proposers draw numbers from disjoint sets).
 *
 * The lab runs two kinds of world on one protocol:
 *
 *   Single decree (parts 1 and 2). Acceptors a0 .. a(A-1) are nodes 0 .. A-1; proposers follow
 *   them (p3, p4, ... named by their node id). Every node is a learner. Each proposer wants its
 *   own value chosen (node id * 1000 + 1), starts at a configured time, and retries with a new
 *   ballot when a ballot fails (a Nack, or no decision in time), after a randomized backoff
 *   (section 2.4: two proposers can otherwise pre-empt each other for ever). Only slot 0 is used.
 *
 *   Multi-Paxos (part 3, section 3). Replicas n0 .. n(R-1) are acceptors, learners and leader
 *   candidates at once; clients c<id> follow them and submit commands (client id * 1000 + k).
 *   One Paxos instance per log slot. A replica that hears no leader runs phase 1 once for every
 *   slot from its first unlearned one; after a majority of promises it is the leader: it
 *   re-proposes what the promises reported, fills the other slots below the highest reported
 *   one with no-ops, and from then on puts each new command in the next slot with phase 2 only.
 *
 * You write the functions at the bottom, in four files of exercises/12-paxos/: acceptor.c (the
 * ballot order and the acceptor), proposer.c (ballots and the single-decree proposer), learner.c,
 * multi.c (the Multi-Paxos leader). protocol.c has the fixed parts: message and timer tables,
 * boot, dispatch, the proposers' retry timers, leader election by timeout with heartbeats,
 * retransmission of a leader's Accepts, catch-up of learners that missed Accepted messages, the
 * clients, and the helpers declared below. scenarios.c has the scenarios and their checks.
 */
#ifndef LAB12_H
#define LAB12_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  PX_MAX_NODES = 12,    /* nodes in one world of this lab */
  PX_MAX_SLOTS = 64,    /* log slots (single decree uses slot 0 only) */
  PX_MAX_PENDING = 64,  /* client commands a replica holds until they are in the log */
  PX_MAX_COMMANDS = 40, /* commands one client submits */
  PX_CHOSEN_BATCH = 16  /* learned slots one Chosen message carries (catch-up) */
};

/* A value. Proposers propose node id * 1000 + 1; clients' commands are client id * 1000 + k. */
typedef uint32_t px_value;
#define PX_NONE ((px_value)0) /* no value: nothing accepted, nothing learned */
#define PX_NOOP ((px_value)1) /* Multi-Paxos: the command that does nothing (fills a gap) */

/* A ballot (Lamport's "proposal number"): ordered by round, then by node id. Round 0 is "no
 * ballot": lower than every real ballot, which has round >= 1. */
typedef struct px_ballot {
  uint32_t round;
  int32_t node; /* the proposer that owns it */
} px_ballot;

/* A proposal an acceptor accepted: its ballot and value (ballot round 0: none). */
typedef struct px_slot {
  px_ballot ballot;
  px_value value;
} px_slot;

/* Message types (indexes into the protocol's type table). */
enum {
  MSG_PREPARE,   /* proposer -> acceptors: phase 1a */
  MSG_PROMISE,   /* acceptor -> proposer: phase 1b, with what it has accepted */
  MSG_ACCEPT,    /* proposer -> acceptors: phase 2a */
  MSG_ACCEPTED,  /* acceptor -> every learner: phase 2b */
  MSG_NACK,      /* acceptor -> proposer: refused, I promised a higher ballot */
  MSG_HEARTBEAT, /* Multi-Paxos leader -> replicas: I lead, at this ballot */
  MSG_QUERY,     /* learner -> a peer: what have you learned from this slot on? */
  MSG_CHOSEN,    /* peer -> learner: these slots hold these chosen values */
  MSG_REQUEST,   /* client -> every replica: please put this command in the log */
  MSG_REPLY,     /* replica -> client: your command is in the log, at this slot */
  MSG_TYPE_COUNT
};

/* Timer kinds. */
enum {
  TIMER_START,     /* proposer: the first attempt (at config.start) */
  TIMER_RETRY,     /* proposer: the next attempt, after the backoff */
  TIMER_ATTEMPT,   /* proposer: an attempt took too long (arg: the attempt number) */
  TIMER_ELECTION,  /* replica: no leader heard for a while: run phase 1 */
  TIMER_HEARTBEAT, /* leader: heartbeat, and resend Accepts not yet chosen */
  TIMER_CATCHUP,   /* learner: ask a peer for values it missed */
  TIMER_CLIENT,    /* client: the next command, or resend the current one */
  TIMER_KIND_COUNT
};

/* Message bodies (no padding bytes: every field is 4 bytes wide). */
typedef struct px_prepare_body {
  px_ballot ballot;
  uint32_t from_slot; /* phase 1 for every slot >= from_slot (single decree: 0) */
} px_prepare_body;

typedef struct px_promise_body {
  px_ballot ballot;   /* the ballot promised (the Prepare's) */
  uint32_t from_slot; /* the Prepare's from_slot */
  uint32_t pad;       /* 0 */
  /* accepted[i]: for every slot i >= from_slot, the highest-numbered proposal this acceptor has
   * accepted in slot i (ballot round 0: none). Entries below from_slot are not read. */
  px_slot accepted[PX_MAX_SLOTS];
} px_promise_body;

typedef struct px_accept_body {
  px_ballot ballot;
  uint32_t slot;
  px_value value;
} px_accept_body;

typedef struct px_accepted_body {
  px_ballot ballot;
  uint32_t slot;
  px_value value;
} px_accepted_body;

/* Phases a Nack can refuse. */
enum { PX_PHASE1 = 1, PX_PHASE2 = 2 };

typedef struct px_nack_body {
  px_ballot ballot;   /* the ballot refused */
  px_ballot promised; /* the higher ballot the acceptor has promised */
  uint32_t phase;     /* PX_PHASE1 (a Prepare) or PX_PHASE2 (an Accept) */
  uint32_t slot;      /* phase 2: the Accept's slot; phase 1: the Prepare's from_slot */
} px_nack_body;

typedef struct px_heartbeat_body {
  px_ballot ballot;
  uint32_t next_slot; /* the leader's next free slot: slots below it exist */
} px_heartbeat_body;

typedef struct px_query_body {
  uint32_t from_slot;
} px_query_body;

typedef struct px_chosen_entry {
  uint32_t slot;
  px_value value;
} px_chosen_entry;

typedef struct px_chosen_body {
  uint32_t count; /* entries used */
  px_chosen_entry entries[PX_CHOSEN_BATCH];
} px_chosen_body;

typedef struct px_request_body {
  px_value command;
  uint32_t attempt; /* 1 for the first send, 2 for the first resend, ... (for the trace) */
} px_request_body;

typedef struct px_reply_body {
  px_value command;
  uint32_t slot;
} px_reply_body;

/* What a node is. */
typedef enum {
  PX_IDLE = 0, /* does nothing at all (the tests' silent nodes) */
  PX_ACCEPTOR, /* single decree: acceptor and learner */
  PX_PROPOSER, /* single decree: proposer and learner */
  PX_REPLICA,  /* Multi-Paxos: acceptor, learner and leader candidate */
  PX_CLIENT    /* Multi-Paxos: submits commands */
} px_kind;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct px_config {
  px_kind kind;
  int acceptors; /* acceptors (or replicas) are nodes 0 .. acceptors-1 */
  int learners;  /* learners are nodes 0 .. learners-1: every Accepted goes to each of them */
  /* Single-decree proposer. */
  px_value value;           /* the value it wants chosen */
  sim_time start;           /* its first attempt, at this time */
  sim_time attempt_timeout; /* an attempt without a decision this long is given up */
  bool backoff;             /* true: wait proposer_backoff before retrying; false: `retry` */
  sim_time retry;           /* without backoff: the fixed wait before the next attempt */
  sim_time backoff_base;    /* with backoff: the first retry waits up to this long ... */
  sim_time backoff_cap;     /* ... each further one up to twice as long, never more than this */
  /* Acceptor. */
  bool volatile_acceptor; /* demonstration only: forget the acceptor's state at restart */
  /* Learner (every kind but the client): ask a peer for missed values this often. */
  sim_time catchup_every;
  /* Multi-Paxos replica. */
  sim_time heartbeat_every;            /* a leader's heartbeat (and Accept resend) period */
  sim_time election_min, election_max; /* silence from the leader this long starts phase 1 */
  /* Client. */
  uint32_t commands;  /* commands to submit, one after another (at most PX_MAX_COMMANDS) */
  sim_time think_max; /* pause before each command: uniform in 0 .. think_max */
  sim_time resend;    /* resend the current command to every replica this often */
} px_config;

/* ---------------------------------------------------------------------------------------------
 * A node's state. The parts marked "yours" are what your functions read and write.
 */

/* The acceptor's memory (yours): also exactly what stable storage holds at offset 0. */
typedef struct px_acceptor {
  px_ballot promised;             /* the highest ballot promised (round 0: none yet) */
  px_slot accepted[PX_MAX_SLOTS]; /* per slot: the highest-numbered proposal accepted */
} px_acceptor;

/* A single-decree proposer's phases. */
typedef enum { PROPOSER_IDLE = 0, PROPOSER_PREPARING, PROPOSER_ACCEPTING } px_proposer_phase;

/* The single-decree proposer (yours). One attempt at a time; an attempt is one ballot. */
typedef struct px_proposer {
  px_proposer_phase phase; /* IDLE: no attempt running (not started, or given up) */
  px_ballot ballot;        /* the current (or last) attempt's ballot */
  uint32_t promised_by;    /* bit i: acceptor i promised `ballot` (each counted once) */
  int promises;            /* how many distinct acceptors promised `ballot` */
  px_slot best;            /* the highest-numbered accepted proposal the promises reported */
  px_value proposed;       /* the value sent in phase 2 of this attempt (PX_NONE before) */
  uint32_t attempts;       /* attempts started so far (proposer_start calls) */
} px_proposer;

/* A learner's count of Accepted messages for one slot. */
typedef struct px_tally {
  px_ballot ballot; /* the ballot being counted (the highest seen for the slot) */
  uint32_t acks;    /* bit i: acceptor i accepted `ballot` */
  px_value value;   /* the value of `ballot` */
} px_tally;

/* The learner (yours): what it has learned, and its counts. */
typedef struct px_learner {
  px_value learned[PX_MAX_SLOTS]; /* PX_NONE: not learned yet (set by px_learn) */
  px_tally tally[PX_MAX_SLOTS];
} px_learner;

/* The Multi-Paxos leader (yours). */
typedef struct px_leader {
  bool preparing;                   /* phase 1 of `ballot` is running */
  bool active;                      /* phase 1 succeeded: this node leads at `ballot` */
  px_ballot ballot;                 /* this node's current ballot as a leader (or candidate) */
  uint32_t from_slot;               /* phase 1 covers every slot >= from_slot */
  uint32_t promised_by;             /* bit i: acceptor i promised `ballot` */
  int promises;                     /* distinct acceptors that promised `ballot` */
  px_slot merged[PX_MAX_SLOTS];     /* phase 1: per slot, the highest-numbered accepted
                                       proposal any promise reported */
  uint32_t next_slot;               /* active: where the next new command goes */
  px_value proposals[PX_MAX_SLOTS]; /* active: the value proposed in each slot at `ballot`
                                       (PX_NONE: nothing); protocol.c resends these */
} px_leader;

typedef struct px_state {
  px_config cfg; /* copied from the node's configuration at boot */

  /* Yours. */
  px_acceptor acc;  /* acceptor (PX_ACCEPTOR, PX_REPLICA) */
  px_proposer prop; /* single-decree proposer (PX_PROPOSER) */
  px_learner lrn;   /* learner (every kind but PX_CLIENT) */
  px_leader ldr;    /* Multi-Paxos leader (PX_REPLICA) */

  /* Kept by protocol.c; your code reads them. */
  px_ballot highest_seen; /* the highest ballot in any message this node received (and its own
                             acceptor's promise at boot) */
  uint32_t max_round;     /* the highest round this node has used as a proposer (px_next_ballot
                             raises it; on disk too, read back at boot) */

  /* Fixed code (protocol.c) only. */
  uint64_t retry_timer, attempt_timer; /* proposer */
  uint32_t log_hint;                   /* learner: slots known to exist (1 + highest seen) */
  int leader;                          /* replica: the leader last heard from (-1: none) */
  sim_time heard_leader;               /* ... when */
  px_value pending[PX_MAX_PENDING];    /* replica: client commands not yet seen in the log */
  int pending_count;
  uint32_t cmd_index;    /* client: commands submitted so far (the current one's k) */
  uint32_t cmd_attempts; /* client: sends of the current command */
  bool waiting;          /* client: the current command is not in the log yet */
  uint32_t replied;      /* client: commands answered */
  bool done;             /* client: every command answered */
} px_state;

/* Stable storage layout of every node. */
typedef struct px_disk {
  px_acceptor acc;    /* the acceptor's memory: acceptor_persist writes it, acceptor_recover
                         reads it back */
  uint32_t max_round; /* px_next_ballot writes it; protocol.c reads it back at boot */
  uint32_t pad;
} px_disk;

/* ---------------------------------------------------------------------------------------------
 * What a scenario run recorded (run->lab_data), for the tests: ground truth computed by the
 * checks in scenarios.c from what the acceptors accepted, not from what learners claim.
 */
enum { PX_MAX_VOTES = 4096, PX_VALUE_LIMIT = PX_MAX_NODES * 1000 + 1000 };

/* One proposal (a ballot in a slot) and the acceptors that accepted it. */
typedef struct px_vote {
  uint32_t slot;
  px_ballot ballot;
  px_value value; /* the value the ballot proposed in the slot */
  uint32_t by;    /* bit i: acceptor i accepted it */
  int32_t next;   /* the slot's next proposal: an index into votes, or -1 */
  sim_time first; /* when the first acceptor accepted it */
} px_vote;

/* The value chosen in one slot: the first ballot a majority accepted. */
typedef struct px_choice {
  bool chosen;
  px_ballot ballot;
  px_value value;
  uint32_t by; /* the majority (at the moment it became one) */
  sim_time at;
} px_choice;

typedef struct px_record {
  int acceptors, learners, nodes;
  bool multi; /* a Multi-Paxos world */
  bool volatile_acceptor;
  px_vote votes[PX_MAX_VOTES]; /* every proposal seen (Accept sent or accepted) */
  int32_t vote_count;
  int32_t vote_head[PX_MAX_SLOTS]; /* per slot: its first proposal in votes, or -1 */
  bool votes_full;                 /* more proposals than votes can hold: the run fails */
  px_choice chosen[PX_MAX_SLOTS];
  uint32_t slots_chosen;           /* slots with a chosen value */
  bool proposable[PX_VALUE_LIMIT]; /* values a proposer or a client put forward */
  uint32_t ballots;                /* distinct ballots in Prepare messages (phase 1 runs) */
  uint32_t ballots_of[PX_MAX_NODES];
  uint32_t nacks;        /* Nack messages */
  sim_time last_learned; /* when a learner last learned something */
  uint32_t crashes, restarts;
  uint32_t forgot;         /* restarts after which an acceptor had lost accepted state */
  char forgot_text[400];   /* the first, explained */
  char p2b[600];           /* the first Accept that proposed another value than the one
                              chosen at a lower ballot (Paxos Made Simple P2b), explained */
  uint32_t duplicates;     /* Multi-Paxos: commands chosen in more than one slot */
  uint32_t noops;          /* Multi-Paxos: slots chosen as no-ops */
  uint32_t leader_changes; /* Multi-Paxos: phase 1 runs that made a leader */

  /* The checks' own bookkeeping. */
  px_acceptor seen_acc[PX_MAX_NODES]; /* each acceptor's state after the last event */
  bool fresh[PX_MAX_NODES];           /* booted since: compare nothing, resynchronize */
  px_acceptor told[PX_MAX_NODES];     /* what each acceptor told others: the highest ballot in
                                         its Promises and Accepteds, its Accepteds per slot */
  px_acceptor before_crash[PX_MAX_NODES];
  px_value seen_learned[PX_MAX_NODES][PX_MAX_SLOTS];
  px_ballot last_prepare[PX_MAX_NODES];
  sim_time crashed_at[PX_MAX_NODES], restarted_at[PX_MAX_NODES];
} px_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol paxos_protocol;
extern const lab_info lab12;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code calls.
 */

/* A majority of the acceptors: cfg.acceptors / 2 + 1. */
int px_majority(const px_state *s);
/* Send a message to every acceptor (nodes 0 .. cfg.acceptors-1, this node too if it is one), in
 * node order. body has the type's size. */
void px_send_to_acceptors(sim_node *n, const px_state *s, int type, const void *body);
/* Send a message to every learner (nodes 0 .. cfg.learners-1, this node too if it is one). */
void px_send_to_learners(sim_node *n, const px_state *s, int type, const void *body);
/* Record that `value` is chosen in `slot` (the first time only; later calls change nothing).
 * protocol.c reacts: a proposer stops, a leader answers the command's client. */
void px_learn(sim_node *n, px_state *s, uint32_t slot, px_value value);
/* The first slot this node has not learned (PX_MAX_SLOTS if it learned them all). */
uint32_t px_first_unlearned(const px_state *s);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1: exercises/12-paxos/acceptor.c. Paxos Made Simple, section 2.2.
 */

/* The ballot order: negative if a < b, 0 if equal, positive if a > b. Rounds first; equal
 * rounds are ordered by node id. */
int ballot_cmp(px_ballot a, px_ballot b);

/* A Prepare(ballot, from_slot) arrived from proposer `from`. from_slot is at most PX_MAX_SLOTS:
 * a replica that has learned every slot prepares from PX_MAX_SLOTS, and that Prepare is answered
 * like any other, with a Promise that reports no slot. Phase 1(b): if the ballot is higher than
 * s->acc.promised, promise it: s->acc.promised = ballot, make the acceptor's state durable
 * (acceptor_persist), then send `from` a Promise carrying the ballot, the from_slot and, for every
 * slot from from_slot to PX_MAX_SLOTS - 1, the highest-numbered proposal accepted there
 * (s->acc.accepted). Otherwise (a ballot at or below the promise) send `from` a Nack(ballot,
 * s->acc.promised, PX_PHASE1, from_slot) and change nothing. */
void acceptor_on_prepare(sim_node *n, px_state *s, int from, const px_prepare_body *p);

/* An Accept(ballot, slot, value) arrived from proposer `from`. First, a slot >= PX_MAX_SLOTS is
 * ignored: no reply, no Nack, nothing changed. Phase 2(b): if the ballot is at or above
 * s->acc.promised, accept it: promised = ballot, accepted[slot] = (ballot, value), make it durable
 * (acceptor_persist), then send Accepted(ballot, slot, value) to every learner
 * (px_send_to_learners; section 2.3). Otherwise (a ballot below the promise) send `from` a
 * Nack(ballot, promised, PX_PHASE2, slot) and change nothing. */
void acceptor_on_accept(sim_node *n, px_state *s, int from, const px_accept_body *a);

/* Write s->acc to stable storage at offset 0 (sim_stable_write): the px_disk's acc. */
void acceptor_persist(sim_node *n, const px_state *s);

/* At boot (fresh or after a crash): read s->acc back from stable storage (a fresh disk reads as
 * zeros: nothing promised, nothing accepted). */
void acceptor_recover(sim_node *n, px_state *s);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2: exercises/12-paxos/proposer.c (the single-decree proposer and the
 * ballots every proposer uses) and exercises/12-paxos/learner.c.
 */

/* A new ballot for this node, higher than every ballot it has seen (s->highest_seen) and every
 * round it has used (s->max_round): (max(highest_seen.round, max_round) + 1, sim_self(n)).
 * Record the new round in s->max_round and in stable storage (the px_disk's max_round) before
 * returning: section 2.5, a proposer remembers the highest number it has tried, even across a
 * crash, so it never issues one ballot twice with different values. */
px_ballot px_next_ballot(sim_node *n, px_state *s);

/* Start an attempt (protocol.c calls it at config.start and after each backoff): a new ballot
 * (px_next_ballot); reset the attempt's promises, best and proposed; phase PREPARING; count the
 * attempt; send Prepare(ballot, from_slot 0) to every acceptor. Phase 1(a). */
void proposer_start(sim_node *n, px_state *s);

/* A Promise arrived from acceptor `from`. Ignore it unless the phase is PREPARING and it promises
 * the current ballot; count each acceptor once; keep the highest-numbered proposal reported for
 * slot 0 in prop.best. At the majority-th promise, phase 2(a): propose the value of the
 * highest-numbered proposal reported, or the node's own (cfg.value) if none was reported; record
 * it in prop.proposed, go to ACCEPTING and send Accept(ballot, 0, value) to every acceptor. */
void proposer_on_promise(sim_node *n, px_state *s, int from, const px_promise_body *p);

/* A Nack arrived. If it refuses the current ballot and names a higher promise, and an attempt is
 * running, the attempt has failed: set the phase to IDLE (protocol.c then arms the next attempt).
 * Anything else (an old ballot's Nack, an answer to a duplicate) is ignored. */
void proposer_on_nack(sim_node *n, px_state *s, int from, const px_nack_body *k);

/* Randomized exponential backoff: how long to wait before the next attempt. After attempt k
 * (s->prop.attempts, k >= 1) the wait is uniform in 1 .. limit microseconds, limit =
 * cfg.backoff_base * 2^(k-1) but at most cfg.backoff_cap, drawn from this node's random stream
 * (sim_random_below). Section 2.4: without randomness two proposers can pre-empt each other for
 * ever. */
sim_time proposer_backoff(sim_node *n, px_state *s);

/* An Accepted(ballot, slot, value) arrived from acceptor `from`. Section 2.3: a value is chosen
 * once a majority of acceptors accepted it in one ballot. Per slot, count the acceptors of the
 * highest ballot seen (s->lrn.tally[slot]): a higher ballot restarts the count, a lower one is
 * ignored, each acceptor counts once. At a majority, px_learn(slot, value). A slot at or beyond
 * PX_MAX_SLOTS, or already learned, is ignored. */
void learner_on_accepted(sim_node *n, px_state *s, int from, const px_accepted_body *a);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3: exercises/12-paxos/multi.c, the Multi-Paxos leader (section 3).
 * protocol.c calls leader_start when a replica has heard from no leader for an election timeout,
 * leader_propose for each client command while the replica leads, leader_on_higher_ballot for
 * every Nack and for every Prepare, Accept or Heartbeat of another node.
 */

/* Run phase 1 for every slot from this node's first unlearned one (px_first_unlearned): a new
 * ballot (px_next_ballot), preparing (not active), no promises, nothing merged or proposed,
 * next_slot = from_slot; send Prepare(ballot, from_slot) to every acceptor. */
void leader_start(sim_node *n, px_state *s);

/* A Promise arrived from acceptor `from`. from_slot below is s->ldr.from_slot (the Promise
 * echoes it). Ignore the Promise unless preparing and for the current ballot; count each acceptor
 * once; merge its report: for each slot >= from_slot keep the highest-numbered accepted proposal
 * in s->ldr.merged. At the majority-th promise the node leads (active, no longer preparing): for
 * every slot from from_slot up to the highest slot any promise reported, skipping slots this node
 * has learned, propose at the current ballot (phase 2 only) the merged value, or PX_NOOP where
 * nothing was reported: section 3's gaps. Then next_slot = one past the highest reported slot,
 * learned or not (from_slot if no slot was reported). Proposing a slot: record it in
 * s->ldr.proposals[slot] and send Accept(ballot, slot, value) to every acceptor. */
void leader_on_promise(sim_node *n, px_state *s, int from, const px_promise_body *p);

/* Put a new command in the log while leading: the next slot (then next_slot + 1), recorded in
 * proposals, Accept(ballot, slot, command) to every acceptor: phase 2 only, no Prepare (section 3:
 * a stable leader skips phase 1). Returns the slot, or -1 if not active or the log is full. */
int leader_propose(sim_node *n, px_state *s, px_value command);

/* Some node showed ballot b (in a Nack, or its own Prepare, Accept or Heartbeat). If b is higher
 * than this node's leader ballot, someone else is leading or trying to: stop leading and stop
 * preparing (the election timer will try again later). Otherwise ignore it. */
void leader_on_higher_ballot(sim_node *n, px_state *s, px_ballot b);

#endif
