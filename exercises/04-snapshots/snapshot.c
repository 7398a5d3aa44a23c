/*
 * exercises/04-snapshots/snapshot.c: YOUR marker rules for lab 04 (Chandy-Lamport snapshots).
 *
 * Read book/04-snapshots.md first. Replace each TODO(...) with your code, then run
 *   make check LAB=04
 * The tests name the rule that broke and print a command that replays the run in the viewer.
 * Useful helpers (lab.h): snap_of(s, id) is snapshot id's record on this node; marker_send(n, to,
 * id); snap_channel_append(snap, from, t). Services (lib/sim.h): sim_self, sim_node_count.
 */
#include "lab.h"

void snapshot_record_local(sim_node *n, bank_state *s, uint32_t id) {
  (void)n;
  (void)s;
  (void)id;
  TODO(
      "snapshot_record_local: record the balance, open every incoming channel, send a marker "
      "to every other node");
}

void snapshot_initiate(sim_node *n, bank_state *s, uint32_t id) {
  (void)n;
  (void)s;
  (void)id;
  TODO("snapshot_initiate: record the local state (snapshot_record_local) unless already recorded");
}

void snapshot_on_marker(sim_node *n, bank_state *s, int from, uint32_t id) {
  (void)n;
  (void)s;
  (void)from;
  (void)id;
  TODO(
      "snapshot_on_marker: first marker: record (channel `from` is empty); always: close channel "
      "`from`; done when all are closed");
}

void snapshot_on_transfer(sim_node *n, bank_state *s, int from, const transfer_body *t) {
  (void)n;
  (void)s;
  (void)from;
  (void)t;
  TODO("snapshot_on_transfer: append t to channel `from` of every snapshot recording it");
}
