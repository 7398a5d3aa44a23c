/*
 * trace_read.h: read a Causeway trace (JSON Lines) into memory, whole or line by line.
 *
 * The driver writes a trace with lib/trace.c; the viewer (visualizer/dsviz) and the exporters
 * read it with this module. The format, one JSON object a line:
 *
 *   {"causeway":1,"lab":"00-messaging","scenario":"lossy","seed":7,"nodes":["n0","n1"],
 *    "types":["Ping","Pong"],"timers":["retry"]}                                  (the header)
 *   {"t":1200,"ev":"send","node":0,"to":1,"id":17,"type":"Ping","body":"seq=3","vc":[3,0]}
 *   {"t":1650,"ev":"recv","node":1,"from":0,"id":17,"type":"Ping","body":"seq=3","vc":[3,2]}
 *   {"t":1650,"ev":"drop","node":1,"from":0,"id":18,"type":"Ping","why":"loss"}
 *   ... timer, local, state, note, crash, restart, partition, block, unblock, heal, net,
 *   invoke, ok, fail, info, violation, end (see trace_kind below for each kind's fields).
 *
 * What the reader checks, each failure giving one line "trace FILE:LINE: reason":
 *   - every line is one JSON object (blank lines are skipped);
 *   - the header has "causeway":1 and a non-empty "nodes" array of names;
 *   - every event has an unsigned integer "t" that never goes backwards, and a string "ev";
 *   - node indexes are in range ("from" may be -1: a client outside the world);
 *   - the fields a kind needs are present and of the right JSON type;
 *   - a vector clock has one entry per node; a message id is sent at most once.
 * Unknown "ev" kinds are kept as TRACE_OTHER events (forward compatibility), and unknown fields
 * are ignored. A trace without an "end" event is fine: a run cut short, or one still running.
 *
 * Speed and size. A trace of a million events must load in about a second. jansson builds a
 * tree per line (about 4 us a line here), so lines are first tried by a small strict scanner
 * that accepts only the flat shape trace.c writes (no whitespace, no \u escapes, ASCII
 * strings); any line it does not fully understand, valid or not, goes to jansson, which then
 * decides and words the error. Both paths fill the same fields and share one validator, and the
 * tests check they agree. Every string (types, keys, bodies, texts) is interned once in a
 * string table and events hold 32-bit string ids; vector clocks live in one number pool. An
 * event is 56 bytes; trace_memory() reports the total.
 *
 * Ownership: a trace owns everything it hands out. Pointers returned by trace_text, trace_vc,
 * trace_groups and the events array stay valid until the next trace_feed/trace_feed_line (which
 * may grow the arrays) or trace_data_free.
 *
 * Usage:
 *   trace_data *tr; char err[256];
 *   if (trace_read_file("run.jsonl", &tr, err, sizeof err) != 0) {
 *     fprintf(stderr, "%s\n", err);
 *     exit(2);
 *   }
 *   for (size_t i = 0; i < tr->count; i++) { const trace_event *e = &tr->events[i]; ... }
 *   trace_data_free(tr);
 */
#ifndef CAUSEWAY_TRACE_READ_H
#define CAUSEWAY_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_READ_VERSION 1  /* the "causeway" header value this reader understands */
#define TRACE_NONE UINT32_MAX /* "no event" / "no pool entry" in 32-bit index fields */
#define TRACE_MAX_NODES 1024  /* more nodes than this in a header is an error */

/* Kinds of events, one per "ev" value. The comment lists the fields each kind uses (JSON name
 * -> trace_event field). Every kind has t -> t and its line number -> line. */
typedef enum trace_kind {
  TRACE_BOOT,      /* node -> node, vc -> vc (optional) */
  TRACE_SEND,      /* node, to -> peer, id, type -> name/mtype, body -> text (optional), vc */
  TRACE_RECV,      /* node, from -> peer (-1: external client), id, type, body, vc */
  TRACE_DROP,      /* node (intended receiver), from -> peer, id, type, why -> text/why */
  TRACE_TIMER,     /* node, name -> name, vc */
  TRACE_LOCAL,     /* node, vc */
  TRACE_STATE,     /* node, key -> name, value -> text */
  TRACE_NOTE,      /* node, text -> text */
  TRACE_CRASH,     /* node */
  TRACE_RESTART,   /* node, vc */
  TRACE_PARTITION, /* groups -> vc (the group of each node, see trace_groups) */
  TRACE_BLOCK,     /* from -> node, to -> peer (one-way link from -> to blocked) */
  TRACE_UNBLOCK,   /* from -> node, to -> peer */
  TRACE_HEAL,      /* (no fields) */
  TRACE_NET,       /* text -> text (a network setting changed) */
  TRACE_INVOKE,    /* client -> peer, op -> name, key -> key, value -> text; node is -1 */
  TRACE_OK,        /* as INVOKE */
  TRACE_FAIL,      /* as INVOKE */
  TRACE_INFO,      /* as INVOKE */
  TRACE_VIOLATION, /* invariant -> name, text -> text */
  TRACE_END,       /* (no fields): the run finished and the trace is complete */
  TRACE_OTHER,     /* an unknown "ev": ev -> name; node, text kept when present */
  TRACE_KIND_COUNT
} trace_kind;

/* Why a message was dropped. */
typedef enum trace_why {
  TRACE_WHY_NONE,
  TRACE_WHY_LOSS,
  TRACE_WHY_PARTITION,
  TRACE_WHY_DEAD,
  TRACE_WHY_OTHER
} trace_why;

/* A string id: an index into the trace's string table. 0 is the empty string ("absent"). */
typedef uint32_t trace_sid;

