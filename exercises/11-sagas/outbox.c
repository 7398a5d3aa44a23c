/*
 * exercises/11-sagas/outbox.c: YOUR transactional outbox for lab 11 (part A).
 *
 * Read book/11-sagas.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=11
 * The outbox lives in s->disk.out, inside the node's database: an event is added in memory with
 * outbox_add and becomes durable with the state change it announces, in the caller's one
 * disk_commit. protocol.c calls outbox_relay after every handler and on the relay timer, and
 * outbox_on_ack for every Ack. The contracts are in labs/11-sagas/lab.h.
 */
#include "lab.h"

uint32_t outbox_add(saga_disk *d, int from, int to, uint32_t saga, ev_kind kind) {
  (void)d;
  (void)from;
  (void)to;
  (void)saga;
  (void)kind;
  TODO("outbox_add: append an unacknowledged entry with id last_id + 1 (0 if the outbox is full)");
}

void outbox_relay(sim_node *n, saga_state *s) {
  (void)n;
  (void)s;
  TODO("outbox_relay: publish every unacknowledged entry not published in the last retry");
}

void outbox_on_ack(sim_node *n, saga_state *s, uint32_t id) {
  (void)n;
  (void)s;
  (void)id;
  TODO("outbox_on_ack: mark the entry with this id acknowledged and commit (once)");
}
