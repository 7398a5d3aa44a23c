/*
 * labs/06-idempotency/scenarios.c: lab 06's scenarios, shared by the driver and the tests.
 *
 * Every scenario is one server (n0) and some clients (c1 ..) that each make a fixed number of
 * increment requests, under loss, duplication, reordering and, in some, server crashes. Three
 * kinds of check judge a run:
 *
 *   1. While it runs, after every event (an observer and invariants):
 *        applied-once        no request (client, seq) is applied twice, nor after it was refused
 *                            as expired: the lab's safety property;
 *        persist-before-reply when the server sends a reply, its stable storage already holds
 *                            its counter and table (a crash right after the send loses nothing);
 *        counter-durable     the counter equals the number of applications, also after a restart;
 *        reply-truthful      an OK reply carries the value its request's one application produced,
 *                            and only a client without an entry whose seen is below the horizon
 *                            is refused as expired;
 *        table-bounded       at most one entry per client, only in the first `capacity` slots; an
 *                            entry leaves only to make room, and the one that leaves is the least
 *                            recently applied; the horizon never goes down;
 *        request-ids         a client's seqs go 1, 2, 3, ...; a retry repeats its request exactly;
 *                            a new request goes out only after the previous one finished;
 *        own-reply           the value a client accepts for a request is the one that request's
 *                            application produced.
 *   2. Liveness: every client finishes every request by a virtual-time deadline.
 *   3. At the end, against the clients' history (invoke / ok / info): the k-th answer of client c
 *      is the stamp of request (c, k); the counter equals the OK requests plus the expired ones
 *      that had been applied; with no eviction nothing expires, so the counter equals the number
 *      of requests acknowledged.
 *
 * Crashes "between apply and reply". A handler runs to completion, so nothing can fall between
 * counter_apply and reply_send; what a client sees of such a crash is a reply that never comes
 * and a server that restarts. The crashy scenarios make exactly that happen: at the moment the
 * network loses one of the server's replies, they crash the server (with some chance) and restart
 * it a little later, so the client's retry meets a server that knows only what it had persisted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

typedef struct setup {
  int clients;
  uint32_t requests;
  sim_time timeout, think_max, start_gap; /* client i's first request: after (i-1) * start_gap */
  uint32_t slots;
  bool volatile_table;
  sim_net_config net;
  double crash_chance; /* crash the server when one of its replies is lost (0: never) */
  sim_time down_min, down_max;
  uint32_t crash_budget;
  sim_time deadline;
} setup;

static const char *when(sim_time t, char *buf, size_t cap) { return sim_format_time(t, buf, cap); }

static bool is_client(const lab06_record *rec, int node) {
  return node >= 1 && node <= rec->clients;
}

/* ---------------------------------------------------------------------------------------------
 * Crash placement.
 */

static void restart_server(sim_world *w, void *ctx, uint64_t arg) {
  (void)arg;
  lab06_record *rec = ctx;
  rec->crash_pending = false;
  sim_restart(w, IDEM_SERVER);
}

static void crash_server(sim_world *w, void *ctx, uint64_t arg) {
  (void)arg;
  lab06_record *rec = ctx;
  if (!sim_alive(w, IDEM_SERVER)) {
    rec->crash_pending = false;
    return;
  }
  sim_crash(w, IDEM_SERVER);
  rec->placed_crashes++;
  rng *r = sim_nemesis_rng(w);
  sim_time down = rec->down_min + rng_below(r, rec->down_max - rec->down_min + 1);
  sim_at(w, sim_now(w) + down, restart_server, rec, 0);
}

/* ---------------------------------------------------------------------------------------------
 * Watching every event.
 */

