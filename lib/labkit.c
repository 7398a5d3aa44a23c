/*
 * labkit.c: the scenario runner and the command line every lab driver shares (see labkit.h).
 *
 * The driver is the learner's window on a lab: list the scenarios, run one with a seed, write its
 * trace, watch it in dsviz (--viz), add faults (--nemesis), sweep seeds to hunt for a failure.
 * Exit status: 0 held, 1 did not hold, 2 bad usage, 3 an exercise stub was reached (todo.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "labkit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nemesis.h"

#ifndef CAUSEWAY_BIN_DIR
#define CAUSEWAY_BIN_DIR "build/rel/bin"
#endif

int lab_nodes(const lab_run *run, int default_nodes) {
  return run->nodes > 0 ? run->nodes : default_nodes;
}

void lab_begin(lab_run *run, sim_world *w) {
  run->world = w;
  if (run->trace) sim_trace_to(w, run->trace, run->lab_id, run->scenario);
  if (run->loss_set) {
    sim_net_config cfg = *sim_link_config(w, 0, 0);
    cfg.loss = run->loss;
    sim_adjust_net(w, &cfg, SIM_NET_LOSS);
  }
  if (run->nemesis && run->nemesis[0]) {
    char err[512];
    nemesis_schedule *s = nemesis_parse(run->nemesis, sim_nodes(w), err, sizeof err);
    if (!s) {
      fprintf(stderr, "causeway: bad fault schedule: %s\n", err);
      exit(2);
    }
    nemesis_install(w, s);
    run->schedule = s; /* it must outlive the world: lab_end frees it */
  }
  sim_start(w);
}

bool lab_verdict(lab_run *run, bool held, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(run->verdict, sizeof run->verdict, fmt, ap);
  va_end(ap);
  return held;
}

void lab_end(lab_run *run) {
  sim_destroy(run->world);
  run->world = NULL;
  if (run->schedule) nemesis_free(run->schedule);
  run->schedule = NULL;
  free(run->lab_data);
  run->lab_data = NULL;
}

const lab_scenario *lab_find(const lab_info *lab, const char *name) {
  for (int i = 0; i < lab->scenario_count; i++)
    if (strcmp(lab->scenarios[i].name, name) == 0) return &lab->scenarios[i];
  return NULL;
}

/* Run scenario sc with the options of `options` (nodes, loss, nemesis) and `seed`, no trace. */
static bool run_with_options(const lab_info *lab, const lab_scenario *sc, const lab_run *options,
                             uint64_t seed, char *verdict, size_t cap) {
  lab_run run = *options;
  run.seed = seed;
  run.trace = NULL;
  run.lab_id = lab->id;
  run.scenario = sc->name;
  bool held = sc->run(&run);
  if (verdict) snprintf(verdict, cap, "%s", run.verdict);
  lab_end(&run);
  return held;
}

bool lab_run_quiet(const lab_info *lab, const char *name, uint64_t seed, const char *nemesis,
                   char *verdict, size_t cap) {
  const lab_scenario *sc = lab_find(lab, name);
  if (!sc) {
    if (verdict) snprintf(verdict, cap, "no scenario named \"%s\"", name);
    return false;
  }
  lab_run options = {.nemesis = nemesis};
  return run_with_options(lab, sc, &options, seed, verdict, cap);
}

static void usage(FILE *out, const char *prog, const lab_info *lab) {
  fprintf(
      out,
      "usage: %s [--scenario NAME] [--seed N] [--trace FILE] [--viz] [--nodes N] [--loss P]\n"
      "           [--nemesis SCHEDULE]\n"
      "       %s --seeds FIRST..LAST [--scenario NAME] [--nodes N] [--loss P] [--nemesis "
      "SCHEDULE]\n"
      "       %s --list | --help\n"
      "\n"
      "Lab %s: %s\n"
      "  --scenario NAME    which scenario to run (default: %s; --list shows them all)\n"
      "  --seed N           the seed of the run (default 1): same seed, same run\n"
      "  --trace FILE       write the JSON Lines trace to FILE (- for standard output)\n"
      "  --viz              watch the run in dsviz (a text summary if not on a terminal)\n"
      "  --nodes N          run with N nodes (scenarios whose --list line says how many may vary)\n"
      "  --loss P           every link loses a message with probability P (0..1) from the start\n"
      "  --nemesis TEXT     add a fault schedule, e.g. \"500ms partition 0|1,2; 2s heal\"\n"
      "  --seeds A..B       run every seed from A to B and report the ones that fail\n",
      prog, prog, prog, lab->id, lab->title, lab->scenario_count ? lab->scenarios[0].name : "-");
}

