/*
 * solutions/13-raft/election.c: the reference leader election for lab 13, part (a).
 *
 * Section 5.2 of the paper: a follower that hears nothing from a leader for an election timeout
 * becomes a candidate in a new term, votes for itself and asks everyone else for a vote; a server
 * grants at most one vote per term, and only to a candidate whose log is at least as up-to-date
 * as its own (section 5.4.1); a candidate with votes from a majority leads that term. Terms are
 * the logical clock that makes stale leaders and stale votes harmless: every message carries one,
 * and a server that sees a newer term adopts it and steps down.
 */
#include "lab.h"

bool raft_observe_term(sim_node *n, raft_state *s, uint32_t term) {
  /* Figure 2, Rules for Servers: "If RPC request or response contains term T > currentTerm: set
   * currentTerm = T, convert to follower (section 5.1)". */
  if (term <= s->current_term) return false;
  s->current_term = term;
  s->voted_for = RAFT_NO_VOTE;
  s->votes = 0;
  s->leader_hint = -1;
  if (s->role != ROLE_FOLLOWER) raft_set_role(n, s, ROLE_FOLLOWER);
  return true;
}

bool raft_log_up_to_date(const raft_state *s, uint32_t last_log_term, uint32_t last_log_index) {
  /* Section 5.4.1: the later last term wins; with equal last terms, the longer log. */
  uint32_t my_term = raft_last_term(s);
  if (last_log_term != my_term) return last_log_term > my_term;
  return last_log_index >= raft_last_index(s);
}

void raft_on_election_timeout(sim_node *n, raft_state *s) {
  /* Figure 2, Candidates: "On conversion to candidate, start election: increment currentTerm,
   * vote for self, reset election timer, send RequestVote RPCs to all other servers". The reset
   * is protocol.c's: it armed the next timeout just before calling this, so no
   * raft_reset_election_timer here. */
  s->current_term++;
  s->voted_for = sim_self(n);
  s->votes = 1u << sim_self(n);
  s->leader_hint = -1;
  raft_set_role(n, s, ROLE_CANDIDATE);
  raft_request_vote rv = {.term = s->current_term,
                          .candidate = sim_self(n),
                          .last_log_index = raft_last_index(s),
                          .last_log_term = raft_last_term(s)};
  for (int i = 0; i < s->cfg.servers; i++)
    if (i != sim_self(n)) raft_send_request_vote(n, i, &rv);
}

void raft_on_request_vote(sim_node *n, raft_state *s, int from, const raft_request_vote *rv) {
  raft_vote_reply r = {.term = s->current_term, .vote_granted = 0};
  /* Figure 2, RequestVote receiver: "1. Reply false if term < currentTerm." */
  if (rv->term < s->current_term) {
    raft_send_vote_reply(n, from, &r);
    return;
  }
  /* "2. If votedFor is null or candidateId, and candidate's log is at least as up-to-date as
   * receiver's log, grant vote (sections 5.2, 5.4)." */
  if ((s->voted_for == RAFT_NO_VOTE || s->voted_for == rv->candidate) &&
      raft_log_up_to_date(s, rv->last_log_term, rv->last_log_index)) {
    s->voted_for = rv->candidate;
    r.vote_granted = 1;
    /* Followers: "If election timeout elapses without ... granting vote to candidate: convert
     * to candidate": granting a vote restarts the timeout. */
    raft_reset_election_timer(n, s);
  }
  raft_send_vote_reply(n, from, &r);
}

void raft_on_vote_reply(sim_node *n, raft_state *s, int from, const raft_vote_reply *r) {
  /* A vote counts only for the election it was given in: same term, still a candidate. */
  if (s->role != ROLE_CANDIDATE || r->term != s->current_term || !r->vote_granted) return;
  s->votes |= 1u << from; /* a bit per voter: a duplicated reply counts once */
  int count = 0;
  for (uint32_t v = s->votes; v; v &= v - 1) count++;
  /* Figure 2, Candidates: "If votes received from majority of servers: become leader." */
  if (count < raft_majority(s)) return;
  /* Figure 2, volatile state on leaders, "reinitialized after election": nextIndex = leader
   * last log index + 1, matchIndex = 0. */
  for (int i = 0; i < s->cfg.servers; i++) {
    s->next_index[i] = raft_last_index(s) + 1;
    s->match_index[i] = 0;
  }
  s->match_index[sim_self(n)] = raft_last_index(s);
  raft_set_role(n, s, ROLE_LEADER);
  sim_note(n, "leader of term %u with %d votes", s->current_term, count);
}