/* At a Reply send: the server's stable storage must already hold what its memory holds. */
static void check_persisted(sim_world *w, lab06_record *rec, const reply_body *b, int to) {
  const idem_state *s = sim_state(w, IDEM_SERVER);
  const server_data *disk = sim_stable(w, IDEM_SERVER);
  char t[32], why[400] = "";
  if (disk->counter != s->srv.counter) {
    snprintf(why, sizeof why, "its counter is %" PRIu64 " in memory and %" PRIu64 " on disk",
             s->srv.counter, disk->counter);
  } else if (disk->table.horizon != s->srv.table.horizon) {
    snprintf(why, sizeof why, "its horizon is %" PRIu64 " in memory and %" PRIu64 " on disk",
             s->srv.table.horizon, disk->table.horizon);
  } else {
    uint32_t cap = s->srv.table.capacity <= IDEM_MAX_SLOTS ? s->srv.table.capacity : 0;
    for (uint32_t i = 0; i < cap && !why[0]; i++) {
      const dedup_entry *e = &s->srv.table.slots[i];
      if (!e->used) continue;
      bool found = false;
      for (uint32_t j = 0; j < IDEM_MAX_SLOTS && !found; j++) {
        const dedup_entry *d = &disk->table.slots[j];
        found = d->used && d->client == e->client && d->seq == e->seq && d->reply == e->reply;
      }
      if (!found)
        snprintf(why, sizeof why,
                 "its table in memory says c%d's latest request is seq %u (reply %" PRIu64
                 ") and the table on disk does not",
                 (int)e->client, e->seq, e->reply);
    }
  }
  (void)rec;
  if (why[0])
    sim_fail(w, "persist-before-reply",
             "n0 sent Reply(seq=%u, value=%" PRIu64
             ") to c%d at t=%s, but %s: a crash right "
             "after this send would forget what the reply promises; write the counter and the "
             "table to stable storage before replying (server_persist in server_on_request)",
             b->seq, b->value, to, when(sim_now(w), t, sizeof t), why);
}

/* A Reply the server sends: persisted first, and truthful. */
static void watch_reply(sim_world *w, lab06_record *rec, const sim_event *ev) {
  const reply_body *b = ev->body;
  int c = ev->peer;
  char t[32];
  check_persisted(w, rec, b, c);
  if (sim_violated(w, NULL)) return;
  if (!is_client(rec, c) || b->seq < 1 || b->seq > rec->requests) return;
  const lab06_request *q = &rec->req[c][b->seq];
  if (b->status == REPLY_OK) {
    if (!(rec->apply_now && rec->apply_client == c && rec->apply_seq == b->seq))
      rec->cached_replies++;
    if (q->applied == 0)
      sim_fail(w, "reply-truthful",
               "n0 answered c%d's request %u OK with value %" PRIu64
               " at t=%s, but never applied "
               "it: reply OK only to a request you applied, now or before (server_on_request)",
               c, b->seq, b->value, when(sim_now(w), t, sizeof t));
    else if (b->value != q->stamp)
      sim_fail(w, "reply-truthful",
               "n0 answered c%d's request %u with value %" PRIu64
               " at t=%s, but its application "
               "produced %" PRIu64
               ": a retry must get the cached reply of its own request "
               "(dedup_check, dedup_record)",
               c, b->seq, b->value, when(sim_now(w), t, sizeof t), q->stamp);
    return;
  }
  if (b->status != REPLY_EXPIRED) {
    sim_fail(w, "reply-truthful",
             "n0 sent c%d a Reply with status %d: use REPLY_OK or REPLY_EXPIRED", c,
             (int)b->status);
    return;
  }
  rec->expired_replies++;
  lab06_request *refused = &rec->req[c][b->seq];
  if (!refused->refused) {
    refused->refused = true;
    refused->refused_at = sim_now(w);
  }
  const idem_state *s = sim_state(w, IDEM_SERVER);
  const request_body *r = &rec->last_request;
  bool has_entry = false;
  for (uint32_t i = 0; i < s->srv.table.capacity && i < IDEM_MAX_SLOTS; i++)
    has_entry = has_entry || (s->srv.table.slots[i].used && s->srv.table.slots[i].client == c);
  if (r->client != c || r->seq != b->seq)
    sim_fail(w, "reply-truthful",
             "n0 refused c%d's request %u as expired at t=%s while serving c%d.%u: answer the "
             "request that arrived",
             c, b->seq, when(sim_now(w), t, sizeof t), (int)r->client, r->seq);
  else if (has_entry || r->seen >= s->srv.table.horizon || b->value != s->srv.table.horizon)
    sim_fail(w, "reply-truthful",
             "n0 refused c%d's request %u (seen=%" PRIu64 ") as expired at t=%s with value %" PRIu64
             ", but %s (horizon %" PRIu64
             "): refuse only a client with no entry whose seen is "
             "below the horizon, and send the horizon (dedup_check)",
             c, b->seq, r->seen, when(sim_now(w), t, sizeof t), b->value,
             has_entry                         ? "the client has an entry in the table"
             : r->seen >= s->srv.table.horizon ? "its seen is not below the horizon"
                                               : "the value is not the horizon",
             s->srv.table.horizon);
}

