/*
 * dsviz.c: the terminal viewer's program: arguments, the ncurses screen, keys, mouse, playback
 * and live reading. Everything it shows is drawn by layout.c into a canvas first; this file
 * only copies the canvas to the terminal and turns keys into changes of the view.
 *
 *   dsviz TRACE            open a trace file (a summary instead when stdout is not a terminal)
 *   dsviz -                read a trace from standard input while a driver writes it
 *   dsviz --summary TRACE  the text summary (summary.c)
 *   dsviz --bench [TRACE]  load time, memory per event, frame times (for make bench); without
 *                          a trace, a synthetic one of a million events
 *   dsviz export ...       the exporters (export.c), when they are linked in
 *
 * Environment: NO_COLOR (any value) turns colours off; DSVIZ_ASCII=1 draws with ASCII only,
 * as does a locale that is not UTF-8. Exit status: 0, or 2 for bad usage or a bad trace.
 *
 * Live mode: the trace arrives on standard input, so keys are read from /dev/tty. The loop
 * waits (poll) on both; new bytes go through trace_feed, then viz_model_sync adds their rows and
 * checkpoints. The viewer keeps everything it has seen, so stepping back stays instant. The
 * cursor starts on the first event; End jumps to the newest and keeps following new ones
 * until the cursor is moved again. Playing (space) waits at the end for more events.
 */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <ncurses.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/trace_read.h"
#include "layout.h"
#include "model.h"
#include "summary.h"

/* `dsviz export ...` (visualizer/export.c; argv[0] is "export"). Declared weak so that the
 * viewer still links and runs in a build without the exporters. */
int export_main(int argc, char **argv) __attribute__((weak));

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: dsviz TRACE           view a trace (JSON Lines) in the terminal\n"
          "       dsviz -               view a trace as it is written to standard input\n"
          "       dsviz --summary TRACE print a text summary (also when stdout is not a terminal)\n"
          "       dsviz --bench [TRACE] time loading and drawing (default: a synthetic 1M events)\n"
          "       dsviz export ...      export diagrams (when built with the exporters)\n"
          "environment: NO_COLOR turns colours off; DSVIZ_ASCII=1 draws with ASCII only\n"
          "keys:\n");
  for (int i = 0; viz_help_lines[i]; i++) fprintf(out, "  %s\n", viz_help_lines[i]);
}

/* ---------------------------------------------------------------------------------------------
 * Copying the canvas to the terminal.
 */
static bool use_color;

static void setup_colors(void) {
  if (!use_color || !has_colors()) {
    use_color = false;
    return;
  }
  start_color();
  use_default_colors();
  static const short fg[VIZ_COLORS] = {-1,         COLOR_RED,     COLOR_GREEN, COLOR_YELLOW,
                                       COLOR_BLUE, COLOR_MAGENTA, COLOR_CYAN,  COLOR_WHITE};
  for (short i = 1; i < VIZ_COLORS; i++) {
    short c = fg[i];
    if (i == VIZ_C_GREY && COLORS >= 16) c = 8; /* bright black: grey */
    init_pair(i, c, -1);
  }
}

