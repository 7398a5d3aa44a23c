/*
 * solutions/08-quorums/replica.c: the reference replica of lab 08.
 *
 * A replica is a passive register per key: it answers reads with what it holds and keeps a write
 * only if its tag is newer, so its version of a key only ever moves forward. That one rule makes
 * writes, repairs, handoffs and ABD's write-back safe to deliver late, twice or out of order.
 * In Part B it also holds hinted writes for homes it stands in for, and hands them over until
 * each home acknowledges (Dynamo, section 4.6).
 */
#include "lab.h"

/* Keep (tag, value) for key if the tag is newer than what we hold. */
static void store_if_newer(q_state *s, int key, q_tag tag, int32_t value) {
  if (key < 0 || key >= Q_MAX_KEYS) return;
  q_cell *cell = &s->rep.store[key];
  if (q_tag_cmp(tag, cell->tag) > 0) {
    cell->tag = tag;
    cell->value = value;
  }
}

void replica_on_write(sim_node *n, q_state *s, int from, const q_write_body *w) {
  if (w->hint < 0 || w->hint == sim_self(n)) {
    store_if_newer(s, w->key, w->tag, w->value);
    q_ack_write(n, from, w->op, w->key, w->tag);
    return;
  }
  /* Dynamo, section 4.6: the stand-in keeps the write apart, with a hint naming its home. A
   * retransmitted hint that we already hold is acknowledged again, not stored twice. */
  for (int i = 0; i < Q_MAX_HINTS; i++) {
    const q_hint *h = &s->rep.hints[i];
    if (h->used && h->home == w->hint && h->key == w->key && q_tag_cmp(h->tag, w->tag) == 0) {
      q_ack_write(n, from, w->op, w->key, w->tag);
      return;
    }
  }
  for (int i = 0; i < Q_MAX_HINTS; i++) {
    q_hint *h = &s->rep.hints[i];
    if (h->used) continue;
    *h = (q_hint){.used = true, .home = w->hint, .key = w->key, .value = w->value, .tag = w->tag};
    sim_note(n, "holding k%d for n%d (hint slot %d)", (int)w->key, (int)w->hint, i);
    q_ack_write(n, from, w->op, w->key, w->tag);
    return;
  }
  /* No room: no ack, so the client does not count us. */
}

void replica_on_read(sim_node *n, q_state *s, int from, const q_read_body *r) {
  q_cell empty = {0};
  q_cell cell = r->key >= 0 && r->key < Q_MAX_KEYS ? s->rep.store[r->key] : empty;
  q_reply_read(n, from, r->op, r->key, cell);
}

void replica_on_repair(sim_node *n, q_state *s, const q_repair_body *r) {
  (void)n;
  store_if_newer(s, r->key, r->tag, r->value);
}

void replica_on_handoff_timer(sim_node *n, q_state *s) {
  for (uint32_t i = 0; i < Q_MAX_HINTS; i++)
    if (s->rep.hints[i].used) q_send_handoff(n, &s->rep.hints[i], i);
}

void replica_on_handoff(sim_node *n, q_state *s, int from, const q_handoff_body *h) {
  store_if_newer(s, h->key, h->tag, h->value);
  q_ack_handoff(n, from, h->key, h->slot, h->tag);
}

void replica_on_handoff_ack(sim_node *n, q_state *s, const q_handoff_ack_body *a) {
  if (a->slot >= Q_MAX_HINTS) return;
  q_hint *h = &s->rep.hints[a->slot];
  if (h->used && h->key == a->key && q_tag_cmp(h->tag, a->tag) == 0) {
    sim_note(n, "handed k%d to n%d", (int)h->key, (int)h->home);
    h->used = false;
  }
}
