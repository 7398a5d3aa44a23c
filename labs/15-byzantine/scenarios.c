/*
 * labs/15-byzantine/scenarios.c: lab 15's scenarios and checkers, shared by the driver and the
 * tests.
 *
 * Every scenario is one instance of OM(m) among n generals, n0 commanding. The seed picks three
 * things, so that a sweep over seeds covers every choice of traitors:
 *   1. which generals are traitors: the seed numbers one traitor set of a fixed enumeration (all
 *      sets of the scenario's sizes, smallest first, then by bit mask): set (seed - 1) mod count.
 *      Seeds 1 .. count visit every set once, and every further count seeds visit them again;
 *   2. the commander's order, drawn from the world's workload stream;
 *   3. how each traitor lies (om_lie), drawn from the same stream; the lies themselves come from
 *      each traitor's own stream as it sends (protocol.c, om_send).
 *
 * The checks. An observer sees every message:
 *   - relay-path (every sender) and loyal-relay (loyal senders): at each send, the path must be
 *     well formed for its round (commander first, sender last, distinct generals, the receiver
 *     not on it, r + 1 generals in round r), no path may go to one receiver twice, and a loyal
 *     general must pass on exactly the value it accepted for the path it extends (RETREAT if it
 *     accepted none): the commander its order;
 *   - relay-complete: when round r ends, every loyal general must have sent every message of
 *     round r: the commander its order to each lieutenant, a lieutenant each value it accepted in
 *     round r - 1 to each general not yet on its path. The checker keeps its own copy of what each
 *     general accepted (first copy of each path, arrived within its round), independent of
 *     om_store.
 * Two invariants run after every event, on the decisions as they are made:
 *   - IC1: all loyal lieutenants that have decided decided the same order;
 *   - IC2: if the commander is loyal, every loyal lieutenant that has decided decided its order.
 * At the end, liveness: every loyal lieutenant decided, at exactly t = (m + 1) * OM_ROUND.
 *
 * With n > 3m and at most m traitors every check must hold (Theorem 1). The three-generals and
 * six-generals scenarios have n = 3m: some seeds break IC1 or IC2 whatever the code does (Section
 * 2's impossibility result), and their verdicts say so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

typedef struct setup {
  int nodes, m;
  int min_traitors, max_traitors; /* the sizes of traitor sets the seed chooses among */
} setup;

static const char *lie_text(om_lie lie) {
  return lie == OM_LIE_RANDOM ? "random" : lie == OM_LIE_OPPOSITE ? "opposite" : "silent";
}

static bool is_traitor(const lab15_record *rec, int i) { return rec->traitors >> i & 1u; }

static int popcount(uint32_t x) {
  int k = 0;
  for (; x; x &= x - 1) k++;
  return k;
}

/* The traitor sets of su, by size and then by bit mask: how many (count) and the one numbered
 * index (returned). */
static uint32_t traitor_set(const setup *su, uint32_t index, uint32_t *count) {
  uint32_t k = 0, chosen = 0;
  for (int size = su->min_traitors; size <= su->max_traitors; size++)
    for (uint32_t mask = 0; mask < (1u << su->nodes); mask++)
      if (popcount(mask) == size) {
        if (k == index) chosen = mask;
        k++;
      }
  *count = k;
  return chosen;
}

/* "n0 (commander, opposite), n3 (random)" or "none" into out. */
static const char *traitors_text(const lab15_record *rec, char *out, size_t cap) {
  size_t at = 0;
  out[0] = 0;
  for (int i = 0; i < rec->nodes && at < cap; i++)
    if (is_traitor(rec, i))
      at += (size_t)snprintf(out + at, cap - at, "%sn%d (%s%s)", at ? ", " : "", i,
                             i == OM_COMMANDER ? "commander, " : "", lie_text(rec->lie[i]));
  if (at == 0) snprintf(out, cap, "none");
  return out;
}

