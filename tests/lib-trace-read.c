/*
 * lib-trace-read.c: unit tests of the JSON Lines trace reader (lib/trace_read.h).
 *
 * Four parts: a small hand-written trace (tests/corpus/trace/valid-small.jsonl) reads into the
 * exact events, strings, clocks and message links it holds; every malformed file of the corpus
 * fails with the line number and reason a learner would see; the fast scanner and jansson agree
 * on every line, valid or mutated; and feeding a trace in pieces (as `dsviz -` does) gives the
 * same result as reading it whole, keeping what was read when a bad line arrives.
 * Run from the top of the repository (prove does), where tests/corpus/ is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/trace_read.h"
#include "tap.h"

#define CORPUS "tests/corpus/trace/"

static trace_data *load(const char *path, char *err, size_t cap) {
  trace_data *tr = NULL;
  if (trace_read_file(path, &tr, err, cap) != 0) return NULL;
  return tr;
}

/* Read a file into memory (for feeding it in pieces); NULL on failure. */
static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  size_t k;
  while ((k = fread(buf + n, 1, cap - n, fp)) > 0) {
    n += k;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(fp);
  *len = n;
  return buf;
}

/* ---------------------------------------------------------------------------------------------
 * Part 1: the valid trace, field by field.
 */
static void valid_header(void *arg) {
  (void)arg;
  char err[256];
  trace_data *tr = load(CORPUS "valid-small.jsonl", err, sizeof err);
  if (!tap_ok(tr != NULL, "valid-small.jsonl loads (%s)", tr ? "ok" : err)) return;
  tap_is_str(tr->lab, "00-messaging", "lab from the header");
  tap_is_str(tr->scenario, "lossy", "scenario from the header");
  tap_is_int((int64_t)tr->seed, 7, "seed from the header");
  tap_is_int(tr->node_count, 3, "three nodes");
  tap_is_str(tr->nodes[2], "n2", "node names in order");
  tap_is_int(tr->type_count, 2, "two message types (Ping, Pong), header order kept");
  tap_is_str(trace_text(tr, tr->types[1]), "Pong", "types[1] is Pong");
  tap_is_int(tr->timer_count, 1, "one timer name");
  tap_is_int((int64_t)tr->count, 31, "31 events (the header is not an event)");
  tap_ok(tr->ended, "the trace has its end event");
  trace_data_free(tr);
}

static void valid_messages(void *arg) {
  (void)arg;
  char err[256];
  trace_data *tr = load(CORPUS "valid-small.jsonl", err, sizeof err);
  if (!tap_ok(tr != NULL, "loads")) return;
  const trace_event *ev = tr->events;
  /* Line 7: n0 sends Ping id 1 to n1 at 1.2ms. */
  const trace_event *s = &ev[5];
  tap_is_int(s->kind, TRACE_SEND, "event 5 is a send");
  tap_is_int(s->line, 7, "on line 7");
  tap_is_int((int64_t)s->t, 1200, "at t=1200us");
  tap_is_int(s->node, 0, "from n0");
  tap_is_int(s->peer, 1, "to n1");
  tap_is_int((int64_t)s->id, 1, "message id 1");
  tap_is_str(trace_text(tr, s->name), "Ping", "type Ping");
  tap_is_int(s->mtype, 0, "Ping is type 0");
  tap_is_str(trace_text(tr, s->text), "seq=1", "body seq=1");
  const uint32_t *vc = trace_vc(tr, s);
  tap_ok(vc && vc[0] == 2 && vc[1] == 0 && vc[2] == 0, "vector clock [2,0,0]");
  /* The message index: the send links to its receive (line 9) and back. */
  tap_is_int(s->link, 7, "send 1 links to its receive, event 7");
  tap_is_int(ev[7].kind, TRACE_RECV, "event 7 is the receive");
  tap_is_int(ev[7].link, 5, "the receive links back to its send");
  /* Message 2 was lost: the drop names the reason and links to the send. */
  const trace_event *d = &ev[9];
  tap_is_int(d->kind, TRACE_DROP, "event 9 is a drop");
  tap_is_int(d->why, TRACE_WHY_LOSS, "dropped for loss");
  tap_is_int(d->node, 2, "intended receiver n2");
  tap_is_int(d->peer, 0, "sender n0");
  tap_is_int(ev[6].link, 9, "send 2 links to its drop");
  tap_ok(trace_vc(tr, d) == NULL, "a drop has no vector clock");
  /* Message 5 was duplicated: two receives chained on one send. */
  const trace_event *s5 = &ev[19];
  tap_is_int((int64_t)s5->id, 5, "event 19 sends message 5");
  tap_is_int(s5->link, 20, "first delivery is event 20");
  tap_is_int(ev[20].next, 21, "second delivery chained after it");
  tap_is_int(ev[21].next, TRACE_NONE, "and nothing after that");
  /* A client's message: from -1 and no send to link to. */
  tap_is_int(ev[15].peer, -1, "external sender is -1");
  tap_is_int(ev[15].link, TRACE_NONE, "no send for an external message");
  trace_data_free(tr);
}

