/*
 * labs/06-idempotency/lab.h: lab 06, effectively-once: request ids and a deduplication table.
 *
 * One server (n0) holds a counter; clients (c1, c2, ...) ask it to add one, one request at a
 * time, and each wants the value its own increment produced. The network loses, duplicates,
 * delays and reorders messages and the server crashes, so a client must retry (lab 00), and a
 * retry may reach the server after the first attempt was already applied. Retrying alone gives
 * at-least-once; this lab makes the *effect* happen once per request anyway:
 *
 *   - every request carries an id, (client, seq): the client numbers its requests 1, 2, 3, ...
 *     and resends the same id, never a new one, until it gets an answer;
 *   - the server keeps a deduplication table, one entry per client: the latest seq it applied
 *     for that client and the reply that application produced. A request already applied is
 *     answered from the table, not applied again (Birrell and Nelson, "Implementing Remote
 *     Procedure Calls", ACM TOCS 2(1), 1984, section 3.2: the callee remembers, per calling
 *     activity, the sequence number of its last call, and treats a call numbered at or below
 *     it as a repeat, not as a new call; Raft, Ongaro and Ousterhout 2014, section 8: the state
 *     machine keeps each client's latest serial number and its response, and answers a command
 *     it already executed without executing it again);
 *   - the table is bounded: one entry per client (a client has one request in flight, so only
 *     its latest one can still be retried), and at most `capacity` clients. When a new client
 *     arrives at a full table, the least recently applied entry is evicted, and the server
 *     remembers one number about everything it evicted, the *horizon* (below);
 *   - the table and the counter live in stable storage: they are written before the reply is
 *     sent, so a server that crashes and restarts still knows what it applied.
 *
 * Stamps and the horizon. The counter's value after an application is that application's
 * *stamp*: it is the reply, it only grows, and it orders applications. A client sends with
 * every request `seen`, the highest stamp it has learned from the server. When the server
 * evicts an entry it raises the horizon to at least that entry's stamp. A request from a client
 * with no entry is new only if its `seen` is at least the horizon; otherwise it may be a retry of
 * something the server has forgotten (every such request was sent before its client saw the
 * evicted stamp, so its `seen` is below the horizon), and the server refuses it as EXPIRED
 * instead of guessing. The client learns the horizon from that reply, counts the request as
 * "outcome unknown", and goes on with a new seq. Eviction never causes a second application;
 * it costs refusals (Ongaro's thesis, "Consensus: Bridging Theory and Practice", 2014, section
 * 6.3, expires client sessions the same way: an expired client gets an error, not a repeat).
 *
 * You write the functions at the bottom: the table in exercises/06-idempotency/table.c, the
 * server in server.c, the client in client.c. protocol.c has the fixed parts: message and timer
 * tables, boot (which calls server_recover), the client's pacing and history, and the helpers
 * declared below; scenarios.c has the scenarios the driver and the tests run, and their checks.
 */
#ifndef LAB06_H
#define LAB06_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  IDEM_MAX_SLOTS = 16,    /* entries a dedup table can hold (a server uses `capacity` of them) */
  IDEM_MAX_REQUESTS = 64, /* requests one client makes in a run */
  IDEM_SERVER = 0         /* the server is node 0; clients are nodes 1 .. */
};

/* Message types (indexes into the protocol's type table). */
enum { MSG_REQUEST, MSG_REPLY, MSG_TYPE_COUNT };
/* Timer kinds: a client's retry timer (arg: the seq it was set for), its pause between requests. */
enum { TIMER_RETRY, TIMER_THINK, TIMER_KIND_COUNT };

/* Client -> server: "add one to the counter", as request (client, seq). */
typedef struct request_body {
  int32_t client;   /* the client's node id: with seq, the request's id */
  uint32_t seq;     /* the client's request number, from 1; a retry keeps it */
  uint64_t seen;    /* the highest stamp the client had learned when it made this request */
  uint32_t attempt; /* 1 for the first send, 2 for the first retry, ... (for the trace) */
  uint32_t pad;     /* 0 */
} request_body;

