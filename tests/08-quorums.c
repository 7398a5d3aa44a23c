/*
 * tests/08-quorums.c: lab 08's tests: quorums, read repair, hinted handoff and ABD.
 *
 * One case per rule, in the order the chapter builds them, so a learner sees which part is wrong:
 * first the replica's rules, one handler at a time, on a world where we hand it messages
 * ourselves; then the quorum client's write and read rules, checked on every operation as it
 * completes (and the read's tie-break by hand, as no scenario produces equal timestamps); then
 * what they buy (with R + W > N every read sees every completed write) and what they do not
 * (with R + W <= N stale reads happen; without a write-back the register is not linearizable);
 * then hinted handoff; then ABD under faults, checked by the linearizability checker.
 * Demonstrations search seeds until they find the anomaly and show it.
 */
#include <string.h>

#include "lab.h"
#include "lincheck.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * A small world for the replica's rules: replicas n0, n1, n2 and a client c3 (node 3) that runs
 * nothing. We hand n0 (or n1) messages with sim_poke and watch what it sends. The client's rules
 * use the same world with N=3 and R=W=2: we start c3's operations and hand it replies ourselves.
 * Tags print as the scenarios print them: (timestamp,c<writer id>).
 */
typedef tap_sent sent; /* the last message sent (tests/tap.h) */

static sim_world *world_of(sent *seen, q_mode mode, int n, int r, int w_) {
  sim_world *w = sim_create(1);
  q_config rep = {
      .role = ROLE_REPLICA, .mode = mode, .replicas = 3, .n = n, .r = r, .w = w_, .keys = 2};
  q_config cli = rep;
  cli.role = ROLE_CLIENT;
  cli.ops = 0;
  for (int i = 0; i < 3; i++) sim_add_node(w, &quorum_protocol, &rep, sizeof rep);
  sim_add_node(w, &quorum_protocol, &cli, sizeof cli);
  sim_set_node_name(w, 3, "c3"); /* a client, named as the scenarios name theirs */
  tap_watch_sends(w, seen);
  sim_start(w);
  return w;
}

static sim_world *small_world(sent *seen) { return world_of(seen, MODE_SLOPPY, 2, 1, 1); }

static void poke_write(sim_node *n, void *state, void *arg) { replica_on_write(n, state, 3, arg); }
static void poke_read(sim_node *n, void *state, void *arg) { replica_on_read(n, state, 3, arg); }
static void poke_repair(sim_node *n, void *state, void *arg) { replica_on_repair(n, state, arg); }
static void poke_handoff_timer(sim_node *n, void *state, void *arg) {
  (void)arg;
  replica_on_handoff_timer(n, state);
}
static void poke_handoff(sim_node *n, void *state, void *arg) {
  replica_on_handoff(n, state, 0, arg);
}
static void poke_handoff_ack(sim_node *n, void *state, void *arg) {
  replica_on_handoff_ack(n, state, arg);
}

static q_tag tag_of(uint64_t ts, int writer) { return (q_tag){.ts = ts, .writer = writer}; }

/* Print a text of several lines (the linearizability checker's explanation) as diagnostics, one
 * line each: a single tap_ok or tap_diag message is kept on one line, with its newlines flattened,
 * and the checker's table would then run together. */
static void diag_lines(const char *text) {
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    int len = end ? (int)(end - line) : (int)strlen(line);
    tap_diag("%.*s", len, line);
    line = end ? end + 1 : line + len;
  }
}

static q_cell cell_of(sim_world *w, int node, int key) {
  return ((const q_state *)sim_state(w, node))->rep.store[key];
}

/* Rule (Part A): a replica keeps a write only if its tag is newer, ties broken by writer id,
 * and acknowledges every write, kept or not. */
