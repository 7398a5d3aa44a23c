/*
 * labs/03-hybrid-clocks/lab.h: lab 03, time you can compare: hybrid logical clocks.
 *
 * A Lamport clock (lab 01) respects causality but its numbers mean nothing to a person; a
 * physical clock means something ("10:00:00.003") but, with skewed and drifting clocks, it can
 * give an effect an earlier time than its cause. A hybrid logical clock (HLC) is both: a pair
 * (l, c) where l is the largest physical clock reading the node has heard of and c counts events
 * that share that l. It respects causality like a Lamport clock and never strays further from the
 * node's physical clock than the clocks stray from each other (Kulkarni, Demirbas, Madappa, Avva,
 * Leone, "Logical Physical Clocks", OPODIS 2014, Section 3 and its Figure 5).
 *
 * In this world every node's physical clock (sim_clock) has its own skew and drift, set by the
 * scenario or by a fault schedule ("skew 1 +300ms", "drift 2 500ppm"). One protocol, two modes:
 *   - gossip: local events and point-to-point messages, as in lab 01. Your clock is checked on
 *     every event against the library's ground truth: causality, closeness to physical time,
 *     and the bound on c.
 *   - store: a replicated key-value store. Every node is a replica of every key and accepts
 *     writes; a write is stamped with a timestamp and sent to all the other replicas, and each
 *     replica keeps every version of a key ordered by timestamp (a multi-version store). Two
 *     uses of the timestamps are checked: last-writer-wins (the newest version is the value),
 *     and snapshot reads "as of T" (the newest version with a timestamp <= T, for every key).
 *     The scenarios run the same store with HLC timestamps and with raw physical timestamps,
 *     to show what the physical clocks get wrong.
 *
 * You write the functions at the bottom: the clock in exercises/03-hybrid-clocks/hlc.c, the
 * versioned store and the safe time in exercises/03-hybrid-clocks/store.c. protocol.c calls the
 * clock at fixed points: hlc_tick before every local event and every send (the result goes into
 * the message), hlc_receive first thing when a message arrives.
 */
#ifndef LAB03_H
#define LAB03_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  LAB03_MAX_NODES = 8,  /* nodes in one world of this lab */
  KV_KEYS = 4,          /* keys of the store: a, b, c, d in notes, kv.a .. kv.d in the state */
  KV_VERSIONS = 128,    /* versions one replica keeps of one key (the scenarios stay below) */
  SNAP_PENDING_MAX = 8, /* snapshot reads one node may wait on at once */
  SNAP_LOG_MAX = 32     /* answered snapshot reads one node remembers (the checker reads them) */
};

/* Message types (indexes into the protocol's type table). Every body starts with an hlc: the
 * sender's timestamp of the send. */
enum { MSG_GOSSIP, MSG_UPDATE, MSG_BEAT, MSG_TYPE_COUNT };
/* Timer kinds: the next action (gossip action or write), the next heartbeat, the next read. */
enum { TIMER_WORK, TIMER_BEAT, TIMER_READ, TIMER_KIND_COUNT };

/* A hybrid logical clock value, and a timestamp. Compared as a pair: l first, then c. */
typedef struct hlc {
  uint64_t l; /* the largest physical clock reading (microseconds) this node has heard of */
  uint64_t c; /* events since l last moved up (the paper packs it in 16 bits; here 64) */
} hlc;

/* gossip mode: a point-to-point message that may be forwarded `hops` more times. */
typedef struct gossip_body {
  hlc ts; /* the sender's timestamp of the send */
  uint32_t hops;
} gossip_body;

/* store mode: one version of a key. */
typedef struct kv_version {
  hlc ts;         /* the write's timestamp */
  int32_t writer; /* the replica that took the write: breaks ties between equal timestamps */
  uint32_t value; /* the value written; unique per write in this lab, so it names the write */
} kv_version;

/* store mode: a write, sent by the replica that took it to every other replica. */
typedef struct update_body {
  hlc ts;      /* the sender's timestamp of this send (not the write's: that is version.ts) */
  int32_t key; /* 0 .. KV_KEYS-1 */
  kv_version version;
} update_body;

/* store mode: a heartbeat. It carries nothing but the sender's timestamp, which is the point:
 * a replica that hears T from every other replica knows that no write stamped below T can still
 * be on its way (see kv_safe_time). */
