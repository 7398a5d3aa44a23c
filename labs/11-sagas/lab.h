/*
 * labs/11-sagas/lab.h: lab 11, long transactions without locks: sagas and the transactional outbox.
 *
 * A customer's order touches four services, each with its own database: the order service (n0),
 * payment (n1), inventory (n2) and shipping (n3). One order is one saga (Garcia-Molina and Salem,
 * "Sagas", SIGMOD 1987, section 1): a sequence of local transactions T1 (charge the card), T2
 * (reserve the goods), T3 (ship them), each committed on its own service, each but the last with
 * a compensating transaction Ci that undoes it semantically (refund, release). No locks are held
 * across services. The guarantee (section 1) is that the system runs either
 *
 *     T1, T2, ..., Tn                        (the saga completes), or
 *     T1, ..., Tj, Cj, ..., C1   (0 <= j < n)  (it is compensated, in reverse order),
 *
 * never something in between, however often nodes crash and messages are lost or doubled.
 *
 * How the services talk: events, through an outbox. A service never changes its state and sends
 * a message as two separate acts: a crash between them would lose the message (the "dual
 * write"). Instead the event that announces a state change goes into an outbox table in the same
 * local transaction as the change itself; here that is one sim_stable_write (disk_commit) of a
 * record holding both. A relay publishes every outbox entry that its consumer has not
 * acknowledged yet, again and again until it has; the consumer acknowledges an event only after
 * it has committed what the event made it do. So an event is delivered at least once, and the
 * consumer makes it count at most once by checking its own durable state (an idempotent
 * consumer, lab 06's idea): effectively once. The outbox is an industry pattern, not a paper
 * (it is described, for instance, in Richardson's "Microservices Patterns", 2018, chapter 3).
 *
 * The lab runs the same services two ways (saga_config.mode):
 *   orchestration  the order service n0 is the saga's orchestrator: it keeps each saga's progress
 *                  in its database and sends commands (Do, Undo) to one service at a time; every
 *                  service answers with an event (Done, Refused, Compensated) to n0.
 *   choreography   nobody is in charge: n0 publishes Placed to payment; each service reacts to
 *                  its neighbours' events (payment's Done is inventory's cue, shipping's Refused
 *                  is inventory's cue to compensate) and n0 only learns how the saga ended.
 *
 * You write the functions at the bottom, in five files: exercises/11-sagas/outbox.c (part A),
 * service.c (part B), orchestrator.c (part C), choreography.c (part D) and tcc.c (part E: try,
 * confirm, cancel). protocol.c has the
 * fixed parts: message and timer tables, boot (which reloads the database), the order service's
 * series of sagas, the dispatch of every message to your functions, the relay timer, the effect
 * helpers and annotations. scenarios.c has the scenarios and the checks.
 */
#ifndef LAB11_H
#define LAB11_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  SAGA_NODES = 4,  /* n0 order service, n1 payment, n2 inventory, n3 shipping */
  SAGA_STEPS = 3,  /* the steps of a saga: step k runs on node k (1 .. 3) */
  SAGA_MAX = 8,    /* sagas in one run, numbered 1 .. SAGA_MAX */
  OUTBOX_MAX = 40, /* entries in one node's outbox (published ones are kept: the checks read
                      them; a real outbox would delete them, see question 3) */
  SAGA_ORDER = 0,  /* node ids */
  SAGA_PAYMENT = 1,
  SAGA_INVENTORY = 2,
  SAGA_SHIPPING = 3,
  SAGA_CRASH_POINTS = 36, /* crash-point scenarios: actions per node tried (seeds 1 .. 4 * 36) */
  TCC_CRASH_POINTS = 56   /* tcc-crash-point: the same, seeds 1 .. 4 * 56 */
};

/* How the saga is coordinated. */
typedef enum { MODE_ORCHESTRATION = 1, MODE_CHOREOGRAPHY = 2, MODE_TCC = 3 } saga_mode;

/* What an event says. Commands go from the orchestrator to a service; results from a service to
 * whoever reacts to them; Placed starts a choreographed saga. */
