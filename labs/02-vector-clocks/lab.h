/*
 * labs/02-vector-clocks/lab.h: lab 02, causality exactly: vector clocks, causal broadcast and
 * version vectors.
 *
 * A Lamport clock orders every pair of events, so it cannot say when two events are concurrent.
 * A vector clock can: V(a) < V(b) exactly when a happened before b (Fidge 1988, "Timestamps in
 * message-passing systems that preserve the partial ordering"; Mattern 1989, "Virtual time and
 * global states of distributed systems"). This lab uses the idea three times, in three modes of
 * one protocol:
 *   - gossip: local events and point-to-point messages; your vectors are checked against the
 *     library's ground truth on every pair of events, in both directions.
 *   - broadcast: causal broadcast (Birman, Schiper, Stephenson 1991, "Lightweight causal and
 *     atomic group multicast", ACM TOCS 9(3), its causal ordering protocol): a message is held
 *     back until everything its sender had delivered before sending it has been delivered
 *     here. The network reorders and duplicates; each message must be delivered exactly once,
 *     in causal order.
 *   - store: a replicated value with version vectors (Parker et al. 1983, "Detection of mutual
 *     inconsistency in distributed systems"): concurrent writes are kept side by side as
 *     siblings, a write that has seen them replaces them, nothing is lost.
 *
 * You write the functions at the bottom: exercises/02-vector-clocks/vclock.c (part 1),
 * causal.c (part 2) and versions.c (part 3). protocol.c calls your vector clock at fixed points:
 * vclock_tick before a local event and before a send (the vector goes into the body), and
 * vclock_merge then vclock_tick first thing when a message arrives.
 */
#ifndef LAB02_H
#define LAB02_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  LAB02_MAX_NODES = 8, /* nodes in one world of this lab; vectors have this many entries */
  CB_PER_NODE = 32,    /* broadcasts one node makes at most */
  CB_MAX_MESSAGES = LAB02_MAX_NODES * CB_PER_NODE,
  CB_HOLD_MAX = 256, /* messages one node can hold back */
  CB_LOG_MAX = 256,  /* deliveries one node remembers (the checker reads them) */
  VSTORE_MAX = 8     /* siblings one replica can keep (at most one per replica is ever needed) */
};

/* Message types and timer kinds. */
enum { MSG_GOSSIP, MSG_BCAST, MSG_SYNC, MSG_TYPE_COUNT };
enum { TIMER_WORK, TIMER_SYNC, TIMER_KIND_COUNT };

/* A vector clock (or a version vector): entry i counts node i's events (or updates). Entries of
 * nodes the world does not have stay 0. */
typedef struct vclock {
  uint32_t c[LAB02_MAX_NODES];
} vclock;

/* How two vectors compare. */
typedef enum { VC_EQUAL, VC_BEFORE, VC_AFTER, VC_CONCURRENT } vc_order;

/* gossip mode: a point-to-point message, forwarded up to `hops` more times. */
typedef struct gossip_body {
  vclock vc; /* the sender's vector at the send */
  uint32_t hops;
} gossip_body;

/* broadcast mode: one broadcast message (the body of MSG_BCAST). */
typedef struct cb_msg {
  int32_t origin; /* who broadcast it */
  uint32_t id;    /* fixed by protocol.c: origin * CB_PER_NODE + (its number at origin - 1) */
  vclock vc;      /* yours: the timestamp of Birman-Schiper-Stephenson (see cb_broadcast) */
} cb_msg;

/* store mode: one version of the replicated value. */
typedef struct version {
  uint32_t value; /* the written value (unique per write in this lab: it names the write) */
  vclock vv;      /* its version vector */
} version;

/* store mode: what one replica holds: one or more versions that are pairwise concurrent. */
typedef struct vstore {
  version sib[VSTORE_MAX];
  uint32_t count;
} vstore;

/* store mode: anti-entropy, a replica's whole store sent to a peer (MSG_SYNC). */
typedef struct sync_body {
  vstore store;
} sync_body;

