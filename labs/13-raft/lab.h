/*
 * labs/13-raft/lab.h: lab 13, Raft: a replicated log that survives crashes and lost messages.
 *
 * A world holds S servers (n0 .. n(S-1)) running Raft (Ongaro and Ousterhout, "In Search of an
 * Understandable Consensus Algorithm (Extended Version)", 2014; "the paper" below) and, in the
 * key-value scenarios, client nodes after them (c<id>). Each server keeps a log of commands; once
 * an entry is committed, every server applies it, in log order, to its copy of a small key-value
 * store (keys k0 .. k3, integer values). Figure 2 of the paper is the specification: every rule
 * you write quotes it.
 *
 * The parts, in the order you write them:
 *
 *   (a) Leader election (section 5.2): election timeouts, RequestVote, votes, one leader per term.
 *   (b) Log replication (section 5.3) and the commit rule with its restriction (section 5.4):
 *       AppendEntries, its consistency check, nextIndex / matchIndex, commitIndex.
 *   (c) Persistence and unreliable networks (sections 5.1, 5.5): currentTerm, votedFor and the log
 *       go to stable storage, so a server that crashes and restarts keeps its promises; replies
 *       that are lost, duplicated, reordered or late must not confuse a leader.
 *   (d) Log compaction (section 7, Figure 13): the key-value service hands Raft a snapshot of its
 *       store when the log grows past a threshold; Raft discards the entries the snapshot covers,
 *       persists the snapshot with its state, and sends it in InstallSnapshot to a follower
 *       whose next entry the leader no longer holds.
 *
 * You write exercises/13-raft/election.c, replication.c, persist.c and snapshot.c (the functions at
 * the bottom of this file). protocol.c has everything else: message tables, boot, timers, applying
 * committed entries to the key-value store, the key-value service and its clients, and the
 * helpers declared below.
 *
 * Log indexing follows the paper: entries are numbered from 1; log[0] is a fixed sentinel with
 * term 0, so "the entry before index 1" always exists. A server's log is entries 1 .. log_len.
 *
 * Compaction (part (d)) moves the start: entries 1 .. snap_index live only in the snapshot, and
 * log[k] holds entry snap_index + k. log[0] is then the sentinel for the last entry the snapshot
 * replaces (term snap_term: Figure 13's lastIncludedIndex and lastIncludedTerm). log_len stays the
 * index of the last entry (absolute), and at most RAFT_LOG_CAP entries are held (log_len -
 * snap_index <= RAFT_LOG_CAP). Use raft_entry_at and raft_term_at rather than s->log[index]: they
 * do the offset. Until a server snapshots, snap_index is 0 and log[index] is entry index.
 *
 * Persistence: Figure 2 says persistent state is "updated on stable storage before responding to
 * RPCs". In this simulator a crash happens between events, never inside a handler, so protocol.c
 * calls your raft_persist once at the end of every event of a server (in worlds configured with
 * persist = true: the scenarios that crash servers), which is the same thing: nothing a handler
 * sends can be seen before its state is on disk.
 */
#ifndef LAB13_H
#define LAB13_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  RAFT_MAX_SERVERS = 7,             /* S: servers in a world */
  RAFT_LOG_CAP = 512,               /* entries a log can hold (index 1 .. RAFT_LOG_CAP) */
  RAFT_MAX_BATCH = 32,              /* entries one AppendEntries carries at most */
  RAFT_KEYS = 4,                    /* keys k0 .. k3 of the key-value store */
  RAFT_MAX_CLIENTS = SIM_MAX_NODES, /* dedup table size: indexed by client node id */
  RAFT_NO_VOTE = -1 /* votedFor when the server voted for nobody in its current term */
};

