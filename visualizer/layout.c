/*
 * layout.c: draw the viewer's screen into a canvas (see layout.h). No ncurses here.
 *
 * A message is drawn as a staircase from its send to its receive: the horizontal distance
 * between the two lanes is shared out over the rows between the two events, and each row draws
 * its share with a corner where the line steps down:
 *
 *      ●──╮                 (send on n0)
 *         ╰──Ping──╮
 *                  ╰───▶●   (receive on n1)
 *
 * A dropped message stops two thirds of the way with a cross. Messages in flight at the cursor
 * use heavy lines (and bold), so they stand out without colour too. Only the rows on screen
 * are computed, so a message spanning a million rows costs no more than one spanning three.
 */
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Glyphs, Unicode and ASCII.
 */
enum {
  G_H,
  G_V,
  G_LD,
  G_UR,
  G_UL,
  G_RD, /* light lines: ─ │ ╮ ╰ ╯ ╭ */
  G_HH,
  G_HV,
  G_HLD,
  G_HUR,
  G_HUL,
  G_HRD, /* heavy lines (in flight) */
  G_HEAD_R,
  G_HEAD_L,
  G_CROSS,
  G_DOT,
  G_RING,
  G_TIMER,
  G_STATE,
  G_NOTE,
  G_CRASH,
  G_LANE,
  G_DEAD,
  G_DASH,
  G_MORE,
  G_BOX_TL,
  G_BOX_TR,
  G_BOX_BL,
  G_BOX_BR,
  G_ARROW_R,
  G_ARROW_L,
  G_PLAY,
  G_PAUSE,
  G_COUNT
};
static const uint32_t uni[G_COUNT] = {
    0x2500, 0x2502, 0x256E, 0x2570, 0x256F, 0x256D, 0x2501, 0x2503, 0x2513, 0x2517, 0x251B,
    0x250F, 0x25B6, 0x25C0, 0x2715, 0x25CF, 0x25CB, 0x25C6, 0x25C7, 0x00B7, 0x2716, 0x2502,
    0x250A, 0x2504, 0x2026, 0x250C, 0x2510, 0x2514, 0x2518, 0x2192, 0x2190, 0x25B6, 0x2016};
static const char ascii_glyphs[G_COUNT + 1] = "-|++++=|++++><xoO*+.X|:-~++++><>=";

static uint32_t glyph(const viz_view *v, int g) {
  return v->ascii ? (uint32_t)(unsigned char)ascii_glyphs[g] : uni[g];
}

/* ---------------------------------------------------------------------------------------------
 * The canvas.
 */
void viz_canvas_resize(viz_canvas *c, int w, int h) {
  if (w < 1) w = 1;
  if (h < 1) h = 1;
  if (c->w * c->h < w * h || !c->cells) {
    free(c->cells);
    c->cells = calloc((size_t)w * (size_t)h, sizeof *c->cells);
    if (!c->cells) abort();
  }
  c->w = w;
  c->h = h;
}

void viz_canvas_free(viz_canvas *c) {
  free(c->cells);
  c->cells = NULL;
  c->w = c->h = 0;
}

const viz_cell *viz_canvas_at(const viz_canvas *c, int x, int y) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return NULL;
  return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

static size_t put_utf8(uint32_t cp, char *out) {
  if (cp < 0x80) return out[0] = (char)cp, 1;
  if (cp < 0x800) return out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F)), 2;
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12);
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18);
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

char *viz_canvas_row(const viz_canvas *c, int y, char *buf, size_t cap) {
  size_t n = 0;
  if (cap == 0) return buf;
  for (int x = 0; y >= 0 && y < c->h && x < c->w; x++) {
    uint32_t ch = c->cells[(size_t)y * (size_t)c->w + (size_t)x].ch;
    if (ch == 0) continue;
    if (n + 5 >= cap) break;
    n += put_utf8(ch, buf + n);
  }
  buf[n] = '\0';
  return buf;
}

static void set(viz_canvas *c, int x, int y, uint32_t ch, int color, int attr) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
  viz_cell *cell = &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
  cell->ch = ch;
  cell->color = (uint8_t)color;
  cell->attr = (uint8_t)attr;
}

static uint32_t cell_ch(const viz_canvas *c, int x, int y) {
  const viz_cell *cell = viz_canvas_at(c, x, y);
  return cell ? cell->ch : 0;
}

/* Decode one UTF-8 character at *s (advancing it); invalid bytes give U+FFFD. */
static uint32_t next_cp(const char **s) {
  const unsigned char *p = (const unsigned char *)*s;
  uint32_t cp;
  int extra;
  if (p[0] < 0x80)
    cp = p[0], extra = 0;
  else if ((p[0] & 0xE0) == 0xC0)
    cp = p[0] & 0x1F, extra = 1;
  else if ((p[0] & 0xF0) == 0xE0)
    cp = p[0] & 0x0F, extra = 2;
  else if ((p[0] & 0xF8) == 0xF0)
    cp = p[0] & 0x07, extra = 3;
  else {
    *s += 1;
    return 0xFFFD;
  }
  for (int i = 1; i <= extra; i++) {
    if ((p[i] & 0xC0) != 0x80) {
      *s += i;
      return 0xFFFD;
    }
    cp = cp << 6 | (p[i] & 0x3F);
  }
  *s += 1 + extra;
  return cp;
}

/* Cells a code point takes: 2 for wide East Asian characters and emoji, else 1. (A fixed table,
 * not wcwidth, so that layout does not depend on the locale.) */
