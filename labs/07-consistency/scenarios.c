/*
 * labs/07-consistency/scenarios.c: lab 07's scenarios, shared by the driver and the tests.
 *
 * Every scenario is the same store (primary p0, replicas r1 and r2, clients c3, c4, c5 by
 * default) with a different network, faults, read policy and set of checks:
 *
 *   read-your-writes (invariant, after every event): a client's read of a key returns a version
 *       >= the version of its own last acknowledged write to that key.
 *   monotonic-reads (invariant, after every event): a client's successive reads of a key never
 *       return decreasing versions.
 *   held-reads-answered (invariant, after every event): a store node that has applied the token
 *       of a read it held back has answered that read.
 *   linearizable (at the end): the whole client history, checked with lib/lincheck.h against a
 *       register per key.
 *   liveness: every client finishes its operations by the deadline.
 *
 * The invariants read what the fixed client code recorded in each client's state (done[]), never
 * the session token your code keeps, so a wrong session layer cannot hide its own mistakes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "lincheck.h"

/* One session invariant: its own memory of what each client wrote and read. */
typedef struct session_check {
  bool monotonic;                          /* false: read-your-writes */
  uint32_t seen[SIM_MAX_NODES];            /* done[] entries of each client already checked */
  op_done last[SIM_MAX_NODES][STORE_KEYS]; /* RYW: the last acked write; MR: the last read */
  bool have[SIM_MAX_NODES][STORE_KEYS];
} session_check;

/* The reads each store node holds back, as seen on the wire: a Read whose token is above the
 * node's applied version when it arrives is held; a ReadOk from that node to that client for that
 * request (or a newer one) answers it; a crash forgets it. Per (node, client), the newest. */
typedef struct held_reads {
  bool active[SIM_MAX_NODES][SIM_MAX_NODES];
  uint32_t req[SIM_MAX_NODES][SIM_MAX_NODES];
  uint64_t token[SIM_MAX_NODES][SIM_MAX_NODES];
  sim_time since[SIM_MAX_NODES][SIM_MAX_NODES];
} held_reads;

/* run->lab_data: the record the tests read comes first, so they may cast it. */
typedef struct scenario_data {
  lab07_record rec;
  session_check ryw, mr;
  held_reads held;
} scenario_data;

typedef struct setup {
  int replicas, clients;
  uint32_t ops, write_percent;
  sim_time think, retry, sync_interval, deadline;
  sim_time lag[SIM_MAX_NODES];
  bool sessions, read_primary;
  bool check_ryw, check_mr, check_lin;
  sim_net_config net;
  void (*faults)(sim_world *w); /* extra faults scheduled before the start, or NULL */
} setup;

/* The default store: two replicas that lag 20 ms and 120 ms behind the primary, three clients
 * doing 30 operations each, 40% writes, on the default network (1..10 ms, reordering). */
static setup default_setup(void) {
  setup s = {.replicas = 2,
             .clients = 3,
             .ops = 30,
             .write_percent = 40,
             .think = 30 * SIM_MS,
             .retry = 80 * SIM_MS,
             .sync_interval = 10 * SIM_MS,
             .deadline = 30 * SIM_SEC,
             .sessions = true,
             .check_ryw = true,
             .check_mr = true,
             .net = sim_net_default()};
  s.lag[1] = 20 * SIM_MS;
  s.lag[2] = 120 * SIM_MS;
  return s;
}

/* Times in verdicts are rounded (sim_format_time_rounded), as lincheck and the viewer show them. */

/* The report of a failed invariant, "NAME violated at t=TIME: WHY", with the time written by
 * sim_format_time_rounded like every other time in the verdict (the library cuts it off). */
static void violation_verdict(lab_run *run, const char *report) {
  const char *at = strstr(report, " violated at t=");
  const char *why = at ? strstr(at, ": ") : NULL;
  if (!why) {
    lab_verdict(run, false, "%s", report);
    return;
  }
  char t[32];
  lab_verdict(run, false, "%.*s violated at t=%s%s", (int)(at - report), report,
              sim_format_time_rounded(sim_now(run->world), t, sizeof t), why);
}