/* One sentence on the run's setup, for every verdict. */
static const char *context(const lab15_record *rec, char *out, size_t cap) {
  char t[160];
  int at = snprintf(out, cap, "n=%d, OM(%d), traitors %s [set %u of %u]", rec->nodes, rec->m,
                    traitors_text(rec, t, sizeof t), rec->set_index + 1, rec->set_count);
  if (!is_traitor(rec, OM_COMMANDER) && at > 0 && (size_t)at < cap)
    snprintf(out + at, cap - (size_t)at, "; n0 (loyal) ordered %s", om_value_name(rec->order));
  return out;
}

/* The value general i accepted for path p (the checker's copy), or OM_MISSING. */
static int accepted_value(const lab15_record *rec, int i, const om_path *p) {
  for (uint32_t k = 0; k < rec->accepted_count[i]; k++)
    if (om_path_equal(&rec->accepted[i][k].path, p)) return rec->accepted[i][k].value;
  return OM_MISSING;
}

/* True when from sent path p to `to` (as the checker recorded it). */
static bool was_sent(const lab15_record *rec, int from, int to, const om_path *p) {
  for (uint32_t k = 0; k < rec->sent_count && k < OM_MAX_SENT; k++)
    if (rec->sent[k].from == from && rec->sent[k].to == to &&
        om_path_equal(&rec->sent[k].msg.path, p))
      return true;
  return false;
}

/* What is wrong with the path of a message from `from` to `to` sent in round `round`, or NULL. */
static const char *path_fault(const lab15_record *rec, int from, int to, int round,
                              const om_path *p) {
  if (p->len < 1 || p->len > rec->m + 1 || p->len > OM_MAX_PATH)
    return "a path holds 1 to m + 1 generals";
  if (p->len != round + 1)
    return "a message sent in round r carries r + 1 generals: relay, in round r, only the values "
           "whose paths hold r generals";
  if (p->g[0] != OM_COMMANDER) return "every path starts with the commander, n0";
  if (p->g[p->len - 1] != from) return "the path must end with the sender: append yourself";
  for (int a = 0; a < p->len; a++)
    for (int b = a + 1; b < p->len; b++)
      if (p->g[a] == p->g[b]) return "a general appears on the path twice";
  if (to == from) return "a general never sends to itself";
  if (om_path_contains(p, to))
    return "the receiver is already on the path: it has this value (send only to generals not on "
           "the path)";
  return NULL;
}

/* The checker's recorder: the record the tests read comes first (run->lab_data points at it). */
typedef struct recorder {
  lab15_record rec;
} recorder;

/* Check the sends of round r (all loyal generals), once the round is over. */
static void check_round_complete(sim_world *w, lab15_record *rec, int r) {
  char p[32], q[32], t[32];
  sim_format_time((sim_time)(r + 1) * OM_ROUND, t, sizeof t);
  if (r == 0) {
    if (is_traitor(rec, OM_COMMANDER)) return;
    om_path root = om_path_of(OM_COMMANDER);
    for (int to = 1; to < rec->nodes; to++)
      if (!was_sent(rec, OM_COMMANDER, to, &root)) {
        sim_fail(w, "relay-complete",
                 "round 0 ended at t=%s and the loyal commander n0 never sent its order to n%d: "
                 "om_command must send to every lieutenant",
                 t, to);
        return;
      }
    return;
  }
  for (int i = 1; i < rec->nodes; i++) {
    if (is_traitor(rec, i)) continue;
    for (uint32_t k = 0; k < rec->accepted_count[i]; k++) {
      const om_entry *e = &rec->accepted[i][k];
      if (e->path.len != r) continue;
      om_path next = om_path_append(&e->path, i);
      for (int to = 0; to < rec->nodes; to++) {
        if (to == i || om_path_contains(&e->path, to) || was_sent(rec, i, to, &next)) continue;
        const om_state *s = sim_state(w, i);
        bool stored = om_lookup(s, &e->path) != OM_MISSING;
        sim_fail(w, "relay-complete",
                 "round %d ended at t=%s: n%d (loyal) accepted path=%s (%s) in round %d but never "
                 "relayed it to n%d as path=%s; %s",
                 r, t, i, om_path_format(&e->path, p, sizeof p), om_value_name(e->value), r - 1, to,
                 om_path_format(&next, q, sizeof q),
                 stored ? "om_relay must pass each value whose path holds `round` generals to "
                          "every general not on the path"
                        : "and om_lookup does not find it in its table: did om_store keep it?");
        return;
      }
    }
  }
}

