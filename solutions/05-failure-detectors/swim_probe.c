/*
 * solutions/05-failure-detectors/swim_probe.c: the reference SWIM failure detector of lab 05
 * (part 3b): Das, Gupta and Motivala, "SWIM", DSN 2002, Sections 3.1 and 4.3.
 *
 * Every protocol period a member probes one other member: a direct Ping; if no Ack comes within
 * the ping timeout, a PingReq to k other members, each of which pings the target and relays its
 * Ack. If no Ack, direct or relayed, has come by the end of the period, the target is suspected.
 * The indirect probes are what keep accuracy up under loss: one lost message or one congested
 * path is not enough to suspect a member. The load is one probe per member per period, whatever
 * the group's size.
 *
 * Targets are chosen round-robin over a shuffled list of the members (Section 4.3), so that a
 * crashed member is probed by every other member within a bounded number of periods, not only in
 * expectation.
 */
#include "lab.h"

/* Rebuild the probe list: every other member not known to be dead, uniformly shuffled. */
static void shuffle_members(sim_node *n, swim_state *s) {
  s->order_len = 0;
  s->order_pos = 0;
  for (int m = 0; m < sim_node_count(n); m++)
    if (m != sim_self(n) && s->members[m].status != SWIM_DEAD) s->order[s->order_len++] = m;
  /* Fisher-Yates: every permutation equally likely. */
  for (uint32_t i = s->order_len; i > 1; i--) {
    uint32_t j = (uint32_t)sim_random_below(n, i);
    int32_t t = s->order[i - 1];
    s->order[i - 1] = s->order[j];
    s->order[j] = t;
  }
}

int swim_next_target(sim_node *n, swim_state *s) {
  /* "...the member list is traversed in round-robin order ... once the list has been traversed,
   * it is randomly rearranged before the next traversal" (Section 4.3). */
  bool rebuilt = false;
  for (;;) {
    if (s->order_pos >= s->order_len) {
      if (rebuilt) return -1; /* a fresh list with nobody alive in it */
      shuffle_members(n, s);
      rebuilt = true;
      if (s->order_len == 0) return -1;
    }
    int m = s->order[s->order_pos++];
    if (s->members[m].status != SWIM_DEAD) return m;
  }
}

void swim_on_period(sim_node *n, fd_state *st) {
  swim_state *s = &st->swim;
  /* End of the previous period: no ack, direct or indirect, means the target is suspected
   * ("...Mi marks Mj as Suspected", Section 4.2), at the incarnation Mi knows for it. */
  if (s->target >= 0 && !s->acked && s->members[s->target].status != SWIM_DEAD) {
    swim_update u = {.member = s->target,
                     .status = SWIM_SUSPECT,
                     .incarnation = s->members[s->target].incarnation};
    swim_apply(n, st, &u);
  }
  /* The next probe. */
  s->target = swim_next_target(n, s);
  if (s->target < 0) return; /* no one to probe: no probe this period, probe_seq stays */
  s->probe_seq++;
  s->acked = false;
  swim_msg ping = {.seq = s->probe_seq, .target = s->target, .requester = sim_self(n)};
  swim_send(n, s, s->target, MSG_PING, &ping);
  sim_timer_set(n, TIMER_PING_TIMEOUT, st->config.ping_timeout, s->probe_seq);
}

void swim_on_ping_timeout(sim_node *n, fd_state *st, uint32_t seq) {
  swim_state *s = &st->swim;
  if (seq != s->probe_seq || s->acked || s->target < 0) return; /* answered, or an old probe */
  /* "...selects k members at random and sends each a ping-req(Mj) message" (Section 3.1). */
  int32_t pool[FD_MAX_NODES];
  uint32_t len = 0;
  for (int m = 0; m < sim_node_count(n); m++)
    if (m != sim_self(n) && m != s->target && s->members[m].status != SWIM_DEAD) pool[len++] = m;
  uint32_t want = st->config.k < len ? st->config.k : len;
  swim_msg req = {.seq = seq, .target = s->target, .requester = sim_self(n)};
  for (uint32_t i = 0; i < want; i++) {
    /* A partial Fisher-Yates: pool[i] is a fresh uniform pick among pool[i..len). */
    uint32_t j = i + (uint32_t)sim_random_below(n, len - i);
    int32_t t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
    swim_send(n, s, pool[i], MSG_PING_REQ, &req);
  }
}

void swim_on_ping(sim_node *n, swim_state *s, int from, const swim_msg *m) {
  swim_msg ack = {.seq = m->seq, .target = sim_self(n), .requester = m->requester};
  swim_send(n, s, from, MSG_ACK, &ack);
}

void swim_on_ping_req(sim_node *n, swim_state *s, int from, const swim_msg *m) {
  (void)from;
  /* "...each of these members in turn (if non-faulty) pings Mj and forwards the ack to Mi". */
  swim_msg ping = {.seq = m->seq, .target = m->target, .requester = m->requester};
  swim_send(n, s, m->target, MSG_PING, &ping);
}

void swim_on_ack(sim_node *n, swim_state *s, int from, const swim_msg *m) {
  (void)from;
  if (m->requester == sim_self(n)) {
    if (m->seq == s->probe_seq && m->target == s->target) s->acked = true;
    return;
  }
  /* A helper relays the target's ack to the member that asked, as a fresh Ack without the
   * target's rumours (already applied here): swim_send adds this node's own, and counts them.
   * Left in, they would make swim_piggyback skip this node's rumours about the same members
   * without counting a send, and those would outlive their lambda log n sends. */
  swim_msg relay = {.seq = m->seq, .target = m->target, .requester = m->requester};
  if (m->requester >= 0 && m->requester < sim_node_count(n))
    swim_send(n, s, m->requester, MSG_ACK, &relay);
}
