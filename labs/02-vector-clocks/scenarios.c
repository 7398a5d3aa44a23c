/*
 * labs/02-vector-clocks/scenarios.c: lab 02's scenarios and checkers, shared by the driver and the
 * tests.
 *
 * gossip: every event's vector (yours) is compared with every earlier event's, and the answer
 * must match the library's ground truth exactly: a -> b if and only if V(a) <= V(b) entry by entry
 * (and V(a) != V(b)). In the ground truth, a -> b exactly when b's vector covers a's own entry.
 * Local events and sends are checked at once; a receive waits until its handler has run (the
 * observer sees it first), like lab 01's checker.
 *
 * broadcast: causality here is between deliveries, not receives (a message received and held
 * back has not been seen by the application), so the checker does not use the library's vectors:
 * when a message is first sent, it records what its sender had delivered by then (its causal
 * past); when any node delivers it, everything in that past must already be delivered there,
 * and the message must not be delivered twice. At the deadline everyone has everything.
 *
 * store: every write is a local event, so its ground-truth vector says which writes it has seen.
 * After every event, at every replica, two invariants: no-stale-siblings, no sibling's write
 * happened before another's (and no value is kept twice); no-lost-writes, each write that reached
 * the replica (its event happened before the replica's present) is a sibling or happened before
 * one. At the end all replicas hold the same siblings: exactly the writes no other write has
 * seen.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

static const char *kind_name(int kind) {
  return kind == SIM_EV_SEND ? "send" : kind == SIM_EV_RECV ? "receive" : "local event";
}

static void vc_text(const vclock *v, int count, char *out, size_t cap) {
  size_t at = (size_t)snprintf(out, cap, "[");
  for (int i = 0; i < count && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%u", i ? "," : "", v->c[i]);
  if (at < cap) snprintf(out + at, cap - at, "]");
}

static bool vc_leq(const vclock *a, const vclock *b) {
  for (int i = 0; i < LAB02_MAX_NODES; i++)
    if (a->c[i] > b->c[i]) return false;
  return true;
}

/* Ground truth: did a happen before b (a != b)? */
static bool truth_before(const lab02_event *a, const lab02_event *b) {
  return a != b && a->truth[a->node] <= b->truth[a->node];
}

/* ---- gossip: exact characterization -------------------------------------------------------- */

static void check_pairs(sim_world *w, lab02_record *rec, const lab02_event *b) {
  if (rec->event_count >= LAB02_MAX_EVENTS) {
    sim_fail(w, "recorder", "more than %d events: the scenario is too long for the checker",
             LAB02_MAX_EVENTS);
    return;
  }
  rec->events[rec->event_count] = *b;
  const lab02_event *nb = &rec->events[rec->event_count];
  for (uint32_t x = 0; x < rec->event_count; x++) {
    const lab02_event *a = &rec->events[x];
    rec->pairs_checked++;
    bool truth = truth_before(a, nb); /* a is earlier in the run: b -> a is impossible */
    bool leq = vc_leq(&a->clock, &nb->clock), geq = vc_leq(&nb->clock, &a->clock);
    const char *problem = NULL, *hint = NULL;
    if (truth && !(leq && !geq)) {
      problem = "happened before";
      hint = leq ? "but the vectors are equal: every event must tick its own entry (vclock_tick)"
                 : "but V(a) <= V(b) does not hold: a receive must take the entrywise maximum of "
                   "both vectors (vclock_merge) and then tick";
    } else if (!truth && leq) {
      problem = "is concurrent with";
      hint = geq ? "but the vectors are equal: every event must tick its own entry (vclock_tick)"
                 : "but V(a) <= V(b) says a -> b: a tick must change only the node's own entry, "
                   "and a merge must not invent entries";
    } else if (!truth && geq) {
      problem = "is concurrent with";
      hint = "but V(b) <= V(a) says b -> a";
    }
    if (problem) {
      char ta[32], tb[32], va[96], vb[96];
      vc_text(&a->clock, rec->nodes, va, sizeof va);
      vc_text(&nb->clock, rec->nodes, vb, sizeof vb);
      sim_fail(w, "vector-clocks", "n%d's %s at t=%s (V=%s) %s n%d's %s at t=%s (V=%s), %s",
               a->node, kind_name(a->kind), sim_format_time(a->time, ta, sizeof ta), va, problem,
               nb->node, kind_name(nb->kind), sim_format_time(nb->time, tb, sizeof tb), vb, hint);
      return;
    }
  }
  rec->event_count++;
}