typedef struct beat_body {
  hlc ts;
} beat_body;

/* store mode: all the versions a replica holds of one key, oldest first (see kv_before). */
typedef struct kv_history {
  kv_version v[KV_VERSIONS];
  uint32_t count;
} kv_history;

/* store mode: a snapshot read "as of T", from its start to its answer. */
typedef struct snap_read {
  hlc at;           /* T: the reader's timestamp when the read started */
  sim_time started; /* true time it started, and was answered */
  sim_time answered;
  bool has[KV_KEYS];       /* the answer: for each key, the newest version with ts <= T */
  kv_version got[KV_KEYS]; /* (has[k] false: no such version) */
} snap_read;

typedef enum { MODE_GOSSIP, MODE_STORE } lab03_mode;
/* store mode: where timestamps come from. STAMP_HLC: your clock. STAMP_PHYSICAL: every
 * timestamp is (sim_clock(), 0), the node's physical clock alone (your clock is not used). */
typedef enum { STAMP_HLC, STAMP_PHYSICAL } lab03_stamps;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct lab03_config {
  lab03_mode mode;
  lab03_stamps stamps;    /* store mode */
  uint32_t actions;       /* gossip: actions (local event or send); store: writes */
  sim_time mean_gap;      /* mean local-clock time between two actions (uniform 1..2*mean) */
  uint32_t local_percent; /* gossip: share of actions that are local events, 0..100 */
  uint32_t max_hops;      /* gossip: a sent message is forwarded up to this many times */
  uint32_t keys;          /* store: keys written, 1..KV_KEYS */
  bool own_key;           /* store: node i writes only key i % keys (else any key) */
  sim_time beat_every;    /* store: time between heartbeats (0: no heartbeats) */
  uint32_t beats;         /* store: heartbeats to send in all */
  uint32_t reads;         /* store: snapshot reads to start */
  sim_time read_gap;      /* store: mean time between two reads */
} lab03_config;

/* A node's whole state: flat, zeroed at boot. */
typedef struct hlc_state {
  lab03_config config; /* copied from the node's configuration at boot */

  /* Yours, part 1: this node's clock (hlc_tick, hlc_receive). */
  hlc clock;

  /* Yours, part 2: this replica's versions of every key (kv_put, kv_latest, kv_read_at). */
  kv_history store[KV_KEYS];

  /* Part 3 reads this (kv_safe_time); protocol.c writes it: the timestamp of the latest message
   * received from each node ({0, 0}: nothing yet). Links are FIFO in the snapshot scenarios. */
  hlc heard[LAB03_MAX_NODES];

  /* Fixed code (protocol.c) only. */
  uint32_t actions_done, beats_done, reads_done;
  uint32_t writes;     /* writes taken here, ever (kept in stable storage: values never repeat) */
  hlc recv_ts;         /* the clock right after the receive rule ran (checker) */
  int32_t writing_key; /* the write being made now, -1 if none (checker) */
  kv_version writing;
  snap_read pending[SNAP_PENDING_MAX]; /* reads waiting for the safe time to pass T */
  uint32_t pending_count;
  snap_read done[SNAP_LOG_MAX]; /* answered reads, in order */
  uint32_t done_count;
} hlc_state;

/* ---------------------------------------------------------------------------------------------
 * What the scenarios record (run->lab_data), for the tests.
 */
enum { LAB03_MAX_EVENTS = 8192, LAB03_MAX_PER_NODE = 4096, LAB03_MAX_WRITES = 512 };

/* One clock event as the checker saw it. */
typedef struct lab03_event {
  sim_time time;
  int32_t node, kind; /* kind: SIM_EV_SEND, SIM_EV_RECV or SIM_EV_LOCAL */
  hlc ts;             /* your timestamp of the event */
  uint64_t pt;        /* the node's physical clock at the event */
  uint32_t chain;     /* the longest chain of events before it with the same l (see scenarios.c) */
} lab03_event;

/* One write, as the store checker saw it. */
typedef struct lab03_write {
  sim_time time;
  int32_t node, key;
  kv_version version;
  uint32_t vc[LAB03_MAX_NODES]; /* ground truth: the writing node's vector clock at the write */
} lab03_write;

