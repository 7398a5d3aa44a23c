/*
 * tests/13-raft.c: lab 13's tests: leader election, log replication, persistence, and a
 * linearizable key-value service on top.
 *
 * One case per rule, in the order the chapter builds them. First the rules of Figure 2 one
 * function at a time, on a small world of three servers whose state we set by hand and whose
 * messages we watch (unit cases); then the scenarios (scenarios.c), each swept over seeds, with
 * the five properties of Figure 3 checked after every event. The scenario names follow the
 * purposes of MIT 6.5840's Raft tests (initial election, re-election, ... unreliable churn).
 */
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * A small world: servers n0, n1, n2 (no persistence, no clients). We set a server's state with
 * sim_state_mut, call one of your functions on it with sim_poke, and look at what it sent.
 */
typedef tap_sent sent; /* the last message sent (tests/tap.h) */

static sim_world *small_world(sent *seen, bool persist) {
  sim_world *w = sim_create(1);
  raft_config cfg = {.kind = NODE_SERVER, .servers = 3, .persist = persist,
                     .election_min = 150 * SIM_MS, .election_max = 300 * SIM_MS,
                     .heartbeat = 50 * SIM_MS};
  for (int i = 0; i < 3; i++) sim_add_node(w, &raft_protocol, &cfg, sizeof cfg);
  tap_watch_sends(w, seen);
  sim_start(w);
  return w;
}

static raft_state *st(sim_world *w, int i) { return sim_state_mut(w, i); }

/* Give server i a log of the given terms (log[1] = terms[0], ...), commands 1, 2, 3, ... */
static void set_log(sim_world *w, int i, const uint32_t *terms, uint32_t len) {
  raft_state *s = st(w, i);
  s->log_len = len;
  for (uint32_t k = 1; k <= len; k++)
    s->log[k] = (raft_entry){.term = terms[k - 1], .cmd = raft_value_cmd((int32_t)k)};
}

static void poke_vote(sim_node *n, void *state, void *arg) {
  raft_request_vote *rv = arg;
  raft_observe_term(n, state, rv->term);
  raft_on_request_vote(n, state, rv->candidate, rv);
}
static void poke_append(sim_node *n, void *state, void *arg) {
  raft_append_entries *ae = arg;
  raft_observe_term(n, state, ae->term);
  raft_on_append_entries(n, state, ae->leader, ae);
}
typedef struct reply_arg {
  int from;
  raft_vote_reply vote;
  raft_append_reply append;
} reply_arg;
static void poke_vote_reply(sim_node *n, void *state, void *arg) {
  reply_arg *a = arg;
  raft_observe_term(n, state, a->vote.term);
  raft_on_vote_reply(n, state, a->from, &a->vote);
}
static void poke_append_reply(sim_node *n, void *state, void *arg) {
  reply_arg *a = arg;
  raft_observe_term(n, state, a->append.term);
  raft_on_append_reply(n, state, a->from, &a->append);
}
static void poke_timeout(sim_node *n, void *state, void *arg) {
  (void)arg;
  raft_on_election_timeout(n, state);
}
static void poke_commit(sim_node *n, void *state, void *arg) {
  (void)arg;
  raft_advance_commit(n, state);
}
static void poke_persist(sim_node *n, void *state, void *arg) {
  (void)arg;
  raft_persist(n, state);
}
static void poke_restore(sim_node *n, void *state, void *arg) {
  (void)arg;
  raft_restore(n, state);
}

