/*
 * exercises/09-cap/cp.c: YOUR CP coordinator for lab 09 (MODE_CP).
 *
 * Read book/09-cap.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=09
 * Helpers (lab.h): kv_majority, kv_send_query, kv_send_store, kv_reply, kv_merge (yours),
 * kv_tag_cmp; sim_self (lib/sim.h). Your state is s->co: the request, its phase, who answered.
 */
#include "lab.h"

void cp_begin(sim_node *n, kv_state *s) {
  (void)n;
  (void)s;
  TODO("cp_begin: read_local reads answer now; else QUERY: count yourself, ask the others");
}

void cp_on_query_reply(sim_node *n, kv_state *s, int from, const kv_query_reply_body *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO("cp_on_query_reply: count each replica once, keep the newest; at a majority, STORE");
}

void cp_on_store_ack(sim_node *n, kv_state *s, int from, const kv_store_ack_body *a) {
  (void)n;
  (void)s;
  (void)from;
  (void)a;
  TODO("cp_on_store_ack: count each replica once; at a majority, answer OK");
}

void cp_on_deadline(sim_node *n, kv_state *s) {
  (void)n;
  (void)s;
  TODO("cp_on_deadline: no majority in time: REFUSED, or UNKNOWN for a write already storing");
}
