/*
 * tests/04-snapshots.c: lab 04's tests: Chandy-Lamport snapshots of a bank.
 *
 * First one case per rule, on a quiet bank (no transfers of its own) whose nodes are handed
 * markers and transfers by hand, so a learner sees which rule is wrong: the marker-sending rule,
 * the two halves of the marker-receiving rule, channel recording and where it stops, concurrent
 * initiations, and ids that must not mix. Then seed sweeps of the driver's scenarios, each
 * judged against the library's ground-truth causality (scenarios.c): the recorded total equals
 * the money, the cut is consistent, every channel holds exactly the transfers in flight across
 * it. Last, a demonstration: over links that reorder, the same algorithm records a cut that is
 * not consistent; the case passes when it finds such a seed, and prints the command to watch it.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * A quiet bank: nodes with balance 100 that send nothing unless told to, and a log of sends.
 */
typedef struct sent {
  int from, to, type;
  uint32_t value; /* Marker: its snapshot id; Transfer: its amount */
} sent;

typedef struct quiet {
  sim_world *w;
  int count;
  sent log[64];
} quiet;

static void log_sends(sim_world *w, const sim_event *ev, void *ctx) {
  (void)w;
  quiet *q = ctx;
  if (ev->kind != SIM_EV_SEND || q->count >= 64) return;
  sent *s = &q->log[q->count++];
  s->from = ev->node;
  s->to = ev->peer;
  s->type = ev->msg_type;
  s->value = ev->msg_type == MSG_MARKER ? ((const marker_body *)ev->body)->snapshot
                                        : (uint32_t)((const transfer_body *)ev->body)->amount;
}

static void quiet_start(quiet *q, int nodes) {
  q->w = sim_create(1);
  q->count = 0;
  bank_config cfg = {.initial_balance = 100, .think_max = 0, .max_amount = 10};
  for (int i = 0; i < nodes; i++) sim_add_node(q->w, &bank_protocol, &cfg, sizeof cfg);
  sim_net_config net = sim_net_default();
  net.fifo = true;
  sim_set_net(q->w, &net);
  sim_observe(q->w, log_sends, q);
  sim_start(q->w);
}

static const snap_record *snap_at(quiet *q, int node, uint32_t id) {
  return &((const bank_state *)sim_state(q->w, node))->snaps[id - 1];
}

/* What a poke hands to a node: a snapshot id, or a marker or a transfer from a peer. */
typedef struct hand {
  int from;
  uint32_t id;
  transfer_body t;
} hand;

static void do_record(sim_node *n, void *s, void *arg) {
  snapshot_record_local(n, s, ((hand *)arg)->id);
}
static void do_initiate(sim_node *n, void *s, void *arg) {
  snapshot_initiate(n, s, ((hand *)arg)->id);
}
static void do_marker(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  snapshot_on_marker(n, s, h->from, h->id);
}
static void do_transfer_in(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  ((bank_state *)s)->balance += h->t.amount; /* as protocol.c does before calling you */
  snapshot_on_transfer(n, s, h->from, &h->t);
}
static void do_transfer_out(sim_node *n, void *s, void *arg) {
  hand *h = arg;
  bank_transfer(n, s, h->from, h->t.amount); /* h->from: the receiver, here */
}

static void record(quiet *q, int node, uint32_t id) {
  hand h = {.id = id};
  sim_poke(q->w, node, do_record, &h);
}
static void initiate(quiet *q, int node, uint32_t id) {
  hand h = {.id = id};
  sim_poke(q->w, node, do_initiate, &h);
}
static void marker(quiet *q, int node, int from, uint32_t id) {
  hand h = {.from = from, .id = id};
  sim_poke(q->w, node, do_marker, &h);
}
static void transfer_in(quiet *q, int node, int from, uint32_t seq, int32_t amount) {
  hand h = {.from = from, .t = {.seq = seq, .amount = amount}};
  sim_poke(q->w, node, do_transfer_in, &h);
}
static void transfer_out(quiet *q, int node, int to, int32_t amount) {
  hand h = {.from = to, .t = {.amount = amount}};
  sim_poke(q->w, node, do_transfer_out, &h);
}