static void replica_keeps_newer(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen);
  /* Step 1: a first write of k0 is kept and acknowledged to its sender. */
  q_write_body first = {.op = 1, .key = 0, .tag = tag_of(5000, 3), .value = 3001, .hint = -1};
  sim_poke(w, 0, poke_write, &first);
  tap_is_int(cell_of(w, 0, 0).value, 3001,
             "n0 got the first write of k0 (3001, tag (5000,c3)): its store's k0 holds it "
             "(replica_on_write: a tag newer than the zero tag is kept)");
  tap_is_int(seen.count, 1, "messages n0 sent for one write: one, its ack (replica_on_write)");
  tap_is_int(seen.type, MSG_WRITE_ACK,
             "the type of n0's message for a write: a WriteAck is type %d (replica_on_write: "
             "q_ack_write)",
             MSG_WRITE_ACK);
  tap_is_int(seen.to, 3,
             "n0 acknowledges the write to its writer, c3 (replica_on_write: ack `from`)");
  const q_write_ack_body *ack = (const void *)seen.body;
  tap_ok(ack->op == 1 && ack->key == 0 && q_tag_cmp(ack->tag, first.tag) == 0,
         "n0's ack carries op %u, k%d, tag (%llu,c%d); expected the write's op 1, k0, tag "
         "(5000,c3) (replica_on_write: q_ack_write(n, from, w->op, w->key, w->tag))",
         ack->op, (int)ack->key, (unsigned long long)ack->tag.ts, (int)ack->tag.writer);
  /* Step 2: an older write (smaller timestamp) arrives late: ignored, still acknowledged. */
  q_write_body older = {.op = 2, .key = 0, .tag = tag_of(4000, 9), .value = 9001, .hint = -1};
  sim_poke(w, 0, poke_write, &older);
  tap_is_int(cell_of(w, 0, 0).value, 3001,
             "n0 holds 3001 with tag (5000,c3) and gets 9001 with the older tag (4000,c9): it "
             "keeps 3001; a replica never goes back to an older tag (replica_on_write: store only "
             "if q_tag_cmp says newer)");
  tap_is_int(seen.count, 2,
             "messages n0 sent for two writes, the second with the older tag (4000,c9): an older "
             "write is still acknowledged, as n0 holds something at least as new "
             "(replica_on_write: ack in either case)");
  /* Step 3: the same timestamp from a writer with a higher id is newer. */
  q_write_body tie = {.op = 3, .key = 0, .tag = tag_of(5000, 4), .value = 4001, .hint = -1};
  sim_poke(w, 0, poke_write, &tie);
  tap_is_int(cell_of(w, 0, 0).value, 4001,
             "n0 holds 3001 with tag (5000,c3) and gets 4001 with (5000,c4): (5000,c4) is newer; "
             "ties go to the higher writer id (replica_on_write: compare tags with q_tag_cmp, not "
             "timestamps alone)");
  /* Step 4: a duplicate of the first write changes nothing. */
  sim_poke(w, 0, poke_write, &first);
  tap_is_int(cell_of(w, 0, 0).value, 4001,
             "n0 holds 4001 with tag (5000,c4) and gets a duplicate of 3001 with (5000,c3): it "
             "keeps 4001; a replica never goes back (replica_on_write: store only if newer)");
  tap_is_int(cell_of(w, 0, 1).value, Q_VALUE_NIL,
             "n0's k1 was never written, so it holds nil (%d) (replica_on_write: store under "
             "w->key)",
             Q_VALUE_NIL);
  sim_destroy(w);
}

/* Rule (Part A): a replica answers a Read with the tag and value it holds. */
static void replica_answers_reads(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen);
  q_write_body wr = {.op = 1, .key = 1, .tag = tag_of(7000, 3), .value = 3002, .hint = -1};
  sim_poke(w, 0, poke_write, &wr);
  q_read_body rd = {.op = 4, .key = 1};
  sim_poke(w, 0, poke_read, &rd);
  const q_read_reply_body *r = (const void *)seen.body;
  tap_is_int(seen.type, MSG_READ_REPLY, "a Read is answered with a ReadReply");
  tap_is_int(seen.to, 3, "to the reader, c3");
  tap_ok(r->op == 4 && r->key == 1, "the reply carries the read's op (4) and key (k1)");
  tap_ok(q_tag_cmp(r->tag, wr.tag) == 0 && r->value == 3002, "and the tag and value held (3002)");
  q_read_body none = {.op = 5, .key = 0};
  sim_poke(w, 0, poke_read, &none);
  tap_ok(r->tag.ts == 0 && r->tag.writer == 0 && r->value == Q_VALUE_NIL,
         "a key never written is answered with the zero tag and nil");
  sim_destroy(w);
}

