/*
 * solutions/13-raft/persist.c: the reference persistence for lab 13, part (c).
 *
 * Figure 2 names three pieces of persistent state: currentTerm, votedFor and log[]. Each guards a
 * promise: the term that a server never goes back on, the one vote it gave in that term, and the
 * entries it acknowledged (which a leader may have counted toward a majority). A server that
 * forgot any of them after a restart could vote twice in one term or lose a committed entry.
 * Part (d) adds the snapshot: the log on disk starts after it, so the two go together.
 */
#include <stddef.h>

#include "lab.h"

void raft_persist(sim_node *n, const raft_state *s) {
  /* The header, then only the entries in use (the rest of the disk is never read). */
  int32_t vote = s->voted_for + 1;
  sim_stable_write(n, offsetof(raft_stable, current_term), &s->current_term,
                   sizeof s->current_term);
  sim_stable_write(n, offsetof(raft_stable, voted_for_plus_one), &vote, sizeof vote);
  sim_stable_write(n, offsetof(raft_stable, log_len), &s->log_len, sizeof s->log_len);
  sim_stable_write(n, offsetof(raft_stable, snap_index), &s->snap_index, sizeof s->snap_index);
  sim_stable_write(n, offsetof(raft_stable, snap_term), &s->snap_term, sizeof s->snap_term);
  if (s->snap_index)
    sim_stable_write(n, offsetof(raft_stable, snapshot), &s->snap_kv, sizeof s->snap_kv);
  uint32_t held = raft_log_count(s);
  if (held)
    sim_stable_write(n, offsetof(raft_stable, log) + sizeof(raft_entry), &s->log[1],
                     held * sizeof(raft_entry));
}

void raft_restore(sim_node *n, raft_state *s) {
  int32_t vote = 0;
  uint32_t len = 0;
  sim_stable_read(n, offsetof(raft_stable, current_term), &s->current_term, sizeof s->current_term);
  sim_stable_read(n, offsetof(raft_stable, voted_for_plus_one), &vote, sizeof vote);
  sim_stable_read(n, offsetof(raft_stable, log_len), &len, sizeof len);
  sim_stable_read(n, offsetof(raft_stable, snap_index), &s->snap_index, sizeof s->snap_index);
  sim_stable_read(n, offsetof(raft_stable, snap_term), &s->snap_term, sizeof s->snap_term);
  sim_stable_read(n, offsetof(raft_stable, snapshot), &s->snap_kv, sizeof s->snap_kv);
  s->voted_for = vote - 1;
  if (len < s->snap_index) len = s->snap_index;
  s->log_len = len - s->snap_index <= RAFT_LOG_CAP ? len : s->snap_index + RAFT_LOG_CAP;
  s->log[0] = (raft_entry){.term = s->snap_term};
  uint32_t held = raft_log_count(s);
  if (held)
    sim_stable_read(n, offsetof(raft_stable, log) + sizeof(raft_entry), &s->log[1],
                    held * sizeof(raft_entry));
}
