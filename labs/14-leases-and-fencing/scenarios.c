/*
 * labs/14-leases-and-fencing/scenarios.c: lab 14's scenarios, shared by the driver and the tests.
 *
 * Every scenario is the same world (lab.h): the lock service n0, workers w1..wW, storage and a
 * client, with some clocks drifting and one fault aimed at the leader. Three safety checks run
 * after every event and stop the run at the first failure:
 *
 *   fenced-writes  storage never accepts a write whose token is lower than one it accepted
 *                  before (a replaced leader's write must not land on top of its successor's);
 *   no-stale-read  a worker never answers a read with a version older than one a leader with a
 *                  newer token has already written to storage;
 *   one-leader     no two workers hold a lease they believe valid at the same true time (in
 *                  drift-beyond-bound it is only recorded: that scenario shows what a client sees
 *                  when the drift bound is broken).
 *
 * The checker knows what no node knows: the true time, every clock's drift, and every Grant each
 * worker received, so when a check fails it can say which of your functions most likely caused
 * it. At the end each scenario judges liveness: a new leader takes over after the fault and
 * writes, and the client is answered again. Every verdict also names the first write storage
 * refused although its token was at least the highest it had admitted: that is never a stale
 * leader, always fence_admit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* What the checker keeps besides the record the tests read (the record comes first, so
 * run->lab_data points at both and lab_end frees them as one block). */
typedef struct watch {
  lab14_record rec;
  int store, client;
  sim_time lease;         /* the lock's term */
  uint32_t max_drift_ppm; /* the bound the protocol assumes */
  int32_t drift[SIM_MAX_NODES];
  bool fencing;
  /* Per worker, from the Grants it received: the highest token, and the latest local clock its
   * lease may run to by the rule (req_clock + the correct term). */
  uint64_t granted_token[SIM_MAX_NODES];
  sim_time allowed_until[SIM_MAX_NODES];
  uint64_t victim_token;        /* the victim's token when the fault hit it */
  int paused;                   /* the node a pause slowed down (0: none) */
  bool ever_led[SIM_MAX_NODES]; /* the worker held a valid lease at some time (checker's rule) */
  uint32_t fenced_seq;          /* the first refused write's seq (the record has the rest) */
  /* The first Writes the victim sent after the fault (message ids), and whether each reached
   * storage: one that did not was lost in the network (--loss, --nemesis). */
  uint64_t victim_write_id[8];
  bool victim_write_arrived[8];
  int victim_writes;
  /* The first write storage refused although its token was at least the highest it had
   * admitted: always fence_admit's mistake. */
  bool bad_refusal;
  version bad_refused;
  uint64_t bad_highest;
  sim_time bad_at;
} watch;

/* The term the rule allows (the reference formula, kept apart from the learner's). */
static sim_time allowed_term(sim_time duration, uint32_t ppm) {
  return duration * (1000000u - ppm) / (1000000u + ppm);
}

static bool lease_valid_now(const sim_world *w, int node) {
  const lease_state *s = sim_state(w, node);
  return sim_alive(w, node) && s->lease.token != 0 && sim_node_clock(w, node) < s->lease.expires;
}

/* A time to the microsecond ("242.223ms"), for two times that sim_format_time shows alike. */
static const char *time_us(sim_time t, char *buf, size_t cap) {
  if (t >= SIM_MS)
    snprintf(buf, cap, "%llu.%03llums", (unsigned long long)(t / SIM_MS),
             (unsigned long long)(t % SIM_MS));
  else
    snprintf(buf, cap, "%lluus", (unsigned long long)t);
  return buf;
}

/* Does node's expiry differ from what its Grants allow by less than sim_format_time shows (a
 * lease_local_term that rounds up is one microsecond long)? Then both are printed to the
 * microsecond. */
static bool expiry_needs_us(const sim_world *w, const watch *wt, int node) {
  const lease_state *s = sim_state(w, node);
  char a[32], b[32];
  return s->lease.expires != wt->allowed_until[node] &&
         strcmp(sim_format_time(s->lease.expires, a, sizeof a),
                sim_format_time(wt->allowed_until[node], b, sizeof b)) == 0;
}

static const char *clock_text(sim_time t, bool us, char *buf, size_t cap) {
  return us ? time_us(t, buf, cap) : sim_format_time(t, buf, cap);
}

/* "w1's lease (token 1) runs until its clock reads 412.3ms; it reads 405.0ms (drift -20000ppm)"
 * into buf, to the microsecond when expiry_needs_us. Returns buf. */