static lab02_event event_of(const sim_event *ev, const vclock *clock) {
  lab02_event e = {.time = ev->time,
                   .node = ev->node,
                   .kind = (int32_t)ev->kind,
                   .peer = ev->peer,
                   .msg_id = ev->msg_id,
                   .clock = *clock};
  memcpy(e.truth, ev->vc, sizeof e.truth);
  return e;
}

static void settle(sim_world *w, lab02_record *rec) {
  for (int i = 0; i < rec->nodes; i++) {
    if (!rec->pending[i]) continue;
    rec->pending[i] = false;
    const vc_state *s = sim_state(w, i);
    rec->pending_ev[i].clock = s->recv_clock;
    check_pairs(w, rec, &rec->pending_ev[i]);
  }
}

static void watch_gossip(sim_world *w, const sim_event *ev, void *ctx) {
  lab02_record *rec = ctx;
  settle(w, rec);
  if (ev->node < 0 || ev->node >= rec->nodes) return;
  const vc_state *s = sim_state(w, ev->node);
  if (ev->kind == SIM_EV_LOCAL) {
    lab02_event e = event_of(ev, &s->clock);
    check_pairs(w, rec, &e);
  } else if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_GOSSIP) {
    lab02_event e = event_of(ev, &((const gossip_body *)ev->body)->vc);
    check_pairs(w, rec, &e);
  } else if (ev->kind == SIM_EV_RECV && ev->peer >= 0 && ev->msg_type == MSG_GOSSIP) {
    vclock zero = {{0}};
    rec->pending[ev->node] = true;
    rec->pending_ev[ev->node] = event_of(ev, &zero);
  }
}

static bool gossip_settled(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)why;
  (void)cap;
  settle(w, ctx);
  return true;
}

/* ---- broadcast: causal delivery ------------------------------------------------------------ */

static bool has(const uint64_t *set, uint32_t id) { return (set[id / 64] >> (id % 64)) & 1u; }
static void put(uint64_t *set, uint32_t id) { set[id / 64] |= (uint64_t)1 << (id % 64); }

/* The first copy of a broadcast: its causal past is what its sender has delivered so far. */
static void watch_broadcast(sim_world *w, const sim_event *ev, void *ctx) {
  lab02_record *rec = ctx;
  if (ev->kind != SIM_EV_SEND || ev->msg_type != MSG_BCAST) return;
  const cb_msg *m = ev->body;
  if (m->id >= CB_MAX_MESSAGES || rec->known[m->id]) return;
  rec->known[m->id] = true;
  rec->messages++;
  const vc_state *s = sim_state(w, ev->node);
  uint32_t count = s->log_count < CB_LOG_MAX ? s->log_count : CB_LOG_MAX;
  for (uint32_t k = 0; k < count; k++)
    if (s->log[k] != m->id && s->log[k] < CB_MAX_MESSAGES) put(rec->deps[m->id], s->log[k]);
}

static void msg_name(uint32_t id, char *out, size_t cap) {
  snprintf(out, cap, "n%u.%u", id / CB_PER_NODE, id % CB_PER_NODE + 1);
}

/* Is node's s->delivered behind what the node has delivered? Entry o must be at least the number
 * of the last message from o in the node's log: the n-th message of o carries n in entry o, and
 * delivering it merges that in. Looks at entry k (every entry when k < 0); on the first entry
 * behind, sets *origin, *have (the entry) and *top (the last message number delivered from that
 * origin) and returns true. Used to blame the right code when delivery goes wrong. */
static bool delivered_behind(sim_world *w, int node, int k, int *origin, uint32_t *have,
                             uint32_t *top) {
  const vc_state *s = sim_state(w, node);
  uint32_t last[LAB02_MAX_NODES] = {0};
  uint32_t count = s->log_count < CB_LOG_MAX ? s->log_count : CB_LOG_MAX;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t id = s->log[i];
    if (id >= CB_MAX_MESSAGES) continue;
    if (id % CB_PER_NODE + 1 > last[id / CB_PER_NODE])
      last[id / CB_PER_NODE] = id % CB_PER_NODE + 1;
  }
  for (int o = k < 0 ? 0 : k; o < (k < 0 ? LAB02_MAX_NODES : k + 1); o++) {
    if (s->delivered.c[o] >= last[o]) continue;
    *origin = o;
    *have = s->delivered.c[o];
    *top = last[o];
    return true;
  }
  return false;
}

