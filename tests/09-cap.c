/*
 * tests/09-cap.c: lab 09's tests: the merge rule, the CP coordinator, the AP path, and what each
 * choice costs, under a partition and without one.
 *
 * One case per rule, in the order the chapter builds them, so a learner sees which part is wrong.
 * Unit cases first: each hands one function a state and messages we make ourselves, on a small
 * world where nothing runs unless we poke it, and says exactly what it expected. Then scenario
 * sweeps: the scenarios' invariants (store-monotonic, unique-tags, refused-not-applied,
 * cp-majority) run after every event, and each run's end is judged (linearizable, refused or
 * answered, converged). Demonstrations search seeds for an anomaly and show it; a search that
 * finds nothing fails.
 */
#include <string.h>

#include "lab.h"
#include "lincheck.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * A small world: replicas n0 .. n(S-1) and their clients (which run nothing: ops = 0). We poke
 * a replica's functions directly and log every message it sends.
 */
enum { LOG_MAX = 32 };
typedef struct sent_msg {
  int from, to, type;
  _Alignas(8) unsigned char body[sizeof(kv_sync_body)];
} sent_msg;
typedef struct sent {
  int count;
  sent_msg m[LOG_MAX];
} sent;

static size_t body_size(int type) {
  switch (type) {
    case MSG_REQUEST:
      return sizeof(kv_request_body);
    case MSG_REPLY:
      return sizeof(kv_reply_body);
    case MSG_QUERY:
      return sizeof(kv_query_body);
    case MSG_QUERY_REPLY:
      return sizeof(kv_query_reply_body);
    case MSG_STORE:
      return sizeof(kv_store_body);
    case MSG_STORE_ACK:
      return sizeof(kv_store_ack_body);
    case MSG_UPDATE:
      return sizeof(kv_update_body);
    case MSG_SYNC:
      return sizeof(kv_sync_body);
    default:
      return 0;
  }
}

static void log_sends(sim_world *w, const sim_event *ev, void *ctx) {
  (void)w;
  sent *s = ctx;
  if (ev->kind != SIM_EV_SEND || s->count >= LOG_MAX) return;
  sent_msg *m = &s->m[s->count++];
  m->from = ev->node;
  m->to = ev->peer;
  m->type = ev->msg_type;
  memset(m->body, 0, sizeof m->body);
  memcpy(m->body, ev->body, body_size(ev->msg_type));
}

static sim_world *world_of(sent *log, kv_mode mode, int replicas, bool read_local) {
  sim_world *w = sim_create(1);
  kv_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.role = ROLE_REPLICA;
  cfg.mode = mode;
  cfg.replicas = replicas;
  cfg.keys = 2;
  cfg.read_local = read_local;
  cfg.cp_timeout = 200 * SIM_MS;
  cfg.retry = 40 * SIM_MS;
  cfg.anti_entropy = 0; /* no timer: the tests call ap_on_anti_entropy themselves */
  for (int i = 0; i < replicas; i++) sim_add_node(w, &kv_protocol, &cfg, sizeof cfg);
  for (int i = 0; i < replicas; i++) {
    kv_config cli = cfg;
    cli.role = ROLE_CLIENT;
    cli.home = i;
    int id = sim_add_node(w, &kv_protocol, &cli, sizeof cli);
    char name[8];
    snprintf(name, sizeof name, "c%d", id);
    sim_set_node_name(w, id, name);
  }
  sim_observe(w, log_sends, log);
  sim_start(w);
  return w;
}

static kv_tag tag(uint64_t ts, int node) { return (kv_tag){.ts = ts, .node = node, .pad = 0}; }
static kv_cell cell(uint64_t ts, int node, int32_t value) {
  return (kv_cell){.tag = tag(ts, node), .value = value, .pad = 0};
}
static const char *tag_s(kv_tag t, char *buf, size_t cap) {
  snprintf(buf, cap, "(%llu,n%d)", (unsigned long long)t.ts, (int)t.node);
  return buf;
}
static const kv_state *state_of(sim_world *w, int node) { return sim_state(w, node); }
static const char *phase_s(kv_phase p) {
  return p == PHASE_IDLE ? "IDLE" : p == PHASE_QUERY ? "QUERY" : p == PHASE_STORE ? "STORE" : "?";
}

/* The messages of `type` sent since index `since`; the last of them in *last (may be NULL). */
static int count_type(const sent *log, int since, int type, const sent_msg **last) {
  int c = 0;
  for (int i = since; i < log->count; i++)
    if (log->m[i].type == type) {
      c++;
      if (last) *last = &log->m[i];
    }
  return c;
}
/* The nodes whose bits are set in mask, as "n1, n2", or "none". */
static const char *nodes_s(uint32_t mask, char *buf, size_t cap) {
  size_t at = 0;
  buf[0] = '\0';
  for (int i = 0; i < 32 && at < cap; i++)
    if (mask & (1u << i)) at += (size_t)snprintf(buf + at, cap - at, "%sn%d", at ? ", " : "", i);
  if (!mask) snprintf(buf, cap, "none");
  return buf;
}
/* Bit i set: a message of `type` to node i was sent since `since`. */
static uint32_t sent_to(const sent *log, int since, int type) {
  uint32_t to = 0;
  for (int i = since; i < log->count; i++)
    if (log->m[i].type == type && log->m[i].to >= 0 && log->m[i].to < 32) to |= 1u << log->m[i].to;
  return to;
}

/* Start a request at a replica as protocol.c does (s->co filled, then cp_begin or ap_begin). */
typedef struct start_req {
  kv_op_kind kind;
  int key;
  int32_t value;
  uint32_t req;
} start_req;

static void poke_begin(sim_node *n, void *state, void *arg) {
  kv_state *s = state;
  const start_req *r = arg;
  memset(&s->co, 0, sizeof s->co);
  s->co.busy = true;
  s->co.client = s->cfg.replicas + sim_self(n); /* its own client */
  s->co.client_op = r->req;
  s->co.kind = r->kind;
  s->co.key = r->key;
  s->co.value = r->value;
  s->co.req = r->req;
  if (s->cfg.mode == MODE_CP)
    cp_begin(n, s);
  else
    ap_begin(n, s);
}

typedef struct from_body {
  int from;
  union {
    kv_query_reply_body qr;
    kv_store_ack_body ack;
    kv_query_body q;
    kv_store_body st;
    kv_update_body up;
    kv_sync_body sy;
  } b;
} from_body;

