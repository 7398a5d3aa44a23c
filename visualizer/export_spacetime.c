/*
 * export_spacetime.c: the space-time diagram of a trace as a cgraph graph (`--view spacetime`).
 *
 * Lamport drew a run as vertical process lines with time flowing up and messages as arrows
 * between them ("Time, Clocks, and the Ordering of Events in a Distributed System", 1978,
 * Figure 1); we draw time flowing down, as ShiViz and the viewer do. The graph:
 *   - a header box per lane (node) and an invisible tail point at the bottom;
 *   - one graph node per drawn event on its lane: send/recv/local as dots, timers, state changes
 *     and notes as small text, boot/crash/restart as small boxes, a dropped message as a red X
 *     on the intended receiver's lane;
 *   - lane edges (no arrowhead) between consecutive events of a node, dashed while it is down;
 *   - a message edge from each send to each of its deliveries, labelled with the type and
 *     coloured by type; to the X when it was dropped (dashed red, with the reason); to the tail
 *     of the receiver's lane when it was still in flight at the end of the cut (dotted); from
 *     the sender's header when it was sent before the cut began (dotted);
 *   - global events (partition, heal, block, unblock, net, violation) as a row of text across;
 *   - a time column on the left: the virtual time of each row where it changes.
 *
 * Rows: events are placed in trace order. An event goes one row below the previous event of
 * its lane, below the send of the message it receives, and below every event of an earlier
 * time; so events of one time on different lanes share a row, time never goes back up the
 * page, and the picture is ordinal, not to scale. Node positions are pinned (pos="x,y!"),
 * every edge gets its straight route and label position (pos, lp) from line_edge, and the
 * graph's layout attribute is "nop2": gvc keeps them all and only renders.
 */
#include "export.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
  ROW_H = 36,    /* points between two rows */
  LANE_W = 150,  /* points between two lanes */
  LANE_X0 = 110, /* x of the first lane (the time column is at x = 30) */
  ARROW_LEN = 6, /* points: graphviz's arrowhead (10) times our arrowsize (0.6) */
  LABEL_OFF = 9, /* points between a message edge and its label */
};

static const char *const type_colors[] = {"blue3",     "darkgreen", "purple", "darkorange3",
                                          "deeppink3", "cyan4",     "brown",  "olivedrab"};

/* Events that get a place on a lane, or a row of their own (global). */
static bool is_global(const trace_event *e) {
  switch (e->kind) {
    case TRACE_PARTITION:
    case TRACE_HEAL:
    case TRACE_BLOCK:
    case TRACE_UNBLOCK:
    case TRACE_NET:
    case TRACE_VIOLATION:
      return true;
    case TRACE_OTHER:
      return e->node < 0;
    default:
      return false;
  }
}

static bool is_drawn(const trace_data *tr, const export_opts *o, const trace_event *e) {
  switch (e->kind) {
    case TRACE_INVOKE:
    case TRACE_OK:
    case TRACE_FAIL:
    case TRACE_INFO:
    case TRACE_END:
      return false;
    default:
      return is_global(e) || export_lane_kept(tr, o, e->node);
  }
}