/* Check that sends [first, q->count) are exactly one Marker(id) from `node` to every other node. */
static bool one_marker_each(quiet *q, int first, int node, int nodes, uint32_t id) {
  bool ok = tap_is_int(q->count - first, nodes - 1, "n%d sent %d messages (one marker per peer)",
                       node, nodes - 1);
  bool to[BANK_MAX_NODES] = {0};
  for (int i = first; ok && i < q->count; i++) {
    const sent *s = &q->log[i];
    ok = tap_ok(s->type == MSG_MARKER && s->value == id, "send %d is a Marker for snapshot %u",
                i - first + 1, id) &&
         tap_ok(s->to != node && s->to >= 0 && s->to < nodes && !to[s->to],
                "send %d goes to a different peer (n%d)", i - first + 1, s->to);
    if (ok) to[s->to] = true;
  }
  return ok;
}

/* Rule (marker-sending): record the balance, open every incoming channel, one marker to every
 * other node, in the record of the right id. */
static void rule_record_local(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  transfer_out(&q, 1, 0, 30); /* n1 holds 70 now */
  int first = q.count;
  record(&q, 1, 2); /* snapshot 2 lives in snaps[1] */
  const snap_record *s = snap_at(&q, 1, 2);
  tap_ok(s->recorded, "snaps[1].recorded is set (snapshot id 2 lives in snaps[id - 1])");
  tap_is_int(s->id, 2, "snaps[1].id is the snapshot's id");
  tap_is_int(s->balance, 70, "the recorded state is the balance at that moment");
  tap_ok(!s->closed[0] && !s->closed[2], "no incoming channel is closed yet (all are recorded)");
  tap_ok(!s->done, "not done: no marker has come in");
  tap_ok(!snap_at(&q, 1, 1)->recorded, "snapshot 1's record (snaps[0]) is untouched");
  one_marker_each(&q, first, 1, 3, 2);
  sim_destroy(q.w);
}

/* Rule (marker-receiving, first marker): record the state, and the channel the marker came on is
 * empty and closed; the markers go out in the same step. */
static void rule_first_marker(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 4);
  marker(&q, 0, 2, 1);
  const snap_record *s = snap_at(&q, 0, 1);
  tap_ok(s->recorded, "the first marker makes n0 record its state");
  tap_is_int(s->balance, 100, "with its balance at that moment");
  tap_ok(s->closed[2] && s->chan_len[2] == 0, "channel n2->n0 is recorded as empty and closed");
  tap_ok(!s->closed[1] && !s->closed[3], "channels n1->n0 and n3->n0 stay open (recorded)");
  tap_ok(!s->done, "not done: two channels are open");
  one_marker_each(&q, 0, 0, 4, 1);
  /* A transfer n0 sends now comes after the markers on every channel. */
  transfer_out(&q, 0, 3, 5);
  tap_ok(q.count == 4 && q.log[3].type == MSG_TRANSFER, "a later transfer follows the markers");
  sim_destroy(q.w);
}

/* Rule (marker-receiving, later markers): each closes its own channel, sends nothing, and the
 * node's part is done exactly when the last channel closes. */
static void rule_later_markers(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  initiate(&q, 0, 1);
  tap_ok(snap_at(&q, 0, 1)->recorded, "the initiator records its state");
  one_marker_each(&q, 0, 0, 3, 1);
  int before = q.count;
  marker(&q, 0, 1, 1);
  const snap_record *s = snap_at(&q, 0, 1);
  tap_ok(s->closed[1], "the marker from n1 closes channel n1->n0");
  tap_ok(!s->closed[2], "channel n2->n0 stays open");
  tap_ok(!s->done, "not done while channel n2->n0 is open");
  marker(&q, 0, 2, 1);
  s = snap_at(&q, 0, 1);
  tap_ok(s->closed[2], "the marker from n2 closes channel n2->n0");
  tap_ok(s->done, "done: every incoming channel is closed");
  tap_is_int(q.count - before, 0, "later markers send nothing (markers go out once, on recording)");
  tap_is_int(s->balance, 100, "later markers do not record the state again");
  sim_destroy(q.w);
}

