/*
 * nemesis.c: the fault-schedule language: parser, canonical printer, installer and random
 * schedules. The language itself is described in nemesis.h.
 *
 * The parser is a hand-written scanner over the text that keeps the line and the start of the
 * line, so every error can say where it happened. It reads one statement at a time into a
 * nemesis_action, then sorts the statements by time (stably) and makes one pass in time order
 * for the checks that depend on history: crash only a live node, restart only a crashed one,
 * and carry each node's skew and drift, because sim_set_clock sets the two together.
 *
 * Installing a schedule schedules one sim_at event per statement whose argument is the
 * statement's index; the schedule itself is the context. Nothing in the schedule changes while
 * a world runs, so snapshots and restores of the world need no help from here.
 */
#include "nemesis.h"
#include "mem.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nemesis_schedule {
  int node_count;
  size_t count, cap;
  nemesis_action *actions; /* sorted by time; equal times in the order they were written */
};

/* The largest time or duration the language accepts: 10^15 us, about 31 years. Keeps every
 * product below in range of uint64_t and every skew in range of int64_t. */
#define MAX_TIME_US 1000000000000000ULL
#define MAX_DRIFT_PPM 999999

#define xrealloc(p, n) mem_realloc((p), (n), "nemesis")

static void schedule_push(nemesis_schedule *s, const nemesis_action *a) {
  if (s->count == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 16;
    s->actions = xrealloc(s->actions, s->cap * sizeof *s->actions);
  }
  s->actions[s->count++] = *a;
}

static nemesis_schedule *schedule_new(int node_count) {
  nemesis_schedule *s = xrealloc(NULL, sizeof *s);
  memset(s, 0, sizeof *s);
  s->node_count = node_count;
  return s;
}

/* ---------------------------------------------------------------------------------------------
 * Printing times, probabilities and statements (shared by the printer and the error messages).
 */

/* Write a non-negative time in the largest unit that is exact: "2s", "1500ms", "40us", "0s". */
static void format_time(sim_time t, char *buf, size_t cap) {
  if (t % SIM_SEC == 0)
    snprintf(buf, cap, "%" PRIu64 "s", t / SIM_SEC);
  else if (t % SIM_MS == 0)
    snprintf(buf, cap, "%" PRIu64 "ms", t / SIM_MS);
  else
    snprintf(buf, cap, "%" PRIu64 "us", t);
}

/* A signed duration: "+300ms", "-2ms", "0s". */
static void format_signed(int64_t v, char *buf, size_t cap) {
  if (v == 0) {
    snprintf(buf, cap, "0s");
    return;
  }
  char mag[24]; /* at most 20 digits and a unit */
  format_time(v < 0 ? (sim_time)0 - (sim_time)v : (sim_time)v, mag, sizeof mag);
  snprintf(buf, cap, "%c%s", v < 0 ? '-' : '+', mag);
}

/* The shortest decimal text that reads back as exactly p. */
static void format_probability(double p, char *buf, size_t cap) {
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, cap, "%.*g", prec, p);
    if (strtod(buf, NULL) == p) return;
  }
}

/* A growing text buffer that counts the whole length even when out is too small. */
typedef struct sink {
  char *out;
  size_t cap, len;
} sink;

