/*
 * solutions/13-raft/replication.c: the reference log replication for lab 13, part (b).
 *
 * Section 5.3 of the paper: the leader appends a client's command to its log and sends it to
 * every server in AppendEntries; each request names the entry just before the new ones (index and
 * term), and a follower accepts only if its own log has that entry, so by induction an accepted
 * log matches the leader's up to the new entries (the Log Matching Property). When a follower
 * refuses, the leader backs up nextIndex and tries again; the reply's conflict hint lets it skip
 * a whole term at a time. An entry is committed once a majority stores it, but a leader counts
 * replicas only for entries of its own term (section 5.4.2, Figure 8).
 */
#include "lab.h"

uint32_t raft_start(sim_node *n, raft_state *s, raft_command cmd) {
  if (s->role != ROLE_LEADER || raft_log_count(s) >= RAFT_LOG_CAP) return 0;
  /* Figure 2, Leaders: "If command received from client: append entry to local log, respond
   * after entry applied to state machine (section 5.3)". */
  s->log_len++;
  *raft_entry_at(s, s->log_len) = (raft_entry){.term = s->current_term, .cmd = cmd};
  s->match_index[sim_self(n)] = s->log_len;
  for (int i = 0; i < s->cfg.servers; i++)
    if (i != sim_self(n)) raft_send_append(n, s, i);
  raft_advance_commit(n, s); /* commits at once only when the leader alone is a majority */
  return s->log_len;
}

void raft_send_append(sim_node *n, raft_state *s, int peer) {
  uint32_t next = s->next_index[peer];
  if (next < 1) next = 1;
  if (next > s->log_len + 1) next = s->log_len + 1;
  /* Part (d): entries up to snap_index are gone; the peer gets the snapshot (section 7). */
  if (next <= s->snap_index) {
    raft_send_snapshot(n, s, peer);
    return;
  }
  raft_append_entries ae = {.term = s->current_term,
                            .leader = sim_self(n),
                            .prev_log_index = next - 1,
                            .prev_log_term = raft_term_at(s, next - 1),
                            .leader_commit = s->commit_index};
  /* Figure 2, Leaders: "If last log index >= nextIndex for a follower: send AppendEntries RPC
   * with log entries starting at nextIndex"; otherwise this is a heartbeat. */
  for (uint32_t i = next; i <= s->log_len && ae.n_entries < RAFT_MAX_BATCH; i++)
    ae.entries[ae.n_entries++] = *raft_entry_at(s, i);
  raft_send_append_entries(n, peer, &ae);
}

