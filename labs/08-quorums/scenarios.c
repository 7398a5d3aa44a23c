/*
 * labs/08-quorums/scenarios.c: lab 08's scenarios, shared by the driver and the tests.
 *
 * Every scenario builds S replicas (n0 ..) and a few clients (c<id>, after the replicas) that run
 * random workloads, then judges the run:
 *
 *   - While it runs, an observer watches every message (every written value's tag, hinted writes,
 *     repairs, the acks and replies each client receives) and an invariant checks each completed
 *     quorum operation at once: a write had W distinct acks, a read had R distinct replies and
 *     returned the newest of them (Part A's rules, named write-quorum, read-quorum, read-newest).
 *   - At the end, the client history is checked: "regular" (every ok read returns a value at
 *     least as new as every write that completed before the read began, Lamport's regular
 *     register, "On Interprocess Communication", 1986) or linearizable (lincheck.h, register
 *     model), and Part B's handoff properties: each Handoff judged right after its home handled
 *     it (the home's store must then hold the handed-off write or a newer one), then the
 *     replicas' final state.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "lincheck.h"

typedef struct setup {
  q_mode mode;
  int replicas, n, r, w, keys;
  int clients, ops, write_percent;
  bool first_op_write;
  bool slow_writer; /* the first client only writes, 8 times, 100..200ms apart */
  sim_time start, think_min, think_max, retry, give_up, sloppy_after, handoff_every;
  sim_net_config net;
} setup;

static setup setup_default(q_mode mode, int n, int r, int w) {
  setup s = {.mode = mode,
             .replicas = n,
             .n = n,
             .r = r,
             .w = w,
             .keys = 1,
             .clients = 3,
             .ops = 40,
             .write_percent = 50,
             .think_min = 0,
             .think_max = 20 * SIM_MS,
             .retry = 30 * SIM_MS,
             .give_up = 1 * SIM_SEC,
             .sloppy_after = 40 * SIM_MS,
             .handoff_every = 100 * SIM_MS,
             .net = sim_net_default()};
  return s;
}

static q_config config_of(const setup *su, q_role role) {
  q_config c = {.role = role,
                .mode = su->mode,
                .replicas = su->replicas,
                .n = su->n,
                .r = su->r,
                .w = su->w,
                .keys = su->keys,
                .ops = su->ops,
                .write_percent = su->write_percent,
                .first_op_write = su->first_op_write,
                .start = su->start,
                .think_min = su->think_min,
                .think_max = su->think_max,
                .retry = su->retry,
                .give_up = su->give_up,
                .sloppy_after = su->sloppy_after,
                .handoff_every = su->handoff_every};
  return c;
}

static bool zero_tag(q_tag t) { return t.ts == 0 && t.writer == 0; }

static const char *tag_text(q_tag t, char *buf, size_t cap) {
  if (zero_tag(t))
    snprintf(buf, cap, "none");
  else
    snprintf(buf, cap, "(%" PRIu64 ",c%d)", t.ts, (int)t.writer);
  return buf;
}