static void poke_query_reply(sim_node *n, void *state, void *arg) {
  const from_body *f = arg;
  cp_on_query_reply(n, state, f->from, &f->b.qr);
}
static void poke_store_ack(sim_node *n, void *state, void *arg) {
  const from_body *f = arg;
  cp_on_store_ack(n, state, f->from, &f->b.ack);
}
static void poke_deadline(sim_node *n, void *state, void *arg) {
  (void)arg;
  cp_on_deadline(n, state);
}
static void poke_query(sim_node *n, void *state, void *arg) {
  const from_body *f = arg;
  replica_on_query(n, state, f->from, &f->b.q);
}
static void poke_store(sim_node *n, void *state, void *arg) {
  const from_body *f = arg;
  replica_on_store(n, state, f->from, &f->b.st);
}
static void poke_update(sim_node *n, void *state, void *arg) {
  const from_body *f = arg;
  ap_on_update(n, state, f->from, &f->b.up);
}
static void poke_sync(sim_node *n, void *state, void *arg) {
  const from_body *f = arg;
  ap_on_sync(n, state, f->from, &f->b.sy);
}
static void poke_anti_entropy(sim_node *n, void *state, void *arg) {
  (void)arg;
  ap_on_anti_entropy(n, state);
}

static void query_reply(sim_world *w, int coord, int from, uint32_t req, int key, kv_cell c) {
  from_body f;
  memset(&f, 0, sizeof f);
  f.from = from;
  f.b.qr.req = req;
  f.b.qr.key = key;
  f.b.qr.cell = c;
  sim_poke(w, coord, poke_query_reply, &f);
}
static void store_ack(sim_world *w, int coord, int from, uint32_t req, int key, kv_tag t) {
  from_body f;
  memset(&f, 0, sizeof f);
  f.from = from;
  f.b.ack.req = req;
  f.b.ack.key = key;
  f.b.ack.tag = t;
  sim_poke(w, coord, poke_store_ack, &f);
}
static void set_cell(sim_world *w, int node, int key, kv_cell c) {
  ((kv_state *)sim_state_mut(w, node))->rep.store[key] = c;
}

/* ---------------------------------------------------------------------------------------------
 * Part 1: the merge rule and the replica's answers (replica.c).
 */

/* Rule: last writer wins by (timestamp, node); older and equal tags change nothing. */
static void merge_rule(void *arg) {
  (void)arg;
  char a[48], b[48];
  kv_cell have = cell(0, 0, KV_VALUE_NIL);
  bool took = kv_merge(&have, cell(500, 2, 2001));
  tap_ok(took && have.value == 2001 && have.tag.ts == 500 && have.tag.node == 2,
         "an empty cell (nil, tag (0,n0)) merged with 2001 (500,n2): expected 2001 (500,n2) and "
         "true, got %d %s and %s (kv_merge: any tag is newer than the zero tag)",
         (int)have.value, tag_s(have.tag, a, sizeof a), took ? "true" : "false");
  took = kv_merge(&have, cell(400, 9, 9001));
  tap_ok(!took && have.value == 2001,
         "holding 2001 (500,n2), merged with 9001 (400,n9), an older timestamp: expected to keep "
         "2001 and return false, got %d and %s (kv_merge: compare tags with kv_tag_cmp)",
         (int)have.value, took ? "true" : "false");
  took = kv_merge(&have, cell(500, 1, 1001));
  tap_ok(!took && have.value == 2001,
         "holding 2001 (500,n2), merged with 1001 (500,n1): equal timestamps, the lower node id "
         "is older: expected to keep 2001, got %d (kv_merge: ties go to the higher node id)",
         (int)have.value);
  took = kv_merge(&have, cell(500, 3, 3001));
  tap_ok(took && have.value == 3001,
         "holding 2001 (500,n2), merged with 3001 (500,n3): equal timestamps, the higher node id "
         "is newer: expected 3001 and true, got %d %s and %s (kv_merge)",
         (int)have.value, tag_s(have.tag, b, sizeof b), took ? "true" : "false");
  took = kv_merge(&have, cell(500, 3, 3001));
  tap_ok(!took && have.value == 3001,
         "merging the same cell 3001 (500,n3) again: nothing changes and kv_merge returns false "
         "(an equal tag is not newer), got %s",
         took ? "true" : "false");
  took = kv_merge(&have, cell(501, 0, 7));
  tap_ok(took && have.value == 7 && have.tag.ts == 501 && have.tag.node == 0,
         "holding 3001 (500,n3), merged with 7 (501,n0): a higher timestamp wins whatever the "
         "node: expected 7 (501,n0), got %d %s (kv_merge)",
         (int)have.value, tag_s(have.tag, a, sizeof a));
}

/* Rule: a Query is answered with the cell held for its key. */
static void replica_query(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_CP, 3, false);
  set_cell(w, 1, 1, cell(77, 2, 2005));
  from_body f;
  memset(&f, 0, sizeof f);
  f.from = 0;
  f.b.q.req = 9;
  f.b.q.key = 1;
  int before = log.count;
  sim_poke(w, 1, poke_query, &f);
  const sent_msg *m = NULL;
  int replies = count_type(&log, before, MSG_QUERY_REPLY, &m);
  if (tap_is_int(replies, 1,
                 "n1 got a Query (req 9, k1) from n0: one QueryReply expected "
                 "(replica_on_query: kv_answer_query)") &&
      tap_is_int(m->to, 0, "the QueryReply goes back to the coordinator n0 (`from`)")) {
    const kv_query_reply_body *r = (const void *)m->body;
    tap_ok(r->req == 9 && r->key == 1 && r->cell.value == 2005 && r->cell.tag.ts == 77 &&
               r->cell.tag.node == 2,
           "n1 holds k1=2005 (77,n2): the reply carries req 9, k1 and that cell; got req %u, k%d, "
           "%d (replica_on_query: answer with s->rep.store[q->key])",
           r->req, (int)r->key, (int)r->cell.value);
  }
  sim_destroy(w);
}