static void sink_printf(sink *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sink_printf(sink *k, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *dst = k->out && k->len < k->cap ? k->out + k->len : NULL;
  size_t room = dst ? k->cap - k->len : 0;
  int n = vsnprintf(dst, room, fmt, ap);
  va_end(ap);
  if (n > 0) k->len += (size_t)n;
}

static const char *const kind_names[] = {[NEMESIS_PARTITION] = "partition",
                                         [NEMESIS_HEAL] = "heal",
                                         [NEMESIS_CRASH] = "crash",
                                         [NEMESIS_RESTART] = "restart",
                                         [NEMESIS_BLOCK] = "block",
                                         [NEMESIS_UNBLOCK] = "unblock",
                                         [NEMESIS_LOSS] = "loss",
                                         [NEMESIS_DUP] = "dup",
                                         [NEMESIS_LATENCY] = "latency",
                                         [NEMESIS_FIFO] = "fifo",
                                         [NEMESIS_SKEW] = "skew",
                                         [NEMESIS_DRIFT] = "drift",
                                         [NEMESIS_SLOW] = "slow"};
enum { KIND_COUNT = (int)(sizeof kind_names / sizeof kind_names[0]) };

static const char *const latency_names[] = {[SIM_LATENCY_CONSTANT] = "constant",
                                            [SIM_LATENCY_UNIFORM] = "uniform",
                                            [SIM_LATENCY_EXPONENTIAL] = "exponential"};

/* Write one statement, without a newline, in canonical form. */
static void format_action(sink *k, const nemesis_action *a, int node_count) {
  char t[32], d1[32], d2[32];
  format_time(a->time, t, sizeof t);
  sink_printf(k, "%s %s", t, kind_names[a->kind]);
  switch (a->kind) {
    case NEMESIS_PARTITION: {
      int groups = 0;
      for (int i = 0; i < node_count; i++)
        if (a->group_of[i] + 1 > groups) groups = a->group_of[i] + 1;
      for (int g = 0; g < groups; g++) {
        bool first = true;
        for (int i = 0; i < node_count; i++) {
          if (a->group_of[i] != g) continue;
          sink_printf(k, "%s%d", first ? (g ? "|" : " ") : ",", i);
          first = false;
        }
      }
      break;
    }
    case NEMESIS_HEAL:
      break;
    case NEMESIS_CRASH:
    case NEMESIS_RESTART:
      sink_printf(k, " %d", a->node);
      break;
    case NEMESIS_BLOCK:
    case NEMESIS_UNBLOCK:
      sink_printf(k, " %d>%d", a->node, a->peer);
      break;
    case NEMESIS_LOSS:
    case NEMESIS_DUP:
      format_probability(a->probability, d1, sizeof d1);
      sink_printf(k, " %s", d1);
      break;
    case NEMESIS_LATENCY:
      format_time(a->latency_min, d1, sizeof d1);
      format_time(a->latency_max, d2, sizeof d2);
      if (a->latency == SIM_LATENCY_CONSTANT)
        sink_printf(k, " constant %s", d1);
      else
        sink_printf(k, " %s %s %s", latency_names[a->latency], d1, d2);
      break;
    case NEMESIS_FIFO:
      sink_printf(k, " %s", a->on ? "on" : "off");
      break;
    case NEMESIS_SKEW:
      format_signed(a->skew_us, d1, sizeof d1);
      sink_printf(k, " %d %s", a->node, d1);
      break;
    case NEMESIS_DRIFT:
      sink_printf(k, " %d %" PRId32 "ppm", a->node, a->drift_ppm);
      break;
    case NEMESIS_SLOW:
      format_time(a->extra, d1, sizeof d1);
      sink_printf(k, " %d %s", a->node, d1);
      break;
  }
}

/* ---------------------------------------------------------------------------------------------
 * The scanner.
 */

typedef struct parser {
  const char *p;          /* next byte to read */
  const char *line_start; /* first byte of the current line */
  int line;               /* current line, from 1 */
  int node_count;
  char *err;
  size_t cap;
} parser;

/* A word: the bytes of a time, a command, a number; it stops at blanks and punctuation. */
static bool is_word_char(char c) {
  unsigned char u = (unsigned char)c;
  if (u == 0 || u < 0x20 || u == 0x7f) return false;
  return strchr(" ;#,|>", c) == NULL;
}

static void skip_blank(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r') ps->p++;
}

static size_t word_length(const char *p) {
  size_t n = 0;
  while (is_word_char(p[n])) n++;
  return n;
}

static bool at_statement_end(const char *p) {
  return *p == 0 || *p == '\n' || *p == ';' || *p == '#';
}

/* Describe what is at `at` for an error message: "x" (quoted), end of line, ... */
static void describe(const char *at, char *buf, size_t cap) {
  unsigned char c = (unsigned char)*at;
  size_t n = word_length(at);
  if (c == 0)
    snprintf(buf, cap, "end of input");
  else if (c == '\n')
    snprintf(buf, cap, "end of line");
  else if (c == '#')
    snprintf(buf, cap, "a comment");
  else if (n > 24)
    snprintf(buf, cap, "\"%.24s...\"", at);
  else if (n > 0)
    snprintf(buf, cap, "\"%.*s\"", (int)n, at);
  else if (c >= 0x20 && c < 0x7f)
    snprintf(buf, cap, "\"%c\"", c);
  else
    snprintf(buf, cap, "byte 0x%02x", c);
}

/* Write "line L, column C: message" for a position on the current line; returns false. */
static bool fail_at(parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail_at(parser *ps, const char *at, const char *fmt, ...) {
  if (ps->cap == 0) return false;
  int col = (int)(at - ps->line_start) + 1;
  int n = snprintf(ps->err, ps->cap, "line %d, column %d: ", ps->line, col);
  if (n >= 0 && (size_t)n < ps->cap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err + n, ps->cap - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return false;
}

/* "expected WHAT, found X" at the current position. */
static bool expected(parser *ps, const char *what) {
  char found[48];
  describe(ps->p, found, sizeof found);
  return fail_at(ps, ps->p, "expected %s, found %s", what, found);
}

/* Read a time or duration word: [sign] digits [. digits] unit, unit one of us, ms, s (or none
 * when the value is 0). `what` names the thing for "expected ..." messages. On success stores
 * the value in microseconds (negative only if allow_sign) and moves past the word. */
static bool parse_time(parser *ps, const char *what, bool allow_sign, int64_t *out) {
  const char *w = ps->p;
  size_t n = word_length(w), i = 0;
  bool negative = false;
  if (allow_sign && n > 0 && (w[0] == '+' || w[0] == '-')) {
    negative = w[0] == '-';
    i++;
  }
  if (i >= n || !isdigit((unsigned char)w[i])) return expected(ps, what);
  uint64_t whole = 0;
  bool huge = false;
  for (; i < n && isdigit((unsigned char)w[i]); i++) {
    whole = whole * 10 + (uint64_t)(w[i] - '0');
    if (whole > MAX_TIME_US) { /* stop growing: the value is rejected below */
      huge = true;
      whole = MAX_TIME_US + 1;
    }
  }
  uint64_t frac = 0; /* the fraction's digits, trailing zeros removed */
  int frac_digits = 0;
  bool frac_long = false; /* more than 6 significant fraction digits */
  if (i < n && w[i] == '.') {
    i++;
    if (i >= n || !isdigit((unsigned char)w[i])) return expected(ps, what);
    size_t start = i, last_nonzero = i;
    bool any = false;
    for (; i < n && isdigit((unsigned char)w[i]); i++)
      if (w[i] != '0') last_nonzero = i, any = true;
    if (any) {
      if (last_nonzero - start + 1 > 6)
        frac_long = true;
      else
        for (size_t j = start; j <= last_nonzero; j++, frac_digits++)
          frac = frac * 10 + (uint64_t)(w[j] - '0');
    }
  }
  const char *unit = w + i;
  size_t unit_len = n - i;
  uint64_t scale;
  if (unit_len == 0) {
    if (whole == 0 && frac == 0 && !frac_long) {
      ps->p = w + n;
      *out = 0;
      return true;
    }
    return fail_at(ps, w, "missing unit in \"%.*s\": expected us, ms or s after the number", (int)n,
                   w);
  } else if (unit_len == 2 && memcmp(unit, "us", 2) == 0) {
    scale = SIM_US;
  } else if (unit_len == 2 && memcmp(unit, "ms", 2) == 0) {
    scale = SIM_MS;
  } else if (unit_len == 1 && unit[0] == 's') {
    scale = SIM_SEC;
  } else {
    return fail_at(ps, w, "unknown unit \"%.*s\" in \"%.*s\": expected us, ms or s", (int)unit_len,
                   unit, (int)n, w);
  }
  uint64_t pow10 = 1;
  for (int d = 0; d < frac_digits; d++) pow10 *= 10;
  if (frac_long || (frac * scale) % pow10 != 0)
    return fail_at(ps, w, "\"%.*s\" is not a whole number of microseconds", (int)n, w);
  if (huge || whole > MAX_TIME_US / scale || whole * scale + frac * scale / pow10 > MAX_TIME_US)
    return fail_at(ps, w, "\"%.*s\" is too large (at most 1000000000s)", (int)n, w);
  uint64_t v = whole * scale + frac * scale / pow10;
  *out = negative ? -(int64_t)v : (int64_t)v;
  ps->p = w + n;
  return true;
}

/* Read a node number in 0..node_count-1. */
static bool parse_node(parser *ps, int *out) {
  const char *w = ps->p;
  size_t n = word_length(w);
  if (n == 0) return expected(ps, "a node number");
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)w[i])) return expected(ps, "a node number");
  long v = n > 6 ? 1000000 : strtol(w, NULL, 10);
  if (v >= ps->node_count) {
    if (ps->node_count == 1)
      return fail_at(ps, w, "node %.*s is out of range: the only node is 0", (int)n, w);
    return fail_at(ps, w, "node %.*s is out of range: the nodes are 0 to %d", (int)n, w,
                   ps->node_count - 1);
  }
  *out = (int)v;
  ps->p = w + n;
  return true;
}