static void valid_other_kinds(void *arg) {
  (void)arg;
  char err[256];
  trace_data *tr = load(CORPUS "valid-small.jsonl", err, sizeof err);
  if (!tap_ok(tr != NULL, "loads")) return;
  const trace_event *ev = tr->events;
  tap_is_int(ev[3].kind, TRACE_STATE, "event 3 is a state annotation");
  tap_is_str(trace_text(tr, ev[3].name), "role", "key role");
  tap_is_str(trace_text(tr, ev[3].text), "pinger", "value pinger");
  tap_is_int(ev[12].kind, TRACE_CRASH, "event 12 is a crash");
  const int32_t *g = trace_groups(tr, &ev[13]);
  tap_ok(g && g[0] == 0 && g[1] == 0 && g[2] == 1, "partition groups {0,1} | {2}");
  tap_is_int(ev[14].kind, TRACE_INVOKE, "event 14 is a client invoke");
  tap_is_int(ev[14].peer, 0, "by client 0");
  tap_is_str(trace_text(tr, ev[14].name), "put", "op put");
  tap_is_str(trace_text(tr, ev[14].key), "x", "key x");
  tap_is_int(ev[17].kind, TRACE_TIMER, "event 17 is a timer");
  tap_is_str(trace_text(tr, ev[17].name), "retry", "named retry");
  tap_is_str(trace_text(tr, ev[18].text), "retrying \"seq\" 2\nnow", "escapes decoded in a note");
  tap_is_int(ev[25].kind, TRACE_BLOCK, "block");
  tap_ok(ev[25].node == 0 && ev[25].peer == 1, "block from n0 to n1");
  tap_is_int(ev[28].kind, TRACE_OTHER, "an unknown ev is kept as OTHER");
  tap_is_str(trace_text(tr, ev[28].name), "gossip", "with its ev name");
  tap_is_int(ev[29].kind, TRACE_VIOLATION, "violation");
  tap_is_str(trace_text(tr, ev[29].name), "at-most-once", "invariant name");
  tap_is_int(ev[30].kind, TRACE_END, "end");
  tap_ok(trace_find_text(tr, "Pong") != 0, "trace_find_text finds an interned string");
  tap_ok(trace_find_text(tr, "no such string") == 0, "and 0 for an absent one");
  tap_ok(trace_memory(tr) > tr->count * sizeof(trace_event), "trace_memory counts the events");
  trace_data_free(tr);
}

static void no_final_newline(void *arg) {
  (void)arg;
  char err[256];
  trace_data *tr = load(CORPUS "valid-no-newline.jsonl", err, sizeof err);
  tap_ok(tr != NULL, "a complete last line without a newline is accepted (%s)", tr ? "" : err);
  if (tr) tap_is_int((int64_t)tr->count, 2, "both events read");
  if (tr) tap_ok(!tr->ended, "no end event: a run cut short is fine");
  trace_data_free(tr);
}

