/*
 * labs/05-failure-detectors/scenarios.c: lab 05's scenarios and checkers, shared by the driver
 * and the tests.
 *
 * Every scenario is a group of nodes that watch each other while the network delays, loses and
 * slows messages and some node crashes. The library knows the truth (who is up: sim_alive; when
 * a node crashed: the crash event), so the checkers compare every node's opinions with it after
 * every event:
 *
 *   heartbeat mode, for each detector that runs (fixed timeout, phi):
 *     - completeness: a crashed peer is suspected by every live observer by a bound derived from
 *       the detector's parameters: for the fixed timeout, its latest heartbeat's arrival A plus
 *       the timeout plus one check interval; for phi, A plus the largest mean and deviation a
 *       window can hold on that link (period + jitter, and max(jitter, min_std)) times the normal
 *       quantile z of the threshold, plus one check (only without loss: a lost heartbeat makes
 *       the window's numbers unbounded);
 *     - the fixed timeout never suspects a peer heard from within the timeout;
 *     - a heartbeat restores trust at once: right after one arrives, its sender is not suspected;
 *     - false suspicions (a suspicion of a live peer, begun) are counted, with detection times.
 *   SWIM mode:
 *     - completeness: every live member suspects a crashed one within 2(N-1) protocol periods of
 *       the crash (round-robin probing: each member probes it within 2(N-1) - 1 periods and
 *       suspects it when the period ends), and, in runs without loss, has declared it dead within
 *       one suspicion timeout more;
 *     - accuracy: no live member is ever declared dead (refutation must win);
 *     - the incarnation rules: DEAD is final; a node's view of a member's incarnation never goes
 *       down, and never goes above the incarnation the member itself has reached;
 *     - load: messages sent per live node per protocol period, over a quiet stretch.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "nemesis.h"

typedef struct fd_setup {
  int nodes;
  fd_config config;
  sim_net_config net; /* every link */
  uint32_t far;       /* bit i: node i is far away: its links use far_net */
  sim_net_config far_net;
  int crash_count;
  int crash_node[4];
  sim_time crash_at[4]; /* plus a draw in [0, period) from the workload stream */
  int slow_node;        /* -1: none */
  sim_time slow_from, slow_to, slow_extra;
  bool phi_bound;  /* the static phi bound applies (no loss in the scenario) */
  bool dead_bound; /* SWIM: every live member must declare a crashed one dead in time */
  sim_time load_from, load_to;
  sim_time end;
  int watched;         /* SWIM: the member whose suspicion and refutation are timed (-1) */
  sim_time warmup;     /* false suspicions after this count as the steady state's */
  sim_time loss_until; /* if not 0: every link's loss drops to 0 at this time */
  bool converge;       /* SWIM: by the end, every view of a live member is exact */
} fd_setup;

/* The run's data: the public record first (tests read run->lab_data as a lab05_record), then
 * what only the checks need. One allocation, freed by lab_end. */
typedef struct scenario_data {
  lab05_record rec;
  fd_setup setup;
  bool check_phi_bound;
  int heard_observer, heard_peer; /* the heartbeat receive just observed (-1: none) */
  uint32_t own_inc[FD_MAX_NODES]; /* the highest incarnation each member reached itself */
} scenario_data;

static const char *tm(sim_time t, char *buf, size_t cap) { return sim_format_time(t, buf, cap); }

/* The z with -log10(P(X > mu + z sigma)) = phi for a normal X: bisection on the tail. */
static double phi_quantile(double phi) {
  double lo = -10, hi = 40;
  for (int i = 0; i < 200; i++) {
    double mid = (lo + hi) / 2;
    double p = 0.5 * erfc(mid / sqrt(2.0));
    if (p <= 0 || -log10(p) > phi)
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

/* ---------------------------------------------------------------------------------------------
 * Observing the run.
 */
static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  scenario_data *d = ctx;
  lab05_record *rec = &d->rec;
  if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_HEARTBEAT && ev->peer >= 0) {
    rec->last_arrival[ev->node][ev->peer] = ev->time;
    d->heard_observer = ev->node;
    d->heard_peer = ev->peer;
  }
  if (ev->kind == SIM_EV_SEND && ev->time >= rec->load_from && ev->time < rec->load_to)
    rec->load_messages++;
  if (ev->kind == SIM_EV_CRASH && rec->crashed_at[ev->node] == 0) {
    int c = ev->node;
    rec->crashed_at[c] = ev->time;
    /* An observer that already suspects it at the crash has detected it at once. */
    for (int i = 0; i < rec->nodes; i++) {
      if (i == c || !sim_alive(w, i)) continue;
      for (int k = 0; k < 2; k++)
        if (rec->prev[k][i][c]) rec->detected_at[k][i][c] = ev->time;
      if (rec->config.mode == FD_MODE_SWIM && rec->prev_status[i][c] != SWIM_ALIVE)
        rec->first_suspect[i][c] = ev->time;
    }
  }
  if (ev->kind == SIM_EV_RESTART) {
    /* A restarted node is a live node again, with a fresh state. */
    int c = ev->node;
    rec->crashed_at[c] = 0;
    for (int i = 0; i < rec->nodes; i++) {
      for (int k = 0; k < 2; k++) {
        rec->detected_at[k][i][c] = 0;
        rec->prev[k][c][i] = false;
      }
      rec->first_suspect[i][c] = rec->dead_at[i][c] = 0;
      rec->prev_status[c][i] = SWIM_ALIVE;
      rec->prev_inc[c][i] = 0;
    }
  }
}

