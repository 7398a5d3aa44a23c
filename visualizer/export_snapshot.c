/*
 * export_snapshot.c: a recorded global state, drawn from lab 04's trace notes
 * (`--view snapshot`).
 *
 * Chandy and Lamport's snapshot ("Distributed Snapshots", ACM TOCS 1985, section 3) records one
 * local state per process and, for every channel, the messages that were in it. Lab 04 writes
 * them as notes (labs/04-snapshots/lab.h, "The recorded state in the trace"):
 *   snapshot ID: balance=AMOUNT                  the note's node recorded its local state
 *   snapshot ID: channel NAME->NAME: [A,B,...]   the receiver closed that incoming channel
 *   snapshot ID: done                            the node's part of snapshot ID is complete
 *   initiating snapshot ID                       the note's node was asked to initiate it
 * Any other "snapshot ID: TEXT" line is shown as local state too, so a later lab can record
 * other state the same way. The graph: one box per node with what it recorded (dashed when it
 * recorded nothing, "incomplete" until its done note), one edge per recorded channel labelled
 * with the messages in it (dotted when empty). When the local states are balances, the title
 * adds up the money: balances plus amounts in channels, the total a consistent cut preserves.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_SNAP_IDS = 64 };

typedef struct snap_node {
  char state[512]; /* recorded local state lines, "\n"-joined (graphviz escapes) */
  bool recorded, done, initiator;
} snap_node;

/* If text is "snapshot ID: REST", copy ID into id and return REST; else NULL. */
static const char *snapshot_note(const char *text, char *id, size_t cap) {
  static const char prefix[] = "snapshot ";
  if (strncmp(text, prefix, sizeof prefix - 1) != 0) return NULL;
  const char *p = text + sizeof prefix - 1;
  const char *colon = strstr(p, ": ");
  if (colon == NULL || colon == p || (size_t)(colon - p) >= cap) return NULL;
  for (const char *q = p; q < colon; q++)
    if (*q == ' ') return NULL;
  memcpy(id, p, (size_t)(colon - p));
  id[colon - p] = '\0';
  return colon + 2;
}

static int node_by_name(const trace_data *tr, const char *name, size_t len) {
  for (int i = 0; i < tr->node_count; i++)
    if (strlen(tr->nodes[i]) == len && strncmp(tr->nodes[i], name, len) == 0) return i;
  return -1;
}

/* Sum the integers of "[5,7]" into *sum; false if the list is not plain integers. */
static bool sum_list(const char *s, long long *sum) {
  if (*s != '[') return false;
  s++;
  while (*s && *s != ']') {
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s) return false;
    *sum += v;
    s = end;
    if (*s == ',') s++;
  }
  return *s == ']';
}