static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  recorder *r = ctx;
  lab15_record *rec = &r->rec;
  if (sim_violated(w, NULL)) return;
  /* A round is over once time reaches the next round's start: check its sends. */
  while (rec->rounds_checked <= rec->m &&
         ev->time >= (sim_time)(rec->rounds_checked + 1) * OM_ROUND) {
    check_round_complete(w, rec, rec->rounds_checked);
    rec->rounds_checked++;
    if (sim_violated(w, NULL)) return;
  }
  if (ev->msg_type != MSG_ORDER || ev->node < 0 || ev->node >= rec->nodes) return;
  if (ev->kind == SIM_EV_SEND) {
    const om_msg *m = ev->body;
    int from = ev->node, to = ev->peer;
    const om_state *s = sim_state(w, from);
    char p[32], t[32];
    om_path_format(&m->path, p, sizeof p);
    sim_format_time(ev->time, t, sizeof t);
    const char *fn = from == OM_COMMANDER ? "om_command" : "om_relay";
    const char *fault = path_fault(rec, from, to, s->round, &m->path);
    if (fault) {
      sim_fail(w, "relay-path", "n%d sent path=%s to n%d in round %d at t=%s: %s (%s)", from, p, to,
               s->round, t, fault, fn);
      return;
    }
    if (was_sent(rec, from, to, &m->path)) {
      sim_fail(w, "relay-path",
               "n%d sent path=%s to n%d twice (round %d, t=%s): each value goes once to each "
               "general (%s%s)",
               from, p, to, s->round, t, fn,
               from == OM_COMMANDER ? "" : "; did om_store keep a path twice?");
      return;
    }
    if (!is_traitor(rec, from)) {
      int want;
      if (m->path.len == 1) {
        want = rec->order;
      } else {
        om_path prefix = m->path;
        prefix.len--;
        want = accepted_value(rec, from, &prefix);
        if (want == OM_MISSING) want = OM_RETREAT;
      }
      if (m->value != want) {
        om_path prefix = m->path;
        prefix.len--;
        char q[32];
        if (m->path.len == 1)
          sim_fail(w, "loyal-relay",
                   "the loyal commander n0 sent %s to n%d at t=%s, but its order is %s "
                   "(om_command sends s->config.order)",
                   om_value_name(m->value), to, t, om_value_name(want));
        else
          sim_fail(w, "loyal-relay",
                   "loyal n%d relayed path=%s = %s to n%d at t=%s, but it accepted path=%s = %s: "
                   "a loyal general passes on the value it received (om_relay)",
                   from, p, om_value_name(m->value), to, t, om_path_format(&prefix, q, sizeof q),
                   om_value_name(want));
        return;
      }
    }
    if (rec->sent_count < OM_MAX_SENT)
      rec->sent[rec->sent_count] = (om_sent){.at = ev->time, .from = from, .to = to, .msg = *m};
    rec->sent_count++;
  } else if (ev->kind == SIM_EV_RECV && ev->peer >= 0) {
    /* The observer runs before the handler: the receiver's round is the one it arrives in. The
     * same rule as protocol.c's om_on_message decides whether it counts. */
    const om_msg *m = ev->body;
    int i = ev->node;
    const om_state *s = sim_state(w, i);
    if (m->path.len != s->round + 1 || path_fault(rec, ev->peer, i, s->round, &m->path)) return;
    if (accepted_value(rec, i, &m->path) != OM_MISSING) return;
    if (rec->accepted_count[i] < OM_MAX_RECEIVED)
      rec->accepted[i][rec->accepted_count[i]++] = (om_entry){.path = m->path, .value = m->value};
  }
}