/* Check the operations each client finished since the last event. */
static bool check_sessions(sim_world *w, void *ctx, char *why, size_t cap) {
  session_check *ck = ctx;
  for (int c = 0; c < sim_nodes(w); c++) {
    if (!sim_alive(w, c)) continue;
    const store_state *s = sim_state(w, c);
    if (s->config.role != ROLE_CLIENT) continue;
    uint32_t upto = s->completed < CLIENT_OPS_MAX ? s->completed : CLIENT_OPS_MAX;
    if (upto < ck->seen[c]) { /* the client restarted: a new session, nothing seen yet */
      ck->seen[c] = 0;
      memset(ck->have[c], 0, sizeof ck->have[c]);
    }
    for (; ck->seen[c] < upto; ck->seen[c]++) {
      const op_done *d = &s->done[ck->seen[c]];
      const op_done *before = &ck->last[c][d->key];
      bool have = ck->have[c][d->key];
      const char *key = store_key_name(d->key);
      char t1[32], t2[32];
      if (d->kind == OP_WRITE && !ck->monotonic) {
        ck->last[c][d->key] = *d;
        ck->have[c][d->key] = true;
      }
      if (d->kind != OP_READ) continue;
      if (have && d->version < before->version) {
        if (ck->monotonic)
          snprintf(
              why, cap,
              "%s read %s=\"%s\" (version %llu) from %s at t=%s, after it had read version %llu "
              "(\"%s\") from %s at t=%s: %s had applied only up to version %llu and the "
              "read carried token %llu",
              sim_node_name(w, c), key, d->value, (unsigned long long)d->version,
              sim_node_name(w, d->server), sim_format_time_rounded(d->completed, t1, sizeof t1),
              (unsigned long long)before->version, before->value, sim_node_name(w, before->server),
              sim_format_time_rounded(before->completed, t2, sizeof t2),
              sim_node_name(w, d->server), (unsigned long long)d->applied,
              (unsigned long long)d->token);
        else
          snprintf(why, cap,
                   "%s read %s=\"%s\" (version %llu) from %s at t=%s, but its own write %s=\"%s\" "
                   "was acknowledged as version %llu at t=%s: %s had applied only up to version "
                   "%llu and the read carried token %llu",
                   sim_node_name(w, c), key, d->value, (unsigned long long)d->version,
                   sim_node_name(w, d->server),
                   sim_format_time_rounded(d->completed, t1, sizeof t1), key, before->value,
                   (unsigned long long)before->version,
                   sim_format_time_rounded(before->completed, t2, sizeof t2),
                   sim_node_name(w, d->server), (unsigned long long)d->applied,
                   (unsigned long long)d->token);
        return false;
      }
      if (ck->monotonic) {
        ck->last[c][d->key] = *d;
        ck->have[c][d->key] = true;
      }
    }
  }
  return true;
}

/* Watch reads on the wire: count those that reach a store node behind their token, and keep
 * track of which of them are still unanswered (for held-reads-answered). */
static void watch_reads(sim_world *w, const sim_event *ev, void *ctx) {
  scenario_data *data = ctx;
  held_reads *h = &data->held;
  int node = ev->node, peer = ev->peer;
  if (ev->kind == SIM_EV_CRASH && node >= 0 && node < SIM_MAX_NODES) {
    memset(h->active[node], 0, sizeof h->active[node]);
    return;
  }
  if (node < 0 || node >= SIM_MAX_NODES || peer < 0 || peer >= SIM_MAX_NODES) return;
  if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_READ) {
    const read_body *rd = ev->body;
    const store_state *s = sim_state(w, node);
    if (rd->token <= s->applied) return;
    data->rec.held_back++;
    if (h->active[node][peer] && rd->req < h->req[node][peer]) return; /* an old duplicate */
    h->active[node][peer] = true;
    h->req[node][peer] = rd->req;
    h->token[node][peer] = rd->token;
    h->since[node][peer] = ev->time;
  } else if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_READ_OK) {
    const read_ok_body *ok = ev->body;
    if (h->active[node][peer] && ok->req >= h->req[node][peer]) h->active[node][peer] = false;
  }
}

/* After every event: a store node that has applied a held read's token has answered it (the
 * handler that raised applied must also have called replica_on_applied). */