/* Read a probability: digits with an optional fraction and exponent, from 0 to 1. */
static bool parse_probability(parser *ps, double *out) {
  static const char what[] = "a probability from 0 to 1";
  const char *w = ps->p;
  size_t n = word_length(w), i = 0, digits = 0;
  for (; i < n && isdigit((unsigned char)w[i]); i++) digits++;
  if (i < n && w[i] == '.')
    for (i++; i < n && isdigit((unsigned char)w[i]); i++) digits++;
  if (digits == 0) return expected(ps, what);
  if (i < n && (w[i] == 'e' || w[i] == 'E')) {
    i++;
    if (i < n && (w[i] == '+' || w[i] == '-')) i++;
    size_t exp_digits = 0;
    for (; i < n && isdigit((unsigned char)w[i]); i++) exp_digits++;
    if (exp_digits == 0) return expected(ps, what);
  }
  if (i != n || n >= 64) return expected(ps, what);
  char buf[64];
  memcpy(buf, w, n);
  buf[n] = 0;
  double v = strtod(buf, NULL);
  if (!(v >= 0 && v <= 1))
    return fail_at(ps, w, "probability %s is out of range: expected a number from 0 to 1", buf);
  *out = v;
  ps->p = w + n;
  return true;
}

/* Read a drift: [sign] digits [ppm], within +-MAX_DRIFT_PPM. */
static bool parse_drift(parser *ps, int32_t *out) {
  const char *w = ps->p;
  size_t n = word_length(w), i = 0;
  bool negative = false;
  if (n > 0 && (w[0] == '+' || w[0] == '-')) negative = w[0] == '-', i++;
  size_t start = i;
  long v = 0;
  for (; i < n && isdigit((unsigned char)w[i]); i++)
    if (v <= MAX_DRIFT_PPM) v = v * 10 + (w[i] - '0');
  if (i == start || !(i == n || (n - i == 3 && memcmp(w + i, "ppm", 3) == 0)))
    return expected(ps, "a drift such as 200ppm or -50ppm");
  if (v > MAX_DRIFT_PPM)
    return fail_at(ps, w, "drift \"%.*s\" is out of range: expected -999999ppm to 999999ppm",
                   (int)n, w);
  *out = (int32_t)(negative ? -v : v);
  ps->p = w + n;
  return true;
}

