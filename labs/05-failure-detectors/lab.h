/*
 * labs/05-failure-detectors/lab.h: lab 05, failure detectors: who is alive?
 *
 * In an asynchronous network a crashed node and a slow one look the same from outside: both are
 * silent. A failure detector turns silence into an opinion, "I suspect n3", that may be wrong.
 * Two properties judge it (Chandra and Toueg, "Unreliable Failure Detectors for Reliable
 * Distributed Systems", JACM 1996): completeness, every crashed node is eventually suspected by
 * every live node (here: within a bound derived from the detector's parameters), and accuracy,
 * live nodes are not suspected (here: false suspicions are counted, and must not last).
 *
 * One protocol, two modes (fd_config.mode), three detectors you write:
 *
 *   heartbeat mode: every node sends a Heartbeat to every other node once per `period`. Each
 *   node feeds the arrivals to up to two detectors at once, on the same stream:
 *     - part 1, a fixed timeout (heartbeat.c): suspect a peer silent for more than `timeout`;
 *     - part 2, the phi accrual detector (phi.c; Hayashibara, Defago, Yared and Katayama, "The
 *       phi Accrual Failure Detector", SRDS 2004): keep a window of the latest inter-arrival
 *       times, fit a normal distribution to it, and output phi = -log10(P_later(t_now - t_last)),
 *       the probability that a heartbeat comes even later than this if the peer is alive, on a
 *       log scale; suspect when phi exceeds a threshold.
 *   protocol.c evaluates both every `check` and right after each heartbeat, and keeps the
 *   verdicts in fixed_suspects[] and phi_suspects[] (the scenarios judge those).
 *
 *   SWIM mode, part 3 (Das, Gupta and Motivala, "SWIM: Scalable Weakly-consistent
 *   Infection-style Process Group Membership Protocol", DSN 2002): every protocol period each
 *   member pings one other member, chosen round-robin over a shuffled list (Section 4.3); with no
 *   ack within `ping_timeout` it asks k other members to ping the target for it (ping-req,
 *   Section 3.1); with still no ack when the period ends it suspects the target (Section 4.2).
 *   Opinions travel as rumours piggybacked on pings and acks (Section 4.1), each with an
 *   incarnation number; a suspected member that is alive refutes the rumour by raising its
 *   incarnation, and a suspect not refuted within `suspicion_timeout` is declared dead.
 *   Files: swim_probe.c (the failure detector) and swim_membership.c (suspicion, incarnations,
 *   dissemination).
 *
 * Clocks: the detectors read the node's local clock (sim_clock), never true time.
 * The fixed part (messages, timers, dispatch, annotations) is in protocol.c; the scenarios and
 * their checkers in scenarios.c. Every function you write is declared at the bottom.
 */
#ifndef LAB05_H
#define LAB05_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  FD_MAX_NODES = SIM_MAX_NODES, /* nodes in one world of this lab */
  PHI_WINDOW = 32,              /* inter-arrival samples one phi window keeps */
  SWIM_MAX_PIGGYBACK = 4        /* rumours one SWIM message carries, at most */
};

/* phi_value's answer when P_later is too small for a double (below PHI_P_FLOOR). */
#define PHI_P_FLOOR 1e-300
#define PHI_MAX 300.0

/* Message types (indexes into the protocol's type table). */
enum { MSG_HEARTBEAT, MSG_PING, MSG_PING_REQ, MSG_ACK, MSG_TYPE_COUNT };
/* Timer kinds. */
enum {
  TIMER_HEARTBEAT,    /* heartbeat mode: send the next heartbeats */
  TIMER_CHECK,        /* heartbeat mode: evaluate the detectors */
  TIMER_PERIOD,       /* SWIM: a protocol period begins */
  TIMER_PING_TIMEOUT, /* SWIM: arg = probe seq; time to try ping-req */
  TIMER_SUSPECT,      /* SWIM: arg = member; its suspicion timed out */
  TIMER_KIND_COUNT
};