static bool check_held_reads(sim_world *w, void *ctx, char *why, size_t cap) {
  const held_reads *h = ctx;
  for (int r = 0; r < sim_nodes(w); r++) {
    if (!sim_alive(w, r)) continue;
    const store_state *s = sim_state(w, r);
    if (s->config.role == ROLE_CLIENT) continue;
    for (int c = 0; c < sim_nodes(w); c++) {
      if (!h->active[r][c] || h->token[r][c] > s->applied) continue;
      char t[32];
      const pending_read *p = &s->pending[c];
      bool kept = p->active && p->req >= h->req[r][c];
      snprintf(why, cap,
               "%s has applied up to version %llu but has not answered %s's read (req %u, token "
               "%llu) that it held back at t=%s: %s%d%s",
               sim_node_name(w, r), (unsigned long long)s->applied, sim_node_name(w, c),
               h->req[r][c], (unsigned long long)h->token[r][c],
               sim_format_time_rounded(h->since[r][c], t, sizeof t),
               kept ? "the read is still in s->pending[" : "the read is not in s->pending[", c,
               kept ? "]; once applied >= token, replica_on_applied must answer it and free the "
                      "slot"
                    : "] (the slot is free or holds an older req): replica_on_read must keep a "
                      "read it does not answer in s->pending[from], so that replica_on_applied "
                      "can answer it");
      return false;
    }
  }
  return true;
}

static sim_world *build(lab_run *run, const setup *st) {
  sim_world *w = sim_create(run->seed);
  /* Configurations are copied byte for byte into node states: no stray padding bytes. */
  store_config primary, replica, client;
  memset(&primary, 0, sizeof primary);
  memset(&replica, 0, sizeof replica);
  memset(&client, 0, sizeof client);
  primary.role = ROLE_PRIMARY;
  primary.replicas = st->replicas;
  primary.sync_interval = st->sync_interval;
  memcpy(primary.lag, st->lag, sizeof primary.lag);
  replica.role = ROLE_REPLICA;
  replica.replicas = st->replicas;
  client.role = ROLE_CLIENT;
  client.replicas = st->replicas;
  client.sessions = st->sessions;
  client.read_primary = st->read_primary;
  client.ops = st->ops;
  client.write_percent = st->write_percent;
  client.think = st->think;
  client.retry = st->retry;
  char name[16];
  sim_add_node(w, &store_protocol, &primary, sizeof primary);
  sim_set_node_name(w, 0, "p0");
  for (int r = 1; r <= st->replicas; r++) {
    sim_add_node(w, &store_protocol, &replica, sizeof replica);
    snprintf(name, sizeof name, "r%d", r);
    sim_set_node_name(w, r, name);
  }
  for (int i = 0; i < st->clients; i++) {
    int id = sim_add_node(w, &store_protocol, &client, sizeof client);
    snprintf(name, sizeof name, "c%d", id);
    sim_set_node_name(w, id, name);
  }
  sim_set_net(w, &st->net);
  scenario_data *data = calloc(1, sizeof *data);
  if (!data) abort();
  data->rec.clients = st->clients;
  data->rec.first_client = st->replicas + 1;
  data->mr.monotonic = true;
  run->lab_data = data;
  sim_observe(w, watch_reads, data);
  sim_invariant(w, "held-reads-answered", check_held_reads, &data->held);
  if (st->check_ryw) sim_invariant(w, "read-your-writes", check_sessions, &data->ryw);
  if (st->check_mr) sim_invariant(w, "monotonic-reads", check_sessions, &data->mr);
  if (st->faults) st->faults(w);
  lab_begin(run, w);
  return w;
}

static bool clients_done(sim_world *w, void *ctx) {
  const lab07_record *rec = ctx;
  for (int c = rec->first_client; c < rec->first_client + rec->clients; c++) {
    if (!sim_alive(w, c)) return false;
    const store_state *s = sim_state(w, c);
    if (s->completed < s->config.ops) return false;
  }
  return true;
}

/* Count the finished operations (for verdicts and the tests). */
static void count_ops(sim_world *w, lab07_record *rec) {
  rec->reads = rec->writes = 0;
  for (int c = rec->first_client; c < rec->first_client + rec->clients; c++) {
    const store_state *s = sim_state(w, c);
    for (uint32_t i = 0; i < s->completed && i < CLIENT_OPS_MAX; i++) {
      if (s->done[i].kind == OP_READ) rec->reads++;
      if (s->done[i].kind == OP_WRITE) rec->writes++;
    }
  }
}