/* A Request a client sends: ids go up by one, a retry repeats the request, one at a time. */
static void watch_request(sim_world *w, lab06_record *rec, const sim_event *ev) {
  const request_body *b = ev->body;
  int c = ev->node;
  const idem_state *s = sim_state(w, c);
  char t[32];
  const char *restarted = rec->client_restarted[c]
                              ? " (this client restarted: clients keep their seq in memory only, "
                                "so a client crash breaks them; see the chapter's questions)"
                              : "";
  when(sim_now(w), t, sizeof t);
  if (b->seq < 1 || b->seq > rec->requests) {
    sim_fail(w, "request-ids", "c%d sent request seq=%u at t=%s; its seqs run from 1 to %u%s", c,
             b->seq, t, rec->requests, restarted);
    return;
  }
  rec->req[c][b->seq].sends++;
  if (b->seq == rec->cur_seq[c]) {
    if (b->seen != rec->cur_seen[c])
      sim_fail(w, "request-ids",
               "c%d resent request %u with seen=%" PRIu64
               " at t=%s; it first went out with seen=%" PRIu64
               ": a retry must be the very same request (client_on_timeout)",
               c, b->seq, b->seen, t, rec->cur_seen[c]);
    else if (rec->req[c][b->seq].sends > 1 && s->cli.seq == b->seq &&
             s->cli.outcome[b->seq] != OUTCOME_PENDING)
      sim_fail(w, "request-ids",
               "c%d resent request %u at t=%s although it had finished: a timer for a finished "
               "request is stale (client_on_timeout)",
               c, b->seq, t);
    return;
  }
  if (b->seq != rec->cur_seq[c] + 1) {
    sim_fail(w, "request-ids",
             "c%d sent request seq=%u at t=%s right after seq=%u: each new request takes the next "
             "seq, and a retry repeats its own (client_begin, client_on_timeout)%s",
             c, b->seq, t, rec->cur_seq[c], restarted);
    return;
  }
  if (b->seen < rec->learned[c]) {
    sim_fail(w, "request-ids",
             "c%d's request %u carries seen=%" PRIu64
             " at t=%s, but the answer to its request %u "
             "taught it %" PRIu64
             ": learn seen = max(seen, value) from every answer, OK or "
             "EXPIRED (client_on_reply), or a refused client is refused again and again",
             c, b->seq, b->seen, t, rec->cur_seq[c], rec->learned[c]);
    return;
  }
  if (rec->cur_seq[c] > 0 && s->cli.outcome[rec->cur_seq[c]] == OUTCOME_PENDING) {
    sim_fail(w, "request-ids",
             "c%d sent request %u at t=%s while request %u was still unanswered: one request at "
             "a time, and a retry repeats the seq of the request it retries (client_on_timeout)",
             c, b->seq, t, rec->cur_seq[c]);
    return;
  }
  rec->cur_seq[c] = b->seq;
  rec->cur_seen[c] = b->seen;
}

/* A Request reaches the server: remember it, and what the table knew of its client then. */
static void remember_request(sim_world *w, lab06_record *rec, const request_body *r) {
  const dedup_table *t = &((const idem_state *)sim_state(w, IDEM_SERVER))->srv.table;
  rec->last_request = *r;
  rec->last_had_entry = false;
  rec->last_entry_seq = 0;
  rec->last_horizon = t->horizon;
  for (uint32_t i = 0; i < t->capacity && i < IDEM_MAX_SLOTS; i++)
    if (t->slots[i].used && t->slots[i].client == r->client) {
      rec->last_had_entry = true;
      rec->last_entry_seq = t->slots[i].seq;
    }
}