/* (a) raft_observe_term, raft_log_up_to_date. */
static void term_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  raft_state *s = st(w, 0);
  s->current_term = 3;
  s->voted_for = 0;
  s->role = ROLE_CANDIDATE;
  /* Step 1: a message of term 5 reaches the candidate n0 of term 3. */
  raft_request_vote rv = {.term = 5, .candidate = 1, .last_log_index = 0, .last_log_term = 0};
  sim_poke(w, 0, poke_vote, &rv);
  s = st(w, 0);
  tap_is_int(s->current_term, 5, "n0 (term 3) saw term 5: currentTerm becomes 5 (raft_observe_term)");
  tap_ok(s->role == ROLE_FOLLOWER, "n0 saw a newer term: it is a follower now (raft_observe_term: "
         "raft_set_role(FOLLOWER)); role is %d", (int)s->role);
  tap_is_int(s->voted_for, 1, "in its new term 5 n0 had not voted, so it votes for candidate n1 "
             "(raft_observe_term clears votedFor; raft_on_request_vote grants)");
  /* Step 2: up-to-date comparisons (section 5.4.1). */
  uint32_t terms[] = {1, 1, 2};
  set_log(w, 2, terms, 3);
  const raft_state *s2 = st(w, 2);
  tap_ok(raft_log_up_to_date(s2, 3, 1), "last term 3 beats n2's last term 2, even with a shorter "
         "log (raft_log_up_to_date: compare last terms first)");
  tap_ok(!raft_log_up_to_date(s2, 1, 9), "last term 1 loses to n2's last term 2, even with a "
         "longer log (raft_log_up_to_date)");
  tap_ok(raft_log_up_to_date(s2, 2, 3), "same last term 2, same length 3: at least as up-to-date");
  tap_ok(!raft_log_up_to_date(s2, 2, 2), "same last term 2, shorter (2 < 3): not up-to-date");
  sim_destroy(w);
}

/* (a) raft_on_request_vote. */
static void request_vote_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  uint32_t terms[] = {1, 2};
  set_log(w, 0, terms, 2);
  st(w, 0)->current_term = 2;
  /* A stale candidate (term 1) is refused. */
  raft_request_vote old = {.term = 1, .candidate = 1, .last_log_index = 5, .last_log_term = 2};
  sim_poke(w, 0, poke_vote, &old);
  raft_vote_reply *r = (void *)seen.body;
  tap_ok(seen.type == MSG_REQUEST_VOTE_REPLY && seen.to == 1 && !r->vote_granted && r->term == 2,
         "RequestVote of term 1 to n0 in term 2: refused, reply carries term 2 (rule 1: reply false "
         "if term < currentTerm)");
  /* A candidate whose log is behind is refused. */
  raft_request_vote behind = {.term = 3, .candidate = 1, .last_log_index = 9, .last_log_term = 1};
  sim_poke(w, 0, poke_vote, &behind);
  tap_ok(!r->vote_granted && st(w, 0)->voted_for == RAFT_NO_VOTE,
         "candidate n1 of term 3 with last entry term 1 (n0's is term 2): refused, no vote recorded "
         "(rule 2: only a candidate at least as up-to-date)");
  /* Up to date: granted; a second candidate in the same term: refused; the same one again: yes. */
  raft_request_vote good = {.term = 3, .candidate = 2, .last_log_index = 2, .last_log_term = 2};
  sim_poke(w, 0, poke_vote, &good);
  tap_ok(r->vote_granted && st(w, 0)->voted_for == 2 && seen.to == 2,
         "candidate n2 of term 3, log as up-to-date: granted, votedFor = 2");
  raft_request_vote other = {.term = 3, .candidate = 1, .last_log_index = 5, .last_log_term = 2};
  sim_poke(w, 0, poke_vote, &other);
  tap_ok(!r->vote_granted, "n1 asks in the same term 3 after n0 voted for n2: refused (one vote "
         "per term: votedFor is not null and not n1)");
  sim_poke(w, 0, poke_vote, &good);
  tap_ok(r->vote_granted, "n2 asks again in term 3 (a duplicate): granted again (votedFor is n2)");
  sim_destroy(w);
}

