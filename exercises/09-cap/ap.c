/*
 * exercises/09-cap/ap.c: YOUR AP path for lab 09 (MODE_AP).
 *
 * Read book/09-cap.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=09
 * Helpers (lab.h): kv_reply, ap_send_update, ap_send_sync, kv_merge (yours); sim_clock and
 * sim_self (lib/sim.h). Your state is s->rep.store; the request is in s->co.
 */
#include "lab.h"

kv_tag ap_next_tag(sim_node *n, const kv_state *s, int key) {
  (void)n;
  (void)s;
  (void)key;
  TODO("ap_next_tag: (max(your clock, held ts + 1), your id)");
}

void ap_begin(sim_node *n, kv_state *s) {
  (void)n;
  (void)s;
  TODO("ap_begin: answer from your own store now; a write: tag, merge, reply, Update others");
}

void ap_on_update(sim_node *n, kv_state *s, int from, const kv_update_body *u) {
  (void)n;
  (void)s;
  (void)from;
  (void)u;
  TODO("ap_on_update: merge the cell");
}

void ap_on_anti_entropy(sim_node *n, kv_state *s) {
  (void)n;
  (void)s;
  TODO("ap_on_anti_entropy: send your whole store to every other replica");
}

void ap_on_sync(sim_node *n, kv_state *s, int from, const kv_sync_body *sy) {
  (void)n;
  (void)s;
  (void)from;
  (void)sy;
  TODO("ap_on_sync: merge every cell of the Sync, key by key");
}
