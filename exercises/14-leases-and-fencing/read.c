/*
 * exercises/14-leases-and-fencing/read.c: YOUR lease-based read at the leader for lab 14
 * (part 3).
 *
 * protocol.c calls leader_serve_read for every Read a worker receives, with the worker's own
 * clock, and answers with the value (true) or a refusal (false). Write part 1 (lease.c) first:
 * you will call lease_valid. The contract is in labs/14-leases-and-fencing/lab.h.
 */
#include "lab.h"

bool leader_serve_read(const lease_state *s, sim_time now, version *out) {
  (void)s;
  (void)now;
  (void)out;
  TODO("leader_serve_read: serve s->cache only with a valid lease and a copy from this lease");
}