/* Note every decision as it appears in a node's state. */
static void update_decisions(sim_world *w, lab15_record *rec) {
  for (int i = 1; i < rec->nodes; i++) {
    if (rec->decided[i] || !sim_alive(w, i)) continue;
    const om_state *s = sim_state(w, i);
    if (!s->decided) continue;
    rec->decided[i] = true;
    rec->decision[i] = s->decision;
    rec->decided_at[i] = sim_now(w);
  }
}

/* qsort's order for entries: shorter paths first (round by round), then lexicographically by
 * general ("0>2" before "0>3", "0>2>1" before "0>3>1"), then by value. */
static int entry_order(const void *a, const void *b) {
  const om_entry *x = a, *y = b;
  if (x->path.len != y->path.len) return x->path.len < y->path.len ? -1 : 1;
  for (int k = 0; k < x->path.len && k < OM_MAX_PATH; k++)
    if (x->path.g[k] != y->path.g[k]) return x->path.g[k] < y->path.g[k] ? -1 : 1;
  return (int)x->value - (int)y->value; /* a path stored twice (a faulty om_store): fixed order */
}

/* The values lieutenant i holds (its om_store table), sorted by path (entry_order) rather than
 * in arrival order, "0:A 0>2:R ... 0>2>1:A ...", and the first value the checker saw it accept
 * that its table lacks or holds differently. */
static const char *holdings(sim_world *w, const lab15_record *rec, int i, char *out, size_t cap) {
  const om_state *s = sim_state(w, i);
  size_t at = (size_t)snprintf(out, cap, "n%d holds", i);
  char p[32];
  uint32_t count = s->received_count < OM_MAX_RECEIVED ? s->received_count : OM_MAX_RECEIVED;
  om_entry sorted[OM_MAX_RECEIVED];
  memcpy(sorted, s->received, count * sizeof sorted[0]);
  qsort(sorted, count, sizeof sorted[0], entry_order);
  for (uint32_t k = 0; k < count && at < cap; k++)
    at +=
        (size_t)snprintf(out + at, cap - at, " %s:%c", om_path_format(&sorted[k].path, p, sizeof p),
                         sorted[k].value == OM_ATTACK ? 'A' : 'R');
  if (count == 0 && at < cap) at += (size_t)snprintf(out + at, cap - at, " nothing");
  for (uint32_t k = 0; k < rec->accepted_count[i] && at < cap; k++) {
    const om_entry *e = &rec->accepted[i][k];
    int v = om_lookup(s, &e->path);
    if (v == e->value) continue;
    snprintf(out + at, cap - at, " (but it received path=%s = %s in time: om_store or om_lookup)",
             om_path_format(&e->path, p, sizeof p), om_value_name(e->value));
    break;
  }
  return out;
}