typedef enum { MODE_GOSSIP, MODE_BROADCAST, MODE_STORE } lab02_mode;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct lab02_config {
  lab02_mode mode;
  uint32_t actions;       /* gossip: actions; broadcast: timed broadcasts; store: writes */
  sim_time mean_gap;      /* mean time between actions (uniform in 1 .. 2 * mean_gap) */
  uint32_t local_percent; /* gossip: share of local events, 0..100 */
  uint32_t max_hops;      /* gossip: forwards of one message at most */
  uint32_t reply_percent; /* broadcast: chance of answering a delivery with a broadcast */
  sim_time sync_every;    /* store: period of anti-entropy (0: none) */
  uint32_t sync_rounds;   /* store: anti-entropy rounds in all */
} lab02_config;

/* A node's whole state: flat, zeroed at boot. */
typedef struct vc_state {
  lab02_config config; /* copied from the node's configuration at boot */

  /* Yours, part 1: this node's vector clock. */
  vclock clock;

  /* Yours, part 2: causal broadcast. */
  vclock delivered;         /* entry k: messages from k delivered here (own: own broadcasts) */
  cb_msg held[CB_HOLD_MAX]; /* received, not yet deliverable */
  uint32_t held_count;

  /* Yours, part 3: the replica's versions. */
  vstore store;

  /* Fixed code (protocol.c) only. */
  uint32_t actions_done;
  vclock recv_clock;        /* clock right after the receive rule ran (the checker reads it) */
  uint32_t broadcasts;      /* own broadcasts started (ids) */
  uint32_t log[CB_LOG_MAX]; /* ids of delivered broadcasts, in order (cb_deliver appends) */
  uint32_t log_count;
  uint32_t writes;  /* own writes so far */
  uint32_t writing; /* the value being written now (the checker reads it) */
  uint32_t syncs_done;
} vc_state;

/* ---------------------------------------------------------------------------------------------
 * What the scenarios record (run->lab_data), for the tests.
 */
enum { LAB02_MAX_EVENTS = 1024, LAB02_MAX_WRITES = 512 };

typedef struct lab02_event {
  sim_time time;
  int32_t node, kind, peer; /* kind: SIM_EV_SEND, SIM_EV_RECV or SIM_EV_LOCAL */
  uint64_t msg_id;
  vclock clock;                    /* your vector for the event */
  uint32_t truth[LAB02_MAX_NODES]; /* the library's ground truth */
} lab02_event;

typedef struct lab02_record {
  int nodes;
  lab02_mode mode;
  /* gossip */
  uint32_t event_count, pairs_checked;
  lab02_event events[LAB02_MAX_EVENTS];
  bool pending[LAB02_MAX_NODES];
  lab02_event pending_ev[LAB02_MAX_NODES];
  /* broadcast */
  bool known[CB_MAX_MESSAGES];                          /* broadcast (first copy sent) */
  uint64_t deps[CB_MAX_MESSAGES][CB_MAX_MESSAGES / 64]; /* delivered at origin before it */
  uint64_t got[LAB02_MAX_NODES][CB_MAX_MESSAGES / 64];  /* delivered at each node */
  uint32_t checked_upto[LAB02_MAX_NODES];
  uint32_t messages, max_held;
  /* store */
  uint32_t write_count;
  uint32_t write_value[LAB02_MAX_WRITES];
  uint32_t write_truth[LAB02_MAX_WRITES][LAB02_MAX_NODES];
  int32_t write_node[LAB02_MAX_WRITES];
  sim_time write_time[LAB02_MAX_WRITES];
  uint32_t max_siblings;
} lab02_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol vc_protocol;
extern const lab_info lab02;

/* Helpers from protocol.c. */

/* Broadcast: record that this node delivers m now (appends m->id to s->log for the checker;
 * your code must still update s->delivered). */
