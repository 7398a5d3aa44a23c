/*
 * nemesis.h: fault schedules, written as text, applied to a world at exact virtual times.
 *
 * A fault schedule says what goes wrong and when: "500ms partition 0,1|2,3,4; 2s heal". Drivers
 * and tests write one by hand, or draw a random one from the world's seed; nemesis_install turns
 * each statement into a sim_at event that calls the world-control functions of sim.h. The name
 * comes from Jepsen, where the process that injects faults is "the nemesis".
 *
 * The language
 * ------------
 * A schedule is a list of statements separated by ';' or newlines. '#' starts a comment that
 * runs to the end of the line. Blank statements are allowed. Every statement is
 *
 *     TIME COMMAND ARGUMENTS
 *
 * TIME is an absolute virtual time (since the start of the run) with a unit: 500us, 500ms, 2s,
 * 1.5s. A number without a unit is an error, except 0. A time must be a whole number of
 * microseconds (1.5us is an error). Durations in arguments are written the same way.
 *
 *   partition 0,1|2,3,4   Cut the network into groups ('|' separates groups, ',' nodes); nodes
 *                         in different groups cannot talk. Nodes that are not listed form one
 *                         more group of their own, so "partition 2" isolates node 2 from the
 *                         rest. A node may be listed once; the result must have at least two
 *                         groups. A partition replaces the links' blocked state (like a heal
 *                         followed by the cut), including earlier one-way blocks.
 *   heal                  Unblock every link.
 *   crash N               Crash node N (it must be up at that time, as far as the schedule
 *                         knows). restart N: boot it again (it must be down then).
 *   block A>B             Block the one-way link from A to B; unblock A>B opens it again.
 *   loss P, dup P         Probability, 0 to 1, that a message is lost / delivered twice.
 *   latency constant D | latency uniform MIN MAX | latency exponential OFFSET OFFSET+MEAN
 *                         The latency model (the two fields of sim_net_config; MIN <= MAX).
 *   fifo on|off           Whether links keep messages in order.
 *   skew N +300ms         Set node N's clock skew (signed; the sign may be left out).
 *   drift N 200ppm        Set node N's clock drift in parts per million ("ppm" is optional),
 *                         from -999999 to 999999.
 *   slow N 50ms           Every message to N and every timer N sets takes 50ms longer
 *                         (0 makes it normal again).
 *
 * Order: statements may be written in any order of time. The schedule is sorted by time, and
 * statements with equal times keep the order they were written in, so "0s loss 0.1" at the end
 * of the text still applies first. The checks that depend on history (restart only a crashed
 * node, crash only a live one) follow that sorted order.
 *
 * Network settings: loss, dup, latency and fifo each change one field of the world's default
 * link configuration at that moment and leave the others as they are (then call sim_set_net,
 * which also clears per-link overrides). Clocks: sim_set_clock sets skew and drift together, so
 * a skew statement keeps the drift the schedule last gave that node and the other way round;
 * the schedule assumes every clock starts at skew 0 and drift 0.
 *
 * Errors name the line and column (both from 1, columns in bytes) and what was expected:
 *     line 2, column 10: expected a node number, found "x"
 * The canonical text (nemesis_format) writes one statement a line, sorted, with times in the
 * largest unit that is exact; it parses back to an equal schedule.
 */
#ifndef CAUSEWAY_NEMESIS_H
#define CAUSEWAY_NEMESIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "sim.h"

typedef enum {
  NEMESIS_PARTITION,
  NEMESIS_HEAL,
  NEMESIS_CRASH,
  NEMESIS_RESTART,
  NEMESIS_BLOCK,
  NEMESIS_UNBLOCK,
  NEMESIS_LOSS,
  NEMESIS_DUP,
  NEMESIS_LATENCY,
  NEMESIS_FIFO,
  NEMESIS_SKEW,
  NEMESIS_DRIFT,
  NEMESIS_SLOW
} nemesis_kind;

/* One statement of a schedule. Only the fields its kind names are meaningful; the others are 0. */
typedef struct nemesis_action {
  sim_time time; /* when it applies */
  nemesis_kind kind;
  int node;                    /* crash, restart, skew, drift, slow; block/unblock: from */
  int peer;                    /* block/unblock: to */
  int group_of[SIM_MAX_NODES]; /* partition: each node's group, numbered 0,1,.. in order of
                                  each group's lowest node */
  double probability;          /* loss, dup */
  sim_latency_kind latency;    /* latency: the model */
  sim_time latency_min;        /* latency: as sim_net_config.latency_min */
  sim_time latency_max;        /* latency: as sim_net_config.latency_max */
  bool on;                     /* fifo */
  int64_t skew_us;             /* skew and drift: the skew the node's clock gets */
  int32_t drift_ppm;           /* skew and drift: the drift the node's clock gets */
  sim_time extra;              /* slow */
  int line, column;            /* where the statement starts in the text (1-based) */
} nemesis_action;