static const char *lease_text(const sim_world *w, const watch *wt, int node, char *buf,
                              size_t cap) {
  const lease_state *s = sim_state(w, node);
  bool us = expiry_needs_us(w, wt, node);
  char e[32], c[32];
  snprintf(buf, cap,
           "w%d's lease (token %llu) runs until its clock reads %s; it reads %s (drift %+dppm)",
           node, (unsigned long long)s->lease.token, clock_text(s->lease.expires, us, e, sizeof e),
           clock_text(sim_node_clock(w, node), us, c, sizeof c), (int)wt->drift[node]);
  return buf;
}

/* Why does `node` believe it leads longer than it should? Into buf: the function to look at;
 * the cause (STALE_...) is the return value. */
static int blame_lease(const sim_world *w, const watch *wt, int node, char *buf, size_t cap) {
  const lease_state *s = sim_state(w, node);
  char a[32], t[32];
  int32_t d = wt->drift[node] < 0 ? -wt->drift[node] : wt->drift[node];
  uint64_t granted = wt->granted_token[node];
  if (s->lease.token > granted) {
    snprintf(buf, cap, "it holds token %llu but was never granted more than %llu (lease_on_grant)",
             (unsigned long long)s->lease.token, (unsigned long long)granted);
    return STALE_TOO_LONG;
  }
  if (s->lease.token < granted) {
    snprintf(buf, cap,
             "it holds token %llu, but a Grant of token %llu reached it: lease_on_grant did not "
             "take token %llu (a higher token is a new lease: take its token and its expiry, or "
             "the old lease lives on with the new one's time)",
             (unsigned long long)s->lease.token, (unsigned long long)granted,
             (unsigned long long)granted);
    return STALE_TOO_LONG;
  }
  if (s->lease.expires > wt->allowed_until[node]) {
    sim_time rule = allowed_term(wt->lease, wt->max_drift_ppm);
    sim_time mine = lease_local_term(wt->lease, wt->max_drift_ppm);
    bool us = expiry_needs_us(w, wt, node);
    if (mine > rule)
      snprintf(buf, cap,
               "the Grants it received allow it only until its clock reads %s (the request's "
               "clock + %lluus): lease_local_term(%s, %uppm) returns %lluus, the rule gives "
               "%lluus: D * (1e6 - rho) / (1e6 + rho) rounded down, since even a microsecond over "
               "the rule is unsafe (lease_local_term)",
               clock_text(wt->allowed_until[node], us, a, sizeof a), (unsigned long long)rule,
               sim_format_time(wt->lease, t, sizeof t), wt->max_drift_ppm, (unsigned long long)mine,
               (unsigned long long)rule);
    else
      snprintf(buf, cap,
               "the Grants it received allow it only until its clock reads %s (the request's "
               "clock + lease_local_term(%s, %uppm) = %lluus), and lease_local_term is right: "
               "the expiry is grant.req_clock + lease_local_term(grant.duration, bound), never "
               "counted from the Grant's arrival nor with the whole duration (lease_on_grant)",
               clock_text(wt->allowed_until[node], us, a, sizeof a),
               sim_format_time(wt->lease, t, sizeof t), wt->max_drift_ppm,
               (unsigned long long)rule);
    return STALE_TOO_LONG;
  }
  if ((uint32_t)d > wt->max_drift_ppm) {
    snprintf(buf, cap,
             "its lease is right by its own clock, but that clock drifts %+dppm, beyond the "
             "%uppm the protocol assumes: a lease is only as safe as its drift bound",
             (int)wt->drift[node], wt->max_drift_ppm);
    return STALE_DRIFT;
  }
  snprintf(buf, cap,
           "its lease follows the rule; check lease_valid (valid strictly before the "
           "expiry)");
  return STALE_OTHER;
}

/* ---- the checks ------------------------------------------------------------------------------ */

