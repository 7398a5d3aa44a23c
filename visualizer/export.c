/*
 * export.c: the `dsviz export` command: its options, the choice of events (time window, nodes,
 * the size limit), and rendering a view's graph through gvc. The views themselves are built in
 * export_spacetime.c, export_states.c and export_snapshot.c; the text formats are in
 * export_text.c. See export.h for the command line and the formats.
 *
 * Graphviz reports problems through its own error channel; we keep its messages in a buffer
 * (agseterrf) and show only errors, in one line, so the command's output stays quiet.
 */
#include "export.h"
#include "mem.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gvc.h>

/* ---------------------------------------------------------------------------------------- */
/* Small helpers shared by the export files. */

char *export_one_line(const char *text, size_t max_chars, bool gv, char *buf, size_t cap) {
  size_t n = 0;
  if (cap == 0) return buf;
  if (text == NULL) text = "";
  size_t room = cap - 1;
  if (max_chars > 0 && max_chars < room) room = max_chars;
  bool cut = false;
  for (const char *p = text; *p; p++) {
    unsigned char c = (unsigned char)*p;
    size_t need = (gv && c == '\\') ? 2 : 1;
    if (n + need > room) {
      cut = true;
      break;
    }
    if (c < 0x20 || c == 0x7f) c = ' ';
    if (gv && c == '\\') buf[n++] = '\\';
    buf[n++] = (char)c;
  }
  if (cut) {
    /* Back off to leave room for "..." and not to split a UTF-8 sequence. */
    while (n > 0 && n + 3 > room) n--;
    while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80) n--;
    if (n + 3 <= cap - 1) {
      memcpy(buf + n, "...", 3);
      n += 3;
    }
  }
  buf[n] = '\0';
  return buf;
}

/* ---------------------------------------------------------------------------------------------
 * A deterministic ID discipline (export_open_graph). Named objects get even IDs 2, 4, 6, ... in the
 * order their names are first seen; anonymous ones (edges) get odd IDs from a counter, as in
 * cgraph's default. Names are found again through a hash table (a 10,000-event spacetime export
 * makes as many nodes).
 */
typedef struct seq_ids {
  Agraph_t *root; /* names are the graph's shared strings (agstrdup): the DOT writer checks
                     a name's string header to tell HTML labels from plain ones */
  char **names;   /* names[i] has ID 2 * (i + 1) */
  size_t count, cap;
  uint32_t *slots; /* hash table of name indexes + 1 (0: empty), size slot_cap (a power of 2) */
  size_t slot_cap;
  IDTYPE next_anonymous;
} seq_ids;

