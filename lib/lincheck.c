/*
 * lincheck.c: the linearizability checker (see lincheck.h for the definitions and sources).
 *
 * The work happens in four steps:
 *
 *   1. pair_ops: walk the history once and pair every invoke with its completion, per client.
 *      ok closes an operation; fail drops it (it did not take effect); info, or the end of the
 *      history, leaves it open forever (return time LIN_NEVER).
 *   2. Partition: when the model's keys are independent, sort the operations by key; each run of
 *      one key is checked alone. The per-key searches take turns, a slice of model steps each,
 *      so the key that is quickest to decide is decided first; the first key found not to
 *      linearize ends the check (a failing key can take far longer to refute than another).
 *   3. search: Wing & Gong's backtracking search with Lowe's memoization over one partition.
 *      The operations' invoke and return events sit in one doubly-linked list in time order.
 *      Scanning from the front, an invoke event names an operation that may go next (it was
 *      invoked before every pending return); the first return event met bounds the scan: the
 *      operation it belongs to must have gone by then, so meeting it means backtracking.
 *      Linearizing an operation "lifts" both its events out of the list (and backtracking puts
 *      them back, dancing-links style), so the list always holds exactly the pending events.
 *      Every (set of linearized operations, model state) pair reached is remembered; reaching
 *      one again is cut off at once (Lowe, "Testing for linearizability").
 *      The search succeeds as soon as every ok operation is linearized: unknown operations are
 *      linearized only where that helps, which is what "may or may not have taken effect" means.
 *   4. explain: on failure, the deepest point the search reached (the longest linearizable
 *      prefix found) and the operations that could have gone next there but cannot.
 */
#include "lincheck.h"
#include "mem.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Small allocation helpers: every allocation failure aborts (the library's rule).
 */
#define xrealloc(p, n) mem_realloc((p), (n), "lincheck")
#define xcalloc(n, size) mem_calloc((n), (size), "lincheck")
#define xstrdup(s) mem_strdup((s), "lincheck")

/* A chunked string store: strings live until the store is freed. */
struct lin_chunk {
  struct lin_chunk *next;
  size_t used, cap;
  char data[];
};

static char *chunk_strdup(struct lin_chunk **head, const char *s) {
  size_t n = strlen(s) + 1;
  struct lin_chunk *c = *head;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > 16384 ? n : 16384;
    c = xrealloc(NULL, sizeof *c + cap);
    c->next = *head;
    c->used = 0;
    c->cap = cap;
    *head = c;
  }
  char *p = c->data + c->used;
  memcpy(p, s, n);
  c->used += n;
  return p;
}

static void chunk_free(struct lin_chunk **head) {
  while (*head) {
    struct lin_chunk *next = (*head)->next;
    free(*head);
    *head = next;
  }
}

/* ---------------------------------------------------------------------------------------------
 * Text buffers.
 */
static void text_reserve(lin_text *t, size_t extra) {
  if (t->len + extra + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 64;
    while (cap < t->len + extra + 1) cap *= 2;
    t->s = xrealloc(t->s, cap);
    t->cap = cap;
  }
}

void lin_text_appendn(lin_text *t, const char *s, size_t n) {
  text_reserve(t, n);
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}

void lin_text_append(lin_text *t, const char *s) { lin_text_appendn(t, s, strlen(s)); }

void lin_text_set(lin_text *t, const char *s) {
  t->len = 0;
  text_reserve(t, 0);
  t->s[0] = '\0';
  lin_text_append(t, s);
}

