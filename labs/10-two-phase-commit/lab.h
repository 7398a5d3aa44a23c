/*
 * labs/10-two-phase-commit/lab.h: lab 10, atomic across nodes: two-phase and three-phase commit.
 *
 * One coordinator (n0) runs a series of transactions, one after another, over P participants
 * (n1 .. nP). Each participant decides for itself whether it can commit a transaction (its
 * configuration says, per transaction, whether it votes yes or no). The transaction must end the
 * same way everywhere: committed at every node or aborted at every node, and committed only if
 * every participant voted yes. Nodes crash and restart; what they wrote to stable storage (their
 * log) survives, everything else is wiped.
 *
 * Two protocols share the code:
 *
 *   2PC  Two-phase commit (Gray 1978, "Notes on Data Base Operating Systems"; stated precisely by
 *        Gray and Lamport 2006, "Consensus on Transaction Commit", ACM TODS 31(1), sections 2 and
 *        3). Phase 1: the coordinator asks every participant to prepare; each votes, and a yes
 *        vote is a promise written to its log first. Phase 2: the coordinator decides (commit if
 *        every vote was yes, else abort), writes the decision to its log, and only then tells
 *        everyone. A participant that voted yes may not decide alone: if the coordinator dies
 *        after the votes and before telling it the outcome, it is blocked until the coordinator
 *        comes back.
 *   3PC  Three-phase commit (Skeen 1981, "Nonblocking Commit Protocols", SIGMOD). Between the
 *        votes and the commit, the coordinator first tells every participant that everyone voted
 *        yes (PreCommit) and commits only when all have acknowledged. Then no participant can be
 *        committed while another is still uncertain, and when the coordinator falls silent the
 *        participants can finish the transaction on their own: a termination protocol elects a
 *        backup coordinator that collects their states and decides. It assumes crashes only
 *        and a network that delivers within a bound: a partition breaks it.
 *
 * A transaction's state at a node uses Skeen's letters: q (TX_INIT), w (TX_UNCERTAIN), p
 * (TX_PRECOMMITTED), c (TX_COMMITTED), a (TX_ABORTED). A node's log holds one such state per
 * transaction (log_write, log_read), so the log record and the state have the same names.
 *
 * You write the functions at the bottom, in three files: exercises/10-two-phase-commit/
 * coordinator.c and participant.c (part A, 2PC), then threepc.c (part B, 3PC). protocol.c has
 * the fixed parts: message and timer tables, boot (which calls your recovery functions), the
 * series of transactions, the dispatch of every message and timer, annotations for the viewer,
 * and the helpers declared below. scenarios.c has the scenarios the driver and the tests run,
 * and their checks.
 */
#ifndef LAB10_H
#define LAB10_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  TPC_MAX_NODES = 9,  /* the coordinator n0 and up to 8 participants n1 .. n8 */
  TPC_MAX_TXNS = 8,   /* transactions in one run, numbered 1 .. TPC_MAX_TXNS */
  TPC_COORDINATOR = 0 /* the coordinator's node id */
};

/* Which protocol a run uses. */
typedef enum { PROTO_2PC = 2, PROTO_3PC = 3 } tpc_variant;

/* A transaction's state at one node. The same values are what the log holds for it. */
typedef enum {
  TX_INIT = 0,     /* q: nothing done yet (the log: no record) */
  TX_VOTING,       /* coordinator: began, collecting votes (the log: "begin") */
  TX_COLLECTING,   /* 3PC backup coordinator: collecting the participants' states (never
                      logged) */
  TX_UNCERTAIN,    /* participant: voted yes, outcome unknown (w) */
  TX_PRECOMMITTED, /* 3PC: everyone voted yes, a commit is coming (p); coordinator or backup:
                      PreCommit sent, waiting for acknowledgements */
  TX_COMMITTED,    /* c */
  TX_ABORTED       /* a */
} tx_state;

/* True for TX_COMMITTED and TX_ABORTED: the outcome is known and final. */
bool tx_decided(tx_state st);
/* "init", "voting", "collecting", "uncertain", "precommitted", "committed", "aborted". */
const char *tx_name(tx_state st);
/* A message type's name as the trace shows it ("Prepare", "Vote", ...). */
const char *tpc_msg_name(int type);

