/*
 * solutions/08-quorums/abd.c: the reference ABD register of lab 08 (Part C).
 *
 * Attiya, Bar-Noy and Dolev, "Sharing Memory Robustly in Message-Passing Systems" (JACM 1995),
 * in its multi-writer form (Lynch and Shvartsman, 1997). Every operation has two phases, each
 * waiting for a majority of the N homes:
 *   write(v): query for the highest tag t; store (t.ts + 1, own id, v).
 *   read():   query for the newest (tag, value); store it back; then return the value.
 * The read's write-back is what makes the register atomic: once a read returns v, a majority
 * holds v's tag, so no later read can return anything older.
 */
#include "lab.h"

void abd_write_start(sim_node *n, q_state *s) {
  q_client *c = &s->cli;
  q_phase_begin(c, PHASE_QUERY);
  for (int i = 0; i < s->cfg.n; i++) q_send_read(n, s, q_pref(&s->cfg, c->key, i));
}

void abd_read_start(sim_node *n, q_state *s) { abd_write_start(n, s); }

void abd_on_read_reply(sim_node *n, q_state *s, int from, const q_read_reply_body *r) {
  q_client *c = &s->cli;
  if (c->done || c->phase != PHASE_QUERY || (c->replied & (1u << from))) return;
  c->replied |= 1u << from;
  c->replies++;
  if (c->replies == 1 || q_tag_cmp(r->tag, c->best_tag) > 0) {
    c->best_tag = r->tag;
    c->best_value = r->value;
  }
  if (c->replies < q_majority(&s->cfg)) return;
  q_tag tag = c->best_tag;
  int32_t value = c->best_value;
  if (c->kind == OP_WRITE) {
    /* A tag higher than any a majority has seen, so higher than every completed write's. */
    tag.ts = c->best_tag.ts + 1;
    tag.writer = sim_self(n);
    value = c->write_value;
  }
  q_phase_begin(c, PHASE_STORE);
  for (int i = 0; i < s->cfg.n; i++) q_send_write(n, s, q_pref(&s->cfg, c->key, i), tag, value, -1);
}

void abd_on_write_ack(sim_node *n, q_state *s, int from, const q_write_ack_body *a) {
  q_client *c = &s->cli;
  if (c->done || c->phase != PHASE_STORE || (c->replied & (1u << from))) return;
  if (q_tag_cmp(a->tag, c->store_tag) != 0) return;
  c->replied |= 1u << from;
  c->replies++;
  if (c->replies >= q_majority(&s->cfg)) q_complete(n, s, c->store_tag, c->store_value);
}