void lin_text_printf(lin_text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    lin_text_appendn(t, small, (size_t)n);
    return;
  }
  text_reserve(t, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

void lin_text_free(lin_text *t) {
  free(t->s);
  t->s = NULL;
  t->len = t->cap = 0;
}

/* ---------------------------------------------------------------------------------------------
 * Histories.
 */
void lin_history_init(lin_history *h, bool timed, const char *source) {
  memset(h, 0, sizeof *h);
  h->timed = timed;
  h->source = xstrdup(source ? source : "");
}

void lin_history_add(lin_history *h, lin_phase phase, uint64_t time, int client, const char *f,
                     const char *key, const char *value, int line) {
  if (h->count == h->cap) {
    h->cap = h->cap ? 2 * h->cap : 256;
    h->events = xrealloc(h->events, h->cap * sizeof *h->events);
  }
  lin_event *e = &h->events[h->count++];
  e->phase = phase;
  e->time = h->timed ? time : (uint64_t)(h->count - 1);
  e->client = client;
  e->f = chunk_strdup(&h->strings, f ? f : "");
  e->key = (key && *key) ? chunk_strdup(&h->strings, key) : "";
  e->value = (value && *value) ? chunk_strdup(&h->strings, value) : "";
  e->line = line;
}

void lin_history_free(lin_history *h) {
  free(h->events);
  free(h->source);
  chunk_free(&h->strings);
  memset(h, 0, sizeof *h);
}

/* ---------------------------------------------------------------------------------------------
 * Describing operations and states.
 */

/* Format a time in microseconds as "40us", "12.500ms" or "1.25s". */
static void format_us(uint64_t t, lin_text *out) {
  if (t < 1000) {
    lin_text_printf(out, "%lluus", (unsigned long long)t);
  } else if (t < 1000000) {
    lin_text_printf(out, "%llu.%03llums", (unsigned long long)(t / 1000),
                    (unsigned long long)(t % 1000));
  } else {
    char frac[8];
    snprintf(frac, sizeof frac, "%06llu", (unsigned long long)(t % 1000000));
    for (int i = 5; i > 2 && frac[i] == '0'; i--) frac[i] = '\0';
    lin_text_printf(out, "%llu.%ss", (unsigned long long)(t / 1000000), frac);
  }
}

/* Append a value: bare if it is a plain word, quoted otherwise; long values keep their ends. */
static void append_value(lin_text *out, const char *v) {
  size_t n = strlen(v);
  bool plain = n > 0 && strpbrk(v, " \t\"") == NULL;
  if (n > 48) {
    lin_text_append(out, "\"");
    lin_text_appendn(out, v, 20);
    lin_text_append(out, "...");
    lin_text_append(out, v + n - 20);
    lin_text_printf(out, "\" (%zu chars)", n);
  } else if (plain) {
    lin_text_append(out, v);
  } else {
    lin_text_printf(out, "\"%s\"", v);
  }
}

/* A point in time of an operation: a time if timed, else a line or an event position. */
static void append_when(lin_text *out, bool timed, uint64_t t, int line) {
  if (t == LIN_NEVER)
    lin_text_append(out, "unknown");
  else if (timed)
    format_us(t, out);
  else if (line > 0)
    lin_text_printf(out, "line %d", line);
  else
    lin_text_printf(out, "event %llu", (unsigned long long)t);
}

/* Describe an op; done_line is the line of its completion (0 if none). */
static void describe_op(const lin_op *op, bool timed, int done_line, lin_text *out) {
  lin_text_printf(out, "client %d: %s", op->client, op->f);
  if (op->key[0]) {
    lin_text_append(out, " key=");
    append_value(out, op->key);
  }
  if (op->arg[0]) {
    lin_text_append(out, " ");
    append_value(out, op->arg);
  }
  if (op->unknown) {
    lin_text_append(out, " (outcome unknown)");
  } else if (op->out && strcmp(op->out, op->arg) != 0) {
    lin_text_append(out, " -> ");
    if (op->out[0])
      append_value(out, op->out);
    else
      lin_text_append(out, "\"\"");
  }
  lin_text_append(out, " [");
  append_when(out, timed, op->call, op->line);
  lin_text_append(out, " .. ");
  append_when(out, timed, op->ret, done_line);
  lin_text_append(out, "]");
}

void lincheck_describe_op(const lin_op *op, bool timed, lin_text *out) {
  lin_text_set(out, "");
  describe_op(op, timed, 0, out);
}

static void describe_state(const lin_model *m, const char *state, lin_text *out) {
  if (m->describe) {
    lin_text tmp = {0};
    m->describe(state, &tmp);
    lin_text_append(out, tmp.s ? tmp.s : "");
    lin_text_free(&tmp);
  } else if (state[0]) {
    append_value(out, state);
  } else {
    lin_text_append(out, "\"\"");
  }
}

const char *lincheck_verdict_name(lin_verdict v) {
  switch (v) {
    case LIN_LINEARIZABLE:
      return "linearizable";
    case LIN_NOT_LINEARIZABLE:
      return "not linearizable";
    case LIN_BAD_HISTORY:
      return "bad history";
    case LIN_UNKNOWN:
      return "unknown";
  }
  return "?";
}

/* ---------------------------------------------------------------------------------------------
 * Step 1: pair invokes with completions.
 */

/* An open-addressing map from client id to the index of its open operation. */
typedef struct client_map {
  int *client;
  size_t *op; /* SIZE_MAX: no open operation */
  bool *used;
  size_t cap, count;
} client_map;

static size_t client_slot(const client_map *m, int client) {
  size_t i = ((size_t)(unsigned)client * 2654435761u) & (m->cap - 1);
  while (m->used[i] && m->client[i] != client) i = (i + 1) & (m->cap - 1);
  return i;
}

static size_t *client_get(client_map *m, int client) {
  if (2 * (m->count + 1) > m->cap) {
    client_map old = *m;
    m->cap = old.cap ? 2 * old.cap : 64;
    m->client = xcalloc(m->cap, sizeof *m->client);
    m->op = xcalloc(m->cap, sizeof *m->op);
    m->used = xcalloc(m->cap, sizeof *m->used);
    for (size_t i = 0; i < old.cap; i++) {
      if (!old.used[i]) continue;
      size_t j = client_slot(m, old.client[i]);
      m->used[j] = true;
      m->client[j] = old.client[i];
      m->op[j] = old.op[i];
    }
    free(old.client);
    free(old.op);
    free(old.used);
  }
  size_t i = client_slot(m, client);
  if (!m->used[i]) {
    m->used[i] = true;
    m->client[i] = client;
    m->op[i] = SIZE_MAX;
    m->count++;
  }
  return &m->op[i];
}

static void client_map_free(client_map *m) {
  free(m->client);
  free(m->op);
  free(m->used);
}

/* Start a bad-history message with the event's place ("FILE:LINE: " or "event N: "). */
static void where(const lin_history *h, size_t i, lin_text *err) {
  const lin_event *e = &h->events[i];
  if (e->line > 0)
    lin_text_printf(err, "%s:%d: ", h->source[0] ? h->source : "history", e->line);
  else if (h->source[0])
    lin_text_printf(err, "%s: event %zu: ", h->source, i);
  else
    lin_text_printf(err, "event %zu: ", i);
}

static bool model_knows(const lin_model *m, const char *f) {
  if (!m->ops) return true;
  for (const char *const *p = m->ops; *p; p++)
    if (strcmp(*p, f) == 0) return true;
  return false;
}

static void model_op_list(const lin_model *m, lin_text *out) {
  for (const char *const *p = m->ops; p && *p; p++)
    lin_text_printf(out, "%s%s", p == m->ops ? "" : ", ", *p);
}

/* Pair the events of h into operations (failed ones dropped). Returns true and fills *ops_out
 * (malloc'd) and *n_out; on a bad history returns false with the reason in err. */
static bool pair_ops(const lin_history *h, const lin_model *m, lin_op **ops_out, size_t *n_out,
                     lin_result *r, lin_text *err) {
  lin_op *ops = xcalloc(h->count + 1, sizeof *ops);
  size_t n = 0;
  client_map open = {0};
  bool good = true;
  for (size_t i = 0; i < h->count && good; i++) {
    const lin_event *e = &h->events[i];
    uint64_t t = h->timed ? e->time : (uint64_t)i;
    size_t *slot = client_get(&open, e->client);
    if (e->phase == LIN_INVOKE) {
      if (*slot != SIZE_MAX) {
        where(h, i, err);
        lin_text_printf(err, "client %d invokes %s while its %s (invoked at ", e->client, e->f,
                        ops[*slot].f);
        append_when(err, h->timed, ops[*slot].call, ops[*slot].line);
        lin_text_append(err, ") has not completed");
        good = false;
        break;
      }
      if (!model_knows(m, e->f)) {
        where(h, i, err);
        lin_text_printf(err, "the %s model has no operation \"%s\" (it knows ", m->name, e->f);
        model_op_list(m, err);
        lin_text_append(err, ")");
        good = false;
        break;
      }
      lin_op *op = &ops[n];
      op->client = e->client;
      op->call = t;
      op->ret = LIN_NEVER;
      op->unknown = true;
      op->f = e->f;
      op->key = e->key;
      op->arg = e->value;
      op->out = NULL;
      op->invoke = i;
      op->done = SIZE_MAX;
      op->line = e->line;
      *slot = n++;
      continue;
    }
    if (*slot == SIZE_MAX) {
      where(h, i, err);
      lin_text_printf(err, "client %d completes %s (%s) but has no operation in progress",
                      e->client, e->f,
                      e->phase == LIN_OK     ? "ok"
                      : e->phase == LIN_FAIL ? "fail"
                                             : "info");
      good = false;
      break;
    }
    lin_op *op = &ops[*slot];
    if ((e->f[0] && strcmp(e->f, op->f) != 0) || (e->key[0] && strcmp(e->key, op->key) != 0)) {
      where(h, i, err);
      lin_text_printf(err, "client %d completes %s key=\"%s\" but invoked %s key=\"%s\"", e->client,
                      e->f, e->key, op->f, op->key);
      good = false;
      break;
    }
    if (h->timed && t < op->call) {
      where(h, i, err);
      lin_text_printf(err, "client %d's %s completes before it was invoked", e->client, e->f);
      good = false;
      break;
    }
    *slot = SIZE_MAX;
    if (e->phase == LIN_OK) {
      op->ret = t;
      op->unknown = false;
      op->out = e->value;
      op->done = i;
    } else if (e->phase == LIN_FAIL) {
      /* Jepsen: a failed operation certainly did not take effect; drop it (below). */
      r->failed_ops++;
      op->done = i;
      op->f = NULL;
    } else {
      /* info: unknown outcome, stays open to the end; the client may invoke again (a fresh
       * process, in Jepsen's terms) */
      op->done = i;
    }
  }
  client_map_free(&open);
  if (!good) {
    free(ops);
    return false;
  }
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    if (!ops[i].f) continue; /* failed */
    if (ops[i].unknown) r->unknown_ops++;
    ops[kept++] = ops[i];
  }
  n = kept;
  *ops_out = ops;
  *n_out = n;
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Step 3: the search over one partition.
 */
static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* Hash a NUL-ended text of length n, eight bytes at a time. */
static uint64_t text_hash_n(const char *s, size_t n) {
  uint64_t h = 0x6c696e636865636bULL ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = mix64(h ^ w);
  }
  uint64_t tail = 0;
  memcpy(&tail, s + i, n - i);
  return mix64(h ^ tail);
}