/* Rule: a Store is merged (newer only) and acknowledged either way. */
static void replica_store(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_CP, 3, false);
  set_cell(w, 2, 0, cell(50, 1, 1003));
  from_body f;
  memset(&f, 0, sizeof f);
  f.from = 1;
  f.b.st.req = 4;
  f.b.st.key = 0;
  f.b.st.cell = cell(60, 1, 1004);
  int before = log.count;
  sim_poke(w, 2, poke_store, &f);
  tap_is_int(state_of(w, 2)->rep.store[0].value, 1004,
             "n2 holds k0=1003 (50,n1) and gets a Store of 1004 (60,n1): it keeps 1004 "
             "(replica_on_store: kv_merge into s->rep.store[st->key])");
  const sent_msg *m = NULL;
  if (tap_is_int(count_type(&log, before, MSG_STORE_ACK, &m), 1,
                 "one StoreAck for the Store (replica_on_store: kv_ack_store)")) {
    const kv_store_ack_body *a = (const void *)m->body;
    tap_ok(m->to == 1 && a->req == 4 && a->key == 0 && a->tag.ts == 60 && a->tag.node == 1,
           "the StoreAck goes to the coordinator n1 with req 4, k0, tag (60,n1); got to n%d, req "
           "%u, k%d (replica_on_store: kv_ack_store(n, from, st))",
           m->to, a->req, (int)a->key);
  }
  /* An older Store: kept out, still acknowledged. */
  f.b.st.req = 5;
  f.b.st.cell = cell(10, 2, 2001);
  before = log.count;
  sim_poke(w, 2, poke_store, &f);
  tap_is_int(state_of(w, 2)->rep.store[0].value, 1004,
             "n2 holds k0=1004 (60,n1) and gets a Store of 2001 with the older tag (10,n2): it "
             "keeps 1004 (replica_on_store: merge, do not overwrite)");
  tap_is_int(count_type(&log, before, MSG_STORE_ACK, NULL), 1,
             "the older Store is acknowledged all the same: n2 holds something at least as new, "
             "which is what the coordinator's majority needs (replica_on_store)");
  sim_destroy(w);
}

/* ---------------------------------------------------------------------------------------------
 * Part 2: the CP coordinator (cp.c).
 */

/* Rule: a write queries a majority, stores (highest ts + 1, own id) at a majority, then OK. */
static void cp_write(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_CP, 3, false);
  set_cell(w, 0, 0, cell(3, 1, 1002)); /* n0 holds an older cell than n2 will report */
  start_req r = {.kind = OP_WRITE, .key = 0, .value = 3007, .req = 1};
  sim_poke(w, 0, poke_begin, &r);
  const kv_coord *co = &state_of(w, 0)->co;
  tap_ok(co->phase == PHASE_QUERY && co->replies == 1 && co->replied == 1u,
         "n0 began c3's write of k0=3007: expected phase QUERY with itself counted (replied = "
         "bit 0, replies 1), got phase %s, replied 0x%x, replies %d (cp_begin)",
         phase_s(co->phase), co->replied, co->replies);
  char who[64];
  tap_ok(sent_to(&log, 0, MSG_QUERY) == 0x6u,
         "n0 sends a Query to n1 and n2 (not to itself); got Queries to %s (cp_begin: "
         "kv_send_query)",
         nodes_s(sent_to(&log, 0, MSG_QUERY), who, sizeof who));
  /* n2 answers with a newer cell: a majority (2 of 3) with n0 itself. */
  int before = log.count;
  query_reply(w, 0, 2, 1, 0, cell(7, 2, 2004));
  co = &state_of(w, 0)->co;
  char a[48];
  if (!tap_ok(co->phase == PHASE_STORE,
              "n0 (holding (3,n1)) got a QueryReply with (7,n2) from n2: with itself that is a "
              "majority of 3, so phase STORE; got phase %s (cp_on_query_reply: at kv_majority "
              "answers, this replica included)",
              phase_s(co->phase))) {
    sim_destroy(w);
    return;
  }
  tap_ok(co->store.tag.ts == 8 && co->store.tag.node == 0 && co->store.value == 3007,
         "the write's cell: tag (highest ts 7 + 1, own id n0) = (8,n0), value 3007; got %s, %d "
         "(cp_on_query_reply: a write stores (best.tag.ts + 1, sim_self))",
         tag_s(co->store.tag, a, sizeof a), (int)co->store.value);
  tap_ok(state_of(w, 0)->rep.store[0].value == 3007,
         "n0 merges the write into its own store before sending it (it counts as one ack): "
         "expected n0's k0 = 3007; got k0 = %d (cp_on_query_reply: kv_merge into s->rep.store)",
         (int)state_of(w, 0)->rep.store[0].value);
  tap_ok(co->replies == 1 && co->replied == 1u && sent_to(&log, before, MSG_STORE) == 0x6u,
         "phase STORE starts over with n0 counted (replies 1, replied 0x1) and a Store to n1 and "
         "n2; got replies %d, replied 0x%x, Stores to %s (cp_on_query_reply: reset the count, "
         "then kv_send_store)",
         co->replies, co->replied, nodes_s(sent_to(&log, before, MSG_STORE), who, sizeof who));
  /* n1 acknowledges: a majority holds the write. */
  before = log.count;
  store_ack(w, 0, 1, 1, 0, tag(8, 0));
  const sent_msg *m = NULL;
  if (tap_is_int(count_type(&log, before, MSG_REPLY, &m), 1,
                 "after n1's StoreAck, n0 and n1 hold the write, a majority: one Reply expected "
                 "(cp_on_store_ack: kv_reply at kv_majority acks)")) {
    const kv_reply_body *b = (const void *)m->body;
    tap_ok(b->status == KV_OK && b->cell.value == 3007 && b->cell.tag.ts == 8 && m->to == 3,
           "the Reply to c3 is OK with the stored cell 3007 (8,n0); got status %d, value %d, to "
           "n%d (cp_on_store_ack: kv_reply(n, s, KV_OK, s->co.store))",
           (int)b->status, (int)b->cell.value, m->to);
  }
  tap_ok(!state_of(w, 0)->co.busy, "the request is over (kv_reply ends it)");
  /* A second write, of k1, where the coordinator's own cell is the newest of its majority. */
  set_cell(w, 0, 1, cell(20, 0, 3005));
  start_req r2 = {.kind = OP_WRITE, .key = 1, .value = 3008, .req = 2};
  sim_poke(w, 0, poke_begin, &r2);
  query_reply(w, 0, 1, 2, 1, cell(12, 2, 2001));
  co = &state_of(w, 0)->co;
  tap_ok(co->phase == PHASE_STORE && co->store.tag.ts == 21 && co->store.tag.node == 0,
         "c3's write of k1=3008: n0 holds 3005 (20,n0), n1 answers 2001 (12,n2). n0's own cell is "
         "the newest of the majority, so it wins: expected phase STORE with the tag (20 + 1, n0) "
         "= (21,n0); got phase %s, tag %s (cp_begin: best = own cell; cp_on_query_reply: replace "
         "best only with a newer answer)",
         phase_s(co->phase), tag_s(co->store.tag, a, sizeof a));
  sim_destroy(w);
}

