/*
 * solutions/01-lamport-clocks/multicast.c: the reference totally ordered multicast for lab 01.
 *
 * Lamport 1978, section "Ordering the Events Totally": order events by their timestamps and break
 * ties by process id (the relation "=>"), and let a process act on a request only once it "has
 * received a message from every other process timestamped later" (rule 5 of the mutual exclusion
 * algorithm). With FIFO links and rising timestamps, that message proves nothing earlier can still
 * come from that process. Every receiver acknowledges every message, so the proof always arrives.
 */
#include <string.h>

#include "lab.h"

bool tom_before(const tom_msg *a, const tom_msg *b) {
  if (a->ts != b->ts) return a->ts < b->ts;
  return a->origin < b->origin;
}

void tom_enqueue(lamport_state *s, const tom_msg *m) {
  uint32_t at = s->queue_len;
  while (at > 0 && tom_before(m, &s->queue[at - 1])) at--;
  memmove(&s->queue[at + 1], &s->queue[at], (s->queue_len - at) * sizeof s->queue[0]);
  s->queue[at] = *m;
  s->queue_len++;
}

void tom_multicast(sim_node *n, lamport_state *s) {
  tom_msg m = {.origin = sim_self(n), .seq = ++s->multicasts};
  m.ts = lamport_send(&s->clock);
  tom_enqueue(s, &m);
  tom_send_data(n, s, &m);
}

void tom_on_data(sim_node *n, lamport_state *s, int from, const tom_msg *m) {
  if (m->ts > s->latest[from]) s->latest[from] = m->ts;
  tom_enqueue(s, m);
  tom_send_ack(n, s, m);
}

void tom_on_ack(sim_node *n, lamport_state *s, int from, const ack_body *a) {
  (void)n;
  if (a->ts > s->latest[from]) s->latest[from] = a->ts;
}

bool tom_head_stable(const lamport_state *s, int self, int node_count) {
  if (s->queue_len == 0) return false;
  const tom_msg *head = &s->queue[0];
  for (int j = 0; j < node_count; j++)
    if (j != self && s->latest[j] < head->ts) return false;
  return true;
}
