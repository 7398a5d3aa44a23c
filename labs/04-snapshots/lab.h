/*
 * labs/04-snapshots/lab.h: lab 04, a consistent global snapshot (Chandy and Lamport, 1985).
 *
 * A bank of N nodes (2 to BANK_MAX_NODES). Each node holds a balance and, on a timer, sends a
 * Transfer of a random amount to a random other node: the amount leaves the sender's balance when
 * it is sent and joins the receiver's when it arrives, so the money in the system (balances plus
 * transfers in flight) never changes. Links are FIFO in every scenario but `reordering`.
 *
 * A snapshot records, without stopping the bank, one balance per node and the transfers that
 * were in flight on every channel, such that the whole is a state the system could have been in:
 * the recorded money equals the money in the system. You write the marker rules of Chandy and
 * Lamport ("Distributed Snapshots: Determining Global States of Distributed Systems", ACM TOCS
 * 3(1), 1985, section 3), in exercises/04-snapshots/snapshot.c: the four functions at the bottom.
 * The bank itself (transfers, balances, the dispatch of messages and timers, the trace notes) is
 * in protocol.c; the scenarios the driver and the tests run are in scenarios.c.
 *
 * Snapshots have ids 1 .. BANK_MAX_SNAPS; snapshot `id` lives in s->snaps[id - 1] on every node.
 * Any node may initiate a snapshot, several nodes may initiate the same id at about the same
 * time, and snapshots with different ids may run at the same time: they must not mix.
 *
 * The recorded state in the trace. protocol.c writes what a node recorded as trace notes
 * (sim_note), so the viewer and the exporter (`dsviz export --view snapshot`) can draw the
 * recorded global state. Each note's text is exactly one of these lines (ID is the snapshot id
 * in decimal, NAME a node's name as in the trace header's "nodes", AMOUNT a decimal integer):
 *
 *   snapshot ID: balance=AMOUNT
 *       the note's node recorded its local state for snapshot ID (this is its cut point)
 *   snapshot ID: channel NAME->NAME: [AMOUNT,AMOUNT,...]
 *       the note's node (the second NAME, the receiver) closed that incoming channel: the
 *       marker from the first NAME arrived. The list holds the amounts of the transfers
 *       recorded on the channel, in the order they arrived; "[]" when it was empty. A channel
 *       that overflowed (more than SNAP_CHAN_MAX transfers) ends its list with ",..."
 *   snapshot ID: done
 *       every incoming channel of the note's node is closed: its part of snapshot ID is complete
 *
 *   initiating snapshot ID
 *       a driver or a test asked the note's node to initiate snapshot ID (written before the
 *       node's own notes for it; a node may be asked more than once)
 *
 * A node writes its balance note first, then its channel notes (one per other node, in the
 * order the markers arrived), then its done note. The state panel also shows the annotations
 * "balance" (the live balance) and "snapshot" ("1 recording 1/3", "1 done").
 */
#ifndef LAB04_H
#define LAB04_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  BANK_MAX_NODES = 8, /* nodes in one bank */
  BANK_MAX_SNAPS = 8, /* snapshot ids run from 1 to BANK_MAX_SNAPS */
  SNAP_CHAN_MAX = 64, /* transfers one recorded channel holds; more sets `overflow` */
  BANK_MAX_SEQ = 4096 /* transfers one node sends in a run, at most */
};

/* Message types (indexes into the protocol's type table). */
enum { MSG_TRANSFER, MSG_MARKER, MSG_TYPE_COUNT };
/* Timer kinds. */
enum { TIMER_TRANSFER, TIMER_KIND_COUNT };

/* A transfer of money from the sender to the receiver. */
typedef struct transfer_body {
  uint32_t seq;   /* the sender's transfer number, from 1 (unique per sender) */
  int32_t amount; /* > 0 */
} transfer_body;

/* Chandy-Lamport's marker (section 3): a control message, not part of the bank, that divides a
 * channel in two: what the sender sent before recording its state, and what it sent after. It
 * carries the snapshot's id. */
typedef struct marker_body {
  uint32_t snapshot; /* 1 .. BANK_MAX_SNAPS */
} marker_body;

/* How a node is configured (sim_add_node's config bytes). */
typedef struct bank_config {
  int64_t initial_balance; /* the balance at boot */
  sim_time think_min;      /* a node sends a transfer every think_min .. think_max; */
  sim_time think_max;      /*   think_max == 0: it sends none (the unit tests' nodes) */
  int32_t max_amount;      /* a transfer moves 1 .. max_amount (never more than the balance) */
} bank_config;

/* What one node records for one snapshot. Everything here is written by your code, except that
 * snap_channel_append (protocol.c) does the appending for you. */
typedef struct snap_record {
  uint32_t id;                       /* the snapshot's id once recorded here; 0 before */
  bool recorded;                     /* this node has recorded its local state */
  int64_t balance;                   /* the recorded local state: the balance at that moment */
  bool closed[BANK_MAX_NODES];       /* the marker from node j has arrived: channel j->self is
                                        final. Channel j->self is being recorded while
                                        recorded && !closed[j] (j != self) */
  uint32_t chan_len[BANK_MAX_NODES]; /* transfers recorded on channel j->self */
  transfer_body chan[BANK_MAX_NODES][SNAP_CHAN_MAX]; /* ... in the order they arrived */
  bool overflow; /* a channel had more than SNAP_CHAN_MAX transfers */
  bool done;     /* every incoming channel is closed: this node's part is complete */
} snap_record;

/* A node's whole state: flat, zeroed at boot. */
typedef struct bank_state {
  bank_config config;                /* copied from the node's configuration at boot */
  int64_t balance;                   /* money held now */
  uint32_t sent, received;           /* transfers sent and received so far */
  snap_record snaps[BANK_MAX_SNAPS]; /* snapshot id lives in snaps[id - 1] */
} bank_state;