static void on_write_ack(sim_world *w, watch *wt, const sim_event *ev) {
  lab14_record *rec = &wt->rec;
  const write_ack_body *a = ev->body;
  char v[64], hv[32], t[32], ht[32];
  if (!a->ok) {
    if (rec->fenced++ == 0) {
      rec->fenced_writer = a->v.writer;
      rec->fenced_token = a->v.token;
      rec->fenced_highest = a->highest;
      rec->fenced_at = ev->time;
      wt->fenced_seq = a->v.seq;
    }
    if (a->v.token >= a->highest && !wt->bad_refusal) {
      wt->bad_refusal = true;
      wt->bad_refused = a->v;
      wt->bad_highest = a->highest;
      wt->bad_at = ev->time;
    }
    return;
  }
  rec->accepted++;
  rec->last_accept = ev->time;
  if (a->v.token < rec->highest_accepted) {
    snprintf(hv, sizeof hv, "w%d", rec->highest_writer);
    sim_fail(w, "fenced-writes",
             "storage accepted %s at t=%s, after it had accepted a write from %s with token %llu "
             "at t=%s: a replaced leader's write landed on top of its successor's. %s",
             version_text(&a->v, v, sizeof v), sim_format_time(ev->time, t, sizeof t), hv,
             (unsigned long long)rec->highest_accepted,
             sim_format_time(rec->highest_at, ht, sizeof ht),
             wt->fencing ? "fence_admit must refuse a token lower than the highest it admitted "
                           "(and remember each admitted token as the highest)"
                         : "This storage checks no tokens (the demonstration): with fencing, "
                           "fence_admit refuses it");
    return;
  }
  if (a->v.token > rec->highest_accepted) {
    rec->highest_accepted = a->v.token;
    rec->highest_at = ev->time;
    rec->highest_writer = a->v.writer;
  }
  if (rec->victim > 0 && ev->time >= rec->fault_at && a->v.token > wt->victim_token &&
      rec->first_new_write == 0)
    rec->first_new_write = ev->time;
}

static void on_read_reply(sim_world *w, watch *wt, const sim_event *ev) {
  lab14_record *rec = &wt->rec;
  const read_reply_body *r = ev->body;
  int node = ev->node;
  if (!r->ok) {
    rec->reads_refused++;
    if (node == rec->victim && rec->victim > 0 && ev->time >= rec->fault_at) rec->victim_refused++;
    return;
  }
  rec->reads_ok++;
  const lease_state *st = sim_state(w, wt->store);
  if (st->latest.token <= r->v.token) return;
  /* A leader with a newer token has written, and this answer does not reflect it. */
  rec->stale_read = true;
  rec->stale_at = ev->time;
  rec->stale_node = node;
  const lease_state *s = sim_state(w, node);
  char got[64], newer[64], t[32], lt[256], why[512], self[96] = "";
  lease_text(w, wt, node, lt, sizeof lt);
  /* The newer version may be the worker's own write, accepted before its WriteAck came back. */
  if (st->latest.writer == node &&
      (s->cache.token != st->latest.token || s->cache.seq != st->latest.seq))
    snprintf(self, sizeof self, " (by w%d itself; its WriteAck had not arrived)", node);
  if (s->lease.token == 0 || sim_node_clock(w, node) >= s->lease.expires) {
    rec->stale_cause = STALE_NO_LEASE;
    snprintf(why, sizeof why,
             "it served without a valid lease: leader_serve_read must refuse "
             "when lease_valid is false");
  } else if (s->cache.token != s->lease.token) {
    rec->stale_cause = STALE_OLD_COPY;
    if (s->cache.token == 0)
      snprintf(why, sizeof why,
               "no write of its own under this lease has been acknowledged yet, so its copy is "
               "empty: leader_serve_read must require cache.token == lease.token");
    else
      snprintf(why, sizeof why,
               "its copy was written under token %llu, an earlier lease of its own, and another "
               "leader wrote since: leader_serve_read must require cache.token == lease.token",
               (unsigned long long)s->cache.token);
  } else {
    rec->stale_cause = blame_lease(w, wt, node, why, sizeof why);
  }
  sim_fail(w, "no-stale-read",
           "w%d answered a read at t=%s with %s, but storage already holds %s, a version newer "
           "than that answer%s: a stale read. %s; %s",
           node, sim_format_time(ev->time, t, sizeof t), version_text(&r->v, got, sizeof got),
           version_text(&st->latest, newer, sizeof newer), self, lt, why);
}

static void watch_events(sim_world *w, const sim_event *ev, void *ctx) {
  watch *wt = ctx;
  const lab14_record *rec = &wt->rec;
  if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_WRITE_ACK && ev->node == wt->store)
    on_write_ack(w, wt, ev);
  else if (ev->msg_type == MSG_WRITE && rec->victim > 0 && ev->time >= rec->fault_at) {
    if (ev->kind == SIM_EV_SEND && ev->node == rec->victim && wt->victim_writes < 8)
      wt->victim_write_id[wt->victim_writes++] = ev->msg_id;
    if (ev->kind == SIM_EV_RECV && ev->node == wt->store)
      for (int i = 0; i < wt->victim_writes; i++)
        if (wt->victim_write_id[i] == ev->msg_id) wt->victim_write_arrived[i] = true;
  } else if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_READ_REPLY)
    on_read_reply(w, wt, ev);
  else if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_GRANT) {
    const grant_body *g = ev->body;
    if (g->token > wt->rec.tokens) wt->rec.tokens = g->token;
  } else if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_GRANT) {
    /* What the rule allows this worker, from the Grants it has actually received. */
    const grant_body *g = ev->body;
    int i = ev->node;
    sim_time until = g->req_clock + allowed_term(g->duration, wt->max_drift_ppm);
    if (g->token > wt->granted_token[i]) {
      wt->granted_token[i] = g->token;
      wt->allowed_until[i] = until;
    } else if (g->token == wt->granted_token[i] && until > wt->allowed_until[i]) {
      wt->allowed_until[i] = until;
    }
  }
}