/* delivered_behind's finding as a sentence that names the entry, its value and the likely cause;
 * returns false (and writes nothing) if no entry is behind. */
static bool delivered_behind_text(sim_world *w, int node, int k, char *out, size_t cap) {
  int o;
  uint32_t have, top;
  if (!delivered_behind(w, node, k, &o, &have, &top)) return false;
  if (o == node)
    snprintf(out, cap,
             "n%d's delivered[n%d] is %u after broadcasting n%d.%u, expected %u: cb_broadcast "
             "must count its own message (s->delivered.c[self] += 1) before stamping it",
             node, o, have, o, top, top);
  else if (have == 0)
    snprintf(out, cap,
             "n%d's delivered[n%d] is still 0 after delivering n%d.%u: merge the message's "
             "timestamp into s->delivered on delivery (cb_deliver does not do it for you)",
             node, o, o, top);
  else
    snprintf(out, cap,
             "n%d's delivered[n%d] is %u after delivering n%d.%u, expected %u: n%d.%u carried %u "
             "in n%d's entry (does cb_broadcast count before stamping?), or its timestamp was "
             "not merged into s->delivered on delivery",
             node, o, have, o, top, top, o, top, have, o);
  return true;
}

static bool causal_delivery(sim_world *w, void *ctx, char *why, size_t cap) {
  lab02_record *rec = ctx;
  for (int i = 0; i < rec->nodes; i++) {
    const vc_state *s = sim_state(w, i);
    if (s->held_count > rec->max_held) rec->max_held = s->held_count;
    uint32_t count = s->log_count < CB_LOG_MAX ? s->log_count : CB_LOG_MAX;
    for (uint32_t k = rec->checked_upto[i]; k < count; k++) {
      uint32_t id = s->log[k];
      char name[32], dep[32];
      if (id >= CB_MAX_MESSAGES) {
        snprintf(why, cap, "n%d delivered a message with id %u, which was never broadcast", i, id);
        return false;
      }
      msg_name(id, name, sizeof name);
      if (has(rec->got[i], id)) {
        char hint[400];
        if (delivered_behind_text(w, i, (int)(id / CB_PER_NODE), hint, sizeof hint))
          snprintf(why, cap,
                   "n%d delivered %s twice, expected once: %s, so a later copy of it looks new "
                   "(cb_on_receive)",
                   i, name, hint);
        else
          snprintf(why, cap,
                   "n%d delivered %s twice, expected once: a copy of a message already delivered "
                   "(vc.c[origin] <= s->delivered.c[origin]) or already held must be dropped on "
                   "arrival (cb_on_receive)",
                   i, name);
        return false;
      }
      if ((int)(id / CB_PER_NODE) != i && !rec->known[id]) {
        snprintf(why, cap, "n%d delivered %s, which was never sent", i, name);
        return false;
      }
      for (uint32_t d = 0; d < CB_MAX_MESSAGES; d++) {
        if (!has(rec->deps[id], d) || has(rec->got[i], d)) continue;
        msg_name(d, dep, sizeof dep);
        int sender = (int)(id / CB_PER_NODE), dep_origin = (int)(d / CB_PER_NODE);
        char hint[400];
        if (dep_origin == sender) {
          /* The same sender: its stamps are at fault, or condition (1). If i's entry for the
           * sender is behind the last message it delivered from it (and not 0, which would be a
           * missing merge), that message carried too small a number in its own entry. */
          int o;
          uint32_t have, top;
          if (delivered_behind(w, i, sender, &o, &have, &top) && have > 0)
            snprintf(why, cap,
                     "causal order broken: n%d delivered %s before %s, expected %s first (a "
                     "message from the same sender overtook its predecessor: does cb_broadcast "
                     "count before stamping, so that the n-th message carries n in its own "
                     "entry?); n%d's delivered[n%d] is %u right after delivering n%d.%u, so "
                     "n%d.%u carried %u in its own entry, not %u",
                     i, name, dep, dep, i, sender, have, sender, top, sender, top, have, top);
          else if (delivered_behind_text(w, i, sender, hint, sizeof hint))
            snprintf(why, cap,
                     "causal order broken: n%d delivered %s before %s, expected %s first: %s", i,
                     name, dep, dep, hint);
          else
            snprintf(why, cap,
                     "causal order broken: n%d delivered %s before %s, expected %s first (a "
                     "message from the same sender overtook its predecessor, although its stamp "
                     "looks right: n%d's delivered[n%d] is %u after delivering %s): "
                     "cb_deliverable must hold a message back until it is the next from its "
                     "origin, condition (1), vc[origin] == delivered[origin] + 1",
                     i, name, dep, dep, i, sender,
                     ((const vc_state *)sim_state(w, i))->delivered.c[sender], name);
        } else if (delivered_behind_text(w, sender, dep_origin, hint, sizeof hint)) {
          /* The sender did not count what it had delivered, so the stamp does not show it. */
          snprintf(why, cap,
                   "causal order broken: n%d delivered %s before %s, which its sender n%d had "
                   "delivered before sending it: %s, so %s's timestamp does not show that it "
                   "depends on %s",
                   i, name, dep, sender, hint, name, dep);
        } else {
          snprintf(why, cap,
                   "causal order broken: n%d delivered %s before %s, which its sender n%d had "
                   "delivered before sending it; hold a message back until cb_deliverable says "
                   "yes (the next from its origin, and nothing it depends on missing)",
                   i, name, dep, sender);
        }
        return false;
      }
      put(rec->got[i], id);
    }
    rec->checked_upto[i] = count;
  }
  return true;
}