static uint64_t name_hash(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void seq_rehash(seq_ids *s) {
  size_t cap = s->slot_cap ? s->slot_cap * 2 : 64;
  uint32_t *slots = mem_calloc(cap, sizeof *slots, "dsviz export");
  for (size_t i = 0; i < s->count; i++) {
    size_t j = name_hash(s->names[i]) & (cap - 1);
    while (slots[j]) j = (j + 1) & (cap - 1);
    slots[j] = (uint32_t)(i + 1);
  }
  free(s->slots);
  s->slots = slots;
  s->slot_cap = cap;
}

static void *seq_open(Agraph_t *g, Agdisc_t *disc) {
  (void)disc;
  seq_ids *s = mem_calloc(1, sizeof *s, "dsviz export");
  s->root = g;
  s->next_anonymous = 1;
  return s;
}

static long seq_map(void *state, int objtype, char *str, IDTYPE *id, int createflag) {
  (void)objtype;
  seq_ids *s = state;
  if (!str) {
    *id = s->next_anonymous;
    s->next_anonymous += 2;
    return 1;
  }
  if (s->slot_cap) {
    for (size_t j = name_hash(str) & (s->slot_cap - 1); s->slots[j];
         j = (j + 1) & (s->slot_cap - 1)) {
      if (strcmp(s->names[s->slots[j] - 1], str) == 0) {
        *id = (IDTYPE)s->slots[j] * 2;
        return 1;
      }
    }
  }
  if (!createflag) return 0;
  if (s->count == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->names = mem_realloc(s->names, s->cap * sizeof *s->names, "dsviz export");
  }
  s->names[s->count++] = agstrdup(s->root, str);
  if (s->count * 2 > s->slot_cap) {
    seq_rehash(s);
  } else {
    size_t j = name_hash(str) & (s->slot_cap - 1);
    while (s->slots[j]) j = (j + 1) & (s->slot_cap - 1);
    s->slots[j] = (uint32_t)s->count;
  }
  *id = (IDTYPE)s->count * 2;
  return 1;
}

static long seq_alloc(void *state, int objtype, IDTYPE request) {
  (void)state;
  (void)objtype;
  (void)request;
  return 0; /* callers may not choose IDs */
}

static void seq_free(void *state, int objtype, IDTYPE id) {
  (void)state;
  (void)objtype;
  (void)id; /* names live until the graph is closed */
}

static char *seq_print(void *state, int objtype, IDTYPE id) {
  (void)objtype;
  seq_ids *s = state;
  if (id % 2 == 0 && id / 2 >= 1 && id / 2 <= s->count) return s->names[id / 2 - 1];
  return NULL;
}

static void seq_close(void *state) {
  seq_ids *s = state; /* the names go with the graph's string table */
  free(s->names);
  free(s->slots);
  free(s);
}

static void seq_register(void *state, int objtype, void *obj) {
  (void)state;
  (void)objtype;
  (void)obj;
}

static Agiddisc_t seq_id_disc = {seq_open,  seq_map,   seq_alloc,   seq_free,
                                 seq_print, seq_close, seq_register};

Agraph_t *export_open_graph(const char *name) {
  static Agdisc_t disc;
  disc.mem = &AgMemDisc;
  disc.id = &seq_id_disc;
  disc.io = &AgIoDisc;
  return agopen((char *)name, Agdirected, &disc);
}

void export_set(void *obj, const char *name, const char *value) {
  agsafeset(obj, (char *)name, (char *)value, "");
}

void export_setf(void *obj, const char *name, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  export_set(obj, name, buf);
}

void export_opts_default(export_opts *o) {
  memset(o, 0, sizeof *o);
  o->view = EXPORT_SPACETIME;
  o->format = EXPORT_SVG;
  o->from = 0;
  o->to = UINT64_MAX;
  o->limit = EXPORT_LIMIT;
}

int export_parse_time(const char *s, uint64_t *out) {
  /* Digits, an optional fraction, an optional unit (us, ms, s). Exact: no floating point. */
  const char *p = s;
  uint64_t whole = 0, frac = 0, frac_scale = 1;
  int digits = 0;
  if (s == NULL) return -1;
  while (*p >= '0' && *p <= '9') {
    if (whole > (UINT64_MAX - 9) / 10) return -1;
    whole = whole * 10 + (uint64_t)(*p++ - '0');
    digits++;
  }
  if (*p == '.') {
    p++;
    while (*p >= '0' && *p <= '9') {
      if (frac_scale < 1000000) {
        frac = frac * 10 + (uint64_t)(*p - '0');
        frac_scale *= 10;
      }
      p++;
      digits++;
    }
  }
  if (digits == 0) return -1;
  uint64_t unit;
  if (*p == '\0' || strcmp(p, "us") == 0)
    unit = 1;
  else if (strcmp(p, "ms") == 0)
    unit = 1000;
  else if (strcmp(p, "s") == 0)
    unit = 1000000;
  else
    return -1;
  if (whole > UINT64_MAX / unit) return -1;
  /* The fraction in microseconds, truncated below 1us. */
  *out = whole * unit + frac * unit / frac_scale;
  return 0;
}

bool export_lane_kept(const trace_data *tr, const export_opts *o, int n) {
  if (n < 0 || n >= tr->node_count) return false;
  return !o->some_nodes || o->node_on[n];
}

/* Does event e concern a node opts keeps? Events with no node (partition, heal, net, ...)
 * are kept; a message drop belongs to its intended receiver, as in the trace. */
static bool node_kept(const export_opts *o, const trace_event *e) {
  if (!o->some_nodes) return true;
  if (e->kind == TRACE_INVOKE || e->kind == TRACE_OK || e->kind == TRACE_FAIL ||
      e->kind == TRACE_INFO)
    return false; /* client operations are not on a node lane */
  if (e->node < 0) return true;
  return o->node_on[e->node];
}

int export_select(const trace_data *tr, const export_opts *o, bool apply_limit, export_sel *sel,
                  char *err, size_t cap) {
  memset(sel, 0, sizeof *sel);
  size_t want = (apply_limit && o->limit > 0) ? o->limit : SIZE_MAX;
  size_t capn = tr->count < want ? tr->count : want;
  sel->ev = malloc((capn ? capn : 1) * sizeof *sel->ev);
  if (sel->ev == NULL) abort();
  for (size_t i = 0; i < tr->count; i++) {
    const trace_event *e = &tr->events[i];
    if (e->t < o->from) continue;
    if (e->t > o->to) break; /* events are in time order */
    if (e->kind == TRACE_END) continue;
    if (!node_kept(o, e)) continue;
    sel->matched++;
    if (sel->count < want) sel->ev[sel->count++] = (uint32_t)i;
  }
  sel->cut = sel->matched > sel->count;
  if (sel->count == 0) {
    char a[32], b[32];
    trace_format_time(o->from, a, sizeof a);
    if (o->to == UINT64_MAX)
      snprintf(b, sizeof b, "the end");
    else
      trace_format_time(o->to, b, sizeof b);
    snprintf(err, cap, "no events between %s and %s%s in %s", a, b,
             o->some_nodes ? " on the chosen nodes" : "", tr->file);
    export_sel_free(sel);
    return -1;
  }
  return 0;
}

void export_sel_free(export_sel *sel) {
  free(sel->ev);
  memset(sel, 0, sizeof *sel);
}

/* ---------------------------------------------------------------------------------------- */
/* Rendering through gvc. */

static char gv_error[512]; /* the first error graphviz reported during the current render */

static int gv_collect(char *msg) {
  if (gv_error[0] == '\0') {
    export_one_line(msg, sizeof gv_error - 1, false, gv_error, sizeof gv_error);
    /* Trim the trailing blanks its messages end with. */
    size_t n = strlen(gv_error);
    while (n > 0 && gv_error[n - 1] == ' ') gv_error[--n] = '\0';
  }
  return 0;
}

/* One gvc context for the whole process. Graphviz 2.43's pango plugin keeps a pointer into a
 * font-name cache that gvFreeContext frees, so a second context in the same process reads
 * freed memory (AddressSanitizer shows it); we make the context once and free it at exit. */
static GVC_t *the_gvc;

static void free_gvc(void) {
  if (the_gvc) gvFreeContext(the_gvc);
  the_gvc = NULL;
}

static GVC_t *gvc_get(void) {
  if (the_gvc == NULL) {
    the_gvc = gvContext();
    atexit(free_gvc);
  }
  return the_gvc;
}

int export_render(Agraph_t *g, export_format f, FILE *out, char *err, size_t cap) {
  const char *fmt = f == EXPORT_DOT   ? "dot"
                    : f == EXPORT_SVG ? "svg"
                    : f == EXPORT_PNG ? "png"
                                      : NULL;
  if (fmt == NULL) {
    snprintf(err, cap, "format is not a graph format");
    return -1;
  }
  char *engine = agget(g, "layout");
  if (engine == NULL || engine[0] == '\0') engine = "dot";
  gv_error[0] = '\0';
  agseterr(AGERR);
  agusererrf old = agseterrf(gv_collect);
  GVC_t *gvc = gvc_get();
  /* A PNG is a bitmap, and cairo's cannot be larger than 32767 pixels a side: bound the
   * drawing to PNG_MAX_INCHES (at 96 dpi) so that graphviz scales a larger one down itself
   * instead of complaining, and say so. */
  enum { PNG_MAX_INCHES = 340 };
  const char *size = agget(g, "size");
  bool bounded = f == EXPORT_PNG && (size == NULL || size[0] == '\0');
  if (bounded) export_setf(g, "size", "%d,%d", PNG_MAX_INCHES, PNG_MAX_INCHES);
  int rc = gvLayout(gvc, g, engine);
  if (rc == 0 && f == EXPORT_PNG) {
    double w = GD_bb(g).UR.x - GD_bb(g).LL.x, h = GD_bb(g).UR.y - GD_bb(g).LL.y;
    double big = (w > h ? w : h) / 72.0;
    if (big > PNG_MAX_INCHES)
      fprintf(stderr,
              "dsviz export: warning: the drawing is %.0f inches long, more than a PNG holds; "
              "it is scaled down by %.2f (cut it with --from/--to, or export SVG)\n",
              big, PNG_MAX_INCHES / big);
  }
  if (rc != 0) {
    snprintf(err, cap, "graphviz could not lay out the graph with %s: %s", engine,
             gv_error[0] ? gv_error : "unknown error");
  } else {
    rc = gvRender(gvc, g, fmt, out);
    if (rc != 0)
      snprintf(err, cap, "graphviz could not render %s: %s", fmt,
               gv_error[0] ? gv_error : "unknown error");
    else if (fflush(out) != 0 || ferror(out)) {
      snprintf(err, cap, "cannot write the output: %s", strerror(errno));
      rc = -1;
    }
    gvFreeLayout(gvc, g);
  }
  if (bounded) export_set(g, "size", "");
  agseterrf(old);
  return rc == 0 ? 0 : -1;
}

/* Graphviz keeps caches it never frees: its plugin configuration (our one context), fontconfig's
 * and pango's font tables from text layout. Under LeakSanitizer (the san build of dsviz and of
 * the tests/viz-* programs, which link this file) leaks allocated inside those libraries are
 * ignored; a leak of our own allocations, or of a cgraph graph left open, is still reported.
 * The names are the sanitizer's hooks, so they cannot follow the module_verb rule. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
  return "leak:libgvc.so\nleak:libgvplugin_\nleak:libfontconfig.so\nleak:libpango\n"
         "leak:libcairo.so\nleak:libglib-2.0.so\nleak:libgobject-2.0.so\nleak:libexpat.so\n"
         "leak:libharfbuzz.so\nleak:libfreetype.so\n";
}

/* And do not list the suppressions used at exit (noise on stderr). */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }

