/*
 * exercises/08-quorums/abd.c: YOUR ABD register client for lab 08 (Part C).
 *
 * Read book/08-quorums.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=08
 * Helpers (lab.h): q_phase_begin, q_pref, q_majority, q_send_read, q_send_write, q_complete,
 * q_tag_cmp. Your state is s->cli: c->phase says which of the two phases you are in.
 */
#include "lab.h"

void abd_write_start(sim_node *n, q_state *s) {
  (void)n;
  (void)s;
  TODO("abd_write_start: phase 1, query the key's homes for their tags");
}

void abd_read_start(sim_node *n, q_state *s) {
  (void)n;
  (void)s;
  TODO("abd_read_start: phase 1, query the key's homes");
}

void abd_on_read_reply(sim_node *n, q_state *s, int from, const q_read_reply_body *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO("abd_on_read_reply: at a majority, store (a write: newest.ts+1; a read: the newest) back");
}

void abd_on_write_ack(sim_node *n, q_state *s, int from, const q_write_ack_body *a) {
  (void)n;
  (void)s;
  (void)from;
  (void)a;
  TODO("abd_on_write_ack: at a majority of phase-2 acks, complete the operation");
}
