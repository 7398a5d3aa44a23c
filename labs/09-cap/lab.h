/*
 * labs/09-cap/lab.h: lab 09, CAP and PACELC: one replicated key-value store, two ways to behave
 * when the network splits.
 *
 * The world holds S replicas (n0 .. n(S-1)) and one client per replica after them (c<id>). Every
 * scenario has S = 3, but for S = 5 in faults-cp and faults-ap (--nodes cannot change it), and
 * the unit tests use 3 or 5: S >= 3 always, so a majority (S / 2 + 1) is at least 2 and a
 * coordinator's own answer is never a majority by itself. A
 * client talks only to its home replica (client j's home is replica j mod S), the way a user
 * talks to the nearest data centre: the client-replica link is fast, replica-replica links are
 * slow. The home replica coordinates every request of its client and answers it with a Reply:
 * OK, REFUSED (certainly not done) or UNKNOWN (may or may not have been done). Clients record
 * every operation in the world's history (invoke, then ok / fail / info), which the scenarios
 * check with the linearizability checker (lib/lincheck.h, register model).
 *
 * Every value is a cell (tag, value), and a tag is (ts, node): tags are compared by timestamp,
 * then node id. A replica's store keeps, per key, the cell with the newest tag it has seen: the
 * merge rule "last writer wins" by (timestamp, node), which both modes use.
 *
 *   MODE_CP  Consistency under partition (Gilbert and Lynch 2002: a system that stays atomic must
 *            give up availability when messages are lost). Every operation needs a majority of the
 *            replicas, in two phases, as in ABD (Attiya, Bar-Noy and Dolev, JACM 1995): QUERY a
 *            majority for the newest cell, then STORE a cell at a majority (a write stores a new
 *            tag (highest ts + 1, own id); a read writes back the newest cell before returning
 *            it). When no majority answers within cp_timeout, the coordinator gives up and
 *            answers REFUSED, or UNKNOWN when a write's value may already sit on some replica.
 *   MODE_AP  Availability under partition: the home replica answers at once from its own store.
 *            A write gets a tag from the replica's clock, is stored locally and answered OK, then
 *            sent to the other replicas (Update, fire and forget). Every anti_entropy period each
 *            replica sends its whole store to every other (Sync), and each merges what it gets;
 *            after a partition heals, every replica converges to the same store.
 *
 * PACELC (Abadi, "Consistency Tradeoffs in Modern Distributed Database System Design", IEEE
 * Computer 45(2), 2012): if Partitioned, choose Availability or Consistency; Else, choose Latency
 * or Consistency. The knob read_local applies to MODE_CP in normal operation: a read answered from
 * the home replica's own store at once (PC/EL: fast, may be stale) instead of through a majority
 * (PC/EC: slower, linearizable). MODE_AP always reads locally (PA/EL).
 *
 * You write the functions at the bottom: exercises/09-cap/replica.c (the merge rule and the
 * replica's answers, both modes), cp.c (the CP coordinator) and ap.c (the AP path). protocol.c
 * has the fixed parts: message tables, boot, the clients' workload and history, request
 * deduplication, retransmission, the CP deadline, persistence and the helpers declared below.
 */
#ifndef LAB09_H
#define LAB09_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  KV_MAX_REPLICAS = 8, /* S: replica nodes in a world (bit masks of replicas are uint32_t) */
  KV_MAX_KEYS = 4,     /* keys k0 .. k3 */
  KV_VALUE_NIL = 0     /* the value of a key nobody wrote ("nil" in the history) */
};

/* Message types (indexes into the protocol's type table). */
enum {
  MSG_REQUEST,     /* client -> home replica: read or write a key */
  MSG_REPLY,       /* home replica -> client: OK (with the cell), REFUSED or UNKNOWN */
  MSG_QUERY,       /* CP coordinator -> replica: what do you hold for this key? */
  MSG_QUERY_REPLY, /* replica -> CP coordinator: this cell */
  MSG_STORE,       /* CP coordinator -> replica: merge this cell */
  MSG_STORE_ACK,   /* replica -> CP coordinator: merged (or already held something newer) */
  MSG_UPDATE,      /* AP replica -> replica: a write just accepted here (fire and forget) */
  MSG_SYNC,        /* AP replica -> replica: anti-entropy, my whole store */
  MSG_TYPE_COUNT
};

