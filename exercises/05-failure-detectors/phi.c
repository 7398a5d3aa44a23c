/*
 * exercises/05-failure-detectors/phi.c: YOUR phi accrual failure detector for lab 05 (part 2).
 *
 * Write part 1 (heartbeat.c) first. protocol.c calls phi_record when a heartbeat arrives and
 * phi_value for every peer every `check` and right after each heartbeat; it suspects the peer
 * when phi exceeds the threshold. At boot it seeds every window with one sample of one period.
 * You need <math.h>: sqrt, erfc, log10. The contracts are in labs/05-failure-detectors/lab.h.
 */
#include <math.h>

#include "lab.h"

void phi_record(phi_window *w, sim_time now) {
  (void)w;
  (void)now;
  TODO("phi_record: first arrival sets last; later ones add now - last to the ring of samples");
}

double phi_value(const phi_window *w, sim_time now, sim_time min_std) {
  (void)w;
  (void)now;
  (void)min_std;
  TODO(
      "phi_value: mean and deviation of the window, then -log10(0.5 * erfc((t - mu) / "
      "(sigma * sqrt(2))))");
}