char *export_describe(const trace_data *tr, const trace_event *e, char *buf, size_t cap) {
  char t[32], body[160];
  const char *node = (e->node >= 0 && e->node < tr->node_count) ? tr->nodes[e->node] : "-";
  const char *peer = (e->peer >= 0 && e->peer < tr->node_count) ? tr->nodes[e->peer] : "client";
  trace_format_time(e->t, t, sizeof t);
  export_one_line(trace_text(tr, e->text), 120, false, body, sizeof body);
  const char *name = trace_text(tr, e->name);
  switch (e->kind) {
    case TRACE_SEND:
      snprintf(buf, cap, "%s send %s to %s%s%s (t=%s)", node, name, peer, body[0] ? ": " : "", body,
               t);
      break;
    case TRACE_RECV:
      snprintf(buf, cap, "%s recv %s from %s%s%s (t=%s)", node, name, peer, body[0] ? ": " : "",
               body, t);
      break;
    case TRACE_DROP:
      snprintf(buf, cap, "%s lost %s from %s (%s, t=%s)", node, name, peer, trace_why_name(e->why),
               t);
      break;
    case TRACE_TIMER:
      if (e->id)
        snprintf(buf, cap, "%s timer %s(%llu) (t=%s)", node, name, (unsigned long long)e->id, t);
      else
        snprintf(buf, cap, "%s timer %s (t=%s)", node, name, t);
      break;
    case TRACE_STATE:
      snprintf(buf, cap, "%s state %s=%s (t=%s)", node, name, body, t);
      break;
    case TRACE_NOTE:
      snprintf(buf, cap, "%s note: %s (t=%s)", node, body, t);
      break;
    case TRACE_VIOLATION:
      snprintf(buf, cap, "violation of %s: %s (t=%s)", name, body, t);
      break;
    case TRACE_NET:
      snprintf(buf, cap, "network: %s (t=%s)", body, t);
      break;
    case TRACE_BLOCK:
    case TRACE_UNBLOCK:
      snprintf(buf, cap, "%s %s->%s (t=%s)", trace_kind_name(e->kind), node, peer, t);
      break;
    case TRACE_OTHER:
      snprintf(buf, cap, "%s %s%s%s (t=%s)", node, name, body[0] ? ": " : "", body, t);
      break;
    default:
      if (e->node >= 0)
        snprintf(buf, cap, "%s %s (t=%s)", node, trace_kind_name(e->kind), t);
      else
        snprintf(buf, cap, "%s (t=%s)", trace_kind_name(e->kind), t);
  }
  return buf;
}

/* "partition: n0 n1 | n2" from a partition event's groups. */
static void partition_text(const trace_data *tr, const trace_event *e, char *buf, size_t cap) {
  const int32_t *g = trace_groups(tr, e);
  size_t n = (size_t)snprintf(buf, cap, "partition:");
  int maxg = -1;
  for (int i = 0; g && i < tr->node_count; i++)
    if (g[i] > maxg) maxg = g[i];
  for (int grp = 0; grp <= maxg && n < cap; grp++) {
    if (grp > 0) n += (size_t)snprintf(buf + n, cap - n, " |");
    for (int i = 0; i < tr->node_count && n < cap; i++)
      if (g[i] == grp) n += (size_t)snprintf(buf + n, cap - n, " %s", tr->nodes[i]);
  }
}

static Agnode_t *new_node(Agraph_t *g, const char *fmt, unsigned long id) {
  char name[48];
  snprintf(name, sizeof name, fmt, id);
  return agnode(g, name, 1);
}

static void pin(Agnode_t *n, double x, double y) { export_setf(n, "pos", "%.1f,%.1f!", x, y); }

/* Where a pinned node is, and how far from its centre an edge should stop: the radius of a
 * dot, the half-size of the X, the half-height of a lane header; 0 for the rest (text and
 * boxes on a lane, which the lane edges run behind). */
static void where(Agnode_t *n, double *x, double *y, double *r) {
  *x = *y = 0;
  sscanf(agget(n, "pos"), "%lf,%lf", x, y);
  const char *shape = agget(n, "shape"), *fixed = agget(n, "fixedsize");
  if (strcmp(shape, "point") == 0 && strcmp(agget(n, "style"), "invis") != 0)
    *r = 3.5;
  else if (fixed && strcmp(fixed, "true") == 0)
    *r = 6;
  else if (strncmp(agnameof(n), "lane:", 5) == 0)
    *r = 18;
  else
    *r = 0;
}

/* A straight edge from a to b, its route and label position computed here ("nop2" keeps
 * them): the line runs between the two nodes' rims, as a cubic Bezier with its control points
 * on the line, and ends in an arrowhead when `arrow`. The label sits beside the middle.
 * Placing labels ourselves keeps a 10,000-event export fast: gvc's own label placer is
 * superlinear. */