typedef enum {
  EV_NONE = 0,
  EV_DO,          /* orchestrator -> service k: run your step of the saga */
  EV_UNDO,        /* orchestrator -> service k: compensate your step */
  EV_DONE,        /* service k: my step committed */
  EV_REFUSED,     /* service k: my step cannot be done (declined card, out of stock...) */
  EV_COMPENSATED, /* service k: my step is undone */
  EV_PLACED,      /* choreography, n0 -> payment: an order was placed */
  EV_TRY,         /* TCC, coordinator -> participant: reserve (hold) your resource */
  EV_CONFIRM,     /* TCC, coordinator -> participant: make your reservation final */
  EV_CANCEL,      /* TCC, coordinator -> participant: release it (or refuse a later Try) */
  EV_RESERVED,    /* TCC, participant: my Try holds a reservation */
  EV_CONFIRMED,   /* TCC, participant: my reservation is final */
  EV_CANCELLED,   /* TCC, participant: I hold nothing and never will (Cancel, or expiry) */
  EV_KIND_COUNT
} ev_kind;

/* "Do", "Undo", "Done", ... as the trace shows them. */
const char *ev_name(ev_kind k);

/* One event: the body of every Event message, and what an outbox entry holds. protocol.c drops
 * an Event whose saga is not in 1 .. SAGA_MAX, whose `from` is not its sender or whose `to` is
 * not the receiver before any handler sees it, so service_on_event and orchestrator_on_event may
 * index the disk by e->saga (s->disk.status[e->saga], s->disk.saga[e->saga]) without checking;
 * saga_begin gets a saga in 1 .. config.sagas. (The unit tests call service_react and saga_react
 * directly, always with a valid saga.) */
typedef struct saga_event {
  uint32_t id;   /* unique per producer: 1, 2, 3, ... (the producer's outbox numbers them) */
  int32_t from;  /* the producer */
  int32_t to;    /* the consumer */
  uint32_t saga; /* 1 .. SAGA_MAX */
  int32_t kind;  /* ev_kind */
} saga_event;

/* The body of an Ack message: the consumer has taken event `id` of the receiver. */
typedef struct ack_body {
  uint32_t id;
} ack_body;

/* Message types (indexes into the protocol's type table). */
enum { MSG_EVENT, MSG_ACK, MSG_TYPE_COUNT };
/* Timer kinds: the relay (every relay_every while the outbox has unacknowledged entries), and the
 * order service's next saga (arg: the saga). */
enum { TIMER_RELAY, TIMER_BEGIN, TIMER_KIND_COUNT };

/* One outbox entry: an event and whether its consumer has acknowledged it. */
typedef struct outbox_entry {
  saga_event ev;
  bool acked; /* the consumer acknowledged it: never publish it again */
} outbox_entry;

/* A node's outbox: entries 0 .. count-1, in the order they were added. */
typedef struct outbox {
  uint32_t last_id; /* the id of the latest entry added (ids are last_id + 1, ...) */
  uint32_t count;
  outbox_entry entry[OUTBOX_MAX];
} outbox;

/* A service's step of one saga. */
typedef enum {
  STEP_NONE = 0,    /* nothing happened yet */
  STEP_DONE,        /* the step committed (its effect is applied) */
  STEP_REFUSED,     /* the step could not be done: no effect, never will be */
  STEP_COMPENSATED, /* the step committed and was then undone */
  STEP_HELD,        /* TCC: Try reserved the resource (effect applied, tentative, with a timeout) */
  STEP_CONFIRMED,   /* TCC: the reservation is final; never cancelled after this */
  STEP_CANCELLED    /* TCC: released, or cancelled before any Try ("empty cancel"): a late
                       Try is refused */
} step_status;
const char *step_name(step_status st);

/* The order service's view of one saga. */
typedef enum {
  SAGA_NEW = 0,      /* not begun */
  SAGA_RUNNING,      /* orchestration: waiting for step `step`; choreography: placed */
  SAGA_COMPENSATING, /* orchestration: waiting for step `step` to be compensated */
  SAGA_COMPLETED,    /* every step done: the order is approved */
  SAGA_ABORTED,      /* compensated (or refused at step 1): the order is rejected */
  SAGA_CONFIRMING,   /* TCC: every Try reserved; Confirm sent to every participant */
  SAGA_CANCELLING    /* TCC: some Try failed; Cancel sent to every participant */
} saga_phase;
const char *saga_phase_name(saga_phase p);

