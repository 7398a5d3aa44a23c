/*
 * exercises/08-quorums/client.c: YOUR quorum client for lab 08 (Parts A and B).
 *
 * Read book/08-quorums.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=08
 * Helpers (lab.h): q_phase_begin, q_pref, q_send_read, q_send_write, q_send_repair, q_complete,
 * q_tag_cmp; sim_clock and sim_self (lib/sim.h). Your state is s->cli, the config s->cfg.
 */
#include "lab.h"

void client_write_start(sim_node *n, q_state *s) {
  (void)n;
  (void)s;
  TODO("client_write_start: tag = (clock, own id); send the write to the key's N homes");
}

void client_read_start(sim_node *n, q_state *s) {
  (void)n;
  (void)s;
  TODO("client_read_start: send a Read to the key's N homes");
}

void client_on_write_ack(sim_node *n, q_state *s, int from, const q_write_ack_body *a) {
  (void)n;
  (void)s;
  (void)from;
  (void)a;
  TODO("client_on_write_ack: count each replica once; complete the write at the W-th ack");
}

void client_on_read_reply(sim_node *n, q_state *s, int from, const q_read_reply_body *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO("client_on_read_reply: at R distinct replies return the newest; repair older replicas");
}

void client_on_sloppy_timer(sim_node *n, q_state *s) {
  (void)n;
  (void)s;
  TODO("client_on_sloppy_timer: send the write, with a hint, to a fallback for each silent home");
}
