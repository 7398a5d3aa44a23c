/*
 * viz-layout.c: unit tests of the viewer's model and layout (visualizer/model.h, layout.h),
 * with no terminal: the screen is drawn into a canvas and read back cell by cell.
 *
 * The small trace tests/corpus/trace/valid-small.jsonl has three nodes: n0 pings n1 and n2 at
 * 1.2ms and 1.3ms, n1 answers with a Pong, the Ping to n2 is lost, n2 crashes at 3ms and
 * restarts at 5ms, and a duplicated Ping arrives twice. The tests step a cursor through it and
 * check what a learner would see: lanes, arrows with their type, the cross of the lost message,
 * the greyed lane of the crashed node, the state panel, the in-flight list, and the overlays.
 * Generated traces check scrolling, rewinding and incremental (live) reading at scale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/trace_read.h"
#include "layout.h"
#include "model.h"
#include "tap.h"

#define SMALL "tests/corpus/trace/valid-small.jsonl"

typedef struct fixture {
  trace_data *tr;
  viz_model m;
  viz_view v;
  viz_canvas c;
  viz_geom g;
} fixture;

static bool setup(fixture *f, const char *path, int w, int h) {
  char err[256];
  memset(f, 0, sizeof *f);
  if (trace_read_file(path, &f->tr, err, sizeof err) != 0) {
    tap_ok(false, "load %s: %s", path, err);
    return false;
  }
  viz_model_init(&f->m, f->tr);
  viz_view_init(&f->v, w, h);
  return true;
}

static void draw(fixture *f) {
  viz_render(&f->c, &f->m, &f->v);
  viz_geometry(&f->m, &f->v, &f->g);
}

static void teardown(fixture *f) {
  viz_canvas_free(&f->c);
  viz_model_free(&f->m);
  trace_data_free(f->tr);
}

static uint32_t ch_at(const fixture *f, int x, int y) {
  const viz_cell *c = viz_canvas_at(&f->c, x, y);
  return c ? c->ch : 0;
}

/* The screen row (canvas y) where event ev is drawn. */
static int row_of(const fixture *f, size_t ev) {
  return f->g.diag_y0 + (int)viz_event_y(&f->m, &f->v, &f->g, ev);
}

static bool row_has(const fixture *f, int y, const char *s) {
  char buf[4096];
  return strstr(viz_canvas_row(&f->c, y, buf, sizeof buf), s) != NULL;
}

/* Does any row of the canvas contain s? Returns its y or -1. */
static int find_row(const fixture *f, const char *s) {
  for (int y = 0; y < f->c.h; y++)
    if (row_has(f, y, s)) return y;
  return -1;
}

static void dump(const fixture *f) {
  char buf[4096];
  for (int y = 0; y < f->c.h; y++) tap_diag("|%s", viz_canvas_row(&f->c, y, buf, sizeof buf));
}

/* Build a trace in memory from lines. */
static trace_data *from_lines(const char *const *lines, size_t n) {
  trace_data *tr = trace_data_new("mem");
  char err[256];
  for (size_t i = 0; i < n; i++)
    if (trace_feed_line(tr, lines[i], strlen(lines[i]), err, sizeof err) != 0) {
      tap_diag("%s", err);
      trace_data_free(tr);
      return NULL;
    }
  return tr;
}

/* A generated trace: `n` rounds of node i%3 sending to (i+1)%3, received 3 rows later, and a
 * state change every round; plus, first, one slow message from n0 to n2 that arrives at the
 * very end (it crosses every screen). */
