/*
 * lib-nemesis.c: unit tests of the fault-schedule language (lib/nemesis.h).
 *
 * Four parts: the parser reads every command and the canonical printer writes it back; bad input
 * gets the exact message a learner would see (line, column, what was expected); random schedules
 * are valid, repeatable per seed and different across seeds; and an installed schedule changes
 * a small world at exactly the virtual times it names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/nemesis.h"
#include "../lib/sim.h"
#include "tap.h"

/* ---------------------------------------------------------------------------------------------
 * A trivial protocol for the world tests: every node pings its right-hand neighbour every 10ms
 * and counts boots in stable storage.
 */

typedef struct ping_state {
  uint32_t received;
} ping_state;

typedef struct ping_body {
  uint32_t from;
} ping_body;

static void ping_format(const void *body, char *out, size_t cap) {
  const ping_body *b = body;
  snprintf(out, cap, "from=%u", b->from);
}

static const sim_msg_type ping_types[] = {{"Ping", sizeof(ping_body), ping_format}};
static const char *const ping_timers[] = {"tick"};

static void ping_boot(sim_node *n, void *state) {
  (void)state;
  uint32_t boots;
  sim_stable_read(n, 0, &boots, sizeof boots);
  boots++;
  sim_stable_write(n, 0, &boots, sizeof boots);
  sim_timer_set(n, 0, 10 * SIM_MS, 0);
}

static void ping_message(sim_node *n, void *state, int from, int type, const void *body) {
  (void)n, (void)from, (void)type, (void)body;
  ((ping_state *)state)->received++;
}

static void ping_timer(sim_node *n, void *state, int kind, uint64_t arg) {
  (void)state, (void)kind, (void)arg;
  ping_body b = {(uint32_t)sim_self(n)};
  sim_send(n, (sim_self(n) + 1) % sim_node_count(n), 0, &b);
  sim_timer_set(n, 0, 10 * SIM_MS, 0);
}

static const sim_protocol ping_protocol = {
    .name = "ping",
    .state_size = sizeof(ping_state),
    .stable_size = sizeof(uint32_t),
    .msg_types = ping_types,
    .msg_type_count = 1,
    .timer_names = ping_timers,
    .timer_kind_count = 1,
    .boot = ping_boot,
    .on_message = ping_message,
    .on_timer = ping_timer,
};

static sim_world *ping_world(uint64_t seed, int nodes) {
  sim_world *w = sim_create(seed);
  for (int i = 0; i < nodes; i++) sim_add_node(w, &ping_protocol, NULL, 0);
  return w;
}

static uint32_t boots_of(const sim_world *w, int node) {
  uint32_t boots;
  memcpy(&boots, sim_stable(w, node), sizeof boots);
  return boots;
}

/* ---------------------------------------------------------------------------------------------
 * The parser and the printer.
 */

static const char every_command[] =
    "# every command once, not in time order\n"
    "0 latency uniform 1ms 10ms\n"
    "0s fifo on; 100us loss 0.25\n"
    "1.5s partition 0,1|2,3,4\n"
    "2s heal\n"
    "3s crash 2   # a comment after a statement\n"
    "4s restart 2\n"
    "5s block 0>1\n"
    "6s unblock 0 > 1\n"
    "7s dup 0.1\n"
    "8s latency constant 5ms\n"
    "9s latency exponential 1ms 20ms\n"
    "10s fifo off\n"
    "11s skew 3 +300ms\n"
    "12s skew 4 -2ms\n"
    "13s drift 3 200ppm\n"
    "14s drift 4 -50\n"
    "15s slow 1 50ms\n"
    "16s partition 2\n"
    "\n"
    ";;\n"
    "  \t 0.5ms heal\r\n";

/* The canonical text of every_command: sorted, one statement a line, exact units. */
static const char every_command_canonical[] =
    "0s latency uniform 1ms 10ms\n"
    "0s fifo on\n"
    "100us loss 0.25\n"
    "500us heal\n"
    "1500ms partition 0,1|2,3,4\n"
    "2s heal\n"
    "3s crash 2\n"
    "4s restart 2\n"
    "5s block 0>1\n"
    "6s unblock 0>1\n"
    "7s dup 0.1\n"
    "8s latency constant 5ms\n"
    "9s latency exponential 1ms 20ms\n"
    "10s fifo off\n"
    "11s skew 3 +300ms\n"
    "12s skew 4 -2ms\n"
    "13s drift 3 200ppm\n"
    "14s drift 4 -50ppm\n"
    "15s slow 1 50ms\n"
    "16s partition 0,1,3,4|2\n";