/* Message types (indexes into the protocol's type table). */
enum {
  MSG_REQUEST_VOTE,       /* candidate -> server: vote for me (Figure 2, RequestVote RPC) */
  MSG_REQUEST_VOTE_REPLY, /* server -> candidate */
  MSG_APPEND_ENTRIES,     /* leader -> server: entries or a heartbeat (Figure 2, AppendEntries) */
  MSG_APPEND_REPLY,       /* server -> leader */
  MSG_INSTALL_SNAPSHOT,   /* leader -> server: my snapshot (Figure 13, InstallSnapshot RPC) */
  MSG_INSTALL_REPLY,      /* server -> leader */
  MSG_CLIENT_REQUEST,     /* client -> server: run this key-value operation */
  MSG_CLIENT_REPLY,       /* server -> client: done (or: I am not the leader) */
  MSG_TYPE_COUNT
};

/* Timer kinds. */
enum {
  TIMER_ELECTION,  /* follower / candidate: no leader heard from: start an election */
  TIMER_HEARTBEAT, /* leader: send AppendEntries to every other server */
  TIMER_CLIENT,    /* client: start the next operation, or resend the current one */
  TIMER_KIND_COUNT
};

typedef enum { ROLE_FOLLOWER, ROLE_CANDIDATE, ROLE_LEADER } raft_role;

/* What a log entry asks the state machine to do. */
typedef enum {
  CMD_NONE = 0, /* unused slot */
  CMD_VALUE,    /* a plain number, for the tests that drive raft_start themselves */
  CMD_PUT,      /* key-value: key := value */
  CMD_GET       /* key-value: read key (goes through the log, so reads are linearizable) */
} raft_cmd_kind;

/* A command: what a client asked for. (client, seq) names it uniquely, so a command that a
 * client resends after a timeout is applied once (protocol.c keeps a dedup table). */
typedef struct raft_command {
  int32_t kind;   /* raft_cmd_kind */
  int32_t client; /* client node id, or -1 for CMD_VALUE */
  uint32_t seq;   /* the client's operation number, from 1 */
  int32_t key;    /* 0 .. RAFT_KEYS-1 */
  int32_t value;  /* CMD_VALUE: the number; CMD_PUT: the value written */
} raft_command;

/* One log entry: a command and the term in which a leader first received it (Figure 2: "log[]:
 * log entries; each entry contains command for state machine, and term when entry was received
 * by leader (first index is 1)"). */
typedef struct raft_entry {
  uint32_t term;
  raft_command cmd;
} raft_entry;

/* RequestVote RPC (Figure 2). */
typedef struct raft_request_vote {
  uint32_t term;           /* candidate's term */
  int32_t candidate;       /* candidate requesting vote */
  uint32_t last_log_index; /* index of candidate's last log entry */
  uint32_t last_log_term;  /* term of candidate's last log entry */
} raft_request_vote;

typedef struct raft_vote_reply {
  uint32_t term;        /* currentTerm, for candidate to update itself */
  int32_t vote_granted; /* 1: candidate received the vote */
} raft_vote_reply;

/* AppendEntries RPC (Figure 2). n_entries of entries[] are meaningful (0: a heartbeat). */
typedef struct raft_append_entries {
  uint32_t term;           /* leader's term */
  int32_t leader;          /* so follower can redirect clients */
  uint32_t prev_log_index; /* index of log entry immediately preceding new ones */
  uint32_t prev_log_term;  /* term of prev_log_index entry */
  uint32_t leader_commit;  /* leader's commitIndex */
  uint32_t n_entries;
  raft_entry entries[RAFT_MAX_BATCH];
} raft_append_entries;

/* AppendEntries reply: Figure 2's term and success, plus what the leader needs to update its
 * bookkeeping without remembering which request this answers (requests and replies are lost,
 * duplicated and reordered), and the hint for backing up fast (section 5.3, last paragraphs:
 * "the follower can include the term of the conflicting entry and the first index it stores for
 * that term"). */
typedef struct raft_append_reply {
  uint32_t term;           /* currentTerm, for leader to update itself */
  int32_t success;         /* 1: follower contained entry matching prevLogIndex and prevLogTerm */
  uint32_t match_index;    /* success: prev_log_index + n_entries of the request answered; else 0 */
  uint32_t conflict_index; /* failed check: where the leader should try next (see
                              raft_on_append_entries); 0 on success and on a stale-term refusal */
  uint32_t conflict_term;  /* failed check: term of the follower's entry at prev_log_index, or 0 */
} raft_append_reply;