/* Does the word at p equal s? */
static bool word_is(const char *p, size_t n, const char *s) {
  return strlen(s) == n && memcmp(p, s, n) == 0;
}

/* partition GROUP|GROUP|...; unlisted nodes form one more group. */
static bool parse_partition(parser *ps, nemesis_action *a, const char *command) {
  int group_of[SIM_MAX_NODES];
  for (int i = 0; i < SIM_MAX_NODES; i++) group_of[i] = -1;
  int groups = 0;
  for (;;) {
    for (;;) {
      skip_blank(ps);
      const char *at = ps->p;
      int node;
      if (!parse_node(ps, &node)) return false;
      if (group_of[node] >= 0)
        return fail_at(ps, at, "node %d is listed twice in the partition", node);
      group_of[node] = groups;
      skip_blank(ps);
      if (*ps->p != ',') break;
      ps->p++;
    }
    groups++;
    if (*ps->p != '|') break;
    ps->p++;
  }
  if (!at_statement_end(ps->p)) return expected(ps, "\",\" or \"|\" or the end of the statement");
  bool unlisted = false;
  for (int i = 0; i < ps->node_count; i++)
    if (group_of[i] < 0) group_of[i] = groups, unlisted = true;
  if (unlisted) groups++;
  if (groups < 2)
    return fail_at(
        ps, command,
        "this partition puts every node in one group: list two groups or leave a node out");
  /* Number the groups in order of their lowest node, so equal partitions compare equal. */
  int renumber[SIM_MAX_NODES + 1];
  for (int g = 0; g <= SIM_MAX_NODES; g++) renumber[g] = -1;
  int next = 0;
  for (int i = 0; i < ps->node_count; i++) {
    if (renumber[group_of[i]] < 0) renumber[group_of[i]] = next++;
    a->group_of[i] = renumber[group_of[i]];
  }
  return true;
}

