/*
 * labs/04-snapshots/protocol.c: the fixed part of lab 04: the bank and the plumbing around the
 * snapshot functions you write.
 *
 * The bank: every node starts with config.initial_balance and, every think_min .. think_max of
 * its clock, sends a random amount (1 .. max_amount, never more than it holds) to a random other
 * node. The message and timer tables, boot, and the dispatch of Transfers, Markers and timers to
 * your functions (lab.h) are here too. Around every call into your code, the dispatch compares
 * the snapshot records before and after and writes what changed to the trace, in the note
 * format documented in lab.h, so the viewer and the exporter can show the recorded state.
 */
#include <stdio.h>
#include <string.h>

#include "lab.h"

static void format_transfer(const void *body, char *out, size_t cap) {
  const transfer_body *t = body;
  snprintf(out, cap, "#%u amount=%d", t->seq, t->amount);
}

static void format_marker(const void *body, char *out, size_t cap) {
  const marker_body *m = body;
  snprintf(out, cap, "snapshot=%u", m->snapshot);
}

static const sim_msg_type bank_types[MSG_TYPE_COUNT] = {
    [MSG_TRANSFER] = {"Transfer", sizeof(transfer_body), format_transfer},
    [MSG_MARKER] = {"Marker", sizeof(marker_body), format_marker},
};

static const char *const bank_timers[TIMER_KIND_COUNT] = {[TIMER_TRANSFER] = "transfer"};

snap_record *snap_of(bank_state *s, uint32_t id) {
  if (id < 1 || id > BANK_MAX_SNAPS) return NULL;
  return &s->snaps[id - 1];
}

void marker_send(sim_node *n, int to, uint32_t id) {
  marker_body body = {.snapshot = id};
  sim_send(n, to, MSG_MARKER, &body);
}

void snap_channel_append(snap_record *snap, int from, const transfer_body *t) {
  if (from < 0 || from >= BANK_MAX_NODES) return;
  if (snap->chan_len[from] >= SNAP_CHAN_MAX) {
    snap->overflow = true;
    return;
  }
  snap->chan[from][snap->chan_len[from]++] = *t;
}

