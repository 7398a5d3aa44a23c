/*
 * history_ops.h: a simulator history (sim_history) as a list of operations, and their latencies.
 *
 * The world records client operations as Jepsen does, one event at a time: an invoke, then the
 * client's next completion (ok, fail or info). The linearizability checker pairs them itself;
 * labs that want to count or time operations (how many were refused, the median latency of a
 * read) pair them here, with the same rule: a client runs one operation at a time, so an invoke
 * is completed by the next completion event of the same client. An operation that never
 * completed (the run ended first, or the client invoked again without one) keeps the outcome
 * SIM_OP_INVOKE and the return time SIM_FOREVER.
 *
 *   size_t n;
 *   const sim_op_record *recs = sim_history(world, &n);
 *   size_t count;
 *   history_op *ops = history_pair(recs, n, &count);
 *   sim_time median;
 *   if (history_latency(ops, count, SIM_OP_OK, "read", 0.5, &median)) ...
 *   free(ops);
 */
#ifndef CAUSEWAY_HISTORY_OPS_H
#define CAUSEWAY_HISTORY_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

/* One operation: an invoke and its completion. Strings are copies (NUL-ended). */
typedef struct history_op {
  int client;
  sim_op_phase outcome; /* SIM_OP_OK, SIM_OP_FAIL, SIM_OP_INFO; SIM_OP_INVOKE: never completed */
  char op[12];          /* "read", "write", ... as invoked */
  char key[24];
  char arg[48];        /* the invoke's value (what a write writes; "" for a read) */
  char out[48];        /* the completion's value (what a read returned); "" if none */
  sim_time call;       /* invoke time */
  sim_time ret;        /* completion time; SIM_FOREVER if it never completed */
  size_t invoke, done; /* indexes of its events in the records; done is SIZE_MAX if none */
} history_op;

/* Pair every invoke of recs (n records, in time order, as sim_history returns them) with the same
 * client's next completion. Returns a malloc'ed array of *count operations in invoke order (the
 * caller frees it with free(); it is a valid pointer even when *count is 0). A completion with no
 * open invoke is skipped. Aborts on out-of-memory. */
history_op *history_pair(const sim_op_record *recs, size_t n, size_t *count);

/* The q-quantile (0 < q <= 1; 0.5 is the median) of the latencies (ret - call) of the operations
 * that completed with `outcome` and, if `op` is not NULL, are named `op`. Nearest rank: the
 * smallest latency such that at least q of them are no larger. Returns false (and leaves *out
 * alone) if no operation matches. */
bool history_latency(const history_op *ops, size_t n, sim_op_phase outcome, const char *op,
                     double q, sim_time *out);

/* How many operations completed with `outcome` (SIM_OP_INVOKE: never completed) and, if `op` is
 * not NULL, are named `op`. */
size_t history_count(const history_op *ops, size_t n, sim_op_phase outcome, const char *op);

/* Stale reads of a register history whose writes all write different values (as every lab's
 * workload does): an ok "read" R of a key that returned value v, although an ok "write" W2 of the
 * same key completed before R was invoked, and W2 was invoked after the write of v had completed
 * (or v is `initial`, the value before any write, and W2 is any write that completed before R).
 * Real time then orders write(v) < W2 < R, so a register would have R return W2's value or a
 * newer one: each stale read alone proves the history is not linearizable (and not even a
 * regular register, Lamport 1986). Only reads invoked in [from, to] are counted. Returns how many
 * there are; for the first one (in invoke order), *read and *write (either may be NULL) get the
 * indexes in ops of R and of one such W2 (the latest completed). */
size_t history_stale_reads(const history_op *ops, size_t n, const char *initial, sim_time from,
                           sim_time to, size_t *read, size_t *write);

#endif