static void accepts_every_command(void *arg) {
  (void)arg;
  char err[256];
  nemesis_schedule *s = nemesis_parse(every_command, 5, err, sizeof err);
  if (!tap_ok(s != NULL, "parses: %s", err)) return;
  tap_is_int((int64_t)nemesis_count(s), 20, "twenty statements");
  tap_is_int(nemesis_node_count(s), 5, "node count kept");
  tap_is_int((int64_t)nemesis_end(s), 16 * (int64_t)SIM_SEC, "the last statement is at 16s");

  /* Sorted by time; the two statements at 0 keep their written order. */
  const nemesis_action *a = nemesis_action_at(s, 0);
  tap_ok(a->kind == NEMESIS_LATENCY && a->latency == SIM_LATENCY_UNIFORM &&
             a->latency_min == 1000 && a->latency_max == 10000,
         "0: latency uniform 1ms 10ms");
  tap_is_int(a->line, 2, "0: written on line 2");
  tap_is_int(a->column, 1, "0: at column 1");
  a = nemesis_action_at(s, 1);
  tap_ok(a->kind == NEMESIS_FIFO && a->on && a->time == 0, "1: fifo on at 0");
  a = nemesis_action_at(s, 2);
  tap_ok(a->kind == NEMESIS_LOSS && a->probability == 0.25 && a->time == 100,
         "2: loss 0.25 at 100us");
  tap_is_int(a->column, 13, "2: the second statement of line 3 starts at column 13");
  a = nemesis_action_at(s, 3);
  tap_ok(a->kind == NEMESIS_HEAL && a->time == 500, "3: heal at 0.5ms, written last");
  tap_is_int(a->line, 22, "3: written on line 22");
  tap_is_int(a->column, 5, "3: after a blank and a tab, column 5");
  a = nemesis_action_at(s, 4);
  tap_ok(a->kind == NEMESIS_PARTITION && a->time == 1500000, "4: partition at 1.5s");
  int want4[5] = {0, 0, 1, 1, 1};
  tap_ok(memcmp(a->group_of, want4, sizeof want4) == 0, "4: groups {0,1} {2,3,4}");
  a = nemesis_action_at(s, 6);
  tap_ok(a->kind == NEMESIS_CRASH && a->node == 2 && a->time == 3 * SIM_SEC, "6: crash 2 at 3s");
  a = nemesis_action_at(s, 7);
  tap_ok(a->kind == NEMESIS_RESTART && a->node == 2, "7: restart 2");
  a = nemesis_action_at(s, 9);
  tap_ok(a->kind == NEMESIS_UNBLOCK && a->node == 0 && a->peer == 1,
         "9: unblock 0>1 (blanks around >)");
  a = nemesis_action_at(s, 12);
  tap_ok(a->kind == NEMESIS_LATENCY && a->latency == SIM_LATENCY_EXPONENTIAL &&
             a->latency_min == 1000 && a->latency_max == 20000,
         "12: latency exponential offset 1ms, offset+mean 20ms");
  a = nemesis_action_at(s, 14);
  tap_ok(a->kind == NEMESIS_SKEW && a->node == 3 && a->skew_us == 300000 && a->drift_ppm == 0,
         "14: skew 3 +300ms");
  a = nemesis_action_at(s, 15);
  tap_ok(a->kind == NEMESIS_SKEW && a->node == 4 && a->skew_us == -2000, "15: skew 4 -2ms");
  /* A drift keeps the skew given earlier, because sim_set_clock sets both. */
  a = nemesis_action_at(s, 16);
  tap_ok(a->kind == NEMESIS_DRIFT && a->drift_ppm == 200 && a->skew_us == 300000,
         "16: drift 3 200ppm keeps skew +300ms");
  a = nemesis_action_at(s, 17);
  tap_ok(a->kind == NEMESIS_DRIFT && a->drift_ppm == -50 && a->skew_us == -2000,
         "17: drift 4 -50 (no ppm)");
  a = nemesis_action_at(s, 18);
  tap_ok(a->kind == NEMESIS_SLOW && a->node == 1 && a->extra == 50000, "18: slow 1 50ms");
  /* Unlisted nodes form a group of their own: "partition 2" isolates node 2. */
  a = nemesis_action_at(s, 19);
  int want19[5] = {0, 0, 1, 0, 0};
  tap_ok(a->kind == NEMESIS_PARTITION && memcmp(a->group_of, want19, sizeof want19) == 0,
         "19: partition 2 isolates node 2");

  char text[2048];
  size_t n = nemesis_format(s, text, sizeof text);
  tap_is_str(text, every_command_canonical, "canonical text");
  tap_is_int((int64_t)n, (int64_t)strlen(every_command_canonical), "format returns the length");
  nemesis_free(s);
}