Agraph_t *export_snapshot_graph(const trace_data *tr, const export_opts *o, const export_sel *sel,
                                char *err, size_t cap) {
  char id[64], want[64] = "", ids[256] = "", known[MAX_SNAP_IDS][64];
  size_t nids = 0, idlen = 0;
  /* Find the snapshot ids there are; the default is the first one. */
  for (size_t k = 0; k < sel->count; k++) {
    const trace_event *e = &tr->events[sel->ev[k]];
    if (e->kind != TRACE_NOTE) continue;
    if (snapshot_note(trace_text(tr, e->text), id, sizeof id) == NULL) continue;
    if (want[0] == '\0' && o->snapshot == NULL) snprintf(want, sizeof want, "%s", id);
    if (o->snapshot != NULL && strcmp(o->snapshot, id) == 0) snprintf(want, sizeof want, "%s", id);
    /* Remember it for the error message (a short list, no duplicates). */
    bool seen = false;
    for (size_t i = 0; i < nids; i++) seen |= strcmp(known[i], id) == 0;
    if (!seen && nids < MAX_SNAP_IDS) {
      snprintf(known[nids++], sizeof known[0], "%s", id);
      idlen += (size_t)snprintf(ids + idlen, sizeof ids - idlen, "%s%s", idlen ? ", " : "", id);
      if (idlen >= sizeof ids) idlen = sizeof ids - 1;
    }
  }
  if (nids == 0) {
    snprintf(err, cap,
             "no snapshot in %s: lab 04 records one as notes \"snapshot ID: balance=...\"",
             tr->file);
    return NULL;
  }
  if (want[0] == '\0') {
    snprintf(err, cap, "no snapshot \"%s\" in %s (snapshots: %s)", o->snapshot, tr->file, ids);
    return NULL;
  }

  int nn = tr->node_count;
  snap_node *sn = calloc((size_t)nn, sizeof *sn);
  if (!sn) abort();
  long long money = 0, in_channels = 0;
  bool all_amounts = true;
  int balances = 0;
  Agraph_t *g = export_open_graph("snapshot");
  export_set(g, "layout", "dot");
  export_set(g, "rankdir", "LR");
  export_set(g, "fontname", "Helvetica");
  export_set(g, "nodesep", "0.6");
  export_set(g, "pad", "0.2");
  export_set(g, "labelloc", "t");
  agattr(g, AGNODE, "fontname", "Helvetica");
  agattr(g, AGNODE, "fontsize", "10");
  agattr(g, AGEDGE, "fontname", "Helvetica");
  agattr(g, AGEDGE, "fontsize", "9");
  /* Create the nodes first, in order, so the layout keeps them in order. */
  Agnode_t **gn = calloc((size_t)nn, sizeof *gn);
  if (!gn) abort();
  for (int i = 0; i < nn; i++) {
    if (!export_lane_kept(tr, o, i)) continue;
    char name[32];
    snprintf(name, sizeof name, "node:%d", i);
    gn[i] = agnode(g, name, 1);
  }

  char text[256];
  for (size_t k = 0; k < sel->count; k++) {
    const trace_event *e = &tr->events[sel->ev[k]];
    if (e->kind != TRACE_NOTE || e->node < 0) continue;
    const char *note = trace_text(tr, e->text);
    const char *rest = snapshot_note(note, id, sizeof id);
    if (rest == NULL) {
      /* "initiating snapshot ID" */
      static const char init[] = "initiating snapshot ";
      if (strncmp(note, init, sizeof init - 1) == 0 && strcmp(note + sizeof init - 1, want) == 0)
        sn[e->node].initiator = true;
      continue;
    }
    if (strcmp(id, want) != 0) continue;
    if (strcmp(rest, "done") == 0) {
      sn[e->node].done = true;
    } else if (strncmp(rest, "channel ", 8) == 0) {
      /* channel A->B: [..] */
      const char *ch = rest + 8, *arrow = strstr(ch, "->"), *colon = strstr(ch, ": ");
      if (arrow == NULL || colon == NULL || colon < arrow) continue;
      int from = node_by_name(tr, ch, (size_t)(arrow - ch));
      int to = node_by_name(tr, arrow + 2, (size_t)(colon - arrow - 2));
      if (from < 0 || to < 0 || gn[from] == NULL || gn[to] == NULL) continue;
      const char *list = colon + 2;
      Agedge_t *ed = agedge(g, gn[from], gn[to], NULL, 1);
      export_set(ed, "label", export_one_line(list, 60, true, text, sizeof text));
      if (strcmp(list, "[]") == 0) {
        export_set(ed, "style", "dotted");
        export_set(ed, "color", "grey50");
        export_set(ed, "fontcolor", "grey50");
      } else {
        export_set(ed, "color", "blue3");
        export_set(ed, "fontcolor", "blue3");
        export_set(ed, "penwidth", "1.5");
      }
      if (!sum_list(list, &in_channels)) all_amounts = false;
    } else {
      snap_node *s = &sn[e->node];
      s->recorded = true;
      size_t len = strlen(s->state);
      export_one_line(rest, 60, true, text, sizeof text);
      snprintf(s->state + len, sizeof s->state - len, "%s%s", len ? "\\n" : "", text);
      if (strncmp(rest, "balance=", 8) == 0) {
        char *end;
        long long v = strtoll(rest + 8, &end, 10);
        if (*end == '\0') {
          money += v;
          balances++;
        } else {
          all_amounts = false;
        }
      }
    }
  }

  int recorded = 0, done = 0, kept = 0;
  for (int i = 0; i < nn; i++) {
    if (gn[i] == NULL) continue;
    kept++;
    snap_node *s = &sn[i];
    char nm[64];
    export_one_line(tr->nodes[i], 30, true, nm, sizeof nm);
    export_set(gn[i], "shape", "box");
    if (s->recorded) {
      recorded++;
      done += s->done;
      export_setf(gn[i], "label", "%s%s\\n%s%s", nm, s->initiator ? " (initiator)" : "", s->state,
                  s->done ? "" : "\\n(incomplete)");
      export_set(gn[i], "style", s->done ? "rounded,filled" : "rounded,filled,dashed");
      export_set(gn[i], "fillcolor", s->initiator ? "lightgoldenrod1" : "lightyellow");
    } else {
      export_setf(gn[i], "label", "%s\\n(recorded nothing)", nm);
      export_set(gn[i], "style", "rounded,dashed");
    }
  }
  char title[256];
  int n = snprintf(title, sizeof title,
                   "%s %s, seed %llu: snapshot %s, %d of %d nodes recorded, %d done",
                   tr->lab[0] ? tr->lab : "trace", tr->scenario, (unsigned long long)tr->seed, want,
                   recorded, kept, done);
  if (all_amounts && balances == recorded && recorded > 0 && n > 0 && (size_t)n < sizeof title)
    snprintf(title + n, sizeof title - (size_t)n, "\\nbalances %lld + in channels %lld = %lld",
             money, in_channels, money + in_channels);
  export_set(g, "label", title);
  free(gn);
  free(sn);
  return g;
}