/* Timer kinds. */
enum {
  TIMER_THINK,        /* client: start the next operation */
  TIMER_GIVE_UP,      /* client: no reply for give_up: record info (write) or fail (read) */
  TIMER_RETRY,        /* CP coordinator: resend the current phase to replicas that are silent */
  TIMER_DEADLINE,     /* CP coordinator: cp_timeout passed without a majority: cp_on_deadline */
  TIMER_ANTI_ENTROPY, /* AP replica: time for ap_on_anti_entropy */
  TIMER_KIND_COUNT
};

/* A version: (timestamp, node id), compared in that order. The zero tag is "never written". */
typedef struct kv_tag {
  uint64_t ts;  /* CP: highest ts a majority held, plus one; AP: from the replica's clock */
  int32_t node; /* the replica that made the tag (breaks ties) */
  int32_t pad;  /* always 0 (no padding bytes in messages and states) */
} kv_tag;

/* One key's value with its version. */
typedef struct kv_cell {
  kv_tag tag;
  int32_t value; /* KV_VALUE_NIL if never written */
  int32_t pad;
} kv_cell;

typedef enum { ROLE_REPLICA, ROLE_CLIENT } kv_role;
typedef enum { MODE_CP, MODE_AP } kv_mode;
typedef enum { OP_NONE, OP_READ, OP_WRITE } kv_op_kind;
/* How a request ended. OK: done (a read's value is in the cell). REFUSED: certainly not done,
 * the history records fail. UNKNOWN: maybe done, maybe not; the history records info. */
typedef enum { KV_OK, KV_REFUSED, KV_UNKNOWN } kv_status;
/* A CP coordinator's phases: IDLE (no request), QUERY (phase 1), STORE (phase 2). */
typedef enum { PHASE_IDLE, PHASE_QUERY, PHASE_STORE } kv_phase;

/* Message bodies. `op` is the client's operation number; `req` the coordinator's request number,
 * so that replies to an earlier request (late or duplicated) can be told apart. */
typedef struct kv_request_body {
  uint32_t op;
  int32_t kind; /* kv_op_kind */
  int32_t key;
  int32_t value; /* a write's value */
} kv_request_body;

typedef struct kv_reply_body {
  uint32_t op;
  int32_t status; /* kv_status */
  int32_t key;
  int32_t pad;
  kv_cell cell; /* OK: a read's cell, or the cell a write stored; otherwise zero */
} kv_reply_body;

typedef struct kv_query_body {
  uint32_t req;
  int32_t key;
} kv_query_body;

typedef struct kv_query_reply_body {
  uint32_t req;
  int32_t key;
  kv_cell cell; /* what the replica holds for key */
} kv_query_reply_body;

typedef struct kv_store_body {
  uint32_t req;
  int32_t key;
  kv_cell cell; /* merge this */
} kv_store_body;

typedef struct kv_store_ack_body {
  uint32_t req;
  int32_t key;
  kv_tag tag; /* the tag of the Store being acknowledged */
} kv_store_ack_body;

typedef struct kv_update_body {
  int32_t key;
  int32_t pad;
  kv_cell cell;
} kv_update_body;

typedef struct kv_sync_body {
  int32_t keys; /* cells[0 .. keys-1] are keys k0 .. */
  int32_t pad;
  kv_cell cells[KV_MAX_KEYS];
} kv_sync_body;