typedef struct saga_rec {
  int32_t phase;  /* saga_phase */
  int32_t step;   /* orchestration: the step waited for (1 .. 3); 0 otherwise */
  int32_t failed; /* orchestration, TCC: the step that refused (0: none yet) */
  int32_t heard;  /* TCC: bit k set = participant k answered in the current phase */
} saga_rec;

/* A node's database: everything in stable storage, at offset 0, written whole by disk_commit.
 * Every node has the same layout and uses the parts its role needs. */
typedef struct saga_disk {
  /* Services (n1 .. n3): the status of this service's step, per saga. */
  uint8_t status[SAGA_MAX + 1];
  /* Order service (n0): each saga's progress. */
  saga_rec saga[SAGA_MAX + 1];
  /* The effect ledger, written ONLY by effect_apply and effect_undo (protocol.c): how often
   * this service's step of each saga took effect, and how often it was undone. */
  uint8_t applied[SAGA_MAX + 1];
  uint8_t undone[SAGA_MAX + 1];
  /* TCC participants: when this service's reservation of each saga expires (local clock). */
  sim_time hold_until[SAGA_MAX + 1];
  /* Every node: its outbox. */
  outbox out;
} saga_disk;

/* How long to wait. Local-clock microseconds; every node gets the same values. */
typedef struct saga_timing {
  sim_time relay_every; /* the relay timer's period */
  sim_time retry;       /* publish an unacknowledged entry again after this long */
  sim_time hold;        /* TCC: a reservation not confirmed this long after its Try expires */
} saga_timing;

/* The timing every scenario and the unit tests use: relay every 10 ms, retry after 40 ms (with
 * latencies of 1 .. 10 ms, an answer normally comes within 20 ms), reservations held 2 s. */
saga_timing saga_default_timing(void);

/* How a node is configured (sim_add_node's config bytes). Every node gets the same shape. */
typedef struct saga_config {
  saga_mode mode;
  uint32_t sagas;  /* order service: sagas to run, 1 .. SAGA_MAX */
  sim_time start;  /* order service: saga 1 begins at this time ... */
  sim_time gap;    /* ... and each next one this much later (they overlap) */
  uint32_t refuse; /* service: bit t set = it refuses its step of saga t */
  saga_timing timing;
  bool naive; /* the dual-write demonstration (fixed code, not yours): services commit
                 their state, then send their event directly, without the outbox */
} saga_config;

/* A node's whole state: flat, zeroed at boot. */
typedef struct saga_state {
  saga_config config; /* copied from the node's configuration at boot */

  /* Yours. */
  saga_disk disk;               /* the database as this node last read or wrote it; boot loads
                                   it from stable storage; disk_commit writes it */
  sim_time sent_at[OUTBOX_MAX]; /* relay: when entry i was last published since boot (local
                                   clock), 0: not since boot. Volatile, like a real relay's */

  /* Fixed code (protocol.c) only. */
  uint32_t next_saga; /* order service: the next saga to begin */
  bool relay_armed;   /* the relay timer is pending */
  uint32_t commits;   /* disk_commit calls since boot (the unit tests count them) */
  uint32_t published; /* Event messages sent since boot */
} saga_state;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol saga_protocol;
extern const lab_info lab11;
/* For unit tests: the same messages, state and storage, but boot only copies the configuration
 * and loads the disk, and every message and timer is ignored, so a test can call your functions
 * one at a time by hand. */
extern const sim_protocol saga_inert_protocol;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code calls.
 */

/* Write s->disk to stable storage in ONE write: the local transaction. Everything you changed in
 * s->disk since the last commit (a step's status, its effect, the outbox entry announcing it)
 * becomes durable together, or, if the node crashes first, not at all. */
void disk_commit(sim_node *n, saga_state *s);
/* What a commit changes, from `before` to `after`, as one line into out (cap bytes):
 * "commit: s1 done, outbox + s1 Done #1" (disk_commit writes it as a note; the checks use it). */
void disk_describe(const saga_disk *before, const saga_disk *after, char *out, size_t cap);