/* ---- store: version vectors ---------------------------------------------------------------- */

static void watch_writes(sim_world *w, const sim_event *ev, void *ctx) {
  lab02_record *rec = ctx;
  if (ev->kind != SIM_EV_LOCAL) return;
  const vc_state *s = sim_state(w, ev->node);
  if (!s->writing) return;
  if (rec->write_count >= LAB02_MAX_WRITES) {
    sim_fail(w, "recorder", "more than %d writes: the scenario is too long for the checker",
             LAB02_MAX_WRITES);
    return;
  }
  uint32_t k = rec->write_count++;
  rec->write_value[k] = s->writing;
  rec->write_node[k] = ev->node;
  rec->write_time[k] = ev->time;
  memcpy(rec->write_truth[k], ev->vc, sizeof rec->write_truth[k]);
}

static int write_index(const lab02_record *rec, uint32_t value) {
  for (uint32_t k = 0; k < rec->write_count; k++)
    if (rec->write_value[k] == value) return (int)k;
  return -1;
}

/* Did write x happen before write y (or is it y)? */
static bool write_covered(const lab02_record *rec, int x, int y) {
  int node = rec->write_node[x];
  return rec->write_truth[x][node] <= rec->write_truth[y][node];
}

/* The siblings of a store as "{1001, 3001}" into out. */
static const char *values_text(const vstore *st, char *out, size_t cap) {
  size_t at = (size_t)snprintf(out, cap, "{");
  uint32_t count = st->count < VSTORE_MAX ? st->count : VSTORE_MAX;
  for (uint32_t i = 0; i < count && at < cap; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%u", i ? ", " : "", st->sib[i].value);
  if (at < cap) snprintf(out + at, cap - at, "}");
  return out;
}

/* no-stale-siblings: at every replica, every sibling is a write that was made, kept once, and no
 * sibling's write had seen another's (a covered version must go: it is stale). */
static bool no_stale_siblings(sim_world *w, void *ctx, char *why, size_t cap) {
  lab02_record *rec = ctx;
  for (int r = 0; r < rec->nodes; r++) {
    const vc_state *s = sim_state(w, r);
    if (s->writing) continue; /* in the middle of a write */
    if (s->store.count > VSTORE_MAX) {
      snprintf(why, cap, "n%d's store holds %u siblings; at most %d fit", r, s->store.count,
               VSTORE_MAX);
      return false;
    }
    if (s->store.count > rec->max_siblings) rec->max_siblings = s->store.count;
    int sib[VSTORE_MAX];
    char text[128];
    for (uint32_t i = 0; i < s->store.count; i++) {
      sib[i] = write_index(rec, s->store.sib[i].value);
      if (sib[i] < 0) {
        snprintf(why, cap, "n%d holds value %u, which nobody wrote", r, s->store.sib[i].value);
        return false;
      }
      for (uint32_t j = 0; j < i; j++) {
        if (sib[j] == sib[i]) {
          snprintf(why, cap,
                   "n%d keeps value %u twice (siblings %s): an incoming version equal to a "
                   "sibling must be ignored (store_merge)",
                   r, s->store.sib[i].value, values_text(&s->store, text, sizeof text));
          return false;
        }
        int older = write_covered(rec, sib[j], sib[i])   ? sib[j]
                    : write_covered(rec, sib[i], sib[j]) ? sib[i]
                                                         : -1;
        if (older >= 0) {
          int newer = older == sib[i] ? sib[j] : sib[i];
          snprintf(why, cap,
                   "n%d keeps value %u beside value %u (siblings %s), but the write of %u had "
                   "seen %u, so %u is stale: a version that another covers must be dropped "
                   "(store_put / store_merge)",
                   r, rec->write_value[older], rec->write_value[newer],
                   values_text(&s->store, text, sizeof text), rec->write_value[newer],
                   rec->write_value[older], rec->write_value[older]);
          return false;
        }
      }
    }
  }
  return true;
}

/* no-lost-writes: at every replica, each write that has reached it (its event happened before
 * the replica's present, ground truth) is a sibling or was seen by one. */
static bool no_lost_writes(sim_world *w, void *ctx, char *why, size_t cap) {
  lab02_record *rec = ctx;
  for (int r = 0; r < rec->nodes; r++) {
    const vc_state *s = sim_state(w, r);
    if (s->writing) continue; /* in the middle of a write */
    uint32_t count = s->store.count < VSTORE_MAX ? s->store.count : VSTORE_MAX;
    const uint32_t *now = sim_true_vc(w, r);
    for (uint32_t k = 0; k < rec->write_count; k++) {
      int node = rec->write_node[k];
      if (rec->write_truth[k][node] > now[node]) continue; /* has not reached r */
      bool kept = false;
      for (uint32_t i = 0; i < count && !kept; i++) {
        int sib = write_index(rec, s->store.sib[i].value);
        kept = sib >= 0 && write_covered(rec, (int)k, sib);
      }
      if (!kept) {
        char t[32], text[128];
        snprintf(why, cap,
                 "write %u (n%d at t=%s) reached n%d but is lost there: n%d's siblings are %s, "
                 "none is it or has seen it; a concurrent version must be kept as a sibling, "
                 "never dropped (store_put / store_merge)",
                 rec->write_value[k], node, sim_format_time(rec->write_time[k], t, sizeof t), r, r,
                 values_text(&s->store, text, sizeof text));
        return false;
      }
    }
  }
  return true;
}

/* ---- building worlds ----------------------------------------------------------------------- */

typedef struct setup {
  int nodes;
  lab02_config config;
  sim_net_config net;
} setup;

static sim_world *build(lab_run *run, const setup *su) {
  sim_world *w = sim_create(run->seed);
  for (int i = 0; i < su->nodes; i++) sim_add_node(w, &vc_protocol, &su->config, sizeof su->config);
  sim_set_net(w, &su->net);
  lab02_record *rec = calloc(1, sizeof *rec);
  rec->nodes = su->nodes;
  rec->mode = su->config.mode;
  run->lab_data = rec;
  if (su->config.mode == MODE_GOSSIP) {
    sim_observe(w, watch_gossip, rec);
    sim_invariant(w, "vector-clocks", gossip_settled, rec);
  } else if (su->config.mode == MODE_BROADCAST) {
    sim_observe(w, watch_broadcast, rec);
    sim_invariant(w, "causal-delivery", causal_delivery, rec);
  } else {
    sim_observe(w, watch_writes, rec);
    sim_invariant(w, "no-stale-siblings", no_stale_siblings, rec);
    sim_invariant(w, "no-lost-writes", no_lost_writes, rec);
  }
  lab_begin(run, w);
  return w;
}

/* ---- gossip scenarios ---------------------------------------------------------------------- */

static bool run_gossip(lab_run *run, const setup *su, sim_time deadline) {
  sim_world *w = build(run, su);
  sim_run_until_time(w, deadline);
  lab02_record *rec = run->lab_data;
  settle(w, rec);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  if (rec->event_count < 2) return lab_verdict(run, false, "fewer than two events were checked");
  return lab_verdict(run, true,
                     "vectors matched happens-before exactly on all %u events (%u pairs), in both "
                     "directions",
                     rec->event_count, rec->pairs_checked);
}

static setup gossip_setup(int nodes, uint32_t actions, sim_net_config net) {
  setup su = {.nodes = nodes,
              .config = {.mode = MODE_GOSSIP,
                         .actions = actions,
                         .mean_gap = 10 * SIM_MS,
                         .local_percent = 30,
                         .max_hops = 2},
              .net = net};
  return su;
}

static bool scenario_gossip(lab_run *run) {
  setup su = gossip_setup(lab_nodes(run, 4), 30, sim_net_uniform(1 * SIM_MS, 40 * SIM_MS, 0, 0));
  return run_gossip(run, &su, 5 * SIM_SEC);
}

static bool scenario_gossip_faulty(lab_run *run) {
  setup su =
      gossip_setup(lab_nodes(run, 4), 30, sim_net_uniform(1 * SIM_MS, 60 * SIM_MS, 0.2, 0.3));
  return run_gossip(run, &su, 5 * SIM_SEC);
}

/* A short run drawn as a space-time diagram in the verdict: one column per node, time going down,
 * each event with your vector (the chapter of lab 02 shows it). */
static bool scenario_diagram(lab_run *run) {
  setup su = gossip_setup(3, 3, sim_net_uniform(1 * SIM_MS, 30 * SIM_MS, 0, 0));
  su.config.mean_gap = 8 * SIM_MS;
  su.config.max_hops = 1;
  if (!run_gossip(run, &su, 1 * SIM_SEC)) return false;
  const lab02_record *rec = run->lab_data;
  char out[sizeof run->verdict];
  size_t at = 0;
  enum { COL = 22 };
  at += (size_t)snprintf(out + at, sizeof out - at, "%u events, vectors exact.\n%-8s",
                         rec->event_count, "time");
  for (int i = 0; i < rec->nodes; i++)
    at += (size_t)snprintf(out + at, sizeof out - at, "%-*s", COL, sim_node_name(run->world, i));
  for (uint32_t e = 0; e < rec->event_count && at < sizeof out; e++) {
    const lab02_event *ev = &rec->events[e];
    char t[32], cell[128], vc[64];
    sim_format_time(ev->time, t, sizeof t);
    vc_text(&ev->clock, rec->nodes, vc, sizeof vc);
    if (ev->kind == SIM_EV_SEND)
      snprintf(cell, sizeof cell, "m%llu>n%d %s", (unsigned long long)ev->msg_id, ev->peer, vc);
    else if (ev->kind == SIM_EV_RECV)
      snprintf(cell, sizeof cell, "m%llu<n%d %s", (unsigned long long)ev->msg_id, ev->peer, vc);
    else
      snprintf(cell, sizeof cell, "local %s", vc);
    at += (size_t)snprintf(out + at, sizeof out - at, "\n%-8s%*s%s", t, ev->node * COL, "", cell);
  }
  if (at >= sizeof out) return lab_verdict(run, false, "the diagram does not fit in the verdict");
  return lab_verdict(run, true, "%s", out);
}

/* ---- broadcast scenarios ------------------------------------------------------------------- */

static bool run_broadcast(lab_run *run, sim_time deadline) {
  sim_world *w = run->world;
  lab02_record *rec = run->lab_data;
  sim_run_until_time(w, deadline);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  char t[32];
  for (int i = 0; i < rec->nodes; i++) {
    const vc_state *s = sim_state(w, i);
    for (uint32_t id = 0; id < CB_MAX_MESSAGES; id++) {
      if (!rec->known[id] || has(rec->got[i], id)) continue;
      char name[32], hint[400];
      msg_name(id, name, sizeof name);
      int sender = (int)(id / CB_PER_NODE);
      if (delivered_behind_text(w, sender, sender, hint, sizeof hint) ||
          delivered_behind_text(w, i, -1, hint, sizeof hint))
        return lab_verdict(
            run, false, "by t=%s n%d has not delivered %s (%u delivered, %u held back): %s",
            sim_format_time(deadline, t, sizeof t), i, name, s->log_count, s->held_count, hint);
      return lab_verdict(run, false,
                         "by t=%s n%d has not delivered %s (%u delivered, %u held back; the "
                         "network lost %llu copies): a message that was deliverable stayed held "
                         "(deliver in a loop), or the sender's own entry was not counted "
                         "(cb_broadcast); lost copies are never resent in this lab",
                         sim_format_time(deadline, t, sizeof t), i, name, s->log_count,
                         s->held_count, (unsigned long long)sim_get_stats(w)->dropped_loss);
    }
  }
  /* Everything is delivered everywhere, so nothing may still be held: a copy left in `held` is a
   * duplicate that cb_on_receive kept (cb_deliverable refuses it forever, so delivery stays
   * right, but `held` only grows, towards CB_HOLD_MAX, and the copies never leave). */
  for (int i = 0; i < rec->nodes; i++) {
    const vc_state *s = sim_state(w, i);
    if (s->held_count == 0) continue;
    char name[32] = "a message with a bad id";
    if (s->held[0].id < CB_MAX_MESSAGES) msg_name(s->held[0].id, name, sizeof name);
    return lab_verdict(run, false,
                       "by t=%s n%d still holds %u copies after delivering everything (one is "
                       "%s; up to %u held at once): a duplicate (already delivered or already "
                       "held) must be dropped on arrival (cb_on_receive)",
                       sim_format_time(deadline, t, sizeof t), i, s->held_count, name,
                       rec->max_held);
  }
  const sim_stats *st = sim_get_stats(w);
  return lab_verdict(run, true,
                     "all %d nodes delivered all %u broadcasts once each in causal order (%llu "
                     "copies duplicated by the network; up to %u held back at once)",
                     rec->nodes, rec->messages, (unsigned long long)st->duplicated, rec->max_held);
}

static setup broadcast_setup(double dup) {
  setup su = {.nodes = 5,
              .config = {.mode = MODE_BROADCAST,
                         .actions = 5,
                         .mean_gap = 20 * SIM_MS,
                         .reply_percent = 15},
              .net = sim_net_uniform(1 * SIM_MS, 80 * SIM_MS, 0, dup)};
  return su;
}

static bool scenario_broadcast(lab_run *run) {
  setup su = broadcast_setup(0.3);
  su.nodes = lab_nodes(run, su.nodes);
  build(run, &su);
  return run_broadcast(run, 10 * SIM_SEC);
}

static bool scenario_broadcast_dup(lab_run *run) {
  setup su = broadcast_setup(0.7);
  su.nodes = lab_nodes(run, su.nodes);
  build(run, &su);
  return run_broadcast(run, 10 * SIM_SEC);
}

/* n0's copies to n2 take 300 ms; everything else 1..10 ms. n1 answers n0's messages quickly, so
 * n2 receives the answers long before the questions and must hold them back. */
static bool scenario_broadcast_slow(lab_run *run) {
  setup su = broadcast_setup(0.2);
  su.nodes = 3;
  su.config.reply_percent = 50;
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0, 0.2);
  sim_world *w = build(run, &su);
  sim_net_config slow = su.net;
  slow.latency = SIM_LATENCY_CONSTANT;
  slow.latency_min = slow.latency_max = 300 * SIM_MS;
  sim_set_link(w, 0, 2, &slow);
  return run_broadcast(run, 10 * SIM_SEC);
}