/* The key-value state machine, and the dedup table that makes a resent command apply once. */
typedef struct raft_kv {
  int32_t value[RAFT_KEYS];              /* 0: never written ("nil") */
  uint32_t last_seq[RAFT_MAX_CLIENTS];   /* the highest seq applied for each client */
  int32_t last_result[RAFT_MAX_CLIENTS]; /* ... and what it returned */
} raft_kv;

/* InstallSnapshot RPC (Figure 13), in one chunk: a snapshot here is a raft_kv, small enough for
 * one message, so Figure 13's offset and done fields (and its receiver rules 2 to 5, which
 * assemble chunks) are left out. */
typedef struct raft_install_snapshot {
  uint32_t term;                /* leader's term */
  int32_t leader;               /* so follower can redirect clients */
  uint32_t last_included_index; /* the snapshot replaces all entries up through this index */
  uint32_t last_included_term;  /* term of last_included_index */
  raft_kv data;                 /* the state machine after applying entries 1 .. that index */
} raft_install_snapshot;

/* InstallSnapshot reply: Figure 13's term, plus how far the follower's log now matches the
 * leader's (the leader needs it without remembering the request: replies are reordered). */
typedef struct raft_install_reply {
  uint32_t term;        /* currentTerm, for leader to update itself */
  uint32_t match_index; /* last_included_index of the request answered; 0 on a stale-term refusal */
} raft_install_reply;

/* The key-value service's messages. */
typedef struct raft_client_request {
  raft_command cmd;
} raft_client_request;

typedef struct raft_client_reply {
  uint32_t seq;        /* the operation answered */
  int32_t ok;          /* 1: done; 0: this server is not the leader (try leader_hint) */
  int32_t value;       /* a get's result */
  int32_t leader_hint; /* who the server thinks leads, or -1 */
} raft_client_reply;

typedef enum { NODE_SERVER, NODE_CLIENT } raft_node_kind;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct raft_config {
  raft_node_kind kind;
  int servers;  /* S: servers are n0 .. n(S-1) */
  bool persist; /* call raft_persist after every event, raft_restore at boot */
  sim_time election_min, election_max; /* election timeout, uniform in [min, max] */
  sim_time heartbeat;                  /* leader: AppendEntries to every server this often */
  int snapshot_after; /* part (d): the service snapshots once this many applied entries
                         are in the log (0: never) */
  /* Client. */
  int ops;         /* operations to run, one after another (at most 999) */
  int put_percent; /* chance an operation is a put, 0 .. 100 */
  sim_time start;  /* first operation no earlier than this */
  sim_time think;  /* pause between operations */
  sim_time retry;  /* resend to another server after this long without an answer */
} raft_config;

/* A client's operation in progress. */
typedef struct raft_client {
  raft_command cmd; /* the current operation (cmd.seq == 0 before the first) */
  bool done;        /* the current operation completed */
  int target;       /* the server it is asking */
  int ops_started, ops_ok;
  uint64_t timer; /* the client timer (think or retry) */
} raft_client;

/* What a server keeps in stable storage (sim_stable_write / sim_stable_read at offset 0). The
 * layout is fixed here so that the tests can read a server's disk; raft_persist writes it. */
typedef struct raft_stable {
  uint32_t current_term;
  int32_t voted_for_plus_one; /* votedFor + 1, so a zeroed disk means "voted for nobody" */
  uint32_t log_len;           /* absolute index of the last entry */
  uint32_t snap_index;        /* part (d): lastIncludedIndex (0: no snapshot) */
  uint32_t snap_term;         /* part (d): lastIncludedTerm */
  uint32_t pad;
  raft_kv snapshot;                 /* part (d): the state machine at snap_index */
  raft_entry log[RAFT_LOG_CAP + 1]; /* log[1 .. log_len - snap_index], as in raft_state */
} raft_stable;

