/*
 * viz-export.c: tests of `dsviz export` (visualizer/export.h).
 *
 * Five parts:
 *   1. each view built from a small fixed trace (tests/corpus/export/), inspected through the
 *      cgraph API: node and edge counts, labels, the effect of --from/--to/--nodes cuts;
 *   2. the rendered files are valid: SVG is well-formed XML (a small checker below), PNG has its
 *      signature and an IHDR with a non-zero size, DOT reads back with agread;
 *   3. the ShiViz log round-trips: its clocks parse back to the trace's ground-truth "vc"
 *      arrays, and obey ShiViz's rules (own entry starts at 1 and rises by 1; entries name known
 *      hosts within their event counts), on whole traces and on cuts; the Mermaid text has the
 *      arrows and notes the trace calls for;
 *   4. bad input gives exit status 2 and one line on stderr, through export_main;
 *   5. a 100,000-event run exports, cut at EXPORT_LIMIT with a warning.
 * Run from the top of the repository (prove does), where tests/corpus/ is.
 *
 * `viz-export --make-trace FILE N` writes a synthetic trace of about N events (five nodes
 * gossiping on a ring, with losses and state changes), for timing the exporter by hand or from
 * `make bench`:
 *   build/rel/tests/viz-export --make-trace /tmp/big.jsonl 100000
 *   build/rel/bin/dsviz export /tmp/big.jsonl --bench -o /tmp/big.svg
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../lib/trace_read.h"
#include "../visualizer/export.h"
#include "tap.h"

#define CORPUS "tests/corpus/export/"
#define SMALL CORPUS "small.jsonl"
#define SNAP CORPUS "snapshot.jsonl"

/* ---------------------------------------------------------------------------------------------
 * Helpers.
 */
static trace_data *load(const char *path) {
  trace_data *tr = NULL;
  char err[256];
  if (trace_read_file(path, &tr, err, sizeof err) != 0) {
    tap_diag("cannot load %s: %s", path, err);
    return NULL;
  }
  return tr;
}

/* What a view case works on: a trace, the options of its export, and the events they select. */
typedef struct view_case {
  trace_data *tr;
  export_opts o;  /* the defaults from view_load, then what the case sets */
  export_sel sel; /* filled by select_all or view_graph */
} view_case;

/* Load the trace at `path` into vc, with the default options for the case to adjust before it
 * selects. `loads` names the check that the trace loads. Returns false if it does not. */
static bool view_load(view_case *vc, const char *path, const char *loads) {
  vc->tr = load(path);
  export_opts_default(&vc->o);
  return tap_ok(vc->tr != NULL, "%s", loads);
}

/* Select vc's events with its options (limit applied), or fail the case. */
static bool select_all(view_case *vc) {
  char err[256];
  if (export_select(vc->tr, &vc->o, true, &vc->sel, err, sizeof err) != 0) {
    tap_ok(false, "selection: %s", err);
    return false;
  }
  return true;
}

/* Select all of vc's events (no limit: the states and snapshot views count them all) and build
 * vc->o.view's graph. Returns it (caller closes), or NULL after a failed check (err says why). */
static Agraph_t *view_graph(view_case *vc, char *err, size_t cap) {
  if (export_select(vc->tr, &vc->o, false, &vc->sel, err, cap) != 0) {
    tap_ok(false, "%s", err);
    return NULL;
  }
  bool states = vc->o.view == EXPORT_STATES;
  Agraph_t *g = states ? export_states_graph(vc->tr, &vc->o, &vc->sel, err, cap)
                       : export_snapshot_graph(vc->tr, &vc->o, &vc->sel, err, cap);
  tap_ok(g != NULL, "%s graph (%s)", states ? "states" : "snapshot", g ? "ok" : err);
  return g;
}

/* Free what vc holds (its selection and trace). */
static void view_free(view_case *vc) {
  export_sel_free(&vc->sel);
  trace_data_free(vc->tr);
}

static const char *node_label(Agraph_t *g, const char *name) {
  Agnode_t *n = agnode(g, (char *)name, 0);
  return n ? agget(n, "label") : "(no such node)";
}

/* Number of edges whose label contains `part`. */
static int edges_labelled(Agraph_t *g, const char *part) {
  int count = 0;
  for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
    for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) {
      char *l = agget(e, "label");
      if (l && strstr(l, part)) count++;
    }
  return count;
}

/* The label of the edge from node a to node b ("" if none, "(several)" if more than one). */
static const char *edge_label(Agraph_t *g, const char *a, const char *b) {
  Agnode_t *t = agnode(g, (char *)a, 0), *h = agnode(g, (char *)b, 0);
  if (!t || !h) return "(no such node)";
  const char *found = "";
  int n = 0;
  for (Agedge_t *e = agfstout(g, t); e; e = agnxtout(g, e))
    if (aghead(e) == h) {
      found = agget(e, "label");
      n++;
    }
  return n > 1 ? "(several)" : found;
}

/* Read a whole file; NULL if it cannot. */
static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  size_t cap = 1 << 16, n = 0, k;
  char *buf = malloc(cap + 1);
  while ((k = fread(buf + n, 1, cap - n, fp)) > 0) {
    n += k;
    if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
  }
  fclose(fp);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

static char tmpdir[64];

/* A path in this program's temporary directory. */
static const char *tmp(const char *name) {
  static char buf[4][128];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
  return buf[k];
}

/* Run export_main with the words of the printf-style `fmt` (split at spaces), stderr into a
 * file and stdout thrown away. Returns the exit status; *errtext, when errtext is not NULL, gets
 * what it wrote to stderr (caller frees). */
