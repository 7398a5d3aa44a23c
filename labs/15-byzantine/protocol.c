/*
 * labs/15-byzantine/protocol.c: the fixed part of lab 15's protocol: the message and timer
 * tables, the synchronous rounds, the traitors, and the path helpers your code uses.
 *
 * Rounds. Every general sets one timer per round (OM_ROUND long) from boot; the round number is
 * the timer's argument. The commander starts round 0 at boot (om_command); lieutenants call
 * om_relay at rounds 1 .. m and om_decide at round m + 1. A message sent in round r carries a
 * path of r + 1 generals, so a receiver knows which round it belongs to: one that arrives after
 * its round has ended is ignored and noted ("late"), and so counts as missing, as assumption A3
 * of the paper lets a receiver treat an absent message.
 *
 * Traitors. A traitor runs the same code as a loyal general; om_send alone differs, replacing
 * each value it sends by a lie (om_lie) drawn from the traitor's own random stream, or dropping
 * the message. So the lies follow from the seed, and the learner's code is only ever loyal.
 *
 * The viewer's state panel shows each general's role (and a traitor's lie), its round, the last
 * value it stored ("heard": path and value) and its decision; a decision also writes a note with
 * the values of the first level of sub-instances, the ones whose majority it took.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

const char *om_value_name(int value) {
  return value == OM_ATTACK ? "ATTACK" : value == OM_RETREAT ? "RETREAT" : "?";
}

const char *om_path_format(const om_path *p, char *out, size_t cap) {
  size_t at = 0;
  out[0] = 0;
  for (int i = 0; i < p->len && i < OM_MAX_PATH && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%d", i ? ">" : "", p->g[i]);
  return out;
}

om_path om_path_of(int g) { return (om_path){.len = 1, .g = {(uint8_t)g}}; }

bool om_path_contains(const om_path *p, int g) {
  for (int i = 0; i < p->len && i < OM_MAX_PATH; i++)
    if (p->g[i] == g) return true;
  return false;
}

om_path om_path_append(const om_path *p, int g) {
  om_path q = *p;
  if (q.len < OM_MAX_PATH) q.g[q.len++] = (uint8_t)g;
  return q;
}

bool om_path_equal(const om_path *a, const om_path *b) {
  if (a->len != b->len || a->len > OM_MAX_PATH) return false;
  return memcmp(a->g, b->g, a->len) == 0;
}

static void format_order(const void *body, char *out, size_t cap) {
  const om_msg *m = body;
  char p[32];
  snprintf(out, cap, "path=%s %s", om_path_format(&m->path, p, sizeof p), om_value_name(m->value));
}

static const sim_msg_type om_types[MSG_TYPE_COUNT] = {
    [MSG_ORDER] = {"Order", sizeof(om_msg), format_order},
};

static const char *const om_timers[TIMER_KIND_COUNT] = {[TIMER_ROUND] = "round"};

static const char *lie_name(om_lie lie) {
  return lie == OM_LIE_RANDOM ? "random" : lie == OM_LIE_OPPOSITE ? "opposite" : "silent";
}

void om_send(sim_node *n, om_state *s, int to, const om_path *path, uint8_t value) {
  om_msg m = {.path = *path, .value = value};
  if (s->config.traitor) {
    if (s->config.lie == OM_LIE_SILENT) return;
    if (s->config.lie == OM_LIE_RANDOM)
      m.value = (uint8_t)sim_random_below(n, 2);
    else if (sim_self(n) == OM_COMMANDER)
      m.value = to % 2 == 1 ? OM_ATTACK : OM_RETREAT;
    else
      m.value = value == OM_ATTACK ? OM_RETREAT : OM_ATTACK;
  }
  sim_send(n, to, MSG_ORDER, &m);
}

static void annotate(sim_node *n, const om_state *s) {
  sim_annotate(n, "round", "%d", s->round);
  if (sim_self(n) == OM_COMMANDER) return;
  sim_annotate(n, "decision", "%s",
               s->config.traitor ? "(traitor)"
               : s->decided      ? om_value_name(s->decision)
                                 : "-");
}

/* The note a decision writes: the decision, then the value of each first-level sub-instance
 * (the commander's own order, then what each other lieutenant's OM(m-1) gave). */
