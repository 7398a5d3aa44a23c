/*
 * tap.h: TAP 13 output in the style of Perl's Test::More, with every test case isolated.
 *
 * A test program is a list of cases. Each case runs in a forked child with a time limit, so a
 * crash, an abort or an endless loop in learner code becomes one `not ok` (with the signal's
 * name and the command that replays the run) and the program goes on to the next case.
 *
 *   static void election(void *arg) {
 *     tap_replay("%s --scenario election --seed %d --viz", tap_driver(), 7);
 *     tap_ok(leader_elected, "a leader is elected by t=2s");
 *   }
 *   int main(void) {
 *     tap_case("initial election", election, NULL);
 *     return tap_done();
 *   }
 *
 * Inside a case, tap_ok / tap_is_int / tap_is_str are checks: the case passes when all of them
 * pass, and each failed check adds its message to the case's diagnostics. Outside a case, they
 * print one TAP line each, like Test::More. A case that reaches an exercise stub (TODO("...")) is
 * reported as `not ok N - name # TODO what`, which prove counts as "not done yet", not a failure.
 *
 * Environment: CAUSEWAY_CASE_TIMEOUT (seconds of real time per case, default 120) guards against
 * hangs only; no test asserts anything about real time.
 */
#ifndef CAUSEWAY_TAP_H
#define CAUSEWAY_TAP_H

#include <stdbool.h>
#include <stdint.h>

/* Declare the number of test lines in advance (optional: tap_done prints it otherwise). */
void tap_plan(int count);
/* Skip the whole program with a reason ("1..0 # SKIP why"); exits 0. */
_Noreturn void tap_skip_all(const char *why);

/* Run fn(arg) as one isolated test case named `name`. Returns true if it passed. */
bool tap_case(const char *name, void (*fn)(void *arg), void *arg);
/* The same with its own time limit in seconds of real time. */
bool tap_case_timeout(const char *name, int seconds, void (*fn)(void *arg), void *arg);

/* Checks (in a case) or test lines (outside one). Each returns cond. */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A diagnostic line ("# ..."), shown whatever the outcome. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A text of several lines (a checker's explanation, a table) as diagnostics, one line each:
 * tap_diag keeps one message on one line inside a case, with its newlines flattened. */
void tap_diag_lines(const char *text);
/* Set the command that replays the case's current run (shown when the case fails). */
void tap_replay(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* In a case: end it now as skipped, with a reason. */
_Noreturn void tap_skip(const char *why);
/* A line of TAP outside any case that is a known-not-done item: "not ok N - name # TODO why". */
void tap_todo_line(const char *name, const char *why);

/* The last message a world sent, for unit cases that call a handler and look at what came out:
 * tap_watch_sends(w, &seen), then seen.count, seen.to, seen.type and seen.body (a copy of the
 * body, zero-filled past its size, aligned for any body struct). */
typedef struct tap_sent {
  int count, to, type;
  _Alignas(16) unsigned char body[1024];
} tap_sent;
struct sim_world;
void tap_watch_sends(struct sim_world *w, tap_sent *seen);

/* Print the plan if it was not declared; return the exit status for main (0 if nothing failed). */
int tap_done(void);

/* Seed sweep, inside a case: run a lab scenario for every seed from first to last. For each seed
 * the replay command is set first (so a crash names the seed), then the scenario's verdict is
 * checked and, if `also` is not NULL, also(run, ctx) may add its own checks on the finished run
 * (its world is still alive) and return false to stop. Stops at the first failing seed, with the
 * seed, the verdict and the replay command. Returns true if every seed held. */
struct lab_info;
struct lab_run;
#define tap_sweep(...) tap_sweep_with(tap_driver(), __VA_ARGS__)
bool tap_sweep_with(const char *driver, const struct lab_info *lab, const char *scenario,
                    uint64_t first, uint64_t last, bool (*also)(struct lab_run *run, void *ctx),
                    void *ctx);
/* The same with driver options: `options` gives --nodes (nodes), --loss (loss_set, loss) and
 * --nemesis (nemesis); its other fields are ignored. Every run gets them, and the replay command
 * repeats them. options may be NULL (then it is tap_sweep). */
#define tap_sweep_options(...) tap_sweep_options_with(tap_driver(), __VA_ARGS__)
bool tap_sweep_options_with(const char *driver, const struct lab_info *lab, const char *scenario,
                            const struct lab_run *options, uint64_t first, uint64_t last,
                            bool (*also)(struct lab_run *run, void *ctx), void *ctx);

/* Demonstration search, inside a case: run a lab scenario for every seed from first to last
 * until found(run, ctx) says the run shows what the demonstration is about (its world is still
 * alive then). That run passes the case, and its seed, verdict and replay command are printed as
 * diagnostics. A run that fails without showing it fails the case (something else broke first),
 * and so does a search that finds nothing: `none` then says what to look at. Returns true if a
 * run showed it. */
#define tap_search(...) tap_search_with(tap_driver(), __VA_ARGS__)
bool tap_search_with(const char *driver, const struct lab_info *lab, const char *scenario,
                     uint64_t first, uint64_t last, bool (*found)(struct lab_run *run, void *ctx),
                     void *ctx, const char *none);
/* The same for a scenario that may fail in more than one expected way (a demonstration of an
 * impossibility result can break either of two properties): a run that fails without showing it
 * does not end the search when expected(run, ctx) says its failure is one of those; the search
 * goes on to the next seed. Any other failure fails the case, as in tap_search. expected may be
 * NULL (then it is tap_search). */
#define tap_search_past(...) tap_search_past_with(tap_driver(), __VA_ARGS__)
bool tap_search_past_with(const char *driver, const struct lab_info *lab, const char *scenario,
                          uint64_t first, uint64_t last,
                          bool (*found)(struct lab_run *run, void *ctx),
                          bool (*expected)(struct lab_run *run, void *ctx), void *ctx,
                          const char *none);

/* The lab driver this test program was built to match (build/MODE/IMPL/NN-name/driver), from
 * the CAUSEWAY_DRIVER macro the Makefile defines when it compiles the test program. */
#ifndef CAUSEWAY_DRIVER
#define CAUSEWAY_DRIVER "driver"
#endif
#ifndef CAUSEWAY_IMPL
#define CAUSEWAY_IMPL "solutions"
#endif
static inline const char *tap_driver(void) { return CAUSEWAY_DRIVER; }
/* True when the program was built against the learner's exercises, false for solutions. */
static inline bool tap_against_exercises(void) { return CAUSEWAY_IMPL[0] == 'e'; }

#endif