/* One event. Fields a kind does not use are 0, -1 (node, peer) or TRACE_NONE (vc, link, next). */
typedef struct trace_event {
  uint64_t t;     /* virtual microseconds since the start of the run */
  uint64_t id;    /* SEND, RECV, DROP: the message id */
  uint32_t line;  /* line number in the trace file (the header is line 1) */
  uint32_t vc;    /* offset of the vector clock (or partition groups) in the number pool */
  trace_sid name; /* message type, timer name, state key, op, invariant, or unknown ev name */
  trace_sid text; /* body, state value, note/net/violation text, drop reason, op value */
  trace_sid key;  /* INVOKE..INFO: the key */
  uint32_t link;  /* SEND: first RECV/DROP of this message; RECV/DROP: its SEND; TRACE_NONE */
  uint32_t next;  /* RECV/DROP: the next RECV/DROP of the same message (duplicates) */
  int32_t peer;   /* SEND: receiver; RECV/DROP: sender; BLOCK: to; INVOKE..: client; else -1 */
  int16_t node;   /* where it happened (DROP: the intended receiver; BLOCK: from), or -1 */
  uint16_t mtype; /* SEND/RECV/DROP: index into types[]; TIMER: index into timers[] */
  uint8_t kind;   /* a trace_kind */
  uint8_t why;    /* DROP: a trace_why */
} trace_event;

typedef struct trace_priv trace_priv;

/* A trace in memory. Every field is read-only for users; the reader maintains them. */
typedef struct trace_data {
  char *file;           /* the name used in error messages */
  bool has_header;      /* false until the header line has been read */
  bool ended;           /* an "end" event was read */
  char *lab, *scenario; /* from the header ("" when absent) */
  uint64_t seed;
  int node_count;
  char **nodes;   /* node_count names */
  int type_count; /* message types: those in the header first, then as first seen */
  trace_sid *types;
  int timer_count; /* timer names: header first, then as first seen */
  trace_sid *timers;
  trace_event *events; /* count events, in file order (so in time order) */
  size_t count;
  uint32_t lines;   /* lines consumed so far, including the header and blank lines */
  trace_priv *priv; /* string table, number pool, message index, partial line */
} trace_data;

/* Read the whole trace file at `path` ("-" reads standard input to its end). On success
 * returns 0 and sets *out to a trace the caller frees with trace_data_free. On failure returns -1,
 * sets *out to NULL and writes a one-line message ("trace FILE:LINE: reason", or "cannot open
 * FILE: reason") into err (cap bytes). A last line without a newline is accepted when it is a
 * complete event; a cut-off last line is reported as truncated. */
int trace_read_file(const char *path, trace_data **out, char *err, size_t cap);

/* Create an empty trace for incremental reading; `file` names it in error messages (copied).
 * Never returns NULL (aborts on out-of-memory). Free with trace_data_free. */
trace_data *trace_data_new(const char *file);

/* Feed one line (without its newline; len bytes, need not be NUL-terminated). The first
 * non-blank line must be the header. Returns 0 when the line was accepted (tr->count may have
 * grown by one), -1 on a bad line: err gets "trace FILE:LINE: reason" and the trace is left as
 * it was before the line (only the line counter advanced), so a viewer can keep showing it. */
int trace_feed_line(trace_data *tr, const char *line, size_t len, char *err, size_t cap);

/* Feed raw bytes as they arrive (from a pipe, say): complete lines are fed with
 * trace_feed_line, and a trailing partial line is kept until more bytes come. Returns 0, or -1
 * at the first bad line (err filled; the bytes after it are discarded). */
int trace_feed(trace_data *tr, const char *data, size_t len, char *err, size_t cap);

/* The input ended: feed a kept partial line, if any, as the last line. Returns 0 or -1 as
 * trace_feed_line; a partial line that is not valid JSON is reported as truncated. Also fails
 * when no header was ever read ("empty trace"). */
int trace_finish(trace_data *tr, char *err, size_t cap);

/* Free a trace and everything it owns. NULL is allowed. */
void trace_data_free(trace_data *tr);

/* The text of a string id ("" for 0). */
const char *trace_text(const trace_data *tr, trace_sid s);
/* The id of a string if it occurs in the trace, else 0 (no string is added). */
trace_sid trace_find_text(const trace_data *tr, const char *s);

/* The vector clock of an event (node_count entries), or NULL if it has none. */
const uint32_t *trace_vc(const trace_data *tr, const trace_event *e);
/* PARTITION: the group number of each node (node_count entries; groups are numbered from 0
 * in the order the event lists them; a node listed in no group gets -1). NULL for other kinds. */
const int32_t *trace_groups(const trace_data *tr, const trace_event *e);

/* The "ev" name of a kind ("send"); "?" for an out-of-range value. */
const char *trace_kind_name(int kind);
/* The name of a drop reason ("loss"). */
const char *trace_why_name(int why);

/* Bytes of memory the trace uses (events, strings, number pool, indexes), for benchmarks. */
size_t trace_memory(const trace_data *tr);

/* Choose the parser: true (the default) tries the fast scanner first; false sends every line
 * straight to jansson. Results are identical; tests use this to compare the two paths. */
void trace_set_fast(trace_data *tr, bool fast);

/* Format a virtual time ("1.250s", "382.22ms", "12.5ms", "40us", "0": milliseconds keep up to two
 * decimals, so neighbouring rows of a diagram rarely share a label) into buf; returns buf. */
const char *trace_format_time(uint64_t t, char *buf, size_t cap);

#endif