static int popcount(uint32_t x) {
  int c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

static bool is_client(const q_record *rec, int node) {
  return node >= rec->clients_first && node <= rec->clients_last;
}

/* What a run records: the q_record the tests read (lab.h), first, so run->lab_data points at both
 * and lab_end's free() frees the whole; then what only the scenarios use. */
typedef struct q_run {
  q_record rec;
  int handoff_home;       /* the replica a Handoff was delivered to in this event, or -1 */
  q_handoff_body handoff; /* ... that Handoff */
  bool handoff_acked;     /* ... and the home answered it with a HandoffAck in the same event */
  char lost_handoff[512]; /* the first Handoff its home did not store, explained ("" if none) */
} q_run;

static q_run *run_record(lab_run *run) { return (q_run *)run->lab_data; }

/* ---------------------------------------------------------------------------------------------
 * Watching the wire.
 */
static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  q_run *x = ctx;
  q_record *rec = &x->rec;
  if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_WRITE) {
    const q_write_body *b = ev->body;
    if (b->value > 0 && b->value < Q_MAX_VALUES) rec->tag_of_value[b->value] = b->tag;
    if (b->hint >= 0 && b->hint != ev->peer) {
      for (int i = 0; i < rec->hinted_count; i++)
        if (rec->hinted[i].home == b->hint && rec->hinted[i].key == b->key &&
            q_tag_cmp(rec->hinted[i].tag, b->tag) == 0)
          return;
      if (rec->hinted_count < Q_MAX_HINTED)
        rec->hinted[rec->hinted_count++] = (q_hinted){b->hint, b->key, b->tag, false};
    }
    return;
  }
  if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_HANDOFF) {
    const q_handoff_body *b = ev->body;
    for (int i = 0; i < rec->hinted_count; i++)
      if (rec->hinted[i].home == ev->node && rec->hinted[i].key == b->key &&
          q_tag_cmp(rec->hinted[i].tag, b->tag) == 0)
        rec->hinted[i].handed = true;
    /* Observers run before the handler: handoff_stored judges it once the handler is done. */
    x->handoff_home = ev->node;
    x->handoff = *b;
    x->handoff_acked = false;
    return;
  }
  if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_HANDOFF_ACK) {
    const q_handoff_ack_body *a = ev->body;
    if (ev->node == x->handoff_home && a->key == x->handoff.key &&
        q_tag_cmp(a->tag, x->handoff.tag) == 0)
      x->handoff_acked = true;
    return;
  }
  if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_REPAIR) {
    rec->repairs++;
    return;
  }
  if (ev->kind != SIM_EV_RECV || !is_client(rec, ev->node) || ev->peer < 0) return;
  const q_state *c = sim_state(w, ev->node);
  if (c->cli.done) return;
  if (ev->msg_type == MSG_WRITE_ACK) {
    const q_write_ack_body *a = ev->body;
    if (a->op == rec->watch[ev->node].op && c->cli.kind == OP_WRITE)
      rec->watch[ev->node].acked |= 1u << ev->peer;
    /* Part B: a fallback's ack of a hinted write. */
    if (a->op == rec->watch[ev->node].op && c->cli.hint_of[ev->peer] >= 0) rec->hinted_acked++;
  } else if (ev->msg_type == MSG_READ_REPLY) {
    const q_read_reply_body *r = ev->body;
    q_watch *wt = &rec->watch[ev->node];
    if (r->op != wt->op || c->cli.kind != OP_READ) return;
    /* A replica may answer twice (a retransmitted Read): its first answer is the one that counts,
     * though returning the newer second one is no error either. */
    if (!(wt->answered & (1u << ev->peer)) && q_tag_cmp(r->tag, wt->newest) > 0)
      wt->newest = r->tag;
    if (q_tag_cmp(r->tag, wt->newest_any) > 0) wt->newest_any = r->tag;
    wt->answered |= 1u << ev->peer;
  }
}

/* After every event: judge each quorum operation the moment it completes. */
static bool quorum_rules(sim_world *w, void *ctx, char *why, size_t cap) {
  q_record *rec = ctx;
  for (int node = rec->clients_first; node <= rec->clients_last; node++) {
    const q_client *c = &((const q_state *)sim_state(w, node))->cli;
    q_watch *wt = &rec->watch[node];
    if (c->op != wt->op) {
      memset(wt, 0, sizeof *wt);
      wt->op = c->op;
      wt->ok_before = c->ops_ok;
      continue;
    }
    if (!c->done || wt->judged) continue;
    wt->judged = true;
    if (c->ops_ok == wt->ok_before || rec->cfg.mode == MODE_ABD) continue; /* gave up, or ABD */
    char a[48], b[48];
    if (c->kind == OP_WRITE) {
      if (popcount(wt->acked) < rec->cfg.w) {
        snprintf(why, cap,
                 "c%d completed its write of %d (op %u) after acks from %d distinct replicas; "
                 "W is %d (count each replica once: the network duplicates)",
                 node, (int)c->write_value, c->op, popcount(wt->acked), rec->cfg.w);
        return false;
      }
      q_tag t = rec->tag_of_value[c->write_value % Q_MAX_VALUES];
      if (t.writer != node) {
        snprintf(why, cap, "c%d wrote %d with tag %s: a write's tag is (its clock, its own id c%d)",
                 node, (int)c->write_value, tag_text(t, a, sizeof a), node);
        return false;
      }
    } else {
      if (popcount(wt->answered) < rec->cfg.r) {
        snprintf(why, cap,
                 "c%d's read (op %u) returned after replies from %d distinct replicas; "
                 "R is %d (count each replica once)",
                 node, c->op, popcount(wt->answered), rec->cfg.r);
        return false;
      }
      if (q_tag_cmp(c->read_tag, wt->newest) < 0 || q_tag_cmp(c->read_tag, wt->newest_any) > 0) {
        snprintf(why, cap,
                 "c%d's read (op %u) returned tag %s, but the newest tag among the "
                 "replies it had received was %s",
                 node, c->op, tag_text(c->read_tag, a, sizeof a),
                 tag_text(wt->newest, b, sizeof b));
        return false;
      }
    }
  }
  return true;
}