/* A node's whole state: flat, zeroed at boot. Grouped by Figure 2's headings. */
typedef struct raft_state {
  raft_config cfg; /* copied from the node's configuration at boot */

  /* Persistent state on all servers (Figure 2). */
  uint32_t current_term; /* latest term server has seen (initialized to 0) */
  int32_t voted_for;     /* candidate that received vote in current term, or RAFT_NO_VOTE */
  uint32_t log_len;      /* index of the last entry (absolute) */
  raft_entry log[RAFT_LOG_CAP + 1]; /* log[k] is entry snap_index + k; log[0] the sentinel */
  /* Persistent too, part (d): the snapshot (Figure 13, "lastIncludedIndex", "lastIncludedTerm"). */
  uint32_t snap_index; /* entries 1 .. snap_index are discarded, replaced by snap_kv */
  uint32_t snap_term;  /* term of entry snap_index (0 with no snapshot) */
  raft_kv snap_kv;     /* the state machine after applying entries 1 .. snap_index */

  /* Volatile state on all servers (Figure 2). */
  uint32_t commit_index; /* index of highest log entry known to be committed */
  uint32_t last_applied; /* index of highest log entry applied to state machine (protocol.c) */
  raft_role role;
  int32_t leader_hint; /* the leader of current_term as far as this server knows, or -1 */

  /* Candidates: who granted a vote in current_term (bit i: server i). */
  uint32_t votes;

  /* Volatile state on leaders, reinitialized after election (Figure 2). */
  uint32_t next_index[RAFT_MAX_SERVERS];  /* next log entry to send to each server */
  uint32_t match_index[RAFT_MAX_SERVERS]; /* highest log entry known replicated on each server */

  /* Owned by protocol.c. */
  uint64_t election_timer, heartbeat_timer;
  raft_kv kv;      /* the state machine: entries 1 .. last_applied applied */
  raft_client cli; /* client nodes only */
} raft_state;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol raft_protocol;
extern const lab_info lab13;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code calls.
 */

/* The term of log entry `index`: snap_term for index snap_index (the sentinel; 0 for index 0
 * with no snapshot), 0 for an index the log does not hold (below snap_index, above log_len). */
uint32_t raft_term_at(const raft_state *s, uint32_t index);
/* The entry at absolute index `index` (snap_index < index <= log_len): &s->log[index -
 * snap_index]. NULL for an index the log does not hold. */
raft_entry *raft_entry_at(raft_state *s, uint32_t index);
const raft_entry *raft_entry_at_const(const raft_state *s, uint32_t index);
/* Entries the log holds now: log_len - snap_index (at most RAFT_LOG_CAP). */
uint32_t raft_log_count(const raft_state *s);
/* The index and term of the last log entry (0 and 0 for an empty log). */
uint32_t raft_last_index(const raft_state *s);
uint32_t raft_last_term(const raft_state *s);
/* A majority of the S servers: S / 2 + 1. */
int raft_majority(const raft_state *s);

/* Change role, with the timers that go with it: FOLLOWER and CANDIDATE keep an election timer
 * running (a fresh one is armed if none is pending); LEADER cancels the election timer and starts
 * the heartbeat timer, whose first tick comes right away (in a later event); leaving LEADER stops
 * the heartbeat timer. Sets s->role and annotates it for the viewer. Call it for every role
 * change; it does not touch terms, votes or the log. */
void raft_set_role(sim_node *n, raft_state *s, raft_role role);
/* Restart the election timeout: cancel the pending election timer and arm a new one with a random
 * delay in [election_min, election_max] (from this node's random stream). Call it in the two cases
 * Figure 2's Followers rule names: an AppendEntries from the current term's leader arrived, or
 * this server granted a vote. Not when an election starts: protocol.c restarts the timeout itself
 * just before it calls raft_on_election_timeout (that is Figure 2's "reset election timer" for a
 * new election), so calling it there again would only draw another random delay. */
