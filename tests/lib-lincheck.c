/*
 * lib-lincheck.c: unit tests of the linearizability checker (lib/lincheck.h) and the history
 * readers (lib/history_read.h).
 *
 * Four parts:
 *   1. Hand-made histories, one per edge case, each with a comment that says why the verdict is
 *      what it is: overlapping operations, info operations that must and must not take effect,
 *      failed operations, equal times, per-key partitions, bad histories, a lab's own model.
 *   2. The readers: each format read back from a small file, and bad lines reported as
 *      FILE:LINE: reason.
 *   3. Real Jepsen and Porcupine histories (../shared/data/jepsen-histories, or the folder named
 *      by CAUSEWAY_HISTORIES): every file gets the verdict its expected.tsv gives.
 *   4. Agreement with a brute-force checker that tries every order, on thousands of small random
 *      histories (seeded, so every run checks the same ones), both linearizable and not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/history_read.h"
#include "../lib/lincheck.h"
#include "../lib/rng.h"
#include "tap.h"

#ifndef CAUSEWAY_BIN_DIR
#define CAUSEWAY_BIN_DIR "build/rel/bin"
#endif

/* ---------------------------------------------------------------------------------------------
 * Helpers to write histories tersely.
 *
 * A history is built from operations given as (client, f, arg, out, call, ret, phase): the
 * invoke at `call`, the completion at `ret` (none if ret is LIN_NEVER and phase is LIN_INVOKE).
 */
typedef struct hop {
  int client;
  const char *f, *arg, *out;
  uint64_t call, ret;
  lin_phase end; /* LIN_OK, LIN_FAIL, LIN_INFO, or LIN_INVOKE for "never completed" */
  const char *key;
} hop;

typedef struct hev {
  uint64_t time;
  size_t order; /* at equal times: 2i for op i's invoke, 2i+1 for its completion, so a client's
                   operations (listed in its order) keep their order */
  size_t op;
  bool invoke;
} hev;

static int hev_cmp(const void *a, const void *b) {
  const hev *x = a, *y = b;
  if (x->time != y->time) return x->time < y->time ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Build a timed history from ops (events sorted by time). */
static void build(lin_history *h, const hop *ops, size_t n) {
  lin_history_init(h, true, "test");
  hev *evs = calloc(2 * n + 1, sizeof *evs);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    evs[k++] = (hev){ops[i].call, 2 * i, i, true};
    if (ops[i].end != LIN_INVOKE)
      evs[k++] = (hev){ops[i].ret == LIN_NEVER ? ops[i].call : ops[i].ret, 2 * i + 1, i, false};
  }
  qsort(evs, k, sizeof *evs, hev_cmp);
  for (size_t j = 0; j < k; j++) {
    const hop *o = &ops[evs[j].op];
    if (evs[j].invoke)
      lin_history_add(h, LIN_INVOKE, evs[j].time, o->client, o->f, o->key, o->arg, 0);
    else
      lin_history_add(h, o->end, evs[j].time, o->client, o->f, o->key,
                      o->end == LIN_OK ? o->out : "", 0);
  }
  free(evs);
}

/* Check ops against a model and return the verdict; diag the explanation when it is not want. */
static lin_verdict check_ops(const hop *ops, size_t n, const lin_model *m, lin_verdict want,
                             lin_result *keep) {
  lin_history h;
  build(&h, ops, n);
  lin_result r;
  lin_verdict v = lincheck_check(&h, m, NULL, &r);
  if (v != want) tap_diag("%s", r.explanation);
  if (keep)
    *keep = r;
  else
    lincheck_result_free(&r);
  lin_history_free(&h);
  return v;
}

#define N(a) (sizeof(a) / sizeof(a)[0])
#define OK LIN_OK
#define FAIL LIN_FAIL
#define INFO LIN_INFO
#define OPEN LIN_INVOKE
#define NEVER LIN_NEVER

/* ---------------------------------------------------------------------------------------------
 * Part 1: hand-made histories.
 */
static void sequential(void *arg) {
  (void)arg;
  /* write 1, then read 1, then read nil: the last read saw a value that was overwritten before
   * it began. */
  hop good[] = {{0, "write", "1", "1", 0, 10, OK, ""}, {1, "read", "", "1", 20, 30, OK, ""}};
  tap_is_int(check_ops(good, N(good), &lin_model_register, LIN_LINEARIZABLE, NULL),
             LIN_LINEARIZABLE, "write 1; read 1 is linearizable");
  hop bad[] = {{0, "write", "1", "1", 0, 10, OK, ""}, {1, "read", "", "nil", 20, 30, OK, ""}};
  lin_result r;
  tap_is_int(check_ops(bad, N(bad), &lin_model_register, LIN_NOT_LINEARIZABLE, &r),
             LIN_NOT_LINEARIZABLE, "write 1; read nil is not");
  /* The explanation: the prefix is the write (invoke event 0), the read (event 2) is stuck. */
  tap_is_int((int64_t)r.prefix_len, 1, "the longest prefix has one operation");
  tap_ok(r.prefix_len == 1 && r.prefix[0] == 0, "the prefix is the write (invoke event 0)");
  tap_ok(r.stuck_len == 1 && r.stuck[0] == 2, "the read (invoke event 2) cannot go next");
  tap_ok(strstr(r.explanation, "client 1: read -> nil [20us .. 30us]: impossible") != NULL,
         "the explanation names the read with its times: %s", r.explanation);
  tap_ok(strstr(r.explanation, "state after the prefix: 1") != NULL,
         "the explanation gives the state after the prefix");
  lincheck_result_free(&r);
}