/* one-leader: no two workers hold leases they believe valid at once. It also notes who ever
 * held a valid lease, for the verdicts. */
static bool one_leader(sim_world *w, void *ctx, char *why, size_t cap) {
  watch *wt = ctx;
  lab14_record *rec = &wt->rec;
  for (int a = 1; a <= rec->workers; a++)
    if (lease_valid_now(w, a)) wt->ever_led[a] = true;
  for (int a = 1; a <= rec->workers; a++) {
    if (!lease_valid_now(w, a)) continue;
    for (int b = a + 1; b <= rec->workers; b++) {
      if (!lease_valid_now(w, b)) continue;
      const lease_state *sa = sim_state(w, a), *sb = sim_state(w, b);
      int old = sa->lease.token < sb->lease.token ? a : b, young = old == a ? b : a;
      if (!rec->overlap) {
        rec->overlap = true;
        rec->overlap_at = sim_now(w);
        rec->overlap_a = old;
        rec->overlap_b = young;
      }
      if (!rec->one_leader_checked) return true;
      char t[32], lo[256], ly[256], blame[512];
      blame_lease(w, wt, old, blame, sizeof blame);
      snprintf(why, cap,
               "w%d and w%d both hold a lease they believe valid at t=%s: %s; %s. The lock "
               "granted token %llu only after token %llu's term ran out on its clock, so w%d "
               "counts too long: %s",
               old, young, sim_format_time(sim_now(w), t, sizeof t),
               lease_text(w, wt, old, lo, sizeof lo), lease_text(w, wt, young, ly, sizeof ly),
               (unsigned long long)((const lease_state *)sim_state(w, young))->lease.token,
               (unsigned long long)((const lease_state *)sim_state(w, old))->lease.token, old,
               blame);
      return false;
    }
  }
  return true;
}

/* ---- building a world ------------------------------------------------------------------------ */

typedef struct setup {
  int workers;
  lease_config config; /* role and node ids are filled in per node */
  sim_net_config net;
  int32_t drift[SIM_MAX_NODES];
  bool random_drift;   /* draw every clock's drift within the bound */
  sim_time late_start; /* workers other than w1 start this late (w1 leads first) */
  bool one_leader_checked;
} setup;

/* The timing every scenario uses unless it says otherwise: a 100 ms lease, clocks assumed within
 * 2% (20000 ppm: far worse than a quartz clock, so that the margin is visible in the viewer). */
static setup default_setup(int workers) {
  setup su = {.workers = workers, .one_leader_checked = true};
  su.config = (lease_config){.lease = 100 * SIM_MS,
                             .max_drift_ppm = 20000,
                             .poll = 15 * SIM_MS,
                             .renew_every = 25 * SIM_MS,
                             .work_every = 30 * SIM_MS,
                             .prep = 3 * SIM_MS,
                             .read_every = 20 * SIM_MS,
                             .fencing = true};
  su.net = sim_net_uniform(1 * SIM_MS, 5 * SIM_MS, 0, 0);
  return su;
}

static sim_world *build(lab_run *run, setup *su) {
  sim_world *w = sim_create(run->seed);
  int W = su->workers, store = W + 1, client = W + 2;
  lease_config c = su->config;
  c.workers = W;
  c.store = store;
  c.client = client;
  for (int i = 0; i <= client; i++) {
    lease_config mine = c;
    mine.role = i == LEASE_LOCK ? ROLE_LOCK
                : i <= W        ? ROLE_WORKER
                : i == store    ? ROLE_STORE
                                : ROLE_CLIENT;
    if (i > 1 && i <= W) mine.start_delay = su->late_start;
    sim_add_node(w, &lease_protocol, &mine, sizeof mine);
  }
  sim_set_node_name(w, LEASE_LOCK, "lock");
  for (int i = 1; i <= W; i++) {
    char name[16];
    snprintf(name, sizeof name, "w%d", i);
    sim_set_node_name(w, i, name);
  }
  sim_set_node_name(w, store, "store");
  sim_set_node_name(w, client, "client");
  sim_set_net(w, &su->net);
  watch *wt = calloc(1, sizeof *wt);
  if (su->random_drift) {
    rng *r = sim_workload_rng(w);
    for (int i = 0; i <= W; i++)
      su->drift[i] = (int32_t)rng_below(r, 2 * c.max_drift_ppm + 1) - (int32_t)c.max_drift_ppm;
  }
  for (int i = 0; i <= client; i++) {
    wt->drift[i] = su->drift[i];
    if (su->drift[i]) sim_set_clock(w, i, 0, su->drift[i]);
  }
  wt->rec.workers = W;
  wt->rec.one_leader_checked = su->one_leader_checked;
  wt->store = store;
  wt->client = client;
  wt->lease = c.lease;
  wt->max_drift_ppm = c.max_drift_ppm;
  wt->fencing = c.fencing;
  run->lab_data = wt;
  sim_observe(w, watch_events, wt);
  sim_invariant(w, "one-leader", one_leader, wt);
  lab_begin(run, w);
  return w;
}

