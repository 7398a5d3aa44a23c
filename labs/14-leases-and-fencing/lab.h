/*
 * labs/14-leases-and-fencing/lab.h: lab 14, leases and fencing tokens: leaders that are not.
 *
 * A leader that was elected yesterday may not be the leader today, and it cannot tell: a long
 * pause (a garbage collector, a swapped-out process, a VM migration) or a clock that runs slow
 * looks, from the inside, exactly like nothing happening. This lab protects the rest of the
 * system from such a leader in the two ways real systems do:
 *
 *   - A lease (Gray and Cheriton, "Leases: An Efficient Fault-Tolerant Mechanism for Distributed
 *     File Cache Consistency", SOSP 1989): leadership is a lock granted for a bounded time. The
 *     holder counts the time on its own clock, which may run at a different rate from the
 *     granter's, so it stops acting a margin before the term ends, a margin given by the largest
 *     drift rate it assumes (section 3 of the paper states the bounded-drift assumption).
 *     While its lease is valid the leader may serve reads from its own copy, without asking
 *     anyone (lease-based reads).
 *   - A fencing token: every grant of the lock carries a number that rises with every new
 *     holder, and the storage the leader writes to remembers the highest number it has seen and
 *     refuses anything lower. A leader whose lease ran out while it was paused sends a write with
 *     an old number, and storage turns it away, whatever the leader believes. Chubby calls the
 *     token a sequencer (Burrows, "The Chubby lock service for loosely-coupled distributed
 *     systems", OSDI 2006, section 2.4); Kleppmann's argument (Designing Data-Intensive
 *     Applications, chapter 8) is that a lease alone can never be enough, because a pause can
 *     fall between checking the lease and acting on it.
 *
 * The world (node ids; W workers, 3 by default):
 *
 *   n0        "lock": the lock service. Grants the lease to one worker at a time, for `lease`
 *             microseconds of its own clock, with a fencing token that rises by one with every
 *             new holder (a renewal by the same holder keeps its token). In production this is
 *             a replicated state machine (Raft, lab 13, or Chubby's Paxos cell) and the token is
 *             the log index of the grant; here it is one node that never forgets its counter
 *             (stable storage) and, after a restart, grants nothing for one lease term.
 *   n1..nW    "w1".."wW": workers that compete for the lease. The one holding a valid lease is
 *             the leader: every `work_every` it starts a write (the value "w<i>#<seq>") and
 *             `prep` later sends it to storage; it answers clients' reads from its own copy of
 *             the value. The others ask for the lease every `poll`.
 *   nW+1      "store": storage. Accepts or refuses each write by its fencing token.
 *   nW+2      "client": asks every worker for the value every `read_every`; only a leader
 *             answers with a value, the others refuse.
 *
 * You write the functions at the bottom, in three files:
 *   exercises/14-leases-and-fencing/lease.c: the lease at its holder (term with a drift margin,
 *     taking a grant, the validity test);
 *   exercises/14-leases-and-fencing/fence.c: the fencing check at storage;
 *   exercises/14-leases-and-fencing/read.c: the lease-based read at the leader.
 * protocol.c is the rest: the lock service, the workers' loops, storage, the client.
 */
#ifndef LAB14_H
#define LAB14_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  LEASE_MAX_WORKERS = 6, /* workers in one world (n1 .. nW) */
  LEASE_LOCK = 0         /* the lock service's node id */
};

/* Message types (indexes into the protocol's type table). */
enum {
  MSG_ACQUIRE,    /* worker -> lock: grant me the lease, or renew mine */
  MSG_GRANT,      /* lock -> worker: the lease is yours, with a token */
  MSG_DENY,       /* lock -> worker: someone else holds it */
  MSG_WRITE,      /* leader -> store: write this value under this token */
  MSG_WRITE_ACK,  /* store -> leader: accepted, or fenced off */
  MSG_READ,       /* client -> worker: what is the value? */
  MSG_READ_REPLY, /* worker -> client: the value, or a refusal */
  MSG_TYPE_COUNT
};
/* Timer kinds. */
enum {
  TIMER_ACQUIRE, /* worker: ask for (or renew) the lease */
  TIMER_WORK,    /* worker: start a write if leading */
  TIMER_COMMIT,  /* worker: the write started `prep` ago goes out now */
  TIMER_READ,    /* client: the next round of reads */
  TIMER_KIND_COUNT
};

typedef enum { ROLE_LOCK, ROLE_WORKER, ROLE_STORE, ROLE_CLIENT } lease_role;

/* One version of the value: written by worker `writer` as its `seq`-th write, under `token`.
 * The text form is "w<writer>#<seq>". Versions compare by (token, seq). */
typedef struct version {
  uint64_t token; /* the fencing token the write carried (0: the initial, empty value) */
  uint32_t seq;   /* the writer's count of its writes, from 1 */
  int32_t writer; /* node id of the worker that wrote it (0: none) */
} version;

