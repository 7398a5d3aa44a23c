/*
 * exercises/08-quorums/replica.c: YOUR replica for lab 08 (used by every part).
 *
 * Read book/08-quorums.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=08
 * The tests name the rule that broke and print a command that replays the run in the viewer.
 * Helpers (lab.h): q_tag_cmp, q_reply_read, q_ack_write, q_send_handoff, q_ack_handoff.
 * Your state is s->rep (the store, one q_cell per key, and the hint table).
 */
#include "lab.h"

void replica_on_write(sim_node *n, q_state *s, int from, const q_write_body *w) {
  (void)n;
  (void)s;
  (void)from;
  (void)w;
  TODO("replica_on_write: keep the write if its tag is newer (or hold it as a hint), then ack");
}

void replica_on_read(sim_node *n, q_state *s, int from, const q_read_body *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO("replica_on_read: answer with the tag and value held for the key");
}

void replica_on_repair(sim_node *n, q_state *s, const q_repair_body *r) {
  (void)n;
  (void)s;
  (void)r;
  TODO("replica_on_repair: keep the repaired value if its tag is newer; send nothing");
}

void replica_on_handoff_timer(sim_node *n, q_state *s) {
  (void)n;
  (void)s;
  TODO("replica_on_handoff_timer: send every hint held to its home; keep it until acked");
}

void replica_on_handoff(sim_node *n, q_state *s, int from, const q_handoff_body *h) {
  (void)n;
  (void)s;
  (void)from;
  (void)h;
  TODO("replica_on_handoff: keep the handed-off value if newer, and acknowledge it");
}

void replica_on_handoff_ack(sim_node *n, q_state *s, const q_handoff_ack_body *a) {
  (void)n;
  (void)s;
  (void)a;
  TODO("replica_on_handoff_ack: free the hint slot if it still holds that key and tag");
}
