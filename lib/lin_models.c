/*
 * lin_models.c: the sequential models the linearizability checker ships with.
 *
 * A model is the specification a concurrent object must look like: a state (as canonical text),
 * an initial state, and a step function that says whether an operation with its observed result
 * is possible in a state, and what state it leaves. These two are the objects Jepsen's and
 * Porcupine's histories exercise:
 *
 *   register  read / write / cas on one value per key, initially "nil" (Jepsen's etcd test).
 *   kv        get / put / append on one string per key, initially "" (Porcupine's kv test).
 *
 * A lab with another object (a counter, a queue, a lock) writes its own lin_model in the same
 * shape: see lincheck.h for the contract of each field.
 */
#include <string.h>

#include "lincheck.h"

/* Read: possible only if it returned what the register holds (any value if unknown). */
static bool step_read(const char *state, const lin_op *op, lin_text *next) {
  lin_text_set(next, state);
  return op->out == NULL || strcmp(op->out, state) == 0;
}

/* Compare-and-set "old new": takes effect only when the value is old. A cas that completed ok
 * must have matched (a mismatch is recorded as fail, which the checker drops). An unknown cas
 * that would not match has no effect, which is the same as not linearizing it at all. */
static bool step_cas(const char *state, const lin_op *op, lin_text *next) {
  const char *space = strchr(op->arg, ' ');
  if (!space) return false;
  size_t old_len = (size_t)(space - op->arg);
  if (strlen(state) != old_len || memcmp(state, op->arg, old_len) != 0) return false;
  lin_text_set(next, space + 1);
  return true;
}

static bool register_step(const char *state, const lin_op *op, lin_text *next) {
  if (strcmp(op->f, "read") == 0) return step_read(state, op, next);
  if (strcmp(op->f, "write") == 0) {
    lin_text_set(next, op->arg);
    return true;
  }
  if (strcmp(op->f, "cas") == 0) return step_cas(state, op, next);
  return false;
}

static const char *const register_ops[] = {"read", "write", "cas", NULL};

const lin_model lin_model_register = {
    .name = "register",
    .initial = "nil",
    .by_key = true, /* one independent register per key; Jepsen's etcd test has one key */
    .ops = register_ops,
    .step = register_step,
};

static bool kv_step(const char *state, const lin_op *op, lin_text *next) {
  if (strcmp(op->f, "get") == 0) return step_read(state, op, next);
  if (strcmp(op->f, "put") == 0) {
    lin_text_set(next, op->arg);
    return true;
  }
  if (strcmp(op->f, "append") == 0) {
    lin_text_set(next, state);
    lin_text_append(next, op->arg);
    return true;
  }
  return false;
}

static const char *const kv_ops[] = {"get", "put", "append", NULL};

const lin_model lin_model_kv = {
    .name = "kv",
    .initial = "",
    .by_key = true,
    .ops = kv_ops,
    .step = kv_step,
};

const lin_model *lin_model_find(const char *name) {
  if (!name) return NULL;
  if (strcmp(name, "register") == 0) return &lin_model_register;
  if (strcmp(name, "kv") == 0) return &lin_model_kv;
  return NULL;
}