/* Acquire: sent by a worker to ask for the lease, or by the holder to renew it. */
typedef struct acquire_body {
  sim_time req_clock; /* the sender's local clock when it sent this request */
} acquire_body;

/* Grant: the lock service's answer to one Acquire. */
typedef struct grant_body {
  uint64_t token;     /* the fencing token of this lease (the same for renewals) */
  sim_time req_clock; /* echoed from the Acquire this answers: when the worker asked */
  sim_time duration;  /* the term, measured on the lock service's clock */
} grant_body;

/* Deny: someone else holds the lease. */
typedef struct deny_body {
  int32_t holder;     /* its node id */
  uint64_t token;     /* its token */
  sim_time req_clock; /* echoed from the Acquire */
} deny_body;

/* Write: the leader's write of a new version. */
typedef struct write_body {
  version v;
} write_body;

/* WriteAck: storage's answer to one Write. */
typedef struct write_ack_body {
  bool ok;          /* true: accepted; false: fenced off */
  version v;        /* the version the Write carried */
  uint64_t highest; /* the highest token storage had admitted before this write */
} write_ack_body;

typedef struct read_body {
  uint32_t rid; /* the client's read number */
} read_body;

typedef struct read_reply_body {
  uint32_t rid;
  bool ok;   /* true: v is the value; false: refused (not leading, or not sure) */
  version v; /* the value, when ok */
} read_reply_body;

/* Timing and rules every node of a world shares (sim_add_node's config bytes, one per node with
 * its role filled in). Times are microseconds of the node's own clock. */
typedef struct lease_config {
  lease_role role;
  int workers;            /* W: workers are n1 .. nW */
  int store, client;      /* node ids of storage and the client */
  sim_time lease;         /* lock: the term of a grant, on its clock */
  uint32_t max_drift_ppm; /* the largest drift rate of any clock the protocol assumes, in
                             parts per million (the bound; real clocks may break it) */
  sim_time poll;          /* worker: ask for the lease this often while not holding it */
  sim_time renew_every;   /* worker: renew this often while holding it */
  sim_time work_every;    /* worker: start a write this often while leading */
  sim_time prep;          /* worker: from the lease check to the Write going out */
  sim_time read_every;    /* client: one round of reads this often */
  sim_time start_delay;   /* worker: first Acquire this long after boot */
  bool fencing;           /* store: check tokens (false only in the demonstration) */
} lease_config;

/* A lease as its holder sees it. Yours: lease_on_grant writes it, lease_valid reads it. */
typedef struct lease {
  uint64_t token;   /* the fencing token of the lease held; 0: none ever held */
  sim_time expires; /* on this node's own clock: the lease is valid strictly before this */
} lease;

/* Storage's fencing state. Yours: fence_admit reads and updates it. */
typedef struct fence {
  uint64_t highest; /* the highest token admitted so far (0: none) */
} fence;

/* A node's whole state: flat, zeroed at boot. Fields are grouped by role; a node uses only its
 * own group. */
typedef struct lease_state {
  lease_config config; /* copied from the node's configuration at boot */

  /* Lock service (fixed code). token_counter and the grace period survive crashes: the counter
   * is in stable storage, and a restarted lock grants nothing until `quiet_until`. */
  uint64_t token_counter; /* the last token issued */
  int32_t holder;         /* node id of the current (or last) holder, 0: none yet */
  sim_time holder_until;  /* lock's clock: the holder's lease ends here */
  sim_time quiet_until;   /* lock's clock: grant nothing before this (after a restart) */

  /* Worker. */
  lease lease;     /* yours: the lease as this worker holds it */
  version cache;   /* the value as this leader last wrote it (set when storage accepts) */
  uint32_t seq;    /* writes this worker started */
  bool writing;    /* a write is between its check and its Write (or its ack) */
  version pending; /* that write */
  uint32_t reads_served, reads_refused, writes_fenced;

  /* Store (fixed code, except fence: yours through fence_admit). Kept in stable storage. */
  fence fence;
  version latest; /* the last version accepted */
  uint32_t accepted, rejected;

  /* Client. */
  uint32_t rid;        /* reads sent */
  uint32_t answers_ok; /* reads answered with a value */
  sim_time last_ok;    /* true time of the last answer with a value */
} lease_state;