static trace_data *generated(size_t rounds) {
  trace_data *tr = trace_data_new("gen");
  char err[256], line[256];
  int rc = 0;
  const char *hdr =
      "{\"causeway\":1,\"nodes\":[\"n0\",\"n1\",\"n2\"],\"types\":[\"Slow\",\"Hop\"]}";
  rc |= trace_feed_line(tr, hdr, strlen(hdr), err, sizeof err);
  for (int i = 0; i < 3; i++) {
    snprintf(line, sizeof line, "{\"t\":0,\"ev\":\"boot\",\"node\":%d}", i);
    rc |= trace_feed_line(tr, line, strlen(line), err, sizeof err);
  }
  snprintf(line, sizeof line,
           "{\"t\":1,\"ev\":\"send\",\"node\":0,\"to\":2,\"id\":1000000,\"type\":\"Slow\"}");
  rc |= trace_feed_line(tr, line, strlen(line), err, sizeof err);
  for (size_t i = 0; i < rounds; i++) {
    int a = (int)(i % 3), b = (int)((i + 1) % 3);
    uint64_t t = 10 + i * 10;
    snprintf(line, sizeof line,
             "{\"t\":%llu,\"ev\":\"send\",\"node\":%d,\"to\":%d,\"id\":%zu,\"type\":\"Hop\","
             "\"body\":\"i=%zu\"}",
             (unsigned long long)t, a, b, i, i);
    rc |= trace_feed_line(tr, line, strlen(line), err, sizeof err);
    snprintf(line, sizeof line,
             "{\"t\":%llu,\"ev\":\"state\",\"node\":%d,\"key\":\"count\",\"value\":\"%zu\"}",
             (unsigned long long)t + 1, a, i);
    rc |= trace_feed_line(tr, line, strlen(line), err, sizeof err);
    snprintf(line, sizeof line,
             "{\"t\":%llu,\"ev\":\"recv\",\"node\":%d,\"from\":%d,\"id\":%zu,\"type\":\"Hop\"}",
             (unsigned long long)t + 5, b, a, i);
    rc |= trace_feed_line(tr, line, strlen(line), err, sizeof err);
  }
  snprintf(line, sizeof line,
           "{\"t\":%llu,\"ev\":\"recv\",\"node\":2,\"from\":0,\"id\":1000000,\"type\":\"Slow\"}",
           (unsigned long long)(20 + rounds * 10));
  rc |= trace_feed_line(tr, line, strlen(line), err, sizeof err);
  if (rc) tap_diag("generated trace: %s", err);
  return tr;
}

/* ---------------------------------------------------------------------------------------------
 * Geometry.
 */
static void geometry(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 34)) return;
  viz_geometry(&f.m, &f.v, &f.g);
  tap_ok(!f.g.too_small, "120x34 is big enough");
  tap_is_int(f.g.lanes, 3, "one lane per node");
  tap_ok(f.g.lane_x[0] >= f.g.diag_x0 && f.g.lane_x[2] < f.g.diag_x1, "lanes inside the diagram");
  tap_is_int(f.g.lane_x[1] - f.g.lane_x[0], f.g.lane_x[2] - f.g.lane_x[1], "lanes evenly spaced");
  tap_ok(f.g.panel_x > f.g.lane_x[2], "the state panel is right of the lanes");
  tap_is_int(f.g.diag_y0 + f.g.diag_h, f.g.detail_y,
             "the diagram ends where the detail panel starts");
  tap_is_int(f.g.status_y, 33, "the status line is the last row");
  f.v.width = 59;
  viz_geometry(&f.m, &f.v, &f.g);
  tap_ok(f.g.too_small, "59 columns is too small");
  teardown(&f);
}

/* ---------------------------------------------------------------------------------------------
 * The diagram of the small trace.
 */
