/*
 * labs/07-consistency/lab.h: lab 07, what "correct" means: session guarantees on a lagging store.
 *
 * The store is primary-copy replication with asynchronous, lagging replicas:
 *
 *   - node 0 is the primary. Every write goes to it. It gives the write the next version (a
 *     store-wide counter: version 7 is the 7th write the primary applied, whatever its key),
 *     applies it, appends it to its log and acknowledges it with that version. Every
 *     sync_interval it sends each replica the log entries that replica has not acknowledged yet,
 *     but only entries older than that replica's lag: replicas run behind on purpose.
 *   - nodes 1..replicas are replicas. A replica applies log entries strictly in version order
 *     (entry v only once it has v-1), so its state is always the primary's state of some moment
 *     in the past: "applied" says which. Clients read from any of them.
 *   - the remaining nodes are clients. Each runs a fixed workload: one operation at a time,
 *     writes to the primary, reads from a replica picked at random for every attempt (or from the
 *     primary, in the scenarios that test linearizability), retrying after a timeout, and records
 *     every operation in the world's history (sim_history_add) for the linearizability checker.
 *
 * Without a session layer a client can read from a replica that has not yet applied the client's
 * own write (read-your-writes broken) or read from a fresh replica and then a stale one (monotonic
 * reads broken). You build the session layer of Terry et al., "Session Guarantees for Weakly
 * Consistent Replicated Data" (PDIS 1994), in its simplest form: because one primary orders every
 * write, one number is enough to name "everything this session has seen": the session token, the
 * highest version the client wrote or read. Reads carry the token; a replica that has applied
 * less than the token must not answer yet.
 *
 * You write the four functions at the bottom, in exercises/07-consistency/session.c. protocol.c
 * holds the rest (the primary, replication, the client workload); scenarios.c the scenarios that
 * the driver and the tests run, with the read-your-writes and monotonic-reads invariants and the
 * linearizability check.
 */
#ifndef LAB07_H
#define LAB07_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  STORE_KEYS = 2,        /* keys "x" and "y" */
  STORE_VALUE_LEN = 16,  /* bytes of a value, NUL included: "c3.17" */
  STORE_LOG_MAX = 512,   /* writes the primary can hold (the workloads write far fewer) */
  STORE_SYNC_BATCH = 16, /* log entries in one Sync message */
  CLIENT_OPS_MAX = 64    /* operations one client runs (and remembers for the checkers) */
};

/* Message types (indexes into the protocol's type table). */
enum { MSG_WRITE, MSG_WRITE_OK, MSG_READ, MSG_READ_OK, MSG_SYNC, MSG_SYNC_ACK, MSG_TYPE_COUNT };
/* Timer kinds. */
enum { TIMER_SYNC, TIMER_THINK, TIMER_RETRY, TIMER_KIND_COUNT };

/* Client -> primary: write value to key. req numbers the client's operations (retries keep it). */
typedef struct write_body {
  uint32_t req;
  uint8_t key;
  char value[STORE_VALUE_LEN];
} write_body;

/* Primary -> client: the write of request req was applied as version `version`. */
typedef struct write_ok_body {
  uint32_t req;
  uint64_t version;
} write_ok_body;

/* Client -> replica (or primary): read key. token is the client's session token (0: none). */
typedef struct read_body {
  uint32_t req;
  uint8_t key;
  uint64_t token;
} read_body;

/* Replica -> client: key holds value, last written by the write of version `version` (0: never
 * written, value "nil"); the replica had applied every write up to `applied` when it answered. */
typedef struct read_ok_body {
  uint32_t req;
  uint8_t key;
  uint64_t version;
  uint64_t applied;
  char value[STORE_VALUE_LEN];
} read_ok_body;

/* One write in the primary's log. */
typedef struct log_entry {
  uint64_t version; /* its position in the log, from 1 */
  uint8_t key;
  char value[STORE_VALUE_LEN];
  sim_time written_at; /* when the primary applied it (lag is measured from here) */
} log_entry;

/* Primary -> replica: log entries first .. first+count-1. */
typedef struct sync_body {
  uint64_t first;
  uint32_t count;
  log_entry entries[STORE_SYNC_BATCH];
} sync_body;

/* Replica -> primary: I have applied every write up to `applied`. */
typedef struct sync_ack_body {
  uint64_t applied;
} sync_ack_body;

typedef enum { ROLE_PRIMARY, ROLE_REPLICA, ROLE_CLIENT } store_role;
typedef enum { OP_NONE, OP_READ, OP_WRITE } op_kind;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct store_config {
  store_role role;
  int replicas; /* all roles: replicas are nodes 1..replicas */
  /* Primary. */
  sim_time sync_interval;      /* how often it sends Sync to each replica */
  sim_time lag[SIM_MAX_NODES]; /* replica r only gets entries at least lag[r] old */
  /* Client. */
  bool sessions;          /* true: keep a session token and send it with reads */
  bool read_primary;      /* true: read from the primary; false: a random replica */
  uint32_t ops;           /* operations to run (at most CLIENT_OPS_MAX) */
  uint32_t write_percent; /* chance that an operation is a write */
  sim_time think;         /* pause before each operation: uniform in [0, think] */
  sim_time retry;         /* resend an unanswered request after this long */
} store_config;

