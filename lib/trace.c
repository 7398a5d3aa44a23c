/*
 * trace.c: builds JSON Lines trace events one line at a time (see trace.h).
 *
 * Every line fits a fixed buffer; a string that would overflow it is cut and marked with "...",
 * so a run never fails because a formatter printed too much. Output is byte-for-byte a function of
 * the calls made, which is what keeps traces identical across builds.
 */
#include "trace.h"

#include <inttypes.h>
#include <string.h>

static void put(trace_line *l, const char *s, size_t n) {
  size_t room = sizeof l->buf - 4 - l->len; /* keep room for "}\n" and the NUL */
  if (n > room) n = room;
  memcpy(l->buf + l->len, s, n);
  l->len += n;
  l->buf[l->len] = 0;
}

static void puts_plain(trace_line *l, const char *s) { put(l, s, strlen(s)); }

static void key(trace_line *l, const char *k) {
  if (l->fields++) put(l, ",", 1);
  put(l, "\"", 1);
  puts_plain(l, k);
  put(l, "\":", 2);
}

size_t trace_escape(const char *s, char *out, size_t cap) {
  size_t n = 0;
  if (cap == 0) return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char tmp[8];
    size_t k;
    switch (*p) {
      case '"':
        memcpy(tmp, "\\\"", 2);
        k = 2;
        break;
      case '\\':
        memcpy(tmp, "\\\\", 2);
        k = 2;
        break;
      case '\n':
        memcpy(tmp, "\\n", 2);
        k = 2;
        break;
      case '\t':
        memcpy(tmp, "\\t", 2);
        k = 2;
        break;
      case '\r':
        memcpy(tmp, "\\r", 2);
        k = 2;
        break;
      default:
        if (*p < 0x20 || *p == 0x7f) {
          k = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *p);
        } else if (*p >= 0x80) {
          /* Not trusted to be UTF-8: keep the JSON valid by escaping as a code point. */
          k = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *p);
        } else {
          tmp[0] = (char)*p;
          k = 1;
        }
    }
    if (n + k + 1 > cap) {
      if (cap >= 4 && n + 3 < cap) {
        /* Mark the cut. */
        memcpy(out + n, "...", 3);
        n += 3;
      }
      break;
    }
    memcpy(out + n, tmp, k);
    n += k;
  }
  out[n] = 0;
  return n;
}

void trace_begin(trace_line *l, uint64_t t, const char *ev) {
  l->len = 0;
  l->fields = 0;
  l->buf[0] = 0;
  put(l, "{", 1);
  trace_uint(l, "t", t);
  trace_str(l, "ev", ev);
}

void trace_begin_header(trace_line *l) {
  l->len = 0;
  l->fields = 0;
  put(l, "{", 1);
  trace_int(l, "causeway", TRACE_VERSION);
}

void trace_int(trace_line *l, const char *k, int64_t v) {
  char tmp[32];
  key(l, k);
  int n = snprintf(tmp, sizeof tmp, "%" PRId64, v);
  put(l, tmp, (size_t)n);
}

void trace_uint(trace_line *l, const char *k, uint64_t v) {
  char tmp[32];
  key(l, k);
  int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
  put(l, tmp, (size_t)n);
}

void trace_bool(trace_line *l, const char *k, int v) {
  key(l, k);
  puts_plain(l, v ? "true" : "false");
}

static void quoted(trace_line *l, const char *v) {
  char tmp[2048];
  trace_escape(v ? v : "", tmp, sizeof tmp);
  put(l, "\"", 1);
  puts_plain(l, tmp);
  put(l, "\"", 1);
}

void trace_str(trace_line *l, const char *k, const char *v) {
  key(l, k);
  quoted(l, v);
}

void trace_uint_array(trace_line *l, const char *k, const uint32_t *v, int n) {
  key(l, k);
  put(l, "[", 1);
  for (int i = 0; i < n; i++) {
    char tmp[16];
    int m = snprintf(tmp, sizeof tmp, i ? ",%" PRIu32 : "%" PRIu32, v[i]);
    put(l, tmp, (size_t)m);
  }
  put(l, "]", 1);
}

void trace_str_array(trace_line *l, const char *k, const char *const *v, int n) {
  key(l, k);
  put(l, "[", 1);
  for (int i = 0; i < n; i++) {
    if (i) put(l, ",", 1);
    quoted(l, v[i]);
  }
  put(l, "]", 1);
}

void trace_raw(trace_line *l, const char *k, const char *json) {
  key(l, k);
  puts_plain(l, json);
}

void trace_end(trace_line *l, FILE *out) {
  /* put() always leaves room for these three bytes. */
  memcpy(l->buf + l->len, "}\n", 3);
  l->len += 2;
  if (out) fwrite(l->buf, 1, l->len, out);
}