static void lanes_and_arrows(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 40)) return;
  draw(&f);
  /* The lane header names every node above its lane. */
  for (int n = 0; n < 3; n++) {
    char name[16];
    snprintf(name, sizeof name, "n%d", n);
    tap_ok(
        ch_at(&f, f.g.lane_x[n], 1) == (uint32_t)name[1] || ch_at(&f, f.g.lane_x[n] - 1, 1) == 'n',
        "%s is named above its lane", name);
  }
  /* Event 5: n0 sends Ping id 1 to n1; event 7: n1 receives it. */
  int ys = row_of(&f, 5), yr = row_of(&f, 7);
  tap_ok(ys < yr, "the receive is drawn below the send (time flows down)");
  tap_is_int(ch_at(&f, f.g.lane_x[0], ys), 0x25CF, "a dot on n0's lane at the send");
  tap_is_int(ch_at(&f, f.g.lane_x[0] + 1, ys), 0x2500, "the arrow leaves n0 to the right");
  tap_ok(row_has(&f, ys, "Ping"), "the arrow is labelled Ping on the send's row");
  tap_is_int(ch_at(&f, f.g.lane_x[1] - 1, yr), 0x25B6, "an arrowhead just left of n1's lane");
  tap_is_int(ch_at(&f, f.g.lane_x[1], yr), 0x25CF, "a dot on n1's lane at the receive");
  const viz_cell *c = viz_canvas_at(&f.c, f.g.lane_x[1] - 1, yr);
  tap_is_int(c->color, VIZ_C_RED + f.tr->events[5].mtype % 6, "coloured by the message type");
  /* Event 8: n1's Pong goes back left to n0 (event 10). */
  int yp = row_of(&f, 10);
  tap_is_int(ch_at(&f, f.g.lane_x[0] + 1, yp), 0x25C0, "a left arrowhead right of n0 for the Pong");
  /* Event 9: the Ping to n2 was lost: a cross, and no arrowhead at n2. */
  int yd = row_of(&f, 9);
  bool cross = false;
  for (int x = f.g.lane_x[0]; x < f.g.lane_x[2]; x++) cross |= ch_at(&f, x, yd) == 0x2715;
  tap_ok(cross, "the lost message ends in a cross");
  tap_ok(ch_at(&f, f.g.lane_x[2] - 1, yd) != 0x25B6, "and never reaches n2");
  /* n2 crashes (event 12) and restarts (event 22): its lane is dotted in between. */
  int yc = row_of(&f, 12), yrs = row_of(&f, 22);
  tap_is_int(ch_at(&f, f.g.lane_x[2], yc), 0x2716, "a heavy cross marks the crash");
  tap_is_int(ch_at(&f, f.g.lane_x[2], yc + 2), 0x250A, "the crashed lane is dotted");
  tap_is_int(ch_at(&f, f.g.lane_x[2], yrs - 1), 0x250A, "until the restart");
  tap_is_int(ch_at(&f, f.g.lane_x[2], row_of(&f, 27)), 0x2502, "and solid again after it");
  tap_ok(row_has(&f, row_of(&f, 25), "block link n0 -> n1"),
         "a blocked link gets a row of its own");
  tap_ok(find_row(&f, "partition {n0 n1} | {n2}") >= 0, "the partition is shown with its groups");
  tap_ok(row_has(&f, row_of(&f, 17), "retry"), "a timer is labelled with its name");
  tap_ok(row_has(&f, row_of(&f, 3), "role=pinger"), "a state change is labelled key=value");
  tap_ok(find_row(&f, "!! at-most-once") >= 0, "the violation is shown");
  if (!tap_ok(find_row(&f, "Selected event") >= 0, "the detail panel is drawn")) dump(&f);
  teardown(&f);
}

static void state_panel_and_in_flight(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 40)) return;
  /* Step to event 8 (n1 sends the Pong): Ping 2 and Pong 3 are in flight. */
  f.v.cursor = 8;
  draw(&f);
  tap_ok(find_row(&f, "In flight: 2") >= 0, "two messages in flight at event 8");
  tap_ok(find_row(&f, "Pong n1>n0 #3") >= 0, "the Pong is listed");
  tap_ok(find_row(&f, "Ping n0>n2 #2") >= 0, "the lost Ping is listed (not lost yet)");
  int ys = row_of(&f, 6);
  tap_is_int(ch_at(&f, f.g.lane_x[0] + 1, ys), 0x2501, "an in-flight arrow uses heavy lines");
  tap_is_int(ch_at(&f, f.g.lane_x[0] + 1, row_of(&f, 5)), 0x2500, "a delivered one light lines");
  tap_ok(find_row(&f, "role=pinger") > 0 && find_row(&f, "role=ponger") > 0,
         "each node's annotations in the state panel");
  tap_ok(find_row(&f, "acked=1") == -1 || find_row(&f, "acked=1") == row_of(&f, 11),
         "acked=1 not in the panel yet (only on its own row)");
  tap_ok(row_has(&f, f.g.detail_y + 1, "send n1 -> n0  Pong id 3"),
         "the detail panel shows the selected send");
  tap_ok(row_has(&f, f.g.detail_y + 2, "body: seq=1"), "with its body");
  tap_ok(row_has(&f, f.g.detail_y + 3, "vc: [2,3,0]"), "and its vector clock");
  /* Step on past the Pong's delivery and the annotation. */
  f.v.cursor = 11;
  draw(&f);
  tap_ok(find_row(&f, "In flight: 0") >= 0, "nothing in flight at event 11");
  int y = find_row(&f, "acked=1");
  bool in_panel = false;
  char buf[4096];
  for (int yy = 1; yy < f.g.detail_y; yy++) {
    viz_canvas_row(&f.c, yy, buf, sizeof buf);
    /* The panel starts at panel_x: look at the text right of it. */
    const viz_cell *cell = viz_canvas_at(&f.c, f.g.panel_x + 3, yy);
    if (cell && cell->ch == 'a' && strstr(buf, "acked=1")) in_panel = true;
  }
  tap_ok(y >= 0 && in_panel, "acked=1 appears in the state panel after stepping");
  /* Step to event 13 (the partition): n2 is down and partitioned. */
  f.v.cursor = 13;
  draw(&f);
  tap_ok(find_row(&f, "n2  (down)") >= 0, "the crashed node is marked down in the panel");
  tap_ok(find_row(&f, "partition: n0,n1|n2") >= 0, "the partition is in the panel");
  tap_ok(row_has(&f, 1, "n0:A") && row_has(&f, 1, "n2:B"), "lane names carry their group");
  teardown(&f);
}