/* ---- store scenarios ----------------------------------------------------------------------- */

static bool same_values(const vstore *a, const vstore *b) {
  if (a->count != b->count) return false;
  for (uint32_t i = 0; i < a->count; i++) {
    bool found = false;
    for (uint32_t j = 0; j < b->count && !found; j++) found = a->sib[i].value == b->sib[j].value;
    if (!found) return false;
  }
  return true;
}

/* The end: every replica holds the same siblings, and they are exactly the writes no other write
 * has seen (ground truth). */
static bool judge_store(lab_run *run) {
  sim_world *w = run->world;
  lab02_record *rec = run->lab_data;
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  const vc_state *s0 = sim_state(w, 0);
  for (int r = 1; r < rec->nodes; r++)
    if (!same_values(&s0->store, &((const vc_state *)sim_state(w, r))->store))
      return lab_verdict(run, false,
                         "after anti-entropy n0 and n%d hold different siblings (%u and "
                         "%u): merging must converge",
                         r, s0->store.count, ((const vc_state *)sim_state(w, r))->store.count);
  uint32_t maximal = 0;
  for (uint32_t k = 0; k < rec->write_count; k++) {
    bool seen_by_other = false;
    for (uint32_t j = 0; j < rec->write_count && !seen_by_other; j++)
      seen_by_other = j != k && write_covered(rec, (int)k, (int)j);
    if (seen_by_other) continue;
    maximal++;
    bool kept = false;
    for (uint32_t i = 0; i < s0->store.count && !kept; i++)
      kept = s0->store.sib[i].value == rec->write_value[k];
    if (!kept)
      return lab_verdict(run, false,
                         "write %u was seen by no other write, yet the replicas do not "
                         "keep it: a concurrent write was lost",
                         rec->write_value[k]);
  }
  if (s0->store.count != maximal)
    return lab_verdict(run, false, "the replicas keep %u siblings; %u writes were seen by no other",
                       s0->store.count, maximal);
  return lab_verdict(run, true,
                     "%u writes; every replica ends with the same %u sibling(s), exactly the "
                     "writes no other write had seen; up to %u siblings at once, none lost",
                     rec->write_count, maximal, rec->max_siblings);
}