bool bank_transfer(sim_node *n, bank_state *s, int to, int32_t amount) {
  if (amount < 1 || amount > s->balance || s->sent >= BANK_MAX_SEQ) return false;
  if (to < 0 || to >= sim_node_count(n) || to == sim_self(n)) return false;
  transfer_body body = {.seq = s->sent + 1, .amount = amount};
  s->balance -= amount; /* the money leaves now and is in flight until it arrives */
  s->sent++;
  sim_send(n, to, MSG_TRANSFER, &body);
  sim_annotate(n, "balance", "%lld", (long long)s->balance);
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * Reporting what your code recorded: the notes of lab.h's header comment.
 */

/* The parts of the snapshot records whose changes are reported. */
typedef struct snap_flags {
  bool recorded[BANK_MAX_SNAPS];
  bool closed[BANK_MAX_SNAPS][BANK_MAX_NODES];
  bool done[BANK_MAX_SNAPS];
} snap_flags;

static void capture(const bank_state *s, snap_flags *f) {
  for (int k = 0; k < BANK_MAX_SNAPS; k++) {
    f->recorded[k] = s->snaps[k].recorded;
    f->done[k] = s->snaps[k].done;
    memcpy(f->closed[k], s->snaps[k].closed, sizeof f->closed[k]);
  }
}

/* "snapshot 1: channel n2->n0: [5,7]" for channel from->self of snapshot k+1. */
static void note_channel(sim_node *n, const snap_record *snap, int k, int from) {
  sim_world *w = sim_node_world(n);
  char list[900];
  size_t len = 0;
  uint32_t count = snap->chan_len[from] <= SNAP_CHAN_MAX ? snap->chan_len[from] : SNAP_CHAN_MAX;
  list[0] = 0;
  for (uint32_t i = 0; i < count && len + 16 < sizeof list; i++)
    len += (size_t)snprintf(list + len, sizeof list - len, "%s%d", i ? "," : "",
                            snap->chan[from][i].amount);
  if (snap->overflow && len + 8 < sizeof list)
    snprintf(list + len, sizeof list - len, "%s...", count ? "," : "");
  sim_note(n, "snapshot %d: channel %s->%s: [%s]", k + 1, sim_node_name(w, from),
           sim_node_name(w, sim_self(n)), list);
}

/* Write notes and annotations for everything that changed in the records since `before`. */
static void report(sim_node *n, const bank_state *s, const snap_flags *before) {
  int nodes = sim_node_count(n), self = sim_self(n);
  int latest = -1;
  for (int k = 0; k < BANK_MAX_SNAPS; k++) {
    const snap_record *snap = &s->snaps[k];
    bool changed = false;
    if (snap->recorded && !before->recorded[k]) {
      sim_note(n, "snapshot %d: balance=%lld", k + 1, (long long)snap->balance);
      changed = true;
    }
    for (int j = 0; j < nodes && j < BANK_MAX_NODES; j++) {
      if (j == self || !snap->closed[j] || before->closed[k][j]) continue;
      note_channel(n, snap, k, j);
      changed = true;
    }
    if (snap->done && !before->done[k]) {
      sim_note(n, "snapshot %d: done", k + 1);
      changed = true;
    }
    if (changed) latest = k;
  }
  if (latest < 0) return;
  const snap_record *snap = &s->snaps[latest];
  if (snap->done) {
    sim_annotate(n, "snapshot", "%d done", latest + 1);
    return;
  }
  int closed = 0;
  for (int j = 0; j < nodes && j < BANK_MAX_NODES; j++)
    if (j != self && snap->closed[j]) closed++;
  sim_annotate(n, "snapshot", "%d %s %d/%d", latest + 1, snap->recorded ? "recording" : "closing",
               closed, nodes - 1);
}

/* ---------------------------------------------------------------------------------------------
 * The handlers.
 */

static void arm_transfer_timer(sim_node *n, const bank_state *s) {
  const bank_config *c = &s->config;
  if (c->think_max == 0) return;
  sim_time lo = c->think_min, hi = c->think_max < lo ? lo : c->think_max;
  sim_timer_set(n, TIMER_TRANSFER, lo + sim_random_below(n, hi - lo + 1), 0);
}

static void bank_boot(sim_node *n, void *state) {
  bank_state *s = state;
  size_t size = 0;
  const bank_config *cfg = sim_config(n, &size);
  if (cfg && size == sizeof *cfg) s->config = *cfg;
  s->balance = s->config.initial_balance;
  sim_annotate(n, "balance", "%lld", (long long)s->balance);
  arm_transfer_timer(n, s);
}

static void bank_on_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  (void)arg;
  bank_state *s = state;
  if (kind != TIMER_TRANSFER) return;
  int nodes = sim_node_count(n);
  if (nodes > 1 && s->balance > 0) {
    int to = sim_random_peer(n);
    int64_t most = s->config.max_amount > 0 ? s->config.max_amount : 1;
    if (most > s->balance) most = s->balance;
    bank_transfer(n, s, to, 1 + (int32_t)sim_random_below(n, (uint64_t)most));
  }
  arm_transfer_timer(n, s);
}

static bool valid_peer(sim_node *n, int from) {
  return from >= 0 && from < sim_node_count(n) && from < BANK_MAX_NODES && from != sim_self(n);
}

static void bank_on_message(sim_node *n, void *state, int from, int type, const void *body) {
  bank_state *s = state;
  snap_flags before;
  if (!valid_peer(n, from)) {
    sim_note(n, "ignored a message from outside the bank");
    return;
  }
  if (type == MSG_TRANSFER) {
    const transfer_body *t = body;
    s->balance += t->amount;
    s->received++;
    sim_annotate(n, "balance", "%lld", (long long)s->balance);
    capture(s, &before);
    snapshot_on_transfer(n, s, from, t);
    report(n, s, &before);
  } else if (type == MSG_MARKER) {
    const marker_body *m = body;
    if (!snap_of(s, m->snapshot)) {
      sim_note(n, "ignored a marker for snapshot %u (ids run from 1 to %d)", m->snapshot,
               BANK_MAX_SNAPS);
      return;
    }
    capture(s, &before);
    snapshot_on_marker(n, s, from, m->snapshot);
    report(n, s, &before);
  }
}

void bank_initiate(sim_node *n, void *state, void *arg) {
  bank_state *s = state;
  uint32_t id = *(const uint32_t *)arg;
  if (!snap_of(s, id)) {
    sim_note(n, "cannot initiate snapshot %u (ids run from 1 to %d)", id, BANK_MAX_SNAPS);
    return;
  }
  snap_flags before;
  capture(s, &before);
  sim_note(n, "initiating snapshot %u", id);
  snapshot_initiate(n, s, id);
  report(n, s, &before);
}

const sim_protocol bank_protocol = {
    .name = "bank",
    .state_size = sizeof(bank_state),
    .stable_size = 0,
    .msg_types = bank_types,
    .msg_type_count = MSG_TYPE_COUNT,
    .timer_names = bank_timers,
    .timer_kind_count = TIMER_KIND_COUNT,
    .boot = bank_boot,
    .on_message = bank_on_message,
    .on_timer = bank_on_timer,
};