/* Send event e as an Event message to e->to (publishing; the relay's only way out). Does not
 * touch the outbox. */
void publish(sim_node *n, saga_state *s, const saga_event *e);
/* Acknowledge event `id` to its producer `to` (an Ack message). */
void send_ack(sim_node *n, int to, uint32_t id);

/* The effect of this service's step of `saga` on its own data (charge, reserve, ship) and its
 * compensation (refund, release, cancel), in s->disk only: commit to make it durable. The
 * ledger counts them, and the checks read it. */
void effect_apply(sim_node *n, saga_state *s, uint32_t saga);
void effect_undo(sim_node *n, saga_state *s, uint32_t saga);

/* This service can do its step of `saga` (its configuration does not refuse it). */
bool service_can_do(const saga_state *s, uint32_t saga);

/* "payment", "inventory", "shipping", or "order" for n0. */
const char *service_name(int node);

/* ---------------------------------------------------------------------------------------------
 * What you write, part A: the outbox (exercises/11-sagas/outbox.c).
 */

/* Append an event (from `from` to `to`, for `saga`, of `kind`) to the outbox d->out, not yet
 * acknowledged, with the next id (d->out.last_id + 1, then last_id is that id). Memory only: the
 * caller commits it together with the state change it announces. Returns the new id, or 0 (and
 * adds nothing) if the outbox is full. */
uint32_t outbox_add(saga_disk *d, int from, int to, uint32_t saga, ev_kind kind);

/* The relay (protocol.c calls it after every handler, and on the relay timer): publish every
 * entry of s->disk.out that is not acknowledged and was not published in the last
 * timing.retry of local time (s->sent_at[i] is 0, or sim_clock(n) - sent_at[i] >=
 * timing.retry), in outbox order, and note when (sent_at[i] = sim_clock(n)). sim_clock(n) is
 * this node's local clock and sim_self(n) its id (both from sim.h; the handlers below need the
 * id). */
void outbox_relay(sim_node *n, saga_state *s);

/* An Ack for event `id` arrived. If an entry with that id is in the outbox and not yet
 * acknowledged, mark it acknowledged and commit (so that a restart does not publish it again).
 * An unknown id or a repeated Ack changes nothing and writes nothing. */
void outbox_on_ack(sim_node *n, saga_state *s, uint32_t id);

/* ---------------------------------------------------------------------------------------------
 * What you write, part B: a service (exercises/11-sagas/service.c). The same code runs payment,
 * inventory and shipping, in both modes.
 */

/* The service's rule for one saga: `input` is EV_DO (run the step) or EV_UNDO (compensate it).
 * Change s->disk.status[saga] and apply effects (effect_apply / effect_undo), in memory only,
 * and return the event that announces the change, or EV_NONE when nothing changed:
 *   EV_DO,   status NONE:  if service_can_do: apply the effect, status DONE, return EV_DONE;
 *                          otherwise status REFUSED, return EV_REFUSED (no effect);
 *   EV_DO,   any other status: a duplicate or a late command: EV_NONE (never apply twice, and
 *                          never again after a compensation);
 *   EV_UNDO, status DONE:  undo the effect, status COMPENSATED, return EV_COMPENSATED;
 *   EV_UNDO, any other status: nothing to undo (or already undone): EV_NONE.
 * Garcia-Molina and Salem, section 1: Ci undoes, from a semantic point of view, what Ti did; it
 * is only ever run for a Ti that committed. */
ev_kind service_react(sim_node *n, saga_state *s, uint32_t saga, ev_kind input);

/* An event e arrived at this service (protocol.c calls it for every Event message at n1 .. n3).
 *   1. What does it ask? Orchestration: e->kind is the input (EV_DO or EV_UNDO). Choreography:
 *      choreo_input(self, e), where self is sim_self(n). Decide by s->config.mode.
 *   2. service_react. If it returned an event: add it to the outbox (from: self, sim_self(n);
 *      to: orchestration, e->from; choreography, choreo_route(self, kind)) and commit ONCE: the
 *      state change and its event in the same write.
 *   3. Acknowledge e to e->from (send_ack) in every case, duplicates included, and only after
 *      the commit: an Ack tells the producer to stop publishing, so it must never come before
 *      the change is durable. */