static bool parse_u64(const char *s, uint64_t *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || s[0] == '-') return false;
  *out = v;
  return true;
}

static int bad_usage(const char *prog, const char *fmt, const char *arg) {
  fprintf(stderr, "%s: ", prog);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s: try --help\n", prog);
  return 2;
}

static const char *viewer_path(void) {
  const char *env = getenv("CAUSEWAY_DSVIZ");
  return env && *env ? env : CAUSEWAY_BIN_DIR "/dsviz";
}

int lab_main(int argc, char **argv, const lab_info *lab) {
  const char *prog = argv[0];
  const char *scenario = lab->scenario_count ? lab->scenarios[0].name : NULL;
  const char *trace_path = NULL, *nemesis = NULL;
  uint64_t seed = 1, first = 0, last = 0, nodes = 0;
  bool viz = false, sweep = false;
  lab_run options = {0};
  const char *loss_text = NULL, *nodes_text = NULL;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout, prog, lab);
      return 0;
    } else if (!strcmp(a, "--list")) {
      for (int s = 0; s < lab->scenario_count; s++)
        printf("%-18s %s\n", lab->scenarios[s].name, lab->scenarios[s].summary);
      return 0;
    } else if (!strcmp(a, "--scenario") || !strcmp(a, "-s")) {
      if (!val) return bad_usage(prog, "%s needs a scenario name", a);
      scenario = val;
      i++;
    } else if (!strcmp(a, "--seed")) {
      if (!parse_u64(val, &seed))
        return bad_usage(prog, "--seed needs a non-negative integer, not \"%s\"", val ? val : "");
      i++;
    } else if (!strcmp(a, "--seeds")) {
      const char *dots = val ? strstr(val, "..") : NULL;
      char left[32];
      if (!dots || (size_t)(dots - val) >= sizeof left)
        return bad_usage(prog, "--seeds needs a range like 1..100, not \"%s\"", val ? val : "");
      memcpy(left, val, (size_t)(dots - val));
      left[dots - val] = 0;
      if (!parse_u64(left, &first) || !parse_u64(dots + 2, &last) || last < first)
        return bad_usage(prog, "--seeds needs a range like 1..100, not \"%s\"", val);
      sweep = true;
      i++;
    } else if (!strcmp(a, "--trace")) {
      if (!val) return bad_usage(prog, "%s needs a file name (or - for standard output)", a);
      trace_path = val;
      i++;
    } else if (!strcmp(a, "--viz")) {
      viz = true;
    } else if (!strcmp(a, "--nodes")) {
      if (!parse_u64(val, &nodes) || nodes < 1 || nodes > SIM_MAX_NODES) {
        char why[128];
        snprintf(why, sizeof why, "--nodes needs a number of nodes from 1 to %d, not \"%%s\"",
                 SIM_MAX_NODES);
        return bad_usage(prog, why, val ? val : "");
      }
      nodes_text = val;
      i++;
    } else if (!strcmp(a, "--loss")) {
      char *end = NULL;
      double p = val ? strtod(val, &end) : -1;
      if (!val || !*val || *end || !(p >= 0 && p <= 1))
        return bad_usage(prog, "--loss needs a probability from 0 to 1, like 0.2, not \"%s\"",
                         val ? val : "");
      options.loss_set = true;
      options.loss = p;
      loss_text = val;
      i++;
    } else if (!strcmp(a, "--nemesis")) {
      if (!val) return bad_usage(prog, "%s needs a fault schedule", a);
      nemesis = val;
      i++;
    } else {
      return bad_usage(prog, "unknown option \"%s\"", a);
    }
  }
  const lab_scenario *sc = scenario ? lab_find(lab, scenario) : NULL;
  if (!sc)
    return bad_usage(prog, "no scenario named \"%s\" (--list shows them)",
                     scenario ? scenario : "");
  if (viz && trace_path) return bad_usage(prog, "%s: use either --viz or --trace", "--viz");
  if (nodes && sc->max_nodes == 0)
    return bad_usage(prog, "scenario \"%s\" has a fixed set of nodes: --nodes does not apply to it",
                     sc->name);
  if (nodes && (nodes < (uint64_t)sc->min_nodes || nodes > (uint64_t)sc->max_nodes)) {
    fprintf(stderr, "%s: scenario \"%s\" runs with %d to %d nodes, not %s\n%s: try --help\n", prog,
            sc->name, sc->min_nodes, sc->max_nodes, nodes_text, prog);
    return 2;
  }
  options.nodes = (int)nodes;
  options.nemesis = nemesis;
  /* The options as they must be repeated in a replay command. */
  char replay_options[1024];
  snprintf(replay_options, sizeof replay_options, "%s%s%s%s%s%s%s", nodes ? " --nodes " : "",
           nodes ? nodes_text : "", loss_text ? " --loss " : "", loss_text ? loss_text : "",
           nemesis ? " --nemesis '" : "", nemesis ? nemesis : "", nemesis ? "'" : "");

  if (nemesis) {
    /* Check the schedule before running anything (node count unknown here: use the maximum,
     * lab_begin checks again against the real world). */
    char err[512];
    nemesis_schedule *s = nemesis_parse(nemesis, SIM_MAX_NODES, err, sizeof err);
    if (!s) {
      fprintf(stderr, "%s: bad fault schedule: %s\n", prog, err);
      return 2;
    }
    nemesis_free(s);
  }

  if (sweep) {
    int failed = 0;
    for (uint64_t s = first; s <= last; s++) {
      char verdict[2048];
      if (!run_with_options(lab, sc, &options, s, verdict, sizeof verdict)) {
        failed++;
        printf("seed %" PRIu64 ": FAILED: %s\n  replay: %s --scenario %s --seed %" PRIu64
               "%s --viz\n",
               s, verdict, prog, sc->name, s, replay_options);
      }
      if (s == UINT64_MAX) break;
    }
    printf("%s: %" PRIu64 " seeds, %d failed\n", sc->name, last - first + 1, failed);
    return failed ? 1 : 0;
  }

  FILE *out = NULL;
  bool is_pipe = false;
  if (viz) {
    char cmd[1024];
    bool terminal = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    snprintf(cmd, sizeof cmd, "'%s' %s-", viewer_path(), terminal ? "" : "--summary ");
    if (access(viewer_path(), X_OK) != 0) {
      fprintf(stderr, "%s: the viewer %s is not built (run make first)\n", prog, viewer_path());
      return 2;
    }
    fflush(stdout);
    out = popen(cmd, "w");
    if (!out) {
      fprintf(stderr, "%s: cannot start %s: %s\n", prog, viewer_path(), strerror(errno));
      return 2;
    }
    is_pipe = true;
  } else if (trace_path && strcmp(trace_path, "-") == 0) {
    out = stdout;
  } else if (trace_path) {
    out = fopen(trace_path, "w");
    if (!out) {
      fprintf(stderr, "%s: cannot write %s: %s\n", prog, trace_path, strerror(errno));
      return 2;
    }
  }

  lab_run run = options;
  run.seed = seed;
  run.trace = out;
  run.lab_id = lab->id;
  run.scenario = sc->name;
  bool held = sc->run(&run);
  lab_end(&run);
  if (is_pipe) {
    pclose(out);
  } else if (out && out != stdout) {
    fclose(out);
  }
  FILE *say = (out == stdout) ? stderr : stdout;
  fprintf(say, "%s %s seed %" PRIu64 ": %s\n  %s\n", lab->id, sc->name, seed,
          held ? "held" : "FAILED", run.verdict);
  return held ? 0 : 1;
}