/* Parse one statement starting at ps->p (not at a blank, separator or comment). */
static bool parse_statement(parser *ps, nemesis_action *a) {
  memset(a, 0, sizeof *a);
  a->line = ps->line;
  a->column = (int)(ps->p - ps->line_start) + 1;
  int64_t t;
  if (!parse_time(ps, "a time such as 500ms or 2s", false, &t)) return false;
  a->time = (sim_time)t;
  skip_blank(ps);
  const char *command = ps->p;
  size_t n = word_length(command);
  int kind = -1;
  for (int k = 0; k < KIND_COUNT; k++)
    if (word_is(command, n, kind_names[k])) kind = k;
  if (kind < 0)
    return expected(
        ps,
        "a command (partition, heal, crash, restart, block, unblock, loss, dup, latency, "
        "fifo, skew, drift or slow)");
  a->kind = (nemesis_kind)kind;
  ps->p += n;
  skip_blank(ps);
  int64_t v;
  switch (a->kind) {
    case NEMESIS_PARTITION:
      if (!parse_partition(ps, a, command)) return false;
      break;
    case NEMESIS_HEAL:
      break;
    case NEMESIS_CRASH:
    case NEMESIS_RESTART:
      if (!parse_node(ps, &a->node)) return false;
      break;
    case NEMESIS_BLOCK:
    case NEMESIS_UNBLOCK: {
      if (!parse_node(ps, &a->node)) return false;
      skip_blank(ps);
      if (*ps->p != '>') return expected(ps, "\">\" between the two nodes (as in 0>1)");
      ps->p++;
      skip_blank(ps);
      const char *at = ps->p;
      if (!parse_node(ps, &a->peer)) return false;
      if (a->peer == a->node)
        return fail_at(ps, at, "a link joins two different nodes, found %d>%d", a->node, a->peer);
      break;
    }
    case NEMESIS_LOSS:
    case NEMESIS_DUP:
      if (!parse_probability(ps, &a->probability)) return false;
      break;
    case NEMESIS_LATENCY: {
      const char *w = ps->p;
      size_t m = word_length(w);
      if (word_is(w, m, "constant"))
        a->latency = SIM_LATENCY_CONSTANT;
      else if (word_is(w, m, "uniform"))
        a->latency = SIM_LATENCY_UNIFORM;
      else if (word_is(w, m, "exponential"))
        a->latency = SIM_LATENCY_EXPONENTIAL;
      else
        return expected(ps, "constant, uniform or exponential");
      ps->p += m;
      skip_blank(ps);
      if (!parse_time(ps, "a duration such as 5ms", false, &v)) return false;
      a->latency_min = a->latency_max = (sim_time)v;
      if (a->latency == SIM_LATENCY_CONSTANT) break;
      skip_blank(ps);
      const char *at = ps->p;
      if (!parse_time(ps, "a duration such as 10ms", false, &v)) return false;
      a->latency_max = (sim_time)v;
      if (a->latency_max < a->latency_min) {
        char lo[32], hi[32];
        format_time(a->latency_min, lo, sizeof lo);
        format_time(a->latency_max, hi, sizeof hi);
        if (a->latency == SIM_LATENCY_UNIFORM)
          return fail_at(ps, at, "the upper bound %s is below the lower bound %s", hi, lo);
        return fail_at(ps, at, "offset plus mean %s is below the offset %s", hi, lo);
      }
      break;
    }
    case NEMESIS_FIFO: {
      size_t m = word_length(ps->p);
      if (word_is(ps->p, m, "on"))
        a->on = true;
      else if (!word_is(ps->p, m, "off"))
        return expected(ps, "on or off");
      ps->p += m;
      break;
    }
    case NEMESIS_SKEW:
      if (!parse_node(ps, &a->node)) return false;
      skip_blank(ps);
      if (!parse_time(ps, "a signed duration such as +300ms or -2ms", true, &a->skew_us))
        return false;
      break;
    case NEMESIS_DRIFT:
      if (!parse_node(ps, &a->node)) return false;
      skip_blank(ps);
      if (!parse_drift(ps, &a->drift_ppm)) return false;
      break;
    case NEMESIS_SLOW:
      if (!parse_node(ps, &a->node)) return false;
      skip_blank(ps);
      if (!parse_time(ps, "a duration such as 50ms", false, &v)) return false;
      a->extra = (sim_time)v;
      break;
  }
  skip_blank(ps);
  if (!at_statement_end(ps->p))
    return expected(ps, "the end of the statement (a newline or \";\")");
  return true;
}

/* Order by time, then by position in the text: a stable sort through qsort. */
static int compare_actions(const void *x, const void *y) {
  const nemesis_action *a = x, *b = y;
  if (a->time != b->time) return a->time < b->time ? -1 : 1;
  if (a->line != b->line) return a->line < b->line ? -1 : 1;
  return (a->column > b->column) - (a->column < b->column);
}

/* The checks that follow time: crash a live node, restart a crashed one; carry clocks. */
static bool check_history(nemesis_schedule *s, char *err, size_t cap) {
  bool down[SIM_MAX_NODES] = {false};
  int64_t skew[SIM_MAX_NODES] = {0};
  int32_t drift[SIM_MAX_NODES] = {0};
  for (size_t i = 0; i < s->count; i++) {
    nemesis_action *a = &s->actions[i];
    char t[32];
    format_time(a->time, t, sizeof t);
    const char *problem = NULL;
    switch (a->kind) {
      case NEMESIS_CRASH:
        if (down[a->node]) problem = "already down";
        down[a->node] = true;
        break;
      case NEMESIS_RESTART:
        if (!down[a->node]) problem = "not down";
        down[a->node] = false;
        break;
      case NEMESIS_SKEW:
        a->drift_ppm = drift[a->node];
        skew[a->node] = a->skew_us;
        break;
      case NEMESIS_DRIFT:
        a->skew_us = skew[a->node];
        drift[a->node] = a->drift_ppm;
        break;
      default:
        break;
    }
    if (problem) {
      if (cap > 0)
        snprintf(err, cap, "line %d, column %d: %s %d at %s, but node %d is %s then", a->line,
                 a->column, kind_names[a->kind], a->node, t, a->node, problem);
      return false;
    }
  }
  return true;
}