/* ---------------------------------------------------------------------------------------------
 * Part 2: malformed files, each with its line and reason.
 */
typedef struct bad_case {
  const char *file;
  const char *want; /* the exact message after "trace tests/corpus/trace/" */
} bad_case;

static const bad_case bad_files[] = {
    {"bad-json.jsonl",
     "bad-json.jsonl:3: bad JSON at column 23: string or '}' expected near 'node'"},
    {"bad-truncated.jsonl",
     "bad-truncated.jsonl:3: truncated last line (no newline, incomplete JSON)"},
    {"bad-version.jsonl",
     "bad-version.jsonl:1: unsupported trace version (this reader knows \"causeway\":1)"},
    {"bad-no-version.jsonl",
     "bad-no-version.jsonl:1: not a Causeway trace: the first line has no \"causeway\" version"},
    {"bad-time-backwards.jsonl",
     "bad-time-backwards.jsonl:3: time goes backwards: t=5 after t=10 (line 2)"},
    {"bad-unknown-node.jsonl",
     "bad-unknown-node.jsonl:3: unknown node 2 in \"to\" (the header lists 2 nodes)"},
    {"bad-missing-field.jsonl", "bad-missing-field.jsonl:2: send event without \"to\""},
    {"bad-vc-length.jsonl",
     "bad-vc-length.jsonl:2: vector clock has 1 entries, expected 2 (one per node)"},
    {"bad-empty.jsonl", "bad-empty.jsonl:1: empty trace (no header line)"},
    {"bad-time-type.jsonl", "bad-time-type.jsonl:2: field \"t\" must be an integer"},
    {"bad-partition.jsonl", "bad-partition.jsonl:2: partition lists node 1 twice"},
    {"bad-not-object.jsonl", "bad-not-object.jsonl:2: expected a JSON object"},
    {"bad-duplicate-id.jsonl", "bad-duplicate-id.jsonl:3: message id 1 already sent on line 2"},
};

static void bad_file(void *arg) {
  const bad_case *c = arg;
  char path[256], want[512], err[512] = "";
  snprintf(path, sizeof path, CORPUS "%s", c->file);
  snprintf(want, sizeof want, "trace " CORPUS "%s", c->want);
  trace_data *tr = (trace_data *)1;
  int rc = trace_read_file(path, &tr, err, sizeof err);
  tap_is_int(rc, -1, "%s is rejected", c->file);
  tap_ok(tr == NULL, "and no trace is returned");
  tap_is_str(err, want, "with the line number and reason");
}

static void missing_file(void *arg) {
  (void)arg;
  char err[256] = "";
  trace_data *tr;
  tap_is_int(trace_read_file(CORPUS "no-such-file.jsonl", &tr, err, sizeof err), -1, "fails");
  tap_is_str(err, "cannot open " CORPUS "no-such-file.jsonl: No such file or directory",
             "names the file and the system's reason");
}

/* Lines that must be rejected after a good header, with the reason's start. */
typedef struct bad_line {
  const char *line;
  const char *want; /* expected message after "trace x:2: " */
} bad_line;

