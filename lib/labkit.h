/*
 * labkit.h: what every lab shares: named scenarios, the driver's command line, seed sweeps.
 *
 * A lab defines its scenarios once (labs/NN-name/scenarios.c) and both its driver and its tests
 * run them, so the command a failing test prints replays exactly the run that failed:
 *
 *   build/rel/solutions/00-messaging/driver --scenario lossy --seed 17 --viz
 *
 * A scenario builds a world (sim_create, sim_add_node ...), hands it to lab_begin (which attaches
 * the trace, installs the fault schedule given with --nemesis, and boots the nodes), runs it, and
 * judges it: true when the lab's properties held, with a one-paragraph verdict either way.
 */
#ifndef CAUSEWAY_LABKIT_H
#define CAUSEWAY_LABKIT_H

#include <stdbool.h>
#include <stdio.h>

#include "sim.h"

typedef struct lab_run {
  /* Set by the caller before running a scenario. */
  uint64_t seed;
  FILE *trace;          /* where the trace goes, or NULL */
  const char *nemesis;  /* an extra fault schedule (the nemesis language), or NULL */
  const char *lab_id;   /* "00-messaging" (for the trace header) */
  const char *scenario; /* the scenario's name (for the trace header) */
  int nodes;            /* --nodes N: how many nodes (0: the scenario's own number; lab_nodes) */
  bool loss_set;        /* --loss P given: every link loses messages with probability loss */
  double loss;
  /* Set by the scenario. */
  sim_world *world;   /* the scenario's world, left alive for the caller to inspect */
  char verdict[2048]; /* what happened: the property that held or the one that broke */
  void *lab_data;     /* a lab may hang its own results here (freed with free() by lab_end) */
  struct nemesis_schedule *schedule; /* the parsed --nemesis schedule (lab_end frees it) */
} lab_run;

typedef struct lab_scenario {
  const char *name;
  const char *summary; /* one line for --list */
  bool (*run)(lab_run *run);
  /* The range --nodes may ask for; both 0 when the scenario's nodes are fixed (--nodes is then
   * refused). A scenario with a range gets its count from lab_nodes. */
  int min_nodes, max_nodes;
} lab_scenario;

/* The last two fields of a lab_scenario: {"name", "summary", run, LAB_FIXED_NODES} or
 * {"name", "summary", run, LAB_NODES(2, 8)}. */
#define LAB_FIXED_NODES 0, 0
#define LAB_NODES(min, max) (min), (max)

typedef struct lab_info {
  const char *id;    /* "00-messaging" */
  const char *title; /* "The network is not a function call" */
  const lab_scenario *scenarios;
  int scenario_count;
} lab_info;

/* The number of nodes a scenario should build: --nodes N when given (lab_main has checked it
 * against the scenario's min_nodes..max_nodes), else the scenario's own default. */
int lab_nodes(const lab_run *run, int default_nodes);

/* Attach the trace, apply --loss to every link, install run->nemesis (aborts with a message if it
 * does not parse: drivers check it before), start the world. Call after adding the nodes. Sets
 * run->world. */
void lab_begin(lab_run *run, sim_world *w);

/* Write a formatted verdict into run->verdict; returns `held`, for `return lab_verdict(...)`. */
bool lab_verdict(lab_run *run, bool held, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Destroy run->world (writing the trace's last line) and free run->lab_data. */
void lab_end(lab_run *run);

/* Find a scenario by name, or NULL. */
const lab_scenario *lab_find(const lab_info *lab, const char *name);

/* Run scenario `name` with `seed` and no trace: returns whether it held; the verdict is copied into
 * verdict (cap bytes) if not NULL. The world is destroyed. */
bool lab_run_quiet(const lab_info *lab, const char *name, uint64_t seed, const char *nemesis,
                   char *verdict, size_t cap);

/* The driver's main: parses the command line (see --help), runs, returns the exit status:
 * 0 the scenario held, 1 it did not, 2 bad usage, 3 an exercise stub was reached. */
int lab_main(int argc, char **argv, const lab_info *lab);

#endif