/* Rule (Part A): a Repair is kept only if newer, and is not answered. */
static void replica_repair(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen);
  q_repair_body fix = {.key = 0, .value = 3005, .tag = tag_of(9000, 3)};
  sim_poke(w, 0, poke_repair, &fix);
  tap_is_int(cell_of(w, 0, 0).value, 3005, "a Repair with a newer tag is stored");
  tap_is_int(seen.count, 0, "a Repair is not answered");
  q_repair_body stale = {.key = 0, .value = 3001, .tag = tag_of(1000, 3)};
  sim_poke(w, 0, poke_repair, &stale);
  tap_is_int(cell_of(w, 0, 0).value, 3005, "a Repair with an older tag is ignored");
  sim_destroy(w);
}

/* Rule (Part B): a write with a hint is held apart, in a hint slot, not in the store; acked. */
static void replica_holds_hints(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen);
  q_write_body hinted = {.op = 2, .key = 0, .tag = tag_of(6000, 3), .value = 3007, .hint = 1};
  sim_poke(w, 2, poke_write, &hinted);
  const q_state *s = sim_state(w, 2);
  tap_is_int(s->rep.store[0].value, Q_VALUE_NIL,
             "the stand-in n2 does not put n1's write in its own store");
  int held = 0, home = -1;
  for (int i = 0; i < Q_MAX_HINTS; i++)
    if (s->rep.hints[i].used) held++, home = s->rep.hints[i].home;
  tap_is_int(held, 1, "n2 holds exactly one hint");
  tap_is_int(home, 1, "the hint names n1 as its home");
  tap_is_int(seen.type, MSG_WRITE_ACK, "the hinted write is acknowledged");
  tap_is_int(seen.to, 3, "to the writer");
  /* The writer resends a hinted write until it is acked, and acks get lost: the same write
   * (same home, key and tag) arriving again must not take a second slot, or retransmissions fill
   * all Q_MAX_HINTS slots and the stand-in stops accepting hints. */
  int before = seen.count;
  sim_poke(w, 2, poke_write, &hinted);
  s = sim_state(w, 2);
  held = 0;
  for (int i = 0; i < Q_MAX_HINTS; i++) held += s->rep.hints[i].used;
  tap_is_int(held, 1,
             "n2 got the same hinted write twice (home n1, k0=3007, tag (6000,c3)): it holds one "
             "hint, not two; a retransmission matches a held hint with the same home, key and tag "
             "(replica_on_write: look for it before taking a free slot)");
  tap_ok(seen.count - before == 1 && seen.type == MSG_WRITE_ACK && seen.to == 3,
         "the retransmitted hinted write is acknowledged again, to the writer c3 (its first ack "
         "may have been lost) (replica_on_write)");
  sim_destroy(w);
}

/* Rule (Part B): the handoff timer sends each hint to its home and keeps it; the home stores it
 * and acks; the ack frees the slot. */
static void handoff_rules(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = small_world(&seen);
  q_write_body hinted = {.op = 2, .key = 1, .tag = tag_of(6000, 3), .value = 3007, .hint = 1};
  sim_poke(w, 0, poke_write, &hinted);
  int before = seen.count;
  sim_poke(w, 0, poke_handoff_timer, NULL);
  tap_is_int(seen.count - before, 1, "the handoff timer sends one Handoff for the one hint");
  tap_is_int(seen.type, MSG_HANDOFF, "a Handoff");
  tap_is_int(seen.to, 1, "to the hint's home, n1");
  q_handoff_body h;
  memcpy(&h, seen.body, sizeof h);
  tap_ok(h.key == 1 && h.value == 3007 && q_tag_cmp(h.tag, hinted.tag) == 0,
         "carrying the hinted key, value and tag");
  const q_state *s = sim_state(w, 0);
  tap_ok(s->rep.hints[h.slot % Q_MAX_HINTS].used, "the hint stays until its home acknowledges");
  /* The home keeps it and acks. */
  sim_poke(w, 1, poke_handoff, &h);
  tap_is_int(cell_of(w, 1, 1).value, 3007, "the home n1 stores the handed-off value");
  tap_is_int(seen.type, MSG_HANDOFF_ACK, "and acknowledges with a HandoffAck");
  tap_is_int(seen.to, 0, "to the stand-in n0");
  q_handoff_ack_body ack;
  memcpy(&ack, seen.body, sizeof ack);
  tap_ok(ack.slot == h.slot && ack.key == 1 && q_tag_cmp(ack.tag, h.tag) == 0,
         "the ack echoes the slot, key and tag");
  /* An ack for another tag does not free the slot; the right one does. */
  q_handoff_ack_body wrong = ack;
  wrong.tag.ts = 1;
  sim_poke(w, 0, poke_handoff_ack, &wrong);
  s = sim_state(w, 0);
  tap_ok(s->rep.hints[h.slot % Q_MAX_HINTS].used,
         "n0's hint slot %u holds k1 with tag (6000,c3); a HandoffAck for slot %u, k1, tag (1,c3) "
         "arrived: expected the slot still in use, got it freed: free a slot only if it still "
         "holds the acknowledged key and tag, as it may have been reused "
         "(replica_on_handoff_ack: compare the tags with q_tag_cmp)",
         h.slot, wrong.slot);
  sim_poke(w, 0, poke_handoff_ack, &ack);
  s = sim_state(w, 0);
  tap_ok(!s->rep.hints[h.slot % Q_MAX_HINTS].used, "the matching ack frees the slot");
  before = seen.count;
  sim_poke(w, 0, poke_handoff_timer, NULL);
  tap_is_int(seen.count - before, 0, "no hints left: the next tick sends nothing");
  sim_destroy(w);
}

