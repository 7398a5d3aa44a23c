/*
 * solutions/05-failure-detectors/swim_membership.c: the reference SWIM membership rules of lab 05
 * (part 3a): suspicion and incarnation numbers (Das, Gupta and Motivala, "SWIM", DSN 2002,
 * Section 4.2) and infection-style dissemination (Section 4.1).
 *
 * A failed probe does not declare a member dead at once: it makes it a suspect, and the
 * suspicion spreads as a rumour. A suspect that is alive hears the rumour about itself sooner or
 * later and answers with a higher incarnation number; since only a member raises its own
 * incarnation, "alive at incarnation i + 1" is news that beats "suspect at i" everywhere. A
 * suspicion that nobody refutes within the suspicion timeout becomes a confirmed death, which
 * nothing overrides.
 *
 * Rumours travel for free on the pings and acks the detector sends anyway; each is sent a few
 * times (lambda log n) and then retired, the least-sent first.
 */
#include "lab.h"

bool swim_overrides(const swim_member *cur, const swim_update *u) {
  if (cur->status == SWIM_DEAD) return false; /* "Confirm" is final */
  switch (u->status) {
    case SWIM_DEAD:
      return true; /* {Confirm Ml, i} overrides {Alive Ml, j} and {Suspect Ml, j}, any j */
    case SWIM_SUSPECT:
      /* {Suspect Ml, i} overrides {Suspect Ml, j} if i > j, and {Alive Ml, j} if i >= j. */
      return cur->status == SWIM_SUSPECT ? u->incarnation > cur->incarnation
                                         : u->incarnation >= cur->incarnation;
    case SWIM_ALIVE:
      /* {Alive Ml, i} overrides {Suspect Ml, j} and {Alive Ml, j} if i > j. */
      return u->incarnation > cur->incarnation;
  }
  return false;
}

bool swim_apply(sim_node *n, fd_state *st, const swim_update *u) {
  swim_state *s = &st->swim;
  int self = sim_self(n);
  if (u->member == self) {
    swim_member *me = &s->members[self];
    /* Only a member raises its own incarnation, and only to refute a suspicion of its current
     * one. A confirmed death cannot be undone (the group has removed this member). */
    if (u->status != SWIM_SUSPECT) return false;
    /* A suspicion of an older incarnation means some member missed the refutation, which may
     * have stopped circulating: say "alive" again at the current incarnation. */
    if (u->incarnation >= me->incarnation) me->incarnation = u->incarnation + 1;
    swim_update alive = {.member = self, .status = SWIM_ALIVE, .incarnation = me->incarnation};
    swim_disseminate(s, &alive);
    return true;
  }
  swim_member *m = &s->members[u->member];
  if (!swim_overrides(m, u)) return false;
  uint32_t before = m->status;
  m->status = u->status;
  m->incarnation = u->incarnation;
  if (u->status == SWIM_SUSPECT && before != SWIM_SUSPECT)
    m->suspect_timer =
        sim_timer_set(n, TIMER_SUSPECT, st->config.suspicion_timeout, (uint64_t)u->member);
  if (u->status != SWIM_SUSPECT && before == SWIM_SUSPECT) {
    sim_timer_cancel(n, m->suspect_timer);
    m->suspect_timer = 0;
  }
  swim_disseminate(s, u);
  return true;
}

void swim_on_suspect_timeout(sim_node *n, fd_state *st, int member) {
  swim_member *m = &st->swim.members[member];
  if (m->status != SWIM_SUSPECT) return;
  m->suspect_timer = 0; /* this timer has fired */
  swim_update dead = {.member = member, .status = SWIM_DEAD, .incarnation = m->incarnation};
  swim_apply(n, st, &dead);
}

void swim_piggyback(swim_state *s, swim_msg *m) {
  /* A rumour goes into one message once: mark the members the message already speaks of. */
  bool taken[FD_MAX_NODES] = {false};
  for (uint32_t k = 0; k < m->update_count; k++)
    if (m->updates[k].member >= 0 && m->updates[k].member < FD_MAX_NODES)
      taken[m->updates[k].member] = true;
  while (m->update_count < SWIM_MAX_PIGGYBACK) {
    /* "...prefer elements that have been gossiped fewer times": the live rumour sent the fewest
     * times so far, the lowest member first among equals. */
    int best = -1;
    for (int i = 0; i < FD_MAX_NODES; i++)
      if (s->rumours[i].live && !taken[i] &&
          (best < 0 || s->rumours[i].sent < s->rumours[best].sent))
        best = i;
    if (best < 0) return;
    taken[best] = true;
    m->updates[m->update_count++] = s->rumours[best].update;
    /* Each rumour is piggybacked a bounded number of times (lambda log n), then retired. */
    if (++s->rumours[best].sent >= s->retransmit_limit) s->rumours[best].live = false;
  }
}
