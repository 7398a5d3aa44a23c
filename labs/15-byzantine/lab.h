/*
 * labs/15-byzantine/lab.h: lab 15, Byzantine agreement with oral messages, OM(m).
 *
 * Lamport, Shostak and Pease, "The Byzantine Generals Problem" (ACM TOPLAS 4(3), 1982). A
 * commander (here always n0) sends an order, ATTACK or RETREAT, to n - 1 lieutenants. Up to m of
 * the n generals are traitors, and a traitor may say anything to anyone. Two conditions must hold
 * (Section 1):
 *   IC1: all loyal lieutenants obey the same order;
 *   IC2: if the commander is loyal, every loyal lieutenant obeys the order it sends.
 * Section 3's oral messages algorithm OM(m) meets both whenever n > 3m (Theorem 1); Section 2
 * shows that with n <= 3m no algorithm can.
 *
 * How OM(m) runs here. The network is synchronous (the paper's assumptions A1 to A3): every
 * message is delivered within a round (OM_ROUND, latencies are far shorter), and a message that
 * is absent when its round ends counts as RETREAT. protocol.c drives the rounds with a timer:
 *   round 0 (t = 0): the commander calls om_command: its order goes to every lieutenant;
 *   round r, 1 <= r <= m (t = r * OM_ROUND): every lieutenant calls om_relay: each value it
 *     received during round r - 1 goes on to the generals that have not seen it yet;
 *   round m + 1 (t = (m + 1) * OM_ROUND): every loyal lieutenant calls om_decide.
 * Every message carries its path: the generals it went through, commander first, sender last
 * ("0>2>5": the commander told n2, n2 told n5, n5 tells you). A path names one sub-instance of the
 * recursion: the path 0>2 is n2 acting as commander in OM(m - 1), the path 0>2>5 is n5 acting as
 * commander inside that, in OM(m - 2). A lieutenant stores every value it receives under its path
 * and at the end folds them back up with majorities, from the longest paths to the shortest.
 *
 * Traitors are played by protocol.c, not by you: a traitor runs your code like everyone else, but
 * om_send replaces the values it sends by lies (or drops them), drawn from the seed. So your code
 * only ever implements loyal behaviour.
 *
 * You write the functions at the bottom: om_majority (exercises/15-byzantine/majority.c), then
 * om_store and om_lookup (received.c), then om_command, om_relay, om_value and om_decide (om.c).
 */
#ifndef LAB15_H
#define LAB15_H

#include <stdbool.h>
#include <stdint.h>

#include "labkit.h"
#include "sim.h"
#include "todo.h"

enum {
  OM_MAX_NODES = 7, /* generals in one world of this lab */
  OM_MAX_M = 2,     /* the most traitors an instance is built for: OM(2) */
  /* A path has at most m + 1 generals: the commander and one relay per level of recursion. */
  OM_MAX_PATH = OM_MAX_M + 1,
  /* The values one lieutenant can receive, one per path: paths start at the commander, hold
   * distinct generals and never the receiver itself. With n = 7 and m = 2 a lieutenant receives
   * the commander's order (1 path: 0), then one relay from each of the other 5 lieutenants (5
   * paths: 0>j), then from each of those, one relay from each of the 4 generals not yet on the
   * path (5 * 4 = 20 paths: 0>j>k): 1 + 5 + 20 = 26. In general the sum over k = 0..m of
   * (n-2)! / (n-2-k)!. */
  OM_MAX_RECEIVED = 26
};

#define OM_ROUND (50 * SIM_MS) /* length of one synchronous round */
#define OM_COMMANDER 0         /* the commander's node id */

/* The two orders. RETREAT is also the default: what a missing value or a tie counts as. */
enum { OM_RETREAT = 0, OM_ATTACK = 1 };
/* om_lookup's answer for a path nothing was stored under. */
#define OM_MISSING (-1)

/* Message types and timer kinds. */
enum { MSG_ORDER, MSG_TYPE_COUNT };
enum { TIMER_ROUND, TIMER_KIND_COUNT };

