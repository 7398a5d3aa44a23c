/*
 * export.h: `dsviz export`, pictures and text made from a trace, for the book and for other tools.
 *
 *   dsviz export TRACE [--view VIEW] [--format FORMAT] [-o FILE] [--from T] [--to T]
 *                      [--nodes LIST] [--key K] [--merged] [--snapshot ID] [--limit N] [--bench]
 *
 * Views (each builds a cgraph graph; gvc lays it out and renders it):
 *   spacetime  the space-time (Lamport) diagram: one lane per node, time flowing down, every
 *              message an edge from its send to its receive labelled with its type; a lost
 *              message ends in a red X on the receiver's lane; crashes, restarts, partitions and
 *              heals are marked. Positions and straight edge routes are computed here
 *              (export_spacetime.c) and kept by gvc's "nop2" engine: rows follow the trace's
 *              time order (equal times share a row when they are on different lanes and not
 *              causally linked), so the picture is ordinal, not to scale; the left margin gives
 *              the virtual time of each row.
 *   states     per-node state diagram of one annotation key (export_states.c).
 *   snapshot   a recorded global state from lab 04's snapshot notes (export_snapshot.c).
 * Formats: dot (the laid-out graph as DOT: re-render it with `neato -n2 -Tsvg`, or `dot` for
 * the states and snapshot views), svg, png; and two text formats of the spacetime view
 * (export_text.c): shiviz and mermaid. Without --format, the extension of -o decides (.dot .svg
 * .png .md=mermaid .log=shiviz); without -o, the output goes to standard output.
 *
 * Cutting a run down: --from/--to keep the events whose virtual time is in [from, to] (times
 * like 500ms, 2s, 40us, 1.5s; a bare number is microseconds); --nodes 0,2 (indexes or names)
 * keeps the events of those nodes, plus the global ones (partition, heal, ...). The spacetime,
 * shiviz and mermaid exports then keep at most EXPORT_LIMIT events (change with --limit N, 0
 * for no limit): like Maelstrom, which stops drawing at 10,000 events, a longer selection is
 * cut after its first EXPORT_LIMIT events with a warning on stderr telling how to narrow it.
 * The states view counts every selected event (it only sums them, which stays cheap).
 *
 * ShiViz (https://bestchai.bitbucket.io/shiviz/). The file holds two lines per event:
 *   n0 send Ping to n1 seq=1 (t=1.2ms)
 *   n0 {"n0":2,"n1":1}
 * which ShiViz's default parser RegExp reads as-is; paste it into "Log parser RegExp":
 *   (?<event>.*)\n(?<host>\S*) (?<clock>{.*})
 * ShiViz requires each host's own clock to start at 1 and rise by exactly 1 per event, and every
 * entry to name a host of the log with a value no larger than that host's event count. So only
 * events that carry a vector clock in the trace are exported (boot, send, recv, timer, local,
 * crash, restart: the events that tick the clock); state, note and drop events, which do not
 * tick it, are left out (a drop shows as a send with no receive). On a whole trace the exported
 * clocks are exactly the trace's "vc" arrays (zero entries omitted, as ShiViz drops them anyway).
 * On a cut (--from/--to/--nodes/
 * --limit), clocks are renumbered: entry j of an event becomes the number of exported events
 * of node j that it has seen, so the cut log obeys the same rules (entries for nodes outside
 * the cut are dropped).
 *
 * Mermaid: a `sequenceDiagram` for Markdown; one arrow per delivered message, drawn where it is
 * received (`->>`), a lost message where it is dropped (`-x`), a message still in flight at
 * the end of the cut where it was sent (`-)`); timers, state changes, notes, crashes and
 * partitions become `Note` lines. Mermaid has no concurrency: arrows appear in trace order.
 *
 * Exit status of export_main: 0 on success; 2 with a one-line reason on stderr on bad usage or
 * bad input (unknown view or format, empty time range, unreadable or malformed trace, output
 * that cannot be written, a view the trace has no data for); 1 if graphviz fails to render.
 */
#ifndef CAUSEWAY_VIZ_EXPORT_H
#define CAUSEWAY_VIZ_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cgraph.h>

#include "../lib/trace_read.h"

enum {
  EXPORT_LIMIT = 10000, /* default cap on the events the spacetime/text exports keep */
};

typedef enum export_view { EXPORT_SPACETIME, EXPORT_STATES, EXPORT_SNAPSHOT } export_view;
typedef enum export_format {
  EXPORT_DOT,
  EXPORT_SVG,
  EXPORT_PNG,
  EXPORT_SHIVIZ,
  EXPORT_MERMAID
} export_format;

