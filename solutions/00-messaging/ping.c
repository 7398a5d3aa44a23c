/*
 * solutions/00-messaging/ping.c: the reference ping client and server of lab 00.
 *
 * At-least-once delivery by retrying: the client keeps one ping outstanding, resends it each time
 * its timer fires, and counts a ping once, when the first Pong for it arrives. The timer's
 * argument is the seq it was set for, so a timer that fires for a ping already answered is
 * recognised as stale and ignored.
 */
#include "lab.h"

/* Send the ping in progress once more and arm its retry timer. */
static void send_attempt(sim_node *n, ping_state *s) {
  s->attempts++;
  ping_send(n, s);
  s->retry_timer = sim_timer_set(n, TIMER_RETRY, s->config.timeout, s->seq);
}

/* Move on to the next ping, or finish after the last one. */
static void next_ping(sim_node *n, ping_state *s) {
  if (s->answered == s->config.pings) {
    s->done = true;
    return;
  }
  s->seq++;
  s->attempts = 0;
  send_attempt(n, s);
}

void client_start(sim_node *n, ping_state *s) { next_ping(n, s); }

void client_on_pong(sim_node *n, ping_state *s, const pong_body *pong) {
  /* Only the first Pong for the ping in progress counts; anything else is a duplicate or a late
   * answer to a ping already counted. */
  if (s->done || s->peer_dead || pong->seq != s->seq || s->answered >= s->seq) return;
  s->answered++;
  s->last_rtt = sim_true_time(n) - s->sent_at;
  sim_timer_cancel(n, s->retry_timer);
  s->retry_timer = 0;
  next_ping(n, s);
}

void client_on_timeout(sim_node *n, ping_state *s, uint32_t seq) {
  if (s->done || s->peer_dead || seq != s->seq || s->answered >= seq) return; /* stale */
  s->retry_timer = 0;
  if (s->attempts >= s->config.max_attempts) {
    s->peer_dead = true;
    sim_note(n, "no answer to ping %u after %u attempts: n%d is presumed dead", seq, s->attempts,
             s->config.target);
    return;
  }
  send_attempt(n, s);
}

void server_on_ping(sim_node *n, ping_state *s, int from, const ping_body *ping) {
  s->pongs_sent++;
  pong_send(n, from, ping->seq);
}