/* ---------------------------------------------------------------------------------------------
 * The quorum client (Part A). The scenarios' invariant judges every operation as it completes.
 */

/* Rule: a write is tagged (clock, own id), sent to the N homes, done at the W-th distinct ack
 * (a third of the messages are duplicated, so counting acks instead of replicas fails). */
static void write_rule(void *arg) {
  (void)arg;
  tap_sweep(&lab08, "writes", 1, 30, NULL, NULL);
}

/* Rule: a read is done at the R-th distinct reply and returns the newest of those replies. */
static bool reads_happened(lab_run *run, void *ctx) {
  (void)ctx;
  size_t n;
  const sim_op_record *h = sim_history(run->world, &n);
  int reads = 0;
  for (size_t i = 0; i < n; i++) reads += h[i].phase == SIM_OP_OK && strcmp(h[i].op, "read") == 0;
  return tap_ok(reads > 10, "seed %llu: %d reads completed", (unsigned long long)run->seed, reads);
}

static void read_rule(void *arg) {
  (void)arg;
  tap_sweep(&lab08, "strict", 1, 30, reads_happened, NULL);
}

/* Start a read at the client c3 as protocol.c does (fresh operation state, then the mode's
 * *_start function), without its workload. arg: the operation number. */
static void poke_start_read(sim_node *n, void *state, void *arg) {
  q_state *s = state;
  q_client *c = &s->cli;
  int started = c->ops_started, ok = c->ops_ok;
  memset(c, 0, sizeof *c);
  c->op = *(const uint32_t *)arg;
  c->ops_started = started + 1;
  c->ops_ok = ok;
  c->kind = OP_READ;
  c->key = 0;
  for (int i = 0; i < Q_MAX_REPLICAS; i++) c->hint_of[i] = -1;
  if (s->cfg.mode == MODE_ABD)
    abd_read_start(n, s);
  else
    client_read_start(n, s);
}

typedef struct reply_from {
  int from;
  q_read_reply_body body;
} reply_from;

static void poke_read_reply(sim_node *n, void *state, void *arg) {
  const reply_from *r = arg;
  q_state *s = state;
  if (s->cfg.mode == MODE_ABD)
    abd_on_read_reply(n, s, r->from, &r->body);
  else
    client_on_read_reply(n, s, r->from, &r->body);
}

/* Two replicas answer a read of k0 with equal timestamps: `first` from n0, then `second` from
 * n1 (R, or ABD's majority, is 2 of N=3). */
static void two_replies(sim_world *w, uint32_t op, q_tag first, int32_t first_value, q_tag second,
                        int32_t second_value) {
  sim_poke(w, 3, poke_start_read, &op);
  reply_from a = {0, {.op = op, .key = 0, .tag = first, .value = first_value}};
  reply_from b = {1, {.op = op, .key = 0, .tag = second, .value = second_value}};
  sim_poke(w, 3, poke_read_reply, &a);
  sim_poke(w, 3, poke_read_reply, &b);
}

/* Rule (Part A): the newest reply wins by q_tag_cmp: timestamp, then writer id. Every scenario
 * writer has its own clock reading, so only this case makes two replies tie on the timestamp. */
