/*
 * mem.c: allocation that cannot fail (see mem.h).
 */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(const char *who, size_t n) {
  fprintf(stderr, "%s: out of memory (%zu bytes)\n", who ? who : "causeway", n);
  abort();
}

void *mem_realloc(void *p, size_t n, const char *who) {
  void *q = realloc(p, n ? n : 1);
  if (!q) out_of_memory(who, n);
  return q;
}

void *mem_calloc(size_t count, size_t size, const char *who) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) out_of_memory(who, count * size);
  return p;
}

char *mem_strdup(const char *s, const char *who) {
  size_t n = strlen(s) + 1;
  char *d = mem_realloc(NULL, n, who);
  memcpy(d, s, n);
  return d;
}
