/*
 * exercises/13-raft/snapshot.c: YOUR log compaction for lab 13, part (d).
 *
 * Read book/13-raft.md ("Part (d)") first. Replace each TODO(...) with your code, then run
 *   make check LAB=13
 * Helpers (lab.h): raft_term_at, raft_entry_at, raft_log_count, raft_set_role,
 * raft_reset_election_timer, raft_send_install_snapshot, raft_send_install_reply,
 * raft_advance_commit, raft_send_append. Entry i lives in s->log[i - s->snap_index].
 */
#include "lab.h"

void raft_snapshot(sim_node *n, raft_state *s, uint32_t index, const raft_kv *state) {
  (void)n;
  (void)s;
  (void)index;
  (void)state;
  TODO("raft_snapshot: keep the snapshot and entry index's term, discard entries 1 .. index");
}

void raft_send_snapshot(sim_node *n, raft_state *s, int peer) {
  (void)n;
  (void)s;
  (void)peer;
  TODO("raft_send_snapshot: InstallSnapshot with snap_index, snap_term and snap_kv");
}

void raft_on_install_snapshot(sim_node *n, raft_state *s, int from,
                              const raft_install_snapshot *is) {
  (void)n;
  (void)s;
  (void)from;
  (void)is;
  TODO("raft_on_install_snapshot: Figure 13's receiver rules 1, 6, 7 and 8");
}

void raft_on_install_reply(sim_node *n, raft_state *s, int from, const raft_install_reply *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO("raft_on_install_reply: raise match_index, set next_index, advance commit, send more");
}