/* (a) raft_on_election_timeout and raft_on_vote_reply. */
static void election_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  uint32_t terms[] = {1, 1};
  set_log(w, 0, terms, 2);
  st(w, 0)->current_term = 4;
  int before = seen.count;
  sim_poke(w, 0, poke_timeout, NULL);
  raft_state *s = st(w, 0);
  tap_is_int(s->current_term, 5, "n0 in term 4 times out: term 5 (increment currentTerm)");
  tap_is_int(s->voted_for, 0, "n0 votes for itself (votedFor = 0)");
  tap_ok(s->role == ROLE_CANDIDATE, "n0 is a candidate (raft_set_role(CANDIDATE))");
  tap_is_int(seen.count - before, 2, "n0 sent one RequestVote to each of the 2 others");
  raft_request_vote *rv = (void *)seen.body;
  tap_ok(seen.type == MSG_REQUEST_VOTE && rv->term == 5 && rv->candidate == 0 &&
             rv->last_log_index == 2 && rv->last_log_term == 1,
         "the RequestVote carries term 5, candidate 0, last entry 2/1; got term %u cand %d last "
         "%u/%u", rv->term, (int)rv->candidate, rv->last_log_index, rv->last_log_term);
  /* A vote from an old term does not count; a refusal does not count. */
  reply_arg a = {.from = 1, .vote = {.term = 4, .vote_granted = 1}};
  sim_poke(w, 0, poke_vote_reply, &a);
  a.vote = (raft_vote_reply){.term = 5, .vote_granted = 0};
  sim_poke(w, 0, poke_vote_reply, &a);
  tap_ok(st(w, 0)->role == ROLE_CANDIDATE, "a granted vote of term 4 and a refusal of term 5: n0 "
         "is still a candidate (count only granted votes of the current term)");
  /* A granted vote of term 5 from n1: with its own, a majority of 3. */
  a.vote = (raft_vote_reply){.term = 5, .vote_granted = 1};
  sim_poke(w, 0, poke_vote_reply, &a);
  s = st(w, 0);
  tap_ok(s->role == ROLE_LEADER, "n0's own vote and n1's make 2 of 3: n0 leads");
  tap_ok(s->next_index[1] == 3 && s->next_index[2] == 3 && s->match_index[1] == 0,
         "a new leader sets nextIndex to last index + 1 (3) and matchIndex to 0 for the others; got "
         "next %u,%u match %u", s->next_index[1], s->next_index[2], s->match_index[1]);
  sim_destroy(w);
  /* Duplicates: the same voter twice is one vote (5 servers would need 3). */
  sent seen5 = {0};
  sim_world *w5 = sim_create(1);
  raft_config cfg = {.kind = NODE_SERVER, .servers = 5, .election_min = 150 * SIM_MS,
                     .election_max = 300 * SIM_MS, .heartbeat = 50 * SIM_MS};
  for (int i = 0; i < 5; i++) sim_add_node(w5, &raft_protocol, &cfg, sizeof cfg);
  tap_watch_sends(w5, &seen5);
  sim_start(w5);
  sim_poke(w5, 0, poke_timeout, NULL);
  reply_arg d = {.from = 1, .vote = {.term = st(w5, 0)->current_term, .vote_granted = 1}};
  sim_poke(w5, 0, poke_vote_reply, &d);
  sim_poke(w5, 0, poke_vote_reply, &d);
  tap_ok(st(w5, 0)->role == ROLE_CANDIDATE, "5 servers: n0's vote plus n1's vote delivered twice "
         "is 2 votes, not 3: still a candidate (count voters, not messages)");
  sim_destroy(w5);
}

/* (b) raft_on_append_entries: the consistency check and the backup hint. */
static void append_check_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  uint32_t terms[] = {1, 1, 2, 2, 2};
  set_log(w, 1, terms, 5);
  st(w, 1)->current_term = 3;
  raft_append_reply *r = (void *)seen.body;
  /* Stale leader. */
  raft_append_entries old = {.term = 2, .leader = 0, .prev_log_index = 5, .prev_log_term = 2};
  sim_poke(w, 1, poke_append, &old);
  tap_ok(seen.type == MSG_APPEND_REPLY && seen.to == 0 && !r->success && r->term == 3,
         "AppendEntries of term 2 to n1 in term 3: refused with term 3 (rule 1)");
  /* prevLogIndex beyond the log. */
  raft_append_entries far = {.term = 3, .leader = 0, .prev_log_index = 8, .prev_log_term = 3};
  sim_poke(w, 1, poke_append, &far);
  tap_ok(!r->success && r->conflict_term == 0 && r->conflict_index == 6,
         "prev 8/3 but n1's log ends at 5: refused, hint conflict_term 0, conflict_index 6 (log "
         "length + 1); got %u/%u", r->conflict_index, r->conflict_term);
  tap_is_int(st(w, 1)->leader_hint, 0, "a request of the current term names the leader: "
             "leader_hint = 0");
  /* prevLogTerm mismatch: hint is the first index of the conflicting term. */
  raft_append_entries wrong = {.term = 3, .leader = 0, .prev_log_index = 4, .prev_log_term = 3};
  sim_poke(w, 1, poke_append, &wrong);
  tap_ok(!r->success && r->conflict_term == 2 && r->conflict_index == 3,
         "prev 4/3 but n1 has term 2 at 4: refused, hint term 2, first index of term 2 = 3; got "
         "index %u term %u", r->conflict_index, r->conflict_term);
  tap_is_int(st(w, 1)->log_len, 5, "a refused request leaves the log alone (5 entries)");
  sim_destroy(w);
}