/* Find the acknowledged write that got `version`, or NULL (version 0 is the initial nil). */
static const op_done *write_of_version(sim_world *w, const lab07_record *rec, uint64_t version) {
  for (int c = rec->first_client; c < rec->first_client + rec->clients; c++) {
    const store_state *s = sim_state(w, c);
    for (uint32_t i = 0; i < s->completed && i < CLIENT_OPS_MAX; i++)
      if (s->done[i].kind == OP_WRITE && s->done[i].version == version) return &s->done[i];
  }
  return NULL;
}

/* Look for the simplest proof that the history is not linearizable: a read by one client that
 * returned a write W1, although another client's write W2 of the same key started after W1 had
 * finished and itself finished before the read started. Real time then forces W1 < W2 < read,
 * and a register would return W2 (or something newer). The earliest such read of only_key (all
 * keys if -1) is described. */
static void find_stale_read(sim_world *w, lab07_record *rec, int only_key) {
  const op_done *best_read = NULL, *best_write = NULL;
  int best_reader = -1, best_writer = -1;
  for (int a = rec->first_client; a < rec->first_client + rec->clients; a++) {
    const store_state *sa = sim_state(w, a);
    for (uint32_t i = 0; i < sa->completed && i < CLIENT_OPS_MAX; i++) {
      const op_done *r = &sa->done[i];
      if (r->kind != OP_READ || (best_read && r->invoked >= best_read->invoked)) continue;
      if (only_key >= 0 && r->key != only_key) continue;
      const op_done *w1 = r->version ? write_of_version(w, rec, r->version) : NULL;
      if (r->version && !w1) continue;
      for (int b = rec->first_client; b < rec->first_client + rec->clients; b++) {
        if (b == a) continue;
        const store_state *sb = sim_state(w, b);
        for (uint32_t j = 0; j < sb->completed && j < CLIENT_OPS_MAX; j++) {
          const op_done *w2 = &sb->done[j];
          if (w2->kind != OP_WRITE || w2->key != r->key || w2->version <= r->version) continue;
          if (w2->completed >= r->invoked) continue;
          if (w1 && w1->completed >= w2->invoked) continue;
          best_read = r, best_write = w2, best_reader = a, best_writer = b;
          break;
        }
        if (best_read == r) break;
      }
    }
  }
  if (!best_read) return;
  char t1[32], t2[32], t3[32];
  const char *key = store_key_name(best_read->key);
  rec->stale_found = true;
  snprintf(
      rec->stale, sizeof rec->stale,
      "stale read: %s's write %s=\"%s\" (version %llu) was acknowledged at t=%s, yet %s's read "
      "of %s, invoked later at t=%s, returned \"%s\" (version %llu) from %s at t=%s",
      sim_node_name(w, best_writer), key, best_write->value,
      (unsigned long long)best_write->version,
      sim_format_time_rounded(best_write->completed, t1, sizeof t1), sim_node_name(w, best_reader),
      key, sim_format_time_rounded(best_read->invoked, t2, sizeof t2), best_read->value,
      (unsigned long long)best_read->version, sim_node_name(w, best_read->server),
      sim_format_time_rounded(best_read->completed, t3, sizeof t3));
}

/* Liveness help: if a live store node holds client c's read although it has applied the read's
 * token, describe it in hint and return true. Such a read was held by replica_on_read when it
 * should have been answered (applied >= token): nothing will ever raise applied past it once the
 * writes have stopped. */
static bool wrongly_held(sim_world *w, int c, char *hint, size_t cap) {
  for (int r = 0; r < sim_nodes(w); r++) {
    if (!sim_alive(w, r)) continue;
    const store_state *s = sim_state(w, r);
    if (s->config.role == ROLE_CLIENT || !s->pending[c].active) continue;
    if (s->pending[c].token > s->applied) continue;
    snprintf(hint, cap,
             "%s holds that client's read (req %u, token %llu) although it has applied up to "
             "version %llu: a read with applied >= token must be answered at once "
             "(replica_on_read: >=, not >)",
             sim_node_name(w, r), s->pending[c].req, (unsigned long long)s->pending[c].token,
             (unsigned long long)s->applied);
    return true;
  }
  return false;
}