static Agedge_t *line_edge(Agraph_t *g, Agnode_t *a, Agnode_t *b, bool arrow) {
  double x1, y1, r1, x2, y2, r2;
  where(a, &x1, &y1, &r1);
  where(b, &x2, &y2, &r2);
  double dx = x2 - x1, dy = y2 - y1, len = sqrt(dx * dx + dy * dy);
  double ux = len > 0 ? dx / len : 0, uy = len > 0 ? dy / len : -1;
  double head = arrow ? ARROW_LEN : 0;
  if (r1 + r2 + head > len) r1 = r2 = head = 0;    /* too close: centre to centre */
  double sx = x1 + ux * r1, sy = y1 + uy * r1;     /* start on a's rim */
  double tx = x2 - ux * r2, ty = y2 - uy * r2;     /* the tip, on b's rim */
  double ex = tx - ux * head, ey = ty - uy * head; /* where the line meets the arrowhead */
  Agedge_t *e = agedge(g, a, b, NULL, 1);
  char pos[256];
  if (arrow)
    snprintf(pos, sizeof pos, "e,%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", tx, ty, sx, sy,
             sx + (ex - sx) / 3, sy + (ey - sy) / 3, sx + 2 * (ex - sx) / 3, sy + 2 * (ey - sy) / 3,
             ex, ey);
  else
    snprintf(pos, sizeof pos, "%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f", sx, sy, sx + (tx - sx) / 3,
             sy + (ty - sy) / 3, sx + 2 * (tx - sx) / 3, sy + 2 * (ty - sy) / 3, tx, ty);
  export_set(e, "pos", pos);
  /* The label: off the middle of the line, on its upper side, so the text does not sit on it. */
  double nx = -uy, ny = ux;
  if (ny < 0) nx = -nx, ny = -ny;
  export_setf(e, "lp", "%.1f,%.1f", (sx + tx) / 2 + nx * LABEL_OFF, (sy + ty) / 2 + ny * LABEL_OFF);
  if (!arrow) export_set(e, "arrowhead", "none");
  return e;
}

/* Style the graph node of an event drawn on a lane. */
static void style_event(const trace_data *tr, const trace_event *e, Agnode_t *n) {
  char text[96], label[128];
  switch (e->kind) {
    case TRACE_SEND:
    case TRACE_RECV:
    case TRACE_LOCAL:
      export_set(n, "shape", "point");
      export_set(n, "width", "0.09");
      break;
    case TRACE_DROP:
      export_set(n, "shape", "plaintext");
      export_set(n, "label", "X");
      export_set(n, "fontcolor", "red");
      export_set(n, "fontsize", "16");
      export_set(n, "fontname", "Helvetica-Bold");
      export_set(n, "width", "0.16");
      export_set(n, "height", "0.16");
      export_set(n, "fixedsize", "true");
      break;
    case TRACE_TIMER:
      export_set(n, "shape", "plaintext");
      export_one_line(trace_text(tr, e->name), 24, true, text, sizeof text);
      if (e->id)
        export_setf(n, "label", "timer %s(%llu)", text, (unsigned long long)e->id);
      else
        export_setf(n, "label", "timer %s", text);
      export_set(n, "fontcolor", "blue4");
      break;
    case TRACE_STATE:
      export_one_line(trace_text(tr, e->text), 24, true, text, sizeof text);
      export_one_line(trace_text(tr, e->name), 20, true, label, sizeof label);
      export_setf(n, "label", "%s=%s", label, text);
      export_set(n, "shape", "plaintext");
      export_set(n, "fontcolor", "darkgreen");
      break;
    case TRACE_NOTE:
      export_set(n, "shape", "plaintext");
      export_set(n, "label", export_one_line(trace_text(tr, e->text), 32, true, text, sizeof text));
      export_set(n, "fontcolor", "grey30");
      break;
    case TRACE_BOOT:
    case TRACE_CRASH:
    case TRACE_RESTART:
      export_set(n, "shape", "box");
      export_set(n, "label", trace_kind_name(e->kind));
      export_set(n, "height", "0.2");
      export_set(n, "width", "0.4");
      export_set(n, "style", "filled");
      export_set(n, "fillcolor",
                 e->kind == TRACE_CRASH     ? "red"
                 : e->kind == TRACE_RESTART ? "palegreen"
                                            : "grey90");
      if (e->kind == TRACE_CRASH) export_set(n, "fontcolor", "white");
      break;
    default: /* an unknown kind on a node */
      export_set(n, "shape", "plaintext");
      export_set(n, "label", export_one_line(trace_text(tr, e->name), 24, true, text, sizeof text));
      break;
  }
  if (strcmp(agget(n, "shape"), "plaintext") == 0) {
    /* Text on a lane hides the lane behind it (edges are drawn first). */
    export_set(n, "style", "filled");
    export_set(n, "fillcolor", "white");
    export_set(n, "margin", "0.02");
  }
}

