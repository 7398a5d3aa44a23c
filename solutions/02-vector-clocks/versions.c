/*
 * solutions/02-vector-clocks/versions.c: the reference version vectors for lab 02 (part 3).
 *
 * Parker et al. 1983 (version vectors): each copy of a file carries a vector counting the updates
 * made at each site. Two copies conflict exactly when neither vector dominates the other; a copy
 * whose vector dominates can replace the other. Here a conflict is not an error to report but a
 * state to keep: the concurrent versions stay side by side (siblings) until a client writes with
 * a context that has seen them all, as in Dynamo and Riak.
 */
#include "lab.h"

vclock store_context(const vstore *st) {
  vclock ctx = {{0}};
  for (uint32_t i = 0; i < st->count; i++) vclock_merge(&ctx, &st->sib[i].vv);
  return ctx;
}

/* Remove sibling i (order does not matter). */
static void drop(vstore *st, uint32_t i) { st->sib[i] = st->sib[--st->count]; }

void store_put(vstore *st, int self, const vclock *context, uint32_t value) {
  version v = {.value = value, .vv = *context};
  uint32_t top = context->c[self];
  for (uint32_t i = 0; i < st->count; i++)
    if (st->sib[i].vv.c[self] > top) top = st->sib[i].vv.c[self];
  v.vv.c[self] = top + 1;
  for (uint32_t i = st->count; i-- > 0;) {
    vc_order o = vclock_compare(&st->sib[i].vv, &v.vv);
    if (o == VC_BEFORE || o == VC_EQUAL) drop(st, i);
  }
  if (st->count < VSTORE_MAX) st->sib[st->count++] = v;
}

void store_merge(vstore *st, const version *incoming) {
  for (uint32_t i = 0; i < st->count; i++) {
    vc_order o = vclock_compare(&incoming->vv, &st->sib[i].vv);
    if (o == VC_BEFORE || o == VC_EQUAL) return; /* already covered */
  }
  for (uint32_t i = st->count; i-- > 0;)
    if (vclock_compare(&st->sib[i].vv, &incoming->vv) == VC_BEFORE) drop(st, i);
  if (st->count < VSTORE_MAX) st->sib[st->count++] = *incoming;
}
