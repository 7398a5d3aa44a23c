/*
 * solutions/14-leases-and-fencing/lease.c: the reference lease at its holder for lab 14 (part 1).
 *
 * Gray and Cheriton 1989: a lease is a promise for a term, and it is safe only if the holder
 * stops relying on it before the granter starts to act as if it had ended. Two things can make
 * the holder late. Messages take time, so the holder counts from the moment it sent its request,
 * which is before the granter started its own count. Clocks run at different rates, so the
 * holder counts a shorter term: if every clock's rate is within rho of true time, a term of D on
 * the granter's clock lasts at least D / (1 + rho) of true time, and a term of L on the holder's
 * at most L / (1 - rho); L = D (1 - rho) / (1 + rho) makes the second no longer than the first.
 */
#include "lab.h"

sim_time lease_local_term(sim_time duration, uint32_t max_drift_ppm) {
  /* Integer arithmetic, rounded down: a microsecond too short is safe, one too long is not. */
  return duration * (1000000u - max_drift_ppm) / (1000000u + max_drift_ppm);
}

void lease_on_grant(lease *l, const grant_body *g, sim_time now, uint32_t max_drift_ppm) {
  (void)now; /* the lease started before the Grant arrived, whenever that was */
  if (g->token < l->token) return; /* a late Grant of an older lease */
  /* The term counts from when this worker asked (echoed in the Grant), never from now. */
  sim_time expires = g->req_clock + lease_local_term(g->duration, max_drift_ppm);
  if (g->token > l->token) {
    l->token = g->token;
    l->expires = expires;
  } else if (expires > l->expires) {
    l->expires = expires; /* a renewal: only forward (Grants may arrive out of order) */
  }
}

bool lease_valid(const lease *l, sim_time now) { return l->token != 0 && now < l->expires; }
