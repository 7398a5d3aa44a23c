/*
 * exercises/06-idempotency/server.c: YOUR server for lab 06 (part 2): apply each request once,
 * answer retries from the table, and make every application durable before replying.
 *
 * Read book/06-idempotency.md first. Helpers (lab.h): dedup_check, dedup_record (yours, part 1),
 * counter_apply(n, s, client, seq) applies one increment and returns the new value,
 * reply_send(n, to, seq, status, value). Services (lib/sim.h): sim_stable_write, sim_stable_read.
 */
#include "lab.h"

void server_on_request(sim_node *n, idem_state *s, int from, const request_body *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO(
      "server_on_request: dedup_check; NEW: counter_apply, dedup_record, server_persist, then "
      "reply OK; DUPLICATE: reply the cached value; STALE: nothing; EXPIRED: reply the horizon");
}

void server_persist(sim_node *n, const idem_state *s) {
  (void)n;
  (void)s;
  TODO("server_persist: write s->srv (counter and table) to stable storage at offset 0");
}

void server_recover(sim_node *n, idem_state *s) {
  (void)n;
  (void)s;
  TODO("server_recover: read s->srv back from stable storage at offset 0");
}
