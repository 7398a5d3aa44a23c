/*
 * labs/14-leases-and-fencing/protocol.c: the fixed part of lab 14: the message and timer tables,
 * the lock service, the workers' loops, storage and the client, and the points where your
 * functions are called.
 *
 * Where your code runs:
 *   - a worker that receives a Grant calls lease_on_grant; every worker decision (renew or ask,
 *     start a write, the role shown in the viewer) asks lease_valid with the worker's own clock;
 *   - storage calls fence_admit on every Write (except in the demonstration without fencing);
 *   - a worker that receives a Read calls leader_serve_read and answers with what it says.
 *
 * A worker checks its lease when a write starts (TIMER_WORK) and sends the Write `prep` later
 * (TIMER_COMMIT) without checking again: in a real program nothing makes a check and the act that
 * follows it atomic, since a pause can come between any two instructions. The commit timer is
 * that gap made visible, and the scenario gc-pause puts a pause in it.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

const char *version_text(const version *v, char *buf, size_t cap) {
  if (v->writer == 0)
    snprintf(buf, cap, "(empty)");
  else
    snprintf(buf, cap, "w%d#%u (token %llu)", v->writer, v->seq, (unsigned long long)v->token);
  return buf;
}

/* ---- message formatting ------------------------------------------------------------------- */

static void format_acquire(const void *body, char *out, size_t cap) {
  const acquire_body *a = body;
  char t[32];
  snprintf(out, cap, "asked at clock %s", sim_format_time(a->req_clock, t, sizeof t));
}

static void format_grant(const void *body, char *out, size_t cap) {
  const grant_body *g = body;
  char t[32], d[32];
  snprintf(out, cap, "token=%llu for %s from clock %s", (unsigned long long)g->token,
           sim_format_time(g->duration, d, sizeof d), sim_format_time(g->req_clock, t, sizeof t));
}

static void format_deny(const void *body, char *out, size_t cap) {
  const deny_body *d = body;
  if (d->holder > 0)
    snprintf(out, cap, "held by w%d (token %llu)", d->holder, (unsigned long long)d->token);
  else
    snprintf(out, cap, "lock restarting: no grants yet");
}

static void format_write(const void *body, char *out, size_t cap) {
  const write_body *w = body;
  version_text(&w->v, out, cap);
}

static void format_write_ack(const void *body, char *out, size_t cap) {
  const write_ack_body *a = body;
  char v[64];
  version_text(&a->v, v, sizeof v);
  if (a->ok)
    snprintf(out, cap, "accepted %s", v);
  else
    snprintf(out, cap, "FENCED %s: token %llu < %llu", v, (unsigned long long)a->v.token,
             (unsigned long long)a->highest);
}

static void format_read(const void *body, char *out, size_t cap) {
  const read_body *r = body;
  snprintf(out, cap, "rid=%u", r->rid);
}

static void format_read_reply(const void *body, char *out, size_t cap) {
  const read_reply_body *r = body;
  char v[64];
  if (r->ok)
    snprintf(out, cap, "rid=%u %s", r->rid, version_text(&r->v, v, sizeof v));
  else
    snprintf(out, cap, "rid=%u refused", r->rid);
}

static const sim_msg_type lease_types[MSG_TYPE_COUNT] = {
    [MSG_ACQUIRE] = {"Acquire", sizeof(acquire_body), format_acquire},
    [MSG_GRANT] = {"Grant", sizeof(grant_body), format_grant},
    [MSG_DENY] = {"Deny", sizeof(deny_body), format_deny},
    [MSG_WRITE] = {"Write", sizeof(write_body), format_write},
    [MSG_WRITE_ACK] = {"WriteAck", sizeof(write_ack_body), format_write_ack},
    [MSG_READ] = {"Read", sizeof(read_body), format_read},
    [MSG_READ_REPLY] = {"ReadReply", sizeof(read_reply_body), format_read_reply},
};

static const char *const lease_timers[TIMER_KIND_COUNT] = {
    [TIMER_ACQUIRE] = "acquire",
    [TIMER_WORK] = "work",
    [TIMER_COMMIT] = "commit",
    [TIMER_READ] = "read",
};

/* ---- the lock service (n0) ----------------------------------------------------------------- */

/* Stable storage layout: the lock keeps its token counter at offset 0; storage keeps its fence
 * and its latest version there. */
typedef struct store_disk {
  fence fence;
  version latest;
} store_disk;

static void lock_annotate(sim_node *n, const lease_state *s) {
  if (s->holder > 0)
    sim_annotate(n, "holder", "w%d (token %llu)", s->holder, (unsigned long long)s->token_counter);
  else
    sim_annotate(n, "holder", "-");
}

