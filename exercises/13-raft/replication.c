/*
 * exercises/13-raft/replication.c: YOUR log replication for lab 13, part (b).
 *
 * Read book/13-raft.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=13
 * Helpers (lab.h): raft_term_at, raft_entry_at, raft_log_count, raft_last_index, raft_majority,
 * raft_set_role, raft_reset_election_timer, raft_send_append_entries, raft_send_append_reply,
 * raft_send_snapshot (part (d)); sim_self(n) is this server's id and s->cfg.servers the number
 * of servers (ids 0 .. s->cfg.servers - 1).
 */
#include "lab.h"

uint32_t raft_start(sim_node *n, raft_state *s, raft_command cmd) {
  (void)n;
  (void)s;
  (void)cmd;
  TODO("raft_start: a leader appends {currentTerm, cmd}, sends AppendEntries, returns the index");
}

/* Part (d): once the log is compacted, log[k] is entry snap_index + k: read entries with
 * raft_entry_at(s, i) and terms with raft_term_at(s, i), never s->log[i]. If next_index[peer] <=
 * snap_index, the entries the peer needs are gone: send the snapshot (raft_send_snapshot) instead
 * of AppendEntries (section 7). */
void raft_send_append(sim_node *n, raft_state *s, int peer) {
  (void)n;
  (void)s;
  (void)peer;
  TODO(
      "raft_send_append: AppendEntries from next_index[peer] (the snapshot if next_index <= "
      "snap_index): prev index/term, entries, commit");
}

void raft_on_append_entries(sim_node *n, raft_state *s, int from, const raft_append_entries *ae) {
  (void)n;
  (void)s;
  (void)from;
  (void)ae;
  TODO("raft_on_append_entries: Figure 2's five receiver rules, then reply (with a backup hint)");
}

void raft_on_append_reply(sim_node *n, raft_state *s, int from, const raft_append_reply *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO("raft_on_append_reply: raise matchIndex/nextIndex and commit; on failure back up, resend");
}

void raft_advance_commit(sim_node *n, raft_state *s) {
  (void)n;
  (void)s;
  TODO("raft_advance_commit: highest N on a majority with log[N].term == currentTerm");
}