/* What a scenario run recorded (run->lab_data), for the tests and the verdicts. */
typedef struct lab14_record {
  int workers;
  uint64_t tokens;           /* grants of a new token (leaderships) */
  uint32_t accepted, fenced; /* writes storage accepted / refused */
  uint32_t reads_ok, reads_refused;
  /* The first write storage refused: who sent it, its token, the highest admitted then. */
  int32_t fenced_writer;
  uint64_t fenced_token, fenced_highest;
  sim_time fenced_at;
  /* Highest token storage accepted, and when; the writer of the write that set it. */
  uint64_t highest_accepted;
  sim_time highest_at;
  int32_t highest_writer;
  sim_time last_accept; /* when storage last accepted a write */
  /* Two workers held valid leases at the same true time (only recorded, not a failure, in the
   * demonstration of unbounded drift): when it was first seen, and who. */
  bool overlap;
  sim_time overlap_at;
  int32_t overlap_a, overlap_b;
  /* A stale read (the demonstration's target): when, by whom, and the checker's finding of
   * its cause (STALE_...). */
  bool stale_read;
  sim_time stale_at;
  int32_t stale_node;
  int32_t stale_cause;
  /* Scenario marks: the node paused or cut off, and when. */
  int32_t victim;
  sim_time fault_at;
  sim_time last_fault_end;  /* faults of the random scenario end here */
  sim_time first_new_write; /* the first write accepted under a token newer than the
                               victim's, after fault_at (0: none) */
  uint32_t victim_refused;  /* reads the victim refused after fault_at */
  bool one_leader_checked;  /* the one-leader invariant stops the run (false: only records) */
} lab14_record;

/* Why a worker served a stale read, as the checker sees it (lab14_record.stale_cause). */
enum {
  STALE_NO_LEASE = 1, /* it had no valid lease (leader_serve_read) */
  STALE_OLD_COPY,     /* its copy came from an earlier lease (leader_serve_read) */
  STALE_TOO_LONG,     /* its lease ran past what its Grants allow, or kept an older token than
                         they carried (lease_on_grant, lease_local_term) */
  STALE_DRIFT,        /* its lease followed the rule, but its clock broke the drift bound */
  STALE_OTHER
};

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol lease_protocol;
extern const lab_info lab14;

/* "w2#3 (token 2)" into buf, "(empty)" for the initial value. Returns buf. */
const char *version_text(const version *v, char *buf, size_t cap);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1 (exercises/14-leases-and-fencing/lease.c): the lease at its holder.
 */

/* The drift margin. The lock service grants a term of `duration` on ITS clock, starting when it
 * receives the request; the holder counts on ITS clock from when it sent the request. Each clock
 * may run fast or slow by up to max_drift_ppm parts per million. Return the longest term L the
 * holder may count on its own clock and still be sure to stop no later, in true time, than the
 * lock service's term ends: L = duration * (1e6 - rho) / (1e6 + rho), rho = max_drift_ppm,
 * rounded down to a whole microsecond. (Gray and Cheriton 1989 assume clocks whose rates are
 * bounded, and warn of both failures this margin covers: a granter's clock that runs fast lets
 * it hand the lease on while the old holder still counts, and a holder's clock that runs slow
 * keeps it counting after the granter has stopped.) */
sim_time lease_local_term(sim_time duration, uint32_t max_drift_ppm);

/* A Grant arrived at local clock `now`. Take it into l:
 *   - a Grant with a token lower than l->token is from an older lease: ignore it;
 *   - a Grant with a higher token is a new lease: take its token and its expiry;
 *   - the same token is a renewal: the expiry may only move forward.
 * The expiry is g->req_clock + lease_local_term(g->duration, max_drift_ppm): the lease runs from
 * when this worker sent the request the Grant answers (echoed in the Grant), NOT from `now`: the
 * Grant may have spent any time in the network, or waited while this worker was paused, and the
 * lock started counting when it received the request. (`now` is given so that you can see how far
 * behind the Grant is, in a note, say; the rule never needs it.) */
void lease_on_grant(lease *l, const grant_body *g, sim_time now, uint32_t max_drift_ppm);

/* Is the lease valid at local clock `now`? True when some lease was ever taken (token != 0) and
 * now is strictly before its expiry. */
bool lease_valid(const lease *l, sim_time now);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2 (exercises/14-leases-and-fencing/fence.c): the fencing check.
 */

/* A write carrying `token` arrived at storage. Admit it when token is at least the highest
 * token admitted so far (equal: more writes from the same leader), and then remember token as
 * the highest; refuse it (return false, change nothing) when it is lower: it comes from a
 * leader that has been replaced. (Chubby, section 2.4, locks and sequencers: a server that
 * receives a request with a sequencer checks it is still current, and refuses the request if
 * not.) */
bool fence_admit(fence *f, uint64_t token);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3 (exercises/14-leases-and-fencing/read.c): the lease-based read.
 */

/* A client asks worker s for the value; `now` is the worker's local clock. Serve the read from
 * the worker's own copy (s->cache) only if
 *   - s's lease is valid at now (lease_valid): no other leader can have been granted the lease
 *     and written since, and
 *   - the copy was written under this very lease (s->cache.token == s->lease.token): a copy
 *     from an earlier lease of the same worker may have been overwritten by another leader in
 *     between.
 * Then copy s->cache into *out and return true. Otherwise return false (the read is refused;
 * *out is not used). */
bool leader_serve_read(const lease_state *s, sim_time now, version *out);

#endif
