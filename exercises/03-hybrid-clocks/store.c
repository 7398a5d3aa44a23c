/*
 * exercises/03-hybrid-clocks/store.c: YOUR versioned store (part 2) and safe time (part 3) for
 * lab 03.
 *
 * Read book/03-hybrid-clocks.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=03
 * protocol.c calls kv_put for every version a replica gets (its own writes and the other
 * replicas' Updates), kv_read_at to answer a snapshot read, and kv_safe_time to decide when it
 * may answer one. The contracts are in labs/03-hybrid-clocks/lab.h. The build treats warnings
 * as errors; keep the `(void)x;` lines until your code uses x.
 */
#include "lab.h"

bool kv_before(const kv_version *a, const kv_version *b) {
  (void)a;
  (void)b;
  TODO("kv_before: a before b by timestamp (hlc_compare), equal timestamps by writer id");
}

bool kv_put(kv_history *h, const kv_version *v) {
  (void)h;
  (void)v;
  TODO("kv_put: insert v keeping h->v sorted by kv_before; skip a version already held");
}

const kv_version *kv_latest(const kv_history *h) {
  (void)h;
  TODO("kv_latest: the newest version (last-writer-wins), or NULL");
}

const kv_version *kv_read_at(const kv_history *h, hlc at) {
  (void)h;
  (void)at;
  TODO("kv_read_at: the newest version with ts <= at, or NULL");
}

hlc kv_safe_time(const hlc_state *s, int self, int node_count) {
  (void)s;
  (void)self;
  (void)node_count;
  TODO("kv_safe_time: the smallest heard[j] over the other nodes j");
}
