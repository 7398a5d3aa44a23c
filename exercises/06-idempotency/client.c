/*
 * exercises/06-idempotency/client.c: YOUR client for lab 06 (part 3): number each request,
 * resend the same request until it is answered, accept only the answer to the request in
 * progress.
 *
 * Read book/06-idempotency.md first. Helpers (lab.h): request_send(n, s) sends
 * Request(self, s->cli.seq, s->cli.seen, s->cli.attempts) to the server. Services (lib/sim.h):
 * sim_timer_set(n, TIMER_RETRY, s->config.timeout, seq), sim_timer_cancel.
 */
#include "lab.h"

void client_begin(sim_node *n, idem_state *s) {
  (void)n;
  (void)s;
  TODO(
      "client_begin: next seq, attempts = 1, waiting = true, send it, arm the retry timer with "
      "arg = seq");
}

void client_on_timeout(sim_node *n, idem_state *s, uint32_t seq) {
  (void)n;
  (void)s;
  (void)seq;
  TODO("client_on_timeout: ignore stale timers; resend the same request, re-arm the timer");
}

void client_on_reply(sim_node *n, idem_state *s, const reply_body *r) {
  (void)n;
  (void)s;
  (void)r;
  TODO(
      "client_on_reply: only the first reply to the request in progress: record OK value or "
      "EXPIRED, learn seen, cancel the timer, stop waiting");
}