void raft_on_append_entries(sim_node *n, raft_state *s, int from, const raft_append_entries *ae) {
  raft_append_reply r = {.term = s->current_term};
  /* Receiver: "1. Reply false if term < currentTerm (section 5.1)." */
  if (ae->term < s->current_term) {
    raft_send_append_reply(n, from, &r);
    return;
  }
  /* The current term's leader: a candidate steps down; everyone restarts its timeout. */
  if (s->role != ROLE_FOLLOWER) raft_set_role(n, s, ROLE_FOLLOWER);
  s->leader_hint = ae->leader;
  raft_reset_election_timer(n, s);
  /* "2. Reply false if log doesn't contain an entry at prevLogIndex whose term matches
   * prevLogTerm (section 5.3)", with a hint for backing up a term at a time. */
  if (ae->prev_log_index > s->log_len) {
    r.conflict_term = 0;
    r.conflict_index = s->log_len + 1;
    raft_send_append_reply(n, from, &r);
    return;
  }
  /* Part (d): an index at or below snap_index is in the snapshot, so committed: it matches
   * (snap_index itself has snap_term to compare). */
  if (ae->prev_log_index >= s->snap_index &&
      raft_term_at(s, ae->prev_log_index) != ae->prev_log_term) {
    r.conflict_term = raft_term_at(s, ae->prev_log_index);
    uint32_t first = ae->prev_log_index;
    while (first > s->snap_index + 1 && raft_term_at(s, first - 1) == r.conflict_term) first--;
    r.conflict_index = first;
    raft_send_append_reply(n, from, &r);
    return;
  }
  /* "3. If an existing entry conflicts with a new one (same index but different terms), delete
   * the existing entry and all that follow it (section 5.3). 4. Append any new entries not
   * already in the log." Matching entries stay: this request may be older than one already
   * applied here, and cutting the log back would lose what that one added. */
  uint32_t index = ae->prev_log_index;
  for (uint32_t k = 0; k < ae->n_entries && k < RAFT_MAX_BATCH; k++) {
    index++;
    if (index <= s->snap_index) continue; /* in the snapshot: committed, so it matches */
    if (index <= s->log_len) {
      if (raft_term_at(s, index) == ae->entries[k].term) continue;
      s->log_len = index - 1; /* the conflict and all that follow it */
    }
    if (index - s->snap_index > RAFT_LOG_CAP) break;
    s->log_len = index;
    *raft_entry_at(s, index) = ae->entries[k];
  }
  uint32_t last_new = ae->prev_log_index + ae->n_entries;
  if (last_new > s->log_len) last_new = s->log_len;
  /* "5. If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new
   * entry)." Only ever upward: on a late request the last new entry can be below commitIndex,
   * and what a server once knew committed stays committed. */
  uint32_t commit = ae->leader_commit < last_new ? ae->leader_commit : last_new;
  if (commit > s->commit_index) s->commit_index = commit;
  r.success = 1;
  r.match_index = last_new;
  raft_send_append_reply(n, from, &r);
}

void raft_on_append_reply(sim_node *n, raft_state *s, int from, const raft_append_reply *r) {
  /* A reply from an earlier term, or to a leader that has since stepped down, says nothing. */
  if (s->role != ROLE_LEADER || r->term != s->current_term) return;
  if (r->success) {
    /* Figure 2, Leaders: "If successful: update nextIndex and matchIndex for follower". Replies
     * arrive out of order: matchIndex only grows. */
    if (r->match_index > s->match_index[from]) s->match_index[from] = r->match_index;
    s->next_index[from] = s->match_index[from] + 1;
    raft_advance_commit(n, s);
    if (s->next_index[from] <= s->log_len) raft_send_append(n, s, from); /* more to send */
    return;
  }
  /* "If AppendEntries fails because of log inconsistency: decrement nextIndex and retry", a term
   * at a time with the follower's hint (section 5.3). */
  uint32_t next = r->conflict_index;
  if (r->conflict_term) {
    for (uint32_t i = s->log_len; i > s->snap_index; i--) {
      if (raft_term_at(s, i) == r->conflict_term) {
        next = i + 1;
        break;
      }
      if (raft_term_at(s, i) < r->conflict_term) break;
    }
  }
  if (next < 1) next = 1;
  if (next > s->log_len + 1) next = s->log_len + 1;
  if (next <= s->match_index[from]) next = s->match_index[from] + 1; /* a stale refusal */
  s->next_index[from] = next;
  raft_send_append(n, s, from);
}

void raft_advance_commit(sim_node *n, raft_state *s) {
  (void)n;
  /* Figure 2, Leaders: "If there exists an N such that N > commitIndex, a majority of
   * matchIndex[i] >= N, and log[N].term == currentTerm: set commitIndex = N (sections 5.3,
   * 5.4)." Try from the top down: the first N that qualifies is the highest. */
  for (uint32_t N = s->log_len; N > s->commit_index; N--) {
    if (raft_term_at(s, N) != s->current_term) break; /* earlier entries have earlier terms */
    int count = 0;
    for (int i = 0; i < s->cfg.servers; i++) count += s->match_index[i] >= N;
    if (count >= raft_majority(s)) {
      s->commit_index = N;
      break;
    }
  }
}
