/*
 * exercises/05-failure-detectors/heartbeat.c: YOUR fixed-timeout failure detector for lab 05
 * (part 1).
 *
 * Read book/05-failure-detectors.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=05
 * protocol.c calls hb_on_heartbeat when a heartbeat arrives, and hb_suspect for every peer every
 * `check` and right after each heartbeat. Times are the node's local clock, in microseconds.
 * The contracts are in labs/05-failure-detectors/lab.h.
 */
#include "lab.h"

void hb_on_heartbeat(hb_detector *d, int from, sim_time now) {
  (void)d;
  (void)from;
  (void)now;
  TODO("hb_on_heartbeat: remember when `from` was last heard from");
}

bool hb_suspect(const hb_detector *d, int peer, sim_time now, sim_time timeout) {
  (void)d;
  (void)peer;
  (void)now;
  (void)timeout;
  TODO("hb_suspect: true when peer has been silent for strictly more than timeout");
}