/* Rule: a read writes the newest cell of a majority back to a majority before answering. */
static void cp_read(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_CP, 3, false);
  set_cell(w, 0, 1, cell(4, 0, 3001));
  start_req r = {.kind = OP_READ, .key = 1, .req = 1};
  sim_poke(w, 0, poke_begin, &r);
  int before = log.count;
  query_reply(w, 0, 1, 1, 1, cell(9, 1, 4002));
  const kv_coord *co = &state_of(w, 0)->co;
  char a[48];
  tap_ok(co->phase == PHASE_STORE && co->store.value == 4002 && co->store.tag.ts == 9 &&
             co->store.tag.node == 1,
         "a read of k1: n0 holds 3001 (4,n0), n1 answers 4002 (9,n1): the read writes back the "
         "newest, 4002 (9,n1), unchanged; got phase %s, %d %s (cp_on_query_reply: for a read, "
         "store = best)",
         phase_s(co->phase), (int)co->store.value, tag_s(co->store.tag, a, sizeof a));
  uint32_t stores = sent_to(&log, before, MSG_STORE);
  int32_t k1 = state_of(w, 0)->rep.store[1].value;
  char who[64];
  tap_ok(stores == 0x6u && k1 == 4002,
         "the write-back of 4002 (9,n1) (ABD: a read announces what it will return): expected "
         "n0's k1 = 4002 and Stores to n1, n2; got k1 = %d, Stores to %s (cp_on_query_reply: "
         "kv_merge the cell into your own store, then kv_send_store)",
         (int)k1, nodes_s(stores, who, sizeof who));
  before = log.count;
  store_ack(w, 0, 2, 1, 1, tag(9, 1));
  const sent_msg *m = NULL;
  if (tap_is_int(count_type(&log, before, MSG_REPLY, &m), 1,
                 "n2 acknowledged the write-back: with n0 a majority; one Reply expected "
                 "(cp_on_store_ack)")) {
    const kv_reply_body *b = (const void *)m->body;
    tap_ok(b->status == KV_OK && b->cell.value == 4002,
           "the read returns 4002, got status %d value %d (cp_on_store_ack: answer with "
           "s->co.store)",
           (int)b->status, (int)b->cell.value);
  }
  sim_destroy(w);
}

/* Rule: each replica counts once in each phase; a phase-1 answer during phase 2 is ignored. */
static void cp_counts_once(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_CP, 5, false); /* a majority of 5 is 3 */
  start_req r = {.kind = OP_WRITE, .key = 0, .value = 5001, .req = 1};
  sim_poke(w, 0, poke_begin, &r);
  query_reply(w, 0, 1, 1, 0, cell(2, 1, 6001));
  query_reply(w, 0, 1, 1, 0, cell(2, 1, 6001)); /* the network duplicated it */
  const kv_coord *co = &state_of(w, 0)->co;
  tap_ok(co->phase == PHASE_QUERY && co->replies == 2,
         "5 replicas: n0 counted itself, then got n1's QueryReply twice (a duplicate): that is 2 "
         "replicas, not 3, so still phase QUERY with replies 2; got phase %s, replies %d "
         "(cp_on_query_reply: count a replica once, by its bit in s->co.replied)",
         phase_s(co->phase), co->replies);
  query_reply(w, 0, 3, 1, 0, cell(1, 3, 3001));
  co = &state_of(w, 0)->co;
  tap_ok(co->phase == PHASE_STORE && co->store.tag.ts == 3,
         "n3's answer makes 3 of 5: phase STORE, with tag ts = highest (2, from n1) + 1 = 3; got "
         "phase %s, ts %llu (cp_on_query_reply)",
         phase_s(co->phase), (unsigned long long)co->store.tag.ts);
  int before = log.count;
  query_reply(w, 0, 4, 1, 0, cell(99, 4, 7001)); /* late: phase 1 is over */
  co = &state_of(w, 0)->co;
  tap_ok(
      co->phase == PHASE_STORE && co->store.tag.ts == 3 && co->replies == 1 && log.count == before,
      "a late QueryReply from n4 (with a newer (99,n4)) arrives during STORE: it changes "
      "nothing (no new tag, no count, no message); got ts %llu, replies %d, %d messages "
      "(cp_on_query_reply: only in PHASE_QUERY)",
      (unsigned long long)co->store.tag.ts, co->replies, log.count - before);
  kv_tag t = co->store.tag;
  store_ack(w, 0, 2, 1, 0, t);
  store_ack(w, 0, 2, 1, 0, t); /* duplicated */
  tap_is_int(count_type(&log, before, MSG_REPLY, NULL), 0,
             "n2's StoreAck arrives twice: n0 and n2 hold the write, 2 of 5: no Reply yet "
             "(cp_on_store_ack: count a replica once)");
  store_ack(w, 0, 4, 1, 0, t);
  tap_is_int(count_type(&log, before, MSG_REPLY, NULL), 1,
             "n4's StoreAck makes 3 of 5: one Reply (cp_on_store_ack)");
  store_ack(w, 0, 1, 1, 0, t);
  tap_is_int(count_type(&log, before, MSG_REPLY, NULL), 1,
             "a fourth StoreAck after the Reply sends nothing more (cp_on_store_ack: the request "
             "is over; check the phase, or s->co.busy)");
  sim_destroy(w);
}

/* Rule: at the deadline, REFUSED in QUERY; a write in STORE is UNKNOWN; a read in STORE is
 * REFUSED (a read changes nothing). deadline_status returns the status of the one Reply, or:
 * -1 no Reply, -2 several, -3 the request still in progress, NO_STORE the request never reached
 * PHASE_STORE (so the case cannot be checked). */
enum { NO_STORE = -4 };
static int deadline_status(kv_op_kind kind, bool reach_store, int32_t *stored) {
  sent log = {0};
  sim_world *w = world_of(&log, MODE_CP, 3, false);
  start_req r = {.kind = kind, .key = 0, .value = 3009, .req = 1};
  sim_poke(w, 0, poke_begin, &r);
  if (reach_store) {
    query_reply(w, 0, 1, 1, 0, cell(5, 1, 1001));
    if (state_of(w, 0)->co.phase != PHASE_STORE) {
      sim_destroy(w);
      return NO_STORE;
    }
  }
  int before = log.count;
  sim_poke(w, 0, poke_deadline, NULL);
  const sent_msg *m = NULL;
  int status = -1;
  if (count_type(&log, before, MSG_REPLY, &m) == 1)
    status = ((const kv_reply_body *)m->body)->status;
  if (count_type(&log, before, MSG_REPLY, NULL) > 1) status = -2;
  *stored = state_of(w, 0)->rep.store[0].value;
  if (state_of(w, 0)->co.busy) status = -3;
  sim_destroy(w);
  return status;
}

static const char *status_s(int st) {
  switch (st) {
    case -1:
      return "no Reply";
    case -2:
      return "several Replies";
    case -3:
      return "the request still in progress";
    default:
      return kv_status_name(st);
  }
}