static void read_tie_break(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = world_of(&seen, MODE_QUORUM, 3, 2, 2);
  /* The lower writer id answers first, then the higher. */
  two_replies(w, 1, tag_of(5000, 3), 3001, tag_of(5000, 4), 4001);
  const q_client *c = &((const q_state *)sim_state(w, 3))->cli;
  if (!tap_ok(c->done && c->ops_ok == 1,
              "the read completes at R=2 distinct replies "
              "(client_on_read_reply)")) {
    sim_destroy(w);
    return;
  }
  const q_repair_body *fix = (const void *)seen.body;
  if (tap_is_int(c->read_result, 4001,
                 "n0 answered 3001 with tag (5000,c3), n1 4001 with (5000,c4): (5000,c4) is newer "
                 "than (5000,c3): ties go to the higher writer id (client_on_read_reply: compare "
                 "tags with q_tag_cmp, not timestamps alone)")) {
    /* The client's last message: its Reads went out at the start, so a Repair comes last. */
    char got[160];
    if (seen.type != MSG_REPAIR)
      snprintf(got, sizeof got, "none was sent");
    else
      snprintf(got, sizeof got, "got a Repair of %d, tag (%llu,c%d), to n%d", (int)fix->value,
               (unsigned long long)fix->tag.ts, (int)fix->tag.writer, seen.to);
    tap_ok(seen.type == MSG_REPAIR && seen.to == 0 && fix->value == 4001 &&
               q_tag_cmp(fix->tag, tag_of(5000, 4)) == 0,
           "expected a Repair of 4001, tag (5000,c4), to n0; %s: n0 answered (5000,c3), older than "
           "the (5000,c4) the read returned, and read repair sends the returned value to every "
           "replica that answered with an older tag (client_on_read_reply: after q_complete, "
           "compare c->seen[i] with the returned tag)",
           got);
  }
  /* The higher writer id answers first: a later tie must not replace it. */
  two_replies(w, 2, tag_of(5000, 4), 4001, tag_of(5000, 3), 3001);
  c = &((const q_state *)sim_state(w, 3))->cli;
  tap_ok(c->done && c->ops_ok == 2, "the second read completes too (client_on_read_reply)");
  tap_is_int(c->read_result, 4001,
             "n0 answered 4001 with tag (5000,c4), then n1 3001 with (5000,c3): (5000,c4) is newer "
             "than (5000,c3): ties go to the higher writer id, so the later reply does not replace "
             "it (client_on_read_reply: replace only when q_tag_cmp says newer)");
  sim_destroy(w);
}

/* Property: with R + W > N every read sees the latest completed write, also with crashes,
 * restarts, an isolated replica and 10% loss. */
static void intersection(void *arg) {
  (void)arg;
  if (tap_sweep(&lab08, "strict", 31, 100, NULL, NULL))
    tap_sweep(&lab08, "strict-faults", 1, 60, NULL, NULL);
}

/* Demonstration: with R + W <= N a read quorum can miss a write quorum. Search seeds for a stale
 * read and show it; the search must succeed. */
static void stale_read_found(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab08, "weak");
  for (uint64_t seed = 1; seed <= 100; seed++) {
    tap_replay("%s --scenario weak --seed %llu --viz", tap_driver(), (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab08.id, .scenario = "weak"};
    bool held = sc->run(&run);
    const q_record *rec = run.lab_data;
    int stale = rec ? rec->stale_reads : 0;
    if (!held && stale == 0) {
      tap_ok(false, "seed %llu broke a rule before any stale read: %s", (unsigned long long)seed,
             run.verdict);
      lab_end(&run);
      return;
    }
    if (stale) {
      tap_diag("found at seed %llu: %s", (unsigned long long)seed, run.verdict);
      tap_diag("replay: %s --scenario weak --seed %llu --viz", tap_driver(),
               (unsigned long long)seed);
      lab_end(&run);
      tap_ok(true, "N=3 R=1 W=1 shows a stale read at seed %llu", (unsigned long long)seed);
      return;
    }
    lab_end(&run);
  }
  tap_ok(false,
         "no stale read in 100 seeds with R=1 W=1 N=3: do reads really take the first R "
         "replies, and writes complete at the first W acks?");
}

/* Demonstration: Part A's tags come from the writers' clocks, so a writer whose clock runs 300ms
 * ahead wins over writes that come after its own: those later writes are silently lost ("last
 * write wins" by the clock). The test finds a seed where a read then misses a completed write. */