/* Run to the deadline and judge: invariants, liveness, then (if asked) linearizability. */
static bool run_and_judge(lab_run *run, const setup *st) {
  sim_world *w = run->world;
  lab07_record *rec = run->lab_data;
  bool finished = sim_run_until(w, clients_done, rec, st->deadline);
  const char *report;
  count_ops(w, rec);
  if (sim_violated(w, &report)) {
    violation_verdict(run, report);
    return false;
  }
  char t[32];
  if (!finished) {
    for (int c = rec->first_client; c < rec->first_client + rec->clients; c++) {
      const store_state *s = sim_state(w, c);
      if (s->completed >= s->config.ops) continue;
      if (!sim_alive(w, c))
        return lab_verdict(run, false, "%s is down at the deadline t=%s (clients must not crash)",
                           sim_node_name(w, c), sim_format_time_rounded(st->deadline, t, sizeof t));
      char t2[32], hint[400];
      const store_state *p0 = sim_alive(w, 0) ? sim_state(w, 0) : NULL;
      if (!p0)
        snprintf(hint, sizeof hint, "p0, the primary, is down (only replicas may crash here)");
      else if (p0->applied < s->session.token)
        snprintf(hint, sizeof hint,
                 "p0 holds only %llu writes, fewer than the token: it lost its log in a crash "
                 "(only replicas may crash here)",
                 (unsigned long long)p0->applied);
      else if (s->busy == OP_WRITE)
        snprintf(hint, sizeof hint, "the write never got through to p0");
      else if (wrongly_held(w, c, hint, sizeof hint))
        ;
      else
        snprintf(hint, sizeof hint,
                 "is a held-back read never answered once the replica catches up "
                 "(replica_on_applied), or was it held although applied >= token "
                 "(replica_on_read)?");
      return lab_verdict(run, false,
                         "liveness: by the deadline t=%s %s had finished %u of %u operations; its "
                         "%s of %s (req %u, token %llu) has been waiting since t=%s: %s",
                         sim_format_time_rounded(st->deadline, t, sizeof t), sim_node_name(w, c),
                         s->completed, s->config.ops, s->busy == OP_WRITE ? "write" : "read",
                         store_key_name(s->key), s->req, (unsigned long long)s->session.token,
                         sim_format_time_rounded(s->invoked, t2, sizeof t2), hint);
    }
  }
  sim_time done_at = sim_now(w);
  if (!st->check_lin)
    return lab_verdict(run, true,
                       "%s held: %u reads and %u writes by %d clients finished by t=%s; %u reads "
                       "reached a replica behind their token and waited",
                       st->check_ryw && st->check_mr ? "read-your-writes and monotonic reads"
                       : st->check_ryw               ? "read-your-writes"
                                                     : "monotonic reads",
                       rec->reads, rec->writes, rec->clients,
                       sim_format_time_rounded(done_at, t, sizeof t), rec->held_back);

  size_t n;
  const sim_op_record *hist = sim_history(w, &n);
  lin_result r;
  lin_verdict v = lincheck_check_records(hist, n, &lin_model_register, &r);
  rec->checked_lin = true;
  rec->lin_verdict = (int)v;
  rec->lin_ops = r.ops;
  rec->lin_steps = r.steps;
  snprintf(rec->lin_explanation, sizeof rec->lin_explanation, "%s",
           r.explanation ? r.explanation : "");
  /* Prefer a stale read on the key the checker reports, so that the two explanations agree. */
  int bad_key = -1;
  for (int k = 0; r.key && k < STORE_KEYS; k++)
    if (strcmp(r.key, store_key_name(k)) == 0) bad_key = k;
  lincheck_result_free(&r);
  if (bad_key >= 0) find_stale_read(w, rec, bad_key);
  if (!rec->stale_found) find_stale_read(w, rec, -1);
  const char *where = st->read_primary ? "the primary" : "the replicas";
  if (v == LIN_LINEARIZABLE)
    return lab_verdict(run, true,
                       "linearizable: the checker ordered all %llu operations (%u reads from %s, "
                       "%u writes) in %llu model steps; finished by t=%s",
                       (unsigned long long)rec->lin_ops, rec->reads, where, rec->writes,
                       (unsigned long long)rec->lin_steps,
                       sim_format_time_rounded(done_at, t, sizeof t));
  /* The explanation's first line is its summary; the details are in the record. */
  char first[600];
  size_t len = strcspn(rec->lin_explanation, "\n");
  if (len >= sizeof first) len = sizeof first - 1;
  memcpy(first, rec->lin_explanation, len);
  first[len] = '\0';
  return lab_verdict(run, false,
                     "%s (reads from %s; read-your-writes and monotonic reads held). %s%s%s "
                     "(lincheck on the --trace file explains it in full)",
                     lincheck_verdict_name(v), where, rec->stale_found ? rec->stale : "",
                     rec->stale_found ? ". Checker: " : "Checker: ", first);
}