typedef enum { FD_MODE_HEARTBEAT, FD_MODE_SWIM } fd_mode;

/* Which heartbeat detectors run (fd_config.detectors, or-ed). */
enum { FD_DETECT_FIXED = 1, FD_DETECT_PHI = 2 };

/* How a node is configured (sim_add_node's config bytes). Every node of a run has the same. */
typedef struct fd_config {
  fd_mode mode;
  sim_time period; /* heartbeat interval, or SWIM's protocol period T' */
  /* Heartbeat mode. */
  uint32_t detectors;   /* FD_DETECT_FIXED | FD_DETECT_PHI */
  sim_time check;       /* the detectors are evaluated this often */
  sim_time timeout;     /* fixed: suspect after more than this much silence */
  double phi_threshold; /* phi: suspect when phi > this */
  sim_time phi_min_std; /* phi: the standard deviation is at least this (us) */
  /* SWIM mode. */
  sim_time ping_timeout;      /* wait this long for a direct ack, then ping-req */
  uint32_t k;                 /* helpers asked by ping-req */
  sim_time suspicion_timeout; /* a suspect not refuted by then is declared dead */
  uint32_t retransmit_mult;   /* lambda: a rumour is piggybacked lambda * ceil(log2(N + 1)) times */
} fd_config;

/* ---------------------------------------------------------------------------------------------
 * Heartbeat mode.
 */
typedef struct heartbeat_body {
  uint32_t seq; /* the sender's count of its heartbeat rounds, from 1 */
} heartbeat_body;

/* Part 1: the fixed-timeout detector's memory. */
typedef struct hb_detector {
  sim_time last[FD_MAX_NODES]; /* local clock at the latest heartbeat from each peer (boot time
                                  before the first one: a peer never heard from is suspected too) */
} hb_detector;

/* Part 2: one peer's phi accrual window. */
typedef struct phi_window {
  sim_time last;                /* local clock at the latest heartbeat (boot time before any) */
  bool heard;                   /* a heartbeat has arrived: `last` is an arrival time */
  uint32_t count;               /* samples held, 0 .. PHI_WINDOW */
  uint32_t next;                /* where the next sample goes (once full: the oldest one) */
  sim_time samples[PHI_WINDOW]; /* inter-arrival times, microseconds of local clock */
} phi_window;

/* ---------------------------------------------------------------------------------------------
 * SWIM mode.
 */
typedef enum { SWIM_ALIVE, SWIM_SUSPECT, SWIM_DEAD } swim_status;

/* A rumour about one member, as piggybacked on messages: "n3 is suspect at incarnation 0". */
typedef struct swim_update {
  int32_t member;
  uint32_t status;      /* swim_status */
  uint32_t incarnation; /* the member's incarnation the rumour is about */
} swim_update;

/* The body of Ping, PingReq and Ack. */
typedef struct swim_msg {
  uint32_t seq;      /* the probe this belongs to (the requester's probe_seq) */
  int32_t target;    /* Ping, PingReq: the member probed; Ack: the member that answers */
  int32_t requester; /* the member whose probe it is: acks go back to it */
  uint32_t update_count;
  swim_update updates[SWIM_MAX_PIGGYBACK]; /* piggybacked rumours (swim_piggyback fills them) */
} swim_msg;

/* One node's view of one member. */
typedef struct swim_member {
  uint32_t status;        /* swim_status */
  uint32_t incarnation;   /* the highest incarnation heard of for it (own: this node's) */
  uint64_t suspect_timer; /* while SUSPECT: the TIMER_SUSPECT timer id (sim_timer_cancel) */
} swim_member;

/* A rumour waiting to be piggybacked: the latest update about one member. */
typedef struct swim_rumour {
  bool live; /* still to be sent */
  swim_update update;
  uint32_t sent; /* times it has been piggybacked so far */
} swim_rumour;