/* Message types (indexes into the protocol's type table). Every message carries a tpc_msg. */
enum {
  MSG_PREPARE,       /* coordinator -> participant: vote on tx */
  MSG_VOTE,          /* participant -> coordinator: yes or no */
  MSG_PRECOMMIT,     /* 3PC, coordinator or backup -> participant: everyone voted yes */
  MSG_PRECOMMIT_ACK, /* 3PC, participant -> whoever sent the PreCommit */
  MSG_COMMIT,        /* the decision: commit (to a participant, or an answer to an Inquiry) */
  MSG_ABORT,         /* the decision: abort */
  MSG_ACK,           /* participant -> the decider: I know the outcome */
  MSG_INQUIRY,       /* "what was decided for tx?" (a node that is uncertain or recovering) */
  MSG_STATE_REQ,     /* 3PC termination, backup -> participant: what is your state? */
  MSG_STATE_REPLY,   /* 3PC termination, participant -> backup: this one */
  MSG_TYPE_COUNT
};

/* The body of every message. Fields a type does not use are 0. */
typedef struct tpc_msg {
  uint32_t tx;    /* the transaction, 1 .. */
  uint32_t round; /* 3PC: PreCommit, its ack, StateReq, StateReply: the termination round
                     (0: the coordinator's own PreCommit) */
  int32_t yes;    /* Vote: 1 yes, 0 no */
  int32_t state;  /* StateReply: the sender's tx_state */
} tpc_msg;

/* Timer kinds. The argument of TIMER_COORD and TIMER_PART is the transaction. */
enum {
  TIMER_NEXT,  /* coordinator (protocol.c): begin the next transaction */
  TIMER_COORD, /* coordinator or backup: deadlines and resends of one transaction */
  TIMER_PART,  /* participant: ask about an outcome again (2PC) or start a termination (3PC) */
  TIMER_KIND_COUNT
};

/* How long to wait. Local-clock microseconds; every node gets the same values. */
typedef struct tpc_timing {
  sim_time vote_timeout; /* coordinator: abort if the votes are not all in after this long */
  sim_time ack_timeout;  /* 3PC coordinator or backup: commit after this long even if some
                            PreCommit acknowledgements are missing (those nodes have crashed) */
  sim_time retry;        /* coordinator or backup: resend to the silent this often */
  sim_time inquire;      /* participant: ask again this often while uncertain or recovering */
  sim_time term_timeout; /* 3PC participant: coordinator (or backup) silent this long: start or
                            move to the next termination round */
  sim_time collect;      /* 3PC backup: wait this long for the participants' states */
} tpc_timing;

/* The timing every scenario uses (and the unit tests): vote and ack timeouts 100 ms, resend every
 * 30 ms, inquire every 50 ms, termination timeout 200 ms, collect for 40 ms. With latencies of
 * 1 .. 10 ms, every timeout is longer than any exchange it waits for. */
tpc_timing tpc_default_timing(void);

/* How a node is configured (sim_add_node's config bytes). Every node gets the same shape. */
typedef struct tpc_config {
  tpc_variant variant;
  uint32_t txns;     /* coordinator: transactions to run, 1 .. TPC_MAX_TXNS */
  sim_time start;    /* coordinator: the first transaction begins at this time */
  sim_time gap;      /* coordinator: pause between the end of one transaction and the next */
  uint32_t no_votes; /* participant: bit t set = it cannot commit transaction t (votes no) */
  tpc_timing timing;
} tpc_config;

/* One transaction as the node that coordinates it sees it: n0 always, and a participant while
 * it is the backup coordinator of a 3PC termination round. Masks have bit i for node i. */