/* Style a global event's row label. */
static void style_global(const trace_data *tr, const trace_event *e, Agnode_t *n) {
  char text[200], buf[160];
  const char *color = "darkorange3";
  switch (e->kind) {
    case TRACE_PARTITION:
      partition_text(tr, e, buf, sizeof buf);
      export_one_line(buf, 0, true, text, sizeof text);
      break;
    case TRACE_HEAL:
      snprintf(text, sizeof text, "heal: the network is whole again");
      break;
    case TRACE_BLOCK:
    case TRACE_UNBLOCK:
      snprintf(text, sizeof text, "%s %s -> %s", trace_kind_name(e->kind),
               e->node >= 0 ? tr->nodes[e->node] : "?", e->peer >= 0 ? tr->nodes[e->peer] : "?");
      break;
    case TRACE_NET:
      snprintf(text, sizeof text, "network: %s",
               export_one_line(trace_text(tr, e->text), 60, true, buf, sizeof buf));
      break;
    case TRACE_VIOLATION:
      color = "red";
      snprintf(text, sizeof text, "VIOLATION %s: ", trace_text(tr, e->name));
      export_one_line(trace_text(tr, e->text), 80, true, buf, sizeof buf);
      strncat(text, buf, sizeof text - strlen(text) - 1);
      break;
    default:
      export_one_line(trace_text(tr, e->name), 40, true, text, sizeof text);
  }
  export_set(n, "shape", "plaintext");
  export_set(n, "label", text);
  export_set(n, "fontcolor", color);
}