static bool scenario_replicas(lab_run *run) {
  setup su = {.nodes = 3,
              .config = {.mode = MODE_STORE,
                         .actions = 8,
                         .mean_gap = 30 * SIM_MS,
                         .sync_every = 40 * SIM_MS,
                         .sync_rounds = 25},
              .net = sim_net_uniform(1 * SIM_MS, 30 * SIM_MS, 0.1, 0.3)};
  sim_world *w = build(run, &su);
  sim_run_until_time(w, 3 * SIM_SEC);
  return judge_store(run);
}

/* Writes by hand, through sim_poke: the steps of the story the chapter tells. */
static void poke_write(sim_node *n, void *state, void *arg) {
  (void)arg;
  replica_write(n, state);
}
static void at_write(sim_world *w, void *ctx, uint64_t node) {
  (void)ctx;
  sim_poke(w, (int)node, poke_write, NULL);
}

/* n0 and n1 write at the same moment, before any sync (concurrent): after the sync at 100 ms
 * every replica holds both as siblings. At 250 ms n2, which holds both, writes again: its write
 * has seen both, and after the next sync (300 ms) it is the only version anywhere. */
static bool scenario_siblings(lab_run *run) {
  setup su = {.nodes = 3,
              .config = {.mode = MODE_STORE, .sync_every = 100 * SIM_MS, .sync_rounds = 4},
              .net = sim_net_uniform(1 * SIM_MS, 20 * SIM_MS, 0, 0.5)};
  sim_world *w = build(run, &su);
  sim_at(w, 10 * SIM_MS, at_write, NULL, 0);
  sim_at(w, 10 * SIM_MS, at_write, NULL, 1);
  sim_at(w, 250 * SIM_MS, at_write, NULL, 2);
  lab02_record *rec = run->lab_data;
  sim_run_until_time(w, 200 * SIM_MS);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  for (int r = 0; r < 3; r++) {
    const vc_state *s = sim_state(w, r);
    if (s->store.count != 2)
      return lab_verdict(run, false,
                         "at t=200ms n%d holds %u version(s); the concurrent writes "
                         "1001 (n0) and 2001 (n1) must both be there as siblings",
                         r, s->store.count);
  }
  rec->max_siblings = 2;
  sim_run_until_time(w, 600 * SIM_MS);
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  for (int r = 0; r < 3; r++) {
    const vc_state *s = sim_state(w, r);
    if (s->store.count != 1 || s->store.sib[0].value != 3001)
      return lab_verdict(run, false,
                         "at t=600ms n%d holds %u version(s); n2's write 3001 had seen "
                         "both siblings and must replace them everywhere",
                         r, s->store.count);
  }
  return judge_store(run);
}

