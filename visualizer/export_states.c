/*
 * export_states.c: per-node state diagrams from a trace's `state` annotations (`--view states`).
 *
 * A protocol annotates its nodes with sim_state (role=leader, status=done, ...); the trace
 * records a `state` event each time a value changes. For one key, this view draws the values a
 * node went through as states and the changes as transitions, each labelled with how often it
 * happened and what triggered it. The trigger of a change is the input of the handler that
 * made it: the latest receive, timer, boot, restart or local step of that node before the
 * `state` event (sends are a handler's outputs, so they are skipped). A transition reads, say,
 * "timer election x3 / recv RequestVote x2". A crash moves a node to a dashed "crashed"
 * pseudo-state, and the first value after a restart leaves it; a dot marks where each node
 * started (the start of the run, or of the --from cut).
 *
 * One cluster per node, or a single diagram with every node's counts added (--merged). The
 * key is --key K, else "role" if the selection has it, else the first key seen. At most
 * MAX_STATES values per diagram are drawn; the rest are merged into an "(other)" state.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_STATES = 60, MAX_LABEL_LINES = 4 };

/* Pseudo values (state values are string ids, which never reach these). */
#define V_START (TRACE_NONE - 1)
#define V_CRASHED (TRACE_NONE - 2)
#define V_OTHER (TRACE_NONE - 3)

typedef struct st_state {
  int scope;        /* node index, or -1 in a merged diagram */
  trace_sid value;  /* a value's string id or a V_* pseudo value */
  uint32_t entered; /* times a node entered it */
} st_state;

typedef struct st_trans {
  int scope;
  trace_sid from, to;
  uint8_t kind;   /* the trigger's event kind (TRACE_KIND_COUNT: none) */
  trace_sid name; /* the trigger's message type or timer name */
  uint32_t count;
} st_trans;

typedef struct st_book {
  st_state *states;
  size_t nstates, cstates;
  st_trans *trans;
  size_t ntrans, ctrans;
} st_book;

static st_state *find_state(st_book *b, int scope, trace_sid v, bool add) {
  size_t in_scope = 0;
  for (size_t i = 0; i < b->nstates; i++) {
    if (b->states[i].scope != scope) continue;
    if (b->states[i].value == v) return &b->states[i];
    in_scope++;
  }
  if (!add) return NULL;
  if (in_scope >= MAX_STATES && v != V_START && v != V_CRASHED && v != V_OTHER)
    return find_state(b, scope, V_OTHER, true);
  if (b->nstates == b->cstates) {
    b->cstates = b->cstates ? b->cstates * 2 : 32;
    b->states = realloc(b->states, b->cstates * sizeof *b->states);
    if (!b->states) abort();
  }
  st_state *s = &b->states[b->nstates++];
  s->scope = scope;
  s->value = v;
  s->entered = 0;
  return s;
}

static void add_trans(st_book *b, int scope, trace_sid from, trace_sid to, uint8_t kind,
                      trace_sid name) {
  for (size_t i = 0; i < b->ntrans; i++) {
    st_trans *t = &b->trans[i];
    if (t->scope == scope && t->from == from && t->to == to && t->kind == kind && t->name == name) {
      t->count++;
      return;
    }
  }
  if (b->ntrans == b->ctrans) {
    b->ctrans = b->ctrans ? b->ctrans * 2 : 32;
    b->trans = realloc(b->trans, b->ctrans * sizeof *b->trans);
    if (!b->trans) abort();
  }
  b->trans[b->ntrans++] = (st_trans){scope, from, to, kind, name, 1};
}

/* Enter state `to` on node n (scope sc): count it and its transition from cur[n]. */
static void enter(st_book *b, int sc, trace_sid *cur, int n, trace_sid to, uint8_t kind,
                  trace_sid name) {
  st_state *s = find_state(b, sc, to, true);
  to = s->value; /* may have become V_OTHER */
  s->entered++;
  find_state(b, sc, cur[n], true);
  add_trans(b, sc, cur[n], to, kind, name);
  cur[n] = to;
}

static void trigger_text(const trace_data *tr, uint8_t kind, trace_sid name, char *buf,
                         size_t cap) {
  char nm[64];
  export_one_line(trace_text(tr, name), 30, true, nm, sizeof nm);
  switch (kind) {
    case TRACE_RECV:
      snprintf(buf, cap, "recv %s", nm);
      break;
    case TRACE_TIMER:
      snprintf(buf, cap, "timer %s", nm);
      break;
    case TRACE_KIND_COUNT:
      snprintf(buf, cap, "start");
      break;
    default:
      snprintf(buf, cap, "%s", trace_kind_name(kind));
      break;
  }
}

