/*
 * exercises/13-raft/persist.c: YOUR persistence for lab 13, part (c).
 *
 * Read book/13-raft.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=13
 * Services (sim.h): sim_stable_write, sim_stable_read. The disk layout is raft_stable (lab.h);
 * offsetof(raft_stable, field) (from <stddef.h>) gives where each field goes.
 */
#include "lab.h"

void raft_persist(sim_node *n, const raft_state *s) {
  (void)n;
  (void)s;
  TODO("raft_persist: write currentTerm, votedFor + 1, log_len and log[1..log_len] to disk");
}

void raft_restore(sim_node *n, raft_state *s) {
  (void)n;
  (void)s;
  TODO("raft_restore: read currentTerm, votedFor and the log back (zeros: a fresh disk)");
}