/* An application (counter_apply, seen as a local event of the server). */
static void watch_apply(sim_world *w, lab06_record *rec) {
  const idem_state *s = sim_state(w, IDEM_SERVER);
  int c = s->applied_client;
  uint32_t seq = s->applied_seq;
  char t[32], t0[32], tr[32];
  rec->applications++;
  rec->apply_now = true;
  rec->apply_client = c;
  rec->apply_seq = seq;
  when(sim_now(w), t, sizeof t);
  if (!is_client(rec, c) || seq < 1 || seq > rec->requests) {
    sim_fail(w, "applied-once", "n0 applied request c%d.%u at t=%s, which no client made", c, seq,
             t);
    return;
  }
  lab06_request *q = &rec->req[c][seq];
  if (q->sends == 0) {
    sim_fail(w, "applied-once", "n0 applied request c%d.%u at t=%s before c%d ever sent it", c, seq,
             t, c);
    return;
  }
  if (q->refused) {
    sim_fail(w, "applied-once",
             "n0 applied c%d's request %u at t=%s after refusing it as expired at t=%s: its "
             "client gave up on it, so it must never take effect (dedup_check: a request "
             "without an entry is new only if its seen is at least the horizon)",
             c, seq, t, when(q->refused_at, t0, sizeof t0));
    return;
  }
  if (q->applied++ == 0) {
    q->stamp = s->srv.counter;
    q->applied_at = sim_now(w);
    return;
  }
  rec->double_applied++;
  bool restart_between = rec->restarts > 0 && rec->last_restart > q->applied_at;
  bool this_request = rec->last_request.client == c && rec->last_request.seq == seq;
  char because[320];
  if (this_request && rec->last_had_entry && rec->last_entry_seq >= seq)
    snprintf(because, sizeof because,
             "when this copy arrived the table said c%d's latest seq was %u: a request at the "
             "latest seq is a duplicate and one below it is stale, neither is applied "
             "(dedup_check)",
             c, rec->last_entry_seq);
  else if (this_request && rec->last_had_entry)
    snprintf(because, sizeof because,
             "when this copy arrived the table said c%d's latest seq was only %u: an entry must "
             "keep the latest seq applied (dedup_record)",
             c, rec->last_entry_seq);
  else if (restart_between)
    snprintf(because, sizeof because,
             "n0 restarted at t=%s in between and no longer knew it had applied it: is the table "
             "written to stable storage before the reply (server_persist) and read back at boot "
             "(server_recover)?",
             when(rec->last_restart, tr, sizeof tr));
  else if (this_request)
    snprintf(because, sizeof because,
             "c%d had no entry when this copy arrived (evicted?) and its seen, %" PRIu64
             ", was not below the horizon, %" PRIu64
             ": an eviction must raise the horizon to "
             "the evicted reply (dedup_record)",
             c, rec->last_request.seen, rec->last_horizon);
  else
    snprintf(because, sizeof because,
             "a retry or a duplicate of an applied request must be answered from the table, not "
             "applied (dedup_check, dedup_record)");
  snprintf(rec->first_double, sizeof rec->first_double,
           "n0 applied c%d's request %u twice: first at t=%s (counter %" PRIu64
           "), again at t=%s (counter %" PRIu64 "); %s",
           c, seq, when(q->applied_at, t0, sizeof t0), q->stamp, t, s->srv.counter, because);
  sim_fail(w, "applied-once", "%s", rec->first_double);
}

static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  lab06_record *rec = ctx;
  if (ev->node == IDEM_SERVER) {
    switch (ev->kind) {
      case SIM_EV_RECV:
        rec->apply_now = false;
        if (ev->msg_type == MSG_REQUEST) remember_request(w, rec, ev->body);
        break;
      case SIM_EV_LOCAL:
        watch_apply(w, rec);
        break;
      case SIM_EV_SEND:
        if (ev->msg_type == MSG_REPLY) watch_reply(w, rec, ev);
        break;
      case SIM_EV_CRASH:
        rec->crashes++;
        rec->prev_valid = false;
        break;
      case SIM_EV_RESTART:
        rec->restarts++;
        rec->last_restart = ev->time;
        rec->prev_valid = false;
        break;
      default:
        break;
    }
    return;
  }
  /* A Reply to a client lost on the way (a drop's node is the receiver): perhaps crash the server
   * now, as if it had died between applying and replying. */
  if (ev->kind == SIM_EV_DROP && ev->peer == IDEM_SERVER && ev->msg_type == MSG_REPLY &&
      rec->crash_chance > 0 && !rec->crash_pending && rec->crashes < rec->crash_budget &&
      sim_alive(w, IDEM_SERVER) && rng_chance(sim_nemesis_rng(w), rec->crash_chance)) {
    rec->crash_pending = true;
    sim_at(w, sim_now(w), crash_server, rec, 0);
    return;
  }
  if (!is_client(rec, ev->node)) return;
  if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_REQUEST) watch_request(w, rec, ev);
  if (ev->kind == SIM_EV_RESTART) rec->client_restarted[ev->node] = true;
  if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_REPLY && ev->peer == IDEM_SERVER) {
    /* The first answer to the request in progress finishes it: what it teaches must show in
     * the client's next request. */
    const reply_body *b = ev->body;
    const idem_client *cl = &((const idem_state *)sim_state(w, ev->node))->cli;
    if (cl->waiting && b->seq == cl->seq && b->value > rec->learned[ev->node])
      rec->learned[ev->node] = b->value;
  }
  if (ev->kind == SIM_EV_RECV || ev->kind == SIM_EV_TIMER) rec->dirty[ev->node] = true;
}