static void skewed_clock_loses_writes(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab08, "strict");
  const char *faults = "0s skew 4 +300ms";
  for (uint64_t seed = 1; seed <= 50; seed++) {
    tap_replay("%s --scenario strict --seed %llu --nemesis '%s' --viz", tap_driver(),
               (unsigned long long)seed, faults);
    lab_run run = {.seed = seed, .nemesis = faults, .lab_id = lab08.id, .scenario = "strict"};
    bool held = sc->run(&run);
    const q_record *rec = run.lab_data;
    int stale = rec ? rec->stale_reads : 0;
    const char *report = NULL;
    bool broke = !held && sim_violated(run.world, &report);
    if (broke) tap_ok(false, "seed %llu broke a rule: %s", (unsigned long long)seed, run.verdict);
    if (!broke && stale) {
      tap_diag("found at seed %llu: %s", (unsigned long long)seed, rec->stale);
      tap_ok(true, "with c4's clock 300ms ahead, a completed write was lost at seed %llu",
             (unsigned long long)seed);
    }
    lab_end(&run);
    if (broke || stale) return;
  }
  tap_ok(false,
         "no lost write in 50 seeds with c4's clock 300ms ahead: are write tags taken "
         "from the writer's clock (sim_clock)?");
}

/* Rule: read repair sends the newest value to a replica that answered with an older one. */
static void read_repair(void *arg) {
  (void)arg;
  tap_sweep(&lab08, "read-repair", 1, 20, NULL, NULL);
}

/* Demonstration: without a write-back, a slow write and concurrent reads give a history that is
 * not linearizable (a new-old inversion). Search seeds; the checker finds and explains one. */
static void quorum_not_linearizable(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab08, "slow-write");
  for (uint64_t seed = 1; seed <= 200; seed++) {
    tap_replay("%s --scenario slow-write --seed %llu --viz", tap_driver(),
               (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab08.id, .scenario = "slow-write"};
    bool held = sc->run(&run);
    const char *report = NULL;
    if (!held && sim_violated(run.world, &report)) {
      tap_ok(false, "seed %llu broke a rule: %s", (unsigned long long)seed, run.verdict);
      lab_end(&run);
      return;
    }
    if (!held) {
      size_t n;
      const sim_op_record *h = sim_history(run.world, &n);
      lin_result r;
      lin_verdict v = lincheck_check_records(h, n, &lin_model_register, &r);
      tap_is_int(v, LIN_NOT_LINEARIZABLE, "seed %llu: the checker says not linearizable",
                 (unsigned long long)seed);
      tap_diag("found at seed %llu; replay: %s --scenario slow-write --seed %llu --viz",
               (unsigned long long)seed, tap_driver(), (unsigned long long)seed);
      diag_lines(r.explanation);
      lincheck_result_free(&r);
      lab_end(&run);
      return;
    }
    lab_end(&run);
  }
  tap_ok(false, "no non-linearizable history in 200 seeds of slow-write");
}

/* ---------------------------------------------------------------------------------------------
 * Part B: sloppy quorum and hinted handoff.
 */

/* Rule: while two homes are cut off, writes still complete, acknowledged by fallbacks that hold
 * hints (checked on its own, before the handoff properties). The scenario's record is read even
 * when its verdict fails, as long as no invariant broke. */
static void sloppy_accepts(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab08, "sloppy");
  for (uint64_t seed = 1; seed <= 20; seed++) {
    tap_replay("%s --scenario sloppy --seed %llu --viz", tap_driver(), (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab08.id, .scenario = "sloppy"};
    sc->run(&run);
    const q_record *rec = run.lab_data;
    const char *report = NULL;
    bool ok = !sim_violated(run.world, &report);
    if (!ok) tap_ok(false, "seed %llu: %s", (unsigned long long)seed, report);
    if (ok)
      ok = tap_ok(rec->hinted_acked > 0,
                  "sloppy, seed %llu: fallbacks acknowledged %d hinted writes; expected some, as "
                  "n1 and n2 were cut off from 100ms to 1s: when a write's homes stay silent for "
                  "sloppy_after, send it to the next unused fallback with hint = the silent home "
                  "(with n1 and n2 silent: k0 goes to n3 for n1 and n4 for n2, k1 to n4 for n1 and "
                  "n0 for n2) (client_on_sloppy_timer), "
                  "and a fallback holds a hinted write and acknowledges it (replica_on_write)",
                  (unsigned long long)seed, rec->hinted_acked);
    if (ok)
      ok = tap_ok(rec->partition_writes > 0,
                  "sloppy, seed %llu: %d writes began and completed while n1 and n2 were cut off "
                  "(100ms to 1s); expected some, as fallbacks acknowledged %d hinted writes: a "
                  "fallback's ack counts toward W like a home's, once per distinct replica "
                  "(client_on_write_ack)",
                  (unsigned long long)seed, rec->partition_writes, rec->hinted_acked);
    lab_end(&run);
    if (!ok) return;
  }
}

