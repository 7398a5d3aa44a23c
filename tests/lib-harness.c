/*
 * tests/lib-harness.c: tests of the test harness itself (tests/harness.c).
 *
 * The promise: a case that segfaults, aborts, loops for ever, or reaches a TODO stub is reported
 * as one line, and the program goes on to the next case. To check it, this program runs itself
 * a second time with the argument "inner", where it runs deliberately broken cases, and reads
 * the TAP that inner run printed. It also checks the demonstration searches (tap_search and
 * tap_search_past) on a fake lab whose verdicts are fixed per seed.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "labkit.h"
#include "tap.h"
#include "todo.h"

/* --- The inner program's cases ---------------------------------------------------------------- */

static void passes(void *arg) {
  (void)arg;
  tap_ok(1 + 1 == 2, "arithmetic works");
}

static void segfaults(void *arg) {
  (void)arg;
  tap_replay("driver --scenario crashy --seed 9 --viz");
  volatile int *p = NULL;
  *p = 1;
}

static void aborts(void *arg) {
  (void)arg;
  abort();
}

static void loops(void *arg) {
  (void)arg;
  tap_replay("driver --scenario forever --seed 3 --viz");
  for (volatile unsigned long i = 0;; i++) {
  }
}

static void reaches_todo(void *arg) {
  (void)arg;
  TODO("write the handler");
}

static void fails_a_check(void *arg) {
  (void)arg;
  tap_is_int(41, 42, "the answer");
}

static void skips(void *arg) {
  (void)arg;
  tap_skip("no tmux here");
}

static void prints_to_stdout(void *arg) {
  (void)arg;
  printf("ok 99 - a line that would corrupt the TAP stream\n");
}

static void prints_lines(void *arg) {
  (void)arg;
  tap_diag_lines("first line of a table\nsecond line of a table\n");
}

/* A lab without a world, for the searches: seed 1 holds, seed 2 fails in an expected way
 * ("expected"), seed 3 fails in another way ("other"), seed 4 shows what is searched for. */
static bool fake_run(lab_run *run) {
  if (run->seed == 1) return lab_verdict(run, true, "held");
  if (run->seed == 2) return lab_verdict(run, false, "expected");
  if (run->seed == 3) return lab_verdict(run, false, "other");
  return lab_verdict(run, false, "shown");
}
static const lab_scenario fake_scenarios[] = {
    {"fake", "for the searches", fake_run, LAB_FIXED_NODES}};
static const lab_info fake_lab = {
    .id = "99-fake", .title = "fake", .scenarios = fake_scenarios, .scenario_count = 1};
static bool verdict_is(lab_run *run, void *ctx) { return strcmp(run->verdict, ctx) == 0; }
static bool verdict_expected(lab_run *run, void *ctx) {
  (void)ctx;
  return strcmp(run->verdict, "expected") == 0;
}

static void search_past_expected(void *arg) {
  (void)arg;
  tap_search_past_with("driver", &fake_lab, "fake", 1, 2, verdict_is, verdict_expected, "shown",
                       "nothing");
}
static void search_stops_at_other(void *arg) {
  (void)arg;
  tap_search_past_with("driver", &fake_lab, "fake", 1, 4, verdict_is, verdict_expected, "shown",
                       "nothing");
}
static void search_finds(void *arg) {
  (void)arg;
  tap_search_past_with("driver", &fake_lab, "fake", 4, 4, verdict_is, verdict_expected, "shown",
                       "nothing");
}
static void search_strict(void *arg) {
  (void)arg;
  tap_search_with("driver", &fake_lab, "fake", 1, 4, verdict_is, "shown", "nothing");
}

static int inner(void) {
  tap_case("passes", passes, NULL);
  tap_case("segfaults", segfaults, NULL);
  tap_case("aborts", aborts, NULL);
  tap_case_timeout("loops", 1, loops, NULL);
  tap_case("reaches a TODO", reaches_todo, NULL);
  tap_case("fails a check", fails_a_check, NULL);
  tap_case("skips", skips, NULL);
  tap_case("prints to stdout", prints_to_stdout, NULL);
  tap_case("prints a text of several lines", prints_lines, NULL);
  tap_case("still runs after all that", passes, NULL);
  tap_case("search past an expected failure", search_past_expected, NULL);
  tap_case("search stops at another failure", search_stops_at_other, NULL);
  tap_case("search finds", search_finds, NULL);
  tap_case("strict search stops at any failure", search_strict, NULL);
  return tap_done();
}

