/*
 * labs/01-lamport-clocks/lab.h: lab 01, happens-before and Lamport's logical clocks.
 *
 * There is no global clock in a distributed system, but there is an order: Lamport's
 * "happened before" relation (a -> b when a comes before b on one node, or a is the send of a
 * message and b its receive, or by transitivity). A Lamport clock gives every event a number C
 * such that a -> b implies C(a) < C(b) (the clock condition; Lamport 1978, "Time, Clocks, and the
 * Ordering of Events in a Distributed System", CACM 21(7), section "Logical Clocks").
 *
 * One protocol, two modes:
 *   - gossip: nodes do local events and send point-to-point messages to random peers, which
 *     forward some of them. The scenarios check your clock on every event of the run against the
 *     library's ground-truth causality.
 *   - multicast: every node multicasts messages to all; every node must deliver all of them in
 *     one total order, by (timestamp, node id), and only once no earlier message can still
 *     arrive (Lamport 1978, section "Ordering the Events Totally": the relation "=>" and
 *     its use for mutual exclusion). Links are FIFO in this mode (as the paper assumes), but
 *     latencies are random.
 *
 * You write the functions at the bottom: the three clock rules in exercises/01-lamport-clocks/
 * clock.c, then the multicast in exercises/01-lamport-clocks/multicast.c. protocol.c calls them
 * at fixed points: lamport_send right before every send (the timestamp goes into the body),
 * lamport_receive at the start of every message handler, lamport_local before every local event.
 */
#ifndef LAB01_H
#define LAB01_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  LAB01_MAX_NODES = 8, /* nodes in one world of this lab */
  TOM_QUEUE_MAX = 256, /* messages waiting for delivery at one node */
  TOM_LOG_MAX = 256    /* deliveries one node remembers (the checker reads them) */
};

/* Message types (indexes into the protocol's type table). */
enum { MSG_GOSSIP, MSG_DATA, MSG_ACK, MSG_TYPE_COUNT };
/* Timer kinds. */
enum { TIMER_WORK, TIMER_KIND_COUNT };

/* A Lamport clock: one counter per node. */
typedef struct lamport_clock {
  uint64_t time; /* the clock value C of this node's latest event (0 before any event) */
} lamport_clock;

/* gossip mode: a point-to-point message that may be forwarded `hops` more times. */
typedef struct gossip_body {
  uint64_t ts;   /* the sender's Lamport timestamp of the send */
  uint32_t hops; /* forwards left */
} gossip_body;

/* multicast mode: one multicast message (the body of MSG_DATA). It is identified by
 * (origin, seq) and ordered by (ts, origin). */
typedef struct tom_msg {
  uint64_t ts;    /* Lamport timestamp of the multicast (the send event at the origin) */
  int32_t origin; /* the node that multicast it */
  uint32_t seq;   /* the origin's count of its multicasts, from 1 */
} tom_msg;

/* multicast mode: an acknowledgement, multicast by a node when it receives a DATA message. */
typedef struct ack_body {
  uint64_t ts;    /* the acknowledging node's Lamport timestamp of this send */
  int32_t origin; /* the acknowledged message's (origin, seq), for the trace */
  uint32_t seq;
} ack_body;

typedef enum { MODE_GOSSIP, MODE_MULTICAST } lab01_mode;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct lab01_config {
  lab01_mode mode;
  uint32_t actions;       /* gossip: actions (local event or send) to do; multicast: messages */
  sim_time mean_gap;      /* mean time between two actions (uniform in 1 .. 2 * mean_gap) */
  uint32_t local_percent; /* gossip: share of actions that are local events, 0..100 */
  uint32_t max_hops;      /* gossip: a sent message is forwarded up to this many times */
} lab01_config;

/* A node's whole state: flat, zeroed at boot. */
typedef struct lamport_state {
  lab01_config config; /* copied from the node's configuration at boot */

  /* Yours: the clock. */
  lamport_clock clock;

  /* Yours: the multicast. */
  tom_msg queue[TOM_QUEUE_MAX]; /* messages not yet delivered, sorted by (ts, origin) */
  uint32_t queue_len;
  uint64_t latest[LAB01_MAX_NODES]; /* latest timestamp received from each node (0: none) */
  uint32_t multicasts;              /* this node's multicasts so far (the seq of the last) */

  /* Fixed code (protocol.c) only. */
  uint32_t actions_done;          /* gossip actions or multicasts started by the timer */
  uint64_t recv_clock;            /* clock.time right after lamport_receive of the last
                                     message: the clock of that receive event (checker) */
  uint32_t group;                 /* counts multicasts sent (DATA and ACK); the checker treats
                                     the copies of one multicast as one event */
  bool in_group;                  /* true while the copies of a multicast are being sent */
  tom_msg delivered[TOM_LOG_MAX]; /* deliveries, in order (tom_deliver_head appends) */
  uint32_t delivered_count;
} lamport_state;