typedef enum {
  REPLY_OK = 1,     /* applied (now or before): value is what this request's increment made */
  REPLY_EXPIRED = 2 /* refused: the server may have forgotten this request; value: its horizon */
} reply_status;

/* Server -> client: the answer to request (client, seq). */
typedef struct reply_body {
  uint32_t seq;   /* the seq of the request answered */
  int32_t status; /* reply_status */
  uint64_t value; /* OK: the stamp of the request's one application; EXPIRED: the horizon */
} reply_body;

/* One client's entry in the deduplication table. */
typedef struct dedup_entry {
  bool used;      /* the slot holds an entry */
  int32_t client; /* whose entry it is */
  uint32_t seq;   /* the latest seq applied for that client */
  uint64_t reply; /* the value that application produced (its stamp): the cached reply */
} dedup_entry;

/* The deduplication table: at most one entry per client, at most `capacity` entries. */
typedef struct dedup_table {
  uint32_t capacity; /* slots this server may use, 1 .. IDEM_MAX_SLOTS, set at boot from the
                        configuration: only slots[0 .. capacity-1] are ever used */
  dedup_entry slots[IDEM_MAX_SLOTS];
  uint64_t horizon; /* the highest stamp of any entry evicted so far (0: none) */
} dedup_table;

/* Everything the server knows: the counter and its table. This is also exactly what stable
 * storage holds, at offset 0 (the checks read it there). */
typedef struct server_data {
  uint64_t counter; /* increments applied so far; the value after one is its stamp */
  dedup_table table;
} server_data;

/* What became of one request, as its client knows it. */
typedef enum {
  OUTCOME_PENDING = 0, /* not finished (not started, or waiting for an answer) */
  OUTCOME_OK,          /* answered: result[seq] is the value its increment produced */
  OUTCOME_EXPIRED      /* refused as expired: applied once or not at all, nobody can say */
} idem_outcome;

/* A client's requests. */
typedef struct idem_client {
  uint32_t seq;         /* the request in progress, or the last one; 0 before the first */
  uint64_t seen;        /* the highest stamp learned from replies (OK values and horizons) */
  uint32_t attempts;    /* sends of the request in progress so far */
  uint64_t retry_timer; /* the pending retry timer's id, 0 if none */
  bool waiting;         /* the request in progress has been sent and not finished */
  idem_outcome outcome[IDEM_MAX_REQUESTS + 1]; /* per seq (index 0 unused) */
  uint64_t result[IDEM_MAX_REQUESTS + 1];      /* per seq: the value of its OK reply */
} idem_client;

typedef enum { ROLE_SERVER, ROLE_CLIENT } idem_role;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct idem_config {
  idem_role role;
  /* Client. */
  uint32_t requests;  /* requests to make, one after another (at most IDEM_MAX_REQUESTS) */
  sim_time timeout;   /* resend the request in progress after this long without an answer */
  sim_time start;     /* the first request goes out at start + a pause */
  sim_time think_max; /* the pause before each request: uniform in 0 .. think_max */
  /* Server. */
  uint32_t slots;      /* the table's capacity, 1 .. IDEM_MAX_SLOTS */
  bool volatile_table; /* demonstration only: at restart, forget the table (the counter
                          survives): what a table kept in memory only would do */
} idem_config;

/* A node's whole state: flat, zeroed at boot. */
typedef struct idem_state {
  idem_config config; /* copied from the node's configuration at boot */

  /* Yours: the server (server.c, table.c). */
  server_data srv;
  /* Yours: the client (client.c). */
  idem_client cli;

  /* Fixed code (protocol.c) only. */
  int32_t applied_client; /* the last application: whose request (the checks read these) */
  uint32_t applied_seq;
  uint32_t finished;     /* client: requests finished (OK or EXPIRED) */
  uint32_t invoked_upto; /* client: the last seq written to the history as invoked */
  bool done;             /* client: every request finished */
} idem_state;

