/*
 * lib-history-ops.c: unit tests of lib/history_ops.h: pairing a simulator history into
 * operations, counting outcomes, latency quantiles (nearest rank), and stale reads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/history_ops.h"
#include "tap.h"

/* A record, tersely. */
static sim_op_record rec(sim_op_phase phase, sim_time t, int client, const char *op,
                         const char *key, const char *value) {
  sim_op_record r;
  memset(&r, 0, sizeof r);
  r.phase = phase;
  r.time = t;
  r.client = client;
  strncpy(r.op, op, sizeof r.op - 1);
  strncpy(r.key, key, sizeof r.key - 1);
  strncpy(r.value, value, sizeof r.value - 1);
  return r;
}

/* Two clients interleave; each invoke is completed by the same client's next completion. */
static void pairing(void *arg) {
  (void)arg;
  sim_op_record h[] = {
      rec(SIM_OP_INVOKE, 10, 3, "write", "k0", "3001"), /* 0: c3 writes */
      rec(SIM_OP_INVOKE, 12, 4, "read", "k0", ""),      /* 1: c4 reads, overlapping */
      rec(SIM_OP_OK, 20, 4, "read", "k0", "nil"),       /* 2: c4's read returns nil */
      rec(SIM_OP_FAIL, 30, 3, "write", "k0", "3001"),   /* 3: c3's write fails */
      rec(SIM_OP_OK, 31, 5, "read", "k0", "9"),         /* 4: a completion with no invoke */
      rec(SIM_OP_INVOKE, 40, 4, "write", "k1", "4002"), /* 5: c4 writes, never completes */
      rec(SIM_OP_INVOKE, 50, 4, "read", "k1", ""),      /* 6: c4 invokes again without one */
      rec(SIM_OP_INFO, 70, 4, "read", "k1", ""),        /* 7: ... and that one is info */
  };
  size_t n = 0;
  history_op *ops = history_pair(h, sizeof h / sizeof h[0], &n);
  tap_is_int((int64_t)n, 4, "four invokes, four operations (the stray ok is skipped)");
  tap_ok(ops[0].client == 3 && strcmp(ops[0].op, "write") == 0 && ops[0].outcome == SIM_OP_FAIL &&
             ops[0].call == 10 && ops[0].ret == 30 && ops[0].invoke == 0 && ops[0].done == 3,
         "c3's write: invoked at 10, failed at 30, events 0 and 3");
  tap_ok(strcmp(ops[0].arg, "3001") == 0, "the write's argument is kept");
  tap_ok(ops[1].client == 4 && ops[1].outcome == SIM_OP_OK && ops[1].ret == 20 &&
             strcmp(ops[1].out, "nil") == 0,
         "c4's read returned nil at 20, though c3's write was invoked first and still open");
  tap_ok(ops[2].outcome == SIM_OP_INVOKE && ops[2].ret == SIM_FOREVER && ops[2].done == SIZE_MAX,
         "c4's write that was never completed stays open, returning at SIM_FOREVER");
  tap_ok(ops[3].outcome == SIM_OP_INFO && ops[3].call == 50 && ops[3].ret == 70,
         "c4's next invoke takes the next completion (info)");
  tap_is_int((int64_t)history_count(ops, n, SIM_OP_OK, NULL), 1, "one ok");
  tap_is_int((int64_t)history_count(ops, n, SIM_OP_FAIL, "write"), 1, "one failed write");
  tap_is_int((int64_t)history_count(ops, n, SIM_OP_FAIL, "read"), 0, "no failed read");
  tap_is_int((int64_t)history_count(ops, n, SIM_OP_INVOKE, NULL), 1, "one never completed");
  free(ops);
  ops = history_pair(h, 0, &n);
  tap_ok(ops != NULL && n == 0, "an empty history gives an empty, freeable list");
  free(ops);
}

/* Clients outside 0..SIM_MAX_NODES-1 (SIM_EXTERNAL) pair the same way. */
static void external_clients(void *arg) {
  (void)arg;
  sim_op_record h[] = {
      rec(SIM_OP_INVOKE, 1, SIM_EXTERNAL, "read", "x", ""),
      rec(SIM_OP_INVOKE, 2, 99, "read", "x", ""),
      rec(SIM_OP_OK, 5, SIM_EXTERNAL, "read", "x", "a"),
      rec(SIM_OP_OK, 9, 99, "read", "x", "b"),
  };
  size_t n = 0;
  history_op *ops = history_pair(h, 4, &n);
  tap_is_int((int64_t)n, 2, "two operations");
  tap_ok(ops[0].ret == 5 && strcmp(ops[0].out, "a") == 0, "the external client's read got a at 5");
  tap_ok(ops[1].ret == 9 && strcmp(ops[1].out, "b") == 0, "client 99's read got b at 9");
  free(ops);
}