/* ---------------------------------------------------------------------------------------------
 * Modes: ASCII, no colour, too small, overlays, scaled time, filters.
 */
static void ascii_and_no_color(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 40)) return;
  f.v.ascii = true;
  f.v.color = false;
  f.v.cursor = 8;
  draw(&f);
  int wide = 0, colored = 0;
  for (int i = 0; i < f.c.w * f.c.h; i++) {
    wide += f.c.cells[i].ch >= 0x80;
    colored += f.c.cells[i].color != VIZ_C_DEFAULT;
  }
  tap_is_int(wide, 0, "ASCII mode draws no character outside ASCII");
  tap_is_int(colored, 0, "NO_COLOR: no cell has a colour");
  tap_is_int(ch_at(&f, f.g.lane_x[1] - 1, row_of(&f, 7)), '>', "arrowheads are > in ASCII");
  tap_ok(row_has(&f, row_of(&f, 5), "o--Ping"), "an arrow reads o--Ping in ASCII");
  tap_ok(row_has(&f, row_of(&f, 6), "o===="), "in flight still stands out (=) without colour");
  teardown(&f);
}

static void too_small(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 50, 10)) return;
  draw(&f);
  tap_ok(find_row(&f, "Terminal too small: 50x10, need 60x16.") >= 0, "says it is too small");
  tap_ok(find_row(&f, "press q to quit") >= 0, "and how to get out");
  f.v.width = 60;
  f.v.height = 16;
  draw(&f);
  tap_ok(find_row(&f, "too small") == -1, "60x16 draws the viewer");
  tap_ok(row_has(&f, 0, "dsviz"), "with its title");
  teardown(&f);
}

static void overlays(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 40)) return;
  f.v.show_help = true;
  draw(&f);
  for (int i = 0; viz_help_lines[i]; i++)
    tap_ok(find_row(&f, viz_help_lines[i]) >= 0, "help lists: %.30s", viz_help_lines[i]);
  const char *keys[] = {"space", "right", "left", "down",  "up", "+ / -", "Home",  "End",
                        "g ",    "n / N", "/ ",   "Enter", "?",  "q",     "mouse", "t "};
  for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
    bool found = false;
    for (int i = 0; viz_help_lines[i]; i++) found |= strstr(viz_help_lines[i], keys[k]) != NULL;
    tap_ok(found, "the help mentions the key \"%s\"", keys[k]);
  }
  f.v.show_help = false;
  f.v.show_detail = true;
  f.v.cursor = 19;
  draw(&f);
  tap_ok(find_row(&f, "Event details") >= 0, "Enter opens the detail box");
  tap_ok(find_row(&f, "-> delivered at 4.5ms on n1") >= 0, "which lists the first delivery");
  tap_ok(find_row(&f, "-> delivered at 4.6ms on n1") >= 0, "and the duplicate");
  f.v.show_detail = false;
  f.v.prompt = "go to time:";
  strcpy(f.v.input, "3ms");
  draw(&f);
  tap_ok(row_has(&f, f.g.status_y, "go to time: 3ms_"), "a prompt shows on the status line");
  teardown(&f);
}

