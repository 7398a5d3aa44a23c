/*
 * labs/00-messaging/lab.h: lab 00, the network is not a function call.
 *
 * Two kinds of node share one protocol: a server that answers every Ping with a Pong carrying the
 * same sequence number, and a client that sends a fixed number of pings, one at a time, to one
 * server. The network may lose, delay, duplicate and reorder messages, and the server may crash,
 * so the client must retry after a timeout (at-least-once delivery) and, when its retries run out,
 * report the server as dead instead of waiting for ever.
 *
 * You write the four functions declared at the bottom, in exercises/00-messaging/ping.c. The rest
 * (the protocol descriptor, boot, the dispatch of messages and timers) is in protocol.c, and the
 * scenarios the driver and the tests run are in scenarios.c.
 */
#ifndef LAB00_H
#define LAB00_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

/* Message types (indexes into the protocol's type table). */
enum { MSG_PING, MSG_PONG, MSG_TYPE_COUNT };
/* Timer kinds. */
enum { TIMER_RETRY, TIMER_KIND_COUNT };

typedef struct ping_body {
  uint32_t seq;     /* which ping this is, from 1 */
  uint32_t attempt; /* 1 for the first send, 2 for the first retry, ... */
} ping_body;

typedef struct pong_body {
  uint32_t seq; /* the seq of the ping being answered */
} pong_body;

typedef enum { ROLE_SERVER, ROLE_CLIENT } ping_role;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct ping_config {
  ping_role role;
  int target;            /* client: the server it pings */
  uint32_t pings;        /* client: how many pings to send, one after another */
  sim_time timeout;      /* client: wait this long for a pong before retrying */
  uint32_t max_attempts; /* client: sends of one ping before the server is declared dead */
} ping_config;

/* A node's whole state: flat, zeroed at boot. Fields are grouped by role. The viewer's
 * annotations (role, answered, status) are written by protocol.c's dispatch from these fields,
 * after your handlers run: you do not call sim_annotate. */
typedef struct ping_state {
  ping_config config; /* copied from the node's configuration at boot */

  /* Client. */
  uint32_t seq;         /* the ping in progress (0 before the first) */
  uint32_t attempts;    /* sends of the ping in progress, the current one included: set it to 1
                           before a ping's first send and add 1 before each resend (ping_send
                           puts it in the Ping's attempt; the scenarios check 1, 2, 3, ...) */
  uint64_t retry_timer; /* id of the pending retry timer, 0 if none */
  uint32_t answered;    /* pings answered so far (each counted once) */
  bool done;            /* every ping answered */
  bool peer_dead;       /* the server was declared dead */
  /* Optional: no test reads these two; keep them for your own notes and sim_note lines. */
  sim_time sent_at;  /* when the ping in progress was last sent (ping_send sets it) */
  sim_time last_rtt; /* round-trip time of the last answered ping */

  /* Server. */
  uint32_t pongs_sent; /* optional: Pongs sent so far (no test reads it) */
} ping_state;

/* What a scenario run recorded (run->lab_data), for the tests. */
typedef struct lab00_record {
  uint32_t ping_sends;         /* Pings the client sent */
  uint32_t sends_of_seq[1024]; /* per seq */
  uint32_t pongs_of_seq[1024]; /* Pongs for each seq that reached the client */
  bool pong_pending;           /* a Pong reached the client; counted_once has not looked yet */
  uint32_t pong_seq, answered_before; /* its seq, and the client's count before its handler */
  sim_time send_time[64];             /* when each of the first 64 Pings was sent */
  sim_time first_send, dead_at, done_at;
  uint32_t max_attempts, pings;
} lab00_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol ping_protocol;
extern const lab_info lab00;

/* Helpers from protocol.c that your code may call. */
void ping_send(sim_node *n, ping_state *s); /* send Ping(seq, attempt) to the target; no timer */
void pong_send(sim_node *n, int to, uint32_t seq); /* send Pong(seq) to node `to` */

/* ---------------------------------------------------------------------------------------------
 * What you write (exercises/00-messaging/ping.c).
 */

/* Client, at boot: start ping number 1: seq = 1, attempts = 1 (the send you are about to make is
 * attempt 1), send it and set the retry timer. */
void client_start(sim_node *n, ping_state *s);

/* Client, a Pong arrived. Count it once if it answers the ping in progress; then cancel the retry
 * timer and start the next ping, or mark the client done after the last one. Ignore pongs for
 * pings already answered (duplicates, late replies to an earlier attempt). */
void client_on_pong(sim_node *n, ping_state *s, const pong_body *pong);

/* Client, the retry timer for ping `seq` fired. If it is stale (that ping was answered), ignore
 * it. Otherwise resend (attempts one more), or, after max_attempts sends, declare the server
 * dead and stop (a sim_note saying so helps whoever reads the trace). */
void client_on_timeout(sim_node *n, ping_state *s, uint32_t seq);

/* Server, a Ping arrived from `from`: answer it with a Pong of the same seq. */
void server_on_ping(sim_node *n, ping_state *s, int from, const ping_body *ping);

#endif