/* The current holder by the lock's books (0: none yet). */
static int current_holder(sim_world *w) {
  const lease_state *lock = sim_state(w, LEASE_LOCK);
  return sim_alive(w, LEASE_LOCK) ? lock->holder : 0;
}

/* Mark the holder as the fault's victim, now. Returns it (0 if there is none). */
static int mark_victim(sim_world *w, watch *wt) {
  int v = current_holder(w);
  if (v <= 0) return 0;
  wt->rec.victim = v;
  wt->rec.fault_at = sim_now(w);
  wt->victim_token = ((const lease_state *)sim_state(w, LEASE_LOCK))->token_counter;
  return v;
}

/* Faults, as sim_at events. arg: the node in bits 0-7, the kind in bits 8-15, and for a pause
 * its length in microseconds from bit 16 up. */
enum { FAULT_CUT, FAULT_HEAL_CUT, FAULT_PAUSE, FAULT_RESUME, FAULT_CRASH, FAULT_RESTART };

static void cut_from_lock(sim_world *w, int node, bool cut) {
  sim_block(w, node, LEASE_LOCK, cut);
  sim_block(w, LEASE_LOCK, node, cut);
}

static void fault_event(sim_world *w, void *ctx, uint64_t arg) {
  watch *wt = ctx;
  int kind = (int)((arg >> 8) & 0xff), node = (int)(arg & 0xff);
  sim_time length = arg >> 16;
  switch (kind) {
    case FAULT_CUT: /* node 0: whoever holds the lease now */
      if (node == 0) node = mark_victim(w, wt);
      if (node > 0) {
        cut_from_lock(w, node, true);
        wt->rec.victim = node;
      }
      break;
    case FAULT_HEAL_CUT:
      sim_heal(w);
      break;
    case FAULT_PAUSE:
      if (node == 0) node = mark_victim(w, wt);
      /* A pause: every timer it sets and every message to it now takes `pause` longer, so it
       * does nothing for that long; what it had already scheduled still happens. */
      if (node > 0) sim_set_slow(w, node, length);
      wt->paused = node;
      break;
    case FAULT_RESUME:
      if (wt->paused > 0) sim_set_slow(w, wt->paused, 0);
      wt->paused = 0;
      break;
    case FAULT_CRASH:
      if (sim_alive(w, node)) sim_crash(w, node);
      break;
    case FAULT_RESTART:
      if (!sim_alive(w, node)) sim_restart(w, node);
      break;
  }
}

static void at(sim_world *w, watch *wt, sim_time when, int kind, int node, sim_time length) {
  sim_at(w, when, fault_event, wt, (length << 16) | ((uint64_t)kind << 8) | (uint64_t)node);
}

/* ---- judging --------------------------------------------------------------------------------- */

/* "3 leaderships (tokens), 41 writes accepted, 1 fenced, 120 reads answered, 260 refused". */
static const char *counts_text(const lab14_record *rec, char *buf, size_t cap) {
  snprintf(buf, cap,
           "%llu leaderships (tokens), %u writes accepted and %u fenced off, %u reads answered "
           "and %u refused",
           (unsigned long long)rec->tokens, rec->accepted, rec->fenced, rec->reads_ok,
           rec->reads_refused);
  return buf;
}

/* Did storage refuse a write whose token was at least the highest it had admitted? Then the
 * sentence that says so into buf, and true: fence_admit's mistake, whatever else happened. */
