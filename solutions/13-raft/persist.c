/*
 * solutions/13-raft/persist.c: the reference persistence for lab 13, part (c).
 *
 * Figure 2 names three pieces of persistent state: currentTerm, votedFor and log[]. Each guards a
 * promise: the term that a server never goes back on, the one vote it gave in that term, and the
 * entries it acknowledged (which a leader may have counted toward a majority). A server that
 * forgot any of them after a restart could vote twice in one term or lose a committed entry.
 */
#include <stddef.h>

#include "lab.h"

void raft_persist(sim_node *n, const raft_state *s) {
  /* The header, then only the entries in use (the rest of the disk is never read). */
  int32_t vote = s->voted_for + 1;
  sim_stable_write(n, offsetof(raft_stable, current_term), &s->current_term, sizeof s->current_term);
  sim_stable_write(n, offsetof(raft_stable, voted_for_plus_one), &vote, sizeof vote);
  sim_stable_write(n, offsetof(raft_stable, log_len), &s->log_len, sizeof s->log_len);
  if (s->log_len)
    sim_stable_write(n, offsetof(raft_stable, log) + sizeof(raft_entry), &s->log[1],
                     s->log_len * sizeof(raft_entry));
}

void raft_restore(sim_node *n, raft_state *s) {
  int32_t vote = 0;
  uint32_t len = 0;
  sim_stable_read(n, offsetof(raft_stable, current_term), &s->current_term, sizeof s->current_term);
  sim_stable_read(n, offsetof(raft_stable, voted_for_plus_one), &vote, sizeof vote);
  sim_stable_read(n, offsetof(raft_stable, log_len), &len, sizeof len);
  s->voted_for = vote - 1;
  s->log_len = len <= RAFT_LOG_CAP ? len : RAFT_LOG_CAP;
  if (s->log_len)
    sim_stable_read(n, offsetof(raft_stable, log) + sizeof(raft_entry), &s->log[1],
                    s->log_len * sizeof(raft_entry));
}
