/*
 * solutions/03-hybrid-clocks/store.c: the reference versioned store and safe time for lab 03
 * (parts 2 and 3).
 *
 * Each replica keeps every version of a key, oldest first, in the order (timestamp, writer).
 * Because every replica uses the same order, replicas that have received the same versions agree
 * on the newest one (last-writer-wins) and on the answer to a read as of any T: the store
 * converges whatever the order the versions arrived in. With HLC timestamps that order also
 * extends causality: a write made after seeing another gets a larger timestamp, so it wins, and
 * a snapshot that contains it contains its cause.
 *
 * The safe time is the "closed timestamp" idea used by multi-version databases (CockroachDB,
 * Spanner's safe time): a replica may serve a read as of T only once no write stamped at or
 * below T can still reach it.
 */
#include <string.h>

#include "lab.h"

bool kv_before(const kv_version *a, const kv_version *b) {
  int order = hlc_compare(a->ts, b->ts);
  return order < 0 || (order == 0 && a->writer < b->writer);
}

bool kv_put(kv_history *h, const kv_version *v) {
  /* Walk to the first version that does not come before v. If v does not come before it
   * either, it is v itself (same timestamp and writer: a duplicate); else v goes there. */
  uint32_t at = 0;
  while (at < h->count && kv_before(&h->v[at], v)) at++;
  if (at < h->count && !kv_before(v, &h->v[at])) return false; /* same (ts, writer) */
  memmove(&h->v[at + 1], &h->v[at], (h->count - at) * sizeof h->v[0]);
  h->v[at] = *v;
  h->count++;
  return true;
}

const kv_version *kv_latest(const kv_history *h) {
  return h->count > 0 ? &h->v[h->count - 1] : NULL;
}

const kv_version *kv_read_at(const kv_history *h, hlc at) {
  /* Versions are sorted: walk back from the newest to the first at or below T. */
  for (uint32_t i = h->count; i > 0; i--)
    if (hlc_compare(h->v[i - 1].ts, at) <= 0) return &h->v[i - 1];
  return NULL;
}

hlc kv_safe_time(const hlc_state *s, int self, int node_count) {
  hlc safe = {0, 0};
  bool first = true;
  for (int j = 0; j < node_count && j < LAB03_MAX_NODES; j++) {
    if (j == self) continue;
    if (first || hlc_compare(s->heard[j], safe) < 0) safe = s->heard[j];
    first = false;
  }
  return safe;
}