static bool bad_refusal_text(const watch *wt, char *buf, size_t cap) {
  if (!wt->bad_refusal) return false;
  char v[64], t[32];
  bool equal = wt->bad_refused.token == wt->bad_highest;
  snprintf(buf, cap,
           "storage refused %s at t=%s with highest %llu: %s; fence_admit must admit it%s",
           version_text(&wt->bad_refused, v, sizeof v), sim_format_time(wt->bad_at, t, sizeof t),
           (unsigned long long)wt->bad_highest,
           equal ? "an equal token is the current leader writing again"
                 : "a higher token is a new leader",
           equal ? "" : " and remember it as the highest");
  return true;
}

/* The run stopped on a check: its report, and, for an overlap seen earlier without stopping,
 * when that began. */
static bool judge_violation(lab_run *run, const char *report) {
  const lab14_record *rec = run->lab_data;
  char t[32];
  if (rec->overlap && !rec->one_leader_checked)
    return lab_verdict(run, false, "%s (w%d and w%d had both believed they led since t=%s)", report,
                       rec->overlap_a, rec->overlap_b,
                       sim_format_time(rec->overlap_at, t, sizeof t));
  return lab_verdict(run, false, "%s", report);
}

/* Run a scenario with one fault at the leader to `end`, then judge the checks and liveness: a
 * newer leader wrote by `by`. Returns true when both held, with the run's counts in `counts`
 * (the scenario then judges its own point); false with the failing verdict written. */
static bool run_to_takeover(lab_run *run, sim_time end, sim_time by, char *counts, size_t cap) {
  sim_world *w = run->world;
  sim_run_until_time(w, end);
  const char *report;
  if (sim_violated(w, &report)) return judge_violation(run, report);
  const watch *wt = run->lab_data;
  const lab14_record *rec = &wt->rec;
  char t[32], f[32], bad[256];
  counts_text(rec, counts, cap);
  if (bad_refusal_text(wt, bad, sizeof bad)) return lab_verdict(run, false, "%s; %s", bad, counts);
  if (rec->victim == 0)
    return lab_verdict(run, false,
                       "nobody held the lease when the fault came: no worker took the lease "
                       "(lease_on_grant, lease_valid); %s",
                       counts);
  if (rec->first_new_write == 0 || rec->first_new_write > by) {
    char hit[96];
    sim_format_time(rec->fault_at, f, sizeof f);
    if (wt->ever_led[rec->victim])
      snprintf(hit, sizeof hit, "after w%d was hit at t=%s", rec->victim, f);
    else
      snprintf(hit, sizeof hit, "after the fault at t=%s (aimed at w%d, which never led)", f,
               rec->victim);
    return lab_verdict(run, false,
                       "%s, no newer leader had written by t=%s: a worker granted the lease must "
                       "start leading (lease_on_grant takes a newer token, lease_valid says yes "
                       "before the expiry) and storage must admit its token (fence_admit); %s",
                       hit, sim_format_time(by, t, sizeof t), counts);
  }
  return true;
}

/* ---- the scenarios --------------------------------------------------------------------------- */

/* Random faults aimed at the leader, one after another from 200 ms until at most 2.4 s: cut the
 * holder off from the lock, pause it, crash a worker, crash the lock or storage. Every clock
 * drifts within the bound. By 3 s the system must be leading, writing and answering again. */
static bool scenario_leases(lab_run *run) {
  setup su = default_setup(lab_nodes(run, 3));
  su.random_drift = true;
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0, 0);
  sim_world *w = build(run, &su);
  watch *wt = run->lab_data;
  rng *r = sim_workload_rng(w);
  sim_time t = 200 * SIM_MS;
  int W = su.workers;
  while (t < 2000 * SIM_MS) {
    sim_time len = 50 * SIM_MS + rng_below(r, 350 * SIM_MS);
    int kind = (int)rng_below(r, 5);
    if (kind == 0) { /* cut the holder off from the lock */
      at(w, wt, t, FAULT_CUT, 0, 0);
      at(w, wt, t + len, FAULT_HEAL_CUT, 0, 0);
    } else if (kind == 1) { /* pause the holder */
      at(w, wt, t, FAULT_PAUSE, 0, len);
      at(w, wt, t + len, FAULT_RESUME, 0, 0);
    } else { /* crash a worker, the lock or storage */
      int node = kind == 2 ? 1 + (int)rng_below(r, (uint64_t)W) : kind == 3 ? LEASE_LOCK : W + 1;
      at(w, wt, t, FAULT_CRASH, node, 0);
      at(w, wt, t + len, FAULT_RESTART, node, 0);
    }
    t += len;
    wt->rec.last_fault_end = t;
    t += 50 * SIM_MS + rng_below(r, 200 * SIM_MS);
  }
  sim_time end = 3 * SIM_SEC;
  sim_run_until_time(w, end);
  const char *report;
  if (sim_violated(w, &report)) return judge_violation(run, report);
  const lab14_record *rec = run->lab_data;
  const lease_state *client = sim_state(w, W + 2);
  char t1[32], t2[32], counts[256], bad[256];
  counts_text(rec, counts, sizeof counts);
  if (bad_refusal_text(wt, bad, sizeof bad)) return lab_verdict(run, false, "%s; %s", bad, counts);
  if (client->last_ok <= rec->last_fault_end || rec->last_accept <= rec->last_fault_end)
    return lab_verdict(run, false,
                       "the last fault ended at t=%s, and by t=%s %s (liveness): a worker granted "
                       "the lease must lead (lease_on_grant, lease_valid), write (fence_admit "
                       "admits its token) and answer reads (leader_serve_read); %s",
                       sim_format_time(rec->last_fault_end, t1, sizeof t1),
                       sim_format_time(end, t2, sizeof t2),
                       client->last_ok <= rec->last_fault_end ? "no read was answered since"
                                                              : "storage accepted no write since",
                       counts);
  return lab_verdict(run, true,
                     "one leader at a time, no write under an old token, no stale read, through "
                     "faults until t=%s; leading again by t=%s: %s",
                     sim_format_time(rec->last_fault_end, t1, sizeof t1),
                     sim_format_time(end, t2, sizeof t2), counts);
}

