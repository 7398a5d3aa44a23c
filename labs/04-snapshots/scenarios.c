/*
 * labs/04-snapshots/scenarios.c: lab 04's scenarios, shared by the driver and the tests.
 *
 * Every scenario is a bank of N nodes sending each other transfers while one or more snapshots
 * are initiated at fixed virtual times. Three kinds of check judge a run:
 *
 *   1. While it runs (an observer and an invariant, after every event): the money in the system
 *      stays constant; a node never sends a transfer on a channel after recording its state and
 *      before sending that channel's marker; it sends one marker per channel and snapshot, only
 *      after recording; it records its state once; it records a channel only between recording
 *      its state and that channel's marker; it is done only when every channel is closed.
 *   2. Liveness: every snapshot completes on every node by a virtual-time deadline.
 *   3. Against the ground truth: the observer keeps, for every transfer, the event index of its
 *      send and of its receive (the node's own entry of its true vector clock), and for every
 *      node the index at which it recorded its state (its cut point). A receive is inside the cut
 *      when its index is at most the receiver's cut point, a send likewise. The recorded cut must
 *      be consistent (no receive inside whose send is outside), every recorded balance must be
 *      the node's true balance at its cut point, every channel must hold exactly the transfers
 *      sent inside the cut and received outside it, and the recorded total must equal the money.
 *
 * When a run holds, the verdict prints the recorded global state of every snapshot.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

/* One initiation: node `node` initiates snapshot `id` at time `at`. */
typedef struct initiation {
  sim_time at;
  int node;
  uint32_t id;
} initiation;

typedef struct bank_setup {
  int nodes;
  bank_config bank;
  sim_net_config net;
  int initiation_count;
  initiation init[16];
  sim_time deadline;
} bank_setup;

/* The run's data: the public record first (tests read run->lab_data as a lab04_record), then
 * what only the checks need. One allocation, freed by lab_end. */
typedef struct scenario_data {
  lab04_record rec;
  int64_t first_balance[BANK_MAX_SNAPS][BANK_MAX_NODES]; /* recorded balance when first seen */
  bool closed_seen[BANK_MAX_SNAPS][BANK_MAX_NODES][BANK_MAX_NODES];   /* [k][node][from] */
  uint32_t close_len[BANK_MAX_SNAPS][BANK_MAX_NODES][BANK_MAX_NODES]; /* chan_len at closing */
  uint32_t close_idx[BANK_MAX_SNAPS][BANK_MAX_NODES][BANK_MAX_NODES]; /* event index at closing */
  uint32_t markers_received[BANK_MAX_SNAPS][BANK_MAX_NODES][BANK_MAX_NODES]; /* [k][to][from] */
  bool crashed; /* a fault schedule crashed a node: its balance is gone, stop counting money */
} scenario_data;

static const char *name(sim_world *w, int node) { return sim_node_name(w, node); }

/* ---------------------------------------------------------------------------------------------
 * Watching the run.
 */

/* Node `node` has recorded its state for snapshot k+1 and we had not seen it: its cut point is
 * `idx` (its events up to and including index idx came before the recording). */
static void note_cut(scenario_data *d, const bank_state *st, int node, int k, uint32_t idx) {
  lab04_cut *c = &d->rec.snap[k];
  if (c->cut_known[node] || !st->snaps[k].recorded) return;
  c->cut_known[node] = true;
  c->cut[node] = idx;
  d->first_balance[k][node] = st->snaps[k].balance;
}

/* The observer: ground truth for transfers and markers, and the rules that must hold at a send.
 * It runs after the library applied an event; for a send that is inside the sender's handler,
 * after whatever your code did before the send. */
