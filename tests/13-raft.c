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
  raft_config cfg = {.kind = NODE_SERVER,
                     .servers = 3,
                     .persist = persist,
                     .election_min = 150 * SIM_MS,
                     .election_max = 300 * SIM_MS,
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
  tap_is_int(s->current_term, 5,
             "n0 (term 3) saw term 5: currentTerm becomes 5 (raft_observe_term)");
  tap_ok(s->role == ROLE_FOLLOWER,
         "n0 saw a newer term: it is a follower now (raft_observe_term: "
         "raft_set_role(FOLLOWER)); role is %d",
         (int)s->role);
  tap_is_int(s->voted_for, 1,
             "in its new term 5 n0 had not voted, so it votes for candidate n1 "
             "(raft_observe_term clears votedFor; raft_on_request_vote grants)");
  /* Step 2: up-to-date comparisons (section 5.4.1). */
  uint32_t terms[] = {1, 1, 2};
  set_log(w, 2, terms, 3);
  const raft_state *s2 = st(w, 2);
  tap_ok(raft_log_up_to_date(s2, 3, 1),
         "last term 3 beats n2's last term 2, even with a shorter "
         "log (raft_log_up_to_date: compare last terms first)");
  tap_ok(!raft_log_up_to_date(s2, 1, 9),
         "last term 1 loses to n2's last term 2, even with a "
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
  tap_ok(
      seen.type == MSG_REQUEST_VOTE_REPLY && seen.to == 1 && !r->vote_granted && r->term == 2,
      "RequestVote of term 1 to n0 in term 2: refused, reply carries term 2 (rule 1: reply false "
      "if term < currentTerm)");
  /* A candidate whose log is behind is refused. */
  raft_request_vote behind = {.term = 3, .candidate = 1, .last_log_index = 9, .last_log_term = 1};
  sim_poke(w, 0, poke_vote, &behind);
  tap_ok(
      !r->vote_granted && st(w, 0)->voted_for == RAFT_NO_VOTE,
      "candidate n1 of term 3 with last entry term 1 (n0's is term 2): refused, no vote recorded "
      "(rule 2: only a candidate at least as up-to-date)");
  /* Up to date: granted; a second candidate in the same term: refused; the same one again: yes. */
  raft_request_vote good = {.term = 3, .candidate = 2, .last_log_index = 2, .last_log_term = 2};
  sim_poke(w, 0, poke_vote, &good);
  tap_ok(r->vote_granted && st(w, 0)->voted_for == 2 && seen.to == 2,
         "candidate n2 of term 3, log as up-to-date: granted, votedFor = 2");
  raft_request_vote other = {.term = 3, .candidate = 1, .last_log_index = 5, .last_log_term = 2};
  sim_poke(w, 0, poke_vote, &other);
  tap_ok(!r->vote_granted,
         "n1 asks in the same term 3 after n0 voted for n2: refused (one vote "
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
         "%u/%u",
         rv->term, (int)rv->candidate, rv->last_log_index, rv->last_log_term);
  /* A vote from an old term does not count; a refusal does not count. */
  reply_arg a = {.from = 1, .vote = {.term = 4, .vote_granted = 1}};
  sim_poke(w, 0, poke_vote_reply, &a);
  a.vote = (raft_vote_reply){.term = 5, .vote_granted = 0};
  sim_poke(w, 0, poke_vote_reply, &a);
  tap_ok(st(w, 0)->role == ROLE_CANDIDATE,
         "a granted vote of term 4 and a refusal of term 5: n0 "
         "is still a candidate (count only granted votes of the current term)");
  /* A granted vote of term 5 from n1: with its own, a majority of 3. */
  a.vote = (raft_vote_reply){.term = 5, .vote_granted = 1};
  sim_poke(w, 0, poke_vote_reply, &a);
  s = st(w, 0);
  tap_ok(s->role == ROLE_LEADER, "n0's own vote and n1's make 2 of 3: n0 leads");
  tap_ok(
      s->next_index[1] == 3 && s->next_index[2] == 3 && s->match_index[1] == 0,
      "a new leader sets nextIndex to last index + 1 (3) and matchIndex to 0 for the others; got "
      "next %u,%u match %u",
      s->next_index[1], s->next_index[2], s->match_index[1]);
  sim_destroy(w);
  /* Duplicates: the same voter twice is one vote (5 servers would need 3). */
  sent seen5 = {0};
  sim_world *w5 = sim_create(1);
  raft_config cfg = {.kind = NODE_SERVER,
                     .servers = 5,
                     .election_min = 150 * SIM_MS,
                     .election_max = 300 * SIM_MS,
                     .heartbeat = 50 * SIM_MS};
  for (int i = 0; i < 5; i++) sim_add_node(w5, &raft_protocol, &cfg, sizeof cfg);
  tap_watch_sends(w5, &seen5);
  sim_start(w5);
  sim_poke(w5, 0, poke_timeout, NULL);
  reply_arg d = {.from = 1, .vote = {.term = st(w5, 0)->current_term, .vote_granted = 1}};
  sim_poke(w5, 0, poke_vote_reply, &d);
  sim_poke(w5, 0, poke_vote_reply, &d);
  tap_ok(st(w5, 0)->role == ROLE_CANDIDATE,
         "5 servers: n0's vote plus n1's vote delivered twice "
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
         "length + 1); got %u/%u",
         r->conflict_index, r->conflict_term);
  tap_is_int(st(w, 1)->leader_hint, 0,
             "a request of the current term names the leader: "
             "leader_hint = 0");
  /* prevLogTerm mismatch: hint is the first index of the conflicting term. */
  raft_append_entries wrong = {.term = 3, .leader = 0, .prev_log_index = 4, .prev_log_term = 3};
  sim_poke(w, 1, poke_append, &wrong);
  tap_ok(!r->success && r->conflict_term == 2 && r->conflict_index == 3,
         "prev 4/3 but n1 has term 2 at 4: refused, hint term 2, first index of term 2 = 3; got "
         "index %u term %u",
         r->conflict_index, r->conflict_term);
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
  raft_append_entries dup = {.term = 3,
                             .leader = 0,
                             .prev_log_index = 1,
                             .prev_log_term = 1,
                             .leader_commit = 2,
                             .n_entries = 2};
  dup.entries[0] = st(w, 1)->log[2];
  dup.entries[1] = st(w, 1)->log[3];
  sim_poke(w, 1, poke_append, &dup);
  tap_ok(r->success && r->match_index == 3,
         "matching entries 2..3 again: success, match_index 3 "
         "(prev 1 + 2 entries); got success %d match %u",
         (int)r->success, r->match_index);
  tap_is_int(st(w, 1)->log_len, 4,
             "entry 4 survives a request that only repeats 2..3 (rule 3 "
             "deletes only on a conflict: a late request must not cut the log)");
  tap_is_int(st(w, 1)->commit_index, 2, "leaderCommit 2: commitIndex = min(2, 3) = 2 (rule 5)");
  /* A conflict at 3: entries 3 and 4 go, the new ones come in. */
  raft_append_entries fix = {.term = 3,
                             .leader = 0,
                             .prev_log_index = 2,
                             .prev_log_term = 1,
                             .leader_commit = 9,
                             .n_entries = 1};
  fix.entries[0] = (raft_entry){.term = 3, .cmd = raft_value_cmd(77)};
  sim_poke(w, 1, poke_append, &fix);
  const raft_state *s = st(w, 1);
  tap_ok(s->log_len == 3 && s->log[3].term == 3 && s->log[3].cmd.value == 77,
         "new entry {term 3: 77} at 3 conflicts with {term 2}: log becomes 1,1,3 (length 3); got "
         "length %u, log[3] term %u",
         s->log_len, s->log[3].term);
  tap_is_int(s->commit_index, 3,
             "leaderCommit 9 but last new entry 3: commitIndex = 3 (rule 5: "
             "min(leaderCommit, index of last new entry))");
  /* A late request that repeats only entry 2, with leaderCommit 9: rule 5 read literally gives
   * min(9, 2) = 2, below commitIndex 3; commitIndex never goes back. */
  raft_append_entries late = {.term = 3,
                              .leader = 0,
                              .prev_log_index = 1,
                              .prev_log_term = 1,
                              .leader_commit = 9,
                              .n_entries = 1};
  late.entries[0] = st(w, 1)->log[2];
  sim_poke(w, 1, poke_append, &late);
  s = st(w, 1);
  tap_ok(r->success && s->commit_index == 3 && s->log_len == 3,
         "a late request repeating entry 2 (leaderCommit 9): success, commitIndex stays 3 and the "
         "log 3 entries; expected success 1, commit 3, length 3, got success %d, commit %u, length "
         "%u (rule 5's min(9, 2) = 2 is below commitIndex: raise it only, never lower it, in "
         "raft_on_append_entries)",
         (int)r->success, s->commit_index, s->log_len);
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
  tap_is_int(st(w, 0)->commit_index, 0,
             "leader of term 3, entries 1..3 of terms 1,2,2 on 2 of 3 "
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
         "entries",
         ae->prev_log_index, ae->prev_log_term, ae->n_entries);
  /* n1 acknowledges index 4: a majority holds an entry of term 3, so 1..4 commit. */
  reply_arg a = {.from = 1, .append = {.term = 3, .success = 1, .match_index = 4}};
  sim_poke(w, 0, poke_append_reply, &a);
  s = st(w, 0);
  tap_ok(s->match_index[1] == 4 && s->next_index[1] == 5,
         "n1 acknowledged up to 4: matchIndex 4, "
         "nextIndex 5; got %u, %u",
         s->match_index[1], s->next_index[1]);
  tap_is_int(s->commit_index, 4, "entry 4 (term 3) on 2 of 3: commitIndex 4, and with it 1..3");
  /* A late reply with a smaller match does not lower matchIndex. */
  a.append.match_index = 2;
  sim_poke(w, 0, poke_append_reply, &a);
  tap_is_int(st(w, 0)->match_index[1], 4, "a reordered older reply (match 2) leaves matchIndex 4");
  /* A refusal with a hint backs nextIndex up past the whole conflicting term. */
  a.from = 2;
  a.append = (raft_append_reply){.term = 3, .success = 0, .conflict_index = 2, .conflict_term = 2};
  sim_poke(w, 0, poke_append_reply, &a);
  tap_is_int(st(w, 0)->next_index[2], 4,
             "n2 refused with conflict term 2: the leader's last entry "
             "of term 2 is 3, so nextIndex = 4");
  a.append = (raft_append_reply){.term = 3, .success = 0, .conflict_index = 2, .conflict_term = 7};
  sim_poke(w, 0, poke_append_reply, &a);
  tap_is_int(st(w, 0)->next_index[2], 2,
             "n2 refused with conflict term 7, which the leader does "
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
         "len %u",
         d->current_term, (int)d->voted_for_plus_one, d->log_len);
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

/* (d) Pokes for part (d): the service's snapshot, the leader's send, InstallSnapshot and its reply.
 */
typedef struct snap_arg {
  uint32_t index;
  raft_kv state;
} snap_arg;
static void poke_snapshot(sim_node *n, void *state, void *arg) {
  snap_arg *a = arg;
  raft_snapshot(n, state, a->index, &a->state);
}
static void poke_send_append(sim_node *n, void *state, void *arg) {
  raft_send_append(n, state, *(int *)arg);
}
static void poke_install(sim_node *n, void *state, void *arg) {
  raft_install_snapshot *is = arg;
  raft_observe_term(n, state, is->term);
  raft_on_install_snapshot(n, state, is->leader, is);
}
typedef struct install_reply_arg {
  int from;
  raft_install_reply r;
} install_reply_arg;
static void poke_install_reply(sim_node *n, void *state, void *arg) {
  install_reply_arg *a = arg;
  raft_observe_term(n, state, a->r.term);
  raft_on_install_reply(n, state, a->from, &a->r);
}

/* A store whose key 0 holds v: the snapshots below carry it so a test can tell them apart. */
static raft_kv kv_with(int32_t v) {
  raft_kv kv = {0};
  kv.value[0] = v;
  return kv;
}

/* (d) raft_snapshot: the index math of compaction. */
static void snapshot_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  /* Step 1: n0 (term 5) holds entries 1..5 of terms 1,1,2,2,3, with 1..4 applied. */
  uint32_t terms[] = {1, 1, 2, 2, 3};
  set_log(w, 0, terms, 5);
  raft_state *s = st(w, 0);
  s->current_term = 5;
  s->commit_index = 4;
  s->last_applied = 4;
  /* Step 2: the service snapshots at index 3 (its store holds 33 in key 0). */
  snap_arg a = {.index = 3, .state = kv_with(33)};
  sim_poke(w, 0, poke_snapshot, &a);
  s = st(w, 0);
  tap_ok(s->snap_index == 3 && s->snap_term == 2,
         "snapshot at 3 of a log of terms 1,1,2,2,3 in term 5: expected snap_index 3, snap_term 2 "
         "(the term of entry 3, not currentTerm 5), got snap_index %u, snap_term %u (section 7, "
         "Figure 12: lastIncludedIndex and lastIncludedTerm; raft_snapshot)",
         s->snap_index, s->snap_term);
  tap_ok(s->log_len == 5 && raft_log_count(s) == 2 && s->log[0].term == 2,
         "after the snapshot at 3: expected log_len 5 (absolute), 2 entries held, the sentinel "
         "log[0] of term 2 (entry 3, which the snapshot replaces); got log_len %u, %u held, "
         "log[0].term %u (raft_snapshot)",
         s->log_len, raft_log_count(s), s->log[0].term);
  tap_ok(s->log[1].term == 2 && s->log[1].cmd.value == 4 && s->log[2].term == 3 &&
             s->log[2].cmd.value == 5,
         "the entries after 3 stay: expected log[1] = entry 4 {term 2: 4}, log[2] = entry 5 "
         "{term 3: 5}; got {term %u: %d}, {term %u: %d} (section 7: discard only the entries the "
         "snapshot covers; raft_snapshot)",
         s->log[1].term, (int)s->log[1].cmd.value, s->log[2].term, (int)s->log[2].cmd.value);
  tap_is_int(s->snap_kv.value[0], 33,
             "the snapshot keeps the service's state: snap_kv key 0 "
             "(raft_snapshot: snap_kv = *state)");
  tap_ok(raft_term_at(s, 3) == 2 && raft_term_at(s, 5) == 3 && raft_term_at(s, 2) == 0 &&
             raft_entry_at(s, 4) == &s->log[1],
         "with the offset: expected raft_term_at 3 -> 2, 5 -> 3, 2 -> 0 (discarded), entry 4 at "
         "log[1]; got %u, %u, %u (raft_term_at, raft_entry_at)",
         raft_term_at(s, 3), raft_term_at(s, 5), raft_term_at(s, 2));
  /* Step 3: a snapshot of an older index, or of an entry not yet applied, changes nothing. */
  a = (snap_arg){.index = 2, .state = kv_with(22)};
  sim_poke(w, 0, poke_snapshot, &a);
  a = (snap_arg){.index = 5, .state = kv_with(55)};
  sim_poke(w, 0, poke_snapshot, &a);
  s = st(w, 0);
  tap_ok(s->snap_index == 3 && s->snap_kv.value[0] == 33 && raft_log_count(s) == 2,
         "snapshots at 2 (older than 3) and at 5 (not applied: last_applied 4) are ignored: "
         "expected snap_index 3, snap_kv 33, 2 entries held; got %u, %d, %u (section 7: snapshot "
         "only applied entries, never move back; raft_snapshot)",
         s->snap_index, (int)s->snap_kv.value[0], raft_log_count(s));
  /* Step 4: a second snapshot at 4, from a log already compacted. The slots past the entries
   * held are not the log any more: scribble on them, so reading log[index] instead of
   * log[index - snap_index] shows. */
  for (uint32_t k = raft_log_count(s) + 1; k <= 5; k++) s->log[k] = (raft_entry){.term = 99};
  a = (snap_arg){.index = 4, .state = kv_with(44)};
  sim_poke(w, 0, poke_snapshot, &a);
  s = st(w, 0);
  tap_ok(s->snap_index == 4 && s->snap_term == 2 && raft_log_count(s) == 1 && s->log[0].term == 2 &&
             s->log[1].term == 3 && s->log[1].cmd.value == 5,
         "snapshot at 4 after one at 3: expected snap 4/term 2, 1 entry held, log[1] = entry 5 "
         "{term 3: 5}; got snap %u/term %u, %u held, log[1] {term %u: %d} (the offset is "
         "index - snap_index, not index; raft_snapshot)",
         s->snap_index, s->snap_term, raft_log_count(s), s->log[1].term, (int)s->log[1].cmd.value);
  sim_destroy(w);
}

/* (d) raft_on_install_snapshot: Figure 13's receiver rules 1, 6, 7, 8. */
static void install_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  uint32_t terms[] = {1, 1, 2, 2, 3};
  raft_install_reply *r = (void *)seen.body;
  /* Step 1: n1 in term 3 with entries 1..5 (terms 1,1,2,2,3), 1 committed and applied. */
  set_log(w, 1, terms, 5);
  st(w, 1)->current_term = 3;
  st(w, 1)->commit_index = 1;
  st(w, 1)->last_applied = 1;
  /* Step 2: a stale leader (term 2) sends its snapshot. */
  raft_install_snapshot old = {.term = 2,
                               .leader = 0,
                               .last_included_index = 3,
                               .last_included_term = 2,
                               .data = kv_with(33)};
  sim_poke(w, 1, poke_install, &old);
  const raft_state *s = st(w, 1);
  tap_ok(seen.type == MSG_INSTALL_REPLY && seen.to == 0 && r->term == 3,
         "InstallSnapshot of term 2 to n1 in term 3: expected an InstallReply to n0 with term 3, "
         "got type %d to n%d with term %u (Figure 13, receiver rule 1: reply immediately if term < "
         "currentTerm; raft_on_install_snapshot)",
         seen.type, seen.to, r->term);
  tap_ok(s->snap_index == 0 && s->log_len == 5 && s->commit_index == 1 && s->kv.value[0] == 0,
         "the stale snapshot changes nothing: expected snap_index 0, log_len 5, commit 1, kv 0; "
         "got %u, %u, %u, %d (Figure 13, rule 1; raft_on_install_snapshot)",
         s->snap_index, s->log_len, s->commit_index, (int)s->kv.value[0]);
  /* Step 3: the leader of term 3 sends a snapshot through 3 (term 2): n1 has entry 3 of term 2. */
  raft_install_snapshot match = {.term = 3,
                                 .leader = 0,
                                 .last_included_index = 3,
                                 .last_included_term = 2,
                                 .data = kv_with(33)};
  sim_poke(w, 1, poke_install, &match);
  s = st(w, 1);
  tap_ok(s->snap_index == 3 && s->snap_term == 2 && s->log_len == 5 && raft_log_count(s) == 2 &&
             s->log[1].term == 2 && s->log[1].cmd.value == 4 && s->log[2].term == 3,
         "snapshot through 3/term 2, n1 has entry 3 of term 2: expected snap 3/2, log_len 5, "
         "entries 4 and 5 kept at log[1..2]; got snap %u/%u, log_len %u, %u held, log[1] {term "
         "%u: %d} (Figure 13, rule 6: if an existing entry has the snapshot's last index and term, "
         "retain the entries following it; raft_on_install_snapshot)",
         s->snap_index, s->snap_term, s->log_len, raft_log_count(s), s->log[1].term,
         (int)s->log[1].cmd.value);
  tap_ok(s->kv.value[0] == 33 && s->snap_kv.value[0] == 33 && s->commit_index == 3 &&
             s->last_applied == 3,
         "expected kv and snap_kv 33, commitIndex and lastApplied 3; got kv %d, snap_kv %d, "
         "commit %u, applied %u (Figure 13, rule 8: reset the state machine using the snapshot; "
         "raft_on_install_snapshot)",
         (int)s->kv.value[0], (int)s->snap_kv.value[0], s->commit_index, s->last_applied);
  tap_ok(seen.type == MSG_INSTALL_REPLY && r->term == 3 && r->match_index == 3,
         "expected an InstallReply of term 3, match_index 3; got type %d, term %u, match %u "
         "(raft_on_install_snapshot)",
         seen.type, r->term, r->match_index);
  /* Step 4: n2 (term 3, same log) gets a snapshot through 4 of term 4: its entry 4 is term 2. */
  set_log(w, 2, terms, 5);
  st(w, 2)->current_term = 3;
  raft_install_snapshot other = {.term = 4,
                                 .leader = 0,
                                 .last_included_index = 4,
                                 .last_included_term = 4,
                                 .data = kv_with(44)};
  sim_poke(w, 2, poke_install, &other);
  s = st(w, 2);
  tap_ok(s->snap_index == 4 && s->snap_term == 4 && s->log_len == 4 && raft_log_count(s) == 0 &&
             s->log[0].term == 4,
         "snapshot through 4/term 4, n2's entry 4 has term 2: expected snap 4/4, log_len 4, no "
         "entries held, sentinel term 4; got snap %u/%u, log_len %u, %u held, sentinel %u (Figure "
         "13, rule 7: otherwise discard the entire log; raft_on_install_snapshot)",
         s->snap_index, s->snap_term, s->log_len, raft_log_count(s), s->log[0].term);
  tap_ok(s->kv.value[0] == 44 && s->commit_index == 4 && s->last_applied == 4,
         "expected kv 44, commitIndex and lastApplied 4; got kv %d, commit %u, applied %u (Figure "
         "13, rule 8; raft_on_install_snapshot)",
         (int)s->kv.value[0], s->commit_index, s->last_applied);
  sim_destroy(w);
}