/* How a node is configured (sim_add_node's config bytes). Every node gets the same shape. */
typedef struct kv_config {
  kv_role role;
  kv_mode mode;
  int replicas;    /* S: replicas are n0 .. n(S-1) */
  int keys;        /* keys in use, 1 .. KV_MAX_KEYS */
  bool read_local; /* PACELC's else-knob, MODE_CP: reads from the home replica alone */
  /* Replica. */
  sim_time cp_timeout;   /* CP: refuse a request not done after this */
  sim_time retry;        /* CP: resend the current phase to silent replicas this often */
  sim_time anti_entropy; /* AP: send the whole store to every other replica this often */
  /* Client. */
  int home;                      /* the replica this client talks to */
  int ops;                       /* at most this many operations (at most 999) */
  int write_percent;             /* chance an operation is a write, 0 .. 100 */
  sim_time start, stop;          /* first operation at start or later; none begins after stop */
  sim_time think_min, think_max; /* pause before each operation, uniform */
  sim_time give_up;              /* no reply after this: info (write) or fail (read) */
} kv_config;

/* What a replica keeps on disk: protocol.c copies it to stable storage after every event and
 * reads it back at boot, so a replica never forgets what it stored or acknowledged. */
typedef struct kv_replica {
  kv_cell store[KV_MAX_KEYS];      /* yours: one cell per key */
  uint32_t last_op[SIM_MAX_NODES]; /* protocol.c: each client's latest request seen */
} kv_replica;

/* The request a replica coordinates (one at a time). protocol.c fills the request fields before
 * cp_begin / ap_begin; the phase fields are yours (MODE_CP). */
typedef struct kv_coord {
  bool busy;          /* a request is in progress (kv_reply ends it) */
  int client;         /* who asked */
  uint32_t client_op; /* the client's operation number */
  kv_op_kind kind;    /* read or write */
  int key;
  int32_t value; /* a write's value */
  uint32_t req;  /* this coordinator's request number (in Query and Store messages) */
  /* CP, yours. */
  kv_phase phase;
  uint32_t replied; /* bit i: replica i answered the current phase (this replica included) */
  int replies;      /* how many distinct replicas answered the current phase */
  kv_cell best;     /* QUERY: the newest cell among the answers so far */
  kv_cell store;    /* STORE: the cell being stored (kv_send_store sends it) */
  /* protocol.c only. */
  uint64_t retry_timer, deadline_timer;
  sim_time started;
} kv_coord;

/* A client's operation in progress (protocol.c only). */
typedef struct kv_client {
  uint32_t op; /* the current operation's number, from 1 */
  kv_op_kind kind;
  int key;
  int32_t value; /* a write's value: client id * 1000 + op, unique in the run */
  bool waiting;  /* invoked, no reply yet */
  bool finished; /* its workload is over: no operation will start again */
  uint64_t give_up_timer;
  int started, ok, refused, unknown, gave_up;
} kv_client;

/* A node's whole state: flat, zeroed at boot. */
typedef struct kv_state {
  kv_config cfg;  /* copied from the node's configuration at boot */
  kv_replica rep; /* replica: the store (persisted) */
  kv_coord co;    /* replica: the request it coordinates */
  kv_client cli;  /* client */
} kv_state;

/* What a scenario recorded (run->lab_data), for the tests and the compare table. */
typedef struct kv_record {
  kv_config cfg;            /* the replicas' configuration */
  int replicas, clients;    /* clients are nodes replicas .. replicas+clients-1 */
  bool partitioned;         /* the fixed partition ran: n0 and its clients cut off */
  sim_time cut_at, heal_at; /* ... from cut_at to heal_at */
  /* Operations (from the history). */
  int requests, ok, refused, unknown, gave_up;
  int minority_window, minority_ok; /* ops of n0's clients begun and due inside the partition */
  int majority_window, majority_ok; /* the same for the other clients */
  /* Latency of ok operations, virtual microseconds (0 if none). */
  sim_time median_read, median_write, p90_read, p90_write;
  /* Stale reads (history_stale_reads): each one alone makes the history non-linearizable. */
  int stale_reads;     /* in the whole run */
  int partition_stale; /* reads by n0's clients begun during the partition */
  char stale[400];     /* the first of those (else the first of the run), explained */
  /* Linearizability (register model). */
  bool lin_checked;
  int lin_verdict; /* lin_verdict */
  char lin_explanation[4096];
  /* AP: convergence after the workload. */
  bool converged;
  sim_time converged_at;
  int acked_writes;            /* writes answered OK */
  int lww_discarded;           /* acked writes overwritten only by a concurrent write (LWW) */
  int lww_by[KV_MAX_REPLICAS]; /* ... by the replica that had accepted them */
} kv_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol kv_protocol;
extern const lab_info lab09;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code calls.
 */

