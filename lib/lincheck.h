/*
 * lincheck.h: client histories and the linearizability checker.
 *
 * A history is what clients saw: for every operation an invoke event, then (usually) one
 * completion, exactly as Jepsen records them:
 *
 *   ok    the operation took effect; its value (a read's result) is known.
 *   fail  the operation certainly did not take effect: the checker drops it.
 *   info  nobody knows: it may have taken effect at any moment after its invoke, or never. It
 *         stays open to the end of the history. An invoke with no completion at all is treated
 *         the same way. Jepsen never reuses a client after an info; we tolerate it by treating the
 *         client's next invoke as a fresh process.
 *
 * A history is linearizable (Herlihy & Wing, 1990, "Linearizability: A Correctness Condition for
 * Concurrent Objects") when every ok operation, and any subset of the info operations, can be
 * put in one sequential order that (1) respects real time: if A returned before B was invoked,
 * A comes first; and (2) is a legal run of the sequential model (a register, a key-value map,
 * or a model a lab writes). Each operation then appears to take effect at one instant between
 * its invoke and its return: its linearization point.
 *
 * The search (lincheck.c) is Wing & Gong's ("Testing and verifying concurrent objects", 1993):
 * repeatedly pick an operation that could take effect first (its invoke precedes the earliest
 * pending return), apply it to the model, go on, and backtrack when stuck. Lowe ("Testing for
 * linearizability", 2017) adds the memoization that makes it fast: a cache of configurations
 * (set of operations already linearized, model state) already explored, since reaching the same
 * pair twice can never succeed the second time. Porcupine and Knossos's "linear" checker take
 * the same approach. Where the model says keys are independent (by_key), the history is cut into
 * one sub-history per key and each is checked alone: Herlihy & Wing's locality theorem says a
 * history is linearizable iff each object's sub-history is ("P-compositionality" in Horn &
 * Kroening, "Faster linearizability checking via P-compositionality", 2015).
 *
 * Equal times: operation A precedes B only if A's return time is strictly less than B's invoke
 * time. Events with equal times are treated as concurrent (at equal times invokes sort before
 * returns), which can only make the checker more permissive, never report a false violation.
 * Histories without times (Jepsen and Porcupine logs) use each event's position as its time, so
 * there are no ties.
 *
 * Model states are text (canonical: two equal states must have identical text unless the model
 * provides equal and hash). A lab adds its own model by filling a lin_model; see the register
 * and kv models in lin_models.c for examples.
 *
 * Usage from a lab:
 *
 *   size_t n;
 *   const sim_op_record *recs = sim_history(world, &n);
 *   lin_result r;
 *   if (lincheck_check_records(recs, n, &lin_model_register, &r) != LIN_LINEARIZABLE)
 *     diag("%s", r.explanation);
 *   lincheck_result_free(&r);
 */
#ifndef CAUSEWAY_LINCHECK_H
#define CAUSEWAY_LINCHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* The return time of an operation that never returned (info, or no completion). */
#define LIN_NEVER UINT64_MAX

/* ---------------------------------------------------------------------------------------------
 * Histories: a list of events with owned strings.
 */
typedef enum { LIN_INVOKE, LIN_OK, LIN_FAIL, LIN_INFO } lin_phase;

typedef struct lin_event {
  lin_phase phase;
  uint64_t time;     /* virtual microseconds if the history is timed, else the event's position */
  int client;        /* Jepsen's process */
  const char *f;     /* operation name: "read", "write", "cas", "get", "put", "append", ... */
  const char *key;   /* "" if the operation has no key */
  const char *value; /* invoke: the argument; ok: the result; "" if none. Owned by the history */
  int line;          /* line in the source file (1-based), 0 if it did not come from a file */
} lin_event;

typedef struct lin_history {
  lin_event *events;
  size_t count, cap;
  bool timed;                /* true: times are virtual microseconds; false: positions (no ties) */
  char *source;              /* file name for messages ("" if none); owned */
  struct lin_chunk *strings; /* private: storage for the event strings */
} lin_history;

/* Start an empty history. timed says whether event times are microseconds (traces, simulator
 * records) or plain positions (Jepsen and Porcupine logs). source (may be NULL) names the file
 * in messages; it is copied. Free with lin_history_free. */
void lin_history_init(lin_history *h, bool timed, const char *source);
/* Append one event; f, key and value are copied (NULL key or value means ""). time is used only
 * if the history is timed (else the event's position is its time). line is the source line for
 * messages, 0 if none. Aborts on out-of-memory. */
void lin_history_add(lin_history *h, lin_phase phase, uint64_t time, int client, const char *f,
                     const char *key, const char *value, int line);
/* Free everything the history owns and leave it empty (safe to call twice). */
void lin_history_free(lin_history *h);

/* ---------------------------------------------------------------------------------------------
 * Operations: what models see. The checker pairs each invoke with its completion.
 */
typedef struct lin_op {
  int client;
  uint64_t call;   /* invoke time */
  uint64_t ret;    /* completion time; LIN_NEVER if unknown (info or never completed) */
  bool unknown;    /* info: may or may not have taken effect; out is NULL */
  const char *f;   /* operation name */
  const char *key; /* "" if none */
  const char *arg; /* the invoke's value ("" if none): what a write writes, "old new" for cas */
  const char *out; /* the ok's value (a read's result), or NULL if unknown */
  size_t invoke;   /* index of the invoke event in the history (or record array) */
  size_t done;     /* index of the completion event, or SIZE_MAX if none */
  int line;        /* source line of the invoke, 0 if none */
} lin_op;

/* A growable text buffer that models write their next state into. s is always NUL-ended. */
typedef struct lin_text {
  char *s;
  size_t len, cap;
} lin_text;

