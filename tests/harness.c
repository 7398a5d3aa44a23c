/*
 * harness.c: the TAP producer and the case isolation of tap.h.
 *
 * How a case runs: the parent opens a pipe and forks. The child sends its stdout to stderr (so
 * nothing it prints can break the TAP stream), runs the case, and reports through the pipe, one
 * line a record:
 *   F <message>   a failed check          D <message>   a diagnostic
 *   R <command>   the replay command      T <message>   a TODO stub was reached
 *   S <reason>    the case skipped itself
 * The parent reads until the pipe closes or the time limit passes (then it kills the child), waits
 * for it, and prints one TAP line: ok, not ok (failed checks, a signal, a timeout, a non-zero
 * exit), not ok # TODO, or ok # SKIP.
 */
#define _POSIX_C_SOURCE 200809L
#include "tap.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/labkit.h"
#include "../lib/todo.h"

enum { EXIT_TODO = 77, EXIT_SKIP = 78, EXIT_ASAN = 99, EXIT_UBSAN = 98 };

/* In a sanitizer build, make a sanitizer's exit recognisable (these are read by the sanitizer
 * runtimes at startup; in other builds nothing calls them). */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void) { return "exitcode=99"; }
const char *__ubsan_default_options(void) { return "exitcode=98:print_stacktrace=1"; }

static int planned = -1;
static int test_number;
static int failures;
static int child_fd = -1; /* in a child: the pipe to the parent */
static int child_failed;  /* in a child: checks that failed */

static void child_record(char kind, const char *text) {
  /* One record per line: replace newlines in the text. */
  char line[4096];
  int n = snprintf(line, sizeof line, "%c %s", kind, text);
  if (n < 0) return;
  if ((size_t)n >= sizeof line) n = sizeof line - 1;
  for (int i = 2; i < n; i++)
    if (line[i] == '\n') line[i] = ' ';
  line[n++] = '\n';
  for (int off = 0; off < n;) {
    ssize_t k = write(child_fd, line + off, (size_t)(n - off));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return;
    off += (int)k;
  }
}

static void vformat(char *buf, size_t cap, const char *fmt, va_list ap) {
  vsnprintf(buf, cap, fmt, ap);
}

/* Print a TAP result line for the parent, with optional directive. */
static void print_result(bool ok, const char *name, const char *directive) {
  test_number++;
  if (!ok && (!directive || strncmp(directive, "TODO", 4) != 0)) failures++;
  printf("%s %d - ", ok ? "ok" : "not ok", test_number);
  /* A '#' in a name would start a TAP directive (a name "... # TODO" makes the case a TODO that
   * cannot fail), so names print it escaped, as the TAP specification says: "\#". */
  for (const char *c = name; *c; c++) {
    if (*c == '#') putchar('\\');
    if (*c != '\n') putchar(*c);
  }
  if (directive) printf(" # %s", directive);
  putchar('\n');
  fflush(stdout);
}

static void print_diag_lines(const char *text) {
  /* Each line of the text becomes one "# " line. */
  const char *p = text;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    printf("# %.*s\n", (int)len, p);
    p += len + (nl ? 1 : 0);
  }
  fflush(stdout);
}

void tap_plan(int count) {
  planned = count;
  printf("1..%d\n", count);
  fflush(stdout);
}

_Noreturn void tap_skip_all(const char *why) {
  printf("1..0 # SKIP %s\n", why);
  fflush(stdout);
  exit(0);
}

static _Noreturn void todo_in_child(const char *what, const char *file, int line) {
  char text[1024];
  snprintf(text, sizeof text, "%s (stub at %s:%d)", what, file, line);
  child_record('T', text);
  fflush(stderr);
  _exit(EXIT_TODO);
}

static const char *signal_label(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV (segmentation fault: a bad pointer or an array overrun)";
    case SIGABRT:
      return "SIGABRT (abort: a failed assert or a library check)";
    case SIGFPE:
      return "SIGFPE (arithmetic error: division by zero?)";
    case SIGBUS:
      return "SIGBUS (bus error)";
    case SIGILL:
      return "SIGILL (illegal instruction: undefined behaviour?)";
    case SIGKILL:
      return "SIGKILL";
    default:
      return "a signal";
  }
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Collected from a child's pipe. */
typedef struct report {
  char *diag; /* D and F lines, in order, each prefixed */
  size_t diag_len, diag_cap;
  char replay[1024];
  char todo[1024];
  char skip[512];
  int failed_checks;
} report;

