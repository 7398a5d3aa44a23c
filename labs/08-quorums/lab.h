/*
 * labs/08-quorums/lab.h: lab 08, R + W > N: a replicated register built from quorums.
 *
 * One world holds S replica nodes (n0 .. n(S-1)) and some client nodes after them. Every key has
 * a preference list: its N home replicas, then the other S - N replicas as fallbacks (for key k,
 * the replicas k, k+1, ... modulo S). A value carries a version, a tag (timestamp, writer id),
 * and a replica keeps, for every key, the value with the newest tag it has seen.
 *
 * The clients are the coordinators. Each runs a random workload of reads and writes (one
 * operation at a time, drawn from its own random stream) and records every operation in the
 * world's history (invoke, then ok / fail / info), which the tests check. Three modes:
 *
 *   MODE_QUORUM  Part A. A write sends (tag = (client clock, client id), value) to the N homes and
 *                is done after W acks. A read asks the N homes and returns the newest of the first
 *                R replies; then read repair sends that newest value to every replica that
 *                answered with an older one (Dynamo, DeCandia et al. 2007, section 4.5).
 *   MODE_SLOPPY  Part B. As QUORUM, but when homes do not answer a write in time the client sends
 *                the write to fallbacks with a hint naming the home it stands for; a replica
 *                holding hints hands them to their homes, over and over, until they acknowledge
 *                (Dynamo, section 4.6, "hinted handoff").
 *   MODE_ABD     Part C. The ABD register (Attiya, Bar-Noy and Dolev, "Sharing Memory Robustly
 *                in Message-Passing Systems", JACM 1995), multi-writer form: a write first queries
 *                a majority for the highest tag and writes (that + 1, its id); a read queries a
 *                majority and writes the newest value back to a majority before returning it.
 *
 * You write the functions at the bottom: exercises/08-quorums/replica.c (every mode),
 * client.c (Parts A and B) and abd.c (Part C). protocol.c has the fixed parts: message tables,
 * boot, the client workload, retransmission, the history, and the helpers declared below.
 */
#ifndef LAB08_H
#define LAB08_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  Q_MAX_REPLICAS = 8, /* S: replica nodes in a world */
  Q_MAX_KEYS = 4,     /* keys k0 .. k3 */
  Q_MAX_HINTS = 64,   /* hints one replica can hold */
  Q_VALUE_NIL = 0     /* the value of a key nobody wrote ("nil" in the history) */
};

/* Message types (indexes into the protocol's type table). */
enum {
  MSG_READ,        /* client -> replica: what do you hold for this key? */
  MSG_READ_REPLY,  /* replica -> client: this tag and value */
  MSG_WRITE,       /* client -> replica: store this tag and value (or hold it as a hint) */
  MSG_WRITE_ACK,   /* replica -> client: stored (or held as a hint) */
  MSG_REPAIR,      /* client -> replica: read repair, store if newer; no answer */
  MSG_HANDOFF,     /* fallback -> home: a hinted write that belongs to you */
  MSG_HANDOFF_ACK, /* home -> fallback: stored; you may drop the hint */
  MSG_TYPE_COUNT
};

/* Timer kinds. */
enum {
  TIMER_THINK,   /* client: start the next operation */
  TIMER_RETRY,   /* client: resend the current phase to replicas that have not answered */
  TIMER_GIVE_UP, /* client: the operation took too long: record it as info / fail */
  TIMER_SLOPPY,  /* client, MODE_SLOPPY writes: homes silent too long, go to fallbacks (armed
                    by protocol.c, again every sloppy_after until the write is done) */
  TIMER_HANDOFF, /* replica: try to hand every hint to its home */
  TIMER_KIND_COUNT
};

/* A version: compared by timestamp, then by writer id. The zero tag is "never written". */
typedef struct q_tag {
  uint64_t ts;    /* Part A: the writer's clock; ABD: one more than the highest tag it found */
  int32_t writer; /* the writing client's node id (breaks ties between writers) */
  int32_t pad;    /* always 0 (keeps the struct free of padding bytes) */
} q_tag;

