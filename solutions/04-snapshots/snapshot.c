/*
 * solutions/04-snapshots/snapshot.c: the reference marker rules of lab 04 (Chandy and Lamport,
 * "Distributed Snapshots", 1985, section 3).
 *
 * Each snapshot id has its own record (s->snaps[id - 1]), so snapshots with different ids never
 * share a flag or a channel recording. A node records its state exactly once per id, on whichever
 * comes first: being asked to initiate, or the first marker. Recording the state and sending the
 * markers happen in one step, so no transfer can slip out between them.
 */
#include "lab.h"

/* True when every incoming channel (from every other node) of snap is closed. */
static bool all_closed(const sim_node *n, const snap_record *snap) {
  for (int j = 0; j < sim_node_count(n); j++)
    if (j != sim_self(n) && !snap->closed[j]) return false;
  return true;
}

void snapshot_record_local(sim_node *n, bank_state *s, uint32_t id) {
  snap_record *snap = snap_of(s, id);
  /* Marker-Sending Rule: "p records its state" ... */
  snap->id = id;
  snap->recorded = true;
  snap->balance = s->balance;
  for (int j = 0; j < BANK_MAX_NODES; j++) {
    snap->closed[j] = false; /* every incoming channel is recorded from now on */
    snap->chan_len[j] = 0;
  }
  snap->overflow = false;
  snap->done = false;
  /* ... "then for each channel c directed away from p, p sends one marker along c after p
   * records its state and before p sends further messages along c". Sending them all now, in
   * this very handler, is the simplest way to keep the "before". */
  for (int j = 0; j < sim_node_count(n); j++)
    if (j != sim_self(n)) marker_send(n, j, id);
}

void snapshot_initiate(sim_node *n, bank_state *s, uint32_t id) {
  /* An initiator follows the sending rule as if it had received a marker from nowhere. If a
   * marker (or an earlier request) got here first, the state is already recorded: one snapshot. */
  if (snap_of(s, id)->recorded) return;
  snapshot_record_local(n, s, id);
  if (all_closed(n, snap_of(s, id))) snap_of(s, id)->done = true; /* a bank of one node */
}

void snapshot_on_marker(sim_node *n, bank_state *s, int from, uint32_t id) {
  snap_record *snap = snap_of(s, id);
  if (snap->closed[from] && snap->recorded) return; /* one marker per channel; ignore more */
  /* Marker-Receiving Rule: "if q has not recorded its state then q records its state; q records
   * the state of c as the empty sequence" (nothing was recorded on c: we just began). Otherwise
   * the state of c is what arrived on it since q recorded its state: already in chan[from]. */
  if (!snap->recorded) snapshot_record_local(n, s, id);
  snap->closed[from] = true;
  /* The snapshot is complete here once a marker has come in on every incoming channel. */
  if (all_closed(n, snap)) snap->done = true;
}

void snapshot_on_transfer(sim_node *n, bank_state *s, int from, const transfer_body *t) {
  (void)n;
  /* A transfer belongs to channel from->self's state in every snapshot that recorded this
   * node's state before it arrived and has not yet seen the marker from `from`. */
  for (uint32_t id = 1; id <= BANK_MAX_SNAPS; id++) {
    snap_record *snap = snap_of(s, id);
    if (snap->recorded && !snap->closed[from]) snap_channel_append(snap, from, t);
  }
}
