/*
 * history_ops.c: pairing a simulator history into operations, and latency quantiles (see
 * history_ops.h).
 */
#include "history_ops.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

history_op *history_pair(const sim_op_record *recs, size_t n, size_t *count) {
  history_op *ops = mem_calloc(n + 1, sizeof *ops, "history_pair");
  /* open[c]: index + 1 of client c's operation still waiting for its completion, 0 if none.
   * Client ids are node ids or SIM_EXTERNAL; anything else outside 0..SIM_MAX_NODES-1 goes
   * through a linear search instead. */
  size_t open[SIM_MAX_NODES] = {0};
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const sim_op_record *e = &recs[i];
    bool small = e->client >= 0 && e->client < SIM_MAX_NODES;
    size_t at = 0;
    if (small) {
      at = open[e->client];
    } else {
      for (size_t j = k; j > 0; j--)
        if (ops[j - 1].client == e->client) {
          if (ops[j - 1].done == SIZE_MAX && ops[j - 1].outcome == SIM_OP_INVOKE) at = j;
          break;
        }
    }
    if (e->phase == SIM_OP_INVOKE) {
      history_op *o = &ops[k++];
      o->client = e->client;
      o->outcome = SIM_OP_INVOKE;
      snprintf(o->op, sizeof o->op, "%s", e->op);
      snprintf(o->key, sizeof o->key, "%s", e->key);
      snprintf(o->arg, sizeof o->arg, "%s", e->value);
      o->call = e->time;
      o->ret = SIM_FOREVER;
      o->invoke = i;
      o->done = SIZE_MAX;
      if (small) open[e->client] = k;
      continue;
    }
    if (at == 0) continue; /* a completion with no open invoke */
    history_op *o = &ops[at - 1];
    o->outcome = e->phase;
    o->ret = e->time;
    o->done = i;
    snprintf(o->out, sizeof o->out, "%s", e->value);
    if (small) open[e->client] = 0;
  }
  *count = k;
  return ops;
}

static bool matches(const history_op *o, sim_op_phase outcome, const char *op) {
  return o->outcome == outcome && (op == NULL || strcmp(o->op, op) == 0);
}

size_t history_count(const history_op *ops, size_t n, sim_op_phase outcome, const char *op) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += matches(&ops[i], outcome, op);
  return c;
}

static int time_cmp(const void *a, const void *b) {
  sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
  return x < y ? -1 : x > y;
}

bool history_latency(const history_op *ops, size_t n, sim_op_phase outcome, const char *op,
                     double q, sim_time *out) {
  size_t m = history_count(ops, n, outcome, op);
  if (m == 0 || !(q > 0 && q <= 1)) return false;
  sim_time *lat = mem_calloc(m, sizeof *lat, "history_latency");
  size_t j = 0;
  for (size_t i = 0; i < n; i++)
    if (matches(&ops[i], outcome, op))
      lat[j++] = ops[i].ret == SIM_FOREVER ? SIM_FOREVER : ops[i].ret - ops[i].call;
  qsort(lat, m, sizeof *lat, time_cmp);
  /* Nearest rank: the ceil(q * m)-th smallest, counting from 1. */
  size_t rank = (size_t)ceil(q * (double)m);
  if (rank < 1) rank = 1;
  if (rank > m) rank = m;
  *out = lat[rank - 1];
  free(lat);
  return true;
}

/* The ok write of value v on key, or NULL (v is the initial value, or no write wrote it). */
static const history_op *write_of(const history_op *ops, size_t n, const char *key, const char *v) {
  for (size_t i = 0; i < n; i++)
    if (ops[i].outcome == SIM_OP_OK && strcmp(ops[i].op, "write") == 0 &&
        strcmp(ops[i].key, key) == 0 && strcmp(ops[i].arg, v) == 0)
      return &ops[i];
  return NULL;
}

size_t history_stale_reads(const history_op *ops, size_t n, const char *initial, sim_time from,
                           sim_time to, size_t *read, size_t *write) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++) {
    const history_op *r = &ops[i];
    if (r->outcome != SIM_OP_OK || strcmp(r->op, "read") != 0 || r->call < from || r->call > to)
      continue;
    const history_op *src = write_of(ops, n, r->key, r->out);
    bool from_initial = initial && strcmp(r->out, initial) == 0;
    /* A value no ok write wrote (a write with an unknown outcome, which may have taken effect
     * at any time after its invoke), and not the initial one: nothing can be proven. */
    if (!src && !from_initial) continue;
    const history_op *newest = NULL;
    for (size_t j = 0; j < n; j++) {
      const history_op *w = &ops[j];
      if (w->outcome != SIM_OP_OK || strcmp(w->op, "write") != 0 || strcmp(w->key, r->key) != 0)
        continue;
      if (w == src || w->ret >= r->call) continue; /* not completed before the read */
      if (src && w->call <= src->ret) continue;    /* not after the value's write */
      if (!newest || w->ret > newest->ret) newest = w;
    }
    if (!newest) continue;
    if (count++ == 0) {
      if (read) *read = i;
      if (write) *write = (size_t)(newest - ops);
    }
  }
  return count;
}
