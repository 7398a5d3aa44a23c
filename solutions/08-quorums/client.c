/*
 * solutions/08-quorums/client.c: the reference quorum client of lab 08 (Parts A and B).
 *
 * The client coordinates its own operations. A write is stamped with (local clock, own id) and
 * sent to the key's N homes; it is done at the W-th distinct ack. A read asks the N homes and
 * returns the newest of the first R distinct replies. When R + W > N every read quorum meets
 * every write quorum in at least one replica, so a read sees every write that completed before
 * it began (Gifford, "Weighted Voting for Replicated Data", SOSP 1979, section 3). Read repair
 * then pushes the newest value to the replicas that answered with an older one (Dynamo, 4.5).
 * Part B: when homes stay silent, the write goes to fallbacks with a hint (Dynamo, 4.6).
 */
#include "lab.h"

void client_write_start(sim_node *n, q_state *s) {
  q_client *c = &s->cli;
  /* Part A's version: the writer's clock, ties broken by the writer's id. */
  q_tag tag = {.ts = sim_clock(n), .writer = sim_self(n)};
  q_phase_begin(c, PHASE_STORE);
  for (int i = 0; i < s->cfg.n; i++)
    q_send_write(n, s, q_pref(&s->cfg, c->key, i), tag, c->write_value, -1);
}

void client_read_start(sim_node *n, q_state *s) {
  q_client *c = &s->cli;
  q_phase_begin(c, PHASE_QUERY);
  for (int i = 0; i < s->cfg.n; i++) q_send_read(n, s, q_pref(&s->cfg, c->key, i));
}

void client_on_write_ack(sim_node *n, q_state *s, int from, const q_write_ack_body *a) {
  q_client *c = &s->cli;
  if (c->done || c->kind != OP_WRITE || (c->replied & (1u << from))) return;
  if (q_tag_cmp(a->tag, c->store_tag) != 0) return;
  c->replied |= 1u << from;
  c->replies++;
  if (c->replies >= s->cfg.w) q_complete(n, s, c->store_tag, c->write_value);
}

void client_on_read_reply(sim_node *n, q_state *s, int from, const q_read_reply_body *r) {
  q_client *c = &s->cli;
  if (c->kind != OP_READ) return;
  if (c->done) {
    /* A late reply to the read we just returned: repair it too if it is behind. */
    if (!(c->replied & (1u << from)) && q_tag_cmp(r->tag, c->read_tag) < 0) {
      c->replied |= 1u << from;
      q_send_repair(n, s, from, c->read_tag, c->read_result);
    }
    return;
  }
  if (c->replied & (1u << from)) return; /* a duplicate */
  c->replied |= 1u << from;
  c->replies++;
  c->seen[from] = r->tag;
  if (c->replies == 1 || q_tag_cmp(r->tag, c->best_tag) > 0) {
    c->best_tag = r->tag;
    c->best_value = r->value;
  }
  if (c->replies < s->cfg.r) return;
  q_tag tag = c->best_tag;
  int32_t value = c->best_value;
  q_complete(n, s, tag, value);
  /* Read repair (Dynamo, section 4.5): whoever answered with an older version gets the newest. */
  for (int i = 0; i < s->cfg.replicas; i++)
    if ((c->replied & (1u << i)) && q_tag_cmp(c->seen[i], tag) < 0)
      q_send_repair(n, s, i, tag, value);
}

void client_on_sloppy_timer(sim_node *n, q_state *s) {
  q_client *c = &s->cli;
  const q_config *cfg = &s->cfg;
  if (c->done || c->kind != OP_WRITE) return;
  int next = cfg->n; /* the first fallback in the preference list */
  for (int i = 0; i < cfg->n; i++) {
    int home = q_pref(cfg, c->key, i);
    if ((c->replied & (1u << home)) || (c->hinted & (1u << home))) continue;
    /* Dynamo, section 4.6: the next healthy node on the preference list takes the write. */
    while (next < cfg->replicas && (c->fallbacks_used & (1u << q_pref(cfg, c->key, next)))) next++;
    if (next >= cfg->replicas) return; /* no fallback left */
    int stand_in = q_pref(cfg, c->key, next);
    c->fallbacks_used |= 1u << stand_in;
    c->hinted |= 1u << home;
    q_send_write(n, s, stand_in, c->store_tag, c->write_value, home);
  }
}