Agraph_t *export_spacetime_graph(const trace_data *tr, const export_opts *o,
                                 const export_sel *sel) {
  int nn = tr->node_count;
  /* Lanes: position of each kept node from the left, -1 if not drawn. */
  int *lane = malloc((size_t)nn * sizeof *lane);
  int *lane_last = malloc((size_t)nn * sizeof *lane_last);
  Agnode_t **lane_prev = calloc((size_t)nn, sizeof *lane_prev);
  bool *down = calloc((size_t)nn, sizeof *down);
  /* Per trace event: its row (-1 when not drawn) and its graph node. */
  int *row = malloc(tr->count * sizeof *row);
  Agnode_t **gn = calloc(tr->count ? tr->count : 1, sizeof *gn);
  if (!lane || !lane_last || !lane_prev || !down || (!row && tr->count) || !gn) abort();
  int lanes = 0;
  for (int i = 0; i < nn; i++) lane[i] = export_lane_kept(tr, o, i) ? lanes++ : -1;
  for (size_t i = 0; i < tr->count; i++) row[i] = -1;
  for (int i = 0; i < nn; i++) lane_last[i] = 0;

  /* Pass 1: rows (row 0 holds the lane headers). */
  int maxrow = 0, floor_row = 1;
  uint64_t cur_t = sel->count ? tr->events[sel->ev[0]].t : 0;
  for (size_t k = 0; k < sel->count; k++) {
    const trace_event *e = &tr->events[sel->ev[k]];
    if (!is_drawn(tr, o, e)) continue;
    if (e->t != cur_t) {
      floor_row = maxrow + 1;
      cur_t = e->t;
    }
    int r;
    if (is_global(e)) {
      r = maxrow + 1 > floor_row ? maxrow + 1 : floor_row;
      for (int i = 0; i < nn; i++) lane_last[i] = r;
      floor_row = r + 1;
    } else {
      r = lane_last[e->node] + 1;
      if (r < floor_row) r = floor_row;
      if ((e->kind == TRACE_RECV || e->kind == TRACE_DROP) && e->link != TRACE_NONE &&
          row[e->link] >= 0 && row[e->link] + 1 > r)
        r = row[e->link] + 1;
      lane_last[e->node] = r;
    }
    row[sel->ev[k]] = r;
    if (r > maxrow) maxrow = r;
  }
  int bottom = maxrow + 1; /* the lane tails, where in-flight messages point */
#define Y(r) ((double)(bottom - (r)) * ROW_H)
#define X(l) ((double)LANE_X0 + (double)(l)*LANE_W)

  Agraph_t *g = export_open_graph("spacetime");
  export_set(g, "layout", "nop2");
  export_set(g, "outputorder", "edgesfirst");
  export_set(g, "fontname", "Helvetica");
  export_set(g, "pad", "0.3");
  if (sel->count > 0) {
    char a[32], b[32];
    const trace_event *first = &tr->events[sel->ev[0]],
                      *last = &tr->events[sel->ev[sel->count - 1]];
    trace_format_time(first->t, a, sizeof a);
    trace_format_time(last->t, b, sizeof b);
    export_setf(g, "label", "%s %s, seed %llu: t=%s to %s, %zu events%s",
                tr->lab[0] ? tr->lab : "trace", tr->scenario, (unsigned long long)tr->seed, a, b,
                sel->count, sel->cut ? " (cut)" : "");
  }
  export_set(g, "labelloc", "t");
  agattr(g, AGNODE, "fontname", "Helvetica");
  agattr(g, AGNODE, "fontsize", "9");
  agattr(g, AGEDGE, "fontname", "Helvetica");
  agattr(g, AGEDGE, "fontsize", "8");
  agattr(g, AGEDGE, "arrowsize", "0.6");

  /* Lane headers and tails. */
  Agnode_t **head = calloc((size_t)nn, sizeof *head), **tail = calloc((size_t)nn, sizeof *tail);
  if (!head || !tail) abort();
  for (int i = 0; i < nn; i++) {
    if (lane[i] < 0) continue;
    char name[48];
    snprintf(name, sizeof name, "lane:%d", i);
    head[i] = agnode(g, name, 1);
    char lbl[96];
    export_set(head[i], "label", export_one_line(tr->nodes[i], 30, true, lbl, sizeof lbl));
    export_set(head[i], "shape", "box");
    export_set(head[i], "style", "filled");
    export_set(head[i], "fillcolor", "lightsteelblue1");
    export_set(head[i], "fontsize", "11");
    pin(head[i], X(lane[i]), Y(0));
    snprintf(name, sizeof name, "tail:%d", i);
    tail[i] = agnode(g, name, 1);
    export_set(tail[i], "shape", "point");
    export_set(tail[i], "style", "invis");
    export_set(tail[i], "width", "0.01");
    pin(tail[i], X(lane[i]), Y(bottom));
    lane_prev[i] = head[i];
  }

  /* Pass 2: event nodes, lane edges, the time column. */
  uint64_t labelled_t = UINT64_MAX;
  int labelled_row = -1;
  char desc[512];
  for (size_t k = 0; k < sel->count; k++) {
    uint32_t i = sel->ev[k];
    const trace_event *e = &tr->events[i];
    if (row[i] < 0) continue;
    Agnode_t *n = new_node(g, "e%lu", (unsigned long)i);
    gn[i] = n;
    export_set(n, "tooltip", export_describe(tr, e, desc, sizeof desc));
    if (row[i] != labelled_row && e->t != labelled_t) {
      Agnode_t *tn = new_node(g, "time:%lu", (unsigned long)row[i]);
      char t[32];
      export_set(tn, "label", trace_format_time(e->t, t, sizeof t));
      export_set(tn, "shape", "plaintext");
      export_set(tn, "fontcolor", "grey40");
      export_set(tn, "fontsize", "8");
      pin(tn, 30, Y(row[i]));
      labelled_t = e->t;
      labelled_row = row[i];
    }
    if (is_global(e)) {
      style_global(tr, e, n);
      pin(n, lanes > 1 ? (X(0) + X(lanes - 1)) / 2 : X(0) + LANE_W / 2.0, Y(row[i]));
      continue;
    }
    style_event(tr, e, n);
    pin(n, X(lane[e->node]), Y(row[i]));
    Agedge_t *le = line_edge(g, lane_prev[e->node], n, false);
    export_set(le, "color", down[e->node] ? "grey80" : "grey55");
    if (down[e->node]) export_set(le, "style", "dashed");
    lane_prev[e->node] = n;
    if (e->kind == TRACE_CRASH) down[e->node] = true;
    if (e->kind == TRACE_RESTART || e->kind == TRACE_BOOT) down[e->node] = false;
  }
  for (int i = 0; i < nn; i++) {
    if (lane[i] < 0) continue;
    Agedge_t *le = line_edge(g, lane_prev[i], tail[i], false);
    export_set(le, "color", down[i] ? "grey80" : "grey55");
    if (down[i]) export_set(le, "style", "dashed");
  }

  /* Pass 3: message edges. */
  for (size_t k = 0; k < sel->count; k++) {
    uint32_t i = sel->ev[k];
    const trace_event *e = &tr->events[i];
    if (gn[i] == NULL) continue;
    const char *color = type_colors[e->mtype % (sizeof type_colors / sizeof type_colors[0])];
    char type[64];
    export_one_line(trace_text(tr, e->name), 30, true, type, sizeof type);
    if (e->kind == TRACE_SEND) {
      bool delivered_here = false;
      for (uint32_t j = e->link; j != TRACE_NONE; j = tr->events[j].next) {
        if (gn[j] == NULL) continue;
        delivered_here = true;
        Agedge_t *me = line_edge(g, gn[i], gn[j], true);
        if (tr->events[j].kind == TRACE_DROP) {
          export_setf(
              me, "label", "%s (%s)", type,
              tr->events[j].why == TRACE_WHY_LOSS ? "lost" : trace_why_name(tr->events[j].why));
          export_set(me, "color", "red");
          export_set(me, "fontcolor", "red");
          export_set(me, "style", "dashed");
        } else {
          export_set(me, "label", j == e->link ? type : "");
          if (j != e->link) export_setf(me, "label", "%s (dup)", type);
          export_set(me, "color", color);
          export_set(me, "fontcolor", color);
        }
      }
      /* Not delivered within the cut: in flight at its end (or for ever). */
      if (!delivered_here && e->peer >= 0 && e->peer < nn && lane[e->peer] >= 0) {
        Agedge_t *me = line_edge(g, gn[i], tail[e->peer], true);
        export_setf(me, "label", "%s (in flight)", type);
        export_set(me, "style", "dotted");
        export_set(me, "color", color);
        export_set(me, "fontcolor", color);
      }
    } else if ((e->kind == TRACE_RECV || e->kind == TRACE_DROP) &&
               (e->link == TRACE_NONE || gn[e->link] == NULL) && e->peer >= 0 && e->peer < nn &&
               lane[e->peer] >= 0) {
      /* Sent before the cut: from the top of the sender's lane. */
      Agedge_t *me = line_edge(g, head[e->peer], gn[i], true);
      export_setf(me, "label", "%s (sent earlier)", type);
      export_set(me, "style", "dotted");
      export_set(me, "color", e->kind == TRACE_DROP ? "red" : color);
      export_set(me, "fontcolor", e->kind == TRACE_DROP ? "red" : color);
    }
  }
#undef X
#undef Y
  free(lane);
  free(lane_last);
  free(lane_prev);
  free(down);
  free(row);
  free(gn);
  free(head);
  free(tail);
  return g;
}
