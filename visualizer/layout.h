/*
 * layout.h: the viewer's picture, computed apart from any terminal.
 *
 * viz_render draws the whole screen (title, lanes, arrows, state panel, detail panel, status
 * line, overlays) into a viz_canvas: a grid of cells, each a Unicode code point with a colour
 * and attributes. dsviz.c copies the canvas to ncurses; the tests read it back as text
 * (viz_canvas_row) and check it cell by cell, with no terminal at all.
 *
 * The screen, top to bottom:  row 0 title bar; row 1 node names (one lane per node); the
 * space-time diagram (time flows down, one row per shown event in compact mode, or a fixed span
 * of virtual time per row in scaled mode); the detail panel (the selected event in full); the
 * status line (keys, messages, prompts). The state panel (each node's annotations at the
 * cursor) is a column on the right of the diagram.
 */
#ifndef CAUSEWAY_VIZ_LAYOUT_H
#define CAUSEWAY_VIZ_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Colours: VIZ_C_DEFAULT is the terminal's; message types cycle through the six after it. */
enum {
  VIZ_C_DEFAULT,
  VIZ_C_RED,
  VIZ_C_GREEN,
  VIZ_C_YELLOW,
  VIZ_C_BLUE,
  VIZ_C_MAGENTA,
  VIZ_C_CYAN,
  VIZ_C_GREY,
  VIZ_COLORS
};
/* Attributes, OR-ed. */
enum { VIZ_A_BOLD = 1, VIZ_A_DIM = 2, VIZ_A_REVERSE = 4, VIZ_A_UNDERLINE = 8 };

/* Smallest screen the viewer draws on; below it shows a "too small" message. */
enum { VIZ_MIN_WIDTH = 60, VIZ_MIN_HEIGHT = 16 };

typedef struct viz_cell {
  uint32_t ch;   /* Unicode code point; 0 = the right half of a double-width character */
  uint8_t color; /* VIZ_C_* */
  uint8_t attr;  /* VIZ_A_* */
} viz_cell;

typedef struct viz_canvas {
  int w, h;
  viz_cell *cells; /* h rows of w cells */
} viz_canvas;

/* Size a canvas to w x h (contents undefined until drawn). Free with viz_canvas_free. */
void viz_canvas_resize(viz_canvas *c, int w, int h);
void viz_canvas_free(viz_canvas *c);
/* Row y as UTF-8 text (trailing blanks kept) into buf (cap bytes). Returns buf. */
char *viz_canvas_row(const viz_canvas *c, int y, char *buf, size_t cap);
/* The cell at (x, y), or NULL outside the canvas. */
const viz_cell *viz_canvas_at(const viz_canvas *c, int x, int y);

/* Everything about how the trace is being looked at (the model says what is there). */
typedef struct viz_view {
  int width, height;   /* the screen, in cells */
  size_t cursor;       /* the selected event, as a row of the model (0 when there are none) */
  size_t top;          /* compact mode: the first row shown */
  bool scaled;         /* false: one row per event; true: rows are equal spans of time */
  uint64_t t_top;      /* scaled mode: virtual time at the top of the diagram */
  uint64_t us_per_row; /* scaled mode: virtual microseconds per row (0: choose) */
  bool follow_cursor;  /* scroll so that the cursor stays on screen (cleared by scrolling) */
  int sel_node;        /* the selected node (n/N, mouse), -1 for none */
  bool ascii;          /* draw with ASCII only */
  bool color;          /* use colours (false under NO_COLOR) */
  bool show_help;      /* the help overlay is open */
  bool show_detail;    /* the detail overlay (Enter) is open */
  bool playing;        /* space: the cursor advances by itself */
  int speed;           /* events per second while playing */
  bool live;           /* reading a trace as it is written */
  bool input_done;     /* live: the writer has finished (or the stream failed) */
  bool follow_end;     /* live: keep the cursor on the newest event (End turns it on) */
  const char *prompt;  /* non-NULL: the status line asks this, showing `input` */
  char input[128];     /* what the user has typed at the prompt */
  char message[360];   /* a one-line message for the status line ("" for the key hints) */
} viz_view;

/* Where things are on the screen, derived from the screen size and the node count. */
typedef struct viz_geom {
  bool too_small;
  int diag_x0, diag_x1; /* diagram columns [x0, x1) (lanes live here) */
  int diag_y0, diag_h;  /* diagram rows [y0, y0 + h) */
  int gutter;           /* width of the time column left of the diagram */
  int panel_x, panel_w; /* the state panel, right of the diagram */
  int detail_y, detail_h;
  int status_y;
  int lanes;
  int lane_x[VIZ_MAX_NODES];
} viz_geom;

/* Set up a view with defaults for a screen of w x h. */
void viz_view_init(viz_view *v, int w, int h);
/* Compute the geometry of view v over model m. */
void viz_geometry(const viz_model *m, const viz_view *v, viz_geom *g);
/* Scroll v (top or t_top) so that the cursor is on screen, when v->follow_cursor is set. */
void viz_scroll(const viz_model *m, viz_view *v, const viz_geom *g);
/* Draw the whole screen into c (resized to the view's size). Scrolls first (viz_scroll). */
void viz_render(viz_canvas *c, const viz_model *m, viz_view *v);

/* The screen row of event ev in the diagram (may be < 0 or >= diag_h: off screen). */
long viz_event_y(const viz_model *m, const viz_view *v, const viz_geom *g, size_t ev);
/* What is at screen cell (x, y): sets *row to the model row drawn there (or SIZE_MAX) and
 * *node to the nearest lane (or -1). Returns true if anything was hit. For the mouse. */
bool viz_hit(const viz_model *m, const viz_view *v, int x, int y, size_t *row, int *node);
/* In scaled mode with us_per_row 0: the default time per row (about one event a row). */
uint64_t viz_default_us_per_row(const viz_model *m);

/* Describe event ev in up to three lines (summary, body or text, vector clock). */
void viz_describe(const viz_model *m, size_t ev, char *l1, char *l2, char *l3, size_t cap);

/* The help overlay's lines (NULL-terminated), also printed by `dsviz --help`. */
extern const char *const viz_help_lines[];

#endif