static void overlapping(void *arg) {
  (void)arg;
  /* A read that overlaps a write may see either the old or the new value. */
  hop old_value[] = {{0, "write", "1", "1", 0, 100, OK, ""},
                     {1, "read", "", "nil", 10, 20, OK, ""}};
  hop new_value[] = {{0, "write", "1", "1", 0, 100, OK, ""}, {1, "read", "", "1", 10, 20, OK, ""}};
  tap_is_int(check_ops(old_value, 2, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "a concurrent read may return the old value");
  tap_is_int(check_ops(new_value, 2, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "a concurrent read may return the new value");
  /* But once one read has returned the new value, a read that starts later cannot see the old
   * one (the new-old inversion linearizability forbids and sequential consistency allows). */
  hop inversion[] = {{0, "write", "1", "1", 0, 100, OK, ""},
                     {1, "read", "", "1", 10, 20, OK, ""},
                     {2, "read", "", "nil", 30, 40, OK, ""}};
  tap_is_int(check_ops(inversion, 3, &lin_model_register, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "new then old, during one write, is not linearizable");
  /* Two overlapping writes: readers after both must agree on one winner. */
  hop agree[] = {{0, "write", "1", "1", 0, 50, OK, ""},
                 {1, "write", "2", "2", 0, 50, OK, ""},
                 {2, "read", "", "2", 60, 70, OK, ""},
                 {3, "read", "", "2", 80, 90, OK, ""}};
  hop disagree[] = {{0, "write", "1", "1", 0, 50, OK, ""},
                    {1, "write", "2", "2", 0, 50, OK, ""},
                    {2, "read", "", "2", 60, 70, OK, ""},
                    {3, "read", "", "1", 80, 90, OK, ""}};
  tap_is_int(check_ops(agree, 4, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "concurrent writes 1 and 2, later reads both 2");
  tap_is_int(check_ops(disagree, 4, &lin_model_register, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "concurrent writes 1 and 2, later reads 2 then 1");
}

static void info_ops(void *arg) {
  (void)arg;
  /* An info write must take effect: a later read saw its value. */
  hop must[] = {{0, "write", "1", "", 0, 10, INFO, ""}, {1, "read", "", "1", 50, 60, OK, ""}};
  tap_is_int(check_ops(must, 2, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "an info write that a later read saw took effect");
  /* An info write must not take effect: a later read saw the initial value. */
  hop must_not[] = {{0, "write", "1", "", 0, 10, INFO, ""}, {1, "read", "", "nil", 50, 60, OK, ""}};
  tap_is_int(check_ops(must_not, 2, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "an info write that no read saw may never take effect");
  /* It may take effect late: long after the info, a read still sees nil, then a read sees 1. */
  hop late[] = {{0, "write", "1", "", 0, 10, INFO, ""},
                {1, "read", "", "nil", 50, 60, OK, ""},
                {1, "read", "", "1", 70, 80, OK, ""}};
  tap_is_int(check_ops(late, 3, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "an info write may take effect long after its info");
  /* But once seen it stays: 1 then nil is impossible. */
  hop flicker[] = {{0, "write", "1", "", 0, 10, INFO, ""},
                   {1, "read", "", "1", 50, 60, OK, ""},
                   {1, "read", "", "nil", 70, 80, OK, ""}};
  tap_is_int(check_ops(flicker, 3, &lin_model_register, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "an info write cannot take effect and then be undone");
  /* An invoke that never completes is an info operation too. */
  hop open_op[] = {{0, "write", "1", "", 0, NEVER, OPEN, ""}, {1, "read", "", "1", 50, 60, OK, ""}};
  tap_is_int(check_ops(open_op, 2, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "a write that never completed may have taken effect");
  /* Jepsen never reuses a client after an info; we treat its next invoke as a new process. */
  hop reuse[] = {{0, "write", "1", "", 0, 10, INFO, ""},
                 {0, "read", "", "nil", 20, 30, OK, ""},
                 {0, "read", "", "1", 40, 50, OK, ""}};
  tap_is_int(check_ops(reuse, 3, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "a client that goes on after an info is a fresh process");
  /* An info cas: it took effect only if the register held its old value. */
  hop cas_info[] = {{0, "write", "1", "1", 0, 10, OK, ""},
                    {1, "cas", "1 2", "", 20, 30, INFO, ""},
                    {2, "read", "", "2", 40, 50, OK, ""}};
  tap_is_int(check_ops(cas_info, 3, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "an info cas 1->2 explains a later read of 2");
  hop cas_info_bad[] = {{0, "write", "3", "3", 0, 10, OK, ""},
                        {1, "cas", "1 2", "", 20, 30, INFO, ""},
                        {2, "read", "", "2", 40, 50, OK, ""}};
  tap_is_int(check_ops(cas_info_bad, 3, &lin_model_register, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "an info cas 1->2 cannot explain 2 when the register held 3");
}

static void failed_ops(void *arg) {
  (void)arg;
  /* A failed cas did not take effect: the checker drops it. */
  hop failed[] = {{0, "write", "1", "1", 0, 10, OK, ""},
                  {1, "cas", "2 3", "", 20, 30, FAIL, ""},
                  {2, "read", "", "1", 40, 50, OK, ""}};
  lin_result r;
  tap_is_int(check_ops(failed, 3, &lin_model_register, LIN_LINEARIZABLE, &r), LIN_LINEARIZABLE,
             "a failed cas is dropped");
  tap_is_int((int64_t)r.failed_ops, 1, "one failed operation counted");
  tap_is_int((int64_t)r.ops, 2, "two operations checked");
  lincheck_result_free(&r);
  /* Even a failed write whose value a read then saw: fail means "certainly not". */
  hop failed_seen[] = {{0, "write", "1", "", 0, 10, FAIL, ""},
                       {1, "read", "", "1", 20, 30, OK, ""}};
  tap_is_int(check_ops(failed_seen, 2, &lin_model_register, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "a read cannot see the value of a failed write");
  /* An ok cas must have matched. */
  hop cas_ok_bad[] = {{0, "write", "1", "1", 0, 10, OK, ""},
                      {1, "cas", "2 3", "2 3", 20, 30, OK, ""}};
  tap_is_int(check_ops(cas_ok_bad, 2, &lin_model_register, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "an ok cas 2->3 on a register holding 1 is impossible");
  hop cas_ok[] = {{0, "write", "1", "1", 0, 10, OK, ""},
                  {1, "cas", "1 3", "1 3", 20, 30, OK, ""},
                  {2, "read", "", "3", 40, 50, OK, ""}};
  tap_is_int(check_ops(cas_ok, 3, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "an ok cas 1->3, then read 3");
}

static void equal_times(void *arg) {
  (void)arg;
  /* The rule: A precedes B only if A returned strictly before B was invoked. A return and an
   * invoke at the same instant are concurrent (the safe choice: never a false alarm). */
  hop touching[] = {{0, "write", "1", "1", 0, 50, OK, ""}, {1, "read", "", "nil", 50, 60, OK, ""}};
  tap_is_int(check_ops(touching, 2, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "a read invoked at the write's return time may miss the write");
  hop after[] = {{0, "write", "1", "1", 0, 50, OK, ""}, {1, "read", "", "nil", 51, 60, OK, ""}};
  tap_is_int(check_ops(after, 2, &lin_model_register, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "one microsecond later it may not");
  /* Zero-length operations at the same instant are all concurrent. */
  hop instant[] = {{0, "write", "1", "1", 5, 5, OK, ""},
                   {1, "read", "", "nil", 5, 5, OK, ""},
                   {2, "read", "", "1", 5, 5, OK, ""}};
  tap_is_int(check_ops(instant, 3, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "operations at one instant may go in any order");
  /* The same client: its ok and its next invoke at one time are concurrent too. */
  hop same_client[] = {{0, "write", "1", "1", 0, 50, OK, ""},
                       {0, "read", "", "nil", 50, 60, OK, ""}};
  tap_is_int(check_ops(same_client, 2, &lin_model_register, LIN_LINEARIZABLE, NULL),
             LIN_LINEARIZABLE, "a client's next op at its previous op's return time overlaps it");
}

static void keys(void *arg) {
  (void)arg;
  /* kv: keys are independent; appends build strings; the failing key is reported. */
  hop ops[] = {{0, "append", "a", "a", 0, 10, OK, "x"},
               {1, "append", "b", "b", 0, 10, OK, "x"},
               {2, "get", "", "ba", 20, 30, OK, "x"},
               {0, "put", "q", "q", 40, 50, OK, "y"},
               {1, "get", "", "", 60, 70, OK, "y"}};
  lin_result r;
  tap_is_int(check_ops(ops, N(ops), &lin_model_kv, LIN_NOT_LINEARIZABLE, &r), LIN_NOT_LINEARIZABLE,
             "key y reads \"\" after put q");
  tap_is_str(r.key, "y", "the failing key is y");
  tap_is_int((int64_t)r.partitions, 2, "two keys, two partitions");
  tap_is_int((int64_t)r.part_ops, 2, "key y has two operations");
  lincheck_result_free(&r);
  ops[4].out = "q";
  tap_is_int(check_ops(ops, N(ops), &lin_model_kv, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "with get y -> q every key linearizes (x: b then a)");
  ops[2].out = "ab";
  tap_is_int(check_ops(ops, N(ops), &lin_model_kv, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "and with x: a then b");
  ops[2].out = "a";
  tap_is_int(check_ops(ops, N(ops), &lin_model_kv, LIN_NOT_LINEARIZABLE, NULL),
             LIN_NOT_LINEARIZABLE, "but not when the get misses an append that returned before it");
  /* The register model is per key as well. */
  hop regs[] = {{0, "write", "1", "1", 0, 10, OK, "a"}, {1, "read", "", "nil", 20, 30, OK, "b"}};
  tap_is_int(check_ops(regs, 2, &lin_model_register, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "registers a and b are independent");
}

static void bad_histories(void *arg) {
  (void)arg;
  lin_history h;
  lin_result r;
  /* A completion with no invoke. */
  lin_history_init(&h, false, "h.log");
  lin_history_add(&h, LIN_OK, 0, 3, "read", "", "1", 7);
  tap_is_int(lincheck_check(&h, &lin_model_register, NULL, &r), LIN_BAD_HISTORY,
             "an ok without an invoke is a bad history");
  tap_is_str(r.explanation,
             "h.log:7: client 3 completes read (ok) but has no operation in progress",
             "with the line in the message");
  lincheck_result_free(&r);
  lin_history_free(&h);
  /* Two invokes in a row. */
  lin_history_init(&h, false, "h.log");
  lin_history_add(&h, LIN_INVOKE, 0, 1, "write", "", "1", 1);
  lin_history_add(&h, LIN_INVOKE, 0, 1, "write", "", "2", 2);
  tap_is_int(lincheck_check(&h, &lin_model_register, NULL, &r), LIN_BAD_HISTORY,
             "a second invoke while the first is open is a bad history");
  tap_ok(strstr(r.explanation, "h.log:2: client 1 invokes write while its write") != NULL, "%s",
         r.explanation);
  lincheck_result_free(&r);
  lin_history_free(&h);
  /* A completion of another operation. */
  lin_history_init(&h, false, "");
  lin_history_add(&h, LIN_INVOKE, 0, 1, "write", "", "1", 0);
  lin_history_add(&h, LIN_OK, 0, 1, "read", "", "1", 0);
  tap_is_int(lincheck_check(&h, &lin_model_register, NULL, &r), LIN_BAD_HISTORY,
             "an ok for another operation is a bad history");
  tap_ok(strncmp(r.explanation, "event 1: ", 9) == 0, "without lines, the event number: %s",
         r.explanation);
  lincheck_result_free(&r);
  lin_history_free(&h);
  /* An operation the model does not know. */
  lin_history_init(&h, false, "");
  lin_history_add(&h, LIN_INVOKE, 0, 1, "append", "", "1", 0);
  tap_is_int(lincheck_check(&h, &lin_model_register, NULL, &r), LIN_BAD_HISTORY,
             "append on a register is a bad history");
  tap_is_str(r.explanation,
             "event 0: the register model has no operation \"append\" (it knows read, write, cas)",
             "the message lists the model's operations");
  lincheck_result_free(&r);
  lin_history_free(&h);
  /* The empty history is linearizable. */
  lin_history_init(&h, true, NULL);
  tap_is_int(lincheck_check(&h, &lin_model_kv, NULL, &r), LIN_LINEARIZABLE,
             "the empty history is linearizable");
  lincheck_result_free(&r);
  lin_history_free(&h);
}

/* A lab's own model: a counter with inc (arg: amount) and get (out: value), state = decimal. */
static bool counter_step(const char *state, const lin_op *op, lin_text *next) {
  long v = strtol(state, NULL, 10);
  if (strcmp(op->f, "inc") == 0) {
    lin_text_printf(next, "%ld", v + strtol(op->arg, NULL, 10));
    return true;
  }
  lin_text_set(next, state);
  return op->out == NULL || strtol(op->out, NULL, 10) == v;
}

static void describe_counter(const char *state, lin_text *out) {
  lin_text_printf(out, "count=%s", state);
}

static const char *const counter_ops[] = {"inc", "get", NULL};
static const lin_model counter_model = {.name = "counter",
                                        .initial = "0",
                                        .by_key = false,
                                        .ops = counter_ops,
                                        .step = counter_step,
                                        .describe = describe_counter};

static void own_model(void *arg) {
  (void)arg;
  hop ops[] = {{0, "inc", "2", "", 0, 10, OK, ""},
               {1, "inc", "3", "", 5, 20, OK, ""},
               {2, "get", "", "3", 6, 8, OK, ""},
               {2, "get", "", "5", 30, 40, OK, ""}};
  tap_is_int(check_ops(ops, 4, &counter_model, LIN_LINEARIZABLE, NULL), LIN_LINEARIZABLE,
             "a counter: inc 3 went first, then inc 2");
  ops[3].out = "3";
  lin_result r;
  tap_is_int(check_ops(ops, 4, &counter_model, LIN_NOT_LINEARIZABLE, &r), LIN_NOT_LINEARIZABLE,
             "a counter that lost an increment");
  tap_ok(strstr(r.explanation, "count=5") != NULL, "the model's describe is used: %s",
         r.explanation);
  lincheck_result_free(&r);
}

static void records(void *arg) {
  (void)arg;
  /* The simulator's history, as a lab hands it over. */
  sim_op_record recs[] = {
      {SIM_OP_INVOKE, 1000, 0, "write", "x", "1"}, {SIM_OP_INVOKE, 1500, 1, "read", "x", ""},
      {SIM_OP_OK, 2000, 0, "write", "x", "1"},     {SIM_OP_OK, 2500, 1, "read", "x", "1"},
      {SIM_OP_INVOKE, 3000, 2, "read", "x", ""},   {SIM_OP_OK, 3100, 2, "read", "x", "nil"},
  };
  lin_result r;
  tap_is_int(lincheck_check_records(recs, 4, &lin_model_register, &r), LIN_LINEARIZABLE,
             "records: write 1 overlapping read 1");
  lincheck_result_free(&r);
  tap_is_int(lincheck_check_records(recs, 6, &lin_model_register, &r), LIN_NOT_LINEARIZABLE,
             "records: a later read of nil");
  tap_ok(r.stuck_len == 1 && r.stuck[0] == 4, "the stuck read is record 4");
  tap_ok(strstr(r.explanation, "client 2: read key=x -> nil [3ms .. 3.100ms]") != NULL ||
             strstr(r.explanation, "client 2: read key=x -> nil [3.000ms .. 3.100ms]") != NULL,
         "times in the explanation: %s", r.explanation);
  lincheck_result_free(&r);
}

/* A node that does nothing: the world needs one to start. */
static void idle_boot(sim_node *n, void *state) { (void)n, (void)state; }
static const sim_protocol idle_protocol = {.name = "idle", .state_size = 1, .boot = idle_boot};

static void from_simulator(void *arg) {
  (void)arg;
  /* A world records a history and writes it to its trace; the checker reads both the records
   * and the trace file, and they must agree. Clients 0 and 1 overlap; client 2 reads late. */
  char path[256];
  snprintf(path, sizeof path, "/tmp/lib-lincheck-%d-sim.jsonl", (int)getpid());
  FILE *f = fopen(path, "w");
  if (!f) tap_skip("cannot write a temporary file");
  sim_world *w = sim_create(7);
  sim_add_node(w, &idle_protocol, NULL, 0);
  sim_trace_to(w, f, "07-consistency", "lincheck-test");
  sim_start(w);
  sim_run_for(w, 1 * SIM_MS);
  sim_history_add(w, SIM_OP_INVOKE, 0, "write", "x", "1");
  sim_run_for(w, 1 * SIM_MS);
  sim_history_add(w, SIM_OP_INVOKE, 1, "read", "x", "");
  sim_run_for(w, 1 * SIM_MS);
  sim_history_add(w, SIM_OP_OK, 0, "write", "x", "1");
  sim_history_add(w, SIM_OP_OK, 1, "read", "x", "nil");
  sim_run_for(w, 1 * SIM_MS);
  sim_history_add(w, SIM_OP_INVOKE, 2, "cas", "x", "nil 5");
  sim_run_for(w, 1 * SIM_MS);
  sim_history_add(w, SIM_OP_FAIL, 2, "cas", "x", "");
  sim_history_add(w, SIM_OP_INVOKE, 2, "read", "x", "");
  sim_run_for(w, 1 * SIM_MS);
  sim_history_add(w, SIM_OP_OK, 2, "read", "x", "1");
  size_t n;
  const sim_op_record *recs = sim_history(w, &n);
  lin_result r;
  tap_is_int(lincheck_check_records(recs, n, &lin_model_register, &r), LIN_LINEARIZABLE,
             "the simulator's records are linearizable");
  lincheck_result_free(&r);
  sim_destroy(w); /* it may write a last line to the trace: close the file after it */
  fclose(f);
  lin_history h;
  char err[512];
  history_format used;
  if (history_read_file(path, HISTORY_GUESS, &h, &used, err, sizeof err) != 0) {
    tap_ok(false, "the trace reads back: %s", err);
  } else {
    tap_is_int(used, HISTORY_TRACE, "the trace is recognised");
    tap_is_int((int64_t)h.count, (int64_t)n, "every record is in the trace");
    tap_ok(h.count == n && h.events[3].time == 3 * SIM_MS, "with its virtual time");
    tap_ok(history_default_model(used, &h) == &lin_model_register, "read/write/cas: register");
    tap_is_int(lincheck_check(&h, &lin_model_register, NULL, &r), LIN_LINEARIZABLE,
               "the trace is linearizable too");
    lincheck_result_free(&r);
    lin_history_free(&h);
  }
  unlink(path);
}

static void budget(void *arg) {
  (void)arg;
  /* Many concurrent writes and a read of a value nobody wrote: the search must try every order
   * of the writes before it gives up, more than 10 steps. */
  hop ops[9];
  for (int i = 0; i < 8; i++) ops[i] = (hop){i, "write", "1", "1", 0, 100, OK, ""};
  ops[8] = (hop){8, "read", "", "2", 0, 100, OK, ""};
  lin_history h;
  build(&h, ops, 9);
  lin_options opt = {.max_steps = 10};
  lin_result r;
  tap_is_int(lincheck_check(&h, &lin_model_register, &opt, &r), LIN_UNKNOWN,
             "a step budget that runs out gives unknown");
  tap_ok(r.steps <= 10, "and at most that many steps (%llu)", (unsigned long long)r.steps);
  lincheck_result_free(&r);
  tap_is_int(lincheck_check(&h, &lin_model_register, NULL, &r), LIN_NOT_LINEARIZABLE,
             "without a budget: not linearizable");
  lincheck_result_free(&r);
  lin_history_free(&h);
}

/* ---------------------------------------------------------------------------------------------
 * Part 2: the readers.
 */

/* Write text to a fresh temporary file with the given suffix; returns its malloc'd path. */
static char *temp_file(const char *suffix, const char *text) {
  static int counter;
  char *path = malloc(256);
  snprintf(path, 256, "/tmp/lib-lincheck-%d-%d%s", (int)getpid(), counter++, suffix);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return path;
}

/* Read text as a file with that suffix; returns the verdict or -1 with err filled. */
static int read_and_check(const char *suffix, const char *text, history_format fmt,
                          history_format *used, char *err, size_t cap) {
  char *path = temp_file(suffix, text);
  lin_history h;
  int rc = history_read_file(path, fmt, &h, used, err, cap);
  int v = -1;
  if (rc == 0) {
    lin_result r;
    v = (int)lincheck_check(&h, history_default_model(*used, &h), NULL, &r);
    if (v == LIN_BAD_HISTORY) snprintf(err, cap, "%s", r.explanation);
    lincheck_result_free(&r);
  } else {
    /* Replace the random path by "FILE" so the messages can be compared. */
    size_t n = strlen(path);
    if (strncmp(err, path, n) == 0) {
      memmove(err + 4, err + n, strlen(err + n) + 1);
      memcpy(err, "FILE", 4);
    }
  }
  lin_history_free(&h);
  unlink(path);
  free(path);
  return v;
}

static void readers(void *arg) {
  (void)arg;
  char err[512];
  history_format used;
  /* A Causeway trace: header, history lines and other events (skipped). */
  const char *trace =
      "{\"causeway\":1,\"lab\":\"07-consistency\",\"nodes\":[\"n0\"]}\n"
      "{\"t\":3100,\"ev\":\"invoke\",\"client\":0,\"op\":\"write\",\"key\":\"x\",\"value\":\"1\"}\n"
      "{\"t\":3150,\"ev\":\"send\",\"node\":0,\"to\":0,\"id\":1,\"type\":\"Put\",\"body\":\"client="
      "1\"}\n"
      "{\"t\":3200,\"ev\":\"ok\",\"client\":0,\"op\":\"write\",\"key\":\"x\",\"value\":\"1\"}\n"
      "{\"t\":3300,\"ev\":\"invoke\",\"client\":1,\"op\":\"cas\",\"key\":\"x\",\"value\":\"1 2\"}\n"
      "{\"t\":3400,\"ev\":\"ok\",\"client\":1,\"op\":\"cas\",\"key\":\"x\",\"value\":\"1 2\"}\n"
      "{\"t\":3500,\"ev\":\"invoke\",\"client\":0,\"op\":\"read\",\"key\":\"x\",\"value\":\"\"}\n"
      "{\"t\":3600,\"ev\":\"ok\",\"client\":0,\"op\":\"read\",\"key\":\"x\",\"value\":\"2\"}\n";
  tap_is_int(read_and_check(".jsonl", trace, HISTORY_GUESS, &used, err, sizeof err),
             LIN_LINEARIZABLE, "a trace is read and linearizable");
  tap_is_int(used, HISTORY_TRACE, "its format is guessed from the content");
  const char *bad_trace = "{\"causeway\":1}\n{\"t\":1,\"ev\":\"invoke\",\"client\":0}\n";
  tap_is_int(read_and_check(".jsonl", bad_trace, HISTORY_GUESS, &used, err, sizeof err), -1,
             "a trace event without op is an error");
  tap_is_str(err, "FILE:2: missing \"op\" (the operation name)", "reported with its line");
  const char *no_header = "{\"t\":1,\"ev\":\"invoke\",\"client\":0,\"op\":\"read\"}\n";
  tap_is_int(read_and_check(".jsonl", no_header, HISTORY_TRACE, &used, err, sizeof err), -1,
             "a trace without its header is an error");
  tap_is_str(err, "FILE:1: expected the trace header {\"causeway\":1,...} on the first line",
             "and says what the first line should be");
  const char *broken = "{\"causeway\":1}\n{\"t\":1,\"ev\":\"ok\",\"client\":0,\n";
  tap_is_int(read_and_check(".jsonl", broken, HISTORY_TRACE, &used, err, sizeof err), -1,
             "broken JSON is an error");
  tap_ok(strncmp(err, "FILE:2: invalid JSON: ", 22) == 0, "at its line: %s", err);

  /* Jepsen's etcd log, with tabs and with spaces, cas values in brackets, info with :timed-out. */
  const char *jepsen =
      "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
      "INFO  jepsen.util - 1 :invoke :cas [1 2]\n"
      "INFO  jepsen.util - 1 :info :cas :timed-out\n"
      "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
      "INFO  jepsen.util - 2\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 2\t:ok\t:read\t2\n";
  tap_is_int(read_and_check(".log", jepsen, HISTORY_GUESS, &used, err, sizeof err),
             LIN_LINEARIZABLE, "a Jepsen log: the info cas explains the read of 2");
  tap_is_int(used, HISTORY_JEPSEN_ETCD, "guessed as jepsen-etcd");
  const char *jepsen_bad =
      "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
      "INFO  jepsen.util - 0\t:done\t:write\t1\n";
  tap_is_int(read_and_check(".log", jepsen_bad, HISTORY_GUESS, &used, err, sizeof err), -1,
             "an unknown type is an error");
  tap_is_str(err, "FILE:2: unknown type :done (expected :invoke, :ok, :fail or :info)",
             "with its line");

  /* Porcupine's kv log. */
  const char *kv =
      "{:process 0, :type :invoke, :f :append, :key \"1\", :value \"x 0 0 y\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"1\", :value nil}\n"
      "{:process :nemesis, :type :info, :f :start, :value nil}\n"
      "{:process 0, :type :ok, :f :append, :key \"1\", :value \"x 0 0 y\"}\n"
      "{:process 1, :type :ok, :f :get, :key \"1\", :value \"\"}\n"
      "{:process 1, :type :invoke, :f :get, :key \"1\", :value nil}\n"
      "{:process 1, :type :ok, :f :get, :key \"1\", :value \"x 0 0 y\"}\n";
  tap_is_int(read_and_check(".txt", kv, HISTORY_GUESS, &used, err, sizeof err), LIN_LINEARIZABLE,
             "a Porcupine kv log (the nemesis line skipped)");
  tap_is_int(used, HISTORY_PORCUPINE_KV, "guessed as porcupine-kv");
  const char *kv_bad =
      "{:process 0, :type :invoke, :f :get, :key \"1\", :value nil}\n"
      "{:process 0, :type :ok, :f :get, :key \"1\", :value \"abc}\n";
  tap_is_int(read_and_check(".txt", kv_bad, HISTORY_GUESS, &used, err, sizeof err), -1,
             "an unterminated string is an error");
  tap_is_str(err, "FILE:2: unterminated string", "with its line");
  /* Pairing errors come back from the checker with FILE:LINE too. */
  const char *kv_unpaired = "{:process 0, :type :ok, :f :get, :key \"1\", :value \"\"}\n";
  tap_is_int(read_and_check(".txt", kv_unpaired, HISTORY_GUESS, &used, err, sizeof err),
             LIN_BAD_HISTORY, "an ok with no invoke is a bad history");
  tap_ok(strstr(err, ":1: client 0 completes get (ok) but has no operation in progress") != NULL,
         "%s", err);
  /* Nothing to go on. */
  tap_is_int(read_and_check(".dat", "hello\n", HISTORY_GUESS, &used, err, sizeof err), -1,
             "an unknown format is an error");
  tap_is_str(err, "FILE: cannot tell the format; use --format trace, jepsen-etcd or porcupine-kv",
             "that says how to name it");
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: the real histories.
 */
static const char *histories_dir(void) {
  static char found[1024];
  const char *env = getenv("CAUSEWAY_HISTORIES");
  const char *candidates[] = {env, "../shared/data/jepsen-histories",
                              "../../shared/data/jepsen-histories",
                              "../../../shared/data/jepsen-histories"};
  for (size_t i = 0; i < N(candidates); i++) {
    if (!candidates[i]) continue;
    char path[1100];
    snprintf(path, sizeof path, "%s/expected.tsv", candidates[i]);
    struct stat st;
    if (stat(path, &st) == 0) {
      snprintf(found, sizeof found, "%s", candidates[i]);
      return found;
    }
  }
  return NULL;
}

typedef struct expected_file {
  char path[2048];
  char name[512];
  bool linearizable;
} expected_file;

static void real_history(void *arg) {
  const expected_file *e = arg;
  char err[1024];
  lin_history h;
  history_format used;
  tap_replay("build/rel/bin/lincheck %s", e->path);
  if (history_read_file(e->path, HISTORY_GUESS, &h, &used, err, sizeof err) != 0) {
    tap_ok(false, "read %s: %s", e->name, err);
    return;
  }
  lin_result r;
  lin_verdict v = lincheck_check(&h, history_default_model(used, &h), NULL, &r);
  lin_verdict want = e->linearizable ? LIN_LINEARIZABLE : LIN_NOT_LINEARIZABLE;
  if (!tap_is_int(v, want, "%s is %s", e->name, lincheck_verdict_name(want)))
    tap_diag("%s", r.explanation);
  if (v == LIN_NOT_LINEARIZABLE)
    tap_ok(r.stuck_len > 0, "the explanation names operations that cannot go next");
  lincheck_result_free(&r);
  lin_history_free(&h);
}

static void real_histories(void) {
  const char *dir = histories_dir();
  if (!dir) {
    tap_todo_line(
        "real Jepsen and Porcupine histories",
        "not found: set CAUSEWAY_HISTORIES or put them in ../shared/data/jepsen-histories");
    return;
  }
  char path[1100];
  snprintf(path, sizeof path, "%s/expected.tsv", dir);
  FILE *f = fopen(path, "r");
  char line[512];
  int count = 0;
  while (f && fgets(line, sizeof line, f)) {
    char *tab = strchr(line, '\t');
    if (!tab || strncmp(line, "file\t", 5) == 0) continue;
    *tab = '\0';
    expected_file e;
    snprintf(e.name, sizeof e.name, "%s", line);
    snprintf(e.path, sizeof e.path, "%s/%s", dir, line);
    e.linearizable = strncmp(tab + 1, "yes", 3) == 0;
    char name[600];
    snprintf(name, sizeof name, "%s: %s", e.name,
             e.linearizable ? "linearizable" : "not linearizable");
    tap_case(name, real_history, &e);
    count++;
  }
  if (f) fclose(f);
  tap_ok(count >= 56, "expected.tsv lists %d histories", count);
}

/* ---------------------------------------------------------------------------------------------
 * Part 4: agreement with a brute-force checker on small random histories.
 *
 * The brute force knows nothing of Wing & Gong or of memoization: it extends a sequence one
 * operation at a time in every possible way, keeping only sequences that respect real time
 * (no operation placed before one that returned strictly before it was invoked) and that the
 * model accepts; unknown operations may be left out. It succeeds when every ok operation is placed.
 */
typedef struct brute {
  const lin_op *ops;
  size_t n;
  const lin_model *m;
  bool used[16];
} brute;

static bool brute_extend(brute *b, const char *state, size_t placed_ok, size_t total_ok) {
  if (placed_ok == total_ok) return true;
  for (size_t i = 0; i < b->n; i++) {
    if (b->used[i]) continue;
    /* Real time: every op not yet placed that returned strictly before op i was invoked must
     * come before it, unless it is unknown and will be left out; an ok one must be placed. */
    bool allowed = true;
    for (size_t j = 0; j < b->n && allowed; j++)
      if (j != i && !b->used[j] && !b->ops[j].unknown && b->ops[j].ret < b->ops[i].call)
        allowed = false;
    if (!allowed) continue;
    lin_text next = {0};
    lin_text_set(&next, "");
    bool ok = b->m->step(state, &b->ops[i], &next);
    if (ok) {
      b->used[i] = true;
      ok = brute_extend(b, next.s, placed_ok + !b->ops[i].unknown, total_ok);
      b->used[i] = false;
    }
    lin_text_free(&next);
    if (ok) return true;
  }
  return false;
}

/* Note: when an unknown op is left out forever it imposes nothing, and an unknown op that is
 * placed has return time LIN_NEVER, so it never forces another op to wait. */
static bool brute_check(const lin_op *ops, size_t n, const lin_model *m) {
  brute b = {ops, n, m, {0}};
  size_t total_ok = 0;
  for (size_t i = 0; i < n; i++) total_ok += !ops[i].unknown;
  return brute_extend(&b, m->initial, 0, total_ok);
}

/* Generate a random register history of n ops over k clients on one key. Returns it as hops
 * (strings in bufs). With `honest`, read results come from a real register updated at random
 * linearization points, so the history is linearizable; otherwise some results are random. */
typedef struct gen {
  hop ops[8];
  char args[8][8], outs[8][8];
  size_t n;
} gen;

static void generate(rng *g, gen *out, bool honest) {
  size_t n = 1 + rng_below(g, 7);
  int clients = 1 + (int)rng_below(g, 4);
  uint64_t clock[4] = {0};
  uint64_t lp[8];
  out->n = n;
  for (size_t i = 0; i < n; i++) {
    int c = (int)rng_below(g, (uint64_t)clients);
    hop *o = &out->ops[i];
    memset(o, 0, sizeof *o);
    o->client = c;
    o->key = "";
    o->call = clock[c] + rng_below(g, 4); /* small times: many ties */
    o->ret = o->call + rng_below(g, 6);
    clock[c] = o->ret;
    lp[i] = o->call * 16 + rng_below(g, (o->ret - o->call) * 16 + 1);
    uint64_t kind = rng_below(g, 3);
    o->f = kind == 0 ? "read" : kind == 1 ? "write" : "cas";
    snprintf(out->args[i], sizeof out->args[i], "%s", "");
    if (kind == 1) snprintf(out->args[i], sizeof out->args[i], "%d", (int)rng_below(g, 3));
    if (kind == 2)
      snprintf(out->args[i], sizeof out->args[i], "%d %d", (int)rng_below(g, 3),
               (int)rng_below(g, 3));
    o->arg = out->args[i];
    o->end = OK;
    uint64_t fate = rng_below(g, 10);
    if (fate == 0) o->end = INFO;
    if (fate == 1) o->end = FAIL;
    if (fate == 2) o->end = OPEN;
  }
  /* Apply the ops to a real register in linearization-point order (ties by index). */
  size_t order[8];
  for (size_t i = 0; i < n; i++) order[i] = i;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && lp[order[j]] < lp[order[j - 1]]; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  char reg[8] = "nil";
  for (size_t k = 0; k < n; k++) {
    size_t i = order[k];
    hop *o = &out->ops[i];
    bool effect = o->end == OK || ((o->end == INFO || o->end == OPEN) && rng_below(g, 2));
    if (o->end == FAIL) effect = false;
    if (o->f[0] == 'r') {
      snprintf(out->outs[i], sizeof out->outs[i], "%s", reg);
    } else if (o->f[0] == 'w') {
      if (effect) snprintf(reg, sizeof reg, "%s", o->arg);
      snprintf(out->outs[i], sizeof out->outs[i], "%s", o->arg);
    } else {
      char old[8], new_[8];
      sscanf(o->arg, "%7s %7s", old, new_);
      bool match = strcmp(old, reg) == 0;
      /* A cas that does not match fails: recorded as fail (or left unknown). */
      if (o->end == OK && !match) o->end = FAIL;
      if (effect && match) snprintf(reg, sizeof reg, "%s", new_);
      snprintf(out->outs[i], sizeof out->outs[i], "%s", o->arg);
    }
    if (!honest && rng_below(g, 3) == 0) {
      if (o->f[0] == 'r')
        snprintf(out->outs[i], sizeof out->outs[i], "%d", (int)rng_below(g, 3));
      else if (o->f[0] == 'c' && o->end == FAIL)
        o->end = OK; /* claim a cas succeeded that did not match */
    }
    o->out = out->outs[i];
  }
  /* Only a client's last operation may stay open (an open one blocks the client forever). */
  for (size_t i = 0; i < n; i++) {
    hop *o = &out->ops[i];
    for (size_t j = i + 1; j < n && o->end == OPEN; j++)
      if (out->ops[j].client == o->client) o->end = INFO;
    if (o->end == OPEN) o->ret = NEVER;
  }
}

/* The ops a history pairs into, as the checker sees them (for the brute force). */
static size_t to_ops(const gen *gn, lin_op *ops) {
  size_t k = 0;
  for (size_t i = 0; i < gn->n; i++) {
    const hop *o = &gn->ops[i];
    if (o->end == FAIL) continue;
    lin_op *p = &ops[k++];
    memset(p, 0, sizeof *p);
    p->client = o->client;
    p->call = o->call;
    p->unknown = o->end != OK;
    p->ret = p->unknown ? NEVER : o->ret;
    p->f = o->f;
    p->key = "";
    p->arg = o->arg;
    p->out = p->unknown ? NULL : o->out;
  }
  return k;
}

static void random_agreement(void *arg) {
  (void)arg;
  rng g;
  rng_seed(&g, 2026, 7);
  int agree = 0, lin = 0, nonlin = 0, honest_failures = 0, total = 4000;
  for (int t = 0; t < total; t++) {
    gen gn;
    bool honest = t % 2 == 0;
    generate(&g, &gn, honest);
    lin_op ops[8];
    size_t k = to_ops(&gn, ops);
    bool want = brute_check(ops, k, &lin_model_register);
    lin_history h;
    build(&h, gn.ops, gn.n);
    lin_result r;
    lin_verdict v = lincheck_check(&h, &lin_model_register, NULL, &r);
    if ((v == LIN_LINEARIZABLE) == want && v != LIN_BAD_HISTORY) {
      agree++;
    } else if (agree + 5 > t) {
      tap_diag("history %d disagrees: brute force says %s, the checker %s", t,
               want ? "linearizable" : "not", lincheck_verdict_name(v));
      for (size_t i = 0; i < h.count; i++)
        tap_diag("  t=%llu client %d %s %s %s", (unsigned long long)h.events[i].time,
                 h.events[i].client,
                 (const char *[]){"invoke", "ok", "fail", "info"}[h.events[i].phase], h.events[i].f,
                 h.events[i].value);
      tap_diag("%s", r.explanation);
    }
    if (want)
      lin++;
    else
      nonlin++;
    if (honest && !want) honest_failures++;
    lincheck_result_free(&r);
    lin_history_free(&h);
  }
  tap_is_int(agree, total, "the checker agrees with the brute force on %d random histories", total);
  tap_is_int(honest_failures, 0, "histories made from a real register are all linearizable");
  tap_ok(lin > total / 5 && nonlin > total / 10, "both verdicts occur: %d linearizable, %d not",
         lin, nonlin);
}

/* A model of two kv keys "a" and "b" at once: the state is "A|B". Not cut by key. */
static bool joint_step(const char *state, const lin_op *op, lin_text *next) {
  const char *bar = strchr(state, '|');
  size_t alen = (size_t)(bar - state);
  bool is_a = strcmp(op->key, "a") == 0;
  lin_text part = {0}, after = {0};
  if (is_a)
    lin_text_appendn(&part, state, alen);
  else
    lin_text_append(&part, bar + 1);
  lin_text_set(&after, "");
  bool ok = lin_model_kv.step(part.s ? part.s : "", op, &after);
  lin_text_set(next, "");
  if (is_a) {
    lin_text_append(next, after.s);
    lin_text_append(next, bar);
  } else {
    lin_text_appendn(next, state, alen + 1);
    lin_text_append(next, after.s);
  }
  lin_text_free(&part);
  lin_text_free(&after);
  return ok;
}

static const lin_model joint_kv = {
    .name = "kv2", .initial = "|", .by_key = false, .step = joint_step};

/* The same on random kv histories over two keys, where partitioning matters. */
static void random_kv_agreement(void *arg) {
  (void)arg;
  rng g;
  rng_seed(&g, 2026, 8);
  static const char *const keys[] = {"a", "b"};
  static const char *const vals[] = {"x", "y", "z"};
  int agree = 0, lin = 0, total = 2000;
  for (int t = 0; t < total; t++) {
    hop hs[7];
    size_t n = 1 + rng_below(&g, 7);
    uint64_t clock[3] = {0};
    for (size_t i = 0; i < n; i++) {
      int c = (int)rng_below(&g, 3);
      uint64_t kind = rng_below(&g, 3);
      hs[i] = (hop){c,  kind == 0 ? "get" : kind == 1 ? "put" : "append",
                    "", "",
                    0,  0,
                    OK, keys[rng_below(&g, 2)]};
      hs[i].call = clock[c] + rng_below(&g, 3);
      hs[i].ret = hs[i].call + rng_below(&g, 5);
      clock[c] = hs[i].ret;
      if (kind) hs[i].arg = vals[rng_below(&g, 3)];
      if (kind == 0) {
        static const char *const reads[] = {"", "x", "y", "xy", "yx", "z", "xz"};
        hs[i].out = reads[rng_below(&g, 7)];
      } else {
        hs[i].out = hs[i].arg;
      }
      if (rng_below(&g, 8) == 0) hs[i].end = INFO;
    }
    /* Brute force on the whole history with one joint state for both keys, so that the
     * checker's cutting by key is checked too. */
    lin_op ops[7];
    for (size_t i = 0; i < n; i++) {
      ops[i] = (lin_op){.client = hs[i].client,
                        .call = hs[i].call,
                        .ret = hs[i].end == OK ? hs[i].ret : NEVER,
                        .unknown = hs[i].end != OK,
                        .f = hs[i].f,
                        .key = hs[i].key,
                        .arg = hs[i].arg,
                        .out = hs[i].end == OK ? hs[i].out : NULL};
    }
    bool want = brute_check(ops, n, &joint_kv);
    lin_history h;
    build(&h, hs, n);
    lin_result r;
    lin_verdict v = lincheck_check(&h, &lin_model_kv, NULL, &r);
    if ((v == LIN_LINEARIZABLE) == want) agree++;
    lin += want;
    lincheck_result_free(&r);
    lin_history_free(&h);
  }
  tap_is_int(agree, total, "kv: the checker agrees with a per-key brute force on %d histories",
             total);
  tap_ok(lin > total / 10 && lin < total - total / 10, "both verdicts occur: %d linearizable", lin);
}

/* ---------------------------------------------------------------------------------------------
 * The command (when it has been built): exit statuses and messages.
 */
static int run_lincheck(const char *args, char *out, size_t cap) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s/lincheck %s 2>&1", CAUSEWAY_BIN_DIR, args);
  FILE *p = popen(cmd, "r");
  if (!p) return -1;
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void command(void *arg) {
  (void)arg;
  char bin[1024], out[8192];
  snprintf(bin, sizeof bin, "%s/lincheck", CAUSEWAY_BIN_DIR);
  if (access(bin, X_OK) != 0) tap_skip("build/MODE/bin/lincheck is not built");
  tap_is_int(run_lincheck("", out, sizeof out), 2, "no FILE: usage, exit 2");
  tap_ok(strncmp(out, "lincheck: no history FILE given\nhint: ", 38) == 0, "%s", out);
  tap_ok(strchr(out, '\n') && strchr(strchr(out, '\n') + 1, '\n') == out + strlen(out) - 1,
         "two lines: the reason and a hint");
  tap_is_int(run_lincheck("--model queue x", out, sizeof out), 2, "unknown model: exit 2");
  tap_ok(strstr(out, "unknown model \"queue\" (register or kv)") != NULL, "%s", out);
  tap_is_int(run_lincheck("/nonexistent/history.log", out, sizeof out), 2,
             "a missing file: exit 2");
  char *good = temp_file(".log",
                         "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
                         "INFO  jepsen.util - 0\t:ok\t:write\t1\n");
  char *bad = temp_file(".log",
                        "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
                        "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
                        "INFO  jepsen.util - 1\t:invoke\t:read\tnil\n"
                        "INFO  jepsen.util - 1\t:ok\t:read\tnil\n");
  char *broken = temp_file(".log", "INFO  jepsen.util - 0\t:ok\t:write\t1\n");
  char args[512];
  snprintf(args, sizeof args, "%s", good);
  tap_is_int(run_lincheck(args, out, sizeof out), 0, "linearizable: exit 0");
  tap_ok(strstr(out, ": linearizable: 1 operations") != NULL, "%s", out);
  snprintf(args, sizeof args, "%s", bad);
  tap_is_int(run_lincheck(args, out, sizeof out), 1, "not linearizable: exit 1");
  tap_ok(strstr(out, "client 1: read -> nil [line 3 .. line 4]: impossible in this state") != NULL,
         "%s", out);
  snprintf(args, sizeof args, "--format porcupine-kv %s", good);
  tap_is_int(run_lincheck(args, out, sizeof out), 2, "the wrong --format: exit 2");
  snprintf(args, sizeof args, "%s", broken);
  tap_is_int(run_lincheck(args, out, sizeof out), 2, "an unpaired ok: exit 2");
  tap_ok(strstr(out, ":1: client 0 completes write (ok) but has no operation in progress") != NULL,
         "%s", out);
  unlink(good);
  unlink(bad);
  unlink(broken);
  free(good);
  free(bad);
  free(broken);
}

int main(void) {
  tap_case("sequential histories and the explanation", sequential, NULL);
  tap_case("overlapping operations", overlapping, NULL);
  tap_case("info operations: must, must not, late", info_ops, NULL);
  tap_case("failed operations are dropped", failed_ops, NULL);
  tap_case("equal times are concurrent", equal_times, NULL);
  tap_case("keys are checked apart", keys, NULL);
  tap_case("bad histories", bad_histories, NULL);
  tap_case("a lab's own model", own_model, NULL);
  tap_case("simulator records", records, NULL);
  tap_case("a history from the simulator and its trace", from_simulator, NULL);
  tap_case("a step budget", budget, NULL);
  tap_case("the three readers", readers, NULL);
  real_histories();
  tap_case("random register histories agree with brute force", random_agreement, NULL);
  tap_case("random kv histories agree with brute force", random_kv_agreement, NULL);
  tap_case("the lincheck command", command, NULL);
  return tap_done();
}