static const bad_line bad_lines[] = {
    {"{\"ev\":\"boot\",\"node\":0}", "event without \"t\" (its time)"},
    {"{\"t\":1}", "event without \"ev\" (its kind)"},
    {"{\"t\":-5,\"ev\":\"boot\",\"node\":0}", "negative time t=-5"},
    {"{\"t\":1.5,\"ev\":\"boot\",\"node\":0}", "field \"t\" must be an integer"},
    {"{\"t\":1,\"ev\":\"boot\",\"node\":\"0\"}", "field \"node\" must be an integer"},
    {"{\"t\":1,\"ev\":\"boot\",\"node\":9}", "unknown node 9 (the header lists 2 nodes)"},
    {"{\"t\":1,\"ev\":\"recv\",\"node\":0,\"from\":-2,\"id\":1,\"type\":\"X\"}",
     "unknown node -2 in \"from\" (the header lists 2 nodes)"},
    {"{\"t\":1,\"ev\":\"state\",\"node\":0,\"key\":\"role\"}", "state event without \"value\""},
    {"{\"t\":1,\"ev\":\"drop\",\"node\":0,\"id\":4}", "drop event without \"why\""},
    {"{\"t\":1,\"ev\":\"send\",\"node\":0,\"to\":1,\"id\":-1,\"type\":\"X\"}",
     "negative message id -1"},
    {"{\"t\":1,\"ev\":\"boot\",\"node\":0,\"vc\":[1,2,3]}",
     "vector clock has 3 entries, expected 2 (one per node)"},
    {"{\"t\":1,\"ev\":\"boot\",\"node\":0,\"vc\":[1,-2]}", "vector clock entry 1 is not a counter"},
    {"{\"t\":1,\"ev\":\"partition\",\"groups\":[[0],[5]]}",
     "partition names node 5, but there are 2 nodes"},
    {"{\"t\":1,\"ev\":\"block\",\"from\":-1,\"to\":1}", "block needs a node in \"from\", not -1"},
    {"{\"t\":1,\"ev\":\"invoke\",\"op\":\"put\"}", "invoke event without \"client\""},
    {"{\"t\":1,\"ev\":\"boot\",\"node\":0,\"node\":1}",
     "bad JSON at column 34: duplicate object key near '\"node\"'"},
    {"{\"t\":1,\"ev\":\"boot\",\"node\":0} x",
     "bad JSON at column 30: end of file expected near 'x'"},
    {"\"just a string\"", "bad JSON at column 15: '[' or '{' expected near '\"just a string\"'"},
};

