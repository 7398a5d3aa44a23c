/*
 * solutions/05-failure-detectors/phi.c: the reference phi accrual detector of lab 05 (part 2).
 *
 * Hayashibara, Defago, Yared and Katayama, "The phi Accrual Failure Detector" (SRDS 2004),
 * Section 3: instead of a yes/no answer, the detector outputs a suspicion level that grows with
 * the silence, phi(t_now) = -log10(P_later(t_now - t_last)), where P_later(t) is the probability
 * that the next heartbeat arrives more than t after the previous one, estimated from a sliding
 * window of recent inter-arrival times. The paper models the inter-arrival times as normally
 * distributed with the window's mean and variance; so does this file. phi = 1 means a 10% chance
 * that a live peer would have been this late, phi = 3 a 0.1% chance. The application picks the
 * threshold: the detector adapts to each link by itself.
 */
#include <math.h>

#include "lab.h"

void phi_record(phi_window *w, sim_time now) {
  if (!w->heard) {
    /* The first arrival: one point in time, no interval yet. */
    w->heard = true;
    w->last = now;
    return;
  }
  /* "the arrival time of heartbeats ... inter-arrival times are stored in a sliding window of
   * fixed size": the newest sample replaces the oldest once the window is full. */
  sim_time gap = now > w->last ? now - w->last : 0;
  w->samples[w->next] = gap;
  w->next = (w->next + 1) % PHI_WINDOW;
  if (w->count < PHI_WINDOW) w->count++;
  w->last = now;
}

double phi_value(const phi_window *w, sim_time now, sim_time min_std) {
  if (w->count == 0) return 0.0;
  uint32_t count = w->count < PHI_WINDOW ? w->count : PHI_WINDOW;
  double sum = 0;
  for (uint32_t i = 0; i < count; i++) sum += (double)w->samples[i];
  double mean = sum / count;
  double var = 0;
  for (uint32_t i = 0; i < count; i++) {
    double d = (double)w->samples[i] - mean;
    var += d * d;
  }
  double sigma = sqrt(var / count);
  if (sigma < (double)min_std) sigma = (double)min_std;
  if (sigma <= 0) sigma = 1; /* a window of equal samples and no floor: one microsecond */
  double t = now > w->last ? (double)(now - w->last) : 0.0;
  /* P_later(t) = 1 - F(t) for the normal distribution N(mean, sigma^2). */
  double p_later = 0.5 * erfc((t - mean) / (sigma * sqrt(2.0)));
  if (p_later < PHI_P_FLOOR) return PHI_MAX;
  double phi = -log10(p_later);
  return phi > 0 ? phi : 0.0;
}