/* ---------------------------------------------------------------------------------------- */
/* The command. */

static const char usage_line[] =
    "usage: dsviz export TRACE [--view spacetime|states|snapshot] "
    "[--format dot|svg|png|shiviz|mermaid] [-o FILE] [--from T] [--to T] [--nodes 0,2] "
    "[--key K] [--merged] [--snapshot ID] [--limit N] [--bench]";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "dsviz export: %s (dsviz export --help for usage)\n", msg);
  return 2;
}

static int parse_view(const char *s, export_view *v) {
  if (strcmp(s, "spacetime") == 0)
    *v = EXPORT_SPACETIME;
  else if (strcmp(s, "states") == 0)
    *v = EXPORT_STATES;
  else if (strcmp(s, "snapshot") == 0)
    *v = EXPORT_SNAPSHOT;
  else
    return -1;
  return 0;
}

static int parse_format(const char *s, export_format *f) {
  if (strcmp(s, "dot") == 0 || strcmp(s, "gv") == 0)
    *f = EXPORT_DOT;
  else if (strcmp(s, "svg") == 0)
    *f = EXPORT_SVG;
  else if (strcmp(s, "png") == 0)
    *f = EXPORT_PNG;
  else if (strcmp(s, "shiviz") == 0 || strcmp(s, "log") == 0)
    *f = EXPORT_SHIVIZ;
  else if (strcmp(s, "mermaid") == 0 || strcmp(s, "md") == 0)
    *f = EXPORT_MERMAID;
  else
    return -1;
  return 0;
}

