/*
 * solutions/09-cap/replica.c: the reference merge rule and replica answers of lab 09.
 *
 * A replica keeps one cell (tag, value) per key and only ever replaces it with a cell whose tag
 * is newer: last writer wins, by (timestamp, node). The rule is a join (the larger of two tags),
 * so merging is commutative, associative and idempotent: cells may arrive late, twice or in any
 * order, from a Store, an Update or a Sync, and replicas that have seen the same cells hold the
 * same store. Both modes rely on it: CP's majorities for "a completed write is on a majority, and
 * stays there", AP's anti-entropy for convergence after a partition heals.
 */
#include "lab.h"

bool kv_merge(kv_cell *have, kv_cell incoming) {
  if (kv_tag_cmp(incoming.tag, have->tag) <= 0) return false;
  *have = incoming;
  return true;
}

void replica_on_query(sim_node *n, kv_state *s, int from, const kv_query_body *q) {
  kv_answer_query(n, from, q, s->rep.store[q->key]);
}

void replica_on_store(sim_node *n, kv_state *s, int from, const kv_store_body *st) {
  kv_merge(&s->rep.store[st->key], st->cell);
  /* Acknowledge even an older cell: this replica now holds that tag or a newer one. */
  kv_ack_store(n, from, st);
}