static void report_add(report *r, const char *prefix, const char *text) {
  size_t need = strlen(prefix) + strlen(text) + 2;
  if (r->diag_len + need + 1 > r->diag_cap) {
    size_t cap = (r->diag_cap + need) * 2 + 256;
    char *d = realloc(r->diag, cap);
    if (!d) return;
    r->diag = d;
    r->diag_cap = cap;
  }
  r->diag_len += (size_t)sprintf(r->diag + r->diag_len, "%s%s\n", prefix, text);
}

static void report_line(report *r, char *line) {
  if (strlen(line) < 2) return;
  char kind = line[0];
  char *text = line + 2;
  switch (kind) {
    case 'F':
      r->failed_checks++;
      report_add(r, "", text);
      break;
    case 'D':
      report_add(r, "", text);
      break;
    case 'R':
      snprintf(r->replay, sizeof r->replay, "%s", text);
      break;
    case 'T':
      snprintf(r->todo, sizeof r->todo, "%s", text);
      break;
    case 'S':
      snprintf(r->skip, sizeof r->skip, "%s", text);
      break;
    default:
      report_add(r, "", line);
  }
}

bool tap_case_timeout(const char *name, int seconds, void (*fn)(void *), void *arg) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("tap: pipe");
    exit(1);
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    perror("tap: fork");
    exit(1);
  }
  if (pid == 0) {
    close(fds[0]);
    child_fd = fds[1];
    child_failed = 0;
    dup2(STDERR_FILENO, STDOUT_FILENO);
    causeway_set_todo_handler(todo_in_child);
    fn(arg);
    fflush(stdout);
    fflush(stderr);
    _exit(child_failed ? 1 : 0);
  }
  close(fds[1]);

  report r;
  memset(&r, 0, sizeof r);
  char buf[8192];
  size_t have = 0;
  double deadline = now_seconds() + seconds;
  bool timed_out = false;
  for (;;) {
    double left = deadline - now_seconds();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p = {.fd = fds[0], .events = POLLIN};
    int ready = poll(&p, 1, (int)(left * 1000) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    ssize_t k = read(fds[0], buf + have, sizeof buf - 1 - have);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    have += (size_t)k;
    buf[have] = 0;
    char *start = buf, *nl;
    while ((nl = strchr(start, '\n'))) {
      *nl = 0;
      report_line(&r, start);
      start = nl + 1;
    }
    have = strlen(start);
    memmove(buf, start, have + 1);
    if (have == sizeof buf - 1) { /* an overlong line: take it as it is */
      report_line(&r, buf);
      have = 0;
    }
  }
  if (timed_out) kill(pid, SIGKILL);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  bool ok = false;
  char directive[1100];
  const char *dir = NULL;
  char extra[512] = "";
  if (r.todo[0]) {
    snprintf(directive, sizeof directive, "TODO %s", r.todo);
    dir = directive;
  } else if (timed_out) {
    snprintf(extra, sizeof extra,
             "timed out after %d s of real time (an endless loop, or a run with no deadline?)",
             seconds);
  } else if (WIFSIGNALED(status)) {
    snprintf(extra, sizeof extra, "crashed: killed by %s", signal_label(WTERMSIG(status)));
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_SKIP) {
    ok = true;
    snprintf(directive, sizeof directive, "SKIP %s", r.skip);
    dir = directive;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && r.failed_checks == 0) {
    ok = true;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_ASAN) {
    snprintf(extra, sizeof extra,
             "crashed: AddressSanitizer found a memory error (its report is on stderr)");
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_UBSAN) {
    snprintf(extra, sizeof extra,
             "crashed: UndefinedBehaviorSanitizer found undefined behaviour (report on stderr)");
  } else if (WIFEXITED(status) && WEXITSTATUS(status) != 1) {
    snprintf(extra, sizeof extra, "the case exited with status %d", WEXITSTATUS(status));
  }
  print_result(ok, name, dir);
  if (!ok && !r.todo[0]) {
    if (r.diag) print_diag_lines(r.diag);
    if (extra[0]) print_diag_lines(extra);
    if (r.replay[0]) printf("# replay: %s\n", r.replay);
    fflush(stdout);
  } else if (ok && r.diag && !dir) {
    print_diag_lines(r.diag);
  }
  free(r.diag);
  return ok;
}

