/*
 * solutions/09-cap/ap.c: the reference AP path of lab 09 (MODE_AP).
 *
 * The home replica answers every request from its own store, partition or not, so every request
 * that reaches a live replica is answered (availability, in Gilbert and Lynch's sense). Writes
 * spread afterwards: an Update to every other replica right away (lost if the network is cut),
 * and every anti-entropy period the whole store to every other replica (Dynamo, DeCandia et al.
 * SOSP 2007, section 4.7, and Demers et al., "Epidemic Algorithms for Replicated Database
 * Maintenance", PODC 1987: anti-entropy). Conflicting writes made on both sides of a partition
 * are reconciled by the merge rule, last writer wins by (timestamp, node): the write with the
 * higher tag survives on every replica, the other one is overwritten. That is the documented
 * loss; no other acknowledged write is ever lost.
 */
#include "lab.h"

kv_tag ap_next_tag(sim_node *n, const kv_state *s, int key) {
  uint64_t ts = sim_clock(n);
  uint64_t held = s->rep.store[key].tag.ts;
  if (ts <= held) ts = held + 1;
  kv_tag t = {.ts = ts, .node = sim_self(n), .pad = 0};
  return t;
}

void ap_begin(sim_node *n, kv_state *s) {
  kv_coord *co = &s->co;
  if (co->kind == OP_READ) {
    kv_reply(n, s, KV_OK, s->rep.store[co->key]);
    return;
  }
  kv_cell cell = {.tag = ap_next_tag(n, s, co->key), .value = co->value, .pad = 0};
  kv_merge(&s->rep.store[co->key], cell);
  kv_reply(n, s, KV_OK, cell);
  for (int i = 0; i < s->cfg.replicas; i++)
    if (i != sim_self(n)) ap_send_update(n, i, co->key, cell);
}

void ap_on_update(sim_node *n, kv_state *s, int from, const kv_update_body *u) {
  (void)n;
  (void)from;
  kv_merge(&s->rep.store[u->key], u->cell);
}

void ap_on_anti_entropy(sim_node *n, kv_state *s) {
  for (int i = 0; i < s->cfg.replicas; i++)
    if (i != sim_self(n)) ap_send_sync(n, s, i);
}

void ap_on_sync(sim_node *n, kv_state *s, int from, const kv_sync_body *sy) {
  (void)n;
  (void)from;
  for (int k = 0; k < sy->keys && k < KV_MAX_KEYS; k++) kv_merge(&s->rep.store[k], sy->cells[k]);
}