static void cp_deadline(void *arg) {
  (void)arg;
  int32_t stored = 0;
  int st = deadline_status(OP_WRITE, false, &stored);
  tap_ok(st == KV_REFUSED && stored == KV_VALUE_NIL,
         "a write of 3009 still in QUERY at the deadline (no majority answered): expected "
         "REFUSED, and nothing stored; got %s, n0's k0 = %d (cp_on_deadline: kv_reply "
         "KV_REFUSED)",
         status_s(st), (int)stored);
  stored = 3009;
  st = deadline_status(OP_WRITE, true, &stored);
  if (st == NO_STORE)
    tap_ok(false,
           "a write of 3009 in STORE at the deadline: cannot check: the request never reached "
           "PHASE_STORE after a majority of QueryReplies (see test 4, the CP write: "
           "cp_on_query_reply)");
  else
    tap_ok(
        st == KV_UNKNOWN,
        "a write of 3009 already in STORE at the deadline: n0 holds it (k0 = %d) and sent it to "
        "n1 and n2, so it may still become visible: expected UNKNOWN (the history records info), "
        "got %s (cp_on_deadline: a write in PHASE_STORE is KV_UNKNOWN, never REFUSED)",
        (int)stored, status_s(st));
  st = deadline_status(OP_READ, false, &stored);
  tap_ok(st == KV_REFUSED,
         "a read in QUERY at the deadline: expected REFUSED, got %s "
         "(cp_on_deadline)",
         status_s(st));
  st = deadline_status(OP_READ, true, &stored);
  if (st == NO_STORE)
    tap_ok(false,
           "a read in STORE (writing back) at the deadline: cannot check: the request never "
           "reached PHASE_STORE after a majority of QueryReplies (see test 5, the CP read: "
           "cp_on_query_reply)");
  else
    tap_ok(st == KV_REFUSED,
           "a read in STORE (writing back) at the deadline: expected REFUSED (a read changes no "
           "value: its write-back only spreads an existing one), got %s (cp_on_deadline)",
           status_s(st));
}

/* Rule (PACELC's knob): with read_local, a CP read is answered at once from the home replica. */
static void cp_read_local(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_CP, 3, true);
  set_cell(w, 0, 1, cell(12, 2, 2008));
  start_req r = {.kind = OP_READ, .key = 1, .req = 1};
  sim_poke(w, 0, poke_begin, &r);
  const sent_msg *m = NULL;
  int replies = count_type(&log, 0, MSG_REPLY, &m);
  tap_ok(replies == 1 && count_type(&log, 0, MSG_QUERY, NULL) == 0,
         "read_local is on and n0 begins a read of k1: expected one Reply now and no Query; got "
         "%d Replies and %d Queries (cp_begin: a read with s->cfg.read_local answers from its own "
         "cell)",
         replies, count_type(&log, 0, MSG_QUERY, NULL));
  if (replies == 1) {
    const kv_reply_body *b = (const void *)m->body;
    tap_ok(b->status == KV_OK && b->cell.value == 2008,
           "the Reply is OK with n0's own k1 = 2008; got status %d value %d (cp_begin)",
           (int)b->status, (int)b->cell.value);
  }
  /* Writes still go through a majority. */
  start_req wr = {.kind = OP_WRITE, .key = 1, .value = 3001, .req = 2};
  int before = log.count;
  sim_poke(w, 0, poke_begin, &wr);
  tap_ok(count_type(&log, before, MSG_QUERY, NULL) == 2 &&
             count_type(&log, before, MSG_REPLY, NULL) == 0,
         "with read_local a write still queries a majority: expected 2 Queries and no Reply, got "
         "%d and %d (cp_begin: the knob is for reads)",
         count_type(&log, before, MSG_QUERY, NULL), count_type(&log, before, MSG_REPLY, NULL));
  sim_destroy(w);
}

/* A seed sweep of a CP scenario, as tap_sweep does it, except for how a non-linearizable history
 * is shown: the checker's whole explanation, one diagnostic line per line, and where CP's usual
 * mistakes are. also (may be NULL) sees every run that held. Returns true if every seed held. */