typedef struct tpc_coord_tx {
  tx_state state;    /* TX_INIT, TX_VOTING, TX_COLLECTING, TX_PRECOMMITTED, decided */
  bool recovering;   /* 3PC coordinator restarted with only "begin" in its log: it asks the
                        participants for the outcome and never decides it */
  uint32_t round;    /* the termination round it leads (0 for n0) */
  uint32_t members;  /* the participants it waits for: all of them for n0; for a backup, itself
                        and those that answered its StateReq */
  uint32_t voted;    /* VOTING: members whose vote arrived */
  uint32_t yes;      /* VOTING: ... and voted yes */
  uint32_t acked;    /* PRECOMMITTED: members that acknowledged the PreCommit; decided: members
                        that acknowledged the decision */
  sim_time phase_at; /* sim_clock when the current state began (for the deadlines) */
  uint8_t report[TPC_MAX_NODES]; /* COLLECTING: the tx_state each member reported */
} tpc_coord_tx;

/* One transaction as a participant sees it. */
typedef struct tpc_part_tx {
  tx_state state;  /* TX_INIT, TX_UNCERTAIN, TX_PRECOMMITTED, TX_COMMITTED, TX_ABORTED */
  bool recovering; /* restarted before knowing the outcome: it only asks, and (3PC) takes no
                      part in a termination */
  uint32_t round;  /* 3PC: the termination round it is in (0: still the coordinator's) */
} tpc_part_tx;

/* A node's whole state: flat, zeroed at boot. */
typedef struct tpc_state {
  tpc_config config; /* copied from the node's configuration at boot */

  /* Yours. Index 0 is unused: transactions are numbered from 1. */
  tpc_coord_tx coord[TPC_MAX_TXNS + 1]; /* n0, and a participant acting as a backup */
  tpc_part_tx part[TPC_MAX_TXNS + 1];   /* participants */

  /* Fixed code (protocol.c) only. */
  uint32_t next_tx;                       /* coordinator: the next transaction to begin */
  uint64_t coord_timer[TPC_MAX_TXNS + 1]; /* pending timers (coord_timer, part_timer) */
  uint64_t part_timer[TPC_MAX_TXNS + 1];
  bool next_armed;      /* coordinator: TIMER_NEXT is pending */
  uint32_t last_log_tx; /* the last log_write: which transaction ... */
  tx_state last_log;    /* ... and what (the checks describe crash points with it) */
} tpc_state;

/* The stable storage of a node: its log, one record per transaction (index 0 unused). */
typedef struct tpc_log {
  uint8_t rec[TPC_MAX_TXNS + 1]; /* a tx_state; TX_INIT: no record */
} tpc_log;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol tpc_protocol;
extern const lab_info lab10;
/* For unit tests: the same messages and state, but boot only copies the configuration and every
 * message and timer is ignored, so a test can call your functions one at a time by hand. */
extern const sim_protocol tpc_inert_protocol;

/* ---------------------------------------------------------------------------------------------
 * Helpers that your code calls. From the library (sim.h): sim_self(n), this node's id
 * (TPC_COORDINATOR is n0); sim_clock(n), its local clock now (for phase_at and the deadlines);
 * sim_node_count(n), the number of nodes, n0 included. From protocol.c, the ones below.
 */

/* The number of participants P (nodes n1 .. nP), and the mask of all of them. */
int tpc_participants(const sim_node *n);
uint32_t tpc_everyone(const sim_node *n);
/* The bit of node i in a mask. */
static inline uint32_t tpc_bit(int i) { return 1u << i; }

/* The log. log_write stores `st` as this node's record for tx (replacing the old one) in
 * stable storage; it survives a crash. Write the log only with log_write: the checks and the
 * crash points count its writes. log_read returns the record (TX_INIT if none). */
void log_write(sim_node *n, tpc_state *s, uint32_t tx, tx_state st);
tx_state log_read(const sim_node *n, uint32_t tx);

/* Messages. Each sends one message to node `to`. */
void send_prepare(sim_node *n, int to, uint32_t tx);
void send_vote(sim_node *n, int to, uint32_t tx, bool yes);
void send_decision(sim_node *n, int to, uint32_t tx, tx_state decision); /* Commit or Abort */
void send_ack(sim_node *n, int to, uint32_t tx);
void send_inquiry(sim_node *n, int to, uint32_t tx);
void send_precommit(sim_node *n, int to, uint32_t tx, uint32_t round);
void send_precommit_ack(sim_node *n, int to, uint32_t tx, uint32_t round);
void send_state_req(sim_node *n, int to, uint32_t tx, uint32_t round);
void send_state_reply(sim_node *n, int to, uint32_t tx, uint32_t round, tx_state st);