void raft_reset_election_timer(sim_node *n, raft_state *s);

/* Send RPCs and replies (the body is copied). */
void raft_send_request_vote(sim_node *n, int to, const raft_request_vote *rv);
void raft_send_vote_reply(sim_node *n, int to, const raft_vote_reply *r);
void raft_send_append_entries(sim_node *n, int to, const raft_append_entries *ae);
void raft_send_append_reply(sim_node *n, int to, const raft_append_reply *r);
void raft_send_install_snapshot(sim_node *n, int to, const raft_install_snapshot *is);
void raft_send_install_reply(sim_node *n, int to, const raft_install_reply *r);

/* ---------------------------------------------------------------------------------------------
 * For scenarios and tests (not called by your code).
 */

/* What protocol.c does at the end of every event of a server: apply newly committed entries to
 * the key-value store (answering clients when this server leads), persist (if configured), and
 * annotate role, term and log for the viewer. Call it after acting on a server with sim_poke. */
void raft_after_event(sim_node *n, raft_state *s);
/* Hand `cmd` to server `node` now, as a client would: calls raft_start there (then
 * raft_after_event). Returns the index raft_start returned (0: not the leader, the log is full,
 * or the node is down). */
uint32_t raft_submit(sim_world *w, int node, raft_command cmd);
/* A CMD_VALUE command carrying v. */
raft_command raft_value_cmd(int32_t v);

/* ---------------------------------------------------------------------------------------------
 * What you write. Part (a), leader election: exercises/13-raft/election.c.
 */

/* Any message carries its sender's term. protocol.c calls this for every RequestVote,
 * AppendEntries and reply, before the handler below. Figure 2, Rules for Servers, all servers:
 * "If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to
 * follower." A new term also means no vote in it yet (votedFor = none) and no known leader.
 * Returns true if it changed the term. */
bool raft_observe_term(sim_node *n, raft_state *s, uint32_t term);

/* True if a candidate whose last entry has (last_log_term, last_log_index) is at least as
 * up-to-date as this server's log. Section 5.4.1: "If the logs have last entries with different
 * terms, then the log with the later term is more up-to-date. If the logs end with the same term,
 * then whichever log is longer is more up-to-date." Pure: no state changes. */
bool raft_log_up_to_date(const raft_state *s, uint32_t last_log_term, uint32_t last_log_index);

/* The election timer fired on a follower or candidate. Figure 2, Candidates: "increment
 * currentTerm, vote for self, reset election timer, send RequestVote RPCs to all other servers".
 * The "reset election timer" step is already done: protocol.c armed the next timeout before
 * calling this (do not call raft_reset_election_timer here). You do the rest: the new term, your
 * vote (voted_for, and your own bit in s->votes), raft_set_role(CANDIDATE), and a RequestVote
 * with your last log index and term to every other server (0 .. s->cfg.servers - 1 except
 * sim_self(n)). */
void raft_on_election_timeout(sim_node *n, raft_state *s);

/* A RequestVote arrived (its term already went through raft_observe_term). Figure 2, RequestVote
 * receiver: "1. Reply false if term < currentTerm. 2. If votedFor is null or candidateId, and
 * candidate's log is at least as up-to-date as receiver's log, grant vote." Reply with
 * raft_send_vote_reply in every case (with your current term). Granting a vote restarts the
 * election timer. */
void raft_on_request_vote(sim_node *n, raft_state *s, int from, const raft_request_vote *rv);

/* A vote reply arrived (its term already went through raft_observe_term). Count it only if this
 * server is still a candidate in the term the vote was given for, and count each voter once
 * (the network duplicates). Figure 2, Candidates: "If votes received from majority of servers:
 * become leader." A new leader sets next_index[i] = last log index + 1 and match_index[i] = 0
 * for every server (its own match_index to its last index) and calls raft_set_role(LEADER);
 * the heartbeat timer then sends its first AppendEntries. */
void raft_on_vote_reply(sim_node *n, raft_state *s, int from, const raft_vote_reply *r);