/* (b) raft_on_append_entries: truncation only on conflict, append, commit. */
static void append_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  uint32_t terms[] = {1, 1, 2, 2};
  set_log(w, 1, terms, 4);
  st(w, 1)->current_term = 3;
  raft_append_reply *r = (void *)seen.body;
  /* Entries 2..3 again (a late duplicate): nothing may be cut, entry 4 stays. */
  raft_append_entries dup = {.term = 3, .leader = 0, .prev_log_index = 1, .prev_log_term = 1,
                             .leader_commit = 2, .n_entries = 2};
  dup.entries[0] = st(w, 1)->log[2];
  dup.entries[1] = st(w, 1)->log[3];
  sim_poke(w, 1, poke_append, &dup);
  tap_ok(r->success && r->match_index == 3, "matching entries 2..3 again: success, match_index 3 "
         "(prev 1 + 2 entries); got success %d match %u", (int)r->success, r->match_index);
  tap_is_int(st(w, 1)->log_len, 4, "entry 4 survives a request that only repeats 2..3 (rule 3 "
             "deletes only on a conflict: a late request must not cut the log)");
  tap_is_int(st(w, 1)->commit_index, 2, "leaderCommit 2: commitIndex = min(2, 3) = 2 (rule 5)");
  /* A conflict at 3: entries 3 and 4 go, the new ones come in. */
  raft_append_entries fix = {.term = 3, .leader = 0, .prev_log_index = 2, .prev_log_term = 1,
                             .leader_commit = 9, .n_entries = 1};
  fix.entries[0] = (raft_entry){.term = 3, .cmd = raft_value_cmd(77)};
  sim_poke(w, 1, poke_append, &fix);
  const raft_state *s = st(w, 1);
  tap_ok(s->log_len == 3 && s->log[3].term == 3 && s->log[3].cmd.value == 77,
         "new entry {term 3: 77} at 3 conflicts with {term 2}: log becomes 1,1,3 (length 3); got "
         "length %u, log[3] term %u", s->log_len, s->log[3].term);
  tap_is_int(s->commit_index, 3, "leaderCommit 9 but last new entry 3: commitIndex = 3 (rule 5: "
             "min(leaderCommit, index of last new entry))");
  /* A late request that repeats only entry 2, with leaderCommit 9: rule 5 read literally gives
   * min(9, 2) = 2, below commitIndex 3; commitIndex never goes back. */
  raft_append_entries late = {.term = 3, .leader = 0, .prev_log_index = 1, .prev_log_term = 1,
                              .leader_commit = 9, .n_entries = 1};
  late.entries[0] = st(w, 1)->log[2];
  sim_poke(w, 1, poke_append, &late);
  s = st(w, 1);
  tap_ok(r->success && s->commit_index == 3 && s->log_len == 3,
         "a late request repeating entry 2 (leaderCommit 9): success, commitIndex stays 3 and the "
         "log 3 entries; expected success 1, commit 3, length 3, got success %d, commit %u, length "
         "%u (rule 5's min(9, 2) = 2 is below commitIndex: raise it only, never lower it, in "
         "raft_on_append_entries)", (int)r->success, s->commit_index, s->log_len);
  sim_destroy(w);
}

