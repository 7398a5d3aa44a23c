/*
 * solutions/05-failure-detectors/heartbeat.c: the reference fixed-timeout detector of lab 05
 * (part 1).
 *
 * The oldest failure detector there is: remember when each peer was last heard from, and suspect
 * it once it has been quiet for longer than a timeout. Its one parameter trades the two
 * properties against each other: a short timeout detects crashes fast and suspects slow peers
 * often; a long one is accurate and slow. The same timeout applies to every peer, whatever its
 * link is like: that is what the phi detector (phi.c) improves on.
 */
#include "lab.h"

void hb_on_heartbeat(hb_detector *d, int from, sim_time now) {
  if (from < 0 || from >= FD_MAX_NODES) return;
  d->last[from] = now;
}

bool hb_suspect(const hb_detector *d, int peer, sim_time now, sim_time timeout) {
  if (peer < 0 || peer >= FD_MAX_NODES) return false;
  /* Strictly more than the timeout: silence of exactly `timeout` is still within the rule. */
  return now > d->last[peer] && now - d->last[peer] > timeout;
}