static void watch(sim_world *w, const sim_event *ev, void *ctx) {
  scenario_data *d = ctx;
  lab04_record *rec = &d->rec;
  int node = ev->node;
  if (node < 0 || node >= rec->nodes) return;
  if (ev->kind == SIM_EV_CRASH) d->crashed = true;
  /* In a handler, a send that follows the recording of the state: the cut point is the event
   * before this send. (Recordings with no send after them are seen by snapshot_rules when the
   * handler ends.) */
  const bank_state *st = sim_state(w, node);
  if (ev->kind == SIM_EV_SEND)
    for (int k = 0; k < BANK_MAX_SNAPS; k++) note_cut(d, st, node, k, ev->vc[node] - 1);

  if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_TRANSFER) {
    const transfer_body *t = ev->body;
    int to = ev->peer;
    if (t->seq >= 1 && t->seq <= BANK_MAX_SEQ) {
      lab04_transfer *tr = &rec->transfers[node][t->seq];
      tr->send_idx = ev->vc[node];
      tr->amount = t->amount;
      tr->to = (int8_t)to;
    }
    rec->in_flight += t->amount;
    for (int k = 0; k < BANK_MAX_SNAPS; k++) {
      if (st->snaps[k].recorded && rec->markers_sent[k][node][to] == 0) {
        sim_fail(w, "markers-first",
                 "%s sent transfer #%u to %s after recording its state for snapshot %d but before "
                 "sending %s that snapshot's marker (marker-sending rule: the marker goes out "
                 "after recording and before any further message on the channel)",
                 name(w, node), t->seq, name(w, to), k + 1, name(w, to));
        return;
      }
    }
  } else if (ev->kind == SIM_EV_SEND && ev->msg_type == MSG_MARKER) {
    const marker_body *m = ev->body;
    int to = ev->peer;
    if (m->snapshot < 1 || m->snapshot > BANK_MAX_SNAPS) {
      sim_fail(w, "valid-marker", "%s sent a marker for snapshot %u; ids run from 1 to %d",
               name(w, node), m->snapshot, BANK_MAX_SNAPS);
      return;
    }
    int k = (int)m->snapshot - 1;
    if (to == node) {
      sim_fail(w, "one-marker-per-channel",
               "%s sent a marker for snapshot %d to itself: there "
               "is no channel from a node to itself",
               name(w, node), k + 1);
      return;
    }
    if (++rec->markers_sent[k][node][to] > 1)
      sim_fail(w, "one-marker-per-channel",
               "%s sent a second marker for snapshot %d to %s: one marker per channel (send "
               "markers only when the state is recorded, which happens once)",
               name(w, node), k + 1, name(w, to));
  } else if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_TRANSFER && ev->peer >= 0) {
    const transfer_body *t = ev->body;
    rec->in_flight -= t->amount;
    if (t->seq >= 1 && t->seq <= BANK_MAX_SEQ) {
      lab04_transfer *tr = &rec->transfers[ev->peer][t->seq];
      if (tr->recv_idx) { /* a second copy, made by a fault schedule: money out of nowhere */
        rec->in_flight += t->amount;
        rec->money += t->amount;
      } else {
        tr->recv_idx = ev->vc[node];
      }
    }
  } else if (ev->kind == SIM_EV_RECV && ev->msg_type == MSG_MARKER && ev->peer >= 0) {
    const marker_body *m = ev->body;
    if (m->snapshot >= 1 && m->snapshot <= BANK_MAX_SNAPS)
      d->markers_received[m->snapshot - 1][node][ev->peer]++;
  } else if (ev->kind == SIM_EV_DROP && ev->msg_type == MSG_TRANSFER) {
    const transfer_body *t = ev->body;
    rec->in_flight -= t->amount; /* lost by a fault schedule: the money is gone */
    rec->money -= t->amount;
  }
}