typedef struct nemesis_schedule nemesis_schedule;

/* Parse a schedule for a world of node_count nodes (1..SIM_MAX_NODES). text is NUL-ended and is
 * not kept. Returns a new schedule (free it with nemesis_free), or NULL on any error, with a
 * one-line message ("line 2, column 10: expected a node number, found \"x\"") written into
 * err (cap bytes, NUL-ended, truncated if needed; err may be NULL when cap is 0). An empty text
 * (or only comments) is a valid, empty schedule. */
nemesis_schedule *nemesis_parse(const char *text, int node_count, char *err, size_t cap);

/* Free a schedule (NULL is fine). A world it was installed in must be destroyed first. */
void nemesis_free(nemesis_schedule *s);

/* The number of statements, and statement i (0 <= i < count) in time order. The pointer is
 * valid until the schedule is freed. */
size_t nemesis_count(const nemesis_schedule *s);
const nemesis_action *nemesis_action_at(const nemesis_schedule *s, size_t i);
/* The node count the schedule was parsed for. */
int nemesis_node_count(const nemesis_schedule *s);
/* The time of the last statement (0 for an empty schedule). */
sim_time nemesis_end(const nemesis_schedule *s);

/* True if two schedules have the same node count and the same statements (ignoring where they
 * were written in the text). */
bool nemesis_equal(const nemesis_schedule *a, const nemesis_schedule *b);

/* Schedule every statement in world w with sim_at, in order; a statement whose time has already
 * passed applies at the current time. The schedule is used by pointer, so it must outlive the
 * world (and any snapshot of it that may be restored). Applying a statement: crash skips a node
 * that is already down and restart one that is up (a driver may have crashed it meanwhile), so
 * the world never sees a double crash. Returns false, and schedules nothing, if the world does
 * not have the node count the schedule was parsed for. */
bool nemesis_install(sim_world *w, const nemesis_schedule *s);

/* Apply one statement to w now (what the installed events do). For drivers that step faults by
 * hand. */
void nemesis_apply(sim_world *w, const nemesis_action *a);

/* Write the canonical text of s into out (cap bytes, NUL-ended, truncated if needed; out may be
 * NULL when cap is 0). Returns the length the whole text needs, not counting the NUL, as
 * snprintf does. The text parses back (with the same node count) to an equal schedule. */
size_t nemesis_format(const nemesis_schedule *s, char *out, size_t cap);

/* What a random schedule may contain. Numbers left at 0 take the default said beside them. */
typedef struct nemesis_random_options {
  bool partitions;     /* partitions and one-way blocks, each ended by a heal */
  bool crashes;        /* crashes, each followed by a restart */
  bool loss;           /* bursts of loss or duplication, each ended by "loss 0" / "dup 0" */
  int max_crashed;     /* most nodes down at once; 0: a minority, (node_count - 1) / 2 */
  sim_time mean_gap;   /* mean quiet time between two faults of one kind; 0: duration / 8 */
  sim_time mean_fault; /* mean length of one fault; 0: duration / 10 */
  double max_loss;     /* highest loss or dup probability in a burst; 0: 0.3 */
} nemesis_random_options;

/* The defaults: partitions, crashes and loss bursts, every number at its default. */
nemesis_random_options nemesis_random_defaults(void);

/* Draw a random schedule from r (use sim_nemesis_rng(w) to tie it to the world's seed): the
 * same stream state gives the same text. Each kind of fault runs on its own timeline, so a
 * crash may overlap a partition; every fault starts and ends strictly before `duration`, so
 * at `duration` the network is healed, loss and dup are 0 and every node is up. Never more than
 * max_crashed nodes are down at once. opt may be NULL for the defaults. Returns the canonical
 * text (as nemesis_format writes it; it always parses with node_count), malloc'ed: the caller
 * frees it. Returns NULL only if node_count is outside 1..SIM_MAX_NODES. */
char *nemesis_random(rng *r, int node_count, sim_time duration, const nemesis_random_options *opt);

#endif