/* Parse text into a sorted, checked schedule; NULL and a message in err on error (nemesis.h). */
nemesis_schedule *nemesis_parse(const char *text, int node_count, char *err, size_t cap) {
  if (cap > 0) err[0] = 0;
  if (node_count < 1 || node_count > SIM_MAX_NODES) {
    if (cap > 0)
      snprintf(err, cap, "node count %d is out of range: expected 1 to %d", node_count,
               SIM_MAX_NODES);
    return NULL;
  }
  parser ps = {
      .p = text, .line_start = text, .line = 1, .node_count = node_count, .err = err, .cap = cap};
  nemesis_schedule *s = schedule_new(node_count);
  for (;;) {
    skip_blank(&ps);
    char c = *ps.p;
    if (c == 0) break;
    if (c == '\n') {
      ps.p++;
      ps.line++;
      ps.line_start = ps.p;
    } else if (c == ';') {
      ps.p++;
    } else if (c == '#') {
      while (*ps.p && *ps.p != '\n') ps.p++;
    } else {
      nemesis_action a;
      if (!parse_statement(&ps, &a)) {
        nemesis_free(s);
        return NULL;
      }
      schedule_push(s, &a);
    }
  }
  if (s->count > 1) qsort(s->actions, s->count, sizeof *s->actions, compare_actions);
  if (!check_history(s, err, cap)) {
    nemesis_free(s);
    return NULL;
  }
  return s;
}

/* Free a schedule and its statements; NULL is fine. */
void nemesis_free(nemesis_schedule *s) {
  if (!s) return;
  free(s->actions);
  free(s);
}

/* Accessors: the statements in time order, the node count, the last statement's time. */
size_t nemesis_count(const nemesis_schedule *s) { return s->count; }

const nemesis_action *nemesis_action_at(const nemesis_schedule *s, size_t i) {
  assert(i < s->count);
  return &s->actions[i];
}

int nemesis_node_count(const nemesis_schedule *s) { return s->node_count; }

sim_time nemesis_end(const nemesis_schedule *s) {
  return s->count ? s->actions[s->count - 1].time : 0;
}

/* Equal statements, ignoring where they were written. */
static bool action_equal(const nemesis_action *a, const nemesis_action *b) {
  if (a->time != b->time || a->kind != b->kind) return false;
  switch (a->kind) {
    case NEMESIS_PARTITION:
      return memcmp(a->group_of, b->group_of, sizeof a->group_of) == 0;
    case NEMESIS_HEAL:
      return true;
    case NEMESIS_CRASH:
    case NEMESIS_RESTART:
      return a->node == b->node;
    case NEMESIS_BLOCK:
    case NEMESIS_UNBLOCK:
      return a->node == b->node && a->peer == b->peer;
    case NEMESIS_LOSS:
    case NEMESIS_DUP:
      return a->probability == b->probability;
    case NEMESIS_LATENCY:
      return a->latency == b->latency && a->latency_min == b->latency_min &&
             a->latency_max == b->latency_max;
    case NEMESIS_FIFO:
      return a->on == b->on;
    case NEMESIS_SKEW:
    case NEMESIS_DRIFT:
      return a->node == b->node && a->skew_us == b->skew_us && a->drift_ppm == b->drift_ppm;
    case NEMESIS_SLOW:
      return a->node == b->node && a->extra == b->extra;
  }
  return false;
}

/* Same node count and equal statements in the same order (positions in the text ignored). */
bool nemesis_equal(const nemesis_schedule *a, const nemesis_schedule *b) {
  if (a->node_count != b->node_count || a->count != b->count) return false;
  for (size_t i = 0; i < a->count; i++)
    if (!action_equal(&a->actions[i], &b->actions[i])) return false;
  return true;
}

/* Write the canonical text, one statement a line; returns the full length as snprintf does. */
size_t nemesis_format(const nemesis_schedule *s, char *out, size_t cap) {
  sink k = {.out = out, .cap = cap, .len = 0};
  if (out && cap > 0) out[0] = 0;
  for (size_t i = 0; i < s->count; i++) {
    format_action(&k, &s->actions[i], s->node_count);
    sink_printf(&k, "\n");
  }
  return k.len;
}