/* Why an IC check failed: the theorem's conditions, the network, and where to look. */
static void explain(sim_world *w, const lab15_record *rec, int a, int b, char *out, size_t cap) {
  int traitors = popcount(rec->traitors);
  uint64_t lost = sim_get_stats(w)->dropped_loss + sim_get_stats(w)->dropped_partition;
  char ha[512], hb[512] = "";
  holdings(w, rec, a, ha, sizeof ha);
  if (b > 0) holdings(w, rec, b, hb, sizeof hb);
  if (rec->nodes <= 3 * rec->m || traitors > rec->m)
    snprintf(out, cap,
             "n=%d is not more than 3m=%d with %d traitor%s: Section 2 shows no algorithm "
             "can guarantee IC1 and IC2 here, so this is the impossibility result at work, not "
             "a bug (%s%s%s)",
             rec->nodes, 3 * rec->m, traitors, traitors == 1 ? "" : "s", ha, b > 0 ? "; " : "", hb);
  else if (lost > 0)
    snprintf(out, cap,
             "the network lost %llu message%s: OM assumes every message arrives (A1), so a loyal "
             "general whose message was lost looks like one more traitor (%s%s%s)",
             (unsigned long long)lost, lost == 1 ? "" : "s", ha, b > 0 ? "; " : "", hb);
  else
    snprintf(out, cap,
             "n=%d > 3m=%d and %d traitor%s: OM(%d) must satisfy IC1 and IC2 here (Theorem 1), so "
             "check om_value (the majority at every level of the recursion, a missing value as "
             "RETREAT) and om_majority (%s%s%s)",
             rec->nodes, 3 * rec->m, traitors, traitors == 1 ? "" : "s", rec->m, ha,
             b > 0 ? "; " : "", hb);
}

/* IC1: all loyal lieutenants that have decided agree. */
static bool ic1(sim_world *w, void *ctx, char *why, size_t cap) {
  lab15_record *rec = &((recorder *)ctx)->rec;
  update_decisions(w, rec);
  int first = -1;
  for (int i = 1; i < rec->nodes; i++) {
    if (is_traitor(rec, i) || !rec->decided[i]) continue;
    if (first < 0) {
      first = i;
      continue;
    }
    if (rec->decision[i] == rec->decision[first]) continue;
    char c[256], e[1400];
    explain(w, rec, first, i, e, sizeof e);
    snprintf(why, cap, "loyal lieutenants n%d and n%d decided differently (n%d %s, n%d %s); %s: %s",
             first, i, first, om_value_name(rec->decision[first]), i,
             om_value_name(rec->decision[i]), context(rec, c, sizeof c), e);
    return false;
  }
  return true;
}

/* IC2: with a loyal commander, every loyal lieutenant that has decided obeys its order. */
static bool ic2(sim_world *w, void *ctx, char *why, size_t cap) {
  lab15_record *rec = &((recorder *)ctx)->rec;
  update_decisions(w, rec);
  if (is_traitor(rec, OM_COMMANDER)) return true;
  for (int i = 1; i < rec->nodes; i++) {
    if (is_traitor(rec, i) || !rec->decided[i] || rec->decision[i] == rec->order) continue;
    char c[256], e[1400];
    explain(w, rec, i, -1, e, sizeof e);
    snprintf(
        why, cap, "loyal lieutenant n%d decided %s, but the loyal commander ordered %s; %s: %s", i,
        om_value_name(rec->decision[i]), om_value_name(rec->order), context(rec, c, sizeof c), e);
    return false;
  }
  return true;
}

static sim_world *build(lab_run *run, const setup *su) {
  sim_world *w = sim_create(run->seed);
  recorder *r = calloc(1, sizeof *r);
  lab15_record *rec = &r->rec;
  rec->nodes = su->nodes;
  rec->m = su->m;
  uint32_t count = 0;
  traitor_set(su, 0, &count);
  rec->set_count = count;
  rec->set_index = (uint32_t)((run->seed + count - 1) % count);
  rec->traitors = traitor_set(su, rec->set_index, &count);
  rng *wl = sim_workload_rng(w);
  rec->order = (uint8_t)rng_below(wl, 2);
  for (int i = 0; i < su->nodes; i++) {
    om_config c = {.m = su->m, .order = rec->order, .traitor = is_traitor(rec, i)};
    c.lie = (om_lie)rng_below(wl, OM_LIE_COUNT);
    if (c.traitor) rec->lie[i] = c.lie;
    sim_add_node(w, &om_protocol, &c, sizeof c);
  }
  sim_net_config net = sim_net_uniform(1 * SIM_MS, 20 * SIM_MS, 0, 0);
  sim_set_net(w, &net);
  run->lab_data = r;
  sim_observe(w, watch, r);
  sim_invariant(w, "IC1", ic1, r);
  sim_invariant(w, "IC2", ic2, r);
  lab_begin(run, w);
  return w;
}

