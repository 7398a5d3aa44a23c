/*
 * trace.h: the JSON Lines trace writer.
 *
 * A trace is the one record of a run that the viewer, the exporters and `jq` read. Line 1 is a
 * header ({"causeway":1,"lab":...,"seed":...,"nodes":[...]}); every later line is one event whose
 * first field is its virtual time "t". design.md section 3 lists the events. The writer builds one
 * line at a time in a fixed buffer and escapes every string, so a body formatter can print any
 * bytes without breaking the JSON. trace_read.h is the matching reader.
 */
#ifndef CAUSEWAY_TRACE_H
#define CAUSEWAY_TRACE_H

#include <stdint.h>
#include <stdio.h>

#define TRACE_VERSION 1

typedef struct trace_line {
  char buf[8192]; /* the line being built; long strings are cut with "..." */
  size_t len;
  int fields; /* fields written so far (for commas) */
} trace_line;

/* Start an event line: {"t":T,"ev":"EV". */
void trace_begin(trace_line *l, uint64_t t, const char *ev);
/* Start the header line: {"causeway":TRACE_VERSION. */
void trace_begin_header(trace_line *l);
/* Add a field. Keys are plain identifiers (not escaped); values are escaped. */
void trace_int(trace_line *l, const char *key, int64_t v);
void trace_uint(trace_line *l, const char *key, uint64_t v);
void trace_str(trace_line *l, const char *key, const char *v);
void trace_bool(trace_line *l, const char *key, int v);
/* An array of n unsigned integers: "vc":[1,0,2]. */
void trace_uint_array(trace_line *l, const char *key, const uint32_t *v, int n);
/* An array of n strings. */
void trace_str_array(trace_line *l, const char *key, const char *const *v, int n);
/* Add raw JSON as a field value (the caller guarantees it is valid JSON). */
void trace_raw(trace_line *l, const char *key, const char *json);
/* Finish the line (closing brace, newline) and write it to out, if out is not NULL. */
void trace_end(trace_line *l, FILE *out);

/* Escape s as the inside of a JSON string into out (cap bytes, always NUL-ended, cut if needed).
 * Returns the number of bytes written (without the NUL). */
size_t trace_escape(const char *s, char *out, size_t cap);

#endif
