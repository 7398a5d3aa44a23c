/*
 * exercises/13-raft/election.c: YOUR leader election for lab 13, part (a).
 *
 * Read book/13-raft.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=13
 * The tests name the rule that broke and print a command that replays the run in the viewer.
 * Helpers (lab.h): raft_last_index, raft_last_term, raft_majority, raft_set_role,
 * raft_reset_election_timer, raft_send_request_vote, raft_send_vote_reply; sim_self(n) is this
 * server's id and s->cfg.servers the number of servers (ids 0 .. s->cfg.servers - 1).
 * Figure 2 of the paper is the specification; lab.h quotes the rule each function implements.
 */
#include "lab.h"

bool raft_observe_term(sim_node *n, raft_state *s, uint32_t term) {
  (void)n;
  (void)s;
  (void)term;
  TODO("raft_observe_term: a term newer than currentTerm: adopt it, forget the vote, follow");
}

bool raft_log_up_to_date(const raft_state *s, uint32_t last_log_term, uint32_t last_log_index) {
  (void)s;
  (void)last_log_term;
  (void)last_log_index;
  TODO("raft_log_up_to_date: later last term wins; equal last terms: the longer log (5.4.1)");
}

void raft_on_election_timeout(sim_node *n, raft_state *s) {
  (void)n;
  (void)s;
  TODO("raft_on_election_timeout: new term, vote for self, become candidate, send RequestVote");
}

void raft_on_request_vote(sim_node *n, raft_state *s, int from, const raft_request_vote *rv) {
  (void)n;
  (void)s;
  (void)from;
  (void)rv;
  TODO("raft_on_request_vote: grant if term ok, not voted for another, log up-to-date; reply");
}

void raft_on_vote_reply(sim_node *n, raft_state *s, int from, const raft_vote_reply *r) {
  (void)n;
  (void)s;
  (void)from;
  (void)r;
  TODO("raft_on_vote_reply: count distinct votes of this term; at a majority become leader");
}