/* The generals a value went through, commander first: g[0..len). */
typedef struct om_path {
  uint8_t len;            /* 1 .. OM_MAX_PATH */
  uint8_t g[OM_MAX_PATH]; /* node ids */
} om_path;

/* The body of MSG_ORDER: "the value at the end of this path is `value`". The sender is the
 * path's last general. */
typedef struct om_msg {
  om_path path;
  uint8_t value; /* OM_ATTACK or OM_RETREAT */
} om_msg;

/* One value a lieutenant received, stored under its path. */
typedef struct om_entry {
  om_path path;
  uint8_t value;
} om_entry;

/* How a traitor lies (protocol.c's om_send applies it to everything the traitor sends). */
typedef enum {
  OM_LIE_RANDOM,   /* each message carries a value drawn at random, per receiver */
  OM_LIE_OPPOSITE, /* the paper's three-generals example (Section 2, Figures 1 and 2): as the
                      commander, ATTACK to odd-numbered lieutenants and RETREAT to even ones;
                      as a lieutenant, the opposite of what it received */
  OM_LIE_SILENT,   /* sends nothing at all */
  OM_LIE_COUNT
} om_lie;

/* A general's configuration (sim_add_node's config bytes). */
typedef struct om_config {
  int32_t m;     /* the number of traitors the run is built for: it runs OM(m) */
  uint8_t order; /* the commander's order (read by om_command at the commander only) */
  bool traitor;  /* played by protocol.c: om_send lies for it */
  om_lie lie;    /* how it lies, when it is a traitor */
  bool manual;   /* tests only: boot starts no rounds; nothing runs unless a test says so */
} om_config;

/* A general's whole state: flat, zeroed at boot. */
typedef struct om_state {
  om_config config; /* copied from the node's configuration at boot */

  /* Yours: the values received, one entry per path, in arrival order: received[0 ..
   * received_count). om_store appends, om_lookup searches, om_relay and om_value read. */
  om_entry received[OM_MAX_RECEIVED];
  uint32_t received_count;
  /* Yours: the decision (set by om_decide). */
  bool decided;
  uint8_t decision;

  /* Fixed code (protocol.c) only. */
  int32_t round;     /* the current round: 0 from boot, then set by the round timer */
  uint32_t late;     /* messages that arrived after their round ended (ignored) */
  uint32_t rejected; /* messages om_store refused (a path already stored, or no room) */
} om_state;

/* ---------------------------------------------------------------------------------------------
 * What the scenarios record (run->lab_data), for the tests and the verdicts.
 */
enum { OM_MAX_SENT = 512 };

/* One message a general sent, as the checker saw it. */
typedef struct om_sent {
  sim_time at;
  int32_t from, to;
  om_msg msg;
} om_sent;

typedef struct lab15_record {
  int nodes, m;
  uint32_t traitors;             /* bit i: node i is a traitor */
  om_lie lie[OM_MAX_NODES];      /* each traitor's strategy */
  uint8_t order;                 /* the commander's order */
  uint32_t set_index, set_count; /* which traitor set of the enumeration this seed picked */
  /* What each general accepted (arrived within its round, first copy per path), as the network
   * delivered it: the checker's own copy, independent of om_store. */
  om_entry accepted[OM_MAX_NODES][OM_MAX_RECEIVED];
  uint32_t accepted_count[OM_MAX_NODES];
  om_sent sent[OM_MAX_SENT]; /* every Order sent, in order (the first OM_MAX_SENT) */
  uint32_t sent_count;
  /* Decisions as they were made (read from the node states after every event). */
  bool decided[OM_MAX_NODES];
  uint8_t decision[OM_MAX_NODES];
  sim_time decided_at[OM_MAX_NODES];
  int32_t rounds_checked; /* rounds whose relays have been checked for completeness */
} lab15_record;

/* The protocol descriptor (protocol.c) and the lab's scenarios (scenarios.c). */
extern const sim_protocol om_protocol;
extern const lab_info lab15;