/* The invariant: the rules about what a node records, checked after every event. */
static bool snapshot_rules(sim_world *w, void *ctx, char *why, size_t cap) {
  scenario_data *d = ctx;
  lab04_record *rec = &d->rec;
  int64_t balances = 0;
  for (int i = 0; i < rec->nodes; i++) {
    if (!sim_alive(w, i)) continue;
    const bank_state *st = sim_state(w, i);
    balances += st->balance;
    for (int k = 0; k < BANK_MAX_SNAPS; k++) {
      const snap_record *snap = &st->snaps[k];
      lab04_cut *c = &rec->snap[k];
      note_cut(d, st, i, k, sim_true_vc(w, i)[i]);
      uint32_t markers_out = 0;
      for (int j = 0; j < rec->nodes; j++) markers_out += rec->markers_sent[k][i][j];
      if (markers_out && !snap->recorded) {
        snprintf(why, cap,
                 "%s sent markers for snapshot %d without recording its state "
                 "(marker-sending rule: record, then send the markers)",
                 name(w, i), k + 1);
        return false;
      }
      if (d->crashed) continue; /* a restart wipes the records: outside the model */
      if (c->cut_known[i] && !snap->recorded) {
        snprintf(why, cap,
                 "%s recorded its state for snapshot %d and then forgot it (recorded "
                 "went back to false)",
                 name(w, i), k + 1);
        return false;
      }
      if (c->cut_known[i] && snap->balance != d->first_balance[k][i]) {
        snprintf(why, cap,
                 "%s recorded its state for snapshot %d twice (balance %lld, then "
                 "%lld): a node records its state once per snapshot, on the first marker or when "
                 "it initiates",
                 name(w, i), k + 1, (long long)d->first_balance[k][i], (long long)snap->balance);
        return false;
      }
      for (int j = 0; j < rec->nodes; j++) {
        if (j == i) continue;
        if (!snap->recorded && snap->chan_len[j] > 0) {
          snprintf(why, cap,
                   "%s recorded a transfer on channel %s->%s of snapshot %d before "
                   "recording its own state: such a transfer is part of the state, not of the "
                   "channel",
                   name(w, i), name(w, j), name(w, i), k + 1);
          return false;
        }
        if (snap->closed[j] && !d->closed_seen[k][i][j]) {
          if (d->markers_received[k][i][j] == 0) {
            snprintf(why, cap,
                     "%s closed channel %s->%s of snapshot %d but no marker from %s "
                     "had arrived: a channel closes only at its own marker",
                     name(w, i), name(w, j), name(w, i), k + 1, name(w, j));
            return false;
          }
          d->closed_seen[k][i][j] = true;
          d->close_len[k][i][j] = snap->chan_len[j];
          d->close_idx[k][i][j] = sim_true_vc(w, i)[i];
        } else if (d->closed_seen[k][i][j] && !snap->closed[j]) {
          snprintf(why, cap,
                   "%s reopened channel %s->%s of snapshot %d after its marker had "
                   "closed it",
                   name(w, i), name(w, j), name(w, i), k + 1);
          return false;
        }
        if (d->closed_seen[k][i][j] && snap->chan_len[j] != d->close_len[k][i][j]) {
          snprintf(why, cap,
                   "%s recorded a transfer on channel %s->%s of snapshot %d after the "
                   "marker from %s had closed it (marker-receiving rule: a channel's state is "
                   "what arrived after recording the state and before the marker)",
                   name(w, i), name(w, j), name(w, i), k + 1, name(w, j));
          return false;
        }
        if (snap->done && !snap->closed[j]) {
          snprintf(why, cap,
                   "%s says its part of snapshot %d is done, but channel %s->%s is still "
                   "open (no marker from %s yet): done means every incoming channel is closed",
                   name(w, i), k + 1, name(w, j), name(w, i), name(w, j));
          return false;
        }
      }
    }
  }
  for (int k = 0; k < BANK_MAX_SNAPS; k++) {
    lab04_cut *c = &rec->snap[k];
    if (!c->wanted || c->completed_at) continue;
    bool all = true;
    for (int i = 0; i < rec->nodes && all; i++)
      all = sim_alive(w, i) && ((const bank_state *)sim_state(w, i))->snaps[k].done;
    if (all) c->completed_at = sim_now(w);
  }
  if (!d->crashed && balances + rec->in_flight != rec->money) {
    snprintf(why, cap,
             "the bank's balances (%lld) and transfers in flight (%lld) add up to %lld, "
             "not %lld: only protocol.c may change a balance",
             (long long)balances, (long long)rec->in_flight, (long long)(balances + rec->in_flight),
             (long long)rec->money);
    return false;
  }
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Building and running a bank.
 */

static void initiate_at(sim_world *w, void *ctx, uint64_t arg) {
  (void)ctx;
  int node = (int)(arg >> 8);
  uint32_t id = (uint32_t)(arg & 0xff);
  if (sim_alive(w, node)) sim_poke(w, node, bank_initiate, &id);
}

/* Create the world, its nodes and the checks (not started yet). */
static sim_world *prepare(lab_run *run, const bank_setup *s) {
  sim_world *w = sim_create(run->seed);
  for (int i = 0; i < s->nodes; i++) sim_add_node(w, &bank_protocol, &s->bank, sizeof s->bank);
  sim_set_net(w, &s->net);
  scenario_data *d = calloc(1, sizeof *d);
  if (!d) {
    fprintf(stderr, "lab 04: out of memory\n");
    exit(1);
  }
  d->rec.nodes = s->nodes;
  d->rec.money = (int64_t)s->nodes * s->bank.initial_balance;
  run->lab_data = d;
  sim_observe(w, watch, d);
  sim_invariant(w, "snapshot-rules", snapshot_rules, d);
  return w;
}

/* Schedule the initiations and start the world. */
static void begin(lab_run *run, sim_world *w, const bank_setup *s) {
  scenario_data *d = run->lab_data;
  for (int i = 0; i < s->initiation_count; i++) {
    const initiation *in = &s->init[i];
    lab04_cut *c = &d->rec.snap[in->id - 1];
    if (!c->wanted || in->at < c->initiated_at) c->initiated_at = in->at;
    c->wanted = true;
    c->initiators++;
    sim_at(w, in->at, initiate_at, NULL, ((uint64_t)in->node << 8) | in->id);
  }
  lab_begin(run, w);
}

static void build(lab_run *run, const bank_setup *s) { begin(run, prepare(run, s), s); }

static bool all_complete(sim_world *w, void *ctx) {
  (void)w;
  const lab04_record *rec = ctx;
  for (int k = 0; k < BANK_MAX_SNAPS; k++)
    if (rec->snap[k].wanted && !rec->snap[k].completed_at) return false;
  return true;
}

/* "transfer n1#17 (amount 5)" */
static const char *transfer_name(sim_world *w, int from, uint32_t seq, int32_t amount, char *buf,
                                 size_t cap) {
  snprintf(buf, cap, "transfer %s#%u (amount %d)", name(w, from), seq, amount);
  return buf;
}

/* Is transfer (from, seq) recorded on channel from->to of snapshot k at node `to`? */
static int recorded_count(const snap_record *snap, int from, uint32_t seq) {
  int n = 0;
  uint32_t len = snap->chan_len[from] < SNAP_CHAN_MAX ? snap->chan_len[from] : SNAP_CHAN_MAX;
  for (uint32_t e = 0; e < len; e++)
    if (snap->chan[from][e].seq == seq) n++;
  return n;
}

/* Check snapshot k+1 against the ground truth. Fills the record's counts; writes the first
 * problem into why and returns false, or returns true. */
static bool check_cut(sim_world *w, scenario_data *d, int k, char *why, size_t cap) {
  lab04_record *rec = &d->rec;
  lab04_cut *c = &rec->snap[k];
  int nodes = rec->nodes, id = k + 1;
  char t[96];
  why[0] = 0;
  c->checked = true;
  int64_t balance[BANK_MAX_NODES];
  for (int i = 0; i < nodes; i++)
    balance[i] = ((const bank_state *)sim_state(w, i))->config.initial_balance;
  /* Every transfer: inside or outside the cut, at both ends. */
  for (int from = 0; from < nodes; from++) {
    for (uint32_t seq = 1; seq <= BANK_MAX_SEQ; seq++) {
      const lab04_transfer *tr = &rec->transfers[from][seq];
      if (!tr->send_idx) break;
      int to = tr->to;
      bool sent_in = tr->send_idx <= c->cut[from];
      bool recv_in = tr->recv_idx && tr->recv_idx <= c->cut[to];
      c->transfers_checked++;
      if (sent_in) balance[from] -= tr->amount;
      if (recv_in) balance[to] += tr->amount;
      const snap_record *snap = &((const bank_state *)sim_state(w, to))->snaps[k];
      int times = recorded_count(snap, from, seq);
      if (recv_in && !sent_in) {
        if (!c->orphans++)
          snprintf(why, cap,
                   "snapshot %d is not a consistent cut: %s received %s before recording "
                   "its state, but %s sent it after recording its own. The receive is inside the "
                   "cut and its send outside. The transfer must have overtaken the marker %s sent "
                   "before it (marker-sending rule), which FIFO links never allow",
                   id, name(w, to), transfer_name(w, from, seq, tr->amount, t, sizeof t),
                   name(w, from), name(w, from));
      } else if (sent_in && !recv_in) {
        c->in_transit++;
        bool late = !tr->recv_idx || tr->recv_idx > d->close_idx[k][to][from];
        if (times != 1 && !c->missing++ && !c->orphans)
          snprintf(why, cap,
                   "snapshot %d: %s was in flight across the cut (sent before %s "
                   "recorded its state, received after %s recorded its own) but channel %s->%s "
                   "as %s recorded it holds it %d times instead of once. %s",
                   id, transfer_name(w, from, seq, tr->amount, t, sizeof t), name(w, from),
                   name(w, to), name(w, from), name(w, to), name(w, to), times,
                   late && times == 0
                       ? "It arrived after the marker, which was sent after it: the marker "
                         "overtook it, which FIFO links never allow"
                       : "Marker-receiving rule: a channel's state is what arrives on it after "
                         "recording the state and before its marker");
      } else if (times) {
        if (!c->extra++ && !c->orphans && !c->missing) {
          /* Sent after the sender's marker yet received before it: it overtook the marker. */
          bool overtook =
              !sent_in && d->closed_seen[k][to][from] && tr->recv_idx <= d->close_idx[k][to][from];
          char because[320];
          if (overtook)
            snprintf(because, sizeof because,
                     "It arrived before %s's marker, which was sent before it: the transfer "
                     "overtook the marker, which FIFO links never allow, and its amount is "
                     "counted twice, in %s's recorded balance and on the channel",
                     name(w, from), name(w, from));
          else
            snprintf(because, sizeof because,
                     "Only transfers that arrive after recording the state and before the marker "
                     "belong to a channel (marker-receiving rule)");
          snprintf(why, cap,
                   "snapshot %d: channel %s->%s as %s recorded it holds %s, which was "
                   "not in flight across the cut (it was %s). %s",
                   id, name(w, from), name(w, to), name(w, to),
                   transfer_name(w, from, seq, tr->amount, t, sizeof t),
                   sent_in ? "received before the receiver recorded its state"
                           : "sent after the sender recorded its state",
                   because);
        }
      }
    }
  }
  /* Recorded entries that are not transfers at all (a seq never sent on that channel). */
  c->recorded_total = 0;
  for (int to = 0; to < nodes; to++) {
    const snap_record *snap = &((const bank_state *)sim_state(w, to))->snaps[k];
    c->recorded_total += snap->balance;
    c->balance_at_cut[to] = balance[to];
    if (snap->balance != balance[to] && !c->wrong_balances++ && !why[0])
      snprintf(why, cap,
               "snapshot %d: %s recorded balance %lld, but at its cut point (after its "
               "event %u) its balance was %lld: record the balance when recording the state",
               id, name(w, to), (long long)snap->balance, c->cut[to], (long long)balance[to]);
    for (int from = 0; from < nodes; from++) {
      if (from == to) continue;
      uint32_t len = snap->chan_len[from] < SNAP_CHAN_MAX ? snap->chan_len[from] : SNAP_CHAN_MAX;
      for (uint32_t e = 0; e < len; e++) {
        const transfer_body *b = &snap->chan[from][e];
        c->recorded_total += b->amount;
        bool real = b->seq >= 1 && b->seq <= BANK_MAX_SEQ &&
                    rec->transfers[from][b->seq].send_idx && rec->transfers[from][b->seq].to == to;
        if (!real && !c->extra++ && !why[0])
          snprintf(why, cap,
                   "snapshot %d: channel %s->%s as %s recorded it holds a transfer #%u "
                   "that %s never sent to %s",
                   id, name(w, from), name(w, to), name(w, to), b->seq, name(w, from), name(w, to));
      }
      if (snap->overflow && !why[0])
        snprintf(why, cap,
                 "snapshot %d: a channel recorded by %s overflowed (more than %d "
                 "transfers): the recording is incomplete",
                 id, name(w, to), SNAP_CHAN_MAX);
    }
  }
  c->consistent = c->orphans == 0;
  if (!why[0] && c->recorded_total != rec->money)
    snprintf(why, cap, "snapshot %d recorded a total of %lld, but the bank holds %lld", id,
             (long long)c->recorded_total, (long long)rec->money);
  return why[0] == 0;
}

/* Append the recorded global state of snapshot k+1 to out. */
static void describe(sim_world *w, const lab04_record *rec, int k, char *out, size_t cap) {
  const lab04_cut *c = &rec->snap[k];
  char t1[32], t2[32];
  size_t len = strlen(out);
#define ADD(...)                                                               \
  do {                                                                         \
    if (len < cap) len += (size_t)snprintf(out + len, cap - len, __VA_ARGS__); \
  } while (0)
  ADD("%ssnapshot %d (%d initiation%s from %s, complete at %s): balances", len ? "\n  " : "", k + 1,
      c->initiators, c->initiators == 1 ? "" : "s", sim_format_time(c->initiated_at, t1, sizeof t1),
      sim_format_time(c->completed_at, t2, sizeof t2));
  for (int i = 0; i < rec->nodes; i++)
    ADD(" %s=%lld", name(w, i), (long long)((const bank_state *)sim_state(w, i))->snaps[k].balance);
  ADD("; in transit");
  int shown = 0;
  for (int to = 0; to < rec->nodes; to++) {
    const snap_record *snap = &((const bank_state *)sim_state(w, to))->snaps[k];
    for (int from = 0; from < rec->nodes; from++) {
      if (from == to || snap->chan_len[from] == 0) continue;
      ADD("%s %s->%s [", shown++ ? "," : "", name(w, from), name(w, to));
      uint32_t n = snap->chan_len[from] < SNAP_CHAN_MAX ? snap->chan_len[from] : SNAP_CHAN_MAX;
      for (uint32_t e = 0; e < n; e++) ADD("%s%d", e ? "," : "", snap->chan[from][e].amount);
      ADD("]");
    }
  }
  if (!shown) ADD(" nothing");
  ADD("; recorded total %lld = money %lld; the cut is consistent (%u transfers checked against "
      "the true causality, %u in transit)",
      (long long)c->recorded_total, (long long)rec->money, c->transfers_checked, c->in_transit);
#undef ADD
  if (len >= cap && cap > 4) memcpy(out + cap - 4, "...", 4);
}

/* Run until every snapshot completes (or the deadline), then judge. */
static bool judge(lab_run *run, sim_time deadline) {
  sim_world *w = run->world;
  scenario_data *d = run->lab_data;
  lab04_record *rec = &d->rec;
  const char *report;
  char t[32];
  sim_run_until(w, all_complete, rec, deadline);
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  if (d->crashed)
    return lab_verdict(run, false,
                       "a fault schedule crashed a node: Chandy-Lamport assumes "
                       "processes that do not fail (a restarted node has lost its balance and its "
                       "records), so this run cannot be judged");
  for (int k = 0; k < BANK_MAX_SNAPS; k++) {
    lab04_cut *c = &rec->snap[k];
    if (!c->wanted || c->completed_at) continue;
    for (int i = 0; i < rec->nodes; i++) {
      const snap_record *snap = &((const bank_state *)sim_state(w, i))->snaps[k];
      if (snap->done) continue;
      if (!snap->recorded) {
        int got = 0;
        for (int j = 0; j < rec->nodes; j++) got += (int)d->markers_received[k][i][j];
        return lab_verdict(run, false,
                           "snapshot %d did not complete by t=%s: %s never recorded "
                           "its state, though %d marker(s) for it reached it (the first marker "
                           "records the state: marker-receiving rule)",
                           k + 1, sim_format_time(deadline, t, sizeof t), name(w, i), got);
      }
      for (int j = 0; j < rec->nodes; j++) {
        if (j == i || snap->closed[j]) continue;
        return lab_verdict(
            run, false,
            "snapshot %d did not complete by t=%s: %s still records "
            "channel %s->%s; %s sent it %u marker(s) and %u arrived%s",
            k + 1, sim_format_time(deadline, t, sizeof t), name(w, i), name(w, j), name(w, i),
            name(w, j), rec->markers_sent[k][j][i], d->markers_received[k][i][j],
            d->crashed || sim_get_stats(w)->dropped_loss || sim_get_stats(w)->dropped_partition
                ? " (a fault schedule crashed a node or dropped messages: "
                  "Chandy-Lamport assumes channels that lose nothing)"
                : " (every marker closes its channel, including the first one)");
      }
      return lab_verdict(run, false,
                         "snapshot %d did not complete by t=%s: every channel of %s "
                         "is closed but it is not done (set done when the last channel closes)",
                         k + 1, sim_format_time(deadline, t, sizeof t), name(w, i));
    }
  }
  /* The rules must go on holding after the snapshots complete: run on a little. */
  sim_run_for(w, 30 * SIM_MS);
  if (sim_violated(w, &report)) return lab_verdict(run, false, "%s", report);
  char why[1024];
  for (int k = 0; k < BANK_MAX_SNAPS; k++) {
    if (!rec->snap[k].wanted) continue;
    rec->snap[k].complete = true;
    if (!check_cut(w, d, k, why, sizeof why)) return lab_verdict(run, false, "%s", why);
  }
  char out[sizeof run->verdict];
  out[0] = 0;
  for (int k = 0; k < BANK_MAX_SNAPS; k++)
    if (rec->snap[k].wanted) describe(w, rec, k, out, sizeof out);
  return lab_verdict(run, true, "%s", out);
}

/* ---------------------------------------------------------------------------------------------
 * The scenarios.
 */

static bank_setup base(int nodes, bool fifo) {
  bank_setup s = {.nodes = nodes, .deadline = 3 * SIM_SEC};
  s.bank = (bank_config){
      .initial_balance = 100, .think_min = 1 * SIM_MS, .think_max = 5 * SIM_MS, .max_amount = 20};
  s.net = sim_net_default(); /* uniform 1..10 ms */
  s.net.fifo = fifo;
  return s;
}

static void add_init(bank_setup *s, sim_time at, int node, uint32_t id) {
  s->init[s->initiation_count++] = (initiation){.at = at, .node = node, .id = id};
}

static bool scenario_bank(lab_run *run) {
  bank_setup s = base(lab_nodes(run, 4), true);
  add_init(&s, 50 * SIM_MS, 0, 1);
  build(run, &s);
  return judge(run, s.deadline);
}

static bool scenario_pair(lab_run *run) {
  bank_setup s = base(2, true);
  add_init(&s, 30 * SIM_MS, 1, 1);
  build(run, &s);
  return judge(run, s.deadline);
}

/* Snapshot k+1 is initiated by node k, one after another: every node initiates once. */
static bool scenario_every_initiator(lab_run *run) {
  bank_setup s = base(lab_nodes(run, 5), true);
  for (int k = 0; k < s.nodes; k++)
    add_init(&s, 40 * SIM_MS + (sim_time)k * 70 * SIM_MS, k, (uint32_t)k + 1);
  build(run, &s);
  return judge(run, s.deadline);
}

/* Several nodes initiate the same snapshot at about the same time (drawn from the seed), some at
 * exactly the same time; then every node initiates snapshot 2 at once. */
static bool scenario_concurrent(lab_run *run) {
  bank_setup s = base(5, true);
  sim_world *w = prepare(run, &s);
  rng *r = sim_workload_rng(w); /* which nodes initiate, drawn from the seed */
  int first = (int)rng_below(r, (uint64_t)s.nodes);
  add_init(&s, 60 * SIM_MS, first, 1);
  add_init(&s, 60 * SIM_MS, (first + 1 + (int)rng_below(r, (uint64_t)s.nodes - 1)) % s.nodes, 1);
  add_init(&s, 60 * SIM_MS + rng_below(r, 4 * SIM_MS), (int)rng_below(r, (uint64_t)s.nodes), 1);
  add_init(&s, 60 * SIM_MS + rng_below(r, 8 * SIM_MS), (int)rng_below(r, (uint64_t)s.nodes), 1);
  for (int i = 0; i < s.nodes; i++) add_init(&s, 250 * SIM_MS, i, 2);
  begin(run, w, &s);
  return judge(run, s.deadline);
}

/* Four snapshots initiated by four nodes within 5 ms, over slow links: they overlap, and each
 * must stay in its own record. */
static bool scenario_overlapping(lab_run *run) {
  bank_setup s = base(4, true);
  s.net.latency_max = 20 * SIM_MS;
  add_init(&s, 50 * SIM_MS, 0, 1);
  add_init(&s, 52 * SIM_MS, 1, 2);
  add_init(&s, 53 * SIM_MS, 2, 3);
  add_init(&s, 55 * SIM_MS, 3, 4);
  build(run, &s);
  return judge(run, s.deadline);
}

/* Eight nodes, a transfer every 0.2 to 1 ms from each, exponential delays on FIFO links, and two
 * snapshots, the second with two concurrent initiators. */
static bool scenario_heavy(lab_run *run) {
  bank_setup s = base(lab_nodes(run, 8), true);
  s.bank = (bank_config){.initial_balance = 1000,
                         .think_min = 200 * SIM_US,
                         .think_max = 1 * SIM_MS,
                         .max_amount = 50};
  s.net.latency = SIM_LATENCY_EXPONENTIAL;
  s.net.latency_min = 200 * SIM_US;
  s.net.latency_max = 3 * SIM_MS; /* offset + mean */
  add_init(&s, 30 * SIM_MS, 3 % s.nodes, 1);
  add_init(&s, 34 * SIM_MS, 5 % s.nodes, 2);
  add_init(&s, 34 * SIM_MS, 6 % s.nodes, 2);
  build(run, &s);
  return judge(run, s.deadline);
}

/* The bank scenario with reordering links: Chandy-Lamport's FIFO assumption is gone, so a
 * transfer can overtake a marker or be overtaken by one. Expect wrong snapshots for some seeds. */
static bool scenario_reordering(lab_run *run) {
  bank_setup s = base(4, false);
  add_init(&s, 50 * SIM_MS, 0, 1);
  build(run, &s);
  return judge(run, s.deadline);
}

static const lab_scenario scenarios[] = {
    {"bank", "4 nodes (--nodes 2..8), FIFO links; n0 initiates snapshot 1 at 50ms", scenario_bank,
     LAB_NODES(2, BANK_MAX_NODES)},
    {"pair", "2 nodes, FIFO links; n1 initiates snapshot 1 at 30ms", scenario_pair,
     LAB_FIXED_NODES},
    {"every-initiator", "5 nodes (--nodes 2..8); snapshot k is initiated by node k-1, 70ms apart",
     scenario_every_initiator, LAB_NODES(2, BANK_MAX_NODES)},
    {"concurrent",
     "5 nodes; 4 initiations of snapshot 1 within 8ms, then all 5 initiate snapshot 2",
     scenario_concurrent, LAB_FIXED_NODES},
    {"overlapping", "4 nodes, slow links; snapshots 1-4 from 4 initiators within 5ms",
     scenario_overlapping, LAB_FIXED_NODES},
    {"heavy",
     "8 nodes (--nodes 2..8), a transfer every 0.2-1ms each, exponential delays; 2 snapshots",
     scenario_heavy, LAB_NODES(2, BANK_MAX_NODES)},
    {"reordering", "the bank scenario over links that reorder: the snapshot may be wrong",
     scenario_reordering, LAB_FIXED_NODES},
};

const lab_info lab04 = {
    .id = "04-snapshots",
    .title = "Chandy-Lamport snapshots",
    .scenarios = scenarios,
    .scenario_count = (int)(sizeof scenarios / sizeof scenarios[0]),
};
