/*
 * model.c: filtered rows, checkpoints and the state at any event (see model.h).
 */
#include "model.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define xrealloc(p, n) mem_realloc((p), (n), "dsviz")

static void state_reset(viz_state *s) {
  memset(s, 0, sizeof *s);
  for (int i = 0; i < VIZ_MAX_NODES; i++) s->group[i] = -1;
}

void viz_state_apply(const trace_data *tr, viz_state *s, const trace_event *e) {
  int n = tr->node_count < VIZ_MAX_NODES ? tr->node_count : VIZ_MAX_NODES;
  int node = e->node;
  bool has_node = node >= 0 && node < n;
  switch (e->kind) {
    case TRACE_BOOT:
    case TRACE_RESTART:
      if (has_node) s->up[node] = true;
      break;
    case TRACE_CRASH:
      if (has_node) s->up[node] = false;
      break;
    case TRACE_STATE:
      if (has_node) {
        int k = 0;
        while (k < s->nkeys[node] && s->key[node][k] != e->name) k++;
        if (k == s->nkeys[node]) {
          if (k == VIZ_MAX_KEYS) break;
          s->key[node][k] = e->name;
          s->nkeys[node]++;
        }
        s->value[node][k] = e->text;
      }
      break;
    case TRACE_PARTITION: {
      const int32_t *g = trace_groups(tr, e);
      for (int i = 0; i < n; i++) s->group[i] = g ? g[i] : -1;
      break;
    }
    case TRACE_HEAL:
      for (int i = 0; i < n; i++) s->group[i] = -1;
      s->blocked = 0;
      break;
    case TRACE_BLOCK:
      s->blocked++;
      break;
    case TRACE_UNBLOCK:
      if (s->blocked) s->blocked--;
      break;
    case TRACE_NET:
      s->net = e->text;
      break;
    case TRACE_VIOLATION:
      s->violations++;
      break;
    default:
      break;
  }
  s->upto++;
}

bool viz_filter_shows(const viz_model *m, size_t i) {
  const trace_event *e = &m->tr->events[i];
  const viz_filter *f = &m->filter;
  bool msg = e->kind == TRACE_SEND || e->kind == TRACE_RECV || e->kind == TRACE_DROP;
  if (f->node >= 0) {
    bool global = e->kind == TRACE_PARTITION || e->kind == TRACE_HEAL ||
                  e->kind == TRACE_VIOLATION || e->kind == TRACE_END;
    if (!(e->node == f->node || (msg && e->peer == f->node) || global)) return false;
  }
  if (f->type && !((msg || e->kind == TRACE_TIMER) && e->name == f->type)) return false;
  if (f->kind >= 0 && e->kind != f->kind) return false;
  return true;
}

static void push_row(viz_model *m, uint32_t ev) {
  if (m->nrows == m->rows_cap) {
    m->rows_cap = m->rows_cap ? m->rows_cap * 2 : 1024;
    m->rows = xrealloc(m->rows, m->rows_cap * sizeof *m->rows);
  }
  m->rows[m->nrows++] = ev;
}

size_t viz_model_sync(viz_model *m) {
  const trace_data *tr = m->tr;
  size_t before = m->synced;
  for (size_t i = m->synced; i < tr->count; i++) {
    if (i % VIZ_CP_EVERY == 0) {
      if (m->ncps == m->cps_cap) {
        m->cps_cap = m->cps_cap ? m->cps_cap * 2 : 16;
        m->cps = xrealloc(m->cps, m->cps_cap * sizeof *m->cps);
      }
      m->cps[m->ncps++] = m->cur;
    }
    viz_state_apply(tr, &m->cur, &tr->events[i]);
    if (viz_filter_shows(m, i)) push_row(m, (uint32_t)i);
  }
  m->synced = tr->count;
  return m->synced - before;
}

void viz_model_init(viz_model *m, const trace_data *tr) {
  memset(m, 0, sizeof *m);
  m->tr = tr;
  m->filter.node = -1;
  m->filter.kind = -1;
  state_reset(&m->cur);
  viz_model_sync(m);
}