/* ---------------------------------------------------------------------------------------------
 * Applying a schedule to a world.
 */

/* Apply one statement to the world now, through the world-control functions of sim.h. */
void nemesis_apply(sim_world *w, const nemesis_action *a) {
  sim_net_config cfg;
  switch (a->kind) {
    case NEMESIS_PARTITION:
      /* sim_partition sets every link's blocked state, so it also clears earlier one-way blocks. */
      sim_partition(w, a->group_of);
      return;
    case NEMESIS_HEAL:
      sim_heal(w);
      return;
    case NEMESIS_CRASH:
      if (sim_alive(w, a->node)) sim_crash(w, a->node);
      return;
    case NEMESIS_RESTART:
      if (!sim_alive(w, a->node)) sim_restart(w, a->node);
      return;
    case NEMESIS_BLOCK:
    case NEMESIS_UNBLOCK:
      sim_block(w, a->node, a->peer, a->kind == NEMESIS_BLOCK);
      return;
    case NEMESIS_SKEW:
    case NEMESIS_DRIFT:
      sim_set_clock(w, a->node, a->skew_us, a->drift_ppm);
      return;
    case NEMESIS_SLOW:
      sim_set_slow(w, a->node, a->extra);
      return;
    case NEMESIS_LOSS:
    case NEMESIS_DUP:
    case NEMESIS_LATENCY:
    case NEMESIS_FIFO:
      break;
  }
  /* A network setting changes one field on every link and keeps the rest of each link's own
   * configuration (a scenario's slow link stays slow when loss is turned on). */
  cfg = *sim_link_config(w, 0, 0);
  unsigned field = 0;
  switch (a->kind) {
    case NEMESIS_LOSS:
      cfg.loss = a->probability;
      field = SIM_NET_LOSS;
      break;
    case NEMESIS_DUP:
      cfg.duplicate = a->probability;
      field = SIM_NET_DUPLICATE;
      break;
    case NEMESIS_LATENCY:
      cfg.latency = a->latency;
      cfg.latency_min = a->latency_min;
      cfg.latency_max = a->latency_max;
      field = SIM_NET_LATENCY;
      break;
    case NEMESIS_FIFO:
      cfg.fifo = a->on;
      field = SIM_NET_FIFO;
      break;
    default:
      break;
  }
  sim_adjust_net(w, &cfg, field);
}

static void run_action(sim_world *w, void *ctx, uint64_t arg) {
  const nemesis_schedule *s = ctx;
  nemesis_apply(w, &s->actions[arg]);
}