static const lab_scenario scenarios[] = {
    {"gossip",
     "4 nodes (--nodes 2..8): local events and forwarded messages; vectors exact, both ways",
     scenario_gossip, LAB_NODES(2, LAB02_MAX_NODES)},
    {"gossip-faulty", "the same with 20% loss and 30% duplication", scenario_gossip_faulty,
     LAB_NODES(2, LAB02_MAX_NODES)},
    {"diagram", "3 nodes, a few events: the run as a text space-time diagram", scenario_diagram,
     LAB_FIXED_NODES},
    {"broadcast", "5 nodes (--nodes 2..8) broadcast and answer; latency 1..80 ms, 30% duplicates",
     scenario_broadcast, LAB_NODES(2, LAB02_MAX_NODES)},
    {"broadcast-dup", "the same with 70% duplicates", scenario_broadcast_dup,
     LAB_NODES(2, LAB02_MAX_NODES)},
    {"broadcast-slow", "n0's copies to n2 take 300 ms: answers overtake questions",
     scenario_broadcast_slow, LAB_FIXED_NODES},
    {"siblings", "two concurrent writes become siblings; a later write replaces both",
     scenario_siblings, LAB_FIXED_NODES},
    {"replicas", "3 replicas write and sync under loss, duplication and reordering",
     scenario_replicas, LAB_FIXED_NODES},
};

const lab_info lab02 = {
    .id = "02-vector-clocks",
    .title = "causality, exactly",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