/* Message bodies. `op` is the client's operation number, so replies to an old operation (late or
 * duplicated) can be told apart. */
typedef struct q_read_body {
  uint32_t op;
  int32_t key;
} q_read_body;

typedef struct q_read_reply_body {
  uint32_t op;
  int32_t key;
  q_tag tag; /* what the replica holds (zero tag: nothing) */
  int32_t value;
  int32_t pad;
} q_read_reply_body;

typedef struct q_write_body {
  uint32_t op;
  int32_t key;
  q_tag tag;
  int32_t value;
  int32_t hint; /* -1: for the receiver itself; else the home replica this write stands in for */
} q_write_body;

typedef struct q_write_ack_body {
  uint32_t op;
  int32_t key;
  q_tag tag; /* the tag of the write being acknowledged */
} q_write_ack_body;

typedef struct q_repair_body {
  int32_t key;
  int32_t value;
  q_tag tag;
} q_repair_body;

typedef struct q_handoff_body {
  int32_t key;
  int32_t value;
  q_tag tag;
  uint32_t slot; /* which of the sender's hint slots this is (echoed in the ack) */
  uint32_t pad;
} q_handoff_body;

typedef struct q_handoff_ack_body {
  int32_t key;
  uint32_t slot;
  q_tag tag;
} q_handoff_ack_body;

typedef enum { ROLE_REPLICA, ROLE_CLIENT } q_role;
typedef enum { MODE_QUORUM, MODE_SLOPPY, MODE_ABD } q_mode;
typedef enum { OP_NONE, OP_READ, OP_WRITE } q_op_kind;
/* Client phases: a quorum read is one QUERY; a quorum write is one STORE; an ABD write is QUERY
 * then STORE; an ABD read is QUERY then STORE (the write-back). */
typedef enum { PHASE_IDLE, PHASE_QUERY, PHASE_STORE } q_phase;

/* How a node is configured (sim_add_node's config bytes). Every node gets the same shape. */
typedef struct q_config {
  q_role role;
  q_mode mode;
  int replicas; /* S: replica nodes are n0 .. n(S-1) */
  int n, r, w;  /* replication factor N, read quorum R, write quorum W */
  int keys;     /* keys the workload uses, 1 .. Q_MAX_KEYS */
  /* Client. */
  int ops;                       /* operations to run, one after another (at most 999: a write of
                                    operation k by node c writes the value c * 1000 + k) */
  int write_percent;             /* chance that an operation is a write, 0 .. 100 */
  bool first_op_write;           /* the first operation is a write whatever the draw */
  sim_time start;                /* first operation no earlier than this */
  sim_time think_min, think_max; /* pause between operations, uniform */
  sim_time retry;                /* resend the current phase to silent replicas this often */
  sim_time give_up;              /* an operation not done after this is recorded as info / fail */
  sim_time sloppy_after;         /* MODE_SLOPPY: go to fallbacks when homes are silent this long */
  /* Replica. */
  sim_time handoff_every; /* MODE_SLOPPY: how often a replica tries to hand its hints over */
} q_config;

/* One key's register on a replica. */
typedef struct q_cell {
  q_tag tag;
  int32_t value;
  int32_t pad;
} q_cell;

/* A hinted write a fallback holds for its home (Dynamo, section 4.6). */
typedef struct q_hint {
  bool used;    /* slot in use */
  int32_t home; /* the home replica the write belongs to */
  int32_t key;
  int32_t value;
  q_tag tag;
} q_hint;

/* What a replica keeps. protocol.c copies it to stable storage after every event, and boot reads
 * it back, so a replica that crashes and restarts remembers what it acknowledged. */
typedef struct q_replica {
  q_cell store[Q_MAX_KEYS];
  q_hint hints[Q_MAX_HINTS];
} q_replica;