/* ---------------------------------------------------------------------------------------------
 * The scenarios.
 */

static bool scenario_sessions(lab_run *run) {
  setup st = default_setup();
  build(run, &st);
  return run_and_judge(run, &st);
}

static bool scenario_ryw_plain(lab_run *run) {
  setup st = default_setup();
  st.sessions = false;
  st.check_mr = false;
  build(run, &st);
  return run_and_judge(run, &st);
}

static bool scenario_monotonic_plain(lab_run *run) {
  setup st = default_setup();
  st.sessions = false;
  st.check_ryw = false;
  build(run, &st);
  return run_and_judge(run, &st);
}

static bool scenario_sessions_lossy(lab_run *run) {
  setup st = default_setup();
  st.net.loss = 0.2;
  st.net.duplicate = 0.1;
  st.net.fifo = false;
  st.deadline = 60 * SIM_SEC;
  build(run, &st);
  return run_and_judge(run, &st);
}

static void crash_r1(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx, (void)arg;
  sim_crash(w, 1);
}
static void restart_r1(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx, (void)arg;
  sim_restart(w, 1);
}
static void cut_r2(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  sim_block(w, 0, 2, arg != 0);
  sim_block(w, 2, 0, arg != 0);
}

/* r1 crashes at 300 ms and comes back empty at 450 ms (it must replicate everything again);
 * r2 is cut off from the primary from 200 ms to 900 ms (clients still reach it). */
static void crash_and_cut(sim_world *w) {
  sim_at(w, 300 * SIM_MS, crash_r1, NULL, 0);
  sim_at(w, 450 * SIM_MS, restart_r1, NULL, 0);
  sim_at(w, 200 * SIM_MS, cut_r2, NULL, 1);
  sim_at(w, 900 * SIM_MS, cut_r2, NULL, 0);
}

static bool scenario_sessions_crash(lab_run *run) {
  setup st = default_setup();
  st.net.loss = 0.05;
  st.faults = crash_and_cut;
  build(run, &st);
  return run_and_judge(run, &st);
}

static bool scenario_lin_sessions(lab_run *run) {
  setup st = default_setup();
  st.check_lin = true;
  build(run, &st);
  return run_and_judge(run, &st);
}

static bool scenario_lin_primary(lab_run *run) {
  setup st = default_setup();
  st.read_primary = true;
  st.check_lin = true;
  st.net.loss = 0.1;
  st.net.duplicate = 0.05;
  st.deadline = 60 * SIM_SEC;
  build(run, &st);
  return run_and_judge(run, &st);
}

static const lab_scenario scenarios[] = {
    {"sessions", "session tokens on: read-your-writes and monotonic reads must hold",
     scenario_sessions, LAB_FIXED_NODES},
    {"ryw-plain", "no session layer: does a client always see its own writes? (it does not)",
     scenario_ryw_plain, LAB_FIXED_NODES},
    {"monotonic-plain", "no session layer: do a client's reads ever go back in time? (they do)",
     scenario_monotonic_plain, LAB_FIXED_NODES},
    {"sessions-lossy", "sessions under 20% loss, 10% duplication and reordering",
     scenario_sessions_lossy, LAB_FIXED_NODES},
    {"sessions-crash", "sessions while r1 crashes and restarts empty and r2 is cut off",
     scenario_sessions_crash, LAB_FIXED_NODES},
    {"lin-sessions", "sessions, then the linearizability checker (stale reads across clients)",
     scenario_lin_sessions, LAB_FIXED_NODES},
    {"lin-primary", "every read served by the primary, under loss: checked linearizable",
     scenario_lin_primary, LAB_FIXED_NODES},
};

const lab_info lab07 = {
    .id = "07-consistency",
    .title = "what \"correct\" means: session guarantees and linearizability",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