/* The bound by which observer i must suspect peer j, for detector k, given j's latest arrival. */
static sim_time hb_bound(const scenario_data *d, int k, int i, int j) {
  const lab05_record *rec = &d->rec;
  const fd_config *c = &rec->config;
  sim_time a = rec->last_arrival[i][j];
  sim_time extra = c->check + rec->slack[i];
  if (k == FD_FIXED) return a + c->timeout + extra;
  sim_time jit = rec->jitter[j][i];
  double sigma = (double)(jit > c->phi_min_std ? jit : c->phi_min_std);
  return a + c->period + jit + (sim_time)ceil(rec->phi_z * sigma) + extra;
}

static const char *detector_name(int k) { return k == FD_FIXED ? "fixed-timeout" : "phi"; }

/* Heartbeat mode: after every event. */
static bool heartbeat_checks(sim_world *w, void *ctx, char *why, size_t cap) {
  scenario_data *d = ctx;
  lab05_record *rec = &d->rec;
  sim_time now = sim_now(w);
  char t1[32], t2[32], t3[32];
  int hi = d->heard_observer, hj = d->heard_peer;
  d->heard_observer = d->heard_peer = -1;
  for (int i = 0; i < rec->nodes; i++) {
    if (!sim_alive(w, i)) continue;
    const fd_state *s = sim_state(w, i);
    for (int k = 0; k < 2; k++) {
      if (!(rec->config.detectors & (k == FD_FIXED ? FD_DETECT_FIXED : FD_DETECT_PHI))) continue;
      const bool *flags = k == FD_FIXED ? s->fixed_suspects : s->phi_suspects;
      for (int j = 0; j < rec->nodes; j++) {
        if (j == i) continue;
        bool cur = flags[j], was = rec->prev[k][i][j];
        rec->prev[k][i][j] = cur;
        if (i == hi && j == hj && cur) {
          snprintf(why, cap,
                   "n%d still suspects n%d (%s detector) right after a heartbeat from it arrived "
                   "at t=%s: an arrival must be recorded (%s) and silence measured from it",
                   i, j, detector_name(k), tm(now, t1, sizeof t1),
                   k == FD_FIXED ? "hb_on_heartbeat, hb_suspect" : "phi_record, phi_value");
          return false;
        }
        if (k == FD_FIXED && cur && now < rec->last_arrival[i][j] + rec->config.timeout) {
          snprintf(why, cap,
                   "n%d suspects n%d at t=%s, but heard from it at t=%s, less than the timeout "
                   "(%s) ago: suspect only after more than the timeout of silence (hb_suspect)",
                   i, j, tm(now, t1, sizeof t1), tm(rec->last_arrival[i][j], t2, sizeof t2),
                   tm(rec->config.timeout, t3, sizeof t3));
          return false;
        }
        if (cur && !was) {
          if (rec->crashed_at[j] == 0) {
            rec->false_suspicions[k]++;
            if (now >= rec->warmup) rec->steady_false[k]++;
          } else if (rec->detected_at[k][i][j] == 0)
            rec->detected_at[k][i][j] = now;
        }
        if (rec->crashed_at[j] == 0 || cur || rec->detected_at[k][i][j]) continue;
        if (k == FD_PHI && !d->check_phi_bound) continue;
        sim_time bound = hb_bound(d, k, i, j);
        rec->bound[k][i][j] = bound;
        if (now > bound) {
          char b[64];
          if (k == FD_FIXED)
            snprintf(b, sizeof b, "timeout %s + check %s", tm(rec->config.timeout, t3, sizeof t3),
                     tm(rec->config.check, t2, sizeof t2));
          else
            snprintf(b, sizeof b, "period + jitter + z(%.1f)=%.2f x sigma + check",
                     rec->config.phi_threshold, rec->phi_z);
          char t4[32], t5[32];
          snprintf(why, cap,
                   "completeness: n%d crashed at t=%s and n%d last heard from it at t=%s, yet does "
                   "not suspect it at t=%s (%s detector; bound t=%s: last heartbeat + %s). Look "
                   "at %s",
                   j, tm(rec->crashed_at[j], t1, sizeof t1), i,
                   tm(rec->last_arrival[i][j], t4, sizeof t4), tm(now, t5, sizeof t5),
                   detector_name(k), tm(bound, t2, sizeof t2), b,
                   k == FD_FIXED ? "hb_suspect" : "phi_value (mean, deviation, erfc, -log10)");
          return false;
        }
      }
    }
  }
  return true;
}

