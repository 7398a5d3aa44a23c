/*
 * trace_read.c: the JSON Lines trace reader (see trace_read.h for the format and the contract).
 *
 * How a line becomes an event:
 *   1. The header (first non-blank line) is parsed by jansson and checked by read_header.
 *   2. An event line is first tried by fast_scan, a strict scanner for the flat objects that
 *      lib/trace.c writes. It fills a `fields` record or gives up (returns false) on anything
 *      it is not sure about: whitespace, \u escapes, non-ASCII bytes, unknown or repeated keys,
 *      numbers with a fraction, a vector clock of the wrong length. Giving up is never an error.
 *   3. If it gave up, jansson parses the line (json_fields) and fills the same record, or
 *      words the error (bad JSON, a field of the wrong JSON type).
 *   4. apply_event checks the record (required fields, ranges, time order) and appends the
 *      event, interning its strings and linking it into the message index.
 * A bad line changes nothing but the line counter, so a live viewer keeps what it has.
 */
#include "trace_read.h"
#include "mem.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Small allocation helpers: out of memory is fatal (a viewer cannot do anything useful then).
 */
#define xrealloc(p, n) mem_realloc((p), (n), "trace")
#define xstrdup(s) mem_strdup((s), "trace")

/* Grow an array so that it can hold `need` elements of `size` bytes. */
static void grow(void **arr, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return;
  size_t c = *cap ? *cap : 16;
  while (c < need) c *= 2;
  *arr = xrealloc(*arr, c * size);
  *cap = c;
}

static uint32_t hash_bytes(const char *s, size_t n) { /* FNV-1a, 32 bits */
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static uint32_t hash_u64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return (uint32_t)x;
}

/* ---------------------------------------------------------------------------------------------
 * Private state: the string table, the number pool, the message index, the partial line.
 */
enum { ARENA_BLOCK = 1 << 16 };

struct trace_priv {
  /* String table: strings live in arena blocks that never move. */
  char **blocks;
  size_t nblocks, blocks_cap, block_used, block_size;
  const char **strs; /* sid -> text */
  uint32_t *lens;    /* sid -> length */
  uint32_t *hashes;  /* sid -> hash */
  size_t nstrs, strs_cap;
  uint32_t *slots; /* open addressing: sid + 1, 0 = empty */
  size_t nslots;
  size_t arena_bytes;

  /* Number pool: vector clocks and partition groups. */
  uint32_t *pool;
  size_t pool_len, pool_cap;

  /* Message index: id -> SEND event index (open addressing on ids). */
  uint64_t *msg_ids;
  uint32_t *msg_ev; /* TRACE_NONE = empty slot */
  size_t msg_slots, msg_used;

  size_t events_cap, types_cap, timers_cap;

  /* A partial line kept by trace_feed until its newline arrives. */
  char *part;
  size_t part_len, part_cap;

  /* Scratch for the current line: decoded strings, the vc, the groups. */
  char *scratch;
  size_t scratch_cap;
  uint32_t *vc_tmp;
  int32_t *groups_tmp;

  bool slow;   /* true: every line goes to jansson */
  bool failed; /* trace_feed hit a bad line; later bytes are ignored */
};

static trace_sid intern(trace_data *tr, const char *s, size_t n) {
  trace_priv *p = tr->priv;
  if (n == 0) return 0;
  uint32_t h = hash_bytes(s, n);
  size_t mask = p->nslots - 1, i = h & mask;
  for (; p->slots[i]; i = (i + 1) & mask) {
    uint32_t sid = p->slots[i] - 1;
    if (p->hashes[sid] == h && p->lens[sid] == n && memcmp(p->strs[sid], s, n) == 0) return sid;
  }
  if (n > UINT32_MAX - 1 || p->nstrs >= UINT32_MAX - 2) {
    fprintf(stderr, "trace: too many strings\n");
    abort();
  }
  /* Copy the text into the arena (a big string gets a block of its own). */
  if (p->block_used + n + 1 > p->block_size) {
    size_t bs = n + 1 > ARENA_BLOCK ? n + 1 : ARENA_BLOCK;
    grow((void **)&p->blocks, &p->blocks_cap, p->nblocks + 1, sizeof *p->blocks);
    p->blocks[p->nblocks++] = xrealloc(NULL, bs);
    p->block_used = 0;
    p->block_size = bs;
    p->arena_bytes += bs;
  }
  char *d = p->blocks[p->nblocks - 1] + p->block_used;
  memcpy(d, s, n);
  d[n] = '\0';
  p->block_used += n + 1;
  size_t cap = p->strs_cap;
  grow((void **)&p->strs, &cap, p->nstrs + 1, sizeof *p->strs);
  if (cap != p->strs_cap) {
    p->lens = xrealloc(p->lens, cap * sizeof *p->lens);
    p->hashes = xrealloc(p->hashes, cap * sizeof *p->hashes);
    p->strs_cap = cap;
  }
  uint32_t sid = (uint32_t)p->nstrs++;
  p->strs[sid] = d;
  p->lens[sid] = (uint32_t)n;
  p->hashes[sid] = h;
  p->slots[i] = sid + 1;
  if (p->nstrs * 2 > p->nslots) { /* keep the table at most half full */
    size_t ns = p->nslots * 2;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots) abort();
    for (size_t k = 1; k < p->nstrs; k++) {
      size_t j = p->hashes[k] & (ns - 1);
      while (slots[j]) j = (j + 1) & (ns - 1);
      slots[j] = (uint32_t)k + 1;
    }
    free(p->slots);
    p->slots = slots;
    p->nslots = ns;
  }
  return sid;
}