typedef struct lab03_record {
  int nodes;
  lab03_mode mode;
  lab03_stamps stamps;
  /* The clock checker (STAMP_HLC). */
  uint32_t checked; /* clock events checked */
  uint32_t event_count;
  lab03_event events[LAB03_MAX_EVENTS];
  uint64_t max_c;     /* the largest c seen */
  int64_t max_ahead;  /* the largest l - pt seen (how far l ran ahead of the node's clock) */
  int64_t max_spread; /* the largest distance between two physical clocks seen (epsilon) */
  uint64_t fastest[LAB03_MAX_NODES];    /* each node's largest physical clock reading so far */
  uint32_t c_resets[LAB03_MAX_NODES];   /* events where c went from > 0 back to 0 */
  uint64_t node_max_c[LAB03_MAX_NODES]; /* per node: the largest c */
  /* The store checker. */
  uint32_t write_count;
  lab03_write writes[LAB03_MAX_WRITES];
  uint32_t lost_writes; /* lost-write violations found (the demonstration looks for one) */
  uint32_t snapshots;   /* snapshot reads answered and checked */
  sim_time max_wait;    /* the longest a snapshot read waited for its answer */
  sim_time total_wait;
  uint32_t causal_breaks; /* snapshots that showed an effect without its cause */
} lab03_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol hlc_protocol;
extern const lab_info lab03;

/* Format a timestamp as "(204.531ms, 2)" into out (cap bytes); returns out. */
const char *hlc_format(hlc t, char *out, size_t cap);
/* Format microseconds as exact milliseconds, "204.531ms" ("+204.531ms" if sign and us >= 0). */
const char *hlc_format_us(int64_t us, bool sign, char *out, size_t cap);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1 (exercises/03-hybrid-clocks/hlc.c): the clock.
 * Kulkarni et al. 2014, Section 3, Figure 5 ("HLC algorithm"). pt is the node's physical clock
 * now, in microseconds (protocol.c reads it with sim_clock and passes it in).
 */

/* A send or a local event (the paper treats them alike). The new l is the larger of the old l
 * and pt. If l did not move (pt <= old l), c goes up by one; if it moved, c starts again at 0.
 * Updates *clock and returns the new value: the event's timestamp. */
hlc hlc_tick(hlc *clock, uint64_t pt);

/* A receive of a message stamped msg. The new l is the largest of the old l, msg.l and pt. Then
 * c: if the new l equals both the old l and msg.l, one more than the larger of the two c's; if it
 * equals only the old l, the old c plus one; if only msg.l, msg.c plus one; if neither (pt won),
 * 0. Updates *clock and returns the new value: the receive event's timestamp. */
hlc hlc_receive(hlc *clock, hlc msg, uint64_t pt);

/* Compare two timestamps: l first, then c. Returns a negative number if a comes before b, 0 if
 * they are equal, a positive number if a comes after b. */
int hlc_compare(hlc a, hlc b);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2 (exercises/03-hybrid-clocks/store.c): the versioned store.
 */

/* The order of versions: a before b when a.ts comes before b.ts (hlc_compare), or the timestamps
 * are equal and a.writer < b.writer (replica ids break ties, so every replica orders every pair
 * of versions the same way). Returns true if a comes strictly before b. */
bool kv_before(const kv_version *a, const kv_version *b);

/* Add version v to h, keeping h->v sorted by kv_before, oldest first. A version already held
 * (the same timestamp and writer: the network duplicates messages) is not added again. Returns
 * true if v was added. Precondition: h->count < KV_VERSIONS (protocol.c checks). */
bool kv_put(kv_history *h, const kv_version *v);

/* Last-writer-wins: the newest version of h (the last one), or NULL if h is empty. */
const kv_version *kv_latest(const kv_history *h);

/* A read as of T: the newest version whose timestamp is <= at (hlc_compare), or NULL if there is
 * none (every version is newer than T, or h is empty). */
const kv_version *kv_read_at(const kv_history *h, hlc at);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3 (exercises/03-hybrid-clocks/store.c): when a snapshot read may answer.
 */

/* The safe time of replica `self` in a world of node_count nodes: the smallest of s->heard[j]
 * over every other node j (not self). Every replica stamps its writes with ever larger
 * timestamps and sends them over FIFO links before anything it sends later, so no write stamped
 * at or below heard[j] can still arrive from j. protocol.c answers a read as of T once T is
 * strictly below the safe time. Returns {0, 0} if some node has not been heard from. */
hlc kv_safe_time(const hlc_state *s, int self, int node_count);

#endif