typedef struct search {
  const lin_model *m;
  lin_op **ops; /* this partition's operations */
  uint32_t n;
  size_t n_ok; /* operations that must be linearized */
  /* The event list: node 0 is the head, nodes 1..2n the events in time order, 2n+1 the tail.
   * A node's number is its position in time order. */
  uint32_t *next, *prev;
  uint32_t *node_op;              /* node -> operation */
  uint8_t *node_call;             /* node -> 1 for an invoke event */
  uint32_t *call_node, *ret_node; /* operation -> its nodes */
  /* The set of linearized operations, with an incremental (Zobrist) hash. */
  uint64_t *bits;
  size_t words;
  uint64_t *zob, zhash;
  /* Interned model states: id -> text. */
  struct lin_chunk *strings;
  char **st_text;
  size_t *st_len;
  uint64_t *st_hash;
  uint32_t st_n, st_cap;
  uint32_t *st_slot; /* open addressing: id + 1, 0 empty */
  uint32_t st_slot_cap;
  /* The memo cache of configurations (linearized set, state). */
  uint64_t *c_hash;
  uint32_t *c_state;
  uint64_t *c_bits; /* words per entry */
  size_t c_n, c_cap;
  uint32_t *c_slot;
  size_t c_slot_cap;
  /* The stack of linearized operations: the invoke node and the state before it. */
  uint32_t *stk_node, *stk_state;
  size_t depth;
  /* The deepest point reached. */
  size_t best_len;
  uint32_t *best_op, *best_after; /* operations in order, and the state after each */
  uint64_t *best_bits;
  uint32_t best_state;
  /* Where the search is, so that it can pause after a slice of steps and resume. */
  uint32_t x;        /* the event node being looked at */
  uint32_t state;    /* the current model state */
  size_t pending_ok; /* ok operations not linearized yet */
  uint64_t steps;    /* model steps taken */
  lin_text next_state;
} search;