static bool cp_sweep(const char *scenario, uint64_t first, uint64_t last,
                     bool (*also)(lab_run *run, void *ctx), void *ctx) {
  const lab_scenario *sc = lab_find(&lab09, scenario);
  for (uint64_t seed = first; seed <= last; seed++) {
    tap_replay("%s --scenario %s --seed %llu --viz", tap_driver(), scenario,
               (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab09.id, .scenario = sc->name};
    bool held = sc->run(&run);
    if (held) {
      if (also) also(&run, ctx);
      lab_end(&run);
      continue;
    }
    tap_ok(false, "%s, seed %llu: %s", scenario, (unsigned long long)seed, run.verdict);
    const kv_record *rec = run.lab_data;
    const char *report = NULL;
    if (rec && !sim_violated(run.world, &report) && rec->lin_checked &&
        rec->lin_verdict == LIN_NOT_LINEARIZABLE) {
      tap_diag_lines(rec->lin_explanation);
      tap_diag(
          "(a CP read returned a value older than a completed write, or a value that was "
          "later undone: does kv_merge compare whole tags with kv_tag_cmp? is a write's tag "
          "above every tag of its QUERY majority (cp_on_query_reply)? does a read write the "
          "newest cell back to a majority before answering (cp_on_store_ack)?)");
    }
    lab_end(&run);
    return false;
  }
  tap_diag("%s: seeds %llu..%llu held", scenario, (unsigned long long)first,
           (unsigned long long)last);
  return true;
}

/* Property: in normal operation CP refuses nothing and is linearizable. */
static void cp_normal(void *arg) {
  (void)arg;
  cp_sweep("normal-cp", 1, 30, NULL, NULL);
}

/* Property: under the partition CP stays linearizable, n0 refuses, n1 and n2 answer. */
typedef struct totals {
  int runs, requests, refused, unknown, minority;
  int stale, partition_stale, not_linearizable;
} totals;

static bool add_totals(lab_run *run, void *ctx) {
  totals *t = ctx;
  const kv_record *rec = run->lab_data;
  t->runs++;
  t->requests += rec->requests;
  t->refused += rec->refused;
  t->unknown += rec->unknown;
  t->minority += rec->minority_window;
  t->stale += rec->stale_reads;
  t->partition_stale += rec->partition_stale;
  t->not_linearizable += rec->lin_verdict != LIN_LINEARIZABLE;
  return true;
}

static void cp_partition(void *arg) {
  (void)arg;
  totals t = {0};
  if (cp_sweep("partition-cp", 1, 100, add_totals, &t))
    tap_diag(
        "100 seeds: %d requests, %d refused and %d unknown (%.1f%%); n0's client made %d "
        "requests inside the partition, all refused; every history linearizable",
        t.requests, t.refused, t.unknown, 100.0 * (t.refused + t.unknown) / t.requests, t.minority);
}

/* Property: under loss, duplicates, a crash and random partitions, on 5 replicas. */
static void cp_faults(void *arg) {
  (void)arg;
  cp_sweep("faults-cp", 1, 60, NULL, NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: the AP path (ap.c).
 */

/* Rule: a new tag is (max(clock, held ts + 1), own id). */
typedef struct tag_probe {
  int key;
  kv_tag got;
  sim_time clock;
} tag_probe;

static void poke_tag(sim_node *n, void *state, void *arg) {
  tag_probe *p = arg;
  p->clock = sim_clock(n);
  p->got = ap_next_tag(n, state, p->key);
}

static void ap_tag(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_AP, 3, false);
  sim_set_clock(w, 1, 5 * (int64_t)SIM_SEC, 0); /* n1's clock reads 5s at time 0 */
  char a[48];
  tag_probe p = {.key = 0};
  sim_poke(w, 1, poke_tag, &p);
  tap_ok(p.got.ts == p.clock && p.got.node == 1,
         "n1 holds nothing for k0 and its clock reads %llu: expected the tag (%llu,n1), got %s "
         "(ap_next_tag: ts = sim_clock(n) when it is above the held ts; node = sim_self(n))",
         (unsigned long long)p.clock, (unsigned long long)p.clock, tag_s(p.got, a, sizeof a));
  set_cell(w, 1, 1, cell(9 * SIM_SEC, 2, 2001)); /* a write from a node whose clock is ahead */
  p.key = 1;
  sim_poke(w, 1, poke_tag, &p);
  tap_ok(p.got.ts == 9 * SIM_SEC + 1 && p.got.node == 1,
         "n1 holds k1 with tag (9000000,n2), ahead of its clock %llu: expected (9000001,n1), one "
         "more than held, so the new write wins over what this replica has seen; got %s "
         "(ap_next_tag: max(clock, held ts + 1))",
         (unsigned long long)p.clock, tag_s(p.got, a, sizeof a));
  p.key = 0;
  sim_poke(w, 0, poke_tag, &p); /* n0's clock reads 0 at time 0 */
  tap_ok(p.got.ts == 1 && p.got.node == 0,
         "n0 holds nothing and its clock reads %llu: expected (1,n0), never the zero tag (0,n0) "
         "that means \"never written\"; got %s (ap_next_tag: held ts + 1 is at least 1)",
         (unsigned long long)p.clock, tag_s(p.got, a, sizeof a));
  sim_destroy(w);
}

/* Rule: an AP write is merged and answered at once, then sent to every other replica; a read is
 * answered from the replica's own cell. */
static void ap_write_local(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_AP, 3, false);
  sim_set_clock(w, 2, 2 * (int64_t)SIM_SEC, 0);
  start_req r = {.kind = OP_WRITE, .key = 0, .value = 5003, .req = 1};
  sim_poke(w, 2, poke_begin, &r);
  const kv_state *s = state_of(w, 2);
  char a[48];
  tap_ok(s->rep.store[0].value == 5003 && s->rep.store[0].tag.node == 2 &&
             s->rep.store[0].tag.ts == 2 * SIM_SEC,
         "n2 (clock 2s) takes c5's write of k0=5003: expected its k0 = 5003 with the tag "
         "(2000000,n2); got %d %s (0 is nil) (ap_begin: a new cell from ap_next_tag, kv_merge'd "
         "into the store)",
         (int)s->rep.store[0].value, tag_s(s->rep.store[0].tag, a, sizeof a));
  const sent_msg *m = NULL;
  int replies = count_type(&log, 0, MSG_REPLY, &m);
  if (tap_is_int(replies, 1,
                 "one Reply, in the same step: no waiting for any "
                 "other replica (ap_begin: kv_reply OK)")) {
    const kv_reply_body *b = (const void *)m->body;
    tap_ok(b->status == KV_OK && b->cell.value == 5003 && b->cell.tag.node == 2 && m->to == 5,
           "the Reply to c5 is OK with the new cell; got status %d, value %d, to n%d (ap_begin)",
           (int)b->status, (int)b->cell.value, m->to);
  }
  const sent_msg *up = NULL;
  int updates = count_type(&log, 0, MSG_UPDATE, &up);
  char who[64];
  tap_ok(sent_to(&log, 0, MSG_UPDATE) == 0x3u && updates == 2,
         "an Update to each other replica, n0 and n1: expected 2; got %d, to %s (ap_begin: "
         "ap_send_update to every replica but this one)",
         updates, nodes_s(sent_to(&log, 0, MSG_UPDATE), who, sizeof who));
  if (up) {
    const kv_update_body *u = (const void *)up->body;
    tap_ok(u->key == 0 && u->cell.value == 5003 && u->cell.tag.node == 2,
           "the Update carries k0 and the new cell 5003 (2000000,n2); got k%d, %d %s (ap_begin: "
           "ap_send_update(n, i, key, the cell you merged))",
           (int)u->key, (int)u->cell.value, tag_s(u->cell.tag, a, sizeof a));
  } else {
    tap_diag("no Update was sent, so what an Update carries is not checked");
  }
  /* A read: the replica's own cell, nothing else. */
  int before = log.count;
  start_req rd = {.kind = OP_READ, .key = 0, .req = 2};
  sim_poke(w, 2, poke_begin, &rd);
  m = NULL;
  replies = count_type(&log, before, MSG_REPLY, &m);
  char got[16] = "no Reply";
  if (m) {
    int32_t v = ((const kv_reply_body *)m->body)->cell.value;
    if (v == KV_VALUE_NIL)
      snprintf(got, sizeof got, "nil");
    else
      snprintf(got, sizeof got, "%d", (int)v);
  }
  tap_ok(replies == 1 && log.count - before == 1 && strcmp(got, "5003") == 0,
         "a read of k0 at n2, which took the write of 5003: expected one Reply with 5003 and no "
         "other message; got %d Reply message(s), value %s, and %d message(s) in all (ap_begin: "
         "a read answers s->rep.store[key], where the write must have been merged)",
         replies, got, log.count - before);
  sim_destroy(w);
}

/* Rule: anti-entropy sends the whole store to every other replica; Updates and Syncs merge. */
static void ap_anti_entropy(void *arg) {
  (void)arg;
  sent log = {0};
  sim_world *w = world_of(&log, MODE_AP, 3, false);
  set_cell(w, 0, 0, cell(100, 0, 3001));
  set_cell(w, 0, 1, cell(200, 1, 4001));
  sim_poke(w, 0, poke_anti_entropy, NULL);
  const sent_msg *m = NULL;
  char who[64];
  int syncs = count_type(&log, 0, MSG_SYNC, &m);
  tap_ok(sent_to(&log, 0, MSG_SYNC) == 0x6u && syncs == 2,
         "n0's anti-entropy timer: one Sync to each of n1 and n2; got %d, to %s "
         "(ap_on_anti_entropy: ap_send_sync to every replica but this one)",
         syncs, nodes_s(sent_to(&log, 0, MSG_SYNC), who, sizeof who));
  if (m) {
    const kv_sync_body *sy = (const void *)m->body;
    tap_ok(sy->keys == 2 && sy->cells[0].value == 3001 && sy->cells[1].value == 4001,
           "the Sync carries n0's whole store, k0=3001 and k1=4001 (ap_send_sync does it)");
  }
  /* n1 receives a Sync: k0 newer there, k1 older there: each key merges on its own. */
  set_cell(w, 1, 0, cell(50, 2, 5001));
  set_cell(w, 1, 1, cell(300, 2, 5002));
  from_body f;
  memset(&f, 0, sizeof f);
  f.from = 0;
  f.b.sy.keys = 2;
  f.b.sy.cells[0] = cell(100, 0, 3001);
  f.b.sy.cells[1] = cell(200, 1, 4001);
  sim_poke(w, 1, poke_sync, &f);
  const kv_state *s = state_of(w, 1);
  tap_ok(s->rep.store[0].value == 3001 && s->rep.store[1].value == 5002,
         "n1 holds k0=5001 (50,n2) and k1=5002 (300,n2), and gets a Sync with k0=3001 (100,n0) and "
         "k1=4001 (200,n1): expected k0=3001 (newer) and k1=5002 (kept); got k0=%d k1=%d "
         "(ap_on_sync: kv_merge every cell, key by key)",
         (int)s->rep.store[0].value, (int)s->rep.store[1].value);
  /* Another Sync, the other way round: k0 older, k1 newer. */
  f.b.sy.cells[0] = cell(10, 0, 3000);
  f.b.sy.cells[1] = cell(301, 0, 3003);
  sim_poke(w, 1, poke_sync, &f);
  s = state_of(w, 1);
  tap_ok(s->rep.store[0].value == 3001 && s->rep.store[1].value == 3003,
         "n1 then holds k0=3001 (100,n0) and k1=5002 (300,n2), and gets a Sync with k0=3000 "
         "(10,n0) and k1=3003 (301,n0): expected k0=3001 (kept) and k1=3003 (newer); got k0=%d "
         "k1=%d (ap_on_sync: merge every one of the sy->keys cells, not only the first)",
         (int)s->rep.store[0].value, (int)s->rep.store[1].value);
  memset(&f, 0, sizeof f);
  f.from = 2;
  f.b.up.key = 1;
  f.b.up.cell = cell(302, 0, 3002);
  sim_poke(w, 1, poke_update, &f);
  tap_is_int(state_of(w, 1)->rep.store[1].value, 3002,
             "an Update of k1=3002 (302,n0), newer than n1's (301,n0), is merged (ap_on_update)");
  f.b.up.cell = cell(1, 0, 3000);
  sim_poke(w, 1, poke_update, &f);
  tap_is_int(state_of(w, 1)->rep.store[1].value, 3002,
             "an older Update (1,n0) changes nothing (ap_on_update: kv_merge, not assignment)");
  sim_destroy(w);
}

/* Property: under the partition, AP answers every request OK. (Judged on the record alone, so a
 * convergence problem is left to the convergence case.) */
static void ap_available(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab09, "partition-ap");
  int answered = 0, requests = 0;
  for (uint64_t seed = 1; seed <= 100; seed++) {
    tap_replay("%s --scenario partition-ap --seed %llu --viz", tap_driver(),
               (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab09.id, .scenario = sc->name};
    sc->run(&run);
    const kv_record *rec = run.lab_data;
    const char *report = NULL;
    bool ok = !sim_violated(run.world, &report);
    if (!ok) tap_ok(false, "partition-ap, seed %llu: %s", (unsigned long long)seed, report);
    if (ok)
      ok = tap_ok(rec->ok == rec->requests,
                  "partition-ap, seed %llu: %d of %d requests answered OK (%d refused, %d unknown, "
                  "%d got no answer): in AP a replica answers every request from its own store, "
                  "partition or not (ap_begin)",
                  (unsigned long long)seed, rec->ok, rec->requests, rec->refused, rec->unknown,
                  rec->gave_up);
    answered += rec->ok;
    requests += rec->requests;
    lab_end(&run);
    if (!ok) return;
  }
  tap_diag("100 seeds: %d of %d requests answered OK, none refused", answered, requests);
}

/* Demonstration: under the same partition, AP histories are not linearizable, and n0's client
 * reads values that were overwritten on the other side before it asked. */
static bool partition_anomaly(lab_run *run, void *ctx) {
  (void)ctx;
  const kv_record *rec = run->lab_data;
  if (!rec || !rec->lin_checked || rec->lin_verdict != LIN_NOT_LINEARIZABLE ||
      rec->partition_stale == 0)
    return false;
  tap_diag("a stale read the partition caused: %s", rec->stale);
  tap_diag(
      "the checker's explanation (its first anomaly may come before the partition: "
      "replication lag alone breaks linearizability in AP):");
  tap_diag_lines(rec->lin_explanation);
  return true;
}

static void ap_not_linearizable(void *arg) {
  (void)arg;
  tap_search(&lab09, "partition-ap", 1, 50, partition_anomaly, NULL,
             "no AP run was found non-linearizable with a stale read by c3 during the "
             "partition: does ap_begin answer reads from the replica's own store?");
}

/* Property: after the heal the replicas converge, and every acknowledged write is kept,
 * overwritten by a later write, or lost to a concurrent write with a higher tag (counted). */
static bool add_lww(lab_run *run, void *ctx) {
  int *c = ctx;
  const kv_record *rec = run->lab_data;
  c[0] += rec->acked_writes;
  c[1] += rec->lww_discarded;
  return true;
}

static void ap_converges(void *arg) {
  (void)arg;
  int lww[2] = {0, 0};
  if (!tap_sweep(&lab09, "partition-ap", 1, 100, add_lww, lww)) return;
  tap_diag(
      "partition-ap, 100 seeds: %d acknowledged writes, %d of them discarded by last "
      "writer wins (a concurrent write had a higher tag), none lost otherwise",
      lww[0], lww[1]);
  lww[0] = lww[1] = 0;
  if (tap_sweep(&lab09, "faults-ap", 1, 60, add_lww, lww))
    tap_diag("faults-ap, 60 seeds: %d acknowledged writes, %d discarded by last writer wins",
             lww[0], lww[1]);
}

/* ---------------------------------------------------------------------------------------------
 * Part 4: PACELC, the cost in normal operation.
 */

/* Run a scenario on one seed and copy its record (NULL verdict ok); false if it did not hold. */
static bool record_of(const char *scenario, uint64_t seed, kv_record *out) {
  const lab_scenario *sc = lab_find(&lab09, scenario);
  tap_replay("%s --scenario %s --seed %llu --viz", tap_driver(), scenario,
             (unsigned long long)seed);
  lab_run run = {.seed = seed, .lab_id = lab09.id, .scenario = sc->name};
  bool held = sc->run(&run);
  if (!held) tap_ok(false, "%s, seed %llu: %s", scenario, (unsigned long long)seed, run.verdict);
  if (run.lab_data) *out = *(const kv_record *)run.lab_data;
  lab_end(&run);
  return held;
}

static double msec(sim_time t) { return (double)t / 1000.0; }

/* Property: without a partition, CP pays in latency: its median is above AP's, seed by seed. */
static void latency(void *arg) {
  (void)arg;
  static kv_record cp, ap;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    if (!record_of("normal-cp", seed, &cp) || !record_of("normal-ap", seed, &ap)) return;
    if (seed <= 3)
      tap_diag("seed %llu: median read CP %.1f ms, AP %.1f ms; median write CP %.1f ms, AP %.1f ms",
               (unsigned long long)seed, msec(cp.median_read), msec(ap.median_read),
               msec(cp.median_write), msec(ap.median_write));
    bool ok =
        tap_ok(cp.median_read > ap.median_read && cp.median_write > ap.median_write,
               "normal operation, seed %llu: CP's median latency (read %.1f ms, write %.1f ms) "
               "must be above AP's (read %.1f ms, write %.1f ms): CP waits for a majority, "
               "AP for nobody",
               (unsigned long long)seed, msec(cp.median_read), msec(cp.median_write),
               msec(ap.median_read), msec(ap.median_write));
    /* In virtual time: AP is one client round trip (2..4 ms); CP adds two round trips between
     * replicas (at least 2 x 2 x 5 ms). */
    ok =
        ok && tap_ok(ap.median_read <= 5 * SIM_MS && ap.median_write <= 5 * SIM_MS,
                     "seed %llu: AP's medians (read %.1f ms, write %.1f ms) are at most 5 ms, a "
                     "client round trip: an AP replica answers without asking any other (ap_begin)",
                     (unsigned long long)seed, msec(ap.median_read), msec(ap.median_write));
    ok = ok && tap_ok(cp.median_read >= 20 * SIM_MS && cp.median_write >= 20 * SIM_MS,
                      "seed %llu: CP's medians (read %.1f ms, write %.1f ms) are at least 20 ms: "
                      "two round trips to a majority (QUERY, then STORE), 5 ms each way at the "
                      "least",
                      (unsigned long long)seed, msec(cp.median_read), msec(cp.median_write));
    if (!ok) return;
  }
}