typedef struct swim_state {
  swim_member members[FD_MAX_NODES]; /* every node's view of every node, itself included */
  /* The probe order (Section 4.3): a shuffled list of the other members, walked round-robin. */
  int32_t order[FD_MAX_NODES];
  uint32_t order_len, order_pos;
  /* The probe of the current period. */
  int32_t target;     /* member probed this period (-1 none; protocol.c's boot sets it to -1) */
  uint32_t probe_seq; /* number of the current probe (rises by one per probe) */
  bool acked;         /* an ack for it came, directly or through a helper */
  /* Dissemination (Section 4.1): one rumour slot per member, indexed by member. */
  swim_rumour rumours[FD_MAX_NODES];
  uint32_t retransmit_limit; /* sends after which a rumour retires (set at boot) */
} swim_state;

/* A node's whole state: flat, zeroed at boot. */
typedef struct fd_state {
  fd_config config; /* copied from the node's configuration at boot */
  /* Heartbeat mode: yours. */
  hb_detector fixed;
  phi_window phi[FD_MAX_NODES];
  /* Heartbeat mode: protocol.c's verdicts (what the scenarios judge). */
  uint32_t hb_seq;
  bool fixed_suspects[FD_MAX_NODES];
  bool phi_suspects[FD_MAX_NODES];
  /* SWIM mode: yours. */
  swim_state swim;
} fd_state;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol fd_protocol;
extern const lab_info lab05;

/* The record a scenario run keeps (run->lab_data), for the tests. Detector index d: 0 fixed,
 * 1 phi. Times are true virtual times; 0 means "never". */
enum { FD_FIXED = 0, FD_PHI = 1 };
typedef struct lab05_record {
  int nodes;
  fd_config config;
  sim_time crashed_at[FD_MAX_NODES];                 /* when each node crashed (0: it did not) */
  sim_time last_arrival[FD_MAX_NODES][FD_MAX_NODES]; /* [observer][peer] latest heartbeat */
  /* Heartbeat mode, per detector. */
  bool prev[2][FD_MAX_NODES][FD_MAX_NODES]; /* [d][observer][peer] suspected after last event */
  uint32_t false_suspicions[2];             /* suspicions of a live peer that began */
  uint32_t steady_false[2];                 /* those that began after the warm-up */
  sim_time warmup;                          /* when the detectors count as having learned */
  sim_time detected_at[2][FD_MAX_NODES][FD_MAX_NODES]; /* first suspicion after the peer crashed */
  sim_time bound[2][FD_MAX_NODES][FD_MAX_NODES];       /* the bound it was held to */
  sim_time slack[FD_MAX_NODES];                /* extra delay a scenario gave an observer (slow) */
  sim_time jitter[FD_MAX_NODES][FD_MAX_NODES]; /* latency max - min on the link [from][to] */
  sim_time max_latency[FD_MAX_NODES][FD_MAX_NODES];
  double phi_z; /* the normal quantile matching phi_threshold */
  /* SWIM mode. */
  uint8_t prev_status[FD_MAX_NODES][FD_MAX_NODES]; /* [observer][member] */
  uint32_t prev_inc[FD_MAX_NODES][FD_MAX_NODES];
  uint32_t swim_false_suspicions;                     /* SUSPECT about a live member, begun */
  uint32_t swim_false_deaths;                         /* DEAD about a live member */
  uint32_t refutations;                               /* a member raised its own incarnation */
  sim_time first_suspect[FD_MAX_NODES][FD_MAX_NODES]; /* first SUSPECT/DEAD after the crash */
  sim_time dead_at[FD_MAX_NODES][FD_MAX_NODES];
  sim_time swim_bound[FD_MAX_NODES]; /* per crashed member: suspected everywhere by */
  /* Load: messages sent by live nodes per node per period, measured over [load_from, load_to]. */
  sim_time load_from, load_to;
  uint64_t load_messages;
  double load;
  /* The slow node of swim-refute: when others first suspected it and when it refuted. */
  int watched;
  sim_time watched_suspected, watched_refuted;
} lab05_record;

