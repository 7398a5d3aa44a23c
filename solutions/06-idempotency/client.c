/*
 * solutions/06-idempotency/client.c: the reference client of lab 06: number each request, resend
 * the same request until it is answered, and accept only the answer to the request in progress.
 *
 * A retry is the same request, byte for byte but for the attempt counter: the same seq, so the
 * server can recognise it, and the same `seen`, so that a request the server may have forgotten
 * stays recognisable as old (raising `seen` on a retry could turn it into a "new" request).
 */
#include "lab.h"

/* Send the request in progress (once more) and arm its retry timer. */
static void send_attempt(sim_node *n, idem_state *s) {
  request_send(n, s);
  s->cli.retry_timer = sim_timer_set(n, TIMER_RETRY, s->config.timeout, s->cli.seq);
}

void client_begin(sim_node *n, idem_state *s) {
  idem_client *c = &s->cli;
  c->seq++;
  c->attempts = 1;
  c->waiting = true;
  send_attempt(n, s);
}

void client_on_timeout(sim_node *n, idem_state *s, uint32_t seq) {
  idem_client *c = &s->cli;
  if (!c->waiting || seq != c->seq) return; /* stale: that request is finished */
  c->attempts++;
  send_attempt(n, s);
}

void client_on_reply(sim_node *n, idem_state *s, const reply_body *r) {
  idem_client *c = &s->cli;
  /* Only the first answer to the request in progress counts: anything else is a duplicate, or a
   * late answer to a request already finished. (Birrell and Nelson, section 3.2: the call
   * identifier lets the caller check that a result is the result of its current call.) */
  if (!c->waiting || r->seq != c->seq || c->seq > IDEM_MAX_REQUESTS) return;
  if (r->status == REPLY_OK) {
    c->outcome[c->seq] = OUTCOME_OK;
    c->result[c->seq] = r->value;
  } else if (r->status == REPLY_EXPIRED) {
    c->outcome[c->seq] = OUTCOME_EXPIRED;
  } else {
    return;
  }
  if (r->value > c->seen) c->seen = r->value;
  sim_timer_cancel(n, c->retry_timer);
  c->retry_timer = 0;
  c->waiting = false;
}