trace_sid trace_find_text(const trace_data *tr, const char *s) {
  const trace_priv *p = tr->priv;
  size_t n = strlen(s);
  if (n == 0) return 0;
  uint32_t h = hash_bytes(s, n);
  size_t mask = p->nslots - 1;
  for (size_t i = h & mask; p->slots[i]; i = (i + 1) & mask) {
    uint32_t sid = p->slots[i] - 1;
    if (p->hashes[sid] == h && p->lens[sid] == n && memcmp(p->strs[sid], s, n) == 0) return sid;
  }
  return 0;
}

const char *trace_text(const trace_data *tr, trace_sid s) {
  if (s >= tr->priv->nstrs) return "";
  return tr->priv->strs[s];
}

static uint32_t msg_find(const trace_priv *p, uint64_t id) {
  if (!p->msg_slots) return TRACE_NONE;
  size_t mask = p->msg_slots - 1;
  for (size_t i = hash_u64(id) & mask; p->msg_ev[i] != TRACE_NONE; i = (i + 1) & mask)
    if (p->msg_ids[i] == id) return p->msg_ev[i];
  return TRACE_NONE;
}

static void msg_insert(trace_priv *p, uint64_t id, uint32_t ev) {
  if ((p->msg_used + 1) * 2 > p->msg_slots) {
    size_t ns = p->msg_slots ? p->msg_slots * 2 : 1024;
    uint64_t *ids = xrealloc(NULL, ns * sizeof *ids);
    uint32_t *evs = xrealloc(NULL, ns * sizeof *evs);
    for (size_t i = 0; i < ns; i++) evs[i] = TRACE_NONE;
    for (size_t i = 0; i < p->msg_slots; i++) {
      if (p->msg_ev[i] == TRACE_NONE) continue;
      size_t j = hash_u64(p->msg_ids[i]) & (ns - 1);
      while (evs[j] != TRACE_NONE) j = (j + 1) & (ns - 1);
      ids[j] = p->msg_ids[i];
      evs[j] = p->msg_ev[i];
    }
    free(p->msg_ids);
    free(p->msg_ev);
    p->msg_ids = ids;
    p->msg_ev = evs;
    p->msg_slots = ns;
  }
  size_t mask = p->msg_slots - 1, i = hash_u64(id) & mask;
  while (p->msg_ev[i] != TRACE_NONE) i = (i + 1) & mask;
  p->msg_ids[i] = id;
  p->msg_ev[i] = ev;
  p->msg_used++;
}

/* ---------------------------------------------------------------------------------------------
 * Names.
 */
static const char *const kind_names[TRACE_KIND_COUNT] = {
    "boot",  "send",    "recv",      "drop",      "timer",   "local", "state", "note",
    "crash", "restart", "partition", "block",     "unblock", "heal",  "net",   "invoke",
    "ok",    "fail",    "info",      "violation", "end",     "other"};

const char *trace_kind_name(int kind) {
  return kind >= 0 && kind < TRACE_KIND_COUNT ? kind_names[kind] : "?";
}

const char *trace_why_name(int why) {
  static const char *const names[] = {"", "loss", "partition", "dead", "other"};
  return why >= 0 && why <= TRACE_WHY_OTHER ? names[why] : "?";
}

const char *trace_format_time(uint64_t t, char *buf, size_t cap) {
  if (t == 0)
    snprintf(buf, cap, "0");
  else if (t >= 1000000)
    snprintf(buf, cap, "%.3fs", (double)t / 1e6);
  else if (t >= 1000) {
    /* Up to two decimals, trailing zeros dropped: 382.22ms, 56.6ms, 108ms. */
    int n = snprintf(buf, cap, "%.2f", (double)t / 1e3);
    while (n > 0 && (size_t)n < cap && (buf[n - 1] == '0' || buf[n - 1] == '.')) {
      bool was_point = buf[n - 1] == '.';
      buf[--n] = '\0';
      if (was_point) break;
    }
    if ((size_t)n + 2 < cap) memcpy(buf + n, "ms", 3);
  } else
    snprintf(buf, cap, "%" PRIu64 "us", t);
  return buf;
}

/* ---------------------------------------------------------------------------------------------
 * Errors.
 */