static void bad_event_lines(void *arg) {
  (void)arg;
  const char *hdr = "{\"causeway\":1,\"nodes\":[\"a\",\"b\"]}";
  for (int fast = 0; fast <= 1; fast++) {
    for (size_t i = 0; i < sizeof bad_lines / sizeof *bad_lines; i++) {
      trace_data *tr = trace_data_new("x");
      trace_set_fast(tr, fast);
      char err[512] = "", want[512];
      trace_feed_line(tr, hdr, strlen(hdr), err, sizeof err);
      int rc = trace_feed_line(tr, bad_lines[i].line, strlen(bad_lines[i].line), err, sizeof err);
      snprintf(want, sizeof want, "trace x:2: %s", bad_lines[i].want);
      tap_ok(rc == -1 && tr->count == 0, "%s path rejects %s", fast ? "fast" : "jansson",
             bad_lines[i].line);
      tap_is_str(err, want, "%s path: reason for %s", fast ? "fast" : "jansson", bad_lines[i].line);
      trace_data_free(tr);
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: the fast scanner and jansson agree, on valid lines and on mutated ones.
 */
static bool same_event(const trace_data *a, const trace_event *x, const trace_data *b,
                       const trace_event *y) {
  if (x->t != y->t || x->id != y->id || x->line != y->line || x->kind != y->kind ||
      x->node != y->node || x->peer != y->peer || x->mtype != y->mtype || x->why != y->why ||
      x->link != y->link || x->next != y->next)
    return false;
  if (strcmp(trace_text(a, x->name), trace_text(b, y->name)) ||
      strcmp(trace_text(a, x->text), trace_text(b, y->text)) ||
      strcmp(trace_text(a, x->key), trace_text(b, y->key)))
    return false;
  const uint32_t *va = trace_vc(a, x), *vb = trace_vc(b, y);
  if ((va == NULL) != (vb == NULL)) return false;
  if (va && memcmp(va, vb, (size_t)a->node_count * sizeof *va)) return false;
  const int32_t *ga = trace_groups(a, x), *gb = trace_groups(b, y);
  if ((ga == NULL) != (gb == NULL)) return false;
  if (ga && memcmp(ga, gb, (size_t)a->node_count * sizeof *ga)) return false;
  return true;
}

static void paths_agree_valid(void *arg) {
  (void)arg;
  size_t len;
  char *text = slurp(CORPUS "valid-small.jsonl", &len);
  if (!tap_ok(text != NULL, "corpus file readable")) return;
  trace_data *a = trace_data_new("a"), *b = trace_data_new("b");
  trace_set_fast(b, false);
  char err[256];
  tap_ok(trace_feed(a, text, len, err, sizeof err) == 0 && trace_finish(a, err, sizeof err) == 0,
         "fast path reads it");
  tap_ok(trace_feed(b, text, len, err, sizeof err) == 0 && trace_finish(b, err, sizeof err) == 0,
         "jansson path reads it");
  tap_is_int((int64_t)a->count, (int64_t)b->count, "same number of events");
  size_t diff = 0;
  for (size_t i = 0; i < a->count && i < b->count; i++)
    if (!same_event(a, &a->events[i], b, &b->events[i])) {
      if (!diff) tap_diag("first difference at event %zu (line %u)", i, a->events[i].line);
      diff++;
    }
  tap_is_int((int64_t)diff, 0, "every event identical");
  trace_data_free(a);
  trace_data_free(b);
  free(text);
}

/* A deterministic xorshift for the mutations (tests never use rand()). */
static uint64_t next_rand(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void paths_agree_mutated(void *arg) {
  (void)arg;
  size_t len;
  char *text = slurp(CORPUS "valid-small.jsonl", &len);
  if (!tap_ok(text != NULL, "corpus file readable")) return;
  static const char alphabet[] = "{}[],:\"\\0123456789-. abcdeflnrstu\x7f\xc3";
  uint64_t seed = 0x9e3779b97f4a7c15ULL;
  int disagreements = 0, rejected = 0, accepted = 0;
  char *m = malloc(len + 8);
  for (int round = 0; round < 3000; round++) {
    /* Mutate a copy: overwrite, insert or delete a few bytes. */
    memcpy(m, text, len);
    size_t n = len;
    int edits = 1 + (int)(next_rand(&seed) % 3);
    for (int e = 0; e < edits && n > 1; e++) {
      size_t at = next_rand(&seed) % n;
      char c = alphabet[next_rand(&seed) % (sizeof alphabet - 1)];
      switch (next_rand(&seed) % 3) {
        case 0:
          m[at] = c;
          break;
        case 1:
          memmove(m + at + 1, m + at, n - at), m[at] = c, n++;
          break;
        default:
          memmove(m + at, m + at + 1, n - at - 1), n--;
          break;
      }
    }
    trace_data *a = trace_data_new("m"), *b = trace_data_new("m");
    trace_set_fast(b, false);
    char ea[512] = "", eb[512] = "";
    int ra = trace_feed(a, m, n, ea, sizeof ea);
    if (!ra) ra = trace_finish(a, ea, sizeof ea);
    int rb = trace_feed(b, m, n, eb, sizeof eb);
    if (!rb) rb = trace_finish(b, eb, sizeof eb);
    bool same = ra == rb && a->count == b->count && strcmp(ea, eb) == 0;
    for (size_t i = 0; same && i < a->count; i++)
      same = same_event(a, &a->events[i], b, &b->events[i]);
    if (!same && disagreements++ < 3)
      tap_diag("round %d: fast rc=%d count=%zu '%s' vs jansson rc=%d count=%zu '%s'", round, ra,
               a->count, ea, rb, b->count, eb);
    if (ra)
      rejected++;
    else
      accepted++;
    trace_data_free(a);
    trace_data_free(b);
  }
  tap_diag("3000 mutated traces: %d rejected, %d accepted", rejected, accepted);
  tap_is_int(disagreements, 0, "fast path and jansson agree on every mutated trace");
  free(m);
  free(text);
}

/* ---------------------------------------------------------------------------------------------
 * Part 4: incremental reading.
 */
static void feed_in_pieces(void *arg) {
  (void)arg;
  size_t len;
  char *text = slurp(CORPUS "valid-small.jsonl", &len);
  if (!tap_ok(text != NULL, "corpus file readable")) return;
  trace_data *tr = trace_data_new("live");
  char err[256];
  int rc = 0;
  size_t counts_seen = 0;
  /* One byte at a time: the worst case for the partial-line buffer. */
  for (size_t i = 0; i < len && rc == 0; i++) {
    rc = trace_feed(tr, text + i, 1, err, sizeof err);
    if (tr->count > counts_seen) counts_seen = tr->count;
  }
  tap_is_int(rc, 0, "every byte accepted");
  tap_is_int((int64_t)tr->count, 31, "all 31 events, as when read whole");
  tap_is_int(tr->events[7].link, 5, "message links built incrementally");
  tap_is_int(trace_finish(tr, err, sizeof err), 0, "finish with nothing pending");
  trace_data_free(tr);
  free(text);
}

static void bad_line_keeps_trace(void *arg) {
  (void)arg;
  trace_data *tr = trace_data_new("live");
  char err[256];
  const char *lines[] = {
      "{\"causeway\":1,\"nodes\":[\"a\",\"b\"]}",
      "{\"t\":5,\"ev\":\"boot\",\"node\":0}",
      "{\"t\":3,\"ev\":\"boot\",\"node\":1}", /* goes backwards: rejected */
      "{\"t\":7,\"ev\":\"boot\",\"node\":1}",
  };
  int rcs[4];
  for (int i = 0; i < 4; i++)
    rcs[i] = trace_feed_line(tr, lines[i], strlen(lines[i]), err, sizeof err);
  tap_ok(rcs[0] == 0 && rcs[1] == 0, "header and first event accepted");
  tap_is_int(rcs[2], -1, "the backwards event is rejected");
  tap_is_int(rcs[3], 0, "a later good line is still accepted by trace_feed_line");
  tap_is_int((int64_t)tr->count, 2, "the trace holds the two good events");
  tap_is_int(tr->events[1].line, 4, "line numbers count the rejected line");
  trace_data_free(tr);
}

static void format_time(void *arg) {
  (void)arg;
  char buf[32];
  tap_is_str(trace_format_time(0, buf, sizeof buf), "0", "zero");
  tap_is_str(trace_format_time(40, buf, sizeof buf), "40us", "microseconds");
  tap_is_str(trace_format_time(12500, buf, sizeof buf), "12.5ms", "milliseconds");
  tap_is_str(trace_format_time(1250000, buf, sizeof buf), "1.250s", "seconds");
  tap_is_str(trace_kind_name(TRACE_PARTITION), "partition", "kind names");
  tap_is_str(trace_kind_name(99), "?", "out-of-range kind");
  tap_is_str(trace_why_name(TRACE_WHY_DEAD), "dead", "drop reasons");
}

int main(void) {
  tap_case("header of a valid trace", valid_header, NULL);
  tap_case("send, receive, drop, duplicate and their links", valid_messages, NULL);
  tap_case("every other event kind, unknown kinds kept", valid_other_kinds, NULL);
  tap_case("a last line without newline", no_final_newline, NULL);
  for (size_t i = 0; i < sizeof bad_files / sizeof *bad_files; i++) {
    char name[128];
    snprintf(name, sizeof name, "malformed: %s", bad_files[i].file);
    tap_case(name, bad_file, (void *)&bad_files[i]);
  }
  tap_case("a missing file", missing_file, NULL);
  tap_case("bad event lines, both parsers, exact reasons", bad_event_lines, NULL);
  tap_case("fast scanner and jansson agree on a valid trace", paths_agree_valid, NULL);
  tap_case("fast scanner and jansson agree on mutated traces", paths_agree_mutated, NULL);
  tap_case("feeding one byte at a time", feed_in_pieces, NULL);
  tap_case("a bad line leaves the trace as it was", bad_line_keeps_trace, NULL);
  tap_case("time formatting and names", format_time, NULL);
  return tap_done();
}