void viz_model_free(viz_model *m) {
  free(m->rows);
  free(m->cps);
  memset(m, 0, sizeof *m);
}

void viz_model_set_filter(viz_model *m, viz_filter f) {
  m->filter = f;
  m->nrows = 0;
  for (size_t i = 0; i < m->synced; i++)
    if (viz_filter_shows(m, i)) push_row(m, (uint32_t)i);
}

int viz_filter_parse(const trace_data *tr, const char *text, viz_filter *out, char *err,
                     size_t cap) {
  viz_filter f = {-1, 0, -1};
  while (*text == ' ') text++;
  size_t len = strlen(text);
  while (len && text[len - 1] == ' ') len--;
  char word[128];
  if (len >= sizeof word) len = sizeof word - 1;
  memcpy(word, text, len);
  word[len] = '\0';
  if (len == 0) {
    *out = f;
    return 0;
  }
  for (int i = 0; i < tr->node_count; i++)
    if (strcmp(tr->nodes[i], word) == 0) {
      f.node = i;
      *out = f;
      return 0;
    }
  trace_sid s = trace_find_text(tr, word);
  for (int i = 0; s && i < tr->type_count; i++)
    if (tr->types[i] == s) f.type = s;
  for (int i = 0; s && i < tr->timer_count; i++)
    if (tr->timers[i] == s) f.type = s;
  if (f.type) {
    *out = f;
    return 0;
  }
  for (int k = 0; k < TRACE_KIND_COUNT - 1; k++)
    if (strcasecmp(trace_kind_name(k), word) == 0) {
      f.kind = k;
      *out = f;
      return 0;
    }
  snprintf(err, cap, "no node, message type, timer or event kind is called \"%s\"", word);
  return -1;
}

void viz_filter_describe(const trace_data *tr, const viz_filter *f, char *buf, size_t cap) {
  if (f->node >= 0)
    snprintf(buf, cap, "node %s", tr->nodes[f->node]);
  else if (f->type)
    snprintf(buf, cap, "type %s", trace_text(tr, f->type));
  else if (f->kind >= 0)
    snprintf(buf, cap, "kind %s", trace_kind_name(f->kind));
  else
    snprintf(buf, cap, "all events");
}

void viz_state_at(const viz_model *m, size_t upto, viz_state *out) {
  if (upto > m->synced) upto = m->synced;
  size_t k = upto / VIZ_CP_EVERY;
  if (k >= m->ncps) k = m->ncps ? m->ncps - 1 : 0;
  if (m->ncps == 0) {
    state_reset(out);
  } else {
    *out = m->cps[k];
  }
  for (size_t i = out->upto; i < upto; i++) viz_state_apply(m->tr, out, &m->tr->events[i]);
}

size_t viz_row_at_or_after(const viz_model *m, size_t ev) {
  size_t lo = 0, hi = m->nrows;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->rows[mid] < ev)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

size_t viz_row_at_time(const viz_model *m, uint64_t t) {
  size_t lo = 0, hi = m->nrows;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->tr->events[m->rows[mid]].t < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

uint32_t viz_msg_end(const trace_data *tr, const trace_event *send) {
  (void)tr;
  return send->kind == TRACE_SEND ? send->link : TRACE_NONE;
}

bool viz_in_flight(const trace_data *tr, uint32_t send, size_t upto) {
  if (send >= upto) return false; /* not sent yet */
  uint32_t end = viz_msg_end(tr, &tr->events[send]);
  return end == TRACE_NONE || end >= upto;
}

int viz_parse_time(const char *s, uint64_t *out) {
  char *end;
  while (*s == ' ') s++;
  if (!*s || *s == '-') return -1;
  double v = strtod(s, &end);
  if (end == s) return -1;
  while (*end == ' ') end++;
  double scale = 1;
  if (strcmp(end, "s") == 0)
    scale = 1e6;
  else if (strcmp(end, "ms") == 0)
    scale = 1e3;
  else if (strcmp(end, "us") == 0 || *end == '\0')
    scale = 1;
  else
    return -1;
  v *= scale;
  if (!(v >= 0) || v > 1.8e19) return -1;
  *out = (uint64_t)(v + 0.5);
  return 0;
}