void service_on_event(sim_node *n, saga_state *s, const saga_event *e);

/* ---------------------------------------------------------------------------------------------
 * What you write, part C: the orchestrator (exercises/11-sagas/orchestrator.c), on n0.
 */

/* The orchestrator's rule for one saga: a result event of `kind` from service `from` arrived.
 * Update *r and say what command to send next (*cmd_to, *cmd_kind). With no command to send
 * (including every false return), *cmd_kind is EV_NONE and *cmd_to is unspecified: set it to -1
 * by convention; no caller relies on it then. Returns true if the event moved the saga (r
 * changed), false if it was not the one the saga waits for:
 *   RUNNING at step k, EV_DONE from k:     k < 3: step k+1, command Do to k+1;
 *                                          k = 3: COMPLETED, no command;
 *   RUNNING at step k, EV_REFUSED from k:  failed = k; k = 1: ABORTED, no command (nothing
 *                                          committed); k > 1: COMPENSATING at step k-1, command
 *                                          Undo to k-1 (the refused step is not compensated);
 *   COMPENSATING at step j, EV_COMPENSATED from j: j > 1: step j-1, command Undo to j-1;
 *                                          j = 1: ABORTED, no command;
 *   anything else (another step's event, a duplicate, a late one): false, *r unchanged.
 * Garcia-Molina and Salem, section 1: T1 .. Tj, then Cj .. C1, in that order. */
bool saga_react(saga_rec *r, int from, ev_kind kind, int *cmd_to, ev_kind *cmd_kind);

/* Begin saga `saga` (protocol.c calls it on n0, in both modes). Orchestration: RUNNING at step
 * 1, command Do to payment. Choreography: RUNNING (step 0), event Placed to payment. Add the
 * command or event to the outbox and commit once. */
void saga_begin(sim_node *n, saga_state *s, uint32_t saga);

/* An event e arrived at n0 (both modes). Orchestration: saga_react; if it moved the saga, add
 * the command (if any) to the outbox and commit once. Choreography: choreo_order_react; if it
 * moved the saga, commit. Then, in every case and only after the commit, acknowledge e. */
void orchestrator_on_event(sim_node *n, saga_state *s, const saga_event *e);

/* ---------------------------------------------------------------------------------------------
 * What you write, part D: the choreography (exercises/11-sagas/choreography.c).
 */

/* Who consumes an event of `kind` that service `self` (1 .. 3) publishes:
 *   EV_DONE:                     the next service (self + 1); from shipping, the order service;
 *   EV_REFUSED, EV_COMPENSATED:  the previous service (self - 1), which must compensate; from
 *                                payment, the order service. */
int choreo_route(int self, ev_kind kind);

/* What event e asks of service `self` (1 .. 3): EV_DO when e is payment's cue (Placed, from the
 * order service) or the previous service's Done; EV_UNDO when it is the next service's Refused
 * or Compensated; EV_NONE for anything else. */
ev_kind choreo_input(int self, const saga_event *e);

/* The order service in a choreography, for one saga: RUNNING and shipping's Done: COMPLETED;
 * RUNNING and payment's Refused or Compensated: ABORTED (the chain of compensations reached the
 * start). Returns true if r changed; anything else: false. */
bool choreo_order_react(saga_rec *r, int from, ev_kind kind);

/* ---------------------------------------------------------------------------------------------
 * What you write, part E: TCC, try / confirm / cancel (exercises/11-sagas/tcc.c). An industry
 * pattern (no paper): the order service n0 coordinates; payment, inventory and shipping are
 * participants. n0 sends Try to all three at once; each reserves its resource (holds the funds,
 * the goods, a shipping slot) without making it final, and answers Reserved or Refused. If all
 * three reserved, n0 sends Confirm to all; otherwise Cancel to all, and waits for every answer.
 * A reservation nobody confirms expires after timing.hold (the participant cancels it itself).
 * The fixed handlers (protocol.c: tcc_begin, and the TCC branch of the dispatch) reuse the outbox
 * of part A: every command and answer goes through outbox_add and one disk_commit, and every
 * event is acknowledged after the commit, so your two rules below only decide.
 */

