/*
 * solutions/02-vector-clocks/vclock.c: the reference vector clock for lab 02 (part 1).
 *
 * Fidge 1988 and Mattern 1989 (vector time): each node keeps a vector with one entry per node.
 * Before each event it adds one to its own entry; a message carries the sender's vector, and
 * the receiver first takes the entrywise maximum with it, then ticks. Then for events a != b,
 * a -> b exactly when V(a) <= V(b) entry by entry.
 */
#include "lab.h"

void vclock_tick(vclock *v, int self) { v->c[self]++; }

void vclock_merge(vclock *into, const vclock *other) {
  for (int i = 0; i < LAB02_MAX_NODES; i++)
    if (other->c[i] > into->c[i]) into->c[i] = other->c[i];
}

vc_order vclock_compare(const vclock *a, const vclock *b) {
  bool less = false, greater = false; /* some entry of a is smaller / larger than b's */
  for (int i = 0; i < LAB02_MAX_NODES; i++) {
    if (a->c[i] < b->c[i]) less = true;
    if (a->c[i] > b->c[i]) greater = true;
  }
  if (less && greater) return VC_CONCURRENT;
  if (less) return VC_BEFORE;
  if (greater) return VC_AFTER;
  return VC_EQUAL;
}