/* A client's operation in progress. */
typedef struct q_client {
  uint32_t op;    /* the current operation's number, from 1 (0 before the first) */
  q_op_kind kind; /* read or write */
  int key;
  int32_t write_value; /* a write: the value to write (unique in the run) */
  bool done;           /* the current operation has completed (ok, fail or info) */
  q_phase phase;
  uint32_t replied;           /* bit i: replica i answered the current phase (count each once) */
  int replies;                /* how many distinct replicas answered the current phase */
  q_tag best_tag;             /* QUERY: the newest tag among the replies so far */
  int32_t best_value;         /* ... and its value */
  q_tag store_tag;            /* STORE: the tag being written (a write's, or an ABD write-back's) */
  int32_t store_value;        /* ... and its value */
  q_tag seen[Q_MAX_REPLICAS]; /* a quorum read: the tag replica i answered with */
  int32_t read_result;        /* the value the last completed read returned */
  q_tag read_tag;             /* ... and its tag (read repair compares late replies with it) */
  /* Sloppy quorum (Part B). */
  uint32_t hinted;         /* bit i: home i has a hinted write standing in for it */
  uint32_t fallbacks_used; /* bit j: replica j already received a hinted write for this op */
  /* Kept by protocol.c for retransmission: who the current phase was sent to, and how. */
  uint32_t targets;
  int32_t hint_of[Q_MAX_REPLICAS];
  int msg_type; /* MSG_READ or MSG_WRITE */
  uint64_t retry_timer, give_up_timer, sloppy_timer;
  int ops_started, ops_ok;
} q_client;

/* A node's whole state: flat, zeroed at boot. */
typedef struct q_state {
  q_config cfg;  /* copied from the node's configuration at boot */
  q_replica rep; /* replica */
  q_client cli;  /* client */
} q_state;

/* What a scenario recorded (run->lab_data), for the tests. */
enum { Q_MAX_VALUES = 16 * 1024, Q_MAX_HINTED = 512 };

/* What the scenarios' observer saw of one client's current operation. */
typedef struct q_watch {
  uint32_t op;       /* the operation being watched */
  uint32_t acked;    /* bit i: replica i acknowledged its write (before completion) */
  uint32_t answered; /* bit i: replica i answered its read (before completion) */
  q_tag newest;      /* the newest tag among each replica's first read reply */
  q_tag newest_any;  /* the newest tag among all read replies (duplicates too) */
  int ok_before;     /* the client's ops_ok when the operation started */
  bool judged;       /* the completed operation was checked */
} q_watch;

/* A hinted write seen on the wire (Part B). */
typedef struct q_hinted {
  int home, key;
  q_tag tag;
  bool handed; /* a Handoff carrying it was delivered to its home */
} q_hinted;
typedef struct q_record {
  q_config cfg;                     /* the replicas' configuration */
  q_tag tag_of_value[Q_MAX_VALUES]; /* every written value's tag, seen on the wire */
  int clients_first, clients_last;  /* client node ids */
  q_watch watch[SIM_MAX_NODES];     /* per client node: its current operation */
  q_hinted hinted[Q_MAX_HINTED];    /* Part B: every hinted write sent */
  int hinted_count;
  int hinted_acked;     /* hinted writes a fallback acknowledged */
  int partition_writes; /* Part B: writes that began and completed in the partition */
  int repairs;          /* Repair messages sent */
  int stale_reads;      /* reads that missed a completed write */
  char stale[512];      /* the first one, explained */
} q_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol quorum_protocol;
extern const lab_info lab08;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code calls.
 */

/* Compare two tags: negative if a is older than b, 0 if equal, positive if a is newer. Timestamps
 * first, then writer ids. */
int q_tag_cmp(q_tag a, q_tag b);
/* The i-th replica of key's preference list (0 <= i < S): i < N are its homes, the rest its
 * fallbacks, in the order they are tried. */
