/*
 * exercises/14-leases-and-fencing/lease.c: YOUR lease at its holder for lab 14 (part 1).
 *
 * Read book/14-leases-and-fencing.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=14
 * protocol.c calls lease_on_grant when a Grant arrives at a worker, and lease_valid (with the
 * worker's own clock, sim_clock) before every decision: renew or ask, start a write, answer a
 * read. The contracts are in labs/14-leases-and-fencing/lab.h.
 */
#include "lab.h"

sim_time lease_local_term(sim_time duration, uint32_t max_drift_ppm) {
  (void)duration;
  (void)max_drift_ppm;
  TODO("lease_local_term: duration * (1e6 - rho) / (1e6 + rho), rounded down");
}

void lease_on_grant(lease *l, const grant_body *g, sim_time now, uint32_t max_drift_ppm) {
  (void)l;
  (void)g;
  (void)now;
  (void)max_drift_ppm;
  TODO("lease_on_grant: ignore older tokens; expiry = g->req_clock + lease_local_term(...)");
}

bool lease_valid(const lease *l, sim_time now) {
  (void)l;
  (void)now;
  TODO("lease_valid: a lease was taken (token != 0) and now is before its expiry");
}