/* (b) raft_advance_commit, raft_on_append_reply, raft_start. */
static void leader_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  uint32_t terms[] = {1, 2, 2};
  set_log(w, 0, terms, 3);
  raft_state *s = st(w, 0);
  s->current_term = 3;
  s->role = ROLE_LEADER;
  for (int i = 0; i < 3; i++) s->next_index[i] = 4;
  s->match_index[0] = 3;
  /* Figure 8: entries of term 2 on a majority are not committed by a term-3 leader. */
  s->match_index[1] = 3;
  sim_poke(w, 0, poke_commit, NULL);
  tap_is_int(st(w, 0)->commit_index, 0, "leader of term 3, entries 1..3 of terms 1,2,2 on 2 of 3 "
             "servers: commitIndex stays 0 (log[N].term == currentTerm: Figure 8)");
  /* raft_start appends an entry of term 3 and sends it. */
  int before = seen.count;
  uint32_t idx = raft_submit(w, 0, raft_value_cmd(40));
  tap_is_int(idx, 4, "raft_start on the leader returns the new index, 4");
  tap_is_int(seen.count - before, 2, "raft_start sends AppendEntries to both others at once");
  raft_append_entries *ae = (void *)seen.body;
  tap_ok(ae->prev_log_index == 3 && ae->prev_log_term == 2 && ae->n_entries == 1 &&
             ae->entries[0].term == 3,
         "AppendEntries from nextIndex 4: prev 3/2, one entry of term 3; got prev %u/%u, %u "
         "entries", ae->prev_log_index, ae->prev_log_term, ae->n_entries);
  /* n1 acknowledges index 4: a majority holds an entry of term 3, so 1..4 commit. */
  reply_arg a = {.from = 1, .append = {.term = 3, .success = 1, .match_index = 4}};
  sim_poke(w, 0, poke_append_reply, &a);
  s = st(w, 0);
  tap_ok(s->match_index[1] == 4 && s->next_index[1] == 5, "n1 acknowledged up to 4: matchIndex 4, "
         "nextIndex 5; got %u, %u", s->match_index[1], s->next_index[1]);
  tap_is_int(s->commit_index, 4, "entry 4 (term 3) on 2 of 3: commitIndex 4, and with it 1..3");
  /* A late reply with a smaller match does not lower matchIndex. */
  a.append.match_index = 2;
  sim_poke(w, 0, poke_append_reply, &a);
  tap_is_int(st(w, 0)->match_index[1], 4, "a reordered older reply (match 2) leaves matchIndex 4");
  /* A refusal with a hint backs nextIndex up past the whole conflicting term. */
  a.from = 2;
  a.append = (raft_append_reply){.term = 3, .success = 0, .conflict_index = 2, .conflict_term = 2};
  sim_poke(w, 0, poke_append_reply, &a);
  tap_is_int(st(w, 0)->next_index[2], 4, "n2 refused with conflict term 2: the leader's last entry "
             "of term 2 is 3, so nextIndex = 4");
  a.append = (raft_append_reply){.term = 3, .success = 0, .conflict_index = 2, .conflict_term = 7};
  sim_poke(w, 0, poke_append_reply, &a);
  tap_is_int(st(w, 0)->next_index[2], 2, "n2 refused with conflict term 7, which the leader does "
             "not have: nextIndex = conflict_index 2");
  sim_destroy(w);
}

/* (c) raft_persist and raft_restore. */
static void persist_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, true);
  uint32_t terms[] = {1, 3, 3};
  set_log(w, 0, terms, 3);
  st(w, 0)->current_term = 4;
  st(w, 0)->voted_for = 2;
  sim_poke(w, 0, poke_persist, NULL);
  const raft_stable *d = sim_stable(w, 0);
  tap_ok(d->current_term == 4 && d->voted_for_plus_one == 3 && d->log_len == 3 &&
             d->log[2].term == 3 && d->log[3].cmd.value == 3,
         "on disk after raft_persist: term 4, votedFor+1 = 3, 3 entries; got term %u, vote+1 %d, "
         "len %u", d->current_term, (int)d->voted_for_plus_one, d->log_len);
  /* Wipe the memory, restore. */
  raft_state *s = st(w, 0);
  s->current_term = 0;
  s->voted_for = RAFT_NO_VOTE;
  s->log_len = 0;
  memset(s->log, 0, sizeof s->log);
  sim_poke(w, 0, poke_restore, NULL);
  s = st(w, 0);
  tap_ok(s->current_term == 4 && s->voted_for == 2 && s->log_len == 3 && s->log[2].term == 3 &&
             s->log[3].cmd.value == 3,
         "raft_restore gives back term 4, votedFor 2, the 3 entries; got term %u, vote %d, len %u",
         s->current_term, (int)s->voted_for, s->log_len);
  /* A fresh disk: nothing voted. */
  sim_poke(w, 1, poke_restore, NULL);
  tap_ok(st(w, 1)->voted_for == RAFT_NO_VOTE && st(w, 1)->log_len == 0,
         "a disk never written restores as votedFor none (-1) and an empty log; got vote %d",
         (int)st(w, 1)->voted_for);
  sim_destroy(w);
}