/* Rule (channel recording): transfers that arrive after the state is recorded and before the
 * channel's marker are recorded on their own channel, in arrival order. */
static void rule_channel_recording(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  initiate(&q, 0, 1);
  transfer_in(&q, 0, 1, 1, 5);
  transfer_in(&q, 0, 2, 1, 3);
  transfer_in(&q, 0, 1, 2, 7);
  const snap_record *s = snap_at(&q, 0, 1);
  tap_is_int(s->chan_len[1], 2, "channel n1->n0 holds the two transfers from n1");
  tap_ok(s->chan_len[1] == 2 && s->chan[1][0].amount == 5 && s->chan[1][1].amount == 7 &&
             s->chan[1][0].seq == 1 && s->chan[1][1].seq == 2,
         "... in the order they arrived: [5,7]");
  tap_ok(s->chan_len[2] == 1 && s->chan[2][0].amount == 3, "channel n2->n0 holds [3]");
  tap_is_int(s->balance, 100, "the recorded balance does not include them");
  sim_destroy(q.w);
}

/* Rule (channel recording stops at the marker): the state of a channel is what arrived before
 * its marker; a transfer after the marker is part of the future, not of the snapshot. */
static void rule_stop_at_marker(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  initiate(&q, 0, 1);
  transfer_in(&q, 0, 1, 1, 5);
  marker(&q, 0, 1, 1);
  transfer_in(&q, 0, 1, 2, 9);
  transfer_in(&q, 0, 2, 1, 4);
  const snap_record *s = snap_at(&q, 0, 1);
  tap_ok(s->chan_len[1] == 1 && s->chan[1][0].amount == 5,
         "channel n1->n0 stays [5]: the transfer of 9 came after n1's marker (got %u entries)",
         s->chan_len[1]);
  tap_ok(s->chan_len[2] == 1 && s->chan[2][0].amount == 4, "channel n2->n0, still open, got [4]");
  sim_destroy(q.w);
}

/* Rule: a transfer that arrives before the state is recorded is part of the state (the balance),
 * never of a channel. */
static void rule_before_recording(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  transfer_in(&q, 0, 1, 1, 6);
  bool empty = true;
  for (uint32_t id = 1; id <= BANK_MAX_SNAPS; id++)
    for (int j = 0; j < 3; j++) empty = empty && snap_at(&q, 0, id)->chan_len[j] == 0;
  tap_ok(empty, "a transfer before any snapshot is recorded on no channel");
  initiate(&q, 0, 1);
  const snap_record *s = snap_at(&q, 0, 1);
  tap_is_int(s->balance, 106, "it is in the recorded balance instead");
  tap_is_int(s->chan_len[1], 0, "and channel n1->n0 starts empty");
  sim_destroy(q.w);
}

/* Rule: several initiations of one snapshot make one snapshot. A node that already recorded the
 * state (from a marker, or an earlier initiation) ignores the request. */
static void rule_concurrent_initiation(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  marker(&q, 0, 1, 1); /* n1's initiation reached n0 first */
  transfer_out(&q, 0, 2, 10);
  int before = q.count;
  initiate(&q, 0, 1); /* then n0 is asked to initiate the same snapshot */
  const snap_record *s = snap_at(&q, 0, 1);
  tap_is_int(q.count - before, 0, "initiating a snapshot already recorded sends no markers");
  tap_is_int(s->balance, 100, "and does not record the state again");
  tap_ok(s->closed[1], "nor reopen the channel n1's marker closed");
  before = q.count;
  initiate(&q, 2, 1);
  initiate(&q, 2, 1);
  tap_is_int(q.count - before, 2, "a node asked twice sends its two markers once");
  sim_destroy(q.w);
}

