/*
 * exercises/05-failure-detectors/swim_membership.c: YOUR SWIM membership rules for lab 05
 * (part 3a): suspicion and incarnation numbers (SWIM, Section 4.2) and piggybacked
 * dissemination (Section 4.1).
 *
 * protocol.c calls swim_apply for every rumour a message carries, swim_on_suspect_timeout when a
 * TIMER_SUSPECT fires, and swim_piggyback (through swim_send) for every message sent. Use
 * swim_disseminate to queue a rumour. The contracts are in labs/05-failure-detectors/lab.h.
 */
#include "lab.h"

bool swim_overrides(const swim_member *cur, const swim_update *u) {
  (void)cur;
  (void)u;
  TODO("swim_overrides: Section 4.2's rules: DEAD is final; compare incarnations");
}

bool swim_apply(sim_node *n, fd_state *st, const swim_update *u) {
  (void)n;
  (void)st;
  (void)u;
  TODO(
      "swim_apply: refute a suspicion of yourself; else adopt an overriding rumour, manage the "
      "suspicion timer, disseminate");
}

void swim_on_suspect_timeout(sim_node *n, fd_state *st, int member) {
  (void)n;
  (void)st;
  (void)member;
  TODO("swim_on_suspect_timeout: still SUSPECT? declare it DEAD");
}

void swim_piggyback(swim_state *s, swim_msg *m) {
  (void)s;
  (void)m;
  TODO("swim_piggyback: add the least-sent live rumours; retire each after retransmit_limit sends");
}
