/*
 * solutions/11-sagas/outbox.c: the reference transactional outbox for lab 11 (part A).
 *
 * The outbox is a table in the service's own database. An event is added to it in the same local
 * transaction as the state change it announces (the caller's disk_commit), so the two are never
 * separated: either both are durable or neither is. A relay reads the table and publishes every
 * entry its consumer has not acknowledged, again after `retry`, for as long as it takes: at least
 * once. The consumer's acknowledgement, which it sends only after committing the event's effect,
 * ends the republishing.
 */
#include "lab.h"

uint32_t outbox_add(saga_disk *d, int from, int to, uint32_t saga, ev_kind kind) {
  outbox *o = &d->out;
  if (o->count >= OUTBOX_MAX) return 0;
  outbox_entry *e = &o->entry[o->count++];
  e->ev = (saga_event){.id = ++o->last_id, .from = from, .to = to, .saga = saga, .kind = kind};
  e->acked = false;
  return e->ev.id;
}

void outbox_relay(sim_node *n, saga_state *s) {
  sim_time now = sim_clock(n);
  for (uint32_t i = 0; i < s->disk.out.count && i < OUTBOX_MAX; i++) {
    const outbox_entry *e = &s->disk.out.entry[i];
    if (e->acked) continue;
    /* At least once: publish until acknowledged, but give each copy time to be answered. */
    if (s->sent_at[i] != 0 && now - s->sent_at[i] < s->config.timing.retry) continue;
    publish(n, s, &e->ev);
    s->sent_at[i] = now ? now : 1;
  }
}

void outbox_on_ack(sim_node *n, saga_state *s, uint32_t id) {
  for (uint32_t i = 0; i < s->disk.out.count && i < OUTBOX_MAX; i++) {
    outbox_entry *e = &s->disk.out.entry[i];
    if (e->ev.id != id) continue;
    if (e->acked) return; /* a repeated Ack: already durable */
    e->acked = true;
    disk_commit(n, s); /* a restart will not publish it again */
    return;
  }
}