static int run_export(char **errtext, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run_export(char **errtext, const char *fmt, ...) {
  char buf[1024];
  char *argv[32];
  int argc = 0;
  va_list ap;
  va_start(ap, fmt);
  memcpy(buf, "export ", 7);
  vsnprintf(buf + 7, sizeof buf - 7, fmt, ap);
  va_end(ap);
  char *save = NULL;
  for (char *w = strtok_r(buf, " ", &save); w && argc < 31; w = strtok_r(NULL, " ", &save))
    argv[argc++] = w;
  argv[argc] = NULL;
  /* stderr into a file; stdout (--help) out of the TAP stream. */
  fflush(stderr);
  fflush(stdout);
  int saved = dup(2), saved_out = dup(1);
  FILE *ef = fopen(tmp("stderr.txt"), "w"), *of = fopen("/dev/null", "w");
  dup2(fileno(ef), 2);
  dup2(fileno(of), 1);
  int rc = export_main(argc, argv);
  fflush(stderr);
  fflush(stdout);
  dup2(saved, 2);
  dup2(saved_out, 1);
  close(saved);
  close(saved_out);
  fclose(ef);
  fclose(of);
  char *text = slurp(tmp("stderr.txt"), NULL);
  if (errtext)
    *errtext = text;
  else
    free(text);
  return rc;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

/* ---------------------------------------------------------------------------------------------
 * A small XML well-formedness checker, enough for graphviz's SVG: prolog (declaration,
 * comments, DOCTYPE), nested elements with quoted attributes, text with valid entity
 * references, exactly one root element. Returns NULL if well-formed, else the reason.
 */
static bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':' || c == '-' || c == '.' || (unsigned char)c >= 0x80;
}

/* Check an entity reference at s ("&...;"); returns its length or 0. */
static size_t entity(const char *s) {
  static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
  for (size_t i = 0; i < 5; i++)
    if (strncmp(s, named[i], strlen(named[i])) == 0) return strlen(named[i]);
  if (s[1] == '#') {
    size_t i = 2;
    bool hex = s[2] == 'x';
    if (hex) i++;
    size_t start = i;
    while ((s[i] >= '0' && s[i] <= '9') ||
           (hex && ((s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F'))))
      i++;
    if (i > start && s[i] == ';') return i + 1;
  }
  return 0;
}

/* strstr without the sanitizer's interceptor, which measures the whole haystack on every call
 * (quadratic on a 7 MB SVG with a comment per element). */
static const char *find(const char *p, const char *needle) {
  size_t n = strlen(needle);
  for (; *p; p++)
    if (*p == needle[0] && strncmp(p, needle, n) == 0) return p;
  return NULL;
}

static const char *xml_check(const char *s, char *root, size_t rootcap) {
  char stack[64][64];
  int depth = 0, roots = 0;
  const char *p = s;
  while (*p) {
    if (*p != '<') {
      if (*p == '&') {
        size_t n = entity(p);
        if (n == 0) return "bad entity reference in text";
        p += n;
        continue;
      }
      if (depth == 0 && !(*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        return "text outside the root element";
      p++;
      continue;
    }
    if (strncmp(p, "<?", 2) == 0) {
      const char *e = find(p, "?>");
      if (!e) return "unterminated <?";
      p = e + 2;
    } else if (strncmp(p, "<!--", 4) == 0) {
      const char *e = find(p + 4, "-->");
      if (!e) return "unterminated comment";
      p = e + 3;
    } else if (strncmp(p, "<![CDATA[", 9) == 0) {
      const char *e = find(p, "]]>");
      if (!e) return "unterminated CDATA";
      p = e + 3;
    } else if (strncmp(p, "<!", 2) == 0) {
      if (depth > 0 || roots > 0) return "DOCTYPE inside the document";
      /* Skip to the matching '>' (quoted strings and an internal subset allowed). */
      int brackets = 0;
      char quote = 0;
      for (p += 2; *p; p++) {
        if (quote) {
          if (*p == quote) quote = 0;
        } else if (*p == '"' || *p == '\'') {
          quote = *p;
        } else if (*p == '[') {
          brackets++;
        } else if (*p == ']') {
          brackets--;
        } else if (*p == '>' && brackets == 0) {
          break;
        }
      }
      if (!*p) return "unterminated DOCTYPE";
      p++;
    } else if (p[1] == '/') {
      const char *q = p + 2;
      size_t n = 0;
      while (name_char(q[n])) n++;
      if (n == 0 || depth == 0) return "stray end tag";
      if (strlen(stack[depth - 1]) != n || strncmp(stack[depth - 1], q, n) != 0)
        return "end tag does not match the open element";
      depth--;
      q += n;
      while (*q == ' ' || *q == '\n' || *q == '\t') q++;
      if (*q != '>') return "bad end tag";
      p = q + 1;
    } else {
      const char *q = p + 1;
      size_t n = 0;
      while (name_char(q[n])) n++;
      if (n == 0 || n >= sizeof stack[0]) return "bad element name";
      if (depth == 0) {
        if (++roots > 1) return "more than one root element";
        snprintf(root, rootcap, "%.*s", (int)n, q);
      }
      if (depth == 64) return "nested too deep";
      memcpy(stack[depth], q, n);
      stack[depth][n] = '\0';
      q += n;
      /* Attributes: name="value" or name='value'. */
      for (;;) {
        bool space = false;
        while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r') {
          q++;
          space = true;
        }
        if (*q == '>' || (q[0] == '/' && q[1] == '>')) break;
        if (!space) return "attributes not separated by space";
        size_t an = 0;
        while (name_char(q[an])) an++;
        if (an == 0) return "bad attribute name";
        q += an;
        if (*q != '=') return "attribute without a value";
        q++;
        char quote = *q;
        if (quote != '"' && quote != '\'') return "unquoted attribute value";
        for (q++; *q && *q != quote; q++) {
          if (*q == '<') return "'<' in an attribute value";
          if (*q == '&') {
            size_t en = entity(q);
            if (en == 0) return "bad entity reference in an attribute";
            q += en - 1;
          }
        }
        if (!*q) return "unterminated attribute value";
        q++;
      }
      if (*q == '/') {
        q += 2; /* empty element */
      } else {
        depth++;
        q++;
      }
      p = q;
    }
  }
  if (depth != 0) return "unclosed elements at the end";
  if (roots != 1) return "no root element";
  return NULL;
}

/* Check a PNG file: signature, then an IHDR chunk with width and height > 0. */
static bool png_ok(const char *path, uint32_t *w, uint32_t *h) {
  size_t n;
  unsigned char *b = (unsigned char *)slurp(path, &n);
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  bool ok = b && n >= 33 && memcmp(b, sig, 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0;
  if (ok) {
    *w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
    *h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
    ok = *w > 0 && *h > 0;
  }
  free(b);
  return ok;
}

/* ---------------------------------------------------------------------------------------------
 * Part 1: the views, through cgraph.
 */
static void time_parsing(void *arg) {
  (void)arg;
  uint64_t t = 0;
  tap_ok(export_parse_time("500ms", &t) == 0 && t == 500000, "500ms is 500000us");
  tap_ok(export_parse_time("2s", &t) == 0 && t == 2000000, "2s is 2000000us");
  tap_ok(export_parse_time("40us", &t) == 0 && t == 40, "40us is 40us");
  tap_ok(export_parse_time("1.5s", &t) == 0 && t == 1500000, "1.5s is 1500000us");
  tap_ok(export_parse_time("0.25ms", &t) == 0 && t == 250, "0.25ms is 250us");
  tap_ok(export_parse_time("7", &t) == 0 && t == 7, "a bare number is microseconds");
  const char *bad[] = {"", "ms", "5m", "-1", "1.2.3", "2 s", "1e3", "99999999999999999999s"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    tap_ok(export_parse_time(bad[i], &t) != 0, "\"%s\" is not a time", bad[i]);
}

/* small.jsonl, whole: 27 events (the end event is not drawn) on three lanes.
 * Nodes: 3 headers + 3 tails + 27 events + 13 time labels (13 distinct times) = 46.
 * Edges: lane edges n0 11+1, n1 9+1, n2 5+1 = 28; messages: id1 to its receive and its
 * duplicate, id2 to its X, id3, id4 to its X (partition), id5 in flight to n0's tail = 6. */
static void spacetime_whole(void *arg) {
  (void)arg;
  view_case vc;
  if (!view_load(&vc, SMALL, "small trace loads") || !select_all(&vc)) return;
  tap_is_int((int64_t)vc.sel.count, 27, "27 events selected (end is left out)");
  Agraph_t *g = export_spacetime_graph(vc.tr, &vc.o, &vc.sel);
  tap_is_int(agnnodes(g), 46, "46 graph nodes: 6 lane ends, 27 events, 13 time labels");
  tap_is_int(agnedges(g), 34, "34 edges: 28 lane segments, 6 message edges");
  tap_is_str(agget(g, "layout"), "nop2", "positions are pinned (layout nop2)");
  tap_is_str(node_label(g, "lane:1"), "n1", "lane header n1");
  /* Event 16 (line 18) is n0's crash, event 17 the partition. */
  tap_is_str(node_label(g, "e16"), "crash", "the crash is a box on n0's lane");
  tap_is_str(node_label(g, "e17"), "partition: n0 n1 | n2", "the partition names its groups");
  tap_is_str(node_label(g, "e22"), "heal: the network is whole again", "the heal row");
  tap_is_str(node_label(g, "e12"), "X", "the lost RequestVote ends in an X");
  tap_is_str(edge_label(g, "e8", "e10"), "RequestVote", "send id1 -> its receive on n1");
  tap_is_str(edge_label(g, "e8", "e15"), "RequestVote (dup)", "send id1 -> its duplicate");
  tap_is_str(edge_label(g, "e9", "e12"), "RequestVote (lost)", "send id2 -> X on n2");
  tap_is_str(edge_label(g, "e20", "e21"), "RequestVote (partition)", "send id4 -> X, partition");
  tap_is_str(edge_label(g, "e26", "tail:0"), "Vote (in flight)", "id5 still in flight at the end");
  tap_is_str(edge_label(g, "e11", "e13"), "Vote", "the Vote from n1 reaches n0");
  tap_is_str(node_label(g, "e7"), "role=candidate", "state changes are shown on the lane");
  tap_is_str(node_label(g, "e25"), "odd \"text\"; #1 <b> \\\\ end",
             "a note is one line, its backslash doubled for graphviz");
  agclose(g);
  view_free(&vc);
}

static void spacetime_crashed_span(void *arg) {
  (void)arg;
  view_case vc;
  if (!view_load(&vc, SMALL, "loads") || !select_all(&vc)) return;
  Agraph_t *g = export_spacetime_graph(vc.tr, &vc.o, &vc.sel);
  /* n0's lane: crash (e16) -> restart (e23) is dashed; leader (e14) -> crash (e16) is not. */
  Agedge_t *down = agedge(g, agnode(g, "e16", 0), agnode(g, "e23", 0), NULL, 0);
  Agedge_t *up = agedge(g, agnode(g, "e14", 0), agnode(g, "e16", 0), NULL, 0);
  tap_ok(down && strcmp(agget(down, "style"), "dashed") == 0,
         "the lane is dashed while n0 is down");
  tap_ok(up && strcmp(agget(up, "style"), "dashed") != 0, "and solid before the crash");
  agclose(g);
  view_free(&vc);
}

/* --nodes 0,1: n2's 5 events go; 10 distinct times remain. Nodes 4 + 22 + 10 = 36; edges:
 * lanes 12 + 10, messages id1 x2, id3, id5 (the ones to n2 have no lane to go to) = 26. */
static void spacetime_nodes(void *arg) {
  (void)arg;
  view_case vc;
  if (!view_load(&vc, SMALL, "loads")) return;
  vc.o.some_nodes = true;
  vc.o.node_on[0] = vc.o.node_on[1] = true;
  if (!select_all(&vc)) return;
  tap_is_int((int64_t)vc.sel.count, 22, "22 events on n0, n1 or global");
  Agraph_t *g = export_spacetime_graph(vc.tr, &vc.o, &vc.sel);
  tap_is_int(agnnodes(g), 36, "36 graph nodes");
  tap_is_int(agnedges(g), 26, "26 edges");
  tap_ok(agnode(g, "lane:2", 0) == NULL, "no lane for n2");
  tap_is_int(edges_labelled(g, "(lost)"), 0, "the drop on n2 is not drawn");
  agclose(g);
  view_free(&vc);
}

/* --from 150us --to 450us: 12 events. Nodes 6 + 12 + 7 times = 25; edges: lanes 4 + 7 + 3 =
 * 14; messages: three sent before the cut (from n0's header), id3, id4 = 5. */
static void spacetime_window(void *arg) {
  (void)arg;
  view_case vc;
  if (!view_load(&vc, SMALL, "loads")) return;
  vc.o.from = 150;
  vc.o.to = 450;
  if (!select_all(&vc)) return;
  tap_is_int((int64_t)vc.sel.count, 12, "12 events between 150us and 450us");
  Agraph_t *g = export_spacetime_graph(vc.tr, &vc.o, &vc.sel);
  tap_is_int(agnnodes(g), 25, "25 graph nodes");
  tap_is_int(agnedges(g), 19, "19 edges");
  tap_is_int(edges_labelled(g, "(sent earlier)"), 3, "three messages come from before the cut");
  tap_is_str(edge_label(g, "lane:0", "e12"), "RequestVote (sent earlier)",
             "the lost one starts at n0's header");
  agclose(g);
  export_sel_free(&vc.sel);

  /* A limit cuts the selection and says so. */
  export_opts_default(&vc.o);
  vc.o.limit = 10;
  if (!select_all(&vc)) return;
  tap_ok(vc.sel.cut && vc.sel.count == 10 && vc.sel.matched == 27,
         "limit 10: 10 of 27 kept, cut flagged");
  view_free(&vc);
}

/* States of "role" in small.jsonl, one cluster per node:
 *   n0: start -boot-> follower -timer election-> candidate -recv Vote-> leader -crash-> crashed
 *       -restart-> follower          (5 states, 5 transitions)
 *   n1: start -boot-> follower -timer election-> candidate   (3 states, 2 transitions)
 *   n2: start -boot-> follower                                (2 states, 1 transition) */
static void states_per_node(void *arg) {
  (void)arg;
  view_case vc;
  if (!view_load(&vc, SMALL, "loads")) return;
  vc.o.view = EXPORT_STATES;
  char err[256];
  Agraph_t *g = view_graph(&vc, err, sizeof err);
  if (!g) return;
  tap_is_int(agnnodes(g), 10, "10 states in all (with the start dots and n0's crashed state)");
  tap_is_int(agnedges(g), 8, "8 transitions");
  tap_is_int(edges_labelled(g, "boot x1"), 3, "each node starts by boot");
  tap_is_int(edges_labelled(g, "timer election x1"), 2, "n0 and n1 become candidates on a timer");
  tap_is_int(edges_labelled(g, "recv Vote x1"), 1, "n0 becomes leader on a Vote");
  tap_is_int(edges_labelled(g, "crash x1"), 1, "n0 crashes once");
  tap_is_int(edges_labelled(g, "restart x1"), 1, "and comes back as follower on restart");
  trace_sid follower = trace_find_text(vc.tr, "follower");
  char name[64];
  snprintf(name, sizeof name, "0|%u", (unsigned)follower);
  tap_is_str(node_label(g, name), "follower\\nentered 2x", "n0 entered follower twice");
  int clusters = 0;
  for (Agraph_t *s = agfstsubg(g); s; s = agnxtsubg(s)) clusters++;
  tap_is_int(clusters, 3, "one cluster per node");
  agclose(g);

  /* Merged: counts add up over nodes. */
  vc.o.merged = true;
  g = export_states_graph(vc.tr, &vc.o, &vc.sel, err, sizeof err);
  tap_is_int(agnnodes(g), 5, "merged: start, follower, candidate, leader, crashed");
  tap_is_int(agnedges(g), 5, "merged: 5 transitions");
  tap_is_int(edges_labelled(g, "boot x3"), 1, "merged: boot x3");
  tap_is_int(edges_labelled(g, "timer election x2"), 1, "merged: timer election x2");
  snprintf(name, sizeof name, "-1|%u", (unsigned)follower);
  tap_is_str(node_label(g, name), "follower\\nentered 4x", "merged: follower entered 4 times");
  agclose(g);

  /* An unknown key is an error naming the keys there are. */
  vc.o.key = "term";
  g = export_states_graph(vc.tr, &vc.o, &vc.sel, err, sizeof err);
  tap_ok(g == NULL && strstr(err, "keys: role") != NULL, "unknown key: %s", err);
  view_free(&vc);
}

static void snapshot_view(void *arg) {
  (void)arg;
  view_case vc;
  if (!view_load(&vc, SNAP, "snapshot trace loads")) return;
  vc.o.view = EXPORT_SNAPSHOT;
  char err[256];
  /* Default: the first snapshot, 1. */
  Agraph_t *g = view_graph(&vc, err, sizeof err);
  if (!g) return;
  tap_is_int(agnnodes(g), 3, "three nodes");
  tap_is_int(agnedges(g), 5, "five recorded channels");
  tap_is_str(edge_label(g, "node:1", "node:0"), "[5,7]", "channel n1->n0 held 5 and 7");
  tap_is_str(edge_label(g, "node:0", "node:2"), "[3]", "channel n0->n2 held 3");
  tap_is_str(edge_label(g, "node:0", "node:1"), "[]", "channel n0->n1 was empty");
  tap_is_str(node_label(g, "node:0"), "n0 (initiator)\\nbalance=10", "n0 initiated, recorded 10");
  tap_ok(strstr(node_label(g, "node:1"), "(incomplete)") != NULL, "n1 never wrote done");
  tap_ok(strstr(agget(g, "label"), "balances 60 + in channels 15 = 75") != NULL,
         "the title adds up the money: %s", agget(g, "label"));
  agclose(g);
  /* Snapshot 2: only n1 recorded. */
  vc.o.snapshot = "2";
  g = export_snapshot_graph(vc.tr, &vc.o, &vc.sel, err, sizeof err);
  tap_ok(g != NULL, "snapshot 2");
  if (g) {
    tap_is_int(agnedges(g), 0, "snapshot 2 has no channel recorded");
    tap_ok(strstr(node_label(g, "node:0"), "recorded nothing") != NULL,
           "n0 recorded nothing for 2");
    agclose(g);
  }
  vc.o.snapshot = "9";
  g = export_snapshot_graph(vc.tr, &vc.o, &vc.sel, err, sizeof err);
  tap_ok(g == NULL && strstr(err, "snapshots: 1, 2") != NULL, "unknown snapshot: %s", err);
  view_free(&vc);
}

/* ---------------------------------------------------------------------------------------------
 * Part 2: the files gvc writes.
 */
static void check_svg(const char *path, const char *what) {
  size_t n;
  char *s = slurp(path, &n);
  if (!tap_ok(s != NULL && n > 0, "%s: %s was written", what, path)) return;
  char root[64] = "";
  const char *why = xml_check(s, root, sizeof root);
  tap_ok(why == NULL, "%s: the SVG is well-formed XML (%s)", what, why ? why : "ok");
  tap_is_str(root, "svg", "%s: its root element is svg", what);
  free(s);
}

static void rendered_files(void *arg) {
  (void)arg;
  const char *views[][2] = {{"spacetime", SMALL}, {"states", SMALL}, {"snapshot", SNAP}};
  for (size_t i = 0; i < 3; i++) {
    const char *view = views[i][0], *trace = views[i][1];
    char *err = NULL;
    int rc = run_export(&err, "%s --view %s -o %s", trace, view, tmp("v.svg"));
    tap_is_int(rc, 0, "%s to SVG exits 0 (%s)", view, err ? err : "");
    free(err);
    check_svg(tmp("v.svg"), view);
    rc = run_export(NULL, "%s --view %s --format png -o %s", trace, view, tmp("v.out"));
    tap_is_int(rc, 0, "%s to PNG exits 0", view);
    uint32_t w = 0, h = 0;
    tap_ok(png_ok(tmp("v.out"), &w, &h), "%s: PNG signature and IHDR %ux%u", view, w, h);
    rc = run_export(NULL, "%s --view %s -o %s", trace, view, tmp("v.dot"));
    tap_is_int(rc, 0, "%s to DOT exits 0", view);
    FILE *fp = fopen(tmp("v.dot"), "r");
    Agraph_t *g = fp ? agread(fp, NULL) : NULL;
    tap_ok(g != NULL && agnnodes(g) > 0, "%s: the DOT reads back with agread (%d nodes)", view,
           g ? agnnodes(g) : 0);
    if (g) agclose(g);
    if (fp) fclose(fp);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Part 3: the text formats.
 */

/* The first event of tr at or after index `next` that the ShiViz log shows (a node's event, not
 * a partition, with a vector clock), or tr->count if there is none. */
static size_t next_clocked(const trace_data *tr, size_t next) {
  while (next < tr->count &&
         (tr->events[next].node < 0 || tr->events[next].kind == TRACE_PARTITION ||
          trace_vc(tr, &tr->events[next]) == NULL))
    next++;
  return next;
}

/* Parse a ShiViz log (two lines an event) and check it against ShiViz's rules and, when
 * `exact`, against the ground-truth clocks of the trace's events that carry one, in order
 * (`whole`: every one of them is in the log, not just a prefix). Returns the number of events
 * parsed, or -1 after a failed check. */
static int check_shiviz(const trace_data *tr, const char *log, bool exact, bool whole) {
  int nn = tr->node_count;
  uint32_t *seen = calloc((size_t)nn, sizeof *seen);   /* events so far per host */
  uint32_t *total = calloc((size_t)nn, sizeof *total); /* events in the log per host */
  int events = 0, bad = 0;
  size_t next = 0; /* the next trace event to compare with */
  for (int pass = 0; pass < 2 && !bad; pass++) {
    const char *p = log;
    while (*p && !bad) {
      const char *l1 = strchr(p, '\n');
      if (!l1) {
        bad = !tap_ok(false, "a line without a newline at the end");
        break;
      }
      const char *l2 = strchr(l1 + 1, '\n');
      if (!l2) {
        bad = !tap_ok(false, "an event without its clock line");
        break;
      }
      /* "host {...}" as the default RegExp (?<host>\S*) (?<clock>{.*}) reads it. */
      const char *sp = memchr(l1 + 1, ' ', (size_t)(l2 - l1 - 1));
      if (!sp || sp[1] != '{') {
        bad = !tap_ok(false, "clock line is not 'host {...}'");
        break;
      }
      char host[64];
      snprintf(host, sizeof host, "%.*s", (int)(sp - l1 - 1), l1 + 1);
      int h = -1;
      for (int i = 0; i < nn; i++)
        if (strcmp(tr->nodes[i], host) == 0) h = i;
      json_error_t je;
      json_t *clock = json_loadb(sp + 1, (size_t)(l2 - sp - 1), 0, &je);
      if (h < 0 || !json_is_object(clock)) {
        bad = !tap_ok(false, "host %s / clock %.*s parse", host, (int)(l2 - sp - 1), sp + 1);
        json_decref(clock);
        break;
      }
      if (pass == 0) {
        total[h]++;
      } else {
        events++;
        seen[h]++;
        /* Rule 1: the own entry is 1 for the first event and rises by 1. */
        json_t *own = json_object_get(clock, host);
        if (!own || json_integer_value(own) != (json_int_t)seen[h])
          bad = !tap_ok(false, "event %d on %s: own entry %lld, ShiViz wants %u", events, host,
                        own ? (long long)json_integer_value(own) : -1LL, seen[h]);
        /* Rule 2: every entry names a host of the log, within its event count. */
        const char *k;
        json_t *v;
        json_object_foreach(clock, k, v) {
          int j = -1;
          for (int i = 0; i < nn; i++)
            if (strcmp(tr->nodes[i], k) == 0) j = i;
          if (j < 0 || total[j] == 0 || json_integer_value(v) < 1 ||
              json_integer_value(v) > (json_int_t)total[j])
            bad = !tap_ok(false, "event %d: entry %s=%lld out of range", events, k,
                          (long long)json_integer_value(v));
        }
        /* Ground truth: the same clock as the trace's event. */
        if (exact) {
          next = next_clocked(tr, next);
          if (next == tr->count) {
            bad = !tap_ok(false, "more ShiViz events than clocked trace events");
          } else {
            const trace_event *e = &tr->events[next++];
            const uint32_t *vc = trace_vc(tr, e);
            if (e->node != h)
              bad = !tap_ok(false, "event %d: host %s, trace says n%d", events, host, e->node);
            for (int j = 0; j < nn && !bad; j++) {
              json_t *v = json_object_get(clock, tr->nodes[j]);
              uint32_t got = v ? (uint32_t)json_integer_value(v) : 0;
              if (got != vc[j])
                bad = !tap_ok(false, "event %d (trace line %u): entry %s is %u, vc says %u", events,
                              e->line, tr->nodes[j], got, vc[j]);
            }
          }
        }
      }
      json_decref(clock);
      p = l2 + 1;
    }
  }
  if (exact && whole && !bad) {
    next = next_clocked(tr, next);
    if (next != tr->count)
      bad = !tap_ok(false, "trace event at line %u missing from the log", tr->events[next].line);
  }
  free(seen);
  free(total);
  return bad ? -1 : events;
}

static char *shiviz_text(const trace_data *tr, const export_opts *o) {
  export_sel sel;
  char err[256];
  if (export_select(tr, o, true, &sel, err, sizeof err) != 0) return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  export_shiviz(tr, &sel, m);
  fclose(m);
  export_sel_free(&sel);
  return buf;
}

static void shiviz_round_trip(void *arg) {
  (void)arg;
  const char *files[] = {SMALL, "tests/corpus/trace/valid-small.jsonl"};
  for (size_t f = 0; f < 2; f++) {
    trace_data *tr = load(files[f]);
    if (!tap_ok(tr != NULL, "%s loads", files[f])) return;
    export_opts o;
    export_opts_default(&o);
    char *log = shiviz_text(tr, &o);
    int n = check_shiviz(tr, log, true, true);
    tap_ok(n > 0, "%s: %d ShiViz events, clocks equal the trace's vc and obey ShiViz's rules",
           files[f], n);
    free(log);
    trace_data_free(tr);
  }
  /* small.jsonl has 15 clocked events: boots 3, timers 2, sends 5, receives 3, crash, restart. */
  trace_data *tr = load(SMALL);
  export_opts o;
  export_opts_default(&o);
  char *log = shiviz_text(tr, &o);
  tap_is_int(count_lines(log), 2 * 15, "15 events, two lines each (state, note, drop left out)");
  tap_ok(strstr(log, "n1 recv RequestVote from n0: term=1 (t=150us)\nn1 {\"n0\":3,\"n1\":2}\n") !=
             NULL,
         "an event is a description line, then host and JSON clock");
  free(log);
  /* Cuts are renumbered so that ShiViz still accepts them. */
  o.from = 150;
  o.to = 450;
  log = shiviz_text(tr, &o);
  tap_ok(check_shiviz(tr, log, false, false) > 0, "--from 150us --to 450us: a valid ShiViz log");
  tap_ok(strstr(log, "n1 {\"n1\":1}") != NULL, "n1's first event in the cut has own clock 1");
  free(log);
  export_opts_default(&o);
  o.some_nodes = true;
  o.node_on[0] = o.node_on[2] = true;
  log = shiviz_text(tr, &o);
  tap_ok(check_shiviz(tr, log, false, false) > 0, "--nodes 0,2: a valid ShiViz log");
  tap_ok(strstr(log, "\"n1\"") == NULL, "no entry names n1, which is not in the log");
  free(log);
  trace_data_free(tr);
}

static void mermaid_text_export(void *arg) {
  (void)arg;
  view_case vc;
  if (!view_load(&vc, SMALL, "loads") || !select_all(&vc)) return;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  tap_is_int(export_mermaid(vc.tr, &vc.o, &vc.sel, m), 0, "export_mermaid succeeds");
  fclose(m);
  tap_ok(strncmp(buf, "```mermaid\n", 11) == 0 && strstr(buf, "\nsequenceDiagram\n"),
         "a fenced sequenceDiagram");
  tap_ok(strstr(buf, "    participant n0\n    participant n1\n    participant n2\n") != NULL,
         "one participant per node, in order");
  tap_ok(strstr(buf, "    n0->>n1: RequestVote term=1\n") != NULL, "a delivered message");
  tap_ok(strstr(buf, "    n0->>n1: RequestVote term=1 (dup)\n") != NULL, "its duplicate");
  tap_ok(strstr(buf, "    n0-xn2: RequestVote (lost)\n") != NULL, "a lost message ends in x");
  tap_ok(strstr(buf, "    n1-xn2: RequestVote (partition)\n") != NULL, "cut by the partition");
  tap_ok(strstr(buf, "    n1-)n0: Vote late (in flight)\n") != NULL, "in flight at the end");
  tap_ok(strstr(buf, "    Note over n0,n2: partition: n0 n1 | n2\n") != NULL, "the partition note");
  tap_ok(strstr(buf, "    Note over n0: CRASH\n") != NULL, "the crash note");
  tap_ok(strstr(buf, "odd \"text\"#59; #35;1 #60;b#62;") != NULL,
         "; # < > in text become Mermaid entity codes");
  int arrows = 0;
  for (const char *p = buf; (p = strstr(p, "\n    n")) != NULL; p++) arrows++;
  tap_is_int(arrows, 6, "6 message arrows: 3 delivered, 2 lost, 1 in flight");
  tap_ok(len > 4 && strcmp(buf + len - 4, "```\n") == 0, "the fence is closed");
  free(buf);
  view_free(&vc);
}

/* ---------------------------------------------------------------------------------------------
 * Part 4: bad input, through export_main.
 */
static void bad_input(void *arg) {
  (void)arg;
  struct {
    const char *args, *what, *says;
  } cases[] = {
      {SMALL " --view gantt", "unknown view", "unknown view \"gantt\""},
      {SMALL " --format jpeg", "unknown format", "unknown format \"jpeg\""},
      {SMALL " --from 2s --to 1s", "empty time range", "empty time range"},
      {SMALL " --from 1s", "a window with no events", "no events between 1.000s and the end"},
      {SMALL " --from soon", "a time that is not one", "is not a time"},
      {SMALL " -o /nonexistent-dir/x.svg", "unwritable output",
       "cannot write /nonexistent-dir/x.svg"},
      {"tests/corpus/export/no-such-trace.jsonl", "unreadable trace", "cannot open"},
      {"tests/corpus/trace/bad-json.jsonl", "malformed trace",
       "trace tests/corpus/trace/bad-json.jsonl:"},
      {"tests/corpus/trace/bad-empty.jsonl", "empty trace", "dsviz export: "},
      {SMALL " --nodes 0,7", "unknown node", "no node \"7\""},
      {SMALL " --view states --key term", "unknown state key", "no state events with key \"term\""},
      {SNAP " --view states", "a trace with no state events", "no state events"},
      {SMALL " --view snapshot", "a trace with no snapshot", "no snapshot in"},
      {SMALL " --view states --format shiviz", "text format of a graph view",
       "spacetime view only"},
      {SMALL " --frobnicate", "unknown option", "unknown option --frobnicate"},
      {SMALL " --limit lots", "bad limit", "--limit"},
      {"", "no trace", "no trace file given"},
      {SMALL " " SNAP, "two traces", "more than one trace"},
      {SMALL " --to", "option without its value", "--to needs a value"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *err = NULL;
    int rc = run_export(&err, "%s", cases[i].args);
    tap_is_int(rc, 2, "%s: exit status 2", cases[i].what);
    tap_ok(err && count_lines(err) == 1 && strncmp(err, "dsviz export: ", 14) == 0,
           "%s: one line on stderr: %s", cases[i].what, err ? err : "(none)");
    tap_ok(err && strstr(err, cases[i].says) != NULL, "%s: it says \"%s\"", cases[i].what,
           cases[i].says);
    free(err);
  }
  /* A failed export leaves an existing output file alone. */
  FILE *fp = fopen(tmp("keep.svg"), "w");
  fputs("keep", fp);
  fclose(fp);
  run_export(NULL, "tests/corpus/trace/bad-json.jsonl -o %s", tmp("keep.svg"));
  char *kept = slurp(tmp("keep.svg"), NULL);
  tap_is_str(kept, "keep", "a bad trace does not truncate the output file");
  free(kept);
  /* --help is not an error. */
  tap_is_int(run_export(NULL, "--help"), 0, "--help exits 0");
}

/* ---------------------------------------------------------------------------------------------
 * Part 5: a long run.
 */

/* End an event line of make_trace's five-node trace with its vector clock: "[a,b,c,d,e]}". */
static void put_clock_end(FILE *fp, const uint32_t vc[5]) {
  fprintf(fp, "[%u,%u,%u,%u,%u]}\n", vc[0], vc[1], vc[2], vc[3], vc[4]);
}

/* Write a synthetic trace of about `events` events: five nodes, each on a timer gossiping to
 * the next one on a ring; 10% of messages are lost; now and then a node changes role. Clocks
 * are true vector clocks. Returns 0, or -1 if the file cannot be written. */
static int make_trace(const char *path, long events) {
  enum { N = 5, MAXP = 4096 };
  FILE *fp = fopen(path, "w");
  if (!fp) return -1;
  fprintf(fp,
          "{\"causeway\":1,\"lab\":\"synthetic\",\"scenario\":\"ring\",\"seed\":3,"
          "\"nodes\":[\"n0\",\"n1\",\"n2\",\"n3\",\"n4\"],\"types\":[\"Gossip\"],"
          "\"timers\":[\"tick\"]}\n");
  uint32_t vc[N][N] = {{0}};
  struct {
    uint64_t at;
    int from, to;
    long id;
    uint32_t vc[N];
  } *pend = malloc(MAXP * sizeof *pend);
  int np = 0;
  uint64_t rng = 0x9E3779B97F4A7C15ull, t = 0;
  long n = 0, id = 0;
#define RND() (rng = rng * 6364136223846793005ull + 1442695040888963407ull, (rng >> 33))
  for (int i = 0; i < N; i++) {
    vc[i][i]++;
    fprintf(fp, "{\"t\":0,\"ev\":\"boot\",\"node\":%d,\"vc\":", i);
    put_clock_end(fp, vc[i]);
    n++;
  }
  static const char *const roles[] = {"idle", "busy", "waiting"};
  while (n < events) {
    t += 1 + RND() % 500;
    /* Deliver what is due, oldest first (the array is in send order). */
    int kept = 0;
    for (int k = 0; k < np; k++) {
      if (pend[k].at > t) {
        pend[kept++] = pend[k];
        continue;
      }
      int to = pend[k].to;
      for (int j = 0; j < N; j++)
        if (pend[k].vc[j] > vc[to][j]) vc[to][j] = pend[k].vc[j];
      vc[to][to]++;
      fprintf(fp,
              "{\"t\":%llu,\"ev\":\"recv\",\"node\":%d,\"from\":%d,\"id\":%ld,\"type\":\"Gossip\","
              "\"body\":\"x\",\"vc\":",
              (unsigned long long)t, to, pend[k].from, pend[k].id);
      put_clock_end(fp, vc[to]);
      n++;
    }
    np = kept;
    int i = (int)(RND() % N), j = (i + 1) % N;
    vc[i][i]++;
    fprintf(fp, "{\"t\":%llu,\"ev\":\"timer\",\"node\":%d,\"name\":\"tick\",\"vc\":",
            (unsigned long long)t, i);
    put_clock_end(fp, vc[i]);
    vc[i][i]++;
    id++;
    fprintf(fp,
            "{\"t\":%llu,\"ev\":\"send\",\"node\":%d,\"to\":%d,\"id\":%ld,\"type\":\"Gossip\","
            "\"body\":\"x\",\"vc\":",
            (unsigned long long)t, i, j, id);
    put_clock_end(fp, vc[i]);
    n += 2;
    if (RND() % 10 == 0 || np == MAXP) {
      fprintf(fp,
              "{\"t\":%llu,\"ev\":\"drop\",\"node\":%d,\"from\":%d,\"id\":%ld,\"type\":\"Gossip\","
              "\"why\":\"loss\"}\n",
              (unsigned long long)t, j, i, id);
      n++;
    } else {
      pend[np].at = t + 100 + RND() % 3000;
      pend[np].from = i;
      pend[np].to = j;
      pend[np].id = id;
      memcpy(pend[np].vc, vc[i], sizeof pend[np].vc);
      np++;
    }
    if (RND() % 100 == 0) {
      fprintf(fp, "{\"t\":%llu,\"ev\":\"state\",\"node\":%d,\"key\":\"role\",\"value\":\"%s\"}\n",
              (unsigned long long)t, i, roles[RND() % 3]);
      n++;
    }
  }
#undef RND
  fprintf(fp, "{\"t\":%llu,\"ev\":\"end\"}\n", (unsigned long long)t + 1);
  free(pend);
  return fclose(fp) == 0 ? 0 : -1;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void long_run(void *arg) {
  (void)arg;
  char big[128];
  snprintf(big, sizeof big, "%s", tmp("big.jsonl"));
  if (!tap_ok(make_trace(big, 100000) == 0, "a 100,000-event trace is written")) return;
  char *err = NULL;
  double t0 = now_ms();
  int rc = run_export(&err, "%s -o %s", big, tmp("big.svg"));
  double t1 = now_ms();
  tap_is_int(rc, 0, "the spacetime SVG of 100,000 events is made");
  tap_ok(err && strstr(err, "exporting only the first 10000") && strstr(err, "--from/--to/--nodes"),
         "it warns that it cut at %d events and how to narrow: %s", EXPORT_LIMIT, err ? err : "");
  free(err);
  tap_diag("spacetime SVG of a 100,000-event trace, cut at %d: %.0f ms", EXPORT_LIMIT, t1 - t0);
  check_svg(tmp("big.svg"), "100,000-event spacetime");
  /* The states view counts every event: no cut, no warning. */
  t0 = now_ms();
  rc = run_export(&err, "%s --view states -o %s", big, tmp("bigs.svg"));
  t1 = now_ms();
  tap_ok(rc == 0 && err && err[0] == '\0', "the states view of all 100,000 events, no warning");
  free(err);
  tap_diag("states SVG of a 100,000-event trace: %.0f ms", t1 - t0);
  /* The ShiViz log of the cut obeys ShiViz's rules, and a narrow window is not cut. */
  trace_data *tr = load(big);
  if (tr) {
    export_opts o;
    export_opts_default(&o);
    char *log = shiviz_text(tr, &o);
    tap_ok(check_shiviz(tr, log, true, false) > 0,
           "ShiViz log of the first 10000 events: ground truth");
    free(log);
    trace_data_free(tr);
  }
  /* A PNG cannot hold 10,000 rows: it is scaled down, with a warning of our own. */
  rc = run_export(&err, "%s -o %s", big, tmp("big.png"));
  uint32_t w = 0, h = 0;
  tap_ok(rc == 0 && png_ok(tmp("big.png"), &w, &h) && h <= 32767,
         "the PNG of the cut is made and fits a bitmap (%ux%u)", w, h);
  tap_ok(err && strstr(err, "scaled down") && count_lines(err) == 2, "two warnings, both ours: %s",
         err ? err : "");
  free(err);
  rc = run_export(&err, "%s --from 100ms --to 200ms -o %s", big, tmp("win.svg"));
  tap_ok(rc == 0 && err && err[0] == '\0', "a 100ms window exports without a cut");
  free(err);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--make-trace") == 0) {
    if (make_trace(argv[2], atol(argv[3])) != 0) {
      fprintf(stderr, "viz-export: cannot write %s: %s\n", argv[2], strerror(errno));
      return 2;
    }
    return 0;
  }
  snprintf(tmpdir, sizeof tmpdir, "/tmp/viz-export-XXXXXX");
  if (mkdtemp(tmpdir) == NULL) tap_skip_all("cannot make a temporary directory");
  tap_case("times: 500ms, 2s, 40us", time_parsing, NULL);
  tap_case("spacetime: the whole small trace", spacetime_whole, NULL);
  tap_case("spacetime: a crashed node's lane is dashed", spacetime_crashed_span, NULL);
  tap_case("spacetime: --nodes 0,1", spacetime_nodes, NULL);
  tap_case("spacetime: --from/--to and --limit", spacetime_window, NULL);
  tap_case("states: per node, merged, unknown key", states_per_node, NULL);
  tap_case("snapshot: lab 04's notes as a global state", snapshot_view, NULL);
  tap_case("SVG, PNG and DOT files are valid", rendered_files, NULL);
  tap_case("ShiViz: clocks round-trip and obey ShiViz's rules", shiviz_round_trip, NULL);
  tap_case("Mermaid: arrows and notes", mermaid_text_export, NULL);
  tap_case("bad input: exit 2 and one line", bad_input, NULL);
  tap_case("a 100,000-event run", long_run, NULL);
  /* Remove the temporary files. */
  const char *names[] = {"stderr.txt", "v.svg",   "v.out",    "v.dot",   "keep.svg",
                         "big.jsonl",  "big.svg", "bigs.svg", "win.svg", "big.png"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp(names[i]));
  rmdir(tmpdir);
  return tap_done();
}