/* The participant's rule for one saga: `input` is EV_TRY, EV_CONFIRM or EV_CANCEL (protocol.c
 * also calls it with EV_CANCEL when a held reservation expires). Change s->disk.status[saga]
 * (and the effect ledger, hold_until[saga]) in memory only, and return the event that announces
 * the change, or EV_NONE when nothing changed:
 *   EV_TRY,     status NONE:      if service_can_do: effect_apply (the reservation), status
 *                                 HELD, hold_until = sim_clock(n) + timing.hold, EV_RESERVED;
 *                                 otherwise status REFUSED, EV_REFUSED (no effect);
 *   EV_TRY,     any other status: EV_NONE: a repeat, or a Try after its Cancel (anti-hanging:
 *                                 a cancelled transaction never reserves again);
 *   EV_CONFIRM, status HELD:      status CONFIRMED, EV_CONFIRMED (the effect stays);
 *   EV_CONFIRM, any other status: EV_NONE (a repeat; never confirm what was cancelled);
 *   EV_CANCEL,  status HELD:      effect_undo, status CANCELLED, EV_CANCELLED;
 *   EV_CANCEL,  NONE or REFUSED:  status CANCELLED, EV_CANCELLED, no effect: an empty cancel
 *                                 (its Try is late or refused), remembered so a late Try is
 * refused; EV_CANCEL,  any other status: EV_NONE (a repeat, or a Cancel after Confirm: refused). */
ev_kind tcc_participant_react(sim_node *n, saga_state *s, uint32_t saga, ev_kind input);

/* The coordinator's rule for one saga: answer `kind` from participant `from` (1 .. 3) arrived.
 * Update *r; set *cmd to the command to send to EVERY participant (EV_CONFIRM or EV_CANCEL), or
 * EV_NONE. Returns true if r changed, false for an answer the saga does not wait for:
 *   RUNNING (trying),  EV_RESERVED from k not yet heard: mark k heard; once all three are heard:
 *                      CONFIRMING, heard = 0, command Confirm;
 *   RUNNING,           EV_REFUSED or EV_CANCELLED (an expired reservation) from k: failed = k,
 *                      CANCELLING, heard = {k} if it was EV_CANCELLED (k will not answer a
 *                      Cancel again) else 0, command Cancel;
 *   CONFIRMING,        EV_CONFIRMED from k not yet heard: mark k; all three: COMPLETED;
 *   CANCELLING,        EV_CANCELLED from k not yet heard: mark k; all three: ABORTED;
 *   anything else (a repeat, a Reserved after the decision): false, *r unchanged.
 * All or nothing: Confirm only after every Try reserved, and then never Cancel. */
bool tcc_react(saga_rec *r, int from, ev_kind kind, ev_kind *cmd);

/* ---------------------------------------------------------------------------------------------
 * What a scenario run recorded (run->lab_data), for the tests: ground truth from the scenario's
 * observer and the nodes' stable storage, not from your code's own bookkeeping.
 */
typedef struct lab11_record {
  saga_mode mode;
  uint32_t sagas;
  uint32_t refuse[SAGA_NODES]; /* each service's configured refusals (bit t) */
  uint32_t events_sent;        /* Event messages sent (first publications and republications) */
  uint32_t acks_sent;
  uint32_t crashes[SAGA_NODES];
  uint32_t actions[SAGA_NODES]; /* sends and disk commits, as the crash points count them */
  /* The crash point of this run (crash-point scenarios): node cp_node crashes right after its
   * cp_k-th action; cp_reached says whether it did, cp_what what that action was. */
  int cp_node;
  uint32_t cp_k;
  bool cp_reached;
  sim_time cp_at;
  char cp_what[96];
  char last_action[SAGA_NODES][96];
  sim_time ended_at[SAGA_MAX + 1]; /* when n0's disk first showed the saga completed/aborted */
  uint32_t completed, aborted;     /* at the end of the run */
  /* A saga that did not end by the deadline (0: none), and whether the reason is a lost event:
   * service stuck_node committed its step (its disk says so) but never sent the event. */
  uint32_t stuck_saga;
  int32_t stuck_node;
  bool event_lost;
} lab11_record;

#endif
