/*
 * solutions/06-idempotency/server.c: the reference server of lab 06: apply each request once,
 * answer retries from the table, and make every application durable before replying.
 *
 * The order in server_on_request is the whole point: apply, record, persist, reply. A reply is a
 * promise that the increment happened; if the server crashed after the reply left but before the
 * table reached the disk, the restarted server would not know the request, and the client's
 * retry (its reply may have been lost) would be applied a second time.
 */
#include "lab.h"

void server_on_request(sim_node *n, idem_state *s, int from, const request_body *r) {
  uint64_t value = 0;
  switch (dedup_check(&s->srv.table, r, &value)) {
    case DEDUP_NEW:
      value = counter_apply(n, s, r->client, r->seq);
      dedup_record(&s->srv.table, r->client, r->seq, value);
      server_persist(n, s);                         /* durable first ... */
      reply_send(n, from, r->seq, REPLY_OK, value); /* ... then the promise */
      break;
    case DEDUP_DUPLICATE:
      reply_send(n, from, r->seq, REPLY_OK, value);
      break;
    case DEDUP_STALE:
      break; /* the client already has this answer and has moved on */
    case DEDUP_EXPIRED:
      reply_send(n, from, r->seq, REPLY_EXPIRED, value);
      break;
  }
}

void server_persist(sim_node *n, const idem_state *s) {
  sim_stable_write(n, 0, &s->srv, sizeof s->srv);
}

void server_recover(sim_node *n, idem_state *s) { sim_stable_read(n, 0, &s->srv, sizeof s->srv); }