static int fail(const trace_data *tr, char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(const trace_data *tr, char *err, size_t cap, const char *fmt, ...) {
  if (err && cap) {
    int n = snprintf(err, cap, "trace %s:%" PRIu32 ": ", tr->file, tr->lines);
    if (n >= 0 && (size_t)n < cap) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(err + n, cap - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  return -1;
}

/* ---------------------------------------------------------------------------------------------
 * The fields of one event line, filled by fast_scan or json_fields.
 */
enum {
  F_T,
  F_EV,
  F_NODE,
  F_TO,
  F_FROM,
  F_ID,
  F_CLIENT,
  F_ARG, /* integers (F_T..F_ARG) */
  F_TYPE,
  F_BODY,
  F_NAME,
  F_KEY,
  F_VALUE,
  F_TEXT,
  F_WHY,
  F_INVARIANT,
  F_OP, /* strings */
  F_VC,
  F_GROUPS,
  F_COUNT
};
static const char *const field_names[F_COUNT] = {
    "t",    "ev",  "node",  "to",   "from", "id",        "client", "arg", "type",  "body",
    "name", "key", "value", "text", "why",  "invariant", "op",     "vc",  "groups"};
#define BIT(f) (1u << (f))
#define IS_INT_FIELD(f) ((f) != F_EV && (f) <= F_ARG)

typedef struct fields {
  uint32_t present;         /* BIT(F_x) for each field seen */
  int64_t num[F_COUNT];     /* integer fields */
  const char *str[F_COUNT]; /* string fields (not NUL-terminated) */
  size_t len[F_COUNT];
  size_t vc_len; /* entries read into priv->vc_tmp */
} fields;

/* Does the NUL-terminated table name equal the n bytes at k? (Cheaper than strlen+memcmp.) */
static bool name_is(const char *name, const char *k, size_t n) {
  return name[0] == k[0] && strnlen(name, n + 1) == n && memcmp(name, k, n) == 0;
}

static int field_index(const char *k, size_t n) {
  if (n == 0) return -1;
  for (int f = 0; f < F_COUNT; f++)
    if (name_is(field_names[f], k, n)) return f;
  return -1;
}

/* Scan an integer at s[*i]: -?(0|[1-9][0-9]*), at most 18 digits. False to give up. */
static bool scan_int(const char *s, size_t n, size_t *i, int64_t *out) {
  size_t j = *i;
  bool neg = false;
  if (j < n && s[j] == '-') neg = true, j++;
  size_t start = j;
  int64_t v = 0;
  while (j < n && s[j] >= '0' && s[j] <= '9') v = v * 10 + (s[j++] - '0');
  size_t digits = j - start;
  if (digits == 0 || digits > 18 || (digits > 1 && s[start] == '0')) return false;
  if (j < n && (s[j] == '.' || s[j] == 'e' || s[j] == 'E')) return false;
  *out = neg ? -v : v;
  *i = j;
  return true;
}

/* Scan a string at s[*i] (which is '"'). Plain strings point into s; strings with simple
 * escapes are decoded into *scratch (advanced past them). False to give up. */
static bool scan_string(const char *s, size_t n, size_t *i, char **scratch, const char **out,
                        size_t *outlen) {
  size_t j = *i + 1, start = j;
  while (j < n && s[j] != '"' && s[j] != '\\') {
    unsigned char c = (unsigned char)s[j];
    if (c < 0x20 || c >= 0x80) return false;
    j++;
  }
  if (j >= n) return false;
  if (s[j] == '"') {
    *out = s + start;
    *outlen = j - start;
    *i = j + 1;
    return true;
  }
  char *d = *scratch, *d0 = d;
  memcpy(d, s + start, j - start);
  d += j - start;
  while (j < n && s[j] != '"') {
    unsigned char c = (unsigned char)s[j];
    if (c < 0x20 || c >= 0x80) return false;
    if (c != '\\') {
      *d++ = (char)c;
      j++;
      continue;
    }
    if (j + 1 >= n) return false;
    switch (s[j + 1]) {
      case '"':
        *d++ = '"';
        break;
      case '\\':
        *d++ = '\\';
        break;
      case '/':
        *d++ = '/';
        break;
      case 'b':
        *d++ = '\b';
        break;
      case 'f':
        *d++ = '\f';
        break;
      case 'n':
        *d++ = '\n';
        break;
      case 'r':
        *d++ = '\r';
        break;
      case 't':
        *d++ = '\t';
        break;
      default:
        return false; /* \u and anything else: let jansson decide */
    }
    j += 2;
  }
  if (j >= n) return false;
  *out = d0;
  *outlen = (size_t)(d - d0);
  *scratch = d;
  *i = j + 1;
  return true;
}

/* The fast path: a strict scanner for one flat event object. False means "not sure, ask
 * jansson", never "bad line". */
static bool fast_scan(trace_data *tr, const char *s, size_t n, fields *f) {
  trace_priv *p = tr->priv;
  char *scratch = p->scratch;
  size_t i = 1;
  f->present = 0;
  if (n < 2 || s[0] != '{' || s[n - 1] != '}') return false;
  for (;;) {
    if (i >= n || s[i] != '"') return false;
    size_t k = ++i;
    while (i < n && s[i] != '"' && s[i] != '\\') i++;
    if (i >= n || s[i] != '"') return false;
    int fi = field_index(s + k, i - k);
    if (fi < 0 || (f->present & BIT(fi))) return false;
    i++;
    if (i >= n || s[i++] != ':') return false;
    if (IS_INT_FIELD(fi)) {
      if (!scan_int(s, n, &i, &f->num[fi])) return false;
    } else if (fi == F_VC) {
      size_t m = 0;
      if (i >= n || s[i++] != '[') return false;
      while (i < n && s[i] != ']') {
        int64_t v;
        if (m >= (size_t)tr->node_count || !scan_int(s, n, &i, &v) || v < 0 || v > UINT32_MAX)
          return false;
        p->vc_tmp[m++] = (uint32_t)v;
        if (i < n && s[i] == ',')
          i++;
        else if (i < n && s[i] != ']')
          return false;
      }
      if (i >= n || s[i - 1] == ',') return false;
      i++;
      f->vc_len = m;
    } else if (fi == F_GROUPS) {
      for (int k2 = 0; k2 < tr->node_count; k2++) p->groups_tmp[k2] = -1;
      int32_t g = 0;
      if (i >= n || s[i++] != '[') return false;
      while (i < n && s[i] == '[') {
        i++;
        while (i < n && s[i] != ']') {
          int64_t v;
          if (!scan_int(s, n, &i, &v) || v < 0 || v >= tr->node_count || p->groups_tmp[v] != -1)
            return false;
          p->groups_tmp[v] = g;
          if (i < n && s[i] == ',')
            i++;
          else if (i < n && s[i] != ']')
            return false;
        }
        if (i >= n || s[i - 1] == ',') return false;
        i++, g++;
        if (i < n && s[i] == ',')
          i++;
        else if (i < n && s[i] != ']')
          return false;
      }
      if (i >= n || s[i] != ']' || s[i - 1] == ',') return false;
      i++;
    } else {
      if (i >= n || s[i] != '"' || !scan_string(s, n, &i, &scratch, &f->str[fi], &f->len[fi]))
        return false;
    }
    f->present |= BIT(fi);
    if (i >= n) return false;
    if (s[i] == '}') return i + 1 == n;
    if (s[i++] != ',') return false;
  }
}

/* The slow path: jansson parses the line; fill f or word the error. root is kept alive by
 * the caller until the fields have been applied (strings point into it). */
static int json_fields(trace_data *tr, json_t *root, fields *f, char *err, size_t cap) {
  trace_priv *p = tr->priv;
  f->present = 0;
  if (!json_is_object(root)) return fail(tr, err, cap, "expected a JSON object");
  for (int fi = 0; fi < F_COUNT; fi++) {
    json_t *v = json_object_get(root, field_names[fi]);
    if (!v) continue;
    if (IS_INT_FIELD(fi)) {
      if (!json_is_integer(v))
        return fail(tr, err, cap, "field \"%s\" must be an integer", field_names[fi]);
      f->num[fi] = json_integer_value(v);
    } else if (fi == F_VC) {
      if (!json_is_array(v)) return fail(tr, err, cap, "field \"vc\" must be an array");
      /* The length is checked by apply_event, in the same order as for the fast path. */
      size_t m = json_array_size(v);
      for (size_t k = 0; k < m; k++) {
        json_t *x = json_array_get(v, k);
        if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > UINT32_MAX)
          return fail(tr, err, cap, "vector clock entry %zu is not a counter", k);
        if (k < (size_t)tr->node_count) p->vc_tmp[k] = (uint32_t)json_integer_value(x);
      }
      f->vc_len = m;
    } else if (fi == F_GROUPS) {
      if (!json_is_array(v)) return fail(tr, err, cap, "field \"groups\" must be an array");
      for (int k = 0; k < tr->node_count; k++) p->groups_tmp[k] = -1;
      for (size_t g = 0; g < json_array_size(v); g++) {
        json_t *grp = json_array_get(v, g);
        if (!json_is_array(grp))
          return fail(tr, err, cap, "partition group %zu must be an array of nodes", g);
        for (size_t k = 0; k < json_array_size(grp); k++) {
          json_t *x = json_array_get(grp, k);
          if (!json_is_integer(x))
            return fail(tr, err, cap, "partition group %zu holds a non-integer", g);
          json_int_t nd = json_integer_value(x);
          if (nd < 0 || nd >= tr->node_count)
            return fail(tr, err, cap, "partition names node %lld, but there are %d nodes",
                        (long long)nd, tr->node_count);
          if (p->groups_tmp[nd] != -1)
            return fail(tr, err, cap, "partition lists node %lld twice", (long long)nd);
          p->groups_tmp[nd] = (int32_t)g;
        }
      }
    } else {
      if (!json_is_string(v))
        return fail(tr, err, cap, "field \"%s\" must be a string", field_names[fi]);
      f->str[fi] = json_string_value(v);
      f->len[fi] = json_string_length(v);
    }
    f->present |= BIT(fi);
  }
  return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Validation and appending, shared by both paths.
 */
typedef struct kind_rule {
  const char *name;
  uint32_t need; /* fields that must be present */
} kind_rule;

static const kind_rule rules[TRACE_KIND_COUNT] = {
    [TRACE_BOOT] = {"boot", BIT(F_NODE)},
    [TRACE_SEND] = {"send", BIT(F_NODE) | BIT(F_TO) | BIT(F_ID) | BIT(F_TYPE)},
    [TRACE_RECV] = {"recv", BIT(F_NODE) | BIT(F_FROM) | BIT(F_ID) | BIT(F_TYPE)},
    [TRACE_DROP] = {"drop", BIT(F_ID) | BIT(F_WHY)},
    [TRACE_TIMER] = {"timer", BIT(F_NODE) | BIT(F_NAME)},
    [TRACE_LOCAL] = {"local", BIT(F_NODE)},
    [TRACE_STATE] = {"state", BIT(F_NODE) | BIT(F_KEY) | BIT(F_VALUE)},
    [TRACE_NOTE] = {"note", BIT(F_NODE) | BIT(F_TEXT)},
    [TRACE_CRASH] = {"crash", BIT(F_NODE)},
    [TRACE_RESTART] = {"restart", BIT(F_NODE)},
    [TRACE_PARTITION] = {"partition", BIT(F_GROUPS)},
    [TRACE_BLOCK] = {"block", BIT(F_FROM) | BIT(F_TO)},
    [TRACE_UNBLOCK] = {"unblock", BIT(F_FROM) | BIT(F_TO)},
    [TRACE_HEAL] = {"heal", 0},
    [TRACE_NET] = {"net", BIT(F_TEXT)},
    [TRACE_INVOKE] = {"invoke", BIT(F_CLIENT) | BIT(F_OP)},
    [TRACE_OK] = {"ok", BIT(F_CLIENT) | BIT(F_OP)},
    [TRACE_FAIL] = {"fail", BIT(F_CLIENT) | BIT(F_OP)},
    [TRACE_INFO] = {"info", BIT(F_CLIENT) | BIT(F_OP)},
    [TRACE_VIOLATION] = {"violation", BIT(F_INVARIANT) | BIT(F_TEXT)},
    [TRACE_END] = {"end", 0},
    [TRACE_OTHER] = {"other", 0},
};

static int kind_of(const char *s, size_t n) {
  if (n == 0) return TRACE_OTHER;
  for (int k = 0; k < TRACE_KIND_COUNT - 1; k++)
    if (name_is(kind_names[k], s, n)) return k;
  return TRACE_OTHER;
}

static trace_sid field_sid(trace_data *tr, const fields *f, int fi) {
  return (f->present & BIT(fi)) ? intern(tr, f->str[fi], f->len[fi]) : 0;
}

/* Index of sid in list (adding it if absent); used for types[] and timers[]. */
static uint16_t list_index(trace_sid **list, int *count, size_t *cap, trace_sid sid) {
  for (int i = 0; i < *count; i++)
    if ((*list)[i] == sid) return (uint16_t)i;
  if (*count >= UINT16_MAX) return UINT16_MAX;
  grow((void **)list, cap, (size_t)*count + 1, sizeof **list);
  (*list)[*count] = sid;
  return (uint16_t)(*count)++;
}

static uint32_t pool_put(trace_priv *p, const uint32_t *v, size_t n) {
  if (p->pool_len + n > UINT32_MAX - 1) {
    fprintf(stderr, "trace: number pool full\n");
    abort();
  }
  grow((void **)&p->pool, &p->pool_cap, p->pool_len + n, sizeof *p->pool);
  memcpy(p->pool + p->pool_len, v, n * sizeof *v);
  uint32_t off = (uint32_t)p->pool_len;
  p->pool_len += n;
  return off;
}

static int apply_event(trace_data *tr, const fields *f, char *err, size_t cap) {
  trace_priv *p = tr->priv;
  int n = tr->node_count;
  if (!(f->present & BIT(F_T))) return fail(tr, err, cap, "event without \"t\" (its time)");
  if (f->num[F_T] < 0) return fail(tr, err, cap, "negative time t=%" PRId64, f->num[F_T]);
  if (!(f->present & BIT(F_EV))) return fail(tr, err, cap, "event without \"ev\" (its kind)");
  uint64_t t = (uint64_t)f->num[F_T];
  if (tr->count && t < tr->events[tr->count - 1].t)
    return fail(tr, err, cap,
                "time goes backwards: t=%" PRIu64 " after t=%" PRIu64 " (line %" PRIu32 ")", t,
                tr->events[tr->count - 1].t, tr->events[tr->count - 1].line);
  if (tr->ended) return fail(tr, err, cap, "event after the \"end\" event");
  int kind = kind_of(f->str[F_EV], f->len[F_EV]);
  uint32_t missing = rules[kind].need & ~f->present;
  if (missing) {
    int fi = __builtin_ctz(missing);
    return fail(tr, err, cap, "%s event without \"%s\"", rules[kind].name, field_names[fi]);
  }
  /* Ranges. */
  if ((f->present & BIT(F_NODE)) && (f->num[F_NODE] < 0 || f->num[F_NODE] >= n))
    return fail(tr, err, cap, "unknown node %" PRId64 " (the header lists %d nodes)",
                f->num[F_NODE], n);
  if ((f->present & BIT(F_TO)) && (f->num[F_TO] < 0 || f->num[F_TO] >= n))
    return fail(tr, err, cap, "unknown node %" PRId64 " in \"to\" (the header lists %d nodes)",
                f->num[F_TO], n);
  if ((f->present & BIT(F_FROM)) && (f->num[F_FROM] < -1 || f->num[F_FROM] >= n))
    return fail(tr, err, cap, "unknown node %" PRId64 " in \"from\" (the header lists %d nodes)",
                f->num[F_FROM], n);
  if ((kind == TRACE_BLOCK || kind == TRACE_UNBLOCK) && f->num[F_FROM] < 0)
    return fail(tr, err, cap, "%s needs a node in \"from\", not -1", rules[kind].name);
  if ((f->present & BIT(F_ID)) && f->num[F_ID] < 0)
    return fail(tr, err, cap, "negative message id %" PRId64, f->num[F_ID]);
  if ((f->present & BIT(F_CLIENT)) && (f->num[F_CLIENT] < 0 || f->num[F_CLIENT] > INT32_MAX))
    return fail(tr, err, cap, "bad client number %" PRId64, f->num[F_CLIENT]);
  if ((f->present & BIT(F_VC)) && f->vc_len != (size_t)n)
    return fail(tr, err, cap, "vector clock has %zu entries, expected %d (one per node)", f->vc_len,
                n);
  uint32_t send_ev = TRACE_NONE;
  if (kind == TRACE_SEND) {
    uint32_t prev = msg_find(p, (uint64_t)f->num[F_ID]);
    if (prev != TRACE_NONE)
      return fail(tr, err, cap, "message id %" PRId64 " already sent on line %" PRIu32,
                  f->num[F_ID], tr->events[prev].line);
  }
  if (kind == TRACE_RECV || kind == TRACE_DROP) send_ev = msg_find(p, (uint64_t)f->num[F_ID]);
  if (tr->count >= TRACE_NONE - 1) return fail(tr, err, cap, "too many events");

  /* Everything is checked: build the event. */
  trace_event e;
  memset(&e, 0, sizeof e);
  e.t = t;
  e.line = tr->lines;
  e.kind = (uint8_t)kind;
  e.node = (f->present & BIT(F_NODE)) ? (int16_t)f->num[F_NODE] : -1;
  e.peer = -1;
  e.vc = TRACE_NONE;
  e.link = TRACE_NONE;
  e.next = TRACE_NONE;
  switch (kind) {
    case TRACE_SEND:
    case TRACE_RECV:
    case TRACE_DROP:
      e.id = (uint64_t)f->num[F_ID];
      e.peer = (int32_t)(kind == TRACE_SEND           ? f->num[F_TO]
                         : (f->present & BIT(F_FROM)) ? f->num[F_FROM]
                                                      : -1);
      e.name = field_sid(tr, f, F_TYPE);
      e.text = field_sid(tr, f, kind == TRACE_DROP ? F_WHY : F_BODY);
      if (send_ev != TRACE_NONE) {
        const trace_event *s = &tr->events[send_ev];
        if (e.node < 0) e.node = (int16_t)s->peer;
        if (!(f->present & BIT(F_FROM))) e.peer = s->node;
        if (!e.name) e.name = s->name;
      }
      if (kind == TRACE_DROP) {
        const char *w = f->str[F_WHY];
        size_t wl = f->len[F_WHY];
        e.why = wl == 4 && !memcmp(w, "loss", 4)        ? TRACE_WHY_LOSS
                : wl == 9 && !memcmp(w, "partition", 9) ? TRACE_WHY_PARTITION
                : wl == 4 && !memcmp(w, "dead", 4)      ? TRACE_WHY_DEAD
                                                        : TRACE_WHY_OTHER;
      }
      if (e.name) e.mtype = list_index(&tr->types, &tr->type_count, &p->types_cap, e.name);
      break;
    case TRACE_TIMER:
      e.id = (f->present & BIT(F_ARG)) ? (uint64_t)f->num[F_ARG] : 0; /* the timer's arg */
      e.name = field_sid(tr, f, F_NAME);
      e.mtype = list_index(&tr->timers, &tr->timer_count, &p->timers_cap, e.name);
      break;
    case TRACE_STATE:
      e.name = field_sid(tr, f, F_KEY);
      e.text = field_sid(tr, f, F_VALUE);
      break;
    case TRACE_NOTE:
    case TRACE_NET:
      e.text = field_sid(tr, f, F_TEXT);
      break;
    case TRACE_BLOCK:
    case TRACE_UNBLOCK:
      e.node = (int16_t)f->num[F_FROM];
      e.peer = (int32_t)f->num[F_TO];
      break;
    case TRACE_INVOKE:
    case TRACE_OK:
    case TRACE_FAIL:
    case TRACE_INFO:
      e.node = -1;
      e.peer = (int32_t)f->num[F_CLIENT];
      e.name = field_sid(tr, f, F_OP);
      e.key = field_sid(tr, f, F_KEY);
      e.text = field_sid(tr, f, F_VALUE);
      break;
    case TRACE_VIOLATION:
      e.name = field_sid(tr, f, F_INVARIANT);
      e.text = field_sid(tr, f, F_TEXT);
      break;
    case TRACE_OTHER:
      e.name = intern(tr, f->str[F_EV], f->len[F_EV]);
      e.text = field_sid(tr, f, F_TEXT);
      break;
    case TRACE_END:
      tr->ended = true;
      break;
    default:
      break;
  }
  if (kind == TRACE_PARTITION)
    e.vc = pool_put(p, (const uint32_t *)p->groups_tmp, (size_t)n);
  else if (f->present & BIT(F_VC))
    e.vc = pool_put(p, p->vc_tmp, (size_t)n);

  grow((void **)&tr->events, &p->events_cap, tr->count + 1, sizeof *tr->events);
  uint32_t idx = (uint32_t)tr->count;
  if (kind == TRACE_SEND) msg_insert(p, e.id, idx);
  if (send_ev != TRACE_NONE) {
    /* Link this delivery (or drop) at the end of its message's chain. */
    e.link = send_ev;
    trace_event *s = &tr->events[send_ev];
    if (s->link == TRACE_NONE) {
      s->link = idx;
    } else {
      uint32_t j = s->link;
      while (tr->events[j].next != TRACE_NONE) j = tr->events[j].next;
      tr->events[j].next = idx;
    }
  }
  tr->events[tr->count++] = e;
  return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The header.
 */
static const char *json_str_or(json_t *o, const char *key, const char *dflt) {
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

static int read_string_list(trace_data *tr, json_t *root, const char *key, trace_sid **list,
                            int *count, size_t *cap, char *err, size_t ecap) {
  json_t *v = json_object_get(root, key);
  if (!v) return 0;
  if (!json_is_array(v)) return fail(tr, err, ecap, "header field \"%s\" must be an array", key);
  for (size_t i = 0; i < json_array_size(v); i++) {
    json_t *x = json_array_get(v, i);
    if (!json_is_string(x))
      return fail(tr, err, ecap, "header field \"%s\" must hold strings", key);
    list_index(list, count, cap, intern(tr, json_string_value(x), json_string_length(x)));
  }
  return 0;
}

static int read_header(trace_data *tr, json_t *root, char *err, size_t cap) {
  trace_priv *p = tr->priv;
  if (!json_is_object(root)) return fail(tr, err, cap, "expected the header, a JSON object");
  json_t *ver = json_object_get(root, "causeway");
  if (!ver)
    return fail(tr, err, cap, "not a Causeway trace: the first line has no \"causeway\" version");
  if (!json_is_integer(ver) || json_integer_value(ver) != TRACE_READ_VERSION)
    return fail(tr, err, cap, "unsupported trace version (this reader knows \"causeway\":%d)",
                TRACE_READ_VERSION);
  json_t *nodes = json_object_get(root, "nodes");
  if (!json_is_array(nodes) || json_array_size(nodes) == 0)
    return fail(tr, err, cap, "header without a \"nodes\" array of node names");
  size_t nn = json_array_size(nodes);
  if (nn > TRACE_MAX_NODES)
    return fail(tr, err, cap, "header lists %zu nodes (at most %d)", nn, TRACE_MAX_NODES);
  for (size_t i = 0; i < nn; i++)
    if (!json_is_string(json_array_get(nodes, i)))
      return fail(tr, err, cap, "header \"nodes\" must hold names (strings)");
  json_t *seed = json_object_get(root, "seed");
  if (seed && !json_is_integer(seed))
    return fail(tr, err, cap, "header field \"seed\" must be an integer");
  /* Checked: fill the trace. The string lists may intern strings first: harmless on error. */
  int tc = 0, mc = 0;
  size_t tcap = 0, mcap = 0;
  trace_sid *types = NULL, *timers = NULL;
  if (read_string_list(tr, root, "types", &types, &tc, &tcap, err, cap) ||
      read_string_list(tr, root, "timers", &timers, &mc, &mcap, err, cap)) {
    free(types);
    free(timers);
    return -1;
  }
  tr->types = types, tr->type_count = tc, p->types_cap = tcap;
  tr->timers = timers, tr->timer_count = mc, p->timers_cap = mcap;
  free(tr->lab);
  free(tr->scenario);
  tr->lab = xstrdup(json_str_or(root, "lab", ""));
  tr->scenario = xstrdup(json_str_or(root, "scenario", ""));
  tr->seed = seed ? (uint64_t)json_integer_value(seed) : 0;
  tr->node_count = (int)nn;
  tr->nodes = xrealloc(NULL, nn * sizeof *tr->nodes);
  for (size_t i = 0; i < nn; i++)
    tr->nodes[i] = xstrdup(json_string_value(json_array_get(nodes, i)));
  p->vc_tmp = xrealloc(NULL, nn * sizeof *p->vc_tmp);
  p->groups_tmp = xrealloc(NULL, nn * sizeof *p->groups_tmp);
  tr->has_header = true;
  return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Feeding lines.
 */
trace_data *trace_data_new(const char *file) {
  trace_data *tr = xrealloc(NULL, sizeof *tr);
  memset(tr, 0, sizeof *tr);
  tr->file = xstrdup(file ? file : "-");
  tr->lab = xstrdup(""); /* until the header says otherwise */
  tr->scenario = xstrdup("");
  tr->priv = xrealloc(NULL, sizeof *tr->priv);
  memset(tr->priv, 0, sizeof *tr->priv);
  trace_priv *p = tr->priv;
  p->nslots = 1024;
  p->slots = calloc(p->nslots, sizeof *p->slots);
  if (!p->slots) abort();
  /* sid 0 is the empty string. */
  p->strs_cap = 64;
  p->strs = xrealloc(NULL, p->strs_cap * sizeof *p->strs);
  p->lens = xrealloc(NULL, p->strs_cap * sizeof *p->lens);
  p->hashes = xrealloc(NULL, p->strs_cap * sizeof *p->hashes);
  p->strs[0] = "";
  p->lens[0] = 0;
  p->hashes[0] = 0;
  p->nstrs = 1;
  return tr;
}

void trace_set_fast(trace_data *tr, bool fast) { tr->priv->slow = !fast; }

/* Feed one line; `partial` marks a last line that had no newline. */
static int feed_line(trace_data *tr, const char *line, size_t len, bool partial, char *err,
                     size_t cap) {
  trace_priv *p = tr->priv;
  if (tr->lines == UINT32_MAX) return fail(tr, err, cap, "too many lines");
  tr->lines++;
  size_t a = 0;
  while (a < len && (line[a] == ' ' || line[a] == '\t' || line[a] == '\r')) a++;
  if (a == len) return 0; /* blank line */
  if (tr->has_header) {
    fields f;
    grow((void **)&p->scratch, &p->scratch_cap, len + 1, 1);
    if (!p->slow && fast_scan(tr, line, len, &f)) return apply_event(tr, &f, err, cap);
  }
  json_error_t je;
  json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    if (partial) return fail(tr, err, cap, "truncated last line (no newline, incomplete JSON)");
    return fail(tr, err, cap, "bad JSON at column %d: %s", je.column, je.text);
  }
  int rc;
  if (!tr->has_header) {
    rc = read_header(tr, root, err, cap);
  } else {
    fields f;
    rc = json_fields(tr, root, &f, err, cap);
    if (rc == 0) rc = apply_event(tr, &f, err, cap);
  }
  json_decref(root);
  return rc;
}

int trace_feed_line(trace_data *tr, const char *line, size_t len, char *err, size_t cap) {
  return feed_line(tr, line, len, false, err, cap);
}

int trace_feed(trace_data *tr, const char *data, size_t len, char *err, size_t cap) {
  trace_priv *p = tr->priv;
  if (p->failed) return -1;
  while (len > 0) {
    const char *nl = memchr(data, '\n', len);
    if (!nl) { /* keep the partial line */
      grow((void **)&p->part, &p->part_cap, p->part_len + len, 1);
      memcpy(p->part + p->part_len, data, len);
      p->part_len += len;
      return 0;
    }
    size_t n = (size_t)(nl - data);
    int rc;
    if (p->part_len) {
      grow((void **)&p->part, &p->part_cap, p->part_len + n, 1);
      memcpy(p->part + p->part_len, data, n);
      rc = feed_line(tr, p->part, p->part_len + n, false, err, cap);
      p->part_len = 0;
    } else {
      rc = feed_line(tr, data, n, false, err, cap);
    }
    if (rc) {
      p->failed = true;
      return -1;
    }
    data += n + 1;
    len -= n + 1;
  }
  return 0;
}

int trace_finish(trace_data *tr, char *err, size_t cap) {
  trace_priv *p = tr->priv;
  if (p->failed) return -1;
  if (p->part_len) {
    int rc = feed_line(tr, p->part, p->part_len, true, err, cap);
    p->part_len = 0;
    if (rc) return -1;
  }
  if (!tr->has_header) {
    tr->lines++;
    return fail(tr, err, cap, "empty trace (no header line)");
  }
  return 0;
}

int trace_read_file(const char *path, trace_data **out, char *err, size_t cap) {
  *out = NULL;
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *fp = is_stdin ? stdin : fopen(path, "rb");
  if (!fp) {
    snprintf(err, cap, "cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  trace_data *tr = trace_data_new(is_stdin ? "<stdin>" : path);
  enum { CHUNK = 1 << 20 };
  char *buf = xrealloc(NULL, CHUNK);
  int rc = 0;
  size_t n;
  while (rc == 0 && (n = fread(buf, 1, CHUNK, fp)) > 0) rc = trace_feed(tr, buf, n, err, cap);
  if (rc == 0 && ferror(fp)) {
    snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
    rc = -1;
  }
  if (rc == 0) rc = trace_finish(tr, err, cap);
  free(buf);
  if (!is_stdin) fclose(fp);
  if (rc) {
    trace_data_free(tr);
    return -1;
  }
  *out = tr;
  return 0;
}

void trace_data_free(trace_data *tr) {
  if (!tr) return;
  trace_priv *p = tr->priv;
  for (size_t i = 0; i < p->nblocks; i++) free(p->blocks[i]);
  free(p->blocks);
  free(p->strs);
  free(p->lens);
  free(p->hashes);
  free(p->slots);
  free(p->pool);
  free(p->msg_ids);
  free(p->msg_ev);
  free(p->part);
  free(p->scratch);
  free(p->vc_tmp);
  free(p->groups_tmp);
  free(p);
  for (int i = 0; i < tr->node_count; i++) free(tr->nodes[i]);
  free(tr->nodes);
  free(tr->types);
  free(tr->timers);
  free(tr->events);
  free(tr->lab);
  free(tr->scenario);
  free(tr->file);
  free(tr);
}

const uint32_t *trace_vc(const trace_data *tr, const trace_event *e) {
  if (e->vc == TRACE_NONE || e->kind == TRACE_PARTITION) return NULL;
  return tr->priv->pool + e->vc;
}

const int32_t *trace_groups(const trace_data *tr, const trace_event *e) {
  if (e->vc == TRACE_NONE || e->kind != TRACE_PARTITION) return NULL;
  return (const int32_t *)(tr->priv->pool + e->vc);
}

size_t trace_memory(const trace_data *tr) {
  const trace_priv *p = tr->priv;
  return p->events_cap * sizeof(trace_event) + p->arena_bytes +
         p->strs_cap * (sizeof *p->strs + sizeof *p->lens + sizeof *p->hashes) +
         p->nslots * sizeof *p->slots + p->pool_cap * sizeof *p->pool +
         p->msg_slots * (sizeof *p->msg_ids + sizeof *p->msg_ev) + sizeof *tr + sizeof *p;
}
