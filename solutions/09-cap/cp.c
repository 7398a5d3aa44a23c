/*
 * solutions/09-cap/cp.c: the reference CP coordinator of lab 09 (MODE_CP).
 *
 * Every request runs the two phases of ABD (Attiya, Bar-Noy and Dolev, "Sharing Memory Robustly
 * in Message-Passing Systems", JACM 1995, multi-writer form), with the home replica as the
 * coordinator and itself as one of the replicas:
 *   QUERY  ask every replica for its cell; wait for a majority; keep the newest.
 *   STORE  a write stores (tag (newest ts + 1, own id), value); a read writes the newest cell back;
 *          wait for a majority of acks; answer OK.
 * Any two majorities intersect, so each QUERY meets every completed STORE: the history is
 * linearizable. The price is availability: a coordinator cut off from a majority cannot finish,
 * and after cp_timeout it says so (Gilbert and Lynch, "Brewer's Conjecture and the Feasibility of
 * Consistent, Available, Partition-Tolerant Web Services", SIGACT News 2002, Theorem 1: no
 * algorithm can be both atomic and available when messages between two groups are lost).
 */
#include "lab.h"

/* Count replica `from` once in the current phase; false if it was counted already. */
static bool count_once(kv_coord *co, int from) {
  if (co->replied & (1u << from)) return false;
  co->replied |= 1u << from;
  co->replies++;
  return true;
}

void cp_begin(sim_node *n, kv_state *s) {
  kv_coord *co = &s->co;
  kv_cell mine = s->rep.store[co->key];
  if (co->kind == OP_READ && s->cfg.read_local) {
    /* PACELC, else-latency: no partition to speak of, but no round trip either. */
    kv_reply(n, s, KV_OK, mine);
    return;
  }
  co->phase = PHASE_QUERY;
  co->replied = 0;
  co->replies = 0;
  count_once(co, sim_self(n));
  co->best = mine;
  kv_send_query(n, s);
}

void cp_on_query_reply(sim_node *n, kv_state *s, int from, const kv_query_reply_body *r) {
  kv_coord *co = &s->co;
  /* A late phase-1 answer during phase 2, or a duplicate: already counted. */
  if (co->phase != PHASE_QUERY || !count_once(co, from)) return;
  if (kv_tag_cmp(r->cell.tag, co->best.tag) > 0) co->best = r->cell;
  if (co->replies < kv_majority(&s->cfg)) return;
  kv_cell cell = co->best;
  if (co->kind == OP_WRITE) {
    /* Higher than every tag a majority holds, so higher than every completed write's. */
    cell.tag.ts = co->best.tag.ts + 1;
    cell.tag.node = sim_self(n);
    cell.tag.pad = 0;
    cell.value = co->value;
    cell.pad = 0;
  }
  kv_merge(&s->rep.store[co->key], cell);
  co->store = cell;
  co->phase = PHASE_STORE;
  co->replied = 0;
  co->replies = 0;
  count_once(co, sim_self(n));
  kv_send_store(n, s);
}

void cp_on_store_ack(sim_node *n, kv_state *s, int from, const kv_store_ack_body *a) {
  kv_coord *co = &s->co;
  if (co->phase != PHASE_STORE || kv_tag_cmp(a->tag, co->store.tag) != 0) return;
  if (!count_once(co, from)) return;
  if (co->replies >= kv_majority(&s->cfg)) kv_reply(n, s, KV_OK, co->store);
}

void cp_on_deadline(sim_node *n, kv_state *s) {
  kv_coord *co = &s->co;
  if (!co->busy) return;
  /* A write whose STORE has begun is already here and maybe elsewhere: not a clean no. */
  kv_status status = co->kind == OP_WRITE && co->phase == PHASE_STORE ? KV_UNKNOWN : KV_REFUSED;
  kv_cell none = {{0, 0, 0}, 0, 0};
  kv_reply(n, s, status, none);
}