/* A scenario over seeds. */
typedef struct sweep_arg {
  const char *scenario;
  uint64_t first, last;
} sweep_arg;

static void sweep(void *arg) {
  const sweep_arg *a = arg;
  tap_sweep(&lab13, a->scenario, a->first, a->last, NULL, NULL);
}

#define SWEEP(name, scenario, seeds)                                                               \
  do {                                                                                             \
    static const sweep_arg a = {scenario, 1, seeds};                                               \
    tap_case(name " (" #seeds " seeds)", sweep, (void *)&a);                                       \
  } while (0)

int main(void) {
  tap_case("a. a newer term: adopt it, follow; up-to-date logs (5.4.1)", term_rules, NULL);
  tap_case("a. RequestVote: stale term, one vote per term, log restriction", request_vote_rules,
           NULL);
  tap_case("a. election timeout starts an election; a majority of distinct votes leads",
           election_rules, NULL);
  SWEEP("a. initial election", "initial-election", 30);
  SWEEP("a. re-election", "re-election", 20);
  SWEEP("a. many elections", "many-elections", 10);
  tap_case("b. AppendEntries: stale term, consistency check, backup hint", append_check_rules, NULL);
  tap_case("b. AppendEntries: cut only on conflict, append, commit = min(...)", append_rules, NULL);
  tap_case("b. leader: start, matchIndex, commit only current-term entries, back up", leader_rules,
           NULL);
  SWEEP("b. basic agreement", "basic-agree", 20);
  SWEEP("b. RPC byte count", "rpc-bytes", 10);
  SWEEP("b. follower failure", "follower-failure", 20);
  SWEEP("b. leader failure", "leader-failure", 20);
  SWEEP("b. fail no agree", "fail-no-agree", 20);
  SWEEP("b. concurrent starts", "concurrent-starts", 20);
  SWEEP("b. rejoin", "rejoin", 20);
  SWEEP("b. backup", "backup", 10);
  SWEEP("b. RPC counts", "count", 20);
  tap_case("c. persist and restore: term, vote, log", persist_rules, NULL);
  SWEEP("c. persist 1: crash and restart all, leader, follower", "persist1", 20);
  SWEEP("c. persist 2: majorities and minorities crash", "persist2", 10);
  SWEEP("c. persist 3: partitioned leader and follower crash", "persist3", 20);
  SWEEP("c. Figure 8", "figure8", 20);
  SWEEP("c. unreliable agreement", "unreliable-agree", 10);
  SWEEP("c. Figure 8 unreliable", "figure8-unreliable", 20);
  SWEEP("c. reliable churn", "reliable-churn", 20);
  SWEEP("c. unreliable churn", "unreliable-churn", 20);
  SWEEP("kv. linearizable key-value service", "kv", 20);
  SWEEP("kv. linearizable under crashes, cut-offs and loss", "kv-faults", 20);
  SWEEP("d. basic snapshots: the log stays bounded", "snapshot-basic", 3);
  SWEEP("d. install snapshots (disconnect)", "snapshot-install", 10);
  SWEEP("d. install snapshots (disconnect, unreliable)", "snapshot-install-unreliable", 10);
  SWEEP("d. install snapshots (crash)", "snapshot-install-crash", 10);
  SWEEP("d. install snapshots (unreliable crash)", "snapshot-install-uncrash", 10);
  SWEEP("d. crash and restart all servers with snapshots", "snapshot-all-crash", 10);
  SWEEP("d. init from a snapshot", "snapshot-init", 10);
  SWEEP("d. linearizable key-value service with snapshots", "kv-snapshot", 10);
  return tap_done();
}