/* Timers. Each replaces the pending timer of its kind for tx (cancelling the old one) with one
 * that fires after `delay` of local time: TIMER_COORD calls coord_on_timeout (or term_decide for
 * a backup that is collecting), TIMER_PART calls part_on_timeout. *_timer_stop cancels it. */
void coord_timer(sim_node *n, tpc_state *s, uint32_t tx, sim_time delay);
void coord_timer_stop(sim_node *n, tpc_state *s, uint32_t tx);
void part_timer(sim_node *n, tpc_state *s, uint32_t tx, sim_time delay);
void part_timer_stop(sim_node *n, tpc_state *s, uint32_t tx);

/* A participant's own verdict on tx, from its configuration: true if it can commit it (votes
 * yes), false if it must vote no. */
bool part_can_commit(const tpc_state *s, uint32_t tx);

/* 3PC: the backup coordinator of termination round r (r >= 1) among P participants: n1 for
 * round 1, n2 for round 2, ... and round P + 1 starts again at n1. */
int tpc_backup_of(uint32_t round, int participants);

/* ---------------------------------------------------------------------------------------------
 * What you write, part A1: the 2PC coordinator (exercises/10-two-phase-commit/coordinator.c).
 * protocol.c calls coord_begin for transaction 1, 2, ... in turn: the next one begins once the
 * previous one is decided. On n0 it routes Vote, Ack, PreCommitAck and Inquiry messages and the
 * TIMER_COORD timers to the functions below. (3PC: a Commit or Abort that reaches n0 while its
 * record of tx is undecided, the answer to its inquiries after a restart, goes to coord_decide.)
 */

/* Begin transaction tx (its coord[tx] is TX_INIT). Write "begin" to the log first (log_write
 * TX_VOTING), so that a coordinator that restarts knows the transaction exists. Then: state
 * TX_VOTING, members = every participant, no votes or acks yet, phase_at = sim_clock(n); send
 * Prepare to every participant; arm the coordinator timer (retry). */
void coord_begin(sim_node *n, tpc_state *s, uint32_t tx);

/* A Vote arrived from participant `from`. Ignore it unless coord[tx] is TX_VOTING (a late or
 * duplicated vote). Record it (a second vote from the same node changes nothing). A no vote:
 * decide abort at once. Every member has voted yes: 2PC decides commit; 3PC calls
 * coord_precommit instead (part B). A vote from a node outside members: the reference ignores
 * it, but it does not matter here: on n0, members is every participant, and only n0 gets votes. */
void coord_on_vote(sim_node *n, tpc_state *s, int from, uint32_t tx, bool yes);

/* Decide tx: `decision` is TX_COMMITTED or TX_ABORTED. If coord[tx] is already decided, do
 * nothing. Otherwise write the decision to the log FIRST (write-ahead: a decision that was sent
 * must survive a crash), then set the state, no acks yet (count yourself as acked if you are a
 * participant), phase_at = now, recovering = false; if you are a participant (a 3PC backup),
 * your own part[tx] takes the decision too (the log record you just wrote is its record).
 * Send the decision to every participant but yourself, and arm the coordinator timer (retry)
 * to resend it to the members that do not acknowledge. It does not touch members: the caller
 * has set it (coord_begin, coord_recover, term_start), and the resends go only to members. */
void coord_decide(sim_node *n, tpc_state *s, uint32_t tx, tx_state decision);

/* An Ack of the decision arrived from `from`: if tx is decided, note it in acked. */
void coord_on_ack(sim_node *n, tpc_state *s, int from, uint32_t tx);