/* ---------------------------------------------------------------------------------------------
 * Invariants, after every event.
 */

/* counter-durable: the counter is the number of applications, before and after a restart. */
static bool counter_durable(sim_world *w, void *ctx, char *why, size_t cap) {
  lab06_record *rec = ctx;
  if (!sim_alive(w, IDEM_SERVER)) return true;
  const idem_state *s = sim_state(w, IDEM_SERVER);
  if (s->srv.counter == rec->applications) return true;
  char t[32];
  if (rec->restarts > 0)
    snprintf(why, cap,
             "n0's counter is %" PRIu64 " after its restart at t=%s, but %" PRIu64
             " increments had been applied: server_recover must read back what server_persist "
             "wrote, and server_persist must write the counter",
             s->srv.counter, when(rec->last_restart, t, sizeof t), rec->applications);
  else
    snprintf(why, cap,
             "n0's counter is %" PRIu64 " but counter_apply ran %" PRIu64
             " times: only counter_apply may change the counter",
             s->srv.counter, rec->applications);
  return false;
}

/* table-bounded: one entry per client, within capacity; evictions only to make room, of the least
 * recently applied entry; the horizon never goes down. */
static bool table_bounded(sim_world *w, void *ctx, char *why, size_t cap) {
  lab06_record *rec = ctx;
  if (!sim_alive(w, IDEM_SERVER)) return true;
  const dedup_table *t = &((const idem_state *)sim_state(w, IDEM_SERVER))->srv.table;
  if (t->capacity != rec->slots) {
    snprintf(why, cap,
             "n0's table capacity is %u, but the server was configured with %u slots: "
             "do not change capacity (protocol.c sets it at boot)",
             t->capacity, rec->slots);
    return false;
  }
  uint32_t used = 0;
  for (uint32_t i = 0; i < IDEM_MAX_SLOTS; i++) {
    const dedup_entry *e = &t->slots[i];
    if (!e->used) continue;
    if (i >= t->capacity) {
      snprintf(why, cap,
               "n0's table uses slot %u, but its capacity is %u slots (0 .. %u): "
               "dedup_record must stay within capacity",
               i, t->capacity, t->capacity - 1);
      return false;
    }
    used++;
    for (uint32_t j = 0; j < i; j++)
      if (t->slots[j].used && t->slots[j].client == e->client) {
        snprintf(why, cap,
                 "n0's table holds two entries for c%d (slots %u and %u): one entry per "
                 "client, overwritten by its next request (dedup_record)",
                 (int)e->client, j, i);
        return false;
      }
  }
  if (used > rec->max_entries) rec->max_entries = used;
  if (rec->prev_valid) {
    const dedup_table *p = &rec->prev;
    if (t->horizon < p->horizon) {
      snprintf(why, cap,
               "n0's horizon went down from %" PRIu64 " to %" PRIu64
               ": it may only grow (dedup_record)",
               p->horizon, t->horizon);
      return false;
    }
    for (uint32_t i = 0; i < p->capacity && i < IDEM_MAX_SLOTS; i++) {
      const dedup_entry *gone = &p->slots[i];
      if (!gone->used || dedup_find(t, gone->client) >= 0) continue;
      /* gone->client's entry left the table: that must be an eviction to make room. */
      rec->evictions++;
      uint32_t prev_used = 0;
      uint64_t oldest = UINT64_MAX;
      int oldest_client = -1;
      for (uint32_t j = 0; j < p->capacity && j < IDEM_MAX_SLOTS; j++)
        if (p->slots[j].used) {
          prev_used++;
          if (p->slots[j].reply < oldest) {
            oldest = p->slots[j].reply;
            oldest_client = p->slots[j].client;
          }
        }
      if (prev_used < p->capacity) {
        snprintf(why, cap,
                 "c%d's entry left n0's table while %u of %u slots were used: evict "
                 "only when the table is full (dedup_record)",
                 (int)gone->client, prev_used, p->capacity);
        return false;
      }
      if (gone->reply != oldest) {
        snprintf(why, cap,
                 "n0 evicted c%d's entry (reply %" PRIu64 ") but c%d's (reply %" PRIu64
                 ") was applied longer ago: evict the least recently applied entry, the one with "
                 "the smallest reply (dedup_record)",
                 (int)gone->client, gone->reply, oldest_client, oldest);
        return false;
      }
      if (t->horizon < gone->reply) {
        snprintf(why, cap,
                 "n0 evicted c%d's entry (reply %" PRIu64 ") but its horizon is only %" PRIu64
                 ": raise the horizon to at least the evicted reply, or a forgotten retry "
                 "of c%d could be applied again (dedup_record)",
                 (int)gone->client, gone->reply, t->horizon, (int)gone->client);
        return false;
      }
    }
  }
  rec->prev = *t;
  rec->prev_valid = true;
  return true;
}

