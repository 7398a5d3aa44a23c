/*
 * solutions/13-raft/snapshot.c: the reference log compaction for lab 13, part (d).
 *
 * Section 7 of the paper: a log that only grows needs ever more memory and ever longer replays.
 * Each server now and then snapshots its state machine at an applied index and discards the log
 * up to it, keeping the index and term of the last entry it replaced (lastIncludedIndex and
 * lastIncludedTerm), so that the consistency check of the next AppendEntries still has an entry
 * before it. The log's first held entry moves, hence the offset: log[k] is entry snap_index + k.
 * A follower so far behind that the leader has discarded the entries it needs gets the leader's
 * snapshot in an InstallSnapshot RPC (Figure 13) and continues from the entry after it.
 */
#include <string.h>

#include "lab.h"

void raft_snapshot(sim_node *n, raft_state *s, uint32_t index, const raft_kv *state) {
  (void)n;
  /* Section 7: only applied (so committed) entries go into a snapshot, and a snapshot never
   * moves back. */
  if (index <= s->snap_index || index > s->last_applied || index > s->log_len) return;
  uint32_t term = raft_term_at(s, index); /* read before the entry goes */
  uint32_t keep = s->log_len - index;     /* entries after index, which stay */
  /* Entry index becomes the sentinel log[0]; index + 1 .. log_len move to log[1 .. keep]. */
  memmove(&s->log[1], &s->log[index - s->snap_index + 1], keep * sizeof(raft_entry));
  s->log[0] = (raft_entry){.term = term};
  s->snap_index = index;
  s->snap_term = term;
  s->snap_kv = *state;
}

void raft_send_snapshot(sim_node *n, raft_state *s, int peer) {
  /* Figure 13, InstallSnapshot arguments: term, leaderId, lastIncludedIndex, lastIncludedTerm,
   * data (one chunk: offset 0, done). */
  raft_install_snapshot is = {.term = s->current_term,
                              .leader = sim_self(n),
                              .last_included_index = s->snap_index,
                              .last_included_term = s->snap_term,
                              .data = s->snap_kv};
  raft_send_install_snapshot(n, peer, &is);
}

void raft_on_install_snapshot(sim_node *n, raft_state *s, int from,
                              const raft_install_snapshot *is) {
  raft_install_reply r = {.term = s->current_term};
  /* Figure 13, receiver: "1. Reply immediately if term < currentTerm." */
  if (is->term < s->current_term) {
    raft_send_install_reply(n, from, &r);
    return;
  }
  /* The current term's leader: as for AppendEntries. */
  if (s->role != ROLE_FOLLOWER) raft_set_role(n, s, ROLE_FOLLOWER);
  s->leader_hint = is->leader;
  raft_reset_election_timer(n, s);
  uint32_t last = is->last_included_index;
  r.match_index = last;
  /* A snapshot of what this server already committed (late or duplicated): nothing new. */
  if (last <= s->commit_index) {
    raft_send_install_reply(n, from, &r);
    return;
  }
  if (last < s->log_len && raft_term_at(s, last) == is->last_included_term) {
    /* "6. If existing log entry has same index and term as snapshot's last included entry,
     * retain log entries following it and reply." */
    uint32_t keep = s->log_len - last;
    memmove(&s->log[1], &s->log[last - s->snap_index + 1], keep * sizeof(raft_entry));
  } else {
    /* "7. Discard the entire log." */
    s->log_len = last;
  }
  s->log[0] = (raft_entry){.term = is->last_included_term};
  s->snap_index = last;
  s->snap_term = is->last_included_term;
  s->snap_kv = is->data;
  /* "8. Reset state machine using snapshot contents." */
  s->kv = is->data;
  s->last_applied = last;
  s->commit_index = last; /* above the old one: last > commit_index */
  raft_send_install_reply(n, from, &r);
}

void raft_on_install_reply(sim_node *n, raft_state *s, int from, const raft_install_reply *r) {
  if (s->role != ROLE_LEADER || r->term != s->current_term) return;
  if (r->match_index > s->match_index[from]) s->match_index[from] = r->match_index;
  s->next_index[from] = s->match_index[from] + 1;
  raft_advance_commit(n, s);
  if (s->next_index[from] <= s->log_len) raft_send_append(n, s, from);
}