bool tap_case(const char *name, void (*fn)(void *), void *arg) {
  int seconds = 120;
  const char *env = getenv("CAUSEWAY_CASE_TIMEOUT");
  if (env && atoi(env) > 0) seconds = atoi(env);
  return tap_case_timeout(name, seconds, fn, arg);
}

static bool check(bool cond, const char *message) {
  if (child_fd >= 0) {
    if (!cond) {
      child_failed++;
      child_record('F', message);
    }
  } else {
    print_result(cond, message, NULL);
  }
  return cond;
}

bool tap_ok(bool cond, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return check(cond, msg);
}

bool tap_is_int(int64_t got, int64_t want, const char *fmt, ...) {
  char msg[2048], full[2300];
  va_list ap;
  va_start(ap, fmt);
  vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bool ok = got == want;
  if (!ok && child_fd >= 0) {
    snprintf(full, sizeof full, "%s: got %lld, expected %lld", msg, (long long)got,
             (long long)want);
    return check(false, full);
  }
  if (!ok) {
    check(false, msg);
    printf("#   got: %lld\n#   expected: %lld\n", (long long)got, (long long)want);
    return false;
  }
  return check(true, msg);
}

bool tap_is_str(const char *got, const char *want, const char *fmt, ...) {
  char msg[2048], full[4200];
  va_list ap;
  va_start(ap, fmt);
  vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bool ok = got && want && strcmp(got, want) == 0;
  if (!ok && child_fd >= 0) {
    snprintf(full, sizeof full, "%s: got \"%.1000s\", expected \"%.1000s\"", msg,
             got ? got : "(null)", want ? want : "(null)");
    return check(false, full);
  }
  if (!ok) {
    check(false, msg);
    printf("#   got: \"%s\"\n#   expected: \"%s\"\n", got ? got : "(null)", want ? want : "(null)");
    return false;
  }
  return check(true, msg);
}

void tap_diag(const char *fmt, ...) {
  char msg[4096];
  va_list ap;
  va_start(ap, fmt);
  vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (child_fd >= 0)
    child_record('D', msg);
  else
    print_diag_lines(msg);
}

void tap_diag_lines(const char *text) {
  for (const char *line = text; line && *line;) {
    const char *end = strchr(line, '\n');
    int len = end ? (int)(end - line) : (int)strlen(line);
    tap_diag("%.*s", len, line);
    line = end ? end + 1 : line + len;
  }
}

void tap_replay(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (child_fd >= 0)
    child_record('R', msg);
  else
    printf("# replay: %s\n", msg);
}

_Noreturn void tap_skip(const char *why) {
  if (child_fd >= 0) {
    child_record('S', why);
    _exit(EXIT_SKIP);
  }
  print_result(true, why, "SKIP");
  exit(0);
}

void tap_todo_line(const char *name, const char *why) {
  char directive[1100];
  snprintf(directive, sizeof directive, "TODO %s", why);
  print_result(false, name, directive);
}

int tap_done(void) {
  if (planned < 0)
    printf("1..%d\n", test_number);
  else if (planned != test_number)
    printf("# planned %d tests but ran %d\n", planned, test_number);
  fflush(stdout);
  return failures || (planned >= 0 && planned != test_number) ? 1 : 0;
}

bool tap_sweep_with(const char *driver, const lab_info *lab, const char *scenario, uint64_t first,
                    uint64_t last, bool (*also)(lab_run *run, void *ctx), void *ctx) {
  return tap_sweep_options_with(driver, lab, scenario, NULL, first, last, also, ctx);
}

