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

/* "true" or "false", for a flag in a message. */
static const char *tf(bool b) { return b ? "true" : "false"; }

/* What send i of the log was, for a message: "a Marker for snapshot 1 to n3", "a Transfer of 5
 * to n3", or "nothing" past the end. */
static const char *send_text(const quiet *q, int i, char *buf, size_t cap) {
  if (i < 0 || i >= q->count) {
    snprintf(buf, cap, "nothing");
  } else {
    const sent *s = &q->log[i];
    if (s->type == MSG_MARKER)
      snprintf(buf, cap, "a Marker for snapshot %u to n%d", s->value, s->to);
    else
      snprintf(buf, cap, "a Transfer of %u to n%d", s->value, s->to);
  }
  return buf;
}

/* Sends [first, q->count) of the log, for a message: "1. a Marker ..., 2. a Transfer ...". */
static const char *sends_text(const quiet *q, int first, char *buf, size_t cap) {
  size_t len = 0;
  char one[96];
  buf[0] = 0;
  for (int i = first; i < q->count && len + 110 < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%d. %s", i > first ? ", " : "", i - first + 1,
                            send_text(q, i, one, sizeof one));
  if (!buf[0]) snprintf(buf, cap, "nothing");
  return buf;
}

/* Channel j of a record as the amounts and sequence numbers it holds: "[5 (#1), 7 (#2)]". */
static const char *chan_text(const snap_record *s, int j, char *buf, size_t cap) {
  size_t len = (size_t)snprintf(buf, cap, "[");
  uint32_t n = s->chan_len[j] < SNAP_CHAN_MAX ? s->chan_len[j] : SNAP_CHAN_MAX;
  for (uint32_t e = 0; e < n && len + 32 < cap; e++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%d (#%u)", e ? ", " : "", s->chan[j][e].amount,
                            s->chan[j][e].seq);
  snprintf(buf + len, cap - len, "]");
  return buf;
}

/* Check that sends [first, q->count) are exactly one Marker(id) from `node` to every other node. */
static bool one_marker_each(quiet *q, int first, int node, int nodes, uint32_t id) {
  bool ok = tap_is_int(q->count - first, nodes - 1,
                       "on recording its state for snapshot %u, n%d must send one marker to each "
                       "of its %d peers and nothing else (marker-sending rule, "
                       "snapshot_record_local); messages n%d sent",
                       id, node, nodes - 1, node);
  bool to[BANK_MAX_NODES] = {0};
  char what[96];
  for (int i = first; ok && i < q->count; i++) {
    const sent *s = &q->log[i];
    int nth = i - first + 1;
    ok = tap_ok(s->type == MSG_MARKER && s->value == id,
                "on recording snapshot %u, send %d of n%d must be a Marker for snapshot %u, but it "
                "is %s (marker-sending rule: the markers go out before anything else, with the "
                "snapshot's id; snapshot_record_local)",
                id, nth, node, id, send_text(q, i, what, sizeof what));
    if (!ok) break;
    if (s->to == node)
      ok = tap_ok(false,
                  "on recording snapshot %u, n%d sent marker %d to itself: markers go to every "
                  "other node, there is no channel from a node to itself (snapshot_record_local)",
                  id, node, nth);
    else if (s->to < 0 || s->to >= nodes)
      ok = tap_ok(false,
                  "on recording snapshot %u, n%d sent marker %d to n%d, which is not one of the %d "
                  "nodes of the bank (snapshot_record_local: loop to sim_node_count)",
                  id, node, nth, s->to, nodes);
    else if (to[s->to])
      ok = tap_ok(false,
                  "on recording snapshot %u, n%d sent a second marker to n%d (marker %d): exactly "
                  "one marker per peer (snapshot_record_local)",
                  id, node, s->to, nth);
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
  tap_ok(s->recorded,
         "after snapshot_record_local(n1, id 2), snaps[1].recorded must be true (snapshot id "
         "lives in snaps[id - 1]), but it is false%s",
         snap_at(&q, 1, 3)->recorded ? "; snaps[2] was recorded instead: index with id - 1" : "");
  tap_is_int(s->id, 2,
             "after snapshot_record_local(n1, id 2), snaps[1].id must hold the snapshot's id "
             "(snapshot_record_local sets it); snaps[1].id");
  tap_is_int(s->balance, 70,
             "n1 held 70 after sending 30 of its 100, and snapshot_record_local must record the "
             "balance of that moment; snaps[1].balance");
  tap_ok(!s->closed[0] && !s->closed[2],
         "right after recording, every incoming channel must be open (recorded until its marker "
         "arrives), but snapshot_record_local left closed[0]=%s and closed[2]=%s",
         tf(s->closed[0]), tf(s->closed[2]));
  tap_ok(!s->done,
         "right after recording, with no marker in yet, done must be false (done means every "
         "incoming channel is closed), but snapshot_record_local set it");
  tap_ok(!snap_at(&q, 1, 1)->recorded,
         "recording snapshot 2 must leave snapshot 1's record (snaps[0]) alone, but "
         "snaps[0].recorded is true (snapshot_record_local: use snaps[id - 1], or snap_of)");
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
  tap_ok(s->recorded,
         "n0's first marker for snapshot 1 (from n2) must make it record its state, but "
         "snaps[0].recorded is false (snapshot_on_marker calls snapshot_record_local)");
  tap_is_int(s->balance, 100,
             "on its first marker, n0 must record its balance of that moment (snapshot_on_marker, "
             "snapshot_record_local); snaps[0].balance");
  tap_ok(s->closed[2] && s->chan_len[2] == 0,
         "after n2's first marker, channel n2->n0 must be closed and recorded empty, but "
         "closed[2] is %s and chan_len[2] is %u (snapshot_on_marker: the marker closes its own "
         "channel)",
         tf(s->closed[2]), s->chan_len[2]);
  tap_ok(!s->closed[1] && !s->closed[3],
         "after n2's marker, channels n1->n0 and n3->n0 must stay open until their own markers "
         "arrive, but closed[1] is %s and closed[3] is %s (snapshot_on_marker closes only channel "
         "`from`)",
         tf(s->closed[1]), tf(s->closed[3]));
  tap_ok(!s->done,
         "with channels n1->n0 and n3->n0 still open, n0's part of snapshot 1 must not be done, "
         "but done is true (snapshot_on_marker: done only when every incoming channel is closed)");
  one_marker_each(&q, 0, 0, 4, 1);
  /* A transfer n0 sends now comes after the markers on every channel. */
  transfer_out(&q, 0, 3, 5);
  char what[1024];
  tap_ok(q.count == 4 && q.log[3].type == MSG_TRANSFER,
         "a transfer of 5 that n0 sends after recording must come after its 3 markers, as its "
         "send 4, but n0 sent %d messages: %s (the markers go out in the handler that records "
         "the state: snapshot_record_local)",
         q.count, sends_text(&q, 0, what, sizeof what));
  sim_destroy(q.w);
}

/* Rule (marker-receiving, later markers): each closes its own channel, sends nothing, and the
 * node's part is done exactly when the last channel closes. */
static void rule_later_markers(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  initiate(&q, 0, 1);
  tap_ok(snap_at(&q, 0, 1)->recorded,
         "snapshot_initiate(n0, id 1) must record n0's state, but snaps[0].recorded is false "
         "(snapshot_initiate calls snapshot_record_local, which records in snaps[id - 1])");
  one_marker_each(&q, 0, 0, 3, 1);
  int before = q.count;
  marker(&q, 0, 1, 1);
  const snap_record *s = snap_at(&q, 0, 1);
  tap_ok(s->closed[1],
         "the marker from n1 must close channel n1->n0, but closed[1] is false after "
         "snapshot_on_marker(from n1)");
  tap_ok(!s->closed[2],
         "the marker from n1 must leave channel n2->n0 open, but closed[2] is true "
         "(snapshot_on_marker closes only channel `from`)");
  tap_ok(!s->done,
         "n0's part must not be done while channel n2->n0 is open, but done is true after n1's "
         "marker (snapshot_on_marker: done only when every incoming channel is closed)");
  marker(&q, 0, 2, 1);
  s = snap_at(&q, 0, 1);
  tap_ok(s->closed[2],
         "the marker from n2 must close channel n2->n0, but closed[2] is false after "
         "snapshot_on_marker(from n2)");
  tap_ok(s->done,
         "after the markers from n1 and n2 every incoming channel of n0 is closed, so done must be "
         "true, but it is false (snapshot_on_marker sets done when the last channel closes)");
  tap_is_int(q.count - before, 0,
             "later markers must send nothing: markers go out once, when the state is recorded "
             "(snapshot_on_marker); messages n0 sent on the markers from n1 and n2");
  tap_is_int(s->balance, 100,
             "later markers must not record the state again (snapshot_on_marker records only when "
             "`recorded` is false); snaps[0].balance");
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
  char got[512];
  tap_is_int(s->chan_len[1], 2,
             "transfers of 5 and 7 from n1 arrived after n0 recorded and before n1's marker, so "
             "snapshot_on_transfer must record both on channel n1->n0; chan_len[1]");
  tap_ok(s->chan_len[1] == 2 && s->chan[1][0].amount == 5 && s->chan[1][1].amount == 7 &&
             s->chan[1][0].seq == 1 && s->chan[1][1].seq == 2,
         "channel n1->n0 must hold [5 (#1), 7 (#2)], in the order they arrived, but it holds %s "
         "(snapshot_on_transfer: snap_channel_append(snap, from, t))",
         chan_text(s, 1, got, sizeof got));
  tap_ok(s->chan_len[2] == 1 && s->chan[2][0].amount == 3,
         "the transfer of 3 from n2 must be recorded on its own channel n2->n0 as [3 (#1)], but "
         "that channel holds %s (snapshot_on_transfer: append to channel `from`)",
         chan_text(s, 2, got, sizeof got));
  tap_is_int(s->balance, 100,
             "transfers that arrive after recording must not change the recorded balance "
             "(snapshot_on_transfer only appends to the channel); snaps[0].balance");
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
  char got[512];
  tap_ok(s->chan_len[1] == 1 && s->chan[1][0].amount == 5,
         "channel n1->n0 must stay [5 (#1)] once n1's marker closed it (the transfer of 9 came "
         "after the marker and belongs to the future), but it holds %s (snapshot_on_transfer: "
         "skip a channel whose closed[from] is set)",
         chan_text(s, 1, got, sizeof got));
  tap_ok(s->chan_len[2] == 1 && s->chan[2][0].amount == 4,
         "channel n2->n0, still open, must record the transfer of 4 as [4 (#1)], but it holds %s "
         "(snapshot_on_transfer)",
         chan_text(s, 2, got, sizeof got));
  sim_destroy(q.w);
}

/* Rule: a transfer that arrives before the state is recorded is part of the state (the balance),
 * never of a channel. */
static void rule_before_recording(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  transfer_in(&q, 0, 1, 1, 6);
  uint32_t bad_id = 0;
  int bad_j = -1;
  for (uint32_t id = 1; id <= BANK_MAX_SNAPS && bad_j < 0; id++)
    for (int j = 0; j < 3 && bad_j < 0; j++)
      if (snap_at(&q, 0, id)->chan_len[j] != 0) {
        bad_id = id;
        bad_j = j;
      }
  tap_ok(bad_j < 0,
         "a transfer that arrives before any snapshot is recorded must be recorded on no channel, "
         "but snapshot %u's channel n%d->n0 holds %u transfer(s) (snapshot_on_transfer: append "
         "only where `recorded` is set)",
         bad_id, bad_j, bad_j < 0 ? 0 : snap_at(&q, 0, bad_id)->chan_len[bad_j]);
  initiate(&q, 0, 1);
  const snap_record *s = snap_at(&q, 0, 1);
  tap_is_int(s->balance, 106,
             "the transfer of 6 that arrived before recording is part of the state, so n0 must "
             "record 100 + 6 (snapshot_record_local records s->balance); snaps[0].balance");
  tap_is_int(s->chan_len[1], 0,
             "channel n1->n0 must start empty when n0 records its state (the transfer of 6 is in "
             "the balance; snapshot_on_transfer, snapshot_record_local); chan_len[1]");
  sim_destroy(q.w);
}

/* Rule: several initiations of one snapshot make one snapshot. A node that already recorded the
 * state (from a marker, or an earlier initiation) ignores the request. */
static void rule_concurrent_initiation(void *arg) {
  (void)arg;
  quiet q;
  quiet_start(&q, 3);
  marker(&q, 0, 1, 1); /* n1's initiation reached n0 first */
  bool closed_by_marker = snap_at(&q, 0, 1)->closed[1];
  transfer_out(&q, 0, 2, 10);
  int before = q.count;
  initiate(&q, 0, 1); /* then n0 is asked to initiate the same snapshot */
  const snap_record *s = snap_at(&q, 0, 1);
  tap_is_int(q.count - before, 0,
             "n0 recorded snapshot 1 on n1's marker, so being asked to initiate it must send no "
             "markers (snapshot_initiate does nothing once `recorded` is set); messages n0 sent");
  tap_is_int(s->balance, 100,
             "initiating a snapshot n0 already recorded (at balance 100, before it sent 10) must "
             "not record the state again (snapshot_initiate); snaps[0].balance");
  if (!closed_by_marker)
    tap_ok(false,
           "n1's marker, the first n0 received, must close channel n1->n0, but closed[1] is false "
           "even before n0 is asked to initiate (snapshot_on_marker closes channel `from` on "
           "the first marker too)");
  else
    tap_ok(s->closed[1],
           "initiating a snapshot n0 already recorded must keep channel n1->n0 closed, as n1's "
           "marker left it, but closed[1] is false now: snapshot_initiate must not call "
           "snapshot_record_local when `recorded` is set");
  before = q.count;
  initiate(&q, 2, 1);
  initiate(&q, 2, 1);
  tap_is_int(q.count - before, 2,
             "n2, asked twice to initiate snapshot 1, must send its two markers once "
             "(snapshot_initiate checks `recorded`); messages n2 sent");
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
  tap_ok(s2->recorded,
         "n1's marker for snapshot 2 must make n0 record snapshot 2, but snaps[1].recorded is "
         "false%s (snapshot_on_marker: use the record of the marker's id, snap_of(s, id))",
         s1->balance != 100 || s1->closed[1] ? "; snapshot 1's record was changed instead" : "");
  tap_ok(!s2->recorded || s2->closed[1],
         "n1's marker for snapshot 2, the first n0 received for that id, must close n1->n0 in "
         "snapshot 2, but snaps[1].closed[1] is false (snapshot_on_marker closes channel `from` on "
         "the first marker too)");
  tap_ok(!s1->closed[1],
         "the marker of snapshot 2 must not close n1->n0 in snapshot 1, but snaps[0].closed[1] is "
         "true (snapshot_on_marker: touch only the record of the marker's id)");
  transfer_in(&q, 0, 2, 1, 4);
  transfer_in(&q, 0, 1, 1, 8);
  tap_ok(s1->chan_len[2] == 1 && s2->chan_len[2] == 1,
         "a transfer from n2 must be recorded in both snapshots, whose channel n2->n0 is open in "
         "each, but chan_len[2] is %u in snapshot 1 and %u in snapshot 2, expected 1 and 1 "
         "(snapshot_on_transfer: look at every snapshot id)",
         s1->chan_len[2], s2->chan_len[2]);
  tap_ok(s1->chan_len[1] == 1 && s2->chan_len[1] == 0,
         "a transfer from n1 must be recorded in snapshot 1 only, since n1's marker for snapshot "
         "2 closed channel n1->n0 there, but chan_len[1] is %u in snapshot 1 and %u in snapshot "
         "2, expected 1 and 0 (snapshot_on_transfer: skip a snapshot whose closed[from] is set; "
         "in snapshot 2 it is %s)",
         s1->chan_len[1], s2->chan_len[1], tf(s2->closed[1]));
  marker(&q, 0, 1, 1);
  marker(&q, 0, 2, 1);
  tap_ok(s1->done && !s2->done,
         "once both markers of snapshot 1 reached n0, snapshot 1 must be done there and snapshot "
         "2 (channel n2->n0 still open) must not, but done is %s in snapshot 1 and %s in "
         "snapshot 2 (snapshot_on_marker)",
         tf(s1->done), tf(s2->done));
  tap_is_int(q.count, 4,
             "n0 must send 2 markers per snapshot, once per id, 4 in all "
             "(snapshot_record_local); messages n0 sent");
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
                      "snapshot %d: the recorded total (balances plus channels) must equal the "
                      "money in the system; recorded total",
                      k + 1);
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
    ok = tap_ok(c->checked && c->transfers_checked > 0,
                "snapshot %d must be checked against the ground truth, but it was %s (%u "
                "transfers compared); the run's verdict says why",
                k + 1, c->checked ? "checked with no transfer at all" : "never checked",
                c->transfers_checked) &&
         tap_ok(c->consistent && c->orphans == 0,
                "snapshot %d must be a consistent cut (no transfer received inside it and sent "
                "outside it), but %u such transfers were found (snapshot_record_local must send "
                "the markers before any later transfer)",
                k + 1, c->orphans) &&
         tap_ok(c->missing == 0 && c->extra == 0,
                "snapshot %d: the channels must hold exactly the %u transfers in transit across "
                "the cut, but %u are missing and %u are extra (snapshot_on_transfer, "
                "snapshot_on_marker)",
                k + 1, c->in_transit, c->missing, c->extra) &&
         tap_is_int(c->wrong_balances, 0,
                    "snapshot %d: every recorded balance must be the node's true balance at its "
                    "cut point (snapshot_record_local); nodes with a wrong balance",
                    k + 1);
    for (int i = 0; ok && i < rec->nodes; i++)
      ok = tap_ok(c->cut_known[i],
                  "snapshot %d: every node must record its state, but n%d never did "
                  "(snapshot_on_marker records on the first marker)",
                  k + 1, i);
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
                                  "snapshot %d: n%d must send exactly one marker to n%d "
                                  "(marker-sending rule, snapshot_record_local); markers sent",
                                  k + 1, i, j))
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
  if (!tap_ok(f != NULL, "tmpfile() must give a temporary file for the trace, but it failed"))
    return;
  tap_replay("%s --scenario bank --seed 3 --trace -", tap_driver());
  lab_run run = {.seed = 3, .trace = f, .lab_id = lab04.id, .scenario = "bank"};
  bool held = sc->run(&run);
  tap_ok(held, "bank, seed 3 must hold before its notes are checked, but it failed: %s",
         run.verdict);
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
  tap_is_int(balances, nodes,
             "the trace must hold one balance note per node (written when a node records; "
             "snapshot_record_local); balance notes");
  tap_is_int(channels, nodes * (nodes - 1),
             "the trace must hold one channel note per channel (written when a marker closes it; "
             "snapshot_on_marker); channel notes");
  tap_is_int(dones, nodes,
             "the trace must hold one done note per node (written when `done` is set; "
             "snapshot_on_marker); done notes");
  tap_is_int(bad, 0,
             "every snapshot note must parse and match what the node recorded (format in "
             "labs/04-snapshots/lab.h); notes that do not");
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
  uint64_t other_seed = 0; /* the first seed that went wrong for another reason */
  for (uint64_t seed = 1; seed <= 200; seed++) {
    tap_replay("%s --scenario reordering --seed %llu --viz", tap_driver(),
               (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab04.id, .scenario = "reordering"};
    bool held = reorder->run(&run);
    bool inconsistent = !held && rec_of(&run)->snap[0].checked && rec_of(&run)->snap[0].orphans > 0;
    char verdict[sizeof run.verdict];
    snprintf(verdict, sizeof verdict, "%s", run.verdict);
    if (!held && !inconsistent && !other_seed) { /* broken for another reason: worth a word */
      other_seed = seed;
      snprintf(other, sizeof other, "%.1900s", run.verdict);
    }
    lab_end(&run);
    if (!inconsistent) continue;
    /* The same seed over FIFO links: the replay is now that run. */
    tap_replay("%s --scenario bank --seed %llu --viz", tap_driver(), (unsigned long long)seed);
    char fifo[2048];
    bool fifo_held = lab_run_quiet(&lab04, "bank", seed, NULL, fifo, sizeof fifo);
    if (!tap_ok(fifo_held,
                "seed %llu over FIFO links (scenario bank) must record a correct snapshot, but it "
                "did not: %s",
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
  /* No inconsistent cut anywhere: replay the first seed that went wrong otherwise, if any. */
  if (other_seed)
    tap_replay("%s --scenario reordering --seed %llu --viz", tap_driver(),
               (unsigned long long)other_seed);
  if (other_seed)
    tap_ok(false,
           "over reordering links some seed in 1..200 should record an inconsistent cut, but none "
           "did; the first that went wrong otherwise, seed %llu, did so for another reason (make "
           "the other cases pass first): %s",
           (unsigned long long)other_seed, other);
  else
    tap_ok(false,
           "over reordering links some seed in 1..200 should record an inconsistent cut, but "
           "every seed recorded a correct snapshot: does snapshot_on_marker record the state on "
           "the first marker, whatever arrived before it?");
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