/* The partition scenarios: w1 leads first; at 300 ms the holder is cut off from the lock (but
 * not from storage or the client) until 900 ms. The lock's clock runs fast, the holder's slow:
 * `holder_drift` (within the bound, or far beyond it). */
static bool run_partitioned(lab_run *run, int32_t holder_drift, bool checked) {
  setup su = default_setup(3);
  su.net = sim_net_uniform(1 * SIM_MS, 3 * SIM_MS, 0, 0);
  su.drift[LEASE_LOCK] = (int32_t)su.config.max_drift_ppm;
  su.drift[1] = holder_drift;
  su.late_start = 30 * SIM_MS;
  su.one_leader_checked = checked;
  sim_world *w = build(run, &su);
  watch *wt = run->lab_data;
  at(w, wt, 300 * SIM_MS, FAULT_CUT, 0, 0);
  at(w, wt, 900 * SIM_MS, FAULT_HEAL_CUT, 0, 0);
  char counts[256], t1[32], t2[32];
  if (!run_to_takeover(run, 1200 * SIM_MS, 900 * SIM_MS, counts, sizeof counts)) return false;
  const lab14_record *rec = run->lab_data;
  if (rec->victim_refused == 0)
    return lab_verdict(run, false,
                       "w%d was cut off from the lock at t=%s and its lease ran out, yet it "
                       "refused no read afterwards: leader_serve_read must refuse once lease_valid "
                       "is false; %s",
                       rec->victim, sim_format_time(rec->fault_at, t1, sizeof t1), counts);
  if (rec->overlap)
    return lab_verdict(run, true,
                       "no stale read this time, but w%d and w%d both believed they led from t=%s: "
                       "%s",
                       rec->overlap_a, rec->overlap_b,
                       sim_format_time(rec->overlap_at, t1, sizeof t1), counts);
  return lab_verdict(run, true,
                     "w%d, cut off from the lock at t=%s, stopped serving reads before a new "
                     "leader wrote at t=%s (clock drift %+dppm, bound %uppm); no stale read; %s",
                     rec->victim, sim_format_time(rec->fault_at, t1, sizeof t1),
                     sim_format_time(rec->first_new_write, t2, sizeof t2), (int)holder_drift,
                     su.config.max_drift_ppm, counts);
}

static bool scenario_partitioned_leader(lab_run *run) { return run_partitioned(run, -20000, true); }

static bool scenario_drift_beyond_bound(lab_run *run) {
  return run_partitioned(run, -500000, false);
}

/* The pause scenarios: w1 leads; at 300 ms the holder pauses for 400 ms, with a write checked
 * and not yet sent. Its lease runs out during the pause; another worker takes over and writes;
 * then the paused write goes out with the old token. */