/* own-reply: a client accepts, for each request, the value that request's application produced. */
static bool own_reply(sim_world *w, void *ctx, char *why, size_t cap) {
  lab06_record *rec = ctx;
  for (int c = 1; c <= rec->clients; c++) {
    if (!rec->dirty[c]) continue;
    rec->dirty[c] = false;
    const idem_client *cl = &((const idem_state *)sim_state(w, c))->cli;
    uint32_t upto = cl->seq < rec->requests ? cl->seq : rec->requests;
    for (uint32_t k = 1; k <= upto; k++) {
      if (cl->outcome[k] != OUTCOME_OK) continue;
      const lab06_request *q = &rec->req[c][k];
      if (q->applied == 0) {
        snprintf(why, cap,
                 "c%d took value %" PRIu64
                 " as the answer to its request %u, which "
                 "the server never applied: accept only a Reply whose seq is the request in "
                 "progress (client_on_reply)",
                 c, cl->result[k], k);
        return false;
      }
      if (cl->result[k] != q->stamp) {
        snprintf(why, cap,
                 "c%d took value %" PRIu64
                 " as the answer to its request %u, but that "
                 "request's application produced %" PRIu64
                 ": accept only the Reply whose seq is "
                 "the request in progress, and only once (client_on_reply)",
                 c, cl->result[k], k, q->stamp);
        return false;
      }
    }
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Building and judging a run.
 */

static sim_world *build(lab_run *run, const setup *su) {
  sim_world *w = sim_create(run->seed);
  idem_config server = {
      .role = ROLE_SERVER, .slots = su->slots, .volatile_table = su->volatile_table};
  sim_add_node(w, &idem_protocol, &server, sizeof server);
  sim_set_node_name(w, IDEM_SERVER, "n0");
  for (int i = 1; i <= su->clients; i++) {
    idem_config c = {.role = ROLE_CLIENT,
                     .requests = su->requests,
                     .timeout = su->timeout,
                     .start = (sim_time)(i - 1) * su->start_gap,
                     .think_max = su->think_max};
    int id = sim_add_node(w, &idem_protocol, &c, sizeof c);
    char name[8];
    snprintf(name, sizeof name, "c%d", id);
    sim_set_node_name(w, id, name);
  }
  sim_set_net(w, &su->net);
  lab06_record *rec = calloc(1, sizeof *rec);
  if (!rec) abort();
  rec->clients = su->clients;
  rec->requests = su->requests;
  rec->slots = su->slots;
  rec->volatile_table = su->volatile_table;
  rec->crash_chance = su->crash_chance;
  rec->down_min = su->down_min;
  rec->down_max = su->down_max;
  rec->crash_budget = su->crash_budget;
  run->lab_data = rec;
  sim_observe(w, watch, rec);
  sim_invariant(w, "counter-durable", counter_durable, rec);
  sim_invariant(w, "table-bounded", table_bounded, rec);
  sim_invariant(w, "own-reply", own_reply, rec);
  lab_begin(run, w);
  return w;
}

static bool all_done(sim_world *w, void *ctx) {
  const lab06_record *rec = ctx;
  for (int c = 1; c <= rec->clients; c++)
    if (!((const idem_state *)sim_state(w, c))->done) return false;
  return true;
}

/* Judge the clients' history: the k-th completion of client c is request (c, k). */
static bool judge_history(lab_run *run, char *why, size_t cap) {
  sim_world *w = run->world;
  lab06_record *rec = run->lab_data;
  size_t count = 0;
  const sim_op_record *h = sim_history(w, &count);
  uint32_t done[SIM_MAX_NODES] = {0};
  rec->ok = rec->expired = rec->expired_applied = 0;
  for (size_t i = 0; i < count; i++) {
    int c = h[i].client;
    if (h[i].phase == SIM_OP_INVOKE || !is_client(rec, c)) continue;
    uint32_t k = ++done[c];
    if (k > rec->requests) {
      snprintf(why, cap, "c%d finished %u requests; it made %u", c, k, rec->requests);
      return false;
    }
    const lab06_request *q = &rec->req[c][k];
    if (h[i].phase == SIM_OP_OK) {
      rec->ok++;
      uint64_t v = strtoull(h[i].value, NULL, 10);
      if (q->applied != 1 || v != q->stamp) {
        snprintf(why, cap,
                 "history: c%d's request %u returned %" PRIu64
                 ", but it was applied %u "
                 "time(s), producing %" PRIu64,
                 c, k, v, q->applied, q->stamp);
        return false;
      }
    } else {
      rec->expired++;
      rec->expired_applied += q->applied > 0;
    }
  }
  if (rec->ok + rec->expired_applied != rec->applications) {
    snprintf(why, cap,
             "the counter was incremented %" PRIu64
             " times, but the history accounts "
             "for %u (%u OK, %u expired after being applied)",
             rec->applications, rec->ok + rec->expired_applied, rec->ok, rec->expired_applied);
    return false;
  }
  if (rec->expired > 0 && rec->evictions == 0) {
    snprintf(why, cap, "%u request(s) were refused as expired although n0 never evicted an entry",
             rec->expired);
    return false;
  }
  return true;
}

/* Run to the deadline or until every client is done, let stragglers arrive, and judge. */
static bool run_and_judge(lab_run *run, const setup *su) {
  sim_world *w = run->world;
  lab06_record *rec = run->lab_data;
  bool finished = sim_run_until(w, all_done, rec, su->deadline);
  const char *report;
  char t[32];
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  if (!finished) {
    for (int c = 1; c <= rec->clients; c++) {
      const idem_state *s = sim_state(w, c);
      if (s->done) continue;
      return lab_verdict(run, false,
                         "liveness: by t=%s c%d had finished %u of %u requests (request %u: %s, "
                         "%u sends); does every reply finish its request (client_on_reply), does "
                         "every timeout resend (client_on_timeout), does the server answer "
                         "retries of applied requests (server_on_request)?",
                         when(su->deadline, t, sizeof t), c, s->finished, rec->requests, s->cli.seq,
                         s->cli.waiting ? "waiting" : "not sent",
                         s->cli.seq <= rec->requests ? rec->req[c][s->cli.seq].sends : 0);
    }
  }
  rec->finished_at = sim_now(w);
  /* Late duplicates and retries still in flight must not be applied either. */
  sim_run_for(w, 500 * SIM_MS);
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  char why[512];
  if (!judge_history(run, why, sizeof why)) return lab_verdict(run, false, "%s", why);
  const sim_stats *st = sim_get_stats(w);
  uint64_t sends = st->sent_by_type[MSG_REQUEST];
  uint32_t total = (uint32_t)rec->clients * rec->requests;
  char crashes[200] = "";
  if (rec->crashes == rec->placed_crashes && rec->crashes)
    snprintf(crashes, sizeof crashes,
             "; n0 crashed %u time(s), each right after one of its "
             "replies was lost, and restarted with its table",
             rec->crashes);
  else if (rec->crashes)
    snprintf(crashes, sizeof crashes,
             "; n0 crashed %u time(s) (%u right after one of its replies "
             "was lost) and restarted with its table",
             rec->crashes, rec->placed_crashes);
  char evicted[200] = "";
  if (rec->evictions)
    snprintf(evicted, sizeof evicted,
             "; %u eviction(s) from a table of %u for %d clients, %u "
             "request(s) refused as expired (%u of them had been applied, once)",
             rec->evictions, rec->slots, rec->clients, rec->expired, rec->expired_applied);
  return lab_verdict(run, true,
                     "effectively once: %u requests from %d clients, %" PRIu64
                     " applications, "
                     "none twice; counter=%" PRIu64 " = %u OK + %u expired-but-applied; %" PRIu64
                     " Request messages (%" PRIu64
                     " retries), %u answered from the table; the "
                     "network lost %llu and duplicated %llu messages%s%s; all done by t=%s",
                     total, rec->clients, rec->applications,
                     ((const idem_state *)sim_state(w, IDEM_SERVER))->srv.counter, rec->ok,
                     rec->expired_applied, sends, sends - total, rec->cached_replies,
                     (unsigned long long)st->dropped_loss, (unsigned long long)st->duplicated,
                     crashes, evicted, when(rec->finished_at, t, sizeof t));
}

static setup base_setup(int clients) {
  setup su = {.clients = clients,
              .requests = 20,
              .timeout = 30 * SIM_MS,
              .think_max = 10 * SIM_MS,
              .start_gap = 0,
              .slots = IDEM_MAX_SLOTS,
              .net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.3, 0.3),
              .deadline = 60 * SIM_SEC};
  return su;
}

static bool scenario_lossy(lab_run *run) {
  setup su = base_setup(lab_nodes(run, 4) - 1);
  build(run, &su);
  return run_and_judge(run, &su);
}

/* Latencies up to 60 ms against a 25 ms timeout: retries go out while the first attempt is still
 * on its way, half the messages are duplicated, and old copies keep arriving after the client has
 * moved on (stale requests at the server, late replies at the client). */
static bool scenario_late_duplicates(lab_run *run) {
  setup su = base_setup(lab_nodes(run, 4) - 1);
  su.timeout = 25 * SIM_MS;
  su.net = sim_net_uniform(1 * SIM_MS, 60 * SIM_MS, 0.1, 0.5);
  build(run, &su);
  return run_and_judge(run, &su);
}

static setup crashy_setup(int clients) {
  setup su = base_setup(clients);
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.15, 0.1);
  su.crash_chance = 0.5;
  su.down_min = 20 * SIM_MS;
  su.down_max = 80 * SIM_MS;
  su.crash_budget = 12;
  return su;
}

