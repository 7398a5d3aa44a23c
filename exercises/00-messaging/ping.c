/*
 * exercises/00-messaging/ping.c: YOUR ping client and server for lab 00.
 *
 * Read book/00-messaging.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=00
 * The tests name the rule that broke and print a command that replays the run in the viewer.
 * Useful services (lib/sim.h): sim_send, sim_timer_set, sim_timer_cancel, sim_true_time, sim_note;
 * from lab.h: ping_send(n, s) sends Ping(s->seq, s->attempts) to the server, and
 * pong_send(n, to, seq) sends Pong(seq) to node `to`.
 */
#include "lab.h"

void client_start(sim_node *n, ping_state *s) {
  (void)n;
  (void)s;
  TODO("client_start: start ping 1: set seq and attempts, send it, set the retry timer");
}

void client_on_pong(sim_node *n, ping_state *s, const pong_body *pong) {
  (void)n;
  (void)s;
  (void)pong;
  TODO("client_on_pong: count the first Pong for the ping in progress, cancel its timer, go on");
}

void client_on_timeout(sim_node *n, ping_state *s, uint32_t seq) {
  (void)n;
  (void)s;
  (void)seq;
  TODO("client_on_timeout: ignore stale timers; resend, or give up after max_attempts");
}

void server_on_ping(sim_node *n, ping_state *s, int from, const ping_body *ping) {
  (void)n;
  (void)s;
  (void)from;
  (void)ping;
  TODO("server_on_ping: answer with a Pong carrying the same seq");
}