int q_pref(const q_config *cfg, int key, int i);
/* True if replica `node` is one of key's N homes. */
bool q_is_home(const q_config *cfg, int key, int node);
/* A majority of the N homes: N / 2 + 1. */
int q_majority(const q_config *cfg);

/* Client: start a new phase (clears replied, replies and the retransmission targets; sets phase).
 */
void q_phase_begin(q_client *c, q_phase phase);
/* Client: send Read(op, key) to replica `to`, and resend it every cfg.retry until `to` is marked
 * in c->replied. */
void q_send_read(sim_node *n, q_state *s, int to);
/* Client: send Write(op, key, tag, value, hint) to replica `to` (hint -1 for its own store), and
 * resend it every cfg.retry until `to` is marked in c->replied. */
void q_send_write(sim_node *n, q_state *s, int to, q_tag tag, int32_t value, int hint);
/* Client: send a Repair(key, tag, value) to replica `to`, once. */
void q_send_repair(sim_node *n, q_state *s, int to, q_tag tag, int32_t value);
/* Client: the current operation completed. For a read, `value` is what it returns (with its tag);
 * for a write both are ignored. Records ok in the history, stops the retry, give-up and sloppy
 * timers, and schedules the next operation (its think timer fires in a later event, and only then
 * is c cleared for it).
 * Sets c->done, c->phase = PHASE_IDLE and c->ops_ok + 1; for a read also sets c->read_result and
 * c->read_tag (to value and tag). Leaves c->replied, c->replies, c->seen and the best and store
 * fields as they are, so a late reply to the read just returned can still be compared and
 * repaired until the next operation starts. Calling it when c->done is already set (twice for one
 * operation, or after the give-up timer recorded it) changes nothing and stops the run with the
 * invariant complete-once: check c->done first. */
void q_complete(sim_node *n, q_state *s, q_tag tag, int32_t value);

/* Replica: answer a client. */
void q_reply_read(sim_node *n, int to, uint32_t op, int key, q_cell cell);
void q_ack_write(sim_node *n, int to, uint32_t op, int key, q_tag tag);
/* Replica: send one hint to its home / acknowledge a handoff. */
void q_send_handoff(sim_node *n, const q_hint *h, uint32_t slot);
void q_ack_handoff(sim_node *n, int to, int key, uint32_t slot, q_tag tag);

/* ---------------------------------------------------------------------------------------------
 * What you write. Replica side: exercises/08-quorums/replica.c.
 */

/* A Write arrived from client `from`. If w->hint is -1, store (tag, value) for w->key only if the
 * tag is newer than what the replica holds (a replica never goes back to an older version), and
 * acknowledge in either case. If w->hint names another replica (Part B), keep the write as a
 * hint for that home in a free slot of s->rep.hints, not in the store, and acknowledge it; a
 * full hint table means no ack. If a slot already holds the same home, key and tag (a
 * retransmission: the client resends until it hears an ack, and acks get lost), acknowledge again
 * without taking another slot. Dynamo, section 4.6: "the replica ... will receive a hint in its
 * metadata that suggests which node was the intended recipient". */
void replica_on_write(sim_node *n, q_state *s, int from, const q_write_body *w);

/* A Read arrived from client `from`: answer with the tag and value held for r->key. */
void replica_on_read(sim_node *n, q_state *s, int from, const q_read_body *r);

/* A Repair arrived: store (tag, value) if newer, as for a write, but send nothing back. */
void replica_on_repair(sim_node *n, q_state *s, const q_repair_body *r);

/* The handoff timer fired (Part B): send every hint held to its home (q_send_handoff). Keep the
 * hints: they go only when their home acknowledges, so a lost handoff is simply sent again at the
 * next tick. */
void replica_on_handoff_timer(sim_node *n, q_state *s);

/* A Handoff arrived from fallback `from` (Part B): store the value if newer, and acknowledge. */
void replica_on_handoff(sim_node *n, q_state *s, int from, const q_handoff_body *h);

