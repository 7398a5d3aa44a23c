/*
 * exercises/09-cap/replica.c: YOUR merge rule and replica answers for lab 09 (both modes).
 *
 * Read book/09-cap.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=09
 * The tests name the rule that broke and print a command that replays the run in the viewer.
 * Helpers (lab.h): kv_tag_cmp, kv_answer_query, kv_ack_store. Your state is s->rep.store, one
 * kv_cell per key.
 */
#include "lab.h"

bool kv_merge(kv_cell *have, kv_cell incoming) {
  (void)have;
  (void)incoming;
  TODO("kv_merge: take incoming only if its (timestamp, node) tag is newer; say whether you did");
}

void replica_on_query(sim_node *n, kv_state *s, int from, const kv_query_body *q) {
  (void)n;
  (void)s;
  (void)from;
  (void)q;
  TODO("replica_on_query: answer with the cell held for q->key");
}

void replica_on_store(sim_node *n, kv_state *s, int from, const kv_store_body *st) {
  (void)n;
  (void)s;
  (void)from;
  (void)st;
  TODO("replica_on_store: merge the cell into the store, then acknowledge, newer or not");
}