static bool run_pause(lab_run *run, bool fencing) {
  setup su = default_setup(3);
  su.config.fencing = fencing;
  su.late_start = 30 * SIM_MS;
  su.random_drift = true;
  sim_world *w = build(run, &su);
  watch *wt = run->lab_data;
  at(w, wt, 300 * SIM_MS, FAULT_PAUSE, 0, 400 * SIM_MS);
  at(w, wt, 700 * SIM_MS, FAULT_RESUME, 0, 0);
  char counts[256], t1[32], t2[32], t3[32], v[64];
  if (!run_to_takeover(run, 1200 * SIM_MS, 700 * SIM_MS, counts, sizeof counts)) return false;
  const lab14_record *rec = run->lab_data;
  bool lost = false;
  for (int i = 0; i < wt->victim_writes; i++) lost = lost || !wt->victim_write_arrived[i];
  if (rec->fenced == 0 && lost)
    return lab_verdict(run, false,
                       "w%d paused at t=%s and a newer leader wrote at t=%s, but a Write w%d sent "
                       "after the pause began never reached storage: the network lost it (--loss "
                       "or --nemesis), so nothing was left to fence off; %s",
                       rec->victim, sim_format_time(rec->fault_at, t1, sizeof t1),
                       sim_format_time(rec->first_new_write, t2, sizeof t2), rec->victim, counts);
  if (rec->fenced == 0 && wt->victim_writes == 0)
    return lab_verdict(run, false,
                       "w%d paused at t=%s and a newer leader wrote at t=%s, but w%d sent no "
                       "Write after the pause began, so storage had nothing to fence off: its "
                       "lease was no longer valid when its last work timer checked it (under "
                       "--loss its renewals can be lost; without loss, look at lease_on_grant and "
                       "lease_valid); %s",
                       rec->victim, sim_format_time(rec->fault_at, t1, sizeof t1),
                       sim_format_time(rec->first_new_write, t2, sizeof t2), rec->victim, counts);
  if (rec->fenced == 0)
    return lab_verdict(run, false,
                       "w%d paused at t=%s and a newer leader wrote at t=%s, but storage refused "
                       "no write at all: w%d's checked write should have gone out after the pause "
                       "with its old token and been fenced off (fence_admit); %s",
                       rec->victim, sim_format_time(rec->fault_at, t1, sizeof t1),
                       sim_format_time(rec->first_new_write, t2, sizeof t2), rec->victim, counts);
  if (rec->fenced_writer != rec->victim || rec->fenced_at < rec->first_new_write) {
    version first = {rec->fenced_token, wt->fenced_seq, rec->fenced_writer};
    return lab_verdict(run, false,
                       "storage's first refusal should be w%d's write after its pause (from "
                       "t=%s), once a newer leader had written (t=%s), but the first it refused "
                       "was %s at t=%s with highest %llu: no one but the paused leader should "
                       "write under an old token here (lease_on_grant, lease_valid); %s",
                       rec->victim, sim_format_time(rec->fault_at, t1, sizeof t1),
                       sim_format_time(rec->first_new_write, t2, sizeof t2),
                       version_text(&first, v, sizeof v),
                       sim_format_time(rec->fenced_at, t3, sizeof t3),
                       (unsigned long long)rec->fenced_highest, counts);
  }
  return lab_verdict(run, true,
                     "w%d paused at t=%s holding token %llu; a newer leader wrote at t=%s; when "
                     "w%d woke its write (token %llu) was fenced off at t=%s, storage having seen "
                     "token %llu; %s",
                     rec->victim, sim_format_time(rec->fault_at, t1, sizeof t1),
                     (unsigned long long)wt->victim_token,
                     sim_format_time(rec->first_new_write, t2, sizeof t2), rec->victim,
                     (unsigned long long)rec->fenced_token,
                     sim_format_time(rec->fenced_at, t3, sizeof t3),
                     (unsigned long long)rec->fenced_highest, counts);
}

static bool scenario_gc_pause(lab_run *run) { return run_pause(run, true); }

static bool scenario_gc_pause_unfenced(lab_run *run) { return run_pause(run, false); }

static const lab_scenario scenarios[] = {
    {"leases",
     "lock, 3 workers (--nodes 2..6 workers), store, client; drift within 2%; random faults "
     "at the leader until ~2.4s",
     scenario_leases, LAB_NODES(2, LEASE_MAX_WORKERS)},
    {"partitioned-leader",
     "the leader is cut off from the lock at 300ms; its clock 2% slow, the lock's 2% fast",
     scenario_partitioned_leader, LAB_FIXED_NODES},
    {"drift-beyond-bound",
     "the same, but the leader's clock runs at half speed, far beyond the assumed 2%",
     scenario_drift_beyond_bound, LAB_FIXED_NODES},
    {"gc-pause", "the leader pauses for 400ms between its lease check and its write; fencing on",
     scenario_gc_pause, LAB_FIXED_NODES},
    {"gc-pause-unfenced",
     "the same pause, storage checks no tokens: the old leader's write lands last",
     scenario_gc_pause_unfenced, LAB_FIXED_NODES},
};

const lab_info lab14 = {
    .id = "14-leases-and-fencing",
    .title = "leases and fencing: leaders that are not",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