void cb_deliver(sim_node *n, vc_state *s, const cb_msg *m);
/* Broadcast: send m to every other node (one copy each, in node order). */
void cb_send_all(sim_node *n, vc_state *s, const cb_msg *m);
/* Store: make a new write at this replica now (a client's read-modify-write: the context is
 * store_context of this replica). Used by the scenarios through sim_poke and by the timer. */
void replica_write(sim_node *n, vc_state *s);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1 (exercises/02-vector-clocks/vclock.c): vector clocks.
 * Fidge 1988; Mattern 1989 (the vector time of both papers).
 */

/* An event at node `self` (local, send or receive): add one to entry self, and only to it. */
void vclock_tick(vclock *v, int self);

/* Merge what a message carries into `into`: every entry becomes the larger of the two. Does not
 * tick (protocol.c ticks after merging, for the receive event itself). */
void vclock_merge(vclock *into, const vclock *other);

/* Compare a with b over all LAB02_MAX_NODES entries: VC_EQUAL if every entry is equal; VC_BEFORE
 * if every entry of a is <= b's and at least one is smaller (a happened before b); VC_AFTER the
 * other way round; VC_CONCURRENT otherwise (each is larger somewhere). */
vc_order vclock_compare(const vclock *a, const vclock *b);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2 (exercises/02-vector-clocks/causal.c): causal broadcast.
 * Birman, Schiper, Stephenson 1991 (the causal ordering protocol, with vector
 * timestamps that count messages, not events).
 */

/* May m, broadcast by m->origin, be delivered at a node whose delivered-vector is `delivered`?
 * Yes when it is the next message from its origin (m->vc.c[m->origin] ==
 * delivered->c[m->origin] + 1) and everything its origin had delivered before sending it has been
 * delivered here (m->vc.c[k] <= delivered->c[k] for every other k). */
bool cb_deliverable(const vclock *delivered, const cb_msg *m);

/* Broadcast m (protocol.c has set m->origin and m->id; m->origin is this node): count it as
 * delivered by its own sender first (s->delivered.c[m->origin] += 1), then timestamp it with the
 * result (m->vc = s->delivered, so the n-th message carries n in its own entry), deliver it here
 * (cb_deliver) and send it to the others (cb_send_all). */
void cb_broadcast(sim_node *n, vc_state *s, cb_msg *m);

/* A copy of m arrived. Drop it if it was delivered already (m->vc.c[m->origin] <=
 * s->delivered.c[m->origin]) or is held already: the network duplicates, and a copy is the same
 * message when it has the same origin and the same vc.c[origin] (or the same id); deliver each
 * message once. Otherwise hold it back (s->held). Then deliver every held message that has become
 * deliverable (cb_deliver, then merge its timestamp into s->delivered: cb_deliver does not), again
 * and again until none is: one delivery can make others deliverable. */
void cb_on_receive(sim_node *n, vc_state *s, const cb_msg *m);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3 (exercises/02-vector-clocks/versions.c): version vectors.
 * Parker et al. 1983 (version vectors and the test for mutual inconsistency).
 */

/* What a client reads with the value: the merge of the version vectors of all siblings (all
 * zeros for an empty store). A write made with this context has seen every sibling. */
vclock store_context(const vstore *st);

/* A client writes `value` at replica `self`, having read `context` (from any replica, maybe a
 * while ago). The new version's vector is the context with entry self set to one more than the
 * largest entry self this replica has seen (in the context or in any sibling). Siblings that the
 * new vector covers (VC_BEFORE or VC_EQUAL) are replaced; concurrent ones stay beside it. */
void store_put(vstore *st, int self, const vclock *context, uint32_t value);

/* Another replica's version arrived (anti-entropy). If a sibling already covers it (the same
 * vector, or a later one), ignore it. Otherwise drop the siblings it covers and keep it; the
 * versions that are concurrent with it stay, as siblings. */
void store_merge(vstore *st, const version *incoming);

#endif