static uint64_t state_hash(const search *s, const char *text, size_t len) {
  return s->m->hash ? s->m->hash(text) : text_hash_n(text, len);
}

/* Return the id of a state text of length len, adding it if new. */
static uint32_t intern(search *s, const char *text, size_t len) {
  uint64_t h = state_hash(s, text, len);
  if (2 * ((size_t)s->st_n + 1) > s->st_slot_cap) {
    uint32_t cap = s->st_slot_cap ? 2 * s->st_slot_cap : 64;
    free(s->st_slot);
    s->st_slot = xcalloc(cap, sizeof *s->st_slot);
    s->st_slot_cap = cap;
    for (uint32_t id = 0; id < s->st_n; id++) {
      size_t j = s->st_hash[id] & (cap - 1);
      while (s->st_slot[j]) j = (j + 1) & (cap - 1);
      s->st_slot[j] = id + 1;
    }
  }
  size_t j = h & (s->st_slot_cap - 1);
  while (s->st_slot[j]) {
    uint32_t id = s->st_slot[j] - 1;
    if (s->st_hash[id] == h &&
        (s->m->equal ? s->m->equal(s->st_text[id], text)
                     : s->st_len[id] == len && memcmp(s->st_text[id], text, len) == 0))
      return id;
    j = (j + 1) & (s->st_slot_cap - 1);
  }
  if (s->st_n == s->st_cap) {
    s->st_cap = s->st_cap ? 2 * s->st_cap : 64;
    s->st_text = xrealloc(s->st_text, s->st_cap * sizeof *s->st_text);
    s->st_len = xrealloc(s->st_len, s->st_cap * sizeof *s->st_len);
    s->st_hash = xrealloc(s->st_hash, s->st_cap * sizeof *s->st_hash);
  }
  uint32_t id = s->st_n++;
  s->st_text[id] = chunk_strdup(&s->strings, text);
  s->st_len[id] = len;
  s->st_hash[id] = h;
  s->st_slot[j] = id + 1;
  return id;
}