static void blit(const viz_canvas *c) {
  for (int y = 0; y < c->h; y++) {
    for (int x = 0; x < c->w; x++) {
      const viz_cell *cell = &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
      if (cell->ch == 0) continue;
      attr_t a = 0;
      if (cell->attr & VIZ_A_BOLD) a |= A_BOLD;
      if (cell->attr & VIZ_A_DIM) a |= A_DIM;
      if (cell->attr & VIZ_A_REVERSE) a |= A_REVERSE;
      if (cell->attr & VIZ_A_UNDERLINE) a |= A_UNDERLINE;
      short pair = use_color ? (short)cell->color : 0;
      if (cell->color == VIZ_C_GREY && (!use_color || COLORS < 16)) a |= A_DIM;
      wchar_t wc[2] = {(wchar_t)cell->ch, 0};
      cchar_t cc;
      setcchar(&cc, wc, a, pair, NULL);
      mvadd_wch(y, x, &cc);
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * The interactive viewer.
 */
static const int speeds[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
enum { NSPEEDS = sizeof speeds / sizeof *speeds };

typedef struct viewer {
  trace_data *tr;
  viz_model m;
  viz_view v;
  viz_canvas c;
  int live_fd; /* live mode: the trace stream, -1 otherwise */
  bool quit;
  double next_tick; /* playing: when to advance next */
} viewer;

static void set_cursor(viewer *w, size_t row) {
  if (w->m.nrows == 0) return;
  if (row >= w->m.nrows) row = w->m.nrows - 1;
  w->v.cursor = row;
  w->v.follow_cursor = true;
  w->v.follow_end = false;
}

static void jump_node_event(viewer *w, int dir) {
  const trace_data *tr = w->tr;
  if (w->m.nrows == 0) return;
  int node = w->v.sel_node;
  if (node < 0) node = tr->events[w->m.rows[w->v.cursor]].node;
  if (node < 0) {
    snprintf(w->v.message, sizeof w->v.message, "select a node first (click its name)");
    return;
  }
  w->v.sel_node = node;
  for (size_t r = w->v.cursor;;) {
    if (dir > 0 ? r + 1 >= w->m.nrows : r == 0) break;
    r = dir > 0 ? r + 1 : r - 1;
    if (tr->events[w->m.rows[r]].node == node) {
      set_cursor(w, r);
      return;
    }
  }
  snprintf(w->v.message, sizeof w->v.message, "no %s event of %s", dir > 0 ? "later" : "earlier",
           tr->nodes[node]);
}

static void finish_prompt(viewer *w) {
  viz_view *v = &w->v;
  const char *p = v->prompt;
  v->prompt = NULL;
  if (p[0] == 'g') { /* "go to time:" */
    uint64_t t;
    if (viz_parse_time(v->input, &t) != 0) {
      snprintf(v->message, sizeof v->message, "not a time: \"%s\" (try 1.5s, 200ms, 40us)",
               v->input);
      return;
    }
    if (w->m.nrows == 0) return;
    size_t r = viz_row_at_time(&w->m, t);
    set_cursor(w, r);
    if (v->scaled) v->t_top = t;
  } else { /* "filter:" */
    viz_filter f;
    char err[200];
    if (viz_filter_parse(w->tr, v->input, &f, err, sizeof err) != 0) {
      snprintf(v->message, sizeof v->message, "%s", err);
      return;
    }
    size_t ev = w->m.nrows ? w->m.rows[v->cursor] : 0;
    viz_model_set_filter(&w->m, f);
    v->cursor = 0;
    v->top = 0;
    set_cursor(w, viz_row_at_or_after(&w->m, ev));
    char d[80];
    viz_filter_describe(w->tr, &f, d, sizeof d);
    snprintf(v->message, sizeof v->message, "showing %s (%zu events)", d, w->m.nrows);
  }
}

static void handle_key(viewer *w, int ch) {
  viz_view *v = &w->v;
  viz_geom g;
  viz_geometry(&w->m, v, &g);
  if (v->prompt) {
    size_t n = strlen(v->input);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
      finish_prompt(w);
    else if (ch == 27)
      v->prompt = NULL;
    else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
      v->input[n - 1] = '\0';
    else if (ch >= 32 && ch < 127 && n + 1 < sizeof v->input)
      v->input[n] = (char)ch, v->input[n + 1] = '\0';
    return;
  }
  v->message[0] = '\0';
  if (v->show_help) { /* any key closes the help (q still quits) */
    v->show_help = false;
    if (ch != 'q') return;
  }
  size_t page = g.diag_h > 2 ? (size_t)g.diag_h - 2 : 1;
  uint64_t upr = v->us_per_row ? v->us_per_row : viz_default_us_per_row(&w->m);
  switch (ch) {
    case 'q':
      w->quit = true;
      break;
    case 27:
      v->show_detail = false;
      break;
    case '?':
      v->show_help = true;
      break;
    case '\n':
    case '\r':
    case KEY_ENTER:
      v->show_detail = !v->show_detail;
      break;
    case ' ':
      v->playing = !v->playing;
      w->next_tick = now_sec();
      if (v->playing && v->cursor + 1 >= w->m.nrows && !v->live) set_cursor(w, 0);
      break;
    case KEY_RIGHT:
    case 'l':
      set_cursor(w, v->cursor + 1);
      break;
    case KEY_LEFT:
    case 'h':
      if (v->cursor > 0) set_cursor(w, v->cursor - 1);
      break;
    case KEY_HOME:
      set_cursor(w, 0);
      break;
    case KEY_END:
      set_cursor(w, w->m.nrows ? w->m.nrows - 1 : 0);
      v->follow_end = v->live && !v->input_done; /* live: keep following new events */
      break;
    case KEY_DOWN:
    case 'j':
    case KEY_NPAGE:
    case KEY_UP:
    case 'k':
    case KEY_PPAGE: {
      size_t amount = (ch == KEY_NPAGE || ch == KEY_PPAGE) ? page : 1;
      bool down = ch == KEY_DOWN || ch == 'j' || ch == KEY_NPAGE;
      v->follow_cursor = false;
      if (!v->scaled) {
        if (down)
          v->top =
              v->top + amount < w->m.nrows ? v->top + amount : (w->m.nrows ? w->m.nrows - 1 : 0);
        else
          v->top = v->top > amount ? v->top - amount : 0;
      } else {
        if (down)
          v->t_top += amount * upr;
        else
          v->t_top = v->t_top > amount * upr ? v->t_top - amount * upr : 0;
      }
      break;
    }
    case '+':
    case '=': {
      int i = 0;
      while (i < NSPEEDS - 1 && speeds[i] <= v->speed) i++;
      v->speed = speeds[i];
      snprintf(v->message, sizeof v->message, "speed %d events/s", v->speed);
      break;
    }
    case '-':
    case '_': {
      int i = NSPEEDS - 1;
      while (i > 0 && speeds[i] >= v->speed) i--;
      v->speed = speeds[i];
      snprintf(v->message, sizeof v->message, "speed %d events/s", v->speed);
      break;
    }
    case 't':
      v->scaled = !v->scaled;
      v->follow_cursor = true;
      if (v->scaled && w->m.nrows) {
        uint64_t u = v->us_per_row ? v->us_per_row : viz_default_us_per_row(&w->m);
        uint64_t t = w->tr->events[w->m.rows[v->cursor]].t, half = (uint64_t)(g.diag_h / 2) * u;
        v->t_top = t > half ? t - half : 0;
      }
      snprintf(v->message, sizeof v->message,
               v->scaled ? "time axis scaled to virtual time (< > zoom)" : "one row per event");
      break;
    case '<':
    case '>':
      if (!v->scaled) {
        snprintf(v->message, sizeof v->message, "zoom works with scaled time: press t first");
        break;
      }
      v->us_per_row = ch == '<' ? (upr > 1 ? upr / 2 : 1) : upr * 2;
      v->follow_cursor = true;
      snprintf(v->message, sizeof v->message, "%llu us per row", (unsigned long long)v->us_per_row);
      break;
    case 'g':
      v->prompt = "go to time:";
      v->input[0] = '\0';
      break;
    case '/':
      v->prompt = "filter (node, type or kind; empty shows all):";
      v->input[0] = '\0';
      break;
    case 'n':
      jump_node_event(w, 1);
      break;
    case 'N':
      jump_node_event(w, -1);
      break;
    case KEY_MOUSE: {
      MEVENT me;
      if (getmouse(&me) != OK) break;
      size_t row;
      int node;
      if (viz_hit(&w->m, v, me.x, me.y, &row, &node)) {
        if (node >= 0) v->sel_node = node;
        if (row != SIZE_MAX) set_cursor(w, row);
      }
      break;
    }
    case KEY_RESIZE:
      break;
    default:
      break;
  }
}

/* Live mode: read what has arrived (a bounded amount, so keys stay responsive). */
static void read_live(viewer *w) {
  char buf[1 << 16];
  char err[300];
  for (int rounds = 0; rounds < 64; rounds++) {
    ssize_t n = read(w->live_fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    if (n <= 0) { /* end of the stream (or an error) */
      if (n < 0)
        snprintf(w->v.message, sizeof w->v.message, "reading the trace: %s", strerror(errno));
      else if (trace_finish(w->tr, err, sizeof err) != 0)
        snprintf(w->v.message, sizeof w->v.message, "%s", err);
      else
        snprintf(w->v.message, sizeof w->v.message, "the trace is complete (%zu events)",
                 w->tr->count);
      w->v.input_done = true;
      w->live_fd = -1;
      break;
    }
    if (trace_feed(w->tr, buf, (size_t)n, err, sizeof err) != 0) {
      snprintf(w->v.message, sizeof w->v.message, "%s (stopped reading)", err);
      w->v.input_done = true;
      w->live_fd = -1;
      break;
    }
  }
  viz_model_sync(&w->m);
  if (w->v.follow_end && w->m.nrows) {
    set_cursor(w, w->m.nrows - 1);
    w->v.follow_end = !w->v.input_done;
  }
}

static int run_viewer(trace_data *tr, int live_fd, bool ascii) {
  FILE *tty_in = fopen("/dev/tty", "r");
  if (!tty_in) {
    fprintf(stderr, "dsviz: cannot open the terminal (/dev/tty): %s\n", strerror(errno));
    return 2;
  }
  SCREEN *scr = newterm(NULL, stdout, tty_in);
  if (!scr) {
    fprintf(stderr, "dsviz: cannot start the terminal (TERM=%s)\n",
            getenv("TERM") ? getenv("TERM") : "");
    fclose(tty_in);
    return 2;
  }
  set_term(scr);
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  curs_set(0);
  set_escdelay(25);
  mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
  mouseinterval(0);
  setup_colors();

  static viewer w;
  w.tr = tr;
  w.live_fd = live_fd;
  viz_model_init(&w.m, tr);
  viz_view_init(&w.v, COLS, LINES);
  w.v.ascii = ascii;
  w.v.color = use_color;
  w.v.live = live_fd >= 0;
  if (w.v.live && live_fd >= 0) fcntl(live_fd, F_SETFL, fcntl(live_fd, F_GETFL) | O_NONBLOCK);

  while (!w.quit && !stop_requested) {
    w.v.width = COLS;
    w.v.height = LINES;
    viz_render(&w.c, &w.m, &w.v);
    erase();
    blit(&w.c);
    refresh();

    /* Wait for a key, live input, or the next playback tick. */
    struct pollfd fds[2] = {{fileno(tty_in), POLLIN, 0}, {w.live_fd, POLLIN, 0}};
    int nfds = w.live_fd >= 0 ? 2 : 1, timeout = -1;
    if (w.v.playing) {
      double wait = w.next_tick - now_sec();
      timeout = wait > 0 ? (int)(wait * 1000) + 1 : 0;
    }
    int rc = poll(fds, (nfds_t)nfds, timeout);
    if (rc < 0 && errno != EINTR) break;
    int ch;
    while ((ch = getch()) != ERR) handle_key(&w, ch);
    if (nfds == 2 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) read_live(&w);
    if (w.v.playing && now_sec() >= w.next_tick) {
      double interval = 1.0 / w.v.speed;
      size_t step = 1;
      if (interval < 0.02) step = (size_t)(0.02 / interval), interval = 0.02;
      w.next_tick = now_sec() + interval;
      if (w.m.nrows && w.v.cursor + 1 < w.m.nrows) {
        set_cursor(&w, w.v.cursor + step);
      } else if (!w.v.live || w.v.input_done) {
        w.v.playing = false;
        snprintf(w.v.message, sizeof w.v.message, "end of the trace");
      }
    }
  }
  endwin();
  delscreen(scr);
  fclose(tty_in);
  viz_canvas_free(&w.c);
  viz_model_free(&w.m);
  return 0;
}

/* ---------------------------------------------------------------------------------------------
 * --bench: load time, memory, and frame times (layout into a canvas, and ncurses output to
 * /dev/null through a virtual terminal of 200x60).
 */

/* A synthetic trace for --bench without a file: `events` events in trace.c's format (five
 * nodes, three message types, 5% loss, a state change every tenth message), fed to the reader
 * a megabyte at a time. Returns the trace and sets *parse_sec to the time spent reading only. */
static trace_data *synthetic_trace(size_t events, double *parse_sec) {
  static const char *const types[] = {"AppendEntries", "AppendReply", "RequestVote"};
  trace_data *tr = trace_data_new("<synthetic>");
  size_t cap = 1 << 20, len = 0;
  char *buf = malloc(cap + 1024), err[300];
  if (!buf) abort();
  uint64_t x = 88172645463325252ULL, t = 0, id = 0;
  uint32_t vc[5] = {0};
  size_t made = 0;
  *parse_sec = 0;
  len += (size_t)snprintf(
      buf, 1024,
      "{\"causeway\":1,\"lab\":\"bench\",\"scenario\":\"synthetic\",\"seed\":1,"
      "\"nodes\":[\"n0\",\"n1\",\"n2\",\"n3\",\"n4\"],\"types\":[\"AppendEntries\","
      "\"AppendReply\",\"RequestVote\"],\"timers\":[\"election\"]}\n");
  while (made < events) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int a = (int)(x % 5), b = (a + 1 + (int)((x >> 8) % 4)) % 5;
    const char *ty = types[(x >> 16) % 3];
    t += (x >> 20) % 300;
    id++;
    vc[a]++;
    len += (size_t)snprintf(
        buf + len, 1024,
        "{\"t\":%llu,\"ev\":\"send\",\"node\":%d,\"to\":%d,\"id\":%llu,\"type\":\"%s\","
        "\"body\":\"term=%llu idx=%llu\",\"vc\":[%u,%u,%u,%u,%u]}\n",
        (unsigned long long)t, a, b, (unsigned long long)id, ty, (unsigned long long)(t / 100000),
        (unsigned long long)id, vc[0], vc[1], vc[2], vc[3], vc[4]);
    t += 1 + (x >> 30) % 300;
    if ((x >> 40) % 20 == 0) {
      len += (size_t)snprintf(buf + len, 1024,
                              "{\"t\":%llu,\"ev\":\"drop\",\"node\":%d,\"from\":%d,\"id\":%llu,"
                              "\"type\":\"%s\",\"why\":\"loss\"}\n",
                              (unsigned long long)t, b, a, (unsigned long long)id, ty);
    } else {
      vc[b] = (vc[b] > vc[a] ? vc[b] : vc[a]) + 1;
      len += (size_t)snprintf(
          buf + len, 1024,
          "{\"t\":%llu,\"ev\":\"recv\",\"node\":%d,\"from\":%d,\"id\":%llu,\"type\":\"%s\","
          "\"body\":\"term=%llu idx=%llu\",\"vc\":[%u,%u,%u,%u,%u]}\n",
          (unsigned long long)t, b, a, (unsigned long long)id, ty, (unsigned long long)(t / 100000),
          (unsigned long long)id, vc[0], vc[1], vc[2], vc[3], vc[4]);
    }
    made += 2;
    if ((x >> 48) % 10 == 0) {
      len += (size_t)snprintf(
          buf + len, 1024,
          "{\"t\":%llu,\"ev\":\"state\",\"node\":%d,\"key\":\"term\",\"value\":\"%llu\"}\n",
          (unsigned long long)t, b, (unsigned long long)(t / 100000));
      made++;
    }
    if (len >= cap || made >= events) {
      double a0 = now_sec();
      if (trace_feed(tr, buf, len, err, sizeof err) != 0) {
        fprintf(stderr, "dsviz: synthetic trace: %s\n", err);
        abort();
      }
      *parse_sec += now_sec() - a0;
      len = 0;
    }
  }
  double a0 = now_sec();
  trace_finish(tr, err, sizeof err);
  *parse_sec += now_sec() - a0;
  free(buf);
  return tr;
}

static int run_bench(const char *path) {
  char err[300];
  trace_data *tr;
  double t0 = now_sec(), t_load;
  if (!path) {
    tr = synthetic_trace(1000000, &t_load);
    path = "a synthetic trace of 1000000 events (read from memory)";
  } else {
    if (trace_read_file(path, &tr, err, sizeof err) != 0) {
      fprintf(stderr, "dsviz: %s\n", err);
      return 2;
    }
    t_load = now_sec() - t0;
  }
  if (tr->node_count > VIZ_MAX_NODES) {
    fprintf(stderr, "dsviz: %d nodes; the viewer draws at most %d\n", tr->node_count,
            VIZ_MAX_NODES);
    trace_data_free(tr);
    return 2;
  }
  t0 = now_sec();
  viz_model m;
  viz_model_init(&m, tr);
  double t_model = now_sec() - t0;
  size_t model_bytes = m.rows_cap * sizeof *m.rows + m.cps_cap * sizeof *m.cps;
  printf("dsviz bench: %s\n", path);
  printf("  events           %zu\n", tr->count);
  printf("  load             %.3f s  (%.2f us/event)\n", t_load,
         t_load * 1e6 / (double)(tr->count ? tr->count : 1));
  printf("  model            %.3f s  (rows and checkpoints)\n", t_model);
  printf("  memory           %.1f MB trace + %.1f MB model = %.1f bytes/event\n",
         (double)trace_memory(tr) / 1e6, (double)model_bytes / 1e6,
         (double)(trace_memory(tr) + model_bytes) / (double)(tr->count ? tr->count : 1));

  viz_view v;
  viz_view_init(&v, 200, 60);
  viz_canvas c = {0, 0, NULL};
  enum { FRAMES = 500 };
  for (int mode = 0; mode < 2; mode++) {
    v.scaled = mode == 1;
    double worst = 0, total = 0;
    for (int i = 0; i < FRAMES; i++) {
      v.cursor = m.nrows ? (size_t)((double)i / FRAMES * (double)m.nrows) : 0;
      v.top = v.cursor;
      v.t_top = m.nrows ? tr->events[m.rows[v.cursor]].t : 0;
      double a = now_sec();
      viz_render(&c, &m, &v);
      double d = now_sec() - a;
      total += d;
      if (d > worst) worst = d;
    }
    printf("  frame (%s)  %.3f ms average, %.3f ms worst (layout of 200x60, %d jumps)\n",
           mode ? "scaled " : "compact", total * 1e3 / FRAMES, worst * 1e3, FRAMES);
  }
  /* Stepping back: the state at an event far from a checkpoint. */
  double a = now_sec();
  viz_state s;
  for (int i = 0; i < 1000; i++) viz_state_at(&m, (size_t)(tr->count * (size_t)i / 1000), &s);
  printf("  rewind           %.3f ms per jump to any event (state from a checkpoint)\n",
         (now_sec() - a));
  /* ncurses output of the frame, to /dev/null. */
  FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
  SCREEN *scr = out && in ? newterm("xterm-256color", out, in) : NULL;
  if (scr) {
    set_term(scr);
    resizeterm(60, 200);
    use_color = true;
    setup_colors();
    v.scaled = false;
    double total = 0;
    for (int i = 0; i < 200; i++) {
      v.cursor = m.nrows ? (size_t)((double)i / 200 * (double)m.nrows) : 0;
      double b = now_sec();
      viz_render(&c, &m, &v);
      erase();
      blit(&c);
      refresh();
      total += now_sec() - b;
    }
    endwin();
    delscreen(scr);
    printf("  frame (screen)   %.3f ms average (layout + ncurses output of 200x60)\n",
           total * 1e3 / 200);
  }
  if (out) fclose(out);
  if (in) fclose(in);
  viz_canvas_free(&c);
  viz_model_free(&m);
  trace_data_free(tr);
  return 0;
}

int main(int argc, char **argv) {
  setlocale(LC_ALL, "");
  if (argc >= 2 && strcmp(argv[1], "export") == 0) {
    if (export_main) return export_main(argc - 1, argv + 1);
    fprintf(stderr, "dsviz: this build has no exporters\n");
    return 2;
  }
  bool summary = false, bench = false;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--summary") == 0)
      summary = true;
    else if (strcmp(argv[i], "--bench") == 0)
      bench = true;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "dsviz: unknown option %s (try dsviz --help)\n", argv[i]);
      return 2;
    } else if (path) {
      fprintf(stderr, "dsviz: one trace at a time (got %s and %s)\n", path, argv[i]);
      return 2;
    } else {
      path = argv[i];
    }
  }
  if (bench) return run_bench(path);
  if (!path) {
    fprintf(stderr, "dsviz: which trace? usage: dsviz TRACE, or dsviz - to read standard input\n");
    return 2;
  }

  const char *nc = getenv("NO_COLOR");
  use_color = !(nc && nc[0]);
  const char *as = getenv("DSVIZ_ASCII");
  const char *cs = nl_langinfo(CODESET);
  bool ascii = (as && as[0] && strcmp(as, "0") != 0) || !cs || strcmp(cs, "UTF-8") != 0;
  bool live = strcmp(path, "-") == 0;
  if (!summary && !isatty(STDOUT_FILENO)) summary = true; /* no terminal: print the summary */

  char err[300];
  trace_data *tr = NULL;
  if (summary || !live) {
    if (trace_read_file(path, &tr, err, sizeof err) != 0) {
      fprintf(stderr, "dsviz: %s\n", err);
      return 2;
    }
  } else {
    tr = trace_data_new("<stdin>");
  }
  if (summary) {
    viz_summary(stdout, tr);
    trace_data_free(tr);
    return 0;
  }
  if (tr->node_count > VIZ_MAX_NODES) {
    fprintf(stderr, "dsviz: %d nodes; the viewer draws at most %d (try --summary)\n",
            tr->node_count, VIZ_MAX_NODES);
    trace_data_free(tr);
    return 2;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  int rc = run_viewer(tr, live ? STDIN_FILENO : -1, ascii);
  trace_data_free(tr);
  return rc;
}