/* Helpers from protocol.c that your code calls. */

/* SWIM: send msg (type MSG_PING, MSG_PING_REQ or MSG_ACK) to `to`, with rumours piggybacked on
 * a copy (msg itself is not changed): first, if this node suspects `to`, the rumour "to is
 * SUSPECT" (Lifeguard's buddy system: a suspect always hears of it from whoever contacts it),
 * then whatever swim_piggyback adds. */
void swim_send(sim_node *n, swim_state *s, int to, int type, const swim_msg *msg);
/* SWIM: put update u in the rumour slot of its member, replacing what was there, with a send
 * count of 0: it will be piggybacked on the next messages (Section 4.1). */
void swim_disseminate(swim_state *s, const swim_update *u);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1 (exercises/05-failure-detectors/heartbeat.c): the fixed timeout.
 */

/* A heartbeat from `from` arrived at local time `now`: remember it. */
void hb_on_heartbeat(hb_detector *d, int from, sim_time now);

/* Should `peer` be suspected at local time `now`? True when it has been silent (since its latest
 * heartbeat, or since boot if none came) for strictly more than `timeout`. */
bool hb_suspect(const hb_detector *d, int peer, sim_time now, sim_time timeout);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2 (exercises/05-failure-detectors/phi.c): phi accrual (SRDS 2004).
 */

/* A heartbeat arrived at local time `now`. The first one only sets `last` and `heard` (one
 * arrival is not an interval). Each later one adds the sample now - last to the window, then
 * sets last = now. The window keeps the latest PHI_WINDOW samples: once full, a new sample
 * replaces the oldest (samples[next], and next moves on, wrapping to 0). */
void phi_record(phi_window *w, sim_time now);

/* phi at local time `now` (SRDS 2004, Section 3): with mu and sigma the mean and standard
 * deviation of the window's samples (population: divide by count), sigma raised to at least
 * min_std, and t = now - last,
 *     P_later(t) = 1 - F(t) = 0.5 * erfc((t - mu) / (sigma * sqrt(2)))
 *     phi = -log10(P_later(t)).
 * Returns 0 when the window holds no sample, and PHI_MAX when P_later is below PHI_P_FLOOR (too
 * small for a double's logarithm to mean anything). Never negative: when now < last, t counts
 * as 0. */
double phi_value(const phi_window *w, sim_time now, sim_time min_std);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3a (exercises/05-failure-detectors/swim_membership.c): suspicion,
 * incarnation numbers (Section 4.2) and dissemination (Section 4.1).
 */

/* Does rumour u override what a node believes about u's member (cur)? Section 4.2's rules:
 *   - nothing overrides DEAD;
 *   - DEAD overrides ALIVE and SUSPECT, whatever the incarnations;
 *   - SUSPECT at incarnation i overrides SUSPECT at j when i > j, and ALIVE at j when i >= j;
 *   - ALIVE at i overrides SUSPECT or ALIVE at j when i > j. */
bool swim_overrides(const swim_member *cur, const swim_update *u);

/* Apply rumour u at this node; returns true if it changed anything (its view or its rumours).
 *   - About this node itself: a SUSPECT at an incarnation >= its own is refuted: raise its own
 *     incarnation to u's + 1 and disseminate "self ALIVE at the new incarnation". A SUSPECT at an
 *     older incarnation comes from a member that missed the refutation: disseminate "self ALIVE"
 *     at the current incarnation again (returns true). ALIVE or DEAD about itself (the group has
 *     removed it) changes nothing.
 *   - About another member, when swim_overrides says so: take u's status and incarnation,
 *     disseminate u, and keep the suspicion timer right: entering SUSPECT sets TIMER_SUSPECT
 *     (suspicion_timeout, arg = member) and keeps its id in suspect_timer (a SUSPECT that
 *     overrides a SUSPECT keeps the running timer); leaving SUSPECT cancels it. */