bool tap_sweep_options_with(const char *driver, const lab_info *lab, const char *scenario,
                            const lab_run *options, uint64_t first, uint64_t last,
                            bool (*also)(lab_run *run, void *ctx), void *ctx) {
  const lab_scenario *sc = lab_find(lab, scenario);
  if (!sc) return tap_ok(false, "lab %s has no scenario named %s", lab->id, scenario);
  /* The options as the driver's command line spells them (as lab_main's replay line does). */
  char extra[1024] = "";
  size_t at = 0;
  if (options && options->nodes)
    at += (size_t)snprintf(extra + at, sizeof extra - at, " --nodes %d", options->nodes);
  if (options && options->loss_set && at < sizeof extra)
    at += (size_t)snprintf(extra + at, sizeof extra - at, " --loss %g", options->loss);
  if (options && options->nemesis && at < sizeof extra)
    snprintf(extra + at, sizeof extra - at, " --nemesis '%s'", options->nemesis);
  for (uint64_t seed = first; seed <= last; seed++) {
    tap_replay("%s --scenario %s --seed %llu%s --viz", driver, scenario, (unsigned long long)seed,
               extra);
    lab_run run = {.seed = seed, .lab_id = lab->id, .scenario = sc->name};
    if (options) {
      run.nodes = options->nodes;
      run.loss_set = options->loss_set;
      run.loss = options->loss;
      run.nemesis = options->nemesis;
    }
    bool held = sc->run(&run);
    if (!held) {
      tap_ok(false, "%s%s, seed %llu: %s", scenario, extra, (unsigned long long)seed, run.verdict);
      lab_end(&run);
      return false;
    }
    if (also && !also(&run, ctx)) {
      tap_diag("%s%s, seed %llu: %s", scenario, extra, (unsigned long long)seed, run.verdict);
      lab_end(&run);
      return false;
    }
    lab_end(&run);
  }
  tap_diag("%s%s: seeds %llu..%llu held", scenario, extra, (unsigned long long)first,
           (unsigned long long)last);
  return true;
}

bool tap_search_with(const char *driver, const lab_info *lab, const char *scenario, uint64_t first,
                     uint64_t last, bool (*found)(lab_run *run, void *ctx), void *ctx,
                     const char *none) {
  return tap_search_past_with(driver, lab, scenario, first, last, found, NULL, ctx, none);
}

bool tap_search_past_with(const char *driver, const lab_info *lab, const char *scenario,
                          uint64_t first, uint64_t last, bool (*found)(lab_run *run, void *ctx),
                          bool (*expected)(lab_run *run, void *ctx), void *ctx, const char *none) {
  const lab_scenario *sc = lab_find(lab, scenario);
  if (!sc) return tap_ok(false, "lab %s has no scenario named %s", lab->id, scenario);
  for (uint64_t seed = first; seed <= last; seed++) {
    tap_replay("%s --scenario %s --seed %llu --viz", driver, scenario, (unsigned long long)seed);
    lab_run run = {.seed = seed, .lab_id = lab->id, .scenario = sc->name};
    bool held = sc->run(&run);
    if (found(&run, ctx)) {
      tap_diag("found at seed %llu: %s", (unsigned long long)seed, run.verdict);
      tap_diag("replay: %s --scenario %s --seed %llu --viz", driver, scenario,
               (unsigned long long)seed);
      lab_end(&run);
      return tap_ok(true, "%s shows it at seed %llu", scenario, (unsigned long long)seed);
    }
    if (!held && !(expected && expected(&run, ctx))) {
      tap_ok(false, "%s, seed %llu failed before showing it: %s", scenario,
             (unsigned long long)seed, run.verdict);
      lab_end(&run);
      return false;
    }
    lab_end(&run);
  }
  return tap_ok(false, "%s shows nothing in seeds %llu..%llu: %s", scenario,
                (unsigned long long)first, (unsigned long long)last, none);
}

static void record_send(sim_world *w, const sim_event *ev, void *ctx) {
  tap_sent *s = ctx;
  if (ev->kind != SIM_EV_SEND) return;
  s->count++;
  s->to = ev->peer;
  s->type = ev->msg_type;
  size_t size = sim_body_size(w, ev->msg_type);
  if (size > sizeof s->body) {
    fprintf(stderr, "tap_watch_sends: a %zu-byte body does not fit tap_sent.body\n", size);
    abort();
  }
  memset(s->body, 0, sizeof s->body);
  if (size) memcpy(s->body, ev->body, size);
}

void tap_watch_sends(sim_world *w, tap_sent *seen) { sim_observe(w, record_send, seen); }