/* Remember the configuration (current bits, state). Returns true if it is new. */
static bool cache_add(search *s, uint32_t state) {
  uint64_t h = s->zhash ^ mix64(s->st_hash[state] ^ ((uint64_t)state << 32));
  if (2 * (s->c_n + 1) > s->c_slot_cap) {
    size_t cap = s->c_slot_cap ? 2 * s->c_slot_cap : 1024;
    free(s->c_slot);
    s->c_slot = xcalloc(cap, sizeof *s->c_slot);
    s->c_slot_cap = cap;
    for (size_t e = 0; e < s->c_n; e++) {
      size_t j = s->c_hash[e] & (cap - 1);
      while (s->c_slot[j]) j = (j + 1) & (cap - 1);
      s->c_slot[j] = (uint32_t)(e + 1);
    }
  }
  size_t j = h & (s->c_slot_cap - 1);
  while (s->c_slot[j]) {
    size_t e = s->c_slot[j] - 1;
    if (s->c_hash[e] == h && s->c_state[e] == state &&
        memcmp(s->c_bits + e * s->words, s->bits, s->words * sizeof *s->bits) == 0)
      return false;
    j = (j + 1) & (s->c_slot_cap - 1);
  }
  if (s->c_n == s->c_cap) {
    s->c_cap = s->c_cap ? 2 * s->c_cap : 1024;
    s->c_hash = xrealloc(s->c_hash, s->c_cap * sizeof *s->c_hash);
    s->c_state = xrealloc(s->c_state, s->c_cap * sizeof *s->c_state);
    s->c_bits = xrealloc(s->c_bits, s->c_cap * s->words * sizeof *s->c_bits);
  }
  size_t e = s->c_n++;
  s->c_hash[e] = h;
  s->c_state[e] = state;
  memcpy(s->c_bits + e * s->words, s->bits, s->words * sizeof *s->bits);
  s->c_slot[j] = (uint32_t)(e + 1);
  return true;
}

static void list_remove(search *s, uint32_t x) {
  s->next[s->prev[x]] = s->next[x];
  s->prev[s->next[x]] = s->prev[x];
}

static void list_restore(search *s, uint32_t x) {
  s->next[s->prev[x]] = x;
  s->prev[s->next[x]] = x;
}

static void flip_bit(search *s, uint32_t op) {
  s->bits[op / 64] ^= 1ULL << (op % 64);
  s->zhash ^= s->zob[op];
}

static bool bit_set(const uint64_t *bits, uint32_t op) { return (bits[op / 64] >> (op % 64)) & 1; }

/* Sort key of one event for building the list. */
typedef struct ev_key {
  uint64_t time;
  uint32_t kind; /* 0 invoke, 1 return: invokes first at equal times (equal times overlap) */
  uint32_t op;
} ev_key;

static int ev_key_cmp(const void *a, const void *b) {
  const ev_key *x = a, *y = b;
  if (x->time != y->time) return x->time < y->time ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->op < y->op ? -1 : x->op > y->op;
}

static void note_depth(search *s, uint32_t state);

static void search_init(search *s, const lin_model *m, lin_op **ops, uint32_t n) {
  memset(s, 0, sizeof *s);
  s->m = m;
  s->ops = ops;
  s->n = n;
  uint32_t nodes = 2 * n + 2;
  s->next = xcalloc(nodes, sizeof *s->next);
  s->prev = xcalloc(nodes, sizeof *s->prev);
  s->node_op = xcalloc(nodes, sizeof *s->node_op);
  s->node_call = xcalloc(nodes, sizeof *s->node_call);
  s->call_node = xcalloc(n, sizeof *s->call_node);
  s->ret_node = xcalloc(n, sizeof *s->ret_node);
  ev_key *keys = xcalloc(2 * (size_t)n, sizeof *keys);
  for (uint32_t i = 0; i < n; i++) {
    keys[2 * i] = (ev_key){ops[i]->call, 0, i};
    keys[2 * i + 1] = (ev_key){ops[i]->ret, 1, i};
    if (!ops[i]->unknown) s->n_ok++;
  }
  qsort(keys, 2 * (size_t)n, sizeof *keys, ev_key_cmp);
  for (uint32_t k = 0; k < 2 * n; k++) {
    uint32_t node = k + 1;
    s->node_op[node] = keys[k].op;
    s->node_call[node] = keys[k].kind == 0;
    if (keys[k].kind == 0)
      s->call_node[keys[k].op] = node;
    else
      s->ret_node[keys[k].op] = node;
  }
  free(keys);
  for (uint32_t x = 0; x < nodes; x++) {
    s->next[x] = x + 1 < nodes ? x + 1 : x;
    s->prev[x] = x > 0 ? x - 1 : 0;
  }
  s->words = (n + 63) / 64;
  if (s->words == 0) s->words = 1;
  s->bits = xcalloc(s->words, sizeof *s->bits);
  s->best_bits = xcalloc(s->words, sizeof *s->best_bits);
  s->zob = xcalloc(n, sizeof *s->zob);
  for (uint32_t i = 0; i < n; i++) s->zob[i] = mix64(0x6c696e636865636bULL + i);
  s->stk_node = xcalloc(n, sizeof *s->stk_node);
  s->stk_state = xcalloc(n, sizeof *s->stk_state);
  s->best_op = xcalloc(n, sizeof *s->best_op);
  s->best_after = xcalloc(n, sizeof *s->best_after);
  s->state = intern(s, m->initial, strlen(m->initial));
  cache_add(s, s->state);
  note_depth(s, s->state);
  s->pending_ok = s->n_ok;
  s->x = s->next[0];
}