static void scaled_time(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 40)) return;
  f.v.scaled = true;
  f.v.us_per_row = 100;
  f.v.t_top = 0;
  f.v.follow_cursor = false;
  draw(&f);
  tap_is_int(viz_event_y(&f.m, &f.v, &f.g, 5), 12, "t=1200us is row 12 at 100us a row");
  tap_is_int(viz_event_y(&f.m, &f.v, &f.g, 7), 16, "t=1650us is row 16");
  tap_is_int(ch_at(&f, f.g.lane_x[1] - 1, f.g.diag_y0 + 16), 0x25B6, "the arrow ends at row 16");
  tap_ok(viz_default_us_per_row(&f.m) == 200 || viz_default_us_per_row(&f.m) == 500 ||
             viz_default_us_per_row(&f.m) == 100,
         "the default time per row is a round number near the mean gap (%llu)",
         (unsigned long long)viz_default_us_per_row(&f.m));
  /* Following the cursor scrolls time. */
  f.v.follow_cursor = true;
  f.v.cursor = 30; /* t = 9ms */
  draw(&f);
  long y = viz_event_y(&f.m, &f.v, &f.g, f.m.rows[30]);
  tap_ok(y >= 0 && y < f.g.diag_h, "the cursor's event is on screen after scrolling (row %ld)", y);
  teardown(&f);
}

static void filters(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 40)) return;
  viz_filter flt;
  char err[200];
  tap_is_int(viz_filter_parse(f.tr, "n2", &flt, err, sizeof err), 0, "n2 is a node");
  tap_is_int(flt.node, 2, "filter on node 2");
  viz_model_set_filter(&f.m, flt);
  bool ok = true;
  for (size_t r = 0; r < f.m.nrows; r++) {
    const trace_event *e = &f.tr->events[f.m.rows[r]];
    ok &= e->node == 2 || e->peer == 2 || e->node < 0;
  }
  tap_ok(ok && f.m.nrows > 0, "only n2's events (and global ones) are shown: %zu", f.m.nrows);
  tap_is_int(viz_filter_parse(f.tr, "Pong", &flt, err, sizeof err), 0, "Pong is a type");
  viz_model_set_filter(&f.m, flt);
  tap_is_int((int64_t)f.m.nrows, 2, "one Pong sent, one received");
  tap_is_int(viz_filter_parse(f.tr, "crash", &flt, err, sizeof err), 0, "crash is a kind");
  viz_model_set_filter(&f.m, flt);
  tap_is_int((int64_t)f.m.nrows, 1, "one crash");
  tap_is_int(viz_filter_parse(f.tr, "zebra", &flt, err, sizeof err), -1, "zebra is nothing");
  tap_is_str(err, "no node, message type, timer or event kind is called \"zebra\"", "and says so");
  tap_is_int(viz_filter_parse(f.tr, "", &flt, err, sizeof err), 0, "empty clears");
  viz_model_set_filter(&f.m, flt);
  tap_is_int((int64_t)f.m.nrows, 31, "all events again");
  teardown(&f);
}

static void mouse_hits(void *arg) {
  (void)arg;
  fixture f;
  if (!setup(&f, SMALL, 120, 40)) return;
  draw(&f);
  size_t row;
  int node;
  tap_ok(viz_hit(&f.m, &f.v, f.g.lane_x[1], 1, &row, &node), "a click on n1's name hits");
  tap_is_int(node, 1, "and selects n1");
  tap_ok(viz_hit(&f.m, &f.v, f.g.lane_x[0] + 2, row_of(&f, 5), &row, &node),
         "a click on a row hits");
  tap_is_int((int64_t)row, 5, "and selects that row's event");
  tap_ok(!viz_hit(&f.m, &f.v, f.g.panel_x + 2, 5, &row, &node), "the state panel selects nothing");
  teardown(&f);
}

/* ---------------------------------------------------------------------------------------------
 * Scale: scrolling, long arrows, rewinding, live growth.
 */
static void scrolling_and_long_arrows(void *arg) {
  (void)arg;
  trace_data *tr = generated(3000);
  if (!tap_ok(tr != NULL, "generated trace")) return;
  fixture f;
  memset(&f, 0, sizeof f);
  f.tr = tr;
  viz_model_init(&f.m, tr);
  viz_view_init(&f.v, 100, 30);
  f.v.cursor = 4000;
  draw(&f);
  long y = viz_event_y(&f.m, &f.v, &f.g, f.m.rows[4000]);
  tap_ok(y >= 0 && y < f.g.diag_h, "the cursor is scrolled into view (row %ld)", y);
  tap_ok(f.v.top > 3900 && f.v.top <= 4000, "the view starts near the cursor (top %zu)", f.v.top);
  /* The Slow message (sent at event 3, received at the last) crosses the whole screen: on every
   * row some cell between n0 and n2 belongs to an arrow. */
  int rows_with_line = 0;
  for (int yy = f.g.diag_y0; yy < f.g.diag_y0 + f.g.diag_h; yy++) {
    bool any = false;
    for (int x = f.g.lane_x[0] + 1; x < f.g.lane_x[2]; x++) {
      uint32_t ch = ch_at(&f, x, yy);
      any |= ch == 0x2501 || ch == 0x2503 || ch == 0x2513 || ch == 0x2517; /* heavy: in flight */
    }
    rows_with_line += any;
  }
  tap_is_int(rows_with_line, f.g.diag_h,
             "a message sent long ago and arriving later crosses every row, heavy (in flight)");
  /* Scrolling without moving the cursor. */
  f.v.follow_cursor = false;
  f.v.top = 10;
  draw(&f);
  tap_is_int((int64_t)f.v.top, 10, "the view can scroll away from the cursor");
  teardown(&f);
}