/* --- The outer checks ------------------------------------------------------------------------- */

static char inner_output[65536];
static int inner_status;

static void run_inner(const char *self) {
  int fds[2];
  if (pipe(fds) != 0) exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    if (!freopen("/dev/null", "w", stderr)) _exit(126); /* the broken cases' noise */
    close(fds[0]);
    execl(self, self, "inner", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  size_t len = 0;
  ssize_t k;
  while ((k = read(fds[0], inner_output + len, sizeof inner_output - 1 - len)) > 0)
    len += (size_t)k;
  inner_output[len] = 0;
  close(fds[0]);
  waitpid(pid, &inner_status, 0);
}

static bool has_line(const char *prefix) {
  const char *p = inner_output;
  size_t n = strlen(prefix);
  while (p && *p) {
    if (strncmp(p, prefix, n) == 0) return true;
    p = strchr(p, '\n');
    if (p) p++;
  }
  return false;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "inner") == 0) return inner();
  run_inner("/proc/self/exe");
  tap_ok(has_line("ok 1 - passes"), "a passing case is ok");
  tap_ok(has_line("not ok 2 - segfaults"), "a segfault is one not ok");
  tap_ok(strstr(inner_output, "# crashed: killed by SIGSEGV") != NULL ||
             strstr(inner_output, "Sanitizer found") != NULL,
         "naming the signal (or, in the sanitizer build, the sanitizer that caught it)");
  tap_ok(has_line("# replay: driver --scenario crashy --seed 9 --viz"),
         "with the replay command the case set before it crashed");
  tap_ok(has_line("not ok 3 - aborts") && strstr(inner_output, "SIGABRT"),
         "an abort is one not ok");
  tap_ok(has_line("not ok 4 - loops") && strstr(inner_output, "timed out after 1 s"),
         "an endless loop is killed at the time limit and reported");
  tap_ok(has_line("# replay: driver --scenario forever --seed 3 --viz"),
         "also with its replay command");
  tap_ok(
      has_line("not ok 5 - reaches a TODO # TODO write the handler (stub at tests/lib-harness.c"),
      "a TODO stub is reported as not ok # TODO with what to do and where");
  tap_ok(has_line("not ok 6 - fails a check") && has_line("# the answer: got 41, expected 42"),
         "a failed check is not ok with got and expected");
  tap_ok(has_line("ok 7 - skips # SKIP no tmux here"),
         "a skipped case is ok # SKIP with the reason");
  tap_ok(has_line("ok 8 - prints to stdout") && !has_line("ok 99"),
         "a case's own stdout cannot corrupt the TAP stream");
  tap_ok(has_line("ok 9 - prints a text of several lines") && has_line("# first line of a table") &&
             has_line("# second line of a table"),
         "tap_diag_lines prints each line of a text as its own diagnostic");
  tap_ok(has_line("ok 10 - still runs after all that"), "the program goes on after every failure");
  tap_ok(has_line("not ok 11 - search past an expected failure") &&
             strstr(inner_output, "fake shows nothing in seeds 1..2: nothing"),
         "tap_search_past goes on past a failure it is told to expect, to the end of the seeds");
  tap_ok(has_line("not ok 12 - search stops at another failure") &&
             strstr(inner_output, "fake, seed 3 failed before showing it: other"),
         "but stops at a failure it does not expect, naming the seed");
  tap_ok(has_line("ok 13 - search finds") && has_line("# found at seed 4: shown"),
         "and passes on the seed that shows it");
  tap_ok(has_line("not ok 14 - strict search stops at any failure") &&
             strstr(inner_output, "fake, seed 2 failed before showing it: expected"),
         "tap_search, without expected failures, stops at the first failing seed");
  tap_ok(has_line("1..14"), "and prints its plan");
  tap_ok(WIFEXITED(inner_status) && WEXITSTATUS(inner_status) == 1,
         "it exits 1 because real failures happened (TODO alone would not)");
  if (!has_line("1..14")) tap_diag("inner output was:\n%s", inner_output);
  return tap_done();
}