static void search_free(search *s) {
  free(s->next);
  free(s->prev);
  free(s->node_op);
  free(s->node_call);
  free(s->call_node);
  free(s->ret_node);
  free(s->bits);
  free(s->best_bits);
  free(s->zob);
  chunk_free(&s->strings);
  free(s->st_text);
  free(s->st_len);
  free(s->st_hash);
  free(s->st_slot);
  free(s->c_hash);
  free(s->c_state);
  free(s->c_bits);
  free(s->c_slot);
  free(s->stk_node);
  free(s->stk_state);
  free(s->best_op);
  free(s->best_after);
  lin_text_free(&s->next_state);
}

/* Remember the current stack as the deepest point if it is. */
static void note_depth(search *s, uint32_t state) {
  if (s->depth < s->best_len || (s->depth == s->best_len && s->depth > 0)) return;
  s->best_len = s->depth;
  for (size_t i = 0; i < s->depth; i++) {
    s->best_op[i] = s->node_op[s->stk_node[i]];
    s->best_after[i] = i + 1 < s->depth ? s->stk_state[i + 1] : state;
  }
  s->best_state = state;
  memcpy(s->best_bits, s->bits, s->words * sizeof *s->bits);
}

/* What search_run reports. */
typedef enum { SEARCH_FOUND, SEARCH_NONE, SEARCH_PAUSED } search_status;

/* Run the search for at most `slice` more model steps. Returns SEARCH_FOUND (a linearization of
 * every ok operation exists), SEARCH_NONE (none does) or SEARCH_PAUSED (call again to go on). */
static search_status search_run(search *s, uint64_t slice) {
  uint64_t stop = s->steps + slice;
  uint32_t x = s->x, state = s->state;
  search_status result = SEARCH_FOUND;
  while (s->pending_ok > 0) {
    /* Every ok operation still pending has its return in the list, before the tail. */
    assert(x != 2 * s->n + 1);
    if (s->node_call[x]) {
      uint32_t op = s->node_op[x];
      if (s->steps >= stop) {
        result = SEARCH_PAUSED;
        break;
      }
      s->steps++;
      lin_text_set(&s->next_state, "");
      if (s->m->step(s->st_text[state], s->ops[op], &s->next_state)) {
        /* Most steps (reads) leave the state as it was: spare them the hashing. */
        const char *cur = s->st_text[state];
        uint32_t after = state;
        if (s->m->equal ? !s->m->equal(cur, s->next_state.s)
                        : s->next_state.len != s->st_len[state] ||
                              memcmp(cur, s->next_state.s, s->next_state.len) != 0)
          after = intern(s, s->next_state.s, s->next_state.len);
        /* An unknown operation that leaves the state as it is (an info read, a cas that would
         * not match) is never worth linearizing: skipping it keeps every option open. */
        bool useless = s->ops[op]->unknown && after == state;
        if (!useless) flip_bit(s, op);
        if (!useless && cache_add(s, after)) {
          /* Wing & Gong: linearize op here, lift its events and start over from the front. */
          s->stk_node[s->depth] = x;
          s->stk_state[s->depth] = state;
          s->depth++;
          state = after;
          list_remove(s, x);
          list_remove(s, s->ret_node[op]);
          if (!s->ops[op]->unknown) s->pending_ok--;
          note_depth(s, state);
          x = s->next[0];
          continue;
        }
        if (!useless) flip_bit(s, op); /* seen before: this branch cannot succeed (Lowe) */
      }
      x = s->next[x];
    } else {
      /* A return: its operation must have been linearized by now. Backtrack. */
      if (s->depth == 0) {
        result = SEARCH_NONE;
        break;
      }
      s->depth--;
      uint32_t call = s->stk_node[s->depth];
      uint32_t op = s->node_op[call];
      state = s->stk_state[s->depth];
      list_restore(s, s->ret_node[op]);
      list_restore(s, call);
      flip_bit(s, op);
      if (!s->ops[op]->unknown) s->pending_ok++;
      x = s->next[call];
    }
  }
  s->x = x;
  s->state = state;
  return result;
}

/* ---------------------------------------------------------------------------------------------
 * Step 4: explain a failure.
 */
static int done_line(const lin_history *h, const lin_op *op) {
  return op->done != SIZE_MAX ? h->events[op->done].line : 0;
}