static void rewind_matches_replay(void *arg) {
  (void)arg;
  trace_data *tr = generated(5000); /* 15004 events: four checkpoints */
  if (!tap_ok(tr != NULL, "generated trace")) return;
  viz_model m;
  viz_model_init(&m, tr);
  tap_ok(m.ncps >= 3, "checkpoints taken (%zu)", m.ncps);
  /* Replay from scratch, comparing with viz_state_at at many points, going backwards. */
  viz_state fresh;
  memset(&fresh, 0, sizeof fresh);
  for (int i = 0; i < VIZ_MAX_NODES; i++) fresh.group[i] = -1;
  size_t probes[] = {0, 1, 4095, 4096, 4097, 9000, 12288, 15004};
  int bad = 0;
  size_t at = 0;
  for (size_t p = 0; p < sizeof probes / sizeof *probes; p++) {
    while (at < probes[p]) viz_state_apply(tr, &fresh, &tr->events[at++]);
    viz_state s;
    viz_state_at(&m, probes[p], &s);
    if (memcmp(&s, &fresh, sizeof s) != 0) {
      bad++;
      tap_diag("state after %zu events differs", probes[p]);
    }
  }
  tap_is_int(bad, 0, "the state from a checkpoint equals a replay from the start");
  viz_state s;
  viz_state_at(&m, 100, &s);
  tap_is_str(trace_text(tr, s.value[0][0]), "30", "n0's count after 100 events");
  viz_model_free(&m);
  trace_data_free(tr);
}

static void live_growth(void *arg) {
  (void)arg;
  /* Feed a trace line by line into one model (as dsviz - does) and compare with a fresh one. */
  trace_data *full = generated(2000);
  if (!tap_ok(full != NULL, "generated trace")) return;
  trace_data *tr = trace_data_new("live");
  viz_model m;
  viz_model_init(&m, tr);
  char err[256];
  const char *hdr =
      "{\"causeway\":1,\"nodes\":[\"n0\",\"n1\",\"n2\"],\"types\":[\"Slow\",\"Hop\"]}";
  trace_feed_line(tr, hdr, strlen(hdr), err, sizeof err);
  viz_model_sync(&m);
  tap_is_int((int64_t)m.nrows, 0, "no rows before any event");
  /* Re-feed the same events in batches of 7 lines, syncing after each batch. */
  char line[256];
  size_t synced = 0;
  for (size_t i = 0; i < full->count; i++) {
    const trace_event *e = &full->events[i];
    switch (e->kind) {
      case TRACE_BOOT:
        snprintf(line, sizeof line, "{\"t\":%llu,\"ev\":\"boot\",\"node\":%d}",
                 (unsigned long long)e->t, e->node);
        break;
      case TRACE_SEND:
        snprintf(line, sizeof line,
                 "{\"t\":%llu,\"ev\":\"send\",\"node\":%d,\"to\":%d,\"id\":%llu,\"type\":\"%s\"}",
                 (unsigned long long)e->t, e->node, e->peer, (unsigned long long)e->id,
                 trace_text(full, e->name));
        break;
      case TRACE_RECV:
        snprintf(line, sizeof line,
                 "{\"t\":%llu,\"ev\":\"recv\",\"node\":%d,\"from\":%d,\"id\":%llu,\"type\":\"%s\"}",
                 (unsigned long long)e->t, e->node, e->peer, (unsigned long long)e->id,
                 trace_text(full, e->name));
        break;
      default:
        snprintf(line, sizeof line,
                 "{\"t\":%llu,\"ev\":\"state\",\"node\":%d,\"key\":\"%s\",\"value\":\"%s\"}",
                 (unsigned long long)e->t, e->node, trace_text(full, e->name),
                 trace_text(full, e->text));
        break;
    }
    if (trace_feed_line(tr, line, strlen(line), err, sizeof err) != 0) {
      tap_ok(false, "re-feed: %s", err);
      break;
    }
    if (i % 7 == 6) synced += viz_model_sync(&m);
  }
  synced += viz_model_sync(&m);
  tap_is_int((int64_t)synced, (int64_t)full->count, "every event taken in by sync");
  viz_model fresh;
  viz_model_init(&fresh, tr);
  tap_is_int((int64_t)m.nrows, (int64_t)fresh.nrows, "same rows as a model built at once");
  tap_is_int((int64_t)m.ncps, (int64_t)fresh.ncps, "same checkpoints");
  tap_ok(memcmp(m.rows, fresh.rows, m.nrows * sizeof *m.rows) == 0, "rows identical");
  tap_ok(m.ncps == fresh.ncps && memcmp(m.cps, fresh.cps, m.ncps * sizeof *m.cps) == 0,
         "checkpoints identical");
  viz_model_free(&fresh);
  viz_model_free(&m);
  trace_data_free(tr);
  trace_data_free(full);
}