/* (d) raft_send_append and raft_on_install_reply on a leader with a snapshot. */
static void leader_snapshot_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen, false);
  /* Step 1: leader n0 of term 3 has snapshotted through 3 (term 2) and holds entries 4, 5. */
  raft_state *s = st(w, 0);
  s->current_term = 3;
  s->role = ROLE_LEADER;
  s->snap_index = 3;
  s->snap_term = 2;
  s->snap_kv = kv_with(33);
  s->kv = kv_with(33);
  s->log_len = 5;
  s->log[0] = (raft_entry){.term = 2};
  s->log[1] = (raft_entry){.term = 2, .cmd = raft_value_cmd(4)};
  s->log[2] = (raft_entry){.term = 3, .cmd = raft_value_cmd(5)};
  s->commit_index = 3;
  s->last_applied = 3;
  s->match_index[0] = 5;
  s->next_index[1] = 2;
  s->next_index[2] = 3;
  /* Step 2: n1 needs entry 2, which is gone: it gets the snapshot. */
  int peer = 1;
  sim_poke(w, 0, poke_send_append, &peer);
  raft_install_snapshot *is = (void *)seen.body;
  tap_ok(seen.type == MSG_INSTALL_SNAPSHOT && seen.to == 1 && is->term == 3 && is->leader == 0 &&
             is->last_included_index == 3 && is->last_included_term == 2 && is->data.value[0] == 33,
         "nextIndex[n1] 2 <= snap_index 3: expected InstallSnapshot to n1, term 3, leader 0, last "
         "3/2, data 33; got type %d to n%d, term %u, leader %d, last %u/%u, data %d (section 7: "
         "the leader sends its snapshot to a follower that lags too far; raft_send_append, "
         "raft_send_snapshot)",
         seen.type, seen.to, is->term, (int)is->leader, is->last_included_index,
         is->last_included_term, (int)is->data.value[0]);
  /* Step 3: n2 needs entry 3, the last one the snapshot replaced: also the snapshot. */
  peer = 2;
  sim_poke(w, 0, poke_send_append, &peer);
  tap_ok(seen.type == MSG_INSTALL_SNAPSHOT && seen.to == 2,
         "nextIndex[n2] 3 == snap_index 3: expected InstallSnapshot to n2, got type %d to n%d "
         "(entry 3 is only a sentinel now: send the snapshot when nextIndex <= snap_index, not "
         "<; raft_send_append)",
         seen.type, seen.to);
  /* Step 4: n2 installed it (match 3): nextIndex 4, and entries 4..5 follow at once. */
  install_reply_arg a = {.from = 2, .r = {.term = 3, .match_index = 3}};
  sim_poke(w, 0, poke_install_reply, &a);
  s = st(w, 0);
  raft_append_entries *ae = (void *)seen.body;
  tap_ok(s->match_index[2] == 3 && s->next_index[2] == 4,
         "InstallReply from n2 with match 3: expected matchIndex 3, nextIndex 4; got %u, %u "
         "(raft_on_install_reply)",
         s->match_index[2], s->next_index[2]);
  tap_ok(seen.type == MSG_APPEND_ENTRIES && seen.to == 2 && ae->prev_log_index == 3 &&
             ae->prev_log_term == 2 && ae->n_entries == 2 && ae->entries[0].cmd.value == 4 &&
             ae->entries[1].term == 3,
         "then AppendEntries to n2 from nextIndex 4: expected prev 3/2 (the snapshot's last "
         "entry), entries 4 and 5; got type %d to n%d, prev %u/%u, %u entries (raft_on_install_"
         "reply, raft_send_append with raft_term_at and raft_entry_at)",
         seen.type, seen.to, ae->prev_log_index, ae->prev_log_term, ae->n_entries);
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

#define SWEEP(name, scenario, seeds)                         \
  do {                                                       \
    static const sweep_arg a = {scenario, 1, seeds};         \
    tap_case(name " (" #seeds " seeds)", sweep, (void *)&a); \
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
  tap_case("b. AppendEntries: stale term, consistency check, backup hint", append_check_rules,
           NULL);
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
  tap_case("d. snapshot: keep the replaced entry's term, discard through it, keep the rest",
           snapshot_rules, NULL);
  tap_case("d. InstallSnapshot: stale term, keep a matching suffix, else discard, reset state",
           install_rules, NULL);
  tap_case("d. leader: the snapshot when nextIndex <= snap_index, then the entries after it",
           leader_snapshot_rules, NULL);
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