/* Replace the text with s / append s / append printf-style. Abort on out-of-memory. Free with
 * lin_text_free. A zeroed lin_text is a valid empty buffer. */
void lin_text_set(lin_text *t, const char *s);
void lin_text_append(lin_text *t, const char *s);
void lin_text_appendn(lin_text *t, const char *s, size_t n);
void lin_text_printf(lin_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lin_text_free(lin_text *t);

/* ---------------------------------------------------------------------------------------------
 * Models: the sequential specification an implementation must look like.
 */
typedef struct lin_model {
  const char *name;       /* "register", "kv", ... */
  const char *initial;    /* text of the initial state (of each key when by_key) */
  bool by_key;            /* operations on different keys are independent: check per key */
  const char *const *ops; /* NULL-ended list of operation names the model knows; an
                             operation not listed is a bad history (checked before search) */
  /* Apply op to state. Return true if op may take effect in this state (a read must return the
   * value the state holds, say), writing the resulting state into next; false if op is
   * impossible here. op->out is NULL when the outcome is unknown (info): accept then, in any
   * state where the operation could have run, and write the effect it would have. */
  bool (*step)(const char *state, const lin_op *op, lin_text *next);
  /* Optional (NULL: byte-wise text comparison / hash). Use them when one state has several
   * texts; they must agree: equal states, equal hashes. */
  bool (*equal)(const char *a, const char *b);
  uint64_t (*hash)(const char *state);
  /* Optional (NULL: the text in quotes): a short human description of a state. */
  void (*describe)(const char *state, lin_text *out);
} lin_model;

/* Built-in models (lin_models.c).
 * register: one register per key, initially "nil"; read (result in out), write (arg), cas (arg
 *           "old new": takes effect only if the register holds old; a failed cas is recorded as
 *           fail, so an ok cas must have matched).
 * kv:       one string per key, initially ""; get (result in out), put (arg), append (arg is
 *           added to the end). */
extern const lin_model lin_model_register;
extern const lin_model lin_model_kv;
/* The built-in model of that name, or NULL. */
const lin_model *lin_model_find(const char *name);

/* ---------------------------------------------------------------------------------------------
 * The checker.
 */
typedef enum {
  LIN_LINEARIZABLE = 0,     /* every per-key part linearizes */
  LIN_NOT_LINEARIZABLE = 1, /* some part does not: see the explanation */
  LIN_BAD_HISTORY = 2,      /* unpaired events, unknown operation, ...: see the explanation */
  LIN_UNKNOWN = 3           /* the search gave up after options.max_steps model steps */
} lin_verdict;

typedef struct lin_options {
  uint64_t max_steps; /* give up (LIN_UNKNOWN) after this many model steps in all; 0: never */
  size_t max_shown;   /* operations of the prefix shown in the explanation; 0: 12 */
  bool all_keys;      /* false: stop at the first key found not to linearize (keys are searched
                         in turns, so the quickest to refute is found first); true: decide every
                         key, to count them in bad_partitions */
} lin_options;

typedef struct lin_result {
  lin_verdict verdict;
  size_t ops;            /* operations checked: ok and unknown ones (failed ones are dropped) */
  size_t failed_ops;     /* fail events dropped */
  size_t unknown_ops;    /* info or never completed */
  size_t partitions;     /* keys checked separately (1 if the model is not by_key) */
  size_t bad_partitions; /* keys that do not linearize */
  uint64_t steps;        /* model steps taken by the search, in all */
  uint64_t cache_size;   /* configurations memoized, in all */
  /* For LIN_NOT_LINEARIZABLE, about the first key (in key order) that fails; else NULL / 0.
   * Entries are indices of invoke events in the history (or the record array). Owned. */
  char *key;      /* that key ("" if none) */
  size_t *prefix; /* the longest linearizable prefix found, in linearization order */
  size_t prefix_len;
  size_t part_ops; /* operations on that key */
  size_t *stuck;   /* the operations that could go next after the prefix but cannot */
  size_t stuck_len;
  /* Always set: a human explanation (verdict, then for a failure the prefix, the state it
   * leaves and why each candidate cannot go next, with times). Owned. */
  char *explanation;
} lin_result;

/* Check a history against a model. opt may be NULL (defaults). Always fills *out (free it with
 * lincheck_result_free) and returns out->verdict. An invalid history (a completion with no open
 * invoke, a completion whose operation or key differs from its invoke, an operation the model
 * does not know) gives LIN_BAD_HISTORY with "SOURCE:LINE: reason" as the explanation (or
 * "SOURCE: event N: reason" when events have no line; "history: event N: ..." for records). The
 * history is not modified. */
lin_verdict lincheck_check(const lin_history *h, const lin_model *model, const lin_options *opt,
                           lin_result *out);

/* The same for a simulator history (sim_history()), with default options; times are virtual
 * microseconds; indices in the result are indices into recs. */
lin_verdict lincheck_check_records(const sim_op_record *recs, size_t n, const lin_model *model,
                                   lin_result *out);

/* Fill h (initialised here; free it with lin_history_free) with the simulator records, one event
 * each, in order: for a lab that wants options (a step budget) or to add events of its own. */
void lincheck_history_from_records(const sim_op_record *recs, size_t n, lin_history *h);

/* Free what a result owns and zero it (safe to call twice). */
void lincheck_result_free(lin_result *r);

/* "linearizable", "not linearizable", "bad history" or "unknown". */
const char *lincheck_verdict_name(lin_verdict v);

/* Describe an operation in one line ("client 3: cas 1 2 [0.120s .. 0.250s]"), for messages,
 * into out (replacing its text). timed says how to print times. */
void lincheck_describe_op(const lin_op *op, bool timed, lin_text *out);

#endif