/* ---------------------------------------------------------------------------------------------
 * What a scenario run recorded (run->lab_data), for the tests: the ground truth, measured by the
 * scenario's observer and invariants (scenarios.c), not by your code.
 */

/* One request (client, seq) as the checks saw it. */
typedef struct lab06_request {
  uint32_t applied;    /* times the server applied it (counter_apply): more than 1 is the bug */
  uint64_t stamp;      /* the counter value its first application produced */
  sim_time applied_at; /* when it was first applied */
  uint32_t sends;      /* Request messages its client sent for it */
  bool refused;        /* the server answered it EXPIRED ... */
  sim_time refused_at; /* ... first at this time */
} lab06_request;

typedef struct lab06_record {
  int clients;       /* clients are nodes 1 .. clients */
  uint32_t requests; /* requests each client makes */
  uint32_t slots;    /* the server's table capacity */
  bool volatile_table;
  lab06_request req[SIM_MAX_NODES][IDEM_MAX_REQUESTS + 1]; /* [client node][seq] */
  uint64_t applications;                                   /* counter_apply calls */
  uint32_t double_applied; /* applications of a request that was already applied */
  char first_double[512];  /* the first one, explained */
  uint32_t cached_replies; /* OK replies sent without applying (answered from the table) */
  uint32_t expired_replies;
  uint32_t evictions;   /* entries that left the table to make room */
  uint32_t max_entries; /* the most entries the table held at once */
  uint32_t crashes, restarts;
  sim_time last_restart;
  /* Judged at the end, from the history. */
  uint32_t ok, expired, expired_applied;
  sim_time finished_at; /* when the last client finished */

  /* The checks' own bookkeeping. */
  uint32_t cur_seq[SIM_MAX_NODES];  /* each client's request on the wire ... */
  uint64_t cur_seen[SIM_MAX_NODES]; /* ... and the seen it was first sent with */
  uint64_t learned[SIM_MAX_NODES];  /* the highest value the client has been answered with */
  bool client_restarted[SIM_MAX_NODES];
  bool dirty[SIM_MAX_NODES]; /* the client's state changed: check its outcomes */
  bool apply_now;            /* the server's current handler applied a request ... */
  int32_t apply_client;      /* ... this one */
  uint32_t apply_seq;
  request_body last_request; /* the request the server's current handler is serving, */
  bool last_had_entry;       /* whether the table had an entry for its client then, */
  uint32_t last_entry_seq;   /* with this seq, */
  uint64_t last_horizon;     /* and the table's horizon */
  dedup_table prev;          /* the server's table after the previous event */
  bool prev_valid;
  /* Crash placement (crashy-server, no-persist): crash the server, with this chance, at the
   * moment one of its replies is lost; down for down_min .. down_max. */
  double crash_chance;
  sim_time down_min, down_max;
  uint32_t crash_budget;
  uint32_t placed_crashes; /* crashes made by this placement (the others: --nemesis) */
  bool crash_pending;
} lab06_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol idem_protocol;
extern const lab_info lab06;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code calls.
 */

/* Server: apply one increment for request (client, seq): the counter goes up by one and its new
 * value is returned (the application's stamp, the value to reply with). The checks see every
 * call: call it exactly once per request you apply, and never for one you do not. */
uint64_t counter_apply(sim_node *n, idem_state *s, int32_t client, uint32_t seq);

/* Server: send Reply(seq, status, value) to node `to`. */
void reply_send(sim_node *n, int to, uint32_t seq, reply_status status, uint64_t value);

/* Client: send the request in progress to the server: Request(self, s->cli.seq, s->cli.seen,
 * s->cli.attempts). Sets no timer. */
void request_send(sim_node *n, idem_state *s);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1: the deduplication table (exercises/06-idempotency/table.c). Pure
 * functions of the table: no messages, no storage. Only slots[0 .. capacity-1] may be used.
 */