/* After every event (registered as an invariant, but it never stops the run: Part B's verdict
 * reports what it found, after the partition's own checks): if a Handoff was delivered in this
 * event, its home must now hold the handed-off write, or a newer one. Judging at the end is not
 * enough: writes after the heal go to the homes directly and would hide a home that acknowledged
 * a handoff without storing it. */
static bool handoff_stored(sim_world *w, void *ctx, char *why, size_t cap) {
  (void)why;
  (void)cap;
  q_run *x = ctx;
  int home = x->handoff_home;
  x->handoff_home = -1;
  const q_handoff_body *h = &x->handoff;
  if (home < 0 || x->lost_handoff[0] || h->key < 0 || h->key >= Q_MAX_KEYS) return true;
  q_cell have = ((const q_state *)sim_state(w, home))->rep.store[h->key];
  int cmp = q_tag_cmp(have.tag, h->tag);
  if (cmp > 0 || (cmp == 0 && have.value == h->value)) return true;
  char a[48], b[48], t[32];
  snprintf(x->lost_handoff, sizeof x->lost_handoff,
           "n%d %s the handoff of k%d=%d (tag %s) at %s, but its store then held k%d=%d (tag "
           "%s): store a handed-off value that is newer than what the home holds, then "
           "acknowledge (replica_on_handoff); the ack makes the fallback drop its copy",
           home, x->handoff_acked ? "acknowledged" : "received", (int)h->key, (int)h->value,
           tag_text(h->tag, a, sizeof a), sim_format_time(sim_now(w), t, sizeof t), (int)h->key,
           (int)have.value, tag_text(have.tag, b, sizeof b));
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Building a world.
 */
static sim_world *build(lab_run *run, const setup *su) {
  sim_world *w = sim_create(run->seed);
  q_config rep = config_of(su, ROLE_REPLICA), cli = config_of(su, ROLE_CLIENT);
  for (int i = 0; i < su->replicas; i++) sim_add_node(w, &quorum_protocol, &rep, sizeof rep);
  q_config writer = cli;
  writer.write_percent = 100;
  writer.ops = 8;
  writer.think_min = 100 * SIM_MS;
  writer.think_max = 200 * SIM_MS;
  for (int i = 0; i < su->clients; i++) {
    const q_config *c = i == 0 && su->slow_writer ? &writer : &cli;
    int id = sim_add_node(w, &quorum_protocol, c, sizeof *c);
    char name[8];
    snprintf(name, sizeof name, "c%d", id);
    sim_set_node_name(w, id, name);
  }
  sim_set_net(w, &su->net);
  q_run *x = calloc(1, sizeof *x);
  if (!x) abort();
  q_record *rec = &x->rec;
  rec->cfg = rep;
  rec->clients_first = su->replicas;
  rec->clients_last = su->replicas + su->clients - 1;
  x->handoff_home = -1;
  run->lab_data = x;
  sim_observe(w, watch, x);
  sim_invariant(w, "quorum-rules", quorum_rules, rec);
  if (su->mode == MODE_SLOPPY) sim_invariant(w, "handoff-stored", handoff_stored, x);
  return w;
}

static bool clients_finished(sim_world *w, void *ctx) {
  const q_record *rec = ctx;
  for (int node = rec->clients_first; node <= rec->clients_last; node++) {
    const q_state *s = sim_state(w, node);
    if (s->cli.ops_started < s->cfg.ops || !s->cli.done) return false;
  }
  return true;
}

/* The verdict of a run an invariant stopped: its report, and for protocol.c's complete-once (a
 * second q_complete for one operation) where such a call comes from. */
static bool violation_verdict(lab_run *run, const char *report) {
  if (strncmp(report, "complete-once ", 14) == 0)
    return lab_verdict(run, false,
                       "%s: a reply or ack that arrives after the operation completed "
                       "must not complete it again (check c->done first in client_on_write_ack, "
                       "client_on_read_reply, abd_on_write_ack)",
                       report);
  return lab_verdict(run, false, "%s", report);
}

/* Run until every client finished its workload (or the deadline); false on a broken rule. */
static bool run_workload(lab_run *run, sim_time deadline) {
  q_record *rec = run->lab_data;
  sim_run_until(run->world, clients_finished, rec, deadline);
  const char *report;
  if (sim_violated(run->world, &report)) return violation_verdict(run, report);
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Judging a history.
 */
typedef struct q_op {
  int client;
  bool write, ok;
  char key[24];
  int32_t value;
  sim_time call, ret;
} q_op;

static int32_t parse_value(const char *v) { return strcmp(v, "nil") == 0 ? 0 : atoi(v); }

/* Pair every invoke with its completion (a client runs one operation at a time). Returns a
 * malloc'ed array of *count operations. */
static q_op *ops_of(sim_world *w, size_t *count) {
  size_t n;
  const sim_op_record *h = sim_history(w, &n);
  q_op *ops = calloc(n + 1, sizeof *ops);
  if (!ops) abort();
  int open[SIM_MAX_NODES];
  for (int i = 0; i < SIM_MAX_NODES; i++) open[i] = -1;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const sim_op_record *e = &h[i];
    if (e->client < 0 || e->client >= SIM_MAX_NODES) continue;
    if (e->phase == SIM_OP_INVOKE) {
      q_op *o = &ops[k];
      open[e->client] = (int)k++;
      o->client = e->client;
      o->write = strcmp(e->op, "write") == 0;
      snprintf(o->key, sizeof o->key, "%s", e->key);
      o->value = o->write ? parse_value(e->value) : 0;
      o->call = e->time;
      o->ret = SIM_FOREVER;
    } else if (open[e->client] >= 0) {
      q_op *o = &ops[open[e->client]];
      open[e->client] = -1;
      o->ok = e->phase == SIM_OP_OK;
      o->ret = e->time;
      if (o->ok && !o->write) o->value = parse_value(e->value);
    }
  }
  *count = k;
  return ops;
}

/* The write of a value, or NULL for nil or a value no write of this history wrote. */
static const q_op *write_of(const q_op *ops, size_t n, const char *key, int32_t value) {
  for (size_t i = 0; value != Q_VALUE_NIL && i < n; i++)
    if (ops[i].write && ops[i].value == value && strcmp(ops[i].key, key) == 0) return &ops[i];
  return NULL;
}

/* The "every read sees the latest completed write" check. A read is stale when a write wr on
 * the same key completed before the read began and either
 *   (1) wr began after the write of the returned value had completed (or the read returned nil):
 *       the value was overwritten, in real time, before the read began; or
 *   (2) wr's tag is newer than the returned value's: a replica set that answered the read did
 *       not include any replica of wr's write quorum.
 * (1) is Lamport's regular register ("On Interprocess Communication", 1986) in real time; (2)
 * is the same in the order of tags, which is what quorum intersection promises. Returns the
 * number of stale reads and explains the first into rec->stale. */
static int check_regular(sim_world *w, q_record *rec, int *reads) {
  size_t n;
  q_op *ops = ops_of(w, &n);
  int stale = 0;
  *reads = 0;
  for (size_t i = 0; i < n; i++) {
    const q_op *r = &ops[i];
    if (r->write || !r->ok) continue;
    (*reads)++;
    q_tag got = rec->tag_of_value[r->value % Q_MAX_VALUES];
    const q_op *src = write_of(ops, n, r->key, r->value);
    for (size_t j = 0; j < n; j++) {
      const q_op *wr = &ops[j];
      if (!wr->write || !wr->ok || wr->ret >= r->call || strcmp(wr->key, r->key) != 0) continue;
      q_tag want = rec->tag_of_value[wr->value % Q_MAX_VALUES];
      bool overwritten = src == NULL || (src != wr && src->ret < wr->call);
      bool older = q_tag_cmp(got, want) < 0;
      if (!overwritten && !older) continue;
      if (stale++ == 0) {
        char t1[32], t2[32], t3[32], g[48], wa[48];
        snprintf(rec->stale, sizeof rec->stale,
                 "stale read: c%d's read of %s [%s .. %s] returned %d, tag %s; but c%d's write of "
                 "%d, tag %s, had completed at %s, before the read began%s",
                 r->client, r->key, sim_format_time(r->call, t1, sizeof t1),
                 sim_format_time(r->ret, t2, sizeof t2), (int)r->value, tag_text(got, g, sizeof g),
                 wr->client, (int)wr->value, tag_text(want, wa, sizeof wa),
                 sim_format_time(wr->ret, t3, sizeof t3),
                 older ? ""
                       : ", and it began after the value read had been written (a newer "
                         "write with an older tag: are clocks skewed?)");
      }
      break;
    }
  }
  free(ops);
  rec->stale_reads = stale;
  return stale;
}

/* Count the operations that completed ok, and all of them. */
static void count_ok(sim_world *w, int *ok, int *all) {
  size_t n;
  q_op *ops = ops_of(w, &n);
  *ok = 0;
  for (size_t i = 0; i < n; i++) *ok += ops[i].ok;
  *all = (int)n;
  free(ops);
}

/* Linearizability of the whole history (register model). Writes a summary or the checker's
 * explanation into out. */
static lin_verdict check_linearizable(sim_world *w, char *out, size_t cap) {
  size_t n;
  const sim_op_record *h = sim_history(w, &n);
  lin_result r;
  lin_verdict v = lincheck_check_records(h, n, &lin_model_register, &r);
  if (v == LIN_LINEARIZABLE)
    snprintf(out, cap, "%zu operations (%zu unknown), linearizable", r.ops, r.unknown_ops);
  else
    snprintf(out, cap, "%s", r.explanation ? r.explanation : lincheck_verdict_name(v));
  lincheck_result_free(&r);
  return v;
}

static const char *quorum_text(const q_config *c, char *buf, size_t cap) {
  snprintf(buf, cap, "N=%d R=%d W=%d (R+W%sN)", c->n, c->r, c->w, c->r + c->w > c->n ? ">" : "<=");
  return buf;
}

/* ---------------------------------------------------------------------------------------------
 * Part A scenarios.
 */

/* Run a quorum workload and judge it as a regular register. */
static bool judge_regular(lab_run *run, sim_time deadline) {
  if (!run_workload(run, deadline)) return false;
  q_record *rec = run->lab_data;
  int reads, ok, all;
  int stale = check_regular(run->world, rec, &reads);
  count_ok(run->world, &ok, &all);
  char q[64];
  quorum_text(&rec->cfg, q, sizeof q);
  if (stale)
    return lab_verdict(run, false, "%s: %d of %d reads were stale; the first: %s", q, stale, reads,
                       rec->stale);
  /* Liveness: a quorum of replicas is up at every moment of these scenarios, and lost messages
   * are resent, so every operation must complete (none recorded as info or fail). */
  if (ok != all)
    return lab_verdict(run, false,
                       "%s: only %d of %d operations completed although a quorum was always up "
                       "(does a write complete at the W-th ack and a read at the R-th reply?)",
                       q, ok, all);
  return lab_verdict(run, true,
                     "%s: all %d reads saw every write completed before they began; %d of %d "
                     "operations ok; %d read repairs sent",
                     q, reads, ok, all, rec->repairs);
}

static bool scenario_strict(lab_run *run) {
  setup su = setup_default(MODE_QUORUM, 3, 2, 2);
  su.net.loss = 0.05;
  su.net.duplicate = 0.1;
  lab_begin(run, build(run, &su));
  return judge_regular(run, 30 * SIM_SEC);
}

static bool scenario_writes(lab_run *run) {
  setup su = setup_default(MODE_QUORUM, 3, 2, 2);
  su.write_percent = 100;
  su.net.loss = 0.05;
  su.net.duplicate = 0.3;
  lab_begin(run, build(run, &su));
  return judge_regular(run, 30 * SIM_SEC);
}

static bool scenario_strict_faults(lab_run *run) {
  setup su = setup_default(MODE_QUORUM, 5, 3, 3);
  su.clients = 4;
  su.net.loss = 0.1;
  su.net.duplicate = 0.05;
  su.net.latency_max = 20 * SIM_MS;
  sim_world *w = build(run, &su);
  sim_crash_at(w, 200 * SIM_MS, 1);
  sim_crash_at(w, 500 * SIM_MS, 3);
  sim_restart_at(w, 900 * SIM_MS, 1);
  sim_restart_at(w, 1200 * SIM_MS, 3);
  sim_isolate_at(w, 1300 * SIM_MS, 4);
  sim_heal_at(w, 1800 * SIM_MS);
  lab_begin(run, w);
  return judge_regular(run, 30 * SIM_SEC);
}

static bool scenario_weak(lab_run *run) {
  setup su = setup_default(MODE_QUORUM, 3, 1, 1);
  lab_begin(run, build(run, &su));
  bool held = judge_regular(run, 30 * SIM_SEC);
  q_record *rec = run->lab_data;
  if (!held && rec->stale_reads) {
    char q[64];
    quorum_text(&rec->cfg, q, sizeof q);
    return lab_verdict(run, false,
                       "%s: a read quorum need not meet a write quorum, and here one did not: %s "
                       "(%d stale reads in all)",
                       q, rec->stale, rec->stale_reads);
  }
  return held;
}

static bool scenario_read_repair(lab_run *run) {
  setup su = setup_default(MODE_QUORUM, 3, 2, 2);
  su.clients = 1;
  su.ops = 3;
  su.write_percent = 0;
  su.first_op_write = true;
  su.think_min = 80 * SIM_MS;
  su.think_max = 80 * SIM_MS;
  su.start = 0;
  sim_world *w = build(run, &su);
  int client = su.replicas;
  lab_begin(run, w);
  /* The client's messages to n2 are lost until t=150ms: n2 misses the write (80ms .. ~100ms). */
  sim_block(w, client, 2, true);
  sim_run_until_time(w, 150 * SIM_MS);
  sim_block(w, client, 2, false);
  const q_state *n2 = sim_state(w, 2);
  q_tag before = n2->rep.store[0].tag;
  q_record *rec = run->lab_data;
  /* Then two reads, 80 ms apart, with R=2 of 3. */
  if (!run_workload(run, 5 * SIM_SEC)) return false;
  sim_run_for(w, 500 * SIM_MS); /* late replies and their repairs */
  const char *report;
  if (sim_violated(w, &report)) return violation_verdict(run, report);
  const q_state *c = sim_state(w, client);
  q_tag written = rec->tag_of_value[client * 1000 + 1];
  n2 = sim_state(w, 2);
  char a[48], b[48];
  if (c->cli.ops_ok < 3)
    return lab_verdict(run, false, "c%d completed %d of its 3 operations on a healthy network",
                       client, c->cli.ops_ok);
  if (!zero_tag(before))
    return lab_verdict(run, false, "n2 held tag %s before the reads, but it never got the write",
                       tag_text(before, a, sizeof a));
  if (q_tag_cmp(n2->rep.store[0].tag, written) != 0)
    return lab_verdict(run, false,
                       "n2 missed the write of %d (tag %s) and still holds tag %s after two reads: "
                       "no read repair (send Repair to every replica that answered with an older "
                       "tag, also when its reply arrives after the read returned)",
                       client * 1000 + 1, tag_text(written, a, sizeof a),
                       tag_text(n2->rep.store[0].tag, b, sizeof b));
  return lab_verdict(run, true,
                     "n2 missed the write of %d (tag %s); read repair brought it up to "
                     "date (%d Repair messages)",
                     client * 1000 + 1, tag_text(written, a, sizeof a), rec->repairs);
}

/* One writer (n3) whose messages to n1 and n2 are slow, and two readers that read all the time. */
static sim_world *build_slow_write(lab_run *run, q_mode mode) {
  setup su = setup_default(mode, 3, 2, 2);
  su.clients = 3;
  su.ops = 30;
  su.write_percent = 0;
  su.think_max = 10 * SIM_MS;
  su.slow_writer = true;
  sim_world *w = build(run, &su);
  sim_net_config slow = su.net;
  slow.latency_min = 100 * SIM_MS;
  slow.latency_max = 300 * SIM_MS;
  sim_set_link(w, 3, 1, &slow);
  sim_set_link(w, 3, 2, &slow);
  return w;
}

static bool scenario_slow_write_common(lab_run *run, q_mode mode) {
  sim_world *w = build_slow_write(run, mode);
  lab_begin(run, w);
  if (!run_workload(run, 60 * SIM_SEC)) return false;
  char why[1800];
  lin_verdict v = check_linearizable(w, why, sizeof why);
  const char *name = mode == MODE_ABD ? "ABD" : "quorum (no write-back)";
  if (v != LIN_LINEARIZABLE)
    return lab_verdict(run, false, "%s register, slow writer: %s", name, why);
  int ok, all;
  count_ok(w, &ok, &all);
  if (ok != all)
    return lab_verdict(run, false,
                       "%s register, slow writer: only %d of %d operations completed, "
                       "though every replica was up and slow links still deliver",
                       name, ok, all);
  return lab_verdict(run, true, "%s register, slow writer: %s", name, why);
}

static bool scenario_slow_write(lab_run *run) {
  return scenario_slow_write_common(run, MODE_QUORUM);
}

/* ---------------------------------------------------------------------------------------------
 * Part B.
 */
static bool scenario_sloppy(lab_run *run) {
  setup su = setup_default(MODE_SLOPPY, 5, 2, 2);
  su.n = 3;
  su.keys = 2;
  su.clients = 2;
  su.ops = 30;
  su.write_percent = 75;
  su.think_min = 20 * SIM_MS;
  su.think_max = 60 * SIM_MS;
  su.give_up = 200 * SIM_MS; /* reads of a cut-off key's homes fail: give up soon */
  sim_world *w = build(run, &su);
  /* n1 and n2 (homes of both keys) are cut off from everyone else from 100ms to 1s. */
  lab_begin(run, w);
  sim_run_until_time(w, 100 * SIM_MS);
  int group[SIM_MAX_NODES] = {0};
  group[1] = group[2] = 1;
  sim_partition(w, group);
  q_record *rec = run->lab_data;
  sim_run_until_time(w, 1 * SIM_SEC);
  const char *report;
  if (sim_violated(w, &report)) return violation_verdict(run, report);
  int hinted_during = rec->hinted_acked;
  sim_heal(w);
  if (!run_workload(run, 10 * SIM_SEC)) return false;
  /* Quiet time for the last handoffs. */
  sim_run_for(w, 2 * SIM_SEC);
  if (sim_violated(w, &report)) return violation_verdict(run, report);
  /* Writes that began and completed while n1 and n2 were cut off. */
  size_t n;
  q_op *ops = ops_of(w, &n);
  int during = 0;
  for (size_t i = 0; i < n; i++)
    during += ops[i].write && ops[i].ok && ops[i].call >= 100 * SIM_MS && ops[i].ret <= SIM_SEC;
  rec->partition_writes = during;
  free(ops);
  char a[48], b[48];
  if (hinted_during == 0)
    return lab_verdict(run, false,
                       "from 100ms to 1s n1 and n2 were cut off, yet no fallback "
                       "acknowledged a hinted write: writes needed W=2 acks and only one home was "
                       "reachable (send to fallbacks with hint = the silent home: "
                       "client_on_sloppy_timer; a fallback holds and acknowledges it: "
                       "replica_on_write)");
  if (during == 0)
    return lab_verdict(run, false,
                       "no write both began and completed during the partition "
                       "(100ms .. 1s), though fallbacks were reachable: count a fallback's ack of "
                       "a hinted write toward W (client_on_write_ack)");
  /* Every Handoff was stored by its home when it arrived (see handoff_stored). */
  const q_run *x = run_record(run);
  if (x->lost_handoff[0]) return lab_verdict(run, false, "hinted write lost: %s", x->lost_handoff);
  /* Every hinted write reached its home: handed over, not just overwritten by later writes. */
  for (int i = 0; i < rec->hinted_count; i++) {
    if (!rec->hinted[i].handed)
      return lab_verdict(run, false,
                         "a hinted write of k%d, tag %s, for home n%d was never handed "
                         "to it (no Handoff with that tag arrived at n%d by 2s after healing): "
                         "send every hint held at each tick (replica_on_handoff_timer) and keep "
                         "it until its home acknowledges it (replica_on_handoff_ack)",
                         rec->hinted[i].key, tag_text(rec->hinted[i].tag, a, sizeof a),
                         rec->hinted[i].home, rec->hinted[i].home);
    const q_state *home = sim_state(w, rec->hinted[i].home);
    q_tag have = home->rep.store[rec->hinted[i].key].tag;
    if (q_tag_cmp(have, rec->hinted[i].tag) < 0)
      return lab_verdict(run, false,
                         "a hinted write of k%d, tag %s, for home n%d never reached "
                         "it: n%d still holds tag %s 2s after healing (replica_on_handoff: store "
                         "a handed-off value that is newer)",
                         rec->hinted[i].key, tag_text(rec->hinted[i].tag, a, sizeof a),
                         rec->hinted[i].home, rec->hinted[i].home, tag_text(have, b, sizeof b));
  }
  for (int node = 0; node < su.replicas; node++) {
    const q_state *s = sim_state(w, node);
    for (int i = 0; i < Q_MAX_HINTS; i++)
      if (s->rep.hints[i].used)
        return lab_verdict(run, false,
                           "n%d still holds a hint for n%d (k%d) 2s after healing: "
                           "drop a hint when its home acknowledges the handoff "
                           "(replica_on_handoff_ack; the home answers in replica_on_handoff)",
                           node, (int)s->rep.hints[i].home, (int)s->rep.hints[i].key);
  }
  /* No write lost: the newest acknowledged write of each key is on enough homes that any R of
   * them include it. */
  ops = ops_of(w, &n);
  for (int k = 0; k < su.keys; k++) {
    char key[24];
    snprintf(key, sizeof key, "k%d", k);
    q_tag newest = {0};
    int value = 0;
    for (size_t i = 0; i < n; i++)
      if (ops[i].write && ops[i].ok && strcmp(ops[i].key, key) == 0) {
        q_tag t = rec->tag_of_value[ops[i].value % Q_MAX_VALUES];
        if (q_tag_cmp(t, newest) > 0) newest = t, value = ops[i].value;
      }
    int holding = 0;
    for (int i = 0; i < su.n; i++) {
      const q_state *home = sim_state(w, q_pref(&rec->cfg, k, i));
      holding += q_tag_cmp(home->rep.store[k].tag, newest) >= 0;
    }
    if (holding < su.n - su.r + 1) {
      free(ops);
      return lab_verdict(run, false,
                         "write lost: the newest acknowledged write of %s (%d, tag %s) "
                         "is on only %d of its %d homes after healing, so a read of R=%d can miss "
                         "it",
                         key, value, tag_text(newest, a, sizeof a), holding, su.n, su.r);
    }
  }
  free(ops);
  return lab_verdict(run, true,
                     "%d writes completed during the partition, with %d hinted writes "
                     "acknowledged; all %d hinted writes were handed to their homes and stored "
                     "there after healing; no acknowledged write lost",
                     during, hinted_during, rec->hinted_count);
}

/* ---------------------------------------------------------------------------------------------
 * Part C.
 */
static bool scenario_abd_slow_write(lab_run *run) {
  return scenario_slow_write_common(run, MODE_ABD);
}

static bool scenario_abd_faults(lab_run *run) {
  setup su = setup_default(MODE_ABD, 5, 3, 3);
  su.clients = 3;
  su.ops = 30;
  su.net.loss = 0.1;
  su.net.duplicate = 0.05;
  su.net.latency_max = 20 * SIM_MS;
  su.give_up = 5 * SIM_SEC;
  sim_world *w = build(run, &su);
  /* Clocks disagree wildly: ABD does not read them. */
  sim_set_clock(w, 5, 500000, 0);
  sim_set_clock(w, 6, -300000, 0);
  /* A minority (2 of 5) crashes for good; which ones, and when, comes from the seed. */
  rng *r = sim_nemesis_rng(w);
  int first = (int)rng_below(r, 5), second = (first + 1 + (int)rng_below(r, 4)) % 5;
  sim_crash_at(w, (50 + rng_below(r, 400)) * SIM_MS, first);
  sim_crash_at(w, (50 + rng_below(r, 800)) * SIM_MS, second);
  lab_begin(run, w);
  if (!run_workload(run, 60 * SIM_SEC)) return false;
  int ok, all;
  count_ok(w, &ok, &all);
  char why[1800];
  lin_verdict v = check_linearizable(w, why, sizeof why);
  if (v != LIN_LINEARIZABLE)
    return lab_verdict(run, false, "ABD with n%d and n%d crashed, 10%% loss: %s", first, second,
                       why);
  if (ok != all)
    return lab_verdict(run, false,
                       "ABD with n%d and n%d crashed: only %d of %d operations "
                       "completed, though a majority (3 of 5) stayed up (retries resend the "
                       "current phase; does each phase wait for a majority, not for all?)",
                       first, second, ok, all);
  return lab_verdict(run, true,
                     "ABD with n%d and n%d crashed, 10%% loss, 5%% duplicates, skewed "
                     "clocks: %s; all %d operations completed",
                     first, second, why, all);
}

static const lab_scenario scenarios[] = {
    {"strict", "Part A: N=3 R=2 W=2, 3 clients, loss and duplicates: reads see completed writes",
     scenario_strict, LAB_FIXED_NODES},
    {"writes", "Part A: writes only, N=3 W=2, a third of the messages duplicated", scenario_writes,
     LAB_FIXED_NODES},
    {"strict-faults", "Part A: N=5 R=3 W=3, crashes, restarts, an isolated replica, 10% loss",
     scenario_strict_faults, LAB_FIXED_NODES},
    {"weak", "Part A: N=3 R=1 W=1: some seeds show a stale read (the run fails)", scenario_weak,
     LAB_FIXED_NODES},
    {"read-repair", "Part A: n2 misses a write; the reads that follow repair it",
     scenario_read_repair, LAB_FIXED_NODES},
    {"slow-write", "Part A: a slow writer and two readers; the history may not be linearizable",
     scenario_slow_write, LAB_FIXED_NODES},
    {"sloppy", "Part B: S=5 N=3 W=2, homes n1,n2 cut off 100ms..1s: hinted handoff",
     scenario_sloppy, LAB_FIXED_NODES},
    {"abd-slow-write", "Part C: the slow-write workload on ABD: linearizable",
     scenario_abd_slow_write, LAB_FIXED_NODES},
    {"abd-faults", "Part C: ABD on N=5, two replicas crash, 10% loss, skewed clocks",
     scenario_abd_faults, LAB_FIXED_NODES},
};

const lab_info lab08 = {
    .id = "08-quorums",
    .title = "R + W > N",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