/* Run one instance to its end and judge it. */
static bool run_om(lab_run *run, const setup *su) {
  sim_world *w = build(run, su);
  lab15_record *rec = run->lab_data;
  sim_time decide_at = (sim_time)(su->m + 1) * OM_ROUND;
  sim_run_until_time(w, decide_at + OM_ROUND);
  char c[256], t[32];
  context(rec, c, sizeof c);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  sim_format_time(decide_at, t, sizeof t);
  for (int i = 1; i < rec->nodes; i++) {
    if (is_traitor(rec, i)) continue;
    if (!sim_alive(w, i))
      return lab_verdict(run, false,
                         "liveness: loyal lieutenant n%d is down and never decided (a crashed "
                         "general is a faulty one: OM(m) tolerates m faulty generals in all); %s",
                         i, c);
    if (!rec->decided[i])
      return lab_verdict(run, false,
                         "liveness: loyal lieutenant n%d had not decided by t=%s, the start of "
                         "round %d: om_decide must set s->decided (and s->decision); %s",
                         i, t, su->m + 1, c);
    if (rec->decided_at[i] != decide_at) {
      char d[32];
      return lab_verdict(run, false,
                         "liveness: loyal lieutenant n%d decided at t=%s, not at the start of "
                         "round %d (t=%s); %s",
                         i, sim_format_time(rec->decided_at[i], d, sizeof d), su->m + 1, t, c);
    }
  }
  char decisions[128] = "";
  size_t at = 0;
  for (int i = 1; i < rec->nodes && at < sizeof decisions; i++)
    if (!is_traitor(rec, i))
      at += (size_t)snprintf(decisions + at, sizeof decisions - at, "%sn%d=%s", at ? " " : "", i,
                             om_value_name(rec->decision[i]));
  if (at == 0) snprintf(decisions, sizeof decisions, "(none loyal)");
  return lab_verdict(run, true,
                     "%s: loyal lieutenants decided %s at t=%s: IC1 and IC2 hold; %u Orders sent",
                     c, decisions, t, rec->sent_count);
}

static bool scenario_om1(lab_run *run) {
  setup su = {.nodes = lab_nodes(run, 4), .m = 1, .min_traitors = 0, .max_traitors = 1};
  return run_om(run, &su);
}

static bool scenario_om2(lab_run *run) {
  setup su = {.nodes = 7, .m = 2, .min_traitors = 0, .max_traitors = 2};
  return run_om(run, &su);
}

static bool scenario_three(lab_run *run) {
  setup su = {.nodes = 3, .m = 1, .min_traitors = 1, .max_traitors = 1};
  return run_om(run, &su);
}

static bool scenario_six(lab_run *run) {
  setup su = {.nodes = 6, .m = 2, .min_traitors = 2, .max_traitors = 2};
  return run_om(run, &su);
}

static const lab_scenario scenarios[] = {
    {"om1",
     "OM(1), 4 generals (--nodes 4..7); the seed picks 0 or 1 traitor (every set in turn), the "
     "order and the lies",
     scenario_om1, LAB_NODES(4, OM_MAX_NODES)},
    {"om2", "OM(2), 7 generals; the seed picks 0 to 2 traitors (29 sets in turn)", scenario_om2,
     LAB_FIXED_NODES},
    {"three-generals", "OM(1), 3 generals, 1 traitor: n = 3m, so some seeds break IC1 or IC2",
     scenario_three, LAB_FIXED_NODES},
    {"six-generals", "OM(2), 6 generals, 2 traitors: n = 3m, so some seeds break IC1 or IC2",
     scenario_six, LAB_FIXED_NODES},
};

const lab_info lab15 = {
    .id = "15-byzantine",
    .title = "Byzantine generals: oral messages",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