/* Property: after healing, every hinted write reaches its home and is stored there (the scenario
 * checks each home's store right after it handles a Handoff: later writes would hide a home that
 * acknowledges a handoff without storing it), every hint is dropped, and the newest acknowledged
 * write of every key is on enough homes for any read quorum. */
static void handoff_after_heal(void *arg) {
  (void)arg;
  tap_sweep(&lab08, "sloppy", 1, 60, NULL, NULL);
}

/* ---------------------------------------------------------------------------------------------
 * Part C: ABD.
 */

/* A seed sweep of a Part C scenario (under the fault schedule `nemesis`, or none), as tap_sweep
 * does it, except for how a failure is shown: the verdict's first line is the failed check, and
 * the rest of it (the checker's explanation of a non-linearizable history) follows one
 * diagnostic line per line, as test 11 and the driver print it; a non-linearizable history also
 * gets a line pointing at ABD's usual mistakes. Returns true if every seed held. */
static bool abd_sweep(const char *scenario, const char *nemesis, uint64_t first, uint64_t last) {
  const lab_scenario *sc = lab_find(&lab08, scenario);
  char faults[160] = "";
  if (nemesis) snprintf(faults, sizeof faults, " --nemesis '%s'", nemesis);
  for (uint64_t seed = first; seed <= last; seed++) {
    tap_replay("%s --scenario %s --seed %llu%s --viz", tap_driver(), scenario,
               (unsigned long long)seed, faults);
    lab_run run = {.seed = seed, .nemesis = nemesis, .lab_id = lab08.id, .scenario = sc->name};
    if (sc->run(&run)) {
      lab_end(&run);
      continue;
    }
    /* Not linearizable, or another failure (a broken rule, operations that did not complete)? */
    const char *report = NULL;
    bool not_linearizable = false;
    if (!sim_violated(run.world, &report)) {
      size_t n;
      const sim_op_record *h = sim_history(run.world, &n);
      lin_result r;
      not_linearizable =
          lincheck_check_records(h, n, &lin_model_register, &r) == LIN_NOT_LINEARIZABLE;
      lincheck_result_free(&r);
    }
    const char *rest = strchr(run.verdict, '\n');
    int len = rest ? (int)(rest - run.verdict) : (int)strlen(run.verdict);
    tap_ok(false, "%s%s, seed %llu: %.*s", scenario, faults, (unsigned long long)seed, len,
           run.verdict);
    if (rest) diag_lines(rest + 1);
    if (not_linearizable) {
      tap_diag(
          "(a late phase-1 reply during phase 2? check c->phase in abd_on_read_reply; did the "
          "read write back to a majority before returning? abd_on_write_ack completes it)");
      tap_diag(
          "(an ABD write's tag is (highest timestamp found + 1, own id), never the clock: "
          "abd_on_read_reply)");
    }
    lab_end(&run);
    return false;
  }
  tap_diag("%s%s: seeds %llu..%llu held", scenario, faults, (unsigned long long)first,
           (unsigned long long)last);
  return true;
}

/* Rule: an ABD read writes back the newest (tag, value) of a majority of replies, newest by
 * q_tag_cmp (timestamp, then writer id). Ties do happen in the scenarios (two writers that query
 * the same highest tag pick the same timestamp), but there a wrong choice shows up only as a
 * non-linearizable history; here the rule is named. */
static bool write_back_is(const sent *seen, int32_t value, q_tag tag) {
  const q_write_body *wb = (const void *)seen->body;
  return seen->type == MSG_WRITE && wb->value == value && q_tag_cmp(wb->tag, tag) == 0 &&
         wb->hint == -1;
}

