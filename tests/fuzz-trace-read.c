/*
 * fuzz-trace-read.c: a libFuzzer harness for the trace reader (lib/trace_read.h).
 *
 * Not part of the normal build (the Makefile builds tests/lib-*.c and tests/viz-*.c only), and
 * guarded by CAUSEWAY_FUZZ so that compiling it by accident does nothing. Build and run it with
 * clang, starting from the corpus of small valid and malformed traces:
 *
 *   clang -DCAUSEWAY_FUZZ -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *       tests/fuzz-trace-read.c lib/trace_read.c -ljansson -o /tmp/fuzz-trace-read
 *   /tmp/fuzz-trace-read -max_total_time=60 /tmp/corpus-copy tests/corpus/trace
 *
 * Each input is read twice, by the fast scanner and by jansson alone; besides crashes and
 * leaks (the sanitizers), the harness aborts when the two paths disagree on whether the input
 * is valid, on the error message, or on the number of events.
 */
#ifdef CAUSEWAY_FUZZ
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/trace_read.h"

static int read_all(const uint8_t *data, size_t size, bool fast, char *err, size_t cap,
                    size_t *count) {
  trace_data *tr = trace_data_new("fuzz");
  trace_set_fast(tr, fast);
  int rc = trace_feed(tr, (const char *)data, size, err, cap);
  if (rc == 0) rc = trace_finish(tr, err, cap);
  *count = tr->count;
  for (size_t i = 0; i < tr->count; i++) { /* touch every accessor */
    (void)trace_text(tr, tr->events[i].name);
    (void)trace_text(tr, tr->events[i].text);
    (void)trace_vc(tr, &tr->events[i]);
    (void)trace_groups(tr, &tr->events[i]);
  }
  trace_data_free(tr);
  return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char ea[512] = "", eb[512] = "";
  size_t ca, cb;
  int ra = read_all(data, size, true, ea, sizeof ea, &ca);
  int rb = read_all(data, size, false, eb, sizeof eb, &cb);
  if (ra != rb || ca != cb || strcmp(ea, eb) != 0) {
    fprintf(stderr, "paths disagree: fast rc=%d n=%zu '%s'; jansson rc=%d n=%zu '%s'\n", ra, ca, ea,
            rb, cb, eb);
    abort();
  }
  return 0;
}
#endif