/* Compare two tags: negative if a is older than b, 0 if equal, positive if a is newer. Timestamps
 * first, then node ids. */
int kv_tag_cmp(kv_tag a, kv_tag b);
/* "OK", "REFUSED" or "UNKNOWN" (a kv_status), "?" for anything else. */
const char *kv_status_name(int status);
/* A majority of the S replicas: S / 2 + 1. */
int kv_majority(const kv_config *cfg);

/* Coordinator: answer the current request (s->co) with `status` and, for KV_OK, `cell` (a read's
 * cell, or the cell a write stored; ignored otherwise), and end it: s->co.busy becomes false, the
 * phase PHASE_IDLE, and the retry and deadline timers stop. Calling it when no request is in
 * progress (s->co.busy false: answered twice) changes nothing and stops the run with the
 * invariant reply-once: check s->co.busy or the phase first. */
void kv_reply(sim_node *n, kv_state *s, kv_status status, kv_cell cell);
/* CP coordinator: send Query(req, key) to every replica other than this one whose bit in
 * s->co.replied is not set. protocol.c calls it again every cfg.retry while the phase is QUERY. */
void kv_send_query(sim_node *n, kv_state *s);
/* CP coordinator: send Store(req, key, s->co.store) to every replica other than this one whose bit
 * in s->co.replied is not set. protocol.c calls it again every cfg.retry while the phase is
 * STORE. Set s->co.store first. */
void kv_send_store(sim_node *n, kv_state *s);
/* Replica: answer a Query with `cell`, or acknowledge a Store (the ack carries its req, key and
 * tag). */
void kv_answer_query(sim_node *n, int to, const kv_query_body *q, kv_cell cell);
void kv_ack_store(sim_node *n, int to, const kv_store_body *st);
/* AP replica: send one Update(key, cell) to replica `to`, or a Sync with the whole store. */
void ap_send_update(sim_node *n, int to, int key, kv_cell cell);
void ap_send_sync(sim_node *n, const kv_state *s, int to);

/* ---------------------------------------------------------------------------------------------
 * What protocol.c has checked before it calls the functions below (and what it has not):
 *   s->co.key      always a key in use, 0 .. cfg.keys - 1 (a Request for any other key is taken
 *                  as k0). cp_* and ap_begin should index the store with it.
 *   replica_on_query, replica_on_store, ap_on_update: the message's key is in 0 ..
 *                  KV_MAX_KEYS - 1 (the array's bound, not cfg.keys), so store[key] is safe.
 *                  `from` is the sender's node id, >= 0; it is not checked to be a replica
 *                  (in every scenario only replicas send these messages).
 *   cp_on_query_reply, cp_on_store_ack: called only while a request is in progress (s->co.busy)
 *                  and only for its request number; `from` is a replica, 0 .. S-1 (so
 *                  1u << from is safe). The phase is not checked, nor are r->key and a->key:
 *                  use s->co.phase and s->co.key.
 *   cp_on_deadline: called only while the request whose deadline it is is still in progress.
 *   ap_on_sync:    sy->keys is not checked: merge at most KV_MAX_KEYS cells.
 */

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1: exercises/09-cap/replica.c, the merge rule and the replica's answers.
 */

/* The merge rule, last writer wins by (timestamp, node): if incoming's tag is newer than have's
 * (kv_tag_cmp), replace *have with incoming and return true; otherwise leave *have as it is (an
 * older or equal tag changes nothing) and return false. Every way a cell reaches a store goes
 * through here, so a store's tag for a key only ever moves forward. */
bool kv_merge(kv_cell *have, kv_cell incoming);

/* A Query for q->key arrived from coordinator `from`: answer with the cell this replica holds
 * (kv_answer_query). */
void replica_on_query(sim_node *n, kv_state *s, int from, const kv_query_body *q);