/* The coordinator timer of tx fired (n0, or a 3PC backup past its collecting phase):
 *   recovering (3PC)   ask every participant again (Inquiry), re-arm (retry);
 *   TX_VOTING          vote_timeout has passed since phase_at: decide abort (a coordinator that
 *                      has not decided may always abort); otherwise resend Prepare to the
 *                      members that have not voted and re-arm (retry);
 *   TX_PRECOMMITTED    (3PC) ack_timeout has passed: decide commit (the members that did not
 *                      acknowledge have crashed, and will learn the outcome when they recover);
 *                      otherwise resend PreCommit (with coord[tx].round) to the members that
 *                      have not acknowledged and re-arm;
 *   decided            resend the decision to the members that have not acknowledged and re-arm;
 *                      when all have, stop. */
void coord_on_timeout(sim_node *n, tpc_state *s, uint32_t tx);

/* At boot, on n0, fresh or after a crash: read the log for every transaction. Your memory is
 * zeroed (coord[tx] is all 0, members too), so set what the resends need.
 *   committed / aborted   restore the decision (members = every participant, nothing acked,
 *                         phase_at = now), send it to every participant again, arm the timer:
 *                         the participants may never have heard it;
 *   "begin" only          (the record TX_VOTING) 2PC: set members = every participant (state
 *                         TX_VOTING, phase_at = now), then coord_decide(TX_ABORTED): the decision
 *                         cannot have been sent (it would be in the log), and coord_on_timeout
 *                         resends the Abort only to members. 3PC: you may NOT decide (the
 *                         participants may have finished the transaction without you, either
 *                         way): mark it recovering (state TX_VOTING, members = every
 *                         participant), send an Inquiry to every participant and arm the timer;
 *                         the answer reaches coord_decide;
 *   nothing               nothing. */
void coord_recover(sim_node *n, tpc_state *s);

/* An Inquiry for tx arrived from `from` (at any node): if this node knows the outcome, as
 * coordinator (coord[tx]) or as participant (part[tx]), send it to `from` (send_decision). A
 * participant (not n0: sim_self(n) != TPC_COORDINATOR; n0's part[tx] is unused and always
 * TX_INIT) that has not voted on tx (part[tx] is TX_INIT) may abort it now, since it never
 * voted yes (log it first), and answer abort: a 3PC coordinator that restarts after "begin"
 * learns that way that nobody can have committed. Otherwise say nothing: the asker will ask
 * again. */
void on_inquiry(sim_node *n, tpc_state *s, int from, uint32_t tx);

/* ---------------------------------------------------------------------------------------------
 * What you write, part A2: the participant (exercises/10-two-phase-commit/participant.c).
 */

/* A Prepare for tx arrived from the coordinator `from`. If you have voted on tx before (a
 * resent Prepare), send the same vote again: yes if your state is TX_UNCERTAIN, TX_PRECOMMITTED
 * or TX_COMMITTED, no if TX_ABORTED (the reference does not re-arm the timer then: the first
 * vote armed it; re-arming would do no harm). Otherwise vote now with part_can_commit:
 *   yes: write TX_UNCERTAIN to the log FIRST (a yes vote is a promise to commit if told to,
 *        even after a crash), then state TX_UNCERTAIN, send Vote(yes), and arm your participant
 *        timer (2PC: timing.inquire; 3PC: timing.term_timeout);
 *   no:  you may abort on your own, since you never promised anything: write TX_ABORTED to the
 *        log, state TX_ABORTED, send Vote(no). */
void part_on_prepare(sim_node *n, tpc_state *s, int from, uint32_t tx);

/* A decision (TX_COMMITTED or TX_ABORTED) for tx arrived from `from`. If you have not decided
 * tx yet: write it to the log FIRST, then take it (state; recovering = false), and stop your
 * participant timer. A decision once taken never changes: if you already decided, keep yours.
 * Either way send Ack to `from`. */
void part_on_decision(sim_node *n, tpc_state *s, int from, uint32_t tx, tx_state decision);

/* Your participant timer for tx fired. If tx is decided (or you never voted), do nothing.
 *   recovering:            ask again (Inquiry: 2PC to the coordinator; 3PC to every other
 *                          node), re-arm (timing.inquire);
 *   2PC, TX_UNCERTAIN:     ask the coordinator (Inquiry), re-arm (timing.inquire). NEVER decide
 *                          on your own: you voted yes, the coordinator may have committed;
 *   3PC, TX_UNCERTAIN or TX_PRECOMMITTED: the coordinator (or the backup of your round) is
 *                          silent: term_start (part B). */
