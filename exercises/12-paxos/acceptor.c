/*
 * exercises/12-paxos/acceptor.c: YOUR acceptor for lab 12 (part 1), and the ballot order.
 *
 * Read book/12-paxos.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=12
 * The contracts are in labs/12-paxos/lab.h. Your state is s->acc (the promise, and per slot the
 * highest-numbered proposal accepted); it is also what stable storage holds, at offset 0.
 * Helpers (lab.h): px_send_to_learners; sim_send for a Promise or a Nack to `from`.
 */
#include "lab.h"

int ballot_cmp(px_ballot a, px_ballot b) {
  (void)a;
  (void)b;
  TODO("ballot_cmp: compare rounds first, then node ids; negative, 0 or positive");
}

void acceptor_on_prepare(sim_node *n, px_state *s, int from, const px_prepare_body *p) {
  (void)n;
  (void)s;
  (void)from;
  (void)p;
  TODO("acceptor_on_prepare: promise a higher ballot (persist, then report); else Nack");
}

void acceptor_on_accept(sim_node *n, px_state *s, int from, const px_accept_body *a) {
  (void)n;
  (void)s;
  (void)from;
  (void)a;
  TODO("acceptor_on_accept: accept at or above the promise (persist, tell learners)");
}

void acceptor_persist(sim_node *n, const px_state *s) {
  (void)n;
  (void)s;
  TODO("acceptor_persist: write s->acc to stable storage at offset 0");
}

void acceptor_recover(sim_node *n, px_state *s) {
  (void)n;
  (void)s;
  TODO("acceptor_recover: read s->acc back from stable storage at offset 0");
}