/* A Store arrived from coordinator `from`: merge its cell into the store (kv_merge) and
 * acknowledge it (kv_ack_store) whether or not it was newer: the replica holds something at least
 * as new, which is all the coordinator's majority needs. */
void replica_on_store(sim_node *n, kv_state *s, int from, const kv_store_body *st);

/* ---------------------------------------------------------------------------------------------
 * Part 2: exercises/09-cap/cp.c, the CP coordinator (MODE_CP).
 */

/* A request from the client arrived; s->co holds it (busy, client, kind, key, value, req; the
 * phase fields are zero). The PACELC knob: a read with s->cfg.read_local is answered now from this
 * replica's own cell (kv_reply OK). Otherwise phase 1: PHASE_QUERY, count this replica as the
 * first answer (its bit in replied, replies = 1, best = its own cell), and send Query to the others
 * (kv_send_query). */
void cp_begin(sim_node *n, kv_state *s);

/* A QueryReply for the current request arrived from replica `from` (protocol.c has matched its
 * req). Only in PHASE_QUERY, and once per replica: count it, and keep the newest cell in best.
 * When a majority (kv_majority, this replica included) has answered, phase 2: the cell to store
 * is, for a write, (tag (best.tag.ts + 1, this node), the write's value) and for a read the best
 * cell itself (the write-back). Merge it into this replica's store, set s->co.store, switch to
 * PHASE_STORE counting this replica as the first ack, and send Store to the others
 * (kv_send_store). ABD 1995: a read "announces" the value it is about to return. */
void cp_on_query_reply(sim_node *n, kv_state *s, int from, const kv_query_reply_body *r);

/* A StoreAck for the current request arrived from replica `from`. Only in PHASE_STORE, and once
 * per replica: count it. When a majority (this replica included) holds the cell, answer OK with
 * s->co.store (kv_reply): the value is now on a majority, so every later majority meets it. */
void cp_on_store_ack(sim_node *n, kv_state *s, int from, const kv_store_ack_body *a);

/* The deadline (cfg.cp_timeout after the request began) passed and the request is still in
 * progress: no majority answered. Refuse it (kv_reply REFUSED): the error a CP system gives
 * instead of a possibly wrong answer (Gilbert and Lynch 2002, Theorem 1: when messages can be
 * lost, an atomic object cannot answer every request). But a write in PHASE_STORE has already
 * merged its cell here and sent it out, so it may yet become visible: answer KV_UNKNOWN for it,
 * never REFUSED. */
void cp_on_deadline(sim_node *n, kv_state *s);

/* ---------------------------------------------------------------------------------------------
 * Part 3: exercises/09-cap/ap.c, the AP path (MODE_AP).
 */

/* The tag of a new write of `key` accepted at this replica: timestamp max(this node's clock
 * (sim_clock), the ts of the tag it holds for the key + 1), node this replica. So a write is newer
 * than everything this replica held for the key, even if its clock lags, and two replicas never
 * make equal tags. */
kv_tag ap_next_tag(sim_node *n, const kv_state *s, int key);

/* A request from the client arrived; s->co holds it. Answer at once from this replica alone: a
 * read with the cell held (kv_reply OK); a write with a new cell (ap_next_tag, the value), merged
 * into the store, then answered OK with that cell, then sent to every other replica
 * (ap_send_update). */
void ap_begin(sim_node *n, kv_state *s);

/* An Update arrived from replica `from`: merge its cell. */
void ap_on_update(sim_node *n, kv_state *s, int from, const kv_update_body *u);

/* The anti-entropy timer fired: send this replica's whole store to every other replica
 * (ap_send_sync). */
void ap_on_anti_entropy(sim_node *n, kv_state *s);

/* A Sync arrived from replica `from`: merge each of its cells (sy->keys of them) into the store,
 * key by key. Merging is commutative, associative and idempotent, so replicas that have exchanged
 * their stores hold the same cells, whatever the order. */
void ap_on_sync(sim_node *n, kv_state *s, int from, const kv_sync_body *sy);

#endif