static void state_name(int scope, trace_sid v, char *buf, size_t cap) {
  snprintf(buf, cap, "%d|%u", scope, (unsigned)v);
}

static int cmp_count_desc(const void *a, const void *b) {
  const st_trans *x = *(st_trans *const *)a, *y = *(st_trans *const *)b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->name < y->name ? -1 : x->name > y->name;
}

/* Choose the key: o->key, else "role" if present, else the first key of a kept node. */
static trace_sid choose_key(const trace_data *tr, const export_opts *o, const export_sel *sel,
                            char *err, size_t cap) {
  trace_sid first = 0, role = trace_find_text(tr, "role");
  bool has_role = false;
  trace_sid want = o->key ? trace_find_text(tr, o->key) : 0;
  bool has_want = false;
  for (size_t k = 0; k < sel->count; k++) {
    const trace_event *e = &tr->events[sel->ev[k]];
    if (e->kind != TRACE_STATE || !export_lane_kept(tr, o, e->node)) continue;
    if (first == 0) first = e->name;
    if (role != 0 && e->name == role) has_role = true;
    if (want != 0 && e->name == want) has_want = true;
  }
  if (first == 0) {
    snprintf(err, cap, "no state events in %s%s (a protocol annotates with sim_state)", tr->file,
             (o->from > 0 || o->to != UINT64_MAX || o->some_nodes) ? " in the chosen cut" : "");
    return 0;
  }
  if (o->key) {
    if (has_want) return want;
    /* List the keys there are. */
    char keys[256] = "";
    size_t n = 0;
    trace_sid seen[16];
    int nseen = 0;
    for (size_t k = 0; k < sel->count && nseen < 16; k++) {
      const trace_event *e = &tr->events[sel->ev[k]];
      if (e->kind != TRACE_STATE || !export_lane_kept(tr, o, e->node)) continue;
      bool dup = false;
      for (int i = 0; i < nseen; i++) dup |= seen[i] == e->name;
      if (dup) continue;
      seen[nseen++] = e->name;
      n += (size_t)snprintf(keys + n, sizeof keys - n, "%s%s", nseen > 1 ? ", " : "",
                            trace_text(tr, e->name));
      if (n >= sizeof keys) break;
    }
    snprintf(err, cap, "no state events with key \"%s\" in %s (keys: %s)", o->key, tr->file, keys);
    return 0;
  }
  return has_role ? role : first;
}

