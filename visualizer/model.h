/*
 * model.h: what the viewer knows about a trace beyond its events: which events are shown (the
 * filter), and the state of the world after any event (who is up, the partition, each node's
 * annotations), found quickly at any point so that stepping back is as instant as stepping on.
 *
 * The state after event i is a checkpoint (taken every VIZ_CP_EVERY events while the trace is
 * read) plus at most VIZ_CP_EVERY events replayed from it. In live mode, viz_model_sync takes in
 * the events that have arrived since the last call; nothing already seen is ever recomputed.
 * The model never draws: layout.c turns it into a picture, dsviz.c into a screen.
 */
#ifndef CAUSEWAY_VIZ_MODEL_H
#define CAUSEWAY_VIZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/trace_read.h"

enum {
  VIZ_MAX_NODES = 64,  /* the viewer draws at most this many lanes */
  VIZ_MAX_KEYS = 12,   /* annotation keys remembered per node (later ones are ignored) */
  VIZ_CP_EVERY = 4096, /* events between two checkpoints */
};

/* The world as the trace shows it after some prefix of its events. */
typedef struct viz_state {
  size_t upto;                  /* events applied: 0 .. upto-1 */
  bool up[VIZ_MAX_NODES];       /* booted and not crashed */
  int32_t group[VIZ_MAX_NODES]; /* partition group, -1 when the network is whole */
  uint8_t nkeys[VIZ_MAX_NODES]; /* annotations per node, in the order first set */
  trace_sid key[VIZ_MAX_NODES][VIZ_MAX_KEYS];
  trace_sid value[VIZ_MAX_NODES][VIZ_MAX_KEYS];
  uint32_t blocked;    /* one-way links blocked now (count) */
  uint32_t violations; /* violation events so far */
  trace_sid net;       /* the last "net" setting text, 0 if none */
} viz_state;

/* A filter: which events get a row. All-zero (node -1) shows everything. */
typedef struct viz_filter {
  int node;       /* >= 0: only events on or to/from this node (and global events) */
  trace_sid type; /* != 0: only messages (or timers) of this type / name */
  int kind;       /* >= 0: only events of this trace_kind */
} viz_filter;

typedef struct viz_model {
  const trace_data *tr; /* not owned */
  viz_filter filter;
  uint32_t *rows; /* indexes of shown events, increasing */
  size_t nrows, rows_cap;
  size_t synced;  /* events of tr taken in so far */
  viz_state *cps; /* cps[k]: the state with upto = k * VIZ_CP_EVERY */
  size_t ncps, cps_cap;
  viz_state cur; /* the state after `synced` events */
} viz_model;

/* Start a model over tr (which must outlive it; node_count <= VIZ_MAX_NODES) and take in the
 * events tr holds now. Free with viz_model_free. */
void viz_model_init(viz_model *m, const trace_data *tr);
/* Take in events added to tr since the last call (live mode). Returns how many were added. */
size_t viz_model_sync(viz_model *m);
void viz_model_free(viz_model *m);

/* Replace the filter and rebuild the rows. */
void viz_model_set_filter(viz_model *m, viz_filter f);
/* Parse a filter from the text a user typed: a node name, a message type or timer name, or an
 * event kind ("crash"); "" clears. Returns 0, or -1 with a one-line reason in err. */
int viz_filter_parse(const trace_data *tr, const char *text, viz_filter *out, char *err,
                     size_t cap);
/* Describe a filter for the status line ("node n1", "type Ping", "all events"). */
void viz_filter_describe(const trace_data *tr, const viz_filter *f, char *buf, size_t cap);
/* Does the filter show event i? */
bool viz_filter_shows(const viz_model *m, size_t i);

/* The state after the first `upto` events (upto <= synced). */
void viz_state_at(const viz_model *m, size_t upto, viz_state *out);
/* Apply one event to a state (upto must equal the event's index). */
void viz_state_apply(const trace_data *tr, viz_state *s, const trace_event *e);

/* The row of the first shown event with index >= ev (nrows if none). */
size_t viz_row_at_or_after(const viz_model *m, size_t ev);
/* The row of the first shown event with time >= t (nrows if none). */
size_t viz_row_at_time(const viz_model *m, uint64_t t);

/* For a SEND: the event index where the message ends (its first RECV or DROP), or TRACE_NONE
 * when it has not arrived (yet). */
uint32_t viz_msg_end(const trace_data *tr, const trace_event *send);
/* Is the message sent by event `send` in flight after `upto` events (sent, not yet delivered
 * or dropped)? */
bool viz_in_flight(const trace_data *tr, uint32_t send, size_t upto);

/* Parse a virtual time the user typed: "1.5s", "200ms", "40us", or a bare number of
 * microseconds. Returns 0, or -1 when it is not a time. */
int viz_parse_time(const char *s, uint64_t *out);

#endif