/* Demonstration: the knob. Local reads (PC/EL) are as fast as AP's, and may be stale. */
static bool stale_local(lab_run *run, void *ctx) {
  (void)ctx;
  const kv_record *rec = run->lab_data;
  if (!rec || rec->stale_reads == 0) return false;
  tap_diag("a stale local read: %s", rec->stale);
  return true;
}

static void knob(void *arg) {
  (void)arg;
  static kv_record ec, el;
  if (!record_of("normal-cp", 1, &ec) || !record_of("normal-cp-local", 1, &el)) return;
  tap_diag("seed 1: median read PC/EC %.1f ms, PC/EL %.1f ms; median write %.1f ms and %.1f ms",
           msec(ec.median_read), msec(el.median_read), msec(ec.median_write),
           msec(el.median_write));
  if (!tap_ok(el.median_read * 4 < ec.median_read,
              "with the knob on local reads, the median read (%.1f ms) must be far below the "
              "majority read's (%.1f ms) (cp_begin: answer a read_local read at once)",
              msec(el.median_read), msec(ec.median_read)))
    return;
  tap_search(&lab09, "normal-cp-local", 1, 50, stale_local, NULL,
             "no stale read with local reads in 50 seeds: n0 is 20..40 ms from the others, so "
             "its copy lags behind writes that n1 and n2 complete between themselves");
}