static void accepts_edge_cases(void *arg) {
  (void)arg;
  char err[256];
  struct {
    const char *text;
    size_t count;
  } good[] = {
      {"", 0},
      {"# only a comment", 0},
      {";\n;\n", 0},
      {"0 heal", 1},
      {"0.0 heal", 1},
      {"0.000001s heal", 1},
      {"1.250s crash 0", 1},
      {"2s skew 1 0; 3s skew 1 300ms; 4s skew 1 +0", 3},
      {"1s loss 0; 1s loss 1; 1s loss 1e-3; 1s dup .5; 1s dup 1.", 5},
      {"1s partition 4 | 3 , 2", 1},
      {"1s latency uniform 5ms 5ms", 1},
      {"1s slow 0 0", 1},
      {"1s drift 0 +999999ppm; 2s drift 0 -999999", 2},
      {"1s crash 0; 1s restart 0; 1s crash 0; 2s restart 0", 4},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    nemesis_schedule *s = nemesis_parse(good[i].text, 5, err, sizeof err);
    if (tap_ok(s != NULL, "accepts \"%s\" (%s)", good[i].text, s ? "ok" : err))
      tap_is_int((int64_t)nemesis_count(s), (int64_t)good[i].count, "statements in \"%s\"",
                 good[i].text);
    nemesis_free(s);
  }
  /* Decimal times are exact, not rounded through floating point. */
  nemesis_schedule *s =
      nemesis_parse("0.000001s heal; 1.250s heal; 2.5ms heal", 2, err, sizeof err);
  if (tap_ok(s != NULL, "decimal times parse")) {
    tap_is_int((int64_t)nemesis_action_at(s, 0)->time, 1, "0.000001s is 1us");
    tap_is_int((int64_t)nemesis_action_at(s, 1)->time, 2500, "2.5ms is 2500us");
    tap_is_int((int64_t)nemesis_action_at(s, 2)->time, 1250000, "1.250s is 1250000us");
  }
  nemesis_free(s);
  /* A one-node world: network statements are fine, node 0 exists. */
  s = nemesis_parse("1s crash 0; 2s restart 0; 3s loss 0.5", 1, err, sizeof err);
  tap_ok(s != NULL, "a one-node world accepts crash 0");
  nemesis_free(s);
}

static void round_trips(void *arg) {
  (void)arg;
  const char *texts[] = {
      every_command,
      "500ms partition 0,1|2,3,4; 2s heal; 3s crash 2; 4s restart 2; 0s loss 0.1",
      "1s loss 0.1; 1s dup 0.3333333333333333; 2s loss 1e-7; 3s dup 1",
      "7us heal; 1001us heal; 1.000001s heal; 999999999s heal",
      "1s skew 0 -1.5s; 2s drift 0 7; 3s skew 0 +1us; 4s drift 1 -3ppm",
      "1s partition 0|1|2|3|4; 2s partition 3,1; 3s partition 4",
      "",
  };
  char err[256];
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    nemesis_schedule *a = nemesis_parse(texts[i], 5, err, sizeof err);
    if (!tap_ok(a != NULL, "text %zu parses: %s", i, err)) continue;
    size_t n = nemesis_format(a, NULL, 0);
    char *text = malloc(n + 1);
    nemesis_format(a, text, n + 1);
    nemesis_schedule *b = nemesis_parse(text, 5, err, sizeof err);
    if (tap_ok(b != NULL, "text %zu: its canonical form parses: %s", i, err)) {
      tap_ok(nemesis_equal(a, b), "text %zu: parse, format, parse gives an equal schedule", i);
      char again[4096];
      nemesis_format(b, again, sizeof again);
      tap_is_str(again, text, "text %zu: the canonical form is a fixed point", i);
    }
    free(text);
    nemesis_free(a);
    nemesis_free(b);
  }
  /* Different schedules are not equal, and node counts matter. */
  nemesis_schedule *x = nemesis_parse("1s crash 1", 3, err, sizeof err);
  nemesis_schedule *y = nemesis_parse("1s crash 2", 3, err, sizeof err);
  nemesis_schedule *z = nemesis_parse("1s crash 1", 4, err, sizeof err);
  tap_ok(!nemesis_equal(x, y), "crash 1 differs from crash 2");
  tap_ok(!nemesis_equal(x, z), "the same text for 3 and 4 nodes differs");
  nemesis_free(x);
  nemesis_free(y);
  nemesis_free(z);
}

static void format_truncates(void *arg) {
  (void)arg;
  char err[64];
  nemesis_schedule *s = nemesis_parse("1s crash 1; 2s restart 1", 3, err, sizeof err);
  char small[8];
  memset(small, 'x', sizeof small);
  size_t n = nemesis_format(s, small, sizeof small);
  tap_is_int((int64_t)n, (int64_t)strlen("1s crash 1\n2s restart 1\n"),
             "the full length is returned");
  tap_is_str(small, "1s cras", "the text is cut and NUL-ended");
  tap_is_int((int64_t)nemesis_format(s, NULL, 0), (int64_t)n, "NULL, 0 measures");
  nemesis_free(s);
  /* An error message is cut to the buffer too, and a NULL buffer of size 0 is allowed. */
  char tiny[12];
  tap_ok(nemesis_parse("1s crash x", 3, tiny, sizeof tiny) == NULL, "bad input fails");
  tap_is_str(tiny, "line 1, col", "the message is cut and NUL-ended");
  tap_ok(nemesis_parse("1s crash x", 3, NULL, 0) == NULL, "no error buffer is fine");
}

/* ---------------------------------------------------------------------------------------------
 * Bad input: the exact message.
 */

typedef struct bad_input {
  const char *text;
  int nodes;
  const char *message;
} bad_input;