static void abd_tie_break(void *arg) {
  (void)arg;
  sent seen = {0};
  sim_world *w = world_of(&seen, MODE_ABD, 3, 2, 2);
  two_replies(w, 1, tag_of(5000, 3), 3001, tag_of(5000, 4), 4001);
  const q_client *c = &((const q_state *)sim_state(w, 3))->cli;
  if (!tap_ok(c->phase == PHASE_STORE,
              "after replies from a majority (2 of 3) the read writes "
              "back (phase 2, PHASE_STORE) (abd_on_read_reply)")) {
    sim_destroy(w);
    return;
  }
  tap_ok(write_back_is(&seen, 4001, tag_of(5000, 4)),
         "n0 answered 3001 with tag (5000,c3), n1 4001 with (5000,c4): (5000,c4) is newer than "
         "(5000,c3): ties go to the higher writer id, so the read writes back 4001 with (5000,c4) "
         "(abd_on_read_reply: compare tags with q_tag_cmp, not timestamps alone)");
  two_replies(w, 2, tag_of(5000, 4), 4001, tag_of(5000, 3), 3001);
  tap_ok(write_back_is(&seen, 4001, tag_of(5000, 4)),
         "n0 answered 4001 with tag (5000,c4), then n1 3001 with (5000,c3): (5000,c4) is newer "
         "than (5000,c3): ties go to the higher writer id, so the read still writes back 4001 "
         "(abd_on_read_reply: replace only when q_tag_cmp says newer)");
  sim_destroy(w);
}

/* Property: the slow-write workload that breaks Part A is linearizable on ABD. */
static void abd_slow_write(void *arg) {
  (void)arg;
  abd_sweep("abd-slow-write", NULL, 1, 100);
}

/* Property: ABD stays linearizable, and every operation completes, with 10% loss, duplicates,
 * reordering, skewed clocks and 2 of 5 replicas crashed. */
static void abd_faults(void *arg) {
  (void)arg;
  abd_sweep("abd-faults", NULL, 1, 60);
}

/* The same under a fault schedule given in the nemesis language: a partition that leaves the
 * clients with a majority (n0, n1, n2), then heals. */
static void abd_partition(void *arg) {
  (void)arg;
  abd_sweep("abd-faults", "300ms partition 3,4; 900ms heal", 1, 20);
}

int main(void) {
  tap_case("A. replica keeps only newer tags, acks every write", replica_keeps_newer, NULL);
  tap_case("A. replica answers a read with what it holds", replica_answers_reads, NULL);
  tap_case("A. replica keeps a newer repair, sends nothing back", replica_repair, NULL);
  tap_case("A. write: tag (clock, id), done at W distinct acks (30 seeds)", write_rule, NULL);
  tap_case("A. read: done at R distinct replies, returns the newest (30 seeds)", read_rule, NULL);
  tap_case("A. read: equal timestamps, the higher writer id is newer", read_tie_break, NULL);
  tap_case("A. R+W>N: every read sees the latest completed write (130 seeds, faults)", intersection,
           NULL);
  tap_case("A. R+W<=N: a stale read is found and shown", stale_read_found, NULL);
  tap_case("A. tags from a fast clock make later writes lose (found, shown)",
           skewed_clock_loses_writes, NULL);
  tap_case("A. read repair brings a stale replica up to date (20 seeds)", read_repair, NULL);
  tap_case("A. without write-back, a slow write gives a non-linearizable history (found, shown)",
           quorum_not_linearizable, NULL);
  tap_case("B. a hinted write is held as a hint, once even if resent, not stored, and acked",
           replica_holds_hints, NULL);
  tap_case("B. handoff: sent to the home, kept until acked, freed by the ack", handoff_rules, NULL);
  tap_case("B. under a partition, fallbacks accept hinted writes (20 seeds)", sloppy_accepts, NULL);
  tap_case("B. after healing, hinted writes are stored at their homes; no write lost (60 seeds)",
           handoff_after_heal, NULL);
  tap_case("C. ABD read: equal timestamps, the higher writer id is written back", abd_tie_break,
           NULL);
  tap_case("C. ABD: the slow-write workload is linearizable (100 seeds)", abd_slow_write, NULL);
  tap_case("C. ABD: linearizable, all ops complete: loss, dups, skew, 2/5 crashed (60 seeds)",
           abd_faults, NULL);
  tap_case("C. ABD: linearizable across a partition from the nemesis language (20 seeds)",
           abd_partition, NULL);
  return tap_done();
}