/* ---------------------------------------------------------------------------------------------
 * Part (b), log replication: exercises/13-raft/replication.c.
 */

/* A command for the log (from the key-value service or a test). If this server is the leader and
 * its log has room, append {current_term, cmd} (Figure 2, Leaders: "If command received from
 * client: append entry to local log"), update its own match_index, send AppendEntries to every
 * other server at once (raft_send_append), and return the new entry's index. Otherwise return 0
 * and change nothing. In a one-server cluster the new entry is on a majority at once, so the
 * reference then calls raft_advance_commit; every world here has 3 or more servers, where that
 * call changes nothing, so the tests do not depend on it. */
uint32_t raft_start(sim_node *n, raft_state *s, raft_command cmd);

/* Leader: send `peer` one AppendEntries starting at next_index[peer] (part (d): if
 * next_index[peer] <= snap_index, the entries it needs are gone: send raft_send_snapshot instead):
 * prev_log_index = next_index[peer] - 1 and its term, up to RAFT_MAX_BATCH entries from
 * next_index[peer] (none if the peer is up to date: a heartbeat), leader_commit = commit_index.
 * protocol.c calls it for every other server on each heartbeat tick. */
void raft_send_append(sim_node *n, raft_state *s, int peer);

/* An AppendEntries arrived (its term already went through raft_observe_term). Figure 2,
 * AppendEntries receiver:
 *   1. Reply false if term < currentTerm. (The refusal carries only your term: success 0,
 *      match_index, conflict_index and conflict_term 0. The stale leader adopts the term and
 *      steps down on reading it; it reads nothing else. Leave the timer, role and log alone.)
 *   2. Reply false if log doesn't contain an entry at prevLogIndex whose term matches prevLogTerm.
 *   3. If an existing entry conflicts with a new one (same index but different terms), delete the
 *      existing entry and all that follow it.
 *   4. Append any new entries not already in the log.
 *   5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
 * A request from the current term's leader also makes a candidate a follower (Figure 2,
 * Candidates: "If AppendEntries RPC received from new leader: convert to follower"), sets
 * leader_hint, and restarts the election timer. Never truncate entries that match: a late or
 * duplicated request must not remove entries a newer request appended (rule 3 deletes only on a
 * conflict). Rule 5 only ever raises commit_index: on a late request the index of the last new
 * entry can be below commit_index, and min(leaderCommit, that index) must not lower it (a server
 * never un-learns that an entry is committed; the checker's commit-only-grows catches it). Reply
 * with raft_send_append_reply: on success match_index = prev_log_index + n_entries; on a failed
 * check (rule 2) match_index 0 and a backup hint: if the log is shorter than prev_log_index,
 * conflict_term = 0 and conflict_index = log_len + 1; else conflict_term = the term of the entry
 * at prev_log_index and conflict_index = the first index whose entry has that term. */
void raft_on_append_entries(sim_node *n, raft_state *s, int from, const raft_append_entries *ae);

/* An AppendEntries reply arrived (its term already went through raft_observe_term). Ignore it
 * unless this server is the leader and the reply's term is current_term. On success, raise
 * match_index[from] to r->match_index (never lower it: replies are reordered), set
 * next_index[from] = match_index[from] + 1, and advance the commit index (raft_advance_commit).
 * On failure, back up next_index[from] using the hint: if the leader has entries of
 * conflict_term, next_index = one past its last entry of that term; otherwise next_index =
 * conflict_index (never below 1, never above last index + 1); then send again at once. */
void raft_on_append_reply(sim_node *n, raft_state *s, int from, const raft_append_reply *r);

/* Leader: Figure 2, Leaders: "If there exists an N such that N > commitIndex, a majority of
 * matchIndex[i] >= N, and log[N].term == currentTerm: set commitIndex = N." Count the leader
 * itself (match_index[self] is its last index). The term condition is section 5.4.2's: a leader
 * never commits an entry from an earlier term by counting replicas (Figure 8). */