/* Property: the compare table's claims (CP refuses and stays linearizable, AP answers all and is
 * not, CP is slower in normal operation, local reads are faster). */
static bool show_table(lab_run *run, void *ctx) {
  (void)ctx;
  tap_diag_lines(run->verdict);
  return true;
}

static void compare(void *arg) {
  (void)arg;
  tap_sweep(&lab09, "compare", 1, 1, show_table, NULL);
}

int main(void) {
  tap_case("1. merge: the newer (timestamp, node) tag wins; older and equal change nothing",
           merge_rule, NULL);
  tap_case("1. a replica answers a Query with the cell it holds", replica_query, NULL);
  tap_case("1. a replica merges a Store (newer only) and acknowledges it either way", replica_store,
           NULL);
  tap_case("2. CP write: QUERY a majority, STORE (highest ts + 1, own id), OK at a majority",
           cp_write, NULL);
  tap_case("2. CP read: the newest of a majority is written back before the answer", cp_read, NULL);
  tap_case("2. CP: each replica counts once; a phase-1 answer in phase 2 is ignored",
           cp_counts_once, NULL);
  tap_case("2. CP deadline: REFUSED, but UNKNOWN for a write already in STORE", cp_deadline, NULL);
  tap_case("2. PACELC knob: with read_local a CP read is answered by the home replica at once",
           cp_read_local, NULL);
  tap_case("2. CP, no partition: nothing refused, linearizable (30 seeds)", cp_normal, NULL);
  tap_case("2. CP under the partition: linearizable; n0 refuses, n1 and n2 answer (100 seeds)",
           cp_partition, NULL);
  tap_case("2. CP on 5 replicas: loss, duplicates, a crash, partitions: linearizable (60 seeds)",
           cp_faults, NULL);
  tap_case("3. AP tag: (max(clock, held ts + 1), own id)", ap_tag, NULL);
  tap_case("3. AP write: merged and answered at once, then an Update to every other replica",
           ap_write_local, NULL);
  tap_case("3. AP anti-entropy: the whole store to every other replica; merged key by key",
           ap_anti_entropy, NULL);
  tap_case("3. AP under the partition: every request answered OK (100 seeds)", ap_available, NULL);
  tap_case("3. AP under the partition: not linearizable, c3 reads stale values (found, shown)",
           ap_not_linearizable, NULL);
  tap_case("3. AP after the heal: converged; no acked write lost but by the merge (160 seeds)",
           ap_converges, NULL);
  tap_case("4. no partition: CP's median latency above AP's, in virtual time (20 seeds)", latency,
           NULL);
  tap_case("4. the knob: local reads (PC/EL) are fast and can be stale (found, shown)", knob, NULL);
  tap_case("4. compare: refused, not linearizable, stale reads and latency, every mode", compare,
           NULL);
  return tap_done();
}