/* ---------------------------------------------------------------------------------------------
 * Helpers from protocol.c that your code calls.
 */

/* Send `value` with `path` to general `to` (an Order message). Call it for every message you
 * send. For a loyal general it sends exactly that; for a traitor it sends a lie instead, or
 * nothing (the traitor's om_lie). path must end with the sender. */
void om_send(sim_node *n, om_state *s, int to, const om_path *path, uint8_t value);

/* The path of one general, g alone: om_path_of(OM_COMMANDER) is the path "0", the whole
 * instance (what om_command sends, what om_decide takes the value of). */
om_path om_path_of(int g);
/* True when general g is on path p. */
bool om_path_contains(const om_path *p, int g);
/* p with general g appended (p->len < OM_MAX_PATH). */
om_path om_path_append(const om_path *p, int g);
/* True when a and b are the same path (same length, same generals in the same order). */
bool om_path_equal(const om_path *a, const om_path *b);
/* The path as text, "0>2>5", into out (cap bytes); returns out. */
const char *om_path_format(const om_path *p, char *out, size_t cap);
/* "ATTACK", "RETREAT", or "?" for anything else. */
const char *om_value_name(int value);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 1 (exercises/15-byzantine/majority.c).
 */

/* The majority function of Section 3: the value held by more than half of values[0 .. count),
 * if there is one; otherwise (a tie, or count == 0) the default, OM_RETREAT. Any deterministic
 * choice on a tie would do, as long as every loyal lieutenant makes the same one. */
uint8_t om_majority(const uint8_t *values, int count);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 2 (exercises/15-byzantine/received.c): one value per path.
 */

/* Store `value` as the value received with `path`: append (path, value) to s->received. A path
 * is stored once: if it is already there, keep the first value and return false (a duplicated
 * message must not count twice, nor replace what arrived first). Also return false, storing
 * nothing, when the table is full (OM_MAX_RECEIVED entries). Returns true when stored. */
bool om_store(om_state *s, const om_path *path, uint8_t value);

/* The value stored under `path` (OM_ATTACK or OM_RETREAT), or OM_MISSING if none was. */
int om_lookup(const om_state *s, const om_path *path);

/* ---------------------------------------------------------------------------------------------
 * What you write, part 3 (exercises/15-byzantine/om.c): the algorithm OM(m), Section 3.
 *
 * Your id is sim_self(n) and the number of generals is sim_node_count(n) (lib/sim.h); pass them
 * to om_value. The path of one general is om_path_of(g) (helpers above).
 */

/* Round 0, at the commander (OM(m), step 1): send s->config.order to every lieutenant (every
 * general but yourself) with the path that holds only you, through om_send. */
void om_command(sim_node *n, om_state *s);

/* Round `round` (1 .. m), at a lieutenant (OM(m), step 2, one level of the recursion per round):
 * you act as commander in OM(m - round) for each value you received in round - 1, that is, for
 * each stored path with exactly `round` generals. Send that value, with the path extended by
 * yourself, to every general that is not on the path and is not yourself. Send nothing for the
 * other stored paths. */
void om_relay(sim_node *n, om_state *s, int round);

/* The value this lieutenant (self, of `nodes` generals) takes from the sub-instance named by
 * `path` (OM(m), step 3, recursively; m is s->config.m). Let v be the value stored under path, or
 * OM_RETREAT if none was (a missing message counts as RETREAT). If the path has m + 1 generals,
 * the sub-instance is OM(0): return v. Otherwise return the majority of v and of
 * om_value(path extended by j) for every general j that is neither on the path nor self. */
uint8_t om_value(const om_state *s, const om_path *path, int self, int nodes);

/* Round m + 1, at a loyal lieutenant (traitors do not decide): decide. The decision is the value
 * of the whole instance, the one whose path is the commander alone; store it in s->decision and
 * set s->decided. */
void om_decide(sim_node *n, om_state *s);

#endif