/* What to export and how much of the trace. */
typedef struct export_opts {
  export_view view;
  export_format format;
  uint64_t from, to;             /* keep events with from <= t <= to (to = UINT64_MAX: no end) */
  bool some_nodes;               /* false: every node */
  bool node_on[TRACE_MAX_NODES]; /* when some_nodes: which nodes to keep */
  const char *key;               /* states: the annotation key (NULL: "role" if present, else the
                                    first key seen) */
  bool merged;                   /* states: one diagram for all nodes instead of one per node */
  const char *snapshot;          /* snapshot: which snapshot id (NULL: the first one recorded) */
  size_t limit;                  /* cap on kept events for spacetime/text (0: none) */
} export_opts;

/* The events an export works on: indexes into tr->events, increasing. */
typedef struct export_sel {
  uint32_t *ev; /* count indexes (owned) */
  size_t count;
  size_t matched; /* events that matched the window and nodes before the limit was applied */
  bool cut;       /* true when the limit dropped events (matched > count) */
} export_sel;

/* Fill opts with the defaults: spacetime, svg, the whole run, every node, EXPORT_LIMIT. */
void export_opts_default(export_opts *o);

/* Parse a virtual time ("500ms", "2s", "40us", "1.5s", or a bare number of microseconds) into
 * *out (microseconds). Returns 0, or -1 if s is not such a time. */
int export_parse_time(const char *s, uint64_t *out);

/* Choose the events of tr that opts keeps (window, nodes, and `limit` when apply_limit).
 * Returns 0 with *sel filled (free with export_sel_free), or -1 with a one-line reason in err
 * when nothing is left ("no events between ..."). */
int export_select(const trace_data *tr, const export_opts *o, bool apply_limit, export_sel *sel,
                  char *err, size_t cap);
void export_sel_free(export_sel *sel);

/* Build the graph of a view. Each returns a new graph the caller closes with agclose, or NULL
 * with a one-line reason in err (states: no state events / unknown key; snapshot: no snapshot
 * or unknown id). The graph's "layout" attribute names the gvc engine export_render uses. */
Agraph_t *export_spacetime_graph(const trace_data *tr, const export_opts *o, const export_sel *sel);
Agraph_t *export_states_graph(const trace_data *tr, const export_opts *o, const export_sel *sel,
                              char *err, size_t cap);
Agraph_t *export_snapshot_graph(const trace_data *tr, const export_opts *o, const export_sel *sel,
                                char *err, size_t cap);

/* Lay out g with the engine its "layout" attribute names and render it to out as DOT, SVG or
 * PNG. Returns 0, or -1 with graphviz's reason in err. The layout is freed again, so g can be
 * rendered several times. out stays open (the caller closes it). */
int export_render(Agraph_t *g, export_format f, FILE *out, char *err, size_t cap);

/* Write the selected events as a ShiViz log / a Mermaid sequence diagram (see above). Return 0,
 * or -1 on a write error. */
int export_shiviz(const trace_data *tr, const export_sel *sel, FILE *out);
int export_mermaid(const trace_data *tr, const export_opts *o, const export_sel *sel, FILE *out);

/* `dsviz export ...`: argv[0] is "export". Parses the options, reads the trace, writes the
 * export. Returns the exit status (0, 1 or 2, see above); errors are one line on stderr. */
int export_main(int argc, char **argv);

/* Helpers shared by the export files (not for other modules). */
/* Copy text into buf (cap bytes) as one printable line: control characters become spaces,
 * and the result is cut (with "...") at max_chars bytes (0: no cut). With gv, backslashes are
 * doubled so that graphviz shows them as typed (it reads \n, \N, ... in labels). Returns buf. */
char *export_one_line(const char *text, size_t max_chars, bool gv, char *buf, size_t cap);
/* Set attribute `name` of a graph object (node, edge or graph) to value, declaring it with an
 * empty default when it is new. */
void export_set(void *obj, const char *name, const char *value);
/* One line describing an event, as ShiViz and the SVG tooltips show it:
 * "n0 send Ping to n1: seq=1 (t=1.2ms)". Returns buf. */
char *export_describe(const trace_data *tr, const trace_event *e, char *buf, size_t cap);
/* agopen with an ID discipline that numbers named objects in the order they are created. cgraph's
 * default uses the address of each name's shared string as its ID, and keeps subgraphs and nodes
 * ordered by ID, so the order of clusters in a layout (and in DOT output) could change from one
 * run to the next. With this one, the same trace always gives the same figure. Close with
 * agclose as usual. */
Agraph_t *export_open_graph(const char *name);
/* Is node n one of the lanes opts keeps? */
bool export_lane_kept(const trace_data *tr, const export_opts *o, int n);
/* The same with a printf format. */
void export_setf(void *obj, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