static void wide_text(void *arg) {
  (void)arg;
  const char *lines[] = {
      "{\"causeway\":1,\"nodes\":[\"a\",\"b\"]}",
      "{\"t\":0,\"ev\":\"boot\",\"node\":0}",
      "{\"t\":1,\"ev\":\"note\",\"node\":0,\"text\":\"\\u65e5\\u672c ok\"}",
  };
  trace_data *tr = from_lines(lines, 3);
  if (!tap_ok(tr != NULL, "trace with a wide-character note")) return;
  fixture f;
  memset(&f, 0, sizeof f);
  f.tr = tr;
  viz_model_init(&f.m, tr);
  viz_view_init(&f.v, 100, 20);
  draw(&f);
  int y = row_of(&f, 1), x = f.g.lane_x[0] + 2;
  tap_is_int(ch_at(&f, x, y), 0x65E5, "the first wide character");
  tap_is_int(ch_at(&f, x + 1, y), 0, "takes two cells");
  tap_is_int(ch_at(&f, x + 2, y), 0x672C, "then the second");
  tap_is_int(ch_at(&f, x + 5, y), 'o', "and the ASCII after them");
  teardown(&f);
}

static void parse_time(void *arg) {
  (void)arg;
  uint64_t t = 0;
  tap_ok(viz_parse_time("1.5s", &t) == 0 && t == 1500000, "1.5s");
  tap_ok(viz_parse_time("200ms", &t) == 0 && t == 200000, "200ms");
  tap_ok(viz_parse_time("40us", &t) == 0 && t == 40, "40us");
  tap_ok(viz_parse_time("17", &t) == 0 && t == 17, "a bare number is microseconds");
  tap_is_int(viz_parse_time("abc", &t), -1, "abc is not a time");
  tap_is_int(viz_parse_time("-3s", &t), -1, "no negative times");
  tap_is_int(viz_parse_time("3 days", &t), -1, "unknown unit");
}

int main(void) {
  tap_case("geometry: lanes, panels, minimum size", geometry, NULL);
  tap_case("lanes, arrows, labels, drop cross, crashed lane", lanes_and_arrows, NULL);
  tap_case("state panel and in-flight messages while stepping", state_panel_and_in_flight, NULL);
  tap_case("ASCII fallback and NO_COLOR", ascii_and_no_color, NULL);
  tap_case("too small a screen", too_small, NULL);
  tap_case("help overlay, detail box, prompt", overlays, NULL);
  tap_case("scaled time axis", scaled_time, NULL);
  tap_case("filters by node, type and kind", filters, NULL);
  tap_case("mouse hit testing", mouse_hits, NULL);
  tap_case("scrolling and a message crossing the screen", scrolling_and_long_arrows, NULL);
  tap_case("rewinding from checkpoints equals replay", rewind_matches_replay, NULL);
  tap_case("live growth equals loading at once", live_growth, NULL);
  tap_case("wide characters take two cells", wide_text, NULL);
  tap_case("parsing typed times", parse_time, NULL);
  return tap_done();
}