/* The session: what a client remembers to get read-your-writes and monotonic reads. */
typedef struct session {
  uint64_t token; /* the highest version this client wrote or read, 0 at first */
} session;

/* A read a replica holds back until it has applied the client's token. (The fields are ordered
 * so that the struct has no padding: a world's state hash then never sees stray bytes.) */
typedef struct pending_read {
  uint64_t token; /* the session token the read carried */
  uint32_t req;   /* the client's request number */
  uint8_t key;
  bool active;     /* false: the slot is free */
  uint16_t unused; /* always 0 */
} pending_read;

/* What a client saw of one operation (fixed code fills it; the checkers read it). */
typedef struct op_done {
  op_kind kind;
  uint8_t key;
  int server;       /* the node whose reply completed it */
  uint64_t version; /* write: the version it got; read: the version it returned */
  uint64_t token;   /* read: the token the request carried */
  uint64_t applied; /* read: the server's applied version when it answered */
  sim_time invoked, completed;
  char value[STORE_VALUE_LEN]; /* written, or read */
} op_done;

/* A store cell: a key's value and the version of the write that put it there. */
typedef struct cell {
  char value[STORE_VALUE_LEN];
  uint64_t version;
} cell;

/* A node's whole state: flat, zeroed at boot. Fields are grouped by who uses them. */
typedef struct store_state {
  store_config config; /* copied from the node's configuration at boot */

  /* Primary and replicas: the data. */
  cell data[STORE_KEYS];
  uint64_t applied;                    /* every write up to this version is in data */
  pending_read pending[SIM_MAX_NODES]; /* held-back reads, one slot per client node id */

  /* Primary. */
  log_entry log[STORE_LOG_MAX];         /* log[v-1] is the write of version v */
  uint64_t acked[SIM_MAX_NODES];        /* replica r's last reported applied version */
  uint32_t last_req[SIM_MAX_NODES];     /* a client's last write request (deduplication) */
  uint64_t last_version[SIM_MAX_NODES]; /* ... and the version it got */

  /* Client. */
  session session;
  uint32_t req; /* the operation in progress (from 1), or the last one */
  op_kind busy; /* kind of the operation in progress, OP_NONE between ops */
  uint8_t key;
  char value[STORE_VALUE_LEN]; /* what the write in progress writes */
  uint32_t attempts;
  uint64_t retry_timer;
  sim_time invoked;
  uint32_t completed; /* operations finished; done[0..completed-1] */
  op_done done[CLIENT_OPS_MAX];
} store_state;

/* What a scenario run recorded (run->lab_data), for the tests. */
typedef struct lab07_record {
  int clients, first_client;   /* client node ids: first_client .. first_client+clients-1 */
  bool checked_lin;            /* the scenario ran the linearizability checker */
  int lin_verdict;             /* its lin_verdict */
  uint64_t lin_ops, lin_steps; /* operations it checked, model steps it took */
  bool stale_found;            /* a stale read by another client was found (lin-* scenarios) */
  char stale[512];             /* ... described in one sentence */
  char lin_explanation[8192];  /* the checker's explanation (cut if longer) */
  uint32_t reads, writes, held_back; /* operations completed; reads that had to wait */
} lab07_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol store_protocol;
extern const lab_info lab07;

/* Names for traces and messages: "x", "y". */
const char *store_key_name(int key);

/* Helper from protocol.c that your code calls: answer client `client`'s read of `key` (request
 * `req`) now, from this node's data: sends ReadOk(req, key, version, applied, value). */
void store_reply_read(sim_node *n, store_state *s, int client, uint32_t req, uint8_t key);

/* ---------------------------------------------------------------------------------------------
 * What you write (exercises/07-consistency/session.c), in this order.
 */

/* Client, a write was acknowledged with ok->version. Terry et al. 1994, section 3 (Read Your
 * Writes): later reads must see this write, so the session token must cover it: raise the token
 * to ok->version if it is lower; never lower it (replies can arrive late and out of order). */
void session_on_write_ok(session *ss, const write_ok_body *ok);

/* Client, a read returned ok->version. Terry et al. 1994, section 3 (Monotonic Reads): later
 * reads must not see an older state than this one, so raise the token to ok->version if it is
 * lower; never lower it. */
void session_on_read_ok(session *ss, const read_ok_body *ok);

/* Replica (or primary), client `from` asks to read rd->key with session token rd->token.
 * If this node has applied every write up to the token (s->applied >= rd->token), answer now
 * with store_reply_read (a covered read is always answered, whatever its req). Otherwise it must
 * not answer (its data may miss a write the client has seen): hold the read back in
 * s->pending[from] and answer it once this node catches up (replica_on_applied). A client waits
 * for one read at a time, so the slot keeps its newest request: a read with a higher req replaces
 * the held one, a late duplicate of an older request (lower req) is dropped. A token of 0 (no
 * session) is always covered. You write no trace note: when this returns with the read in
 * s->pending[from] (active, same req), protocol.c notes "read req=3 from c3 held back: token 2 >
 * applied 1" for the viewer. */
void replica_on_read(sim_node *n, store_state *s, int from, const read_body *rd);

/* Replica (or primary), s->applied has just gone up. Answer, with store_reply_read, every held-
 * back read whose token is now covered, and free its slot; leave the others waiting. (The
 * scenarios check after every event that no covered read is left unanswered.) */
void replica_on_applied(sim_node *n, store_state *s);

#endif
