/*
 * history_read.c: parsers for the three history formats of history_read.h.
 *
 * Each parser reads one line at a time and turns an operation line into one lin_history event;
 * the pairing of invokes with completions is the checker's job (lincheck.c), so these only check
 * that each line is well formed. The trace parser uses jansson; the two log formats are small
 * hand-written scanners.
 */
#include "history_read.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Format names and guessing.
 */
static const char *const format_names[] = {"guess", "trace", "jepsen-etcd", "porcupine-kv"};

bool history_format_parse(const char *name, history_format *out) {
  for (int i = 1; i < 4; i++) {
    if (strcmp(name, format_names[i]) == 0) {
      *out = (history_format)i;
      return true;
    }
  }
  return false;
}

const char *history_format_name(history_format f) {
  return (unsigned)f < 4 ? format_names[f] : "?";
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

history_format history_guess(const char *path, const char *first_line) {
  if (first_line) {
    const char *p = first_line;
    while (*p == ' ' || *p == '\t') p++;
    if (p[0] == '{' && p[1] == '"') return HISTORY_TRACE;
    if (p[0] == '{' && p[1] == ':') return HISTORY_PORCUPINE_KV;
    if (strstr(p, "jepsen.util")) return HISTORY_JEPSEN_ETCD;
    if (isdigit((unsigned char)*p)) {
      while (isdigit((unsigned char)*p)) p++;
      while (*p == ' ' || *p == '\t') p++;
      if (*p == ':') return HISTORY_JEPSEN_ETCD;
    }
  }
  if (path) {
    if (ends_with(path, ".jsonl") || ends_with(path, ".json") || ends_with(path, ".trace"))
      return HISTORY_TRACE;
    if (ends_with(path, ".log")) return HISTORY_JEPSEN_ETCD;
    if (ends_with(path, ".txt") || ends_with(path, ".edn")) return HISTORY_PORCUPINE_KV;
  }
  return HISTORY_GUESS;
}

const lin_model *history_default_model(history_format fmt, const lin_history *h) {
  if (fmt == HISTORY_PORCUPINE_KV) return &lin_model_kv;
  if (fmt == HISTORY_TRACE && h) {
    for (size_t i = 0; i < h->count; i++) {
      const char *f = h->events[i].f;
      if (strcmp(f, "get") == 0 || strcmp(f, "put") == 0 || strcmp(f, "append") == 0)
        return &lin_model_kv;
    }
  }
  return &lin_model_register;
}

/* ---------------------------------------------------------------------------------------------
 * Shared parsing state.
 */
typedef struct reader {
  const char *path;
  int line; /* current line number, 1-based */
  lin_history *h;
  char *err;
  size_t cap;
  bool header_seen; /* trace: the header line was read */
} reader;

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(reader *r, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(r->err, r->cap, "%s:%d: %s", r->path, r->line, msg);
  return -1;
}

static bool phase_parse(const char *s, size_t n, lin_phase *out) {
  static const struct {
    const char *name;
    lin_phase phase;
  } table[] = {{"invoke", LIN_INVOKE}, {"ok", LIN_OK}, {"fail", LIN_FAIL}, {"info", LIN_INFO}};
  for (size_t i = 0; i < 4; i++) {
    if (strlen(table[i].name) == n && strncmp(s, table[i].name, n) == 0) {
      *out = table[i].phase;
      return true;
    }
  }
  return false;
}

static bool is_read(const char *f) { return strcmp(f, "read") == 0 || strcmp(f, "get") == 0; }

/* ---------------------------------------------------------------------------------------------
 * Jepsen's log: "INFO  jepsen.util - PROCESS<TAB>:TYPE<TAB>:F<TAB>VALUE".
 */
static const char *skip_blank(const char *p) {
  while (*p == ' ' || *p == '\t') p++;
  return p;
}

/* Read a whitespace-ended token at *p; returns its length and advances *p past it. */
static size_t token(const char **p) {
  const char *s = *p;
  while (*s && *s != ' ' && *s != '\t') s++;
  size_t n = (size_t)(s - *p);
  *p = s;
  return n;
}

static int parse_jepsen_line(reader *r, const char *line) {
  const char *p = strstr(line, "jepsen.util - ");
  p = p ? p + strlen("jepsen.util - ") : line;
  p = skip_blank(p);
  if (*p == '\0') return 0; /* blank line */
  if (!isdigit((unsigned char)*p)) {
    if (*p == ':') return 0; /* the nemesis or another named process: not a client */
    return fail(r, "expected PROCESS :TYPE :F VALUE (a number first)");
  }
  char *end;
  errno = 0;
  long process = strtol(p, &end, 10);
  if (errno || process > 1000000000L) return fail(r, "process number out of range");
  p = skip_blank(end);
  if (*p != ':') return fail(r, "expected :invoke, :ok, :fail or :info after the process");
  const char *type = ++p;
  size_t type_len = token(&p);
  lin_phase phase;
  if (!phase_parse(type, type_len, &phase))
    return fail(r, "unknown type :%.*s (expected :invoke, :ok, :fail or :info)", (int)type_len,
                type);
  p = skip_blank(p);
  if (*p != ':') return fail(r, "expected the operation (:read, :write or :cas)");
  const char *f = ++p;
  size_t f_len = token(&p);
  if (f_len == 0 || f_len > 32) return fail(r, "bad operation name");
  char fname[33];
  memcpy(fname, f, f_len);
  fname[f_len] = '\0';
  p = skip_blank(p);
  /* The value: the rest of the line without trailing blanks. */
  size_t v_len = strlen(p);
  while (v_len > 0 && isspace((unsigned char)p[v_len - 1])) v_len--;
  char *value = malloc(v_len + 1);
  if (!value) abort();
  if (v_len >= 2 && p[0] == '[' && p[v_len - 1] == ']') {
    /* [old new] -> "old new", inner blanks collapsed to one space */
    size_t k = 0;
    bool blank = false;
    for (size_t i = 1; i + 1 < v_len; i++) {
      if (p[i] == ' ' || p[i] == '\t' || p[i] == ',') {
        blank = k > 0;
        continue;
      }
      if (blank) value[k++] = ' ';
      blank = false;
      value[k++] = p[i];
    }
    value[k] = '\0';
  } else if (v_len > 0 && p[0] == ':') {
    value[0] = '\0'; /* a keyword such as :timed-out: no value */
  } else {
    memcpy(value, p, v_len);
    value[v_len] = '\0';
  }
  if (phase == LIN_INVOKE && is_read(fname)) value[0] = '\0';
  lin_history_add(r->h, phase, 0, (int)process, fname, "", value, r->line);
  free(value);
  return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Porcupine's EDN maps: {:process 6, :type :invoke, :f :append, :key "0", :value "x 6 0 y"}.
 */
typedef struct edn_value {
  enum { EDN_NONE, EDN_NIL, EDN_INT, EDN_KEYWORD, EDN_STRING } kind;
  char *text; /* malloc'd text for INT, KEYWORD (without ':'), STRING (unescaped) */
} edn_value;

/* Parse one EDN scalar at *p. Returns 0, or -1 after writing the error. */
static int edn_scalar(reader *r, const char **pp, edn_value *v) {
  const char *p = *pp;
  if (*p == '"') {
    p++;
    size_t cap = strlen(p) + 1, k = 0;
    char *s = malloc(cap);
    if (!s) abort();
    while (*p && *p != '"') {
      if (*p == '\\') {
        p++;
        char c = *p;
        if (c == 'n')
          c = '\n';
        else if (c == 't')
          c = '\t';
        else if (c != '"' && c != '\\') {
          free(s);
          return fail(r, "unsupported escape \\%c in a string", c ? c : '0');
        }
        s[k++] = c;
        p++;
      } else {
        s[k++] = *p++;
      }
    }
    if (*p != '"') {
      free(s);
      return fail(r, "unterminated string");
    }
    s[k] = '\0';
    v->kind = EDN_STRING;
    v->text = s;
    *pp = p + 1;
    return 0;
  }
  const char *start = p;
  while (*p && !isspace((unsigned char)*p) && *p != ',' && *p != '}') p++;
  size_t n = (size_t)(p - start);
  if (n == 0) return fail(r, "expected a value");
  if (n == 3 && strncmp(start, "nil", 3) == 0) {
    v->kind = EDN_NIL;
  } else if (start[0] == ':' && n > 1) {
    v->kind = EDN_KEYWORD;
    start++;
    n--;
  } else {
    bool digits = true;
    for (size_t i = (start[0] == '-'); i < n; i++)
      digits = digits && isdigit((unsigned char)start[i]);
    if (!digits || n > 18 || (n == 1 && start[0] == '-'))
      return fail(r, "unexpected value \"%.*s\"", (int)(n > 40 ? 40 : n), start);
    v->kind = EDN_INT;
  }
  if (v->kind != EDN_NIL) {
    v->text = malloc(n + 1);
    if (!v->text) abort();
    memcpy(v->text, start, n);
    v->text[n] = '\0';
  }
  *pp = p;
  return 0;
}

static int parse_porcupine_line(reader *r, const char *line) {
  const char *p = line;
  while (isspace((unsigned char)*p)) p++;
  if (*p == '\0') return 0;
  if (*p != '{') return fail(r, "expected an EDN map {:process P, :type T, :f F, ...}");
  p++;
  edn_value process = {0}, type = {0}, f = {0}, key = {0}, value = {0};
  int rc = 0;
  for (;;) {
    while (isspace((unsigned char)*p) || *p == ',') p++;
    if (*p == '}') break;
    if (*p != ':') {
      rc = *p ? fail(r, "expected a :keyword in the map") : fail(r, "the map is not closed by }");
      break;
    }
    const char *name = ++p;
    while (*p && !isspace((unsigned char)*p) && *p != ',' && *p != '}') p++;
    size_t name_len = (size_t)(p - name);
    while (isspace((unsigned char)*p)) p++;
    edn_value v = {0};
    if ((rc = edn_scalar(r, &p, &v)) != 0) break;
    edn_value *slot = NULL;
#define FIELD(str, var) \
  if (name_len == strlen(str) && strncmp(name, str, name_len) == 0) slot = &var;
    FIELD("process", process)
    FIELD("type", type)
    FIELD("f", f)
    FIELD("key", key)
    FIELD("value", value)
#undef FIELD
    if (slot) {
      free(slot->text);
      *slot = v;
    } else {
      free(v.text); /* an unknown field: ignored */
    }
  }
  lin_phase phase = LIN_INVOKE;
  if (rc == 0 && process.kind == EDN_KEYWORD) {
    /* :process :nemesis (Jepsen's fault injector) is not a client: skip the line. */
    free(process.text);
    free(type.text);
    free(f.text);
    free(key.text);
    free(value.text);
    return 0;
  }
  if (rc == 0) {
    if (process.kind != EDN_INT)
      rc = fail(r, "missing or non-integer :process");
    else if (type.kind != EDN_KEYWORD || !phase_parse(type.text, strlen(type.text), &phase))
      rc = fail(r, "missing :type, or not one of :invoke, :ok, :fail, :info");
    else if (f.kind != EDN_KEYWORD)
      rc = fail(r, "missing :f (the operation, such as :get)");
    else if (strtoll(process.text, NULL, 10) < -1000000000LL ||
             strtoll(process.text, NULL, 10) > 1000000000LL)
      rc = fail(r, "process number out of range");
  }
  if (rc == 0) {
    const char *k = key.kind == EDN_NIL || key.kind == EDN_NONE ? "" : key.text;
    const char *v = value.kind == EDN_NIL || value.kind == EDN_NONE ? "" : value.text;
    if (phase == LIN_INVOKE && is_read(f.text)) v = "";
    lin_history_add(r->h, phase, 0, (int)strtol(process.text, NULL, 10), f.text, k, v, r->line);
  }
  free(process.text);
  free(type.text);
  free(f.text);
  free(key.text);
  free(value.text);
  return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Causeway traces (JSON Lines).
 */

/* Text of an optional string-or-number field into buf; "" when absent or null. Returns false if
 * the field has another JSON type. */
static bool json_text(json_t *obj, const char *name, char *buf, size_t cap, const char **out) {
  json_t *v = json_object_get(obj, name);
  if (!v || json_is_null(v)) {
    *out = "";
  } else if (json_is_string(v)) {
    *out = json_string_value(v);
  } else if (json_is_integer(v)) {
    snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    *out = buf;
  } else {
    return false;
  }
  return true;
}

static int parse_trace_line(reader *r, const char *line) {
  const char *p = line;
  while (isspace((unsigned char)*p)) p++;
  if (*p == '\0') return 0;
  /* Most lines of a trace are messages and timers: only lines that name a client can be
   * history events, so skip the others without building a JSON tree. */
  if (r->header_seen && !strstr(p, "\"client\"")) return 0;
  json_error_t jerr;
  json_t *obj = json_loads(p, JSON_REJECT_DUPLICATES, &jerr);
  if (!obj) return fail(r, "invalid JSON: %s", jerr.text);
  int rc = 0;
  if (!json_is_object(obj)) {
    rc = fail(r, "expected a JSON object");
  } else if (!r->header_seen) {
    json_t *ver = json_object_get(obj, "causeway");
    if (!json_is_integer(ver))
      rc = fail(r, "expected the trace header {\"causeway\":1,...} on the first line");
    else if (json_integer_value(ver) != 1)
      rc = fail(r, "unsupported trace version %lld (this reader knows 1)",
                (long long)json_integer_value(ver));
    r->header_seen = true;
  } else {
    json_t *ev = json_object_get(obj, "ev");
    lin_phase phase;
    const char *evs = json_is_string(ev) ? json_string_value(ev) : NULL;
    if (!evs) {
      rc = fail(r, "missing \"ev\"");
    } else if (phase_parse(evs, strlen(evs), &phase)) {
      json_t *t = json_object_get(obj, "t"), *client = json_object_get(obj, "client");
      json_t *op = json_object_get(obj, "op");
      char kbuf[32], vbuf[32];
      const char *key, *value;
      if (!json_is_integer(t) || json_integer_value(t) < 0)
        rc = fail(r, "missing or negative \"t\"");
      else if (!json_is_integer(client) || json_integer_value(client) < -1000000000LL ||
               json_integer_value(client) > 1000000000LL)
        rc = fail(r, "missing or out-of-range \"client\"");
      else if (!json_is_string(op) || !json_string_value(op)[0])
        rc = fail(r, "missing \"op\" (the operation name)");
      else if (!json_text(obj, "key", kbuf, sizeof kbuf, &key))
        rc = fail(r, "\"key\" must be a string or a number");
      else if (!json_text(obj, "value", vbuf, sizeof vbuf, &value))
        rc = fail(r, "\"value\" must be a string or a number");
      else
        lin_history_add(r->h, phase, (uint64_t)json_integer_value(t),
                        (int)json_integer_value(client), json_string_value(op), key, value,
                        r->line);
    }
  }
  json_decref(obj);
  return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Reading a file.
 */
int history_read_file(const char *path, history_format fmt, lin_history *h, history_format *used,
                      char *err, size_t cap) {
  memset(h, 0, sizeof *h);
  FILE *in = fopen(path, "r");
  if (!in) {
    snprintf(err, cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t len;
  if (fmt == HISTORY_GUESS) {
    /* Look at the first non-blank line, then start again from the top. */
    const char *first = NULL;
    while ((len = getline(&line, &line_cap, in)) >= 0) {
      const char *p = line;
      while (isspace((unsigned char)*p)) p++;
      if (*p) {
        first = line;
        break;
      }
    }
    fmt = history_guess(path, first);
    rewind(in);
    if (fmt == HISTORY_GUESS) {
      snprintf(err, cap,
               "%s: cannot tell the format; use --format trace, jepsen-etcd or porcupine-kv", path);
      free(line);
      fclose(in);
      return -1;
    }
  }
  if (used) *used = fmt;
  lin_history_init(h, fmt == HISTORY_TRACE, path);
  reader r = {.path = path, .h = h, .err = err, .cap = cap};
  int rc = 0;
  while (rc == 0 && (len = getline(&line, &line_cap, in)) >= 0) {
    r.line++;
    if ((size_t)len != strlen(line)) {
      rc = fail(&r, "a NUL byte in the line (not a text file?)");
      break;
    }
    switch (fmt) {
      case HISTORY_TRACE:
        rc = parse_trace_line(&r, line);
        break;
      case HISTORY_JEPSEN_ETCD:
        rc = parse_jepsen_line(&r, line);
        break;
      case HISTORY_PORCUPINE_KV:
        rc = parse_porcupine_line(&r, line);
        break;
      case HISTORY_GUESS:
        break;
    }
  }
  if (rc == 0 && ferror(in)) {
    snprintf(err, cap, "%s: read error: %s", path, strerror(errno));
    rc = -1;
  }
  if (rc == 0 && fmt == HISTORY_TRACE && !r.header_seen && r.line > 0) {
    snprintf(err, cap, "%s:1: expected the trace header {\"causeway\":1,...}", path);
    rc = -1;
  }
  free(line);
  fclose(in);
  if (rc != 0) lin_history_free(h);
  return rc;
}