static void lock_boot(sim_node *n, lease_state *s) {
  sim_stable_read(n, 0, &s->token_counter, sizeof s->token_counter);
  /* A lock that granted leases before a crash no longer knows who holds one, or until when:
   * it waits one whole term (on its own clock, which is why the term is the lock's) before
   * granting anything, so every lease it gave out has run out. */
  if (s->token_counter > 0) {
    s->quiet_until = sim_clock(n) + s->config.lease;
    sim_note(n, "restarted after token %llu: no grants for one lease term",
             (unsigned long long)s->token_counter);
  }
  lock_annotate(n, s);
}

static void lock_on_acquire(sim_node *n, lease_state *s, int from, const acquire_body *a) {
  sim_time now = sim_clock(n);
  if (now < s->quiet_until || (s->holder > 0 && s->holder != from && now < s->holder_until)) {
    deny_body d = {.holder = now < s->quiet_until ? 0 : s->holder,
                   .token = s->token_counter,
                   .req_clock = a->req_clock};
    sim_send(n, from, MSG_DENY, &d);
    return;
  }
  if (s->holder != from || now >= s->holder_until) {
    /* A new holder, or the old one whose term ran out: a new token, on disk before it is used. */
    s->token_counter++;
    sim_stable_write(n, 0, &s->token_counter, sizeof s->token_counter);
    s->holder = from;
    sim_note(n, "lease to w%d with token %llu", from, (unsigned long long)s->token_counter);
  }
  /* The term runs from now on the lock's clock: the holder's clock started counting earlier,
   * when it sent the request, so the holder's count always ends first (with the drift margin). */
  s->holder_until = now + s->config.lease;
  grant_body g = {
      .token = s->token_counter, .req_clock = a->req_clock, .duration = s->config.lease};
  sim_send(n, from, MSG_GRANT, &g);
  lock_annotate(n, s);
}

/* ---- workers (n1 .. nW) -------------------------------------------------------------------- */

static void worker_annotate(sim_node *n, const lease_state *s) {
  bool leading = lease_valid(&s->lease, sim_clock(n));
  sim_annotate(n, "role", "%s", leading ? "leader" : "follower");
  sim_annotate(n, "token", "%llu", (unsigned long long)s->lease.token);
}

static void worker_boot(sim_node *n, lease_state *s) {
  sim_time first = s->config.start_delay + sim_random_below(n, s->config.poll);
  sim_timer_set(n, TIMER_ACQUIRE, first, 0);
  sim_timer_set(n, TIMER_WORK, 1 + sim_random_below(n, s->config.work_every), 0);
  worker_annotate(n, s);
}

/* Ask for the lease (or renew it), then again after renew_every while holding it, or after
 * poll (with a little jitter, so that workers do not ask in lockstep) while not. */
static void worker_on_acquire_timer(sim_node *n, lease_state *s) {
  sim_time now = sim_clock(n);
  acquire_body a = {.req_clock = now};
  sim_send(n, LEASE_LOCK, MSG_ACQUIRE, &a);
  sim_time next = lease_valid(&s->lease, now)
                      ? s->config.renew_every
                      : s->config.poll + sim_random_below(n, s->config.poll / 4 + 1);
  sim_timer_set(n, TIMER_ACQUIRE, next, 0);
}

static void worker_on_grant(sim_node *n, lease_state *s, const grant_body *g) {
  uint64_t before = s->lease.token;
  lease_on_grant(&s->lease, g, sim_clock(n), s->config.max_drift_ppm);
  if (s->lease.token != before) {
    char t[32];
    sim_note(n, "leader with token %llu until my clock reads %s",
             (unsigned long long)s->lease.token, sim_format_time(s->lease.expires, t, sizeof t));
  }
}

/* Start a write if leading: the check. The Write goes out `prep` later (worker_on_commit). */
static void worker_on_work(sim_node *n, lease_state *s) {
  sim_timer_set(n, TIMER_WORK, s->config.work_every, 0);
  if (s->writing || !lease_valid(&s->lease, sim_clock(n))) return;
  s->writing = true;
  s->pending = (version){.token = s->lease.token, .seq = ++s->seq, .writer = sim_self(n)};
  sim_timer_set(n, TIMER_COMMIT, s->config.prep, 0);
}

/* The act: the Write goes out with the token checked at the start, whatever happened since. */
static void worker_on_commit(sim_node *n, lease_state *s) {
  if (!s->writing) return;
  write_body wb = {.v = s->pending};
  sim_send(n, s->config.store, MSG_WRITE, &wb);
  s->writing = false;
}

static bool version_newer(const version *a, const version *b) {
  return a->token != b->token ? a->token > b->token : a->seq > b->seq;
}