Agraph_t *export_states_graph(const trace_data *tr, const export_opts *o, const export_sel *sel,
                              char *err, size_t cap) {
  trace_sid key = choose_key(tr, o, sel, err, cap);
  if (key == 0) return NULL;
  int nn = tr->node_count;
  trace_sid *cur = malloc((size_t)nn * sizeof *cur);
  uint8_t *tkind = malloc((size_t)nn);
  trace_sid *tname = calloc((size_t)nn, sizeof *tname);
  bool *started = calloc((size_t)nn, sizeof *started);
  if (!cur || !tkind || !tname || !started) abort();
  for (int i = 0; i < nn; i++) {
    cur[i] = V_START;
    tkind[i] = TRACE_KIND_COUNT;
  }
  st_book b = {0};

  for (size_t k = 0; k < sel->count; k++) {
    const trace_event *e = &tr->events[sel->ev[k]];
    int n = e->node;
    if (!export_lane_kept(tr, o, n)) continue;
    int sc = o->merged ? -1 : n;
    switch (e->kind) {
      case TRACE_RECV:
      case TRACE_TIMER:
        tkind[n] = e->kind;
        tname[n] = e->name;
        break;
      case TRACE_BOOT:
      case TRACE_RESTART:
      case TRACE_LOCAL:
        tkind[n] = e->kind;
        tname[n] = 0;
        break;
      case TRACE_CRASH:
        if (started[n]) enter(&b, sc, cur, n, V_CRASHED, TRACE_CRASH, 0);
        tkind[n] = TRACE_CRASH;
        tname[n] = 0;
        break;
      case TRACE_STATE:
        if (e->name != key) break;
        enter(&b, sc, cur, n, e->text, tkind[n], tname[n]);
        started[n] = true;
        break;
      default:
        break;
    }
  }

  Agraph_t *g = export_open_graph("states");
  export_set(g, "layout", "dot");
  export_set(g, "fontname", "Helvetica");
  export_set(g, "nodesep", "0.4");
  export_set(g, "pad", "0.2");
  {
    char k[64], a[32], bb[32];
    export_one_line(trace_text(tr, key), 40, true, k, sizeof k);
    trace_format_time(o->from, a, sizeof a);
    if (o->to == UINT64_MAX)
      snprintf(bb, sizeof bb, "end");
    else
      trace_format_time(o->to, bb, sizeof bb);
    export_setf(g, "label", "%s %s, seed %llu: states of \"%s\" (t=%s to %s)%s",
                tr->lab[0] ? tr->lab : "trace", tr->scenario, (unsigned long long)tr->seed, k, a,
                bb, o->merged ? ", all nodes merged" : "");
  }
  export_set(g, "labelloc", "t");
  agattr(g, AGNODE, "fontname", "Helvetica");
  agattr(g, AGNODE, "fontsize", "10");
  agattr(g, AGEDGE, "fontname", "Helvetica");
  agattr(g, AGEDGE, "fontsize", "9");

  /* One cluster per node (or the root graph when merged). */
  Agraph_t **sub = calloc((size_t)nn + 1, sizeof *sub);
  if (!sub) abort();
  char name[64], label[256], text[128];
  for (size_t i = 0; i < b.nstates; i++) {
    st_state *s = &b.states[i];
    Agraph_t *where = g;
    if (s->scope >= 0) {
      if (sub[s->scope] == NULL) {
        snprintf(name, sizeof name, "cluster_%d", s->scope);
        sub[s->scope] = agsubg(g, name, 1);
        export_set(sub[s->scope], "label",
                   export_one_line(tr->nodes[s->scope], 40, true, text, sizeof text));
        export_set(sub[s->scope], "style", "rounded");
        export_set(sub[s->scope], "color", "grey60");
      }
      where = sub[s->scope];
    }
    state_name(s->scope, s->value, name, sizeof name);
    Agnode_t *n = agnode(where, name, 1);
    if (s->value == V_START) {
      export_set(n, "shape", "point");
      export_set(n, "width", "0.15");
      if (o->from > 0) {
        char a[32];
        export_setf(n, "xlabel", "t=%s", trace_format_time(o->from, a, sizeof a));
      }
      export_set(n, "label", "");
    } else if (s->value == V_CRASHED) {
      export_set(n, "shape", "box");
      export_set(n, "style", "dashed,rounded");
      export_setf(n, "label", "crashed\\nentered %ux", s->entered);
    } else {
      const char *v = s->value == V_OTHER ? "(other values)" : trace_text(tr, s->value);
      export_one_line(v, 40, true, text, sizeof text);
      export_setf(n, "label", "%s\\nentered %ux", text, s->entered);
      export_set(n, "shape", "box");
      export_set(n, "style", "rounded,filled");
      export_set(n, "fillcolor", "lightyellow");
    }
  }

  /* One edge per (scope, from, to), its label listing the triggers by count. */
  st_trans **order = malloc((b.ntrans ? b.ntrans : 1) * sizeof *order);
  bool *done = calloc(b.ntrans ? b.ntrans : 1, sizeof *done);
  if (!order || !done) abort();
  for (size_t i = 0; i < b.ntrans; i++) {
    if (done[i]) continue;
    size_t m = 0;
    for (size_t j = i; j < b.ntrans; j++) {
      if (done[j]) continue;
      if (b.trans[j].scope == b.trans[i].scope && b.trans[j].from == b.trans[i].from &&
          b.trans[j].to == b.trans[i].to) {
        order[m++] = &b.trans[j];
        done[j] = true;
      }
    }
    qsort(order, m, sizeof *order, cmp_count_desc);
    size_t len = 0;
    label[0] = '\0';
    for (size_t j = 0; j < m && len < sizeof label; j++) {
      if (j == MAX_LABEL_LINES) {
        size_t rest = 0;
        for (size_t r = j; r < m; r++) rest += order[r]->count;
        len += (size_t)snprintf(label + len, sizeof label - len, "+%zu more", rest);
        break;
      }
      trigger_text(tr, order[j]->kind, order[j]->name, text, sizeof text);
      len += (size_t)snprintf(label + len, sizeof label - len, "%s%s x%u", j ? "\\n" : "", text,
                              order[j]->count);
    }
    char from[64], to[64];
    state_name(b.trans[i].scope, b.trans[i].from, from, sizeof from);
    state_name(b.trans[i].scope, b.trans[i].to, to, sizeof to);
    Agedge_t *e = agedge(g, agnode(g, from, 0), agnode(g, to, 0), NULL, 1);
    export_set(e, "label", label);
    if (b.trans[i].to == V_CRASHED || b.trans[i].from == V_CRASHED)
      export_set(e, "style", "dashed");
  }
  free(order);
  free(done);
  free(sub);
  free(b.states);
  free(b.trans);
  free(cur);
  free(tkind);
  free(tname);
  free(started);
  return g;
}