/* One event as the checker saw it: which node, its ground-truth vector clock, your clock. */
typedef struct lab01_event {
  sim_time time;
  int32_t node;
  int32_t kind; /* sim_event_kind: SIM_EV_SEND, SIM_EV_RECV or SIM_EV_LOCAL */
  uint64_t clock;
  uint32_t vc[LAB01_MAX_NODES];
} lab01_event;

enum { LAB01_MAX_EVENTS = 4096, LAB01_MAX_PER_NODE = 2048 };

/* What a scenario run recorded (run->lab_data), for the tests. */
typedef struct lab01_record {
  int nodes;
  uint32_t checked;     /* events whose clock was checked */
  uint32_t event_count; /* events in `events` (the first LAB01_MAX_EVENTS) */
  lab01_event events[LAB01_MAX_EVENTS];
  /* best[i][k]: the largest clock among node i's checked events with ground-truth index <= k
   * (-1: none); filled[i]: the highest index written. */
  int64_t best[LAB01_MAX_NODES][LAB01_MAX_PER_NODE];
  uint32_t filled[LAB01_MAX_NODES];
  bool pending[LAB01_MAX_NODES]; /* a receive whose clock is not known yet (handler runs) */
  lab01_event pending_ev[LAB01_MAX_NODES];
  uint32_t group_seen[LAB01_MAX_NODES];
  /* multicast: the order the first node to deliver each position delivered it in */
  tom_msg order[TOM_LOG_MAX];
  uint32_t order_len;
  uint32_t checked_upto[LAB01_MAX_NODES];
  uint32_t expected_messages; /* multicast: messages every node must deliver */
  /* converse: concurrent pairs, and those of them with C(a) < C(b) */
  uint64_t concurrent_pairs, concurrent_ordered;
  int32_t example_a, example_b; /* indexes into events of one such pair, -1 if none */
} lab01_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol lamport_protocol;
extern const lab_info lab01;

/* Helpers from protocol.c that your code calls. */

/* Send the multicast m to every other node (one DATA copy each, in node order). Does not tick
 * the clock: stamp m first. */
void tom_send_data(sim_node *n, lamport_state *s, const tom_msg *m);
/* Acknowledge m to every other node: ticks the clock once with lamport_send and multicasts an
 * ACK carrying that timestamp. */
void tom_send_ack(sim_node *n, lamport_state *s, const tom_msg *m);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1 (exercises/01-lamport-clocks/clock.c): the clock rules.
 * Lamport 1978, section "Logical Clocks", implementation rules IR1 and IR2.
 */

/* IR1, a local event: "each process increments its clock between any two successive events".
 * Advance c by one. Returns the new value: the clock of this event. */
uint64_t lamport_local(lamport_clock *c);

/* IR1 + IR2(a), a send: a send is an event, so tick as for a local event; the new value is the
 * message's timestamp Tm. Returns it. */
uint64_t lamport_send(lamport_clock *c);

/* IR2(b), a receive of a message with timestamp msg_ts: set the clock greater than its present
 * value and greater than msg_ts, by the least amount: max(present, msg_ts) + 1. Returns the new
 * value: the clock of the receive event. */
uint64_t lamport_receive(lamport_clock *c, uint64_t msg_ts);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2 (exercises/01-lamport-clocks/multicast.c): totally ordered multicast.
 */

/* The total order of Lamport 1978 ("Ordering the Events Totally"): a before b if a.ts < b.ts, or
 * the timestamps are equal and a.origin < b.origin (node ids break ties). Returns true if a comes
 * strictly before b. */
bool tom_before(const tom_msg *a, const tom_msg *b);

/* Insert m into s->queue so that the queue stays sorted by tom_before, first = earliest.
 * Precondition: s->queue_len < TOM_QUEUE_MAX. */
void tom_enqueue(lamport_state *s, const tom_msg *m);

/* Multicast a new message from this node (called by protocol.c's timer): stamp it with
 * lamport_send, number it (s->multicasts counts from 1; origin: sim_self(n)), queue your own copy
 * and send it to the others with tom_send_data. */
void tom_multicast(sim_node *n, lamport_state *s);

/* A DATA message m arrived from `from` (protocol.c has already called lamport_receive). Remember
 * that `from` has now spoken up to m->ts, queue m, and acknowledge it with tom_send_ack. */
void tom_on_data(sim_node *n, lamport_state *s, int from, const tom_msg *m);

/* An ACK arrived from `from` (lamport_receive already called): remember that `from` has spoken up
 * to a->ts. */
void tom_on_ack(sim_node *n, lamport_state *s, int from, const ack_body *a);

/* May the first message of the queue be delivered now? True when the queue is not empty and no
 * message that comes before it can still arrive: every other node has sent us something with a
 * timestamp at least as large (links are FIFO and each node's timestamps rise, so anything it
 * sends later is larger still). `self` is this node, `node_count` the number of nodes. */
bool tom_head_stable(const lamport_state *s, int self, int node_count);

#endif