/* Rule: snapshots with different ids keep apart: their own records, their own channel states. */
static void rule_ids_apart(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  initiate(&q, 0, 1);
  marker(&q, 0, 1, 2); /* snapshot 2 reaches n0 from n1 */
  /* (A node's state stays in place between pokes: no event runs in between.) */
  const snap_record *s1 = snap_at(&q, 0, 1), *s2 = snap_at(&q, 0, 2);
  tap_ok(s2->recorded && s2->closed[1], "snapshot 2 is recorded, channel n1->n0 closed in it");
  tap_ok(!s1->closed[1], "the marker of snapshot 2 does not close n1->n0 in snapshot 1");
  transfer_in(&q, 0, 2, 1, 4);
  transfer_in(&q, 0, 1, 1, 8);
  tap_ok(s1->chan_len[2] == 1 && s2->chan_len[2] == 1, "a transfer from n2 is recorded in both");
  tap_ok(s1->chan_len[1] == 1 && s2->chan_len[1] == 0,
         "a transfer from n1 only in snapshot 1 (snapshot 2 closed that channel)");
  marker(&q, 0, 1, 1);
  marker(&q, 0, 2, 1);
  tap_ok(s1->done && !s2->done, "snapshot 1 is done at n0, snapshot 2 is not");
  tap_is_int(q.count, 4, "n0 sent 2 markers per snapshot");
  sim_destroy(q.w);
}

/* ---------------------------------------------------------------------------------------------
 * Sweeps of the scenarios: every check of scenarios.c runs after every event; these add checks
 * on the ground truth the scenario recorded.
 */

static const lab04_record *rec_of(struct lab_run *run) { return run->lab_data; }

/* The recorded total equals the money in the system, for every snapshot of the run. */
static bool total_is_money(struct lab_run *run, void *ctx) {
  (void)ctx;
  const lab04_record *rec = rec_of(run);
  bool ok = true;
  for (int k = 0; ok && k < BANK_MAX_SNAPS; k++)
    if (rec->snap[k].wanted)
      ok = tap_is_int(rec->snap[k].recorded_total, rec->money,
                      "snapshot %d: recorded total = money in the system", k + 1);
  return ok;
}

/* The cut is consistent, every recorded balance is the true balance at the node's cut point, and
 * every channel holds exactly the transfers sent inside the cut and received outside it. */
static bool cut_consistent(struct lab_run *run, void *ctx) {
  (void)ctx;
  const lab04_record *rec = rec_of(run);
  bool ok = true;
  for (int k = 0; ok && k < BANK_MAX_SNAPS; k++) {
    const lab04_cut *c = &rec->snap[k];
    if (!c->wanted) continue;
    ok = tap_ok(c->checked && c->transfers_checked > 0, "snapshot %d: checked against %u transfers",
                k + 1, c->transfers_checked) &&
         tap_ok(c->consistent && c->orphans == 0,
                "snapshot %d: no receive inside the cut whose send is outside (%u found)", k + 1,
                c->orphans) &&
         tap_ok(c->missing == 0 && c->extra == 0,
                "snapshot %d: channels hold exactly the %u transfers in transit (%u missing, %u "
                "extra)",
                k + 1, c->in_transit, c->missing, c->extra) &&
         tap_is_int(c->wrong_balances, 0,
                    "snapshot %d: recorded balances = true balances at the cut", k + 1);
    for (int i = 0; ok && i < rec->nodes; i++)
      ok = tap_ok(c->cut_known[i], "snapshot %d: n%d recorded its state", k + 1, i);
  }
  return ok;
}

/* Exactly one marker per channel and snapshot (the marker-sending rule, in a running bank). */
static bool one_marker_per_channel(struct lab_run *run, void *ctx) {
  (void)ctx;
  const lab04_record *rec = rec_of(run);
  for (int k = 0; k < BANK_MAX_SNAPS; k++) {
    if (!rec->snap[k].wanted) continue;
    for (int i = 0; i < rec->nodes; i++)
      for (int j = 0; j < rec->nodes; j++)
        if (i != j && !tap_is_int(rec->markers_sent[k][i][j], 1,
                                  "snapshot %d: markers from n%d to n%d", k + 1, i, j))
          return false;
  }
  return true;
}