/* Latencies 1..10 (reads) and 100 (one write): nearest-rank quantiles. */
static void latency(void *arg) {
  (void)arg;
  sim_op_record h[32];
  size_t k = 0;
  /* Reads by client 0 with latencies 10, 9, ..., 1 (out of order on purpose). */
  sim_time t = 0;
  for (int lat = 10; lat >= 1; lat--) {
    h[k++] = rec(SIM_OP_INVOKE, t, 0, "read", "k", "");
    h[k++] = rec(SIM_OP_OK, t + (sim_time)lat, 0, "read", "k", "v");
    t += 100;
  }
  h[k++] = rec(SIM_OP_INVOKE, t, 1, "write", "k", "w");
  h[k++] = rec(SIM_OP_OK, t + 100, 1, "write", "k", "");
  h[k++] = rec(SIM_OP_INVOKE, t, 2, "write", "k", "z");
  h[k++] = rec(SIM_OP_FAIL, t + 7, 2, "write", "k", "");
  size_t n = 0;
  history_op *ops = history_pair(h, k, &n);
  sim_time got = 0;
  tap_ok(history_latency(ops, n, SIM_OP_OK, "read", 0.5, &got) && got == 5,
         "median of the reads 1..10 is 5 (the 5th smallest), got %llu", (unsigned long long)got);
  tap_ok(history_latency(ops, n, SIM_OP_OK, "read", 0.9, &got) && got == 9,
         "90th percentile is 9, got %llu", (unsigned long long)got);
  tap_ok(history_latency(ops, n, SIM_OP_OK, "read", 1.0, &got) && got == 10, "maximum is 10");
  tap_ok(history_latency(ops, n, SIM_OP_OK, "read", 0.01, &got) && got == 1, "minimum is 1");
  tap_ok(history_latency(ops, n, SIM_OP_OK, NULL, 0.5, &got) && got == 6,
         "median of all ok operations (1..10 and 100) is 6, got %llu", (unsigned long long)got);
  tap_ok(history_latency(ops, n, SIM_OP_FAIL, "write", 0.5, &got) && got == 7,
         "failed operations are timed on their own");
  got = 42;
  tap_ok(!history_latency(ops, n, SIM_OP_INFO, NULL, 0.5, &got) && got == 42,
         "no info operation: false, *out untouched");
  tap_ok(!history_latency(ops, n, SIM_OP_OK, "read", 0, &got), "q = 0 is refused");
  free(ops);
}

/* Stale reads: each case says why a read is or is not stale. */
static void stale_reads(void *arg) {
  (void)arg;
  sim_op_record h[] = {
      /* c1 writes a [0 .. 10], then b [20 .. 30]. */
      rec(SIM_OP_INVOKE, 0, 1, "write", "x", "a"),
      rec(SIM_OP_OK, 10, 1, "write", "x", ""),
      rec(SIM_OP_INVOKE, 20, 1, "write", "x", "b"),
      rec(SIM_OP_OK, 30, 1, "write", "x", ""),
      /* c2 reads a at [40 .. 45]: b was invoked after a completed and completed before: stale. */
      rec(SIM_OP_INVOKE, 40, 2, "read", "x", ""),
      rec(SIM_OP_OK, 45, 2, "read", "x", "a"),
      /* c3 reads a at [25 .. 50]: b had not completed when it began: not stale. */
      rec(SIM_OP_INVOKE, 25, 3, "read", "x", ""),
      rec(SIM_OP_OK, 50, 3, "read", "x", "a"),
      /* c2 reads nil at [60 .. 61]: a write completed before: stale (nil is the initial value). */
      rec(SIM_OP_INVOKE, 60, 2, "read", "x", ""),
      rec(SIM_OP_OK, 61, 2, "read", "x", "nil"),
      /* c2 reads y=nil: nothing was written to y: not stale. */
      rec(SIM_OP_INVOKE, 70, 2, "read", "y", ""),
      rec(SIM_OP_OK, 71, 2, "read", "y", "nil"),
      /* c4's write of c, with an unknown outcome; c2 reads c: nothing can be proven. */
      rec(SIM_OP_INVOKE, 80, 4, "write", "x", "c"),
      rec(SIM_OP_INFO, 90, 4, "write", "x", "c"),
      rec(SIM_OP_INVOKE, 100, 2, "read", "x", ""),
      rec(SIM_OP_OK, 101, 2, "read", "x", "c"),
      /* c2 reads b at [110 .. 111]: b is the latest completed write: not stale. */
      rec(SIM_OP_INVOKE, 110, 2, "read", "x", ""),
      rec(SIM_OP_OK, 111, 2, "read", "x", "b"),
  };
  size_t n = 0, r = 99, w = 99;
  history_op *ops = history_pair(h, sizeof h / sizeof h[0], &n);
  tap_is_int((int64_t)history_stale_reads(ops, n, "nil", 0, SIM_FOREVER, &r, &w), 2,
             "two stale reads: a after b completed, and nil after writes completed");
  tap_ok(ops[r].call == 40 && strcmp(ops[r].out, "a") == 0, "the first is c2's read of a at 40");
  tap_ok(strcmp(ops[w].arg, "b") == 0, "proved by the write of b");
  r = w = 99;
  tap_is_int((int64_t)history_stale_reads(ops, n, "nil", 50, 100, &r, &w), 1,
             "reads invoked in [50, 100]: only the read of nil at 60");
  tap_ok(ops[r].call == 60 && strcmp(ops[w].arg, "b") == 0,
         "its proof is the latest write completed before it, b");
  tap_is_int((int64_t)history_stale_reads(ops, n, NULL, 0, SIM_FOREVER, NULL, NULL), 1,
             "without an initial value, a read of nil proves nothing");
  free(ops);
}

int main(void) {
  tap_case("pairing invokes with completions", pairing, NULL);
  tap_case("clients outside the node ids", external_clients, NULL);
  tap_case("latency quantiles, nearest rank", latency, NULL);
  tap_case("stale reads of a register history", stale_reads, NULL);
  return tap_done();
}