static void explain_failure(search *s, const lin_history *h, const lin_options *opt, lin_result *r,
                            lin_text *out) {
  size_t shown = opt && opt->max_shown ? opt->max_shown : 12;
  const lin_model *m = s->m;
  const char *key = s->n ? s->ops[0]->key : "";
  if (m->by_key && key[0]) {
    lin_text_append(out, "key ");
    append_value(out, key);
    lin_text_append(out, ": ");
  }
  lin_text_printf(out, "the longest linearizable prefix found has %zu of %u operations",
                  s->best_len, s->n);
  if (s->best_len > shown) lin_text_printf(out, "; the last %zu", shown);
  lin_text_append(out, ":\n");
  size_t from = s->best_len > shown ? s->best_len - shown : 0;
  for (size_t i = from; i < s->best_len; i++) {
    const lin_op *op = s->ops[s->best_op[i]];
    lin_text_printf(out, "  %4zu. ", i + 1);
    describe_op(op, h->timed, done_line(h, op), out);
    lin_text_append(out, "  => ");
    describe_state(m, s->st_text[s->best_after[i]], out);
    lin_text_append(out, "\n");
  }
  lin_text_append(out, "state after the prefix: ");
  describe_state(m, s->st_text[s->best_state], out);
  lin_text_append(out, "\n");

  /* The pending operation with the earliest return bounds what may go next. */
  uint32_t first_ret = 2 * s->n + 1;
  uint32_t first_op = UINT32_MAX;
  for (uint32_t i = 0; i < s->n; i++) {
    if (bit_set(s->best_bits, i) || s->ops[i]->unknown) continue;
    if (s->ret_node[i] < first_ret) {
      first_ret = s->ret_node[i];
      first_op = i;
    }
  }
  r->stuck = xcalloc(s->n, sizeof *r->stuck);
  lin_text_append(out, "no pending operation can go next:\n");
  lin_text next = {0};
  for (uint32_t node = 1; node < first_ret; node++) {
    if (!s->node_call[node]) continue;
    uint32_t i = s->node_op[node];
    if (bit_set(s->best_bits, i)) continue;
    const lin_op *op = s->ops[i];
    r->stuck[r->stuck_len++] = op->invoke;
    lin_text_append(out, "  ");
    describe_op(op, h->timed, done_line(h, op), out);
    lin_text_set(&next, "");
    if (m->step(s->st_text[s->best_state], op, &next)) {
      lin_text_append(out, ": possible (=> ");
      describe_state(m, next.s, out);
      lin_text_append(out, "), but no linearization continues from there\n");
    } else {
      lin_text_append(out, ": impossible in this state\n");
    }
  }
  lin_text_free(&next);
  if (first_op != UINT32_MAX) {
    const lin_op *op = s->ops[first_op];
    lin_text_printf(out, "(client %d's %s returned at ", op->client, op->f);
    append_when(out, h->timed, op->ret, done_line(h, op));
    lin_text_append(out, ", so it and only operations invoked before that can go next)\n");
  }
}

/* ---------------------------------------------------------------------------------------------
 * The entry points.
 */
static int op_key_cmp(const void *a, const void *b) {
  const lin_op *x = *(lin_op *const *)a, *y = *(lin_op *const *)b;
  int c = strcmp(x->key, y->key);
  if (c) return c;
  return x->invoke < y->invoke ? -1 : x->invoke > y->invoke;
}