static void sweep_markers_first(void *arg) {
  (void)arg;
  tap_sweep(&lab04, "bank", 1, 100, one_marker_per_channel, NULL);
}
static void sweep_total(void *arg) {
  (void)arg;
  if (tap_sweep(&lab04, "bank", 1, 200, total_is_money, NULL))
    tap_sweep(&lab04, "pair", 1, 50, total_is_money, NULL);
}
static void sweep_every_initiator(void *arg) {
  (void)arg;
  tap_sweep(&lab04, "every-initiator", 1, 100, total_is_money, NULL);
}
static void sweep_concurrent(void *arg) {
  (void)arg;
  tap_sweep(&lab04, "concurrent", 1, 100, total_is_money, NULL);
}
static void sweep_overlapping(void *arg) {
  (void)arg;
  tap_sweep(&lab04, "overlapping", 1, 100, cut_consistent, NULL);
}
static void sweep_heavy(void *arg) {
  (void)arg;
  tap_sweep(&lab04, "heavy", 1, 100, total_is_money, NULL);
}
static void sweep_consistent(void *arg) {
  (void)arg;
  static const char *const all[] = {"bank", "pair", "every-initiator", "concurrent", "heavy"};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (!tap_sweep(&lab04, all[i], 1, 50, cut_consistent, NULL)) return;
}

/* ---------------------------------------------------------------------------------------------
 * The trace carries the recorded state in the note format documented in lab.h (the exporter's
 * contract): one balance note per node, one channel note per channel, one done note per node,
 * each matching what the node recorded.
 */
static void trace_notes(void *arg) {
  (void)arg;
  const lab_scenario *sc = lab_find(&lab04, "bank");
  FILE *f = tmpfile();
  if (!tap_ok(f != NULL, "a temporary file for the trace")) return;
  tap_replay("%s --scenario bank --seed 3 --trace -", tap_driver());
  lab_run run = {.seed = 3, .trace = f, .lab_id = lab04.id, .scenario = "bank"};
  bool held = sc->run(&run);
  tap_ok(held, "bank, seed 3: %s", run.verdict);
  const sim_world *w = run.world;
  int nodes = sim_nodes(w), balances = 0, channels = 0, dones = 0, bad = 0;
  char line[4096];
  fflush(f);
  rewind(f);
  while (fgets(line, sizeof line, f)) {
    const char *text =
        strstr(line, "\"ev\":\"note\"") ? strstr(line, "\"text\":\"snapshot ") : NULL;
    if (!text) continue;
    text += strlen("\"text\":\"");
    int node = -1;
    const char *at = strstr(line, "\"node\":");
    if (at) sscanf(at, "\"node\":%d", &node);
    if (node < 0 || node >= nodes) {
      bad++;
      continue;
    }
    const snap_record *s = &((const bank_state *)sim_state(w, node))->snaps[0];
    unsigned id;
    long long balance;
    char from[16], to[16], list[2048];
    if (sscanf(text, "snapshot %u: balance=%lld\"", &id, &balance) == 2) {
      balances++;
      bad += id != 1 || balance != s->balance;
    } else if (sscanf(text, "snapshot %u: channel %15[^-]->%15[^:]: [%2047[^]]]", &id, from, to,
                      list) >= 3) {
      channels++;
      int j = -1;
      for (int k = 0; k < nodes; k++)
        if (strcmp(sim_node_name(w, k), from) == 0) j = k;
      bad += id != 1 || j < 0 || strcmp(to, sim_node_name(w, node)) != 0;
      if (j >= 0) {
        char want[2048] = "";
        size_t len = 0;
        for (uint32_t e = 0; e < s->chan_len[j] && e < SNAP_CHAN_MAX; e++)
          len += (size_t)snprintf(want + len, sizeof want - len, "%s%d", e ? "," : "",
                                  s->chan[j][e].amount);
        if (!strstr(text, "[]"))
          bad += strcmp(list, want) != 0;
        else
          bad += s->chan_len[j] != 0;
      }
    } else if (sscanf(text, "snapshot %u: done\"", &id) == 1 && strstr(text, ": done\"")) {
      dones++;
    } else {
      bad++;
    }
  }
  tap_is_int(balances, nodes, "one balance note per node");
  tap_is_int(channels, nodes * (nodes - 1), "one channel note per channel");
  tap_is_int(dones, nodes, "one done note per node");
  tap_is_int(bad, 0, "every note parses and matches what the node recorded");
  lab_end(&run); /* writes the trace's last line: close the file after it */
  fclose(f);
}

