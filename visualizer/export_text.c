/*
 * export_text.c: the two text exports of the spacetime view: a ShiViz log and a Mermaid sequence
 * diagram (see export.h for both formats and the rules they follow).
 *
 * ShiViz (Beschastnikh et al., "Debugging Distributed Systems", CACM 2016) rebuilds the
 * happened-before graph from vector clocks alone, so the log carries no message ids: each event
 * is a description line followed by "host {json clock}". Its parser rejects a log where a
 * host's own clock does not start at 1 and rise by exactly 1, or where an entry names a host
 * or an event that is not in the log; export_shiviz renumbers the clocks of a cut so that it
 * never does.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

/* The ShiViz events: those on a node that carry a vector clock in the trace (boot, send, recv,
 * timer, local, crash, restart: the events that tick the node's clock). A partition's "vc" slot
 * holds its groups, not a clock. */
static bool ticks(const trace_data *tr, const trace_event *e) {
  return e->node >= 0 && e->kind != TRACE_PARTITION && trace_vc(tr, e) != NULL;
}

/* A node name as a ShiViz host: no whitespace (the parser reads the host as \S*). */
static void host_name(const char *name, char *buf, size_t cap) {
  export_one_line(name, 0, false, buf, cap);
  for (char *p = buf; *p; p++)
    if (*p == ' ') *p = '_';
}

/* Write s as the inside of a JSON string. */
static void json_chars(FILE *out, const char *s) {
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', out);
    fputc(*s, out);
  }
}