/* ---------------------------------------------------------------------------------------------
 * What a scenario run recorded (run->lab_data), for the tests: the ground truth about each
 * snapshot, measured by the scenario's observers, not by your code.
 */

/* One transfer as the library saw it. An event index is the sender's (or receiver's) own entry
 * of its true vector clock just after the event: the number of events it had taken so far. */
typedef struct lab04_transfer {
  uint32_t send_idx; /* the send's event index on the sender */
  uint32_t recv_idx; /* the receive's event index on the receiver; 0 while not received */
  int32_t amount;
  int8_t to;
} lab04_transfer;

/* The ground truth about one snapshot. */
typedef struct lab04_cut {
  bool wanted;                    /* the scenario initiated this snapshot */
  bool complete;                  /* every node's part was done by the deadline */
  bool checked;                   /* the cut was checked against the ground truth */
  bool consistent;                /* no receive inside the cut whose send is outside */
  bool cut_known[BANK_MAX_NODES]; /* node i has recorded its state */
  uint32_t cut[BANK_MAX_NODES];   /* node i's events before it recorded its state: event e of
                                     node i is inside the cut iff its index <= cut[i] */
  int64_t balance_at_cut[BANK_MAX_NODES]; /* node i's true balance at its cut point */
  int initiators;                         /* how many initiations the scenario made */
  sim_time initiated_at, completed_at;    /* first initiation; when every node's part was done */
  int64_t recorded_total;                 /* recorded balances + recorded channel amounts */
  uint32_t transfers_checked;             /* transfers compared with the cut */
  uint32_t in_transit;                    /* of them, sent inside the cut and received outside it */
  uint32_t orphans;        /* received inside the cut, sent outside it (inconsistent) */
  uint32_t missing;        /* in transit but not recorded on their channel */
  uint32_t extra;          /* recorded on a channel but not in transit */
  uint32_t wrong_balances; /* nodes whose recorded balance is not the one at their cut */
} lab04_cut;

typedef struct lab04_record {
  int nodes;
  int64_t money;                  /* money in the system (initial balances; adjusted only if a
                                     fault schedule loses or duplicates transfers) */
  int64_t in_flight;              /* money in transfers sent and not yet received */
  lab04_cut snap[BANK_MAX_SNAPS]; /* snap[id - 1] */
  uint32_t markers_sent[BANK_MAX_SNAPS][BANK_MAX_NODES][BANK_MAX_NODES]; /* [id-1][from][to] */
  lab04_transfer transfers[BANK_MAX_NODES][BANK_MAX_SEQ + 1];            /* [from][seq] */
} lab04_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol bank_protocol;
extern const lab_info lab04;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code may call.
 */

/* The record of snapshot `id` on this node (s->snaps[id - 1]), or NULL if id is not in
 * 1 .. BANK_MAX_SNAPS. The functions you write are only ever called with valid ids. */
snap_record *snap_of(bank_state *s, uint32_t id);

/* Send a marker for snapshot `id` to node `to`. */
void marker_send(sim_node *n, int to, uint32_t id);

/* Append transfer t to the recording of channel from->self of snap (chan[from], chan_len[from]);
 * past SNAP_CHAN_MAX transfers it sets snap->overflow instead. */
void snap_channel_append(snap_record *snap, int from, const transfer_body *t);

/* Move `amount` from this node's balance to node `to` (sends a Transfer). Returns false, sending
 * nothing, if amount is not in 1 .. balance or the node has sent BANK_MAX_SEQ transfers. */
bool bank_transfer(sim_node *n, bank_state *s, int to, int32_t amount);

/* For sim_poke (drivers and tests): node n initiates snapshot *(const uint32_t *)arg, through
 * snapshot_initiate, and the recorded state is written to the trace as it changes. */
void bank_initiate(sim_node *n, void *state, void *arg);

/* ---------------------------------------------------------------------------------------------
 * What you write (exercises/04-snapshots/snapshot.c). `id` is always in 1 .. BANK_MAX_SNAPS and
 * `from` is always another node of the bank.
 */

/* Chandy-Lamport, the Marker-Sending Rule (section 3): record this node's local state for
 * snapshot id (its balance), start recording every incoming channel (none is closed yet), and
 * send one marker on every outgoing channel, to every other node, now: after recording the state
 * and before this node sends anything else on that channel. Called by snapshot_initiate and by
 * snapshot_on_marker on the first marker; never called twice for one id. */
void snapshot_record_local(sim_node *n, bank_state *s, uint32_t id);

/* This node initiates snapshot id (a driver or a test asked it to). If it has already recorded
 * its state for id (because another initiator's marker got here first, or it was asked twice),
 * this does nothing: concurrent initiations of one snapshot make one snapshot. */
void snapshot_initiate(sim_node *n, bank_state *s, uint32_t id);

/* A marker for snapshot id arrived on channel from->self. The Marker-Receiving Rule (section 3):
 * if this node has not recorded its state for id, record it (snapshot_record_local) and record
 * the state of channel from->self as empty; otherwise the state of that channel is what was
 * recorded on it since the local state was recorded. Either way the channel is now closed.
 * When every incoming channel is closed, this node's part is done. */
void snapshot_on_marker(sim_node *n, bank_state *s, int from, uint32_t id);

/* A transfer arrived on channel from->self (protocol.c has already added it to the balance).
 * For every snapshot that is recording that channel (local state recorded, marker from `from`
 * not yet arrived), append it to the channel's recording (snap_channel_append). */
void snapshot_on_transfer(sim_node *n, bank_state *s, int from, const transfer_body *t);

#endif