void part_on_timeout(sim_node *n, tpc_state *s, uint32_t tx);

/* At boot, on a participant, fresh or after a crash: read the log for every transaction.
 *   committed / aborted            restore the state;
 *   TX_UNCERTAIN / TX_PRECOMMITTED restore the state, mark it recovering, send an Inquiry (2PC:
 *                                  to the coordinator; 3PC: to every other node) and arm your
 *                                  participant timer (timing.inquire);
 *   nothing                        nothing (you never voted: a Prepare may still come). */
void part_recover(sim_node *n, tpc_state *s);

/* ---------------------------------------------------------------------------------------------
 * What you write, part B: three-phase commit (exercises/10-two-phase-commit/threepc.c).
 */

/* Every member voted yes (n0), or the termination rule said "commit" for a backup. Set
 * coord[tx] to TX_PRECOMMITTED, nothing acked (count yourself as acked if you are a
 * participant), phase_at = now; send PreCommit(tx, coord[tx].round) to every member but
 * yourself; arm the coordinator timer (retry). Commit only once they have all acknowledged
 * (coord_on_precommit_ack). */
void coord_precommit(sim_node *n, tpc_state *s, uint32_t tx);

/* A PreCommit acknowledgement from `from` for `round`. Ignore it unless coord[tx] is
 * TX_PRECOMMITTED with that round. Note it; once every member has acknowledged, decide commit. */
void coord_on_precommit_ack(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round);

/* A PreCommit for tx in `round` arrived from `from` (the coordinator, or the backup of a
 * round). Ignore it if you are recovering, if you have decided or never voted, or if round is
 * older than your part[tx].round. Otherwise adopt the round; if you are not yet
 * TX_PRECOMMITTED, write it to the log FIRST and take it; send PreCommitAck(tx, round) to
 * `from`; re-arm your participant timer (timing.term_timeout). */
void part_on_precommit(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round);

/* The termination rule: what a backup decides from the states of the participants it heard
 * (states[0 .. count-1], its own included):
 *   any TX_COMMITTED                  -> TX_COMMITTED   (someone already committed)
 *   any TX_ABORTED or TX_INIT         -> TX_ABORTED     (someone aborted, or never voted yes,
 *                                                        so nobody can have pre-committed)
 *   any TX_PRECOMMITTED               -> TX_PRECOMMITTED (everyone voted yes: pre-commit the
 *                                                        others, then commit)
 *   all TX_UNCERTAIN                  -> TX_ABORTED     (nobody can have committed: the
 *                                                        coordinator commits only after every
 *                                                        participant pre-committed) */
tx_state term_rule(const uint8_t *states, int count);

/* Called by part_on_timeout (3PC, undecided, not recovering): move to the next termination
 * round (part[tx].round + 1). If you are its backup (tpc_backup_of): take charge of tx as its
 * coordinator: coord[tx] = TX_COLLECTING, round, members = yourself, report[yourself] = your own
 * state, phase_at = now; send StateReq(tx, round) to every other participant, and arm the
 * coordinator timer (timing.collect): when it fires, protocol.c calls term_decide. Either way
 * re-arm your participant timer (timing.term_timeout): if this round's backup stays silent, you
 * will move to the next. */
void term_start(sim_node *n, tpc_state *s, uint32_t tx);

/* A StateReq for tx in `round` arrived from the backup `from`. Ignore it if you are recovering
 * or if round is older than your part[tx].round. Adopt the round. If you never voted (TX_INIT),
 * abort tx now (log it first): you may, since you never voted yes. Reply StateReply(tx, round,
 * your state) to `from`; if you are undecided, re-arm your participant timer
 * (timing.term_timeout). */
void term_on_state_req(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round);

/* A StateReply from `from`: if you are collecting for that tx and round, note the reported
 * state and add `from` to the members. */
void term_on_state_reply(sim_node *n, tpc_state *s, int from, uint32_t tx, uint32_t round,
                         tx_state st);

