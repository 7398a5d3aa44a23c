/*
 * solutions/02-vector-clocks/causal.c: the reference causal broadcast for lab 02 (part 2).
 *
 * Birman, Schiper, Stephenson 1991 (causal ordering protocol): vector timestamps count broadcasts.
 * A sender adds one to its own entry and stamps the message with its vector; a receiver delays a
 * message m from j until (1) m is the next message from j it has not delivered, VT(m)[j] = VT[j] +
 * 1, and (2) it has delivered every message j had delivered when it sent m, VT(m)[k] <= VT[k] for
 * k != j. On delivery it merges VT(m) into its own vector.
 */
#include <string.h>

#include "lab.h"

bool cb_deliverable(const vclock *delivered, const cb_msg *m) {
  int j = m->origin;
  if (m->vc.c[j] != delivered->c[j] + 1) return false; /* (1): the next one from j */
  for (int k = 0; k < LAB02_MAX_NODES; k++)
    if (k != j && m->vc.c[k] > delivered->c[k]) return false; /* (2): its past is here */
  return true;
}

void cb_broadcast(sim_node *n, vc_state *s, cb_msg *m) {
  int self = sim_self(n);
  s->delivered.c[self]++;
  m->vc = s->delivered;
  cb_deliver(n, s, m);
  cb_send_all(n, s, m);
}

/* Is a copy of (origin, seq) already waiting? */
static bool is_held(const vc_state *s, const cb_msg *m) {
  for (uint32_t i = 0; i < s->held_count; i++)
    if (s->held[i].origin == m->origin && s->held[i].vc.c[m->origin] == m->vc.c[m->origin])
      return true;
  return false;
}

void cb_on_receive(sim_node *n, vc_state *s, const cb_msg *m) {
  if (m->origin < 0 || m->origin >= LAB02_MAX_NODES) return;
  /* A duplicate: delivered already (its seq is not above what we have from its origin), or
   * waiting already. */
  if (m->vc.c[m->origin] <= s->delivered.c[m->origin] || is_held(s, m)) return;
  if (s->held_count == CB_HOLD_MAX) return; /* cannot happen: at most CB_MAX_MESSAGES exist */
  s->held[s->held_count++] = *m;
  /* Deliver until nothing more is deliverable: each delivery may free others. */
  bool progress = true;
  while (progress) {
    progress = false;
    for (uint32_t i = 0; i < s->held_count; i++) {
      if (!cb_deliverable(&s->delivered, &s->held[i])) continue;
      cb_msg ready = s->held[i];
      s->held[i] = s->held[--s->held_count];
      cb_deliver(n, s, &ready);
      vclock_merge(&s->delivered, &ready.vc);
      progress = true;
      break;
    }
  }
}