/* ---------------------------------------------------------------------------------------------
 * Demonstration (not a failure): Chandy-Lamport needs FIFO channels. Over reordering links a
 * marker can be overtaken by a transfer sent after it, and the cut is no longer consistent. The
 * case looks for the first seed where that happens, checks that the same seed over FIFO links
 * records a correct snapshot, and passes, printing the command to watch the broken run.
 */
static void demo_reordering(void *arg) {
  (void)arg;
  const lab_scenario *reorder = lab_find(&lab04, "reordering");
  char other[2048] = "";
  for (uint64_t seed = 1; seed <= 200; seed++) {
    tap_replay("%s --scenario reordering --seed %llu --viz", tap_driver(),
               (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab04.id, .scenario = "reordering"};
    bool held = reorder->run(&run);
    bool inconsistent = !held && rec_of(&run)->snap[0].checked && rec_of(&run)->snap[0].orphans > 0;
    char verdict[sizeof run.verdict];
    snprintf(verdict, sizeof verdict, "%s", run.verdict);
    if (!held && !inconsistent && !other[0]) /* broken for another reason: worth a word */
      snprintf(other, sizeof other, "seed %llu: %.1900s", (unsigned long long)seed, run.verdict);
    lab_end(&run);
    if (!inconsistent) continue;
    char fifo[2048];
    bool fifo_held = lab_run_quiet(&lab04, "bank", seed, NULL, fifo, sizeof fifo);
    if (!tap_ok(fifo_held,
                "seed %llu over FIFO links (scenario bank) records a correct snapshot: %s",
                (unsigned long long)seed, fifo))
      return;
    tap_diag(
        "demonstration, not a failure: over reordering links, seed %llu records an "
        "inconsistent cut: %s",
        (unsigned long long)seed, verdict);
    tap_diag("watch it: %s --scenario reordering --seed %llu --viz", tap_driver(),
             (unsigned long long)seed);
    return;
  }
  tap_ok(false, "no seed in 1..200 of scenario reordering recorded an inconsistent cut%s%s",
         other[0] ? "; the first run that went wrong otherwise (make the other cases pass first): "
                  : "",
         other);
}

int main(void) {
  tap_case("marker-sending rule: record the balance, open every channel, one marker per peer",
           rule_record_local, NULL);
  tap_case("first marker: record the state; its channel is empty and closed; markers go out first",
           rule_first_marker, NULL);
  tap_case("later markers: each closes its channel; done exactly when the last one closes",
           rule_later_markers, NULL);
  tap_case("channel recording: transfers between recording and marker, in order, per channel",
           rule_channel_recording, NULL);
  tap_case("channel recording stops at the marker", rule_stop_at_marker, NULL);
  tap_case("a transfer before recording belongs to the balance, not to a channel",
           rule_before_recording, NULL);
  tap_case("concurrent initiations of one snapshot record once", rule_concurrent_initiation, NULL);
  tap_case("snapshots with different ids do not mix", rule_ids_apart, NULL);
  tap_case("running bank: one marker per channel, never after a later transfer (100 seeds)",
           sweep_markers_first, NULL);
  tap_case("recorded total = money in the system (bank 200 seeds, pair 50)", sweep_total, NULL);
  tap_case("every node initiates in turn, successive ids (100 seeds)", sweep_every_initiator, NULL);
  tap_case("concurrent initiators of one snapshot (100 seeds)", sweep_concurrent, NULL);
  tap_case("overlapping snapshots 1-4 stay apart and consistent (100 seeds)", sweep_overlapping,
           NULL);
  tap_case("heavy traffic, exponential delays, 8 nodes (100 seeds)", sweep_heavy, NULL);
  tap_case("the recorded cut is consistent against ground-truth causality (5 scenarios x 50 seeds)",
           sweep_consistent, NULL);
  tap_case("the trace carries the recorded state in the documented note format", trace_notes, NULL);
  tap_case("demonstration: over reordering links the cut breaks (finds a seed; not a failure)",
           demo_reordering, NULL);
  return tap_done();
}