/* The collecting window of a backup ended. If you have moved on to a later round meanwhile
 * (part[tx].round is not coord[tx].round), give up the role (coord[tx] back to TX_INIT) and do
 * nothing. Otherwise apply term_rule to the members' reports, your own taken afresh from
 * part[tx].state (if a decision reached you while collecting, the rule returns it, and
 * coord_decide logs the same record again and tells the others), and act:
 *   TX_COMMITTED / TX_ABORTED  coord_decide;
 *   TX_PRECOMMITTED            if you are only TX_UNCERTAIN yourself, write TX_PRECOMMITTED to
 *                              your log first and take it; then coord_precommit (the members
 *                              still uncertain pre-commit, the others acknowledge again). */
void term_decide(sim_node *n, tpc_state *s, uint32_t tx);

/* ---------------------------------------------------------------------------------------------
 * What a scenario run recorded (run->lab_data), for the tests: the ground truth, measured by the
 * scenario's observer and invariants (scenarios.c), not by your code.
 */
typedef struct lab10_record {
  int nodes; /* n0 and the participants */
  tpc_variant variant;
  uint32_t txns;                    /* transactions the coordinator runs */
  uint32_t no_votes[TPC_MAX_NODES]; /* each participant's configured no votes (bit t) */
  /* Per node and transaction: the decision it reached (TX_INIT: none yet) and when. */
  uint8_t decided[TPC_MAX_NODES][TPC_MAX_TXNS + 1];
  sim_time decided_at[TPC_MAX_NODES][TPC_MAX_TXNS + 1];
  /* Per participant and transaction: it sent a yes vote / a no vote; when it first voted yes. */
  bool voted_yes[TPC_MAX_NODES][TPC_MAX_TXNS + 1];
  bool voted_no[TPC_MAX_NODES][TPC_MAX_TXNS + 1];
  sim_time voted_yes_at[TPC_MAX_NODES][TPC_MAX_TXNS + 1];
  uint32_t yes_received[TPC_MAX_TXNS + 1]; /* n0 received a yes vote from node i: bit i */
  sim_time begun_at[TPC_MAX_TXNS + 1];     /* n0 logged "begin" (0: never) */
  uint32_t inquiries[TPC_MAX_NODES];       /* Inquiry messages each node sent */
  uint32_t inquiries_answered;             /* decisions sent in answer to an Inquiry */
  uint32_t rounds_started;                 /* 3PC: StateReq rounds backups opened */
  uint32_t crashes[TPC_MAX_NODES];
  sim_time crashed_at[TPC_MAX_NODES], restarted_at[TPC_MAX_NODES]; /* the latest */
  uint32_t actions[TPC_MAX_NODES]; /* sends and log writes, as the crash points count */
  /* The crash point of this run (crash-point scenarios): node `cp_node` crashes right after its
   * `cp_k`-th action; cp_reached tells whether it did, cp_what what that action was. */
  int cp_node;
  uint32_t cp_k;
  bool cp_reached;
  sim_time cp_at;
  char cp_what[96];
  /* A second crash point (3pc-crash-backup: the backup n1). */
  int cp2_node;
  uint32_t cp2_k;
  bool cp2_reached;
  char cp2_what[96];
  sim_time down; /* how long a crashed node stays down */
  /* Blocking: for each participant, how long it stayed uncertain while n0 was down. */
  sim_time blocked_for[TPC_MAX_NODES];
  /* The checks' own bookkeeping. */
  char last_action[TPC_MAX_NODES][96];
  uint8_t seen[TPC_MAX_NODES][TPC_MAX_TXNS + 1];   /* decided or not, as of the previous event */
  uint8_t logged[TPC_MAX_NODES][TPC_MAX_TXNS + 1]; /* each log record, as of the previous event */
  int step_node, step_type;                        /* the receive this step began with (-1: none) */
  uint32_t step_tx;
  bool step_restart[TPC_MAX_NODES]; /* the node (re)booted in this step */
  bool first_commit_checked[TPC_MAX_TXNS + 1];
  bool partitioned; /* a partition or a block was applied */
  bool lossy;       /* messages may be lost (3PC assumes they are not) */
} lab10_record;

#endif