/* SWIM mode: after every event. */
static bool swim_checks(sim_world *w, void *ctx, char *why, size_t cap) {
  scenario_data *d = ctx;
  lab05_record *rec = &d->rec;
  sim_time now = sim_now(w);
  char t1[32], t2[32], t3[32];
  for (int j = 0; j < rec->nodes; j++) {
    if (!sim_alive(w, j)) continue;
    uint32_t own = ((const fd_state *)sim_state(w, j))->swim.members[j].incarnation;
    if (own > d->own_inc[j]) {
      rec->refutations += own - d->own_inc[j];
      d->own_inc[j] = own;
      if (j == rec->watched && rec->watched_refuted == 0) rec->watched_refuted = now;
    }
  }
  for (int i = 0; i < rec->nodes; i++) {
    if (!sim_alive(w, i)) continue;
    const swim_state *s = &((const fd_state *)sim_state(w, i))->swim;
    for (int j = 0; j < rec->nodes; j++) {
      if (j == i) continue;
      uint32_t st = s->members[j].status, inc = s->members[j].incarnation;
      uint32_t was = rec->prev_status[i][j], was_inc = rec->prev_inc[i][j];
      rec->prev_status[i][j] = (uint8_t)st;
      rec->prev_inc[i][j] = inc;
      if (was == SWIM_DEAD && st != SWIM_DEAD) {
        snprintf(why, cap,
                 "n%d brought n%d back from DEAD to %s at t=%s: nothing overrides a confirmed "
                 "death (swim_overrides)",
                 i, j, st == SWIM_ALIVE ? "ALIVE" : "SUSPECT", tm(now, t1, sizeof t1));
        return false;
      }
      if (inc < was_inc) {
        snprintf(why, cap,
                 "n%d's view of n%d went from incarnation %u down to %u at t=%s: an older rumour "
                 "must never override a newer one (swim_overrides, swim_apply)",
                 i, j, was_inc, inc, tm(now, t1, sizeof t1));
        return false;
      }
      if (inc > d->own_inc[j]) {
        snprintf(why, cap,
                 "n%d believes n%d is at incarnation %u at t=%s, but n%d never went past %u: only "
                 "a member raises its own incarnation (swim_apply)",
                 i, j, inc, tm(now, t1, sizeof t1), j, d->own_inc[j]);
        return false;
      }
      bool alive = rec->crashed_at[j] == 0;
      if (st == SWIM_SUSPECT && was != SWIM_SUSPECT) {
        if (alive) {
          rec->swim_false_suspicions++;
          if (j == rec->watched && rec->watched_suspected == 0) rec->watched_suspected = now;
        }
      }
      if (!alive && st != SWIM_ALIVE && rec->first_suspect[i][j] == 0)
        rec->first_suspect[i][j] = now;
      if (st == SWIM_DEAD && was != SWIM_DEAD) {
        if (alive) {
          rec->swim_false_deaths++;
          if (d->own_inc[j] > inc)
            /* The suspect did refute, but its "alive" never reached this observer. */
            snprintf(why, cap,
                     "accuracy: n%d declared n%d DEAD at t=%s (\"n%d dead at %u\"), but n%d is "
                     "alive and refuted (incarnation %u): n%d never heard \"n%d alive at %u\" "
                     "within the suspicion timeout (%s). A refutation spreads only on piggybacked "
                     "rumours: is swim_piggyback appending rumours (and swim_apply disseminating "
                     "the ones it adopts)?",
                     i, j, tm(now, t1, sizeof t1), j, inc, j, d->own_inc[j], i, j, d->own_inc[j],
                     tm(rec->config.suspicion_timeout, t2, sizeof t2));
          else
            snprintf(why, cap,
                     "accuracy: n%d declared n%d DEAD at t=%s, but n%d is alive (its incarnation "
                     "is %u): a suspected member must hear the rumour about itself and refute it "
                     "with a higher incarnation before the suspicion timeout (%s) runs out "
                     "(swim_apply, swim_piggyback; unless a fault kept it slow or cut off for "
                     "longer than that: then this is SWIM's own limit)",
                     i, j, tm(now, t1, sizeof t1), j, d->own_inc[j],
                     tm(rec->config.suspicion_timeout, t2, sizeof t2));
          return false;
        }
        if (rec->dead_at[i][j] == 0) rec->dead_at[i][j] = now;
      }
      if (alive) continue;
      if (rec->first_suspect[i][j] == 0 && now > rec->swim_bound[j]) {
        snprintf(why, cap,
                 "completeness: n%d crashed at t=%s, and by t=%s n%d has not suspected it (bound: "
                 "crash + 2(N-1) = %d periods of %s): a member must be probed within 2(N-1) - 1 "
                 "periods (round-robin: swim_next_target) and suspected when its probe fails "
                 "(swim_on_period); or n%d counted an Ack that the target never sent "
                 "(swim_on_ping_req must ping the target, not answer for it)",
                 j, tm(rec->crashed_at[j], t1, sizeof t1), tm(rec->swim_bound[j], t2, sizeof t2), i,
                 2 * (rec->nodes - 1), tm(rec->config.period, t3, sizeof t3), i);
        return false;
      }
      sim_time dead_by = rec->swim_bound[j] + rec->config.suspicion_timeout;
      if (d->setup.dead_bound && rec->dead_at[i][j] == 0 && now > dead_by) {
        snprintf(why, cap,
                 "completeness: n%d crashed at t=%s; n%d suspected it at t=%s but has not declared "
                 "it dead by t=%s (one suspicion timeout, %s, later): swim_apply must set the "
                 "suspicion timer, swim_on_suspect_timeout must declare it dead",
                 j, tm(rec->crashed_at[j], t1, sizeof t1), i,
                 tm(rec->first_suspect[i][j], t2, sizeof t2), tm(dead_by, t3, sizeof t3),
                 tm(rec->config.suspicion_timeout, t1, sizeof t1));
        return false;
      }
    }
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Building and running a scenario.
 */
static void crash_node(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  if (sim_alive(w, (int)arg)) sim_crash(w, (int)arg);
}

static void slow_node(sim_world *w, void *ctx, uint64_t arg) {
  const fd_setup *su = ctx;
  sim_set_slow(w, su->slow_node, arg ? su->slow_extra : 0);
}

static void end_loss(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  (void)arg;
  sim_net_config none = sim_net_default();
  none.loss = 0;
  sim_adjust_net(w, &none, SIM_NET_LOSS);
}

static sim_time link_jitter(const sim_net_config *n) {
  switch (n->latency) {
    case SIM_LATENCY_CONSTANT:
      return 0;
    case SIM_LATENCY_UNIFORM:
      return n->latency_max > n->latency_min ? n->latency_max - n->latency_min : 0;
    case SIM_LATENCY_EXPONENTIAL:
      return 50 * (n->latency_max - n->latency_min); /* the library's cap: 50 means */
  }
  return 0;
}

static sim_time link_max(const sim_net_config *n) {
  return n->latency == SIM_LATENCY_CONSTANT ? n->latency_min : n->latency_min + link_jitter(n);
}

/* Build the world, install the checks, boot, schedule the faults. The setup is copied into the
 * run's data (the sim_at callbacks use that copy, which lives as long as the world). */
static sim_world *build(lab_run *run, const fd_setup *su_in) {
  sim_world *w = sim_create(run->seed);
  scenario_data *d = calloc(1, sizeof *d);
  d->setup = *su_in;
  fd_setup *su = &d->setup;
  lab05_record *rec = &d->rec;
  run->lab_data = d;
  for (int i = 0; i < su->nodes; i++) sim_add_node(w, &fd_protocol, &su->config, sizeof su->config);
  sim_set_net(w, &su->net);
  for (int a = 0; a < su->nodes; a++)
    for (int b = 0; b < su->nodes; b++)
      if (a != b && ((su->far >> a) & 1 || (su->far >> b) & 1)) sim_set_link(w, a, b, &su->far_net);
  rec->nodes = su->nodes;
  rec->config = su->config;
  rec->watched = su->watched;
  rec->phi_z = phi_quantile(su->config.phi_threshold);
  for (int a = 0; a < su->nodes; a++)
    for (int b = 0; b < su->nodes; b++) {
      const sim_net_config *l = sim_link_config(w, a, b);
      rec->jitter[a][b] = link_jitter(l);
      rec->max_latency[a][b] = link_max(l);
    }
  rec->load_from = su->load_from;
  rec->load_to = su->load_to;
  rec->warmup = su->warmup;
  d->heard_observer = d->heard_peer = -1;
  d->check_phi_bound = su->phi_bound && !run->loss_set && !(run->nemesis && run->nemesis[0]);
  if (su->slow_node >= 0) rec->slack[su->slow_node] = su->slow_extra;
  sim_observe(w, watch, d);
  if (su->config.mode == FD_MODE_HEARTBEAT)
    sim_invariant(w, "heartbeat-detectors", heartbeat_checks, d);
  else
    sim_invariant(w, "swim-membership", swim_checks, d);
  lab_begin(run, w);
  /* A slow observer (--nemesis "... slow N 50ms") runs its checks late by that much: its bounds
   * allow for the largest slowness the schedule gives it. */
  for (size_t a = 0; run->schedule && a < nemesis_count(run->schedule); a++) {
    const nemesis_action *act = nemesis_action_at(run->schedule, a);
    if (act->kind == NEMESIS_SLOW && act->node >= 0 && act->node < FD_MAX_NODES &&
        act->extra > rec->slack[act->node])
      rec->slack[act->node] = act->extra;
  }
  rng *r = sim_workload_rng(w);
  for (int c = 0; c < su->crash_count; c++) {
    sim_time at = su->crash_at[c] + rng_below(r, su->config.period);
    su->crash_at[c] = at;
    /* SWIM: every live member suspects it within 2(N-1) periods (see the file's header). */
    rec->swim_bound[su->crash_node[c]] = at + 2 * (sim_time)(su->nodes - 1) * su->config.period;
    sim_at(w, at, crash_node, NULL, (uint64_t)su->crash_node[c]);
  }
  if (su->loss_until) sim_at(w, su->loss_until, end_loss, NULL, 0);
  if (run->loss_set || (run->nemesis && run->nemesis[0])) su->converge = false;
  if (su->slow_node >= 0) {
    sim_at(w, su->slow_from, slow_node, su, 1);
    sim_at(w, su->slow_to, slow_node, su, 0);
  }
  return w;
}

static sim_net_config uniform(sim_time lo, sim_time hi, double loss) {
  sim_net_config n = sim_net_default();
  n.latency = SIM_LATENCY_UNIFORM;
  n.latency_min = lo;
  n.latency_max = hi;
  n.loss = loss;
  return n;
}

/* Live nodes, and per detector the mean and the largest detection delay over every
 * (live observer, crashed peer) pair. */
typedef struct detection {
  int pairs, missing;
  double mean;
  sim_time worst;
} detection;

static detection hb_detection(sim_world *w, const lab05_record *rec, int k) {
  detection out = {0};
  double sum = 0;
  for (int j = 0; j < rec->nodes; j++) {
    if (rec->crashed_at[j] == 0) continue;
    for (int i = 0; i < rec->nodes; i++) {
      if (i == j || !sim_alive(w, i)) continue;
      sim_time at = rec->detected_at[k][i][j];
      if (at == 0) {
        out.missing++;
        continue;
      }
      sim_time delay = at - rec->crashed_at[j];
      out.pairs++;
      sum += (double)delay;
      if (delay > out.worst) out.worst = delay;
    }
  }
  out.mean = out.pairs ? sum / out.pairs : 0;
  return out;
}

static double periods_of(const lab05_record *rec) {
  return (double)(rec->load_to - rec->load_from) / (double)rec->config.period;
}

/* Messages per node per period over the load window (nodes up all through the window). */
static void measure_load(lab05_record *rec) {
  int live = 0;
  for (int i = 0; i < rec->nodes; i++)
    live += rec->crashed_at[i] == 0 || rec->crashed_at[i] >= rec->load_to;
  double periods = periods_of(rec);
  rec->load = live && periods > 0 ? (double)rec->load_messages / live / periods : 0;
}

/* Build the world, run it to the end of the scenario and measure the load. Returns false, with
 * the violation as the verdict, if a check stopped the run. */
static bool run_to_end(lab_run *run, const fd_setup *su) {
  sim_world *w = build(run, su);
  sim_run_until_time(w, su->end);
  measure_load(&((scenario_data *)run->lab_data)->rec);
  const char *report;
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  return true;
}

/* Run a heartbeat scenario to its end and judge it. */
static bool run_heartbeat(lab_run *run, const fd_setup *su) {
  if (!run_to_end(run, su)) return false;
  sim_world *w = run->world;
  lab05_record *rec = &((scenario_data *)run->lab_data)->rec;
  char out[1600];
  size_t at = 0;
  out[0] = 0;
  for (int k = 0; k < 2; k++) {
    if (!(rec->config.detectors & (k == FD_FIXED ? FD_DETECT_FIXED : FD_DETECT_PHI))) continue;
    detection det = hb_detection(w, rec, k);
    char t1[32], t2[32], t3[32];
    if (det.missing)
      return lab_verdict(run, false,
                         "completeness: by t=%s, %d live observer(s) still did not suspect a "
                         "crashed peer with the %s detector (%s)",
                         tm(su->end, t1, sizeof t1), det.missing, detector_name(k),
                         k == FD_FIXED ? "hb_suspect" : "phi_value");
    at += (size_t)snprintf(out + at, sizeof out - at,
                           "%s%s: %u false suspicion(s), %u after the %s warm-up; crash detected "
                           "in %s on average, %s at worst (%d observer-peer pairs)",
                           at ? "; " : "", detector_name(k), rec->false_suspicions[k],
                           rec->steady_false[k], tm(rec->warmup, t3, sizeof t3),
                           tm((sim_time)det.mean, t1, sizeof t1), tm(det.worst, t2, sizeof t2),
                           det.pairs);
  }
  char crashed[128] = "";
  size_t c = 0;
  for (int j = 0; j < rec->nodes; j++)
    if (rec->crashed_at[j]) {
      char t[32];
      c += (size_t)snprintf(crashed + c, sizeof crashed - c, "%sn%d at t=%s", c ? ", " : "", j,
                            tm(rec->crashed_at[j], t, sizeof t));
    }
  return lab_verdict(run, true,
                     "%d nodes, heartbeats every %.0fms (%.1f messages per node per "
                     "period); crashed: %s. %s",
                     rec->nodes, (double)su->config.period / 1000, rec->load, c ? crashed : "none",
                     out);
}

/* Judge the end of a SWIM run: every crashed member dead everywhere, the counts. */
static bool run_swim(lab_run *run, const fd_setup *su) {
  if (!run_to_end(run, su)) return false;
  sim_world *w = run->world;
  scenario_data *d = run->lab_data;
  lab05_record *rec = &d->rec;
  char t1[32], t2[32];
  sim_time worst_suspect = 0, worst_dead = 0;
  for (int j = 0; j < rec->nodes; j++) {
    if (rec->crashed_at[j] == 0) continue;
    for (int i = 0; i < rec->nodes; i++) {
      if (i == j || !sim_alive(w, i)) continue;
      const swim_state *s = &((const fd_state *)sim_state(w, i))->swim;
      if (s->members[j].status != SWIM_DEAD)
        return lab_verdict(run, false,
                           "completeness: n%d crashed at t=%s, but at the end (t=%s) n%d still "
                           "has it %s: a suspicion must time out into DEAD "
                           "(swim_on_suspect_timeout)",
                           j, tm(rec->crashed_at[j], t1, sizeof t1), tm(su->end, t2, sizeof t2), i,
                           s->members[j].status == SWIM_ALIVE ? "ALIVE" : "SUSPECT");
      sim_time ds = rec->first_suspect[i][j] - rec->crashed_at[j];
      sim_time dd = rec->dead_at[i][j] - rec->crashed_at[j];
      if (ds > worst_suspect) worst_suspect = ds;
      if (dd > worst_dead) worst_dead = dd;
    }
  }
  /* After a quiet stretch, every live member believes every other live member alive at the
   * incarnation it has reached. */
  for (int i = 0; i < rec->nodes && su->converge; i++) {
    if (!sim_alive(w, i)) continue;
    const swim_state *s = &((const fd_state *)sim_state(w, i))->swim;
    for (int j = 0; j < rec->nodes; j++) {
      if (j == i || !sim_alive(w, j)) continue;
      if (s->members[j].status != SWIM_ALIVE || s->members[j].incarnation != d->own_inc[j])
        return lab_verdict(run, false,
                           "at the end (t=%s, after a quiet stretch) n%d has n%d %s at "
                           "incarnation %u, but n%d is alive at incarnation %u: its refutation "
                           "did not reach n%d (swim_apply, swim_piggyback)",
                           tm(su->end, t1, sizeof t1), i, j,
                           s->members[j].status == SWIM_ALIVE ? "ALIVE" : "SUSPECT",
                           s->members[j].incarnation, j, d->own_inc[j], i);
    }
  }
  char crash_text[256] = "no crash";
  if (su->crash_count)
    snprintf(crash_text, sizeof crash_text,
             "n%d crashed at t=%s: every live member suspected it within %s (bound %d periods = "
             "%s) and declared it dead within %s",
             su->crash_node[0], tm(rec->crashed_at[su->crash_node[0]], t1, sizeof t1),
             tm(worst_suspect, t2, sizeof t2), 2 * (rec->nodes - 1),
             tm(2 * (sim_time)(rec->nodes - 1) * su->config.period, (char[32]){0}, 32),
             tm(worst_dead, (char[32]){0}, 32));
  return lab_verdict(run, true,
                     "%d members, protocol period %s, k=%u: %s. %u false suspicion(s) of live "
                     "members, all refuted (%u refutation(s)), none declared dead; %.2f messages "
                     "per member per period",
                     rec->nodes, tm(su->config.period, (char[32]){0}, 32), su->config.k, crash_text,
                     rec->swim_false_suspicions, rec->refutations, rec->load);
}

/* ---------------------------------------------------------------------------------------------
 * The scenarios.
 */
static fd_setup heartbeat_setup(int nodes, uint32_t detectors) {
  fd_setup su = {.nodes = nodes,
                 .config = {.mode = FD_MODE_HEARTBEAT,
                            .period = 100 * SIM_MS,
                            .detectors = detectors,
                            .check = 10 * SIM_MS,
                            .timeout = 250 * SIM_MS,
                            .phi_threshold = 3.0,
                            .phi_min_std = 10 * SIM_MS},
                 .net = uniform(1 * SIM_MS, 10 * SIM_MS, 0),
                 .slow_node = -1,
                 .phi_bound = true,
                 .watched = -1,
                 .warmup = 1 * SIM_SEC,
                 .load_from = 500 * SIM_MS,
                 .load_to = 1500 * SIM_MS};
  su.crash_count = 1;
  su.crash_node[0] = nodes - 1;
  su.crash_at[0] = 2 * SIM_SEC;
  su.end = 3 * SIM_SEC + 500 * SIM_MS;
  return su;
}

static bool scenario_heartbeat_crash(lab_run *run) {
  fd_setup su = heartbeat_setup(lab_nodes(run, 5), FD_DETECT_FIXED);
  return run_heartbeat(run, &su);
}

static bool scenario_phi_crash(lab_run *run) {
  fd_setup su = heartbeat_setup(lab_nodes(run, 5), FD_DETECT_PHI);
  return run_heartbeat(run, &su);
}

/* Six nodes; n4 and n5 are far away: every link that touches them takes 5..150 ms, the others
 * 1..5 ms. Both detectors listen to the same heartbeats; n1 (near) and n5 (far) crash at the
 * end. */
static fd_setup jitter_setup(void) {
  fd_setup su = heartbeat_setup(6, FD_DETECT_FIXED | FD_DETECT_PHI);
  su.net = uniform(1 * SIM_MS, 5 * SIM_MS, 0);
  su.far = (1u << 4) | (1u << 5);
  su.far_net = uniform(5 * SIM_MS, 150 * SIM_MS, 0);
  su.config.timeout = 225 * SIM_MS;
  su.crash_count = 2;
  su.crash_node[0] = 1;
  su.crash_node[1] = 5;
  su.crash_at[0] = su.crash_at[1] = 20 * SIM_SEC;
  su.end = 21 * SIM_SEC + 500 * SIM_MS;
  su.load_from = 1 * SIM_SEC;
  su.load_to = 19 * SIM_SEC;
  return su;
}

static bool scenario_heartbeat_jitter(lab_run *run) {
  fd_setup su = jitter_setup();
  return run_heartbeat(run, &su);
}

/* The same six nodes on a near network with 5% loss; n2 is slow (+150 ms on every message to it
 * and every timer it sets) from 4 s to 6 s; n5 crashes at 9 s. */
static bool scenario_heartbeat_lossy(lab_run *run) {
  fd_setup su = heartbeat_setup(6, FD_DETECT_FIXED | FD_DETECT_PHI);
  su.net = uniform(1 * SIM_MS, 10 * SIM_MS, 0.05);
  su.phi_bound = false;
  su.slow_node = 2;
  su.slow_from = 4 * SIM_SEC;
  su.slow_to = 6 * SIM_SEC;
  su.slow_extra = 150 * SIM_MS;
  su.crash_node[0] = 5;
  su.crash_at[0] = 9 * SIM_SEC;
  su.end = 11 * SIM_SEC;
  su.load_from = 1 * SIM_SEC;
  su.load_to = 4 * SIM_SEC;
  return run_heartbeat(run, &su);
}

static fd_setup swim_setup(int nodes) {
  fd_setup su = {.nodes = nodes,
                 .config = {.mode = FD_MODE_SWIM,
                            .period = 100 * SIM_MS,
                            .ping_timeout = 40 * SIM_MS,
                            .k = 3,
                            .suspicion_timeout = 500 * SIM_MS,
                            .retransmit_mult = 3},
                 .net = uniform(1 * SIM_MS, 10 * SIM_MS, 0),
                 .slow_node = -1,
                 .dead_bound = true,
                 .converge = true,
                 .watched = -1,
                 .load_from = 500 * SIM_MS,
                 .load_to = 1500 * SIM_MS};
  su.crash_count = 1;
  su.crash_node[0] = nodes - 1;
  su.crash_at[0] = 2 * SIM_SEC;
  su.end = 2 * SIM_SEC + 2 * (sim_time)nodes * su.config.period + 2 * SIM_SEC;
  return su;
}

static bool scenario_swim_crash(lab_run *run) {
  fd_setup su = swim_setup(lab_nodes(run, 8));
  return run_swim(run, &su);
}

/* 8 members, 10% of messages lost until 6 s; n7 crashes at 3 s. */
static bool scenario_swim_loss(lab_run *run) {
  fd_setup su = swim_setup(8);
  su.net.loss = 0.10;
  su.loss_until = 6 * SIM_SEC;
  su.dead_bound = false;
  su.config.suspicion_timeout = 1 * SIM_SEC;
  su.crash_at[0] = 3 * SIM_SEC;
  su.end = 8 * SIM_SEC;
  su.load_from = 500 * SIM_MS;
  su.load_to = 2500 * SIM_MS;
  return run_swim(run, &su);
}

/* No fault: only the load, over 5 s, for --nodes 2..16. */
static bool scenario_swim_scale(lab_run *run) {
  fd_setup su = swim_setup(lab_nodes(run, 8));
  su.crash_count = 0;
  su.load_from = 1 * SIM_SEC;
  su.load_to = 6 * SIM_SEC;
  su.end = 6 * SIM_SEC;
  return run_swim(run, &su);
}

/* 6 members; n3 is slow (+300 ms on every message to it and every timer it sets) from 1.5 s to
 * 2 s: its acks come too late, the others suspect it, it refutes. */
static bool scenario_swim_refute(lab_run *run) {
  fd_setup su = swim_setup(6);
  su.crash_count = 0;
  su.slow_node = 3;
  su.slow_from = 1500 * SIM_MS;
  su.slow_to = 2000 * SIM_MS;
  su.slow_extra = 300 * SIM_MS;
  su.config.suspicion_timeout = 1 * SIM_SEC;
  su.end = 5 * SIM_SEC;
  su.watched = 3;
  if (!run_swim(run, &su)) return false;
  lab05_record *rec = &((scenario_data *)run->lab_data)->rec;
  char t1[32], t2[32], verdict[sizeof run->verdict];
  if (rec->watched_suspected == 0)
    return lab_verdict(run, false,
                       "n3 was slow from 1.5s to 2s, yet nobody suspected it: a probe whose ack "
                       "comes after the period's end must make the target a suspect "
                       "(swim_on_period), and only the target's own Ack counts (swim_on_ping_req "
                       "must ping the target, not answer for it; swim_on_ack checks seq and "
                       "target)");
  if (rec->watched_refuted < rec->watched_suspected)
    return lab_verdict(run, false,
                       "n3 was suspected at t=%s but never raised its incarnation to refute it: "
                       "a SUSPECT rumour about oneself must be answered (swim_apply)",
                       tm(rec->watched_suspected, t1, sizeof t1));
  snprintf(verdict, sizeof verdict, "%s", run->verdict);
  return lab_verdict(
      run, true, "n3 was first suspected at t=%s and refuted at t=%s (incarnation %u); %s",
      tm(rec->watched_suspected, t1, sizeof t1), tm(rec->watched_refuted, t2, sizeof t2),
      ((scenario_data *)run->lab_data)->own_inc[3], verdict);
}

static const lab_scenario scenarios[] = {
    {"heartbeat-crash",
     "5 nodes (--nodes 2..16), fixed timeout 250ms; the last node crashes at ~2s",
     scenario_heartbeat_crash, LAB_NODES(2, FD_MAX_NODES)},
    {"phi-crash", "the same with the phi accrual detector (threshold 3)", scenario_phi_crash,
     LAB_NODES(2, FD_MAX_NODES)},
    {"heartbeat-jitter",
     "6 nodes, n4 and n5 far (5..150ms links): fixed vs phi on the same heartbeats",
     scenario_heartbeat_jitter, LAB_FIXED_NODES},
    {"heartbeat-lossy", "6 nodes, 5% loss, n2 slow 4s..6s, n5 crashes at ~9s: both detectors",
     scenario_heartbeat_lossy, LAB_FIXED_NODES},
    {"swim-crash", "8 members (--nodes 2..16), SWIM; the last one crashes at ~2s",
     scenario_swim_crash, LAB_NODES(2, FD_MAX_NODES)},
    {"swim-loss",
     "8 members, 10% loss until 6s; n7 crashes at ~3s; no live member may be declared dead",
     scenario_swim_loss, LAB_FIXED_NODES},
    {"swim-scale", "8 members (--nodes 2..16), no faults: messages per member per period",
     scenario_swim_scale, LAB_NODES(2, FD_MAX_NODES)},
    {"swim-refute", "6 members, n3 slow from 1.5s to 2s: suspected, it refutes",
     scenario_swim_refute, LAB_FIXED_NODES},
};

const lab_info lab05 = {
    .id = "05-failure-detectors",
    .title = "failure detectors: who is alive?",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