bool swim_apply(sim_node *n, fd_state *st, const swim_update *u);

/* The suspicion timer of `member` fired: if it is still SUSPECT, declare it DEAD (apply the
 * rumour "member DEAD at its incarnation", which also disseminates it). */
void swim_on_suspect_timeout(sim_node *n, fd_state *st, int member);

/* Piggyback rumours on m (Section 4.1): append to m->updates (after the m->update_count already
 * there, up to SWIM_MAX_PIGGYBACK in all) the live rumours sent the fewest times so far, lowest
 * member id first among equals, skipping members m already carries a rumour about; count each
 * one sent, and retire it (live = false) once it has been sent s->retransmit_limit times. */
void swim_piggyback(swim_state *s, swim_msg *m);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3b (exercises/05-failure-detectors/swim_probe.c): SWIM's failure
 * detector (Sections 3.1 and 4.3). protocol.c applies every piggybacked rumour of a message
 * (swim_apply) before it calls your handler for it.
 */

/* The member to probe this period (Section 4.3): walk s->order round-robin. When the walk is at
 * its end (or has not begun), rebuild the list from every member other than this node that is not
 * DEAD, shuffle it uniformly with sim_random_below (Fisher-Yates), and start again. Skip members
 * that have been declared DEAD since the list was built. Returns -1 when there is no one to
 * probe. */
int swim_next_target(sim_node *n, swim_state *s);

/* A protocol period begins (protocol.c has already set the next period's timer). First end the
 * previous probe: if it had a target that is not DEAD and no ack came, suspect the target (apply
 * the rumour "target is SUSPECT at the incarnation you know" with swim_apply). Then start the
 * next: pick a target (swim_next_target), count the probe (probe_seq + 1), clear `acked`, send
 * it a Ping {seq, target, requester = self} with swim_send, and set TIMER_PING_TIMEOUT after
 * ping_timeout with arg = probe_seq. When swim_next_target returns -1 (no one to probe), set
 * target = -1 and stop there: no probe this period, so probe_seq stays as it is, and no Ping and
 * no timer are sent or set. */
void swim_on_period(sim_node *n, fd_state *st);

/* The ping timeout of probe `seq` fired. If it is still the current probe and no ack came, send
 * a PingReq {seq, target, requester = self} to k distinct members chosen at random among those
 * that are not this node, not the target and not DEAD (all of them if there are fewer than k). */
void swim_on_ping_timeout(sim_node *n, fd_state *st, uint32_t seq);

/* A Ping arrived from `from`: answer `from` with an Ack {seq, target = self, requester} that
 * echoes the Ping's seq and requester. */
void swim_on_ping(sim_node *n, swim_state *s, int from, const swim_msg *m);

/* A PingReq arrived: ping its target for the requester: a Ping {seq, target, requester} with
 * the request's seq and requester, sent to the target. (The target's Ack comes back to this
 * node, and swim_on_ack forwards it.) */
void swim_on_ping_req(sim_node *n, swim_state *s, int from, const swim_msg *m);

/* An Ack arrived. If it is for this node's own probe (requester == self), it counts when its seq
 * is the current probe_seq and it comes from the current target (m->target): set `acked`. If it
 * is for another requester, this node was a helper: forward it to the requester as a fresh Ack
 * with the same seq, target and requester but without the target's rumours (update_count = 0),
 * and let swim_send piggyback this node's own. Why not forward it unchanged: swim_piggyback
 * skips the members a message already carries a rumour about, so this node's own rumours about
 * the members the target's rumours name would never be counted as sent on it, and would stay
 * live for more than lambda * log N sends. Dropping the target's rumours loses nothing: protocol.c
 * applied them here before calling swim_on_ack, so what was news is now among this node's own. */
void swim_on_ack(sim_node *n, swim_state *s, int from, const swim_msg *m);

#endif