/* Number of values in the sorted array a[0..n) that are <= v. */
static uint32_t count_le(const uint32_t *a, uint32_t n, uint32_t v) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (a[mid] <= v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

int export_shiviz(const trace_data *tr, const export_sel *sel, FILE *out) {
  int nn = tr->node_count;
  /* own[j]: the trace's own-clock values of node j's exported events, in order (so sorted:
   * a node's own entry only rises). */
  uint32_t **own = calloc((size_t)nn, sizeof *own);
  uint32_t *count = calloc((size_t)nn, sizeof *count), *capn = calloc((size_t)nn, sizeof *capn);
  if (!own || !count || !capn) abort();
  for (size_t k = 0; k < sel->count; k++) {
    const trace_event *e = &tr->events[sel->ev[k]];
    const uint32_t *vc = trace_vc(tr, e);
    if (!ticks(tr, e)) continue;
    int j = e->node;
    if (count[j] == capn[j]) {
      capn[j] = capn[j] ? capn[j] * 2 : 64;
      own[j] = realloc(own[j], capn[j] * sizeof *own[j]);
      if (!own[j]) abort();
    }
    own[j][count[j]++] = vc[j];
  }
  char desc[512], host[128];
  for (size_t k = 0; k < sel->count; k++) {
    const trace_event *e = &tr->events[sel->ev[k]];
    const uint32_t *vc = trace_vc(tr, e);
    if (!ticks(tr, e)) continue;
    fprintf(out, "%s\n", export_describe(tr, e, desc, sizeof desc));
    host_name(tr->nodes[e->node], host, sizeof host);
    fprintf(out, "%s {", host);
    bool first = true;
    for (int j = 0; j < nn; j++) {
      if (count[j] == 0) continue;
      uint32_t v = count_le(own[j], count[j], vc[j]);
      if (v == 0) continue; /* ShiViz drops zero entries itself */
      host_name(tr->nodes[j], host, sizeof host);
      fprintf(out, "%s\"", first ? "" : ",");
      json_chars(out, host);
      fprintf(out, "\":%u", v);
      first = false;
    }
    fprintf(out, "}\n");
  }
  for (int j = 0; j < nn; j++) free(own[j]);
  free(own);
  free(count);
  free(capn);
  return ferror(out) ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Mermaid. */

/* A participant id: the node's name when it is a plain word, else p<index>. */
static void mermaid_id(const trace_data *tr, int n, char *buf, size_t cap) {
  const char *name = tr->nodes[n];
  bool plain = name[0] != '\0' && strlen(name) < cap;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_'))
      plain = false;
  /* "end" and friends are Mermaid keywords. */
  if (strcmp(name, "end") == 0 || strcmp(name, "note") == 0 || strcmp(name, "loop") == 0)
    plain = false;
  if (plain)
    snprintf(buf, cap, "%s", name);
  else
    snprintf(buf, cap, "p%d", n);
}

/* Message or note text: one line, with the characters Mermaid treats specially as entities. */
static void mermaid_text(FILE *out, const char *s) {
  char line[256];
  export_one_line(s, 90, false, line, sizeof line);
  for (const char *p = line; *p; p++) {
    switch (*p) {
      case ';':
        fputs("#59;", out);
        break;
      case '#':
        fputs("#35;", out);
        break;
      case '<':
        fputs("#60;", out);
        break;
      case '>':
        fputs("#62;", out);
        break;
      default:
        fputc(*p, out);
    }
  }
  fputc('\n', out);
}

int export_mermaid(const trace_data *tr, const export_opts *o, const export_sel *sel, FILE *out) {
  int nn = tr->node_count;
  /* Which events are in the selection (to tell whether a message's other end is in it). */
  uint8_t *in = calloc(tr->count ? tr->count : 1, 1);
  if (!in) abort();
  for (size_t k = 0; k < sel->count; k++) in[sel->ev[k]] = 1;
  int first_lane = -1, last_lane = -1;
  char id[64], id2[64], text[512], body[160];

  fprintf(out, "```mermaid\n%%%% dsviz export: %s %s, seed %llu (%zu events%s)\n",
          tr->lab[0] ? tr->lab : "trace", tr->scenario, (unsigned long long)tr->seed, sel->count,
          sel->cut ? ", cut" : "");
  fprintf(out, "sequenceDiagram\n");
  for (int i = 0; i < nn; i++) {
    if (!export_lane_kept(tr, o, i)) continue;
    if (first_lane < 0) first_lane = i;
    last_lane = i;
    mermaid_id(tr, i, id, sizeof id);
    if (strcmp(id, tr->nodes[i]) == 0) {
      fprintf(out, "    participant %s\n", id);
    } else {
      fprintf(out, "    participant %s as ", id);
      mermaid_text(out, tr->nodes[i]);
    }
  }
  for (size_t k = 0; k < sel->count; k++) {
    uint32_t i = sel->ev[k];
    const trace_event *e = &tr->events[i];
    bool on_lane = export_lane_kept(tr, o, e->node);
    bool peer_lane = export_lane_kept(tr, o, e->peer);
    const char *name = trace_text(tr, e->name);
    export_one_line(trace_text(tr, e->text), 60, false, body, sizeof body);
    if (on_lane) mermaid_id(tr, e->node, id, sizeof id);
    if (peer_lane) mermaid_id(tr, e->peer, id2, sizeof id2);
    switch (e->kind) {
      case TRACE_SEND: {
        bool delivered = false;
        for (uint32_t j = e->link; j != TRACE_NONE; j = tr->events[j].next)
          if (in[j]) delivered = true;
        if (on_lane && peer_lane && !delivered) {
          fprintf(out, "    %s-)%s: ", id, id2);
          snprintf(text, sizeof text, "%s %s (in flight)", name, body);
          mermaid_text(out, text);
        }
        break;
      }
      case TRACE_RECV:
        if (!on_lane) break;
        if (peer_lane) {
          fprintf(out, "    %s->>%s: ", id2, id);
          snprintf(text, sizeof text, "%s %s%s", name, body,
                   (e->link != TRACE_NONE && tr->events[e->link].link != i) ? " (dup)" : "");
        } else {
          fprintf(out, "    Note over %s: ", id);
          snprintf(text, sizeof text, "recv %s from %s", name,
                   e->peer >= 0 ? tr->nodes[e->peer] : "a client");
        }
        mermaid_text(out, text);
        break;
      case TRACE_DROP:
        if (!on_lane || !peer_lane) break;
        fprintf(out, "    %s-x%s: ", id2, id);
        snprintf(text, sizeof text, "%s (%s)", name,
                 e->why == TRACE_WHY_LOSS ? "lost" : trace_why_name(e->why));
        mermaid_text(out, text);
        break;
      case TRACE_TIMER:
      case TRACE_STATE:
      case TRACE_NOTE:
      case TRACE_CRASH:
      case TRACE_RESTART:
      case TRACE_OTHER:
        if (e->kind == TRACE_OTHER && e->node < 0) goto global;
        if (!on_lane) break;
        if (e->kind == TRACE_TIMER)
          snprintf(text, sizeof text, "timer %s", name);
        else if (e->kind == TRACE_STATE)
          snprintf(text, sizeof text, "%s=%s", name, body);
        else if (e->kind == TRACE_NOTE)
          snprintf(text, sizeof text, "%s", body);
        else if (e->kind == TRACE_CRASH)
          snprintf(text, sizeof text, "CRASH");
        else if (e->kind == TRACE_RESTART)
          snprintf(text, sizeof text, "restart");
        else
          snprintf(text, sizeof text, "%s %s", name, body);
        fprintf(out, "    Note over %s: ", id);
        mermaid_text(out, text);
        break;
      case TRACE_PARTITION:
      case TRACE_HEAL:
      case TRACE_BLOCK:
      case TRACE_UNBLOCK:
      case TRACE_NET:
      case TRACE_VIOLATION:
      global:
        if (first_lane < 0) break;
        export_describe(tr, e, text, sizeof text);
        if (e->kind == TRACE_PARTITION) {
          /* export_describe says only "partition"; name the groups. */
          const int32_t *g = trace_groups(tr, e);
          size_t n = (size_t)snprintf(text, sizeof text, "partition:");
          int maxg = -1;
          for (int j = 0; g && j < nn; j++)
            if (g[j] > maxg) maxg = g[j];
          for (int grp = 0; grp <= maxg && n < sizeof text; grp++) {
            if (grp > 0) n += (size_t)snprintf(text + n, sizeof text - n, " |");
            for (int j = 0; j < nn && n < sizeof text; j++)
              if (g[j] == grp)
                n += (size_t)snprintf(text + n, sizeof text - n, " %s", tr->nodes[j]);
          }
        }
        mermaid_id(tr, first_lane, id, sizeof id);
        mermaid_id(tr, last_lane, id2, sizeof id2);
        if (first_lane == last_lane)
          fprintf(out, "    Note over %s: ", id);
        else
          fprintf(out, "    Note over %s,%s: ", id, id2);
        mermaid_text(out, text);
        break;
      default: /* boot, local, client operations: not drawn */
        break;
    }
  }
  fprintf(out, "```\n");
  free(in);
  return ferror(out) ? -1 : 0;
}