/* A HandoffAck arrived (Part B): free the hint slot it names if it still holds that key and tag
 * (a slot may have been reused meanwhile). */
void replica_on_handoff_ack(sim_node *n, q_state *s, const q_handoff_ack_body *a);

/* ---------------------------------------------------------------------------------------------
 * Client side, Parts A and B: exercises/08-quorums/client.c. protocol.c has set c->op, c->kind,
 * c->key, c->write_value and cleared the rest before a *_start call; it passes on only replies
 * whose op is the current operation's.
 */

/* Start a write: tag = (this node's clock, this node's id); send it to the key's N homes; the
 * write completes (q_complete) after W distinct homes (or fallbacks, Part B) acknowledged. */
void client_write_start(sim_node *n, q_state *s);

/* Start a read: ask the key's N homes. */
void client_read_start(sim_node *n, q_state *s);

/* A WriteAck from `from` for the current operation: count each replica once; complete the write
 * at the W-th. Acks after completion are ignored. */
void client_on_write_ack(sim_node *n, q_state *s, int from, const q_write_ack_body *a);

/* A ReadReply from `from` for the current operation. Before completion: count each replica once,
 * remember its tag in c->seen[from], keep the newest (tag, value); at the R-th reply complete the
 * read with the newest value, then read-repair: send Repair(newest) to every replica that
 * replied with an older tag. After completion (a late reply to the read just returned):
 * read-repair that replica too if its tag is older than the one returned. */
void client_on_read_reply(sim_node *n, q_state *s, int from, const q_read_reply_body *r);

/* MODE_SLOPPY: sloppy_after passed and the current write is not complete. For every home that
 * has not acknowledged and has no hinted stand-in yet, send the write, with hint = that home, to
 * the next fallback of the key's preference list that has not been used for this operation.
 * Who calls it: protocol.c arms TIMER_SLOPPY when a write starts in MODE_SLOPPY (never for a read,
 * never in the other modes), sloppy_after later, and calls this only while that write is the
 * current, unfinished operation; if the write is still not done afterwards, it arms the timer
 * again, so this runs every sloppy_after until the write completes or gives up. Each home gets at
 * most one stand-in per write (mark it in c->hinted) and each fallback stands in for at most one
 * home (c->fallbacks_used), so a later call only covers homes still without one; stop when the
 * preference list has no unused fallback left. Send with q_send_write (hint = the home): protocol.c
 * then resends it to that fallback until it is marked in c->replied. Acks count per distinct
 * replica: a stand-in's ack counts once toward W, like a home's, and a home that answers late
 * counts as another. */
void client_on_sloppy_timer(sim_node *n, q_state *s);

/* ---------------------------------------------------------------------------------------------
 * Client side, Part C (ABD): exercises/08-quorums/abd.c. R and W are a majority of the N homes.
 */

/* Start an ABD write: phase 1, query the homes for their tags. */
void abd_write_start(sim_node *n, q_state *s);

/* Start an ABD read: phase 1, query the homes. */
void abd_read_start(sim_node *n, q_state *s);

/* A ReadReply for the current operation (phase 1 of a read or a write). Count each replica once,
 * keep the newest (tag, value). At a majority: a write picks tag (newest.ts + 1, own id) and
 * stores its value at the homes (phase 2); a read stores the newest (tag, value) back at the homes
 * (phase 2, the write-back). ABD 1995: "the reader ... announces the value it is about to return".
 * Replies in phase 2 (late phase-1 replies) are ignored. */
void abd_on_read_reply(sim_node *n, q_state *s, int from, const q_read_reply_body *r);

/* A WriteAck for the current operation in phase 2: count each replica once; at a majority the
 * operation completes: a write with q_complete, a read returning the value it wrote back. */
void abd_on_write_ack(sim_node *n, q_state *s, int from, const q_write_ack_body *a);

#endif