void raft_advance_commit(sim_node *n, raft_state *s);

/* ---------------------------------------------------------------------------------------------
 * Part (c), persistence: exercises/13-raft/persist.c.
 */

/* Write current_term, voted_for and the log to stable storage in the raft_stable layout at
 * offset 0 (sim_stable_write): log_len, and the entries held (log[1 .. log_len - snap_index]).
 * Part (d): also snap_index, snap_term and the snapshot (snap_kv), so the snapshot and the log
 * that follows it are on disk together. protocol.c calls it at the end of every event of a
 * server (when the world is configured with persist). */
void raft_persist(sim_node *n, const raft_state *s);

/* Boot: read what raft_persist wrote back into current_term, voted_for, log_len, the log and
 * (part (d)) snap_index, snap_term, snap_kv, with the sentinel log[0].term = snap_term. A disk
 * never written reads as zeros: term 0, voted for nobody, an empty log, no snapshot. protocol.c
 * calls it at every boot (first start and restart) when persist is configured; the volatile
 * state (commit_index, last_applied, role, ...) starts from zero as Figure 2 says, except that
 * with a snapshot protocol.c then starts the state machine from it (kv = snap_kv, last_applied
 * and commit_index = snap_index: Figure 13's "reset state machine using snapshot contents"). */
void raft_restore(sim_node *n, raft_state *s);

/* ---------------------------------------------------------------------------------------------
 * Part (d), log compaction: exercises/13-raft/snapshot.c.
 */

/* The service took a snapshot: `state` is the state machine after applying entries 1 .. index
 * (protocol.c calls this after applying, with index = last_applied, once snapshot_after applied
 * entries are in the log). Section 7: keep the snapshot (snap_kv = *state) with its last included
 * index and term (snap_term = the term of entry index, read before discarding it), and discard
 * entries 1 .. index: entry index becomes the sentinel log[0] (term snap_term), the entries
 * after it move to log[1] .. log[log_len - index]. log_len (absolute) does not change. Ignore an
 * index at or below snap_index (an older snapshot) or above last_applied. */
void raft_snapshot(sim_node *n, raft_state *s, uint32_t index, const raft_kv *state);

/* Leader: send `peer` this server's snapshot: term, leader, last_included_index = snap_index,
 * last_included_term = snap_term, data = snap_kv (Figure 13, InstallSnapshot arguments). */
void raft_send_snapshot(sim_node *n, raft_state *s, int peer);

/* An InstallSnapshot arrived (its term already went through raft_observe_term). Figure 13,
 * receiver implementation (one chunk, so rules 2 to 5 do not apply):
 *   1. Reply immediately if term < currentTerm. (match_index 0; leave timer, role, log alone.)
 *   6. If existing log entry has same index and term as snapshot's last included entry, retain
 *      log entries following it and reply.
 *   7. Discard the entire log.
 *   8. Reset state machine using snapshot contents.
 * As for AppendEntries, a request from the current term's leader makes a candidate a follower,
 * sets leader_hint and restarts the election timer. A snapshot that is not past commit_index
 * brings nothing new (a late or duplicated request): change nothing, and reply success
 * (match_index = last_included_index: the committed entries match the leader's). Otherwise
 * keep the snapshot (snap_index, snap_term, snap_kv), apply rule 6 or 7, and rule 8: kv =
 * the snapshot, last_applied = last_included_index, commit_index raised to it. Reply with
 * raft_send_install_reply, match_index = last_included_index. */
void raft_on_install_snapshot(sim_node *n, raft_state *s, int from,
                              const raft_install_snapshot *is);

/* An InstallSnapshot reply arrived (its term already went through raft_observe_term). As for an
 * AppendEntries reply: ignore it unless leading in r->term; raise match_index[from] to
 * r->match_index (never lower), next_index[from] = match_index[from] + 1, advance the commit
 * index, and send AppendEntries at once if the follower still lacks entries. */
void raft_on_install_reply(sim_node *n, raft_state *s, int from, const raft_install_reply *r);

#endif