#define END_EXPECTED "expected the end of the statement (a newline or \";\")"
#define COMMANDS                                                                                 \
  "a command (partition, heal, crash, restart, block, unblock, loss, dup, latency, fifo, skew, " \
  "drift or slow)"

static const bad_input bad_inputs[] = {
    {"2s crash x", 5, "line 1, column 10: expected a node number, found \"x\""},
    {"1s heal\n2s crash x", 5, "line 2, column 10: expected a node number, found \"x\""},
    {"500 crash 1", 5,
     "line 1, column 1: missing unit in \"500\": expected us, ms or s after the number"},
    {"5xs crash 1", 5, "line 1, column 1: unknown unit \"xs\" in \"5xs\": expected us, ms or s"},
    {"1.5us heal", 5, "line 1, column 1: \"1.5us\" is not a whole number of microseconds"},
    {"99999999999999999999s heal", 5,
     "line 1, column 1: \"99999999999999999999s\" is too large (at most 1000000000s)"},
    {"crash 1", 5, "line 1, column 1: expected a time such as 500ms or 2s, found \"crash\""},
    {"-1s heal", 5, "line 1, column 1: expected a time such as 500ms or 2s, found \"-1s\""},
    {"1s explode 2", 5, "line 1, column 4: expected " COMMANDS ", found \"explode\""},
    {"1s", 5, "line 1, column 3: expected " COMMANDS ", found end of input"},
    {"1s # no command\n", 5, "line 1, column 4: expected " COMMANDS ", found a comment"},
    {"1s crash 7", 5, "line 1, column 10: node 7 is out of range: the nodes are 0 to 4"},
    {"1s crash 1", 1, "line 1, column 10: node 1 is out of range: the only node is 0"},
    {"1s crash\n2s heal", 5, "line 1, column 9: expected a node number, found end of line"},
    {"1s heal now", 5, "line 1, column 9: " END_EXPECTED ", found \"now\""},
    {"1s heal\x01", 5, "line 1, column 8: " END_EXPECTED ", found byte 0x01"},
    {"1s partition 0,1 2", 5,
     "line 1, column 18: expected \",\" or \"|\" or the end of the statement, found \"2\""},
    {"1s partition 0,1|1,2", 5, "line 1, column 18: node 1 is listed twice in the partition"},
    {"1s partition 0,1,2,3,4", 5,
     "line 1, column 4: this partition puts every node in one group: list two groups or leave a "
     "node out"},
    {"1s partition 0,|1", 5, "line 1, column 16: expected a node number, found \"|\""},
    {"1s block 0 1", 5,
     "line 1, column 12: expected \">\" between the two nodes (as in 0>1), found \"1\""},
    {"1s block 2>2", 5, "line 1, column 12: a link joins two different nodes, found 2>2"},
    {"1s loss 1.5", 5,
     "line 1, column 9: probability 1.5 is out of range: expected a number from 0 to 1"},
    {"1s loss -0.1", 5, "line 1, column 9: expected a probability from 0 to 1, found \"-0.1\""},
    {"1s dup lots", 5, "line 1, column 8: expected a probability from 0 to 1, found \"lots\""},
    {"1s latency normal 5ms", 5,
     "line 1, column 12: expected constant, uniform or exponential, found \"normal\""},
    {"1s latency uniform 10ms 1ms", 5,
     "line 1, column 25: the upper bound 1ms is below the lower bound 10ms"},
    {"1s latency exponential 10ms 1ms", 5,
     "line 1, column 29: offset plus mean 1ms is below the offset 10ms"},
    {"1s latency constant", 5,
     "line 1, column 20: expected a duration such as 5ms, found end of input"},
    {"1s fifo maybe", 5, "line 1, column 9: expected on or off, found \"maybe\""},
    {"1s skew 1 300", 5,
     "line 1, column 11: missing unit in \"300\": expected us, ms or s after the number"},
    {"1s drift 1 2000000ppm", 5,
     "line 1, column 12: drift \"2000000ppm\" is out of range: expected -999999ppm to 999999ppm"},
    {"1s drift 1 fast", 5,
     "line 1, column 12: expected a drift such as 200ppm or -50ppm, found \"fast\""},
    {"1s slow 1 fast", 5, "line 1, column 11: expected a duration such as 50ms, found \"fast\""},
    {"1s restart 2", 5, "line 1, column 1: restart 2 at 1s, but node 2 is not down then"},
    {"1s crash 2\n# a comment\n  3s crash 2", 5,
     "line 3, column 3: crash 2 at 3s, but node 2 is already down then"},
    /* History follows time, not the order of the text: the restart at 500ms comes first. */
    {"2s restart 1; 1s crash 1; 500ms restart 1", 5,
     "line 1, column 27: restart 1 at 500ms, but node 1 is not down then"},
    {"1s heal", 0, "node count 0 is out of range: expected 1 to 16"},
    {"1s heal", 17, "node count 17 is out of range: expected 1 to 16"},
};