/* One sim_at event per statement; false (nothing scheduled) on a node-count mismatch. */
bool nemesis_install(sim_world *w, const nemesis_schedule *s) {
  if (sim_nodes(w) != s->node_count) return false;
  for (size_t i = 0; i < s->count; i++) {
    sim_time when = s->actions[i].time < sim_now(w) ? sim_now(w) : s->actions[i].time;
    sim_at(w, when, run_action, (void *)s, (uint64_t)i);
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Random schedules. Each kind of fault has its own timeline: quiet gap, fault, quiet gap, ...
 * A fault is written only if it ends before the duration, so every timeline ends repaired.
 */

/* Partitions, crashes and loss bursts on; every number at its default (0). */
nemesis_random_options nemesis_random_defaults(void) {
  nemesis_random_options o = {.partitions = true, .crashes = true, .loss = true};
  return o;
}

/* A draw uniform in [mean/2, 3*mean/2], rounded down to a multiple of quantum, at least quantum. */
static sim_time draw_length(rng *r, sim_time mean, sim_time quantum) {
  sim_time v = mean / 2 + rng_below(r, mean + 1);
  v = v / quantum * quantum;
  return v < quantum ? quantum : v;
}

/* Fill out[0..n-1] with a random permutation of 0..n-1. */
static void draw_nodes(rng *r, int n, int *out) {
  for (int i = 0; i < n; i++) out[i] = i;
  for (int i = n - 1; i > 0; i--) {
    int j = (int)rng_below(r, (uint64_t)i + 1);
    int t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
}

static void push_simple(nemesis_schedule *s, sim_time t, nemesis_kind kind, int node, int peer) {
  nemesis_action a;
  memset(&a, 0, sizeof a);
  a.time = t;
  a.kind = kind;
  a.node = node;
  a.peer = peer;
  a.line = (int)s->count + 1; /* keeps the sort stable: the order the faults were drawn in */
  schedule_push(s, &a);
}

/* Draw three timelines (network cuts, crashes, loss bursts) from r and print them canonically.
 * Returns malloc'ed text the caller frees; NULL only for a bad node count (nemesis.h). */
char *nemesis_random(rng *r, int node_count, sim_time duration, const nemesis_random_options *opt) {
  if (node_count < 1 || node_count > SIM_MAX_NODES) return NULL;
  nemesis_random_options o = opt ? *opt : nemesis_random_defaults();
  sim_time gap = o.mean_gap ? o.mean_gap : duration / 8;
  sim_time len = o.mean_fault ? o.mean_fault : duration / 10;
  sim_time quantum = duration >= 100 * SIM_MS ? SIM_MS : SIM_US;
  int max_crashed = o.max_crashed ? o.max_crashed : (node_count - 1) / 2;
  if (max_crashed > node_count) max_crashed = node_count;
  double max_loss = o.max_loss > 0 ? o.max_loss : 0.3;
  if (max_loss > 1) max_loss = 1;
  uint64_t loss_steps = (uint64_t)(max_loss * 100 + 0.5);
  if (loss_steps < 1) loss_steps = 1;

  nemesis_schedule *s = schedule_new(node_count);
  int order[SIM_MAX_NODES];

  /* Partitions and one-way blocks, each ended by a heal. */
  if (o.partitions && node_count >= 2) {
    for (sim_time t = draw_length(r, gap, quantum);;) {
      sim_time d = draw_length(r, len, quantum);
      if (t + d >= duration) break;
      if (rng_below(r, 4) < 3) {
        /* Split a random order of the nodes into 2 or 3 non-empty runs. */
        int groups = node_count >= 3 ? 2 + (int)rng_below(r, 2) : 2;
        draw_nodes(r, node_count, order);
        int cut1 = 1 + (int)rng_below(r, (uint64_t)node_count - 1);
        int cut2 = node_count;
        if (groups == 3) {
          if (cut1 == node_count - 1) cut1--;
          cut2 = cut1 + 1 + (int)rng_below(r, (uint64_t)(node_count - cut1 - 1));
        }
        nemesis_action a;
        memset(&a, 0, sizeof a);
        a.time = t;
        a.kind = NEMESIS_PARTITION;
        a.line = (int)s->count + 1;
        int raw[SIM_MAX_NODES];
        for (int i = 0; i < node_count; i++) raw[order[i]] = i < cut1 ? 0 : i < cut2 ? 1 : 2;
        int renumber[3] = {-1, -1, -1}, next = 0;
        for (int i = 0; i < node_count; i++) {
          if (renumber[raw[i]] < 0) renumber[raw[i]] = next++;
          a.group_of[i] = renumber[raw[i]];
        }
        schedule_push(s, &a);
      } else {
        draw_nodes(r, node_count, order);
        push_simple(s, t, NEMESIS_BLOCK, order[0], order[1]);
      }
      push_simple(s, t + d, NEMESIS_HEAL, 0, 0);
      t += d + draw_length(r, gap, quantum);
    }
  }

  /* Crashes of up to max_crashed nodes at once, each followed by a restart. */
  if (o.crashes && max_crashed >= 1) {
    for (sim_time t = draw_length(r, gap, quantum);;) {
      sim_time d = draw_length(r, len, quantum);
      if (t + d >= duration) break;
      int k = 1 + (int)rng_below(r, (uint64_t)max_crashed);
      draw_nodes(r, node_count, order);
      for (int i = 0; i < k; i++) push_simple(s, t, NEMESIS_CRASH, order[i], 0);
      for (int i = 0; i < k; i++) push_simple(s, t + d, NEMESIS_RESTART, order[i], 0);
      t += d + draw_length(r, gap, quantum);
    }
  }

  /* Bursts of loss (two in three) or duplication, each set back to 0. */
  if (o.loss) {
    for (sim_time t = draw_length(r, gap, quantum);;) {
      sim_time d = draw_length(r, len, quantum);
      if (t + d >= duration) break;
      nemesis_kind kind = rng_below(r, 3) < 2 ? NEMESIS_LOSS : NEMESIS_DUP;
      double p = (double)(1 + rng_below(r, loss_steps)) / 100.0;
      push_simple(s, t, kind, 0, 0);
      s->actions[s->count - 1].probability = p;
      push_simple(s, t + d, kind, 0, 0);
      t += d + draw_length(r, gap, quantum);
    }
  }

  if (s->count > 1) qsort(s->actions, s->count, sizeof *s->actions, compare_actions);
  size_t n = nemesis_format(s, NULL, 0);
  char *text = xrealloc(NULL, n + 1);
  nemesis_format(s, text, n + 1);
  nemesis_free(s);
  return text;
}