static void note_decision(sim_node *n, const om_state *s) {
  char text[256];
  size_t at = 0;
  om_path root = om_path_of(OM_COMMANDER);
  int v = om_lookup(s, &root);
  at += (size_t)snprintf(text, sizeof text, "decide %s: n%d said %s", om_value_name(s->decision),
                         OM_COMMANDER, v == OM_MISSING ? "nothing" : om_value_name(v));
  if (s->config.m > 0)
    for (int j = 0; j < sim_node_count(n) && at < sizeof text; j++) {
      if (j == OM_COMMANDER || j == sim_self(n)) continue;
      om_path sub = om_path_append(&root, j);
      at += (size_t)snprintf(text + at, sizeof text - at, ", via n%d %s", j,
                             om_value_name(om_value(s, &sub, sim_self(n), sim_node_count(n))));
    }
  sim_note(n, "%s", text);
}

static void om_boot(sim_node *n, void *state) {
  om_state *s = state;
  size_t size = 0;
  const om_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  bool commander = sim_self(n) == OM_COMMANDER;
  if (s->config.traitor) {
    sim_annotate(n, "role", "%s", commander ? "traitor commander" : "traitor");
    sim_annotate(n, "lie", "%s", lie_name(s->config.lie));
  } else {
    sim_annotate(n, "role", "%s", commander ? "commander" : "lieutenant");
  }
  if (commander && !s->config.traitor)
    sim_annotate(n, "order", "%s", om_value_name(s->config.order));
  annotate(n, s);
  if (s->config.manual) return;
  if (commander) om_command(n, s);
  sim_timer_set(n, TIMER_ROUND, OM_ROUND, 1);
}

static void om_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  om_state *s = state;
  const om_msg *m = body;
  char p[32];
  if (type != MSG_ORDER || from < 0 || s->config.manual) return;
  om_path_format(&m->path, p, sizeof p);
  /* A message sent in round r carries r + 1 generals: it counts only while round r lasts. */
  if (m->path.len < 1 || m->path.len > OM_MAX_PATH || m->path.len != s->round + 1 ||
      m->path.g[0] != OM_COMMANDER || m->path.g[m->path.len - 1] != from ||
      om_path_contains(&m->path, sim_self(n))) {
    s->late++;
    sim_note(n, "ignored path=%s from n%d in round %d: late or malformed, counts as missing", p,
             from, s->round);
  } else if (!om_store(s, &m->path, m->value)) {
    s->rejected++;
    sim_note(n, "om_store refused path=%s (already stored, or the table is full)", p);
  } else {
    sim_annotate(n, "heard", "%s %s", p, om_value_name(m->value));
  }
  annotate(n, s);
}

static void om_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  om_state *s = state;
  if (kind != TIMER_ROUND) return;
  s->round = (int32_t)arg;
  if (sim_self(n) != OM_COMMANDER) {
    if (s->round <= s->config.m) {
      om_relay(n, s, s->round);
    } else if (s->round == s->config.m + 1 && !s->config.traitor) {
      /* A traitor's decision would mean nothing: only loyal lieutenants decide. */
      om_decide(n, s);
      if (s->decided) note_decision(n, s);
    }
  }
  annotate(n, s);
  if (s->round <= s->config.m) sim_timer_set(n, TIMER_ROUND, OM_ROUND, arg + 1);
}

const sim_protocol om_protocol = {
    .name = "oral-messages",
    .state_size = sizeof(om_state),
    .stable_size = 0,
    .msg_types = om_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = om_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = om_boot,
    .on_message = om_on_message,
    .on_timer = om_on_timer,
};