static void rejects(void *arg) {
  const bad_input *b = arg;
  char err[512];
  strcpy(err, "(no message)");
  nemesis_schedule *s = nemesis_parse(b->text, b->nodes, err, sizeof err);
  tap_ok(s == NULL, "rejected");
  tap_is_str(err, b->message, "the message");
  nemesis_free(s);
}

/* ---------------------------------------------------------------------------------------------
 * Random schedules.
 */

/* Write why a check failed into why (cap bytes); returns false. */
static bool unsound(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool unsound(char *why, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, cap, fmt, ap);
  va_end(ap);
  return false;
}

/* Walk a schedule in time order and check what nemesis_random promises: every statement before
 * the duration, one network cut at a time, at most max_crashed nodes down, all repaired at the
 * end. */
static bool random_is_sound(const nemesis_schedule *s, sim_time duration, int max_crashed,
                            char *why, size_t cap) {
  int down = 0;
  bool cut = false;
  double loss = 0, dup = 0;
  for (size_t i = 0; i < nemesis_count(s); i++) {
    const nemesis_action *a = nemesis_action_at(s, i);
    if (a->time >= duration)
      return unsound(why, cap, "statement %zu is not before the duration", i);
    switch (a->kind) {
      case NEMESIS_PARTITION:
      case NEMESIS_BLOCK:
        if (cut) return unsound(why, cap, "statement %zu cuts the network twice", i);
        cut = true;
        break;
      case NEMESIS_HEAL:
        cut = false;
        break;
      case NEMESIS_CRASH:
        if (++down > max_crashed) return unsound(why, cap, "%d nodes down at once", down);
        break;
      case NEMESIS_RESTART:
        down--;
        break;
      case NEMESIS_LOSS:
        loss = a->probability;
        break;
      case NEMESIS_DUP:
        dup = a->probability;
        break;
      default:
        return unsound(why, cap, "unexpected statement %zu", i);
    }
  }
  if (cut || down || loss != 0 || dup != 0)
    return unsound(why, cap, "does not end repaired: cut=%d down=%d loss=%g dup=%g", cut, down,
                   loss, dup);
  return true;
}

static void random_schedules(void *arg) {
  (void)arg;
  enum { SEEDS = 200 };
  static char *texts[SEEDS];
  int kinds[NEMESIS_SLOW + 1] = {0};
  int bad = 0;
  for (int seed = 0; seed < SEEDS; seed++) {
    int nodes = 1 + seed % 7;
    sim_time duration = 10 * SIM_SEC;
    rng r1, r2;
    rng_seed(&r1, (uint64_t)seed, 99);
    rng_seed(&r2, (uint64_t)seed, 99);
    char *a = nemesis_random(&r1, nodes, duration, NULL);
    char *b = nemesis_random(&r2, nodes, duration, NULL);
    if (!tap_is_str(b, a, "seed %d: the same stream gives the same schedule", seed)) bad++;
    free(b);
    char err[256], why[256];
    nemesis_schedule *s = nemesis_parse(a, nodes, err, sizeof err);
    if (!s) {
      tap_ok(false, "seed %d: random schedule does not parse: %s\n%s", seed, err, a);
      bad++;
    } else {
      char canon[8192];
      nemesis_format(s, canon, sizeof canon);
      if (!tap_is_str(canon, a, "seed %d: random text is canonical", seed)) bad++;
      if (!tap_ok(random_is_sound(s, duration, (nodes - 1) / 2, why, sizeof why), "seed %d: %s",
                  seed, why))
        bad++;
      for (size_t i = 0; i < nemesis_count(s); i++) kinds[nemesis_action_at(s, i)->kind]++;
      nemesis_free(s);
    }
    texts[seed] = a;
  }
  tap_is_int(bad, 0, "every seed gives a sound schedule");
  /* Seeds with the same node count give different schedules. */
  int same = 0;
  for (int i = 0; i < SEEDS; i++)
    for (int j = i + 7; j < SEEDS; j += 7) same += strcmp(texts[i], texts[j]) == 0;
  tap_is_int(same, 0, "no two seeds with the same node count give the same schedule");
  for (int i = 0; i < SEEDS; i++) free(texts[i]);
  tap_ok(kinds[NEMESIS_PARTITION] > 0 && kinds[NEMESIS_BLOCK] > 0 && kinds[NEMESIS_CRASH] > 0 &&
             kinds[NEMESIS_LOSS] > 0 && kinds[NEMESIS_DUP] > 0,
         "every kind of fault appears (partition %d, block %d, crash %d, loss %d, dup %d)",
         kinds[NEMESIS_PARTITION], kinds[NEMESIS_BLOCK], kinds[NEMESIS_CRASH], kinds[NEMESIS_LOSS],
         kinds[NEMESIS_DUP]);
  tap_diag("200 seeds: %d partitions, %d blocks, %d crashes, %d loss and %d dup statements",
           kinds[NEMESIS_PARTITION], kinds[NEMESIS_BLOCK], kinds[NEMESIS_CRASH],
           kinds[NEMESIS_LOSS], kinds[NEMESIS_DUP]);
}

