/*
 * lincheck: check a client history for linearizability, from the command line.
 *
 *   lincheck [--format trace|jepsen-etcd|porcupine-kv] [--model register|kv]
 *            [--max-steps N] [--shown N] FILE
 *   lincheck --bench DIR
 *
 * The first form reads one history (a Causeway trace, a Jepsen etcd log or a Porcupine kv log;
 * the format is guessed from the content, then the extension, when --format is not given), picks
 * the model the format implies unless --model says otherwise, and prints the verdict, the
 * explanation of a failure, the operation count and the time taken. Exit status: 0 linearizable,
 * 1 not linearizable, 2 bad input ("FILE:LINE: reason") or bad usage, 3 gave up (--max-steps).
 *
 * The second form is the benchmark `make bench` runs: every history file under DIR (*.log,
 * *.txt, *.jsonl), each checked with its default model, one line per file with its size, verdict
 * and time; if DIR holds an expected.tsv ("path<TAB>yes|no" per line), each verdict is compared
 * with it and any disagreement makes the exit status 1.
 *
 * The wall clock is read here, in the command, only to report times: the library never reads it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../history_read.h"
#include "../lincheck.h"

static const char *const usage_text =
    "usage: lincheck [--format trace|jepsen-etcd|porcupine-kv] [--model register|kv]\n"
    "                [--max-steps N] [--shown N] FILE\n"
    "       lincheck --bench DIR\n";

/* Bad usage: the reason and a hint, on stderr; exit status 2. */
static int usage(const char *why) {
  fprintf(stderr,
          "lincheck: %s\nhint: lincheck [--format F] [--model M] FILE, or lincheck --bench DIR; "
          "lincheck --help for more\n",
          why);
  return 2;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool parse_count(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return false;
  *out = v;
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * One file.
 */
static int check_one(const char *path, history_format fmt, const lin_model *model,
                     const lin_options *opt) {
  char err[1024];
  lin_history h;
  double t0 = now_ms();
  history_format used;
  if (history_read_file(path, fmt, &h, &used, err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    return 2;
  }
  if (h.count == 0) {
    fprintf(stderr, "%s: no client operations in this %s file\n", path, history_format_name(used));
    lin_history_free(&h);
    return 2;
  }
  if (!model) model = history_default_model(used, &h);
  double t1 = now_ms();
  lin_result r;
  lin_verdict v = lincheck_check(&h, model, opt, &r);
  double t2 = now_ms();
  if (v == LIN_BAD_HISTORY) {
    fprintf(stderr, "%s", r.explanation);
    if (r.explanation[0] && r.explanation[strlen(r.explanation) - 1] != '\n') fputc('\n', stderr);
  } else {
    printf("%s: %s", path, r.explanation);
    printf("%zu events read as %s in %.3f ms; checked in %.3f ms\n", h.count,
           history_format_name(used), t1 - t0, t2 - t1);
  }
  lincheck_result_free(&r);
  lin_history_free(&h);
  return (int)v;
}

/* ---------------------------------------------------------------------------------------------
 * The benchmark.
 */
typedef struct file_list {
  char **paths;
  size_t count, cap;
} file_list;

static bool is_history_name(const char *name) {
  size_t n = strlen(name);
  static const char *const exts[] = {".log", ".txt", ".jsonl"};
  for (size_t i = 0; i < 3; i++) {
    size_t k = strlen(exts[i]);
    if (n > k && strcmp(name + n - k, exts[i]) == 0) return true;
  }
  return false;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect history files under dir (relative names rel/...), sorted. */
static void collect(const char *root, const char *rel, file_list *out) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char sub[4096], full[8192];
    snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
    snprintf(full, sizeof full, "%s/%s", root, sub);
    struct stat st;
    if (stat(full, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      collect(root, sub, out);
    } else if (S_ISREG(st.st_mode) && is_history_name(e->d_name)) {
      if (out->count == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 64;
        out->paths = realloc(out->paths, out->cap * sizeof *out->paths);
        if (!out->paths) abort();
      }
      out->paths[out->count] = malloc(strlen(sub) + 1);
      if (!out->paths[out->count]) abort();
      strcpy(out->paths[out->count++], sub);
    }
  }
  closedir(d);
}

/* The expected verdict of rel from DIR/expected.tsv: 1 yes, 0 no, -1 not listed. */
static int expected_verdict(const char *root, const char *rel) {
  char path[4096];
  snprintf(path, sizeof path, "%s/expected.tsv", root);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[4096];
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = '\0';
    if (strcmp(line, rel) != 0) continue;
    found = strncmp(tab + 1, "yes", 3) == 0 ? 1 : strncmp(tab + 1, "no", 2) == 0 ? 0 : -1;
    break;
  }
  fclose(f);
  return found;
}

static int bench(const char *root) {
  struct stat st;
  if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
    fprintf(stderr,
            "lincheck: %s: not a directory\nhint: lincheck --bench DIR, where DIR holds "
            "*.log, *.txt or *.jsonl histories (and optionally expected.tsv)\n",
            root);
    return 2;
  }
  file_list files = {0};
  collect(root, "", &files);
  qsort(files.paths, files.count, sizeof *files.paths, name_cmp);
  printf("# lincheck bench: %zu histories under %s\n", files.count, root);
  printf("# %-24s %7s %6s %-17s %-9s %10s %10s\n", "file", "events", "ops", "verdict", "expected",
         "check ms", "steps");
  int status = 0;
  double total = 0, worst = 0;
  const char *worst_file = "", *largest_file = "";
  size_t largest = 0;
  double largest_ms = 0;
  for (size_t i = 0; i < files.count; i++) {
    char path[8192], err[1024];
    snprintf(path, sizeof path, "%s/%s", root, files.paths[i]);
    lin_history h;
    history_format used;
    if (history_read_file(path, HISTORY_GUESS, &h, &used, err, sizeof err) != 0) {
      printf("  %-24s error: %s\n", files.paths[i], err);
      status = 1;
      continue;
    }
    const lin_model *model = history_default_model(used, &h);
    /* Repeat small files so that the time is measurable; report the mean. */
    lin_result r;
    int reps = 0;
    double t0 = now_ms(), elapsed;
    do {
      if (reps) lincheck_result_free(&r);
      lincheck_check(&h, model, NULL, &r);
      reps++;
      elapsed = now_ms() - t0;
    } while (elapsed < 20.0 && reps < 1000);
    double ms = elapsed / reps;
    int want = expected_verdict(root, files.paths[i]);
    const char *exp = want < 0 ? "-" : want ? "yes" : "no";
    bool agree = want < 0 || (want == 1) == (r.verdict == LIN_LINEARIZABLE);
    if (!agree) status = 1;
    printf("  %-24s %7zu %6zu %-17s %-9s %10.3f %10llu%s\n", files.paths[i], h.count, r.ops,
           lincheck_verdict_name(r.verdict), exp, ms, (unsigned long long)r.steps,
           agree ? "" : "  MISMATCH");
    total += ms;
    if (ms > worst) {
      worst = ms;
      worst_file = files.paths[i];
    }
    if (h.count > largest) {
      largest = h.count;
      largest_file = files.paths[i];
      largest_ms = ms;
    }
    lincheck_result_free(&r);
    lin_history_free(&h);
  }
  printf("# total %.3f ms for %zu files; slowest %s (%.3f ms); largest %s (%zu events, %.3f ms)\n",
         total, files.count, worst_file, worst, largest_file, largest, largest_ms);
  if (status) printf("# some verdicts disagree with expected.tsv or a file could not be read\n");
  for (size_t i = 0; i < files.count; i++) free(files.paths[i]);
  free(files.paths);
  return status;
}

/* ---------------------------------------------------------------------------------------------
 * Arguments.
 */
int main(int argc, char **argv) {
  history_format fmt = HISTORY_GUESS;
  const lin_model *model = NULL;
  lin_options opt = {0};
  const char *file = NULL, *bench_dir = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage_text, stdout);
      return 0;
    } else if (strcmp(a, "--format") == 0) {
      if (!val) return usage("--format needs a value");
      if (!history_format_parse(val, &fmt)) {
        char why[256];
        snprintf(why, sizeof why, "unknown format \"%s\" (trace, jepsen-etcd or porcupine-kv)",
                 val);
        return usage(why);
      }
      i++;
    } else if (strcmp(a, "--model") == 0) {
      if (!val) return usage("--model needs a value");
      model = lin_model_find(val);
      if (!model) {
        char why[256];
        snprintf(why, sizeof why, "unknown model \"%s\" (register or kv)", val);
        return usage(why);
      }
      i++;
    } else if (strcmp(a, "--max-steps") == 0 || strcmp(a, "--shown") == 0) {
      uint64_t n;
      if (!val || !parse_count(val, &n)) {
        char why[256];
        snprintf(why, sizeof why, "%s needs a non-negative number", a);
        return usage(why);
      }
      if (a[2] == 'm')
        opt.max_steps = n;
      else
        opt.max_shown = (size_t)n;
      i++;
    } else if (strcmp(a, "--bench") == 0) {
      if (!val) return usage("--bench needs a directory");
      bench_dir = val;
      i++;
    } else if (a[0] == '-' && a[1]) {
      char why[256];
      snprintf(why, sizeof why, "unknown option %s", a);
      return usage(why);
    } else if (file) {
      return usage("give exactly one FILE");
    } else {
      file = a;
    }
  }
  if (bench_dir) {
    if (file) return usage("--bench takes a directory, not a FILE as well");
    return bench(bench_dir);
  }
  if (!file) return usage("no history FILE given");
  return check_one(file, fmt, model, &opt);
}