typedef enum {
  DEDUP_NEW,       /* apply it: the client's entry has an older seq, or the client has no entry
                      and its `seen` is at least the horizon */
  DEDUP_DUPLICATE, /* already applied: seq is the client's latest; answer with the cached reply */
  DEDUP_STALE,     /* older than the client's latest: the client has its answer and moved on */
  DEDUP_EXPIRED    /* the client has no entry and `seen` is below the horizon: refuse */
} dedup_verdict;

/* The slot index of client's entry in t, or -1 if it has none. dedup_find itself keeps to the
 * capacity: only a used slot among slots[0 .. capacity-1] is an entry; a slot whose used is false,
 * or one at index capacity or above (the array has IDEM_MAX_SLOTS), is none, whatever it holds. */
int dedup_find(const dedup_table *t, int32_t client);

/* What to do with request r. For DEDUP_DUPLICATE, *value is set to the cached reply; for
 * DEDUP_EXPIRED, to the horizon; otherwise it is left alone. Changes nothing in t. */
dedup_verdict dedup_check(const dedup_table *t, const request_body *r, uint64_t *value);

/* Remember that (client, seq) was applied and produced `reply`. The client keeps one entry: an
 * existing entry is overwritten in place. A client without one takes a free slot; if all
 * `capacity` slots are used, the entry with the oldest application (the smallest reply: stamps
 * only grow) is evicted first, and the horizon is raised to at least its reply. */
void dedup_record(dedup_table *t, int32_t client, uint32_t seq, uint64_t reply);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2: the server (exercises/06-idempotency/server.c).
 */

/* A Request arrived from node `from` (r->client is its id). Send any reply to `from`: in this lab
 * a client sends only its own requests, so `from` and r->client are the same node, and either is
 * right (the tests hand both the same value). Decide with dedup_check:
 *   NEW        apply it (counter_apply, once), record it (dedup_record), make both durable
 *              (server_persist), and only then reply OK with the new value;
 *   DUPLICATE  reply OK with the cached value; apply nothing;
 *   STALE      apply nothing and send nothing;
 *   EXPIRED    apply nothing; reply EXPIRED with the horizon. */
void server_on_request(sim_node *n, idem_state *s, int from, const request_body *r);

/* Write s->srv (the counter and the whole table) to stable storage at offset 0, as one
 * server_data (sim_stable_write). */
void server_persist(sim_node *n, const idem_state *s);

/* At boot, fresh or after a crash: read s->srv back from stable storage (a fresh disk reads as
 * all zeros: counter 0, empty table, horizon 0). protocol.c then sets the table's capacity. */
void server_recover(sim_node *n, idem_state *s);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3: the client (exercises/06-idempotency/client.c). protocol.c calls
 * client_begin when it is time for the next request (never while one is in progress) and keeps
 * the history; a request counts as finished once its outcome is set and waiting is false.
 */

/* Start the next request: its seq is one more than the last one's; attempts = 1; send it
 * (request_send) and arm the retry timer, sim_timer_set(n, TIMER_RETRY, timeout, seq), keeping
 * its id in retry_timer; waiting is true until it finishes. */
void client_begin(sim_node *n, idem_state *s);

/* The retry timer set for `seq` fired. If that request is not the one in progress or is
 * finished, the timer is stale: ignore it. Otherwise resend the very same request (same seq,
 * same seen; one more attempt) and arm the timer again. */
void client_on_timeout(sim_node *n, idem_state *s, uint32_t seq);

/* A Reply arrived. If it is not for the request in progress, or that request is already
 * finished, ignore it (a duplicate, or a late answer to an earlier one). Otherwise finish the
 * request: OK records result[seq] = value; EXPIRED records that the outcome is unknown; either
 * way learn seen = max(seen, value), cancel the retry timer and stop waiting. */
void client_on_reply(sim_node *n, idem_state *s, const reply_body *r);

#endif