static bool scenario_crashy_server(lab_run *run) {
  setup su = crashy_setup(lab_nodes(run, 4) - 1);
  build(run, &su);
  return run_and_judge(run, &su);
}

static bool scenario_no_persist(lab_run *run) {
  setup su = crashy_setup(lab_nodes(run, 4) - 1);
  su.volatile_table = true;
  build(run, &su);
  bool held = run_and_judge(run, &su);
  const lab06_record *rec = run->lab_data;
  if (!held && rec->double_applied)
    return lab_verdict(run, false,
                       "as expected without a durable table: %s (the same seed with the table "
                       "in stable storage is scenario crashy-server)",
                       rec->first_double);
  return held;
}

/* More clients than table slots: entries are evicted, and a client whose entry is gone is
 * refused as expired until it learns the horizon. */
static bool scenario_many_clients(lab_run *run) {
  setup su = base_setup(lab_nodes(run, 9) - 1);
  su.slots = 4;
  su.requests = 10;
  su.think_max = 60 * SIM_MS;
  su.start_gap = 15 * SIM_MS;
  su.net = sim_net_uniform(1 * SIM_MS, 10 * SIM_MS, 0.2, 0.1);
  build(run, &su);
  return run_and_judge(run, &su);
}

static const lab_scenario scenarios[] = {
    {"lossy", "3 clients (--nodes 2..16: the server and N-1 clients), 30% loss, 30% duplication",
     scenario_lossy, LAB_NODES(2, SIM_MAX_NODES)},
    {"late-duplicates", "latencies up to 60 ms, 25 ms timeout, 50% duplication: stale copies",
     scenario_late_duplicates, LAB_NODES(2, SIM_MAX_NODES)},
    {"crashy-server", "the server crashes when a reply is lost and restarts 20..80 ms later",
     scenario_crashy_server, LAB_NODES(2, SIM_MAX_NODES)},
    {"no-persist", "crashy-server with the table in memory only: a retry is applied twice",
     scenario_no_persist, LAB_NODES(2, SIM_MAX_NODES)},
    {"many-clients", "8 clients (--nodes 6..16), a table of 4 slots: eviction and expired requests",
     scenario_many_clients, LAB_NODES(6, SIM_MAX_NODES)},
};

const lab_info lab06 = {
    .id = "06-idempotency",
    .title = "effectively-once: request ids and a deduplication table",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