static int cp_width(uint32_t cp) {
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
      (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
    return 2;
  return 1;
}

/* Write text at (x, y), at most maxw cells; control characters become spaces, and non-ASCII
 * becomes '?' in ASCII mode. When only_blank, stop at the first cell that is not blank (so a
 * label never cuts through an arrow). Returns the cells written. */
static int text(viz_canvas *c, const viz_view *v, int x, int y, int maxw, const char *s, int color,
                int attr, bool only_blank) {
  int w = 0;
  while (*s && w < maxw) {
    uint32_t cp = next_cp(&s);
    if (cp < 0x20 || cp == 0x7F) cp = ' ';
    if (v->ascii && cp >= 0x80) cp = '?';
    int cw = cp_width(cp);
    if (w + cw > maxw) break;
    if (only_blank && (cell_ch(c, x + w, y) != ' ' || (cw == 2 && cell_ch(c, x + w + 1, y) != ' ')))
      break;
    set(c, x + w, y, cp, color, attr);
    if (cw == 2) set(c, x + w + 1, y, 0, color, attr);
    w += cw;
  }
  return w;
}

static void fill(viz_canvas *c, int x, int y, int w, uint32_t ch, int color, int attr) {
  for (int i = 0; i < w; i++) set(c, x + i, y, ch, color, attr);
}

/* Text width of a UTF-8 string in cells. */
static int text_width(const char *s) {
  int w = 0;
  while (*s) w += cp_width(next_cp(&s));
  return w;
}

static void box(viz_canvas *c, const viz_view *v, int x, int y, int w, int h, const char *title) {
  for (int r = 0; r < h; r++) fill(c, x, y + r, w, ' ', VIZ_C_DEFAULT, 0);
  fill(c, x, y, w, glyph(v, G_H), VIZ_C_DEFAULT, VIZ_A_BOLD);
  fill(c, x, y + h - 1, w, glyph(v, G_H), VIZ_C_DEFAULT, VIZ_A_BOLD);
  for (int r = 0; r < h; r++) {
    set(c, x, y + r, glyph(v, G_V), VIZ_C_DEFAULT, VIZ_A_BOLD);
    set(c, x + w - 1, y + r, glyph(v, G_V), VIZ_C_DEFAULT, VIZ_A_BOLD);
  }
  set(c, x, y, glyph(v, G_BOX_TL), VIZ_C_DEFAULT, VIZ_A_BOLD);
  set(c, x + w - 1, y, glyph(v, G_BOX_TR), VIZ_C_DEFAULT, VIZ_A_BOLD);
  set(c, x, y + h - 1, glyph(v, G_BOX_BL), VIZ_C_DEFAULT, VIZ_A_BOLD);
  set(c, x + w - 1, y + h - 1, glyph(v, G_BOX_BR), VIZ_C_DEFAULT, VIZ_A_BOLD);
  if (title) text(c, v, x + 2, y, w - 4, title, VIZ_C_DEFAULT, VIZ_A_BOLD, false);
}

/* ---------------------------------------------------------------------------------------------
 * Geometry and scrolling.
 */
void viz_view_init(viz_view *v, int w, int h) {
  memset(v, 0, sizeof *v);
  v->width = w;
  v->height = h;
  v->sel_node = -1;
  v->color = true;
  v->speed = 10;
  v->follow_cursor = true;
}

void viz_geometry(const viz_model *m, const viz_view *v, viz_geom *g) {
  memset(g, 0, sizeof *g);
  int n = m->tr->node_count;
  g->lanes = n < VIZ_MAX_NODES ? n : VIZ_MAX_NODES;
  g->gutter = 10;
  g->panel_w = v->width / 4;
  if (g->panel_w < 22) g->panel_w = 22;
  if (g->panel_w > 40) g->panel_w = 40;
  g->diag_x0 = g->gutter;
  g->diag_x1 = v->width - g->panel_w - 1;
  g->panel_x = g->diag_x1 + 1;
  g->detail_h = 4;
  g->status_y = v->height - 1;
  g->detail_y = g->status_y - g->detail_h;
  g->diag_y0 = 2;
  g->diag_h = g->detail_y - g->diag_y0;
  int spacing = g->lanes ? (g->diag_x1 - g->diag_x0) / g->lanes : 0;
  g->too_small =
      v->width < VIZ_MIN_WIDTH || v->height < VIZ_MIN_HEIGHT || (g->lanes > 0 && spacing < 4);
  for (int i = 0; i < g->lanes; i++) g->lane_x[i] = g->diag_x0 + spacing * i + spacing / 2;
}

uint64_t viz_default_us_per_row(const viz_model *m) {
  if (m->nrows < 2) return 1000;
  uint64_t span = m->tr->events[m->rows[m->nrows - 1]].t - m->tr->events[m->rows[0]].t;
  uint64_t per = span / (m->nrows - 1);
  /* Round to a "nice" 1, 2 or 5 times a power of ten. */
  uint64_t nice = 1;
  while (nice * 10 <= per) nice *= 10;
  if (per >= nice * 5)
    nice *= 5;
  else if (per >= nice * 2)
    nice *= 2;
  return nice ? nice : 1;
}

static uint64_t upr(const viz_model *m, const viz_view *v) {
  return v->us_per_row ? v->us_per_row : viz_default_us_per_row(m);
}

void viz_scroll(const viz_model *m, viz_view *v, const viz_geom *g) {
  if (m->nrows == 0) {
    v->cursor = v->top = 0;
    return;
  }
  if (v->cursor >= m->nrows) v->cursor = m->nrows - 1;
  if (v->top >= m->nrows) v->top = m->nrows - 1;
  if (!v->follow_cursor || g->diag_h <= 0) return;
  size_t h = (size_t)g->diag_h, margin = h > 8 ? 2 : 0;
  if (!v->scaled) {
    if (v->cursor < v->top + margin) v->top = v->cursor > margin ? v->cursor - margin : 0;
    if (v->cursor + margin >= v->top + h) v->top = v->cursor + margin + 1 - h;
  } else {
    uint64_t u = upr(m, v), t = m->tr->events[m->rows[v->cursor]].t;
    if (t < v->t_top + margin * u) v->t_top = t > margin * u ? t - margin * u : 0;
    if (t >= v->t_top + (h - margin) * u) v->t_top = t - (h - margin - 1) * u;
    v->t_top -= v->t_top % u;
  }
}

long viz_event_y(const viz_model *m, const viz_view *v, const viz_geom *g, size_t ev) {
  (void)g;
  if (!v->scaled) return (long)viz_row_at_or_after(m, ev) - (long)v->top;
  uint64_t t = m->tr->events[ev].t, u = upr(m, v);
  if (t < v->t_top) return -1 - (long)((v->t_top - t) / u);
  uint64_t y = (t - v->t_top) / u;
  return y > (uint64_t)1 << 40 ? (long)1 << 40 : (long)y;
}

/* The rows of the model shown on screen: [*lo, *hi). */
static void visible_rows(const viz_model *m, const viz_view *v, const viz_geom *g, size_t *lo,
                         size_t *hi) {
  if (!v->scaled) {
    *lo = v->top;
    *hi = v->top + (size_t)g->diag_h;
  } else {
    uint64_t u = upr(m, v);
    *lo = viz_row_at_time(m, v->t_top);
    *hi = viz_row_at_time(m, v->t_top + (uint64_t)g->diag_h * u);
  }
  if (*hi > m->nrows) *hi = m->nrows;
  if (*lo > *hi) *lo = *hi;
}

bool viz_hit(const viz_model *m, const viz_view *v, int x, int y, size_t *row, int *node) {
  viz_geom g;
  viz_geometry(m, v, &g);
  *row = SIZE_MAX;
  *node = -1;
  if (g.too_small || x >= g.diag_x1) return false;
  if (x >= g.diag_x0 && g.lanes > 0) {
    int best = 0;
    for (int i = 1; i < g.lanes; i++)
      if (abs(g.lane_x[i] - x) < abs(g.lane_x[best] - x)) best = i;
    *node = best;
  }
  int dy = y - g.diag_y0;
  if (dy >= 0 && dy < g.diag_h) {
    size_t lo, hi;
    visible_rows(m, v, &g, &lo, &hi);
    for (size_t r = lo; r < hi; r++) {
      long ey = viz_event_y(m, v, &g, m->rows[r]);
      if (ey == dy) {
        /* In scaled mode several events share a row: prefer one on the clicked lane. */
        *row = r;
        if (!v->scaled || m->tr->events[m->rows[r]].node == *node) break;
      }
      if (ey > dy) break;
    }
  } else if (y == 1) {
    return *node >= 0; /* the lane header: selects a node */
  }
  return *row != SIZE_MAX || *node >= 0;
}

/* ---------------------------------------------------------------------------------------------
 * Describing an event in words.
 */
static const char *node_name(const trace_data *tr, int n) {
  if (n == -1) return "client";
  return n >= 0 && n < tr->node_count ? tr->nodes[n] : "?";
}

void viz_describe(const viz_model *m, size_t ev, char *l1, char *l2, char *l3, size_t cap) {
  const trace_data *tr = m->tr;
  const trace_event *e = &tr->events[ev];
  char t[32], t2[32], d[32], extra[160] = "";
  trace_format_time(e->t, t, sizeof t);
  const char *name = trace_text(tr, e->name), *txt = trace_text(tr, e->text);
  l2[0] = l3[0] = '\0';
  switch (e->kind) {
    case TRACE_SEND: {
      uint32_t end = e->link;
      if (end == TRACE_NONE)
        snprintf(extra, sizeof extra, "%s", tr->ended ? "never arrived" : "in flight");
      else if (tr->events[end].kind == TRACE_DROP)
        snprintf(extra, sizeof extra, "dropped (%s) at %s", trace_why_name(tr->events[end].why),
                 trace_format_time(tr->events[end].t, t2, sizeof t2));
      else
        snprintf(extra, sizeof extra, "arrives %s, after %s%s",
                 trace_format_time(tr->events[end].t, t2, sizeof t2),
                 trace_format_time(tr->events[end].t - e->t, d, sizeof d),
                 tr->events[end].next != TRACE_NONE ? ", duplicated" : "");
      snprintf(l1, cap, "#%zu t=%s  send %s -> %s  %s id %llu  (%s)", ev, t, node_name(tr, e->node),
               node_name(tr, e->peer), name, (unsigned long long)e->id, extra);
      snprintf(l2, cap, "body: %s", txt);
      break;
    }
    case TRACE_RECV:
    case TRACE_DROP:
      if (e->link != TRACE_NONE)
        snprintf(extra, sizeof extra, "  (sent %s, took %s)",
                 trace_format_time(tr->events[e->link].t, t2, sizeof t2),
                 trace_format_time(e->t - tr->events[e->link].t, d, sizeof d));
      snprintf(l1, cap, "#%zu t=%s  %s %s <- %s  %s id %llu%s%s%s", ev, t,
               e->kind == TRACE_RECV ? "recv" : "DROP", node_name(tr, e->node),
               node_name(tr, e->peer), name, (unsigned long long)e->id,
               e->kind == TRACE_DROP ? "  why " : "", e->kind == TRACE_DROP ? txt : "", extra);
      if (e->kind == TRACE_RECV) snprintf(l2, cap, "body: %s", txt);
      break;
    case TRACE_TIMER:
      snprintf(l1, cap, "#%zu t=%s  timer %s on %s", ev, t, name, node_name(tr, e->node));
      if (e->id)
        snprintf(l2, cap, "arg: %llu (what the handler was given)", (unsigned long long)e->id);
      break;
    case TRACE_STATE:
      snprintf(l1, cap, "#%zu t=%s  state %s: %s = %s", ev, t, node_name(tr, e->node), name, txt);
      break;
    case TRACE_NOTE:
      snprintf(l1, cap, "#%zu t=%s  note on %s", ev, t, node_name(tr, e->node));
      snprintf(l2, cap, "%s", txt);
      break;
    case TRACE_PARTITION: {
      const int32_t *g = trace_groups(tr, e);
      size_t n = (size_t)snprintf(l1, cap, "#%zu t=%s  partition", ev, t);
      for (int grp = 0; g && n < cap; grp++) {
        bool any = false;
        for (int i = 0; i < tr->node_count && n < cap; i++)
          if (g[i] == grp) {
            n += (size_t)snprintf(l1 + n, cap - n, "%s%s", any ? " " : (grp ? " | {" : " {"),
                                  tr->nodes[i]);
            any = true;
          }
        if (!any) break;
        if (n < cap) n += (size_t)snprintf(l1 + n, cap - n, "}");
      }
      break;
    }
    case TRACE_BLOCK:
    case TRACE_UNBLOCK:
      snprintf(l1, cap, "#%zu t=%s  %s link %s -> %s", ev, t,
               e->kind == TRACE_BLOCK ? "block" : "unblock", node_name(tr, e->node),
               node_name(tr, e->peer));
      break;
    case TRACE_NET:
      snprintf(l1, cap, "#%zu t=%s  network: %s", ev, t, txt);
      break;
    case TRACE_INVOKE:
    case TRACE_OK:
    case TRACE_FAIL:
    case TRACE_INFO:
      snprintf(l1, cap, "#%zu t=%s  client %d %s %s %s %s", ev, t, e->peer,
               trace_kind_name(e->kind), name, trace_text(tr, e->key), txt);
      break;
    case TRACE_VIOLATION:
      snprintf(l1, cap, "#%zu t=%s  VIOLATION of %s", ev, t, name);
      snprintf(l2, cap, "%s", txt);
      break;
    case TRACE_OTHER:
      snprintf(l1, cap, "#%zu t=%s  %s%s%s", ev, t, name, e->node >= 0 ? " on " : "",
               e->node >= 0 ? node_name(tr, e->node) : "");
      snprintf(l2, cap, "%s", txt);
      break;
    default:
      snprintf(l1, cap, "#%zu t=%s  %s %s", ev, t, trace_kind_name(e->kind),
               e->node >= 0 ? node_name(tr, e->node) : "");
      break;
  }
  const uint32_t *vc = trace_vc(tr, e);
  if (vc) {
    size_t n = (size_t)snprintf(l3, cap, "vc: [");
    for (int i = 0; i < tr->node_count && n + 12 < cap; i++)
      n += (size_t)snprintf(l3 + n, cap - n, "%s%u", i ? "," : "", vc[i]);
    snprintf(l3 + n, cap - n, "]   line %u", e->line);
  } else {
    snprintf(l3, cap, "line %u", e->line);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Drawing the diagram.
 */
typedef struct frame {
  viz_canvas *c;
  const viz_model *m;
  const viz_view *v;
  const viz_geom *g;
  size_t upto; /* events up to and including the cursor: the cursor's "now" */
  bool any;    /* the model has rows */
} frame;

static int type_color(const frame *f, const trace_event *e) {
  if (!f->v->color) return VIZ_C_DEFAULT;
  return VIZ_C_RED + e->mtype % 6;
}

/* Draw one message from event s (a SEND) to event d (its RECV/DROP, or TRACE_NONE). */
static void draw_message(frame *f, uint32_t s, uint32_t d) {
  const trace_data *tr = f->m->tr;
  const trace_event *se = &tr->events[s];
  const viz_geom *g = f->g;
  if (se->node < 0 || se->node >= g->lanes || se->peer < 0 || se->peer >= g->lanes) return;
  int x0 = g->lane_x[se->node], x1 = g->lane_x[se->peer];
  if (x0 == x1) return; /* a message to oneself: the markers say it */
  int dir = x1 > x0 ? 1 : -1;
  long y0 = viz_event_y(f->m, f->v, g, s), y1;
  bool dropped = false, open = false;
  int sx = x0 + dir, ex = x1 - dir;
  if (d == TRACE_NONE) { /* not arrived: a short open stub toward the receiver */
    open = true;
    y1 = y0;
    ex = x0 + (x1 - x0) / 3;
  } else {
    y1 = viz_event_y(f->m, f->v, g, d);
    dropped = tr->events[d].kind == TRACE_DROP;
    if (dropped) ex = x0 + (x1 - x0) * 2 / 3;
  }
  if (y1 < y0) y1 = y0;
  if (y1 < 0 || y0 >= g->diag_h) return;
  bool hot = viz_in_flight(tr, s, f->upto);
  int color = type_color(f, se), attr = hot ? VIZ_A_BOLD : 0;
  int gh = hot ? G_HH : G_H, gv = hot ? G_HV : G_V;
  int g_down = dir > 0 ? (hot ? G_HLD : G_LD) : (hot ? G_HRD : G_RD);
  int g_in = dir > 0 ? (hot ? G_HUR : G_UR) : (hot ? G_HUL : G_UL);
  long k = y1 - y0 + 1;
  long D = labs((long)ex - sx);
  long ylo = y0 < 0 ? 0 : y0, yhi = y1 >= g->diag_h ? g->diag_h - 1 : y1;
  long best_run = -1, best_y = -1, best_a = 0;
  for (long y = ylo; y <= yhi; y++) {
    long i = y - y0;
    long a = sx + dir * (D * i / k), b = (i == k - 1) ? ex : sx + dir * (D * (i + 1) / k);
    int yy = g->diag_y0 + (int)y;
    long lo = a < b ? a : b, hi = a < b ? b : a;
    for (long x = lo; x <= hi; x++) set(f->c, (int)x, yy, glyph(f->v, gh), color, attr);
    if (i > 0) set(f->c, (int)a, yy, glyph(f->v, (a == b && i < k - 1) ? gv : g_in), color, attr);
    if (i < k - 1 && !(a == b && i > 0)) set(f->c, (int)b, yy, glyph(f->v, g_down), color, attr);
    if (i == k - 1) {
      int end = open ? G_MORE : dropped ? G_CROSS : dir > 0 ? G_HEAD_R : G_HEAD_L;
      set(f->c, (int)b, yy, glyph(f->v, end), dropped ? (f->v->color ? VIZ_C_RED : color) : color,
          attr | (dropped ? VIZ_A_BOLD : 0));
    }
    if (hi - lo > best_run) best_run = hi - lo, best_y = yy, best_a = lo;
  }
  /* The label: the type's name on the longest run, if it fits between the corners. */
  const char *name = trace_text(tr, se->name);
  int len = text_width(name);
  if (best_y >= 0 && best_run - 3 >= 1) {
    int room = (int)best_run - 3;
    int w = len < room ? len : room;
    int lx = (int)best_a + 2 + (room - w) / 2;
    text(f->c, f->v, lx, (int)best_y, w, name, color, attr | (hot ? VIZ_A_REVERSE : 0), false);
  }
}

static void draw_arrows(frame *f, size_t lo, size_t hi) {
  const trace_data *tr = f->m->tr;
  const viz_model *m = f->m;
  /* Messages sent on screen, and those received on screen but sent above it. */
  for (size_t r = lo; r < hi; r++) {
    uint32_t i = m->rows[r];
    const trace_event *e = &tr->events[i];
    if (e->kind == TRACE_SEND) {
      if (e->link == TRACE_NONE) draw_message(f, i, TRACE_NONE);
      for (uint32_t d = e->link; d != TRACE_NONE; d = tr->events[d].next) draw_message(f, i, d);
    } else if ((e->kind == TRACE_RECV || e->kind == TRACE_DROP) && e->link != TRACE_NONE) {
      if (viz_event_y(m, f->v, f->g, e->link) < 0) draw_message(f, e->link, i);
    }
  }
  /* Messages passing through the whole screen: sent above, arriving below. Look back a
   * bounded number of rows so a frame's cost stays bounded. */
  enum { LOOKBACK = 4000 };
  for (size_t r = lo, steps = 0; r > 0 && steps < LOOKBACK; r--, steps++) {
    uint32_t i = m->rows[r - 1];
    const trace_event *e = &tr->events[i];
    if (e->kind != TRACE_SEND) continue;
    for (uint32_t d = e->link; d != TRACE_NONE; d = tr->events[d].next)
      if (viz_event_y(m, f->v, f->g, d) >= f->g->diag_h) draw_message(f, i, d);
  }
}

/* The marker and short label of a node event. */
static void draw_marker(frame *f, uint32_t i, int yy, bool is_cursor) {
  const trace_data *tr = f->m->tr;
  const trace_event *e = &tr->events[i];
  const viz_geom *g = f->g;
  if (e->node < 0 || e->node >= g->lanes) return;
  if (e->kind == TRACE_DROP) return; /* the cross at the arrow's end marks it */
  if (e->kind == TRACE_BLOCK || e->kind == TRACE_UNBLOCK) return; /* a row of its own */
  int x = g->lane_x[e->node], gl = G_DOT, color = VIZ_C_DEFAULT, attr = VIZ_A_BOLD;
  char label[96] = "";
  switch (e->kind) {
    case TRACE_BOOT:
      gl = G_RING;
      snprintf(label, sizeof label, "boot");
      break;
    case TRACE_RESTART:
      gl = G_RING;
      snprintf(label, sizeof label, "restart");
      break;
    case TRACE_CRASH:
      gl = G_CRASH;
      color = f->v->color ? VIZ_C_RED : VIZ_C_DEFAULT;
      snprintf(label, sizeof label, "crash");
      break;
    case TRACE_SEND:
    case TRACE_RECV:
      color = type_color(f, e);
      break;
    case TRACE_TIMER:
      gl = G_TIMER;
      if (e->id)
        snprintf(label, sizeof label, "%s(%llu)", trace_text(tr, e->name),
                 (unsigned long long)e->id);
      else
        snprintf(label, sizeof label, "%s", trace_text(tr, e->name));
      break;
    case TRACE_STATE:
      gl = G_STATE;
      snprintf(label, sizeof label, "%s=%s", trace_text(tr, e->name), trace_text(tr, e->text));
      break;
    case TRACE_NOTE:
      gl = G_NOTE;
      snprintf(label, sizeof label, "%s", trace_text(tr, e->text));
      break;
    case TRACE_OTHER:
      gl = G_NOTE;
      snprintf(label, sizeof label, "%s", trace_text(tr, e->name));
      break;
    default:
      break;
  }
  set(f->c, x, yy, glyph(f->v, gl), color, attr | (is_cursor ? VIZ_A_REVERSE : 0));
  if (label[0]) {
    int room = f->g->diag_x1 - (x + 2);
    text(f->c, f->v, x + 2, yy, room, label, f->v->color ? VIZ_C_GREY : VIZ_C_DEFAULT, 0, true);
  }
}

/* A row for an event that belongs to no lane (partition, heal, net, client ops, violation). */
static void draw_global(frame *f, uint32_t i, int yy) {
  const trace_data *tr = f->m->tr;
  const trace_event *e = &tr->events[i];
  char l1[256], l2[256], l3[256];
  viz_describe(f->m, i, l1, l2, l3, sizeof l1);
  const char *what = strstr(l1, "  ");
  what = what ? what + 2 : l1;
  char buf[300];
  int color = VIZ_C_DEFAULT, attr = 0;
  switch (e->kind) {
    case TRACE_VIOLATION:
      snprintf(buf, sizeof buf, " !! %s: %s ", trace_text(tr, e->name), trace_text(tr, e->text));
      color = f->v->color ? VIZ_C_RED : VIZ_C_DEFAULT;
      attr = VIZ_A_BOLD | VIZ_A_REVERSE;
      break;
    case TRACE_PARTITION:
    case TRACE_HEAL:
    case TRACE_BLOCK:
    case TRACE_UNBLOCK:
    case TRACE_NET:
      snprintf(buf, sizeof buf, " %s ", what);
      color = f->v->color ? VIZ_C_YELLOW : VIZ_C_DEFAULT;
      attr = VIZ_A_BOLD;
      fill(f->c, f->g->diag_x0, yy, f->g->diag_x1 - f->g->diag_x0, glyph(f->v, G_DASH), color, 0);
      break;
    case TRACE_END:
      snprintf(buf, sizeof buf, " end of run ");
      attr = VIZ_A_BOLD;
      fill(f->c, f->g->diag_x0, yy, f->g->diag_x1 - f->g->diag_x0, glyph(f->v, G_DASH), color, 0);
      break;
    default:
      snprintf(buf, sizeof buf, " %s ", what);
      color = f->v->color ? VIZ_C_CYAN : VIZ_C_DEFAULT;
      break;
  }
  text(f->c, f->v, f->g->diag_x0 + 1, yy, f->g->diag_x1 - f->g->diag_x0 - 1, buf, color, attr,
       false);
}

/* Lanes, row by row, greyed where the node is down; then global rows and the time gutter. */
static void draw_lanes_and_rows(frame *f, size_t lo, size_t hi) {
  const viz_model *m = f->m;
  const trace_data *tr = m->tr;
  const viz_geom *g = f->g;
  const viz_view *v = f->v;
  size_t first_ev = lo < m->nrows ? m->rows[lo] : m->synced;
  viz_state st;
  viz_state_at(m, first_ev, &st);
  uint64_t u = upr(m, v);
  size_t r = lo;
  uint64_t prev_t = UINT64_MAX;
  for (int y = 0; y < g->diag_h; y++) {
    int yy = g->diag_y0 + y;
    /* Apply every event up to the last one drawn on this row. */
    size_t lim;
    if (!v->scaled) {
      lim = lo + (size_t)y < hi ? m->rows[lo + (size_t)y] + 1 : st.upto;
    } else {
      uint64_t tend = v->t_top + (uint64_t)(y + 1) * u;
      size_t rr = r;
      while (rr < hi && tr->events[m->rows[rr]].t < tend) rr++;
      lim = rr > lo ? m->rows[rr - 1] + 1 : st.upto;
    }
    while (st.upto < lim) viz_state_apply(tr, &st, &tr->events[st.upto]);
    for (int n = 0; n < g->lanes; n++) {
      bool up = st.up[n];
      set(f->c, g->lane_x[n], yy, glyph(v, up ? G_LANE : G_DEAD),
          v->color ? (up ? VIZ_C_DEFAULT : VIZ_C_GREY) : VIZ_C_DEFAULT, up ? 0 : VIZ_A_DIM);
    }
    /* The time gutter. */
    char tb[32];
    if (!v->scaled) {
      if (lo + (size_t)y < hi) {
        uint64_t t = tr->events[m->rows[lo + (size_t)y]].t;
        if (t != prev_t) {
          trace_format_time(t, tb, sizeof tb);
          text(f->c, v, g->gutter - 1 - text_width(tb), yy, g->gutter - 1, tb, VIZ_C_DEFAULT,
               VIZ_A_DIM, false);
        } else {
          set(f->c, g->gutter - 2, yy, glyph(v, G_NOTE), VIZ_C_DEFAULT, VIZ_A_DIM);
        }
        prev_t = t;
      }
    } else if (y % 4 == 0) {
      trace_format_time(v->t_top + (uint64_t)y * u, tb, sizeof tb);
      text(f->c, v, g->gutter - 1 - text_width(tb), yy, g->gutter - 1, tb, VIZ_C_DEFAULT, VIZ_A_DIM,
           false);
    }
    if (v->scaled) {
      uint64_t tend = v->t_top + (uint64_t)(y + 1) * u;
      while (r < hi && tr->events[m->rows[r]].t < tend) r++;
    }
  }
  /* Rows of global events, over the lanes. */
  for (size_t rr = lo; rr < hi; rr++) {
    uint32_t i = m->rows[rr];
    const trace_event *e = &tr->events[i];
    if (e->node >= 0 && e->kind != TRACE_BLOCK && e->kind != TRACE_UNBLOCK) continue;
    long y = viz_event_y(m, v, g, i);
    if (y >= 0 && y < g->diag_h) draw_global(f, i, g->diag_y0 + (int)y);
  }
}

static void draw_header(frame *f, const viz_state *now) {
  const viz_geom *g = f->g;
  const viz_view *v = f->v;
  const trace_data *tr = f->m->tr;
  int spacing = g->lanes > 1 ? g->lane_x[1] - g->lane_x[0] : g->diag_x1 - g->diag_x0;
  bool parted = false;
  for (int n = 0; n < g->lanes; n++) parted |= now->group[n] >= 0;
  for (int n = 0; n < g->lanes; n++) {
    char name[64];
    if (parted && now->group[n] >= 0)
      snprintf(name, sizeof name, "%s:%c", tr->nodes[n], 'A' + now->group[n] % 26);
    else
      snprintf(name, sizeof name, "%s", tr->nodes[n]);
    int w = text_width(name);
    if (w > spacing - 1) w = spacing - 1;
    int attr = VIZ_A_BOLD | (n == v->sel_node ? VIZ_A_REVERSE : 0) | (now->up[n] ? 0 : VIZ_A_DIM);
    text(f->c, v, g->lane_x[n] - w / 2, 1, w, name, now->up[n] ? VIZ_C_DEFAULT : VIZ_C_GREY, attr,
         false);
  }
}

static void draw_title(frame *f, const viz_state *now) {
  const viz_view *v = f->v;
  const viz_model *m = f->m;
  const trace_data *tr = m->tr;
  fill(f->c, 0, 0, v->width, ' ', VIZ_C_DEFAULT, VIZ_A_REVERSE);
  char buf[400], tb[32] = "-", fb[64];
  size_t cur_ev = f->any ? m->rows[v->cursor] : 0;
  if (f->any) trace_format_time(tr->events[cur_ev].t, tb, sizeof tb);
  viz_filter_describe(tr, &m->filter, fb, sizeof fb);
  snprintf(buf, sizeof buf, " dsviz  %s%s%s seed %llu  t=%s  event %zu/%zu%s%s  %s%s%s %d/s  %s ",
           tr->lab[0] ? tr->lab : "trace", tr->scenario[0] ? "/" : "", tr->scenario,
           (unsigned long long)tr->seed, tb, f->any ? cur_ev + 1 : 0, tr->count,
           m->filter.node >= 0 || m->filter.type || m->filter.kind >= 0 ? "  filter: " : "",
           m->filter.node >= 0 || m->filter.type || m->filter.kind >= 0 ? fb : "",
           v->scaled ? "scaled " : "", v->playing ? "playing" : "paused",
           v->live ? (v->input_done   ? " live(ended)"
                      : v->follow_end ? " live(following)"
                                      : " live")
                   : "",
           v->speed, now->violations ? "VIOLATION" : "");
  text(f->c, v, 0, 0, v->width, buf, VIZ_C_DEFAULT, VIZ_A_REVERSE | VIZ_A_BOLD, false);
}

static void draw_panel(frame *f, const viz_state *now) {
  const viz_geom *g = f->g;
  const viz_view *v = f->v;
  const viz_model *m = f->m;
  const trace_data *tr = m->tr;
  int x = g->panel_x, w = g->panel_w, y = 1, ymax = g->detail_y;
  for (int yy = 1; yy < g->detail_y; yy++)
    set(f->c, x - 1, yy, glyph(v, G_V), VIZ_C_DEFAULT, VIZ_A_DIM);
  text(f->c, v, x + 1, y++, w - 1, "State at cursor", VIZ_C_DEFAULT, VIZ_A_BOLD | VIZ_A_UNDERLINE,
       false);
  char buf[256];
  for (int n = 0; n < g->lanes && y < ymax; n++) {
    snprintf(buf, sizeof buf, "%s%s", tr->nodes[n], now->up[n] ? "" : "  (down)");
    text(f->c, v, x + 1, y++, w - 1, buf, now->up[n] ? VIZ_C_DEFAULT : VIZ_C_GREY,
         VIZ_A_BOLD | (n == v->sel_node ? VIZ_A_REVERSE : 0), false);
    for (int k = 0; k < now->nkeys[n] && y < ymax; k++) {
      snprintf(buf, sizeof buf, "  %s=%s", trace_text(tr, now->key[n][k]),
               trace_text(tr, now->value[n][k]));
      text(f->c, v, x + 1, y++, w - 1, buf, VIZ_C_DEFAULT, 0, false);
    }
  }
  /* The network. */
  bool parted = false;
  for (int n = 0; n < g->lanes; n++) parted |= now->group[n] >= 0;
  if (y < ymax && parted) {
    size_t k = (size_t)snprintf(buf, sizeof buf, "partition:");
    for (int grp = 0; grp < g->lanes && k < sizeof buf; grp++) {
      bool any = false;
      for (int n = 0; n < g->lanes && k < sizeof buf; n++)
        if (now->group[n] == grp) {
          k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", any ? "," : (grp ? "|" : " "),
                                tr->nodes[n]);
          any = true;
        }
    }
    text(f->c, v, x + 1, y++, w - 1, buf, v->color ? VIZ_C_YELLOW : VIZ_C_DEFAULT, VIZ_A_BOLD,
         false);
  }
  if (y < ymax && now->blocked) {
    snprintf(buf, sizeof buf, "blocked links: %u", now->blocked);
    text(f->c, v, x + 1, y++, w - 1, buf, v->color ? VIZ_C_YELLOW : VIZ_C_DEFAULT, 0, false);
  }
  if (y < ymax && now->net) {
    snprintf(buf, sizeof buf, "net: %s", trace_text(tr, now->net));
    text(f->c, v, x + 1, y++, w - 1, buf, VIZ_C_DEFAULT, 0, false);
  }
  /* Messages in flight at the cursor: sends at or before it, arriving after it. Look back a
   * bounded number of events. */
  if (!f->any || y + 1 >= ymax) return;
  y++;
  int listed = 0, total = 0;
  int start_y = y++;
  for (size_t i = f->upto, steps = 0; i > 0 && steps < 20000; i--, steps++) {
    const trace_event *e = &tr->events[i - 1];
    if (e->kind != TRACE_SEND || !viz_in_flight(tr, (uint32_t)(i - 1), f->upto)) continue;
    total++;
    if (y < ymax) {
      snprintf(buf, sizeof buf, " %s %s>%s #%llu", trace_text(tr, e->name), node_name(tr, e->node),
               node_name(tr, e->peer), (unsigned long long)e->id);
      text(f->c, v, x + 1, y++, w - 1, buf, type_color(f, e), VIZ_A_BOLD, false);
      listed++;
    }
  }
  snprintf(buf, sizeof buf, "In flight: %d%s", total, listed < total ? " (some hidden)" : "");
  text(f->c, v, x + 1, start_y, w - 1, buf, VIZ_C_DEFAULT, VIZ_A_BOLD | VIZ_A_UNDERLINE, false);
}

static void draw_detail(frame *f) {
  const viz_geom *g = f->g;
  const viz_view *v = f->v;
  fill(f->c, 0, g->detail_y, v->width, glyph(v, G_H), VIZ_C_DEFAULT, VIZ_A_DIM);
  text(f->c, v, 2, g->detail_y, v->width - 4, " Selected event ", VIZ_C_DEFAULT, VIZ_A_BOLD, false);
  if (!f->any) {
    text(f->c, v, 1, g->detail_y + 1, v->width - 2, v->live ? "waiting for events..." : "no events",
         VIZ_C_DEFAULT, 0, false);
    return;
  }
  char l1[512], l2[512], l3[512];
  viz_describe(f->m, f->m->rows[v->cursor], l1, l2, l3, sizeof l1);
  text(f->c, v, 1, g->detail_y + 1, v->width - 2, l1, VIZ_C_DEFAULT, VIZ_A_BOLD, false);
  text(f->c, v, 1, g->detail_y + 2, v->width - 2, l2, VIZ_C_DEFAULT, 0, false);
  text(f->c, v, 1, g->detail_y + 3, v->width - 2, l3, VIZ_C_DEFAULT, VIZ_A_DIM, false);
}

static void draw_status(frame *f) {
  const viz_view *v = f->v;
  int y = f->g->status_y;
  fill(f->c, 0, y, v->width, ' ', VIZ_C_DEFAULT, VIZ_A_REVERSE);
  char buf[400];
  if (v->prompt)
    snprintf(buf, sizeof buf, " %s %s_", v->prompt, v->input);
  else if (v->message[0])
    snprintf(buf, sizeof buf, " %s", v->message);
  else
    snprintf(
        buf, sizeof buf,
        " q quit  ? help  space play  %s step  n/N node  / filter  g time  t %s  Enter details",
        v->ascii ? "<- ->" : "\u2190 \u2192", v->scaled ? "compact" : "scaled");
  text(f->c, v, 0, y, v->width, buf, VIZ_C_DEFAULT, VIZ_A_REVERSE, false);
}

const char *const viz_help_lines[] = {
    "space        play / pause (the cursor walks through the events)",
    "right, l     next event            left, h    previous event",
    "down, j      scroll down           up, k      scroll up",
    "PgDn, PgUp   scroll a page         Home, End  first / last event",
    "+ / -        play faster / slower",
    "t            time axis: one row per event, or rows scaled to time",
    "< / >        zoom in / out (scaled time)",
    "g            go to a virtual time (1.5s, 200ms, 40us)",
    "n / N        next / previous event of the selected node",
    "/            filter: a node, a message type, or an event kind",
    "Enter        details of the selected event",
    "mouse        click an event to select it, a name to select a node",
    "?            this help          q, Esc    close / quit",
    NULL};

static void draw_help(frame *f) {
  int lines = 0, w = 0;
  for (; viz_help_lines[lines]; lines++)
    if (text_width(viz_help_lines[lines]) > w) w = text_width(viz_help_lines[lines]);
  w += 4;
  if (w > f->v->width - 2) w = f->v->width - 2;
  int h = lines + 4;
  if (h > f->v->height - 2) h = f->v->height - 2;
  int x = (f->v->width - w) / 2, y = (f->v->height - h) / 2;
  box(f->c, f->v, x, y, w, h, " Keys (press any key to close) ");
  for (int i = 0; i < lines && i + 2 < h - 1; i++)
    text(f->c, f->v, x + 2, y + 2 + i, w - 4, viz_help_lines[i], VIZ_C_DEFAULT, 0, false);
}

static void draw_detail_box(frame *f) {
  if (!f->any) return;
  const trace_data *tr = f->m->tr;
  uint32_t i = f->m->rows[f->v->cursor];
  const trace_event *e = &tr->events[i];
  char l1[512], l2[512], l3[512];
  viz_describe(f->m, i, l1, l2, l3, sizeof l1);
  int w = f->v->width - 8, h = f->v->height - 6;
  int x = 4, y = 3;
  box(f->c, f->v, x, y, w, h, " Event details (Enter or Esc to close) ");
  int yy = y + 2, maxy = y + h - 1, tw = w - 4;
  const char *lines[3] = {l1, l2, l3};
  for (int k = 0; k < 3; k++) {
    /* Wrap each line over as many rows as it needs. */
    const char *s = lines[k];
    int len = (int)strlen(s);
    for (int off = 0; off < len && yy < maxy; off += tw)
      text(f->c, f->v, x + 2, yy++, tw, s + off, VIZ_C_DEFAULT, k == 0 ? VIZ_A_BOLD : 0, false);
  }
  char buf[256];
  if (yy + 1 < maxy) {
    snprintf(buf, sizeof buf, "kind %s   node %s   peer %d   file line %u",
             trace_kind_name(e->kind), node_name(tr, e->node), e->peer, e->line);
    text(f->c, f->v, x + 2, ++yy, tw, buf, VIZ_C_DEFAULT, VIZ_A_DIM, false);
    yy++;
  }
  if (e->kind == TRACE_SEND) {
    for (uint32_t d = e->link; d != TRACE_NONE && yy < maxy; d = tr->events[d].next) {
      char t[32];
      snprintf(buf, sizeof buf, "-> %s at %s on %s (event #%u)",
               tr->events[d].kind == TRACE_DROP ? "dropped" : "delivered",
               trace_format_time(tr->events[d].t, t, sizeof t), node_name(tr, tr->events[d].node),
               d);
      text(f->c, f->v, x + 2, yy++, tw, buf, VIZ_C_DEFAULT, 0, false);
    }
  }
}

static void draw_too_small(viz_canvas *c, const viz_view *v, const viz_geom *g, int nodes) {
  char buf[160];
  if (v->width < VIZ_MIN_WIDTH || v->height < VIZ_MIN_HEIGHT)
    snprintf(buf, sizeof buf, "Terminal too small: %dx%d, need %dx%d.", v->width, v->height,
             VIZ_MIN_WIDTH, VIZ_MIN_HEIGHT);
  else
    snprintf(buf, sizeof buf, "Terminal too narrow for %d lanes: widen it.", nodes);
  (void)g;
  int y = v->height / 2 - 1;
  text(c, v, 0, y < 0 ? 0 : y, v->width, buf, VIZ_C_DEFAULT, VIZ_A_BOLD, false);
  text(c, v, 0, y + 1 < 0 ? 0 : y + 1, v->width, "Resize, or press q to quit.", VIZ_C_DEFAULT, 0,
       false);
}

void viz_render(viz_canvas *c, const viz_model *m, viz_view *v) {
  viz_canvas_resize(c, v->width, v->height);
  for (int i = 0; i < c->w * c->h; i++) c->cells[i] = (viz_cell){' ', VIZ_C_DEFAULT, 0};
  viz_geom g;
  viz_geometry(m, v, &g);
  if (g.too_small) {
    draw_too_small(c, v, &g, m->tr->node_count);
    return;
  }
  viz_scroll(m, v, &g);
  frame f = {c, m, v, &g, 0, m->nrows > 0};
  f.upto = f.any ? (size_t)m->rows[v->cursor] + 1 : 0;
  viz_state now;
  viz_state_at(m, f.upto, &now);
  size_t lo, hi;
  visible_rows(m, v, &g, &lo, &hi);

  draw_title(&f, &now);
  draw_header(&f, &now);
  draw_lanes_and_rows(&f, lo, hi);
  draw_arrows(&f, lo, hi);
  for (size_t r = lo; r < hi; r++) {
    long y = viz_event_y(m, v, &g, m->rows[r]);
    if (y >= 0 && y < g.diag_h) draw_marker(&f, m->rows[r], g.diag_y0 + (int)y, r == v->cursor);
  }
  /* The cursor: the "now" line across the diagram, and a mark in the gutter. */
  if (f.any) {
    long y = viz_event_y(m, v, &g, m->rows[v->cursor]);
    if (y >= 0 && y < g.diag_h) {
      int yy = g.diag_y0 + (int)y;
      for (int x = g.diag_x0; x < g.diag_x1; x++)
        c->cells[(size_t)yy * (size_t)c->w + (size_t)x].attr |= VIZ_A_UNDERLINE;
      for (int x = 0; x < g.gutter - 1; x++)
        c->cells[(size_t)yy * (size_t)c->w + (size_t)x].attr |= VIZ_A_REVERSE;
      set(c, 0, yy, glyph(v, G_PLAY), VIZ_C_DEFAULT, VIZ_A_REVERSE | VIZ_A_BOLD);
    }
  }
  draw_panel(&f, &now);
  draw_detail(&f);
  draw_status(&f);
  if (v->show_detail) draw_detail_box(&f);
  if (v->show_help) draw_help(&f);
}
