/*
 * exercises/01-lamport-clocks/multicast.c: YOUR totally ordered multicast for lab 01 (part 2).
 *
 * Write part 1 (clock.c) first. Every node multicasts messages to every other; every node must
 * deliver all of them in the same order, by (timestamp, node id), and only once no earlier
 * message can still arrive. Links are FIFO in this part. protocol.c calls lamport_receive before
 * tom_on_data / tom_on_ack, and after each of them delivers the first queued message for as long
 * as tom_head_stable says it may. Helpers from lab.h: tom_send_data, tom_send_ack.
 */
#include "lab.h"

bool tom_before(const tom_msg *a, const tom_msg *b) {
  (void)a;
  (void)b;
  TODO("tom_before: order by timestamp, then by origin node id");
}

void tom_enqueue(lamport_state *s, const tom_msg *m) {
  (void)s;
  (void)m;
  TODO("tom_enqueue: insert m into s->queue keeping it sorted by tom_before");
}

void tom_multicast(sim_node *n, lamport_state *s) {
  (void)n;
  (void)s;
  TODO("tom_multicast: stamp (lamport_send), number (s->multicasts), queue own copy, send");
}

void tom_on_data(sim_node *n, lamport_state *s, int from, const tom_msg *m) {
  (void)n;
  (void)s;
  (void)from;
  (void)m;
  TODO("tom_on_data: note from's latest timestamp, queue m, acknowledge it (tom_send_ack)");
}

void tom_on_ack(sim_node *n, lamport_state *s, int from, const ack_body *a) {
  (void)n;
  (void)s;
  (void)from;
  (void)a;
  TODO("tom_on_ack: note from's latest timestamp");
}

bool tom_head_stable(const lamport_state *s, int self, int node_count) {
  (void)s;
  (void)self;
  (void)node_count;
  TODO("tom_head_stable: true when every other node has spoken at or past the head's timestamp");
}