/* --nodes LIST: node indexes or names, separated by commas. Needs the trace's node names, so
 * it is resolved after the trace is read. */
static int parse_nodes(const trace_data *tr, const char *list, export_opts *o, char *err,
                       size_t cap) {
  char buf[4096];
  if (strlen(list) >= sizeof buf) {
    snprintf(err, cap, "--nodes list too long");
    return -1;
  }
  strcpy(buf, list);
  o->some_nodes = true;
  memset(o->node_on, 0, sizeof o->node_on);
  int kept = 0;
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    int idx = -1;
    for (int i = 0; i < tr->node_count; i++)
      if (strcmp(tr->nodes[i], tok) == 0) idx = i;
    if (idx < 0) {
      char *end;
      long v = strtol(tok, &end, 10);
      if (*tok != '\0' && *end == '\0' && v >= 0 && v < tr->node_count) idx = (int)v;
    }
    if (idx < 0) {
      snprintf(err, cap, "--nodes: no node \"%s\" in %s (it has %d nodes, n0..n%d)", tok, tr->file,
               tr->node_count, tr->node_count - 1);
      return -1;
    }
    o->node_on[idx] = true;
    kept++;
  }
  if (kept == 0) {
    snprintf(err, cap, "--nodes: the list is empty");
    return -1;
  }
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void print_help(void) {
  printf("%s\n\n", usage_line);
  printf(
      "  --view V      spacetime (default): lanes, messages, drops, crashes, partitions\n"
      "                states: per-node state diagram of one annotation key (--key K, --merged)\n"
      "                snapshot: a recorded global state of lab 04 (--snapshot ID)\n"
      "  --format F    dot, svg, png (graphviz); shiviz, mermaid (text, spacetime only);\n"
      "                default: from the extension of -o, else svg\n"
      "  -o FILE       output file (default: standard output)\n"
      "  --from T, --to T   keep events with from <= t <= to (500ms, 2s, 40us, 1.5s)\n"
      "  --nodes LIST  keep these nodes' events (indexes or names: 0,2 or n0,n2)\n"
      "  --limit N     keep at most N events in spacetime/shiviz/mermaid (default %d, 0: all)\n"
      "  --bench       print the time each step took to stderr\n"
      "ShiViz: paste the output, with the parser RegExp (?<event>.*)\\n(?<host>\\S*) "
      "(?<clock>{.*})\n",
      EXPORT_LIMIT);
}

