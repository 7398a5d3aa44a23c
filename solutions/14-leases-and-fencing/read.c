/*
 * solutions/14-leases-and-fencing/read.c: the reference lease-based read at the leader, lab 14.
 *
 * While a leader's lease is valid, the lock service grants no other lease, so no other leader
 * can have written: the leader's own copy is the latest value and it may answer without asking
 * storage or anyone else (the read costs no message). Its copy must come from this lease,
 * though: a copy kept from an earlier lease of the same worker may have been overwritten by
 * whoever led in between.
 */
#include "lab.h"

bool leader_serve_read(const lease_state *s, sim_time now, version *out) {
  if (!lease_valid(&s->lease, now)) return false;
  if (s->cache.token != s->lease.token) return false; /* not yet written under this lease */
  *out = s->cache;
  return true;
}