static void random_options(void *arg) {
  (void)arg;
  char err[256], why[256];
  /* Only crashes, and a majority allowed when asked. */
  nemesis_random_options o = {.crashes = true, .max_crashed = 5};
  int most = 0;
  for (uint64_t seed = 1; seed <= 50; seed++) {
    rng r;
    rng_seed(&r, seed, 1);
    char *text = nemesis_random(&r, 5, 20 * SIM_SEC, &o);
    nemesis_schedule *s = nemesis_parse(text, 5, err, sizeof err);
    if (tap_ok(s != NULL, "seed %llu parses: %s", (unsigned long long)seed, err)) {
      tap_ok(random_is_sound(s, 20 * SIM_SEC, 5, why, sizeof why), "seed %llu: %s",
             (unsigned long long)seed, why);
      int down = 0;
      for (size_t i = 0; i < nemesis_count(s); i++) {
        const nemesis_action *a = nemesis_action_at(s, i);
        tap_ok(a->kind == NEMESIS_CRASH || a->kind == NEMESIS_RESTART, "only crashes and restarts");
        down += a->kind == NEMESIS_CRASH ? 1 : -1;
        if (down > most) most = down;
      }
    }
    nemesis_free(s);
    free(text);
  }
  tap_ok(most > 2, "with max_crashed 5, a majority goes down at some point (most at once: %d)",
         most);
  /* One node: nothing to partition and no minority to crash; only loss bursts. */
  rng r;
  rng_seed(&r, 3, 1);
  char *text = nemesis_random(&r, 1, 10 * SIM_SEC, NULL);
  tap_ok(strstr(text, "partition") == NULL && strstr(text, "crash") == NULL &&
             strstr(text, "block") == NULL,
         "one node: no partition, block or crash");
  free(text);
  /* A duration too short for any fault gives an empty schedule. */
  text = nemesis_random(&r, 3, 0, NULL);
  tap_is_str(text, "", "duration 0: empty schedule");
  free(text);
  tap_ok(nemesis_random(&r, 0, SIM_SEC, NULL) == NULL, "node count 0: NULL");
  /* Short durations use microseconds and still end before the duration. */
  for (uint64_t seed = 1; seed <= 20; seed++) {
    rng_seed(&r, seed, 2);
    text = nemesis_random(&r, 3, 50 * SIM_MS, NULL);
    nemesis_schedule *s = nemesis_parse(text, 3, err, sizeof err);
    if (tap_ok(s != NULL, "50ms seed %llu parses: %s", (unsigned long long)seed, err))
      tap_ok(random_is_sound(s, 50 * SIM_MS, 1, why, sizeof why), "50ms seed %llu: %s",
             (unsigned long long)seed, why);
    nemesis_free(s);
    free(text);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Installing a schedule in a world.
 */

static void read_clock_offset(sim_node *n, void *state, void *arg) {
  (void)state;
  *(int64_t *)arg = (int64_t)sim_clock(n) - (int64_t)sim_true_time(n);
}

static const char world_schedule[] =
    "100ms crash 1\n"
    "200ms partition 0|1,2\n"
    "250ms block 1>2\n"
    "300ms restart 1\n"
    "400ms heal\n"
    "500ms loss 0.5\n"
    "600ms latency constant 3ms; 600ms fifo on\n"
    "700ms dup 0.25\n"
    "800ms skew 2 +5ms\n"
    "900ms partition 2\n";

static void install_applies_at_times(void *arg) {
  (void)arg;
  char err[256];
  nemesis_schedule *s = nemesis_parse(world_schedule, 3, err, sizeof err);
  if (!tap_ok(s != NULL, "parses: %s", err)) return;
  sim_world *w = ping_world(1, 3);
  tap_ok(nemesis_install(w, s), "installs in a 3-node world");
  sim_start(w);
  sim_net_config before = *sim_link_config(w, 0, 1);

  /* Just before 100ms node 1 is up; at 100ms exactly it is down. */
  sim_run_until_time(w, 100 * SIM_MS - 1);
  tap_ok(sim_alive(w, 1), "node 1 is up at 99.999ms");
  sim_run_until_time(w, 100 * SIM_MS);
  tap_ok(!sim_alive(w, 1), "node 1 is down at 100ms");
  tap_ok(sim_alive(w, 0) && sim_alive(w, 2), "nodes 0 and 2 stay up");

  /* 200ms: partition 0|1,2 cuts node 0 off both ways, and only that. */
  sim_run_until_time(w, 200 * SIM_MS - 1);
  tap_ok(!sim_link_blocked(w, 0, 1), "no partition before 200ms");
  sim_run_until_time(w, 200 * SIM_MS);
  tap_ok(sim_link_blocked(w, 0, 1) && sim_link_blocked(w, 1, 0) && sim_link_blocked(w, 0, 2) &&
             sim_link_blocked(w, 2, 0),
         "at 200ms node 0 is cut off both ways");
  tap_ok(!sim_link_blocked(w, 1, 2) && !sim_link_blocked(w, 2, 1), "nodes 1 and 2 still talk");

  /* 250ms: a one-way block. */
  sim_run_until_time(w, 250 * SIM_MS);
  tap_ok(sim_link_blocked(w, 1, 2) && !sim_link_blocked(w, 2, 1),
         "at 250ms 1>2 is blocked, 2>1 is not");

  /* 300ms: node 1 boots again, with its stable storage. */
  tap_is_int(boots_of(w, 1), 1, "node 1 booted once before the restart");
  sim_run_until_time(w, 300 * SIM_MS);
  tap_ok(sim_alive(w, 1), "node 1 is up at 300ms");
  tap_is_int(boots_of(w, 1), 2, "node 1 booted twice");
  tap_is_int(boots_of(w, 0), 1, "node 0 booted once");

  /* 400ms: heal unblocks every link, the one-way block too. */
  sim_run_until_time(w, 400 * SIM_MS);
  bool any = false;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) any |= sim_link_blocked(w, i, j);
  tap_ok(!any, "at 400ms no link is blocked");

  /* 500ms to 700ms: network settings change one field at a time. */
  sim_run_until_time(w, 500 * SIM_MS);
  const sim_net_config *c = sim_link_config(w, 0, 1);
  tap_ok(c->loss == 0.5 && c->latency == before.latency && c->latency_min == before.latency_min &&
             c->latency_max == before.latency_max && c->fifo == before.fifo,
         "at 500ms loss is 0.5 and the rest is unchanged");
  sim_run_until_time(w, 600 * SIM_MS);
  c = sim_link_config(w, 2, 1);
  tap_ok(c->latency == SIM_LATENCY_CONSTANT && c->latency_min == 3000 && c->fifo && c->loss == 0.5,
         "at 600ms latency is constant 3ms, fifo on, loss still 0.5");
  sim_run_until_time(w, 700 * SIM_MS);
  c = sim_link_config(w, 1, 0);
  tap_ok(c->duplicate == 0.25 && c->loss == 0.5, "at 700ms dup is 0.25");

  /* 800ms: node 2's clock runs 5ms ahead. */
  int64_t offset = -1;
  sim_run_until_time(w, 800 * SIM_MS - 1);
  sim_poke(w, 2, read_clock_offset, &offset);
  tap_is_int(offset, 0, "node 2's clock is true before 800ms");
  sim_run_until_time(w, 800 * SIM_MS);
  sim_poke(w, 2, read_clock_offset, &offset);
  tap_is_int(offset, 5000, "node 2's clock is 5ms ahead at 800ms");

  /* 900ms: "partition 2" isolates node 2. */
  sim_run_until_time(w, 900 * SIM_MS);
  tap_ok(sim_link_blocked(w, 2, 0) && sim_link_blocked(w, 1, 2) && !sim_link_blocked(w, 0, 1),
         "at 900ms node 2 is isolated and 0, 1 still talk");

  /* The world kept running: pings flowed. */
  const ping_state *p0 = sim_state(w, 0);
  tap_ok(p0->received > 0, "node 0 received pings (%u)", p0->received);
  sim_destroy(w);
  nemesis_free(s);
}

static void install_edge_cases(void *arg) {
  (void)arg;
  char err[256];
  nemesis_schedule *s = nemesis_parse("0s crash 0; 50ms restart 0", 2, err, sizeof err);
  /* The world must have the node count the schedule was parsed for. */
  sim_world *w = ping_world(2, 3);
  tap_ok(!nemesis_install(w, s), "a 2-node schedule does not install in a 3-node world");
  sim_start(w);
  sim_run_until_time(w, 10 * SIM_MS);
  tap_ok(sim_alive(w, 0), "nothing was scheduled");
  sim_destroy(w);

  /* A statement whose time has passed applies at once; later ones at their time. */
  nemesis_schedule *late = nemesis_parse("0s crash 0; 2s restart 0", 2, err, sizeof err);
  w = ping_world(2, 2);
  sim_start(w);
  sim_run_until_time(w, SIM_SEC);
  tap_ok(nemesis_install(w, late), "installs after the start");
  sim_run_until_time(w, SIM_SEC);
  tap_ok(!sim_alive(w, 0), "a crash at 0s installed at 1s applies at 1s");
  tap_is_int((int64_t)sim_now(w), (int64_t)SIM_SEC, "time did not move");
  sim_run_until_time(w, 2 * SIM_SEC - 1);
  tap_ok(!sim_alive(w, 0), "still down just before 2s");
  sim_run_until_time(w, 2 * SIM_SEC);
  tap_ok(sim_alive(w, 0), "the restart applies at 2s");
  sim_destroy(w);
  nemesis_free(late);

  /* Installed before the start, a crash at 0 runs after the boots, and the driver's own crash
   * is not crashed twice: restart finds the node down, crash skips a node already down. */
  w = ping_world(2, 2);
  tap_ok(nemesis_install(w, s), "installs before the start");
  sim_start(w);
  sim_run_until_time(w, 0);
  tap_ok(!sim_alive(w, 0), "crash at 0s");
  tap_is_int(boots_of(w, 0), 1, "node 0 booted before the crash");
  sim_run_until_time(w, 50 * SIM_MS);
  tap_ok(sim_alive(w, 0), "restart at 50ms");
  sim_destroy(w);
  nemesis_free(s);

  s = nemesis_parse("10ms crash 1; 20ms restart 1", 2, err, sizeof err);
  w = ping_world(2, 2);
  nemesis_install(w, s);
  sim_start(w);
  sim_run_until_time(w, 5 * SIM_MS);
  sim_crash(w, 1); /* the driver crashes node 1 first */
  sim_run_until_time(w, 20 * SIM_MS);
  tap_ok(sim_alive(w, 1), "a driver's crash and the schedule's crash make one down span");
  tap_is_int(boots_of(w, 1), 2, "node 1 booted twice, not three times");
  sim_destroy(w);
  nemesis_free(s);
}

/* A random schedule from the world's own stream replays exactly, and survives a snapshot. */
static void random_install_replays(void *arg) {
  (void)arg;
  uint64_t hashes[2];
  for (int run = 0; run < 2; run++) {
    sim_world *w = ping_world(42, 5);
    char *text = nemesis_random(sim_nemesis_rng(w), 5, 3 * SIM_SEC, NULL);
    char err[256];
    nemesis_schedule *s = nemesis_parse(text, 5, err, sizeof err);
    if (!tap_ok(s != NULL, "run %d: parses: %s", run, err)) {
      free(text);
      sim_destroy(w);
      return;
    }
    nemesis_install(w, s);
    sim_start(w);
    sim_run_until_time(w, 3 * SIM_SEC);
    hashes[run] = sim_world_hash(w);
    for (int i = 0; i < 5; i++) tap_ok(sim_alive(w, i), "run %d: node %d is up at the end", run, i);
    for (int i = 0; i < 5; i++)
      for (int j = 0; j < 5; j++)
        if (sim_link_blocked(w, i, j)) tap_ok(false, "run %d: link %d>%d still blocked", run, i, j);
    tap_ok(sim_link_config(w, 0, 1)->loss == 0, "run %d: loss is back to 0", run);
    sim_destroy(w);
    nemesis_free(s);
    free(text);
  }
  tap_ok(hashes[0] == hashes[1], "two runs with seed 42 end in the same world");

  /* Snapshot in the middle of the schedule, run on, restore, run on again: the same world. */
  char err[256];
  nemesis_schedule *s = nemesis_parse(
      "100ms crash 3; 150ms partition 0,1; 400ms heal; 500ms restart 3", 5, err, sizeof err);
  sim_world *w = ping_world(7, 5);
  nemesis_install(w, s);
  sim_start(w);
  sim_run_until_time(w, 120 * SIM_MS);
  sim_snapshot *snap = sim_snapshot_take(w);
  sim_run_until_time(w, SIM_SEC);
  uint64_t first = sim_world_hash(w);
  sim_snapshot_restore(w, snap);
  tap_ok(!sim_alive(w, 3), "restored: node 3 is down again");
  sim_run_until_time(w, SIM_SEC);
  tap_ok(sim_world_hash(w) == first, "restored run ends in the same world");
  tap_ok(sim_alive(w, 3) && !sim_link_blocked(w, 0, 2), "restored run: restart and heal happened");
  sim_snapshot_free(snap);
  sim_destroy(w);
  nemesis_free(s);
}

int main(void) {
  tap_case("parser accepts every command", accepts_every_command, NULL);
  tap_case("parser accepts edge cases", accepts_edge_cases, NULL);
  tap_case("parse, format, parse round trips", round_trips, NULL);
  tap_case("format and errors truncate safely", format_truncates, NULL);
  for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
    char name[160];
    char shown[64];
    size_t k = 0;
    for (const char *p = bad_inputs[i].text; *p && k + 3 < sizeof shown; p++) {
      if (*p == '\n')
        shown[k++] = '\\', shown[k++] = 'n';
      else if ((unsigned char)*p < 0x20)
        shown[k++] = '?';
      else if (*p == '#')
        shown[k++] = '\\', shown[k++] = '#'; /* TAP's escape for '#' */
      else
        shown[k++] = *p;
    }
    shown[k] = 0;
    snprintf(name, sizeof name, "rejects \"%s\" (%d nodes)", shown, bad_inputs[i].nodes);
    tap_case(name, rejects, (void *)&bad_inputs[i]);
  }
  tap_case("random schedules: 200 seeds", random_schedules, NULL);
  tap_case("random schedules: options", random_options, NULL);
  tap_case("install: faults at exact virtual times", install_applies_at_times, NULL);
  tap_case("install: node count, late install, driver crashes", install_edge_cases, NULL);
  tap_case("install: random schedule replays and snapshots", random_install_replays, NULL);
  return tap_done();
}