int export_main(int argc, char **argv) {
  export_opts o;
  export_opts_default(&o);
  const char *trace_path = NULL, *out_path = NULL, *nodes = NULL;
  bool have_format = false, have_from = false, have_to = false, bench = false;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = NULL;
    char name[32] = "";
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      print_help();
      return 0;
    }
    if (strcmp(a, "--merged") == 0) {
      o.merged = true;
      continue;
    }
    if (strcmp(a, "--bench") == 0) {
      bench = true;
      continue;
    }
    if (a[0] == '-' && a[1] != '\0') {
      /* An option with a value: "--name value", "--name=value" or "-o value". */
      const char *eq = strchr(a, '=');
      size_t len = eq ? (size_t)(eq - a) : strlen(a);
      if (len >= sizeof name) return usage_error("unknown option %s", a);
      memcpy(name, a, len);
      name[len] = '\0';
      static const char *const known[] = {"--view", "--format", "-o",    "--output",   "--from",
                                          "--to",   "--nodes",  "--key", "--snapshot", "--limit"};
      bool ok = false;
      for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        if (strcmp(name, known[k]) == 0) ok = true;
      if (!ok) return usage_error("unknown option %s", a);
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else
        return usage_error("%s needs a value", name);
    } else {
      if (trace_path != NULL)
        return usage_error("more than one trace given (%s, %s)", trace_path, a);
      trace_path = a;
      continue;
    }
    if (strcmp(name, "--view") == 0) {
      if (parse_view(val, &o.view) != 0)
        return usage_error("unknown view \"%s\" (spacetime, states or snapshot)", val);
    } else if (strcmp(name, "--format") == 0) {
      if (parse_format(val, &o.format) != 0)
        return usage_error("unknown format \"%s\" (dot, svg, png, shiviz or mermaid)", val);
      have_format = true;
    } else if (strcmp(name, "-o") == 0 || strcmp(name, "--output") == 0) {
      out_path = val;
    } else if (strcmp(name, "--from") == 0) {
      if (export_parse_time(val, &o.from) != 0)
        return usage_error("--from: \"%s\" is not a time (like 500ms, 2s, 40us)", val);
      have_from = true;
    } else if (strcmp(name, "--to") == 0) {
      if (export_parse_time(val, &o.to) != 0)
        return usage_error("--to: \"%s\" is not a time (like 500ms, 2s, 40us)", val);
      have_to = true;
    } else if (strcmp(name, "--nodes") == 0) {
      nodes = val;
    } else if (strcmp(name, "--key") == 0) {
      o.key = val;
    } else if (strcmp(name, "--snapshot") == 0) {
      o.snapshot = val;
    } else if (strcmp(name, "--limit") == 0) {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(val, &end, 10);
      if (*val == '\0' || *end != '\0' || *val == '-' || errno != 0)
        return usage_error("--limit: \"%s\" is not a number of events", val);
      o.limit = (size_t)v;
    }
  }
  if (trace_path == NULL) return usage_error("no trace file given");
  if (!have_format && out_path != NULL) {
    const char *dot = strrchr(out_path, '.');
    if (dot != NULL && parse_format(dot + 1, &o.format) == 0) have_format = true;
  }
  if (have_from && have_to && o.from > o.to) {
    char a[32], b[32];
    return usage_error("empty time range: --from %s is after --to %s",
                       trace_format_time(o.from, a, sizeof a),
                       trace_format_time(o.to, b, sizeof b));
  }
  if ((o.format == EXPORT_SHIVIZ || o.format == EXPORT_MERMAID) && o.view != EXPORT_SPACETIME)
    return usage_error("the %s format shows the spacetime view only, not --view %s",
                       o.format == EXPORT_SHIVIZ ? "shiviz" : "mermaid",
                       o.view == EXPORT_STATES ? "states" : "snapshot");

  /* Read the trace. */
  char err[512];
  double t0 = now_ms();
  trace_data *tr = NULL;
  if (trace_read_file(trace_path, &tr, err, sizeof err) != 0) {
    fprintf(stderr, "dsviz export: %s\n", err);
    return 2;
  }
  double t_read = now_ms();
  if (nodes != NULL && parse_nodes(tr, nodes, &o, err, sizeof err) != 0) {
    trace_data_free(tr);
    return usage_error("%s", err);
  }

  /* Choose the events. */
  export_sel sel;
  bool limited = o.view == EXPORT_SPACETIME;
  if (export_select(tr, &o, limited, &sel, err, sizeof err) != 0) {
    fprintf(stderr, "dsviz export: %s\n", err);
    trace_data_free(tr);
    return 2;
  }
  if (sel.cut) {
    char last[32];
    trace_format_time(tr->events[sel.ev[sel.count - 1]].t, last, sizeof last);
    fprintf(stderr,
            "dsviz export: warning: %zu events selected, exporting only the first %zu (up to "
            "t=%s); narrow with --from/--to/--nodes, or raise --limit\n",
            sel.matched, sel.count, last);
  }

  /* Build the graph (or go straight to a text format). */
  Agraph_t *g = NULL;
  if (o.format == EXPORT_SHIVIZ || o.format == EXPORT_MERMAID) {
    /* no graph */
  } else if (o.view == EXPORT_SPACETIME) {
    g = export_spacetime_graph(tr, &o, &sel);
  } else if (o.view == EXPORT_STATES) {
    g = export_states_graph(tr, &o, &sel, err, sizeof err);
  } else {
    g = export_snapshot_graph(tr, &o, &sel, err, sizeof err);
  }
  if (g == NULL && o.format != EXPORT_SHIVIZ && o.format != EXPORT_MERMAID) {
    fprintf(stderr, "dsviz export: %s\n", err);
    export_sel_free(&sel);
    trace_data_free(tr);
    return 2;
  }
  double t_built = now_ms();

  /* Open the output only now, so a bad trace never truncates an existing file. */
  FILE *out = stdout;
  if (out_path != NULL && strcmp(out_path, "-") != 0) {
    out = fopen(out_path, o.format == EXPORT_PNG ? "wb" : "w");
    if (out == NULL) {
      fprintf(stderr, "dsviz export: cannot write %s: %s\n", out_path, strerror(errno));
      if (g) agclose(g);
      export_sel_free(&sel);
      trace_data_free(tr);
      return 2;
    }
  }
  int status = 0;
  if (o.format == EXPORT_SHIVIZ || o.format == EXPORT_MERMAID) {
    int rc = o.format == EXPORT_SHIVIZ ? export_shiviz(tr, &sel, out)
                                       : export_mermaid(tr, &o, &sel, out);
    if (rc != 0 || fflush(out) != 0) {
      fprintf(stderr, "dsviz export: cannot write %s: %s\n",
              out_path ? out_path : "standard output", strerror(errno));
      status = 2;
    }
  } else if (export_render(g, o.format, out, err, sizeof err) != 0) {
    fprintf(stderr, "dsviz export: %s\n", err);
    status = 1;
  }
  if (out != stdout && fclose(out) != 0 && status == 0) {
    fprintf(stderr, "dsviz export: cannot write %s: %s\n", out_path, strerror(errno));
    status = 2;
  }
  double t_done = now_ms();
  if (bench) {
    fprintf(stderr,
            "dsviz export: bench: %zu events read in %.1f ms; %zu kept; graph built in %.1f ms; "
            "written in %.1f ms; total %.1f ms\n",
            tr->count, t_read - t0, sel.count, t_built - t_read, t_done - t_built, t_done - t0);
  }
  if (g) agclose(g);
  export_sel_free(&sel);
  trace_data_free(tr);
  return status;
}