lin_verdict lincheck_check(const lin_history *h, const lin_model *model, const lin_options *opt,
                           lin_result *r) {
  memset(r, 0, sizeof *r);
  lin_text text = {0};
  lin_text_set(&text, "");
  lin_op *ops = NULL;
  size_t n = 0;
  if (!pair_ops(h, model, &ops, &n, r, &text)) {
    r->verdict = LIN_BAD_HISTORY;
    r->explanation = text.s;
    return r->verdict;
  }
  r->ops = n;
  lin_op **order = xcalloc(n, sizeof *order);
  for (size_t i = 0; i < n; i++) order[i] = &ops[i];
  if (model->by_key) qsort(order, n, sizeof *order, op_key_cmp);

  /* Cut the operations into partitions (runs of one key when the model allows). */
  size_t nparts = 0;
  size_t *part_lo = xcalloc(n + 2, sizeof *part_lo);
  for (size_t lo = 0; lo < n || (n == 0 && nparts == 0);) {
    size_t hi = n;
    if (model->by_key && n > 0) {
      hi = lo + 1;
      while (hi < n && strcmp(order[hi]->key, order[lo]->key) == 0) hi++;
    }
    part_lo[nparts++] = lo;
    lo = hi;
    if (n == 0) break;
  }
  part_lo[nparts] = n;
  r->partitions = nparts;

  /* Search every partition in turns, a slice of steps each, so that the partition that is
   * quickest to decide is decided first: one that does not linearize ends the whole check
   * (unless all_keys), as Porcupine's parallel search does. */
  search *runs = xcalloc(nparts, sizeof *runs);
  bool *live = xcalloc(nparts, sizeof *live);
  for (size_t p = 0; p < nparts; p++) {
    search_init(&runs[p], model, order + part_lo[p], (uint32_t)(part_lo[p + 1] - part_lo[p]));
    live[p] = true;
  }
  lin_text detail = {0};
  lin_text_set(&detail, "");
  uint64_t max_steps = opt ? opt->max_steps : 0;
  bool all_keys = opt && opt->all_keys;
  bool out_of_budget = false, stop = false;
  size_t nlive = nparts;
  const uint64_t slice = 20000;
  while (nlive > 0 && !stop) {
    for (size_t p = 0; p < nparts && !stop; p++) {
      if (!live[p]) continue;
      uint64_t budget = slice;
      if (max_steps) {
        if (r->steps >= max_steps) {
          out_of_budget = stop = true;
          break;
        }
        if (max_steps - r->steps < budget) budget = max_steps - r->steps;
      }
      search *s = &runs[p];
      uint64_t before = s->steps;
      search_status st = search_run(s, budget);
      r->steps += s->steps - before;
      if (st == SEARCH_PAUSED) continue;
      live[p] = false;
      nlive--;
      r->cache_size += s->c_n;
      if (st == SEARCH_NONE) {
        r->bad_partitions++;
        if (!r->key) {
          r->key = xstrdup(s->n ? s->ops[0]->key : "");
          r->part_ops = s->n;
          r->prefix_len = s->best_len;
          r->prefix = xcalloc(s->best_len, sizeof *r->prefix);
          for (size_t i = 0; i < s->best_len; i++) r->prefix[i] = s->ops[s->best_op[i]]->invoke;
          explain_failure(s, h, opt, r, &detail);
        }
        if (!all_keys) stop = true;
      }
      search_free(s);
    }
  }
  for (size_t p = 0; p < nparts; p++) {
    if (!live[p]) continue;
    r->cache_size += runs[p].c_n;
    search_free(&runs[p]);
  }
  size_t undecided = nlive;
  free(runs);
  free(live);
  free(part_lo);
  if (r->bad_partitions)
    r->verdict = LIN_NOT_LINEARIZABLE;
  else if (out_of_budget)
    r->verdict = LIN_UNKNOWN;

  lin_text_printf(&text, "%s: %zu operations", lincheck_verdict_name(r->verdict), r->ops);
  if (r->unknown_ops || r->failed_ops)
    lin_text_printf(&text, " (%zu with unknown outcome; %zu failed, dropped)", r->unknown_ops,
                    r->failed_ops);
  if (model->by_key)
    lin_text_printf(&text, " on %zu key%s", r->partitions, r->partitions == 1 ? "" : "s");
  lin_text_printf(&text, ", %s model, %llu steps, %llu configurations memoized", model->name,
                  (unsigned long long)r->steps, (unsigned long long)r->cache_size);
  if (r->verdict == LIN_NOT_LINEARIZABLE && model->by_key && r->partitions > 1) {
    if (undecided)
      lin_text_printf(&text, "; key %s fails (%zu other key%s left undecided)",
                      r->key[0] ? r->key : "\"\"", undecided, undecided == 1 ? "" : "s");
    else
      lin_text_printf(&text, "; %zu of %zu keys fail, the first found is shown", r->bad_partitions,
                      r->partitions);
  }
  if (r->verdict == LIN_UNKNOWN)
    lin_text_printf(&text, "; gave up after %llu steps", (unsigned long long)r->steps);
  lin_text_append(&text, "\n");
  if (detail.len) lin_text_append(&text, detail.s);
  lin_text_free(&detail);
  r->explanation = text.s;
  free(order);
  free(ops);
  return r->verdict;
}

void lincheck_history_from_records(const sim_op_record *recs, size_t n, lin_history *h) {
  static const lin_phase phases[] = {LIN_INVOKE, LIN_OK, LIN_FAIL, LIN_INFO};
  lin_history_init(h, true, "history");
  for (size_t i = 0; i < n; i++) {
    const sim_op_record *rec = &recs[i];
    char f[sizeof rec->op + 1], key[sizeof rec->key + 1], value[sizeof rec->value + 1];
    /* The record's fields are fixed arrays; copy them so an unterminated one stays safe. */
    snprintf(f, sizeof f, "%.*s", (int)sizeof rec->op, rec->op);
    snprintf(key, sizeof key, "%.*s", (int)sizeof rec->key, rec->key);
    snprintf(value, sizeof value, "%.*s", (int)sizeof rec->value, rec->value);
    lin_phase ph = (unsigned)rec->phase < 4 ? phases[rec->phase] : LIN_INFO;
    lin_history_add(h, ph, rec->time, rec->client, f, key, value, 0);
  }
}

lin_verdict lincheck_check_records(const sim_op_record *recs, size_t n, const lin_model *model,
                                   lin_result *out) {
  lin_history h;
  lincheck_history_from_records(recs, n, &h);
  lin_verdict v = lincheck_check(&h, model, NULL, out);
  lin_history_free(&h);
  return v;
}

void lincheck_result_free(lin_result *r) {
  free(r->key);
  free(r->prefix);
  free(r->stuck);
  free(r->explanation);
  memset(r, 0, sizeof *r);
}