static void worker_on_write_ack(sim_node *n, lease_state *s, const write_ack_body *a) {
  if (a->ok) {
    if (version_newer(&a->v, &s->cache)) s->cache = a->v;
    return;
  }
  s->writes_fenced++;
  sim_note(n, "my write w%d#%u was fenced off: token %llu, storage has seen %llu", a->v.writer,
           a->v.seq, (unsigned long long)a->v.token, (unsigned long long)a->highest);
}

static void worker_on_read(sim_node *n, lease_state *s, int from, const read_body *r) {
  read_reply_body reply = {.rid = r->rid};
  reply.ok = leader_serve_read(s, sim_clock(n), &reply.v);
  if (!reply.ok) reply.v = (version){0};
  if (reply.ok)
    s->reads_served++;
  else
    s->reads_refused++;
  sim_send(n, from, MSG_READ_REPLY, &reply);
}

/* ---- storage --------------------------------------------------------------------------------- */

static void store_annotate(sim_node *n, const lease_state *s) {
  char v[64];
  sim_annotate(n, "value", "%s", version_text(&s->latest, v, sizeof v));
  sim_annotate(n, "highest", "%llu", (unsigned long long)s->fence.highest);
}

static void store_boot(sim_node *n, lease_state *s) {
  store_disk d;
  sim_stable_read(n, 0, &d, sizeof d);
  s->fence = d.fence;
  s->latest = d.latest;
  store_annotate(n, s);
}

static void store_on_write(sim_node *n, lease_state *s, int from, const write_body *w) {
  write_ack_body ack = {.v = w->v, .highest = s->fence.highest};
  if (s->config.fencing) {
    ack.ok = fence_admit(&s->fence, w->v.token);
  } else {
    /* The demonstration: no check at all; the highest token is only kept for the display. */
    ack.ok = true;
    if (w->v.token > s->fence.highest) s->fence.highest = w->v.token;
  }
  if (ack.ok) {
    s->latest = w->v;
    s->accepted++;
  } else {
    s->rejected++;
  }
  store_disk d = {.fence = s->fence, .latest = s->latest};
  sim_stable_write(n, 0, &d, sizeof d);
  sim_send(n, from, MSG_WRITE_ACK, &ack);
  store_annotate(n, s);
}

/* ---- the client ------------------------------------------------------------------------------ */

static void client_on_read_timer(sim_node *n, lease_state *s) {
  read_body r = {.rid = ++s->rid};
  for (int w = 1; w <= s->config.workers; w++) sim_send(n, w, MSG_READ, &r);
  sim_timer_set(n, TIMER_READ, s->config.read_every, 0);
}

static void client_on_reply(sim_node *n, lease_state *s, const read_reply_body *r) {
  if (!r->ok) return;
  s->answers_ok++;
  s->last_ok = sim_true_time(n);
  sim_annotate(n, "answers", "%u", s->answers_ok);
}

/* ---- dispatch -------------------------------------------------------------------------------- */

static void lease_boot(sim_node *n, void *state) {
  lease_state *s = state;
  size_t size = 0;
  const lease_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  switch (s->config.role) {
    case ROLE_LOCK:
      lock_boot(n, s);
      break;
    case ROLE_WORKER:
      worker_boot(n, s);
      break;
    case ROLE_STORE:
      store_boot(n, s);
      break;
    case ROLE_CLIENT:
      sim_timer_set(n, TIMER_READ, s->config.read_every, 0);
      break;
  }
}

static void lease_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  lease_state *s = state;
  switch (s->config.role) {
    case ROLE_LOCK:
      if (type == MSG_ACQUIRE) lock_on_acquire(n, s, from, body);
      break;
    case ROLE_WORKER:
      if (type == MSG_GRANT) worker_on_grant(n, s, body);
      if (type == MSG_WRITE_ACK) worker_on_write_ack(n, s, body);
      if (type == MSG_READ) worker_on_read(n, s, from, body);
      worker_annotate(n, s);
      break;
    case ROLE_STORE:
      if (type == MSG_WRITE) store_on_write(n, s, from, body);
      break;
    case ROLE_CLIENT:
      if (type == MSG_READ_REPLY) client_on_reply(n, s, body);
      break;
  }
}

static void lease_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  (void)arg;
  lease_state *s = state;
  if (s->config.role == ROLE_CLIENT && kind == TIMER_READ) client_on_read_timer(n, s);
  if (s->config.role != ROLE_WORKER) return;
  if (kind == TIMER_ACQUIRE) worker_on_acquire_timer(n, s);
  if (kind == TIMER_WORK) worker_on_work(n, s);
  if (kind == TIMER_COMMIT) worker_on_commit(n, s);
  worker_annotate(n, s);
}

const sim_protocol lease_protocol = {
    .name = "leases",
    .state_size = sizeof(lease_state),
    .stable_size = sizeof(store_disk),
    .msg_types = lease_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = lease_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = lease_boot,
    .on_message = lease_on_message,
    .on_timer = lease_on_timer,
};
